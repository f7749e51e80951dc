/**
 * Redaction of secrets in what Airlock records and shows: tool-call arguments, error texts. Values
 * under secret-looking names are replaced whole; secrets recognised inside any string (private
 * keys, cloud and platform tokens, URL passwords) are replaced where they appear. Pure.
 */
import { compilePattern } from './config.js';

/** What a secret is replaced by. */
export const REDACTED = '[redacted]';

/** The redaction patterns of airlock.yaml (`mcp.redact`). */
export interface RedactionConfig {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

/** `apiKey`, `api-key` and `API_KEY` all read `api_key`. */
function normaliseName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s.]+/g, '_')
    .toLowerCase();
}

/** Replaces secrets in values; reports how many it replaced. */
export class Redactor {
  readonly #names: readonly RegExp[];
  readonly #values: readonly RegExp[];

  /** Patterns were validated with the configuration; one that does not compile is skipped. */
  constructor(config: RedactionConfig) {
    this.#names = config.names.map((p) => compilePattern(p, 'i')).filter((r): r is RegExp => r !== null);
    this.#values = config.values.map((p) => compilePattern(p, 'g')).filter((r): r is RegExp => r !== null);
  }

  /** True when a value under this argument or property name is a secret. */
  isSecretName(name: string): boolean {
    const n = normaliseName(name);
    return this.#names.some((r) => r.test(n));
  }

  /** The text with every recognised secret replaced. */
  text(value: string): { readonly value: string; readonly count: number } {
    let count = 0;
    let out = value;
    for (const r of this.#values) {
      r.lastIndex = 0;
      out = out.replace(r, () => {
        count++;
        return REDACTED;
      });
    }
    return { value: out, count };
  }

  /**
   * A deep copy of a JSON value with secrets replaced (whole values under secret names). Nothing
   * deeper than MAX_DEPTH levels is kept: it is replaced, not copied unread. Keys such as
   * `__proto__` are copied as plain properties.
   */
  value(value: unknown): { readonly value: unknown; readonly count: number } {
    let count = 0;
    const walk = (v: unknown, depth: number): unknown => {
      if (typeof v === 'string') {
        const r = this.text(v);
        count += r.count;
        return r.value;
      }
      if (v === null || typeof v !== 'object') return v;
      if (depth >= MAX_DEPTH) {
        count++;
        return TOO_DEEP;
      }
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        let copy: unknown;
        if (this.isSecretName(k) && x !== null && x !== '' && (typeof x !== 'object' || Object.keys(x).length > 0)) {
          copy = REDACTED;
          count++;
        } else {
          copy = walk(x, depth + 1);
        }
        Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
      }
      return out;
    };
    return { value: walk(value, 0), count };
  }
}

/** Levels of nesting kept in a redacted copy. */
const MAX_DEPTH = 32;
/** What replaces a value nested deeper than MAX_DEPTH. */
const TOO_DEEP = `${REDACTED} (nested deeper than ${MAX_DEPTH} levels)`;
