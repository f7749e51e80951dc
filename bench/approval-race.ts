/**
 * `npm run bench -- race`: the cross-process approval race of test/approval-race.test.ts, as a
 * figure. Two Node processes open one SQLite file with the built store; every round a fresh
 * approved request is stored, 50 consumers in each process read it, and then all 100 try to claim
 * it (APPROVED -> EXECUTING, compare-and-set on version) at the same moment. Prints how many rounds
 * had exactly one winner, and how long a round's claim took (from the shared start to the last
 * answer).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ApprovalRequest } from '../src/core/approval.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const ROOT = resolve(import.meta.dirname, '..');
const WORKER = join(ROOT, 'test/fixtures/approval-race-worker.mjs');
const CONSUMERS = 50;

/** A minimal approved request: the race reads only its id, status and version. */
function approvedRequest(id: string, version: number): ApprovalRequest {
  const at = new Date().toISOString();
  return {
    id,
    version,
    status: 'approved',
    requester: { kind: 'agent', id: 'bench-bot', authenticated: true },
    proposalId: `prop-${id}`,
    decisionSeq: null,
    plan: {
      v: 1,
      surface: 'exec',
      action: { kind: 'shell', command: 'true' },
      cwd: null,
      env: {},
      environment: { name: 'prod', protected: true },
      targets: [],
      risk: 'destructive',
      effects: [],
      blastRadius: { scope: 'none', count: null, description: '' },
      rehearsal: null,
      inputs: [],
      policySetHash: '0'.repeat(64),
    },
    planDigest: '1'.repeat(64),
    assessment: {
      risk: 'destructive',
      kind: 'shell',
      effects: [],
      disruptive: false,
      obfuscated: false,
      blastRadius: { scope: 'none', count: null, description: '' },
      targets: [],
      reasons: [],
    },
    environment: { name: 'prod', protected: true, how: 'bench', resources: [] },
    requirement: { approvals: 1, groups: [], alternatives: [] },
    reasons: [],
    policies: [],
    intent: null,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    approvals: [],
    denial: null,
    revocation: null,
    execution: null,
  };
}

interface Worker {
  send(message: object): Promise<Record<string, unknown>>;
  quit(): Promise<void>;
}

function startWorker(path: string, name: string): Promise<Worker> {
  const child = spawn(process.execPath, [WORKER, path, name, String(CONSUMERS)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((reply: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line) as Record<string, unknown>));
  const next = () => new Promise<Record<string, unknown>>((r) => waiting.push(r));
  const exited = new Promise<void>((r, reject) => {
    child.on('exit', (code) => (code === 0 ? r() : reject(new Error(`race worker ${name} exited with ${String(code)}`))));
  });
  const worker: Worker = {
    send: (message) => {
      child.stdin.write(`${JSON.stringify(message)}\n`);
      return Promise.race([next(), exited.then(() => ({}))]);
    },
    quit: () => {
      child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      return exited;
    },
  };
  return Promise.race([
    next().then(() => worker),
    exited.then(() => Promise.reject(new Error(`race worker ${name} ended before it was ready`))),
  ]);
}

/** Runs `rounds` races and prints `rounds R, exactly-one-winner W/R` and the claim times. Needs `dist/` (npm run bench builds it). */
export async function benchApprovalRace(rounds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-race-'));
  const path = join(dir, 'race.db');
  const store = await SqliteStore.open({ path });
  try {
    await store.migrate();
    const workers = await Promise.all([startWorker(path, 'a'), startWorker(path, 'b')]);
    let exactlyOne = 0;
    const wins: Record<string, number> = {};
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const id = `req-${round}`;
      await store.createRequest(approvedRequest(id, 1 + (round % 7)));
      await Promise.all(workers.map((w) => w.send({ cmd: 'read', id })));
      const at = Date.now() + 20;
      const results = await Promise.all(workers.map((w) => w.send({ cmd: 'cas', at })));
      times.push(Date.now() - at);
      const winners = results.flatMap((r) => (Array.isArray(r.winners) ? (r.winners as string[]) : []));
      const errors = results.flatMap((r) => (Array.isArray(r.errors) ? (r.errors as string[]) : []));
      const stored = await store.getRequest(id);
      if (winners.length === 1 && errors.length === 0 && stored?.value.status === 'executing') exactlyOne++;
      for (const w of winners) {
        const side = w.split('#')[0] ?? '?';
        wins[side] = (wins[side] ?? 0) + 1;
      }
    }
    await Promise.all(workers.map((w) => w.quit()));
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? Number.NaN;
    console.log(`rounds ${rounds}, exactly-one-winner ${exactlyOne}/${rounds}`);
    console.log(`  wins by process: a ${wins.a ?? 0}, b ${wins.b ?? 0}`);
    console.log(`  claim of ${2 * CONSUMERS} consumers (shared start to last answer): p50 ${pct(50)} ms  p99 ${pct(99)} ms`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
