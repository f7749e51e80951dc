import type { DatabaseConfig } from '../../core/config.js';

/** How a database guard is built. */
export interface GuardOptions {
  /** Target name from airlock.yaml `databases`. */
  readonly name: string;
  readonly config: DatabaseConfig;
  /** The password, already read from passwordEnv/passwordFile by the caller (absent: none / trust). */
  readonly password?: string;
  /** Recovery schema (PostgreSQL) or database (MariaDB); default 'airlock_recovery'. */
  readonly recoverySchema?: string;
}
