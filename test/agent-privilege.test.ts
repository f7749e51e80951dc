/**
 * SECURITY.md invariant 8: an agent acts with its own role, never the rights of the human who
 * launched it, and (with requireAgentToken) cannot shed a restricted role by dropping its token.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempWorkdir } from './support/run-cli.js';

let w: { dir: string; cleanup: () => void };
beforeEach(() => {
  w = tempWorkdir();
  writeFileSync(join(w.dir, 'airlock.yaml'), 'environments:\n  dev:\n    protected: false\n    match:\n      local: true\n');
});
afterEach(() => w.cleanup());

async function addAgent(name: string, role: string): Promise<string> {
  const r = await runCli(['agents', 'add', name, '--role', role], { cwd: w.dir });
  return /^(alk_\S+)$/m.exec(r.stdout)?.[1] as string;
}

describe('agents never inherit human privilege', () => {
  it('a read-only agent is denied a write even when the launching human (root here) could do it', async () => {
    const token = await addAgent('reviewer', 'read-only');
    const r = await runCli(['exec', '--', 'touch', 'notes.md'], { cwd: w.dir, env: { AIRLOCK_AGENT_TOKEN: token, USER: 'root' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/read-only role/);
    expect(existsSync(join(w.dir, 'notes.md'))).toBe(false);
    const read = await runCli(['exec', '--', 'ls'], { cwd: w.dir, env: { AIRLOCK_AGENT_TOKEN: token } });
    expect(read.code).toBe(0);
  });

  it('with requireAgentToken, dropping the token is refused instead of falling back to default rights', async () => {
    writeFileSync(
      join(w.dir, 'airlock.yaml'),
      'requireAgentToken: true\nenvironments:\n  dev:\n    protected: false\n    match:\n      local: true\n',
    );
    const r = await runCli(['exec', '--', 'touch', 'notes.md'], { cwd: w.dir });
    expect(r.code).toBe(77);
    expect(existsSync(join(w.dir, 'notes.md'))).toBe(false);
    const hook = await runCli(['hook', 'claude-code'], {
      cwd: w.dir,
      input: JSON.stringify({
        session_id: 's',
        transcript_path: '/dev/null',
        cwd: w.dir,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'ls' },
      }),
    });
    expect(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });

  it('records the human the agent acts for without giving the agent their rights', async () => {
    const token = await addAgent('builder', 'developer');
    await runCli(['exec', '--', 'true'], { cwd: w.dir, env: { AIRLOCK_AGENT_TOKEN: token, USER: 'alice' } });
    const tail = await runCli(['audit', 'tail', '--json', '-n', '2'], { cwd: w.dir });
    const decision = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'decision');
    expect(decision.payload.proposal.agent).toEqual({ id: 'builder', authenticated: true, onBehalfOf: 'alice' });
  });
});
