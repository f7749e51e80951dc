import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ed25519Signer, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, ed25519Verifier } from './ed25519-signer.js';
import { NodeHasher } from './node-hasher.js';

describe('NodeHasher', () => {
  it('hashes strings as UTF-8 and bytes as bytes, in hex and raw', () => {
    const h = new NodeHasher();
    expect(h.sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(h.sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(h.sha256Hex(new TextEncoder().encode('é'))).toBe(h.sha256Hex('é'));
    const raw = h.sha256(new Uint8Array([0x61, 0x62, 0x63]));
    expect(raw).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(raw).toString('hex')).toBe(h.sha256Hex('abc'));
  });
});

describe('Ed25519Signer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-keys-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs and verifies; rejects other data, other keys and malformed signatures without throwing', () => {
    const s = Ed25519Signer.generate();
    const sig = s.sign('tree head');
    expect(Buffer.from(sig, 'base64').length).toBe(64);
    expect(s.verify('tree head', sig)).toBe(true);
    expect(s.verify(new TextEncoder().encode('tree head'), sig)).toBe(true);
    expect(s.verify('tree head!', sig)).toBe(false);
    expect(s.verify('tree head', sig, Ed25519Signer.generate().publicKeyPem)).toBe(false);
    expect(s.verify('tree head', 'not base64 !!')).toBe(false);
    expect(s.verify('tree head', `${sig}=`)).toBe(false);
    expect(s.verify('tree head', sig, 'not a pem')).toBe(false);
    expect(ed25519Verifier(s.publicKeyPem).verify('tree head', sig)).toBe(true);
    expect(s.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('round-trips through PEM and refuses keys that are not Ed25519 private keys (BAD_CONFIG)', () => {
    expect(() => Ed25519Signer.fromPem('garbage')).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
    expect(() => Ed25519Signer.fromPem(Ed25519Signer.generate().publicKeyPem)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });

  it('loadOrCreate creates 0600 key files on first start and loads the same key afterwards', () => {
    const keys = join(dir, 'keys');
    const first = Ed25519Signer.loadOrCreate(keys);
    for (const f of [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE]) {
      if (process.platform !== 'win32') expect(statSync(join(keys, f)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(keys, PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
    const second = Ed25519Signer.loadOrCreate(keys);
    expect(second.keyId).toBe(first.keyId);
    expect(second.verify('x', first.sign('x'))).toBe(true);
    expect(Ed25519Signer.fromPem(readFileSync(join(keys, PRIVATE_KEY_FILE), 'utf8')).keyId).toBe(first.keyId);
  });

  it.skipIf(process.platform === 'win32')('refuses a private key other users can read', () => {
    Ed25519Signer.loadOrCreate(dir);
    chmodSync(join(dir, PRIVATE_KEY_FILE), 0o644);
    expect(() => Ed25519Signer.loadOrCreate(dir)).toThrow(
      expect.objectContaining({ code: 'BAD_CONFIG', message: expect.stringContaining('chmod 600') }),
    );
  });

  it('refuses a public key file that does not match, and rewrites a missing one', () => {
    const s = Ed25519Signer.loadOrCreate(dir);
    rmSync(join(dir, PUBLIC_KEY_FILE));
    expect(Ed25519Signer.loadOrCreate(dir).keyId).toBe(s.keyId);
    writeFileSync(join(dir, PUBLIC_KEY_FILE), Ed25519Signer.generate().publicKeyPem);
    expect(() => Ed25519Signer.loadOrCreate(dir)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });
});
