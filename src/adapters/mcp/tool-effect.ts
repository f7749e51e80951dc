/**
 * The effect of an MCP tool call's own operation (RISK.md), judged from its name (see
 * tool-name.ts) and its arguments: what the verb does, to which object, at what scope. Text that
 * the arguments carry for another system (SQL, shell) is judged elsewhere; this module only
 * answers "what does this tool do to its resource". Pure; nothing here throws on odd arguments.
 */
import type { EffectVerb, RiskClass, Scope } from '../../core/assessment.js';
import { judgeFileWrite, type FilePathContext } from '../file-paths.js';
import { envWideSelector } from '../shell/tools/infra-common.js';
import {
  CATASTROPHIC_OBJECTS,
  normaliseKind,
  tokenize,
  verbClassOf,
  worseVerb,
  type ToolNameAnalysis,
  type VerbClass,
} from './tool-name.js';

/** What the tool's own operation does. */
export interface ToolFinding {
  readonly verb: EffectVerb;
  readonly risk: RiskClass;
  readonly scope: Scope;
  readonly disruptive: boolean;
  /** Overrides the default reversibility of the risk when set. */
  readonly reversible?: boolean | null;
  readonly why: string;
}

/** Everything the judgement reads. `deletePath` classifies deleting a local path (the shell's `rm` rules). */
export interface ToolFacts {
  readonly server: string;
  readonly name: ToolNameAnalysis;
  readonly args: Readonly<Record<string, unknown>>;
  readonly context: FilePathContext;
  readonly deletePath: (path: string, recursive: boolean) => ToolFinding;
}

/** Arguments whose value names the operation (`kubectl_rollout {subCommand: "restart"}`). */
const ACTION_ARGS = ['sub_command', 'subcommand', 'action', 'operation', 'op'];
/** Arguments whose value names the kind of resource acted on. */
const KIND_ARGS = ['kind', 'resource_type', 'resource_kind', 'object_type', 'target_type', 'entity_type', 'type'];
/** Arguments that may hold a manifest (YAML or JSON) whose `kind` names the resource. */
const MANIFEST_ARGS = ['resource', 'manifest', 'yaml', 'body', 'spec', 'content'];
const SELECTOR_ARGS = ['label_selector', 'selector', 'labels', 'field_selector'];
const ALL_NAMESPACE_ARGS = ['all_namespaces', 'all_namespace'];
const FILTER_ARGS = ['filter', 'query', 'where', 'criteria'];
const KEY_ARGS = ['key', 'keys'];
/** Path arguments, destination first (a move or copy overwrites its destination). */
const DESTINATION_ARGS = ['destination', 'dest', 'destination_path', 'target_path', 'new_path', 'to', 'to_path', 'output_path'];
const PATH_ARGS = ['path', 'file_path', 'filepath', 'filename', 'file', 'directory', 'dir', 'directory_path', 'folder'];

/** Words that say nothing about what is acted on; the arguments name it instead. */
const GENERIC_OBJECTS: ReadonlySet<string> = new Set([
  'resource',
  'object',
  'obj',
  'manifest',
  'kubernetes',
  'k8',
  'k8s',
  'kubectl',
  'yaml',
  'thing',
  'entity',
]);
/** Regenerable things (RISK.md write): deleting them loses nothing that cannot be rebuilt. */
const REGENERABLE_OBJECTS: ReadonlySet<string> = new Set(['cache', 'tmp', 'temp', 'tempfile', 'scratch']);
/** Records in one's own datastore: deleting one by key is record-level CRUD (RISK.md write). */
const RECORD_OBJECTS: ReadonlySet<string> = new Set(['key', 'item', 'record', 'row', 'document', 'doc', 'entry', 'hash', 'field']);
const FILE_OBJECTS: ReadonlySet<string> = new Set(['file', 'text', 'content', 'line']);
const DIRECTORY_OBJECTS: ReadonlySet<string> = new Set(['directory', 'dir', 'folder']);
/** Associations whose removal is reversible configuration (`remove_label`, `remove_member`). */
const ASSOCIATION_OBJECTS: ReadonlySet<string> = new Set([
  'label',
  'tag',
  'member',
  'permission',
  'assignee',
  'reviewer',
  'collaborator',
  'reaction',
  'star',
  'watcher',
  'subscriber',
  'binding',
  'participant',
  'attendee',
  'follower',
]);
/** Credentials: resetting or revoking one is a rotation, not data loss. */
const CREDENTIAL_OBJECTS: ReadonlySet<string> = new Set(['password', 'token', 'credential', 'secret', 'mfa', 'session', 'apikey']);
/** Git refs: updating one with `force` moves it without a fast-forward check (= `push --force`). */
const REF_OBJECTS: ReadonlySet<string> = new Set(['ref', 'reference', 'branch', 'head']);
const GIT_HOSTS: ReadonlySet<string> = new Set(['github', 'gitlab', 'bitbucket', 'gitea', 'codeberg', 'forgejo']);
/** Replace-like verbs that wipe what they reach (`reset_branch`, `recreate_environment`). */
const WIPING_VERBS: ReadonlySet<string> = new Set(['reset', 'recreate', 'reimage', 'overwrite']);
/** Verbs that only detach something from a container, as opposed to destroying it. */
const DETACH_VERBS: ReadonlySet<string> = new Set(['remove', 'rm', 'unassign', 'unlink', 'detach']);
/** Writing verbs that overwrite the file at their path argument. */
const FILE_WRITE_VERBS: ReadonlySet<string> = new Set([
  'write',
  'edit',
  'create',
  'append',
  'move',
  'mv',
  'rename',
  'copy',
  'save',
  'put',
  'update',
  'modify',
  'patch',
  'set',
  'insert',
  'replace',
  'overwrite',
  'upsert',
  'change',
]);
const HTTP_METHODS: Readonly<Record<string, VerbClass>> = {
  GET: 'read',
  HEAD: 'read',
  OPTIONS: 'read',
  POST: 'create',
  PUT: 'modify',
  PATCH: 'modify',
  DELETE: 'delete',
};

/** Snake-case, lower-case form of an argument name: `resourceType` → `resource_type`. */
export function normaliseKey(key: string): string {
  return tokenize(key).join('_');
}

/** Arguments by normalised name; the first spelling wins. */
export function normalisedArgs(args: Readonly<Record<string, unknown>>): ReadonlyMap<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(args)) {
    const n = normaliseKey(k);
    if (!out.has(n)) out.set(n, v);
  }
  return out;
}

function first(norm: ReadonlyMap<string, unknown>, names: readonly string[]): { name: string; value: unknown } | undefined {
  for (const name of names) if (norm.has(name)) return { name, value: norm.get(name) };
  return undefined;
}

function firstString(norm: ReadonlyMap<string, unknown>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = norm.get(name);
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return undefined;
}

function truthy(value: unknown): boolean {
  if (value === true || value === 1) return true;
  if (typeof value === 'string') return /^(true|yes|1|on)$/i.test(value.trim());
  return false;
}

function hasWildcard(text: string): boolean {
  return /[*?[]/.test(text);
}

/** The verb an action argument names (`restart`, `status`), or an HTTP method (`DELETE`). */
function actionVerb(norm: ReadonlyMap<string, unknown>): { word: string; cls: VerbClass } | undefined {
  const method = norm.get('method');
  if (typeof method === 'string' && HTTP_METHODS[method.trim().toUpperCase()] !== undefined) {
    return { word: method.trim().toUpperCase(), cls: HTTP_METHODS[method.trim().toUpperCase()]! };
  }
  const value = firstString(norm, ACTION_ARGS);
  if (value === undefined) return undefined;
  for (const w of tokenize(value)) {
    const cls = verbClassOf(w) ?? (/^(status|history|log|logs)$/.test(w) ? 'read' : undefined);
    if (cls !== undefined) return { word: w, cls };
  }
  return undefined;
}

/** The kind named by a kind-like argument or by a manifest's `kind:` line. */
function kindFromArgs(norm: ReadonlyMap<string, unknown>): { kind: string; from: string } | undefined {
  const direct = first(
    norm,
    KIND_ARGS.filter((k) => typeof norm.get(k) === 'string'),
  );
  if (direct !== undefined && typeof direct.value === 'string' && direct.value.trim() !== '') {
    return { kind: normaliseKind(direct.value), from: `argument ${direct.name}=${direct.value}` };
  }
  for (const name of MANIFEST_ARGS) {
    const v = norm.get(name);
    if (typeof v !== 'string') continue;
    const kinds = [...v.matchAll(/(?:^|\n)\s*"?kind"?\s*:\s*"?([A-Za-z][A-Za-z0-9]*)/g)].map((m) => normaliseKind(m[1]!));
    if (kinds.length === 0) continue;
    // Several documents: report the worst kind first (a catastrophic one, if any).
    const worst = kinds.find((k) => CATASTROPHIC_OBJECTS.has(k)) ?? kinds[0]!;
    return { kind: worst, from: `the manifest in argument ${name} (kind ${worst})` };
  }
  return undefined;
}

/** Mongo-style filter: empty (every document), by key (`_id`/`id`, literal or `$in`/`$eq` list), or anything else. */
function filterShape(value: unknown): 'empty' | 'key' | 'other' | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return 'empty';
  const literal = (v: unknown): boolean =>
    typeof v === 'string' ||
    typeof v === 'number' ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 1 && typeof (v as Record<string, unknown>)['$oid'] === 'string');
  const byKey = entries.every(([k, v]) => {
    if (!/^(_id|id|key|pk)$/i.test(k)) return false;
    if (literal(v)) return true;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const ops = Object.entries(v as Record<string, unknown>);
    return (
      ops.length === 1 &&
      (ops[0]![0] === '$eq'
        ? literal(ops[0]![1])
        : ops[0]![0] === '$in' && Array.isArray(ops[0]![1]) && (ops[0]![1] as unknown[]).every(literal))
    );
  });
  return byKey ? 'key' : 'other';
}

const f = (verb: EffectVerb, risk: RiskClass, scope: Scope, why: string, disruptive = false): ToolFinding => ({
  verb,
  risk,
  scope,
  disruptive,
  why,
});

/**
 * Judges the tool's own operation, or returns null when neither the name nor an action argument
 * names an operation (the caller then reports `unknown`, or uses an annotation hint).
 */
export function judgeToolEffect(facts: ToolFacts): ToolFinding | null {
  const { name, args } = facts;
  const norm = normalisedArgs(args);
  const serverWords = tokenize(facts.server);
  const gitContext = [...name.words, ...serverWords].some((w) => w === 'git' || GIT_HOSTS.has(w));
  const remoteRepo = serverWords.some((w) => GIT_HOSTS.has(w)) || (norm.has('owner') && (norm.has('repo') || norm.has('repository')));

  let cls = name.verbClass;
  let verbs = [...name.verbs];
  let via = name.verbs.length > 0 ? `tool name "${name.words.join('_')}": ${name.verbs.join('/')}` : '';
  const fromArg = actionVerb(norm);
  if (fromArg !== undefined) {
    if (cls === undefined || name.umbrella || name.fromReadNoun) {
      cls = fromArg.cls;
      verbs = [fromArg.word];
      via = `action argument names "${fromArg.word}"`;
    } else if (worseVerb(cls, fromArg.cls) !== cls) {
      cls = fromArg.cls;
      verbs = [...verbs, fromArg.word];
      via = `${via}; action argument names "${fromArg.word}"`;
    }
  }
  if (cls === undefined) return null;

  // The object acted on: the head noun of the name, or what the arguments name.
  let object = name.objects[name.objects.length - 1];
  let objectFrom = object === undefined ? '' : `"${object}" in the name`;
  if (object === undefined || GENERIC_OBJECTS.has(object)) {
    const k = kindFromArgs(norm);
    if (k !== undefined) {
      object = k.kind;
      objectFrom = k.from;
    }
  }
  const has = (word: string): boolean => verbs.includes(word);
  const forcedByName = name.qualifiers.has('force') || name.qualifiers.has('forced');
  const forced = forcedByName || truthy(norm.get('force'));
  const describe = (what: string): string => `${via}${objectFrom === '' ? '' : ` on ${objectFrom}`}: ${what}`;

  switch (cls) {
    case 'read': {
      const text = JSON.stringify(args) ?? '';
      if (has('aggregate') && text.includes('"$out"'))
        return f('replace', 'destructive', 'resource', describe('an aggregation with $out replaces its target collection'));
      if (has('aggregate') && text.includes('"$merge"'))
        return f('modify', 'write', 'resource', describe('an aggregation with $merge writes into a collection'));
      return f('read', 'read', 'none', describe('reads only'));
    }
    case 'execute':
      return f('execute', 'unknown', 'unknown', describe('runs something the name does not describe'));
    case 'disrupt':
      if (has('drain') && forced)
        return f('delete', 'destructive', 'resource', describe('drain --force deletes unmanaged pods and their local data'));
      if (forcedByName)
        return f('replace', 'destructive', 'resource', describe('a forced operation skips the safety checks that keep state'));
      return f('modify', 'write', 'resource', describe('disrupts availability, keeps state'), true);
    case 'create':
    case 'modify': {
      if (has('push') && forced)
        return f('replace', 'destructive', 'resource', describe('a forced push can discard commits on the remote'));
      if (gitContext && forced && object !== undefined && REF_OBJECTS.has(object))
        return f('replace', 'destructive', 'resource', describe('force-moving a ref is a forced push: commits on it can be discarded'));
      if (has('checkout') && forced)
        return f('replace', 'destructive', 'resource', describe('a forced checkout discards uncommitted changes'));
      if (forcedByName)
        return f(
          'replace',
          'destructive',
          'resource',
          describe('a forced operation (force_push, force_unlock) skips the safety checks that keep state'),
        );
      const fileWrite = judgeWrittenPath(facts, norm, verbs, object, cls, remoteRepo);
      if (fileWrite !== undefined) return fileWrite;
      const filter = filterShape(first(norm, FILTER_ARGS)?.value);
      if (filter === 'empty' && (cls === 'modify' || has('update')))
        return f('modify', 'destructive', 'all', describe('an empty filter updates every record (UPDATE without WHERE)'));
      return f(
        cls === 'create' ? 'create' : 'modify',
        'write',
        'resource',
        describe(cls === 'create' ? 'creates state' : 'changes state reversibly'),
      );
    }
    case 'replace': {
      if (object !== undefined && CREDENTIAL_OBJECTS.has(object)) return f('modify', 'write', 'resource', describe('rotates a credential'));
      if (has('reset') && gitContext) {
        const mode = [norm.get('mode'), norm.get('type'), norm.get('reset_type')].find((v) => typeof v === 'string');
        if (truthy(norm.get('hard')) || (typeof mode === 'string' && /hard|merge|keep/i.test(mode))) {
          return f('replace', 'destructive', 'resource', describe('a hard reset discards uncommitted work'));
        }
        return f('modify', 'write', 'resource', describe('a mixed or soft reset keeps the worktree (RISK.md write)'));
      }
      // Resetting or recreating a whole container loses everything in it; a restore or rebase of one is bounded.
      const whole = verbs.some((v) => WIPING_VERBS.has(v)) ? wholeContainer(object, gitContext) : undefined;
      if (whole !== undefined)
        return f('replace', 'catastrophic', whole, describe(`resets a whole ${object ?? 'container'}: every change in it is lost`));
      return f('replace', 'destructive', 'resource', describe('replaces existing state'));
    }
    case 'delete':
      return judgeDelete(facts, norm, verbs, object, describe, gitContext, remoteRepo);
  }
}

/** The scope of a catastrophic container, or undefined. A branch is a database branch unless the tool is about git. */
function wholeContainer(object: string | undefined, gitContext: boolean): Scope | undefined {
  if (object === undefined) return undefined;
  if (object === 'branch') return gitContext ? undefined : 'database';
  return CATASTROPHIC_OBJECTS.get(object);
}

function judgeWrittenPath(
  facts: ToolFacts,
  norm: ReadonlyMap<string, unknown>,
  verbs: readonly string[],
  object: string | undefined,
  cls: VerbClass,
  remoteRepo: boolean,
): ToolFinding | undefined {
  if (remoteRepo || !verbs.some((v) => FILE_WRITE_VERBS.has(v))) return undefined;
  const moving = verbs.some((v) => v === 'move' || v === 'mv' || v === 'rename' || v === 'copy');
  if (object !== undefined && !FILE_OBJECTS.has(object) && !(moving && DIRECTORY_OBJECTS.has(object))) return undefined;
  // Creating a directory adds; only files are overwritten.
  if (object !== undefined && DIRECTORY_OBJECTS.has(object) && cls === 'create') return undefined;
  const path = firstString(norm, moving ? [...DESTINATION_ARGS, ...PATH_ARGS] : [...PATH_ARGS, ...DESTINATION_ARGS]);
  if (path === undefined) return undefined;
  const j = judgeFileWrite(path, facts.context);
  return {
    verb: j.risk === 'write' ? 'modify' : 'replace',
    risk: j.risk,
    scope: 'resource',
    disruptive: false,
    reversible: j.reversible,
    why: `writes ${path}: ${j.reason}`,
  };
}

function judgeDelete(
  facts: ToolFacts,
  norm: ReadonlyMap<string, unknown>,
  verbs: readonly string[],
  object: string | undefined,
  describe: (what: string) => string,
  gitContext: boolean,
  remoteRepo: boolean,
): ToolFinding {
  const q = facts.name.qualifiers;
  const allNamespaces = ALL_NAMESPACE_ARGS.some((k) => truthy(norm.get(k)));
  const all = q.has('all') || q.has('every') || truthy(norm.get('all'));
  const selector = firstString(norm, SELECTOR_ARGS);
  const forced = q.has('force') || q.has('forced') || truthy(norm.get('force'));

  const whole = wholeContainer(object, gitContext);
  if (whole !== undefined) return f('delete', 'catastrophic', whole, describe(`deletes a whole ${object}`));
  if (allNamespaces) return f('delete', 'catastrophic', 'cluster', describe('deletes across every namespace'));

  if (object === 'pod') {
    const grace = norm.get('grace_period');
    const named = [...norm.entries()].some(
      ([k, v]) => /(^|_)(name|names|id|ids|pod)$/.test(k) && (typeof v === 'string' ? v !== '' : Array.isArray(v) && v.length > 0),
    );
    if (all || selector !== undefined || !named)
      return f('delete', 'destructive', 'selection', describe('deletes every selected pod at once'));
    if (forced || grace === 0 || grace === '0')
      return f('delete', 'destructive', 'resource', describe('force-deletes a pod without graceful shutdown'));
    return {
      ...f('delete', 'write', 'resource', describe('deletes a pod; its controller recreates it (RISK.md assumption 4)'), true),
      reversible: true,
    };
  }
  if (object !== undefined && REGENERABLE_OBJECTS.has(object))
    return f('delete', 'write', 'resource', describe('deletes regenerable data'));
  if (object !== undefined && ASSOCIATION_OBJECTS.has(object) && verbs.some((v) => DETACH_VERBS.has(v))) {
    return f('modify', 'write', 'resource', describe(`removes a ${object} association, which can be added back`));
  }
  if (all) return f('delete', 'catastrophic', 'all', describe('deletes every item of its kind (mass deletion)'));
  if (selector !== undefined && envWideSelector(selector))
    return f('delete', 'catastrophic', 'project', describe(`selector ${selector} picks a whole environment`));

  // Records by key (Redis DEL of named keys, DynamoDB delete-item, Mongo deleteOne by _id).
  const keys = first(norm, KEY_ARGS);
  if (keys !== undefined && (object === undefined || (RECORD_OBJECTS.has(object) && !facts.name.words.includes('dns')))) {
    const list = Array.isArray(keys.value) ? keys.value : [keys.value];
    const literal =
      list.length > 0 &&
      list.every(
        (k) => (typeof k === 'string' && k !== '' && !hasWildcard(k)) || typeof k === 'number' || (typeof k === 'object' && k !== null),
      );
    return literal
      ? f('delete', 'write', 'resource', describe('deletes named records by key (record-level CRUD)'))
      : f('delete', 'destructive', 'selection', describe('deletes every key matching a pattern'));
  }
  const filter = filterShape(first(norm, FILTER_ARGS)?.value);
  if (filter === 'empty') return f('delete', 'destructive', 'all', describe('an empty filter deletes every record (DELETE without WHERE)'));
  const dnsRecord = object !== undefined && RECORD_OBJECTS.has(object) && facts.name.words.includes('dns');
  if (!dnsRecord && (filter === 'key' || (filter === 'other' && q.has('one'))))
    return f('delete', 'write', 'resource', describe('deletes one record by key'));
  if (filter === 'other') return f('delete', 'destructive', 'selection', describe('deletes every record matching a filter'));
  // A DNS record is a named entity in a provider, not a row of one's own datastore (RISK.md: DNS record, destructive).
  if (object !== undefined && RECORD_OBJECTS.has(object) && !facts.name.words.includes('dns')) {
    const id = [...norm.keys()].some((k) => /(^|_)(id|key|pk)$/.test(k) && norm.get(k) !== undefined && typeof norm.get(k) !== 'object');
    if (id) return f('delete', 'write', 'resource', describe('deletes one record by key (record-level CRUD)'));
  }

  // Files: a commit on a git host keeps history; a local path follows the filesystem rules.
  const fileLike = object === undefined || FILE_OBJECTS.has(object) || DIRECTORY_OBJECTS.has(object) || object === 'path';
  if (fileLike) {
    if (remoteRepo && (object === undefined ? firstString(norm, PATH_ARGS) !== undefined : true)) {
      return {
        ...f('delete', 'write', 'resource', describe('commits the deletion of a tracked file; history keeps it (RISK.md write)')),
        reversible: true,
      };
    }
    const path = firstString(norm, PATH_ARGS);
    if (path !== undefined) {
      const recursive =
        (object !== undefined && DIRECTORY_OBJECTS.has(object)) || truthy(norm.get('recursive')) || facts.name.qualifiers.has('recursive');
      return facts.deletePath(path, recursive);
    }
  }
  return f('delete', 'destructive', 'resource', describe('deletes state that cannot be recovered'));
}
