/**
 * The SQL classifier: judges raw SQL text with real parsers (RISK.md SQL rules, SECURITY.md SQL
 * bypass row). PostgreSQL goes to libpg-query (PostgreSQL's own parser, WASM); MySQL, MariaDB and
 * SQLite go to node-sql-parser, one dialect build each. Every statement of a multi-statement text
 * is judged; what a parser cannot read is `unknown`, never `read`.
 */
import type { SqlDialect } from '../../core/action.js';
import { riskRank, worstRisk } from '../../core/assessment.js';
import type { Effect, Target } from '../../core/assessment.js';
import type { ToolResult } from '../shell/tool-rule.js';
import { classifyPgText, newPgSession } from './pg-statements.js';
import type { PgParserApi } from './pg-statements.js';
import { classifyMysqlText } from './mysql-statements.js';
import type { MysqlFlavor, SqlParserLike } from './mysql-statements.js';
import { makeEffect, unknownEffect } from './sql-effects.js';

/** Connection facts for the `database` target. */
export interface SqlDatabaseInfo {
  readonly host?: string;
  readonly port?: number;
  readonly name?: string;
}

/** Parsers the classifier can load: one per engine family. */
export type SqlParserName = 'postgresql' | 'mysql' | 'sqlite';

/** Options for {@link SqlClassifier.create}. */
export interface SqlClassifierOptions {
  /**
   * Dialects to load parsers for before `create` resolves. Default: all (`postgresql`, `mysql`,
   * `sqlite`). `unknown` needs `postgresql` and `mysql`. A dialect whose parser is not loaded
   * classifies as `unknown` (fail closed) until {@link SqlClassifier.load} has loaded it.
   */
  readonly dialects?: readonly SqlDialect[];
}

/** Milliseconds each parser took to load (absent: not loaded). */
export type SqlParserLoadTimes = Readonly<Partial<Record<SqlParserName, number>>>;

type Loaded = { pg?: PgParserApi; mysql?: SqlParserLike; sqlite?: SqlParserLike };

const ALL: readonly SqlParserName[] = ['postgresql', 'mysql', 'sqlite'];

function parsersFor(dialects: readonly SqlDialect[]): SqlParserName[] {
  const out = new Set<SqlParserName>();
  for (const d of dialects) {
    if (d === 'unknown') {
      out.add('postgresql');
      out.add('mysql');
    } else out.add(d);
  }
  return [...out];
}

/**
 * Classifies SQL text. Create with {@link SqlClassifier.create}; `classify` is synchronous and
 * never throws. Safe to share: per-call state lives in the call.
 */
export class SqlClassifier {
  readonly #loaded: Loaded = {};
  readonly #times: Partial<Record<SqlParserName, number>> = {};
  readonly #pending = new Map<SqlParserName, Promise<void>>();

  private constructor() {}

  /**
   * Loads the parsers for `options.dialects` (default: all) and returns a classifier. Fails only
   * when a parser package cannot be loaded (broken installation).
   */
  static async create(options: SqlClassifierOptions = {}): Promise<SqlClassifier> {
    const c = new SqlClassifier();
    await c.load(options.dialects ?? ALL);
    return c;
  }

  /** Loads the parsers `dialects` need (idempotent; concurrent calls share the work). */
  async load(dialects: readonly SqlDialect[]): Promise<void> {
    await Promise.all(parsersFor(dialects).map((p) => this.#loadParser(p)));
  }

  /** How long each loaded parser took to load, in milliseconds. */
  get loadTimes(): SqlParserLoadTimes {
    return { ...this.#times };
  }

  /** True when `classify(…, dialect)` can parse (its parsers are loaded). */
  supports(dialect: SqlDialect): boolean {
    return parsersFor([dialect]).every((p) => (p === 'postgresql' ? this.#loaded.pg : this.#loaded[p]) !== undefined);
  }

  #loadParser(name: SqlParserName): Promise<void> {
    let p = this.#pending.get(name);
    if (!p) {
      p = (async () => {
        const start = performance.now();
        if (name === 'postgresql') {
          // Dynamic import: the WASM module compiles on import, so it is paid only when needed.
          const mod = await import('libpg-query');
          await mod.loadModule();
          this.#loaded.pg = mod;
        } else {
          // One dialect build of node-sql-parser (~0.3 MB) instead of the all-dialects index.
          const mod: unknown =
            name === 'mysql' ? await import('node-sql-parser/build/mysql.js') : await import('node-sql-parser/build/sqlite.js');
          this.#loaded[name] = newSqlParser(mod);
        }
        this.#times[name] = performance.now() - start;
      })();
      this.#pending.set(name, p);
      p.catch(() => this.#pending.delete(name));
    }
    return p;
  }

  /**
   * Classifies `sql` as `dialect`. Returns one or more effects per statement, a `database` target
   * and reasons. Never throws: parser failures and internal errors come back as `unknown` effects
   * naming the problem. `unknown` dialect tries PostgreSQL, then MySQL.
   */
  classify(sql: string, dialect: SqlDialect, database?: SqlDatabaseInfo): ToolResult {
    const target = databaseTarget(dialect, database);
    try {
      const r = this.#classify(sql, dialect);
      return { kind: 'sql', effects: withRecoveryGuard(sql, r.effects), targets: [target], reasons: r.reasons };
    } catch (e) {
      return {
        kind: 'sql',
        effects: [unknownEffect('sql', `SQL classifier error: ${e instanceof Error ? e.message : String(e)}`, sql)],
        targets: [target],
        reasons: ['SQL classifier failed; judged unknown (fail closed)'],
      };
    }
  }

  #classify(sql: string, dialect: SqlDialect): { effects: Effect[]; reasons: string[] } {
    const missing = parsersFor([dialect]).filter((p) => (p === 'postgresql' ? this.#loaded.pg : this.#loaded[p]) === undefined);
    if (missing.length > 0) {
      return {
        effects: [unknownEffect('sql', `SQL parser for ${missing.join(', ')} is not loaded`, sql)],
        reasons: [`parser not loaded: ${missing.join(', ')} (SqlClassifier.load)`],
      };
    }
    if (sql.trim() === '') {
      return {
        effects: [makeEffect({ verb: 'read', resource: 'sql', scope: 'none', risk: 'read', reason: 'empty SQL: nothing runs' }, sql)],
        reasons: ['empty SQL'],
      };
    }
    switch (dialect) {
      case 'postgresql':
        return this.#pg(sql);
      case 'mysql':
        return this.#mysql(sql, 'mysql');
      case 'sqlite':
        return this.#mysql(sql, 'sqlite');
      case 'unknown': {
        const pg = this.#pg(sql);
        if (pg.failures === 0) {
          // A MySQL server runs `/*! … */` as code where PostgreSQL sees a comment: judge both, keep the worse.
          if (/\/\*M?!/.test(sql)) {
            const my = this.#mysql(sql, 'mysql');
            if (riskRank(worstRisk(my.effects.map((e) => e.risk))) > riskRank(worstRisk(pg.effects.map((e) => e.risk)))) {
              return {
                effects: my.effects,
                reasons: ['dialect unknown: MySQL would run the /*! … */ comment as code; judged as MySQL', ...my.reasons],
              };
            }
          }
          return { effects: pg.effects, reasons: ['dialect unknown: parsed as PostgreSQL', ...pg.reasons] };
        }
        const my = this.#mysql(sql, 'mysql');
        if (my.failures < pg.failures)
          return { effects: my.effects, reasons: ['dialect unknown: PostgreSQL could not parse it; parsed as MySQL', ...my.reasons] };
        return { effects: pg.effects, reasons: ['dialect unknown: neither PostgreSQL nor MySQL parses all of it', ...pg.reasons] };
      }
    }
  }

  #pg(sql: string): { effects: Effect[]; reasons: string[]; failures: number } {
    const pg = this.#loaded.pg;
    if (!pg) return { effects: [unknownEffect('sql', 'PostgreSQL parser not loaded', sql)], reasons: [], failures: 1 };
    const r = classifyPgText(sql, pg, newPgSession());
    const reasons = [`PostgreSQL: ${r.statements} statement(s)`, ...r.notes];
    if (r.failures > 0) reasons.push(`${r.failures} statement(s) could not be parsed (unknown)`);
    return { effects: r.effects, reasons, failures: r.failures };
  }

  #mysql(sql: string, flavor: MysqlFlavor): { effects: Effect[]; reasons: string[]; failures: number } {
    const parser = flavor === 'sqlite' ? this.#loaded.sqlite : this.#loaded.mysql;
    if (!parser) return { effects: [unknownEffect('sql', `${flavor} parser not loaded`, sql)], reasons: [], failures: 1 };
    const r = classifyMysqlText(sql, parser, flavor);
    const reasons = [`${flavor === 'sqlite' ? 'SQLite' : 'MySQL'}: ${r.statements} statement(s)`, ...r.notes];
    if (r.failures > 0) reasons.push(`${r.failures} statement(s) could not be parsed (unknown)`);
    return { effects: r.effects, reasons, failures: r.failures };
  }
}

/** Where the database guard keeps recovery points (src/adapters/sql/*-guard.ts). */
const RECOVERY_SCHEMA = /\bairlock_recovery\b/i;

/**
 * SQL that changes anything and names Airlock's recovery schema is catastrophic: dropping or
 * editing recovery points would take away the undo of changes already made (self-protection, like
 * Airlock's own files). Reading them stays a read.
 */
function withRecoveryGuard(sql: string, effects: Effect[]): Effect[] {
  if (!RECOVERY_SCHEMA.test(sql) || effects.every((e) => e.risk === 'read')) return effects;
  return [
    ...effects,
    makeEffect(
      {
        verb: 'modify',
        resource: 'airlock_recovery',
        scope: 'database',
        risk: 'catastrophic',
        reason: "changes Airlock's recovery points: the undo of changes already made would be lost",
        reversible: false,
      },
      sql,
    ),
  ];
}

/** node-sql-parser's dialect builds are CommonJS: `Parser` sits on the default export. */
function newSqlParser(mod: unknown): SqlParserLike {
  const m = mod as { default?: { Parser?: new () => SqlParserLike }; Parser?: new () => SqlParserLike };
  const Parser = m.default?.Parser ?? m.Parser;
  if (!Parser) throw new Error('node-sql-parser: Parser export not found');
  return new Parser();
}

function databaseTarget(dialect: SqlDialect, db: SqlDatabaseInfo | undefined): Target {
  const engine = dialect === 'unknown' ? undefined : dialect;
  return {
    type: 'database',
    ...(engine !== undefined ? { engine } : {}),
    ...(db?.host !== undefined ? { host: db.host } : {}),
    ...(db?.port !== undefined ? { port: db.port } : {}),
    ...(db?.name !== undefined ? { database: db.name } : {}),
  };
}
