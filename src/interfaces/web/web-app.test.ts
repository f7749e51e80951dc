/**
 * The web UI in-process (Hono's app.request) over the real composition: real classifier, Cedar,
 * SQLite store, audit log and approval service in a temporary directory. A small cookie jar plays
 * the browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../adapters/crypto/password.js';
import { createAirlock, type Airlock } from '../../app/composition.js';
import type { ApprovalRequest } from '../../core/approval.js';
import { HELD_ARGV, PASSWORDS, writeApprovalsConfig } from '../../../test/support/approvals-workspace.js';
import { tempWorkdir } from '../../../test/support/run-cli.js';
import { DECISIONS_SCRIPT } from './decisions-page.js';
import { LIVE_UPDATE_SCRIPT } from './layout.js';
import { createWebApp } from './web-app.js';

const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const AGENT_TOKEN = 'alk_web_test_agent_token_0123456789';
const HUMAN_TOKEN = 'alh_web_test_bob_token_0123456789abc';

let work: { dir: string; cleanup: () => void };
let airlock: Airlock;
let app: ReturnType<typeof createWebApp>;
let options: Parameters<typeof createWebApp>[0];
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
const listeners = new Set<(changes: { readonly lastSeq: number }) => void>();
const feed = {
  subscribe(listener: (changes: { readonly lastSeq: number }) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

type Form = Record<string, string | readonly string[]>;

/** A browser's cookie jar over app.request. */
class Browser {
  readonly cookies = new Map<string, string>();
  /** The app this browser talks to (default: the suite's). */
  target: (() => ReturnType<typeof createWebApp>) | undefined;

  async request(path: string, init: { method?: string; form?: Form; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body: string | undefined;
    if (init.form !== undefined) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const one of typeof v === 'string' ? [v] : v) params.append(k, one);
      body = params.toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }
    const res = await (this.target?.() ?? app).request(
      path,
      { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) },
      LOCAL,
    );
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async page(path: string): Promise<{ res: Response; body: string }> {
    const res = await this.request(path);
    return { res, body: await res.text() };
  }

  /** Fills and posts the sign-in form (password, or a personal token). */
  async signIn(how: { user: string; password: string } | { token: string }, next = '/'): Promise<{ res: Response; body: string }> {
    const { body: form } = await this.page(`/login?next=${encodeURIComponent(next)}`);
    const fields = 'token' in how ? { method: 'token', token: how.token } : { method: 'password', user: how.user, password: how.password };
    const res = await this.request('/login', { form: { csrf: csrfOf(form), next, ...fields } });
    return { res, body: await res.text() };
  }
}

function csrfOf(body: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(body);
  if (m?.[1] === undefined) throw new Error(`no CSRF field in:\n${body.slice(0, 400)}`);
  return m[1];
}

async function signedIn(user: keyof typeof PASSWORDS): Promise<Browser> {
  const b = new Browser();
  const { res } = await b.signIn({ user, password: PASSWORDS[user] });
  expect(res.status).toBe(303);
  return b;
}

/** Opens a held request for a shell action, as `airlock exec` does. */
async function hold(argv: readonly string[], options: { command?: string; intent?: string } = {}): Promise<ApprovalRequest> {
  const action = { kind: 'shell' as const, command: options.command ?? argv.join(' '), argv };
  const verdict = await airlock.gateway.decide({
    surface: 'exec',
    agent: { id: 'deploy-bot', authenticated: true },
    roles: [],
    action,
    cwd: work.dir,
    env: {},
    ...(options.intent === undefined ? {} : { intent: options.intent }),
  });
  expect(verdict.decision.outcome).toBe('hold');
  return (await airlock.approvals.open({ verdict, surface: 'exec', action, cwd: work.dir, env: {} })).request;
}

async function review(
  b: Browser,
  request: ApprovalRequest,
  vote: 'approve' | 'deny',
  extra: Form = {},
): Promise<{ res: Response; body: string }> {
  const { body: page } = await b.page(`/requests/${request.id}`);
  const res = await b.request(`/requests/${request.id}/review`, {
    form: { csrf: csrfOf(page), planDigest: request.planDigest, vote, comment: '', ...extra },
    headers: { origin: 'http://localhost' },
  });
  return { res, body: await res.text() };
}

beforeAll(async () => {
  work = tempWorkdir('airlock-web-');
  writeApprovalsConfig(work.dir);
  airlock = await createAirlock({ env: {}, cwd: work.dir, eager: true, clock });
  const at = new Date().toISOString();
  for (const [humanId, password] of Object.entries(PASSWORDS)) {
    await airlock.store.putHumanCredential({ humanId, passwordHash: await hashPassword(password), updatedAt: at });
  }
  // A credential for someone no longer in airlock.yaml: it must not sign in.
  await airlock.store.putHumanCredential({ humanId: 'mallory', passwordHash: await hashPassword('mallory-password-123'), updatedAt: at });
  await airlock.store.putAgent({
    id: 'deploy-bot',
    roles: ['deployer'],
    tokenHash: airlock.hasher.sha256Hex(AGENT_TOKEN),
    createdAt: at,
    revokedAt: null,
  });
  await airlock.store.putHumanToken({
    id: 'tok-bob',
    humanId: 'bob',
    tokenHash: airlock.credentialHasher.sha256Hex(HUMAN_TOKEN),
    createdAt: at,
    revokedAt: null,
  });
  options = {
    approvals: airlock.approvals,
    store: airlock.store,
    config: airlock.config,
    hasher: airlock.credentialHasher,
    clock,
    feed,
    principalOf: (token) => airlock.principalOf(token),
    verifyPassword,
    secureCookies: false,
    loginFailureDelayMs: 0,
    heartbeatMs: 50,
    audit: { read: (o) => airlock.store.readAudit(o), head: () => airlock.store.auditHead() },
  };
  app = createWebApp(options);
});

afterAll(async () => {
  await airlock.close();
  work.cleanup();
});

describe('signing in', () => {
  it('sends a visitor without a session to the sign-in page, keeping where they were going', async () => {
    const res = await new Browser().request('/requests/req_x?tab=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/requests/req_x?tab=1')}`);
    for (const path of ['/', '/history', '/grants', '/agents', '/decisions']) {
      expect((await new Browser().request(path)).status, path).toBe(303);
    }
    expect((await new Browser().request('/fragments/queue')).status).toBe(401);
    expect((await new Browser().request('/events')).status).toBe(401);
  });

  it('signs a configured human in with a password: an HttpOnly, SameSite=Strict session whose value is stored only hashed', async () => {
    const b = new Browser();
    const { res } = await b.signIn({ user: 'alice', password: PASSWORDS.alice }, '/history');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/history');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('airlock_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/);
    const value = b.cookies.get('airlock_session') ?? '';
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = await airlock.store.getSession(airlock.credentialHasher.sha256Hex(value));
    expect(session).toMatchObject({ humanId: 'alice' });
    expect(await airlock.store.getSession(value)).toBeNull();
    const { res: page, body } = await b.page('/history');
    expect(page.status).toBe(200);
    expect(body).toContain('alice');
  });

  it('answers an unknown user, a wrong password and an unlisted human with the same message', async () => {
    const bodies: string[] = [];
    for (const [user, password] of [
      ['alice', 'not-the-password-at-all'],
      ['nobody', 'whatever-password-1'],
      ['mallory', 'mallory-password-123'],
    ] as const) {
      const b = new Browser();
      const { res, body } = await b.signIn({ user, password });
      expect(res.status, user).toBe(401);
      expect(b.cookies.has('airlock_session')).toBe(false);
      bodies.push(/<div class="banner error"[^>]*>([^<]*)</.exec(body)?.[1] ?? '');
    }
    expect(bodies).toEqual(['Wrong user id or password.', 'Wrong user id or password.', 'Wrong user id or password.']);
  });

  it('refuses a sign-in form without its CSRF token (403)', async () => {
    const b = new Browser();
    await b.page('/login');
    const res = await b.request('/login', { form: { method: 'password', user: 'alice', password: PASSWORDS.alice, next: '/' } });
    expect(res.status).toBe(403);
    expect(b.cookies.has('airlock_session')).toBe(false);
  });

  it('refuses an agent token on screen: agents never sign in', async () => {
    const b = new Browser();
    const { res, body } = await b.signIn({ token: AGENT_TOKEN });
    expect(res.status).toBe(403);
    expect(body).toContain('agent credentials can never approve; agents never sign in');
    expect(body).toContain('deploy-bot');
    expect(b.cookies.has('airlock_session')).toBe(false);
  });

  it('signs a human in with their personal token, and refuses an unknown one', async () => {
    const b = new Browser();
    expect((await b.signIn({ token: HUMAN_TOKEN })).res.status).toBe(303);
    expect((await b.page('/')).body).toContain('bob');
    const { res, body } = await new Browser().signIn({ token: 'alh_not_a_real_token' });
    expect(res.status).toBe(401);
    expect(body).toContain('not valid');
  });

  it('never redirects off-site after sign-in', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', '/\r\nSet-Cookie: x=1']) {
      const { res } = await new Browser().signIn({ user: 'alice', password: PASSWORDS.alice }, next);
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('ends the session on sign-out (with its CSRF token) and when it expires', async () => {
    const b = await signedIn('alice');
    const value = b.cookies.get('airlock_session') ?? '';
    const { body } = await b.page('/');
    expect((await b.request('/logout', { form: {} })).status).toBe(403);
    const res = await b.request('/logout', { form: { csrf: csrfOf(body) } });
    expect(res.status).toBe(303);
    expect(await airlock.store.getSession(airlock.credentialHasher.sha256Hex(value))).toBeNull();
    expect((await b.request('/')).status).toBe(303);

    const later = await signedIn('bob');
    clock.offsetMs = 13 * 3_600_000;
    try {
      expect((await later.request('/')).status).toBe(303);
    } finally {
      clock.offsetMs = 0;
    }
  });
});

describe('security headers', () => {
  it('sends a CSP with a per-response script nonce, nosniff and a same-origin referrer policy', async () => {
    const b = await signedIn('alice');
    const one = await b.request('/');
    const two = await b.request('/');
    const csp = one.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(two.headers.get('content-security-policy')).not.toContain(nonce);
    const body = await one.text();
    const scripts = [...body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toBe(` nonce="${nonce}"`);
    expect(one.headers.get('x-content-type-options')).toBe('nosniff');
    expect(one.headers.get('referrer-policy')).toBe('same-origin');
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('ships page scripts that parse and never set innerHTML', () => {
    for (const script of [LIVE_UPDATE_SCRIPT, DECISIONS_SCRIPT]) {
      expect(() => new Function(script)).not.toThrow();
      expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});

describe('the queue and the request page', () => {
  let request: ApprovalRequest;

  beforeAll(async () => {
    request = await hold(HELD_ARGV, { intent: 'roll back the bad deploy' });
  });

  it('lists a pending request in the queue fragment, with its progress and environment', async () => {
    const b = await signedIn('alice');
    const res = await b.request('/fragments/queue');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`data-request="${request.id}"`);
    expect(body).toContain('kubectl delete deployment api -n payments --context prod');
    expect(body).toContain('0 of 2');
    expect(body).toContain('(prod-owners)');
    expect(body).toMatch(/class="badge protected"/);
    expect(body).toMatch(/^<div id="queue" data-live="\/fragments\/queue">/);
  });

  it('shows exactly what will run, the context, and the intent marked as unverified', async () => {
    const b = await signedIn('alice');
    const { res, body } = await b.page(`/requests/${request.id}`);
    expect(res.status).toBe(200);
    for (const [i, word] of HELD_ARGV.entries()) expect(body).toContain(`<span class="i">${i}</span><code>${word}</code>`);
    expect(body).toContain(request.planDigest);
    expect(body).toContain('payments-team');
    expect(body).toContain('checkout, billing');
    expect(body).toContain('12,000');
    expect(body).toContain('hold-protected-destructive');
    expect(body).toContain('roll back the bad deploy');
    expect(body).toContain('Stated by the agent, not verified.');
    expect(body).toMatch(/<td data-label="verb">delete<\/td>/);
  });

  it('shows bidi and zero-width characters as visible escapes, never as the raw characters', async () => {
    const sneaky = ['kubectl', 'delete', 'deployment', 'api\u202e\u200b', '-n', 'payments', '--context', 'prod'];
    const r = await hold(sneaky, { intent: 'tidy\u202eup' });
    const b = await signedIn('alice');
    for (const path of [`/requests/${r.id}`, '/fragments/queue', '/']) {
      const { body } = await b.page(path);
      expect(body, path).not.toMatch(/[\u202e\u200b]/);
      expect(body, path).toContain('\\u{202e}');
      expect(body, path).toContain('\\u{200b}');
    }
    const { body } = await b.page(`/requests/${r.id}`);
    expect(body).toContain('id="non-ascii"');
    expect(body).toContain('tidy\\u{202e}up');
  });

  it('escapes HTML in a command', async () => {
    const r = await hold(['kubectl', 'delete', 'deployment', '<script>alert(1)</script>', '-n', 'payments', '--context', 'prod']);
    const b = await signedIn('alice');
    for (const path of [`/requests/${r.id}`, '/fragments/queue']) {
      const { body } = await b.page(path);
      expect(body, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(body, path).not.toContain('<script>alert');
    }
  });

  it('highlights look-alike letters with their code point', async () => {
    const r = await hold(['kubectl', 'delete', 'deployment', '\u0430pi', '-n', 'payments', '--context', 'prod']);
    const { body } = await (await signedIn('alice')).page(`/requests/${r.id}`);
    expect(body).toContain('<mark class="na" title="non-ASCII character U+0430">\u0430</mark>pi');
  });
});

describe('reviewing', () => {
  it('refuses a review without the CSRF token, or from another origin (403), and records nothing', async () => {
    const r = await hold(['kubectl', 'delete', 'deployment', 'csrf-test', '-n', 'payments', '--context', 'prod']);
    const b = await signedIn('alice');
    const missing = await b.request(`/requests/${r.id}/review`, { form: { planDigest: r.planDigest, vote: 'approve' } });
    expect(missing.status).toBe(403);
    const wrong = await b.request(`/requests/${r.id}/review`, {
      form: { csrf: 'x'.repeat(43), planDigest: r.planDigest, vote: 'approve' },
    });
    expect(wrong.status).toBe(403);
    const { body } = await b.page(`/requests/${r.id}`);
    const cross = await b.request(`/requests/${r.id}/review`, {
      form: { csrf: csrfOf(body), planDigest: r.planDigest, vote: 'approve' },
      headers: { origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect(await cross.text()).toContain('another site');
    const fetchSite = await b.request(`/requests/${r.id}/review`, {
      form: { csrf: csrfOf(body), planDigest: r.planDigest, vote: 'approve' },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchSite.status).toBe(403);
    expect((await airlock.approvals.get(r.id)).approvals).toEqual([]);
  });

  it('records approvals from two humans once each, shows refusals on the page, and needs a reason to deny', async () => {
    const r = await hold(['kubectl', 'delete', 'deployment', 'review-test', '-n', 'payments', '--context', 'prod']);
    const alice = await signedIn('alice');
    const first = await review(alice, r, 'approve', { comment: 'looks right' });
    expect(first.res.status).toBe(303);
    expect(first.res.headers.get('location')).toBe(`/requests/${r.id}?done=approve`);
    const after = await alice.page(`/requests/${r.id}?done=approve`);
    expect(after.body).toContain('You approved this request.');
    expect(after.body).toContain('1 of 2 (prod-owners)');
    expect(after.body).toContain('looks right');

    const again = await review(alice, r, 'approve');
    expect(again.res.status).toBe(409);
    expect(again.body).toContain('alice has already approved; each human counts once');

    const stale = await review(alice, r, 'approve', { planDigest: 'f'.repeat(64) });
    expect(stale.res.status).toBe(409);
    expect(stale.body).toContain('the plan changed since you looked');

    const carol = await signedIn('carol');
    const outsider = await review(carol, r, 'approve');
    expect(outsider.res.status).toBe(403);
    expect(outsider.body).toContain('carol is not in prod-owners');

    const bob = await signedIn('bob');
    const noReason = await review(bob, r, 'deny');
    expect(noReason.res.status).toBe(400);
    expect(noReason.body).toContain('A deny needs a reason');

    expect((await review(bob, r, 'approve')).res.status).toBe(303);
    const done = await airlock.approvals.get(r.id);
    expect(done.status).toBe('approved');
    expect(done.approvals.map((a) => a.statement.human)).toEqual(['alice', 'bob']);
    const fragment = await (await bob.request(`/fragments/requests/${r.id}`)).text();
    expect(fragment).toMatch(/^<section id="live" data-live="\/fragments\/requests\/[^"]+" data-open="true"/);
    expect(fragment).toContain('2 of 2 (prod-owners)');
  });

  it('sends a reload of a refused review back to the request page', async () => {
    const res = await (await signedIn('alice')).request('/requests/req_x/review');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/requests/req_x');
  });

  it('answers an unknown request with a 404 page', async () => {
    const { res, body } = await (await signedIn('alice')).page('/requests/req_does_not_exist');
    expect(res.status).toBe(404);
    expect(body).toContain('no request &quot;req_does_not_exist&quot;');
  });

  it('denies with a reason, and then shows the request as closed', async () => {
    const r = await hold(['kubectl', 'delete', 'deployment', 'deny-test', '-n', 'payments', '--context', 'prod']);
    const bob = await signedIn('bob');
    expect((await review(bob, r, 'deny', { comment: 'not during the sale' })).res.status).toBe(303);
    expect((await airlock.approvals.get(r.id)).status).toBe('denied');
    const fragment = await (await bob.request(`/fragments/requests/${r.id}`)).text();
    expect(fragment).toContain('data-open="false"');
    const history = await bob.page('/history');
    expect(history.body).toContain(r.id);
    expect(history.body).toContain('denied by bob: not during the sale');
  });
});

describe('grants and agents', () => {
  it('creates a grant from the form and lists it', async () => {
    const alice = await signedIn('alice');
    const { body } = await alice.page('/grants');
    const res = await alice.request('/grants', {
      form: {
        csrf: csrfOf(body),
        agent: 'deploy-bot',
        environments: ['prod'],
        resources: 'payments',
        verbs: ['modify', 'delete'],
        maxRisk: 'destructive',
        duration: '30m',
        reason: 'incident 4711',
      },
    });
    expect(res.status).toBe(303);
    const list = await alice.page('/grants');
    expect(list.body).toContain('incident 4711');
    expect(list.body).toContain('deploy-bot may modify/delete payments in prod');
    const bad = await alice.request('/grants', {
      form: { csrf: csrfOf(body), agent: 'deploy-bot', resources: '', duration: 'soon', reason: 'x' },
    });
    expect(bad.status).toBe(400);
  });

  it('lists registered agents without their token hashes', async () => {
    const { body } = await (await signedIn('alice')).page('/agents');
    expect(body).toContain('deploy-bot');
    expect(body).toContain('deployer');
    expect(body).not.toContain(airlock.hasher.sha256Hex(AGENT_TOKEN));
  });

  it('serves the decisions page and its audit data to signed-in humans only', async () => {
    const alice = await signedIn('alice');
    const { body } = await alice.page('/decisions');
    expect(body).toContain('data-source="/fragments/audit"');
    const head = await alice.request('/fragments/audit/head');
    expect(head.status).toBe(200);
    expect(((await head.json()) as { head: { seq: number } }).head.seq).toBeGreaterThan(0);
    expect((await new Browser().request('/fragments/audit?from=1')).status).toBe(401);
  });
});

describe('live updates', () => {
  it('streams a change event to a signed-in browser and stops listening when it goes', async () => {
    const b = await signedIn('alice');
    const res = await b.request('/events');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const until = async (needle: string): Promise<void> => {
      while (!seen.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before "${needle}": ${seen}`);
        seen += decoder.decode(value);
      }
    };
    await until('event: ready');
    expect(listeners.size).toBe(1);
    for (const l of listeners) l({ lastSeq: 42 });
    await until('event: change\ndata: 42');
    await until(': heartbeat');
    await reader.cancel();
    await expect.poll(() => listeners.size, { timeout: 5000 }).toBe(0);
  });

  it('ends open streams when the server shuts down, so it can close', async () => {
    const shutdown = new AbortController();
    const other = createWebApp({ ...options, closeSignal: shutdown.signal, heartbeatMs: 60_000 });
    const b = await signedIn('bob');
    b.target = () => other;
    const res = await b.request('/events');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: ready');
    expect(listeners.size).toBe(1);
    shutdown.abort();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {}
    expect(listeners.size).toBe(0);
  });
});
