/**
 * Kiro CLI `preToolUse` hooks (kiro.dev/docs/cli/hooks), configured in a custom agent's `hooks` field
 * (`.kiro/agents/<name>.json` or `~/.kiro/agents/<name>.json`). Input: `{hook_event_name:
 * "preToolUse", cwd, tool_name, tool_input}`; MCP tools are named `@<server>/<tool>`. Output is the
 * exit code alone: 0 allows, 2 blocks and returns stderr to the model, anything else is a warning
 * and the tool runs. Kiro has no "ask" answer. The Kiro IDE's own agent hooks do not pass the tool
 * call to a command hook, so this adapter serves Kiro CLI only.
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
  firstString,
  hookRequest,
  isObject,
  mcpAction,
  parsePayload,
  requireString,
  response,
  shellAction,
  shellWord,
  unrecognisedTool,
  type JsonObject,
} from './hook-common.js';

const CLIENT = 'kiro';

const payloadSchema = z.looseObject({
  hook_event_name: z.literal('preToolUse'),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
  cwd: z.string().optional(),
  session_id: z.string().optional(),
});

/** Built-in tools that only read, search or keep session notes: not gated. */
const PASS_THROUGH = new Set([
  'introspect',
  'report_issue',
  'knowledge',
  'thinking',
  'todo_list',
  'glob',
  'grep',
  'web_search',
  'web_fetch',
  'delegate',
]);

/** `DescribeInstances`, `describe_instances` → `describe-instances`; `DeleteDBInstance` → `delete-db-instance`. */
function kebab(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

/**
 * Kiro's `use_aws` tool, rewritten as the AWS CLI command it amounts to, so the shell classifier's
 * `aws` grammar judges it: `aws <service> <operation> [--region R] [--profile P] [--param value …]`.
 */
export function useAwsCommand(input: JsonObject): string {
  const service = requireString(CLIENT, input, 'service_name', 'tool_input');
  const operation = requireString(CLIENT, input, 'operation_name', 'tool_input');
  const words = ['aws', service, kebab(operation)];
  const region = firstString(input, ['region']);
  if (region !== undefined) words.push('--region', region);
  const profile = firstString(input, ['profile_name']);
  if (profile !== undefined) words.push('--profile', profile);
  const params = input['parameters'];
  if (isObject(params)) {
    for (const [key, value] of Object.entries(params)) {
      const flag = `--${kebab(key)}`;
      if (value === true) words.push(flag);
      else if (value === false) words.push(`--no-${kebab(key)}`);
      else if (typeof value === 'string' || typeof value === 'number') words.push(flag, String(value));
      else if (value !== null && value !== undefined) words.push(flag, JSON.stringify(value));
    }
  }
  return words.map(shellWord).join(' ');
}

function readPath(input: JsonObject): string {
  const ops = input['operations'];
  if (Array.isArray(ops)) {
    const first = ops.find((o) => isObject(o) && typeof o['path'] === 'string' && o['path'] !== '');
    if (isObject(first)) return first['path'] as string;
    throw badInput(CLIENT, 'tool_input.operations', 'must hold at least one operation with a path');
  }
  return requireString(CLIENT, input, 'path', 'tool_input');
}

function toAction(toolName: string, input: JsonObject): Action | null {
  switch (toolName) {
    case 'execute_bash':
    case 'execute_cmd':
    case 'shell': {
      const command = commandText(input['command']);
      if (command === undefined) throw badInput(CLIENT, 'tool_input.command', 'must be a non-empty string');
      return shellAction(command);
    }
    case 'fs_write':
    case 'write': {
      const path = requireString(CLIENT, input, 'path', 'tool_input');
      return fileAction(input['command'] === 'create' ? 'write' : 'edit', path);
    }
    case 'fs_read':
    case 'read':
      return fileAction('read', readPath(input));
    case 'use_aws':
    case 'aws':
      return shellAction(useAwsCommand(input));
  }
  if (toolName.startsWith('@')) {
    const at = toolName.indexOf('/');
    if (at > 1 && at < toolName.length - 1) return mcpAction(toolName.slice(1, at), toolName.slice(at + 1), input);
  }
  if (PASS_THROUGH.has(toolName)) return null;
  return unrecognisedTool(toolName, input);
}

/**
 * The Kiro CLI adapter. execute_bash/shell → shell; fs_write/write → file write (`create`) or edit;
 * fs_read/read → file read; use_aws/aws → the equivalent `aws` command; `@<server>/<tool>` → MCP.
 * Allow exits 0; deny and hold exit 2 with Airlock's reason on stderr (Kiro has no "ask").
 */
export const kiroHookAdapter: HookAdapter = {
  client: CLIENT,

  parse(payload: unknown): HookRequest {
    const p = parsePayload(CLIENT, payloadSchema, payload);
    const summary = p.tool_input['summary'];
    return hookRequest({
      client: CLIENT,
      event: p.hook_event_name,
      toolName: p.tool_name,
      action: toAction(p.tool_name, p.tool_input),
      raw: payload,
      cwd: p.cwd,
      session: p.session_id,
      intent: typeof summary === 'string' ? summary : undefined,
    });
  },

  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse {
    if (verdict.decision.outcome === 'allow') return response('', '', 0);
    return response('', `${agentReason(request, verdict, links)}\n`, 2);
  },

  passThrough(): HookResponse {
    return response('', '', 0);
  },

  failClosed(error: string, request?: HookRequest): HookResponse {
    return response('', `${failClosedReason(error, request)}\n`, 2);
  },
};
