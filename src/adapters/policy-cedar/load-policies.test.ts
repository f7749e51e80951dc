import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Hasher } from '../../core/ports.js';
import { CedarPolicyEngine } from './cedar-policy-engine.js';
import { loadPolicySources } from './load-policies.js';

const hasher: Hasher = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};
const packDir = fileURLToPath(new URL('../../../policies/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'airlock-policies-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadPolicySources', () => {
  it('reads the schema and the default pack, then extra files and directories in order', async () => {
    const userDir = join(scratch, 'user');
    mkdirSync(join(userDir, 'nested'), { recursive: true });
    writeFileSync(join(userDir, 'b.cedar'), '@id("b") forbid (principal, action, resource) when { context.frozen };');
    writeFileSync(join(userDir, 'a.cedar'), '// no policies yet\n');
    writeFileSync(join(userDir, 'notes.txt'), 'ignored');
    writeFileSync(join(userDir, 'nested', 'deep.cedar'), 'not read: directories are not recursive');
    const single = join(scratch, 'single.cedar');
    writeFileSync(single, 'permit (principal, action, resource) when { context.riskRank == 0 };');

    const sources = loadPolicySources({ defaultDir: packDir, schemaDir: packDir, extra: [userDir, single] });
    expect(sources.schemaName).toBe('airlock.cedarschema');
    expect(sources.schema).toMatch(/entity Agent/);
    expect(sources.policies.map((p) => p.name)).toEqual(['default.cedar', 'a.cedar', 'b.cedar', 'single.cedar']);

    const engine = await CedarPolicyEngine.create({ ...sources, hasher });
    expect(engine.policies.map((p) => p.id)).toContain('single.cedar#1');
    expect(engine.policies.map((p) => p.id)).toContain('b');
  });

  it('leaves the default pack out when asked', () => {
    expect(loadPolicySources({ defaultDir: null, schemaDir: packDir, extra: [] }).policies).toEqual([]);
  });

  it('fails with BAD_CONFIG naming a path that does not exist or is not a .cedar file', () => {
    expect(() => loadPolicySources({ defaultDir: null, schemaDir: packDir, extra: [join(scratch, 'missing.cedar')] })).toThrow(
      expect.objectContaining({ code: 'BAD_CONFIG', message: expect.stringMatching(/policies\.paths: .*missing\.cedar does not exist/) }),
    );
    const txt = join(scratch, 'policy.txt');
    writeFileSync(txt, '');
    expect(() => loadPolicySources({ defaultDir: null, schemaDir: packDir, extra: [txt] })).toThrow(
      /neither a \.cedar file nor a directory/,
    );
  });

  it('fails with BAD_POLICY when the schema is missing', () => {
    expect(() => loadPolicySources({ defaultDir: null, schemaDir: scratch, extra: [] })).toThrow(
      expect.objectContaining({ code: 'BAD_POLICY', message: expect.stringMatching(/airlock\.cedarschema/) }),
    );
  });
});
