/**
 * Cursor agent hooks (cursor.com/docs/agent/hooks), configured in `.cursor/hooks.json` or
 * `~/.cursor/hooks.json`. Events answered: `beforeShellExecution` (`command`, `cwd`),
 * `beforeMCPExecution` (`tool_name`, `tool_input`, and `url` or `command` identifying the server),
 * `beforeReadFile` (`file_path`) and the generic `preToolUse` (`tool_name`, `tool_input`). Common
 * fields: `hook_event_name`, `conversation_id`, `generation_id`, `workspace_roots`. Output: JSON
 * `{"permission":"allow"|"deny"|"ask","user_message":"…","agent_message":"…"}`; `beforeReadFile`
 * takes `permission` only.
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
  holdMayAsk,
  hookRequest,
  isObject,
  jsonLine,
  mcpAction,
  objectOrJsonString,
  parsePayload,
  requireOneOf,
  response,
  shellAction,
  UNKNOWN_SERVER,
  unrecognisedTool,
  userSummary,
  type JsonObject,
} from './hook-common.js';

const CLIENT = 'cursor';

const base = {
  conversation_id: z.string().optional(),
  generation_id: z.string().optional(),
  workspace_roots: z.array(z.string()).optional(),
  cwd: z.string().optional(),
};

const payloadSchema = z.discriminatedUnion('hook_event_name', [
  z.looseObject({ ...base, hook_event_name: z.literal('beforeShellExecution'), command: z.string().min(1) }),
  z.looseObject({
    ...base,
    hook_event_name: z.literal('beforeMCPExecution'),
    tool_name: z.string().min(1),
    tool_input: z.unknown().optional(),
    url: z.string().optional(),
    command: z.string().optional(),
    server: z.string().optional(),
    mcp_server_name: z.string().optional(),
  }),
  z.looseObject({ ...base, hook_event_name: z.literal('beforeReadFile'), file_path: z.string().min(1) }),
  z.looseObject({ ...base, hook_event_name: z.literal('preToolUse'), tool_name: z.string().min(1), tool_input: z.unknown().optional() }),
]);

type Payload = z.infer<typeof payloadSchema>;

/** `preToolUse` tools that change nothing outside the session, or only search: not gated. */
const PASS_THROUGH = new Set([
  'Grep',
  'Glob',
  'LS',
  'ListDir',
  'Search',
  'SemanticSearch',
  'WebSearch',
  'WebFetch',
  'Task',
  'TodoWrite',
  'ReadLints',
]);

/**
 * Cursor does not give the MCP server's configured name; it gives how it is reached. The server
 * identity Airlock uses is, in order: an explicit `server`/`mcp_server_name` member, the
 * `MCP:<server>:<tool>` form of the tool name, the URL's host, the launch command.
 */
function mcpServer(p: {
  url?: string | undefined;
  command?: string | undefined;
  server?: string | undefined;
  mcp_server_name?: string | undefined;
}): string {
  const explicit = p.server ?? p.mcp_server_name;
  if (explicit !== undefined && explicit !== '') return explicit;
  if (p.url !== undefined && p.url !== '') {
    try {
      return new URL(p.url).host || p.url;
    } catch {
      return p.url;
    }
  }
  if (p.command !== undefined && p.command.trim() !== '') return p.command.trim();
  return UNKNOWN_SERVER;
}

/** Splits `MCP:<tool>` or `MCP:<server>:<tool>`; null otherwise. */
function splitCursorMcpName(name: string): { server: string | null; tool: string } | null {
  if (!name.startsWith('MCP:')) return null;
  const rest = name.slice(4);
  const at = rest.indexOf(':');
  if (at > 0 && at < rest.length - 1) return { server: rest.slice(0, at), tool: rest.slice(at + 1) };
  return rest.length > 0 ? { server: null, tool: rest } : null;
}

function preToolUseAction(toolName: string, input: JsonObject): Action | null {
  const prefix = 'tool_input';
  switch (toolName) {
    case 'Shell':
    case 'Terminal': {
      const command = commandText(input['command']);
      if (command === undefined) throw badInput(CLIENT, 'tool_input.command', 'must be a non-empty string');
      return shellAction(command);
    }
    case 'Read':
      return fileAction('read', requireOneOf(CLIENT, input, ['file_path', 'path', 'target_file'], prefix));
    case 'Write':
      return fileAction('write', requireOneOf(CLIENT, input, ['file_path', 'path', 'target_file'], prefix));
    case 'Edit':
    case 'StrReplace':
    case 'MultiEdit':
    case 'TabWrite':
      return fileAction('edit', requireOneOf(CLIENT, input, ['file_path', 'path', 'target_file'], prefix));
    case 'Delete':
      return fileAction('delete', requireOneOf(CLIENT, input, ['file_path', 'path', 'target_file'], prefix));
  }
  const mcp = splitCursorMcpName(toolName);
  if (mcp !== null) return mcpAction(mcp.server ?? UNKNOWN_SERVER, mcp.tool, input);
  if (PASS_THROUGH.has(toolName)) return null;
  return unrecognisedTool(toolName, input);
}

function toRequest(p: Payload, raw: unknown): HookRequest {
  const common = {
    client: CLIENT,
    event: p.hook_event_name,
    raw,
    session: p.conversation_id,
  } as const;
  const root = p.workspace_roots?.[0];
  const cwd = p.cwd === undefined || p.cwd === '' ? root : p.cwd;
  switch (p.hook_event_name) {
    case 'beforeShellExecution':
      return hookRequest({ ...common, toolName: 'Shell', action: shellAction(p.command), cwd });
    case 'beforeMCPExecution': {
      const args = objectOrJsonString(CLIENT, p.tool_input, 'tool_input');
      const named = splitCursorMcpName(p.tool_name);
      const server = named?.server ?? mcpServer(p);
      return hookRequest({ ...common, toolName: p.tool_name, action: mcpAction(server, named?.tool ?? p.tool_name, args), cwd });
    }
    case 'beforeReadFile':
      return hookRequest({ ...common, toolName: 'Read', action: fileAction('read', p.file_path), cwd });
    case 'preToolUse': {
      const input = objectOrJsonString(CLIENT, p.tool_input, 'tool_input');
      // Never the tool input's own cwd/working_directory: the model writes those, and the project
      // root decides what counts as inside the project.
      return hookRequest({ ...common, toolName: p.tool_name, action: preToolUseAction(p.tool_name, input), cwd });
    }
  }
}

/** Which permissions the event understands. `ask` only where Cursor documents it. */
function supportsAsk(event: string): boolean {
  return event === 'beforeShellExecution' || event === 'beforeMCPExecution';
}

function permissionOnly(event: string): boolean {
  return event === 'beforeReadFile';
}

/**
 * The Cursor adapter. `beforeShellExecution` → shell; `beforeMCPExecution` → MCP; `beforeReadFile` →
 * file read; `preToolUse`: Shell → shell, Read → read, Write → write, Edit/StrReplace/MultiEdit → edit,
 * Delete → delete, `MCP:<tool>` → MCP. Hold answers `ask` on the shell and MCP events and `deny`
 * elsewhere (Cursor documents `ask` only there).
 */
export const cursorHookAdapter: HookAdapter = {
  client: CLIENT,

  parse(payload: unknown): HookRequest {
    if (isObject(payload) && typeof payload['hook_event_name'] !== 'string') throw badInput(CLIENT, 'hook_event_name', 'must be a string');
    return toRequest(parsePayload(CLIENT, payloadSchema, payload), payload);
  },

  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse {
    const outcome = verdict.decision.outcome;
    const permission =
      outcome === 'allow' ? 'allow' : outcome === 'hold' && supportsAsk(request.event) && holdMayAsk(verdict) ? 'ask' : 'deny';
    if (permissionOnly(request.event)) return response(jsonLine({ permission }), '', 0);
    if (permission === 'allow') return response(jsonLine({ permission }), '', 0);
    return response(
      jsonLine({ permission, user_message: userSummary(request, verdict, links), agent_message: agentReason(request, verdict, links) }),
      '',
      0,
    );
  },

  passThrough(): HookResponse {
    return response(jsonLine({}), '', 0);
  },

  failClosed(error: string, request?: HookRequest): HookResponse {
    const reason = failClosedReason(error, request);
    if (request !== undefined && permissionOnly(request.event)) return response(jsonLine({ permission: 'deny' }), `${reason}\n`, 0);
    // Exit 0 with a deny: Cursor reads the JSON; a non-zero exit could be taken as a hook failure
    // and fail open unless the hook is configured with failClosed.
    return response(
      jsonLine({ permission: 'deny', user_message: 'Airlock could not decide and blocked this action.', agent_message: reason }),
      `${reason}\n`,
      0,
    );
  },
};
