/**
 * The approvals use case: opens requests for held actions, records reviews (signed, audited, then
 * counted), hands out an approved plan exactly once, and runs grants. Pure apart from its ports.
 *
 * Failure contract: a store or audit error rejects with that error and leaves the request as it
 * was (pending stays pending; nothing is approved by an error). Expected refusals are values.
 */
import type { Action, Surface } from './action.js';
import {
  approvalsMissing,
  checkReview,
  countingApprovals,
  OPEN_STATUSES,
  parseDuration,
  planDigest,
  planOf,
  reviewStatement,
  statusAt,
  withReview,
  type ApprovalRequest,
  type Executor,
  type PlanInput,
  type Refusal,
  type RefusalCode,
  type Requester,
  type Review,
  type Reviewer,
} from './approval.js';
import { canonicalJson } from './canonical-json.js';
import type { AirlockConfig } from './config.js';
import type { HoldRequirement } from './decision.js';
import { AirlockError, type ErrorCode } from './errors.js';
import type { AuditRecorder, RecordedVerdict } from './gateway.js';
import { coveringGrant, grantActive, grantDigest, type Grant, type GrantScope } from './grant.js';
import type { ApprovalEvent, Clock, Hasher, IdGenerator, Notifier, Signer, Store } from './ports.js';

/** The store methods the service uses. */
export type ApprovalStore = Pick<
  Store,
  | 'createRequest'
  | 'getRequest'
  | 'listRequests'
  | 'findOpenRequest'
  | 'updateRequest'
  | 'createGrant'
  | 'getGrant'
  | 'listGrants'
  | 'updateGrant'
  | 'listAgents'
>;

/** Dependencies of {@link ApprovalService}. */
export interface ApprovalServiceOptions {
  readonly store: ApprovalStore;
  readonly audit: AuditRecorder;
  readonly signer: Signer;
  readonly hasher: Hasher;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: AirlockConfig;
  /** Base URL of the web UI, for links (`http://127.0.0.1:7070`). */
  readonly baseUrl: string;
  readonly notifier?: Notifier;
}

/** The error code each refusal maps onto (HTTP 403 / 409, CLI exit 77 / 75). */
export const REFUSAL_CODES: Readonly<Record<RefusalCode, ErrorCode>> = {
  'agent-credentials': 'FORBIDDEN',
  'self-approval': 'FORBIDDEN',
  'not-eligible': 'FORBIDDEN',
  'already-approved': 'CONFLICT',
  'stale-plan': 'CONFLICT',
  'not-open': 'CONFLICT',
};

/** A refusal as an AirlockError, for interfaces that report errors. */
export function refusalError(refusal: Refusal): AirlockError {
  return new AirlockError({ code: REFUSAL_CODES[refusal.refused], message: refusal.message });
}

/** What `open` did. */
export interface OpenedRequest {
  readonly request: ApprovalRequest;
  /** An open request for the same plan by the same agent already existed and is returned instead of a new one. */
  readonly reused: boolean;
  readonly url: string;
}

/** Result of a review: the request after it, or why it was refused. */
export type ReviewResult = { readonly ok: true; readonly request: ApprovalRequest } | ({ readonly ok: false } & Refusal);

/** Result of claiming an approved plan for execution. */
export type ConsumeResult =
  | { readonly ok: true; readonly request: ApprovalRequest }
  | { readonly ok: false; readonly status: ApprovalRequest['status']; readonly message: string };

const MAX_CAS_ATTEMPTS = 20;

type HumanReviewer = Extract<Reviewer, { readonly kind: 'human' }>;

/** Held actions become requests; humans review them; approved plans run once. Safe to share. */
export class ApprovalService {
  readonly #o: ApprovalServiceOptions;
  readonly #pendingTtlMs: number;
  readonly #approvalTtlMs: number;
  readonly #maxGrantMs: number;

  constructor(options: ApprovalServiceOptions) {
    this.#o = options;
    const a = options.config.approvals;
    this.#pendingTtlMs = parseDuration(a.pendingTtl) ?? 86_400_000;
    this.#approvalTtlMs = parseDuration(a.approvalTtl) ?? 3_600_000;
    this.#maxGrantMs = parseDuration(options.config.grants.maxDuration) ?? 8 * 3_600_000;
  }

  /** Link to a request's page. */
  requestUrl(id: string): string {
    return `${this.#o.baseUrl}/requests/${encodeURIComponent(id)}`;
  }

  /** Link to a grant's page. */
  grantUrl(id: string): string {
    return `${this.#o.baseUrl}/grants/${encodeURIComponent(id)}`;
  }

  /**
   * Opens a request for a held verdict, or returns the open request for the same plan by the same
   * agent (an agent that asks again is told about the same request, not given a second one).
   * Rejects with BAD_INPUT when the verdict is not a hold.
   */
  async open(options: {
    readonly verdict: RecordedVerdict;
    readonly surface: Surface;
    readonly action: Action;
    readonly cwd?: string | undefined;
    readonly env?: Readonly<Record<string, string>> | undefined;
    readonly rehearsal?: unknown;
    readonly inputs?: readonly PlanInput[];
  }): Promise<OpenedRequest> {
    const { verdict } = options;
    const decision = verdict.decision;
    if (decision.outcome !== 'hold') {
      throw new AirlockError({ code: 'BAD_INPUT', message: `only held actions become requests (this one is ${decision.outcome})` });
    }
    const o = this.#o;
    const plan = planOf({
      surface: options.surface,
      action: options.action,
      cwd: options.cwd,
      env: options.env,
      assessment: verdict.assessment,
      environment: verdict.environment,
      policySetHash: verdict.policySetHash,
      rehearsal: options.rehearsal,
      inputs: options.inputs,
    });
    const digest = planDigest(plan, (s) => o.hasher.sha256Hex(s));
    const agent = verdict.proposal.agent;
    const now = o.clock.now();
    const existing = await o.store.findOpenRequest(agent.id, digest);
    if (existing !== null && OPEN_STATUSES.includes(statusAt(existing.value, now))) {
      return { request: existing.value, reused: true, url: this.requestUrl(existing.value.id) };
    }
    const requester: Requester = {
      kind: 'agent',
      id: agent.id,
      authenticated: agent.authenticated,
      ...(agent.onBehalfOf === undefined ? {} : { onBehalfOf: agent.onBehalfOf }),
      ...(agent.session === undefined ? {} : { session: agent.session }),
    };
    const at = now.toISOString();
    const request: ApprovalRequest = {
      id: o.ids.next('req'),
      version: 1,
      status: 'pending',
      requester,
      proposalId: verdict.proposalId,
      decisionSeq: verdict.auditSeq,
      plan,
      planDigest: digest,
      assessment: verdict.assessment,
      environment: verdict.environment,
      requirement: decision.requirement,
      reasons: decision.reasons,
      policies: decision.policies.map((p) => p.id),
      intent: verdict.proposal.intent ?? null,
      createdAt: at,
      updatedAt: at,
      expiresAt: new Date(now.getTime() + this.#pendingTtlMs).toISOString(),
      approvals: [],
      denial: null,
      revocation: null,
      execution: null,
    };
    // Recorded first: a request that exists has its creation in the log.
    await o.audit.append('request.created', {
      id: request.id,
      proposalId: request.proposalId,
      decisionSeq: request.decisionSeq,
      planDigest: digest,
      requirement: request.requirement,
      expiresAt: request.expiresAt,
    });
    await o.store.createRequest(request);
    this.#notify({ type: 'request.created', request });
    return { request, reused: false, url: this.requestUrl(request.id) };
  }

  /** A request with its status as of now; NOT_FOUND when unknown. */
  async get(id: string): Promise<ApprovalRequest> {
    const stored = await this.#o.store.getRequest(id);
    if (stored === null) throw notFound('request', id);
    return this.view(stored.value);
  }

  /** Requests, newest first, with their status as of now. */
  async list(
    options: { readonly statuses?: readonly ApprovalRequest['status'][]; readonly limit?: number } = {},
  ): Promise<readonly ApprovalRequest[]> {
    const rows = await this.#o.store.listRequests({ limit: options.limit ?? 100 });
    const now = this.#o.clock.now();
    const views = rows.map((r) => viewAt(r.value, now));
    return options.statuses === undefined ? views : views.filter((r) => options.statuses?.includes(r.status));
  }

  /** The request with `status` as of now (expired, or lapsed back to pending). */
  view(request: ApprovalRequest): ApprovalRequest {
    return viewAt(request, this.#o.clock.now());
  }

  /** Approvals still missing now. */
  missing(request: ApprovalRequest): number {
    return approvalsMissing(request, this.#o.clock.now());
  }

  /** The groups a configured human belongs to; null for someone not in airlock.yaml. */
  humanGroups(id: string): readonly string[] | null {
    return this.#o.config.humans.find((h) => h.id === id)?.groups ?? null;
  }

  /**
   * Records one human's approval or denial of a request: checked, signed, appended to the audit
   * log, and only then counted. NOT_FOUND for an unknown id; refusals are values.
   */
  async review(options: {
    readonly id: string;
    readonly reviewer: Pick<Reviewer, 'kind' | 'id'>;
    readonly vote: 'approve' | 'deny';
    /** The plan digest the reviewer saw. */
    readonly planDigest: string;
    readonly comment?: string;
  }): Promise<ReviewResult> {
    const store = this.#o.store;
    const result = await this.#reviewItem('request', options, {
      get: async (id) => (await store.getRequest(id))?.value ?? null,
      update: (next, expected) => store.updateRequest(next, expected),
    });
    if (!result.ok) return result;
    const { before, after, now } = result;
    if (after.status !== before.status || after.status === 'denied') this.#notify({ type: 'request.decided', request: after });
    return { ok: true, request: viewAt(after, now) };
  }

  /**
   * Revokes an open request (pending or approved) before execution starts. Allowed to the
   * requesting agent (withdrawing it) and to humans eligible to review it.
   */
  async revoke(options: {
    readonly id: string;
    readonly by: Pick<Reviewer, 'kind' | 'id'>;
    readonly reason?: string;
  }): Promise<ReviewResult> {
    const o = this.#o;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await o.store.getRequest(options.id);
      if (stored === null) throw notFound('request', options.id);
      const current = stored.value;
      const now = o.clock.now();
      const byRequester = options.by.kind === current.requester.kind && options.by.id === current.requester.id;
      if (!byRequester) {
        const reviewer = this.#reviewer(options.by);
        if ('refused' in reviewer) return { ok: false, ...reviewer };
        if (current.requirement.groups.length > 0 && !current.requirement.groups.some((g) => reviewer.groups.includes(g))) {
          return {
            ok: false,
            refused: 'not-eligible',
            message: `${reviewer.id} may not revoke this request (needs ${current.requirement.groups.join(' or ')})`,
          };
        }
      }
      const status = statusAt(current, now);
      if (!OPEN_STATUSES.includes(status)) {
        return {
          ok: false,
          refused: 'not-open',
          message: `request ${current.id} is ${status}; only pending or approved requests can be revoked`,
        };
      }
      const at = now.toISOString();
      const next: ApprovalRequest = {
        ...current,
        status: 'revoked',
        revocation: { by: options.by.id, at, reason: options.reason ?? '' },
        version: current.version + 1,
        updatedAt: at,
      };
      // Written first, then recorded: a revocation that lost a race is never logged, and one that
      // cannot be logged has still stopped the request (the safe direction).
      if (await o.store.updateRequest(next, current.version)) {
        await o.audit.append('request.revoked', { id: current.id, by: options.by, reason: options.reason ?? '', at });
        this.#notify({ type: 'request.decided', request: next });
        return { ok: true, request: next };
      }
    }
    throw contention('request', options.id);
  }

  /**
   * Claims an approved plan for execution: APPROVED -> EXECUTING, once. The digest must be the
   * approved one and every counting approval's signature must verify. Whoever loses a race gets
   * `{ ok: false, status: 'executing' }`.
   */
  async consume(options: {
    readonly id: string;
    readonly planDigest: string;
    readonly executor: Executor;
    readonly agentId?: string;
  }): Promise<ConsumeResult> {
    const o = this.#o;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await o.store.getRequest(options.id);
      if (stored === null) throw notFound('request', options.id);
      const current = stored.value;
      const now = o.clock.now();
      // Counted with the groups the approvers have now: someone removed from prod-owners since
      // approving no longer counts.
      const status = statusAt(this.#withCurrentGroups(current), now);
      if (status !== 'approved') {
        return { ok: false, status, message: `request ${current.id} is ${status}, not approved` };
      }
      if (options.agentId !== current.requester.id) {
        return { ok: false, status, message: `request ${current.id} was made by ${current.requester.id}, not ${options.agentId}` };
      }
      if (options.planDigest !== current.planDigest) {
        return { ok: false, status, message: 'the plan to run differs from the approved plan; ask again' };
      }
      const approvals = countingApprovals(this.#withCurrentGroups(current), now);
      const forged = approvals.find((a) => !o.signer.verify(canonicalJson(a.statement), a.signature));
      if (forged !== undefined) {
        throw new AirlockError({
          code: 'AUDIT_TAMPERED',
          message: `the approval by ${forged.statement.human} on request ${current.id} does not carry a valid signature; nothing runs`,
        });
      }
      const at = now.toISOString();
      const next: ApprovalRequest = {
        ...current,
        status: 'executing',
        execution: { startedAt: at, executor: options.executor, finishedAt: null, outcome: null },
        version: current.version + 1,
        updatedAt: at,
      };
      if (await o.store.updateRequest(next, current.version)) {
        try {
          await o.audit.append('execution.started', { id: current.id, planDigest: current.planDigest, executor: options.executor, at });
        } catch (err) {
          // Unrecorded, nothing runs: the claim is spent, and the request says why.
          await this.#finish(current.id, 'failed', { error: `the start could not be recorded: ${errorMessage(err)}` });
          throw err;
        }
        return { ok: true, request: next };
      }
    }
    throw contention('request', options.id);
  }

  /** Records how an execution ended: `executed` (it ran; see outcome) or `failed` (it could not run). */
  async complete(options: { readonly id: string; readonly ran: boolean; readonly outcome: unknown }): Promise<ApprovalRequest> {
    const o = this.#o;
    const stored = await o.store.getRequest(options.id);
    if (stored === null) throw notFound('request', options.id);
    if (stored.value.status !== 'executing') {
      throw new AirlockError({
        code: 'CONFLICT',
        message: `request ${options.id} is ${stored.value.status}; only an executing request takes an outcome`,
      });
    }
    await o.audit.append('execution', { requestId: options.id, ...(asRecord(options.outcome) ?? { outcome: options.outcome }) });
    const done = await this.#finish(options.id, options.ran ? 'executed' : 'failed', options.outcome);
    this.#notify({ type: 'request.executed', request: done });
    return done;
  }

  /** Marks open requests past their expiry `expired` (recorded, notified). Returns how many. */
  async expireDue(): Promise<number> {
    const o = this.#o;
    const now = o.clock.now();
    let n = 0;
    for (const row of await o.store.listRequests({ statuses: OPEN_STATUSES, limit: 10_000 })) {
      const current = row.value;
      if (statusAt(current, now) !== 'expired') continue;
      const at = now.toISOString();
      const next: ApprovalRequest = { ...current, status: 'expired', version: current.version + 1, updatedAt: at };
      if (await o.store.updateRequest(next, current.version)) {
        await o.audit.append('request.expired', { id: current.id, at });
        n++;
        this.#notify({ type: 'request.expired', request: next });
      }
    }
    return n;
  }

  /**
   * Marks executions whose executor is gone `unknown-outcome`: they may or may not have run, and
   * Airlock never runs them again by itself. `isAlive` says whether an executor still runs.
   */
  async markInterrupted(isAlive: (executor: Executor) => boolean): Promise<number> {
    const o = this.#o;
    let n = 0;
    for (const row of await o.store.listRequests({ statuses: ['executing'], limit: 10_000 })) {
      const current = row.value;
      if (current.execution === null || isAlive(current.execution.executor)) continue;
      const at = o.clock.now().toISOString();
      const outcome = { note: 'the executing process ended without reporting an outcome; check the target before running it again' };
      const next: ApprovalRequest = {
        ...current,
        status: 'unknown-outcome',
        execution: { ...current.execution, finishedAt: at, outcome },
        version: current.version + 1,
        updatedAt: at,
      };
      if (await o.store.updateRequest(next, current.version)) {
        await o.audit.append('execution', { requestId: current.id, unknownOutcome: true, ...outcome });
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Grants
  // ---------------------------------------------------------------------------------------------

  /**
   * A human asks to elevate an agent. Active at once unless airlock.yaml `grants.approvals` says it
   * needs approval (for grants reaching protected environments). BAD_INPUT for a grant longer than
   * `grants.maxDuration`, in the past, or by someone not in airlock.yaml.
   */
  async requestGrant(options: {
    readonly by: string;
    readonly agentId: string;
    readonly scope: GrantScope;
    readonly durationMs: number;
    readonly reason: string;
  }): Promise<Grant> {
    const o = this.#o;
    if (this.humanGroups(options.by) === null) {
      throw new AirlockError({
        code: 'FORBIDDEN',
        message: `${options.by} is not a human listed in airlock.yaml (humans:), so cannot grant`,
      });
    }
    if (!(options.durationMs > 0) || options.durationMs > this.#maxGrantMs) {
      throw new AirlockError({
        code: 'BAD_INPUT',
        message: `a grant lasts more than 0 and at most ${o.config.grants.maxDuration} (grants.maxDuration in airlock.yaml)`,
      });
    }
    if (options.reason.trim() === '') throw new AirlockError({ code: 'BAD_INPUT', message: 'a grant needs a reason (--reason)' });
    // Grants elevate registered agents only: they apply to callers that present that agent's token.
    const agents = await o.store.listAgents();
    if (!agents.some((a) => a.id === options.agentId && a.revokedAt === null)) {
      throw new AirlockError({
        code: 'BAD_INPUT',
        message: `"${options.agentId}" is not a registered agent; grants apply only to agents with a token (\`airlock agents add ${options.agentId}\`)`,
      });
    }
    for (const env of options.scope.environments) {
      if (o.config.environments[env] === undefined) {
        throw new AirlockError({
          code: 'BAD_INPUT',
          message: `environment "${env}" is not defined in airlock.yaml (defined: ${Object.keys(o.config.environments).join(', ') || 'none'})`,
        });
      }
    }
    const now = o.clock.now();
    const until = new Date(now.getTime() + options.durationMs).toISOString();
    const reachesProtected =
      options.scope.environments.length === 0 || options.scope.environments.some((e) => o.config.environments[e]?.protected !== false);
    // Approvals from the approver groups, as for the hold a grant lifts: the author counts as one
    // when they are in those groups (asking is their approval), and never reviews their own grant.
    const approvers = o.config.grants.approvers;
    const authorCounts = approvers.length === 0 || approvers.some((g) => this.humanGroups(options.by)?.includes(g));
    const needed = reachesProtected ? Math.max(0, o.config.grants.approvals - (authorCounts ? 1 : 0)) : 0;
    const requirement: HoldRequirement = { approvals: needed, groups: needed > 0 ? approvers : [], alternatives: [] };
    const at = now.toISOString();
    const grant: Grant = {
      id: o.ids.next('grant'),
      version: 1,
      status: needed === 0 ? 'approved' : 'pending',
      agentId: options.agentId,
      scope: options.scope,
      until,
      reason: options.reason,
      requester: { kind: 'human', id: options.by, authenticated: true },
      planDigest: grantDigest({ ...options, until, createdBy: options.by }, (s) => o.hasher.sha256Hex(s)),
      requirement,
      expiresAt: new Date(Math.min(now.getTime() + this.#pendingTtlMs, Date.parse(until))).toISOString(),
      approvals: [],
      denial: null,
      revocation: null,
      createdAt: at,
      updatedAt: at,
    };
    await o.audit.append('grant.created', {
      id: grant.id,
      by: options.by,
      agentId: grant.agentId,
      scope: grant.scope,
      until,
      reason: grant.reason,
      status: grant.status,
      requirement,
    });
    await o.store.createGrant(grant);
    this.#notify({ type: 'grant.created', grant });
    return grant;
  }

  /** Approves or denies a pending grant, by the same rules as a request (its creator never reviews it). */
  async reviewGrant(options: {
    readonly id: string;
    readonly reviewer: Pick<Reviewer, 'kind' | 'id'>;
    readonly vote: 'approve' | 'deny';
    readonly planDigest: string;
    readonly comment?: string;
  }): Promise<{ readonly ok: true; readonly grant: Grant } | ({ readonly ok: false } & Refusal)> {
    const store = this.#o.store;
    const result = await this.#reviewItem('grant', options, {
      get: async (id) => (await store.getGrant(id))?.value ?? null,
      update: (next, expected) => store.updateGrant(next, expected),
      // Once active, a grant takes no more reviews (its approvals no longer lapse it).
      refuse: (g) => (g.status === 'approved' ? { refused: 'not-open', message: `grant ${g.id} is already active` } : null),
    });
    if (!result.ok) return result;
    if (result.after.status !== result.before.status) this.#notify({ type: 'grant.decided', grant: result.after });
    return { ok: true, grant: result.after };
  }

  /** Revokes a grant (pending or active) by any configured human. */
  async revokeGrant(options: { readonly id: string; readonly by: string; readonly reason?: string }): Promise<Grant> {
    const o = this.#o;
    if (this.humanGroups(options.by) === null) {
      throw new AirlockError({ code: 'FORBIDDEN', message: `${options.by} is not a human listed in airlock.yaml (humans:)` });
    }
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await o.store.getGrant(options.id);
      if (stored === null) throw notFound('grant', options.id);
      const current = stored.value;
      if (current.revocation !== null || !OPEN_STATUSES.includes(current.status)) {
        throw new AirlockError({
          code: 'CONFLICT',
          message: `grant ${current.id} is ${current.revocation ? 'already revoked' : current.status}`,
        });
      }
      const at = o.clock.now().toISOString();
      const next: Grant = {
        ...current,
        status: 'revoked',
        revocation: { by: options.by, at, reason: options.reason ?? '' },
        version: current.version + 1,
        updatedAt: at,
      };
      await o.audit.append('grant.revoked', { id: current.id, by: options.by, reason: options.reason ?? '', at });
      if (await o.store.updateGrant(next, current.version)) return next;
    }
    throw contention('grant', options.id);
  }

  /** Grants in force now for `agentId`. */
  async activeGrants(agentId: string): Promise<readonly Grant[]> {
    const now = this.#o.clock.now();
    const rows = await this.#o.store.listGrants({ agentId, statuses: ['approved'], limit: 1000 });
    return rows.map((r) => r.value).filter((g) => grantActive(g, now));
  }

  /** The active grant covering an action, or null (used by the gateway to set `elevated`). */
  async grantFor(options: Parameters<typeof coveringGrant>[1]): Promise<Grant | null> {
    return coveringGrant(await this.activeGrants(options.agentId), options, this.#o.clock.now(), this.#o.config.resources);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * One review of a request or a grant: checked, signed and logged once, then written with a
   * compare-and-set, re-read and re-checked when someone else wrote first.
   */
  async #reviewItem<T extends ApprovalRequest | Grant>(
    subject: 'request' | 'grant',
    options: {
      readonly id: string;
      readonly reviewer: Pick<Reviewer, 'kind' | 'id'>;
      readonly vote: 'approve' | 'deny';
      readonly planDigest: string;
      readonly comment?: string;
    },
    access: {
      readonly get: (id: string) => Promise<T | null>;
      readonly update: (next: T, expectedVersion: number) => Promise<boolean>;
      readonly refuse?: (current: T) => Refusal | null;
    },
  ): Promise<{ readonly ok: true; readonly before: T; readonly after: T; readonly now: Date } | ({ readonly ok: false } & Refusal)> {
    const reviewer = this.#reviewer(options.reviewer);
    if ('refused' in reviewer) return { ok: false, ...reviewer };
    let review: Review | null = null;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await access.get(options.id);
      if (current === null) throw notFound(subject, options.id);
      const now = this.#o.clock.now();
      const refusal = access.refuse?.(current) ?? checkReview(current, reviewer, options.vote, options.planDigest, now);
      if (refusal !== null) return { ok: false, ...refusal };
      review ??= await this.#signAndRecord(subject, current, reviewer, options.vote, options.comment ?? '', now);
      const next = withReview(current, review, now);
      if (await access.update(next, current.version)) return { ok: true, before: current, after: next, now };
    }
    throw contention(subject, options.id);
  }

  #reviewer(who: Pick<Reviewer, 'kind' | 'id'>): HumanReviewer | Refusal {
    if (who.kind === 'agent') {
      return {
        refused: 'agent-credentials',
        message: `agent credentials (${who.id}) can never approve, deny or revoke for a human: a human signs in or uses a personal token`,
      };
    }
    const groups = this.humanGroups(who.id);
    if (groups === null) return { refused: 'not-eligible', message: `${who.id} is not a human listed in airlock.yaml (humans:)` };
    return { kind: 'human', id: who.id, groups };
  }

  async #signAndRecord(
    subject: 'request' | 'grant',
    item: ApprovalRequest | Grant,
    reviewer: HumanReviewer,
    vote: 'approve' | 'deny',
    comment: string,
    now: Date,
  ): Promise<Review> {
    const o = this.#o;
    const statement = reviewStatement({
      subject,
      item,
      human: reviewer.id,
      groups: reviewer.groups,
      vote,
      comment,
      now,
      approvalTtlMs: this.#approvalTtlMs,
    });
    const signature = o.signer.sign(canonicalJson(statement));
    // Appended before it counts: an approval the log does not hold never lifts a hold.
    const entry = await o.audit.append('review', { statement, signature, keyId: o.signer.keyId, groups: reviewer.groups });
    return {
      statement,
      groups: reviewer.groups,
      onBehalfOfRequester: item.requester.onBehalfOf === reviewer.id,
      signature,
      keyId: o.signer.keyId,
      auditSeq: entry.seq,
    };
  }

  /** The request with each approval's groups as airlock.yaml gives them now. */
  #withCurrentGroups(request: ApprovalRequest): ApprovalRequest {
    return { ...request, approvals: request.approvals.map((a) => ({ ...a, groups: this.humanGroups(a.statement.human) ?? [] })) };
  }

  async #finish(id: string, status: 'executed' | 'failed', outcome: unknown): Promise<ApprovalRequest> {
    const o = this.#o;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await o.store.getRequest(id);
      if (stored === null) throw notFound('request', id);
      const current = stored.value;
      if (current.status !== 'executing') {
        throw new AirlockError({
          code: 'CONFLICT',
          message: `request ${id} is ${current.status}; only an executing request takes an outcome`,
        });
      }
      const at = o.clock.now().toISOString();
      const execution = current.execution ?? {
        startedAt: at,
        executor: { host: '', pid: 0, startedAt: at },
        finishedAt: null,
        outcome: null,
      };
      const next: ApprovalRequest = {
        ...current,
        status,
        execution: { ...execution, finishedAt: at, outcome },
        version: current.version + 1,
        updatedAt: at,
      };
      if (await o.store.updateRequest(next, current.version)) return next;
    }
    throw contention('request', id);
  }

  #notify(event: Omit<ApprovalEvent, 'at' | 'url'>): void {
    const notifier = this.#o.notifier;
    if (notifier === undefined) return;
    const url = event.request ? this.requestUrl(event.request.id) : event.grant ? this.grantUrl(event.grant.id) : this.#o.baseUrl;
    try {
      notifier.notify({ ...event, at: this.#o.clock.now().toISOString(), url });
    } catch {
      // Notifications never break the approval path.
    }
  }
}

/** The request with `status` as of `now`. */
export function viewAt(request: ApprovalRequest, now: Date): ApprovalRequest {
  const status = statusAt(request, now);
  return status === request.status ? request : { ...request, status };
}

function notFound(what: string, id: string): AirlockError {
  return new AirlockError({
    code: 'NOT_FOUND',
    message: `no ${what} "${id}" (list them with \`airlock ${what === 'grant' ? 'grants' : 'requests'}\`)`,
  });
}

function contention(what: string, id: string): AirlockError {
  return new AirlockError({ code: 'CONFLICT', message: `${what} ${id} kept changing while being updated; try again` });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
