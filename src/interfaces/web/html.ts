/**
 * Safe HTML for the web UI: one tagged template that escapes every interpolated value, and makes
 * hidden characters visible on the way, so agent-controlled text can never become markup and an
 * approver sees exactly the characters that will run (SECURITY.md, the Unicode row).
 */
import { visible } from '../cli/render-verdict.js';

/** Markup that is already safe to emit (built by {@link html} or {@link exact}). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What {@link html} accepts: safe markup is kept, text is escaped, lists are joined, nullish and false are dropped. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` (safe in text and in quoted attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

/** Text for HTML: control, bidi and zero-width characters shown as `\u{…}` (as in the terminal), then escaped. */
export function text(value: string): string {
  return escapeHtml(visible(value));
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return text(String(value));
}

/**
 * Tagged template for markup: every `${value}` is made visible and escaped unless it is a
 * {@link SafeHtml}. The literal parts are trusted (they are this module's source).
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

// Characters shown as escapes in the exact view: every control, format, separator (but the plain
// space), combining mark, private-use or unassigned code point, plus letters that render as blank.
const HIDDEN = /[\p{C}\p{Z}\p{M}\u115f\u1160\u3164\uffa0]/u;
const NON_ASCII = /[^\x20-\x7e]/u;

/** Hex code point, at least four digits. */
function codePoint(ch: string): string {
  return (ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0');
}

/**
 * The exact view of what will run: printable ASCII as is; tab, newline and every hidden character
 * as a highlighted `\u{…}` escape; any other non-ASCII character (a look-alike letter) kept but
 * highlighted with its code point. `keepNewlines` keeps line breaks as line breaks, for multi-line
 * SQL and scripts shown in a `pre` block.
 */
export function exact(value: string, options: { readonly keepNewlines?: boolean } = {}): SafeHtml {
  let out = '';
  for (const ch of value) {
    if (ch === ' ' || !NON_ASCII.test(ch)) {
      out += escapeHtml(ch);
    } else if (ch === '\n' && options.keepNewlines) {
      out += '\n';
    } else if (ch === '\n' || ch === '\t' || ch === '\r' || HIDDEN.test(ch)) {
      out += `<span class="esc" title="hidden character U+${codePoint(ch).toUpperCase()}">\\u{${codePoint(ch)}}</span>`;
    } else {
      out += `<mark class="na" title="non-ASCII character U+${codePoint(ch).toUpperCase()}">${escapeHtml(ch)}</mark>`;
    }
  }
  return new SafeHtml(out);
}

/** True when `value` holds anything but printable ASCII, tab and newline (worth a warning to the approver). */
export function hasNonAscii(value: string): boolean {
  return /[^\x20-\x7e\t\n]/u.test(value);
}
