/**
 * `airlock up` (and `npm start`): starts the gateway's HTTP API, the approvals API and the web UI
 * on the embedded defaults and prints what runs where, how to connect an agent and how humans
 * approve. Also runs the background work of approvals: live change polling, expiry of pending
 * requests, and marking executions interrupted by a restart.
 */
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { hostname } from 'node:os';
import { relative } from 'node:path';
import type { Executor } from '../core/approval.js';
import { AirlockError, toAirlockError } from '../core/errors.js';
import { verifyPassword } from '../adapters/crypto/password.js';
import { createHttpApp } from '../interfaces/http/http-app.js';
import { createWebApp } from '../interfaces/web/web-app.js';
import { parseArgs, str } from './args.js';
import { ChangeFeed } from './change-feed.js';
import type { CliIo } from './cli.js';
import { type Airlock, createAirlock, loadConfig, resolvePaths } from './composition.js';
import { targetingEnv } from './agent-env.js';
import { adapterFor, decideHook } from './hook-command.js';
import { VERSION } from './version.js';

/** How often open requests past their expiry are marked `expired`. */
const SWEEP_INTERVAL_MS = 30_000;
/** How long open connections (live event streams never end) get before shutdown cuts them. */
const CLOSE_GRACE_MS = 1000;

/**
 * Whether an executor recorded in an `executing` request still runs. pid 0 is a remote caller
 * (a plan claimed over HTTP), which cannot be watched: after a restart it is treated as gone. A
 * process on another host cannot be checked from here, so it is assumed alive (never marked).
 */
function executorAlive(executor: Executor): boolean {
  if (executor.pid === 0) return false;
  if (executor.host !== hostname()) return true;
  try {
    process.kill(executor.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user; it still runs.
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Starts the server; resolves with 0 after SIGINT/SIGTERM closed it. */
export async function upCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { port: { value: true }, host: { value: true } }, { command: 'up' });
  const config = loadConfig(resolvePaths(io.env, io.cwd));
  const host = str(args, 'host') ?? io.env.AIRLOCK_HOST ?? config.server.host;
  const portText = str(args, 'port') ?? io.env.AIRLOCK_PORT;
  const port = portText === undefined ? config.server.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `--port (or AIRLOCK_PORT) must be a whole number from 0 to 65535, not "${portText}"`,
    });
  }

  // The base URL goes into every link given to agents, humans and webhooks, and the approvals
  // service takes it when built; with port 0 it is known only once listening. So the server listens
  // first with a placeholder that answers 503 "starting", Airlock is built with the real URL, and
  // the app is swapped in.
  let app: Hono | null = null;
  const server = serve({
    fetch: (request, env) =>
      app === null
        ? new Response('Airlock is starting; try again in a moment\n', { status: 503, headers: { 'retry-after': '1' } })
        : app.fetch(request, env),
    hostname: host,
    port,
  });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once('listening', () => resolvePromise());
      server.once('error', reject);
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new AirlockError({
      code: 'BAD_INPUT',
      message:
        code === 'EADDRINUSE'
          ? `${host}:${port} is already in use (another airlock up?); pass --port or set server.port`
          : `cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const base = (config.server.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`).replace(/\/+$/, '');

  let airlock: Airlock;
  try {
    airlock = await createAirlock({
      env: io.env,
      cwd: io.cwd,
      eager: true,
      baseUrl: base,
      stderr: io.stderr,
    });
  } catch (err) {
    await new Promise<void>((r) => server.close(() => r()));
    throw err;
  }
  const a = airlock;

  const feed = new ChangeFeed({ store: a.store });
  // Live event streams never end by themselves: aborting this ends them at shutdown.
  const closing = new AbortController();
  let interrupted: number;
  try {
    await feed.start();
    // Executions whose process is gone may or may not have run: they become unknown-outcome and never run again.
    interrupted = await a.approvals.markInterrupted(executorAlive);
    const principalOf = (token: string) => a.principalOf(token);
    const web = createWebApp({
      approvals: a.approvals,
      store: a.store,
      config: a.config,
      hasher: a.credentialHasher,
      clock: a.clock,
      feed,
      principalOf,
      verifyPassword,
      secureCookies: base.startsWith('https:'),
      closeSignal: closing.signal,
      // Signed-in humans read the decisions page from any host; the API's /v1/audit stays loopback-only without a token.
      audit: { read: (o) => a.store.readAudit(o), head: () => a.store.auditHead() },
    });
    app = createHttpApp({
      gateway: a.gateway,
      identify: (o) => a.identify(o),
      readAudit: (o) => a.store.readAudit(o),
      auditHead: () => a.store.auditHead(),
      version: VERSION,
      hook: async (client, payload, o) =>
        decideHook(a, await adapterFor(client), payload, {
          token: o.token,
          onBehalfOf: o.onBehalfOf,
          // Only the targeting variables, whatever the caller sent.
          ...(o.env === undefined ? {} : { env: targetingEnv(o.env) }),
        }),
      principalOf,
      approvals: { service: a.approvals, store: a.store, clock: a.clock, changes: feed, closeSignal: closing.signal },
      sql: {
        sql: a.sql,
        approvals: a.approvals,
        clock: a.clock,
        host: hostname(),
      },
      web,
    });
  } catch (err) {
    feed.stop();
    await new Promise<void>((r) => server.close(() => r()));
    await a.close();
    throw err;
  }

  const sweeper = setInterval(() => {
    void a.approvals.expireDue().then(
      () => undefined,
      (err: unknown) =>
        io.stderr.write(`airlock: expiring requests failed (retrying in ${SWEEP_INTERVAL_MS / 1000} s): ${toAirlockError(err).message}\n`),
    );
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const rel = (p: string): string => relative(io.cwd, p) || '.';
  const head = await a.store.auditHead();
  const humans = a.config.humans.length;
  io.stdout.write(
    [
      `Airlock ${VERSION} is running.`,
      `  web UI      ${base}/`,
      `  HTTP API    ${base}/v1/check (what-if), ${base}/v1/decisions and ${base}/v1/requests (agents, with a token)`,
      `  approvals   ${humans === 0 ? 'no humans yet' : `${humans} human${humans === 1 ? '' : 's'}`} in airlock.yaml; requests at ${base}/requests`,
      `  config      ${a.paths.configFile === null ? 'embedded defaults (write one with `npx airlock init`)' : rel(a.paths.configFile)}`,
      `  store       SQLite at ${rel(a.paths.dataDir)}/ (${head ? head.seq : 0} audit entries)`,
      `  policy      ${a.config.policies.defaultPack ? 'default pack' : 'no default pack'}${a.config.policies.paths.length ? ` + ${a.config.policies.paths.join(', ')}` : ''} (set ${a.policy.policySetHash.slice(0, 12)})`,
      `  databases   ${
        Object.keys(a.config.databases).length === 0
          ? 'none (airlock.yaml "databases"; docs/databases.md)'
          : `${Object.entries(a.config.databases)
              .map(([n, d]) => `${n} (${d.engine}${d.environment === undefined ? '' : `, ${d.environment}`})`)
              .join(', ')}; SQL at ${base}/v1/sql`
      }`,
      `  signing key ${a.signer.keyId} in ${rel(a.paths.dataDir)}/keys/`,
      `  webhooks    ${a.config.notifications.webhooks.length === 0 ? 'none' : `${a.config.notifications.webhooks.length} (notifications.webhooks)`}`,
      `  interrupted ${interrupted} execution${interrupted === 1 ? '' : 's'} from before this start marked unknown-outcome (never re-run; check their targets)`,
      '',
      'Connect an agent:',
      `  Claude Code  a PreToolUse hook running \`AIRLOCK_URL=${base} airlock hook claude-code\` (docs/agents/claude-code.md)`,
      `  Cursor       \`AIRLOCK_URL=${base} airlock hook cursor\` in .cursor/hooks.json (docs/agents/cursor.md)`,
      '  others       gemini, codex, kiro, copilot: docs/agents/README.md',
      '  any agent    run commands through `npx airlock exec -- CMD` or `npx airlock sh -c SCRIPT`',
      '  ask          `npx airlock check -- kubectl -n prod delete ns payments` explains a decision',
      'Give each agent its own token: `npx airlock agents add NAME`.',
      'Add a human: list them under `humans:` in airlock.yaml (id, groups), then `npx airlock humans passwd ID` (web sign-in)',
      '  and `npx airlock humans token ID` (a personal token for the CLI and API). Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolvePromise) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      clearInterval(sweeper);
      feed.stop();
      server.close(() => resolvePromise());
      closing.abort();
      // Idle keep-alive connections go now and again once the event streams have ended; anything
      // still open after a grace period is cut.
      const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
      http.closeIdleConnections?.();
      setTimeout(() => http.closeIdleConnections?.(), 50).unref();
      setTimeout(() => http.closeAllConnections?.(), CLOSE_GRACE_MS).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // close() flushes webhook deliveries still in flight.
  await a.close();
  return 0;
}
