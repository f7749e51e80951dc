/**
 * Ports: the interfaces through which the pure core reaches the world. Named after the domain;
 * adapters (named after the technology) implement them and are passed in by the composition root.
 */
import type { Action, Proposal } from './action.js';
import type { Assessment, Target } from './assessment.js';
import type { FiredPolicy, HoldRequirement, ResolvedEnvironment } from './decision.js';

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
export type AuditEventType = 'decision' | 'execution' | 'agent.created' | 'agent.revoked' | 'tree-head' | 'config.loaded';

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
  close(): Promise<void>;
}
