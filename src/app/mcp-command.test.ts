import { describe, expect, it } from 'vitest';
import { defaultServerName } from './mcp-command.js';

const stdio = (command: string, ...args: string[]) => ({ kind: 'stdio' as const, command, args, env: {}, cwd: '/' });

describe('defaultServerName', () => {
  it.each([
    [stdio('npx', '-y', '@modelcontextprotocol/server-filesystem', '/srv'), 'filesystem'],
    [stdio('npx', '-y', '@modelcontextprotocol/server-github@1.2.3'), 'github'],
    [stdio('uvx', 'mcp-server-git', '--repository', '.'), 'git'],
    [stdio('/usr/local/bin/postgres-mcp-server'), 'postgres'],
    [stdio('node', 'dist/my-tools.js'), 'my-tools'],
    [{ kind: 'http' as const, url: 'https://mcp.linear.app/mcp', headers: {} }, 'mcp.linear.app'],
  ])('%j → %s', (spec, name) => {
    expect(defaultServerName(spec)).toBe(name);
  });
});
