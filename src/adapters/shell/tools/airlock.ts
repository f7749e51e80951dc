/**
 * The grammar for Airlock's own CLI. Some of its commands are for humans only: approving, denying or
 * withdrawing held requests, deciding elevation grants, issuing agent identities and managing the
 * credentials of those who may approve. An agent running one of them decides its own request
 * (SECURITY.md invariant 2, no self-approval), so they are catastrophic: account-wide and not
 * undoable, whatever the environment.
 *
 * `airlock exec [opts] -- CMD…` and `airlock sh [opts] -c SCRIPT` are judged as what they run.
 * `airlock exec` is the sanctioned wrapper: it adds no indirection of its own (the result is not
 * marked obfuscated by this layer), and the nested result passes through unchanged, so wrapping a
 * command neither hides it nor makes it look worse. The options are parsed the way `src/app/args.ts`
 * parses them, so the words judged are the words Airlock would run.
 *
 * Reads (`help`, `version`, `check`, `requests`, `audit verify|tail`, `policy test`, `grants list`,
 * `humans list`, `agents list`, `hook CLIENT`) are `read`; starting the gateway and anything else
 * is `unknown`.
 */
import { mergeResults } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';
import { effect, result, safeRule, unknownEffect } from './infra-common.js';

const RESOURCE = 'airlock';

function read(command: SimpleCommand, reason: string): ToolResult {
  return result('shell', [effect(command, 'read', RESOURCE, 'none', 'read', reason)], []);
}

function unknown(command: SimpleCommand, reason: string): ToolResult {
  return result('shell', [unknownEffect(command, RESOURCE, reason)], []);
}

/** A human-only command: an agent running it approves (or arranges approval of) its own actions. */
function humanOnly(command: SimpleCommand, reason: string): ToolResult {
  return result('shell', [effect(command, 'modify', RESOURCE, 'account', 'catastrophic', reason, { reversible: false })], []);
}

const SELF_APPROVAL = 'an agent doing it decides its own request (self-approval)';
const MANAGES_APPROVERS = 'manages who may approve; an agent doing it can approve its own requests (self-approval)';

/** Human-only subcommands of the top level, with their reasons. */
const HUMAN_ONLY: Readonly<Record<string, string>> = {
  approve: 'airlock approve: only humans approve; an agent approving is approving its own request (self-approval)',
  deny: `airlock deny: only humans decide held requests; ${SELF_APPROVAL}`,
  revoke: `airlock revoke: only humans withdraw held requests; ${SELF_APPROVAL}`,
  init: `airlock init: writes airlock.yaml, which sets environments, policy and humans; it ${MANAGES_APPROVERS}`,
};

/** `airlock grants SUB`: reads and human-only decisions on time-bound elevation. */
const GRANTS_HUMAN_ONLY: Readonly<Record<string, string>> = {
  add: `airlock grants add: only humans grant elevation past policy; ${SELF_APPROVAL}`,
  approve: `airlock grants approve: only humans approve elevation; ${SELF_APPROVAL}`,
  deny: `airlock grants deny: only humans decide elevation; ${SELF_APPROVAL}`,
  revoke: `airlock grants revoke: only humans manage elevation; ${SELF_APPROVAL}`,
};

/** `airlock humans SUB`: the credentials of the people who may approve. */
const HUMANS_HUMAN_ONLY: Readonly<Record<string, string>> = {
  passwd: `airlock humans passwd: sets a human's password; it ${MANAGES_APPROVERS}`,
  token: `airlock humans token: issues a human's approval token; it ${MANAGES_APPROVERS}`,
  'revoke-token': `airlock humans revoke-token: withdraws a human's approval token; it ${MANAGES_APPROVERS}`,
};

/** `airlock agents SUB`: agent identities and roles. */
const AGENTS_HUMAN_ONLY: Readonly<Record<string, string>> = {
  add: 'airlock agents add: issues an agent identity and its roles; only humans decide who may act and how (self-approval)',
  revoke: 'airlock agents revoke: withdraws an agent identity; only humans decide who may act and how (self-approval)',
};

/** Options of `airlock exec` / `airlock sh` (src/app/cli.ts GATED_FLAGS): name → takes a value. */
const GATED_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['env', true],
  ['agent', true],
  ['intent', true],
  ['json', false],
  ['help', false],
  ['no-wait', false],
  ['wait-timeout', true],
]);

/** The option named by `word` (`--name`, `--name=value`, a known short), or `undefined` for a non-option. */
function optionOf(
  text: string,
  shorts: Readonly<Record<string, string>>,
): { readonly name: string; readonly inline: string | undefined } | undefined {
  if (text.startsWith('--') && text.length > 2) {
    const eq = text.indexOf('=');
    return eq === -1 ? { name: text.slice(2), inline: undefined } : { name: text.slice(2, eq), inline: text.slice(eq + 1) };
  }
  if (text.length === 2 && text.startsWith('-')) {
    const name = shorts[text.slice(1)];
    if (name !== undefined) return { name, inline: undefined };
  }
  return undefined;
}

/** True when an option word's name (not its inline value) is not known before run time. */
function dynamicName(word: Word): boolean {
  if (!word.dynamic) return false;
  const eq = word.text.indexOf('=');
  return !(word.text.startsWith('--') && eq > 2 && !/[$`]/.test(word.text.slice(0, eq)));
}

/** The nested result with an unknown effect added, unless it is already destructive or worse. */
function atLeastUnknown(nested: ToolResult, command: SimpleCommand, reason: string): ToolResult {
  if (nested.effects.some((e) => e.risk === 'destructive' || e.risk === 'catastrophic')) return nested;
  return { ...nested, effects: [...nested.effects, unknownEffect(command, RESOURCE, reason)] };
}

/** Reports that the nested result was reached through `airlock exec`/`sh` without changing it. */
function through(nested: ToolResult, how: string): ToolResult {
  return { ...nested, reasons: [...(nested.reasons ?? []), `judged as the command ${how} runs`] };
}

/**
 * `airlock exec [opts] [--] CMD…`: options stop at the first operand or `--` (stopAtOperand).
 * A word whose value is unknown in option position, or an option the CLI refuses, leaves what runs
 * unsettled: unknown, and never better than the words that may still be the command.
 */
function exec(command: SimpleCommand, context: ToolContext): ToolResult {
  const args = command.args.slice(1);
  const unsettled = (from: number, reason: string): ToolResult => {
    const dd = args.findIndex((w, k) => k >= from && w.text === '--');
    const candidate = dd >= 0 ? args.slice(dd + 1) : args.slice(from);
    const u = unknown(command, reason);
    return candidate.length === 0 ? u : mergeResults([context.classifyArgv(candidate), u]);
  };
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i]!;
    if (word.text === '--') {
      i++;
      break;
    }
    if (word.dynamic && word.text.startsWith('-') && dynamicName(word))
      return unsettled(i + 1, `airlock exec: the option ${word.text} is not known before run time`);
    const option = optionOf(word.text, { h: 'help' });
    if (option === undefined) {
      // The first operand starts the command. One whose value is unknown may also be an option.
      if (word.dynamic && i + 1 < args.length) return unsettled(i + 1, `airlock exec: ${word.text} is not known before run time`);
      break;
    }
    const valued = GATED_OPTIONS.get(option.name);
    if (valued === undefined) return unsettled(i + 1, `airlock exec: unknown option --${option.name}; the CLI refuses it`);
    if (valued && option.inline === undefined) {
      if (i + 1 >= args.length) return read(command, `airlock exec: --${option.name} without a value runs nothing`);
      i++;
    }
  }
  const inner = args.slice(i);
  if (inner.length === 0) return read(command, 'airlock exec without a command runs nothing');
  return through(context.classifyArgv(inner), 'airlock exec');
}

/**
 * `airlock sh [opts] -c SCRIPT`: options anywhere before `--` (no stopAtOperand); the last
 * `-c`/`--command` wins. A word whose value is unknown outside an option value makes the result
 * at least unknown.
 */
function sh(command: SimpleCommand, context: ToolContext): ToolResult {
  const args = command.args.slice(1);
  let script: Word | undefined;
  let operands = 0;
  let doubt: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word.text === '--') break;
    if (dynamicName(word)) {
      doubt ??= `airlock sh: ${word.text} is not known before run time`;
      operands++;
      continue;
    }
    const option = optionOf(word.text, { h: 'help', c: 'command' });
    if (option === undefined) {
      if (word.text.startsWith('-') && word.text.length > 1 && operands === 0)
        return unknown(command, `airlock sh: unknown option ${word.text}; the CLI refuses it`);
      operands++;
      continue;
    }
    const valued = option.name === 'command' ? true : GATED_OPTIONS.get(option.name);
    if (valued === undefined) return unknown(command, `airlock sh: unknown option --${option.name}; the CLI refuses it`);
    if (!valued) continue;
    let value: Word;
    if (option.inline !== undefined) value = { ...word, text: option.inline };
    else {
      const next = args[i + 1];
      if (next === undefined) return read(command, `airlock sh: --${option.name} without a value runs nothing`);
      value = next;
      i++;
    }
    if (option.name === 'command') script = value;
  }
  if (script === undefined || (!script.dynamic && script.text.trim() === '')) {
    return doubt === undefined ? read(command, 'airlock sh without a script runs nothing') : unknown(command, doubt);
  }
  let nested = through(context.classifyScript(script.text), 'airlock sh -c');
  if (script.dynamic) nested = atLeastUnknown(nested, command, 'airlock sh -c of a script not known before run time');
  if (doubt !== undefined) nested = atLeastUnknown(nested, command, doubt);
  return nested;
}

/** Options of `airlock sql` (src/app/sql-command.ts SQL_FLAGS): name → takes a value. */
const SQL_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['target', true],
  ['file', true],
  ['max-rows', true],
  ['agent', true],
  ['intent', true],
  ['json', false],
  ['no-wait', false],
  ['wait-timeout', true],
]);

/**
 * `airlock sql [opts] SQL…`: judged as the SQL it runs (Airlock gates it again on its target, with
 * a rehearsal). SQL from a file, or words not known before run time, are not visible here: unknown.
 */
function sql(command: SimpleCommand, context: ToolContext): ToolResult {
  const args = command.args.slice(1);
  const words: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word.dynamic && word.text.startsWith('-') && dynamicName(word))
      return unknown(command, `airlock sql: the option ${word.text} is not known before run time`);
    const option = optionOf(word.text, { t: 'target', f: 'file' });
    if (option === undefined) {
      words.push(word);
      continue;
    }
    const valued = SQL_OPTIONS.get(option.name);
    if (valued === undefined) return unknown(command, `airlock sql: unknown option --${option.name}; the CLI refuses it`);
    if (option.name === 'file') return unknown(command, 'airlock sql -f runs SQL from a file, which is not visible here');
    if (valued && option.inline === undefined) i++;
  }
  if (words.some((w) => w.dynamic)) return unknown(command, 'airlock sql: SQL not known before run time');
  const text = words.map((w) => w.text).join(' ');
  if (text.trim() === '') return read(command, 'airlock sql without SQL runs nothing');
  const nested = context.classifySql(text, 'unknown', {});
  return { ...nested, reasons: [...(nested.reasons ?? []), 'judged as the SQL airlock sql runs'] };
}

/** `airlock SUB WORD …` where only WORD (a sub-subcommand) decides. */
function nestedSubcommand(
  command: SimpleCommand,
  group: string,
  reads: ReadonlySet<string | undefined>,
  humanOnlyTable: Readonly<Record<string, string>>,
): ToolResult {
  const word = command.args[1];
  if (word?.dynamic) return unknown(command, `airlock ${group}: the subcommand ${word.text} is not known before run time`);
  const sub = word?.text;
  if (sub !== undefined && Object.hasOwn(humanOnlyTable, sub)) return humanOnly(command, humanOnlyTable[sub]!);
  if (reads.has(sub)) return read(command, `airlock ${group}${sub === undefined ? '' : ` ${sub}`} only reads`);
  return unknown(command, `airlock ${group}: no grammar for the subcommand ${sub ?? '(none)'}`);
}

/** `airlock requests [--all|--status S|--limit N|--json|-q] [show ID]`. */
function requests(command: SimpleCommand): ToolResult {
  const args = command.args.slice(1);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word.dynamic) return unknown(command, `airlock requests: ${word.text} is not known before run time`);
    if (word.text === '--status' || word.text === '--limit') {
      i++;
      continue;
    }
    if (word.text.startsWith('-')) continue;
    if (word.text === 'show') return read(command, 'airlock requests show only reads a request');
    return unknown(command, `airlock requests: no grammar for the subcommand ${word.text}`);
  }
  return read(command, 'airlock requests only lists held requests');
}

/** Options of `airlock mcp` that take a value. */
const MCP_VALUED = new Set(['--name', '--upstream', '--header', '--listen', '--agent', '--env', '--wait-timeout']);

/**
 * `airlock mcp [opts] -- COMMAND ARGS…` starts COMMAND as the upstream MCP server: judged as that
 * command (the tool calls it later serves are decided one by one). An operand without `--` is
 * judged the same way, though the CLI refuses it. With `--upstream URL` and no command it only
 * relays calls it decides.
 */
function mcp(command: SimpleCommand, context: ToolContext): ToolResult {
  const args = command.args.slice(1);
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (w.dynamic) return unknown(command, `airlock mcp: ${w.text} is not known before run time`);
    if (w.text === '--' || !w.text.startsWith('-')) {
      const inner = args.slice(w.text === '--' ? i + 1 : i);
      if (inner.length === 0) return read(command, 'airlock mcp without a server command runs nothing');
      return through(context.classifyArgv(inner), 'airlock mcp');
    }
    if (MCP_VALUED.has(w.text)) i++;
  }
  return read(command, 'airlock mcp --upstream relays MCP tool calls, deciding each one; it runs no command');
}

const airlockRule = (command: SimpleCommand, context: ToolContext): ToolResult => {
  const first = command.args[0];
  if (first === undefined) return read(command, 'airlock without arguments prints the usage');
  if (first.dynamic) return unknown(command, `airlock: the subcommand ${first.text} is not known before run time`);
  const sub = first.text;
  // `airlock CMD --help` (before any operand) prints the usage, for every command.
  const second = command.args[1];
  if (second !== undefined && !second.dynamic && (second.text === '--help' || second.text === '-h'))
    return read(command, `airlock ${sub} ${second.text} prints the usage`);
  if (Object.hasOwn(HUMAN_ONLY, sub)) return humanOnly(command, HUMAN_ONLY[sub]!);
  switch (sub) {
    case 'help':
    case '--help':
    case '-h':
      return read(command, 'airlock help prints the usage');
    case 'version':
    case '--version':
      return read(command, 'airlock version prints the version');
    case 'check':
      return read(command, 'airlock check only explains the decision (what-if); it runs nothing');
    case 'hook':
      return read(command, "airlock hook answers a coding agent's pre-tool hook; it decides only and runs nothing");
    case 'mcp':
      return mcp(command, context);
    case 'requests':
      return requests(command);
    case 'audit':
      return nestedSubcommand(command, 'audit', new Set(['verify', 'tail']), {});
    case 'policy':
      return nestedSubcommand(command, 'policy', new Set(['test']), {});
    case 'grants':
      return nestedSubcommand(command, 'grants', new Set([undefined, 'list', 'show']), GRANTS_HUMAN_ONLY);
    case 'humans':
      return nestedSubcommand(command, 'humans', new Set([undefined, 'list']), HUMANS_HUMAN_ONLY);
    case 'agents':
      return nestedSubcommand(command, 'agents', new Set(['list']), AGENTS_HUMAN_ONLY);
    case 'exec':
      return exec(command, context);
    case 'sh':
      return sh(command, context);
    case 'sql':
      return sql(command, context);
    case 'undo':
      return result(
        'shell',
        [
          effect(
            command,
            'modify',
            'database',
            'selection',
            'write',
            'airlock undo restores the rows a change removed or altered, on its database target',
          ),
        ],
        [],
      );
    case 'recovery': {
      const word = command.args[1];
      if (word?.dynamic) return unknown(command, `airlock recovery: the subcommand ${word.text} is not known before run time`);
      if (word?.text === 'list') return read(command, 'airlock recovery list only reads recovery points');
      if (word?.text === 'purge')
        return result(
          'shell',
          [
            effect(
              command,
              'delete',
              'airlock recovery points',
              'database',
              'destructive',
              'airlock recovery purge drops the kept copies that undo needs',
              {
                reversible: false,
              },
            ),
          ],
          [],
        );
      return unknown(command, `airlock recovery: no grammar for the subcommand ${word?.text ?? '(none)'}`);
    }
    case 'up':
    case 'start':
      return unknown(command, `airlock ${sub} starts the gateway (HTTP API and web UI)`);
    default:
      return unknown(command, `airlock: no grammar for the subcommand ${sub}`);
  }
};

const airlock: ToolRule = safeRule('shell', airlockRule);

/** Airlock's own CLI, by command name (`airlock.js`: the checkout's `bin/airlock.js`). */
export const airlockRules: ToolRuleTable = Object.freeze({ airlock, 'airlock.js': airlock });
