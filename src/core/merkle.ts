/**
 * RFC 6962 / RFC 9162 Merkle trees over the audit log: tree roots, inclusion proofs, consistency
 * proofs and their verification. Pure: SHA-256 comes in through the `Hasher` port.
 *
 * Leaf hash = SHA-256(0x00 || data); node hash = SHA-256(0x01 || left || right); the root of the
 * empty tree is SHA-256 of the empty string. For n > 1 leaves the tree splits at k, the largest
 * power of two smaller than n (RFC 9162 §2.1.1).
 */
import { AirlockError } from './errors.js';
import type { Hasher } from './ports.js';

/** The part of the Hasher port Merkle trees need: raw-bytes SHA-256. */
export type MerkleHasher = Pick<Hasher, 'sha256'>;

/** Size in bytes of every hash in the tree (SHA-256). */
export const MERKLE_HASH_SIZE = 32;

/** Outcome of a proof verification: a value, never an exception. `reason` says what did not match. */
export type ProofCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Hash of a leaf: SHA-256(0x00 || data). */
export function hashLeaf(hasher: MerkleHasher, data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + data.length);
  buf[0] = 0x00;
  buf.set(data, 1);
  return hasher.sha256(buf);
}

/** Hash of an interior node: SHA-256(0x01 || left || right). */
export function hashChildren(hasher: MerkleHasher, left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return hasher.sha256(buf);
}

/** Root of the empty tree: SHA-256 of zero bytes. */
export function emptyRoot(hasher: MerkleHasher): Uint8Array {
  return hasher.sha256(new Uint8Array(0));
}

/**
 * Root of the tree over the first `size` leaf hashes (default: all of them).
 * Fails with BAD_INPUT when `size` is not an integer in [0, leafHashes.length].
 */
export function merkleRoot(hasher: MerkleHasher, leafHashes: readonly Uint8Array[], size: number = leafHashes.length): Uint8Array {
  checkRange('size', size, 0, leafHashes.length);
  return subtreeRoot(hasher, leafHashes, 0, size);
}

/**
 * Inclusion proof (audit path, RFC 9162 §2.1.3.1) for leaf `index` in the tree of the first `size`
 * leaves. Fails with BAD_INPUT unless 0 <= index < size <= leafHashes.length.
 */
export function inclusionProof(
  hasher: MerkleHasher,
  leafHashes: readonly Uint8Array[],
  index: number,
  size: number = leafHashes.length,
): Uint8Array[] {
  checkRange('size', size, 1, leafHashes.length);
  checkRange('index', index, 0, size - 1);
  const proof: Uint8Array[] = [];
  path(hasher, leafHashes, index, 0, size, proof);
  return proof;
}

/**
 * Consistency proof (RFC 9162 §2.1.4.1) that the tree of the first `size1` leaves is a prefix of the
 * tree of the first `size2`. Fails with BAD_INPUT unless 0 < size1 <= size2 <= leafHashes.length
 * (a proof from the empty tree is meaningless).
 */
export function consistencyProof(
  hasher: MerkleHasher,
  leafHashes: readonly Uint8Array[],
  size1: number,
  size2: number = leafHashes.length,
): Uint8Array[] {
  checkRange('size2', size2, 1, leafHashes.length);
  checkRange('size1', size1, 1, size2);
  const proof: Uint8Array[] = [];
  subproof(hasher, leafHashes, size1, 0, size2, true, proof);
  return proof;
}

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2): `leafHash` is leaf `index` of the tree of `size`
 * leaves whose root is `root`. Malformed input (wrong sizes, hashes not 32 bytes, unsafe integers)
 * fails verification; never throws.
 */
export function verifyInclusion(
  hasher: MerkleHasher,
  input: {
    readonly index: number;
    readonly size: number;
    readonly leafHash: Uint8Array;
    readonly proof: readonly Uint8Array[];
    readonly root: Uint8Array;
  },
): ProofCheck {
  const { index, size, leafHash, proof, root } = input;
  if (!isCount(index) || !isCount(size)) return fail('index and size must be non-negative safe integers');
  if (index >= size) return fail(`index ${index} is beyond the tree size ${size}`);
  if (leafHash.length !== MERKLE_HASH_SIZE) return fail(`leaf hash has ${leafHash.length} bytes, want ${MERKLE_HASH_SIZE}`);
  if (root.length !== MERKLE_HASH_SIZE) return fail(`root has ${root.length} bytes, want ${MERKLE_HASH_SIZE}`);
  if (!proof.every((p) => p.length === MERKLE_HASH_SIZE)) return fail(`every proof hash must have ${MERKLE_HASH_SIZE} bytes`);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return fail('proof is longer than the path to the root');
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(hasher, p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(hasher, r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('proof is shorter than the path to the root');
  return equalBytes(r, root) ? { ok: true } : fail('computed root does not match the expected root');
}

/**
 * Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of `size1` leaves with root `root1` is
 * a prefix of the tree of `size2` leaves with root `root2`. Equal sizes need an empty proof and
 * equal roots; `size1` = 0 always fails (a proof from the empty tree proves nothing). Never throws.
 */
export function verifyConsistency(
  hasher: MerkleHasher,
  input: {
    readonly size1: number;
    readonly size2: number;
    readonly root1: Uint8Array;
    readonly root2: Uint8Array;
    readonly proof: readonly Uint8Array[];
  },
): ProofCheck {
  const { size1, size2, root1, root2, proof } = input;
  if (!isCount(size1) || !isCount(size2)) return fail('sizes must be non-negative safe integers');
  if (size1 === 0) return fail('a consistency proof from the empty tree is meaningless');
  if (size2 < size1) return fail(`size2 ${size2} is smaller than size1 ${size1}`);
  if (size1 === size2) {
    if (proof.length > 0) return fail('sizes are equal but the proof is not empty');
    return equalBytes(root1, root2) ? { ok: true } : fail('sizes are equal but the roots differ');
  }
  if (proof.length === 0) return fail('empty proof');
  if (root1.length !== MERKLE_HASH_SIZE || root2.length !== MERKLE_HASH_SIZE) return fail(`roots must have ${MERKLE_HASH_SIZE} bytes`);
  if (!proof.every((p) => p.length === MERKLE_HASH_SIZE)) return fail(`every proof hash must have ${MERKLE_HASH_SIZE} bytes`);
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const first = path[0];
  if (first === undefined) return fail('empty proof');
  let fr = first;
  let sr = first;
  for (const c of path.slice(1)) {
    if (sn === 0) return fail('proof is longer than needed');
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(hasher, c, fr);
      sr = hashChildren(hasher, c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(hasher, sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('proof is shorter than needed');
  if (!equalBytes(fr, root1)) return fail('proof does not reproduce the first root');
  if (!equalBytes(sr, root2)) return fail('proof does not reproduce the second root');
  return { ok: true };
}

/**
 * An append-only compact range (RFC 9162 terms: the perfect subtrees of the right border): the root
 * of a growing tree in O(log n) memory, for verifiers that stream the log once.
 */
export class CompactRange {
  readonly #hasher: MerkleHasher;
  /** Roots of perfect subtrees, largest (leftmost) first; their sizes are the set bits of `size`. */
  readonly #nodes: Uint8Array[] = [];
  #size = 0;

  constructor(hasher: MerkleHasher) {
    this.#hasher = hasher;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash (already `hashLeaf`ed). */
  append(leafHash: Uint8Array): void {
    let node = leafHash;
    // Each trailing one bit of the old size is a perfect subtree the new leaf completes.
    let s = this.#size;
    while (isOdd(s)) {
      const left = this.#nodes.pop();
      if (left === undefined) throw new AirlockError({ code: 'INTERNAL', message: 'CompactRange: node stack out of step with size' });
      node = hashChildren(this.#hasher, left, node);
      s = half(s);
    }
    this.#nodes.push(node);
    this.#size += 1;
  }

  /** Root of the tree over every leaf appended so far (the empty-tree root when none). */
  root(): Uint8Array {
    const last = this.#nodes[this.#nodes.length - 1];
    if (last === undefined) return emptyRoot(this.#hasher);
    let r = last;
    for (let i = this.#nodes.length - 2; i >= 0; i--) r = hashChildren(this.#hasher, this.#nodes[i] as Uint8Array, r);
    return r;
  }
}

/** Lowercase hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of a hex string. Fails with BAD_INPUT on odd length or non-hex characters. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new AirlockError({ code: 'BAD_INPUT', message: `not a hex string: ${JSON.stringify(hex.slice(0, 80))}` });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Constant-shape byte comparison (lengths and every byte). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

// --- internals -------------------------------------------------------------------------------

function subtreeRoot(hasher: MerkleHasher, leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end === start) return emptyRoot(hasher);
  // Pairing neighbours level by level and carrying a lone last node up unchanged builds exactly the
  // RFC 6962 tree (left subtrees are always perfect), without recursion.
  let level: Uint8Array[] = leaves.slice(start, end);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(hashChildren(hasher, level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

/** PATH(m, D[start:end]) appended to `out`, bottom-up. */
function path(hasher: MerkleHasher, leaves: readonly Uint8Array[], m: number, start: number, end: number, out: Uint8Array[]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    path(hasher, leaves, m, start, start + k, out);
    out.push(subtreeRoot(hasher, leaves, start + k, end));
  } else {
    path(hasher, leaves, m - k, start + k, end, out);
    out.push(subtreeRoot(hasher, leaves, start, start + k));
  }
}

/** SUBPROOF(m, D[start:end], b) appended to `out`. */
function subproof(
  hasher: MerkleHasher,
  leaves: readonly Uint8Array[],
  m: number,
  start: number,
  end: number,
  b: boolean,
  out: Uint8Array[],
): void {
  const n = end - start;
  if (m === n) {
    if (!b) out.push(subtreeRoot(hasher, leaves, start, end));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(hasher, leaves, m, start, start + k, b, out);
    out.push(subtreeRoot(hasher, leaves, start + k, end));
  } else {
    subproof(hasher, leaves, m - k, start + k, end, false, out);
    out.push(subtreeRoot(hasher, leaves, start, start + k));
  }
}

/** Largest power of two smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AirlockError({ code: 'BAD_INPUT', message: `merkle: ${name} ${value} is outside [${min}, ${max}]` });
  }
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

// Arithmetic rather than bit operators: JavaScript bit operators truncate to 32 bits, tree sizes do not.
function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

function fail(reason: string): ProofCheck {
  return { ok: false, reason };
}
