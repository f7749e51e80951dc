/**
 * Walks a tree-sitter-bash syntax tree the way bash would run it, statically: every executed
 * simple command (in pipelines, lists, subshells, substitutions, functions, loops, branches) is
 * normalised and handed to its grammar; same-input variables are tracked; `true || X` is skipped.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { SqlDialect } from '../../core/action.js';
import type { ActionKind, Effect } from '../../core/assessment.js';
import { riskRank } from '../../core/assessment.js';
import { asksForHelp } from './args.js';
import { literalOutput } from './literal-output.js';
import { classifyPath, codePlantRisk, overwriteRisk } from './paths.js';
import type { ShellToolContext } from './rule-kit.js';
import { mergeResults, readOnly, unknownResult, wordsText } from './rule-kit.js';
import { genericReadOnly } from './tools/longtail.js';
import type { SimpleCommand, ToolResult, ToolRuleTable, Word } from './tool-rule.js';
import type { VarValue } from './words.js';
import { WordExpander } from './words.js';

/** What the evaluator needs from its host: a parser for nested scripts, grammars, SQL. */
export interface EvaluatorServices {
  /** Parses shell text; the caller of `parse` deletes the tree. */
  parse(script: string): Tree | null;
  readonly rules: ToolRuleTable;
  classifySql(
    sql: string,
    dialect: SqlDialect,
    database?: { readonly host?: string; readonly port?: number; readonly name?: string },
  ): ToolResult;
  readonly env: Readonly<Record<string, string>>;
  readonly dataPaths: readonly string[];
  readonly cwd?: string;
}

/** Command names that run another command; `--help` after them belongs to the inner command. */
const WRAPPERS = new Set([
  // Airlock's own exec and sh run the command they are given, wherever --help appears.
  'airlock',
  'airlock.js',
  'sudo',
  'doas',
  'env',
  'nice',
  'nohup',
  'timeout',
  'time',
  'watch',
  'stdbuf',
  'ionice',
  'flock',
  'xargs',
  'parallel',
  'command',
  'builtin',
  'exec',
  'eval',
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'ssh',
  'docker',
  'podman',
  'kubectl',
  'oc',
  'find',
  'chroot',
  'su',
  'runuser',
  'setsid',
  'unbuffer',
  'caffeinate',
  'coproc',
  'strace',
  'ltrace',
  'gdb',
  'script',
  'busybox',
  'toybox',
]);

const MAX_DEPTH = 12;

// A command that lists every item of a collection (`aws … list-tables`, `helm list -q`, `docker ps -q`).
// Also a query that prints only names (`kubectl get pvc -o name`).
const LISTING = /\b(list|ls|list-[a-z-]+)\b|\s-q\b|\s(?:-o|--output)[= ]?name(?:\s|$|['")])/;

/** Tools whose output redirected to a data file is a new backup, not a truncation of one. */
const DUMPERS = new Set([
  'pg_dump',
  'pg_dumpall',
  'mysqldump',
  'mariadb-dump',
  'mongodump',
  'mongoexport',
  'sqlite3',
  'redis-cli',
  'etcdctl',
  'tar',
  'gzip',
  'zstd',
  'xz',
  'bzip2',
]);
const MAX_LOOP_VALUES = 16;
const MAX_RESULTS = 2000;

type Status = boolean | null;

interface Ran {
  readonly status: Status;
  /** The statement's literal stdout when it follows from the text alone; null when unknown. */
  readonly out: string | null;
  /** The output went through a decoder (base64, hex, rot13, rev, printf escapes). */
  readonly decoded?: boolean;
}

/** Variables that change what a command runs or loads (SECURITY.md "environment"). */
const DANGEROUS_ENV = new Set([
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'DYLD_INSERT_LIBRARIES',
  'DYLD_LIBRARY_PATH',
  'BASH_ENV',
  'ENV',
  'PATH',
  'NODE_OPTIONS',
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PERL5OPT',
  'PERL5LIB',
  'RUBYOPT',
  'PROMPT_COMMAND',
  'GIT_EXEC_PATH',
  'TF_CLI_ARGS',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  // Variables that make git, ssh, pagers, editors and interpreters run another program.
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_EXTERNAL_DIFF',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_PAGER',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'PAGER',
  'MANPAGER',
  'EDITOR',
  'VISUAL',
  'PSQLRC',
  'KUBECTL_EXTERNAL_DIFF',
  'LESSOPEN',
  'LESSCLOSE',
]);

/** A variable that changes what a command runs (`GIT_CONFIG_KEY_0` … included). */
function dangerousEnv(name: string): boolean {
  return DANGEROUS_ENV.has(name) || /^GIT_CONFIG_(?:KEY|VALUE)_\d+$/.test(name);
}

/** The family of a tool by name, for answers the framework gives itself (`--help`). */
const KIND_BY_NAME: Readonly<Record<string, ActionKind>> = {
  kubectl: 'k8s',
  oc: 'k8s',
  helm: 'k8s',
  kustomize: 'k8s',
  argocd: 'k8s',
  flux: 'k8s',
  velero: 'k8s',
  kubeadm: 'k8s',
  terraform: 'terraform',
  tofu: 'terraform',
  terragrunt: 'terraform',
  pulumi: 'terraform',
  cdk: 'terraform',
  cdktf: 'terraform',
  aws: 'aws',
  eksctl: 'aws',
  gcloud: 'gcloud',
  gsutil: 'gcloud',
  bq: 'gcloud',
  az: 'azure',
  psql: 'sql',
  mysql: 'sql',
  mariadb: 'sql',
  sqlite3: 'sql',
};

const DECODERS = new Set(['base64', 'xxd', 'rev', 'tr', 'openssl', 'basenc', 'base32']);

const NOTHING: Ran = { status: null, out: null };
const SKIP_TYPES = new Set(['comment', ';', '&', '\n']);

/**
 * Evaluates one script. One instance per script and nesting level; not reentrant across scripts.
 * Never throws for bad input: parse errors and unknown constructs become `unknown` effects.
 * Security: anything it cannot follow (dynamic names, unknown stdin to an executor, nesting too
 * deep) is reported as `unknown`, never skipped.
 */
export class ScriptEvaluator {
  private results: ToolResult[] = [];
  private readonly vars: Map<string, VarValue>;
  private readonly functions = new Map<string, Node>();
  private readonly calling = new Set<string>();
  private readonly substOut = new Map<number, { readonly out: string; readonly decoded: boolean }>();
  private exited = false;
  /** More commands ran than {@link MAX_RESULTS}; the merged result is then at least `unknown`. */
  private overflowed = false;
  /** Symlinks created earlier in the input (`ln -s TARGET LINK`): link path → target. */
  private readonly links = new Map<string, string>();
  /** Directory changed to with `cd` (undefined: the project root). */
  private workdir: string | undefined;

  constructor(
    private readonly services: EvaluatorServices,
    private readonly depth: number,
    vars?: ReadonlyMap<string, VarValue>,
  ) {
    this.vars = new Map(vars ?? []);
  }

  /** Runs the script text and returns the merged result of every executed command. */
  runScript(script: string, stdin?: string | null): ToolResult {
    if (this.depth > MAX_DEPTH) return unknownResult(script, 'nesting too deep to follow');
    const tree = this.services.parse(script.replace(/\\\r?\n/g, ''));
    if (!tree) return unknownResult(script, 'the shell parser failed');
    try {
      const root = tree.rootNode;
      if (root.hasError) this.results.push(unknownResult(script, 'the input does not parse as bash'));
      this.sequence(root.namedChildren, stdin);
      return this.merged();
    } finally {
      tree.delete();
    }
  }

  private merged(): ToolResult {
    if (this.overflowed) return mergeResults([...this.results, unknownResult('input', 'too many commands to judge')]);
    if (this.results.length === 0) return { kind: 'shell', effects: [] };
    return mergeResults(this.results);
  }

  /**
   * Records one command's result. Past {@link MAX_RESULTS} only results worse than `unknown` are
   * kept, and the script is marked as too large to judge: the limit never silently drops a command.
   */
  private push(result: ToolResult): void {
    if (this.results.length < MAX_RESULTS) {
      this.results.push(result);
      return;
    }
    this.overflowed = true;
    if (result.effects.some((e) => riskRank(e.risk) > riskRank('unknown'))) this.results.push(result);
  }

  private sequence(nodes: readonly Node[], stdin?: string | null): Ran {
    let last: Ran = { status: true, out: '' };
    let out = '';
    let outKnown = true;
    let decoded = false;
    for (const n of nodes) {
      if (this.exited) break;
      if (SKIP_TYPES.has(n.type)) continue;
      last = this.exec(n, stdin);
      if (last.decoded === true) decoded = true;
      if (last.out === null) outKnown = false;
      else out += last.out;
    }
    return { status: last.status, out: outKnown ? out : null, decoded };
  }

  private exec(node: Node, stdin?: string | null): Ran {
    if (this.exited) return NOTHING;
    switch (node.type) {
      case 'program':
      case 'compound_statement':
      case 'do_group':
        return this.sequence(node.namedChildren, stdin);
      case 'subshell': {
        const saved = this.exited;
        const savedDir = this.workdir;
        const r = this.sequence(node.namedChildren, stdin);
        this.exited = saved;
        this.workdir = savedDir;
        return r;
      }
      case 'list':
        return this.execList(node, stdin);
      case 'pipeline':
        return this.execPipeline(node.namedChildren, stdin);
      case 'negated_command': {
        const inner = node.namedChildren[0];
        const r = inner ? this.exec(inner, stdin) : NOTHING;
        return { status: r.status === null ? null : !r.status, out: r.out };
      }
      case 'redirected_statement':
        return this.execRedirected(node, stdin);
      case 'command':
        return this.execCommand(node, stdin, []);
      case 'variable_assignment':
        this.assign(node);
        return { status: true, out: '' };
      case 'variable_assignments':
        for (const a of node.namedChildren) if (a.type === 'variable_assignment') this.assign(a);
        return { status: true, out: '' };
      case 'declaration_command':
        this.runSubstitutions(node);
        for (const a of node.namedChildren) if (a.type === 'variable_assignment') this.assign(a);
        return { status: true, out: '' };
      case 'unset_command':
        for (const a of node.namedChildren)
          if (a.type === 'variable_name' || a.type === 'word') this.vars.set(a.text, { value: '', dynamic: false });
        return { status: true, out: '' };
      case 'function_definition': {
        const name = node.childForFieldName('name');
        const body = node.childForFieldName('body');
        if (name && body) this.functions.set(name.text, body);
        return { status: true, out: '' };
      }
      case 'if_statement':
        return this.execIf(node, stdin);
      case 'while_statement':
        return this.execWhile(node, stdin);
      case 'for_statement':
        return this.execFor(node, stdin);
      case 'c_style_for_statement': {
        this.runSubstitutions(node);
        const body = node.childForFieldName('body');
        if (body) this.exec(body, stdin);
        return NOTHING;
      }
      case 'case_statement':
        return this.execCase(node, stdin);
      case 'test_command':
        this.runSubstitutions(node);
        return NOTHING;
      case 'comment':
        return { status: true, out: '' };
      case 'ERROR':
        this.push(unknownResult(node.text, 'part of the input does not parse as bash'));
        for (const c of node.namedChildren) if (c.type !== 'ERROR') this.exec(c, stdin);
        return NOTHING;
      default:
        this.runSubstitutions(node);
        return NOTHING;
    }
  }

  /** `a && b || c` nests to the left; walked as a loop so long chains cannot exhaust the stack. */
  private execList(node: Node, stdin?: string | null): Ran {
    const chain: { readonly op: string; readonly right: Node }[] = [];
    let head: Node = node;
    while (head.type === 'list') {
      const left = head.namedChildren[0];
      const right = head.namedChildren[head.namedChildren.length - 1];
      if (!left || !right || left === right) break;
      let op = '';
      for (const c of head.children) if (c.type === '&&' || c.type === '||') op = c.type;
      chain.push({ op, right });
      head = left;
    }
    let ran = head.type === 'list' ? this.sequence(head.namedChildren, stdin) : this.exec(head, stdin);
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i] as { readonly op: string; readonly right: Node };
      ran = this.continueList(ran, link.op, link.right, stdin);
    }
    return ran;
  }

  private continueList(left: Ran, op: string, right: Node, stdin?: string | null): Ran {
    // `true || X` and `false && X` never run X (RISK.md step 1).
    if (op === '||' && left.status === true) return left;
    if (op === '&&' && left.status === false) return left;
    const r = this.exec(right, stdin);
    if (left.status === null) return { status: null, out: null };
    return r;
  }

  private execPipeline(stages: readonly Node[], stdin?: string | null, firstRan?: Ran): Ran {
    let input: string | null | undefined = stdin;
    let last: Ran = NOTHING;
    let first = true;
    let decoded = false;
    let listing = false;
    for (const stage of stages) {
      if (SKIP_TYPES.has(stage.type)) continue;
      const before = this.results.length;
      if (first && firstRan) {
        last = firstRan;
      } else {
        last = this.exec(stage, first ? stdin : input);
      }
      if (listing && /^\s*(sudo\s+)?xargs\b|^\s*while\s+read\b/.test(stage.text)) this.upgradeMass(before);
      if (LISTING.test(stage.text)) listing = true;
      if (last.decoded === true) decoded = true;
      input = last.out;
      first = false;
    }
    return { status: last.status, out: last.out, decoded };
  }

  private execRedirected(node: Node, stdin?: string | null): Ran {
    const body = node.childForFieldName('body');
    const redirects: Node[] = [];
    let pipelineTail: Node | null = null;
    let listOp = '';
    let listRight: Node | null = null;
    let input: string | null | undefined = stdin;
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i) as Node;
      if (node.fieldNameForChild(i) !== 'redirect' && !c.type.endsWith('_redirect')) continue;
      if (c.type === 'heredoc_redirect') {
        input = this.heredocInput(c);
        // tree-sitter-bash hangs what follows `<<EOF` on the same line inside the redirect.
        for (let k = 0; k < c.childCount; k++) {
          const h = c.child(k) as Node;
          const field = c.fieldNameForChild(k);
          if (h.type === 'pipeline') pipelineTail = h;
          else if (field === 'redirect' || h.type === 'file_redirect' || h.type === 'herestring_redirect') redirects.push(h);
          else if (field === 'operator') listOp = h.type;
          else if (field === 'right') listRight = h;
        }
      } else if (c.type === 'herestring_redirect') {
        input = this.herestringInput(c);
      } else {
        redirects.push(c);
        const op = c.children.find((x) => !x.isNamed)?.type ?? '';
        if (op === '<' || op === '<>') input = null;
      }
    }
    let ran: Ran = NOTHING;
    if (body) {
      ran = body.type === 'command' ? this.execCommand(body, input, redirects) : this.exec(body, input);
      if (body.type !== 'command') this.pushRedirects(redirects, body.text);
    } else {
      this.pushRedirects(redirects, node.text);
      ran = { status: true, out: '' };
    }
    if (pipelineTail) ran = this.execPipeline(pipelineTail.namedChildren, ran.out === null ? null : ran.out);
    if (listRight) ran = this.continueList(ran, listOp, listRight, stdin);
    return ran;
  }

  private heredocInput(redirect: Node): string | null {
    let start = '';
    let body: Node | null = null;
    for (const c of redirect.namedChildren) {
      if (c.type === 'heredoc_start') start = c.text;
      else if (c.type === 'heredoc_body') body = c;
    }
    const quotedDelimiter = /['"\\]/.test(start);
    // tree-sitter-bash misparses some bodies (one starting with `\`) as arguments: take the raw text.
    const misparsed = redirect.children.some((_c, i) => redirect.fieldNameForChild(i) === 'argument');
    if (!body || misparsed) {
      const raw = rawHeredoc(redirect.text, start.replace(/['"\\]/g, ''));
      if (raw === null) return '';
      if (!quotedDelimiter && /[$`]/.test(raw)) return null;
      return raw;
    }
    let text: string;
    if (quotedDelimiter) text = body.text;
    else {
      this.runSubstitutions(body);
      const v = this.expander().heredocText(body);
      if (v.dynamic) return null;
      text = v.value;
    }
    if (redirect.children.some((c) => c.type === '<<-')) text = text.replace(/^\t+/gm, '');
    return text;
  }

  private herestringInput(redirect: Node): string | null {
    this.runSubstitutions(redirect);
    const word = redirect.namedChildren[0];
    if (!word) return '';
    const v = this.expander().expandNoSplit(word);
    return v.dynamic ? null : `${v.value}\n`;
  }

  private expander(): WordExpander {
    return new WordExpander(this.vars, (n) => this.substOut.get(n.id)?.out);
  }

  private pushRedirects(redirects: readonly Node[], source: string): void {
    const effects = this.redirectEffects(redirects, source, '');
    if (effects.length > 0)
      this.push({
        kind: 'shell',
        effects,
        targets: effects.map((e) => ({ type: 'path' as const, path: e.resource.replace(/^path /, '') })),
      });
  }

  /** Effects of output redirections. Dump tools writing a data file create a backup: a write. */
  private redirectEffects(redirects: readonly Node[], source: string, commandName: string): Effect[] {
    const out: Effect[] = [];
    for (const r of redirects) {
      if (r.type !== 'file_redirect') continue;
      this.runSubstitutions(r);
      let op = '';
      for (const c of r.children) if (!c.isNamed) op += c.type;
      const dest = r.childForFieldName('destination') ?? r.namedChildren[r.namedChildren.length - 1];
      if (!dest || dest.type === 'file_descriptor') continue;
      if (op.includes('<') && !op.includes('>')) continue;
      if ((op === '>&' || op === '<&' || op === '&>' || op === '>&-') && dest.type === 'number') continue;
      if (dest.text === '-' && op.includes('&')) continue;
      const words = this.expander().expand(dest);
      let target = words[0] ?? { text: dest.text, dynamic: true, glob: false };
      target = this.inWorkdir(target);
      const info = classifyPath(target, {
        ...(this.services.cwd !== undefined ? { cwd: this.services.cwd } : {}),
        dataPaths: this.services.dataPaths,
      });
      const append = op.includes('>>');
      let risk = overwriteRisk(info);
      if (append && info.cls !== 'device' && info.cls !== 'null-device') {
        risk = {
          risk: info.cls === 'unknown' ? 'unknown' : 'write',
          scope: 'resource',
          reversible: info.cls === 'unknown' ? null : true,
          reason: `appends to ${info.path}`,
        };
      }
      const planted = codePlantRisk(info);
      if (planted && riskRank(risk.risk) < riskRank('unknown')) risk = planted;
      // Scratch files count as terminal output (RISK.md: plan or scratch files are allowed).
      if (info.cls === 'scratch') continue;
      if (DUMPERS.has(commandName) && (risk.risk === 'destructive' || risk.risk === 'unknown') && info.cls === 'data') {
        risk = { risk: 'write', scope: 'resource', reversible: true, reason: `${commandName} writes a backup to ${info.path}` };
      }
      if (risk.risk === 'read') continue;
      out.push({
        verb: append ? 'modify' : 'replace',
        resource: `path ${info.path}`,
        scope: risk.scope,
        reversible: risk.reversible,
        risk: risk.risk,
        disruptive: false,
        reason: risk.reason,
        source,
      });
    }
    return out;
  }

  /** A relative path after `cd DIR` is judged inside DIR. */
  private inWorkdir(word: Word): Word {
    const dir = this.workdir;
    if (dir === undefined || word.text.startsWith('/') || word.text.startsWith('~') || word.text.startsWith('$')) return word;
    return { ...word, text: `${dir.replace(/\/+$/, '')}/${word.text}` };
  }

  private assign(node: Node): void {
    const name = node.childForFieldName('name');
    if (!name) return;
    this.runSubstitutions(node);
    const value = node.childForFieldName('value');
    let v: VarValue;
    if (!value) v = { value: '', dynamic: false };
    else if (value.type === 'array') v = { value: node.text, dynamic: true };
    else v = this.expander().expandNoSplit(value);
    if (dangerousEnv(name.text)) this.push(unknownResult(node.text, `setting ${name.text} changes what later commands run or load`));
    const isAppend = node.children.some((c) => c.type === '+=');
    if (isAppend) {
      const old = this.vars.get(name.text);
      v = old ? { value: old.value + v.value, dynamic: old.dynamic || v.dynamic } : { value: v.value, dynamic: true };
    }
    this.vars.set(name.text, v);
  }

  private assignmentEnv(node: Node): Record<string, string> {
    const env: Record<string, string> = {};
    for (const c of node.namedChildren) {
      if (c.type !== 'variable_assignment') continue;
      const name = c.childForFieldName('name');
      const value = c.childForFieldName('value');
      if (!name) continue;
      const v = value ? this.expander().expandNoSplit(value) : { value: '', dynamic: false };
      env[name.text] = v.dynamic ? `$${name.text}` : v.value;
    }
    return env;
  }

  private execCommand(node: Node, stdin: string | null | undefined, outerRedirects: readonly Node[]): Ran {
    this.runSubstitutions(node);
    const nameNode = node.childForFieldName('name');
    if (!nameNode) {
      for (const c of node.namedChildren) if (c.type === 'variable_assignment') this.assign(c);
      this.pushRedirects(outerRedirects, node.text);
      return { status: true, out: '' };
    }
    const expander = this.expander();
    const words: Word[] = [];
    const redirects: Node[] = [...outerRedirects];
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i) as Node;
      const field = node.fieldNameForChild(i);
      if (field === 'name' || field === 'argument') words.push(...expander.expand(c));
      else if (c.type === 'file_redirect') redirects.push(c);
      else if (c.type === 'herestring_redirect') stdin = this.herestringInput(c);
    }
    const env = this.assignmentEnv(node);
    const text = node.text;
    if (words.length === 0) {
      this.pushRedirects(redirects, text);
      return { status: true, out: '' };
    }
    const first = words[0] as Word;
    const name = baseName(first.text);
    const resolved = this.links.size > 0 ? [first, ...words.slice(1).map((w) => this.throughLinks(w))] : words;
    let result = this.dispatch(resolved, env, text, stdin);
    if (name === 'ln' && !first.dynamic) this.recordLink(words.slice(1));
    const redirectEffects = this.redirectEffects(redirects, text, name);
    if (redirectEffects.length > 0) result = { ...result, effects: [...result.effects, ...redirectEffects] };
    if (this.nameIsEncoded(nameNode))
      result = { ...result, obfuscated: true, reasons: [...(result.reasons ?? []), 'the command name is encoded'] };
    for (const [k] of Object.entries(env)) {
      if (dangerousEnv(k)) result = mergeResults([result, unknownResult(text, `${k} changes what the command runs or loads`)]);
    }
    const at = this.results.length;
    this.push(result);
    // `delete $(… list …)`: the deletion reaches every item the listing returns.
    if (
      !first.dynamic &&
      (text.includes('$(') || text.includes('`')) &&
      node.descendantsOfType('command_substitution').some((d) => d !== null && LISTING.test(d.text))
    )
      this.upgradeMass(at);
    if (name === 'cd' && !first.dynamic) this.changeDir(words.slice(1));
    if (name === 'set' && words[1]?.text === '--') this.setPositional(words.slice(2));
    if (name === 'read' || name === 'mapfile' || name === 'readarray' || name === 'getopts') {
      for (const w of words.slice(1))
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text)) this.vars.set(w.text, { value: `$${w.text}`, dynamic: true });
    }
    if (name === 'exit' && !first.dynamic) this.exited = true;
    let status: Status = null;
    if (!first.dynamic && (name === 'true' || name === ':')) status = true;
    else if (!first.dynamic && name === 'false') status = false;
    const out = first.dynamic ? null : literalOutput(name, words.slice(1), stdin);
    const decoded =
      out !== null &&
      (DECODERS.has(name) ||
        ((name === 'printf' || name === 'echo') && words.slice(1).some((w) => /\\(x[0-9a-fA-F]|[0-7]{3}|u[0-9a-fA-F])/.test(w.text))));
    return { status, out, decoded };
  }

  private recordLink(args: readonly Word[]): void {
    if (!args.some((a) => /^-[a-zA-Z]*s/.test(a.text) || a.text === '--symbolic')) return;
    const ops = args.filter((a) => !a.text.startsWith('-'));
    if (ops.length !== 2 || ops.some((o) => o.dynamic)) return;
    this.links.set((ops[1] as Word).text.replace(/\/+$/, ''), (ops[0] as Word).text.replace(/\/+$/, '') || '/');
  }

  /** A path through a symlink made earlier in the input is judged as its target. */
  private throughLinks(word: Word): Word {
    const t = word.text.replace(/^\.\//, '');
    for (const [link, target] of this.links) {
      const l = link.replace(/^\.\//, '');
      if (t === l || t === `${l}/`) return { ...word, text: target };
      if (t.startsWith(`${l}/`)) return { ...word, text: `${target === '/' ? '' : target}/${t.slice(l.length + 1)}` };
    }
    return word;
  }

  private nameIsEncoded(nameNode: Node): boolean {
    for (const d of nameNode.descendantsOfType(['ansi_c_string', 'command_substitution'])) {
      if (!d) continue;
      if (d.type === 'ansi_c_string' && /\\(x|[0-7]|u|U)/.test(d.text)) return true;
      if (d.type === 'command_substitution' && this.substOut.get(d.id)?.decoded === true) return true;
    }
    return false;
  }

  private changeDir(args: readonly Word[]): void {
    const target = args.find((a) => !a.text.startsWith('-') || a.text === '-');
    if (!target) {
      this.workdir = '~';
      return;
    }
    if (target.dynamic || target.text === '-') {
      this.workdir = target.dynamic ? target.text : undefined;
      return;
    }
    const t = target.text;
    if (t.startsWith('/') || t.startsWith('~')) this.workdir = t;
    else if (this.workdir !== undefined) this.workdir = `${this.workdir.replace(/\/+$/, '')}/${t}`;
    else this.workdir = t === '.' ? undefined : t;
  }

  private setPositional(values: readonly Word[]): void {
    for (let i = 1; i <= 9; i++) this.vars.delete(String(i));
    for (const [i, v] of values.entries()) this.vars.set(String(i + 1), { value: v.text, dynamic: v.dynamic });
    this.vars.set('@', { value: values.map((v) => v.text).join('\0'), dynamic: values.some((v) => v.dynamic) });
    this.vars.set('#', { value: String(values.length), dynamic: false });
  }

  /**
   * Classifies one simple command given as expanded words. Used for parsed commands and for
   * wrappers' inner commands (`sudo`, `xargs`, `find -exec`).
   */
  dispatch(words: readonly Word[], env: Readonly<Record<string, string>>, text: string, stdin: string | null | undefined): ToolResult {
    if (this.depth > MAX_DEPTH) return unknownResult(text, 'nesting too deep to follow');
    const first = words[0];
    if (!first) return { kind: 'shell', effects: [] };
    if (first.dynamic) return unknownResult(text, `the command name ${first.text} is not known before run time`);
    if (first.glob) return unknownResult(text, `the command name ${first.text} is a glob`);
    const name = baseName(first.text);
    const args = words.slice(1);
    if (!vouchedPath(first.text)) return this.unvouched(first.text, words, env, text, stdin);
    const fn = this.functions.get(name);
    if (fn && !first.text.includes('/')) return this.callFunction(name, fn, stdin, args);
    const command: SimpleCommand = { name, args, env, text };
    if (name === '') return unknownResult(text, 'empty command name');
    const rule = this.services.rules[name];
    if (!WRAPPERS.has(name) && asksForHelp(args)) return readOnly(command, 'prints help or version only', KIND_BY_NAME[name] ?? 'shell');
    if (!rule) return genericReadOnly(command) ?? unknownResult(command, `no grammar for ${name}`);
    try {
      return rule(command, this.contextFor(command, stdin));
    } catch (error) {
      return unknownResult(command, `the grammar for ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * A program at a path Airlock cannot vouch for could be anything: `unknown`, or the grammar's
   * judgement of its basename when that is worse (`bin/rails db:drop` stays catastrophic).
   */
  private unvouched(
    path: string,
    words: readonly Word[],
    env: Readonly<Record<string, string>>,
    text: string,
    stdin: string | null | undefined,
  ): ToolResult {
    const base = baseName(path);
    const grammar = this.dispatch([{ ...(words[0] as Word), text: base }, ...words.slice(1)], env, text, stdin);
    const worst = Math.max(...grammar.effects.map((e) => riskRank(e.risk)), 0);
    if (worst > riskRank('unknown')) return grammar;
    return mergeResults([grammar, unknownResult(text, `runs a program at a path Airlock cannot vouch for (${path})`)]);
  }

  private callFunction(name: string, body: Node, stdin: string | null | undefined, args: readonly Word[]): ToolResult {
    if (this.calling.has(name)) return { kind: 'shell', effects: [] };
    const saved = this.results;
    const savedPositional = new Map<string, VarValue | undefined>();
    for (const k of ['@', '#', '1', '2', '3', '4', '5', '6', '7', '8', '9']) savedPositional.set(k, this.vars.get(k));
    this.setPositional(args);
    this.results = [];
    this.calling.add(name);
    try {
      this.exec(body, stdin);
      return this.merged();
    } finally {
      this.calling.delete(name);
      this.results = saved;
      for (const [k, v] of savedPositional) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
      }
    }
  }

  private contextFor(command: SimpleCommand, stdin: string | null | undefined): ShellToolContext {
    const env: Record<string, string> = { ...this.services.env };
    for (const [k, v] of this.vars) if (!v.dynamic) env[k] = v.value;
    Object.assign(env, command.env);
    const nested = (script: string): ToolResult => this.nested(script, command.env, undefined);
    return {
      classifyScript: nested,
      classifyArgv: (words) => this.classifyArgv(words, command.env, stdin),
      classifySql: (sql, dialect, database) => {
        try {
          return this.services.classifySql(sql, dialect, database);
        } catch (error) {
          return unknownResult(sql, `the SQL classifier failed: ${error instanceof Error ? error.message : String(error)}`, 'sql');
        }
      },
      env,
      dataPaths: this.services.dataPaths,
      stdin,
      classifyStdinScript: nested,
      runScript: (script, options) => this.nested(script, command.env, options.stdin, options.positional),
      ...(this.workdir !== undefined ? { workdir: this.workdir } : {}),
    };
  }

  private classifyArgv(words: readonly Word[], outerEnv: Readonly<Record<string, string>>, stdin: string | null | undefined): ToolResult {
    const env: Record<string, string> = { ...outerEnv };
    let i = 0;
    for (; i < words.length; i++) {
      const w = words[i] as Word;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.text);
      if (!m) break;
      env[m[1] as string] = w.dynamic ? `$${m[1] as string}` : (m[2] as string);
    }
    const rest = words.slice(i);
    if (rest.length === 0) return { kind: 'shell', effects: [] };
    return this.dispatch(rest, env, wordsText(rest), stdin);
  }

  private nested(
    script: string,
    env: Readonly<Record<string, string>>,
    stdin: string | null | undefined,
    positional?: readonly Word[],
  ): ToolResult {
    const vars = new Map(this.vars);
    for (const [k, v] of Object.entries(env)) vars.set(k, { value: v, dynamic: v.startsWith('$') });
    if (positional !== undefined) {
      for (const k of ['@', '#', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) vars.delete(k);
      for (const [i, w] of positional.slice(0, 10).entries()) vars.set(String(i), { value: w.text, dynamic: w.dynamic });
      const params = positional.slice(1);
      vars.set('@', { value: params.map((v) => v.text).join('\0'), dynamic: params.some((v) => v.dynamic) });
      vars.set('#', { value: String(params.length), dynamic: false });
    }
    const child = new ScriptEvaluator(this.services, this.depth + 1, vars);
    return child.runScript(script, stdin);
  }

  private execIf(node: Node, stdin?: string | null): Ran {
    let phase: 'cond' | 'body' = 'cond';
    let cond: Status = null;
    let taken = false;
    const conditionNodes: Node[] = [];
    const bodyNodes: Node[] = [];
    const clauses: Node[] = [];
    for (const c of node.children) {
      if (c.type === 'then') phase = 'body';
      else if (c.type === 'elif_clause' || c.type === 'else_clause') clauses.push(c);
      else if (c.isNamed && !SKIP_TYPES.has(c.type)) (phase === 'cond' ? conditionNodes : bodyNodes).push(c);
    }
    cond = this.sequence(conditionNodes, stdin).status;
    if (cond !== false) {
      this.sequence(bodyNodes, stdin);
      if (cond === true) taken = true;
    }
    for (const clause of clauses) {
      if (taken) break;
      if (clause.type === 'else_clause') {
        this.sequence(clause.namedChildren, stdin);
        break;
      }
      const cNodes: Node[] = [];
      const bNodes: Node[] = [];
      let p: 'cond' | 'body' = 'cond';
      for (const c of clause.children) {
        if (c.type === 'then') p = 'body';
        else if (c.isNamed && !SKIP_TYPES.has(c.type)) (p === 'cond' ? cNodes : bNodes).push(c);
      }
      const s = this.sequence(cNodes, stdin).status;
      if (s !== false) this.sequence(bNodes, stdin);
      if (s === true) taken = true;
    }
    return NOTHING;
  }

  private execWhile(node: Node, stdin?: string | null): Ran {
    const conds: Node[] = [];
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i) as Node;
      if (node.fieldNameForChild(i) === 'condition' && c.isNamed && !SKIP_TYPES.has(c.type)) conds.push(c);
    }
    const isUntil = node.children.some((c) => c.type === 'until');
    const s = this.sequence(conds, stdin).status;
    const body = node.childForFieldName('body');
    const skip = isUntil ? s === true : s === false;
    if (body && !skip) this.exec(body, stdin === undefined ? undefined : null);
    return NOTHING;
  }

  private execFor(node: Node, stdin?: string | null): Ran {
    const variable = node.childForFieldName('variable');
    const body = node.childForFieldName('body');
    const values: Word[] = [];
    let dynamic = false;
    const expander = this.expander();
    let hasValues = false;
    for (let i = 0; i < node.childCount; i++) {
      if (node.fieldNameForChild(i) !== 'value') continue;
      hasValues = true;
      const c = node.child(i) as Node;
      this.runSubstitutions(c);
      for (const w of expander.expand(c)) {
        if (w.dynamic || w.glob) dynamic = true;
        values.push(w);
      }
    }
    if (!hasValues) dynamic = true;
    if (!body) return NOTHING;
    const name = variable?.text ?? '_';
    if (dynamic || values.length > MAX_LOOP_VALUES) {
      // One pass with the loop variable unknown, plus one per literal value seen.
      this.vars.set(name, { value: `$${name}`, dynamic: true });
      const before = this.results.length;
      this.exec(body, stdin);
      if (values.some((v) => v.dynamic && LISTING.test(v.text))) this.upgradeMass(before);
    }
    if (values.length <= MAX_LOOP_VALUES) {
      for (const v of values) {
        if (this.exited) break;
        if (v.dynamic) continue;
        this.vars.set(name, { value: v.text, dynamic: false });
        this.exec(body, stdin);
      }
    }
    return NOTHING;
  }

  /**
   * A deletion applied to every item a listing returns (`… list | xargs delete`, `for x in
   * $(… list)`) is a mass deletion: catastrophic for infrastructure and data systems. Filesystem
   * and container results keep their own judgement (RISK.md rates those by path and scope).
   */
  private upgradeMass(from: number): void {
    for (let i = from; i < this.results.length; i++) {
      const r = this.results[i] as ToolResult;
      if (r.kind === 'shell') continue;
      if (!r.effects.some((e) => e.risk === 'destructive')) continue;
      this.results[i] = {
        ...r,
        effects: r.effects.map((e) =>
          e.risk === 'destructive'
            ? {
                ...e,
                risk: 'catastrophic' as const,
                scope: 'all' as const,
                reason: `${e.reason}; applied to every item a listing returns (mass deletion)`,
              }
            : e,
        ),
      };
    }
  }

  private execCase(node: Node, stdin?: string | null): Ran {
    const value = node.childForFieldName('value');
    if (value) this.runSubstitutions(value);
    for (const item of node.namedChildren) {
      if (item.type !== 'case_item') continue;
      const stmts: Node[] = [];
      for (let i = 0; i < item.childCount; i++) {
        const c = item.child(i) as Node;
        if (item.fieldNameForChild(i) === 'value') continue;
        if (c.isNamed && !SKIP_TYPES.has(c.type)) stmts.push(c);
      }
      this.sequence(stmts, stdin);
    }
    return NOTHING;
  }

  /** Runs every command substitution and process substitution under `node` (they execute). */
  private runSubstitutions(node: Node): void {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') {
      this.runSubstitution(node);
      return;
    }
    if (node.type === 'function_definition') return;
    for (const c of node.namedChildren) {
      if (c.type === 'command_substitution' || c.type === 'process_substitution') this.runSubstitution(c);
      else if (c.namedChildCount > 0) this.runSubstitutions(c);
    }
  }

  private runSubstitution(node: Node): void {
    const firstTok = node.child(0)?.type;
    if (firstTok === '`') {
      // Inside backticks `\`` `\\` `\$` are escapes; bash re-parses the inner text.
      const inner = node.text.slice(1, -1).replace(/\\([`\\$])/g, '$1');
      this.push(this.nested(inner, {}, undefined));
      return;
    }
    const saved = this.exited;
    const savedDir = this.workdir;
    const savedResults = this.results;
    this.results = [];
    const r = this.sequence(node.namedChildren, undefined);
    const inner = this.results;
    this.results = savedResults;
    for (const x of inner) this.push(x);
    this.exited = saved;
    this.workdir = savedDir;
    if (r.out !== null) this.substOut.set(node.id, { out: r.out.replace(/\n+$/, ''), decoded: r.decoded === true });
  }
}

/** The body of a heredoc from the redirect's source text (`<<EOF … EOF`). */
function rawHeredoc(text: string, delimiter: string): string | null {
  const nl = text.indexOf('\n');
  if (nl < 0) return null;
  const rest = text.slice(nl + 1);
  const lines = rest.split('\n');
  const end = lines.findIndex((l) => l.replace(/^\t+/, '') === delimiter);
  return `${(end >= 0 ? lines.slice(0, end) : lines).join('\n')}\n`;
}

/** Directories whose programs are the system's own: a name there is judged by its grammar. */
const SYSTEM_BIN_DIRS = new Set(['/bin', '/usr/bin', '/usr/local/bin', '/sbin', '/usr/sbin', '/usr/local/sbin']);

/**
 * Whether a command name may be judged by the grammar of its basename: a bare name (looked up on
 * PATH) or a program in a standard system binary directory (`//` and `/./` normalised). Anything
 * else (`./ls`, `/tmp/x/cat`, `node_modules/.bin/cat`) could be any program.
 */
export function vouchedPath(text: string): boolean {
  if (!text.includes('/')) return true;
  const normal = text
    .replace(/\/+/g, '/')
    .replace(/\/(?:\.\/)+/g, '/')
    .replace(/\/\.$/, '');
  const i = normal.lastIndexOf('/');
  if (i <= 0 || i === normal.length - 1) return false;
  return SYSTEM_BIN_DIRS.has(normal.slice(0, i));
}

function baseName(text: string): string {
  if (!text.includes('/')) return text;
  const trimmed = text.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return trimmed.slice(i + 1);
}
