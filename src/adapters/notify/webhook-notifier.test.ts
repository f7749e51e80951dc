import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../../core/action.js';
import type { ApprovalRequest, Review } from '../../core/approval.js';
import type { WebhookConfig } from '../../core/config.js';
import type { Grant } from '../../core/grant.js';
import type { ApprovalEvent, ApprovalEventType } from '../../core/ports.js';
import { type WebhookDeliveryFailure, WebhookNotifier, type WebhookNotifierOptions } from './webhook-notifier.js';

// ---------------------------------------------------------------------------------------------
// A real local receiver

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Reply = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string } | 'hang';

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const receivers: Receiver[] = [];

/** Starts a receiver on 127.0.0.1; `reply(n)` answers the n-th request (0-based), 200 by default. */
async function startReceiver(reply: (n: number) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const r = reply(n);
      if (r === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(r.status, r.headers ?? {});
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  receivers.push(receiver);
  return receiver;
}

/** A URL on which nothing listens: a port that was just bound and released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

// ---------------------------------------------------------------------------------------------
// Fixtures

function review(human: string, vote: 'approve' | 'deny', subject: 'request' | 'grant' = 'request', id = 'req_01'): Review {
  return {
    statement: {
      type: 'airlock.approval/v1',
      subject,
      id,
      planDigest: 'd'.repeat(64),
      human,
      groups: [],
      vote,
      comment: '',
      at: '2030-01-01T10:05:00.000Z',
      expiresAt: vote === 'approve' ? '2030-01-01T11:05:00.000Z' : null,
    },
    groups: ['prod-owners'],
    onBehalfOfRequester: false,
    signature: 'c2lnbmF0dXJl',
    keyId: '0123456789abcdef',
    auditSeq: 7,
  };
}

/** A request with every field filled; `overrides` replace top-level fields, `action` the plan's action. */
function requestFixture(overrides: Partial<ApprovalRequest> = {}, action?: Action): ApprovalRequest {
  const act: Action = action ?? { kind: 'shell', command: 'kubectl delete ns payments', argv: ['kubectl', 'delete', 'ns', 'payments'] };
  const effects = [
    {
      verb: 'delete' as const,
      resource: 'namespace/payments',
      scope: 'namespace' as const,
      reversible: false,
      risk: 'catastrophic' as const,
      disruptive: true,
      reason: 'deletes every object in the namespace',
      source: 'kubectl delete ns payments',
    },
  ];
  const blastRadius = { scope: 'namespace' as const, count: null, description: 'every object in namespace payments' };
  const targets = [{ type: 'kubernetes' as const, context: 'prod-eu', namespace: 'payments' }];
  return {
    id: 'req_01',
    version: 1,
    status: 'pending',
    requester: { kind: 'agent', id: 'deploy-bot', authenticated: true, onBehalfOf: 'alice', session: 'sess-1' },
    proposalId: 'prop_01',
    decisionSeq: 3,
    plan: {
      v: 1,
      surface: 'exec',
      action: act,
      cwd: '/srv/app',
      env: { KUBECONFIG: '/home/bot/.kube/config', AWS_SECRET_ACCESS_KEY: 'plan-env-sekrit' },
      environment: { name: 'prod', protected: true },
      targets,
      risk: 'catastrophic',
      effects,
      blastRadius,
      rehearsal: null,
      inputs: [],
      policySetHash: 'p'.repeat(64),
    },
    planDigest: 'd'.repeat(64),
    assessment: {
      risk: 'catastrophic',
      kind: 'k8s',
      effects,
      disruptive: true,
      obfuscated: false,
      blastRadius,
      targets,
      reasons: ['kubectl delete namespace'],
    },
    environment: {
      name: 'prod',
      protected: true,
      how: 'kube context prod-eu matches prod',
      criticality: 'critical',
      resources: [{ name: 'payments', criticality: 'critical', owners: ['payments-team'], dependants: ['checkout'] }],
    },
    requirement: { approvals: 2, groups: ['prod-owners'], alternatives: ['ask for a grant'] },
    reasons: ['catastrophic change in a protected environment'],
    policies: ['default.cedar#hold-catastrophic'],
    intent: 'clean up the old namespace',
    createdAt: '2030-01-01T10:00:00.000Z',
    updatedAt: '2030-01-01T10:00:00.000Z',
    expiresAt: '2030-01-02T10:00:00.000Z',
    approvals: [],
    denial: null,
    revocation: null,
    execution: null,
    ...overrides,
  };
}

function grantFixture(overrides: Partial<Grant> = {}): Grant {
  return {
    id: 'grt_01',
    version: 1,
    status: 'pending',
    agentId: 'deploy-bot',
    scope: { environments: ['prod'], resources: ['payments'], verbs: ['modify'], maxRisk: 'destructive' },
    until: '2030-01-01T14:30:00.000Z',
    reason: 'incident 42 <hotfix>',
    requester: { kind: 'human', id: 'alice', authenticated: true },
    planDigest: 'g'.repeat(64),
    requirement: { approvals: 1, groups: ['prod-owners'], alternatives: [] },
    expiresAt: '2030-01-01T12:00:00.000Z',
    approvals: [],
    denial: null,
    revocation: null,
    createdAt: '2030-01-01T10:00:00.000Z',
    updatedAt: '2030-01-01T10:00:00.000Z',
    ...overrides,
  };
}

function event(type: ApprovalEventType, request: ApprovalRequest = requestFixture()): ApprovalEvent {
  return { type, at: '2030-01-01T10:10:00.000Z', request, url: `https://airlock.example/requests/${request.id}` };
}

function grantEvent(type: ApprovalEventType, grant: Grant = grantFixture()): ApprovalEvent {
  return { type, at: '2030-01-01T10:10:00.000Z', grant, url: `https://airlock.example/grants/${grant.id}` };
}

function hook(url: string, extra: Partial<WebhookConfig> = {}): WebhookConfig {
  return { url, format: 'json', events: [], ...extra };
}

function notifier(webhooks: WebhookConfig[], extra: Partial<WebhookNotifierOptions> = {}) {
  const failures: WebhookDeliveryFailure[] = [];
  const n = new WebhookNotifier({
    webhooks,
    secrets: () => undefined,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    timeoutMs: 2000,
    onDeliveryFailure: (f) => failures.push(f),
    ...extra,
  });
  return { n, failures };
}

function json(r: Received | undefined): Record<string, unknown> {
  expect(r).toBeDefined();
  return JSON.parse((r as Received).body) as Record<string, unknown>;
}

/** The receiver side of the signature scheme, written from the JSDoc, not from the implementation. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const ts = headers['x-airlock-timestamp'];
  const sig = headers['x-airlock-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

// ---------------------------------------------------------------------------------------------

describe('WebhookNotifier: json payloads', () => {
  it('sends request.created as a summary with the standard headers', async () => {
    const rx = await startReceiver();
    const { n, failures } = notifier([hook(rx.url)]);
    n.notify(event('request.created'));
    await n.flush();
    expect(failures).toEqual([]);
    expect(rx.received).toHaveLength(1);
    const got = rx.received[0] as Received;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('airlock-webhook/1');
    expect(got.headers['x-airlock-event']).toBe('request.created');
    expect(got.headers['x-airlock-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.headers['x-airlock-timestamp']).toMatch(/^\d{10}$/);
    expect(got.headers['x-airlock-signature']).toBeUndefined();
    expect(json(got)).toEqual({
      type: 'request.created',
      at: '2030-01-01T10:10:00.000Z',
      url: 'https://airlock.example/requests/req_01',
      request: {
        id: 'req_01',
        status: 'pending',
        requester: { id: 'deploy-bot', onBehalfOf: 'alice' },
        action: { kind: 'shell', description: 'kubectl delete ns payments' },
        environment: 'prod',
        risk: 'catastrophic',
        effects: [{ verb: 'delete', resource: 'namespace/payments', risk: 'catastrophic' }],
        reasons: ['catastrophic change in a protected environment'],
        requirement: { approvals: 2, groups: ['prod-owners'] },
        approvals: [],
        deniedBy: null,
        revokedBy: null,
        createdAt: '2030-01-01T10:00:00.000Z',
        expiresAt: '2030-01-02T10:00:00.000Z',
      },
    });
    expect(got.body).not.toContain('plan-env-sekrit');
    expect(got.body).not.toContain('KUBECONFIG');
    expect(got.body).not.toContain('c2lnbmF0dXJl');
  });

  it('sends request.decided with the approvers and the denier', async () => {
    const rx = await startReceiver();
    const { n } = notifier([hook(rx.url)]);
    n.notify(
      event('request.decided', requestFixture({ status: 'approved', approvals: [review('bob', 'approve'), review('carol', 'approve')] })),
    );
    n.notify(event('request.decided', requestFixture({ status: 'denied', denial: review('dave', 'deny') })));
    await n.flush();
    const byStatus = (status: string) =>
      rx.received.map((r) => json(r)).find((b) => (b['request'] as { status: string }).status === status);
    expect(byStatus('approved')).toMatchObject({
      type: 'request.decided',
      request: { status: 'approved', approvals: ['bob', 'carol'], deniedBy: null },
    });
    expect(byStatus('denied')).toMatchObject({ type: 'request.decided', request: { status: 'denied', approvals: [], deniedBy: 'dave' } });
  });

  it('sends request.expired, and describes sql, mcp and file actions without their arguments', async () => {
    const rx = await startReceiver();
    const { n } = notifier([hook(rx.url)]);
    n.notify(
      event('request.expired', requestFixture({ status: 'expired' }, { kind: 'sql', sql: 'DROP TABLE users', dialect: 'postgresql' })),
    );
    await n.flush();
    n.notify(
      event(
        'request.created',
        requestFixture({}, { kind: 'mcp', server: 'github', tool: 'delete_repo', arguments: { token: 'mcp-arg-sekrit' } }),
      ),
    );
    await n.flush();
    n.notify(event('request.created', requestFixture({}, { kind: 'file', operation: 'delete', path: '/var/data/db' })));
    await n.flush();
    expect(json(rx.received[0])).toMatchObject({
      type: 'request.expired',
      request: { status: 'expired', action: { kind: 'sql', description: 'DROP TABLE users' } },
    });
    expect(json(rx.received[1])).toMatchObject({ request: { action: { kind: 'mcp', description: 'github.delete_repo' } } });
    expect(rx.received[1]?.body).not.toContain('mcp-arg-sekrit');
    expect(json(rx.received[2])).toMatchObject({ request: { action: { kind: 'file', description: 'delete /var/data/db' } } });
  });

  it('masks credential-looking parts of commands', async () => {
    const rx = await startReceiver();
    const { n } = notifier([hook(rx.url)]);
    const command = 'PGPASSWORD=hunter2 psql postgres://app:s3cr3t@db/prod --api-token=tok123 -c "select 1"';
    n.notify(event('request.created', requestFixture({}, { kind: 'shell', command })));
    await n.flush();
    const body = rx.received[0]?.body ?? '';
    for (const secret of ['hunter2', 's3cr3t', 'tok123']) expect(body).not.toContain(secret);
    expect(body).toContain('psql');
  });

  it('sends grant events with a grant summary', async () => {
    const rx = await startReceiver();
    const { n } = notifier([hook(rx.url)]);
    n.notify(grantEvent('grant.decided', grantFixture({ status: 'approved', approvals: [review('bob', 'approve', 'grant', 'grt_01')] })));
    await n.flush();
    expect(json(rx.received[0])).toMatchObject({
      type: 'grant.decided',
      url: 'https://airlock.example/grants/grt_01',
      grant: {
        id: 'grt_01',
        status: 'approved',
        agentId: 'deploy-bot',
        description: 'deploy-bot may modify payments in prod until 2030-01-01T14:30:00.000Z',
        approvals: ['bob'],
      },
    });
    expect(json(rx.received[0])).not.toHaveProperty('request');
  });
});

describe('WebhookNotifier: slack payloads', () => {
  async function slack(e: ApprovalEvent): Promise<{ text: string; blocks: Record<string, unknown>[]; raw: string }> {
    const rx = await startReceiver();
    const { n, failures } = notifier([hook(rx.url, { format: 'slack' })]);
    n.notify(e);
    await n.flush();
    expect(failures).toEqual([]);
    const raw = rx.received[0]?.body ?? '';
    return { ...(JSON.parse(raw) as { text: string; blocks: Record<string, unknown>[] }), raw };
  }

  it('announces request.created with who, what, where and what it needs, plus details and a link', async () => {
    const msg = await slack(event('request.created'));
    expect(msg.text).toBe(
      ':lock: Airlock: approval needed — *deploy-bot* (for alice) wants to run `kubectl delete ns payments` in *prod* (2 approvals from prod-owners)',
    );
    const all = JSON.stringify(msg.blocks);
    expect(all).toContain('*Risk:* catastrophic');
    expect(all).toContain('delete namespace/payments');
    expect(all).toContain('<https://airlock.example/requests/req_01|Open request>');
    expect(msg.blocks).toContainEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open request' }, url: 'https://airlock.example/requests/req_01' }],
    });
    expect(msg.raw).not.toContain('plan-env-sekrit');
  });

  it('words request.decided by outcome: approved, denied, revoked', async () => {
    const approved = await slack(
      event('request.decided', requestFixture({ status: 'approved', approvals: [review('bob', 'approve'), review('carol', 'approve')] })),
    );
    expect(approved.text).toContain(':white_check_mark: Airlock: approved — *deploy-bot* (for alice) may now run');
    expect(approved.text).toContain('(approved by bob, carol)');
    const denied = await slack(event('request.decided', requestFixture({ status: 'denied', denial: review('dave', 'deny') })));
    expect(denied.text).toContain(':no_entry: Airlock: denied');
    expect(denied.text).toContain('was denied by dave');
    const revoked = await slack(
      event(
        'request.decided',
        requestFixture({ status: 'revoked', revocation: { by: 'erin', at: '2030-01-01T10:09:00.000Z', reason: 'no' } }),
      ),
    );
    expect(revoked.text).toContain('Airlock: revoked');
    expect(revoked.text).toContain('was revoked by erin');
  });

  it('words request.expired, request.executed and grant events', async () => {
    const expired = await slack(event('request.expired', requestFixture({ status: 'expired', approvals: [review('bob', 'approve')] })));
    expect(expired.text).toContain('Airlock: request expired');
    expect(expired.text).toContain('expired with 1 of 2 approvals from prod-owners');
    const executed = await slack(
      event(
        'request.executed',
        requestFixture({
          status: 'executed',
          execution: {
            startedAt: '2030-01-01T10:20:00.000Z',
            executor: { host: 'ci-1', pid: 42, startedAt: '2030-01-01T10:20:00.000Z' },
            finishedAt: '2030-01-01T10:21:00.000Z',
            outcome: { exitCode: 0 },
          },
        }),
      ),
    );
    expect(executed.text).toContain(
      ':rocket: Airlock: executed — *deploy-bot* (for alice) ran `kubectl delete ns payments` in *prod* (exit 0)',
    );
    const created = await slack(grantEvent('grant.created'));
    expect(created.text).toContain('Airlock: grant approval needed — alice asks: deploy-bot may modify payments in prod');
    expect(JSON.stringify(created.blocks)).toContain('Open grant');
    const decided = await slack(
      grantEvent('grant.decided', grantFixture({ status: 'denied', denial: review('bob', 'deny', 'grant', 'grt_01') })),
    );
    expect(decided.text).toContain(':no_entry: Airlock: grant denied');
    expect(decided.text).toContain('(denied by bob)');
  });

  it("escapes Slack's &, < and > in user-controlled text", async () => {
    const msg = await slack(
      event(
        'request.created',
        requestFixture(
          { intent: 'hi <!channel> & <https://evil.example|click>' },
          { kind: 'shell', command: 'echo a > /tmp/x && cat <<EOF' },
        ),
      ),
    );
    expect(msg.text).toContain('`echo a &gt; /tmp/x &amp;&amp; cat &lt;&lt;EOF`');
    expect(msg.raw).not.toContain('<!channel>');
    expect(msg.raw).not.toContain('<https://evil.example');
    expect(msg.raw).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  });
});

describe('WebhookNotifier: signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 of the secret; a tampered body fails', async () => {
    const rx = await startReceiver();
    const lookups: string[] = [];
    const { n, failures } = notifier([hook(rx.url, { secretEnv: 'HOOK_SECRET' })], {
      secrets: (name) => {
        lookups.push(name);
        return name === 'HOOK_SECRET' ? 'topsecret' : undefined;
      },
    });
    n.notify(event('request.created'));
    await n.flush();
    expect(failures).toEqual([]);
    expect(lookups).toEqual(['HOOK_SECRET']);
    const got = rx.received[0] as Received;
    expect(got.headers['x-airlock-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify('topsecret', got.headers, got.body)).toBe(true);
    expect(verify('topsecret', got.headers, got.body.replace('deploy-bot', 'other-bot'))).toBe(false);
    expect(verify('wrong-secret', got.headers, got.body)).toBe(false);
    expect(verify('topsecret', { ...got.headers, 'x-airlock-timestamp': '1' }, got.body)).toBe(false);
    expect(got.body).not.toContain('topsecret');
  });

  it('reports a missing secret variable and sends nothing unsigned', async () => {
    const rx = await startReceiver();
    const { n, failures } = notifier([hook(rx.url, { secretEnv: 'MISSING_SECRET' })]);
    n.notify(event('request.created'));
    await n.flush();
    expect(rx.received).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ url: rx.url, event: 'request.created', attempts: 0 });
    expect(failures[0]?.error).toContain('MISSING_SECRET');
  });
});

describe('WebhookNotifier: events filter', () => {
  it('sends only the listed events to a filtered webhook, and everything to an unfiltered one', async () => {
    const only = await startReceiver();
    const all = await startReceiver();
    const { n } = notifier([hook(only.url, { events: ['request.created', 'grant.created'] }), hook(all.url)]);
    n.notify(event('request.created'));
    n.notify(event('request.expired', requestFixture({ status: 'expired' })));
    n.notify(grantEvent('grant.decided'));
    await n.flush();
    expect(only.received.map((r) => r.headers['x-airlock-event'])).toEqual(['request.created']);
    expect(all.received.map((r) => r.headers['x-airlock-event']).sort()).toEqual(['grant.decided', 'request.created', 'request.expired']);
  });

  it('does nothing without webhooks', async () => {
    const { n, failures } = notifier([]);
    n.notify(event('request.created'));
    expect(n.pending()).toBe(0);
    await n.flush();
    expect(failures).toEqual([]);
  });
});

describe('WebhookNotifier: retries', () => {
  it('retries 500 twice, then delivers once on 200 with the same delivery id', async () => {
    const rx = await startReceiver((i) => (i < 2 ? { status: 500, body: 'boom' } : { status: 200 }));
    const { n, failures } = notifier([hook(rx.url)], { retry: { attempts: 5, baseDelayMs: 10 } });
    n.notify(event('request.created'));
    await n.flush();
    expect(failures).toEqual([]);
    expect(rx.received).toHaveLength(3);
    expect(new Set(rx.received.map((r) => r.headers['x-airlock-delivery'])).size).toBe(1);
    expect(n.pending()).toBe(0);
  });

  it('retries 429 with Retry-After: 0', async () => {
    const rx = await startReceiver((i) => (i === 0 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 204 }));
    const { n, failures } = notifier([hook(rx.url)]);
    n.notify(event('request.created'));
    await n.flush();
    expect(failures).toEqual([]);
    expect(rx.received).toHaveLength(2);
  });

  it('does not retry 400 and reports the failure with the status and the body', async () => {
    const rx = await startReceiver(() => ({ status: 400, body: 'invalid_payload' }));
    const { n, failures } = notifier([hook(rx.url)]);
    n.notify(event('request.decided'));
    await n.flush();
    expect(rx.received).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ url: rx.url, event: 'request.decided', attempts: 1 });
    expect(failures[0]?.error).toContain('400');
    expect(failures[0]?.error).toContain('invalid_payload');
  });

  it('gives up on a 5xx after the last attempt', async () => {
    const rx = await startReceiver(() => ({ status: 503 }));
    const { n, failures } = notifier([hook(rx.url)]);
    n.notify(event('request.created'));
    await n.flush();
    expect(rx.received).toHaveLength(3);
    expect(failures).toEqual([expect.objectContaining({ attempts: 3, error: expect.stringContaining('503') })]);
  });

  it('reports a receiver that is down after all attempts', async () => {
    const url = await closedPortUrl();
    const { n, failures } = notifier([hook(url)], { retry: { attempts: 4, baseDelayMs: 10 } });
    n.notify(event('request.created'));
    await n.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ url, event: 'request.created', attempts: 4 });
    expect(failures[0]?.error).toContain('network error');
  });

  it('survives a throwing failure reporter', async () => {
    const rx = await startReceiver(() => ({ status: 404 }));
    const n = new WebhookNotifier({
      webhooks: [hook(rx.url)],
      secrets: () => undefined,
      onDeliveryFailure: () => {
        throw new Error('reporter broke');
      },
    });
    n.notify(event('request.created'));
    await n.flush();
    expect(n.pending()).toBe(0);
  });
});

describe('WebhookNotifier: never blocks', () => {
  it('returns from notify() at once while the receiver hangs; the timeout turns into a reported failure', async () => {
    const rx = await startReceiver(() => 'hang');
    const { n, failures } = notifier([hook(rx.url)], { timeoutMs: 50, retry: { attempts: 2, baseDelayMs: 10 } });
    const returned = n.notify(event('request.created'));
    expect(returned).toBeUndefined();
    expect(n.pending()).toBe(1);
    expect(failures).toEqual([]);
    await n.flush();
    expect(n.pending()).toBe(0);
    expect(rx.received).toHaveLength(2);
    expect(failures).toEqual([expect.objectContaining({ attempts: 2, error: expect.stringContaining('timed out') })]);
  });

  it('flush(timeoutMs) returns even when deliveries are still stuck', async () => {
    const rx = await startReceiver(() => 'hang');
    const { n, failures } = notifier([hook(rx.url)], { timeoutMs: 60_000, retry: { attempts: 1 } });
    n.notify(event('request.created'));
    await n.flush(20);
    expect(n.pending()).toBe(1);
    await rx.close();
    await n.flush();
    expect(n.pending()).toBe(0);
    expect(failures).toEqual([expect.objectContaining({ attempts: 1 })]);
  });

  it('never throws from notify(), even when the secrets lookup throws', async () => {
    const rx = await startReceiver();
    const { n, failures } = notifier([hook(rx.url, { secretEnv: 'S' })], {
      secrets: () => {
        throw new Error('vault down');
      },
    });
    expect(() => n.notify(event('request.created'))).not.toThrow();
    await n.flush();
    expect(rx.received).toEqual([]);
    expect(failures[0]?.error).toContain('variable S is not set');
  });
});
