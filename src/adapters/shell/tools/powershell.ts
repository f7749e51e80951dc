/**
 * PowerShell (`pwsh -Command …`, `powershell -c …`, `-EncodedCommand`): the script is split into
 * statements and each cmdlet is judged by its verb and noun (RISK.md). Az cmdlets are kind `azure`;
 * `Remove-Item` is judged like `rm`; native commands in the script go to their own grammars.
 */
import type { RiskClass, Scope } from '../../../core/assessment.js';
import { literalWord, mergeResults, obfuscate, readOnly, single, unknownResult } from '../rule-kit.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';

/** Verbs that only read or print (PowerShell approved verbs). */
const READ_VERBS = new Set([
  'get',
  'test',
  'find',
  'select',
  'measure',
  'format',
  'out',
  'write',
  'show',
  'convertto',
  'convertfrom',
  'where',
  'foreach',
  'sort',
  'group',
  'compare',
  'resolve',
  'search',
  'read',
  'watch',
  'trace',
  'debug',
  'confirm',
  'wait',
  'import',
]);
/** Verbs that create or change state reversibly. */
const WRITE_VERBS = new Set([
  'new',
  'set',
  'add',
  'update',
  'start',
  'stop',
  'restart',
  'suspend',
  'resume',
  'enable',
  'disable',
  'install',
  'register',
  'publish',
  'copy',
  'move',
  'rename',
  'save',
  'export',
  'mount',
  'dismount',
  'grant',
  'revoke',
  'lock',
  'unlock',
  'push',
  'send',
  'connect',
  'disconnect',
  'use',
  'enter',
  'exit',
  'sync',
  'deploy',
  'edit',
  'join',
  'backup',
  'checkpoint',
  'complete',
  'initialize',
]);
/** Verbs that delete. */
const DELETE_VERBS = new Set(['remove', 'clear', 'uninstall', 'unregister', 'reset', 'undo']);
/** Az nouns (after `Az`) whose deletion takes a whole container: resource group, account, server, cluster, vault (RISK.md catastrophic). */
const AZ_WHOLE =
  /^(ResourceGroup|StorageAccount|StorageContainer|StorageShare|DataLakeGen2FileSystem|SqlServer|SqlDatabase|SqlElasticPool|CosmosDBAccount|CosmosDBSqlDatabase|AksCluster|KeyVault|RecoveryServicesVault|DataProtectionBackupVault|PostgreSqlFlexibleServer|MySqlFlexibleServer|PostgreSqlServer|MySqlServer|RedisCache|DnsZone|Subscription|ManagementGroup)$/;
/** Verbs whose state-changing effect only hurts availability. */
const DISRUPT_VERBS = new Set(['stop', 'restart', 'suspend']);

/** Splits a script into statements at `;`, `|` and newlines outside quotes and braces. */
function statements(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (quote) {
      cur += c;
      if (c === '`' && i + 1 < script.length) cur += script[++i];
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === '{' || c === '(') depth++;
    if (c === '}' || c === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (c === ';' || c === '|' || c === '\n')) {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Words of one statement, quotes removed (PowerShell quoting is close enough for names and paths). */
function words(statement: string): string[] {
  const out: string[] = [];
  for (const m of statement.matchAll(/"((?:[^"`]|`.)*)"|'((?:[^']|'')*)'|(\S+)/g))
    out.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/''/g, "'") : (m[3] as string)));
  return out;
}

function judgeCmdlet(command: SimpleCommand, text: string, context: ToolContext): ToolResult {
  const w = words(text);
  const name = w[0] ?? '';
  const args = w.slice(1);
  const cmdlet = /^([A-Za-z]+)-([A-Za-z0-9]+)$/.exec(name);
  if (!cmdlet) {
    if (/^(iex|Invoke-Expression|&|\.)$/i.test(name) || /^\$/.test(name))
      return unknownResult(command, `PowerShell runs ${name}, not known before run time`);
    if (READ_ALIASES.has(name.toLowerCase())) return readOnly(command, `PowerShell ${name} only reads`);
    if (/^(rm|del|rd|rmdir|ri|erase)$/i.test(name)) return removeItem(command, args, context);
    // A native command (`kubectl …`, `az …`): its own grammar judges it.
    return context.classifyScript(text);
  }
  const verb = (cmdlet[1] as string).toLowerCase();
  const noun = cmdlet[2] as string;
  const flags = new Set(args.filter((a) => a.startsWith('-')).map((a) => a.toLowerCase()));
  const az = /^Az[A-Z]/.test(noun);
  const kind = az ? 'azure' : 'shell';
  if (flags.has('-whatif')) return readOnly(command, `${name} -WhatIf executes nothing`, kind);
  const effect = (risk: RiskClass, scope: Scope, reason: string, disruptive = false): ToolResult =>
    single(kind, command, {
      verb: risk === 'read' ? 'read' : risk === 'write' ? 'modify' : 'delete',
      resource: `${name} ${args.filter((a) => !a.startsWith('-')).join(' ')}`.trim(),
      scope,
      reversible: risk === 'read' || risk === 'write',
      risk,
      reason,
      disruptive,
    });
  if (verb === 'invoke') {
    if (/^(Expression|Command)$/i.test(noun)) return unknownResult(command, `${name} runs code not known here`);
    if (/^(RestMethod|WebRequest)$/i.test(noun)) {
      const method = args[args.findIndex((a) => /^-method$/i.test(a)) + 1] ?? 'GET';
      return /^delete$/i.test(method)
        ? effect('destructive', 'resource', `${name} sends DELETE`)
        : /^(get|head|options)$/i.test(method)
          ? effect('read', 'none', `${name} only fetches`)
          : effect('write', 'resource', `${name} sends ${method}`);
    }
    return unknownResult(command, `${name} is not known here`);
  }
  if (name.toLowerCase() === 'remove-item') return removeItem(command, args, context);
  if (/^(Format-Volume|Clear-Disk|Initialize-Disk|Remove-Partition)$/i.test(name))
    return effect('catastrophic', 'disk', `${name} erases a whole disk or volume`);
  if (READ_VERBS.has(verb)) return effect('read', 'none', `${name} only reads`);
  if (DELETE_VERBS.has(verb)) {
    if (az && AZ_WHOLE.test(noun.slice(2)))
      return effect('catastrophic', 'project', `${name} deletes a whole ${noun.slice(2)} and everything in it`);
    return effect('destructive', 'resource', `${name} deletes state that cannot be recovered`);
  }
  if (WRITE_VERBS.has(verb)) return effect('write', 'resource', `${name} changes state reversibly`, DISRUPT_VERBS.has(verb));
  return unknownResult(command, `no grammar for the cmdlet ${name}`);
}

const READ_ALIASES = new Set([
  'ls',
  'dir',
  'gci',
  'cat',
  'type',
  'gc',
  'echo',
  'write',
  'pwd',
  'gl',
  'select',
  'where',
  '?',
  '%',
  'foreach',
  'sort',
  'ft',
  'fl',
  'measure',
  'hostname',
  'whoami',
]);

/** `Remove-Item PATH [-Recurse] [-Force]`: judged like `rm [-r] -f PATH`. */
function removeItem(command: SimpleCommand, args: readonly string[], context: ToolContext): ToolResult {
  const recurse = args.some((a) => /^-r(ecurse)?$/i.test(a));
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (/^-(path|literalpath)$/i.test(a)) {
      if (args[i + 1] !== undefined) paths.push(...(args[i + 1] as string).split(','));
      i++;
    } else if (/^-(include|exclude|filter|stream)$/i.test(a)) i++;
    else if (!a.startsWith('-')) paths.push(...a.split(','));
  }
  if (paths.length === 0) return unknownResult(command, 'Remove-Item of a path not given');
  const mapped: Word[] = paths.map((p) => ({
    text: p.replace(/^\$env:USERPROFILE|^\$HOME/i, '~').replace(/\\/g, '/'),
    dynamic: /^\$(?!HOME)/.test(p),
    glob: /[*?]/.test(p),
  }));
  return context.classifyArgv([literalWord('rm'), literalWord(recurse ? '-rf' : '-f'), literalWord('--'), ...mapped]);
}

/** `pwsh`/`powershell`: `-Command`/`-c` script (or the rest of the line), `-EncodedCommand` (base64 UTF-16LE), `-File`. */
const powershell: ToolRule = (command, context) => {
  const args = command.args;
  for (let i = 0; i < args.length; i++) {
    const t = (args[i] as Word).text;
    const lower = t.toLowerCase();
    if (/^-(c|command)$/.test(lower) || !t.startsWith('-')) {
      const rest = /^-/.test(t) ? args.slice(i + 1) : args.slice(i);
      if (rest.length === 0) return readOnly(command, 'no command');
      if (/^-/.test(t) === false && /\.ps1$/i.test(t)) return unknownResult(command, `runs the script ${t}, which is not visible here`);
      if (rest.some((w) => w.dynamic))
        return { ...unknownResult(command, 'a PowerShell command not known before run time'), obfuscated: true };
      return runScript(command, rest.map((w) => w.text).join(' '), context, 'PowerShell -Command');
    }
    if (/^-(e|ec|enc|encodedcommand)$/.test(lower)) {
      const payload = args[i + 1];
      if (!payload || payload.dynamic)
        return { ...unknownResult(command, 'an encoded command not known before run time'), obfuscated: true };
      const text = Buffer.from(payload.text, 'base64').toString('utf16le');
      return runScript(command, text, context, 'PowerShell -EncodedCommand (decoded)');
    }
    if (/^-(f|file)$/.test(lower)) return unknownResult(command, `runs the script ${args[i + 1]?.text ?? ''}, which is not visible here`);
    if (/^-(executionpolicy|ep|workingdirectory|wd|outputformat|of|inputformat|if|windowstyle|w|configurationname|version|v)$/.test(lower))
      i++;
  }
  return unknownResult(command, 'an interactive PowerShell');
};

function runScript(command: SimpleCommand, script: string, context: ToolContext, layer: string): ToolResult {
  const all = statements(script);
  const parts = all.slice(0, 32);
  if (parts.length === 0) return obfuscate(readOnly(command, 'an empty PowerShell script'), layer);
  const results = parts.map((p) => judgeCmdlet(command, p, context));
  if (all.length > parts.length) results.push(unknownResult(command, 'too many commands to judge'));
  return obfuscate(mergeResults(results), `unwrapped ${layer}`);
}

/** PowerShell grammars by command name. */
export const powershellRules: ToolRuleTable = {
  pwsh: powershell,
  powershell,
  'powershell.exe': powershell,
  'pwsh.exe': powershell,
};
