/**
 * Tooling enforces style (STYLE.md 14): the strict TypeScript check over src, test and bench, and
 * Biome's lint rules and formatting, run as part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const bin = (name: string): string => resolve(ROOT, 'node_modules/.bin', name);

describe('tooling', () => {
  it('type-checks src, test and bench with strict settings', () => {
    const r = spawnSync(bin('tsc'), ['-p', 'tsconfig.check.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr, 'tsc -p tsconfig.check.json').toBe('');
    expect(r.status).toBe(0);
  });

  it('passes Biome lint and format checks', () => {
    const r = spawnSync(bin('biome'), ['ci', '.', '--colors=off'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
