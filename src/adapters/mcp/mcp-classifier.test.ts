import { describe, expect, it } from 'vitest';
import type { McpAction, SqlDialect } from '../../core/action.js';
import { assessmentFromEffects, type Assessment, type RiskClass } from '../../core/assessment.js';
import { McpClassifier, looksLikeSql, mcpServerMappingsSchema } from './mcp-classifier.js';

/** A stand-in for the shell or SQL classifier: one effect of a fixed class. */
function fixed(risk: RiskClass, kind: 'shell' | 'sql', extra: Partial<Assessment> = {}): Assessment {
  const base = assessmentFromEffects({
    kind,
    effects: [
      {
        verb: risk === 'read' ? 'read' : 'delete',
        resource: `${kind} stand-in`,
        scope: risk === 'catastrophic' ? 'database' : 'resource',
        reversible: risk === 'read',
        risk,
        disruptive: false,
        reason: `stand-in ${kind} classifier says ${risk}`,
      },
    ],
    targets: kind === 'sql' ? [{ type: 'database', database: 'appdb' }] : [],
  });
  return { ...base, ...extra };
}

interface Calls {
  shell: string[];
  sql: Array<[string, SqlDialect]>;
}

function classifier(options: { shell?: RiskClass; sql?: RiskClass; mappings?: unknown; throwing?: boolean } = {}): {
  c: McpClassifier;
  calls: Calls;
} {
  const calls: Calls = { shell: [], sql: [] };
  const c = new McpClassifier({
    shell: (command) => {
      calls.shell.push(command);
      if (options.throwing) throw new Error('parser exploded');
      return fixed(options.shell ?? 'read', 'shell');
    },
    sql: (sql, dialect) => {
      calls.sql.push([sql, dialect]);
      if (options.throwing) throw new Error('parser exploded');
      return fixed(options.sql ?? 'read', 'sql');
    },
    ...(options.mappings === undefined ? {} : { mappings: mcpServerMappingsSchema.parse(options.mappings) }),
  });
  return { c, calls };
}

function call(server: string, tool: string, args: Record<string, unknown> = {}, annotations?: McpAction['annotations']): McpAction {
  return { kind: 'mcp', server, tool, arguments: args, ...(annotations === undefined ? {} : { annotations }) };
}

describe('McpClassifier: tool names', () => {
  const { c } = classifier();
  it.each([
    ['github', 'get_issue', 'read'],
    ['github', 'list_pull_requests', 'read'],
    ['filesystem', 'read_file', 'read'],
    ['github', 'search_code', 'read'],
    ['aws', 'describe_instances', 'read'],
    ['github', 'create_issue', 'write'],
    ['memory', 'add_observations', 'write'],
    ['linear', 'update_issue', 'write'],
    ['filesystem', 'write_file', 'write'],
    ['slack', 'post_message', 'write'],
    ['gmail', 'send_email', 'write'],
    ['linear', 'delete_issue', 'destructive'],
    ['memory', 'remove_entities', 'destructive'],
    ['sqlite', 'drop_table', 'destructive'],
    ['k8s', 'destroy_deployment', 'destructive'],
    ['sqs', 'purge_queue', 'destructive'],
    ['supabase', 'reset_branch', 'catastrophic'],
    ['supabase', 'delete_branch', 'catastrophic'],
    ['neon', 'delete_project', 'catastrophic'],
    ['pg', 'drop_database', 'catastrophic'],
    ['neon', 'deleteProject', 'catastrophic'],
    ['x', 'delete-branch', 'catastrophic'],
  ] as const)('%s/%s is %s', (server, tool, risk) => {
    const a = c.classify(call(server, tool, { id: 'x1' }));
    expect(a.risk).toBe(risk);
    expect(a.kind).toBe('mcp');
    expect(a.targets).toContainEqual({ type: 'mcp', server });
  });

  it('an unmapped, unannotated, unrecognisable tool is unknown', () => {
    const a = c.classify(call('acme', 'frobnicate', { widget: 'w1' }));
    expect(a.risk).toBe('unknown');
    expect(a.reasons.join(' ')).toMatch(/not judged safe/);
  });

  it('catastrophic tools report the container they hit', () => {
    const a = c.classify(call('supabase', 'reset_branch', { branch_id: 'br_main' }));
    expect(a.effects[0]).toMatchObject({ scope: 'database', reversible: false, verb: 'replace' });
    expect(a.effects[0]?.resource).toBe('mcp supabase/reset_branch branch_id=br_main');
    expect(a.blastRadius.scope).toBe('database');
  });

  it('restart-like tools are writes that disrupt availability', () => {
    const a = c.classify(call('k8s', 'restart_deployment', { name: 'api' }));
    expect(a.risk).toBe('write');
    expect(a.disruptive).toBe(true);
  });
});

describe('McpClassifier: annotations are hints', () => {
  const { c } = classifier({ sql: 'destructive', shell: 'catastrophic' });
  it('readOnlyHint makes an otherwise unknown tool a read', () => {
    expect(c.classify(call('acme', 'frobnicate', {}, { readOnlyHint: true })).risk).toBe('read');
  });
  it('readOnlyHint from an untrusted server never lowers a destructive name', () => {
    expect(c.classify(call('evil', 'delete_everything', {}, { readOnlyHint: true })).risk).toBe('destructive');
    expect(c.classify(call('evil', 'drop_database', {}, { readOnlyHint: true })).risk).toBe('catastrophic');
  });
  it('readOnlyHint never lowers a write name', () => {
    expect(c.classify(call('evil', 'update_user', {}, { readOnlyHint: true })).risk).toBe('write');
  });
  it('readOnlyHint never lowers what the arguments reveal', () => {
    const a = c.classify(call('evil', 'get_report', { query: 'DROP TABLE users' }, { readOnlyHint: true }));
    expect(a.risk).toBe('destructive');
    const b = c.classify(call('evil', 'get_status', { command: 'rm -rf /' }, { readOnlyHint: true }));
    expect(b.risk).toBe('catastrophic');
  });
  it('destructiveHint raises to at least destructive', () => {
    expect(c.classify(call('acme', 'get_thing', {}, { destructiveHint: true })).risk).toBe('destructive');
    expect(c.classify(call('acme', 'frobnicate', {}, { destructiveHint: true })).risk).toBe('destructive');
    expect(c.classify(call('acme', 'create_thing', {}, { readOnlyHint: true, destructiveHint: true })).risk).toBe('destructive');
    expect(c.classify(call('supabase', 'delete_branch', {}, { destructiveHint: true })).risk).toBe('catastrophic');
  });
  it('destructiveHint: false does not lower anything', () => {
    expect(c.classify(call('x', 'delete_issue', {}, { destructiveHint: false })).risk).toBe('destructive');
  });
});

describe('McpClassifier: arguments', () => {
  it('sends SQL-looking sql/query arguments to the SQL classifier, and the tool is only a conduit', () => {
    const { c, calls } = classifier({ sql: 'destructive' });
    const a = c.classify(call('supabase', 'execute_sql', { project_id: 'p1', query: 'DELETE FROM users' }));
    expect(calls.sql).toEqual([['DELETE FROM users', 'unknown']]);
    expect(a.risk).toBe('destructive');
    expect(a.kind).toBe('mcp');
    expect(a.targets).toContainEqual({ type: 'database', database: 'appdb' });
    expect(a.effects.every((e) => e.risk !== 'unknown')).toBe(true);
  });

  it('a read-only SQL through an execute tool is a read', () => {
    const { c } = classifier({ sql: 'read' });
    expect(c.classify(call('postgres', 'query', { sql: 'SELECT * FROM orders LIMIT 10;' })).risk).toBe('read');
  });

  it('leading comments do not hide SQL', () => {
    const { c, calls } = classifier({ sql: 'catastrophic' });
    const a = c.classify(call('db', 'run', { sql: '-- harmless\n/* really */ DROP DATABASE prod' }));
    expect(calls.sql).toHaveLength(1);
    expect(a.risk).toBe('catastrophic');
  });

  it('a query argument that is not SQL (a search string) is not sent to the SQL classifier', () => {
    const { c, calls } = classifier({ sql: 'catastrophic' });
    const a = c.classify(call('github', 'search_issues', { query: 'is:open label:bug drop database' }));
    expect(calls.sql).toHaveLength(0);
    expect(a.risk).toBe('read');
  });

  it('sends command/cmd arguments to the shell classifier, argv arrays quoted', () => {
    const { c, calls } = classifier({ shell: 'catastrophic' });
    const a = c.classify(call('desktop-commander', 'execute_command', { command: 'rm -rf /' }));
    expect(a.risk).toBe('catastrophic');
    c.classify(call('runner', 'run', { cmd: ['rm', '-rf', 'my dir'] }));
    expect(calls.shell).toEqual(['rm -rf /', "rm -rf 'my dir'"]);
  });

  it('a write-named tool carrying a destructive command takes the worse class', () => {
    const { c } = classifier({ shell: 'destructive' });
    const a = c.classify(call('ci', 'create_job', { command: 'git push --force origin main' }));
    expect(a.risk).toBe('destructive');
    expect(a.effects.map((e) => e.risk).sort()).toEqual(['destructive', 'write']);
  });

  it('keeps obfuscation and reasons from nested classifiers', () => {
    const c = new McpClassifier({
      shell: () => ({ ...fixed('destructive', 'shell'), obfuscated: true, reasons: ['unwrapped bash -c'] }),
      sql: () => fixed('read', 'sql'),
    });
    const a = c.classify(call('term', 'run_command', { command: "bash -c 'rm -rf data'" }));
    expect(a.obfuscated).toBe(true);
    expect(a.reasons).toContain('unwrapped bash -c');
  });

  it('reports paths and databases the arguments name as targets', () => {
    const { c } = classifier();
    const a = c.classify(call('filesystem', 'write_file', { path: '/srv/app/config.yml', content: 'x' }));
    expect(a.targets).toEqual([
      { type: 'mcp', server: 'filesystem' },
      { type: 'path', path: '/srv/app/config.yml' },
    ]);
    const b = c.classify(call('mongo', 'list_collections', { database: 'orders' }));
    expect(b.targets).toContainEqual({ type: 'database', database: 'orders' });
  });

  it('a nested classifier that throws yields unknown, never an exception', () => {
    const { c } = classifier({ throwing: true });
    const a = c.classify(call('db', 'execute_sql', { sql: 'DELETE FROM t' }));
    expect(a.risk).toBe('unknown');
    expect(a.reasons.join(' ')).toMatch(/parser exploded/);
    const b = c.classify(call('term', 'get_status', { command: 'ls' }));
    expect(b.risk).toBe('unknown');
  });
});

describe('McpClassifier: operator mappings', () => {
  const mappings = {
    warehouse: {
      run: { verb: 'execute', sqlArgument: 'text', dialect: 'postgresql' },
      purge_cache: { risk: 'write' },
      frobnicate: { verb: 'delete', resourceArgument: 'widget' },
      sync: { verb: 'modify', pathArgument: 'target' },
      shellish: { shellArgument: 'script' },
    },
  };

  it('uses the mapped SQL argument and dialect even when the text does not start like SQL', () => {
    const { c, calls } = classifier({ sql: 'destructive', mappings });
    const a = c.classify(call('warehouse', 'run', { text: '  truncate events' }));
    expect(calls.sql).toEqual([['  truncate events', 'postgresql']]);
    expect(a.risk).toBe('destructive');
  });

  it('a risk override replaces the name finding', () => {
    const { c } = classifier({ mappings });
    expect(c.classify(call('warehouse', 'purge_cache', {})).risk).toBe('write');
  });

  it('a risk override never hides SQL or shell found in the arguments', () => {
    const { c } = classifier({ sql: 'catastrophic', mappings: { db: { exec: { risk: 'write', sqlArgument: 'q' } } } });
    expect(c.classify(call('db', 'exec', { q: 'DROP DATABASE prod' })).risk).toBe('catastrophic');
  });

  it('a mapped verb classifies an otherwise unknown tool and names its resource', () => {
    const { c } = classifier({ mappings });
    const a = c.classify(call('warehouse', 'frobnicate', { widget: 'w-42' }));
    expect(a.risk).toBe('destructive');
    expect(a.effects[0]?.resource).toBe('mcp warehouse/frobnicate widget=w-42');
  });

  it('a mapped path argument becomes a target', () => {
    const { c } = classifier({ mappings });
    const a = c.classify(call('warehouse', 'sync', { target: '/data/export' }));
    expect(a.risk).toBe('write');
    expect(a.targets).toContainEqual({ type: 'path', path: '/data/export' });
  });

  it('a mapped shell argument goes to the shell classifier', () => {
    const { c, calls } = classifier({ shell: 'destructive', mappings });
    expect(c.classify(call('warehouse', 'shellish', { script: 'rm -rf ~/data' })).risk).toBe('destructive');
    expect(calls.shell).toEqual(['rm -rf ~/data']);
  });

  it('mappings of one server do not apply to another', () => {
    const { c } = classifier({ mappings });
    expect(c.classify(call('other', 'frobnicate', {})).risk).toBe('unknown');
  });

  it('the schema rejects typos and unknown risk classes', () => {
    expect(() => mcpServerMappingsSchema.parse({ s: { t: { verbb: 'read' } } })).toThrow();
    expect(() => mcpServerMappingsSchema.parse({ s: { t: { risk: 'harmless' } } })).toThrow();
    expect(mcpServerMappingsSchema.parse({ s: { t: { verb: 'read' } } })).toEqual({ s: { t: { verb: 'read' } } });
  });
});

type Row = readonly [server: string, tool: string, args: Record<string, unknown>, risk: RiskClass, disruptive?: boolean];

/** One `it` per row: the call's class and its disruption flag. */
function table(make: () => McpClassifier, rows: readonly Row[]): void {
  for (const [server, tool, args, risk, disruptive = false] of rows) {
    it(`${server}/${tool} ${JSON.stringify(args)} → ${risk}${disruptive ? ' (disruptive)' : ''}`, () =>
      expectRow(make(), server, tool, args, risk, disruptive));
  }
}

function expectRow(
  c: McpClassifier,
  server: string,
  tool: string,
  args: Record<string, unknown>,
  risk: RiskClass,
  disruptive = false,
): void {
  const a = c.classify(call(server, tool, args));
  expect(a.risk, `${server}/${tool} ${JSON.stringify(args)}`).toBe(risk);
  expect(a.disruptive, `${server}/${tool} disruptive`).toBe(disruptive);
  expect(a.kind).toBe('mcp');
}

describe('McpClassifier: verbs anywhere in the name', () => {
  const { c } = classifier();
  table(
    () => c,
    [
      // a server-name or API prefix is dropped: slack_, API-, kubectl_, git_
      ['slack', 'slack_get_channel_history', { channel_id: 'C1' }, 'read'],
      ['slack', 'slack_post_message', { channel_id: 'C1', text: 'next: kubectl delete ns x' }, 'write'],
      ['notion', 'API-post-search', { query: 'incident runbook' }, 'read'],
      ['notion', 'API-post-database-query', { database_id: 'd1' }, 'read'],
      ['notion', 'API-post-page', { parent: { page_id: 'p' } }, 'write'],
      ['notion', 'API-patch-page', { page_id: 'p' }, 'write'],
      ['notion', 'API-delete-a-block', { block_id: 'b' }, 'destructive'],
      ['git', 'git_status', { repo_path: '.' }, 'read'],
      ['git', 'git_log', { repo_path: '.', max_count: 10 }, 'read'],
      ['git', 'git_diff_unstaged', { repo_path: '.' }, 'read'],
      ['git', 'git_commit', { repo_path: '.', message: 'fix: rm -rf cache handling' }, 'write'],
      ['git', 'git_create_branch', { repo_path: '.', branch_name: 'feature/x' }, 'write'],
      ['git', 'git_add', { repo_path: '.', files: ['a.ts'] }, 'write'],
      ['mcp-server-kubernetes', 'kubectl_get', { resourceType: 'pods', namespace: 'web' }, 'read'],
      ['mcp-server-kubernetes', 'kubectl_logs', { name: 'api-1' }, 'read'],
      // object-first names: the verb comes last
      ['kubernetes', 'pods_log', { name: 'api-1', namespace: 'web' }, 'read'],
      ['kubernetes', 'pods_list_in_namespace', { namespace: 'web' }, 'read'],
      ['kubernetes', 'pods_top', {}, 'read'],
      ['kubernetes', 'resources_create_or_update', { resource: 'kind: ConfigMap\nmetadata:\n  name: c\n' }, 'write'],
      ['kubernetes', 'helm_install', { chart: 'bitnami/redis', name: 'redis' }, 'write'],
      ['github', 'push_files', { owner: 'a', repo: 'r', branch: 'f', files: [], message: 'm' }, 'write'],
      ['github', 'merge_pull_request', { owner: 'a', repo: 'r', pullNumber: 4 }, 'write'],
      ['mongodb', 'find', { database: 'app', collection: 'users', filter: {} }, 'read'],
      ['filesystem', 'directory_tree', { path: 'src' }, 'read'],
      ['linear', 'archive_issue', { id: 'ENG-1' }, 'write'],
      ['stripe', 'cancel_subscription', { subscription: 'sub_1' }, 'write'],
      ['desktop-commander', 'kill_process', { pid: 42 }, 'write', true],
      // look-alikes: a verb-first name keeps its first verb even when a later word is also a verb
      ['github', 'get_commit', { owner: 'a', repo: 'r', sha: 'abc' }, 'read'],
      ['github', 'list_commits', { owner: 'a', repo: 'r' }, 'read'],
      ['gitlab', 'get_merge_request', { project_id: '1', merge_request_iid: 2 }, 'read'],
      ['github', 'list_tags', { owner: 'a', repo: 'r' }, 'read'],
      ['x', 'list_deleted_items', {}, 'read'],
      // still unrecognisable: unknown, never read
      ['acme-ops', 'sync_state', { target: 'billing' }, 'unknown'],
      ['acme-ops', 'process_batch', { batch_id: 42 }, 'unknown'],
      ['acme-ops', 'run', { job: 'nightly' }, 'unknown'],
      ['playwright', 'browser_click', { element: 'Delete account' }, 'unknown'],
      ['ci', 'workflow_run_logs', { run_id: 1 }, 'unknown'],
    ],
  );

  it('a delete-like word anywhere raises the class, whatever comes first', () => {
    expect(c.classify(call('x', 'get_or_delete_item', { name: 'a' })).risk).toBe('destructive');
    expect(c.classify(call('x', 'archive_and_purge_logs', {})).risk).toBe('destructive');
  });
});

describe('McpClassifier: scope from the name and the arguments', () => {
  const { c } = classifier();
  table(
    () => c,
    [
      // kind-like arguments name the resource when the name does not
      ['kubernetes', 'resources_delete', { apiVersion: 'v1', kind: 'Namespace', name: 'payments' }, 'catastrophic'],
      ['kubernetes', 'resources_delete', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'web' }, 'destructive'],
      [
        'kubernetes',
        'resources_delete',
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'x' },
        'catastrophic',
      ],
      ['kubernetes', 'resources_delete', { apiVersion: 'v1', kind: 'Pod', name: 'api-1', namespace: 'web' }, 'write', true],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'namespace', name: 'staging' }, 'catastrophic'],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'ns', name: 'staging' }, 'catastrophic'],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'deployment', name: 'api', namespace: 'web' }, 'destructive'],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'pvc', namespace: 'db', labelSelector: 'app=postgres' }, 'destructive'],
      [
        'mcp-server-kubernetes',
        'kubectl_delete',
        { resourceType: 'deployment', namespace: 'web', labelSelector: 'env=staging' },
        'catastrophic',
      ],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'deployment', name: 'api', allNamespaces: true }, 'catastrophic'],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'service', namespace: 'web', all: true }, 'catastrophic'],
      [
        'mcp-server-kubernetes',
        'kubectl_delete',
        { manifest: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n' },
        'catastrophic',
      ],
      // pods are recreated by their controllers (RISK.md assumption 4)
      ['kubernetes', 'pods_delete', { name: 'api-7d9f8c6b5-xk2pq', namespace: 'web' }, 'write', true],
      ['k8s', 'destroy_pod', { name: 'api-1' }, 'write', true],
      ['k8s', 'delete_pod_in_namespace', { name: 'api-1', namespace: 'web' }, 'write', true],
      ['kubernetes', 'pods_delete', { name: 'api-1', namespace: 'web', force: true }, 'destructive'],
      ['mcp-server-kubernetes', 'kubectl_delete', { resourceType: 'pods', namespace: 'web', labelSelector: 'app=api' }, 'destructive'],
      ['k8s', 'delete_pods', { namespace: 'web' }, 'destructive'],
      // helm releases, databases, repositories, buckets
      ['kubernetes', 'helm_uninstall', { name: 'redis', namespace: 'cache' }, 'destructive'],
      ['mongodb', 'drop-database', { database: 'app' }, 'catastrophic'],
      ['mongodb', 'drop-collection', { database: 'app', collection: 'sessions' }, 'destructive'],
      ['github', 'delete_repository', { owner: 'a', repo: 'r' }, 'catastrophic'],
      ['s3', 'delete_bucket', { bucket: 'b' }, 'catastrophic'],
      ['cloudflare', 'kv_namespace_delete', { namespace_id: 'n' }, 'catastrophic'],
      // a branch is a database branch, unless the tool is about git (remote branch delete)
      ['supabase', 'delete_branch', { branch_id: 'br_1' }, 'catastrophic'],
      ['github', 'delete_branch', { owner: 'a', repo: 'r', branch: 'feature/x' }, 'destructive'],
      // look-alikes: the head noun decides, not a container word before it or after a preposition
      ['k8s', 'delete_cluster_role', { name: 'viewer' }, 'destructive'],
      ['s3', 'delete_bucket_policy', { bucket: 'b' }, 'destructive'],
      ['admin', 'remove_user_from_project', { user: 'u1', project: 'p' }, 'destructive'],
      ['github', 'remove_label', { owner: 'a', repo: 'r', issue_number: 1, label: 'bug' }, 'write'],
      ['neon', 'create_project', { name: 'p' }, 'write'],
      ['x', 'clear_cache', {}, 'write'],
      ['x', 'reset_password', { user: 'u1' }, 'write'],
      ['x', 'delete_all_issues', {}, 'catastrophic'],
    ],
  );

  it('reports the container a catastrophic deletion hits', () => {
    const a = c.classify(call('kubernetes', 'resources_delete', { kind: 'Namespace', name: 'payments' }));
    expect(a.effects[0]).toMatchObject({ verb: 'delete', scope: 'namespace', reversible: false });
    expect(a.effects[0]?.reason).toMatch(/kind=Namespace/);
  });
});

describe('McpClassifier: availability', () => {
  const { c } = classifier();
  table(
    () => c,
    [
      ['mcp-server-kubernetes', 'kubectl_scale', { name: 'worker', replicas: 0, resourceType: 'deployment' }, 'write', true],
      ['mcp-server-kubernetes', 'kubectl_rollout', { subCommand: 'restart', resourceType: 'deployment', name: 'api' }, 'write', true],
      ['mcp-server-kubernetes', 'kubectl_rollout', { subCommand: 'undo', resourceType: 'deployment', name: 'api' }, 'write', true],
      ['mcp-server-kubernetes', 'kubectl_rollout', { subCommand: 'status', resourceType: 'deployment', name: 'api' }, 'read'],
      ['mcp-server-kubernetes', 'kubectl_rollout', { resourceType: 'deployment', name: 'api' }, 'write', true],
      ['mcp-server-kubernetes', 'node_management', { operation: 'cordon', nodeName: 'n1' }, 'write', true],
      ['mcp-server-kubernetes', 'node_management', { operation: 'drain', nodeName: 'n1', force: true }, 'destructive'],
      ['k8s', 'uncordon_node', { name: 'n1' }, 'write'],
      ['supabase', 'pause_project', { project_id: 'p' }, 'write', true],
      ['helm', 'rollback_release', { name: 'api', revision: 3 }, 'write', true],
    ],
  );
});

describe('McpClassifier: records by key', () => {
  const { c } = classifier();
  table(
    () => c,
    [
      ['redis', 'delete', { key: 'session:8f2a' }, 'write'],
      ['redis', 'delete', { keys: ['session:1', 'session:2'] }, 'write'],
      ['redis', 'delete', { key: 'session:*' }, 'destructive'],
      ['dynamodb', 'delete_item', { table_name: 'users', key: { id: { S: '42' } } }, 'write'],
      ['dynamodb', 'delete_table', { table_name: 'sessions' }, 'destructive'],
      ['mongodb', 'delete-many', { database: 'app', collection: 'events', filter: {} }, 'destructive'],
      ['mongodb', 'delete-many', { database: 'app', collection: 'events', filter: { _id: { $in: ['a', 'b'] } } }, 'write'],
      ['mongodb', 'delete-many', { database: 'app', collection: 'events', filter: { ts: { $lt: '2024-01-01' } } }, 'destructive'],
      ['mongodb', 'delete-one', { database: 'app', collection: 'events', filter: { status: 'stale' } }, 'write'],
      [
        'mongodb',
        'update-many',
        { database: 'app', collection: 'users', filter: { _id: 'u1' }, update: { $set: { plan: 'pro' } } },
        'write',
      ],
      ['mongodb', 'update-many', { database: 'app', collection: 'users', filter: {}, update: { $set: { plan: 'pro' } } }, 'destructive'],
      ['mongodb', 'aggregate', { database: 'app', collection: 'users', pipeline: [{ $match: {} }] }, 'read'],
      ['mongodb', 'aggregate', { database: 'app', collection: 'users', pipeline: [{ $out: 'users' }] }, 'destructive'],
      ['stripe', 'delete_customer', { customer: 'cus_1' }, 'destructive'],
      // an HTTP method argument names the operation of a generic request tool
      ['api', 'http_request', { method: 'DELETE', url: '/v1/users/42' }, 'destructive'],
      ['api', 'http_request', { method: 'GET', url: '/v1/users/42' }, 'read'],
    ],
  );
});

describe('McpClassifier: git', () => {
  const { c } = classifier();
  table(
    () => c,
    [
      ['git', 'git_reset', { repo_path: '.' }, 'write'],
      ['git', 'git_reset', { repo_path: '.', mode: 'soft' }, 'write'],
      ['git', 'git_reset', { repo_path: '.', mode: 'hard' }, 'destructive'],
      ['git', 'git_reset', { repo_path: '.', hard: true }, 'destructive'],
      ['git', 'git_checkout', { repo_path: '.', branch_name: 'main' }, 'write'],
      ['github', 'push_files', { owner: 'a', repo: 'r', branch: 'main', files: [], force: true }, 'destructive'],
      ['git', 'git_push', { repo_path: '.', force: false }, 'write'],
      ['git', 'force_push', { repo_path: '.', branch: 'main' }, 'destructive'],
      ['git', 'git_checkout', { repo_path: '.', branch_name: 'main', force: true }, 'destructive'],
      ['terraform', 'force_unlock', { lock_id: 'l1' }, 'destructive'],
      // look-alike: a force flag on an additive operation is not a forced overwrite
      ['filesystem', 'create_directory', { path: 'src/x', force: true }, 'write'],
      // a GitHub delete_file is a commit: history keeps the file, whatever its extension
      ['github', 'delete_file', { owner: 'a', repo: 'r', path: 'src/legacy.ts', branch: 'main' }, 'write'],
      ['github', 'delete_file', { owner: 'a', repo: 'r', path: 'fixtures/customers.csv', branch: 'main' }, 'write'],
      ['github', 'create_or_update_file', { owner: 'a', repo: 'r', path: '.env.example', content: 'X=1' }, 'write'],
      // look-alike: reset outside git wipes what it names
      ['supabase', 'reset_branch', { branch_id: 'br_1' }, 'catastrophic'],
    ],
  );
});

describe('McpClassifier: path arguments follow the file rules', () => {
  table(
    () => classifier().c,
    [
      ['filesystem', 'write_file', { path: '.env.production', content: '' }, 'destructive'],
      ['filesystem', 'write_file', { path: '~/.bashrc', content: 'export X=1' }, 'destructive'],
      ['filesystem', 'write_file', { path: '../other-repo/src/x.ts', content: '' }, 'destructive'],
      ['filesystem', 'edit_file', { path: 'data/customers.csv', edits: [] }, 'destructive'],
      ['filesystem', 'move_file', { source: 'notes.md', destination: '/etc/hosts' }, 'destructive'],
      // look-alikes: project files, new directories, content that only mentions data files
      ['filesystem', 'write_file', { path: 'src/config.ts', content: 'rm -rf ~ && DROP DATABASE x' }, 'write'],
      ['filesystem', 'write_file', { path: 'docs/env.md', content: 'copy .env.example to .env' }, 'write'],
      ['filesystem', 'move_file', { source: '.env', destination: 'backup/env.txt' }, 'write'],
      ['filesystem', 'create_directory', { path: '/tmp/scratch' }, 'write'],
      ['filesystem', 'read_file', { path: '.env.production' }, 'read'],
    ],
  );

  it('uses the project root and the inventory data paths when given', () => {
    const { c } = classifier();
    const write = call('filesystem', 'write_file', { path: '/srv/app/src/x.ts', content: '' });
    expect(c.classify(write).risk).toBe('destructive');
    expect(c.classify(write, { cwd: '/srv/app' }).risk).toBe('write');
    const exp = call('filesystem', 'write_file', { path: 'exports/q1.json', content: '{}' });
    expect(c.classify(exp).risk).toBe('write');
    expect(c.classify(exp, { dataPaths: ['exports'] }).risk).toBe('destructive');
  });

  it('judges deleting a local path with the shell rm rules (recursive for directories)', () => {
    const { c, calls } = classifier({ shell: 'destructive' });
    expect(c.classify(call('filesystem', 'delete_file', { path: "it's.db" })).risk).toBe('destructive');
    c.classify(call('filesystem', 'delete_directory', { path: '~/old data' }));
    c.classify(call('filesystem', 'remove', { path: 'src/a.ts', recursive: true }));
    expect(calls.shell).toEqual([`rm -f -- 'it'\\''s.db'`, "rm -rf -- ~/'old data'", "rm -rf -- 'src/a.ts'"]);
    const { c: w } = classifier({ shell: 'write' });
    expect(w.classify(call('filesystem', 'delete_file', { path: 'src/legacy.ts' })).risk).toBe('write');
  });
});

describe('McpClassifier: argument text for other systems', () => {
  it('sends cli_command and *_command arguments to the shell classifier, not subCommand', () => {
    const { c, calls } = classifier({ shell: 'catastrophic' });
    expect(c.classify(call('aws-api', 'call_aws', { cli_command: 'aws s3 rb s3://b --force' })).risk).toBe('catastrophic');
    c.classify(call('ops', 'run_tool', { kubectl_command: 'kubectl delete ns x' }));
    c.classify(call('ops', 'execute', { script: 'rm -rf build' }));
    c.classify(call('mcp-server-kubernetes', 'kubectl_rollout', { subCommand: 'restart', name: 'api' }));
    expect(calls.shell).toEqual(['aws s3 rb s3://b --force', 'kubectl delete ns x', 'rm -rf build']);
  });

  it('a conduit takes the class of its command, including disruption', () => {
    const c = new McpClassifier({
      shell: () => ({
        ...fixed('write', 'shell'),
        disruptive: true,
        effects: [{ ...fixed('write', 'shell').effects[0]!, disruptive: true }],
      }),
      sql: () => fixed('read', 'sql'),
    });
    const a = c.classify(call('aws-api', 'call_aws', { cli_command: 'aws ec2 stop-instances --instance-ids i-1' }));
    expect(a.risk).toBe('write');
    expect(a.disruptive).toBe(true);
  });

  it("a search tool's query is a search string, never SQL", () => {
    const { c, calls } = classifier({ sql: 'catastrophic' });
    expect(c.classify(call('github', 'search_code', { query: 'DROP TABLE repo:acme/api' })).risk).toBe('read');
    expect(c.classify(call('github', 'search_code', { query: 'DROP DATABASE prod' })).risk).toBe('read');
    expect(calls.sql).toEqual([]);
    // look-alikes: a non-search tool's query, and a `sql` argument of a search tool, are SQL
    expect(c.classify(call('db', 'get_report', { query: 'DROP DATABASE prod' })).risk).toBe('catastrophic');
    expect(c.classify(call('db', 'search_tables', { sql: 'DROP DATABASE prod' })).risk).toBe('catastrophic');
  });
});

describe('McpClassifier: annotations stay hints for the new rules', () => {
  const { c } = classifier();
  it('readOnlyHint never lowers a finding from arguments or scope words', () => {
    expect(c.classify(call('evil', 'kubectl_delete', { resourceType: 'namespace', name: 'x' }, { readOnlyHint: true })).risk).toBe(
      'catastrophic',
    );
    expect(c.classify(call('evil', 'pods_delete', { name: 'x' }, { readOnlyHint: true })).risk).toBe('write');
    expect(c.classify(call('evil', 'write_file', { path: '.env', content: '' }, { readOnlyHint: true })).risk).toBe('destructive');
  });
  it('destructiveHint raises a rule-based write', () => {
    expect(c.classify(call('x', 'delete_file', { owner: 'a', repo: 'r', path: 'a.ts' }, { destructiveHint: true })).risk).toBe(
      'destructive',
    );
  });
});

describe('McpClassifier: never throws', () => {
  it('survives malformed actions', () => {
    const { c } = classifier();
    const weird = { kind: 'mcp', server: 'x', tool: 'get_a', arguments: null } as unknown as McpAction;
    expect(c.classify(weird).risk).toBe('read');
    const worse = { kind: 'mcp', server: 'x', tool: 42, arguments: {} } as unknown as McpAction;
    expect(c.classify(worse).risk).toBe('unknown');
  });
});

describe('looksLikeSql', () => {
  it.each(['SELECT 1', '  with x as (select 1) select * from x', 'DELETE FROM t', '/* c */ drop table t', 'TRUNCATE t'])('%s', (s) => {
    expect(looksLikeSql(s)).toBe(true);
  });
  it.each(['is:open label:bug', 'how do I delete a user?', 'users table'])('not %s', (s) => {
    expect(looksLikeSql(s)).toBe(false);
  });
});

describe('McpClassifier: one-word commands, forced ref updates, CLI argv runners', () => {
  const { c } = classifier();
  it.each([
    ['redis', 'flushall', {}, 'catastrophic'],
    ['redis', 'FLUSHDB', {}, 'catastrophic'],
    ['mongo', 'dropDatabase', { database: 'shop' }, 'catastrophic'],
    ['redis', 'flush_cache', {}, 'write'],
    ['github', 'update_ref', { owner: 'o', repo: 'r', ref: 'heads/main', sha: 'abc', force: true }, 'destructive'],
    ['github', 'update_ref', { owner: 'o', repo: 'r', ref: 'heads/main', sha: 'abc' }, 'write'],
    ['github', 'update_ref', { owner: 'o', repo: 'r', ref: 'heads/main', sha: 'abc', force: false }, 'write'],
    ['github', 'update_issue', { owner: 'o', repo: 'r', issue_number: 1, force: true }, 'write'],
  ] as const)('%s/%s %j → %s', (server, tool, args, risk) => {
    expect(c.classify(call(server, tool, { ...args })).risk).toBe(risk);
  });

  it('judges a CLI runner given only the arguments as that CLI command line', () => {
    const { c: inner, calls } = classifier({ shell: 'destructive' });
    const a = inner.classify(call('gcp', 'run_gcloud_command', { args: ['compute', 'instances', 'delete', 'vm-1', '--quiet'] }));
    expect(calls.shell).toEqual(['gcloud compute instances delete vm-1 --quiet']);
    expect(a.risk).toBe('destructive');
    expect(a.kind).toBe('mcp');
  });

  it('names the CLI from the server when the tool only runs something, and does not repeat it', () => {
    const { c: inner, calls } = classifier({ shell: 'read' });
    inner.classify(call('kubectl', 'run_command', { args: ['kubectl', 'get', 'pods'] }));
    expect(calls.shell).toEqual(['kubectl get pods']);
  });

  it('leaves tools with a verb of their own, or a command argument, alone', () => {
    const { c: inner, calls } = classifier({ shell: 'read' });
    inner.classify(call('gcp', 'list_instances', { args: ['--zone', 'x'] }));
    inner.classify(call('gcp', 'run_gcloud_command', { command: 'gcloud projects list' }));
    expect(calls.shell).toEqual(['gcloud projects list']);
  });
});

describe('McpClassifier: DNS records are provider entities, not datastore rows', () => {
  const { c } = classifier();
  table(
    () => c,
    [
      ['dns', 'dns_records_delete', { zone_id: 'z1', dns_record_id: 'r1' }, 'destructive'],
      ['dns', 'delete_dns_record', { zone: 'example.org', record_id: 'r1' }, 'destructive'],
      ['db', 'records_delete', { table: 't', record_id: 'r1' }, 'write'],
      ['dns', 'dns_records_list', { zone_id: 'z1' }, 'read'],
    ],
  );
});

describe('McpClassifier: vetting and mapped arguments', () => {
  it('marks a tool unvetted unless it is mapped or its read-only hint agrees with its name', () => {
    const { c } = classifier({ mappings: { shop: { create_refund: { verb: 'create' } } } });
    expect(c.classify(call('shop', 'list_orders', {}, { readOnlyHint: true })).unvetted).toBeUndefined();
    expect(c.classify(call('shop', 'frobnicate', {}, { readOnlyHint: true })).unvetted).toBeUndefined();
    expect(c.classify(call('shop', 'list_orders')).unvetted).toBe(true);
    // A write-named tool that claims to only read is not taken at its word.
    const lying = c.classify(call('shop', 'update_prices', { id: 1 }, { readOnlyHint: true }));
    expect(lying.unvetted).toBe(true);
    expect(lying.reasons.join(' ')).toContain('annotated read-only, but its name says modify');
    expect(c.classify(call('shop', 'create_refund', { order: 4 })).unvetted).toBeUndefined();
  });

  it('does not judge a mapped SQL, command or path argument safe when it is not text', () => {
    const { c, calls } = classifier({
      mappings: {
        db: {
          query: { verb: 'read', sqlArgument: 'sql' },
          run: { verb: 'read', shellArgument: 'cmd' },
          put: { verb: 'read', pathArgument: 'file' },
        },
      },
    });
    expect(c.classify(call('db', 'query', { sql: ['DROP TABLE users'] })).risk).toBe('unknown');
    expect(c.classify(call('db', 'run', { cmd: { program: 'rm' } })).risk).toBe('unknown');
    expect(c.classify(call('db', 'put', { file: ['/etc/passwd'] })).risk).toBe('unknown');
    expect(calls.sql).toHaveLength(0);
    // A command given as an argv array is still text to the shell classifier.
    expect(c.classify(call('db', 'run', { cmd: ['ls', '-la'] })).risk).toBe('read');
  });
});
