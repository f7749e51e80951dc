/**
 * The MCP gateway passes the protocol through faithfully (capabilities, resources, prompts,
 * logging, progress, cancellation, sampling, Streamable HTTP upstreams) and stays up and clear
 * when things go wrong: malformed JSON-RPC, oversized messages, an upstream that crashes, hangs
 * or cannot start. Real processes: `airlock mcp` in front of test/fixtures/mcp-test-server.mjs,
 * driven by the official SDK client or by raw JSON-RPC lines.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempWorkdir } from './support/run-cli.js';
import { childrenOf, hermeticEnv, type LiveProcess, startAirlock } from './support/live-process.js';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/mcp-test-server.mjs');

interface ToolResult {
  content: { type: string; text?: string }[];
  isError?: boolean;
}
const textOf = (r: unknown): string => ((r as ToolResult).content ?? []).map((c) => c.text ?? '').join('\n');

describe('airlock mcp: protocol pass-through and failure handling', () => {
  let w: { dir: string; cleanup: () => void };
  const clients: Client[] = [];
  const procs: ChildProcessWithoutNullStreams[] = [];
  const live: LiveProcess[] = [];

  function gatewayArgs(upstream: readonly string[] = [process.execPath, FIXTURE]): string[] {
    return [BIN, 'mcp', '--name', 'fixture', '--', ...upstream];
  }

  async function connect(
    options: { upstream?: readonly string[]; env?: Record<string, string>; capabilities?: Record<string, unknown> } = {},
  ): Promise<{ client: Client; stderr: () => string }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: gatewayArgs(options.upstream),
      cwd: w.dir,
      env: hermeticEnv(w.dir, options.env ?? {}) as Record<string, string>,
      stderr: 'pipe',
    });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    const client = new Client({ name: 'protocol-test', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
    clients.push(client);
    await client.connect(transport);
    return { client, stderr: () => err };
  }

  beforeAll(() => {
    w = tempWorkdir('airlock-mcp-proto-');
    writeFileSync(join(w.dir, 'airlock.yaml'), 'mcp:\n  upstreamTimeout: 2s\n  maxMessageBytes: 4096\n');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    for (const p of procs.splice(0)) p.kill('SIGKILL');
    await Promise.all(live.splice(0).map((p) => p.stop(1000)));
  });
  afterAll(() => w?.cleanup());

  it('mirrors capabilities and passes resources, prompts, logging, progress, cancellation and sampling through', async () => {
    const { client } = await connect({ env: { FIXTURE_LOG: '1' }, capabilities: { sampling: {} } });
    const caps = client.getServerCapabilities();
    expect(caps?.resources).toBeDefined();
    expect(caps?.prompts).toBeDefined();
    expect(caps?.logging).toBeDefined();
    expect(client.getServerVersion()?.name).toBe('test-fixture');
    expect(client.getInstructions()).toMatch(/^Test fixture server\.\n\nAirlock \(change control\)/);

    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['fixture://readme']);
    const readme = await client.readResource({ uri: 'fixture://readme' });
    expect(readme.contents[0]).toMatchObject({ text: 'fixture readme' });
    const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    expect(prompt.messages[0]?.content).toMatchObject({ type: 'text', text: 'Hello, Ada' });

    const logs: unknown[] = [];
    client.fallbackNotificationHandler = async (n) => {
      if (n.method === 'notifications/message') logs.push(n.params);
    };
    await client.setLoggingLevel('info');
    const progress: number[] = [];
    const counted = await client.callTool({ name: 'slow_count', arguments: { steps: 4, delayMs: 5 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(textOf(counted)).toBe('counted to 4');
    // The SDK client may drop a progress notification read in the same chunk as the result (it
    // hands notifications over a microtask later), so only the earlier steps are certain.
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);
    expect(progress.length).toBeLessThanOrEqual(4);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', data: 'called slow_count' }));

    // Cancellation reaches the upstream: the agent aborts, the fixture counts a cancelled call.
    const controller = new AbortController();
    const slow = client.callTool({ name: 'slow_count', arguments: { steps: 50, delayMs: 100 } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort(),
    });
    await expect(slow).rejects.toThrow();
    let cancelled = '0';
    for (let i = 0; i < 50 && cancelled === '0'; i++) {
      cancelled = textOf(await client.callTool({ name: 'cancelled_count', arguments: {} }));
      if (cancelled === '0') await new Promise((r) => setTimeout(r, 50));
    }
    expect(cancelled).toBe('1');

    // Server-to-client requests (sampling) reach the agent and its answer goes back.
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      role: 'assistant',
      model: 'test-model',
      content: { type: 'text', text: 'hi from the agent' },
    }));
    expect(textOf(await client.callTool({ name: 'sample', arguments: {} }))).toBe('hi from the agent');
  });

  it('answers malformed and oversized JSON-RPC with clean errors and keeps serving', async () => {
    const child = spawn(process.execPath, gatewayArgs(), { cwd: w.dir, env: hermeticEnv(w.dir), stdio: 'pipe' });
    procs.push(child);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const reply = async (pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      for (let i = 0; i < 300; i++) {
        const found = out
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find(pred);
        if (found !== undefined) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no matching reply in:\n${out}`);
    };
    const send = (line: string): void => {
      child.stdin.write(`${line}\n`);
    };
    send('this is not json');
    expect(await reply((m) => m.id === null)).toMatchObject({ error: { code: -32700 } });
    send('{"jsonrpc":"2.0","id":7,"method":5}');
    expect(await reply((m) => m.id === 7)).toMatchObject({ error: { code: -32600 } });
    send('{"jsonrpc":"2.0","id":8,"method":"tools/list"}');
    expect(((await reply((m) => m.id === 8)).error as { message: string }).message).toContain('initialize first');
    send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
    expect(await reply((m) => m.id === 1)).toMatchObject({ result: { serverInfo: { name: 'test-fixture' } } });
    send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    out = '';
    send(
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'y'.repeat(10_000) } } }),
    );
    const big = await reply((m) => (m.error as { message?: string } | undefined)?.message?.includes('too large') === true);
    expect(big).toMatchObject({ id: null, error: { code: -32600 } });
    expect((big.error as { message: string }).message).toContain('4096 bytes');
    send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'still here' } } }));
    expect(await reply((m) => m.id === 3)).toMatchObject({ result: { content: [{ type: 'text', text: 'still here' }] } });
    send(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { arguments: {} } }));
    expect(await reply((m) => m.id === 4)).toMatchObject({ error: { code: -32602 } });
    expect(child.exitCode).toBeNull();
  });

  it('an agent that hangs up right after a call: the call still ends and its outcome is recorded', async () => {
    const child = spawn(process.execPath, gatewayArgs(), { cwd: w.dir, env: hermeticEnv(w.dir), stdio: 'pipe' });
    procs.push(child);
    const lines = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hangup', version: '1' } },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow_count', arguments: { steps: 3, delayMs: 50 } } },
    ];
    child.stdin.end(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, err).toBe(0);
    expect(err).not.toContain('could not be recorded');
    const tail = await runCli(['audit', 'tail', '-n', '20', '--json'], { cwd: w.dir });
    const outcomes = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; payload: { calls?: { tool: string }[] } })
      .flatMap((e) => (e.type === 'execution' ? (e.payload.calls ?? []) : []));
    expect(outcomes.map((c) => c.tool)).toContain('slow_count');
  });

  it('an upstream that crashes: the call fails naming it, later calls fail cleanly, the gateway stays up', async () => {
    const { client } = await connect();
    await expect(client.callTool({ name: 'crash', arguments: {} })).rejects.toThrow(
      /exited or closed the connection.*crashing on purpose/s,
    );
    await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow(/Restart the session/);
    await client.ping();
    // airlock_status is Airlock's own and still answers.
    expect(textOf(await client.callTool({ name: 'airlock_status', arguments: {} }))).toContain('no approval requests');
  });

  it('an upstream that hangs: the call times out naming the limit, the upstream is told to cancel, nothing is stuck', async () => {
    const { client } = await connect();
    await expect(client.callTool({ name: 'hang', arguments: {} })).rejects.toThrow(/did not answer tools\/call within 2 s/);
    expect(textOf(await client.callTool({ name: 'cancelled_count', arguments: {} }))).toBe('1');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'after' } }))).toBe('after');
  });

  it('an upstream that cannot start: initialize fails with the reason', async () => {
    await expect(
      connect({ upstream: [process.execPath, '-e', 'process.stderr.write("boom: missing config\\n"); process.exit(1)'] }),
    ).rejects.toThrow(/could not start the MCP server "fixture".*boom: missing config/s);
  });

  it('over HTTP, a session idle for longer than mcp.idleTimeout is closed with its upstream', async () => {
    const idle = tempWorkdir('airlock-mcp-idle-');
    try {
      writeFileSync(join(idle.dir, 'airlock.yaml'), 'mcp:\n  idleTimeout: 1s\n');
      const gateway = startAirlock(['mcp', '--listen', '127.0.0.1:0', '--name', 'fixture', '--', process.execPath, FIXTURE], {
        cwd: idle.dir,
        env: hermeticEnv(idle.dir),
      });
      live.push(gateway);
      const url = (await gateway.waitFor(/serving Streamable HTTP on (http:\/\/\S+\/mcp)/, 30_000))[1] as string;
      const client = new Client({ name: 'idle', version: '1.0.0' });
      clients.push(client);
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('a');
      expect(childrenOf(gateway.child.pid as number)).toBe(1);
      await gateway.waitFor(/closing session \S+: idle for more than 1 s/, 10_000);
      for (let i = 0; i < 50 && childrenOf(gateway.child.pid as number) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(childrenOf(gateway.child.pid as number)).toBe(0);
      await expect(client.callTool({ name: 'echo', arguments: { text: 'b' } })).rejects.toThrow(/not open|404/);
    } finally {
      idle.cleanup();
    }
  });

  it('--upstream URL: a Streamable HTTP upstream (here another gateway serving HTTP) passes through', async () => {
    const front = startAirlock(['mcp', '--listen', '127.0.0.1:0', '--name', 'fixture', '--', process.execPath, FIXTURE], {
      cwd: w.dir,
      env: hermeticEnv(w.dir),
    });
    live.push(front);
    const url = (await front.waitFor(/serving Streamable HTTP on (http:\/\/\S+\/mcp)/, 30_000))[1] as string;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--name', 'fixture', '--upstream', url],
      cwd: w.dir,
      env: hermeticEnv(w.dir) as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'chained', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe('test-fixture');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'through two gateways' } }))).toBe('through two gateways');
    // Only one airlock_status, Airlock's own, is listed.
    expect((await client.listTools()).tools.filter((t) => t.name === 'airlock_status')).toHaveLength(1);
  });
});
