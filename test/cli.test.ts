/**
 * The `airlock` command end to end, as a real process in a fresh directory: check, --jsonl,
 * exec, sh, audit, agents, init, bad config. Destructive probes only ever target files inside the
 * test's own temporary directory.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempWorkdir } from './support/run-cli.js';

let work: { dir: string; cleanup: () => void };
beforeAll(() => {
  work = tempWorkdir();
});
afterAll(() => work.cleanup());

describe('airlock check', () => {
  it('explains a catastrophic kubectl call: effects, risk, environment, decision, policies, what lifts it', async () => {
    const r = await runCli(['check', '--', 'kubectl', '-n', 'prod', 'delete', 'ns', 'payments'], { cwd: work.dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^effects +delete .*payments.*scope=namespace/m);
    expect(r.stdout).toMatch(/^risk +catastrophic/m);
    expect(r.stdout).toMatch(/^env +unresolved \(protected\)/m);
    expect(r.stdout).toMatch(/^decision +DENY/m);
    expect(r.stdout).toMatch(/^policies +forbid /m);
    expect(r.stdout).toMatch(/^to lift +/m);
  });

  it('prints the same as JSON with --json', async () => {
    const r = await runCli(['check', '--json', '--kind', 'sql', 'DELETE FROM users'], { cwd: work.dir });
    expect(r.code).toBe(2);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ risk: 'destructive', kind: 'sql', decision: 'hold', requirement: { approvals: 2 } });
    expect(v.effects[0]).toMatchObject({ verb: 'delete', scope: 'all' });
    expect(v.environment).toMatchObject({ name: 'unresolved', protected: true });
    expect(v.guidance).toMatch(/approval/);
  });

  it('allows reads and reversible writes', async () => {
    expect((await runCli(['check', '--', 'kubectl', 'get', 'pods', '-A'], { cwd: work.dir })).code).toBe(0);
    expect((await runCli(['check', '--kind', 'sql', 'UPDATE users SET name = $1 WHERE id = 42'], { cwd: work.dir })).code).toBe(0);
  });

  it('refuses bad usage with exit 64 and a message that names the problem', async () => {
    const r = await runCli(['check', '--kind', 'yaml', 'x'], { cwd: work.dir });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--kind must be shell, sql or mcp/);
    const empty = await runCli(['check'], { cwd: work.dir });
    expect(empty.code).toBe(64);
  });

  it('uses the inventory: environment, how it was resolved, and the resource context', async () => {
    const w = tempWorkdir();
    try {
      expect((await runCli(['init'], { cwd: w.dir })).code).toBe(0);
      const r = await runCli(
        ['check', '--json', '--', 'kubectl', '--context', 'prod-eu-1', '-n', 'payments', 'rollout', 'restart', 'deploy/api'],
        { cwd: w.dir },
      );
      const v = JSON.parse(r.stdout);
      expect(v.environment).toMatchObject({ name: 'prod', protected: true });
      expect(v.environment.how).toMatch(/prod-eu-1/);
      expect(v.environment.resources[0]).toMatchObject({ name: 'payments-api', dependants: ['checkout', 'billing', 'partner webhooks'] });
      expect(v.disruptive).toBe(true);
      expect(v.decision).toBe('hold');
      expect(v.guidance).toMatch(/payments-api/);
    } finally {
      w.cleanup();
    }
  });
});

describe("airlock check with the machine's kube context", () => {
  it('resolves kubectl without --context through the current context in kubeconfig', async () => {
    const w = tempWorkdir();
    try {
      expect((await runCli(['init'], { cwd: w.dir })).code).toBe(0);
      const kubeconfig = join(w.dir, 'kubeconfig.yaml');
      writeFileSync(kubeconfig, 'current-context: prod-eu-1\ncontexts:\n  - name: prod-eu-1\n    context: { namespace: payments }\n');
      const r = await runCli(['check', '--json', '--', 'kubectl', 'delete', 'deployment', 'api'], {
        cwd: w.dir,
        env: { KUBECONFIG: kubeconfig },
      });
      const v = JSON.parse(r.stdout);
      expect(v.environment).toMatchObject({ name: 'prod', protected: true });
      expect(v.environment.how).toMatch(/current kube context "prod-eu-1"/);
      expect(v.environment.resources[0]).toMatchObject({ name: 'payments-api' });
      expect(v.decision).toBe('hold');
    } finally {
      w.cleanup();
    }
  });
});

describe('airlock check --jsonl', () => {
  it('answers every line, and a malformed line gets an error line while the rest go on', async () => {
    const input = [
      JSON.stringify({ id: 'a', kind: 'shell', input: 'ls -la' }),
      '{not json',
      JSON.stringify({ id: 'c', kind: 'sql', input: 'DROP TABLE customers' }),
      JSON.stringify({ id: 'd', kind: 'mcp', input: { server: 'github', tool: 'list_issues', arguments: { repo: 'x' } } }),
      JSON.stringify({ id: 'e', kind: 'shell' }),
      JSON.stringify({ id: 'f', kind: 'shell', input: 'aws s3 rb s3://acme-backups --force', env: { AWS_PROFILE: 'prod' } }),
    ].join('\n');
    const r = await runCli(['check', '--jsonl'], { cwd: work.dir, input });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatchObject({ id: 'a', risk: 'read', decision: 'allow' });
    expect(lines[1]).toMatchObject({ line: 2, error: { code: 'BAD_INPUT' } });
    expect(lines[2]).toMatchObject({ id: 'c', risk: 'destructive', decision: 'hold' });
    expect(lines[3]).toMatchObject({ id: 'd', risk: 'read', decision: 'allow' });
    expect(lines[4]).toMatchObject({ id: 'e', line: 5, error: { code: 'BAD_INPUT' } });
    expect(lines[5]).toMatchObject({ id: 'f', risk: 'catastrophic', decision: 'deny' });
    for (const l of lines.filter((x) => !x.error))
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['id', 'risk', 'decision', 'effects', 'reasons']));
    expect(r.code).toBe(64);
  });
});

describe('airlock check --jsonl and the caller', () => {
  it("applies the caller's targeting variables and --env to every line, a line's own env winning", async () => {
    const w = tempWorkdir();
    try {
      writeFileSync(
        join(w.dir, 'airlock.yaml'),
        'environments:\n  prod:\n    protected: true\n    match:\n      awsProfiles: [prod]\n  staging:\n    protected: false\n    match:\n      awsProfiles: [staging]\n',
      );
      const input = [
        JSON.stringify({ id: 1, kind: 'shell', input: 'aws s3 rm s3://b/k' }),
        JSON.stringify({ id: 2, kind: 'shell', input: 'aws s3 rm s3://b/k', env: { AWS_PROFILE: 'staging' } }),
      ].join('\n');
      const r = await runCli(['check', '--jsonl'], { cwd: w.dir, input, env: { AWS_PROFILE: 'prod' } });
      const [a, b] = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(a).toMatchObject({ id: 1, environment: 'prod', decision: 'hold' });
      expect(b).toMatchObject({ id: 2, environment: 'staging', decision: 'allow' });
      const bad = await runCli(['check', '--jsonl', '--json'], { cwd: w.dir, input });
      expect(bad.code).toBe(64);
      expect(bad.stderr).toMatch(/only --env and --agent apply/);
    } finally {
      w.cleanup();
    }
  });
});

describe('airlock exec and sh', () => {
  it('runs an allowed command with its own output and exit status, and records decision and outcome', async () => {
    const w = tempWorkdir();
    try {
      const ok = await runCli(['exec', '--', 'echo', 'hello from airlock'], { cwd: w.dir });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toBe('hello from airlock\n');
      const failing = await runCli(['exec', '--', 'false'], { cwd: w.dir });
      expect(failing.code).toBe(1);
      const tail = await runCli(['audit', 'tail', '--json'], { cwd: w.dir });
      const entries = tail.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(entries.map((e) => e.type)).toEqual(['decision', 'execution', 'decision', 'execution']);
      // The program is recorded as the exact file PATH resolved it to when the decision was made.
      expect(entries[1].payload).toMatchObject({ exitCode: 0, argv: [expect.stringMatching(/^\/.*\/echo$/), 'hello from airlock'] });
      expect(entries[0].payload.proposal).toMatchObject({
        surface: 'exec',
        action: { kind: 'shell', argv: [expect.stringMatching(/^\/.*\/echo$/), 'hello from airlock'] },
      });
    } finally {
      w.cleanup();
    }
  });

  it('does not run a held destructive command, and says why on stderr', async () => {
    const w = tempWorkdir();
    try {
      // A relative path: the directory is under /tmp, and RISK.md counts /tmp paths as regenerable.
      const data = join(w.dir, 'customers.db');
      writeFileSync(data, 'precious');
      const r = await runCli(['exec', '--', 'rm', '-f', 'customers.db'], { cwd: w.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/airlock: held/);
      expect(r.stderr).toMatch(/destructive/);
      expect(readFileSync(data, 'utf8')).toBe('precious');
    } finally {
      w.cleanup();
    }
  });

  it('sh -c judges every command in the script', async () => {
    const w = tempWorkdir();
    try {
      writeFileSync(join(w.dir, 'orders.csv'), 'id\n1\n');
      const ok = await runCli(['sh', '-c', 'echo one && echo two | tr a-z A-Z'], { cwd: w.dir });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toBe('one\nTWO\n');
      const smuggled = await runCli(['sh', '-c', 'echo hi; r""m -f orders.csv'], { cwd: w.dir });
      expect(smuggled.code).toBe(2);
      expect(smuggled.stdout).toBe('');
      expect(existsSync(join(w.dir, 'orders.csv'))).toBe(true);
    } finally {
      w.cleanup();
    }
  });
});

describe('airlock exec and the terminal', () => {
  it('lets one Ctrl-C reach the command once, not twice', async () => {
    const { spawn } = await import('node:child_process');
    // This test is about signal delivery, not policy: a policy set that permits everything.
    const w = tempWorkdir();
    writeFileSync(join(w.dir, 'permit-all.cedar'), 'permit (principal, action, resource);\n');
    writeFileSync(join(w.dir, 'airlock.yaml'), 'policies:\n  defaultPack: false\n  paths: ["permit-all.cedar"]\n');
    const script = 'n=0; trap "n=$((n+1))" INT; sleep 1; sleep 1; echo "interrupts=$n"';
    // A new process group stands in for the terminal's foreground group: one SIGINT to the group
    // reaches airlock and the command, as Ctrl-C does.
    const child = spawn(process.execPath, [BIN, 'exec', '--', 'sh', '-c', script], {
      cwd: w.dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    await new Promise((r) => setTimeout(r, 1200));
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    w.cleanup();
    expect(out).toBe('interrupts=1\n');
    expect(code).toBe(0);
  });
});

describe('airlock agents and identity', () => {
  it('creates an agent token that identifies the agent, and rejects an unknown token', async () => {
    const w = tempWorkdir();
    try {
      const add = await runCli(['agents', 'add', 'deploy-bot', '--role', 'deployer'], { cwd: w.dir });
      expect(add.code).toBe(0);
      const token = /^(alk_\S+)$/m.exec(add.stdout)?.[1];
      expect(token).toBeDefined();
      await runCli(['exec', '--', 'true'], { cwd: w.dir, env: { AIRLOCK_AGENT_TOKEN: token } });
      const tail = await runCli(['audit', 'tail', '--json', '-n', '2'], { cwd: w.dir });
      const decision = tail.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((e) => e.type === 'decision');
      expect(decision.payload.proposal.agent).toMatchObject({ id: 'deploy-bot', authenticated: true });
      const bad = await runCli(['exec', '--', 'true'], { cwd: w.dir, env: { AIRLOCK_AGENT_TOKEN: 'alk_forged' } });
      expect(bad.code).toBe(77);
      expect(bad.stderr).toMatch(/not a valid agent token/);
      const list = await runCli(['agents', 'list', '--json'], { cwd: w.dir });
      expect(JSON.parse(list.stdout)[0]).toMatchObject({ id: 'deploy-bot', roles: ['deployer'] });
      expect(list.stdout).not.toMatch(/tokenHash/);
    } finally {
      w.cleanup();
    }
  });
});

describe('airlock audit', () => {
  it('verifies a clean log, then catches an edited entry with exit 65', async () => {
    const w = tempWorkdir();
    try {
      await runCli(['exec', '--', 'true'], { cwd: w.dir });
      const ok = await runCli(['audit', 'verify'], { cwd: w.dir });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/audit log ok/);
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(join(w.dir, '.airlock', 'airlock.db'));
      const table = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%audit%'").get() as { name: string })
        .name;
      const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      const payloadCol = cols.find((c) => c.includes('payload')) as string;
      // Someone with the file drops the append-only triggers and rewrites what the agent ran,
      // keeping the JSON valid: only the hash chain can tell.
      for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[])
        db.exec(`DROP TRIGGER "${t.name}"`);
      const changed = db.prepare(`UPDATE ${table} SET ${payloadCol} = replace(${payloadCol}, '/true"', '/sudo"') WHERE rowid = 1`).run();
      expect(changed.changes).toBe(1);
      db.close();
      const bad = await runCli(['audit', 'verify'], { cwd: w.dir });
      expect(bad.code).toBe(65);
      expect(bad.stdout).toMatch(/FAILED/);
      expect(bad.stdout).toMatch(/entry 1/);
    } finally {
      w.cleanup();
    }
  });
});

describe('airlock audit verify --checkpoint', () => {
  it('keeps the checkpoint where it is told, and catches a restored older copy of the log', async () => {
    const w = tempWorkdir();
    const elsewhere = tempWorkdir();
    try {
      const checkpoint = join(elsewhere.dir, 'airlock-checkpoint.json');
      await runCli(['exec', '--', 'true'], { cwd: w.dir });
      const db = join(w.dir, '.airlock', 'airlock.db');
      const { copyFileSync } = await import('node:fs');
      copyFileSync(db, join(elsewhere.dir, 'old.db'));
      await runCli(['exec', '--', 'true'], { cwd: w.dir });
      expect((await runCli(['audit', 'verify', '--checkpoint', checkpoint], { cwd: w.dir })).code).toBe(0);
      expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toMatchObject({ size: 4 });
      // Restore the older copy (2 entries): the chain alone is valid, the checkpoint is not.
      for (const suffix of ['-wal', '-shm']) rmSync(db + suffix, { force: true });
      copyFileSync(join(elsewhere.dir, 'old.db'), db);
      const bad = await runCli(['audit', 'verify', '--checkpoint', checkpoint], { cwd: w.dir });
      expect(bad.code).toBe(65);
      expect(bad.stdout).toMatch(/TRUNCATED/);
    } finally {
      w.cleanup();
      elsewhere.cleanup();
    }
  });
});

describe('airlock policy test', () => {
  it("runs the default pack's own cases, and fails (exit 1) on a case whose expectation is wrong", async () => {
    const pack = join(import.meta.dirname, '..', 'policies', 'tests', 'default.yaml');
    const ok = await runCli(['policy', 'test', pack], { cwd: work.dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/\b\d+ passed, 0 failed/);
    const cases = join(work.dir, 'wrong.yaml');
    writeFileSync(
      cases,
      'cases:\n  - name: dropping a table in prod is fine\n    action: { kind: sql, input: "DROP TABLE customers" }\n    environment: { name: prod, protected: true }\n    expect: allow\n',
    );
    const bad = await runCli(['policy', 'test', cases], { cwd: work.dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +dropping a table in prod is fine: hold/);
  });
});

describe('configuration errors', () => {
  it('stops with exit 78 naming the bad field and the fix', async () => {
    const w = tempWorkdir();
    try {
      writeFileSync(join(w.dir, 'airlock.yaml'), 'environments:\n  prod:\n    match:\n      namespace: [payments]\n');
      const r = await runCli(['check', '--', 'ls'], { cwd: w.dir });
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/environments\.prod\.match: unknown field "namespace"/);
    } finally {
      w.cleanup();
    }
  });

  it('init refuses to overwrite without --force', async () => {
    const w = tempWorkdir();
    try {
      expect((await runCli(['init'], { cwd: w.dir })).code).toBe(0);
      const again = await runCli(['init'], { cwd: w.dir });
      expect(again.code).toBe(75);
      expect(again.stderr).toMatch(/--force/);
    } finally {
      w.cleanup();
    }
  });
});
