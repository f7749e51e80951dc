import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../core/audit-log.js';
import { NodeHasher } from '../../adapters/crypto/node-hasher.js';
import { runStoreContract } from '../store-contract.js';
import { SqliteStore } from './sqlite-store.js';

/** Runs SQL on the database file behind the store's back, as someone with the file could. */
function tamper(path: string, statements: string): void {
  const raw = new Database(path);
  try {
    raw.exec(`DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${statements}`);
  } finally {
    raw.close();
  }
}

/** A SQL string literal. */
function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

runStoreContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-sqlite-'));
  const path = join(dir, 'airlock.db');
  const store = await SqliteStore.open({ path });
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async corruptAuditRow(seq) {
      tamper(path, `UPDATE audit_log SET payload = '{broken' WHERE seq = ${Number(seq)}`);
    },
    async corruptAgentRow(id) {
      tamper(path, `UPDATE agents SET roles = 'not json' WHERE id = ${quote(id)}`);
    },
    async corruptRequestRow(id) {
      tamper(path, `UPDATE requests SET body = '{broken' WHERE id = ${quote(id)}`);
    },
    async corruptGrantRow(id) {
      // Valid JSON, but its version disagrees with the version column the compare-and-set relies on.
      tamper(path, `UPDATE grants SET body = json_set(body, '$.version', version + 1) WHERE id = ${quote(id)}`);
    },
    async corruptHumanCredentialRow(humanId) {
      tamper(path, `UPDATE human_credentials SET password_hash = '' WHERE human_id = ${quote(humanId)}`);
    },
    async corruptHumanTokenRow(id) {
      tamper(path, `UPDATE human_tokens SET created_at = '' WHERE id = ${quote(id)}`);
    },
    async corruptSessionRow(idHash) {
      tamper(path, `UPDATE sessions SET expires_at = '' WHERE id_hash = ${quote(idHash)}`);
    },
  };
});

describe('SqliteStore on a file', () => {
  it('opens with WAL, synchronous=FULL and a busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-sqlite-'));
    try {
      const path = join(dir, 'a.db');
      const store = await SqliteStore.open({ path, busyTimeoutMs: 1234 });
      await store.migrate();
      await store.close();
      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps ordinary SQL from rewriting the log (triggers), as defence in depth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-sqlite-'));
    try {
      const path = join(dir, 'a.db');
      const store = await SqliteStore.open({ path });
      await store.migrate();
      await store.appendAudit(() => ({
        seq: 1,
        ts: '2026-01-01T00:00:00.000Z',
        type: 'decision',
        payload: {},
        prevHash: '0'.repeat(64),
        hash: 'a'.repeat(64),
      }));
      const raw = new Database(path);
      expect(() => raw.exec("UPDATE audit_log SET payload = '{}'")).toThrow(/append-only/);
      expect(() => raw.exec('DELETE FROM audit_log')).toThrow(/append-only/);
      raw.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with STORE_FAILURE naming the operation when the file cannot be opened', async () => {
    await expect(SqliteStore.open({ path: join(tmpdir(), 'airlock-no-such-dir', 'x', 'a.db') })).rejects.toMatchObject({
      code: 'STORE_FAILURE',
      message: expect.stringContaining('open'),
    });
  });

  it('two processes appending 200 entries each at once produce one valid chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-sqlite-'));
    try {
      const path = join(dir, 'shared.db');
      const setup = await SqliteStore.open({ path });
      await setup.migrate();
      await setup.close();

      // The worker imports the sources by URL, resolved at run time from this file's location.
      const worker = join(dir, 'append-worker.mjs');
      writeFileSync(
        worker,
        [
          `import { SqliteStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)};`,
          `import { AuditLog } from ${JSON.stringify(new URL('../../core/audit-log.ts', import.meta.url).href)};`,
          `import { NodeHasher } from ${JSON.stringify(new URL('../../adapters/crypto/node-hasher.ts', import.meta.url).href)};`,
          'const [path, name] = process.argv.slice(2);',
          'const store = await SqliteStore.open({ path, busyTimeoutMs: 30000 });',
          'await store.migrate();',
          'const log = new AuditLog({ store, hasher: new NodeHasher(), clock: { now: () => new Date() } });',
          // Start together: report ready, then wait for the parent's go on stdin.
          'process.stdout.write("ready\\n");',
          'await new Promise((resolve) => process.stdin.once("data", resolve));',
          'process.stdin.pause();',
          // A pause between appends, as a gateway has: back-to-back writers starve SQLite's busy handler.
          'for (let i = 0; i < 200; i++) { await log.append("execution", { worker: name, i }); await new Promise((r) => setTimeout(r, 1)); }',
          'await store.close();',
        ].join('\n'),
      );
      const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
      const start = (name: string) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, path, name], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
        const done = new Promise<void>((resolve, reject) => {
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${name} exited ${String(code)}: ${stderr}`))));
        });
        return { child, ready, done };
      };
      const workers = [start('a'), start('b')];
      await Promise.race([Promise.all(workers.map((w) => w.ready)), Promise.all(workers.map((w) => w.done))]);
      for (const w of workers) w.child.stdin.end('go\n');
      await Promise.all(workers.map((w) => w.done));

      const store = await SqliteStore.open({ path });
      const entries = await store.readAudit({});
      await store.close();
      expect(entries.length).toBe(400);
      expect(verifyChain(entries, new NodeHasher())).toMatchObject({ ok: true, size: 400 });
      const byWorker = (w: string) =>
        entries.filter((e) => (e.payload as { worker: string }).worker === w).map((e) => (e.payload as { i: number }).i);
      expect(byWorker('a')).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(byWorker('b')).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // Both writers really interleaved (otherwise the test proves little).
      const switches = entries.filter(
        (e, i) =>
          i > 0 && (e.payload as { worker: string }).worker !== (entries[i - 1]?.payload as { worker?: string } | undefined)?.worker,
      ).length;
      expect(switches).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
