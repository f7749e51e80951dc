/**
 * What the PostgreSQL and MariaDB guards share: the recovery-point metadata row, statements a
 * rehearsal does not run, result sets, and the errors that name the target.
 */
import {
  type ExecuteOptions,
  jsonSafeRow,
  MAX_RESULT_ROWS,
  type RecoveryKind,
  type RecoveryPoint,
  type Restored,
  type StatementExecution,
  type StatementRehearsal,
} from '../../core/database.js';
import { AirlockError } from '../../core/errors.js';

/** A row of the `recovery_points` metadata table, as either driver returns it. */
export interface PointRow {
  id: string;
  change_id: string;
  target: string;
  statement_index: number;
  kind: RecoveryKind;
  statement: string;
  command: string;
  /** The schema (PostgreSQL) or database (MariaDB) of the table the rows came from. */
  source_schema: string;
  source_name: string;
  stored_as: string;
  after_table: string | null;
  rows: string | number;
  checksum: string;
  created_at: string | Date;
  expires_at: string | Date;
  status: RecoveryPoint['status'];
  restored_at: string | Date | null;
}

const iso = (v: string | Date): string => new Date(v).toISOString();

/** The columns a guard writes when it keeps a recovery point, in the order of {@link newPoint}'s values. */
export const POINT_COLUMNS = [
  'id',
  'change_id',
  'target',
  'statement_index',
  'kind',
  'statement',
  'command',
  'source_schema',
  'source_name',
  'stored_as',
  'after_table',
  'rows',
  'checksum',
  'created_at',
  'expires_at',
] as const;

/** What a guard knows when it keeps a recovery point. */
export interface PointSpec {
  readonly options: Pick<ExecuteOptions, 'changeId' | 'now' | 'retentionMs'>;
  readonly target: string;
  readonly statement: { readonly index: number; readonly sql: string; readonly command: string };
  readonly kind: RecoveryKind;
  /** Which of the statement's tables (0 for the first): `DROP TABLE a, b` keeps two points. */
  readonly part: number;
  /** The schema (or database) and name of the table the rows come from. */
  readonly schema: string;
  readonly name: string;
  /** Where the rows are kept: the recovery schema, the table there, and the after-image table of an UPDATE. */
  readonly recoverySchema: string;
  readonly stored: string;
  readonly after: string | null;
  readonly sum: { readonly rows: number; readonly checksum: string };
}

/** A new recovery point (`<change>/<statement>[.<part>]`) and its metadata row's values, in POINT_COLUMNS order. */
export function newPoint(p: PointSpec): { readonly point: RecoveryPoint; readonly values: readonly unknown[] } {
  const point: RecoveryPoint = {
    id: `${p.options.changeId}/${p.statement.index}${p.part === 0 ? '' : `.${p.part}`}`,
    changeId: p.options.changeId,
    target: p.target,
    kind: p.kind,
    statement: p.statement.sql,
    command: p.statement.command,
    table: `${p.schema}.${p.name}`,
    storedAs: `${p.recoverySchema}.${p.stored}`,
    rows: p.sum.rows,
    checksum: p.sum.checksum,
    createdAt: p.options.now.toISOString(),
    expiresAt: new Date(p.options.now.getTime() + p.options.retentionMs).toISOString(),
    status: 'available',
    restoredAt: null,
  };
  const values = [
    point.id,
    point.changeId,
    point.target,
    p.statement.index,
    point.kind,
    point.statement,
    point.command,
    p.schema,
    p.name,
    p.stored,
    p.after,
    point.rows,
    point.checksum,
    point.createdAt,
    point.expiresAt,
  ];
  return { point, values };
}

/** The recovery point a metadata row describes; `schema` is where its data is kept. */
export function toPoint(r: PointRow, schema: string): RecoveryPoint {
  return {
    id: r.id,
    changeId: r.change_id,
    target: r.target,
    kind: r.kind,
    statement: r.statement,
    command: r.command,
    table: `${r.source_schema}.${r.source_name}`,
    storedAs: `${schema}.${r.stored_as}`,
    rows: Number(r.rows),
    checksum: r.checksum,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    status: r.status,
    restoredAt: r.restored_at === null ? null : iso(r.restored_at),
  };
}

/** Why there is nothing to undo for a change: no point, or every point already restored or purged. */
export function nothingToUndo(changeId: string, target: string, all: readonly RecoveryPoint[]): AirlockError {
  const why =
    all.length === 0
      ? 'it has no recovery point on this target'
      : `its recovery points are ${[...new Set(all.map((p) => p.status))].join(', ')}`;
  return new AirlockError({
    code: 'NOT_FOUND',
    message: `nothing to undo for change ${changeId} on ${target}: ${why} (see \`airlock recovery list\`)`,
  });
}

/** Refuses an undo whose restored rows do not match the kept copy (the transaction is then rolled back). */
export function checkRestored(changeId: string, restored: readonly Restored[], now: Date): Restored[] {
  const bad = restored.filter((r) => !r.verified);
  if (bad.length > 0)
    throw new AirlockError({
      code: 'UNDO_CONFLICT',
      message: `undo of ${changeId} rolled back: the restored rows of ${bad.map((b) => b.point.table).join(', ')} do not match the kept copy (checksum differs)`,
    });
  return restored.map((r) => ({ ...r, point: { ...r.point, status: 'restored' as const, restoredAt: now.toISOString() } }));
}

/** An UNDO_CONFLICT for one point. */
export function undoConflict(point: RecoveryPoint, why: string): AirlockError {
  return new AirlockError({ code: 'UNDO_CONFLICT', message: `cannot undo ${point.id} on ${point.table}: ${why}; nothing was restored` });
}

/** A statement the rehearsal did not run, and why. */
export function notRun(s: { readonly index: number; readonly sql: string; readonly command: string }, note: string): StatementRehearsal {
  return {
    index: s.index,
    sql: s.sql,
    command: s.command,
    method: 'not-run',
    rowsAffected: null,
    tables: [],
    before: [],
    after: [],
    objects: [],
    recovery: { kind: 'none', note: 'nothing to keep' },
    notes: [note],
  };
}

/** A statement's result set, capped at MAX_RESULT_ROWS. */
export function resultSet(
  s: { readonly index: number; readonly command: string },
  fields: readonly string[],
  rows: readonly Record<string, unknown>[],
  rowsAffected: number | null,
): StatementExecution {
  return {
    index: s.index,
    command: s.command,
    rowsAffected,
    fields,
    rows: rows.slice(0, MAX_RESULT_ROWS).map((r) => jsonSafeRow(r)),
    ...(rows.length > MAX_RESULT_ROWS ? { truncated: true } : {}),
  };
}

/** The target could not be reached; never names the password. */
export function unreachable(o: { readonly target: string; readonly host: string; readonly port: number }, message: string): AirlockError {
  return new AirlockError({
    code: 'TARGET_UNREACHABLE',
    message: `database target "${o.target}" (${o.host}:${o.port}) cannot be reached: ${message}`,
  });
}

/** The database refused a statement; everything was rolled back. */
export function sqlFailed(where: string, message: string, kind: 'lock' | 'timeout' | null): AirlockError {
  const hint =
    kind === 'lock'
      ? ' (another session holds a lock on it; Airlock gave up rather than block production; try again later)'
      : kind === 'timeout'
        ? " (it ran past the target's statementTimeout)"
        : '';
  return new AirlockError({ code: 'SQL_FAILED', message: `${where}: ${message}${hint}; nothing was changed` });
}
