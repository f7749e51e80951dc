/**
 * The composite classifier: routes each action to the classifier of its surface (shell, SQL, MCP,
 * file paths) and returns one Assessment. This is what the composition root wires into the gateway.
 */
import type { Action, FileAction, SqlDialect } from '../core/action.js';
import { assessmentFromEffects, type Assessment, type Effect, type RiskClass } from '../core/assessment.js';
import { judgeFileWrite } from './file-paths.js';
import type { ClassifyContext, Classifier } from '../core/ports.js';
import { McpClassifier, type McpServerMappings } from './mcp/mcp-classifier.js';
import { ShellClassifier } from './shell/shell-classifier.js';
import { SqlClassifier } from './sql/sql-classifier.js';

/** Options for {@link createClassifier}. */
export interface CreateClassifierOptions {
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
  return new CompositeClassifier({ shell, sql, ...(options.mcpMappings === undefined ? {} : { mcpMappings: options.mcpMappings }) });
}

/** Routes actions to the classifier for their kind. Synchronous; never throws. */
export class CompositeClassifier implements Classifier {
  readonly #shell: ShellClassifier;
  readonly #sql: SqlClassifier;
  readonly #mcp: McpClassifier;

  constructor(options: { shell: ShellClassifier; sql: SqlClassifier; mcpMappings?: McpServerMappings }) {
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
    if (action.operation === 'delete') {
      const a = this.#shell.classify(`rm -f -- ${shellQuote(action.path)}`, context);
      return { ...a, kind: 'file' };
    }
    const path = action.path;
    let risk: RiskClass = 'read';
    let reason = 'reads a file';
    let reversible: boolean | null = true;
    if (action.operation !== 'read') {
      ({ risk, reason, reversible } = judgeFileWrite(path, context));
    }
    const effect: Effect = {
      verb: action.operation === 'read' ? 'read' : 'modify',
      resource: `file ${path}`,
      scope: 'resource',
      reversible,
      risk,
      disruptive: false,
      reason,
    };
    return assessmentFromEffects({ kind: 'file', effects: [effect], targets: [{ type: 'path', path }] });
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
