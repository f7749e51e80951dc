/**
 * The composite classifier: routes each action to the classifier of its surface (shell, SQL, MCP,
 * file paths) and returns one Assessment. This is what the composition root wires into the gateway.
 */
import { posix } from 'node:path';
import type { Action, FileAction, SqlDialect } from '../core/action.js';
import { assessmentFromEffects, type Assessment, type Effect, type RiskClass, type Target } from '../core/assessment.js';
import { judgeFileWrite } from './file-paths.js';
import type { ClassifyContext, Classifier } from '../core/ports.js';
import { McpClassifier, type McpServerMappings } from './mcp/mcp-classifier.js';
import { ShellClassifier } from './shell/shell-classifier.js';
import { SqlClassifier } from './sql/sql-classifier.js';

/** One of Airlock's own paths, protected from agents. */
export interface OwnPath {
  /** Absolute path of a file or directory. */
  readonly path: string;
  /** What it is, in words: "configuration", "audit store and keys" … */
  readonly what: string;
  /** Even reading it is refused (the signing key). */
  readonly secret?: boolean;
}

/** Options for {@link createClassifier}. */
export interface CreateClassifierOptions {
  /** Airlock's own configuration, policies and data: any change to them is catastrophic. */
  readonly ownPaths?: readonly OwnPath[];
  /** Per-server MCP tool mappings from airlock.yaml. */
  readonly mcpMappings?: McpServerMappings;
  /**
   * `eager` (default) loads the SQL parsers now; `on-demand` loads them in `prepare()` for the first
   * action that may hold SQL, which keeps short-lived processes (hooks) fast.
   */
  readonly sqlParsers?: 'eager' | 'on-demand';
}

/** Words that suggest an action may carry SQL: a database CLI, or a statement keyword. */
const MAY_HOLD_SQL =
  /\b(psql|mysql|mariadb|sqlite3?|pgcli|mycli|usql|duckdb|cockroach|execute|query|sql)\b|\b(select|insert|update|delete|drop|truncate|alter|create|grant|revoke|replace|merge|copy|vacuum|call|do|with|begin|explain)\s/i;

/** Loads the parsers (SQL now or on demand) and returns a ready classifier. Fails only when a parser cannot load. */
export async function createClassifier(options: CreateClassifierOptions = {}): Promise<CompositeClassifier> {
  const sql = await SqlClassifier.create(options.sqlParsers === 'on-demand' ? { dialects: [] } : {});
  const shell = await ShellClassifier.create({ sql });
  return new CompositeClassifier({
    shell,
    sql,
    ...(options.mcpMappings === undefined ? {} : { mcpMappings: options.mcpMappings }),
    ...(options.ownPaths === undefined ? {} : { ownPaths: options.ownPaths }),
  });
}

/** Routes actions to the classifier for their kind. Synchronous; never throws. */
export class CompositeClassifier implements Classifier {
  readonly #shell: ShellClassifier;
  readonly #sql: SqlClassifier;
  readonly #mcp: McpClassifier;

  readonly #own: readonly OwnPath[];

  constructor(options: { shell: ShellClassifier; sql: SqlClassifier; mcpMappings?: McpServerMappings; ownPaths?: readonly OwnPath[] }) {
    this.#own = (options.ownPaths ?? []).map((o) => ({ ...o, path: posix.normalize(o.path).replace(/\/+$/, '') || '/' }));
    this.#shell = options.shell;
    this.#sql = options.sql;
    this.#mcp = new McpClassifier({
      shell: (command: string) => this.#shell.classify(command),
      sql: (text: string, dialect: SqlDialect) => this.#classifySql(text, dialect),
      ...(options.mcpMappings === undefined ? {} : { mappings: options.mcpMappings }),
    });
  }

  /** Loads the SQL parsers when this action may hold SQL (no-op once loaded). */
  async prepare(action: Action): Promise<void> {
    const text =
      action.kind === 'shell'
        ? action.command
        : action.kind === 'mcp'
          ? JSON.stringify(action.arguments)
          : action.kind === 'sql'
            ? null
            : '';
    if (text === null || MAY_HOLD_SQL.test(text)) await this.#sql.load(['postgresql', 'mysql', 'sqlite']);
  }

  classify(action: Action, context: ClassifyContext = {}): Assessment {
    return this.#guardOwnFiles(action, this.#classifyKind(action, context), context);
  }

  #classifyKind(action: Action, context: ClassifyContext): Assessment {
    switch (action.kind) {
      case 'shell':
        return this.#shell.classify(action.command, context);
      case 'sql':
        return this.#classifySql(action.sql, action.dialect, action.database);
      case 'mcp':
        return this.#mcp.classify(action, context);
      case 'file':
        return this.#classifyFile(action, context);
    }
  }

  #classifySql(text: string, dialect: SqlDialect, database?: { host?: string; port?: number; name?: string }): Assessment {
    const result = this.#sql.classify(text, dialect, database);
    return assessmentFromEffects({
      kind: 'sql',
      effects: result.effects,
      targets: result.targets ?? [],
      obfuscated: result.obfuscated ?? false,
      reasons: result.reasons ?? [],
    });
  }

  #classifyFile(action: FileAction, context: ClassifyContext): Assessment {
    // Judge the path the tool will really open: relative to the working directory, `..` resolved.
    const paths = [action.path, ...(action.morePaths ?? [])].map((p) => normalizePath(p, context.cwd));
    if (action.operation === 'delete') {
      const a = this.#shell.classify(`rm -f -- ${paths.map(shellQuote).join(' ')}`, context);
      return { ...a, kind: 'file' };
    }
    const effects = paths.map((path): Effect => {
      const judged =
        action.operation === 'read'
          ? { risk: 'read' as RiskClass, reason: 'reads a file', reversible: true }
          : judgeFileWrite(path, context);
      return {
        verb: action.operation === 'read' ? 'read' : 'modify',
        resource: `file ${path}`,
        scope: 'resource',
        reversible: judged.reversible,
        risk: judged.risk,
        disruptive: false,
        reason: judged.reason,
      };
    });
    return assessmentFromEffects({ kind: 'file', effects, targets: paths.map((path) => ({ type: 'path' as const, path })) });
  }

  /**
   * Airlock's own files are out of an agent's reach: changing the configuration, the policies or
   * the data directory (audit store, keys, caches) would switch Airlock off, and reading the signing
   * key would let the agent forge checkpoints. Such an action is catastrophic whatever else it does.
   * Three ways of naming a file are judged: a path target, a path an effect writes (a redirect,
   * `tee`, `sed -i`, `truncate`), and a SQLite database (a file: writing the store is approving
   * one's own request).
   */
  #guardOwnFiles(action: Action, assessment: Assessment, context: ClassifyContext): Assessment {
    if (this.#own.length === 0) return assessment;
    const hits: Effect[] = [];
    const hit = (own: OwnPath, reading: boolean, reason: string): void => {
      const resource = `Airlock's ${own.what} (${own.path})`;
      if (hits.some((h) => h.resource === resource)) return;
      hits.push({
        verb: reading ? 'read' : 'modify',
        resource,
        scope: 'resource',
        reversible: false,
        risk: 'catastrophic',
        disruptive: false,
        reason,
      });
    };
    const changes = (own: OwnPath): string => `changes Airlock's ${own.what}: an agent may not reconfigure or erase its own guard`;
    const reading = assessment.risk === 'read';
    for (const t of assessment.targets) {
      if (t.type !== 'path') continue;
      const abs = normalizePath(t.path, context.cwd);
      for (const own of this.#own) {
        const within = abs === own.path || abs.startsWith(`${own.path}/`);
        // Changing or deleting a parent (or `/`) changes what is inside it; listing a parent does
        // not read the key, so reads count only on the path itself.
        const parent = own.path.startsWith(`${abs}/`) || abs === '/';
        if (reading ? !(own.secret && within) : !(within || parent)) continue;
        hit(own, reading, own.secret ? `reads Airlock's ${own.what}` : changes(own));
      }
    }
    // A path an effect writes or deletes, named by no target: output redirections (`>`, `>>`, `&>`),
    // `tee`, `sed -i`, `truncate`. Only the path itself counts: nothing writes a directory this way.
    for (const e of assessment.effects) {
      if (e.risk === 'read' || !e.resource.startsWith('path ')) continue;
      const abs = normalizePath(e.resource.slice('path '.length), context.cwd);
      for (const own of this.#own) {
        if (abs === own.path || abs.startsWith(`${own.path}/`)) hit(own, false, changes(own));
      }
    }
    // A SQLite database is a file: writing Airlock's store forges approvals, sessions and tokens.
    if (!reading) {
      for (const t of assessment.targets) {
        const file = t.type === 'database' ? sqliteFile(t) : null;
        if (file === null) continue;
        const abs = normalizePath(file, context.cwd);
        for (const own of this.#own) {
          if (abs === own.path || abs.startsWith(`${own.path}/`))
            hit(
              own,
              false,
              `writes Airlock's ${own.what} through its SQLite database: an agent may not approve its own requests or erase its own guard`,
            );
        }
      }
    }
    // A read names no path target in every grammar (`cat`, `base64`, an MCP read): look for the
    // secret's path in the action's own text too.
    for (const own of this.#own) {
      if (!own.secret || hits.some((h) => h.resource.includes(own.path))) continue;
      const text = actionText(action);
      const rel = context.cwd !== undefined && own.path.startsWith(`${context.cwd}/`) ? own.path.slice(context.cwd.length + 1) : null;
      if (text.includes(own.path) || (rel !== null && text.includes(rel)) || /signing-key(\.pub)?\.pem/.test(text))
        hit(own, true, `reads Airlock's ${own.what}`);
    }
    if (hits.length === 0) return assessment;
    return assessmentFromEffects({
      kind: assessment.kind,
      effects: [...assessment.effects, ...hits],
      targets: assessment.targets,
      obfuscated: assessment.obfuscated,
      reasons: assessment.reasons,
      count: assessment.blastRadius.count,
    });
  }
}

/** The text of an action as it would be typed or sent. */
function actionText(action: Action): string {
  switch (action.kind) {
    case 'shell':
      return action.command;
    case 'sql':
      return action.sql;
    case 'mcp':
      return JSON.stringify(action.arguments);
    case 'file':
      return [action.path, ...(action.morePaths ?? [])].join('\n');
  }
}

/**
 * The file of a SQLite database target (`app.db`, `file:app.db?mode=rw`); null for another engine,
 * a server, or an in-memory or temporary database.
 */
function sqliteFile(t: Extract<Target, { type: 'database' }>): string | null {
  if (t.engine !== 'sqlite' || t.host !== undefined || t.database === undefined) return null;
  const name = t.database.replace(/^file:(\/\/localhost(?=\/)|\/\/(?=\/))?/i, '').replace(/[?#].*$/, '');
  return name === '' || name === ':memory:' ? null : name;
}

/** A path made absolute against `cwd` (when known) with `.` and `..` resolved; `~` paths kept as written. */
function normalizePath(path: string, cwd: string | undefined): string {
  if (path.startsWith('~')) return posix.normalize(path);
  if (posix.isAbsolute(path)) return posix.normalize(path);
  return cwd === undefined ? posix.normalize(path) : posix.resolve(cwd, path);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
