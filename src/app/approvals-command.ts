/**
 * The human side of approvals from a terminal: `airlock requests`, `approve`, `deny`, `revoke`,
 * `grants …` and `humans …`. Humans authenticate with a personal token in AIRLOCK_TOKEN (created
 * with `airlock humans token ID`); agent tokens are refused on every approval path.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { refusalError, type ReviewResult } from '../core/approval-service.js';
import { OPEN_STATUSES, parseDuration, REQUEST_STATUSES, type RequestStatus } from '../core/approval.js';
import type { EffectVerb, RiskClass } from '../core/assessment.js';
import { AirlockError } from '../core/errors.js';
import type { GrantScope } from '../core/grant.js';
import { hashPassword } from '../adapters/crypto/password.js';
import { grantLine, renderRequest, requestLine } from '../interfaces/cli/render-request.js';
import { bool, list, parseArgs, str } from './args.js';
import type { CliIo } from './cli.js';
import { HUMAN_TOKEN_PREFIX, type Airlock } from './composition.js';

type WithAirlock = <T>(io: CliIo, fn: (airlock: Airlock) => Promise<T>) => Promise<T>;

/**
 * The human calling: AIRLOCK_TOKEN must be a human's personal token. Refused when the caller's
 * environment carries an agent token (an agent's shell) or the token is an agent's.
 */
async function human(airlock: Airlock, io: CliIo, what: string): Promise<{ kind: 'human'; id: string }> {
  if (io.env.AIRLOCK_AGENT_TOKEN) {
    throw new AirlockError({
      code: 'FORBIDDEN',
      message: `AIRLOCK_AGENT_TOKEN is set, so this is an agent's environment: agents never ${what}. A human runs this in their own terminal.`,
    });
  }
  const token = io.env.AIRLOCK_TOKEN;
  if (!token) {
    throw new AirlockError({
      code: 'UNAUTHENTICATED',
      message: `to ${what}, set AIRLOCK_TOKEN to your personal token (an administrator creates it with \`airlock humans token YOUR_ID\`)`,
    });
  }
  const who = await airlock.principalOf(token);
  if (who === null) {
    throw new AirlockError({ code: 'UNAUTHENTICATED', message: 'AIRLOCK_TOKEN is not a valid personal token (unknown or revoked)' });
  }
  if (who.kind !== 'human') {
    throw new AirlockError({ code: 'FORBIDDEN', message: `AIRLOCK_TOKEN belongs to agent ${who.id}: agent credentials never ${what}` });
  }
  return { kind: 'human', id: who.id };
}

/** `airlock requests [--all|--status S] [--json]` and `airlock requests show ID [--json]`. */
export async function requestsCommand(argv: readonly string[], io: CliIo, withAirlock: WithAirlock): Promise<number> {
  const args = parseArgs(
    argv,
    {
      all: { value: false },
      status: { value: true, repeat: true },
      json: { value: false },
      quiet: { value: false, short: 'q' },
      limit: { value: true },
    },
    { command: 'requests' },
  );
  const [sub, id] = args.rest;
  return withAirlock(io, async (airlock) => {
    const a = airlock.approvals;
    if (sub === 'show') {
      if (id === undefined) throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock requests show ID' });
      const request = await a.get(id);
      if (bool(args, 'json'))
        io.stdout.write(`${JSON.stringify({ ...request, missing: a.missing(request), url: a.requestUrl(request.id) }, null, 2)}\n`);
      else io.stdout.write(renderRequest(request, { missing: a.missing(request), url: a.requestUrl(request.id) }));
      return 0;
    }
    if (sub !== undefined)
      throw new AirlockError({
        code: 'BAD_INPUT',
        message: `airlock requests: unknown subcommand "${sub}" (use: requests [--all], requests show ID)`,
      });
    const wanted = list(args, 'status');
    for (const s of wanted) {
      if (!REQUEST_STATUSES.includes(s as RequestStatus)) {
        throw new AirlockError({ code: 'BAD_INPUT', message: `--status ${s}: use one of ${REQUEST_STATUSES.join(', ')}` });
      }
    }
    const limit = Number(str(args, 'limit') ?? '100');
    if (!Number.isInteger(limit) || limit < 1)
      throw new AirlockError({ code: 'BAD_INPUT', message: '--limit must be a positive whole number' });
    const statuses = bool(args, 'all') ? undefined : wanted.length ? (wanted as RequestStatus[]) : OPEN_STATUSES;
    const requests = await a.list({ ...(statuses === undefined ? {} : { statuses }), limit });
    if (bool(args, 'json')) {
      io.stdout.write(
        `${JSON.stringify(
          requests.map((r) => ({ ...r, missing: a.missing(r), url: a.requestUrl(r.id) })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (bool(args, 'quiet')) {
      for (const r of requests) io.stdout.write(`${r.id}\n`);
      return 0;
    }
    if (requests.length === 0) {
      io.stdout.write(statuses === OPEN_STATUSES ? 'no open requests (see all with --all)\n' : 'no requests\n');
      return 0;
    }
    for (const r of requests) io.stdout.write(`${requestLine(r, a.missing(r))}\n`);
    return 0;
  });
}

/** `airlock approve ID [--comment C] [--digest D]`, `airlock deny ID --reason R`, `airlock revoke ID [--reason R]`. */
export async function reviewCommand(
  verb: 'approve' | 'deny' | 'revoke',
  argv: readonly string[],
  io: CliIo,
  withAirlock: WithAirlock,
): Promise<number> {
  const args = parseArgs(
    argv,
    {
      comment: { value: true, short: 'm' },
      reason: { value: true },
      digest: { value: true },
      json: { value: false },
      yes: { value: false, short: 'y' },
    },
    { command: verb },
  );
  const id = args.rest[0];
  if (id === undefined) {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: `airlock ${verb} ID${verb === 'deny' ? ' --reason "why"' : ''} (list open requests with \`airlock requests\`)`,
    });
  }
  const reason = str(args, 'reason') ?? str(args, 'comment') ?? '';
  if (verb === 'deny' && reason.trim() === '') {
    throw new AirlockError({
      code: 'BAD_INPUT',
      message: 'airlock deny: give the reason with --reason "…" (the agent and its user read it)',
    });
  }
  return withAirlock(io, async (airlock) => {
    const who = await human(airlock, io, `${verb} requests`);
    const a = airlock.approvals;
    const request = await a.get(id);
    let result: ReviewResult;
    if (verb === 'revoke') {
      result = await a.revoke({ id, by: who, reason });
    } else {
      // Bound to what this human is shown now (or to the digest they name, from a review elsewhere).
      const digest = str(args, 'digest') ?? request.planDigest;
      if (str(args, 'digest') === undefined) {
        io.stdout.write(renderRequest(request, { missing: a.missing(request), url: a.requestUrl(id) }));
        // Approving what one has not looked at is not a review: confirm at the terminal, or say
        // --yes (scripts), or name the digest seen elsewhere.
        if (verb === 'approve' && !bool(args, 'yes') && !(await confirm(io, `approve ${id} as ${who.id}? [y/N] `))) {
          throw new AirlockError({
            code: 'BAD_INPUT',
            message: (io.stdin as { isTTY?: boolean }).isTTY
              ? 'not approved'
              : 'not approved: review the plan above, then run again with --yes (or --digest SHA256 for the digest you reviewed)',
          });
        }
      }
      result = await a.review({ id, reviewer: who, vote: verb, planDigest: digest, comment: reason });
    }
    if (!result.ok) throw refusalError(result);
    const after = result.request;
    if (bool(args, 'json')) {
      io.stdout.write(`${JSON.stringify({ ...after, missing: a.missing(after) }, null, 2)}\n`);
      return 0;
    }
    const missing = a.missing(after);
    const done =
      verb === 'deny'
        ? `denied ${id}: the request is closed`
        : verb === 'revoke'
          ? `revoked ${id}: it will not run`
          : after.status === 'approved'
            ? `approved ${id}: it may now run (once)`
            : `approval recorded for ${id}: ${missing} more needed${after.requirement.groups.length ? ` from ${after.requirement.groups.join(' or ')}` : ''}`;
    io.stdout.write(`${done}\n`);
    return 0;
  });
}

const VERBS: readonly EffectVerb[] = ['read', 'create', 'modify', 'delete', 'replace', 'execute'];
const MAX_RISKS = ['write', 'destructive', 'catastrophic'] as const;

/** `airlock grants add|list|show|approve|deny|revoke`. */
export async function grantsCommand(argv: readonly string[], io: CliIo, withAirlock: WithAirlock): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(
    rest,
    {
      env: { value: true, repeat: true },
      resource: { value: true, repeat: true },
      verb: { value: true, repeat: true },
      'max-risk': { value: true },
      for: { value: true },
      reason: { value: true },
      comment: { value: true, short: 'm' },
      all: { value: false },
      json: { value: false },
    },
    { command: `grants ${sub ?? ''}`.trim() },
  );
  const id = args.rest[0];
  return withAirlock(io, async (airlock) => {
    const a = airlock.approvals;
    switch (sub) {
      case undefined:
      case 'list': {
        const rows = await airlock.store.listGrants({ ...(bool(args, 'all') ? {} : { statuses: OPEN_STATUSES }), limit: 200 });
        const grants = rows.map((r) => r.value);
        if (bool(args, 'json')) io.stdout.write(`${JSON.stringify(grants, null, 2)}\n`);
        else if (grants.length === 0)
          io.stdout.write('no grants (create one with `airlock grants add AGENT --env ENV --for 30m --reason …`)\n');
        else for (const g of grants) io.stdout.write(`${grantLine(g)}\n`);
        return 0;
      }
      case 'add': {
        const who = await human(airlock, io, 'grant elevation');
        if (id === undefined)
          throw new AirlockError({
            code: 'BAD_INPUT',
            message: 'airlock grants add AGENT --for 30m --reason "…" [--env E] [--resource R] [--verb V] [--max-risk R]',
          });
        const durationText = str(args, 'for');
        const durationMs = durationText === undefined ? null : parseDuration(durationText);
        if (durationMs === null)
          throw new AirlockError({ code: 'BAD_INPUT', message: '--for: give how long the grant lasts, e.g. 30m, 2h' });
        const verbs = list(args, 'verb');
        const bad = verbs.find((v) => !VERBS.includes(v as EffectVerb));
        if (bad !== undefined) throw new AirlockError({ code: 'BAD_INPUT', message: `--verb ${bad}: use ${VERBS.join(', ')}` });
        const maxRisk = str(args, 'max-risk') ?? 'destructive';
        if (!(MAX_RISKS as readonly string[]).includes(maxRisk)) {
          throw new AirlockError({ code: 'BAD_INPUT', message: `--max-risk ${maxRisk}: use ${MAX_RISKS.join(', ')}` });
        }
        const scope: GrantScope = {
          environments: list(args, 'env'),
          resources: list(args, 'resource'),
          verbs: verbs as EffectVerb[],
          maxRisk: maxRisk as Exclude<RiskClass, 'read' | 'unknown'>,
        };
        const grant = await a.requestGrant({ by: who.id, agentId: id, scope, durationMs, reason: str(args, 'reason') ?? '' });
        io.stdout.write(
          grant.status === 'approved'
            ? `grant ${grant.id} active: ${grantLine(grant)}\n`
            : `grant ${grant.id} needs ${grant.requirement.approvals} approval(s)${grant.requirement.groups.length ? ` from ${grant.requirement.groups.join(' or ')}` : ''} by someone else: ${a.grantUrl(grant.id)}\n`,
        );
        return 0;
      }
      case 'show': {
        if (id === undefined) throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock grants show ID' });
        const stored = await airlock.store.getGrant(id);
        if (stored === null) throw new AirlockError({ code: 'NOT_FOUND', message: `no grant "${id}" (see \`airlock grants --all\`)` });
        io.stdout.write(`${JSON.stringify(stored.value, null, 2)}\n`);
        return 0;
      }
      case 'approve':
      case 'deny': {
        const who = await human(airlock, io, `${sub} grants`);
        if (id === undefined) throw new AirlockError({ code: 'BAD_INPUT', message: `airlock grants ${sub} ID` });
        const comment = str(args, 'reason') ?? str(args, 'comment') ?? '';
        if (sub === 'deny' && comment.trim() === '')
          throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock grants deny: give the reason with --reason' });
        const stored = await airlock.store.getGrant(id);
        if (stored === null) throw new AirlockError({ code: 'NOT_FOUND', message: `no grant "${id}"` });
        const result = await a.reviewGrant({ id, reviewer: who, vote: sub, planDigest: stored.value.planDigest, comment });
        if (!result.ok) throw refusalError(result);
        io.stdout.write(`${grantLine(result.grant)}\n`);
        return 0;
      }
      case 'revoke': {
        const who = await human(airlock, io, 'revoke grants');
        if (id === undefined) throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock grants revoke ID' });
        const g = await a.revokeGrant({ id, by: who.id, reason: str(args, 'reason') ?? '' });
        io.stdout.write(`revoked ${g.id}\n`);
        return 0;
      }
      default:
        throw new AirlockError({
          code: 'BAD_INPUT',
          message: `airlock grants: unknown subcommand "${sub}" (add, list, show, approve, deny, revoke)`,
        });
    }
  });
}

/**
 * `airlock humans list | passwd ID [--password-stdin] | token ID | revoke-token TOKEN_ID`. Humans are
 * listed in airlock.yaml; these manage their credentials in the store. Whoever can run these can
 * write the data directory, which already makes them an administrator of this Airlock.
 */
export async function humansCommand(argv: readonly string[], io: CliIo, withAirlock: WithAirlock): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, { 'password-stdin': { value: false }, json: { value: false } }, { command: `humans ${sub ?? ''}`.trim() });
  const id = args.rest[0];
  if (io.env.AIRLOCK_AGENT_TOKEN && sub !== 'list' && sub !== undefined) {
    throw new AirlockError({
      code: 'FORBIDDEN',
      message: "AIRLOCK_AGENT_TOKEN is set, so this is an agent's environment: agents never manage human credentials",
    });
  }
  return withAirlock(io, async (airlock) => {
    const configured = (who: string | undefined): string => {
      if (who === undefined) throw new AirlockError({ code: 'BAD_INPUT', message: `airlock humans ${sub} ID` });
      if (!airlock.config.humans.some((h) => h.id === who)) {
        throw new AirlockError({
          code: 'NOT_FOUND',
          message: `"${who}" is not listed under humans: in ${airlock.paths.configFile ?? 'airlock.yaml (none is in use; create one with `airlock init`)'}`,
        });
      }
      return who;
    };
    const now = airlock.clock.now().toISOString();
    switch (sub) {
      case undefined:
      case 'list': {
        const tokens = await airlock.store.listHumanTokens();
        const rows = await Promise.all(
          airlock.config.humans.map(async (h) => ({
            id: h.id,
            name: h.name ?? null,
            groups: h.groups,
            password: (await airlock.store.getHumanCredential(h.id)) !== null,
            tokens: tokens.filter((t) => t.humanId === h.id && t.revokedAt === null).map((t) => t.id),
          })),
        );
        if (bool(args, 'json')) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (rows.length === 0) io.stdout.write('no humans: list them under humans: in airlock.yaml (see docs/approvals.md)\n');
        else
          for (const r of rows)
            io.stdout.write(
              `${r.id}\tgroups=${r.groups.join(',') || '-'}\tpassword=${r.password ? 'set' : 'not set'}\ttokens=${r.tokens.join(',') || '-'}\n`,
            );
        return 0;
      }
      case 'passwd': {
        const who = configured(id);
        const password = await readPassword(io, bool(args, 'password-stdin'));
        let passwordHash: string;
        try {
          passwordHash = await hashPassword(password);
        } catch (err) {
          throw new AirlockError({ code: 'BAD_INPUT', message: err instanceof Error ? err.message : String(err) });
        }
        await airlock.audit.append('human.credential', { human: who, change: 'password set', at: now });
        await airlock.store.putHumanCredential({ humanId: who, passwordHash, updatedAt: now });
        // A new password ends the sessions signed in with the old one.
        await airlock.store.deleteSessionsOf(who);
        io.stdout.write(`password set for ${who}; they can sign in at ${airlock.baseUrl}/login\n`);
        return 0;
      }
      case 'token': {
        const who = configured(id);
        const token = `${HUMAN_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
        const tokenId = airlock.ids.next('tok');
        await airlock.audit.append('human.credential', { human: who, change: 'token created', tokenId, at: now });
        await airlock.store.putHumanToken({
          id: tokenId,
          humanId: who,
          tokenHash: airlock.credentialHasher.sha256Hex(token),
          createdAt: now,
          revokedAt: null,
        });
        io.stdout.write(
          `token ${tokenId} created for ${who}.\nIts value (shown once; keep it out of agents' environments, use it as AIRLOCK_TOKEN):\n${token}\n`,
        );
        return 0;
      }
      case 'revoke-token': {
        if (id === undefined)
          throw new AirlockError({ code: 'BAD_INPUT', message: 'airlock humans revoke-token TOKEN_ID (see `airlock humans list`)' });
        if (!(await airlock.store.revokeHumanToken(id, now)))
          throw new AirlockError({ code: 'NOT_FOUND', message: `no active token "${id}"` });
        await airlock.audit.append('human.credential', { change: 'token revoked', tokenId: id, at: now });
        // A session may have been signed in with that token: end the human's sessions.
        const owner = (await airlock.store.listHumanTokens()).find((t) => t.id === id)?.humanId;
        const ended = owner === undefined ? 0 : await airlock.store.deleteSessionsOf(owner);
        io.stdout.write(`token ${id} revoked${ended ? `; ${ended} web session${ended === 1 ? '' : 's'} of ${owner} ended` : ''}\n`);
        return 0;
      }
      default:
        throw new AirlockError({
          code: 'BAD_INPUT',
          message: `airlock humans: unknown subcommand "${sub}" (list, passwd, token, revoke-token)`,
        });
    }
  });
}

/** Asks a yes/no question on a terminal; false without a terminal. */
async function confirm(io: CliIo, question: string): Promise<boolean> {
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY !== true) return false;
  const rl = createInterface({ input: stdin, output: io.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Reads a password: all of stdin with --password-stdin, else from the terminal without echo (twice). */
async function readPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  if (fromStdin || stdin.isTTY !== true) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  // A terminal: ask twice, echoing nothing (readline's output muted while typing).
  const rl = createInterface({ input: stdin, output: io.stderr, terminal: true });
  let muted = false;
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (!muted) io.stderr.write(s);
  };
  const ask = (prompt: string): Promise<string> =>
    new Promise((resolve) => {
      io.stderr.write(prompt);
      muted = true;
      rl.question('', (answer) => {
        muted = false;
        io.stderr.write('\n');
        resolve(answer);
      });
    });
  try {
    const first = await ask('new password: ');
    const second = await ask('again: ');
    if (first !== second) throw new AirlockError({ code: 'BAD_INPUT', message: 'the two passwords differ; nothing changed' });
    return first;
  } finally {
    rl.close();
  }
}
