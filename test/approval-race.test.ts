/**
 * The single-use guarantee across processes (SECURITY.md invariant 3, "APPROVED -> EXECUTING
 * happens once"): two separate Node processes open the same SQLite file with the built store, and
 * each runs 50 consumers that read an approved request and try to claim it with
 * `updateRequest(executing, version + 1, expected = version)`. Every round, exactly one of the 100
 * wins, and the stored request is the winner's.
 *
 * The workers import `dist/`, as `airlock exec` processes do: `npm test` builds first; for a local
 * run, `npx tsc -p tsconfig.json` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { NodeHasher } from '../src/adapters/crypto/node-hasher.js';
import type { Action } from '../src/core/action.js';
import { type ApprovalRequest, planDigest, planOf } from '../src/core/approval.js';
import type { Assessment } from '../src/core/assessment.js';
import type { ResolvedEnvironment } from '../src/core/decision.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const ROOT = resolve(import.meta.dirname, '..');
const WORKER = join(ROOT, 'test/fixtures/approval-race-worker.mjs');
const BUILT_STORE = join(ROOT, 'dist/storage/sqlite/sqlite-store.js');
const ROUNDS = 10;
const CONSUMERS = 50;
const hasher = new NodeHasher();

/**
 * An approved request with every field of ApprovalRequest filled, optional ones included (the
 * store must carry all of it across processes). `overrides` replace fields as given.
 */
function approvalRequest(id: string, overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const action: Action = {
    kind: 'sql',
    sql: 'DELETE FROM sessions WHERE expires_at < now()',
    dialect: 'postgresql',
    database: { host: 'db.prod', port: 5432, name: 'app' },
  };
  const assessment: Assessment = {
    risk: 'destructive',
    kind: 'sql',
    effects: [
      {
        verb: 'delete',
        resource: 'table sessions',
        scope: 'selection',
        reversible: false,
        risk: 'destructive',
        disruptive: false,
        reason: 'DELETE with a WHERE clause',
        source: 'DELETE FROM sessions WHERE expires_at < now()',
      },
    ],
    disruptive: false,
    obfuscated: false,
    blastRadius: { scope: 'selection', count: 1200, description: 'about 1200 rows' },
    targets: [{ type: 'database', engine: 'postgresql', host: 'db.prod', port: 5432, database: 'app' }],
    reasons: ['parsed as PostgreSQL'],
  };
  const environment: ResolvedEnvironment = {
    name: 'prod',
    protected: true,
    how: 'database host db.prod matches environment prod',
    criticality: 'critical',
    resources: [
      { name: 'app-db', criticality: 'critical', owners: ['team-data'], dependants: ['api'], downtimeCostPerHour: 5000, notes: 'primary' },
    ],
  };
  const plan = planOf({
    surface: 'exec',
    action,
    cwd: 'ops',
    env: { PGHOST: 'db.prod' },
    assessment,
    environment,
    policySetHash: 'a'.repeat(64),
    rehearsal: { affectedRows: 1200 },
  });
  const digest = planDigest(plan, (text) => hasher.sha256Hex(text));
  const createdAt = '2026-01-01T00:00:00.000Z';
  return {
    id,
    version: 2,
    status: 'approved',
    requester: { kind: 'agent', id: 'db-bot', authenticated: true, onBehalfOf: 'bob', session: 'session-7' },
    proposalId: `prop-${id}`,
    decisionSeq: 11,
    plan,
    planDigest: digest,
    assessment,
    environment,
    requirement: { approvals: 1, groups: ['dba'], alternatives: ['rehearse it first'] },
    reasons: ['prod is protected'],
    policies: ['protect-prod-data'],
    intent: 'clean up expired sessions',
    createdAt,
    updatedAt: '2026-01-01T00:05:00.000Z',
    expiresAt: '2099-01-01T00:00:00.000Z',
    approvals: [
      {
        statement: {
          type: 'airlock.approval/v1',
          subject: 'request',
          id,
          planDigest: digest,
          human: 'alice',
          groups: ['dba'],
          vote: 'approve',
          comment: 'ok',
          at: '2026-01-01T00:05:00.000Z',
          expiresAt: '2099-01-01T00:00:00.000Z',
        },
        groups: ['dba'],
        onBehalfOfRequester: false,
        signature: 'c2ln',
        keyId: '0123456789abcdef',
        auditSeq: 12,
      },
    ],
    denial: null,
    revocation: null,
    execution: null,
    ...overrides,
  };
}

type Reply =
  | { readonly type: 'ready' }
  | { readonly type: 'read'; readonly approved: number }
  | { readonly type: 'cas'; readonly attempted: number; readonly winners: readonly string[]; readonly errors: readonly string[] };

/** One worker process, spoken to one JSON line at a time. */
function startWorker(path: string, name: string) {
  const child = spawn(process.execPath, [WORKER, path, name, String(CONSUMERS)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting: { resolve: (reply: Reply) => void; reject: (err: Error) => void }[] = [];
  const replies: Reply[] = [];
  let failure: Error | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    const next = waiting.shift();
    if (next === undefined) replies.push(reply);
    else next.resolve(reply);
  });
  const exited = new Promise<number | null>((resolveExit) => {
    child.on('exit', (code) => {
      failure = new Error(`worker ${name} exited with ${String(code)}: ${stderr}`);
      for (const w of waiting.splice(0)) w.reject(failure);
      resolveExit(code);
    });
  });
  child.on('error', (err) => {
    failure = err;
    for (const w of waiting.splice(0)) w.reject(err);
  });
  /** The next line the worker writes. */
  const reply = (): Promise<Reply> => {
    const queued = replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (failure !== null) return Promise.reject(failure);
    return new Promise((resolveReply, reject) => waiting.push({ resolve: resolveReply, reject }));
  };
  return {
    ready: reply(),
    async send<T extends Reply['type']>(message: object, expected: T): Promise<Extract<Reply, { type: T }>> {
      child.stdin.write(`${JSON.stringify(message)}\n`);
      const answer = await reply();
      if (answer.type !== expected) throw new Error(`worker ${name} answered ${answer.type}, not ${expected}`);
      return answer as Extract<Reply, { type: T }>;
    },
    async quit(): Promise<number | null> {
      if (failure === null) child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      return exited;
    },
    kill(): void {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

describe('approval single use across processes', () => {
  it(`lets exactly one of ${2 * CONSUMERS} consumers in two processes claim an approved request, in each of ${ROUNDS} rounds`, async () => {
    if (!existsSync(BUILT_STORE) || !readFileSync(BUILT_STORE, 'utf8').includes('updateRequest')) {
      throw new Error('the built store is missing or stale: run `npx tsc -p tsconfig.json` first (`npm test` does)');
    }
    const dir = mkdtempSync(join(tmpdir(), 'airlock-race-'));
    const path = join(dir, 'race.db');
    const store = await SqliteStore.open({ path });
    await store.migrate();
    const workers = [startWorker(path, 'a'), startWorker(path, 'b')];
    try {
      for (const w of workers) expect((await w.ready).type).toBe('ready');
      for (let round = 0; round < ROUNDS; round++) {
        const id = `req-race-${round}`;
        const version = 2 + round;
        await store.createRequest(approvalRequest(id, { version }));

        // Every consumer in both processes reads version N before anyone writes …
        const reads = await Promise.all(workers.map((w) => w.send({ cmd: 'read', id }, 'read')));
        expect(reads.map((r) => r.approved)).toEqual([CONSUMERS, CONSUMERS]);
        // … then all 100 call updateRequest(…, N) at the same moment.
        const at = Date.now() + 20;
        const results = await Promise.all(workers.map((w) => w.send({ cmd: 'cas', at }, 'cas')));

        expect(results.flatMap((r) => r.errors)).toEqual([]);
        expect(results.reduce((n, r) => n + r.attempted, 0)).toBe(2 * CONSUMERS);
        const winners = results.flatMap((r) => r.winners);
        expect(winners, `round ${round}: exactly one winner`).toHaveLength(1);

        const stored = (await store.getRequest(id))?.value;
        expect(stored?.status).toBe('executing');
        expect(stored?.version).toBe(version + 1);
        expect(stored?.execution?.executor.host).toBe(winners[0]);
        // Everything else is as approved: only the claim changed.
        expect(stored).toEqual({
          ...approvalRequest(id, { version }),
          status: 'executing',
          version: version + 1,
          updatedAt: stored?.updatedAt,
          execution: stored?.execution,
        });
      }
      expect(await Promise.all(workers.map((w) => w.quit()))).toEqual([0, 0]);
    } finally {
      for (const w of workers) w.kill();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
