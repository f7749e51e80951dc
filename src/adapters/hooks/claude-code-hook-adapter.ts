/**
 * Claude Code `PreToolUse` hooks (code.claude.com/docs/en/hooks). Input on stdin:
 * `{session_id, transcript_path, cwd, permission_mode, hook_event_name: "PreToolUse", tool_name,
 * tool_input, tool_use_id}`. Output: exit 0 with
 * `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow"|"deny"|"ask",
 * "permissionDecisionReason":"…"}}`; exit 2 blocks with stderr as the reason shown to Claude.
 */
import { z } from 'zod';
import type { Action } from '../../core/action.js';
import type { Verdict } from '../../core/decision.js';
import type { HookAdapter, HookRequest, HookResponse } from './hook-adapter.js';
import {
  agentReason,
  commandText,
  badInput,
  failClosedReason,
  holdMayAsk,
  fileAction,
  hookRequest,
  jsonLine,
  mcpAction,
  parsePayload,
  requireString,
  response,
  shellAction,
  splitDoubleUnderscoreMcpName,
  unrecognisedTool,
  type JsonObject,
} from './hook-common.js';

const payloadSchema = z.looseObject({
  hook_event_name: z.literal('PreToolUse'),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
  session_id: z.string().optional(),
  cwd: z.string().optional(),
  tool_use_id: z.string().optional(),
  permission_mode: z.string().optional(),
  transcript_path: z.string().nullable().optional(),
});

/** Built-in tools that change nothing outside Claude's own session, or only read: not gated. */
const PASS_THROUGH = new Set([
  'Glob',
  'Grep',
  'LS',
  'TodoWrite',
  'TodoRead',
  'Task',
  'Agent',
  'WebFetch',
  'WebSearch',
  'ExitPlanMode',
  'BashOutput',
  'KillShell',
  'KillBash',
  'SlashCommand',
  'Skill',
  'AskUserQuestion',
  'ListMcpResourcesTool',
  'ReadMcpResourceTool',
]);

function toAction(toolName: string, input: JsonObject): Action | null {
  const client = 'claude-code';
  switch (toolName) {
    case 'Bash': {
      const command = commandText(input['command']);
      if (command === undefined) throw badInput(client, 'tool_input.command', 'must be a non-empty string');
      return shellAction(command);
    }
    case 'Write':
      return fileAction('write', requireString(client, input, 'file_path', 'tool_input'));
    case 'Edit':
    case 'MultiEdit':
      return fileAction('edit', requireString(client, input, 'file_path', 'tool_input'));
    case 'NotebookEdit':
      return fileAction('edit', requireString(client, input, 'notebook_path', 'tool_input'));
    case 'Read':
      return fileAction('read', requireString(client, input, 'file_path', 'tool_input'));
    case 'NotebookRead':
      return fileAction('read', requireString(client, input, 'notebook_path', 'tool_input'));
  }
  const mcp = splitDoubleUnderscoreMcpName(toolName);
  if (mcp !== null) return mcpAction(mcp.server, mcp.tool, input);
  if (PASS_THROUGH.has(toolName)) return null;
  return unrecognisedTool(toolName, input);
}

function output(decision: 'allow' | 'deny' | 'ask', reason: string): string {
  return jsonLine({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason },
  });
}

/**
 * The Claude Code adapter. Bash → shell; Write → file write; Edit, MultiEdit, NotebookEdit → file edit;
 * Read, NotebookRead → file read; `mcp__<server>__<tool>` → MCP. Hold answers `ask`, so the human
 * sees Airlock's reason in Claude Code's permission prompt.
 */
export const claudeCodeHookAdapter: HookAdapter = {
  client: 'claude-code',

  parse(payload: unknown): HookRequest {
    const p = parsePayload('claude-code', payloadSchema, payload);
    const description = p.tool_name === 'Bash' ? p.tool_input['description'] : undefined;
    return hookRequest({
      client: 'claude-code',
      event: p.hook_event_name,
      toolName: p.tool_name,
      action: toAction(p.tool_name, p.tool_input),
      raw: payload,
      cwd: p.cwd,
      session: p.session_id,
      intent: typeof description === 'string' ? description : undefined,
    });
  },

  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse {
    const reason = agentReason(request, verdict, links);
    const decision = verdict.decision.outcome === 'hold' ? (holdMayAsk(verdict) ? 'ask' : 'deny') : verdict.decision.outcome;
    return response(output(decision, reason), '', 0);
  },

  passThrough(): HookResponse {
    return response('', '', 0);
  },

  failClosed(error: string, request?: HookRequest): HookResponse {
    const reason = failClosedReason(error, request);
    // Exit 2 blocks even if the JSON were lost; stderr is then the reason Claude sees.
    return response(output('deny', reason), `${reason}\n`, 2);
  },
};
