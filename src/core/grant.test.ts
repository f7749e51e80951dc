/**
 * Grants (time-bound elevation): what an active grant covers, one table row per rule. A grant only
 * lifts holds on state changes Airlock understands, for its agent, in its scope, until it ends.
 * Time is a fake clock (a mutable Date); nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { NodeHasher } from '../adapters/crypto/node-hasher.js';
import { assessmentFromEffects, type Effect } from './assessment.js';
import { parseConfig } from './config.js';
import type { ResolvedEnvironment } from './decision.js';
import { coveringGrant, describeGrant, type Grant, type GrantScope, grantActive, grantCovers, grantDigest } from './grant.js';

const MIN = 60_000;
const T0 = new Date('2026-11-21T10:00:00.000Z');
const UNTIL = '2026-11-21T10:30:00.000Z';

/** The fake clock. */
const clock = { at: new Date(T0) };

const effect = (over: Partial<Effect> = {}): Effect => ({
  verb: 'modify',
  resource: 'deployment/api',
  scope: 'resource',
  reversible: true,
  risk: 'write',
  disruptive: true,
  reason: 'restarts the pods of a deployment',
  ...over,
});

const resource = (name: string) => ({ name, owners: [], dependants: [] });

const grant = (over: Partial<Omit<Grant, 'scope'>> & { scope?: Partial<GrantScope> } = {}): Grant => ({
  id: 'grant_1',
  version: 2,
  status: 'approved',
  agentId: 'deploy-bot',
  until: UNTIL,
  reason: 'incident 4711: restart the payment pods',
  requester: { kind: 'human', id: 'alice', authenticated: true },
  planDigest: 'd'.repeat(64),
  requirement: { approvals: 1, groups: ['prod-owners'], alternatives: [] },
  expiresAt: UNTIL,
  approvals: [],
  denial: null,
  revocation: null,
  createdAt: T0.toISOString(),
  updatedAt: T0.toISOString(),
  ...over,
  scope: { environments: ['prod'], resources: ['payments'], verbs: ['modify', 'delete'], maxRisk: 'destructive', ...over.scope },
});

interface ActionSpec {
  readonly agentId?: string;
  readonly effects?: readonly Effect[];
  readonly environment?: string;
  /** Inventory resources the action's targets matched. */
  readonly inventory?: readonly string[];
  /** Kubernetes namespaces the action targets (default: the inventory names). */
  readonly namespaces?: readonly string[];
}

/** The inventory in airlock.yaml: each resource recognised by its namespace. */
const INVENTORY = ['payments', 'billing'].map((name) => ({ name, match: matchOf(name) }));
function matchOf(namespace: string) {
  return parseConfig({ resources: [{ name: namespace, match: { namespaces: [namespace] } }] }).resources[0]?.match as NonNullable<
    ReturnType<typeof parseConfig>['resources'][number]['match']
  >;
}

const actionOf = (spec: ActionSpec) => {
  const environment: ResolvedEnvironment = {
    name: spec.environment ?? 'prod',
    protected: true,
    how: 'test',
    resources: (spec.inventory ?? ['payments']).map(resource),
  };
  return {
    agentId: spec.agentId ?? 'deploy-bot',
    assessment: assessmentFromEffects({
      kind: 'k8s',
      effects: spec.effects ?? [effect()],
      targets: (spec.namespaces ?? spec.inventory ?? ['payments']).map((namespace) => ({ type: 'kubernetes' as const, namespace })),
    }),
    environment,
  };
};

interface Row {
  readonly name: string;
  readonly grant: Grant;
  readonly action: ActionSpec;
  /** Minutes after the grant was made. */
  readonly atMin?: number;
  readonly covered: boolean;
}

const rows: Row[] = [
  { name: 'covers an action in scope while active', grant: grant(), action: {}, covered: true },
  { name: 'another agent is not covered', grant: grant(), action: { agentId: 'other-bot' }, covered: false },
  { name: 'still covered a minute before it ends', grant: grant(), action: {}, atMin: 29, covered: true },
  { name: 'not covered at the moment it ends', grant: grant(), action: {}, atMin: 30, covered: false },
  { name: 'not covered after it ended', grant: grant(), action: {}, atMin: 31, covered: false },
  {
    name: 'a revoked grant covers nothing',
    grant: grant({ status: 'revoked', revocation: { by: 'bob', at: T0.toISOString(), reason: 'done' } }),
    action: {},
    covered: false,
  },
  {
    name: 'a revocation counts even when the status still says approved',
    grant: grant({ revocation: { by: 'bob', at: T0.toISOString(), reason: 'done' } }),
    action: {},
    covered: false,
  },
  { name: 'a pending grant (not yet approved) covers nothing', grant: grant({ status: 'pending' }), action: {}, covered: false },
  { name: 'a denied grant covers nothing', grant: grant({ status: 'denied' }), action: {}, covered: false },
  { name: 'an expired grant covers nothing', grant: grant({ status: 'expired' }), action: {}, covered: false },
  { name: 'another environment is not covered', grant: grant(), action: { environment: 'staging' }, covered: false },
  { name: 'an unresolved environment is not covered', grant: grant(), action: { environment: 'unresolved' }, covered: false },
  {
    name: 'no environments named: any environment',
    grant: grant({ scope: { environments: [] } }),
    action: { environment: 'staging' },
    covered: true,
  },
  {
    name: 'a verb outside the scope is not covered',
    grant: grant({ scope: { verbs: ['modify'] } }),
    action: { effects: [effect({ verb: 'delete', resource: 'pod api-1' })] },
    covered: false,
  },
  {
    name: 'no verbs named: any verb',
    grant: grant({ scope: { verbs: [] } }),
    action: { effects: [effect({ verb: 'replace' })] },
    covered: true,
  },
  {
    name: 'a destructive effect is covered by the default maxRisk',
    grant: grant(),
    action: { effects: [effect({ verb: 'delete', risk: 'destructive', reversible: false })] },
    covered: true,
  },
  {
    name: 'catastrophic is above the default maxRisk (destructive)',
    grant: grant(),
    action: { effects: [effect({ verb: 'delete', resource: 'namespace/payments', scope: 'namespace', risk: 'catastrophic' })] },
    covered: false,
  },
  {
    name: 'catastrophic is covered only when maxRisk says so',
    grant: grant({ scope: { maxRisk: 'catastrophic', resources: [] } }),
    action: { effects: [effect({ verb: 'delete', resource: 'namespace/payments', scope: 'namespace', risk: 'catastrophic' })] },
    covered: true,
  },
  {
    name: 'destructive is above maxRisk write',
    grant: grant({ scope: { maxRisk: 'write' } }),
    action: { effects: [effect({ verb: 'delete', risk: 'destructive' })] },
    covered: false,
  },
  { name: 'a write is within maxRisk write', grant: grant({ scope: { maxRisk: 'write' } }), action: {}, covered: true },
  {
    name: 'an unknown effect is never covered, even by the widest grant',
    grant: grant({ scope: { environments: [], resources: [], verbs: [], maxRisk: 'catastrophic' } }),
    action: { effects: [effect({ verb: 'execute', resource: 'unknown', scope: 'unknown', risk: 'unknown', reversible: null })] },
    covered: false,
  },
  {
    name: 'one unknown effect beside covered ones makes the action uncovered',
    grant: grant({ scope: { resources: [] } }),
    action: { effects: [effect(), effect({ verb: 'execute', resource: 'script ./x.sh', risk: 'unknown', reversible: null })] },
    covered: false,
  },
  {
    name: 'a resource named by its inventory name is covered',
    grant: grant({ scope: { resources: ['payments'] } }),
    action: { inventory: ['payments'] },
    covered: true,
  },
  {
    name: 'an inventory name does not cover an action whose targets are not that resource',
    grant: grant({ scope: { resources: ['payments'] } }),
    action: { inventory: ['billing'] },
    covered: false,
  },
  {
    name: 'an inventory name does not cover an action outside the inventory',
    grant: grant({ scope: { resources: ['payments'] } }),
    action: { inventory: [] },
    covered: false,
  },
  {
    name: 'a glob over effect resources covers a matching effect',
    grant: grant({ scope: { resources: ['deployment/api*'] } }),
    action: { inventory: [], effects: [effect({ resource: 'deployment/api-canary' })] },
    covered: true,
  },
  {
    name: 'a glob over effect resources does not cover another resource',
    grant: grant({ scope: { resources: ['deployment/api*'] } }),
    action: { inventory: [], effects: [effect({ resource: 'deployment/web' })] },
    covered: false,
  },
  {
    name: 'every effect must match: one effect outside the glob makes the action uncovered',
    grant: grant({ scope: { resources: ['deployment/api*'] } }),
    action: { inventory: [], effects: [effect(), effect({ resource: 'deployment/ledger' })] },
    covered: false,
  },
  {
    name: 'an inventory name does not widen to effects on other resources in the same action',
    grant: grant({ scope: { resources: ['payments'] } }),
    action: {
      inventory: ['payments'],
      namespaces: ['payments', 'billing'],
      effects: [effect({ resource: 'deployment/api' }), effect({ verb: 'delete', resource: 'deployment/ledger', risk: 'destructive' })],
    },
    covered: false,
  },
  {
    name: 'no resources named: any resource',
    grant: grant({ scope: { resources: [] } }),
    action: { inventory: [], effects: [effect({ resource: 'anything' })] },
    covered: true,
  },
  {
    name: 'a read-only action is not covered (there is nothing to elevate)',
    grant: grant({ scope: { environments: [], resources: [], verbs: [] } }),
    action: { effects: [effect({ verb: 'read', risk: 'read', disruptive: false })] },
    covered: false,
  },
  { name: 'an action with no effects is not covered', grant: grant({ scope: { resources: [] } }), action: { effects: [] }, covered: false },
  {
    name: 'reads beside covered changes do not stop coverage',
    grant: grant({ scope: { verbs: ['modify'] } }),
    action: { effects: [effect({ verb: 'read', resource: 'secret/db-password', risk: 'read' }), effect()] },
    covered: true,
  },
];

describe('grantCovers', () => {
  it.each(rows)('$name', (row) => {
    clock.at = new Date(T0.getTime() + (row.atMin ?? 0) * MIN);
    expect(grantCovers(row.grant, actionOf(row.action), clock.at, INVENTORY)).toBe(row.covered);
  });
});

describe('grantActive', () => {
  it('is true only while approved, unrevoked and before until', () => {
    expect(grantActive(grant(), T0)).toBe(true);
    expect(grantActive(grant(), new Date(Date.parse(UNTIL) - 1))).toBe(true);
    expect(grantActive(grant(), new Date(UNTIL))).toBe(false);
    expect(grantActive(grant({ status: 'pending' }), T0)).toBe(false);
    expect(grantActive(grant({ revocation: { by: 'bob', at: T0.toISOString(), reason: '' } }), T0)).toBe(false);
  });
});

describe('coveringGrant', () => {
  it('returns the first grant that covers the action, or null', () => {
    const other = grant({ id: 'grant_other', agentId: 'other-bot' });
    const narrow = grant({ id: 'grant_narrow', scope: { verbs: ['delete'] } });
    const wide = grant({ id: 'grant_wide', scope: { verbs: [] } });
    const wide2 = grant({ id: 'grant_wide2', scope: { verbs: [] } });
    expect(coveringGrant([other, narrow, wide, wide2], actionOf({}), T0, INVENTORY)?.id).toBe('grant_wide');
    expect(coveringGrant([other, narrow], actionOf({}), T0, INVENTORY)).toBeNull();
    expect(coveringGrant([], actionOf({}), T0)).toBeNull();
    expect(coveringGrant([wide], actionOf({}), new Date(UNTIL), INVENTORY)).toBeNull();
  });
});

describe('describeGrant', () => {
  it.each<[string, Partial<GrantScope>, string]>([
    ['verbs, resources and environments', { verbs: ['modify'] }, `deploy-bot may modify payments in prod until ${UNTIL}`],
    [
      'several of each',
      { verbs: ['modify', 'delete'], resources: ['payments', 'deployment/api*'], environments: ['prod', 'prod-us'] },
      `deploy-bot may modify/delete payments, deployment/api* in prod, prod-us until ${UNTIL}`,
    ],
    [
      'no verbs, default maxRisk',
      { verbs: [], resources: [], environments: [] },
      `deploy-bot may do up to destructive changes to anything until ${UNTIL}`,
    ],
    ['no verbs, maxRisk write', { verbs: [], maxRisk: 'write' }, `deploy-bot may do reversible changes to payments in prod until ${UNTIL}`],
    [
      'no verbs, maxRisk catastrophic',
      { verbs: [], maxRisk: 'catastrophic' },
      `deploy-bot may do up to catastrophic changes to payments in prod until ${UNTIL}`,
    ],
  ])('%s', (_what, scope, text) => {
    expect(describeGrant(grant({ scope }))).toBe(text);
  });
});

describe('grantDigest', () => {
  const hasher = new NodeHasher();
  const sha = (s: string) => hasher.sha256Hex(s);
  const terms = { agentId: 'deploy-bot', scope: grant().scope, until: UNTIL, reason: 'incident 4711', createdBy: 'alice' };
  const base = grantDigest(terms, sha);

  it.each<[string, typeof terms]>([
    ['agent', { ...terms, agentId: 'other-bot' }],
    ['scope environments', { ...terms, scope: { ...terms.scope, environments: [] } }],
    ['scope resources', { ...terms, scope: { ...terms.scope, resources: ['*'] } }],
    ['scope verbs', { ...terms, scope: { ...terms.scope, verbs: ['delete'] } }],
    ['scope maxRisk', { ...terms, scope: { ...terms.scope, maxRisk: 'catastrophic' } }],
    ['until', { ...terms, until: '2026-11-21T18:00:00.000Z' }],
    ['reason', { ...terms, reason: 'incident 4712' }],
    ['creator', { ...terms, createdBy: 'bob' }],
  ])('changes with the %s', (_what, changed) => {
    expect(grantDigest(changed, sha)).not.toBe(base);
  });

  it('is stable under key order', () => {
    const reordered = {
      createdBy: terms.createdBy,
      reason: terms.reason,
      until: terms.until,
      scope: {
        maxRisk: terms.scope.maxRisk,
        verbs: terms.scope.verbs,
        resources: terms.scope.resources,
        environments: terms.scope.environments,
      },
      agentId: terms.agentId,
    };
    expect(grantDigest(reordered, sha)).toBe(base);
  });
});
