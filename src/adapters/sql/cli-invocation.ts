/**
 * What a `psql` or `mysql`/`mariadb` command line connects to and which SQL it runs, so that
 * `airlock exec -- psql …` on a configured database target goes through the database guard
 * (rehearsal, bound execution, recovery points) instead of running the client blind.
 * Only plain invocations are taken: SQL given with -c/-e or a file, no psql meta-commands, no
 * interactive session. Anything else returns null and is judged as a shell command as before.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/** A client invocation Airlock can run itself. */
export interface SqlInvocation {
  readonly engine: 'postgresql' | 'mysql';
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly sql: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

interface Options {
  readonly values: ReadonlyMap<string, string>;
  readonly repeated: readonly [string, string][];
  readonly operands: readonly string[];
}

/**
 * Splits argv into options (short and long, `--x=v` and `-xv` forms) and operands. Returns null
 * when an option is not one the caller knows: its meaning is then not settled, so Airlock does not
 * take the command over.
 */
function options(args: readonly string[], withValue: ReadonlyMap<string, string>, switches: ReadonlySet<string>): Options | null {
  const values = new Map<string, string>();
  const repeated: [string, string][] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      inline = eq === -1 ? undefined : a.slice(eq + 1);
      name = withValue.get(`--${name}`) ?? (switches.has(`--${name}`) ? `--${name}` : undefined);
      if (name === undefined) return null;
    } else if (a.startsWith('-') && a.length >= 2) {
      const short = a.slice(0, 2);
      name = withValue.get(short) ?? (switches.has(short) ? short : undefined);
      if (name === undefined) return null;
      if (a.length > 2) {
        if (!withValue.has(short)) return null;
        inline = a.slice(2);
      }
    } else {
      operands.push(a);
      continue;
    }
    if (withValue.has(name) || [...withValue.values()].includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) return null;
      values.set(name, value);
      repeated.push([name, value]);
    }
  }
  return { values, repeated, operands };
}

function readSql(file: string, cwd: string): string | null {
  try {
    return file === '-' ? null : readFileSync(resolve(cwd, file), 'utf8');
  } catch {
    return null;
  }
}

/** A conninfo string or URI given as psql's dbname. */
function pgConnInfo(text: string): { host?: string; port?: number; database?: string } | null {
  const uri = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^:/?]*)(?::(\d+))?(?:\/([^?]*))?/.exec(text);
  if (uri)
    return {
      ...(uri[1] ? { host: decodeURIComponent(uri[1]) } : {}),
      ...(portOf(uri[2]) === undefined ? {} : { port: portOf(uri[2]) as number }),
      ...(uri[3] ? { database: decodeURIComponent(uri[3]) } : {}),
    };
  if (!text.includes('=')) return null;
  const out: { host?: string; port?: number; database?: string } = {};
  for (const m of text.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)) {
    const key = m[1];
    const value = (m[2] ?? '').replace(/^'(.*)'$/, '$1');
    if (key === 'host' || key === 'hostaddr') out.host = value;
    else if (key === 'port') {
      const p = portOf(value);
      if (p !== undefined) out.port = p;
    } else if (key === 'dbname') out.database = value;
  }
  return out;
}

const PSQL_VALUE = new Map(
  Object.entries({
    '-c': '-c',
    '--command': '-c',
    '-d': '-d',
    '--dbname': '-d',
    '-f': '-f',
    '--file': '-f',
    '-h': '-h',
    '--host': '-h',
    '-p': '-p',
    '--port': '-p',
    '-U': '-U',
    '--username': '-U',
    '-v': '-v',
    '--set': '-v',
    '--variable': '-v',
  }),
);
const PSQL_SWITCHES = new Set([
  '-X',
  '--no-psqlrc',
  '-q',
  '--quiet',
  '-w',
  '--no-password',
  '-1',
  '--single-transaction',
  '-b',
  '--echo-errors',
]);

function psql(args: readonly string[], env: Env, cwd: string): SqlInvocation | null {
  const o = options(args, PSQL_VALUE, PSQL_SWITCHES);
  if (o === null || o.operands.length > 2) return null;
  const scripts = o.repeated.filter(([k]) => k === '-c' || k === '-f');
  if (scripts.length === 0) return null;
  const parts: string[] = [];
  for (const [k, v] of scripts) {
    const text = k === '-c' ? v : readSql(v, cwd);
    if (text === null) return null;
    parts.push(text);
  }
  const sql = parts.map((p) => p.trim().replace(/;\s*$/, '')).join(';\n');
  // Backslash meta-commands (\copy, \i, \gexec …) are psql's, not SQL: leave those to psql.
  if (sql.split('\n').some((line) => line.trim().startsWith('\\'))) return null;
  const dbText = o.values.get('-d') ?? o.operands[0];
  const info = dbText === undefined ? {} : (pgConnInfo(dbText) ?? { database: dbText });
  const host = o.values.get('-h') ?? info.host ?? env.PGHOST;
  const port = portOf(o.values.get('-p')) ?? info.port ?? portOf(env.PGPORT);
  const database = info.database ?? env.PGDATABASE ?? o.values.get('-U') ?? env.PGUSER ?? env.USER;
  return {
    engine: 'postgresql',
    sql,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(database === undefined ? {} : { database }),
  };
}

const MYSQL_VALUE = new Map(
  Object.entries({
    '-e': '-e',
    '--execute': '-e',
    '-D': '-D',
    '--database': '-D',
    '-h': '-h',
    '--host': '-h',
    '-P': '-P',
    '--port': '-P',
    '-u': '-u',
    '--user': '-u',
  }),
);
const MYSQL_SWITCHES = new Set(['-B', '--batch', '-N', '--skip-column-names', '-s', '--silent', '-t', '--table', '--protocol=tcp']);

function mysql(args: readonly string[], env: Env): SqlInvocation | null {
  const o = options(args, MYSQL_VALUE, MYSQL_SWITCHES);
  if (o === null || o.operands.length > 1) return null;
  const sql = o.repeated
    .filter(([k]) => k === '-e')
    .map(([, v]) => v)
    .join(';\n');
  if (sql.trim() === '') return null;
  const host = o.values.get('-h') ?? env.MYSQL_HOST;
  const port = portOf(o.values.get('-P') ?? env.MYSQL_TCP_PORT);
  const database = o.values.get('-D') ?? o.operands[0];
  return {
    engine: 'mysql',
    sql,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(database === undefined ? {} : { database }),
  };
}

/**
 * The connection and SQL of `psql …` / `mysql …` / `mariadb …` as `airlock exec` received it
 * (argv[0] is the resolved binary), with PG* / MYSQL_* variables from `env`; null when the command
 * is not such a client, or not a plain one.
 */
export function sqlInvocation(argv: readonly string[], env: Env, cwd: string): SqlInvocation | null {
  const bin = argv[0] === undefined ? '' : basename(argv[0]);
  const args = argv.slice(1);
  if (bin === 'psql') return psql(args, env, cwd);
  if (bin === 'mysql' || bin === 'mariadb') return mysql(args, env);
  return null;
}
