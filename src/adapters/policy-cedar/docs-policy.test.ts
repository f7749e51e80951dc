/**
 * docs/policy.md is run: every ```cedar block must parse and validate against the schema (together
 * with the default pack), and every ```yaml block holding `cases:` must pass through the real engine
 * built from the default pack plus those blocks. The context fields it documents must be the schema's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Hasher } from '../../core/ports.js';
import { CedarPolicyEngine } from './cedar-policy-engine.js';
import { formatPolicyTestResults, parsePolicyTests, runPolicyTests } from './policy-test.js';

const hasher: Hasher = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};
const root = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/policy.md', root), 'utf8');
const schema = readFileSync(new URL('policies/airlock.cedarschema', root), 'utf8');
const defaultPack = { name: 'default.cedar', text: readFileSync(new URL('policies/default.cedar', root), 'utf8') };

function blocks(lang: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (let m = re.exec(doc); m !== null; m = re.exec(doc)) out.push(m[1] ?? '');
  return out;
}

const cedarBlocks = blocks('cedar').map((text, i) => ({ name: `docs-example-${i + 1}.cedar`, text }));

describe('docs/policy.md', () => {
  it('has Cedar examples, each valid against the schema alongside the default pack', async () => {
    expect(cedarBlocks.length).toBeGreaterThanOrEqual(4);
    for (const block of cedarBlocks) {
      await expect(CedarPolicyEngine.create({ schema, policies: [defaultPack, block], hasher }), block.name).resolves.toBeDefined();
    }
  });

  it('has YAML cases that pass against the default pack plus its examples', async () => {
    const engine = await CedarPolicyEngine.create({ schema, policies: [defaultPack, ...cedarBlocks], hasher });
    const yamlCases = blocks('yaml').filter((b) => /^cases:/m.test(b));
    expect(yamlCases.length).toBeGreaterThanOrEqual(1);
    for (const [i, text] of yamlCases.entries()) {
      const results = runPolicyTests(parsePolicyTests(text, `docs yaml block ${i + 1}`), { engine });
      expect(
        results.filter((r) => !r.passed),
        formatPolicyTestResults(results),
      ).toEqual([]);
    }
  });

  it('documents every context field of the schema, and only those', () => {
    const body = /type RunContext = \{([\s\S]*?)\n\};/.exec(schema)?.[1] ?? '';
    const fields = [...body.matchAll(/^\s+(\w+): /gm)].map((m) => m[1] ?? '');
    expect(fields.length).toBeGreaterThan(20);
    const table = doc.slice(doc.indexOf('Context fields'), doc.indexOf('## The hold convention'));
    const documented = [...table.matchAll(/^\| `(\w+)`(?:, `(\w+)`)? \|/gm)]
      .flatMap((m) => [m[1], m[2]])
      .filter((f): f is string => f !== undefined);
    expect([...documented].sort()).toEqual([...fields].sort());
  });

  it('lists every policy of the default pack in its rule table', async () => {
    const engine = await CedarPolicyEngine.create({ schema, policies: [defaultPack], hasher });
    for (const p of engine.policies) expect(doc, p.id).toContain(`| \`${p.id}\` |`);
  });
});
