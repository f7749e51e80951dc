/**
 * Runs the examples in README.md and docs/: every ```console block's `$ airlock …` commands run in
 * a fresh directory with the real bin, and each output line shown must begin an actual output line
 * (whitespace runs folded), so the docs cannot drift from what Airlock prints.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempWorkdir } from './support/run-cli.js';

const ROOT = resolve(import.meta.dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return markdownFiles(p);
    return d.name.endsWith('.md') ? [p] : [];
  });
}

interface Step {
  readonly command: string;
  readonly expected: readonly string[];
}

function consoleBlocks(file: string): Step[][] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => {
    const steps: { command: string; expected: string[] }[] = [];
    for (const line of (m[1] as string).split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
      else if (line.trim() !== '' && steps.length > 0) steps[steps.length - 1]?.expected.push(line);
    }
    return steps;
  });
}

const fold = (s: string): string => s.replace(/\s+/g, ' ').trim();

const files = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];
const blocks = files.flatMap((f) => consoleBlocks(f).map((steps, i) => ({ name: `${relative(ROOT, f)} example ${i + 1}`, steps })));

describe('documentation examples', () => {
  it('has examples to run', () => {
    expect(blocks.length).toBeGreaterThan(3);
  });

  it.each(blocks)('$name', ({ steps }) => {
    const work = tempWorkdir('airlock-docs-');
    try {
      const shim = join(work.dir, '.bin');
      mkdirSync(shim);
      writeFileSync(join(shim, 'airlock'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
      chmodSync(join(shim, 'airlock'), 0o755);
      for (const step of steps) {
        const command = step.command.replace(/\bnpx airlock\b/g, 'airlock');
        const r = spawnSync('bash', ['-c', command], {
          cwd: work.dir,
          encoding: 'utf8',
          env: { ...process.env, PATH: `${shim}:${process.env.PATH ?? ''}`, AIRLOCK_AGENT_TOKEN: '', AIRLOCK_CONFIG: '', AIRLOCK_HOME: '' },
          timeout: 60_000,
        });
        const actual = `${r.stdout}\n${r.stderr}`.split('\n').map(fold);
        for (const want of step.expected) {
          const w = fold(want);
          expect(
            actual.some((line) => line.startsWith(w)),
            `\`${command}\` should print a line starting "${w}"; it printed:\n${r.stdout}${r.stderr}`,
          ).toBe(true);
        }
      }
    } finally {
      work.cleanup();
    }
  });
});
