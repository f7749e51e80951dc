/**
 * Approvals from the terminal, end to end with real processes: a held `airlock exec` waits, humans
 * approve from other processes with their personal tokens, and the stored plan runs once; denial,
 * revocation and wait timeouts end it without running anything; agent credentials never approve;
 * a held hook call names its request and is allowed once after approval.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli, tempWorkdir, humanTokens } from './support/run-cli.js';

const CONFIG = `environments:
  prod: {}
humans:
  - id: alice
    groups: [prod-owners]
  - id: bob
    groups: [prod-owners]
  - id: carol
    groups: []
`;

let w: { dir: string; cleanup: () => void };
let tokens: Record<string, string>;

beforeEach(async () => {
  w = tempWorkdir('airlock-approvals-');
  writeFileSync(join(w.dir, 'airlock.yaml'), CONFIG);
  writeFileSync(join(w.dir, 'orders.db'), 'data');
  tokens = await humanTokens(w.dir, ['alice', 'bob', 'carol']);
});
afterEach(() => w.cleanup());

/** Starts a held exec that waits for approval; resolves its exit code and output when it ends. */
function waitingExec(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'exec', '--env', 'prod', ...args], {
    cwd: w.dir,
    env: { ...process.env, HOME: w.dir, AIRLOCK_AGENT_TOKEN: '', AIRLOCK_TOKEN: '', AIRLOCK_WAIT_TIMEOUT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((r) => child.on('close', (code) => r({ code, stderr })));
  const requestId = (async () => {
    for (let i = 0; i < 300; i++) {
      const m = /waiting for approval: \S+ \(request (req_\w+)/.exec(stderr);
      if (m) return m[1] as string;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no waiting line; stderr:\n${stderr}`);
  })();
  return { child, done, requestId };
}

const as = (who: string, args: readonly string[]) => runCli(args, { cwd: w.dir, env: { AIRLOCK_TOKEN: tokens[who] } });

describe('a held airlock exec', () => {
  it('waits, and runs the approved plan once after two different humans approve', async () => {
    const exec = waitingExec(['--', 'rm', '-f', 'orders.db']);
    const id = await exec.requestId;
    expect(existsSync(join(w.dir, 'orders.db'))).toBe(true);

    const first = await as('alice', ['approve', '--yes', id]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('1 more needed from prod-owners');
    // The same human twice does not count twice.
    const again = await as('alice', ['approve', '--yes', id]);
    expect(again.code).toBe(75);
    expect(again.stderr).toContain('already approved');
    // Someone outside the group does not count.
    const carol = await as('carol', ['approve', '--yes', id]);
    expect(carol.code).toBe(77);
    expect(carol.stderr).toContain('not in prod-owners');
    expect(existsSync(join(w.dir, 'orders.db'))).toBe(true);

    const second = await as('bob', ['approve', '--yes', id]);
    expect(second.stdout).toContain('it may now run (once)');
    const { code, stderr } = await exec.done;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('approved by alice, bob; running');
    expect(existsSync(join(w.dir, 'orders.db'))).toBe(false);

    const shown = await runCli(['requests', 'show', id, '--json'], { cwd: w.dir });
    const request = JSON.parse(shown.stdout) as { status: string; execution: { outcome: { exitCode: number } } };
    expect(request.status).toBe('executed');
    expect(request.execution.outcome.exitCode).toBe(0);
    // Run again: a new request, the used approval does not carry over.
    writeFileSync(join(w.dir, 'orders.db'), 'data');
    const rerun = await runCli(['exec', '--env', 'prod', '--', 'rm', '-f', 'orders.db'], { cwd: w.dir });
    expect(rerun.code).toBe(2);
    expect(existsSync(join(w.dir, 'orders.db'))).toBe(true);
    expect((await runCli(['audit', 'verify'], { cwd: w.dir })).code).toBe(0);
  });

  it('exits 3 without running when a required reviewer denies, and says why', async () => {
    const exec = waitingExec(['--', 'rm', '-f', 'orders.db']);
    const id = await exec.requestId;
    const noReason = await as('bob', ['deny', id]);
    expect(noReason.code).toBe(64);
    const deny = await as('bob', ['deny', id, '--reason', 'not during the sale']);
    expect(deny.code, deny.stderr).toBe(0);
    const { code, stderr } = await exec.done;
    expect(code).toBe(3);
    expect(stderr).toContain('denied by bob: not during the sale');
    expect(existsSync(join(w.dir, 'orders.db'))).toBe(true);
    // A denied request cannot be approved afterwards.
    expect((await as('alice', ['approve', '--yes', id])).code).toBe(75);
  });

  it('exits 3 when the request is revoked before it runs', async () => {
    const exec = waitingExec(['--', 'rm', '-f', 'orders.db']);
    const id = await exec.requestId;
    expect((await as('alice', ['approve', '--yes', id])).code).toBe(0);
    expect((await as('alice', ['revoke', id, '--reason', 'wrong file'])).code).toBe(0);
    const { code, stderr } = await exec.done;
    expect(code).toBe(3);
    expect(stderr).toContain('revoked by alice');
    expect(existsSync(join(w.dir, 'orders.db'))).toBe(true);
  });

  it('stops waiting after --wait-timeout with exit 2, and the request stays open for the next run', async () => {
    const r = await runCli(['exec', '--env', 'prod', '--wait-timeout', '1s', '--', 'rm', '-f', 'orders.db'], {
      cwd: w.dir,
      env: { AIRLOCK_WAIT_TIMEOUT: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stopped waiting');
    const open = await runCli(['requests', '-q'], { cwd: w.dir });
    expect(open.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('what an approval is bound to', () => {
  it('a script swapped after approval, or a different PATH, is a new plan: the approved one is not used', async () => {
    writeFileSync(join(w.dir, 'deploy.sh'), 'echo benign > deployed.txt\n');
    const held = await runCli(['exec', '--env', 'prod', '--', 'bash', './deploy.sh'], { cwd: w.dir });
    expect(held.code).toBe(2);
    const id = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();
    const shown = await runCli(['requests', 'show', id], { cwd: w.dir });
    expect(shown.stdout).toMatch(/deploy\.sh\s+sha256:[0-9a-f]{16}/);
    await as('alice', ['approve', '--yes', id]);
    await as('bob', ['approve', '--yes', id]);
    writeFileSync(join(w.dir, 'deploy.sh'), 'echo SWAPPED > deployed.txt\n');
    const swapped = await runCli(['exec', '--env', 'prod', '--', 'bash', './deploy.sh'], { cwd: w.dir });
    expect(swapped.code).toBe(2);
    expect(existsSync(join(w.dir, 'deployed.txt'))).toBe(false);
    writeFileSync(join(w.dir, 'deploy.sh'), 'echo benign > deployed.txt\n');
    const otherPath = await runCli(['exec', '--env', 'prod', '--', 'bash', './deploy.sh'], {
      cwd: w.dir,
      env: { PATH: `${join(w.dir, 'bin')}:${process.env.PATH ?? ''}` },
    });
    expect(otherPath.code).toBe(2);
    expect(existsSync(join(w.dir, 'deployed.txt'))).toBe(false);
    // The script as approved, in the environment approved: runs.
    const ok = await runCli(['exec', '--env', 'prod', '--', 'bash', './deploy.sh'], { cwd: w.dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(w.dir, 'deployed.txt'))).toBe(true);
  });

  it('airlock approve without a terminal needs --yes or --digest', async () => {
    await runCli(['exec', '--env', 'prod', '--', 'rm', '-f', 'orders.db'], { cwd: w.dir });
    const id = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();
    const r = await as('alice', ['approve', id]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('run again with --yes');
    expect(r.stdout).toContain('rm -f orders.db');
  });
});

describe('who may approve', () => {
  it('refuses agent tokens, callers with an agent token in their environment, and no token', async () => {
    const exec = await runCli(['exec', '--env', 'prod', '--', 'rm', '-f', 'orders.db'], { cwd: w.dir });
    expect(exec.code).toBe(2);
    const id = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();
    const agent = await runCli(['agents', 'add', 'deploy-bot'], { cwd: w.dir });
    const agentToken = agent.stdout.trim().split('\n').at(-1) as string;

    const withAgentToken = await runCli(['approve', '--yes', id], { cwd: w.dir, env: { AIRLOCK_TOKEN: agentToken } });
    expect(withAgentToken.code).toBe(77);
    expect(withAgentToken.stderr).toContain('agent credentials never');
    const inAgentShell = await runCli(['approve', '--yes', id], {
      cwd: w.dir,
      env: { AIRLOCK_TOKEN: tokens.alice, AIRLOCK_AGENT_TOKEN: agentToken },
    });
    expect(inAgentShell.code).toBe(77);
    expect(inAgentShell.stderr).toContain("agent's environment");
    const none = await runCli(['approve', '--yes', id], { cwd: w.dir });
    expect(none.code).toBe(77);
    const forged = await runCli(['approve', '--yes', id], { cwd: w.dir, env: { AIRLOCK_TOKEN: 'alh_forged' } });
    expect(forged.code).toBe(77);
    const shown = JSON.parse((await runCli(['requests', 'show', id, '--json'], { cwd: w.dir })).stdout) as { approvals: unknown[] };
    expect(shown.approvals).toHaveLength(0);
  });

  it('a token row written straight into the store does not authenticate (credential hashes are keyed)', async () => {
    await runCli(['exec', '--env', 'prod', '--', 'rm', '-f', 'orders.db'], { cwd: w.dir });
    const id = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();
    const forged = 'alh_written-by-an-agent';
    const db = new Database(join(w.dir, '.airlock', 'airlock.db'));
    db.prepare('INSERT INTO human_tokens (id, human_id, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)').run(
      'tok_forged',
      'alice',
      createHash('sha256').update(forged).digest('hex'),
      new Date().toISOString(),
    );
    db.close();
    const r = await runCli(['approve', '--yes', id], { cwd: w.dir, env: { AIRLOCK_TOKEN: forged } });
    expect(r.code).toBe(77);
    const shown = JSON.parse((await runCli(['requests', 'show', id, '--json'], { cwd: w.dir })).stdout) as { approvals: unknown[] };
    expect(shown.approvals).toHaveLength(0);
  });

  it("a new password or a revoked token ends the human's web sessions", async () => {
    const sessions = () => {
      const db = new Database(join(w.dir, '.airlock', 'airlock.db'));
      try {
        return (db.prepare("SELECT count(*) AS n FROM sessions WHERE human_id = 'alice'").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const addSession = (idHash: string) => {
      const db = new Database(join(w.dir, '.airlock', 'airlock.db'));
      const at = new Date();
      db.prepare('INSERT INTO sessions (id_hash, human_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        idHash,
        'alice',
        'csrf',
        at.toISOString(),
        new Date(at.getTime() + 3_600_000).toISOString(),
      );
      db.close();
    };
    addSession('s1');
    expect(sessions()).toBe(1);
    const passwd = await runCli(['humans', 'passwd', 'alice', '--password-stdin'], { cwd: w.dir, input: 'a-new-password-1234\n' });
    expect(passwd.code, passwd.stderr).toBe(0);
    expect(sessions()).toBe(0);
    addSession('s2');
    const listed = JSON.parse((await runCli(['humans', 'list', '--json'], { cwd: w.dir })).stdout) as { id: string; tokens: string[] }[];
    const tokenId = listed.find((h) => h.id === 'alice')?.tokens[0] as string;
    const revoked = await runCli(['humans', 'revoke-token', tokenId], { cwd: w.dir });
    expect(revoked.stdout).toContain('1 web session of alice ended');
    expect(sessions()).toBe(0);
  });

  it('binds an approval to the digest: a stale --digest is refused', async () => {
    await runCli(['exec', '--env', 'prod', '--', 'rm', '-f', 'orders.db'], { cwd: w.dir });
    const id = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();
    const stale = await as('alice', ['approve', id, '--digest', 'a'.repeat(64)]);
    expect(stale.code).toBe(75);
    expect(stale.stderr).toContain('the plan changed');
  });

  it('an unknown request id is NOT_FOUND', async () => {
    const r = await as('alice', ['approve', 'req_nope']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('no request "req_nope"');
  });
});

describe('a held hook call', () => {
  it('names its request and link, and after approval the same call is allowed exactly once', async () => {
    const payload = JSON.stringify({
      session_id: 's1',
      cwd: w.dir,
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'kubectl --context prod delete deployment api -n payments' },
    });
    writeFileSync(
      join(w.dir, 'airlock.yaml'),
      `${CONFIG}environments:\n  prod:\n    match:\n      kubeContexts: [prod]\n`.replace('environments:\n  prod: {}\n', ''),
    );
    const hook = () => runCli(['hook', 'claude-code'], { cwd: w.dir, input: payload });
    const first = await hook();
    const answer = JSON.parse(first.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
    expect(answer.hookSpecificOutput.permissionDecision).toBe('deny');
    const m = /\/requests\/(req_\w+) \(request (req_\w+)/.exec(answer.hookSpecificOutput.permissionDecisionReason);
    expect(m, answer.hookSpecificOutput.permissionDecisionReason).not.toBeNull();
    const id = m?.[2] as string;
    // Asking again is the same request, not a second one.
    const second = await hook();
    expect(second.stdout).toContain(id);
    expect((await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim()).toBe(id);

    await as('alice', ['approve', '--yes', id]);
    await as('bob', ['approve', '--yes', id]);
    const allowed = JSON.parse((await hook()).stdout) as { hookSpecificOutput: { permissionDecision: string } };
    expect(allowed.hookSpecificOutput.permissionDecision).toBe('allow');
    // Used once: the next identical call is held again under a new request.
    const after = JSON.parse((await hook()).stdout) as {
      hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string };
    };
    expect(after.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(after.hookSpecificOutput.permissionDecisionReason).not.toContain(id);
  });
});

describe('a held file write through a hook', () => {
  it('is approved for its content: the same path with other content is not allowed', async () => {
    writeFileSync(
      join(w.dir, 'airlock.yaml'),
      `${CONFIG.replace('environments:\n  prod: {}\n', '')}environments:\n  prod:\n    match:\n      paths: ["${w.dir}/srv"]\n`,
    );
    const write = (content: string) =>
      runCli(['hook', 'claude-code'], {
        cwd: w.dir,
        input: JSON.stringify({
          session_id: 's1',
          cwd: w.dir,
          hook_event_name: 'PreToolUse',
          tool_name: 'Write',
          tool_input: { file_path: join(w.dir, 'srv', 'orders.db'), content },
        }),
      });
    const decision = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision;
    const first = await write('benign');
    expect(decision(first)).not.toBe('allow');
    const id = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();
    expect(id).toMatch(/^req_/);
    await as('alice', ['approve', '--yes', id]);
    await as('bob', ['approve', '--yes', id]);
    expect(decision(await write('something else entirely'))).not.toBe('allow');
    expect(decision(await write('benign'))).toBe('allow');
  });
});
