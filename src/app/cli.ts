/**
 * The `airlock` command: parses arguments, builds Airlock through the composition root and hands
 * each subcommand what it needs. Exit codes follow the one code table in src/core/errors.ts.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, constants as osConstants } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Action } from '../core/action.js';
import type { PlanInput } from '../core/approval.js';
import { AGENT_ID } from '../core/config.js';
import { AirlockError, ERROR_CODES, toAirlockError } from '../core/errors.js';
import { runProcess, type ExecutionOutcome } from '../adapters/process/process-executor.js';
import { sqlInvocation } from '../adapters/sql/cli-invocation.js';
import { configuredDatabase } from '../core/database.js';
import { checkLineSchema, parseCheckLine, parseDialect, shellJoin, toAction } from '../interfaces/cli/check-input.js';
import { describeAction, renderVerdict, verdictJson } from '../interfaces/cli/render-verdict.js';
import { renderRehearsal } from '../interfaces/cli/render-sql.js';
import { planEnv, targetingEnv, withoutHijackers } from './agent-env.js';
import { bool, list, parseArgs, str, type FlagSpec } from './args.js';
import type { Airlock } from './composition.js';
import { INIT_TEMPLATE } from './init-template.js';
import { EXIT, isTty, waitForApproval, waitOptions } from './wait-for-approval.js';
import { VERSION } from './version.js';

/** Standard streams and process facts, injected so the CLI runs in-process in tests. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const USAGE = `airlock ${VERSION} — change control for AI agents that act on production

Usage:
  airlock up                         start the gateway: HTTP API and web UI (also \`npm start\`)
  airlock init [--force]             write a commented airlock.yaml here
  airlock check [opts] -- CMD ARGS…  explain the decision for a shell command
  airlock check --kind sql "SQL"     … for SQL (--dialect postgresql|mysql|sqlite)
  airlock check --target NAME "SQL"  … for SQL on a database target (--rehearse: measure it)
  airlock check --kind mcp '{"server":…,"tool":…,"arguments":{…}}'
  airlock check --jsonl              decide JSON Lines from stdin, one answer per line
  airlock exec -- CMD ARGS…          run CMD if allowed; if held, wait for approval, then run it
  airlock sh -c 'SCRIPT'             the same for a shell script
  airlock sql --target NAME "SQL"    run SQL on a database target from airlock.yaml (-f FILE;
                                     --max-rows N); held changes are rehearsed, then wait
  airlock undo CHANGE_ID             restore a change's recovery points, verified by checksum
  airlock recovery list | purge      recovery points on the database targets (--target, --change)
  airlock mcp [--name N] -- CMD ARGS… be the MCP server an agent talks to, in front of CMD
                                     (stdio); --upstream URL for a Streamable HTTP server;
                                     --listen HOST:PORT to serve Streamable HTTP at /mcp;
                                     --wait / --no-wait: wait for approval of held calls or not
  airlock hook CLIENT                answer a coding agent's pre-tool hook on stdin
                                     (claude-code, cursor, gemini, codex, kiro, copilot)
  airlock audit verify | tail [-n N] check the audit log / show recent entries
  airlock policy test FILE…          run declarative policy test cases
  airlock agents add NAME [--role R]… | list | revoke NAME
  airlock requests [--all] | show ID  held actions waiting for humans (and past ones)
  airlock approve ID [-m COMMENT]    approve as the human whose token is in AIRLOCK_TOKEN
  airlock deny ID --reason TEXT      deny (ends the request); airlock revoke ID: withdraw it
  airlock grants add AGENT --for 30m --reason TEXT [--env E] [--resource R] [--verb V]
  airlock grants [list|show|approve|deny|revoke ID]   time-bound elevation
  airlock humans list | passwd ID | token ID | revoke-token TOKEN_ID

Options for check/exec/sh: --env NAME (environment, instead of inferring it), --agent ID,
  --intent TEXT, --json (check only); exec/sh: --no-wait (exit 2 at once when held, leaving
  the request open), --wait-timeout DURATION (stop waiting after, e.g. 10m).
Exit codes: 0 allowed (exec: the command's own status), 1 SQL refused by the database
  (rolled back), 2 held, 3 denied, 4 drift (the effect changed since approval; rolled back),
  64 bad input or SQL that does not parse, 65 audit tampered, 69 database unreachable,
  70 internal error, 74 store failure, 75 conflict, 77 unauthenticated, 78 bad config or policy.
Docs: README.md and docs/ in the package.`;

/** Runs the CLI; resolves to the exit code. Never rejects: errors are printed with their code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `airlock CMD --help` (before any operand) shows the usage, for every command.
    if (rest[0] === '--help' || rest[0] === '-h') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case '--version':
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return 0;
      case 'init':
        return initCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'exec':
        return await execCommand(rest, io);
      case 'sh':
        return await shCommand(rest, io);
      case 'hook': {
        const { hookCommand } = await import('./hook-command.js');
        return await hookCommand(rest, io);
      }
      case 'audit':
        return await auditCommand(rest, io);
      case 'agents':
        return await agentsCommand(rest, io);
      case 'requests':
      case 'approve':
      case 'deny':
      case 'revoke':
      case 'grants':
      case 'humans': {
        const m = await import('./approvals-command.js');
        if (command === 'requests') return await m.requestsCommand(rest, io, withAirlock);
        if (command === 'grants') return await m.grantsCommand(rest, io, withAirlock);
        if (command === 'humans') return await m.humansCommand(rest, io, withAirlock);
        return await m.reviewCommand(command, rest, io, withAirlock);
      }
      case 'mcp':
        return await (await import('./mcp-command.js')).mcpCommand(rest, io);
      case 'sql':
        return await (await import('./sql-command.js')).sqlCommand(rest, io);
      case 'undo':
        return await (await import('./sql-command.js')).undoCommand(rest, io);
      case 'recovery':
        return await (await import('./sql-command.js')).recoveryCommand(rest, io);
      case 'policy': {
        const { policyCommand } = await import('./policy-command.js');
        return await policyCommand(rest, io);
      }
      case 'up':
      case 'start': {
        const { upCommand } = await import('./server.js');
        return await upCommand(rest, io);
      }
      default:
        throw new AirlockError({ code: 'BAD_INPUT', message: `unknown command "${command}" (run \`airlock help\`)` });
    }
  } catch (err) {
    return reportError(err, io);
  }
}

/** Prints an error with its code and returns the exit code from the code table. */
export function reportError(err: unknown, io: Pick<CliIo, 'stderr'>): number {
  const e = toAirlockError(err);
  const detail = e.code === 'INTERNAL' && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  io.stderr.write(`airlock: ${e.message}${detail}\n`);
  return ERROR_CODES[e.code].exit;
}

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

function initCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, { force: { value: false } }, { command: 'init' });
  const file = resolve(io.cwd, 'airlock.yaml');
  if (existsSync(file) && !bool(args, 'force')) {
    throw new AirlockError({ code: 'CONFLICT', message: `${file} already exists; use --force to overwrite it` });
  }
  writeFileSync(file, INIT_TEMPLATE, { mode: 0o644 });
  io.stdout.write(
    `wrote ${file}\nEdit the environments and resources, then \`airlock check -- kubectl -n prod delete ns payments\` to see a decision.\n`,
  );
  return 0;
}

const DECIDE_FLAGS: FlagSpec = {
  env: { value: true },
  agent: { value: true },
  intent: { value: true },
  json: { value: false },
  help: { value: false, short: 'h' },
};

/** Builds Airlock for one command, runs `fn`, and closes it. */
export async function withAirlock<T>(io: CliIo, fn: (airlock: Airlock) => Promise<T>): Promise<T> {
  // Loaded on demand: `airlock hook` through a gateway never needs the parsers, policy or store.
  const { createAirlock } = await import('./composition.js');
  const airlock = await createAirlock({ env: io.env, cwd: io.cwd });
  try {
    return await fn(airlock);
  } finally {
    await airlock.close();
  }
}

async function checkCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...DECIDE_FLAGS,
      kind: { value: true },
      dialect: { value: true },
      jsonl: { value: false },
      target: { value: true },
      rehearse: { value: false },
    },
    { command: 'check', stopAtOperand: true },
  );
  if (bool(args, 'help')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (bool(args, 'jsonl')) {
    if (bool(args, 'json') || str(args, 'intent') !== undefined || str(args, 'kind') !== undefined || args.rest.length > 0) {
      throw new AirlockError({
        code: 'BAD_INPUT',
        message: '--jsonl reads its requests from stdin: give kind and input per line; only --env and --agent apply to every line',
      });
    }
    const defaults = { agent: str(args, 'agent') ?? 'cli', environment: str(args, 'env') };
    return withAirlock(io, (airlock) => checkJsonl(airlock, io, defaults));
  }
  const kind = str(args, 'kind') ?? 'shell';
  if (kind !== 'shell' && kind !== 'sql' && kind !== 'mcp')
    throw new AirlockError({ code: 'BAD_INPUT', message: `--kind must be shell, sql or mcp, not "${kind}"` });
  if (args.rest.length === 0)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock check: nothing to check; give a command after --, e.g. `airlock check -- rm -rf /var/www`',
    });
  const dialect = parseDialect(str(args, 'dialect'));
  const target = str(args, 'target');
  if (bool(args, 'rehearse') && target === undefined)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock check --rehearse needs --target NAME: a rehearsal runs on a database target',
    });
  const input =
    kind === 'shell' && target === undefined
      ? args.rest.length === 1
        ? (args.rest[0] as string)
        : shellJoin(args.rest)
      : args.rest.join(' ');
  return withAirlock(io, async (airlock) => {
    // SQL for a database target is judged with the target's engine, environment and context.
    const action = target === undefined ? toAction(kind, input, dialect) : airlock.sql.action(target, input);
    const { agent, roles } = await airlock.identify({ token: io.env.AIRLOCK_AGENT_TOKEN, claimedId: str(args, 'agent') ?? 'cli' });
    const env = str(args, 'env');
    const verdict = await airlock.gateway.decide({
      surface: 'cli-check',
      agent,
      roles,
      action,
      cwd: io.cwd,
      env: targetingEnv(io.env),
      record: false,
      ...(env === undefined ? {} : { environment: env }),
    });
    // A rehearsal only when asked: it runs the DML on the target, in a transaction rolled back.
    const rehearsal = target !== undefined && bool(args, 'rehearse') ? await airlock.databases.guard(target).rehearse(input) : null;
    if (bool(args, 'json'))
      io.stdout.write(`${JSON.stringify({ ...verdictJson(action, verdict), ...(rehearsal === null ? {} : { rehearsal }) }, null, 2)}\n`);
    else {
      io.stdout.write(renderVerdict(action, verdict, { color: isTty(io.stdout) }));
      if (rehearsal !== null) io.stdout.write(renderRehearsal(rehearsal));
    }
    return verdict.decision.outcome === 'allow' ? EXIT.ok : verdict.decision.outcome === 'hold' ? EXIT.held : EXIT.denied;
  });
}

/** `check --jsonl`: one answer line per input line; a bad line gets an error line and the rest go on. */
async function checkJsonl(airlock: Airlock, io: CliIo, defaults: { agent: string; environment: string | undefined }): Promise<number> {
  const { agent, roles } = await airlock.identify({ token: io.env.AIRLOCK_AGENT_TOKEN, claimedId: defaults.agent });
  // A line's own `env` wins: a name over --env, variables over the caller's targeting variables.
  const callerEnv = targetingEnv(io.env);
  const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  let failures = 0;
  let buffer = '';
  const flush = (): void => {
    if (buffer) io.stdout.write(buffer);
    buffer = '';
  };
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    let id: string | number = lineNo;
    let out: Record<string, unknown>;
    try {
      const req = parseCheckLine(line);
      id = req.id;
      const action = toAction(req.kind, req.input, parseDialect(req.dialect));
      const verdict = await airlock.gateway.decide({
        surface: 'cli-check',
        agent,
        roles,
        action,
        cwd: io.cwd,
        record: false,
        ...(typeof req.env === 'string'
          ? { environment: req.env, env: callerEnv }
          : {
              env: { ...callerEnv, ...(req.env ?? {}) },
              ...(defaults.environment === undefined ? {} : { environment: defaults.environment }),
            }),
      });
      const a = verdict.assessment;
      out = {
        id,
        risk: a.risk,
        decision: verdict.decision.outcome,
        effects: a.effects.map((e) => ({
          verb: e.verb,
          resource: e.resource,
          scope: e.scope,
          risk: e.risk,
          reversible: e.reversible,
          disruptive: e.disruptive,
        })),
        reasons: [...verdict.decision.reasons, ...a.reasons],
        kind: a.kind,
        disruptive: a.disruptive,
        obfuscated: a.obfuscated,
        environment: verdict.environment.name,
        ...(verdict.decision.outcome === 'hold' ? { requirement: verdict.decision.requirement } : {}),
      };
    } catch (err) {
      failures++;
      const e = toAirlockError(err);
      // Echo the id when the line had one, else the line number, so the caller can match it up.
      const rawId = tryId(line);
      out =
        rawId === undefined
          ? { line: lineNo, error: { code: e.code, message: e.message } }
          : { id: rawId, line: lineNo, error: { code: e.code, message: e.message } };
    }
    buffer += `${JSON.stringify(out)}\n`;
    if (buffer.length > 64 * 1024) flush();
  }
  flush();
  return failures > 0 ? ERROR_CODES.BAD_INPUT.exit : 0;
}

function tryId(line: string): string | number | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    const parsed = checkLineSchema.shape.id.safeParse((v as { id?: unknown } | null)?.id);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const GATED_FLAGS: FlagSpec = { ...DECIDE_FLAGS, 'no-wait': { value: false }, 'wait-timeout': { value: true } };

async function execCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, GATED_FLAGS, { command: 'exec', stopAtOperand: true });
  if (args.rest.length === 0)
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock exec: give the command after --, e.g. `airlock exec -- kubectl get pods`',
    });
  // Judge and run the exact file: `kubectl` becomes the absolute path PATH resolves it to now, so a
  // program planted earlier on PATH is judged as what it is, and nothing else is run later.
  const run = [resolveOnPath(args.rest[0] as string, io), ...args.rest.slice(1)];
  return runGated(io, args, { kind: 'shell', command: shellJoin(run), argv: run }, run);
}

async function shCommand(argv: readonly string[], io: CliIo): Promise<number> {
  // `airlock sh -c SCRIPT`, like sh itself.
  const args = parseArgs(argv, { ...GATED_FLAGS, command: { value: true, short: 'c' } }, { command: 'sh' });
  const script = str(args, 'command');
  if (script === undefined || script.trim() === '')
    throw new AirlockError({ code: 'BAD_INPUT', message: "airlock sh: give the script with -c, e.g. `airlock sh -c 'ls -la'`" });
  const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  return runGated(io, args, { kind: 'shell', command: script }, [shell, '-c', script]);
}

/**
 * Decides, records, and runs the argv only on allow; records the observed outcome. A hold becomes
 * an approval request: the command waits (unless --no-wait), and once approved runs the stored
 * plan, exactly once; denied, revoked or expired requests exit without running anything.
 */
async function runGated(io: CliIo, args: ReturnType<typeof parseArgs>, action: Action, runArgv: readonly string[]): Promise<number> {
  const { noWait, timeoutMs: waitMs } = waitOptions(args, io.env);
  return withAirlock(io, async (airlock) => {
    // psql/mysql on a configured database target: Airlock runs the SQL itself through the
    // database guard (rehearsal, execution bound to the approved effect, recovery points).
    const invocation = action.kind === 'shell' && action.argv !== undefined ? sqlInvocation(action.argv, io.env, io.cwd) : null;
    const db = invocation === null ? null : configuredDatabase(airlock.config.databases, invocation);
    if (invocation !== null && db !== null) {
      const { runSqlChange } = await import('./sql-command.js');
      io.stderr.write(
        `airlock: ${describeAction(action)} reaches database target "${db.name}"; Airlock runs its SQL through the database guard\n`,
      );
      return runSqlChange(airlock, io, {
        surface: 'exec',
        target: db.name,
        sql: invocation.sql,
        claimedAgent: str(args, 'agent') ?? 'cli',
        intent: str(args, 'intent'),
        maxRows: undefined,
        json: false,
        noWait,
        timeoutMs: waitMs,
      });
    }
    const { agent, roles } = await airlock.identify({
      token: io.env.AIRLOCK_AGENT_TOKEN,
      claimedId: str(args, 'agent') ?? 'cli',
      onBehalfOf: io.env.USER,
    });
    const env = str(args, 'env');
    const intent = str(args, 'intent');
    const targeting = targetingEnv(io.env);
    const verdict = await airlock.gateway.decide({
      surface: 'exec',
      agent,
      roles,
      action,
      cwd: io.cwd,
      env: targeting,
      ...(env === undefined ? {} : { environment: env }),
      ...(intent === undefined ? {} : { intent }),
    });
    const d = verdict.decision;
    if (d.outcome === 'deny' || (d.outcome === 'hold' && verdict.auditSeq === null)) {
      io.stderr.write(`airlock: denied: ${describeAction(action)}\n${renderVerdict(action, verdict, { color: isTty(io.stderr) })}`);
      return EXIT.denied;
    }
    if (d.outcome === 'allow') {
      const outcome = await runChild(io, runArgv);
      try {
        await airlock.audit.append('execution', {
          proposalId: verdict.proposalId,
          decisionSeq: verdict.auditSeq,
          argv: runArgv,
          ...outcome,
        });
      } catch (err) {
        io.stderr.write(`airlock: warning: the command ran but its outcome could not be recorded: ${toAirlockError(err).message}\n`);
      }
      return exitStatus(io, runArgv, outcome);
    }
    // Held: a request humans can approve; the same command again finds the same request.
    const opened = await airlock.approvals.open({
      verdict,
      surface: 'exec',
      action,
      cwd: io.cwd,
      env: planEnv(io.env),
      inputs: fileInputs(action.kind === 'shell' ? (action.argv ?? scriptWords(action.command)) : [], io.cwd),
    });
    const { request, url } = opened;
    if (airlock.approvals.view(request).status === 'approved') {
      io.stderr.write(`airlock: held, and already approved: ${url} (request ${request.id})\n`);
    } else {
      io.stderr.write(`airlock: held: ${describeAction(action)}\n${renderVerdict(action, verdict, { color: isTty(io.stderr) })}`);
    }
    const waited = await waitForApproval(airlock, io, request.id, url, {
      noWait,
      timeoutMs: waitMs,
    });
    if (waited !== 'approved') return waited;
    // Run the stored plan, not a new string: the argv that was approved (invariant 4).
    const claimed = await airlock.approvals.consume({
      id: request.id,
      planDigest: request.planDigest,
      agentId: agent.id,
      executor: { host: hostname(), pid: process.pid, startedAt: airlock.clock.now().toISOString() },
    });
    if (!claimed.ok) {
      io.stderr.write(`airlock: not run: ${claimed.message}\n`);
      return claimed.status === 'executing' || claimed.status === 'executed' ? EXIT.denied : EXIT.held;
    }
    const plan = claimed.request.plan.action;
    const planArgv = plan.kind === 'shell' && plan.argv !== undefined ? plan.argv : runArgv;
    io.stderr.write(
      `airlock: approved by ${claimed.request.approvals.map((a) => a.statement.human).join(', ')}; running ${describeAction(plan)}\n`,
    );
    const outcome = await runChild(io, planArgv);
    try {
      await airlock.approvals.complete({ id: request.id, ran: outcome.spawnError === undefined, outcome: { argv: planArgv, ...outcome } });
    } catch (err) {
      io.stderr.write(`airlock: warning: the command ran but its outcome could not be recorded: ${toAirlockError(err).message}\n`);
    }
    return exitStatus(io, planArgv, outcome);
  });
}

/** Files bigger than this are bound by size and modification time instead of content. */
const MAX_HASHED_BYTES = 64 * 1024 * 1024;

/** The words of a script that could name files (a rough split; only existing files count). */
function scriptWords(script: string): string[] {
  return script.split(/[\s;|&<>()'"`=]+/).filter((w) => w !== '');
}

/**
 * Content hashes of the regular files the words name (relative to cwd): the resolved binary, a
 * script, a manifest. Bound into the plan, so a file swapped after approval is a different plan.
 */
function fileInputs(words: readonly string[], cwd: string): PlanInput[] {
  const out: PlanInput[] = [];
  const seen = new Set<string>();
  for (const word of words.slice(0, 256)) {
    const path = resolve(cwd, word);
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      const sha256 =
        st.size <= MAX_HASHED_BYTES
          ? createHash('sha256').update(readFileSync(path)).digest('hex')
          : `size ${st.size}, modified ${st.mtime.toISOString()}`;
      out.push({ name: path, sha256 });
    } catch {
      // Not a file (an option, a name, a missing path): nothing to bind.
    }
  }
  return out;
}

/** Runs argv with the caller's environment minus variables that would run unjudged code. */
async function runChild(io: CliIo, argv: readonly string[]): Promise<ExecutionOutcome> {
  // A human's personal token never reaches a command Airlock runs: with it, the command could approve.
  const { AIRLOCK_TOKEN: _humanToken, ...callerEnv } = io.env;
  const { env: runEnv, removed } = withoutHijackers(callerEnv);
  if (removed.length > 0)
    io.stderr.write(`airlock: not passing ${removed.join(', ')} to the command (they would run code Airlock did not judge)\n`);
  return runProcess({ argv, cwd: io.cwd, env: runEnv });
}

function exitStatus(io: CliIo, argv: readonly string[], outcome: ExecutionOutcome): number {
  if (outcome.spawnError !== undefined) {
    io.stderr.write(`airlock: could not start ${argv[0]}: ${outcome.spawnError}\n`);
    return 127;
  }
  if (outcome.signal !== null) return 128 + (signalNumber(outcome.signal) ?? 0);
  return outcome.exitCode ?? 1;
}

/** The absolute path PATH gives a bare command name (as the kernel would find it), or the name as given. */
function resolveOnPath(name: string, io: CliIo): string {
  if (name.includes('/')) return name;
  for (const dir of (io.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = resolve(io.cwd, dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // Not here; keep looking.
    }
  }
  return name;
}

function signalNumber(signal: string): number | undefined {
  return (osConstants.signals as Record<string, number | undefined>)[signal];
}

async function auditCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { auditTail, auditVerify } = await import('./audit-command.js');
  if (sub === 'verify') return withAirlock(io, (airlock) => auditVerify(airlock, rest, io));
  if (sub === 'tail') return withAirlock(io, (airlock) => auditTail(airlock, rest, io));
  throw new AirlockError({
    code: 'BAD_INPUT',
    message: 'airlock audit: use `airlock audit verify` or `airlock audit tail [-n N] [--json]`',
  });
}

async function agentsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'add' && sub !== 'list' && sub !== 'revoke') {
    throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock agents: use add NAME [--role R]…, list, or revoke NAME' });
  }
  const args = parseArgs(rest, { role: { value: true, repeat: true }, json: { value: false } }, { command: `agents ${sub}` });
  return withAirlock(io, async (airlock) => {
    if (sub === 'add') {
      const id = args.rest[0];
      if (id === undefined || !AGENT_ID.test(id))
        throw new AirlockError({
          code: 'BAD_INPUT',
          message: 'airlock agents add NAME: NAME is 1-64 letters, digits, dot, dash or underscore',
        });
      const { randomBytes } = await import('node:crypto');
      const token = `alk_${randomBytes(24).toString('base64url')}`;
      const existing = (await airlock.store.listAgents()).find((a) => a.id === id && a.revokedAt === null);
      if (existing)
        throw new AirlockError({
          code: 'CONFLICT',
          message: `agent "${id}" already exists; revoke it first with \`airlock agents revoke ${id}\``,
        });
      const createdAt = airlock.clock.now().toISOString();
      const roles = list(args, 'role');
      await airlock.store.putAgent({ id, roles, tokenHash: airlock.hasher.sha256Hex(token), createdAt, revokedAt: null });
      await airlock.audit.append('agent.created', { id, roles, createdAt });
      io.stdout.write(
        `agent ${id} created${roles.length ? ` with roles ${roles.join(', ')}` : ''}.\nIts token (shown once; give it to the agent as AIRLOCK_AGENT_TOKEN):\n${token}\n`,
      );
      return 0;
    }
    if (sub === 'list') {
      const agents = await airlock.store.listAgents();
      if (bool(args, 'json'))
        io.stdout.write(
          `${JSON.stringify(
            agents.map(({ tokenHash: _t, ...a }) => a),
            null,
            2,
          )}\n`,
        );
      else
        for (const a of agents)
          io.stdout.write(
            `${a.id}\troles=${a.roles.join(',') || '-'}\tcreated=${a.createdAt}${a.revokedAt ? `\trevoked=${a.revokedAt}` : ''}\n`,
          );
      return 0;
    }
    // revoke
    const id = args.rest[0];
    if (id === undefined) throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock agents revoke NAME' });
    const at = airlock.clock.now().toISOString();
    if (!(await airlock.store.revokeAgent(id, at)))
      throw new AirlockError({ code: 'NOT_FOUND', message: `no active agent "${id}" (see \`airlock agents list\`)` });
    await airlock.audit.append('agent.revoked', { id, at });
    io.stdout.write(`agent ${id} revoked\n`);
    return 0;
  });
}
