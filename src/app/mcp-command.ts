/**
 * `airlock mcp`: the MCP gateway. Airlock is the MCP server the agent talks to, in front of the
 * real one: `airlock mcp [--name NAME] -- COMMAND ARGS…` (upstream over stdio) or
 * `airlock mcp --upstream URL` (over Streamable HTTP). Served over stdio, or over Streamable HTTP
 * with `--listen HOST:PORT`.
 */
import { basename } from 'node:path';
import { parseDuration } from '../core/approval.js';
import { AGENT_ID } from '../core/config.js';
import { AirlockError } from '../core/errors.js';
import { openUpstream, type UpstreamSpec } from '../adapters/mcp/upstream.js';
import type { GatewayOptions } from '../interfaces/mcp/gateway-session.js';
import { serveHttp, serveStdio } from '../interfaces/mcp/serve.js';
import { withoutHijackers } from './agent-env.js';
import { bool, list, parseArgs, str } from './args.js';
import type { CliIo } from './cli.js';
import { withAirlock } from './cli.js';

/** Launchers whose first operand names the server (`npx -y @scope/server-x`). */
const LAUNCHERS = new Set(['npx', 'node', 'uvx', 'uv', 'python', 'python3', 'pipx', 'bunx', 'deno', 'docker', 'pnpm', 'yarn', 'bun']);

/**
 * The server's name when --name is not given: the package or program the command runs, without
 * scope and `server-`/`mcp-server-` prefixes (`npx -y @modelcontextprotocol/server-filesystem /srv`
 * → `filesystem`), or the URL's host.
 */
export function defaultServerName(spec: UpstreamSpec): string {
  let word: string;
  if (spec.kind === 'http') word = new URL(spec.url).hostname;
  else {
    const prog = basename(spec.command);
    const operand = LAUNCHERS.has(prog)
      ? spec.args.find((a) => !a.startsWith('-') && a !== 'run' && a !== 'exec' && a !== 'dlx')
      : undefined;
    word = basename((operand ?? prog).replace(/@[^/@]*$/, '').replace(/\.(m?js|ts|py)$/, ''));
  }
  const name = word
    .replace(/^@[^/]+\//, '')
    .replace(/^(mcp-server-|server-|mcp-)/, '')
    .replace(/(-mcp-server|-mcp|-server)$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  return name === '' ? 'mcp' : name;
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port > 65535)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `--listen ${text}: give HOST:PORT or PORT, e.g. 127.0.0.1:7401 (port 0 picks a free one)`,
    });
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

function parseHeader(text: string): [string, string] {
  const i = text.indexOf(':');
  if (i <= 0)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `--header "${text}": give "Name: value", e.g. --header "Authorization: Bearer $TOKEN"`,
    });
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

export async function mcpCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(
    argv,
    {
      name: { value: true },
      upstream: { value: true },
      header: { value: true, repeat: true },
      listen: { value: true },
      agent: { value: true },
      env: { value: true },
      wait: { value: false },
      'no-wait': { value: false },
      'wait-timeout': { value: true },
    },
    { command: 'mcp', stopAtOperand: true },
  );
  const dash = argv.indexOf('--');
  if (args.rest.length > 0 && (dash === -1 || argv.length - dash - 1 !== args.rest.length))
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `airlock mcp: put the server command after --, e.g. \`airlock mcp --name files -- ${args.rest.join(' ')}\``,
    });
  const url = str(args, 'upstream');
  if ((url === undefined) === (args.rest.length === 0))
    throw new AirlockError({
      code: 'BAD_INPUT',
      message:
        'airlock mcp: give the upstream MCP server, either as a command after -- (`airlock mcp --name files -- npx -y @modelcontextprotocol/server-filesystem /srv`) or as --upstream URL (Streamable HTTP), not both',
    });
  if (url !== undefined && !/^https?:\/\//.test(url))
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `--upstream ${url}: give the http:// or https:// URL of a Streamable HTTP MCP endpoint`,
    });
  const { AIRLOCK_TOKEN: _human, AIRLOCK_AGENT_TOKEN: token, ...callerEnv } = io.env;
  const spec: UpstreamSpec =
    url !== undefined
      ? { kind: 'http', url, headers: Object.fromEntries(list(args, 'header').map(parseHeader)) }
      : {
          kind: 'stdio',
          command: args.rest[0] as string,
          args: args.rest.slice(1),
          // The upstream gets the caller's environment, minus Airlock's credentials and variables that would run unjudged code.
          env: withoutHijackers(callerEnv).env,
          cwd: io.cwd,
        };
  const name = str(args, 'name') ?? defaultServerName(spec);
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new AirlockError({ code: 'BAD_INPUT', message: `--name ${name}: server names are letters, digits, dot, dash or underscore` });
  const listen = str(args, 'listen');
  const claimed = str(args, 'agent');
  const waitText = str(args, 'wait-timeout');
  const waitMs = waitText === undefined ? undefined : parseDuration(waitText);
  if (waitMs === null)
    throw new AirlockError({ code: 'BAD_INPUT', message: `--wait-timeout ${waitText}: give a duration such as 90s, 10m or 2h` });
  const log = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  return withAirlock(io, async (airlock) => {
    const mcp = airlock.config.mcp;
    const environment = str(args, 'env');
    const options: GatewayOptions = {
      serverName: name,
      calls: airlock.mcp,
      approvals: airlock.approvals,
      openUpstream: () => openUpstream(spec, { stderr: io.stderr }),
      // stdio: the token in the environment; HTTP: the session's own bearer token, never the gateway's.
      identify: (clientName, bearer) =>
        airlock.identify({
          token: bearer,
          claimedId: claimed ?? agentIdFrom(clientName),
          onBehalfOf: io.env.USER,
        }),
      onHold: bool(args, 'wait') ? 'wait' : bool(args, 'no-wait') ? 'return' : mcp.onHold,
      waitTimeoutMs: waitMs ?? (parseDuration(mcp.waitTimeout) as number),
      upstreamTimeoutMs: parseDuration(mcp.upstreamTimeout) as number,
      log,
      cwd: io.cwd,
      ...(environment === undefined ? {} : { environment }),
    };
    // SIGINT or SIGTERM end the gateway cleanly: calls in flight end and outcomes are recorded.
    const stop = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    if (listen === undefined) {
      await serveStdio(options, {
        stop,
        input: io.stdin as NodeJS.ReadableStream & import('node:stream').Readable,
        output: io.stdout as NodeJS.WritableStream & import('node:stream').Writable,
        maxMessageBytes: mcp.maxMessageBytes,
        ...(token === undefined ? {} : { token }),
      });
      return 0;
    }
    const gateway = await serveHttp(options, {
      ...parseListen(listen),
      maxMessageBytes: mcp.maxMessageBytes,
      idleTimeoutMs: parseDuration(mcp.idleTimeout) as number,
    });
    log(
      `airlock mcp: serving Streamable HTTP on ${gateway.url} in front of "${name}" (${spec.kind === 'http' ? spec.url : [spec.command, ...spec.args].join(' ')})`,
    );
    await stop;
    await gateway.close();
    return 0;
  });
}

/** An agent id from the client's name (`Claude Code` → `claude-code`); `mcp-agent` when there is none. */
function agentIdFrom(clientName: string | undefined): string {
  const id = (clientName ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return AGENT_ID.test(id) ? id : 'mcp-agent';
}
