/**
 * Runs the built `airlock` bin as a real process, the way users and agents run it.
 * Tests need `npm run build` first (`npm test` does it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/airlock.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `airlock ARGS…` in `cwd` with stdin `input`; resolves when it exits. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; input?: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    // Hermetic: the developer's own kubeconfig, cloud profiles and Airlock settings never leak in.
    const env: Record<string, string | undefined> = {
      ...process.env,
      HOME: options.cwd,
      AIRLOCK_AGENT_TOKEN: undefined,
      AIRLOCK_CONFIG: undefined,
      AIRLOCK_HOME: undefined,
      AIRLOCK_URL: undefined,
      AIRLOCK_TOKEN: undefined,
      // A held `exec` answers at once (exit 2) unless a test waits for approval on purpose.
      AIRLOCK_WAIT_TIMEOUT: '0',
      KUBECONFIG: undefined,
      AWS_PROFILE: undefined,
      AWS_DEFAULT_PROFILE: undefined,
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      CLOUDSDK_CONFIG: undefined,
      CLOUDSDK_CORE_PROJECT: undefined,
      PGHOST: undefined,
      PGDATABASE: undefined,
      ...options.env,
    };
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh working directory for one test, removed by the returned cleanup. */
export function tempWorkdir(prefix = 'airlock-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Personal tokens for humans of the airlock.yaml in `cwd` (`airlock humans token ID`), by id. */
export async function humanTokens(cwd: string, ids: readonly string[]): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const id of ids) {
    const r = await runCli(['humans', 'token', id], { cwd });
    if (r.code !== 0) throw new Error(`airlock humans token ${id} exited ${r.code}: ${r.stderr}`);
    tokens[id] = r.stdout.trim().split('\n').at(-1) as string;
  }
  return tokens;
}
