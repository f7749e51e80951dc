import { ShellClassifier } from './shell-classifier.js';
const sql = { classify: (s: string) => ({ kind: 'sql' as const, effects: [{ verb: 'execute' as const, resource: 'sql', scope: 'unknown' as const, reversible: null, risk: /drop/i.test(s) ? 'destructive' as const : 'read' as const, disruptive: false, reason: 'stub' }] }) };
const c = await ShellClassifier.create({ sql });
for (const cmd of process.argv.slice(2)) {
  const a = c.classify(cmd);
  console.log(JSON.stringify(cmd), '=>', a.risk, a.kind, a.obfuscated ? 'OBF' : '', a.effects.map(e => `${e.risk}:${e.reason}`).join(' | '));
}
