import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '../../core/ports.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULID-style ids (`prefix_` + 10 time chars + 16 random chars, Crockford base32): sortable by
 * creation time, unique without coordination between replicas.
 */
export class UlidIds implements IdGenerator {
  readonly #clock: Clock;
  constructor(clock: Clock) {
    this.#clock = clock;
  }
  next(prefix: string): string {
    let t = this.#clock.now().getTime();
    let time = '';
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32] + time;
      t = Math.floor(t / 32);
    }
    const bytes = randomBytes(16);
    let rand = '';
    for (const b of bytes) rand += ALPHABET[b % 32];
    return `${prefix}_${time}${rand}`;
  }
}
