/**
 * The Store contract: one Vitest suite every Store implementation must pass (SQLite today,
 * PostgreSQL next). Call it from the implementation's test file:
 *
 *   runStoreContract('SqliteStore', async () => ({ store, cleanup, corruptAuditRow, corruptAgentRow }));
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, verifyChain } from '../core/audit-log.js';
import { AirlockError } from '../core/errors.js';
import type { AgentRecord, AuditEntry, Clock, Hasher, Store } from '../core/ports.js';

/** A fresh, migrated store for one test, with what the contract needs to reach around it. */
export interface StoreFixture {
  readonly store: Store;
  /** Closes and deletes everything the fixture created. */
  cleanup(): Promise<void>;
  /** Writes an invalid value into audit row `seq`, bypassing the Store (drop any guard such as triggers). */
  corruptAuditRow(seq: number): Promise<void>;
  /** Writes an invalid value into agent row `id`, bypassing the Store. */
  corruptAgentRow(id: string): Promise<void>;
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

async function expectStoreFailure(promise: Promise<unknown>): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(AirlockError);
  expect((err as AirlockError).code).toBe('STORE_FAILURE');
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

    describe('close', () => {
      it('is idempotent, and later calls fail with STORE_FAILURE', async () => {
        await store.close();
        await store.close();
        await expectStoreFailure(store.auditHead());
      });
    });
  });
}
