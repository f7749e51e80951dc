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
        reversible: risk === 'read' ? true : false,
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

function classifier(
  options: {
    shell?: RiskClass;
    sql?: RiskClass;
    mappings?: unknown;
    throwing?: boolean;
  } = {},
): { c: McpClassifier; calls: Calls } {
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
    ['k8s', 'destroy_pod', 'destructive'],
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
    const a = c.classify(call('evil', 'harmless_lookup', { query: 'DROP TABLE users' }, { readOnlyHint: true }));
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
