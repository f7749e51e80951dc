/**
 * A cache for compiled Cedar policy, so that each short-lived `airlock` process does not pay for
 * parsing and strict validation again while the schema and policy files are unchanged.
 *
 * Trust assumption: an entry is believed without being re-validated against the schema (that is
 * the point of the cache), so the cache must live where only Airlock writes: in Airlock's own data
 * directory, which also holds the audit signing key. Whoever can write there can already forge
 * signed tree heads; a cache there adds no new way in. Never point it at a shared or
 * world-writable directory. Entries are keyed by a hash of everything they were compiled from, so
 * a changed policy file is always compiled afresh; a damaged entry is a miss, never an error.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where compiled policy is kept between processes: a string store keyed by a content hash.
 * Implementations must never throw: a value that cannot be read is a miss (null), a write that
 * fails is dropped. CedarPolicyEngine still guards against both.
 */
export interface PolicyCompileCache {
  /** The value stored under `key`, or null when there is none or it cannot be read. */
  read(key: string): string | null;
  /** Stores `value` under `key`, replacing any previous value; failures are ignored. */
  write(key: string, value: string): void;
}

/** Options for {@link FilePolicyCompileCache}. */
export interface FilePolicyCompileCacheOptions {
  /** How many entries to keep; older ones (by modification time) are removed after a write. Default 16. */
  readonly maxEntries?: number;
}

/** Keys are file names: anything else is refused (a miss on read, ignored on write). */
const KEY = /^[A-Za-z0-9_-]{1,128}$/;
/** An entry larger than this is not ours: treated as a miss. */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const SUFFIX = '.json';
/** Temporary files left by a crashed writer are removed once older than this. */
const STALE_TEMP_MS = 10 * 60 * 1000;
let writes = 0;

/**
 * {@link PolicyCompileCache} on files: one `<key>.json` per entry in `dir` (created 0700 on the
 * first write), written to a temporary file (0600) and renamed into place, so a reader sees a
 * whole entry or none. Never throws. Not fsynced: an entry lost or torn by a crash is a miss.
 * Security: see the trust assumption above; `dir` must be inside Airlock's data directory.
 */
export class FilePolicyCompileCache implements PolicyCompileCache {
  readonly #dir: string;
  readonly #maxEntries: number;

  /** `dir`: the cache directory, normally `<data dir>/cache/policy`. */
  constructor(dir: string, options: FilePolicyCompileCacheOptions = {}) {
    this.#dir = dir;
    this.#maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 16));
  }

  /** The entry's text, or null when it is missing, unreadable, too large or the key is not a plain name. */
  read(key: string): string | null {
    if (!KEY.test(key)) return null;
    try {
      const bytes = readFileSync(join(this.#dir, `${key}${SUFFIX}`));
      if (bytes.length > MAX_ENTRY_BYTES) return null;
      return bytes.toString('utf8');
    } catch {
      return null;
    }
  }

  /** Writes the entry atomically (temporary file, then rename); any failure is ignored. */
  write(key: string, value: string): void {
    if (!KEY.test(key)) return;
    const target = join(this.#dir, `${key}${SUFFIX}`);
    const temp = join(this.#dir, `.${key}.${process.pid}.${Date.now()}.${(writes += 1)}.tmp`);
    let fd: number | undefined;
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      // 'wx': never follow or reuse an existing file at the temporary name.
      fd = openSync(temp, 'wx', 0o600);
      writeFileSync(fd, value, 'utf8'); // loops until every byte is written
      closeSync(fd);
      fd = undefined;
      renameSync(temp, target);
    } catch {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // already closed or never usable: nothing more to do
        }
      }
      removeQuietly(temp);
      return;
    }
    this.#prune(key);
  }

  /** Keeps the newest `maxEntries` entries (the one just written always stays) and drops stale temporary files. */
  #prune(keep: string): void {
    try {
      const now = Date.now();
      const entries: { readonly name: string; readonly mtime: number }[] = [];
      for (const name of readdirSync(this.#dir)) {
        const isEntry = name.endsWith(SUFFIX) && KEY.test(name.slice(0, -SUFFIX.length));
        const isTemp = name.startsWith('.') && name.endsWith('.tmp');
        if (name === `${keep}${SUFFIX}` || (!isEntry && !isTemp)) continue;
        let mtime = 0;
        try {
          mtime = statSync(join(this.#dir, name)).mtimeMs;
        } catch {
          continue; // gone already
        }
        if (isEntry) entries.push({ name, mtime });
        else if (now - mtime > STALE_TEMP_MS) removeQuietly(join(this.#dir, name));
      }
      entries.sort((a, b) => b.mtime - a.mtime);
      for (const stale of entries.slice(this.#maxEntries - 1)) removeQuietly(join(this.#dir, stale.name));
    } catch {
      // pruning is housekeeping; a failure leaves a few extra files
    }
  }
}

/** Removes a file, ignoring every failure (missing, not ours, read-only directory). */
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing to do
  }
}
