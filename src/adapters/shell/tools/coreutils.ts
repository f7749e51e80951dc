/**
 * Grammars for coreutils, findutils and disk tools: `rm`, `mv`, `cp`, `dd`, `mkfs`, `shred`,
 * `truncate`, `chmod -R`, `sed -i`, `tee`, `find -delete/-exec`, `xargs`, `rsync --delete` …
 * Path judgement follows RISK.md's assumptions (see `paths.ts`).
 */
import type { Effect, RiskClass, Target } from '../../../core/assessment.js';
import { riskRank } from '../../../core/assessment.js';
import type { ArgSpec, ParsedArgs } from '../args.js';
import { flagText, flagValue, hasFlag, parseArgs } from '../args.js';
import type { PathInfo } from '../paths.js';
import { classifyPath, codePlantRisk, deletionRisk, overwriteRisk } from '../paths.js';
import { effectOf, mergeResults, readOnly, resultRisk, single, stdinOf, unknownResult, workdirOf } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';

function pathOf(word: Word, context: ToolContext): PathInfo {
  const dir = workdirOf(context);
  const w = dir !== undefined && !/^[/~$]/.test(word.text) ? { ...word, text: `${dir.replace(/\/+$/, '')}/${word.text}` } : word;
  return classifyPath(w, { dataPaths: context.dataPaths });
}

function deletions(
  command: SimpleCommand,
  context: ToolContext,
  operands: readonly Word[],
  recursive: boolean,
  verb: 'delete' | 'replace' = 'delete',
  what = 'deletes',
): ToolResult {
  if (operands.length === 0) return readOnly(command, `${command.name} without operands changes nothing`);
  const effects: Effect[] = [];
  const targets: Target[] = [];
  for (const w of operands) {
    const info = pathOf(w, context);
    const r = deletionRisk(info, recursive);
    effects.push(
      effectOf(command, {
        verb,
        resource: `path ${info.path}`,
        scope: r.scope,
        reversible: r.reversible,
        risk: r.risk === 'read' ? 'write' : r.risk,
        reason: `${what} ${r.reason}`,
      }),
    );
    targets.push({ type: 'path', path: info.path });
  }
  return { kind: 'shell', effects, targets };
}

const rm: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { longWithValue: ['interactive'] });
  const recursive = hasFlag(p, '-r', '-R', '--recursive');
  return deletions(command, context, p.operands, recursive);
};

const rmdir: ToolRule = (command, context) => {
  // rmdir removes only empty directories: nothing of value is lost unless `-p` climbs into `/`.
  const p = parseArgs(command.args);
  const effects = p.operands.map((w) => {
    const info = pathOf(w, context);
    return effectOf(command, {
      verb: 'delete',
      resource: `path ${info.path}`,
      scope: 'resource',
      reversible: true,
      risk: 'write',
      reason: 'rmdir removes empty directories only',
    });
  });
  return effects.length === 0 ? readOnly(command, 'nothing to remove') : { kind: 'shell', effects };
};

const unlink: ToolRule = (command, context) => deletions(command, context, parseArgs(command.args).operands, false);

/**
 * True when the one source's file name is a strict prefix of the destination's, followed by a
 * separator (`app.log` → `app.log.1`, `db.sqlite` → `db.sqlite-2024`): a fresh name made from the
 * source, which RISK.md does not presume to exist (judge the text, not the worst runtime state).
 */
function derivedName(sources: readonly Word[], dest: Word): boolean {
  const src = sources[0];
  if (sources.length !== 1 || src === undefined || src.dynamic || dest.dynamic || src.glob || dest.glob) return false;
  const base = (t: string): string => t.replace(/\/+$/, '').slice(t.replace(/\/+$/, '').lastIndexOf('/') + 1);
  const dir = (t: string): string => (t.includes('/') ? t.slice(0, t.lastIndexOf('/')) : '');
  const s = base(src.text);
  const d = base(dest.text);
  return s !== '' && dir(src.text) === dir(dest.text) && d.length > s.length + 1 && d.startsWith(s) && /[._~-]/.test(d[s.length] as string);
}

/** `mv`/`cp` overwrite the destination; `mv` also removes the sources from their place. */
function copyLike(isMove: boolean): ToolRule {
  return (command, context) => {
    const p = parseArgs(command.args, { shortWithValue: 'tS', longWithValue: ['target-directory', 'suffix', 'backup'] });
    const ops = [...p.operands];
    const targetDir = flagValue(p, '-t', '--target-directory');
    if (targetDir) ops.push(targetDir);
    if (ops.length < 2) return readOnly(command, `${command.name} needs a source and a destination`);
    const dest = ops[ops.length - 1] as Word;
    const sources = ops.slice(0, -1);
    const noClobber = hasFlag(p, '-n', '--no-clobber', '--update', '-u', '-b', '--backup') || flagText(p, '--update') === 'none';
    const effects: Effect[] = [];
    const targets: Target[] = [];
    const destInfo = pathOf(dest, context);
    const ow = overwriteRisk(destInfo);
    let destRisk: RiskClass = ow.risk === 'read' ? 'read' : noClobber ? 'write' : ow.risk;
    // Copying onto a device writes the disk.
    if (destInfo.cls === 'device') destRisk = 'catastrophic';
    // Moving or copying into a directory (`mv x /tmp/`) only creates; a trailing slash says so.
    if (dest.text.endsWith('/') && destInfo.cls !== 'device') destRisk = 'write';
    if (destRisk === 'unknown' && !dest.dynamic) destRisk = 'write';
    // `mv app.log app.log.1`, `cp app.db app.db.bak`: a name derived from the source's is a new name (rotation, backup copy).
    if (derivedName(sources, dest) && (destRisk === 'destructive' || destRisk === 'unknown')) destRisk = 'write';
    effects.push(
      effectOf(command, {
        verb: 'replace',
        resource: `path ${destInfo.path}`,
        scope: destInfo.cls === 'device' ? 'disk' : 'resource',
        reversible: destRisk === 'write' ? true : ow.reversible,
        risk: destRisk === 'read' ? 'write' : destRisk,
        reason: destRisk === 'write' ? `writes ${destInfo.path}` : ow.reason,
      }),
    );
    targets.push({ type: 'path', path: destInfo.path });
    if (isMove) {
      for (const s of sources) {
        const info = pathOf(s, context);
        // Moving the whole system or repository away is as bad as deleting it.
        const bad =
          info.cls === 'root' || info.cls === 'system' || info.cls === 'home' || info.cls === 'repository' || info.cls === 'device';
        const toNull = destInfo.cls === 'null-device';
        const risk: RiskClass = bad ? 'catastrophic' : toNull ? deletionRisk(info, true).risk : 'write';
        effects.push(
          effectOf(command, {
            verb: 'modify',
            resource: `path ${info.path}`,
            scope: bad ? 'host' : 'resource',
            reversible: !bad && !toNull,
            risk: risk === 'read' ? 'write' : risk,
            reason: bad ? `moves ${info.path} (${info.why}) away` : toNull ? `moves ${info.path} to /dev/null` : `renames ${info.path}`,
          }),
        );
        targets.push({ type: 'path', path: info.path });
      }
    }
    return { kind: 'shell', effects, targets };
  };
}

const dd: ToolRule = (command, context) => {
  let of: Word | undefined;
  for (const a of command.args) if (a.text.startsWith('of=')) of = { text: a.text.slice(3), dynamic: a.dynamic, glob: a.glob };
  if (!of) return readOnly(command, 'dd without of= writes to standard output');
  const info = pathOf(of, context);
  const r = overwriteRisk(info);
  const conv = command.args.some((a) => /^conv=.*notrunc/.test(a.text));
  const risk: RiskClass = r.risk === 'read' ? 'read' : conv && info.cls !== 'device' ? 'write' : r.risk;
  if (risk === 'read') return readOnly(command, 'dd writes to a null device');
  return single(
    'shell',
    command,
    {
      verb: 'replace',
      resource: `path ${info.path}`,
      scope: r.scope,
      reversible: risk === 'write',
      risk,
      reason: info.cls === 'device' ? `dd overwrites ${info.path}, a whole disk or partition` : r.reason,
    },
    { targets: [{ type: 'path', path: info.path }] },
  );
};

/** Whole-disk tools: formatting, wiping signatures, repartitioning. */
/** `mke2fs -n` (and `mkfs.ext*`): shows what would be done without creating a filesystem. */
function mke2fsDryRun(command: SimpleCommand): boolean {
  return command.args.some((a) => /^-[a-zA-Z]*n[a-zA-Z]*$/.test(a.text) && !a.text.startsWith('--'));
}

function diskTool(verb: string, readOnlyWhen?: (command: SimpleCommand) => boolean): ToolRule {
  return (command) => {
    if (readOnlyWhen?.(command)) return readOnly(command, `${command.name} only lists`);
    const dev = command.args.filter((a) => !a.text.startsWith('-')).map((a) => a.text);
    const resource = dev.find((d) => d.startsWith('/dev/')) ?? dev[dev.length - 1] ?? 'a disk';
    return single(
      'shell',
      command,
      {
        verb: 'replace',
        resource: `disk ${resource}`,
        scope: 'disk',
        reversible: false,
        risk: 'catastrophic',
        reason: `${command.name} ${verb} ${resource}`,
      },
      { targets: [{ type: 'path', path: resource }] },
    );
  };
}

const listOnly = (command: SimpleCommand): boolean =>
  command.args.some((a) => a.text === '-l' || a.text === '--list' || a.text === 'print' || a.text === '-s' || a.text === '--show');

const parted: ToolRule = (command) => {
  const texts = command.args.map((a) => a.text);
  if (texts.some((t) => ['mklabel', 'mktable', 'rm', 'mkpart', 'resizepart', 'mkpartfs'].includes(t)))
    return diskTool('repartitions')(command, undefined as never);
  if (texts.includes('-l') || texts.includes('--list') || texts.includes('print') || !texts.some((t) => t.startsWith('/dev/')))
    return readOnly(command, 'parted only lists');
  return unknownResult(command, 'parted in interactive or scripted mode');
};

const shred: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'ns', longWithValue: ['iterations', 'size', 'random-source'] });
  const effects = p.operands.map((w) => {
    const info = pathOf(w, context);
    const device = info.cls === 'device';
    const worst = deletionRisk(info, false);
    const risk: RiskClass = device || worst.risk === 'catastrophic' ? 'catastrophic' : 'destructive';
    return effectOf(command, {
      verb: 'delete',
      resource: `path ${info.path}`,
      scope: device ? 'disk' : 'resource',
      reversible: false,
      risk,
      reason: `shred destroys the contents of ${info.path} beyond recovery`,
    });
  });
  return effects.length === 0 ? readOnly(command, 'shred without files') : { kind: 'shell', effects };
};

const truncate: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'sr', longWithValue: ['size', 'reference'] });
  const size = flagText(p, '-s', '--size') ?? '';
  const grows = /^\+/.test(size) || (/^\d+[KMGT]?$/.test(size) && size !== '0');
  const effects = p.operands.map((w) => {
    const info = pathOf(w, context);
    const r = overwriteRisk(info);
    const risk: RiskClass = grows ? 'write' : r.risk === 'read' ? 'write' : r.risk === 'unknown' ? 'destructive' : r.risk;
    return effectOf(command, {
      verb: 'modify',
      resource: `path ${info.path}`,
      scope: 'resource',
      reversible: risk === 'write',
      risk,
      reason: grows ? 'truncate extends the file' : `truncate cuts ${info.path} (${info.why})`,
    });
  });
  return effects.length === 0 ? readOnly(command, 'truncate without files') : { kind: 'shell', effects };
};

/** chmod/chown/chgrp: recursive on `/` or a system tree is catastrophic, otherwise a write. */
function permissionTool(valueOperands: number): ToolRule {
  return (command, context) => {
    const p = parseArgs(command.args, { longWithValue: ['reference', 'from'] });
    const recursive = hasFlag(p, '-R', '--recursive');
    const ops = p.operands.slice(hasFlag(p, '--reference') ? 0 : valueOperands);
    const effects = ops.map((w) => {
      const info = pathOf(w, context);
      const wide = info.cls === 'root' || info.cls === 'system' || info.cls === 'home';
      const risk: RiskClass = wide && recursive ? 'catastrophic' : 'write';
      return effectOf(command, {
        verb: 'modify',
        resource: `path ${info.path}`,
        scope: wide && recursive ? 'host' : recursive ? 'directory' : 'resource',
        reversible: risk === 'write',
        risk,
        reason:
          risk === 'catastrophic'
            ? `recursive ${command.name} over ${info.path} (${info.why})`
            : `${command.name} changes permissions or ownership`,
      });
    });
    return effects.length === 0 ? readOnly(command, 'nothing to change') : { kind: 'shell', effects };
  };
}

/** An `s` command with its delimiter, pattern, replacement and flags. */
const SED_SUBSTITUTE = /s([^\\\n\s])((?:\\.|(?!\1)[^\\])*)\1((?:\\.|(?!\1)[^\\])*)\1([a-zA-Z0-9]*)/g;

/** True when a sed script uses the `e` command or an `s///e` flag (GNU sed runs the text as a command). */
function sedRunsCode(script: string): boolean {
  let runs = false;
  const rest = script.replace(SED_SUBSTITUTE, (_m, _d: string, _a: string, _b: string, flags: string) => {
    if (flags.includes('e')) runs = true;
    return ';';
  });
  return runs || /(^|[;\n{}!,$/0-9]|\s)\s*e(\s|;|}|$)/.test(rest);
}

const SED_SPEC: ArgSpec = { shortWithValue: 'efl', longWithValue: ['expression', 'file', 'line-length'] };

const sed: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'efl', longWithValue: ['expression', 'file', 'line-length'] });
  if (hasFlag(p, '-f', '--file')) return unknownResult(command, 'sed -f runs a script file Airlock cannot see');
  const scripts = p.flagList.filter(([k]) => k === '-e' || k === '--expression').map(([, v]) => v);
  const scriptWords = scripts.length > 0 ? scripts : p.operands.slice(0, 1);
  // GNU sed's `e` command and the `s///e` flag run commands, with or without -i.
  if (scriptWords.some((w) => w !== true && sedRunsCode(w.text))) return unknownResult(command, 'sed script executes commands');
  // An unknown expansion outside an `s` command's text could be any command, `e` included.
  if (scriptWords.some((w) => w !== true && w.dynamic && /[$`]/.test(w.text.replace(SED_SUBSTITUTE, ';'))))
    return unknownResult(command, 'sed script not known before run time');
  const inPlace =
    [...p.flags.keys()].some((k) => k === '-i' || k.startsWith('--in-place')) ||
    command.args.some((a) => /^-[a-zA-Z]*i/.test(a.text) && !a.text.startsWith('--'));
  if (!inPlace) return readOnly(command, 'sed without -i only prints');
  const files = flagValue(p, '-e', '--expression', '-f', '--file') ? p.operands : p.operands.slice(1);
  const effects = files.map((w) => {
    const info = pathOf(w, context);
    const r = overwriteRisk(info);
    return effectOf(command, {
      verb: 'modify',
      resource: `path ${info.path}`,
      scope: 'resource',
      reversible: r.risk === 'write' || r.risk === 'read',
      risk: r.risk === 'read' ? 'write' : r.risk === 'unknown' ? 'write' : r.risk === 'destructive' ? 'write' : r.risk,
      reason: `sed -i edits ${info.path}`,
    });
  });
  return effects.length === 0 ? readOnly(command, 'sed without files') : { kind: 'shell', effects };
};

const tee: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { longWithValue: ['output-error'] });
  const append = hasFlag(p, '-a', '--append');
  const effects: Effect[] = [];
  for (const w of p.operands) {
    const info = pathOf(w, context);
    if (info.cls === 'null-device') continue;
    const r = overwriteRisk(info);
    const risk: RiskClass = append && info.cls !== 'device' ? 'write' : r.risk;
    effects.push(
      effectOf(command, {
        verb: append ? 'modify' : 'replace',
        resource: `path ${info.path}`,
        scope: r.scope,
        reversible: risk === 'write',
        risk,
        reason: append ? `appends to ${info.path}` : r.reason,
      }),
    );
  }
  return effects.length === 0 ? readOnly(command, 'tee only prints') : { kind: 'shell', effects };
};

const creates =
  (what: string): ToolRule =>
  (command) => {
    const ops = command.args.filter((a) => !a.text.startsWith('-'));
    return single('shell', command, {
      verb: 'create',
      resource: ops.map((o) => o.text).join(' ') || command.name,
      scope: 'resource',
      reversible: true,
      risk: 'write',
      reason: what,
    });
  };

const ln: ToolRule = (command, context) => {
  const p = parseArgs(command.args, { shortWithValue: 'tS', longWithValue: ['target-directory', 'suffix'] });
  const force = hasFlag(p, '-f', '--force');
  const dest = p.operands[p.operands.length - 1];
  // `ln -sfn NEW LINK`: -n only matters when LINK is a symlink, so what is replaced is a link (the atomic switch of a release).
  const switchesLink = hasFlag(p, '-s', '--symbolic') && hasFlag(p, '-n', '--no-dereference');
  if (force && dest && p.operands.length >= 2 && !switchesLink) {
    const info = pathOf(dest, context);
    const r = overwriteRisk(info);
    if (r.risk === 'destructive' || r.risk === 'catastrophic')
      return single('shell', command, {
        verb: 'replace',
        resource: `path ${info.path}`,
        scope: 'resource',
        reversible: false,
        risk: r.risk,
        reason: `ln -f replaces ${info.path}`,
      });
  }
  // The link's path is a target: a link put in place of a file replaces it (`ln -sf x airlock.yaml`).
  const links = placed(p).map((w): Target => ({ type: 'path', path: pathOf(w, context).path }));
  return single(
    'shell',
    command,
    {
      verb: 'create',
      resource: 'a link',
      scope: 'resource',
      reversible: true,
      risk: 'write',
      reason: 'creates a link',
    },
    links.length > 0 ? { targets: links } : undefined,
  );
};

/**
 * Wraps a writing grammar: when a path it writes (per `written`) is one git later runs code from
 * (`.git/hooks/*`, `.git/config`, `.git/info/attributes`), the command is at least unknown.
 */
function unlessPlantsCode(rule: ToolRule, written: (p: ParsedArgs) => readonly Word[], spec: ArgSpec = {}): ToolRule {
  return (command, context) => {
    const r = rule(command, context);
    if (riskRank(resultRisk(r)) >= riskRank('unknown')) return r;
    for (const w of written(parseArgs(command.args, spec))) {
      const planted = codePlantRisk(pathOf(w, context));
      if (planted)
        return mergeResults([
          r,
          single('shell', command, {
            verb: 'modify',
            resource: `path ${w.text}`,
            scope: planted.scope,
            reversible: planted.reversible,
            risk: planted.risk,
            reason: planted.reason,
          }),
        ]);
    }
    return r;
  };
}

/** The destination of `cp`/`mv`/`ln`/`install`, and each source's name inside it when it is a directory. */
function destinations(p: ParsedArgs): Word[] {
  const ops = [...p.operands];
  const dir = flagValue(p, '-t', '--target-directory');
  if (dir) ops.push(dir);
  const dest = ops[ops.length - 1];
  if (!dest || ops.length < 2) return [];
  const base = (t: string): string => t.replace(/\/+$/, '').split('/').pop() ?? '';
  return [
    dest,
    ...ops
      .slice(0, -1)
      .map((s) => ({ text: `${dest.text.replace(/\/+$/, '')}/${base(s.text)}`, dynamic: dest.dynamic || s.dynamic, glob: s.glob })),
  ];
}

/**
 * The paths `ln`/`install` put in place: the destination, or each source's name inside it when it
 * is plainly a directory (`-t DIR`, `DIR/`, `.`).
 */
function placed(p: ParsedArgs): Word[] {
  const all = destinations(p);
  const dest = all[0];
  if (dest === undefined) return [];
  const intoDir = hasFlag(p, '-t', '--target-directory') || /(^|\/)\.{0,2}\/*$/.test(dest.text);
  return intoDir ? all.slice(1) : [dest];
}

const COPY_SPEC: ArgSpec = { shortWithValue: 'tSm', longWithValue: ['target-directory', 'suffix', 'backup', 'mode', 'owner', 'group'] };

/** Wraps a grammar: when `check` names a program the tool would run, the command is unknown. */
function unlessRunsProgram(rule: ToolRule, check: (texts: readonly string[], command: SimpleCommand) => string | undefined): ToolRule {
  return (command, context) => {
    const reason = check(
      command.args.map((a) => a.text),
      command,
    );
    return reason !== undefined ? unknownResult(command, reason) : rule(command, context);
  };
}

/** tar options that run a program: `--to-command`, `--checkpoint-action=exec`, `-I`, `-F`, volume scripts, rsh. */
function tarRunsProgram(texts: readonly string[]): string | undefined {
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i] as string;
    if (t === '--') break;
    if (/^--(to-c|use-comp|info|new-v|rsh|rmt)/.test(t)) return `tar ${t.split('=')[0]} runs a program`;
    if (/^--checkpoint-a/.test(t)) {
      const value = t.includes('=') ? t.slice(t.indexOf('=') + 1) : (texts[i + 1] ?? '');
      if (/exec/.test(value)) return 'tar --checkpoint-action=exec runs a program';
    }
    // Old-style first word (`tar xIf prog a.tar`): every letter is an option, values follow.
    if (i === 0 && /^[A-Za-z]+$/.test(t) && /[IF]/.test(t)) return 'tar -I/-F runs a program';
    // In `-xIprog`, letters after one that takes a value (f, C, T, X …) are that value.
    const letters = /^-[A-Za-z]/.test(t) ? (t.slice(1).split(/[^A-Za-z]|[fCTXbHKLNgV]/)[0] ?? '') : '';
    if (/[IF]/.test(letters)) return 'tar -I/-F runs a program';
  }
  return undefined;
}

/** `rsync -e CMD`/`--rsh`: only plain `ssh` with ordinary flags keeps rsync's judgement. */
function plainSsh(cmd: string): boolean {
  const words = cmd.trim().split(/\s+/);
  if (words[0] !== 'ssh' && words[0] !== '/usr/bin/ssh') return false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (/^-[46AaCfGgKkMNnqsTtVvXxYy]+$/.test(w)) continue;
    const m = /^-([pilcJbmo])(.*)$/.exec(w);
    if (!m) return false;
    const value = m[2] || words[++i];
    if (value === undefined) return false;
    if (m[1] === 'o' && /command|proxy|include|match/i.test(value)) return false;
  }
  return true;
}

function rsyncRunsProgram(texts: readonly string[], command: SimpleCommand): string | undefined {
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i] as string;
    if (t === '--') break;
    if (t.startsWith('--rsync-path')) return 'rsync --rsync-path names the program run on the other side';
    let shell: string | undefined;
    let dynamic = false;
    if (t.startsWith('--rsh=')) shell = t.slice(6);
    else if (t === '--rsh') {
      shell = texts[i + 1] ?? '';
      dynamic = command.args[i + 1]?.dynamic ?? false;
    } else if (/^-[a-zA-Z]+/.test(t) && !t.startsWith('--')) {
      const letters = t.slice(1).split(/[BfTM]/)[0] ?? '';
      const e = letters.indexOf('e');
      if (e >= 0) {
        const rest = t.slice(e + 2);
        shell = rest || (texts[i + 1] ?? '');
        dynamic = rest ? (command.args[i]?.dynamic ?? false) : (command.args[i + 1]?.dynamic ?? false);
      }
    }
    if (shell !== undefined && (dynamic || !plainSsh(shell))) return 'rsync -e names the remote shell program';
  }
  return undefined;
}

function zipRunsProgram(texts: readonly string[]): string | undefined {
  return texts.some((t) => t.startsWith('-TT') || t.startsWith('--unzip-command')) ? 'zip -TT runs a test command' : undefined;
}

const tar: ToolRule = (command, context) => {
  const first = command.args[0]?.text ?? '';
  const texts = command.args.map((a) => a.text);
  const mode = (m: string): boolean =>
    (/^-?[A-Za-z]+$/.test(first) && !first.startsWith('--') && first.replace(/^-/, '').includes(m)) ||
    texts.some((t) => t === `-${m}` || (/^-[A-Za-z]+$/.test(t) && t.includes(m)));
  if (texts.includes('--delete'))
    return single('shell', command, {
      verb: 'modify',
      resource: 'archive',
      scope: 'resource',
      reversible: false,
      risk: 'destructive',
      reason: 'tar --delete removes members from an archive',
    });
  if (mode('t') || texts.includes('--list')) return readOnly(command, 'tar only lists');
  if (mode('x') || texts.includes('--extract') || texts.includes('--get')) {
    const dirIdx = texts.findIndex((t) => t === '-C' || t === '--directory');
    const dir = dirIdx >= 0 ? command.args[dirIdx + 1] : undefined;
    const info = dir ? pathOf(dir, context) : undefined;
    if (info && (info.cls === 'root' || info.cls === 'system'))
      return single('shell', command, {
        verb: 'replace',
        resource: `path ${info.path}`,
        scope: 'host',
        reversible: false,
        risk: 'destructive',
        reason: `extracts over ${info.path}`,
      });
    return single('shell', command, {
      verb: 'create',
      resource: 'extracted files',
      scope: 'directory',
      reversible: true,
      risk: 'write',
      reason: 'tar extracts files (may overwrite project files)',
    });
  }
  if (texts.includes('--remove-files'))
    return single('shell', command, {
      verb: 'modify',
      resource: 'archived files',
      scope: 'selection',
      reversible: true,
      risk: 'write',
      reason: 'tar --remove-files moves files into an archive',
    });
  return single('shell', command, {
    verb: 'create',
    resource: 'archive',
    scope: 'resource',
    reversible: true,
    risk: 'write',
    reason: 'tar creates an archive',
  });
};

/** `find`: `-delete` deletes the matched tree, `-exec`/`-ok` run a command per match. */
const find: ToolRule = (command, context) => {
  const args = command.args;
  const starts: Word[] = [];
  let i = 0;
  // Leading -H -L -P -D x -Olevel options, then start paths until the first expression word.
  for (; i < args.length; i++) {
    const t = (args[i] as Word).text;
    if (t === '-H' || t === '-L' || t === '-P' || /^-O\d$/.test(t)) continue;
    if (t === '-D') {
      i++;
      continue;
    }
    break;
  }
  for (; i < args.length; i++) {
    const t = (args[i] as Word).text;
    if (t.startsWith('-') || t === '(' || t === '!' || t === '\\(') break;
    starts.push(args[i] as Word);
  }
  if (starts.length === 0) starts.push({ text: '.', dynamic: false, glob: false });
  let pattern: string | undefined;
  const results: ToolResult[] = [];
  let deletes = false;
  let writes = false;
  for (; i < args.length; i++) {
    const t = (args[i] as Word).text;
    if (t === '-name' || t === '-iname' || t === '-path' || t === '-ipath' || t === '-wholename') {
      pattern = args[i + 1]?.text;
      i++;
    } else if (t === '-delete') deletes = true;
    else if (t === '-exec' || t === '-execdir' || t === '-ok' || t === '-okdir') {
      const inner: Word[] = [];
      let j = i + 1;
      for (; j < args.length; j++) {
        const w = args[j] as Word;
        if (w.text === ';' || w.text === '+' || w.text === '\\;') break;
        inner.push(w);
      }
      i = j;
      const matched = matchedWords(starts, pattern);
      const expanded: Word[] = [];
      for (const w of inner) {
        if (w.text === '{}') expanded.push(...matched);
        else if (w.text.includes('{}'))
          expanded.push({ text: w.text.replace(/\{\}/g, matched[0]?.text ?? '.'), dynamic: w.dynamic, glob: true });
        else expanded.push(w);
      }
      results.push(context.classifyArgv(expanded));
    } else if (t === '-fprint' || t === '-fprintf' || t === '-fls' || t === '-fprint0') {
      const file = args[i + 1];
      if (file) {
        const info = pathOf(file, context);
        const r = codePlantRisk(info) ?? overwriteRisk(info);
        if (r.risk !== 'read')
          results.push(
            single(
              'shell',
              command,
              {
                verb: 'replace',
                resource: `path ${info.path}`,
                scope: r.scope,
                reversible: r.reversible,
                risk: r.risk,
                reason: `find ${t}: ${r.reason}`,
              },
              { targets: [{ type: 'path', path: info.path }] },
            ),
          );
      } else writes = true;
      i += t === '-fprintf' ? 2 : 1;
    }
  }
  if (deletes) {
    const effects: Effect[] = [];
    for (const w of matchedWords(starts, pattern)) {
      const info = pathOf(w, context);
      const r = deletionRisk(info, pattern === undefined);
      effects.push(
        effectOf(command, {
          verb: 'delete',
          resource: `path ${info.path}`,
          scope: pattern === undefined ? r.scope : 'selection',
          reversible: r.reversible,
          risk: r.risk === 'read' ? 'write' : r.risk,
          reason: `find -delete: ${r.reason}`,
        }),
      );
    }
    results.push({ kind: 'shell', effects });
  }
  if (writes)
    results.push(
      single('shell', command, {
        verb: 'create',
        resource: 'find output file',
        scope: 'resource',
        reversible: true,
        risk: 'write',
        reason: 'find writes a file',
      }),
    );
  if (results.length === 0) return readOnly(command, 'find only lists');
  return mergeInto(results);
};

function matchedWords(starts: readonly Word[], pattern: string | undefined): Word[] {
  return starts.map((s) => {
    if (pattern === undefined) return s;
    const base = s.text.replace(/\/+$/, '');
    const p = pattern.includes('/') ? pattern.replace(/^\*\//, '') : pattern;
    return { text: `${base === '' ? '' : base}/${p}`, dynamic: s.dynamic, glob: true };
  });
}

function mergeInto(results: readonly ToolResult[]): ToolResult {
  const effects: Effect[] = [];
  let obfuscated = false;
  let kind: ToolResult['kind'] = 'shell';
  let worst = -1;
  const reasons: string[] = [];
  const targets: Target[] = [];
  for (const r of results) {
    effects.push(...r.effects);
    if (r.obfuscated) obfuscated = true;
    if (r.reasons) reasons.push(...r.reasons);
    if (r.targets) targets.push(...r.targets);
    for (const e of r.effects) {
      if (riskRank(e.risk) > worst) {
        worst = riskRank(e.risk);
        kind = r.kind;
      }
    }
  }
  return { kind, effects, obfuscated, reasons, targets };
}

/** `xargs CMD`: CMD runs on input words; literal input is used, unknown input stays unknown. */
const xargs: ToolRule = (command, context) => {
  const p = parseArgs(command.args, {
    shortWithValue: 'aEIiLlnPsd',
    longWithValue: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'replace', 'max-lines', 'eof', 'process-slot-var'],
    stopAtOperand: true,
  });
  const inner = p.stopIndex >= 0 ? command.args.slice(p.stopIndex) : [{ text: 'echo', dynamic: false, glob: false }];
  const replace = flagText(p, '-I', '-i', '--replace');
  const stdin = stdinOf(context);
  const inputs: Word[] =
    typeof stdin === 'string' && !hasFlag(p, '-a', '--arg-file')
      ? stdin
          .split(/\s+/)
          .filter((s) => s.length > 0)
          .map((s) => ({ text: s, dynamic: false, glob: false }))
      : [{ text: '$XARGS_INPUT', dynamic: true, glob: false }];
  if (inputs.length === 0) inputs.push({ text: '$XARGS_INPUT', dynamic: true, glob: false });
  let words: Word[];
  if (replace !== undefined) {
    words = [];
    for (const w of inner) {
      if (w.text === replace) words.push(...inputs);
      else if (w.text.includes(replace))
        words.push({
          text: w.text.split(replace).join(inputs[0]?.text ?? ''),
          dynamic: inputs.some((x) => x.dynamic) || w.dynamic,
          glob: w.glob,
        });
      else words.push(w);
    }
  } else words = [...inner, ...inputs];
  return context.classifyArgv(words);
};

const rsync: ToolRule = (command, context) => {
  const texts = command.args.map((a) => a.text);
  if (texts.some((t) => t === '-n' || t === '--dry-run' || (/^-[a-zA-Z]+$/.test(t) && t.includes('n'))))
    return readOnly(command, 'rsync dry run');
  const ops = command.args.filter((a) => !a.text.startsWith('-'));
  const dest = ops[ops.length - 1];
  const destText = dest?.text ?? '';
  const remote = /^[^/]*:/.test(destText) && !destText.startsWith('/');
  const targets: Target[] = dest
    ? [remote ? { type: 'host', hostname: destText.split(':')[0] as string } : { type: 'path', path: destText }]
    : [];
  if (texts.some((t) => t.startsWith('--delete') || t === '--del' || t === '--remove-source-files')) {
    const removeSource = texts.includes('--remove-source-files') && !texts.some((t) => t.startsWith('--delete') || t === '--del');
    if (removeSource)
      return single(
        'shell',
        command,
        {
          verb: 'modify',
          resource: 'moved source files',
          scope: 'selection',
          reversible: true,
          risk: 'write',
          reason: 'rsync moves files',
        },
        { targets },
      );
    const info = dest && !remote ? pathOf(dest, context) : undefined;
    const wide = info && (info.cls === 'root' || info.cls === 'system' || info.cls === 'home');
    return single(
      'shell',
      command,
      {
        verb: 'delete',
        resource: `files under ${destText}`,
        scope: wide ? 'host' : 'directory',
        reversible: false,
        risk: wide ? 'catastrophic' : 'destructive',
        reason: 'rsync --delete removes destination files missing from the source',
      },
      { targets },
    );
  }
  return single(
    'shell',
    command,
    {
      verb: 'modify',
      resource: `path ${destText}`,
      scope: 'directory',
      reversible: null,
      risk: 'write',
      reason: 'rsync copies files (may overwrite)',
    },
    { targets },
  );
};

/** install: creates or overwrites its destination (each DIRECTORY with `-d`); the paths are targets. */
const install: ToolRule = (command, context) => {
  const r = creates('installs files')(command, context);
  const p = parseArgs(command.args, COPY_SPEC);
  const written = hasFlag(p, '-d', '--directory') ? p.operands : placed(p);
  const targets = written.map((w): Target => ({ type: 'path', path: pathOf(w, context).path }));
  return targets.length > 0 ? { ...r, targets: [...(r.targets ?? []), ...targets] } : r;
};

const gzipLike: ToolRule = (command) => {
  if (command.args.some((a) => ['-l', '--list', '-t', '--test', '-c', '--stdout'].includes(a.text)))
    return readOnly(command, 'lists, tests or prints');
  return single('shell', command, {
    verb: 'modify',
    resource: 'compressed files',
    scope: 'resource',
    reversible: true,
    risk: 'write',
    reason: 'compresses or decompresses files in place',
  });
};

const mkswap = diskTool('formats swap on');

/** Filesystem and disk grammars by command name. */
export const coreutilsRules: ToolRuleTable = {
  rm,
  rmdir,
  unlink,
  mv: unlessPlantsCode(copyLike(true), destinations, COPY_SPEC),
  cp: unlessPlantsCode(copyLike(false), destinations, COPY_SPEC),
  dd,
  mkfs: diskTool('formats'),
  'mkfs.ext2': diskTool('formats', mke2fsDryRun),
  'mkfs.ext3': diskTool('formats', mke2fsDryRun),
  'mkfs.ext4': diskTool('formats', mke2fsDryRun),
  'mkfs.xfs': diskTool('formats'),
  'mkfs.btrfs': diskTool('formats'),
  'mkfs.vfat': diskTool('formats'),
  'mkfs.fat': diskTool('formats'),
  'mkfs.ntfs': diskTool('formats'),
  mke2fs: diskTool('formats'),
  mkswap,
  wipefs: diskTool(
    'wipes signatures on',
    (c) => !c.args.some((a) => a.text === '-a' || a.text === '--all' || a.text.startsWith('-o') || a.text === '--offset'),
  ),
  fdisk: diskTool('repartitions', listOnly),
  sfdisk: diskTool('repartitions', listOnly),
  gdisk: diskTool('repartitions', listOnly),
  sgdisk: diskTool('repartitions', (c) => c.args.some((a) => a.text === '-p' || a.text === '--print')),
  cfdisk: diskTool('repartitions'),
  parted,
  blkdiscard: diskTool('discards every block of'),
  pvremove: diskTool('removes the LVM physical volume'),
  vgremove: diskTool('removes the LVM volume group'),
  lvremove: diskTool('removes the LVM logical volume'),
  swapoff: (command) =>
    single('shell', command, {
      verb: 'modify',
      resource: 'swap',
      scope: 'host',
      reversible: true,
      risk: 'write',
      reason: 'disables swap',
      disruptive: true,
    }),
  shred,
  truncate,
  chmod: unlessPlantsCode(permissionTool(1), (p) => p.operands.slice(1), { longWithValue: ['reference'] }),
  chown: permissionTool(1),
  chgrp: permissionTool(1),
  sed: unlessPlantsCode(sed, (p) => p.operands, SED_SPEC),
  gsed: unlessPlantsCode(sed, (p) => p.operands, SED_SPEC),
  tee: unlessPlantsCode(tee, (p) => p.operands),
  touch: creates('creates or touches files'),
  mkdir: creates('creates directories'),
  mktemp: creates('creates a temporary file'),
  ln: unlessPlantsCode(ln, destinations, COPY_SPEC),
  tar: unlessRunsProgram(tar, tarRunsProgram),
  gtar: unlessRunsProgram(tar, tarRunsProgram),
  zip: unlessRunsProgram(creates('creates an archive'), zipRunsProgram),
  unzip: (command) =>
    command.args.some((a) => a.text === '-l' || a.text === '-t' || a.text === '-Z')
      ? readOnly(command, 'lists an archive')
      : creates('extracts files')(command, undefined as never),
  gzip: gzipLike,
  gunzip: gzipLike,
  bzip2: gzipLike,
  bunzip2: gzipLike,
  xz: gzipLike,
  unxz: gzipLike,
  zstd: gzipLike,
  find,
  xargs,
  rsync: unlessRunsProgram(rsync, rsyncRunsProgram),
  install: unlessPlantsCode(install, destinations, COPY_SPEC),
  split: creates('splits a file into pieces'),
  patch: (command) =>
    command.args.some((a) => a.text === '--dry-run')
      ? readOnly(command, 'patch dry run')
      : single('shell', command, {
          verb: 'modify',
          resource: 'patched files',
          scope: 'selection',
          reversible: true,
          risk: 'write',
          reason: 'patch edits files',
        }),
};
