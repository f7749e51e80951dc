/**
 * The labeled corpus (test/corpus/*.jsonl) run through the real classifier. Gates: recall on
 * destructive+catastrophic >= 99%, false-positive rate on read/write <= 3%, and every mismatch
 * listed in test/corpus/KNOWN_GAPS.md while every listed id still exists and still mismatches.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../src/adapters/classifier.js';
import type { Classifier } from '../src/core/ports.js';
import {
  entryToAction,
  formatScore,
  loadCorpus,
  parseKnownGaps,
  scoreCorpus,
  type CorpusScore,
  type LoadedCorpusEntry,
} from './corpus/corpus.js';

const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const MIN_ENTRIES = 600;
const MIN_RECALL = 0.99;
const MAX_FALSE_POSITIVE_RATE = 0.03;

describe('classifier corpus', () => {
  let entries: LoadedCorpusEntry[];
  let gaps: Map<string, string>;
  let score: CorpusScore;

  beforeAll(async () => {
    entries = loadCorpus(CORPUS_DIR);
    gaps = parseKnownGaps(readFileSync(join(CORPUS_DIR, 'KNOWN_GAPS.md'), 'utf8'));
    const classifier: Classifier = await createClassifier();
    score = scoreCorpus(entries, (entry) => {
      const assessment = classifier.classify(entryToAction(entry));
      return {
        risk: assessment.risk,
        kind: assessment.kind,
        obfuscated: assessment.obfuscated,
        disruptive: assessment.disruptive,
      };
    });
    console.log(formatScore(score, 200));
  });

  it('every corpus line parses and ids are unique', () => {
    const ids = entries.map((e) => e.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(repeated).toEqual([]);
  });

  it(`holds at least ${MIN_ENTRIES} entries`, () => {
    expect(entries.length).toBeGreaterThanOrEqual(MIN_ENTRIES);
  });

  it(`recall on destructive+catastrophic is at least ${MIN_RECALL * 100}%`, () => {
    expect(score.recall, formatScore(score, 0)).toBeGreaterThanOrEqual(MIN_RECALL);
  });

  it(`false-positive rate on read/write is at most ${MAX_FALSE_POSITIVE_RATE * 100}%`, () => {
    expect(score.falsePositiveRate, formatScore(score, 0)).toBeLessThanOrEqual(MAX_FALSE_POSITIVE_RATE);
  });

  it('every mismatch is listed in KNOWN_GAPS.md', () => {
    const unlisted = score.mismatches
      .filter((m) => !gaps.has(m.id))
      .map((m) => {
        const want = `${m.expected.risk}/${m.expected.kind}${m.expected.obfuscated ? '/obfuscated' : ''}${m.expected.disruptive ? '/disruptive' : ''}`;
        const got = m.actual
          ? `${m.actual.risk}/${m.actual.kind}${m.actual.obfuscated ? '/obfuscated' : ''}${m.actual.disruptive ? '/disruptive' : ''}`
          : `threw ${m.error ?? ''}`;
        return `${m.id} (${m.source?.file}:${m.source?.line}) [${m.fields.join(',')}] want ${want}, got ${got}`;
      });
    expect(unlisted).toEqual([]);
  });

  it('every id in KNOWN_GAPS.md exists and still mismatches', () => {
    const ids = new Set(entries.map((e) => e.id));
    const mismatching = new Set(score.mismatches.map((m) => m.id));
    const stale = [...gaps.keys()].filter((id) => !ids.has(id) || !mismatching.has(id));
    expect(stale).toEqual([]);
  });
});
