/**
 * `airlock policy test FILE`: declarative YAML cases run through a real policy engine.
 *
 * A case gives who (principal roles), what (an action for the classifier, or the assessment facts
 * directly), where (environment), the grant and freeze state, and the expected outcome. See
 * docs/policy.md for the format and policies/tests/default.yaml for the default pack's cases.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { Action, Proposal, Surface } from '../../core/action.js';
import type { ActionKind, Assessment, Effect, EffectVerb, RiskClass, Scope } from '../../core/assessment.js';
import type { ResolvedEnvironment } from '../../core/decision.js';
import { AirlockError } from '../../core/errors.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from '../../core/ports.js';

const RISKS = ['read', 'write', 'unknown', 'destructive', 'catastrophic'] as const satisfies readonly RiskClass[];
const KINDS = ['shell', 'sql', 'k8s', 'terraform', 'aws', 'gcloud', 'azure', 'mcp', 'file'] as const satisfies readonly ActionKind[];
const VERBS = ['read', 'create', 'modify', 'delete', 'replace', 'execute'] as const satisfies readonly EffectVerb[];
const SCOPES = [
  'none',
  'resource',
  'selection',
  'all',
  'directory',
  'namespace',
  'database',
  'repository',
  'cluster',
  'project',
  'account',
  'host',
  'disk',
  'unknown',
] as const satisfies readonly Scope[];
const SURFACES = ['cli-check', 'exec', 'hook', 'mcp', 'http'] as const satisfies readonly Surface[];
const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;

const PrincipalSchema = z.strictObject({
  id: z.string().min(1).default('test-agent'),
  roles: z.array(z.string()).default([]),
  authenticated: z.boolean().default(true),
  onBehalfOf: z.string().optional(),
});

const ActionSchema = z.strictObject({
  kind: z.enum(['shell', 'sql', 'mcp', 'file']),
  /** Shell command or SQL text; for mcp `{server, tool, arguments}`; for file `{operation, path}`. */
  input: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

const FactsSchema = z.strictObject({
  risk: z.enum(RISKS),
  kind: z.enum(KINDS).default('shell'),
  disruptive: z.boolean().default(false),
  obfuscated: z.boolean().default(false),
  /** An MCP tool neither annotated read-only nor mapped (`context.unvettedTool`). */
  unvettedTool: z.boolean().default(false),
  verbs: z.array(z.enum(VERBS)).min(1).optional(),
  scope: z.enum(SCOPES).optional(),
  /** Blast-radius count (rows, objects, files); omit or null when unknown. */
  count: z.number().int().min(0).nullable().default(null),
  /** Reversibility of the effects; default: write true, read true, others false. */
  reversible: z.boolean().nullable().optional(),
  /** For kind mcp: the server and tool. */
  mcp: z.strictObject({ server: z.string().min(1), tool: z.string().min(1) }).optional(),
});

const EnvironmentSchema = z.strictObject({
  name: z.string().min(1),
  protected: z.boolean(),
  criticality: z.enum(CRITICALITIES).optional(),
  /** Inventory resources the action touches. */
  resources: z.array(z.string()).default([]),
});

const CaseSchema = z
  .strictObject({
    name: z.string().min(1),
    principal: PrincipalSchema.default({ id: 'test-agent', roles: [], authenticated: true }),
    action: ActionSchema.optional(),
    assessment: FactsSchema.optional(),
    environment: EnvironmentSchema,
    elevated: z.boolean().default(false),
    frozen: z.boolean().default(false),
    surface: z.enum(SURFACES).default('exec'),
    /** The time policy sees as `context.now` (ISO 8601); default: the runner's `now`. */
    now: z.iso.datetime({ offset: true }).optional(),
    expect: z.enum(['allow', 'deny', 'hold']),
    /** For `expect: hold`: the approvals the hold must ask for. */
    approvals: z.number().int().min(1).optional(),
    /** For `expect: hold`: the approver groups the hold must name (any order). */
    groups: z.array(z.string()).optional(),
    /** Policy ids that must be among those that determined the outcome. */
    fired: z.array(z.string()).optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.action === undefined) === (c.assessment === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['action'], message: 'give either `action` or `assessment`, not both or neither' });
    }
    if (c.expect !== 'hold' && c.approvals !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['approvals'], message: '`approvals` only applies to `expect: hold`' });
    }
    if (c.expect !== 'hold' && c.groups !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: '`groups` only applies to `expect: hold`' });
    }
  });

const FileSchema = z.strictObject({ cases: z.array(CaseSchema).min(1) });

/** One declarative policy test case, validated. */
export type PolicyTestCase = z.output<typeof CaseSchema>;

/** Assessment facts given directly in a case, instead of an action for the classifier. */
export type AssessmentFacts = z.output<typeof FactsSchema>;

/**
 * Parses a YAML policy test file (`cases: [...]`). Throws AirlockError('BAD_INPUT') naming the
 * file, and the case (number and name) and field of each problem, or the YAML line.
 */
export function parsePolicyTests(text: string, fileName: string): PolicyTestCase[] {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${fileName}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0] ?? ''}`);
    throw new AirlockError({ code: 'BAD_INPUT', message: `invalid YAML:\n${lines.join('\n')}` });
  }
  const raw: unknown = doc.toJS();
  const parsed = FileSchema.safeParse(raw);
  if (parsed.success) return parsed.data.cases;
  const problems = parsed.error.issues.map((issue) => `${fileName}: ${where(issue.path, raw)}: ${issue.message}`);
  throw new AirlockError({ code: 'BAD_INPUT', message: `invalid policy test file:\n${problems.join('\n')}` });
}

/** `case 3 "name", field a.b` for a zod issue path. */
function where(path: readonly PropertyKey[], raw: unknown): string {
  if (path[0] !== 'cases' || typeof path[1] !== 'number') return path.length === 0 ? 'file' : `field ${path.join('.')}`;
  const index = path[1];
  const cases = (raw as { cases?: unknown }).cases;
  const item = Array.isArray(cases) ? (cases[index] as { name?: unknown } | undefined) : undefined;
  const name = typeof item?.name === 'string' ? ` "${item.name}"` : '';
  const field = path.slice(2).map(String).join('.');
  return `case ${index + 1}${name}${field === '' ? '' : `, field ${field}`}`;
}

/** The result of one case. */
export interface PolicyTestResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why the case failed; empty when it passed. */
  readonly failures: readonly string[];
  readonly expected: PolicyTestCase['expect'];
  /** The engine's evaluation; absent when the case could not be run (no classifier, classifier threw). */
  readonly actual?: PolicyEvaluation;
}

/** Options for {@link runPolicyTests}. */
export interface RunPolicyTestsOptions {
  readonly engine: PolicyEngine;
  /** Classifies a case's `action`; without it, cases that give an action fail. */
  readonly classify?: (action: Action) => Assessment;
  /** Time given to policy as `context.now` when a case sets none; default 2025-01-01T00:00:00.000Z. */
  readonly now?: string;
}

/** Runs each case through the engine and compares outcome, approvals, groups and fired policies. */
export function runPolicyTests(cases: readonly PolicyTestCase[], options: RunPolicyTestsOptions): PolicyTestResult[] {
  const now = options.now ?? '2025-01-01T00:00:00.000Z';
  return cases.map((c, i) => {
    let assessment: Assessment;
    const action = c.action === undefined ? undefined : toAction(c.action);
    if (c.assessment !== undefined) {
      assessment = assessmentFromFacts(c.assessment);
    } else if (options.classify === undefined || action === undefined) {
      return { name: c.name, passed: false, expected: c.expect, failures: ['this case gives an action, but no classifier was given'] };
    } else {
      try {
        assessment = options.classify(action);
      } catch (err) {
        return { name: c.name, passed: false, expected: c.expect, failures: [`the classifier failed: ${String(err)}`] };
      }
    }
    const input = policyInputForCase(c, assessment, {
      id: `case-${i + 1}`,
      now: c.now ?? now,
      ...(action === undefined ? {} : { action }),
    });
    const actual = options.engine.evaluate(input);
    const failures: string[] = [];
    if (actual.outcome !== c.expect) failures.push(`expected ${c.expect}, got ${actual.outcome}`);
    if (c.approvals !== undefined && actual.requirement?.approvals !== c.approvals) {
      failures.push(`expected ${c.approvals} approvals, got ${actual.requirement?.approvals ?? 'none'}`);
    }
    if (c.groups !== undefined) {
      const got = [...(actual.requirement?.groups ?? [])].sort();
      const want = [...c.groups].sort();
      if (got.join(',') !== want.join(',')) failures.push(`expected approver groups [${want.join(', ')}], got [${got.join(', ')}]`);
    }
    const firedIds = actual.policies.map((p) => p.id);
    for (const id of c.fired ?? []) {
      if (!firedIds.includes(id)) failures.push(`expected policy ${id} to fire; fired: [${firedIds.join(', ')}]`);
    }
    return { name: c.name, passed: failures.length === 0, failures, expected: c.expect, actual };
  });
}

/** A human-readable report: one line per case, details under failures, a summary line last. */
export function formatPolicyTestResults(results: readonly PolicyTestResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const fired = r.actual === undefined ? '' : ` [${r.actual.policies.map((p) => p.id).join(', ')}]`;
    lines.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name}: ${r.actual?.outcome ?? 'not run'}${fired}`);
    for (const f of r.failures) lines.push(`      ${f}`);
    for (const e of r.actual?.errors ?? []) lines.push(`      error: ${e}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push(`${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}

/**
 * An assessment from facts given in a test case. Each verb becomes one effect with the case's risk,
 * scope and reversibility. Default verbs by risk: read → read, write → modify, unknown → execute,
 * destructive and catastrophic → delete.
 */
export function assessmentFromFacts(facts: AssessmentFacts): Assessment {
  const verbs: readonly EffectVerb[] = facts.verbs ?? [defaultVerb(facts.risk)];
  const scope: Scope = facts.scope ?? (facts.risk === 'read' ? 'none' : 'resource');
  const reversible = facts.reversible !== undefined ? facts.reversible : facts.risk === 'read' || facts.risk === 'write';
  const effects: Effect[] = verbs.map((verb) => ({
    verb,
    resource: 'test resource',
    scope,
    reversible,
    risk: facts.risk,
    disruptive: facts.disruptive,
    reason: 'given by the test case',
  }));
  return {
    risk: facts.risk,
    kind: facts.kind,
    effects,
    disruptive: facts.disruptive,
    obfuscated: facts.obfuscated,
    ...(facts.unvettedTool ? { unvetted: true } : {}),
    blastRadius: { scope, count: facts.count, description: 'given by the test case' },
    targets: facts.mcp === undefined ? [] : [{ type: 'mcp', server: facts.mcp.server }],
    reasons: [],
  };
}

function defaultVerb(risk: RiskClass): EffectVerb {
  switch (risk) {
    case 'read':
      return 'read';
    case 'write':
      return 'modify';
    case 'unknown':
      return 'execute';
    default:
      return 'delete';
  }
}

function toAction(action: NonNullable<PolicyTestCase['action']>): Action {
  const input = action.input;
  switch (action.kind) {
    case 'shell':
      return { kind: 'shell', command: typeof input === 'string' ? input : JSON.stringify(input) };
    case 'sql':
      return { kind: 'sql', sql: typeof input === 'string' ? input : JSON.stringify(input), dialect: 'unknown' };
    case 'mcp': {
      const o = typeof input === 'string' ? (JSON.parse(input) as Record<string, unknown>) : input;
      const args = o['arguments'];
      return {
        kind: 'mcp',
        server: String(o['server'] ?? ''),
        tool: String(o['tool'] ?? ''),
        arguments: typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {},
      };
    }
    case 'file': {
      const o = typeof input === 'string' ? { operation: 'write', path: input } : input;
      const op = o['operation'];
      const operation = op === 'read' || op === 'edit' || op === 'delete' ? op : 'write';
      return { kind: 'file', operation, path: String(o['path'] ?? '') };
    }
  }
}

/**
 * The PolicyInput for a test case: the agent as principal, the case's environment, grant and
 * freeze state. `action` is the case's action; without one a placeholder shell action (or the MCP
 * call named by the facts) stands in.
 */
export function policyInputForCase(
  c: PolicyTestCase,
  assessment: Assessment,
  options: { readonly id: string; readonly now: string; readonly action?: Action },
): PolicyInput {
  const mcp = c.assessment?.mcp;
  const action: Action =
    options.action ??
    (mcp === undefined ? { kind: 'shell', command: `# ${c.name}` } : { kind: 'mcp', server: mcp.server, tool: mcp.tool, arguments: {} });
  const onBehalfOf = c.principal.onBehalfOf;
  const proposal: Proposal = {
    id: options.id,
    surface: c.surface,
    agent: { id: c.principal.id, authenticated: c.principal.authenticated, ...(onBehalfOf === undefined ? {} : { onBehalfOf }) },
    action,
    receivedAt: options.now,
  };
  const environment: ResolvedEnvironment = {
    name: c.environment.name,
    protected: c.environment.protected,
    how: 'given by the test case',
    ...(c.environment.criticality === undefined ? {} : { criticality: c.environment.criticality }),
    resources: c.environment.resources.map((name) => ({ name, owners: [], dependants: [] })),
  };
  return {
    principal: {
      type: 'Agent',
      id: c.principal.id,
      roles: c.principal.roles,
      authenticated: c.principal.authenticated,
      ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
    },
    proposal,
    assessment,
    environment,
    elevated: c.elevated,
    frozen: c.frozen,
    now: options.now,
  };
}
