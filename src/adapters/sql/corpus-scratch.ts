import { readFileSync } from 'node:fs';
import { worstRisk } from '../../core/assessment.js';
import { SqlClassifier } from './sql-classifier.js';
const c = await SqlClassifier.create();
let n = 0, bad = 0;
for (const f of ['test/corpus/sql.jsonl', 'test/corpus/evasion.jsonl']) {
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (e.kind !== 'sql') continue;
    n++;
    const r = c.classify(e.input, e.dialect ?? 'unknown');
    const risk = worstRisk(r.effects.map((x) => x.risk));
    const disruptive = r.effects.some((x) => x.disruptive);
    const checkD = ['read', 'write', 'unknown'].includes(e.risk) || e.disruptive === true;
    if (risk !== e.risk || (checkD && disruptive !== (e.disruptive === true))) {
      bad++;
      console.log(`${e.id} expected ${e.risk}${e.disruptive ? '+D' : ''} got ${risk}${disruptive ? '+D' : ''} | ${e.input.replace(/\n/g, '\\n')} | ${e.note ?? ''}`);
      console.log('    ', r.effects.filter((x) => x.risk === risk || x.disruptive).map((x) => x.reason).join(' ;; '));
    }
  }
}
console.log(n, 'sql entries', bad, 'mismatches');
