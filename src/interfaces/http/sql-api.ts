/**
 * The database guard over HTTP: an agent proposes SQL for a configured target (`POST /v1/sql`);
 * allowed SQL runs at once with recovery points, held SQL is rehearsed and opens a request; once
 * humans approve, the requesting agent runs it (`POST /v1/sql/:id/run`), bound to the approved
 * effect. Humans list recovery points and undo a change. Translates; decides nothing itself.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AgentIdentity } from '../../core/action.js';
import type { ApprovalService } from '../../core/approval-service.js';
import { AirlockError } from '../../core/errors.js';
import type { SqlChanges } from '../../core/sql-changes.js';
import type { Clock } from '../../core/ports.js';
import { verdictJson } from '../cli/render-verdict.js';
import { type ApiPrincipal, bearer, errorResponse, fromLoopback, openedRequestJson, readJsonBody } from './approvals-api.js';

/** What the SQL routes need. */
export interface SqlApiOptions {
  readonly sql: SqlChanges;
  readonly approvals: ApprovalService;
  readonly identify: (options: {
    token?: string | undefined;
    claimedId: string;
  }) => Promise<{ agent: AgentIdentity; roles: readonly string[] }>;
  readonly principalOf: (token: string) => Promise<ApiPrincipal | null>;
  readonly clock: Clock;
  /** This gateway's host name, recorded as the executor. */
  readonly host: string;
}

const proposeBody = z
  .object({
    target: z.string().min(1, 'name the database target (airlock.yaml "databases")'),
    sql: z.string().min(1, 'give the SQL to run').max(1_000_000),
    maxRows: z.number().int().min(0).optional(),
    intent: z.string().max(4000).optional(),
    agent: z.string().max(64).optional(),
  })
  .strict();

const runBody = z.object({ agent: z.string().max(64).optional() }).strict();

/** Builds the routes; mounted by the HTTP app. */
export function createSqlApi(options: SqlApiOptions): Hono {
  const app = new Hono();
  app.onError((err, c) => errorResponse(c, err));

  /** The proposing agent: its token, or over loopback only, a claimed id (requireAgentToken decides). */
  const agentOf = async (token: string | undefined, claimed: string | undefined, loopback: boolean, what: string) => {
    if (token === undefined && !loopback)
      throw new AirlockError({
        code: 'UNAUTHENTICATED',
        message: `${what} from another host needs an agent token: Authorization: Bearer <token from \`airlock agents add\`>`,
      });
    if (token !== undefined && (await options.principalOf(token))?.kind === 'human')
      throw new AirlockError({
        code: 'FORBIDDEN',
        message: "a human's personal token proposes nothing: agents propose with their own token (`airlock agents add NAME`)",
      });
    return options.identify({ token, claimedId: claimed ?? 'http' });
  };

  const human = async (token: string | undefined, what: string): Promise<void> => {
    const who = token === undefined ? null : await options.principalOf(token);
    if (who?.kind !== 'human')
      throw new AirlockError({
        code: who === null ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        message: `${what} needs a human's personal token: Authorization: Bearer <token from \`airlock humans token ID\`>`,
      });
  };

  app.post('/v1/sql', async (c) => {
    const body = await readJsonBody(c, proposeBody);
    const { agent, roles } = await agentOf(bearer(c.req.header('authorization')), body.agent, fromLoopback(c.env), 'POST /v1/sql');
    const s = await options.sql.submit({
      surface: 'http',
      agent,
      roles,
      target: body.target,
      sql: body.sql,
      ...(body.maxRows === undefined ? {} : { maxRows: body.maxRows }),
      ...(body.intent === undefined ? {} : { intent: body.intent }),
    });
    const action = options.sql.action(body.target, body.sql, body.maxRows);
    const decision = { ...verdictJson(action, s.verdict), proposalId: s.verdict.proposalId, auditSeq: s.verdict.auditSeq };
    switch (s.outcome) {
      case 'denied':
        return c.json({ outcome: 'denied', ...decision }, 403);
      case 'ran':
        return c.json({ outcome: 'ran', ...decision, changeId: s.changeId, execution: s.execution });
      case 'held':
        return c.json(
          {
            outcome: 'held',
            ...decision,
            request: openedRequestJson(options.approvals, s),
            rehearsal: s.rehearsal,
            notRehearsed: s.notRehearsed,
          },
          202,
        );
    }
  });

  app.post('/v1/sql/:id/run', async (c) => {
    const body = await readJsonBody(c, runBody);
    const { agent } = await agentOf(
      bearer(c.req.header('authorization')),
      body.agent,
      fromLoopback(c.env),
      'running an approved SQL change',
    );
    const run = await options.sql.runApproved({
      id: c.req.param('id'),
      agentId: agent.id,
      // pid 0: a remote caller; the gateway itself runs the SQL, but the record names the host.
      executor: { host: options.host, pid: 0, startedAt: options.clock.now().toISOString() },
    });
    const json = { id: run.request.id, status: run.request.status, execution: run.execution };
    if (run.execution.committed) return c.json(json);
    return c.json(
      {
        ...json,
        error: {
          code: 'DRIFT',
          message: `the effect changed since it was approved, so nothing ran: ${run.execution.drift.map((d) => d.message).join('; ')}; propose it again`,
        },
      },
      409,
    );
  });

  app.get('/v1/recovery', async (c) => {
    await human(bearer(c.req.header('authorization')), 'listing recovery points');
    const target = c.req.query('target');
    const changeId = c.req.query('change');
    const points = await options.sql.recoveryPoints({
      ...(target === undefined ? {} : { target }),
      ...(changeId === undefined ? {} : { changeId }),
    });
    return c.json({ recoveryPoints: points });
  });

  app.post('/v1/recovery/:changeId/undo', async (c) => {
    await human(bearer(c.req.header('authorization')), 'undoing a change');
    const target = c.req.query('target');
    const { target: name, result } = await options.sql.undo(c.req.param('changeId'), target);
    return c.json({ target: name, ...result });
  });

  return app;
}
