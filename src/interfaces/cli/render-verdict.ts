/**
 * Renders a verdict for a terminal or as JSON. Translates only: every fact shown comes from the
 * verdict the core produced.
 */
import type { Action } from '../../core/action.js';
import type { Verdict } from '../../core/decision.js';
import { describeTarget } from '../../core/environment.js';
import { describeResource } from '../../core/guidance.js';

/**
 * Characters a reader cannot see, as a RegExp character-class body: control characters (other than
 * tab and newline), the soft hyphen, bidi controls and marks, zero-width characters, the BOM.
 * One list for the terminal and the decisions page.
 */
export const INVISIBLE_CHARACTERS =
  '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff';

const INVISIBLE = new RegExp(`[${INVISIBLE_CHARACTERS}]`, 'g');

/** Makes control, bidi and zero-width characters visible, so a reader sees exactly the bytes. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}}`);
}

/** One line describing an action. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'shell':
      return visible(action.command);
    case 'sql':
      return visible(action.sql.replace(/\s+/g, ' ').trim());
    case 'mcp':
      return visible(`${action.server}.${action.tool} ${JSON.stringify(action.arguments)}`);
    case 'file':
      return visible(`${action.operation} ${action.path}`);
  }
}

/** The JSON shape of a verdict printed by `airlock check --json` and the HTTP API. */
export function verdictJson(action: Action, verdict: Verdict): Record<string, unknown> {
  const { assessment: a, environment: e, decision: d } = verdict;
  return {
    action,
    risk: a.risk,
    kind: a.kind,
    disruptive: a.disruptive,
    obfuscated: a.obfuscated,
    effects: a.effects,
    blastRadius: a.blastRadius,
    targets: a.targets,
    classifierNotes: a.reasons,
    environment: e,
    decision: d.outcome,
    reasons: d.reasons,
    policies: d.policies,
    requirement: d.outcome === 'hold' ? d.requirement : null,
    guidance: d.guidance,
    errors: d.errors,
    policySetHash: verdict.policySetHash,
  };
}

const COLOR = { allow: '\u001b[32m', hold: '\u001b[33m', deny: '\u001b[31m', reset: '\u001b[0m' } as const;

/** The multi-line human rendering used by `airlock check` and `airlock exec`. */
export function renderVerdict(action: Action, verdict: Verdict, options: { color?: boolean } = {}): string {
  const { assessment: a, environment: e, decision: d } = verdict;
  const paint = (s: string): string => (options.color ? `${COLOR[d.outcome]}${s}${COLOR.reset}` : s);
  const out: string[] = [];
  const row = (label: string, value: string): void => {
    out.push(`${label.padEnd(10)}${value}`);
  };
  row('action', `${describeAction(action)}  [${action.kind}${a.kind !== action.kind ? ` → ${a.kind}` : ''}]`);
  if (a.effects.length === 0) row('effects', 'none found');
  a.effects.forEach((eff, i) => {
    row(
      i === 0 ? 'effects' : '',
      `${eff.verb} ${visible(eff.resource)}  scope=${eff.scope}  reversible=${eff.reversible === null ? 'unknown' : eff.reversible ? 'yes' : 'no'}  risk=${eff.risk}${eff.disruptive ? '  disruptive' : ''}`,
    );
    out.push(`${''.padEnd(12)}${visible(eff.reason)}`);
  });
  row(
    'risk',
    `${a.risk}${a.disruptive ? '  (disrupts availability)' : ''}${a.obfuscated ? '  (reached through an indirection layer)' : ''}`,
  );
  row(
    'blast',
    `${a.blastRadius.scope}${a.blastRadius.count === null ? '' : ` (${a.blastRadius.count})`}: ${visible(a.blastRadius.description)}`,
  );
  if (a.targets.length) row('targets', a.targets.map(describeTarget).map(visible).join(', '));
  for (const note of a.reasons) row('note', visible(note));
  row('env', `${e.name}${e.protected ? ' (protected)' : ''}${e.criticality ? ` criticality=${e.criticality}` : ''} — ${e.how}`);
  for (const r of e.resources) {
    row('context', visible(describeResource(r)));
  }
  row('decision', paint(d.outcome.toUpperCase()));
  if (d.policies.length === 0) row('policies', 'none fired (no policy permits this, so it is not allowed)');
  for (const [i, p] of d.policies.entries()) {
    row(i === 0 ? 'policies' : '', `${p.effect} ${p.id}${p.annotations.reason ? `: ${p.annotations.reason}` : ''}`);
  }
  for (const r of d.reasons) row('why', r);
  for (const err of d.errors) row('error', err);
  if (d.outcome === 'hold') {
    const r = d.requirement;
    row(
      'to lift',
      `${r.approvals} human approval${r.approvals === 1 ? '' : 's'}${r.groups.length ? ` from ${r.groups.join(' or ')}` : ''}${r.alternatives.length ? `; or ${r.alternatives.join('; ')}` : ''}`,
    );
  } else if (d.outcome === 'deny') {
    row('to lift', 'a policy change by a human (time-bound grants of elevation come with approvals)');
  }
  row('agent', d.guidance);
  return `${out.join('\n')}\n`;
}
