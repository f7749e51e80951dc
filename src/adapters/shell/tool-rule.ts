/**
 * The contract between the shell classifier's framework (parsing, normalising, unwrapping) and the
 * per-tool grammars (`rm`, `git`, `kubectl`, `terraform`, `aws` …). A rule sees one simple command
 * whose words are already normalised the way the shell would, and reports effects as facts.
 */
import type { ActionKind, Effect, Target } from '../../core/assessment.js';
import type { SqlDialect } from '../../core/action.js';

/** One word of a simple command after quote removal, escape processing and known-variable expansion. */
export interface Word {
  /** The value the command would receive. Unknown expansions stay as written (`$VAR`, `$(…)`). */
  readonly text: string;
  /** Holds an expansion whose value is unknown (an unassigned `$VAR`, `$(…)`, backticks). */
  readonly dynamic: boolean;
  /** Holds unquoted glob characters (`*`, `?`, `[`). */
  readonly glob: boolean;
}

/** A simple command as a rule sees it. */
export interface SimpleCommand {
  /** The command name, normalised: quotes removed, path stripped (`/usr/bin/rm` → `rm`). */
  readonly name: string;
  /** Arguments after the name. */
  readonly args: readonly Word[];
  /** Variables set for this command (leading `X=1`, `env X=1`) merged over the input's own. */
  readonly env: Readonly<Record<string, string>>;
  /** The command's source text, for `Effect.source`. */
  readonly text: string;
}

/** What a rule reports. Risk is per effect; the framework takes the worst. */
export interface ToolResult {
  readonly kind: ActionKind;
  readonly effects: readonly Effect[];
  readonly targets?: readonly Target[];
  /** The rule unwrapped an indirection layer (interpreter one-liner, nested shell, encoded payload). */
  readonly obfuscated?: boolean;
  readonly reasons?: readonly string[];
}

/** Services the framework offers to rules, for recursion and SQL. */
export interface ToolContext {
  /** Classifies nested shell text (`ssh host 'cmd'`, `sh -c '…'`, `kubectl exec -- sh -c '…'`). */
  classifyScript(script: string): ToolResult;
  /** Classifies a nested command given as words (`kubectl exec pod -- rm -rf /data`, `xargs rm`). */
  classifyArgv(words: readonly Word[]): ToolResult;
  /** Classifies SQL text with the real SQL parsers. */
  classifySql(
    sql: string,
    dialect: SqlDialect,
    database?: { readonly host?: string; readonly port?: number; readonly name?: string },
  ): ToolResult;
  /** Environment of the input (after same-input assignments), for targeting (`KUBECONFIG`, `AWS_PROFILE` …). */
  readonly env: Readonly<Record<string, string>>;
  /** Path prefixes the inventory marks as data. */
  readonly dataPaths: readonly string[];
}

/** A grammar for one command. Never throws: what it cannot judge it reports as `unknown`. */
export type ToolRule = (command: SimpleCommand, context: ToolContext) => ToolResult;

/** Rules by command name (the normalised `SimpleCommand.name`). */
export type ToolRuleTable = Readonly<Record<string, ToolRule>>;
