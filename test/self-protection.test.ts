/**
 * An agent cannot switch Airlock off from inside: it may not edit Airlock's configuration or
 * policies, erase its data directory (audit store, checkpoint) or read its signing key, whichever
 * surface it uses; and file paths are judged where they really point (`..` resolved), across every
 * file of a multi-file patch.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempWorkdir } from './support/run-cli.js';

let w: { dir: string; cleanup: () => void };
beforeEach(async () => {
  w = tempWorkdir();
  // A developer machine: local actions are unprotected, so only self-protection can refuse these.
  writeFileSync(join(w.dir, 'airlock.yaml'), 'environments:\n  dev:\n    protected: false\n    match:\n      local: true\n');
  expect((await runCli(['exec', '--', 'true'], { cwd: w.dir })).code).toBe(0);
});
afterEach(() => w.cleanup());

const claude = (toolName: string, toolInput: Record<string, unknown>) =>
  JSON.stringify({
    session_id: 's',
    transcript_path: '/dev/null',
    cwd: w.dir,
    hook_event_name: 'PreToolUse',
    tool_name: toolName,
    tool_input: toolInput,
  });
const decision = (stdout: string) => JSON.parse(stdout).hookSpecificOutput?.permissionDecision as string | undefined;

describe("Airlock's own files", () => {
  it.each([
    ['rm', '-rf', '.airlock'],
    ['mv', '.airlock', 'gone'],
    ['rm', '-f', '.airlock/airlock.db'],
    ['cat', '.airlock/keys/signing-key.pem'],
  ])('refuses `%s %s %s` and leaves the data directory in place', async (...argv) => {
    const r = await runCli(['exec', '--', ...argv], { cwd: w.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Airlock's (data directory|signing key)/);
    expect(existsSync(join(w.dir, '.airlock', 'airlock.db'))).toBe(true);
  });

  it('still lets an agent list the project and the filesystem root', async () => {
    expect((await runCli(['exec', '--', 'ls', '-a', '.', '/'], { cwd: w.dir })).code).toBe(0);
  });

  it('refuses an agent editing airlock.yaml through its file tool, while other project files are fine', async () => {
    const edit = await runCli(['hook', 'claude-code'], {
      cwd: w.dir,
      input: claude('Edit', { file_path: join(w.dir, 'airlock.yaml'), old_string: 'a', new_string: 'b' }),
    });
    expect(decision(edit.stdout)).toBe('deny');
    const ok = await runCli(['hook', 'claude-code'], {
      cwd: w.dir,
      input: claude('Edit', { file_path: join(w.dir, 'README.md'), old_string: 'a', new_string: 'b' }),
    });
    expect(decision(ok.stdout)).not.toBe('deny');
  });
});

describe('file paths are judged where they point', () => {
  beforeEach(() => {
    // Embedded defaults: nothing is known to be unprotected, so a destructive write is held.
    writeFileSync(join(w.dir, 'airlock.yaml'), '{}\n');
  });

  it('sees through `..` out of the project', async () => {
    const inside = await runCli(['hook', 'claude-code'], {
      cwd: w.dir,
      input: claude('Write', { file_path: `${w.dir}/src/../notes.md`, content: 'x' }),
    });
    expect(decision(inside.stdout)).toBe('allow');
    const hook = await runCli(['hook', 'claude-code'], {
      cwd: w.dir,
      input: claude('Write', { file_path: `${w.dir}/../../etc/cron.d/probe`, content: 'x' }),
    });
    expect(decision(hook.stdout)).not.toBe('allow');
  });

  it('judges every file of a Codex patch, not only the first', async () => {
    mkdirSync(join(w.dir, 'src'));
    const patch = '*** Begin Patch\n*** Update File: README.md\n@@\n-a\n+b\n*** Update File: /root/.bashrc\n@@\n-a\n+b\n*** End Patch';
    const r = await runCli(['hook', 'codex'], {
      cwd: w.dir,
      input: JSON.stringify({
        session_id: 's',
        cwd: w.dir,
        hook_event_name: 'PreToolUse',
        tool_name: 'apply_patch',
        tool_input: { command: patch },
      }),
    });
    expect(r.stdout).toMatch(/"permissionDecision":"deny"/);
  });
});
