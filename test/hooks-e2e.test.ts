/**
 * `airlock hook CLIENT` as a real process, replaying recorded payloads: in-process, and through a
 * running gateway (`airlock up` + AIRLOCK_URL). Every path that cannot decide fails closed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempWorkdir } from './support/run-cli.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/hooks');
const fixture = (client: string, name: string): string => readFileSync(join(FIXTURES, client, `${name}.json`), 'utf8');

let work: { dir: string; cleanup: () => void };
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  work = tempWorkdir();
  writeFileSync(
    join(work.dir, 'airlock.yaml'),
    'environments:\n  prod:\n    protected: true\n    match:\n      awsProfiles: [prod]\n  staging:\n    protected: false\n    match:\n      awsProfiles: [staging]\n',
  );
  server = spawn(process.execPath, [BIN, 'up', '--port', '0'], { cwd: work.dir, stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolvePromise, reject) => {
    let out = '';
    server.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /web UI +(http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolvePromise(m[1] as string);
    });
    server.on('exit', (code) => reject(new Error(`airlock up exited with ${code}: ${out}`)));
  });
});
afterAll(async () => {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
  work.cleanup();
});

type Mode = 'in-process' | 'gateway';
const modes: Mode[] = ['in-process', 'gateway'];
const hook = (client: string, input: string, mode: Mode, extraEnv: Record<string, string> = {}) =>
  runCli(['hook', client], { cwd: work.dir, input, env: { ...(mode === 'gateway' ? { AIRLOCK_URL: url } : {}), ...extraEnv } });

describe.each(modes)('airlock hook claude-code (%s)', (mode) => {
  it('allows a benign Bash call', async () => {
    const r = await hook('claude-code', fixture('claude-code', 'benign-bash'), mode);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'allow' });
  });

  it('denies deleting a namespace, with a reason written for the agent', async () => {
    const r = await hook('claude-code', fixture('claude-code', 'destructive-bash'), mode);
    const out = JSON.parse(r.stdout).hookSpecificOutput;
    expect(out.permissionDecision).toBe('deny');
    expect(out.permissionDecisionReason).toMatch(/catastrophic/);
    expect(out.permissionDecisionReason).toMatch(/do not retry|grant|elevation/i);
  });

  it('fails closed on a malformed payload', async () => {
    const r = await hook('claude-code', fixture('claude-code', 'malformed'), mode);
    expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    const notJson = await hook('claude-code', '{"tool_name": ', mode);
    expect(notJson.code).toBe(2);
    expect(JSON.parse(notJson.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });
});

describe.each(modes)("the agent's own environment decides where a hook's action lands (%s)", (mode) => {
  const payload = JSON.stringify({
    session_id: 's',
    transcript_path: '/dev/null',
    cwd: '.',
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'aws s3 rm s3://bucket-x/report.csv' },
  });
  it.each([
    // The default pack holds this for two prod-owners: one local click cannot stand for that.
    ['prod', 'deny'],
    ['staging', 'allow'],
  ])('AWS_PROFILE=%s → %s', async (profile, decision) => {
    const r = await hook('claude-code', payload, mode, { AWS_PROFILE: profile });
    expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe(decision);
  });
});

describe('airlock hook through the gateway', () => {
  it("records the decision in the gateway's log with the hook surface and the agent's stated intent", async () => {
    await hook('claude-code', fixture('claude-code', 'destructive-bash'), 'gateway');
    const tail = await runCli(['audit', 'tail', '--json', '-n', '50'], { cwd: work.dir });
    const decisions = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'decision');
    const last = decisions.at(-1);
    expect(last.payload.proposal).toMatchObject({
      surface: 'hook',
      agent: { id: 'claude-code', authenticated: false },
      intent: 'Delete and recreate the payments environment to fix the bug',
    });
    expect(last.payload.decision.outcome).toBe('deny');
  });

  it('fails closed when the configured gateway cannot be reached', async () => {
    const r = await runCli(['hook', 'claude-code'], {
      cwd: work.dir,
      input: fixture('claude-code', 'benign-bash'),
      env: { AIRLOCK_URL: 'http://127.0.0.1:1' },
    });
    expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
    expect(r.stderr + r.stdout).toMatch(/could not be reached/);
  });

  it('answers cursor in its own protocol', async () => {
    const r = await hook('cursor', fixture('cursor', 'destructive-bash'), 'gateway');
    expect(['deny', 'ask']).toContain(JSON.parse(r.stdout).permission);
  });
});

describe('airlock hook usage errors', () => {
  it('blocks (exit 2) when the client name is wrong, naming the known ones', async () => {
    const r = await runCli(['hook', '__proto__'], { cwd: work.dir, input: '{}' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/claude-code/);
  });
});
