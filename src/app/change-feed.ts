/**
 * Live updates across processes: polls the store's change counter and tells subscribers what
 * changed. Requests are created by `airlock exec` and hooks in other processes, and approved from
 * the CLI, so the server cannot rely on in-process events; one cheap indexed query per tick finds
 * them (PostgreSQL can later push the same through LISTEN/NOTIFY).
 */
import type { ApprovalRequest } from '../core/approval.js';
import type { Grant } from '../core/grant.js';
import type { Store, Stored } from '../core/ports.js';

/** What changed since the last tick. */
export interface Changes {
  readonly requests: readonly Stored<ApprovalRequest>[];
  readonly grants: readonly Stored<Grant>[];
  readonly lastSeq: number;
}

/** The part of the feed interfaces use. */
export interface ChangeSource {
  /** Calls `listener` after every tick that found changes. Returns an unsubscribe function. */
  subscribe(listener: (changes: Changes) => void): () => void;
}

/** Polls `store.changesSince` every `intervalMs` (default 200 ms) while anyone listens or `start` was called. */
export class ChangeFeed implements ChangeSource {
  readonly #store: Pick<Store, 'changesSince'>;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(changes: Changes) => void>();
  #cursor = -1;
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(options: { store: Pick<Store, 'changesSince'>; intervalMs?: number }) {
    this.#store = options.store;
    this.#intervalMs = options.intervalMs ?? 200;
  }

  /** Starts polling from the current end of the feed (earlier changes are not replayed). */
  async start(): Promise<void> {
    if (this.#timer !== null) return;
    if (this.#cursor < 0) this.#cursor = (await this.#store.changesSince(Number.MAX_SAFE_INTEGER)).lastSeq;
    this.#timer = setInterval(() => void this.tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops polling. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  subscribe(listener: (changes: Changes) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One poll; a store error is skipped (the next tick tries again). Exposed for tests. */
  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const changes = await this.#store.changesSince(Math.max(0, this.#cursor));
      if (changes.lastSeq <= this.#cursor) return;
      this.#cursor = changes.lastSeq;
      if (changes.requests.length === 0 && changes.grants.length === 0) return;
      for (const l of this.#listeners) {
        try {
          l(changes);
        } catch {
          // One broken listener never stops the others.
        }
      }
    } catch {
      // The store is briefly unavailable: try again on the next tick.
    } finally {
      this.#busy = false;
    }
  }
}
