import { beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../../core/assessment.js';
import { type CompositeClassifier, createClassifier } from '../../classifier.js';

let classifier: CompositeClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
});

const assess = (command: string) => classifier.classify({ kind: 'shell', command });
const files = (targets: readonly Target[]) =>
  [...new Set(targets.flatMap((t) => (t.type === 'database' && t.engine === 'sqlite' && t.database ? [t.database] : [])))].sort();

describe('sqlite3 names every database file it opens', () => {
  it.each([
    ['sqlite3 app.db "insert into t values (1)"', ['app.db']],
    ['cd data && sqlite3 app.db "insert into t values (1)"', ['data/app.db']],
    ['sqlite3 -cmd ".open other.db" :memory: "insert into t values (1)"', [':memory:', 'other.db']],
    ['sqlite3 :memory: ".open --new other.db" "insert into t values (1)"', [':memory:', 'other.db']],
    ['sqlite3 :memory: ".open \'my data.db\'" "insert into t values (1)"', [':memory:', 'my data.db']],
    ['sqlite3 app.db "attach database \'other.db\' as o; insert into o.t values (1)"', ['app.db', 'other.db']],
  ])('%s → %j', (command, expected) => {
    expect(files(assess(command).targets)).toEqual(expected);
  });

  it('reports the file `.backup`, `.save` and `.output` write as a path', () => {
    for (const dot of ['.backup copy.db', '.backup main copy.db', '.save copy.db', '.output copy.db']) {
      const a = assess(`sqlite3 app.db "${dot}"`);
      expect(a.effects.map((e) => e.resource)).toContain('path copy.db');
      expect(a.risk).toBe('write');
    }
  });

  it('keeps the classes it had', () => {
    expect(assess('sqlite3 app.db "select * from t"').risk).toBe('read');
    expect(assess('sqlite3 app.db "update t set a = 1 where id = 1"').risk).toBe('write');
    expect(assess('sqlite3 app.db "delete from t"').risk).toBe('destructive');
    expect(assess('sqlite3 app.db ".restore backup.db"').risk).toBe('destructive');
  });
});

describe('litecli', () => {
  it.each([
    ['litecli app.db -e "select * from t"', 'read'],
    ['litecli app.db --execute "delete from t"', 'destructive'],
    ['litecli -D app.db -e "insert into t values (1)"', 'write'],
    ['litecli app.db', 'unknown'],
    ['litecli --version', 'read'],
  ] as const)('%s → %s', (command, risk) => {
    const a = assess(command);
    expect(a.risk).toBe(risk);
    if (command.includes('app.db')) expect(files(a.targets)).toEqual(['app.db']);
  });
});
