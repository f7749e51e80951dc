/**
 * Gemini CLI `BeforeTool` hooks (geminicli.com/docs/hooks/reference), configured in
 * `.gemini/settings.json` or `~/.gemini/settings.json`. Input: `{session_id, transcript_path, cwd,
 * hook_event_name: "BeforeTool", timestamp, tool_name, tool_input, mcp_context?}`; `mcp_context`
 * (`server_name`, `tool_name`, …) is present for MCP tools, which are named `mcp__<server>__<tool>`.
 * Output: exit 0 with JSON `{"decision":"allow"|"deny","reason":"…"}` (the reason goes to the agent as
 * the tool error); exit 2 blocks with stderr as the reason. Stdout must hold nothing but the JSON.
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
  requireOneOf,
  response,
  shellAction,
  splitDoubleUnderscoreMcpName,
  unrecognisedTool,
  userSummary,
  type JsonObject,
} from './hook-common.js';

const CLIENT = 'gemini';

const payloadSchema = z.looseObject({
  hook_event_name: z.literal('BeforeTool'),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
  session_id: z.string().optional(),
  cwd: z.string().optional(),
  timestamp: z.string().optional(),
  transcript_path: z.string().optional(),
  mcp_context: z.looseObject({ server_name: z.string().min(1), tool_name: z.string().min(1) }).optional(),
});

/** Built-in tools that only read, search or keep session notes: not gated. */
const PASS_THROUGH = new Set([
  'list_directory',
  'glob',
  'search_file_content',
  'grep_search',
  'read_many_files',
  'web_fetch',
  'google_web_search',
  'save_memory',
  'write_todos',
  'ask_user',
  'activate_skill',
]);

const PATH_KEYS = ['file_path', 'absolute_path', 'path'];

function toAction(p: z.infer<typeof payloadSchema>): Action | null {
  const input: JsonObject = p.tool_input;
  if (p.mcp_context !== undefined) return mcpAction(p.mcp_context.server_name, p.mcp_context.tool_name, input);
  switch (p.tool_name) {
    case 'run_shell_command': {
      const command = commandText(input['command']);
      if (command === undefined) throw badInput(CLIENT, 'tool_input.command', 'must be a non-empty string');
      return shellAction(command);
    }
    case 'write_file':
      return fileAction('write', requireOneOf(CLIENT, input, PATH_KEYS, 'tool_input'));
    case 'replace':
    case 'edit':
      return fileAction('edit', requireOneOf(CLIENT, input, PATH_KEYS, 'tool_input'));
    case 'read_file':
      return fileAction('read', requireOneOf(CLIENT, input, PATH_KEYS, 'tool_input'));
  }
  const mcp = splitDoubleUnderscoreMcpName(p.tool_name);
  if (mcp !== null) return mcpAction(mcp.server, mcp.tool, input);
  if (PASS_THROUGH.has(p.tool_name)) return null;
  return unrecognisedTool(p.tool_name, input);
}

/**
 * The Gemini CLI adapter. run_shell_command → shell; write_file → file write; replace → file edit;
 * read_file → file read; MCP tools (by `mcp_context`, else `mcp__<server>__<tool>`) → MCP. Gemini CLI
 * documents only `allow` and `deny` for BeforeTool, so hold answers `deny` with the approval link, and
 * a `systemMessage` tells the human.
 */
export const geminiHookAdapter: HookAdapter = {
  client: CLIENT,

  parse(payload: unknown): HookRequest {
    const p = parsePayload(CLIENT, payloadSchema, payload);
    const description = p.tool_name === 'run_shell_command' ? p.tool_input['description'] : undefined;
    return hookRequest({
      client: CLIENT,
      event: p.hook_event_name,
      toolName: p.tool_name,
      action: toAction(p),
      raw: payload,
      cwd: p.cwd,
      session: p.session_id,
      intent: typeof description === 'string' ? description : undefined,
    });
  },

  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse {
    if (verdict.decision.outcome === 'allow') return response(jsonLine({ decision: 'allow' }), '', 0);
    return response(
      jsonLine({ decision: 'deny', reason: agentReason(request, verdict, links), systemMessage: userSummary(request, verdict, links) }),
      '',
      0,
    );
  },

  passThrough(): HookResponse {
    return response(jsonLine({}), '', 0);
  },

  failClosed(error: string, request?: HookRequest): HookResponse {
    const reason = failClosedReason(error, request);
    return response(jsonLine({ decision: 'deny', reason }), `${reason}\n`, 2);
  },
};
