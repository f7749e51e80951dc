/**
 * The Notifier port over HTTP webhooks: every request and grant event is POSTed as JSON to the
 * configured URLs, either as Airlock's own event summary (`json`) or as a Slack incoming-webhook
 * message (`slack`). Delivery happens in the background with retries; `notify` never throws and
 * never waits for the network.
 *
 * Signing (for receivers): when a webhook has `secretEnv`, each delivery carries
 *
 *     x-airlock-timestamp: <unix seconds when this attempt was sent>
 *     x-airlock-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * To verify, recompute the HMAC over the timestamp header, a dot and the raw request body bytes
 * (before any JSON parsing), compare it with the header in constant time, and reject timestamps
 * more than a few minutes from your clock (replay protection). `x-airlock-delivery` is the same on
 * every retry of one delivery, so receivers can drop duplicates.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Action } from '../../core/action.js';
import type { ApprovalRequest } from '../../core/approval.js';
import type { WebhookConfig } from '../../core/config.js';
import { describeGrant, type Grant } from '../../core/grant.js';
import type { ApprovalEvent, ApprovalEventType, Notifier } from '../../core/ports.js';

/** What `onDeliveryFailure` is told when a delivery is given up. */
export interface WebhookDeliveryFailure {
  /** The webhook URL. Security: Slack webhook URLs are credentials; redact them before logging. */
  readonly url: string;
  readonly event: ApprovalEventType;
  /** HTTP attempts made (0 when nothing was sent, e.g. a missing secret). */
  readonly attempts: number;
  /** Why the last attempt failed, for humans. Never contains the secret. */
  readonly error: string;
}

/** Options of a WebhookNotifier. */
export interface WebhookNotifierOptions {
  /** The webhooks from `notifications.webhooks` in airlock.yaml. */
  readonly webhooks: readonly WebhookConfig[];
  /** Reads a secret by environment variable name (the composition root passes lookups in its environment). */
  readonly secrets: (envName: string) => string | undefined;
  /** The fetch to use; default the global one. */
  readonly fetch?: typeof fetch;
  /** Retry schedule: `attempts` in all (default 6), backoff from `baseDelayMs` (500) doubling up to `maxDelayMs` (30000). */
  readonly retry?: {
    readonly attempts?: number;
    readonly baseDelayMs?: number;
    readonly maxDelayMs?: number;
  };
  /** Called once per delivery that is given up. Default: ignored. Exceptions it throws are swallowed. */
  readonly onDeliveryFailure?: (info: WebhookDeliveryFailure) => void;
  /** Per-attempt timeout (request and response), default 5000 ms. */
  readonly timeoutMs?: number;
}

/** User agent sent with every delivery. */
export const WEBHOOK_USER_AGENT = 'airlock-webhook/1';

/**
 * The `x-airlock-signature` value for a body sent at `timestamp` (unix seconds, as sent in
 * `x-airlock-timestamp`): `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"`.
 * Receivers compute the same and compare in constant time (`crypto.timingSafeEqual`).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How one HTTP attempt ended. */
type AttemptResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly retry: boolean; readonly error: string; readonly retryAfterMs?: number };

/**
 * Delivers approval events to webhooks in the background.
 *
 * Failure behaviour: `notify` never throws and returns at once. Network errors, timeouts, 5xx and
 * 429 are retried with exponential backoff and jitter (`Retry-After` honoured, capped by
 * `maxDelayMs`); other 4xx and redirects are not retried. A delivery that is given up is reported
 * through `onDeliveryFailure`. Retry timers are unref'd, so they never keep a process alive; call
 * `flush` before exiting to deliver anyway.
 *
 * Security: the payload is a summary — never the plan's environment variables, MCP arguments or
 * review signatures — and credentials that look like `PASSWORD=…`, `--token …` or `user:pass@`
 * are masked in commands. A webhook with `secretEnv` whose variable is unset or empty is never
 * sent unsigned: the delivery fails, naming the variable.
 */
export class WebhookNotifier implements Notifier {
  readonly #webhooks: readonly WebhookConfig[];
  readonly #secrets: (envName: string) => string | undefined;
  readonly #fetch: typeof fetch;
  readonly #attempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #onFailure: ((info: WebhookDeliveryFailure) => void) | undefined;
  readonly #inflight = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #flushing = 0;

  constructor(options: WebhookNotifierOptions) {
    this.#webhooks = options.webhooks;
    this.#secrets = options.secrets;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#attempts = Math.max(1, Math.floor(options.retry?.attempts ?? 6));
    this.#baseDelayMs = Math.max(0, options.retry?.baseDelayMs ?? 500);
    this.#maxDelayMs = Math.max(0, options.retry?.maxDelayMs ?? 30_000);
    this.#timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.#onFailure = options.onDeliveryFailure;
  }

  /** Queues one delivery per webhook that subscribes to the event (all events when its list is empty). Never throws. */
  notify(event: ApprovalEvent): void {
    try {
      for (const hook of this.#webhooks) {
        if (hook.events.length > 0 && !hook.events.includes(event.type)) continue;
        const task = this.#deliver(hook, event).catch(() => undefined);
        this.#inflight.add(task);
        void task.finally(() => this.#inflight.delete(task));
      }
    } catch {
      // Notifications never break the caller.
    }
  }

  /** Deliveries not finished yet (sending, or waiting to retry). */
  pending(): number {
    return this.#inflight.size;
  }

  /**
   * Resolves when every delivery (including pending retries and deliveries queued meanwhile) is
   * done, or when `timeoutMs` passes (default: no limit; the retry schedule bounds it). While a
   * flush waits, retry timers keep the process alive. Never rejects.
   */
  async flush(timeoutMs?: number): Promise<void> {
    if (this.#inflight.size === 0) return;
    this.#flushing++;
    for (const t of this.#timers) t.ref();
    try {
      await new Promise<void>((resolve) => {
        let settled = false;
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(), Math.max(0, timeoutMs));
        const finish = () => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        };
        const wait = (): void => {
          if (settled) return;
          if (this.#inflight.size === 0) finish();
          else void Promise.allSettled([...this.#inflight]).then(wait);
        };
        wait();
      });
    } finally {
      this.#flushing--;
      if (this.#flushing === 0) for (const t of this.#timers) t.unref();
    }
  }

  async #deliver(hook: WebhookConfig, event: ApprovalEvent): Promise<void> {
    const fail = (attempts: number, error: string) => {
      try {
        this.#onFailure?.({ url: hook.url, event: event.type, attempts, error });
      } catch {
        // A failing reporter must not break delivery of other events.
      }
    };
    let body: string;
    try {
      body = JSON.stringify(hook.format === 'slack' ? slackPayload(event) : jsonPayload(event));
    } catch (err) {
      return fail(0, `could not build the payload: ${errorText(err)}`);
    }
    let secret: string | undefined;
    if (hook.secretEnv !== undefined) {
      try {
        secret = this.#secrets(hook.secretEnv);
      } catch {
        secret = undefined;
      }
      if (secret === undefined || secret === '') {
        return fail(0, `the signing secret variable ${hook.secretEnv} is not set; not sending unsigned`);
      }
    }
    const deliveryId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(hook.url, event.type, deliveryId, body, secret);
      if (result.ok) return;
      if (!result.retry || attempt >= this.#attempts) return fail(attempt, result.error);
      await this.#sleep(result.retryAfterMs ?? this.#backoff(attempt));
    }
  }

  async #attempt(
    url: string,
    type: ApprovalEventType,
    deliveryId: string,
    body: string,
    secret: string | undefined,
  ): Promise<AttemptResult> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'x-airlock-event': type,
      'x-airlock-delivery': deliveryId,
      'x-airlock-timestamp': timestamp,
    };
    if (secret !== undefined) headers['x-airlock-signature'] = webhookSignature(secret, timestamp, body);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    timer.unref();
    try {
      const res = await this.#fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: true };
      }
      const detail = await snippet(res);
      const error = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${detail ? `: ${detail}` : ''}`;
      if (res.status === 429 || res.status >= 500) {
        const retryAfterMs = retryAfter(res.headers.get('retry-after'), this.#maxDelayMs);
        return retryAfterMs === undefined ? { ok: false, retry: true, error } : { ok: false, retry: true, error, retryAfterMs };
      }
      if (res.status >= 300 && res.status < 400) return { ok: false, retry: false, error: `${error} (redirects are not followed)` };
      return { ok: false, retry: false, error };
    } catch (err) {
      if (controller.signal.aborted) return { ok: false, retry: true, error: `timed out after ${this.#timeoutMs} ms` };
      return { ok: false, retry: true, error: `network error: ${errorText(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Exponential backoff with jitter: a random delay in [d/2, d] for d = base * 2^(attempt-1), capped. */
  #backoff(attempt: number): number {
    const d = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return Math.round(d / 2 + (Math.random() * d) / 2);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      if (this.#flushing === 0) timer.unref();
      this.#timers.add(timer);
    });
  }
}

/** `Retry-After` (seconds or an HTTP date) in ms, capped by `maxMs`; undefined when absent or malformed. */
function retryAfter(value: string | null, maxMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - Date.now();
  }
  return Math.min(maxMs, Math.max(0, ms));
}

/** The first bytes of a response body, on one line, for error messages. */
async function snippet(res: Response, max = 200): Promise<string> {
  const stream = res.body;
  if (stream === null) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // Partial text is enough.
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return err.message;
}

// ---------------------------------------------------------------------------------------------
// Payloads

/** A request as webhooks see it: no plan environment, no MCP arguments, no signatures. */
export interface WebhookRequestSummary {
  readonly id: string;
  readonly status: string;
  readonly requester: { readonly id: string; readonly onBehalfOf: string | null };
  readonly action: { readonly kind: Action['kind']; readonly description: string };
  readonly environment: string;
  readonly risk: string;
  readonly effects: readonly { readonly verb: string; readonly resource: string; readonly risk: string }[];
  readonly reasons: readonly string[];
  readonly requirement: { readonly approvals: number; readonly groups: readonly string[] };
  /** Humans who approved so far. */
  readonly approvals: readonly string[];
  readonly deniedBy: string | null;
  readonly revokedBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A grant as webhooks see it. */
export interface WebhookGrantSummary {
  readonly id: string;
  readonly status: string;
  readonly requester: { readonly id: string };
  readonly agentId: string;
  /** `deploy-bot may modify payments in prod until …` */
  readonly description: string;
  readonly scope: Grant['scope'];
  readonly until: string;
  readonly reason: string;
  readonly requirement: { readonly approvals: number; readonly groups: readonly string[] };
  readonly approvals: readonly string[];
  readonly deniedBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** The `json` format body: `{ type, at, url, request?, grant? }` with summaries, never the full records. */
export interface WebhookJsonPayload {
  readonly type: ApprovalEventType;
  readonly at: string;
  readonly url: string;
  readonly request?: WebhookRequestSummary;
  readonly grant?: WebhookGrantSummary;
}

const MAX_DESCRIPTION = 2000;

/** Builds the `json` format body of an event. Pure; commands are credential-masked and capped at 2000 characters. */
export function jsonPayload(event: ApprovalEvent): WebhookJsonPayload {
  return {
    type: event.type,
    at: event.at,
    url: event.url,
    ...(event.request === undefined ? {} : { request: requestSummary(event.request) }),
    ...(event.grant === undefined ? {} : { grant: grantSummary(event.grant) }),
  };
}

function requestSummary(r: ApprovalRequest): WebhookRequestSummary {
  return {
    id: r.id,
    status: r.status,
    requester: { id: r.requester.id, onBehalfOf: r.requester.onBehalfOf ?? null },
    action: { kind: r.plan.action.kind, description: truncate(describeAction(r.plan.action), MAX_DESCRIPTION) },
    environment: r.plan.environment.name,
    risk: r.plan.risk,
    effects: r.plan.effects.map((e) => ({ verb: e.verb, resource: e.resource, risk: e.risk })),
    reasons: r.reasons,
    requirement: { approvals: r.requirement.approvals, groups: r.requirement.groups },
    approvals: approvers(r),
    deniedBy: r.denial?.statement.human ?? null,
    revokedBy: r.revocation?.by ?? null,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  };
}

function grantSummary(g: Grant): WebhookGrantSummary {
  return {
    id: g.id,
    status: g.status,
    requester: { id: g.requester.id },
    agentId: g.agentId,
    description: describeGrant(g),
    scope: g.scope,
    until: g.until,
    reason: g.reason,
    requirement: { approvals: g.requirement.approvals, groups: g.requirement.groups },
    approvals: approvers(g),
    deniedBy: g.denial?.statement.human ?? null,
    createdAt: g.createdAt,
    expiresAt: g.expiresAt,
  };
}

function approvers(item: Pick<ApprovalRequest, 'approvals'>): string[] {
  const names: string[] = [];
  for (const a of item.approvals) {
    if (a.statement.vote === 'approve' && !names.includes(a.statement.human)) names.push(a.statement.human);
  }
  return names;
}

/** The action in one line: the command, the SQL, `server.tool`, or `operation path`. Credentials masked. */
function describeAction(action: Action): string {
  switch (action.kind) {
    case 'shell':
      return maskCredentials(action.command);
    case 'sql':
      return maskCredentials(action.sql);
    case 'mcp':
      return `${action.server}.${action.tool}`;
    case 'file':
      return `${action.operation} ${action.path}`;
  }
}

const SECRET_NAME = '[A-Za-z0-9_]*(?:PASSWORD|PASSWD|PASS|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Za-z0-9_]*';

/**
 * Masks what looks like a credential in command text: `NAME=value` for secret-looking names,
 * `--password value` / `--token=value` style flags, `user:password@` in URLs, `Bearer xyz`, and
 * SQL `PASSWORD 'x'` / `IDENTIFIED BY 'x'`. Best effort, not a guarantee.
 */
function maskCredentials(text: string): string {
  return text
    .replace(new RegExp(`\\b(${SECRET_NAME})=("[^"]*"|'[^']*'|\\S+)`, 'gi'), '$1=***')
    .replace(/(--?[A-Za-z-]*(?:password|passwd|secret|token|api-?key)[A-Za-z-]*)(=|\s+)("[^"]*"|'[^']*'|\S+)/gi, '$1$2***')
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, '$1:***@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***')
    .replace(/\b(PASSWORD|IDENTIFIED\s+BY)(\s+)'(?:[^']|'')*'/gi, "$1$2'***'");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// Slack

/** Escapes Slack's control characters (`&`, `<`, `>`) so user text cannot form links or mentions. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code with escaped text; backticks inside would end the span, so they become quotes. */
function code(text: string, max = 300): string {
  return `\`${esc(truncate(text.replace(/`/g, "'").replace(/\s*\n\s*/g, ' '), max))}\``;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function needs(req: { readonly approvals: number; readonly groups: readonly string[] }): string {
  return `${plural(req.approvals, 'approval')}${req.groups.length ? ` from ${esc(req.groups.join(' or '))}` : ''}`;
}

function names(list: readonly string[]): string {
  return esc(list.join(', '));
}

/** "run `cmd`", "call `server.tool`", "delete `path`". */
function doing(action: Action): string {
  switch (action.kind) {
    case 'shell':
      return `run ${code(describeAction(action))}`;
    case 'sql':
      return `run SQL ${code(describeAction(action))}`;
    case 'mcp':
      return `call ${code(describeAction(action))}`;
    case 'file':
      return `${action.operation} ${code(action.path)}`;
  }
}

function who(r: ApprovalRequest): string {
  return `*${esc(r.requester.id)}*${r.requester.onBehalfOf ? ` (for ${esc(r.requester.onBehalfOf)})` : ''}`;
}

function requestHeadline(type: ApprovalEventType, r: ApprovalRequest): string {
  const what = doing(r.plan.action);
  const where = `in *${esc(r.plan.environment.name)}*`;
  const approved = approvers(r);
  switch (type) {
    case 'request.created':
      return `:lock: Airlock: approval needed — ${who(r)} wants to ${what} ${where} (${needs(r.requirement)})`;
    case 'request.expired':
      return `:hourglass: Airlock: request expired — ${who(r)}'s request to ${what} ${where} expired with ${approved.length} of ${needs(r.requirement)}`;
    case 'request.executed': {
      const exit = exitCode(r);
      if (r.status === 'executed')
        return `:rocket: Airlock: executed — ${who(r)} ran ${what.replace(/^run /, '')} ${where}${exit === null ? '' : ` (exit ${exit})`}`;
      if (r.status === 'failed') return `:x: Airlock: execution failed — ${who(r)}'s approved request to ${what} ${where} could not run`;
      return `:grey_question: Airlock: execution ${esc(r.status)} — ${who(r)}'s request to ${what} ${where}`;
    }
    case 'request.decided':
      switch (r.status) {
        case 'approved':
          return `:white_check_mark: Airlock: approved — ${who(r)} may now ${what} ${where}${approved.length ? ` (approved by ${names(approved)})` : ''}`;
        case 'denied':
          return `:no_entry: Airlock: denied — ${who(r)}'s request to ${what} ${where} was denied${r.denial ? ` by ${esc(r.denial.statement.human)}` : ''}`;
        case 'revoked':
          return `:no_entry_sign: Airlock: revoked — ${who(r)}'s request to ${what} ${where} was revoked${r.revocation ? ` by ${esc(r.revocation.by)}` : ''}`;
        case 'pending':
          return `:lock: Airlock: approval needed again — ${who(r)} wants to ${what} ${where} (${needs(r.requirement)})`;
        default:
          return `:information_source: Airlock: request ${esc(r.status)} — ${who(r)}'s request to ${what} ${where}`;
      }
    default:
      return `:information_source: Airlock: ${type} — ${who(r)}'s request to ${what} ${where}`;
  }
}

function exitCode(r: ApprovalRequest): number | null {
  const outcome = r.execution?.outcome;
  if (typeof outcome !== 'object' || outcome === null) return null;
  const exit = (outcome as { exitCode?: unknown }).exitCode;
  return typeof exit === 'number' ? exit : null;
}

function requestDetails(r: ApprovalRequest): string {
  const lines = [
    `*Risk:* ${esc(r.plan.risk)} · *Environment:* ${esc(r.plan.environment.name)}${r.environment.criticality ? ` (${r.environment.criticality})` : ''}`,
  ];
  const effects = r.plan.effects.filter((e) => e.risk !== 'read');
  if (effects.length) {
    const shown = effects
      .slice(0, 5)
      .map((e) => `• ${esc(e.verb)} ${esc(truncate(e.resource, 120))} — ${esc(e.risk)}${e.disruptive ? ', disruptive' : ''}`);
    if (effects.length > 5) shown.push(`• and ${effects.length - 5} more`);
    lines.push(`*Effects:*\n${shown.join('\n')}`);
  }
  if (r.plan.blastRadius.description) lines.push(`*Blast radius:* ${esc(truncate(r.plan.blastRadius.description, 200))}`);
  if (r.reasons.length) lines.push(`*Why held:* ${esc(truncate(r.reasons.join('; '), 500))}`);
  if (r.intent) lines.push(`*Intent (agent's words):* ${esc(truncate(r.intent, 300))}`);
  return lines.join('\n');
}

function grantHeadline(type: ApprovalEventType, g: Grant): string {
  const terms = esc(describeGrant(g));
  const by = esc(g.requester.id);
  if (type === 'grant.created') {
    if (g.status === 'approved') return `:key: Airlock: grant active — ${by} granted: ${terms}`;
    return `:key: Airlock: grant approval needed — ${by} asks: ${terms} (${needs(g.requirement)})`;
  }
  switch (g.status) {
    case 'approved': {
      const approved = approvers(g);
      return `:unlock: Airlock: grant approved — ${terms}${approved.length ? ` (approved by ${names(approved)})` : ''}`;
    }
    case 'denied':
      return `:no_entry: Airlock: grant denied — ${terms}${g.denial ? ` (denied by ${esc(g.denial.statement.human)})` : ''}`;
    default:
      return `:information_source: Airlock: grant ${esc(g.status)} — ${terms}`;
  }
}

/** The `slack` format body: a Slack incoming-webhook message. */
export interface SlackPayload {
  /** The headline, also the notification fallback. */
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/**
 * Builds a Slack incoming-webhook message (`{ text, blocks }`): a headline, a details section
 * (risk, effects, reasons) and an "Open request" link and button. Pure; every piece of
 * user-controlled text is escaped (`&`, `<`, `>`), so it cannot ping channels or forge links.
 */
export function slackPayload(event: ApprovalEvent): SlackPayload {
  const link = `<${esc(event.url)}|${event.grant && !event.request ? 'Open grant' : 'Open request'}>`;
  let text: string;
  let details: string;
  if (event.request !== undefined) {
    text = requestHeadline(event.type, event.request);
    details = requestDetails(event.request);
  } else if (event.grant !== undefined) {
    text = grantHeadline(event.type, event.grant);
    details = [`*Reason:* ${esc(truncate(event.grant.reason, 500))}`, `*Until:* ${esc(event.grant.until)}`].join('\n');
  } else {
    text = `:information_source: Airlock: ${event.type}`;
    details = '';
  }
  const blocks: Record<string, unknown>[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }];
  if (details) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(details, 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${link} · ${esc(event.at)}` }] });
  blocks.push({
    type: 'actions',
    elements: [
      { type: 'button', text: { type: 'plain_text', text: event.grant && !event.request ? 'Open grant' : 'Open request' }, url: event.url },
    ],
  });
  return { text, blocks };
}
