/**
 * The approvals API in-process (Hono's app.request) over the real composition: real classifier,
 * Cedar, SQLite store, audit log and signing key in a temporary directory. Humans alice and bob are
 * prod-owners, carol is in no group; deploy-bot and other-bot are agents with tokens.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChangeFeed, type ChangeSource } from '../src/app/change-feed.js';
import { type Airlock, createAirlock } from '../src/app/composition.js';
import { createHttpApp } from '../src/interfaces/http/http-app.js';
import { tempWorkdir } from './support/run-cli.js';

// Response bodies are checked field by field below; `any` keeps the assertions readable.
// biome-ignore lint/suspicious/noExplicitAny: test-only view of JSON bodies
type Json = any;

const CONFIG = `environments:
  prod:
    protected: true
    match:
      namespaces: [payments]
humans:
  - id: alice
    groups: [prod-owners]
  - id: bob
    groups: [prod-owners]
  - id: carol
`;
const BASE = 'https://airlock.example';
const AGENT = 'alk_deploy_bot_token_for_tests';
const OTHER = 'alk_other_bot_token_for_tests';
const ALICE = 'alh_alice_token_for_tests';
const BOB = 'alh_bob_token_for_tests';
const CAROL = 'alh_carol_token_for_tests';
const ZEROS = '0'.repeat(64);

/** How the node server describes a request's socket: from this machine, or from another host. */
const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const REMOTE = { incoming: { socket: { remoteAddress: '10.1.2.3' } } };

/** Registers the test agents and the humans' personal tokens. */
async function enrol(a: Airlock): Promise<void> {
  const at = new Date().toISOString();
  for (const [id, token] of [
    ['deploy-bot', AGENT],
    ['other-bot', OTHER],
  ] as const) {
    await a.store.putAgent({ id, roles: ['deployer'], tokenHash: a.hasher.sha256Hex(token), createdAt: at, revokedAt: null });
  }
  for (const [humanId, token] of [
    ['alice', ALICE],
    ['bob', BOB],
    ['carol', CAROL],
  ] as const) {
    await a.store.putHumanToken({
      id: `tok-${humanId}`,
      humanId,
      tokenHash: a.credentialHasher.sha256Hex(token),
      createdAt: at,
      revokedAt: null,
    });
  }
}

/** A change source that counts its subscribers, to see the event stream clean up. */
class CountingSource implements ChangeSource {
  subscribers = 0;
  constructor(readonly inner: ChangeSource) {}
  subscribe(listener: Parameters<ChangeSource['subscribe']>[0]): () => void {
    this.subscribers++;
    const off = this.inner.subscribe(listener);
    return () => {
      this.subscribers--;
      off();
    };
  }
}

function appFor(a: Airlock, changes?: ChangeSource, principalOf = (t: string) => a.principalOf(t)) {
  return createHttpApp({
    gateway: a.gateway,
    identify: (o) => a.identify(o),
    readAudit: (o) => a.store.readAudit(o),
    auditHead: () => a.store.auditHead(),
    version: 'test',
    principalOf,
    approvals: { service: a.approvals, store: a.store, clock: a.clock, ...(changes === undefined ? {} : { changes }) },
  });
}

let work: { dir: string; cleanup: () => void };
let airlock: Airlock;
let feed: ChangeFeed;
let source: CountingSource;
let app: ReturnType<typeof createHttpApp>;

beforeAll(async () => {
  work = tempWorkdir();
  writeFileSync(join(work.dir, 'airlock.yaml'), CONFIG);
  airlock = await createAirlock({ env: {}, cwd: work.dir, eager: true, baseUrl: BASE });
  await enrol(airlock);
  feed = new ChangeFeed({ store: airlock.store, intervalMs: 10 });
  source = new CountingSource(feed);
  app = appFor(airlock, source);
});
afterAll(async () => {
  feed.stop();
  await airlock.close();
  work.cleanup();
});

const call = (
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown; env?: unknown; target?: ReturnType<typeof createHttpApp> } = {},
) =>
  (options.target ?? app).request(
    path,
    {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    },
    options.env ?? REMOTE,
  );

const errorOf = async (res: Response): Promise<{ status: number; code: string; message: string }> => {
  const body = (await res.json()) as Json;
  return { status: res.status, code: body.error?.code, message: body.error?.message };
};

/** Proposes a held command with the agent's token; returns the request handle. */
async function hold(command: string, token = AGENT): Promise<Json> {
  const res = await call('POST', '/v1/requests', { token, body: { kind: 'shell', input: command, intent: 'tests' } });
  expect(res.status).toBe(202);
  return ((await res.json()) as Json).request;
}

describe('POST /v1/requests and /v1/decisions', () => {
  it('opens a request for a held action (202) with its id and link', async () => {
    const res = await call('POST', '/v1/requests', {
      token: AGENT,
      body: { kind: 'shell', input: 'kubectl -n payments delete deployment api', intent: 'clean up' },
    });
    expect(res.status).toBe(202);
    const v = (await res.json()) as Json;
    expect(v.decision).toBe('hold');
    expect(v.request).toMatchObject({
      status: 'pending',
      requirement: { approvals: 2, groups: ['prod-owners'] },
      missing: 2,
      reused: false,
    });
    expect(v.request.id).toMatch(/^req/);
    expect(v.request.url).toBe(`${BASE}/requests/${v.request.id}`);
    expect(v.request.planDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(v.request.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('answers the same proposal again with the same request, on both routes', async () => {
    const first = await hold('kubectl -n payments delete deployment ledger');
    const again = await hold('kubectl -n payments delete deployment ledger');
    expect(again).toMatchObject({ id: first.id, reused: true });
    const decided = await call('POST', '/v1/decisions', {
      token: AGENT,
      body: { kind: 'shell', input: 'kubectl -n payments delete deployment ledger', intent: 'tests' },
    });
    expect(decided.status).toBe(200);
    const v = (await decided.json()) as Json;
    expect(v.decision).toBe('hold');
    expect(v.request).toMatchObject({ id: first.id, url: `${BASE}/requests/${first.id}` });
  });

  it('answers allow and deny with 200 and no request', async () => {
    const allowed = await call('POST', '/v1/requests', { token: AGENT, body: { kind: 'shell', input: 'ls -la' } });
    expect(allowed.status).toBe(200);
    const a = (await allowed.json()) as Json;
    expect(a.decision).toBe('allow');
    expect(a.request).toBeUndefined();
    const denied = await call('POST', '/v1/requests', { token: AGENT, body: { kind: 'sql', input: 'DROP DATABASE payments' } });
    expect(denied.status).toBe(200);
    expect((await denied.json()) as Json).toMatchObject({ decision: 'deny' });
  });

  it('takes callers without a token over loopback only, and refuses human tokens', async () => {
    const body = { kind: 'shell', input: 'kubectl -n payments delete deployment local-only' };
    expect(await errorOf(await call('POST', '/v1/requests', { body }))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const local = await call('POST', '/v1/requests', { body, env: LOCAL });
    expect(local.status).toBe(202);
    expect(((await local.json()) as Json).request.id).toMatch(/^req/);
    const human = await errorOf(await call('POST', '/v1/requests', { token: ALICE, body }));
    expect(human).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(human.message).toMatch(/agents propose with their own token/);
    expect((await call('POST', '/v1/requests', { token: 'alk_forged', body })).status).toBe(401);
    expect(await errorOf(await call('POST', '/v1/decisions', { token: BOB, body }))).toMatchObject({ status: 403 });
  });

  it('names the bad field of a malformed proposal with 400', async () => {
    const bad = await errorOf(await call('POST', '/v1/requests', { token: AGENT, body: { kind: 'yaml', input: 'x' } }));
    expect(bad).toMatchObject({ status: 400, code: 'BAD_INPUT' });
    expect(bad.message).toMatch(/^kind:/);
    expect((await errorOf(await call('POST', '/v1/requests', { token: AGENT, body: '{oops' }))).message).toMatch(/not JSON/);
  });
});

describe('GET /v1/requests', () => {
  it('lists all requests to humans and only its own to an agent', async () => {
    const mine = await hold('kubectl -n payments delete deployment listing');
    const theirs = await hold('kubectl -n payments delete deployment other-listing', OTHER);
    const all = (await (await call('GET', '/v1/requests?status=pending&limit=50', { token: ALICE })).json()) as Json;
    const ids = all.requests.map((r: Json) => r.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(all.requests.every((r: Json) => r.status === 'pending')).toBe(true);
    const row = all.requests.find((r: Json) => r.id === mine.id);
    expect(row).toMatchObject({
      risk: 'destructive',
      environment: 'prod',
      missing: 2,
      requester: { id: 'deploy-bot', authenticated: true },
    });
    expect(row.action).toMatchObject({ kind: 'shell', command: 'kubectl -n payments delete deployment listing' });

    const own = (await (await call('GET', '/v1/requests', { token: OTHER })).json()) as Json;
    expect(own.requests.map((r: Json) => r.id)).toEqual([theirs.id]);
    const limited = (await (await call('GET', '/v1/requests?limit=1', { token: BOB })).json()) as Json;
    expect(limited.requests).toHaveLength(1);
  });

  it('shows one request in full: plan, digest, approvals, missing, status as of now', async () => {
    const h = await hold('kubectl -n payments delete deployment shown');
    const res = await call('GET', `/v1/requests/${h.id}`, { token: CAROL });
    expect(res.status).toBe(200);
    const r = (await res.json()) as Json;
    expect(r).toMatchObject({
      id: h.id,
      url: `${BASE}/requests/${h.id}`,
      status: 'pending',
      missing: 2,
      planDigest: h.planDigest,
      approvals: [],
      denial: null,
      revocation: null,
      execution: null,
      intent: 'tests',
      requirement: { approvals: 2, groups: ['prod-owners'] },
    });
    expect(r.plan).toMatchObject({ v: 1, surface: 'http', environment: { name: 'prod', protected: true }, risk: 'destructive' });
    expect(r.plan.action.command).toBe('kubectl -n payments delete deployment shown');
    expect((await call('GET', `/v1/requests/${h.id}`, { token: AGENT })).status).toBe(200);
    expect(await errorOf(await call('GET', `/v1/requests/${h.id}`, { token: OTHER }))).toMatchObject({ status: 403 });
  });

  it('answers 401 without a token, 404 for an unknown id, 400 for a bad query', async () => {
    expect(await errorOf(await call('GET', '/v1/requests'))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await errorOf(await call('GET', '/v1/requests/req_nope', { token: ALICE }))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const status = await errorOf(await call('GET', '/v1/requests?status=waiting', { token: ALICE }));
    expect(status).toMatchObject({ status: 400 });
    expect(status.message).toMatch(/^status:/);
    expect((await errorOf(await call('GET', '/v1/requests?limit=0', { token: ALICE }))).message).toMatch(/^limit:/);
  });
});

describe('reviewing, consuming and completing a request', () => {
  let req: Json;
  beforeAll(async () => {
    req = await hold('kubectl -n payments delete deployment reviewed');
  });
  const approve = (token: string | undefined, body: unknown, id: string = req.id) =>
    call('POST', `/v1/requests/${id}/approve`, { ...(token === undefined ? {} : { token }), body });

  it('refuses agent credentials on every approval endpoint (403), and callers without a token (401)', async () => {
    for (const [path, body] of [
      [`/v1/requests/${req.id}/approve`, { planDigest: req.planDigest }],
      [`/v1/requests/${req.id}/deny`, { planDigest: req.planDigest, comment: 'no' }],
      ['/v1/grants', { agent: 'deploy-bot', duration: '30m', reason: 'x' }],
      ['/v1/grants/grant_x/approve', { planDigest: ZEROS }],
      ['/v1/grants/grant_x/deny', { planDigest: ZEROS, comment: 'no' }],
      ['/v1/grants/grant_x/revoke', {}],
    ] as const) {
      for (const token of [AGENT, OTHER]) {
        const e = await errorOf(await call('POST', path, { token, body }));
        expect(e, path).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect(e.message).toMatch(/agent credentials never approve/);
      }
      expect(await errorOf(await call('POST', path, { body })), path).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
    expect((await call('GET', '/v1/grants', { token: AGENT })).status).toBe(403);
    expect(await errorOf(await approve('alh_forged', { planDigest: req.planDigest }))).toMatchObject({ status: 401 });
  });

  it('names the bad field of a malformed review with 400', async () => {
    for (const [body, field] of [
      [{}, 'planDigest'],
      [{ planDigest: 'abc' }, 'planDigest'],
      [{ planDigest: req.planDigest, comment: 'x'.repeat(2001) }, 'comment'],
      [{ planDigest: req.planDigest, comment: 7 }, 'comment'],
    ] as const) {
      const e = await errorOf(await approve(ALICE, body));
      expect(e, JSON.stringify(body)).toMatchObject({ status: 400, code: 'BAD_INPUT' });
      expect(e.message).toMatch(new RegExp(`^${field}:`));
    }
    expect((await errorOf(await approve(ALICE, '{oops'))).message).toMatch(/not JSON/);
  });

  it('refuses a stale plan digest (409) and an unknown id (404)', async () => {
    const stale = await errorOf(await approve(ALICE, { planDigest: ZEROS }));
    expect(stale).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(stale.message).toMatch(/plan changed/);
    expect(await errorOf(await approve(ALICE, { planDigest: ZEROS }, 'req_nope'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('counts alice once, refuses carol (not eligible), and approves with bob', async () => {
    const first = await approve(ALICE, { planDigest: req.planDigest, comment: 'looks right' });
    expect(first.status).toBe(200);
    const r1 = (await first.json()) as Json;
    expect(r1).toMatchObject({ status: 'pending', missing: 1 });
    expect(r1.approvals).toHaveLength(1);
    expect(r1.approvals[0]).toMatchObject({ human: 'alice', vote: 'approve', comment: 'looks right' });
    expect(Date.parse(r1.approvals[0].expiresAt)).toBeGreaterThan(Date.parse(r1.approvals[0].at));

    const twice = await errorOf(await approve(ALICE, { planDigest: req.planDigest }));
    expect(twice).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(twice.message).toMatch(/already approved/);
    const carol = await errorOf(await approve(CAROL, { planDigest: req.planDigest }));
    expect(carol).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(carol.message).toMatch(/not in prod-owners/);

    // Not approved yet: nothing to claim.
    expect(
      await errorOf(await call('POST', `/v1/requests/${req.id}/consume`, { token: AGENT, body: { planDigest: req.planDigest } })),
    ).toMatchObject({
      status: 409,
    });

    const second = await approve(BOB, { planDigest: req.planDigest.toUpperCase() });
    expect(second.status).toBe(200);
    expect((await second.json()) as Json).toMatchObject({ status: 'approved', missing: 0 });
    const shown = (await (await call('GET', `/v1/requests/${req.id}`, { token: ALICE })).json()) as Json;
    expect(shown.approvals.map((a: Json) => a.human)).toEqual(['alice', 'bob']);
  });

  it('hands the approved plan to the requesting agent once', async () => {
    const consume = (token: string, planDigest: string = req.planDigest) =>
      call('POST', `/v1/requests/${req.id}/consume`, { token, body: { planDigest } });
    expect(await errorOf(await consume(OTHER))).toMatchObject({ status: 403 });
    expect(await errorOf(await consume(ALICE))).toMatchObject({ status: 403 });
    expect(await errorOf(await consume(AGENT, ZEROS))).toMatchObject({ status: 409 });
    const first = await consume(AGENT);
    expect(first.status).toBe(200);
    const claimed = (await first.json()) as Json;
    expect(claimed).toMatchObject({ id: req.id, status: 'executing', planDigest: req.planDigest });
    expect(claimed.plan.action).toEqual({ kind: 'shell', command: 'kubectl -n payments delete deployment reviewed' });
    const again = await errorOf(await consume(AGENT));
    expect(again).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(again.message).toMatch(/executing/);
    const shown = (await (await call('GET', `/v1/requests/${req.id}`, { token: ALICE })).json()) as Json;
    expect(shown.execution.executor).toMatchObject({ pid: 0 });
  });

  it('records the outcome the agent reports, once', async () => {
    const complete = (body: unknown, token = AGENT) => call('POST', `/v1/requests/${req.id}/complete`, { token, body });
    expect((await errorOf(await complete({ ok: 'yes' }))).message).toMatch(/^ok:/);
    expect(await errorOf(await complete({ ok: true }, OTHER))).toMatchObject({ status: 403 });
    const done = await complete({ ok: true, exitCode: 0, note: 'deployment deleted' });
    expect(done.status).toBe(200);
    const r = (await done.json()) as Json;
    expect(r.status).toBe('executed');
    expect(r.execution.outcome).toEqual({
      reportedBy: { kind: 'agent', id: 'deploy-bot' },
      ok: true,
      exitCode: 0,
      note: 'deployment deleted',
    });
    expect(await errorOf(await complete({ ok: true }))).toMatchObject({ status: 409 });
    const pending = await hold('kubectl -n payments delete deployment never-claimed');
    expect(await errorOf(await call('POST', `/v1/requests/${pending.id}/complete`, { token: AGENT, body: { ok: true } }))).toMatchObject({
      status: 409,
    });
  });
});

describe('denying and revoking', () => {
  it('needs a reason to deny, and a deny by an eligible human ends the request', async () => {
    const req = await hold('kubectl -n payments delete deployment denied');
    const deny = (token: string, body: unknown) => call('POST', `/v1/requests/${req.id}/deny`, { token, body });
    for (const body of [{ planDigest: req.planDigest }, { planDigest: req.planDigest, comment: '  ' }]) {
      const e = await errorOf(await deny(ALICE, body));
      expect(e).toMatchObject({ status: 400, code: 'BAD_INPUT' });
      expect(e.message).toMatch(/^comment: a denial needs a reason/);
    }
    expect(await errorOf(await deny(CAROL, { planDigest: req.planDigest, comment: 'no' }))).toMatchObject({ status: 403 });
    const res = await deny(ALICE, { planDigest: req.planDigest, comment: 'use a rolling restart instead' });
    expect(res.status).toBe(200);
    const r = (await res.json()) as Json;
    expect(r.status).toBe('denied');
    expect(r.denial).toMatchObject({ human: 'alice', vote: 'deny', comment: 'use a rolling restart instead' });
    const late = await errorOf(await call('POST', `/v1/requests/${req.id}/approve`, { token: BOB, body: { planDigest: req.planDigest } }));
    expect(late).toMatchObject({ status: 409 });
    expect(late.message).toMatch(/denied/);
  });

  it('lets the requesting agent withdraw its own request, and eligible humans revoke', async () => {
    const own = await hold('kubectl -n payments delete deployment withdrawn');
    expect(await errorOf(await call('POST', `/v1/requests/${own.id}/revoke`, { token: OTHER, body: {} }))).toMatchObject({ status: 403 });
    expect(await errorOf(await call('POST', `/v1/requests/${own.id}/revoke`))).toMatchObject({ status: 401 });
    const withdrawn = await call('POST', `/v1/requests/${own.id}/revoke`, { token: AGENT, body: { reason: 'not needed' } });
    expect(withdrawn.status).toBe(200);
    expect((await withdrawn.json()) as Json).toMatchObject({ status: 'revoked', revocation: { by: 'deploy-bot', reason: 'not needed' } });

    const other = await hold('kubectl -n payments delete deployment revoked');
    expect(await errorOf(await call('POST', `/v1/requests/${other.id}/revoke`, { token: CAROL }))).toMatchObject({ status: 403 });
    const revoked = await call('POST', `/v1/requests/${other.id}/revoke`, { token: ALICE });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()) as Json).toMatchObject({ status: 'revoked', revocation: { by: 'alice' } });
    expect(await errorOf(await call('POST', `/v1/requests/${other.id}/revoke`, { token: ALICE }))).toMatchObject({ status: 409 });
  });
});

describe('grants', () => {
  let grant: Json;

  it('names the bad field of a malformed grant with 400', async () => {
    const ok = { agent: 'deploy-bot', environments: ['prod'], duration: '30m', reason: 'restart pods' };
    for (const [body, field] of [
      [{ ...ok, agent: undefined }, 'agent'],
      [{ ...ok, agent: 'not an id' }, 'agent'],
      [{ ...ok, duration: 'soon' }, 'duration'],
      [{ ...ok, verbs: ['nuke'] }, 'verbs.0'],
      [{ ...ok, maxRisk: 'read' }, 'maxRisk'],
      [{ ...ok, reason: '' }, 'reason'],
    ] as const) {
      const e = await errorOf(await call('POST', '/v1/grants', { token: ALICE, body }));
      expect(e, JSON.stringify(body)).toMatchObject({ status: 400, code: 'BAD_INPUT' });
      expect(e.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}:`));
    }
  });

  it('creates a grant that needs another prod-owner', async () => {
    const res = await call('POST', '/v1/grants', {
      token: ALICE,
      body: {
        agent: 'deploy-bot',
        environments: ['prod'],
        resources: ['payments'],
        verbs: ['modify'],
        maxRisk: 'write',
        duration: '30m',
        reason: 'restart pods',
      },
    });
    expect(res.status).toBe(201);
    grant = (await res.json()) as Json;
    expect(grant).toMatchObject({
      status: 'pending',
      active: false,
      agentId: 'deploy-bot',
      scope: { environments: ['prod'], resources: ['payments'], verbs: ['modify'], maxRisk: 'write' },
      requester: { kind: 'human', id: 'alice' },
      requirement: { approvals: 1, groups: ['prod-owners'] },
      missing: 1,
    });
    expect(grant.url).toBe(`${BASE}/grants/${grant.id}`);
    expect(grant.planDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses self-approval and ineligible humans, then activates with bob', async () => {
    const approve = (token: string, planDigest: string = grant.planDigest) =>
      call('POST', `/v1/grants/${grant.id}/approve`, { token, body: { planDigest } });
    const self = await errorOf(await approve(ALICE));
    expect(self).toMatchObject({ status: 403 });
    expect(self.message).toMatch(/made this request/);
    expect(await errorOf(await approve(CAROL))).toMatchObject({ status: 403 });
    expect(await errorOf(await approve(BOB, ZEROS))).toMatchObject({ status: 409 });
    const ok = await approve(BOB);
    expect(ok.status).toBe(200);
    expect((await ok.json()) as Json).toMatchObject({ id: grant.id, status: 'approved', active: true, missing: 0 });
    expect(await errorOf(await approve(BOB))).toMatchObject({ status: 409 });
  });

  it('lists and shows grants to humans', async () => {
    const listed = (await (await call('GET', '/v1/grants?agent=deploy-bot&status=approved', { token: CAROL })).json()) as Json;
    expect(listed.grants.map((g: Json) => g.id)).toContain(grant.id);
    const none = (await (await call('GET', '/v1/grants?agent=other-bot', { token: CAROL })).json()) as Json;
    expect(none.grants).toEqual([]);
    const shown = await call('GET', `/v1/grants/${grant.id}`, { token: BOB });
    expect(shown.status).toBe(200);
    expect(((await shown.json()) as Json).approvals[0]).toMatchObject({ human: 'bob', vote: 'approve' });
    expect(await errorOf(await call('GET', '/v1/grants/grant_nope', { token: BOB }))).toMatchObject({ status: 404 });
    expect(await errorOf(await call('POST', '/v1/grants/grant_nope/approve', { token: BOB, body: { planDigest: ZEROS } }))).toMatchObject({
      status: 404,
    });
  });

  it('revokes a grant once', async () => {
    const res = await call('POST', `/v1/grants/${grant.id}/revoke`, { token: ALICE, body: { reason: 'done' } });
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toMatchObject({ status: 'revoked', active: false, revocation: { by: 'alice', reason: 'done' } });
    expect(await errorOf(await call('POST', `/v1/grants/${grant.id}/revoke`, { token: ALICE }))).toMatchObject({ status: 409 });
  });
});

describe('the audit log', () => {
  it('is served to a human token from anywhere, and without one to this machine only', async () => {
    for (const path of ['/v1/audit', '/v1/audit/head']) {
      expect((await call('GET', path, { token: ALICE })).status, path).toBe(200);
      expect((await call('GET', path)).status, path).toBe(403);
      expect((await call('GET', path, { token: AGENT })).status, path).toBe(403);
      expect((await call('GET', path, { env: LOCAL })).status, path).toBe(200);
      expect((await call('GET', path, { token: 'alh_forged', env: LOCAL })).status, path).toBe(401);
    }
  });
});

describe('mounting the web UI', () => {
  it('serves the web app at / after the API routes, replacing the loopback decisions page', async () => {
    const web = new Hono();
    web.get('/', (c) => c.text('web ui'));
    web.get('/v1/requests', (c) => c.text('shadowed'));
    const mounted = createHttpApp({
      gateway: airlock.gateway,
      identify: (o) => airlock.identify(o),
      readAudit: (o) => airlock.store.readAudit(o),
      auditHead: () => airlock.store.auditHead(),
      version: 'test',
      principalOf: (t) => airlock.principalOf(t),
      approvals: { service: airlock.approvals, store: airlock.store, clock: airlock.clock },
      web,
    });
    const page = await call('GET', '/', { target: mounted });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('web ui');
    const api = await call('GET', '/v1/requests', { target: mounted, token: ALICE });
    expect(((await api.json()) as Json).requests).toBeInstanceOf(Array);
    expect((await call('GET', '/healthz', { target: mounted })).status).toBe(200);
    expect((await call('GET', '/v1/events', { target: mounted, token: ALICE })).status).toBe(404);
    // Without a web app, / stays the decisions page for this machine only.
    expect((await call('GET', '/')).status).toBe(403);
  });
});

describe('GET /v1/events', () => {
  it('refuses agents and callers without a token', async () => {
    expect(await errorOf(await call('GET', '/v1/events', { token: AGENT }))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await errorOf(await call('GET', '/v1/events'))).toMatchObject({ status: 401 });
  });

  it('streams a change to a human and unsubscribes when the client goes', async () => {
    await feed.start();
    const res = await call('GET', '/v1/events', { token: ALICE });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(source.subscribers).toBe(1);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();

    const req = await hold('kubectl -n payments delete deployment streamed');
    await feed.tick();
    const decoder = new TextDecoder();
    let text = '';
    const found = (): RegExpExecArray | null => /event: request\ndata: (.*)\n\n/.exec(text);
    while (found() === null) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const data = JSON.parse(found()?.[1] ?? 'null') as Json;
    expect(data).toMatchObject({ id: req.id, status: 'pending' });
    expect(data.changeSeq).toBeGreaterThan(0);

    await reader.cancel();
    await vi.waitFor(() => expect(source.subscribers).toBe(0));
    feed.stop();
  });
});

describe('a store failure on approve', () => {
  it('answers 503 and leaves the request pending', async () => {
    const w = tempWorkdir();
    try {
      writeFileSync(join(w.dir, 'airlock.yaml'), CONFIG);
      const first = await createAirlock({ env: {}, cwd: w.dir, eager: true, baseUrl: BASE });
      await enrol(first);
      // Tokens resolved ahead, so the approve reaches the closed store through the approvals service.
      const alice = await first.principalOf(ALICE);
      const agent = await first.principalOf(AGENT);
      const target = appFor(first, undefined, async (t) => (t === ALICE ? alice : t === AGENT ? agent : null));
      const res = await call('POST', '/v1/requests', {
        target,
        token: AGENT,
        body: { kind: 'shell', input: 'kubectl -n payments delete deployment api' },
      });
      expect(res.status).toBe(202);
      const req = ((await res.json()) as Json).request;
      await first.store.close();
      const failed = await errorOf(
        await call('POST', `/v1/requests/${req.id}/approve`, { target, token: ALICE, body: { planDigest: req.planDigest } }),
      );
      expect(failed).toMatchObject({ status: 503, code: 'STORE_FAILURE' });

      const reopened = await createAirlock({ env: {}, cwd: w.dir, eager: true, baseUrl: BASE });
      try {
        const after = await reopened.approvals.get(req.id);
        expect(after.status).toBe('pending');
        expect(after.approvals).toEqual([]);
      } finally {
        await reopened.close();
      }
    } finally {
      w.cleanup();
    }
  });
});

describe('POST /v1/requests/:id/consume on an MCP gateway request', () => {
  it('refuses it (409): the gateway runs it when the agent calls the same tool again', async () => {
    const agent = (await airlock.identify({ token: AGENT, claimedId: 'deploy-bot' })).agent;
    const held = await airlock.mcp.propose({
      server: 'k8s',
      tool: 'run_command',
      arguments: { command: 'kubectl -n payments delete deployment api' },
      agent,
      roles: ['deployer'],
    });
    expect(held.kind).toBe('held');
    if (held.kind !== 'held') return;
    const { id, planDigest } = held.opened.request;
    for (const token of [ALICE, BOB]) {
      const res = await call('POST', `/v1/requests/${id}/approve`, { token, body: { planDigest } });
      expect(res.status).toBe(200);
    }
    const refused = await errorOf(await call('POST', `/v1/requests/${id}/consume`, { token: AGENT, body: { planDigest } }));
    expect(refused).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(refused.message).toMatch(/MCP tool call: the MCP gateway runs it/);
    expect((await airlock.approvals.get(id)).status).toBe('approved');
  });
});
