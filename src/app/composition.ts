/**
 * The composition root: reads configuration, opens the store, loads keys, policy and parsers, and
 * wires the gateway. The only place that knows every adapter. Nothing imports src/app.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { AuditLog } from '../core/audit-log.js';
import { parseConfig, type AirlockConfig } from '../core/config.js';
import { AirlockError } from '../core/errors.js';
import { ApprovalService } from '../core/approval-service.js';
import { Gateway } from '../core/gateway.js';
import type { AgentIdentity } from '../core/action.js';
import type { Clock, Hasher, IdGenerator, Store } from '../core/ports.js';
import { createClassifier, type CompositeClassifier } from '../adapters/classifier.js';
import { NodeHasher } from '../adapters/crypto/node-hasher.js';
import { AmbientTargetDefaults } from '../adapters/kubernetes/ambient-target-defaults.js';
import { Ed25519Signer } from '../adapters/crypto/ed25519-signer.js';
import { CedarPolicyEngine } from '../adapters/policy-cedar/cedar-policy-engine.js';
import { loadPolicySources } from '../adapters/policy-cedar/load-policies.js';
import { FilePolicyCompileCache } from '../adapters/policy-cedar/policy-compile-cache.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { UlidIds } from '../adapters/system/ulid-ids.js';
import { SqliteStore } from '../storage/sqlite/sqlite-store.js';
import { WebhookNotifier } from '../adapters/notify/webhook-notifier.js';
import { SqlChanges } from '../core/sql-changes.js';
import { ConfiguredGuards } from './database-guards.js';
import { McpCalls } from '../core/mcp-calls.js';
import { hostname } from 'node:os';

/**
 * A 32-byte secret in `file` (mode 0600), created on first use. Fails with STORE_FAILURE when it
 * cannot be read or written.
 */
function loadOrCreateSecret(file: string): Buffer {
  try {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    }
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error('not 64 hex characters');
    return Buffer.from(text, 'hex');
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return loadOrCreateSecret(file);
    throw new AirlockError({
      code: 'STORE_FAILURE',
      message: `cannot use the credential key ${file} (${err instanceof Error ? err.message : String(err)}); it must be a private file Airlock can read`,
      cause: err,
    });
  }
}

/** How long close() waits for webhook deliveries still in flight. */
const FLUSH_TIMEOUT_MS = 3000;

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'a webhook';
  }
}

/** Where Airlock's own files are, resolved once from the environment and the working directory. */
export interface AirlockPaths {
  /** airlock.yaml in use, or null when running on embedded defaults. */
  readonly configFile: string | null;
  /** Data directory (`.airlock/` by default): the SQLite store, keys, audit checkpoint. */
  readonly dataDir: string;
  /** The default policy pack shipped with the package. */
  readonly policyDir: string;
}

/** Resolves paths from `AIRLOCK_CONFIG`, `AIRLOCK_HOME` and the working directory. */
export function resolvePaths(env: Readonly<Record<string, string | undefined>>, cwd: string): AirlockPaths {
  const explicit = env.AIRLOCK_CONFIG;
  let configFile: string | null = null;
  if (explicit) {
    configFile = resolve(cwd, explicit);
    if (!existsSync(configFile)) {
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `AIRLOCK_CONFIG names ${configFile}, which does not exist (create it with \`airlock init\`, or unset AIRLOCK_CONFIG)`,
      });
    }
  } else if (existsSync(resolve(cwd, 'airlock.yaml'))) {
    configFile = resolve(cwd, 'airlock.yaml');
  }
  const dataDir = resolve(cwd, env.AIRLOCK_HOME || '.airlock');
  const policyDir = fileURLToPath(new URL('../../policies/', import.meta.url));
  return { configFile, dataDir, policyDir };
}

/** Reads and validates the configuration; embedded defaults when there is no file. */
export function loadConfig(paths: AirlockPaths): AirlockConfig {
  if (paths.configFile === null) return parseConfig({}, 'embedded defaults');
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(paths.configFile, 'utf8'));
  } catch (err) {
    throw new AirlockError({
      code: 'BAD_CONFIG',
      message: `${paths.configFile} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
  return parseConfig(doc, paths.configFile);
}

/** Everything a command or server needs, wired. */
export interface Airlock {
  readonly paths: AirlockPaths;
  readonly config: AirlockConfig;
  readonly store: Store;
  readonly audit: AuditLog;
  readonly signer: Ed25519Signer;
  readonly hasher: NodeHasher;
  readonly policy: CedarPolicyEngine;
  readonly classifier: CompositeClassifier;
  readonly gateway: Gateway;
  /** Requests, reviews, single-use execution and grants. */
  readonly approvals: ApprovalService;
  /** SQL changes on the configured database targets: rehearsal, bound execution, undo. */
  readonly sql: SqlChanges;
  /** MCP tool calls as proposals (the MCP gateway's use case). */
  readonly mcp: McpCalls;
  /** The configured database targets' guards. */
  readonly databases: ConfiguredGuards;
  /** Base URL of the web UI, for links given to agents and humans. */
  readonly baseUrl: string;
  /**
   * Hashes a human credential (personal token, session cookie) for storage: HMAC-SHA256 with a
   * secret kept beside the signing key, so rows written into the store by anyone without that
   * secret never match a credential.
   */
  readonly credentialHasher: Hasher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Resolves the calling agent: a verified token wins; otherwise the claimed id, unauthenticated, with no roles. */
  identify(options: {
    token?: string | undefined;
    claimedId: string;
    onBehalfOf?: string | undefined;
    session?: string | undefined;
  }): Promise<{ agent: AgentIdentity; roles: readonly string[] }>;
  /**
   * Who a bearer token belongs to: a human's personal token (`alh_…`, the human must still be in
   * airlock.yaml) or an agent token (`alk_…`). Null for an unknown, revoked or malformed token.
   * Approval paths accept only `kind: 'human'`.
   */
  principalOf(token: string): Promise<Principal | null>;
  close(): Promise<void>;
}

/** An authenticated caller: a human (approves, grants) or an agent (proposes). */
export type Principal =
  | { readonly kind: 'human'; readonly id: string; readonly groups: readonly string[] }
  | { readonly kind: 'agent'; readonly id: string; readonly roles: readonly string[] };

/** Prefix of human personal tokens; agent tokens start with `alk_`. */
export const HUMAN_TOKEN_PREFIX = 'alh_';
/** Prefix of agent tokens. */
export const AGENT_TOKEN_PREFIX = 'alk_';

/** Options for {@link createAirlock}. */
export interface CreateAirlockOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock?: Clock;
  /** Load every parser up front (long-running servers). Default: SQL parsers load on first use. */
  readonly eager?: boolean;
  /** Where webhook delivery failures are reported. Default: the process's stderr. */
  readonly stderr?: NodeJS.WritableStream;
  /** Base URL of the web UI when known (the server's listening address). */
  readonly baseUrl?: string;
}

/** Builds Airlock from config and environment. Fails with BAD_CONFIG / BAD_POLICY / STORE_FAILURE naming the fix. */
export async function createAirlock(options: CreateAirlockOptions): Promise<Airlock> {
  const paths = resolvePaths(options.env, options.cwd);
  const config = loadConfig(paths);
  try {
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new AirlockError({
      code: 'STORE_FAILURE',
      message: `cannot create the data directory ${paths.dataDir} (${err instanceof Error ? err.message : String(err)}); set AIRLOCK_HOME to a writable directory`,
      cause: err,
    });
  }
  const clock = options.clock ?? new SystemClock();
  const ids = new UlidIds(clock);
  const hasher = new NodeHasher();
  const signer = Ed25519Signer.loadOrCreate(resolve(paths.dataDir, 'keys'));
  const credentialKey = loadOrCreateSecret(resolve(paths.dataDir, 'keys', 'credential-key'));
  const credentialHasher: Hasher = {
    sha256Hex: (data) => createHmac('sha256', credentialKey).update(data).digest('hex'),
    sha256: (data) => hasher.sha256(data),
  };
  const configDir = paths.configFile === null ? options.cwd : dirname(paths.configFile);
  const sources = loadPolicySources({
    defaultDir: config.policies.defaultPack ? paths.policyDir : null,
    schemaDir: paths.policyDir,
    extra: config.policies.paths.map((p) => (isAbsolute(p) ? p : resolve(configDir, p))),
  });
  const [policy, classifier] = await Promise.all([
    CedarPolicyEngine.create({ ...sources, hasher, cache: new FilePolicyCompileCache(resolve(paths.dataDir, 'cache', 'policy')) }),
    createClassifier({
      sqlParsers: options.eager ? 'eager' : 'on-demand',
      mcpMappings: Object.fromEntries(Object.entries(config.mcp.servers).map(([name, s]) => [name, s.tools])),
      ownPaths: [
        ...(paths.configFile === null ? [] : [{ path: paths.configFile, what: 'configuration (airlock.yaml)' }]),
        { path: paths.dataDir, what: 'data directory (audit store, checkpoint, caches)' },
        { path: resolve(paths.dataDir, 'keys'), what: 'signing key', secret: true },
        { path: paths.policyDir, what: 'default policy pack' },
        ...config.policies.paths.map((p) => ({ path: isAbsolute(p) ? p : resolve(configDir, p), what: 'policies' })),
      ],
    }),
  ]);
  const dbPath = isAbsolute(config.store.sqlite.path) ? config.store.sqlite.path : resolve(paths.dataDir, config.store.sqlite.path);
  const store = await SqliteStore.open({ path: dbPath });
  await store.migrate();
  const audit = new AuditLog({ store, hasher, clock });
  const targetDefaults = new AmbientTargetDefaults({ home: options.env.HOME, env: options.env });
  const baseUrl = (
    options.baseUrl ??
    config.server.publicUrl ??
    options.env.AIRLOCK_URL ??
    `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`
  ).replace(/\/+$/, '');
  // Webhooks from airlock.yaml; close() flushes them, so a one-shot command (a held `exec`) still
  // delivers before it exits, and the server at shutdown.
  const stderr = options.stderr ?? process.stderr;
  const notifier =
    config.notifications.webhooks.length === 0
      ? undefined
      : new WebhookNotifier({
          webhooks: config.notifications.webhooks,
          secrets: (name) => options.env[name],
          onDeliveryFailure: (f) => {
            // The origin only: a Slack webhook URL's path is itself a secret.
            stderr.write(
              `airlock: webhook to ${originOf(f.url)} gave up on ${f.event} after ${f.attempts} attempt(s): ${f.error.replace(/\s+/g, ' ')}\n`,
            );
          },
        });
  const approvals = new ApprovalService({
    store,
    audit,
    signer,
    hasher,
    clock,
    ids,
    config,
    baseUrl,
    ...(notifier === undefined ? {} : { notifier }),
  });
  const gateway = new Gateway({
    classifier,
    policy,
    audit,
    clock,
    ids,
    config,
    targetDefaults,
    grants: (a) => approvals.grantFor(a),
  });
  const databases = new ConfiguredGuards(config, options.env, configDir);
  const sql = new SqlChanges({ gateway, approvals, guards: databases, audit, clock, config });
  const mcp = new McpCalls({
    gateway,
    approvals,
    sql,
    audit,
    hasher: credentialHasher,
    config,
    executor: () => ({ host: hostname(), pid: process.pid, startedAt: clock.now().toISOString() }),
  });
  return {
    paths,
    config,
    store,
    audit,
    signer,
    hasher,
    policy,
    classifier,
    gateway,
    approvals,
    sql,
    mcp,
    databases,
    baseUrl,
    credentialHasher,
    clock,
    ids,
    async principalOf(token) {
      if (token.startsWith(HUMAN_TOKEN_PREFIX)) {
        const record = await store.getHumanTokenByHash(credentialHasher.sha256Hex(token));
        if (record === null || record.revokedAt !== null) return null;
        const human = config.humans.find((h) => h.id === record.humanId);
        return human === undefined ? null : { kind: 'human', id: human.id, groups: human.groups };
      }
      const agent = await store.getAgentByTokenHash(hasher.sha256Hex(token));
      if (agent === null || agent.revokedAt !== null) return null;
      return { kind: 'agent', id: agent.id, roles: agent.roles };
    },
    async identify({ token, claimedId, onBehalfOf, session }) {
      const extra = {
        ...(onBehalfOf ? { onBehalfOf } : {}),
        ...(session ? { session } : {}),
      };
      if (token) {
        const record = await store.getAgentByTokenHash(hasher.sha256Hex(token));
        if (record === null || record.revokedAt !== null) {
          throw new AirlockError({
            code: 'UNAUTHENTICATED',
            message: 'AIRLOCK_AGENT_TOKEN is not a valid agent token (unknown or revoked); create one with `airlock agents add NAME`',
          });
        }
        return { agent: { id: record.id, authenticated: true, ...extra }, roles: record.roles };
      }
      if (config.requireAgentToken) {
        throw new AirlockError({
          code: 'UNAUTHENTICATED',
          message:
            'airlock.yaml sets requireAgentToken: give the agent its token in AIRLOCK_AGENT_TOKEN (create one with `airlock agents add NAME`)',
        });
      }
      return { agent: { id: claimedId, authenticated: false, ...extra }, roles: [] };
    },
    async close() {
      await databases.close();
      await notifier?.flush(FLUSH_TIMEOUT_MS);
      await store.close();
    },
  };
}
