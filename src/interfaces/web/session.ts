/**
 * Browser sessions for the web UI: random cookie values stored only as SHA-256 hashes, a CSRF token
 * per session, constant-time comparisons, and a small throttle on failed sign-ins.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AirlockConfig } from '../../core/config.js';
import type { Clock, Hasher, SessionRecord, Store } from '../../core/ports.js';

/** Name of the session cookie (HttpOnly, SameSite=Strict, Path=/; Secure over https). */
export const SESSION_COOKIE = 'airlock_session';
/** Name of the short-lived cookie that carries the sign-in form's CSRF token (double submit). */
export const LOGIN_COOKIE = 'airlock_login';

/** A fresh random secret: 32 bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in constant time (for equal lengths); false when either is missing. */
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === '' || b === '') return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A signed-in human, as configured now (groups come from airlock.yaml, not from the session). */
export interface SignedIn {
  readonly human: { readonly kind: 'human'; readonly id: string; readonly groups: readonly string[] };
  readonly session: SessionRecord;
}

/** Creates, finds and ends sessions. Only the cookie's SHA-256 is stored. */
export class Sessions {
  readonly #store: Pick<Store, 'getSession' | 'putSession' | 'deleteSession'>;
  readonly #hasher: Hasher;
  readonly #clock: Clock;
  readonly #config: AirlockConfig;
  /** How long a session lasts, in milliseconds. */
  readonly ttlMs: number;

  constructor(options: {
    readonly store: Pick<Store, 'getSession' | 'putSession' | 'deleteSession'>;
    readonly hasher: Hasher;
    readonly clock: Clock;
    readonly config: AirlockConfig;
    readonly ttlMs: number;
  }) {
    this.#store = options.store;
    this.#hasher = options.hasher;
    this.#clock = options.clock;
    this.#config = options.config;
    this.ttlMs = options.ttlMs;
  }

  /** Starts a session for a configured human; returns the cookie value (never stored) and the record. */
  async create(humanId: string): Promise<{ readonly cookie: string; readonly record: SessionRecord }> {
    const cookie = randomToken();
    const now = this.#clock.now();
    const record: SessionRecord = {
      idHash: this.#hasher.sha256Hex(cookie),
      humanId,
      csrf: randomToken(),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
    };
    await this.#store.putSession(record);
    return { cookie, record };
  }

  /**
   * The human behind a cookie value, or null: unknown, expired (deleted on sight), or for someone no
   * longer listed in airlock.yaml.
   */
  async lookup(cookie: string | undefined): Promise<SignedIn | null> {
    if (cookie === undefined || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return null;
    const idHash = this.#hasher.sha256Hex(cookie);
    const record = await this.#store.getSession(idHash);
    if (record === null) return null;
    if (Date.parse(record.expiresAt) <= this.#clock.now().getTime()) {
      await this.#store.deleteSession(idHash);
      return null;
    }
    const human = this.#config.humans.find((h) => h.id === record.humanId);
    if (human === undefined) return null;
    return { human: { kind: 'human', id: human.id, groups: human.groups }, session: record };
  }

  /** Ends the session behind a cookie value (no error when there is none). */
  async end(cookie: string | undefined): Promise<void> {
    if (cookie === undefined || cookie === '') return;
    await this.#store.deleteSession(this.#hasher.sha256Hex(cookie));
  }
}

interface Failures {
  count: number;
  first: number;
}

/**
 * Counts failed sign-ins per client address and per address and user id, over a sliding window.
 * Each failure is answered after a growing delay; past the limits, sign-in from there is refused
 * until the window passes. In memory: a restart forgets (the delay still slows guessing).
 */
export class LoginThrottle {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #perUser: number;
  readonly #perAddress: number;
  readonly #baseDelayMs: number;
  readonly #failures = new Map<string, Failures>();

  constructor(options: {
    readonly clock: Clock;
    /** Failure delay for the first failure, doubling up to 4 s. Default 400 ms; 0 in tests. */
    readonly baseDelayMs?: number;
    readonly windowMs?: number;
    readonly perUser?: number;
    readonly perAddress?: number;
  }) {
    this.#clock = options.clock;
    this.#baseDelayMs = options.baseDelayMs ?? 400;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#perUser = options.perUser ?? 10;
    this.#perAddress = options.perAddress ?? 100;
  }

  /** True when sign-in from `address` (for `user`) is refused for now. */
  blocked(address: string, user: string): boolean {
    return this.#count(`u|${address}|${user}`) >= this.#perUser || this.#count(`a|${address}`) >= this.#perAddress;
  }

  /** Records a failure; resolves after the delay that failure earns. */
  async fail(address: string, user: string): Promise<void> {
    const n = this.#bump(`u|${address}|${user}`);
    this.#bump(`a|${address}`);
    const delay = Math.min(this.#baseDelayMs * 2 ** (n - 1), 4000);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Forgets the failures of `user` from `address` after a successful sign-in. */
  succeed(address: string, user: string): void {
    this.#failures.delete(`u|${address}|${user}`);
  }

  #count(key: string): number {
    const f = this.#failures.get(key);
    if (f === undefined) return 0;
    if (this.#clock.now().getTime() - f.first > this.#windowMs) {
      this.#failures.delete(key);
      return 0;
    }
    return f.count;
  }

  #bump(key: string): number {
    const now = this.#clock.now().getTime();
    if (this.#failures.size > 10_000) {
      for (const [k, f] of this.#failures) if (now - f.first > this.#windowMs) this.#failures.delete(k);
      // Still full (a flood of distinct names): forget the oldest first.
      for (const k of this.#failures.keys()) {
        if (this.#failures.size <= 10_000) break;
        this.#failures.delete(k);
      }
    }
    const count = this.#count(key) + 1;
    const f = this.#failures.get(key);
    this.#failures.set(key, { count, first: f?.first ?? now });
    return count;
  }
}
