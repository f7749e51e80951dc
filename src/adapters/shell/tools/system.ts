/**
 * Network clients (curl, wget, httpie), service and process control (systemctl, kill, reboot),
 * scheduling (crontab), firewalls (iptables, ufw, nft), package managers and build tools.
 */
import { posix } from 'node:path';
import type { RiskClass, Scope, Target } from '../../../core/assessment.js';
import { hasFlag, parseArgs } from '../args.js';
import { literalWord, readOnly, single, stdinOf } from '../rule-kit.js';
import type { SimpleCommand, ToolResult, ToolRule, ToolRuleTable } from '../tool-rule.js';

function res(
  command: SimpleCommand,
  risk: RiskClass,
  reason: string,
  opts: { scope?: Scope; resource?: string; disruptive?: boolean; targets?: readonly Target[] } = {},
): ToolResult {
  return single(
    'shell',
    command,
    {
      verb: risk === 'read' ? 'read' : risk === 'write' ? 'modify' : risk === 'unknown' ? 'execute' : 'delete',
      resource: opts.resource ?? command.name,
      scope: opts.scope ?? (risk === 'read' ? 'none' : 'resource'),
      reversible: risk === 'read' || risk === 'write' ? true : risk === 'unknown' ? null : false,
      risk,
      reason,
      disruptive: opts.disruptive ?? false,
    },
    opts.targets ? { targets: opts.targets } : undefined,
  );
}

function hostOf(url: string): string | undefined {
  const m = /^(?:[a-z]+:\/\/)?(?:[^@/]*@)?([^/:?#]+)/i.exec(url);
  return m?.[1];
}

/**
 * Airlock's human-only endpoints, on any host: the approvals API (`/v1/requests/ID/approve|deny|revoke`,
 * `/v1/grants/ID/approve|deny|revoke`, creating a grant with `POST /v1/grants`) and the web UI's forms
 * (`/requests/ID/review|revoke`, `/grants…`, `POST /login`). An agent calling one is approving its own
 * request (SECURITY.md invariant 2), so any method is catastrophic, except reading a list or a login page.
 * The path is matched as written, after the scheme and host (a variable host like `$URL` included),
 * with percent escapes decoded and `.`/`..`/`//` resolved as the client and router would.
 */
export function approvalEndpoint(url: string, method: string): string | undefined {
  const raw = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  const path = posix
    .normalize(`/${decodeURIComponentSafe(raw)}`)
    .replace(/\/+$/, '')
    .toLowerCase();
  const reads = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  if (/\/(?:v1\/)?(?:requests|grants)\/[^/]+\/(?:approve|deny|revoke|review|[^/]*[{[][^/]*(?:approve|deny|revoke|review)[^/]*)$/.test(path))
    return "approving is for humans: an agent calling Airlock's approval endpoint is approving its own request (SECURITY.md invariant 2)";
  if (!reads && /\/(?:v1\/)?grants(?:\/[^/]*)?$/.test(path))
    return "granting elevation is for humans: an agent calling Airlock's grants endpoint is approving its own request (SECURITY.md invariant 2)";
  if (!reads && /\/login$/.test(path))
    return 'signing in as an approver is for humans: an agent posting to a login form could approve its own request (SECURITY.md invariant 2)';
  return undefined;
}

/** The catastrophic result for a call to one of Airlock's human-only endpoints, if any URL names one. */
function humanOnly(command: SimpleCommand, urls: readonly string[], method: string, targets: readonly Target[]): ToolResult | undefined {
  for (const url of urls) {
    const reason = approvalEndpoint(url, method);
    if (reason !== undefined)
      return single(
        'shell',
        command,
        {
          verb: 'execute',
          resource: `Airlock's approval endpoint ${url}`,
          scope: 'resource',
          reversible: false,
          risk: 'catastrophic',
          reason,
        },
        { targets },
      );
  }
  return undefined;
}

/** curl: the method decides; `-X DELETE` to an API deletes in an external system of record. */
const curl: ToolRule = (command) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'XdHuoFTAeEKbcrwmyYzCxUQ',
    longWithValue: [
      'request',
      'data',
      'data-raw',
      'data-binary',
      'data-urlencode',
      'json',
      'header',
      'user',
      'output',
      'form',
      'upload-file',
      'user-agent',
      'referer',
      'cert',
      'key',
      'cookie',
      'cookie-jar',
      'range',
      'write-out',
      'max-time',
      'connect-timeout',
      'proxy',
      'retry',
      'url',
      'cacert',
      'resolve',
      'config',
      'oauth2-bearer',
      'form-string',
      'time-cond',
      'limit-rate',
      'quote',
      'interface',
      'dns-servers',
    ],
  });
  const urls = [...p.operands.map((o) => o.text), ...p.flagList.filter(([k]) => k === '--url').map(([, v]) => (v === true ? '' : v.text))];
  const targets: Target[] = urls
    .map(hostOf)
    .filter((h): h is string => h !== undefined && h !== '')
    .map((h) => ({ type: 'host', hostname: h }));
  const methodWord = p.flags.get('-X') ?? p.flags.get('--request');
  let method = methodWord && methodWord !== true ? methodWord.text.toUpperCase() : undefined;
  const hasData = hasFlag(p, '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--json', '-F', '--form', '--form-string');
  if (method === undefined)
    method = hasFlag(p, '-T', '--upload-file') ? 'PUT' : hasData ? 'POST' : hasFlag(p, '-I', '--head') ? 'HEAD' : 'GET';
  const out = p.flags.get('-o') ?? p.flags.get('--output');
  const writesFile =
    (out !== undefined && out !== true && out.text !== '-' && out.text !== '/dev/null') ||
    hasFlag(p, '-O', '--remote-name', '--remote-name-all');
  const approval = humanOnly(command, urls, methodWord && methodWord !== true && methodWord.dynamic ? 'POST' : method, targets);
  if (approval !== undefined) return approval;
  if (methodWord && methodWord !== true && methodWord.dynamic)
    return res(command, 'unknown', 'HTTP method not known before run time', { targets });
  switch (method) {
    case 'DELETE': {
      const url = urls[0] ?? '';
      const wide =
        (/\/(indices|_all|\*)(\/|$|\?)|\/_all\b|\/\*(\?|$)|\/(projects|accounts|clusters|databases|buckets|repos\/[^/]+\/[^/]+)\/?[^/]*\/?$/.test(
          url,
        ) &&
          /\/(projects|accounts|clusters|databases|buckets)\//.test(url)) ||
        /\/_all\b|\/\*(\?|$)/.test(url);
      return res(command, wide ? 'catastrophic' : 'destructive', `HTTP DELETE of ${url} in an external system of record`, {
        scope: wide ? 'database' : 'resource',
        resource: url,
        targets,
      });
    }
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      if (writesFile) return res(command, 'write', 'downloads to a file', { targets });
      return res(command, 'read', `HTTP ${method} only reads`, { targets });
    default: {
      const url = urls[0] ?? '';
      const endpoint = deletionEndpoint(url);
      if (endpoint !== undefined)
        return res(command, endpoint, `HTTP ${method} to a deletion endpoint (${url}) deletes data`, {
          scope: endpoint === 'catastrophic' ? 'database' : 'selection',
          resource: url,
          targets,
        });
      return res(command, 'write', `HTTP ${method} changes state in an external system`, { targets });
    }
  }
};

/**
 * A POST or PUT whose URL path ends in a deletion endpoint (`_delete_by_query`, `delete_series`,
 * `/purge`) deletes data like an HTTP DELETE. A series matcher that matches every metric name
 * (`{__name__=~".+"}`) empties the whole time-series database. Undefined for any other URL.
 */
export function deletionEndpoint(url: string): 'destructive' | 'catastrophic' | undefined {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '';
  const last =
    path
      .split('/')
      .filter((s) => s !== '')
      .pop() ?? '';
  if (!/^_?(delete|delete_by_query|delete_series|purge|drop|truncate|wipe|destroy)$/i.test(last)) return undefined;
  const query = url.includes('?') ? decodeURIComponentSafe(url.slice(url.indexOf('?') + 1)) : '';
  return /__name__\s*=~\s*["']?\.[*+]["']?/.test(query) ? 'catastrophic' : 'destructive';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const wget: ToolRule = (command) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'OoPaeUtTwQ',
    longWithValue: [
      'output-document',
      'directory-prefix',
      'method',
      'body-data',
      'post-data',
      'header',
      'user',
      'password',
      'tries',
      'timeout',
      'user-agent',
      'output-file',
      'append-output',
      'execute',
    ],
  });
  const urls = p.operands.map((o) => o.text);
  const targets: Target[] = urls
    .map(hostOf)
    .filter((h): h is string => h !== undefined)
    .map((h) => ({ type: 'host', hostname: h }));
  const methodWord = p.flags.get('--method');
  const method =
    methodWord && methodWord !== true
      ? methodWord.text.toUpperCase()
      : hasFlag(p, '--post-data', '--post-file', '--body-data')
        ? 'POST'
        : 'GET';
  const approval = humanOnly(command, urls, methodWord && methodWord !== true && methodWord.dynamic ? 'POST' : method, targets);
  if (approval !== undefined) return approval;
  if (method === 'DELETE')
    return res(command, 'destructive', `HTTP DELETE of ${urls[0] ?? ''} in an external system of record`, {
      targets,
      resource: urls[0] ?? 'url',
    });
  if (method !== 'GET' && method !== 'HEAD') return res(command, 'write', `HTTP ${method}`, { targets });
  const out = p.flags.get('-O') ?? p.flags.get('--output-document');
  if (hasFlag(p, '--spider')) return res(command, 'read', 'wget --spider only checks', { targets });
  if (out !== undefined && out !== true && out.text === '-') return res(command, 'read', 'prints the download', { targets });
  return res(command, 'write', 'downloads files', { targets });
};

const httpie: ToolRule = (command) => {
  const ops = command.args.filter((a) => !a.text.startsWith('-')).map((a) => a.text);
  const first = (ops[0] ?? '').toUpperCase();
  const method = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(first)
    ? first
    : ops.slice(1).some((o) => /[=:]=?|@/.test(o) && !/^https?:/.test(o))
      ? 'POST'
      : 'GET';
  const url = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(first) ? (ops[1] ?? '') : (ops[0] ?? '');
  const h = hostOf(url);
  const targets: Target[] = h ? [{ type: 'host', hostname: h }] : [];
  const approval = humanOnly(
    command,
    [url, ...ops.filter((o) => o !== url && /^(?:[a-z]+:\/\/|:\d|\/|[^=:@/]+[:/])/i.test(o))],
    method,
    targets,
  );
  if (approval !== undefined) return approval;
  if (method === 'DELETE') return res(command, 'destructive', `HTTP DELETE of ${url}`, { targets, resource: url });
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return res(command, 'read', `HTTP ${method}`, { targets });
  return res(command, 'write', `HTTP ${method}`, { targets });
};

const systemctl: ToolRule = (command) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'HMtpsn',
    longWithValue: ['host', 'machine', 'type', 'property', 'signal', 'lines', 'output', 'root', 'kill-whom', 'state'],
  });
  const [verb, ...units] = p.operands.map((o) => o.text);
  const unit = units.join(' ');
  switch (verb) {
    case undefined:
    case 'status':
    case 'show':
    case 'cat':
    case 'list-units':
    case 'list-unit-files':
    case 'list-timers':
    case 'list-sockets':
    case 'list-dependencies':
    case 'is-active':
    case 'is-enabled':
    case 'is-failed':
    case 'is-system-running':
    case 'get-default':
    case 'help':
    case 'show-environment':
      return res(command, 'read', `systemctl ${verb ?? 'list'}`);
    case 'stop':
    case 'restart':
    case 'try-restart':
    case 'reload-or-restart':
    case 'kill':
    case 'isolate':
    case 'disable':
    case 'mask':
      return res(command, 'write', `systemctl ${verb} ${unit} interrupts a service (state kept)`, {
        disruptive: true,
        resource: `service ${unit}`,
        scope: 'resource',
      });
    case 'reboot':
    case 'poweroff':
    case 'halt':
    case 'kexec':
    case 'suspend':
    case 'hibernate':
    case 'emergency':
    case 'rescue':
    case 'default':
      return res(command, 'write', `systemctl ${verb} takes the host down (state kept)`, {
        disruptive: true,
        scope: 'host',
        resource: 'host',
      });
    default:
      return res(command, 'write', `systemctl ${verb} ${unit}`, { resource: `service ${unit}` });
  }
};

const service: ToolRule = (command) => {
  const ops = command.args.map((a) => a.text);
  const action = ops[1] ?? ops[0] ?? '';
  if (action === 'status' || action === '--status-all' || ops.length === 0) return res(command, 'read', 'service status');
  return res(command, 'write', `service ${ops[0] ?? ''} ${action}`, {
    disruptive: ['stop', 'restart', 'force-reload', 'reload'].includes(action),
    resource: `service ${ops[0] ?? ''}`,
  });
};

const power: ToolRule = (command) => {
  if (command.name === 'shutdown' && command.args.some((a) => a.text === '-c'))
    return res(command, 'write', 'cancels a scheduled shutdown');
  return res(command, 'write', `${command.name} takes the host down (state kept)`, { disruptive: true, scope: 'host', resource: 'host' });
};

const kill: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.includes('-l') || texts.includes('-L') || texts.length === 0) return res(command, 'read', 'lists signals');
  const targets = command.args.filter((a) => !a.text.startsWith('-') || (/^-\d+$/.test(a.text) && texts.indexOf(a.text) > 0));
  const everything = targets.some((a) => a.text === '-1' || a.text === '1') || command.name === 'killall5';
  if (texts.includes('-0') || texts.includes('-s0')) return res(command, 'read', 'probes a process');
  // Signals that ask a process to reopen logs, reload or continue do not stop it.
  const signal =
    texts.find((t, i) => /^-[A-Za-z]/.test(t) && t !== '-s' && t !== '-n' && i === 0) ??
    (texts[0] === '-s' || texts[0] === '-n' ? `-${texts[1] ?? ''}` : undefined);
  if (signal !== undefined && /^-(SIG)?(HUP|USR1|USR2|CONT|WINCH|1|10|12|18|28)$/i.test(signal) && !everything) {
    return res(command, 'write', `${command.name} ${signal} signals processes to reload or reopen files (they keep running)`, {
      resource: 'processes',
    });
  }
  return res(command, 'write', everything ? 'kills every process (or init)' : `${command.name} stops processes (state kept)`, {
    disruptive: true,
    scope: everything ? 'host' : 'resource',
    resource: 'processes',
  });
};

/** `netfilter-persistent save|reload|flush` (Debian): saves or reloads the firewall rules; `flush` clears them. */
const netfilterPersistent: ToolRule = (command) => {
  const verb = command.args.find((a) => !a.text.startsWith('-'))?.text;
  if (verb === 'flush')
    return res(command, 'destructive', 'flushes firewall rules', { scope: 'host', resource: 'firewall rules', disruptive: true });
  if (verb === undefined) return res(command, 'read', 'prints usage');
  return res(command, 'write', `netfilter-persistent ${verb} saves or reloads firewall rules`, {
    scope: 'host',
    resource: 'firewall rules',
  });
};

/** `tcpdump`/`tshark`: captures only read; `-w FILE` writes a capture, a scratch file under /tmp (RISK.md read). */
const packetCapture: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  const i = texts.findIndex((t) => t === '-w' || (/^-w./.test(t) && !t.startsWith('--')));
  if (i < 0) return res(command, 'read', `${command.name} only captures to the terminal`);
  const file = texts[i] === '-w' ? texts[i + 1] : texts[i]?.slice(2);
  if (
    file === undefined ||
    file === '-' ||
    /^\/(?:var\/)?tmp\//.test(file) ||
    (command.args[i + 1]?.dynamic === true && /^\$\{?TMPDIR\b/.test(file))
  ) {
    return res(command, 'read', `${command.name} writes a scratch capture file`);
  }
  return res(command, 'write', `${command.name} writes a capture file ${file}`, { resource: `path ${file}` });
};

/** `ssh-add`: loads or removes keys in the running agent (session-only state). */
const sshAdd: ToolRule = (command) => res(command, 'read', 'ssh-add changes only the session agent');

const crontab: ToolRule = (command, context) => {
  const texts = command.args.map((a) => a.text);
  // `crontab -` (or no file) installs what stdin holds; an empty known stdin wipes the crontab.
  const files = texts.filter((t, i) => !t.startsWith('-') && texts[i - 1] !== '-u');
  const stdin = stdinOf(context);
  if ((files.length === 0 || files[0] === '-') && !texts.includes('-l') && typeof stdin === 'string' && stdin.trim() === '')
    return res(command, 'destructive', 'installing an empty crontab deletes every job in it', { resource: 'crontab' });
  if (texts.some((t) => /^-[a-zA-Z]*r/.test(t)))
    return res(command, 'destructive', 'crontab -r deletes the whole crontab without a backup', { resource: 'crontab' });
  if (texts.includes('-l')) return res(command, 'read', 'lists the crontab');
  return res(command, 'write', 'replaces or edits the crontab', { resource: 'crontab' });
};

const iptables: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.some((t) => t === '-F' || t === '--flush' || t === '-X' || t === '--delete-chain' || /^-[a-zA-Z]*F/.test(t)))
    return res(command, 'destructive', 'flushes firewall rules', { scope: 'host', resource: 'firewall rules', disruptive: true });
  if (texts.some((t) => t === '-L' || t === '--list' || t === '-S' || t === '--list-rules' || t === '-C' || t === '--check'))
    return res(command, 'read', 'lists firewall rules');
  if (texts.some((t) => t === '-P' || t === '--policy'))
    return res(command, 'write', 'changes a chain policy', { scope: 'host', disruptive: true, resource: 'firewall policy' });
  return res(command, 'write', 'changes firewall rules', {
    resource: 'firewall rules',
    disruptive: texts.some((t) => t === 'DROP' || t === 'REJECT'),
  });
};

const nft: ToolRule = (command) => {
  const line = command.args.map((a) => a.text).join(' ');
  if (/\bflush ruleset\b|\bdelete table\b|\bflush table\b/.test(line))
    return res(command, 'destructive', 'flushes firewall rules', { scope: 'host', resource: 'firewall rules', disruptive: true });
  if (/\blist\b/.test(line)) return res(command, 'read', 'lists rules');
  return res(command, 'write', 'changes firewall rules');
};

const ufw: ToolRule = (command) => {
  const verb = command.args[0]?.text;
  if (verb === 'reset') return res(command, 'destructive', 'ufw reset deletes every rule', { scope: 'host', disruptive: true });
  if (verb === 'status' || verb === 'show' || verb === 'app') return res(command, 'read', 'ufw status');
  return res(command, 'write', `ufw ${verb ?? ''}`, { disruptive: verb === 'disable' || verb === 'enable' || verb === 'deny' });
};

const journalctl: ToolRule = (command) => {
  if (command.args.some((a) => a.text.startsWith('--vacuum') || a.text === '--rotate' || a.text === '--flush'))
    return res(command, 'destructive', 'deletes journal logs (logs are data)', { resource: 'system journal' });
  return res(command, 'read', 'reads logs');
};

const ip: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.some((t) => ['add', 'del', 'delete', 'set', 'flush', 'change', 'replace', 'append', 'change'].includes(t)))
    return res(command, 'write', 'changes network configuration', {
      scope: 'host',
      disruptive: texts.includes('down') || texts.includes('flush') || texts.includes('del') || texts.includes('delete'),
    });
  return res(command, 'read', 'shows network configuration');
};

const ifconfig: ToolRule = (command) =>
  command.args.length >= 2
    ? res(command, 'write', 'changes an interface', { scope: 'host', disruptive: command.args.some((a) => a.text === 'down') })
    : res(command, 'read', 'shows interfaces');

const hostname: ToolRule = (command) =>
  command.args.some((a) => !a.text.startsWith('-'))
    ? res(command, 'write', 'sets the hostname', { scope: 'host' })
    : res(command, 'read', 'prints the hostname');

const date: ToolRule = (command) =>
  command.args.some((a) => a.text === '-s' || a.text.startsWith('--set'))
    ? res(command, 'write', 'sets the clock', { scope: 'host' })
    : res(command, 'read', 'prints the date');

const userTool =
  (verb: RiskClass, reason: string): ToolRule =>
  (command) =>
    res(command, verb, reason, { resource: command.args[command.args.length - 1]?.text ?? 'user' });

const userdel: ToolRule = (command) => {
  const removesHome = command.args.some((a) => a.text === '-r' || a.text === '--remove' || /^-[a-zA-Z]*r/.test(a.text));
  return res(command, 'destructive', removesHome ? 'deletes a user and their home directory' : 'deletes a user account', {
    resource: command.args[command.args.length - 1]?.text ?? 'user',
  });
};

// Package managers and build tools change local artifacts and lock files: write.
const PM_READ = new Set([
  'list',
  'ls',
  'll',
  'la',
  'view',
  'info',
  'show',
  'outdated',
  'search',
  'help',
  'config',
  'get',
  'why',
  'explain',
  'audit',
  'doctor',
  'whoami',
  'ping',
  'root',
  'bin',
  'prefix',
  'query',
  'freeze',
  'check',
  'inspect',
  'env',
  'version',
  'licenses',
  'fund',
  'docs',
  'bugs',
  'repo',
  'owner',
  'dist-tag',
  'pack-dry',
]);

function packageManager(command: SimpleCommand, sub: string | undefined, rest: readonly string[]): ToolResult {
  if (sub === undefined) return res(command, 'read', `${command.name} prints usage`);
  if (PM_READ.has(sub) && !(sub === 'config' && rest.some((r) => r === 'set' || r === 'delete')))
    return res(command, 'read', `${command.name} ${sub} only reads`);
  if (sub === 'unpublish' || (sub === 'deprecate' && false))
    return res(command, 'destructive', `${command.name} unpublish removes a published package`, {
      scope: 'resource',
      resource: 'registry package',
    });
  if (sub === 'publish') return res(command, 'write', `${command.name} publish releases a package`, { resource: 'registry package' });
  if (sub === 'cache' && rest[0] === 'clean') return res(command, 'write', 'clears a regenerable cache');
  const scriptName = sub === 'run' || sub === 'run-script' ? rest.find((r) => !r.startsWith('-')) : undefined;
  if (scriptName !== undefined && /(^|[:_-])(reset|drop|wipe|destroy|nuke|purge|flush|teardown)([:_-]|$)/i.test(scriptName))
    return res(command, 'unknown', `the project script ${scriptName} is not visible here and its name suggests data loss`);
  return res(command, 'write', `${command.name} ${sub} changes local artifacts or lock files`, {
    scope: 'directory',
    resource: 'project dependencies and artifacts',
  });
}

/** npm/pnpm/yarn/bun; `npx`/`pnpm dlx`/`yarn dlx`/`bunx` run the named tool, which is unwrapped. */
const npmLike: ToolRule = (command, context) => {
  const args = command.args.map((a) => a.text);
  const i = args.findIndex((t) => !t.startsWith('-'));
  const sub = i >= 0 ? args[i] : undefined;
  if ((sub === 'exec' || sub === 'dlx' || sub === 'x') && i >= 0) {
    const inner = command.args
      .slice(i + 1)
      .filter((a, k, arr) => !(a.text.startsWith('-') && arr.slice(0, k).every((b) => b.text.startsWith('-'))));
    if (inner.length === 0) return res(command, 'read', 'nothing to run');
    const dd = inner.findIndex((w) => w.text === '--');
    return context.classifyArgv(dd === 0 ? inner.slice(1) : inner);
  }
  if (command.name === 'bun' && (sub === '-e' || sub === '--eval' || sub === 'eval')) {
    const code = command.args[i + 1];
    return context.classifyArgv([literalWord('node'), literalWord('-e'), ...(code ? [code] : [])]);
  }
  if (
    command.name === 'yarn' &&
    sub !== undefined &&
    ![
      'add',
      'install',
      'remove',
      'upgrade',
      'up',
      'run',
      'test',
      'build',
      'why',
      'info',
      'list',
      'config',
      'cache',
      'publish',
      'dlx',
      'exec',
      'init',
      'workspace',
      'workspaces',
      'link',
      'unlink',
      'audit',
      'outdated',
      'version',
      'npm',
      'set',
      'plugin',
      'create',
      'global',
      'import',
      'pack',
      'start',
      'dev',
      'lint',
      'format',
      'typecheck',
      'node',
      'bin',
      'licenses',
    ].includes(sub)
  ) {
    // `yarn prisma migrate reset` runs a binary from node_modules.
    return context.classifyArgv(command.args.slice(i));
  }
  return packageManager(command, sub, args.slice(i + 1));
};

const npx: ToolRule = (command, context) => {
  const args = command.args;
  let i = 0;
  for (; i < args.length; i++) {
    const t = (args[i] as { text: string }).text;
    if (t === '-p' || t === '--package' || t === '-c' || t === '--call') {
      if (t === '-c' || t === '--call') {
        const script = args[i + 1];
        return script ? context.classifyScript(script.text) : res(command, 'read', 'nothing to run');
      }
      i++;
      continue;
    }
    if (t === '--') {
      i++;
      break;
    }
    if (!t.startsWith('-')) break;
  }
  const inner = args.slice(i);
  if (inner.length === 0) return res(command, 'read', 'nothing to run');
  // `npx prisma@5 …` names a package version.
  const first = inner[0] as { text: string; dynamic: boolean; glob: boolean };
  const name = first.text.replace(/^(@[^/]+\/[^@]+|[^@]+)@.*$/, '$1');
  return context.classifyArgv([{ ...first, text: name.replace(/^@[^/]+\//, '') }, ...inner.slice(1)]);
};

const pip: ToolRule = (command) => {
  const sub = command.args.find((a) => !a.text.startsWith('-'))?.text;
  if (sub === 'uninstall' || sub === 'install' || sub === 'download' || sub === 'wheel' || sub === 'cache')
    return res(command, 'write', `pip ${sub} changes the environment`, { scope: 'directory' });
  return packageManager(command, sub, []);
};

/**
 * Project environment runners: `bundle exec CMD`, `poetry run CMD`, `pipenv run CMD`, `uv run CMD`
 * run CMD inside the project's environment, so CMD is judged; other sub-commands fall back to `other`.
 */
function projectRunner(runVerbs: readonly string[], other: ToolRule): ToolRule {
  return (command, context) => {
    const i = command.args.findIndex((a) => !a.text.startsWith('-'));
    if (i >= 0 && runVerbs.includes((command.args[i] as { text: string }).text)) {
      let inner = command.args.slice(i + 1);
      while (inner.length > 0 && inner[0]!.text.startsWith('-') && inner[0]!.text !== '--') inner = inner.slice(1);
      if (inner[0]?.text === '--') inner = inner.slice(1);
      if (inner.length === 0) return res(command, 'read', 'nothing to run');
      return context.classifyArgv(inner);
    }
    return other(command, context);
  };
}

const simpleBuild =
  (reason: string): ToolRule =>
  (command) => {
    const texts = command.args.map((a) => a.text);
    if (
      texts.includes('-n') ||
      texts.includes('--dry-run') ||
      texts.includes('--just-print') ||
      (texts.includes('--noEmit') && command.name === 'tsc')
    )
      return res(command, 'read', `${command.name} dry run or check only`);
    return res(command, 'write', reason, { scope: 'directory', resource: 'build artifacts' });
  };

const cargo: ToolRule = (command) => {
  const sub = command.args.find((a) => !a.text.startsWith('-') && !a.text.startsWith('+'))?.text;
  if (sub === 'yank') return res(command, 'destructive', 'yanks a published crate version');
  if (sub === 'check' || sub === 'tree' || sub === 'metadata' || sub === 'search' || sub === 'version' || (sub === 'clippy' && false))
    return res(command, 'read', `cargo ${sub}`);
  return res(command, 'write', `cargo ${sub ?? ''} changes local artifacts`, { scope: 'directory' });
};

const goTool: ToolRule = (command) => {
  const sub = command.args[0]?.text;
  if (sub === 'version' || (sub === 'env' && command.args.length === 1) || sub === 'doc' || sub === 'list' || sub === 'vet')
    return res(command, 'read', `go ${sub}`);
  if (sub === 'clean' && command.args.some((a) => a.text === '-modcache' || a.text === '-cache'))
    return res(command, 'write', 'clears a regenerable cache');
  return res(command, 'write', `go ${sub ?? ''} changes local artifacts`, { scope: 'directory' });
};

const make: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.some((t) => t === '-n' || t === '--dry-run' || t === '--just-print' || t === '--recon' || t === '-q' || t === '--question'))
    return res(command, 'read', 'make dry run');
  const targets = texts.filter((t) => !t.startsWith('-') && !t.includes('='));
  const risky = targets.find((t) => /(^|[-_:])(reset|drop|wipe|destroy|nuke|purge|teardown|flush)([-_:]|$)/i.test(t));
  if (risky) return res(command, 'unknown', `make ${risky}: the recipe is not visible here and its name suggests data loss`);
  return res(command, 'write', `make ${targets.join(' ')} runs project recipes`, { scope: 'directory' });
};

const systemPm: ToolRule = (command) => {
  const sub = command.args.find((a) => !a.text.startsWith('-'))?.text;
  if (
    sub === undefined ||
    [
      'list',
      'search',
      'show',
      'info',
      'policy',
      'depends',
      'rdepends',
      'madison',
      'query',
      'outdated',
      'deps',
      'uses',
      'desc',
      'leaves',
      'config',
      'doctor',
      'check',
      'history',
      'repolist',
      'provides',
      'whatprovides',
      'home',
      'log',
      'cat',
      'list-installed',
    ].includes(sub)
  )
    return res(command, 'read', `${command.name} ${sub ?? ''} only reads`);
  if (sub === 'update' && (command.name === 'apt' || command.name === 'apt-get'))
    return res(command, 'read', 'refreshes the package index (a local cache)');
  return res(command, 'write', `${command.name} ${sub} changes installed packages`, { scope: 'host' });
};

const kafkaTopics: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.includes('--delete')) return res(command, 'destructive', 'deletes a Kafka topic and its messages', { resource: 'kafka topic' });
  if (texts.includes('--create') || texts.includes('--alter'))
    return res(command, 'write', 'creates or alters a Kafka topic', { resource: 'kafka topic' });
  return res(command, 'read', 'lists or describes topics');
};

const kafkaGeneric: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.includes('--delete') || (texts.includes('--reset-offsets') && texts.includes('--execute')))
    return res(command, 'destructive', `${command.name} deletes or rewinds data`);
  if (texts.some((t) => ['--create', '--alter', '--add-config', '--execute'].includes(t)))
    return res(command, 'write', `${command.name} changes configuration`);
  return res(command, 'read', `${command.name} lists or describes`);
};

const scp: ToolRule = (command) => {
  const ops = command.args.filter((a) => !a.text.startsWith('-'));
  const dest = ops[ops.length - 1]?.text ?? '';
  const h = /^(?:[^@/]+@)?([^:/]+):/.exec(dest)?.[1];
  return res(command, 'write', 'copies files (may overwrite the destination)', {
    resource: dest,
    ...(h ? { targets: [{ type: 'host', hostname: h }] } : {}),
  });
};

const openssl: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  const outIdx = texts.findIndex((t) => t === '-out' || t === '-keyout');
  if (outIdx >= 0) return res(command, 'write', 'openssl writes a file', { resource: texts[outIdx + 1] ?? 'file' });
  if (['genrsa', 'genpkey', 'req', 'ca', 'x509'].includes(texts[0] ?? '') && !texts.includes('-noout') && texts[0] !== 'x509')
    return res(command, 'read', `openssl ${texts[0] ?? ''} prints its output`);
  return res(command, 'read', `openssl ${texts[0] ?? ''} only reads or prints`);
};

const zfs: ToolRule = (command) => {
  const [verb, ...rest] = command.args.filter((a) => !a.text.startsWith('-')).map((a) => a.text);
  const target = rest[rest.length - 1] ?? '';
  if (verb === 'destroy') {
    if (command.name === 'zfs' && command.args.some((a) => /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a.text)))
      return res(command, 'read', 'zfs destroy -n is a dry run', { resource: target });
    if (command.name === 'zpool' || !target.includes('/') || command.args.some((a) => /^-[a-zA-Z]*[rR]/.test(a.text)))
      return res(command, 'catastrophic', `${command.name} destroy removes a pool or dataset tree`, { scope: 'disk', resource: target });
    return res(command, target.includes('@') ? 'destructive' : 'catastrophic', `zfs destroy ${target}`, {
      scope: target.includes('@') ? 'resource' : 'disk',
      resource: target,
    });
  }
  if (verb === 'rollback') return res(command, 'destructive', 'zfs rollback discards changes after the snapshot', { resource: target });
  if (command.name === 'zpool' && (verb === 'labelclear' || (verb === 'create' && command.args.some((a) => a.text === '-f'))))
    return res(command, 'catastrophic', `zpool ${verb} wipes disks`, { scope: 'disk' });
  if (['list', 'get', 'status', 'iostat', 'history', 'diff', 'holds', 'events'].includes(verb ?? ''))
    return res(command, 'read', `${command.name} ${verb ?? ''}`);
  return res(command, 'write', `${command.name} ${verb ?? ''}`, { resource: target });
};

/** System, network and build grammars by command name. */
export const systemRules: ToolRuleTable = {
  curl,
  wget,
  http: httpie,
  https: httpie,
  xh: httpie,
  systemctl,
  service,
  reboot: power,
  shutdown: power,
  poweroff: power,
  halt: power,
  init: power,
  telinit: power,
  kill,
  killall: kill,
  pkill: kill,
  killall5: kill,
  crontab,
  'kafka-topics': kafkaTopics,
  'kafka-topics.sh': kafkaTopics,
  'kafka-configs': kafkaGeneric,
  'kafka-configs.sh': kafkaGeneric,
  'kafka-consumer-groups': kafkaGeneric,
  'kafka-consumer-groups.sh': kafkaGeneric,
  'kafka-delete-records': (command) => res(command, 'destructive', 'deletes Kafka records'),
  'kafka-delete-records.sh': (command) => res(command, 'destructive', 'deletes Kafka records'),
  scp,
  sftp: (command) => res(command, 'unknown', 'an interactive or batch sftp session'),
  openssl,
  zfs,
  zpool: zfs,
  iptables,
  ip6tables,
  'iptables-restore': (command) => res(command, 'write', 'replaces firewall rules', { scope: 'host', disruptive: true }),
  nft,
  ufw,
  'firewall-cmd': (command) =>
    command.args.some(
      (a) => a.text.startsWith('--list') || a.text === '--state' || a.text.startsWith('--get') || a.text.startsWith('--query'),
    )
      ? res(command, 'read', 'lists firewall rules')
      : res(command, 'write', 'changes firewall rules', { scope: 'host' }),
  journalctl,
  ip,
  ifconfig,
  route: ifconfig,
  hostname,
  date,
  useradd: userTool('write', 'creates a user'),
  usermod: userTool('write', 'changes a user'),
  groupadd: userTool('write', 'creates a group'),
  passwd: userTool('write', 'changes a password'),
  userdel,
  groupdel: userTool('destructive', 'deletes a group'),
  mount: (command) =>
    command.args.length === 0 ? res(command, 'read', 'lists mounts') : res(command, 'write', 'mounts a filesystem', { scope: 'host' }),
  umount: (command) => res(command, 'write', 'unmounts a filesystem', { scope: 'host', disruptive: true }),
  'netfilter-persistent': netfilterPersistent,
  tcpdump: packetCapture,
  tshark: packetCapture,
  'ssh-add': sshAdd,
  npm: npmLike,
  pnpm: npmLike,
  yarn: npmLike,
  bun: npmLike,
  npx,
  bunx: npx,
  pnpx: npx,
  pip,
  pip3: pip,
  pipx: pip,
  uv: projectRunner(['run'], (command) =>
    res(command, command.args[0]?.text === 'tree' ? 'read' : 'write', `uv ${command.args[0]?.text ?? ''}`, { scope: 'directory' }),
  ),
  poetry: projectRunner(['run'], (command) =>
    res(
      command,
      ['show', 'check', 'version', 'env'].includes(command.args[0]?.text ?? '') ? 'read' : 'write',
      `poetry ${command.args[0]?.text ?? ''}`,
      { scope: 'directory' },
    ),
  ),
  pipenv: projectRunner(['run'], (command) =>
    res(
      command,
      ['graph', 'check', '--venv', '--where', '--py'].includes(command.args[0]?.text ?? '') ? 'read' : 'write',
      `pipenv ${command.args[0]?.text ?? ''}`,
      { scope: 'directory' },
    ),
  ),
  cargo,
  go: goTool,
  make: make,
  gmake: make,
  tsc: simpleBuild('tsc emits build output'),
  vite: simpleBuild('builds or serves the project'),
  webpack: simpleBuild('builds the project'),
  esbuild: simpleBuild('builds the project'),
  jest: simpleBuild('runs tests'),
  vitest: simpleBuild('runs tests'),
  pytest: simpleBuild('runs tests'),
  rspec: simpleBuild('runs tests'),
  mvn: simpleBuild('builds the project'),
  gradle: simpleBuild('builds the project'),
  gradlew: simpleBuild('builds the project'),
  dotnet: simpleBuild('builds the project'),
  cmake: simpleBuild('builds the project'),
  ninja: simpleBuild('builds the project'),
  eslint: simpleBuild('lints (and may fix) sources'),
  prettier: simpleBuild('formats sources'),
  black: simpleBuild('formats sources'),
  ruff: simpleBuild('lints or formats sources'),
  mypy: (command) => readOnly(command, 'type-checks'),
  bundle: projectRunner(['exec'], simpleBuild('installs gems')),
  gem: simpleBuild('installs gems'),
  composer: simpleBuild('installs PHP packages'),
  apt: systemPm,
  'apt-get': systemPm,
  yum: systemPm,
  dnf: systemPm,
  apk: systemPm,
  brew: systemPm,
  pacman: systemPm,
  snap: systemPm,
  zypper: systemPm,
  dpkg: (command) =>
    command.args.some((a) => ['-l', '-L', '-s', '--list', '--status', '-S', '--search', '--get-selections'].includes(a.text))
      ? res(command, 'read', 'queries packages')
      : res(command, 'write', 'changes installed packages', { scope: 'host' }),
  rpm: (command) =>
    command.args.some((a) => /^-q/.test(a.text))
      ? res(command, 'read', 'queries packages')
      : res(command, 'write', 'changes installed packages', { scope: 'host' }),
};

function ip6tables(command: SimpleCommand, context: Parameters<ToolRule>[1]): ToolResult {
  return iptables(command, context);
}
