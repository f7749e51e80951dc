/**
 * OpenAI Codex CLI `PreToolUse` hooks (developers.openai.com/codex/hooks; wire schema in
 * openai/codex `codex-rs/hooks/schema/generated/pre-tool-use.command.*.schema.json`), configured in
 * `~/.codex/hooks.json` or `<repo>/.codex/hooks.json`. Input: `{session_id, turn_id, transcript_path,
 * cwd, hook_event_name: "PreToolUse", model, permission_mode, tool_name, tool_input, tool_use_id}`.
 * Shell-like tools (`Bash`) and `apply_patch` carry their text in `tool_input.command`; MCP tools are
 * `mcp__<server>__<tool>` with their JSON arguments. Output: exit 0 with
 * `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",
 * "permissionDecisionReason":"…"}}`, or exit 2 with the reason on stderr. Codex rejects
 * `permissionDecision: "ask"`, and `"allow"` without `updatedInput`, as invalid output (which then
 * does not block), so allow is an empty answer and hold is a deny.
 */
import { z } from 'zod';
import type { Action } from '../../core/action.js';
import type { Verdict } from '../../core/decision.js';
import type { HookAdapter, HookRequest, HookResponse } from './hook-adapter.js';
import {
  agentReason,
  badInput,
  commandText,
  failClosedReason,
  fileAction,
  hookRequest,
  jsonLine,
  mcpAction,
  parsePayload,
  response,
  shellAction,
  splitDoubleUnderscoreMcpName,
  unrecognisedTool,
  type JsonObject,
} from './hook-common.js';

const CLIENT = 'codex';

const payloadSchema = z.looseObject({
  hook_event_name: z.literal('PreToolUse'),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
  session_id: z.string().optional(),
  turn_id: z.string().optional(),
  cwd: z.string().optional(),
  model: z.string().optional(),
  permission_mode: z.string().optional(),
  tool_use_id: z.string().optional(),
  transcript_path: z.string().nullable().optional(),
});

const SHELL_TOOLS = new Set(['Bash', 'shell', 'local_shell', 'exec_command', 'unified_exec', 'container.exec']);

/**
 * The files an `apply_patch` envelope touches — every `Add/Update/Delete File` header and every
 * `Move to` destination — with the most destructive operation among them (delete, then edit, then
 * write). Null when the text holds no file header.
 */
export function applyPatchTarget(
  patch: string,
): { operation: 'write' | 'edit' | 'delete'; path: string; morePaths: string[]; files: number } | null {
  const headers = [...patch.matchAll(/^\*\*\* (Add|Update|Delete) File: (.+?)\s*$/gm)];
  const moves = [...patch.matchAll(/^\*\*\* Move to: (.+?)\s*$/gm)];
  if (headers.length === 0) return null;
  const operation = headers.some((h) => h[1] === 'Delete') ? 'delete' : headers.some((h) => h[1] === 'Update') ? 'edit' : 'write';
  const paths = [...new Set([...headers.map((h) => h[2] as string), ...moves.map((m) => m[1] as string)])];
  const [path, ...morePaths] = paths;
  return path === undefined ? null : { operation, path, morePaths, files: paths.length };
}

function toAction(toolName: string, input: JsonObject): Action | null {
  if (SHELL_TOOLS.has(toolName)) {
    const command = commandText(input['command']) ?? commandText(input['cmd']);
    if (command === undefined) throw badInput(CLIENT, 'tool_input.command', 'must be a non-empty string');
    return shellAction(command);
  }
  if (toolName === 'apply_patch') {
    const patch = commandText(input['command']) ?? commandText(input['input']) ?? commandText(input['patch']);
    if (patch === undefined) throw badInput(CLIENT, 'tool_input.command', 'must hold the patch text');
    const target = applyPatchTarget(patch);
    if (target === null) throw badInput(CLIENT, 'tool_input.command', 'holds no "*** Add/Update/Delete File:" header');
    const action = fileAction(target.operation, target.path);
    return target.morePaths.length === 0 ? action : { ...action, morePaths: target.morePaths };
  }
  const mcp = splitDoubleUnderscoreMcpName(toolName);
  if (mcp !== null) return mcpAction(mcp.server, mcp.tool, input);
  return unrecognisedTool(toolName, input);
}

function deny(reason: string): string {
  return jsonLine({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
  });
}

/**
 * The Codex adapter. Bash (and Codex's other shell tool names) → shell; apply_patch → file
 * write/edit/delete of the patched file; `mcp__<server>__<tool>` → MCP. Allow is silence (Codex's
 * normal approval flow goes on), hold and deny are a deny with Airlock's reason.
 */
export const codexHookAdapter: HookAdapter = {
  client: CLIENT,

  parse(payload: unknown): HookRequest {
    const p = parsePayload(CLIENT, payloadSchema, payload);
    return hookRequest({
      client: CLIENT,
      event: p.hook_event_name,
      toolName: p.tool_name,
      action: toAction(p.tool_name, p.tool_input),
      raw: payload,
      cwd: p.cwd,
      session: p.session_id,
    });
  },

  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse {
    if (verdict.decision.outcome === 'allow') return response('', '', 0);
    return response(deny(agentReason(request, verdict, links)), '', 0);
  },

  passThrough(): HookResponse {
    return response('', '', 0);
  },

  failClosed(error: string, request?: HookRequest): HookResponse {
    const reason = failClosedReason(error, request);
    return response(deny(reason), `${reason}\n`, 2);
  },
};
