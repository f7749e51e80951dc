/**
 * SqliteStore.migrate: Kysely is loaded only when the database is behind (docs/decisions/0003).
 * Kysely and the migrations module are wrapped to count their loads and calls; in its own file so
 * that the wrapping touches no other suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeHasher } from '../../adapters/crypto/node-hasher.js';
import { AuditLog, verifyChain } from '../../core/audit-log.js';
import { sampleGrant, sampleRequest } from '../store-contract.js';
import { SqliteStore } from './sqlite-store.js';

const seen = vi.hoisted(() => ({ kyselyLoads: 0, migrationRuns: 0 }));

vi.mock('kysely', async (importOriginal) => {
  seen.kyselyLoads += 1;
  return await importOriginal();
});
vi.mock('./sqlite-migrations.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./sqlite-migrations.js')>();
  return {
    ...actual,
    migrateSqliteToLatest: (...args: Parameters<typeof actual.migrateSqliteToLatest>) => {
      seen.migrationRuns += 1;
      return actual.migrateSqliteToLatest(...args);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-sqlite-migrate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Creates and migrates a database in another process, so that this one has not loaded Kysely yet. */
function migrateElsewhere(path: string): void {
  const script = join(dir, 'migrate.mjs');
  writeFileSync(
    script,
    [
      `import { SqliteStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)};`,
      'const store = await SqliteStore.open({ path: process.argv[2] });',
      'await store.migrate();',
      'await store.close();',
    ].join('\n'),
  );
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, path], { cwd: repoRoot, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
}

describe('SqliteStore.migrate', () => {
  // First in this file: nothing has loaded Kysely yet.
  it('opens and migrates a current database without loading Kysely, and serves every query', async () => {
    const path = join(dir, 'current.db');
    migrateElsewhere(path);
    const store = await SqliteStore.open({ path });
    await store.migrate();
    await store.migrate();
    await store.appendAudit(() => ({
      seq: 1,
      ts: '2026-01-01T00:00:00.000Z',
      type: 'decision',
      payload: { a: 1 },
      prevHash: '0'.repeat(64),
      hash: 'a'.repeat(64),
    }));
    expect((await store.auditHead())?.seq).toBe(1);
    expect(await store.readAudit({ fromSeq: 1, limit: 5 })).toHaveLength(1);
    await store.putAgent({ id: 'x', roles: ['ops'], tokenHash: 'th', createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null });
    expect(await store.getAgentByTokenHash('th')).toMatchObject({ id: 'x' });
    expect(await store.listAgents()).toHaveLength(1);
    expect(await store.revokeAgent('x', '2026-01-02T00:00:00.000Z')).toBe(true);
    const request = sampleRequest('req-1', { status: 'approved' });
    await store.createRequest(request);
    expect(await store.updateRequest({ ...request, version: 2, status: 'executing' }, 1)).toBe(true);
    expect(await store.getRequest('req-1')).toMatchObject({ value: { version: 2 } });
    expect(await store.listRequests({ statuses: ['executing'] })).toHaveLength(1);
    expect(await store.findOpenRequest('deploy-bot', request.planDigest)).toBeNull();
    await store.createGrant(sampleGrant('grant-1'));
    expect(await store.listGrants({ agentId: 'deploy-bot', statuses: ['pending'] })).toHaveLength(1);
    expect((await store.changesSince(0)).lastSeq).toBe(3);
    await store.putHumanCredential({ humanId: 'alice', passwordHash: 'h', updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(await store.getHumanCredential('alice')).toMatchObject({ passwordHash: 'h' });
    await store.putHumanToken({ id: 't', humanId: 'alice', tokenHash: 'hth', createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null });
    expect(await store.getHumanTokenByHash('hth')).toMatchObject({ id: 't' });
    expect(await store.revokeHumanToken('t', '2026-01-02T00:00:00.000Z')).toBe(true);
    await store.putSession({
      idHash: 's',
      humanId: 'alice',
      csrf: 'c',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-02T00:00:00.000Z',
    });
    expect(await store.getSession('s')).toMatchObject({ csrf: 'c' });
    await store.deleteSession('s');
    await store.close();
    expect(seen).toEqual({ kyselyLoads: 0, migrationRuns: 0 });
  });

  it('migrates a new database with Kysely once; later opens skip it', async () => {
    const path = join(dir, 'new.db');
    const first = await SqliteStore.open({ path });
    await first.migrate();
    expect(seen.migrationRuns).toBe(1);
    expect(seen.kyselyLoads).toBe(1);
    await first.close();
    const again = await SqliteStore.open({ path });
    await again.migrate();
    expect(seen.migrationRuns).toBe(1);
    expect(await again.auditHead()).toBeNull();
    await again.close();
  });

  it('serializes concurrent migrate calls and queries on one connection while migrating', async () => {
    const store = await SqliteStore.open({ path: join(dir, 'busy.db') });
    const before = seen.migrationRuns;
    const [, , head, appended] = await Promise.all([
      store.migrate(),
      store.migrate(),
      store.auditHead(),
      store.appendAudit(() => ({
        seq: 1,
        ts: '2026-01-01T00:00:00.000Z',
        type: 'decision',
        payload: {},
        prevHash: '0'.repeat(64),
        hash: 'b'.repeat(64),
      })),
      store.migrate(),
    ]);
    expect(seen.migrationRuns - before).toBe(1);
    expect(head).toBeNull();
    expect(appended.seq).toBe(1);
    expect((await store.readAudit({})).map((e) => e.seq)).toEqual([1]);
    await store.close();
  });

  it('fails with STORE_FAILURE on a database migrated by a newer Airlock (an unknown migration)', async () => {
    const path = join(dir, 'newer.db');
    const store = await SqliteStore.open({ path });
    await store.migrate();
    const raw = new Database(path);
    raw.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('9999_from_the_future', new Date().toISOString());
    raw.close();
    await expect(store.migrate()).rejects.toMatchObject({ code: 'STORE_FAILURE', message: expect.stringContaining('migrate') });
    await store.close();
  });

  // Last in this file: it loads Kysely and runs the Migrator, which the tests above count.
  it('upgrades a database at 0001 holding audit entries and agents to 0002, keeping them', async () => {
    const path = join(dir, 'old.db');
    const { Kysely, Migrator, SqliteDialect } = await import('kysely');
    const { SQLITE_MIGRATIONS } = await import('./sqlite-migrations.js');
    const raw = new Database(path);
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
    const onlyFirst = { '0001_audit_and_agents': SQLITE_MIGRATIONS['0001_audit_and_agents'] };
    const { error } = await new Migrator({ db: kysely, provider: { getMigrations: async () => onlyFirst } }).migrateToLatest();
    expect(error).toBeUndefined();
    await kysely.destroy();

    // Written by the store on the 0001 schema (the audit and agent statements need nothing newer).
    const hasher = new NodeHasher();
    let t = Date.parse('2026-01-01T00:00:00.000Z');
    const old = await SqliteStore.open({ path });
    const log = new AuditLog({ store: old, hasher, clock: { now: () => new Date((t += 1000)) } });
    for (let i = 0; i < 5; i++) await log.append('decision', { i });
    await old.putAgent({ id: 'x', roles: ['ops'], tokenHash: 'th', createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null });
    const before = await old.readAudit({});
    await old.close();
    const tables = (p: string) => {
      const db = new Database(p, { readonly: true });
      try {
        return db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
          .all()
          .map((r) => (r as { name: string }).name);
      } finally {
        db.close();
      }
    };
    expect(tables(path)).not.toContain('requests');

    const store = await SqliteStore.open({ path });
    await store.migrate();
    expect(tables(path)).toEqual(
      expect.arrayContaining(['audit_log', 'agents', 'requests', 'grants', 'human_credentials', 'human_tokens', 'sessions']),
    );
    const after = await store.readAudit({});
    expect(after).toEqual(before);
    expect(verifyChain(after, hasher)).toMatchObject({ ok: true, size: 5 });
    expect(await store.getAgentByTokenHash('th')).toMatchObject({ id: 'x', roles: ['ops'] });
    expect((await new AuditLog({ store, hasher, clock: { now: () => new Date((t += 1000)) } }).append('decision', { i: 5 })).seq).toBe(6);
    await store.createRequest(sampleRequest('req-1'));
    expect((await store.getRequest('req-1'))?.value).toEqual(sampleRequest('req-1'));
    await store.close();

    const check = new Database(path, { readonly: true });
    const applied = check
      .prepare('SELECT name FROM kysely_migration ORDER BY name')
      .all()
      .map((r) => (r as { name: string }).name);
    check.close();
    expect(applied).toEqual(['0001_audit_and_agents', '0002_approvals']);
  });

  it('a closed store fails with STORE_FAILURE, migrate included', async () => {
    const store = await SqliteStore.open({ path: join(dir, 'closed.db') });
    await store.close();
    await expect(store.migrate()).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    await expect(store.listAgents()).rejects.toMatchObject({ code: 'STORE_FAILURE' });
  });
});
