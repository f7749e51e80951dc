/**
 * Turns what a user or a CI job hands to `airlock check` (argv, `--kind sql "…"`, JSON Lines)
 * into Actions. Parses at the trust boundary with Zod; errors name the field and the fix.
 */
import { z } from 'zod';
import { type Action, mcpToolAnnotations, type SqlDialect } from '../../core/action.js';
import { AirlockError } from '../../core/errors.js';

const annotations = z
  .object({
    title: z.string().optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .passthrough();

/** An MCP tool call as given to `check`: `{"server","tool","arguments","annotations"?}`. */
export const mcpCallSchema = z.object({
  server: z.string().min(1),
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
  annotations: annotations.optional(),
});

/** One JSON Lines request of `airlock check --jsonl`. */
export const checkLineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  kind: z.enum(['shell', 'sql', 'mcp']),
  input: z.union([z.string(), z.record(z.string(), z.unknown())]),
  /** An environment name (as `--env`), or environment variables for targeting (`{"AWS_PROFILE":"prod"}`). */
  env: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  /** postgresql (or postgres, pg), mysql (or mariadb), sqlite; checked by parseDialect. */
  dialect: z.string().optional(),
});
export type CheckLine = z.infer<typeof checkLineSchema>;

/** The one reading of a dialect name, for --dialect, JSON Lines and the HTTP API; BAD_INPUT names the choices. */
export function parseDialect(value: string | undefined): SqlDialect {
  if (value === undefined) return 'unknown';
  if (value === 'postgres' || value === 'pg') return 'postgresql';
  if (value === 'mariadb') return 'mysql';
  if (value === 'postgresql' || value === 'mysql' || value === 'sqlite' || value === 'unknown') return value;
  throw new AirlockError({ code: 'BAD_INPUT', message: `dialect must be postgresql, mysql or sqlite, not "${value}"` });
}

/** Builds an Action from a kind and an input; throws BAD_INPUT naming the problem. */
export function toAction(kind: 'shell' | 'sql' | 'mcp', input: unknown, sqlDialect: SqlDialect = 'unknown'): Action {
  switch (kind) {
    case 'shell':
      if (typeof input !== 'string')
        throw new AirlockError({ code: 'BAD_INPUT', message: 'input: a shell action needs a string command line' });
      if (input.trim() === '') throw new AirlockError({ code: 'BAD_INPUT', message: 'input: the command line is empty' });
      return { kind: 'shell', command: input };
    case 'sql':
      if (typeof input !== 'string')
        throw new AirlockError({ code: 'BAD_INPUT', message: 'input: a sql action needs the SQL text as a string' });
      if (input.trim() === '') throw new AirlockError({ code: 'BAD_INPUT', message: 'input: the SQL text is empty' });
      return { kind: 'sql', sql: input, dialect: sqlDialect };
    case 'mcp': {
      let value = input;
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value);
        } catch {
          throw new AirlockError({ code: 'BAD_INPUT', message: 'input: an mcp action needs a JSON object {"server","tool","arguments"}' });
        }
      }
      const parsed = mcpCallSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AirlockError({
          code: 'BAD_INPUT',
          message: `input.${issue?.path.join('.') || '(object)'}: ${issue?.message ?? 'invalid'} (an mcp action is {"server","tool","arguments","annotations"?})`,
        });
      }
      const m = parsed.data;
      return {
        kind: 'mcp',
        server: m.server,
        tool: m.tool,
        arguments: m.arguments,
        ...(m.annotations === undefined ? {} : { annotations: mcpToolAnnotations(m.annotations) ?? {} }),
      };
    }
  }
}

/** Parses one JSON Lines request; throws BAD_INPUT with the field named. */
export function parseCheckLine(text: string): CheckLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AirlockError({ code: 'BAD_INPUT', message: `not JSON: ${err instanceof Error ? err.message : String(err)}` });
  }
  const parsed = checkLineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'} (expected {"id","kind":"shell"|"sql"|"mcp","input","env"?})`,
    });
  }
  return parsed.data;
}

/** Quotes argv into one shell command line (for classification and display), the way bash would read it back. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
