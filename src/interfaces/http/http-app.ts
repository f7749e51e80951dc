/**
 * The HTTP API on Hono: decisions, hooks, the audit log, the approvals API (approvals-api.ts) and,
 * when given, the web UI at `/`. Translates HTTP to gateway calls and back; decides nothing itself.
 * Bodies are parsed with Zod; errors use the one code table.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Action, AgentIdentity } from '../../core/action.js';
import { AirlockError } from '../../core/errors.js';
import type { Gateway, RecordedVerdict } from '../../core/gateway.js';
import type { AuditEntry } from '../../core/ports.js';
import { checkLineSchema, parseDialect, toAction } from '../cli/check-input.js';
import { verdictJson } from '../cli/render-verdict.js';
import {
  type ApiPrincipal,
  type ApprovalsApiOptions,
  bearer,
  createApprovalsApi,
  errorResponse,
  fromLoopback,
  openedRequestJson,
  readJsonBody,
} from './approvals-api.js';
import { AUDIT_PAGE } from './audit-page.js';
import { createSqlApi, type SqlApiOptions } from './sql-api.js';

/** The largest request body the API reads (hook payloads are the biggest: a file tool's content). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What the HTTP interface needs, handed in by the composition root. */
export interface HttpAppOptions {
  readonly gateway: Gateway;
  readonly identify: (options: {
    token?: string | undefined;
    claimedId: string;
  }) => Promise<{ agent: AgentIdentity; roles: readonly string[] }>;
  readonly readAudit: (options: { fromSeq?: number; limit?: number }) => Promise<readonly AuditEntry[]>;
  readonly auditHead: () => Promise<AuditEntry | null>;
  readonly version: string;
  /**
   * Decides a coding agent's hook payload and renders the client's answer (`airlock hook` with
   * AIRLOCK_URL). Absent: the endpoint answers 404.
   */
  readonly hook?: (
    client: string,
    payload: unknown,
    options: { token?: string | undefined; onBehalfOf?: string | undefined; env?: Readonly<Record<string, string>> },
  ) => Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /**
   * Resolves a bearer token to a human (personal `alh_` token) or an agent (`alk_`); null when
   * unknown or revoked. Absent: no personal tokens are recognised.
   */
  readonly principalOf?: (token: string) => Promise<ApiPrincipal | null>;
  /**
   * The approvals API (requests, grants, live events). Absent: held decisions open no request and
   * those routes answer 404.
   */
  readonly approvals?: Omit<ApprovalsApiOptions, 'principalOf'>;
  /** The database guard's routes (`/v1/sql`, `/v1/recovery`). Absent: they answer 404. */
  readonly sql?: Omit<SqlApiOptions, 'principalOf' | 'identify'>;
  /**
   * The web UI, mounted at `/` after the API routes. Absent: `/` serves the loopback-only
   * decisions page instead.
   */
  readonly web?: Hono;
}

const hookEnvSchema = z.record(z.string(), z.string());

/** The agent's targeting variables sent by `airlock hook` (URI-encoded JSON); BAD_INPUT when malformed. */
function hookEnv(header: string | undefined): Record<string, string> | undefined {
  if (header === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(header));
  } catch {
    throw new AirlockError({ code: 'BAD_INPUT', message: 'x-airlock-env: not URI-encoded JSON' });
  }
  const env = hookEnvSchema.safeParse(parsed);
  if (!env.success) throw new AirlockError({ code: 'BAD_INPUT', message: 'x-airlock-env: expected an object of string values' });
  return env.data;
}

const decideBody = checkLineSchema.omit({ id: true }).extend({
  intent: z.string().max(4000).optional(),
  agent: z.string().max(64).optional(),
});

/** Who may propose on a recording route: `decisions` needs an agent token; `requests` also takes loopback callers without one. */
type ProposeMode = 'check' | 'decisions' | 'requests';

/** A decided action, with what the agent is told. */
interface Decided {
  readonly action: Action;
  readonly verdict: RecordedVerdict;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly json: Record<string, unknown>;
}

/** Builds the Hono app. Test it in-process with `app.request()`. */
export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  const principalOf = options.principalOf ?? (async () => null);
  const approvals = options.approvals;

  app.onError((err, c) => errorResponse(c, err));
  // No API body is anywhere near this; a bigger one is refused before it is read into memory.
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: { code: 'BAD_INPUT', message: `the request body is larger than ${MAX_BODY_BYTES} bytes` } }, 413),
    }),
  );
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  app.get('/healthz', (c) => c.json({ status: 'ok', version: options.version }));

  const decide = async (c: Context, mode: ProposeMode): Promise<Decided> => {
    const body = await readJsonBody(c, decideBody);
    const action = toAction(body.kind, body.input, parseDialect(body.dialect));
    const token = bearer(c.req.header('authorization'));
    if (mode === 'decisions' && token === undefined) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: 'POST /v1/decisions needs an agent token: Authorization: Bearer <token from `airlock agents add`>',
      });
    }
    if (mode === 'requests' && token === undefined && !fromLoopback(c.env)) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: 'POST /v1/requests from another host needs an agent token: Authorization: Bearer <token from `airlock agents add`>',
      });
    }
    if (mode !== 'check' && token !== undefined && (await principalOf(token))?.kind === 'human') {
      throw new AirlockError({
        code: 'FORBIDDEN',
        message: "a human's personal token proposes nothing: agents propose with their own token (`airlock agents add NAME`)",
      });
    }
    const { agent, roles } = await options.identify({ token, claimedId: body.agent ?? 'http' });
    const env = typeof body.env === 'object' ? body.env : undefined;
    const verdict = await options.gateway.decide({
      surface: 'http',
      agent,
      roles,
      action,
      record: mode !== 'check',
      ...(typeof body.env === 'string' ? { environment: body.env } : env ? { env } : {}),
      ...(body.intent === undefined ? {} : { intent: body.intent }),
    });
    return { action, verdict, env, json: { ...verdictJson(action, verdict), proposalId: verdict.proposalId, auditSeq: verdict.auditSeq } };
  };

  /** On hold, the request humans review (the same one again for the same plan), or null. */
  const openHeld = async (d: Decided): Promise<Record<string, unknown> | null> => {
    if (approvals === undefined || d.verdict.decision.outcome !== 'hold') return null;
    const opened = await approvals.service.open({ verdict: d.verdict, surface: 'http', action: d.action, env: d.env });
    return openedRequestJson(approvals.service, opened);
  };

  /** What-if: the decision for an action, not recorded. */
  app.post('/v1/check', async (c) => c.json((await decide(c, 'check')).json));
  /** An agent proposes an action: decided and recorded; a hold opens a request (answered with 200, as before). */
  app.post('/v1/decisions', async (c) => {
    const d = await decide(c, 'decisions');
    const request = await openHeld(d);
    return c.json(request === null ? d.json : { ...d.json, request });
  });
  /** An agent asks to run an action: 202 with the request when held, 200 with the decision otherwise. */
  app.post('/v1/requests', async (c) => {
    if (approvals === undefined) throw new AirlockError({ code: 'NOT_FOUND', message: 'approvals are not served here' });
    const d = await decide(c, 'requests');
    const request = await openHeld(d);
    return request === null ? c.json(d.json) : c.json({ ...d.json, request }, 202);
  });

  /**
   * A coding agent's pre-tool hook, forwarded by `airlock hook CLIENT`. Without an agent token the
   * caller is recorded as the unverified client and is accepted only over loopback.
   */
  app.post('/v1/hooks/:client', async (c) => {
    if (options.hook === undefined) throw new AirlockError({ code: 'NOT_FOUND', message: 'hooks are not served here' });
    const token = bearer(c.req.header('authorization'));
    if (token === undefined && !fromLoopback(c.env)) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: 'hook requests from another host need an agent token (Authorization: Bearer …)',
      });
    }
    let payload: unknown;
    try {
      payload = await c.req.json();
    } catch {
      throw new AirlockError({ code: 'BAD_INPUT', message: 'the hook payload is not JSON' });
    }
    const env = hookEnv(c.req.header('x-airlock-env'));
    return c.json(
      await options.hook(c.req.param('client'), payload, {
        token,
        onBehalfOf: c.req.header('x-airlock-on-behalf-of'),
        ...(env ? { env } : {}),
      }),
    );
  });

  if (approvals !== undefined) app.route('/', createApprovalsApi({ ...approvals, principalOf }));
  if (options.sql !== undefined) app.route('/', createSqlApi({ ...options.sql, principalOf, identify: options.identify }));

  // Recorded proposals hold command lines and stated intents: humans with a personal token read
  // them from anywhere; without one, only this machine may.
  const localOnly = (env: unknown, what: string): void => {
    if (!fromLoopback(env)) throw new AirlockError({ code: 'FORBIDDEN', message: `${what} to this machine (loopback) only` });
  };
  const humanOrLocal = async (c: Context): Promise<void> => {
    const token = bearer(c.req.header('authorization'));
    if (token !== undefined) {
      const who = await principalOf(token);
      if (who?.kind === 'human') return;
      if (who === null && options.principalOf !== undefined) {
        throw new AirlockError({ code: 'UNAUTHENTICATED', message: 'the bearer token is unknown or revoked' });
      }
    }
    localOnly(c.env, 'the audit log is served to humans with a personal token (Authorization: Bearer …) and otherwise');
  };
  app.get('/v1/audit', async (c) => {
    await humanOrLocal(c);
    const from = Number(c.req.query('from') ?? '1');
    const limit = Math.min(Number(c.req.query('limit') ?? '100'), 1000);
    if (!Number.isInteger(from) || from < 1 || !Number.isInteger(limit) || limit < 1) {
      throw new AirlockError({ code: 'BAD_INPUT', message: 'from and limit must be positive integers' });
    }
    return c.json({ entries: await options.readAudit({ fromSeq: from, limit }) });
  });
  app.get('/v1/audit/head', async (c) => {
    await humanOrLocal(c);
    return c.json({ head: await options.auditHead() });
  });

  if (options.web !== undefined) {
    // After the API routes, so /v1/* and /healthz are never shadowed by the UI.
    app.route('/', options.web);
  } else {
    app.get('/', (c) => {
      localOnly(c.env, 'the decisions page is served');
      return c.html(AUDIT_PAGE);
    });
  }
  return app;
}
