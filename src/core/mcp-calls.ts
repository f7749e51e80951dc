/**
 * MCP tool calls as proposals: the use case behind the MCP gateway. A call is decided like any
 * other action (annotations are hints, operator mappings and the arguments decide); allowed calls
 * are forwarded, denied calls are refused with the reason, held calls become approval requests. An
 * approved call forwards exactly the arguments that were approved: the request's plan binds the
 * SHA-256 of the full arguments, while what is recorded and shown has its secrets redacted. A tool
 * mapped to a database target runs its approved SQL through the database guard instead.
 */
import type { AgentIdentity, McpAction, McpToolAnnotations } from './action.js';
import type { ApprovalService, OpenedRequest } from './approval-service.js';
import type { ApprovalRequest, Executor } from './approval.js';
import { canonicalJson } from './canonical-json.js';
import type { AirlockConfig, McpToolMapping } from './config.js';
import type { SqlExecution, SqlRehearsal } from './database.js';
import { describeResource } from './guidance.js';
import { globMatch, resourceContext } from './environment.js';
import type { AuditRecorder, Gateway, RecordedVerdict } from './gateway.js';
import type { Hasher } from './ports.js';
import { Redactor } from './redaction.js';
import type { SqlChanges } from './sql-changes.js';

/** One tool call from an agent. */
export interface ToolCall {
  readonly server: string;
  readonly tool: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** The upstream's annotations for the tool, when it listed the tool. Hints only. */
  readonly annotations?: McpToolAnnotations;
  readonly agent: AgentIdentity;
  readonly roles: readonly string[];
  /** The environment the gateway was started for (`--env`), instead of inferring it. */
  readonly environment?: string;
  readonly cwd?: string;
}

/** How a forwarded call ended, as recorded (no result content: it may hold data the log should not). */
export interface CallOutcome {
  /** False when the call never reached the upstream (it was gone, or the agent cancelled first). */
  readonly sent: boolean;
  readonly isError: boolean;
  /** The error's text (redacted) when the upstream failed or answered an error result. */
  readonly error?: string;
  readonly durationMs: number;
}

/** What to do with a call. */
export type CallDecision =
  | {
      /** Send these arguments upstream, then report how it ended. */
      readonly kind: 'forward';
      readonly server: string;
      readonly tool: string;
      readonly arguments: Readonly<Record<string, unknown>>;
      /**
       * How its outcome is recorded: next to the decision of an allowed call (gateways batch these
       * through {@link McpCalls.recordOutcomes}), or by completing the approved request it runs.
       */
      readonly outcome:
        | { readonly kind: 'allowed'; readonly proposalId: string; readonly decisionSeq: number | null }
        | { readonly kind: 'approved'; readonly request: ApprovalRequest; complete(outcome: CallOutcome): Promise<void> };
    }
  | { readonly kind: 'denied'; readonly message: string; readonly verdict: RecordedVerdict | null }
  | {
      readonly kind: 'held';
      readonly verdict: RecordedVerdict;
      readonly opened: OpenedRequest;
      /** For a tool mapped to a database target: the rehearsed effect (null when not rehearsed). */
      readonly sql: { readonly rehearsal: SqlRehearsal | null; readonly notRehearsed: string | null } | null;
    }
  | {
      /** Approved SQL of a database-mapped tool, run by Airlock through the database guard. */
      readonly kind: 'ran-sql';
      readonly request: ApprovalRequest;
      readonly execution: SqlExecution;
    };

/** Dependencies of {@link McpCalls}. */
export interface McpCallsOptions {
  readonly gateway: Gateway;
  readonly approvals: ApprovalService;
  readonly sql: SqlChanges;
  readonly audit: AuditRecorder;
  /** Keyed (HMAC) hashing for the digest of a call's arguments. */
  readonly hasher: Hasher;
  readonly config: AirlockConfig;
  /** Who runs an approved call (this process), for the single-use claim. */
  readonly executor: () => Executor;
}

/** Name of the plan input that binds a call's full arguments. */
export const ARGUMENTS_INPUT = 'mcp tool arguments (keyed SHA-256 of the canonical JSON, unredacted)';

/** deny is stricter than hold, which is stricter than allow. */
const STRICTNESS = { allow: 0, hold: 1, deny: 2 } as const;

/** Decides MCP tool calls; see the module comment. */
export class McpCalls {
  readonly #o: McpCallsOptions;
  readonly redactor: Redactor;
  readonly config: AirlockConfig;

  constructor(options: McpCallsOptions) {
    this.#o = options;
    this.config = options.config;
    this.redactor = new Redactor(options.config.mcp.redact);
  }

  /** The operator's mapping of a tool, when there is one. */
  mapping(server: string, tool: string): McpToolMapping | undefined {
    const s = this.#o.config.mcp.servers[server];
    return s !== undefined && Object.hasOwn(s.tools, tool) ? s.tools[tool] : undefined;
  }

  /** True when airlock.yaml hides the tool from agents (`mcp.servers.<server>.hide`). */
  hidden(server: string, tool: string): boolean {
    return (this.#o.config.mcp.servers[server]?.hide ?? []).some((p) => globMatch(p, tool));
  }

  /** The call as an action, with its real arguments: what is judged. */
  action(call: Pick<ToolCall, 'server' | 'tool' | 'arguments' | 'annotations'>): McpAction {
    return {
      kind: 'mcp',
      server: call.server,
      tool: call.tool,
      arguments: call.arguments,
      ...(call.annotations === undefined ? {} : { annotations: call.annotations }),
    };
  }

  /** A deep copy with secrets redacted: what is recorded and shown. */
  readonly redact = <T>(value: T): T => this.redactor.value(value).value as T;

  /**
   * Whether an agent may ever use a tool, for listing: hidden by airlock.yaml, or denied by policy
   * for a call with no arguments (a catastrophic tool, a writing tool for a read-only agent).
   * Nothing is recorded.
   */
  async usable(call: Omit<ToolCall, 'arguments'>): Promise<boolean> {
    if (this.hidden(call.server, call.tool)) return false;
    const verdict = await this.#o.gateway.decide({ ...this.#common(call), action: this.action({ ...call, arguments: {} }), record: false });
    return verdict.decision.outcome !== 'deny';
  }

  #common(call: Omit<ToolCall, 'arguments' | 'server' | 'tool'>) {
    return {
      surface: 'mcp' as const,
      agent: call.agent,
      roles: call.roles,
      ...(call.environment === undefined ? {} : { environment: call.environment }),
      ...(call.cwd === undefined ? {} : { cwd: call.cwd }),
    };
  }

  /**
   * Decides one call and records the decision; see {@link CallDecision}. The call is judged on its
   * real arguments; the decision, the request and the log keep a copy with secrets redacted.
   */
  async propose(call: ToolCall): Promise<CallDecision> {
    const o = this.#o;
    if (this.hidden(call.server, call.tool)) {
      await o.audit.append('mcp.refused', {
        agent: call.agent,
        action: this.redact(this.action(call)),
        reason: `the tool is hidden by airlock.yaml (mcp.servers.${call.server}.hide)`,
      });
      return {
        kind: 'denied',
        verdict: null,
        message: `Denied: the tool "${call.tool}" is not available to agents through Airlock (airlock.yaml hides it). Do not try the same change another way; tell your user what you wanted to do.`,
      };
    }
    const common = this.#common(call);
    const action = this.action(call);
    // Every secret in what is recorded comes from the arguments: with none there, nothing to redact.
    const redacting = this.redactor.value(call.arguments).count > 0 ? { redact: this.redact } : {};
    const mapping = this.mapping(call.server, call.tool);
    const sqlText = mapping?.database !== undefined && mapping.sqlArgument !== undefined ? call.arguments[mapping.sqlArgument] : undefined;
    // SQL on a database target is decided as that SQL there, unless the call as a whole (its other
    // arguments too) is judged stricter; each is decided once, and the one that counts is recorded.
    let verdict: RecordedVerdict;
    let target: { readonly name: string; readonly sql: string } | null = null;
    if (mapping?.database !== undefined && typeof sqlText === 'string') {
      const [asSql, asCall] = await Promise.all([
        o.gateway.decide({ ...common, action: o.sql.action(mapping.database, sqlText), record: false, ...redacting }),
        o.gateway.decide({ ...common, action, record: false, ...redacting }),
      ]);
      const sqlCounts = STRICTNESS[asCall.decision.outcome] <= STRICTNESS[asSql.decision.outcome];
      verdict = await o.gateway.record(sqlCounts ? asSql : asCall);
      if (sqlCounts) target = { name: mapping.database, sql: sqlText };
    } else {
      verdict = await o.gateway.decide({ ...common, action, ...redacting });
    }
    const d = verdict.decision;
    if (d.outcome === 'deny' || (d.outcome === 'hold' && verdict.auditSeq === null))
      return { kind: 'denied', verdict, message: d.guidance };
    if (d.outcome === 'allow') return this.#forward(call, verdict);
    if (target !== null) {
      // Held SQL is rehearsed on the target; the request keeps the SQL as it runs, so approvers
      // review the exact statement.
      const held = await o.sql.hold(verdict, { ...common, target: target.name, sql: target.sql });
      if (o.approvals.view(held.request).status === 'approved') return this.resume(held.request, call);
      return { kind: 'held', verdict, opened: held, sql: { rehearsal: held.rehearsal, notRehearsed: held.notRehearsed } };
    }
    const opened = await o.approvals.open({
      verdict,
      surface: 'mcp',
      action: verdict.proposal.action,
      ...(call.cwd === undefined ? {} : { cwd: call.cwd }),
      inputs: [{ name: ARGUMENTS_INPUT, sha256: this.#argumentsDigest(call) }],
    });
    if (o.approvals.view(opened.request).status === 'approved') return this.resume(opened.request, call);
    return { kind: 'held', verdict, opened, sql: null };
  }

  /** Keyed (HMAC), so that a short secret redacted from the recorded arguments cannot be guessed from it. */
  #argumentsDigest(call: ToolCall): string {
    return this.#o.hasher.sha256Hex(canonicalJson({ server: call.server, tool: call.tool, arguments: call.arguments }));
  }

  /**
   * Runs an approved request for this very call, once: claims it (single use), then forwards the
   * call's arguments — the ones whose digest was approved — or, for a database-mapped tool, runs
   * the approved SQL through the guard, bound to its rehearsed effect.
   */
  async resume(request: ApprovalRequest, call: ToolCall): Promise<CallDecision> {
    const o = this.#o;
    const plan = request.plan.action;
    if (plan.kind === 'sql') {
      try {
        const ran = await o.sql.runApproved({ id: request.id, agentId: call.agent.id, executor: o.executor() });
        return { kind: 'ran-sql', request: ran.request, execution: ran.execution };
      } catch (err) {
        return { kind: 'denied', verdict: null, message: `Not run: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    const digest = this.#argumentsDigest(call);
    if (!request.plan.inputs.some((i) => i.name === ARGUMENTS_INPUT && i.sha256 === digest))
      return {
        kind: 'denied',
        verdict: null,
        message: `Not run: these arguments differ from the ones approved in request ${request.id}; ask again.`,
      };
    const claimed = await o.approvals.consume({
      id: request.id,
      planDigest: request.planDigest,
      agentId: call.agent.id,
      executor: o.executor(),
    });
    if (!claimed.ok) return { kind: 'denied', verdict: null, message: `Not run: ${claimed.message}.` };
    return {
      kind: 'forward',
      server: call.server,
      tool: call.tool,
      arguments: call.arguments,
      outcome: {
        kind: 'approved',
        request: claimed.request,
        complete: async (outcome) => {
          // Not sent: the approval was spent on nothing, and the request says so (failed).
          await o.approvals.complete({ id: request.id, ran: outcome.sent, outcome: { server: call.server, tool: call.tool, ...outcome } });
        },
      },
    };
  }

  #forward(call: ToolCall, verdict: RecordedVerdict): CallDecision {
    return {
      kind: 'forward',
      server: call.server,
      tool: call.tool,
      arguments: call.arguments,
      outcome: { kind: 'allowed', proposalId: verdict.proposalId, decisionSeq: verdict.auditSeq },
    };
  }

  /**
   * Records how allowed calls ended, several in one audit entry: each call's decision was recorded
   * before it ran; gateways batch the outcomes so that a call costs one durable write, not two.
   */
  async recordOutcomes(
    calls: readonly (CallOutcome & {
      readonly proposalId: string;
      readonly decisionSeq: number | null;
      readonly server: string;
      readonly tool: string;
    })[],
  ): Promise<void> {
    if (calls.length === 0) return;
    await this.#o.audit.append('execution', { surface: 'mcp', calls });
  }

  /** The agent's requests (newest first) made through this gateway, for `airlock_status`. */
  async requestsOf(agentId: string, limit = 20): Promise<readonly ApprovalRequest[]> {
    const all = await this.#o.approvals.list({ limit: 500 });
    return all
      .filter((r) => r.requester.id === agentId && r.plan.surface === 'mcp')
      .slice(0, limit)
      .map((r) => this.#o.approvals.view(r));
  }
}

/**
 * The briefing Airlock adds to the upstream server's instructions: what behind this server is
 * protected and why, what needs approval and how to ask. Short: it is read by the agent on every
 * session.
 */
export function mcpBriefing(
  config: AirlockConfig,
  server: string,
  options: { readonly hiddenTools: number; readonly onHold: 'return' | 'wait' },
): string {
  const lines: string[] = [
    `Airlock (change control) stands between you and the MCP server "${server}". Every tool call is checked before it runs.`,
  ];
  const envs = Object.entries(config.environments).filter(
    ([, e]) => e.match.mcpServers.some((p) => globMatch(p, server)) || (e.protected && e.match.paths.length > 0),
  );
  for (const [name, e] of envs) {
    const via = e.match.mcpServers.some((p) => globMatch(p, server)) ? 'this server' : `paths ${e.match.paths.join(', ')}`;
    lines.push(
      `- ${name}${e.protected ? ' (protected)' : ''}${e.criticality ? `, criticality ${e.criticality}` : ''}: ${via}${e.description ? ` — ${e.description}` : ''}.`,
    );
  }
  for (const r of config.resources.filter((r) => r.match.mcpServers.some((p) => globMatch(p, server)))) {
    lines.push(`- resource ${describeResource(resourceContext(r.name, r))}${r.environment ? ` in ${r.environment}` : ''}.`);
  }
  const targets = new Set(
    Object.values(config.mcp.servers[server]?.tools ?? {}).flatMap((t) => (t.database === undefined ? [] : [t.database])),
  );
  for (const t of targets) {
    const db = config.databases[t];
    if (db === undefined) continue;
    lines.push(
      `- database target ${t}${db.environment ? ` (environment ${db.environment})` : ''}${db.criticality ? `, criticality ${db.criticality}` : ''}${db.dependants.length ? `; depended on by ${db.dependants.join(', ')}` : ''}: held SQL is rehearsed there and, once approved, run by Airlock bound to the rehearsed effect.`,
    );
  }
  lines.push(
    'Reads pass. Changes in protected environments that are destructive, unknown, or made with tools not known to be read-only wait for human approval; catastrophic changes are refused.',
    options.onHold === 'wait'
      ? 'A held call waits (with progress) until humans decide; do not retry it in another form.'
      : 'A held call returns at once with a request id and link: tell your user, then call the same tool again with the same arguments once it is approved. Do not retry it in another form.',
    'Call the tool airlock_status to see your requests and their state.',
  );
  if (options.hiddenTools > 0) lines.push(`${options.hiddenTools} of the server's tools are not available to you.`);
  return lines.join('\n');
}
