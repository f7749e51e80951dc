/**
 * SECURITY.md invariant 7: policy errors deny. Cedar skips a policy whose evaluation errors, so a
 * `forbid` that errors can let a request through. Airlock validates every request against the
 * schema, rejects policies that do not type-check, and turns any evaluation error into hold or deny.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CedarPolicyEngine } from '../src/adapters/policy-cedar/cedar-policy-engine.js';
import { assessmentFromFacts, policyInputForCase, type PolicyTestCase } from '../src/adapters/policy-cedar/policy-test.js';
import type { RiskClass } from '../src/core/assessment.js';
import type { AirlockError } from '../src/core/errors.js';
import type { Hasher, PolicyInput } from '../src/core/ports.js';

const hasher: Hasher = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};
const policiesDir = new URL('../policies/', import.meta.url);
const schema = readFileSync(new URL('airlock.cedarschema', policiesDir), 'utf8');
const defaultPack = { name: 'default.cedar', text: readFileSync(new URL('default.cedar', policiesDir), 'utf8') };

/** The user's policy from the threat model: forbid big blast radii. */
const blastRadiusForbid = `
@id("forbid-big-blast-radius")
@reason("more than 50 items")
forbid (principal is Agent, action == Action::"run", resource)
when { context.blastRadiusCount > 50 };`;

function input(risk: RiskClass, count: number | null, env = { name: 'dev', protected: false }): PolicyInput {
  const c: PolicyTestCase = {
    name: 'invariant 7',
    principal: { id: 'agent-1', roles: [], authenticated: true },
    assessment: { risk, kind: 'sql', disruptive: false, obfuscated: false, unvettedTool: false, count },
    environment: { ...env, resources: [] },
    elevated: false,
    frozen: false,
    surface: 'exec',
    expect: 'deny',
  };
  return policyInputForCase(
    c,
    assessmentFromFacts(c.assessment ?? { risk, kind: 'sql', disruptive: false, obfuscated: false, unvettedTool: false, count }),
    {
      id: 'p-1',
      now: '2025-01-01T00:00:00.000Z',
    },
  );
}

const engine = (userText: string) =>
  CedarPolicyEngine.create({ schema, policies: [defaultPack, { name: 'user.cedar', text: userText }], hasher });

describe('invariant 7: policy errors deny', () => {
  it('the hazard: Cedar on its own skips the erroring forbid and allows', () => {
    const answer = isAuthorized({
      principal: { type: 'Agent', id: 'agent-1' },
      action: { type: 'Action', id: 'run' },
      resource: { type: 'Target', id: 'sql:unknown' },
      context: { riskRank: 1, blastRadiusCount: '5000' },
      entities: [],
      policies: { staticPolicies: `permit (principal, action, resource) when { context.riskRank == 1 };\n${blastRadiusForbid}` },
    });
    expect(answer.type).toBe('success');
    if (answer.type !== 'success') return;
    expect(answer.response.decision).toBe('allow');
    expect(answer.response.diagnostics.errors[0]?.error.message).toMatch(/type error/);
  });

  it('the forbid works when the value is a number', async () => {
    const e = await engine(blastRadiusForbid);
    expect(e.evaluate(input('write', 5000))).toMatchObject({ outcome: 'deny', reasons: ['more than 50 items'] });
    expect(e.evaluate(input('write', 10)).outcome).toBe('allow');
    expect(e.evaluate(input('write', null)).outcome).toBe('allow'); // unknown count is -1
  });

  it('a string where the schema says Long fails request validation: deny, not allow', async () => {
    const e = await engine(blastRadiusForbid);
    const base = input('write', null);
    const stringCount = {
      ...base,
      assessment: { ...base.assessment, blastRadius: { ...base.assessment.blastRadius, count: '5000' } },
    } as unknown as PolicyInput;
    const result = e.evaluate(stringCount);
    expect(result.outcome).toBe('deny');
    expect(result.errors.join('\n')).toMatch(/request validation/);
  });

  it('a missing context attribute fails request validation: deny, not allow', async () => {
    const e = await engine(blastRadiusForbid);
    const base = input('write', 10);
    const missing = { ...base, assessment: { ...base.assessment, disruptive: undefined } } as unknown as PolicyInput;
    const result = e.evaluate(missing);
    expect(result.outcome).toBe('deny');
    expect(result.errors.join('\n')).toMatch(/disruptive/);
  });

  it('a policy comparing the count with a string is rejected at load, never silently skipped', async () => {
    await expect(engine(blastRadiusForbid.replace('> 50', '> "50"'))).rejects.toMatchObject({
      code: 'BAD_POLICY',
    } satisfies Partial<AirlockError>);
    await expect(engine(blastRadiusForbid.replace('blastRadiusCount', 'blastRadius'))).rejects.toThrow(/user\.cedar:5:\d+: .*blastRadius/);
  });

  it('a user forbid that errors at run time counts as matched: deny', async () => {
    // Validates, then errors when the environment entity it names is not part of the request.
    const e = await engine(`
@id("payments-no-deletes")
forbid (principal is Agent, action == Action::"run", resource)
when { Environment::"payments".protected && context.verbs.contains("delete") };`);
    const result = e.evaluate(input('write', 1));
    expect(result.outcome).toBe('deny');
    expect(result.policies.map((p) => p.id)).toEqual(['payments-no-deletes']);
    expect(result.errors[0]).toMatch(/^payments-no-deletes: /);
  });

  it('a user forbid with @hold that errors at run time holds', async () => {
    const e = await engine(`
@hold("2")
forbid (principal is Agent, action == Action::"run", resource)
when { context.blastRadiusCount * 9223372036854775807 > 0 };`);
    const result = e.evaluate(input('write', 3));
    expect(result).toMatchObject({ outcome: 'hold', requirement: { approvals: 2 } });
    expect(result.errors[0]).toMatch(/overflow/);
  });

  it('a user permit that errors at run time never allows', async () => {
    const e = await engine(
      `permit (principal is Agent, action == Action::"run", resource) when { context.blastRadiusCount * 9223372036854775807 > 0 };`,
    );
    const result = e.evaluate(input('read', 3));
    expect(result.outcome).not.toBe('allow');
    expect(result.errors).toHaveLength(1);
  });

  it('never allows when any error is reported, over many inputs', async () => {
    const e = await engine(`
forbid (principal is Agent, action == Action::"run", resource)
when { context.blastRadiusCount + 9223372036854775000 > 9223372036854775806 && context.riskRank == 0 };
permit (principal is Agent, action == Action::"run", resource)
when { context.blastRadiusCount * 4611686018427387904 > 1 };`);
    const risks: RiskClass[] = ['read', 'write', 'unknown', 'destructive', 'catastrophic'];
    let withErrors = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...risks),
        fc.option(fc.integer({ min: 0, max: 2000 }), { nil: null }),
        fc.boolean(),
        (risk, count, prod) => {
          const result = e.evaluate(input(risk, count, prod ? { name: 'prod', protected: true } : { name: 'dev', protected: false }));
          if (result.errors.length > 0) {
            withErrors += 1;
            expect(result.outcome).not.toBe('allow');
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(withErrors).toBeGreaterThan(0);
  });
});
