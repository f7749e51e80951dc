/**
 * Small, checked accessors over the JSON parse trees of libpg-query. The trees are untyped JSON
 * at this boundary; every field is checked where it is read, so a shape we do not expect reads as
 * "absent" and the rules fall back to `unknown` or the stricter class.
 */

/** A JSON object from a parse tree. */
export type Json = Readonly<Record<string, unknown>>;

/** The value as an object, or undefined. */
export function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** The value as an array, or an empty one. */
export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The value as a string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The value as a number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** A libpg-query node `{ Type: body }` as `[Type, body]`, or undefined. */
export function nodeOf(v: unknown): readonly [string, Json] | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  if (key === undefined) return undefined;
  const body = obj(o[key]);
  return body ? [key, body] : undefined;
}

/** The body of `v` when it is a node of type `type`. */
export function nodeBody(v: unknown, type: string): Json | undefined {
  const n = nodeOf(v);
  return n && n[0] === type ? n[1] : undefined;
}

/** The `sval`s of a list of `String` nodes (qualified names, operator names). */
export function names(v: unknown): string[] {
  const out: string[] = [];
  for (const item of arr(v)) {
    const s = str(nodeBody(item, 'String')?.['sval']);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** `schema.name` of a RangeVar body. */
export function rangeVarName(rv: Json | undefined): string {
  if (!rv) return '?';
  return [str(rv['catalogname']), str(rv['schemaname']), str(rv['relname'])]
    .filter((s): s is string => s !== undefined && s !== '')
    .join('.');
}
