/**
 * Reads an MCP tool's name the way a careful person would: split it into words, drop a leading
 * server-name prefix (`slack_`, `API-`, `kubectl_`), find the verb (first word of a verb-first name
 * such as `get_channel_history`, last verb of an object-first name such as `pods_delete`) and the
 * object it acts on (the head noun, ignoring prepositional phrases: `delete_pod_in_namespace` acts
 * on a pod). Pure functions; nothing here throws.
 */

/** What a verb does, before scope is known. `disrupt` keeps state but hurts availability. */
export type VerbClass = 'read' | 'create' | 'modify' | 'disrupt' | 'delete' | 'replace' | 'execute';

const VERB_WORDS: Readonly<Record<VerbClass, readonly string[]>> = {
  read: [
    'get',
    'list',
    'read',
    'search',
    'find',
    'lookup',
    'query',
    'describe',
    'show',
    'view',
    'fetch',
    'diff',
    'inspect',
    'count',
    'check',
    'validate',
    'preview',
    'explain',
    'tail',
    'browse',
    'ls',
    'cat',
    'stat',
    'print',
    'render',
    'template',
    'whoami',
    'ping',
    'distinct',
    'aggregate',
    'retrieve',
    'peek',
    'scan',
    'grep',
    'summarize',
    'suggest',
  ],
  create: [
    'create',
    'add',
    'new',
    'insert',
    'post',
    'send',
    'comment',
    'commit',
    'push',
    'merge',
    'upload',
    'publish',
    'append',
    'fork',
    'clone',
    'copy',
    'duplicate',
    'install',
    'deploy',
    'invite',
    'reply',
    'react',
    'star',
    'subscribe',
    'submit',
    'enqueue',
    'schedule',
    'register',
    'import',
    'save',
    'store',
    'init',
    'initialize',
    'provision',
    'launch',
    'start',
    'resume',
    'unpause',
    'tag',
    'stage',
  ],
  modify: [
    'update',
    'edit',
    'modify',
    'write',
    'put',
    'set',
    'unset',
    'patch',
    'change',
    'rename',
    'move',
    'mv',
    'upsert',
    'apply',
    'label',
    'annotate',
    'assign',
    'unassign',
    'link',
    'unlink',
    'attach',
    'detach',
    'mark',
    'lock',
    'unlock',
    'close',
    'reopen',
    'archive',
    'unarchive',
    'enable',
    'disable',
    'configure',
    'approve',
    'upgrade',
    'revert',
    'checkout',
    'switch',
    'unstage',
    'stash',
    'grant',
    'revoke',
    'uncordon',
    'resolve',
    'transfer',
    'cancel',
  ],
  disrupt: [
    'restart',
    'stop',
    'reboot',
    'scale',
    'pause',
    'suspend',
    'cordon',
    'drain',
    'rollout',
    'shutdown',
    'kill',
    'evict',
    'rollback',
    'undo',
    'failover',
    'hibernate',
    'redeploy',
  ],
  delete: [
    'delete',
    'remove',
    'rm',
    'del',
    'drop',
    'destroy',
    'purge',
    'uninstall',
    'terminate',
    'wipe',
    'erase',
    'truncate',
    'clear',
    'flush',
    'prune',
    'shred',
    'discard',
    'clean',
    'cleanup',
    'expunge',
    'nuke',
    'deregister',
  ],
  replace: ['reset', 'overwrite', 'replace', 'restore', 'rebase', 'recreate', 'reimage', 'rewrite'],
  execute: ['execute', 'exec', 'run', 'call', 'invoke', 'eval', 'evaluate', 'trigger', 'perform'],
};

const VERBS: ReadonlyMap<string, VerbClass> = new Map(
  (Object.entries(VERB_WORDS) as Array<[VerbClass, readonly string[]]>).flatMap(([cls, words]) => words.map((w) => [w, cls] as const)),
);

/**
 * Nouns that name something only read (`git_log`, `pods_log`, `channel_history`): used as the verb
 * only when the name holds no verb at all.
 */
const READ_NOUNS: ReadonlySet<string> = new Set([
  'log',
  'logs',
  'status',
  'history',
  'events',
  'info',
  'details',
  'tree',
  'metrics',
  'stats',
  'top',
  'usage',
  'version',
  'health',
  'schema',
]);

/** HTTP-method words that name the transport, not the operation, when another verb follows (`API-post-search`). */
const WEAK_VERBS: ReadonlySet<string> = new Set(['post', 'put']);

/** Verbs whose meaning is given by an action argument when there is one (`kubectl_rollout {subCommand}`). */
const UMBRELLA_VERBS: ReadonlySet<string> = new Set(['rollout', 'manage', 'handle', 'operate', 'control', 'admin']);

/** Words that qualify how many things the verb reaches. */
const QUALIFIERS: ReadonlySet<string> = new Set([
  'all',
  'many',
  'bulk',
  'batch',
  'multiple',
  'every',
  'one',
  'single',
  'force',
  'forced',
  'hard',
  'soft',
  'recursive',
  'permanently',
  'permanent',
  'if',
  'exists',
]);

/** Prepositions: what follows names the container or the criterion, not the object acted on. */
const PREPOSITIONS: ReadonlySet<string> = new Set(['in', 'from', 'on', 'of', 'for', 'at', 'by', 'with', 'to', 'into', 'within', 'under']);

const CONJUNCTIONS: ReadonlySet<string> = new Set(['or', 'and', 'then']);
const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the', 'my']);

/** Leading words that name the server or its API rather than the operation. */
const NAMESPACE_PREFIXES: ReadonlySet<string> = new Set([
  'api',
  'mcp',
  'kubectl',
  'k8s',
  'kube',
  'gh',
  'git',
  'aws',
  'gcp',
  'gcloud',
  'az',
  'azure',
  'tool',
  'tools',
]);

/** Command words spelled as one word (Redis `FLUSHALL`, Mongo `dropDatabase`) → the words they mean. */
const COMPOUND_WORDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['flushall', ['flush', 'all']],
  ['flushdb', ['flush', 'db']],
  ['dropdb', ['drop', 'db']],
  ['dropdatabase', ['drop', 'database']],
  ['deleteall', ['delete', 'all']],
  ['removeall', ['remove', 'all']],
]);

/**
 * Splits a name into lower-case words: `_ - . / space` and camelCase boundaries (`APIPostSearch` →
 * api post search); one-word commands such as `flushall` are split into their words (`flush all`).
 */
export function tokenize(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .flatMap((w) => COMPOUND_WORDS.get(w.toLowerCase()) ?? [w.toLowerCase()]);
}

/** `namespaces` → `namespace`, `repositories` → `repository`, `pvcs` → `pvc`; short words and `-ss` words are kept. */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The verb class of one word, or undefined. */
export function verbClassOf(word: string): VerbClass | undefined {
  return VERBS.get(word);
}

/** What {@link analyseToolName} found. */
export interface ToolNameAnalysis {
  /** All words of the name, lower case, prefix included. */
  readonly words: readonly string[];
  /** The words after dropping a server-name prefix. */
  readonly core: readonly string[];
  /** The operation words, e.g. `['create', 'update']` for `resources_create_or_update`. Empty when none. */
  readonly verbs: readonly string[];
  /** The verb class of the operation, the worst of {@link verbs}; undefined when the name holds no verb. */
  readonly verbClass: VerbClass | undefined;
  /** True when the verb came from a read-only noun (`git_log`), the weakest evidence. */
  readonly fromReadNoun: boolean;
  /** True when the operation is an umbrella (`rollout`) that an action argument refines. */
  readonly umbrella: boolean;
  /** Object words, singular, in order; the last is the head noun. Prepositional phrases excluded. */
  readonly objects: readonly string[];
  /** Qualifier words present (`all`, `many`, `one`, `force`, `hard`, …). */
  readonly qualifiers: ReadonlySet<string>;
}

const SEVERITY: Readonly<Record<VerbClass, number>> = { read: 0, create: 1, modify: 1, disrupt: 2, execute: 3, replace: 4, delete: 5 };

/** The more severe of two verb classes (delete > replace > execute > disrupt > create/modify > read). */
export function worseVerb(a: VerbClass | undefined, b: VerbClass | undefined): VerbClass | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/**
 * Analyses a tool name. The operation is the first word of a verb-first name (`get_commit` reads,
 * although `commit` is also a verb) or the last verb of an object-first name (`pods_delete`); words
 * joined to it by `or`/`and` count too, and a delete-like verb anywhere in the name always counts
 * (a safety net: it can only raise the class). An HTTP-method word followed by another verb gives
 * way to it (`API-post-search` searches).
 */
export function analyseToolName(server: string, tool: string): ToolNameAnalysis {
  const words = tokenize(tool);
  const serverWords = new Set(tokenize(server));
  let core = words;
  if (
    core.length > 1 &&
    (NAMESPACE_PREFIXES.has(core[0]!) ||
      (serverWords.has(core[0]!) && verbClassOf(core[0]!) === undefined && !CATASTROPHIC_OBJECTS.has(singular(core[0]!))))
  ) {
    core = core.slice(1);
  }
  const isVerb = (w: string | undefined): boolean => w !== undefined && VERBS.has(w);
  let head = -1;
  if (isVerb(core[0])) head = 0;
  else
    for (let i = core.length - 1; i >= 0; i--)
      if (isVerb(core[i])) {
        head = i;
        break;
      }
  let transport = -1;
  if (head >= 0 && WEAK_VERBS.has(core[head]!)) {
    for (let i = head + 1; i < core.length; i++) {
      if (isVerb(core[i])) {
        transport = head;
        head = i;
        break;
      }
    }
  }
  const verbIdx = new Set<number>();
  if (head >= 0) {
    verbIdx.add(head);
    // `create_or_update`, `resources_create_or_update`: verbs joined by a conjunction.
    for (let i = head; i + 2 < core.length && CONJUNCTIONS.has(core[i + 1]!) && isVerb(core[i + 2]); i += 2) verbIdx.add(i + 2);
    for (let i = head; i - 2 >= 0 && CONJUNCTIONS.has(core[i - 1]!) && isVerb(core[i - 2]); i -= 2) verbIdx.add(i - 2);
  }
  for (let i = 0; i < core.length; i++) if (verbClassOf(core[i]!) === 'delete') verbIdx.add(i);
  let verbClass: VerbClass | undefined;
  const verbs: string[] = [];
  for (const i of [...verbIdx].sort((a, b) => a - b)) {
    verbs.push(core[i]!);
    verbClass = worseVerb(verbClass, verbClassOf(core[i]!));
  }
  let fromReadNoun = false;
  if (verbClass === undefined) {
    const noun = core.find((w) => READ_NOUNS.has(w));
    if (noun !== undefined) {
      verbClass = 'read';
      fromReadNoun = true;
      verbs.push(noun);
    }
  }
  const qualifiers = new Set(core.filter((w) => QUALIFIERS.has(w)));
  // Objects: non-verb words before the first preposition (after it: the container or the criterion).
  const candidates = core
    .map((w, i) => ({ w, i }))
    .filter(({ w, i }) => !verbIdx.has(i) && i !== transport && !QUALIFIERS.has(w) && !CONJUNCTIONS.has(w) && !ARTICLES.has(w));
  const firstPrep = candidates.findIndex(({ w }) => PREPOSITIONS.has(w));
  const kept = (firstPrep > 0 ? candidates.slice(0, firstPrep) : candidates).filter(({ w }) => !PREPOSITIONS.has(w));
  const objects = kept.map(({ w }) => singular(w)).filter((w) => !(fromReadNoun && READ_NOUNS.has(w)));
  return {
    words,
    core,
    verbs,
    verbClass,
    fromReadNoun,
    umbrella: verbs.length === 1 && UMBRELLA_VERBS.has(verbs[0]!),
    objects,
    qualifiers,
  };
}

/**
 * Objects whose deletion, reset or replacement hits a whole container (RISK.md catastrophic), with
 * the scope to report. `branch` is handled by the caller (a database branch, or a git branch).
 */
export const CATASTROPHIC_OBJECTS: ReadonlyMap<
  string,
  'namespace' | 'cluster' | 'database' | 'project' | 'account' | 'repository' | 'all' | 'disk'
> = new Map([
  ['namespace', 'namespace'],
  ['ns', 'namespace'],
  ['cluster', 'cluster'],
  ['customresourcedefinition', 'cluster'],
  ['crd', 'cluster'],
  ['database', 'database'],
  ['db', 'database'],
  ['schema', 'database'],
  ['keyspace', 'database'],
  ['dataset', 'database'],
  ['project', 'project'],
  ['environment', 'project'],
  ['env', 'project'],
  ['stack', 'project'],
  ['zone', 'project'],
  ['hostedzone', 'project'],
  ['account', 'account'],
  ['organization', 'account'],
  ['organisation', 'account'],
  ['org', 'account'],
  ['tenant', 'account'],
  ['vault', 'account'],
  ['repository', 'repository'],
  ['repo', 'repository'],
  ['bucket', 'all'],
  ['filesystem', 'disk'],
  ['disk', 'disk'],
] as const);

/** Kubernetes kind aliases (`kubectl api-resources` short names) → the kind's singular lower-case name. */
const KIND_ALIASES: Readonly<Record<string, string>> = {
  ns: 'namespace',
  po: 'pod',
  deploy: 'deployment',
  svc: 'service',
  pvc: 'persistentvolumeclaim',
  pv: 'persistentvolume',
  no: 'node',
  crd: 'customresourcedefinition',
  sts: 'statefulset',
  ds: 'daemonset',
  cm: 'configmap',
  rs: 'replicaset',
  ing: 'ingress',
  sa: 'serviceaccount',
};

/** Normalises a resource kind or type value: `Namespace`, `namespaces`, `ns`, `deployments.apps` → singular lower case. */
export function normaliseKind(value: string): string {
  const base = value
    .trim()
    .toLowerCase()
    .split('.')[0]!
    .split('/')[0]!
    .replace(/[^a-z0-9]/g, '');
  const one = KIND_ALIASES[base] ?? singular(base);
  return KIND_ALIASES[one] ?? one;
}
