/**
 * The PostgreSQL database guard: rehearses SQL on the real target in a transaction that is always
 * rolled back, describes DDL from the catalog, runs approved SQL bound to the rehearsed effect with
 * recovery points first, and restores them (`airlock undo`).
 *
 * Rows a DELETE or UPDATE changes are captured by statement-level AFTER triggers with transition
 * tables, created inside the transaction on each table the statement writes and dropped before it
 * ends: exactly the rows changed, whatever the statement's form (USING, FROM, aliases,
 * subqueries), with no rewriting of the agent's SQL. PostgreSQL 15 has no `RETURNING old.*`.
 */
import pg from 'pg';
import { parseDuration } from '../../core/approval.js';
import {
  type CatalogObject,
  driftBetween,
  type ExecuteOptions,
  jsonSafeRow,
  type DatabaseGuard,
  type RecoveryKind,
  type RecoveryPlan,
  type RecoveryPoint,
  type Restored,
  type SqlExecution,
  type SqlRehearsal,
  type SqlRow,
  type StatementExecution,
  type StatementRehearsal,
  type UndoResult,
} from '../../core/database.js';
import { AirlockError } from '../../core/errors.js';
import {
  checkRestored,
  newPoint,
  nothingToUndo,
  notRun,
  POINT_COLUMNS,
  type PointRow,
  type PointSpec,
  resultSet,
  sqlFailed,
  toPoint,
  undoConflict,
  unreachable,
} from './guard-common.js';
import type { GuardOptions } from './guard-options.js';

type Json = Record<string, unknown>;
type Client = pg.PoolClient;

/** One statement of the text, as parsed. */
interface Statement {
  readonly index: number;
  readonly sql: string;
  readonly node: string;
  readonly body: Json;
  readonly command: string;
}

/** A table resolved in the catalog. */
interface Relation {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  readonly kind: string;
  readonly qualified: string;
}

const DML = new Set(['DeleteStmt', 'UpdateStmt', 'InsertStmt', 'MergeStmt']);
const READS = new Set(['SelectStmt', 'ExplainStmt', 'VariableShowStmt']);

/** Quotes an identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

let parser: Promise<{ parseSync(sql: string): unknown }> | null = null;
function loadParser(): Promise<{ parseSync(sql: string): unknown }> {
  parser ??= (async () => {
    const mod = await import('libpg-query');
    await mod.loadModule();
    return mod;
  })();
  return parser;
}

const COMMANDS: Readonly<Record<string, string>> = {
  DeleteStmt: 'DELETE',
  UpdateStmt: 'UPDATE',
  InsertStmt: 'INSERT',
  MergeStmt: 'MERGE',
  SelectStmt: 'SELECT',
  TruncateStmt: 'TRUNCATE',
  AlterTableStmt: 'ALTER TABLE',
  DropdbStmt: 'DROP DATABASE',
  CreateStmt: 'CREATE TABLE',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  RenameStmt: 'ALTER … RENAME',
  GrantStmt: 'GRANT',
  CopyStmt: 'COPY',
  ExplainStmt: 'EXPLAIN',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateSchemaStmt: 'CREATE SCHEMA',
};

function commandOf(node: string, body: Json): string {
  if (node === 'DropStmt') {
    const type = String(body.removeType ?? 'OBJECT')
      .replace(/^OBJECT_/, '')
      .replace(/_/g, ' ');
    return `DROP ${type}`;
  }
  return COMMANDS[node] ?? node.replace(/Stmt$/, '').toUpperCase();
}

/** Splits and parses the text; SQL_INVALID with line and column when it does not parse. */
async function parseText(text: string): Promise<Statement[]> {
  const api = await loadParser();
  let tree: { stmts?: { stmt: Json; stmt_location?: number | null; stmt_len?: number | null }[] };
  try {
    tree = api.parseSync(text) as typeof tree;
  } catch (err) {
    const e = err as { message?: string; cursorPosition?: number; sqlDetails?: { cursorPosition?: number } };
    const pos = e.cursorPosition ?? e.sqlDetails?.cursorPosition;
    const at = pos === undefined ? '' : ` at ${lineColumn(text, pos)}`;
    throw new AirlockError({ code: 'SQL_INVALID', message: `the SQL does not parse (PostgreSQL): ${e.message ?? String(err)}${at}` });
  }
  const bytes = Buffer.from(text, 'utf8');
  const out: Statement[] = [];
  for (const s of tree.stmts ?? []) {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    const sql = bytes.subarray(start, end).toString('utf8').trim().replace(/;\s*$/, '');
    const node = Object.keys(s.stmt)[0] ?? 'Unknown';
    const body = (s.stmt[node] ?? {}) as Json;
    if (node === 'TransactionStmt')
      throw new AirlockError({
        code: 'SQL_INVALID',
        message: `statement ${out.length + 1} (${sql}) controls the transaction: Airlock runs the statements in one transaction of its own; remove BEGIN/COMMIT/ROLLBACK/SAVEPOINT`,
      });
    out.push({ index: out.length, sql, node, body, command: commandOf(node, body) });
  }
  return out;
}

function lineColumn(text: string, bytePos: number): string {
  const before = Buffer.from(text, 'utf8')
    .subarray(0, Math.max(0, bytePos - 1))
    .toString('utf8');
  const lines = before.split('\n');
  return `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1}`;
}

function rangeVarName(rv: unknown): string | null {
  const r = rv as { schemaname?: string; relname?: string } | undefined;
  if (r?.relname === undefined) return null;
  return r.schemaname === undefined ? ident(r.relname) : qualified(r.schemaname, r.relname);
}

/** Tables a DML statement writes: its target, and those of data-modifying CTEs. */
function writtenTables(s: Statement): string[] {
  const out: string[] = [];
  const visit = (node: string, body: Json): void => {
    if (DML.has(node)) {
      const name = rangeVarName(body.relation);
      if (name !== null) out.push(name);
    }
    const ctes = ((body.withClause as Json | undefined)?.ctes ?? []) as Json[];
    for (const cte of ctes) {
      const q = ((cte.CommonTableExpr as Json | undefined)?.ctequery ?? {}) as Json;
      const n = Object.keys(q)[0];
      if (n !== undefined) visit(n, q[n] as Json);
    }
  };
  visit(s.node, s.body);
  return [...new Set(out)];
}

/** Names in a DropStmt's `objects` (lists of String nodes). */
function dropNames(body: Json): string[] {
  const out: string[] = [];
  for (const o of (body.objects ?? []) as Json[]) {
    const items = ((o.List as Json | undefined)?.items ?? []) as Json[];
    const parts = items.map((i) => String((i.String as Json | undefined)?.sval ?? ''));
    if (parts.length > 0) out.push(parts.map(ident).join('.'));
    else if (o.String !== undefined) out.push(ident(String((o.String as Json).sval)));
  }
  return out;
}

/** Turns a driver error into the one error table; the message never carries the password. */
function dbError(err: unknown, o: { target: string; host: string; port: number }, where: string): AirlockError {
  if (err instanceof AirlockError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000'].includes(e.code ?? ''))
    return unreachable(o, message);
  return sqlFailed(where, message, e.code === '55P03' ? 'lock' : e.code === '57014' ? 'timeout' : null);
}

const CAPTURE_FUNCTION = 'airlock_capture';

/** The PostgreSQL guard of one target. */
export class PostgresGuard implements DatabaseGuard {
  readonly target: string;
  readonly engine = 'postgresql' as const;
  readonly #o: GuardOptions;
  readonly #schema: string;
  readonly #statementMs: number;
  readonly #lockMs: number;
  #pool: pg.Pool | null = null;

  constructor(options: GuardOptions) {
    this.target = options.name;
    this.#o = options;
    this.#schema = options.recoverySchema ?? 'airlock_recovery';
    this.#statementMs = parseDuration(options.config.statementTimeout) ?? 10_000;
    this.#lockMs = parseDuration(options.config.lockTimeout) ?? 2_000;
  }

  get #where(): { target: string; host: string; port: number } {
    return { target: this.target, host: this.#o.config.host, port: this.#o.config.port ?? 5432 };
  }

  async #client(): Promise<Client> {
    const c = this.#o.config;
    if (this.#pool === null) {
      this.#pool = new pg.Pool({
        host: c.host,
        port: c.port ?? 5432,
        database: c.database,
        ...(c.user === undefined ? {} : { user: c.user }),
        ...(this.#o.password === undefined ? {} : { password: this.#o.password }),
        max: 4,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: 10_000,
        application_name: 'airlock',
      });
      // An idle connection dropped by the server is not an error of any operation.
      this.#pool.on('error', () => undefined);
    }
    try {
      return await this.#pool.connect();
    } catch (err) {
      throw dbError(err, this.#where, 'connecting');
    }
  }

  /** Runs `fn` in a transaction that is always rolled back. */
  async #rolledBack<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await this.#client();
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL statement_timeout = ${this.#statementMs}`);
      await c.query(`SET LOCAL lock_timeout = ${this.#lockMs}`);
      return await fn(c);
    } finally {
      await c.query('ROLLBACK').catch(() => undefined);
      c.release();
    }
  }

  async #relation(c: Client, name: string): Promise<Relation | null> {
    const r = await c.query<{ oid: number; schema: string; name: string; kind: string }>(
      `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [name],
    );
    const row = r.rows[0];
    return row === undefined ? null : { ...row, qualified: qualified(row.schema, row.name) };
  }

  async #count(c: Client, rel: Relation): Promise<{ rows: number; exact: boolean }> {
    await c.query('SAVEPOINT airlock_count');
    try {
      const r = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${rel.qualified}`);
      await c.query('RELEASE SAVEPOINT airlock_count');
      return { rows: Number(r.rows[0]?.n ?? 0), exact: true };
    } catch {
      await c.query('ROLLBACK TO SAVEPOINT airlock_count');
      const r = await c.query<{ n: number }>('SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = $1', [rel.oid]);
      return { rows: Math.round(r.rows[0]?.n ?? 0), exact: false };
    }
  }

  async #bytes(c: Client, rel: Relation): Promise<number> {
    const r = await c.query<{ b: string }>('SELECT pg_total_relation_size($1)::text AS b', [rel.oid]);
    return Number(r.rows[0]?.b ?? 0);
  }

  /** Views and foreign keys of other tables that depend on `rel`. */
  async #dependents(c: Client, rel: Relation): Promise<{ kind: CatalogObject['kind']; name: string; how: string }[]> {
    const views = await c.query<{ name: string; kind: string }>(
      `SELECT DISTINCT v.oid::regclass::text AS name, v.relkind::text AS kind
         FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
        WHERE d.refobjid = $1 AND v.oid <> $1 ORDER BY 1`,
      [rel.oid],
    );
    const fks = await c.query<{ name: string; con: string }>(
      `SELECT conrelid::regclass::text AS name, conname AS con FROM pg_constraint
        WHERE contype = 'f' AND confrelid = $1 AND conrelid <> $1 ORDER BY 1, 2`,
      [rel.oid],
    );
    return [
      ...views.rows.map((v) => ({
        kind: (v.kind === 'm' ? 'materialized view' : 'view') as CatalogObject['kind'],
        name: v.name,
        how: `depends on ${rel.qualified}`,
      })),
      ...fks.rows.map((f) => ({
        kind: 'constraint' as const,
        name: `${f.name}.${f.con}`,
        how: `foreign key of ${f.name} referencing ${rel.qualified}`,
      })),
    ];
  }

  async #primaryKey(c: Client, rel: Relation): Promise<string[]> {
    const r = await c.query<{ col: string }>(
      `SELECT a.attname AS col FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) ON true
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
      [rel.oid],
    );
    return r.rows.map((x) => x.col);
  }

  /** Columns that can be written back (not generated, not dropped), in table order. */
  async #writableColumns(c: Client, rel: Relation): Promise<string[]> {
    const r = await c.query<{ col: string }>(
      `SELECT attname AS col FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [rel.oid],
    );
    return r.rows.map((x) => x.col);
  }

  /** Order-independent checksum of a relation's rows (optionally filtered): count and md5 of the sorted row md5s. */
  async #checksum(c: Client, from: string, where = ''): Promise<{ rows: number; checksum: string }> {
    const r = await c.query<{ n: string; sum: string }>(
      `SELECT count(*)::text AS n, md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS sum
         FROM (SELECT md5(x::text) AS h FROM ${from} x ${where}) s`,
    );
    return { rows: Number(r.rows[0]?.n ?? 0), checksum: String(r.rows[0]?.sum) };
  }

  /**
   * Statement-level capture triggers on `rel` for statement `index`, writing its transition rows
   * into the given tables. They fire only while the session setting `airlock.capture` names that
   * statement, so a rehearsal never drops them (DROP TRIGGER takes an ACCESS EXCLUSIVE lock, which
   * would block readers): the rollback removes them. Execution drops them once, just before COMMIT.
   */
  async #captureTriggers(
    c: Client,
    rel: Relation,
    fn: string,
    index: number,
    oldTable: string,
    newTable: string | null,
  ): Promise<string[]> {
    const d = `airlock_capture_d_${index}`;
    const u = `airlock_capture_u_${index}`;
    await c.query(
      `CREATE TRIGGER ${ident(d)} AFTER DELETE ON ${rel.qualified} REFERENCING OLD TABLE AS airlock_old
         FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${literal(oldTable)}, '', '${index}')`,
    );
    await c.query(
      `CREATE TRIGGER ${ident(u)} AFTER UPDATE ON ${rel.qualified} REFERENCING OLD TABLE AS airlock_old NEW TABLE AS airlock_new
         FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${literal(oldTable)}, ${literal(newTable ?? '')}, '${index}')`,
    );
    return [`DROP TRIGGER IF EXISTS ${ident(d)} ON ${rel.qualified}`, `DROP TRIGGER IF EXISTS ${ident(u)} ON ${rel.qualified}`];
  }

  /** Runs one statement with the capture triggers of statement `index` armed. */
  async #captured(c: Client, index: number, sql: string): Promise<pg.QueryResult> {
    await c.query("SELECT set_config('airlock.capture', $1, true)", [String(index)]);
    try {
      return await c.query(sql);
    } finally {
      await c.query("SELECT set_config('airlock.capture', '', true)").catch(() => undefined);
    }
  }

  async #createCaptureFunction(c: Client, schema: string): Promise<string> {
    const fn = qualified(schema, CAPTURE_FUNCTION);
    await c.query(
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $airlock$
       BEGIN
         IF current_setting('airlock.capture', true) IS DISTINCT FROM TG_ARGV[2] THEN RETURN NULL; END IF;
         IF TG_ARGV[0] <> '' THEN EXECUTE format('INSERT INTO %s SELECT * FROM airlock_old', TG_ARGV[0]); END IF;
         IF TG_OP = 'UPDATE' AND TG_ARGV[1] <> '' THEN EXECUTE format('INSERT INTO %s SELECT * FROM airlock_new', TG_ARGV[1]); END IF;
         RETURN NULL;
       END $airlock$`,
    );
    return fn;
  }

  async #sample(c: Client, table: string): Promise<SqlRow[]> {
    const n = this.#o.config.sampleRows;
    if (n === 0) return [];
    const r = await c.query(`SELECT * FROM ${table} x ORDER BY x::text LIMIT ${n}`);
    return r.rows.map((row: Json) => jsonSafeRow(row));
  }

  async rehearse(sql: string): Promise<SqlRehearsal> {
    const statements = await parseText(sql);
    try {
      return await this.#rolledBack(async (c) => {
        const out: StatementRehearsal[] = [];
        let skipped = false;
        let fn: string | null = null;
        for (const s of statements) {
          if (DML.has(s.node)) {
            await c.query('SAVEPOINT airlock_stmt');
            try {
              fn ??= await this.#createCaptureFunction(c, 'pg_temp');
              out.push(await this.#rehearseDml(c, s, fn));
              await c.query('RELEASE SAVEPOINT airlock_stmt');
            } catch (err) {
              await c.query('ROLLBACK TO SAVEPOINT airlock_stmt');
              if (!skipped) throw dbError(err, this.#where, `statement ${s.index + 1} (${s.command}) failed in the rehearsal`);
              out.push(
                notRun(s, `not rehearsed: it failed after an earlier statement that the rehearsal did not run (${(err as Error).message})`),
              );
            }
          } else if (READS.has(s.node)) out.push(notRun(s, 'a read: not run'));
          else {
            const described = await this.#describe(c, s);
            if (described.method !== 'catalog' || described.objects.length > 0 || s.node === 'DropStmt') skipped = true;
            out.push(described);
          }
        }
        return { v: 1 as const, target: this.target, engine: this.engine, statements: out };
      });
    } catch (err) {
      throw dbError(err, this.#where, 'the rehearsal failed');
    }
  }

  async #rehearseDml(c: Client, s: Statement, fn: string): Promise<StatementRehearsal> {
    const tables: Relation[] = [];
    for (const name of writtenTables(s)) {
      const rel = await this.#relation(c, name);
      if (rel !== null) tables.push(rel);
    }
    const capturing = s.node === 'DeleteStmt' || s.node === 'UpdateStmt' || s.node === 'MergeStmt';
    const captures: { rel: Relation; old: string; new: string }[] = [];
    if (capturing) {
      for (const [k, rel] of tables.entries()) {
        if (rel.kind !== 'r' && rel.kind !== 'p') continue;
        const old = `pg_temp.airlock_old_${s.index}_${k}`;
        const neu = `pg_temp.airlock_new_${s.index}_${k}`;
        await c.query(`CREATE TEMP TABLE airlock_old_${s.index}_${k} (LIKE ${rel.qualified})`);
        await c.query(`CREATE TEMP TABLE airlock_new_${s.index}_${k} (LIKE ${rel.qualified})`);
        await this.#captureTriggers(c, rel, fn, s.index, old, neu);
        captures.push({ rel, old, new: neu });
      }
    }
    const r = await this.#captured(c, s.index, s.sql);
    const before: SqlRow[] = [];
    const after: SqlRow[] = [];
    for (const cap of captures) {
      before.push(...(await this.#sample(c, cap.old)));
      if (s.node !== 'DeleteStmt') after.push(...(await this.#sample(c, cap.new)));
    }
    return {
      index: s.index,
      sql: s.sql,
      command: s.command,
      method: 'rolled-back',
      rowsAffected: r.rowCount ?? null,
      tables: tables.map((t) => `${t.schema}.${t.name}`),
      before: before.slice(0, this.#o.config.sampleRows),
      after: after.slice(0, this.#o.config.sampleRows),
      objects: [],
      recovery: await this.#dmlRecovery(c, s, tables),
      notes: s.node === 'InsertStmt' ? ['an insert: the rows it adds are counted, not sampled'] : [],
    };
  }

  async #dmlRecovery(c: Client, s: Statement, tables: readonly Relation[]): Promise<RecoveryPlan> {
    if (s.node === 'InsertStmt') return { kind: 'none', note: 'an insert: undo would delete the inserted rows; not captured' };
    if (tables.length === 0) return { kind: 'none', note: 'no table found that it writes' };
    for (const t of tables) {
      if (t.kind !== 'r' && t.kind !== 'p') return { kind: 'none', note: `${t.qualified} is not a table (relkind ${t.kind})` };
      if (s.node !== 'DeleteStmt' && (await this.#primaryKey(c, t)).length === 0)
        return { kind: 'none', note: `${t.qualified} has no primary key, so changed rows could not be put back` };
    }
    return {
      kind: 'rows',
      note: `the ${s.node === 'DeleteStmt' ? 'deleted' : 'changed'} rows are copied into ${this.#schema} in the same transaction`,
    };
  }

  /** DDL and other statements: described from the catalog, not run. */
  async #describe(c: Client, s: Statement): Promise<StatementRehearsal> {
    const base = { index: s.index, sql: s.sql, command: s.command, before: [], after: [] } as const;
    const objects: CatalogObject[] = [];
    const notes: string[] = [];
    let rows: number | null = null;
    let recovery: RecoveryPlan = { kind: 'none', note: 'Airlock cannot keep what this statement changes' };
    const tables: string[] = [];
    if (s.node === 'DropStmt' && s.body.removeType === 'OBJECT_TABLE') {
      const cascade = s.body.behavior === 'DROP_CASCADE';
      let soft = true;
      rows = 0;
      for (const name of dropNames(s.body)) {
        const rel = await this.#relation(c, name);
        if (rel === null) {
          notes.push(`${name} does not exist${s.body.missing_ok === true ? ' (IF EXISTS: nothing happens)' : ': PostgreSQL will refuse'}`);
          continue;
        }
        const { rows: n, exact } = await this.#count(c, rel);
        rows += n;
        tables.push(`${rel.schema}.${rel.name}`);
        objects.push({
          kind: 'table',
          name: `${rel.schema}.${rel.name}`,
          rows: n,
          rowsExact: exact,
          bytes: await this.#bytes(c, rel),
          reason: 'dropped',
        });
        const deps = await this.#dependents(c, rel);
        if (deps.length > 0) soft = false;
        for (const d of deps)
          objects.push({
            kind: d.kind,
            name: d.name,
            reason: cascade ? `taken by CASCADE (${d.how})` : `${d.how}: PostgreSQL will refuse the DROP without CASCADE`,
          });
      }
      recovery = soft
        ? {
            kind: 'soft-drop',
            note: `the table is moved into ${this.#schema} instead of dropped (a soft drop), kept for the retention period`,
          }
        : { kind: 'none', note: 'other objects depend on the table, so it cannot be moved aside faithfully; the real DROP runs' };
    } else if (s.node === 'TruncateStmt') {
      rows = 0;
      for (const rel of await this.#truncated(c, s)) {
        const { rows: n, exact } = await this.#count(c, rel.rel);
        rows += n;
        tables.push(`${rel.rel.schema}.${rel.rel.name}`);
        objects.push({
          kind: 'table',
          name: `${rel.rel.schema}.${rel.rel.name}`,
          rows: n,
          rowsExact: exact,
          bytes: await this.#bytes(c, rel.rel),
          reason: rel.reason,
        });
      }
      recovery = { kind: 'table-copy', note: `the tables are copied into ${this.#schema} first, in the same transaction` };
      if (s.body.restart_seqs === true) notes.push('RESTART IDENTITY resets sequences; undo restores the rows, not the sequence values');
    } else if (s.node === 'AlterTableStmt') {
      const name = rangeVarName(s.body.relation);
      const rel = name === null ? null : await this.#relation(c, name);
      for (const cmd of (s.body.cmds ?? []) as Json[]) {
        const a = (cmd.AlterTableCmd ?? {}) as Json;
        if (rel === null) break;
        if (a.subtype === 'AT_DropColumn') {
          const { rows: n, exact } = await this.#count(c, rel);
          objects.push({
            kind: 'column',
            name: `${rel.schema}.${rel.name}.${String(a.name)}`,
            rows: n,
            rowsExact: exact,
            reason: `dropped: its value in ${n} rows is lost`,
          });
          tables.push(`${rel.schema}.${rel.name}`);
        } else if (a.subtype === 'AT_AlterColumnType') {
          objects.push({
            kind: 'column',
            name: `${rel.schema}.${rel.name}.${String(a.name)}`,
            reason: 'its type changes: values may be cut or rounded (lossy)',
          });
          tables.push(`${rel.schema}.${rel.name}`);
        }
      }
      recovery = { kind: 'none', note: 'a change to the table itself: Airlock keeps no copy of it' };
    } else if (s.node === 'DropStmt' && s.body.removeType === 'OBJECT_SCHEMA') {
      for (const name of dropNames(s.body)) {
        const r = await c.query<{ n: string; rows: string; bytes: string }>(
          `SELECT count(*)::text AS n, coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint::text AS rows, coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE quote_ident(n.nspname) = $1 AND c.relkind IN ('r', 'p')`,
          [name],
        );
        const x = r.rows[0];
        objects.push({
          kind: 'schema',
          name,
          rows: Number(x?.rows ?? 0),
          rowsExact: false,
          bytes: Number(x?.bytes ?? 0),
          reason: `dropped with its ${x?.n ?? 0} table(s)`,
        });
      }
    } else if (s.node === 'DropdbStmt') {
      const name = String(s.body.dbname ?? '');
      const r = await c.query<{ b: string | null }>('SELECT pg_database_size(oid)::text AS b FROM pg_database WHERE datname = $1', [name]);
      objects.push({
        kind: 'database',
        name,
        ...(r.rows[0]?.b ? { bytes: Number(r.rows[0].b) } : {}),
        reason: 'dropped with everything in it',
      });
    } else if (s.node === 'DropStmt') {
      for (const name of dropNames(s.body)) objects.push({ kind: 'other', name, reason: `dropped (${s.command})` });
    } else {
      return {
        ...base,
        method: 'not-run',
        rowsAffected: null,
        tables: [],
        objects: [],
        recovery: { kind: 'none', note: 'not a statement Airlock keeps a copy for' },
        notes: [`not rehearsed: ${s.command} is not DML`],
      };
    }
    return { ...base, method: 'catalog', rowsAffected: rows, tables, objects, recovery, notes };
  }

  /** The tables a TRUNCATE empties, CASCADE included. */
  async #truncated(c: Client, s: Statement): Promise<{ rel: Relation; reason: string }[]> {
    const out: { rel: Relation; reason: string }[] = [];
    for (const rv of (s.body.relations ?? []) as Json[]) {
      const name = rangeVarName(rv.RangeVar);
      const rel = name === null ? null : await this.#relation(c, name);
      if (rel !== null && !out.some((o) => o.rel.oid === rel.oid)) out.push({ rel, reason: 'emptied' });
    }
    if (s.body.behavior === 'DROP_CASCADE') {
      for (let i = 0; i < out.length; i++) {
        const r = await c.query<{ name: string }>(
          `SELECT DISTINCT conrelid::regclass::text AS name FROM pg_constraint WHERE contype = 'f' AND confrelid = $1 AND conrelid <> $1`,
          [out[i]?.rel.oid],
        );
        for (const row of r.rows) {
          const rel = await this.#relation(c, row.name);
          if (rel !== null && !out.some((o) => o.rel.oid === rel.oid))
            out.push({ rel, reason: `emptied by CASCADE (it references ${out[i]?.rel.qualified})` });
        }
      }
    }
    return out;
  }

  async #ensureRecoverySchema(): Promise<void> {
    const c = await this.#client();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock(hashtext(${literal(`airlock:${this.#schema}`)}))`);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.#schema)}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${qualified(this.#schema, 'recovery_points')} (
           id text PRIMARY KEY, change_id text NOT NULL, target text NOT NULL, statement_index int NOT NULL,
           kind text NOT NULL, statement text NOT NULL, command text NOT NULL, source_schema text NOT NULL,
           source_name text NOT NULL, stored_as text NOT NULL, after_table text, rows bigint NOT NULL,
           checksum text NOT NULL, created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL,
           status text NOT NULL DEFAULT 'available', restored_at timestamptz)`,
      );
      await this.#createCaptureFunction(c, this.#schema);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw dbError(err, this.#where, `creating the recovery schema ${this.#schema}`);
    } finally {
      c.release();
    }
  }

  async execute(sql: string, options: ExecuteOptions): Promise<SqlExecution> {
    const statements = await parseText(sql);
    // Only a change that may keep recovery points needs the recovery schema (a read-only user can still read).
    if (
      statements.some(
        (s) =>
          ['DeleteStmt', 'UpdateStmt', 'MergeStmt', 'TruncateStmt'].includes(s.node) ||
          (s.node === 'DropStmt' && s.body.removeType === 'OBJECT_TABLE'),
      )
    )
      await this.#ensureRecoverySchema();
    const c = await this.#client();
    const points: RecoveryPoint[] = [];
    const done: StatementExecution[] = [];
    /** The capture triggers to drop before COMMIT (once, at the end: DROP TRIGGER locks the table exclusively). */
    const drops: string[] = [];
    const fn = qualified(this.#schema, CAPTURE_FUNCTION);
    // The recovery schema exists when a statement may need it (ensured above).
    const prefix = `rp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const expected = options.expected;
    const planOf = (i: number): StatementRehearsal | undefined => expected?.statements.find((x) => x.index === i);
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL statement_timeout = ${this.#statementMs}`);
      await c.query(`SET LOCAL lock_timeout = ${this.#lockMs}`);
      for (const s of statements) {
        /** Records a recovery point of this statement in the same transaction. */
        const keep = async (
          kind: RecoveryKind,
          rel: Relation,
          part: number,
          stored: string,
          after: string | null,
          sum: { rows: number; checksum: string },
        ) =>
          points.push(
            await this.#keep(c, {
              options,
              target: this.target,
              statement: s,
              kind,
              part,
              schema: rel.schema,
              name: rel.name,
              recoverySchema: this.#schema,
              stored,
              after,
              sum,
            }),
          );
        try {
          const planned = planOf(s.index)?.recovery.kind;
          if ((s.node === 'DeleteStmt' || s.node === 'UpdateStmt' || s.node === 'MergeStmt') && planned !== 'none') {
            const rels: Relation[] = [];
            for (const name of writtenTables(s)) {
              const rel = await this.#relation(c, name);
              if (rel !== null && (rel.kind === 'r' || rel.kind === 'p')) rels.push(rel);
            }
            const capturing = (await this.#dmlRecovery(c, s, rels)).kind === 'rows';
            const caps: { rel: Relation; old: string; neu: string | null }[] = [];
            if (capturing)
              for (const [k, rel] of rels.entries()) {
                const old = `${prefix}_${s.index}_${k}`;
                const neu = s.node === 'DeleteStmt' ? null : `${old}_after`;
                await c.query(`CREATE TABLE ${qualified(this.#schema, old)} (LIKE ${rel.qualified})`);
                if (neu !== null) await c.query(`CREATE TABLE ${qualified(this.#schema, neu)} (LIKE ${rel.qualified})`);
                drops.push(
                  ...(await this.#captureTriggers(
                    c,
                    rel,
                    fn,
                    s.index,
                    qualified(this.#schema, old),
                    neu === null ? null : qualified(this.#schema, neu),
                  )),
                );
                caps.push({ rel, old, neu });
              }
            const r = await this.#captured(c, s.index, s.sql);
            done.push(resultOf(s, r));
            for (const [k, cap] of caps.entries()) {
              const sum = await this.#checksum(c, qualified(this.#schema, cap.old));
              if (sum.rows === 0) {
                await c.query(`DROP TABLE ${qualified(this.#schema, cap.old)}`);
                if (cap.neu !== null) await c.query(`DROP TABLE ${qualified(this.#schema, cap.neu)}`);
                continue;
              }
              await keep('rows', cap.rel, k, cap.old, cap.neu, sum);
            }
          } else if (
            s.node === 'DropStmt' &&
            s.body.removeType === 'OBJECT_TABLE' &&
            planned !== 'none' &&
            (await this.#softDroppable(c, s))
          ) {
            let total = 0;
            for (const [k, name] of dropNames(s.body).entries()) {
              const rel = await this.#relation(c, name);
              if (rel === null) continue;
              const sum = await this.#checksum(c, rel.qualified);
              total += sum.rows;
              const stored = `${prefix}_${s.index}_${k}`;
              await c.query(`ALTER TABLE ${rel.qualified} RENAME TO ${ident(stored)}`);
              await c.query(`ALTER TABLE ${qualified(rel.schema, stored)} SET SCHEMA ${ident(this.#schema)}`);
              await keep('soft-drop', rel, k, stored, null, sum);
            }
            done.push({ index: s.index, command: s.command, rowsAffected: total });
          } else if (s.node === 'TruncateStmt' && planned !== 'none') {
            let total = 0;
            for (const [k, { rel }] of (await this.#truncated(c, s)).entries()) {
              const stored = `${prefix}_${s.index}_${k}`;
              await c.query(`CREATE TABLE ${qualified(this.#schema, stored)} (LIKE ${rel.qualified})`);
              await c.query(`INSERT INTO ${qualified(this.#schema, stored)} SELECT * FROM ${rel.qualified}`);
              const sum = await this.#checksum(c, qualified(this.#schema, stored));
              total += sum.rows;
              await keep('table-copy', rel, k, stored, null, sum);
            }
            await c.query(s.sql);
            done.push({ index: s.index, command: s.command, rowsAffected: total });
          } else if (s.node === 'DropStmt' && s.body.removeType === 'OBJECT_TABLE') {
            let total = 0;
            for (const name of dropNames(s.body)) {
              const rel = await this.#relation(c, name);
              if (rel !== null) total += (await this.#checksum(c, rel.qualified)).rows;
            }
            await c.query(s.sql);
            done.push({ index: s.index, command: s.command, rowsAffected: total });
          } else {
            done.push(resultOf(s, await c.query(s.sql)));
          }
        } catch (err) {
          throw dbError(err, this.#where, `statement ${s.index + 1} (${s.command}) failed`);
        }
      }
      const drift = driftBetween(expected, done, options.maxRows);
      if (drift.length > 0) {
        await c.query('ROLLBACK');
        return { committed: false, statements: done, recoveryPoints: [], drift };
      }
      for (const drop of drops) await c.query(drop);
      await c.query('COMMIT');
      return { committed: true, statements: done, recoveryPoints: points, drift: [] };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw dbError(err, this.#where, 'the execution failed');
    } finally {
      // The agent's SQL ran on this connection: a SET it made (search_path, role …) must not reach
      // the next rehearsal or execution, so the connection is closed rather than pooled.
      c.release(true);
    }
  }

  async #softDroppable(c: Client, s: Statement): Promise<boolean> {
    for (const name of dropNames(s.body)) {
      const rel = await this.#relation(c, name);
      if (rel !== null && (rel.kind !== 'r' || (await this.#dependents(c, rel)).length > 0)) return false;
    }
    return true;
  }

  /** Writes a recovery point's metadata row (same transaction as the change) and returns the point. */
  async #keep(c: Client, spec: PointSpec): Promise<RecoveryPoint> {
    const { point, values } = newPoint(spec);
    await c.query(
      `INSERT INTO ${qualified(this.#schema, 'recovery_points')} (${POINT_COLUMNS.map(ident).join(', ')})
       VALUES (${POINT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      [...values],
    );
    return point;
  }

  async #points(c: Client, where: string, params: unknown[]): Promise<(RecoveryPoint & { readonly row: PointRow })[]> {
    const exists = await c.query('SELECT to_regclass($1) AS t', [qualified(this.#schema, 'recovery_points')]);
    if (exists.rows[0]?.t === null) return [];
    const r = await c.query<PointRow>(
      `SELECT id, change_id, target, statement_index, kind, statement, command, source_schema, source_name, stored_as, after_table,
              rows::text AS rows, checksum, created_at, expires_at, status, restored_at
         FROM ${qualified(this.#schema, 'recovery_points')} WHERE target = $1 ${where} ORDER BY created_at DESC, statement_index DESC, id DESC`,
      [this.target, ...params],
    );
    return r.rows.map((row) => ({ ...toPoint(row, this.#schema), row }));
  }

  async recoveryPoints(filter: { readonly changeId?: string } = {}): Promise<readonly RecoveryPoint[]> {
    const c = await this.#client();
    try {
      const rows = await this.#points(
        c,
        filter.changeId === undefined ? '' : 'AND change_id = $2',
        filter.changeId === undefined ? [] : [filter.changeId],
      );
      return rows.map(({ row: _row, ...p }) => p);
    } catch (err) {
      throw dbError(err, this.#where, 'listing recovery points');
    } finally {
      c.release();
    }
  }

  async undo(changeId: string, options: { readonly now: Date }): Promise<UndoResult> {
    const c = await this.#client();
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL lock_timeout = ${this.#lockMs}`);
      const all = await this.#points(c, 'AND change_id = $2', [changeId]);
      const available = all.filter((p) => p.status === 'available');
      if (available.length === 0) throw nothingToUndo(changeId, this.target, all);
      const restored: Restored[] = [];
      for (const { row, ...p } of available) restored.push(await this.#restore(c, p, row));
      await c.query(
        `UPDATE ${qualified(this.#schema, 'recovery_points')} SET status = 'restored', restored_at = $2 WHERE change_id = $1 AND status = 'available' AND target = $3`,
        [changeId, options.now.toISOString(), this.target],
      );
      const done = checkRestored(changeId, restored, options.now);
      await c.query('COMMIT');
      return { changeId, restored: done };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw dbError(err, this.#where, `undo of ${changeId}`);
    } finally {
      c.release();
    }
  }

  async #restore(c: Client, p: RecoveryPoint, row: PointRow): Promise<Restored> {
    const stored = qualified(this.#schema, row.stored_as);
    const original = qualified(row.source_schema, row.source_name);
    const conflict = (why: string): AirlockError => undoConflict(p, why);
    if (p.kind === 'soft-drop') {
      if ((await this.#relation(c, original)) !== null) throw conflict(`a table named ${p.table} exists again`);
      await c.query(`ALTER TABLE ${stored} SET SCHEMA ${ident(row.source_schema)}`);
      await c.query(`ALTER TABLE ${qualified(row.source_schema, row.stored_as)} RENAME TO ${ident(row.source_name)}`);
      const sum = await this.#checksum(c, original);
      return { point: p, rows: sum.rows, checksum: sum.checksum, verified: sum.checksum === p.checksum };
    }
    const rel = await this.#relation(c, original);
    if (rel === null) throw conflict(`the table ${p.table} no longer exists`);
    const key = await this.#primaryKey(c, rel);
    const keyList = key.map(ident).join(', ');
    const inKept = (from: string): string => `WHERE (${key.map((k) => `x.${ident(k)}`).join(', ')}) IN (SELECT ${keyList} FROM ${from})`;
    if (p.command === 'UPDATE' || p.command === 'MERGE') {
      if (key.length === 0 || row.after_table === null) throw conflict('the table has no primary key to find the changed rows by');
      const afterTable = qualified(this.#schema, row.after_table);
      const now = await this.#checksum(c, rel.qualified, inKept(afterTable));
      const then = await this.#checksum(c, afterTable);
      if (now.checksum !== then.checksum) throw conflict('the rows it changed have changed again since');
      const cols = (await this.#writableColumns(c, rel)).filter((col) => !key.includes(col));
      await c.query(
        `UPDATE ${rel.qualified} t SET (${cols.map(ident).join(', ')}) = ROW(${cols.map((col) => `k.${ident(col)}`).join(', ')})
           FROM ${stored} k WHERE ${key.map((col) => `t.${ident(col)} = k.${ident(col)}`).join(' AND ')}`,
      );
    } else {
      if (key.length > 0) {
        const clash = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${rel.qualified} x ${inKept(stored)}`);
        if (Number(clash.rows[0]?.n ?? 0) > 0) throw conflict(`${clash.rows[0]?.n} of its rows' keys are in use again`);
      }
      const cols = (await this.#writableColumns(c, rel)).map(ident).join(', ');
      await c.query(`INSERT INTO ${rel.qualified} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM ${stored}`);
    }
    const sum =
      key.length > 0
        ? await this.#checksum(c, rel.qualified, inKept(stored))
        : await this.#checksum(c, `(SELECT * FROM ${rel.qualified} INTERSECT ALL SELECT * FROM ${stored})`);
    return { point: p, rows: sum.rows, checksum: sum.checksum, verified: sum.checksum === p.checksum && sum.rows === p.rows };
  }

  async purge(options: { readonly now: Date; readonly changeId?: string }): Promise<readonly RecoveryPoint[]> {
    const c = await this.#client();
    try {
      await c.query('BEGIN');
      const due = await this.#points(
        c,
        options.changeId === undefined ? "AND status = 'available' AND expires_at <= $2" : "AND status = 'available' AND change_id = $2",
        [options.changeId ?? options.now.toISOString()],
      );
      for (const p of due) {
        await c.query(`DROP TABLE IF EXISTS ${qualified(this.#schema, p.row.stored_as)}`);
        if (p.row.after_table !== null) await c.query(`DROP TABLE IF EXISTS ${qualified(this.#schema, p.row.after_table)}`);
        await c.query(`UPDATE ${qualified(this.#schema, 'recovery_points')} SET status = 'purged' WHERE id = $1`, [p.id]);
      }
      await c.query('COMMIT');
      return due.map(({ row: _row, ...p }) => ({ ...p, status: 'purged' as const }));
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw dbError(err, this.#where, 'purging recovery points');
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end();
  }
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function resultOf(s: Statement, r: pg.QueryResult): StatementExecution {
  const fields = r.fields?.map((f) => f.name) ?? [];
  if (fields.length > 0) return resultSet(s, fields, r.rows as Json[], r.rowCount ?? null);
  return { index: s.index, command: s.command, rowsAffected: r.rowCount ?? null };
}
