/**
 * Grants: time-bound elevation. A human lets one agent do a scoped set of things until a time,
 * e.g. "deploy-bot may restart pods in prod/payments for 30 minutes". A grant that needs approval
 * (airlock.yaml `grants.approval`) is reviewed by the same rules as a request; its creator never
 * reviews it. An active grant sets `context.elevated` for the actions it covers.
 */
import type { ApprovalRequest, RequestStatus, Requester, Review } from './approval.js';
import type { Assessment, EffectVerb, RiskClass } from './assessment.js';
import { canonicalJson } from './canonical-json.js';
import type { HoldRequirement, ResolvedEnvironment } from './decision.js';
import type { ResourceConfig } from './config.js';
import { globMatch, matchTarget } from './environment.js';

/** What a grant covers. Empty lists mean "any". */
export interface GrantScope {
  /** Environment names (`prod`). */
  readonly environments: readonly string[];
  /**
   * Inventory resource names (`payments`) or globs over effect resources (`deployment/api*`,
   * `namespace/payments`).
   */
  readonly resources: readonly string[];
  /** Effect verbs covered (`modify`, `delete` …). */
  readonly verbs: readonly EffectVerb[];
  /** The worst risk class covered: `write`, `destructive` (default) or `catastrophic`. */
  readonly maxRisk: Exclude<RiskClass, 'read' | 'unknown'>;
}

/** A grant. Status `approved` means active (until `until`); `pending` waits for its approvals. */
export interface Grant {
  readonly id: string;
  readonly version: number;
  readonly status: RequestStatus;
  /** The agent elevated. */
  readonly agentId: string;
  readonly scope: GrantScope;
  /** When the grant ends (store clock). */
  readonly until: string;
  readonly reason: string;
  /** The human who asked for it (never one of its reviewers). */
  readonly requester: Requester;
  /** SHA-256 of the canonical grant terms (agent, scope, until, reason): approvals are bound to it. */
  readonly planDigest: string;
  readonly requirement: HoldRequirement;
  /** Review deadline while pending. */
  readonly expiresAt: string;
  readonly approvals: readonly Review[];
  readonly denial: Review | null;
  readonly revocation: ApprovalRequest['revocation'];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The terms an approval of a grant is bound to. */
export function grantDigest(
  terms: Pick<Grant, 'agentId' | 'scope' | 'until' | 'reason'> & { readonly createdBy: string },
  sha256Hex: (s: string) => string,
): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      agentId: terms.agentId,
      scope: terms.scope,
      until: terms.until,
      reason: terms.reason,
      createdBy: terms.createdBy,
    }),
  );
}

/** True when the grant is in force at `now`: approved, not revoked, and before `until`. */
export function grantActive(grant: Grant, now: Date): boolean {
  return grant.status === 'approved' && grant.revocation === null && Date.parse(grant.until) > now.getTime();
}

const RANK: Readonly<Record<RiskClass, number>> = { read: 0, write: 1, unknown: 2, destructive: 3, catastrophic: 4 };

/**
 * True when an active grant for this agent covers every state-changing effect of the action.
 * Unknown effects are never covered: a grant lifts holds on what Airlock understands.
 */
export function grantCovers(
  grant: Grant,
  action: { readonly agentId: string; readonly assessment: Assessment; readonly environment: ResolvedEnvironment },
  now: Date,
  inventory: readonly Pick<ResourceConfig, 'name' | 'match'>[] = [],
): boolean {
  if (!grantActive(grant, now) || grant.agentId !== action.agentId) return false;
  const { scope } = grant;
  if (scope.environments.length > 0 && !scope.environments.includes(action.environment.name)) return false;
  const changes = action.assessment.effects.filter((e) => e.risk !== 'read');
  if (changes.length === 0) return false;
  // By inventory name only when every target of the action belongs to a granted resource: a grant
  // on `payments` never covers a command that also reaches `billing`.
  const granted = inventory.filter((r) => scope.resources.includes(r.name));
  const targets = action.assessment.targets;
  const byInventory =
    granted.length > 0 && targets.length > 0 && targets.every((t) => granted.some((r) => matchTarget(r.match, t) !== null));
  return changes.every(
    (e) =>
      e.risk !== 'unknown' &&
      RANK[e.risk] <= RANK[scope.maxRisk] &&
      (scope.verbs.length === 0 || scope.verbs.includes(e.verb)) &&
      (scope.resources.length === 0 || byInventory || scope.resources.some((p) => globMatch(p, e.resource))),
  );
}

/** The first of `grants` covering the action, or null. */
export function coveringGrant(
  grants: readonly Grant[],
  action: { readonly agentId: string; readonly assessment: Assessment; readonly environment: ResolvedEnvironment },
  now: Date,
  inventory: readonly Pick<ResourceConfig, 'name' | 'match'>[] = [],
): Grant | null {
  return grants.find((g) => grantCovers(g, action, now, inventory)) ?? null;
}

/** A short description: "deploy-bot may modify payments in prod until 14:30Z". */
export function describeGrant(grant: Pick<Grant, 'agentId' | 'scope' | 'until'>): string {
  const s = grant.scope;
  const verbs = s.verbs.length ? s.verbs.join('/') : `do ${s.maxRisk === 'write' ? 'reversible' : `up to ${s.maxRisk}`} changes to`;
  const what = s.resources.length ? s.resources.join(', ') : 'anything';
  const where = s.environments.length ? ` in ${s.environments.join(', ')}` : '';
  return `${grant.agentId} may ${verbs} ${what}${where} until ${grant.until}`;
}
