/**
 * Waiting for humans: a held command (airlock exec, sh, sql) shows one live line with the request's
 * link and progress until the request is approved, denied, revoked or expires.
 */
import { parseDuration } from '../core/approval.js';
import { AirlockError, ERROR_CODES } from '../core/errors.js';
import { approvalProgress } from '../interfaces/cli/render-request.js';
import { visible } from '../interfaces/cli/render-verdict.js';
import { bool, type ParsedArgs, str } from './args.js';
import type { CliIo } from './cli.js';
import type { Airlock } from './composition.js';

/** Exit statuses of gated commands. */
export const EXIT = { ok: 0, held: ERROR_CODES.HELD.exit, denied: ERROR_CODES.DENIED.exit } as const;

/**
 * How long a gated command (exec, sh, sql) waits for approval: --wait-timeout, else
 * AIRLOCK_WAIT_TIMEOUT (for CI and scripts), else until the request is decided or expires. "0"
 * and --no-wait do not wait.
 */
export function waitOptions(args: ParsedArgs, env: CliIo['env']): { noWait: boolean; timeoutMs: number | null } {
  const waitText = str(args, 'wait-timeout') ?? (env.AIRLOCK_WAIT_TIMEOUT || undefined);
  const noWait = bool(args, 'no-wait') || waitText?.trim() === '0';
  const timeoutMs = waitText === undefined || noWait ? null : parseDuration(waitText);
  if (waitText !== undefined && !noWait && timeoutMs === null)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `wait timeout "${waitText}" (--wait-timeout or AIRLOCK_WAIT_TIMEOUT): give a duration such as 90s, 10m or 2h, or 0 not to wait`,
    });
  return { noWait, timeoutMs };
}

/** True when the stream is a terminal (live lines, colour). */
export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** How often a waiting command looks at its request (a local indexed read). */
const POLL_MS = 150;

/**
 * Waits until the request is approved, or ends. Returns 'approved', or the exit code: held (2)
 * for --no-wait, a wait timeout or Ctrl-C (the request stays open); denied (3) for denied or
 * revoked; TIMEOUT's code for an expired request.
 */
export async function waitForApproval(
  airlock: Airlock,
  io: CliIo,
  id: string,
  url: string,
  options: { noWait: boolean; timeoutMs: number | null },
): Promise<'approved' | number> {
  const a = airlock.approvals;
  const tty = isTty(io.stderr);
  let last = '';
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const started = Date.now();
  try {
    for (;;) {
      const request = await a.get(id);
      const missing = a.missing(request);
      switch (request.status) {
        case 'approved':
          if (tty) io.stderr.write('\n');
          return 'approved';
        case 'denied': {
          const s = request.denial?.statement;
          io.stderr.write(
            `${tty ? '\n' : ''}airlock: denied by ${s?.human ?? 'a reviewer'}${s?.comment ? `: ${visible(s.comment)}` : ''} (request ${id})\n`,
          );
          return EXIT.denied;
        }
        case 'revoked':
          io.stderr.write(
            `${tty ? '\n' : ''}airlock: request ${id} was revoked by ${request.revocation?.by ?? 'someone'}${request.revocation?.reason ? `: ${visible(request.revocation.reason)}` : ''}; nothing ran\n`,
          );
          return EXIT.denied;
        case 'expired':
          io.stderr.write(
            `${tty ? '\n' : ''}airlock: request ${id} expired without enough approvals; nothing ran. Ask again if it is still needed.\n`,
          );
          return ERROR_CODES.TIMEOUT.exit;
        case 'pending':
          break;
        default:
          io.stderr.write(
            `${tty ? '\n' : ''}airlock: request ${id} is ${request.status}; it does not run again (see \`airlock requests show ${id}\`)\n`,
          );
          return EXIT.denied;
      }
      const approvers = request.approvals.map((ap) => ap.statement.human);
      const line = `airlock: waiting for approval: ${url} (request ${id}; ${approvalProgress(request, missing)}${approvers.length ? `; approved by ${approvers.join(', ')}` : ''})`;
      if (options.noWait) {
        io.stderr.write(`${line}\nairlock: not waiting (--no-wait); run the same command again once it is approved.\n`);
        return EXIT.held;
      }
      if (line !== last) {
        io.stderr.write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
        last = line;
      }
      if (interrupted || (options.timeoutMs !== null && Date.now() - started >= options.timeoutMs)) {
        io.stderr.write(
          `${tty ? '\n' : ''}airlock: stopped waiting; request ${id} stays open until ${request.expiresAt}. Run the same command again to pick it up once approved.\n`,
        );
        return EXIT.held;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
