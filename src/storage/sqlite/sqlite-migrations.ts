/**
 * The SQLite schema migrations, written with Kysely's schema builder. Loaded only when a database
 * is not yet at the latest version (SqliteStore.migrate imports this module on demand), so that an
 * ordinary start-up does not pay for importing Kysely; see docs/decisions/0003-store-hot-path.md.
 */
import { Migrator, SqliteDialect, Kysely, sql, type Migration } from 'kysely';
import type Database from 'better-sqlite3';
import type { SqliteMigrationName } from './sqlite-store.js';

/**
 * Schema migrations, by name, applied in name order. Never edit a released one; add the next, and
 * add its name to the store's list (the `satisfies` below fails to compile until both agree).
 */
export const SQLITE_MIGRATIONS = {
  '0001_audit_and_agents': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', (c) => c.primaryKey().notNull())
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .execute();
      // Defence in depth: ordinary SQL cannot rewrite the log. Someone with the file can drop these,
      // which is why verification rests on hashes and signed tree heads, not on the triggers.
      await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`.execute(
        db,
      );
      await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`.execute(
        db,
      );
      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
    },
  },
  /**
   * Approval requests and grants (each row's `body` is the whole record as JSON; the other columns
   * are copies of its fields for querying), human passwords, personal tokens and web sessions.
   *
   * `change_seq` is one counter over requests AND grants: every insert and update sets it to
   * 1 + the highest value in either table, computed inside that same statement. A write statement
   * holds SQLite's single write lock from its start, so two writers (connections or processes)
   * never compute the same value, and the counter strictly increases with every write. The unique
   * indexes on it turn a bug that broke this into a failed write instead of a missed change.
   */
  '0002_approvals': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('plan_digest', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('change_seq', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('requests_status').on('requests').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('requests_agent_digest').on('requests').columns(['agent_id', 'plan_digest']).execute();
      await db.schema.createIndex('requests_change_seq').on('requests').column('change_seq').unique().execute();
      await db.schema.createIndex('requests_created_at').on('requests').columns(['created_at', 'id']).execute();

      await db.schema
        .createTable('grants')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('change_seq', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('until', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('grants_status').on('grants').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('grants_agent_status').on('grants').columns(['agent_id', 'status']).execute();
      await db.schema.createIndex('grants_change_seq').on('grants').column('change_seq').unique().execute();
      await db.schema.createIndex('grants_created_at').on('grants').columns(['created_at', 'id']).execute();

      await db.schema
        .createTable('human_credentials')
        .addColumn('human_id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('human_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey().notNull())
        .addColumn('human_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('human_tokens_human').on('human_tokens').column('human_id').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey().notNull())
        .addColumn('human_id', 'text', (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
} as const satisfies Readonly<Record<SqliteMigrationName, Migration>>;

/**
 * Brings the database on `raw` to the latest schema with Kysely's Migrator (which records applied
 * migrations in `kysely_migration` and takes its lock table against concurrent migrators).
 * Resolves with the Migrator's error, if any, rather than throwing. The Kysely instance is not
 * destroyed: that would close `raw`, which the store keeps using.
 */
export async function migrateSqliteToLatest(raw: Database.Database): Promise<{ readonly error?: unknown }> {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...SQLITE_MIGRATIONS }) } });
  const { error } = await migrator.migrateToLatest();
  return error === undefined ? {} : { error };
}
