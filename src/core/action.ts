/**
 * Proposals: what an agent asks to do, on which surface, for whom and why.
 * Pure data; every field is readonly so a proposal can be hashed and replayed.
 */

/** The surface an action arrived on. Where Airlock only decides (hooks) the record says so. */
export type Surface = 'cli-check' | 'exec' | 'hook' | 'mcp' | 'http';

/** A shell command line (or script) as text. `argv`, when present, is what `airlock exec` will run verbatim. */
export interface ShellAction {
  readonly kind: 'shell';
  readonly command: string;
  readonly argv?: readonly string[];
}

/** SQL dialects the SQL classifier understands. `unknown` tries PostgreSQL, then MySQL. */
export type SqlDialect = 'postgresql' | 'mysql' | 'sqlite' | 'unknown';

/** Raw SQL text, possibly several statements. */
export interface SqlAction {
  readonly kind: 'sql';
  readonly sql: string;
  readonly dialect: SqlDialect;
  /** Connection facts when known (from psql/mysql flags, PG* variables or a configured target). */
  readonly database?: { readonly host?: string; readonly port?: number; readonly name?: string };
  /** The configured database target (airlock.yaml `databases`) it runs on, when Airlock runs it. */
  readonly target?: string;
  /** An approved bound: at most this many rows in all, instead of the exact rehearsed counts. */
  readonly maxRows?: number;
}

/** MCP tool annotations as the server declared them. Hints only: a server may be untrusted. */
export interface McpToolAnnotations {
  readonly title?: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/**
 * The annotations a server gave a tool, as hints: only boolean hints and a string title are kept,
 * whatever else the value holds. Undefined when there is nothing to keep from.
 */
export function mcpToolAnnotations(value: unknown): McpToolAnnotations | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const a = value as Record<string, unknown>;
  const out: { -readonly [K in keyof McpToolAnnotations]: McpToolAnnotations[K] } = {};
  for (const k of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
    const hint = a[k];
    if (typeof hint === 'boolean') out[k] = hint;
  }
  if (typeof a.title === 'string') out.title = a.title;
  return out;
}

/** An MCP tool call: `{"server","tool","arguments"}`. */
export interface McpAction {
  readonly kind: 'mcp';
  readonly server: string;
  readonly tool: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly annotations?: McpToolAnnotations;
}

/** A file operation from an agent's file-editing tool (hooks). */
export interface FileAction {
  readonly kind: 'file';
  readonly operation: 'read' | 'write' | 'edit' | 'delete';
  readonly path: string;
  /** Further files the same tool call writes (a multi-file patch, a move's destination). */
  readonly morePaths?: readonly string[];
}

/** Any action Airlock can judge. */
export type Action = ShellAction | SqlAction | McpAction | FileAction;

/** Who proposes: an agent principal, never a human's credentials (invariant 8). */
export interface AgentIdentity {
  /** Stable agent id, e.g. `claude-code` or a configured agent name. */
  readonly id: string;
  /** The human the agent acts for, when known. Never widens the agent's rights. */
  readonly onBehalfOf?: string;
  readonly session?: string;
  /** How the identity was established: a verified token, or only claimed by the caller. */
  readonly authenticated: boolean;
}

/** A proposal: who, what, where, why. */
export interface Proposal {
  readonly id: string;
  readonly surface: Surface;
  readonly agent: AgentIdentity;
  readonly action: Action;
  /** Working directory the action would run in, when known. */
  readonly cwd?: string;
  /** Environment variables relevant to targeting (KUBECONFIG, AWS_PROFILE, PGHOST …), already filtered. */
  readonly env?: Readonly<Record<string, string>>;
  /** The agent's stated intent, where the surface gives one. Never trusted, only recorded. */
  readonly intent?: string;
  /** Explicit environment asked for by the caller (`--env prod`), which beats inference. */
  readonly environment?: string;
  readonly receivedAt: string;
}
