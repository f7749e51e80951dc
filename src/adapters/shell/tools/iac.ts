/**
 * Grammars for infrastructure-as-code CLIs: terraform, tofu, terragrunt (incl. run-all), pulumi,
 * cdk, cdktf. kind `terraform`; targets `{type: 'terraform', workspace, dir}`. Classes follow
 * RISK.md: plans read, prompting applies write, unreviewed applies destructive, destroys
 * without a target catastrophic.
 */
import type { Effect, RiskClass, Scope, Target } from '../../../core/assessment.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRuleTable, Word } from '../tool-rule.js';
import {
  type FlagSpec,
  type ParsedArgs,
  effect,
  envOf,
  flagOn,
  flagValue,
  flagValues,
  isHelp,
  parseArgs,
  result,
  safeRule,
  unknownEffect,
  wordsText,
} from './infra-common.js';

const TF_VALUED = [
  'chdir',
  'target',
  'replace',
  'var',
  'var-file',
  'out',
  'state',
  'state-out',
  'backup',
  'lock-timeout',
  'parallelism',
  'plugin-dir',
  'backend-config',
  'from-module',
  'generate-config-out',
  'provider',
  'json-into',
  'filter',
  'test-directory',
  'platform',
  'fs-mirror',
  'net-mirror',
  'type',
  'module-dir',
];

const TERRAFORM_SPEC: FlagSpec = {
  valued: new Set(TF_VALUED),
  singleDashLong: true,
};

const TERRAGRUNT_SPEC: FlagSpec = {
  valued: new Set([
    ...TF_VALUED,
    'terragrunt-working-dir',
    'terragrunt-config',
    'terragrunt-include-dir',
    'terragrunt-exclude-dir',
    'terragrunt-iam-role',
    'terragrunt-source',
    'terragrunt-download-dir',
    'terragrunt-tfpath',
    'terragrunt-log-level',
    'terragrunt-parallelism',
    'working-dir',
    'config',
    'queue-include-dir',
    'queue-exclude-dir',
    'log-level',
    'tf-path',
    'source',
    'iam-assume-role',
    'download-dir',
    'queue-include-external',
    'units-that-include',
    'filter',
    'log-format',
  ]),
  singleDashLong: true,
};

const PULUMI_SPEC: FlagSpec = {
  valued: new Set([
    'stack',
    'cwd',
    'target',
    'replace',
    'target-replace',
    'message',
    'config',
    'config-file',
    'parallel',
    'plan',
    'exclude',
    'color',
    'verbose',
    'secrets-provider',
    'tracing',
    'profiling',
    'policy-pack',
    'policy-pack-config',
    'save-plan',
    'import-file',
    'file',
    'from',
    'org',
    'name',
    'description',
    'import-file',
    'path',
    'type',
  ]),
  short: {
    s: 'stack',
    C: 'cwd',
    m: 'message',
    c: 'config',
    p: 'parallel',
    v: 'verbose',
    y: 'yes',
    f: 'skip-preview',
    h: 'help',
    t: 'target',
  },
};

const CDK_SPEC: FlagSpec = {
  valued: new Set([
    'app',
    'context',
    'profile',
    'require-approval',
    'output',
    'parameters',
    'tags',
    'toolkit-stack-name',
    'role-arn',
    'method',
    'change-set-name',
    'outputs-file',
    'concurrency',
    'asset-parallelism',
    'build-exclude',
    'notification-arns',
    'progress',
    'plugin',
    'language',
    'var',
    'var-file',
    'parallelism',
    'stack',
    'region',
    'ca-bundle-path',
    'import-existing-resources',
  ]),
  short: {
    a: 'app',
    c: 'context',
    o: 'output',
    r: 'role-arn',
    m: 'method',
    O: 'outputs-file',
    E: 'build-exclude',
    f: 'force',
    h: 'help',
    e: 'exclusively',
  },
};

function words(texts: readonly string[]): Word[] {
  return texts.map((text) => ({ text, dynamic: text.includes('$'), glob: false }));
}

/** `TF_CLI_ARGS` and `TF_CLI_ARGS_<cmd>` inject flags (e.g. `-auto-approve`) without showing them. */
function tfCliArgs(command: SimpleCommand, context: ToolContext, sub: string): Word[] {
  const extra: string[] = [];
  for (const name of ['TF_CLI_ARGS', `TF_CLI_ARGS_${sub.replace(/-/g, '_')}`]) {
    const v = envOf(command, context, name);
    if (v !== undefined) extra.push(...v.split(/\s+/).filter((t) => t !== ''));
  }
  return words(extra);
}

function tfTarget(p: ParsedArgs, command: SimpleCommand, context: ToolContext, dirFlags: readonly string[], workspace?: string): Target {
  const target: { type: 'terraform'; workspace?: string; dir?: string } = { type: 'terraform' };
  const ws = workspace ?? envOf(command, context, 'TF_WORKSPACE');
  if (ws !== undefined && ws !== '') target.workspace = ws;
  const dir = flagValue(p, ...dirFlags);
  if (dir !== undefined && dir !== '') target.dir = dir;
  return target;
}

function out(targets: readonly Target[], effects: readonly Effect[], reasons?: readonly string[]): ToolResult {
  return result('terraform', effects, targets, reasons);
}

/**
 * Resource types that are a whole data store, cluster or filesystem: replacing one destroys it with
 * everything it holds (RISK.md "replacing the production DB"; the resource's name never matters).
 * Matched against the normalised type: `aws_db_instance`, or a Pulumi token such as
 * `aws:rds/instance:Instance` read as `aws_rds_instance`.
 */
const WHOLE_STORE_TYPE = new RegExp(
  '(^|_)(' +
    [
      'db_instance',
      'rds_instance',
      'rds_cluster',
      'rds_global_cluster',
      'docdb_cluster',
      'neptune_cluster',
      'redshift_cluster',
      'elasticache_cluster',
      'elasticache_replication_group',
      'memorydb_cluster',
      'opensearch_domain',
      'elasticsearch_domain',
      'sql_database_instance',
      'sql_database',
      'spanner_instance',
      'spanner_database',
      'bigtable_instance',
      'redis_instance',
      'redis_cache',
      'alloydb_cluster',
      'firestore_database',
      'bigquery_dataset',
      'cosmosdb_account',
      '(postgresql|mysql|mariadb|mssql)(_flexible)?_(server|database)',
      'sql_server',
      'efs_file_system',
      'filestore_instance',
      's3_bucket',
      'storage_bucket',
      'storage_account',
      'eks_cluster',
      'container_cluster',
      'kubernetes_cluster',
      'route53_zone',
      'dns_managed_zone',
      'dns_zone',
      'backup_vault',
    ].join('|') +
    ')$',
);

/** The resource type of a terraform address (`module.db.aws_db_instance.main[0]`) or a Pulumi URN, normalised. */
export function resourceTypeOf(address: string): string | undefined {
  const text = address.trim().replace(/^"|"$/g, '');
  if (text.startsWith('urn:pulumi:')) {
    const fields = text.split('::');
    const token = fields[2]?.split('$').pop();
    if (token === undefined) return undefined;
    const m = /^([\w-]+):([\w-]+)(?:\/[\w-]+)?:(\w+)$/.exec(token);
    if (!m) return undefined;
    const snake = m[3]!.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    return `${m[1]!.toLowerCase()}_${m[2]!.toLowerCase()}_${snake}`.replace(/-/g, '_');
  }
  const segments = text.replace(/\[[^\]]*\]/g, '').split('.');
  while (segments[0] === 'module' && segments.length > 2) segments.splice(0, 2);
  if (segments[0] === 'data' || segments.length < 2) return undefined;
  return segments[0]!.toLowerCase();
}

/** True when replacing this address destroys a whole data store, cluster or filesystem. */
export function replacesWholeStore(address: string): boolean {
  const type = resourceTypeOf(address);
  return type !== undefined && WHOLE_STORE_TYPE.test(type);
}

function replaceJudgement(replace: readonly string[], flag: string): TfJudgement {
  const whole = replace.filter(replacesWholeStore);
  if (whole.length > 0) {
    return {
      risk: 'catastrophic',
      verb: 'replace',
      scope: 'database',
      reason: `${flag} destroys and recreates ${whole.join(', ')}: a whole data store, cluster or filesystem and everything in it`,
      resource: replace.join(', '),
    };
  }
  return {
    risk: 'destructive',
    verb: 'replace',
    scope: 'resource',
    reason: `${flag} destroys and recreates ${replace.join(', ')}`,
    resource: replace.join(', '),
  };
}

/** Shared judgement of a terraform-family subcommand once flags are known. */
interface TfJudgement {
  readonly risk: RiskClass;
  readonly verb: Effect['verb'];
  readonly scope: Scope;
  readonly reason: string;
  readonly resource: string;
}

const TF_READ = new Set([
  'plan',
  'show',
  'validate',
  'output',
  'version',
  'providers',
  'graph',
  'get',
  'console',
  'metadata',
  'modules',
  'help',
  'init',
  'render-json',
  'graph-dependencies',
  'output-module-groups',
  'validate-inputs',
  'hclvalidate',
  'terragrunt-info',
  'info',
  'find',
  'list',
  'dag',
  'hcl',
  'render',
]);

function judgeTerraform(sub: string, p: ParsedArgs, operands: readonly Word[], unattended: boolean, tool: string): TfJudgement {
  const targets = flagValues(p, 'target');
  const targeted = targets.length > 0;
  const what = targeted ? `targets ${targets.join(', ')}` : 'the whole configuration';
  switch (sub) {
    case 'init':
      if (flagOn(p, 'upgrade'))
        return {
          risk: 'write',
          verb: 'modify',
          scope: 'resource',
          reason: 'init -upgrade changes resolved provider versions (lock file)',
          resource: '.terraform.lock.hcl',
        };
      if (flagOn(p, 'migrate-state', 'force-copy'))
        return {
          risk: 'write',
          verb: 'modify',
          scope: 'project',
          reason: 'init -migrate-state copies state to another backend',
          resource: 'state',
        };
      return {
        risk: 'read',
        verb: 'read',
        scope: 'none',
        reason: 'init downloads providers and modules into .terraform',
        resource: '.terraform',
      };
    case 'providers': {
      const action = operands[0]?.text;
      if (action === 'lock')
        return {
          risk: 'write',
          verb: 'modify',
          scope: 'resource',
          reason: 'providers lock rewrites the lock file',
          resource: '.terraform.lock.hcl',
        };
      return { risk: 'read', verb: 'read', scope: 'none', reason: `${tool} providers only reads`, resource: 'providers' };
    }
    case 'fmt':
      if (flagOn(p, 'check') || (flagOn(p, 'diff') && !flagOn(p, 'write')) || flagValue(p, 'write') === 'false') {
        return { risk: 'read', verb: 'read', scope: 'none', reason: 'fmt -check only reads', resource: 'configuration' };
      }
      return {
        risk: 'write',
        verb: 'modify',
        scope: 'directory',
        reason: 'fmt rewrites tracked configuration files',
        resource: 'configuration',
      };
    case 'hclfmt':
      return flagOn(p, 'check', 'terragrunt-check')
        ? { risk: 'read', verb: 'read', scope: 'none', reason: 'hclfmt --check only reads', resource: 'configuration' }
        : { risk: 'write', verb: 'modify', scope: 'directory', reason: 'hclfmt rewrites tracked files', resource: 'configuration' };
    case 'apply': {
      if (flagOn(p, 'destroy')) {
        return targeted
          ? {
              risk: 'destructive',
              verb: 'delete',
              scope: 'selection',
              reason: `apply -destroy -target destroys ${targets.join(', ')}`,
              resource: what,
            }
          : {
              risk: 'catastrophic',
              verb: 'delete',
              scope: 'project',
              reason: 'apply -destroy destroys every resource in the state',
              resource: what,
            };
      }
      const planFile = operands[0];
      if (planFile !== undefined) {
        return {
          risk: 'write',
          verb: 'modify',
          scope: 'project',
          reason: `applies the saved plan ${planFile.text}`,
          resource: `plan ${planFile.text}`,
        };
      }
      if (flagOn(p, 'refresh-only') && !flagOn(p, 'auto-approve'))
        return { risk: 'write', verb: 'modify', scope: 'project', reason: 'apply -refresh-only updates state only', resource: 'state' };
      const replace = flagValues(p, 'replace');
      if (replace.length > 0) return replaceJudgement(replace, '-replace');
      if (unattended)
        return {
          risk: 'destructive',
          verb: 'modify',
          scope: targeted ? 'selection' : 'project',
          reason: `${tool} apply without a reviewed plan and without a prompt (auto-approve)`,
          resource: what,
        };
      return {
        risk: 'write',
        verb: 'modify',
        scope: targeted ? 'selection' : 'project',
        reason: `${tool} apply prompts for approval after showing the plan`,
        resource: what,
      };
    }
    case 'destroy':
      return targeted
        ? { risk: 'destructive', verb: 'delete', scope: 'selection', reason: `targeted destroy of ${targets.join(', ')}`, resource: what }
        : {
            risk: 'catastrophic',
            verb: 'delete',
            scope: 'project',
            reason: `${tool} destroy with no target destroys every resource`,
            resource: what,
          };
    case 'taint':
      return {
        risk: 'destructive',
        verb: 'replace',
        scope: 'resource',
        reason: 'taint forces the resource to be destroyed and recreated',
        resource: wordsText(operands),
      };
    case 'untaint':
      return {
        risk: 'write',
        verb: 'modify',
        scope: 'resource',
        reason: 'untaint only changes state metadata',
        resource: wordsText(operands),
      };
    case 'force-unlock':
      return {
        risk: 'destructive',
        verb: 'modify',
        scope: 'project',
        reason: 'force-unlock can let concurrent runs corrupt state',
        resource: `lock ${wordsText(operands)}`,
      };
    case 'import':
      return { risk: 'write', verb: 'modify', scope: 'resource', reason: 'import adds a resource to state', resource: wordsText(operands) };
    case 'refresh':
      return {
        risk: 'write',
        verb: 'modify',
        scope: 'project',
        reason: 'refresh rewrites state from real infrastructure',
        resource: 'state',
      };
    case 'test':
      return {
        risk: 'write',
        verb: 'execute',
        scope: 'project',
        reason: 'test creates and destroys its own real resources',
        resource: 'test run',
      };
    case 'login':
    case 'logout':
      return { risk: 'write', verb: 'modify', scope: 'resource', reason: `${sub} changes local credentials`, resource: 'credentials' };
    case 'state': {
      const action = operands[0]?.text ?? '';
      const addr = wordsText(operands.slice(1));
      if (action === 'list' || action === 'show' || action === 'pull' || action === '')
        return { risk: 'read', verb: 'read', scope: 'none', reason: `state ${action} only reads`, resource: 'state' };
      if (action === 'rm' || action === 'mv')
        return {
          risk: 'destructive',
          verb: action === 'rm' ? 'delete' : 'modify',
          scope: 'resource',
          reason: `state ${action} changes what ${tool} manages; wrong moves orphan or destroy resources`,
          resource: `state ${addr}`,
        };
      if (action === 'push') {
        return flagOn(p, 'force')
          ? {
              risk: 'destructive',
              verb: 'replace',
              scope: 'project',
              reason: 'state push -force overwrites remote state',
              resource: 'state',
            }
          : { risk: 'write', verb: 'replace', scope: 'project', reason: 'state push (lineage and serial checked)', resource: 'state' };
      }
      if (action === 'replace-provider')
        return {
          risk: 'write',
          verb: 'modify',
          scope: 'project',
          reason: 'state replace-provider rewrites provider addresses',
          resource: 'state',
        };
      return {
        risk: 'unknown',
        verb: 'execute',
        scope: 'unknown',
        reason: `${tool} state ${action}: unknown subcommand`,
        resource: `state ${action}`,
      };
    }
    case 'workspace':
    case 'env': {
      const action = operands[0]?.text ?? '';
      const name = operands[1]?.text ?? '';
      if (action === 'list' || action === 'show' || action === '')
        return { risk: 'read', verb: 'read', scope: 'none', reason: `workspace ${action} only reads`, resource: 'workspaces' };
      if (action === 'select')
        return {
          risk: 'read',
          verb: 'read',
          scope: 'none',
          reason: 'workspace select changes only the local .terraform selection',
          resource: `workspace ${name}`,
        };
      if (action === 'new')
        return { risk: 'write', verb: 'create', scope: 'resource', reason: 'creates a workspace', resource: `workspace ${name}` };
      if (action === 'delete')
        return {
          risk: 'destructive',
          verb: 'delete',
          scope: 'project',
          reason: "workspace delete drops that workspace's state",
          resource: `workspace ${name}`,
        };
      return {
        risk: 'unknown',
        verb: 'execute',
        scope: 'unknown',
        reason: `${tool} workspace ${action}: unknown subcommand`,
        resource: `workspace ${action}`,
      };
    }
    default:
      if (TF_READ.has(sub))
        return { risk: 'read', verb: 'read', scope: 'none', reason: `${tool} ${sub} changes no infrastructure`, resource: sub };
      return { risk: 'unknown', verb: 'execute', scope: 'unknown', reason: `${tool} ${sub}: unknown subcommand`, resource: sub };
  }
}

function toEffect(command: SimpleCommand, j: TfJudgement): Effect {
  return effect(command, j.verb, j.resource, j.scope, j.risk, j.reason);
}

function terraformRule(command: SimpleCommand, context: ToolContext): ToolResult {
  let p = parseArgs(command.args, TERRAFORM_SPEC);
  const tool = command.name;
  const sub0 = p.positionals[0];
  if (isHelp(p) || (flagOn(p, 'version') && sub0 === undefined)) {
    return out([tfTarget(p, command, context, ['chdir'])], [effect(command, 'read', tool, 'none', 'read', `${tool} help or version`)]);
  }
  if (sub0 === undefined)
    return out([tfTarget(p, command, context, ['chdir'])], [effect(command, 'read', tool, 'none', 'read', `${tool} usage`)]);
  if (sub0.dynamic)
    return out(
      [tfTarget(p, command, context, ['chdir'])],
      [unknownEffect(command, tool, `${tool}: subcommand ${sub0.text} unknown until run time`)],
    );
  const extra = tfCliArgs(command, context, sub0.text);
  const reasons: string[] = [];
  if (extra.length > 0) {
    p = parseArgs([...command.args, ...extra], TERRAFORM_SPEC);
    reasons.push(`TF_CLI_ARGS adds: ${wordsText(extra)}`);
  }
  const unattended = flagOn(p, 'auto-approve');
  const j = judgeTerraform(sub0.text, p, p.positionals.slice(1), unattended, tool);
  return out([tfTarget(p, command, context, ['chdir'])], [toEffect(command, j)], reasons);
}

// ---------------------------------------------------------------- terragrunt

function terragruntRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p0 = parseArgs(command.args, TERRAGRUNT_SPEC);
  const dirFlags = ['terragrunt-working-dir', 'working-dir'];
  const target = (q: ParsedArgs): Target => tfTarget(q, command, context, dirFlags);
  if (isHelp(p0)) return out([target(p0)], [effect(command, 'read', 'terragrunt', 'none', 'read', 'terragrunt help')]);
  let pos = p0.positionals;
  let all = flagOn(p0, 'all') || flagOn(p0, 'terragrunt-run-all');
  let p = p0;
  let baseArgs: readonly Word[] = command.args;
  if (pos[0]?.text === 'run-all') {
    all = true;
    pos = pos.slice(1);
  } else if (pos[0]?.text === 'run' || (pos[0]?.text === 'stack' && pos[1]?.text === 'run')) {
    const skip = pos[0].text === 'stack' ? 2 : 1;
    if (skip === 2) all = true;
    if (p0.rest !== undefined) {
      // `terragrunt run --all -- apply -auto-approve`: the terraform command follows `--`.
      const idx = command.args.findIndex((w) => w.text === '--');
      baseArgs = [...command.args.slice(0, idx), ...command.args.slice(idx + 1)];
      p = parseArgs(baseArgs, TERRAGRUNT_SPEC);
    }
    pos = p.positionals.slice(skip);
  }
  const sub = pos[0];
  if (sub === undefined) return out([target(p)], [effect(command, 'read', 'terragrunt', 'none', 'read', 'terragrunt usage')]);
  if (sub.dynamic)
    return out([target(p)], [unknownEffect(command, 'terragrunt', `terragrunt: subcommand ${sub.text} unknown until run time`)]);
  const extra = tfCliArgs(command, context, sub.text);
  const reasons: string[] = [];
  if (extra.length > 0) {
    p = parseArgs([...baseArgs, ...extra], TERRAGRUNT_SPEC);
    reasons.push(`TF_CLI_ARGS adds: ${wordsText(extra)}`);
  }
  const nonInteractive =
    flagOn(p, 'terragrunt-non-interactive', 'non-interactive') ||
    /^(1|true)$/i.test(envOf(command, context, 'TERRAGRUNT_NON_INTERACTIVE', 'TG_NON_INTERACTIVE') ?? '');
  // run-all asks once for the whole stack, then auto-approves each unit; -auto-approve or
  // non-interactive mode removes that single prompt.
  const unattended = flagOn(p, 'auto-approve') || nonInteractive;
  if (sub.text === 'catalog' || sub.text === 'scaffold') {
    return out(
      [target(p)],
      [effect(command, 'create', sub.text, 'resource', 'write', `terragrunt ${sub.text} writes configuration files`)],
    );
  }
  const j = judgeTerraform(sub.text, p, pos.slice(1), unattended, all ? 'terragrunt run-all' : 'terragrunt');
  const widened: TfJudgement =
    all && j.risk !== 'read' && j.scope !== 'unknown' ? { ...j, scope: 'project', resource: `every unit: ${j.resource}` } : j;
  if (all) reasons.push('runs in every unit under the working directory');
  return out([target(p)], [toEffect(command, widened)], reasons);
}

// ---------------------------------------------------------------- pulumi

function pulumiRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, PULUMI_SPEC);
  const stack = flagValue(p, 'stack') ?? envOf(command, context, 'PULUMI_STACK');
  const target = tfTarget(p, command, context, ['cwd'], stack ?? '');
  const t = [target];
  const mk = (risk: RiskClass, verb: Effect['verb'], resource: string, scope: Scope, reason: string): ToolResult =>
    out(t, [effect(command, verb, resource, scope, risk, reason)]);
  if (isHelp(p)) return mk('read', 'read', 'pulumi', 'none', 'pulumi help');
  const sub = p.positionals[0]?.text ?? '';
  const operands = p.positionals.slice(1);
  const yes = flagOn(p, 'yes') || /^(1|true)$/i.test(envOf(command, context, 'PULUMI_SKIP_CONFIRMATIONS') ?? '');
  const targets = flagValues(p, 'target');
  const stackName = stack ?? 'current stack';
  switch (sub) {
    case '':
    case 'version':
    case 'about':
    case 'whoami':
    case 'preview':
    case 'pre':
    case 'logs':
    case 'console':
    case 'gen-completion':
    case 'completion':
    case 'schema':
      return mk('read', 'read', stackName, 'none', `pulumi ${sub || 'usage'} changes nothing`);
    case 'up':
    case 'update': {
      if (flagOn(p, 'preview-only')) return mk('read', 'read', stackName, 'none', 'preview only');
      const replace = [...flagValues(p, 'replace'), ...flagValues(p, 'target-replace')];
      if (replace.length > 0) {
        const r = replaceJudgement(replace, '--replace');
        return mk(r.risk, r.verb, r.resource, r.scope, r.reason);
      }
      if (flagValue(p, 'plan') !== undefined) return mk('write', 'modify', stackName, 'project', 'applies a saved plan');
      if (yes)
        return mk(
          'destructive',
          'modify',
          stackName,
          targets.length > 0 ? 'selection' : 'project',
          'pulumi up --yes applies without a reviewed preview',
        );
      return mk(
        'write',
        'modify',
        stackName,
        targets.length > 0 ? 'selection' : 'project',
        'pulumi up shows a preview and asks for confirmation',
      );
    }
    case 'destroy':
    case 'down':
      if (flagOn(p, 'preview-only')) return mk('read', 'read', stackName, 'none', 'preview only');
      if (targets.length > 0) return mk('destructive', 'delete', targets.join(', '), 'selection', 'targeted destroy');
      return mk('catastrophic', 'delete', stackName, 'project', 'pulumi destroy deletes every resource of the stack');
    case 'refresh':
      if (flagOn(p, 'preview-only')) return mk('read', 'read', stackName, 'none', 'preview only');
      return mk('write', 'modify', `state of ${stackName}`, 'project', 'refresh rewrites state from real infrastructure');
    case 'watch':
      return mk('destructive', 'modify', stackName, 'project', 'watch deploys every change without confirmation');
    case 'import':
      return mk('write', 'modify', wordsText(operands), 'resource', 'imports a resource into state');
    case 'cancel':
      return mk('write', 'modify', stackName, 'project', 'cancels a running update');
    case 'new':
    case 'install':
    case 'login':
    case 'logout':
    case 'org':
    case 'policy':
    case 'plugin':
      return operands[0]?.text === 'ls' || operands[0]?.text === 'list' || operands[0]?.text === 'get-default'
        ? mk('read', 'read', sub, 'none', `pulumi ${sub} ls`)
        : mk('write', 'modify', sub, 'resource', `pulumi ${sub} changes local or org settings`);
    case 'config': {
      const action = operands[0]?.text ?? '';
      if (action === '' || action === 'get' || (action === 'env' && operands[1]?.text === 'ls'))
        return mk('read', 'read', 'config', 'none', 'reads stack config');
      return mk(
        'write',
        'modify',
        `config ${wordsText(operands.slice(1))}`.trim(),
        'resource',
        `config ${action} changes stack configuration`,
      );
    }
    case 'stack': {
      const action = operands[0]?.text ?? '';
      if (
        /^(|ls|output|export|history|graph|select|tag|change-secrets-provider)$/.test(action) &&
        !(action === 'tag' && operands[1]?.text !== 'ls' && operands[1]?.text !== 'get')
      ) {
        return mk('read', 'read', stackName, 'none', `stack ${action} only reads (or selects locally)`);
      }
      if (action === 'init' || action === 'rename' || action === 'tag')
        return mk('write', 'modify', stackName, 'resource', `stack ${action}`);
      if (action === 'rm' || action === 'remove') {
        const name = operands[1]?.text ?? stackName;
        return mk(
          'destructive',
          'delete',
          `stack ${name}`,
          'project',
          flagOn(p, 'force')
            ? 'stack rm --force drops the state of a stack that still has resources'
            : "stack rm deletes the stack's state, config and history",
        );
      }
      if (action === 'import')
        return flagOn(p, 'force')
          ? mk('destructive', 'replace', `state of ${stackName}`, 'project', 'stack import --force overwrites state')
          : mk('write', 'replace', `state of ${stackName}`, 'project', 'stack import replaces state');
      if (action === 'unselect') return mk('read', 'read', stackName, 'none', 'stack unselect is local');
      return out(t, [unknownEffect(command, `stack ${action}`, `pulumi stack ${action}: unknown subcommand`)]);
    }
    case 'state': {
      const action = operands[0]?.text ?? '';
      if (action === 'delete' || action === 'move')
        return mk(
          'destructive',
          action === 'delete' ? 'delete' : 'modify',
          `state ${wordsText(operands.slice(1))}`,
          'resource',
          `state ${action} changes what pulumi manages`,
        );
      if (
        action === 'unprotect' ||
        action === 'rename' ||
        action === 'edit' ||
        action === 'protect' ||
        action === 'repair' ||
        action === 'upgrade'
      )
        return mk('write', 'modify', `state ${wordsText(operands.slice(1))}`, 'resource', `state ${action}`);
      return out(t, [unknownEffect(command, `state ${action}`, `pulumi state ${action}: unknown subcommand`)]);
    }
    default:
      return out(t, [unknownEffect(command, `pulumi ${sub}`, `pulumi ${sub}: unknown subcommand`)]);
  }
}

// ---------------------------------------------------------------- cdk, cdktf

function cdkRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, CDK_SPEC);
  const tool = command.name;
  const targets: Target[] = [tfTarget(p, command, context, ['app'])];
  const profile = flagValue(p, 'profile');
  if (profile !== undefined) targets.push({ type: 'aws', profile });
  const mk = (risk: RiskClass, verb: Effect['verb'], resource: string, scope: Scope, reason: string): ToolResult =>
    out(targets, [effect(command, verb, resource, scope, risk, reason)]);
  if (isHelp(p)) return mk('read', 'read', tool, 'none', `${tool} help`);
  const sub = p.positionals[0]?.text ?? '';
  const stacks = p.positionals.slice(1);
  const stackText = stacks.length > 0 ? `stacks ${wordsText(stacks)}` : flagOn(p, 'all') ? 'all stacks' : "the app's stacks";
  switch (sub) {
    case '':
    case 'synth':
    case 'synthesize':
    case 'diff':
    case 'ls':
    case 'list':
    case 'doctor':
    case 'docs':
    case 'doc':
    case 'metadata':
    case 'notices':
    case 'acknowledge':
    case 'ack':
    case 'output':
    case 'outputs':
    case 'get':
    case 'drift':
    case 'plan':
    case 'version':
    case 'debug':
      return mk('read', 'read', stackText, 'none', `${tool} ${sub || 'usage'} deploys nothing`);
    case 'context':
      return flagOn(p, 'reset', 'clear')
        ? mk('write', 'modify', 'cdk.context.json', 'resource', 'resets cached context')
        : mk('read', 'read', 'context', 'none', 'lists cached context');
    case 'deploy':
    case 'apply': {
      const method = flagValue(p, 'method');
      if (method === 'prepare-change-set' || flagValue(p, 'execute') === 'false' || flagOn(p, 'no-execute'))
        return mk('read', 'read', stackText, 'none', 'prepares a change set without executing it');
      const never = flagValue(p, 'require-approval') === 'never';
      if (tool === 'cdktf') {
        return flagOn(p, 'auto-approve')
          ? mk('destructive', 'modify', stackText, 'project', 'cdktf deploy --auto-approve applies without a reviewed plan')
          : mk('write', 'modify', stackText, 'project', 'cdktf deploy asks for approval');
      }
      return never
        ? mk('destructive', 'modify', stackText, 'project', 'cdk deploy --require-approval never skips review of security changes')
        : mk('write', 'modify', stackText, 'project', 'cdk deploy with default approval');
    }
    case 'watch':
      return tool === 'cdktf' && flagOn(p, 'auto-approve')
        ? mk('destructive', 'modify', stackText, 'project', 'watch --auto-approve deploys every change')
        : mk('write', 'modify', stackText, 'project', `${tool} watch deploys changes`);
    case 'destroy':
      return mk('catastrophic', 'delete', stackText, 'project', `${tool} destroy deletes every resource of the stack`);
    case 'bootstrap':
    case 'init':
    case 'import':
    case 'migrate':
    case 'rollback':
    case 'provider':
    case 'refactor':
    case 'convert':
    case 'login':
      return mk('write', 'modify', `${sub} ${wordsText(stacks)}`.trim(), 'resource', `${tool} ${sub}`);
    case 'gc':
      return mk(
        'destructive',
        'delete',
        'bootstrap assets',
        'account',
        'cdk gc deletes unused assets from the bootstrap bucket and repository',
      );
    default:
      return out(targets, [unknownEffect(command, `${tool} ${sub}`, `${tool} ${sub}: unknown subcommand`)]);
  }
}

/**
 * IaC grammars by command name: terraform, tofu, terragrunt, pulumi, cdk, cdktf. kind `terraform`,
 * with a terraform target (workspace, dir). `TF_CLI_ARGS*` in the environment are read as flags.
 */
export const iacRules: ToolRuleTable = {
  terraform: safeRule('terraform', terraformRule),
  tofu: safeRule('terraform', terraformRule),
  opentofu: safeRule('terraform', terraformRule),
  terragrunt: safeRule('terraform', terragruntRule),
  pulumi: safeRule('terraform', pulumiRule),
  cdk: safeRule('terraform', cdkRule),
  cdktf: safeRule('terraform', cdkRule),
};
