/**
 * The Hasher port on node:crypto.
 */
import { createHash } from 'node:crypto';
import type { Hasher } from '../../core/ports.js';

/** SHA-256 with node:crypto. Strings are hashed as UTF-8. Stateless; one instance can be shared. */
export class NodeHasher implements Hasher {
  /** SHA-256 as lowercase hex. */
  sha256Hex(data: string | Uint8Array): string {
    return createHash('sha256').update(data).digest('hex');
  }

  /** SHA-256 of raw bytes, as 32 bytes. */
  sha256(data: Uint8Array): Uint8Array {
    const digest = createHash('sha256').update(data).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }
}
