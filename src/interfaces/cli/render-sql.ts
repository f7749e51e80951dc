/**
 * Text for the database guard: a rehearsal as approvers read it, what an execution did (result
 * rows like psql prints them, command tags), drift, and recovery points.
 */
import type { CatalogObject, Drift, RecoveryPoint, SqlExecution, SqlRehearsal, SqlRow, StatementRehearsal } from '../../core/database.js';
import { visible } from './render-verdict.js';

const MAX_CELL = 60;

function cell(value: unknown): string {
  const text = value === null || value === undefined ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value);
  const v = visible(text);
  return v.length > MAX_CELL ? `${v.slice(0, MAX_CELL - 1)}…` : v;
}

/** Rows as an aligned table with a header rule, psql style. */
export function renderTable(fields: readonly string[], rows: readonly SqlRow[], indent = ''): string {
  const cols = fields.length > 0 ? fields : Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(visible(c).length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (vals: readonly string[]): string => `${indent}${vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')}`.trimEnd();
  return [line(cols.map(visible)), `${indent}${widths.map((w) => '-'.repeat(w)).join('-+-')}`, ...cells.map(line)].join('\n');
}

function rowCount(n: number | null): string {
  return n === null ? 'an unknown number of rows' : `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function objectLine(o: CatalogObject): string {
  const facts = [
    o.rows === undefined ? undefined : `${o.rowsExact === false ? '~' : ''}${rowCount(o.rows)}`,
    o.bytes === undefined ? undefined : bytes(o.bytes),
  ].filter((x) => x !== undefined);
  return `${o.kind} ${visible(o.name)}${facts.length ? ` (${facts.join(', ')})` : ''}: ${o.reason}`;
}

const METHOD: Readonly<Record<StatementRehearsal['method'], string>> = {
  'rolled-back': 'ran and rolled back',
  catalog: 'described from the catalog (not run)',
  'not-run': 'not run',
};

/** A rehearsal, statement by statement: rows affected, samples, what DDL would take, the recovery point. */
export function renderRehearsal(r: SqlRehearsal): string {
  const out = [`Rehearsal on ${r.target} (${r.engine}):`];
  for (const s of r.statements) {
    const sql = visible(s.sql.replace(/\s+/g, ' '));
    out.push(`  ${s.index + 1}. ${sql.length > 120 ? `${sql.slice(0, 119)}…` : sql}`);
    const affected = s.method === 'not-run' && s.rowsAffected === null ? '' : `: ${rowCount(s.rowsAffected)}`;
    out.push(`     ${s.command}, ${METHOD[s.method]}${affected}${s.tables.length ? ` in ${s.tables.map(visible).join(', ')}` : ''}`);
    for (const o of s.objects) out.push(`     - ${objectLine(o)}`);
    if (s.before.length > 0) out.push('     before (sample):', renderTable([], s.before, '       '));
    if (s.after.length > 0) out.push('     after (sample):', renderTable([], s.after, '       '));
    out.push(`     recovery point: ${s.recovery.kind === 'none' ? 'none' : s.recovery.kind} (${s.recovery.note})`);
    for (const n of s.notes) out.push(`     note: ${visible(n)}`);
  }
  return `${out.join('\n')}\n`;
}

/** What an execution printed: result tables and command tags, like psql. */
export function renderExecution(e: SqlExecution): string {
  const out: string[] = [];
  for (const s of e.statements) {
    if (s.fields !== undefined && s.rows !== undefined) {
      out.push(renderTable(s.fields, s.rows));
      out.push(`(${rowCount(s.rows.length)}${s.truncated ? ', more not shown' : ''})`);
    } else out.push(`${s.command}${s.rowsAffected === null ? '' : ` ${s.rowsAffected}`}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** Why an execution was rolled back. */
export function renderDrift(drift: readonly Drift[]): string {
  return drift.map((d) => `  - ${d.message}`).join('\n');
}

/** Recovery points as a table. */
export function renderRecoveryPoints(points: readonly RecoveryPoint[]): string {
  if (points.length === 0) return 'no recovery points\n';
  const rows = points.map((p) => ({
    change: p.changeId,
    target: p.target,
    kind: p.kind,
    table: p.table,
    rows: p.rows,
    status: p.status,
    created: p.createdAt,
    expires: p.expiresAt,
  }));
  return `${renderTable(['change', 'target', 'kind', 'table', 'rows', 'status', 'created', 'expires'], rows)}\n`;
}
