/**
 * Approvals: a held action becomes a request, humans review it, and it runs once, exactly as
 * approved. Pure: the rules here take the time as an argument and return values; the
 * ApprovalService applies them through the Store, the audit log and the Signer.
 *
 * The rules (SECURITY.md invariants 2 and 3), each a row of approval.test.ts:
 * - the requesting agent's credentials never approve (agent tokens are refused, and a human account
 *   with the requesting agent's id is refused as self-approval);
 * - each human counts once; the human the agent acts for counts at most once;
 * - a deny by a required reviewer ends the request;
 * - an approval names the plan digest and expires; a changed plan needs approval again;
 * - APPROVED -> EXECUTING happens once (the store's compare-and-set on `version`);
 * - revocation works until execution starts.
 */
import type { Action, Surface } from './action.js';
import type { Assessment, BlastRadius, Effect, RiskClass, Target } from './assessment.js';
import { canonicalJson } from './canonical-json.js';
import type { HoldRequirement, ResolvedEnvironment } from './decision.js';

/**
 * Lifecycle of a request, in order. `approved` is stored once enough valid approvals are in; it
 * lapses back to pending when they expire.
 */
export const REQUEST_STATUSES = [
  'pending',
  'approved',
  'denied',
  'expired',
  'revoked',
  'executing',
  'executed',
  'failed',
  'unknown-outcome',
] as const;

/** One of {@link REQUEST_STATUSES}. */
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses in which humans may still review a request. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['pending', 'approved'];
/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly RequestStatus[] = ['denied', 'expired', 'revoked', 'executed', 'failed', 'unknown-outcome'];

/**
 * What will happen if the request is approved: everything the approval is bound to. Its canonical
 * form is hashed into the plan digest, so changing any field voids the approvals (invariant 3).
 */
export interface Plan {
  /** Plan format version. */
  readonly v: 1;
  readonly surface: Surface;
  /** The action as it will run; for `exec` its argv starts with the resolved binary. */
  readonly action: Action;
  readonly cwd: string | null;
  /** Targeting variables the action runs with (KUBECONFIG, AWS_PROFILE, PG* …). */
  readonly env: Readonly<Record<string, string>>;
  /** Target identity: the environment and the targets the action reaches. */
  readonly environment: { readonly name: string; readonly protected: boolean };
  readonly targets: readonly Target[];
  /** The effects: assessed now; measured (rehearsed) effects are added by the database guard. */
  readonly risk: RiskClass;
  readonly effects: readonly Effect[];
  readonly blastRadius: BlastRadius;
  /** A measured effect from a rehearsal, when one ran. */
  readonly rehearsal: unknown;
  /**
   * What the action reads that could be swapped after approval: the content hashes of the files
   * its words name (the resolved binary, a script, a manifest) and of a hook's tool input (the
   * text a file tool writes). A changed input is a changed plan.
   */
  readonly inputs: readonly PlanInput[];
  /** SHA-256 of the policy set that held it: new policy, new approval. */
  readonly policySetHash: string;
}

/** One input of a plan: a file by path, or a named blob such as `tool input`, with its SHA-256. */
export interface PlanInput {
  readonly name: string;
  readonly sha256: string;
}

/** Builds the plan of a held action from what the gateway decided. */
export function planOf(options: {
  readonly surface: Surface;
  readonly action: Action;
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly assessment: Assessment;
  readonly environment: ResolvedEnvironment;
  readonly policySetHash: string;
  readonly rehearsal?: unknown;
  readonly inputs?: readonly PlanInput[] | undefined;
}): Plan {
  return {
    v: 1,
    surface: options.surface,
    action: options.action,
    cwd: options.cwd ?? null,
    env: options.env ?? {},
    environment: { name: options.environment.name, protected: options.environment.protected },
    targets: options.assessment.targets,
    risk: options.assessment.risk,
    effects: options.assessment.effects,
    blastRadius: options.assessment.blastRadius,
    rehearsal: options.rehearsal ?? null,
    inputs: options.inputs ?? [],
    policySetHash: options.policySetHash,
  };
}

/** SHA-256 (hex) of the canonical plan. `sha256Hex` is the Hasher port's. */
export function planDigest(plan: Plan, sha256Hex: (data: string) => string): string {
  return sha256Hex(canonicalJson(plan));
}

/** Who asked: an agent for a held action, a human for a grant. Whoever asked never reviews it. */
export interface Requester {
  readonly kind: 'agent' | 'human';
  readonly id: string;
  readonly authenticated: boolean;
  /** The human the agent acts for, as claimed; counts at most once among the approvers. */
  readonly onBehalfOf?: string;
  readonly session?: string;
}

/** A signed approval statement, as appended to the audit log before it counts. */
export interface ApprovalStatement {
  readonly type: 'airlock.approval/v1';
  readonly subject: 'request' | 'grant';
  readonly id: string;
  readonly planDigest: string;
  readonly human: string;
  /** The groups the human was in when reviewing (from airlock.yaml), signed with the rest. */
  readonly groups: readonly string[];
  readonly vote: 'approve' | 'deny';
  readonly comment: string;
  readonly at: string;
  /** When the approval stops counting (approve only; null for deny). */
  readonly expiresAt: string | null;
}

/** One human's review, with the signature over its statement. */
export interface Review {
  readonly statement: ApprovalStatement;
  /** Groups the human belonged to when reviewing (from config). */
  readonly groups: readonly string[];
  /** The reviewer is the human the agent acts for. */
  readonly onBehalfOfRequester: boolean;
  /** Ed25519 signature (base64) over canonicalJson(statement), and the key that made it. */
  readonly signature: string;
  readonly keyId: string;
  /** Audit sequence number of the entry that recorded it. */
  readonly auditSeq: number;
}

/** What the executing process reports about itself, so a restart can tell a dead execution. */
export interface Executor {
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
}

/** The record of a held action waiting for humans. */
export interface ApprovalRequest {
  readonly id: string;
  /** Incremented by every change; the store writes only when the caller's version is current. */
  readonly version: number;
  readonly status: RequestStatus;
  readonly requester: Requester;
  readonly proposalId: string;
  /** Audit sequence number of the decision that held it. */
  readonly decisionSeq: number | null;
  readonly plan: Plan;
  readonly planDigest: string;
  readonly assessment: Assessment;
  /** The environment as resolved, with the inventory's context (criticality, owners, dependants). */
  readonly environment: ResolvedEnvironment;
  readonly requirement: HoldRequirement;
  /** Reasons and the ids of the policies that held it. */
  readonly reasons: readonly string[];
  readonly policies: readonly string[];
  readonly intent: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Pending requests expire (24 h by default). */
  readonly expiresAt: string;
  readonly approvals: readonly Review[];
  readonly denial: Review | null;
  readonly revocation: { readonly by: string; readonly at: string; readonly reason: string } | null;
  readonly execution: {
    readonly startedAt: string;
    readonly executor: Executor;
    readonly finishedAt: string | null;
    readonly outcome: unknown;
  } | null;
}

/** The caller of an approval endpoint, as authenticated by the interface. */
export type Reviewer =
  | { readonly kind: 'human'; readonly id: string; readonly groups: readonly string[] }
  | { readonly kind: 'agent'; readonly id: string };

/** Why a review was refused; each maps onto an error code. */
export type RefusalCode = 'agent-credentials' | 'self-approval' | 'already-approved' | 'not-eligible' | 'stale-plan' | 'not-open';

/** A refused review: a value, not an exception. */
export interface Refusal {
  readonly refused: RefusalCode;
  readonly message: string;
}

/** The subset of a request (or a grant) the review rules read. */
export interface Reviewable {
  readonly id: string;
  readonly status: RequestStatus;
  readonly requester: Requester;
  readonly planDigest: string;
  readonly requirement: HoldRequirement;
  readonly expiresAt: string;
  readonly approvals: readonly Review[];
}

/** True when `human` may review under `requirement`: any human when no groups are named. */
export function eligible(requirement: HoldRequirement, groups: readonly string[]): boolean {
  return requirement.groups.length === 0 || requirement.groups.some((g) => groups.includes(g));
}

/**
 * The approvals that count at `now`: unexpired, bound to the current digest, one per human, from
 * eligible humans, with at most one from the human the agent acts for.
 */
export function countingApprovals(item: Reviewable, now: Date): readonly Review[] {
  const seen = new Set<string>();
  let onBehalf = 0;
  const out: Review[] = [];
  for (const a of item.approvals) {
    const s = a.statement;
    // Bound to this request (or grant) and this plan: a statement copied from another request with
    // the same plan never counts here.
    if (s.vote !== 'approve' || s.id !== item.id || s.planDigest !== item.planDigest) continue;
    if (s.expiresAt === null || Date.parse(s.expiresAt) <= now.getTime()) continue;
    if (s.human === item.requester.id) continue;
    if (seen.has(s.human) || !eligible(item.requirement, a.groups)) continue;
    if (s.human === item.requester.onBehalfOf) {
      if (onBehalf >= 1) continue;
      onBehalf++;
    }
    seen.add(s.human);
    out.push(a);
  }
  return out;
}

/**
 * The status as of `now`: an open request past its expiry is `expired`; an `approved` one whose
 * approvals have lapsed below the requirement is `pending` again. Other statuses are as stored.
 */
export function statusAt(item: Reviewable, now: Date): RequestStatus {
  if (!OPEN_STATUSES.includes(item.status)) return item.status;
  if (Date.parse(item.expiresAt) <= now.getTime()) return 'expired';
  return countingApprovals(item, now).length >= item.requirement.approvals ? 'approved' : 'pending';
}

/** Approvals still needed at `now` (0 when approved). */
export function approvalsMissing(item: Reviewable, now: Date): number {
  return Math.max(0, item.requirement.approvals - countingApprovals(item, now).length);
}

/**
 * Checks one review before it is signed and recorded. Returns a refusal, or null when the review
 * may be recorded. `digest` is the plan digest the reviewer saw.
 */
export function checkReview(item: Reviewable, reviewer: Reviewer, vote: 'approve' | 'deny', digest: string, now: Date): Refusal | null {
  if (reviewer.kind === 'agent') {
    return {
      refused: 'agent-credentials',
      message: `agent credentials (${reviewer.id}) can never approve or deny: a human signs in or uses a personal token`,
    };
  }
  if (reviewer.id === item.requester.id) {
    return { refused: 'self-approval', message: `${reviewer.id} made this request and cannot review it` };
  }
  const status = statusAt(item, now);
  if (!OPEN_STATUSES.includes(status)) {
    return { refused: 'not-open', message: `request ${item.id} is ${status}; it can no longer be reviewed` };
  }
  if (digest !== item.planDigest) {
    return {
      refused: 'stale-plan',
      message: `the plan changed since you looked (you saw ${digest.slice(0, 12)}, it is now ${item.planDigest.slice(0, 12)}); review the current plan`,
    };
  }
  const groups = reviewer.groups;
  if (!eligible(item.requirement, groups)) {
    return {
      refused: 'not-eligible',
      message: `${reviewer.id} is not in ${item.requirement.groups.join(' or ')}, whose approval this needs`,
    };
  }
  if (vote === 'approve' && countingApprovals(item, now).some((a) => a.statement.human === reviewer.id)) {
    return { refused: 'already-approved', message: `${reviewer.id} has already approved; each human counts once` };
  }
  return null;
}

/** The statement a reviewer signs (through the gateway's key) for a review that passed `checkReview`. */
export function reviewStatement(options: {
  readonly subject: 'request' | 'grant';
  readonly item: Reviewable;
  readonly human: string;
  /** The groups the human was in when reviewing (from airlock.yaml), signed with the rest. */
  readonly groups: readonly string[];
  readonly vote: 'approve' | 'deny';
  readonly comment: string;
  readonly now: Date;
  readonly approvalTtlMs: number;
}): ApprovalStatement {
  return {
    type: 'airlock.approval/v1',
    subject: options.subject,
    id: options.item.id,
    planDigest: options.item.planDigest,
    human: options.human,
    groups: options.groups,
    vote: options.vote,
    comment: options.comment,
    at: options.now.toISOString(),
    expiresAt: options.vote === 'approve' ? new Date(options.now.getTime() + options.approvalTtlMs).toISOString() : null,
  };
}

/**
 * Applies a recorded review: approvals are added (the status becomes `approved` once enough count);
 * a deny ends the request. The caller has checked it with `checkReview`.
 */
export function withReview<T extends Reviewable & { readonly denial: Review | null; readonly version: number; readonly updatedAt: string }>(
  item: T,
  review: Review,
  now: Date,
): T {
  const at = now.toISOString();
  if (review.statement.vote === 'deny') {
    return { ...item, status: 'denied', denial: review, version: item.version + 1, updatedAt: at };
  }
  // A lapsed approval by the same human is replaced, not kept beside the new one.
  const approvals = [...item.approvals.filter((a) => a.statement.human !== review.statement.human), review];
  const next = { ...item, approvals, version: item.version + 1, updatedAt: at };
  return { ...next, status: statusAt(next, now) === 'approved' ? 'approved' : 'pending' };
}

/** Parses durations like `90s`, `30m`, `24h`, `7d`, `1h30m` into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const re = /\s*(\d+)\s*(ms|s|m|h|d)\s*/gy;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const trimmed = text.trim();
  if (trimmed === '') return null;
  let total = 0;
  let end = 0;
  re.lastIndex = 0;
  for (let m = re.exec(trimmed); m !== null; m = re.exec(trimmed)) {
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    end = re.lastIndex;
  }
  return end === trimmed.length && total > 0 ? total : null;
}
