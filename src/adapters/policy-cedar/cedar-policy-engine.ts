/**
 * The PolicyEngine port on Cedar (`@cedar-policy/cedar-wasm`), with Airlock's hold convention:
 *
 * - `permit` says what an agent may do at all; nothing permitted means deny (Cedar's default).
 * - a matching `forbid` without `@hold` denies; with `@hold("N")` it holds the action for N
 *   distinct human approvals (from `@approvers("group, …")` when given). Any deny beats any hold;
 *   several holds ask for the largest N. A hold is only given when some permit also matches, so
 *   that approvals lift it into an allow; otherwise the outcome is deny.
 * - errors fail closed (SECURITY.md invariant 7): a request that does not validate against the
 *   schema is denied; a forbid whose evaluation errors counts as matched (deny, or hold when it
 *   has `@hold`); an erroring permit never allows: an allow that comes with errors becomes a hold
 *   for one approval.
 *
 * To know every policy that matched in one evaluation, the engine hands Cedar each policy with its
 * effect turned to `permit` (conditions, scopes and ids unchanged): Cedar then lists every matching
 * policy and every erroring one, and the engine applies forbid-overrides-permit itself, with the
 * original effects. Policies are still parsed and validated as written.
 */
import { getCedarSDKVersion, preparsePolicySet, preparseSchema, statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { z } from 'zod';
import { canonicalJson } from '../../core/canonical-json.js';
import type { FiredPolicy, HoldRequirement } from '../../core/decision.js';
import { AirlockError } from '../../core/errors.js';
import type { Hasher, PolicyEngine, PolicyEvaluation, PolicyInput } from '../../core/ports.js';
import { buildCedarRequest } from './cedar-request.js';
import { compilePolicies, essentialsOf, restoreCompiledPolicies, type CompiledPolicy, type PolicyFile } from './compile-policies.js';
import type { PolicyCompileCache } from './policy-compile-cache.js';

/** Options for {@link CedarPolicyEngine.create}. No file I/O happens inside: pass the texts. */
export interface CedarPolicyEngineOptions {
  /** Cedar schema text, normally policies/airlock.cedarschema. */
  readonly schema: string;
  /** Name of the schema in error messages; default `airlock.cedarschema`. */
  readonly schemaName?: string;
  /** Policy files in order: the default pack first, then the user's. */
  readonly policies: readonly PolicyFile[];
  readonly hasher: Hasher;
  /**
   * Where compiled policy is kept between processes (normally a FilePolicyCompileCache in the data
   * directory). Default: none, compile every time. With or without it the engine decides alike: an
   * entry is keyed by the hash of the schema, the policy files, the Cedar SDK version and the
   * cache format, and anything wrong with an entry makes it a miss. Security: an entry is trusted
   * without validating it against the schema again, so the cache must be writable by Airlock alone.
   */
  readonly cache?: PolicyCompileCache;
}

/**
 * Version of what the compile cache stores. Bump it whenever compilePolicies changes what it
 * accepts or returns (new checks, new annotations, another CompiledPolicy shape): entries written
 * by an older Airlock must not skip a check the newer one makes.
 */
const COMPILE_CACHE_FORMAT = 1;

const compileCacheEntrySchema = z.object({
  format: z.literal(COMPILE_CACHE_FORMAT),
  key: z.string(),
  policies: z.array(
    z.object({
      id: z.string().min(1),
      effect: z.enum(['permit', 'forbid']),
      annotations: z.record(z.string(), z.string()),
    }),
  ),
});

/** A policy as the engine knows it, for listings (`airlock policy list`) and coverage checks. */
export interface PolicySummary {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  /** `allow`, `deny` or `hold`: what the policy does when it matches. */
  readonly role: 'allow' | 'deny' | 'hold';
  readonly file: string;
  readonly line: number;
  readonly annotations: Readonly<Record<string, string>>;
}

const NO_PERMIT = 'no policy permits this action';

/** Memoised evaluations kept per engine. */
const MEMO_SIZE = 4096;

/**
 * Cedar-backed policy engine. Create with {@link CedarPolicyEngine.create}; `evaluate` is
 * synchronous, never throws, and never allows when anything went wrong.
 */
export class CedarPolicyEngine implements PolicyEngine {
  /** SHA-256 (hex) of the canonical JSON of the schema and the policy files in order. */
  readonly policySetHash: string;
  readonly #byId: ReadonlyMap<string, CompiledPolicy>;
  readonly #policySetId: string;
  readonly #schemaId: string;
  /** No policy reads `context.now`, so the clock can be left out of the memo key. */
  readonly #timeless: boolean;
  /**
   * Evaluations memoised by the exact Cedar request. Cedar is deterministic for a fixed policy set
   * and request, and the request carries assessment facts (risk, kind, verbs, scope, environment
   * …) rather than command text, so many different actions share one entry. Insertion-ordered Map
   * used as an LRU of at most MEMO_SIZE entries.
   */
  readonly #memo = new Map<string, PolicyEvaluation>();

  private constructor(policySetHash: string, policies: readonly CompiledPolicy[]) {
    this.policySetHash = policySetHash;
    this.#byId = new Map(policies.map((p) => [p.id, p]));
    this.#policySetId = `airlock-policies-${policySetHash}`;
    this.#schemaId = `airlock-schema-${policySetHash}`;
    // Conservative by text: a policy with the word "now" anywhere, or any \u or \x escape (which
    // could spell an attribute name, as in context["\u{6e}ow"]), keeps the clock in the memo key.
    this.#timeless = !policies.some((p) => /\bnow\b|\\[ux]/i.test(p.permitText));
  }

  /**
   * Parses and validates the schema and policies once and caches them in Cedar (preparsed), so
   * each evaluation only sends the request.
   * Throws AirlockError('BAD_POLICY') naming file, line and problem for bad schema or policy text,
   * unknown attributes, type errors, misused annotations or duplicate ids.
   */
  static async create(options: CedarPolicyEngineOptions): Promise<CedarPolicyEngine> {
    const compiled = options.cache === undefined ? compile(options) : compileWithCache(options, options.cache);
    const hash = options.hasher.sha256Hex(
      canonicalJson({ schema: options.schema, policies: options.policies.map((p) => ({ name: p.name, text: p.text })) }),
    );
    const engine = new CedarPolicyEngine(hash, compiled);
    const schemaAnswer = preparseSchema(engine.#schemaId, options.schema);
    if (schemaAnswer.type === 'failure') {
      throw new AirlockError({ code: 'BAD_POLICY', message: `schema: ${schemaAnswer.errors.map((e) => e.message).join('; ')}` });
    }
    const asPermits: Record<string, string> = {};
    for (const p of compiled) asPermits[p.id] = p.permitText;
    const setAnswer = preparsePolicySet(engine.#policySetId, { staticPolicies: asPermits });
    if (setAnswer.type === 'failure') {
      throw new AirlockError({ code: 'BAD_POLICY', message: `policies: ${setAnswer.errors.map((e) => e.message).join('; ')}` });
    }
    return engine;
  }

  /** The policies in force, in file order. */
  get policies(): readonly PolicySummary[] {
    return [...this.#byId.values()].map((p) => ({
      id: p.id,
      effect: p.effect,
      role: p.effect === 'permit' ? 'allow' : p.hold === undefined ? 'deny' : 'hold',
      file: p.file,
      line: p.line,
      annotations: p.annotations,
    }));
  }

  /**
   * Decides over one proposal. Never throws: any failure (a request that does not match the
   * schema, an error inside Cedar, a bug here) ends in deny with the error listed.
   */
  evaluate(input: PolicyInput): PolicyEvaluation {
    try {
      return this.#evaluate(input);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return denied(['policy evaluation failed; denied (fail closed)'], [], [`policy evaluation failed: ${message}`]);
    }
  }

  #evaluate(input: PolicyInput): PolicyEvaluation {
    const request = buildCedarRequest(input);
    const key = JSON.stringify(this.#timeless ? { ...request, context: { ...request.context, now: null } } : request);
    const hit = this.#memo.get(key);
    if (hit !== undefined) {
      this.#memo.delete(key);
      this.#memo.set(key, hit);
      return hit;
    }
    const evaluation = this.#evaluateUncached(request);
    this.#memo.set(key, evaluation);
    if (this.#memo.size > MEMO_SIZE) this.#memo.delete(this.#memo.keys().next().value as string);
    return evaluation;
  }

  #evaluateUncached(request: ReturnType<typeof buildCedarRequest>): PolicyEvaluation {
    const answer = statefulIsAuthorized({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      entities: request.entities,
      preparsedSchemaName: this.#schemaId,
      validateRequest: true,
      preparsedPolicySetId: this.#policySetId,
    });
    if (answer.type === 'failure') {
      return denied(
        ['the request does not match the policy schema; denied (fail closed)'],
        [],
        answer.errors.map((e) => `request validation: ${e.message}`),
      );
    }

    const errors: string[] = [];
    const permits: CompiledPolicy[] = [];
    const denies: CompiledPolicy[] = [];
    const holds: CompiledPolicy[] = [];
    const erroredForbids = new Set<string>();
    const sort = (p: CompiledPolicy): void => {
      if (p.effect === 'permit') permits.push(p);
      else if (p.hold === undefined) denies.push(p);
      else holds.push(p);
    };
    for (const id of answer.response.diagnostics.reason) {
      const p = this.#byId.get(id);
      if (p === undefined) errors.push(`Cedar reported an unknown policy id ${id}`);
      else sort(p);
    }
    for (const e of answer.response.diagnostics.errors) {
      errors.push(`${e.policyId}: ${e.error.message}`);
      const p = this.#byId.get(e.policyId);
      // An erroring forbid is treated as matched; an erroring permit grants nothing.
      if (p !== undefined && p.effect === 'forbid') {
        erroredForbids.add(p.id);
        sort(p);
      }
    }
    const byOrder = (a: CompiledPolicy, b: CompiledPolicy): number => a.order - b.order;
    permits.sort(byOrder);
    denies.sort(byOrder);
    holds.sort(byOrder);
    const reasonsOf = (ps: readonly CompiledPolicy[]): string[] =>
      unique(
        ps.map((p) =>
          erroredForbids.has(p.id)
            ? `policy ${p.id} failed to evaluate and counts as matched (fail closed)`
            : (p.annotations['reason'] ?? `policy ${p.id} (${p.effect})`),
        ),
      );

    if (denies.length > 0) return denied(reasonsOf(denies), denies.map(fired), errors);
    if (permits.length === 0) return denied([NO_PERMIT], [], errors);
    if (holds.length > 0) {
      return { outcome: 'hold', requirement: combineHolds(holds), policies: holds.map(fired), reasons: reasonsOf(holds), errors };
    }
    if (errors.length > 0) {
      return {
        outcome: 'hold',
        requirement: { approvals: 1, groups: [], alternatives: ['fix the policy that failed to evaluate'] },
        policies: permits.map(fired),
        reasons: ['a policy failed to evaluate, so this action cannot be allowed without a human (fail closed)'],
        errors,
      };
    }
    return { outcome: 'allow', policies: permits.map(fired), reasons: reasonsOf(permits), errors };
  }
}

function compile(options: CedarPolicyEngineOptions): CompiledPolicy[] {
  return compilePolicies({
    schema: options.schema,
    policies: options.policies,
    ...(options.schemaName === undefined ? {} : { schemaName: options.schemaName }),
  });
}

/**
 * compilePolicies through the cache: a valid entry for exactly these inputs skips it; otherwise
 * compile (throwing BAD_POLICY as without a cache) and store the result. Cache failures of any
 * kind, thrown or returned, only cost a compile.
 */
function compileWithCache(options: CedarPolicyEngineOptions, cache: PolicyCompileCache): CompiledPolicy[] {
  const key = compileCacheKey(options);
  let cached: string | null = null;
  try {
    cached = cache.read(key);
  } catch {
    cached = null;
  }
  if (cached !== null) {
    const restored = restoreFromCache(cached, key, options.policies);
    if (restored !== undefined) return restored;
  }
  const compiled = compile(options);
  try {
    cache.write(key, JSON.stringify({ format: COMPILE_CACHE_FORMAT, key, policies: compiled.map(essentialsOf) }));
  } catch {
    // a cache that cannot be written only means compiling again next time
  }
  return compiled;
}

/** SHA-256 over everything the compiled result depends on. */
function compileCacheKey(options: CedarPolicyEngineOptions): string {
  return options.hasher.sha256Hex(
    canonicalJson({
      format: COMPILE_CACHE_FORMAT,
      cedarSdk: getCedarSDKVersion(),
      schemaName: options.schemaName ?? null,
      schema: options.schema,
      policies: options.policies.map((p) => ({ name: p.name, text: p.text })),
    }),
  );
}

/** The compiled policies from a cache entry, or undefined when it is not valid JSON of the right shape for these files. */
function restoreFromCache(text: string, key: string, policies: readonly PolicyFile[]): CompiledPolicy[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  const entry = compileCacheEntrySchema.safeParse(json);
  if (!entry.success || entry.data.key !== key) return undefined;
  return restoreCompiledPolicies(policies, entry.data.policies);
}

/**
 * The strictest requirement among matching holds: the largest N; approvers from any group named by
 * a hold with that N (a hold without `@approvers` adds no restriction). Alternatives are the holds'
 * `@advice`.
 */
function combineHolds(holds: readonly CompiledPolicy[]): HoldRequirement {
  let approvals = 0;
  for (const h of holds) approvals = Math.max(approvals, h.hold?.approvals ?? 1);
  const groups = unique(holds.filter((h) => (h.hold?.approvals ?? 1) === approvals).flatMap((h) => h.hold?.groups ?? []));
  const alternatives = unique(holds.flatMap((h) => (h.annotations['advice'] === undefined ? [] : [h.annotations['advice']])));
  return { approvals, groups, alternatives };
}

function fired(p: CompiledPolicy): FiredPolicy {
  return { id: p.id, effect: p.effect, annotations: p.annotations };
}

function denied(reasons: readonly string[], policies: readonly FiredPolicy[], errors: readonly string[]): PolicyEvaluation {
  return { outcome: 'deny', policies, reasons, errors };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
