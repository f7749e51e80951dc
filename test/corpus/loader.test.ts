/**
 * The corpus loader and scorer on their own (no classifier): the corpus parses, ids are unique, the
 * balance RISK.md testing asks for holds, malformed lines are reported as file:line, and the scorer's
 * figures are right on synthetic classifiers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorpusFormatError,
  entryToAction,
  loadCorpus,
  parseKnownGaps,
  scoreCorpus,
  type CorpusEntry,
  type CorpusPrediction,
} from './corpus.js';

const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));
const FILES = ['airlock-cli.jsonl', 'cloud.jsonl', 'evasion.jsonl', 'iac.jsonl', 'k8s.jsonl', 'mcp.jsonl', 'shell.jsonl', 'sql.jsonl'];
const PREFIX: Record<string, string> = {
  'airlock-cli.jsonl': 'al',
  'cloud.jsonl': 'cl',
  'evasion.jsonl': 'ev',
  'iac.jsonl': 'iac',
  'k8s.jsonl': 'k8s',
  'mcp.jsonl': 'mcp',
  'shell.jsonl': 'sh',
  'sql.jsonl': 'sql',
};

const perfect = (e: CorpusEntry): CorpusPrediction => ({
  risk: e.risk,
  kind: e.family,
  obfuscated: e.obfuscated === true,
  disruptive: e.disruptive === true,
});

describe('corpus files', () => {
  const entries = loadCorpus(CORPUS_DIR);

  it('every line of every file parses, in the expected files', () => {
    expect(new Set(entries.map((e) => e.source.file))).toEqual(new Set(FILES));
    expect(entries.length).toBeGreaterThanOrEqual(650);
  });

  it('ids are unique and carry their file prefix', () => {
    const seen = new Map<string, string>();
    for (const e of entries) {
      expect(seen.get(e.id), `${e.id} repeated`).toBeUndefined();
      seen.set(e.id, `${e.source.file}:${e.source.line}`);
      expect(e.id.startsWith(`${PREFIX[e.source.file]}-`), `${e.id} in ${e.source.file}`).toBe(true);
    }
  });

  it('no input appears twice', () => {
    const seen = new Set<string>();
    for (const e of entries) {
      const key = JSON.stringify(e.input);
      expect(seen.has(key), `${e.id} duplicates an earlier input`).toBe(false);
      seen.add(key);
    }
  });

  it('keeps the balance: ~45% benign, >= 15% obfuscated destructive evasions, few unknown', () => {
    const n = entries.length;
    const benign = entries.filter((e) => e.risk === 'read' || e.risk === 'write').length;
    const obfuscatedDangerous = entries.filter(
      (e) => e.obfuscated === true && (e.risk === 'destructive' || e.risk === 'catastrophic'),
    ).length;
    const unknown = entries.filter((e) => e.risk === 'unknown').length;
    expect(benign / n).toBeGreaterThanOrEqual(0.4);
    expect(obfuscatedDangerous / n).toBeGreaterThanOrEqual(0.15);
    expect(unknown / n).toBeLessThanOrEqual(0.03);
  });

  it('evasion.jsonl covers every SECURITY.md bypass class the classifier handles', () => {
    const classes = new Set(entries.filter((e) => e.source.file === 'evasion.jsonl').map((e) => e.bypass));
    for (const c of [
      'chaining and smuggling',
      'wrappers',
      'quoting and encoding',
      'flag games',
      'interpreters',
      'SQL',
      'environment',
      'paths',
      'Unicode',
    ]) {
      expect(classes.has(c as never), c).toBe(true);
    }
  });

  it('every entry converts to an action of its kind', () => {
    for (const e of entries) {
      const action = entryToAction(e);
      expect(action.kind).toBe(e.kind);
    }
    const annotated = entries.find((e) => e.kind === 'mcp' && e.input.annotations !== undefined);
    expect(annotated && entryToAction(annotated)).toMatchObject({ kind: 'mcp', annotations: expect.any(Object) });
  });

  it('KNOWN_GAPS.md parses and names only corpus ids', () => {
    const gaps = parseKnownGaps(readFileSync(join(CORPUS_DIR, 'KNOWN_GAPS.md'), 'utf8'));
    const ids = new Set(entries.map((e) => e.id));
    for (const id of gaps.keys()) expect(ids.has(id), id).toBe(true);
  });
});

describe('loadCorpus', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reports file:line for malformed lines and skips blank lines', () => {
    dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    const good = JSON.stringify({ id: 'sh-001', kind: 'shell', input: 'ls', risk: 'read', family: 'shell' });
    writeFileSync(
      join(dir, 'a.jsonl'),
      [
        good,
        '',
        '{not json',
        JSON.stringify({ id: 'sh-003', kind: 'shell', input: 'ls', risk: 'harmless', family: 'shell' }),
        JSON.stringify({ id: 'sh-004', kind: 'sql', input: 'SELECT 1', risk: 'read', family: 'shell' }),
        JSON.stringify({ id: 'sh-005', kind: 'shell', input: 'ls', risk: 'read', family: 'shell', extra: 1 }),
        JSON.stringify({ id: 'sh-006', kind: 'mcp', input: { server: 's', tool: 't' }, risk: 'read', family: 'mcp' }),
        JSON.stringify({ id: 'sh-007', kind: 'shell', input: 'ls', risk: 'read', family: 'shell', obfuscated: false }),
      ].join('\n'),
    );
    writeFileSync(join(dir, 'notes.md'), 'ignored');
    let error: unknown;
    try {
      loadCorpus(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorpusFormatError);
    const problems = (error as CorpusFormatError).problems;
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual([
      'a.jsonl:3',
      'a.jsonl:4',
      'a.jsonl:5',
      'a.jsonl:6',
      'a.jsonl:7',
      'a.jsonl:8',
    ]);
    expect((error as Error).message).toContain('a.jsonl:3: not JSON');
    expect((error as Error).message).toContain('a.jsonl:4: risk');
  });

  it('returns entries with their source', () => {
    dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    writeFileSync(
      join(dir, 'b.jsonl'),
      `${JSON.stringify({ id: 'sql-001', kind: 'sql', input: 'DROP TABLE t', risk: 'destructive', family: 'sql', dialect: 'mysql' })}\n`,
    );
    const [entry] = loadCorpus(dir);
    expect(entry).toMatchObject({ id: 'sql-001', source: { file: 'b.jsonl', line: 1 } });
    expect(entry && entryToAction(entry)).toEqual({ kind: 'sql', sql: 'DROP TABLE t', dialect: 'mysql' });
  });
});

describe('scoreCorpus', () => {
  const sample: CorpusEntry[] = [
    { id: 'x-001', kind: 'shell', input: 'ls', risk: 'read', family: 'shell' },
    { id: 'x-002', kind: 'shell', input: 'kubectl rollout restart deploy/a', risk: 'write', family: 'k8s', disruptive: true },
    { id: 'x-003', kind: 'shell', input: 'rm -rf ~', risk: 'catastrophic', family: 'shell' },
    { id: 'x-004', kind: 'sql', input: 'DROP TABLE t', risk: 'destructive', family: 'sql' },
    { id: 'x-005', kind: 'shell', input: 'echo cm0gLXJmIH4= | base64 -d | sh', risk: 'catastrophic', family: 'shell', obfuscated: true },
    { id: 'x-006', kind: 'shell', input: '$X -rf /', risk: 'unknown', family: 'shell' },
  ];

  it('a perfect classifier has full recall, no false positives, no mismatches', () => {
    const score = scoreCorpus(sample, perfect);
    expect(score.total).toBe(6);
    expect(score).toMatchObject({ destructiveTotal: 3, caught: 3, recall: 1, benignTotal: 2, falsePositives: 0, falsePositiveRate: 0 });
    expect(score.exactAccuracy).toBe(1);
    expect(score.mismatches).toEqual([]);
    expect(score.byFamily.shell?.total).toBe(4);
    expect(score.byFamily.k8s).toMatchObject({ destructiveTotal: 0, recall: 1, benignTotal: 1 });
  });

  it('counts unknown as held, flags every field, and treats a throw as unknown', () => {
    const score = scoreCorpus(sample, (e) => {
      if (e.id === 'x-004') throw new Error('boom');
      if (e.id === 'x-003') return { ...perfect(e), risk: 'unknown' };
      if (e.id === 'x-001') return { ...perfect(e), risk: 'unknown' };
      if (e.id === 'x-002') return { ...perfect(e), disruptive: false, kind: 'shell' };
      if (e.id === 'x-005') return { ...perfect(e), obfuscated: false };
      return perfect(e);
    });
    expect(score).toMatchObject({ caught: 1, destructiveTotal: 3, recall: 1 / 3, caughtOrHeld: 3, recallWithUnknown: 1 });
    expect(score).toMatchObject({ falsePositives: 1, benignTotal: 2, falsePositiveRate: 0.5, exact: 3, exactAccuracy: 0.5 });
    expect(Object.fromEntries(score.mismatches.map((m) => [m.id, m.fields]))).toEqual({
      'x-001': ['risk'],
      'x-002': ['kind', 'disruptive'],
      'x-003': ['risk'],
      'x-004': ['error', 'risk'],
      'x-005': ['obfuscated'],
    });
    expect(score.mismatches.find((m) => m.id === 'x-004')?.error).toBe('boom');
  });

  it('does not check disruptive on destructive entries unless labeled', () => {
    const score = scoreCorpus(sample.slice(2, 4), (e) => ({ ...perfect(e), disruptive: true }));
    expect(score.mismatches).toEqual([]);
  });
});

describe('parseKnownGaps', () => {
  it('reads id: reason lines from the first fence', () => {
    const md = 'intro\n\n```text\n# comment\nsh-001: misses quoting\n\nev-010: decodes late\n```\n\n```\nsh-999: not this one\n```\n';
    expect([...parseKnownGaps(md)]).toEqual([
      ['sh-001', 'misses quoting'],
      ['ev-010', 'decodes late'],
    ]);
  });

  it('rejects malformed and repeated lines, and a missing fence', () => {
    expect(() => parseKnownGaps('```\nsh-001\n```\n')).toThrow(/expected "id: reason"/);
    expect(() => parseKnownGaps('```\nsh-001: a\nsh-001: b\n```\n')).toThrow(/twice/);
    expect(() => parseKnownGaps('no list')).toThrow(/no fenced list/);
  });

  it('an empty fence is an empty list', () => {
    expect(parseKnownGaps('```text\n```\n').size).toBe(0);
  });
});
