import { describe, expect, it } from 'vitest';
import type { Action } from './action.js';
import { assessmentFromEffects, type Assessment } from './assessment.js';
import { parseConfig } from './config.js';
import { Gateway, type AuditRecorder } from './gateway.js';
import type { AuditEntry, Classifier, PolicyEngine, PolicyEvaluation, PolicyInput } from './ports.js';

// Port implementations written for the test: fixed answers and injected faults (the contract of
// each port, not a stand-in for a real service).
const destructive: Assessment = assessmentFromEffects({
  kind: 'shell',
  effects: [
    {
      verb: 'delete',
      resource: 'path /var/www',
      scope: 'directory',
      reversible: false,
      risk: 'destructive',
      disruptive: false,
      reason: 'recursive delete',
    },
  ],
  targets: [{ type: 'host', hostname: 'web1.prod.example.com' }],
});
const fixedClassifier = (a: Assessment): Classifier => ({ classify: () => a });
const throwingClassifier: Classifier = {
  classify: () => {
    throw new Error('parser exploded');
  },
};
const policyReturning = (e: PolicyEvaluation, seen?: PolicyInput[]): PolicyEngine => ({
  policySetHash: 'f'.repeat(64),
  evaluate: (input) => {
    seen?.push(input);
    return e;
  },
});
const recorder = (): AuditRecorder & { entries: { type: string; payload: unknown }[] } => {
  const entries: { type: string; payload: unknown }[] = [];
  return {
    entries,
    append: async (type, payload) => {
      entries.push({ type, payload });
      return { seq: entries.length, ts: 't', type, payload, prevHash: '0', hash: '1' } satisfies AuditEntry;
    },
  };
};
const clock = { now: () => new Date('2026-11-21T10:00:00Z') };
let n = 0;
const ids = { next: (p: string) => `${p}_${++n}` };
const config = parseConfig({ environments: { prod: { protected: true, match: { hostnames: ['*.prod.example.com'] } } } });
const action: Action = { kind: 'shell', command: 'ssh web1.prod.example.com rm -rf /var/www' };
const agent = { id: 'claude-code', authenticated: true, onBehalfOf: 'alice' };

function gateway(over: Partial<ConstructorParameters<typeof Gateway>[0]> = {}): Gateway {
  return new Gateway({
    classifier: fixedClassifier(destructive),
    policy: policyReturning({ outcome: 'allow', policies: [], reasons: [], errors: [] }),
    audit: recorder(),
    clock,
    ids,
    config,
    ...over,
  });
}

describe('Gateway.decide', () => {
  it('records the proposal, assessment, environment and decision before answering', async () => {
    const audit = recorder();
    const hold: PolicyEvaluation = {
      outcome: 'hold',
      requirement: { approvals: 2, groups: ['prod-owners'], alternatives: [] },
      policies: [{ id: 'default.cedar#3', effect: 'forbid', annotations: { reason: 'destructive in prod' } }],
      reasons: ['destructive in prod'],
      errors: [],
    };
    const v = await gateway({ audit, policy: policyReturning(hold) }).decide({
      surface: 'exec',
      agent,
      roles: ['deployer'],
      action,
      intent: 'clean up',
    });
    expect(v.decision.outcome).toBe('hold');
    expect(v.environment).toMatchObject({ name: 'prod', protected: true });
    expect(v.auditSeq).toBe(1);
    expect(audit.entries[0]?.type).toBe('decision');
    expect(audit.entries[0]?.payload).toMatchObject({
      proposal: { intent: 'clean up', agent: { id: 'claude-code', onBehalfOf: 'alice' } },
      decision: { outcome: 'hold' },
    });
    expect(v.decision.guidance).toMatch(/2 human approvals from prod-owners/);
  });

  it('gives policy the agent as principal with its own roles only', async () => {
    const seen: PolicyInput[] = [];
    await gateway({ policy: policyReturning({ outcome: 'allow', policies: [], reasons: [], errors: [] }, seen) }).decide({
      surface: 'exec',
      agent,
      roles: ['reader'],
      action,
    });
    expect(seen[0]?.principal).toEqual({ type: 'Agent', id: 'claude-code', roles: ['reader'], authenticated: true, onBehalfOf: 'alice' });
  });

  it('turns a classifier failure into an unknown assessment (fail closed)', async () => {
    const seen: PolicyInput[] = [];
    const v = await gateway({
      classifier: throwingClassifier,
      policy: policyReturning({ outcome: 'deny', policies: [], reasons: [], errors: [] }, seen),
    }).decide({ surface: 'exec', agent, roles: [], action });
    expect(v.assessment.risk).toBe('unknown');
    expect(v.assessment.reasons.join()).toMatch(/parser exploded/);
    expect(seen[0]?.assessment.risk).toBe('unknown');
  });

  it('holds when the policy engine throws', async () => {
    const broken: PolicyEngine = {
      policySetHash: 'x',
      evaluate: () => {
        throw new Error('wasm trap');
      },
    };
    const v = await gateway({ policy: broken }).decide({ surface: 'exec', agent, roles: [], action });
    expect(v.decision.outcome).toBe('hold');
    expect(v.decision.errors).toEqual(['wasm trap']);
  });

  it('never allows when policy reported an evaluation error (invariant 7)', async () => {
    const v = await gateway({
      policy: policyReturning({ outcome: 'allow', policies: [], reasons: [], errors: ['forbid #2: attribute blastRadiusCount missing'] }),
    }).decide({ surface: 'exec', agent, roles: [], action });
    expect(v.decision.outcome).toBe('hold');
  });

  it('denies what it cannot record: nothing runs unrecorded', async () => {
    const failing: AuditRecorder = {
      append: async () => {
        throw new Error('disk full');
      },
    };
    const v = await gateway({ audit: failing }).decide({ surface: 'exec', agent, roles: [], action });
    expect(v.decision.outcome).toBe('deny');
    expect(v.decision.reasons.join()).toMatch(/audit log could not be written \(disk full\)/);
    expect(v.auditSeq).toBeNull();
  });

  it('does not record what-if checks', async () => {
    const audit = recorder();
    const v = await gateway({ audit }).decide({ surface: 'cli-check', agent, roles: [], action, record: false });
    expect(v.auditSeq).toBeNull();
    expect(audit.entries).toEqual([]);
  });
});
