/**
 * The pages of the web UI, rendered from what the core returns. Translates only: every fact shown
 * comes from the request, grant or agent record; every piece of agent-controlled text goes through
 * the escaping template, and what will run is shown in the exact view (hidden characters escaped,
 * non-ASCII highlighted).
 */
import type { Action } from '../../core/action.js';
import { countingApprovals, eligible, OPEN_STATUSES, type ApprovalRequest, type Review } from '../../core/approval.js';
import type { Effect, EffectVerb, Target } from '../../core/assessment.js';
import type { AirlockConfig } from '../../core/config.js';
import { describeTarget } from '../../core/environment.js';
import { describeGrant, grantActive, type Grant } from '../../core/grant.js';
import type { AgentRecord } from '../../core/ports.js';
import { exact, hasNonAscii, html, type HtmlValue, type SafeHtml } from './html.js';
import { isSqlRehearsal } from '../../core/database.js';
import { renderRehearsal } from '../cli/render-sql.js';

/** The signed-in human looking at a page, with the CSRF token their forms carry. */
export interface Viewer {
  readonly id: string;
  readonly groups: readonly string[];
  readonly csrf: string;
}

/** A message at the top of a page. */
export interface Banner {
  readonly kind: 'error' | 'ok' | 'warn';
  readonly text: string;
}

const EFFECT_VERBS: readonly EffectVerb[] = ['create', 'modify', 'delete', 'replace', 'execute', 'read'];

function banner(b: Banner | undefined): SafeHtml {
  return b === undefined ? html`` : html`<div class="banner ${b.kind}" role="${b.kind === 'error' ? 'alert' : 'status'}">${b.text}</div>`;
}

function csrfField(viewer: Viewer): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${viewer.csrf}">`;
}

/** "3 min ago", "2 h ago". */
export function ago(iso: string, now: Date): string {
  return `${span(now.getTime() - Date.parse(iso))} ago`;
}

/** "in 23 h", or "passed". */
export function inTime(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  return ms <= 0 ? 'passed' : `in ${span(ms)}`;
}

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d`;
}

/** "1 of 2 (prod-owners)". */
export function progress(request: Pick<ApprovalRequest, 'requirement'>, missing: number): string {
  const r = request.requirement;
  return `${r.approvals - missing} of ${r.approvals}${r.groups.length ? ` (${r.groups.join(' or ')})` : ''}`;
}

/** The action as one string (what the queue and history show, in the exact view). */
export function actionText(action: Action): string {
  switch (action.kind) {
    case 'shell':
      return action.command;
    case 'sql':
      return action.sql;
    case 'mcp':
      return `${action.server}.${action.tool} ${JSON.stringify(action.arguments)}`;
    case 'file':
      return `${action.operation} ${[action.path, ...(action.morePaths ?? [])].join(' ')}`;
  }
}

function badge(textValue: string, cls = textValue): SafeHtml {
  return html`<span class="badge ${cls}">${textValue}</span>`;
}

function envBadges(env: { readonly name: string; readonly protected: boolean }): SafeHtml {
  return html`${badge(env.name, 'env')}${env.protected ? html` ${badge('protected')}` : ''}`;
}

function agentOf(request: ApprovalRequest): SafeHtml {
  const r = request.requester;
  return html`<span class="mono">${r.id}</span>${r.authenticated ? '' : html` <span class="muted">(claimed, no token)</span>`}${
    r.onBehalfOf ? html` <span class="muted">for</span> <span class="mono">${r.onBehalfOf}</span>` : ''
  }`;
}

function statusLabel(status: ApprovalRequest['status']): string {
  return status === 'approved' ? 'approved, not yet run' : status;
}

// ---------------------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------------------

/** The sign-in page: password form and personal-token form, each with the login CSRF token. */
export function loginBody(o: { readonly csrf: string; readonly next: string; readonly banner?: Banner; readonly user?: string }): SafeHtml {
  return html`<div class="login">
<h1>Sign in</h1>
${banner(o.banner)}
<form method="post" action="/login" class="card">
<input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="next" value="${o.next}"><input type="hidden" name="method" value="password">
<label for="user">User id</label><input id="user" name="user" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${o.user ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="approve" id="sign-in">Sign in</button>
</form>
<form method="post" action="/login" class="card">
<input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="next" value="${o.next}"><input type="hidden" name="method" value="token">
<label for="token">Or sign in with a personal token</label><input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<p class="muted">A token from <code>airlock humans token YOUR_ID</code>. Agent tokens are refused: agents never sign in.</p>
<button type="submit" id="sign-in-token">Sign in with token</button>
</form>
<p class="muted">Passwords are set with <code>airlock humans passwd YOUR_ID</code> by whoever runs Airlock.</p>
</div>`;
}

// ---------------------------------------------------------------------------------------------
// Queue
// ---------------------------------------------------------------------------------------------

/** One waiting request as a card. */
function queueCard(request: ApprovalRequest, missing: number, now: Date): SafeHtml {
  const href = `/requests/${encodeURIComponent(request.id)}`;
  return html`<article class="card" data-request="${request.id}">
<h3><a href="${href}">${agentOf(request)}</a></h3>
<pre class="cmd">${exact(actionText(request.plan.action))}</pre>
<div class="row">${envBadges(request.environment)} ${badge(request.assessment.risk)} ${badge(statusLabel(request.status), request.status)}
<span>approvals <strong>${progress(request, missing)}</strong></span>
<span class="muted">asked ${ago(request.createdAt, now)} · expires ${inTime(request.expiresAt, now)}</span></div>
<p><a class="button" href="${href}">Review</a></p>
</article>`;
}

/** The queue's live list (also served alone as the fragment `/fragments/queue`). */
export function queueList(items: readonly { readonly request: ApprovalRequest; readonly missing: number }[], now: Date): SafeHtml {
  return html`<div id="queue" data-live="/fragments/queue">${
    items.length === 0
      ? html`<p class="muted" id="queue-empty">Nothing is waiting for approval.</p>`
      : items.map((i) => queueCard(i.request, i.missing, now))
  }</div>`;
}

/** The queue page. */
export function queueBody(items: readonly { readonly request: ApprovalRequest; readonly missing: number }[], now: Date): SafeHtml {
  return html`<h1>Waiting for approval</h1>
<p class="muted">Pending requests, and approved ones the agent has not run yet. This list updates by itself.</p>
${queueList(items, now)}`;
}

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

function kv(rows: readonly (readonly [string, HtmlValue] | null)[]): SafeHtml {
  return html`<dl class="kv">${rows.filter((r) => r !== null).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function whatRuns(request: ApprovalRequest): SafeHtml {
  const { plan } = request;
  const a = plan.action;
  let body: SafeHtml;
  switch (a.kind) {
    case 'shell':
      body = html`${
        a.argv === undefined
          ? html`<p class="muted">Runs as a shell script (no argument vector).</p>`
          : html`<p class="muted">The program and its arguments, exactly as they will be passed (one box per argument; the first is the resolved binary):</p>
<ol class="argv" id="argv">${a.argv.map((w, i) => html`<li><span class="i">${i}</span><code>${exact(w)}</code></li>`)}</ol>`
      }
<p class="muted">As one command line:</p><pre id="command">${exact(a.command, { keepNewlines: true })}</pre>`;
      break;
    case 'sql':
      body = html`${kv([
        ['dialect', a.dialect],
        a.database?.host === undefined
          ? null
          : ['host', html`<code>${exact(`${a.database.host}${a.database.port ? `:${a.database.port}` : ''}`)}</code>`],
        a.database?.name === undefined ? null : ['database', html`<code>${exact(a.database.name)}</code>`],
      ])}<pre id="sql">${exact(a.sql, { keepNewlines: true })}</pre>`;
      break;
    case 'mcp':
      body = html`${kv([
        ['server', html`<code>${exact(a.server)}</code>`],
        ['tool', html`<code>${exact(a.tool)}</code>`],
        a.annotations === undefined
          ? null
          : ['hints', html`${JSON.stringify(a.annotations)} <span class="muted">(declared by the server, not verified)</span>`],
      ])}<p class="muted">Arguments:</p><pre id="arguments">${exact(JSON.stringify(a.arguments, null, 2), { keepNewlines: true })}</pre>`;
      break;
    case 'file':
      body = kv([
        ['operation', a.operation],
        ['paths', html`${[a.path, ...(a.morePaths ?? [])].map((p) => html`<code>${exact(p)}</code><br>`)}`],
      ]);
      break;
  }
  const env = Object.entries(plan.env);
  const nonAscii = hasNonAscii(actionText(a)) || (plan.cwd !== null && hasNonAscii(plan.cwd)) || env.some(([k, v]) => hasNonAscii(k + v));
  return html`<section id="what"><h2>Exactly what will run</h2>
${nonAscii ? html`<div class="banner warn" id="non-ascii">This action contains hidden or non-ASCII characters. They are shown as <span class="esc">\\u{…}</span> escapes or <mark class="na">highlighted</mark>; look at them closely before approving.</div>` : ''}
${body}
${kv([
  ['surface', plan.surface],
  ['working directory', plan.cwd === null ? html`<span class="muted">not set</span>` : html`<code>${exact(plan.cwd)}</code>`],
  [
    'environment variables',
    env.length === 0
      ? html`<span class="muted">none that affect where or how it runs</span>`
      : env.map(([k, v]) => html`<code>${exact(`${k}=${v}`)}</code><br>`),
  ],
  [
    'inputs (content hashes)',
    plan.inputs.length === 0
      ? html`<span class="muted">none</span>`
      : plan.inputs.map((i) => html`<code>${exact(i.name)}</code> <code>sha256:${i.sha256.slice(0, 16)}</code><br>`),
  ],
  ['plan digest', html`<code id="plan-digest">${request.planDigest}</code>`],
  ['policy set', html`<code>${plan.policySetHash.slice(0, 16)}</code>`],
])}
</section>`;
}

/** A SQL rehearsal as approvers read it; any other rehearsal as JSON. */
function rehearsalText(rehearsal: unknown): string {
  return isSqlRehearsal(rehearsal) ? renderRehearsal(rehearsal) : JSON.stringify(rehearsal, null, 2);
}

function reversible(e: Effect): string {
  return e.reversible === null ? 'unknown' : e.reversible ? 'yes' : 'no';
}

function effectsTable(effects: readonly Effect[]): SafeHtml {
  if (effects.length === 0) return html`<p class="muted">The classifier found no effects.</p>`;
  return html`<table class="stack" id="effects"><thead><tr><th>verb</th><th>resource</th><th>scope</th><th>reversible</th><th>risk</th><th>reason</th></tr></thead><tbody>${effects.map(
    (e) =>
      html`<tr><td data-label="verb">${e.verb}${e.disruptive ? html` ${badge('disruptive', 'unknown')}` : ''}</td><td data-label="resource"><code>${exact(e.resource)}</code></td><td data-label="scope">${e.scope}</td><td data-label="reversible">${reversible(e)}</td><td data-label="risk">${badge(e.risk)}</td><td data-label="reason">${e.reason}</td></tr>`,
  )}</tbody></table>`;
}

function targets(list: readonly Target[]): SafeHtml {
  return list.length === 0
    ? html`<span class="muted">none named</span>`
    : html`${list.map((t) => html`<code>${exact(describeTarget(t))}</code><br>`)}`;
}

function context(request: ApprovalRequest): SafeHtml {
  const e = request.environment;
  return html`<section id="context"><h2>Where it lands</h2>
${kv([
  ['environment', html`${envBadges(e)}${e.criticality ? html` <span>criticality <strong>${e.criticality}</strong></span>` : ''}`],
  ['how it was recognised', e.how],
  ['targets', targets(request.plan.targets)],
])}
${
  e.resources.length === 0
    ? html`<p class="muted">The inventory (airlock.yaml resources) knows nothing about what this touches.</p>`
    : html`<table class="stack" id="resources"><thead><tr><th>resource</th><th>criticality</th><th>owners</th><th>depended on by</th><th>downtime cost / h</th><th>notes</th></tr></thead><tbody>${e.resources.map(
        (r) =>
          html`<tr><td data-label="resource">${r.name}</td><td data-label="criticality">${r.criticality ?? '—'}</td><td data-label="owners">${r.owners.join(', ') || '—'}</td><td data-label="depended on by">${r.dependants.join(', ') || '—'}</td><td data-label="downtime cost / h">${r.downtimeCostPerHour === undefined ? '—' : r.downtimeCostPerHour.toLocaleString('en-US')}</td><td data-label="notes">${r.notes ?? ''}</td></tr>`,
      )}</tbody></table>`
}
</section>`;
}

function reviewLine(a: Review, counts: boolean, now: Date): SafeHtml {
  const s = a.statement;
  return html`<li><strong>${s.human}</strong> ${s.vote === 'approve' ? 'approved' : 'denied'} at <time datetime="${s.at}">${s.at}</time> (${ago(s.at, now)})${
    s.vote === 'approve' && s.expiresAt !== null
      ? counts
        ? html` <span class="muted">counts until ${s.expiresAt}</span>`
        : html` <span class="badge unknown">no longer counts</span>`
      : ''
  }${s.comment ? html`: <q>${s.comment}</q>` : ''}</li>`;
}

function outcomeText(outcome: unknown): string {
  if (outcome === null || outcome === undefined) return '';
  if (typeof outcome !== 'object' || Array.isArray(outcome)) return JSON.stringify(outcome);
  const o = outcome as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof o.spawnError === 'string') parts.push(`could not start: ${o.spawnError}`);
  if (typeof o.exitCode === 'number') parts.push(`exit code ${o.exitCode}`);
  if (typeof o.signal === 'string') parts.push(`killed by ${o.signal}`);
  if (typeof o.durationMs === 'number') parts.push(`${Math.round(o.durationMs)} ms`);
  if (typeof o.error === 'string') parts.push(o.error);
  if (typeof o.note === 'string') parts.push(o.note);
  return parts.length > 0 ? parts.join(', ') : JSON.stringify(outcome);
}

/** Humans from airlock.yaml who may still add a counting approval. */
function stillEligible(request: ApprovalRequest, config: AirlockConfig, now: Date): string[] {
  const counted = new Set(countingApprovals(request, now).map((a) => a.statement.human));
  return config.humans
    .filter((h) => eligible(request.requirement, h.groups) && !counted.has(h.id) && h.id !== request.requester.id)
    .map((h) => h.id);
}

/**
 * The request's live section: status, who has approved, who still must, and how it ended. Served
 * alone as `/fragments/requests/:id`; `data-open` tells the page script whether the forms apply.
 */
export function requestLive(o: {
  readonly request: ApprovalRequest;
  readonly missing: number;
  readonly now: Date;
  readonly config: AirlockConfig;
}): SafeHtml {
  const { request: r, now } = o;
  const open = OPEN_STATUSES.includes(r.status);
  const counting = new Set(countingApprovals(r, now));
  const reviews = [...r.approvals, ...(r.denial === null ? [] : [r.denial])];
  const who = stillEligible(r, o.config, now);
  const groups = r.requirement.groups.length ? ` from ${r.requirement.groups.join(' or ')}` : '';
  return html`<section id="live" data-live="/fragments/requests/${encodeURIComponent(r.id)}" data-open="${open ? 'true' : 'false'}" data-status="${r.status}">
<h2>Approvals</h2>
<p class="row"><span>status ${badge(statusLabel(r.status), r.status)}</span><span>approvals <strong id="progress">${progress(r, o.missing)}</strong></span>${
    open ? html`<span class="muted">expires ${inTime(r.expiresAt, now)}</span>` : ''
  }</p>
${reviews.length === 0 ? html`<p class="muted">No one has reviewed this yet.</p>` : html`<ul id="reviews">${reviews.map((a) => reviewLine(a, counting.has(a), now))}</ul>`}
${
  r.status === 'pending'
    ? html`<p id="missing"><strong>${o.missing} more</strong> approval${o.missing === 1 ? '' : 's'} needed${groups}.${
        who.length ? html` <span class="muted">Can approve: ${who.join(', ')}.</span>` : ''
      }${r.requester.onBehalfOf ? html` <span class="muted">${r.requester.onBehalfOf}, whom the agent acts for, counts at most once.</span>` : ''}</p>`
    : ''
}
${r.status === 'approved' ? html`<p class="banner ok">Approved. It runs when the agent's waiting process picks it up (once).</p>` : ''}
${r.revocation !== null ? html`<p class="banner warn">Revoked by ${r.revocation.by} at ${r.revocation.at}${r.revocation.reason ? html`: ${r.revocation.reason}` : ''}</p>` : ''}
${r.status === 'expired' ? html`<p class="banner warn">Expired at ${r.expiresAt} without enough approvals; nothing ran.</p>` : ''}
${
  r.execution !== null
    ? html`<p class="banner ${r.status === 'executed' ? 'ok' : r.status === 'executing' ? 'warn' : 'error'}" id="execution">${r.status}: started ${r.execution.startedAt} on ${r.execution.executor.host} (pid ${r.execution.executor.pid})${
        r.execution.finishedAt ? `, finished ${r.execution.finishedAt}` : ''
      }${r.execution.outcome === null ? '' : html` — ${outcomeText(r.execution.outcome)}`}</p>`
    : ''
}
</section>`;
}

function reviewForms(request: ApprovalRequest, viewer: Viewer, now: Date, comment: string): SafeHtml {
  const open = OPEN_STATUSES.includes(request.status);
  const base = `/requests/${encodeURIComponent(request.id)}`;
  const mayReview = eligible(request.requirement, viewer.groups);
  const mine = countingApprovals(request, now).find((a) => a.statement.human === viewer.id);
  return html`<section id="review" data-hide-when-closed${open ? '' : ' hidden'}>
<h2>Your review</h2>
${mayReview ? '' : html`<p class="banner warn">This needs approval from ${request.requirement.groups.join(' or ')}; you (${viewer.id}) are not in it, so your review will be refused.</p>`}
${mine === undefined ? '' : html`<p class="banner ok" id="you-approved">You approved at ${mine.statement.at}. Each human counts once.</p>`}
<div class="actions">
<form method="post" action="${base}/review">${csrfField(viewer)}<input type="hidden" name="planDigest" value="${request.planDigest}"><input type="hidden" name="vote" value="approve">
<label for="approve-comment">Comment (optional)</label><textarea id="approve-comment" name="comment" maxlength="2000">${comment}</textarea>
<button type="submit" class="approve" id="approve">Approve</button></form>
<form method="post" action="${base}/review">${csrfField(viewer)}<input type="hidden" name="planDigest" value="${request.planDigest}"><input type="hidden" name="vote" value="deny">
<label for="deny-reason">Reason (required to deny)</label><textarea id="deny-reason" name="comment" maxlength="2000" required></textarea>
<button type="submit" class="deny" id="deny">Deny</button></form>
</div>
<details><summary>Revoke instead</summary>
<form method="post" action="${base}/revoke">${csrfField(viewer)}<label for="revoke-reason">Reason</label><input id="revoke-reason" name="reason" maxlength="2000">
<button type="submit" id="revoke">Revoke the request</button></form></details>
<p class="muted">You approve plan <code>${request.planDigest.slice(0, 16)}…</code> as shown above; if the plan changes, the approval is refused and you are asked to look again.</p>
</section>`;
}

/** The request page. */
export function requestBody(o: {
  readonly request: ApprovalRequest;
  readonly missing: number;
  readonly now: Date;
  readonly viewer: Viewer;
  readonly config: AirlockConfig;
  readonly banner?: Banner;
  readonly comment?: string;
}): SafeHtml {
  const r = o.request;
  const a = r.assessment;
  return html`<p><a href="/">← Queue</a></p>
<h1>Request <code>${r.id}</code></h1>
${banner(o.banner)}
<div class="row">${envBadges(r.environment)} ${badge(a.risk)}${a.disruptive ? html` ${badge('disrupts availability', 'unknown')}` : ''}${
    a.obfuscated ? html` ${badge('reached through an indirection', 'unknown')}` : ''
  } <span class="muted">asked ${ago(r.createdAt, o.now)} by</span> ${agentOf(r)}</div>
${OPEN_STATUSES.includes(r.status) ? html`<p data-hide-when-closed><a class="button" href="#review">Go to your review ↓</a></p>` : ''}
${whatRuns(r)}
<section id="effects-section"><h2>Effects</h2>
${effectsTable(a.effects)}
${kv([
  ['risk', badge(a.risk)],
  [
    'blast radius',
    html`<strong>${a.blastRadius.scope}</strong>${a.blastRadius.count === null ? '' : ` (${a.blastRadius.count})`}: ${a.blastRadius.description}`,
  ],
  ['classifier notes', a.reasons.length ? html`${a.reasons.map((n) => html`${n}<br>`)}` : html`<span class="muted">none</span>`],
  r.plan.rehearsal === null
    ? null
    : [
        'rehearsal (measured on the target, bound into the digest)',
        html`<pre id="rehearsal">${exact(rehearsalText(r.plan.rehearsal), { keepNewlines: true })}</pre>`,
      ],
])}
</section>
${context(r)}
<section id="why"><h2>Why it was held</h2>
<ul>${r.reasons.map((x) => html`<li>${x}</li>`)}</ul>
${kv([
  ['policies', r.policies.length ? html`${r.policies.map((p) => html`<code>${p}</code> `)}` : html`<span class="muted">none</span>`],
  [
    'to lift',
    `${r.requirement.approvals} human approval${r.requirement.approvals === 1 ? '' : 's'}${r.requirement.groups.length ? ` from ${r.requirement.groups.join(' or ')}` : ''}`,
  ],
  r.requirement.alternatives.length ? ['or', r.requirement.alternatives.join('; ')] : null,
])}
</section>
<section id="intent"><h2>The agent's stated intent</h2>
${
  r.intent === null
    ? html`<p class="muted">The agent gave no reason.</p>`
    : html`<blockquote class="stated">${r.intent}</blockquote><p class="muted">Stated by the agent, not verified.</p>`
}
</section>
${requestLive(o)}
${reviewForms(r, o.viewer, o.now, o.comment ?? '')}`;
}

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

function decidedBy(r: ApprovalRequest): string {
  if (r.denial !== null)
    return `denied by ${r.denial.statement.human}${r.denial.statement.comment ? `: ${r.denial.statement.comment}` : ''}`;
  if (r.revocation !== null) return `revoked by ${r.revocation.by}${r.revocation.reason ? `: ${r.revocation.reason}` : ''}`;
  const approvers = r.approvals.filter((a) => a.statement.vote === 'approve').map((a) => a.statement.human);
  return approvers.length ? `approved by ${approvers.join(', ')}` : '';
}

/** Decided, executed and expired requests, newest first. */
export function historyBody(requests: readonly ApprovalRequest[], now: Date): SafeHtml {
  return html`<h1>History</h1>
${
  requests.length === 0
    ? html`<p class="muted">No request has been decided yet.</p>`
    : html`<table class="stack" id="history"><thead><tr><th>when</th><th>request</th><th>agent</th><th>action</th><th>env</th><th>status</th><th>decided</th><th>outcome</th></tr></thead><tbody>${requests.map(
        (r) =>
          html`<tr><td data-label="when">${ago(r.updatedAt, now)}</td><td data-label="request"><a href="/requests/${encodeURIComponent(r.id)}"><code>${r.id}</code></a></td><td data-label="agent">${agentOf(r)}</td><td data-label="action"><code>${exact(actionText(r.plan.action))}</code></td><td data-label="env">${envBadges(r.environment)}</td><td data-label="status">${badge(r.status)}</td><td data-label="decided">${decidedBy(r)}</td><td data-label="outcome">${r.execution === null ? '' : outcomeText(r.execution.outcome)}</td></tr>`,
      )}</tbody></table>`
}`;
}

// ---------------------------------------------------------------------------------------------
// Grants
// ---------------------------------------------------------------------------------------------

function grantCard(g: Grant, viewer: Viewer, now: Date): SafeHtml {
  const base = `/grants/${encodeURIComponent(g.id)}`;
  const active = grantActive(g, now);
  const pending = g.status === 'pending' && Date.parse(g.expiresAt) > now.getTime();
  const approvals = g.approvals.filter((a) => a.statement.vote === 'approve').length;
  return html`<article class="card" id="grant-${g.id}">
<h3><a href="${base}"><code>${g.id}</code></a> ${badge(active ? 'active' : pending ? 'pending' : g.status, active ? 'approved' : pending ? 'pending' : g.status)}</h3>
<p>${describeGrant(g)}</p>
${kv([
  ['asked by', g.requester.id],
  ['reason', g.reason],
  ['until', `${g.until} (${inTime(g.until, now)})`],
  ['max risk', g.scope.maxRisk],
  pending
    ? [
        'approvals',
        `${approvals} of ${g.requirement.approvals}${g.requirement.groups.length ? ` (${g.requirement.groups.join(' or ')})` : ''}`,
      ]
    : null,
  g.revocation ? ['revoked', `by ${g.revocation.by} at ${g.revocation.at} ${g.revocation.reason}`] : null,
])}
${
  pending
    ? html`<div class="actions">
<form method="post" action="${base}/review">${csrfField(viewer)}<input type="hidden" name="planDigest" value="${g.planDigest}"><input type="hidden" name="vote" value="approve"><button type="submit" class="approve">Approve grant</button></form>
<form method="post" action="${base}/review">${csrfField(viewer)}<input type="hidden" name="planDigest" value="${g.planDigest}"><input type="hidden" name="vote" value="deny"><label>Reason<input name="comment" required maxlength="2000"></label><button type="submit" class="deny">Deny grant</button></form>
</div>`
    : ''
}
${
  active || pending
    ? html`<form method="post" action="${base}/revoke">${csrfField(viewer)}<button type="submit">Revoke grant</button></form>`
    : ''
}
</article>`;
}

/** Active and pending grants, recent others, and the form to create one. */
export function grantsBody(o: {
  readonly grants: readonly Grant[];
  readonly agents: readonly string[];
  readonly environments: readonly string[];
  readonly viewer: Viewer;
  readonly now: Date;
  readonly maxDuration: string;
  readonly banner?: Banner;
}): SafeHtml {
  const now = o.now;
  const live = o.grants.filter((g) => grantActive(g, now) || (g.status === 'pending' && Date.parse(g.expiresAt) > now.getTime()));
  const rest = o.grants.filter((g) => !live.includes(g)).slice(0, 50);
  return html`<h1>Grants</h1>
${banner(o.banner)}
<p class="muted">A grant lets one agent do a scoped set of things until a time, without a hold for each action.</p>
<h2>Active and pending</h2>
${live.length ? live.map((g) => grantCard(g, o.viewer, now)) : html`<p class="muted">None.</p>`}
<h2>Grant elevation</h2>
<form method="post" action="/grants" class="card" id="new-grant">${csrfField(o.viewer)}
<label for="g-agent">Agent</label>${
    o.agents.length
      ? html`<select id="g-agent" name="agent" required>${o.agents.map((a) => html`<option value="${a}">${a}</option>`)}</select>`
      : html`<input id="g-agent" name="agent" required>`
  }
<label>Environments (none: any)</label><div>${o.environments.map((e) => html`<label class="inline"><input type="checkbox" name="environments" value="${e}">${e}</label>`)}</div>
<label for="g-resources">Resources (comma-separated names or globs; empty: any)</label><input id="g-resources" name="resources" placeholder="payments, deployment/api*">
<label>Verbs (none: any)</label><div>${EFFECT_VERBS.map((v) => html`<label class="inline"><input type="checkbox" name="verbs" value="${v}">${v}</label>`)}</div>
<label for="g-risk">Worst risk covered</label><select id="g-risk" name="maxRisk"><option value="write">write</option><option value="destructive" selected>destructive</option><option value="catastrophic">catastrophic</option></select>
<label for="g-duration">Duration (at most ${o.maxDuration})</label><input id="g-duration" name="duration" value="30m" required>
<label for="g-reason">Reason</label><input id="g-reason" name="reason" required maxlength="2000">
<button type="submit" class="approve">Create grant</button>
</form>
${rest.length ? html`<h2>Ended</h2>${rest.map((g) => grantCard(g, o.viewer, now))}` : ''}`;
}

/** One grant on its own page (the link webhooks send). */
export function grantBody(o: { readonly grant: Grant; readonly viewer: Viewer; readonly now: Date; readonly banner?: Banner }): SafeHtml {
  return html`<p><a href="/grants">← Grants</a></p><h1>Grant</h1>${banner(o.banner)}${grantCard(o.grant, o.viewer, o.now)}`;
}

// ---------------------------------------------------------------------------------------------
// Agents
// ---------------------------------------------------------------------------------------------

/** Registered agents (never their token hashes) and the agents airlock.yaml describes. */
export function agentsBody(agents: readonly AgentRecord[], config: AirlockConfig): SafeHtml {
  const described = new Map(config.agents.map((a) => [a.id, a]));
  return html`<h1>Agents</h1>
<p class="muted">Agents are registered with <code>airlock agents add NAME</code>; each has its own token and roles. Agents never approve.</p>
${
  agents.length === 0
    ? html`<p class="muted">No agent is registered.</p>`
    : html`<table class="stack" id="agents"><thead><tr><th>agent</th><th>roles</th><th>registered</th><th>state</th><th>description</th></tr></thead><tbody>${agents.map(
        (a) =>
          html`<tr><td data-label="agent"><code>${a.id}</code></td><td data-label="roles">${a.roles.join(', ') || '—'}</td><td data-label="registered">${a.createdAt}</td><td data-label="state">${
            a.revokedAt === null ? badge('active', 'approved') : badge(`revoked ${a.revokedAt}`, 'denied')
          }</td><td data-label="description">${described.get(a.id)?.description ?? ''}</td></tr>`,
      )}</tbody></table>`
}`;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A page that only says what went wrong. */
export function messageBody(title: string, message: string): SafeHtml {
  return html`<h1>${title}</h1><div class="banner error" role="alert">${message}</div><p><a href="/">Back to the queue</a></p>`;
}
