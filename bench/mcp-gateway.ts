/**
 * `npm run bench -- mcp`: the MCP gateway's figures (`airlock mcp`), against the test fixture server
 * (test/fixtures/mcp-test-server.mjs), each gateway in a fresh AIRLOCK_HOME (embedded defaults, a
 * fresh SQLite store):
 *  a) added latency of a pass-through tool call over stdio: the SDK client calling `echo` on the
 *     fixture directly and through `airlock mcp`, interleaved in blocks (target ≤ 2 ms added at p50);
 *  b) memory per open session of `airlock mcp --listen` (Streamable HTTP): the gateway's RSS with no
 *     session open and with 20 open, and the RSS of one upstream process (each session starts its own).
 * Figures, not pass/fail.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const FIXTURE = 'test/fixtures/mcp-test-server.mjs';
const WARMUP = 50;
const CALLS = 500;
const BLOCK = 50;
const ADDED_TARGET_MS = 2;
const SESSIONS = 20;
const CALL_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;
const MIB = 1024 * 1024;

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (n: number): string => `${n.toFixed(3)} ms`;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(2)} MiB`;
const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const line = (label: string, xs: readonly number[]): string => {
  const s = sorted(xs);
  return `${label.padEnd(92)} n=${s.length}  p50 ${ms(pct(s, 50))}  p90 ${ms(pct(s, 90))}  p99 ${ms(pct(s, 99))}`;
};
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));

/** The last few KiB a stream wrote, for error messages. */
function tail(stream: NodeJS.EventEmitter | null | undefined): () => string {
  let text = '';
  stream?.on('data', (d: Buffer | string) => {
    text = (text + d.toString()).slice(-4096);
  });
  return () => text.trim();
}

/** An SDK client connected over stdio to `command args…`, and what the process wrote on stderr. */
async function stdioClient(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command, args, cwd, env, stderr: 'pipe' });
  const stderr = tail(transport.stderr);
  const client = new Client({ name: 'airlock-bench', version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: START_TIMEOUT_MS });
  } catch (e) {
    await client.close().catch(() => {});
    throw new Error(`${message(e)}${stderr() ? `; stderr: ${stderr()}` : ''}`);
  }
  return { client, stderr };
}

/** One `echo {text:'hi'}` call, timed; throws unless the answer is the text. */
async function echo(client: Client): Promise<number> {
  const t = performance.now();
  const r = await client.callTool({ name: 'echo', arguments: { text: 'hi' } }, undefined, { timeout: CALL_TIMEOUT_MS });
  const elapsed = performance.now() - t;
  const content = 'content' in r ? JSON.stringify(r.content) : undefined;
  if (r.isError === true || content !== '[{"type":"text","text":"hi"}]') throw new Error(`echo answered ${JSON.stringify(r)}`);
  return elapsed;
}

/** The resident set size of a process, in bytes (VmRSS from /proc), or NaN if it cannot be read. */
function rss(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** A process's direct children, from /proc/PID/task/N/children. */
function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const file = `/proc/${pid}/task/${task}/children`;
      if (!existsSync(file)) continue;
      for (const c of readFileSync(file, 'utf8').trim().split(/\s+/)) if (c !== '') out.push(Number(c));
    }
  } catch {
    // The process is gone.
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The gateway's descendants running the fixture: its upstream processes (a wrapper shell in between is looked through). */
function upstreams(pid: number): number[] {
  const found: number[] = [];
  const queue = children(pid);
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    if (cmdline(p).includes('mcp-test-server.mjs')) found.push(p);
    else queue.push(...children(p));
  }
  return found;
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

/** Stops a child process started here: SIGTERM, then SIGKILL after `graceMs`. */
async function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(graceMs)]);
}

/** A fresh AIRLOCK_HOME, also the gateway's working directory, and the environment to run it with. */
function freshHome(): { home: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'airlock-bench-mcp-'));
  return { home, env: { AIRLOCK_HOME: home, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } };
}

/** Figure a: direct against through `airlock mcp`, over stdio, interleaved blocks. */
async function benchPassThrough(root: string, bin: string): Promise<void> {
  const fixture = join(root, FIXTURE);
  const { home, env } = freshHome();
  const clients: Client[] = [];
  try {
    const direct = await stdioClient(process.execPath, [fixture], root, { PATH: env.PATH ?? '', HOME: env.HOME ?? '' });
    clients.push(direct.client);
    const gateway = await stdioClient(process.execPath, [bin, 'mcp', '--name', 'fixture', '--', process.execPath, fixture], home, env);
    clients.push(gateway.client);
    for (let i = 0; i < WARMUP; i++) {
      await echo(direct.client);
      await echo(gateway.client);
    }
    const directTimes: number[] = [];
    const gatewayTimes: number[] = [];
    for (let block = 0; block < CALLS / BLOCK; block++) {
      for (let i = 0; i < BLOCK; i++) directTimes.push(await echo(direct.client));
      for (let i = 0; i < BLOCK; i++) gatewayTimes.push(await echo(gateway.client));
    }
    console.log(
      `  a) pass-through tool call over stdio: SDK Client calling echo {text:'hi'}, ${WARMUP} warm-up calls each, then blocks of ${BLOCK} in turn (direct, gateway, …)`,
    );
    console.log(line(`     direct: node ${FIXTURE}`, directTimes));
    console.log(line(`     through the gateway: airlock mcp --name fixture -- node ${FIXTURE}`, gatewayTimes));
    const d = sorted(directTimes);
    const g = sorted(gatewayTimes);
    const added = pct(g, 50) - pct(d, 50);
    console.log(
      `     added by the gateway: p50 +${ms(added)}  p90 +${ms(pct(g, 90) - pct(d, 90))}  p99 +${ms(pct(g, 99) - pct(d, 99))}  target p50 ≤ ${ADDED_TARGET_MS} ms over stdio: ${added <= ADDED_TARGET_MS ? 'met' : 'NOT met'}`,
    );
  } catch (e) {
    console.log(`  a) pass-through tool call over stdio: failed: ${message(e)}`);
  } finally {
    // Closing a stdio client ends the server's stdin, then SIGTERM, then SIGKILL (the SDK's own escalation).
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    rmSync(home, { recursive: true, force: true });
  }
}

/** Starts `airlock mcp --listen 127.0.0.1:0` and resolves with its endpoint once it says it is serving. */
function listen(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`airlock mcp --listen did not say it was serving within ${START_TIMEOUT_MS / 1000} s; stderr: ${stderr()}`));
    }, START_TIMEOUT_MS);
    child.stderr?.on('data', () => {
      const m = /airlock mcp: serving Streamable HTTP on (http:\/\/\S+\/mcp)/.exec(stderr());
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`airlock mcp --listen exited (${signal ?? code}); stderr: ${stderr()}`));
    });
  });
}

/** One agent session over Streamable HTTP: initialize, then one echo. */
async function openSession(endpoint: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(endpoint));
  const client = new Client({ name: 'airlock-bench', version: '1.0.0' });
  try {
    await client.connect(transport, { timeout: START_TIMEOUT_MS });
    await echo(client);
  } catch (e) {
    await client.close().catch(() => {});
    throw e;
  }
  return { client, transport };
}

async function closeSession(s: { client: Client; transport: StreamableHTTPClientTransport }): Promise<void> {
  // DELETE the session, so the gateway ends its upstream, then drop the client.
  await s.transport.terminateSession().catch(() => {});
  await s.client.close().catch(() => {});
}

/** Figure b: the gateway's memory per open Streamable HTTP session, and one upstream process's. */
async function benchSessionMemory(root: string, bin: string): Promise<void> {
  const fixture = join(root, FIXTURE);
  const { home, env } = freshHome();
  const sessions: { client: Client; transport: StreamableHTTPClientTransport }[] = [];
  const seen = new Set<number>();
  let gateway: ChildProcess | undefined;
  try {
    gateway = spawn(process.execPath, [bin, 'mcp', '--listen', '127.0.0.1:0', '--name', 'fixture', '--', process.execPath, fixture], {
      cwd: home,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const pid = gateway.pid;
    if (pid === undefined) throw new Error('airlock mcp --listen did not start');
    const endpoint = await listen(gateway, tail(gateway.stderr));
    await sleep(500);
    const cold = rss(pid);
    if (Number.isNaN(cold)) throw new Error(`cannot read /proc/${pid}/status (Linux only)`);
    // One session opened and closed first, so that what the first session loads once (modules,
    // policy engine) is not counted per session.
    await closeSession(await openSession(endpoint));
    await sleep(500);
    const warm = rss(pid);
    const opening: number[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const t = performance.now();
      sessions.push(await openSession(endpoint));
      opening.push(performance.now() - t);
    }
    await sleep(500);
    const after = rss(pid);
    const ups = upstreams(pid);
    for (const p of ups) seen.add(p);
    const upstreamRss = sorted(ups.map(rss).filter((n) => !Number.isNaN(n)));
    console.log(
      `  b) memory per open session: airlock mcp --listen 127.0.0.1:0 --name fixture -- node ${FIXTURE}; ${SESSIONS} Streamable HTTP sessions opened one after the other (initialize + one echo each) and kept open`,
    );
    console.log(
      `     gateway RSS (VmRSS): ${mib(cold)} with no session ever opened, ${mib(warm)} after one session opened and closed, ${mib(after)} with ${SESSIONS} open`,
    );
    console.log(
      `     gateway memory per open session: ${mib((after - cold) / SESSIONS)} from the first figure, ${mib((after - warm) / SESSIONS)} from the second`,
    );
    console.log(
      `     upstream processes: ${ups.length} for ${SESSIONS} open sessions; RSS of one: ${upstreamRss.length > 0 ? `${mib(pct(upstreamRss, 50))} (median; min ${mib(upstreamRss[0] ?? Number.NaN)}, max ${mib(upstreamRss.at(-1) ?? Number.NaN)})` : 'none found'}`,
    );
    console.log(line('     opening a session (initialize, upstream started, one echo)', opening));
    await Promise.all(sessions.splice(0).map(closeSession));
    let left = upstreams(pid).length;
    for (let i = 0; i < 30 && left > 0; i++) {
      await sleep(100);
      left = upstreams(pid).length;
    }
    console.log(`     after the ${SESSIONS} sessions were closed (DELETE): ${left} upstream process(es) left`);
  } catch (e) {
    console.log(`  b) memory per open session: failed: ${message(e)}`);
  } finally {
    await Promise.all(sessions.map(closeSession));
    if (gateway) {
      if (gateway.pid !== undefined) for (const p of upstreams(gateway.pid)) seen.add(p);
      await stop(gateway);
    }
    // Upstream processes the gateway left behind (checked to still be the fixture, not a reused pid).
    for (const p of seen) if (alive(p) && cmdline(p).includes('mcp-test-server.mjs')) process.kill(p, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

/** Prints the MCP gateway's figures. `root`: the repository; `bin`: bin/airlock.js. */
export async function benchMcpGateway(options: { root: string; bin: string }): Promise<void> {
  console.log('\n== MCP gateway ==');
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(
    `machine: ${cpus().length} cores, load average ${load.join(' ')} (shared: figures vary between runs); node ${process.version}`,
  );
  await benchPassThrough(options.root, options.bin);
  await benchSessionMemory(options.root, options.bin);
}
