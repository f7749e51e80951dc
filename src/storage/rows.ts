/**
 * Rows read back from any database are a trust boundary: they are parsed with Zod here, and a row
 * that does not parse is a STORE_FAILURE naming the operation and the row, never a crash or a
 * half-typed value. Shared by every Store implementation.
 */
import { z } from 'zod';
import { type ApprovalRequest, REQUEST_STATUSES, type Requester } from '../core/approval.js';
import { AirlockError } from '../core/errors.js';
import type { Grant } from '../core/grant.js';
import type { AgentRecord, AuditEntry, AuditEventType, HumanCredential, HumanToken, SessionRecord, Stored } from '../core/ports.js';

/** Every audit event type, as a tuple Zod can check (kept equal to the `AuditEventType` union below). */
export const AUDIT_EVENT_TYPES = [
  'decision',
  'execution',
  'agent.created',
  'agent.revoked',
  'tree-head',
  'config.loaded',
  'request.created',
  'review',
  'request.revoked',
  'request.expired',
  'execution.started',
  'grant.created',
  'grant.revoked',
  'human.credential',
  'recovery.restored',
  'recovery.purged',
  'mcp.refused',
] as const;

// Compile-time check that the tuple and the union in ports.ts list the same types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const auditTypesMatch: Same<(typeof AUDIT_EVENT_TYPES)[number], AuditEventType> = true;
void auditTypesMatch;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character lowercase hex hash');

/** An audit row as stored in SQL: payload is JSON text. */
export const auditRowSchema = z.object({
  seq: z.number().int().positive(),
  ts: z.string().min(1),
  type: z.enum(AUDIT_EVENT_TYPES),
  payload: z.string(),
  prev_hash: hex64,
  hash: hex64,
});

/** An agent row as stored in SQL: roles is a JSON array of strings. */
export const agentRowSchema = z.object({
  id: z.string().min(1),
  roles: z.string(),
  token_hash: z.string().min(1),
  created_at: z.string().min(1),
  revoked_at: z.string().min(1).nullable(),
});

const text = z.string().min(1);
const requestStatus = z.enum(REQUEST_STATUSES);
const version = z.number().int().positive();

/**
 * An approval-request row: `body` is the whole ApprovalRequest as JSON; the other columns are
 * copies of its fields, for queries. `change_seq` is the store's change counter at its last write.
 */
export const requestRowSchema = z.object({
  id: text,
  status: requestStatus,
  agent_id: text,
  plan_digest: text,
  version,
  change_seq: z.number().int().positive(),
  created_at: text,
  expires_at: text,
  body: z.string(),
});

/** A grant row: `body` is the whole Grant as JSON; the other columns are copies of its fields, for queries. */
export const grantRowSchema = z.object({
  id: text,
  status: requestStatus,
  agent_id: text,
  version,
  change_seq: z.number().int().positive(),
  created_at: text,
  until: text,
  body: z.string(),
});

/** A human's password row. */
export const humanCredentialRowSchema = z.object({
  human_id: text,
  password_hash: text,
  updated_at: text,
});

/** A human's personal token row (the token itself is never stored, only its hash). */
export const humanTokenRowSchema = z.object({
  id: text,
  human_id: text,
  token_hash: text,
  created_at: text,
  revoked_at: text.nullable(),
});

/** A web session row (the cookie value is never stored, only its hash). */
export const sessionRowSchema = z.object({
  id_hash: text,
  human_id: text,
  csrf: text,
  created_at: text,
  expires_at: text,
});

/**
 * A schema for a record of type `T` that checks the fields in `shape` and passes every other field
 * through unchanged, typed as `T`: a JSON body is what the store itself wrote, so only the fields
 * the store relies on (keys, version, status, query columns) are checked field by field.
 */
function passThrough<T>() {
  return (shape: { readonly [K in keyof T]?: z.ZodType<T[K]> }): z.ZodType<T> =>
    z.looseObject(shape as z.ZodRawShape) as unknown as z.ZodType<T>;
}

const requesterSchema = passThrough<Requester>()({ kind: z.enum(['agent', 'human']), id: text, authenticated: z.boolean() });

/** The fields of an ApprovalRequest the store relies on; the rest passes through. */
export const requestBodySchema = passThrough<ApprovalRequest>()({
  id: text,
  version,
  status: requestStatus,
  requester: requesterSchema,
  planDigest: text,
  createdAt: text,
  expiresAt: text,
});

/** The fields of a Grant the store relies on; the rest passes through. */
export const grantBodySchema = passThrough<Grant>()({
  id: text,
  version,
  status: requestStatus,
  agentId: text,
  requester: requesterSchema,
  planDigest: text,
  createdAt: text,
  until: text,
});

const humanCredentialSchema = z.object({ humanId: text, passwordHash: text, updatedAt: text });
const humanTokenSchema = z.object({ id: text, humanId: text, tokenHash: text, createdAt: text, revokedAt: text.nullable() });
const sessionSchema = z.object({ idHash: text, humanId: text, csrf: text, createdAt: text, expiresAt: text });

/** Row shape of the audit table. */
export type AuditRow = z.infer<typeof auditRowSchema>;
/** Row shape of the agents table. */
export type AgentRow = z.infer<typeof agentRowSchema>;
/** Row shape of the requests table. */
export type RequestRow = z.infer<typeof requestRowSchema>;
/** Row shape of the grants table. */
export type GrantRow = z.infer<typeof grantRowSchema>;
/** Row shape of the human_credentials table. */
export type HumanCredentialRow = z.infer<typeof humanCredentialRowSchema>;
/** Row shape of the human_tokens table. */
export type HumanTokenRow = z.infer<typeof humanTokenRowSchema>;
/** Row shape of the sessions table. */
export type SessionRow = z.infer<typeof sessionRowSchema>;

/** Parses an audit row. Fails with STORE_FAILURE (`store`: `op`: which row, what is wrong) when it is corrupt. */
export function parseAuditRow(row: unknown, store: string, op: string): AuditEntry {
  const parsed = auditRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `audit row ${describeKey(row, 'seq')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  let payload: unknown;
  try {
    payload = JSON.parse(r.payload) as unknown;
  } catch (err) {
    throw corrupt(store, op, `audit row seq ${r.seq}`, `payload is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return { seq: r.seq, ts: r.ts, type: r.type, payload, prevHash: r.prev_hash, hash: r.hash };
}

/** Parses an agent row. Fails with STORE_FAILURE when it is corrupt. */
export function parseAgentRow(row: unknown, store: string, op: string): AgentRecord {
  const parsed = agentRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `agent row ${describeKey(row, 'id')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  let roles: unknown;
  try {
    roles = JSON.parse(r.roles) as unknown;
  } catch {
    roles = undefined;
  }
  const rolesParsed = z.array(z.string()).safeParse(roles);
  if (!rolesParsed.success) throw corrupt(store, op, `agent row id ${r.id}`, 'roles is not a JSON array of strings');
  return { id: r.id, roles: rolesParsed.data, tokenHash: r.token_hash, createdAt: r.created_at, revokedAt: r.revoked_at };
}

/** Validates an agent before it is written. Fails with BAD_INPUT. */
export function checkAgent(agent: AgentRecord, store: string): void {
  const ok = z
    .object({
      id: z.string().min(1),
      roles: z.array(z.string()),
      tokenHash: z.string().min(1),
      createdAt: z.string().min(1),
      revokedAt: z.string().min(1).nullable(),
    })
    .safeParse(agent);
  if (!ok.success)
    throw new AirlockError({ code: 'BAD_INPUT', message: `${store}: putAgent: invalid agent: ${z.prettifyError(ok.error)}` });
}

/**
 * Parses a request row and its JSON body. Fails with STORE_FAILURE when either is corrupt, or when
 * the body disagrees with the row's columns (id, version, status, agent, plan digest).
 */
export function parseRequestRow(row: unknown, store: string, op: string): Stored<ApprovalRequest> {
  const parsed = requestRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `request row ${describeKey(row, 'id')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  const which = `request row id ${r.id}`;
  const value = parseBody(r.body, requestBodySchema, store, op, which);
  const mismatch = differing([
    ['id', value.id, r.id],
    ['version', value.version, r.version],
    ['status', value.status, r.status],
    ['requester.id', value.requester.id, r.agent_id],
    ['planDigest', value.planDigest, r.plan_digest],
  ]);
  if (mismatch !== null) throw corrupt(store, op, which, mismatch);
  return { value, changeSeq: r.change_seq };
}

/** Parses a grant row and its JSON body. Fails with STORE_FAILURE when either is corrupt or they disagree. */
export function parseGrantRow(row: unknown, store: string, op: string): Stored<Grant> {
  const parsed = grantRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `grant row ${describeKey(row, 'id')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  const which = `grant row id ${r.id}`;
  const value = parseBody(r.body, grantBodySchema, store, op, which);
  const mismatch = differing([
    ['id', value.id, r.id],
    ['version', value.version, r.version],
    ['status', value.status, r.status],
    ['agentId', value.agentId, r.agent_id],
  ]);
  if (mismatch !== null) throw corrupt(store, op, which, mismatch);
  return { value, changeSeq: r.change_seq };
}

/** Parses a human credential row. Fails with STORE_FAILURE when it is corrupt. */
export function parseHumanCredentialRow(row: unknown, store: string, op: string): HumanCredential {
  const parsed = humanCredentialRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `human credential row ${describeKey(row, 'human_id')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  return { humanId: r.human_id, passwordHash: r.password_hash, updatedAt: r.updated_at };
}

/** Parses a human token row. Fails with STORE_FAILURE when it is corrupt. */
export function parseHumanTokenRow(row: unknown, store: string, op: string): HumanToken {
  const parsed = humanTokenRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `human token row ${describeKey(row, 'id')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  return { id: r.id, humanId: r.human_id, tokenHash: r.token_hash, createdAt: r.created_at, revokedAt: r.revoked_at };
}

/** Parses a session row. Fails with STORE_FAILURE when it is corrupt (the key is not echoed: it is a credential's hash). */
export function parseSessionRow(row: unknown, store: string, op: string): SessionRecord {
  const parsed = sessionRowSchema.safeParse(row);
  if (!parsed.success) throw corrupt(store, op, `session row of ${describeKey(row, 'human_id')}`, z.prettifyError(parsed.error));
  const r = parsed.data;
  return { idHash: r.id_hash, humanId: r.human_id, csrf: r.csrf, createdAt: r.created_at, expiresAt: r.expires_at };
}

/** Validates a request before it is written and returns its JSON body. Fails with BAD_INPUT. */
export function requestBody(request: ApprovalRequest, store: string, op: string): string {
  checkInput(requestBodySchema, request, store, op, 'request');
  return toJson(request, store, op, 'request');
}

/** Validates a grant before it is written and returns its JSON body. Fails with BAD_INPUT. */
export function grantBody(grant: Grant, store: string, op: string): string {
  checkInput(grantBodySchema, grant, store, op, 'grant');
  return toJson(grant, store, op, 'grant');
}

/** Validates a human credential before it is written. Fails with BAD_INPUT. */
export function checkHumanCredential(credential: HumanCredential, store: string): void {
  checkInput(humanCredentialSchema, credential, store, 'putHumanCredential', 'credential');
}

/** Validates a human token before it is written. Fails with BAD_INPUT. */
export function checkHumanToken(token: HumanToken, store: string): void {
  checkInput(humanTokenSchema, token, store, 'putHumanToken', 'token');
}

/** Validates a session before it is written. Fails with BAD_INPUT. */
export function checkSession(session: SessionRecord, store: string): void {
  checkInput(sessionSchema, session, store, 'putSession', 'session');
}

/** Wraps a driver error as STORE_FAILURE naming the store and operation; AirlockErrors pass through. */
export function storeFailure(store: string, op: string, err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  return new AirlockError({
    code: 'STORE_FAILURE',
    message: `${store}: ${op} failed: ${err instanceof Error ? err.message : String(err)}`,
    cause: err,
  });
}

function checkInput(schema: z.ZodType, value: unknown, store: string, op: string, what: string): void {
  const ok = schema.safeParse(value);
  if (!ok.success) throw new AirlockError({ code: 'BAD_INPUT', message: `${store}: ${op}: invalid ${what}: ${z.prettifyError(ok.error)}` });
}

function toJson(value: unknown, store: string, op: string, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `${store}: ${op}: the ${what} is not JSON data: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
}

function parseBody<T>(body: string, schema: z.ZodType<T>, store: string, op: string, which: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body) as unknown;
  } catch (err) {
    throw corrupt(store, op, which, `body is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw corrupt(store, op, which, `body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The first field whose body value differs from its column, described; null when all agree. */
function differing(pairs: readonly (readonly [string, unknown, unknown])[]): string | null {
  const bad = pairs.find(([, inBody, inColumn]) => inBody !== inColumn);
  return bad === undefined ? null : `body ${bad[0]} ${JSON.stringify(bad[1])} differs from the column (${JSON.stringify(bad[2])})`;
}

function corrupt(store: string, op: string, which: string, what: string): AirlockError {
  return new AirlockError({ code: 'STORE_FAILURE', message: `${store}: ${op}: ${which} is corrupt: ${what}` });
}

function describeKey(row: unknown, key: string): string {
  const value = typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[key] : undefined;
  return `${key} ${JSON.stringify(value) ?? 'unknown'}`;
}
