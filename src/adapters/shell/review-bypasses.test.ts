/**
 * Regression tables for bypasses found in a security review (H1 limits, H2 programs at paths,
 * H7 commands that run arbitrary code). Each table holds the bypass and look-alikes that must keep
 * their class. Whole command lines go through the real shell classifier.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../core/assessment.js';
import { SqlClassifier } from '../sql/sql-classifier.js';
import { vouchedPath } from './evaluator.js';
import { ShellClassifier } from './shell-classifier.js';

let classifier: ShellClassifier;

beforeAll(async () => {
  classifier = await ShellClassifier.create({ sql: await SqlClassifier.create() });
});

type Row = readonly [command: string, risk: RiskClass];

function table(rows: readonly Row[]): void {
  it.each(rows.map(([command, risk]) => ({ command, risk })))('$command → $risk', ({ command, risk }) => {
    const a = classifier.classify(command);
    expect(a.risk, JSON.stringify(a.effects.map((e) => `${e.risk}: ${e.reason}`))).toBe(risk);
  });
}

const chained = (n: number, cmd: string): string => Array.from({ length: n }, () => cmd).join(' && ');

describe('H1: a limit reached makes the input at least unknown, never truncates it', () => {
  table([
    [`${chained(800, 'echo $(echo $(echo x))')} && kubectl --context prod-eu delete ns payments`, 'catastrophic'],
    [`${chained(2100, 'echo x')} && git push origin main`, 'unknown'],
    [`${chained(2100, 'echo x')} && rm -rf /`, 'catastrophic'],
    [`parallel echo ::: ${Array.from({ length: 20 }, (_, i) => `v${i}`).join(' ')}`, 'unknown'],
    // A capped brace expansion stands for paths not seen: no longer a regenerable folder.
    ['rm -rf build/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}', 'destructive'],
    ['rm -rf build/{a,b}{c,d}', 'write'],
    // Look-alikes under the limits keep their class.
    [chained(50, 'echo x'), 'read'],
    ['parallel echo ::: a b c', 'read'],
    ['ls {src,test}/*.ts', 'read'],
  ]);

  it('stays fast on the review input', () => {
    const start = performance.now();
    classifier.classify(`${chained(800, 'echo $(echo $(echo x))')} && kubectl --context prod-eu delete ns payments`);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('H2: a program named by a path is judged by its grammar only in system directories', () => {
  table([
    ['./ls', 'unknown'],
    ['./git status', 'unknown'],
    ['/tmp/evil/cat x', 'unknown'],
    ['./node_modules/.bin/cat README.md', 'unknown'],
    ['../bin/ls -la', 'unknown'],
    ['/usr/bin/../../tmp/ls', 'unknown'],
    ['sudo ./ls', 'unknown'],
    ['find . -name x -exec ./cat {} \\;', 'unknown'],
    // System directories (also with `//` and `/./`) keep the tool's grammar.
    ['/usr/bin/rm -rf /', 'catastrophic'],
    ['/bin/rm -rf /var/*', 'catastrophic'],
    ['//usr//bin/rm -rf /', 'catastrophic'],
    ['/usr/./bin/rm -rf /', 'catastrophic'],
    ['/usr/bin/git status', 'read'],
    ['/bin/ls -la', 'read'],
    ['/usr/local/bin/kubectl get pods', 'read'],
    ['/usr/sbin/iptables -L', 'read'],
    ['ls -la', 'read'],
  ]);

  it.each([
    ['ls', true],
    ['/bin/ls', true],
    ['/usr/local/sbin/x', true],
    ['//bin/ls', true],
    ['/./bin/ls', true],
    ['./ls', false],
    ['/bin/', false],
    ['/opt/bin/ls', false],
    ['/usr/bin/sub/ls', false],
  ] as const)('vouchedPath(%s) is %s', (path, ok) => {
    expect(vouchedPath(path)).toBe(ok);
  });
});

describe('H2: a path-named program keeps a worse judgement of its grammar', () => {
  table([
    ['bin/rails db:drop', 'catastrophic'],
    ['./rm -rf /', 'catastrophic'],
    ['bin/rails db:migrate', 'unknown'],
    ['.venv/bin/pip install -r requirements.txt', 'unknown'],
    // No project launcher is vouched for: a binstub or a virtualenv's program could be any file.
    ['tools/bin/rails db:migrate', 'unknown'],
    ['.venv/bin/pip list', 'unknown'],
    ['./bin/cat x', 'unknown'],
  ]);
});

describe('H7: environment that makes a program run something else', () => {
  table([
    ["GIT_SSH_COMMAND='sh -c id' git fetch", 'unknown'],
    ['GIT_EXTERNAL_DIFF=./x git diff', 'unknown'],
    ['GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0=./x git log', 'unknown'],
    ['PAGER=./x man ls', 'unknown'],
    ['export EDITOR=./x; git commit', 'unknown'],
    ['LESSOPEN="|./x %s" less README.md', 'unknown'],
    ['KUBECTL_EXTERNAL_DIFF=./x kubectl diff -f a.yaml', 'unknown'],
    // Look-alikes: harmless variables keep the class.
    ['GIT_AUTHOR_NAME=bot git log', 'read'],
    ['LANG=C git status', 'read'],
    ['GIT_CONFIG_NOSYSTEM=1 git status', 'read'],
  ]);
});
