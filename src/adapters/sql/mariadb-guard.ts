/**
 * The MariaDB/MySQL database guard (InnoDB): rehearses DML in a transaction that is always rolled
 * back, describes DDL from information_schema, runs approved SQL bound to the rehearsed effect
 * with recovery points first, and restores them (`airlock undo`).
 *
 * MariaDB commits DDL by itself, so it never runs in a rehearsal, and a text that holds DDL must be
 * that one statement alone. The rows a single-table DELETE or UPDATE will change are copied first,
 * in the same transaction, by `INSERT … SELECT` with the statement's own WHERE/ORDER BY/LIMIT; under
 * InnoDB's REPEATABLE READ that read locks the rows and the gaps between them, so no other session
 * can slip a row in before the statement runs; the copied count must equal the rows affected.
 * Rows affected of an UPDATE are the rows it matched (the client's FOUND_ROWS flag, the mysql2
 * default), in the rehearsal and in the execution alike.
 */
import mysql from 'mysql2/promise';
import { parseDuration } from '../../core/approval.js';
import {
  type CatalogObject,
  type DatabaseGuard,
  driftBetween,
  type ExecuteOptions,
  jsonSafeRow,
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
  resultSet,
  sqlFailed,
  toPoint,
  undoConflict,
  unreachable,
} from './guard-common.js';
import type { GuardOptions } from './guard-options.js';

type Conn = mysql.Connection;
type Row = Record<string, unknown>;
type Ast = { type?: string; keyword?: string; table?: unknown; from?: unknown; name?: unknown };

/** One statement of the text. */
interface Statement {
  readonly index: number;
  readonly sql: string;
  readonly type: string;
  readonly command: string;
  readonly ast: Ast;
}

interface Table {
  readonly db: string;
  readonly name: string;
  readonly q: string;
}

/** Quotes an identifier with backticks. */
function ident(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

const TX_CONTROL =
  /^\s*(begin|start\s+transaction|commit|rollback|savepoint|release\s+savepoint|lock\s+tables?|unlock\s+tables?|set\s+(session\s+|global\s+)?transaction|xa\s)/i;
const DDL_TYPES = new Set(['drop', 'truncate', 'alter', 'create', 'rename']);

/** Splits at top-level semicolons, respecting quotes and comments. `/*! … *\/` stays part of the statement. */
export function splitMysql(text: string): { sql: string; start: number }[] {
  const out: { sql: string; start: number }[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    const s = text.slice(start, end).trim();
    if (s !== '') out.push({ sql: s, start });
    start = end + 1;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < text.length) {
        if (text[i] === '\\' && ch !== '`') i += 2;
        else if (text[i] === ch && text[i + 1] === ch) i += 2;
        else if (text[i] === ch) break;
        else i++;
      }
      i++;
    } else if ((ch === '-' && next === '-' && /\s/.test(text[i + 2] ?? ' ')) || ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (ch === ';') {
      push(i);
      i++;
    } else i++;
  }
  push(text.length);
  return out;
}

/** The offset of a top-level keyword (outside quotes, comments and parentheses), or -1. */
function topLevel(sql: string, keyword: RegExp): number {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < sql.length && sql[i] !== ch) i += sql[i] === '\\' && ch !== '`' ? 2 : 1;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /[A-Za-z]/.test(ch) && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const m = keyword.exec(sql.slice(i));
      if (m !== null && m.index === 0) return i;
    }
  }
  return -1;
}

let parser: Promise<{ astify(sql: string, opt?: object): unknown }> | null = null;
function loadParser(): Promise<{ astify(sql: string, opt?: object): unknown }> {
  parser ??= (async () => {
    const mod = (await import('node-sql-parser/build/mysql.js')) as {
      default?: { Parser?: new () => unknown };
      Parser?: new () => unknown;
    };
    const P = mod.default?.Parser ?? mod.Parser;
    if (!P) throw new Error('node-sql-parser: Parser export not found');
    return new P() as { astify(sql: string, opt?: object): unknown };
  })();
  return parser;
}

function commandOf(ast: Ast, sql: string): string {
  const type = String(ast.type ?? sql.split(/\s+/)[0] ?? '').toUpperCase();
  if (type === 'DROP' || type === 'TRUNCATE' || type === 'CREATE') return `${type} ${String(ast.keyword ?? 'TABLE').toUpperCase()}`;
  if (type === 'ALTER') return 'ALTER TABLE';
  return type;
}

async function parseText(text: string): Promise<Statement[]> {
  const p = await loadParser();
  const parts = splitMysql(text);
  if (/^\s*delimiter\s/im.test(text))
    throw new AirlockError({
      code: 'SQL_INVALID',
      message: 'DELIMITER is a mysql client command, not SQL: send the statements without it',
    });
  return parts.map((part, index) => {
    if (TX_CONTROL.test(part.sql))
      throw new AirlockError({
        code: 'SQL_INVALID',
        message: `statement ${index + 1} (${part.sql.slice(0, 60)}) controls the transaction: Airlock runs the statements in one transaction of its own; remove BEGIN/COMMIT/LOCK TABLES`,
      });
    let ast: Ast;
    try {
      const a = p.astify(part.sql, { database: 'MySQL' });
      ast = (Array.isArray(a) ? a[0] : a) as Ast;
    } catch (err) {
      throw new AirlockError({
        code: 'SQL_INVALID',
        message: `statement ${index + 1} does not parse (MySQL/MariaDB): ${(err as Error).message.split('\n')[0]?.slice(0, 300)}`,
      });
    }
    return { index, sql: part.sql, type: String(ast.type ?? ''), command: commandOf(ast, part.sql), ast };
  });
}

function tablesOf(value: unknown, db: string): Table[] {
  return ((Array.isArray(value) ? value : []) as { db?: string | null; table?: string }[])
    .filter((t) => typeof t.table === 'string')
    .map((t) => {
      const d = t.db ?? db;
      return { db: d, name: t.table as string, q: `${ident(d)}.${ident(t.table as string)}` };
    });
}

/** Single-table DELETE/UPDATE: the table text and the `WHERE … ORDER BY … LIMIT` tail to select the same rows. */
function selection(s: Statement): { from: string; tail: string } | null {
  const sql = s.sql;
  const tailAt = [/where\b/i, /order\s+by\b/i, /limit\b/i].map((k) => topLevel(sql, k)).filter((i) => i >= 0);
  const tailStart = tailAt.length > 0 ? Math.min(...tailAt) : sql.length;
  if (s.type === 'delete') {
    const from = topLevel(sql, /from\b/i);
    if (from < 0) return null;
    return { from: sql.slice(from + 4, tailStart).trim(), tail: sql.slice(tailStart) };
  }
  const set = topLevel(sql, /set\b/i);
  if (set < 0) return null;
  const head = sql.slice(0, set).replace(/^\s*update\s+(low_priority\s+)?(ignore\s+)?/i, '');
  return { from: head.trim(), tail: sql.slice(tailStart) };
}

function dbError(err: unknown, o: { target: string; host: string; port: number }, where: string): AirlockError {
  if (err instanceof AirlockError) return err;
  const e = err as { code?: string; errno?: number; message?: string };
  const message = e.message ?? String(err);
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR'].includes(e.code ?? ''))
    return unreachable(o, message);
  return sqlFailed(where, message, e.code === 'ER_LOCK_WAIT_TIMEOUT' ? 'lock' : e.errno === 1969 ? 'timeout' : null);
}

/** The MariaDB/MySQL guard of one target. */
export class MariaDbGuard implements DatabaseGuard {
  readonly target: string;
  readonly engine: 'mariadb' | 'mysql';
  readonly #o: GuardOptions;
  readonly #rdb: string;
  readonly #statementMs: number;
  readonly #lockMs: number;

  constructor(options: GuardOptions) {
    this.target = options.name;
    this.engine = options.config.engine === 'mysql' ? 'mysql' : 'mariadb';
    this.#o = options;
    this.#rdb = options.recoverySchema ?? 'airlock_recovery';
    this.#statementMs = parseDuration(options.config.statementTimeout) ?? 10_000;
    this.#lockMs = parseDuration(options.config.lockTimeout) ?? 2_000;
  }

  get #where(): { target: string; host: string; port: number } {
    return { target: this.target, host: this.#o.config.host, port: this.#o.config.port ?? 3306 };
  }

  get #db(): string {
    return this.#o.config.database;
  }

  async #connect(): Promise<Conn> {
    const c = this.#o.config;
    let conn: Conn;
    try {
      conn = await mysql.createConnection({
        host: c.host,
        port: c.port ?? 3306,
        database: c.database,
        ...(c.user === undefined ? {} : { user: c.user }),
        ...(this.#o.password === undefined ? {} : { password: this.#o.password }),
        connectTimeout: 10_000,
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
      });
    } catch (err) {
      throw dbError(err, this.#where, 'connecting');
    }
    conn.on('error', () => undefined);
    await conn.query(`SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(this.#lockMs / 1000))}`);
    await conn.query('SET SESSION group_concat_max_len = 4294967295');
    await conn.query(`SET SESSION max_statement_time = ${this.#statementMs / 1000}`).catch(() => undefined);
    return conn;
  }

  async #with<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    const c = await this.#connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async #rows<T = Row>(c: Conn, sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await c.query(sql, params);
    return rows as T[];
  }

  async #engineOf(c: Conn, t: Table): Promise<string | null> {
    const r = await this.#rows<{ e: string | null }>(
      c,
      'SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [t.db, t.name],
    );
    return r[0] === undefined ? null : (r[0].e ?? 'VIEW');
  }

  /** Columns that can be written back (not generated), in table order. */
  async #columns(c: Conn, t: Table): Promise<string[]> {
    const r = await this.#rows<{ c: string }>(
      c,
      `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND IS_GENERATED = 'NEVER' ORDER BY ORDINAL_POSITION`,
      [t.db, t.name],
    );
    return [...new Set(r.map((x) => x.c))];
  }

  async #primaryKey(c: Conn, t: Table): Promise<string[]> {
    const r = await this.#rows<{ c: string }>(
      c,
      `SELECT COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
      [t.db, t.name],
    );
    return r.map((x) => x.c);
  }

  async #checksum(c: Conn, from: string, cols: readonly string[], where = ''): Promise<{ rows: number; checksum: string }> {
    const row = `CONCAT_WS('|', ${cols.map((col) => `QUOTE(x.${ident(col)})`).join(', ')})`;
    const r = await this.#rows<{ n: string | number; s: string }>(
      c,
      `SELECT COUNT(*) AS n, MD5(COALESCE(GROUP_CONCAT(h ORDER BY h SEPARATOR ''), '')) AS s FROM (SELECT MD5(${row}) AS h FROM ${from} x ${where}) q`,
    );
    return { rows: Number(r[0]?.n ?? 0), checksum: String(r[0]?.s) };
  }

  async #sample(c: Conn, sql: string): Promise<SqlRow[]> {
    const n = this.#o.config.sampleRows;
    if (n === 0) return [];
    return (await this.#rows<Row>(c, `SELECT * FROM (${sql}) s ORDER BY 1 LIMIT ${n}`)).map((r) => jsonSafeRow(r));
  }

  async rehearse(sql: string): Promise<SqlRehearsal> {
    const statements = await parseText(sql);
    try {
      return await this.#with(async (c) => {
        const out: StatementRehearsal[] = [];
        let skipped = false;
        await c.query('START TRANSACTION');
        try {
          for (const s of statements) {
            if (['delete', 'update', 'insert', 'replace'].includes(s.type)) {
              try {
                out.push(await this.#rehearseDml(c, s));
              } catch (err) {
                if (!skipped) throw dbError(err, this.#where, `statement ${s.index + 1} (${s.command}) failed in the rehearsal`);
                out.push(
                  notRun(
                    s,
                    `not rehearsed: it failed after an earlier statement that the rehearsal did not run (${(err as Error).message})`,
                  ),
                );
              }
            } else if (s.type === 'select' || s.type === 'show') out.push(notRun(s, 'a read: not run'));
            else {
              skipped = true;
              out.push(await this.#describe(c, s));
            }
          }
        } finally {
          await c.query('ROLLBACK').catch(() => undefined);
        }
        return { v: 1 as const, target: this.target, engine: this.engine, statements: out };
      });
    } catch (err) {
      throw dbError(err, this.#where, 'the rehearsal failed');
    }
  }

  async #rehearseDml(c: Conn, s: Statement): Promise<StatementRehearsal> {
    const tables = tablesOf(s.ast.table, this.#db);
    for (const t of tables) {
      const engine = await this.#engineOf(c, t);
      if (engine !== null && engine.toUpperCase() !== 'INNODB')
        return { ...notRun(s, `not rehearsed: ${t.db}.${t.name} is ${engine}, which cannot roll back`), tables: [`${t.db}.${t.name}`] };
    }
    const sel = tables.length === 1 && (s.type === 'delete' || s.type === 'update') ? selection(s) : null;
    const before = sel === null ? [] : await this.#sample(c, `SELECT * FROM ${sel.from} ${sel.tail}`);
    const [result] = await c.query(s.sql);
    const affected = (result as { affectedRows?: number }).affectedRows ?? null;
    let after: SqlRow[] = [];
    const t = tables[0];
    if (sel !== null && s.type === 'update' && t !== undefined && before.length > 0) {
      const key = await this.#primaryKey(c, t);
      if (key.length > 0) {
        const keys = before.map((r) => `(${key.map((k) => c.escape(r[k])).join(', ')})`).join(', ');
        after = await this.#sample(c, `SELECT * FROM ${t.q} WHERE (${key.map(ident).join(', ')}) IN (${keys})`);
      }
    }
    return {
      index: s.index,
      sql: s.sql,
      command: s.command,
      method: 'rolled-back',
      rowsAffected: affected,
      tables: tables.map((x) => `${x.db}.${x.name}`),
      before,
      after,
      objects: [],
      recovery: await this.#dmlRecovery(c, s, tables),
      notes:
        s.type === 'insert' || s.type === 'replace'
          ? ['an insert: InnoDB may advance the AUTO_INCREMENT counter even though the rehearsal is rolled back']
          : [],
    };
  }

  async #dmlRecovery(c: Conn, s: Statement, tables: readonly Table[]): Promise<RecoveryPlan> {
    if (s.type === 'insert' || s.type === 'replace')
      return { kind: 'none', note: 'an insert: undo would delete the inserted rows; not captured' };
    const t = tables[0];
    if (
      tables.length !== 1 ||
      t === undefined ||
      selection(s) === null ||
      (s.type === 'delete' && tablesOf(s.ast.from, this.#db).length > 1)
    )
      return { kind: 'none', note: 'a multi-table statement: Airlock copies rows only for single-table DELETE and UPDATE' };
    const engine = await this.#engineOf(c, t);
    if (engine?.toUpperCase() !== 'INNODB')
      return { kind: 'none', note: `${t.db}.${t.name} is ${engine ?? 'missing'}: no transactional copy possible` };
    if (s.type === 'update' && (await this.#primaryKey(c, t)).length === 0)
      return { kind: 'none', note: `${t.db}.${t.name} has no primary key, so changed rows could not be put back` };
    return {
      kind: 'rows',
      note: `the ${s.type === 'delete' ? 'deleted' : 'changed'} rows are copied into ${this.#rdb} in the same transaction`,
    };
  }

  async #count(c: Conn, t: Table): Promise<{ rows: number; exact: boolean }> {
    try {
      const r = await this.#rows<{ n: string | number }>(c, `SELECT COUNT(*) AS n FROM ${t.q}`);
      return { rows: Number(r[0]?.n ?? 0), exact: true };
    } catch {
      const r = await this.#rows<{ n: string | number }>(
        c,
        'SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [t.db, t.name],
      );
      return { rows: Number(r[0]?.n ?? 0), exact: false };
    }
  }

  /** A table as a catalog object: its rows (exact where counted) and bytes. */
  async #tableObject(c: Conn, t: Table, reason: string): Promise<CatalogObject> {
    const { rows, exact } = await this.#count(c, t);
    return { kind: 'table', name: `${t.db}.${t.name}`, rows, rowsExact: exact, bytes: await this.#bytes(c, t), reason };
  }

  async #bytes(c: Conn, t: Table): Promise<number> {
    const r = await this.#rows<{ b: string | number | null }>(
      c,
      'SELECT DATA_LENGTH + INDEX_LENGTH AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [t.db, t.name],
    );
    return Number(r[0]?.b ?? 0);
  }

  /** Foreign keys of other tables, views and triggers that name `t`. */
  async #dependents(c: Conn, t: Table): Promise<{ kind: CatalogObject['kind']; name: string; how: string }[]> {
    const fks = await this.#rows<{ t: string; n: string }>(
      c,
      `SELECT CONCAT(CONSTRAINT_SCHEMA, '.', TABLE_NAME) AS t, CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS
        WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND NOT (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?) ORDER BY 1, 2`,
      [t.db, t.name, t.db, t.name],
    );
    const views = await this.#rows<{ v: string }>(
      c,
      `SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS v FROM information_schema.VIEWS WHERE VIEW_DEFINITION LIKE CONCAT('%\`', ?, '\`%') ORDER BY 1`,
      [t.name],
    );
    const triggers = await this.#rows<{ n: string }>(
      c,
      'SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY 1',
      [t.db, t.name],
    );
    return [
      ...fks.map((f) => ({
        kind: 'constraint' as const,
        name: `${f.t}.${f.n}`,
        how: `foreign key of ${f.t} referencing ${t.db}.${t.name}`,
      })),
      ...views.map((v) => ({ kind: 'view' as const, name: v.v, how: `names ${t.db}.${t.name}` })),
      ...triggers.map((x) => ({ kind: 'other' as const, name: `${t.db}.${x.n}`, how: `a trigger on ${t.db}.${t.name}` })),
    ];
  }

  async #describe(c: Conn, s: Statement): Promise<StatementRehearsal> {
    const objects: CatalogObject[] = [];
    const notes: string[] = [];
    const tables: string[] = [];
    let rows: number | null = null;
    let recovery: RecoveryPlan = { kind: 'none', note: 'Airlock cannot keep what this statement changes' };
    const tabs = tablesOf(s.ast.table ?? s.ast.name, this.#db);
    if (s.type === 'drop' && s.ast.keyword === 'table') {
      let soft = true;
      rows = 0;
      for (const t of tabs) {
        if ((await this.#engineOf(c, t)) === null) {
          notes.push(`${t.db}.${t.name} does not exist`);
          continue;
        }
        const o = await this.#tableObject(c, t, 'dropped');
        rows += o.rows ?? 0;
        tables.push(o.name);
        objects.push(o);
        const deps = await this.#dependents(c, t);
        if (deps.length > 0 || (await this.#engineOf(c, t))?.toUpperCase() !== 'INNODB') soft = false;
        for (const d of deps) objects.push({ kind: d.kind, name: d.name, reason: `${d.how}: left dangling or refused by the DROP` });
      }
      recovery = soft
        ? {
            kind: 'soft-drop',
            note: `the table is moved into ${this.#rdb} instead of dropped (RENAME TABLE), kept for the retention period`,
          }
        : { kind: 'none', note: 'other objects depend on the table, so it cannot be moved aside faithfully; the real DROP runs' };
    } else if (s.type === 'truncate') {
      rows = 0;
      for (const t of tabs) {
        const o = await this.#tableObject(c, t, 'emptied');
        rows += o.rows ?? 0;
        tables.push(o.name);
        objects.push(o);
      }
      recovery = {
        kind: 'table-copy',
        note: `the table is copied into ${this.#rdb} first, under a table lock (MariaDB commits TRUNCATE by itself)`,
      };
    } else if (s.type === 'alter') {
      const t = tabs[0];
      const dropped = [...s.sql.matchAll(/\bdrop\s+(?:column\s+)?(?:if\s+exists\s+)?`?([\w$]+)`?/gi)]
        .map((m) => m[1] as string)
        .filter((x) => !/^(index|key|primary|foreign|constraint|partition)$/i.test(x));
      if (t !== undefined)
        for (const col of dropped) {
          const { rows: n, exact } = await this.#count(c, t);
          objects.push({
            kind: 'column',
            name: `${t.db}.${t.name}.${col}`,
            rows: n,
            rowsExact: exact,
            reason: `dropped: its value in ${n} rows is lost`,
          });
          tables.push(`${t.db}.${t.name}`);
        }
      if (/\bmodify\b|\bchange\b/i.test(s.sql)) notes.push('a column type changes: values may be cut or rounded (lossy)');
      recovery = { kind: 'none', note: 'a change to the table itself: Airlock keeps no copy of it' };
    } else if (s.type === 'drop' && (s.ast.keyword === 'database' || s.ast.keyword === 'schema')) {
      const name = String((s.ast.name as string | undefined) ?? '').replace(/^"|"$/g, '');
      const r = await this.#rows<{ n: number | string; rows: number | string | null; bytes: number | string | null }>(
        c,
        'SELECT COUNT(*) AS n, SUM(TABLE_ROWS) AS `rows`, SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
        [name],
      );
      objects.push({
        kind: 'database',
        name,
        rows: Number(r[0]?.rows ?? 0),
        rowsExact: false,
        bytes: Number(r[0]?.bytes ?? 0),
        reason: `dropped with its ${r[0]?.n ?? 0} table(s)`,
      });
    } else if (s.type === 'drop') {
      for (const t of tabs) objects.push({ kind: 'other', name: `${t.db}.${t.name}`, reason: `dropped (${s.command})` });
    } else {
      return notRun(s, `not rehearsed: ${s.command} is not DML`);
    }
    return {
      index: s.index,
      sql: s.sql,
      command: s.command,
      method: 'catalog',
      rowsAffected: rows,
      tables,
      before: [],
      after: [],
      objects,
      recovery,
      notes,
    };
  }

  async #ensureRecovery(c: Conn): Promise<void> {
    await c.query(`CREATE DATABASE IF NOT EXISTS ${ident(this.#rdb)}`);
    await c.query(
      `CREATE TABLE IF NOT EXISTS ${ident(this.#rdb)}.recovery_points (
         id VARCHAR(200) PRIMARY KEY, change_id VARCHAR(190) NOT NULL, target VARCHAR(190) NOT NULL, statement_index INT NOT NULL,
         kind VARCHAR(20) NOT NULL, statement MEDIUMTEXT NOT NULL, command VARCHAR(64) NOT NULL, source_schema VARCHAR(64) NOT NULL,
         source_name VARCHAR(64) NOT NULL, stored_as VARCHAR(64) NOT NULL, after_table VARCHAR(64), \`rows\` BIGINT NOT NULL,
         checksum CHAR(32) NOT NULL, created_at VARCHAR(32) NOT NULL, expires_at VARCHAR(32) NOT NULL,
         status VARCHAR(16) NOT NULL DEFAULT 'available', restored_at VARCHAR(32), KEY (change_id)) ENGINE=InnoDB`,
    );
  }

  async execute(sql: string, options: ExecuteOptions): Promise<SqlExecution> {
    const statements = await parseText(sql);
    if (statements.length > 1 && statements.some((s) => DDL_TYPES.has(s.type)))
      throw new AirlockError({
        code: 'SQL_INVALID',
        message: 'on MariaDB/MySQL, DDL commits by itself: send each DROP/TRUNCATE/ALTER/CREATE as a statement of its own',
      });
    return this.#with(async (c) => {
      try {
        // Only a change that may keep recovery points needs the recovery database (a read-only user can still read).
        if (statements.some((s) => ['delete', 'update', 'truncate'].includes(s.type) || (s.type === 'drop' && s.ast.keyword === 'table')))
          await this.#ensureRecovery(c);
        const only = statements[0];
        if (only !== undefined && statements.length === 1 && DDL_TYPES.has(only.type)) return await this.#executeDdl(c, only, options);
        return await this.#executeDml(c, statements, options);
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw dbError(err, this.#where, 'the execution failed');
      }
    });
  }

  /** Writes a recovery point's metadata row and returns the point. */
  async #keep(
    c: Conn,
    options: ExecuteOptions,
    s: Statement,
    kind: RecoveryKind,
    t: Table,
    part: number,
    stored: string,
    after: string | null,
    sum: { rows: number; checksum: string },
  ): Promise<RecoveryPoint> {
    const { point, values } = newPoint({
      options,
      target: this.target,
      statement: s,
      kind,
      part,
      schema: t.db,
      name: t.name,
      recoverySchema: this.#rdb,
      stored,
      after,
      sum,
    });
    await c.query(
      `INSERT INTO ${ident(this.#rdb)}.recovery_points (${POINT_COLUMNS.map(ident).join(', ')}) VALUES (${POINT_COLUMNS.map(() => '?').join(', ')})`,
      [...values],
    );
    return point;
  }

  async #executeDml(c: Conn, statements: readonly Statement[], options: ExecuteOptions): Promise<SqlExecution> {
    const prefix = `rp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    // Recovery tables are created before the transaction: CREATE TABLE commits by itself.
    const plans = new Map<
      number,
      { t: Table; stored: string; after: string | null; cols: string[]; sel: { from: string; tail: string } }
    >();
    const created: string[] = [];
    for (const s of statements) {
      if (s.type !== 'delete' && s.type !== 'update') continue;
      const tables = tablesOf(s.ast.table, this.#db);
      const planned = options.expected?.statements.find((x) => x.index === s.index)?.recovery.kind;
      const sel = selection(s);
      const t = tables[0];
      if (planned === 'none' || sel === null || t === undefined || (await this.#dmlRecovery(c, s, tables)).kind !== 'rows') continue;
      const stored = `${prefix}_${s.index}`;
      const after = s.type === 'update' ? `${stored}_after` : null;
      for (const name of after === null ? [stored] : [stored, after]) {
        await c.query(`CREATE TABLE ${ident(this.#rdb)}.${ident(name)} LIKE ${t.q}`);
        created.push(name);
      }
      plans.set(s.index, { t, stored, after, cols: await this.#columns(c, t), sel });
    }
    const dropCreated = async (): Promise<void> => {
      for (const name of created) await c.query(`DROP TABLE IF EXISTS ${ident(this.#rdb)}.${ident(name)}`).catch(() => undefined);
    };
    const done: StatementExecution[] = [];
    const points: RecoveryPoint[] = [];
    try {
      await c.query('START TRANSACTION');
      for (const s of statements) {
        const plan = plans.get(s.index);
        try {
          let copied: number | null = null;
          if (plan !== undefined) {
            const cols = plan.cols.map(ident).join(', ');
            const [r] = await c.query(
              `INSERT INTO ${ident(this.#rdb)}.${ident(plan.stored)} (${cols}) SELECT ${cols} FROM ${plan.sel.from} ${plan.sel.tail}`,
            );
            copied = (r as { affectedRows: number }).affectedRows;
          }
          const [result, fields] = await c.query(s.sql);
          const exec = resultOf(s, result, fields);
          done.push(exec);
          if (plan !== undefined && copied !== null) {
            if (copied !== exec.rowsAffected)
              throw new AirlockError({
                code: 'SQL_FAILED',
                message: `statement ${s.index + 1} (${s.command}) touched ${exec.rowsAffected} rows but ${copied} were copied first; rolled back, nothing was changed`,
              });
            const stored = `${ident(this.#rdb)}.${ident(plan.stored)}`;
            if (plan.after !== null) {
              const key = await this.#primaryKey(c, plan.t);
              const cols = plan.cols.map(ident).join(', ');
              await c.query(
                `INSERT INTO ${ident(this.#rdb)}.${ident(plan.after)} (${cols}) SELECT ${cols} FROM ${plan.t.q} WHERE (${key.map(ident).join(', ')}) IN (SELECT ${key.map(ident).join(', ')} FROM ${stored})`,
              );
            }
            if (copied > 0) {
              const sum = await this.#checksum(c, stored, plan.cols);
              points.push(await this.#keep(c, options, s, 'rows', plan.t, 0, plan.stored, plan.after, sum));
            }
          }
        } catch (err) {
          throw dbError(err, this.#where, `statement ${s.index + 1} (${s.command}) failed`);
        }
      }
      const drift = driftBetween(options.expected, done, options.maxRows);
      if (drift.length > 0) {
        await c.query('ROLLBACK');
        await dropCreated();
        return { committed: false, statements: done, recoveryPoints: [], drift };
      }
      await c.query('COMMIT');
      // Copies of statements that touched nothing are not kept.
      for (const [, plan] of plans)
        if (!points.some((p) => p.storedAs === `${this.#rdb}.${plan.stored}`))
          for (const name of plan.after === null ? [plan.stored] : [plan.stored, plan.after])
            await c.query(`DROP TABLE IF EXISTS ${ident(this.#rdb)}.${ident(name)}`);
      return { committed: true, statements: done, recoveryPoints: points, drift: [] };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      await dropCreated();
      throw err;
    }
  }

  async #executeDdl(c: Conn, s: Statement, options: ExecuteOptions): Promise<SqlExecution> {
    const planned = options.expected?.statements.find((x) => x.index === s.index);
    const tables = tablesOf(s.ast.table ?? s.ast.name, this.#db);
    const prefix = `rp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const check = (observed: number): SqlExecution | null => {
      const drift = driftBetween(options.expected, [{ index: s.index, rowsAffected: observed }], options.maxRows);
      return drift.length > 0
        ? { committed: false, statements: [{ index: s.index, command: s.command, rowsAffected: observed }], recoveryPoints: [], drift }
        : null;
    };
    if (s.type === 'drop' && s.ast.keyword === 'table') {
      const present: Table[] = [];
      for (const t of tables) if ((await this.#engineOf(c, t)) !== null) present.push(t);
      let soft = planned?.recovery.kind !== 'none';
      for (const t of present)
        if ((await this.#dependents(c, t)).length > 0 || (await this.#engineOf(c, t))?.toUpperCase() !== 'INNODB') soft = false;
      let total = 0;
      const sums: { t: Table; sum: { rows: number; checksum: string } }[] = [];
      for (const t of present) {
        const sum = await this.#checksum(c, t.q, await this.#columns(c, t));
        total += sum.rows;
        sums.push({ t, sum });
      }
      const drifted = check(total);
      if (drifted !== null) return drifted;
      if (!soft) {
        await c.query(s.sql);
        return {
          committed: true,
          statements: [{ index: s.index, command: s.command, rowsAffected: total }],
          recoveryPoints: [],
          drift: [],
        };
      }
      // One RENAME TABLE moves every table at once (atomic in MariaDB).
      const points: RecoveryPoint[] = [];
      const renames = sums.map(({ t }, k) => `${t.q} TO ${ident(this.#rdb)}.${ident(`${prefix}_${k}`)}`);
      if (renames.length > 0) await c.query(`RENAME TABLE ${renames.join(', ')}`);
      for (const [k, { t, sum }] of sums.entries()) {
        points.push(await this.#keep(c, options, s, 'soft-drop', t, k, `${prefix}_${k}`, null, sum));
      }
      return {
        committed: true,
        statements: [{ index: s.index, command: s.command, rowsAffected: total }],
        recoveryPoints: points,
        drift: [],
      };
    }
    if (s.type === 'truncate' && planned?.recovery.kind !== 'none' && tables[0] !== undefined) {
      const t = tables[0];
      const stored = `${prefix}_0`;
      await c.query(`CREATE TABLE ${ident(this.#rdb)}.${ident(stored)} LIKE ${t.q}`);
      const cols = await this.#columns(c, t);
      // Under the lock nothing reaches the table between the copy and the TRUNCATE.
      const storedQ = `${ident(this.#rdb)}.${ident(stored)}`;
      await c.query(`LOCK TABLES ${t.q} WRITE, ${storedQ} WRITE`);
      let copied: number;
      try {
        const [r] = await c.query(
          `INSERT INTO ${storedQ} (${cols.map(ident).join(', ')}) SELECT ${cols.map(ident).join(', ')} FROM ${t.q}`,
        );
        copied = (r as { affectedRows: number }).affectedRows;
        if (check(copied) === null) await c.query(s.sql);
      } finally {
        await c.query('UNLOCK TABLES').catch(() => undefined);
      }
      const drifted = check(copied);
      if (drifted !== null) {
        await c.query(`DROP TABLE ${storedQ}`);
        return drifted;
      }
      const sum = await this.#checksum(c, storedQ, cols);
      const p = await this.#keep(c, options, s, 'table-copy', t, 0, stored, null, sum);
      return {
        committed: true,
        statements: [{ index: s.index, command: s.command, rowsAffected: sum.rows }],
        recoveryPoints: [p],
        drift: [],
      };
    }
    const [result, fields] = await c.query(s.sql);
    return { committed: true, statements: [resultOf(s, result, fields)], recoveryPoints: [], drift: [] };
  }

  async #points(c: Conn, changeId?: string): Promise<(RecoveryPoint & { readonly row: PointRow })[]> {
    const exists = await this.#rows(c, 'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
      this.#rdb,
      'recovery_points',
    ]);
    if (exists.length === 0) return [];
    const rows = await this.#rows<PointRow>(
      c,
      `SELECT * FROM ${ident(this.#rdb)}.recovery_points WHERE target = ? AND source_schema = ? ${changeId === undefined ? '' : 'AND change_id = ?'} ORDER BY created_at DESC, statement_index DESC, id DESC`,
      changeId === undefined ? [this.target, this.#db] : [this.target, this.#db, changeId],
    );
    return rows.map((row) => ({ ...toPoint(row, this.#rdb), row }));
  }

  async recoveryPoints(filter: { readonly changeId?: string } = {}): Promise<readonly RecoveryPoint[]> {
    try {
      return await this.#with(async (c) => (await this.#points(c, filter.changeId)).map(({ row: _row, ...p }) => p));
    } catch (err) {
      throw dbError(err, this.#where, 'listing recovery points');
    }
  }

  async undo(changeId: string, options: { readonly now: Date }): Promise<UndoResult> {
    return this.#with(async (c) => {
      try {
        const all = await this.#points(c, changeId);
        const available = all.filter((p) => p.status === 'available');
        if (available.length === 0) throw nothingToUndo(changeId, this.target, all);
        await c.query('START TRANSACTION');
        const restored: Restored[] = [];
        for (const { row, ...p } of available) restored.push(await this.#restore(c, p, row));
        await c.query(
          `UPDATE ${ident(this.#rdb)}.recovery_points SET status = 'restored', restored_at = ? WHERE change_id = ? AND target = ? AND status = 'available'`,
          [options.now.toISOString(), changeId, this.target],
        );
        const done = checkRestored(changeId, restored, options.now);
        await c.query('COMMIT');
        return { changeId, restored: done };
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw dbError(err, this.#where, `undo of ${changeId}`);
      }
    });
  }

  async #restore(c: Conn, p: RecoveryPoint, row: PointRow): Promise<Restored> {
    const t: Table = { db: row.source_schema, name: row.source_name, q: `${ident(row.source_schema)}.${ident(row.source_name)}` };
    const stored = `${ident(this.#rdb)}.${ident(row.stored_as)}`;
    const conflict = (why: string): AirlockError => undoConflict(p, why);
    if (p.kind === 'soft-drop') {
      if ((await this.#engineOf(c, t)) !== null) throw conflict(`a table named ${p.table} exists again`);
      await c.query(`RENAME TABLE ${stored} TO ${t.q}`);
      const sum = await this.#checksum(c, t.q, await this.#columns(c, t));
      return { point: p, rows: sum.rows, checksum: sum.checksum, verified: sum.checksum === p.checksum };
    }
    if ((await this.#engineOf(c, t)) === null) throw conflict(`the table ${p.table} no longer exists`);
    const cols = await this.#columns(c, t);
    const key = await this.#primaryKey(c, t);
    const keyList = key.map(ident).join(', ');
    const inKept = (from: string): string => `WHERE (${key.map((k) => `x.${ident(k)}`).join(', ')}) IN (SELECT ${keyList} FROM ${from})`;
    if (p.command === 'UPDATE') {
      if (key.length === 0 || row.after_table === null) throw conflict('the table has no primary key to find the changed rows by');
      const after = `${ident(this.#rdb)}.${ident(row.after_table)}`;
      const now = await this.#checksum(c, t.q, cols, inKept(after));
      const then = await this.#checksum(c, after, cols);
      if (now.checksum !== then.checksum) throw conflict('the rows it changed have changed again since');
      const set = cols.filter((col) => !key.includes(col)).map((col) => `t.${ident(col)} = k.${ident(col)}`);
      await c.query(
        `UPDATE ${t.q} t JOIN ${stored} k ON ${key.map((col) => `t.${ident(col)} = k.${ident(col)}`).join(' AND ')} SET ${set.join(', ')}`,
      );
    } else {
      if (key.length > 0) {
        const clash = await this.#rows<{ n: number | string }>(c, `SELECT COUNT(*) AS n FROM ${t.q} x ${inKept(stored)}`);
        if (Number(clash[0]?.n ?? 0) > 0) throw conflict(`${clash[0]?.n} of its rows' keys are in use again`);
      }
      await c.query(`INSERT INTO ${t.q} (${cols.map(ident).join(', ')}) SELECT ${cols.map(ident).join(', ')} FROM ${stored}`);
    }
    const sum = key.length > 0 ? await this.#checksum(c, t.q, cols, inKept(stored)) : await this.#checksum(c, stored, cols);
    return { point: p, rows: sum.rows, checksum: sum.checksum, verified: sum.checksum === p.checksum && sum.rows === p.rows };
  }

  async purge(options: { readonly now: Date; readonly changeId?: string }): Promise<readonly RecoveryPoint[]> {
    return this.#with(async (c) => {
      try {
        const due = (await this.#points(c, options.changeId)).filter(
          (p) => p.status === 'available' && (options.changeId !== undefined || Date.parse(p.expiresAt) <= options.now.getTime()),
        );
        for (const p of due) {
          await c.query(`DROP TABLE IF EXISTS ${ident(this.#rdb)}.${ident(p.row.stored_as)}`);
          if (p.row.after_table !== null) await c.query(`DROP TABLE IF EXISTS ${ident(this.#rdb)}.${ident(p.row.after_table)}`);
          await c.query(`UPDATE ${ident(this.#rdb)}.recovery_points SET status = 'purged' WHERE id = ?`, [p.id]);
        }
        return due.map(({ row: _row, ...p }) => ({ ...p, status: 'purged' as const }));
      } catch (err) {
        throw dbError(err, this.#where, 'purging recovery points');
      }
    });
  }

  async close(): Promise<void> {
    // Connections are opened per operation and closed after it.
  }
}

function resultOf(s: Statement, result: unknown, fields: unknown): StatementExecution {
  if (Array.isArray(result)) {
    const names = Array.isArray(fields)
      ? (fields as { name: string }[]).map((f) => f.name)
      : Object.keys((result[0] as Row | undefined) ?? {});
    return resultSet(s, names, result as Row[], result.length);
  }
  return { index: s.index, command: s.command, rowsAffected: (result as { affectedRows?: number }).affectedRows ?? null };
}
