/**
 * The `airlock.yaml` schema: the single source of the configuration's types, defaults and docs.
 * Parsed with Zod at start-up; a bad file fails with a message naming the field and the fix.
 */
import { z } from 'zod';
import { parseDuration } from './approval.js';
import { MAX_RECURRING_MS, parseCron } from './freeze.js';
import { AirlockError } from './errors.js';

const criticality = z.enum(['low', 'medium', 'high', 'critical']);
const patterns = z.array(z.string().min(1)).default([]);

/** How an environment is recognised. Patterns are globs where `*` matches any run of characters. */
export const environmentMatchSchema = z
  .object({
    /** Kubernetes contexts (`--context`, or the current context when known). */
    kubeContexts: patterns,
    /** Kubernetes namespaces. */
    namespaces: patterns,
    awsProfiles: patterns,
    awsAccounts: patterns,
    awsRegions: patterns,
    gcpProjects: patterns,
    azureSubscriptions: patterns,
    azureResourceGroups: patterns,
    /** Database hosts (`host` or `host:port`). */
    databaseHosts: patterns,
    /** Database names. */
    databases: patterns,
    /** Hostnames reached by ssh and the like. */
    hostnames: patterns,
    /** Path prefixes on this machine. */
    paths: patterns,
    /** MCP server names. */
    mcpServers: patterns,
    /** Terraform workspaces or directories. */
    terraform: patterns,
    /** Git remotes or branches (`origin/main`). */
    git: patterns,
    /** true: actions with no remote target (local files and processes) belong to this environment. */
    local: z.boolean().default(false),
  })
  .strict();

/** One environment: whether it is protected and how to recognise it. */
export const environmentSchema = z
  .object({
    /** Protected environments hold disruptive, destructive and unknown actions (default pack). */
    protected: z.boolean().default(true),
    criticality: criticality.optional(),
    description: z.string().optional(),
    match: environmentMatchSchema.default(environmentMatchSchema.parse({})),
  })
  .strict();

/** The context approvers see and the agent is told, for a resource or a database target. */
const inventoryContext = {
  criticality: criticality.optional(),
  owners: z.array(z.string()).default([]),
  /** Who depends on it: services, teams, customers. */
  dependants: z.array(z.string()).default([]),
  /** What an hour of downtime costs, in the currency the team uses. */
  downtimeCostPerHour: z.number().nonnegative().optional(),
  notes: z.string().optional(),
};

/** What the inventory knows of a resource: shown in decisions and told to the agent. */
export const resourceSchema = z
  .object({
    name: z.string().min(1),
    environment: z.string().optional(),
    ...inventoryContext,
    match: environmentMatchSchema.default(environmentMatchSchema.parse({})),
  })
  .strict();

/** What an agent id may look like: 1-64 letters, digits, dot, dash or underscore. */
export const AGENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A known agent and its own roles (never the launching human's: invariant 8). */
export const agentSchema = z
  .object({
    id: z.string().regex(AGENT_ID, 'agent ids are 1-64 letters, digits, dot, dash or underscore'),
    roles: z.array(z.string()).default([]),
    description: z.string().optional(),
  })
  .strict();

/** What a human id may look like (same alphabet as agent ids). */
export const HUMAN_ID = AGENT_ID;

/** A human: approves holds and grants elevation. Passwords and tokens live in the store, never here. */
export const humanSchema = z
  .object({
    id: z.string().regex(HUMAN_ID, 'human ids are 1-64 letters, digits, dot, dash or underscore'),
    name: z.string().optional(),
    email: z.string().optional(),
    /** Groups named by policy (`@approvers("prod-owners")`) and by grant approval rules. */
    groups: z.array(z.string().min(1)).default([]),
  })
  .strict();

const duration = (fallback: string) =>
  z
    .string()
    .refine((s) => parseDuration(s) !== null, 'a duration above zero like "90s", "30m", "24h", "7d" or "1h30m"')
    .default(fallback);

/** A webhook that hears about requests and grants. */
export const webhookSchema = z
  .object({
    url: z.string().url(),
    /** `slack`: a Slack-compatible message ({text, blocks}); `json`: the generic event. */
    format: z.enum(['slack', 'json']).default('json'),
    /** Environment variable holding the HMAC-SHA256 key; the signature goes in X-Airlock-Signature. */
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    /** Events to send; all when empty. */
    events: z
      .array(z.enum(['request.created', 'request.decided', 'request.expired', 'request.executed', 'grant.created', 'grant.decided']))
      .default([]),
  })
  .strict();

/**
 * A freeze window: a dated range (`from`, `until`) or a recurring one (`cron` for when it starts,
 * UTC, and `duration`). During it, changes to its environments are denied (default pack) unless an
 * approved grant covers them (break-glass).
 */
export const freezeSchema = z
  .object({
    name: z.string().min(1),
    environments: z.array(z.string().min(1)).min(1, 'name at least one environment (globs like prod-* work)'),
    from: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    cron: z.string().optional(),
    duration: z.string().optional(),
    reason: z.string().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.cron === undefined) {
      if (f.duration !== undefined)
        ctx.addIssue({ code: 'custom', path: ['duration'], message: 'duration goes with cron (a recurring window)' });
      if (f.from === undefined && f.until === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['from'],
          message: 'give from and/or until (a dated range), or cron and duration (a recurring window)',
        });
      if (f.from !== undefined && f.until !== undefined && Date.parse(f.from) >= Date.parse(f.until))
        ctx.addIssue({ code: 'custom', path: ['until'], message: 'until must be after from' });
      return;
    }
    if (f.from !== undefined || f.until !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: 'a window is either dated (from/until) or recurring (cron/duration), not both',
      });
    const spec = parseCron(f.cron);
    if (typeof spec === 'string') ctx.addIssue({ code: 'custom', path: ['cron'], message: spec });
    const ms = f.duration === undefined ? null : parseDuration(f.duration);
    if (ms === null || ms > MAX_RECURRING_MS)
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'a recurring window needs a duration from 1m to 31d, e.g. "62h"' });
  });

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name like DB_PASSWORD');

/**
 * A database target: a connection Airlock rehearses SQL on, runs approved SQL through and keeps
 * recovery points in. Credentials come from an environment variable or a file, never from this file.
 */
export const databaseSchema = z
  .object({
    engine: z.enum(['postgresql', 'mariadb', 'mysql']),
    /** The environment it belongs to (a name under `environments`). */
    environment: z.string().optional(),
    ...inventoryContext,
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1),
    user: z.string().min(1).optional(),
    /** Environment variable holding the password. */
    passwordEnv: envName.optional(),
    /** File holding the password (trailing newline ignored), relative to the config file. */
    passwordFile: z.string().min(1).optional(),
    /** Longest a rehearsed or guarded statement may run, so a rehearsal never holds locks for long. */
    statementTimeout: duration('10s'),
    /** Longest Airlock waits for a lock before giving up (rehearsal and execution). */
    lockTimeout: duration('2s'),
    /** Rows of the affected data shown before and after (0 to show none, e.g. for personal data). */
    sampleRows: z.number().int().min(0).max(50).default(5),
    /** How long recovery points are kept before `airlock recovery purge` may drop them. */
    retention: duration('7d'),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.passwordEnv !== undefined && d.passwordFile !== undefined)
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give passwordEnv or passwordFile, not both' });
  });

const mcpVerb = z.enum(['read', 'create', 'modify', 'delete', 'replace', 'execute']);

/**
 * What the operator knows about one tool of one MCP server. Trusted configuration, unlike the
 * server's annotations. Every field is optional.
 * - `verb`: what the tool does to its resource; `risk` overrides the class of the tool's own effect
 *   (never of SQL or shell text found in its arguments).
 * - `sqlArgument` (+ `dialect`), `shellArgument`, `pathArgument`, `resourceArgument`: which argument
 *   holds SQL, a shell command line, a filesystem path, the name of the resource acted on.
 * - `database`: the database target (under `databases`) the tool's SQL runs on: a held call is
 *   rehearsed there, and once approved Airlock runs it through the database guard.
 */
export const mcpToolMappingSchema = z
  .object({
    verb: mcpVerb.optional(),
    risk: z.enum(['read', 'write', 'destructive', 'catastrophic']).optional(),
    sqlArgument: z.string().min(1).optional(),
    dialect: z.enum(['postgresql', 'mysql', 'sqlite', 'unknown']).optional(),
    shellArgument: z.string().min(1).optional(),
    pathArgument: z.string().min(1).optional(),
    resourceArgument: z.string().min(1).optional(),
    database: z.string().min(1).optional(),
  })
  .strict();

/** A pattern Airlock compiles: `text` or `/text/flags`. */
const regexSource = z
  .string()
  .min(1)
  .refine((s) => compilePattern(s) !== null, 'a valid regular expression (`text` or `/text/flags`)');

/**
 * Compiles a configured pattern: `/source/flags` keeps its flags, anything else is the source with
 * no flags. Null when it does not compile.
 */
export function compilePattern(text: string, extraFlags = ''): RegExp | null {
  const m = /^\/(.+)\/([dgimsuvy]*)$/s.exec(text);
  const source = m?.[1] ?? text;
  const flags = [...new Set((m?.[2] ?? '') + extraFlags)].join('');
  try {
    return new RegExp(source, flags);
  } catch {
    return null;
  }
}

/** Argument names whose whole value is a secret (matched case-insensitively, camelCase read as snake_case). */
export const DEFAULT_REDACTED_NAMES = [
  '(^|_)(password|passwd|pwd|passphrase|secret|token|api_?key|authorization|auth|credentials?|private_key|access_key|secret_key|session_key|cookie)$',
];

/** Secrets recognised inside any string value, wherever they appear. */
export const DEFAULT_REDACTED_VALUES = [
  '/-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/',
  '\\b(AKIA|ASIA)[0-9A-Z]{16}\\b',
  '\\bgh[pousr]_[A-Za-z0-9]{30,}\\b',
  '\\bgithub_pat_[A-Za-z0-9_]{20,}\\b',
  '\\bxox[abposr]-[A-Za-z0-9-]{10,}',
  '\\bsk-[A-Za-z0-9_-]{20,}',
  '\\bal[hk]_[A-Za-z0-9_-]{16,}',
  '/\\bbearer\\s+[A-Za-z0-9._~+\\/=-]{8,}/i',
  '(?<=:\\/\\/[^\\s:@\\/]+:)[^\\s@\\/]+(?=@)',
  "/(?<=\\bpassword\\s*(=|\\s)\\s*')[^']*(?=')/i",
];

/** One MCP server Airlock stands in front of, by the name given to `airlock mcp --name`. */
export const mcpServerSchema = z
  .object({
    /** Per-tool mappings, by tool name. */
    tools: z.record(z.string().min(1), mcpToolMappingSchema).default({}),
    /** Tools never listed to agents and always refused (globs where `*` matches any run of characters). */
    hide: patterns,
  })
  .strict();

/** The MCP gateway (`airlock mcp`). */
export const mcpSchema = z
  .object({
    servers: z
      .record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'server names are letters, digits, dot, dash or underscore'), mcpServerSchema)
      .default({}),
    /**
     * What a held tool call answers: `return` (at once, a result naming the request and its link;
     * the agent calls again once approved) or `wait` (until the request is decided, with progress
     * notifications, up to `waitTimeout`).
     */
    onHold: z.enum(['return', 'wait']).default('return'),
    waitTimeout: duration('10m'),
    /** Longest Airlock waits for the upstream server to answer one request (progress resets it). */
    upstreamTimeout: duration('60s'),
    /** An agent session over Streamable HTTP with no request for this long is closed (with its upstream). */
    idleTimeout: duration('30m'),
    /** Largest JSON-RPC message accepted from the agent, in bytes. */
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /** Secrets replaced by `[redacted]` in what Airlock records and shows of tool-call arguments. */
    redact: z
      .object({
        /** Argument names whose value is a secret. */
        names: z.array(regexSource).default(DEFAULT_REDACTED_NAMES),
        /** Patterns of secrets inside string values. */
        values: z.array(regexSource).default(DEFAULT_REDACTED_VALUES),
      })
      .strict()
      .default({ names: DEFAULT_REDACTED_NAMES, values: DEFAULT_REDACTED_VALUES }),
  })
  .strict();

/** The whole configuration file. Every field has a default, so an empty file is valid. */
export const airlockConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(7070),
        /** Public base URL used in links given to agents and humans. Defaults to http://host:port. */
        publicUrl: z.string().url().optional(),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 7070 }),
    store: z
      .object({
        /** SQLite file, relative to the data directory unless absolute. */
        sqlite: z
          .object({ path: z.string().default('airlock.db') })
          .strict()
          .default({ path: 'airlock.db' }),
      })
      .strict()
      .default({ sqlite: { path: 'airlock.db' } }),
    policies: z
      .object({
        /** Load the default policy pack shipped with Airlock. */
        defaultPack: z.boolean().default(true),
        /** Extra `.cedar` files or directories, relative to the config file. */
        paths: z.array(z.string()).default([]),
      })
      .strict()
      .default({ defaultPack: true, paths: [] }),
    /** Environments by name. */
    environments: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), environmentSchema).default({}),
    /** How to treat an action whose environment cannot be resolved. */
    unresolved: z.enum(['protected', 'unprotected']).default('protected'),
    resources: z.array(resourceSchema).default([]),
    agents: z.array(agentSchema).default([]),
    /**
     * Refuse callers without a valid agent token (hooks, exec, sh, the API). Off by default so that
     * a first run works; turn it on once every agent has a token, or an agent can shed its
     * restricted role by dropping its token.
     */
    requireAgentToken: z.boolean().default(false),
    /** Path prefixes holding data that is not in version control (RISK.md assumption 2). */
    dataPaths: z.array(z.string().min(1)).default([]),
    /** Humans who approve, deny and grant. */
    humans: z.array(humanSchema).default([]),
    approvals: z
      .object({
        /** How long a request waits for its approvals before it expires. */
        pendingTtl: duration('24h'),
        /** How long one approval counts: an approved request not run by then needs approval again. */
        approvalTtl: duration('60m'),
        /** How long a web UI session lasts. */
        sessionTtl: duration('12h'),
      })
      .strict()
      .default({ pendingTtl: '24h', approvalTtl: '60m', sessionTtl: '12h' }),
    grants: z
      .object({
        /** The longest a grant may last. */
        maxDuration: duration('8h'),
        /**
         * Approvals from `approvers` a grant needs before it is active, like the holds it lifts (the
         * default pack holds disruptive actions for two prod-owners). Its author counts as one when
         * in those groups and never reviews it. Applied to grants that reach a protected
         * environment (or any, when the grant names none).
         */
        approvals: z.number().int().min(1).max(10).default(2),
        /** Groups those approvers must belong to (any human when empty). */
        approvers: z.array(z.string().min(1)).default(['prod-owners']),
      })
      .strict()
      .default({ maxDuration: '8h', approvals: 2, approvers: ['prod-owners'] }),
    /** Database targets by name (`airlock sql --target NAME`). */
    databases: z
      .record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'target names are letters, digits, dot, dash or underscore'), databaseSchema)
      .default({}),
    /** The MCP gateway: per-server tool mappings, hidden tools, holds, redaction. */
    mcp: mcpSchema.default(mcpSchema.parse({})),
    /** Freeze windows: no changes to these environments while one is on. */
    freezes: z.array(freezeSchema).default([]),
    notifications: z
      .object({ webhooks: z.array(webhookSchema).default([]) })
      .strict()
      .default({ webhooks: [] }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = Object.keys(config.environments);
    const seen = new Set<string>();
    config.humans.forEach((h, i) => {
      if (seen.has(h.id)) ctx.addIssue({ code: 'custom', path: ['humans', i, 'id'], message: `"${h.id}" is listed twice` });
      if (config.agents.some((a) => a.id === h.id))
        ctx.addIssue({
          code: 'custom',
          path: ['humans', i, 'id'],
          message: `"${h.id}" is also an agent id; humans and agents are different principals, so give them different ids`,
        });
      seen.add(h.id);
    });
    for (const [name, d] of Object.entries(config.databases)) {
      if (d.environment !== undefined && !names.includes(d.environment))
        ctx.addIssue({
          code: 'custom',
          path: ['databases', name, 'environment'],
          message: `"${d.environment}" is not an environment defined under "environments" (defined: ${names.length ? names.join(', ') : 'none'})`,
        });
    }
    for (const [server, m] of Object.entries(config.mcp.servers)) {
      for (const [tool, t] of Object.entries(m.tools)) {
        if (t.database !== undefined && !Object.hasOwn(config.databases, t.database))
          ctx.addIssue({
            code: 'custom',
            path: ['mcp', 'servers', server, 'tools', tool, 'database'],
            message: `"${t.database}" is not a target under "databases" (defined: ${Object.keys(config.databases).join(', ') || 'none'})`,
          });
        if (t.database !== undefined && t.sqlArgument === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['mcp', 'servers', server, 'tools', tool, 'sqlArgument'],
            message: 'a tool mapped to a database target must say which argument holds its SQL (sqlArgument)',
          });
      }
    }
    config.resources.forEach((r, i) => {
      if (r.environment !== undefined && !names.includes(r.environment)) {
        ctx.addIssue({
          code: 'custom',
          path: ['resources', i, 'environment'],
          message: `"${r.environment}" is not an environment defined under "environments" (defined: ${names.length ? names.join(', ') : 'none'})`,
        });
      }
    });
  });

export type EnvironmentMatchConfig = z.infer<typeof environmentMatchSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type ResourceConfig = z.infer<typeof resourceSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;
export type HumanConfig = z.infer<typeof humanSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type FreezeConfig = z.infer<typeof freezeSchema>;
export type DatabaseConfig = z.infer<typeof databaseSchema>;
export type McpToolMapping = z.infer<typeof mcpToolMappingSchema>;
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type McpConfig = z.infer<typeof mcpSchema>;
/** Validated configuration. */
export type AirlockConfig = z.infer<typeof airlockConfigSchema>;

/**
 * Validates a parsed config document. Fails with AirlockError('BAD_CONFIG') whose message names
 * each bad field by its path (`environments.prod.match.namespace`) and what was expected.
 */
export function parseConfig(document: unknown, source = 'airlock.yaml'): AirlockConfig {
  const result = airlockConfigSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${path === '(top level)' ? '' : `${path}: `}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see docs/configuration.md)`;
    }
    return `${path}: ${issue.message}`;
  });
  throw new AirlockError({ code: 'BAD_CONFIG', message: `${source} is invalid:\n  ${lines.join('\n  ')}` });
}
