/**
 * The MCP classifier: turns an MCP tool call `{server, tool, arguments}` into effects and a risk
 * class (RISK.md). It reads, in order of trust: the operator's per-server mappings, the arguments
 * themselves (SQL goes to the SQL classifier, whole shell command lines to the shell classifier),
 * the tool's name read by rules (tool-name.ts: verb words anywhere, the object acted on; tool-effect.ts:
 * scope from the name and from kind-like arguments, records by key, path arguments by the file
 * rules), and last the server's own annotations, which are hints from a possibly untrusted server.
 */
import { z } from 'zod';
import type { McpAction, SqlDialect } from '../../core/action.js';
import { mcpToolMappingSchema, type McpToolMapping } from '../../core/config.js';
import {
  assessmentFromEffects,
  worseRisk,
  type Assessment,
  type Effect,
  type EffectVerb,
  type RiskClass,
  type Scope,
  type Target,
} from '../../core/assessment.js';
import type { FilePathContext } from '../file-paths.js';
import { judgeToolEffect, normaliseKey, type ToolFinding } from './tool-effect.js';
import { analyseToolName } from './tool-name.js';

/**
 * Per-server, per-tool mappings: `{ "<server>": { "<tool>": McpToolMapping } }` (the mapping schema
 * is airlock.yaml's, `mcp.servers.<server>.tools`). Unknown keys are rejected so that a typo fails
 * at start-up.
 */
export const mcpServerMappingsSchema = z.record(z.string().min(1), z.record(z.string().min(1), mcpToolMappingSchema));

export { mcpToolMappingSchema, type McpToolMapping };

/** All mappings, as validated by {@link mcpServerMappingsSchema}. */
export type McpServerMappings = z.infer<typeof mcpServerMappingsSchema>;

/** Options of {@link McpClassifier}. `shell` and `sql` are the real classifiers, injected. */
export interface McpClassifierOptions {
  /** Classifies a shell command line found in an argument. May throw; the MCP classifier catches it. */
  readonly shell: (command: string) => Assessment;
  /** Classifies SQL text found in an argument. May throw; the MCP classifier catches it. */
  readonly sql: (sql: string, dialect: SqlDialect) => Assessment;
  /** Operator mappings, already validated with {@link mcpServerMappingsSchema}. Default: none. */
  readonly mappings?: McpServerMappings;
}

/** Argument names that hold SQL when their value looks like SQL. */
const SQL_ARGS = ['sql', 'query', 'statement', 'statements'];
/** Argument names (normalised to snake case) that hold a whole shell command line. */
const SHELL_ARGS = ['command', 'cmd', 'cli_command', 'shell_command', 'command_line', 'cmdline', 'script', 'bash_command'];
/** True for an argument that holds a shell command: one of {@link SHELL_ARGS} or any `*_command` but `sub_command`. */
function isShellArg(key: string): boolean {
  const n = normaliseKey(key);
  return SHELL_ARGS.includes(n) || (n.endsWith('_command') && n !== 'sub_command' && n !== 'subcommand');
}
/** Argument names that hold a filesystem path. */
const PATH_ARGS = ['path', 'file_path', 'filePath', 'filename', 'file', 'directory', 'dir', 'source', 'destination'];
/** Tool verbs whose `query` argument is a search string, never SQL. */
const SEARCH_VERBS: ReadonlySet<string> = new Set(['search', 'find', 'lookup', 'grep', 'browse']);
/** Argument names that hold a database name. */
const DATABASE_ARGS = ['database', 'db', 'dbname', 'database_name', 'databaseName'];
/** Argument names that name the resource acted on, in order of preference. */
const RESOURCE_ARGS = [
  'name',
  'id',
  'table',
  'table_name',
  'branch',
  'branch_id',
  'project_id',
  'repo',
  'repository',
  'bucket',
  'index',
  'key',
  'resource',
];

const SQL_START =
  /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:select|insert|update|delete|with|create|drop|alter|truncate|grant|revoke|merge|replace|upsert|begin|start\s+transaction|commit|rollback|explain|set|show|copy|vacuum|analyze|do|call|comment|refresh|reindex|cluster|lock|prepare|execute|values|table)\b/i;

/** True when the text starts like a SQL statement (after leading comments). */
export function looksLikeSql(text: string): boolean {
  return SQL_START.test(text);
}

function riskForVerb(verb: EffectVerb): RiskClass {
  switch (verb) {
    case 'read':
      return 'read';
    case 'create':
    case 'modify':
      return 'write';
    case 'delete':
    case 'replace':
      return 'destructive';
    case 'execute':
      return 'unknown';
  }
}

function reversibleFor(risk: RiskClass): boolean | null {
  if (risk === 'read') return true;
  if (risk === 'destructive' || risk === 'catastrophic') return false;
  return null;
}

function scopeFor(risk: RiskClass): Scope {
  if (risk === 'read') return 'none';
  if (risk === 'unknown') return 'unknown';
  return 'resource';
}

/** Quotes a path for the shell, keeping a leading `~/` unquoted so that it still means home. */
function quotePath(path: string): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  if (path === '~') return '~';
  if (path.startsWith('~/')) return `~/${q(path.slice(2))}`;
  return q(path);
}

function stringArg(args: Readonly<Record<string, unknown>>, key: string): string | undefined {
  if (!Object.hasOwn(args, key)) return undefined;
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A shell command given as an argv array is joined with single-quote quoting, as a shell would read it. */
function commandArg(args: Readonly<Record<string, unknown>>, key: string): string | undefined {
  if (!Object.hasOwn(args, key)) return undefined;
  const value = args[key];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return (value as string[]).map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
  }
  return undefined;
}

/** Command-line tools whose arguments a runner tool may take as an argv array. */
const CLI_NAMES: ReadonlySet<string> = new Set([
  'gcloud',
  'gsutil',
  'bq',
  'kubectl',
  'helm',
  'aws',
  'az',
  'terraform',
  'tofu',
  'git',
  'docker',
  'gh',
  'eksctl',
  'pulumi',
  'psql',
  'redis',
]);
/** Server words that name a CLI. */
const CLI_ALIASES: Readonly<Record<string, string>> = { gcp: 'gcloud', azure: 'az', redis: 'redis-cli' };
/** Argument names that hold a CLI's arguments (without the CLI name). */
const CLI_ARGV_ARGS = ['args', 'argv', 'cli_args', 'arguments'];

/**
 * The CLI a runner tool drives: named in the tool (`run_gcloud_command`, `kubectl_exec`), or by the
 * server when the tool only says it runs something (`gcp` / `run_command`). Undefined otherwise.
 */
function cliOf(toolWords: readonly string[], server: string, verbClass: string | undefined): string | undefined {
  if (verbClass !== undefined && verbClass !== 'execute') return undefined;
  const inTool = toolWords.find((w) => CLI_NAMES.has(w));
  if (inTool !== undefined) return CLI_ALIASES[inTool] ?? inTool;
  for (const w of server.toLowerCase().split(/[^a-z0-9]+/)) {
    if (CLI_NAMES.has(w)) return CLI_ALIASES[w] ?? w;
    if (CLI_ALIASES[w] !== undefined) return CLI_ALIASES[w];
  }
  return undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Classifies MCP tool calls. Synchronous and total: `classify` never throws; anything it cannot judge
 * (an unrecognised tool, a failing nested classifier, odd arguments) is reported as `unknown` with a
 * reason. The tool's own effect comes from its name read by rules (verb words anywhere in the name,
 * the object acted on, scope words in the name and in kind-like arguments, path arguments judged by
 * the file rules); text the arguments carry for another system goes to the shell or SQL classifier.
 * Security note: server annotations are hints from a server that may be hostile; a `readOnlyHint`
 * only ever turns an otherwise unrecognisable tool into a read, never lowers what the name, the
 * mapping or the arguments revealed, while `destructiveHint: true` raises the tool's effect to at
 * least destructive.
 */
export class McpClassifier {
  private readonly shell: (command: string) => Assessment;
  private readonly sql: (sql: string, dialect: SqlDialect) => Assessment;
  private readonly mappings: McpServerMappings;

  constructor(options: McpClassifierOptions) {
    this.shell = options.shell;
    this.sql = options.sql;
    this.mappings = options.mappings ?? {};
  }

  /**
   * Classifies one MCP tool call. Kind is always `mcp`; never throws. `context` (optional) gives the
   * project root and the inventory's data paths, used to judge path arguments of writing tools.
   */
  classify(action: McpAction, context: FilePathContext = {}): Assessment {
    try {
      return this.classifyUnsafe(action, context);
    } catch (err) {
      const server = typeof action?.server === 'string' ? action.server : 'unknown';
      const tool = typeof action?.tool === 'string' ? action.tool : 'unknown';
      return assessmentFromEffects({
        kind: 'mcp',
        targets: [{ type: 'mcp', server }],
        effects: [
          {
            verb: 'execute',
            resource: `mcp ${server}/${tool}`,
            scope: 'unknown',
            reversible: null,
            risk: 'unknown',
            disruptive: false,
            reason: 'the MCP classifier failed on this call; not judged safe',
          },
        ],
        reasons: [`MCP classifier error: ${errorText(err)}`],
      });
    }
  }

  private classifyUnsafe(action: McpAction, context: FilePathContext): Assessment {
    const { server, tool } = action;
    if (typeof server !== 'string' || typeof tool !== 'string') throw new Error('server and tool must be strings');
    const args: Readonly<Record<string, unknown>> =
      action.arguments !== null && typeof action.arguments === 'object' && !Array.isArray(action.arguments) ? action.arguments : {};
    const mapping = Object.hasOwn(this.mappings, server)
      ? Object.hasOwn(this.mappings[server] ?? {}, tool)
        ? this.mappings[server]?.[tool]
        : undefined
      : undefined;
    const reasons: string[] = [];
    const targets: Target[] = [{ type: 'mcp', server }];
    const argEffects: Effect[] = [];
    let obfuscated = false;
    const name = analyseToolName(server, tool);
    const searchTool = name.verbs.some((v) => SEARCH_VERBS.has(v));

    // Resource named by the arguments, for the effect text.
    const resourceKey = mapping?.resourceArgument ?? RESOURCE_ARGS.find((k) => stringArg(args, k) !== undefined);
    const resourceValue = resourceKey === undefined ? undefined : stringArg(args, resourceKey);
    const resource = `mcp ${server}/${tool}${resourceKey !== undefined && resourceValue !== undefined ? ` ${resourceKey}=${resourceValue}` : ''}`;

    // Nested text: SQL and shell found in the arguments are judged by the real classifiers.
    const absorb = (sub: Assessment, source: string, what: string): void => {
      for (const e of sub.effects) argEffects.push({ ...e, source: e.source ?? source });
      if (sub.effects.length === 0) {
        argEffects.push({
          verb: 'read',
          resource: `${what} in ${resource}`,
          scope: 'none',
          reversible: true,
          risk: sub.risk === 'unknown' ? 'unknown' : 'read',
          disruptive: false,
          reason: `${what} changes nothing`,
          source,
        });
      }
      targets.push(...sub.targets);
      reasons.push(...sub.reasons);
      obfuscated = obfuscated || sub.obfuscated;
    };
    const failed = (what: string, key: string, err: unknown): void => {
      argEffects.push({
        verb: 'execute',
        resource: `${what} in ${resource}`,
        scope: 'unknown',
        reversible: null,
        risk: 'unknown',
        disruptive: false,
        reason: `could not classify the ${what} in argument "${key}"`,
      });
      reasons.push(`${what} classifier failed on argument "${key}": ${errorText(err)}`);
    };

    const sqlKeys = mapping?.sqlArgument !== undefined ? [mapping.sqlArgument] : SQL_ARGS;
    // An argument the operator says holds SQL, a command or a path, given as something else
    // (an array, an object), could still reach the system: it is not judged safe.
    const notText = (what: string, key: string): void =>
      failed(what, key, new Error(`the mapped argument "${key}" is ${Array.isArray(args[key]) ? 'an array' : typeof args[key]}, not text`));
    if (
      mapping?.sqlArgument !== undefined &&
      Object.hasOwn(args, mapping.sqlArgument) &&
      stringArg(args, mapping.sqlArgument) === undefined
    )
      notText('SQL', mapping.sqlArgument);
    if (
      mapping?.shellArgument !== undefined &&
      Object.hasOwn(args, mapping.shellArgument) &&
      commandArg(args, mapping.shellArgument) === undefined
    )
      notText('shell command', mapping.shellArgument);
    if (
      mapping?.pathArgument !== undefined &&
      Object.hasOwn(args, mapping.pathArgument) &&
      stringArg(args, mapping.pathArgument) === undefined
    )
      notText('path', mapping.pathArgument);
    for (const key of sqlKeys) {
      const text = stringArg(args, key);
      if (text === undefined) continue;
      if (mapping?.sqlArgument === undefined && !looksLikeSql(text)) continue;
      // A search tool's query is a search string: data for the search, like grep's pattern (RISK.md rule 1).
      if (key === 'query' && searchTool && mapping?.sqlArgument === undefined) {
        reasons.push('argument "query" of a search tool is a search string (data), not SQL');
        continue;
      }
      const dialect: SqlDialect = mapping?.dialect ?? 'unknown';
      reasons.push(`argument "${key}" holds SQL (${dialect}); classified as SQL`);
      try {
        absorb(this.sql(text, dialect), text, 'SQL');
      } catch (err) {
        failed('SQL', key, err);
      }
    }
    const shellKeys = mapping?.shellArgument !== undefined ? [mapping.shellArgument] : Object.keys(args).filter(isShellArg);
    for (const key of shellKeys) {
      const text = commandArg(args, key);
      if (text === undefined) continue;
      reasons.push(`argument "${key}" holds a shell command; classified as shell`);
      try {
        absorb(this.shell(text), text, 'shell command');
      } catch (err) {
        failed('shell command', key, err);
      }
    }

    // A CLI runner given the CLI's arguments only (`run_gcloud_command {args: [...]}`): judged as that CLI's command line.
    if (mapping?.shellArgument === undefined && !shellKeys.some((k) => commandArg(args, k) !== undefined)) {
      const cli = cliOf(name.words, server, name.verbClass);
      const key = cli === undefined ? undefined : CLI_ARGV_ARGS.find((k) => commandArg(args, k) !== undefined);
      if (cli !== undefined && key !== undefined) {
        const argv = commandArg(args, key) as string;
        const text = argv === cli || argv.startsWith(`${cli} `) ? argv : `${cli} ${argv}`;
        reasons.push(`argument "${key}" holds the arguments of ${cli}; classified as \`${cli} …\``);
        try {
          absorb(this.shell(text), text, `${cli} command`);
        } catch (err) {
          failed('shell command', key, err);
        }
      }
    }

    // Targets the arguments reveal.
    const pathKeys = mapping?.pathArgument !== undefined ? [mapping.pathArgument] : PATH_ARGS;
    for (const key of pathKeys) {
      const p = stringArg(args, key);
      if (p !== undefined && p.length > 0) targets.push({ type: 'path', path: p });
    }
    for (const key of DATABASE_ARGS) {
      const db = stringArg(args, key);
      if (db !== undefined && db.length > 0) targets.push({ type: 'database', database: db });
    }

    // The tool's own effect: mapping first, then the name read by rules, then the annotations.
    const deletePath = (path: string, recursive: boolean): ToolFinding => {
      const command = `rm ${recursive ? '-rf' : '-f'} -- ${quotePath(path)}`;
      try {
        const sub = this.shell(command);
        targets.push(...sub.targets);
        const worst = sub.effects.find((e) => e.risk === sub.risk);
        return {
          verb: 'delete',
          risk: sub.risk,
          scope: sub.blastRadius.scope === 'none' ? 'resource' : sub.blastRadius.scope,
          disruptive: sub.disruptive,
          reversible: worst?.reversible ?? reversibleFor(sub.risk),
          why: `deletes ${path}, judged as \`${command}\`: ${worst?.reason ?? sub.risk}`,
        };
      } catch (err) {
        reasons.push(`shell classifier failed on the path "${path}": ${errorText(err)}`);
        return { verb: 'delete', risk: 'unknown', scope: 'unknown', disruptive: false, why: `could not judge deleting ${path}` };
      }
    };
    const fromName = judgeToolEffect({ server, name, args, context, deletePath });
    let verb: EffectVerb;
    let risk: RiskClass;
    let scope: Scope;
    let disruptive = false;
    let reversible: boolean | null | undefined;
    let why: string;
    if (mapping !== undefined && (mapping.verb !== undefined || mapping.risk !== undefined)) {
      verb = mapping.verb ?? fromName?.verb ?? 'execute';
      risk = mapping.risk ?? (mapping.verb !== undefined ? riskForVerb(mapping.verb) : (fromName?.risk ?? 'unknown'));
      scope = fromName !== null && fromName.risk === risk ? fromName.scope : scopeFor(risk);
      disruptive = fromName?.disruptive ?? false;
      why = `operator mapping for ${server}/${tool}${mapping.risk !== undefined ? ` sets risk ${mapping.risk}` : ` says verb ${verb}`}`;
      reasons.push(why);
    } else if (fromName !== null) {
      ({ verb, risk, scope, disruptive, why } = fromName);
      reversible = fromName.reversible;
    } else {
      verb = 'execute';
      risk = 'unknown';
      scope = 'unknown';
      why = 'tool is not mapped and its name is not recognisable';
    }
    const annotations = action.annotations;
    if (risk === 'unknown' && verb !== 'delete' && annotations?.readOnlyHint === true && annotations.destructiveHint !== true) {
      verb = 'read';
      risk = 'read';
      scope = 'none';
      reversible = undefined;
      why = 'server annotates the tool readOnlyHint (an untrusted hint, used only because nothing else was known)';
      reasons.push(why);
    }
    if (annotations?.destructiveHint === true && risk !== 'catastrophic') {
      if (risk !== 'destructive') reasons.push('server annotates the tool destructiveHint: raised to destructive');
      risk = worseRisk(risk, 'destructive');
      reversible = undefined;
      if (verb === 'read' || verb === 'create' || verb === 'execute') verb = 'delete';
      if (scope === 'none' || scope === 'unknown') scope = 'resource';
      why = `${why}; server declares destructiveHint`;
    }

    const effects: Effect[] = [];
    // A tool that is only a conduit (execute_sql, run_command) is explained by its arguments.
    const conduit = risk === 'unknown' && verb === 'execute' && argEffects.length > 0;
    if (!conduit) {
      effects.push({
        verb,
        resource,
        scope,
        reversible: reversible !== undefined ? reversible : reversibleFor(risk),
        risk,
        disruptive,
        reason: why,
      });
    }
    effects.push(...argEffects);
    if (risk === 'unknown' && !conduit) reasons.push(`${server}/${tool}: ${why}; not judged safe`);

    // Neither annotated read-only nor mapped: the tool's own effect is a guess from its name, which
    // the default pack holds in protected environments (hold-protected-unvetted-tool).
    // A read-only hint vets a tool only where nothing contradicts it: a tool named `update_prices`
    // that says it only reads is not taken at its word.
    const hintAgrees = annotations?.readOnlyHint === true && (fromName === null || fromName.verb === 'read');
    const unvetted = mapping === undefined && !hintAgrees;
    if (unvetted)
      reasons.push(
        annotations?.readOnlyHint === true
          ? `${server}/${tool} is annotated read-only, but its name says ${fromName?.verb ?? 'otherwise'}, and it is not mapped in airlock.yaml: its effect is a guess`
          : `${server}/${tool} is neither annotated read-only nor mapped in airlock.yaml: its effect is a guess from its name`,
      );
    return assessmentFromEffects({ kind: 'mcp', effects, targets, obfuscated, unvetted, reasons });
  }
}
