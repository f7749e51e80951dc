/**
 * The git grammar: global options (`-C dir`, `-c k=v`, `--git-dir`), then one subcommand with
 * its own flags, judged per RISK.md (reset --hard, clean -f, force pushes, branch -D, history
 * rewrites, stash drop, reflog expire, update-ref -d, push --mirror …).
 */
import type { RiskClass, Scope, Target } from '../../../core/assessment.js';
import { hasFlag, parseArgs } from '../args.js';
import type { ParsedArgs } from '../args.js';
import { readOnly, single, unknownResult } from '../rule-kit.js';
import type { SimpleCommand, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';

const READ_SUBCOMMANDS = new Set([
  'status',
  'log',
  'show',
  'diff',
  'blame',
  'grep',
  'ls-files',
  'ls-tree',
  'ls-remote',
  'rev-parse',
  'rev-list',
  'describe',
  'shortlog',
  'cat-file',
  'show-ref',
  'for-each-ref',
  'whatchanged',
  'reflog-show',
  'name-rev',
  'merge-base',
  'cherry',
  'count-objects',
  'fsck',
  'verify-commit',
  'verify-tag',
  'check-ignore',
  'check-attr',
  'help',
  'version',
  'fetch',
  'difftool',
  'range-diff',
  'show-branch',
  'var',
  'bugreport',
  'archive',
  'bundle-verify',
  'instaweb',
  'get-tar-commit-id',
]);

const WRITE_SUBCOMMANDS = new Set([
  'add',
  'commit',
  'mv',
  'init',
  'clone',
  'pull',
  'merge',
  'rebase',
  'cherry-pick',
  'revert',
  'tag',
  'switch',
  'am',
  'apply',
  'notes',
  'submodule',
  'worktree',
  'gc',
  'repack',
  'prune-packed',
  'mergetool',
  'bisect',
  'sparse-checkout',
  'lfs',
  'maintenance',
  'format-patch',
  'bundle',
  'pack-refs',
  'commit-tree',
  'hash-object',
  'update-index',
  'read-tree',
  'write-tree',
  'mktag',
  'replace',
  'restore-staged',
  'fast-import',
  'annex',
  'flow',
  'subtree',
  'rerere',
  'citool',
  'gui',
]);

const DEFAULT_BRANCHES = new Set(['main', 'master', 'trunk', 'develop', 'production', 'prod', 'release']);

function result(
  command: SimpleCommand,
  risk: RiskClass,
  reason: string,
  opts: {
    scope?: Scope;
    verb?: 'read' | 'create' | 'modify' | 'delete' | 'replace';
    resource?: string;
    targets?: readonly Target[];
    disruptive?: boolean;
  } = {},
): ToolResult {
  return single(
    'shell',
    command,
    {
      verb: opts.verb ?? (risk === 'read' ? 'read' : risk === 'write' ? 'modify' : 'delete'),
      resource: opts.resource ?? 'git repository',
      scope: opts.scope ?? (risk === 'catastrophic' ? 'repository' : risk === 'read' ? 'none' : 'resource'),
      reversible: risk === 'read' || risk === 'write' ? true : risk === 'unknown' ? null : false,
      risk,
      reason,
      ...(opts.disruptive ? { disruptive: true } : {}),
    },
    opts.targets ? { targets: opts.targets } : undefined,
  );
}

const SUB_SPECS: Readonly<Record<string, { short?: string; long?: readonly string[] }>> = {
  push: { short: 'o', long: ['repo', 'receive-pack', 'exec', 'push-option'] },
  reset: { long: ['pathspec-from-file'] },
  checkout: { short: 'bB', long: ['conflict', 'pathspec-from-file'] },
  clean: { short: 'e', long: ['exclude'] },
  branch: { short: 'utm', long: ['set-upstream-to', 'track', 'contains', 'merged', 'no-merged', 'points-at', 'format', 'sort'] },
  stash: { short: 'm', long: ['message'] },
  commit: {
    short: 'mFcCt',
    long: ['message', 'file', 'author', 'date', 'reuse-message', 'reedit-message', 'fixup', 'squash', 'template', 'cleanup'],
  },
  restore: { short: 's', long: ['source', 'pathspec-from-file'] },
  config: { short: 'f', long: ['file', 'blob', 'type', 'default', 'comment', 'value'] },
  clone: {
    short: 'obucj',
    long: ['origin', 'branch', 'upload-pack', 'config', 'jobs', 'template', 'reference', 'depth', 'separate-git-dir', 'filter'],
  },
  fetch: { long: ['upload-pack', 'depth', 'deepen', 'shallow-since', 'shallow-exclude', 'refmap', 'jobs'] },
  pull: { long: ['upload-pack', 'depth', 'deepen', 'shallow-since', 'shallow-exclude', 'refmap', 'jobs', 'strategy'] },
  'ls-remote': { short: 'u', long: ['upload-pack', 'sort'] },
  archive: { short: 'o', long: ['exec', 'remote', 'output', 'prefix', 'format'] },
};

/**
 * Configuration keys whose value names a program git runs (or a place it loads more configuration,
 * hooks or transport helpers from). Matched on the lowercased `section[.subsection].name`.
 */
const CODE_KEYS: readonly RegExp[] = [
  /^core\.(fsmonitor|sshcommand|pager|editor|hookspath|askpass|gitproxy)$/,
  /^diff\.external$/,
  /^diff\..+\.(command|textconv)$/,
  /^merge\..+\.driver$/,
  /^filter\..+\.(clean|smudge|process)$/,
  /^alias\./,
  /^credential\.(.+\.)?helper$/,
  /^sequence\.editor$/,
  /^gpg\.(.+\.)?program$/,
  /^uploadpack\.packobjectshook$/,
  /^protocol\.(.+\.)?allow$/,
  /^url\..+\.(push)?insteadof$/,
  /^remote\..+\.(receivepack|uploadpack|vcs)$/,
  /^pager\./,
  /^(difftool|mergetool|browser|man)\..+\.(cmd|path)$/,
  /^include\.path$/,
  /^includeif\..+\.path$/,
  /^interactive\.difffilter$/,
  /^sendemail\.(sendmailcmd|smtpserver)$/,
  /^submodule\..+\.update$/,
  /^init\.templatedir$/,
];

/** Values that run nothing of the caller's choosing (disable, or a plain pager). */
const HARMLESS_VALUES = new Set([
  '',
  'false',
  'no',
  'off',
  '0',
  'never',
  '/dev/null',
  'cat',
  'less',
  'more',
  'true',
  'less -r',
  'less -frx',
]);

/** True when setting `key` (to `value`, unknown when undefined) can make git run a program. */
function configRunsCode(key: string, value: string | undefined): boolean {
  const k = key.toLowerCase();
  if (/[$`]/.test(k)) return true;
  if (!CODE_KEYS.some((re) => re.test(k))) return false;
  if (value === undefined || k.startsWith('alias.') || k.startsWith('url.') || k.startsWith('include')) return true;
  return !HARMLESS_VALUES.has(value.trim().toLowerCase());
}

/** A `KEY=VALUE` word of `-c`/`--config`: true when it sets a key that runs code. */
function assignmentRunsCode(word: Word | true): boolean {
  if (word === true) return false;
  const eq = word.text.indexOf('=');
  const key = eq < 0 ? word.text : word.text.slice(0, eq);
  if (word.dynamic && /[$`]/.test(key)) return true;
  return configRunsCode(key, eq < 0 ? 'true' : word.dynamic ? undefined : word.text.slice(eq + 1));
}

/** Subcommand options that name a program to run on this or the remote side, or set code-running config. */
function subcommandRunsCode(subcommand: string, p: ParsedArgs): string | undefined {
  const programFlags: Readonly<Record<string, readonly string[]>> = {
    fetch: ['--upload-pack'],
    pull: ['--upload-pack'],
    clone: ['--upload-pack', '-u', '--template'],
    'ls-remote': ['--upload-pack', '-u'],
    archive: ['--exec'],
    push: ['--receive-pack', '--exec'],
  };
  const named = programFlags[subcommand]?.find((f) => p.flags.has(f));
  if (named) return `git ${subcommand} ${named} names a program to run`;
  if (subcommand === 'clone' && p.flagList.some(([k, v]) => (k === '-c' || k === '--config') && assignmentRunsCode(v)))
    return 'git clone --config sets a key that runs a program';
  if (subcommand === 'config') {
    if (hasFlag(p, '--get', '--get-all', '--list', '-l', '--get-regexp', '--get-urlmatch', '--unset', '--unset-all')) return undefined;
    if (hasFlag(p, '--remove-section', '--rename-section')) return undefined;
    const ops = p.operands.map((w) => w.text);
    const args = ops[0] === 'set' ? ops.slice(1) : ops;
    if (['get', 'list', 'unset', 'edit', 'remove-section', 'rename-section'].includes(ops[0] ?? '')) return undefined;
    const key = args[0];
    const valueWord = ops[0] === 'set' ? p.operands[2] : p.operands[1];
    if (key !== undefined && args.length >= 2 && configRunsCode(key, valueWord?.dynamic ? undefined : valueWord?.text))
      return `git config sets ${key}, which names a program git runs`;
  }
  return undefined;
}

function push(command: SimpleCommand, p: ParsedArgs): ToolResult {
  const ops = p.operands.map((w) => w.text);
  const remote = ops[0];
  const refs = ops.slice(1);
  const targets: Target[] = [];
  for (const r of refs.length > 0 ? refs : [''])
    targets.push({
      type: 'git',
      ...(remote !== undefined ? { remote } : {}),
      ...(r ? { branch: r.replace(/^\+/, '').split(':').pop() as string } : {}),
    });
  if (hasFlag(p, '-n', '--dry-run')) return result(command, 'read', 'git push --dry-run', { targets });
  if (hasFlag(p, '--mirror'))
    return result(command, 'catastrophic', 'git push --mirror overwrites every ref on the remote', {
      scope: 'repository',
      resource: `remote ${remote ?? 'origin'}`,
      targets,
    });
  const force = hasFlag(p, '-f', '--force');
  const lease = [...p.flags.keys()].some((k) => k === '--force-with-lease' || k === '--force-if-includes');
  const plusRef = refs.some((r) => r.startsWith('+'));
  const deletes = hasFlag(p, '-d', '--delete') || refs.some((r) => /^:[^:]+$/.test(r));
  if (hasFlag(p, '--prune'))
    return result(command, 'destructive', 'git push --prune deletes remote branches missing locally', {
      resource: `remote ${remote ?? 'origin'}`,
      targets,
    });
  if (deletes)
    return result(command, 'destructive', 'deletes a remote branch', {
      resource: `remote ${remote ?? 'origin'} branch ${refs.join(' ')}`,
      targets,
    });
  const branchNames = refs.map((r) => (r.replace(/^\+/, '').split(':').pop() as string).replace(/^refs\/heads\//, ''));
  const toDefault = branchNames.some((b) => DEFAULT_BRANCHES.has(b)) || refs.length === 0;
  if (force || plusRef)
    return result(command, 'destructive', 'a force push can discard commits on the remote', {
      resource: `remote ${remote ?? 'origin'} ${branchNames.join(' ') || 'current branch'}`,
      targets,
    });
  if (lease) {
    if (toDefault && refs.length > 0)
      return result(command, 'destructive', '--force-with-lease to a default branch rewrites shared history', { targets });
    if (refs.length === 0) return result(command, 'write', '--force-with-lease of the current branch', { targets });
    return result(command, 'write', '--force-with-lease to a non-default branch', { targets });
  }
  if (hasFlag(p, '--all', '--tags')) return result(command, 'write', 'pushes refs', { targets });
  return result(command, 'write', 'an ordinary push', { targets });
}

function onlyPathspecAfterDashes(command: SimpleCommand): boolean {
  return command.args.some((a) => a.text === '--');
}

function sub(command: SimpleCommand, subcommand: string, rest: readonly Word[]): ToolResult {
  const spec = SUB_SPECS[subcommand] ?? {};
  const p = parseArgs(rest, { shortWithValue: spec.short ?? '', longWithValue: spec.long ?? [] });
  const ops = p.operands.map((w) => w.text);
  const runs = subcommandRunsCode(subcommand, p);
  if (runs) return unknownResult(command, runs);
  switch (subcommand) {
    case 'push':
      return push(command, p);
    case 'reset':
      if (hasFlag(p, '--hard')) return result(command, 'destructive', 'git reset --hard discards uncommitted work');
      if (hasFlag(p, '--merge', '--keep')) return result(command, 'write', 'git reset keeping local changes');
      return result(command, 'write', 'git reset (soft or mixed) keeps the working tree');
    case 'switch':
      if (hasFlag(p, '-f', '--force', '--discard-changes'))
        return result(command, 'destructive', 'git switch --discard-changes discards local changes');
      return result(command, 'write', 'switches branches');
    case 'checkout': {
      if (hasFlag(p, '-f', '--force')) return result(command, 'destructive', 'git checkout -f discards local changes');
      if (hasFlag(p, '-b', '-B', '--orphan')) return result(command, 'write', 'creates a branch');
      if (onlyPathspecAfterDashes(command) || ops.some((o) => o === '.' || o.includes('/') || /\.[a-z0-9]+$/i.test(o))) {
        return result(command, 'destructive', 'git checkout of paths discards their uncommitted changes');
      }
      return result(command, 'write', 'switches branches');
    }
    case 'restore':
      if (hasFlag(p, '--staged', '-S') && !hasFlag(p, '--worktree', '-W')) return result(command, 'write', 'unstages changes');
      return result(command, 'destructive', 'git restore discards uncommitted changes in the working tree');
    case 'clean':
      if (hasFlag(p, '-n', '--dry-run')) return result(command, 'read', 'git clean dry run');
      if (hasFlag(p, '-f', '--force', '-i', '--interactive'))
        return result(command, 'destructive', 'git clean deletes untracked files, which are not in VCS', { scope: 'directory' });
      return result(command, 'read', 'git clean without -f refuses to run');
    case 'branch': {
      if (hasFlag(p, '-D') || (hasFlag(p, '-d', '--delete') && hasFlag(p, '-f', '--force')))
        return result(command, 'destructive', 'git branch -D deletes a branch with unmerged commits', {
          resource: `branch ${ops.join(' ')}`,
          targets: ops.map((b) => ({ type: 'git' as const, branch: b })),
        });
      if (hasFlag(p, '-d', '--delete'))
        return result(command, 'write', 'git branch -d deletes a merged branch', { resource: `branch ${ops.join(' ')}` });
      if (hasFlag(p, '-m', '-M', '-c', '-C', '-u', '--set-upstream-to', '--unset-upstream', '--edit-description', '--track'))
        return result(command, 'write', 'changes a branch');
      if (
        ops.length > 0 &&
        !hasFlag(
          p,
          '-l',
          '--list',
          '-a',
          '-r',
          '--all',
          '--remotes',
          '--contains',
          '--merged',
          '--no-merged',
          '--points-at',
          '-v',
          '-vv',
          '--show-current',
        )
      )
        return result(command, 'write', 'creates a branch');
      return result(command, 'read', 'lists branches');
    }
    case 'stash': {
      const action = ops[0] ?? 'push';
      if (action === 'drop' || action === 'clear') return result(command, 'destructive', `git stash ${action} discards stashed work`);
      if (action === 'list' || action === 'show') return result(command, 'read', 'lists stashes');
      return result(command, 'write', `git stash ${action}`);
    }
    case 'filter-branch':
    case 'filter-repo':
      return result(command, 'destructive', 'rewrites history', { scope: 'repository' });
    case 'reflog': {
      const action = ops[0] ?? 'show';
      if (action === 'expire' || action === 'delete') return result(command, 'destructive', `git reflog ${action} drops recovery points`);
      return result(command, 'read', 'shows the reflog');
    }
    case 'update-ref':
      if (hasFlag(p, '-d')) return result(command, 'destructive', 'git update-ref -d deletes a ref');
      return result(command, 'write', 'moves a ref');
    case 'prune':
      if (hasFlag(p, '-n', '--dry-run')) return result(command, 'read', 'dry run');
      return result(command, 'destructive', 'git prune deletes unreachable objects');
    case 'gc':
      if (ops.length === 0 && [...p.flags.keys()].some((k) => k.startsWith('--prune')))
        return result(command, 'destructive', 'git gc --prune drops unreachable objects');
      return result(command, 'write', 'git gc');
    case 'rm': {
      if (hasFlag(p, '--cached')) return result(command, 'write', 'untracks files');
      if (hasFlag(p, '-n', '--dry-run')) return result(command, 'read', 'dry run');
      return result(command, 'write', 'git rm deletes tracked files (recoverable from history)');
    }
    case 'remote': {
      const action = ops[0] ?? '';
      if (['remove', 'rm', 'set-url', 'rename', 'add', 'prune', 'set-head', 'set-branches'].includes(action))
        return result(command, 'write', `git remote ${action}`);
      return result(command, 'read', 'lists remotes');
    }
    case 'tag':
      if (hasFlag(p, '-d', '--delete')) return result(command, 'write', 'deletes a local tag');
      if (ops.length === 0 || hasFlag(p, '-l', '--list')) return result(command, 'read', 'lists tags');
      return result(command, 'write', 'creates a tag');
    case 'config':
      if (
        hasFlag(p, '--unset', '--unset-all', '--remove-section', '--rename-section', '--edit', '-e') ||
        ['unset', 'edit'].includes(ops[0] ?? '')
      )
        return result(command, 'write', 'changes configuration');
      if (hasFlag(p, '--get', '--get-all', '--list', '-l', '--get-regexp') || ops.length <= 1)
        return result(command, 'read', 'reads configuration');
      return result(command, 'write', 'changes configuration');
    case 'commit':
      if (hasFlag(p, '--dry-run')) return result(command, 'read', 'git commit --dry-run');
      return result(command, 'write', 'git commit');
    case 'rebase':
    case 'merge':
    case 'cherry-pick':
    case 'revert':
    case 'am':
      if (subcommand === 'rebase' && hasFlag(p, '--root')) return result(command, 'write', 'rebases from the root (local history rewrite)');
      return result(command, 'write', `git ${subcommand}`);
    case 'worktree':
      if ((ops[0] === 'remove' || ops[0] === 'rm') && hasFlag(p, '-f', '--force'))
        return result(command, 'destructive', 'removes a worktree with uncommitted changes');
      return result(command, ops[0] === 'list' ? 'read' : 'write', `git worktree ${ops[0] ?? ''}`);
    case 'fetch':
      return result(command, 'read', 'git fetch only updates remote-tracking refs (a local cache)');
    default:
      if (READ_SUBCOMMANDS.has(subcommand)) return result(command, 'read', `git ${subcommand} only reads`);
      if (WRITE_SUBCOMMANDS.has(subcommand)) return result(command, 'write', `git ${subcommand} changes the repository recoverably`);
      return unknownResult(command, `no grammar for git ${subcommand}`);
  }
}

/** `git [global options] <subcommand> …`. */
const git: ToolRule = (command) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'Cc',
    longWithValue: ['git-dir', 'work-tree', 'namespace', 'config-env', 'super-prefix'],
    stopAtOperand: true,
  });
  for (const [key, value] of p.flagList) {
    if (key === '--exec-path' && value !== true) return unknownResult(command, 'git --exec-path= runs git programs from another directory');
    if (key === '-c' && assignmentRunsCode(value)) return unknownResult(command, 'git -c sets a key that runs a program');
    if (key === '--config-env' && value !== true) {
      const name = value.text.split('=')[0] ?? '';
      if (configRunsCode(name, undefined)) return unknownResult(command, 'git --config-env sets a key that runs a program');
    }
  }
  if (p.stopIndex < 0)
    return readOnly(command, hasFlag(p, '--version', '--help') ? 'git prints help or version' : 'git without a subcommand');
  const subWord = command.args[p.stopIndex] as Word;
  if (subWord.dynamic) return unknownResult(command, 'git subcommand not known before run time');
  const targets: Target[] = [];
  const dir = p.flags.get('-C');
  if (dir && dir !== true) targets.push({ type: 'path', path: dir.text });
  const r = sub(command, subWord.text, command.args.slice(p.stopIndex + 1));
  return targets.length > 0 ? { ...r, targets: [...(r.targets ?? []), ...targets] } : r;
};

/** The GitHub CLI: deletes of repositories and releases, merges, API calls. */
const gh: ToolRule = (command, context) => {
  const ops = command.args.filter((a) => !a.text.startsWith('-')).map((a) => a.text);
  const [group, action] = ops;
  const texts = command.args.map((a) => a.text);
  const target = ops[2];
  const targets: Target[] = target ? [{ type: 'git', remote: target }] : [];
  if (group === 'repo' && action === 'delete')
    return result(command, 'catastrophic', 'gh repo delete removes the whole repository', {
      scope: 'repository',
      resource: `repository ${target ?? '(current)'}`,
      targets,
    });
  if (group === 'repo' && action === 'archive') return result(command, 'write', 'archives a repository', { targets });
  if (group === 'release' && action === 'delete') return result(command, 'destructive', 'deletes a release', { targets });
  if ((group === 'secret' || group === 'variable') && (action === 'delete' || action === 'remove'))
    return result(command, 'destructive', `deletes a ${group}`);
  if (group === 'api') {
    const mIdx = texts.findIndex((t) => t === '-X' || t === '--method');
    const method = (
      mIdx >= 0
        ? texts[mIdx + 1]
        : (texts.find((t) => t.startsWith('--method='))?.slice(9) ?? texts.find((t) => /^-X[A-Z]+$/.test(t))?.slice(2))
    )?.toUpperCase();
    if (method === 'DELETE') {
      // The endpoint is the first operand after `api` that is not the method's own value.
      const path = ops.slice(1).find((o, i) => !(i === 0 && o.toUpperCase() === 'DELETE' && mIdx >= 0)) ?? '';
      if (/\/caches(\?|\/|$)/.test(path)) return result(command, 'write', 'gh api DELETE of caches (regenerable)');
      const wide = /^\/?repos\/[^/]+\/[^/]+\/?$/.test(path) || /^\/?orgs\/[^/]+\/?$/.test(path);
      return result(command, wide ? 'catastrophic' : 'destructive', `gh api DELETE ${path}`, { scope: wide ? 'repository' : 'resource' });
    }
    if (method && method !== 'GET' && method !== 'HEAD') return result(command, 'write', `gh api ${method}`);
    if (texts.some((t) => t === '-f' || t === '-F' || t === '--field' || t === '--raw-field' || t === '--input'))
      return result(command, 'write', 'gh api with fields defaults to POST');
    return result(command, 'read', 'gh api GET');
  }
  const readActions = new Set(['list', 'view', 'status', 'diff', 'checks', 'search', 'browse', 'download', 'watch', 'logs', 'log']);
  if (action && readActions.has(action)) return result(command, 'read', `gh ${group} ${action}`);
  if (
    group === 'auth' ||
    group === 'config' ||
    group === 'help' ||
    group === 'version' ||
    group === 'search' ||
    group === 'browse' ||
    group === 'status'
  )
    return result(command, 'read', `gh ${group}`);
  if (action === 'delete') return result(command, 'destructive', `gh ${group} delete`);
  if (group === 'run' && action === 'cancel') return result(command, 'write', 'cancels a workflow run', { disruptive: true });
  void context;
  return result(command, 'write', `gh ${group ?? ''} ${action ?? ''}`.trim());
};

/** Git and GitHub grammars. */
export const gitRules: ToolRuleTable = { git, gh };
