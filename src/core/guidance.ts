/**
 * Words for the agent and for humans: what is protected, why, the safer path, how to ask.
 * Agents read this in hook answers and MCP results, so it says plainly what they cannot see.
 */
import type { Assessment, RiskClass } from './assessment.js';
import type { FiredPolicy, HoldRequirement, ResolvedEnvironment, ResourceContext } from './decision.js';

/** Safer paths per family of action, offered when an action is held or denied. */
const SAFER: Readonly<Record<string, string>> = {
  k8s: 'Preview with `kubectl diff` or `--dry-run=server`, target one named resource in one namespace, and prefer `kubectl rollout undo` or scaling over deletion.',
  terraform:
    'Run `terraform plan -out=tfplan`, have it reviewed, and apply that saved plan; never `-auto-approve` or an untargeted destroy.',
  sql: 'Run it inside a transaction you ROLLBACK first to see the row count, narrow the WHERE clause to keys, and take a backup of the rows you change.',
  aws: 'Use `--dry-run` where the API has it, act on one named resource, and keep final snapshots and versioning on.',
  gcloud: 'Act on one named resource, keep backups, and prefer disabling or scaling over deletion.',
  azure: 'Use `--what-if` where available, act on one named resource, and keep backups.',
  mcp: 'Prefer a read-only tool to inspect first, and act on one named item.',
  shell:
    'Prefer a dry run (`-n`, `--dry-run`), move files aside instead of deleting them, and name exact paths instead of globs or variables.',
  file: 'Edit files inside the project, where version control can undo the change.',
};

/** A resource and what the inventory says of it, in one line: `payments-api (criticality critical; owners …)`. */
export function describeResource(r: ResourceContext): string {
  const parts = [r.criticality ? `criticality ${r.criticality}` : null];
  if (r.owners.length) parts.push(`owners ${r.owners.join(', ')}`);
  if (r.dependants.length) parts.push(`depended on by ${r.dependants.join(', ')}`);
  if (r.downtimeCostPerHour !== undefined) parts.push(`downtime costs ${r.downtimeCostPerHour.toLocaleString('en-US')}/h`);
  if (r.notes) parts.push(r.notes);
  return `${r.name} (${parts.filter(Boolean).join('; ')})`;
}

/** The context the agent cannot see, in one sentence; empty when the inventory knows nothing. */
export function contextSentence(environment: ResolvedEnvironment): string {
  const env =
    environment.name === 'unresolved'
      ? `Airlock could not tell which environment this touches, so it is treated as ${environment.protected ? 'protected' : 'unprotected'}.`
      : `It touches environment "${environment.name}"${environment.protected ? ', which is protected' : ''}${environment.criticality ? ` (criticality ${environment.criticality})` : ''}.`;
  const res = environment.resources.length ? ` Resources: ${environment.resources.map(describeResource).join('; ')}.` : '';
  return env + res;
}

function riskWords(risk: RiskClass): string {
  switch (risk) {
    case 'catastrophic':
      return 'catastrophic (environment-wide or irrecoverable loss)';
    case 'destructive':
      return 'destructive (irreversible loss of data or state)';
    case 'unknown':
      return 'of unknown effect (Airlock could not tell what it does, so it is not treated as safe)';
    case 'write':
      return 'a reversible write';
    case 'read':
      return 'read-only';
  }
}

/** Options for {@link writeGuidance}. */
export interface GuidanceOptions {
  readonly outcome: 'allow' | 'deny' | 'hold';
  readonly assessment: Assessment;
  readonly environment: ResolvedEnvironment;
  readonly policies: readonly FiredPolicy[];
  readonly reasons: readonly string[];
  readonly requirement?: HoldRequirement;
  readonly errors: readonly string[];
}

/** Writes the guidance text for the agent. */
export function writeGuidance(options: GuidanceOptions): string {
  const { outcome, assessment, environment } = options;
  if (outcome === 'allow') {
    return `Allowed: ${riskWords(assessment.risk)}. ${contextSentence(environment)}`;
  }
  const lines: string[] = [];
  const what = assessment.blastRadius.description;
  lines.push(
    `${outcome === 'deny' ? 'Denied' : 'Held for human approval'}: this action is ${riskWords(assessment.risk)}${assessment.disruptive ? ' and disrupts availability' : ''} — ${what}.`,
  );
  lines.push(contextSentence(environment));
  if (options.reasons.length) lines.push(`Why: ${[...new Set(options.reasons)].map((r) => r.replace(/[.\s]+$/, '')).join('; ')}.`);
  if (options.errors.length)
    lines.push(`Policy could not be evaluated cleanly (${options.errors.length} error(s)), so Airlock fails closed.`);
  const advice = options.policies.map((p) => p.annotations.advice).filter((a): a is string => typeof a === 'string');
  const safer = advice.length ? [...new Set(advice)] : [SAFER[assessment.kind] ?? SAFER.shell];
  lines.push(`Safer path: ${safer.join(' ')}`);
  if (outcome === 'hold' && options.requirement) {
    const r = options.requirement;
    const who = r.groups.length ? ` from ${r.groups.join(' or ')}` : '';
    const others = r.alternatives.filter((a) => !safer.includes(a)).map((a) => a.replace(/[.\s]+$/, ''));
    lines.push(
      `To proceed: ask your user to get ${r.approvals} human approval${r.approvals === 1 ? '' : 's'}${who}; do not retry it in another form.${others.length ? ` Or: ${others.join('; ')}.` : ''}`,
    );
  } else {
    lines.push(
      'Do not retry this in another form: tell your user what you wanted to do and why; only a human can change the policy or run it themselves.',
    );
  }
  return lines.join(' ');
}
