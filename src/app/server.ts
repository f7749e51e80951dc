/**
 * `airlock up` (and `npm start`): starts the gateway's HTTP API and web UI on the embedded
 * defaults and prints what runs where and how to connect an agent.
 */
import { serve } from '@hono/node-server';
import { relative } from 'node:path';
import { AirlockError } from '../core/errors.js';
import { createHttpApp } from '../interfaces/http/http-app.js';
import { parseArgs, str } from './args.js';
import type { CliIo } from './cli.js';
import { createAirlock } from './composition.js';
import { targetingEnv } from './agent-env.js';
import { adapterFor, decideHook } from './hook-command.js';
import { VERSION } from './version.js';

/** Starts the server; resolves with 0 after SIGINT/SIGTERM closed it. */
export async function upCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { port: { value: true }, host: { value: true } }, { command: 'up' });
  const airlock = await createAirlock({ env: io.env, cwd: io.cwd, eager: true });
  const host = str(args, 'host') ?? io.env.AIRLOCK_HOST ?? airlock.config.server.host;
  const portText = str(args, 'port') ?? io.env.AIRLOCK_PORT;
  const port = portText === undefined ? airlock.config.server.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    await airlock.close();
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `--port (or AIRLOCK_PORT) must be a whole number from 0 to 65535, not "${portText}"`,
    });
  }
  const app = createHttpApp({
    gateway: airlock.gateway,
    identify: (o) => airlock.identify(o),
    readAudit: (o) => airlock.store.readAudit(o),
    auditHead: () => airlock.store.auditHead(),
    version: VERSION,
    hook: async (client, payload, o) =>
      decideHook(airlock, await adapterFor(client), payload, {
        token: o.token,
        onBehalfOf: o.onBehalfOf,
        // Only the targeting variables, whatever the caller sent.
        ...(o.env === undefined ? {} : { env: targetingEnv(o.env) }),
      }),
  });
  const server = serve({ fetch: app.fetch, hostname: host, port });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once('listening', () => resolvePromise());
      server.once('error', reject);
    });
  } catch (err) {
    await airlock.close();
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
  const base = airlock.config.server.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const rel = (p: string): string => relative(io.cwd, p) || '.';
  const head = await airlock.store.auditHead();
  io.stdout.write(
    [
      `Airlock ${VERSION} is running.`,
      `  web UI      ${base}/`,
      `  HTTP API    ${base}/v1/check (what-if), ${base}/v1/decisions (agents, with a token)`,
      `  config      ${airlock.paths.configFile === null ? 'embedded defaults (write one with `npx airlock init`)' : rel(airlock.paths.configFile)}`,
      `  store       SQLite at ${rel(airlock.paths.dataDir)}/ (${head ? head.seq : 0} audit entries)`,
      `  policy      ${airlock.config.policies.defaultPack ? 'default pack' : 'no default pack'}${airlock.config.policies.paths.length ? ` + ${airlock.config.policies.paths.join(', ')}` : ''} (set ${airlock.policy.policySetHash.slice(0, 12)})`,
      `  signing key ${airlock.signer.keyId} in ${rel(airlock.paths.dataDir)}/keys/`,
      '',
      'Connect an agent:',
      `  Claude Code  a PreToolUse hook running \`AIRLOCK_URL=${base} airlock hook claude-code\` (docs/agents/claude-code.md)`,
      `  Cursor       \`AIRLOCK_URL=${base} airlock hook cursor\` in .cursor/hooks.json (docs/agents/cursor.md)`,
      '  others       gemini, codex, kiro, copilot: docs/agents/README.md',
      '  any agent    run commands through `npx airlock exec -- CMD` or `npx airlock sh -c SCRIPT`',
      '  ask          `npx airlock check -- kubectl -n prod delete ns payments` explains a decision',
      'Give each agent its own token: `npx airlock agents add NAME`. Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolvePromise) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolvePromise());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await airlock.close();
  return 0;
}
