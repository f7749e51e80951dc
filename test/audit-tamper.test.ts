/**
 * Security invariant 6: the log is append-only and checkable. A real SQLite file is tampered with
 * directly (as someone with access to the file could) and verification must name what was done.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ed25519Signer } from '../src/adapters/crypto/ed25519-signer.js';
import { NodeHasher } from '../src/adapters/crypto/node-hasher.js';
import { AuditLog, entryHash, verifyAudit, type AuditProblemCode, type AuditVerification, type TreeHead } from '../src/core/audit-log.js';
import type { AuditEventType, Clock } from '../src/core/ports.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const hasher = new NodeHasher();
const signer = Ed25519Signer.generate();

let dir: string;
let dbPath: string;
let t = Date.parse('2026-04-01T09:00:00.000Z');
const clock: Clock = { now: () => new Date((t += 1000)) };

/** Appends `n` decision entries through the real store, then closes it (so the file is complete on disk). */
async function append(n: number, tag = 'gateway'): Promise<void> {
  const store = await SqliteStore.open({ path: dbPath });
  await store.migrate();
  const log = new AuditLog({ store, hasher, clock });
  for (let i = 0; i < n; i++)
    await log.append('decision', {
      tag,
      i,
      outcome: i % 4 === 0 ? 'deny' : 'allow',
      command: `kubectl -n prod rollout restart deploy/api-${i}`,
    });
  await store.close();
}

/** A tree head of the log as it is now: what a verifier saves after a successful `airlock audit verify`. */
async function checkpoint(): Promise<TreeHead> {
  const store = await SqliteStore.open({ path: dbPath });
  const head = await new AuditLog({ store, hasher, clock }).treeHead(signer);
  await store.close();
  return head;
}

async function verify(saved?: TreeHead): Promise<AuditVerification> {
  const store = await SqliteStore.open({ path: dbPath });
  const entries = await store.readAudit({});
  await store.close();
  return verifyAudit({ entries, hasher, signer, ...(saved ? { checkpoint: saved } : {}) });
}

/** Raw SQL on the file behind Airlock's back; the append-only triggers are dropped first, as an attacker would. */
function tamper(sql: string): void {
  const raw = new Database(dbPath);
  try {
    raw.exec(`DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${sql}`);
  } finally {
    raw.close();
  }
}

function codes(result: AuditVerification): AuditProblemCode[] {
  return result.ok ? [] : result.problems.map((p) => p.code);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-tamper-'));
  dbPath = join(dir, 'airlock.db');
  await append(20);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('audit tamper detection on a real SQLite file', () => {
  it('an untouched log verifies, with and without a checkpoint, and after further appends', async () => {
    const saved = await checkpoint();
    expect(await verify()).toEqual({ ok: true, size: 20, rootHash: saved.rootHash });
    expect(await verify(saved)).toEqual({ ok: true, size: 20, rootHash: saved.rootHash });
    await append(5);
    expect(await verify(saved)).toMatchObject({ ok: true, size: 25 });
  });

  it('EDITED: a payload changed in place', async () => {
    const saved = await checkpoint();
    tamper(`UPDATE audit_log SET payload = replace(payload, '"outcome":"deny"', '"outcome":"allow"') WHERE seq = 9`);
    const result = await verify(saved);
    expect(result).toMatchObject({ ok: false, problems: [{ seq: 9, code: 'EDITED' }] });
  });

  it('MISSING: a row deleted from the middle', async () => {
    const saved = await checkpoint();
    tamper('DELETE FROM audit_log WHERE seq = 11');
    expect(await verify(saved)).toMatchObject({ ok: false, problems: [{ seq: 11, code: 'MISSING' }] });
    expect(codes(await verify(saved))).toEqual(['MISSING']);
  });

  it("REORDERED: two rows' seq swapped", async () => {
    const saved = await checkpoint();
    tamper(
      'UPDATE audit_log SET seq = -1 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 12; UPDATE audit_log SET seq = 12 WHERE seq = -1;',
    );
    const result = await verify(saved);
    expect(result).toMatchObject({ ok: false, problems: [{ seq: 4, code: 'REORDERED' }] });
    expect(await verify()).toMatchObject({ ok: false, problems: [{ seq: 4, code: 'REORDERED' }] });
  });

  it('TRUNCATED: the tail cut off (the chain alone cannot see it; the checkpoint does)', async () => {
    const saved = await checkpoint();
    tamper('DELETE FROM audit_log WHERE seq > 14');
    expect(await verify()).toMatchObject({ ok: true, size: 14 });
    expect(await verify(saved)).toMatchObject({ ok: false, problems: [{ seq: 15, code: 'TRUNCATED' }] });
    expect(codes(await verify(saved))).toEqual(['TRUNCATED']);
  });

  it('an older copy of the database file restored: TRUNCATED as is, ROLLED_BACK once the gateway appends to it', async () => {
    const backup = join(dir, 'backup.db');
    copyFileSync(dbPath, backup); // 20 entries; the store is closed, so the file is complete
    await append(10);
    const saved = await checkpoint(); // a verifier saw 30 entries
    for (const suffix of ['-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    copyFileSync(backup, dbPath);

    expect(await verify()).toMatchObject({ ok: true, size: 20 });
    expect(codes(await verify(saved))).toEqual(['TRUNCATED']);

    await append(15, 'after-restore'); // 35 entries now, a valid chain, but not the history the verifier saw
    expect(await verify()).toMatchObject({ ok: true, size: 35 });
    expect(codes(await verify(saved))).toEqual(['ROLLED_BACK']);
  });

  it('ROLLED_BACK: an entry edited and every later hash recomputed (only a checkpoint catches it)', async () => {
    const saved = await checkpoint();
    const raw = new Database(dbPath);
    raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update');
    const rows = raw.prepare('SELECT seq, ts, type, payload, prev_hash FROM audit_log ORDER BY seq').all() as {
      seq: number;
      ts: string;
      type: AuditEventType;
      payload: string;
      prev_hash: string;
    }[];
    const update = raw.prepare('UPDATE audit_log SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    let prevHash = '0'.repeat(64);
    raw.transaction(() => {
      for (const row of rows) {
        const payload = row.seq === 6 ? { tag: 'gateway', i: 5, outcome: 'allow', command: 'true' } : (JSON.parse(row.payload) as unknown);
        const hash = entryHash(hasher, { seq: row.seq, ts: row.ts, type: row.type, payload, prevHash });
        update.run(JSON.stringify(payload), prevHash, `tmp-${row.seq}`, row.seq); // hash is UNIQUE: park it first
        update.run(JSON.stringify(payload), prevHash, hash, row.seq);
        prevHash = hash;
      }
    })();
    raw.close();

    expect(await verify()).toMatchObject({ ok: true, size: 20 });
    expect(codes(await verify(saved))).toEqual(['ROLLED_BACK']);
  });

  it('BAD_SIGNATURE: a checkpoint edited to fit a truncated log is refused', async () => {
    const saved = await checkpoint();
    tamper('DELETE FROM audit_log WHERE seq > 10');
    const now = await verify();
    expect(now.ok).toBe(true);
    // The attacker rewrites the saved head to match the shortened log, but cannot sign it.
    const forged: TreeHead = { ...saved, size: 10, rootHash: now.ok ? now.rootHash : saved.rootHash };
    expect(codes(await verify(forged))).toEqual(['BAD_SIGNATURE']);
  });
});
