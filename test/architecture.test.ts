/**
 * The import graph keeps its shape: src/core is pure (no node:*, no drivers, no Cedar, no MCP SDK,
 * no parsers), dependencies point inward, and nothing imports the composition root.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return files(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1] as string);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] as string);
  return out;
}

function layerOf(abs: string): string {
  return relative(SRC, abs).split('/')[0] ?? '';
}

const all = files(SRC).map((f) => ({
  file: relative(SRC, f),
  layer: layerOf(f),
  deps: imports(f).map((d) => (d.startsWith('.') ? { rel: true, target: relative(SRC, resolve(f, '..', d)) } : { rel: false, target: d })),
}));

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it('keeps src/core pure: only relative imports inside core, and zod', () => {
    const bad = all
      .filter((f) => f.layer === 'core')
      .flatMap((f) =>
        f.deps.filter((d) => (d.rel ? !d.target.startsWith('core/') : d.target !== 'zod')).map((d) => `${f.file} imports ${d.target}`),
      );
    expect(bad).toEqual([]);
  });

  it('points dependencies inward: nothing imports app; adapters and storage never import interfaces', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const d of f.deps.filter((x) => x.rel)) {
        const to = d.target.split('/')[0];
        if (to === 'app' && f.layer !== 'app') bad.push(`${f.file} imports the composition root (${d.target})`);
        if ((f.layer === 'adapters' || f.layer === 'storage') && to === 'interfaces') bad.push(`${f.file} imports ${d.target}`);
        if (f.layer === 'interfaces' && (to === 'adapters' || to === 'storage'))
          bad.push(`${f.file} imports ${d.target}: interfaces get adapters from the composition root`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('reads process.env only in src/app', () => {
    const bad = files(SRC)
      .filter((f) => layerOf(f) !== 'app' && /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(bad).toEqual([]);
  });

  it('uses no `export *` (a deliberate public surface)', () => {
    const bad = files(SRC)
      .filter((f) => /^\s*export\s+\*/m.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(bad).toEqual([]);
  });
});
