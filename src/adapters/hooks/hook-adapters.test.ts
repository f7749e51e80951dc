/**
 * Replays the recorded hook payloads of every client (test/fixtures/hooks/<client>/*.json):
 * parse → the expected Action; respond with a constructed Verdict → the exact protocol output.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../core/action.js';
import { assessmentFromEffects, type RiskClass } from '../../core/assessment.js';
import type { Decision, Verdict } from '../../core/decision.js';
import { AirlockError } from '../../core/errors.js';
import { applyPatchTarget } from './codex-hook-adapter.js';
import { HOOK_CLIENTS, hookAdapters, isHookClient, type HookClient, type HookRequest } from './hook-adapter.js';
import { commandText, objectOrJsonString, splitDoubleUnderscoreMcpName } from './hook-common.js';
import { useAwsCommand } from './kiro-hook-adapter.js';

function fixture(client: HookClient, name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/hooks/${client}/${name}.json`, import.meta.url), 'utf8')) as unknown;
}

const GUIDANCE =
  'payments is a protected namespace in prod-eu. Ask for approval with `airlock request`, or roll the deployment back instead.';
const URL_ = 'https://airlock.example.com/requests/req_01JB2X';

/** A hold one approval from anyone lifts: the only kind a client's "ask" may stand for. */
const ONE_APPROVAL = { approvals: 1, groups: [], alternatives: [] };

function verdict(
  outcome: Decision['outcome'],
  risk: RiskClass = 'destructive',
  guidance = GUIDANCE,
  requirement: { approvals: number; groups: string[]; alternatives: string[] } = ONE_APPROVAL,
): Verdict {
  const base = { reasons: ['destructive action in a protected environment'], guidance, policies: [], errors: [] };
  const decision: Decision =
    outcome === 'hold' ? { ...base, outcome, requirement } : outcome === 'allow' ? { ...base, outcome } : { ...base, outcome };
  return {
    proposalId: 'prop_01JB2X',
    assessment: assessmentFromEffects({
      kind: 'k8s',
      effects: [
        {
          verb: risk === 'read' ? 'read' : 'delete',
          resource: 'namespace/payments',
          scope: risk === 'read' ? 'none' : 'namespace',
          reversible: false,
          risk,
          disruptive: false,
          reason: 'deletes a namespace',
        },
      ],
    }),
    environment: { name: 'prod', protected: true, how: 'context prod-eu', resources: [] },
    decision,
    policySetHash: 'a'.repeat(64),
  };
}

const HOLD_TEXT = `Airlock is holding this command for human approval (risk: destructive; delete namespace/payments (namespace)). ${GUIDANCE} Approval request: ${URL_}`;
const DENY_TEXT = `Airlock denied this command (risk: destructive; delete namespace/payments (namespace)). ${GUIDANCE} Request: ${URL_}`;
const ALLOW_GUIDANCE = 'Reading is allowed here.';
const ALLOW_TEXT = `Airlock allowed this command (risk: read). ${ALLOW_GUIDANCE}`;

function parsed(client: HookClient, name: string): HookRequest {
  return hookAdapters[client].parse(fixture(client, name));
}

function expectBadInput(client: HookClient, payload: unknown, field: RegExp): void {
  let caught: unknown;
  try {
    hookAdapters[client].parse(payload);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AirlockError);
  expect((caught as AirlockError).code).toBe('BAD_INPUT');
  expect((caught as AirlockError).message).toMatch(field);
}

function json(stdout: string): unknown {
  expect(stdout.endsWith('\n')).toBe(true);
  return JSON.parse(stdout) as unknown;
}

const shell = (command: string): Action => ({ kind: 'shell', command });

describe('registry', () => {
  it('has one adapter per client, each naming its client', () => {
    for (const client of HOOK_CLIENTS) expect(hookAdapters[client].client).toBe(client);
    expect(Object.keys(hookAdapters).sort()).toEqual([...HOOK_CLIENTS].sort());
    expect(isHookClient('codex')).toBe(true);
    expect(isHookClient('windsurf')).toBe(false);
  });

  it.each(HOOK_CLIENTS)('%s fails closed: never an allow, on any input', (client) => {
    const adapter = hookAdapters[client];
    for (const request of [undefined, parsed(client, 'benign-bash')]) {
      const r = adapter.failClosed('gateway unreachable', request);
      const text = `${r.stdout}${r.stderr}`;
      expect(text).toMatch(/fail closed/);
      expect(text).toMatch(/gateway unreachable/);
      expect(r.stdout).not.toMatch(/"allow"/);
      const blocksByExit = r.exitCode === 2;
      const blocksByJson = /"deny"/.test(r.stdout);
      expect(blocksByExit || blocksByJson).toBe(true);
    }
  });

  it.each(HOOK_CLIENTS)('%s rejects payloads that are not JSON objects', (client) => {
    for (const bad of [null, 'PreToolUse', 42, [1, 2]]) expectBadInput(client, bad, /\(root\)/);
  });
});

describe('claude-code', () => {
  const a = hookAdapters['claude-code'];

  it('parses a benign Bash call', () => {
    expect(parsed('claude-code', 'benign-bash')).toEqual({
      client: 'claude-code',
      event: 'PreToolUse',
      toolName: 'Bash',
      action: shell('git status --short'),
      cwd: '/home/alice/shop',
      session: '5c3e0f7a-8d4b-4f5e-9a61-2b7d1c9e4a10',
      intent: 'Show working tree status',
      raw: fixture('claude-code', 'benign-bash'),
    });
  });

  it('parses a destructive Bash call, Write, MultiEdit, an MCP call and a todo list', () => {
    expect(parsed('claude-code', 'destructive-bash').action).toEqual(shell('kubectl --context prod-eu delete namespace payments'));
    expect(parsed('claude-code', 'file-write').action).toEqual({
      kind: 'file',
      operation: 'write',
      path: '/home/alice/shop/src/config/feature-flags.ts',
    });
    expect(parsed('claude-code', 'file-edit').action).toEqual({
      kind: 'file',
      operation: 'edit',
      path: '/home/alice/shop/.env.production',
    });
    expect(parsed('claude-code', 'mcp-call').action).toEqual({
      kind: 'mcp',
      server: 'supabase',
      tool: 'execute_sql',
      arguments: { project_id: 'qwxyzabcdefghijklmno', query: "DELETE FROM orders WHERE created_at < now() - interval '30 days'" },
    });
    expect(parsed('claude-code', 'todo').action).toBeNull();
  });

  it('rejects a malformed payload naming the field', () => {
    expectBadInput('claude-code', fixture('claude-code', 'malformed'), /"tool_input\.command"/);
    expectBadInput('claude-code', { hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {} }, /"hook_event_name"/);
    expectBadInput('claude-code', { hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: {} }, /"tool_input\.file_path"/);
  });

  it('answers allow, hold (ask) and deny in hookSpecificOutput', () => {
    const req = parsed('claude-code', 'destructive-bash');
    const allow = a.respond(req, verdict('allow', 'read', ALLOW_GUIDANCE));
    expect(json(allow.stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: ALLOW_TEXT },
    });
    const hold = a.respond(req, verdict('hold'), { requestUrl: URL_ });
    expect(json(hold.stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: HOLD_TEXT },
    });
    const deny = a.respond(req, verdict('deny'), { requestUrl: URL_ });
    expect(json(deny.stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: DENY_TEXT },
    });
    for (const r of [allow, hold, deny]) expect([r.exitCode, r.stderr]).toEqual([0, '']);
  });

  it('never lets one click stand for more than one approval: a hold for two, or for a group, is a deny', () => {
    const req = parsed('claude-code', 'destructive-bash');
    for (const requirement of [
      { approvals: 2, groups: [], alternatives: [] },
      { approvals: 1, groups: ['prod-owners'], alternatives: [] },
    ]) {
      const out = json(a.respond(req, verdict('hold', 'destructive', GUIDANCE, requirement)).stdout) as {
        hookSpecificOutput: { permissionDecision: string };
      };
      expect(out.hookSpecificOutput.permissionDecision).toBe('deny');
    }
  });

  it('passes ungated tools through with no opinion, and fails closed with exit 2', () => {
    expect(a.passThrough(parsed('claude-code', 'todo'))).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    const r = a.failClosed('timeout after 5s');
    expect(r.exitCode).toBe(2);
    expect((json(r.stdout) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('falls back to the human reasons when the core wrote no guidance', () => {
    const r = a.respond(parsed('claude-code', 'destructive-bash'), verdict('deny', 'destructive', ''));
    expect(r.stdout).toContain('destructive action in a protected environment');
  });
});

describe('cursor', () => {
  const a = hookAdapters.cursor;

  it('parses beforeShellExecution, beforeMCPExecution, beforeReadFile and preToolUse', () => {
    expect(parsed('cursor', 'benign-bash')).toEqual({
      client: 'cursor',
      event: 'beforeShellExecution',
      toolName: 'Shell',
      action: shell('npm test -- --runInBand'),
      cwd: '/home/alice/shop',
      session: 'c2b7e1f4-3a9d-4e8b-a1c6-5f0d2e9b7a31',
      raw: fixture('cursor', 'benign-bash'),
    });
    expect(parsed('cursor', 'destructive-bash').action).toEqual(shell(`psql "$DATABASE_URL" -c 'DROP TABLE customers CASCADE'`));
    expect(parsed('cursor', 'mcp-call').action).toEqual({
      kind: 'mcp',
      server: 'mcp.supabase.com',
      tool: 'delete_branch',
      arguments: { branch_id: 'br-main-7f3k2' },
    });
    expect(parsed('cursor', 'file-read').action).toEqual({ kind: 'file', operation: 'read', path: '/home/alice/shop/.env' });
    expect(parsed('cursor', 'file-write')).toMatchObject({
      event: 'preToolUse',
      toolName: 'Write',
      action: { kind: 'file', operation: 'write', path: '/home/alice/shop/deploy/values-prod.yaml' },
    });
  });

  it('rejects a malformed payload naming the field', () => {
    expectBadInput('cursor', fixture('cursor', 'malformed'), /"command"/);
    expectBadInput('cursor', { hook_event_name: 'beforeMCPExecution', tool_name: 'q', tool_input: '{not json' }, /"tool_input"/);
    expectBadInput('cursor', { hook_event_name: 'afterFileEdit', file_path: 'x' }, /"hook_event_name"/);
  });

  it('answers with permission, user_message and agent_message; ask on shell and MCP holds', () => {
    const req = parsed('cursor', 'destructive-bash');
    expect(json(a.respond(req, verdict('allow', 'read', ALLOW_GUIDANCE)).stdout)).toEqual({ permission: 'allow' });
    const hold = a.respond(req, verdict('hold'), { requestUrl: URL_ });
    expect(json(hold.stdout)).toEqual({
      permission: 'ask',
      user_message: `Airlock is holding for approval a destructive command. ${URL_}`,
      agent_message: HOLD_TEXT,
    });
    expect(json(a.respond(req, verdict('deny'), { requestUrl: URL_ }).stdout)).toEqual({
      permission: 'deny',
      user_message: `Airlock denied a destructive command. ${URL_}`,
      agent_message: DENY_TEXT,
    });
    expect(json(a.respond(parsed('cursor', 'mcp-call'), verdict('hold')).stdout)).toMatchObject({ permission: 'ask' });
    expect(hold.exitCode).toBe(0);
  });

  it('holds become deny where Cursor documents no ask; beforeReadFile takes permission only', () => {
    expect(json(a.respond(parsed('cursor', 'file-write'), verdict('hold')).stdout)).toMatchObject({ permission: 'deny' });
    expect(json(a.respond(parsed('cursor', 'file-read'), verdict('hold')).stdout)).toEqual({ permission: 'deny' });
    expect(json(a.respond(parsed('cursor', 'file-read'), verdict('allow', 'read', ALLOW_GUIDANCE)).stdout)).toEqual({
      permission: 'allow',
    });
  });

  it('passes through with {} and fails closed with a JSON deny on exit 0', () => {
    expect(a.passThrough(parsed('cursor', 'benign-bash'))).toEqual({ stdout: '{}\n', stderr: '', exitCode: 0 });
    const r = a.failClosed('bad payload');
    expect(r.exitCode).toBe(0);
    expect(json(r.stdout)).toMatchObject({ permission: 'deny' });
  });

  it('maps preToolUse Shell and MCP tools, and names the server from the launch command', () => {
    const shellReq = a.parse({
      hook_event_name: 'preToolUse',
      tool_name: 'Shell',
      tool_input: { command: 'ls', cwd: '/etc', timeout: 30000 },
      cwd: '',
      workspace_roots: ['/w'],
    });
    expect(shellReq.action).toEqual(shell('ls'));
    // The project root comes from Cursor, never from the model-written tool input.
    expect(shellReq.cwd).toBe('/w');
    expect(a.parse({ hook_event_name: 'preToolUse', tool_name: 'MCP:linear:delete_issue', tool_input: { id: 'L-1' } }).action).toEqual({
      kind: 'mcp',
      server: 'linear',
      tool: 'delete_issue',
      arguments: { id: 'L-1' },
    });
    expect(
      a.parse({ hook_event_name: 'beforeMCPExecution', tool_name: 'query', tool_input: { sql: 'select 1' }, command: 'npx mcp-postgres' })
        .action,
    ).toMatchObject({
      server: 'npx mcp-postgres',
    });
    expect(a.parse({ hook_event_name: 'preToolUse', tool_name: 'Grep', tool_input: { pattern: 'x' } }).action).toBeNull();
  });
});

describe('gemini', () => {
  const a = hookAdapters.gemini;

  it('parses run_shell_command, write_file, replace and MCP calls', () => {
    expect(parsed('gemini', 'benign-bash')).toEqual({
      client: 'gemini',
      event: 'BeforeTool',
      toolName: 'run_shell_command',
      action: shell('ls -la src'),
      cwd: '/home/alice/shop',
      session: '8e2f5a1c-7b3d-4c9e-a6f0-1d4b7e2a9c53',
      intent: 'List the source directory',
      raw: fixture('gemini', 'benign-bash'),
    });
    expect(parsed('gemini', 'destructive-bash').action).toEqual(shell('terraform destroy -auto-approve'));
    expect(parsed('gemini', 'file-write').action).toEqual({ kind: 'file', operation: 'write', path: '/home/alice/shop/README.md' });
    expect(parsed('gemini', 'file-edit').action).toEqual({ kind: 'file', operation: 'edit', path: '/home/alice/shop/src/cart.ts' });
    expect(parsed('gemini', 'mcp-call').action).toEqual({
      kind: 'mcp',
      server: 'github',
      tool: 'create_issue',
      arguments: { owner: 'acme', repo: 'shop', title: 'Checkout total is off by one cent', body: 'Rounding in cart.ts' },
    });
  });

  it('reads the mcp__server__tool name when mcp_context is absent', () => {
    const req = a.parse({ hook_event_name: 'BeforeTool', tool_name: 'mcp__supabase__reset_branch', tool_input: { branch_id: 'b1' } });
    expect(req.action).toEqual({ kind: 'mcp', server: 'supabase', tool: 'reset_branch', arguments: { branch_id: 'b1' } });
  });

  it('rejects a malformed payload naming the field', () => {
    expectBadInput('gemini', fixture('gemini', 'malformed'), /"tool_input"/);
  });

  it('answers decision allow/deny; hold is a deny with the approval link and a systemMessage', () => {
    const req = parsed('gemini', 'destructive-bash');
    expect(a.respond(req, verdict('allow', 'read', ALLOW_GUIDANCE))).toEqual({ stdout: '{"decision":"allow"}\n', stderr: '', exitCode: 0 });
    expect(json(a.respond(req, verdict('hold'), { requestUrl: URL_ }).stdout)).toEqual({
      decision: 'deny',
      reason: HOLD_TEXT,
      systemMessage: `Airlock is holding for approval a destructive command. ${URL_}`,
    });
    expect(json(a.respond(req, verdict('deny'), { requestUrl: URL_ }).stdout)).toEqual({
      decision: 'deny',
      reason: DENY_TEXT,
      systemMessage: `Airlock denied a destructive command. ${URL_}`,
    });
  });

  it('passes through with {} and fails closed with exit 2', () => {
    expect(a.passThrough(parsed('gemini', 'benign-bash')).stdout).toBe('{}\n');
    expect(a.parse({ hook_event_name: 'BeforeTool', tool_name: 'glob', tool_input: { pattern: '**/*.ts' } }).action).toBeNull();
    expect(a.failClosed('x').exitCode).toBe(2);
  });
});

describe('codex', () => {
  const a = hookAdapters.codex;

  it('parses Bash, apply_patch and MCP calls', () => {
    expect(parsed('codex', 'benign-bash')).toEqual({
      client: 'codex',
      event: 'PreToolUse',
      toolName: 'Bash',
      action: shell('cargo test --workspace'),
      cwd: '/home/alice/shop',
      session: '0199a213-81c0-7800-8aa1-bbab2a035a53',
      raw: fixture('codex', 'benign-bash'),
    });
    expect(parsed('codex', 'destructive-bash').action).toEqual(
      shell('aws rds delete-db-instance --db-instance-identifier shop-prod --skip-final-snapshot'),
    );
    expect(parsed('codex', 'file-write').action).toEqual({ kind: 'file', operation: 'edit', path: 'src/checkout/total.rs' });
    expect(parsed('codex', 'mcp-call').action).toEqual({
      kind: 'mcp',
      server: 'neon',
      tool: 'delete_project',
      arguments: { projectId: 'shop-prod-4281' },
    });
  });

  it('judges a multi-file patch by its most destructive operation, over every file it touches', () => {
    const patch =
      '*** Begin Patch\n*** Add File: a.txt\n+x\n*** Delete File: data/users.csv\n*** Update File: b.ts\n@@\n-a\n+b\n*** End Patch';
    expect(a.parse({ hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: patch } }).action).toEqual({
      kind: 'file',
      operation: 'delete',
      path: 'a.txt',
      morePaths: ['data/users.csv', 'b.ts'],
    });
    expectBadInput(
      'codex',
      { hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: 'hello' } },
      /"tool_input\.command"/,
    );
  });

  it('rejects a malformed payload naming the field', () => {
    expectBadInput('codex', fixture('codex', 'malformed'), /"tool_name"/);
  });

  it('allow is silence; hold and deny are a hookSpecificOutput deny (Codex rejects ask)', () => {
    const req = parsed('codex', 'destructive-bash');
    expect(a.respond(req, verdict('allow', 'read', ALLOW_GUIDANCE))).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(json(a.respond(req, verdict('hold'), { requestUrl: URL_ }).stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: HOLD_TEXT },
    });
    expect(json(a.respond(req, verdict('deny'), { requestUrl: URL_ }).stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: DENY_TEXT },
    });
    const fc = a.failClosed('x');
    expect(fc.exitCode).toBe(2);
    expect(fc.stderr.trim()).not.toBe('');
  });
});

describe('kiro', () => {
  const a = hookAdapters.kiro;

  it('parses execute_bash, fs_write, fs_read, use_aws and @server/tool calls', () => {
    expect(parsed('kiro', 'benign-bash')).toEqual({
      client: 'kiro',
      event: 'preToolUse',
      toolName: 'execute_bash',
      action: shell('git log --oneline -5'),
      cwd: '/home/alice/shop',
      intent: 'Show the last five commits',
      raw: fixture('kiro', 'benign-bash'),
    });
    expect(parsed('kiro', 'destructive-bash').action).toEqual(shell('rm -rf /var/lib/postgresql/16/main'));
    expect(parsed('kiro', 'file-write').action).toEqual({ kind: 'file', operation: 'write', path: '/home/alice/shop/src/main.rs' });
    expect(parsed('kiro', 'file-read').action).toEqual({ kind: 'file', operation: 'read', path: '/home/alice/shop/docs/hooks.md' });
    expect(parsed('kiro', 'aws-call').action).toEqual(
      shell('aws s3 list-objects-v2 --region eu-west-1 --profile prod --bucket shop-assets --prefix img/'),
    );
    expect(parsed('kiro', 'mcp-call').action).toEqual({
      kind: 'mcp',
      server: 'postgres',
      tool: 'query',
      arguments: { sql: 'SELECT * FROM orders LIMIT 10;' },
    });
  });

  it('rejects a malformed payload naming the field', () => {
    expectBadInput('kiro', fixture('kiro', 'malformed'), /"tool_input\.path"/);
  });

  it('speaks in exit codes: 0 allows, 2 blocks with the reason on stderr', () => {
    const req = parsed('kiro', 'destructive-bash');
    expect(a.respond(req, verdict('allow', 'read', ALLOW_GUIDANCE))).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(a.respond(req, verdict('hold'), { requestUrl: URL_ })).toEqual({ stdout: '', stderr: `${HOLD_TEXT}\n`, exitCode: 2 });
    expect(a.respond(req, verdict('deny'), { requestUrl: URL_ })).toEqual({ stdout: '', stderr: `${DENY_TEXT}\n`, exitCode: 2 });
    expect(a.failClosed('x').exitCode).toBe(2);
    expect(a.parse({ hook_event_name: 'preToolUse', tool_name: 'todo_list', tool_input: {} }).action).toBeNull();
  });
});

describe('copilot', () => {
  const a = hookAdapters.copilot;

  it('parses camelCase payloads with toolArgs as a JSON string', () => {
    expect(parsed('copilot', 'benign-bash')).toEqual({
      client: 'copilot',
      event: 'preToolUse',
      toolName: 'bash',
      action: shell('npm run lint'),
      cwd: '/home/alice/shop',
      intent: 'Run the linter',
      raw: fixture('copilot', 'benign-bash'),
    });
    expect(parsed('copilot', 'destructive-bash')).toMatchObject({
      action: shell('git push --force origin main'),
      session: 'b7e3c1a9-4f2d-4e86-9a05-6c8d1f3b2e74',
    });
    expect(parsed('copilot', 'file-write').action).toEqual({
      kind: 'file',
      operation: 'write',
      path: '/home/alice/shop/src/utils/money.ts',
    });
  });

  it('parses the VS Code-compatible form', () => {
    expect(parsed('copilot', 'file-edit-vscode')).toMatchObject({
      event: 'PreToolUse',
      toolName: 'edit',
      action: { kind: 'file', operation: 'edit', path: '/home/alice/shop/src/cart.ts' },
      session: 'b7e3c1a9-4f2d-4e86-9a05-6c8d1f3b2e74',
    });
  });

  it('judges tools the docs do not list (MCP tools among them) as unrecognised tool calls', () => {
    expect(parsed('copilot', 'unrecognised-tool').action).toEqual({
      kind: 'mcp',
      server: 'unknown',
      tool: 'delete_file',
      arguments: { owner: 'acme', repo: 'shop', path: 'db/seed.sql', branch: 'main', message: 'Remove seed' },
    });
  });

  it('rejects a malformed payload naming the field', () => {
    expectBadInput('copilot', fixture('copilot', 'malformed'), /"toolArgs"/);
    expectBadInput('copilot', { cwd: '/w', toolArgs: '{}' }, /"toolName"/);
  });

  it('answers permissionDecision on exit 0; hold is a deny (the coding agent processes only deny)', () => {
    const req = parsed('copilot', 'destructive-bash');
    expect(json(a.respond(req, verdict('allow', 'read', ALLOW_GUIDANCE)).stdout)).toEqual({
      permissionDecision: 'allow',
      permissionDecisionReason: ALLOW_TEXT,
    });
    expect(json(a.respond(req, verdict('hold'), { requestUrl: URL_ }).stdout)).toEqual({
      permissionDecision: 'deny',
      permissionDecisionReason: HOLD_TEXT,
    });
    expect(json(a.respond(req, verdict('deny'), { requestUrl: URL_ }).stdout)).toEqual({
      permissionDecision: 'deny',
      permissionDecisionReason: DENY_TEXT,
    });
    const fc = a.failClosed('x');
    expect(fc.exitCode).toBe(0);
    expect(json(fc.stdout)).toMatchObject({ permissionDecision: 'deny' });
    expect(a.passThrough(req)).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });
});

describe('shared helpers', () => {
  it('splits mcp__server__tool at the first double underscore after the prefix', () => {
    expect(splitDoubleUnderscoreMcpName('mcp__github__create_issue')).toEqual({ server: 'github', tool: 'create_issue' });
    expect(splitDoubleUnderscoreMcpName('mcp__my_db__run__raw')).toEqual({ server: 'my_db', tool: 'run__raw' });
    expect(splitDoubleUnderscoreMcpName('mcp__github')).toBeNull();
    expect(splitDoubleUnderscoreMcpName('Bash')).toBeNull();
  });

  it('reads tool arguments given as objects or JSON strings, and rejects anything else', () => {
    expect(objectOrJsonString('cursor', '{"a":1}', 'tool_input')).toEqual({ a: 1 });
    expect(objectOrJsonString('cursor', { a: 1 }, 'tool_input')).toEqual({ a: 1 });
    expect(objectOrJsonString('cursor', undefined, 'tool_input')).toEqual({});
    expect(() => objectOrJsonString('cursor', '[1]', 'tool_input')).toThrow(/"tool_input" must hold a JSON object/);
    expect(() => objectOrJsonString('cursor', 7, 'tool_input')).toThrow(AirlockError);
  });

  it('quotes argv arrays the way a shell would read them', () => {
    expect(commandText(['rm', '-rf', 'my dir', "it's"])).toBe(`rm -rf 'my dir' 'it'\\''s'`);
    expect(commandText(['ls', 3])).toBeUndefined();
  });

  it('finds the files of an apply_patch envelope', () => {
    expect(applyPatchTarget('*** Begin Patch\n*** Add File: new.txt\n+hi\n*** End Patch')).toEqual({
      operation: 'write',
      path: 'new.txt',
      morePaths: [],
      files: 1,
    });
    expect(applyPatchTarget('*** Begin Patch\n*** Update File: a.ts\n*** Move to: b.ts\n@@\n*** End Patch')).toEqual({
      operation: 'edit',
      path: 'a.ts',
      morePaths: ['b.ts'],
      files: 2,
    });
    // Every file counts, not only the first: an innocent README cannot carry a write to ~/.bashrc.
    expect(
      applyPatchTarget(
        '*** Begin Patch\n*** Update File: README.md\n@@\n*** Update File: /root/.bashrc\n@@\n*** Delete File: old.ts\n*** End Patch',
      ),
    ).toEqual({ operation: 'delete', path: 'README.md', morePaths: ['/root/.bashrc', 'old.ts'], files: 3 });
    expect(applyPatchTarget('no headers')).toBeNull();
  });

  it('renders use_aws as the aws command it amounts to', () => {
    expect(
      useAwsCommand({
        service_name: 'rds',
        operation_name: 'DeleteDBInstance',
        parameters: { DBInstanceIdentifier: 'shop-prod', SkipFinalSnapshot: true, tags: [{ k: 'v' }] },
      }),
    ).toBe(`aws rds delete-db-instance --db-instance-identifier shop-prod --skip-final-snapshot --tags '[{"k":"v"}]'`);
  });
});
