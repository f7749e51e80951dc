/**
 * What a path holds, judged from its text the way RISK.md's assumptions read it: regenerable
 * folders, scratch space, data files, tracked sources, system directories, the repository itself.
 */
import type { RiskClass, Scope } from '../../core/assessment.js';
import type { Word } from './tool-rule.js';

/** The families a path can fall into, from least to most precious. */
export type PathClass =
  | 'null-device'
  | 'regenerable'
  | 'scratch'
  | 'source'
  | 'unknown'
  | 'data'
  | 'outside'
  | 'git-internal'
  | 'repository'
  | 'home'
  | 'system'
  | 'root'
  | 'device';

/** A judged path: its class, the normalised text, and whether the class came from guessing. */
export interface PathInfo {
  readonly cls: PathClass;
  readonly path: string;
  readonly why: string;
}

const REGENERABLE = new Set([
  'node_modules',
  'dist',
  'build',
  'out',
  'target',
  '.next',
  '.nuxt',
  '.turbo',
  '.parcel-cache',
  '.cache',
  'cache',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  'coverage',
  '.nyc_output',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.terraform',
  '.gradle',
  '.eggs',
  '.svelte-kit',
  '.angular',
  '.vite',
  'tmp',
  '.tmp',
  'temp',
  '.DS_Store',
]);

const REGENERABLE_SUFFIX = ['.pyc', '.pyo', '.o', '.class', '.tsbuildinfo', '.egg-info'];

const DATA_SUFFIX = [
  '.db',
  '.sqlite',
  '.sqlite3',
  '.sqlite-wal',
  '.sqlite-shm',
  '.db-wal',
  '.db-shm',
  '.dump',
  '.bak',
  '.backup',
  '.csv',
  '.tsv',
  '.parquet',
  '.pem',
  '.key',
  '.p12',
  '.pfx',
  '.jks',
  '.log',
  '.sql.gz',
  '.tfstate',
  '.tfstate.backup',
  '.mdb',
  '.rdb',
  '.aof',
  '.wal',
  '.orig',
];

const DATA_DIRS = new Set([
  'uploads',
  'backups',
  'backup',
  'logs',
  'log',
  'data',
  'storage',
  'media',
  'secrets',
  '.ssh',
  '.gnupg',
  '.aws',
  '.kube',
]);

const TOP_SYSTEM = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'media',
  'mnt',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'snap',
  'srv',
  'sys',
  'usr',
  'var',
  'System',
  'Users',
  'Library',
  'Applications',
  'private',
]);

const CRITICAL_SYSTEM = new Set([
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/lib64',
  '/usr/local',
  '/usr/share',
  '/usr/include',
  '/var/lib',
  '/var/lib/postgresql',
  '/var/lib/pgsql',
  '/var/lib/mysql',
  '/var/lib/mariadb',
  '/var/lib/mongodb',
  '/var/lib/mongo',
  '/var/lib/redis',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/etcd',
  '/var/lib/cassandra',
  '/var/lib/elasticsearch',
  '/var/lib/clickhouse',
  '/var/lib/kubelet',
  '/var/lib/rabbitmq',
  '/var/lib/influxdb',
  '/var/lib/neo4j',
  '/etc/kubernetes',
  '/boot/efi',
  '/usr/local/var/postgres',
  '/opt/homebrew/var/postgresql',
]);

const DEVICE = /^\/dev\/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d|rdisk\d|mapper\/|dm-\d|md\d|loop\d|zd\d|root$)/;

/** Normalises `.`/`..`/`//` segments of a path text; keeps a leading `/`, `~` or `$VAR`. */
export function normalisePath(text: string): string {
  if (text === '') return '';
  const absolute = text.startsWith('/');
  const out: string[] = [];
  for (const seg of text.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  if (absolute) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

function isDataName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === '.env' || lower.startsWith('.env.') || lower.endsWith('.env'))
    return !lower.endsWith('.example') && !lower.endsWith('.sample') && !lower.endsWith('.template');
  if (/^id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/.test(lower)) return true;
  if (lower.includes('backup') || lower.includes('.dump')) return true;
  for (const s of DATA_SUFFIX) if (lower.endsWith(s)) return true;
  return /\.log\.\d+(\.gz)?$/.test(lower) || /\.(sql|csv|json|tar|tgz|gz|zip)\.(gz|bz2|xz|zst)$/.test(lower);
}

function isRegenerableName(name: string): boolean {
  if (REGENERABLE.has(name)) return true;
  for (const s of REGENERABLE_SUFFIX) if (name.endsWith(s)) return true;
  return false;
}

/** Package-manager download caches in a home directory, below their cache folder (not their settings). */
const HOME_PACKAGE_CACHE =
  /^(\.m2\/repository|\.gradle\/caches|\.ivy2\/cache|\.nuget\/packages|go\/pkg\/mod|\.cargo\/git|\.pnpm-store|\.yarn\/cache|\.bundle\/cache|\.gem\/cache)(\/|$)/;

/**
 * Classifies the path a word names. `cwd` (when known) makes absolute paths inside the project
 * count as project paths; `dataPaths` from the inventory mark data. Never throws.
 * Security: a dynamic word is never better than `unknown`, except where the literal part alone
 * makes the answer unambiguous (`$X/node_modules`, `$TMPDIR/x`), and a leading unknown variable
 * followed by `/` is also judged as if the variable were empty (`"$DIR/"*` can be `/*`).
 */
export function classifyPath(word: Word, options: { readonly cwd?: string; readonly dataPaths?: readonly string[] } = {}): PathInfo {
  let text = word.text;
  if (text === '/dev/null' || text === '/dev/stdout' || text === '/dev/stderr' || text.startsWith('/dev/fd/') || text === '/dev/tty') {
    return { cls: 'null-device', path: text, why: 'a terminal or null device' };
  }
  if (DEVICE.test(text)) return { cls: 'device', path: text, why: 'a block device' };
  // Normalise ${HOME} spellings handled by the word layer; here `~`, `$HOME`, `~user` remain.
  if (text === '~' || text === '$HOME' || text === '~/' || text === '$HOME/' || /^~[a-z_][a-z0-9_-]*\/?$/i.test(text)) {
    return { cls: 'home', path: text, why: 'a home directory' };
  }
  if (/^(~|\$HOME)\/\*$/.test(text)) return { cls: 'home', path: text, why: 'every file in a home directory' };
  const top = /^(\$PWD|\$\(pwd\)|`pwd`|\$\(git rev-parse --show-toplevel\))(\/.*)?$/.exec(text);
  if (top) {
    const rest = normalisePath((top[2] ?? '').replace(/^\//, ''));
    if (rest === '' || rest === '.' || rest === '*') return { cls: 'repository', path: text, why: 'the project toplevel' };
    if (!rest.includes('$') && !rest.includes('`')) return classifyPath({ text: rest, dynamic: false, glob: word.glob }, options);
  }
  if (text.startsWith('~/') || text.startsWith('$HOME/')) {
    const rest = normalisePath(text.slice(text.indexOf('/') + 1));
    if (rest === '.' || rest === '') return { cls: 'home', path: text, why: 'a home directory' };
    if (rest.startsWith('..')) return { cls: 'home', path: text, why: 'a path above a home directory' };
    if (
      isRegenerableName(baseName(rest)) ||
      rest.startsWith('.cache/') ||
      rest === '.cache' ||
      rest.startsWith('.npm') ||
      rest.startsWith('.cargo/registry') ||
      HOME_PACKAGE_CACHE.test(rest)
    ) {
      return { cls: 'regenerable', path: text, why: 'a regenerable cache folder' };
    }
    return { cls: 'outside', path: text, why: 'a file outside the project (home directory)' };
  }
  // System package and application caches (`/var/cache/apt/archives/*.deb`): regenerable by name.
  if (/^\/var\/cache\/[^/*?[]+(\/|$)/.test(text) && !text.includes('..') && !word.dynamic)
    return { cls: 'regenerable', path: text, why: 'a system cache folder' };
  if (word.dynamic) {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?(\/.*)?$/.exec(text);
    if (m && (m[1] === 'TMPDIR' || m[1] === 'TMP' || m[1] === 'TEMP') && !(m[2] ?? '').includes('..'))
      return { cls: 'scratch', path: text, why: 'a scratch path' };
    // `/tmp/pytest-of-$USER`: the name is fixed under /tmp up to a variable inside the last segment (RISK.md tie-break: the name decides).
    if (/^\/(?:var\/|private\/)?tmp\/[^/$`]+[$`][^/]*$/.test(text) && !text.includes('..'))
      return { cls: 'scratch', path: text, why: 'a scratch path under /tmp (by name)' };
    // RISK.md: judge the text, not the worst runtime state; an unknown prefix is an unknown directory.
    const name = baseName(text.replace(/\/+$/, ''));
    if (!name.includes('$') && isRegenerableName(name)) return { cls: 'regenerable', path: text, why: 'a regenerable folder (by name)' };
    if (!name.includes('$') && isDataName(name)) return { cls: 'data', path: text, why: 'a data file (by name)' };
    return { cls: 'unknown', path: text, why: 'a path from an unknown variable or substitution' };
  }
  if (options.cwd !== undefined && text.startsWith('/')) {
    const cwd = options.cwd.endsWith('/') ? options.cwd : `${options.cwd}/`;
    if (text === options.cwd || text === cwd) text = '.';
    else if (text.startsWith(cwd)) text = text.slice(cwd.length);
  }
  const normal = normalisePath(text);
  for (const dp of options.dataPaths ?? []) {
    const d = normalisePath(dp);
    if (normal === d || normal.startsWith(`${d}/`)) return { cls: 'data', path: normal, why: 'the inventory marks this path as data' };
  }
  return classifyLiteral(normal, word.glob, options);
}

function classifyLiteral(normal: string, glob: boolean, _options: { readonly cwd?: string }): PathInfo {
  if (normal === '/' || /^\/[*?]+$/.test(normal) || /^\/\.[*?]/.test(normal))
    return { cls: 'root', path: normal, why: 'the root filesystem' };
  if (normal.startsWith('/')) {
    const segs = normal.slice(1).split('/');
    const top = segs[0] as string;
    if (glob && /[*?[]/.test(top)) return { cls: 'root', path: normal, why: 'a glob over the root filesystem' };
    const stripped = normal.replace(/\/\*$/, '');
    if (CRITICAL_SYSTEM.has(stripped)) return { cls: 'system', path: normal, why: 'a system or database data directory' };
    if (DB_DATA.test(normal)) return { cls: 'system', path: normal, why: 'a database data directory' };
    if (TOP_SYSTEM.has(top)) {
      if (segs.length === 1 || (segs.length === 2 && /^[*?]+$/.test(segs[1] as string))) {
        return { cls: 'system', path: normal, why: 'a top-level system directory' };
      }
      if (top === 'home' || top === 'Users') {
        if (segs.length === 2 || (segs.length === 3 && /^[*?]+$/.test(segs[2] as string)))
          return { cls: 'home', path: normal, why: 'a home directory' };
      }
      if (top === 'root' && segs.length === 2 && /^[*?]+$/.test(segs[1] as string))
        return { cls: 'home', path: normal, why: "root's home directory" };
      if (top === 'var' && segs[1] === 'lib' && segs.length === 3 && glob)
        return { cls: 'system', path: normal, why: 'database data directories' };
    }
    if (top === 'tmp' || (top === 'var' && segs[1] === 'tmp') || (top === 'private' && segs[1] === 'tmp')) {
      if (!normal.includes('..')) return { cls: 'scratch', path: normal, why: 'a scratch path under /tmp' };
    }
    if (/^\/dev\//.test(normal)) return { cls: 'device', path: normal, why: 'a device node' };
    const name = baseName(normal);
    if (isRegenerableName(name) || segs.includes('node_modules') || segs.includes('__pycache__'))
      return { cls: 'regenerable', path: normal, why: 'a regenerable folder' };
    if (isDataName(name) || segs.some((s) => DATA_DIRS.has(s))) return { cls: 'data', path: normal, why: 'a data file or folder' };
    return { cls: 'outside', path: normal, why: 'a path outside the project' };
  }
  // Relative to the project root (assumption 1).
  if (normal === '.' || normal === '*' || normal === './*') {
    return normal === '.'
      ? { cls: 'repository', path: normal, why: 'the project toplevel' }
      : { cls: 'unknown', path: normal, why: 'every file in the project' };
  }
  if (normal === '..' || /^(\.\.\/)+\.\.$/.test(normal) || /^(\.\.\/)*\.\.\/\*$/.test(normal))
    return { cls: 'repository', path: normal, why: 'the directory holding the project' };
  const segs = normal.split('/');
  if (segs[0] === '.git') {
    if (segs.length === 1 || (segs.length === 2 && ['objects', 'refs', '*'].includes(segs[1] as string)))
      return { cls: 'repository', path: normal, why: 'the repository history' };
    const name = baseName(normal);
    if (name.endsWith('.lock')) return { cls: 'regenerable', path: normal, why: 'a stale git lock file' };
    return { cls: 'git-internal', path: normal, why: 'repository internals' };
  }
  if (segs.includes('.git') && segs[segs.length - 1] === '.git') return { cls: 'repository', path: normal, why: 'a repository history' };
  if (glob && segs.length === 1 && globMatches(normal, '.git')) return { cls: 'repository', path: normal, why: 'a glob that matches .git' };
  if (segs[0] === '..') {
    const name = baseName(normal);
    if (isRegenerableName(name)) return { cls: 'regenerable', path: normal, why: 'a regenerable folder' };
    return { cls: 'outside', path: normal, why: 'a path outside the project' };
  }
  const name = baseName(normal);
  if (segs.some((s) => isRegenerableName(s))) return { cls: 'regenerable', path: normal, why: 'a regenerable folder' };
  if (isDataName(name) || segs.some((s) => DATA_DIRS.has(s))) return { cls: 'data', path: normal, why: 'a data file or folder' };
  if (glob && /^[*?]+$/.test(name) && segs.length === 1) return { cls: 'unknown', path: normal, why: 'every file in the project' };
  return { cls: 'source', path: normal, why: 'a project file (tracked in VCS)' };
}

const DB_DATA =
  /^\/var\/lib\/(postgresql|pgsql|mysql|mariadb|mongodb|mongo|redis|etcd|cassandra|elasticsearch|clickhouse|influxdb|neo4j)\/|^\/var\/lib\/docker\/volumes\/?\*?$/;

function globMatches(pattern: string, name: string): boolean {
  let re = '^';
  for (const c of pattern) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name);
  } catch {
    return false;
  }
}

/** The class of deleting a path, recursively or not, with the effect's scope. */
export interface DeletionRisk {
  readonly risk: RiskClass;
  readonly scope: Scope;
  readonly reversible: boolean | null;
  readonly reason: string;
}

const SOURCE_FILE = /\.[A-Za-z0-9]{1,8}$/;

/**
 * Risk of deleting (or destroying the contents of) a path. `recursive` means a whole directory
 * tree may go. Never throws.
 */
export function deletionRisk(info: PathInfo, recursive: boolean): DeletionRisk {
  const p = info.path;
  switch (info.cls) {
    case 'null-device':
      return { risk: 'read', scope: 'none', reversible: true, reason: `${p} is ${info.why}` };
    case 'regenerable':
    case 'scratch':
      return { risk: 'write', scope: recursive ? 'directory' : 'resource', reversible: true, reason: `${p} is ${info.why}` };
    case 'source':
      if (!recursive || SOURCE_FILE.test(p)) return { risk: 'write', scope: 'resource', reversible: true, reason: `${p} is ${info.why}` };
      return { risk: 'destructive', scope: 'directory', reversible: false, reason: `recursive delete of ${p}, not a regenerable folder` };
    case 'unknown':
      return { risk: 'destructive', scope: recursive ? 'directory' : 'resource', reversible: null, reason: `${p} is ${info.why}` };
    case 'data':
    case 'outside':
    case 'git-internal':
      return { risk: 'destructive', scope: recursive ? 'directory' : 'resource', reversible: false, reason: `${p} is ${info.why}` };
    case 'repository':
      return { risk: 'catastrophic', scope: 'repository', reversible: false, reason: `${p} is ${info.why}` };
    case 'home':
    case 'system':
    case 'root':
      return { risk: 'catastrophic', scope: 'host', reversible: false, reason: `${p} is ${info.why}` };
    case 'device':
      return { risk: 'catastrophic', scope: 'disk', reversible: false, reason: `${p} is ${info.why}` };
  }
}

/**
 * Repository internals whose content makes later git commands run programs: hooks, config (also
 * per worktree and of submodules under `.git/modules`) and `info/attributes`. `info/exclude` is not.
 * Judged on segments (no backtracking regex) so long paths stay fast.
 */
export function gitRunsCodeFrom(path: string): boolean {
  const segs = path.split('/');
  const git = segs.indexOf('.git');
  if (git < 0) return false;
  const rest = segs.slice(git + 1);
  const last = rest[rest.length - 1];
  if (rest.includes('hooks')) return true;
  if (last === 'config' || last === 'config.worktree') return true;
  return last === 'attributes' && rest[rest.length - 2] === 'info';
}

/** The judgement of any write (append, edit, link, copy, chmod) into a path git later runs code from. */
export function codePlantRisk(info: PathInfo): DeletionRisk | undefined {
  if (!gitRunsCodeFrom(info.path)) return undefined;
  return {
    risk: 'unknown',
    scope: 'resource',
    reversible: null,
    reason: `writes ${info.path}, which makes later git commands run a program`,
  };
}

/**
 * Risk of overwriting (truncating) a file: data files and files outside the project are
 * destructive, devices catastrophic, project files a write.
 */
export function overwriteRisk(info: PathInfo): DeletionRisk {
  switch (info.cls) {
    case 'null-device':
      return { risk: 'read', scope: 'none', reversible: true, reason: `${info.path} is ${info.why}` };
    case 'device':
      return { risk: 'catastrophic', scope: 'disk', reversible: false, reason: `overwrites ${info.path}, ${info.why}` };
    case 'regenerable':
    case 'scratch':
    case 'source':
      return { risk: 'write', scope: 'resource', reversible: true, reason: `writes ${info.path}, ${info.why}` };
    case 'unknown':
      return { risk: 'unknown', scope: 'resource', reversible: null, reason: `overwrites ${info.path}, ${info.why}` };
    case 'home':
    case 'root':
    case 'system':
    case 'repository':
      return { risk: 'destructive', scope: 'resource', reversible: false, reason: `overwrites ${info.path}, ${info.why}` };
    case 'data':
    case 'outside':
    case 'git-internal':
      return { risk: 'destructive', scope: 'resource', reversible: false, reason: `truncates ${info.path}, ${info.why}` };
  }
}
