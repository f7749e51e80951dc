/**
 * Runs the labeled corpus's SQL lines (`kind: "sql"` in test/corpus/*.jsonl) through the SQL
 * classifier alone. Every line must match its risk, and its `disruptive` flag where the corpus
 * scorer checks it (labels read, write, unknown, or `disruptive: true`). Skipped when the corpus
 * is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlDialect } from '../../core/action.js';
import { worstRisk } from '../../core/assessment.js';
import { SqlClassifier } from './sql-classifier.js';

const corpusDir = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));

interface SqlLine {
  readonly id: string;
  readonly input: string;
  readonly risk: string;
  readonly dialect?: SqlDialect;
  readonly disruptive?: boolean;
}

function sqlLines(): SqlLine[] {
  if (!existsSync(corpusDir)) return [];
  const out: SqlLine[] = [];
  for (const file of readdirSync(corpusDir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(corpusDir + file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as { kind?: string } & SqlLine;
      if (entry.kind === 'sql') out.push(entry);
    }
  }
  return out;
}

const lines = sqlLines();
let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await SqlClassifier.create();
});

describe.skipIf(lines.length === 0)('corpus SQL lines', () => {
  it.each(lines.map((l) => ({ ...l, label: `${l.id} ${l.risk}` })))('$label: $input', (line) => {
    const r = classifier.classify(line.input, line.dialect ?? 'unknown');
    const detail = JSON.stringify(r.effects.map((e) => [e.risk, e.reason]));
    expect(worstRisk(r.effects.map((e) => e.risk)), detail).toBe(line.risk);
    if (['read', 'write', 'unknown'].includes(line.risk) || line.disruptive === true) {
      expect(
        r.effects.some((e) => e.disruptive),
        detail,
      ).toBe(line.disruptive === true);
    }
  });
});
