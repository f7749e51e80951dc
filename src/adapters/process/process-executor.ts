/**
 * Runs an approved argv as a child process with the terminal attached, and reports what happened.
 * The argv is executed directly (no shell) unless the plan is itself a shell script.
 */
import { spawn } from 'node:child_process';

/** What a finished process did: the observed outcome recorded in the audit log. */
export interface ExecutionOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  /** Set when the process could not be started (not found, not executable). */
  readonly spawnError?: string;
}

/** Options for {@link runProcess}. */
export interface RunProcessOptions {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Runs argv with inherited stdio. Never rejects: a spawn failure is reported in the outcome. */
export function runProcess(options: RunProcessOptions): Promise<ExecutionOutcome> {
  const started = performance.now();
  const [file, ...args] = options.argv;
  return new Promise((resolvePromise) => {
    if (file === undefined) {
      resolvePromise({ exitCode: null, signal: null, durationMs: 0, spawnError: 'no command given' });
      return;
    }
    const child = spawn(file, args, { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: 'inherit' });
    // Ctrl-C and Ctrl-\\ already reach the child: the terminal signals the whole foreground
    // process group. Airlock only stays alive to record the outcome; forwarding them again would
    // make one Ctrl-C count twice (for terraform, "two interrupts: exit immediately").
    const ignore = (): void => {};
    // SIGTERM and SIGHUP are sent to Airlock alone (kill, a closed terminal): pass them on.
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.on('SIGINT', ignore);
    process.on('SIGQUIT', ignore);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    const done = (outcome: ExecutionOutcome): void => {
      process.off('SIGINT', ignore);
      process.off('SIGQUIT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
      resolvePromise(outcome);
    };
    child.on('error', (err) => done({ exitCode: null, signal: null, durationMs: performance.now() - started, spawnError: err.message }));
    child.on('close', (code, signal) => done({ exitCode: code, signal, durationMs: performance.now() - started }));
  });
}
