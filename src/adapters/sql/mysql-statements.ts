/**
 * MySQL/MariaDB and SQLite rules over node-sql-parser trees. The text is split into statements by
 * our own scanner (quotes, comments, MySQL executable comments, DELIMITER, SQLite dot-commands),
 * so one statement the parser cannot read stays one `unknown` effect and the others are judged.
 */
import type { Effect, EffectVerb } from '../../core/assessment.js';
import { arr, obj, str } from './pg-json.js';
import type { Json } from './pg-json.js';
import { FUNCTION_FACTS, isReadOnlyFunction } from './sql-functions.js';
import { isKeyColumn } from './pg-predicates.js';
import { deleteJudgement, foldTransactions, lineColumn, makeEffect, unknownEffect } from './sql-effects.js';
import type { EffectInit, StatementVerdict, TxControl } from './sql-effects.js';

/** The part of node-sql-parser's `Parser` the rules use. */
export interface SqlParserLike {
  astify(sql: string, options?: { database?: string }): unknown;
}

/** Which grammar: MySQL (also MariaDB) or SQLite. */
export type MysqlFlavor = 'mysql' | 'sqlite';

/** Result of classifying a MySQL or SQLite text. */
export interface MysqlTextResult {
  readonly effects: Effect[];
  readonly notes: string[];
  readonly failures: number;
  readonly statements: number;
}

interface Session {
  readonly flavor: MysqlFlavor;
  readonly parser: SqlParserLike;
  readonly tempTables: Set<string>;
  readonly prepared: Map<string, string>;
  readonly userVars: Map<string, string>;
  readonly depth: number;
}

interface Ctx {
  readonly session: Session;
  readonly source: string;
}

/** A statement cut from the text, with its offset. */
export interface SqlPiece {
  readonly text: string;
  readonly start: number;
  /** A SQLite shell dot-command (`.tables`), not SQL. */
  readonly dot?: boolean;
}

/**
 * Classifies MySQL/MariaDB (`mysql`) or SQLite (`sqlite`) text. Never throws; statements the
 * parser cannot read become `unknown` effects naming the problem and its position.
 */
export function classifyMysqlText(sql: string, parser: SqlParserLike, flavor: MysqlFlavor, depth = 0): MysqlTextResult {
  const session: Session = { flavor, parser, tempTables: new Set(), prepared: new Map(), userVars: new Map(), depth };
  return classifyPieces(sql, session);
}

function classifyPieces(sql: string, session: Session): MysqlTextResult {
  const notes: string[] = [];
  const text = session.flavor === 'mysql' ? unwrapExecutableComments(sql, notes) : sql;
  const pieces = splitStatements(text, session.flavor);
  const verdicts: StatementVerdict[] = [];
  let failures = 0;
  for (const p of pieces) {
    const v = safePiece(p, sql, session);
    if (v.failed) failures++;
    verdicts.push(v.verdict);
  }
  if (verdicts.length === 0) {
    return {
      effects: [
        makeEffect(
          { verb: 'read', resource: 'sql', scope: 'none', risk: 'read', reason: 'no statements (only comments or whitespace)' },
          sql,
        ),
      ],
      notes,
      failures: 0,
      statements: 0,
    };
  }
  const folded = foldTransactions(verdicts);
  return { effects: folded.effects, notes: [...notes, ...folded.notes], failures, statements: verdicts.length };
}

/**
 * MySQL runs the body of `/*! … *\/` and `/*!50001 … *\/` (MariaDB also `/*M! … *\/`) as code.
 * Replaces the markers with spaces (offsets kept) so the body is judged like any SQL.
 */
export function unwrapExecutableComments(sql: string, notes: string[] = []): string {
  const out = sql.split('');
  let i = 0;
  let found = false;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(sql, i, c);
      continue;
    }
    if (c === '#' || (c === '-' && sql[i + 1] === '-' && /[\s]/.test(sql[i + 2] ?? ' '))) {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const m = /^\/\*(M?!)(\d{5,6})?/.exec(sql.slice(i, i + 10));
      const end = sql.indexOf('*/', i + 2);
      if (m) {
        found = true;
        for (let k = i; k < i + m[0].length; k++) out[k] = ' ';
        if (end >= 0) {
          out[end] = ' ';
          out[end + 1] = ' ';
        }
        i += m[0].length;
        continue;
      }
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    i++;
  }
  if (found) notes.push('MySQL executable comments (/*! … */) are judged as code');
  return out.join('');
}

function skipQuoted(sql: string, i: number, q: string): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '\\' && q !== '`') {
      j += 2;
      continue;
    }
    if (c === q) {
      if (sql[j + 1] === q) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return j;
}

/** Splits MySQL/SQLite text into statements at the delimiter (default `;`) outside quotes and comments. */
export function splitStatements(sql: string, flavor: MysqlFlavor): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  let delimiter = ';';
  let start = 0;
  let i = 0;
  const push = (end: number, next: number, dot = false): void => {
    const text = sql.slice(start, end);
    if (stripComments(text, flavor).trim() !== '') pieces.push(dot ? { text, start, dot: true } : { text, start });
    start = next;
    i = next;
  };
  while (i < sql.length) {
    const atStart = sql.slice(start, i).trim() === '';
    if (atStart) {
      const rest = sql.slice(i);
      const d = /^delimiter[ \t]+(\S+)[^\n]*(\n|$)/i.exec(rest);
      if (flavor === 'mysql' && d) {
        delimiter = d[1] ?? ';';
        start = i + d[0].length;
        i = start;
        continue;
      }
      if (flavor === 'sqlite' && sql[i] === '.') {
        let j = i;
        while (j < sql.length && sql[j] !== '\n') j++;
        start = i;
        push(j, j);
        const last = pieces[pieces.length - 1];
        if (last) pieces[pieces.length - 1] = { ...last, dot: true };
        continue;
      }
    }
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(sql, i, c);
      continue;
    }
    if (flavor === 'sqlite' && c === '[') {
      const j = sql.indexOf(']', i);
      i = j < 0 ? sql.length : j + 1;
      continue;
    }
    if ((flavor === 'mysql' && c === '#') || (c === '-' && sql[i + 1] === '-' && (flavor === 'sqlite' || /\s/.test(sql[i + 2] ?? ' ')))) {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    if (sql.startsWith(delimiter, i)) {
      push(i, i + delimiter.length);
      continue;
    }
    i++;
  }
  push(sql.length, sql.length);
  return pieces;
}

/** The text with comments replaced by spaces (for keyword checks on what actually runs). */
function stripComments(sql: string, flavor: MysqlFlavor): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (c === "'" || c === '"' || c === '`') {
      const j = skipQuoted(sql, i, c);
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if ((flavor === 'mysql' && c === '#') || (c === '-' && sql[i + 1] === '-' && (flavor === 'sqlite' || /\s/.test(sql[i + 2] ?? ' ')))) {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += ' ';
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += ' ';
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function safePiece(p: SqlPiece, whole: string, session: Session): { verdict: StatementVerdict; failed: boolean } {
  try {
    return piece(p, whole, session);
  } catch (e) {
    return {
      verdict: { effects: [unknownEffect('sql', `classifier error: ${e instanceof Error ? e.message : String(e)}`, p.text)] },
      failed: true,
    };
  }
}

const fx = (ctx: Ctx, init: EffectInit): Effect => makeEffect(init, ctx.source);

function read(ctx: Ctx, resource: string, reason: string): Effect {
  return fx(ctx, { verb: 'read', resource, scope: 'none', risk: 'read', reason });
}

function one(...effects: Effect[]): StatementVerdict {
  return { effects };
}

function piece(p: SqlPiece, whole: string, session: Session): { verdict: StatementVerdict; failed: boolean } {
  const ctx: Ctx = { session, source: p.text };
  const code = stripComments(p.text, session.flavor).trim();
  if (p.dot === true) return { verdict: dotCommand(code, ctx), failed: false };
  const pre = beforeParser(code, ctx);
  if (pre) return { verdict: pre, failed: false };
  let ast: unknown;
  try {
    ast = session.parser.astify(p.text, { database: session.flavor === 'sqlite' ? 'sqlite' : 'mysql' });
  } catch (e) {
    const fallback = afterParserFailure(code, ctx);
    if (fallback) return { verdict: fallback, failed: false };
    const loc = obj(obj(obj(e)?.['location'])?.['start']);
    const offset = typeof loc?.['offset'] === 'number' ? loc['offset'] : 0;
    const abs = p.start + offset;
    const { line, column } = lineColumn(whole, abs);
    const message = (e instanceof Error ? e.message : String(e)).replace(/^Expected .* but (.*) found\.$/s, 'unexpected $1');
    return {
      verdict: one(
        unknownEffect(
          'sql',
          `${session.flavor === 'sqlite' ? 'SQLite' : 'MySQL'} parser cannot read this statement: ${message} at position ${abs} (line ${line}, column ${column})`,
          p.text,
        ),
      ),
      failed: true,
    };
  }
  const nodes = Array.isArray(ast) ? ast : [ast];
  const verdicts = nodes.map((n) => statement(obj(n) ?? {}, ctx));
  if (verdicts.length === 1 && verdicts[0]) return { verdict: verdicts[0], failed: false };
  return { verdict: { effects: verdicts.flatMap((v) => [...v.effects]) }, failed: false };
}

function tableName(t: unknown): string {
  const o = obj(t);
  if (!o) return '?';
  const name = str(o['table']) ?? str(o['view']) ?? str(o['name']) ?? '?';
  const db = str(o['db']) ?? str(o['schema']);
  return db ? `${db}.${name}` : name;
}

function isTemp(t: unknown, ctx: Ctx): boolean {
  const o = obj(t);
  if (!o || str(o['db'])) return false;
  return ctx.session.tempTables.has((str(o['table']) ?? '').toLowerCase());
}

/** Statements node-sql-parser does not know, or that need our session state (PREPARE/EXECUTE). */
function beforeParser(code: string, ctx: Ctx): StatementVerdict | undefined {
  const s = ctx.session;
  let m = /^prepare\s+(\S+)\s+from\s+([\s\S]+)$/i.exec(code);
  if (m) {
    const name = (m[1] ?? '').toLowerCase();
    const src = (m[2] ?? '').trim();
    const literal = stringLiteral(src) ?? (src.startsWith('@') ? s.userVars.get(src.slice(1).toLowerCase().replace(/`/g, '')) : undefined);
    if (literal !== undefined) s.prepared.set(name, literal);
    else s.prepared.delete(name);
    return one(read(ctx, `prepared statement ${name}`, 'PREPARE only stores a statement; EXECUTE runs it'));
  }
  m = /^execute\s+(\S+)(\s+using\s+[\s\S]*)?$/i.exec(code);
  if (m) {
    const name = (m[1] ?? '').toLowerCase();
    const text = s.prepared.get(name);
    if (text === undefined) {
      return one(
        unknownEffect(
          `prepared statement ${name}`,
          `EXECUTE runs prepared statement ${name}, built from SQL that is not a literal in this input (dynamic SQL)`,
          ctx.source,
        ),
      );
    }
    if (s.depth > 4) return one(unknownEffect('sql', 'SQL nested too deeply to inspect', ctx.source));
    const inner = classifyPieces(text, { ...s, depth: s.depth + 1 });
    return {
      effects: inner.effects.map((e) => makeEffect({ ...effectInit(e), reason: `EXECUTE of prepared SQL: ${e.reason}` }, ctx.source)),
    };
  }
  if (/^(deallocate|drop)\s+prepare\s+\S+$/i.test(code))
    return one(read(ctx, 'prepared statement', 'DEALLOCATE PREPARE only forgets a statement'));
  m = /^set\s+@(`?)([\w$.]+)\1\s*(:=|=)\s*([\s\S]+)$/i.exec(code);
  if (m) {
    const value = stringLiteral((m[4] ?? '').trim());
    const name = (m[2] ?? '').toLowerCase();
    if (value !== undefined) s.userVars.set(name, value);
    else s.userVars.delete(name);
    // Fall through to the parser so functions in the value are still judged.
    return undefined;
  }
  return undefined;
}

/** A single SQL string literal (`'…'` or `"…"`), unescaped; undefined for anything else. */
function stringLiteral(src: string): string | undefined {
  const m = /^(['"])((?:\\[\s\S]|(?!\1)[^\\]|\1\1)*)\1$/.exec(src);
  if (!m) return undefined;
  const q = m[1] ?? "'";
  return (m[2] ?? '')
    .replace(new RegExp(`${q}${q}`, 'g'), q)
    .replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[ch] ?? ch);
}

function effectInit(e: Effect): EffectInit {
  return {
    verb: e.verb,
    resource: e.resource,
    scope: e.scope,
    risk: e.risk,
    reason: e.reason,
    reversible: e.reversible,
    disruptive: e.disruptive,
  };
}

/** Statements node-sql-parser rejects but whose meaning is fixed by their first words. */
function afterParserFailure(code: string, ctx: Ctx): StatementVerdict | undefined {
  const words = code.replace(/\s+/g, ' ').trim();
  const head = words.toLowerCase();
  const w = (verb: EffectVerb, resource: string, reason: string, disruptive = false): StatementVerdict =>
    one(fx(ctx, { verb, resource, scope: 'resource', risk: 'write', reason, disruptive, nonTransactional: true }));
  const tx = (t: TxControl, reason: string): StatementVerdict => ({ effects: [read(ctx, 'transaction', reason)], tx: t });
  let m: RegExpExecArray | null;
  if ((m = /^savepoint ([\w`"]+)$/i.exec(words))) return tx({ kind: 'savepoint', name: unq(m[1]) }, 'sets a savepoint');
  if ((m = /^rollback(?: work)? to (?:savepoint )?([\w`"]+)$/i.exec(words)))
    return tx({ kind: 'rollback-to', name: unq(m[1]) }, 'rolls back to a savepoint');
  if ((m = /^release savepoint ([\w`"]+)$/i.exec(words))) return tx({ kind: 'release', name: unq(m[1]) }, 'releases a savepoint');
  if (/^(begin|start transaction)\b/i.test(words) && !/;/.test(words)) return tx({ kind: 'begin' }, 'starts a transaction');
  if (/^(commit|end)( work| transaction)?( and (no )?chain)?( (no )?release)?$/i.test(words)) return tx({ kind: 'commit' }, 'commits');
  if ((m = /^rollback( work| transaction)?( and (no )?chain)?( (no )?release)?$/i.exec(words))) {
    return tx({ kind: 'rollback', chain: /and chain/i.test(words) && !/no chain/i.test(words) }, 'rolls back');
  }
  if (/^drop temporary table /i.test(words)) {
    return one(
      fx(ctx, {
        verb: 'delete',
        resource: `temp table ${words.slice(21)}`,
        scope: 'resource',
        risk: 'write',
        reason: 'drops a temporary table (session-only data)',
      }),
    );
  }
  if ((m = /^drop (user|role)( if exists)? (.+)$/i.exec(words))) {
    return one(
      fx(ctx, {
        verb: 'delete',
        resource: `${m[1]?.toLowerCase()} ${m[3]}`,
        scope: 'resource',
        risk: 'destructive',
        reason: `drops a ${m[1]?.toLowerCase()}`,
        nonTransactional: true,
      }),
    );
  }
  if ((m = /^drop (procedure|function|event|trigger|server|spatial reference system)( if exists)? (.+)$/i.exec(words))) {
    return one(
      fx(ctx, {
        verb: 'delete',
        resource: `${m[1]?.toLowerCase()} ${m[3]}`,
        scope: 'resource',
        risk: 'write',
        reason: 'removes a definition (no data)',
        nonTransactional: true,
      }),
    );
  }
  if ((m = /^drop (database|schema)( if exists)? (\S+)$/i.exec(words))) return one(dropDatabase(unq(m[3]), ctx));
  if (/^create (definer\s*=\s*\S+ )?(procedure|function|event|trigger|user|role|server|spatial)/i.test(words)) {
    return w('create', head.split(' ').slice(1, 3).join(' '), 'defines an object (its body runs only when called)');
  }
  if (/^alter (database|schema|user|role|event|procedure|function|server|instance|logfile|tablespace|view)\b/i.test(words)) {
    return w('modify', head.split(' ').slice(1, 3).join(' '), 'schema or configuration change');
  }
  if (/^(show|describe|desc|help|checksum table|check table|handler|get diagnostics|signal|resignal|table|values)\b/i.test(words)) {
    return one(read(ctx, 'server', `${head.split(' ')[0]?.toUpperCase()} only reads`));
  }
  if ((m = /^explain(?: (?:format|partitions|extended)\s*=?\s*\w*)? (analyze )?([\s\S]+)$/i.exec(code))) {
    if (m[1] === undefined) return one(read(ctx, 'query plan', 'EXPLAIN without ANALYZE only plans the statement'));
    return analyzeInner(m[2] ?? '', ctx, 'EXPLAIN ANALYZE executes the statement');
  }
  if ((m = /^analyze (?:format\s*=\s*\w+ )?((?:select|insert|update|delete|replace|with)\b[\s\S]+)$/i.exec(code))) {
    return analyzeInner(m[1] ?? '', ctx, 'MariaDB ANALYZE executes the statement');
  }
  if (/^(optimize|analyze|repair)( no_write_to_binlog| local)? tables?\b/i.test(words)) {
    return w(
      'modify',
      'table',
      `${head.split(' ')[0]?.toUpperCase()} TABLE rebuilds or re-analyses a table`,
      /^(optimize|repair)/i.test(words),
    );
  }
  if (/^flush\b/i.test(words)) return w('execute', 'server', 'FLUSH clears caches or logs', /with read lock/i.test(words));
  if ((m = /^kill( connection| query)? (\S+)$/i.exec(words)))
    return w('execute', `connection ${m[2]}`, `KILL${m[1] ?? ''} ends a running query or connection`, true);
  if (/^(purge (binary|master) logs|reset (master|binary logs|slave|replica))\b/i.test(words)) {
    return one(
      fx(ctx, {
        verb: 'delete',
        resource: 'binary logs',
        scope: 'resource',
        risk: 'destructive',
        reason: `${words} deletes replication logs or state`,
        nonTransactional: true,
      }),
    );
  }
  if (/^(stop|start) (slave|replica|group_replication)\b/i.test(words))
    return w('execute', 'replication', `${words} changes replication`, true);
  if (/^(change (master|replication source)|cache index|load index|set password|rename user|install|uninstall)\b/i.test(words)) {
    if (/^install\b/i.test(words)) return one(unknownEffect('server', 'INSTALL loads server code (plugin or component)', ctx.source, true));
    return w('modify', 'server', `${head.split(' ').slice(0, 2).join(' ').toUpperCase()} changes server configuration`);
  }
  if (/^shutdown$/i.test(words)) return w('execute', 'server', 'SHUTDOWN stops the server', true);
  if (/^restart$/i.test(words)) return w('execute', 'server', 'RESTART restarts the server', true);
  if (/^xa\b/i.test(words)) return one(unknownEffect('transaction', 'XA transactions span sessions; not judged', ctx.source));
  if (/^(delete|update)\b/i.test(words)) {
    if (!/\bwhere\b/i.test(words)) {
      return one(
        fx(ctx, {
          verb: head.startsWith('delete') ? 'delete' : 'modify',
          resource: 'table',
          scope: 'all',
          risk: 'destructive',
          reason: `${head.split(' ')[0]?.toUpperCase()} without WHERE (the parser cannot read the rest of it)`,
        }),
      );
    }
    return undefined;
  }
  if (ctx.session.flavor === 'sqlite') {
    if ((m = /^pragma ([\w.]+)\s*(=|\()?/i.exec(words))) {
      const name = (m[1] ?? '').toLowerCase();
      if (m[2] === '=') {
        if (/writable_schema/.test(name))
          return one(unknownEffect(`pragma ${name}`, 'PRAGMA writable_schema allows editing the schema table directly', ctx.source));
        return w('modify', `pragma ${name}`, 'PRAGMA assignment changes a database setting');
      }
      return one(read(ctx, `pragma ${name}`, 'PRAGMA query reads a setting'));
    }
    if (/^vacuum\b/i.test(words))
      return w(
        'modify',
        'database',
        /\binto\b/i.test(words) ? 'VACUUM INTO writes a copy of the database to a file' : 'VACUUM rebuilds the database file',
      );
    if (/^(reindex|analyze)\b/i.test(words))
      return w('modify', 'database', `${head.split(' ')[0]?.toUpperCase()} rebuilds indexes or statistics`);
    if (/^detach( database)? /i.test(words)) return one(read(ctx, 'database', 'DETACH closes an attached database'));
    if (/^(begin|commit|end)\b/i.test(words)) return undefined;
  }
  return undefined;
}

function unq(s: string | undefined): string {
  return (s ?? '').replace(/^[`"]|[`"]$/g, '');
}

function analyzeInner(inner: string, ctx: Ctx, why: string): StatementVerdict {
  const r = classifyPieces(inner, { ...ctx.session, depth: ctx.session.depth + 1 });
  return { effects: [read(ctx, 'query plan', why), ...r.effects] };
}

function dotCommand(code: string, ctx: Ctx): StatementVerdict {
  const name = (code.split(/\s+/)[0] ?? '').toLowerCase();
  const readOnly = new Set([
    '.tables',
    '.schema',
    '.indexes',
    '.indices',
    '.headers',
    '.header',
    '.mode',
    '.dump',
    '.help',
    '.databases',
    '.show',
    '.width',
    '.timer',
    '.print',
    '.quit',
    '.exit',
    '.explain',
    '.eqp',
    '.nullvalue',
    '.separator',
    '.stats',
    '.fullschema',
    '.dbinfo',
    '.changes',
    '.echo',
    '.bail',
    '.prompt',
    '.lint',
    '.expert',
    '.columns',
    '.excel',
    '.once',
    '.output',
  ]);
  if (readOnly.has(name)) return one(read(ctx, 'sqlite shell', `${name} is a sqlite3 shell command that changes nothing in the database`));
  if (name === '.import')
    return one(fx(ctx, { verb: 'create', resource: 'table', scope: 'selection', risk: 'write', reason: '.import adds rows from a file' }));
  if (name === '.restore')
    return one(
      fx(ctx, {
        verb: 'replace',
        resource: 'database',
        scope: 'database',
        risk: 'catastrophic',
        reason: '.restore overwrites the database from a backup file',
      }),
    );
  if (name === '.backup' || name === '.save')
    return one(
      fx(ctx, { verb: 'create', resource: 'backup file', scope: 'resource', risk: 'write', reason: `${name} writes a backup file` }),
    );
  return one(
    unknownEffect('sqlite shell', `sqlite3 shell command ${name} is not judged (it may run a program or another script)`, ctx.source, true),
  );
}

function dropDatabase(name: string, ctx: Ctx): Effect {
  return fx(ctx, {
    verb: 'delete',
    resource: `database ${name}`,
    scope: 'database',
    risk: 'catastrophic',
    reason: 'DROP DATABASE/SCHEMA deletes a whole database',
    nonTransactional: true,
  });
}

/** Classifies one node-sql-parser AST. */
function statement(ast: Json, ctx: Ctx): StatementVerdict {
  const type = str(ast['type']) ?? '';
  const implicit = ctx.session.flavor === 'mysql';
  const ddl = (v: StatementVerdict): StatementVerdict =>
    implicit
      ? {
          effects: v.effects.map((e) => makeEffect({ ...effectInit(e), nonTransactional: true }, e.source ?? '')),
          tx: { kind: 'implicit-commit' },
        }
      : v;
  switch (type) {
    case 'select':
      return selectStmt(ast, ctx);
    case 'insert':
    case 'replace':
      return insertStmt(ast, type, ctx);
    case 'update':
      return updateStmt(ast, ctx);
    case 'delete':
      return deleteStmt(ast, ctx);
    case 'truncate': {
      const effects = arr(ast['name']).map((t) =>
        isTemp(t, ctx)
          ? fx(ctx, {
              verb: 'modify',
              resource: `temp table ${tableName(t)}`,
              scope: 'resource',
              risk: 'write',
              reason: 'TRUNCATE of a temporary table created in this input (session-only data)',
            })
          : fx(ctx, {
              verb: 'delete',
              resource: `table ${tableName(t)}`,
              scope: 'all',
              risk: 'destructive',
              reason: 'TRUNCATE removes every row',
            }),
      );
      return ddl({ effects });
    }
    case 'drop':
      return ddl(dropStmt(ast, ctx));
    case 'create':
      return createStmt(ast, ctx, ddl);
    case 'alter':
      return ddl(alterStmt(ast, ctx));
    case 'rename':
      return ddl({
        effects: arr(ast['table']).map((pair) => {
          const [from, to] = arr(pair);
          return fx(ctx, {
            verb: 'modify',
            resource: `table ${tableName(from)}`,
            scope: 'resource',
            risk: 'write',
            reason: `RENAME TABLE to ${tableName(to)}`,
          });
        }),
      });
    case 'use':
    case 'show':
    case 'desc':
      return one(
        read(ctx, type === 'use' ? `database ${str(ast['db']) ?? ''}`.trim() : 'metadata', `${type.toUpperCase()} changes nothing`),
      );
    case 'explain':
      return one(read(ctx, 'query plan', 'EXPLAIN only plans the statement'));
    case 'set': {
      const keyword = (str(ast['keyword']) ?? '').toUpperCase();
      const global = keyword === 'GLOBAL' || keyword.startsWith('PERSIST');
      const fnEffects = nested(ast['expr'], ctx);
      if (global) {
        return {
          effects: [
            fx(ctx, {
              verb: 'modify',
              resource: 'server configuration',
              scope: 'resource',
              risk: 'write',
              reason: `SET ${keyword} changes a server-wide setting`,
              nonTransactional: true,
            }),
            ...fnEffects,
          ],
        };
      }
      return { effects: [read(ctx, 'session', 'SET changes only session settings'), ...fnEffects] };
    }
    case 'lock':
      return ddl(
        one(
          fx(ctx, {
            verb: 'read',
            resource:
              arr(ast['tables'])
                .map((t) => `table ${tableName(obj(t)?.['table'])}`)
                .join(', ') || 'tables',
            scope: 'none',
            risk: 'read',
            disruptive: true,
            reason: 'LOCK TABLES changes no data but blocks other sessions',
          }),
        ),
      );
    case 'unlock':
      return one(read(ctx, 'tables', 'UNLOCK TABLES releases locks'));
    case 'grant':
    case 'revoke':
      return ddl(
        one(
          fx(ctx, {
            verb: 'modify',
            resource: 'privileges',
            scope: 'resource',
            risk: 'write',
            reason: `${type.toUpperCase()} changes privileges (reversible)`,
          }),
        ),
      );
    case 'call':
      return {
        effects: [
          fx(ctx, {
            verb: 'execute',
            resource: `procedure ${functionName(obj(ast['expr']))}`,
            scope: 'unknown',
            risk: 'unknown',
            reason: 'CALL runs a procedure whose effects are not visible here',
          }),
          ...nested(obj(ast['expr'])?.['args'], ctx),
        ],
      };
    case 'transaction':
      return transactionStmt(ast, ctx);
    case 'load_data': {
      const replace = str(ast['replace_ignore'])?.toLowerCase() === 'replace';
      const file = str(obj(ast['file'])?.['value']) ?? '?';
      return one(
        fx(ctx, {
          verb: replace ? 'replace' : 'create',
          resource: `table ${tableName(ast['table'])}`,
          scope: 'selection',
          risk: replace ? 'destructive' : 'write',
          reason: replace ? `LOAD DATA … REPLACE overwrites rows whose keys appear in ${file}` : `LOAD DATA adds rows from ${file}`,
        }),
      );
    }
    case 'attach':
      return one(
        fx(ctx, {
          verb: 'create',
          resource: `database ${str(ast['schema']) ?? '?'}`,
          scope: 'resource',
          risk: 'write',
          reason: 'ATTACH opens (and may create) a database file',
        }),
      );
    default:
      return one(unknownEffect('sql', `statement type ${type || '(none)'} is not classified`, ctx.source));
  }
}

function transactionStmt(ast: Json, ctx: Ctx): StatementVerdict {
  const expr = obj(ast['expr']);
  const action = (str(obj(expr?.['action'])?.['value']) ?? '').toLowerCase();
  const tx = (t: TxControl, reason: string): StatementVerdict => ({ effects: [read(ctx, 'transaction', reason)], tx: t });
  if (action === 'begin' || action === 'start') return tx({ kind: 'begin' }, 'starts a transaction');
  if (action === 'commit' || action === 'end') return tx({ kind: 'commit' }, 'commits');
  if (action === 'rollback') return tx({ kind: 'rollback', chain: false }, 'rolls back');
  return one(read(ctx, 'transaction', 'transaction control'));
}

function functionName(fn: Json | undefined): string {
  if (!fn) return '?';
  const n = fn['name'];
  if (typeof n === 'string') return n;
  const parts = arr(obj(n)?.['name']).map((p) => str(obj(p)?.['value']) ?? '?');
  return parts.join('.') || '?';
}

/** Effects of functions called inside an expression or clause. */
function nested(v: unknown, ctx: Ctx): Effect[] {
  const out: Effect[] = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const i of x) visit(i);
      return;
    }
    const o = obj(x);
    if (!o) return;
    if (o['type'] === 'function') {
      const name = functionName(o).toLowerCase();
      const bare = name.split('.').pop() ?? name;
      const qualified = name.includes('.');
      const fact = qualified ? undefined : FUNCTION_FACTS.get(bare);
      if (fact) {
        if (fact.risk !== 'read') {
          out.push(
            fx(ctx, {
              verb: 'execute',
              resource: `function ${name}()`,
              scope: 'resource',
              risk: fact.risk,
              disruptive: fact.disruptive ?? false,
              reason: `${bare}() ${fact.reason}`,
              nonTransactional: fact.nonTransactional ?? false,
            }),
          );
        }
      } else if (qualified || !isReadOnlyFunction(bare)) {
        out.push(
          fx(ctx, {
            verb: 'execute',
            resource: `function ${name}()`,
            scope: 'unknown',
            risk: 'unknown',
            reason: `function ${name}() is not known to be read-only (it may write)`,
          }),
        );
      }
    }
    for (const child of Object.values(o)) visit(child);
  };
  visit(v);
  return out;
}

function tablesIn(v: unknown): string[] {
  const out = new Set<string>();
  const visit = (x: unknown, key: string): void => {
    if (Array.isArray(x)) {
      for (const i of x) visit(i, key);
      return;
    }
    const o = obj(x);
    if (!o) return;
    if (key === 'from' && typeof o['table'] === 'string') out.add(tableName(o));
    for (const [k, child] of Object.entries(o)) visit(child, k);
  };
  visit(v, '');
  return [...out];
}

function selectStmt(ast: Json, ctx: Ctx): StatementVerdict {
  const into = obj(ast['into']);
  const keyword = str(into?.['keyword'])?.toUpperCase();
  const tables = tablesIn(ast);
  const effects: Effect[] = [
    read(
      ctx,
      tables.length > 0
        ? tables
            .slice(0, 5)
            .map((t) => `table ${t}`)
            .join(', ')
        : 'expressions',
      'SELECT reads data',
    ),
  ];
  if (keyword === 'OUTFILE' || keyword === 'DUMPFILE') {
    const file = str(obj(into?.['expr'])?.['value']) ?? '?';
    effects.push(
      fx(ctx, {
        verb: 'create',
        resource: `server file ${file}`,
        scope: 'resource',
        risk: 'write',
        reason: `SELECT … INTO ${keyword} writes a new server file`,
        nonTransactional: true,
      }),
    );
  }
  effects.push(...nested(ast, ctx));
  return { effects };
}

function insertStmt(ast: Json, type: string, ctx: Ctx): StatementVerdict {
  const tables = arr(ast['table']);
  const values = obj(ast['values']);
  const fromSelect = str(values?.['type']) === 'select';
  const rows = str(values?.['type']) === 'values' ? arr(values?.['values']).length : ast['set'] !== undefined ? 1 : 0;
  const orReplace = arr(ast['or']).some((o) => str(obj(o)?.['value'])?.toUpperCase() === 'REPLACE');
  const replace = type === 'replace' || orReplace;
  const effects: Effect[] = tables.map((t) => {
    if (isTemp(t, ctx))
      return fx(ctx, {
        verb: 'modify',
        resource: `temp table ${tableName(t)}`,
        scope: 'resource',
        risk: 'write',
        reason: 'writes a temporary table created in this input (session-only data)',
      });
    const table = `table ${tableName(t)}`;
    if (replace && fromSelect) {
      return fx(ctx, {
        verb: 'replace',
        resource: table,
        scope: 'selection',
        risk: 'destructive',
        reason: 'REPLACE INTO … SELECT deletes and rewrites every row whose key the query returns',
      });
    }
    if (replace)
      return fx(ctx, {
        verb: 'replace',
        resource: table,
        scope: rows === 1 ? 'resource' : 'selection',
        risk: 'write',
        reason: 'REPLACE of listed rows by key',
      });
    return fx(ctx, {
      verb: ast['on_duplicate_update'] ? 'modify' : 'create',
      resource: table,
      scope: rows === 1 ? 'resource' : 'selection',
      risk: 'write',
      reason: ast['on_duplicate_update']
        ? 'INSERT … ON DUPLICATE KEY UPDATE adds or updates rows by key'
        : fromSelect
          ? 'INSERT … SELECT adds rows'
          : `INSERT adds ${rows} row(s)`,
    });
  });
  const { table: _t, ...rest } = ast;
  return { effects: [...effects, ...nested(rest, ctx)] };
}

function hasLimit(ast: Json): boolean {
  return arr(obj(ast['limit'])?.['value']).length > 0;
}

function updateStmt(ast: Json, ctx: Ctx): StatementVerdict {
  const where = ast['where'];
  const shape = where === null || where === undefined ? 'absent' : predicateShape(where);
  const effects = arr(ast['table']).map((t) => {
    if (isTemp(t, ctx))
      return fx(ctx, {
        verb: 'modify',
        resource: `temp table ${tableName(t)}`,
        scope: 'resource',
        risk: 'write',
        reason: 'UPDATE of a temporary table created in this input (session-only data)',
      });
    const table = `table ${tableName(t)}`;
    if (shape === 'absent' || shape === 'tautology') {
      const limited = hasLimit(ast);
      return fx(ctx, {
        verb: 'modify',
        resource: table,
        scope: limited ? 'selection' : 'all',
        risk: 'destructive',
        reason:
          shape === 'absent'
            ? `UPDATE without WHERE${limited ? ' (LIMIT picks arbitrary rows)' : ' overwrites every row'}`
            : 'UPDATE with an always-true WHERE overwrites every row',
      });
    }
    return fx(ctx, {
      verb: 'modify',
      resource: table,
      scope: shape === 'key' ? 'resource' : 'selection',
      risk: 'write',
      reason: `UPDATE with a ${shape === 'key' ? 'key' : shape === 'list' ? 'list' : 'bounding'} predicate`,
    });
  });
  const { table: _t, ...rest } = ast;
  return { effects: [...effects, ...nested(rest, ctx)] };
}

function deleteStmt(ast: Json, ctx: Ctx): StatementVerdict {
  const where = ast['where'];
  const shape = where === null || where === undefined ? 'absent' : predicateShape(where);
  const targets = arr(ast['table']);
  const multi = targets.length > 1 || arr(ast['from']).length > 1;
  const effects = targets.map((t) => {
    if (isTemp(t, ctx))
      return fx(ctx, {
        verb: 'modify',
        resource: `temp table ${tableName(t)}`,
        scope: 'resource',
        risk: 'write',
        reason: 'DELETE from a temporary table created in this input (session-only data)',
      });
    const table = `table ${tableName(t)}`;
    const d = (risk: 'write' | 'destructive', scope: 'resource' | 'selection' | 'all', reason: string): Effect =>
      fx(ctx, { verb: 'delete', resource: table, scope, risk, reason: multi ? `multi-table ${reason}` : reason });
    if (shape === 'absent' && hasLimit(ast)) return d('destructive', 'selection', 'DELETE … LIMIT without WHERE removes arbitrary rows');
    const j = deleteJudgement(shape);
    return d(j.risk, j.scope, j.reason);
  });
  const { table: _t, ...rest } = ast;
  return { effects: [...effects, ...nested(rest, ctx)] };
}

function dropStmt(ast: Json, ctx: Ctx): StatementVerdict {
  const keyword = (str(ast['keyword']) ?? '').toLowerCase();
  const list = Array.isArray(ast['name']) ? arr(ast['name']) : [ast['name']];
  if (keyword === 'database' || keyword === 'schema') {
    const name = typeof ast['name'] === 'string' ? ast['name'] : tableName(list[0]);
    return one(dropDatabase(name, ctx));
  }
  const effects = list.map((t) => {
    const o = obj(t);
    const name = keyword === 'index' ? (str(o?.['column']) ?? '?') : keyword === 'trigger' ? (str(o?.['trigger']) ?? '?') : tableName(t);
    if (keyword === 'table') {
      if (isTemp(t, ctx))
        return fx(ctx, {
          verb: 'delete',
          resource: `temp table ${name}`,
          scope: 'resource',
          risk: 'write',
          reason: 'DROP of a temporary table created in this input (session-only data)',
        });
      return fx(ctx, {
        verb: 'delete',
        resource: `table ${name}`,
        scope: 'resource',
        risk: 'destructive',
        reason: 'DROP TABLE deletes the table and all its rows',
      });
    }
    const why: Record<string, string> = {
      view: 'DROP VIEW removes a definition only (no data)',
      index: 'DROP INDEX removes a regenerable index',
      trigger: 'DROP TRIGGER removes a definition',
    };
    return fx(ctx, {
      verb: 'delete',
      resource: `${keyword} ${name}`,
      scope: 'resource',
      risk: 'write',
      reason: why[keyword] ?? `DROP ${keyword.toUpperCase()} removes a definition`,
    });
  });
  return { effects };
}

function createStmt(ast: Json, ctx: Ctx, ddl: (v: StatementVerdict) => StatementVerdict): StatementVerdict {
  const keyword = (str(ast['keyword']) ?? '').toLowerCase();
  if (keyword === 'table') {
    const tables = arr(ast['table']);
    const inner = nested(ast['query_expr'], ctx);
    if (ast['temporary']) {
      for (const t of tables) ctx.session.tempTables.add((str(obj(t)?.['table']) ?? '').toLowerCase());
      return {
        effects: [...tables.map((t) => read(ctx, `temp table ${tableName(t)}`, 'creates a temporary table (session-only)')), ...inner],
      };
    }
    return ddl({
      effects: [
        ...tables.map((t) =>
          fx(ctx, {
            verb: 'create',
            resource: `table ${tableName(t)}`,
            scope: 'resource',
            risk: 'write',
            reason: ast['query_expr'] ? 'CREATE TABLE … AS SELECT is additive' : 'CREATE TABLE is additive',
          }),
        ),
        ...inner,
      ],
    });
  }
  const what = keyword || 'object';
  return ddl(
    one(
      fx(ctx, {
        verb: ast['replace'] ? 'replace' : 'create',
        resource: what,
        scope: 'resource',
        risk: 'write',
        reason: `CREATE ${what.toUpperCase()} is additive`,
      }),
    ),
  );
}

const WIDE_MYSQL_TYPES = new Set(['TEXT', 'MEDIUMTEXT', 'LONGTEXT', 'BIGINT', 'LONGBLOB', 'MEDIUMBLOB', 'JSON']);

function alterStmt(ast: Json, ctx: Ctx): StatementVerdict {
  const table = tableName(arr(ast['table'])[0]);
  const effects: Effect[] = [];
  for (const e of arr(ast['expr'])) {
    const x = obj(e) ?? {};
    const action = (str(x['action']) ?? '').toLowerCase();
    const resource = (str(x['resource']) ?? '').toLowerCase();
    const col = str(obj(x['column'])?.['column']);
    if (action === 'drop' && resource === 'column') {
      effects.push(
        fx(ctx, {
          verb: 'delete',
          resource: `column ${table}.${col ?? '?'}`,
          scope: 'resource',
          risk: 'destructive',
          reason: "DROP COLUMN deletes the column's data",
        }),
      );
    } else if ((action === 'drop' || action === 'truncate') && resource === 'partition') {
      effects.push(
        fx(ctx, {
          verb: 'delete',
          resource: `partition of table ${table}`,
          scope: 'selection',
          risk: 'destructive',
          reason: `${action.toUpperCase()} PARTITION deletes the partition's rows`,
        }),
      );
    } else if ((action === 'modify' || action === 'change') && resource === 'column') {
      const def = obj(x['definition']);
      const dataType = (str(def?.['dataType']) ?? '?').toUpperCase();
      const wide = WIDE_MYSQL_TYPES.has(dataType) && def?.['length'] === undefined;
      effects.push(
        fx(ctx, {
          verb: 'modify',
          resource: `column ${table}.${str(obj(x['old_column'])?.['column']) ?? col ?? '?'}`,
          scope: 'resource',
          risk: wide ? 'write' : 'destructive',
          disruptive: true,
          reason: wide
            ? `${action.toUpperCase()} COLUMN to ${dataType}: a widening type that keeps every value`
            : `${action.toUpperCase()} COLUMN to ${dataType}${def?.['length'] !== undefined ? `(${String(def['length'])})` : ''} may truncate or convert values (lossy)`,
        }),
      );
    } else {
      effects.push(
        fx(ctx, {
          verb: action === 'add' ? 'create' : 'modify',
          resource: col ? `column ${table}.${col}` : `table ${table}`,
          scope: 'resource',
          risk: 'write',
          disruptive: resource === 'engine',
          reason: `ALTER TABLE ${
            [action, resource]
              .filter((s) => s !== '')
              .join(' ')
              .toUpperCase() || 'change'
          }`,
        }),
      );
    }
  }
  return {
    effects:
      effects.length > 0
        ? effects
        : [fx(ctx, { verb: 'modify', resource: `table ${table}`, scope: 'resource', risk: 'write', reason: 'ALTER TABLE' })],
  };
}

type Shape = 'key' | 'list' | 'value' | 'range' | 'other' | 'tautology';
type Const = string | number | boolean | null;

function constOf(v: unknown): Const | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const type = str(o['type']) ?? '';
  const value = o['value'];
  if (type === 'number') return typeof value === 'number' ? value : Number(value);
  if (type === 'bool' || type === 'boolean') return value === true || value === 'TRUE' || value === 'true';
  if (type === 'null') return null;
  if (/string$/.test(type) || type === 'string') return typeof value === 'string' ? value : undefined;
  if (type === 'unary_expr' && (o['operator'] === 'NOT' || o['operator'] === '!')) {
    const inner = constOf(o['expr']);
    return inner === undefined ? undefined : inner === null ? null : !truthy(inner);
  }
  if (type === 'unary_expr' && o['operator'] === '-') {
    const inner = constOf(o['expr']);
    return typeof inner === 'number' ? -inner : undefined;
  }
  if (type === 'binary_expr') {
    const op = (str(o['operator']) ?? '').toUpperCase();
    const l = constOf(o['left']);
    if (op === 'IN' || op === 'NOT IN') {
      const items = arr(obj(o['right'])?.['value']).map(constOf);
      if (l === undefined || l === null || items.some((i) => i === undefined)) return undefined;
      const hit = items.some((i) => i !== null && String(i) === String(l));
      return op === 'IN' ? hit : !hit;
    }
    if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
      const [lo, hi] = arr(obj(o['right'])?.['value']).map(constOf);
      if (typeof l !== 'number' || typeof lo !== 'number' || typeof hi !== 'number') return undefined;
      const inside = l >= lo && l <= hi;
      return op === 'BETWEEN' ? inside : !inside;
    }
    const r = constOf(o['right']);
    if (l === undefined || r === undefined) return undefined;
    switch (op) {
      case 'AND':
      case '&&':
        return truthy(l) && truthy(r);
      case 'OR':
      case '||':
        return truthy(l) || truthy(r);
      case 'XOR':
        return truthy(l) !== truthy(r);
      case 'IS':
        return l === r;
      case 'IS NOT':
        return l !== r;
    }
    if (l === null || r === null) return null;
    const cmp =
      typeof l === 'number' || typeof r === 'number'
        ? Number(l) - Number(r)
        : String(l).toLowerCase() < String(r).toLowerCase()
          ? -1
          : String(l).toLowerCase() === String(r).toLowerCase()
            ? 0
            : 1;
    switch (op) {
      case '=':
      case '<=>':
        return cmp === 0;
      case '!=':
      case '<>':
        return cmp !== 0;
      case '<':
        return cmp < 0;
      case '>':
        return cmp > 0;
      case '<=':
        return cmp <= 0;
      case '>=':
        return cmp >= 0;
      case '+':
        return Number(l) + Number(r);
      case '-':
        return Number(l) - Number(r);
      case '*':
        return Number(l) * Number(r);
      case 'LIKE':
        return new RegExp(
          `^${String(r)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(/%/g, '[\\s\\S]*')
            .replace(/_/g, '[\\s\\S]')}$`,
          'i',
        ).test(String(l));
      default:
        return undefined;
    }
  }
  return undefined;
}

/** MySQL truthiness: non-zero numbers and numeric strings are true. */
function truthy(v: Const): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const n = parseFloat(v);
  return !Number.isNaN(n) && n !== 0;
}

function columnOf(v: unknown): string | undefined {
  const o = obj(v);
  if (o?.['type'] !== 'column_ref') return undefined;
  const col = o['column'];
  const name = typeof col === 'string' ? col : str(obj(obj(col)?.['expr'])?.['value']);
  return name === undefined ? undefined : `${str(o['table']) ?? ''}.${name}`;
}

function isValue(v: unknown): boolean {
  const o = obj(v);
  if (!o) return false;
  if (constOf(v) !== undefined) return true;
  const type = str(o['type']) ?? '';
  if (type === 'origin' && o['value'] === '?') return true;
  if (type === 'param' || type === 'var') return true;
  if (type === 'function') return arr(obj(o['args'])?.['value']).every(isValue);
  if (type === 'cast') return isValue(o['expr']);
  return false;
}

function isTautology(v: unknown): boolean {
  const c = constOf(v);
  if (c !== undefined) return c !== null && truthy(c);
  const o = obj(v);
  if (!o) return false;
  if (o['type'] === 'binary_expr') {
    const op = (str(o['operator']) ?? '').toUpperCase();
    if (op === 'OR' || op === '||') return isTautology(o['left']) || isTautology(o['right']);
    if (op === 'AND' || op === '&&') return isTautology(o['left']) && isTautology(o['right']);
    if (op === 'IS NOT' && obj(o['right'])?.['type'] === 'null' && columnOf(o['left']) !== undefined) return true;
    if (
      (op === '=' || op === '<=>' || op === '>=' || op === '<=') &&
      columnOf(o['left']) !== undefined &&
      columnOf(o['left']) === columnOf(o['right'])
    )
      return true;
    if (op === 'LIKE' && columnOf(o['left']) !== undefined) {
      const p = constOf(o['right']);
      if (typeof p === 'string' && /^%+$/.test(p)) return true;
    }
  }
  if (o['type'] === 'unary_expr' && (o['operator'] === 'NOT' || o['operator'] === '!')) {
    const inner = obj(o['expr']);
    if (constOf(inner) !== undefined) return !truthy(constOf(inner) ?? null) && constOf(inner) !== null;
    if (
      inner?.['type'] === 'binary_expr' &&
      (str(inner['operator']) ?? '').toUpperCase() === 'IS' &&
      obj(inner['right'])?.['type'] === 'null' &&
      columnOf(inner['left']) !== undefined
    )
      return true;
  }
  return false;
}

const RANGE = new Set([
  '<',
  '>',
  '<=',
  '>=',
  'BETWEEN',
  'NOT BETWEEN',
  'LIKE',
  'NOT LIKE',
  'REGEXP',
  'RLIKE',
  'NOT REGEXP',
  'GLOB',
  'MATCH',
]);

function predicateShape(v: unknown): Shape {
  if (isTautology(v)) return 'tautology';
  const o = obj(v);
  if (o?.['type'] !== 'binary_expr') return 'other';
  const op = (str(o['operator']) ?? '').toUpperCase();
  const l = o['left'];
  const r = o['right'];
  if (op === 'AND' || op === '&&') {
    const s = [predicateShape(l), predicateShape(r)];
    if (s.includes('key')) return 'key';
    if (s.includes('list')) return 'list';
    if (s.includes('value')) return 'value';
    if (s.includes('range')) return 'range';
    return 'other';
  }
  if (op === 'OR' || op === '||') {
    const s = [predicateShape(l), predicateShape(r)];
    if (s.every((x) => x === 'key' || x === 'list')) return 'list';
    if (s.includes('other')) return 'other';
    if (s.includes('range')) return 'range';
    return 'value';
  }
  if (op === '=' || op === '<=>') {
    const col = columnOf(l) !== undefined && isValue(r) ? columnOf(l) : columnOf(r) !== undefined && isValue(l) ? columnOf(r) : undefined;
    if (col === undefined) return 'other';
    return isKeyColumn(col) ? 'key' : 'value';
  }
  if (op === 'IN') {
    const items = arr(obj(r)?.['value']);
    const col = columnOf(l);
    if (col === undefined || obj(r)?.['type'] !== 'expr_list' || items.length === 0 || !items.every(isValue)) return 'other';
    return isKeyColumn(col) ? 'list' : 'value';
  }
  if (RANGE.has(op)) return 'range';
  return 'other';
}
