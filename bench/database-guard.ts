/**
 * `npm run bench -- sql`: the database guard's figures, on the machine's real servers (PostgreSQL,
 * then MariaDB), each on a throwaway database dropped at the end:
 *  1. rehearsal of a DELETE of 10,000 rows (out of 100,000) against the same DELETE run directly
 *     with the plain driver inside BEGIN … ROLLBACK; guarded execution against a direct committed DELETE;
 *  2. `airlock undo` of a DELETE of 100,000 rows (target ≤ 10 s);
 *  3. classification of typical statements by the SQL classifier (target p50 ≤ 0.2 ms).
 */
import { cpus, loadavg } from 'node:os';
import mysql from 'mysql2/promise';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import pg from 'pg';
import { MariaDbGuard } from '../src/adapters/sql/mariadb-guard.js';
import { PostgresGuard } from '../src/adapters/sql/postgres-guard.js';
import { SqlClassifier } from '../src/adapters/sql/sql-classifier.js';
import type { SqlDialect } from '../src/core/action.js';
import { worstRisk } from '../src/core/assessment.js';
import { databaseSchema } from '../src/core/config.js';
import type { DatabaseGuard } from '../src/core/database.js';
import { clientOptions, createMariaDatabase, createPgDatabase, type TestDatabase, targetFields } from '../test/support/databases.js';

const TOTAL_ROWS = 100_000;
const DELETED_ROWS = 10_000;
/** Rows are one minute apart from 2024-01-01 00:00, so the first 10,000 are before this instant. */
const DELETE_10K = "DELETE FROM orders WHERE created_at < '2024-01-07 22:40:00'";
const DELETE_ALL = 'DELETE FROM orders';
const RETENTION_MS = 7 * 24 * 3600 * 1000;
const UNDO_TARGET_MS = 10_000;
const CLASSIFY_TARGET_MS = 0.2;

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (n: number): string => `${n.toFixed(3)} ms`;
const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const line = (label: string, xs: readonly number[]): string => {
  const s = sorted(xs);
  return `${label.padEnd(72)} n=${s.length}  p50 ${ms(pct(s, 50))}  p90 ${ms(pct(s, 90))}`;
};

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { ms: performance.now() - t, value };
}

/** A plain driver connection to the throwaway database (the "direct" side of the comparison). */
interface Direct {
  /** Runs one statement and returns the rows it affected. */
  run(sql: string): Promise<number>;
  /** Runs a query returning one number (first column of the first row). */
  scalar(sql: string): Promise<number>;
  close(): Promise<void>;
}

/** What differs between the engines. */
interface Engine {
  readonly label: string;
  readonly begin: string;
  create(): Promise<TestDatabase>;
  /** Statements that create the empty `orders` table and its index. */
  readonly schema: readonly string[];
  /** The statement that inserts rows `from`..`to` (inclusive); the same rows every time. */
  fill(from: number, to: number): string;
  /** Statements run after a restore, outside the timed part, so every run starts from the same table state. */
  tidy: readonly string[];
  /** A query returning the server's version. */
  readonly version: string;
  connect(db: TestDatabase): Promise<Direct>;
  guard(db: TestDatabase, recoverySchema: string | undefined): DatabaseGuard;
  /** A recovery schema of its own (MariaDB keeps recovery data in a separate database), dropped at the end. */
  recoverySchema(db: TestDatabase): string | undefined;
}

const config = (db: TestDatabase) => databaseSchema.parse(targetFields(db));

const POSTGRES: Engine = {
  label: 'PostgreSQL',
  begin: 'BEGIN',
  create: () => createPgDatabase('airlock_bench'),
  schema: [
    'CREATE TABLE orders (id integer PRIMARY KEY, customer text NOT NULL, status text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamp NOT NULL, note text)',
    'CREATE INDEX orders_created_at ON orders (created_at)',
  ],
  fill: (from, to) =>
    `INSERT INTO orders SELECT g, 'customer-' || (g % 5000), (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4], round((g % 1000) * 1.37, 2), TIMESTAMP '2024-01-01 00:00:00' + g * interval '1 minute', md5(g::text) FROM generate_series(${from}, ${to}) g`,
  tidy: ['VACUUM ANALYZE orders'],
  version: 'SHOW server_version',
  async connect(db) {
    const c = new pg.Client(clientOptions(db));
    await c.connect();
    return {
      run: async (sql) => (await c.query(sql)).rowCount ?? 0,
      scalar: async (sql) => Number(Object.values((await c.query(sql)).rows[0] ?? {})[0]),
      close: () => c.end(),
    };
  },
  guard: (db, recoverySchema) =>
    new PostgresGuard({ name: 'bench-pg', config: config(db), ...(recoverySchema === undefined ? {} : { recoverySchema }) }),
  // Inside the throwaway database: the default schema goes with it.
  recoverySchema: () => undefined,
};

const MARIADB: Engine = {
  label: 'MariaDB',
  begin: 'START TRANSACTION',
  create: () => createMariaDatabase('airlock_bench'),
  schema: [
    'CREATE TABLE orders (id int PRIMARY KEY, customer varchar(64) NOT NULL, status varchar(16) NOT NULL, amount decimal(12,2) NOT NULL, created_at datetime NOT NULL, note varchar(64), INDEX orders_created_at (created_at)) ENGINE=InnoDB',
  ],
  fill: (from, to) =>
    `INSERT INTO orders SELECT seq, CONCAT('customer-', seq % 5000), ELT(1 + seq % 4, 'new','paid','shipped','cancelled'), ROUND((seq % 1000) * 1.37, 2), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE, MD5(seq) FROM seq_${from}_to_${to}`,
  tidy: ['ANALYZE TABLE orders'],
  version: 'SELECT VERSION()',
  async connect(db) {
    const c = await mysql.createConnection(clientOptions(db));
    return {
      run: async (sql) => {
        const [r] = await c.query<ResultSetHeader>(sql);
        return r.affectedRows;
      },
      scalar: async (sql) => {
        const [rows] = await c.query<RowDataPacket[]>(sql);
        return Number(Object.values(rows[0] ?? {})[0]);
      },
      close: () => c.end(),
    };
  },
  guard: (db, recoverySchema) =>
    new MariaDbGuard({ name: 'bench-mariadb', config: config(db), ...(recoverySchema === undefined ? {} : { recoverySchema }) }),
  recoverySchema: (db) => `${db.database}_rp`,
};

/** Figures 1 and 2 on one engine, on a throwaway database dropped at the end. */
async function benchEngine(engine: Engine): Promise<void> {
  const db = await engine.create();
  const recoverySchema = engine.recoverySchema(db);
  let direct: Direct | undefined;
  let guard: DatabaseGuard | undefined;
  try {
    direct = await engine.connect(db);
    const d = direct;
    const [versionRow] = await db.query(engine.version);
    const version = String(Object.values(versionRow ?? {})[0] ?? '?');
    for (const sql of engine.schema) await d.run(sql);
    await d.run(engine.fill(0, TOTAL_ROWS - 1));
    for (const sql of engine.tidy) await d.run(sql);
    const count = () => d.scalar('SELECT count(*) FROM orders');
    console.log(
      `${engine.label} ${version}: table orders, ${await count()} rows (integer primary key, text, numeric and timestamp columns, index on created_at)`,
    );
    const g = engine.guard(db, recoverySchema);
    guard = g;

    // 1a. Rehearsal against the same DELETE run directly and rolled back.
    const directRolledBack = async (): Promise<number> => {
      await d.run(engine.begin);
      try {
        return await d.run(DELETE_10K);
      } finally {
        await d.run('ROLLBACK');
      }
    };
    for (let i = 0; i < 3; i++) {
      await directRolledBack();
      await g.rehearse(DELETE_10K);
    }
    const directTimes: number[] = [];
    const rehearsalTimes: number[] = [];
    let rehearsed: number | null = null;
    let directRows = 0;
    for (let i = 0; i < 20; i++) {
      const a = await timed(directRolledBack);
      directTimes.push(a.ms);
      directRows = a.value;
      const b = await timed(() => g.rehearse(DELETE_10K));
      rehearsalTimes.push(b.ms);
      rehearsed = b.value.statements[0]?.rowsAffected ?? null;
    }
    const rehearsal = await g.rehearse(DELETE_10K);
    console.log(`  1. ${DELETE_10K}  (direct deleted ${directRows} rows; the rehearsal measured ${rehearsed})`);
    console.log(line('     direct: plain driver, BEGIN; DELETE; ROLLBACK (one round trip each)', directTimes));
    console.log(line('     guard.rehearse: the same DELETE, rolled back, samples included', rehearsalTimes));
    const d50 = pct(sorted(directTimes), 50);
    const r50 = pct(sorted(rehearsalTimes), 50);
    console.log(`     rehearsal overhead at p50: +${ms(r50 - d50)} (${(r50 / d50).toFixed(2)}x the direct time)`);

    // 1b. Guarded execution (recovery point, bound to the rehearsal) against a direct committed DELETE.
    // Rows are put back between runs, outside the timed part: re-inserted after the direct DELETE,
    // `guard.undo` (then `purge`) after the guarded one.
    const restoreDirect = async (): Promise<void> => {
      await d.run(engine.fill(0, DELETED_ROWS - 1));
      for (const sql of engine.tidy) await d.run(sql);
    };
    const restoreGuarded = async (changeId: string): Promise<void> => {
      const now = new Date();
      await g.undo(changeId, { now });
      await g.purge({ now, changeId });
      for (const sql of engine.tidy) await d.run(sql);
    };
    const executeTimes: number[] = [];
    const committedTimes: number[] = [];
    const problems: string[] = [];
    for (let i = 0; i < 11; i++) {
      const a = await timed(() => d.run(DELETE_10K));
      if (a.value !== DELETED_ROWS) problems.push(`direct DELETE ${i} deleted ${a.value} rows`);
      await restoreDirect();
      const changeId = `bench-execute-${i}`;
      const b = await timed(() => g.execute(DELETE_10K, { changeId, expected: rehearsal, retentionMs: RETENTION_MS, now: new Date() }));
      const points = b.value.recoveryPoints.length;
      if (!b.value.committed || b.value.drift.length > 0 || points !== 1)
        problems.push(`guarded run ${i}: committed ${b.value.committed}, ${b.value.drift.length} drift, ${points} recovery point(s)`);
      await restoreGuarded(changeId);
      // The first round is the warm-up.
      if (i > 0) {
        committedTimes.push(a.ms);
        executeTimes.push(b.ms);
      }
    }
    const rowsAfter = await count();
    console.log(line('     direct: plain driver, DELETE committed (autocommit)', committedTimes));
    console.log(line('     guard.execute: recovery point + DELETE bound to the rehearsal', executeTimes));
    const c50 = pct(sorted(committedTimes), 50);
    const e50 = pct(sorted(executeTimes), 50);
    console.log(`     guarded execution overhead at p50: +${ms(e50 - c50)} (${(e50 / c50).toFixed(2)}x the direct time)`);
    console.log(`     rows put back between runs (undo, re-insert); ${rowsAfter} rows after the last round`);
    for (const p of problems) console.log(`     unexpected: ${p}`);

    // 2. Undo of a DELETE of every row.
    console.log(`  2. airlock undo of ${DELETE_ALL} (${TOTAL_ROWS} rows), through guard.execute (expected null) then guard.undo`);
    const undoTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const changeId = `bench-undo-${i}`;
      const e = await timed(() => g.execute(DELETE_ALL, { changeId, expected: null, retentionMs: RETENTION_MS, now: new Date() }));
      const emptied = await count();
      const u = await timed(() => g.undo(changeId, { now: new Date() }));
      undoTimes.push(u.ms);
      const back = await count();
      const restored = u.value.restored;
      const verified = restored.length > 0 && restored.every((r) => r.verified);
      console.log(
        `     run ${i + 1}: execute ${ms(e.ms)} (${e.value.statements[0]?.rowsAffected} rows deleted, ${emptied} left, ${e.value.recoveryPoints.length} recovery point(s)); undo ${ms(u.ms)}: ${back} rows back, ${restored.length} point(s) restored, ${verified ? 'all verified' : 'NOT all verified'}`,
      );
      await g.purge({ now: new Date(), changeId });
      for (const sql of engine.tidy) await d.run(sql);
    }
    const worst = Math.max(...undoTimes);
    console.log(
      `     undo n=3  max ${ms(worst)}  p50 ${ms(pct(sorted(undoTimes), 50))}  target ≤ ${UNDO_TARGET_MS / 1000} s: ${worst <= UNDO_TARGET_MS ? 'met' : 'NOT met'}`,
    );
  } catch (e) {
    console.log(`  ${engine.label}: failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    try {
      await guard?.close();
      await direct?.close();
      if (recoverySchema !== undefined) await db.query(`DROP DATABASE IF EXISTS \`${recoverySchema}\``);
    } finally {
      await db.drop();
    }
  }
}

/** Typical statements per dialect: a join read, an UPDATE by key, a DELETE by age, an INSERT. */
const TYPICAL: Readonly<Record<'postgresql' | 'mysql', readonly string[]>> = {
  postgresql: [
    "SELECT o.id, o.amount, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' AND o.amount > 100",
    "UPDATE accounts SET status = 'suspended', updated_at = now() WHERE id = 42",
    "DELETE FROM sessions WHERE created_at < now() - interval '30 days'",
    "INSERT INTO audit_events (actor, action, created_at) VALUES ('agent-7', 'login', now())",
  ],
  mysql: [
    "SELECT o.id, o.amount, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' AND o.amount > 100",
    "UPDATE accounts SET status = 'suspended', updated_at = now() WHERE id = 42",
    'DELETE FROM sessions WHERE created_at < now() - INTERVAL 30 DAY',
    "INSERT INTO audit_events (actor, action, created_at) VALUES ('agent-7', 'login', now())",
  ],
};

/** Figure 3: `SqlClassifier.classify` on typical statements, per dialect. */
async function benchClassification(): Promise<void> {
  const classifier = await SqlClassifier.create({ dialects: ['postgresql', 'mysql'] });
  console.log('  3. SqlClassifier.classify, the 4 typical statements in turn (join SELECT, UPDATE … WHERE id = 42, DELETE by age, INSERT)');
  for (const dialect of ['postgresql', 'mysql'] as const satisfies readonly SqlDialect[]) {
    const statements = TYPICAL[dialect];
    const classes = statements.map((s) => worstRisk(classifier.classify(s, dialect).effects.map((e) => e.risk)));
    for (let i = 0; i < 2000; i++) classifier.classify(statements[i % statements.length] as string, dialect);
    const times: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const sql = statements[i % statements.length] as string;
      const t = performance.now();
      classifier.classify(sql, dialect);
      times.push(performance.now() - t);
    }
    const s = sorted(times);
    console.log(
      `     ${dialect.padEnd(10)} n=${s.length}  p50 ${ms(pct(s, 50))}  p90 ${ms(pct(s, 90))}  p99 ${ms(pct(s, 99))}  target p50 ≤ ${CLASSIFY_TARGET_MS} ms: ${pct(s, 50) <= CLASSIFY_TARGET_MS ? 'met' : 'NOT met'}  (classed ${classes.join(', ')})`,
    );
  }
}

/** Prints the database guard's figures: PostgreSQL, then MariaDB, then classification. */
export async function benchDatabaseGuard(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(`machine: ${cpus().length} cores, load average ${load.join(' ')} (shared: figures vary between runs)`);
  await benchEngine(POSTGRES);
  await benchEngine(MARIADB);
  await benchClassification();
}
