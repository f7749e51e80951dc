/**
 * Renders approval requests and grants for a terminal. Translates only: every fact comes from the
 * request the core produced, and agent-controlled text is made visible (no hidden characters).
 */
import type { ApprovalRequest } from '../../core/approval.js';
import { describeTarget } from '../../core/environment.js';
import { describeGrant, type Grant } from '../../core/grant.js';
import { describeResource } from '../../core/guidance.js';
import { describeAction, visible } from './render-verdict.js';
import { isSqlRehearsal } from '../../core/database.js';
import { renderRehearsal } from './render-sql.js';

/** "1 of 2 from prod-owners". */
export function approvalProgress(request: Pick<ApprovalRequest, 'requirement'>, missing: number): string {
  const r = request.requirement;
  return `${r.approvals - missing} of ${r.approvals}${r.groups.length ? ` from ${r.groups.join(' or ')}` : ''}`;
}

/** One line per request, for `airlock requests`. */
export function requestLine(request: ApprovalRequest, missing: number): string {
  const cmd = describeAction(request.plan.action);
  return [
    request.id,
    request.status,
    visible(request.requester.id) + (request.requester.onBehalfOf ? ` (for ${visible(request.requester.onBehalfOf)})` : ''),
    `${request.environment.name}${request.environment.protected ? '*' : ''}`,
    request.assessment.risk,
    approvalProgress(request, missing),
    cmd.length > 80 ? `${cmd.slice(0, 79)}…` : cmd,
  ].join('\t');
}

/** The full request, for `airlock requests show ID` and before `airlock approve`. */
export function renderRequest(request: ApprovalRequest, options: { missing: number; url: string }): string {
  const out: string[] = [];
  const row = (label: string, value: string): void => {
    out.push(`${label.padEnd(10)}${value}`);
  };
  const { plan, assessment: a, environment: e } = request;
  row('request', `${request.id}  ${request.status}  ${options.url}`);
  row(
    'agent',
    `${visible(request.requester.id)}${request.requester.authenticated ? '' : ' (unverified)'}${request.requester.onBehalfOf ? ` acting for ${visible(request.requester.onBehalfOf)}` : ''}`,
  );
  row('runs', describeAction(plan.action));
  if (plan.action.kind === 'shell' && plan.action.argv !== undefined) {
    row('argv', plan.action.argv.map((w) => JSON.stringify(visible(w))).join(' '));
  }
  if (plan.cwd !== null) row('cwd', visible(plan.cwd));
  const env = Object.entries(plan.env);
  if (env.length) row('env', env.map(([k, v]) => `${k}=${visible(v)}`).join(' '));
  for (const [i, input] of plan.inputs.entries())
    row(i === 0 ? 'inputs' : '', `${visible(input.name)}  sha256:${input.sha256.slice(0, 16)}`);
  for (const [i, eff] of a.effects.entries()) {
    row(
      i === 0 ? 'effects' : '',
      `${eff.verb} ${visible(eff.resource)}  scope=${eff.scope}  reversible=${eff.reversible === null ? 'unknown' : eff.reversible ? 'yes' : 'no'}  risk=${eff.risk}${eff.disruptive ? '  disruptive' : ''}`,
    );
  }
  row('risk', a.risk);
  row(
    'blast',
    `${a.blastRadius.scope}${a.blastRadius.count === null ? '' : ` (${a.blastRadius.count})`}: ${visible(a.blastRadius.description)}`,
  );
  if (a.targets.length) row('targets', a.targets.map(describeTarget).map(visible).join(', '));
  row('env', `${e.name}${e.protected ? ' (protected)' : ''}${e.criticality ? ` criticality=${e.criticality}` : ''}`);
  for (const r of e.resources) row('context', visible(describeResource(r)));
  if (isSqlRehearsal(plan.rehearsal)) out.push(renderRehearsal(plan.rehearsal).trimEnd());
  for (const reason of request.reasons) row('why', reason);
  if (request.intent !== null) row('intent', `${visible(request.intent)}  (stated by the agent, not verified)`);
  row('needs', approvalProgress(request, options.missing));
  for (const ap of request.approvals) {
    const s = ap.statement;
    row('approved', `${s.human} at ${s.at} (counts until ${s.expiresAt})${s.comment ? `: ${visible(s.comment)}` : ''}`);
  }
  if (request.denial !== null) {
    const s = request.denial.statement;
    row('denied', `${s.human} at ${s.at}: ${visible(s.comment)}`);
  }
  if (request.revocation !== null)
    row('revoked', `${request.revocation.by} at ${request.revocation.at} ${visible(request.revocation.reason)}`);
  if (request.execution !== null) {
    row(
      'executed',
      `started ${request.execution.startedAt}${request.execution.finishedAt ? `, finished ${request.execution.finishedAt}` : ''}`,
    );
    if (request.execution.outcome !== null) row('outcome', JSON.stringify(request.execution.outcome));
  }
  row('expires', request.expiresAt);
  row('digest', request.planDigest);
  return `${out.join('\n')}\n`;
}

/** One line per grant, for `airlock grants`. */
export function grantLine(grant: Grant): string {
  return [grant.id, grant.status, visible(describeGrant(grant)), `by ${grant.requester.id}`, visible(grant.reason)].join('\t');
}
