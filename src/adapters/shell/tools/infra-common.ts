/**
 * Shared helpers for the infrastructure CLI grammars (kubernetes, IaC, cloud): a small option
 * parser that understands the spellings those CLIs accept (`--flag=value`, `--flag value`,
 * `-n value`, `-nvalue`, combined short flags, Go-style single-dash long flags, `--` terminator)
 * and builders for effects and results. Pure functions; nothing here throws.
 */
import type { ActionKind, Effect, EffectVerb, RiskClass, Scope, Target } from '../../../core/assessment.js';
import type { SimpleCommand, ToolContext, ToolResult, Word } from '../tool-rule.js';

/** How one CLI spells its options. Names are long names without dashes. */
export interface FlagSpec {
  /** Long options that take a value (`--namespace prod`, `--namespace=prod`). */
  readonly valued: ReadonlySet<string>;
  /** Short letter → long name (`n` → `namespace`). */
  readonly short?: Readonly<Record<string, string>>;
  /** Single-dash words are long options (Go `flag` package: `-chdir=dir`, `-auto-approve`). */
  readonly singleDashLong?: boolean;
  /**
   * Unknown long options take the following word as their value when it is not itself an option
   * (aws, gcloud, az: nearly every option has a value). Names in `bools` never take one.
   */
  readonly greedyUnknown?: boolean;
  /** Options known to take no value (only consulted with `greedyUnknown`). */
  readonly bools?: ReadonlySet<string>;
  /** An unknown valued option keeps taking following non-option words as values (aws list parameters). */
  readonly multiValue?: boolean;
}

/** The result of parsing a command's words against a {@link FlagSpec}. */
export interface ParsedArgs {
  /** Non-option words, in order (before any `--`). */
  readonly positionals: readonly Word[];
  /** Options by long name; a flag without value records `''`. */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  /** Words after a bare `--`, or `undefined` when there is none. */
  readonly rest: readonly Word[] | undefined;
  /** Some option name or value holds an unknown expansion. */
  readonly dynamicFlags: boolean;
}

const EMPTY_SET: ReadonlySet<string> = new Set<string>();

/** Parses words into positionals, options and the `--` rest. Never throws. */
export function parseArgs(args: readonly Word[], spec: FlagSpec): ParsedArgs {
  const positionals: Word[] = [];
  const flags = new Map<string, string[]>();
  let rest: Word[] | undefined;
  let dynamicFlags = false;
  const short = spec.short ?? {};
  const bools = spec.bools ?? EMPTY_SET;
  const add = (name: string, value: string): void => {
    const list = flags.get(name);
    if (list) list.push(value);
    else flags.set(name, [value]);
  };
  const takesValue = (name: string, next: Word | undefined): boolean => {
    if (spec.valued.has(name)) return next !== undefined;
    if (!spec.greedyUnknown || bools.has(name) || next === undefined) return false;
    return !next.text.startsWith('-') || /^-\d/.test(next.text);
  };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const text = word.text;
    if (text === '--') {
      rest = args.slice(i + 1);
      break;
    }
    if (text.length < 2 || text[0] !== '-' || (word.dynamic && text.startsWith('$'))) {
      positionals.push(word);
      continue;
    }
    if (word.dynamic) dynamicFlags = true;
    const long = text.startsWith('--') || spec.singleDashLong === true;
    if (long) {
      const body = text.startsWith('--') ? text.slice(2) : text.slice(1);
      const eq = body.indexOf('=');
      let name = eq >= 0 ? body.slice(0, eq) : body;
      if (name.length === 1 && short[name] !== undefined) name = short[name]!;
      if (eq >= 0) {
        add(name, body.slice(eq + 1));
        continue;
      }
      const next = args[i + 1];
      if (takesValue(name, next) && next!.text !== '--') {
        if (next!.dynamic) dynamicFlags = true;
        add(name, next!.text);
        i++;
        if (spec.multiValue && !spec.valued.has(name)) {
          while (i + 1 < args.length && !args[i + 1]!.text.startsWith('-')) {
            add(name, args[i + 1]!.text);
            i++;
          }
        }
      } else add(name, '');
      continue;
    }
    // Short cluster: -abc, -nprod, -n=prod, -n prod.
    for (let j = 1; j < text.length; j++) {
      const letter = text[j]!;
      const name = short[letter] ?? letter;
      if (spec.valued.has(name)) {
        let value = text.slice(j + 1);
        if (value.startsWith('=')) value = value.slice(1);
        if (value === '' && i + 1 < args.length && args[i + 1]!.text !== '--') {
          const next = args[++i]!;
          if (next.dynamic) dynamicFlags = true;
          value = next.text;
        }
        add(name, value);
        break;
      }
      add(name, '');
    }
  }
  return { positionals, flags, rest, dynamicFlags };
}

/** True when option `name` is present and not switched off (`--force=false`). */
export function flagOn(p: ParsedArgs, ...names: readonly string[]): boolean {
  for (const name of names) {
    const values = p.flags.get(name);
    if (!values) continue;
    const last = values[values.length - 1]!.toLowerCase();
    if (last !== 'false' && last !== '0' && last !== 'no' && last !== 'none') return true;
  }
  return false;
}

/** Last value of the first present option among `names`, or `undefined`. */
export function flagValue(p: ParsedArgs, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const values = p.flags.get(name);
    if (values && values.length > 0) return values[values.length - 1];
  }
  return undefined;
}

/** Every value of the options among `names`, in no particular order across names. */
export function flagValues(p: ParsedArgs, ...names: readonly string[]): readonly string[] {
  const out: string[] = [];
  for (const name of names) {
    const values = p.flags.get(name);
    if (values) for (const v of values) if (v !== '') out.push(v);
  }
  return out;
}

/** True when the words ask for help (`--help`, `-h`, or a `help` subcommand first). */
export function isHelp(p: ParsedArgs): boolean {
  return p.flags.has('help') || p.flags.has('h') || p.positionals[0]?.text === 'help';
}

/** Looks up a variable in the command's own environment, then the input's. */
export function envOf(command: SimpleCommand, context: ToolContext, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = command.env[name] ?? context.env[name];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** Optional facts for {@link effect}. */
export interface EffectOptions {
  readonly reversible?: boolean | null;
  readonly disruptive?: boolean;
}

/**
 * Builds an effect. `reversible` defaults from the risk: read/write true, destructive and
 * catastrophic false, unknown null.
 */
export function effect(
  command: SimpleCommand,
  verb: EffectVerb,
  resource: string,
  scope: Scope,
  risk: RiskClass,
  reason: string,
  options: EffectOptions = {},
): Effect {
  const reversible =
    options.reversible !== undefined ? options.reversible : risk === 'unknown' ? null : risk === 'read' || risk === 'write';
  return {
    verb,
    resource,
    scope,
    reversible,
    risk,
    disruptive: options.disruptive ?? false,
    reason,
    source: command.text,
  };
}

/** Builds a result without assigning `undefined` to optional properties. */
export function result(
  kind: ActionKind,
  effects: readonly Effect[],
  targets: readonly Target[],
  reasons?: readonly string[],
  obfuscated?: boolean,
): ToolResult {
  const out: { -readonly [K in keyof ToolResult]: ToolResult[K] } = { kind, effects, targets };
  if (reasons && reasons.length > 0) out.reasons = reasons;
  if (obfuscated) out.obfuscated = true;
  return out;
}

/** A read effect: nothing changes. */
export function readEffect(command: SimpleCommand, resource: string, reason: string): Effect {
  return effect(command, 'read', resource, 'none', 'read', reason);
}

/** An effect the grammar cannot judge; the reason names what is unknown. */
export function unknownEffect(command: SimpleCommand, resource: string, reason: string): Effect {
  return effect(command, 'execute', resource, 'unknown', 'unknown', reason);
}

/** Text of the words, joined by spaces (for reasons and resources). */
export function wordsText(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}

/** Wraps a rule so that a bug inside it becomes an `unknown` effect instead of a throw. */
export function safeRule(
  kind: ActionKind,
  rule: (command: SimpleCommand, context: ToolContext) => ToolResult,
): (command: SimpleCommand, context: ToolContext) => ToolResult {
  return (command, context) => {
    try {
      return rule(command, context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return result(kind, [unknownEffect(command, command.name, `${command.name}: grammar failed (${message})`)], []);
    }
  };
}

/** True when some word after `from` holds an unknown expansion. */
export function anyDynamic(words: readonly Word[], from = 0): boolean {
  for (let i = from; i < words.length; i++) if (words[i]!.dynamic) return true;
  return false;
}

/** Words that name an empty source directory (`sync --delete` from it wipes the destination). */
export function looksEmptyDir(path: string): boolean {
  return /(^|\/)(empty[^/]*|\$\(mktemp[^)]*\)|mktemp)\/?$/i.test(path) || path === '/dev/null';
}

/**
 * True for label selectors that pick a whole environment: every requirement is on an environment
 * key (`env=prod`, `environment in (prod)`, `stage!=dev`). `app=api,env=prod` is bounded by `app`.
 */
export function envWideSelector(selector: string): boolean {
  const parts = selector
    .split(/,(?![^(]*\))/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return false;
  return parts.every((part) =>
    /^!?\s*(env|environment|stage|app\.kubernetes\.io\/environment)\s*(=|==|!=|\s+in\s|\s+notin\s|$)/i.test(part),
  );
}
