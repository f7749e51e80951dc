/**
 * Restarts lose nothing and re-run nothing: a gateway restarted while a request is pending shows it
 * pending afterwards; an approved command whose executing process died is marked
 * `unknown-outcome` at the next start and is never run again by itself.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { hermeticEnv, startAirlock, type LiveProcess } from './support/live-process.js';
import { runCli, tempWorkdir } from './support/run-cli.js';

let w: { dir: string; cleanup: () => void };
const live: LiveProcess[] = [];

beforeEach(() => {
  w = tempWorkdir('airlock-restart-');
  writeFileSync(
    join(w.dir, 'airlock.yaml'),
    'environments:\n  prod: {}\nhumans:\n  - id: alice\n    groups: [prod-owners]\n  - id: bob\n    groups: [prod-owners]\n',
  );
  // A program Airlock has no grammar for (unknown: held in prod) that runs for a while.
  writeFileSync(join(w.dir, 'long-job'), '#!/bin/sh\necho started > long-job.started\nsleep 30\necho finished > long-job.finished\n');
  chmodSync(join(w.dir, 'long-job'), 0o755);
});
afterEach(async () => {
  await Promise.all(live.splice(0).map((p) => p.stop(500)));
  w.cleanup();
});

const up = (): LiveProcess => {
  const p = startAirlock(['up', '--port', '0'], { cwd: w.dir, env: hermeticEnv(w.dir) });
  live.push(p);
  return p;
};

async function status(id: string): Promise<string> {
  const r = await runCli(['requests', 'show', id, '--json'], { cwd: w.dir });
  return (JSON.parse(r.stdout) as { status: string }).status;
}

it('keeps pending requests pending across a restart, and marks a dead execution unknown-outcome without re-running it', async () => {
  const token = async (who: string) => (await runCli(['humans', 'token', who], { cwd: w.dir })).stdout.trim().split('\n').at(-1) as string;
  const alice = await token('alice');
  const bob = await token('bob');

  let gateway = up();
  await gateway.waitFor(/web UI\s+http:\/\/\S+/, 60_000);

  // One request left pending.
  writeFileSync(join(w.dir, 'orders.db'), 'data');
  expect((await runCli(['exec', '--env', 'prod', '--', 'rm', '-f', 'orders.db'], { cwd: w.dir })).code).toBe(2);
  const pending = (await runCli(['requests', '-q'], { cwd: w.dir })).stdout.trim();

  // One approved and started, whose process then dies mid-run.
  const exec = startAirlock(['exec', '--env', 'prod', '--', './long-job'], { cwd: w.dir, env: hermeticEnv(w.dir) });
  live.push(exec);
  const id = (await exec.waitFor(/\(request (req_\w+);/, 60_000))[1] as string;
  await runCli(['approve', '--yes', id], { cwd: w.dir, env: { AIRLOCK_TOKEN: alice } });
  await runCli(['approve', '--yes', id], { cwd: w.dir, env: { AIRLOCK_TOKEN: bob } });
  for (let i = 0; i < 200 && !existsSync(join(w.dir, 'long-job.started')); i++) await new Promise((r) => setTimeout(r, 100));
  expect(existsSync(join(w.dir, 'long-job.started'))).toBe(true);
  expect(await status(id)).toBe('executing');
  exec.child.kill('SIGKILL');
  await exec.exited;

  // Restart the gateway.
  await gateway.stop(5000);
  gateway = up();
  await gateway.waitFor(/interrupted 1 execution/, 60_000);
  expect(await status(id)).toBe('unknown-outcome');
  expect(await status(pending)).toBe('pending');

  // Never run again by itself: the same command again is a new request, held.
  writeFileSync(join(w.dir, 'long-job.started'), '');
  const again = await runCli(['exec', '--env', 'prod', '--', './long-job'], { cwd: w.dir });
  expect(again.code).toBe(2);
  expect(again.stderr).not.toContain(id);
  expect(readFileSync(join(w.dir, 'long-job.started'), 'utf8')).toBe('');
  expect((await runCli(['audit', 'verify'], { cwd: w.dir })).code).toBe(0);
});
