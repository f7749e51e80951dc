/**
 * Docker, Podman and Compose: volume removal and prunes, force-removing containers, `compose
 * down -v`, and `exec`/`run` whose inner command is unwrapped and classified.
 */
import type { RiskClass, Scope } from '../../../core/assessment.js';
import { hasFlag, parseArgs } from '../args.js';
import { readOnly, single, unknownResult } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';

function res(
  command: SimpleCommand,
  risk: RiskClass,
  reason: string,
  scope: Scope = 'resource',
  disruptive = false,
  resource = 'containers',
): ToolResult {
  return single('shell', command, {
    verb: risk === 'read' ? 'read' : risk === 'write' ? 'modify' : 'delete',
    resource,
    scope,
    reversible: !!(risk === 'read' || risk === 'write'),
    risk,
    reason,
    disruptive,
  });
}

const READ = new Set([
  'ps',
  'images',
  'inspect',
  'logs',
  'version',
  'info',
  'top',
  'stats',
  'history',
  'events',
  'port',
  'diff',
  'search',
  'ls',
  'config',
  'help',
  'df',
]);

/** Bind mounts (`-v HOST:CONTAINER`): container path prefix → host path. */
function mounts(rest: readonly Word[]): [string, Word][] {
  const out: [string, Word][] = [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]?.text ?? '';
    let spec: Word | undefined;
    if (t === '-v' || t === '--volume') spec = rest[i + 1];
    else if (t.startsWith('--volume=')) spec = { ...(rest[i] as Word), text: t.slice(9) };
    if (!spec) continue;
    const parts = spec.text.split(':');
    if (parts.length < 2) continue;
    const host = parts[0] as string;
    const container = (parts[1] as string).replace(/\/+$/, '');
    if (host.startsWith('/') || host.startsWith('$') || host.startsWith('.') || host.startsWith('~'))
      out.push([container, { ...spec, text: host }]);
  }
  return out;
}

function execInner(
  command: SimpleCommand,
  context: ToolContext,
  rest: readonly Word[],
  valued: string,
  long: readonly string[],
): ToolResult {
  const p = parseArgs(rest, { shortWithValue: valued, longWithValue: long, stopAtOperand: true });
  if (p.stopIndex < 0) return readOnly(command, 'nothing to run');
  const binds = mounts(rest.slice(0, p.stopIndex));
  // A path inside a bind mount is the host path: `-v "$PWD":/w … rm -rf /w/.git` deletes the repo.
  const inner = rest.slice(p.stopIndex + 1).map((w) => {
    for (const [c, host] of binds) {
      if (c === '' || c === '/') continue;
      if (w.text === c || w.text.startsWith(`${c}/`))
        return { text: host.text.replace(/\/+$/, '') + w.text.slice(c.length), dynamic: w.dynamic || host.dynamic, glob: w.glob };
    }
    return w;
  });
  if (inner.length === 0) return res(command, 'write', 'runs a container with its default command', 'resource');
  const nested = context.classifyArgv(inner);
  return { ...nested, reasons: [...(nested.reasons ?? []), `inside container ${rest[p.stopIndex]?.text ?? ''}`] };
}

function compose(command: SimpleCommand, context: ToolContext, rest: readonly Word[]): ToolResult {
  const p = parseArgs(rest, {
    shortWithValue: 'fp',
    longWithValue: ['file', 'project-name', 'profile', 'env-file', 'project-directory', 'ansi', 'progress', 'parallel'],
    stopAtOperand: true,
  });
  if (p.stopIndex < 0) return readOnly(command, 'compose without a subcommand');
  const subc = rest[p.stopIndex]?.text ?? '';
  const args = rest.slice(p.stopIndex + 1);
  const sp = parseArgs(args, { shortWithValue: 't', longWithValue: ['timeout', 'rmi'] });
  switch (subc) {
    case 'down':
      if (hasFlag(sp, '-v', '--volumes'))
        return res(command, 'destructive', 'compose down -v deletes the project volumes', 'selection', true, 'compose volumes');
      return res(command, 'write', 'compose down stops and removes containers (state in volumes kept)', 'selection', true);
    case 'rm':
      if (hasFlag(sp, '-v', '--volumes')) return res(command, 'destructive', 'removes anonymous volumes', 'selection');
      return res(command, 'write', 'removes stopped service containers');
    case 'exec':
    case 'run':
      return execInner(command, context, args, subc === 'exec' ? 'euw' : 'eupvwl', [
        'env',
        'user',
        'workdir',
        'entrypoint',
        'name',
        'volume',
        'label',
        'publish',
        'index',
      ]);
    case 'stop':
    case 'restart':
    case 'kill':
    case 'pause':
      return res(command, 'write', `compose ${subc}`, 'selection', true);
    default:
      if (READ.has(subc) || subc === 'config' || subc === 'images') return res(command, 'read', `compose ${subc}`, 'none');
      return res(command, 'write', `compose ${subc}`, 'selection');
  }
}

/** `docker …` / `podman …`. */
const docker: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'cHln',
    longWithValue: [
      'context',
      'host',
      'log-level',
      'config',
      'tlscacert',
      'tlscert',
      'tlskey',
      'connection',
      'url',
      'root',
      'runroot',
      'namespace',
      'address',
      'snapshotter',
      'runtime-endpoint',
      'image-endpoint',
      'timeout',
    ],
    stopAtOperand: true,
  });
  if (p.stopIndex < 0) return readOnly(command, 'no subcommand');
  let subc = command.args[p.stopIndex]?.text ?? '';
  let rest = command.args.slice(p.stopIndex + 1);
  if (subc === 'compose') return compose(command, context, rest);
  // Management commands: `docker container rm` = `docker rm`.
  if (
    [
      'container',
      'image',
      'volume',
      'network',
      'system',
      'builder',
      'buildx',
      'pod',
      'secret',
      'plugin',
      'context',
      'swarm',
      'service',
      'stack',
      'node',
    ].includes(subc)
  ) {
    const action = rest.find((w) => !w.text.startsWith('-'))?.text ?? 'ls';
    const idx = rest.findIndex((w) => w.text === action);
    const group = subc;
    rest = rest.slice(idx + 1);
    const sp = parseArgs(rest, { longWithValue: ['filter', 'format'] });
    const all = hasFlag(sp, '-a', '--all');
    const force = hasFlag(sp, '-f', '--force');
    if (group === 'volume') {
      if (action === 'rm' || action === 'remove') {
        if (force && (all || sp.operands.some((o) => o.dynamic)))
          return res(command, 'catastrophic', 'force-removes every volume on the host, including in-use ones', 'host', false, 'volumes');
        return res(
          command,
          'destructive',
          'deletes volumes (data)',
          'resource',
          false,
          `volume ${sp.operands.map((o) => o.text).join(' ')}`,
        );
      }
      if (action === 'prune') return res(command, 'destructive', 'deletes every unused volume', 'selection', false, 'volumes');
      if (READ.has(action)) return res(command, 'read', `volume ${action}`, 'none');
      return res(command, 'write', `volume ${action}`);
    }
    if (group === 'system' && action === 'prune') {
      if (hasFlag(sp, '--volumes')) return res(command, 'destructive', 'system prune --volumes deletes unused volumes', 'host');
      return res(command, 'write', 'prunes stopped containers, dangling images and build cache', 'host');
    }
    if (group === 'system' && action === 'reset') return res(command, 'catastrophic', 'resets all container storage', 'host');
    if ((group === 'image' || group === 'builder' || group === 'buildx' || group === 'network') && (action === 'prune' || action === 'rm'))
      return res(command, 'write', `${group} ${action} removes regenerable artifacts`);
    if (group === 'container' && action === 'prune') return res(command, 'write', 'removes stopped containers');
    if (group === 'secret' && action === 'rm') return res(command, 'destructive', 'deletes a secret');
    if ((group === 'service' || group === 'stack') && (action === 'rm' || action === 'remove'))
      return res(command, 'destructive', `removes a ${group}`, 'resource', true);
    subc = action;
    if (READ.has(subc) || subc === 'list' || subc === 'ls') return res(command, 'read', `${group} ${subc}`, 'none');
  }
  const sp = parseArgs(rest, {
    shortWithValue: subc === 'ps' || subc === 'images' ? 'f' : 'ts',
    longWithValue: ['filter', 'format', 'time', 'signal'],
  });
  switch (subc) {
    case 'exec':
      return execInner(command, context, rest, 'ewu', ['env', 'env-file', 'user', 'workdir', 'detach-keys']);
    case 'run': {
      const r = execInner(command, context, rest, 'eupvwlhmc', [
        'env',
        'env-file',
        'user',
        'publish',
        'volume',
        'workdir',
        'label',
        'name',
        'hostname',
        'memory',
        'network',
        'entrypoint',
        'mount',
        'platform',
        'cpus',
        'restart',
        'device',
        'add-host',
        'cap-add',
        'cap-drop',
        'pull',
        'log-driver',
        'runtime',
        'ulimit',
        'tmpfs',
        'gpus',
        'shm-size',
        'pid',
        'ipc',
        'security-opt',
        'cidfile',
        'volumes-from',
      ]);
      const mountsRoot = rest.some((w, i) => (rest[i - 1]?.text === '-v' || rest[i - 1]?.text === '--volume') && /^\/(:|$)/.test(w.text));
      if (mountsRoot && r.effects.some((e) => e.risk !== 'read'))
        return {
          ...r,
          effects: r.effects.map((e) =>
            e.risk === 'read' ? e : { ...e, risk: 'catastrophic' as const, reason: `${e.reason} (host / is mounted)` },
          ),
        };
      return r;
    }
    case 'rmp':
    case 'rm': {
      const ops = sp.operands;
      const force = hasFlag(sp, '-f', '--force');
      const dynamicAll = ops.some((o) => o.dynamic) || hasFlag(sp, '-a', '--all');
      if (hasFlag(sp, '-v', '--volumes') && force && dynamicAll)
        return res(command, 'destructive', 'force-removes containers and their volumes', 'selection', true);
      if (force && dynamicAll) return res(command, 'destructive', 'force-removes every running container', 'host', true);
      if (force) return res(command, 'write', 'force-removes a named container', 'resource', true);
      if (hasFlag(sp, '-v', '--volumes')) return res(command, 'destructive', 'removes anonymous volumes with the container');
      return res(command, 'write', 'removes a stopped container');
    }
    case 'rmi':
      return res(command, 'write', 'removes images (regenerable)');
    case 'stopp':
    case 'kill':
    case 'stop':
    case 'restart':
    case 'pause':
    case 'unpause':
      return res(command, 'write', `docker ${subc}`, sp.operands.some((o) => o.dynamic) ? 'selection' : 'resource', true);
    case 'pull':
    case 'cp':
    case 'build':
    case 'push':
    case 'tag':
    case 'start':
    case 'create':
    case 'commit':
    case 'login':
    case 'logout':
    case 'update':
    case 'rename':
    case 'save':
    case 'load':
    case 'import':
    case 'export':
    case 'attach':
    case 'wait':
    case 'prune':
      return res(command, 'write', `docker ${subc}`);
    default:
      if (READ.has(subc)) return res(command, 'read', `docker ${subc}`, 'none');
      return unknownResult(command, `no grammar for ${command.name} ${subc}`);
  }
};

const dockerCompose: ToolRule = (command, context) => compose(command, context, command.args);

/** Container grammars by command name. */
export const containerRules: ToolRuleTable = {
  docker,
  podman: docker,
  nerdctl: docker,
  crictl: docker,
  'docker-compose': dockerCompose,
  'podman-compose': dockerCompose,
};
