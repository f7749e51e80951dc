/**
 * The HTTP API in-process (Hono's app.request) over the real composition: real classifier, Cedar,
 * SQLite store and audit log in a temporary directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAirlock, type Airlock } from '../src/app/composition.js';
import { createHttpApp } from '../src/interfaces/http/http-app.js';
import { tempWorkdir } from './support/run-cli.js';

let work: { dir: string; cleanup: () => void };
let airlock: Airlock;
let app: ReturnType<typeof createHttpApp>;
let token: string;
// Response bodies are checked field by field below; `any` keeps the assertions readable.
// biome-ignore lint/suspicious/noExplicitAny: test-only view of JSON bodies
type Json = any;

beforeAll(async () => {
  work = tempWorkdir();
  airlock = await createAirlock({ env: {}, cwd: work.dir, eager: true });
  app = createHttpApp({
    gateway: airlock.gateway,
    identify: (o) => airlock.identify(o),
    readAudit: (o) => airlock.store.readAudit(o),
    auditHead: () => airlock.store.auditHead(),
    version: 'test',
  });
  token = 'alk_test_token_for_http';
  await airlock.store.putAgent({
    id: 'ci-bot',
    roles: ['deployer'],
    tokenHash: airlock.hasher.sha256Hex(token),
    createdAt: new Date().toISOString(),
    revokedAt: null,
  });
});
afterAll(async () => {
  await airlock.close();
  work.cleanup();
});

/** How the node server describes a request's socket: from this machine, or from another host. */
const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const REMOTE = { incoming: { socket: { remoteAddress: '10.1.2.3' } } };

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('HTTP API', () => {
  it('answers a what-if check without recording it', async () => {
    const res = await post('/v1/check', { kind: 'shell', input: 'helm uninstall payments -n prod' });
    expect(res.status).toBe(200);
    const v = (await res.json()) as Json;
    expect(v).toMatchObject({ risk: 'destructive', kind: 'k8s', decision: 'hold', auditSeq: null });
    expect(await airlock.store.auditHead()).toBeNull();
  });

  it('records an agent proposal made with its token', async () => {
    const res = await post(
      '/v1/decisions',
      { kind: 'sql', input: 'DROP DATABASE payments', intent: 'reset the test db' },
      { authorization: `Bearer ${token}` },
    );
    expect(res.status).toBe(200);
    const v = (await res.json()) as Json;
    expect(v).toMatchObject({ risk: 'catastrophic', decision: 'deny' });
    expect(v.auditSeq).toBe(1);
    const audit = (await (await app.request('/v1/audit?from=1&limit=10', {}, LOCAL)).json()) as Json;
    expect(audit.entries[0].payload.proposal).toMatchObject({
      surface: 'http',
      intent: 'reset the test db',
      agent: { id: 'ci-bot', authenticated: true },
    });
  });

  it('refuses a proposal without a token (401) or with a forged one (401)', async () => {
    expect((await post('/v1/decisions', { kind: 'shell', input: 'ls' })).status).toBe(401);
    const forged = await post('/v1/decisions', { kind: 'shell', input: 'ls' }, { authorization: 'Bearer alk_forged' });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as Json).error.code).toBe('UNAUTHENTICATED');
  });

  it('names the bad field of a malformed body with 400', async () => {
    const res = await post('/v1/check', { kind: 'yaml', input: 'x' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error.message).toMatch(/^kind:/);
    const notJson = await post('/v1/check', '{oops');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Json).error.message).toMatch(/not JSON/);
  });

  it('serves the audit log and the decisions page to this machine only', async () => {
    for (const path of ['/v1/audit', '/v1/audit/head', '/']) {
      const res = await app.request(path, {}, REMOTE);
      expect(res.status).toBe(403);
      expect((await app.request(path, {}, LOCAL)).status).toBe(200);
    }
  });

  it('serves health, the decisions page and 404s', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok', version: 'test' });
    const page = await app.request('/', {}, LOCAL);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<title>Airlock/);
    expect((await app.request('/v1/nope')).status).toBe(404);
  });
});
