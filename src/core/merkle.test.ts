import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  bytesToHex,
  consistencyProof,
  emptyRoot,
  hashLeaf,
  hexToBytes,
  inclusionProof,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
  type MerkleHasher,
} from './merkle.js';

// Tests may do I/O to load fixtures; the module under test does not.
const hasher: MerkleHasher = { sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()) };
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/merkle/', import.meta.url));

/** The RFC 6962 test leaves used by transparency-dev/merkle and Certificate Transparency. */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hexToBytes);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const leafHashes = LEAVES.map((d) => hashLeaf(hasher, d));

interface Vector {
  readonly file: string;
  readonly json: Record<string, unknown>;
  /** A size or index in the file does not fit a JavaScript safe integer (e.g. 2^64 - 1). */
  readonly unsafeInteger: boolean;
}

function loadVectors(dir: string): Vector[] {
  const root = join(FIXTURES, dir);
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
  return files.map((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    const unsafeInteger = [...text.matchAll(/":\s*(\d+)\s*[,}]/g)].some((m) => !Number.isSafeInteger(Number(m[1])));
    return { file: relative(FIXTURES, join(root, f)), json: JSON.parse(text) as Record<string, unknown>, unsafeInteger };
  });
}

const b64 = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === 'string' ? s : '', 'base64'));
const b64List = (v: unknown): Uint8Array[] => (Array.isArray(v) ? v.map(b64) : []);

describe('merkle: transparency-dev inclusion vectors', () => {
  const vectors = loadVectors('inclusion');
  it('loads every file', () => {
    expect(vectors.length).toBe(98);
  });
  it.each(vectors)('$file', ({ json, unsafeInteger }) => {
    if (unsafeInteger) expect(json.wantErr).toBe(true);
    const result = verifyInclusion(hasher, {
      index: Number(json.leafIdx),
      size: Number(json.treeSize),
      leafHash: b64(json.leafHash),
      proof: b64List(json.proof),
      root: b64(json.root),
    });
    expect(result.ok, `${String(json.desc)}: ${result.ok ? 'verified' : result.reason}`).toBe(json.wantErr !== true);
  });
});

describe('merkle: transparency-dev consistency vectors', () => {
  const vectors = loadVectors('consistency');
  it('loads every file', () => {
    expect(vectors.length).toBe(98);
  });
  it.each(vectors)('$file', ({ json, unsafeInteger }) => {
    if (unsafeInteger) expect(json.wantErr).toBe(true);
    const result = verifyConsistency(hasher, {
      size1: Number(json.size1),
      size2: Number(json.size2),
      root1: b64(json.root1),
      root2: b64(json.root2),
      proof: b64List(json.proof),
    });
    expect(result.ok, `${String(json.desc)}: ${result.ok ? 'verified' : result.reason}`).toBe(json.wantErr !== true);
  });
});

describe('merkle: tree and proof construction', () => {
  it('computes the RFC 6962 reference roots for every prefix of the test leaves', () => {
    expect(bytesToHex(merkleRoot(hasher, leafHashes, 0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (const [i, root] of ROOTS.entries()) expect(bytesToHex(merkleRoot(hasher, leafHashes, i + 1))).toBe(root);
  });

  it('builds the same proofs as the published happy-path vectors', () => {
    for (const { json } of loadVectors('inclusion').filter((v) => v.json.desc === 'happy path')) {
      const proof = inclusionProof(hasher, leafHashes, Number(json.leafIdx), Number(json.treeSize));
      expect(proof.map(bytesToHex)).toEqual(b64List(json.proof).map(bytesToHex));
    }
    for (const { json } of loadVectors('consistency').filter((v) => v.json.desc === 'happy path')) {
      const proof = consistencyProof(hasher, leafHashes, Number(json.size1), Number(json.size2));
      expect(proof.map(bytesToHex)).toEqual(b64List(json.proof).map(bytesToHex));
    }
  });

  it('proves and verifies every leaf and every prefix of trees up to 40 leaves, and rejects a flipped bit', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(hasher, new TextEncoder().encode(`entry ${i}`)));
    for (let size = 1; size <= leaves.length; size++) {
      const root = merkleRoot(hasher, leaves, size);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(hasher, leaves, index, size);
        expect(verifyInclusion(hasher, { index, size, leafHash: leaves[index] as Uint8Array, proof, root }).ok).toBe(true);
        if (proof.length > 0) {
          const bad = proof.map((p) => p.slice());
          const first = bad[0] as Uint8Array;
          first[0] = (first[0] as number) ^ 1;
          expect(verifyInclusion(hasher, { index, size, leafHash: leaves[index] as Uint8Array, proof: bad, root }).ok).toBe(false);
        }
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const root1 = merkleRoot(hasher, leaves, size1);
        const proof = consistencyProof(hasher, leaves, size1, size);
        expect(verifyConsistency(hasher, { size1, size2: size, root1, root2: root, proof }).ok).toBe(true);
        const otherRoot1 = merkleRoot(hasher, [...leaves.slice(0, size1 - 1), hashLeaf(hasher, new Uint8Array([9]))], size1);
        expect(verifyConsistency(hasher, { size1, size2: size, root1: otherRoot1, root2: root, proof }).ok).toBe(false);
      }
    }
  });

  it('CompactRange gives the same root as merkleRoot at every size', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => hashLeaf(hasher, new Uint8Array([i, i >> 8])));
    const range = new CompactRange(hasher);
    expect(range.root()).toEqual(emptyRoot(hasher));
    leaves.forEach((leaf, i) => {
      range.append(leaf);
      expect(range.size).toBe(i + 1);
      expect(bytesToHex(range.root())).toBe(bytesToHex(merkleRoot(hasher, leaves, i + 1)));
    });
  });

  it('refuses impossible proof requests with BAD_INPUT', () => {
    expect(() => inclusionProof(hasher, leafHashes, 8, 8)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => consistencyProof(hasher, leafHashes, 0, 4)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => merkleRoot(hasher, leafHashes, 9)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => hexToBytes('abc')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
