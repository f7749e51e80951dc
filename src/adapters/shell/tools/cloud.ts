/**
 * Grammars for cloud CLIs: aws and eksctl (kind `aws`), gcloud, gsutil and bq (kind `gcloud`),
 * az (kind `azure`). Operations are judged by explicit tables for the dangerous ones, then by
 * their verb (`describe-*` read, `delete-*` destructive, `create-*` write); anything else is
 * `unknown`. Classes follow RISK.md.
 */
import type { ActionKind, Effect, EffectVerb, RiskClass, Scope, Target } from '../../../core/assessment.js';
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
  looksEmptyDir,
  parseArgs,
  result,
  safeRule,
  unknownEffect,
  wordsText,
} from './infra-common.js';

/** A judgement before it becomes an effect. */
interface Judgement {
  readonly risk: RiskClass;
  readonly verb: EffectVerb;
  readonly scope: Scope;
  readonly reason: string;
  readonly disruptive?: boolean;
  readonly resource?: string;
}

const j = (risk: RiskClass, verb: EffectVerb, scope: Scope, reason: string, disruptive = false): Judgement => ({
  risk,
  verb,
  scope,
  reason,
  disruptive,
});

function toResult(
  command: SimpleCommand,
  kind: ActionKind,
  targets: readonly Target[],
  resource: string,
  judgement: Judgement,
  reasons?: readonly string[],
): ToolResult {
  const e: Effect = effect(command, judgement.verb, judgement.resource ?? resource, judgement.scope, judgement.risk, judgement.reason, {
    disruptive: judgement.disruptive ?? false,
  });
  return result(kind, [e], targets, reasons);
}

/** Mass operations: a run-time list or many literal ids. */
const MASS_COUNT = 5;

function countOf(values: readonly string[]): number {
  let n = 0;
  for (const v of values) n += v.split(/[\s,]+/).filter((x) => x !== '').length;
  return n;
}

/** Judgement by verb prefix, shared by aws (`delete-table`), gcloud and az (`delete`). */
function byVerb(operation: string): Judgement | undefined {
  // `admin-delete-user`, `bulk-delete`: the prefix qualifies the verb, it does not change it.
  const op = operation.replace(/^(admin|bulk)-(?=[a-z])/, '');
  if (
    /^(describe|list|get|head|lookup|search|scan|query|batch-get|select|validate|estimate|check|preview|simulate|filter|tail|show|wait|help|ls|cat|read|print|download|view|test-dns|what-if|export-template|version|info)(-|$)/.test(
      op,
    )
  ) {
    return j('read', 'read', 'none', `${op} only reads`);
  }
  if (/^(stop|reboot|restart|reset|deallocate|suspend|hibernate|failover|drain|pause)(-|$)/.test(op)) {
    return j('write', 'modify', 'resource', `${op} affects availability only`, true);
  }
  if (
    /^(terminate|delete|remove|purge|destroy|deregister|schedule-key-deletion|disable-key|batch-delete|revoke-all|rm|drop|truncate|wipe)(-|$)/.test(
      op,
    )
  ) {
    if (/^disable-key/.test(op)) return j('write', 'modify', 'resource', 'disables a key (reversible)');
    if (/^remove-(tags?|permission|role-from|user-from|targets|iam-policy-binding|attributes|labels?)/.test(op))
      return j('write', 'modify', 'resource', `${op} changes configuration`);
    return j('destructive', 'delete', 'resource', `${op} deletes state that cannot be recovered`);
  }
  if (
    /^(create|put|update|modify|tag|untag|attach|detach|associate|disassociate|start|enable|disable|register|run|authorize|revoke|invoke|publish|send|copy|restore|import|upload|set|add|reset|cancel|accept|reject|allocate|release|apply|change|execute|deploy|increase|decrease|resize|scale|patch|rotate|promote|assume|login|logout|configure|enable|submit|call|rename|move|clone|replace|upgrade|install|exec|connect|ssh|scp|sync|cp|mv|mb|resume|undelete|unarchive|archive|backup|receive|edit|activate|init|assign|grant|renew|swap|push|build|redeploy|recover|invite)(-|$)/.test(
      op,
    )
  ) {
    return j('write', op.startsWith('create') || op.startsWith('run') ? 'create' : 'modify', 'resource', `${op} changes state reversibly`);
  }
  return undefined;
}

// ---------------------------------------------------------------- aws

const AWS_SPEC: FlagSpec = {
  valued: new Set([
    'profile',
    'region',
    'output',
    'endpoint-url',
    'query',
    'cli-read-timeout',
    'cli-connect-timeout',
    'color',
    'ca-bundle',
    'cli-binary-format',
    'include',
    'exclude',
    'acl',
    'storage-class',
    'expires-in',
  ]),
  greedyUnknown: true,
  multiValue: true,
  bools: new Set([
    'debug',
    'no-verify-ssl',
    'no-paginate',
    'no-sign-request',
    'no-cli-pager',
    'cli-auto-prompt',
    'no-cli-auto-prompt',
    'recursive',
    'dryrun',
    'dry-run',
    'no-dry-run',
    'quiet',
    'force',
    'delete',
    'exact-timestamps',
    'only-show-errors',
    'no-progress',
    'follow-symlinks',
    'no-follow-symlinks',
    'size-only',
    'human-readable',
    'summarize',
    'skip-final-snapshot',
    'no-skip-final-snapshot',
    'delete-automated-backups',
    'no-delete-automated-backups',
    'force-delete-without-recovery',
    'skip-final-cluster-snapshot',
    'no-skip-final-cluster-snapshot',
    'force-delete',
    'apply-immediately',
    'no-apply-immediately',
    'help',
    'no-guess-mime-type',
    'hibernate',
    'no-retain-stacks',
    'retain-stacks',
    'no-execute-changeset',
    'no-fail-on-empty-changeset',
    'fail-on-empty-changeset',
    'bypass-governance-retention',
    'force-stop',
    'no-force-stop',
    'all',
    'no-wait',
    'include-deleted',
  ]),
};

function awsTargets(p: ParsedArgs, command: SimpleCommand, context: ToolContext): Target[] {
  const t: { type: 'aws'; profile?: string; region?: string } = { type: 'aws' };
  const profile = flagValue(p, 'profile') ?? envOf(command, context, 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE');
  if (profile !== undefined && profile !== '') t.profile = profile;
  const region = flagValue(p, 'region') ?? envOf(command, context, 'AWS_REGION', 'AWS_DEFAULT_REGION');
  if (region !== undefined && region !== '') t.region = region;
  return [t];
}

function s3Parts(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

function awsS3(op: string, p: ParsedArgs, operands: readonly Word[]): Judgement {
  const paths = operands.map((w) => w.text);
  const s3 = paths.map(s3Parts);
  const dryrun = flagOn(p, 'dryrun');
  if (op === 'ls' || op === 'presign') return j('read', 'read', 'none', `s3 ${op} only reads`);
  if (dryrun) return j('read', 'read', 'none', `s3 ${op} --dryrun executes nothing`);
  const dynamic = operands.some((w) => w.dynamic);
  switch (op) {
    case 'rm': {
      const target = s3[0];
      if (!target) return j(dynamic ? 'destructive' : 'unknown', 'delete', 'unknown', `s3 rm of ${paths[0] ?? 'nothing'}: target unknown`);
      // Filters start from every object: only an `--exclude '*'` narrows the selection to the `--include`s;
      // excluding a few patterns still deletes (nearly) the whole bucket.
      const filtered = flagValues(p, 'exclude').some((v) => /^[*/]+$/.test(v));
      if (flagOn(p, 'recursive')) {
        if ((target.key === '' || /^\*+$/.test(target.key)) && !filtered)
          return {
            ...j('catastrophic', 'delete', 'all', `deletes every object in bucket ${target.bucket}`),
            resource: `bucket ${target.bucket}`,
          };
        return { ...j('destructive', 'delete', 'selection', `deletes objects under ${paths[0]} (no versioning)`), resource: paths[0]! };
      }
      return { ...j('destructive', 'delete', 'resource', 'deletes one object (no versioning)'), resource: paths[0]! };
    }
    case 'rb': {
      const bucket = s3[0]?.bucket ?? paths[0] ?? '?';
      return flagOn(p, 'force')
        ? {
            ...j('catastrophic', 'delete', 'all', `rb --force deletes bucket ${bucket} and every object in it`),
            resource: `bucket ${bucket}`,
          }
        : { ...j('destructive', 'delete', 'resource', 'deletes an (empty) bucket'), resource: `bucket ${bucket}` };
    }
    case 'sync':
    case 'cp':
    case 'mv': {
      const dest = paths[1] ?? '?';
      if (op === 'sync' && flagOn(p, 'delete')) {
        const src = operands[0];
        if (src && (looksEmptyDir(src.text) || (src.dynamic && /mktemp/.test(src.text)))) {
          return {
            ...j('catastrophic', 'delete', 'all', `sync --delete from an empty directory deletes everything at ${dest}`),
            resource: dest,
          };
        }
        return {
          ...j('destructive', 'delete', 'selection', `sync --delete removes files at ${dest} that are missing from the source`),
          resource: dest,
        };
      }
      if (op === 'cp' && dest === '-' && !flagOn(p, 'recursive'))
        return { ...j('read', 'read', 'none', 's3 cp to "-" streams the object to stdout'), resource: paths[0] ?? '?' };
      return {
        ...j(
          'write',
          op === 'mv' ? 'modify' : 'create',
          flagOn(p, 'recursive') || op === 'sync' ? 'selection' : 'resource',
          `s3 ${op} copies objects`,
        ),
        resource: dest,
      };
    }
    case 'mb':
    case 'website':
      return { ...j('write', 'create', 'resource', `s3 ${op}`), resource: paths[0] ?? '?' };
    default:
      return j('unknown', 'execute', 'unknown', `aws s3 ${op}: unknown command`);
  }
}

/** Dangerous aws operations by `service op`; the rest fall back to {@link byVerb}. */
function awsSpecial(
  service: string,
  op: string,
  p: ParsedArgs,
  command: SimpleCommand,
  context: ToolContext,
): Judgement | ToolResult | undefined {
  const key = `${service} ${op}`;
  const ids = (name: string): readonly string[] => flagValues(p, name);
  switch (key) {
    case 'ec2 terminate-instances': {
      const list = ids('instance-ids');
      const n = countOf(list);
      if (p.dynamicFlags || n >= MASS_COUNT)
        return {
          ...j(
            'catastrophic',
            'delete',
            'selection',
            n >= MASS_COUNT ? `terminates ${n} instances` : 'terminates a run-time list of instances (mass termination)',
          ),
          resource: `instances ${list.join(' ')}`,
        };
      return {
        ...j('destructive', 'delete', n > 1 ? 'selection' : 'resource', `terminates ${n || 'the'} instance(s); local state is lost`),
        resource: `instances ${list.join(' ')}`,
      };
    }
    case 'rds delete-db-instance':
    case 'rds delete-db-cluster':
    case 'docdb delete-db-cluster':
    case 'neptune delete-db-cluster':
    case 'docdb delete-db-instance':
    case 'neptune delete-db-instance': {
      const id = flagValue(p, 'db-instance-identifier', 'db-cluster-identifier') ?? '?';
      return flagOn(p, 'skip-final-snapshot')
        ? {
            ...j('catastrophic', 'delete', 'database', 'deletes the database with --skip-final-snapshot: nothing to restore from'),
            resource: `db ${id}`,
          }
        : { ...j('destructive', 'delete', 'database', 'deletes the database (a final snapshot is kept)'), resource: `db ${id}` };
    }
    case 'redshift delete-cluster':
      return flagOn(p, 'skip-final-cluster-snapshot')
        ? j('catastrophic', 'delete', 'database', 'deletes the warehouse with no final snapshot')
        : j('destructive', 'delete', 'database', 'deletes the warehouse (final snapshot kept)');
    case 'elasticache delete-cache-cluster':
    case 'elasticache delete-replication-group':
    case 'memorydb delete-cluster':
      return flagValue(p, 'final-snapshot-identifier', 'final-snapshot-name') !== undefined
        ? j('destructive', 'delete', 'database', 'deletes the cache cluster (final snapshot kept)')
        : j('catastrophic', 'delete', 'database', 'deletes a Redis/cache cluster with no final snapshot');
    case 'cloudformation delete-stack':
    case 'cloudformation delete-stack-set':
    case 'cloudformation delete-stack-instances':
      return {
        ...j('catastrophic', 'delete', 'project', 'deletes the stack and every resource it manages'),
        resource: `stack ${flagValue(p, 'stack-name', 'stack-set-name') ?? '?'}`,
      };
    case 'cloudformation deploy':
      return flagOn(p, 'no-execute-changeset')
        ? j('read', 'read', 'none', 'creates a change set without executing it')
        : j('write', 'modify', 'project', 'cloudformation deploy (change set, rollback on failure)');
    case 'eks delete-cluster':
      return { ...j('catastrophic', 'delete', 'cluster', 'deletes the EKS cluster'), resource: `cluster ${flagValue(p, 'name') ?? '?'}` };
    case 'eks delete-nodegroup':
      return j('destructive', 'delete', 'resource', 'deletes a node group (its nodes are terminated)', true);
    case 'organizations close-account':
    case 'organizations delete-organization':
    case 'organizations leave-organization':
    case 'account close-account':
      return j('catastrophic', 'delete', 'account', `${op} removes a whole account or organization`);
    case 'dynamodb delete-item':
    case 'dynamodb batch-write-item':
    case 'dynamodb transact-write-items':
      return j('write', 'modify', 'resource', 'record-level change by key');
    case 'logs put-retention-policy': {
      const days = Number(flagValue(p, 'retention-in-days'));
      if (Number.isFinite(days) && days >= 3653) return j('write', 'modify', 'resource', `sets a ${days}-day retention`);
      return j('destructive', 'delete', 'resource', 'shortening log retention deletes older log events');
    }
    case 'logs delete-retention-policy':
      return j('write', 'modify', 'resource', 'removes retention (logs kept forever)');
    case 'route53 delete-hosted-zone':
      return { ...j('catastrophic', 'delete', 'project', 'deletes a whole DNS zone'), resource: `zone ${flagValue(p, 'id') ?? '?'}` };
    case 'route53 change-resource-record-sets': {
      const batch = flagValue(p, 'change-batch') ?? '';
      if (/^file:|^fileb:/.test(batch)) return j('unknown', 'modify', 'unknown', `change batch read from ${batch}: actions unknown`);
      if (/"?Action"?\s*[:=]\s*"?DELETE/i.test(batch)) return j('destructive', 'delete', 'resource', 'deletes DNS records');
      return j('write', 'modify', 'resource', 'creates or upserts DNS records');
    }
    case 'sqs purge-queue':
      return j('destructive', 'delete', 'all', 'purges every message in the queue');
    case 'sqs delete-message':
    case 'sqs delete-message-batch':
      return j('write', 'delete', 'resource', 'deletes consumed messages by receipt handle');
    case 'ec2 stop-instances':
    case 'ec2 reboot-instances':
    case 'rds stop-db-instance':
    case 'rds reboot-db-instance':
    case 'rds stop-db-cluster':
    case 'rds failover-db-cluster':
      return j('write', 'modify', 'resource', `${op} affects availability only`, true);
    case 'efs delete-file-system':
    case 'fsx delete-file-system':
      return j('catastrophic', 'delete', 'disk', 'deletes a whole filesystem');
    case 'opensearch delete-domain':
    case 'es delete-elasticsearch-domain':
      return j('catastrophic', 'delete', 'database', 'deletes an OpenSearch domain and its indices');
    case 'backup delete-backup-vault':
      return j('catastrophic', 'delete', 'account', 'deletes a backup vault');
    case 'glue delete-database':
    case 'timestream-write delete-database':
      return j('catastrophic', 'delete', 'database', 'deletes a whole database');
    case 'autoscaling delete-auto-scaling-group':
      return flagOn(p, 'force-delete')
        ? j('catastrophic', 'delete', 'selection', 'force-deletes the group and terminates all its instances')
        : j('destructive', 'delete', 'resource', 'deletes an auto scaling group');
    case 'autoscaling set-desired-capacity':
    case 'autoscaling update-auto-scaling-group':
    case 'ecs update-service':
      return j('write', 'modify', 'resource', `${op} (scaling is availability only)`, true);
    case 'ecs stop-task':
      return j('write', 'modify', 'resource', 'stops a task (availability only)', true);
    case 's3api put-bucket-lifecycle-configuration':
    case 's3api put-bucket-lifecycle': {
      const conf = flagValue(p, 'lifecycle-configuration') ?? '';
      if (/^file:|^fileb:/.test(conf) || conf === '')
        return j('unknown', 'modify', 'unknown', 'lifecycle rules read from a file: expiry scope unknown');
      if (
        /Expiration/i.test(conf) &&
        (/"Prefix"\s*:\s*""/.test(conf) || /"Filter"\s*:\s*\{\s*\}/.test(conf) || !/Prefix|Filter/.test(conf))
      ) {
        return j('catastrophic', 'delete', 'all', 'lifecycle rule expires every object in the bucket');
      }
      return /Expiration/i.test(conf)
        ? j('destructive', 'delete', 'selection', 'lifecycle rule expires objects under a prefix')
        : j('write', 'modify', 'resource', 'lifecycle rule without expiry');
    }
    case 's3api delete-object':
      return {
        ...j('destructive', 'delete', 'resource', 'deletes one object (no versioning)'),
        resource: `s3://${flagValue(p, 'bucket') ?? '?'}/${flagValue(p, 'key') ?? '?'}`,
      };
    case 's3api delete-objects':
      return j('destructive', 'delete', 'selection', 'deletes a list of objects (no versioning)');
    case 's3api delete-bucket':
      return {
        ...j('destructive', 'delete', 'resource', 'deletes an (empty) bucket'),
        resource: `bucket ${flagValue(p, 'bucket') ?? '?'}`,
      };
    case 'ssm send-command':
    case 'ssm start-session':
      return ssmCommand(command, p, context);
    case 'rds-data execute-statement':
    case 'rds-data batch-execute-statement':
    case 'redshift-data execute-statement':
    case 'redshift-data batch-execute-statement':
    case 'athena start-query-execution': {
      const sql = flagValue(p, 'sql', 'query-string', 'sqls');
      if (sql === undefined) return j('unknown', 'execute', 'unknown', `${key}: SQL not given inline`);
      const nested = context.classifySql(sql, service === 'rds-data' ? 'unknown' : 'postgresql');
      return result(
        'aws',
        nested.effects,
        [...awsTargets(p, command, context), ...(nested.targets ?? [])],
        [`classified the SQL of ${key}`, ...(nested.reasons ?? [])],
      );
    }
    case 'lambda invoke':
      return j('write', 'execute', 'resource', 'invokes a function; effect depends on its code');
    case 'sts get-caller-identity':
    case 'sts assume-role':
    case 'sts get-session-token':
    case 'ecr get-login-password':
    case 'sso login':
    case 'sso logout':
      return j('read', 'read', 'none', `${key} reads credentials`);
    case 'kms schedule-key-deletion':
      return j('destructive', 'delete', 'resource', 'a deleted key makes its ciphertexts unreadable');
    default:
      return undefined;
  }
}

function ssmCommand(command: SimpleCommand, p: ParsedArgs, context: ToolContext): ToolResult | Judgement {
  const params = flagValue(p, 'parameters') ?? '';
  const m = /commands\s*=\s*\[?(.*?)\]?\s*$/s.exec(params) ?? /"commands"\s*:\s*\[(.*?)\]/s.exec(params);
  if (!m) return j('unknown', 'execute', 'host', 'runs a remote command whose text is not inline');
  const scripts: string[] = [];
  const quoted = m[1]!.match(/"((?:[^"\\]|\\.)*)"/g);
  if (quoted) for (const q of quoted) scripts.push(q.slice(1, -1).replace(/\\"/g, '"'));
  else scripts.push(m[1]!);
  const nested = scripts.map((s) => context.classifyScript(s));
  const effects = nested.flatMap((n) => n.effects);
  const targets = [...awsTargets(p, command, context), ...nested.flatMap((n) => n.targets ?? [])];
  return result('aws', effects.length > 0 ? effects : [unknownEffect(command, 'ssm command', 'empty remote command')], targets, [
    'classified the commands sent through SSM',
  ]);
}

function awsRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, AWS_SPEC);
  const targets = awsTargets(p, command, context);
  const service = p.positionals[0]?.text ?? '';
  const op = p.positionals[1]?.text ?? '';
  const resource = `${service} ${op}`.trim();
  // `aws <service> <operation> help`: every operation takes `help` as its only operand and prints its manual.
  const operationHelp = p.positionals.length === 3 && p.positionals[2]!.text === 'help' && !p.positionals[2]!.dynamic;
  if (isHelp(p) || op === 'help' || operationHelp || service === '' || service === 'help' || op === 'wait' || service === '--version') {
    return toResult(command, 'aws', targets, resource || 'aws', j('read', 'read', 'none', 'aws help or usage'));
  }
  if (p.positionals[0]!.dynamic || p.positionals[1]?.dynamic)
    return toResult(
      command,
      'aws',
      targets,
      resource,
      j('unknown', 'execute', 'unknown', `aws ${resource}: service or operation unknown until run time`),
    );
  if (op === '') return toResult(command, 'aws', targets, resource, j('read', 'read', 'none', `aws ${service} usage`));
  if (service === 's3') return toResult(command, 'aws', targets, resource, awsS3(op, p, p.positionals.slice(2)));
  if (service === 'configure') {
    return toResult(
      command,
      'aws',
      targets,
      resource,
      op === 'list' || op === 'get' || op === 'list-profiles' || op === 'export-credentials'
        ? j('read', 'read', 'none', 'reads local config')
        : j('write', 'modify', 'resource', 'changes local aws config'),
    );
  }
  if (flagOn(p, 'dry-run'))
    return toResult(command, 'aws', targets, resource, j('read', 'read', 'none', `${resource} --dry-run executes nothing`));
  const special = awsSpecial(service, op, p, command, context);
  if (special !== undefined) {
    if ('effects' in special) return special;
    return toResult(command, 'aws', targets, resource, special);
  }
  const generic = byVerb(op);
  if (generic !== undefined) return toResult(command, 'aws', targets, resource, generic);
  return toResult(command, 'aws', targets, resource, j('unknown', 'execute', 'unknown', `aws ${resource}: unknown operation`));
}

// ---------------------------------------------------------------- eksctl

const EKSCTL_SPEC: FlagSpec = {
  valued: new Set([
    'region',
    'profile',
    'name',
    'cluster',
    'config-file',
    'nodes',
    'nodes-min',
    'nodes-max',
    'node-type',
    'version',
    'timeout',
    'output',
    'approve',
  ]),
  short: {
    r: 'region',
    p: 'profile',
    n: 'name',
    f: 'config-file',
    N: 'nodes',
    m: 'nodes-min',
    M: 'nodes-max',
    t: 'node-type',
    o: 'output',
    h: 'help',
    w: 'wait',
  },
};

function eksctlRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, EKSCTL_SPEC);
  const targets = awsTargets(p, command, context);
  const verb = p.positionals[0]?.text ?? '';
  const noun = p.positionals[1]?.text ?? '';
  const name = flagValue(p, 'name', 'cluster') ?? p.positionals[2]?.text ?? flagValue(p, 'config-file') ?? '?';
  const resource = `${noun} ${name}`;
  let judgement: Judgement;
  if (isHelp(p) || verb === '' || verb === 'version' || verb === 'info' || verb === 'completion')
    judgement = j('read', 'read', 'none', 'eksctl information');
  else if (flagOn(p, 'dry-run') || verb === 'get') judgement = j('read', 'read', 'none', `eksctl ${verb} executes nothing`);
  else if (verb === 'delete') {
    if (noun === 'cluster') judgement = j('catastrophic', 'delete', 'cluster', 'deletes the EKS cluster and its node groups');
    else if (/^(nodegroups?|ng)$/.test(noun))
      judgement = j('destructive', 'delete', 'resource', 'deletes a node group (nodes terminated)', true);
    else judgement = j('destructive', 'delete', 'resource', `deletes ${noun}`);
  } else if (verb === 'drain' || verb === 'scale' || verb === 'upgrade')
    judgement = j('write', 'modify', 'resource', `eksctl ${verb} ${noun} affects availability only`, true);
  else if (/^(create|update|set|unset|utils|enable|associate|disassociate|register|deregister)$/.test(verb))
    judgement = j('write', verb === 'create' ? 'create' : 'modify', 'resource', `eksctl ${verb} ${noun}`);
  else judgement = j('unknown', 'execute', 'unknown', `eksctl ${verb}: unknown command`);
  return toResult(command, 'aws', targets, resource, judgement);
}

// ---------------------------------------------------------------- gcloud

const GCLOUD_SPEC: FlagSpec = {
  valued: new Set([
    'project',
    'account',
    'configuration',
    'verbosity',
    'format',
    'impersonate-service-account',
    'billing-project',
    'flatten',
    'trace-token',
    'zone',
    'region',
    'command',
    'filter',
    'limit',
    'sort-by',
    'page-size',
  ]),
  short: { q: 'quiet', h: 'help', r: 'recursive' },
  greedyUnknown: true,
  bools: new Set([
    'quiet',
    'help',
    'async',
    'recursive',
    'log-http',
    'user-output-enabled',
    'no-user-output-enabled',
    'all',
    'force',
    'delete-unmatched-destination-objects',
    'dry-run',
    'no-async',
    'allow-unauthenticated',
    'no-allow-unauthenticated',
    'delete-disks',
    'keep-disks',
    'verbose',
    'continue-on-error',
    'skip-if-exists',
    'no-clobber',
    'include-managed-folders',
  ]),
};

const GCLOUD_CATASTROPHIC: ReadonlyArray<readonly [RegExp, Scope, string]> = [
  [/^projects delete$/, 'project', 'deletes a whole project'],
  [/^sql instances delete$/, 'database', 'deletes a Cloud SQL instance and its backups'],
  [/^sql databases delete$/, 'database', 'deletes a database'],
  [/^sql backups restore$/, 'database', 'restores a backup over a live instance'],
  [/^spanner (instances|databases) delete$/, 'database', 'deletes a Spanner instance or database'],
  [/^bigtable instances delete$/, 'database', 'deletes a Bigtable instance'],
  [/^redis instances delete$/, 'database', 'deletes a Memorystore Redis instance'],
  [/^alloydb (clusters|instances) delete$/, 'database', 'deletes an AlloyDB cluster or instance'],
  [/^firestore databases delete$/, 'database', 'deletes a Firestore database'],
  [/^filestore instances delete$/, 'disk', 'deletes a whole Filestore filesystem'],
  [/^container clusters delete$/, 'cluster', 'deletes a GKE cluster'],
  [/^dns managed-zones delete$/, 'project', 'deletes a whole DNS zone'],
  [/^deployment-manager deployments delete$/, 'project', 'deletes a deployment and every resource it manages'],
  [/^(organizations|resource-manager org)/, 'account', 'organization-level change'],
];

function gcpTargets(p: ParsedArgs, command: SimpleCommand, context: ToolContext, projectFlag = 'project'): Target[] {
  const t: { type: 'gcp'; project?: string; region?: string } = { type: 'gcp' };
  const project = flagValue(p, projectFlag) ?? envOf(command, context, 'CLOUDSDK_CORE_PROJECT', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT');
  if (project !== undefined && project !== '') t.project = project;
  const region = flagValue(p, 'region', 'location') ?? envOf(command, context, 'CLOUDSDK_COMPUTE_REGION');
  if (region !== undefined && region !== '') t.region = region;
  return [t];
}

function gsParts(uri: string): { bucket: string; key: string } | undefined {
  const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/** `gsutil rm` / `gcloud storage rm`. */
function storageRm(urls: readonly Word[], recursive: boolean): Judgement {
  if (urls.length === 0) return j('unknown', 'delete', 'unknown', 'rm without a URL (maybe read from stdin)');
  let worst: Judgement | undefined;
  for (const w of urls) {
    const g = gsParts(w.text);
    let cur: Judgement;
    if (!g)
      cur = w.dynamic
        ? j('destructive', 'delete', 'unknown', `deletes ${w.text} (not known until run time)`)
        : j('unknown', 'delete', 'unknown', `rm of ${w.text}: not a gs:// URL`);
    else if (g.key === '' && recursive)
      cur = { ...j('catastrophic', 'delete', 'all', `deletes bucket ${g.bucket} and every object in it`), resource: `bucket ${g.bucket}` };
    else if (/^\*\*?$/.test(g.key) && (recursive || g.key === '**'))
      cur = { ...j('catastrophic', 'delete', 'all', `deletes every object in bucket ${g.bucket}`), resource: `bucket ${g.bucket}` };
    else if (recursive || /[*?[]/.test(g.key))
      cur = { ...j('destructive', 'delete', 'selection', `deletes objects under ${w.text} (no versioning)`), resource: w.text };
    else cur = { ...j('destructive', 'delete', 'resource', 'deletes one object (no versioning)'), resource: w.text };
    if (!worst || rank(cur.risk) > rank(worst.risk)) worst = cur;
  }
  return worst!;
}

function rank(r: RiskClass): number {
  return r === 'read' ? 0 : r === 'write' ? 1 : r === 'unknown' ? 2 : r === 'destructive' ? 3 : 4;
}

function rsyncDelete(src: Word | undefined, dest: string): Judgement {
  if (src && (looksEmptyDir(src.text) || (src.dynamic && /mktemp/.test(src.text))))
    return { ...j('catastrophic', 'delete', 'all', `rsync with delete from an empty directory wipes ${dest}`), resource: dest };
  return {
    ...j('destructive', 'delete', 'selection', `rsync with delete removes files at ${dest} missing from the source`),
    resource: dest,
  };
}

function gcloudRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, GCLOUD_SPEC);
  const targets = gcpTargets(p, command, context);
  let pos = p.positionals;
  while (pos[0] && /^(alpha|beta|preview)$/.test(pos[0].text)) pos = pos.slice(1);
  if (isHelp(p) || pos.length === 0 || pos[0]!.text === 'version' || pos[0]!.text === 'info' || pos[0]!.text === 'topic') {
    return toResult(command, 'gcloud', targets, 'gcloud', j('read', 'read', 'none', 'gcloud help or information'));
  }
  if (pos[0]!.dynamic)
    return toResult(
      command,
      'gcloud',
      targets,
      'gcloud',
      j('unknown', 'execute', 'unknown', `gcloud ${pos[0]!.text}: unknown until run time`),
    );
  // The command path is groups then a verb; find the verb as the first word byVerb understands.
  let vi = -1;
  for (let i = 0; i < pos.length && i < 5; i++) {
    const t = pos[i]!.text;
    if (i > 0 && (byVerb(t) !== undefined || /^(delete|destroy)$/.test(t))) {
      vi = i;
      break;
    }
  }
  const path =
    vi >= 0
      ? pos
          .slice(0, vi + 1)
          .map((w) => w.text)
          .join(' ')
      : wordsText(pos.slice(0, 3));
  const operands = vi >= 0 ? pos.slice(vi + 1) : [];
  const groups =
    vi >= 0
      ? pos
          .slice(0, vi)
          .map((w) => w.text)
          .join(' ')
      : path;
  const verb = vi >= 0 ? pos[vi]!.text : '';
  const resource = `${groups} ${wordsText(operands)}`.trim();
  const out = (judgement: Judgement, reasons?: readonly string[]): ToolResult =>
    toResult(command, 'gcloud', targets, resource, judgement, reasons);
  if (flagOn(p, 'dry-run')) return out(j('read', 'read', 'none', `${path} --dry-run executes nothing`));
  if (groups === 'config' || groups === 'auth' || groups === 'config configurations') {
    return out(
      /^(list|get|describe|print|get-value)/.test(verb)
        ? j('read', 'read', 'none', 'reads local gcloud config')
        : j('write', 'modify', 'resource', 'changes local gcloud config or credentials'),
    );
  }
  for (const [re, scope, reason] of GCLOUD_CATASTROPHIC) {
    if (re.test(path) && verb !== 'list' && verb !== 'describe' && !verb.startsWith('get'))
      return out(j('catastrophic', 'delete', scope, reason));
  }
  if (groups === 'storage' || groups === 'alpha storage') {
    if (verb === 'rm') return out(storageRm(operands, flagOn(p, 'recursive')));
    if (verb === 'cp' && operands.length === 2 && operands[1]!.text === '-')
      return out(j('read', 'read', 'none', 'storage cp to "-" streams the object to stdout'));
    if (verb === 'rsync' && flagOn(p, 'delete-unmatched-destination-objects'))
      return out(rsyncDelete(operands[0], operands[1]?.text ?? '?'));
  }
  if (groups === 'storage buckets' && verb === 'delete') return out(j('destructive', 'delete', 'resource', 'deletes an (empty) bucket'));
  if (groups === 'compute instances' && verb === 'delete') {
    const n = operands.length;
    if (n >= MASS_COUNT || operands.some((w) => w.dynamic))
      return out(j('catastrophic', 'delete', 'selection', 'mass deletion of instances'));
    return out(j('destructive', 'delete', n > 1 ? 'selection' : 'resource', 'deletes instance(s) and their boot disks'));
  }
  if (groups === 'compute ssh' || verb === 'ssh') {
    const remote = flagValue(p, 'command');
    const inner = p.rest !== undefined && p.rest.length > 0 ? wordsText(p.rest) : remote;
    if (inner === undefined) return out(j('unknown', 'execute', 'host', 'interactive ssh session; what is typed is unknown'));
    const nested = context.classifyScript(inner);
    const host = operands[0]?.text ?? pos[2]?.text ?? '?';
    return result(
      nested.kind === 'shell' ? 'gcloud' : nested.kind,
      nested.effects,
      [...targets, { type: 'host', hostname: host }, ...(nested.targets ?? [])],
      ['classified the remote command', ...(nested.reasons ?? [])],
      nested.obfuscated === true,
    );
  }
  if (groups === 'logging buckets' && verb === 'update' && flagValue(p, 'retention-days') !== undefined)
    return out(j('destructive', 'delete', 'resource', 'shortening log retention deletes older logs'));
  if (/^(container clusters resize|compute instance-groups managed resize)$/.test(path))
    return out(j('write', 'modify', 'resource', 'resize (scaling is availability only)', true));
  if (/^(run|app|functions) deploy$/.test(path)) return out(j('write', 'modify', 'resource', `${path} deploys a new revision`));
  if (groups === 'container clusters' && verb === 'get-credentials')
    return out(j('write', 'modify', 'resource', 'writes kubeconfig credentials'));
  if (verb === '') return out(j('unknown', 'execute', 'unknown', `gcloud ${path}: unknown command`));
  const generic =
    byVerb(verb) ?? (verb === 'delete' || verb === 'destroy' ? j('destructive', 'delete', 'resource', `${verb} removes state`) : undefined);
  return out(generic ?? j('unknown', 'execute', 'unknown', `gcloud ${path}: unknown command`));
}

// ---------------------------------------------------------------- gsutil

function gsutilRule(command: SimpleCommand, context: ToolContext): ToolResult {
  // Global options precede the command; command options are single letters.
  const args = command.args;
  let i = 0;
  const globals: Word[] = [];
  while (i < args.length && args[i]!.text.startsWith('-')) {
    globals.push(args[i]!);
    if (/^-[ohui]$/.test(args[i]!.text) && i + 1 < args.length) globals.push(args[++i]!);
    i++;
  }
  const g = parseArgs(globals, { valued: new Set(['o', 'h', 'u', 'i']) });
  const sub = args[i]?.text ?? '';
  const rest = args.slice(i + 1);
  const p = parseArgs(rest, {
    valued: new Set(sub === 'rsync' ? ['x', 'c', 'p', 'y'] : sub === 'cp' || sub === 'mv' ? ['p', 'L', 'z', 'j', 's', 'x', 'J'] : []),
  });
  const targets = gcpTargets(g, command, context, 'u');
  const operands = p.positionals;
  const resource = `${sub} ${wordsText(operands)}`.trim();
  const out = (judgement: Judgement): ToolResult => toResult(command, 'gcloud', targets, resource, judgement);
  if (sub === '' || sub === 'help' || sub === 'version' || sub === 'ver' || isHelp(p))
    return out(j('read', 'read', 'none', 'gsutil help or version'));
  switch (sub) {
    case 'ls':
    case 'cat':
    case 'du':
    case 'stat':
    case 'hash':
    case 'signurl':
      return out(j('read', 'read', 'none', `gsutil ${sub} only reads`));
    case 'rm':
    case 'del':
    case 'delete':
    case 'remove':
      if (operands.length === 0 && flagOn(p, 'I')) return out(j('destructive', 'delete', 'unknown', 'deletes URLs read from stdin'));
      return out(storageRm(operands, flagOn(p, 'r', 'R', 'a')));
    case 'rb':
      return out({
        ...j('destructive', 'delete', 'resource', 'deletes an (empty) bucket'),
        resource: `bucket ${operands[0]?.text ?? '?'}`,
      });
    case 'rsync':
      if (flagOn(p, 'n')) return out(j('read', 'read', 'none', 'rsync -n is a dry run'));
      if (flagOn(p, 'd')) return out(rsyncDelete(operands[0], operands[1]?.text ?? '?'));
      return out(j('write', 'create', 'selection', 'rsync copies objects'));
    case 'cp':
      if (operands.length === 2 && operands[1]!.text === '-')
        return out(j('read', 'read', 'none', 'gsutil cp to "-" streams the object to stdout'));
      return out(j('write', 'modify', 'resource', 'gsutil cp copies objects'));
    case 'mv':
    case 'mb':
    case 'compose':
    case 'setmeta':
    case 'acl':
    case 'defacl':
    case 'iam':
    case 'label':
    case 'versioning':
    case 'cors':
    case 'web':
    case 'logging':
    case 'notification':
    case 'retention':
    case 'defstorageclass':
    case 'kms':
    case 'autoclass':
    case 'rewrite':
    case 'requesterpays':
    case 'ubla':
    case 'bucketpolicyonly':
    case 'pap':
    case 'rpo':
      if (operands[0]?.text === 'get') return out(j('read', 'read', 'none', `gsutil ${sub} get`));
      return out(j('write', 'modify', 'resource', `gsutil ${sub} changes objects or bucket settings`));
    case 'lifecycle':
      if (operands[0]?.text === 'get') return out(j('read', 'read', 'none', 'reads lifecycle rules'));
      return out(j('unknown', 'modify', 'unknown', 'lifecycle rules read from a file: expiry scope unknown'));
    default:
      return out(j('unknown', 'execute', 'unknown', `gsutil ${sub}: unknown command`));
  }
}

// ---------------------------------------------------------------- bq

const BQ_SPEC: FlagSpec = {
  valued: new Set([
    'project_id',
    'dataset_id',
    'location',
    'format',
    'apilog',
    'destination_table',
    'parameter',
    'max_rows',
    'n',
    'expiration',
    'default_table_expiration',
    'schema',
    'source_format',
    'job_id',
    'description',
    'label',
    'time_partitioning_field',
    'j',
    'session_id',
    'api',
  ]),
  singleDashLong: true,
  short: {},
};

function bqRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, BQ_SPEC);
  const targets = gcpTargets(p, command, context, 'project_id');
  const sub = p.positionals[0]?.text ?? '';
  const operands = p.positionals.slice(1);
  const resource = `${sub} ${wordsText(operands)}`.trim();
  const out = (judgement: Judgement, reasons?: readonly string[]): ToolResult =>
    toResult(command, 'gcloud', targets, resource, judgement, reasons);
  const on = (...names: string[]): boolean => flagOn(p, ...names);
  if (isHelp(p) || sub === '' || sub === 'help' || sub === 'version' || sub === 'info') return out(j('read', 'read', 'none', 'bq help'));
  if (on('dry_run')) return out(j('read', 'read', 'none', 'bq --dry_run executes nothing'));
  switch (sub) {
    case 'ls':
    case 'show':
    case 'head':
    case 'wait':
    case 'get-iam-policy':
    case 'mkdef':
      return out(j('read', 'read', 'none', `bq ${sub} only reads`));
    case 'query': {
      const sql = operands.length > 0 ? wordsText(operands) : undefined;
      if (sql === undefined) return out(j('unknown', 'execute', 'unknown', 'bq query: SQL read from stdin or a file'));
      const nested = context.classifySql(sql, 'unknown');
      const effects: Effect[] = [...nested.effects];
      const dest = flagValue(p, 'destination_table');
      if (dest !== undefined) {
        effects.push(
          on('replace')
            ? effect(command, 'replace', `table ${dest}`, 'resource', 'destructive', 'query --replace overwrites the destination table')
            : effect(command, 'create', `table ${dest}`, 'resource', 'write', 'writes query results to a table'),
        );
      }
      return result('gcloud', effects, [...targets, ...(nested.targets ?? [])], ['classified the query SQL', ...(nested.reasons ?? [])]);
    }
    case 'rm': {
      const id = operands[0]?.text ?? '?';
      const local = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
      const dataset =
        on('d', 'dataset') || (!local.includes('.') && !on('t', 'table', 'm', 'model', 'j', 'job', 'routine', 'reservation', 'connection'));
      if (dataset && on('r', 'recursive'))
        return out({
          ...j('catastrophic', 'delete', 'database', `deletes dataset ${id} and every table in it`),
          resource: `dataset ${id}`,
        });
      if (dataset)
        return out({ ...j('destructive', 'delete', 'database', `deletes dataset ${id} (only when empty)`), resource: `dataset ${id}` });
      return out({ ...j('destructive', 'delete', 'resource', `deletes ${id}`), resource: `table ${id}` });
    }
    case 'load':
      return on('replace')
        ? out(j('destructive', 'replace', 'resource', 'load --replace overwrites the table'))
        : out(j('write', 'modify', 'resource', 'appends loaded rows'));
    case 'cp':
      return on('f', 'force') && !on('a', 'append_table')
        ? out(j('destructive', 'replace', 'resource', 'cp -f overwrites the destination table'))
        : out(j('write', 'create', 'resource', 'copies a table'));
    case 'mk':
    case 'insert':
    case 'update':
    case 'extract':
    case 'partition':
    case 'cancel':
    case 'set-iam-policy':
    case 'add-iam-policy-binding':
    case 'remove-iam-policy-binding':
    case 'undelete':
      return out(j('write', sub === 'mk' ? 'create' : 'modify', 'resource', `bq ${sub}`));
    case 'truncate':
      return out(j('destructive', 'delete', 'all', 'truncates a table'));
    default:
      return out(j('unknown', 'execute', 'unknown', `bq ${sub}: unknown command`));
  }
}

// ---------------------------------------------------------------- az

const AZ_SPEC: FlagSpec = {
  valued: new Set([
    'subscription',
    'resource-group',
    'output',
    'query',
    'name',
    'ids',
    'scripts',
    'command-id',
    'pattern',
    'source',
    'account-name',
    'container-name',
    'mode',
    'template-file',
    'location',
  ]),
  short: { g: 'resource-group', o: 'output', n: 'name', y: 'yes', s: 'source', l: 'location', c: 'container-name', h: 'help' },
  greedyUnknown: true,
  multiValue: true,
  bools: new Set([
    'yes',
    'no-wait',
    'debug',
    'verbose',
    'only-show-errors',
    'help',
    'force',
    'force-deletion',
    'dry-run',
    'dryrun',
    'delete-snapshots',
    'all',
    'recursive',
    'no-prompt',
    'remove-snapshots',
  ]),
};

const AZ_CATASTROPHIC: ReadonlyArray<readonly [RegExp, Scope, string]> = [
  [/^group delete$/, 'project', 'deletes the resource group and everything in it'],
  [/^(sql|sql mi) (db|server|instance|midb)? ?delete$/, 'database', 'deletes a SQL database or server'],
  [/^sql (db|server|mi) delete$/, 'database', 'deletes a SQL database or server'],
  [/^(postgres|mysql|mariadb)( flexible-server)? (db |server )?delete$/, 'database', 'deletes a database server'],
  [/^(postgres|mysql) flexible-server delete$/, 'database', 'deletes a database server'],
  [/^cosmosdb (.* )?delete$/, 'database', 'deletes a Cosmos DB account or database'],
  [/^redis delete$/, 'database', 'deletes a Redis cache'],
  [/^storage account delete$/, 'account', 'deletes a storage account and all its data'],
  [/^storage container delete$/, 'all', 'deletes a container and every blob in it'],
  [/^storage share delete$/, 'disk', 'deletes a file share'],
  [/^aks delete$/, 'cluster', 'deletes an AKS cluster'],
  [/^network dns zone delete$/, 'project', 'deletes a whole DNS zone'],
  [/^backup vault delete$/, 'account', 'deletes a backup vault'],
  [/^account (management-group|subscription) delete$/, 'account', 'deletes a subscription or management group'],
];

function azRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, AZ_SPEC);
  const pos = p.positionals;
  let vi = -1;
  for (let i = 0; i < pos.length && i < 5; i++) {
    const t = pos[i]!.text;
    if (i > 0 && (byVerb(t) !== undefined || t === 'delete' || t === 'delete-batch')) {
      vi = i;
      break;
    }
  }
  const groups =
    vi >= 0
      ? pos
          .slice(0, vi)
          .map((w) => w.text)
          .join(' ')
      : wordsText(pos);
  const verb = vi >= 0 ? pos[vi]!.text : '';
  const path = `${groups} ${verb}`.trim();
  const t: { type: 'azure'; subscription?: string; resourceGroup?: string } = { type: 'azure' };
  const sub = flagValue(p, 'subscription') ?? envOf(command, context, 'AZURE_SUBSCRIPTION_ID', 'ARM_SUBSCRIPTION_ID');
  if (sub !== undefined && sub !== '') t.subscription = sub;
  const rg =
    flagValue(p, 'resource-group') ??
    (groups === 'group' ? flagValue(p, 'name') : undefined) ??
    envOf(command, context, 'AZURE_DEFAULTS_GROUP');
  if (rg !== undefined && rg !== '') t.resourceGroup = rg;
  const name = flagValue(p, 'name') ?? flagValues(p, 'ids').join(' ');
  const resource = `${groups} ${name}`.trim();
  const out = (judgement: Judgement): ToolResult => toResult(command, 'azure', [t], resource, judgement);
  if (isHelp(p) || pos.length === 0 || /^(version|find|interactive|feedback)$/.test(pos[0]!.text))
    return out(j('read', 'read', 'none', 'az help or information'));
  if (pos[0]!.dynamic) return out(j('unknown', 'execute', 'unknown', `az ${pos[0]!.text}: unknown until run time`));
  if (
    /^(login|logout|account set|account clear|config set|configure|extension add|extension remove|aks get-credentials)$/.test(path) ||
    groups === 'login' ||
    groups === 'logout'
  ) {
    return out(j('write', 'modify', 'resource', 'changes local az config or credentials'));
  }
  if (flagOn(p, 'dry-run') || flagOn(p, 'dryrun') || verb === 'what-if' || verb === 'validate')
    return out(j('read', 'read', 'none', `${path} executes nothing`));
  for (const [re, scope, reason] of AZ_CATASTROPHIC) if (re.test(path)) return out(j('catastrophic', 'delete', scope, reason));
  if (path === 'storage blob delete-batch') {
    return flagValue(p, 'pattern') !== undefined
      ? out(j('destructive', 'delete', 'selection', 'deletes blobs matching a pattern'))
      : out(j('catastrophic', 'delete', 'all', 'deletes every blob in the container'));
  }
  if (path === 'vm run-command invoke' || path === 'vm run-command create') {
    const scripts = flagValues(p, 'scripts');
    if (scripts.length === 0) return out(j('unknown', 'execute', 'host', 'run-command without inline scripts'));
    const nested = scripts.map((s) => context.classifyScript(s));
    return result(
      'azure',
      nested.flatMap((n) => n.effects),
      [t, ...nested.flatMap((n) => n.targets ?? [])],
      ['classified the script sent through run-command'],
    );
  }
  if (
    /^(deployment group|deployment sub|group deployment) create$/.test(path) &&
    (flagValue(p, 'mode') ?? '').toLowerCase() === 'complete'
  ) {
    return out(j('destructive', 'delete', 'project', 'complete-mode deployment deletes resources missing from the template'));
  }
  if (/^(aks scale|aks nodepool scale|vmss scale|webapp restart|webapp stop|functionapp restart|functionapp stop|aks stop)$/.test(path))
    return out(j('write', 'modify', 'resource', `${path} affects availability only`, true));
  if (/^(aks nodepool delete)$/.test(path)) return out(j('destructive', 'delete', 'resource', 'deletes a node pool', true));
  if (/^monitor log-analytics workspace update$/.test(path) && flagValue(p, 'retention-time') !== undefined)
    return out(j('destructive', 'delete', 'resource', 'shortening log retention deletes older logs'));
  if (verb === '') return out(j('unknown', 'execute', 'unknown', `az ${path}: unknown command`));
  const generic = byVerb(verb) ?? (verb === 'delete' ? j('destructive', 'delete', 'resource', `${path} removes state`) : undefined);
  return out(generic ?? j('unknown', 'execute', 'unknown', `az ${path}: unknown command`));
}

/**
 * Cloud grammars by command name: aws, eksctl (kind `aws`), gcloud, gsutil, bq (kind `gcloud`),
 * az (kind `azure`). Targets carry profile/region, project, subscription/resource group from
 * flags first, then `command.env`, then `context.env`.
 */
export const cloudRules: ToolRuleTable = {
  aws: safeRule('aws', awsRule),
  eksctl: safeRule('aws', eksctlRule),
  gcloud: safeRule('gcloud', gcloudRule),
  gsutil: safeRule('gcloud', gsutilRule),
  bq: safeRule('gcloud', bqRule),
  az: safeRule('azure', azRule),
};
