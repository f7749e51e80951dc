/**
 * Rows read back from any database are a trust boundary: they are parsed with Zod here, and a row
 * that does not parse is a STORE_FAILURE naming the operation and the row, never a crash or a
 * half-typed value. Shared by every Store implementation.
 */
import { z } from 'zod';
import { AirlockError } from '../core/errors.js';
import type { AgentRecord, AuditEntry, AuditEventType } from '../core/ports.js';

/** Every audit event type, as a tuple Zod can check (kept equal to the `AuditEventType` union below). */
export const AUDIT_EVENT_TYPES = ['decision', 'execution', 'agent.created', 'agent.revoked', 'tree-head', 'config.loaded'] as const;

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

/** Row shape of the audit table. */
export type AuditRow = z.infer<typeof auditRowSchema>;
/** Row shape of the agents table. */
export type AgentRow = z.infer<typeof agentRowSchema>;

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

/** Wraps a driver error as STORE_FAILURE naming the store and operation; AirlockErrors pass through. */
export function storeFailure(store: string, op: string, err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  return new AirlockError({
    code: 'STORE_FAILURE',
    message: `${store}: ${op} failed: ${err instanceof Error ? err.message : String(err)}`,
    cause: err,
  });
}

function corrupt(store: string, op: string, which: string, what: string): AirlockError {
  return new AirlockError({ code: 'STORE_FAILURE', message: `${store}: ${op}: ${which} is corrupt: ${what}` });
}

function describeKey(row: unknown, key: string): string {
  const value = typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[key] : undefined;
  return `${key} ${JSON.stringify(value) ?? 'unknown'}`;
}
