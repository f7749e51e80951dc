/**
 * The tamper-evident audit log (SECURITY.md invariant 6): every entry is hash-linked to the one
 * before it, the entry hashes are the leaves of an RFC 6962 Merkle tree, and signed tree heads
 * (checkpoints) kept by verifiers expose truncation and restored old copies.
 *
 * Pure: hashing through the `Hasher` port, signing through `Signer`, storage through `Store`.
 */
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { AirlockError } from './errors.js';
import { CompactRange, bytesToHex, hashLeaf, hexToBytes, merkleRoot } from './merkle.js';
import type { AuditEntry, AuditEventType, Clock, Hasher, Signer, Store } from './ports.js';

/** `prevHash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

/** What `AuditLog` needs, passed in by the composition root. */
export interface AuditLogOptions {
  readonly store: Pick<Store, 'appendAudit' | 'readAudit' | 'auditHead'>;
  readonly hasher: Hasher;
  readonly clock: Clock;
}

/** The signed part of a tree head. */
export interface TreeHeadBody {
  /** Number of entries covered (entries 1..size). */
  readonly size: number;
  /** Merkle root over the first `size` entry hashes, lowercase hex. */
  readonly rootHash: string;
  /** When the head was signed, ISO 8601. */
  readonly ts: string;
}

/** A signed tree head: the log's size and Merkle root, signed. Saved by verifiers as a checkpoint. */
export interface TreeHead extends TreeHeadBody {
  /** Id of the key that signed (see `Signer.keyId`). */
  readonly keyId: string;
  /** Base64 signature over `treeHeadMessage(head)`. */
  readonly signature: string;
}

/** Zod schema of a tree head, for parsing saved checkpoints (a trust boundary). */
export const treeHeadSchema = z.strictObject({
  size: z.number().int().nonnegative(),
  rootHash: z.string().regex(HEX64),
  ts: z.string().min(1),
  keyId: z.string().min(1),
  signature: z.string().min(1),
});

/** Why a log failed verification. */
export type AuditProblemCode = 'EDITED' | 'BROKEN_LINK' | 'MISSING' | 'REORDERED' | 'TRUNCATED' | 'ROLLED_BACK' | 'BAD_SIGNATURE';

/** One verification finding; `seq` names the first entry concerned, when there is one. */
export interface AuditProblem {
  readonly seq?: number;
  readonly code: AuditProblemCode;
  readonly message: string;
}

/** Result of `verifyChain`: the first bad entry and why, or the verified size and head hash. */
export type ChainCheck =
  | { readonly ok: true; readonly size: number; readonly headHash: string }
  | { readonly ok: false; readonly problem: AuditProblem };

/** Result of `verifyAudit`. `rootHash` (hex) and `size` are what a verifier signs and keeps as its next checkpoint. */
export type AuditVerification =
  | { readonly ok: true; readonly size: number; readonly rootHash: string }
  | { readonly ok: false; readonly problems: readonly AuditProblem[] };

/** Inputs of `verifyAudit`. */
export interface VerifyAuditOptions {
  /** The whole log, in the order the store returns it (ascending seq). */
  readonly entries: readonly AuditEntry[];
  readonly hasher: Hasher;
  /** Checks the checkpoint's signature; any Signer, or a verifier holding only the public key. */
  readonly signer: Pick<Signer, 'verify'>;
  /** Public key (SPKI PEM) the checkpoint must be signed with. Default: the signer's own key. */
  readonly publicKeyPem?: string;
  /** A tree head saved by an earlier successful verify. The log must extend it. */
  readonly checkpoint?: TreeHead;
}

/** Position the chain continues from: the last verified entry (seq 0 and `GENESIS_HASH` for the start). */
export interface ChainStart {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Appends to and signs the audit log.
 * `append` fails with BAD_INPUT when the payload is not JSON data (non-finite numbers, bigint,
 * functions, cycles, undefined) and with STORE_FAILURE when the store does.
 */
export class AuditLog {
  readonly #store: Pick<Store, 'appendAudit' | 'readAudit' | 'auditHead'>;
  readonly #hasher: Hasher;
  readonly #clock: Clock;
  /** Chain verified so far by `treeHead`, so each head reads only the new entries. */
  #verified: { seq: number; hash: string; range: CompactRange };
  #treeHeadQueue: Promise<unknown> = Promise.resolve();

  constructor(options: AuditLogOptions) {
    this.#store = options.store;
    this.#hasher = options.hasher;
    this.#clock = options.clock;
    this.#verified = { seq: 0, hash: GENESIS_HASH, range: new CompactRange(options.hasher) };
  }

  /**
   * Appends one entry: seq = head + 1, prevHash = head's hash, ts from the clock, and
   * hash = sha256(canonicalJson({seq, ts, type, payload, prevHash})). The payload is stored as plain
   * JSON (`toJSON` applied, so a Date becomes its ISO string); the returned entry holds that form.
   */
  async append(type: AuditEventType, payload: unknown): Promise<AuditEntry> {
    const plain = toPlainJson(payload);
    return this.#store.appendAudit((head) => {
      const seq = head === null ? 1 : head.seq + 1;
      const prevHash = head === null ? GENESIS_HASH : head.hash;
      // ts is taken under the store's lock, so timestamps follow seq order.
      const ts = this.#clock.now().toISOString();
      const hash = entryHash(this.#hasher, { seq, ts, type, payload: plain, prevHash });
      return { seq, ts, type, payload: plain, prevHash, hash };
    });
  }

  /**
   * Signs the current tree head `{ size, rootHash, ts }`. Checks the hash chain of every entry it has
   * not seen before and refuses (AUDIT_TAMPERED) to sign a broken log, or one that shrank or whose
   * head changed since an earlier head. Entries covered by an earlier head are not read again (so a
   * head costs only the new entries); in-place edits to them are found by `verifyAudit`, not here.
   * Calls are serialized.
   */
  async treeHead(signer: Pick<Signer, 'sign' | 'keyId'>): Promise<TreeHead> {
    const run = this.#treeHeadQueue.then(() => this.#treeHeadNow(signer));
    this.#treeHeadQueue = run.catch(() => undefined);
    return run;
  }

  /** Reads the whole log and runs `verifyAudit` over it (what `airlock audit verify` does). */
  async verify(options: Omit<VerifyAuditOptions, 'entries' | 'hasher'>): Promise<AuditVerification> {
    const entries = await this.#store.readAudit({});
    return verifyAudit({ ...options, entries, hasher: this.#hasher });
  }

  async #treeHeadNow(signer: Pick<Signer, 'sign' | 'keyId'>): Promise<TreeHead> {
    const head = await this.#store.auditHead();
    const target = head?.seq ?? 0;
    if (target < this.#verified.seq || (target === this.#verified.seq && head !== null && head.hash !== this.#verified.hash)) {
      throw new AirlockError({
        code: 'AUDIT_TAMPERED',
        message: `audit log: the head is now entry ${target} but entry ${this.#verified.seq} was already signed (truncated or an older copy restored); run \`airlock audit verify\``,
      });
    }
    const pageSize = 1000;
    while (this.#verified.seq < target) {
      const page = (await this.#store.readAudit({ fromSeq: this.#verified.seq + 1, limit: pageSize })).filter((e) => e.seq <= target);
      if (page.length === 0) {
        throw new AirlockError({
          code: 'AUDIT_TAMPERED',
          message: `audit log: entries after seq ${this.#verified.seq} are missing (head is ${target}); run \`airlock audit verify\``,
        });
      }
      const check = verifyChain(page, this.#hasher, { seq: this.#verified.seq, hash: this.#verified.hash });
      if (!check.ok) {
        throw new AirlockError({
          code: 'AUDIT_TAMPERED',
          message: `audit log: refusing to sign a broken log: ${check.problem.message}; run \`airlock audit verify\``,
        });
      }
      for (const entry of page) this.#verified.range.append(entryLeafHash(this.#hasher, entry.hash));
      this.#verified.seq = check.size;
      this.#verified.hash = check.headHash;
    }
    return signTreeHead({ size: target, rootHash: bytesToHex(this.#verified.range.root()), ts: this.#clock.now().toISOString() }, signer);
  }
}

/** sha256(canonicalJson({seq, ts, type, payload, prevHash})), hex. Throws on payloads canonical JSON cannot encode. */
export function entryHash(hasher: Pick<Hasher, 'sha256Hex'>, fields: Omit<AuditEntry, 'hash'>): string {
  const { seq, ts, type, payload, prevHash } = fields;
  return hasher.sha256Hex(canonicalJson({ seq, ts, type, payload, prevHash }));
}

/**
 * Checks the hash chain of `entries` (ascending seq, starting right after `from`, default the
 * beginning of the log) and reports the first bad entry: REORDERED (a seq out of place, or an entry
 * that was written at another position), MISSING (a gap in seq: deleted entries), EDITED (content no
 * longer matches its hash), BROKEN_LINK (prevHash is not the previous entry's hash).
 */
export function verifyChain(
  entries: readonly AuditEntry[],
  hasher: Pick<Hasher, 'sha256Hex'>,
  from: ChainStart = { seq: 0, hash: GENESIS_HASH },
): ChainCheck {
  const seqOfHash = new Map<string, number>();
  for (const e of entries) seqOfHash.set(e.hash, e.seq);
  let prevHash = from.hash;
  let expected = from.seq + 1;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuditEntry;
    if (e.seq !== expected) {
      if (!Number.isSafeInteger(e.seq) || e.seq < expected || entries.slice(i + 1).some((later) => later.seq === expected)) {
        return bad(
          expected,
          'REORDERED',
          `expected entry ${expected} at position ${i + 1} but found seq ${String(e.seq)}: entries are out of order or duplicated`,
        );
      }
      const last = e.seq - 1;
      return bad(
        expected,
        'MISSING',
        last === expected ? `entry ${expected} is missing (deleted)` : `entries ${expected}..${last} are missing (deleted)`,
      );
    }
    if (recompute(hasher, e, e.seq) !== e.hash) {
      // An entry whose hash fits another position was moved (e.g. seq values swapped), not edited.
      const writtenAs = e.prevHash === GENESIS_HASH ? 1 : (seqOfHash.get(e.prevHash) ?? Number.NaN) + 1;
      if (Number.isSafeInteger(writtenAs) && writtenAs !== e.seq && recompute(hasher, e, writtenAs) === e.hash) {
        return bad(e.seq, 'REORDERED', `entry stored as seq ${e.seq} was written as seq ${writtenAs}: entries were reordered`);
      }
      return bad(e.seq, 'EDITED', `entry ${e.seq} does not match its hash: it was changed after it was written`);
    }
    if (e.prevHash !== prevHash) {
      return bad(
        e.seq,
        'BROKEN_LINK',
        `entry ${e.seq} does not link to entry ${e.seq - 1}: an entry was replaced or rewritten with a new hash`,
      );
    }
    prevHash = e.hash;
    expected += 1;
  }
  return { ok: true, size: expected - 1, headHash: prevHash };
}

/** Merkle leaf hash of an audit entry: hashLeaf over the 32 raw bytes of its hex `hash`. */
export function entryLeafHash(hasher: Pick<Hasher, 'sha256'>, entryHashHex: string): Uint8Array {
  // A malformed hash (which verifyChain reports as EDITED) still gets a leaf, so roots stay computable.
  const data = HEX64.test(entryHashHex) ? hexToBytes(entryHashHex) : new TextEncoder().encode(entryHashHex);
  return hashLeaf(hasher, data);
}

/** Merkle root (hex) over the first `size` entries (default all). Fails with BAD_INPUT when size > entries.length. */
export function auditRoot(entries: readonly AuditEntry[], hasher: Pick<Hasher, 'sha256'>, size: number = entries.length): string {
  return bytesToHex(
    merkleRoot(
      hasher,
      entries.slice(0, size).map((e) => entryLeafHash(hasher, e.hash)),
      size,
    ),
  );
}

/** The exact bytes a tree head signature covers: canonical JSON of `{ rootHash, size, ts }`. */
export function treeHeadMessage(head: TreeHeadBody): string {
  return canonicalJson({ size: head.size, rootHash: head.rootHash, ts: head.ts });
}

/** Signs a tree head body. */
export function signTreeHead(body: TreeHeadBody, signer: Pick<Signer, 'sign' | 'keyId'>): TreeHead {
  const head = { size: body.size, rootHash: body.rootHash, ts: body.ts };
  return { ...head, keyId: signer.keyId, signature: signer.sign(treeHeadMessage(head)) };
}

/** True when `head` is well formed and its signature verifies (with `publicKeyPem`, default the signer's key). */
export function verifyTreeHead(head: unknown, signer: Pick<Signer, 'verify'>, publicKeyPem?: string): boolean {
  const parsed = treeHeadSchema.safeParse(head);
  if (!parsed.success) return false;
  return signer.verify(treeHeadMessage(parsed.data), parsed.data.signature, publicKeyPem);
}

/**
 * Verifies a whole log: the hash chain (first bad entry), the Merkle root, and, given a checkpoint
 * from an earlier verify, that the log still extends it: fewer entries than the checkpoint is
 * TRUNCATED (tail cut, or an older copy restored); a different root over the checkpoint's first
 * `size` entries is ROLLED_BACK (history rewritten, e.g. an old copy restored and appended to, or
 * the chain recomputed after an edit). A checkpoint whose signature does not verify is BAD_SIGNATURE
 * and is not used. When the chain is already broken inside the checkpointed range, the checkpoint
 * adds no second finding. Returns a value; never throws for a bad log.
 */
export function verifyAudit(options: VerifyAuditOptions): AuditVerification {
  const { entries, hasher, signer, publicKeyPem, checkpoint } = options;
  const problems: AuditProblem[] = [];
  const chain = verifyChain(entries, hasher);
  if (!chain.ok) problems.push(chain.problem);

  const leaves = entries.map((e) => entryLeafHash(hasher, e.hash));
  const rootHash = bytesToHex(merkleRoot(hasher, leaves));
  const chainBadAt = chain.ok ? Number.POSITIVE_INFINITY : (chain.problem.seq ?? 0);
  const last = entries[entries.length - 1];
  const lastSeq = last !== undefined && Number.isSafeInteger(last.seq) ? Math.max(last.seq, entries.length) : entries.length;

  if (checkpoint !== undefined) {
    if (!verifyTreeHead(checkpoint, signer, publicKeyPem)) {
      problems.push({
        code: 'BAD_SIGNATURE',
        message: `the checkpoint (size ${String(checkpoint.size)}, key ${String(checkpoint.keyId)}) is malformed or its signature does not verify; it was not used`,
      });
    } else if (checkpoint.size > entries.length && lastSeq < checkpoint.size) {
      problems.push({
        seq: lastSeq + 1,
        code: 'TRUNCATED',
        message: `the log ends at entry ${lastSeq} but a checkpoint of ${checkpoint.ts} saw ${checkpoint.size}: entries were removed from the end, or an older copy was restored`,
      });
    } else if (
      chainBadAt > checkpoint.size &&
      checkpoint.size <= entries.length &&
      bytesToHex(merkleRoot(hasher, leaves, checkpoint.size)) !== checkpoint.rootHash
    ) {
      problems.push({
        code: 'ROLLED_BACK',
        message: `the first ${checkpoint.size} entries no longer have the root of the checkpoint of ${checkpoint.ts}: the history was rewritten (an older copy restored and appended to, or entries edited and re-hashed)`,
      });
    }
    // Otherwise the chain check has already reported a problem inside the checkpointed range (which
    // also changes its root), so a second finding would only repeat it.
  }
  return problems.length === 0 ? { ok: true, size: entries.length, rootHash } : { ok: false, problems };
}

function recompute(hasher: Pick<Hasher, 'sha256Hex'>, e: AuditEntry, seq: number): string | null {
  try {
    return entryHash(hasher, { seq, ts: e.ts, type: e.type, payload: e.payload, prevHash: e.prevHash });
  } catch {
    return null;
  }
}

function bad(seq: number, code: AuditProblemCode, message: string): ChainCheck {
  return { ok: false, problem: { seq, code, message } };
}

/** The payload as plain JSON data, the form that is stored and hashed. */
function toPlainJson(payload: unknown): unknown {
  try {
    canonicalJson(payload); // rejects what JSON cannot carry faithfully (NaN, bigint, functions, undefined)
    return JSON.parse(JSON.stringify(payload)) as unknown;
  } catch (err) {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `audit payload is not JSON data: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
    });
  }
}
