/**
 * `airlock sql`, `airlock undo` and `airlock recovery`: SQL for a configured database target goes
 * through the database guard. Allowed: it runs with recovery points. Held: it is rehearsed on the
 * target, a request carrying the measured effect waits for humans, and once approved it runs bound
 * to that effect (drift rolls back). Undo restores a change's recovery points, verified.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Surface } from '../core/action.js';
import { AirlockError, ERROR_CODES } from '../core/errors.js';
import { describeAction, renderVerdict } from '../interfaces/cli/render-verdict.js';
import { renderDrift, renderExecution, renderRecoveryPoints, renderRehearsal } from '../interfaces/cli/render-sql.js';
import { bool, parseArgs, str, type FlagSpec } from './args.js';
import type { CliIo } from './cli.js';
import { withAirlock } from './cli.js';
import type { Airlock } from './composition.js';
import { EXIT, isTty, waitForApproval, waitOptions } from './wait-for-approval.js';

const SQL_FLAGS: FlagSpec = {
  target: { value: true, short: 't' },
  file: { value: true, short: 'f' },
  'max-rows': { value: true },
  agent: { value: true },
  intent: { value: true },
  json: { value: false },
  'no-wait': { value: false },
  'wait-timeout': { value: true },
};

/** `airlock sql --target NAME "SQL"` (or `-f FILE`, or `-f -` for stdin). */
export async function sqlCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SQL_FLAGS, { command: 'sql' });
  const target = str(args, 'target');
  if (target === undefined)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock sql: name the database target with --target NAME (targets are listed under "databases" in airlock.yaml)',
    });
  const file = str(args, 'file');
  if (file !== undefined && args.rest.length > 0)
    throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock sql: give the SQL as an argument or with -f FILE, not both' });
  const sql = file === undefined ? args.rest.join(' ') : file === '-' ? await readAll(io.stdin) : readSqlFile(resolve(io.cwd, file));
  if (sql.trim() === '')
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock sql: no SQL given; e.g. `airlock sql --target prod "DELETE FROM sessions WHERE expires_at < now()"`',
    });
  const maxText = str(args, 'max-rows');
  const maxRows = maxText === undefined ? undefined : Number(maxText);
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 0))
    throw new AirlockError({ code: 'BAD_INPUT', message: `airlock sql: --max-rows "${maxText}" is not a whole number of rows` });
  const wait = waitOptions(args, io.env);
  return withAirlock(io, (airlock) =>
    runSqlChange(airlock, io, {
      surface: 'exec',
      target,
      sql,
      claimedAgent: str(args, 'agent') ?? 'cli',
      intent: str(args, 'intent'),
      maxRows,
      json: bool(args, 'json'),
      ...wait,
    }),
  );
}

function readSqlFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `airlock sql: cannot read ${path} (${(err as { code?: string }).code ?? 'error'})`,
    });
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Decides and runs one SQL change through the database guard, waiting for approval when held.
 * Shared by `airlock sql` and `airlock exec -- psql …/mysql …` on a configured target.
 */
export async function runSqlChange(
  airlock: Airlock,
  io: CliIo,
  o: {
    readonly surface: Surface;
    readonly target: string;
    readonly sql: string;
    readonly claimedAgent: string;
    readonly intent: string | undefined;
    readonly maxRows: number | undefined;
    readonly json: boolean;
    readonly noWait: boolean;
    readonly timeoutMs: number | null;
  },
): Promise<number> {
  const { agent, roles } = await airlock.identify({
    token: io.env.AIRLOCK_AGENT_TOKEN,
    claimedId: o.claimedAgent,
    onBehalfOf: io.env.USER,
  });
  const submitted = await airlock.sql.submit({
    surface: o.surface,
    agent,
    roles,
    target: o.target,
    sql: o.sql,
    cwd: io.cwd,
    ...(o.maxRows === undefined ? {} : { maxRows: o.maxRows }),
    ...(o.intent === undefined ? {} : { intent: o.intent }),
  });
  const color = isTty(io.stderr);
  const action = airlock.sql.action(o.target, o.sql, o.maxRows);
  switch (submitted.outcome) {
    case 'denied':
      io.stderr.write(`airlock: denied: ${describeAction(action)}\n${renderVerdict(action, submitted.verdict, { color })}`);
      return EXIT.denied;
    case 'ran':
      // Allowed, but past its --max-rows bound: rolled back, like a drifted approved change.
      if (!submitted.execution.committed) {
        io.stderr.write(`airlock: not run: everything was rolled back:\n${renderDrift(submitted.execution.drift)}\n`);
        if (o.json) io.stdout.write(`${JSON.stringify({ changeId: submitted.changeId, ...submitted.execution })}\n`);
        return ERROR_CODES.DRIFT.exit;
      }
      printExecution(io, o.json, submitted.execution, submitted.changeId);
      return EXIT.ok;
    case 'held':
      break;
  }
  const { request, url } = submitted;
  if (airlock.approvals.view(request).status === 'approved') {
    io.stderr.write(`airlock: held, and already approved: ${url} (request ${request.id})\n`);
  } else {
    io.stderr.write(`airlock: held: ${describeAction(action)}\n${renderVerdict(action, submitted.verdict, { color })}`);
    if (submitted.rehearsal !== null) io.stderr.write(renderRehearsal(submitted.rehearsal));
    else if (submitted.notRehearsed !== null) io.stderr.write(`airlock: ${submitted.notRehearsed}\n`);
  }
  const waited = await waitForApproval(airlock, io, request.id, url, { noWait: o.noWait, timeoutMs: o.timeoutMs });
  if (waited !== 'approved') return waited;
  const run = await airlock.sql.runApproved({
    id: request.id,
    agentId: agent.id,
    executor: { host: hostname(), pid: process.pid, startedAt: airlock.clock.now().toISOString() },
  });
  const by = run.request.approvals.map((a) => a.statement.human).join(', ');
  if (!run.execution.committed) {
    io.stderr.write(
      `airlock: not run: the effect changed since it was approved, so everything was rolled back (request ${request.id} is now failed):\n${renderDrift(run.execution.drift)}\nairlock: run the same command again to rehearse it anew and ask for approval of what it does now.\n`,
    );
    if (o.json) io.stdout.write(`${JSON.stringify({ requestId: request.id, ...run.execution })}\n`);
    return ERROR_CODES.DRIFT.exit;
  }
  io.stderr.write(`airlock: approved by ${by}; ran request ${request.id}\n`);
  printExecution(io, o.json, run.execution, request.id);
  return EXIT.ok;
}

function printExecution(io: CliIo, json: boolean, execution: Parameters<typeof renderExecution>[0], changeId: string): void {
  if (json) io.stdout.write(`${JSON.stringify({ changeId, ...execution })}\n`);
  else io.stdout.write(renderExecution(execution));
  for (const p of execution.recoveryPoints)
    io.stderr.write(`airlock: recovery point ${p.id}: ${p.rows} row(s) of ${p.table} kept until ${p.expiresAt}\n`);
  if (execution.recoveryPoints.length > 0) io.stderr.write(`airlock: to undo: airlock undo ${changeId}\n`);
}

/** `airlock undo CHANGE_ID [--target NAME] [--json]`. */
export async function undoCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { target: { value: true, short: 't' }, json: { value: false } }, { command: 'undo' });
  const id = args.rest[0];
  if (id === undefined || args.rest.length > 1)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock undo: give one change id (the request id, or the id `airlock sql` printed); see `airlock recovery list`',
    });
  refuseAgent(io, 'undo');
  return withAirlock(io, async (airlock) => {
    const { target, result } = await airlock.sql.undo(id, str(args, 'target'));
    if (bool(args, 'json')) {
      io.stdout.write(`${JSON.stringify({ target, ...result })}\n`);
      return 0;
    }
    for (const r of result.restored)
      io.stdout.write(
        `restored ${r.rows} row(s) of ${r.point.table} from ${r.point.storedAs} (${r.point.kind}); checksum ${r.verified ? 'verified' : 'DIFFERS'}: ${r.checksum}\n`,
      );
    io.stdout.write(`change ${id} on ${target} undone\n`);
    return result.restored.every((r) => r.verified) ? 0 : ERROR_CODES.UNDO_CONFLICT.exit;
  });
}

/** `airlock recovery list|purge [--target NAME] [--change ID] [--json]`. */
export async function recoveryCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(
    rest,
    { target: { value: true, short: 't' }, change: { value: true }, json: { value: false } },
    { command: `recovery ${sub ?? ''}` },
  );
  if (sub !== 'list' && sub !== 'purge')
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock recovery: give list or purge (`airlock recovery list [--target NAME]`, `airlock recovery purge [--change ID]`)',
    });
  if (sub === 'purge') refuseAgent(io, 'recovery purge');
  return withAirlock(io, async (airlock) => {
    const target = str(args, 'target');
    const changeId = str(args, 'change');
    const filter = { ...(target === undefined ? {} : { target }), ...(changeId === undefined ? {} : { changeId }) };
    const points = sub === 'list' ? await airlock.sql.recoveryPoints(filter) : await airlock.sql.purge(filter);
    if (bool(args, 'json')) io.stdout.write(`${JSON.stringify(points)}\n`);
    else if (sub === 'list') io.stdout.write(renderRecoveryPoints(points));
    else
      io.stdout.write(
        points.length === 0 ? 'nothing to purge\n' : `purged ${points.length} recovery point(s):\n${renderRecoveryPoints(points)}`,
      );
    return 0;
  });
}

/** Undo and purge are for humans: an agent's environment (AIRLOCK_AGENT_TOKEN) is refused. */
function refuseAgent(io: CliIo, what: string): void {
  if (io.env.AIRLOCK_AGENT_TOKEN)
    throw new AirlockError({
      code: 'FORBIDDEN',
      message: `AIRLOCK_AGENT_TOKEN is set, so this is an agent's environment: airlock ${what} is for humans (it changes production outside any request)`,
    });
}
