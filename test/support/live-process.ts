/**
 * Long-running `airlock` processes for end-to-end tests (`airlock up`, a waiting `airlock exec`):
 * spawned with a hermetic environment, their output collected, with a way to wait for a line.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { BIN } from './run-cli.js';

/** A running process and what it printed so far. */
export interface LiveProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout or stderr; rejects after `timeoutMs` or when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** The environment every test process starts from: the developer's own settings never leak in. */
export function hermeticEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOME: home,
    USER: 'e2e-user',
    AIRLOCK_AGENT_TOKEN: undefined,
    AIRLOCK_TOKEN: undefined,
    AIRLOCK_CONFIG: undefined,
    AIRLOCK_HOME: undefined,
    AIRLOCK_URL: undefined,
    AIRLOCK_PORT: undefined,
    AIRLOCK_HOST: undefined,
    AIRLOCK_WAIT_TIMEOUT: undefined,
    KUBECONFIG: undefined,
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    CLOUDSDK_CONFIG: undefined,
    CLOUDSDK_CORE_PROJECT: undefined,
    PGHOST: undefined,
    PGDATABASE: undefined,
    NODE_OPTIONS: undefined,
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

/** Starts `airlock ARGS…` in `cwd`; stdin gets `input` (then closes) when given. */
export function startAirlock(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): LiveProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    poke();
  });
  let ended = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      ended = true;
      poke();
      resolve(code);
    });
    child.on('error', () => {
      ended = true;
      poke();
      resolve(null);
    });
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = out.match(pattern) ?? err.match(pattern);
          if (m !== null) {
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`airlock ${args.join(' ')} ended before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`airlock ${args.join(' ')} did not print ${pattern} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 5000) {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** How many live (not zombie) child processes a process has: the upstream servers a gateway started. */
export function childrenOf(pid: number): number {
  const r = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid=,stat='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() !== '' && !/\sZ/.test(l)).length;
}
