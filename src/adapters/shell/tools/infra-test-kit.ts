/**
 * Test helpers for the infrastructure grammars: a tiny `SimpleCommand` builder (whitespace split,
 * single and double quotes, `$` marks a dynamic word) and a `ToolContext` whose nested
 * classifiers record what they were given. Used only by `*.test.ts` beside this file.
 */
import type { Effect, RiskClass } from '../../../core/assessment.js';
import { worstRisk } from '../../../core/assessment.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRuleTable, Word } from '../tool-rule.js';

/** Splits a command line into words the way a simple shell would (no expansions). */
export function splitWords(line: string): Word[] {
  const out: Word[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const raw = m[3];
    const text = m[1] ?? m[2] ?? raw ?? '';
    out.push({ text, dynamic: m[1] === undefined && text.includes('$'), glob: raw !== undefined && /[*?[]/.test(raw) });
  }
  return out;
}

/** Builds a `SimpleCommand` from a line such as `kubectl -n prod delete ns x`. */
export function cmd(line: string, env: Readonly<Record<string, string>> = {}): SimpleCommand {
  const words = splitWords(line);
  const name = words[0]?.text ?? '';
  return { name: name.slice(name.lastIndexOf('/') + 1), args: words.slice(1), env, text: line };
}

/** A context whose nested classifiers record their input and answer with a fixed risk. */
export function recordingContext(
  env: Readonly<Record<string, string>> = {},
  nestedRisk: RiskClass = 'destructive',
): ToolContext & { readonly seen: string[] } {
  const seen: string[] = [];
  const nested = (what: string, kind: ToolResult['kind']): ToolResult => {
    seen.push(what);
    const e: Effect = {
      verb: 'execute',
      resource: what,
      scope: 'resource',
      reversible: null,
      risk: nestedRisk,
      disruptive: false,
      reason: 'nested',
    };
    return { kind, effects: [e] };
  };
  return {
    seen,
    env,
    dataPaths: [],
    classifyScript: (script) => nested(script, 'shell'),
    classifyArgv: (words) => nested(words.map((w) => w.text).join(' '), words[0]?.text === 'psql' ? 'sql' : 'shell'),
    classifySql: (sql) => nested(sql, 'sql'),
  };
}

/** Runs a line through a table and returns the result and its worst risk. */
export function run(
  table: ToolRuleTable,
  line: string,
  env: Readonly<Record<string, string>> = {},
  context = recordingContext(),
): { readonly result: ToolResult; readonly risk: RiskClass } {
  const command = cmd(line, env);
  const rule = table[command.name];
  if (!rule) throw new Error(`no rule for ${command.name}`);
  const result = rule(command, context);
  return { result, risk: worstRisk(result.effects.map((e) => e.risk)) };
}
