/**
 * The Signer port on node:crypto Ed25519: signs audit tree heads (and approvals), keeps its key in
 * PEM files with owner-only permissions.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AirlockError } from '../../core/errors.js';
import type { Signer } from '../../core/ports.js';

/** File name of the private key inside the key directory (PKCS#8 PEM, mode 0600). */
export const PRIVATE_KEY_FILE = 'signing-key.pem';
/** File name of the public key inside the key directory (SPKI PEM, mode 0600). */
export const PUBLIC_KEY_FILE = 'signing-key.pub.pem';

/** Something that can check a signature without holding a private key (an auditor's view of a Signer). */
export type SignatureVerifier = Pick<Signer, 'verify'>;

/**
 * Ed25519 signatures (base64) with node:crypto.
 * Security: the private key never leaves this object; `loadOrCreate` refuses key files that other
 * users can read. `verify` never throws: malformed keys or signatures verify as false.
 */
export class Ed25519Signer implements Signer {
  /** Hex SHA-256 of the raw 32-byte public key, first 16 characters. */
  readonly keyId: string;
  /** Public key, SPKI PEM. */
  readonly publicKeyPem: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.#publicKey = createPublicKey(privateKey);
    this.publicKeyPem = this.#publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = ed25519KeyId(this.#publicKey);
  }

  /** A new random key, in memory only (tests, ephemeral gateways). */
  static generate(): Ed25519Signer {
    return new Ed25519Signer(generateKeyPairSync('ed25519').privateKey);
  }

  /** A signer from a PKCS#8 PEM private key. Fails with BAD_CONFIG when it is not an Ed25519 private key. */
  static fromPem(privateKeyPem: string): Ed25519Signer {
    let key: KeyObject;
    try {
      key = createPrivateKey(privateKeyPem);
    } catch (err) {
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `the signing key is not a valid PEM private key: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `the signing key is ${key.asymmetricKeyType ?? 'not asymmetric'}, want ed25519`,
      });
    }
    return new Ed25519Signer(key);
  }

  /**
   * Loads `signing-key.pem` from `dir`, creating the directory (0700) and a new key pair (both files
   * 0600) on first start. Safe when several processes start at once: the key file is published with
   * an atomic link, so every process ends up with the same key.
   * Fails with BAD_CONFIG when the key is unreadable, not Ed25519, readable by group or others, or
   * when `signing-key.pub.pem` does not match it.
   */
  static loadOrCreate(dir: string): Ed25519Signer {
    const privatePath = join(dir, PRIVATE_KEY_FILE);
    const publicPath = join(dir, PUBLIC_KEY_FILE);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!existsSync(privatePath)) {
        const fresh = Ed25519Signer.generate();
        publishOnce(privatePath, fresh.#privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      }
    } catch (err) {
      throw wrap(err, `cannot create the signing key in ${dir}`);
    }
    if (process.platform !== 'win32') {
      const mode = statSync(privatePath).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        throw new AirlockError({
          code: 'BAD_CONFIG',
          message: `${privatePath} is readable by other users (mode ${mode.toString(8)}); run \`chmod 600 ${privatePath}\``,
        });
      }
    }
    let signer: Ed25519Signer;
    try {
      signer = Ed25519Signer.fromPem(readFileSync(privatePath, 'utf8'));
    } catch (err) {
      throw wrap(err, `cannot load the signing key ${privatePath}`);
    }
    try {
      if (!existsSync(publicPath)) publishOnce(publicPath, signer.publicKeyPem);
    } catch (err) {
      throw wrap(err, `cannot write the public key ${publicPath}`);
    }
    const publicPem = readFileSync(publicPath, 'utf8');
    if (publicKeyFingerprint(publicPem) !== signer.keyId) {
      throw new AirlockError({
        code: 'BAD_CONFIG',
        message: `${publicPath} does not match ${privatePath}; delete ${publicPath} and it is written again from the private key`,
      });
    }
    return signer;
  }

  /** Signs `data` (strings as UTF-8); base64 signature. */
  sign(data: string | Uint8Array): string {
    return sign(null, toBytes(data), this.#privateKey).toString('base64');
  }

  /** Checks a base64 signature with `publicKeyPem` (default: this signer's key). False, never a throw, on any malformed input. */
  verify(data: string | Uint8Array, signature: string, publicKeyPem?: string): boolean {
    return verifyEd25519(data, signature, publicKeyPem === undefined ? this.#publicKey : publicKeyPem);
  }
}

/** A verifier for signatures by the holder of `publicKeyPem` (SPKI PEM), for auditors without the private key. */
export function ed25519Verifier(publicKeyPem: string): SignatureVerifier {
  return { verify: (data, signature, other) => verifyEd25519(data, signature, other ?? publicKeyPem) };
}

function verifyEd25519(data: string | Uint8Array, signature: string, key: KeyObject | string): boolean {
  try {
    const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
    if (publicKey.asymmetricKeyType !== 'ed25519') return false;
    const sig = Buffer.from(signature, 'base64');
    // Only the canonical base64 of a 64-byte signature is accepted: one signature, one spelling.
    if (sig.length !== 64 || sig.toString('base64') !== signature) return false;
    return verify(null, toBytes(data), publicKey, sig);
  } catch {
    return false;
  }
}

function ed25519KeyId(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

function publicKeyFingerprint(pem: string): string | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? ed25519KeyId(key) : null;
  } catch {
    return null;
  }
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Writes `content` to `path` (0600) unless it exists; atomic, so a concurrent reader never sees half a key. */
function publishOnce(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(tmp, 0o600);
    linkSync(tmp, path);
  } catch (err) {
    // Another process published first: keep theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function wrap(err: unknown, what: string): AirlockError {
  if (err instanceof AirlockError) return new AirlockError({ code: err.code, message: `${what}: ${err.message}`, cause: err });
  return new AirlockError({ code: 'BAD_CONFIG', message: `${what}: ${err instanceof Error ? err.message : String(err)}`, cause: err });
}
