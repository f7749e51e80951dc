/**
 * Path rules for writing a file (RISK.md assumptions 1 and 2), shared by the file classifier and the
 * MCP classifier: editing a tracked file inside the project is a write that version control can
 * undo; overwriting a data-bearing file, a system file or any file outside the project loses state.
 * Pure functions; nothing here throws.
 */
import type { RiskClass } from '../core/assessment.js';

/** Data-bearing files (RISK.md assumption 2): not in version control, so overwriting loses data. */
export const DATA_FILE =
  /(^|\/)(\.env[^/]*|[^/]*\.(db|sqlite\d?|sqlite-wal|dump|bak|csv|parquet|pem|key|p12|pfx|jks|log|tfstate)|id_(rsa|ed25519|ecdsa)[^/]*)$/i;

/** Top-level system directories: never part of a project. */
export const SYSTEM_DIR = /^\/(etc|usr|bin|sbin|lib|lib64|boot|var|srv|opt|root|sys|proc|dev)(\/|$)/;

/** What is known about where the action runs. Both fields are optional. */
export interface FilePathContext {
  /** The project root (RISK.md assumption 1: cwd is the root of a git project). */
  readonly cwd?: string;
  /** Paths the inventory marks as data (not in version control). */
  readonly dataPaths?: readonly string[];
}

/** The class of writing one file, and why. */
export interface FileWriteJudgement {
  readonly risk: Extract<RiskClass, 'write' | 'destructive'>;
  readonly reversible: boolean;
  readonly reason: string;
}

/** True when the path leaves the project: `~`, `$HOME`, an absolute path not under `cwd`, or `..` above the root. */
export function outsideProject(path: string, cwd?: string): boolean {
  if (path === '~' || path.startsWith('~') || /^\$\{?HOME\}?(\/|$)/.test(path)) return true;
  if (path.startsWith('/')) {
    if (cwd === undefined) return true;
    const root = cwd.replace(/\/$/, '');
    return !(path === root || path.startsWith(`${root}/`));
  }
  // Relative: walk the segments; going above the root leaves the project.
  let depth = 0;
  for (const segment of path.split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * Judges overwriting or editing the file at `path`. Data files (by name or by the inventory's
 * `dataPaths`), system files and files outside the project are destructive; anything else is a write.
 */
export function judgeFileWrite(path: string, context: FilePathContext = {}): FileWriteJudgement {
  const inData =
    DATA_FILE.test(path) || (context.dataPaths ?? []).some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
  if (inData) {
    return {
      risk: 'destructive',
      reversible: false,
      reason: 'overwrites a data-bearing file that is not in version control (RISK.md assumption 2)',
    };
  }
  // A project may live under /srv or /opt: inside the known project root, a system-looking prefix is not a system file.
  const root = context.cwd?.replace(/\/+$/, '');
  const insideRoot = root !== undefined && root !== '' && path.startsWith(`${root}/`);
  if (SYSTEM_DIR.test(path) && !insideRoot)
    return { risk: 'destructive', reversible: false, reason: 'writes a system file outside any project' };
  if (outsideProject(path, context.cwd)) {
    return { risk: 'destructive', reversible: false, reason: 'writes a file outside the project, where version control cannot undo it' };
  }
  return { risk: 'write', reversible: true, reason: 'edits a file inside the project, which version control can undo' };
}
