/**
 * The Store port on SQLite (better-sqlite3 through Kysely): the embedded default, one file, WAL,
 * synchronous=FULL. Audit appends are one IMMEDIATE transaction, so appends from several
 * connections or processes on the same file are serialized and the chain never forks.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import { z } from 'zod';
import { GENESIS_HASH } from '../../core/audit-log.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { AirlockError } from '../../core/errors.js';
import type { AgentRecord, AuditEntry, Store } from '../../core/ports.js';
import { AUDIT_EVENT_TYPES, checkAgent, parseAgentRow, parseAuditRow, storeFailure, type AgentRow, type AuditRow } from '../rows.js';

const NAME = 'SQLite store';

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Database file (created if missing), or `:memory:` for a private in-memory database. */
  readonly path: string;
  /** How long a write waits for another connection's lock before failing with STORE_FAILURE. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** The tables, as Kysely sees them. */
export interface SqliteSchema {
  audit_log: AuditRow;
  agents: AgentRow;
}

/** Schema migrations, in order. Never edit a released one; add the next. */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
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
      await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`.execute(db);
      await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`.execute(db);
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
};

const migrationProvider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

const linkedEntrySchema = z.object({
  seq: z.number().int().positive(),
  ts: z.string().min(1),
  type: z.enum(AUDIT_EVENT_TYPES),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

const readOptionsSchema = z.object({
  fromSeq: z.number().int().min(1).optional(),
  limit: z.number().int().min(0).optional(),
});

/**
 * SQLite implementation of `Store`. Every method rejects with AirlockError('STORE_FAILURE', naming
 * the operation) on database errors and on rows that fail validation; errors thrown by an
 * `appendAudit` link callback are passed through unchanged, with nothing written.
 */
export class SqliteStore implements Store {
  readonly #db: Kysely<SqliteSchema>;
  #closed = false;

  private constructor(db: Kysely<SqliteSchema>) {
    this.#db = db;
  }

  /**
   * Opens (creating if needed) the database file with WAL, synchronous=FULL and a busy timeout.
   * Does not migrate: call `migrate()`. Fails with STORE_FAILURE when the file cannot be opened.
   */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    let raw: Database.Database | undefined;
    try {
      raw = new Database(options.path, { timeout: busyTimeoutMs });
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = FULL');
      raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      raw.pragma('foreign_keys = ON');
      return new SqliteStore(new Kysely<SqliteSchema>({ dialect: new SqliteDialect({ database: raw }) }));
    } catch (err) {
      raw?.close();
      throw storeFailure(NAME, `open ${options.path}`, err);
    }
  }

  /** Creates or upgrades the schema (Kysely Migrator, in-code migrations). Idempotent; retried when another process migrates at the same moment. */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.#db, provider: migrationProvider });
    for (let attempt = 1; ; attempt++) {
      const { error } = await migrator.migrateToLatest();
      if (error === undefined) return;
      if (attempt >= 5 || !isBusy(error)) throw storeFailure(NAME, 'migrate', error);
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }

  /**
   * Appends under BEGIN IMMEDIATE: the write lock is taken before the head is read, so no other
   * connection can append between reading the head and writing the entry. The entry returned by
   * `link` must extend the head (seq = head + 1, prevHash = head hash); otherwise INTERNAL.
   */
  async appendAudit(link: (head: AuditEntry | null) => AuditEntry): Promise<AuditEntry> {
    const fromLink: { error?: unknown } = {};
    try {
      return await this.#db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const headRow = await conn.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
          const head = headRow === undefined ? null : parseAuditRow(headRow, NAME, 'appendAudit');
          let entry: AuditEntry;
          try {
            entry = link(head);
          } catch (err) {
            fromLink.error = err;
            throw err;
          }
          const row = toAuditRow(entry, head);
          await conn.insertInto('audit_log').values(row).execute();
          await sql`COMMIT`.execute(conn);
          return entry;
        } catch (err) {
          await sql`ROLLBACK`.execute(conn).catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      if ('error' in fromLink && err === fromLink.error) throw err;
      throw storeFailure(NAME, 'appendAudit', err);
    }
  }

  /** Entries with seq >= fromSeq (default 1), ascending, at most `limit` (default all). BAD_INPUT for a non-integer or negative option. */
  async readAudit(options: { readonly fromSeq?: number; readonly limit?: number }): Promise<readonly AuditEntry[]> {
    const parsed = readOptionsSchema.safeParse(options);
    if (!parsed.success) throw new AirlockError({ code: 'BAD_INPUT', message: `${NAME}: readAudit: ${z.prettifyError(parsed.error)}` });
    const { fromSeq = 1, limit } = parsed.data;
    try {
      let query = this.#db.selectFrom('audit_log').selectAll().where('seq', '>=', fromSeq).orderBy('seq', 'asc');
      if (limit !== undefined) query = query.limit(limit);
      const rows = await query.execute();
      return rows.map((r) => parseAuditRow(r, NAME, 'readAudit'));
    } catch (err) {
      throw storeFailure(NAME, 'readAudit', err);
    }
  }

  /** The entry with the highest seq, or null for an empty log. */
  async auditHead(): Promise<AuditEntry | null> {
    try {
      const row = await this.#db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row === undefined ? null : parseAuditRow(row, NAME, 'auditHead');
    } catch (err) {
      throw storeFailure(NAME, 'auditHead', err);
    }
  }

  /** Inserts the agent, or replaces every field of the agent with the same id. BAD_INPUT for an invalid record. */
  async putAgent(agent: AgentRecord): Promise<void> {
    checkAgent(agent, NAME);
    const row: AgentRow = { id: agent.id, roles: JSON.stringify(agent.roles), token_hash: agent.tokenHash, created_at: agent.createdAt, revoked_at: agent.revokedAt };
    try {
      await this.#db
        .insertInto('agents')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ roles: row.roles, token_hash: row.token_hash, created_at: row.created_at, revoked_at: row.revoked_at }))
        .execute();
    } catch (err) {
      throw storeFailure(NAME, 'putAgent', err);
    }
  }

  /** The agent whose token hashes to `tokenHash`, revoked or not (callers check `revokedAt`), or null. */
  async getAgentByTokenHash(tokenHash: string): Promise<AgentRecord | null> {
    try {
      const row = await this.#db.selectFrom('agents').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row === undefined ? null : parseAgentRow(row, NAME, 'getAgentByTokenHash');
    } catch (err) {
      throw storeFailure(NAME, 'getAgentByTokenHash', err);
    }
  }

  /** Every agent, revoked ones included, by creation time then id. */
  async listAgents(): Promise<readonly AgentRecord[]> {
    try {
      const rows = await this.#db.selectFrom('agents').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
      return rows.map((r) => parseAgentRow(r, NAME, 'listAgents'));
    } catch (err) {
      throw storeFailure(NAME, 'listAgents', err);
    }
  }

  /** Marks an active agent revoked at `at`. True when it was active; false when unknown or already revoked (the first time is kept). */
  async revokeAgent(id: string, at: string): Promise<boolean> {
    try {
      const result = await this.#db.updateTable('agents').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    } catch (err) {
      throw storeFailure(NAME, 'revokeAgent', err);
    }
  }

  /** Closes the database. Idempotent; later calls to other methods fail with STORE_FAILURE. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#db.destroy();
    } catch (err) {
      throw storeFailure(NAME, 'close', err);
    }
  }
}

/** Checks that the linked entry extends `head` and turns it into a row (payload as canonical JSON). */
function toAuditRow(entry: AuditEntry, head: AuditEntry | null): AuditRow {
  const shape = linkedEntrySchema.safeParse(entry);
  if (!shape.success) {
    throw new AirlockError({ code: 'INTERNAL', message: `${NAME}: appendAudit: the linked entry is invalid: ${z.prettifyError(shape.error)}` });
  }
  const wantSeq = head === null ? 1 : head.seq + 1;
  const wantPrev = head === null ? GENESIS_HASH : head.hash;
  if (entry.seq !== wantSeq || entry.prevHash !== wantPrev) {
    throw new AirlockError({
      code: 'INTERNAL',
      message: `${NAME}: appendAudit: the linked entry (seq ${entry.seq}) does not extend the head (seq ${wantSeq - 1}); the chain would fork`,
    });
  }
  let payload: string;
  try {
    payload = canonicalJson(entry.payload);
  } catch (err) {
    throw new AirlockError({ code: 'INTERNAL', message: `${NAME}: appendAudit: the payload is not JSON data: ${err instanceof Error ? err.message : String(err)}`, cause: err });
  }
  return { seq: entry.seq, ts: entry.ts, type: entry.type, payload, prev_hash: entry.prevHash, hash: entry.hash };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
