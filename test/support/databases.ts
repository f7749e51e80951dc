/**
 * Throwaway databases on the machine's real servers: PostgreSQL (127.0.0.1:5432, user postgres,
 * trust auth) and MariaDB (127.0.0.1:3306, root, empty password). Each test gets its own database
 * and drops it afterwards. Override with AIRLOCK_TEST_PG / AIRLOCK_TEST_MYSQL as `host:port`.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

function hostPort(value: string | undefined, fallback: number): { host: string; port: number } {
  const [host, port] = (value ?? '').split(':');
  return { host: host || '127.0.0.1', port: Number(port) || fallback };
}

export const PG = { ...hostPort(process.env.AIRLOCK_TEST_PG, 5432), user: 'postgres' };
export const MARIADB = { ...hostPort(process.env.AIRLOCK_TEST_MYSQL, 3306), user: 'root' };

/** A database made for one test. */
export interface TestDatabase {
  readonly engine: 'postgresql' | 'mariadb';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** Runs SQL on it (one connection per call) and returns the rows of the last statement. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Creates an empty PostgreSQL database. */
export async function createPgDatabase(prefix = 'airlock_test'): Promise<TestDatabase> {
  const database = uniqueName(prefix);
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    engine: 'postgresql',
    ...PG,
    database,
    async query<T>(sql: string, params?: readonly unknown[]) {
      const c = new pg.Client({ ...PG, database });
      await c.connect();
      try {
        const r = await c.query(sql, params as unknown[] | undefined);
        const last = Array.isArray(r) ? r[r.length - 1] : r;
        return (last?.rows ?? []) as T[];
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = new pg.Client({ ...PG, database: 'postgres' });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Creates an empty MariaDB database. */
export async function createMariaDatabase(prefix = 'airlock_test'): Promise<TestDatabase> {
  const database = uniqueName(prefix);
  const admin = await mysql.createConnection({ ...MARIADB });
  try {
    await admin.query(`CREATE DATABASE \`${database}\``);
  } finally {
    await admin.end();
  }
  return {
    engine: 'mariadb',
    ...MARIADB,
    database,
    async query<T>(sql: string, params?: readonly unknown[]) {
      const c = await mysql.createConnection({ ...MARIADB, database, multipleStatements: true });
      try {
        const [rows] = await c.query(sql, params as unknown[] | undefined);
        if (Array.isArray(rows) && rows.length > 0 && Array.isArray(rows[rows.length - 1])) return rows[rows.length - 1] as T[];
        return (Array.isArray(rows) ? rows : []) as T[];
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = await mysql.createConnection({ ...MARIADB });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** What a driver (pg, mysql2) needs to connect to the database. */
export function clientOptions(db: TestDatabase): { host: string; port: number; user: string; database: string } {
  return { host: db.host, port: db.port, user: db.user, database: db.database };
}

/** The connection fields of a database target (airlock.yaml `databases.NAME`) that reaches it. */
export function targetFields(db: TestDatabase): {
  engine: TestDatabase['engine'];
  host: string;
  port: number;
  user: string;
  database: string;
} {
  return { engine: db.engine, ...clientOptions(db) };
}

/** The same fields as YAML lines, indented to sit under `databases.NAME`. */
export function targetYaml(db: TestDatabase, indent = '    '): string {
  return Object.entries(targetFields(db))
    .map(([k, v]) => `${indent}${k}: ${v}`)
    .join('\n');
}
