/**
 * The Store contract: one Vitest suite every Store implementation must pass (SQLite today,
 * PostgreSQL next). Call it from the implementation's test file:
 *
 *   runStoreContract('SqliteStore', async () => ({ store, cleanup, corruptAuditRow, corruptAgentRow, corruptRequestRow, … }));
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../core/action.js';
import { type ApprovalRequest, type Review, planDigest, planOf } from '../core/approval.js';
import type { Assessment } from '../core/assessment.js';
import { AuditLog, GENESIS_HASH, verifyChain } from '../core/audit-log.js';
import type { ResolvedEnvironment } from '../core/decision.js';
import { AirlockError, type ErrorCode } from '../core/errors.js';
import type { Grant } from '../core/grant.js';
import type { AgentRecord, AuditEntry, Clock, Hasher, HumanToken, SessionRecord, Store, Stored } from '../core/ports.js';

/** A fresh, migrated store for one test, with what the contract needs to reach around it. */
export interface StoreFixture {
  readonly store: Store;
  /** Closes and deletes everything the fixture created. */
  cleanup(): Promise<void>;
  /** Writes an invalid value into audit row `seq`, bypassing the Store (drop any guard such as triggers). */
  corruptAuditRow(seq: number): Promise<void>;
  /** Writes an invalid value into agent row `id`, bypassing the Store. */
  corruptAgentRow(id: string): Promise<void>;
  /** Writes an invalid value into request row `id` (e.g. a body that is not JSON), bypassing the Store. */
  corruptRequestRow(id: string): Promise<void>;
  /** Makes grant row `id` invalid, bypassing the Store (e.g. a body whose version disagrees with the column). */
  corruptGrantRow(id: string): Promise<void>;
  /** Writes an invalid value into the password row of `humanId`, bypassing the Store. */
  corruptHumanCredentialRow(humanId: string): Promise<void>;
  /** Writes an invalid value into human token row `id`, bypassing the Store. */
  corruptHumanTokenRow(id: string): Promise<void>;
  /** Writes an invalid value into the session row keyed `idHash`, bypassing the Store. */
  corruptSessionRow(idHash: string): Promise<void>;
}

const hasher: Hasher = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};

function fakeClock(start = Date.parse('2026-01-01T00:00:00.000Z')): Clock {
  let t = start;
  return { now: () => new Date((t += 1000)) };
}

function agent(id: string, overrides: Partial<AgentRecord> = {}): AgentRecord {
  return { id, roles: ['deployer'], tokenHash: `th-${id}`, createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null, ...overrides };
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(AirlockError);
  expect((err as AirlockError).code).toBe(code);
}

async function expectStoreFailure(promise: Promise<unknown>): Promise<void> {
  await expectCode(promise, 'STORE_FAILURE');
}

/** `minutes` after 2026-01-01T00:00Z, as ISO 8601. */
function at(minutes: number): string {
  return new Date(Date.parse('2026-01-01T00:00:00.000Z') + minutes * 60_000).toISOString();
}

/** A signed review, every field filled (the store keeps it as given). */
function sampleReview(subject: 'request' | 'grant', id: string, digest: string, human = 'alice'): Review {
  return {
    statement: {
      type: 'airlock.approval/v1',
      subject,
      id,
      planDigest: digest,
      human,
      groups: ['sre'],
      vote: 'approve',
      comment: 'looks right ✓',
      at: at(5),
      expiresAt: at(65),
    },
    groups: ['sre'],
    onBehalfOfRequester: false,
    signature: 'c2lnbmF0dXJl',
    keyId: '0123456789abcdef',
    auditSeq: 7,
  };
}

/**
 * A held request by `deploy-bot` with every field of ApprovalRequest filled, optional ones included,
 * created at `at(0)`. `overrides` replace fields as given (the plan digest is not recomputed).
 */
export function sampleRequest(id: string, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const action: Action = {
    kind: 'shell',
    command: 'kubectl -n payments delete deploy api',
    argv: ['kubectl', '-n', 'payments', 'delete', 'deploy', 'api'],
  };
  const assessment: Assessment = {
    risk: 'destructive',
    kind: 'k8s',
    effects: [
      {
        verb: 'delete',
        resource: 'deployment/api',
        scope: 'resource',
        reversible: false,
        risk: 'destructive',
        disruptive: true,
        reason: 'deletes a deployment',
        source: 'kubectl -n payments delete deploy api',
      },
    ],
    disruptive: true,
    obfuscated: false,
    blastRadius: { scope: 'resource', count: 1, description: 'one deployment' },
    targets: [{ type: 'kubernetes', context: 'prod', namespace: 'payments' }],
    reasons: ['kubectl delete'],
  };
  const environment: ResolvedEnvironment = {
    name: 'prod',
    protected: true,
    how: 'kube context prod matches environment prod',
    criticality: 'high',
    resources: [
      {
        name: 'payments',
        criticality: 'critical',
        owners: ['team-payments'],
        dependants: ['checkout'],
        downtimeCostPerHour: 1000,
        notes: 'pci',
      },
    ],
  };
  const plan = planOf({
    surface: 'exec',
    action,
    cwd: 'services/api',
    env: { KUBECONFIG: 'kubeconfig.yaml' },
    assessment,
    environment,
    policySetHash: 'f'.repeat(64),
    rehearsal: { rows: 3 },
  });
  const digest = planDigest(plan, (text) => hasher.sha256Hex(text));
  return {
    id,
    version: 1,
    status: 'pending',
    requester: { kind: 'agent', id: 'deploy-bot', authenticated: true, onBehalfOf: 'bob', session: 'session-1' },
    proposalId: `prop-${id}`,
    decisionSeq: 3,
    plan,
    planDigest: digest,
    assessment,
    environment,
    requirement: { approvals: 1, groups: ['sre'], alternatives: ['ask for a grant'] },
    reasons: ['prod is protected'],
    policies: ['protect-prod'],
    intent: 'roll back the bad release',
    createdAt: at(0),
    updatedAt: at(0),
    expiresAt: at(24 * 60),
    approvals: [sampleReview('request', id, digest)],
    denial: null,
    revocation: null,
    execution: null,
    ...overrides,
  };
}

/** A grant elevating `deploy-bot`, every field filled, created at `at(0)`. */
export function sampleGrant(id: string, overrides: Partial<Grant> = {}): Grant {
  const digest = hasher.sha256Hex(`grant ${id}`);
  return {
    id,
    version: 1,
    status: 'pending',
    agentId: 'deploy-bot',
    scope: { environments: ['prod'], resources: ['payments'], verbs: ['modify'], maxRisk: 'destructive' },
    until: at(30),
    reason: 'incident 42',
    requester: { kind: 'human', id: 'alice', authenticated: true },
    planDigest: digest,
    requirement: { approvals: 1, groups: [], alternatives: [] },
    expiresAt: at(30),
    approvals: [sampleReview('grant', id, digest, 'carol')],
    denial: null,
    revocation: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function humanToken(id: string, overrides: Partial<HumanToken> = {}): HumanToken {
  return { id, humanId: 'alice', tokenHash: `hth-${id}`, createdAt: at(0), revokedAt: null, ...overrides };
}

function session(idHash: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return { idHash, humanId: 'alice', csrf: `csrf-${idHash}`, createdAt: at(0), expiresAt: at(60), ...overrides };
}

/** The next version of a stored request or grant, with `changes` applied. */
function bump<T extends { readonly version: number }>(current: T, changes: Partial<T> = {}): T {
  return { ...current, version: current.version + 1, ...changes };
}

function ids(rows: readonly Stored<{ readonly id: string }>[]): string[] {
  return rows.map((r) => r.value.id);
}

/**
 * Registers the contract suite under `name`. `makeStore` is called before each test and must return
 * a new, migrated, empty store; `cleanup` is called after it.
 */
export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    let log: AuditLog;

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
      log = new AuditLog({ store, hasher, clock: fakeClock() });
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('migrate', () => {
      it('is idempotent and keeps data', async () => {
        await log.append('config.loaded', { n: 1 });
        await store.migrate();
        await store.migrate();
        expect((await store.readAudit({})).map((e) => e.seq)).toEqual([1]);
        await log.append('config.loaded', { n: 2 });
        expect((await store.auditHead())?.seq).toBe(2);
      });
    });

    describe('audit', () => {
      it('starts empty', async () => {
        expect(await store.auditHead()).toBeNull();
        expect(await store.readAudit({})).toEqual([]);
      });

      it('appends, reads back in seq order and reports the head', async () => {
        const payloads = [{ a: 1 }, { text: 'é ✓ \u202e', nested: { list: [1, 2.5, null, true], empty: {} } }, 'a string', 42, null];
        const written: AuditEntry[] = [];
        for (const p of payloads) written.push(await log.append('decision', p));
        expect(written.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(written[0]?.prevHash).toBe(GENESIS_HASH);
        const all = await store.readAudit({});
        expect(all).toEqual(written);
        expect(await store.auditHead()).toEqual(written[4]);
        expect((await store.readAudit({ fromSeq: 3 })).map((e) => e.seq)).toEqual([3, 4, 5]);
        expect((await store.readAudit({ limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
        expect((await store.readAudit({ fromSeq: 2, limit: 2 })).map((e) => e.seq)).toEqual([2, 3]);
        expect(await store.readAudit({ fromSeq: 6 })).toEqual([]);
        expect(verifyChain(all, hasher)).toEqual({ ok: true, size: 5, headHash: written[4]?.hash });
      });

      it('serializes 200 concurrent appends into one gap-free, correctly linked chain', async () => {
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append('execution', { i })));
        expect(new Set(results.map((e) => e.seq)).size).toBe(200);
        const all = await store.readAudit({});
        expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        expect(verifyChain(all, hasher).ok).toBe(true);
        expect(new Set(all.map((e) => (e.payload as { i: number }).i)).size).toBe(200);
      });

      it('writes nothing when the link callback throws, and passes its error through', async () => {
        await log.append('decision', { before: true });
        const boom = new Error('link failed');
        await expect(
          store.appendAudit(() => {
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect((await store.readAudit({})).length).toBe(1);
        expect((await log.append('decision', { after: true })).seq).toBe(2);
      });

      it('refuses an entry that does not extend the head, writing nothing', async () => {
        const first = await log.append('decision', {});
        const fork = { ...first, ts: '2026-02-01T00:00:00.000Z' }; // seq 1 again: a fork
        await expect(store.appendAudit(() => fork)).rejects.toBeInstanceOf(AirlockError);
        expect((await store.readAudit({})).length).toBe(1);
      });

      it('rejects invalid read options with BAD_INPUT', async () => {
        await expect(store.readAudit({ fromSeq: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
        await expect(store.readAudit({ limit: -1 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
      });

      it('reports a corrupt audit row as STORE_FAILURE on every read path, without crashing', async () => {
        await log.append('decision', { ok: 1 });
        await log.append('decision', { ok: 2 });
        await fx.corruptAuditRow(2);
        await expectStoreFailure(store.readAudit({}));
        await expectStoreFailure(store.auditHead());
        await expectStoreFailure(log.append('decision', { ok: 3 }));
        expect((await store.readAudit({ limit: 1 })).length).toBe(1);
      });
    });

    describe('agents', () => {
      it('puts, finds by token hash, lists and revokes', async () => {
        expect(await store.getAgentByTokenHash('th-nobody')).toBeNull();
        expect(await store.listAgents()).toEqual([]);
        await store.putAgent(agent('b-agent', { createdAt: '2026-01-02T00:00:00.000Z' }));
        await store.putAgent(agent('a-agent', { roles: ['reader', 'deployer'] }));
        expect(await store.getAgentByTokenHash('th-a-agent')).toEqual(agent('a-agent', { roles: ['reader', 'deployer'] }));
        expect((await store.listAgents()).map((a) => a.id)).toEqual(['a-agent', 'b-agent']);

        expect(await store.revokeAgent('a-agent', '2026-01-03T00:00:00.000Z')).toBe(true);
        expect(await store.revokeAgent('a-agent', '2026-01-04T00:00:00.000Z')).toBe(false);
        expect(await store.revokeAgent('nobody', '2026-01-04T00:00:00.000Z')).toBe(false);
        expect((await store.getAgentByTokenHash('th-a-agent'))?.revokedAt).toBe('2026-01-03T00:00:00.000Z');
      });

      it('replaces an agent put again with the same id', async () => {
        await store.putAgent(agent('x'));
        await store.putAgent(agent('x', { roles: [], tokenHash: 'th-new' }));
        expect(await store.getAgentByTokenHash('th-x')).toBeNull();
        expect(await store.getAgentByTokenHash('th-new')).toEqual(agent('x', { roles: [], tokenHash: 'th-new' }));
        expect((await store.listAgents()).length).toBe(1);
      });

      it('reports a corrupt agent row as STORE_FAILURE, without crashing', async () => {
        await store.putAgent(agent('x'));
        await fx.corruptAgentRow('x');
        await expectStoreFailure(store.listAgents());
        await expectStoreFailure(store.getAgentByTokenHash('th-x'));
      });
    });

    describe('requests', () => {
      it('creates, gets back exactly what was stored, and returns null for an unknown id', async () => {
        const request = sampleRequest('req-1');
        await store.createRequest(request);
        const stored = await store.getRequest('req-1');
        expect(stored?.value).toEqual(request);
        expect(stored?.changeSeq).toBeGreaterThan(0);
        expect(await store.getRequest('req-nope')).toBeNull();
      });

      it('lists newest first, filters by statuses and limits', async () => {
        await store.createRequest(sampleRequest('req-a', { createdAt: at(1) }));
        await store.createRequest(sampleRequest('req-c', { createdAt: at(3), status: 'approved' }));
        await store.createRequest(sampleRequest('req-b', { createdAt: at(2), status: 'denied' }));
        await store.createRequest(sampleRequest('req-d', { createdAt: at(4), status: 'executing' }));
        expect(await store.listRequests()).toHaveLength(4);
        expect(ids(await store.listRequests())).toEqual(['req-d', 'req-c', 'req-b', 'req-a']);
        expect(ids(await store.listRequests({ limit: 2 }))).toEqual(['req-d', 'req-c']);
        expect(ids(await store.listRequests({ limit: 0 }))).toEqual([]);
        expect(ids(await store.listRequests({ statuses: ['approved'] }))).toEqual(['req-c']);
        expect(ids(await store.listRequests({ statuses: ['pending', 'approved'] }))).toEqual(['req-c', 'req-a']);
        expect(ids(await store.listRequests({ statuses: ['denied', 'executing', 'pending'], limit: 2 }))).toEqual(['req-d', 'req-b']);
        expect(ids(await store.listRequests({ statuses: ['expired'] }))).toEqual([]);
        expect(ids(await store.listRequests({ statuses: [] }))).toEqual([]);
        const [first] = await store.listRequests({ statuses: ['approved'] });
        expect(first).toEqual(await store.getRequest('req-c'));
      });

      it('returns at most 100 by default', async () => {
        for (let i = 0; i < 105; i++) await store.createRequest(sampleRequest(`req-${String(i).padStart(3, '0')}`, { createdAt: at(i) }));
        const rows = await store.listRequests();
        expect(rows).toHaveLength(100);
        expect(rows[0]?.value.id).toBe('req-104');
        expect(rows[99]?.value.id).toBe('req-005');
        expect(await store.listRequests({ limit: 1000 })).toHaveLength(105);
      });

      it('refuses a duplicate id with CONFLICT and keeps the first', async () => {
        const first = sampleRequest('req-dup');
        await store.createRequest(first);
        const before = await store.changesSince(0);
        await expectCode(store.createRequest(sampleRequest('req-dup', { intent: 'another' })), 'CONFLICT');
        expect((await store.getRequest('req-dup'))?.value).toEqual(first);
        expect((await store.changesSince(0)).lastSeq).toBe(before.lastSeq);
      });

      it('rejects an invalid request or invalid list options with BAD_INPUT', async () => {
        await expectCode(store.createRequest(sampleRequest('')), 'BAD_INPUT');
        await expectCode(store.createRequest(sampleRequest('req-x', { version: 0 })), 'BAD_INPUT');
        await expectCode(store.createRequest({ ...sampleRequest('req-x'), status: 'nope' } as unknown as ApprovalRequest), 'BAD_INPUT');
        await expectCode(store.listRequests({ limit: -1 }), 'BAD_INPUT');
        await expectCode(store.listRequests({ statuses: ['nope'] } as unknown as { statuses: ['pending'] }), 'BAD_INPUT');
        expect(await store.listRequests()).toEqual([]);
      });

      it('finds the newest open (pending or approved) request of an agent for a plan digest', async () => {
        const digest = sampleRequest('x').planDigest;
        const other = 'e'.repeat(64);
        expect(await store.findOpenRequest('deploy-bot', digest)).toBeNull();
        await store.createRequest(sampleRequest('req-old', { createdAt: at(1) }));
        await store.createRequest(sampleRequest('req-approved', { createdAt: at(2), status: 'approved' }));
        await store.createRequest(sampleRequest('req-denied', { createdAt: at(3), status: 'denied' }));
        await store.createRequest(sampleRequest('req-executed', { createdAt: at(4), status: 'executed' }));
        await store.createRequest(
          sampleRequest('req-other-agent', {
            createdAt: at(5),
            requester: { kind: 'agent', id: 'other-bot', authenticated: false },
          }),
        );
        await store.createRequest(sampleRequest('req-other-plan', { createdAt: at(6), planDigest: other }));

        expect((await store.findOpenRequest('deploy-bot', digest))?.value.id).toBe('req-approved');
        expect((await store.findOpenRequest('other-bot', digest))?.value.id).toBe('req-other-agent');
        expect((await store.findOpenRequest('deploy-bot', other))?.value.id).toBe('req-other-plan');
        expect(await store.findOpenRequest('nobody', digest)).toBeNull();

        const approved = await store.getRequest('req-approved');
        if (approved === null) throw new Error('req-approved is missing');
        expect(await store.updateRequest(bump(approved.value, { status: 'executing' }), approved.value.version)).toBe(true);
        expect(await store.findOpenRequest('deploy-bot', digest)).toEqual(await store.getRequest('req-old'));
      });

      it('updates by compare-and-set on version', async () => {
        const v1 = sampleRequest('req-cas');
        await store.createRequest(v1);
        const created = await store.getRequest('req-cas');
        const v2 = bump(v1, { status: 'approved', updatedAt: at(5) });
        expect(await store.updateRequest(v2, 1)).toBe(true);
        const afterV2 = await store.getRequest('req-cas');
        expect(afterV2?.value).toEqual(v2);
        expect(afterV2?.changeSeq).toBeGreaterThan(created?.changeSeq ?? Number.POSITIVE_INFINITY);

        // Someone else's write came first: the stale caller loses and changes nothing.
        expect(await store.updateRequest(bump(v1, { status: 'revoked' }), 1)).toBe(false);
        expect(await store.getRequest('req-cas')).toEqual(afterV2);

        const v3 = bump(v2, {
          status: 'executing',
          execution: { startedAt: at(6), executor: { host: 'host-1', pid: 42, startedAt: at(6) }, finishedAt: null, outcome: null },
        });
        expect(await store.updateRequest(v3, 2)).toBe(true);
        expect((await store.getRequest('req-cas'))?.value).toEqual(v3);
        expect(await store.updateRequest(bump(sampleRequest('req-none')), 1)).toBe(false);
        expect(await store.getRequest('req-none')).toBeNull();
      });

      it('rejects an update whose version is not the expected version + 1 with BAD_INPUT, writing nothing', async () => {
        await store.createRequest(sampleRequest('req-v'));
        const before = await store.getRequest('req-v');
        await expectCode(store.updateRequest(sampleRequest('req-v', { version: 3 }), 1), 'BAD_INPUT');
        await expectCode(store.updateRequest(sampleRequest('req-v', { version: 1 }), 1), 'BAD_INPUT');
        await expectCode(store.updateRequest(sampleRequest('req-v', { version: 1 }), 0), 'BAD_INPUT');
        await expectCode(store.updateRequest(sampleRequest('', { version: 2 }), 1), 'BAD_INPUT');
        expect(await store.getRequest('req-v')).toEqual(before);
      });

      it('lets exactly one of 100 concurrent updates with the same expected version win', async () => {
        await store.createRequest(sampleRequest('req-race', { status: 'approved', version: 3 }));
        const stored = await store.getRequest('req-race');
        if (stored === null) throw new Error('req-race is missing');
        const current = stored.value;
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.updateRequest(
              bump(current, {
                status: 'executing',
                execution: {
                  startedAt: at(7),
                  executor: { host: `consumer-${i}`, pid: i, startedAt: at(7) },
                  finishedAt: null,
                  outcome: null,
                },
              }),
              current.version,
            ),
          ),
        );
        expect(results.filter((won) => won)).toHaveLength(1);
        const winner = results.indexOf(true);
        const after = await store.getRequest('req-race');
        expect(after?.value.status).toBe('executing');
        expect(after?.value.version).toBe(4);
        expect(after?.value.execution?.executor.host).toBe(`consumer-${winner}`);
      });

      it('reports a corrupt request row as STORE_FAILURE on every read path, without crashing', async () => {
        await store.createRequest(sampleRequest('req-ok', { createdAt: at(1) }));
        await store.createRequest(sampleRequest('req-bad', { createdAt: at(2) }));
        await fx.corruptRequestRow('req-bad');
        await expectStoreFailure(store.getRequest('req-bad'));
        await expectStoreFailure(store.listRequests());
        await expectStoreFailure(store.findOpenRequest('deploy-bot', sampleRequest('x').planDigest));
        await expectStoreFailure(store.changesSince(0));
        expect((await store.getRequest('req-ok'))?.value.id).toBe('req-ok');
        expect(ids(await store.listRequests({ limit: 0 }))).toEqual([]);
      });
    });

    describe('grants', () => {
      it('creates, gets, lists newest first with agent and status filters, and limits', async () => {
        const g1 = sampleGrant('grant-1', { createdAt: at(1) });
        await store.createGrant(g1);
        await store.createGrant(sampleGrant('grant-2', { createdAt: at(2), status: 'approved' }));
        await store.createGrant(sampleGrant('grant-3', { createdAt: at(3), status: 'approved', agentId: 'other-bot' }));
        await store.createGrant(sampleGrant('grant-4', { createdAt: at(4), status: 'revoked' }));
        expect((await store.getGrant('grant-1'))?.value).toEqual(g1);
        expect((await store.getGrant('grant-1'))?.changeSeq).toBeGreaterThan(0);
        expect(await store.getGrant('grant-nope')).toBeNull();
        expect(ids(await store.listGrants())).toEqual(['grant-4', 'grant-3', 'grant-2', 'grant-1']);
        expect(ids(await store.listGrants({ limit: 1 }))).toEqual(['grant-4']);
        expect(ids(await store.listGrants({ agentId: 'deploy-bot' }))).toEqual(['grant-4', 'grant-2', 'grant-1']);
        expect(ids(await store.listGrants({ statuses: ['approved'] }))).toEqual(['grant-3', 'grant-2']);
        expect(ids(await store.listGrants({ agentId: 'deploy-bot', statuses: ['approved', 'pending'] }))).toEqual(['grant-2', 'grant-1']);
        expect(ids(await store.listGrants({ agentId: 'deploy-bot', statuses: ['approved'], limit: 0 }))).toEqual([]);
        expect(ids(await store.listGrants({ agentId: 'nobody' }))).toEqual([]);
        expect(ids(await store.listGrants({ statuses: [] }))).toEqual([]);
        await expectCode(store.listGrants({ limit: 1.5 }), 'BAD_INPUT');
      });

      it('returns at most 100 by default', async () => {
        for (let i = 0; i < 101; i++) await store.createGrant(sampleGrant(`grant-${String(i).padStart(3, '0')}`, { createdAt: at(i) }));
        expect(await store.listGrants()).toHaveLength(100);
        expect(await store.listGrants({ agentId: 'deploy-bot', statuses: ['pending'] })).toHaveLength(100);
      });

      it('refuses a duplicate id with CONFLICT, and an invalid grant with BAD_INPUT', async () => {
        const first = sampleGrant('grant-dup');
        await store.createGrant(first);
        await expectCode(store.createGrant(sampleGrant('grant-dup', { reason: 'another' })), 'CONFLICT');
        expect((await store.getGrant('grant-dup'))?.value).toEqual(first);
        await expectCode(store.createGrant(sampleGrant('grant-x', { agentId: '' })), 'BAD_INPUT');
        expect(await store.getGrant('grant-x')).toBeNull();
      });

      it('updates by compare-and-set on version; exactly one of 100 concurrent updates wins', async () => {
        const v1 = sampleGrant('grant-cas');
        await store.createGrant(v1);
        const v2 = bump(v1, { status: 'approved', updatedAt: at(2) });
        expect(await store.updateGrant(v2, 1)).toBe(true);
        expect((await store.getGrant('grant-cas'))?.value).toEqual(v2);
        expect(await store.updateGrant(bump(v1, { status: 'denied' }), 1)).toBe(false);
        expect(await store.updateGrant(bump(sampleGrant('grant-none')), 1)).toBe(false);
        await expectCode(store.updateGrant(bump(v2), 1), 'BAD_INPUT');

        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.updateGrant(bump(v2, { status: 'revoked', revocation: { by: `human-${i}`, at: at(3), reason: '' } }), 2),
          ),
        );
        expect(results.filter((won) => won)).toHaveLength(1);
        const after = await store.getGrant('grant-cas');
        expect(after?.value.version).toBe(3);
        expect(after?.value.revocation?.by).toBe(`human-${results.indexOf(true)}`);
      });

      it('reports a corrupt grant row as STORE_FAILURE on every read path, without crashing', async () => {
        await store.createGrant(sampleGrant('grant-ok'));
        await store.createGrant(sampleGrant('grant-bad', { createdAt: at(1) }));
        await fx.corruptGrantRow('grant-bad');
        await expectStoreFailure(store.getGrant('grant-bad'));
        await expectStoreFailure(store.listGrants());
        await expectStoreFailure(store.changesSince(0));
        expect((await store.getGrant('grant-ok'))?.value.id).toBe('grant-ok');
      });
    });

    describe('changesSince', () => {
      it('starts at 0 with nothing changed', async () => {
        expect(await store.changesSince(0)).toEqual({ requests: [], grants: [], lastSeq: 0 });
        expect(await store.changesSince(Number.MAX_SAFE_INTEGER)).toEqual({ requests: [], grants: [], lastSeq: 0 });
      });

      it('returns what changed after the cursor, across requests and grants, in ascending change order', async () => {
        const seqs: number[] = [];
        const mark = async () => seqs.push((await store.changesSince(0)).lastSeq);
        await store.createRequest(sampleRequest('req-1'));
        await mark();
        await store.createGrant(sampleGrant('grant-1'));
        await mark();
        await store.createRequest(sampleRequest('req-2'));
        await mark();
        const cursor = seqs[2] ?? 0;
        const r1 = await store.getRequest('req-1');
        if (r1 === null) throw new Error('req-1 is missing');
        expect(await store.updateRequest(bump(r1.value, { status: 'approved' }), 1)).toBe(true);
        await mark();
        const g1 = await store.getGrant('grant-1');
        if (g1 === null) throw new Error('grant-1 is missing');
        expect(await store.updateGrant(bump(g1.value, { status: 'approved' }), 1)).toBe(true);
        await mark();
        await store.createRequest(sampleRequest('req-3'));
        await mark();
        // Every write moved the counter forward.
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] ?? Number.POSITIVE_INFINITY);

        const all = await store.changesSince(0);
        expect(all.lastSeq).toBe(seqs[5]);
        expect(ids(all.requests)).toEqual(['req-2', 'req-1', 'req-3']);
        expect(ids(all.grants)).toEqual(['grant-1']);
        expect(all.requests.map((r) => r.changeSeq)).toEqual([seqs[2], seqs[3], seqs[5]]);
        expect(all.grants.map((g) => g.changeSeq)).toEqual([seqs[4]]);
        expect(all.requests[1]).toEqual(await store.getRequest('req-1'));
        expect(all.grants[0]).toEqual(await store.getGrant('grant-1'));

        const later = await store.changesSince(cursor);
        expect(ids(later.requests)).toEqual(['req-1', 'req-3']);
        expect(ids(later.grants)).toEqual(['grant-1']);
        expect(later.lastSeq).toBe(seqs[5]);
        const last = await store.changesSince(seqs[4] ?? 0);
        expect(ids(last.requests)).toEqual(['req-3']);
        expect(last.grants).toEqual([]);

        expect(await store.changesSince(all.lastSeq)).toEqual({ requests: [], grants: [], lastSeq: all.lastSeq });
        expect(await store.changesSince(Number.MAX_SAFE_INTEGER)).toEqual({ requests: [], grants: [], lastSeq: all.lastSeq });
      });

      it('does not move for a lost compare-and-set or a refused create', async () => {
        await store.createRequest(sampleRequest('req-1'));
        await store.createGrant(sampleGrant('grant-1'));
        const { lastSeq } = await store.changesSince(0);
        expect(await store.updateRequest(bump(sampleRequest('req-1', { version: 5 })), 5)).toBe(false);
        expect(await store.updateGrant(bump(sampleGrant('grant-1', { version: 5 })), 5)).toBe(false);
        await expectCode(store.createGrant(sampleGrant('grant-1')), 'CONFLICT');
        expect((await store.changesSince(0)).lastSeq).toBe(lastSeq);
      });

      it('gives every one of many concurrent writes its own change number', async () => {
        await Promise.all([
          ...Array.from({ length: 50 }, (_, i) => store.createRequest(sampleRequest(`req-${i}`))),
          ...Array.from({ length: 50 }, (_, i) => store.createGrant(sampleGrant(`grant-${i}`))),
        ]);
        const all = await store.changesSince(0);
        const numbers = [...all.requests, ...all.grants].map((c) => c.changeSeq);
        expect(new Set(numbers).size).toBe(100);
        expect(all.lastSeq).toBe(Math.max(...numbers));
      });

      it('rejects a negative or fractional cursor with BAD_INPUT', async () => {
        await expectCode(store.changesSince(-1), 'BAD_INPUT');
        await expectCode(store.changesSince(1.5), 'BAD_INPUT');
      });
    });

    describe('humans', () => {
      it('puts, gets and replaces a password hash', async () => {
        expect(await store.getHumanCredential('alice')).toBeNull();
        const first = { humanId: 'alice', passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA', updatedAt: at(0) };
        await store.putHumanCredential(first);
        expect(await store.getHumanCredential('alice')).toEqual(first);
        const second = { ...first, passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdDI$aGFzaDI', updatedAt: at(1) };
        await store.putHumanCredential(second);
        expect(await store.getHumanCredential('alice')).toEqual(second);
        expect(await store.getHumanCredential('bob')).toBeNull();
        await expectCode(store.putHumanCredential({ ...first, passwordHash: '' }), 'BAD_INPUT');
      });

      it('puts personal tokens, finds them by hash, lists them and revokes them once', async () => {
        expect(await store.getHumanTokenByHash('hth-nope')).toBeNull();
        expect(await store.listHumanTokens()).toEqual([]);
        await store.putHumanToken(humanToken('tok-b', { createdAt: at(2) }));
        await store.putHumanToken(humanToken('tok-a', { createdAt: at(1) }));
        await store.putHumanToken(humanToken('tok-c', { createdAt: at(3), humanId: 'bob' }));
        expect(await store.getHumanTokenByHash('hth-tok-a')).toEqual(humanToken('tok-a', { createdAt: at(1) }));
        expect((await store.listHumanTokens()).map((t) => t.id)).toEqual(['tok-a', 'tok-b', 'tok-c']);
        expect((await store.listHumanTokens('alice')).map((t) => t.id)).toEqual(['tok-a', 'tok-b']);
        expect(await store.listHumanTokens('nobody')).toEqual([]);

        expect(await store.revokeHumanToken('tok-a', at(10))).toBe(true);
        expect(await store.revokeHumanToken('tok-a', at(11))).toBe(false);
        expect(await store.revokeHumanToken('tok-nope', at(11))).toBe(false);
        expect((await store.getHumanTokenByHash('hth-tok-a'))?.revokedAt).toBe(at(10));
        expect((await store.getHumanTokenByHash('hth-tok-b'))?.revokedAt).toBeNull();
      });

      it('replaces a token put again with the same id; refuses another token with the same hash (CONFLICT)', async () => {
        await store.putHumanToken(humanToken('tok-x'));
        await store.putHumanToken(humanToken('tok-x', { tokenHash: 'hth-new' }));
        expect(await store.getHumanTokenByHash('hth-tok-x')).toBeNull();
        expect((await store.getHumanTokenByHash('hth-new'))?.id).toBe('tok-x');
        await expectCode(store.putHumanToken(humanToken('tok-y', { tokenHash: 'hth-new' })), 'CONFLICT');
        expect((await store.listHumanTokens()).map((t) => t.id)).toEqual(['tok-x']);
        await expectCode(store.putHumanToken(humanToken('')), 'BAD_INPUT');
      });

      it('puts, gets, replaces and deletes sessions', async () => {
        expect(await store.getSession('sh-1')).toBeNull();
        await store.putSession(session('sh-1'));
        await store.putSession(session('sh-2', { humanId: 'bob' }));
        expect(await store.getSession('sh-1')).toEqual(session('sh-1'));
        await store.putSession(session('sh-1', { csrf: 'csrf-new', expiresAt: at(120) }));
        expect(await store.getSession('sh-1')).toEqual(session('sh-1', { csrf: 'csrf-new', expiresAt: at(120) }));
        await store.deleteSession('sh-1');
        expect(await store.getSession('sh-1')).toBeNull();
        await store.deleteSession('sh-1');
        await store.deleteSession('sh-nope');
        expect(await store.getSession('sh-2')).toEqual(session('sh-2', { humanId: 'bob' }));
        await expectCode(store.putSession(session('sh-3', { csrf: '' })), 'BAD_INPUT');
        await store.putSession(session('sh-4', { humanId: 'bob' }));
        await store.putSession(session('sh-5'));
        expect(await store.deleteSessionsOf('bob')).toBe(2);
        expect(await store.getSession('sh-2')).toBeNull();
        expect(await store.getSession('sh-5')).not.toBeNull();
        expect(await store.deleteSessionsOf('nobody')).toBe(0);
      });

      it('reports corrupt credential, token and session rows as STORE_FAILURE, without crashing', async () => {
        await store.putHumanCredential({ humanId: 'alice', passwordHash: 'h', updatedAt: at(0) });
        await store.putHumanToken(humanToken('tok-bad'));
        await store.putSession(session('sh-bad'));
        await fx.corruptHumanCredentialRow('alice');
        await fx.corruptHumanTokenRow('tok-bad');
        await fx.corruptSessionRow('sh-bad');
        await expectStoreFailure(store.getHumanCredential('alice'));
        await expectStoreFailure(store.getHumanTokenByHash('hth-tok-bad'));
        await expectStoreFailure(store.listHumanTokens());
        await expectStoreFailure(store.listHumanTokens('alice'));
        await expectStoreFailure(store.getSession('sh-bad'));
        expect(await store.getSession('sh-other')).toBeNull();
      });
    });

    describe('close', () => {
      it('is idempotent, and later calls fail with STORE_FAILURE', async () => {
        await store.close();
        await store.close();
        await expectStoreFailure(store.auditHead());
        await expectStoreFailure(store.getRequest('req-1'));
        await expectStoreFailure(store.changesSince(0));
        await expectStoreFailure(store.getSession('sh-1'));
      });
    });
  });
}
