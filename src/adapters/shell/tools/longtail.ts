/**
 * Grammars for long-tail operations CLIs that RISK.md's rules still cover: PaaS CLIs (heroku, fly,
 * vercel, railway, doctl, glab), object-store CLIs (mc, s3cmd, rclone), backup tools (restic, borg),
 * brokers and service registries (nats, rabbitmqctl, rabbitmqadmin, consul, nomad), configuration
 * management (ansible, salt), Kubernetes dev loops (tilt, skaffold, stern) and SQL migration and
 * modelling CLIs (goose, sqitch, dbt).
 *
 * Each tool is a small table: explicit judgements for the subcommands whose class depends on more
 * than their verb (a whole bucket, a whole repository, a database reset), then the subcommand's verb
 * (`list` read, `create` write, `delete` destructive). Anything else is `unknown`.
 *
 * {@link genericReadOnly} is the conservative fallback for CLIs with no grammar at all: only a
 * plainly read-only subcommand verb, with no destructive word or forcing flag anywhere, is `read`.
 */
import type { ActionKind, EffectVerb, RiskClass, Scope } from '../../../core/assessment.js';
import { literalWord } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';
import { type FlagSpec, type ParsedArgs, effect, flagOn, flagValue, parseArgs, result, safeRule, unknownEffect } from './infra-common.js';

/** A judgement before it becomes an effect. */
interface Verdict {
  readonly risk: RiskClass;
  readonly reason: string;
  readonly disruptive?: boolean;
  readonly scope?: Scope;
}

const v = (risk: RiskClass, reason: string, disruptive = false, scope?: Scope): Verdict =>
  scope === undefined ? { risk, reason, disruptive } : { risk, reason, disruptive, scope };

/** What a tool's judge sees. */
interface Call {
  readonly command: SimpleCommand;
  readonly context: ToolContext;
  readonly p: ParsedArgs;
  /** Positional words' texts. */
  readonly pos: readonly string[];
  /** The subcommand path: the first `depth` positionals, split on spaces and `:`. */
  readonly path: readonly string[];
}

/** Subcommand verbs that only read. */
const READ_VERBS: ReadonlySet<string> = new Set([
  'list',
  'ls',
  'get',
  'describe',
  'show',
  'status',
  'version',
  'help',
  'info',
  'inspect',
  'logs',
  'log',
  'whoami',
  'search',
  'diff',
  'plan',
  'validate',
  'lint',
  'check',
  'ps',
  'top',
  'stats',
  'du',
  'df',
  'cat',
  'tree',
  'snapshots',
  'view',
  'history',
  'members',
  'report',
  'ping',
  'size',
  'render',
  'template',
  'outdated',
  'audit',
  'doctor',
  'health',
  'tail',
  'events',
  'find',
  'stat',
  'compile',
  'parse',
  'debug',
  'verify',
]);

/** Subcommand verbs that change state reversibly (availability verbs are marked disruptive). */
const WRITE_VERBS: ReadonlySet<string> = new Set([
  'create',
  'add',
  'put',
  'set',
  'deploy',
  'up',
  'start',
  'install',
  'copy',
  'cp',
  'push',
  'publish',
  'pub',
  'backup',
  'capture',
  'promote',
  'abort',
  'merge',
  'open',
  'close',
  'retry',
  'resume',
  'enable',
  'disable',
  'login',
  'logout',
  'init',
  'tag',
  'untag',
  'mb',
  'mkdir',
  'move',
  'mv',
  'rename',
  'import',
  'upload',
  'link',
  'unlink',
  'rollback',
  'undo',
  'redeploy',
  'build',
  'release',
  'lock',
  'unlock',
  'approve',
  'cancel',
  'update',
  'upgrade',
  'apply',
  'edit',
  'declare',
  'register',
  'create-deployment',
]);

const DISRUPTIVE_VERBS: ReadonlySet<string> = new Set(['stop', 'restart', 'scale', 'pause', 'suspend', 'drain', 'reboot', 'kill']);

/** Verbs that delete state; never read, whatever else the words say. */
const DESTRUCTIVE_VERBS: ReadonlySet<string> = new Set([
  'delete',
  'del',
  'rm',
  'remove',
  'destroy',
  'purge',
  'drop',
  'wipe',
  'erase',
  'unset',
  'forget',
  'prune',
  'truncate',
  'terminate',
  'uninstall',
  'rb',
  'flush',
  'reset',
  'clear',
  'deletefile',
  'rmdir',
  'rmdirs',
  'shred',
  'nuke',
]);

/** The verb of a subcommand path: the first token that is a known verb. */
function verbJudge(path: readonly string[]): Verdict | undefined {
  for (const token of path) {
    const t = token.toLowerCase();
    if (DESTRUCTIVE_VERBS.has(t)) return v('destructive', `${t} deletes state that cannot be recovered`, false, 'resource');
    if (DISRUPTIVE_VERBS.has(t)) return v('write', `${t} affects availability only`, true, 'resource');
    if (WRITE_VERBS.has(t)) return v('write', `${t} changes state reversibly`, false, 'resource');
    if (READ_VERBS.has(t)) return v('read', `${t} only reads`, false, 'none');
  }
  return undefined;
}

/**
 * The class a subcommand's verb gives, for CLIs whose extensions have no grammar (kubectl plugins:
 * `kubectl cnpg status`, `kubectl argo rollouts abort`). The first verb among `tokens` decides; a
 * read verb counts only when no other token is a deleting verb. `undefined` when no verb is known.
 */
export function judgeSubcommandVerb(
  tokens: readonly string[],
): { readonly risk: RiskClass; readonly reason: string; readonly disruptive: boolean } | undefined {
  const verdict = verbJudge(tokens);
  if (verdict === undefined) return undefined;
  if (verdict.risk === 'read' && tokens.some((t) => DESTRUCTIVE_VERBS.has(t.toLowerCase()))) return undefined;
  return { risk: verdict.risk, reason: verdict.reason, disruptive: verdict.disruptive ?? false };
}

const VERB_OF: Readonly<Record<RiskClass, EffectVerb>> = {
  read: 'read',
  write: 'modify',
  destructive: 'delete',
  catastrophic: 'delete',
  unknown: 'execute',
};

const DEFAULT_SCOPE: Readonly<Record<RiskClass, Scope>> = {
  read: 'none',
  write: 'resource',
  destructive: 'resource',
  catastrophic: 'all',
  unknown: 'unknown',
};

/** One tool: its kind, how it spells options, how deep its subcommand path is, and its judge. */
interface Cli {
  readonly kind: ActionKind;
  readonly spec: FlagSpec;
  readonly depth: number;
  /** Explicit judgements; `undefined` falls back to the path's verb. A ToolResult is returned as is. */
  readonly judge?: (call: Call) => Verdict | ToolResult | undefined;
}

function isResult(x: Verdict | ToolResult): x is ToolResult {
  return 'effects' in x;
}

function cli(tool: Cli): ToolRule {
  return safeRule(tool.kind, (command, context) => {
    const p = parseArgs(command.args, tool.spec);
    const pos = p.positionals.map((w) => w.text);
    const path: string[] = [];
    for (const word of pos.slice(0, tool.depth)) for (const t of word.split(/[\s:]+/)) if (t !== '') path.push(t);
    const resource = `${command.name} ${path.join(' ')}`.trim();
    const make = (x: Verdict): ToolResult =>
      result(
        tool.kind,
        [
          effect(command, VERB_OF[x.risk], resource, x.scope ?? DEFAULT_SCOPE[x.risk], x.risk, `${command.name}: ${x.reason}`, {
            disruptive: x.disruptive ?? false,
          }),
        ],
        [],
      );
    if (p.flags.has('help') || p.flags.has('h') || p.flags.has('version') || pos[0] === 'help')
      return make(v('read', 'prints help or version only'));
    if (flagOn(p, 'dry-run', 'dryrun')) return make(v('read', 'a dry run changes nothing'));
    const explicit = tool.judge?.({ command, context, p, pos, path });
    if (explicit !== undefined) return isResult(explicit) ? explicit : make(explicit);
    const byVerb = verbJudge(path);
    if (byVerb !== undefined) return make(byVerb);
    return result(tool.kind, [unknownEffect(command, resource, `${resource}: unknown subcommand`)], []);
  });
}

const spec = (valued: readonly string[], short: Readonly<Record<string, string>> = {}, singleDashLong = false): FlagSpec => ({
  valued: new Set(valued),
  short,
  singleDashLong,
});

/** True when an object-store location names a whole bucket (`s3://b`, `remote:b/`, `alias/b`). */
function bucketRoot(location: string, aliasStyle: boolean): boolean {
  let rest = location;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  else if (!aliasStyle) {
    const colon = rest.indexOf(':');
    if (colon < 0) return false;
    rest = rest.slice(colon + 1);
  }
  const parts = rest.split('/').filter((s) => s !== '');
  return parts.length <= (aliasStyle && !scheme ? 2 : 1);
}

const has = (call: Call, ...names: readonly string[]): boolean => flagOn(call.p, ...names);

/** `rm -rf <path>` as the framework would judge it (ansible `state=absent`, salt `file.remove`). */
function removePath(call: Call, path: string): ToolResult {
  return call.context.classifyArgv([literalWord('rm'), literalWord('-rf'), literalWord(path)]);
}

/** A remote script run on many hosts: classified as the script itself. */
function remoteScript(call: Call, script: string): ToolResult {
  return call.context.classifyScript(script);
}

// ---------------------------------------------------------------- PaaS

const heroku = cli({
  kind: 'shell',
  spec: spec(['app', 'remote', 'confirm', 'command', 'source', 'dyno', 'num', 'team', 'space'], {
    a: 'app',
    r: 'remote',
    c: 'command',
    s: 'source',
    d: 'dyno',
    n: 'num',
    t: 'team',
  }),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    if (/^pg:(reset|copy)$/.test(sub) || /^pg:backups:restore$/.test(sub) || (sub === 'pg:backups' && call.pos[1] === 'restore'))
      return v('catastrophic', `${sub} replaces the whole database`, false, 'database');
    if (/^(apps:destroy|destroy)$/.test(sub)) return v('catastrophic', 'destroys the whole app and its add-ons', false, 'project');
    if (sub === 'pg:psql') {
      const sql = flagValue(call.p, 'command');
      return sql === undefined
        ? v('unknown', 'an interactive psql session')
        : { ...call.context.classifySql(sql, 'postgresql'), kind: 'sql' as const };
    }
    if (sub === 'pg:backups' && call.pos[1] === undefined) return v('read', 'lists backups');
    if (sub === 'run' || sub === 'run:detached') return v('unknown', 'runs a command on a dyno');
    if (sub === 'config' || sub === 'apps' || sub === 'ps' || sub === 'releases' || sub === 'addons' || sub === 'domains')
      return v('read', `${sub} lists`);
    if (/^(config:unset|config:remove)$/.test(sub)) return v('destructive', 'deletes config vars (secrets)');
    if (/^maintenance:on$/.test(sub)) return v('write', 'puts the app in maintenance mode', true);
    if (/^ps:(scale|restart|stop|kill)$/.test(sub)) return v('write', `${sub} affects availability only`, true);
    return undefined;
  },
});

const fly = cli({
  kind: 'shell',
  spec: spec(['app', 'config', 'image', 'strategy', 'region', 'org', 'command', 'env', 'vm-size'], {
    a: 'app',
    c: 'config',
    i: 'image',
    r: 'region',
    o: 'org',
    C: 'command',
    e: 'env',
  }),
  depth: 2,
  judge: (call) => {
    const [group, action] = call.path;
    if ((group === 'apps' && /^(destroy|delete|remove|rm)$/.test(action ?? '')) || group === 'destroy')
      return v('catastrophic', 'destroys the whole app with its machines and volumes', false, 'project');
    if (group === 'secrets' && action === 'unset') return v('destructive', 'deletes secrets');
    if (group === 'ssh' || group === 'console') return v('unknown', 'runs commands on a machine');
    if (group === 'deploy') return v('write', 'deploys a new release');
    if (group === 'scale') return v('write', 'scales machines (availability only)', true);
    return undefined;
  },
});

const vercel = cli({
  kind: 'shell',
  spec: spec(['scope', 'token', 'cwd', 'local-config', 'global-config', 'team', 'all', 'meta', 'build-env', 'env'], {
    S: 'scope',
    t: 'token',
    A: 'local-config',
    Q: 'global-config',
    e: 'env',
    b: 'build-env',
    m: 'meta',
  }),
  depth: 2,
  judge: (call) => {
    const [group, action] = call.path;
    if (group === undefined || group === 'deploy' || group.startsWith('.') || group.startsWith('/'))
      return v('write', 'deploys (no confirmation step)');
    if ((group === 'project' || group === 'projects') && /^(rm|remove)$/.test(action ?? ''))
      return v('catastrophic', 'deletes a whole project with its deployments', false, 'project');
    if (group === 'env' && /^(pull)$/.test(action ?? '')) return v('write', 'writes the environment to a local file');
    if (group === 'env' && action === 'ls') return v('read', 'lists variable names');
    if (group === 'dev') return v('write', 'runs a local dev server');
    return undefined;
  },
});

const railway = cli({
  kind: 'shell',
  spec: spec(['service', 'all', 'project'], { s: 'service', e: 'all', p: 'project' }),
  depth: 2,
  judge: (call) => {
    const [group] = call.path;
    if (group === 'run' || group === 'shell' || group === 'connect') return v('unknown', `railway ${group} runs commands`);
    if (group === 'down') return v('destructive', 'removes the latest deployment');
    return undefined;
  },
});

const doctl = cli({
  kind: 'shell',
  spec: spec(['context', 'access-token', 'output', 'format', 'tag-name', 'region', 'config', 'api-url'], {
    t: 'access-token',
    o: 'output',
    c: 'config',
  }),
  depth: 4,
  judge: (call) => {
    const text = call.path.join(' ');
    if (/^databases (delete|rm|d)\b/.test(text) || /^databases db (delete|rm|d)\b/.test(text))
      return v('catastrophic', 'deletes a managed database', false, 'database');
    if (/^kubernetes cluster (delete|rm|d)\b/.test(text)) return v('catastrophic', 'deletes a Kubernetes cluster', false, 'cluster');
    if (/^projects (delete|rm|d)\b/.test(text)) return v('catastrophic', 'deletes a project', false, 'project');
    if (/^compute domain (delete|rm|d)\b/.test(text)) return v('catastrophic', 'deletes a DNS zone', false, 'all');
    if (/^apps (delete|rm|d)\b/.test(text)) return v('destructive', 'deletes an app');
    if (/^(compute ssh|apps console)\b/.test(text)) return v('unknown', 'runs commands remotely');
    if (/ (d|rm)$/.test(` ${call.path[call.path.length - 1] ?? ''}`)) return v('destructive', 'deletes a resource');
    return undefined;
  },
});

const glab = cli({
  kind: 'shell',
  spec: spec(['repo', 'branch', 'group', 'message', 'title', 'description', 'label', 'assignee'], {
    R: 'repo',
    b: 'branch',
    g: 'group',
    m: 'message',
    t: 'title',
    d: 'description',
    l: 'label',
    a: 'assignee',
  }),
  depth: 2,
  judge: (call) => {
    const [group, action] = call.path;
    if (group === 'repo' && /^(delete|rm)$/.test(action ?? ''))
      return v('catastrophic', 'deletes the whole repository', false, 'repository');
    if (group === 'api') return v('unknown', 'raw API call');
    return undefined;
  },
});

// ---------------------------------------------------------------- object stores

/** `mc` (MinIO client): `alias/bucket/prefix`. */
const mc = cli({
  kind: 'shell',
  spec: spec(['config-dir', 'older-than', 'newer-than', 'rewind', 'expire-days', 'prefix', 'depth', 'storage-class', 'attr'], {
    C: 'config-dir',
    d: 'depth',
  }),
  depth: 3,
  judge: (call) => {
    const [group, action] = call.path;
    const targets = call.pos.slice(1);
    if (group === 'rb')
      return has(call, 'force')
        ? v('catastrophic', 'removes a whole bucket with its objects', false, 'all')
        : v('destructive', 'removes a bucket (must be empty without --force)');
    if (group === 'rm') {
      const root = targets.some((t) => bucketRoot(t, true));
      if (has(call, 'recursive', 'r') && root) return v('catastrophic', 'deletes every object in a bucket', false, 'all');
      return v('destructive', 'deletes objects (no versioning assumed)', false, has(call, 'recursive', 'r') ? 'selection' : 'resource');
    }
    if (group === 'mirror') {
      if (!has(call, 'remove')) return v('write', 'copies objects');
      return v('destructive', 'mirror --remove deletes destination objects missing from the source', false, 'selection');
    }
    if (group === 'ilm' && action === 'rule' && /^(add|edit)$/.test(call.path[2] ?? '')) {
      if (flagValue(call.p, 'expire-days', 'expiry-days') === undefined) return v('write', 'changes a lifecycle rule');
      return flagValue(call.p, 'prefix') === undefined
        ? v('catastrophic', 'an expiry rule for the whole bucket deletes every object', false, 'all')
        : v('destructive', 'an expiry rule deletes objects under a prefix', false, 'selection');
    }
    if (group === 'admin') return v('unknown', 'server administration');
    return undefined;
  },
});

/** `s3cmd`: `s3://bucket/prefix`. */
const s3cmd = cli({
  kind: 'shell',
  spec: spec(['config', 'access_key', 'secret_key', 'exclude', 'include', 'mime-type', 'add-header', 'storage-class', 'region'], {
    c: 'config',
  }),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0];
    const targets = call.pos.slice(1);
    const recursive = has(call, 'recursive', 'r');
    if (sub === 'rb')
      return recursive || has(call, 'force', 'f')
        ? v('catastrophic', 'removes a whole bucket with its objects', false, 'all')
        : v('destructive', 'removes a bucket (must be empty)');
    if (sub === 'del' || sub === 'rm') {
      if (recursive && targets.some((t) => bucketRoot(t, false)))
        return v('catastrophic', 'deletes every object in a bucket', false, 'all');
      return v('destructive', 'deletes objects (no versioning assumed)', false, recursive ? 'selection' : 'resource');
    }
    if (sub === 'sync')
      return has(call, 'delete-removed')
        ? v('destructive', 'sync --delete-removed deletes destination objects', false, 'selection')
        : v('write', 'copies objects');
    if (sub === 'la' || sub === 'get') return v(sub === 'la' ? 'read' : 'write', sub === 'la' ? 'lists' : 'downloads files');
    if (sub === 'expire' || sub === 'setlifecycle') return v('unknown', 'lifecycle rules may delete objects');
    return undefined;
  },
});

/** `rclone`: `remote:bucket/prefix`. */
const rclone = cli({
  kind: 'shell',
  spec: spec(
    [
      'transfers',
      'checkers',
      'config',
      'min-age',
      'max-age',
      'max-depth',
      'include',
      'exclude',
      'filter',
      'bwlimit',
      'log-file',
      'backup-dir',
    ],
    {},
  ),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    const targets = call.pos.slice(1);
    if (has(call, 'n')) return v('read', '-n is a dry run');
    if (/^(ls|lsd|lsl|lsf|lsjson|size|check|cryptcheck|cat|tree|about|listremotes|md5sum|sha1sum|hashsum|ncdu)$/.test(sub))
      return v('read', `${sub} only reads`);
    if (sub === 'config') return v('write', 'edits the rclone configuration');
    if (sub === 'sync') {
      const dest = targets[1] ?? '';
      return /(^|\/)(empty[^/]*)\/?$/i.test(targets[0] ?? '') && dest !== ''
        ? v('catastrophic', 'sync of an empty directory deletes everything at the destination', false, 'all')
        : v('destructive', 'sync deletes destination files missing from the source', false, 'selection');
    }
    if (sub === 'purge' || sub === 'delete') {
      const root = targets.some((t) => bucketRoot(t, false));
      const filtered = flagValue(call.p, 'min-age', 'max-age', 'include', 'exclude', 'filter') !== undefined;
      if (root && !filtered) return v('catastrophic', `${sub} of a whole bucket`, false, 'all');
      return v('destructive', `${sub} deletes objects (no versioning assumed)`, false, 'selection');
    }
    if (sub === 'deletefile' || sub === 'dedupe' || sub === 'cleanup') return v('destructive', `${sub} deletes objects`);
    if (sub === 'rmdir' || sub === 'rmdirs') return v('write', `${sub} removes empty directories only`);
    if (/^(copy|copyto|copyurl|move|moveto|mkdir|touch|rcat)$/.test(sub)) return v('write', `${sub} creates or moves objects`);
    if (sub === 'mount' || sub === 'serve') return v('write', `${sub} exposes a remote`);
    return undefined;
  },
});

// ---------------------------------------------------------------- backups

const restic = cli({
  kind: 'shell',
  spec: spec(
    [
      'repo',
      'repository-file',
      'password-file',
      'host',
      'tag',
      'path',
      'exclude',
      'target',
      'keep-last',
      'keep-daily',
      'keep-weekly',
      'keep-monthly',
      'keep-within',
      'latest',
      'read-data-subset',
      'cache-dir',
    ],
    {
      r: 'repo',
      p: 'password-file',
      H: 'host',
      t: 'target',
      e: 'exclude',
    },
  ),
  depth: 2,
  judge: (call) => {
    const [sub, action] = call.path;
    if (sub === 'forget' || sub === 'prune')
      return has(call, 'n')
        ? v('read', `${sub} --dry-run changes nothing`)
        : v('destructive', `${sub} deletes snapshots`, false, 'selection');
    if (sub === 'key' && /^(remove|rm)$/.test(action ?? '')) return v('destructive', 'removes a repository key');
    if (/^(snapshots|ls|check|stats|find|diff|cat|version|dump)$/.test(sub ?? '')) return v('read', `${sub} only reads`);
    if (/^(restore|mount|copy|unlock|rewrite|recover)$/.test(sub ?? '')) return v('write', `${sub} writes recoverable state`);
    return undefined;
  },
});

const borg = cli({
  kind: 'shell',
  spec: spec(
    [
      'keep-within',
      'keep-last',
      'keep-secondly',
      'keep-minutely',
      'keep-hourly',
      'keep-daily',
      'keep-weekly',
      'keep-monthly',
      'keep-yearly',
      'glob-archives',
      'prefix',
      'compression',
      'exclude',
      'exclude-from',
    ],
    {
      a: 'glob-archives',
      C: 'compression',
      e: 'exclude',
    },
  ),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    const repo = call.pos[1] ?? '';
    if (sub === 'delete') {
      if (has(call, 'n', 'dry-run')) return v('read', 'a dry run changes nothing');
      return repo.includes('::') && !repo.endsWith('::')
        ? v('destructive', 'deletes one archive', false, 'resource')
        : flagValue(call.p, 'glob-archives', 'prefix') !== undefined
          ? v('destructive', 'deletes matching archives', false, 'selection')
          : v('catastrophic', 'deletes the whole backup repository', false, 'all');
    }
    if (sub === 'prune')
      return has(call, 'n') ? v('read', 'prune --dry-run changes nothing') : v('destructive', 'prune deletes archives', false, 'selection');
    if (/^(list|info|check|diff|extract|export-tar|mount)$/.test(sub))
      return v(sub === 'extract' || sub === 'export-tar' ? 'write' : 'read', `${sub}`);
    if (/^(create|init|compact|rename|key|recreate|upgrade|break-lock)$/.test(sub))
      return v('write', `${sub} changes the repository reversibly`);
    return undefined;
  },
});

// ---------------------------------------------------------------- brokers and registries

const nats = cli({
  kind: 'shell',
  spec: spec(['server', 'context', 'creds', 'subject', 'user', 'password', 'count', 'seq', 'keep'], { s: 'server' }),
  depth: 2,
  judge: (call) => {
    const [group, action] = call.path;
    if (group === 'sub' || group === 'subscribe' || group === 'request' || group === 'req') return v('read', 'subscribes');
    if ((group === 'kv' || group === 'stream' || group === 'str' || group === 'object' || group === 'obj') && action === 'purge')
      return v('destructive', `${group} purge deletes messages`, false, 'selection');
    return undefined;
  },
});

const rabbitmqctl = cli({
  kind: 'shell',
  spec: spec(['vhost', 'node', 'timeout'], { p: 'vhost', n: 'node', t: 'timeout' }),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    if (sub === 'delete_vhost') return v('catastrophic', 'deletes a virtual host with every queue and message in it', false, 'all');
    if (sub === 'reset' || sub === 'force_reset')
      return v('catastrophic', 'resets the node: every queue, message and user is lost', false, 'all');
    if (/^(delete_queue|purge_queue|delete_user|delete_exchange|clear_password)$/.test(sub))
      return v('destructive', `${sub} deletes state`);
    if (/^(list_|status$|cluster_status$|environment$|report$|node_health_check$|ping$|await_startup$)/.test(sub))
      return v('read', `${sub} only reads`);
    if (/^(stop_app|start_app|stop|shutdown|close_connection|close_all_connections)$/.test(sub))
      return v('write', `${sub} affects availability only`, sub !== 'start_app');
    if (/^(add_|set_|clear_|change_|update_|enable_|disable_|rotate_|join_cluster|forget_cluster_node)/.test(sub))
      return v('write', `${sub} changes configuration`);
    return undefined;
  },
});

const rabbitmqadmin = cli({
  kind: 'shell',
  spec: spec(['vhost', 'host', 'port', 'username', 'password', 'node', 'config', 'format'], {
    V: 'vhost',
    H: 'host',
    P: 'port',
    u: 'username',
    p: 'password',
    N: 'node',
    c: 'config',
    f: 'format',
  }),
  depth: 2,
  judge: (call) => {
    const [verb, what] = call.path;
    if (verb === 'delete' && what === 'vhost') return v('catastrophic', 'deletes a virtual host', false, 'all');
    if (verb === 'purge') return v('destructive', 'purges a queue');
    return undefined;
  },
});

const consul = cli({
  kind: 'shell',
  spec: spec(['http-addr', 'token', 'datacenter', 'namespace', 'partition', 'separator'], {}, true),
  depth: 2,
  judge: (call) => {
    const [group, action] = call.path;
    if (group === 'kv' && action === 'delete' && has(call, 'recurse')) {
      const prefix = call.pos[2] ?? '';
      return prefix === '' || prefix === '/'
        ? v('catastrophic', 'deletes every key', false, 'all')
        : v('destructive', 'deletes every key under a prefix', false, 'selection');
    }
    if (group === 'kv' && action === 'export') return v('read', 'exports keys');
    if (group === 'members' || group === 'catalog' || group === 'monitor' || group === 'info') return v('read', `${group} only reads`);
    if (group === 'exec') return v('unknown', 'runs commands on agents');
    return undefined;
  },
});

const nomad = cli({
  kind: 'shell',
  spec: spec(['address', 'region', 'namespace', 'token', 'deadline', 'check-index', 'var', 'var-file', 'meta', 'job', 'task'], {}, true),
  depth: 2,
  judge: (call) => {
    const [group, action] = call.path;
    if ((group === 'job' && action === 'stop') || group === 'stop')
      return has(call, 'purge')
        ? v('destructive', 'stop -purge removes the job and its history')
        : v('write', 'stops a job (availability only)', true);
    if ((group === 'job' && action === 'run') || group === 'run') return v('write', 'submits a job');
    if (group === 'node' && (action === 'drain' || action === 'eligibility'))
      return v('write', `node ${action} (availability only)`, action === 'drain' || has(call, 'disable'));
    if (group === 'alloc' && (action === 'exec' || action === 'signal')) return v('unknown', `alloc ${action} acts inside a task`);
    if (group === 'system' && action === 'gc') return v('write', 'garbage-collects terminal objects');
    return undefined;
  },
});

// ---------------------------------------------------------------- configuration management

/** `key=value` pairs of an ansible `-a` argument string. */
function moduleArgs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([A-Za-z_]+)=("([^"]*)"|'([^']*)'|\S+)/g)) out.set(m[1]!, m[3] ?? m[4] ?? m[2]!);
  return out;
}

const ANSIBLE_READ_MODULES = /^(ansible\.builtin\.)?(ping|setup|gather_facts|stat|debug|slurp|find|service_facts|package_facts|wait_for)$/;

const ansible = cli({
  kind: 'shell',
  spec: spec(
    [
      'inventory',
      'module-name',
      'args',
      'limit',
      'user',
      'become-user',
      'forks',
      'extra-vars',
      'private-key',
      'timeout',
      'tags',
      'skip-tags',
    ],
    {
      i: 'inventory',
      m: 'module-name',
      a: 'args',
      l: 'limit',
      u: 'user',
      f: 'forks',
      e: 'extra-vars',
      t: 'tags',
      T: 'timeout',
    },
  ),
  depth: 0,
  judge: (call) => {
    if (has(call, 'check', 'C')) return v('read', '--check changes nothing');
    const module = flagValue(call.p, 'module-name') ?? 'command';
    const args = flagValue(call.p, 'args') ?? '';
    const name = module.replace(/^ansible\.(builtin|posix)\./, '');
    if (ANSIBLE_READ_MODULES.test(module)) return v('read', `module ${name} only reads`);
    if (name === 'shell' || name === 'command' || name === 'raw') return remoteScript(call, args);
    const kv = moduleArgs(args);
    if (name === 'file' && kv.get('state') === 'absent') return removePath(call, kv.get('path') ?? kv.get('dest') ?? kv.get('name') ?? '');
    if (name === 'service' || name === 'systemd' || name === 'systemd_service') {
      const state = kv.get('state') ?? '';
      return v('write', `service ${state || 'change'}`, /^(restarted|stopped|reloaded)$/.test(state));
    }
    if (/^(copy|template|lineinfile|blockinfile|apt|yum|dnf|package|pip|user|group|cron|file|git|unarchive|get_url)$/.test(name))
      return v('write', `module ${name} changes files or packages`);
    return v('unknown', `module ${name} is not judged`);
  },
});

const ansiblePlaybook = cli({
  kind: 'shell',
  spec: spec(
    [
      'inventory',
      'limit',
      'user',
      'become-user',
      'forks',
      'extra-vars',
      'private-key',
      'timeout',
      'tags',
      'skip-tags',
      'vault-password-file',
    ],
    {
      i: 'inventory',
      l: 'limit',
      u: 'user',
      f: 'forks',
      e: 'extra-vars',
      t: 'tags',
      T: 'timeout',
    },
  ),
  depth: 0,
  judge: (call) =>
    has(call, 'check', 'C', 'syntax-check', 'list-tasks', 'list-hosts', 'list-tags')
      ? v('read', 'a check or listing run changes nothing')
      : v('unknown', 'the playbook is not part of the input'),
});

const SALT_READ =
  /^(test\.|grains\.|pillar\.|status\.|network\.(ping|interfaces|ip_addrs)|disk\.usage|pkg\.(version|list_pkgs|list_upgrades)|service\.(status|available|get_all)|sys\.doc|cmd\.which|file\.(file_exists|directory_exists|stats|read))/;

const salt = cli({
  kind: 'shell',
  spec: spec(['batch-size', 'timeout', 'out', 'return', 'tgt-type', 'saltenv', 'pillar'], { b: 'batch-size', t: 'timeout' }),
  depth: 0,
  judge: (call) => {
    const fn = call.pos[1] ?? '';
    const args = call.pos.slice(2);
    if (SALT_READ.test(fn)) return v('read', `${fn} only reads`);
    if (fn === 'cmd.run' || fn === 'cmd.shell' || fn === 'cmd.script')
      return fn === 'cmd.script' ? v('unknown', 'runs a script file') : remoteScript(call, args[0] ?? '');
    if (/^state\.(apply|sls|highstate)$/.test(fn))
      return args.some((a) => /^test=(true|True|1)$/.test(a))
        ? v('read', 'test=True changes nothing')
        : v('unknown', 'the states are not part of the input');
    if (/^service\.(restart|stop|reload)$/.test(fn)) return v('write', `${fn} affects availability only`, true);
    if (/^service\.(start|enable|disable)$/.test(fn)) return v('write', `${fn} changes a service`);
    if (fn === 'file.remove' || fn === 'file.absent') return removePath(call, args[0] ?? '');
    if (/^pkg\.(install|upgrade|refresh_db)$/.test(fn)) return v('write', `${fn} changes packages`);
    return v('unknown', `${fn || 'the function'} is not judged`);
  },
});

// ---------------------------------------------------------------- Kubernetes dev loops

const tilt = cli({
  kind: 'k8s',
  spec: spec(['file', 'port', 'host', 'context', 'namespace'], { f: 'file' }),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    if (sub === 'down')
      return has(call, 'delete-namespaces')
        ? v('catastrophic', 'tilt down --delete-namespaces deletes namespaces', false, 'all')
        : v('destructive', 'tilt down deletes every resource of the Tiltfile', false, 'selection');
    if (sub === 'up' || sub === 'ci' || sub === 'trigger' || sub === 'enable' || sub === 'disable')
      return v('write', `tilt ${sub} deploys`);
    if (sub === 'get' || sub === 'describe' || sub === 'logs' || sub === 'dump' || sub === 'doctor')
      return v('read', `tilt ${sub} only reads`);
    return undefined;
  },
});

const skaffold = cli({
  kind: 'k8s',
  spec: spec(
    ['profile', 'filename', 'namespace', 'kube-context', 'default-repo', 'output', 'digest-source', 'tag', 'module', 'build-artifacts'],
    {
      p: 'profile',
      f: 'filename',
      n: 'namespace',
      d: 'default-repo',
      o: 'output',
      t: 'tag',
      m: 'module',
      a: 'build-artifacts',
    },
  ),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    if (sub === 'delete') return v('destructive', 'deletes every resource skaffold deployed', false, 'selection');
    if (/^(render|diagnose|inspect|schema|fix|survey|config)$/.test(sub)) return v('read', `skaffold ${sub} changes no cluster state`);
    if (/^(run|dev|deploy|apply|debug|build|init|verify)$/.test(sub)) return v('write', `skaffold ${sub} builds or deploys`);
    return undefined;
  },
});

const stern = cli({
  kind: 'k8s',
  spec: spec(['namespace', 'context', 'since', 'tail', 'exclude', 'include', 'container', 'selector', 'output', 'template'], {
    n: 'namespace',
    s: 'since',
    e: 'exclude',
    i: 'include',
    c: 'container',
    l: 'selector',
    o: 'output',
  }),
  depth: 0,
  judge: () => v('read', 'tails logs'),
});

// ---------------------------------------------------------------- SQL migration and modelling CLIs

const goose = cli({
  kind: 'sql',
  spec: spec(['dir', 'table', 'certfile', 'ssl-cert', 'ssl-key'], {}, true),
  depth: 3,
  judge: (call) => {
    // goose [-dir d] DRIVER DBSTRING COMMAND, or COMMAND alone with GOOSE_DRIVER set.
    const verbs = call.pos;
    const cmd = verbs.find((w) => /^(up|up-by-one|up-to|down|down-to|redo|reset|status|version|create|fix|validate)$/.test(w));
    if (cmd === undefined) return undefined;
    if (cmd === 'reset') return v('catastrophic', 'goose reset rolls back every migration', false, 'database');
    if (cmd === 'down' || cmd === 'down-to' || cmd === 'redo')
      return v('unknown', `goose ${cmd} runs down migrations that are not part of the input`);
    if (cmd === 'status' || cmd === 'version' || cmd === 'validate') return v('read', `goose ${cmd} only reads`);
    return v('write', `goose ${cmd} applies forward migrations or writes files`);
  },
});

const sqitch = cli({
  kind: 'sql',
  spec: spec(['target', 'to', 'to-change', 'chdir', 'plan-file', 'engine', 'db-name', 'db-user', 'db-host', 'db-port', 'registry'], {
    t: 'target',
    C: 'chdir',
    f: 'plan-file',
    d: 'db-name',
    u: 'db-user',
    h: 'db-host',
    p: 'db-port',
  }),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    if (sub === 'revert') {
      const to = flagValue(call.p, 'to', 'to-change') ?? call.pos.slice(2).find((w) => w.startsWith('@') || !w.includes(':'));
      return to === undefined
        ? v('catastrophic', 'sqitch revert without --to reverts every change', false, 'database')
        : v('unknown', 'reverts changes whose scripts are not part of the input');
    }
    if (sub === 'rebase') return v('catastrophic', 'rebase reverts every change before deploying again', false, 'database');
    if (/^(status|log|plan|verify|show|config|help|target|engine)$/.test(sub)) return v('read', `sqitch ${sub} only reads`);
    if (/^(deploy|add|rework|tag|init|bundle|checkout|upgrade)$/.test(sub)) return v('write', `sqitch ${sub}`);
    return undefined;
  },
});

const dbt = cli({
  kind: 'sql',
  spec: spec(
    [
      'select',
      'exclude',
      'target',
      'profiles-dir',
      'project-dir',
      'vars',
      'models',
      'threads',
      'selector',
      'resource-type',
      'output',
      'state',
    ],
    {
      s: 'select',
      m: 'models',
      t: 'target',
    },
  ),
  depth: 1,
  judge: (call) => {
    const sub = call.pos[0] ?? '';
    if (/^(compile|ls|list|parse|debug|deps|docs|source|test|show)$/.test(sub)) return v('read', `dbt ${sub} changes no warehouse data`);
    if (/^(run|build|seed|snapshot|clean|init|retry|clone)$/.test(sub)) return v('write', `dbt ${sub} builds models from sources`);
    if (sub === 'run-operation') return v('unknown', 'runs a macro that is not part of the input');
    return undefined;
  },
});

// ---------------------------------------------------------------- local clusters, VMs and PaaS stacks

/** A verb among the path tokens, or a hyphenated subcommand's first part (`list-runs`, `delete-space`). */
const first = (call: Call): string => call.path[0] ?? '';
const verbOf = (token: string): string => token.split('-')[0] ?? token;

/** `kind`, `k3d`, `minikube`: deleting a local cluster removes every resource in it. */
function localCluster(name: string): ToolRule {
  return cli({
    kind: 'shell',
    spec: spec(['name', 'profile', 'kubeconfig', 'config', 'image', 'nodes', 'servers', 'agents', 'driver', 'cpus', 'memory'], {
      p: 'profile',
      c: 'config',
    }),
    depth: 2,
    judge: (call) => {
      if (call.path.includes('delete')) return v('catastrophic', `${name} delete removes a whole cluster`, false, 'all');
      if (call.path.includes('stop')) return v('write', `${name} stop keeps the cluster`, true);
      return undefined;
    },
  });
}

/** `hcloud` (Hetzner Cloud): `server delete` deletes a server with its disk; the verb decides. */
const hcloud = cli({
  kind: 'shell',
  spec: spec(['context', 'config', 'output', 'selector', 'type', 'image', 'location', 'ssh-key', 'name'], { o: 'output', l: 'selector' }),
  depth: 2,
  judge: (call) => {
    const [, action] = call.path;
    if (/^(poweroff|shutdown|reboot|reset)$/.test(action ?? '')) return v('write', `hcloud ${action} affects availability only`, true);
    return undefined;
  },
});

/** `lxc`, `incus`: instances are deleted with their storage. */
const lxc = cli({
  kind: 'shell',
  spec: spec(['project', 'profile', 'config', 'type', 'storage', 'network', 'target', 'format'], {
    p: 'profile',
    c: 'config',
    s: 'storage',
  }),
  depth: 2,
  judge: (call) => {
    const sub = first(call);
    if (sub === 'launch' || sub === 'snapshot' || sub === 'publish' || sub === 'exec')
      return sub === 'exec' ? undefined : v('write', `lxc ${sub}`);
    return undefined;
  },
});

/** `virsh`: `destroy` is a forced power-off (state kept); `undefine --remove-all-storage` deletes disks. */
const virsh = cli({
  kind: 'shell',
  spec: spec(['connect', 'pool', 'name', 'description', 'mode', 'storage'], { c: 'connect' }),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (sub === 'destroy' || sub === 'shutdown' || sub === 'reboot' || sub === 'reset' || sub === 'suspend')
      return v('write', `virsh ${sub} affects availability only; the domain and its disks are kept`, true);
    if (sub === 'undefine')
      return has(call, 'remove-all-storage', 'storage', 'wipe-storage')
        ? v('destructive', 'undefine deletes the domain with its storage volumes')
        : v('write', 'undefine removes the definition; the disks are kept');
    if (/^(vol-delete|vol-wipe|pool-delete|snapshot-delete)$/.test(sub)) return v('destructive', `virsh ${sub} deletes stored data`);
    if (/^(snapshot-create|snapshot-create-as|define|create|start|autostart|attach-disk|setmem|setvcpus|pool-define|vol-create)$/.test(sub))
      return v('write', `virsh ${sub}`);
    if (/^(list|dominfo|domstate|domblklist|dumpxml|snapshot-list|pool-list|vol-list|nodeinfo|capabilities)$/.test(sub))
      return v('read', `virsh ${sub} only reads`);
    return undefined;
  },
});

/** `cf` (Cloud Foundry): `delete-space`/`delete-org` remove everything in them. */
const cf = cli({
  kind: 'shell',
  spec: spec(['manifest', 'instances', 'memory', 'disk', 'stack', 'buildpack', 'path', 'route', 'org', 'space'], {
    f: 'manifest',
    i: 'instances',
    m: 'memory',
    k: 'disk',
    s: 'stack',
    b: 'buildpack',
    p: 'path',
    o: 'org',
  }),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (/^delete-(space|org)$/.test(sub)) return v('catastrophic', `cf ${sub} deletes every app and service in it`, false, 'all');
    if (/^(delete|delete-service|purge-service-instance)$/.test(sub)) return v('destructive', `cf ${sub} deletes an app or service`);
    if (/^(push|bind-service|create-service|set-env|map-route|unmap-route)$/.test(sub)) return v('write', `cf ${sub}`);
    if (/^(restart|restage|stop|scale)$/.test(sub)) return v('write', `cf ${sub} affects availability only`, true);
    if (/^(apps|services|routes|env|events|target|orgs|spaces|marketplace|app|service)$/.test(sub))
      return v('read', `cf ${sub} only reads`);
    return undefined;
  },
});

/** `serverless`/`sls` and `sam`: removing a stack deletes every resource it holds (like CloudFormation `delete-stack`). */
function stackCli(name: string, removeVerb: string): ToolRule {
  return cli({
    kind: 'shell',
    spec: spec(['stage', 'region', 'stack-name', 'config', 'profile', 'function', 'template-file', 's3-bucket', 'parameter-overrides'], {
      s: 'stage',
      r: 'region',
      c: 'config',
      f: 'function',
      t: 'template-file',
    }),
    depth: 1,
    judge: (call) => {
      const sub = first(call);
      if (sub === removeVerb) return v('catastrophic', `${name} ${sub} deletes a whole stack with its resources`, false, 'all');
      if (/^(deploy|package|build|sync|invoke)$/.test(sub))
        return sub === 'invoke' ? v('unknown', 'runs a function') : v('write', `${name} ${sub}`);
      if (/^(info|logs|print|validate|list)$/.test(sub)) return v('read', `${name} ${sub} only reads`);
      return undefined;
    },
  });
}

/** `firebase`: `firestore:delete --all-collections` and `database:remove /` wipe a whole database. */
const firebase = cli({
  kind: 'shell',
  spec: spec(['project', 'only', 'except', 'message', 'instance'], { P: 'project', m: 'message' }),
  depth: 2,
  judge: (call) => {
    const [area, action] = call.path;
    const target = call.pos[1] ?? '';
    if (area === 'firestore' && action === 'delete')
      return has(call, 'all-collections') || /^\/*$/.test(target)
        ? v('catastrophic', 'deletes every Firestore collection', false, 'database')
        : v('destructive', 'deletes Firestore documents');
    if (area === 'database' && action === 'remove')
      return /^\/*$/.test(target)
        ? v('catastrophic', 'removes the whole Realtime Database', false, 'database')
        : v('destructive', 'removes Realtime Database data');
    if (area === 'deploy' || area === 'init' || (area === 'hosting' && action === 'disable')) return v('write', `firebase ${area}`);
    return undefined;
  },
});

// ---------------------------------------------------------------- backups, registries, data stores

/** `pgbackrest`: `expire` deletes backups; `stanza-delete` deletes every backup of a cluster. */
const pgbackrest = cli({
  kind: 'shell',
  spec: spec(['stanza', 'type', 'set', 'repo', 'target', 'pg1-path', 'config', 'log-level-console', 'output'], {}),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (sub === 'stanza-delete') return v('catastrophic', 'stanza-delete deletes every backup and archive of the cluster', false, 'all');
    if (sub === 'expire') return v('destructive', 'expire deletes backups beyond the retention given');
    if (sub === 'restore')
      return has(call, 'delta', 'force')
        ? v('catastrophic', 'restore --delta/--force overwrites the database data directory', false, 'database')
        : v('unknown', 'restores into a data directory that is not part of the input');
    if (/^(backup|stanza-create|stanza-upgrade|archive-push|start|stop)$/.test(sub)) return v('write', `pgbackrest ${sub}`);
    if (/^(info|check|version|help|verify|archive-get)$/.test(sub)) return v('read', `pgbackrest ${sub} only reads`);
    return undefined;
  },
});

/** `wal-g`: `delete` only prints what it would delete unless `--confirm` is given. */
const walg = cli({
  kind: 'shell',
  spec: spec(['config', 'walg-config', 'target-user-data'], {}),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (sub === 'delete') {
      if (!has(call, 'confirm')) return v('read', 'wal-g delete without --confirm only lists what it would delete');
      return call.pos.slice(1).some((t) => t.toLowerCase() === 'everything')
        ? v('catastrophic', 'delete everything removes every backup', false, 'all')
        : v('destructive', 'deletes backups beyond the retention given');
    }
    if (/^(backup-list|wal-show|wal-verify|st)$/.test(sub) && (sub !== 'st' || (call.pos[1] ?? '') === 'ls'))
      return v('read', `wal-g ${sub} only reads`);
    if (/^(backup-push|wal-push)$/.test(sub)) return v('write', `wal-g ${sub} adds a backup`);
    return undefined;
  },
});

/** `skopeo` and `crane`: registry tags; deleting one is destructive, copying and tagging are writes. */
const registryCli = (name: string): ToolRule =>
  cli({
    kind: 'shell',
    spec: spec(['authfile', 'creds', 'src-creds', 'dest-creds', 'format', 'platform', 'override-os', 'override-arch'], {}),
    depth: 1,
    judge: (call) => {
      const sub = first(call);
      if (/^(copy|cp|tag|sync|push|mutate|append|rebase|flatten|login)$/.test(sub))
        return v('write', `${name} ${sub} adds or retags an image`);
      if (/^(inspect|list-tags|ls|manifest|config|digest|catalog|blob|validate)$/.test(sub)) return v('read', `${name} ${sub} only reads`);
      return undefined;
    },
  });

/** `s5cmd`: `s3://bucket/*` is every object in a bucket. */
const s5cmd = cli({
  kind: 'shell',
  spec: spec(['endpoint-url', 'profile', 'numworkers', 'retry-count', 'credentials-file', 'log'], {}),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    const targets = call.pos.slice(1);
    const wholeBucket = (t: string): boolean => /^s3:\/\/[^/]+\/?\**$/.test(t);
    if (sub === 'rm')
      return targets.some(wholeBucket)
        ? v('catastrophic', 'deletes every object in a bucket', false, 'all')
        : v('destructive', 'deletes objects (no versioning assumed)');
    if (sub === 'rb') return v('destructive', 'removes a bucket (must be empty)');
    if (sub === 'sync' && has(call, 'delete')) return v('destructive', 'sync --delete deletes destination objects', false, 'selection');
    if (/^(cp|mv|sync|mb|pipe)$/.test(sub)) return v('write', `s5cmd ${sub}`);
    if (/^(ls|cat|du|version)$/.test(sub)) return v('read', `s5cmd ${sub} only reads`);
    return undefined;
  },
});

/** `influx` (InfluxDB 2): a bucket is a whole database of series. */
const influx = cli({
  kind: 'shell',
  spec: spec(['name', 'org', 'org-id', 'id', 'bucket', 'host', 'token', 'start', 'stop', 'predicate', 'file', 'retention'], {
    n: 'name',
    o: 'org',
    i: 'id',
    b: 'bucket',
    t: 'token',
    f: 'file',
    r: 'retention',
  }),
  depth: 2,
  judge: (call) => {
    const [area, action] = call.path;
    if ((area === 'bucket' || area === 'org') && action === 'delete')
      return v('catastrophic', `deletes a whole ${area} of series`, false, 'database');
    if (area === 'delete') return v('destructive', 'deletes points in a time range');
    if (area === 'query') return v('read', 'a query only reads');
    if (area === 'write' || area === 'backup') return v('write', `influx ${area}`);
    if (area === 'restore')
      return has(call, 'full') ? v('catastrophic', 'a full restore replaces all data', false, 'database') : v('write', 'restores data');
    return undefined;
  },
});

/** `airflow`: DAG runs and metadata. `db reset` wipes the metadata database. */
const airflow = cli({
  kind: 'shell',
  spec: spec(['dag-id', 'state', 'conf', 'run-id', 'start-date', 'end-date', 'subdir', 'output', 'clean-before-timestamp'], {
    d: 'dag-id',
    c: 'conf',
    r: 'run-id',
    s: 'start-date',
    e: 'end-date',
    S: 'subdir',
    o: 'output',
  }),
  depth: 2,
  judge: (call) => {
    const [area, action = ''] = call.path;
    if (area === 'db' && action === 'reset') return v('catastrophic', 'db reset drops the metadata database', false, 'database');
    if (area === 'db' && action === 'clean')
      return has(call, 'dry-run') ? v('read', 'a dry run') : v('destructive', 'db clean purges metadata rows');
    if (action === 'delete') return v('destructive', `deletes a ${area ?? 'record'} with its history`);
    if (/^(pause|unpause|trigger|test|run|backfill|set|import|clear)$/.test(action) || /^(pause|unpause|trigger)$/.test(area ?? ''))
      return v('write', `airflow ${area} ${action}`.trim());
    if (verbOf(action) === 'list' || /^(show|state|details|next-execution|report|get|export)$/.test(action))
      return v('read', `airflow ${area} ${action} only reads`);
    return undefined;
  },
});

/** `pulsar-admin`: tenants and namespaces hold every topic under them. */
const pulsarAdmin = cli({
  kind: 'shell',
  spec: spec(['admin-url', 'auth-plugin', 'auth-params', 'subscription', 'partitions'], { s: 'subscription', p: 'partitions' }),
  depth: 2,
  judge: (call) => {
    const [area, action] = call.path;
    if ((area === 'tenants' || area === 'namespaces') && action === 'delete')
      return v('catastrophic', `deletes a whole ${area.slice(0, -1)} with its topics`, false, 'all');
    if (area === 'topics' && /^(delete|delete-partitioned-topic)$/.test(action ?? ''))
      return v('destructive', 'deletes a topic with its messages');
    return undefined;
  },
});

/** `cqlsh -e`: CQL, judged by the SQL classifier (a keyspace is a database); the kind stays shell. */
const cqlsh = safeRule('shell', (command, context) => {
  const p = parseArgs(
    command.args,
    spec(['execute', 'keyspace', 'file', 'username', 'password', 'cqlversion'], {
      e: 'execute',
      k: 'keyspace',
      f: 'file',
      u: 'username',
      p: 'password',
    }),
  );
  const cql = flagValue(p, 'execute');
  if (cql === undefined) return result('shell', [unknownEffect(command, 'cqlsh', 'cqlsh runs CQL that is not part of the input')], []);
  const statements = cql
    .split(';')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (statements.length > 0 && statements.every((t) => /^(describe|desc|use|consistency|tracing|show|expand|paging)\b/i.test(t)))
    return result('shell', [effect(command, 'read', 'cassandra', 'none', 'read', 'cqlsh: describes the schema only')], []);
  const sql = cql.replace(/\bkeyspace\b/gi, 'DATABASE').replace(/\bcolumnfamily\b/gi, 'TABLE');
  return { ...context.classifySql(sql, 'unknown'), kind: 'shell' };
});

/** Process and service managers: restarts and cancels affect availability only; `pm2 flush` deletes logs. */
const pm2 = cli({
  kind: 'shell',
  spec: spec(['name', 'instances', 'env', 'lines'], { n: 'name', i: 'instances' }),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (sub === 'flush') return v('destructive', 'flush deletes the log files (logs are data)');
    if (/^(restart|reload|stop|delete|kill|scale|gracefulReload)$/.test(sub))
      return v('write', `pm2 ${sub} affects availability only`, true);
    if (/^(start|save|startup|resurrect|install|link)$/.test(sub)) return v('write', `pm2 ${sub}`);
    if (/^(list|ls|status|logs|show|describe|monit|jlist|prettylist|env)$/.test(sub)) return v('read', `pm2 ${sub} only reads`);
    return undefined;
  },
});

const supervisorctl = cli({
  kind: 'shell',
  spec: spec(['configuration', 'serverurl', 'username', 'password'], { c: 'configuration', s: 'serverurl', u: 'username', p: 'password' }),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (/^(restart|stop|signal|shutdown)$/.test(sub)) return v('write', `supervisorctl ${sub} affects availability only`, true);
    if (/^(start|reread|update|reload|add|remove)$/.test(sub))
      return v('write', `supervisorctl ${sub}`, sub === 'reload' || sub === 'remove');
    if (/^(status|avail|pid|tail|version|help)$/.test(sub)) return v('read', `supervisorctl ${sub} only reads`);
    return undefined;
  },
});

/** A command whose only effect is on availability (`scancel`, `launchctl kickstart -k`). */
const availabilityOnly = (what: string): ToolRule =>
  cli({ kind: 'shell', spec: spec([]), depth: 0, judge: () => v('write', `${what} affects availability only`, true) });

const launchctl = cli({
  kind: 'shell',
  spec: spec([]),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (/^(kickstart|kill|stop|bootout|unload|reboot|disable)$/.test(sub))
      return v('write', `launchctl ${sub} affects availability only`, true);
    if (/^(start|load|bootstrap|enable|setenv)$/.test(sub)) return v('write', `launchctl ${sub}`);
    if (/^(list|print|print-disabled|blame|getenv|version|help)$/.test(sub)) return v('read', `launchctl ${sub} only reads`);
    return undefined;
  },
});

/** `ipmitool`: power control is availability only; reading sensors is read. */
const ipmitool = cli({
  kind: 'shell',
  spec: spec(['H', 'U', 'P', 'I', 'p', 'f', 'L', 'E', 'y', 'k'], {}, true),
  depth: 3,
  judge: (call) => {
    const [area, action, arg] = call.path;
    if (area === 'chassis' && action === 'power')
      return arg === 'status'
        ? v('read', 'reads the power state')
        : v('write', `chassis power ${arg ?? ''} affects availability only`.trim(), true);
    if (
      /^(sdr|sensor|fru|sel|lan|mc)$/.test(area ?? '') &&
      /^(list|print|elist|info|status|get)?$/.test(action ?? '') &&
      !(area === 'sel' && action === 'clear')
    )
      return v('read', `ipmitool ${area} only reads`);
    if (area === 'chassis' && action === 'status') return v('read', 'reads the chassis state');
    return undefined;
  },
});

/** `amtool`: silences are reversible writes; queries read. */
const amtool = cli({
  kind: 'shell',
  spec: spec(['alertmanager.url', 'duration', 'comment', 'author', 'output', 'config.file', 'expires'], {
    o: 'output',
    d: 'duration',
    c: 'comment',
    a: 'author',
  }),
  depth: 2,
  judge: (call) => {
    const [area, action = ''] = call.path;
    if ((area === 'alert' || area === 'silence') && (action === 'query' || action === ''))
      return v('read', `amtool ${area} query only reads`);
    if (area === 'silence' && /^(add|expire|import|update)$/.test(action)) return v('write', `amtool silence ${action} is reversible`);
    if (area === 'check-config' || area === 'config') return v('read', 'reads the configuration');
    return undefined;
  },
});

/** `puppet agent`: applies the catalogue unless `--noop`. */
const puppet = cli({
  kind: 'shell',
  spec: spec(['environment', 'server', 'certname', 'tags', 'modulepath', 'logdest'], {}),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (has(call, 'noop')) return v('read', '--noop changes nothing');
    if (sub === 'agent' || sub === 'apply') return v('write', `puppet ${sub} applies configuration`);
    if (/^(lookup|facts|config|module|parser|resource)$/.test(sub) && !/^(install|uninstall|upgrade|set)$/.test(call.pos[1] ?? ''))
      return v('read', `puppet ${sub} only reads`);
    return undefined;
  },
});

/** Deploy and build CLIs whose plain use is a write (`netlify deploy`, `buildah bud`). */
const netlify = cli({
  kind: 'shell',
  spec: spec(['dir', 'site', 'auth', 'message', 'functions', 'alias'], { d: 'dir', s: 'site', m: 'message' }),
  depth: 2,
});

const buildah = cli({
  kind: 'shell',
  spec: spec(['tag', 'file', 'build-arg', 'format', 'layers', 'platform', 'authfile'], { t: 'tag', f: 'file' }),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (/^(bud|build|build-using-dockerfile|from|commit|copy|add|config|run|tag|push|pull|mount|unmount)$/.test(sub))
      return sub === 'run' ? undefined : v('write', `buildah ${sub}`);
    if (/^(images|containers|inspect|info|version)$/.test(sub)) return v('read', `buildah ${sub} only reads`);
    return undefined;
  },
});

/** Read-only scanners and renderers (`trivy`, `kubeconform`, `logcli query`, `apt-cache`). */
const scanner = (what: string): ToolRule =>
  cli({
    kind: 'shell',
    spec: spec(['output', 'format', 'severity', 'schema-location', 'since', 'limit', 'addr', 'template', 'config'], {
      o: 'output',
      f: 'format',
    }),
    depth: 0,
    judge: (call) =>
      flagValue(call.p, 'output') !== undefined && what !== 'kubeconform'
        ? v('write', `${what} writes a report file`)
        : v('read', `${what} only reads and reports`),
  });

const logcli = cli({
  kind: 'shell',
  spec: spec(['since', 'limit', 'addr', 'from', 'to', 'output', 'org-id'], { o: 'output' }),
  depth: 1,
  judge: (call) =>
    /^(query|instant-query|labels|series|stats|volume|volume_range|fmt)$/.test(first(call))
      ? v('read', `logcli ${first(call)} only reads`)
      : undefined,
});

const aptCache = cli({
  kind: 'shell',
  spec: spec([]),
  depth: 1,
  judge: (call) => (first(call) === 'gencaches' ? v('write', 'rebuilds a local cache') : v('read', `apt-cache ${first(call)} only reads`)),
});

/** Editor and toolchain installers: install, update and list extensions or toolchains. */
const code = cli({
  kind: 'shell',
  spec: spec(['install-extension', 'uninstall-extension', 'profile', 'category'], {}),
  depth: 0,
  judge: (call) => {
    if (flagValue(call.p, 'install-extension', 'uninstall-extension') !== undefined)
      return v('write', 'changes installed editor extensions');
    if (has(call, 'list-extensions', 'version', 'status')) return v('read', 'lists extensions');
    return undefined;
  },
});

const rustup = cli({
  kind: 'shell',
  spec: spec(['toolchain', 'profile', 'target', 'component'], {}),
  depth: 2,
  judge: (call) => {
    const sub = first(call);
    if (/^(update|install|default|override|self|target|component|toolchain|set)$/.test(sub) && !/^(list)$/.test(call.path[1] ?? ''))
      return v('write', `rustup ${sub} changes installed toolchains`);
    if (/^(show|which|doc|run)$/.test(sub)) return sub === 'run' ? undefined : v('read', `rustup ${sub} only reads`);
    return undefined;
  },
});

const grafanaCli = cli({
  kind: 'shell',
  spec: spec(['homepath', 'config', 'pluginUrl', 'pluginsDir'], {}),
  depth: 2,
  judge: (call) => {
    const [area, action] = call.path;
    if (area === 'plugins' && /^(install|update|update-all|remove|uninstall)$/.test(action ?? ''))
      return v('write', `grafana-cli plugins ${action} changes plugins`);
    if (area === 'admin' && action === 'reset-admin-password') return v('write', 'resets a password');
    return undefined;
  },
});

/** `pre-commit`: installs hooks and runs them (they may fix files). */
const preCommit = cli({
  kind: 'shell',
  spec: spec(['hook-stage', 'files', 'from-ref', 'to-ref', 'config', 'hook-type'], { c: 'config', t: 'hook-type' }),
  depth: 1,
  judge: (call) =>
    /^(install|run|autoupdate|install-hooks|clean|gc|uninstall|migrate-config|try-repo)$/.test(first(call))
      ? v('write', `pre-commit ${first(call)}`)
      : undefined,
});

/** `azcopy`: `copy` adds blobs; `remove` and `sync --delete-destination=true` delete. */
const azcopy = cli({
  kind: 'shell',
  spec: spec(['delete-destination', 'include-pattern', 'exclude-pattern', 'log-level', 'from-to', 'overwrite', 'cap-mbps'], {}),
  depth: 1,
  judge: (call) => {
    const sub = first(call);
    if (sub === 'remove' || sub === 'rm')
      return has(call, 'recursive')
        ? v('destructive', 'removes blobs recursively', false, 'selection')
        : v('destructive', 'removes a blob');
    if (sub === 'sync')
      return /^(true|prompt)$/i.test(flagValue(call.p, 'delete-destination') ?? '')
        ? v('destructive', 'sync deletes destination blobs missing from the source', false, 'selection')
        : v('write', 'copies blobs');
    if (sub === 'copy' || sub === 'cp' || sub === 'make') return v('write', `azcopy ${sub} adds blobs`);
    if (sub === 'list' || sub === 'jobs' || sub === 'env' || sub === 'login') return v('read', `azcopy ${sub}`);
    return undefined;
  },
});

/** Long-tail CLI grammars by command name. */
export const longTailRules: ToolRuleTable = {
  heroku,
  fly,
  flyctl: fly,
  vercel,
  railway,
  doctl,
  glab,
  mc,
  mcli: mc,
  s3cmd,
  rclone,
  restic,
  borg,
  nats,
  rabbitmqctl,
  rabbitmqadmin,
  consul,
  nomad,
  ansible,
  'ansible-playbook': ansiblePlaybook,
  salt,
  tilt,
  skaffold,
  stern,
  goose,
  sqitch,
  dbt,
  hcloud,
  kind: localCluster('kind'),
  k3d: localCluster('k3d'),
  minikube: localCluster('minikube'),
  lxc,
  incus: lxc,
  virsh,
  cf,
  serverless: stackCli('serverless', 'remove'),
  sls: stackCli('serverless', 'remove'),
  sam: stackCli('sam', 'delete'),
  firebase,
  pgbackrest,
  'wal-g': walg,
  skopeo: registryCli('skopeo'),
  crane: registryCli('crane'),
  s5cmd,
  influx,
  airflow,
  'pulsar-admin': pulsarAdmin,
  cqlsh,
  pm2,
  supervisorctl,
  scancel: availabilityOnly('cancelling a batch job'),
  launchctl,
  ipmitool,
  amtool,
  puppet,
  netlify,
  buildah,
  trivy: scanner('trivy'),
  kubeconform: scanner('kubeconform'),
  logcli,
  'apt-cache': aptCache,
  code,
  rustup,
  'grafana-cli': grafanaCli,
  'pre-commit': preCommit,
  azcopy,
};

// ---------------------------------------------------------------- fallback for CLIs without a grammar

/** Verbs that may start the fallback's read-only judgement. `get`/`test` are left out: package tools install with `get`, tests run code. */
const FALLBACK_READ_VERBS: ReadonlySet<string> = new Set([
  'list',
  'ls',
  'describe',
  'show',
  'status',
  'version',
  'help',
  'logs',
  'inspect',
  'info',
  'whoami',
  'search',
  'diff',
  'plan',
  'validate',
  'lint',
  'check',
]);

/** A word before the verb must look like a plain noun (`stream`, `db`, `compute`). */
const NOUN = /^[a-z][a-z0-9-]{0,30}$/;
/** Flags that force, confirm, run code or delete: any of them keeps the fallback out. */
const RISKY_FLAG =
  /^--?([a-z-]*(force|delete|prune|purge|remove|wipe|drop|exec|command|script|yes|confirm|destroy|reset|fix|write|apply|run|eval)[a-z-]*|y|f|c|e|x)(=|$)/i;
/** Names that are local scripts or interpreters: their contents are not in the input. */
const SCRIPT_NAME = /\.(sh|bash|py|rb|pl|js|mjs|ts|php)$/i;

/**
 * The conservative fallback for a CLI with no grammar: `read` when its subcommand verb is plainly
 * read-only (`tool list`, `tool stream info NAME`, `tool --help`), at most three noun words deep, and
 * no word anywhere is a deleting verb, a forcing or code-running flag, or an unknown expansion.
 * Everything else (and every local script path) returns `undefined`, which the caller turns into
 * `unknown`. Never throws.
 */
export function genericReadOnly(command: SimpleCommand): ToolResult | undefined {
  if (SCRIPT_NAME.test(command.name) || command.name.includes('/')) return undefined;
  let verbAt = -1;
  let nouns = 0;
  for (let i = 0; i < command.args.length; i++) {
    const w: Word = command.args[i]!;
    const t = w.text.toLowerCase();
    if (w.dynamic) return undefined;
    if (DESTRUCTIVE_VERBS.has(t) || RISKY_FLAG.test(t)) return undefined;
    if (verbAt >= 0 || t.startsWith('-')) continue;
    if (FALLBACK_READ_VERBS.has(t)) verbAt = i;
    else if (WRITE_VERBS.has(t) || DISRUPTIVE_VERBS.has(t) || !NOUN.test(t) || ++nouns > 3) return undefined;
  }
  if (verbAt < 0) return undefined;
  const verb = command.args[verbAt]!.text.toLowerCase();
  return result(
    'shell',
    [effect(command, 'read', command.name, 'none', 'read', `${command.name} ${verb}: a read-only subcommand of a CLI without a grammar`)],
    [],
  );
}
