/**
 * The MCP gateway in front of the real `@modelcontextprotocol/server-filesystem`, driven by the
 * official SDK client over stdio and over Streamable HTTP: reads pass, writes in an unprotected
 * path pass, overwriting and moving files in a protected path are held; approved calls run exactly
 * the approved arguments, once; hidden tools are neither listed nor callable; secrets in arguments
 * never reach the audit log.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempWorkdir, humanTokens } from './support/run-cli.js';
import { childrenOf, hermeticEnv, type LiveProcess, startAirlock } from './support/live-process.js';

const FS_SERVER = resolve(import.meta.dirname, '../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

interface ToolResult {
  content: { type: string; text?: string }[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

function config(dir: string, extra = ''): string {
  return `environments:
  prod:
    protected: true
    criticality: critical
    description: the shop's live configuration
    match:
      paths: ["${join(dir, 'files/prod')}"]
  scratch:
    protected: false
    match:
      paths: ["${join(dir, 'files/scratch')}"]
humans:
  - id: alice
    groups: [prod-owners]
  - id: bob
    groups: [prod-owners]
mcp:
  servers:
    filesystem:
      hide: [directory_tree]
${extra}`;
}

const textOf = (r: unknown): string => ((r as ToolResult).content ?? []).map((c) => c.text ?? '').join('\n');
const requestIdOf = (r: unknown): string => {
  const m = /request (req_\w+)/.exec(textOf(r));
  if (m === null) throw new Error(`no request id in: ${textOf(r)}`);
  return m[1] as string;
};

describe('airlock mcp in front of server-filesystem', () => {
  let w: { dir: string; cleanup: () => void };
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  const live: LiveProcess[] = [];
  const as = (who: string, args: readonly string[]) => runCli(args, { cwd: w.dir, env: { AIRLOCK_TOKEN: tokens[who] } });
  const prod = (f: string) => join(w.dir, 'files/prod', f);
  const scratch = (f: string) => join(w.dir, 'files/scratch', f);

  /** The SDK client, talking to `airlock mcp` over stdio, which starts server-filesystem. */
  async function stdioClient(flags: readonly string[] = []): Promise<{ client: Client; stderr: () => string }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--name', 'filesystem', ...flags, '--', process.execPath, FS_SERVER, join(w.dir, 'files')],
      cwd: w.dir,
      env: hermeticEnv(w.dir) as Record<string, string>,
      stderr: 'pipe',
    });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    return { client, stderr: () => err };
  }

  async function approveBoth(id: string): Promise<void> {
    for (const who of ['alice', 'bob']) {
      const r = await as(who, ['approve', '--yes', id]);
      expect(r.code, r.stderr).toBe(0);
    }
  }

  beforeAll(async () => {
    w = tempWorkdir('airlock-mcp-');
    mkdirSync(join(w.dir, 'files/prod'), { recursive: true });
    mkdirSync(join(w.dir, 'files/scratch'), { recursive: true });
    writeFileSync(join(w.dir, 'airlock.yaml'), config(w.dir));
    Object.assign(tokens, await humanTokens(w.dir, ['alice', 'bob']));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(live.splice(0).map((p) => p.stop(1000)));
  });
  afterAll(() => w?.cleanup());

  it('over stdio: reads pass, unprotected writes pass, overwriting and moving protected files are held', async () => {
    writeFileSync(prod('settings.json'), '{"tax": 0.2}\n');
    const { client } = await stdioClient();

    // The briefing names what is protected, after the server's own instructions.
    const instructions = client.getInstructions() ?? '';
    expect(instructions).toContain('prod (protected), criticality critical');
    expect(instructions).toContain(join(w.dir, 'files/prod'));
    expect(instructions).toContain('airlock_status');
    expect(client.getServerVersion()?.name).toBe('secure-filesystem-server');
    expect(client.getServerCapabilities()?.tools).toBeDefined();

    const listed = (await client.listTools()).tools.map((t) => t.name);
    expect(listed).toEqual(expect.arrayContaining(['read_text_file', 'write_file', 'move_file', 'airlock_status']));
    // Least privilege: a tool airlock.yaml hides is not listed, and calling it anyway is refused.
    expect(listed).not.toContain('directory_tree');
    const hidden = (await client.callTool({ name: 'directory_tree', arguments: { path: join(w.dir, 'files') } })) as ToolResult;
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden)).toContain('not available');

    const read = (await client.callTool({ name: 'read_text_file', arguments: { path: prod('settings.json') } })) as ToolResult;
    expect(read.isError).toBeFalsy();
    expect(textOf(read)).toContain('"tax": 0.2');

    const write = (await client.callTool({
      name: 'write_file',
      arguments: { path: scratch('draft.txt'), content: 'draft' },
    })) as ToolResult;
    expect(write.isError, textOf(write)).toBeFalsy();
    expect(readFileSync(scratch('draft.txt'), 'utf8')).toBe('draft');

    const overwrite = (await client.callTool({
      name: 'write_file',
      arguments: { path: prod('settings.json'), content: '{"tax": 0}\n' },
    })) as ToolResult;
    expect(overwrite.isError).toBe(true);
    expect(textOf(overwrite)).toContain('Held for human approval — not run');
    expect(textOf(overwrite)).toMatch(/http:\/\/[^\s]+\/requests\/req_\w+/);
    expect(textOf(overwrite)).toContain('prod-owners');
    expect(readFileSync(prod('settings.json'), 'utf8')).toBe('{"tax": 0.2}\n');

    const move = (await client.callTool({
      name: 'move_file',
      arguments: { source: prod('settings.json'), destination: prod('settings.old.json') },
    })) as ToolResult;
    expect(move.isError).toBe(true);
    expect(textOf(move)).toContain('Held for human approval');
    expect(existsSync(prod('settings.json'))).toBe(true);
    expect(existsSync(prod('settings.old.json'))).toBe(false);

    // airlock_status lists both requests, pending.
    const status = (await client.callTool({ name: 'airlock_status', arguments: {} })) as ToolResult;
    expect(textOf(status)).toContain(requestIdOf(overwrite));
    expect(textOf(status)).toContain(requestIdOf(move));
    expect(textOf(status)).toContain('pending');
  });

  it('an approved call runs exactly the approved arguments, once; other arguments need their own approval', async () => {
    writeFileSync(prod('limits.json'), 'v1\n');
    const { client } = await stdioClient();
    const args = { path: prod('limits.json'), content: 'v2\n' };
    const held = await client.callTool({ name: 'write_file', arguments: args });
    const id = requestIdOf(held);

    // Not approved yet: calling again finds the same request and runs nothing.
    const again = await client.callTool({ name: 'write_file', arguments: args });
    expect(requestIdOf(again)).toBe(id);
    expect(readFileSync(prod('limits.json'), 'utf8')).toBe('v1\n');

    await approveBoth(id);
    // Different content is a different plan: held on a new request, nothing written.
    const other = await client.callTool({ name: 'write_file', arguments: { ...args, content: 'v3\n' } });
    expect(requestIdOf(other)).not.toBe(id);
    expect(readFileSync(prod('limits.json'), 'utf8')).toBe('v1\n');

    const ran = (await client.callTool({ name: 'write_file', arguments: args })) as ToolResult;
    expect(ran.isError, textOf(ran)).toBeFalsy();
    expect(readFileSync(prod('limits.json'), 'utf8')).toBe('v2\n');
    const shown = await as('alice', ['requests', 'show', id]);
    expect(shown.stdout).toContain('executed');

    // Single use: the same call again is a new hold, not a second run.
    writeFileSync(prod('limits.json'), 'v1\n');
    const third = await client.callTool({ name: 'write_file', arguments: args });
    expect(requestIdOf(third)).not.toBe(id);
    expect(readFileSync(prod('limits.json'), 'utf8')).toBe('v1\n');
  });

  it('--wait: a held call waits with progress notifications and runs once approved', async () => {
    writeFileSync(prod('wait.txt'), 'before\n');
    const { client } = await stdioClient(['--wait']);
    const progress: string[] = [];
    const call = client.callTool({ name: 'write_file', arguments: { path: prod('wait.txt'), content: 'after\n' } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ''),
      resetTimeoutOnProgress: true,
      timeout: 60_000,
    });
    // The request appears in the agent's status while the call waits.
    // The agent's own airlock_status (on the same session, while the call waits) names the request.
    let id: string | undefined;
    for (let i = 0; i < 200 && id === undefined; i++) {
      const status = textOf(await client.callTool({ name: 'airlock_status', arguments: {} }));
      id = status
        .split('\n')
        .find((l) => l.includes('wait.txt') && l.includes('pending'))
        ?.match(/req_\w+/)?.[0];
      if (id === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(id).toBeDefined();
    await approveBoth(id as string);
    const result = (await call) as ToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(readFileSync(prod('wait.txt'), 'utf8')).toBe('after\n');
    expect(progress.some((m) => m.includes('waiting for approval') && m.includes(id as string))).toBe(true);
  });

  it('records every call with its decision and outcome, secrets redacted', async () => {
    const { client } = await stdioClient();
    const secret = `ghp_${'A1b2C3d4'.repeat(5)}`;
    await client.callTool({ name: 'search_files', arguments: { path: scratch(''), pattern: secret } });
    await client.callTool({ name: 'read_text_file', arguments: { path: scratch('missing.txt'), apiKey: 'hunter2-hunter2' } });
    // The outcome is recorded just after the result is sent: look until it is there.
    let tail = await runCli(['audit', 'tail', '-n', '40', '--json'], { cwd: w.dir });
    for (let i = 0; i < 20 && !/"isError":\s*true/.test(tail.stdout); i++) {
      await new Promise((r) => setTimeout(r, 100));
      tail = await runCli(['audit', 'tail', '-n', '40', '--json'], { cwd: w.dir });
    }
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).not.toContain(secret);
    expect(tail.stdout).not.toContain('hunter2');
    expect(tail.stdout).toContain('[redacted]');
    const entries = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; payload: Record<string, unknown> });
    const search = entries.find((e) => e.type === 'decision' && JSON.stringify(e.payload).includes('search_files'));
    expect(search).toBeDefined();
    // Outcomes of allowed calls are written in batches: one execution entry lists several calls.
    const outcomes = entries.flatMap((e) =>
      e.type === 'execution' ? ((e.payload.calls as Record<string, unknown>[] | undefined) ?? []) : [],
    );
    const outcome = outcomes.findLast((c) => c.tool === 'read_text_file');
    expect(outcome?.isError).toBe(true);
    expect(outcome?.decisionSeq).toEqual(expect.any(Number));
  });

  it('over Streamable HTTP: the same holds, one upstream per session, each agent its own identity', async () => {
    writeFileSync(prod('http.json'), 'one\n');
    const added = await runCli(['agents', 'add', 'deployer'], { cwd: w.dir });
    expect(added.code, added.stderr).toBe(0);
    const deployerToken = added.stdout.match(/alk_\S+/)?.[0] as string;
    // The gateway's own environment holds an agent token: HTTP clients must never get it.
    const gateway = startAirlock(
      ['mcp', '--listen', '127.0.0.1:0', '--name', 'filesystem', '--', process.execPath, FS_SERVER, join(w.dir, 'files')],
      { cwd: w.dir, env: hermeticEnv(w.dir, { AIRLOCK_AGENT_TOKEN: deployerToken }) },
    );
    live.push(gateway);
    const url = (await gateway.waitFor(/serving Streamable HTTP on (http:\/\/\S+\/mcp)/, 30_000))[1] as string;
    const upstreams = (): number => childrenOf(gateway.child.pid as number);

    // A request the transport refuses starts nothing.
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(init),
    });
    expect(refused.status).toBe(406);
    const badHost = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: 'evil.example' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end(JSON.stringify(init));
    });
    expect(badHost).toBe(403);
    expect(upstreams()).toBe(0);

    const client = new Client({ name: 'e2e-http-agent', version: '1.0.0' });
    clients.push(client);
    const firstTransport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(firstTransport);
    expect(client.getInstructions()).toContain('prod (protected)');
    expect(upstreams()).toBe(1);
    expect(textOf(await client.callTool({ name: 'airlock_status', arguments: {} }))).toContain('You (e2e-http-agent)');

    const read = (await client.callTool({ name: 'read_text_file', arguments: { path: prod('http.json') } })) as ToolResult;
    expect(textOf(read)).toContain('one');
    const write = (await client.callTool({ name: 'write_file', arguments: { path: scratch('http.txt'), content: 'ok' } })) as ToolResult;
    expect(write.isError, textOf(write)).toBeFalsy();
    expect(readFileSync(scratch('http.txt'), 'utf8')).toBe('ok');
    const overwrite = (await client.callTool({ name: 'write_file', arguments: { path: prod('http.json'), content: 'two' } })) as ToolResult;
    expect(textOf(overwrite)).toContain('Held for human approval');
    const move = (await client.callTool({
      name: 'move_file',
      arguments: { source: prod('http.json'), destination: prod('x.json') },
    })) as ToolResult;
    expect(textOf(move)).toContain('Held for human approval');
    expect(readFileSync(prod('http.json'), 'utf8')).toBe('one\n');

    // A second session, with its own bearer token, has its own upstream and identity; ending the
    // first (DELETE) stops its upstream and leaves the gateway serving.
    const second = new Client({ name: 'e2e-http-agent-2', version: '1.0.0' });
    clients.push(second);
    await second.connect(
      new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${deployerToken}` } } }),
    );
    expect(upstreams()).toBe(2);
    expect(textOf(await second.callTool({ name: 'airlock_status', arguments: {} }))).toContain('You (deployer)');
    await firstTransport.terminateSession();
    await client.close();
    for (let i = 0; i < 50 && upstreams() !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(upstreams()).toBe(1);
    const again = (await second.callTool({ name: 'read_text_file', arguments: { path: prod('http.json') } })) as ToolResult;
    expect(textOf(again)).toContain('one');
  });
});
