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

  it('a closed store fails with STORE_FAILURE, migrate included', async () => {
    const store = await SqliteStore.open({ path: join(dir, 'closed.db') });
    await store.close();
    await expect(store.migrate()).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    await expect(store.listAgents()).rejects.toMatchObject({ code: 'STORE_FAILURE' });
  });
});
