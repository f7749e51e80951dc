/**
 * GitHub Copilot `preToolUse` hooks, for Copilot CLI and the Copilot coding (cloud) agent
 * (docs.github.com/en/copilot/reference/hooks-configuration and
 * …/copilot-cli-reference/cli-hooks-reference), configured in `.github/hooks/*.json` (repository)
 * or `~/.copilot/hooks/*.json` (Copilot CLI, personal). Input, camelCase form: `{sessionId?,
 * timestamp, cwd, toolName, toolArgs}` where `toolArgs` is a JSON string (coding agent) or an object;
 * VS Code-compatible form (event configured as `PreToolUse`): `{hook_event_name: "PreToolUse",
 * session_id, timestamp, cwd, tool_name, tool_input}`. Output: JSON `{"permissionDecision":
 * "allow"|"deny"|"ask","permissionDecisionReason":"…"}` on exit 0. The coding agent processes only
 * `deny`, and hook failures (non-zero exit, timeout) never block, so every answer exits 0 and hold is a deny.
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
  isObject,
  jsonLine,
  objectOrJsonString,
  parsePayload,
  requireOneOf,
  response,
  shellAction,
  unrecognisedTool,
  type JsonObject,
} from './hook-common.js';

const CLIENT = 'copilot';

const camelSchema = z.looseObject({
  toolName: z.string().min(1),
  toolArgs: z.unknown().optional(),
  cwd: z.string().optional(),
  sessionId: z.string().optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
});

const vscodeSchema = z.looseObject({
  hook_event_name: z.literal('PreToolUse'),
  tool_name: z.string().min(1),
  tool_input: z.unknown().optional(),
  cwd: z.string().optional(),
  session_id: z.string().optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
});

/** Documented tools that only read, search, ask or delegate: not gated. */
const PASS_THROUGH = new Set(['ask_user', 'glob', 'grep', 'task', 'web_fetch']);

function toAction(toolName: string, args: JsonObject, argsField: string): Action | null {
  switch (toolName) {
    case 'bash':
    case 'powershell': {
      const command = commandText(args['command']);
      if (command === undefined) throw badInput(CLIENT, `${argsField}.command`, 'must be a non-empty string');
      return shellAction(command);
    }
    case 'create':
      return fileAction('write', requireOneOf(CLIENT, args, ['path', 'file_path'], argsField));
    case 'edit':
      return fileAction('edit', requireOneOf(CLIENT, args, ['path', 'file_path'], argsField));
    case 'view':
      return fileAction('read', requireOneOf(CLIENT, args, ['path', 'file_path'], argsField));
  }
  if (PASS_THROUGH.has(toolName)) return null;
  // MCP tools reach this hook too, but their naming is not documented: judged as unrecognised tools.
  return unrecognisedTool(toolName, args);
}

function decision(permissionDecision: 'allow' | 'deny', reason?: string): string {
  return jsonLine(reason === undefined ? { permissionDecision } : { permissionDecision, permissionDecisionReason: reason });
}

/**
 * The GitHub Copilot adapter (CLI and coding agent). bash/powershell → shell; create → file write;
 * edit → file edit; view → file read; other tools (including MCP tools, whose names the docs do not
 * specify) → judged as unrecognised tool calls. Hold answers deny with the approval link.
 */
export const copilotHookAdapter: HookAdapter = {
  client: CLIENT,

  parse(payload: unknown): HookRequest {
    if (isObject(payload) && payload['hook_event_name'] !== undefined) {
      const p = parsePayload(CLIENT, vscodeSchema, payload);
      const args = objectOrJsonString(CLIENT, p.tool_input, 'tool_input');
      const description = args['description'];
      return hookRequest({
        client: CLIENT,
        event: p.hook_event_name,
        toolName: p.tool_name,
        action: toAction(p.tool_name, args, 'tool_input'),
        raw: payload,
        cwd: p.cwd,
        session: p.session_id,
        intent: typeof description === 'string' ? description : undefined,
      });
    }
    const p = parsePayload(CLIENT, camelSchema, payload);
    const args = objectOrJsonString(CLIENT, p.toolArgs, 'toolArgs');
    const description = args['description'];
    return hookRequest({
      client: CLIENT,
      event: 'preToolUse',
      toolName: p.toolName,
      action: toAction(p.toolName, args, 'toolArgs'),
      raw: payload,
      cwd: p.cwd,
      session: p.sessionId,
      intent: typeof description === 'string' ? description : undefined,
    });
  },

  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse {
    const reason = agentReason(request, verdict, links);
    return response(decision(verdict.decision.outcome === 'allow' ? 'allow' : 'deny', reason), '', 0);
  },

  passThrough(): HookResponse {
    return response('', '', 0);
  },

  failClosed(error: string, request?: HookRequest): HookResponse {
    const reason = failClosedReason(error, request);
    // Exit 0: Copilot logs and skips failing hooks, so only a deny on stdout blocks.
    return response(decision('deny', reason), `${reason}\n`, 0);
  },
};
