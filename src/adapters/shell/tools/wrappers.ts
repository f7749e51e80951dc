/**
 * Wrappers that run another command: privilege (`sudo`, `doas`, `su`), environment (`env`),
 * scheduling (`nice`, `timeout`, `nohup`, `watch` …), shells (`sh -c`, `bash`, `eval`), remote
 * execution (`ssh`), fan-out (`parallel`). Each unwraps to the inner command, recursively.
 */
import { flagText, hasFlag, parseArgs } from '../args.js';
import type { ArgSpec } from '../args.js';
import { literalWord, obfuscate, readOnly, stdinOf, unknownResult, wordsText } from '../rule-kit.js';
import type { ShellToolContext } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';

/** A wrapper whose options are described by `spec` and whose inner command follows them. */
function wrapper(
  spec: ArgSpec,
  options: { readonly skipOperands?: number; readonly noCommand?: (command: SimpleCommand) => ToolResult } = {},
): ToolRule {
  return (command, context) => {
    const p = parseArgs(command.args, { ...spec, stopAtOperand: true });
    let start = p.stopIndex;
    if (start < 0) {
      // `--` ends the wrapper's options; the command follows.
      const dd = command.args.findIndex((a) => a.text === '--');
      start = dd >= 0 ? dd + 1 : command.args.length;
    }
    const inner = command.args.slice(start + (options.skipOperands ?? 0));
    if (inner.length === 0) return options.noCommand ? options.noCommand(command) : readOnly(command, `${command.name} without a command`);
    return context.classifyArgv(inner);
  };
}

const sudo: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'ughpCDrtTUR',
    longWithValue: ['user', 'group', 'host', 'prompt', 'close-from', 'chdir', 'role', 'type', 'other-user', 'command-timeout', 'chroot'],
    stopAtOperand: true,
  });
  if (
    hasFlag(
      p,
      '-l',
      '--list',
      '-v',
      '--validate',
      '-k',
      '-K',
      '--reset-timestamp',
      '--remove-timestamp',
      '-V',
      '--version',
      '-h',
      '--help',
    ) &&
    p.stopIndex < 0
  )
    return readOnly(command, 'sudo bookkeeping only');
  if (hasFlag(p, '-e', '--edit'))
    return {
      kind: 'shell',
      effects: [
        {
          verb: 'modify',
          resource: 'files edited as root',
          scope: 'resource',
          reversible: null,
          risk: 'write',
          disruptive: false,
          reason: 'sudoedit edits files',
          source: command.text,
        },
      ],
    };
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex) : [];
  if (inner.length === 0) return unknownResult(command, 'an interactive root shell');
  // `sudo -s CMD` / `sudo -i CMD` run CMD through the target user's shell: same effect.
  return context.classifyArgv(inner);
};

const doas: ToolRule = wrapper({ shortWithValue: 'uC' }, { noCommand: (c) => unknownResult(c, 'an interactive root shell') });

const env: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'uCS',
    longWithValue: ['unset', 'chdir', 'split-string', 'block-signal', 'default-signal', 'ignore-signal'],
    stopAtOperand: true,
  });
  const split = flagText(p, '-S', '--split-string');
  let inner: Word[] = p.stopIndex >= 0 ? [...command.args.slice(p.stopIndex)] : [];
  if (split !== undefined)
    inner = [
      ...split
        .split(/\s+/)
        .filter((s) => s)
        .map(literalWord),
      ...inner,
    ];
  const hasCommand = inner.some((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text));
  if (!hasCommand) return readOnly(command, 'env prints the environment');
  return context.classifyArgv(inner);
};

const timeout: ToolRule = wrapper({ shortWithValue: 'sk', longWithValue: ['signal', 'kill-after'] }, { skipOperands: 1 });

const watch: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'nqd', longWithValue: ['interval', 'differences', 'equexit'], stopAtOperand: true });
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex) : [];
  if (inner.length === 0) return readOnly(command, 'watch without a command');
  // Without -x, watch hands the joined words to `sh -c`.
  if (hasFlag(p, '-x', '--exec')) return context.classifyArgv(inner);
  return context.classifyScript(wordsText(inner));
};

const flock: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'wEc',
    longWithValue: ['timeout', 'wait', 'conflict-exit-code', 'command'],
    stopAtOperand: true,
  });
  const c = flagText(p, '-c', '--command');
  if (c !== undefined) return context.classifyScript(c);
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex + 1) : [];
  if (inner.length === 0) return readOnly(command, 'flock on a descriptor');
  return context.classifyArgv(inner);
};

const commandBuiltin: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { stopAtOperand: true });
  if (hasFlag(p, '-v', '-V')) return readOnly(command, 'a command lookup');
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex) : [];
  if (inner.length === 0) return readOnly(command, 'nothing to run');
  return context.classifyArgv(inner);
};

const exec: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'a', stopAtOperand: true });
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex) : [];
  if (inner.length === 0) return readOnly(command, 'exec only sets redirections');
  return context.classifyArgv(inner);
};

const evalRule: ToolRule = (command, context) => {
  if (command.args.length === 0) return readOnly(command, 'empty eval');
  if (command.args.some((a) => a.dynamic)) return unknownResult(command, 'eval of text that is not known before run time');
  return obfuscate(context.classifyScript(wordsText(command.args)), 'unwrapped eval');
};

/**
 * A script only partly known before run time (`sh -c "rm -rf $DIR"`, `xargs -I{} sh -c '… {}'`): its
 * known skeleton is judged, and the result is never better than `unknown`, since the unknown part
 * may hold any command.
 */
function atLeastUnknown(result: ToolResult, command: SimpleCommand, reason: string): ToolResult {
  const worst = result.effects.some((e) => e.risk === 'destructive' || e.risk === 'catastrophic');
  if (worst) return result;
  const u = unknownResult(command, reason);
  return { ...result, effects: [...result.effects, ...u.effects] };
}

const _SHELL_SPEC: ArgSpec = { shortWithValue: 'oO', longWithValue: ['rcfile', 'init-file'], stopAtOperand: true };

/** `sh -c SCRIPT`, `bash script.sh`, `… | bash`: the script is classified when it is known. */
const shell: ToolRule = (command, context) => {
  const args = command.args;
  let script: Word | undefined;
  let i = 0;
  let readsStdin = false;
  let noExec = false;
  for (; i < args.length; i++) {
    const t = (args[i] as Word).text;
    if (t === '--') {
      i++;
      break;
    }
    if (t === '-o' || t === '-O' || t === '+O' || t === '+o' || t === '--rcfile' || t === '--init-file') {
      i++;
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(t)) {
      if (t.startsWith('-') && t.includes('c')) {
        // `-c` takes the first operand as the script (`bash -ec 'x'`, `bash -c -e 'x'` is unusual).
        let j = i + 1;
        while (j < args.length && /^-[a-zA-Z]+$/.test((args[j] as Word).text)) j++;
        script = args[j];
        if (script === undefined) return readOnly(command, `${command.name} -c without a script`);
        const ctx = context as ShellToolContext;
        const positional = args.slice(j + 1);
        const run = (text: string): ToolResult =>
          ctx.runScript && positional.length > 0 ? ctx.runScript(text, { positional }) : context.classifyScript(text);
        if (script.dynamic)
          return obfuscate(
            atLeastUnknown(run(script.text), command, `${command.name} -c of a script not known before run time`),
            `unwrapped ${command.name} -c`,
          );
        return obfuscate(run(script.text), `unwrapped ${command.name} -c`);
      }
      if (t.startsWith('-') && t.includes('s')) readsStdin = true;
      if (t.startsWith('-') && t.includes('n')) noExec = true;
      continue;
    }
    if (t.startsWith('--')) continue;
    break;
  }
  if (noExec) return readOnly(command, `${command.name} -n only checks syntax`);
  const operand = args[i];
  if (operand?.text.startsWith('/dev/fd/'))
    return { ...unknownResult(command, `${command.name} runs the output of a process substitution`), obfuscated: true };
  if (operand && !readsStdin) return unknownResult(command, `runs the script file ${operand.text}, which is not visible here`);
  const stdin = stdinOf(context);
  if (typeof stdin === 'string') {
    const ctx = context as ShellToolContext;
    const nested = ctx.classifyStdinScript ? ctx.classifyStdinScript(stdin) : context.classifyScript(stdin);
    return obfuscate(nested, `unwrapped a script piped into ${command.name}`);
  }
  if (stdin === null)
    return { ...unknownResult(command, `${command.name} runs text piped in that is not known before run time`), obfuscated: true };
  return unknownResult(command, `an interactive ${command.name}`);
};

const su: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'cCgGsw',
    longWithValue: ['command', 'session-command', 'group', 'supp-group', 'shell', 'whitelist-environment'],
  });
  const c = flagText(p, '-c', '--command', '--session-command');
  if (c !== undefined) return obfuscate(context.classifyScript(c), 'unwrapped su -c');
  return unknownResult(command, 'an interactive shell as another user');
};

const runuser: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'ugGcsw',
    longWithValue: ['user', 'group', 'command', 'shell'],
    stopAtOperand: true,
  });
  const c = flagText(p, '-c', '--command');
  if (c !== undefined) return context.classifyScript(c);
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex + (hasFlag(p, '-u', '--user') ? 0 : 1)) : [];
  const dd = command.args.findIndex((a) => a.text === '--');
  const rest = dd >= 0 ? command.args.slice(dd + 1) : inner;
  return rest.length === 0 ? unknownResult(command, 'an interactive shell as another user') : context.classifyArgv(rest);
};

/** `ssh host CMD…`: the remote command is shell text run on the target host. */
const ssh: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'bcDEeFIiJLlmOopQRSWwB', stopAtOperand: true });
  if (p.stopIndex < 0) return unknownResult(command, 'ssh without a host');
  const hostWord = command.args[p.stopIndex] as Word;
  const user = flagText(p, '-l');
  const host = hostWord.text.includes('@') ? hostWord.text.slice(hostWord.text.indexOf('@') + 1) : hostWord.text;
  const targets = [{ type: 'host' as const, hostname: host }];
  const rest = command.args.slice(p.stopIndex + 1);
  if (hasFlag(p, '-G') || hasFlag(p, '-V')) return readOnly(command, 'ssh prints configuration');
  if (rest.length === 0) {
    const stdin = stdinOf(context);
    if (typeof stdin === 'string') {
      const nested = context.classifyScript(stdin);
      return { ...obfuscate(nested, `script piped to ssh ${host}`), targets: [...(nested.targets ?? []), ...targets] };
    }
    if (hasFlag(p, '-N', '-f') || hasFlag(p, '-L', '-R', '-D', '-W'))
      return readOnly(command, 'ssh port forwarding only', 'shell', targets);
    return { ...unknownResult(command, `an interactive session on ${host}`), targets };
  }
  if (rest.some((w) => w.dynamic)) return { ...unknownResult(command, `a remote command not known before run time on ${host}`), targets };
  // The remote command reads ssh's stdin (`ssh host bash -s <<EOF`, `ssh host psql <<SQL`).
  const input = stdinOf(context);
  const runner = (context as ShellToolContext).runScript;
  const nested =
    input !== undefined && runner !== undefined ? runner(wordsText(rest), { stdin: input }) : context.classifyScript(wordsText(rest));
  void user;
  return { ...nested, targets: [...(nested.targets ?? []), ...targets], reasons: [...(nested.reasons ?? []), `remote command on ${host}`] };
};

/** GNU parallel: `parallel CMD ::: a b` runs CMD per value; without `:::` the values come from stdin. */
const parallel: ToolRule = (command, context) => {
  const args = command.args;
  const sep = args.findIndex((a) => a.text === ':::' || a.text === '::::' || a.text === ':::+');
  const p = parseArgs(sep >= 0 ? args.slice(0, sep) : args, {
    shortWithValue: 'jSaIdEn',
    longWithValue: ['jobs', 'sshlogin', 'arg-file', 'delimiter', 'joblog', 'results', 'tmpdir'],
    stopAtOperand: true,
  });
  const template = p.stopIndex >= 0 ? (sep >= 0 ? args.slice(p.stopIndex, sep) : args.slice(p.stopIndex)) : [];
  const values: Word[] =
    sep >= 0 && args[sep]?.text === ':::'
      ? args.slice(sep + 1).filter((a) => !a.text.startsWith(':::'))
      : [{ text: '$PARALLEL_INPUT', dynamic: true, glob: false }];
  if (template.length === 0) {
    // Each value is itself a command line.
    const results = values.map((v) =>
      v.dynamic ? unknownResult(command, 'parallel runs commands from its input') : context.classifyScript(v.text),
    );
    return results.length === 1 ? (results[0] as ToolResult) : mergeSimple(results);
  }
  const results: ToolResult[] = [];
  for (const v of values.slice(0, 16)) {
    const words: Word[] = [];
    let used = false;
    for (const w of template) {
      if (w.text.includes('{}')) {
        used = true;
        words.push({ text: w.text.replace(/\{\}/g, v.text), dynamic: w.dynamic || v.dynamic, glob: w.glob || v.glob });
      } else words.push(w);
    }
    if (!used) words.push(v);
    results.push(
      template.length === 1 && template[0]?.text.includes(' ') ? context.classifyScript(wordsText(words)) : context.classifyArgv(words),
    );
  }
  if (values.length > 16) results.push(unknownResult(command, 'too many commands to judge'));
  return mergeSimple(results);
};

function mergeSimple(results: readonly ToolResult[]): ToolResult {
  return {
    kind: results.find((r) => r.kind !== 'shell')?.kind ?? 'shell',
    effects: results.flatMap((r) => r.effects),
    targets: results.flatMap((r) => r.targets ?? []),
    obfuscated: results.some((r) => r.obfuscated === true),
    reasons: results.flatMap((r) => r.reasons ?? []),
  };
}

const trap: ToolRule = (command, context) => {
  const first = command.args[0];
  if (!first || first.text === '-l' || first.text === '-p' || first.text === '-' || first.text === '')
    return readOnly(command, 'trap bookkeeping');
  if (first.dynamic) return unknownResult(command, 'a trap handler not known before run time');
  return context.classifyScript(first.text);
};

const coproc: ToolRule = (command, context) => context.classifyArgv(command.args);

const script: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'cEIOBT',
    longWithValue: ['command', 'echo', 'log-in', 'log-out', 'log-io', 'log-timing'],
  });
  const c = flagText(p, '-c', '--command');
  if (c !== undefined) return context.classifyScript(c);
  return single(command);
};

function single(command: SimpleCommand): ToolResult {
  return unknownResult(command, 'an interactive recorded shell');
}

const tracer: ToolRule = wrapper(
  { shortWithValue: 'oepsSuEIaXPb', longWithValue: ['output', 'expr', 'attach', 'user', 'env'] },
  { noCommand: (c) => readOnly(c, 'attaches a tracer') },
);

/** `busybox APPLET ARGS…` (also `toybox`): the applet is the command that runs. */
const multiCall: ToolRule = (command, context) => {
  const first = command.args[0];
  if (first === undefined || first.text.startsWith('-')) return readOnly(command, `${command.name} lists its applets`);
  return context.classifyArgv(command.args);
};

function unused(_c: ToolContext): void {}
void unused;

/** Wrapper grammars by command name. */
export const wrapperRules: ToolRuleTable = {
  sudo,
  doas,
  env,
  nice: wrapper({ shortWithValue: 'n', longWithValue: ['adjustment'] }),
  nohup: wrapper({}),
  timeout,
  gtimeout: timeout,
  time: wrapper({ shortWithValue: 'fo', longWithValue: ['format', 'output'] }),
  watch,
  stdbuf: wrapper({ shortWithValue: 'ioe', longWithValue: ['input', 'output', 'error'] }),
  ionice: wrapper(
    { shortWithValue: 'cnpPu', longWithValue: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
    { noCommand: (c) => readOnly(c, 'ionice query') },
  ),
  chrt: wrapper({ shortWithValue: 'p', longWithValue: ['pid'] }, { skipOperands: 1 }),
  taskset: wrapper({ shortWithValue: 'p', longWithValue: ['pid'] }, { skipOperands: 1 }),
  flock,
  command: commandBuiltin,
  builtin: commandBuiltin,
  exec,
  eval: evalRule,
  sh: shell,
  bash: shell,
  zsh: shell,
  dash: shell,
  ksh: shell,
  ash: shell,
  mksh: shell,
  fish: shell,
  su,
  runuser,
  ssh,
  parallel,
  chroot: wrapper(
    { longWithValue: ['userspec', 'groups'] },
    { skipOperands: 1, noCommand: (c) => unknownResult(c, 'an interactive chroot shell') },
  ),
  setsid: wrapper({}),
  unbuffer: wrapper({}),
  caffeinate: wrapper({ shortWithValue: 'tw' }),
  trap,
  coproc,
  script,
  strace: tracer,
  ltrace: tracer,
  nsenter: wrapper(
    { shortWithValue: 'tSGmuinpUCr', longWithValue: ['target'] },
    { noCommand: (c) => unknownResult(c, 'an interactive shell in a namespace') },
  ),
  unshare: wrapper({}, { noCommand: (c) => unknownResult(c, 'an interactive shell in a namespace') }),
  firejail: wrapper({}),
  'sudo-rs': sudo,
  busybox: multiCall,
  toybox: multiCall,
};
