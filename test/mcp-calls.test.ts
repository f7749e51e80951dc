/**
 * MCP tool calls as proposals, in-process over the real composition (classifiers, Cedar, SQLite,
 * audit log): the call is judged on its real arguments while only a redacted copy is recorded,
 * approvals bind the exact arguments, and hidden tools are refused and recorded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Airlock, createAirlock } from '../src/app/composition.js';
import type { ToolCall } from '../src/core/mcp-calls.js';
import { tempWorkdir } from './support/run-cli.js';

const CONFIG = `environments:
  prod:
    protected: true
    match:
      mcpServers: [ops]
mcp:
  servers:
    ops:
      tools:
        run: { verb: execute, shellArgument: command }
        query: { verb: read, sqlArgument: sql, dialect: postgresql }
      hide: [nuke_*]
`;

let work: { dir: string; cleanup: () => void };
let airlock: Airlock;
const agent = { id: 'ops-agent', authenticated: false };
const call = (tool: string, args: Record<string, unknown>): ToolCall => ({ server: 'ops', tool, arguments: args, agent, roles: [] });

beforeAll(async () => {
  work = tempWorkdir('airlock-mcp-calls-');
  writeFileSync(join(work.dir, 'airlock.yaml'), CONFIG);
  airlock = await createAirlock({ env: {}, cwd: work.dir, eager: true });
});
afterAll(async () => {
  await airlock.close();
  work.cleanup();
});

describe('McpCalls', () => {
  it.each([
    ['a command hidden inside a quoted "password"', 'run', { command: `echo "password '"; rm -rf ~; echo "'"` }],
    ['a command after a private-key marker', 'run', { command: 'echo -----BEGIN A PRIVATE KEY----- ; rm -rf ~' }],
    ['SQL hidden inside a dollar-quoted "password"', 'query', { sql: "SELECT $$password '$$; DROP DATABASE shop; SELECT $$'$$" }],
    ['SQL hidden inside a URL-like password', 'query', { sql: "SELECT 'a://u:';DROP DATABASE shop;SELECT'@'" }],
  ])('judges the real arguments, not the redacted copy: %s', async (_what, tool, args) => {
    const d = await airlock.mcp.propose(call(tool, args));
    expect(d.kind).toBe('denied');
  });

  it('records only the redacted copy of the arguments, and binds a held call to the exact ones', async () => {
    const secret = `ghp_${'Z9'.repeat(20)}`;
    const args = { command: `GITHUB_TOKEN=${secret} kubectl delete deployment api -n payments` };
    const held = await airlock.mcp.propose(call('run', args));
    expect(held.kind).toBe('held');
    if (held.kind !== 'held') return;
    const request = held.opened.request;
    expect(JSON.stringify(request)).not.toContain(secret);
    const log = JSON.stringify(await airlock.store.readAudit({}));
    expect(log).not.toContain(secret);
    expect(log).toContain('[redacted]');
    // The binding is a keyed digest of the real arguments: other arguments are another request.
    const other = await airlock.mcp.propose(call('run', { command: args.command.replace('api', 'web') }));
    expect(other.kind === 'held' && other.opened.request.id).not.toBe(request.id);
    const again = await airlock.mcp.propose(call('run', args));
    expect(again.kind === 'held' && again.opened.request.id).toBe(request.id);
  });

  it('refuses a hidden tool and records the refusal', async () => {
    const d = await airlock.mcp.propose(call('nuke_everything', { confirm: true }));
    expect(d).toMatchObject({ kind: 'denied' });
    expect(await airlock.mcp.usable({ server: 'ops', tool: 'nuke_everything', agent, roles: [] })).toBe(false);
    const entries = await airlock.store.readAudit({});
    expect(entries.at(-1)).toMatchObject({ type: 'mcp.refused', payload: { action: { tool: 'nuke_everything' } } });
  });
});
