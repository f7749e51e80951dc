/**
 * The pure approval rules (SECURITY.md invariants 2 and 3), one table row per rule: who may review,
 * who counts, what a review does to the request, and how time and a changed plan void approvals.
 * Time is a fake clock (a mutable Date); nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { NodeHasher } from '../adapters/crypto/node-hasher.js';
import type { Action } from './action.js';
import {
  type ApprovalRequest,
  checkReview,
  countingApprovals,
  FINAL_STATUSES,
  type Plan,
  parseDuration,
  planDigest,
  type RefusalCode,
  type RequestStatus,
  type Requester,
  type Review,
  type Reviewer,
  reviewStatement,
  statusAt,
  withReview,
} from './approval.js';
import { parseConfig } from './config.js';
import type { HoldRequirement } from './decision.js';

const hasher = new NodeHasher();
const sha = (s: string) => hasher.sha256Hex(s);
const MIN = 60_000;
const APPROVAL_TTL = 60 * MIN;
const PENDING_TTL = 24 * 60 * MIN;
const T0 = new Date('2026-11-21T10:00:00.000Z');
const CURRENT = 'c'.repeat(64);
const OLD = 'o'.repeat(64);

/** The fake clock: a mutable Date, advanced by the rows. */
const clock = { at: new Date(T0) };
const advance = (ms: number) => {
  clock.at = new Date(clock.at.getTime() + ms);
};

type Item = Pick<
  ApprovalRequest,
  'id' | 'status' | 'requester' | 'planDigest' | 'requirement' | 'expiresAt' | 'approvals' | 'denial' | 'version' | 'updatedAt'
>;

type HumanReviewer = Extract<Reviewer, { readonly kind: 'human' }>;
const human = (id: string, groups: readonly string[] = ['prod-owners']): HumanReviewer => ({ kind: 'human', id, groups });
const BOB = human('bob');
const CAROL = human('carol');
/** The human the agent acts for. */
const ALICE = human('alice');
/** Not in prod-owners. */
const DAVE = human('dave', ['developers']);

/** An approval recorded earlier (at T0 unless `atMin` says otherwise). */
interface Prior {
  readonly who: HumanReviewer;
  readonly vote?: 'approve' | 'deny';
  readonly digest?: string;
  /** The request the statement names (default: this one). */
  readonly requestId?: string;
  readonly atMin?: number;
}

let seq = 0;
function reviewOf(
  item: Item,
  who: HumanReviewer,
  vote: 'approve' | 'deny',
  at: Date,
  digest = item.planDigest,
  requestId = item.id,
): Review {
  const statement = reviewStatement({
    subject: 'request',
    item: { ...item, planDigest: digest, id: requestId },
    human: who.id,
    groups: who.groups,
    vote,
    comment: '',
    now: at,
    approvalTtlMs: APPROVAL_TTL,
  });
  return {
    statement,
    groups: who.groups,
    onBehalfOfRequester: who.id === item.requester.onBehalfOf,
    signature: 'sig',
    keyId: 'key',
    auditSeq: ++seq,
  };
}

interface Setup {
  readonly requester?: Partial<Requester>;
  readonly requirement?: Partial<HoldRequirement>;
  /** Stored status (default: derived from the prior approvals at T0). */
  readonly status?: RequestStatus;
  readonly prior?: readonly Prior[];
}

function build(setup: Setup): Item {
  const requester: Requester = { kind: 'agent', id: 'deploy-bot', authenticated: true, onBehalfOf: 'alice', ...setup.requester };
  const base: Item = {
    id: 'req_1',
    status: 'pending',
    requester,
    planDigest: CURRENT,
    requirement: { approvals: 2, groups: ['prod-owners'], alternatives: [], ...setup.requirement },
    expiresAt: new Date(T0.getTime() + PENDING_TTL).toISOString(),
    approvals: [],
    denial: null,
    version: 1,
    updatedAt: T0.toISOString(),
  };
  const approvals = (setup.prior ?? []).map((p) =>
    reviewOf(base, p.who, p.vote ?? 'approve', new Date(T0.getTime() + (p.atMin ?? 0) * MIN), p.digest, p.requestId),
  );
  const withApprovals = { ...base, approvals };
  return { ...withApprovals, status: setup.status ?? statusAt(withApprovals, T0) };
}

type Expected =
  | { readonly refused: RefusalCode }
  | {
      readonly status: RequestStatus;
      readonly counting: number;
      /** Approvals stored after the review (lapsed ones included). */
      readonly stored?: number;
    };

interface Row {
  readonly name: string;
  readonly setup: Setup;
  readonly reviewer: Reviewer;
  readonly vote: 'approve' | 'deny';
  /** The digest the reviewer saw (default: the current one). */
  readonly digest?: string;
  /** Minutes the clock moves on before the review. */
  readonly advanceMin?: number;
  /** The status as of the review time, before it. */
  readonly before?: RequestStatus;
  readonly expected: Expected;
  /** A second review, right after the first one was applied. */
  readonly next?: { readonly reviewer: Reviewer; readonly vote: 'approve' | 'deny'; readonly expected: Expected };
}

const rows: Row[] = [
  // Invariant 2: the agent's credentials never approve.
  {
    name: 'agent credentials are refused',
    setup: {},
    reviewer: { kind: 'agent', id: 'other-bot' },
    vote: 'approve',
    expected: { refused: 'agent-credentials' },
  },
  {
    name: "the requesting agent's own credentials are refused",
    setup: {},
    reviewer: { kind: 'agent', id: 'deploy-bot' },
    vote: 'approve',
    expected: { refused: 'agent-credentials' },
  },
  {
    name: 'agent credentials cannot deny either',
    setup: {},
    reviewer: { kind: 'agent', id: 'other-bot' },
    vote: 'deny',
    expected: { refused: 'agent-credentials' },
  },
  {
    name: 'a human whose id equals the requesting agent id is refused (self-approval)',
    setup: {},
    reviewer: human('deploy-bot'),
    vote: 'approve',
    expected: { refused: 'self-approval' },
  },
  {
    name: 'self-approval is refused for a deny too',
    setup: {},
    reviewer: human('deploy-bot'),
    vote: 'deny',
    expected: { refused: 'self-approval' },
  },
  // Each human counts once.
  {
    name: 'a first eligible approval counts and leaves it pending',
    setup: {},
    reviewer: BOB,
    vote: 'approve',
    before: 'pending',
    expected: { status: 'pending', counting: 1 },
  },
  {
    name: 'each human counts once: a second approval is refused',
    setup: { prior: [{ who: BOB }] },
    reviewer: BOB,
    vote: 'approve',
    expected: { refused: 'already-approved' },
  },
  {
    name: 'the human the agent acts for counts once: their second approval is refused',
    setup: { prior: [{ who: ALICE }] },
    reviewer: ALICE,
    vote: 'approve',
    expected: { refused: 'already-approved' },
  },
  {
    name: 'the human the agent acts for plus another human: approved',
    setup: { prior: [{ who: ALICE }] },
    reviewer: BOB,
    vote: 'approve',
    expected: { status: 'approved', counting: 2 },
  },
  {
    name: 'two distinct eligible humans: approved',
    setup: { prior: [{ who: BOB }] },
    reviewer: CAROL,
    vote: 'approve',
    before: 'pending',
    expected: { status: 'approved', counting: 2 },
    next: { reviewer: BOB, vote: 'approve', expected: { refused: 'already-approved' } },
  },
  {
    name: 'a third approval on an approved request still counts once each',
    setup: { requirement: { approvals: 3 }, prior: [{ who: BOB }, { who: CAROL }] },
    reviewer: ALICE,
    vote: 'approve',
    expected: { status: 'approved', counting: 3 },
  },
  // Eligibility.
  {
    name: 'a human not in the required group is not eligible',
    setup: {},
    reviewer: DAVE,
    vote: 'approve',
    expected: { refused: 'not-eligible' },
  },
  {
    name: 'any human counts when no groups are required',
    setup: { requirement: { groups: [] }, prior: [{ who: BOB }] },
    reviewer: DAVE,
    vote: 'approve',
    expected: { status: 'approved', counting: 2 },
  },
  {
    name: 'a human in any one of several required groups is eligible',
    setup: { requirement: { groups: ['dba', 'developers'] } },
    reviewer: DAVE,
    vote: 'approve',
    expected: { status: 'pending', counting: 1 },
  },
  // Denials.
  {
    name: 'a deny by a required reviewer ends the request, and further reviews are refused',
    setup: { prior: [{ who: BOB }] },
    reviewer: CAROL,
    vote: 'deny',
    expected: { status: 'denied', counting: 1 },
    next: { reviewer: ALICE, vote: 'approve', expected: { refused: 'not-open' } },
  },
  {
    name: 'a deny by the human the agent acts for ends the request too',
    setup: {},
    reviewer: ALICE,
    vote: 'deny',
    expected: { status: 'denied', counting: 0 },
    next: { reviewer: BOB, vote: 'deny', expected: { refused: 'not-open' } },
  },
  {
    name: 'a deny by a non-eligible human is refused',
    setup: { prior: [{ who: BOB }] },
    reviewer: DAVE,
    vote: 'deny',
    expected: { refused: 'not-eligible' },
  },
  {
    name: 'a deny on an approved request (before it runs) ends it',
    setup: { prior: [{ who: BOB }, { who: CAROL }] },
    reviewer: ALICE,
    vote: 'deny',
    before: 'approved',
    expected: { status: 'denied', counting: 2 },
  },
  // Invariant 3: bound to the plan.
  {
    name: 'a review of a stale digest is refused',
    setup: {},
    reviewer: BOB,
    vote: 'approve',
    digest: OLD,
    expected: { refused: 'stale-plan' },
  },
  { name: 'a deny of a stale digest is refused', setup: {}, reviewer: BOB, vote: 'deny', digest: OLD, expected: { refused: 'stale-plan' } },
  {
    name: 'approvals bound to an old digest do not count after the plan changed',
    setup: { prior: [{ who: BOB, digest: OLD }], status: 'approved' },
    reviewer: CAROL,
    vote: 'approve',
    before: 'pending',
    expected: { status: 'pending', counting: 1, stored: 2 },
  },
  {
    name: 'a human whose approval was for the old plan may approve the new one',
    setup: { prior: [{ who: BOB, digest: OLD }, { who: CAROL }] },
    reviewer: BOB,
    vote: 'approve',
    expected: { status: 'approved', counting: 2, stored: 2 },
  },
  {
    name: 'an approval statement naming another request (same plan digest) does not count here (replay)',
    setup: { prior: [{ who: BOB, requestId: 'req_other' }] },
    reviewer: CAROL,
    vote: 'approve',
    before: 'pending',
    expected: { status: 'pending', counting: 1 },
  },
  // Expiry.
  {
    name: 'approvals still count before their TTL (t+59min): approved, and a repeat is refused',
    setup: { prior: [{ who: BOB }, { who: CAROL }] },
    advanceMin: 59,
    before: 'approved',
    reviewer: BOB,
    vote: 'approve',
    expected: { refused: 'already-approved' },
  },
  {
    name: 'approvals lapse after their TTL (t+61min): pending again, and the same human may approve again, replacing the lapsed one',
    setup: { prior: [{ who: BOB }, { who: CAROL }] },
    advanceMin: 61,
    before: 'pending',
    reviewer: BOB,
    vote: 'approve',
    expected: { status: 'pending', counting: 1, stored: 2 },
    next: { reviewer: CAROL, vote: 'approve', expected: { status: 'approved', counting: 2, stored: 2 } },
  },
  {
    name: 'an approval given later keeps counting while an earlier one lapsed',
    setup: { prior: [{ who: BOB }, { who: CAROL, atMin: 30 }] },
    advanceMin: 61,
    before: 'pending',
    reviewer: ALICE,
    vote: 'approve',
    expected: { status: 'approved', counting: 2, stored: 3 },
  },
  {
    name: 'a pending request expires after its TTL and reviews are refused',
    setup: { prior: [{ who: BOB }] },
    advanceMin: 24 * 60 + 1,
    before: 'expired',
    reviewer: CAROL,
    vote: 'approve',
    expected: { refused: 'not-open' },
  },
  {
    name: 'an approved request expires after the pending TTL too',
    setup: { requirement: { approvals: 1 }, prior: [{ who: BOB, atMin: 24 * 60 - 10 }] },
    advanceMin: 24 * 60,
    before: 'expired',
    reviewer: CAROL,
    vote: 'deny',
    expected: { refused: 'not-open' },
  },
  // Closed statuses.
  ...(['executing', ...FINAL_STATUSES] as const).flatMap((status): Row[] => [
    {
      name: `a request in status ${status} refuses approvals`,
      setup: { status, prior: [{ who: BOB }, { who: CAROL }] },
      reviewer: ALICE,
      vote: 'approve',
      before: status,
      expected: { refused: 'not-open' },
    },
    {
      name: `a request in status ${status} refuses denials`,
      setup: { status },
      reviewer: ALICE,
      vote: 'deny',
      before: status,
      expected: { refused: 'not-open' },
    },
  ]),
];

function apply(item: Item, reviewer: Reviewer, vote: 'approve' | 'deny', digest: string, expected: Expected): Item {
  const now = clock.at;
  const refusal = checkReview(item, reviewer, vote, digest, now);
  if ('refused' in expected) {
    expect(refusal?.refused).toBe(expected.refused);
    expect(refusal?.message).toMatch(/\S/);
    return item;
  }
  expect(refusal).toBeNull();
  if (reviewer.kind !== 'human') throw new Error('only humans get past checkReview');
  const next = withReview(item, reviewOf(item, reviewer, vote, now), now);
  expect(next.version).toBe(item.version + 1);
  expect(next.status).toBe(expected.status);
  expect(statusAt(next, now)).toBe(expected.status);
  expect(countingApprovals(next, now)).toHaveLength(expected.counting);
  if (expected.stored !== undefined) expect(next.approvals).toHaveLength(expected.stored);
  if (vote === 'deny') expect(next.denial?.statement.human).toBe(reviewer.id);
  return next;
}

describe('approval rules', () => {
  it.each(rows)('$name', (row) => {
    clock.at = new Date(T0);
    const item = build(row.setup);
    advance((row.advanceMin ?? 0) * MIN);
    if (row.before !== undefined) expect(statusAt(item, clock.at)).toBe(row.before);
    const next = apply(item, row.reviewer, row.vote, row.digest ?? CURRENT, row.expected);
    if (row.next !== undefined) apply(next, row.next.reviewer, row.next.vote, CURRENT, row.next.expected);
  });

  it('counts the human the agent acts for at most once even when their approval is stored twice', () => {
    const item = build({ requirement: { approvals: 2 } });
    const twice = {
      ...item,
      approvals: [reviewOf(item, ALICE, 'approve', T0), reviewOf(item, ALICE, 'approve', new Date(T0.getTime() + MIN))],
    };
    expect(countingApprovals(twice, new Date(T0.getTime() + 2 * MIN))).toHaveLength(1);
    expect(statusAt(twice, new Date(T0.getTime() + 2 * MIN))).toBe('pending');
  });

  it('never counts a stored approval by the requester, an ineligible human, or a deny', () => {
    const item = build({ requirement: { approvals: 1 } });
    const stored = {
      ...item,
      approvals: [reviewOf(item, human('deploy-bot'), 'approve', T0), reviewOf(item, DAVE, 'approve', T0), reviewOf(item, BOB, 'deny', T0)],
    };
    expect(countingApprovals(stored, T0)).toEqual([]);
    expect(statusAt(stored, T0)).toBe('pending');
  });

  it('signs the statement it is shown: digest, human, vote, time and expiry (none for a deny)', () => {
    const item = build({});
    const approve = reviewStatement({
      subject: 'request',
      item,
      human: 'bob',
      groups: ['prod-owners'],
      vote: 'approve',
      comment: 'ok',
      now: T0,
      approvalTtlMs: APPROVAL_TTL,
    });
    expect(approve).toEqual({
      type: 'airlock.approval/v1',
      subject: 'request',
      id: 'req_1',
      planDigest: CURRENT,
      human: 'bob',
      groups: ['prod-owners'],
      vote: 'approve',
      comment: 'ok',
      at: '2026-11-21T10:00:00.000Z',
      expiresAt: '2026-11-21T11:00:00.000Z',
    });
    expect(
      reviewStatement({
        subject: 'request',
        item,
        human: 'bob',
        groups: [],
        vote: 'deny',
        comment: '',
        now: T0,
        approvalTtlMs: APPROVAL_TTL,
      }).expiresAt,
    ).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// planDigest: any change to the plan voids the approvals
// ---------------------------------------------------------------------------------------------

const action: Action = {
  kind: 'shell',
  command: 'kubectl --context prod-eu delete deployment api -n payments',
  argv: ['/usr/local/bin/kubectl', '--context', 'prod-eu', 'delete', 'deployment', 'api', '-n', 'payments'],
};
const plan: Plan = {
  v: 1,
  surface: 'exec',
  action,
  cwd: '/srv/app',
  env: { KUBECONFIG: '/home/agent/.kube/config', AWS_PROFILE: 'prod' },
  environment: { name: 'prod', protected: true },
  targets: [{ type: 'kubernetes', context: 'prod-eu', namespace: 'payments' }],
  risk: 'destructive',
  effects: [
    {
      verb: 'delete',
      resource: 'deployment api',
      scope: 'resource',
      reversible: false,
      risk: 'destructive',
      disruptive: true,
      reason: 'deletes a deployment',
    },
  ],
  blastRadius: { scope: 'resource', count: 1, description: 'delete deployment api (resource)' },
  rehearsal: { rows: 12, files: ['a', 'b'] },
  inputs: [{ name: '/usr/local/bin/kubectl', sha256: 'c'.repeat(64) }],
  policySetHash: 'a'.repeat(64),
};

/** One change per field: every top-level field, and nested ones. */
const changes: Record<string, (p: Plan) => Plan> = {
  v: (p) => ({ ...p, v: 2 as unknown as 1 }),
  surface: (p) => ({ ...p, surface: 'hook' }),
  action: (p) => ({ ...p, action: { kind: 'shell', command: 'kubectl --context prod-eu delete deployment web -n payments' } }),
  'action.command': (p) => ({ ...p, action: { ...action, command: `${action.command} ` } }),
  'action.argv element': (p) => ({ ...p, action: { ...action, argv: action.argv?.map((a) => (a === 'api' ? 'web' : a)) ?? [] } }),
  'action.argv resolved binary': (p) => ({ ...p, action: { ...action, argv: ['/tmp/kubectl', ...(action.argv?.slice(1) ?? [])] } }),
  'action.argv order': (p) => ({ ...p, action: { ...action, argv: [...(action.argv ?? [])].reverse() } }),
  cwd: (p) => ({ ...p, cwd: '/srv/other' }),
  'cwd null': (p) => ({ ...p, cwd: null }),
  env: (p) => ({ ...p, env: { ...p.env, LD_PRELOAD: '/tmp/evil.so' } }),
  'env value': (p) => ({ ...p, env: { ...p.env, KUBECONFIG: '/tmp/other-kubeconfig' } }),
  'env removed': (p) => ({ ...p, env: { KUBECONFIG: '/home/agent/.kube/config' } }),
  environment: (p) => ({ ...p, environment: { name: 'staging', protected: true } }),
  'environment.protected': (p) => ({ ...p, environment: { name: 'prod', protected: false } }),
  targets: (p) => ({ ...p, targets: [] }),
  'target identity': (p) => ({ ...p, targets: [{ type: 'kubernetes', context: 'prod-us', namespace: 'payments' }] }),
  risk: (p) => ({ ...p, risk: 'catastrophic' }),
  effects: (p) => ({ ...p, effects: [] }),
  'effect resource': (p) => ({ ...p, effects: p.effects.map((e) => ({ ...e, resource: 'deployment web' })) }),
  'effect scope': (p) => ({ ...p, effects: p.effects.map((e) => ({ ...e, scope: 'namespace' as const })) }),
  blastRadius: (p) => ({ ...p, blastRadius: { ...p.blastRadius, count: 2 } }),
  rehearsal: (p) => ({ ...p, rehearsal: null }),
  'rehearsal rows': (p) => ({ ...p, rehearsal: { rows: 13, files: ['a', 'b'] } }),
  'rehearsal file set': (p) => ({ ...p, rehearsal: { rows: 12, files: ['a', 'b', 'c'] } }),
  inputs: (p) => ({ ...p, inputs: [] }),
  'input content': (p) => ({ ...p, inputs: [{ name: '/usr/local/bin/kubectl', sha256: 'd'.repeat(64) }] }),
  policySetHash: (p) => ({ ...p, policySetHash: 'b'.repeat(64) }),
};

/** The same value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

describe('planDigest', () => {
  const base = planDigest(plan, sha);

  it('is a SHA-256 hex digest', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has a change for every top-level field of Plan', () => {
    expect(Object.keys(plan).filter((k) => changes[k] === undefined)).toEqual([]);
  });

  it.each(Object.entries(changes))('changes when %s changes', (_field, change) => {
    const changed = change(plan);
    expect(changed).not.toEqual(plan);
    expect(planDigest(changed, sha)).not.toBe(base);
  });

  it('gives every change its own digest', () => {
    const digests = Object.values(changes).map((c) => planDigest(c(plan), sha));
    expect(new Set([base, ...digests]).size).toBe(digests.length + 1);
  });

  it('is stable under key order', () => {
    const shuffled = reversedKeys(plan) as Plan;
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(plan));
    expect(planDigest(shuffled, sha)).toBe(base);
    expect(planDigest(structuredClone(plan), sha)).toBe(base);
  });
});

// ---------------------------------------------------------------------------------------------
// parseDuration
// ---------------------------------------------------------------------------------------------

describe('parseDuration', () => {
  it.each<[string, number | null]>([
    ['90s', 90_000],
    ['30m', 30 * MIN],
    ['60m', 60 * MIN],
    ['24h', 24 * 60 * MIN],
    ['7d', 7 * 24 * 60 * MIN],
    ['1h30m', 90 * MIN],
    ['500ms', 500],
    ['1d2h3m4s5ms', 86_400_000 + 7_200_000 + 180_000 + 4_000 + 5],
    ['  15m  ', 15 * MIN],
    ['10 m', 10 * MIN],
    ['0s5ms', 5],
    ['', null],
    ['   ', null],
    ['0s', null],
    ['0m0s', null],
    ['10', null],
    ['m', null],
    ['h1', null],
    ['1.5h', null],
    ['-5m', null],
    ['+5m', null],
    ['5x', null],
    ['1h30', null],
    ['30 minutes', null],
    ['5M', null],
    ['1h;1h', null],
  ])('%j -> %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads exactly the durations the airlock.yaml schema accepts (none silently falls back to a default)', () => {
    const samples = ['90s', '1h30m', '10 m', '1h 30m', '2d 12h', '1m 30s', '0s', '0m', '', '1.5h', '30 minutes'];
    const accepted = (text: string): boolean => {
      try {
        return parseConfig({ approvals: { approvalTtl: text } }).approvals.approvalTtl === text;
      } catch {
        return false;
      }
    };
    const mismatches = samples.filter((text) => accepted(text) !== (parseDuration(text) !== null));
    expect(mismatches).toEqual([]);
  });
});
