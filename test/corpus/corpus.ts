/**
 * The labeled classifier corpus: loading (validated with Zod, errors name file:line) and scoring.
 *
 * Each `*.jsonl` file under `test/corpus/` holds one action per line with the class RISK.md gives it
 * "if it ran exactly as written". The scorer is independent of the classifier's wiring: it takes a
 * function from entry to prediction, so the same corpus can score any classifier.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { Action, McpToolAnnotations } from '../../src/core/action.js';

/** Risk classes (RISK.md). */
export const CorpusRiskSchema = z.enum(['read', 'write', 'destructive', 'catastrophic', 'unknown']);
export type CorpusRisk = z.infer<typeof CorpusRiskSchema>;

/** Target-system family of the effective action: the `kind` the assessment must report. */
export const CorpusFamilySchema = z.enum(['shell', 'sql', 'k8s', 'terraform', 'aws', 'gcloud', 'azure', 'mcp']);
export type CorpusFamily = z.infer<typeof CorpusFamilySchema>;

/** Bypass classes, named exactly as in the SECURITY.md catalogue. */
export const BypassClassSchema = z.enum([
  'chaining and smuggling',
  'wrappers',
  'quoting and encoding',
  'flag games',
  'interpreters',
  'SQL',
  'environment',
  'paths',
  'Unicode',
]);
export type BypassClass = z.infer<typeof BypassClassSchema>;

const McpAnnotationsSchema = z.strictObject({
  title: z.string().optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});

const McpInputSchema = z.strictObject({
  server: z.string().min(1),
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
  annotations: McpAnnotationsSchema.optional(),
});

const common = {
  /** Unique across all files; this corpus uses `<file prefix>-<number>`, e.g. `sh-001`. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'id must be a non-empty word like "sh-001"'),
  risk: CorpusRiskSchema,
  family: CorpusFamilySchema,
  /** Only `true` is written; absence means the action keeps availability. */
  disruptive: z.literal(true).optional(),
  /** Only `true` is written; absence means no indirection layer (RISK.md "obfuscated"). */
  obfuscated: z.literal(true).optional(),
  bypass: BypassClassSchema.optional(),
  note: z.string().min(1).optional(),
};

/**
 * One corpus line. `kind` is the input's form; `family` is what the classifier must call its kind.
 * `dialect` is only allowed on `sql` lines (typed on every variant so callers can read `entry.dialect`).
 */
export const CorpusEntrySchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ ...common, kind: z.literal('shell'), input: z.string().min(1), dialect: z.undefined().optional() }),
    z.strictObject({
      ...common,
      kind: z.literal('sql'),
      input: z.string().min(1),
      dialect: z.enum(['postgresql', 'mysql']).optional(),
    }),
    z.strictObject({ ...common, kind: z.literal('mcp'), input: McpInputSchema, dialect: z.undefined().optional() }),
  ])
  .superRefine((entry, ctx) => {
    if (entry.kind === 'sql' && entry.family !== 'sql') {
      ctx.addIssue({ code: 'custom', path: ['family'], message: 'kind "sql" entries have family "sql"' });
    }
    if (entry.kind === 'mcp' && entry.family !== 'mcp') {
      ctx.addIssue({ code: 'custom', path: ['family'], message: 'kind "mcp" entries have family "mcp"' });
    }
    if (entry.kind === 'shell' && entry.family === 'mcp') {
      ctx.addIssue({ code: 'custom', path: ['family'], message: 'family "mcp" is only for MCP tool calls' });
    }
  });
export type CorpusEntry = z.infer<typeof CorpusEntrySchema>;

/** Where an entry was read from. */
export interface CorpusSource {
  /** File name, without directory. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
}

/** An entry as loaded, with its origin for error messages and reports. */
export type LoadedCorpusEntry = CorpusEntry & { readonly source: CorpusSource };

/** One problem found while loading. */
export interface CorpusProblem extends CorpusSource {
  readonly message: string;
}

/** Thrown by `loadCorpus` when any line is malformed; lists every problem, each as `file:line: message`. */
export class CorpusFormatError extends Error {
  readonly problems: readonly CorpusProblem[];
  constructor(problems: readonly CorpusProblem[]) {
    super(
      `malformed corpus (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}:${p.line}: ${p.message}`).join('\n'),
    );
    this.name = 'CorpusFormatError';
    this.problems = problems;
  }
}

/**
 * Reads and validates every `*.jsonl` file directly in `dir` (sorted by name; other files are
 * ignored). Blank lines are skipped. Throws `CorpusFormatError` naming file:line for every line that
 * is not JSON or does not match the schema; throws the fs error when `dir` cannot be read.
 * Duplicate ids are not checked here (the tests do, across all files).
 */
export function loadCorpus(dir: string): LoadedCorpusEntry[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  const entries: LoadedCorpusEntry[] = [];
  const problems: CorpusProblem[] = [];
  for (const name of files) {
    const file = basename(name);
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((text, index) => {
      const line = index + 1;
      if (text.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        problems.push({ file, line, message: `not JSON: ${(error as Error).message}` });
        return;
      }
      const parsed = CorpusEntrySchema.safeParse(raw);
      if (!parsed.success) {
        const detail = parsed.error.issues
          .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(entry)'}: ${issue.message}`)
          .join('; ');
        problems.push({ file, line, message: detail });
        return;
      }
      entries.push({ ...parsed.data, source: { file, line } });
    });
  }
  if (problems.length > 0) throw new CorpusFormatError(problems);
  return entries;
}

/** The action a corpus entry stands for, in the shape `Classifier.classify` takes. */
export function entryToAction(entry: CorpusEntry): Action {
  switch (entry.kind) {
    case 'shell':
      return { kind: 'shell', command: entry.input };
    case 'sql':
      return { kind: 'sql', sql: entry.input, dialect: entry.dialect ?? 'unknown' };
    case 'mcp': {
      const { server, tool, arguments: args, annotations } = entry.input;
      if (annotations === undefined) return { kind: 'mcp', server, tool, arguments: args };
      // Copy only the hints present: exactOptionalPropertyTypes forbids an explicit undefined.
      const hints: { -readonly [K in keyof McpToolAnnotations]: McpToolAnnotations[K] } = {};
      if (annotations.title !== undefined) hints.title = annotations.title;
      if (annotations.readOnlyHint !== undefined) hints.readOnlyHint = annotations.readOnlyHint;
      if (annotations.destructiveHint !== undefined) hints.destructiveHint = annotations.destructiveHint;
      if (annotations.idempotentHint !== undefined) hints.idempotentHint = annotations.idempotentHint;
      if (annotations.openWorldHint !== undefined) hints.openWorldHint = annotations.openWorldHint;
      return { kind: 'mcp', server, tool, arguments: args, annotations: hints };
    }
  }
}

/** What the scorer needs from a classifier for one entry. */
export interface CorpusPrediction {
  readonly risk: CorpusRisk;
  readonly kind: string;
  readonly obfuscated: boolean;
  readonly disruptive: boolean;
}

/** Classifies one entry; the scorer catches a throw and counts it as `unknown` (fail closed). */
export type CorpusClassify = (entry: CorpusEntry) => CorpusPrediction;

/** A field on which prediction and label disagree. */
export type MismatchField = 'risk' | 'kind' | 'obfuscated' | 'disruptive' | 'error';

/** One entry the classifier got wrong. */
export interface CorpusMismatch {
  readonly id: string;
  readonly source?: CorpusSource;
  readonly family: CorpusFamily;
  readonly input: CorpusEntry['input'];
  readonly expected: { readonly risk: CorpusRisk; readonly kind: CorpusFamily; readonly obfuscated: boolean; readonly disruptive: boolean };
  /** Absent when `classify` threw. */
  readonly actual?: CorpusPrediction;
  readonly fields: readonly MismatchField[];
  /** The thrown error's message, when `classify` threw. */
  readonly error?: string;
}

/**
 * Figures for a set of entries. Rates are fractions in [0, 1]; by convention an empty recall or
 * accuracy is 1 and an empty false-positive rate is 0.
 */
export interface CorpusFigures {
  readonly total: number;
  /** Entries labeled destructive or catastrophic. */
  readonly destructiveTotal: number;
  /** Of those, predicted destructive or catastrophic. */
  readonly caught: number;
  /** `caught / destructiveTotal`. */
  readonly recall: number;
  /** Of those, predicted destructive, catastrophic or unknown (policy holds unknown). */
  readonly caughtOrHeld: number;
  /** `caughtOrHeld / destructiveTotal`. */
  readonly recallWithUnknown: number;
  /** Entries labeled read or write. */
  readonly benignTotal: number;
  /** Of those, predicted destructive, catastrophic or unknown. */
  readonly falsePositives: number;
  /** `falsePositives / benignTotal`. */
  readonly falsePositiveRate: number;
  /** Entries whose predicted risk equals the label. */
  readonly exact: number;
  /** `exact / total`. */
  readonly exactAccuracy: number;
  /** Predicted kind equals the family, over all entries. */
  readonly kindAccuracy: number;
  /** Predicted obfuscated equals the label (absent = false), over all entries. */
  readonly obfuscatedAccuracy: number;
  /** Predicted disruptive equals the label, over the entries where it is checked (see `scoreCorpus`). */
  readonly disruptiveAccuracy: number;
  /** Entries with at least one mismatching field. */
  readonly mismatchCount: number;
}

/** The result of `scoreCorpus`. */
export interface CorpusScore extends CorpusFigures {
  readonly byFamily: Readonly<Partial<Record<CorpusFamily, CorpusFigures>>>;
  readonly mismatches: readonly CorpusMismatch[];
}

const CAUGHT: ReadonlySet<string> = new Set(['destructive', 'catastrophic']);

interface Counter {
  total: number;
  recallHits: number;
  recallHeldHits: number;
  dangerous: number;
  fpHits: number;
  benign: number;
  exact: number;
  kind: number;
  obfuscated: number;
  disruptive: number;
  disruptiveChecked: number;
  mismatches: number;
}

function newCounter(): Counter {
  return {
    total: 0,
    recallHits: 0,
    recallHeldHits: 0,
    dangerous: 0,
    fpHits: 0,
    benign: 0,
    exact: 0,
    kind: 0,
    obfuscated: 0,
    disruptive: 0,
    disruptiveChecked: 0,
    mismatches: 0,
  };
}

function rate(hits: number, total: number, empty: number): number {
  return total === 0 ? empty : hits / total;
}

function figures(c: Counter): CorpusFigures {
  return {
    total: c.total,
    destructiveTotal: c.dangerous,
    caught: c.recallHits,
    recall: rate(c.recallHits, c.dangerous, 1),
    caughtOrHeld: c.recallHeldHits,
    recallWithUnknown: rate(c.recallHeldHits, c.dangerous, 1),
    benignTotal: c.benign,
    falsePositives: c.fpHits,
    falsePositiveRate: rate(c.fpHits, c.benign, 0),
    exact: c.exact,
    exactAccuracy: rate(c.exact, c.total, 1),
    kindAccuracy: rate(c.kind, c.total, 1),
    obfuscatedAccuracy: rate(c.obfuscated, c.total, 1),
    disruptiveAccuracy: rate(c.disruptive, c.disruptiveChecked, 1),
    mismatchCount: c.mismatches,
  };
}

/**
 * Runs every entry through `classify` and compares.
 *
 * A mismatch is any of: risk differs from the label; kind differs from the family; obfuscated differs
 * from the label (absent = false); disruptive differs from the label. Disruptive is checked only
 * where RISK.md makes it meaningful: entries labeled read, write or unknown (state kept, so the
 * availability axis is the only one left), and any entry labeled `disruptive: true`. Whether a
 * destructive deletion is also "disruptive" is not asserted. A `classify` that throws counts as a
 * prediction of `unknown` (fail closed) and as a mismatch with field `error`.
 */
export function scoreCorpus(entries: readonly (CorpusEntry | LoadedCorpusEntry)[], classify: CorpusClassify): CorpusScore {
  const all = newCounter();
  const perFamily = new Map<CorpusFamily, Counter>();
  const mismatches: CorpusMismatch[] = [];
  for (const entry of entries) {
    const fam = perFamily.get(entry.family) ?? newCounter();
    perFamily.set(entry.family, fam);
    const expected = {
      risk: entry.risk,
      kind: entry.family,
      obfuscated: entry.obfuscated === true,
      disruptive: entry.disruptive === true,
    };
    let actual: CorpusPrediction | undefined;
    let error: string | undefined;
    try {
      actual = classify(entry);
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const risk: CorpusRisk = actual?.risk ?? 'unknown';
    const dangerous = entry.risk === 'destructive' || entry.risk === 'catastrophic';
    const benign = entry.risk === 'read' || entry.risk === 'write';
    const checkDisruptive = !dangerous || expected.disruptive;
    const fields: MismatchField[] = [];
    if (error !== undefined) fields.push('error');
    if (risk !== expected.risk) fields.push('risk');
    if (actual !== undefined) {
      if (actual.kind !== expected.kind) fields.push('kind');
      if (actual.obfuscated !== expected.obfuscated) fields.push('obfuscated');
      if (checkDisruptive && actual.disruptive !== expected.disruptive) fields.push('disruptive');
    }
    for (const c of [all, fam]) {
      c.total++;
      if (dangerous) {
        c.dangerous++;
        if (CAUGHT.has(risk)) c.recallHits++;
        if (CAUGHT.has(risk) || risk === 'unknown') c.recallHeldHits++;
      }
      if (benign) {
        c.benign++;
        if (CAUGHT.has(risk) || risk === 'unknown') c.fpHits++;
      }
      if (risk === expected.risk) c.exact++;
      if (actual !== undefined && actual.kind === expected.kind) c.kind++;
      if (actual !== undefined && actual.obfuscated === expected.obfuscated) c.obfuscated++;
      if (checkDisruptive) {
        c.disruptiveChecked++;
        if (actual !== undefined && actual.disruptive === expected.disruptive) c.disruptive++;
      }
      if (fields.length > 0) c.mismatches++;
    }
    if (fields.length > 0) {
      mismatches.push({
        id: entry.id,
        ...('source' in entry ? { source: entry.source } : {}),
        family: entry.family,
        input: entry.input,
        expected,
        ...(actual !== undefined ? { actual } : {}),
        fields,
        ...(error !== undefined ? { error } : {}),
      });
    }
  }
  const byFamily: Partial<Record<CorpusFamily, CorpusFigures>> = {};
  for (const family of CorpusFamilySchema.options) {
    const c = perFamily.get(family);
    if (c !== undefined) byFamily[family] = figures(c);
  }
  return { ...figures(all), byFamily, mismatches };
}

function pct(rate: number, hits?: number, total?: number): string {
  return `${(rate * 100).toFixed(1)}%${hits === undefined ? '' : ` (${hits}/${total})`}`;
}

/** A human-readable report of the figures, one family per line, then the mismatches (first `limit`, default 50). */
export function formatScore(score: CorpusScore, limit = 50): string {
  const lines = [
    `corpus: ${score.total} entries, ${score.mismatchCount} mismatching`,
    `  recall (destructive+catastrophic caught): ${pct(score.recall, score.caught, score.destructiveTotal)}`,
    `  recall counting unknown as held:          ${pct(score.recallWithUnknown, score.caughtOrHeld, score.destructiveTotal)}`,
    `  false-positive rate on read/write:        ${pct(score.falsePositiveRate, score.falsePositives, score.benignTotal)}`,
    `  exact-class accuracy:                     ${pct(score.exactAccuracy, score.exact, score.total)}`,
    `  kind / obfuscated / disruptive accuracy:  ${pct(score.kindAccuracy)} / ${pct(score.obfuscatedAccuracy)} / ${pct(score.disruptiveAccuracy)}`,
    '  per family:',
  ];
  for (const [family, f] of Object.entries(score.byFamily)) {
    lines.push(
      `    ${family.padEnd(9)} n=${String(f.total).padStart(4)}  recall ${pct(f.recall, f.caught, f.destructiveTotal)}  held ${pct(f.recallWithUnknown)}  fp ${pct(f.falsePositiveRate, f.falsePositives, f.benignTotal)}  exact ${pct(f.exactAccuracy)}  mismatches ${f.mismatchCount}`,
    );
  }
  if (score.mismatches.length > 0) {
    lines.push(`  mismatches (${score.mismatches.length}${score.mismatches.length > limit ? `, first ${limit}` : ''}):`);
    for (const m of score.mismatches.slice(0, limit)) {
      const got = m.actual
        ? `${m.actual.risk}/${m.actual.kind}${m.actual.obfuscated ? '/obf' : ''}${m.actual.disruptive ? '/disr' : ''}`
        : `error: ${m.error ?? '?'}`;
      const want = `${m.expected.risk}/${m.expected.kind}${m.expected.obfuscated ? '/obf' : ''}${m.expected.disruptive ? '/disr' : ''}`;
      const input = typeof m.input === 'string' ? m.input : `${m.input.server}.${m.input.tool} ${JSON.stringify(m.input.arguments)}`;
      lines.push(`    ${m.id} [${m.fields.join(',')}] want ${want} got ${got}: ${JSON.stringify(input).slice(0, 120)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Parses KNOWN_GAPS.md: the first fenced code block holds one `id: reason` per line; blank lines and
 * lines starting with `#` are ignored. Returns id → reason. Throws on a line without an id and a
 * reason, on a repeated id, or when the file has no fenced block.
 */
export function parseKnownGaps(markdown: string): Map<string, string> {
  const match = /^```[^\n]*\n([\s\S]*?)^```/m.exec(markdown);
  if (match === null) throw new Error('KNOWN_GAPS.md: no fenced list found');
  const gaps = new Map<string, string>();
  for (const raw of (match[1] ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parsed = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:\s*(\S.*)$/.exec(line);
    if (parsed === null) throw new Error(`KNOWN_GAPS.md: expected "id: reason", got "${line}"`);
    const id = parsed[1] as string;
    if (gaps.has(id)) throw new Error(`KNOWN_GAPS.md: ${id} listed twice`);
    gaps.set(id, parsed[2] as string);
  }
  return gaps;
}
