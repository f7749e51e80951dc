/**
 * Grammars for Kubernetes CLIs: kubectl, oc, helm, kustomize, argocd, flux, velero, kubeadm.
 * kind `k8s`; targets `{type: 'kubernetes', context, namespace}`. Classes follow RISK.md.
 */
import type { Effect, RiskClass, Scope, Target } from '../../../core/assessment.js';
import type { SimpleCommand, ToolContext, ToolResult, ToolRule, ToolRuleTable, Word } from '../tool-rule.js';
import {
  type FlagSpec,
  type ParsedArgs,
  effect,
  envOf,
  envWideSelector,
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
import { judgeSubcommandVerb } from './longtail.js';

const KUBECTL_SPEC: FlagSpec = {
  valued: new Set([
    'namespace',
    'context',
    'cluster',
    'user',
    'kubeconfig',
    'server',
    'token',
    'as',
    'as-group',
    'as-uid',
    'certificate-authority',
    'client-certificate',
    'client-key',
    'request-timeout',
    'tls-server-name',
    'cache-dir',
    'v',
    'vmodule',
    'log-file',
    'selector',
    'filename',
    'kustomize',
    'output',
    'field-selector',
    'grace-period',
    'timeout',
    'container',
    'replicas',
    'current-replicas',
    'resource-version',
    'image',
    'port',
    'type',
    'template',
    'sort-by',
    'since',
    'since-time',
    'tail',
    'label-columns',
    'chunk-size',
    'raw',
    'prune-allowlist',
    'prune-whitelist',
    'for',
    'patch',
    'subresource',
    'field-manager',
    'overrides',
    'restart',
    'env',
    'labels',
    'limits',
    'requests',
    'serviceaccount',
    'pod-running-timeout',
    'target',
    'profile',
    'copy-to',
    'max-surge',
    'min',
    'max',
    'cpu-percent',
    'name',
    'target-port',
    'protocol',
    'external-ip',
    'session-affinity',
    'load-balancer-ip',
    'to-revision',
    'revision',
    'skip-wait-for-delete-timeout',
    'pod-selector',
    'from',
    'schedule',
    'image-pull-policy',
    'attach',
    'kubelet-port',
    'output-directory',
    'namespaces',
    'password',
    'username',
    'api-group',
    'verb',
    'resource',
    'role',
    'clusterrole',
    'group',
    'local-port',
    'address',
    'path',
    'tls-server-name',
    'wait-timeout',
  ]),
  short: {
    n: 'namespace',
    A: 'all-namespaces',
    l: 'selector',
    f: 'filename',
    k: 'kustomize',
    o: 'output',
    R: 'recursive',
    c: 'container',
    i: 'stdin',
    t: 'tty',
    p: 'patch',
    w: 'watch',
    L: 'label-columns',
    s: 'server',
    v: 'v',
    h: 'help',
    q: 'quiet',
  },
};

const HELM_SPEC: FlagSpec = {
  valued: new Set([
    'namespace',
    'kube-context',
    'kubeconfig',
    'kube-apiserver',
    'kube-token',
    'kube-as-user',
    'kube-as-group',
    'kube-ca-file',
    'kube-tls-server-name',
    'registry-config',
    'repository-cache',
    'repository-config',
    'burst-limit',
    'qps',
    'values',
    'set',
    'set-string',
    'set-file',
    'set-json',
    'set-literal',
    'version',
    'timeout',
    'output',
    'revision',
    'repo',
    'username',
    'password',
    'ca-file',
    'cert-file',
    'key-file',
    'post-renderer',
    'post-renderer-args',
    'description',
    'name-template',
    'max',
    'filter',
    'selector',
    'history-max',
    'cascade',
    'api-versions',
    'kube-version',
    'show-only',
    'output-dir',
    'destination',
    'untardir',
    'keyring',
    'label',
    'labels',
    'deletion-propagation',
    'template',
    'dry-run-mode',
  ]),
  short: {
    n: 'namespace',
    f: 'values',
    A: 'all-namespaces',
    o: 'output',
    a: 'all',
    l: 'selector',
    q: 'short',
    h: 'help',
    d: 'destination',
  },
};

const GENERIC_SPEC: FlagSpec = {
  valued: new Set([
    'namespace',
    'context',
    'kube-context',
    'kubeconfig',
    'server',
    'auth-token',
    'selector',
    'project',
    'output',
    'cascade',
    'revision',
    'timeout',
    'name',
    'label',
    'labels',
    'include-namespaces',
    'exclude-namespaces',
    'from-backup',
    'from-schedule',
    'existing-resource-policy',
    'config',
    'cri-socket',
    'cert-dir',
    'kubernetes-version',
    'apiserver-advertise-address',
    'pod-network-cidr',
    'token',
    'discovery-token-ca-cert-hash',
    'ignore-preflight-errors',
    'path',
    'source',
    'path',
    'interval',
    'branch',
    'owner',
    'repository',
    'url',
    'grpc-web-root-path',
    'propagation-policy',
    'output-dir',
    'storage-location',
    'include-resources',
    'selector',
    'ttl',
    'schedule',
    'resource',
    'dest-namespace',
    'dest-server',
    'repo',
    'sync-policy',
    'app-namespace',
    'kind',
    'strategy',
  ]),
  short: { n: 'namespace', l: 'selector', o: 'output', A: 'all-namespaces', y: 'yes', h: 'help', f: 'force', p: 'path' },
};

/** Canonical singular resource types for the aliases kubectl accepts. */
const KIND_ALIASES: Readonly<Record<string, string>> = {
  po: 'pod',
  pods: 'pod',
  pod: 'pod',
  ns: 'namespace',
  namespaces: 'namespace',
  namespace: 'namespace',
  project: 'namespace',
  projects: 'namespace',
  no: 'node',
  nodes: 'node',
  node: 'node',
  pv: 'persistentvolume',
  persistentvolumes: 'persistentvolume',
  persistentvolume: 'persistentvolume',
  pvc: 'persistentvolumeclaim',
  persistentvolumeclaims: 'persistentvolumeclaim',
  persistentvolumeclaim: 'persistentvolumeclaim',
  crd: 'customresourcedefinition',
  crds: 'customresourcedefinition',
  customresourcedefinition: 'customresourcedefinition',
  customresourcedefinitions: 'customresourcedefinition',
  deploy: 'deployment',
  deployments: 'deployment',
  deployment: 'deployment',
  svc: 'service',
  services: 'service',
  service: 'service',
  sts: 'statefulset',
  statefulsets: 'statefulset',
  statefulset: 'statefulset',
  ds: 'daemonset',
  daemonsets: 'daemonset',
  daemonset: 'daemonset',
  rs: 'replicaset',
  replicasets: 'replicaset',
  replicaset: 'replicaset',
  cm: 'configmap',
  configmaps: 'configmap',
  configmap: 'configmap',
  secrets: 'secret',
  secret: 'secret',
  jobs: 'job',
  job: 'job',
  cj: 'cronjob',
  cronjobs: 'cronjob',
  cronjob: 'cronjob',
  ing: 'ingress',
  ingresses: 'ingress',
  ingress: 'ingress',
  all: 'all',
};

/** Normalises a kubectl resource type (`pods`, `po`, `deployments.apps`, `crd.apiextensions.k8s.io`). */
function canonicalKind(type: string): string {
  const lower = type.toLowerCase();
  const base = lower.includes('.') ? lower.slice(0, lower.indexOf('.')) : lower;
  return KIND_ALIASES[base] ?? KIND_ALIASES[lower] ?? base;
}

/** Resources named on a kubectl command line: `TYPE NAME…`, `TYPE/NAME…`, `T1,T2 NAME`. */
interface ResourceSpec {
  readonly kinds: readonly string[];
  readonly names: readonly string[];
  readonly dynamic: boolean;
}

function resourceSpec(operands: readonly Word[]): ResourceSpec {
  const kinds = new Set<string>();
  const names: string[] = [];
  let dynamic = false;
  let typeSeen = false;
  for (const word of operands) {
    if (word.dynamic) dynamic = true;
    const slash = word.text.indexOf('/');
    if (slash > 0) {
      kinds.add(canonicalKind(word.text.slice(0, slash)));
      names.push(word.text);
      continue;
    }
    if (!typeSeen) {
      typeSeen = true;
      for (const t of word.text.split(',')) if (t !== '') kinds.add(canonicalKind(t));
      continue;
    }
    names.push(word.text);
  }
  return { kinds: [...kinds], names, dynamic };
}

function kubeTarget(p: ParsedArgs, command: SimpleCommand, context: ToolContext, contextFlag: string): Target {
  const target: { type: 'kubernetes'; context?: string; namespace?: string; cluster?: string } = { type: 'kubernetes' };
  const ctx = flagValue(p, contextFlag) ?? (contextFlag === 'kube-context' ? envOf(command, context, 'HELM_KUBECONTEXT') : undefined);
  if (ctx !== undefined && ctx !== '') target.context = ctx;
  if (!flagOn(p, 'all-namespaces')) {
    const ns = flagValue(p, 'namespace') ?? (contextFlag === 'kube-context' ? envOf(command, context, 'HELM_NAMESPACE') : undefined);
    if (ns !== undefined && ns !== '') target.namespace = ns;
  }
  const cluster = flagValue(p, 'cluster');
  if (cluster !== undefined && cluster !== '') target.cluster = cluster;
  return target;
}

/** `--dry-run`, `--dry-run=client|server`; `--dry-run=none|false` executes. */
function isDryRun(p: ParsedArgs): boolean {
  return flagOn(p, 'dry-run') || flagOn(p, 'dryrun');
}

const PROD_PATH = /(^|\/)(prod|production|prd)(\/|$|\.ya?ml$)/i;

/**
 * True for a directory that is a whole environment: a kustomize overlay or environment folder
 * (`overlays/staging`, `k8s/environments/dev/`), whatever the environment is called (RISK.md
 * assumption 5). A single manifest file inside one (`overlays/staging/redis.yaml`) is a component.
 */
function environmentDir(path: string): boolean {
  if (/\.(ya?ml|json)$/i.test(path)) return false;
  const segments = path
    .replace(/\/+$/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  const parent = segments[segments.length - 2];
  return parent !== undefined && /^(overlays?|environments?|envs?|stages)$/i.test(parent);
}

function k8s(
  command: SimpleCommand,
  p: ParsedArgs,
  context: ToolContext,
  effects: readonly Effect[],
  contextFlag = 'context',
  reasons?: readonly string[],
): ToolResult {
  return result('k8s', effects, [kubeTarget(p, command, context, contextFlag)], reasons);
}

function one(
  command: SimpleCommand,
  p: ParsedArgs,
  context: ToolContext,
  risk: RiskClass,
  verb: Effect['verb'],
  resource: string,
  scope: Scope,
  reason: string,
  disruptive = false,
  contextFlag = 'context',
): ToolResult {
  return k8s(command, p, context, [effect(command, verb, resource, scope, risk, reason, { disruptive })], contextFlag);
}

const KUBECTL_READ = new Set([
  'get',
  'describe',
  'logs',
  'log',
  'top',
  'diff',
  'explain',
  'api-resources',
  'api-versions',
  'version',
  'cluster-info',
  'wait',
  'events',
  'completion',
  'kustomize',
  'port-forward',
  'proxy',
  'status',
  'whoami',
  'options',
  'help',
]);

const KUBECTL_WRITE: Readonly<Record<string, string>> = {
  create: 'creates resources',
  patch: 'patches a resource',
  edit: 'edits a resource',
  label: 'changes labels',
  annotate: 'changes annotations',
  set: 'changes a resource field',
  autoscale: 'creates an autoscaler',
  expose: 'creates a service',
  uncordon: 'marks a node schedulable',
  cp: 'copies files to or from a container',
  certificate: 'approves or denies a certificate request',
  'new-project': 'creates a project',
  'new-app': 'creates an application',
  'start-build': 'starts a build',
  import: 'imports an image',
  tag: 'tags an image',
  login: 'logs in (writes kubeconfig)',
  logout: 'logs out (writes kubeconfig)',
  project: 'switches the current project (writes kubeconfig)',
};

/** Classifies `kubectl` and `oc` (OpenShift adds projects and a few verbs). */
function kubectlRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, KUBECTL_SPEC);
  const name = command.name;
  if (isHelp(p)) return one(command, p, context, 'read', 'read', name, 'none', `${name} help`);
  const verbWord = p.positionals[0];
  if (!verbWord) return one(command, p, context, 'read', 'read', name, 'none', `${name} without a subcommand prints usage`);
  if (verbWord.dynamic)
    return k8s(command, p, context, [unknownEffect(command, name, `${name}: subcommand ${verbWord.text} is not known until run time`)]);
  let verb = verbWord.text;
  let operands = p.positionals.slice(1);
  if (name === 'oc' && verb === 'adm' && operands[0]) {
    verb = operands[0].text;
    operands = operands.slice(1);
  }
  const dry = isDryRun(p);
  if (KUBECTL_READ.has(verb) || (name === 'oc' && (verb === 'process' || verb === 'projects' || verb === 'whoami'))) {
    return one(command, p, context, 'read', 'read', `${verb} ${wordsText(operands)}`.trim(), 'none', `${name} ${verb} only reads`);
  }
  if (dry && verb !== 'exec') {
    return one(
      command,
      p,
      context,
      'read',
      'read',
      `${verb} ${wordsText(operands)}`.trim(),
      'none',
      `${name} ${verb} --dry-run executes nothing`,
    );
  }
  switch (verb) {
    case 'delete':
      return kubectlDelete(command, p, context, operands);
    case 'apply':
      return kubectlApply(command, p, context, operands);
    case 'replace':
      return flagOn(p, 'force')
        ? one(
            command,
            p,
            context,
            'destructive',
            'replace',
            files(p) || wordsText(operands),
            'resource',
            'replace --force deletes and recreates the resource',
          )
        : one(command, p, context, 'write', 'replace', files(p) || wordsText(operands), 'resource', 'replaces a resource definition');
    case 'scale':
      return one(
        command,
        p,
        context,
        'write',
        'modify',
        wordsText(operands),
        scopeOf(p, operands),
        `scales to ${flagValue(p, 'replicas') ?? '?'} replicas (availability only)`,
        true,
      );
    case 'rollout':
      return kubectlRollout(command, p, context, operands);
    case 'cordon':
      return one(
        command,
        p,
        context,
        'write',
        'modify',
        `node ${wordsText(operands)}`,
        scopeOf(p, operands),
        'cordons a node (availability only)',
        true,
      );
    case 'drain':
      return flagOn(p, 'force')
        ? one(
            command,
            p,
            context,
            'destructive',
            'delete',
            `node ${wordsText(operands)}`,
            scopeOf(p, operands),
            'drain --force deletes unmanaged pods, which are lost',
            true,
          )
        : one(
            command,
            p,
            context,
            'write',
            'modify',
            `node ${wordsText(operands)}`,
            scopeOf(p, operands),
            'drains a node; managed pods are rescheduled (availability only)',
            true,
          );
    case 'taint': {
      const evicts = operands.some((w) => w.text.includes('NoExecute'));
      return one(
        command,
        p,
        context,
        'write',
        'modify',
        `node ${wordsText(operands)}`,
        scopeOf(p, operands),
        evicts ? 'NoExecute taint evicts pods (availability only)' : 'changes node taints',
        evicts,
      );
    }
    case 'exec':
    case 'rsh':
    case 'debug':
    case 'attach':
      return kubectlExec(command, p, context, verb, operands);
    case 'run':
      return kubectlRun(command, p, context, operands);
    case 'config':
      return kubectlConfig(command, p, context, operands);
    case 'auth': {
      const sub = operands[0]?.text;
      return sub === 'can-i' || sub === 'whoami'
        ? one(command, p, context, 'read', 'read', `auth ${sub}`, 'none', 'checks permissions')
        : sub === 'reconcile'
          ? one(command, p, context, 'write', 'modify', files(p) || 'rbac', 'resource', 'reconciles RBAC rules')
          : k8s(command, p, context, [unknownEffect(command, `auth ${sub ?? ''}`.trim(), `${name} auth ${sub ?? ''}: unknown subcommand`)]);
    }
    case 'plugin':
      return operands[0]?.text === 'list'
        ? one(command, p, context, 'read', 'read', 'plugins', 'none', 'lists plugins')
        : k8s(command, p, context, [unknownEffect(command, 'plugin', `${name} plugin ${wordsText(operands)}: unknown`)]);
    default: {
      const reason = KUBECTL_WRITE[verb];
      if (reason !== undefined) {
        const many = flagOn(p, 'all', 'all-namespaces') || flagValue(p, 'selector') !== undefined;
        return one(
          command,
          p,
          context,
          'write',
          verb === 'create' || verb === 'expose' ? 'create' : 'modify',
          `${verb} ${files(p) || wordsText(operands)}`.trim(),
          many ? 'selection' : 'resource',
          reason,
        );
      }
      // A plugin (`kubectl cnpg status`, `kubectl argo rollouts abort`, `kubectl krew install`):
      // judged by its subcommand verb, never by the plugin's name alone.
      const plugin = /^[a-z][a-z0-9_-]*$/.test(verb) ? judgeSubcommandVerb([verb, ...operands.map((w) => w.text)]) : undefined;
      if (plugin !== undefined && !(plugin.risk === 'read' && (flagOn(p, 'force') || p.dynamicFlags)))
        return one(
          command,
          p,
          context,
          plugin.risk === 'destructive' && flagOn(p, 'all', 'all-namespaces') ? 'catastrophic' : plugin.risk,
          plugin.risk === 'read' ? 'read' : plugin.risk === 'write' ? 'modify' : 'delete',
          `${verb} ${wordsText(operands)}`.trim(),
          plugin.risk === 'read' ? 'none' : 'resource',
          `plugin ${verb}: ${plugin.reason}`,
          plugin.disruptive,
        );
      return k8s(command, p, context, [unknownEffect(command, `${name} ${verb}`, `${name} ${verb}: unknown subcommand (maybe a plugin)`)]);
    }
  }
}

function files(p: ParsedArgs): string {
  return [...flagValues(p, 'filename').map((f) => `-f ${f}`), ...flagValues(p, 'kustomize').map((k) => `-k ${k}`)].join(' ');
}

function scopeOf(p: ParsedArgs, operands: readonly Word[]): Scope {
  if (flagOn(p, 'all-namespaces')) return 'cluster';
  if (flagOn(p, 'all') || flagValue(p, 'selector') !== undefined) return 'selection';
  return operands.length > 2 ? 'selection' : 'resource';
}

function kubectlDelete(command: SimpleCommand, p: ParsedArgs, context: ToolContext, operands: readonly Word[]): ToolResult {
  const fileArgs = flagValues(p, 'filename');
  const kustomize = flagValues(p, 'kustomize');
  const selector = flagValue(p, 'selector');
  const all = flagOn(p, 'all');
  const allNs = flagOn(p, 'all-namespaces');
  const ns = flagValue(p, 'namespace') ?? 'current namespace';
  const effects: Effect[] = [];
  if (fileArgs.length > 0 || kustomize.length > 0) {
    const paths = [...fileArgs, ...kustomize];
    const prod = paths.some((f) => PROD_PATH.test(f) && (kustomize.includes(f) || /overlays?|environments?|envs?\//i.test(f)));
    const environment = paths.some(environmentDir);
    if (prod || environment) {
      effects.push(
        effect(
          command,
          'delete',
          files(p),
          'namespace',
          'catastrophic',
          'deletes everything in an environment overlay (the whole environment)',
        ),
      );
    } else if (paths.some((f) => f === '-' || f === '/dev/stdin')) {
      effects.push(
        effect(command, 'delete', 'manifest from stdin', 'unknown', 'destructive', 'deletes the resources of a manifest read from stdin'),
      );
    } else {
      effects.push(effect(command, 'delete', files(p), 'selection', 'destructive', 'deletes the resources of a manifest'));
    }
  }
  const spec = resourceSpec(operands);
  if (operands.length > 0 || effects.length === 0) {
    if (spec.kinds.length === 0) {
      if (effects.length === 0) effects.push(unknownEffect(command, 'delete', 'kubectl delete without a resource type'));
    }
    for (const kind of spec.kinds) effects.push(deleteKind(command, kind, spec, { selector, all, allNs, ns, p }));
  }
  if (spec.dynamic && spec.kinds.length === 0)
    effects.push(
      effect(
        command,
        'delete',
        wordsText(operands),
        'unknown',
        'destructive',
        'deletes resources whose names are not known until run time',
      ),
    );
  const base = kubeTarget(p, command, context, 'context');
  // A deleted namespace is itself where the action lands: name it as a target so the environment
  // and the inventory's context (owners, dependants) resolve from it, not only from `-n`.
  const namespaces = spec.kinds.includes('namespace')
    ? spec.names.map((n) => n.replace(/^[^/]*\//, '')).filter((n) => n !== '' && !n.includes('$'))
    : [];
  const targets: Target[] = [base, ...namespaces.map((namespace) => ({ ...base, namespace }))];
  return result('k8s', effects, targets);
}

interface DeleteScope {
  readonly selector: string | undefined;
  readonly all: boolean;
  readonly allNs: boolean;
  readonly ns: string;
  readonly p: ParsedArgs;
}

function deleteKind(command: SimpleCommand, kind: string, spec: ResourceSpec, s: DeleteScope): Effect {
  const names = spec.names.filter((n) => !n.includes('/') || canonicalKind(n.slice(0, n.indexOf('/'))) === kind);
  const resource =
    names.length > 0
      ? `${kind} ${names.join(' ')}`
      : `${kind} (${s.all ? '--all' : s.selector !== undefined ? `-l ${s.selector}` : 'unnamed'})`;
  if (kind.includes('$'))
    return effect(command, 'delete', resource, 'unknown', 'destructive', 'deletes resources of a type not known until run time');
  if (kind === 'namespace')
    return effect(command, 'delete', resource, 'namespace', 'catastrophic', 'deleting a namespace deletes everything in it');
  if (kind === 'customresourcedefinition')
    return effect(command, 'delete', resource, 'cluster', 'catastrophic', 'deleting a CRD deletes every custom resource of that type');
  if (s.allNs)
    return effect(command, 'delete', `${resource} in all namespaces`, 'cluster', 'catastrophic', 'delete across all namespaces (-A)');
  const force =
    flagOn(s.p, 'force') && (flagValue(s.p, 'grace-period') === '0' || flagValue(s.p, 'grace-period') === '1' || flagOn(s.p, 'now'));
  if (kind === 'pod') {
    if (s.all)
      return effect(command, 'delete', `all pods in ${s.ns}`, 'namespace', 'destructive', 'deletes every pod in the namespace', {
        disruptive: true,
      });
    if (s.selector !== undefined && envWideSelector(s.selector))
      return effect(command, 'delete', resource, 'selection', 'destructive', 'deletes every pod of an environment', { disruptive: true });
    if (force)
      return effect(
        command,
        'delete',
        resource,
        names.length > 1 || s.selector !== undefined ? 'selection' : 'resource',
        'destructive',
        'force delete with no grace period can corrupt state (no graceful shutdown)',
        { disruptive: true },
      );
    if (names.length === 0 && s.selector === undefined && flagValue(s.p, 'field-selector') === undefined) {
      return spec.dynamic
        ? effect(command, 'delete', resource, 'unknown', 'write', 'deletes pods named at run time; controllers recreate them', {
            disruptive: true,
          })
        : unknownEffect(command, resource, 'kubectl delete pod without a name or selector');
    }
    return effect(
      command,
      'delete',
      resource,
      names.length > 1 || s.selector !== undefined ? 'selection' : 'resource',
      'write',
      'pods are recreated by their controllers (availability only)',
      { disruptive: true, reversible: true },
    );
  }
  if (s.all) return effect(command, 'delete', `every ${kind} in ${s.ns}`, 'namespace', 'catastrophic', `--all deletes every ${kind}`);
  if (s.selector !== undefined && envWideSelector(s.selector))
    return effect(command, 'delete', resource, 'namespace', 'catastrophic', `selector ${s.selector} picks a whole environment`);
  if (
    (kind === 'node' || kind === 'persistentvolume') &&
    names.length === 0 &&
    (s.selector !== undefined || flagValue(s.p, 'field-selector') !== undefined)
  ) {
    return effect(command, 'delete', resource, 'cluster', 'catastrophic', `deletes ${kind}s selected cluster-wide`);
  }
  if (names.length === 0 && s.selector === undefined && flagValue(s.p, 'field-selector') === undefined) {
    return spec.dynamic
      ? effect(command, 'delete', resource, 'unknown', 'destructive', `deletes ${kind}s named at run time`)
      : unknownEffect(command, resource, `kubectl delete ${kind} without a name or selector`);
  }
  const data = kind === 'persistentvolumeclaim' || kind === 'persistentvolume';
  return effect(
    command,
    'delete',
    resource,
    names.length === 1 ? 'resource' : 'selection',
    'destructive',
    data ? `deletes a volume (${kind}); its data may be lost` : `deletes ${kind} objects; their state is lost`,
  );
}

function kubectlApply(command: SimpleCommand, p: ParsedArgs, context: ToolContext, operands: readonly Word[]): ToolResult {
  const sub = operands[0]?.text;
  if (sub === 'view-last-applied')
    return one(command, p, context, 'read', 'read', 'last-applied', 'none', 'shows the last applied configuration');
  if (sub === 'edit-last-applied' || sub === 'set-last-applied')
    return one(command, p, context, 'write', 'modify', `${sub} ${files(p)}`, 'resource', `${sub} changes an annotation`);
  const source = files(p) || 'manifest';
  if (flagOn(p, 'prune')) {
    const paths = [...flagValues(p, 'filename'), ...flagValues(p, 'kustomize')];
    const empty = paths.some((f) => f === '/dev/null' || /(^|\/)empty[^/]*\/?$/i.test(f));
    if (empty)
      return one(
        command,
        p,
        context,
        'catastrophic',
        'delete',
        source,
        'namespace',
        'apply --prune of an empty set deletes every matching resource',
      );
    return one(
      command,
      p,
      context,
      'destructive',
      'delete',
      source,
      'selection',
      'apply --prune deletes live resources missing from the manifest',
    );
  }
  if (flagOn(p, 'force'))
    return one(
      command,
      p,
      context,
      'destructive',
      'replace',
      source,
      'resource',
      'apply --force deletes and recreates resources on conflict',
    );
  return one(command, p, context, 'write', 'modify', source, 'resource', 'apply is a reviewed-by-diff deploy (write)');
}

function kubectlRollout(command: SimpleCommand, p: ParsedArgs, context: ToolContext, operands: readonly Word[]): ToolResult {
  const sub = operands[0]?.text ?? '';
  const what = wordsText(operands.slice(1));
  switch (sub) {
    case 'status':
    case 'history':
      return one(command, p, context, 'read', 'read', what, 'none', `rollout ${sub} only reads`);
    case 'restart':
      return one(command, p, context, 'write', 'modify', what, scopeOf(p, operands.slice(1)), 'restarts pods (availability only)', true);
    case 'undo':
      return one(command, p, context, 'write', 'modify', what, 'resource', 'rolls back to a previous revision', true);
    case 'pause':
    case 'resume':
      return one(command, p, context, 'write', 'modify', what, 'resource', `rollout ${sub}`);
    default:
      return k8s(command, p, context, [unknownEffect(command, `rollout ${sub}`, `rollout ${sub}: unknown subcommand`)]);
  }
}

function kubectlConfig(command: SimpleCommand, p: ParsedArgs, context: ToolContext, operands: readonly Word[]): ToolResult {
  const sub = operands[0]?.text ?? '';
  if (/^(view|get-|current-context)/.test(sub))
    return one(command, p, context, 'read', 'read', `config ${sub}`, 'none', 'reads kubeconfig');
  if (/^(use-context|use|set-|set$|unset|rename-context|delete-)/.test(sub))
    return one(command, p, context, 'write', 'modify', `kubeconfig ${sub}`, 'resource', 'changes the local kubeconfig');
  return k8s(command, p, context, [unknownEffect(command, `config ${sub}`, `config ${sub}: unknown subcommand`)]);
}

/** Words of the inner command of `exec`/`run`: after `--`, or (deprecated form) after the pod. */
function innerWords(p: ParsedArgs, operands: readonly Word[], skip: number): readonly Word[] {
  if (p.rest !== undefined) return p.rest;
  return operands.slice(skip);
}

function withInner(
  command: SimpleCommand,
  p: ParsedArgs,
  context: ToolContext,
  own: Effect,
  inner: readonly Word[],
  where: string,
): ToolResult {
  const target = kubeTarget(p, command, context, 'context');
  if (inner.length === 0) return result('k8s', [own], [target]);
  const nested = context.classifyArgv(inner);
  // RISK.md: kind is the family of the effective action, so a command run in a pod keeps its own
  // kind (shell, sql …); the pod's cluster and namespace stay among the targets.
  const kind = nested.kind;
  const reasons = [`classified the command run in ${where}`, ...(nested.reasons ?? [])];
  return result(kind, [own, ...nested.effects], [target, ...(nested.targets ?? [])], reasons, nested.obfuscated === true);
}

function kubectlExec(command: SimpleCommand, p: ParsedArgs, context: ToolContext, verb: string, operands: readonly Word[]): ToolResult {
  const pod = operands[0]?.text ?? flagValue(p, 'patch') ?? '?';
  if (verb === 'attach') {
    return k8s(command, p, context, [
      unknownEffect(command, `pod ${pod}`, 'attach connects to a running process; what is typed is unknown'),
    ]);
  }
  const inner = innerWords(p, operands, 1);
  if (verb === 'debug') {
    const own = effect(command, 'create', `debug container for ${pod}`, 'resource', 'write', 'adds a debug container or pod');
    return withInner(command, p, context, own, inner, `debug ${pod}`);
  }
  if (inner.length === 0) {
    const interactive = flagOn(p, 'stdin') || verb === 'rsh';
    return k8s(command, p, context, [
      interactive
        ? unknownEffect(command, `pod ${pod}`, 'interactive shell in a container; what is typed is unknown')
        : unknownEffect(command, `pod ${pod}`, 'exec without a command'),
    ]);
  }
  const own = effect(command, 'execute', `pod ${pod}`, 'resource', 'read', `runs a command in pod ${pod}`);
  return withInner(command, p, context, own, inner, `pod ${pod}`);
}

function kubectlRun(command: SimpleCommand, p: ParsedArgs, context: ToolContext, operands: readonly Word[]): ToolResult {
  const pod = operands[0]?.text ?? '?';
  const own = effect(
    command,
    'create',
    `pod ${pod}`,
    'resource',
    'write',
    `creates pod ${pod}${flagValue(p, 'image') ? ` from ${flagValue(p, 'image')}` : ''}`,
  );
  return withInner(command, p, context, own, innerWords(p, operands, 1), `pod ${pod}`);
}

// ---------------------------------------------------------------- helm

const HELM_READ = new Set([
  'template',
  'diff',
  'list',
  'ls',
  'status',
  'history',
  'hist',
  'get',
  'show',
  'inspect',
  'search',
  'lint',
  'version',
  'env',
  'verify',
  'completion',
  'help',
  'pull',
  'fetch',
  'package',
]);

function helmRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, HELM_SPEC);
  const kc = 'kube-context';
  if (isHelp(p)) return one(command, p, context, 'read', 'read', 'helm', 'none', 'helm help', false, kc);
  const verb = p.positionals[0]?.text;
  const operands = p.positionals.slice(1);
  if (verb === undefined) return one(command, p, context, 'read', 'read', 'helm', 'none', 'helm usage', false, kc);
  if (HELM_READ.has(verb))
    return one(
      command,
      p,
      context,
      'read',
      'read',
      `${verb} ${wordsText(operands)}`.trim(),
      'none',
      `helm ${verb} executes nothing against the cluster`,
      false,
      kc,
    );
  const release = operands[0]?.text ?? '?';
  const dry = flagOn(p, 'dry-run');
  switch (verb) {
    case 'install':
    case 'upgrade':
      if (dry)
        return one(command, p, context, 'read', 'read', `release ${release}`, 'none', `helm ${verb} --dry-run renders only`, false, kc);
      if (flagOn(p, 'force'))
        return one(
          command,
          p,
          context,
          'destructive',
          'replace',
          `release ${release}`,
          'resource',
          `helm ${verb} --force deletes and recreates changed resources`,
          true,
          kc,
        );
      return one(
        command,
        p,
        context,
        'write',
        verb === 'install' ? 'create' : 'modify',
        `release ${release}`,
        'resource',
        `helm ${verb} deploys a release`,
        false,
        kc,
      );
    case 'rollback':
      if (dry) return one(command, p, context, 'read', 'read', `release ${release}`, 'none', 'helm rollback --dry-run', false, kc);
      return one(
        command,
        p,
        context,
        'write',
        'modify',
        `release ${release}`,
        'resource',
        'rolls a release back to a previous revision',
        true,
        kc,
      );
    case 'uninstall':
    case 'delete':
    case 'del':
    case 'un': {
      if (dry) return one(command, p, context, 'read', 'read', `release ${release}`, 'none', 'helm uninstall --dry-run', false, kc);
      if (flagOn(p, 'all', 'all-namespaces') || (flagValue(p, 'selector') !== undefined && envWideSelector(flagValue(p, 'selector')!))) {
        return one(command, p, context, 'catastrophic', 'delete', 'every helm release', 'namespace', 'uninstalls every release', false, kc);
      }
      if (operands.length === 0)
        return k8s(command, p, context, [unknownEffect(command, 'release', 'helm uninstall without a release name')], kc);
      const dynamic = operands.some((w) => w.dynamic);
      return one(
        command,
        p,
        context,
        'destructive',
        'delete',
        `release ${wordsText(operands)}`,
        dynamic ? 'unknown' : operands.length > 1 ? 'selection' : 'resource',
        dynamic ? 'uninstalls releases named at run time' : 'uninstalls a release and deletes its resources',
        false,
        kc,
      );
    }
    case 'test':
      return one(command, p, context, 'write', 'execute', `release ${release}`, 'resource', 'runs the release test pods', false, kc);
    case 'create':
      return one(command, p, context, 'write', 'create', `chart ${release}`, 'resource', 'scaffolds a chart', false, kc);
    case 'push':
      return one(command, p, context, 'write', 'create', `chart ${release}`, 'resource', 'pushes a chart to a registry', false, kc);
    case 'repo': {
      const sub = operands[0]?.text ?? '';
      if (sub === 'list' || sub === 'ls' || sub === 'update' || sub === 'up' || sub === 'index')
        return one(command, p, context, 'read', 'read', `repo ${sub}`, 'none', 'helm repo index refresh is a local cache', false, kc);
      if (sub === 'add' || sub === 'remove' || sub === 'rm')
        return one(
          command,
          p,
          context,
          'write',
          'modify',
          `repo ${wordsText(operands.slice(1))}`,
          'resource',
          'changes local helm repository config',
          false,
          kc,
        );
      break;
    }
    case 'dependency':
    case 'dep': {
      const sub = operands[0]?.text ?? '';
      if (sub === 'list' || sub === 'ls' || sub === 'build')
        return one(
          command,
          p,
          context,
          'read',
          'read',
          `dependency ${sub}`,
          'none',
          'reads or rebuilds charts/ from the lock file',
          false,
          kc,
        );
      if (sub === 'update' || sub === 'up')
        return one(
          command,
          p,
          context,
          'write',
          'modify',
          'Chart.lock',
          'resource',
          'updates resolved dependency versions (lock file)',
          false,
          kc,
        );
      break;
    }
    case 'plugin': {
      const sub = operands[0]?.text ?? '';
      if (sub === 'list' || sub === 'ls') return one(command, p, context, 'read', 'read', 'plugins', 'none', 'lists plugins', false, kc);
      if (sub === 'install' || sub === 'update' || sub === 'uninstall' || sub === 'remove' || sub === 'rm')
        return one(
          command,
          p,
          context,
          'write',
          'modify',
          `plugin ${wordsText(operands.slice(1))}`,
          'resource',
          `helm plugin ${sub}`,
          false,
          kc,
        );
      break;
    }
    case 'registry':
      return one(command, p, context, 'write', 'modify', 'registry credentials', 'resource', 'changes local registry login', false, kc);
    default:
      break;
  }
  return k8s(
    command,
    p,
    context,
    [
      unknownEffect(
        command,
        `helm ${wordsText(p.positionals.slice(0, 2))}`,
        `helm ${verb} ${operands[0]?.text ?? ''}: unknown subcommand (maybe a plugin)`.trim(),
      ),
    ],
    kc,
  );
}

// ---------------------------------------------------------------- kustomize, argocd, flux, velero, kubeadm

function kustomizeRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, GENERIC_SPEC);
  const verb = p.positionals[0]?.text;
  if (
    isHelp(p) ||
    verb === undefined ||
    verb === 'build' ||
    verb === 'version' ||
    verb === 'completion' ||
    verb === 'docs-fn' ||
    verb === 'localize'
  ) {
    return one(command, p, context, 'read', 'read', `kustomize ${verb ?? ''}`.trim(), 'none', 'renders manifests; nothing is applied');
  }
  if (verb === 'edit' || verb === 'create' || verb === 'init')
    return one(command, p, context, 'write', 'modify', 'kustomization.yaml', 'resource', `kustomize ${verb} changes a tracked file`);
  return k8s(command, p, context, [unknownEffect(command, `kustomize ${verb}`, `kustomize ${verb}: unknown subcommand`)]);
}

function argocdRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, GENERIC_SPEC);
  if (isHelp(p)) return one(command, p, context, 'read', 'read', 'argocd', 'none', 'help');
  const group = p.positionals[0]?.text ?? '';
  const sub = p.positionals[1]?.text ?? '';
  const names = p.positionals.slice(2);
  const what = `${group} ${wordsText(names)}`.trim();
  if (group === 'version' || group === 'completion' || group === '')
    return one(command, p, context, 'read', 'read', 'argocd', 'none', 'argocd information');
  if (group === 'login' || group === 'logout' || group === 'context' || group === 'relogin')
    return one(command, p, context, 'write', 'modify', 'argocd config', 'resource', 'changes local argocd config');
  if (
    /^(get|list|diff|history|manifests|resources|logs|wait|show|describe|ls)$/.test(sub) ||
    sub.startsWith('get-') ||
    sub.startsWith('list')
  ) {
    return one(command, p, context, 'read', 'read', what, 'none', `argocd ${group} ${sub} only reads`);
  }
  if (flagOn(p, 'dry-run')) return one(command, p, context, 'read', 'read', what, 'none', 'argocd --dry-run');
  if (sub === 'delete' || sub === 'rm' || sub === 'remove') {
    const selector = flagValue(p, 'selector');
    if (flagOn(p, 'all') || (selector !== undefined && envWideSelector(selector)))
      return one(command, p, context, 'catastrophic', 'delete', `every ${group}`, 'cluster', `deletes ${group}s across an environment`);
    if (group === 'app' || group === 'application' || group === 'appset' || group === 'applicationset') {
      const cascade = flagValue(p, 'cascade');
      if (cascade === 'false')
        return one(command, p, context, 'write', 'delete', what, 'resource', 'deletes the Application object only (no cascade)');
      return one(
        command,
        p,
        context,
        'destructive',
        'delete',
        what,
        selector !== undefined || names.length > 1 ? 'selection' : 'resource',
        'deletes the application and all of its resources',
      );
    }
    if (group === 'repo' || group === 'repocreds' || group === 'gpg' || group === 'cert')
      return one(command, p, context, 'write', 'delete', what, 'resource', `removes ${group} config`);
    return one(command, p, context, 'destructive', 'delete', what, 'resource', `deletes argocd ${group}`);
  }
  if (sub === 'sync' && flagOn(p, 'prune'))
    return one(command, p, context, 'destructive', 'delete', what, 'selection', 'sync --prune deletes live resources missing from git');
  if (sub === 'sync' || sub === 'rollback')
    return one(command, p, context, 'write', 'modify', what, 'resource', `argocd ${sub} deploys`, sub === 'rollback');
  if (
    /^(create|set|unset|patch|edit|add|add-|terminate-op|actions|rotate|generate|update|enable|disable|import|patch-resource|delete-resource|restart)/.test(
      sub,
    )
  ) {
    if (sub === 'delete-resource')
      return one(command, p, context, 'destructive', 'delete', what, 'resource', 'deletes a live resource of the application');
    return one(command, p, context, 'write', 'modify', what, 'resource', `argocd ${group} ${sub}`);
  }
  return k8s(command, p, context, [
    unknownEffect(command, `argocd ${group} ${sub}`.trim(), `argocd ${group} ${sub}: unknown subcommand`.trim()),
  ]);
}

function fluxRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, GENERIC_SPEC);
  if (isHelp(p)) return one(command, p, context, 'read', 'read', 'flux', 'none', 'help');
  const verb = p.positionals[0]?.text ?? '';
  const what = wordsText(p.positionals.slice(1));
  if (/^(get|logs|tree|stats|events|check|diff|export|version|build|trace|completion|)$/.test(verb))
    return one(command, p, context, 'read', 'read', `${verb} ${what}`.trim(), 'none', `flux ${verb} only reads`);
  if (flagOn(p, 'dry-run')) return one(command, p, context, 'read', 'read', what, 'none', 'flux --dry-run');
  switch (verb) {
    case 'reconcile':
    case 'suspend':
    case 'resume':
    case 'create':
    case 'bootstrap':
    case 'install':
    case 'push':
    case 'tag':
      return one(
        command,
        p,
        context,
        'write',
        'modify',
        `${verb} ${what}`.trim(),
        flagOn(p, 'all') ? 'selection' : 'resource',
        `flux ${verb}`,
      );
    case 'pull':
      return one(command, p, context, 'read', 'read', what, 'none', 'pulls an artifact locally');
    case 'delete':
      if (flagOn(p, 'all'))
        return one(
          command,
          p,
          context,
          'catastrophic',
          'delete',
          what,
          'cluster',
          'deletes every flux object of a kind (and what it prunes)',
        );
      return one(command, p, context, 'destructive', 'delete', what, 'resource', 'deletes a flux object; its pruned resources go with it');
    case 'uninstall':
      return one(command, p, context, 'catastrophic', 'delete', 'flux', 'cluster', 'removes flux and its CRDs from the cluster');
    default:
      return k8s(command, p, context, [unknownEffect(command, `flux ${verb}`, `flux ${verb}: unknown subcommand`)]);
  }
}

function veleroRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, GENERIC_SPEC);
  if (isHelp(p)) return one(command, p, context, 'read', 'read', 'velero', 'none', 'help');
  const group = p.positionals[0]?.text ?? '';
  const sub = p.positionals[1]?.text ?? '';
  const what = `${group} ${wordsText(p.positionals.slice(2))}`.trim();
  if (
    group === 'version' ||
    group === 'completion' ||
    group === '' ||
    /^(get|describe|logs|download)$/.test(sub) ||
    group === 'get' ||
    group === 'describe'
  ) {
    return one(command, p, context, 'read', 'read', what, 'none', 'velero read');
  }
  if (group === 'uninstall')
    return one(
      command,
      p,
      context,
      'catastrophic',
      'delete',
      'velero',
      'cluster',
      'removes velero and its CRDs (backups become unmanaged)',
    );
  if (group === 'install') return one(command, p, context, 'write', 'create', 'velero', 'cluster', 'installs velero');
  if (sub === 'delete') {
    if (flagOn(p, 'all') || (flagValue(p, 'selector') !== undefined && envWideSelector(flagValue(p, 'selector')!))) {
      return one(command, p, context, 'catastrophic', 'delete', `every ${group}`, 'cluster', `deletes every velero ${group}`);
    }
    return one(
      command,
      p,
      context,
      'destructive',
      'delete',
      what,
      flagValue(p, 'selector') !== undefined ? 'selection' : 'resource',
      `deletes velero ${group} (backups are data)`,
    );
  }
  if (group === 'restore' && sub === 'create' && flagValue(p, 'existing-resource-policy') === 'update') {
    return one(command, p, context, 'destructive', 'replace', what, 'namespace', 'restore overwrites existing resources');
  }
  if (/^(create|set|add|edit|patch)$/.test(sub))
    return one(command, p, context, 'write', 'create', what, 'resource', `velero ${group} ${sub}`);
  return k8s(command, p, context, [
    unknownEffect(command, `velero ${group} ${sub}`.trim(), `velero ${group} ${sub}: unknown subcommand`.trim()),
  ]);
}

function kubeadmRule(command: SimpleCommand, context: ToolContext): ToolResult {
  const p = parseArgs(command.args, GENERIC_SPEC);
  if (isHelp(p)) return one(command, p, context, 'read', 'read', 'kubeadm', 'none', 'help');
  const verb = p.positionals[0]?.text ?? '';
  const sub = p.positionals[1]?.text ?? '';
  if (flagOn(p, 'dry-run')) return one(command, p, context, 'read', 'read', `kubeadm ${verb}`, 'none', 'kubeadm --dry-run');
  switch (verb) {
    case 'reset':
      return one(
        command,
        p,
        context,
        'catastrophic',
        'delete',
        'node control plane/etcd state',
        'cluster',
        "kubeadm reset wipes the node's cluster state (etcd data on a control plane)",
        true,
      );
    case 'init':
    case 'join':
      return one(command, p, context, 'write', 'create', `kubeadm ${verb}`, 'host', `kubeadm ${verb} sets up a node`);
    case 'version':
    case 'completion':
    case '':
      return one(command, p, context, 'read', 'read', 'kubeadm', 'none', 'kubeadm information');
    case 'upgrade':
      if (sub === 'plan' || sub === 'diff')
        return one(command, p, context, 'read', 'read', `upgrade ${sub}`, 'none', 'upgrade plan only reads');
      return one(command, p, context, 'write', 'modify', 'control plane', 'cluster', 'upgrades the control plane', true);
    case 'config':
    case 'token':
    case 'certs':
    case 'kubeconfig':
      if (/^(print|view|list|check-expiration|images)$/.test(sub))
        return one(command, p, context, 'read', 'read', `${verb} ${sub}`, 'none', `kubeadm ${verb} ${sub} reads`);
      return one(
        command,
        p,
        context,
        'write',
        'modify',
        `${verb} ${sub}`.trim(),
        'resource',
        `kubeadm ${verb} ${sub}`.trim(),
        verb === 'certs',
      );
    default:
      return k8s(command, p, context, [unknownEffect(command, `kubeadm ${verb}`, `kubeadm ${verb}: unknown subcommand`)]);
  }
}

const kubectl: ToolRule = safeRule('k8s', kubectlRule);

/**
 * Kubernetes grammars by command name: kubectl, oc, helm, kustomize, argocd, flux, velero, kubeadm.
 * Every rule returns kind `k8s` (or the inner kind of `kubectl exec … -- psql …`) with a
 * kubernetes target; unknown subcommands are `unknown`, never read.
 */
export const kubernetesRules: ToolRuleTable = {
  kubectl,
  oc: kubectl,
  helm: safeRule('k8s', helmRule),
  helm3: safeRule('k8s', helmRule),
  kustomize: safeRule('k8s', kustomizeRule),
  argocd: safeRule('k8s', argocdRule),
  flux: safeRule('k8s', fluxRule),
  velero: safeRule('k8s', veleroRule),
  kubeadm: safeRule('k8s', kubeadmRule),
};
