/**
 * Effect construction shared by the SQL dialect rules. Effects are facts about one statement;
 * the classifier folds transactions over them.
 */
import type { Effect, EffectVerb, RiskClass, Scope } from '../../core/assessment.js';

/** What a rule states about one effect; reversibility defaults from the risk. */
export interface EffectInit {
  readonly verb: EffectVerb;
  readonly resource: string;
  readonly scope: Scope;
  readonly risk: RiskClass;
  readonly reason: string;
  readonly reversible?: boolean | null;
  readonly disruptive?: boolean;
  /**
   * The effect happens even if the surrounding transaction rolls back (sequence changes, killed
   * backends, remote SQL through dblink, programs run by COPY). Default false.
   */
  readonly nonTransactional?: boolean;
}

const NON_TRANSACTIONAL = new WeakSet<Effect>();

/** Builds an effect for the statement text `source`. Reversible defaults: read/write true, destructive/catastrophic false, unknown null. */
export function makeEffect(init: EffectInit, source: string): Effect {
  const reversible =
    init.reversible !== undefined
      ? init.reversible
      : init.risk === 'read' || init.risk === 'write'
        ? true
        : init.risk === 'unknown'
          ? null
          : false;
  const effect: Effect = {
    verb: init.verb,
    resource: init.resource,
    scope: init.scope,
    reversible,
    risk: init.risk,
    disruptive: init.disruptive ?? false,
    reason: init.reason,
    source: clip(source),
    ...(init.nonTransactional === true ? { survivesRollback: true as const } : {}),
  };
  if (init.nonTransactional === true) NON_TRANSACTIONAL.add(effect);
  return effect;
}

/** True when the effect survives a ROLLBACK of its transaction (see `EffectInit.nonTransactional`). */
export function isNonTransactional(effect: Effect): boolean {
  return NON_TRANSACTIONAL.has(effect);
}

/** The read effect that replaces a change undone by ROLLBACK. */
export function rolledBack(effect: Effect, how: string): Effect {
  return makeEffect(
    {
      verb: 'read',
      resource: effect.resource,
      scope: 'none',
      risk: 'read',
      reason: `undone by ${how}: would have been ${effect.risk} (${effect.reason})`,
    },
    effect.source ?? '',
  );
}

/** An `unknown` effect: the classifier cannot judge this statement. Never safe. */
export function unknownEffect(resource: string, reason: string, source: string, nonTransactional = false): Effect {
  return makeEffect({ verb: 'execute', resource, scope: 'unknown', risk: 'unknown', reason, nonTransactional }, source);
}

const MAX_SOURCE = 500;

/** Keeps effect sources readable; the full text stays in the action. */
function clip(source: string): string {
  const s = source.trim();
  return s.length > MAX_SOURCE ? `${s.slice(0, MAX_SOURCE)}…` : s;
}

/** 1-based line and column of a character offset, for parse error reasons. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Transaction control found in a statement; the classifier folds effects over it. */
export type TxControl =
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback'; readonly chain: boolean }
  | { readonly kind: 'savepoint'; readonly name: string }
  | { readonly kind: 'release'; readonly name: string }
  | { readonly kind: 'rollback-to'; readonly name: string }
  /** MySQL DDL commits the open transaction before it runs. */
  | { readonly kind: 'implicit-commit' };

/** What one statement does: its effects, and any transaction control it carries. */
export interface StatementVerdict {
  readonly effects: readonly Effect[];
  readonly tx?: TxControl;
}

/**
 * Applies transaction control to statement effects: changes inside a transaction that ends in
 * ROLLBACK (or ROLLBACK TO a savepoint) become reads, except non-transactional effects and
 * `unknown` ones (which may hide non-transactional work). A transaction left open is judged as
 * committed. Returns the effects and notes for the reasons.
 */
export function foldTransactions(verdicts: readonly StatementVerdict[]): { effects: Effect[]; notes: string[] } {
  const out: Effect[] = [];
  const notes: string[] = [];
  let open: Effect[] | undefined;
  const savepoints: { name: string; at: number }[] = [];
  const flush = (): void => {
    if (open) out.push(...open);
    open = undefined;
    savepoints.length = 0;
  };
  const undo = (from: number, how: string): void => {
    if (!open) return;
    let undone = 0;
    for (let i = from; i < open.length; i++) {
      const e = open[i];
      if (e === undefined) continue;
      if (e.risk !== 'read' && e.risk !== 'unknown' && !isNonTransactional(e)) {
        open[i] = rolledBack(e, how);
        undone++;
      }
    }
    if (undone > 0) notes.push(`${undone} change(s) undone by ${how}`);
  };
  for (const v of verdicts) {
    const tx = v.tx;
    if (tx?.kind === 'implicit-commit' && open) {
      notes.push('DDL commits the open transaction implicitly (MySQL); earlier changes are kept');
      flush();
    }
    if (open) open.push(...v.effects);
    else out.push(...v.effects);
    if (!tx) continue;
    switch (tx.kind) {
      case 'begin':
        if (!open) open = [];
        break;
      case 'commit':
        flush();
        break;
      case 'rollback':
        undo(0, 'ROLLBACK');
        flush();
        if (tx.chain) open = [];
        break;
      case 'savepoint':
        if (open) savepoints.push({ name: tx.name, at: open.length });
        break;
      case 'release': {
        const i = savepoints.map((s) => s.name).lastIndexOf(tx.name);
        if (i >= 0) savepoints.length = i;
        break;
      }
      case 'rollback-to': {
        const i = savepoints.map((s) => s.name).lastIndexOf(tx.name);
        const sp = savepoints[i];
        if (sp) {
          undo(sp.at, `ROLLBACK TO SAVEPOINT ${tx.name}`);
          savepoints.length = i + 1;
        }
        break;
      }
      case 'implicit-commit':
        break;
    }
  }
  if (open) {
    if (open.some((e) => e.risk !== 'read')) notes.push('transaction left open: judged as if committed');
    flush();
  }
  return { effects: out, notes };
}

/** How RISK.md judges a DELETE, from the shape of its WHERE clause. */
export interface DeleteJudgement {
  readonly risk: 'write' | 'destructive';
  readonly scope: 'resource' | 'selection' | 'all';
  readonly reason: string;
}

/**
 * RISK.md's DELETE rule, one table for every dialect: by key or a listed set of keys is a record-level
 * write; no WHERE or an always-true one removes every row; a range, pattern, non-key equality or any
 * other predicate removes an unbounded set. `shape` is what the dialect's predicate analysis found.
 */
export function deleteJudgement(shape: string): DeleteJudgement {
  switch (shape) {
    case 'absent':
      return { risk: 'destructive', scope: 'all', reason: 'DELETE without WHERE removes every row' };
    case 'tautology':
      return { risk: 'destructive', scope: 'all', reason: 'DELETE with an always-true WHERE removes every row' };
    case 'key':
      return { risk: 'write', scope: 'resource', reason: 'DELETE by key' };
    case 'list':
      return { risk: 'write', scope: 'selection', reason: 'DELETE of a listed set of keys (IN list or ANY)' };
    case 'range':
      return {
        risk: 'destructive',
        scope: 'selection',
        reason: 'DELETE with a range or pattern predicate removes an unbounded set of rows',
      };
    case 'value':
      return {
        risk: 'destructive',
        scope: 'selection',
        reason: 'DELETE by equality on a column that is not a key selects a set of rows, not a record',
      };
    default:
      return { risk: 'destructive', scope: 'selection', reason: 'DELETE with a predicate that is not a key, IN list or ANY lookup' };
  }
}
