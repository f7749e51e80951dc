import { describe, expect, it } from 'vitest';
import { Ed25519Signer } from '../adapters/crypto/ed25519-signer.js';
import { NodeHasher } from '../adapters/crypto/node-hasher.js';
import {
  AuditLog,
  GENESIS_HASH,
  auditRoot,
  entryHash,
  signTreeHead,
  verifyAudit,
  verifyChain,
  verifyTreeHead,
  type TreeHead,
} from './audit-log.js';
import { canonicalJson } from './canonical-json.js';
import type { AuditEntry, Clock, Store } from './ports.js';

const hasher = new NodeHasher();
const signer = Ed25519Signer.generate();

/** The smallest Store that honours the audit half of the contract, in memory. */
function memoryStore(): Pick<
  Store,
  'migrate' | 'appendAudit' | 'readAudit' | 'auditHead' | 'putAgent' | 'getAgentByTokenHash' | 'listAgents' | 'revokeAgent' | 'close'
> & {
  entries: AuditEntry[];
} {
  const entries: AuditEntry[] = [];
  return {
    entries,
    migrate: async () => undefined,
    appendAudit: async (link) => {
      const entry = link(entries[entries.length - 1] ?? null);
      entries.push(entry);
      return entry;
    },
    readAudit: async ({ fromSeq = 1, limit = Number.MAX_SAFE_INTEGER }) => entries.filter((e) => e.seq >= fromSeq).slice(0, limit),
    auditHead: async () => entries[entries.length - 1] ?? null,
    putAgent: async () => undefined,
    getAgentByTokenHash: async () => null,
    listAgents: async () => [],
    revokeAgent: async () => false,
    close: async () => undefined,
  };
}

function clock(): Clock {
  let t = Date.parse('2026-03-01T12:00:00.000Z');
  return { now: () => new Date((t += 1000)) };
}

async function filledLog(n: number) {
  const store = memoryStore();
  const log = new AuditLog({ store, hasher, clock: clock() });
  for (let i = 1; i <= n; i++) await log.append('decision', { i, outcome: i % 3 === 0 ? 'deny' : 'allow' });
  return { store, log, entries: store.entries };
}

/** Re-hashes entries from `fromIndex` on so the chain is internally consistent again (an attacker with write access can). */
function rechain(entries: AuditEntry[], fromIndex: number): AuditEntry[] {
  const out = entries.slice(0, fromIndex);
  for (const e of entries.slice(fromIndex)) {
    const prevHash = out[out.length - 1]?.hash ?? GENESIS_HASH;
    const seq = out.length + 1;
    const fields = { seq, ts: e.ts, type: e.type, payload: e.payload, prevHash };
    out.push({ ...fields, hash: entryHash(hasher, fields) });
  }
  return out;
}

describe('AuditLog.append', () => {
  it('links entries: seq from 1, prevHash of the first is 64 zeros, hash over canonical JSON', async () => {
    const { entries } = await filledLog(3);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    const e = entries[2] as AuditEntry;
    expect(e.hash).toBe(hasher.sha256Hex(canonicalJson({ seq: e.seq, ts: e.ts, type: e.type, payload: e.payload, prevHash: e.prevHash })));
    expect(e.ts).toBe('2026-03-01T12:00:03.000Z');
  });

  it('stores the plain JSON form of the payload (toJSON applied, undefined members dropped)', async () => {
    const store = memoryStore();
    const log = new AuditLog({ store, hasher, clock: clock() });
    const entry = await log.append('execution', { at: new Date('2026-01-01T00:00:00Z'), gone: undefined, list: [1, 'x'] });
    expect(entry.payload).toEqual({ at: '2026-01-01T00:00:00.000Z', list: [1, 'x'] });
    expect(verifyChain(store.entries, hasher).ok).toBe(true);
  });

  it('refuses payloads JSON cannot carry with BAD_INPUT, writing nothing', async () => {
    const store = memoryStore();
    const log = new AuditLog({ store, hasher, clock: clock() });
    await expect(log.append('decision', { n: Number.NaN })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(log.append('decision', { n: 1n })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(log.append('decision', cyclic)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(store.entries).toEqual([]);
  });
});

describe('verifyChain', () => {
  it('accepts an untouched log and the empty log', async () => {
    const { entries } = await filledLog(10);
    expect(verifyChain(entries, hasher)).toEqual({ ok: true, size: 10, headHash: entries[9]?.hash });
    expect(verifyChain([], hasher)).toEqual({ ok: true, size: 0, headHash: GENESIS_HASH });
  });

  it('EDITED: a changed payload, ts or type', async () => {
    const { entries } = await filledLog(10);
    const edited = entries.map((e) => (e.seq === 4 ? { ...e, payload: { i: 4, outcome: 'allow', note: 'x' } } : e));
    expect(verifyChain(edited, hasher)).toMatchObject({ ok: false, problem: { seq: 4, code: 'EDITED' } });
    const retyped = entries.map((e) => (e.seq === 7 ? { ...e, type: 'execution' as const } : e));
    expect(verifyChain(retyped, hasher)).toMatchObject({ ok: false, problem: { seq: 7, code: 'EDITED' } });
  });

  it('BROKEN_LINK: an entry edited and re-hashed, but not the ones after it', async () => {
    const { entries } = await filledLog(10);
    const fields = { ...(entries[4] as AuditEntry), payload: { forged: true } };
    const forged = entries.map((e) => (e.seq === 5 ? { ...fields, hash: entryHash(hasher, fields) } : e));
    expect(verifyChain(forged, hasher)).toMatchObject({ ok: false, problem: { seq: 6, code: 'BROKEN_LINK' } });
  });

  it('MISSING: a deleted entry, in the middle or at the start', async () => {
    const { entries } = await filledLog(10);
    expect(
      verifyChain(
        entries.filter((e) => e.seq !== 6),
        hasher,
      ),
    ).toMatchObject({ ok: false, problem: { seq: 6, code: 'MISSING' } });
    expect(
      verifyChain(
        entries.filter((e) => e.seq > 2),
        hasher,
      ),
    ).toMatchObject({ ok: false, problem: { seq: 1, code: 'MISSING' } });
  });

  it('REORDERED: swapped seq values, entries out of order, duplicates', async () => {
    const { entries } = await filledLog(10);
    const swapped = entries.map((e) => (e.seq === 3 ? { ...e, seq: 8 } : e.seq === 8 ? { ...e, seq: 3 } : e)).sort((a, b) => a.seq - b.seq);
    expect(verifyChain(swapped, hasher)).toMatchObject({ ok: false, problem: { seq: 3, code: 'REORDERED' } });
    const outOfOrder = [...entries];
    [outOfOrder[2], outOfOrder[3]] = [outOfOrder[3] as AuditEntry, outOfOrder[2] as AuditEntry];
    expect(verifyChain(outOfOrder, hasher)).toMatchObject({ ok: false, problem: { seq: 3, code: 'REORDERED' } });
    const duplicated = [...entries.slice(0, 5), entries[4] as AuditEntry, ...entries.slice(5)];
    expect(verifyChain(duplicated, hasher)).toMatchObject({ ok: false, problem: { seq: 6, code: 'REORDERED' } });
  });

  it('continues from a verified position', async () => {
    const { entries } = await filledLog(10);
    const prev = entries[5] as AuditEntry;
    expect(verifyChain(entries.slice(6), hasher, { seq: prev.seq, hash: prev.hash })).toMatchObject({ ok: true, size: 10 });
  });
});

describe('tree heads and verifyAudit', () => {
  it('signs a tree head over the Merkle root of the whole log, and extends it incrementally', async () => {
    const { log, entries } = await filledLog(5);
    const head1 = await log.treeHead(signer);
    expect(head1).toMatchObject({ size: 5, rootHash: auditRoot(entries, hasher), keyId: signer.keyId });
    expect(verifyTreeHead(head1, signer)).toBe(true);
    for (let i = 0; i < 4; i++) await log.append('execution', { i });
    const [head2, head3] = await Promise.all([log.treeHead(signer), log.treeHead(signer)]);
    expect(head2).toMatchObject({ size: 9, rootHash: auditRoot(entries, hasher) });
    expect(head3?.rootHash).toBe(head2?.rootHash);
  });

  it('signs the empty log', async () => {
    const log = new AuditLog({ store: memoryStore(), hasher, clock: clock() });
    expect(await log.treeHead(signer)).toMatchObject({
      size: 0,
      rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('refuses (AUDIT_TAMPERED) to sign a log whose chain is broken', async () => {
    const { log, store } = await filledLog(5);
    store.entries[2] = { ...(store.entries[2] as AuditEntry), payload: 'changed' };
    await expect(log.treeHead(signer)).rejects.toMatchObject({ code: 'AUDIT_TAMPERED' });
  });

  it('refuses (AUDIT_TAMPERED) to sign when the log shrank or its head changed after an earlier head', async () => {
    const { log, store } = await filledLog(5);
    await log.treeHead(signer);
    const last = store.entries.pop() as AuditEntry;
    await expect(log.treeHead(signer)).rejects.toMatchObject({ code: 'AUDIT_TAMPERED' });
    store.entries.push({ ...last, hash: 'f'.repeat(64) });
    await expect(log.treeHead(signer)).rejects.toMatchObject({ code: 'AUDIT_TAMPERED' });
    store.entries.pop();
    await log.append('decision', { replacement: true }); // a new entry 5 chained onto entry 4
    await expect(log.treeHead(signer)).rejects.toMatchObject({ code: 'AUDIT_TAMPERED' });
  });

  it('rejects a tree head whose fields or signature were changed, or that another key signed', async () => {
    const { log } = await filledLog(3);
    const head = await log.treeHead(signer);
    expect(verifyTreeHead({ ...head, size: 2 }, signer)).toBe(false);
    expect(verifyTreeHead({ ...head, ts: '2030-01-01T00:00:00.000Z' }, signer)).toBe(false);
    expect(verifyTreeHead({ ...head, signature: 'AAAA' }, signer)).toBe(false);
    expect(verifyTreeHead({ ...head, extra: 1 }, signer)).toBe(false);
    const other = Ed25519Signer.generate();
    expect(verifyTreeHead(signTreeHead(head, other), signer)).toBe(false);
    expect(verifyTreeHead(signTreeHead(head, other), signer, other.publicKeyPem)).toBe(true);
  });

  it('verifies an untouched log, with and without a checkpoint', async () => {
    const { log, entries } = await filledLog(8);
    const checkpoint = await log.treeHead(signer);
    expect(verifyAudit({ entries, hasher, signer })).toEqual({ ok: true, size: 8, rootHash: checkpoint.rootHash });
    expect(verifyAudit({ entries, hasher, signer, checkpoint })).toMatchObject({ ok: true, size: 8 });
    await log.append('decision', { later: true });
    expect(verifyAudit({ entries, hasher, signer, checkpoint })).toMatchObject({ ok: true, size: 9 });
    expect(await log.verify({ signer, checkpoint })).toMatchObject({ ok: true, size: 9 });
  });

  it('TRUNCATED: fewer entries than the checkpoint saw', async () => {
    const { log, entries } = await filledLog(8);
    const checkpoint = await log.treeHead(signer);
    const result = verifyAudit({ entries: entries.slice(0, 6), hasher, signer, checkpoint });
    expect(result).toMatchObject({ ok: false, problems: [{ seq: 7, code: 'TRUNCATED' }] });
  });

  it('ROLLED_BACK: the checkpointed prefix has another root (old copy appended to; or edited and fully re-hashed)', async () => {
    const { log, entries } = await filledLog(8);
    const checkpoint = await log.treeHead(signer);
    // An old copy of 5 entries, appended to afterwards: the chain itself is valid.
    const restored = rechain([...entries.slice(0, 5), ...entries.slice(0, 5).map((e) => ({ ...e, payload: { after: 'restore' } }))], 5);
    expect(verifyChain(restored, hasher).ok).toBe(true);
    expect(verifyAudit({ entries: restored, hasher, signer, checkpoint })).toMatchObject({
      ok: false,
      problems: [{ code: 'ROLLED_BACK' }],
    });
    // Entry 2 edited and everything after re-hashed: only the checkpoint can tell.
    const rewritten = rechain(
      entries.map((e) => (e.seq === 2 ? { ...e, payload: { i: 2, outcome: 'deny' } } : e)),
      1,
    );
    expect(verifyAudit({ entries: rewritten, hasher, signer })).toMatchObject({ ok: true });
    expect(verifyAudit({ entries: rewritten, hasher, signer, checkpoint })).toMatchObject({
      ok: false,
      problems: [{ code: 'ROLLED_BACK' }],
    });
  });

  it('BAD_SIGNATURE: a forged or malformed checkpoint is reported and not used', async () => {
    const { log, entries } = await filledLog(4);
    const checkpoint = await log.treeHead(signer);
    const forged: TreeHead = { ...checkpoint, size: 2 };
    expect(verifyAudit({ entries, hasher, signer, checkpoint: forged })).toMatchObject({
      ok: false,
      problems: [{ code: 'BAD_SIGNATURE' }],
    });
    const malformed = { size: 'x' } as unknown as TreeHead;
    expect(verifyAudit({ entries, hasher, signer, checkpoint: malformed })).toMatchObject({
      ok: false,
      problems: [{ code: 'BAD_SIGNATURE' }],
    });
  });

  it('reports the chain problem first, then the checkpoint problem', async () => {
    const { log, entries } = await filledLog(8);
    const checkpoint = await log.treeHead(signer);
    const damaged = entries.slice(0, 6).map((e) => (e.seq === 2 ? { ...e, payload: 'x' } : e));
    const result = verifyAudit({ entries: damaged, hasher, signer, checkpoint });
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual(['EDITED', 'TRUNCATED']);
  });
});
