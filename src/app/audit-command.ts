/**
 * `airlock audit verify` and `airlock audit tail`. Verify keeps the last good signed tree head as a
 * checkpoint in the data directory, so the next verify also catches truncation and restored copies.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { signTreeHead, treeHeadSchema, verifyAudit, type TreeHead } from '../core/audit-log.js';
import { AirlockError, ERROR_CODES } from '../core/errors.js';
import type { Action } from '../core/action.js';
import type { AuditEntry } from '../core/ports.js';
import { describeAction } from '../interfaces/cli/render-verdict.js';
import { bool, parseArgs, str } from './args.js';
import type { CliIo } from './cli.js';
import type { Airlock } from './composition.js';

const CHECKPOINT_FILE = 'audit-checkpoint.json';

async function readWholeLog(airlock: Airlock): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (;;) {
    const page = await airlock.store.readAudit({ fromSeq: out.length + 1, limit: 5000 });
    out.push(...page);
    if (page.length < 5000) return out;
  }
}

function readCheckpoint(path: string): TreeHead | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AirlockError({
      code: 'AUDIT_TAMPERED',
      message: `the audit checkpoint ${path} is not valid JSON (${err instanceof Error ? err.message : String(err)}); it may have been tampered with`,
    });
  }
  const parsed = treeHeadSchema.safeParse(raw);
  if (!parsed.success)
    throw new AirlockError({
      code: 'AUDIT_TAMPERED',
      message: `the audit checkpoint ${path} is malformed; it may have been tampered with`,
    });
  return parsed.data;
}

/** Verifies the whole log against its chain, Merkle root and the saved checkpoint. Exit 65 on any problem. */
export async function auditVerify(airlock: Airlock, argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { json: { value: false }, checkpoint: { value: true } }, { command: 'audit verify' });
  // Default next to the store; `--checkpoint FILE` keeps it where the gateway host cannot write.
  const given = str(args, 'checkpoint');
  const checkpointPath = given === undefined ? join(airlock.paths.dataDir, CHECKPOINT_FILE) : resolve(io.cwd, given);
  const checkpoint = readCheckpoint(checkpointPath);
  let entries: AuditEntry[];
  try {
    entries = await readWholeLog(airlock);
  } catch (err) {
    // A row that no longer parses was edited outside Airlock: that is a verification failure.
    const message = `it cannot be read back (${err instanceof Error ? err.message : String(err)})`;
    if (bool(args, 'json')) io.stdout.write(`${JSON.stringify({ ok: false, problems: [{ code: 'UNREADABLE', message }] }, null, 2)}\n`);
    else io.stdout.write(`audit log FAILED verification: ${message}\n`);
    return ERROR_CODES.AUDIT_TAMPERED.exit;
  }
  const result = verifyAudit({
    entries,
    hasher: airlock.hasher,
    signer: airlock.signer,
    ...(checkpoint === undefined ? {} : { checkpoint }),
  });
  if (!result.ok) {
    if (bool(args, 'json')) io.stdout.write(`${JSON.stringify({ ok: false, problems: result.problems }, null, 2)}\n`);
    else {
      io.stdout.write(`audit log FAILED verification (${entries.length} entries read)\n`);
      for (const p of result.problems) io.stdout.write(`  ${p.code}${p.seq === undefined ? '' : ` at entry ${p.seq}`}: ${p.message}\n`);
    }
    return ERROR_CODES.AUDIT_TAMPERED.exit;
  }
  const head = signTreeHead({ size: result.size, rootHash: result.rootHash, ts: airlock.clock.now().toISOString() }, airlock.signer);
  const tmp = `${checkpointPath}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(head, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, checkpointPath);
  if (bool(args, 'json'))
    io.stdout.write(`${JSON.stringify({ ok: true, size: result.size, rootHash: result.rootHash, checkpoint: head }, null, 2)}\n`);
  else {
    io.stdout.write(`audit log ok\n  entries     ${result.size}\n  root        ${result.rootHash}\n`);
    io.stdout.write(
      `  checkpoint  ${checkpoint === undefined ? 'none before; saved' : `consistent with the one of ${checkpoint.ts} (${checkpoint.size} entries); updated`} (signed by key ${airlock.signer.keyId})\n`,
    );
  }
  return 0;
}

/** Shows the last N entries. */
export async function auditTail(airlock: Airlock, argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { n: { value: true, short: 'n' }, json: { value: false } }, { command: 'audit tail' });
  const n = Number(str(args, 'n') ?? '20');
  if (!Number.isInteger(n) || n < 1) throw new AirlockError({ code: 'BAD_INPUT', message: '-n must be a positive whole number' });
  const head = await airlock.store.auditHead();
  if (head === null) {
    io.stdout.write(bool(args, 'json') ? '' : 'the audit log is empty\n');
    return 0;
  }
  const entries = await airlock.store.readAudit({ fromSeq: Math.max(1, head.seq - n + 1), limit: n });
  for (const e of entries) {
    if (bool(args, 'json')) {
      io.stdout.write(`${JSON.stringify(e)}\n`);
      continue;
    }
    io.stdout.write(`${String(e.seq).padStart(6)}  ${e.ts}  ${e.type.padEnd(14)} ${summarize(e)}\n`);
  }
  return 0;
}

/** The fields of decision and execution payloads that `tail` shows; read defensively. */
interface TailPayload {
  readonly proposal?: {
    readonly agent?: { readonly id?: string; readonly authenticated?: boolean };
    readonly surface?: string;
    readonly action?: Action;
  };
  readonly decision?: { readonly outcome?: string };
  readonly assessment?: { readonly risk?: string };
  readonly proposalId?: string;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly spawnError?: string;
}

function summarize(e: AuditEntry): string {
  const p = (e.payload ?? {}) as TailPayload;
  if (e.type === 'decision' && p.proposal?.action !== undefined) {
    const agent = p.proposal.agent;
    return `${String(p.decision?.outcome).toUpperCase().padEnd(5)} ${String(p.assessment?.risk).padEnd(12)} ${agent?.id ?? '?'}${agent?.authenticated ? '' : '?'} via ${p.proposal.surface}: ${describeAction(p.proposal.action)}`;
  }
  if (e.type === 'execution') {
    return `${p.proposalId} exit=${p.exitCode ?? '-'}${p.signal ? ` signal=${p.signal}` : ''}${p.spawnError ? ` error=${p.spawnError}` : ''}`;
  }
  return JSON.stringify(e.payload);
}
