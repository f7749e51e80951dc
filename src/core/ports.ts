/**
 * Ports: the interfaces through which the pure core reaches the world. Named after the domain;
 * adapters (named after the technology) implement them and are passed in by the composition root.
 */
import type { Action, Proposal } from './action.js';
import type { Assessment, Target } from './assessment.js';
import type { ApprovalRequest, RequestStatus } from './approval.js';
import type { FiredPolicy, HoldRequirement, ResolvedEnvironment } from './decision.js';
import type { Grant } from './grant.js';

/** Facts the classifier may use besides the action text. */
export interface ClassifyContext {
  /** Environment variables of the action (only those relevant to targeting). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Paths the inventory marks as data (not in VCS) or as disposable. */
  readonly dataPaths?: readonly string[];
}

/**
 * Turns an action into effects and a risk class (RISK.md). Synchronous once created (adapters load
 * their parsers in an async factory), so a decision never waits on I/O.
 * Never throws for bad input: unparseable or unknown actions are `unknown` with a reason.
 */
export interface Classifier {
  classify(action: Action, context?: ClassifyContext): Assessment;
  /**
   * Loads, ahead of `classify`, any parser this action may need that is loaded on demand (the SQL
   * parsers are heavy). Optional; a parser that is not loaded makes `classify` answer `unknown`.
   */
  prepare?(action: Action): Promise<void>;
}

/** The principal as policy sees it: always the agent, with the roles it has of its own. */
export interface PolicyPrincipal {
  readonly type: 'Agent';
  readonly id: string;
  readonly roles: readonly string[];
  readonly onBehalfOf?: string;
  readonly authenticated: boolean;
}

/** Everything policy decides over. */
export interface PolicyInput {
  readonly principal: PolicyPrincipal;
  readonly proposal: Proposal;
  readonly assessment: Assessment;
  readonly environment: ResolvedEnvironment;
  /** An active, unexpired grant from a human covers this action (time-bound elevation). */
  readonly elevated: boolean;
  /** The environment is inside a freeze window now. */
  readonly frozen: boolean;
  /** Current time, ISO 8601, from the injected clock. */
  readonly now: string;
}

/** What the policy engine concludes, before the core writes guidance for the agent. */
export interface PolicyEvaluation {
  readonly outcome: 'allow' | 'deny' | 'hold';
  /** Present when outcome is `hold`. */
  readonly requirement?: HoldRequirement;
  /** Policies that determined the outcome. */
  readonly policies: readonly FiredPolicy[];
  /** Human-readable reasons, from policy `@reason` annotations. */
  readonly reasons: readonly string[];
  /** Evaluation or validation errors. Non-empty never yields `allow` (invariant 7). */
  readonly errors: readonly string[];
}

/**
 * Decides over a proposal. Implementations validate each request against their schema and turn
 * any evaluation error into hold or deny, never allow.
 */
export interface PolicyEngine {
  /** SHA-256 (hex) of the policy set and schema in force. */
  readonly policySetHash: string;
  evaluate(input: PolicyInput): PolicyEvaluation;
}

/** A target completed from ambient configuration, and where the filled value came from. */
export interface CompletedTarget {
  readonly target: Target;
  /** Set when something was filled in, e.g. `current kube context from ~/.kube/config`. */
  readonly note?: string;
}

/**
 * Fills in what an action leaves to the machine's configuration: the current kube context and
 * namespace, the active gcloud project. Never throws: what it cannot read it leaves unfilled
 * (the environment then stays unresolved, which is protected by default).
 */
export interface TargetDefaults {
  complete(target: Target, env: Readonly<Record<string, string>>): CompletedTarget;
}

/** Events about requests and grants, for webhooks and live views. */
export type ApprovalEventType =
  | 'request.created'
  | 'request.decided'
  | 'request.expired'
  | 'request.executed'
  | 'grant.created'
  | 'grant.decided';

/** One event: what happened, to which request, and a link to it. */
export interface ApprovalEvent {
  readonly type: ApprovalEventType;
  readonly at: string;
  /** Set for request events. */
  readonly request?: ApprovalRequest;
  /** Set for grant events. */
  readonly grant?: Grant;
  /** Link to the request (or grant) page in the web UI. */
  readonly url: string;
}

/**
 * Tells the outside world (webhooks). Never throws and never blocks a decision: delivery and its
 * retries happen in the background, and a failed delivery is reported by the adapter, not here.
 */
export interface Notifier {
  notify(event: ApprovalEvent): void;
}

/** Time, injected so decisions replay and expiry is testable with a fake clock. */
export interface Clock {
  now(): Date;
}

/** Unique ids (ULID-like, sortable by time). */
export interface IdGenerator {
  next(prefix: string): string;
}

/** SHA-256, the only hash the core needs. Strings are hashed as their UTF-8 bytes. */
export interface Hasher {
  /** SHA-256 as lowercase hex. */
  sha256Hex(data: string | Uint8Array): string;
  /** SHA-256 of raw bytes, as 32 raw bytes (for Merkle tree nodes, which hash binary concatenations). */
  sha256(data: Uint8Array): Uint8Array;
}

/** Ed25519 signing of audit tree heads and approvals. */
export interface Signer {
  /** Key id: hex SHA-256 of the raw public key, first 16 chars. */
  readonly keyId: string;
  /** Public key, PEM (SPKI). */
  readonly publicKeyPem: string;
  /** Signature, base64. */
  sign(data: string | Uint8Array): string;
  verify(data: string | Uint8Array, signature: string, publicKeyPem?: string): boolean;
}

/** Kinds of audit events. */
export type AuditEventType =
  | 'decision'
  | 'execution'
  | 'agent.created'
  | 'agent.revoked'
  | 'tree-head'
  | 'config.loaded'
  | 'request.created'
  | 'review'
  | 'request.revoked'
  | 'request.expired'
  | 'execution.started'
  | 'grant.created'
  | 'grant.revoked'
  | 'human.credential'
  | 'recovery.restored'
  | 'recovery.purged'
  | 'mcp.refused';

/** An audit entry as stored: hash-linked to the previous one. */
export interface AuditEntry {
  /** 1-based position in the log. */
  readonly seq: number;
  readonly ts: string;
  readonly type: AuditEventType;
  /** JSON payload (canonicalised when hashed). */
  readonly payload: unknown;
  /** Hash of the previous entry; 64 zeros for the first. */
  readonly prevHash: string;
  /** sha256(canonicalJson({seq, ts, type, payload, prevHash})). */
  readonly hash: string;
}

/** What a caller appends; the log fills seq, prevHash and hash. */
export interface AuditDraft {
  readonly ts: string;
  readonly type: AuditEventType;
  readonly payload: unknown;
}

/** A registered agent. Tokens are stored only as SHA-256 hashes. */
export interface AgentRecord {
  readonly id: string;
  readonly roles: readonly string[];
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A human's password (scrypt, PHC-style string) set with `airlock humans passwd`. Humans themselves live in airlock.yaml. */
export interface HumanCredential {
  readonly humanId: string;
  readonly passwordHash: string;
  readonly updatedAt: string;
}

/** A human's personal API token (for the CLI and the API). Stored only as a SHA-256 hash; a different kind from agent tokens. */
export interface HumanToken {
  readonly id: string;
  readonly humanId: string;
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A signed-in browser session. The cookie value is stored only as a SHA-256 hash. */
export interface SessionRecord {
  readonly idHash: string;
  readonly humanId: string;
  /** The CSRF token forms and fetches must echo. */
  readonly csrf: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A request or grant as stored, with the store's change counter (for live updates across processes). */
export interface Stored<T> {
  readonly value: T;
  /** Increases with every write to any request or grant; `changesSince(n)` returns what changed after n. */
  readonly changeSeq: number;
}

/** Query options for requests. */
export interface ListRequestsOptions {
  readonly statuses?: readonly RequestStatus[];
  /** Most recent first; default 100. */
  readonly limit?: number;
}

/**
 * Persistence. One contract suite runs against every implementation (SQLite, PostgreSQL).
 * Every method rejects with AirlockError('STORE_FAILURE') on infrastructure errors.
 */
export interface Store {
  /** Creates or upgrades the schema. Idempotent. */
  migrate(): Promise<void>;
  /**
   * Appends one audit entry atomically: reads the head, calls `link(head)` to build the entry,
   * writes it. Concurrent appends are serialized, so the chain never forks.
   */
  appendAudit(link: (head: AuditEntry | null) => AuditEntry): Promise<AuditEntry>;
  /** Entries with seq >= fromSeq, ascending, at most `limit`. */
  readAudit(options: { readonly fromSeq?: number; readonly limit?: number }): Promise<readonly AuditEntry[]>;
  /** The last entry, or null for an empty log. */
  auditHead(): Promise<AuditEntry | null>;
  putAgent(agent: AgentRecord): Promise<void>;
  getAgentByTokenHash(tokenHash: string): Promise<AgentRecord | null>;
  listAgents(): Promise<readonly AgentRecord[]>;
  revokeAgent(id: string, at: string): Promise<boolean>;

  /** Stores a new request (version 1). CONFLICT when the id exists. */
  createRequest(request: ApprovalRequest): Promise<void>;
  getRequest(id: string): Promise<Stored<ApprovalRequest> | null>;
  /** Requests, newest first. */
  listRequests(options?: ListRequestsOptions): Promise<readonly Stored<ApprovalRequest>[]>;
  /** The newest open (pending or approved) request by this agent with this plan digest, or null. */
  findOpenRequest(agentId: string, planDigest: string): Promise<Stored<ApprovalRequest> | null>;
  /**
   * Compare-and-set: writes `next` (whose version is `expectedVersion + 1`) only if the stored
   * version is still `expectedVersion`. True when written; false when someone else changed it first.
   * This is what makes APPROVED -> EXECUTING happen once across processes and replicas.
   */
  updateRequest(next: ApprovalRequest, expectedVersion: number): Promise<boolean>;

  createGrant(grant: Grant): Promise<void>;
  getGrant(id: string): Promise<Stored<Grant> | null>;
  /** Grants, newest first; `agentId` filters by the elevated agent. */
  listGrants(options?: {
    readonly agentId?: string;
    readonly statuses?: readonly RequestStatus[];
    readonly limit?: number;
  }): Promise<readonly Stored<Grant>[]>;
  /** Compare-and-set, as `updateRequest`. */
  updateGrant(next: Grant, expectedVersion: number): Promise<boolean>;

  /** Requests and grants written after change `sinceSeq` (ascending), and the latest change number. */
  changesSince(sinceSeq: number): Promise<{
    readonly requests: readonly Stored<ApprovalRequest>[];
    readonly grants: readonly Stored<Grant>[];
    readonly lastSeq: number;
  }>;

  putHumanCredential(credential: HumanCredential): Promise<void>;
  getHumanCredential(humanId: string): Promise<HumanCredential | null>;
  putHumanToken(token: HumanToken): Promise<void>;
  getHumanTokenByHash(tokenHash: string): Promise<HumanToken | null>;
  listHumanTokens(humanId?: string): Promise<readonly HumanToken[]>;
  revokeHumanToken(id: string, at: string): Promise<boolean>;
  putSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of a human (their password changed or a token was revoked). Returns how many. */
  deleteSessionsOf(humanId: string): Promise<number>;

  close(): Promise<void>;
}
