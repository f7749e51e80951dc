/**
 * Decisions: allow, deny or hold, always with reasons for humans and guidance for the agent.
 */
import type { Assessment } from './assessment.js';

/** A policy that fired (determined the outcome) or erred. */
export interface FiredPolicy {
  /** Policy id: `file.cedar#N` or its `@id` annotation. */
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  /** Annotations of the policy (`@reason`, `@hold`, `@advice` …). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** What lifts a hold. */
export interface HoldRequirement {
  /** Distinct human approvals needed. */
  readonly approvals: number;
  /** Groups the approvers must belong to (any of them); empty means any human. */
  readonly groups: readonly string[];
  /** Other ways out, in words: a grant, a rehearsal, waiting for the freeze to end. */
  readonly alternatives: readonly string[];
}

/** How the environment of an action was resolved. */
export interface ResolvedEnvironment {
  /** Environment name from the inventory, or `unresolved`. */
  readonly name: string;
  readonly protected: boolean;
  /** Why: which target matched which rule, or why none did. */
  readonly how: string;
  readonly criticality?: 'low' | 'medium' | 'high' | 'critical';
  /** Inventory context told to humans and the agent. */
  readonly resources: readonly ResourceContext[];
}

/** What the inventory knows of a resource the action touches. */
export interface ResourceContext {
  readonly name: string;
  readonly criticality?: 'low' | 'medium' | 'high' | 'critical';
  readonly owners: readonly string[];
  readonly dependants: readonly string[];
  readonly downtimeCostPerHour?: number;
  readonly notes?: string;
}

interface DecisionBase {
  /** Short reasons for humans. */
  readonly reasons: readonly string[];
  /** Written for the agent: what is protected, why, the safer path, how to ask for approval. */
  readonly guidance: string;
  readonly policies: readonly FiredPolicy[];
  /** Policy evaluation errors; any error turns an allow into hold or deny (invariant 7). */
  readonly errors: readonly string[];
}

/** The outcome of policy over one proposal. A discriminated union: expected outcomes are values. */
export type Decision =
  | (DecisionBase & { readonly outcome: 'allow' })
  | (DecisionBase & { readonly outcome: 'deny' })
  | (DecisionBase & { readonly outcome: 'hold'; readonly requirement: HoldRequirement });

export type Outcome = Decision['outcome'];

/** A decided proposal: what was found, where it lands, and what policy said. */
export interface Verdict {
  readonly proposalId: string;
  readonly assessment: Assessment;
  readonly environment: ResolvedEnvironment;
  readonly decision: Decision;
  /** SHA-256 of the policy set that decided, so a decision can be replayed. */
  readonly policySetHash: string;
}
