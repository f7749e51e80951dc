/**
 * The web UI: sign-in, the queue of pending requests, a request page with approve and deny, history,
 * grants and agents. Server-rendered HTML on Hono, live updates over server-sent events.
 *
 * Security notes: sessions are random 32-byte cookies stored only as SHA-256 hashes; every POST
 * carries the session's CSRF token (compared in constant time) and is refused when its Origin is
 * another site; every response carries a CSP with a per-response script nonce; agent tokens never
 * sign in; all agent-controlled text is escaped and shown with its hidden characters visible.
 */
import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { REFUSAL_CODES, type ApprovalService } from '../../core/approval-service.js';
import { OPEN_STATUSES, parseDuration, type ApprovalRequest } from '../../core/approval.js';
import type { EffectVerb } from '../../core/assessment.js';
import type { AirlockConfig } from '../../core/config.js';
import { ERROR_CODES, toAirlockError } from '../../core/errors.js';
import type { AuditEntry, Clock, Hasher, Store } from '../../core/ports.js';
import { decisionsBody, DECISIONS_SCRIPT } from './decisions-page.js';
import { page, type PageOptions } from './layout.js';
import {
  agentsBody,
  grantBody,
  grantsBody,
  historyBody,
  loginBody,
  messageBody,
  queueBody,
  queueList,
  requestBody,
  requestLive,
  type Banner,
  type Viewer,
} from './pages.js';
import { LOGIN_COOKIE, LoginThrottle, randomToken, sameSecret, SESSION_COOKIE, Sessions, type SignedIn } from './session.js';

/** An authenticated caller, as the composition root resolves a bearer token. */
export type WebPrincipal =
  | { readonly kind: 'human'; readonly id: string; readonly groups: readonly string[] }
  | { readonly kind: 'agent'; readonly id: string; readonly roles: readonly string[] };

/** Live changes (src/app/change-feed.ts). */
export interface WebChangeSource {
  subscribe(listener: (changes: { readonly lastSeq: number }) => void): () => void;
}

/** What the web UI needs, handed in by the composition root. */
export interface WebAppOptions {
  readonly approvals: ApprovalService;
  readonly store: Pick<
    Store,
    'getSession' | 'putSession' | 'deleteSession' | 'getHumanCredential' | 'listAgents' | 'listGrants' | 'getGrant'
  >;
  readonly config: AirlockConfig;
  readonly hasher: Hasher;
  readonly clock: Clock;
  readonly feed: WebChangeSource;
  /** Resolves a personal token (sign-in with a token); agent tokens come back as kind 'agent' and are refused. */
  readonly principalOf: (token: string) => Promise<WebPrincipal | null>;
  readonly verifyPassword: (password: string, stored: string) => Promise<boolean>;
  /** Set the Secure flag on cookies (when served over https). */
  readonly secureCookies: boolean;
  /** Delay before answering the first failed sign-in, doubling per failure up to 4 s. Default 400 ms (tests pass 0). */
  readonly loginFailureDelayMs?: number;
  /** Interval between SSE heartbeats. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Aborted when the server shuts down: open live streams end, so the server can close. */
  readonly closeSignal?: AbortSignal;
  /** Told about unexpected errors (bugs, a broken store) answered with a 5xx page; the server logs them. */
  readonly onError?: (err: unknown) => void;
  /**
   * The audit log, for the decisions page. Given: the page reads it through the session
   * (`/fragments/audit`), from any host. Absent: the page reads `/v1/audit`, which the API serves.
   */
  readonly audit?: {
    readonly read: (options: { readonly fromSeq?: number; readonly limit?: number }) => Promise<readonly AuditEntry[]>;
    readonly head: () => Promise<AuditEntry | null>;
  };
}

type WebEnv = { Variables: { nonce: string } };
type WebContext = Context<WebEnv>;

/** Paths this app serves; anything else (the API, when mounted beside it) passes through untouched. */
const WEB_PATH = /^\/(?:$|login$|logout$|requests\/|history$|grants(?:$|\/)|agents$|decisions$|events$|fragments\/)/;

/** Same shape as a real scrypt hash, so an unknown user costs the same time as a wrong password. */
const DUMMY_HASH = `$scrypt$ln=15,r=8,p=1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

const MAX_FORM_BYTES = 64 * 1024;
const STREAM_MAX_MS = 10 * 60_000;

const formValue = z.union([z.string(), z.array(z.string())]).optional();
const one = formValue.transform((v) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')));
const many = formValue.transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const loginForm = z.object({ csrf: one, next: one, method: one, user: one, password: one, token: one });
const sessionForm = z.object({ csrf: one });
const reviewForm = z.object({ csrf: one, planDigest: one, vote: one, comment: one });
const revokeForm = z.object({ csrf: one, reason: one });
const VERBS: readonly EffectVerb[] = ['read', 'create', 'modify', 'delete', 'replace', 'execute'];
const grantForm = z.object({
  csrf: one,
  agent: one,
  environments: many,
  resources: one,
  verbs: many,
  maxRisk: one,
  duration: one,
  reason: one,
});

/** Only local paths are followed after sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

/** The `:id` of the route (handlers are typed without their path). */
function idOf(c: WebContext): string {
  return c.req.param('id') ?? '';
}

function clientAddress(c: WebContext): string {
  const addr = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  return addr ?? 'unknown';
}

/** Builds the web UI app, mounted at `/` by the HTTP app. */
export function createWebApp(options: WebAppOptions): Hono {
  const o = options;
  const app = new Hono<WebEnv>();
  const sessions = new Sessions({
    store: o.store,
    hasher: o.hasher,
    clock: o.clock,
    config: o.config,
    ttlMs: parseDuration(o.config.approvals.sessionTtl) ?? 12 * 3_600_000,
  });
  const throttle = new LoginThrottle({
    clock: o.clock,
    ...(o.loginFailureDelayMs === undefined ? {} : { baseDelayMs: o.loginFailureDelayMs }),
  });
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const publicOrigin = o.config.server.publicUrl === undefined ? null : new URL(o.config.server.publicUrl).origin;
  const limitBody = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('the form is too large', 413) });

  const render = (c: WebContext, options: Omit<PageOptions, 'nonce'>, status = 200): Response =>
    c.html(page({ ...options, nonce: c.get('nonce') }), status as 200);

  const fail = (c: WebContext, status: number, title: string, message: string, who?: SignedIn | null): Response =>
    render(
      c,
      { title, body: messageBody(title, message), ...(who ? { human: { id: who.human.id, csrf: who.session.csrf } } : {}) },
      status,
    );

  /** A POST whose Origin (or Sec-Fetch-Site) shows it came from another site. */
  const crossSite = (c: WebContext): boolean => {
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
    const origin = c.req.header('origin');
    if (origin === undefined) return false;
    return origin !== new URL(c.req.url).origin && origin !== publicOrigin;
  };

  app.use('*', async (c, next) => {
    if (!WEB_PATH.test(c.req.path)) return next();
    const nonce = randomBytes(18).toString('base64');
    c.set('nonce', nonce);
    c.header(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`,
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cache-Control', 'no-store');
    if (c.req.method !== 'POST') return next();
    if (crossSite(c)) {
      return fail(c, 403, 'Refused', 'This form was sent from another site (its Origin is not this server), so it was refused.');
    }
    return limitBody(c, next);
  });

  /** Wraps a handler: unexpected errors become an error page with the code table's status. */
  const safely =
    (handler: (c: WebContext) => Promise<Response>) =>
    async (c: WebContext): Promise<Response> => {
      try {
        return await handler(c);
      } catch (err) {
        const e = toAirlockError(err);
        if (ERROR_CODES[e.code].http >= 500) o.onError?.(err);
        const message = e.code === 'INTERNAL' ? 'Airlock failed to answer (an internal error); try again.' : e.message;
        return fail(
          c,
          ERROR_CODES[e.code].http,
          e.code === 'NOT_FOUND' ? 'Not found' : 'Something went wrong',
          message,
          await signedIn(c).catch(() => null),
        );
      }
    };

  const signedIn = (c: WebContext): Promise<SignedIn | null> => sessions.lookup(getCookie(c, SESSION_COOKIE));

  const viewerOf = (who: SignedIn): Viewer => ({ id: who.human.id, groups: who.human.groups, csrf: who.session.csrf });

  const toLogin = (c: WebContext): Response => {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  };

  /** Parses a POSTed form and checks the session and its CSRF token; a Response when refused. */
  const postedBy = async <T extends z.ZodType<{ csrf: string }>>(
    c: WebContext,
    schema: T,
  ): Promise<{ who: SignedIn; form: z.output<T> } | Response> => {
    const who = await signedIn(c);
    if (who === null) return toLogin(c);
    const parsed = schema.safeParse(await c.req.parseBody({ all: true }));
    if (!parsed.success) return fail(c, 400, 'Bad form', 'The form could not be read; reload the page and try again.', who);
    if (!sameSecret(parsed.data.csrf, who.session.csrf)) {
      return fail(c, 403, 'Refused', "The form's security token is missing or out of date; reload the page and try again.", who);
    }
    return { who, form: parsed.data };
  };

  const cookieBase = { httpOnly: true, sameSite: 'Strict', secure: o.secureCookies } as const;

  // -------------------------------------------------------------------------------------------
  // Sign-in
  // -------------------------------------------------------------------------------------------

  const loginPage = (c: WebContext, next: string, status = 200, banner?: Banner, user?: string): Response => {
    const csrf = randomToken();
    setCookie(c, LOGIN_COOKIE, csrf, { ...cookieBase, path: '/login', maxAge: 3600 });
    return render(
      c,
      { title: 'Sign in', body: loginBody({ csrf, next, ...(banner ? { banner } : {}), ...(user ? { user } : {}) }) },
      status,
    );
  };

  app.get(
    '/login',
    safely(async (c) => {
      const next = safeNext(c.req.query('next'));
      if ((await signedIn(c)) !== null) return c.redirect(next, 303);
      return loginPage(c, next);
    }),
  );

  app.post(
    '/login',
    safely(async (c) => {
      const parsed = loginForm.safeParse(await c.req.parseBody({ all: true }));
      if (!parsed.success) return loginPage(c, '/', 400, { kind: 'error', text: 'The sign-in form could not be read; try again.' });
      const form = parsed.data;
      const next = safeNext(form.next);
      if (!sameSecret(form.csrf, getCookie(c, LOGIN_COOKIE))) {
        return loginPage(c, next, 403, { kind: 'error', text: 'The sign-in form expired or came from elsewhere; try again.' });
      }
      const address = clientAddress(c);
      let humanId: string;
      if (form.method === 'token') {
        if (throttle.blocked(address, '(token)')) {
          return loginPage(c, next, 429, { kind: 'error', text: 'Too many failed sign-ins from here; wait 15 minutes and try again.' });
        }
        const principal = form.token.trim() === '' ? null : await o.principalOf(form.token.trim());
        if (principal === null) {
          await throttle.fail(address, '(token)');
          return loginPage(c, next, 401, { kind: 'error', text: 'That token is not valid (unknown or revoked).' });
        }
        if (principal.kind === 'agent') {
          await throttle.fail(address, '(token)');
          return loginPage(c, next, 403, {
            kind: 'error',
            text: `That is the token of agent ${principal.id}: agent credentials can never approve; agents never sign in. Sign in as a human.`,
          });
        }
        humanId = principal.id;
      } else {
        const user = form.user.trim().slice(0, 64);
        if (throttle.blocked(address, user)) {
          return loginPage(
            c,
            next,
            429,
            { kind: 'error', text: 'Too many failed sign-ins from here; wait 15 minutes and try again.' },
            user,
          );
        }
        const configured = o.config.humans.some((h) => h.id === user);
        const credential = configured ? await o.store.getHumanCredential(user) : null;
        // Always one scrypt run: an unknown user and a wrong password look the same, in words and in time.
        const ok = await o.verifyPassword(form.password, credential?.passwordHash ?? DUMMY_HASH);
        if (!ok || credential === null) {
          await throttle.fail(address, user);
          return loginPage(c, next, 401, { kind: 'error', text: 'Wrong user id or password.' }, user);
        }
        throttle.succeed(address, user);
        humanId = user;
      }
      // A fresh session on every sign-in; any previous one from this browser ends.
      await sessions.end(getCookie(c, SESSION_COOKIE));
      const { cookie } = await sessions.create(humanId);
      setCookie(c, SESSION_COOKIE, cookie, { ...cookieBase, path: '/', maxAge: Math.floor(sessions.ttlMs / 1000) });
      deleteCookie(c, LOGIN_COOKIE, { path: '/login', secure: o.secureCookies });
      return c.redirect(next, 303);
    }),
  );

  app.post(
    '/logout',
    safely(async (c) => {
      const posted = await postedBy(c, sessionForm);
      if (posted instanceof Response) return posted;
      await sessions.end(getCookie(c, SESSION_COOKIE));
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: o.secureCookies });
      return c.redirect('/login', 303);
    }),
  );

  // -------------------------------------------------------------------------------------------
  // Queue and requests
  // -------------------------------------------------------------------------------------------

  const waiting = async (): Promise<{ request: ApprovalRequest; missing: number }[]> =>
    (await o.approvals.list({ statuses: OPEN_STATUSES, limit: 1000 })).map((request) => ({
      request,
      missing: o.approvals.missing(request),
    }));

  app.get(
    '/',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      return render(c, {
        title: 'Queue',
        body: queueBody(await waiting(), o.clock.now()),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'queue',
        live: true,
      });
    }),
  );

  app.get(
    '/fragments/queue',
    safely(async (c) => {
      if ((await signedIn(c)) === null) return c.text('sign in first', 401);
      return c.html(queueList(await waiting(), o.clock.now()).value);
    }),
  );

  const requestPage = (c: WebContext, who: SignedIn, request: ApprovalRequest, status = 200, banner?: Banner, comment?: string): Response =>
    render(
      c,
      {
        title: `Request ${request.id}`,
        body: requestBody({
          request,
          missing: o.approvals.missing(request),
          now: o.clock.now(),
          viewer: viewerOf(who),
          config: o.config,
          ...(banner ? { banner } : {}),
          ...(comment ? { comment } : {}),
        }),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'queue',
        live: true,
      },
      status,
    );

  const DONE: Readonly<Record<string, Banner>> = {
    approve: { kind: 'ok', text: 'You approved this request.' },
    deny: { kind: 'ok', text: 'You denied this request; it will not run.' },
    revoke: { kind: 'ok', text: 'You revoked this request; it will not run.' },
  };

  app.get(
    '/requests/:id',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      const request = await o.approvals.get(idOf(c));
      return requestPage(c, who, request, 200, DONE[c.req.query('done') ?? '']);
    }),
  );

  app.get(
    '/fragments/requests/:id',
    safely(async (c) => {
      if ((await signedIn(c)) === null) return c.text('sign in first', 401);
      const request = await o.approvals.get(idOf(c));
      return c.html(requestLive({ request, missing: o.approvals.missing(request), now: o.clock.now(), config: o.config }).value);
    }),
  );

  app.post(
    '/requests/:id/review',
    safely(async (c) => {
      const posted = await postedBy(c, reviewForm);
      if (posted instanceof Response) return posted;
      const { who, form } = posted;
      const id = idOf(c);
      const vote = form.vote === 'deny' ? 'deny' : form.vote === 'approve' ? 'approve' : null;
      if (vote === null) return requestPage(c, who, await o.approvals.get(id), 400, { kind: 'error', text: 'Choose approve or deny.' });
      const comment = form.comment.trim();
      if (vote === 'deny' && comment === '') {
        return requestPage(c, who, await o.approvals.get(id), 400, {
          kind: 'error',
          text: 'A deny needs a reason: say why, so the agent and the team know.',
        });
      }
      const result = await o.approvals.review({
        id,
        reviewer: { kind: 'human', id: who.human.id },
        vote,
        planDigest: form.planDigest,
        ...(comment === '' ? {} : { comment }),
      });
      if (result.ok) return c.redirect(`/requests/${encodeURIComponent(id)}?done=${vote}`, 303);
      const status = ERROR_CODES[REFUSAL_CODES[result.refused]].http;
      return requestPage(
        c,
        who,
        await o.approvals.get(id),
        status,
        { kind: 'error', text: `Refused: ${result.message}` },
        vote === 'approve' ? comment : undefined,
      );
    }),
  );

  app.post(
    '/requests/:id/revoke',
    safely(async (c) => {
      const posted = await postedBy(c, revokeForm);
      if (posted instanceof Response) return posted;
      const { who, form } = posted;
      const id = idOf(c);
      const reason = form.reason.trim();
      const result = await o.approvals.revoke({ id, by: { kind: 'human', id: who.human.id }, ...(reason === '' ? {} : { reason }) });
      if (result.ok) return c.redirect(`/requests/${encodeURIComponent(id)}?done=revoke`, 303);
      const status = ERROR_CODES[REFUSAL_CODES[result.refused]].http;
      return requestPage(c, who, await o.approvals.get(id), status, { kind: 'error', text: `Refused: ${result.message}` });
    }),
  );

  // A reload of a page that answered a POST lands here: show the request again.
  for (const action of ['review', 'revoke']) {
    app.get(`/requests/:id/${action}`, (c) => c.redirect(`/requests/${encodeURIComponent(idOf(c))}`, 303));
    app.get(`/grants/:id/${action}`, (c) => c.redirect(`/grants/${encodeURIComponent(idOf(c))}`, 303));
  }

  app.get(
    '/history',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      const done = (await o.approvals.list({ limit: 500 })).filter((r) => !OPEN_STATUSES.includes(r.status));
      return render(c, {
        title: 'History',
        body: historyBody(done.slice(0, 200), o.clock.now()),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'history',
      });
    }),
  );

  // -------------------------------------------------------------------------------------------
  // Grants and agents
  // -------------------------------------------------------------------------------------------

  const grantsPage = async (c: WebContext, who: SignedIn, status = 200, banner?: Banner): Promise<Response> => {
    const [grants, agents] = await Promise.all([o.store.listGrants({ limit: 200 }), o.store.listAgents()]);
    const agentIds = [...new Set([...agents.filter((a) => a.revokedAt === null).map((a) => a.id), ...o.config.agents.map((a) => a.id)])];
    return render(
      c,
      {
        title: 'Grants',
        body: grantsBody({
          grants: grants.map((g) => g.value),
          agents: agentIds,
          environments: Object.keys(o.config.environments),
          viewer: viewerOf(who),
          now: o.clock.now(),
          maxDuration: o.config.grants.maxDuration,
          ...(banner ? { banner } : {}),
        }),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'grants',
      },
      status,
    );
  };

  app.get(
    '/grants',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      const done = c.req.query('done');
      return grantsPage(c, who, 200, done === 'created' ? { kind: 'ok', text: 'Grant created.' } : undefined);
    }),
  );

  app.post(
    '/grants',
    safely(async (c) => {
      const posted = await postedBy(c, grantForm);
      if (posted instanceof Response) return posted;
      const { who, form } = posted;
      const durationMs = parseDuration(form.duration);
      const bad = (text: string): Promise<Response> => grantsPage(c, who, 400, { kind: 'error', text });
      if (durationMs === null) return bad(`"${form.duration}" is not a duration; write 30m, 2h or 1h30m.`);
      const verbs = form.verbs.filter((v): v is EffectVerb => (VERBS as readonly string[]).includes(v));
      const maxRisk = form.maxRisk === 'write' || form.maxRisk === 'catastrophic' ? form.maxRisk : 'destructive';
      try {
        await o.approvals.requestGrant({
          by: who.human.id,
          agentId: form.agent.trim(),
          scope: {
            environments: form.environments,
            resources: form.resources
              .split(',')
              .map((r) => r.trim())
              .filter((r) => r !== ''),
            verbs,
            maxRisk,
          },
          durationMs,
          reason: form.reason,
        });
      } catch (err) {
        const e = toAirlockError(err);
        if (e.code === 'INTERNAL') throw err;
        return grantsPage(c, who, ERROR_CODES[e.code].http, { kind: 'error', text: `Refused: ${e.message}` });
      }
      return c.redirect('/grants?done=created', 303);
    }),
  );

  const grantPage = async (c: WebContext, who: SignedIn, id: string, status = 200, banner?: Banner): Promise<Response> => {
    // One indexed read by id, not a scan of the newest grants (an older grant was not found).
    const grant = (await o.store.getGrant(id))?.value;
    if (grant === undefined) return fail(c, 404, 'Not found', `No grant "${id}".`, who);
    return render(
      c,
      {
        title: `Grant ${id}`,
        body: grantBody({ grant, viewer: viewerOf(who), now: o.clock.now(), ...(banner ? { banner } : {}) }),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'grants',
      },
      status,
    );
  };

  app.get(
    '/grants/:id',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      const done = c.req.query('done');
      return grantPage(
        c,
        who,
        idOf(c),
        200,
        done === 'reviewed'
          ? { kind: 'ok', text: 'Review recorded.' }
          : done === 'revoked'
            ? { kind: 'ok', text: 'Grant revoked.' }
            : undefined,
      );
    }),
  );

  app.post(
    '/grants/:id/review',
    safely(async (c) => {
      const posted = await postedBy(c, reviewForm);
      if (posted instanceof Response) return posted;
      const { who, form } = posted;
      const id = idOf(c);
      const vote = form.vote === 'deny' ? 'deny' : 'approve';
      const comment = form.comment.trim();
      if (vote === 'deny' && comment === '') return grantPage(c, who, id, 400, { kind: 'error', text: 'A deny needs a reason.' });
      const result = await o.approvals.reviewGrant({
        id,
        reviewer: { kind: 'human', id: who.human.id },
        vote,
        planDigest: form.planDigest,
        ...(comment === '' ? {} : { comment }),
      });
      if (result.ok) return c.redirect(`/grants/${encodeURIComponent(id)}?done=reviewed`, 303);
      return grantPage(c, who, id, ERROR_CODES[REFUSAL_CODES[result.refused]].http, { kind: 'error', text: `Refused: ${result.message}` });
    }),
  );

  app.post(
    '/grants/:id/revoke',
    safely(async (c) => {
      const posted = await postedBy(c, revokeForm);
      if (posted instanceof Response) return posted;
      const { who, form } = posted;
      const id = idOf(c);
      const reason = form.reason.trim();
      try {
        await o.approvals.revokeGrant({ id, by: who.human.id, ...(reason === '' ? {} : { reason }) });
      } catch (err) {
        const e = toAirlockError(err);
        if (e.code === 'INTERNAL') throw err;
        return grantPage(c, who, id, ERROR_CODES[e.code].http, { kind: 'error', text: `Refused: ${e.message}` });
      }
      return c.redirect(`/grants/${encodeURIComponent(id)}?done=revoked`, 303);
    }),
  );

  app.get(
    '/agents',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      return render(c, {
        title: 'Agents',
        body: agentsBody(await o.store.listAgents(), o.config),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'agents',
      });
    }),
  );

  app.get(
    '/decisions',
    safely(async (c) => {
      const who = await signedIn(c);
      if (who === null) return toLogin(c);
      return render(c, {
        title: 'Decisions',
        body: decisionsBody(o.audit === undefined ? '/v1/audit' : '/fragments/audit'),
        human: { id: who.human.id, csrf: who.session.csrf },
        active: 'decisions',
        script: DECISIONS_SCRIPT,
      });
    }),
  );

  const audit = o.audit;
  if (audit !== undefined) {
    app.get(
      '/fragments/audit/head',
      safely(async (c) => {
        if ((await signedIn(c)) === null) return c.json({ error: { code: 'UNAUTHENTICATED', message: 'sign in first' } }, 401);
        return c.json({ head: await audit.head() });
      }),
    );
    app.get(
      '/fragments/audit',
      safely(async (c) => {
        if ((await signedIn(c)) === null) return c.json({ error: { code: 'UNAUTHENTICATED', message: 'sign in first' } }, 401);
        const from = Number(c.req.query('from') ?? '1');
        const limit = Math.min(Number(c.req.query('limit') ?? '100'), 1000);
        if (!Number.isInteger(from) || from < 1 || !Number.isInteger(limit) || limit < 1) {
          return c.json({ error: { code: 'BAD_INPUT', message: 'from and limit must be positive integers' } }, 400);
        }
        return c.json({ entries: await audit.read({ fromSeq: from, limit }) });
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Live updates
  // -------------------------------------------------------------------------------------------

  /**
   * Server-sent events: `change` (data: the store's change number) whenever requests or grants
   * change, a comment heartbeat every 15 s. The stream ends when the session does, after ten
   * minutes (the browser reconnects by itself), or when the server shuts down.
   */
  app.get('/events', async (c) => {
    const who = await signedIn(c);
    if (who === null) return c.text('sign in first', 401);
    return streamSSE(c, async (stream) => {
      let open = true;
      let wake = (): void => {};
      const stop = (): void => {
        open = false;
        wake();
      };
      stream.onAbort(stop);
      o.closeSignal?.addEventListener('abort', stop);
      if (o.closeSignal?.aborted) stop();
      const unsubscribe = o.feed.subscribe((changes) => {
        if (!open) return;
        stream.writeSSE({ event: 'change', data: String(changes.lastSeq) }).catch(stop);
      });
      try {
        await stream.writeSSE({ event: 'ready', data: 'ok', retry: 2000 });
        const started = Date.now();
        while (open && Date.now() - started < STREAM_MAX_MS) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          if (!open) break;
          // A session that ended (signed out, expired) stops its stream.
          if ((await sessions.lookup(getCookie(c, SESSION_COOKIE)).catch(() => null)) === null) break;
          await stream.write(': heartbeat\n\n');
        }
      } finally {
        open = false;
        unsubscribe();
        o.closeSignal?.removeEventListener('abort', stop);
      }
    });
  });

  // Mounted under the HTTP app, whose typed env is blank: the variables above are this app's own.
  return app as unknown as Hono;
}
