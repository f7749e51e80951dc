/**
 * Helpers shared by the hook adapters: payload validation that names the bad field, tool-name
 * parsing, and the text Airlock writes back to the agent. Pure; no I/O.
 */
import type { z } from 'zod';
import type { Action, FileAction, McpAction, ShellAction } from '../../core/action.js';
import type { Verdict } from '../../core/decision.js';
import { AirlockError } from '../../core/errors.js';
import type { HookClient, HookRequest, HookResponse } from './hook-adapter.js';

/** A plain JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** True for a plain (non-null, non-array) object. */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The AirlockError every adapter throws for a malformed payload: `BAD_INPUT`, naming the field. */
export function badInput(client: HookClient, field: string, problem: string): AirlockError {
  return new AirlockError({ code: 'BAD_INPUT', message: `${client} hook payload: field "${field}" ${problem}` });
}

/**
 * Parses a payload with a Zod schema at the trust boundary. Throws `BAD_INPUT` naming the first
 * offending field (dotted path) when the payload does not match.
 */
export function parsePayload<T>(client: HookClient, schema: z.ZodType<T>, payload: unknown): T {
  if (!isObject(payload)) throw badInput(client, '(root)', 'must be a JSON object');
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  throw badInput(client, field, issue?.message ?? 'is invalid');
}

/** Reads a required string member of a tool's input, or throws `BAD_INPUT` naming `<prefix>.<key>`. */
export function requireString(client: HookClient, input: JsonObject, key: string, prefix: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value.length === 0) throw badInput(client, `${prefix}.${key}`, 'must be a non-empty string');
  return value;
}

/** The first non-empty string among the given members, or undefined. */
export function firstString(input: JsonObject, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = input[k];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

/** Like {@link firstString} but throws `BAD_INPUT` naming the first candidate when none is present. */
export function requireOneOf(client: HookClient, input: JsonObject, keys: readonly string[], prefix: string): string {
  const v = firstString(input, keys);
  if (v === undefined)
    throw badInput(client, `${prefix}.${keys[0] ?? ''}`, `must be a non-empty string (also accepted: ${keys.join(', ')})`);
  return v;
}

/** Tool arguments given either as an object or as a JSON string holding an object (Cursor, Copilot). */
export function objectOrJsonString(client: HookClient, value: unknown, field: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (isObject(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw badInput(client, field, 'is a string but not valid JSON');
    }
    if (isObject(parsed)) return parsed;
    throw badInput(client, field, 'must hold a JSON object');
  }
  throw badInput(client, field, 'must be an object or a JSON string');
}

/** A shell action; argv arrays are joined with shell quoting so the shell classifier reads what would run. */
export function shellAction(command: string): ShellAction {
  return { kind: 'shell', command };
}

/** Quotes one word for a POSIX shell, leaving plain words bare. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command given as a string or as an argv array of strings; undefined otherwise. */
export function commandText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((w) => typeof w === 'string')) {
    return (value as string[]).map(shellWord).join(' ');
  }
  return undefined;
}

/** A file action. */
export function fileAction(operation: FileAction['operation'], path: string): FileAction {
  return { kind: 'file', operation, path };
}

/** An MCP action. */
export function mcpAction(server: string, tool: string, args: JsonObject): McpAction {
  return { kind: 'mcp', server, tool, arguments: args };
}

/**
 * Splits the `mcp__<server>__<tool>` naming used by Claude Code, Codex and Gemini CLI. The server is
 * what precedes the first `__` after the prefix; null when the name is not in that form.
 */
export function splitDoubleUnderscoreMcpName(name: string): { server: string; tool: string } | null {
  if (!name.startsWith('mcp__')) return null;
  const rest = name.slice('mcp__'.length);
  const at = rest.indexOf('__');
  if (at <= 0 || at + 2 >= rest.length) return null;
  return { server: rest.slice(0, at), tool: rest.slice(at + 2) };
}

/** The server name Airlock gives a tool call it cannot place (a tool this adapter does not recognise). */
export const UNKNOWN_SERVER = 'unknown';

/**
 * A tool this adapter does not recognise. It is neither passed through nor trusted: it is judged as an
 * opaque tool call on server `unknown`, which the MCP classifier reads by name and arguments and
 * otherwise reports as `unknown` risk (never safe).
 */
export function unrecognisedTool(toolName: string, args: JsonObject): Action {
  return mcpAction(UNKNOWN_SERVER, toolName, args);
}

/** Builds a HookRequest, leaving out optional members that are absent (exactOptionalPropertyTypes). */
export function hookRequest(fields: {
  client: HookClient;
  event: string;
  toolName: string;
  action: Action | null;
  raw: unknown;
  cwd?: string | undefined;
  session?: string | undefined;
  intent?: string | undefined;
}): HookRequest {
  return {
    client: fields.client,
    event: fields.event,
    toolName: fields.toolName,
    action: fields.action,
    raw: fields.raw,
    ...(fields.cwd !== undefined && fields.cwd !== '' ? { cwd: fields.cwd } : {}),
    ...(fields.session !== undefined && fields.session !== '' ? { session: fields.session } : {}),
    ...(fields.intent !== undefined && fields.intent !== '' ? { intent: fields.intent } : {}),
  };
}

/**
 * Whether a hold may be shown as the client's "ask" (the local user confirms). Only a hold that one
 * approval from anyone would lift: the user at the keyboard is the human the agent acts for, who
 * may count as at most one approver (SECURITY.md invariant 2), so a hold for two approvals, or for
 * a named group, is answered deny with the explanation until a real approval exists.
 */
export function holdMayAsk(verdict: Verdict): boolean {
  return (
    verdict.decision.outcome === 'hold' && verdict.decision.requirement.approvals <= 1 && verdict.decision.requirement.groups.length === 0
  );
}

/** One line of JSON on stdout, as every JSON-speaking client expects. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** A response object. */
export function response(stdout: string, stderr: string, exitCode: number): HookResponse {
  return { stdout, stderr, exitCode };
}

/** What the agent asked to do, in two or three words, for the messages. */
function describeAction(request: HookRequest | undefined): string {
  const action = request?.action;
  if (!action) return 'tool call';
  switch (action.kind) {
    case 'shell':
      return 'command';
    case 'sql':
      return 'SQL statement';
    case 'mcp':
      return `call to ${action.server}/${action.tool}`;
    case 'file':
      return `file ${action.operation === 'read' ? 'read' : 'change'} (${action.path})`;
  }
}

/**
 * The reason text written for the agent: Airlock's outcome, the risk class and blast radius, the
 * guidance the core wrote (`decision.guidance`, falling back to the human reasons when empty), and the
 * approval request link when there is one.
 */
export function agentReason(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): string {
  const { decision, assessment } = verdict;
  const what = describeAction(request);
  const blast = assessment.blastRadius.description;
  const risk = blast && blast !== 'no state changes' ? `risk: ${assessment.risk}; ${blast}` : `risk: ${assessment.risk}`;
  const head =
    decision.outcome === 'allow'
      ? `Airlock allowed this ${what} (${risk}).`
      : decision.outcome === 'deny'
        ? `Airlock denied this ${what} (${risk}).`
        : `Airlock is holding this ${what} for human approval (${risk}).`;
  const guidance = decision.guidance.trim() !== '' ? decision.guidance.trim() : decision.reasons.join('; ');
  const url = links?.requestUrl;
  const link = url === undefined || url === '' ? '' : decision.outcome === 'hold' ? ` Approval request: ${url}` : ` Request: ${url}`;
  return [head, guidance].filter((s) => s !== '').join(' ') + link;
}

/** A short line for the human watching the agent (clients that show one). */
export function userSummary(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): string {
  const what = describeAction(request);
  const outcome =
    verdict.decision.outcome === 'allow' ? 'allowed' : verdict.decision.outcome === 'deny' ? 'denied' : 'is holding for approval';
  const url = links?.requestUrl;
  return `Airlock ${outcome} a ${verdict.assessment.risk} ${what}.${url === undefined || url === '' ? '' : ` ${url}`}`;
}

/** The reason given when Airlock could not decide: the call is blocked, never allowed (invariant 1). */
export function failClosedReason(error: string, request?: HookRequest): string {
  const why = error.trim().replace(/\.$/, '');
  return `Airlock blocked this ${describeAction(request)} because no decision could be reached (fail closed): ${why}. Do not retry it in another form; ask the user to check Airlock.`;
}
