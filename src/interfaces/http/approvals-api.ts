/**
 * The approvals API on Hono, mounted by the HTTP app: requests (list, show, approve, deny, revoke,
 * consume, complete), grants, and a server-sent event stream of changes. Translates HTTP to
 * ApprovalService calls and back; who may review, digest binding and single use are the core's
 * rules, not this file's.
 *
 * Security: callers present `Authorization: Bearer <token>`, resolved by `principalOf`. Human
 * tokens (`alh_…`) review and grant; agent tokens (`alk_…`) never approve, deny or grant
 * (SECURITY.md invariant 2), see only their own requests, and alone claim their approved plans.
 */
import { hostname } from 'node:os';
import { type Context, Hono } from 'hono';
import { type SSEMessage, streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { type ApprovalService, type OpenedRequest, refusalError } from '../../core/approval-service.js';
import {
  type ApprovalRequest,
  approvalsMissing,
  parseDuration,
  REQUEST_STATUSES,
  type RequestStatus,
  type Review,
} from '../../core/approval.js';
import type { EffectVerb } from '../../core/assessment.js';
import { AGENT_ID } from '../../core/config.js';
import { AirlockError, ERROR_CODES, toAirlockError } from '../../core/errors.js';
import { describeGrant, type Grant, grantActive } from '../../core/grant.js';
import type { Clock, Store, Stored } from '../../core/ports.js';

/** An authenticated caller, as the composition root resolves a bearer token. */
export type ApiPrincipal =
  | { readonly kind: 'human'; readonly id: string; readonly groups: readonly string[] }
  | { readonly kind: 'agent'; readonly id: string; readonly roles: readonly string[] };

/** Live changes to requests and grants (the server's ChangeFeed). */
export interface ApprovalChangeSource {
  /** Calls `listener` with what changed; returns the unsubscribe function. */
  subscribe(
    listener: (changes: {
      readonly requests: readonly Stored<ApprovalRequest>[];
      readonly grants: readonly Stored<Grant>[];
      readonly lastSeq: number;
    }) => void,
  ): () => void;
}

/** What the approvals API needs, handed in by the composition root. */
export interface ApprovalsApiOptions {
  readonly service: ApprovalService;
  /** Grants are listed and read straight from the store (the service only reviews them). */
  readonly store: Pick<Store, 'getGrant' | 'listGrants'>;
  /** Resolves a bearer token; null for an unknown, revoked or malformed one. */
  readonly principalOf: (token: string) => Promise<ApiPrincipal | null>;
  readonly clock: Clock;
  /** Feeds `GET /v1/events`. Absent: that route answers 404. */
  readonly changes?: ApprovalChangeSource;
  /** Host recorded as the executor of plans claimed over HTTP. Default: this machine's hostname. */
  readonly hostname?: string;
  /** Interval of the SSE heartbeat comment. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Aborted when the server shuts down: open event streams end, so the server can close. */
  readonly closeSignal?: AbortSignal;
}

const VERBS = ['read', 'create', 'modify', 'delete', 'replace', 'execute'] as const satisfies readonly EffectVerb[];
/** Requests and grants read per list call before filtering by status or agent. */
const LIST_WINDOW = 1000;
const DEFAULT_LIMIT = 50;

/** The bearer token of an `Authorization` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/** True when the request came over loopback (the node server's socket address); false when unknown. */
export function fromLoopback(env: unknown): boolean {
  const addr = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

/**
 * Reads and parses a JSON body with `schema`. An empty body reads as `{}`. BAD_INPUT (400) when
 * the body is not JSON or fails the schema, naming the first bad field (`planDigest: …`).
 */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AirlockError({ code: 'BAD_INPUT', message: 'the request body is not JSON' });
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AirlockError({ code: 'BAD_INPUT', message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
  }
  return parsed.data;
}

/** The error body and status of the one code table. */
export function errorResponse(c: Context, err: unknown): Response {
  const e = toAirlockError(err);
  return c.json({ error: { code: e.code, message: e.message } }, ERROR_CODES[e.code].http as 400);
}

/** What an agent learns about the request its held action opened (POST /v1/requests and /v1/decisions). */
export function openedRequestJson(service: ApprovalService, opened: OpenedRequest): Record<string, unknown> {
  const r = service.view(opened.request);
  return {
    id: r.id,
    url: opened.url,
    status: r.status,
    planDigest: r.planDigest,
    requirement: r.requirement,
    missing: service.missing(r),
    expiresAt: r.expiresAt,
    reused: opened.reused,
  };
}

const digest = z
  .string({ error: 'the plan digest you reviewed (64 hex characters) is required' })
  .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 plan digest: 64 hex characters')
  .transform((s) => s.toLowerCase());
const approveBody = z.object({ planDigest: digest, comment: z.string().max(2000, 'at most 2000 characters').optional() });
const denyBody = z.object({
  planDigest: digest,
  comment: z
    .string({ error: 'a denial needs a reason in comment (the agent and its user read it)' })
    .max(2000, 'at most 2000 characters')
    .refine((s) => s.trim() !== '', 'a denial needs a reason (the agent and its user read it)'),
});
const revokeBody = z.object({ reason: z.string().max(2000, 'at most 2000 characters').optional() });
const consumeBody = z.object({ planDigest: digest });
const completeBody = z.object({
  ok: z.boolean({ error: 'ok: true when the action was carried out, false when it could not run' }),
  exitCode: z.number().int().nullable().optional(),
  note: z.string().max(4000, 'at most 4000 characters').optional(),
});
const grantBody = z.object({
  agent: z
    .string({ error: 'the agent to elevate is required' })
    .regex(AGENT_ID, 'an agent id: 1-64 letters, digits, dot, dash or underscore'),
  environments: z.array(z.string().min(1)).max(100).default([]),
  resources: z.array(z.string().min(1)).max(100).default([]),
  verbs: z.array(z.enum(VERBS)).default([]),
  maxRisk: z.enum(['write', 'destructive', 'catastrophic']).default('destructive'),
  duration: z
    .string({ error: 'how long the grant lasts is required, e.g. "30m"' })
    .refine((s) => parseDuration(s) !== null, 'a duration like "30m", "2h" or "1h30m"'),
  reason: z
    .string({ error: 'a grant needs a reason' })
    .max(2000, 'at most 2000 characters')
    .refine((s) => s.trim() !== '', 'a grant needs a reason'),
});

/** `?status=a,b&limit=N`: BAD_INPUT naming the parameter. */
function listQuery(c: Context): { statuses: readonly RequestStatus[] | undefined; limit: number } {
  const statusText = c.req.query('status');
  let statuses: RequestStatus[] | undefined;
  if (statusText !== undefined && statusText !== '' && statusText !== 'all') {
    statuses = [];
    for (const s of statusText.split(',')) {
      if (!REQUEST_STATUSES.includes(s as RequestStatus)) {
        throw new AirlockError({ code: 'BAD_INPUT', message: `status: "${s}" is not one of ${REQUEST_STATUSES.join(', ')} (or all)` });
      }
      statuses.push(s as RequestStatus);
    }
  }
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_WINDOW) {
    throw new AirlockError({ code: 'BAD_INPUT', message: `limit: a whole number from 1 to ${LIST_WINDOW}` });
  }
  return { statuses, limit };
}

function reviewJson(r: Review): Record<string, unknown> {
  const s = r.statement;
  return {
    human: s.human,
    vote: s.vote,
    at: s.at,
    expiresAt: s.expiresAt,
    comment: s.comment,
    groups: r.groups,
    onBehalfOfRequester: r.onBehalfOfRequester,
    auditSeq: r.auditSeq,
  };
}

/** True when the request was made with this agent's token (claimed ids never count). */
function madeBy(request: ApprovalRequest, agent: ApiPrincipal): boolean {
  return (
    agent.kind === 'agent' && request.requester.kind === 'agent' && request.requester.authenticated && request.requester.id === agent.id
  );
}

/** A grant's status at `now`: a pending grant past its review deadline, or an active one past `until`, is `expired`. */
function grantStatusAt(grant: Grant, now: Date): RequestStatus {
  if (grant.status === 'pending' && Date.parse(grant.expiresAt) <= now.getTime()) return 'expired';
  if (grant.status === 'approved' && Date.parse(grant.until) <= now.getTime()) return 'expired';
  return grant.status;
}

/** Builds the approvals sub-app. Test it with `app.request()`, alone or mounted by `createHttpApp`. */
export function createApprovalsApi(options: ApprovalsApiOptions): Hono {
  const app = new Hono();
  const service = options.service;
  const host = options.hostname ?? hostname();
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  app.onError((err, c) => errorResponse(c, err));

  /** The caller, or null without a token. UNAUTHENTICATED for an unknown or revoked token. */
  const principal = async (c: Context): Promise<ApiPrincipal | null> => {
    const token = bearer(c.req.header('authorization'));
    if (token === undefined) return null;
    const who = await options.principalOf(token);
    if (who === null) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: 'the bearer token is unknown or revoked (humans: `airlock humans token ID`; agents: `airlock agents add NAME`)',
      });
    }
    return who;
  };
  const caller = async (c: Context, what: string): Promise<ApiPrincipal> => {
    const who = await principal(c);
    if (who === null) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: `${what} needs Authorization: Bearer <token> (a human's from \`airlock humans token ID\`, or an agent's)`,
      });
    }
    return who;
  };
  const human = async (c: Context, what: string): Promise<Extract<ApiPrincipal, { kind: 'human' }>> => {
    const who = await principal(c);
    if (who === null) {
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: `${what} needs a human's personal token: Authorization: Bearer <token from \`airlock humans token ID\`>`,
      });
    }
    if (who.kind === 'agent') {
      throw new AirlockError({
        code: 'FORBIDDEN',
        message: `agent credentials never approve: ${what} takes a human's personal token, and this one belongs to agent ${who.id}`,
      });
    }
    return who;
  };
  const agent = async (c: Context, what: string): Promise<Extract<ApiPrincipal, { kind: 'agent' }>> => {
    const who = await caller(c, what);
    if (who.kind !== 'agent') {
      throw new AirlockError({ code: 'FORBIDDEN', message: `${what} is done by the requesting agent with its own token, not by a human` });
    }
    return who;
  };
  /** The request, visible to humans and to the agent whose token made it. */
  const visibleRequest = async (id: string, who: ApiPrincipal): Promise<ApprovalRequest> => {
    const request = await service.get(id);
    if (who.kind === 'agent' && !madeBy(request, who)) {
      throw new AirlockError({
        code: 'FORBIDDEN',
        message: `request ${id} was not made with agent ${who.id}'s token; agents see only their own`,
      });
    }
    return request;
  };

  const requestJson = (request: ApprovalRequest): Record<string, unknown> => {
    const r = service.view(request);
    return {
      id: r.id,
      url: service.requestUrl(r.id),
      status: r.status,
      missing: service.missing(r),
      requester: r.requester,
      proposalId: r.proposalId,
      decisionSeq: r.decisionSeq,
      planDigest: r.planDigest,
      plan: r.plan,
      assessment: r.assessment,
      environment: r.environment,
      requirement: r.requirement,
      reasons: r.reasons,
      policies: r.policies,
      intent: r.intent,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      expiresAt: r.expiresAt,
      approvals: r.approvals.map(reviewJson),
      denial: r.denial === null ? null : reviewJson(r.denial),
      revocation: r.revocation,
      execution: r.execution,
    };
  };
  const requestLine = (request: ApprovalRequest): Record<string, unknown> => {
    const r = service.view(request);
    return {
      id: r.id,
      url: service.requestUrl(r.id),
      status: r.status,
      missing: service.missing(r),
      requester: r.requester,
      action: r.plan.action,
      environment: r.plan.environment.name,
      risk: r.plan.risk,
      planDigest: r.planDigest,
      requirement: r.requirement,
      intent: r.intent,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
    };
  };
  const grantJson = (grant: Grant): Record<string, unknown> => {
    const now = options.clock.now();
    const status = grantStatusAt(grant, now);
    return {
      id: grant.id,
      url: service.grantUrl(grant.id),
      status,
      active: grantActive(grant, now),
      description: describeGrant(grant),
      agentId: grant.agentId,
      scope: grant.scope,
      until: grant.until,
      reason: grant.reason,
      requester: grant.requester,
      planDigest: grant.planDigest,
      requirement: grant.requirement,
      missing: status === 'pending' ? approvalsMissing(grant, now) : 0,
      expiresAt: grant.expiresAt,
      approvals: grant.approvals.map(reviewJson),
      denial: grant.denial === null ? null : reviewJson(grant.denial),
      revocation: grant.revocation,
      createdAt: grant.createdAt,
      updatedAt: grant.updatedAt,
    };
  };

  // ---------------------------------------------------------------------------------------------
  // Requests
  // ---------------------------------------------------------------------------------------------

  app.get('/v1/requests', async (c) => {
    const who = await caller(c, 'listing requests');
    const { statuses, limit } = listQuery(c);
    // The status is computed as of now (an open request may have expired), so filters apply to a window of recent rows.
    const narrow = who.kind === 'agent' || statuses !== undefined;
    const rows = await service.list({ ...(statuses === undefined ? {} : { statuses }), limit: narrow ? LIST_WINDOW : limit });
    const mine = who.kind === 'agent' ? rows.filter((r) => madeBy(r, who)) : rows;
    return c.json({ requests: mine.slice(0, limit).map(requestLine) });
  });

  app.get('/v1/requests/:id', async (c) => {
    const who = await caller(c, 'reading a request');
    return c.json(requestJson(await visibleRequest(c.req.param('id'), who)));
  });

  for (const vote of ['approve', 'deny'] as const) {
    app.post(`/v1/requests/:id/${vote}`, async (c) => {
      const who = await human(c, vote === 'approve' ? 'approving a request' : 'denying a request');
      const body = await readJsonBody(c, vote === 'approve' ? approveBody : denyBody);
      const result = await service.review({
        id: c.req.param('id'),
        reviewer: { kind: 'human', id: who.id },
        vote,
        planDigest: body.planDigest,
        ...(body.comment === undefined ? {} : { comment: body.comment }),
      });
      if (!result.ok) throw refusalError(result);
      return c.json(requestJson(result.request));
    });
  }

  app.post('/v1/requests/:id/revoke', async (c) => {
    const who = await caller(c, 'revoking a request');
    const body = await readJsonBody(c, revokeBody);
    const id = c.req.param('id');
    // An agent withdraws only what its own token asked for; the service checks humans' eligibility.
    if (who.kind === 'agent') await visibleRequest(id, who);
    const result = await service.revoke({
      id,
      by: { kind: who.kind, id: who.id },
      ...(body.reason === undefined ? {} : { reason: body.reason }),
    });
    if (!result.ok) throw refusalError(result);
    return c.json(requestJson(result.request));
  });

  app.post('/v1/requests/:id/consume', async (c) => {
    const who = await agent(c, 'claiming an approved plan');
    const body = await readJsonBody(c, consumeBody);
    const id = c.req.param('id');
    const request = await visibleRequest(id, who);
    const action = request.plan.action;
    if (action.kind === 'sql' && action.target !== undefined)
      throw new AirlockError({
        code: 'CONFLICT',
        message: `request ${id} is a SQL change on database target "${action.target}": Airlock runs it, bound to the approved effect (POST /v1/sql/${id}/run)`,
      });
    if (request.plan.surface === 'mcp')
      throw new AirlockError({
        code: 'CONFLICT',
        message: `request ${id} is an MCP tool call: the MCP gateway runs it when the agent calls the same tool again with the same arguments`,
      });
    const claimed = await service.consume({
      id,
      planDigest: body.planDigest,
      agentId: who.id,
      // pid 0: a remote caller, whose process Airlock cannot watch; a restart marks it unknown-outcome.
      executor: { host, pid: 0, startedAt: options.clock.now().toISOString() },
    });
    if (!claimed.ok) throw new AirlockError({ code: 'CONFLICT', message: claimed.message });
    const r = claimed.request;
    return c.json({ id: r.id, status: r.status, planDigest: r.planDigest, plan: r.plan });
  });

  app.post('/v1/requests/:id/complete', async (c) => {
    const who = await agent(c, 'reporting an outcome');
    const body = await readJsonBody(c, completeBody);
    const id = c.req.param('id');
    const request = await visibleRequest(id, who);
    if (request.status !== 'executing') {
      throw new AirlockError({
        code: 'CONFLICT',
        message: `request ${id} is ${request.status}; only a claimed (executing) plan has an outcome to report`,
      });
    }
    const after = await service.complete({
      id,
      ran: body.ok,
      // Reported by the agent, not observed by Airlock: the record says so (invariant 5).
      outcome: {
        reportedBy: { kind: 'agent', id: who.id },
        ok: body.ok,
        exitCode: body.exitCode ?? null,
        ...(body.note === undefined ? {} : { note: body.note }),
      },
    });
    return c.json(requestJson(after));
  });

  // ---------------------------------------------------------------------------------------------
  // Grants (humans only: an agent never elevates itself)
  // ---------------------------------------------------------------------------------------------

  app.post('/v1/grants', async (c) => {
    const who = await human(c, 'granting elevation');
    const body = await readJsonBody(c, grantBody);
    const grant = await service.requestGrant({
      by: who.id,
      agentId: body.agent,
      scope: { environments: body.environments, resources: body.resources, verbs: body.verbs, maxRisk: body.maxRisk },
      durationMs: parseDuration(body.duration) ?? 0,
      reason: body.reason,
    });
    return c.json(grantJson(grant), 201);
  });

  app.get('/v1/grants', async (c) => {
    await human(c, 'reading grants');
    const { statuses, limit } = listQuery(c);
    const agentId = c.req.query('agent');
    const rows = await options.store.listGrants({
      ...(agentId === undefined || agentId === '' ? {} : { agentId }),
      limit: statuses === undefined ? limit : LIST_WINDOW,
    });
    const now = options.clock.now();
    const grants = rows.map((r) => r.value).filter((g) => statuses === undefined || statuses.includes(grantStatusAt(g, now)));
    return c.json({ grants: grants.slice(0, limit).map(grantJson) });
  });

  app.get('/v1/grants/:id', async (c) => {
    await human(c, 'reading a grant');
    const id = c.req.param('id');
    const stored = await options.store.getGrant(id);
    if (stored === null) throw new AirlockError({ code: 'NOT_FOUND', message: `no grant "${id}"` });
    return c.json(grantJson(stored.value));
  });

  for (const vote of ['approve', 'deny'] as const) {
    app.post(`/v1/grants/:id/${vote}`, async (c) => {
      const who = await human(c, vote === 'approve' ? 'approving a grant' : 'denying a grant');
      const body = await readJsonBody(c, vote === 'approve' ? approveBody : denyBody);
      const result = await service.reviewGrant({
        id: c.req.param('id'),
        reviewer: { kind: 'human', id: who.id },
        vote,
        planDigest: body.planDigest,
        ...(body.comment === undefined ? {} : { comment: body.comment }),
      });
      if (!result.ok) throw refusalError(result);
      return c.json(grantJson(result.grant));
    });
  }

  app.post('/v1/grants/:id/revoke', async (c) => {
    const who = await human(c, 'revoking a grant');
    const body = await readJsonBody(c, revokeBody);
    const grant = await service.revokeGrant({
      id: c.req.param('id'),
      by: who.id,
      ...(body.reason === undefined ? {} : { reason: body.reason }),
    });
    return c.json(grantJson(grant));
  });

  // ---------------------------------------------------------------------------------------------
  // Live changes
  // ---------------------------------------------------------------------------------------------

  /**
   * Server-sent events for humans: `event: request` / `event: grant` with `{id, status, changeSeq}`
   * per change, and a heartbeat comment. Browsers signed in to the web UI use its own stream.
   */
  app.get('/v1/events', async (c) => {
    const changes = options.changes;
    if (changes === undefined) throw new AirlockError({ code: 'NOT_FOUND', message: 'live events are not served here' });
    await human(c, 'the event stream');
    return streamSSE(c, async (stream) => {
      // Writes are queued so events leave in the order the feed reported them.
      let queue = Promise.resolve();
      const send = (write: () => Promise<unknown>): void => {
        queue = queue.then(write).then(
          () => undefined,
          () => undefined,
        );
      };
      const event = (message: SSEMessage): void => send(() => stream.writeSSE(message));
      const unsubscribe = changes.subscribe((batch) => {
        for (const r of batch.requests) {
          event({
            event: 'request',
            data: JSON.stringify({ id: r.value.id, status: service.view(r.value).status, changeSeq: r.changeSeq }),
          });
        }
        for (const g of batch.grants) {
          event({
            event: 'grant',
            data: JSON.stringify({ id: g.value.id, status: grantStatusAt(g.value, options.clock.now()), changeSeq: g.changeSeq }),
          });
        }
      });
      const heartbeat = setInterval(() => send(() => stream.write(': heartbeat\n\n')), heartbeatMs);
      heartbeat.unref();
      try {
        send(() => stream.write(': airlock events\n\n'));
        await new Promise<void>((resolve) => {
          const signals = [c.req.raw.signal, ...(options.closeSignal === undefined ? [] : [options.closeSignal])];
          if (stream.aborted || signals.some((s) => s.aborted)) resolve();
          stream.onAbort(resolve);
          for (const s of signals) s.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    });
  });

  return app;
}
