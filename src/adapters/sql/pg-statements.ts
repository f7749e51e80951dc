/**
 * PostgreSQL rules: classify libpg-query parse trees statement by statement (RISK.md SQL rules).
 * Every statement yields at least one effect; anything not recognised is `unknown`.
 */
import type { Effect, EffectVerb, RiskClass, Scope } from '../../core/assessment.js';
import { arr, names, nodeBody, nodeOf, obj, rangeVarName, str } from './pg-json.js';
import type { Json } from './pg-json.js';
import { constValue, predicateShape } from './pg-predicates.js';
import { FUNCTION_FACTS, SQL_TEXT_FUNCTIONS, isReadOnlyFunction } from './sql-functions.js';
import { deleteJudgement, foldTransactions, lineColumn, makeEffect, unknownEffect } from './sql-effects.js';
import type { EffectInit, StatementVerdict, TxControl } from './sql-effects.js';

/** The two libpg-query entry points the rules use (a structural subset of the module). */
export interface PgParserApi {
  parseSync(sql: string): unknown;
  parsePlPgSQLSync(sql: string): unknown;
}

/** A routine defined earlier in the same input, whose body is judged when it is called. */
type SessionFunction =
  | { readonly language: 'sql'; readonly body: string }
  | { readonly language: 'atomic'; readonly stmts: readonly unknown[] }
  | { readonly language: 'plpgsql'; readonly tree: unknown }
  | { readonly language: 'other'; readonly name: string };

/** State shared by the statements of one input: temp tables created, statements prepared, routines defined. */
export interface PgSession {
  readonly tempTables: Set<string>;
  readonly prepared: Map<string, unknown>;
  readonly functions: Map<string, SessionFunction>;
}

/** Creates the per-input state. */
export function newPgSession(): PgSession {
  return { tempTables: new Set(), prepared: new Map(), functions: new Map() };
}

interface Ctx {
  readonly api: PgParserApi;
  readonly session: PgSession;
  readonly source: string;
  readonly variables: ReadonlySet<string>;
  readonly depth: number;
}

/** Result of classifying a PostgreSQL text: effects after transaction folding, and notes. */
export interface PgTextResult {
  readonly effects: Effect[];
  readonly notes: string[];
  /** Statements the parser could not read (each one is an `unknown` effect). */
  readonly failures: number;
  readonly statements: number;
}

const MAX_DEPTH = 6;

/**
 * Classifies PostgreSQL text: parses it whole; when that fails, splits it at top-level `;` and
 * parses each part, so one bad statement does not hide the others. Never throws.
 */
export function classifyPgText(
  sql: string,
  api: PgParserApi,
  session: PgSession,
  options: { readonly depth?: number; readonly variables?: ReadonlySet<string>; readonly offset?: number } = {},
): PgTextResult {
  const depth = options.depth ?? 0;
  const variables = options.variables ?? new Set<string>();
  if (depth > MAX_DEPTH) {
    return { effects: [unknownEffect('sql', 'SQL nested too deeply to inspect', sql)], notes: [], failures: 1, statements: 1 };
  }
  const whole = tryParse(api, sql);
  if (whole.ok) {
    const verdicts = whole.stmts.map((s) => {
      const ctx: Ctx = { api, session, source: s.text, variables, depth };
      return safeStatement(s.node, ctx);
    });
    if (verdicts.length === 0) {
      return {
        effects: [
          makeEffect(
            { verb: 'read', resource: 'sql', scope: 'none', risk: 'read', reason: 'no statements (only comments or whitespace)' },
            sql,
          ),
        ],
        notes: [],
        failures: 0,
        statements: 0,
      };
    }
    const folded = foldTransactions(verdicts);
    return { effects: folded.effects, notes: folded.notes, failures: 0, statements: verdicts.length };
  }
  // Whole text failed: judge each `;`-separated part on its own.
  const parts = splitPg(api, sql);
  const verdicts: StatementVerdict[] = [];
  let failures = 0;
  for (const part of parts) {
    const parsed = tryParse(api, part.text);
    if (parsed.ok) {
      for (const s of parsed.stmts) verdicts.push(safeStatement(s.node, { api, session, source: s.text, variables, depth }));
    } else {
      failures++;
      const at = (options.offset ?? 0) + part.start + parsed.position;
      const { line, column } = lineColumn(sql, part.start + parsed.position);
      verdicts.push({
        effects: [
          unknownEffect(
            'sql',
            `PostgreSQL parser cannot read this statement: ${parsed.message} at position ${at} (line ${line}, column ${column})`,
            part.text,
          ),
        ],
      });
    }
  }
  const folded = foldTransactions(verdicts);
  return { effects: folded.effects, notes: folded.notes, failures, statements: verdicts.length };
}

type ParseOutcome =
  | { readonly ok: true; readonly stmts: { node: unknown; text: string }[] }
  | { readonly ok: false; readonly message: string; readonly position: number };

function tryParse(api: PgParserApi, sql: string): ParseOutcome {
  let tree: unknown;
  try {
    tree = api.parseSync(sql);
  } catch (e) {
    const details = obj(obj(e)?.['sqlDetails']);
    const position = typeof details?.['cursorPosition'] === 'number' ? details['cursorPosition'] : 0;
    return { ok: false, message: e instanceof Error ? e.message : String(e), position };
  }
  const stmts = arr(obj(tree)?.['stmts']);
  const ascii = !/[^\x00-\x7f]/.test(sql);
  const bytes = ascii ? undefined : Buffer.from(sql, 'utf8');
  const total = bytes ? bytes.length : sql.length;
  return {
    ok: true,
    stmts: stmts.map((raw) => {
      const r = obj(raw) ?? {};
      const loc = typeof r['stmt_location'] === 'number' ? r['stmt_location'] : 0;
      const len = typeof r['stmt_len'] === 'number' && r['stmt_len'] > 0 ? r['stmt_len'] : total - loc;
      const text = bytes ? bytes.subarray(loc, loc + len).toString('utf8') : sql.slice(loc, loc + len);
      return { node: r['stmt'], text };
    }),
  };
}

/** Splits at `;` tokens the PostgreSQL scanner sees (not inside strings, comments or dollar quotes). */
function splitPg(api: PgParserApi, sql: string): { text: string; start: number }[] {
  const scanner = (api as Partial<{ scanSync(s: string): unknown }>).scanSync;
  const cuts: number[] = [];
  if (typeof scanner === 'function') {
    try {
      const tokens = arr(obj(scanner.call(api, sql))?.['tokens']);
      const bytes = Buffer.from(sql, 'utf8');
      for (const t of tokens) {
        const tok = obj(t);
        if (tok && tok['text'] === ';' && typeof tok['start'] === 'number')
          cuts.push(bytes.subarray(0, tok['start']).toString('utf8').length);
      }
    } catch {
      cuts.length = 0;
    }
  }
  const parts: { text: string; start: number }[] = [];
  let start = 0;
  for (const cut of [...cuts, sql.length]) {
    const text = sql.slice(start, cut);
    if (text.trim() !== '') parts.push({ text, start });
    start = cut + 1;
  }
  return parts.length > 0 ? parts : [{ text: sql, start: 0 }];
}

function safeStatement(node: unknown, ctx: Ctx): StatementVerdict {
  try {
    return statement(node, ctx);
  } catch (e) {
    // A bug in a rule must not let a statement through: fail closed.
    return { effects: [unknownEffect('sql', `classifier error: ${e instanceof Error ? e.message : String(e)}`, ctx.source)] };
  }
}

const fx = (ctx: Ctx, init: EffectInit): Effect => makeEffect(init, ctx.source);

function read(ctx: Ctx, resource: string, reason: string): Effect {
  return fx(ctx, { verb: 'read', resource, scope: 'none', risk: 'read', reason });
}

function one(...effects: Effect[]): StatementVerdict {
  return { effects };
}

/** Classifies one statement node. */
function statement(node: unknown, ctx: Ctx): StatementVerdict {
  const n = nodeOf(node);
  if (!n) return one(unknownEffect('sql', 'statement has no parse tree', ctx.source));
  const [type, body] = n;
  switch (type) {
    case 'SelectStmt':
      return selectStmt(body, ctx);
    case 'InsertStmt':
      return insertStmt(body, ctx);
    case 'UpdateStmt':
      return updateStmt(body, ctx);
    case 'DeleteStmt':
      return deleteStmt(body, ctx);
    case 'MergeStmt':
      return mergeStmt(body, ctx);
    case 'TruncateStmt':
      return truncateStmt(body, ctx);
    case 'DropStmt':
      return dropStmt(body, ctx);
    case 'DropdbStmt':
      return one(
        fx(ctx, {
          verb: 'delete',
          resource: `database ${str(body['dbname']) ?? '?'}`,
          scope: 'database',
          risk: 'catastrophic',
          reason: 'DROP DATABASE deletes a whole database',
          nonTransactional: true,
        }),
      );
    case 'DropOwnedStmt':
      return one(
        fx(ctx, {
          verb: 'delete',
          resource: `objects owned by ${roleNames(body['roles']).join(', ')}`,
          scope: 'database',
          risk: 'catastrophic',
          reason: 'DROP OWNED deletes every object the role owns in the database',
        }),
      );
    case 'DropRoleStmt':
      return one(
        ...roleNames(body['roles']).map((r) =>
          fx(ctx, { verb: 'delete', resource: `role ${r}`, scope: 'resource', risk: 'destructive', reason: 'drops a role' }),
        ),
      );
    case 'DropSubscriptionStmt':
      return one(
        fx(ctx, {
          verb: 'delete',
          resource: `subscription ${str(body['subname']) ?? '?'}`,
          scope: 'resource',
          risk: 'destructive',
          reason: 'drops a subscription and its remote replication slot',
          nonTransactional: true,
        }),
      );
    case 'DropTableSpaceStmt':
      return one(
        fx(ctx, {
          verb: 'delete',
          resource: `tablespace ${str(body['tablespacename']) ?? '?'}`,
          scope: 'resource',
          risk: 'destructive',
          reason: 'drops a tablespace',
          nonTransactional: true,
        }),
      );
    case 'DropUserMappingStmt':
      return one(
        fx(ctx, {
          verb: 'delete',
          resource: 'user mapping',
          scope: 'resource',
          risk: 'write',
          reason: 'drops a user mapping (configuration)',
        }),
      );
    case 'AlterTableStmt':
      return alterTableStmt(body, ctx);
    case 'CreateStmt':
      return createStmt(body, ctx);
    case 'CreateTableAsStmt':
      return createTableAs(body, ctx);
    case 'ExplainStmt':
      return explainStmt(body, ctx);
    case 'CopyStmt':
      return copyStmt(body, ctx);
    case 'DoStmt':
      return doStmt(body, ctx);
    case 'CallStmt':
      return one(
        fx(ctx, {
          verb: 'execute',
          resource: `procedure ${funcName(nodeBody(body['funccall'], 'FuncCall')) ?? '?'}`,
          scope: 'unknown',
          risk: 'unknown',
          reason: 'CALL runs a procedure whose effects are not visible here',
        }),
        ...nested(body['funccall'] ? nodeBody(body['funccall'], 'FuncCall')?.['args'] : undefined, ctx),
      );
    case 'PrepareStmt': {
      const name = str(body['name']) ?? '';
      ctx.session.prepared.set(name.toLowerCase(), body['query']);
      return one(read(ctx, `prepared statement ${name}`, 'PREPARE only stores a statement; EXECUTE runs it'));
    }
    case 'ExecuteStmt': {
      const name = str(body['name']) ?? '';
      const query = ctx.session.prepared.get(name.toLowerCase());
      if (query === undefined) {
        return one(
          unknownEffect(`prepared statement ${name}`, `EXECUTE runs prepared statement ${name}, which is not in this input`, ctx.source),
        );
      }
      const inner = statement(query, ctx);
      return { effects: [...inner.effects, ...nested(body['params'], ctx)] };
    }
    case 'DeallocateStmt':
      return one(read(ctx, 'prepared statement', 'DEALLOCATE only forgets a prepared statement'));
    case 'TransactionStmt':
      return transactionStmt(body, ctx);
    case 'VariableSetStmt':
      return one(read(ctx, 'session', 'SET/RESET changes only session settings'));
    case 'VariableShowStmt':
      return one(read(ctx, 'session', 'SHOW reads a setting'));
    case 'DiscardStmt':
    case 'ListenStmt':
    case 'UnlistenStmt':
    case 'ConstraintsSetStmt':
    case 'FetchStmt':
    case 'ClosePortalStmt':
      return one(read(ctx, 'session', `${type.replace(/Stmt$/, '').toUpperCase()} changes only session state`));
    case 'DeclareCursorStmt':
      return selectLike(body['query'], ctx, 'cursor');
    case 'LockStmt':
      return one(
        fx(ctx, {
          verb: 'read',
          resource:
            relations(body['relations'])
              .map((r) => `table ${r}`)
              .join(', ') || 'table',
          scope: 'none',
          risk: 'read',
          disruptive: true,
          reason: 'LOCK changes no data but blocks other sessions until the transaction ends',
        }),
      );
    case 'NotifyStmt':
      return one(
        fx(ctx, {
          verb: 'execute',
          resource: `channel ${str(body['conditionname']) ?? '?'}`,
          scope: 'resource',
          risk: 'write',
          reason: 'NOTIFY sends a message to listeners',
        }),
      );
    case 'VacuumStmt': {
      const opts = arr(body['options']).map((o) => str(nodeBody(o, 'DefElem')?.['defname']) ?? '');
      const full = opts.includes('full');
      const rels = arr(body['rels']).map((r) =>
        rangeVarName(nodeBody(nodeBody(r, 'VacuumRelation')?.['relation'], 'RangeVar') ?? obj(nodeBody(r, 'VacuumRelation')?.['relation'])),
      );
      const what = body['is_vacuumcmd'] === true ? 'VACUUM' : 'ANALYZE';
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: rels.length > 0 ? rels.map((r) => `table ${r}`).join(', ') : 'every table',
          scope: rels.length > 0 ? 'resource' : 'database',
          risk: 'write',
          disruptive: full,
          reason: full
            ? 'VACUUM FULL rewrites tables under an exclusive lock (blocks reads and writes)'
            : `${what} updates storage or planner statistics; no data changes`,
          nonTransactional: true,
        }),
      );
    }
    case 'ClusterStmt':
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: body['relation'] ? `table ${rangeVarName(obj(body['relation']))}` : 'every clustered table',
          scope: 'resource',
          risk: 'write',
          disruptive: true,
          reason: 'CLUSTER rewrites the table under an exclusive lock',
        }),
      );
    case 'ReindexStmt': {
      const concurrent = arr(body['params']).some((o) => str(nodeBody(o, 'DefElem')?.['defname']) === 'concurrently');
      return one(
        fx(ctx, {
          verb: 'modify',
          resource:
            `${(str(body['kind']) ?? 'REINDEX_OBJECT_INDEX').replace('REINDEX_OBJECT_', '').toLowerCase()} ${body['relation'] ? rangeVarName(obj(body['relation'])) : (str(body['name']) ?? '')}`.trim(),
          scope: 'resource',
          risk: 'write',
          disruptive: !concurrent,
          reason: concurrent
            ? 'REINDEX CONCURRENTLY rebuilds indexes (regenerable)'
            : 'REINDEX rebuilds indexes (regenerable) and blocks writes while it runs',
        }),
      );
    }
    case 'RefreshMatViewStmt':
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: `materialized view ${rangeVarName(obj(body['relation']))}`,
          scope: 'resource',
          risk: 'write',
          disruptive: body['concurrent'] !== true,
          reason: 'REFRESH MATERIALIZED VIEW recomputes derived data',
        }),
      );
    case 'CheckPointStmt':
      return one(
        fx(ctx, {
          verb: 'execute',
          resource: 'server',
          scope: 'resource',
          risk: 'write',
          reason: 'CHECKPOINT flushes buffers; no data changes',
          nonTransactional: true,
        }),
      );
    case 'LoadStmt':
      return one(
        unknownEffect(
          `library ${str(body['filename']) ?? '?'}`,
          'LOAD loads a shared library into the server (runs native code)',
          ctx.source,
          true,
        ),
      );
    case 'AlterSystemStmt':
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: 'server configuration',
          scope: 'resource',
          risk: 'write',
          reason: 'ALTER SYSTEM changes server configuration (postgresql.auto.conf)',
          nonTransactional: true,
        }),
      );
    case 'CreatedbStmt':
      return one(
        fx(ctx, {
          verb: 'create',
          resource: `database ${str(body['dbname']) ?? '?'}`,
          scope: 'resource',
          risk: 'write',
          reason: 'creates a database',
          nonTransactional: true,
        }),
      );
    case 'RenameStmt':
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: renameTarget(body),
          scope: 'resource',
          risk: 'write',
          reason: `renames ${objectKind(str(body['renameType']))} to ${str(body['newname']) ?? '?'}`,
        }),
      );
    case 'ViewStmt':
      return one(
        fx(ctx, {
          verb: body['replace'] === true ? 'replace' : 'create',
          resource: `view ${rangeVarName(obj(body['view']))}`,
          scope: 'resource',
          risk: 'write',
          reason: body['replace'] === true ? 'CREATE OR REPLACE VIEW changes a view definition' : 'creates a view',
        }),
      );
    case 'IndexStmt':
      return one(
        fx(ctx, {
          verb: 'create',
          resource: `index ${str(body['idxname']) ?? '(unnamed)'} on table ${rangeVarName(obj(body['relation']))}`,
          scope: 'resource',
          risk: 'write',
          reason:
            body['concurrent'] === true ? 'creates an index concurrently' : 'creates an index (blocks writes to the table while it builds)',
        }),
      );
    case 'GrantStmt':
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: `privileges on ${objectKind(str(body['objtype']))}`,
          scope: 'resource',
          risk: 'write',
          reason: body['is_grant'] === true ? 'GRANT adds privileges' : 'REVOKE removes privileges (reversible by GRANT)',
        }),
      );
    case 'GrantRoleStmt':
      return one(
        fx(ctx, {
          verb: 'modify',
          resource: `role membership ${roleNames(body['grantee_roles']).join(', ')}`,
          scope: 'resource',
          risk: 'write',
          reason: body['is_grant'] === true ? 'GRANT adds role membership' : 'REVOKE removes role membership',
        }),
      );
    case 'CreateFunctionStmt':
      rememberFunction(body, ctx);
      return one(
        fx(ctx, {
          verb: body['replace'] === true ? 'replace' : 'create',
          resource: `${body['is_procedure'] === true ? 'procedure' : 'function'} ${names(body['funcname']).join('.')}`,
          scope: 'resource',
          risk: 'write',
          reason: 'defines a routine; its body runs only when called',
        }),
      );
    default:
      if (/^(Create|Alter|Define|Comment|SecLabel|Reassign|Import|CompositeType|Rule)/.test(type)) {
        return one(
          fx(ctx, {
            verb: type.startsWith('Create') || type === 'DefineStmt' || type === 'CompositeTypeStmt' ? 'create' : 'modify',
            resource: type.replace(/Stmt$/, ''),
            scope: 'resource',
            risk: 'write',
            reason: `${type.replace(/Stmt$/, '')}: schema or configuration change`,
          }),
        );
      }
      return one(unknownEffect('sql', `statement type ${type} is not classified`, ctx.source));
  }
}

/** Records a routine created in this input so that a later call in the same input is judged by its body. */
function rememberFunction(body: Json, ctx: Ctx): void {
  const parts = names(body['funcname']).map((p) => p.toLowerCase());
  const name = parts[parts.length - 1];
  if (name === undefined || (parts.length > 1 && parts[0] !== 'public')) return;
  let language = 'sql';
  let code: string | undefined;
  for (const o of arr(body['options'])) {
    const d = nodeBody(o, 'DefElem');
    if (str(d?.['defname']) === 'language') language = (str(nodeBody(d?.['arg'], 'String')?.['sval']) ?? language).toLowerCase();
    if (str(d?.['defname']) === 'as') code = names(nodeBody(d?.['arg'], 'List')?.['items'])[0];
  }
  const atomic = body['sql_body'];
  if (atomic !== undefined) {
    const stmts = arr(nodeBody(atomic, 'List')?.['items']).flatMap((i) =>
      nodeBody(i, 'List') ? arr(nodeBody(i, 'List')?.['items']) : [i],
    );
    ctx.session.functions.set(name, { language: 'atomic', stmts });
  } else if (language === 'sql' && code !== undefined) {
    ctx.session.functions.set(name, { language: 'sql', body: code });
  } else if (language === 'plpgsql') {
    try {
      ctx.session.functions.set(name, { language: 'plpgsql', tree: ctx.api.parsePlPgSQLSync(ctx.source) });
    } catch {
      ctx.session.functions.set(name, { language: 'other', name: 'plpgsql (unparseable)' });
    }
  } else {
    ctx.session.functions.set(name, { language: 'other', name: language });
  }
}

/** Effects of calling a routine defined earlier in this input. */
function sessionFunctionEffects(name: string, fn: SessionFunction, ctx: Ctx): Effect[] {
  if (ctx.depth >= MAX_DEPTH) return [unknownEffect(`function ${name}()`, 'routine calls nested too deeply to inspect', ctx.source)];
  const inner: Ctx = { ...ctx, depth: ctx.depth + 1, variables: new Set() };
  let effects: Effect[];
  switch (fn.language) {
    case 'sql':
      effects = classifyPgText(fn.body, ctx.api, ctx.session, { depth: ctx.depth + 1 }).effects;
      break;
    case 'atomic':
      effects = fn.stmts.flatMap((st) => [...statement(st, inner).effects]);
      break;
    case 'plpgsql':
      effects = plpgsqlEffects(fn.tree, inner);
      break;
    case 'other':
      return [
        unknownEffect(`function ${name}()`, `function ${name}() defined in this input in language ${fn.name} is not inspected`, ctx.source),
      ];
  }
  return effects.map((e) =>
    makeEffect(
      {
        verb: e.verb,
        resource: e.resource,
        scope: e.scope,
        risk: e.risk,
        disruptive: e.disruptive,
        reversible: e.reversible,
        reason: `calls ${name}() defined in this input: ${e.reason}`,
      },
      ctx.source,
    ),
  );
}

function roleNames(v: unknown): string[] {
  return arr(v).map((r) => {
    const spec = nodeBody(r, 'RoleSpec');
    return str(spec?.['rolename']) ?? (str(spec?.['roletype']) ?? '?').replace('ROLESPEC_', '').toLowerCase();
  });
}

function relations(v: unknown): string[] {
  return arr(v).map((r) => rangeVarName(nodeBody(r, 'RangeVar')));
}

function objectKind(objtype: string | undefined): string {
  return (objtype ?? 'OBJECT_UNKNOWN')
    .replace(/^OBJECT_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

function renameTarget(body: Json): string {
  const kind = objectKind(str(body['renameType']));
  if (body['relation']) {
    const rel = rangeVarName(obj(body['relation']));
    const sub = str(body['subname']);
    return sub ? `${kind} ${rel}.${sub}` : `${kind} ${rel}`;
  }
  return `${kind} ${objectName(body['object'])}`;
}

/** Whether a RangeVar names a temporary table (`pg_temp.x`, or created as TEMP earlier in this input). */
function isTemp(rv: Json | undefined, ctx: Ctx): boolean {
  if (!rv) return false;
  const schema = str(rv['schemaname']);
  if (schema === 'pg_temp') return true;
  if (schema !== undefined) return false;
  return ctx.session.tempTables.has((str(rv['relname']) ?? '').toLowerCase());
}

/** Changing a temporary table: session-only data, so write whatever the statement (RISK.md: temp tables are write). */
function tempWrite(ctx: Ctx, name: string, what: string): Effect {
  return fx(ctx, {
    verb: 'modify',
    resource: `temp table ${name}`,
    scope: 'resource',
    risk: 'write',
    reason: `${what} a temporary table (session-only data)`,
  });
}

function tempRead(ctx: Ctx, rv: Json | undefined, what: string): Effect {
  return tempWrite(ctx, rangeVarName(rv), what);
}

/** Effects of everything executed inside an expression or clause: function calls and data-modifying CTEs. */
function nested(v: unknown, ctx: Ctx): Effect[] {
  const out: Effect[] = [];
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const i of x) visit(i);
      return;
    }
    const o = obj(x);
    if (!o) return;
    for (const [k, child] of Object.entries(o)) {
      if (k === 'FuncCall') {
        const fc = obj(child);
        if (fc) out.push(...functionEffects(fc, ctx));
        visit(child);
      } else if (k === 'InsertStmt' || k === 'UpdateStmt' || k === 'DeleteStmt' || k === 'MergeStmt') {
        out.push(...statement({ [k]: child }, ctx).effects);
      } else if (k === 'SelectStmt' && obj(child)?.['intoClause'] !== undefined) {
        out.push(...statement({ [k]: child }, ctx).effects);
      } else {
        visit(child);
      }
    }
  };
  visit(v);
  return out;
}

function funcName(fc: Json | undefined): string | undefined {
  if (!fc) return undefined;
  const parts = names(fc['funcname']);
  return parts.length > 0 ? parts.join('.') : undefined;
}

function functionEffects(fc: Json, ctx: Ctx): Effect[] {
  const parts = names(fc['funcname']).map((p) => p.toLowerCase());
  const qualified = parts.join('.');
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const name = parts[parts.length - 1] ?? '';
  const builtin = schema === undefined || schema === 'pg_catalog';
  const own = schema === undefined || schema === 'public' ? ctx.session.functions.get(name) : undefined;
  if (own) return sessionFunctionEffects(qualified, own, ctx);
  if (builtin) {
    const fact = FUNCTION_FACTS.get(name);
    if (fact) {
      if (fact.risk === 'read') return [];
      return [
        fx(ctx, {
          verb: fact.risk === 'write' ? 'execute' : fact.risk === 'unknown' ? 'execute' : 'delete',
          resource: `function ${qualified}()`,
          scope: 'resource',
          risk: fact.risk,
          disruptive: fact.disruptive ?? false,
          reason: `${name}() ${fact.reason}`,
          nonTransactional: fact.nonTransactional ?? false,
        }),
      ];
    }
    const textFn = SQL_TEXT_FUNCTIONS.get(name);
    if (textFn) return sqlTextFunction(fc, name, textFn.remote, ctx);
    if (isReadOnlyFunction(name)) return [];
  }
  return [
    fx(ctx, {
      verb: 'execute',
      resource: `function ${qualified}()`,
      scope: 'unknown',
      risk: 'unknown',
      reason: `function ${qualified}() is not known to be read-only (it may write)`,
    }),
  ];
}

/** dblink(…, 'sql'), query_to_xml('sql', …): classify the SQL literal; unknown when it is not one. */
function sqlTextFunction(fc: Json, name: string, remote: boolean, ctx: Ctx): Effect[] {
  const out: Effect[] = [];
  let found = false;
  for (const a of arr(fc['args'])) {
    const text = constValue(a);
    if (typeof text !== 'string' || text.trim() === '') continue;
    const probe = tryParse(ctx.api, text);
    if (!probe.ok || probe.stmts.length === 0) continue;
    found = true;
    const inner = classifyPgText(text, ctx.api, remote ? newPgSession() : ctx.session, { depth: ctx.depth + 1 });
    for (const e of inner.effects) {
      out.push(
        makeEffect(
          {
            verb: e.verb,
            resource: remote ? `remote ${e.resource}` : e.resource,
            scope: e.scope,
            risk: e.risk,
            disruptive: e.disruptive,
            reversible: e.reversible,
            reason: `${name}() runs SQL${remote ? ' on another server' : ''}: ${e.reason}`,
            nonTransactional: remote,
          },
          ctx.source,
        ),
      );
    }
  }
  if (!found) {
    out.push(
      fx(ctx, {
        verb: 'execute',
        resource: `function ${name}()`,
        scope: 'unknown',
        risk: 'unknown',
        reason: `${name}() runs SQL that is not a literal here (dynamic SQL)`,
        nonTransactional: remote,
      }),
    );
  }
  return out;
}

function tableNames(v: unknown): string[] {
  const out = new Set<string>();
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const i of x) visit(i);
      return;
    }
    const o = obj(x);
    if (!o) return;
    for (const [k, child] of Object.entries(o)) {
      if (k === 'RangeVar') out.add(rangeVarName(obj(child)));
      else visit(child);
    }
  };
  visit(v);
  return [...out];
}

function selectLike(query: unknown, ctx: Ctx, what: string): StatementVerdict {
  const effects = nested(query, ctx);
  const tables = tableNames(query);
  const resource =
    tables.length > 0
      ? tables
          .slice(0, 5)
          .map((t) => `table ${t}`)
          .join(', ')
      : 'expressions';
  return { effects: [read(ctx, resource, `${what} reads data`), ...effects] };
}

function selectStmt(body: Json, ctx: Ctx): StatementVerdict {
  const into = obj(body['intoClause']);
  if (into) {
    const rel = obj(into['rel']);
    const rest = { ...body, intoClause: undefined };
    const temp = str(rel?.['relpersistence']) === 't';
    if (temp) ctx.session.tempTables.add((str(rel?.['relname']) ?? '').toLowerCase());
    return {
      effects: [
        temp
          ? read(ctx, `temp table ${rangeVarName(rel)}`, 'SELECT INTO a temporary table (session-only)')
          : fx(ctx, {
              verb: 'create',
              resource: `table ${rangeVarName(rel)}`,
              scope: 'resource',
              risk: 'write',
              reason: 'SELECT INTO creates a table',
            }),
        ...nested(rest, ctx),
      ],
    };
  }
  return selectLike(body, ctx, 'SELECT');
}

function insertStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  const { relation: _r, ...rest } = body;
  if (isTemp(rv, ctx)) return { effects: [tempRead(ctx, rv, 'INSERT into'), ...nested(rest, ctx)] };
  const sel = nodeBody(body['selectStmt'], 'SelectStmt');
  const rows = arr(sel?.['valuesLists']).length;
  const upsert = str(obj(body['onConflictClause'])?.['action']) === 'ONCONFLICT_UPDATE';
  return {
    effects: [
      fx(ctx, {
        verb: upsert ? 'modify' : 'create',
        resource: `table ${rangeVarName(rv)}`,
        scope: rows === 1 ? 'resource' : 'selection',
        risk: 'write',
        reason: upsert
          ? 'INSERT … ON CONFLICT DO UPDATE adds or updates rows by key'
          : rows > 0
            ? `INSERT adds ${rows} row(s)`
            : 'INSERT … SELECT adds rows',
      }),
      ...nested(rest, ctx),
    ],
  };
}

function updateStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  const { relation: _r, ...rest } = body;
  if (isTemp(rv, ctx)) return { effects: [tempRead(ctx, rv, 'UPDATE of'), ...nested(rest, ctx)] };
  const table = `table ${rangeVarName(rv)}`;
  const where = body['whereClause'];
  let e: Effect;
  if (where === undefined) {
    e = fx(ctx, {
      verb: 'modify',
      resource: table,
      scope: 'all',
      risk: 'destructive',
      reason: 'UPDATE without WHERE overwrites every row',
    });
  } else {
    const shape = predicateShape(where, { variables: ctx.variables });
    e =
      shape === 'tautology'
        ? fx(ctx, {
            verb: 'modify',
            resource: table,
            scope: 'all',
            risk: 'destructive',
            reason: 'UPDATE with an always-true WHERE overwrites every row',
          })
        : fx(ctx, {
            verb: 'modify',
            resource: table,
            scope: shape === 'key' ? 'resource' : 'selection',
            risk: 'write',
            reason: `UPDATE with a ${shape === 'key' ? 'key' : shape === 'list' ? 'list' : 'bounding'} predicate (UPDATE … WHERE is write)`,
          });
  }
  return { effects: [e, ...nested(rest, ctx)] };
}

function deleteStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  const { relation: _r, ...rest } = body;
  if (isTemp(rv, ctx)) return { effects: [tempRead(ctx, rv, 'DELETE from'), ...nested(rest, ctx)] };
  const table = `table ${rangeVarName(rv)}`;
  const where = body['whereClause'];
  const j = deleteJudgement(where === undefined ? 'absent' : predicateShape(where, { variables: ctx.variables }));
  const e = fx(ctx, { verb: 'delete', resource: table, scope: j.scope, risk: j.risk, reason: j.reason });
  return { effects: [e, ...nested(rest, ctx)] };
}

function mergeStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  const { relation: _r, ...rest } = body;
  const cmds = arr(body['mergeWhenClauses']).map((c) => str(nodeBody(c, 'MergeWhenClause')?.['commandType']));
  const deletes = cmds.includes('CMD_DELETE');
  return {
    effects: [
      fx(ctx, {
        verb: deletes ? 'delete' : 'modify',
        resource: `table ${rangeVarName(rv)}`,
        scope: 'selection',
        risk: deletes ? 'destructive' : 'write',
        reason: deletes ? 'MERGE … THEN DELETE removes every matched row' : 'MERGE inserts or updates rows',
      }),
      ...nested(rest, ctx),
    ],
  };
}

function truncateStmt(body: Json, ctx: Ctx): StatementVerdict {
  const cascade = str(body['behavior']) === 'DROP_CASCADE';
  return {
    effects: arr(body['relations']).map((r) => {
      const rv = nodeBody(r, 'RangeVar');
      if (isTemp(rv, ctx)) return tempRead(ctx, rv, 'TRUNCATE of');
      return fx(ctx, {
        verb: 'delete',
        resource: `table ${rangeVarName(rv)}`,
        scope: 'all',
        risk: 'destructive',
        reason: `TRUNCATE removes every row${cascade ? ', and CASCADE truncates referencing tables too' : ''}`,
      });
    }),
  };
}

function objectName(v: unknown): string {
  const n = nodeOf(v);
  if (!n) return '?';
  const [type, body] = n;
  switch (type) {
    case 'String':
      return str(body['sval']) ?? '?';
    case 'List':
      return names(body['items']).join('.');
    case 'TypeName':
      return names(body['names']).join('.');
    case 'ObjectWithArgs':
      return names(body['objname']).join('.');
    default:
      return '?';
  }
}

interface DropRule {
  readonly risk: RiskClass;
  readonly cascadeRisk: RiskClass;
  readonly scope: Scope;
  readonly cascadeScope?: Scope;
  readonly why: string;
}

const DROP_RULES: Readonly<Record<string, DropRule>> = {
  OBJECT_TABLE: {
    risk: 'destructive',
    cascadeRisk: 'destructive',
    scope: 'resource',
    why: 'DROP TABLE deletes the table and all its rows',
  },
  OBJECT_MATVIEW: { risk: 'destructive', cascadeRisk: 'destructive', scope: 'resource', why: 'DROP MATERIALIZED VIEW deletes stored data' },
  OBJECT_SEQUENCE: { risk: 'destructive', cascadeRisk: 'destructive', scope: 'resource', why: 'DROP SEQUENCE loses its current value' },
  OBJECT_VIEW: { risk: 'write', cascadeRisk: 'write', scope: 'resource', why: 'DROP VIEW removes a definition only (no data)' },
  OBJECT_INDEX: { risk: 'write', cascadeRisk: 'write', scope: 'resource', why: 'DROP INDEX removes a regenerable index' },
  OBJECT_SCHEMA: { risk: 'destructive', cascadeRisk: 'catastrophic', scope: 'resource', cascadeScope: 'database', why: 'DROP SCHEMA' },
  OBJECT_TYPE: { risk: 'write', cascadeRisk: 'destructive', scope: 'resource', why: 'DROP TYPE' },
  OBJECT_DOMAIN: { risk: 'write', cascadeRisk: 'destructive', scope: 'resource', why: 'DROP DOMAIN' },
  OBJECT_EXTENSION: { risk: 'write', cascadeRisk: 'destructive', scope: 'resource', why: 'DROP EXTENSION' },
  OBJECT_FOREIGN_TABLE: {
    risk: 'write',
    cascadeRisk: 'destructive',
    scope: 'resource',
    why: 'DROP FOREIGN TABLE removes a definition (data stays remote)',
  },
};

function dropStmt(body: Json, ctx: Ctx): StatementVerdict {
  const kindName = str(body['removeType']) ?? 'OBJECT_UNKNOWN';
  const cascade = str(body['behavior']) === 'DROP_CASCADE';
  const rule: DropRule = DROP_RULES[kindName] ?? {
    risk: 'write',
    cascadeRisk: 'destructive',
    scope: 'resource',
    why: `DROP ${objectKind(kindName).toUpperCase()} removes a definition`,
  };
  const kind = objectKind(kindName);
  const effects = arr(body['objects']).map((o) => {
    const name = objectName(o);
    if (
      kindName === 'OBJECT_TABLE' &&
      ((!name.includes('.') && ctx.session.tempTables.has(name.toLowerCase())) || name.toLowerCase().startsWith('pg_temp.'))
    ) {
      return tempWrite(ctx, name, 'DROP of');
    }
    const risk = cascade ? rule.cascadeRisk : rule.risk;
    const why = cascade
      ? `${rule.why} … CASCADE also drops every dependent object`
      : kindName === 'OBJECT_SCHEMA'
        ? 'DROP SCHEMA (without CASCADE it fails unless the schema is empty)'
        : rule.why;
    return fx(ctx, {
      verb: 'delete',
      resource: `${kind} ${name}`,
      scope: cascade ? (rule.cascadeScope ?? rule.scope) : rule.scope,
      risk,
      reason: why,
    });
  });
  return { effects: effects.length > 0 ? effects : [unknownEffect('sql', 'DROP with no objects', ctx.source)] };
}

/** Target types that hold any value of the usual source types without loss (when no USING rewrites it). */
const WIDE_TYPES = new Set(['text', 'varchar', 'int8', 'bigint', 'numeric', 'decimal', 'citext', 'float8', 'jsonb']);

function alterTableStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  const rel = rangeVarName(rv);
  const objtype = str(body['objtype']) ?? 'OBJECT_TABLE';
  const kind = objectKind(objtype);
  if (isTemp(rv, ctx)) return { effects: [tempRead(ctx, rv, 'ALTER of')] };
  const effects: Effect[] = [];
  for (const c of arr(body['cmds'])) {
    const cmd = nodeBody(c, 'AlterTableCmd');
    if (!cmd) continue;
    const subtype = str(cmd['subtype']) ?? '';
    const col = str(cmd['name']);
    const cascade = str(cmd['behavior']) === 'DROP_CASCADE';
    const w = (verb: EffectVerb, reason: string, disruptive = false): Effect =>
      fx(ctx, { verb, resource: col ? `column ${rel}.${col}` : `${kind} ${rel}`, scope: 'resource', risk: 'write', reason, disruptive });
    switch (subtype) {
      case 'AT_DropColumn':
        effects.push(
          fx(ctx, {
            verb: 'delete',
            resource: `column ${rel}.${col ?? '?'}`,
            scope: 'resource',
            risk: 'destructive',
            reason: `DROP ${objtype === 'OBJECT_TYPE' ? 'ATTRIBUTE' : 'COLUMN'} deletes the column's data${cascade ? '; CASCADE also drops dependent objects' : ''}`,
          }),
        );
        break;
      case 'AT_AlterColumnType': {
        const def = nodeBody(cmd['def'], 'ColumnDef');
        const tn = obj(def?.['typeName']);
        const typeParts = names(tn?.['names']);
        const typeName = (typeParts[typeParts.length - 1] ?? '?').toLowerCase();
        const mods = arr(tn?.['typmods']).length;
        const using = def?.['raw_default'];
        const usingIsPlainCast =
          using === undefined ||
          (() => {
            const cast = nodeBody(using, 'TypeCast');
            const ref = nodeBody(cast?.['arg'], 'ColumnRef');
            return ref !== undefined && names(ref['fields']).join('.') === col;
          })();
        const wide = WIDE_TYPES.has(typeName) && mods === 0 && usingIsPlainCast;
        const shown = `${typeName}${mods > 0 ? '(…)' : ''}`;
        effects.push(
          wide
            ? fx(ctx, {
                verb: 'modify',
                resource: `column ${rel}.${col ?? '?'}`,
                scope: 'resource',
                risk: 'write',
                reason: `ALTER COLUMN TYPE ${shown}: a widening type that keeps every value`,
              })
            : fx(ctx, {
                verb: 'modify',
                resource: `column ${rel}.${col ?? '?'}`,
                scope: 'resource',
                risk: 'destructive',
                disruptive: true,
                reason: `ALTER COLUMN TYPE ${shown}${using !== undefined && !usingIsPlainCast ? ' USING an expression' : ''} may truncate or convert values (lossy)`,
              }),
        );
        if (using !== undefined) effects.push(...nested(using, ctx));
        break;
      }
      case 'AT_AddColumn':
        effects.push(
          fx(ctx, {
            verb: 'create',
            resource: `column ${rel}.${str(nodeBody(cmd['def'], 'ColumnDef')?.['colname']) ?? '?'}`,
            scope: 'resource',
            risk: 'write',
            reason: 'ADD COLUMN is additive',
          }),
        );
        break;
      case 'AT_SetTableSpace':
      case 'AT_SetAccessMethod':
        effects.push(w('modify', `${subtype.replace('AT_', '')} rewrites the table under an exclusive lock`, true));
        break;
      case 'AT_DetachPartition':
        effects.push(w('modify', 'DETACH PARTITION keeps the partition as its own table'));
        break;
      default:
        effects.push(w(subtype.startsWith('AT_Add') ? 'create' : 'modify', `ALTER ${kind.toUpperCase()} ${subtype.replace('AT_', '')}`));
    }
  }
  return {
    effects:
      effects.length > 0
        ? effects
        : [fx(ctx, { verb: 'modify', resource: `${kind} ${rel}`, scope: 'resource', risk: 'write', reason: 'ALTER' })],
  };
}

function createStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  if (str(rv?.['relpersistence']) === 't') {
    ctx.session.tempTables.add((str(rv?.['relname']) ?? '').toLowerCase());
    return one(read(ctx, `temp table ${rangeVarName(rv)}`, 'creates a temporary table (session-only)'));
  }
  return one(
    fx(ctx, {
      verb: 'create',
      resource: `table ${rangeVarName(rv)}`,
      scope: 'resource',
      risk: 'write',
      reason: 'CREATE TABLE is additive',
    }),
  );
}

function createTableAs(body: Json, ctx: Ctx): StatementVerdict {
  const into = obj(body['into']);
  const rv = obj(into?.['rel']);
  const matview = str(body['objtype']) === 'OBJECT_MATVIEW';
  const inner = nested(body['query'], ctx);
  if (str(rv?.['relpersistence']) === 't') {
    ctx.session.tempTables.add((str(rv?.['relname']) ?? '').toLowerCase());
    return { effects: [read(ctx, `temp table ${rangeVarName(rv)}`, 'creates a temporary table from a query (session-only)'), ...inner] };
  }
  return {
    effects: [
      fx(ctx, {
        verb: 'create',
        resource: `${matview ? 'materialized view' : 'table'} ${rangeVarName(rv)}`,
        scope: 'resource',
        risk: 'write',
        reason: matview ? 'creates a materialized view' : 'CREATE TABLE AS is additive',
      }),
      ...inner,
    ],
  };
}

function explainStmt(body: Json, ctx: Ctx): StatementVerdict {
  let analyze = false;
  for (const o of arr(body['options'])) {
    const d = nodeBody(o, 'DefElem');
    if (str(d?.['defname']) !== 'analyze') continue;
    const arg = d?.['arg'];
    if (arg === undefined) analyze = true;
    else {
      const s = str(nodeBody(arg, 'String')?.['sval']);
      const b = nodeBody(arg, 'Boolean');
      const i = nodeBody(arg, 'Integer');
      if (s !== undefined) analyze = !['false', 'off', '0', 'no'].includes(s.toLowerCase());
      else if (b) analyze = b['boolval'] === true;
      else if (i) analyze = i['ival'] !== undefined && i['ival'] !== 0;
      else analyze = true;
    }
  }
  if (!analyze) return one(read(ctx, 'query plan', 'EXPLAIN without ANALYZE only plans the statement'));
  const inner = statement(body['query'], ctx);
  return {
    effects: [read(ctx, 'query plan', 'EXPLAIN ANALYZE executes the statement'), ...inner.effects],
  };
}

function copyStmt(body: Json, ctx: Ctx): StatementVerdict {
  const rv = obj(body['relation']);
  const target = rv ? `table ${rangeVarName(rv)}` : 'query';
  const file = str(body['filename']);
  const inner = nested(body['query'], ctx);
  if (body['is_program'] === true) {
    return {
      effects: [
        unknownEffect(
          `program ${file ?? '?'}`,
          `COPY ${body['is_from'] === true ? 'FROM' : 'TO'} PROGRAM runs a shell command on the database server: ${file ?? '?'}`,
          ctx.source,
          true,
        ),
        ...inner,
      ],
    };
  }
  if (body['is_from'] === true) {
    if (isTemp(rv, ctx)) return one(tempRead(ctx, rv, 'COPY into'));
    return one(
      fx(ctx, {
        verb: 'create',
        resource: target,
        scope: 'selection',
        risk: 'write',
        reason: `COPY FROM ${file === undefined ? 'STDIN' : `server file ${file}`} adds rows`,
      }),
    );
  }
  if (file !== undefined) {
    return {
      effects: [
        fx(ctx, {
          verb: 'create',
          resource: `server file ${file}`,
          scope: 'resource',
          risk: 'write',
          reason: `COPY TO writes the server file ${file}`,
          nonTransactional: true,
        }),
        ...inner,
      ],
    };
  }
  return { effects: [read(ctx, target, 'COPY TO STDOUT only reads'), ...inner] };
}

function transactionStmt(body: Json, ctx: Ctx): StatementVerdict {
  const kind = str(body['kind']) ?? '';
  const name = str(body['savepoint_name']) ?? '';
  const control = (tx: TxControl, reason: string): StatementVerdict => ({ effects: [read(ctx, 'transaction', reason)], tx });
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return control({ kind: 'begin' }, 'starts a transaction');
    case 'TRANS_STMT_COMMIT':
      return control({ kind: 'commit' }, 'commits the transaction');
    case 'TRANS_STMT_ROLLBACK':
      return control({ kind: 'rollback', chain: body['chain'] === true }, 'rolls the transaction back');
    case 'TRANS_STMT_SAVEPOINT':
      return control({ kind: 'savepoint', name }, `sets savepoint ${name}`);
    case 'TRANS_STMT_RELEASE':
      return control({ kind: 'release', name }, `releases savepoint ${name}`);
    case 'TRANS_STMT_ROLLBACK_TO':
      return control({ kind: 'rollback-to', name }, `rolls back to savepoint ${name}`);
    case 'TRANS_STMT_PREPARE':
      return control({ kind: 'commit' }, 'PREPARE TRANSACTION keeps the work for a later COMMIT PREPARED');
    case 'TRANS_STMT_COMMIT_PREPARED':
      return one(
        unknownEffect(
          `prepared transaction ${str(body['gid']) ?? ''}`.trim(),
          'COMMIT PREPARED commits work that is not in this input',
          ctx.source,
          true,
        ),
      );
    case 'TRANS_STMT_ROLLBACK_PREPARED':
      return one(
        fx(ctx, {
          verb: 'delete',
          resource: `prepared transaction ${str(body['gid']) ?? ''}`.trim(),
          scope: 'resource',
          risk: 'destructive',
          reason: 'ROLLBACK PREPARED discards work prepared by another session',
          nonTransactional: true,
        }),
      );
    default:
      return one(read(ctx, 'transaction', 'transaction control'));
  }
}

function doStmt(body: Json, ctx: Ctx): StatementVerdict {
  let code: string | undefined;
  let language = 'plpgsql';
  for (const a of arr(body['args'])) {
    const d = nodeBody(a, 'DefElem');
    const v = str(nodeBody(d?.['arg'], 'String')?.['sval']);
    if (str(d?.['defname']) === 'as') code = v;
    if (str(d?.['defname']) === 'language' && v !== undefined) language = v.toLowerCase();
  }
  if (code === undefined) return one(unknownEffect('DO block', 'DO block without a body', ctx.source));
  if (language !== 'plpgsql') {
    return one(unknownEffect('DO block', `DO block in language ${language} is not inspected (it may do anything)`, ctx.source, true));
  }
  let tag = 'airlock';
  while (code.includes(`$${tag}$`)) tag += '_';
  let tree: unknown;
  try {
    tree = ctx.api.parsePlPgSQLSync(`DO $${tag}$${code}$${tag}$`);
  } catch (e) {
    return one(
      unknownEffect('DO block', `PL/pgSQL parser cannot read the DO block: ${e instanceof Error ? e.message : String(e)}`, ctx.source),
    );
  }
  const effects = plpgsqlEffects(tree, ctx);
  return { effects: [read(ctx, 'DO block', 'DO runs the PL/pgSQL block below'), ...effects] };
}

const LOOP_STMTS = new Set([
  'PLpgSQL_stmt_loop',
  'PLpgSQL_stmt_while',
  'PLpgSQL_stmt_fori',
  'PLpgSQL_stmt_fors',
  'PLpgSQL_stmt_forc',
  'PLpgSQL_stmt_foreach_a',
  'PLpgSQL_stmt_dynfors',
]);

/** Inside a loop: the text of the loop's query (empty for other loops); undefined outside loops. */
type Loop = string | undefined;

/** Loops over these list database objects: a DROP per row is a mass deletion. */
const CATALOG_RE =
  /\b(pg_tables|pg_class|pg_namespace|pg_views|pg_matviews|pg_indexes|pg_proc|pg_type|information_schema\.(tables|schemata|views|columns|routines))\b/i;

/** Placeholder for run-time parts of a dynamic SQL template. */
const DYNAMIC_NAME = 'airlock_dynamic_name';

/**
 * The SQL a dynamic expression builds, with run-time parts replaced by a placeholder name:
 * `'DROP TABLE ' || quote_ident(t) || ' CASCADE'` → `DROP TABLE airlock_dynamic_name CASCADE`,
 * `format('TRUNCATE %I', t)` → `TRUNCATE airlock_dynamic_name`. Undefined when no constant text.
 */
function sqlTemplate(v: unknown): string | undefined {
  const parts: string[] = [];
  let constant = false;
  const walk = (x: unknown): void => {
    const c = constValue(x);
    if (typeof c === 'string' || typeof c === 'number') {
      parts.push(String(c));
      constant = true;
      return;
    }
    const n = nodeOf(x);
    if (n && n[0] === 'A_Expr' && names(n[1]['name'])[0] === '||' && str(n[1]['kind']) === 'AEXPR_OP') {
      walk(n[1]['lexpr']);
      walk(n[1]['rexpr']);
      return;
    }
    if (n && n[0] === 'FuncCall') {
      const fname = names(n[1]['funcname']).pop()?.toLowerCase();
      const args = arr(n[1]['args']);
      if (fname === 'format' && typeof constValue(args[0]) === 'string') {
        parts.push(String(constValue(args[0])).replace(/%(\d+\$)?[-]?[ILs]/g, DYNAMIC_NAME));
        constant = true;
        return;
      }
      if (fname === 'concat') {
        for (const a of args) walk(a);
        return;
      }
    }
    parts.push(DYNAMIC_NAME);
  };
  walk(v);
  return constant ? parts.join('') : undefined;
}

/** Effects of the SQL inside a PL/pgSQL function tree. */
function plpgsqlEffects(tree: unknown, ctx: Ctx): Effect[] {
  const out: Effect[] = [];
  const vars = new Set<string>();
  const visitDatums = (x: unknown): void => {
    for (const f of arr(obj(x)?.['plpgsql_funcs'])) {
      for (const d of arr(nodeBody(f, 'PLpgSQL_function')?.['datums'])) {
        const v = nodeBody(d, 'PLpgSQL_var');
        const name = str(v?.['refname']);
        if (name !== undefined && name !== 'found') vars.add(name.toLowerCase());
      }
    }
  };
  visitDatums(tree);
  const none = new Set<string>();
  const sql = (text: string, loop: Loop, what: string): Effect[] => {
    const inLoop = loop !== undefined;
    const inner = classifyPgText(text, ctx.api, ctx.session, { depth: ctx.depth + 1, variables: inLoop ? none : vars });
    const made = inner.effects.map((e) =>
      makeEffect(
        {
          verb: e.verb,
          resource: e.resource,
          scope: e.scope,
          risk: e.risk,
          disruptive: e.disruptive,
          reversible: e.reversible,
          reason: `${what}${inLoop ? ' (in a loop)' : ''}: ${e.reason}`,
        },
        e.source ?? text,
      ),
    );
    out.push(...made);
    return made;
  };
  const expr = (x: unknown, loop: Loop): void => {
    const e = nodeBody(x, 'PLpgSQL_expr');
    const q = str(e?.['query']);
    if (q === undefined) return;
    const mode = typeof e?.['parseMode'] === 'number' ? e['parseMode'] : 0;
    if (mode === 0) sql(q, loop, 'in PL/pgSQL');
    else if (mode === 2) {
      if (/\b[a-z_]+\s*\(/i.test(q) || /\bselect\b/i.test(q)) sql(`SELECT ${q}`, loop, 'in PL/pgSQL expression');
    } else {
      const i = q.indexOf(':=');
      const j = i >= 0 ? i + 2 : q.indexOf('=') + 1;
      const rhs = q.slice(j);
      if (/\b[a-z_]+\s*\(/i.test(rhs) || /\bselect\b/i.test(rhs)) sql(`SELECT ${rhs}`, loop, 'in PL/pgSQL assignment');
    }
  };
  const dynamic = (x: unknown, loop: Loop): void => {
    const q = str(nodeBody(x, 'PLpgSQL_expr')?.['query']);
    if (q === undefined) return;
    const t = tryParse(ctx.api, `SELECT ${q}`);
    const value =
      t.ok && t.stmts.length === 1
        ? nodeBody(arr(nodeBody(t.stmts[0]?.node, 'SelectStmt')?.['targetList'])[0], 'ResTarget')?.['val']
        : undefined;
    const literal = constValue(value);
    if (typeof literal === 'string') {
      sql(literal, loop, 'EXECUTE of a literal');
      return;
    }
    expr(x, loop);
    const shown = q.length > 80 ? `${q.slice(0, 80)}…` : q;
    out.push(unknownEffect('dynamic SQL', `EXECUTE of SQL built at run time (${shown}) cannot be judged`, ctx.source));
    // Judge what the constant parts already say (`'DROP TABLE ' || name`): a floor, never a ceiling.
    const template = value === undefined ? undefined : sqlTemplate(value);
    if (template === undefined || !tryParse(ctx.api, template).ok) return;
    const made = sql(template, loop, `EXECUTE of SQL built from the template "${template}"`);
    const catalogLoop = loop !== undefined && CATALOG_RE.test(loop);
    if (!catalogLoop) return;
    for (const e of made) {
      if (e.verb === 'delete' && e.risk === 'destructive') {
        out.push(
          makeEffect(
            {
              verb: 'delete',
              resource: `every object listed by: ${loop.length > 80 ? `${loop.slice(0, 80)}…` : loop}`,
              scope: 'database',
              risk: 'catastrophic',
              reason: `a loop over the catalog runs "${template}" for each object: mass deletion`,
            },
            ctx.source,
          ),
        );
        break;
      }
    }
  };
  const visit = (x: unknown, loop: Loop): void => {
    if (Array.isArray(x)) {
      for (const i of x) visit(i, loop);
      return;
    }
    const o = obj(x);
    if (!o) return;
    for (const [k, child] of Object.entries(o)) {
      if (k === 'datums') continue;
      if (k === 'PLpgSQL_expr') {
        expr({ [k]: child }, loop);
        continue;
      }
      const c = obj(child);
      if (k === 'PLpgSQL_stmt_dynexecute' && c) {
        dynamic(c['query'], loop);
        visit(c['params'], loop);
        continue;
      }
      if (k === 'PLpgSQL_stmt_dynfors' && c) {
        dynamic(c['query'], loop);
        visit(c['params'], loop ?? '');
        visit(c['body'], loop ?? '');
        continue;
      }
      if ((k === 'PLpgSQL_stmt_open' || k === 'PLpgSQL_stmt_return_query') && c && c['dynquery'] !== undefined) {
        dynamic(c['dynquery'], loop);
        const { dynquery: _d, ...restOpen } = c;
        visit(restOpen, loop);
        continue;
      }
      if (LOOP_STMTS.has(k) && c) {
        const query = str(nodeBody(c['query'], 'PLpgSQL_expr')?.['query']) ?? '';
        visit(c['query'], loop);
        const { query: _q, ...rest } = c;
        visit(rest, `${loop ?? ''} ${query}`.trim());
        continue;
      }
      visit(child, loop);
    }
  };
  visit(tree, undefined);
  return out;
}
