/**
 * The gateway use case: proposal → assessment → environment → policy → decision → record.
 * Every path fails closed: a classifier error is an `unknown` assessment, a policy error or any
 * reported evaluation error is never `allow`, and a decision that cannot be recorded is `deny`.
 */
import type { Action, AgentIdentity, Proposal, Surface } from './action.js';
import { assessmentFromEffects, type Assessment } from './assessment.js';
import type { AirlockConfig } from './config.js';
import type { Decision, HoldRequirement, ResolvedEnvironment, Verdict } from './decision.js';
import { resolveEnvironment } from './environment.js';
import { parseDuration } from './approval.js';
import { activeFreeze, type FreezeWindow } from './freeze.js';
import type { Grant } from './grant.js';
import { writeGuidance } from './guidance.js';
import type {
  AuditEntry,
  AuditEventType,
  ClassifyContext,
  Classifier,
  Clock,
  IdGenerator,
  PolicyEngine,
  PolicyEvaluation,
  TargetDefaults,
} from './ports.js';

/** The part of the audit log the gateway needs. */
export interface AuditRecorder {
  append(type: AuditEventType, payload: unknown): Promise<AuditEntry>;
}

/** Dependencies of {@link Gateway}, passed in by the composition root. */
export interface GatewayOptions {
  readonly classifier: Classifier;
  readonly policy: PolicyEngine;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly config: AirlockConfig;
  /** Fills targets from ambient configuration (current kube context …). Optional. */
  readonly targetDefaults?: TargetDefaults;
  /**
   * Finds an active grant covering the action (time-bound elevation), which sets `elevated` for
   * policy. Optional; a lookup that fails counts as no grant (fail closed).
   */
  readonly grants?: (action: { agentId: string; assessment: Assessment; environment: ResolvedEnvironment }) => Promise<Grant | null>;
}

/** One request for a decision. */
export interface DecideRequest {
  readonly surface: Surface;
  readonly agent: AgentIdentity;
  /** The agent's own roles (from its verified token), never the launching human's. */
  readonly roles: readonly string[];
  readonly action: Action;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly intent?: string;
  readonly environment?: string;
  /** Append the decision to the audit log (false only for what-if checks). Default true. */
  readonly record?: boolean;
  /**
   * Applied to the proposal, assessment, environment and decision after deciding, before they are
   * recorded and returned: the action is judged on its real text, and only a redacted copy (no
   * secrets) is kept. Must return a value of the same shape.
   */
  readonly redact?: <T>(value: T) => T;
}

/** A verdict plus where it was recorded. */
export interface RecordedVerdict extends Verdict {
  readonly proposal: Proposal;
  /** Audit sequence number of the decision entry; null when not recorded. */
  readonly auditSeq: number | null;
  /** The grant that elevated the agent for this action, when one did. */
  readonly grant: { readonly id: string; readonly until: string; readonly by: string } | null;
}

/** Holds that need approval when the decision path itself failed. */
const FAIL_CLOSED_HOLD: HoldRequirement = {
  approvals: 2,
  groups: [],
  alternatives: ['fix the error that Airlock reported, then ask again'],
};

/** Decides over proposals. Stateless apart from its dependencies; safe to share. */
export class Gateway {
  readonly #o: GatewayOptions;

  readonly #freezes: readonly FreezeWindow[];

  constructor(options: GatewayOptions) {
    this.#o = options;
    this.#freezes = options.config.freezes.map((f) => ({
      name: f.name,
      environments: f.environments,
      from: f.from,
      until: f.until,
      cron: f.cron,
      durationMs: f.duration === undefined ? undefined : (parseDuration(f.duration) ?? undefined),
      reason: f.reason,
    }));
  }

  /** Classifies an action, turning any classifier failure into an `unknown` assessment. */
  assess(action: Action, context: ClassifyContext = {}): Assessment {
    try {
      return this.#o.classifier.classify(action, { ...context, dataPaths: this.#o.config.dataPaths });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return assessmentFromEffects({
        kind: action.kind,
        effects: [
          {
            verb: 'execute',
            resource: 'unknown',
            scope: 'unknown',
            reversible: null,
            risk: 'unknown',
            disruptive: false,
            reason: `the classifier failed: ${message}`,
          },
        ],
        reasons: [`classifier failure: ${message}`],
      });
    }
  }

  /**
   * Resolves the environment for an assessment, after completing its targets from ambient
   * configuration (`env` is the action's environment). What was filled in is said in `how`.
   */
  environmentOf(assessment: Assessment, explicit?: string, env: Readonly<Record<string, string>> = {}): ResolvedEnvironment {
    const defaults = this.#o.targetDefaults;
    const completed = assessment.targets.map((t) => (defaults === undefined ? { target: t } : defaults.complete(t, env)));
    const resolved = resolveEnvironment({
      config: this.#o.config,
      targets: completed.map((c) => c.target),
      knownEffect: assessment.risk !== 'unknown',
      ...(explicit === undefined ? {} : { explicit }),
    });
    const notes = completed.flatMap((c) => (c.note === undefined ? [] : [c.note]));
    return notes.length === 0 ? resolved : { ...resolved, how: `${resolved.how} (${notes.join('; ')})` };
  }

  /** Decides and (by default) records. Never throws for a bad action; rejects only on programming errors. */
  async decide(request: DecideRequest): Promise<RecordedVerdict> {
    const o = this.#o;
    const proposal: Proposal = {
      id: o.ids.next('prop'),
      surface: request.surface,
      agent: request.agent,
      action: request.action,
      receivedAt: o.clock.now().toISOString(),
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      ...(request.env === undefined ? {} : { env: request.env }),
      ...(request.intent === undefined ? {} : { intent: request.intent }),
      ...(request.environment === undefined ? {} : { environment: request.environment }),
    };
    try {
      await o.classifier.prepare?.(request.action);
    } catch {
      // A parser that failed to load leaves classify() to answer `unknown`: fail closed, go on.
    }
    const assessment = this.assess(request.action, {
      ...(request.env === undefined ? {} : { env: request.env }),
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
    });
    const environment = this.environmentOf(assessment, request.environment, request.env);
    let grant: RecordedVerdict['grant'] = null;
    // Only an agent that proved who it is can use a grant made for that name.
    if (o.grants !== undefined && assessment.risk !== 'read' && request.agent.authenticated) {
      try {
        const g = await o.grants({ agentId: request.agent.id, assessment, environment });
        if (g !== null) grant = { id: g.id, until: g.until, by: g.requester.id };
      } catch {
        // A grant that cannot be read elevates nothing.
      }
    }
    const freeze = activeFreeze(this.#freezes, environment.name, new Date(proposal.receivedAt));
    const evaluated = this.#evaluate(proposal, request, assessment, environment, grant !== null, freeze !== null);
    // Say which freeze, and until when, wherever it mattered.
    const evaluation =
      freeze !== null && evaluated.outcome !== 'allow'
        ? {
            ...evaluated,
            reasons: [
              ...evaluated.reasons,
              `freeze "${freeze.name}" is on for ${environment.name} until ${freeze.until}${freeze.reason ? ` (${freeze.reason})` : ''}`,
            ],
          }
        : evaluated;
    const decision = toDecision(evaluation, assessment, environment);
    // Judged on the real text above; from here on only the redacted copy exists.
    const r = request.redact ?? (<T>(value: T): T => value);
    const verdict: RecordedVerdict = {
      proposalId: proposal.id,
      assessment: r(assessment),
      environment: r(environment),
      decision: r(decision),
      policySetHash: o.policy.policySetHash,
      proposal: r(proposal),
      auditSeq: null,
      grant,
    };
    return request.record === false ? verdict : this.record(verdict);
  }

  /**
   * Records a verdict decided with `record: false` (a caller that weighed several before choosing
   * one). A verdict that cannot be recorded becomes a deny: nothing runs unrecorded.
   */
  async record(verdict: RecordedVerdict): Promise<RecordedVerdict> {
    const { proposal, assessment, environment, decision, policySetHash, grant } = verdict;
    try {
      const entry = await this.#o.audit.append('decision', {
        proposal,
        assessment,
        environment,
        decision,
        policySetHash,
        ...(grant === null ? {} : { grant }),
      });
      return { ...verdict, auditSeq: entry.seq };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        ...verdict,
        decision: {
          outcome: 'deny',
          reasons: [`the audit log could not be written (${message}); nothing runs unrecorded`],
          guidance:
            'Denied: Airlock could not record this decision, and it never lets an action through unrecorded. Tell your user; an operator must fix the audit store.',
          policies: decision.policies,
          errors: [...decision.errors, `audit: ${message}`],
        },
        auditSeq: null,
      };
    }
  }

  #evaluate(
    proposal: Proposal,
    request: DecideRequest,
    assessment: Assessment,
    environment: ResolvedEnvironment,
    elevated: boolean,
    frozen: boolean,
  ): PolicyEvaluation {
    try {
      return this.#o.policy.evaluate({
        principal: {
          type: 'Agent',
          id: request.agent.id,
          roles: request.roles,
          authenticated: request.agent.authenticated,
          ...(request.agent.onBehalfOf === undefined ? {} : { onBehalfOf: request.agent.onBehalfOf }),
        },
        proposal,
        assessment,
        environment,
        elevated,
        frozen,
        now: proposal.receivedAt,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        outcome: 'hold',
        requirement: FAIL_CLOSED_HOLD,
        policies: [],
        reasons: [`policy evaluation failed: ${message}`],
        errors: [message],
      };
    }
  }
}

/** Turns a policy evaluation into a decision, enforcing invariant 7: errors never allow. */
export function toDecision(evaluation: PolicyEvaluation, assessment: Assessment, environment: ResolvedEnvironment): Decision {
  let { outcome } = evaluation;
  let requirement = evaluation.requirement;
  const reasons = [...evaluation.reasons];
  if (evaluation.errors.length > 0 && outcome === 'allow') {
    outcome = 'hold';
    requirement = FAIL_CLOSED_HOLD;
    reasons.push('a policy raised an evaluation error, so the allow is not trusted');
  }
  if (outcome === 'hold' && requirement === undefined) requirement = FAIL_CLOSED_HOLD;
  const guidance = writeGuidance({
    outcome,
    assessment,
    environment,
    policies: evaluation.policies,
    reasons,
    errors: evaluation.errors,
    ...(requirement === undefined ? {} : { requirement }),
  });
  const base = { reasons, guidance, policies: evaluation.policies, errors: evaluation.errors };
  if (outcome === 'hold') return { ...base, outcome, requirement: requirement ?? FAIL_CLOSED_HOLD };
  return { ...base, outcome };
}
