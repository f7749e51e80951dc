/**
 * Turns schema and policy files into what the Cedar engine evaluates: parsed, validated (strict)
 * against the schema, given ids, and with Airlock's annotations (`@hold`, `@approvers` …) checked.
 * Every problem is reported as AirlockError('BAD_POLICY') naming the file, line and column.
 */
import {
  checkParsePolicySet,
  checkParseSchema,
  policyToJson,
  validate,
  type DetailedError,
  type PolicyJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import { AirlockError } from '../../core/errors.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { effectKeywordOffset, lineColAt, splitPolicyText } from './policy-source.js';

/** A policy file as read from disk or written inline: `name` is used in ids and error messages. */
export interface PolicyFile {
  /** File name, e.g. `default.cedar`; ids default to `name#N`. */
  readonly name: string;
  readonly text: string;
}

/** What a `forbid` with `@hold("N")` asks for. */
export interface HoldSpec {
  readonly approvals: number;
  /** From `@approvers("a, b")`; empty means any human. */
  readonly groups: readonly string[];
}

/** One compiled policy: id, effect, annotations and where it came from. */
export interface CompiledPolicy {
  /** `@id` annotation, or `file.cedar#N` with N counted from 1 in file order. */
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly annotations: Readonly<Record<string, string>>;
  /** Present for a `forbid` annotated `@hold`: the forbid holds rather than denies. */
  readonly hold?: HoldSpec;
  readonly file: string;
  readonly line: number;
  /** 0-based position among all compiled policies (file order), for stable output. */
  readonly order: number;
  /** The policy text as written. */
  readonly text: string;
  /**
   * The same policy with its effect turned to `permit` (scope, conditions and annotations
   * unchanged): evaluating every policy as a permit makes Cedar list every one that matches.
   */
  readonly permitText: string;
}

/** Options for {@link compilePolicies}. */
export interface CompilePoliciesOptions {
  /** Cedar schema text (human-readable format). */
  readonly schema: string;
  /** Name of the schema in error messages; default `airlock.cedarschema`. */
  readonly schemaName?: string;
  readonly policies: readonly PolicyFile[];
}

/** The maximum `@hold` count accepted: more approvers than this is a typo, not a policy. */
const MAX_HOLD = 20;
const MAX_REPORTED_ERRORS = 20;

/**
 * Parses and validates the schema and every policy file, in order. Policy ids are unique across
 * files. Templates are rejected (Airlock links none).
 * Throws AirlockError('BAD_POLICY') listing each problem as `file:line:col: message`.
 */
export function compilePolicies(options: CompilePoliciesOptions): CompiledPolicy[] {
  const schemaName = options.schemaName ?? 'airlock.cedarschema';
  const schemaCheck = checkParseSchema(options.schema);
  if (schemaCheck.type === 'failure') {
    throw badPolicy(schemaCheck.errors.map((e) => describe(e, schemaName, options.schema)));
  }

  const problems: string[] = [];
  const compiled: CompiledPolicy[] = [];
  const texts = new Map<string, { readonly text: string; readonly file: PolicyFile; readonly line: number }>();
  const seenNames = new Set<string>();
  for (const file of options.policies) {
    if (seenNames.has(file.name)) {
      problems.push(`${file.name}: two policy files have this name; rename one`);
      continue;
    }
    seenNames.add(file.name);
    const parsed = checkParsePolicySet({ staticPolicies: file.text });
    // A template fails the whole-set parse without a position; the per-policy loop below names its line.
    if (parsed.type === 'failure' && !parsed.errors.every((e) => e.message.includes('template'))) {
      problems.push(...parsed.errors.map((e) => describe(e, file.name, file.text)));
      continue;
    }
    for (const segment of splitPolicyText(file.text)) {
      const where = `${file.name}:${segment.line}`;
      const json = policyToJson(segment.text);
      if (json.type === 'failure') {
        if (json.errors.some((e) => e.message.includes('template'))) {
          problems.push(`${where}: templates (policies with ?principal or ?resource) are not supported; write a static policy`);
        } else {
          problems.push(...json.errors.map((e) => describe(e, file.name, file.text, segment.text, segment.line)));
        }
        continue;
      }
      const annotations = readAnnotations(json.json.annotations, where, problems);
      const id = annotations['id'] ?? `${file.name}#${segment.index + 1}`;
      if (texts.has(id)) {
        problems.push(`${where}: policy id "${id}" is already used by ${texts.get(id)?.file.name ?? '?'}:${texts.get(id)?.line ?? '?'}`);
        continue;
      }
      texts.set(id, { text: segment.text, file, line: segment.line });
      const effect = json.json.effect;
      const hold = readHold(effect, annotations, where, problems);
      const permitText = asPermit(segment.text, json.json);
      if (permitText === undefined) {
        problems.push(`${where}: cannot find this policy's effect keyword (permit or forbid); keep annotations and comments before it`);
        continue;
      }
      compiled.push({
        id,
        effect,
        annotations,
        ...(hold === undefined ? {} : { hold }),
        file: file.name,
        line: segment.line,
        order: compiled.length,
        text: segment.text,
        permitText,
      });
    }
  }
  if (problems.length > 0) throw badPolicy(problems);

  // Validate policy by policy (keyed by our ids) so that every error maps back to its file and line.
  const staticPolicies: Record<string, string> = {};
  for (const [id, entry] of texts) staticPolicies[id] = entry.text;
  const validation = validate({ schema: options.schema, policies: { staticPolicies }, validationSettings: { mode: 'strict' } });
  if (validation.type === 'failure') {
    throw badPolicy(validation.errors.map((e) => `policies: ${e.message}`));
  }
  for (const v of validation.validationErrors) {
    const entry = texts.get(v.policyId);
    problems.push(
      entry === undefined
        ? `policy ${v.policyId}: ${v.error.message}`
        : describe(v.error, entry.file.name, entry.file.text, entry.text, entry.line),
    );
  }
  if (problems.length > 0) throw badPolicy(problems);
  return compiled;
}

/** What a compile cache keeps of one compiled policy: the facts that only Cedar's parser can give. */
export interface CompiledPolicyEssentials {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly annotations: Readonly<Record<string, string>>;
}

/** The part of a compiled policy a compile cache stores; the rest is derived again from the texts. */
export function essentialsOf(policy: CompiledPolicy): CompiledPolicyEssentials {
  return { id: policy.id, effect: policy.effect, annotations: policy.annotations };
}

/**
 * Rebuilds what {@link compilePolicies} returned for these same files from the essentials it
 * produced (as a compile cache stores them), without Cedar: texts, files, lines, order and the
 * permit texts come from splitting the files again; ids, effects and `@hold` are checked against
 * the texts and annotations as compilePolicies checks them. Returns undefined, never throws, when
 * the essentials do not fit the files (a stale or corrupt cache entry): the caller then compiles.
 * It does not re-validate against the schema: only pass essentials that compilePolicies produced
 * for exactly these files and this schema (a cache keyed by their hash).
 */
export function restoreCompiledPolicies(
  policies: readonly PolicyFile[],
  essentials: readonly CompiledPolicyEssentials[],
): CompiledPolicy[] | undefined {
  const compiled: CompiledPolicy[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const file of policies) {
    if (names.has(file.name)) return undefined;
    names.add(file.name);
    for (const segment of splitPolicyText(file.text)) {
      const saved = essentials[compiled.length];
      if (saved === undefined) return undefined;
      const where = `${file.name}:${segment.line}`;
      const problems: string[] = [];
      const annotations: Record<string, string> = {};
      for (const [key, value] of Object.entries(saved.annotations)) annotations[key] = value;
      if (REQUIRED_VALUE_ANNOTATIONS.some((key) => annotations[key] === '')) return undefined;
      const id = annotations['id'] ?? `${file.name}#${segment.index + 1}`;
      if (saved.id !== id || ids.has(id)) return undefined;
      ids.add(id);
      const at = effectKeywordOffset(segment.text);
      if (at < 0 || segment.text.slice(at, at + saved.effect.length) !== saved.effect) return undefined;
      const hold = readHold(saved.effect, annotations, where, problems);
      if (problems.length > 0) return undefined;
      compiled.push({
        id,
        effect: saved.effect,
        annotations,
        ...(hold === undefined ? {} : { hold }),
        file: file.name,
        line: segment.line,
        order: compiled.length,
        text: segment.text,
        permitText: saved.effect === 'permit' ? segment.text : flipToPermit(segment.text, at),
      });
    }
  }
  return compiled.length === essentials.length ? compiled : undefined;
}

/** Annotations that must carry a value (readAnnotations reports them when empty). */
const REQUIRED_VALUE_ANNOTATIONS = ['hold', 'approvers', 'id', 'reason', 'advice'] as const;

/**
 * The policy text with `forbid` replaced by `permit`, checked by parsing it again: the result must
 * be the same policy but for its effect. Text, not Cedar's JSON, because JSON numbers would round
 * Long literals above 2^53.
 */
function asPermit(text: string, json: PolicyJson): string | undefined {
  if (json.effect === 'permit') return text;
  const at = effectKeywordOffset(text);
  if (at < 0) return undefined;
  const flipped = flipToPermit(text, at);
  const again = policyToJson(flipped);
  if (again.type === 'failure') return undefined;
  return canonicalJson(again.json) === canonicalJson({ ...json, effect: 'permit' }) ? flipped : undefined;
}

/** `text` with the `forbid` keyword at offset `at` replaced by `permit`. */
function flipToPermit(text: string, at: number): string {
  return `${text.slice(0, at)}permit${text.slice(at + 'forbid'.length)}`;
}

function readAnnotations(
  raw: Readonly<Record<string, string | null>> | undefined,
  where: string,
  problems: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (value === null || value.trim() === '') {
      if ((REQUIRED_VALUE_ANNOTATIONS as readonly string[]).includes(key)) {
        problems.push(`${where}: @${key} needs a value, e.g. @${key}("…")`);
      }
      out[key] = '';
    } else {
      out[key] = value;
    }
  }
  return out;
}

function readHold(
  effect: 'permit' | 'forbid',
  annotations: Readonly<Record<string, string>>,
  where: string,
  problems: string[],
): HoldSpec | undefined {
  const hold = annotations['hold'];
  const approvers = annotations['approvers'];
  if (hold === undefined) {
    if (approvers !== undefined) problems.push(`${where}: @approvers only applies to a forbid with @hold("N")`);
    return undefined;
  }
  if (effect !== 'forbid') {
    problems.push(`${where}: @hold only applies to forbid policies (a held forbid waits for approvals); remove it from this permit`);
    return undefined;
  }
  if (hold === '') return undefined; // reported by readAnnotations
  if (!/^[1-9][0-9]*$/.test(hold) || Number(hold) > MAX_HOLD) {
    problems.push(`${where}: @hold("${hold}") must be a whole number of approvals from 1 to ${MAX_HOLD}`);
    return undefined;
  }
  const groups =
    approvers === undefined
      ? []
      : approvers
          .split(',')
          .map((g) => g.trim())
          .filter((g) => g !== '');
  return { approvals: Number(hold), groups };
}

/**
 * `file:line:col: message (help)`. Offsets are relative to `segmentText` when given (validation
 * reports them per policy), else to the whole file.
 */
function describe(error: DetailedError, file: string, fileText: string, segmentText?: string, segmentLine?: number): string {
  const help = error.help === null || error.help === '' ? '' : ` (${error.help})`;
  const loc = error.sourceLocations?.[0];
  if (loc === undefined) return `${file}: ${error.message}${help}`;
  const label = loc.label === null || loc.label === '' ? '' : `: ${loc.label}`;
  if (segmentText !== undefined && segmentLine !== undefined) {
    const at = lineColAt(segmentText, loc.start);
    return `${file}:${segmentLine + at.line - 1}:${at.col}: ${error.message}${label}${help}`;
  }
  const at = lineColAt(fileText, loc.start);
  return `${file}:${at.line}:${at.col}: ${error.message}${label}${help}`;
}

function badPolicy(problems: readonly string[]): AirlockError {
  const shown = problems.slice(0, MAX_REPORTED_ERRORS);
  const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
  return new AirlockError({ code: 'BAD_POLICY', message: `invalid Cedar policy:\n${shown.join('\n')}${more}` });
}
