/**
 * The database targets of airlock.yaml, each behind its guard. A guard's driver is loaded and its
 * password read on first use, so commands that never touch a database (hooks, checks) pay nothing.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { AirlockConfig, DatabaseConfig } from '../core/config.js';
import type { DatabaseGuard, ExecuteOptions, RecoveryPoint, SqlExecution, SqlRehearsal, UndoResult } from '../core/database.js';
import { AirlockError } from '../core/errors.js';
import { unknownDatabaseTarget } from '../core/database.js';
import type { DatabaseGuards } from '../core/sql-changes.js';

/** Reads a target's password from its variable or file; none when neither is set. */
export function targetPassword(
  name: string,
  config: DatabaseConfig,
  env: Readonly<Record<string, string | undefined>>,
  configDir: string,
): string | undefined {
  if (config.passwordEnv !== undefined) {
    const value = env[config.passwordEnv];
    if (value === undefined || value === '')
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `database target "${name}" reads its password from ${config.passwordEnv}, which is not set in Airlock's environment`,
      });
    return value;
  }
  if (config.passwordFile !== undefined) {
    const file = isAbsolute(config.passwordFile) ? config.passwordFile : resolve(configDir, config.passwordFile);
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `database target "${name}" reads its password from ${file}, which cannot be read (${(err as { code?: string }).code ?? 'error'})`,
      });
    }
  }
  return undefined;
}

/** A guard whose adapter is imported and built on its first call. */
class LazyGuard implements DatabaseGuard {
  readonly target: string;
  readonly engine: DatabaseConfig['engine'];
  readonly #build: () => Promise<DatabaseGuard>;
  #guard: Promise<DatabaseGuard> | null = null;

  constructor(name: string, config: DatabaseConfig, build: () => Promise<DatabaseGuard>) {
    this.target = name;
    this.engine = config.engine;
    this.#build = build;
  }

  #get(): Promise<DatabaseGuard> {
    this.#guard ??= this.#build();
    this.#guard.catch(() => {
      this.#guard = null;
    });
    return this.#guard;
  }

  async rehearse(sql: string): Promise<SqlRehearsal> {
    return (await this.#get()).rehearse(sql);
  }
  async execute(sql: string, options: ExecuteOptions): Promise<SqlExecution> {
    return (await this.#get()).execute(sql, options);
  }
  async recoveryPoints(filter?: { readonly changeId?: string }): Promise<readonly RecoveryPoint[]> {
    return (await this.#get()).recoveryPoints(filter);
  }
  async undo(changeId: string, options: { readonly now: Date }): Promise<UndoResult> {
    return (await this.#get()).undo(changeId, options);
  }
  async purge(options: { readonly now: Date; readonly changeId?: string }): Promise<readonly RecoveryPoint[]> {
    return (await this.#get()).purge(options);
  }
  async close(): Promise<void> {
    const g = this.#guard;
    this.#guard = null;
    if (g !== null) await (await g.catch(() => null))?.close();
  }
}

/** The configured targets' guards. */
export class ConfiguredGuards implements DatabaseGuards {
  readonly #guards = new Map<string, LazyGuard>();

  constructor(config: AirlockConfig, env: Readonly<Record<string, string | undefined>>, configDir: string) {
    for (const [name, c] of Object.entries(config.databases)) {
      this.#guards.set(
        name,
        new LazyGuard(name, c, async () => {
          const password = targetPassword(name, c, env, configDir);
          const options = { name, config: c, ...(password === undefined ? {} : { password }) };
          if (c.engine === 'postgresql') {
            const { PostgresGuard } = await import('../adapters/sql/postgres-guard.js');
            return new PostgresGuard(options);
          }
          const { MariaDbGuard } = await import('../adapters/sql/mariadb-guard.js');
          return new MariaDbGuard(options);
        }),
      );
    }
  }

  guard(name: string): DatabaseGuard {
    const g = this.#guards.get(name);
    if (g === undefined) throw unknownDatabaseTarget(name, [...this.#guards.keys()]);
    return g;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#guards.values()].map((g) => g.close()));
  }
}
