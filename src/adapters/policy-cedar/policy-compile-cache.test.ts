import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AirlockError } from '../../core/errors.js';
import type { Hasher } from '../../core/ports.js';
import { CedarPolicyEngine } from './cedar-policy-engine.js';
import type { PolicyFile } from './compile-policies.js';
import { FilePolicyCompileCache, type PolicyCompileCache } from './policy-compile-cache.js';
import { parsePolicyTests, runPolicyTests, type PolicyTestCase } from './policy-test.js';

const hasher: Hasher = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};
const policiesDir = new URL('../../../policies/', import.meta.url);
const schema = readFileSync(new URL('airlock.cedarschema', policiesDir), 'utf8');
const defaultPack: PolicyFile = { name: 'default.cedar', text: readFileSync(new URL('default.cedar', policiesDir), 'utf8') };
const defaultCases = parsePolicyTests(readFileSync(new URL('tests/default.yaml', policiesDir), 'utf8'), 'default.yaml');

/** A user file that exercises every part of a compiled policy: ids, holds with groups, advice, errors, a forbid after comments. */
const userPack: PolicyFile = {
  name: 'house.cedar',
  text: [
    '// House rules — “with” non-ASCII text',
    '@id("house-hold-big")',
    '@hold("2")',
    '@approvers("dba, sre")',
    '@reason("big changes need two people")',
    '@advice("split the change into smaller batches")',
    'forbid (principal, action, resource) when { context.blastRadiusCount > 100 };',
    '',
    '// Errors at run time (Long overflow): an erroring forbid counts as matched.',
    '@hold("3")',
    'forbid (principal, action, resource) when { context.blastRadiusCount > 4000 && context.blastRadiusCount + 9223372036854775807 > 0 };',
    '',
    'permit (principal, action, resource) when { context.frozen };',
    '',
  ].join('\n'),
};
const files = [defaultPack, userPack];

/** The default pack's cases, plus some that reach the user file's holds and errors. */
const cases: PolicyTestCase[] = [
  ...defaultCases,
  ...parsePolicyTests(
    `
cases:
  - name: big write
    assessment: { risk: write, count: 500 }
    environment: { name: staging, protected: false }
    expect: hold
    approvals: 2
    groups: [dba, sre]
  - name: overflowing count
    assessment: { risk: write, count: 5000 }
    environment: { name: staging, protected: false }
    expect: hold
    approvals: 3
  - name: frozen read
    assessment: { risk: read }
    environment: { name: prod, protected: true }
    frozen: true
    expect: allow
`,
    'extra.yaml',
  ),
];

/** A cache in memory that records what the engine did with it. */
class RecordingCache implements PolicyCompileCache {
  readonly entries = new Map<string, string>();
  readonly reads: string[] = [];
  readonly writes: string[] = [];
  read(key: string): string | null {
    this.reads.push(key);
    return this.entries.get(key) ?? null;
  }
  write(key: string, value: string): void {
    this.writes.push(key);
    this.entries.set(key, value);
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-policy-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Everything observable about an engine: its hash, its policy listing and its answers to every case. */
function observe(engine: CedarPolicyEngine): unknown {
  return { hash: engine.policySetHash, policies: engine.policies, results: runPolicyTests(cases, { engine }) };
}

function entryFiles(cacheDir: string): string[] {
  return readdirSync(cacheDir).filter((n) => n.endsWith('.json'));
}

describe('CedarPolicyEngine with a compile cache', () => {
  it('decides exactly as without a cache, cold and warm', async () => {
    const uncached = observe(await CedarPolicyEngine.create({ schema, policies: files, hasher }));
    const cacheDir = join(dir, 'cache');
    const cold = observe(await CedarPolicyEngine.create({ schema, policies: files, hasher, cache: new FilePolicyCompileCache(cacheDir) }));
    expect(entryFiles(cacheDir)).toHaveLength(1);
    const warm = observe(await CedarPolicyEngine.create({ schema, policies: files, hasher, cache: new FilePolicyCompileCache(cacheDir) }));
    expect(cold).toEqual(uncached);
    expect(warm).toEqual(uncached);
    // The cases reach holds with groups, errors and denies, so the comparison means something.
    const outcomes = new Set((uncached as { results: { actual?: { outcome: string } }[] }).results.map((r) => r.actual?.outcome));
    expect([...outcomes].sort()).toEqual(['allow', 'deny', 'hold']);
    // The user file's own cases (holds with groups, an erroring forbid) behave as written, from the cache.
    const extra = cases.slice(defaultCases.length);
    const warmEngine = await CedarPolicyEngine.create({ schema, policies: files, hasher, cache: new FilePolicyCompileCache(cacheDir) });
    expect(runPolicyTests(extra, { engine: warmEngine }).filter((r) => !r.passed)).toEqual([]);
  });

  it('skips compiling on a hit: the warm start reads and writes nothing new', async () => {
    const cache = new RecordingCache();
    await CedarPolicyEngine.create({ schema, policies: files, hasher, cache });
    expect(cache.writes).toHaveLength(1);
    await CedarPolicyEngine.create({ schema, policies: files, hasher, cache });
    expect(cache.reads).toHaveLength(2);
    expect(cache.writes).toHaveLength(1);
  });

  it.each([
    ['not JSON', () => '{broken'],
    ['JSON of another shape', () => '{"format":1,"policies":"nope"}'],
    ['another format version', (v: string) => v.replace('"format":1', '"format":999')],
    ['an entry for another key', (v: string) => v.replace(/"key":"[0-9a-f]{64}"/, `"key":"${'0'.repeat(64)}"`)],
    [
      'a policy missing',
      (v: string) => JSON.stringify({ ...JSON.parse(v), policies: (JSON.parse(v) as { policies: unknown[] }).policies.slice(1) }),
    ],
    ['an effect flipped', (v: string) => v.replace('"effect":"forbid"', '"effect":"permit"')],
    ['an id that does not match its text', (v: string) => v.replace('"id":"house-hold-big"', '"id":"renamed"')],
    ['a @hold that compile would refuse', (v: string) => v.replace('"hold":"2"', '"hold":"two"')],
    ['an empty file', () => ''],
  ])('treats a cache entry that is %s as a miss: compiles again, decides alike, rewrites it', async (_label, corrupt) => {
    const uncached = observe(await CedarPolicyEngine.create({ schema, policies: files, hasher }));
    const cacheDir = join(dir, 'cache');
    await CedarPolicyEngine.create({ schema, policies: files, hasher, cache: new FilePolicyCompileCache(cacheDir) });
    const [name] = entryFiles(cacheDir);
    if (name === undefined) throw new Error('no cache entry written');
    const good = readFileSync(join(cacheDir, name), 'utf8');
    const bad = corrupt(good);
    expect(bad).not.toBe(good);
    writeFileSync(join(cacheDir, name), bad);

    const again = observe(await CedarPolicyEngine.create({ schema, policies: files, hasher, cache: new FilePolicyCompileCache(cacheDir) }));
    expect(again).toEqual(uncached);
    expect(readFileSync(join(cacheDir, name), 'utf8')).toBe(good);
  });

  it('uses another key when a policy file, its name, or the schema changes', async () => {
    const cache = new RecordingCache();
    const create = (policies: readonly PolicyFile[], s = schema) => CedarPolicyEngine.create({ schema: s, policies, hasher, cache });
    await create(files);
    await create([defaultPack, { ...userPack, text: userPack.text.replace('> 100', '> 101') }]);
    await create([defaultPack, { ...userPack, name: 'renamed.cedar' }]);
    await create(files, `${schema}\n// a comment\n`);
    await create([userPack, defaultPack]);
    expect(new Set(cache.writes).size).toBe(5);
    expect(cache.writes.every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
  });

  it('a changed policy file is compiled afresh: the new rule applies, and a bad edit is still refused', async () => {
    const cacheDir = join(dir, 'cache');
    const cache = new FilePolicyCompileCache(cacheDir);
    const bigWrite = cases.find((c) => c.name === 'big write');
    if (bigWrite === undefined) throw new Error('case missing');
    const before = await CedarPolicyEngine.create({ schema, policies: files, hasher, cache });
    expect(runPolicyTests([bigWrite], { engine: before })[0]?.actual?.requirement?.approvals).toBe(2);

    const edited = { ...userPack, text: userPack.text.replace('@hold("2")', '@hold("4")') };
    const after = await CedarPolicyEngine.create({ schema, policies: [defaultPack, edited], hasher, cache });
    expect(runPolicyTests([bigWrite], { engine: after })[0]?.actual?.requirement?.approvals).toBe(4);

    const broken = { ...userPack, text: `${userPack.text}\nforbid (principal, action, resource) when { context.riskRank > "x" };\n` };
    const err = await CedarPolicyEngine.create({ schema, policies: [defaultPack, broken], hasher, cache }).then(
      () => undefined,
      (e: unknown) => e as AirlockError,
    );
    expect(err?.code).toBe('BAD_POLICY');
    expect(entryFiles(cacheDir)).toHaveLength(2); // nothing cached for the broken set
  });

  it('survives a cache that throws on every call', async () => {
    const throwing: PolicyCompileCache = {
      read: () => {
        throw new Error('read failed');
      },
      write: () => {
        throw new Error('write failed');
      },
    };
    const uncached = observe(await CedarPolicyEngine.create({ schema, policies: files, hasher }));
    expect(observe(await CedarPolicyEngine.create({ schema, policies: files, hasher, cache: throwing }))).toEqual(uncached);
  });
});

describe('FilePolicyCompileCache', () => {
  const key = 'a'.repeat(64);

  it('reads back what it wrote, creating the directory 0700 and the file 0600', () => {
    const cacheDir = join(dir, 'nested', 'cache');
    const cache = new FilePolicyCompileCache(cacheDir);
    expect(cache.read(key)).toBeNull();
    cache.write(key, '{"x":"é"}');
    expect(cache.read(key)).toBe('{"x":"é"}');
    cache.write(key, '{"x":2}');
    expect(cache.read(key)).toBe('{"x":2}');
    expect(statSync(join(cacheDir, `${key}.json`)).mode & 0o777).toBe(0o600);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(cacheDir)).toEqual([`${key}.json`]); // no temporary file left behind
  });

  it('refuses keys that are not plain names, on read and on write', () => {
    const cache = new FilePolicyCompileCache(join(dir, 'cache'));
    writeFileSync(join(dir, 'outside.json'), 'secret');
    expect(cache.read('../outside')).toBeNull();
    cache.write('../escaped', 'x');
    cache.write('', 'x');
    expect(readdirSync(dir).sort()).toEqual(['outside.json']);
  });

  it('never throws: an unwritable directory drops the write, an unreadable entry is a miss', () => {
    const blocked = join(dir, 'file-not-dir');
    writeFileSync(blocked, '');
    const cache = new FilePolicyCompileCache(blocked);
    expect(() => cache.write(key, 'x')).not.toThrow();
    expect(cache.read(key)).toBeNull();

    const cacheDir = join(dir, 'cache');
    const ok = new FilePolicyCompileCache(cacheDir);
    ok.write(key, 'x');
    if (process.getuid?.() !== 0) {
      chmodSync(join(cacheDir, `${key}.json`), 0o000);
      expect(ok.read(key)).toBeNull();
      chmodSync(cacheDir, 0o500);
      expect(() => ok.write('b'.repeat(64), 'y')).not.toThrow();
      chmodSync(cacheDir, 0o700);
    }
  });

  it('keeps only the newest entries and clears stale temporary files', () => {
    const cacheDir = join(dir, 'cache');
    const cache = new FilePolicyCompileCache(cacheDir, { maxEntries: 3 });
    const old = new Date(Date.now() - 60 * 60 * 1000);
    for (const k of ['k1', 'k2', 'k3']) {
      cache.write(k, k);
      utimesSync(join(cacheDir, `${k}.json`), old, old);
    }
    utimesSync(join(cacheDir, 'k1.json'), new Date(old.getTime() - 1000), new Date(old.getTime() - 1000));
    writeFileSync(join(cacheDir, '.k9.1.2.3.tmp'), 'torn');
    utimesSync(join(cacheDir, '.k9.1.2.3.tmp'), old, old);
    writeFileSync(join(cacheDir, 'unrelated.txt'), 'keep');
    cache.write('k4', 'k4');
    expect(readdirSync(cacheDir).sort()).toEqual(['k2.json', 'k3.json', 'k4.json', 'unrelated.txt']);
  });
});
