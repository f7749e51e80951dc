/**
 * WHERE-clause analysis for PostgreSQL parse trees: constant folding, tautology detection and
 * how tightly a predicate bounds the rows it touches (RISK.md: key, IN list and ANY($1) are
 * bounded; ranges and patterns are not; tautologies are "every row").
 */
import { arr, names, nodeBody, nodeOf, num, obj, str } from './pg-json.js';
import type { Json } from './pg-json.js';

/** How a predicate selects rows, from tightest to widest. */
export type PredicateShape =
  /** `col = value`, `CURRENT OF cursor`. */
  | 'key'
  /** `col IN (values)`, `col = ANY($1)`, `col = ANY(ARRAY[…])`, OR of keys. */
  | 'list'
  /** Equality or IN list on a column that is not a key (`status = 'cancelled'`): a set of rows. */
  | 'value'
  /** `<`, `>`, `BETWEEN`, `LIKE`, `SIMILAR TO`, regular expressions. */
  | 'range'
  /** Anything else that is not a key lookup: subqueries, `<>`, `IS NULL`, column = column. */
  | 'other'
  /** True for every (non-null) row: `true`, `1=1`, `id IS NOT NULL`, `x OR true`. */
  | 'tautology';

/** A constant value folded from an expression; `undefined` when not constant. */
type Const = string | number | boolean | null;

/** Options for predicate analysis. */
export interface PredicateOptions {
  /** PL/pgSQL variables that hold one value (treated like parameters). */
  readonly variables: ReadonlySet<string>;
}

/**
 * Whether a column name looks like a key (`id`, `user_id`, `orderId`, `uuid`, `*_key`). Equality on
 * other columns (`status = 'x'`) selects a set of rows, not a record (corpus judgement sql-067).
 */
export function isKeyColumn(name: string): boolean {
  const last = name.split('.').pop() ?? name;
  return (
    /^(id|uuid|guid|pk|key|rowid|oid|ctid|_id)$/i.test(last) ||
    /_(id|uuid|guid|key|pk)$/i.test(last) ||
    /[a-z0-9](Id|ID|Uuid|UUID|Key)$/.test(last)
  );
}

/** Folds a constant expression (literals, casts, comparisons, AND/OR/NOT, `||`, arithmetic). */
export function constValue(v: unknown): Const | undefined {
  const n = nodeOf(v);
  if (!n) return undefined;
  const [type, body] = n;
  switch (type) {
    case 'A_Const': {
      if (body['isnull'] === true) return null;
      const ival = obj(body['ival']);
      if (ival) return num(ival['ival']) ?? 0;
      const fval = str(obj(body['fval'])?.['fval']);
      if (fval !== undefined) return Number(fval);
      const sval = obj(body['sval']);
      if (sval) return str(sval['sval']) ?? '';
      const boolval = obj(body['boolval']);
      if (boolval) return boolval['boolval'] === true;
      return undefined;
    }
    case 'TypeCast': {
      const inner = constValue(body['arg']);
      if (inner === undefined) return undefined;
      const typeName = names(obj(nodeBody(body['typeName'], 'TypeName') ?? body['typeName'])?.['names']).pop();
      if (typeName === 'bool' || typeName === 'boolean') return castBool(inner);
      if (typeName !== undefined && /^(int[248]?|integer|bigint|smallint|numeric|float[48]?)$/.test(typeName)) {
        if (inner === null) return null;
        const x = Number(inner);
        return Number.isNaN(x) ? undefined : x;
      }
      if (typeName === 'text' || typeName === 'varchar' || typeName === 'bpchar') return inner === null ? null : String(inner);
      return inner;
    }
    case 'BoolExpr': {
      const args = arr(body['args']).map(constValue);
      const op = str(body['boolop']);
      if (op === 'NOT_EXPR') {
        const a = args[0];
        return typeof a === 'boolean' ? !a : a === null ? null : undefined;
      }
      if (op === 'AND_EXPR') {
        if (args.some((a) => a === false)) return false;
        return args.every((a) => a === true) ? true : undefined;
      }
      if (op === 'OR_EXPR') {
        if (args.some((a) => a === true)) return true;
        return args.every((a) => a === false) ? false : undefined;
      }
      return undefined;
    }
    case 'NullTest': {
      const a = constValue(body['arg']);
      if (a === undefined) return undefined;
      return str(body['nulltesttype']) === 'IS_NULL' ? a === null : a !== null;
    }
    case 'BooleanTest': {
      const a = constValue(body['arg']);
      if (a === undefined) return undefined;
      switch (str(body['booltesttype'])) {
        case 'IS_TRUE':
          return a === true;
        case 'IS_NOT_TRUE':
          return a !== true;
        case 'IS_FALSE':
          return a === false;
        case 'IS_NOT_FALSE':
          return a !== false;
        case 'IS_UNKNOWN':
          return a === null;
        case 'IS_NOT_UNKNOWN':
          return a !== null;
        default:
          return undefined;
      }
    }
    case 'A_Expr':
      return constAExpr(body);
    default:
      return undefined;
  }
}

function castBool(v: Const): Const | undefined {
  if (v === null || typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(s)) return true;
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(s)) return false;
  return undefined;
}

function constAExpr(body: Json): Const | undefined {
  const kind = str(body['kind']);
  const op = names(body['name'])[0];
  const l = body['lexpr'] === undefined ? undefined : constValue(body['lexpr']);
  if (kind === 'AEXPR_IN') {
    if (l === undefined || l === null) return undefined;
    const items = arr(nodeBody(body['rexpr'], 'List')?.['items']).map(constValue);
    if (items.some((i) => i === undefined)) return undefined;
    const hit = items.some((i) => i === l || (i !== null && String(i) === String(l)));
    return op === '<>' ? !hit : hit;
  }
  if (kind === 'AEXPR_BETWEEN' || kind === 'AEXPR_NOT_BETWEEN') {
    const bounds = arr(nodeBody(body['rexpr'], 'List')?.['items']).map(constValue);
    const [lo, hi] = bounds;
    if (l === undefined || lo === undefined || hi === undefined || l === null || lo === null || hi === null) return undefined;
    const inside = compare(l, lo) >= 0 && compare(l, hi) <= 0;
    return kind === 'AEXPR_BETWEEN' ? inside : !inside;
  }
  const r = constValue(body['rexpr']);
  if (l === undefined || r === undefined) return undefined;
  if (kind === 'AEXPR_LIKE' || kind === 'AEXPR_ILIKE') {
    if (l === null || r === null) return null;
    const re = likeRegex(String(r), kind === 'AEXPR_ILIKE');
    const hit = re.test(String(l));
    return op === '!~~' || op === '!~~*' ? !hit : hit;
  }
  if (kind === 'AEXPR_DISTINCT') return !(l === r || String(l) === String(r));
  if (kind === 'AEXPR_NOT_DISTINCT') return l === r || (l !== null && r !== null && String(l) === String(r));
  if (kind !== 'AEXPR_OP') return undefined;
  if (l === null || r === null) return op === '||' ? null : null;
  switch (op) {
    case '=':
      return compare(l, r) === 0;
    case '<>':
    case '!=':
      return compare(l, r) !== 0;
    case '<':
      return compare(l, r) < 0;
    case '>':
      return compare(l, r) > 0;
    case '<=':
      return compare(l, r) <= 0;
    case '>=':
      return compare(l, r) >= 0;
    case '||':
      return String(l) + String(r);
    case '+':
      return typeof l === 'number' && typeof r === 'number' ? l + r : undefined;
    case '-':
      return typeof l === 'number' && typeof r === 'number' ? l - r : undefined;
    case '*':
      return typeof l === 'number' && typeof r === 'number' ? l * r : undefined;
    default:
      return undefined;
  }
}

function compare(a: Exclude<Const, null>, b: Exclude<Const, null>): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  const sa = String(a);
  const sb = String(b);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

function likeRegex(pattern: string, insensitive: boolean): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\' && i + 1 < pattern.length) {
      src += escapeRe(pattern[++i] ?? '');
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += escapeRe(c);
  }
  return new RegExp(`^${src}$`, insensitive ? 'i' : '');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A column reference's dotted name, or undefined. */
function columnName(v: unknown): string | undefined {
  const body = nodeBody(v, 'ColumnRef');
  if (!body) return undefined;
  const parts = arr(body['fields']).map((f) => str(nodeBody(f, 'String')?.['sval']) ?? '*');
  return parts.join('.');
}

/** Same column on both sides (`id = id`). */
function sameColumn(a: unknown, b: unknown): boolean {
  const x = columnName(a);
  return x !== undefined && x === columnName(b);
}

/** True when the predicate holds for every (non-null) row. */
export function isTautology(v: unknown): boolean {
  if (constValue(v) === true) return true;
  const n = nodeOf(v);
  if (!n) return false;
  const [type, body] = n;
  if (type === 'BoolExpr') {
    const args = arr(body['args']);
    switch (str(body['boolop'])) {
      case 'OR_EXPR':
        return args.some(isTautology);
      case 'AND_EXPR':
        return args.length > 0 && args.every(isTautology);
      case 'NOT_EXPR':
        return args.length === 1 && isContradiction(args[0]);
      default:
        return false;
    }
  }
  if (type === 'NullTest') {
    // `col IS NOT NULL` keeps every row of a NOT NULL column (primary keys): treated as all rows.
    return str(body['nulltesttype']) === 'IS_NOT_NULL' && columnName(body['arg']) !== undefined;
  }
  if (type === 'BooleanTest') {
    const t = str(body['booltesttype']);
    if (t === 'IS_TRUE' || t === 'IS_NOT_FALSE') return isTautology(body['arg']);
    if (t === 'IS_FALSE' || t === 'IS_NOT_TRUE') return isContradiction(body['arg']);
    return false;
  }
  if (type === 'A_Expr') {
    const kind = str(body['kind']);
    const op = names(body['name'])[0];
    if (kind === 'AEXPR_OP' && (op === '=' || op === '>=' || op === '<=') && sameColumn(body['lexpr'], body['rexpr'])) return true;
    if (kind === 'AEXPR_NOT_DISTINCT' && sameColumn(body['lexpr'], body['rexpr'])) return true;
    if ((kind === 'AEXPR_LIKE' || kind === 'AEXPR_ILIKE') && (op === '~~' || op === '~~*')) {
      const pattern = constValue(body['rexpr']);
      if (typeof pattern === 'string' && /^%+$/.test(pattern)) return true;
    }
    if (kind === 'AEXPR_OP' && (op === '~' || op === '~*')) {
      const pattern = constValue(body['rexpr']);
      if (pattern === '' || pattern === '.*' || pattern === '^' || pattern === '^.*' || pattern === '.*$' || pattern === '^.*$')
        return true;
    }
    return false;
  }
  if (type === 'SubLink' && str(body['subLinkType']) === 'EXISTS_SUBLINK') {
    const sel = nodeBody(body['subselect'], 'SelectStmt');
    return sel !== undefined && sel['fromClause'] === undefined && (sel['whereClause'] === undefined || isTautology(sel['whereClause']));
  }
  return false;
}

/** True when the predicate holds for no row (`false`, `1=0`, `NOT true`, `col IS NULL` of a key). */
function isContradiction(v: unknown): boolean {
  if (constValue(v) === false) return true;
  const n = nodeOf(v);
  if (!n) return false;
  const [type, body] = n;
  if (type === 'NullTest') return str(body['nulltesttype']) === 'IS_NULL' && columnName(body['arg']) !== undefined;
  if (type === 'BoolExpr') {
    const args = arr(body['args']);
    switch (str(body['boolop'])) {
      case 'AND_EXPR':
        return args.some(isContradiction);
      case 'OR_EXPR':
        return args.length > 0 && args.every(isContradiction);
      case 'NOT_EXPR':
        return args.length === 1 && isTautology(args[0]);
      default:
        return false;
    }
  }
  return false;
}

/** A value side of a comparison: no column of the table, no subquery (constants, `$1`, variables, casts, functions of those). */
function isValue(v: unknown, options: PredicateOptions): boolean {
  const n = nodeOf(v);
  if (!n) return false;
  const [type, body] = n;
  switch (type) {
    case 'A_Const':
    case 'ParamRef':
    case 'SQLValueFunction':
      return true;
    case 'ColumnRef': {
      const name = columnName(v);
      return name !== undefined && options.variables.has(name.toLowerCase());
    }
    case 'TypeCast':
      return isValue(body['arg'], options);
    case 'A_ArrayExpr':
      return arr(body['elements']).every((e) => isValue(e, options));
    case 'FuncCall':
      return arr(body['args']).every((e) => isValue(e, options));
    case 'A_Expr':
      return (body['lexpr'] === undefined || isValue(body['lexpr'], options)) && isValue(body['rexpr'], options);
    default:
      return false;
  }
}

/** `col = value` where col is a key column (either side). */
function keyEquality(l: unknown, r: unknown, options: PredicateOptions): 'key' | 'value' | undefined {
  const lc = columnName(l);
  const rc = columnName(r);
  if (lc !== undefined && isValue(r, options)) return isKeyColumn(lc) ? 'key' : 'value';
  if (rc !== undefined && isValue(l, options)) return isKeyColumn(rc) ? 'key' : 'value';
  return undefined;
}

const RANGE_OPS = new Set(['<', '>', '<=', '>=', '~', '~*', '!~', '!~*', '~~', '~~*', '!~~', '!~~*', '@@', '&&', '@>', '<@']);

/** Classifies a WHERE clause by how it bounds the rows it selects. */
export function predicateShape(v: unknown, options: PredicateOptions): PredicateShape {
  if (isTautology(v)) return 'tautology';
  const n = nodeOf(v);
  if (!n) return 'other';
  const [type, body] = n;
  if (type === 'CurrentOfExpr') return 'key';
  if (type === 'BoolExpr') {
    const shapes = arr(body['args']).map((a) => predicateShape(a, options));
    switch (str(body['boolop'])) {
      case 'AND_EXPR':
        if (shapes.includes('key')) return 'key';
        if (shapes.includes('list')) return 'list';
        if (shapes.includes('value')) return 'value';
        if (shapes.includes('range')) return 'range';
        return 'other';
      case 'OR_EXPR':
        if (shapes.every((s) => s === 'key' || s === 'list')) return 'list';
        if (shapes.includes('other')) return 'other';
        if (shapes.includes('range')) return 'range';
        return 'value';
      default:
        return 'other';
    }
  }
  if (type !== 'A_Expr') return 'other';
  const kind = str(body['kind']);
  const op = names(body['name'])[0];
  const l = body['lexpr'];
  const r = body['rexpr'];
  const eq = keyEquality(l, r, options);
  const lcol = columnName(l);
  switch (kind) {
    case 'AEXPR_OP':
      if (op === '=' && eq !== undefined) return eq === 'key' ? 'key' : 'value';
      if (op !== undefined && RANGE_OPS.has(op)) return 'range';
      return 'other';
    case 'AEXPR_NOT_DISTINCT':
      return eq === 'key' ? 'key' : eq === 'value' ? 'value' : 'other';
    case 'AEXPR_IN': {
      if (op !== '=') return 'other';
      const items = arr(nodeBody(r, 'List')?.['items']);
      if (lcol === undefined || !items.every((i) => isValue(i, options))) return 'other';
      return isKeyColumn(lcol) ? 'list' : 'value';
    }
    case 'AEXPR_OP_ANY':
      if (op !== '=' || lcol === undefined || !isValue(r, options)) return 'other';
      return isKeyColumn(lcol) ? 'list' : 'value';
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR':
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM':
      return 'range';
    default:
      return 'other';
  }
}
