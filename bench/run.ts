/**
 * `npm run bench`: prints Airlock's figures.
 *  1. classifier quality: recall on destructive actions and false positives on benign ones, for the
 *     repo corpus (test/corpus) and for the held-out set (bench/holdout) the classifier was not
 *     tuned on;
 *  2. in-process decision latency p50/p99 (gateway.decide, what-if and recorded);
 *  3. `airlock check --jsonl` throughput as a process on one core;
 *  4. `airlock hook claude-code` round trip as a process;
 *  5. the approval single-use race: two processes, 100 consumers, one winner (bench/approval-race.ts).
 *  6. from the second approval to the approved command starting (bench/approval-latency.ts).
 *  7. the database guard: rehearsal and guarded execution overhead, undo of 100,000 rows, SQL
 *     classification latency, on PostgreSQL and MariaDB (bench/database-guard.ts).
 *  8. the MCP gateway: added latency of a pass-through tool call over stdio, memory per open
 *     session (bench/mcp-gateway.ts).
 * Figures, not pass/fail: timings belong here, not in tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAirlock } from '../src/app/composition.js';
import type { Action } from '../src/core/action.js';
import { entryToAction, loadCorpus, scoreCorpus, type CorpusEntry } from '../test/corpus/corpus.js';
import { benchApprovalLatency } from './approval-latency.js';
import { benchApprovalRace } from './approval-race.js';
import { benchDatabaseGuard } from './database-guard.js';
import { benchMcpGateway } from './mcp-gateway.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/airlock.js');
const only = new Set(process.argv.slice(2));
const want = (s: string): boolean => only.size === 0 || only.has(s);

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const ms = (n: number): string => `${n.toFixed(3)} ms`;
const percent = (n: number): string => `${(n * 100).toFixed(2)}%`;

const work = mkdtempSync(join(tmpdir(), 'airlock-bench-'));
try {
  const airlock = await createAirlock({ env: {}, cwd: work, eager: true });
  const classify = (e: CorpusEntry) => airlock.classifier.classify(entryToAction(e));
  const repo = loadCorpus(join(ROOT, 'test/corpus'));
  // Held-out sets, each written independently from RISK.md by someone who saw neither the code nor
  // the other sets. Each was measured once while unseen — those first figures are the honest
  // measure of actions the classifier was not tuned on, and are printed with it — and then used to
  // find missing rules, so today's figures on them are figures on seen data.
  const sets: [string, CorpusEntry[]][] = [['repo corpus (test/corpus, tuned on)', repo]];
  for (const [dir, label] of [
    ['bench/holdout', 'held-out set v1 (bench/holdout; first measured unseen: recall 94.78%, false positives 3.16%)'],
    ['bench/holdout-v2', 'held-out set v2 (bench/holdout-v2; first measured unseen: recall 86.51%, false positives 18.54%)'],
    ['bench/holdout-v3', 'held-out set v3 (bench/holdout-v3; first measured unseen: recall 91.72%, false positives 8.18%)'],
  ] as const) {
    if (existsSync(join(ROOT, dir))) sets.push([`${label}, now seen`, loadCorpus(join(ROOT, dir))]);
  }

  if (want('quality')) {
    console.log('\n== classifier quality ==');
    for (const [name, entries] of sets) {
      const s = scoreCorpus(entries, classify);
      console.log(`${name}: ${s.total} actions`);
      console.log(
        `  recall on destructive+catastrophic   ${percent(s.recall)}  (${s.caught}/${s.destructiveTotal} classed destructive or catastrophic)`,
      );
      console.log(`  recall counting unknown as held      ${percent(s.recallWithUnknown)}`);
      console.log(
        `  false positives on benign            ${percent(s.falsePositiveRate)}  (${s.falsePositives}/${s.benignTotal} read/write actions classed destructive, catastrophic or unknown)`,
      );
      console.log(`  exact class                          ${percent(s.exactAccuracy)}`);
    }
  }

  if (want('latency')) {
    console.log('\n== in-process decision latency (gateway.decide) ==');
    const actions = repo.map(entryToAction);
    const agent = { id: 'bench', authenticated: true } as const;
    for (const record of [false, true]) {
      const n = record ? 2000 : 20000;
      for (let i = 0; i < 2000; i++)
        await airlock.gateway.decide({ surface: 'exec', agent, roles: [], action: actions[i % actions.length] as Action, record: false });
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await airlock.gateway.decide({ surface: 'exec', agent, roles: [], action: actions[i % actions.length] as Action, record });
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${record ? 'recorded (SQLite, synchronous=FULL)' : 'what-if (not recorded)         '}  n=${n}  p50 ${ms(pct(times, 50))}  p99 ${ms(pct(times, 99))}`,
      );
    }
    const cls: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const t = performance.now();
      airlock.classifier.classify(actions[i % actions.length] as Action);
      cls.push(performance.now() - t);
    }
    cls.sort((a, b) => a - b);
    console.log(`classification alone              n=20000  p50 ${ms(pct(cls, 50))}  p99 ${ms(pct(cls, 99))}`);
  }
  await airlock.close();

  if (want('jsonl')) {
    console.log('\n== airlock check --jsonl throughput (one process, pinned to one core where taskset exists) ==');
    const n = 20000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = repo[i % repo.length] as CorpusEntry;
      lines.push(JSON.stringify({ id: i, kind: e.kind, input: e.input, ...(e.dialect ? { dialect: e.dialect } : {}) }));
    }
    const input = `${lines.join('\n')}\n`;
    const pin = spawnSync('taskset', ['--version']).status === 0 ? ['taskset', '-c', '0'] : [];
    const run = (text: string): Promise<{ ms: number; out: number }> =>
      new Promise((resolvePromise, reject) => {
        const t = performance.now();
        const argv = [...pin, process.execPath, BIN, 'check', '--jsonl'];
        const child = spawn(argv[0] as string, argv.slice(1), { cwd: work, stdio: ['pipe', 'pipe', 'inherit'] });
        let out = 0;
        child.stdout.on('data', (d: Buffer) => {
          for (const b of d) if (b === 10) out++;
        });
        child.on('error', reject);
        child.on('close', () => resolvePromise({ ms: performance.now() - t, out }));
        child.stdin.end(text);
      });
    const empty = await run('');
    const full = await run(input);
    console.log(
      `${full.out} answers in ${(full.ms / 1000).toFixed(2)} s: ${Math.round(full.out / (full.ms / 1000))} decisions/s including start-up; ${Math.round(full.out / ((full.ms - empty.ms) / 1000))} decisions/s after start-up (${Math.round(empty.ms)} ms)`,
    );
  }

  if (want('hook')) {
    console.log('\n== airlock hook claude-code round trip (a new process each time; decision recorded) ==');
    const payload = (command: string) =>
      JSON.stringify({
        session_id: 'bench',
        transcript_path: '/dev/null',
        cwd: work,
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command, description: 'bench' },
      });
    // The gateway for the AIRLOCK_URL path: `airlock up` on a free port, in the same data directory.
    const server = spawn(process.execPath, [BIN, 'up', '--port', '0'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolvePromise, reject) => {
      let out = '';
      server.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /web UI +(http:\/\/[^/\s]+)\//.exec(out);
        if (m) resolvePromise(m[1] as string);
      });
      server.on('exit', (code) => reject(new Error(`airlock up exited with ${code}`)));
    });
    try {
      for (const [mode, env] of [
        ['through the gateway (AIRLOCK_URL)', { ...process.env, AIRLOCK_URL: url }],
        ['in-process (no AIRLOCK_URL)', { ...process.env, AIRLOCK_URL: '' }],
      ] as const) {
        console.log(mode);
        for (const [label, command] of [
          ['git status', 'git status'],
          ['kubectl delete', 'kubectl -n prod delete deploy api'],
          ['psql (SQL parser needed)', "psql -c 'DELETE FROM users'"],
        ] as const) {
          const times: number[] = [];
          for (let i = 0; i < 25; i++) {
            const t = performance.now();
            const r = spawnSync(process.execPath, [BIN, 'hook', 'claude-code'], {
              cwd: work,
              input: payload(command),
              encoding: 'utf8',
              env,
            });
            times.push(performance.now() - t);
            if (i === 0 && !r.stdout.includes('permissionDecision'))
              console.log(`  (unexpected answer; exit ${r.status}: ${r.stdout}${r.stderr})`);
          }
          times.sort((a, b) => a - b);
          console.log(`  ${label.padEnd(26)} n=25  p50 ${ms(pct(times, 50))}  p90 ${ms(pct(times, 90))}`);
        }
      }
    } finally {
      server.kill('SIGTERM');
    }
  }

  if (want('approval')) {
    console.log('\n== from the second approval (HTTP API, as the web UI button) to the approved command starting ==');
    await benchApprovalLatency(20);
  }

  if (want('race')) {
    console.log('\n== approval single use across two processes (SQLite compare-and-set, 2 x 50 consumers per round) ==');
    await benchApprovalRace(100);
  }

  if (want('sql')) {
    console.log('\n== database guard (bench/database-guard.ts) ==');
    await benchDatabaseGuard();
  }

  if (want('mcp')) await benchMcpGateway({ root: ROOT, bin: BIN });
} finally {
  rmSync(work, { recursive: true, force: true });
}
