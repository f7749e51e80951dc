/**
 * Interpreter one-liners (`python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`): the code is
 * searched for deletion APIs, subprocess APIs, file writes, SQL driver calls and cloud SDK calls
 * with literal arguments, which are classified recursively. Code that only prints is read;
 * anything else is unknown.
 */
import type { ActionKind, Effect, RiskClass } from '../../../core/assessment.js';
import { literalWord, obfuscate, readOnly, single, stdinOf, unknownResult } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';

type Lang = 'python' | 'node' | 'perl' | 'ruby' | 'php' | 'lua';

// Double, single and back quotes, plus perl's q{} qq{} q() qq() q[] forms.
const STRING = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\x60((?:[^\x60\\]|\\.)*)\x60|\bqq?\{([^}]*)\}|\bqq?\(([^)]*)\)|\bqq?\[([^\]]*)\])`;

function group(m: RegExpExecArray): string {
  return m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '';
}

// Expressions that name the home directory.
const HOME_EXPR =
  /Dir\.home|expanduser\(\s*["']~["']\s*\)|os\.homedir\(\)|Path\.home\(\)|ENV\[["']HOME["']\]|os\.environ\[["']HOME["']\]|process\.env\.HOME|getenv\(\s*["']HOME["']\s*\)|\$ENV\{HOME\}/;

function unescapeLiteral(s: string): string {
  return s.replace(/\\(["'\\\x60nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function firstString(text: string): string | undefined {
  if (HOME_EXPR.test(text) && !new RegExp(STRING).test(text.replace(HOME_EXPR, ''))) return '~';
  const m = new RegExp(STRING).exec(text);
  if (!m) return undefined;
  return unescapeLiteral(group(m));
}

function allStrings(text: string): string[] {
  const out: string[] = [];
  const re = new RegExp(STRING, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(unescapeLiteral(group(m)));
  return out;
}

/** The argument text of a call starting at `from` (just after the opening parenthesis), balanced. */
function callArgs(code: string, from: number): string {
  let level = 1;
  let quote = '';
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') {
      level--;
      if (level === 0) return code.slice(from, i);
    }
  }
  return code.slice(from);
}

interface Finding {
  readonly result: ToolResult;
}

const SUBPROCESS: Readonly<Record<Lang, RegExp>> = {
  python:
    /\b(?:os\.system|os\.popen|os\.exec[lv]p?e?|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|pty\.spawn|commands\.getoutput)\s*\(/g,
  node: /\b(?:execSync|exec|execFileSync|execFile|spawnSync|spawn|fork|\$)\s*\(/g,
  perl: /\b(?:system|exec|qx)\s*[({]/g,
  ruby: /\b(?:system|exec|spawn|Open3\.\w+|IO\.popen|Kernel\.system)\s*\(/g,
  php: /\b(?:system|exec|shell_exec|passthru|proc_open|popen|pcntl_exec)\s*\(/g,
  lua: /\b(?:os\.execute|io\.popen)\s*\(/g,
};

const DELETE_RECURSIVE =
  /(?:\bshutil\.rmtree|\brmtree|\bremove_tree|\bFileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree)|\.rmSync|\.(?:promises\.)?rm|\bfsPromises\.rm|\brimraf(?:\.sync)?|\bfse?\.(?:removeSync|remove|emptyDirSync|emptyDir)|\bPath\([^)]*\)\.rmtree)\s*\(/g;
const DELETE_FILE =
  /(?:\bos\.remove|\bos\.unlink|\bos\.rmdir|\bos\.removedirs|\bunlink|\brmdir|\.(?:unlinkSync|rmdirSync|promises\.unlink)|\bfs\.(?:unlink|rmdir)|\bFile\.(?:delete|unlink)|\bDir\.(?:rmdir|delete)|\bFileUtils\.(?:rm|rm_f|remove|remove_file)|\bFiles\.delete|\bos\.remove)\s*\(/g;
const PATHLIB_DELETE = /Path\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)\.(unlink|rmdir)\s*\(/g;
const WRITE_FILE =
  /\b(?:open|fs\.(?:writeFileSync|writeFile|createWriteStream|promises\.writeFile|truncateSync|truncate)|File\.(?:write|open)|file_put_contents|IO\.write)\s*\(/g;
const SQL_CALL = /\.(?:execute|executescript|executemany|exec|query|raw|run|prepare|sql)\s*\(/g;

const AWS_CATASTROPHIC =
  /\b(?:delete_stack|delete_cluster|delete_file_system|delete_hosted_zone|delete_domain|delete_backup_vault|close_account|delete_organization|delete_global_cluster)\b|SkipFinalSnapshot\s*=\s*True|skipFinalSnapshot\s*:\s*true/;
const DESTRUCTIVE_METHOD = /\b(?:delete|terminate|purge|remove|destroy|drop|truncate)_?\w*\s*\(/i;
const WRITE_METHOD =
  /\b(?:put|create|update|start|stop|reboot|modify|attach|detach|tag|untag|invoke|send|publish|copy|upload|set|add|insert|write|apply|enable|disable|run)_?\w*\s*\(/i;
const READ_METHOD = /\b(?:list|describe|get|head|search|scan|query|download|select|read|fetch|count|find)_?\w*\s*\(/i;

const SAFE_CALLS = new Set([
  'print',
  'len',
  'str',
  'int',
  'float',
  'bool',
  'sum',
  'min',
  'max',
  'sorted',
  'reversed',
  'list',
  'dict',
  'set',
  'tuple',
  'range',
  'enumerate',
  'zip',
  'map',
  'filter',
  'repr',
  'format',
  'abs',
  'round',
  'type',
  'isinstance',
  'hex',
  'ord',
  'chr',
  'any',
  'all',
  'json.dumps',
  'json.loads',
  'json.load',
  'json.dump',
  'console.log',
  'console.error',
  'console.info',
  'console.dir',
  'JSON.stringify',
  'JSON.parse',
  'puts',
  'p',
  'pp',
  'echo',
  'print_r',
  'var_dump',
  'say',
  'printf',
  'sprintf',
  'sys.exit',
  'exit',
  'process.exit',
  'os.getcwd',
  'os.getenv',
  'os.environ.get',
  'os.listdir',
  'os.path.exists',
  'os.path.join',
  'os.path.abspath',
  'os.path.isfile',
  'os.path.isdir',
  'os.cpu_count',
  'platform.system',
  'platform.python_version',
  'platform.platform',
  'platform.machine',
  'math.sqrt',
  'math.floor',
  'math.ceil',
  'time.time',
  'datetime.now',
  'datetime.datetime.now',
  'datetime.date.today',
  'uuid.uuid4',
  'hashlib.sha256',
  'hashlib.md5',
  'base64.b64decode',
  'base64.b64encode',
  'require',
  'Math.floor',
  'Math.random',
  'Math.max',
  'Math.min',
  'Date.now',
  'Date',
  'Object.keys',
  'Object.entries',
  'Number',
  'String',
  'Array.from',
  'Buffer.from',
  'process.cwd',
  'os.platform',
  'os.hostname',
  'os.cpus',
  'process.memoryUsage',
  'fs.readFileSync',
  'fs.existsSync',
  'fs.readdirSync',
  'fs.statSync',
  'path.join',
  'path.resolve',
  'decodeURIComponent',
  'encodeURIComponent',
  'parseInt',
  'parseFloat',
  'atob',
  'btoa',
  'sys.stdout.write',
  'sys.stdin.read',
  'yaml.safe_load',
  'yaml.dump',
  'toml.load',
  'csv.reader',
  'Dir.pwd',
  'File.read',
  'File.exist?',
  'File.exists?',
  'ENV.fetch',
  'Time.now',
  'YAML.load',
  'phpversion',
  'php_uname',
  'getenv',
  'strlen',
  'count',
  'implode',
  'explode',
  'json_encode',
  'json_decode',
  'file_get_contents',
  'var_export',
  'date',
  'time',
  'ucfirst',
  'strtoupper',
  'lc',
  'uc',
  'join',
  'split',
  'scalar',
  'keys',
  'values',
  'sort',
  'reverse',
  'length',
  'substr',
  'defined',
  'local',
  'my',
  'Dumper',
  'encode_json',
  'decode_json',
  'importlib.metadata.version',
  'importlib.import_module',
  'sys.version',
  'socket.gethostname',
  'getpass.getuser',
  'shutil.which',
  'shutil.disk_usage',
  'glob.glob',
  'pathlib.Path',
  'Path',
  'os.stat',
  'next',
  'iter',
  'open',
]);

const SAFE_METHODS = new Set([
  'read',
  'readlines',
  'readline',
  'split',
  'strip',
  'rstrip',
  'lstrip',
  'join',
  'get',
  'keys',
  'items',
  'values',
  'format',
  'upper',
  'lower',
  'replace',
  'startswith',
  'endswith',
  'encode',
  'decode',
  'map',
  'filter',
  'reduce',
  'forEach',
  'toString',
  'toFixed',
  'trim',
  'slice',
  'substring',
  'includes',
  'indexOf',
  'push',
  'pop',
  'sort',
  'reverse',
  'length',
  'each',
  'to_s',
  'to_i',
  'inspect',
  'hexdigest',
  'digest',
  'exists',
  'is_file',
  'is_dir',
  'iterdir',
  'glob',
  'read_text',
  'read_bytes',
  'resolve',
  'stat',
  'count',
  'find',
  'match',
  'search',
  'group',
  'groups',
  'findall',
  'sub',
  'test',
  'exec',
  'append',
  'extend',
  'update',
  'copy',
  'index',
  'isoformat',
  'strftime',
  'json',
  'then',
  'catch',
  'text',
  'parse',
  'stringify',
  'toUpperCase',
  'toLowerCase',
  'padStart',
  'padEnd',
  'fromEntries',
  'entries',
  'assign',
  'concat',
  'flat',
  'some',
  'every',
  'dumps',
  'loads',
  'load',
  'dump',
  'safe_load',
  'log',
  'flush',
  'readdirSync',
  'readFileSync',
  'existsSync',
  'statSync',
  'lstatSync',
  'realpathSync',
  'cwd',
  'hostname',
  'platform',
  'arch',
  'uptime',
]);

/** Replaces every string literal's content with spaces, keeping offsets. */
function stripStringsKeepLength(code: string): string {
  return code.replace(new RegExp(STRING, 'g'), (whole: string) => ' '.repeat(whole.length));
}

function stripStrings(code: string): string {
  return code.replace(new RegExp(STRING, 'g'), '""');
}

/** Decoder calls on a string literal, by encoding: base64 (python, perl, node, ruby, php, JS `atob`) and hex. */
const DECODE_CALL = new RegExp(
  String.raw`(?:\bbase64\.(?:b64decode|standard_b64decode|urlsafe_b64decode)|\b(?:MIME::Base64::)?decode_base64|\bBase64\.(?:decode64|strict_decode64|urlsafe_decode64)|\bbase64_decode|\batob|\bBuffer\.from|\bbytes\.fromhex|\bhex2bin)\s*\(\s*` +
    STRING +
    String.raw`\s*(?:,\s*["'](base64|hex)["']\s*)?\)(?:\.decode\([^)]*\)|\.toString\([^)]*\))?`,
  'g',
);

/**
 * Replaces decoder calls on literals (`decode_base64("cm0g…")`, `Buffer.from("…", "base64")`) with
 * the decoded text as a string literal, so that what the code runs is judged (RISK.md step 2:
 * encodings are unwrapped). A payload that does not decode to text is left as it is.
 */
function decodeLiterals(code: string): string {
  if (!/decode|atob|Buffer\.from|fromhex|hex2bin|pack/.test(code)) return code;
  return decodeOther(code).replace(new RegExp(DECODE_CALL.source, 'g'), (whole: string, ...groups: unknown[]) => {
    const literal = groups.slice(0, 6).find((g) => typeof g === 'string') as string | undefined;
    const encoding = groups[6] as string | undefined;
    if (literal === undefined) return whole;
    const hex = /fromhex|hex2bin/.test(whole) || encoding === 'hex';
    if (/Buffer\.from/.test(whole) && encoding === undefined) return whole;
    let text: string;
    try {
      text = hex ? Buffer.from(literal.replace(/\s+/g, ''), 'hex').toString('utf8') : Buffer.from(literal, 'base64').toString('utf8');
    } catch {
      return whole;
    }
    if (text === '' || /[^\t\n\r\x20-\x7e]/.test(text)) return whole;
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
}

/** Printable ASCII text, or undefined for a payload that does not decode to text. */
function printable(text: string): string | undefined {
  return text === '' || /[^\t\n\r\x20-\x7e]/.test(text) ? undefined : text;
}

function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// python `codecs.decode("…", "rot13")` and perl `pack("H*", "…")`.
const ROT13_CALL = new RegExp(String.raw`\bcodecs\.decode\s*\(\s*${STRING}\s*,\s*["']rot_?13["']\s*\)`, 'g');
const PACK_HEX_CALL = new RegExp(String.raw`\bpack\s*\(\s*["']H\*["']\s*,\s*${STRING}\s*\)`, 'g');

function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** Rot13 and perl hex `pack` on literals, replaced by the decoded text (RISK.md step 2). */
function decodeOther(code: string): string {
  const literal = (groups: unknown[]): string | undefined => groups.slice(0, 6).find((g) => typeof g === 'string') as string | undefined;
  return code
    .replace(ROT13_CALL, (whole: string, ...groups: unknown[]) => {
      const l = literal(groups);
      return l === undefined ? whole : quoted(rot13(unescapeLiteral(l)));
    })
    .replace(PACK_HEX_CALL, (whole: string, ...groups: unknown[]) => {
      const l = literal(groups);
      if (l === undefined || !/^(?:[0-9a-f]{2})+$/i.test(l)) return whole;
      const text = printable(Buffer.from(l, 'hex').toString('utf8'));
      return text === undefined ? whole : quoted(text);
    });
}

// Reads of standard input, by language: replaced by the literal text piped in when it is known.
const STDIN_READ: Readonly<Record<Lang, RegExp | undefined>> = {
  python: /\bsys\.stdin(?:\.buffer)?\.read(?:line)?\(\s*\)|\binput\(\s*\)/g,
  node: /\b(?:require\(\s*["']fs["']\s*\)|fs)\.readFileSync\(\s*(?:0|["']\/dev\/stdin["'])\s*(?:,\s*["'][\w-]+["']\s*)?\)/g,
  perl: /<STDIN>|\bjoin\s*\(\s*["']{2}\s*,\s*<STDIN>\s*\)/g,
  ruby: /\b(?:STDIN|\$stdin)\.read\b|\bgets\b/g,
  php: /\bfile_get_contents\(\s*["']php:\/\/stdin["']\s*\)/g,
  lua: undefined,
};

/**
 * Replaces reads of standard input with the text known to be piped in (`echo cm0… | python3 -c
 * "…b64decode(sys.stdin.read())…"`), so decoders and subprocess calls on it are judged.
 */
function inlineStdin(lang: Lang, code: string, stdin: string | null | undefined): string {
  const re = STDIN_READ[lang];
  if (typeof stdin !== 'string' || re === undefined) return code;
  return code.replace(new RegExp(re.source, 'g'), () => quoted(stdin.replace(/\n$/, '')));
}

// `for f in glob.glob("backups/*.dump")`, `[… for f in glob('…')]`, `Dir.glob('…').each { |f|`, `foreach my $f (glob "…")`.
const GLOB_LOOP = new RegExp(
  String.raw`(?:\bfor\s+(\w+)\s+in\s+(?:sorted\(\s*)?(?:glob\.i?glob|glob|[\w.]*\.r?glob|Path\([^)]*\)\.r?glob)\s*\(\s*` +
    STRING +
    String.raw`|\bDir(?:\.glob\(\s*|\[\s*)` +
    STRING +
    String.raw`\s*[\])]\s*\.each\s*(?:do|\{)\s*\|\s*(\w+)\s*\||\bforeach\s+(?:my\s+)?\$(\w+)\s*\(\s*glob\s*\(?\s*` +
    STRING +
    ')',
  'g',
);

/** Loop variables bound to the files a glob matches, with the pattern (the files the loop body touches). */
function globBindings(code: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (!/glob|Dir\[/.test(code)) return out;
  for (const m of code.matchAll(new RegExp(GLOB_LOOP.source, 'g'))) {
    const g = m.slice(1);
    // Groups: [var, 6 string groups], [6 string groups, var], [var, 6 string groups].
    const firstPattern = g.slice(1, 7).find((x) => x !== undefined);
    const secondPattern = g.slice(7, 13).find((x) => x !== undefined);
    const thirdPattern = g.slice(15, 21).find((x) => x !== undefined);
    if (g[0] !== undefined && firstPattern !== undefined) out.set(g[0], unescapeLiteral(firstPattern));
    else if (g[13] !== undefined && secondPattern !== undefined) out.set(g[13], unescapeLiteral(secondPattern));
    else if (g[14] !== undefined && thirdPattern !== undefined) out.set(`$${g[14]}`, unescapeLiteral(thirdPattern));
  }
  return out;
}

/** A glob pattern as the word a shell would pass after expanding it. */
function globWord(pattern: string): Word {
  return { text: pattern, dynamic: false, glob: /[*?[]/.test(pattern) };
}

/** The paths a deletion call's argument text names: literals, glob-bound loop variables, or an inline `glob(…)`. */
function deletedPaths(args: string, globs: ReadonlyMap<string, string>): Word[] | undefined {
  const strings = allStrings(args);
  if (strings.length > 0) return strings.slice(0, 8).map((s) => (/\bglob\b/.test(args) ? globWord(s) : literalWord(s)));
  const id = args.trim();
  const bound = globs.get(id);
  return bound === undefined ? undefined : [globWord(bound)];
}

/** Analyses interpreter code. Never throws. */
function analyseCode(lang: Lang, source: string, command: SimpleCommand, context: ToolContext, stdin?: string | null): ToolResult {
  const code = decodeLiterals(inlineStdin(lang, source, stdin));
  const globs = globBindings(code);
  const found: Finding[] = [];
  const push = (r: ToolResult): void => {
    found.push({ result: r });
  };
  let m: RegExpExecArray | null;

  const sub = new RegExp(SUBPROCESS[lang].source, 'g');
  while ((m = sub.exec(code)) !== null) {
    const args = callArgs(code, m.index + m[0].length);
    const name = m[0];
    if (lang === 'node' && /^\$/.test(name)) continue;
    const list =
      /^\s*\[/.test(args) ||
      (lang === 'node' && /spawn|execFile/.test(name)) ||
      ((lang === 'perl' || lang === 'ruby') && /^\s*(["'])[^"']*\1\s*,/.test(args));
    const argv = list ? listWithGlobs(args, globs) : undefined;
    if (argv !== undefined) {
      push(context.classifyArgv(argv));
      continue;
    }
    const strings = allStrings(args);
    if (strings.length === 0 || (list && /[A-Za-z_]\w*\s*[,\]]/.test(stripStrings(args).replace(/""/g, '')))) {
      push(unknownResult(command, `${lang} runs a command that is not a literal`));
      continue;
    }
    if (list) push(context.classifyArgv(strings.map(literalWord)));
    else push(context.classifyScript(strings[0] as string));
  }
  // perl's list operators without parentheses: `exec q{…}`, `system "…"`, `exec "rm", "-rf", $d`.
  if (lang === 'perl') {
    const bare = new RegExp(String.raw`\b(?:system|exec)\s+(?=${STRING})`, 'g');
    while ((m = bare.exec(code)) !== null) {
      const rest = code.slice(m.index + m[0].length);
      const args = /^[^;]*/.exec(stripStringsKeepLength(rest))?.[0].length ?? rest.length;
      const text = rest.slice(0, args);
      const strings = allStrings(text);
      if (strings.length === 0 || /[$@]\w/.test(stripStrings(text)))
        push(unknownResult(command, 'perl runs a command that is not a literal'));
      else if (strings.length > 1) push(context.classifyArgv(strings.map(literalWord)));
      else push(context.classifyScript(strings[0] as string));
    }
  }
  // Backticks and %x{} / qx{} run shell text in perl, ruby and php.
  if (lang === 'perl' || lang === 'ruby' || lang === 'php') {
    const bt = /`([^`]*)`|%x\{([^}]*)\}|qx\{([^}]*)\}|qx\(([^)]*)\)/g;
    while ((m = bt.exec(code)) !== null) push(context.classifyScript(m[1] ?? m[2] ?? m[3] ?? m[4] ?? ''));
  }

  const del = new RegExp(DELETE_RECURSIVE.source, 'g');
  while ((m = del.exec(code)) !== null) {
    const args = callArgs(code, m.index + m[0].length);
    const inline = /Path\(([^)]*)\)/.exec(m[0]);
    const path = inline ? firstString(inline[1] ?? '') : firstString(args);
    const bound = path === undefined && !inline ? globs.get(args.trim()) : undefined;
    if (bound !== undefined) push(context.classifyArgv([literalWord('rm'), literalWord('-rf'), globWord(bound)]));
    else if (path === undefined) push(unknownResult(command, `${lang} deletes a path that is not a literal`));
    else push(context.classifyArgv(['rm', '-rf', path].map(literalWord)));
  }
  const delFile = new RegExp(DELETE_FILE.source, 'g');
  while ((m = delFile.exec(code)) !== null) {
    const before = code.slice(Math.max(0, m.index - 1), m.index);
    if (before === '.' && /^(unlink|rmdir)/.test(m[0])) continue;
    const args = callArgs(code, m.index + m[0].length);
    const recursive = /recursive\s*:\s*true|rmdir|removedirs/.test(args + m[0]);
    const paths = deletedPaths(args, globs);
    if (paths === undefined) push(unknownResult(command, `${lang} deletes a path that is not a literal`));
    else for (const w of paths) push(context.classifyArgv([literalWord('rm'), literalWord(recursive ? '-rf' : '-f'), w]));
  }
  // perl's list operator without parentheses: `unlink glob("*.csv")`, `unlink "a", "b"`, `unlink <*.log>`.
  if (lang === 'perl') {
    const bare = /\bunlink\s+(?!\()([^;]*)/g;
    while ((m = bare.exec(code)) !== null) {
      const args = m[1] ?? '';
      const angle = /^<([^>]+)>/.exec(args.trim());
      const paths = angle ? [globWord(angle[1] ?? '')] : deletedPaths(args, globs);
      if (paths === undefined) push(unknownResult(command, 'perl deletes a path that is not a literal'));
      else for (const w of paths) push(context.classifyArgv([literalWord('rm'), literalWord('-f'), w]));
    }
  }
  const pl = new RegExp(PATHLIB_DELETE.source, 'g');
  while ((m = pl.exec(code)) !== null) push(context.classifyArgv(['rm', '-f', firstString(m[1] ?? '') ?? ''].map(literalWord)));

  const wr = new RegExp(WRITE_FILE.source, 'g');
  while ((m = wr.exec(code)) !== null) {
    const args = callArgs(code, m.index + m[0].length);
    const strings = allStrings(args);
    const path = strings[0];
    const isOpen = /^(open|File\.open)/.test(m[0]);
    if (isOpen) {
      const mode = strings[1] ?? /mode\s*=\s*["']([^"']+)/.exec(args)?.[1] ?? 'r';
      if (!/[wax+]/.test(mode)) continue;
      if (path === undefined) {
        push(unknownResult(command, `${lang} writes a file whose name is not a literal`));
        continue;
      }
      push(context.classifyScript(mode.includes('a') ? `true >> '${path.replace(/'/g, '')}'` : `true > '${path.replace(/'/g, '')}'`));
      continue;
    }
    if (path === undefined) push(unknownResult(command, `${lang} writes a file whose name is not a literal`));
    else push(context.classifyScript(`true > '${path.replace(/'/g, '')}'`));
  }

  const sqlRe = new RegExp(SQL_CALL.source, 'g');
  while ((m = sqlRe.exec(code)) !== null) {
    if (
      !/sqlite3|psycopg|pymysql|MySQLdb|mysql|pg\b|Pool|Client|knex|sequelize|prisma|sqlalchemy|create_engine|cursor|conn|db\b|Database|better-sqlite3|PDO|DBI/i.test(
        code,
      )
    )
      break;
    const args = callArgs(code, m.index + m[0].length);
    const sql = firstString(args);
    if (
      sql === undefined ||
      !/\b(select|insert|update|delete|drop|truncate|alter|create|replace|grant|revoke|with|pragma|vacuum)\b/i.test(sql)
    )
      continue;
    const dialect = /sqlite/i.test(code)
      ? 'sqlite'
      : /psycopg|pg\b|postgres/i.test(code)
        ? 'postgresql'
        : /mysql|maria/i.test(code)
          ? 'mysql'
          : 'unknown';
    push(context.classifySql(sql, dialect));
  }

  const sdk = sdkKind(code);
  if (sdk) push(classifySdk(sdk, code, command));
  const mongo = sdk === undefined ? mongoDriver(code, command) : undefined;
  if (mongo) push(mongo);
  if (/\bredis\b|Redis\(|ioredis/i.test(code)) {
    const r = /\.(flushall|flushdb|flushAll|flushDb)\b(?!\s*[=:])/.exec(code);
    if (r)
      push(
        single('shell', command, {
          verb: 'delete',
          resource: 'redis keyspace',
          scope: 'database',
          reversible: false,
          risk: 'catastrophic',
          reason: `redis ${r[1] ?? ''} deletes every key`,
        }),
      );
  }

  if (found.length > 0) {
    const results = found.map((f) => f.result);
    const effects: Effect[] = results.flatMap((r) => r.effects);
    let kind: ActionKind = 'shell';
    let worst = -1;
    const rank: Record<RiskClass, number> = { read: 0, write: 1, unknown: 2, destructive: 3, catastrophic: 4 };
    for (const r of results)
      for (const e of r.effects)
        if (rank[e.risk] > worst) {
          worst = rank[e.risk];
          kind = r.kind;
        }
    if (kind === 'shell') kind = results.find((r) => r.kind !== 'shell' && r.effects.some((e) => rank[e.risk] === worst))?.kind ?? 'shell';
    return {
      kind,
      effects,
      targets: results.flatMap((r) => r.targets ?? []),
      obfuscated: true,
      reasons: [`looked inside the ${lang} code`, ...results.flatMap((r) => r.reasons ?? [])],
    };
  }
  if (onlyPrints(code)) return { ...readOnly(command, `the ${lang} code only computes and prints`), obfuscated: true };
  return { ...unknownResult(command, `the ${lang} code does something this classifier cannot follow`), obfuscated: true };
}

/**
 * An argv list (`["rm", "-f", f]`) whose items are literals or glob-bound loop variables, as words;
 * undefined when an item is any other expression (then the command is not known).
 */
function listWithGlobs(args: string, globs: ReadonlyMap<string, string>): Word[] | undefined {
  if (globs.size === 0) return undefined;
  const inner = /^\s*\[([\s\S]*?)\]/.exec(args)?.[1];
  if (inner === undefined) return undefined;
  const items = inner.match(new RegExp(`${STRING}|[^,\\s][^,]*`, 'g')) ?? [];
  const words: Word[] = [];
  let usedGlob = false;
  for (const raw of items) {
    const item = raw.trim();
    const lit = new RegExp(`^${STRING}$`).exec(item);
    if (lit) words.push(literalWord(unescapeLiteral(group(lit))));
    else if (globs.has(item)) {
      words.push(globWord(globs.get(item) as string));
      usedGlob = true;
    } else return undefined;
  }
  return usedGlob && words.length > 0 ? words : undefined;
}

function onlyPrints(code: string): boolean {
  const bare = stripStrings(code);
  if (
    /\b(?:eval|exec|compile|__import__|Function|vm\.|socket|requests|urllib|http|fetch|axios|net\.|writeFile|unlink|rm|kill|chmod|chown|rename|symlink|mkdir|setattr|globals)\b/.test(
      bare.replace(/\b(?:console\.log|print)\b/g, ''),
    )
  )
    return false;
  const calls = /([A-Za-z_$][\w$.?]*)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = calls.exec(bare)) !== null) {
    const name = m[1] as string;
    if (SAFE_CALLS.has(name)) continue;
    const last = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
    if (name.includes('.') && SAFE_METHODS.has(last)) continue;
    if (m.index > 0 && bare[m.index - 1] === '.' && SAFE_METHODS.has(last)) continue;
    if (
      [
        'if',
        'for',
        'while',
        'return',
        'lambda',
        'def',
        'function',
        'not',
        'and',
        'or',
        'in',
        'foreach',
        'unless',
        'elsif',
        'catch',
        'switch',
      ].includes(name)
    )
      continue;
    return false;
  }
  return true;
}

type SdkKind = 'aws' | 'gcloud' | 'azure' | 'k8s';

function sdkKind(code: string): SdkKind | undefined {
  if (/\bboto3\b|\bbotocore\b|@aws-sdk|aws-sdk|Aws::/.test(code)) return 'aws';
  if (/google\.cloud|@google-cloud|googleapiclient|Google::Cloud/.test(code)) return 'gcloud';
  if (/\bazure\.(?:identity|mgmt|storage|cosmos|keyvault|data)\b|@azure\//.test(code)) return 'azure';
  if (/\bfrom\s+kubernetes\b|\bimport\s+kubernetes\b|\bkubernetes\.client\b|@kubernetes\/client-node/.test(code)) return 'k8s';
  return undefined;
}

/** SDK calls that delete a whole store, stack, cluster, namespace, resource group or container (RISK.md catastrophic). */
const SDK_CATASTROPHIC: Readonly<Record<SdkKind, RegExp>> = {
  aws: /\.objects\.all\(\)\.delete\(\)|delete_dataset|delete_database|DeleteStackCommand|DeleteClusterCommand/,
  gcloud: /\.delete\(\s*force\s*=\s*True\s*\)/,
  azure:
    /\b(?:delete_container|delete_file_system|delete_share|delete_resource_group|delete_database)\s*\(|\b(?:resource_groups|managed_clusters|storage_accounts|servers|databases|database_accounts|vaults|backup_vaults|clusters)\.(?:begin_)?delete\s*\(|\.(?:deleteContainer|deleteFileSystem|deleteShare)\s*\(/,
  k8s: /\bdelete_namespace\s*\(|\bdelete_collection_(?!namespaced_pod\b)\w+\s*\(|\bdelete_custom_resource_definition\s*\(|\bdelete_persistent_volume\s*\(|\bdeleteNamespace\s*\(|\bdeleteCollection(?!NamespacedPod\b)\w*\s*\(/,
};

/** Kubernetes client calls with the class of their kubectl equivalent: a named pod is recreated by its controller (write). */
const K8S_POD_DELETE = /\bdelete_namespaced_pod\s*\(|\bdeleteNamespacedPod\s*\(/;

/**
 * A deletion whose argument is not a literal but the code also lists or describes resources
 * (`ids = [… describe_instances() …]; terminate_instances(InstanceIds=ids)`): every listed item is
 * deleted, a mass deletion (RISK.md catastrophic), like `… list | xargs … delete`.
 */
function massDeletion(code: string): boolean {
  const del = new RegExp(DESTRUCTIVE_METHOD.source, 'gi');
  if (!/\b(?:list|describe|scan)_?\w*\s*\(|\.(?:list|describe)\w*\s*\(/i.test(code)) return false;
  let m: RegExpExecArray | null;
  while ((m = del.exec(code)) !== null) {
    const args = callArgs(code, m.index + m[0].length);
    if (args.trim() !== '' && allStrings(args).length === 0 && !/\b\d+\b/.test(args)) return true;
  }
  return false;
}

/** Mongo driver calls: a whole database (catastrophic), a collection or every document (destructive), by key (write). */
function mongoDriver(code: string, command: SimpleCommand): ToolResult | undefined {
  if (!/\bpymongo\b|MongoClient|mongodb(?:\+srv)?:\/\/|\bmongoose\b|\bmotor\b/.test(code)) return undefined;
  const r = (risk: RiskClass, scope: Effect['scope'], reason: string): ToolResult =>
    single('shell', command, {
      verb: risk === 'write' ? 'modify' : 'delete',
      resource: 'mongo data',
      scope,
      reversible: risk === 'write',
      risk,
      reason,
    });
  if (/\b(?:drop_database|dropDatabase)\s*\(/.test(code)) return r('catastrophic', 'database', 'mongo driver drops a whole database');
  if (/\b(?:drop_collection|dropCollection)\s*\(|\.drop\s*\(\s*\)/.test(code))
    return r('destructive', 'resource', 'mongo driver drops a collection');
  if (/\b(?:delete_many|deleteMany|remove)\s*\(|\b(?:update_many|updateMany)\s*\(\s*\{\s*\}/.test(code))
    return r('destructive', 'selection', 'mongo driver deletes or rewrites many documents');
  if (/\b(?:delete_one|deleteOne|update_one|updateOne|insert_\w+|insert\w*|replace_one|replaceOne)\s*\(/.test(code))
    return r('write', 'resource', 'mongo driver changes one document');
  if (
    /\b(?:find|find_one|findOne|count_documents|countDocuments|estimated_document_count|list_\w+|listDatabases|listCollections|distinct|server_info)\s*\(/.test(
      code,
    ) &&
    !/\$out|\$merge/.test(code)
  ) {
    return single('shell', command, {
      verb: 'read',
      resource: 'mongo data',
      scope: 'none',
      reversible: true,
      risk: 'read',
      reason: 'mongo driver only reads',
    });
  }
  return undefined;
}

function classifySdk(kind: SdkKind, code: string, command: SimpleCommand): ToolResult {
  const bare = code;
  let risk: RiskClass;
  let reason: string;
  let scope: Effect['scope'] = 'resource';
  if (
    AWS_CATASTROPHIC.test(bare) ||
    SDK_CATASTROPHIC.aws.test(bare) ||
    SDK_CATASTROPHIC.gcloud.test(bare) ||
    SDK_CATASTROPHIC[kind].test(bare)
  ) {
    risk = 'catastrophic';
    scope = 'database';
    reason = `${kind} SDK call deletes a whole store, stack, cluster or container`;
  } else if (massDeletion(bare)) {
    risk = 'catastrophic';
    scope = 'all';
    reason = `${kind} SDK call deletes every resource a listing in the same code returns (mass deletion)`;
  } else if (
    kind === 'k8s' &&
    K8S_POD_DELETE.test(bare) &&
    !/\bdelete_(?!namespaced_pod\b)\w+\s*\(|\bdelete(?!NamespacedPod\b)[A-Z]\w*\s*\(/.test(bare)
  ) {
    risk = 'write';
    reason = 'deletes a named pod; its controller recreates it (RISK.md assumption 4)';
  } else if (DESTRUCTIVE_METHOD.test(bare) || /Delete\w*Command|Terminate\w*Command|\.delete\(\)/.test(bare)) {
    risk = 'destructive';
    reason = `${kind} SDK call deletes or terminates a resource`;
  } else if (WRITE_METHOD.test(bare) || /(Put|Create|Update|Start|Stop|Reboot|Send|Invoke)\w*Command/.test(bare)) {
    risk = 'write';
    reason = `${kind} SDK call changes a resource`;
  } else if (READ_METHOD.test(bare)) {
    risk = 'read';
    reason = `${kind} SDK call only reads`;
  } else {
    risk = 'unknown';
    reason = `${kind} SDK call not recognised`;
  }
  return single(kind, command, {
    verb: risk === 'read' ? 'read' : risk === 'write' ? 'modify' : risk === 'unknown' ? 'execute' : 'delete',
    resource: `${kind} resources`,
    scope,
    reversible: risk === 'read' || risk === 'write' ? true : risk === 'unknown' ? null : false,
    risk,
    reason,
  });
}

interface InterpreterSpec {
  readonly lang: Lang;
  /** Options that carry code. */
  readonly codeFlags: readonly string[];
  /** Options that take a value (not code). */
  readonly valued: readonly string[];
}

const SPECS: Readonly<Record<string, InterpreterSpec>> = {
  python: { lang: 'python', codeFlags: ['-c'], valued: ['-W', '-X', '-Q'] },
  node: {
    lang: 'node',
    codeFlags: ['-e', '--eval', '-p', '--print'],
    valued: [
      '-r',
      '--require',
      '--import',
      '--loader',
      '--experimental-loader',
      '--input-type',
      '--max-old-space-size',
      '--env-file',
      '-C',
      '--conditions',
    ],
  },
  perl: { lang: 'perl', codeFlags: ['-e', '-E'], valued: ['-I', '-M', '-m', '-x'] },
  ruby: { lang: 'ruby', codeFlags: ['-e'], valued: ['-I', '-r', '-C', '-E', '-x'] },
  php: { lang: 'php', codeFlags: ['-r', '-B', '-R', '-E'], valued: ['-c', '-d', '-z', '-t', '-S'] },
  lua: { lang: 'lua', codeFlags: ['-e'], valued: ['-l'] },
};

/** Framework entry scripts run by interpreters (`python manage.py flush`, `php artisan migrate:fresh`). */
const SCRIPT_RULES = new Set(['manage.py', 'artisan', 'alembic', 'rake', 'rails']);

function interpreter(spec: InterpreterSpec): ToolRule {
  return (command, context) => {
    const args = command.args;
    for (let i = 0; i < args.length; i++) {
      const w = args[i] as Word;
      const t = w.text;
      if (t === '--') break;
      const attached = spec.codeFlags.find(
        (f) => f.length === 2 && t.startsWith(f) && t.length > 2 && !t.startsWith('--') && spec.lang !== 'node',
      );
      const eq = spec.codeFlags.find((f) => f.startsWith('--') && t.startsWith(`${f}=`));
      if (
        spec.codeFlags.includes(t) ||
        attached ||
        eq ||
        (spec.lang === 'perl' && /^-[a-zA-Z]*[eE]$/.test(t)) ||
        (spec.lang === 'python' && /^-[a-zA-Z]*c$/.test(t))
      ) {
        let code: Word | undefined;
        if (eq) code = { ...w, text: t.slice(t.indexOf('=') + 1) };
        else if (attached && spec.lang !== 'perl') code = { ...w, text: t.slice(2) };
        else code = args[i + 1];
        if (!code) return readOnly(command, 'no code given');
        if (code.dynamic) return { ...unknownResult(command, `${spec.lang} code not known before run time`), obfuscated: true };
        return analyseCode(spec.lang, code.text, command, context, stdinOf(context));
      }
      if (spec.lang === 'python' && t === '-m') {
        const mod = args[i + 1];
        if (!mod) return readOnly(command, 'no module');
        const rest = args.slice(i + 2);
        return runModule(mod.text, rest, command, context);
      }
      if (spec.valued.includes(t)) {
        i++;
        continue;
      }
      if (t.startsWith('-')) continue;
      // A script file: framework CLIs have grammars; other files are not visible here.
      const base = t.replace(/^.*\//, '');
      if (SCRIPT_RULES.has(base)) return context.classifyArgv([{ ...w, text: base }, ...args.slice(i + 1)]);
      return unknownResult(command, `runs the script ${t}, which is not visible here`);
    }
    const stdin = stdinOf(context);
    if (typeof stdin === 'string') return analyseCode(spec.lang, stdin, command, context);
    if (stdin === null)
      return { ...unknownResult(command, `${spec.lang} runs code piped in that is not known before run time`), obfuscated: true };
    return unknownResult(command, `an interactive ${spec.lang}`);
  };
}

const MODULE_READ = new Set([
  'json.tool',
  'pydoc',
  'platform',
  'site',
  'timeit',
  'this',
  'sysconfig',
  'tokenize',
  'dis',
  'pyclbr',
  'ensurepip-check',
]);
const MODULE_WRITE = new Set([
  'venv',
  'virtualenv',
  'pytest',
  'unittest',
  'compileall',
  'build',
  'twine',
  'black',
  'isort',
  'ruff',
  'mypy',
  'flake8',
  'pylint',
  'coverage',
  'tox',
  'nox',
  'ensurepip',
  'pipx',
  'poetry',
  'uv',
  'zipapp',
  'py_compile',
  'pre_commit',
  'pip_audit',
]);

function runModule(mod: string, rest: readonly Word[], command: SimpleCommand, context: ToolContext): ToolResult {
  if (mod === 'pip' || mod === 'pip3') return context.classifyArgv([literalWord('pip'), ...rest]);
  if (mod === 'alembic' || mod === 'django' || mod === 'flask')
    return context.classifyArgv([literalWord(mod === 'django' ? 'django-admin' : mod), ...rest]);
  if (mod === 'http.server' || mod === 'SimpleHTTPServer')
    return single('shell', command, {
      verb: 'execute',
      resource: 'http server',
      scope: 'host',
      reversible: true,
      risk: 'write',
      reason: 'serves files over HTTP',
    });
  if (mod === 'base64' || mod === 'json.tool' || MODULE_READ.has(mod)) return readOnly(command, `python -m ${mod} only prints`);
  if (MODULE_WRITE.has(mod))
    return single('shell', command, {
      verb: 'modify',
      resource: 'local artifacts',
      scope: 'directory',
      reversible: true,
      risk: 'write',
      reason: `python -m ${mod} changes local artifacts`,
    });
  return unknownResult(command, `no grammar for python -m ${mod}`);
}

const python = interpreter(SPECS['python'] as InterpreterSpec);
const node = interpreter(SPECS['node'] as InterpreterSpec);

/** `deno eval`, `bun -e`: node-like runtimes. */
const denoLike: ToolRule = (command, context) => {
  const args = command.args;
  const i = args.findIndex((a) => a.text === 'eval' || a.text === '-e' || a.text === '--eval');
  if (i >= 0) {
    const code = args.slice(i + 1).find((a) => !a.text.startsWith('-'));
    if (!code) return readOnly(command, 'no code');
    if (code.dynamic) return { ...unknownResult(command, 'code not known before run time'), obfuscated: true };
    return analyseCode('node', code.text, command, context);
  }
  return node(command, context);
};

/** Interpreter grammars by command name. */
export const interpreterRules: ToolRuleTable = {
  python,
  python2: python,
  python3: python,
  'python3.8': python,
  'python3.9': python,
  'python3.10': python,
  'python3.11': python,
  'python3.12': python,
  'python3.13': python,
  pypy: python,
  pypy3: python,
  node,
  nodejs: node,
  deno: denoLike,
  perl: interpreter(SPECS['perl'] as InterpreterSpec),
  lua: interpreter(SPECS['lua'] as InterpreterSpec),
  luajit: interpreter(SPECS['lua'] as InterpreterSpec),
  ruby: interpreter(SPECS['ruby'] as InterpreterSpec),
  php: interpreter(SPECS['php'] as InterpreterSpec),
};

/** Exposed for the database and framework grammars: classify code text of one language. */
export function classifyInterpreterCode(lang: Lang, code: string, command: SimpleCommand, context: ToolContext): ToolResult {
  return obfuscate(analyseCode(lang, code, command, context), `${lang} code`);
}
