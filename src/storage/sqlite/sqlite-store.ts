/**
 * The Store port on SQLite (better-sqlite3): the embedded default, one file, WAL,
 * synchronous=FULL. Audit appends are one IMMEDIATE transaction, so appends from several
 * connections or processes on the same file are serialized and the chain never forks.
 *
 * Every `airlock` command is a new process, so start-up cost counts: the queries run as prepared
 * better-sqlite3 statements, typed by hand against {@link SqliteSchema} (rows are still parsed with
 * Zod), and Kysely, which costs about 100 ms to import, is loaded only to migrate a database that
 * is not at the latest schema (docs/decisions/0003-store-hot-path.md).
 */
import Database from 'better-sqlite3';
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

/** The tables and their row types: what the statements below read and write, and what the migrations create. */
export interface SqliteSchema {
  audit_log: AuditRow;
  agents: AgentRow;
}

/**
 * Names of the migrations in sqlite-migrations.ts, in order: a database that has applied exactly
 * these is current, and opening it never loads Kysely. Add a migration's name here when adding it.
 */
const MIGRATION_NAMES = ['0001_audit_and_agents'] as const;

/** The name of one schema migration (sqlite-migrations.ts must define exactly these). */
export type SqliteMigrationName = (typeof MIGRATION_NAMES)[number];

/** Every column of a table, listed in full: a compile error when a column is added to the row type and not here. */
type Columns<Row> = readonly (keyof Row & string)[];
function columns<Row>() {
  return <const C extends Columns<Row>>(list: C & ([Exclude<keyof Row, C[number]>] extends [never] ? unknown : never)): string =>
    list.join(', ');
}
const AUDIT_COLUMNS = columns<SqliteSchema['audit_log']>()(['seq', 'ts', 'type', 'payload', 'prev_hash', 'hash']);
const AGENT_COLUMNS = columns<SqliteSchema['agents']>()(['id', 'roles', 'token_hash', 'created_at', 'revoked_at']);

/**
 * The statements, typed by hand: parameters in, and `unknown` rows out (every row is parsed with
 * Zod in rows.ts before use). Named parameters are bound from objects typed by the row types.
 */
const SQL = {
  auditHead: `SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`,
  // LIMIT -1 is SQLite's "no limit".
  readAudit: `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq >= @fromSeq ORDER BY seq ASC LIMIT @limit`,
  insertAudit: `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (@seq, @ts, @type, @payload, @prev_hash, @hash)`,
  putAgent:
    `INSERT INTO agents (${AGENT_COLUMNS}) VALUES (@id, @roles, @token_hash, @created_at, @revoked_at) ` +
    'ON CONFLICT (id) DO UPDATE SET roles = excluded.roles, token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = excluded.revoked_at',
  agentByTokenHash: `SELECT ${AGENT_COLUMNS} FROM agents WHERE token_hash = @token_hash`,
  listAgents: `SELECT ${AGENT_COLUMNS} FROM agents ORDER BY created_at ASC, id ASC`,
  revokeAgent: 'UPDATE agents SET revoked_at = @revoked_at WHERE id = @id AND revoked_at IS NULL',
  migrationTable: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'",
  appliedMigrations: 'SELECT name FROM kysely_migration ORDER BY name',
} as const;

/** Parameters of each statement (none where absent). */
interface Params {
  readAudit: { readonly fromSeq: number; readonly limit: number };
  insertAudit: SqliteSchema['audit_log'];
  putAgent: SqliteSchema['agents'];
  agentByTokenHash: Pick<SqliteSchema['agents'], 'token_hash'>;
  revokeAgent: { readonly id: string; readonly revoked_at: string };
}
type StatementName = keyof typeof SQL;
type Statement<N extends StatementName> = N extends keyof Params
  ? Database.Statement<[Params[N]], unknown>
  : Database.Statement<[], unknown>;

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
  readonly #db: Database.Database;
  readonly #statements = new Map<StatementName, Database.Statement>();
  /** Set while Kysely migrates on this connection: other calls wait, so they cannot run inside its transaction. */
  #migrating: Promise<void> | null = null;
  #closed = false;

  private constructor(db: Database.Database) {
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
      return new SqliteStore(raw);
    } catch (err) {
      raw?.close();
      throw storeFailure(NAME, `open ${options.path}`, err);
    }
  }

  /**
   * Creates or upgrades the schema. Idempotent. A database that has applied exactly the known
   * migrations is left alone after one cheap query; otherwise Kysely's Migrator runs them (loaded on
   * demand), retried when another process migrates at the same moment. A database migrated by a
   * newer Airlock (unknown migrations) fails with STORE_FAILURE.
   */
  async migrate(): Promise<void> {
    // Check and start in one synchronous step, so that two concurrent calls never both migrate.
    while (this.#migrating !== null) await this.#migrating;
    if (this.#run('migrate', () => this.#isCurrent())) return;
    const run = this.#migrateWithKysely().finally(() => {
      this.#migrating = null;
    });
    this.#migrating = run.then(
      () => undefined,
      () => undefined,
    );
    await run;
  }

  /**
   * Appends under BEGIN IMMEDIATE: the write lock is taken before the head is read, so no other
   * connection can append between reading the head and writing the entry. The entry returned by
   * `link` must extend the head (seq = head + 1, prevHash = head hash); otherwise INTERNAL.
   */
  async appendAudit(link: (head: AuditEntry | null) => AuditEntry): Promise<AuditEntry> {
    while (this.#migrating !== null) await this.#migrating;
    const fromLink: { error?: unknown } = {};
    try {
      this.#checkOpen();
      // Synchronous from BEGIN to COMMIT: nothing else on this connection runs in between.
      const append = this.#db.transaction((): AuditEntry => {
        const headRow = this.#statement('auditHead').get();
        const head = headRow === undefined ? null : parseAuditRow(headRow, NAME, 'appendAudit');
        let entry: AuditEntry;
        try {
          entry = link(head);
        } catch (err) {
          fromLink.error = err;
          throw err;
        }
        this.#statement('insertAudit').run(toAuditRow(entry, head));
        return entry;
      });
      return append.immediate();
    } catch (err) {
      if ('error' in fromLink && err === fromLink.error) throw err;
      throw storeFailure(NAME, 'appendAudit', err);
    }
  }

  /** Entries with seq >= fromSeq (default 1), ascending, at most `limit` (default all). BAD_INPUT for a non-integer or negative option. */
  async readAudit(options: { readonly fromSeq?: number; readonly limit?: number }): Promise<readonly AuditEntry[]> {
    const parsed = readOptionsSchema.safeParse(options);
    if (!parsed.success) throw new AirlockError({ code: 'BAD_INPUT', message: `${NAME}: readAudit: ${z.prettifyError(parsed.error)}` });
    const { fromSeq = 1, limit = -1 } = parsed.data;
    return this.#whenReady('readAudit', () =>
      this.#statement('readAudit')
        .all({ fromSeq, limit })
        .map((r) => parseAuditRow(r, NAME, 'readAudit')),
    );
  }

  /** The entry with the highest seq, or null for an empty log. */
  async auditHead(): Promise<AuditEntry | null> {
    return this.#whenReady('auditHead', () => {
      const row = this.#statement('auditHead').get();
      return row === undefined ? null : parseAuditRow(row, NAME, 'auditHead');
    });
  }

  /** Inserts the agent, or replaces every field of the agent with the same id. BAD_INPUT for an invalid record. */
  async putAgent(agent: AgentRecord): Promise<void> {
    checkAgent(agent, NAME);
    const row: AgentRow = {
      id: agent.id,
      roles: JSON.stringify(agent.roles),
      token_hash: agent.tokenHash,
      created_at: agent.createdAt,
      revoked_at: agent.revokedAt,
    };
    await this.#whenReady('putAgent', () => this.#statement('putAgent').run(row));
  }

  /** The agent whose token hashes to `tokenHash`, revoked or not (callers check `revokedAt`), or null. */
  async getAgentByTokenHash(tokenHash: string): Promise<AgentRecord | null> {
    return this.#whenReady('getAgentByTokenHash', () => {
      const row = this.#statement('agentByTokenHash').get({ token_hash: tokenHash });
      return row === undefined ? null : parseAgentRow(row, NAME, 'getAgentByTokenHash');
    });
  }

  /** Every agent, revoked ones included, by creation time then id. */
  async listAgents(): Promise<readonly AgentRecord[]> {
    return this.#whenReady('listAgents', () =>
      this.#statement('listAgents')
        .all()
        .map((r) => parseAgentRow(r, NAME, 'listAgents')),
    );
  }

  /** Marks an active agent revoked at `at`. True when it was active; false when unknown or already revoked (the first time is kept). */
  async revokeAgent(id: string, at: string): Promise<boolean> {
    return this.#whenReady('revokeAgent', () => this.#statement('revokeAgent').run({ id, revoked_at: at }).changes > 0);
  }

  /** Closes the database. Idempotent; later calls to other methods fail with STORE_FAILURE. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#migrating !== null) await this.#migrating;
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    try {
      this.#db.close();
    } catch (err) {
      throw storeFailure(NAME, 'close', err);
    }
  }

  /**
   * Runs `fn` once no migration is in progress on this connection. The wait and the run are one
   * synchronous step, so a migration cannot start in between; without a migration there is no wait.
   */
  async #whenReady<T>(op: string, fn: () => T): Promise<T> {
    while (this.#migrating !== null) await this.#migrating;
    return this.#run(op, fn);
  }

  /** Runs `fn` on the open database; any error becomes STORE_FAILURE naming `op` (AirlockErrors pass through). */
  #run<T>(op: string, fn: () => T): T {
    try {
      this.#checkOpen();
      return fn();
    } catch (err) {
      throw storeFailure(NAME, op, err);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the store is closed');
  }

  /** The prepared statement, prepared on first use (the tables may not exist before `migrate`). */
  #statement<N extends StatementName>(name: N): Statement<N> {
    let statement = this.#statements.get(name);
    if (statement === undefined) {
      statement = this.#db.prepare(SQL[name]);
      this.#statements.set(name, statement);
    }
    return statement as Statement<N>;
  }

  /** True when the database has applied exactly the known migrations, in a single read. */
  #isCurrent(): boolean {
    if (this.#statement('migrationTable').get() === undefined) return false;
    const applied = this.#statement('appliedMigrations')
      .all()
      .map((r) => (r as { name?: unknown }).name);
    return applied.length === MIGRATION_NAMES.length && MIGRATION_NAMES.every((name, i) => applied[i] === name);
  }

  async #migrateWithKysely(): Promise<void> {
    let migrateSqliteToLatest: typeof import('./sqlite-migrations.js')['migrateSqliteToLatest'];
    try {
      ({ migrateSqliteToLatest } = await import('./sqlite-migrations.js'));
    } catch (err) {
      throw storeFailure(NAME, 'migrate', err);
    }
    for (let attempt = 1; ; attempt++) {
      const { error } = await migrateSqliteToLatest(this.#db);
      if (error === undefined) {
        // Statements prepared before the schema changed are dropped; better-sqlite3 re-prepares on use anyway.
        this.#statements.clear();
        return;
      }
      if (attempt >= 5 || !isBusy(error)) throw storeFailure(NAME, 'migrate', error);
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/** Checks that the linked entry extends `head` and turns it into a row (payload as canonical JSON). */
function toAuditRow(entry: AuditEntry, head: AuditEntry | null): AuditRow {
  const shape = linkedEntrySchema.safeParse(entry);
  if (!shape.success) {
    throw new AirlockError({
      code: 'INTERNAL',
      message: `${NAME}: appendAudit: the linked entry is invalid: ${z.prettifyError(shape.error)}`,
    });
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
    throw new AirlockError({
      code: 'INTERNAL',
      message: `${NAME}: appendAudit: the payload is not JSON data: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
  return { seq: entry.seq, ts: entry.ts, type: entry.type, payload, prev_hash: entry.prevHash, hash: entry.hash };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
