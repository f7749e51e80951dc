/**
 * Password hashing for humans who sign in to the web UI: scrypt from node:crypto, stored as a
 * PHC-style string `$scrypt$ln=15,r=8,p=1$<salt b64>$<hash b64>` so parameters can rise later.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters: N = 2^15, r = 8, p = 1 (OWASP's scrypt minimum is N = 2^17 with 16 MiB; 2^15 keeps sign-in near 50 ms on a small machine). */
const DEFAULT = { ln: 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, o: { ln: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** o.ln, r: o.r, p: o.p, maxmem: 256 * 2 ** o.ln * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with a fresh 16-byte salt. Rejects empty passwords and ones under 12 characters. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < 12) throw new RangeError('a password needs at least 12 characters');
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT);
  return `$scrypt$ln=${DEFAULT.ln},r=${DEFAULT.r},p=${DEFAULT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches `stored`. Constant-time compare; false (never a throw) for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (m === null) return false;
  const [, ln, r, p, salt, hash] = m as unknown as [string, string, string, string, string, string];
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (params.ln < 10 || params.ln > 20) return false;
  const expected = Buffer.from(hash, 'base64');
  try {
    const key = await derive(password, Buffer.from(salt, 'base64'), params);
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}
