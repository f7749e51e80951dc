/**
 * The database guard's contract: what a rehearsal measures, what an execution bound to that
 * measurement reports, and the recovery points taken before a destructive statement runs.
 *
 * A held SQL change is rehearsed on the real target inside a transaction that is always rolled
 * back (DML), or described from the catalog (DDL). The rehearsal is part of the plan, so it is in
 * the digest the humans approve. The approved change then runs in one transaction that takes its
 * recovery points first and rolls back when the rows it touches differ from the approved count or
 * bound: drift means asking again. Pure: adapters (one per engine) implement {@link DatabaseGuard}.
 */

import type { DatabaseConfig } from './config.js';
import { AirlockError } from './errors.js';

/** Engines a database target can name. MariaDB and MySQL share the MySQL dialect. */
export const DATABASE_ENGINES = ['postgresql', 'mariadb', 'mysql'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** A row as JSON-safe values: numbers beyond 2^53, dates and bytes come as strings. */
export type SqlRow = Readonly<Record<string, SqlValue>>;
export type SqlValue = string | number | boolean | null | readonly SqlValue[] | { readonly [key: string]: SqlValue };

/** What execution captures before a statement runs. */
export type RecoveryKind =
  /** The rows the statement deletes or updates, copied as they were (same transaction). */
  | 'rows'
  /** `DROP TABLE` carried out as a move into the recovery schema (a soft drop). */
  | 'soft-drop'
  /** The whole table copied first (`TRUNCATE`). */
  | 'table-copy';

/** A recovery plan for one statement, as the rehearsal states it (so approvers see it). */
export interface RecoveryPlan {
  /** `none`: nothing is captured (a read, an insert, or a change Airlock cannot capture; `note` says which). */
  readonly kind: RecoveryKind | 'none';
  readonly note: string;
}

/** An object a DDL statement would take, described from the catalog. */
export interface CatalogObject {
  readonly kind:
    | 'table'
    | 'view'
    | 'materialized view'
    | 'schema'
    | 'database'
    | 'column'
    | 'index'
    | 'constraint'
    | 'sequence'
    | 'function'
    | 'other';
  /** Qualified name (`public.customers`, `public.customers.email`). */
  readonly name: string;
  /** Rows it holds (exact where counted, else the planner's estimate; see `rowsExact`). */
  readonly rows?: number;
  readonly rowsExact?: boolean;
  /** Bytes on disk, indexes and TOAST included. */
  readonly bytes?: number;
  /** Why it is affected: `dropped`, `emptied`, `taken by CASCADE (view public.v depends on it)` … */
  readonly reason: string;
}

/** The measured (or described) effect of one statement. */
export interface StatementRehearsal {
  /** 0-based position in the text. */
  readonly index: number;
  /** The statement text as it will run (trimmed, without the trailing semicolon). */
  readonly sql: string;
  /** Command tag: `DELETE`, `UPDATE`, `INSERT`, `DROP TABLE`, `TRUNCATE`, `ALTER TABLE`, `SELECT` … */
  readonly command: string;
  /**
   * `rolled-back`: it ran in a transaction that was rolled back; `catalog`: DDL described from the
   * catalog without running it; `not-run`: neither (a read, or a statement a rollback cannot undo; `notes` say why).
   */
  readonly method: 'rolled-back' | 'catalog' | 'not-run';
  /**
   * Rows it affects: measured for DML, counted from the catalog for `DROP TABLE`/`TRUNCATE` (the rows
   * that go), null when unknown. Execution compares what it touches with this number.
   */
  readonly rowsAffected: number | null;
  /** Qualified tables it writes. */
  readonly tables: readonly string[];
  /** A sample of the affected rows before and after (deterministic order; at most the target's `sampleRows`). */
  readonly before: readonly SqlRow[];
  readonly after: readonly SqlRow[];
  /** DDL: what it would take, CASCADE included. */
  readonly objects: readonly CatalogObject[];
  /** What execution will capture before running it. */
  readonly recovery: RecoveryPlan;
  readonly notes: readonly string[];
}

/**
 * The rehearsal of a whole SQL text on one target. Deterministic for an unchanged database (no
 * timings, ordered samples), so the same command finds the same plan digest again.
 */
export interface SqlRehearsal {
  readonly v: 1;
  /** Target name from airlock.yaml `databases`. */
  readonly target: string;
  readonly engine: DatabaseEngine;
  readonly statements: readonly StatementRehearsal[];
}

/** Options for {@link DatabaseGuard.execute}. */
export interface ExecuteOptions {
  /** The change id recovery points are filed under (the request id, or the proposal id when allowed directly). */
  readonly changeId: string;
  /**
   * The approved effect. When given, every statement's affected rows must equal the rehearsed
   * `rowsAffected` (or stay within `maxRows`), or the whole transaction rolls back. Null: no
   * binding (an allowed change); recovery points are still taken.
   */
  readonly expected: SqlRehearsal | null;
  /** An approved bound: total rows affected may not exceed it (instead of the exact counts). */
  readonly maxRows?: number;
  /** Recovery points are kept until now + retention. */
  readonly retentionMs: number;
  readonly now: Date;
}

/** One statement as it ran. */
export interface StatementExecution {
  readonly index: number;
  readonly command: string;
  readonly rowsAffected: number | null;
  /** Result set of a statement that returns rows (SELECT, … RETURNING), capped at `MAX_RESULT_ROWS`. */
  readonly fields?: readonly string[];
  readonly rows?: readonly SqlRow[];
  /** True when more rows came back than were kept. */
  readonly truncated?: boolean;
}

/** Where the observed effect left the approved one. */
export interface Drift {
  readonly index: number;
  readonly sql: string;
  /** Approved rows (or the bound, for `maxRows`). */
  readonly approved: number | null;
  readonly observed: number | null;
  readonly message: string;
}

/** What {@link DatabaseGuard.execute} did. */
export interface SqlExecution {
  /** False: rolled back because of drift (see `drift`); nothing changed. */
  readonly committed: boolean;
  readonly statements: readonly StatementExecution[];
  /** Recovery points taken (none when rolled back). */
  readonly recoveryPoints: readonly RecoveryPoint[];
  readonly drift: readonly Drift[];
}

/** A recovery point, as kept in the target's `airlock_recovery` schema (or database, on MariaDB). */
export interface RecoveryPoint {
  /** `<changeId>/<statement index>`. */
  readonly id: string;
  readonly changeId: string;
  readonly target: string;
  readonly kind: RecoveryKind;
  /** The statement it protects. */
  readonly statement: string;
  readonly command: string;
  /** The table the rows came from, qualified. */
  readonly table: string;
  /** Where they are kept, qualified (`airlock_recovery.rp_…`). */
  readonly storedAs: string;
  readonly rows: number;
  /** Order-independent checksum of the kept rows, compared after a restore. */
  readonly checksum: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly status: 'available' | 'restored' | 'purged';
  readonly restoredAt: string | null;
}

/** One recovery point as restored by {@link DatabaseGuard.undo}. */
export interface Restored {
  readonly point: RecoveryPoint;
  readonly rows: number;
  /** Checksum of the rows as they are now in the table, equal to `point.checksum` when verified. */
  readonly checksum: string;
  readonly verified: boolean;
}

/** The result of an undo: every point of the change restored in one transaction (where the engine allows), newest first. */
export interface UndoResult {
  readonly changeId: string;
  readonly restored: readonly Restored[];
}

/** Result rows kept per statement for the caller to print. */
export const MAX_RESULT_ROWS = 1000;

/**
 * The database guard of one target (an adapter per engine). Errors are `AirlockError`s:
 * `SQL_INVALID` (the text does not parse; the message names where), `SQL_FAILED` (the database
 * refused it; rolled back; the message carries the database's words), `TARGET_UNREACHABLE`,
 * `NOT_FOUND` (no such recovery point), `UNDO_CONFLICT` (the rows were changed since; nothing restored).
 */
export interface DatabaseGuard {
  readonly target: string;
  readonly engine: DatabaseEngine;
  /**
   * Measures the effect of `sql` without changing anything: DML in a transaction that is always
   * rolled back under the target's statement and lock timeouts; DDL from the catalog; reads not run.
   */
  rehearse(sql: string): Promise<SqlRehearsal>;
  /** Runs `sql` in one transaction with recovery points first, bound to `options.expected`. */
  execute(sql: string, options: ExecuteOptions): Promise<SqlExecution>;
  /** Recovery points on this target, newest first (all statuses). */
  recoveryPoints(filter?: { readonly changeId?: string }): Promise<readonly RecoveryPoint[]>;
  /** Restores every available point of a change and verifies the checksums. */
  undo(changeId: string, options: { readonly now: Date }): Promise<UndoResult>;
  /** Drops kept data: expired points, or every point of `changeId` when given. Returns what was purged. */
  purge(options: { readonly now: Date; readonly changeId?: string }): Promise<readonly RecoveryPoint[]>;
  close(): Promise<void>;
}

/** True for a plan's rehearsal that is a SQL rehearsal (plans keep rehearsals as unknown). */
export function isSqlRehearsal(value: unknown): value is SqlRehearsal {
  const v = value as Partial<SqlRehearsal> | null;
  return typeof v === 'object' && v !== null && v.v === 1 && typeof v.target === 'string' && Array.isArray(v.statements);
}

/** Total rows a rehearsal measured (statements with unknown counts are skipped). */
export function rowsAffected(rehearsal: SqlRehearsal): number {
  return rehearsal.statements.reduce((n, s) => n + (s.rowsAffected ?? 0), 0);
}

/**
 * Compares what ran with what was approved: per statement the exact count, or the total against a
 * bound (which applies without a rehearsal too). Empty when they agree. Statements approved with an unknown count are not bound by count.
 */
export function driftBetween(
  expected: SqlRehearsal | null,
  observed: readonly { readonly index: number; readonly rowsAffected: number | null }[],
  maxRows?: number,
): Drift[] {
  const out: Drift[] = [];
  if (maxRows !== undefined) {
    const total = observed.reduce((n, s) => n + (s.rowsAffected ?? 0), 0);
    if (total > maxRows)
      out.push({
        index: -1,
        sql: '',
        approved: maxRows,
        observed: total,
        message: `${total} rows affected, above the approved bound of ${maxRows}`,
      });
    return out;
  }
  if (expected === null) return out;
  for (const s of expected.statements) {
    if (s.rowsAffected === null) continue;
    const o = observed.find((x) => x.index === s.index);
    const got = o?.rowsAffected ?? null;
    if (got !== s.rowsAffected)
      out.push({
        index: s.index,
        sql: s.sql,
        approved: s.rowsAffected,
        observed: got,
        message: `statement ${s.index + 1} (${s.command}) would affect ${got ?? 'an unknown number of'} rows; ${s.rowsAffected} were approved`,
      });
  }
  return out;
}

/** Turns a driver value into a JSON-safe one: bigints and dates as text, bytes as `\x…` hex. */
export function jsonSafe(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) {
    let hex = '\\x';
    for (const b of value) hex += b.toString(16).padStart(2, '0');
    return hex;
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object') {
    const out: Record<string, SqlValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = jsonSafe(v);
    return out;
  }
  return String(value);
}

/** A row from a driver, made JSON-safe. */
export function jsonSafeRow(row: Readonly<Record<string, unknown>>): SqlRow {
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(row)) out[k] = jsonSafe(v);
  return out;
}

/** NOT_FOUND for a target name airlock.yaml does not define, naming the ones it does. */
export function unknownDatabaseTarget(name: string, known: readonly string[]): AirlockError {
  return new AirlockError({
    code: 'NOT_FOUND',
    message: `no database target "${name}" in airlock.yaml (${known.length ? `configured: ${known.join(', ')}` : 'none is configured; add one under "databases", see docs/databases.md'})`,
  });
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const DEFAULT_PORT: Readonly<Record<DatabaseEngine, number>> = { postgresql: 5432, mariadb: 3306, mysql: 3306 };

/** The port a target listens on: the configured one, else the engine's default. */
export function databasePort(config: Pick<DatabaseConfig, 'engine' | 'port'>): number {
  return config.port ?? DEFAULT_PORT[config.engine];
}

/**
 * The configured database target a connection reaches, if any: same engine family, same database
 * name, same port, and the same host (localhost, 127.0.0.1, ::1 and a local socket count as one).
 */
export function configuredDatabase(
  databases: Readonly<Record<string, DatabaseConfig>>,
  connection: { readonly engine?: string; readonly host?: string; readonly port?: number; readonly database?: string },
): { readonly name: string; readonly config: DatabaseConfig } | null {
  if (connection.database === undefined) return null;
  const family = (e: string | undefined): string | undefined => (e === 'mariadb' ? 'mysql' : e);
  const host = (h: string | undefined): string =>
    h === undefined || h === '' || h.startsWith('/') || LOCAL_HOSTS.has(h) ? 'local' : h.toLowerCase();
  for (const [name, config] of Object.entries(databases)) {
    if (connection.engine !== undefined && family(connection.engine) !== family(config.engine)) continue;
    if (config.database !== connection.database) continue;
    if (host(config.host) !== host(connection.host)) continue;
    if ((connection.port ?? DEFAULT_PORT[config.engine]) !== databasePort(config)) continue;
    return { name, config };
  }
  return null;
}
