/**
 * Helpers shared by the shell framework and the per-tool grammars: effect builders, result
 * merging, and the small extension of the rule context that the framework's own rules use.
 */
import type { ActionKind, Effect, EffectVerb, RiskClass, Scope, Target } from '../../core/assessment.js';
import { riskRank } from '../../core/assessment.js';
import type { SimpleCommand, ToolContext, ToolResult, Word } from './tool-rule.js';

/**
 * The framework's context as its own rules see it: the standard {@link ToolContext} plus the text
 * fed on standard input when it is known (`undefined`: nothing is piped; `null`: input exists but
 * is unknown). Rules written against the plain contract ignore the extra field.
 */
export interface ShellToolContext extends ToolContext {
  readonly stdin?: string | null | undefined;
  /** Directory changed to with `cd` earlier in the input; relative paths are judged inside it. */
  readonly workdir?: string;
  /** Classifies text that a program would read from stdin as a shell script (for `sh`, `bash` …). */
  classifyStdinScript?(script: string): ToolResult;
  /**
   * Classifies nested shell text with its own stdin (`ssh host 'psql' <<SQL`) and positional
   * parameters (`sh -c 'rm "$1"' _ FILE`: `positional[0]` is `$0`).
   */
  runScript?(script: string, options: { readonly stdin?: string | null | undefined; readonly positional?: readonly Word[] }): ToolResult;
}

/** The stdin of a rule call, when the framework supplied one. `undefined`: none piped in. */
export function stdinOf(context: ToolContext): string | null | undefined {
  return (context as ShellToolContext).stdin;
}

/** The `cd`-tracked directory of a rule call, when the framework supplied one. */
export function workdirOf(context: ToolContext): string | undefined {
  return (context as ShellToolContext).workdir;
}

/** Fields of one effect; `disruptive` defaults to false, `source` to the command text. */
export interface EffectSpec {
  readonly verb: EffectVerb;
  readonly resource: string;
  readonly scope: Scope;
  readonly reversible: boolean | null;
  readonly risk: RiskClass;
  readonly reason: string;
  readonly disruptive?: boolean;
}

/** Builds one effect whose source is the command's text. Never fails. */
export function effectOf(command: SimpleCommand | string, spec: EffectSpec): Effect {
  return {
    verb: spec.verb,
    resource: spec.resource,
    scope: spec.scope,
    reversible: spec.reversible,
    risk: spec.risk,
    disruptive: spec.disruptive ?? false,
    reason: spec.reason,
    source: typeof command === 'string' ? command : command.text,
  };
}

/** A result with one effect. */
export function single(
  kind: ActionKind,
  command: SimpleCommand | string,
  spec: EffectSpec,
  extra?: { readonly targets?: readonly Target[]; readonly obfuscated?: boolean; readonly reasons?: readonly string[] },
): ToolResult {
  return { kind, effects: [effectOf(command, spec)], ...(extra ?? {}) };
}

/** A read-only result: the command changes no state. */
export function readOnly(command: SimpleCommand, reason: string, kind: ActionKind = 'shell', targets?: readonly Target[]): ToolResult {
  return single(
    kind,
    command,
    { verb: 'read', resource: command.name, scope: 'none', reversible: true, risk: 'read', reason },
    targets ? { targets } : undefined,
  );
}

/** A local write: creates or edits something recoverable. */
export function localWrite(command: SimpleCommand, resource: string, reason: string, disruptive = false): ToolResult {
  return single('shell', command, {
    verb: 'modify',
    resource,
    scope: 'resource',
    reversible: true,
    risk: 'write',
    reason,
    disruptive,
  });
}

/** An `unknown` result: the classifier cannot tell, so policy treats it as not safe. */
export function unknownResult(command: SimpleCommand | string, reason: string, kind: ActionKind = 'shell'): ToolResult {
  const name = typeof command === 'string' ? command : command.name;
  return single(kind, command, {
    verb: 'execute',
    resource: name.length > 80 ? `${name.slice(0, 77)}...` : name,
    scope: 'unknown',
    reversible: null,
    risk: 'unknown',
    reason,
  });
}

/** The worst class over a result's effects (`read` when it has none). */
export function resultRisk(result: ToolResult): RiskClass {
  let worst: RiskClass = 'read';
  for (const e of result.effects) if (riskRank(e.risk) > riskRank(worst)) worst = e.risk;
  return worst;
}

const KIND_PREFERENCE: Readonly<Record<ActionKind, number>> = {
  shell: 0,
  file: 0,
  mcp: 1,
  sql: 2,
  k8s: 2,
  terraform: 2,
  aws: 2,
  gcloud: 2,
  azure: 2,
};

/**
 * Merges results of several executed segments: effects and targets concatenated, `kind` taken
 * from the worst segment (a specific family beats `shell` on a tie), `obfuscated` if any is.
 */
export function mergeResults(results: readonly ToolResult[], fallbackKind: ActionKind = 'shell'): ToolResult {
  if (results.length === 1) return results[0] as ToolResult;
  let kind: ActionKind = fallbackKind;
  let bestRank = -1;
  let bestPref = -1;
  const effects: Effect[] = [];
  const targets: Target[] = [];
  const reasons: string[] = [];
  let obfuscated = false;
  for (const r of results) {
    const rank = riskRank(resultRisk(r));
    const pref = KIND_PREFERENCE[r.kind];
    if (rank > bestRank || (rank === bestRank && pref > bestPref)) {
      bestRank = rank;
      bestPref = pref;
      kind = r.kind;
    }
    effects.push(...r.effects);
    if (r.targets) targets.push(...r.targets);
    if (r.reasons) reasons.push(...r.reasons);
    if (r.obfuscated === true) obfuscated = true;
  }
  return { kind, effects, targets, reasons, obfuscated };
}

/** Marks a result as reached through an indirection layer and adds a reason. */
export function obfuscate(result: ToolResult, reason: string): ToolResult {
  return { ...result, obfuscated: true, reasons: [...(result.reasons ?? []), reason] };
}

/** Replaces the kind of a result (a nested SQL result reached through `docker exec` stays `sql`). */
export function withKind(result: ToolResult, kind: ActionKind): ToolResult {
  return { ...result, kind };
}

/** A literal word (as a rule would receive it). */
export function literalWord(text: string): Word {
  return { text, dynamic: false, glob: false };
}

/** Texts of words, for messages. */
export function wordsText(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}
