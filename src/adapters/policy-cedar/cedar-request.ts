/**
 * The Cedar request Airlock builds for a proposal: principal (always the agent), action, resource
 * (the target, a member of its environment), entities and a context in which every field of
 * `RunContext` (policies/airlock.cedarschema) is present.
 */
import type { Context, EntityJson, TypeAndId } from '@cedar-policy/cedar-wasm/nodejs';
import type { Target } from '../../core/assessment.js';
import { riskRank } from '../../core/assessment.js';
import type { PolicyInput } from '../../core/ports.js';

/** A Cedar authorization request, ready for `statefulIsAuthorized`. */
export interface CedarRequest {
  readonly principal: TypeAndId;
  readonly action: TypeAndId;
  readonly resource: TypeAndId;
  readonly context: Context;
  readonly entities: EntityJson[];
}

/**
 * Builds the `Action::"run"` request for a policy input. The principal is the agent and only the
 * agent: the human it acts for appears as `context.onBehalfOf`, never as a principal, so a human's
 * rights never flow to an agent (SECURITY.md invariant 8). Missing facts get defaults (`-1` for an
 * unknown blast-radius count, `""` for no human, `"none"` for no criticality). Values are passed on
 * as they are otherwise: a value of the wrong type makes Cedar's request validation fail, which the
 * engine turns into a deny.
 */
export function buildCedarRequest(input: PolicyInput): CedarRequest {
  const { assessment, environment, proposal, principal } = input;
  const criticality = environment.criticality ?? 'none';
  const action = proposal.action;
  const context: Context = {
    risk: assessment.risk,
    riskRank: riskRank(assessment.risk),
    disruptive: assessment.disruptive,
    obfuscated: assessment.obfuscated,
    unvettedTool: assessment.unvetted === true,
    irreversible: assessment.effects.some((e) => e.verb !== 'read' && e.reversible === false),
    kind: assessment.kind,
    verbs: unique(assessment.effects.map((e) => e.verb)),
    scope: assessment.blastRadius.scope,
    blastRadiusCount: assessment.blastRadius.count ?? -1,
    effectCount: assessment.effects.length,
    environment: environment.name,
    protected: environment.protected,
    criticality,
    resources: unique(environment.resources.map((r) => r.name)),
    targetTypes: unique(assessment.targets.map((t) => t.type)),
    elevated: input.elevated,
    frozen: input.frozen,
    surface: proposal.surface,
    authenticated: principal.authenticated,
    onBehalfOf: principal.onBehalfOf ?? '',
    mcpServer: action.kind === 'mcp' ? action.server : '',
    mcpTool: action.kind === 'mcp' ? action.tool : '',
    // A Cedar datetime; an ISO 8601 string Cedar cannot read fails request validation (deny).
    now: { __extn: { fn: 'datetime', arg: input.now } },
  };
  const agent: TypeAndId = { type: principal.type, id: principal.id };
  const env: TypeAndId = { type: 'Environment', id: environment.name };
  const resource: TypeAndId = { type: 'Target', id: targetId(assessment.targets[0], assessment.kind) };
  return {
    principal: agent,
    action: { type: 'Action', id: 'run' },
    resource,
    context,
    entities: [
      { uid: agent, attrs: { roles: unique(principal.roles), authenticated: principal.authenticated }, parents: [] },
      {
        uid: resource,
        attrs: { environment: environment.name, kind: assessment.kind, protected: environment.protected, criticality },
        parents: [env],
      },
      { uid: env, attrs: { protected: environment.protected, criticality }, parents: [] },
    ],
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** A readable id for the primary target, e.g. `kubernetes:prod-ctx/payments`. Policies should match attributes, not ids. */
function targetId(target: Target | undefined, kind: string): string {
  if (target === undefined) return `${kind}:unknown`;
  const { type, ...rest } = target;
  const parts = Object.values(rest)
    .filter((v) => v !== undefined && v !== '')
    .map(String);
  return `${type}:${parts.length === 0 ? 'unknown' : parts.join('/')}`;
}
