/**
 * The database guard's use cases: SQL for a configured target is decided like any action; a held
 * change is rehearsed on the real target and its measured effect becomes part of the plan humans
 * approve; an approved change runs once, bound to that effect, with recovery points first; an
 * allowed change runs at once, with recovery points all the same. Every step is in the audit log.
 * Pure: the guards, the gateway and the approval service come in through ports.
 */
import type { AgentIdentity, SqlAction, Surface } from './action.js';
import type { Effect } from './assessment.js';
import type { ApprovalRequest, Executor } from './approval.js';
import type { ApprovalService, OpenedRequest } from './approval-service.js';
import type { AirlockConfig, DatabaseConfig } from './config.js';
import type { DatabaseGuard, RecoveryPoint, SqlExecution, SqlRehearsal, UndoResult } from './database.js';
import { databasePort, driftBetween, unknownDatabaseTarget } from './database.js';
import { AirlockError, toAirlockError } from './errors.js';
import type { Gateway, RecordedVerdict } from './gateway.js';
import { parseDuration } from './approval.js';
import type { AuditRecorder } from './gateway.js';
import type { Clock } from './ports.js';

/** The configured database targets, each with its guard (opened lazily by the composition root). */
export interface DatabaseGuards {
  /** The guard of a configured target; NOT_FOUND naming the configured ones otherwise. */
  guard(name: string): DatabaseGuard;
}

/** Dependencies of {@link SqlChanges}. */
export interface SqlChangesOptions {
  readonly gateway: Gateway;
  readonly approvals: ApprovalService;
  readonly guards: DatabaseGuards;
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  readonly config: AirlockConfig;
}

/** A SQL change proposed for a configured target. */
export interface SqlProposal {
  readonly surface: Surface;
  readonly agent: AgentIdentity;
  readonly roles: readonly string[];
  readonly target: string;
  readonly sql: string;
  /** Ask approval for at most this many rows instead of the exact rehearsed counts. */
  readonly maxRows?: number;
  readonly intent?: string;
  readonly cwd?: string;
}

/** What became of a proposal. */
export type SqlSubmission =
  | { readonly outcome: 'denied'; readonly verdict: RecordedVerdict }
  | ({
      readonly outcome: 'held';
      readonly verdict: RecordedVerdict;
      readonly rehearsal: SqlRehearsal | null;
      /** Why there is no rehearsal, when there is none. */
      readonly notRehearsed: string | null;
    } & OpenedRequest)
  | { readonly outcome: 'ran'; readonly verdict: RecordedVerdict; readonly changeId: string; readonly execution: SqlExecution };

/** What an approved change did: it ran and committed, or drifted and changed nothing. */
export interface ApprovedRun {
  readonly request: ApprovalRequest;
  readonly execution: SqlExecution;
}

/** The SQL action of a plan, with the configured target it names. */
function sqlActionOf(request: ApprovalRequest): SqlAction & { readonly target: string } {
  const action = request.plan.action;
  if (action.kind !== 'sql' || action.target === undefined)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `request ${request.id} is not a SQL change for a database target; run it where it was asked (airlock exec, the hook)`,
    });
  return { ...action, target: action.target };
}

/** The use cases of the database guard. Safe to share. */
export class SqlChanges {
  readonly #o: SqlChangesOptions;

  constructor(options: SqlChangesOptions) {
    this.#o = options;
  }

  /** The configuration of a target, or NOT_FOUND naming the configured ones. */
  target(name: string): DatabaseConfig {
    const config = this.#o.config.databases[name];
    if (config === undefined) throw unknownDatabaseTarget(name, Object.keys(this.#o.config.databases));
    return config;
  }

  /** Recovery points on one target (checked to exist) or on every configured one. */
  async recoveryPoints(filter: { readonly target?: string; readonly changeId?: string } = {}): Promise<RecoveryPoint[]> {
    const out: RecoveryPoint[] = [];
    for (const name of this.#names(filter.target))
      out.push(...(await this.#o.guards.guard(name).recoveryPoints(filter.changeId === undefined ? {} : { changeId: filter.changeId })));
    return out;
  }

  /** Drops the kept data of expired recovery points (or of every point of `changeId`), recorded per target. */
  async purge(filter: { readonly target?: string; readonly changeId?: string } = {}): Promise<RecoveryPoint[]> {
    const out: RecoveryPoint[] = [];
    for (const name of this.#names(filter.target)) {
      const purged = await this.#o.guards
        .guard(name)
        .purge({ now: this.#o.clock.now(), ...(filter.changeId === undefined ? {} : { changeId: filter.changeId }) });
      if (purged.length > 0) await this.#o.audit.append('recovery.purged', { target: name, points: purged.map((p) => p.id) });
      out.push(...purged);
    }
    return out;
  }

  #names(target: string | undefined): string[] {
    if (target === undefined) return Object.keys(this.#o.config.databases);
    this.target(target);
    return [target];
  }

  /** The SQL action for a target: its dialect and connection facts, so environment rules and the inventory apply. */
  action(target: string, sql: string, maxRows?: number): SqlAction {
    const c = this.target(target);
    return {
      kind: 'sql',
      sql,
      dialect: c.engine === 'postgresql' ? 'postgresql' : 'mysql',
      database: { host: c.host, port: databasePort(c), name: c.database },
      target,
      ...(maxRows === undefined ? {} : { maxRows }),
    };
  }

  /**
   * Decides a SQL change. Denied: nothing happens. Allowed: it runs now (recovery points first).
   * Held: it is rehearsed on the target and a request carrying the measured effect is opened (or
   * the open one for the same plan is returned).
   */
  async submit(p: SqlProposal): Promise<SqlSubmission> {
    if (p.maxRows !== undefined && (!Number.isInteger(p.maxRows) || p.maxRows < 0))
      throw new AirlockError({ code: 'BAD_INPUT', message: `max rows ${p.maxRows}: give a whole number of rows, 0 or more` });
    const action = this.action(p.target, p.sql, p.maxRows);
    const verdict = await this.#o.gateway.decide({
      surface: p.surface,
      agent: p.agent,
      roles: p.roles,
      action,
      ...(p.cwd === undefined ? {} : { cwd: p.cwd }),
      ...(p.intent === undefined ? {} : { intent: p.intent }),
    });
    const d = verdict.decision;
    // A hold that could not be recorded is refused: a request needs its decision in the log.
    if (d.outcome === 'deny' || (d.outcome === 'hold' && verdict.auditSeq === null)) return { outcome: 'denied', verdict };
    const guard = this.#o.guards.guard(p.target);
    if (d.outcome === 'allow') {
      let execution: SqlExecution;
      try {
        execution = await this.#run(guard, p.sql, {
          changeId: verdict.proposalId,
          expected: null,
          ...(p.maxRows === undefined ? {} : { maxRows: p.maxRows }),
        });
      } catch (err) {
        const e = toAirlockError(err);
        await this.#o.audit.append('execution', {
          proposalId: verdict.proposalId,
          decisionSeq: verdict.auditSeq,
          target: p.target,
          error: { code: e.code, message: e.message },
        });
        throw e;
      }
      await this.#o.audit.append('execution', {
        proposalId: verdict.proposalId,
        decisionSeq: verdict.auditSeq,
        target: p.target,
        ...observed(execution),
      });
      return { outcome: 'ran', verdict, changeId: verdict.proposalId, execution };
    }
    return this.hold(verdict, p);
  }

  /**
   * Rehearses a held SQL change on its target, so that humans approve what it will really do, and
   * opens its request (or returns the open one for the same plan). `verdict` must be a recorded
   * hold of `this.action(p.target, p.sql, p.maxRows)`.
   */
  async hold(verdict: RecordedVerdict, p: SqlProposal): Promise<Extract<SqlSubmission, { readonly outcome: 'held' }>> {
    const skip = notRehearsable(verdict.assessment.effects);
    const rehearsal = skip === null ? await this.#o.guards.guard(p.target).rehearse(p.sql) : null;
    const opened = await this.#o.approvals.open({
      verdict,
      surface: p.surface,
      action: this.action(p.target, p.sql, p.maxRows),
      ...(p.cwd === undefined ? {} : { cwd: p.cwd }),
      rehearsal,
    });
    return { outcome: 'held', verdict, rehearsal, notRehearsed: skip, ...opened };
  }

  /**
   * Runs an approved SQL change once: claims it (compare-and-set), runs the approved statements
   * bound to the approved effect, and records the observed effect next to it. Drift rolls back:
   * the request ends `failed` with the drift, and the change must be asked for again.
   */
  async runApproved(options: { readonly id: string; readonly agentId: string; readonly executor: Executor }): Promise<ApprovedRun> {
    const a = this.#o.approvals;
    const request = await a.get(options.id);
    const action = sqlActionOf(request);
    const claimed = await a.consume({
      id: request.id,
      planDigest: request.planDigest,
      agentId: options.agentId,
      executor: options.executor,
    });
    if (!claimed.ok) throw new AirlockError({ code: 'CONFLICT', message: `not run: ${claimed.message}` });
    const approved = claimed.request.plan.rehearsal as SqlRehearsal | null;
    let execution: SqlExecution;
    try {
      execution = await this.#run(this.#o.guards.guard(action.target), action.sql, {
        changeId: request.id,
        expected: approved,
        ...(action.maxRows === undefined ? {} : { maxRows: action.maxRows }),
      });
    } catch (err) {
      const e = toAirlockError(err);
      await a.complete({ id: request.id, ran: false, outcome: { target: action.target, error: { code: e.code, message: e.message } } });
      throw e;
    }
    const done = await a.complete({
      id: request.id,
      ran: execution.committed,
      outcome: { target: action.target, approved: approvedCounts(approved, action.maxRows), ...observed(execution) },
    });
    return { request: done, execution };
  }

  /** Restores a change's recovery points on its target (from the request, or `target`), verified. */
  async undo(changeId: string, target?: string): Promise<{ readonly target: string; readonly result: UndoResult }> {
    const name = target ?? (await this.#targetOf(changeId));
    const result = await this.#o.guards.guard(name).undo(changeId, { now: this.#o.clock.now() });
    await this.#o.audit.append('recovery.restored', {
      changeId,
      target: name,
      points: result.restored.map((r) => ({
        id: r.point.id,
        table: r.point.table,
        rows: r.rows,
        checksum: r.checksum,
        verified: r.verified,
      })),
    });
    return { target: name, result };
  }

  async #targetOf(changeId: string): Promise<string> {
    let request: ApprovalRequest | null = null;
    try {
      request = await this.#o.approvals.get(changeId);
    } catch (err) {
      if (toAirlockError(err).code !== 'NOT_FOUND') throw err;
    }
    if (request !== null) return sqlActionOf(request).target;
    const point = (await this.recoveryPoints({ changeId }))[0];
    if (point !== undefined) return point.target;
    const names = Object.keys(this.#o.config.databases);
    throw new AirlockError({
      code: 'NOT_FOUND',
      message: `no recovery point for change ${changeId} on ${names.length ? names.join(', ') : 'any database target'} (see \`airlock recovery list\`)`,
    });
  }

  async #run(
    guard: DatabaseGuard,
    sql: string,
    o: { readonly changeId: string; readonly expected: SqlRehearsal | null; readonly maxRows?: number },
  ): Promise<SqlExecution> {
    const retentionMs = parseDuration(this.target(guard.target).retention) ?? 7 * 86_400_000;
    const execution = await guard.execute(sql, { ...o, retentionMs, now: this.#o.clock.now() });
    // The adapter compares while its transaction is open; check again here, so an adapter that
    // committed a drifted change is caught and reported rather than trusted.
    if (execution.committed && o.expected !== null) {
      const drift = driftBetween(o.expected, execution.statements, o.maxRows);
      if (drift.length > 0)
        throw new AirlockError({
          code: 'INTERNAL',
          message: `the database guard committed a change that drifted from the approved effect: ${drift.map((d) => d.message).join('; ')}`,
        });
    }
    return execution;
  }
}

/** Why a rehearsal must not run: an effect a rollback would not undo. Null when it may. */
function notRehearsable(effects: readonly Effect[]): string | null {
  const e = effects.find((x) => x.survivesRollback === true);
  return e === undefined ? null : `not rehearsed: ${e.reason}, which a rollback would not undo`;
}

/** The approved counts, for the record next to the observed ones. */
function approvedCounts(rehearsal: SqlRehearsal | null, maxRows: number | undefined): unknown {
  if (maxRows !== undefined) return { maxRows };
  return rehearsal?.statements.map((s) => ({ index: s.index, command: s.command, rowsAffected: s.rowsAffected })) ?? null;
}

/** The observed effect of an execution, for the audit log (result rows are not logged). */
function observed(execution: SqlExecution): Record<string, unknown> {
  return {
    committed: execution.committed,
    statements: execution.statements.map((s) => ({ index: s.index, command: s.command, rowsAffected: s.rowsAffected })),
    drift: execution.drift,
    recoveryPoints: execution.recoveryPoints.map((r) => ({
      id: r.id,
      kind: r.kind,
      table: r.table,
      rows: r.rows,
      checksum: r.checksum,
      expiresAt: r.expiresAt,
    })),
  };
}
