/**
 * The HTTP API and the read-only audit page, on Hono. Translates HTTP to gateway calls and back;
 * decides nothing itself. Bodies are parsed with Zod; errors use the one code table.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AgentIdentity } from '../../core/action.js';
import { AirlockError, ERROR_CODES, toAirlockError } from '../../core/errors.js';
import type { Gateway } from '../../core/gateway.js';
import type { AuditEntry } from '../../core/ports.js';
import { checkLineSchema, parseDialect, toAction } from '../cli/check-input.js';
import { verdictJson } from '../cli/render-verdict.js';
import { AUDIT_PAGE } from './audit-page.js';

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

/** True when the request came over loopback (the node server's socket address); false when unknown. */
function fromLoopback(env: unknown): boolean {
  const addr = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

const decideBody = checkLineSchema.omit({ id: true }).extend({
  intent: z.string().max(4000).optional(),
  agent: z.string().max(64).optional(),
});

function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/** Builds the Hono app. Test it in-process with `app.request()`. */
export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    const e = toAirlockError(err);
    return c.json({ error: { code: e.code, message: e.message } }, ERROR_CODES[e.code].http as 400);
  });
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  app.get('/healthz', (c) => c.json({ status: 'ok', version: options.version }));

  const decide = async (c: { req: { json(): Promise<unknown>; header(name: string): string | undefined } }, record: boolean) => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new AirlockError({ code: 'BAD_INPUT', message: 'the request body is not JSON' });
    }
    const parsed = decideBody.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AirlockError({ code: 'BAD_INPUT', message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
    }
    const body = parsed.data;
    const action = toAction(body.kind, body.input, parseDialect(body.dialect));
    const token = bearer(c.req.header('authorization'));
    if (record && token === undefined) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: 'POST /v1/decisions needs an agent token: Authorization: Bearer <token from `airlock agents add`>',
      });
    }
    const { agent, roles } = await options.identify({ token, claimedId: body.agent ?? 'http' });
    const verdict = await options.gateway.decide({
      surface: 'http',
      agent,
      roles,
      action,
      record,
      ...(typeof body.env === 'string' ? { environment: body.env } : body.env ? { env: body.env } : {}),
      ...(body.intent === undefined ? {} : { intent: body.intent }),
    });
    return { ...verdictJson(action, verdict), proposalId: verdict.proposalId, auditSeq: verdict.auditSeq };
  };

  /** What-if: the decision for an action, not recorded. */
  app.post('/v1/check', async (c) => c.json(await decide(c, false)));
  /** An agent proposes an action: decided and recorded. */
  app.post('/v1/decisions', async (c) => c.json(await decide(c, true)));

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

  // Recorded proposals hold command lines and stated intents: until humans sign in, only this
  // machine may read them.
  const localOnly = (env: unknown): void => {
    if (!fromLoopback(env)) {
      throw new AirlockError({
        code: 'FORBIDDEN',
        message: 'the audit log and the decisions page are served to this machine (loopback) only',
      });
    }
  };
  app.get('/v1/audit', async (c) => {
    localOnly(c.env);
    const from = Number(c.req.query('from') ?? '1');
    const limit = Math.min(Number(c.req.query('limit') ?? '100'), 1000);
    if (!Number.isInteger(from) || from < 1 || !Number.isInteger(limit) || limit < 1) {
      throw new AirlockError({ code: 'BAD_INPUT', message: 'from and limit must be positive integers' });
    }
    return c.json({ entries: await options.readAudit({ fromSeq: from, limit }) });
  });
  app.get('/v1/audit/head', async (c) => {
    localOnly(c.env);
    return c.json({ head: await options.auditHead() });
  });

  app.get('/', (c) => {
    localOnly(c.env);
    return c.html(AUDIT_PAGE);
  });
  return app;
}
