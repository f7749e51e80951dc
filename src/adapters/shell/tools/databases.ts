/**
 * Database and cache CLIs: psql, mysql/mariadb and sqlite3 hand their SQL to the SQL classifier;
 * redis-cli, mongosh, etcdctl and vault are judged by command; dropdb, pg_restore --clean,
 * mongorestore --drop; framework CLIs (prisma, rails, manage.py, alembic, artisan, knex …).
 */
import type { SqlDialect } from '../../../core/action.js';
import type { RiskClass, Scope, Target } from '../../../core/assessment.js';
import { flagText, hasFlag, parseArgs } from '../args.js';
import { mergeResults, obfuscate, readOnly, single, stdinOf, unknownResult, workdirOf } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable } from '../tool-rule.js';

type Db = { host?: string; port?: number; name?: string };

function dbTarget(engine: string, db: Db): Target {
  return {
    type: 'database',
    engine,
    ...(db.host !== undefined ? { host: db.host } : {}),
    ...(db.port !== undefined ? { port: db.port } : {}),
    ...(db.name !== undefined ? { database: db.name } : {}),
  };
}

function withDb(r: ToolResult, engine: string, db: Db): ToolResult {
  return { ...r, kind: 'sql', targets: [...(r.targets ?? []), dbTarget(engine, db)] };
}

function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** Parses a URI like `postgres://u@host:5432/db` into connection facts. */
function fromUri(text: string): Db | undefined {
  const m = /^(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss):\/\/(?:[^@/]*@)?([^:/?]*)(?::(\d+))?(?:\/([^?]*))?/.exec(
    text,
  );
  if (!m) return undefined;
  const db: Db = {};
  if (m[1]) db.host = m[1];
  const p = port(m[2]);
  if (p !== undefined) db.port = p;
  if (m[3]) db.name = m[3];
  return db;
}

/** Splits psql input into backslash meta-commands and SQL. */
function psqlScript(text: string): { sql: string; meta: string[] } {
  const meta: string[] = [];
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('\\')) meta.push(t);
    else lines.push(line);
  }
  return { sql: lines.join('\n'), meta };
}

function metaResult(command: SimpleCommand, context: ToolContext, meta: readonly string[]): ToolResult[] {
  const out: ToolResult[] = [];
  for (const m of meta) {
    if (/^\\!/.test(m)) out.push(obfuscate(context.classifyScript(m.slice(2)), 'psql \\! runs a shell command'));
    else if (/^\\(i|ir|include|copy|o|out|w|g\b|gexec|gset)/.test(m))
      out.push(unknownResult(command, `psql ${m.split(' ')[0] ?? ''} reads or writes files or runs query output`, 'sql'));
  }
  return out;
}

function sqlFrom(
  command: SimpleCommand,
  context: ToolContext,
  engine: string,
  dialect: SqlDialect,
  db: Db,
  scripts: readonly string[],
  fileFlag: string | undefined,
  interactive: () => ToolResult,
): ToolResult {
  const results: ToolResult[] = [];
  for (const s of scripts) {
    const { sql, meta } = dialect === 'postgresql' ? psqlScript(s) : { sql: s, meta: [] as string[] };
    results.push(...metaResult(command, context, meta));
    if (sql.trim() !== '') results.push(context.classifySql(sql, dialect, db));
  }
  if (fileFlag !== undefined) {
    const stdin = stdinOf(context);
    if (fileFlag === '-' && typeof stdin === 'string') results.push(obfuscate(context.classifySql(stdin, dialect, db), 'SQL fed on stdin'));
    else results.push(unknownResult(command, `runs the SQL file ${fileFlag}, which is not visible here`, 'sql'));
  }
  if (scripts.length === 0 && fileFlag === undefined) {
    const stdin = stdinOf(context);
    if (typeof stdin === 'string') {
      const { sql, meta } = dialect === 'postgresql' ? psqlScript(stdin) : { sql: stdin, meta: [] as string[] };
      results.push(...metaResult(command, context, meta));
      results.push(
        obfuscate(sql.trim() === '' ? readOnly(command, 'no SQL', 'sql') : context.classifySql(sql, dialect, db), 'SQL fed on stdin'),
      );
    } else if (stdin === null)
      results.push({
        ...unknownResult(command, `${command.name} runs SQL piped in that is not known before run time`, 'sql'),
        obfuscated: true,
      });
    else results.push(interactive());
  }
  return withDb(mergeResults(results, 'sql'), engine, db);
}

const psql: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'cdfhLoPpRTUvF',
    longWithValue: [
      'command',
      'dbname',
      'file',
      'host',
      'log-file',
      'output',
      'pset',
      'port',
      'record-separator',
      'table-attr',
      'username',
      'set',
      'variable',
      'field-separator',
    ],
  });
  const env = context.env;
  const db: Db = {};
  const ops = p.operands.map((o) => o.text);
  let dbname = flagText(p, '-d', '--dbname') ?? ops[0];
  const uri = dbname !== undefined ? fromUri(dbname) : undefined;
  if (uri) Object.assign(db, uri);
  else if (dbname !== undefined) db.name = dbname;
  const host = flagText(p, '-h', '--host') ?? (db.host === undefined ? env['PGHOST'] : undefined);
  if (host !== undefined) db.host = host;
  const pt = port(flagText(p, '-p', '--port') ?? env['PGPORT']);
  if (pt !== undefined && db.port === undefined) db.port = pt;
  if (db.name === undefined && env['PGDATABASE'] !== undefined) db.name = env['PGDATABASE'];
  dbname = db.name;
  if (hasFlag(p, '-l', '--list')) return withDb(readOnly(command, 'lists databases', 'sql'), 'postgresql', db);
  const scripts: string[] = [];
  for (const [k, v] of p.flagList)
    if ((k === '-c' || k === '--command') && v !== true) {
      if (v.dynamic) return withDb(unknownResult(command, 'SQL not known before run time', 'sql'), 'postgresql', db);
      scripts.push(v.text);
    }
  return sqlFrom(command, context, 'postgresql', 'postgresql', db, scripts, flagText(p, '-f', '--file'), () =>
    unknownResult(command, 'an interactive psql session', 'sql'),
  );
};

const mysql: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'eDhPuSA',
    longWithValue: [
      'execute',
      'database',
      'host',
      'port',
      'user',
      'socket',
      'default-character-set',
      'defaults-file',
      'login-path',
      'protocol',
    ],
  });
  const db: Db = {};
  const host = flagText(p, '-h', '--host') ?? context.env['MYSQL_HOST'];
  if (host !== undefined) db.host = host;
  const pt = port(flagText(p, '-P', '--port') ?? context.env['MYSQL_TCP_PORT']);
  if (pt !== undefined) db.port = pt;
  const name = flagText(p, '-D', '--database') ?? p.operands[0]?.text;
  if (name !== undefined) db.name = name;
  const scripts: string[] = [];
  for (const [k, v] of p.flagList)
    if ((k === '-e' || k === '--execute') && v !== true) {
      if (v.dynamic) return withDb(unknownResult(command, 'SQL not known before run time', 'sql'), 'mysql', db);
      scripts.push(v.text);
    }
  return sqlFrom(command, context, 'mysql', 'mysql', db, scripts, undefined, () =>
    unknownResult(command, `an interactive ${command.name} session`, 'sql'),
  );
};

const sqlite3: ToolRule = (command, context) => {
  const args = command.args;
  const ops: string[] = [];
  const cmds: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i]?.text ?? '';
    if (t === '-cmd') {
      cmds.push(args[i + 1]?.text ?? '');
      i++;
    } else if (
      ['-separator', '-nullvalue', '-newline', '-init', '-vfs', '-pagecache', '-lookaside', '-maxsize', '-mmap', '-heap'].includes(t)
    )
      i++;
    else if (!t.startsWith('-')) ops.push(t);
  }
  const file = ops[0] === undefined ? undefined : sqliteFileName(ops[0], context);
  const db: Db = file !== undefined ? { name: file } : {};
  const scripts = [...cmds, ...ops.slice(1)];
  const results: ToolResult[] = [];
  const sqlParts: string[] = [];
  // Databases the script opens or attaches besides the main one: each is a file it may write.
  const opened: Target[] = [];
  const all = scripts.length > 0 ? scripts : typeof stdinOf(context) === 'string' ? [stdinOf(context) as string] : [];
  for (const s of all) {
    for (const line of s.split('\n')) {
      const t = line.trim();
      if (!t.startsWith('.')) {
        sqlParts.push(line);
        continue;
      }
      if (/^\.read\s+(\/dev\/stdin|-)\s*$/.test(t)) {
        const stdin = stdinOf(context);
        if (typeof stdin === 'string') results.push(obfuscate(context.classifySql(stdin, 'sqlite', db), 'SQL fed on stdin'));
        else results.push({ ...unknownResult(command, 'sqlite3 reads SQL from stdin that is not known', 'sql'), obfuscated: true });
      } else if (/^\.(shell|system)\b/.test(t))
        results.push(obfuscate(context.classifyScript(t.replace(/^\.(shell|system)\s*/, '')), 'sqlite3 .shell'));
      else if (/^\.(restore|read|import|load|output|once|save|backup|open)\b/.test(t)) {
        const verb = /^\.(restore)\b/.test(t) ? 'destructive' : 'write';
        const named = dotFile(t, context);
        if (named !== undefined && /^\.open\b/.test(t)) opened.push(dbTarget('sqlite', { name: named }));
        // `.backup`, `.save`, `.output`, `.once` write the file they name.
        const writes = named !== undefined && !named.startsWith('|') && /^\.(output|once|save|backup)\b/.test(t);
        results.push(
          single('sql', command, {
            verb: 'modify',
            resource: writes ? `path ${named}` : `database ${(/^\.open\b/.test(t) ? named : undefined) ?? file ?? ''}`,
            scope: 'database',
            reversible: verb === 'write',
            risk: /^\.(read|load)/.test(t) ? 'unknown' : verb,
            reason: `sqlite3 ${t.split(' ')[0] ?? ''}`,
          }),
        );
      }
    }
  }
  const sql = sqlParts.join('\n');
  for (const m of sql.matchAll(/\battach\s+(?:database\s+)?(['"])(.*?)\1/gi))
    opened.push(dbTarget('sqlite', { name: sqliteFileName(m[2] ?? '', context) }));
  if (sql.trim() !== '') {
    const r = context.classifySql(sql, 'sqlite', db);
    results.push(scripts.length === 0 ? obfuscate(r, 'SQL fed on stdin') : r);
  }
  if (results.length === 0) {
    if (all.length > 0) return withDb(readOnly(command, 'sqlite3 dot-commands that only print', 'sql'), 'sqlite', db);
    if (stdinOf(context) === null)
      return withDb(
        { ...unknownResult(command, 'sqlite3 runs SQL piped in that is not known before run time', 'sql'), obfuscated: true },
        'sqlite',
        db,
      );
    return withDb(unknownResult(command, 'an interactive sqlite3 session', 'sql'), 'sqlite', db);
  }
  const merged = withDb(mergeResults(results, 'sql'), 'sqlite', db);
  return opened.length === 0 ? merged : { ...merged, targets: [...(merged.targets ?? []), ...opened] };
};

/** A SQLite database file as the shell would open it: relative names are judged inside a `cd` directory. */
function sqliteFileName(text: string, context: ToolContext): string {
  const dir = workdirOf(context);
  if (dir === undefined || text === '' || text === ':memory:' || /^([/~$]|file:)/i.test(text)) return text;
  return `${dir.replace(/\/+$/, '')}/${text}`;
}

/** The file a sqlite3 dot-command names (`.open --new FILE`, `.backup main FILE`, `.output FILE`), unquoted. */
function dotFile(line: string, context: ToolContext): string | undefined {
  const words = [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)]
    .slice(1)
    .map((m) => ({ text: m[1] ?? m[2] ?? m[3] ?? '', quoted: m[3] === undefined }));
  const operands = words.filter((w) => w.quoted || !w.text.startsWith('-'));
  const last = operands[operands.length - 1];
  if (last === undefined) return undefined;
  return last.text.startsWith('|') ? last.text : sqliteFileName(last.text, context);
}

/** litecli: a SQLite client; `-e SQL` runs one statement against the database file. */
const litecli: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'eDRl',
    longWithValue: ['execute', 'database', 'prompt', 'logfile', 'liteclirc'],
  });
  if (hasFlag(p, '-V', '--version', '--help')) return readOnly(command, 'prints the version or help', 'sql');
  const raw = flagText(p, '-D', '--database') ?? p.operands[0]?.text;
  const db: Db = raw === undefined ? {} : { name: sqliteFileName(raw, context) };
  const scripts: string[] = [];
  for (const [k, v] of p.flagList)
    if ((k === '-e' || k === '--execute') && v !== true) {
      if (v.dynamic) return withDb(unknownResult(command, 'SQL not known before run time', 'sql'), 'sqlite', db);
      scripts.push(v.text);
    }
  if (scripts.length === 0) return withDb(unknownResult(command, 'an interactive litecli session', 'sql'), 'sqlite', db);
  return withDb(
    mergeResults(
      scripts.map((sql) => context.classifySql(sql, 'sqlite', db)),
      'sql',
    ),
    'sqlite',
    db,
  );
};

function res(
  command: SimpleCommand,
  risk: RiskClass,
  reason: string,
  scope: Scope,
  resource: string,
  targets?: readonly Target[],
  kind: 'shell' | 'sql' = 'shell',
  disruptive = false,
): ToolResult {
  return single(
    kind,
    command,
    {
      verb: risk === 'read' ? 'read' : risk === 'write' ? 'modify' : risk === 'unknown' ? 'execute' : 'delete',
      resource,
      scope,
      reversible: risk === 'read' || risk === 'write' ? true : risk === 'unknown' ? null : false,
      risk,
      reason,
      disruptive,
    },
    targets ? { targets } : undefined,
  );
}

const REDIS_READ = new Set([
  'GET',
  'MGET',
  'KEYS',
  'SCAN',
  'EXISTS',
  'TTL',
  'PTTL',
  'TYPE',
  'STRLEN',
  'HGET',
  'HGETALL',
  'HKEYS',
  'HVALS',
  'HLEN',
  'HMGET',
  'HEXISTS',
  'HSCAN',
  'LRANGE',
  'LLEN',
  'LINDEX',
  'SMEMBERS',
  'SCARD',
  'SISMEMBER',
  'SSCAN',
  'ZRANGE',
  'ZREVRANGE',
  'ZRANGEBYSCORE',
  'ZCARD',
  'ZSCORE',
  'ZRANK',
  'ZSCAN',
  'XRANGE',
  'XLEN',
  'XREAD',
  'XINFO',
  'INFO',
  'PING',
  'ECHO',
  'DBSIZE',
  'TIME',
  'MONITOR',
  'SLOWLOG',
  'CLIENT',
  'MEMORY',
  'OBJECT',
  'RANDOMKEY',
  'DUMP',
  'LASTSAVE',
  'ROLE',
  'COMMAND',
  'PUBSUB',
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'GETRANGE',
  'BITCOUNT',
  'PFCOUNT',
  'GEOPOS',
  'GEODIST',
  'LATENCY',
  'CLUSTER',
  'AUTH',
  'SELECT',
  'HELLO',
  'READONLY',
  'WAIT',
]);

function redisCommand(
  command: SimpleCommand,
  words: readonly { text: string; dynamic: boolean }[],
  targets: readonly Target[],
): ToolResult {
  const verb = (words[0]?.text ?? '').toUpperCase();
  const keys = words.slice(1);
  switch (verb) {
    case 'FLUSHALL':
    case 'FLUSHDB':
      return res(command, 'catastrophic', `redis ${verb} deletes every key`, 'database', 'redis keyspace', targets);
    case 'DEL':
    case 'UNLINK':
    case 'GETDEL':
    case 'HDEL':
    case 'SREM':
    case 'ZREM':
    case 'LREM':
    case 'XDEL':
      if (keys.some((k) => k.dynamic || /[*?[]/.test(k.text)))
        return res(command, 'destructive', `redis ${verb} of keys not known before run time`, 'selection', 'redis keys', targets);
      return res(command, 'write', `redis ${verb} of named keys`, 'resource', `keys ${keys.map((k) => k.text).join(' ')}`, targets);
    case 'XTRIM':
    case 'LTRIM':
    case 'ZREMRANGEBYSCORE':
    case 'ZREMRANGEBYRANK':
    case 'ZREMRANGEBYLEX':
      // A range deletion inside a key (RISK.md: DELETE with a range predicate is destructive).
      return res(
        command,
        'destructive',
        `redis ${verb} deletes every entry in a range`,
        'selection',
        `key ${keys[0]?.text ?? ''}`,
        targets,
      );
    case 'SHUTDOWN':
      if (words.slice(1).some((w) => w.text.toUpperCase() === 'NOSAVE'))
        return res(
          command,
          'destructive',
          'SHUTDOWN NOSAVE discards every write since the last snapshot',
          'host',
          'redis data',
          targets,
          'shell',
          true,
        );
      return res(command, 'write', 'stops the redis server', 'host', 'redis server', targets, 'shell', true);
    case 'DEBUG':
      return res(command, 'unknown', 'redis DEBUG', 'host', 'redis server', targets);
    case 'CONFIG':
      return (words[1]?.text ?? '').toUpperCase() === 'GET'
        ? res(command, 'read', 'reads configuration', 'none', 'redis config', targets)
        : res(command, 'write', 'changes configuration', 'host', 'redis config', targets);
    case 'EVAL': {
      const script = words[1]?.text ?? '';
      const calls = [...script.matchAll(/redis\.(?:p?call)\(\s*['"]([A-Za-z]+)['"]((?:\s*,\s*['"][^'"]*['"])*)/g)];
      if (calls.length === 0 || words[1]?.dynamic) return res(command, 'unknown', 'a redis Lua script', 'unknown', 'redis', targets);
      const inner = calls.map((c) =>
        redisCommand(
          command,
          [
            { text: c[1] as string, dynamic: false },
            ...[...(c[2] ?? '').matchAll(/['"]([^'"]*)['"]/g)].map((k) => ({ text: k[1] as string, dynamic: false })),
          ],
          targets,
        ),
      );
      return obfuscate(mergeResults(inner), 'looked inside a redis Lua script');
    }
    case 'EVALSHA':
    case 'FCALL':
    case 'SCRIPT':
    case 'FUNCTION':
      return res(command, 'unknown', 'a redis script', 'unknown', 'redis', targets);
    case 'SWAPDB':
    case 'REPLICAOF':
    case 'SLAVEOF':
      return res(command, 'destructive', `redis ${verb} replaces a dataset`, 'database', 'redis keyspace', targets);
    case 'MIGRATE':
    case 'MOVE':
    case 'RENAME':
      return res(command, 'write', `redis ${verb}`, 'resource', 'redis keys', targets);
    default:
      if (REDIS_READ.has(verb)) return res(command, 'read', `redis ${verb} only reads`, 'none', 'redis', targets);
      if (/^[A-Z]+$/.test(verb)) return res(command, 'write', `redis ${verb} writes`, 'resource', 'redis keys', targets);
      return res(command, 'unknown', `redis command ${verb} not recognised`, 'unknown', 'redis', targets);
  }
}

const redisCli: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'hpasnurid',
    longWithValue: [
      'user',
      'pass',
      'askpass',
      'cacert',
      'cert',
      'key',
      'pattern',
      'count',
      'eval',
      'rdb',
      'functions-rdb',
      'memkeys-samples',
      'quoted-pattern',
      'cluster',
      'tls-ciphers',
      'sni',
    ],
    stopAtOperand: true,
  });
  const host = flagText(p, '-h') ?? (flagText(p, '-u') ? fromUri(flagText(p, '-u') as string)?.host : undefined) ?? 'localhost';
  const targets: Target[] = [{ type: 'database', engine: 'redis', host }];
  if (hasFlag(p, '--scan', '--bigkeys', '--memkeys', '--hotkeys', '--stat', '--latency', '--latency-history', '--rdb', '--version'))
    return res(command, 'read', 'redis-cli diagnostics', 'none', 'redis', targets);
  if (flagText(p, '--eval') !== undefined) return res(command, 'unknown', 'a redis Lua script', 'unknown', 'redis', targets);
  if (p.stopIndex >= 0) return redisCommand(command, command.args.slice(p.stopIndex), targets);
  const stdin = stdinOf(context);
  if (typeof stdin === 'string') {
    const results = stdin
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) =>
        redisCommand(
          command,
          l
            .trim()
            .split(/\s+/)
            .map((t) => ({ text: t, dynamic: false })),
          targets,
        ),
      );
    return obfuscate(results.length === 0 ? readOnly(command, 'no commands') : mergeResults(results), 'redis commands fed on stdin');
  }
  if (stdin === null)
    return {
      ...res(command, 'unknown', 'redis commands piped in that are not known before run time', 'unknown', 'redis', targets),
      obfuscated: true,
    };
  return res(command, 'unknown', 'an interactive redis-cli session', 'unknown', 'redis', targets);
};

/** Judges MongoDB shell JavaScript. */
function mongoCode(command: SimpleCommand, code: string, targets: readonly Target[]): ToolResult {
  if (/\bdropDatabase\s*\(/.test(code))
    return res(command, 'catastrophic', 'dropDatabase deletes the whole database', 'database', 'mongo database', targets);
  if (/\.drop\s*\(\s*\)|dropCollection\s*\(|\.drop\s*\(\s*\{/.test(code))
    return res(command, 'destructive', 'drops a collection', 'resource', 'mongo collection', targets);
  if (/\.(deleteMany|remove)\s*\(\s*(\{\s*\}|\))/.test(code) || /\.(updateMany|update)\s*\(\s*\{\s*\}/.test(code))
    return res(command, 'destructive', 'deletes or rewrites every document of a collection', 'all', 'mongo collection', targets);
  if (/\.(deleteMany|remove|findAndModify)\s*\(/.test(code)) {
    if (/\.(deleteMany|remove)\s*\(\s*\{\s*_id\s*:/.test(code))
      return res(command, 'write', 'deletes documents by key', 'resource', 'mongo documents', targets);
    return res(command, 'destructive', 'deletes documents selected by a predicate', 'selection', 'mongo documents', targets);
  }
  if (/\.(dropIndex|dropIndexes)\s*\(/.test(code)) return res(command, 'write', 'drops an index', 'resource', 'mongo index', targets);
  if (/\.(deleteOne|findOneAndDelete)\s*\(/.test(code))
    return res(command, 'write', 'deletes one document', 'resource', 'mongo document', targets);
  if (
    /\.(insert|insertOne|insertMany|updateOne|updateMany|update|replaceOne|findOneAndUpdate|findOneAndReplace|createIndex|createCollection|renameCollection|bulkWrite|save)\s*\(|createUser|dropUser|grantRoles/.test(
      code,
    )
  )
    return res(command, 'write', 'writes documents', 'resource', 'mongo documents', targets);
  if (/\b(shutdownServer|fsyncLock|adminCommand|runCommand|eval)\s*\(/.test(code))
    return res(command, 'unknown', 'a mongo admin or arbitrary command', 'unknown', 'mongo', targets);
  if (
    /\.(find|findOne|count|countDocuments|estimatedDocumentCount|aggregate|distinct|getCollectionNames|getIndexes|stats|explain|getName|version|serverStatus|hostInfo|isMaster|hello)\s*\(|show\s+(dbs|collections|databases)|printjson|print\s*\(|db\.version/.test(
      code,
    )
  ) {
    if (/\$out|\$merge/.test(code)) return res(command, 'write', 'an aggregation that writes', 'resource', 'mongo collection', targets);
    return res(command, 'read', 'mongo query only reads', 'none', 'mongo', targets);
  }
  return res(command, 'unknown', 'mongo code not recognised', 'unknown', 'mongo', targets);
}

const mongosh: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'up',
    longWithValue: ['eval', 'host', 'port', 'username', 'password', 'authenticationDatabase', 'file', 'tlsCAFile', 'apiVersion'],
  });
  const conn = p.operands.find((o) => !o.text.endsWith('.js'));
  const uri = conn ? fromUri(conn.text) : undefined;
  const targets: Target[] = [
    {
      type: 'database',
      engine: 'mongodb',
      ...((uri?.host ?? flagText(p, '--host')) ? { host: (uri?.host ?? flagText(p, '--host')) as string } : {}),
      ...(uri?.name ? { database: uri.name } : conn && !uri ? { database: conn.text } : {}),
    },
  ];
  const evals = p.flagList.filter(([k]) => k === '--eval').map(([, v]) => v);
  if (evals.length > 0) {
    const results = evals.map((v) =>
      v === true
        ? readOnly(command, 'no code')
        : v.dynamic
          ? unknownResult(command, 'mongo code not known before run time')
          : mongoCode(command, v.text, targets),
    );
    return mergeResults(results);
  }
  if (p.operands.some((o) => o.text.endsWith('.js')) || flagText(p, '--file'))
    return unknownResult(command, 'runs a mongo script file not visible here');
  const stdin = stdinOf(context);
  if (typeof stdin === 'string') return obfuscate(mongoCode(command, stdin, targets), 'mongo code fed on stdin');
  return unknownResult(command, 'an interactive mongo shell');
};

/** Kubernetes kinds whose objects are recreated by controllers or are ephemeral (RISK.md assumption 4). */
const K8S_EPHEMERAL = new Set(['pods', 'events', 'leases', 'endpointslices', 'endpoints']);

/**
 * Deleting keys under `/registry/` deletes Kubernetes objects directly from the API server's store:
 * judged like `kubectl delete` (RISK.md K8s). Layout: `/registry/<resource>/<namespace>/<name>` (or
 * `/registry/<group>/<resource>/…`, or `<resource>/<name>` when cluster-scoped). Undefined when the key is not there.
 */
function kubernetesRegistryDelete(key: string, range: boolean): { risk: RiskClass; reason: string; scope: Scope } | undefined {
  if (!/^\/registry(\/|$)/.test(key)) return undefined;
  let parts = key
    .split('/')
    .filter((x) => x !== '')
    .slice(1);
  if (parts.length > 0 && parts[0]!.includes('.')) parts = parts.slice(1);
  const [resource, second] = parts;
  if (resource === undefined)
    return { risk: 'catastrophic', scope: 'cluster', reason: 'deletes every Kubernetes object in the cluster store' };
  if (resource === 'namespaces' || resource === 'customresourcedefinitions') {
    return {
      risk: 'catastrophic',
      scope: 'cluster',
      reason: `deletes ${resource === 'namespaces' ? 'a namespace' : 'a CRD'} from the cluster store`,
    };
  }
  const ephemeral = K8S_EPHEMERAL.has(resource);
  if (range && second === undefined)
    return { risk: 'catastrophic', scope: 'cluster', reason: `deletes every ${resource} object in every namespace (cluster-wide)` };
  if (range && parts.length === 2) {
    return ephemeral
      ? { risk: 'destructive', scope: 'namespace', reason: `deletes every ${resource} object in namespace ${second}` }
      : { risk: 'catastrophic', scope: 'namespace', reason: `deletes every ${resource} object in namespace ${second} (like --all)` };
  }
  if (range) return { risk: 'destructive', scope: 'selection', reason: `deletes the ${resource} objects under ${key}` };
  if (ephemeral) return { risk: 'write', scope: 'resource', reason: `deletes one ${resource} object; controllers recreate it` };
  return {
    risk: 'destructive',
    scope: 'resource',
    reason: `deletes the Kubernetes ${resource} object ${parts.slice(1).join('/')} from the cluster store`,
  };
}

const etcdctl: ToolRule = (command) => {
  const p = parseArgs(command.args, {
    longWithValue: ['endpoints', 'cacert', 'cert', 'key', 'user', 'password', 'dial-timeout', 'command-timeout', 'write-out'],
    shortWithValue: 'w',
  });
  const [verb, key, end] = p.operands.map((o) => o.text);
  const targets: Target[] = [{ type: 'database', engine: 'etcd' }];
  switch (verb) {
    case 'del':
    case 'delete': {
      const prefix = hasFlag(p, '--prefix', '--from-key');
      if (prefix && (key === '' || key === '/' || key === undefined || key === '\x00'))
        return res(command, 'catastrophic', 'deletes every key in etcd', 'database', 'etcd keyspace', targets);
      const registry = key === undefined ? undefined : kubernetesRegistryDelete(key, prefix || end !== undefined);
      if (registry !== undefined)
        return res(command, registry.risk, registry.reason, registry.scope, `etcd ${prefix ? 'prefix' : 'key'} ${key ?? ''}`, targets);
      if (prefix || end !== undefined)
        return res(command, 'destructive', `deletes every key under ${key ?? ''}`, 'selection', `etcd prefix ${key ?? ''}`, targets);
      return res(command, 'write', 'deletes one named key', 'resource', `etcd key ${key ?? ''}`, targets);
    }
    case 'put':
    case 'txn':
    case 'lease':
    case 'lock':
    case 'elect':
    case 'move-leader':
      return res(command, 'write', `etcdctl ${verb}`, 'resource', 'etcd', targets);
    case 'compaction':
    case 'compact':
      return res(command, 'destructive', 'compaction drops key history', 'database', 'etcd history', targets);
    case 'defrag':
    case 'alarm':
      return res(command, 'write', `etcdctl ${verb}`, 'host', 'etcd', targets, 'shell', true);
    case 'member':
      return key === 'remove'
        ? res(command, 'destructive', 'removes a cluster member', 'cluster', 'etcd member', targets, 'shell', true)
        : key === 'list'
          ? res(command, 'read', 'lists members', 'none', 'etcd', targets)
          : res(command, 'write', `member ${key ?? ''}`, 'cluster', 'etcd', targets);
    case 'snapshot':
      return key === 'restore'
        ? res(command, 'destructive', 'restores a snapshot over a data directory', 'database', 'etcd', targets)
        : res(command, 'read', `snapshot ${key ?? ''}`, 'none', 'etcd', targets);
    case 'auth':
    case 'user':
    case 'role':
      return key === 'list' || key === 'get' || key === 'status'
        ? res(command, 'read', `etcdctl ${verb} ${key}`, 'none', 'etcd', targets)
        : res(command, 'write', `etcdctl ${verb} ${key ?? ''}`, 'resource', 'etcd', targets);
    default:
      return res(command, 'read', `etcdctl ${verb ?? ''} only reads`, 'none', 'etcd', targets);
  }
};

const vault: ToolRule = (command) => {
  const ops = command.args.filter((a) => !a.text.startsWith('-')).map((a) => a.text);
  const [group, action, path] = ops;
  const targets: Target[] = [];
  const r = (risk: RiskClass, reason: string, scope: Scope = 'resource'): ToolResult =>
    res(command, risk, reason, scope, `vault ${path ?? action ?? group ?? ''}`, targets);
  switch (group) {
    case 'secrets':
      if (action === 'disable') return r('catastrophic', 'disabling a secrets engine deletes every secret in it', 'database');
      if (action === 'list') return r('read', 'lists engines', 'none');
      return r('write', `vault secrets ${action ?? ''}`);
    case 'auth':
      if (action === 'disable') return r('destructive', 'disables an auth method and its roles');
      if (action === 'list' || action === 'help') return r('read', 'lists auth methods', 'none');
      return r('write', `vault auth ${action ?? ''}`);
    case 'kv':
      if (action === 'destroy' || (action === 'metadata' && path === 'delete'))
        return r('destructive', 'permanently destroys secret versions');
      if (action === 'delete') return r('write', 'soft-deletes the latest secret version (undelete restores it)');
      if (action === 'get' || action === 'list' || (action === 'metadata' && path === 'get'))
        return r('read', `vault kv ${action}`, 'none');
      return r('write', `vault kv ${action ?? ''}`);
    case 'delete':
      return r('destructive', 'deletes a secret');
    case 'read':
    case 'list':
    case 'status':
    case 'version':
    case 'login':
    case 'print':
    case 'path-help':
      return r('read', `vault ${group}`, 'none');
    case 'write':
    case 'token':
    case 'unwrap':
    case 'patch':
      if (group === 'token' && action === 'revoke') return r('write', 'revokes a token');
      return r(
        group === 'token' && (action === 'lookup' || action === 'capabilities') ? 'read' : 'write',
        `vault ${group} ${action ?? ''}`,
      );
    case 'policy':
      if (action === 'delete') return r('destructive', 'deletes a policy');
      if (action === 'list' || action === 'read') return r('read', 'reads policies', 'none');
      return r('write', `vault policy ${action ?? ''}`);
    case 'lease':
      if (action === 'revoke' && command.args.some((a) => a.text === '-prefix' || a.text === '-force'))
        return r('destructive', 'revokes every lease under a prefix', 'selection');
      return r('write', `vault lease ${action ?? ''}`);
    case 'operator':
      if (action === 'seal' || action === 'step-down')
        return res(command, 'write', `vault operator ${action}`, 'cluster', 'vault', targets, 'shell', true);
      if (action === 'raft' && path === 'remove-peer') return r('destructive', 'removes a raft peer', 'cluster');
      if (action === 'init' || action === 'rekey' || action === 'generate-root') return r('write', `vault operator ${action}`, 'cluster');
      return r('read', `vault operator ${action ?? ''}`, 'none');
    default:
      return unknownResult(command, `no grammar for vault ${group ?? ''}`);
  }
};

const dropdb: ToolRule = (command) => {
  const p = parseArgs(command.args, { shortWithValue: 'hpUd', longWithValue: ['host', 'port', 'username', 'maintenance-db'] });
  const name = p.operands[0]?.text ?? '(unknown)';
  const host = flagText(p, '-h', '--host');
  return res(
    command,
    'catastrophic',
    `dropdb deletes the database ${name}`,
    'database',
    `database ${name}`,
    [{ type: 'database', engine: 'postgresql', database: name, ...(host !== undefined ? { host } : {}) }],
    'sql',
  );
};

const pgRestore: ToolRule = (command) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'dfFhIjLnNpPStTUW',
    longWithValue: [
      'dbname',
      'file',
      'format',
      'host',
      'index',
      'jobs',
      'use-list',
      'schema',
      'exclude-schema',
      'port',
      'function',
      'superuser',
      'table',
      'trigger',
      'username',
      'role',
      'section',
    ],
  });
  const name = flagText(p, '-d', '--dbname');
  const targets: Target[] = [{ type: 'database', engine: 'postgresql', ...(name !== undefined ? { database: name } : {}) }];
  if (hasFlag(p, '-l', '--list')) return res(command, 'read', 'lists the archive', 'none', 'archive', targets, 'sql');
  if (name === undefined && !hasFlag(p, '-C', '--create'))
    return res(command, 'read', 'pg_restore without -d prints SQL', 'none', 'archive', targets, 'sql');
  if (hasFlag(p, '-c', '--clean'))
    return res(
      command,
      'catastrophic',
      'pg_restore --clean drops database objects before restoring over them',
      'database',
      `database ${name ?? ''}`,
      targets,
      'sql',
    );
  return res(command, 'write', 'restores objects into a database', 'database', `database ${name ?? ''}`, targets, 'sql');
};

const mongorestore: ToolRule = (command) => {
  if (command.args.some((a) => a.text === '--drop'))
    return res(command, 'catastrophic', 'mongorestore --drop drops collections before restoring', 'database', 'mongo database', [
      { type: 'database', engine: 'mongodb' },
    ]);
  if (command.args.some((a) => a.text === '--dryRun')) return res(command, 'read', 'dry run', 'none', 'mongo', []);
  return res(command, 'write', 'restores documents', 'database', 'mongo database', [{ type: 'database', engine: 'mongodb' }]);
};

const dump: ToolRule = (command) =>
  res(
    command,
    'read',
    `${command.name} reads a database (output is a local file)`,
    'none',
    'database',
    undefined,
    command.name.startsWith('mongo') ? 'shell' : 'sql',
  );

/** One framework command judged by a table of verbs. */
function framework(table: readonly (readonly [RegExp, RiskClass, string])[], fallback: RiskClass = 'write'): ToolRule {
  return (command) => {
    const line = command.args.map((a) => a.text).join(' ');
    for (const [re, risk, reason] of table)
      if (re.test(line))
        return res(
          command,
          risk,
          reason,
          risk === 'catastrophic' ? 'database' : risk === 'read' ? 'none' : 'resource',
          `database via ${command.name}`,
          undefined,
          'sql',
        );
    if (command.args.length === 0) return readOnly(command, 'prints usage', 'sql');
    return res(command, fallback, `${command.name} ${line}`, 'resource', `database via ${command.name}`, undefined, 'sql');
  };
}

const prisma = framework([
  [/\bmigrate reset\b/, 'catastrophic', 'prisma migrate reset drops the database'],
  [/\bdb push\b.*--accept-data-loss|--accept-data-loss.*\bdb push\b/, 'destructive', 'db push --accept-data-loss drops columns or tables'],
  [/--force-reset/, 'catastrophic', 'db push --force-reset resets the database'],
  [/\bdb execute\b/, 'unknown', 'prisma db execute runs SQL from a file'],
  [/\b(migrate (status|diff)|validate|format|version|studio|db pull|--help)\b/, 'read', 'prisma read-only command'],
  [/\bdb seed\b|\bmigrate (deploy|dev|resolve)\b|\bdb push\b|\bgenerate\b|\binit\b/, 'write', 'prisma applies or generates'],
]);

const RAILS_TABLE: readonly (readonly [RegExp, RiskClass, string])[] = [
  [
    /\bdb:(drop|reset|purge|truncate_all|schema:load|structure:load|migrate:reset|setup:replant)\b/,
    'catastrophic',
    'drops or reloads the database',
  ],
  [/\bdb:(rollback|migrate:down|migrate:redo)\b/, 'destructive', 'rolls back migrations'],
  [/\bdb:(migrate|seed|create|setup|prepare|migrate:up)\b/, 'write', 'applies migrations or seeds'],
  [/\b(routes|about|stats|notes|db:version|db:migrate:status|--version|--tasks|-T|middleware|secret)\b/, 'read', 'prints information'],
  [/\b(console|c|runner|r|dbconsole|db)\b/, 'unknown', 'runs arbitrary code'],
  [/\b(server|s)\b/, 'write', 'starts a server'],
];

const manage = framework([
  [/\b(flush|reset_db|sqlflush --execute|reset_schema|drop_test_database)\b/, 'catastrophic', 'deletes every row or the database'],
  [/\bmigrate \S+ zero\b/, 'catastrophic', 'unapplies every migration of an app'],
  [/\bmigrate \S+ \d{4}/, 'destructive', 'migrates backwards'],
  [
    /\b(sqlflush|sqlmigrate|showmigrations|check|diffsettings|inspectdb|help|version|dumpdata|--help|--version)\b/,
    'read',
    'prints information',
  ],
  [/\b(shell|dbshell|runscript|shell_plus)\b/, 'unknown', 'runs arbitrary code'],
  [
    /\b(migrate|makemigrations|createsuperuser|collectstatic|loaddata|runserver|startapp|test|compilemessages)\b/,
    'write',
    'a recoverable change',
  ],
]);

const alembic = framework([
  [/\bdowngrade base\b/, 'catastrophic', 'alembic downgrade base unapplies every migration'],
  [/\bdowngrade\b/, 'destructive', 'alembic downgrade rolls back migrations'],
  [/\b(current|history|heads|branches|show|check|--help)\b/, 'read', 'prints migration state'],
  [/\bupgrade\b.*--sql|--sql/, 'read', 'prints SQL only'],
  [/\b(upgrade|stamp|revision|merge|init)\b/, 'write', 'applies forward migrations'],
]);

const artisan = framework([
  [/\b(migrate:fresh|migrate:reset|db:wipe|migrate:refresh)\b/, 'catastrophic', 'drops every table'],
  [/\bmigrate:rollback\b/, 'destructive', 'rolls back migrations'],
  [/--pretend|\b(migrate:status|route:list|about|list|--version|env)\b/, 'read', 'prints information'],
  [/\b(tinker|db)\b/, 'unknown', 'runs arbitrary code'],
  [/\b(cache:clear|config:clear|view:clear|route:clear|optimize:clear)\b/, 'write', 'clears caches'],
  [/\b(migrate|db:seed|make:\w+|queue:\w+|serve|key:generate|storage:link)\b/, 'write', 'a recoverable change'],
]);

const knex = framework([
  [/\bmigrate:rollback\b.*--all/, 'catastrophic', 'rolls back every migration'],
  [/\b(migrate:rollback|migrate:down)\b/, 'destructive', 'rolls back migrations'],
  [/\b(migrate:status|migrate:list|--version)\b/, 'read', 'prints migration state'],
  [/\b(migrate:latest|migrate:up|seed:run|migrate:make|seed:make|init)\b/, 'write', 'applies forward migrations'],
]);

const sequelize = framework([
  [/\b(db:drop|db:migrate:undo:all)\b/, 'catastrophic', 'drops the database or every migration'],
  [/\b(db:migrate:undo|db:seed:undo:all|db:seed:undo)\b/, 'destructive', 'rolls back migrations or seeds'],
  [/\b(db:migrate:status|--version|help)\b/, 'read', 'prints migration state'],
  [/\b(db:migrate|db:seed|db:seed:all|db:create|init|model:generate|migration:generate)\b/, 'write', 'applies forward migrations'],
]);

const typeorm = framework([
  [/\b(schema:drop)\b/, 'catastrophic', 'drops the schema'],
  [/\b(migration:revert)\b/, 'destructive', 'reverts a migration'],
  [/\b(schema:sync)\b/, 'destructive', 'schema sync can drop columns'],
  [/\b(schema:log|migration:show|version)\b/, 'read', 'prints information'],
  [/\b(query)\b/, 'unknown', 'runs SQL'],
  [/\b(migration:run|migration:generate|migration:create|entity:create)\b/, 'write', 'applies forward migrations'],
]);

const flyway = framework([
  [/\bclean\b/, 'catastrophic', 'flyway clean drops every object in the schemas'],
  [/\bundo\b/, 'destructive', 'undoes a migration'],
  [/\b(info|validate|check|version)\b/, 'read', 'prints information'],
  [/\b(migrate|baseline|repair)\b/, 'write', 'applies forward migrations'],
]);

const liquibase = framework([
  [/\bdrop-?all\b/i, 'catastrophic', 'drops every object'],
  [/\brollback/i, 'destructive', 'rolls back changes'],
  [/\b(status|history|validate|diff|update-?sql|rollback-?sql|--version)\b/i, 'read', 'prints information'],
  [/\bupdate\b/i, 'write', 'applies forward changes'],
]);

const diesel = framework([
  [/\bdatabase (reset|drop)\b/, 'catastrophic', 'drops the database'],
  [/\bmigration (revert|redo)\b/, 'destructive', 'reverts migrations'],
  [/\bmigration (list|pending)\b/, 'read', 'prints migration state'],
]);

const sqlx = framework([
  [/\bdatabase (reset|drop)\b/, 'catastrophic', 'drops the database'],
  [/\bmigrate revert\b/, 'destructive', 'reverts a migration'],
  [/\bmigrate info\b/, 'read', 'prints migration state'],
]);

const dbmate = framework([
  [/\bdrop\b/, 'catastrophic', 'drops the database'],
  [/\b(rollback|down)\b/, 'destructive', 'rolls back a migration'],
  [/\b(status|dump|--help)\b/, 'read', 'prints information'],
]);

const drizzle = framework([
  [/\bdrop\b/, 'destructive', 'drops a migration'],
  [/\b(check|studio|introspect|pull)\b/, 'read', 'reads'],
  [/\b(push|migrate|generate|up)\b/, 'write', 'applies a schema'],
]);

const supabase = framework([
  [/\bdb reset\b/, 'catastrophic', 'resets the database'],
  [/\bbranches delete\b|\bprojects delete\b/, 'catastrophic', 'deletes a database branch or project'],
  [/\bstop\b.*--no-backup\b/, 'destructive', 'stop --no-backup deletes the local database volumes'],
  [/\b(functions|secrets|storage|sso|domains|snippets) (delete|unset|rm)\b/, 'destructive', 'deletes a named entity'],
  [/\b(db diff|db lint|status|projects list|branches list|migration list|--version)\b/, 'read', 'prints information'],
  [/\bdb push\b|\bmigration (up|repair)\b|\bfunctions deploy\b|\bstart\b|\bstop\b|\blink\b/, 'write', 'applies changes'],
]);

const mix: ToolRule = (command) => {
  const line = command.args.map((a) => a.text).join(' ');
  if (/\becto\.(drop|reset)\b/.test(line))
    return res(command, 'catastrophic', 'drops the database', 'database', 'database via mix', undefined, 'sql');
  if (/\becto\.rollback\b/.test(line))
    return res(command, 'destructive', 'rolls back migrations', 'resource', 'database via mix', undefined, 'sql');
  if (/\becto\.(migrate|create|setup)\b/.test(line))
    return res(command, 'write', 'applies forward migrations', 'resource', 'database via mix', undefined, 'sql');
  return res(command, 'write', `mix ${line}`, 'directory', 'project', undefined, 'shell');
};

const rake: ToolRule = (command) => {
  const rails = framework(RAILS_TABLE);
  const line = command.args.map((a) => a.text).join(' ');
  if (/\bdb:/.test(line) || command.name === 'rails') return rails(command, undefined as never);
  if (command.args.some((a) => a.text === '-T' || a.text === '--tasks')) return readOnly(command, 'lists tasks');
  return res(command, 'write', `${command.name} ${line}`, 'directory', 'project', undefined, 'shell');
};

const pgCtl: ToolRule = (command) => {
  const action = command.args.find((a) => !a.text.startsWith('-'))?.text ?? '';
  if (action === 'status') return res(command, 'read', 'pg_ctl status', 'none', 'postgres');
  return res(
    command,
    'write',
    `pg_ctl ${action}`,
    'host',
    'postgres server',
    undefined,
    'shell',
    action === 'stop' || action === 'restart' || action === 'kill',
  );
};

const mysqladmin: ToolRule = (command) => {
  const p = parseArgs(command.args, { shortWithValue: 'hPuS', longWithValue: ['host', 'port', 'user', 'socket'] });
  const [verb, name] = p.operands.map((o) => o.text);
  const targets: Target[] = [{ type: 'database', engine: 'mysql', ...(name !== undefined ? { database: name } : {}) }];
  if (verb === 'drop')
    return res(
      command,
      'catastrophic',
      `mysqladmin drop deletes the database ${name ?? ''}`,
      'database',
      `database ${name ?? ''}`,
      targets,
      'sql',
    );
  if (verb === 'shutdown' || verb === 'kill')
    return res(command, 'write', `mysqladmin ${verb}`, 'host', 'mysql server', targets, 'sql', true);
  if (['status', 'extended-status', 'processlist', 'variables', 'version', 'ping'].includes(verb ?? ''))
    return res(command, 'read', `mysqladmin ${verb ?? ''}`, 'none', 'mysql', targets, 'sql');
  return res(command, 'write', `mysqladmin ${verb ?? ''}`, 'resource', 'mysql', targets, 'sql');
};

/** Database, cache and migration-framework grammars by command name. */
export const databaseRules: ToolRuleTable = {
  psql,
  mysql,
  mariadb: mysql,
  sqlite3,
  sqlite: sqlite3,
  litecli,
  'redis-cli': redisCli,
  'valkey-cli': redisCli,
  'keydb-cli': redisCli,
  mongosh,
  mongo: mongosh,
  etcdctl,
  vault,
  dropdb,
  mysqladmin,
  'mariadb-admin': mysqladmin,
  dropuser: (command) => res(command, 'destructive', 'drops a database role', 'resource', 'database role', undefined, 'sql'),
  createdb: (command) => res(command, 'write', 'creates a database', 'resource', 'database', undefined, 'sql'),
  createuser: (command) => res(command, 'write', 'creates a database role', 'resource', 'database role', undefined, 'sql'),
  pg_restore: pgRestore,
  pg_dump: dump,
  pg_dumpall: dump,
  pg_basebackup: dump,
  mysqldump: dump,
  mariadb_dump: dump,
  'mariadb-dump': dump,
  mongodump: dump,
  mongoexport: dump,
  mongorestore,
  mongoimport: (command) =>
    command.args.some((a) => a.text === '--drop')
      ? res(command, 'destructive', 'mongoimport --drop drops the collection first', 'resource', 'mongo collection')
      : res(command, 'write', 'imports documents', 'resource', 'mongo collection'),
  pg_ctl: pgCtl,
  pg_ctlcluster: pgCtl,
  pg_dropcluster: (command) =>
    res(command, 'catastrophic', 'deletes a PostgreSQL cluster and its data directory', 'database', 'postgres cluster', undefined, 'sql'),
  pg_isready: (command) => readOnly(command, 'checks a server'),
  prisma,
  rails: rake,
  rake,
  'manage.py': manage,
  'django-admin': manage,
  alembic,
  artisan,
  knex,
  sequelize,
  'sequelize-cli': sequelize,
  typeorm,
  'typeorm-ts-node-commonjs': typeorm,
  'typeorm-ts-node-esm': typeorm,
  flyway,
  liquibase,
  diesel,
  sqlx,
  dbmate,
  'drizzle-kit': drizzle,
  supabase,
  mix,
};

void ({} as SqlDialect);
