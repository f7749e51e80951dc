/**
 * Grammars for well-known commands that only read or print: `ls`, `cat`, `grep`, `jq` …
 * Some have a writing mode that is checked (`sort -o`, `awk` with `system()`).
 */
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';
import { flagText, hasFlag, parseArgs } from '../args.js';
import { classifyPath, overwriteRisk } from '../paths.js';
import { readOnly, single, unknownResult } from '../rule-kit.js';

const READ_ONLY_COMMANDS = [
  'ls',
  'cat',
  'tac',
  'less',
  'more',
  'head',
  'tail',
  'wc',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'ack',
  'echo',
  'printf',
  'pwd',
  'cd',
  'pushd',
  'popd',
  'dirs',
  'whoami',
  'id',
  'groups',
  'date',
  'cal',
  'uptime',
  'ps',
  'pgrep',
  'top',
  'htop',
  'df',
  'du',
  'free',
  'uname',
  'hostname',
  'hostnamectl',
  'which',
  'whereis',
  'type',
  'man',
  'info',
  'help',
  'apropos',
  'whatis',
  'stat',
  'file',
  'jq',
  'yq',
  'sort',
  'uniq',
  'cut',
  'paste',
  'join',
  'comm',
  'diff',
  'cmp',
  'colordiff',
  'dig',
  'nslookup',
  'host',
  'ping',
  'ping6',
  'traceroute',
  'tracepath',
  'mtr',
  'whois',
  'netstat',
  'ss',
  'lsof',
  'ip',
  'ifconfig',
  'route',
  'arp',
  'tree',
  'realpath',
  'readlink',
  'basename',
  'dirname',
  'nl',
  'fold',
  'fmt',
  'column',
  'expand',
  'unexpand',
  'od',
  'hexdump',
  'strings',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'shasum',
  'cksum',
  'b2sum',
  'base32',
  'true',
  'false',
  ':',
  'test',
  '[',
  'seq',
  'yes',
  'env-print',
  'printenv',
  'locale',
  'tty',
  'stty',
  'clear',
  'reset-terminal',
  'history',
  'alias',
  'unalias',
  'set',
  'shopt',
  'export',
  'declare',
  'local',
  'readonly',
  'typeset',
  'let',
  'read',
  'wait',
  'jobs',
  'fg',
  'bg',
  'disown',
  'trap',
  'umask',
  'ulimit',
  'hash',
  'shift',
  'return',
  'exit',
  'break',
  'continue',
  'sleep',
  'usleep',
  'getopts',
  'mapfile',
  'readarray',
  'lsblk',
  'blkid',
  'fdisk-l',
  'lscpu',
  'lsmem',
  'lspci',
  'lsusb',
  'lsmod',
  'dmesg',
  'journalctl',
  'last',
  'lastlog',
  'w',
  'who',
  'users',
  'finger',
  'vmstat',
  'iostat',
  'mpstat',
  'sar',
  'nproc',
  'getconf',
  'arch',
  'tput',
  'dircolors',
  'numfmt',
  'factor',
  'expr',
  'bc',
  'dc',
  'look',
  'rev',
  'tr',
  'iconv',
  'dos2unix-check',
  'zcat',
  'zless',
  'zgrep',
  'bzcat',
  'xzcat',
  'zstdcat',
  'xxd',
  'base64',
  'fzf',
  'bat',
  'batcat',
  'exa',
  'eza',
  'fd',
  'fdfind',
  'nc-check',
  'openssl-version',
  'ldd',
  'nm',
  'objdump',
  'readelf',
  'size',
  'tokei',
  'cloc',
  'wget-spider',
  'vim-r',
  'view',
  'git-log',
  'pstree',
  'timedatectl-status',
  'getent',
  'locate',
  'mlocate',
  'plocate',
  'csvlook',
  'xsv',
  'mlr-check',
  'envsubst',
  'gpg-verify',
  'sum',
  'tsort',
  'ptx',
  'pr',
  'printenv',
  'logname',
  'nohup-check',
  'command-v',
  'compgen',
  'complete',
  'bind',
  'caller',
  'times',
  'kill-l',
  'sha224sum',
  'sha384sum',
  'md5',
  'dirname',
  'pathchk',
  'unlink-check',
  'wc',
  'diff3',
  'sdiff',
  'jless',
  'gron',
  'htmlq',
  'pup',
  'xmllint',
  'tidy-check',
  'shellcheck',
  'hadolint',
  'yamllint',
  'jsonlint',
  'actionlint',
  'cowsay',
  'figlet',
  'lolcat',
  'du',
  'ncdu',
  'duf',
  'btop',
  'glances',
  'nvidia-smi',
  'sensors',
  'acpi',
  'col',
  'colrm',
  'lvs',
  'vgs',
  'pvs',
  'lvdisplay',
  'vgdisplay',
  'pvdisplay',
  'findmnt',
  'lsns',
  'lslocks',
  'lsipc',
] as const;

const readRule: ToolRule = (command) => readOnly(command, `${command.name} only reads or prints`);

// `sort -o FILE` and `uniq IN OUT` write files; otherwise they only print.
const sortRule: ToolRule = (command, context) => {
  for (let i = 0; i < command.args.length; i++) {
    const t = command.args[i]?.text ?? '';
    if (t === '-o' || t === '--output') {
      const target = command.args[i + 1];
      if (target) return writeFile(command, context, target.text, target.dynamic);
    }
    if (t.startsWith('--output=')) return writeFile(command, context, t.slice(9), false);
    if (/^-[a-zA-Z]*o./.test(t)) return writeFile(command, context, t.slice(t.indexOf('o') + 1), false);
  }
  return readOnly(command, 'sort only prints');
};

function writeFile(command: SimpleCommand, context: ToolContext, path: string, dynamic: boolean): ToolResult {
  const info = classifyPath({ text: path, dynamic, glob: false }, { dataPaths: context.dataPaths });
  const r = overwriteRisk(info);
  return single(
    'shell',
    command,
    {
      verb: 'replace',
      resource: `path ${info.path}`,
      scope: r.scope,
      reversible: r.reversible,
      risk: r.risk === 'read' ? 'write' : r.risk,
      reason: r.reason,
    },
    { targets: [{ type: 'path', path: info.path }] },
  );
}

/**
 * True when awk program text runs commands: `system(`, a `|` pipe to or from a command (`print |
 * "cmd"`, `"cmd" | getline`, `|&`), or gawk's `@` indirect calls and `@include`/`@load`. Strings and
 * regex literals are blanked first so `/a|b/` stays a pattern.
 */
function awkRunsCode(program: string): boolean {
  if (/\bsystem\s*\(/.test(program)) return true;
  const code = program
    .replace(/"(?:\\.|[^"\\])*"/g, '""')
    .replace(/(^|[(,!~{};&|?:\n]\s*)\/(?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\\n])*\//g, '$1//');
  return /(^|[^|])\|(?!\|)/.test(code) || code.includes('@');
}

// awk/gawk: `system()`, pipes to commands and output redirections inside the program execute.
const awkRule: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'fvFiElWe',
    longWithValue: ['file', 'assign', 'field-separator', 'include', 'load', 'exec', 'source'],
  });
  if (hasFlag(p, '-f', '--file', '-E', '--exec'))
    return unknownResult(command, `${command.name} -f runs a program file Airlock cannot see`);
  if (hasFlag(p, '-l', '--load')) return unknownResult(command, `${command.name} -l loads a compiled extension`);
  const include = flagText(p, '-i', '--include');
  if (include !== undefined && include !== 'inplace' && include !== 'inplace.awk')
    return unknownResult(command, `${command.name} -i includes a program file Airlock cannot see`);
  const sources = p.flagList.filter(([k]) => k === '-e' || k === '--source').map(([, v]) => (v === true ? '' : v.text));
  const programWord = p.operands[0];
  if (sources.length === 0 && programWord?.dynamic) return unknownResult(command, `${command.name} program not known before run time`);
  const text = (sources.length > 0 ? sources : [programWord?.text ?? '']).join('\n');
  if (awkRunsCode(text)) {
    const m = /system\s*\(\s*"([^"]*)"\s*\)/.exec(text);
    if (m && m[1] !== undefined) {
      const nested = context.classifyScript(m[1]);
      return { ...nested, obfuscated: true, reasons: [...(nested.reasons ?? []), 'awk system() call unwrapped'] };
    }
    return unknownResult(command, 'awk program runs commands');
  }
  if (/>\s*"[^"]+"|>>\s*"[^"]+"/.test(text))
    return single('shell', command, {
      verb: 'modify',
      resource: 'files written by awk',
      scope: 'resource',
      reversible: null,
      risk: 'write',
      reason: 'awk program writes files',
    });
  if (include !== undefined) {
    return single('shell', command, {
      verb: 'modify',
      resource: 'files edited in place',
      scope: 'resource',
      reversible: true,
      risk: 'write',
      reason: 'gawk -i inplace edits files',
    });
  }
  return readOnly(command, 'awk only prints');
};

/** Pagers that run nothing of the caller's choosing. */
const PLAIN_PAGERS = new Set(['cat', 'less', 'more']);

// man: `-P CMD`/`--pager=CMD` runs CMD; `-H`/`--html` runs a browser.
const manRule: ToolRule = (command) => {
  for (let i = 0; i < command.args.length; i++) {
    const t = (command.args[i] as Word).text;
    if (t === '--') break;
    if (t.startsWith('--html') || (/^-[a-zA-Z]+/.test(t) && !t.startsWith('--') && t.slice(1).split('P')[0]?.includes('H')))
      return unknownResult(command, 'man -H runs a browser');
    let pager: Word | undefined;
    if (t.startsWith('--pager=')) pager = { ...(command.args[i] as Word), text: t.slice(8) };
    else if (t === '--pager') pager = command.args[i + 1];
    else if (/^-[a-zA-Z]*P/.test(t) && !t.startsWith('--')) {
      const rest = t.slice(t.indexOf('P') + 1);
      pager = rest ? { ...(command.args[i] as Word), text: rest } : command.args[i + 1];
    }
    if (pager !== undefined || t === '--pager') {
      if (pager === undefined || pager.dynamic || !PLAIN_PAGERS.has(pager.text.trim()))
        return unknownResult(command, 'man -P runs a pager command');
      i++;
    }
  }
  return readOnly(command, 'man only prints');
};

// `command -v X` / `command -V X` are lookups; `command X …` runs X (handled in wrappers).
const typeRule: ToolRule = (command) => readOnly(command, 'a lookup');

/** Read-only commands by name. */
export const readOnlyRules: ToolRuleTable = {
  ...Object.fromEntries(READ_ONLY_COMMANDS.map((name) => [name, readRule])),
  sort: sortRule,
  man: manRule,
  awk: awkRule,
  gawk: awkRule,
  mawk: awkRule,
  nawk: awkRule,
  type: typeRule,
  which: typeRule,
};
