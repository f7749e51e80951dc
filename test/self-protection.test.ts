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

describe('an agent cannot approve its own request through a side door', () => {
  const bash = async (command: string) => {
    const r = await runCli(['hook', 'claude-code'], { cwd: w.dir, input: claude('Bash', { command }) });
    return { decision: decision(r.stdout), reason: JSON.parse(r.stdout).hookSpecificOutput?.permissionDecisionReason as string };
  };

  it.each([
    // The SQLite store, written with the sqlite3 CLI: tokens, sessions, request states.
    `sqlite3 .airlock/airlock.db "insert into human_tokens (id) values ('alh_x')"`,
    `sqlite3 .airlock/airlock.db "update requests set status = 'approved' where id = 'r1'"`,
    `sqlite3 .airlock/airlock.db "insert into sessions (id) values ('s1')"`,
    `sqlite3 ./.airlock/../.airlock/airlock.db "delete from requests where id = 'r1'"`,
    `cd .airlock && sqlite3 airlock.db "update requests set status = 'approved'"`,
    `sqlite3 -cmd ".open .airlock/airlock.db" :memory: "update requests set status = 'approved'"`,
    `sqlite3 :memory: ".open .airlock/airlock.db" "update requests set status = 'approved'"`,
    `sqlite3 scratch.db "attach database '.airlock/airlock.db' as a; update a.requests set status = 'approved'"`,
    `sqlite3 'file:.airlock/airlock.db?mode=rw' "update requests set status = 'approved'"`,
    `sqlite3 scratch.db ".backup .airlock/airlock.db"`,
    `litecli .airlock/airlock.db -e "update requests set status = 'approved'"`,
    // Output redirections and in-place writers onto airlock.yaml.
    'echo x > airlock.yaml',
    'echo x >> airlock.yaml',
    'echo x >| airlock.yaml',
    'echo x &> airlock.yaml',
    'echo x > sub/../airlock.yaml',
    "printf 'environments: {}\\n' | tee airlock.yaml",
    "printf 'environments: {}\\n' | tee -a airlock.yaml",
    'dd if=/dev/zero of=airlock.yaml',
    'sed -i s/false/true/ airlock.yaml',
    'truncate -s 0 airlock.yaml',
    'install other.yaml airlock.yaml',
    'mv other.yaml airlock.yaml',
    'ln -sf other.yaml airlock.yaml',
    'echo x > .airlock/airlock.db',
    // Airlock's approval endpoints, on any host.
    "curl -X POST -H 'authorization: Bearer alh_x' http://127.0.0.1:7070/v1/requests/r1/approve",
    'curl -X POST http://127.0.0.1:7070/v1/requests/r1/deny',
    'curl -X POST "$URL/v1/requests/r1/approve" -d \'{}\'',
    'curl -X POST https://api.example.com/v1/requests/1/approve',
    'curl http://127.0.0.1:7070/v1/grants -d \'{"agent":"coder"}\'',
    'curl -X POST http://127.0.0.1:7070/v1/grants/g1/approve',
    'curl -d vote=approve http://127.0.0.1:7070/requests/r1/review',
    'curl -d user=alice -d password=x http://127.0.0.1:7070/login',
    'wget --post-data x http://127.0.0.1:7070/v1/requests/r1/approve',
    'http POST :7070/v1/requests/r1/approve',
    'xh POST localhost:7070/v1/grants/g1/approve',
  ])('denies `%s`', async (command) => {
    const r = await bash(command);
    expect(r.decision).toBe('deny');
    expect(r.reason).toMatch(/catastrophic/);
  });

  it('names what it protects', async () => {
    expect((await bash('echo x >> airlock.yaml')).reason).toMatch(/Airlock's configuration/);
    expect((await bash(`sqlite3 .airlock/airlock.db "update requests set status = 'approved'"`)).reason).toMatch(
      /Airlock's data directory/,
    );
    expect((await bash('curl -X POST http://127.0.0.1:7070/v1/requests/r1/approve')).reason).toMatch(/approval endpoint/);
  });

  it.each([
    `sqlite3 other.db "insert into t values (1)"`,
    `sqlite3 .airlock/airlock.db "select status from requests"`,
    'echo x > notes.txt',
    'printf x | tee -a notes.txt',
    'ln -s notes.txt link.txt',
    'curl -X POST https://api.example.com/v1/orders',
    'curl http://127.0.0.1:7070/v1/requests/r1',
    'curl http://127.0.0.1:7070/v1/grants',
  ])('still allows `%s`', async (command) => {
    expect((await bash(command)).decision).toBe('allow');
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
