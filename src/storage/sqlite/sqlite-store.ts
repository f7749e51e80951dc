/**
 * The Store port on SQLite (better-sqlite3): the embedded default, one file, WAL,
 * synchronous=FULL. Audit appends are one IMMEDIATE transaction, so appends from several
 * connections or processes on the same file are serialized and the chain never forks.
 *
 * Requests and grants are stored as JSON bodies beside the columns queries need. Every write to
 * them is one statement, and a write statement holds SQLite's single write lock from its start: so
 * `updateRequest`/`updateGrant` are compare-and-set (`UPDATE … WHERE id = @id AND version =
 * @expected`, won when one row changed) across connections and processes, and the change counter
 * `change_seq` (1 + the highest over both tables, computed in the same statement) strictly
 * increases with every write.
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
import { type ApprovalRequest, REQUEST_STATUSES, type RequestStatus } from '../../core/approval.js';
import type { Grant } from '../../core/grant.js';
import type {
  AgentRecord,
  AuditEntry,
  HumanCredential,
  HumanToken,
  ListRequestsOptions,
  SessionRecord,
  Store,
  Stored,
} from '../../core/ports.js';
import {
  AUDIT_EVENT_TYPES,
  checkAgent,
  checkHumanCredential,
  checkHumanToken,
  checkSession,
  grantBody,
  parseAgentRow,
  parseAuditRow,
  parseGrantRow,
  parseHumanCredentialRow,
  parseHumanTokenRow,
  parseRequestRow,
  parseSessionRow,
  requestBody,
  storeFailure,
  type AgentRow,
  type AuditRow,
  type GrantRow,
  type HumanCredentialRow,
  type HumanTokenRow,
  type RequestRow,
  type SessionRow,
} from '../rows.js';

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
  requests: RequestRow;
  grants: GrantRow;
  human_credentials: HumanCredentialRow;
  human_tokens: HumanTokenRow;
  sessions: SessionRow;
}

/**
 * Names of the migrations in sqlite-migrations.ts, in order: a database that has applied exactly
 * these is current, and opening it never loads Kysely. Add a migration's name here when adding it.
 */
const MIGRATION_NAMES = ['0001_audit_and_agents', '0002_approvals'] as const;

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
const REQUEST_COLUMNS = columns<SqliteSchema['requests']>()([
  'id',
  'status',
  'agent_id',
  'plan_digest',
  'version',
  'change_seq',
  'created_at',
  'expires_at',
  'body',
]);
const GRANT_COLUMNS = columns<SqliteSchema['grants']>()([
  'id',
  'status',
  'agent_id',
  'version',
  'change_seq',
  'created_at',
  'until',
  'body',
]);
const HUMAN_CREDENTIAL_COLUMNS = columns<SqliteSchema['human_credentials']>()(['human_id', 'password_hash', 'updated_at']);
const HUMAN_TOKEN_COLUMNS = columns<SqliteSchema['human_tokens']>()(['id', 'human_id', 'token_hash', 'created_at', 'revoked_at']);
const SESSION_COLUMNS = columns<SqliteSchema['sessions']>()(['id_hash', 'human_id', 'csrf', 'created_at', 'expires_at']);

/**
 * The next change number, as a scalar subquery for the statement that writes: 1 + the highest over
 * requests and grants. The statement holds the write lock from its start, so no other writer can
 * take the same number (the unique indexes on change_seq would refuse it if one did).
 */
const NEXT_CHANGE_SEQ =
  '(SELECT 1 + max((SELECT coalesce(max(change_seq), 0) FROM requests), (SELECT coalesce(max(change_seq), 0) FROM grants)))';
/** Newest first: creation time, then id (ids sort by time). */
const NEWEST_FIRST = 'ORDER BY created_at DESC, id DESC LIMIT @limit';
/** Matches rows whose status is in the JSON array bound to @statuses. */
const STATUS_IN = 'status IN (SELECT value FROM json_each(@statuses))';

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
  // Requests. The statuses filter has its own statement so that the status index serves it.
  insertRequest:
    `INSERT INTO requests (${REQUEST_COLUMNS}) ` +
    `VALUES (@id, @status, @agent_id, @plan_digest, @version, ${NEXT_CHANGE_SEQ}, @created_at, @expires_at, @body) ` +
    'ON CONFLICT (id) DO NOTHING',
  getRequest: `SELECT ${REQUEST_COLUMNS} FROM requests WHERE id = @id`,
  listRequests: `SELECT ${REQUEST_COLUMNS} FROM requests ${NEWEST_FIRST}`,
  listRequestsByStatus: `SELECT ${REQUEST_COLUMNS} FROM requests WHERE ${STATUS_IN} ${NEWEST_FIRST}`,
  findOpenRequest:
    `SELECT ${REQUEST_COLUMNS} FROM requests WHERE agent_id = @agent_id AND plan_digest = @plan_digest ` +
    "AND status IN ('pending', 'approved') ORDER BY created_at DESC, id DESC LIMIT 1",
  updateRequest:
    'UPDATE requests SET status = @status, agent_id = @agent_id, plan_digest = @plan_digest, version = @version, ' +
    `change_seq = ${NEXT_CHANGE_SEQ}, created_at = @created_at, expires_at = @expires_at, body = @body ` +
    'WHERE id = @id AND version = @expected',
  requestsSince: `SELECT ${REQUEST_COLUMNS} FROM requests WHERE change_seq > @since ORDER BY change_seq ASC`,
  // Grants: one statement per filter combination, each served by an index.
  insertGrant:
    `INSERT INTO grants (${GRANT_COLUMNS}) ` +
    `VALUES (@id, @status, @agent_id, @version, ${NEXT_CHANGE_SEQ}, @created_at, @until, @body) ON CONFLICT (id) DO NOTHING`,
  getGrant: `SELECT ${GRANT_COLUMNS} FROM grants WHERE id = @id`,
  listGrants: `SELECT ${GRANT_COLUMNS} FROM grants ${NEWEST_FIRST}`,
  listGrantsByAgent: `SELECT ${GRANT_COLUMNS} FROM grants WHERE agent_id = @agent_id ${NEWEST_FIRST}`,
  listGrantsByStatus: `SELECT ${GRANT_COLUMNS} FROM grants WHERE ${STATUS_IN} ${NEWEST_FIRST}`,
  listGrantsByAgentAndStatus: `SELECT ${GRANT_COLUMNS} FROM grants WHERE agent_id = @agent_id AND ${STATUS_IN} ${NEWEST_FIRST}`,
  updateGrant:
    'UPDATE grants SET status = @status, agent_id = @agent_id, version = @version, ' +
    `change_seq = ${NEXT_CHANGE_SEQ}, created_at = @created_at, until = @until, body = @body ` +
    'WHERE id = @id AND version = @expected',
  grantsSince: `SELECT ${GRANT_COLUMNS} FROM grants WHERE change_seq > @since ORDER BY change_seq ASC`,
  lastChange:
    'SELECT max((SELECT coalesce(max(change_seq), 0) FROM requests), (SELECT coalesce(max(change_seq), 0) FROM grants)) AS last_seq',
  // Humans.
  putHumanCredential:
    `INSERT INTO human_credentials (${HUMAN_CREDENTIAL_COLUMNS}) VALUES (@human_id, @password_hash, @updated_at) ` +
    'ON CONFLICT (human_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at',
  getHumanCredential: `SELECT ${HUMAN_CREDENTIAL_COLUMNS} FROM human_credentials WHERE human_id = @human_id`,
  putHumanToken:
    `INSERT INTO human_tokens (${HUMAN_TOKEN_COLUMNS}) VALUES (@id, @human_id, @token_hash, @created_at, @revoked_at) ` +
    'ON CONFLICT (id) DO UPDATE SET human_id = excluded.human_id, token_hash = excluded.token_hash, ' +
    'created_at = excluded.created_at, revoked_at = excluded.revoked_at',
  humanTokenByHash: `SELECT ${HUMAN_TOKEN_COLUMNS} FROM human_tokens WHERE token_hash = @token_hash`,
  listHumanTokens: `SELECT ${HUMAN_TOKEN_COLUMNS} FROM human_tokens ORDER BY created_at ASC, id ASC`,
  listHumanTokensOf: `SELECT ${HUMAN_TOKEN_COLUMNS} FROM human_tokens WHERE human_id = @human_id ORDER BY created_at ASC, id ASC`,
  revokeHumanToken: 'UPDATE human_tokens SET revoked_at = @revoked_at WHERE id = @id AND revoked_at IS NULL',
  putSession:
    `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (@id_hash, @human_id, @csrf, @created_at, @expires_at) ` +
    'ON CONFLICT (id_hash) DO UPDATE SET human_id = excluded.human_id, csrf = excluded.csrf, ' +
    'created_at = excluded.created_at, expires_at = excluded.expires_at',
  getSession: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id_hash = @id_hash`,
  deleteSession: 'DELETE FROM sessions WHERE id_hash = @id_hash',
  deleteSessionsOf: 'DELETE FROM sessions WHERE human_id = @human_id',
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
  insertRequest: Omit<SqliteSchema['requests'], 'change_seq'>;
  getRequest: Pick<SqliteSchema['requests'], 'id'>;
  listRequests: Limit;
  listRequestsByStatus: Limit & StatusFilter;
  findOpenRequest: Pick<SqliteSchema['requests'], 'agent_id' | 'plan_digest'>;
  updateRequest: Omit<SqliteSchema['requests'], 'change_seq'> & Expected;
  requestsSince: Since;
  insertGrant: Omit<SqliteSchema['grants'], 'change_seq'>;
  getGrant: Pick<SqliteSchema['grants'], 'id'>;
  listGrants: Limit;
  listGrantsByAgent: Limit & Pick<SqliteSchema['grants'], 'agent_id'>;
  listGrantsByStatus: Limit & StatusFilter;
  listGrantsByAgentAndStatus: Limit & StatusFilter & Pick<SqliteSchema['grants'], 'agent_id'>;
  updateGrant: Omit<SqliteSchema['grants'], 'change_seq'> & Expected;
  grantsSince: Since;
  putHumanCredential: SqliteSchema['human_credentials'];
  getHumanCredential: Pick<SqliteSchema['human_credentials'], 'human_id'>;
  putHumanToken: SqliteSchema['human_tokens'];
  humanTokenByHash: Pick<SqliteSchema['human_tokens'], 'token_hash'>;
  listHumanTokensOf: Pick<SqliteSchema['human_tokens'], 'human_id'>;
  revokeHumanToken: { readonly id: string; readonly revoked_at: string };
  putSession: SqliteSchema['sessions'];
  getSession: Pick<SqliteSchema['sessions'], 'id_hash'>;
  deleteSession: Pick<SqliteSchema['sessions'], 'id_hash'>;
  deleteSessionsOf: Pick<SqliteSchema['sessions'], 'human_id'>;
}
interface Limit {
  readonly limit: number;
}
/** Statuses as a JSON array of strings (read with json_each). */
interface StatusFilter {
  readonly statuses: string;
}
/** The version a compare-and-set expects to find. */
interface Expected {
  readonly expected: number;
}
interface Since {
  readonly since: number;
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

const statusesSchema = z.array(z.enum(REQUEST_STATUSES)).optional();
const limitSchema = z.number().int().min(0).optional();
const listRequestsSchema = z.object({ statuses: statusesSchema, limit: limitSchema });
const sinceSchema = z.number().int().min(0);
const listGrantsSchema = z.object({ agentId: z.string().min(1).optional(), statuses: statusesSchema, limit: limitSchema });
/** Lists return at most this many rows unless the caller says otherwise. */
const DEFAULT_LIMIT = 100;

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

  /**
   * Stores a new request under its id, as given (the ApprovalService creates them at version 1),
   * with the next change number. CONFLICT when a request with that id exists (it is left as it
   * was); BAD_INPUT for a request that lacks the fields the store relies on.
   */
  async createRequest(request: ApprovalRequest): Promise<void> {
    const row = toRequestRow(request, 'createRequest');
    await this.#whenReady('createRequest', () => {
      if (this.#statement('insertRequest').run(row).changes === 0) throw conflict('createRequest', `request ${request.id} already exists`);
    });
  }

  /** The request with this id and the change number of its last write, or null. */
  async getRequest(id: string): Promise<Stored<ApprovalRequest> | null> {
    return this.#whenReady('getRequest', () => {
      const row = this.#statement('getRequest').get({ id });
      return row === undefined ? null : parseRequestRow(row, NAME, 'getRequest');
    });
  }

  /**
   * Requests, newest first (by creation time, then id), at most `limit` (default 100); with
   * `statuses`, only those in one of them (filtered in SQL; an empty list matches none).
   * BAD_INPUT for an unknown status or a negative or fractional limit.
   */
  async listRequests(options: ListRequestsOptions = {}): Promise<readonly Stored<ApprovalRequest>[]> {
    const { statuses, limit = DEFAULT_LIMIT } = parseOptions(listRequestsSchema, options, 'listRequests');
    return this.#whenReady('listRequests', () => {
      const rows =
        statuses === undefined
          ? this.#statement('listRequests').all({ limit })
          : this.#statement('listRequestsByStatus').all({ limit, statuses: JSON.stringify(statuses) });
      return rows.map((r) => parseRequestRow(r, NAME, 'listRequests'));
    });
  }

  /** The newest request by `agentId` for `planDigest` whose stored status is pending or approved, or null. */
  async findOpenRequest(agentId: string, planDigest: string): Promise<Stored<ApprovalRequest> | null> {
    return this.#whenReady('findOpenRequest', () => {
      const row = this.#statement('findOpenRequest').get({ agent_id: agentId, plan_digest: planDigest });
      return row === undefined ? null : parseRequestRow(row, NAME, 'findOpenRequest');
    });
  }

  /**
   * Compare-and-set in one statement (`UPDATE … WHERE id = @id AND version = @expected`): writes
   * `next`, with the next change number, only if the stored version is `expectedVersion`. True
   * when it wrote; false when the version moved on or no request has that id. Of any number of
   * callers with the same `expectedVersion`, on any connection or process, exactly one wins.
   * BAD_INPUT unless `next.version` is `expectedVersion + 1`.
   */
  async updateRequest(next: ApprovalRequest, expectedVersion: number): Promise<boolean> {
    checkNextVersion(next.version, expectedVersion, 'updateRequest');
    const row = { ...toRequestRow(next, 'updateRequest'), expected: expectedVersion };
    return this.#whenReady('updateRequest', () => this.#statement('updateRequest').run(row).changes === 1);
  }

  /**
   * Stores a new grant under its id, as given, with the next change number. CONFLICT when a grant
   * with that id exists; BAD_INPUT for a grant that lacks the fields the store relies on.
   */
  async createGrant(grant: Grant): Promise<void> {
    const row = toGrantRow(grant, 'createGrant');
    await this.#whenReady('createGrant', () => {
      if (this.#statement('insertGrant').run(row).changes === 0) throw conflict('createGrant', `grant ${grant.id} already exists`);
    });
  }

  /** The grant with this id and the change number of its last write, or null. */
  async getGrant(id: string): Promise<Stored<Grant> | null> {
    return this.#whenReady('getGrant', () => {
      const row = this.#statement('getGrant').get({ id });
      return row === undefined ? null : parseGrantRow(row, NAME, 'getGrant');
    });
  }

  /**
   * Grants, newest first, at most `limit` (default 100); `agentId` keeps those elevating that
   * agent and `statuses` those in one of the statuses (both in SQL). BAD_INPUT for bad options.
   */
  async listGrants(
    options: { readonly agentId?: string; readonly statuses?: readonly RequestStatus[]; readonly limit?: number } = {},
  ): Promise<readonly Stored<Grant>[]> {
    const { agentId, statuses, limit = DEFAULT_LIMIT } = parseOptions(listGrantsSchema, options, 'listGrants');
    return this.#whenReady('listGrants', () => {
      const inStatuses = statuses === undefined ? undefined : JSON.stringify(statuses);
      let rows: unknown[];
      if (agentId === undefined) {
        rows =
          inStatuses === undefined
            ? this.#statement('listGrants').all({ limit })
            : this.#statement('listGrantsByStatus').all({ limit, statuses: inStatuses });
      } else {
        rows =
          inStatuses === undefined
            ? this.#statement('listGrantsByAgent').all({ limit, agent_id: agentId })
            : this.#statement('listGrantsByAgentAndStatus').all({ limit, agent_id: agentId, statuses: inStatuses });
      }
      return rows.map((r) => parseGrantRow(r, NAME, 'listGrants'));
    });
  }

  /** Compare-and-set in one statement, as {@link updateRequest}. BAD_INPUT unless `next.version` is `expectedVersion + 1`. */
  async updateGrant(next: Grant, expectedVersion: number): Promise<boolean> {
    checkNextVersion(next.version, expectedVersion, 'updateGrant');
    const row = { ...toGrantRow(next, 'updateGrant'), expected: expectedVersion };
    return this.#whenReady('updateGrant', () => this.#statement('updateGrant').run(row).changes === 1);
  }

  /**
   * Requests and grants whose last write has a change number above `sinceSeq`, each in ascending
   * change order, and `lastSeq`: the highest change number in the store (0 before any write),
   * whatever `sinceSeq` is. The three reads share one read transaction (one WAL snapshot), so
   * nothing written concurrently is counted in `lastSeq` without being returned.
   * BAD_INPUT for a negative or fractional `sinceSeq`.
   */
  async changesSince(sinceSeq: number): Promise<{
    readonly requests: readonly Stored<ApprovalRequest>[];
    readonly grants: readonly Stored<Grant>[];
    readonly lastSeq: number;
  }> {
    const since = parseOptions(sinceSchema, sinceSeq, 'changesSince');
    return this.#whenReady('changesSince', () =>
      this.#db.transaction(() => {
        const requests = this.#statement('requestsSince')
          .all({ since })
          .map((r) => parseRequestRow(r, NAME, 'changesSince'));
        const grants = this.#statement('grantsSince')
          .all({ since })
          .map((r) => parseGrantRow(r, NAME, 'changesSince'));
        const last = (this.#statement('lastChange').get() as { last_seq?: unknown } | undefined)?.last_seq;
        if (typeof last !== 'number' || !Number.isSafeInteger(last))
          throw new Error(`the last change number is not an integer: ${String(last)}`);
        return { requests, grants, lastSeq: last };
      })(),
    );
  }

  /** Sets a human's password hash, replacing any earlier one. BAD_INPUT for an invalid credential. */
  async putHumanCredential(credential: HumanCredential): Promise<void> {
    checkHumanCredential(credential, NAME);
    const row: HumanCredentialRow = {
      human_id: credential.humanId,
      password_hash: credential.passwordHash,
      updated_at: credential.updatedAt,
    };
    await this.#whenReady('putHumanCredential', () => this.#statement('putHumanCredential').run(row));
  }

  /** The human's password hash, or null when none was set. */
  async getHumanCredential(humanId: string): Promise<HumanCredential | null> {
    return this.#whenReady('getHumanCredential', () => {
      const row = this.#statement('getHumanCredential').get({ human_id: humanId });
      return row === undefined ? null : parseHumanCredentialRow(row, NAME, 'getHumanCredential');
    });
  }

  /**
   * Inserts the personal token, or replaces every field of the token with the same id. CONFLICT
   * when another token has the same hash; BAD_INPUT for an invalid record.
   */
  async putHumanToken(token: HumanToken): Promise<void> {
    checkHumanToken(token, NAME);
    const row: HumanTokenRow = {
      id: token.id,
      human_id: token.humanId,
      token_hash: token.tokenHash,
      created_at: token.createdAt,
      revoked_at: token.revokedAt,
    };
    await this.#whenReady('putHumanToken', () => {
      try {
        this.#statement('putHumanToken').run(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('putHumanToken', `another token than ${token.id} has the same hash`);
        throw err;
      }
    });
  }

  /** The personal token whose hash is `tokenHash`, revoked or not (callers check `revokedAt`), or null. */
  async getHumanTokenByHash(tokenHash: string): Promise<HumanToken | null> {
    return this.#whenReady('getHumanTokenByHash', () => {
      const row = this.#statement('humanTokenByHash').get({ token_hash: tokenHash });
      return row === undefined ? null : parseHumanTokenRow(row, NAME, 'getHumanTokenByHash');
    });
  }

  /** Personal tokens, revoked ones included, of one human or of all, by creation time then id. */
  async listHumanTokens(humanId?: string): Promise<readonly HumanToken[]> {
    return this.#whenReady('listHumanTokens', () => {
      const rows =
        humanId === undefined ? this.#statement('listHumanTokens').all() : this.#statement('listHumanTokensOf').all({ human_id: humanId });
      return rows.map((r) => parseHumanTokenRow(r, NAME, 'listHumanTokens'));
    });
  }

  /** Marks an active token revoked at `at`. True when it was active; false when unknown or already revoked (the first time is kept). */
  async revokeHumanToken(id: string, at: string): Promise<boolean> {
    return this.#whenReady('revokeHumanToken', () => this.#statement('revokeHumanToken').run({ id, revoked_at: at }).changes > 0);
  }

  /** Inserts the session, or replaces the one with the same id hash. BAD_INPUT for an invalid record. */
  async putSession(session: SessionRecord): Promise<void> {
    checkSession(session, NAME);
    const row: SessionRow = {
      id_hash: session.idHash,
      human_id: session.humanId,
      csrf: session.csrf,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    };
    await this.#whenReady('putSession', () => this.#statement('putSession').run(row));
  }

  /** The session with this id hash, expired or not (callers check `expiresAt`), or null. */
  async getSession(idHash: string): Promise<SessionRecord | null> {
    return this.#whenReady('getSession', () => {
      const row = this.#statement('getSession').get({ id_hash: idHash });
      return row === undefined ? null : parseSessionRow(row, NAME, 'getSession');
    });
  }

  /** Deletes the session with this id hash; nothing happens when there is none. */
  async deleteSession(idHash: string): Promise<void> {
    await this.#whenReady('deleteSession', () => this.#statement('deleteSession').run({ id_hash: idHash }));
  }

  /** Deletes every session of `humanId`; resolves with how many there were. */
  async deleteSessionsOf(humanId: string): Promise<number> {
    return this.#whenReady('deleteSessionsOf', () => this.#statement('deleteSessionsOf').run({ human_id: humanId }).changes);
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

/** The row of a request (without its change number, which the statement computes). BAD_INPUT for an invalid request. */
function toRequestRow(request: ApprovalRequest, op: string): Omit<RequestRow, 'change_seq'> {
  const body = requestBody(request, NAME, op);
  return {
    id: request.id,
    status: request.status,
    agent_id: request.requester.id,
    plan_digest: request.planDigest,
    version: request.version,
    created_at: request.createdAt,
    expires_at: request.expiresAt,
    body,
  };
}

/** The row of a grant (without its change number). BAD_INPUT for an invalid grant. */
function toGrantRow(grant: Grant, op: string): Omit<GrantRow, 'change_seq'> {
  const body = grantBody(grant, NAME, op);
  return {
    id: grant.id,
    status: grant.status,
    agent_id: grant.agentId,
    version: grant.version,
    created_at: grant.createdAt,
    until: grant.until,
    body,
  };
}

/** BAD_INPUT unless `expected` is a positive integer and `next` is the version after it. */
function checkNextVersion(next: number, expected: number, op: string): void {
  if (!Number.isSafeInteger(expected) || expected < 1 || next !== expected + 1) {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `${NAME}: ${op}: the new version must be the expected version + 1 (expected ${expected}, new ${next})`,
    });
  }
}

/** Parses method options with `schema`; BAD_INPUT naming the operation when they do not fit. */
function parseOptions<T>(schema: z.ZodType<T>, value: unknown, op: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AirlockError({ code: 'BAD_INPUT', message: `${NAME}: ${op}: ${z.prettifyError(parsed.error)}` });
  return parsed.data;
}

function conflict(op: string, what: string): AirlockError {
  return new AirlockError({ code: 'CONFLICT', message: `${NAME}: ${op}: ${what}` });
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
