import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../core/action.js';
import { assessmentFromEffects, type Assessment } from '../../core/assessment.js';
import type { AirlockError } from '../../core/errors.js';
import type { Hasher } from '../../core/ports.js';
import { CedarPolicyEngine } from './cedar-policy-engine.js';
import { formatPolicyTestResults, parsePolicyTests, runPolicyTests } from './policy-test.js';

const hasher: Hasher = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};
const policiesDir = new URL('../../../policies/', import.meta.url);
const schema = readFileSync(new URL('airlock.cedarschema', policiesDir), 'utf8');
const defaultPack = { name: 'default.cedar', text: readFileSync(new URL('default.cedar', policiesDir), 'utf8') };
const defaultCases = readFileSync(new URL('tests/default.yaml', policiesDir), 'utf8');

const engine = () => CedarPolicyEngine.create({ schema, policies: [defaultPack], hasher });

function parseError(text: string): string {
  try {
    parsePolicyTests(text, 'cases.yaml');
  } catch (err) {
    expect((err as AirlockError).code).toBe('BAD_INPUT');
    return (err as Error).message;
  }
  throw new Error('expected BAD_INPUT');
}

describe('policies/tests/default.yaml through the real engine', () => {
  it('passes every case', async () => {
    const cases = parsePolicyTests(defaultCases, 'default.yaml');
    expect(cases.length).toBeGreaterThanOrEqual(25);
    const results = runPolicyTests(cases, { engine: await engine() });
    const failed = results.filter((r) => !r.passed);
    expect(failed, formatPolicyTestResults(failed)).toEqual([]);
  });

  it('makes every policy of the default pack determine some case', async () => {
    const e = await engine();
    const results = runPolicyTests(parsePolicyTests(defaultCases, 'default.yaml'), { engine: e });
    const fired = new Set(results.flatMap((r) => r.actual?.policies.map((p) => p.id) ?? []));
    const missing = e.policies.map((p) => p.id).filter((id) => !fired.has(id));
    expect(missing).toEqual([]);
  });
});

describe('parsePolicyTests', () => {
  it('names the case and the field of each problem', () => {
    const msg = parseError(`
cases:
  - name: fine
    assessment: { risk: read }
    environment: { name: prod, protected: true }
    expect: allow
  - name: typo in expect
    assessment: { risk: read }
    environment: { name: prod, protected: true }
    expect: alow
  - name: bad risk
    assessment: { risk: scary }
    environment: { name: prod, protected: yes }
    expect: deny
`);
    expect(msg).toMatch(/cases\.yaml: case 2 "typo in expect", field expect: /);
    expect(msg).toMatch(/case 3 "bad risk", field assessment\.risk: /);
    expect(msg).toMatch(/case 3 "bad risk", field environment\.protected: /);
  });

  it('rejects unknown fields, both or neither of action and assessment, and approvals without a hold', () => {
    expect(
      parseError(
        'cases:\n  - { name: a, assessment: { risk: read }, environment: { name: p, protected: true }, expect: allow, expcet: deny }',
      ),
    ).toMatch(/case 1 "a".*expcet/);
    expect(parseError('cases:\n  - { name: b, environment: { name: p, protected: true }, expect: allow }')).toMatch(
      /case 1 "b", field action: give either `action` or `assessment`/,
    );
    expect(
      parseError(
        'cases:\n  - { name: c, assessment: { risk: read }, environment: { name: p, protected: true }, expect: allow, approvals: 2 }',
      ),
    ).toMatch(/field approvals: `approvals` only applies/);
  });

  it('names the line of a YAML syntax error', () => {
    expect(parseError('cases:\n  - name: x\n    expect: [allow\n')).toMatch(/cases\.yaml:\d+: /);
  });

  it('requires at least one case', () => {
    expect(parseError('cases: []\n')).toMatch(/field cases/);
  });
});

describe('runPolicyTests', () => {
  const actionCases = parsePolicyTests(
    `
cases:
  - name: rm -rf in prod is held
    action: { kind: shell, input: "rm -rf /var/www" }
    environment: { name: prod, protected: true }
    expect: hold
    approvals: 2
  - name: ls in prod is allowed
    action: { kind: shell, input: "ls /var/www" }
    environment: { name: prod, protected: true }
    expect: allow
  - name: a wrong expectation fails
    action: { kind: sql, input: "SELECT 1" }
    environment: { name: prod, protected: true }
    expect: deny
`,
    'actions.yaml',
  );

  // A stand-in for the real classifier, which lives in another adapter: enough to drive policy.
  const classify = (action: Action): Assessment => {
    const destructive = action.kind === 'shell' && action.command.startsWith('rm ');
    return assessmentFromEffects({
      kind: action.kind === 'sql' ? 'sql' : 'shell',
      effects: [
        {
          verb: destructive ? 'delete' : 'read',
          resource: 'x',
          scope: destructive ? 'directory' : 'none',
          reversible: !destructive,
          risk: destructive ? 'destructive' : 'read',
          disruptive: false,
          reason: 'stand-in',
        },
      ],
    });
  };

  it('classifies actions, and reports the actual decision and fired policies of a failing case', async () => {
    const results = runPolicyTests(actionCases, { engine: await engine(), classify });
    expect(results.map((r) => r.passed)).toEqual([true, true, false]);
    expect(results[2]?.failures).toEqual(['expected deny, got allow']);
    expect(results[2]?.actual?.policies.map((p) => p.id)).toEqual(['permit-read']);
    const report = formatPolicyTestResults(results);
    expect(report).toMatch(/^FAIL {2}a wrong expectation fails: allow \[permit-read\]$/m);
    expect(report).toMatch(/2 passed, 1 failed$/);
  });

  it('fails action cases when no classifier is given, and when the classifier throws', async () => {
    const e = await engine();
    expect(runPolicyTests(actionCases, { engine: e })[0]?.failures[0]).toMatch(/no classifier/);
    const throwing = runPolicyTests(actionCases, {
      engine: e,
      classify: () => {
        throw new Error('boom');
      },
    });
    expect(throwing[0]).toMatchObject({ passed: false, failures: ['the classifier failed: Error: boom'] });
  });

  it('checks approvals, groups and fired policies', async () => {
    const cases = parsePolicyTests(
      `
cases:
  - name: wrong details
    assessment: { risk: destructive }
    environment: { name: prod, protected: true }
    expect: hold
    approvals: 1
    groups: [dba]
    fired: [deny-catastrophic]
`,
      'x.yaml',
    );
    const [result] = runPolicyTests(cases, { engine: await engine() });
    expect(result?.failures).toEqual([
      'expected 1 approvals, got 2',
      'expected approver groups [dba], got [prod-owners]',
      'expected policy deny-catastrophic to fire; fired: [hold-protected-destructive]',
    ]);
  });
});
