/**
 * The standard output of commands that only print or transform text, when it follows from the
 * input alone: `echo`, `printf`, `cat` of a heredoc, `base64 -d`, `xxd -r -p`, `rev`, `tr`
 * (rot13). Used to see through `echo … | base64 -d | sh`.
 */
import type { Word } from './tool-rule.js';
import { decodeEchoEscapes } from './words.js';

/**
 * The literal output of `name args` given its stdin (`undefined`: none, `null`: unknown), or
 * `null` when it cannot be known. Never throws.
 * Security: the result is only ever classified, never run.
 */
export function literalOutput(name: string, args: readonly Word[], stdin: string | null | undefined): string | null {
  if (args.some((a) => a.dynamic)) return null;
  const texts = args.map((a) => a.text);
  switch (name) {
    case 'echo': {
      let i = 0;
      let escapes = false;
      let newline = true;
      for (; i < texts.length; i++) {
        const t = texts[i] as string;
        if (!/^-[neE]+$/.test(t)) break;
        if (t.includes('n')) newline = false;
        if (t.includes('e')) escapes = true;
        if (t.includes('E')) escapes = false;
      }
      const body = texts.slice(i).join(' ');
      return (escapes ? decodeEchoEscapes(body) : body) + (newline ? '\n' : '');
    }
    case 'printf':
      return texts.length === 0 ? null : printf(texts[0] as string, texts.slice(1));
    case 'cat':
      return texts.length === 0 || (texts.length === 1 && texts[0] === '-') ? (stdin ?? null) : null;
    case 'base64': {
      if (!texts.some((t) => t === '-d' || t === '--decode' || t === '-D' || /^-[a-zA-Z]*d/.test(t))) return null;
      if (typeof stdin !== 'string') return null;
      return decodeBase64(stdin);
    }
    case 'openssl':
      if (texts[0] === 'base64' || texts[0] === 'enc') {
        if (texts.includes('-d') && typeof stdin === 'string') return decodeBase64(stdin);
      }
      return null;
    case 'xxd':
      if (
        texts.some((t) => t === '-r' || t.startsWith('-r')) &&
        texts.some((t) => t === '-p' || t === '-ps' || t === '-plain' || t === '-rp' || t === '-r -p')
      ) {
        if (typeof stdin !== 'string') return null;
        return decodeHex(stdin);
      }
      return null;
    case 'rev':
      if (typeof stdin !== 'string' || texts.length > 0) return null;
      return stdin
        .split('\n')
        .map((l) => [...l].reverse().join(''))
        .join('\n');
    case 'tr': {
      if (typeof stdin !== 'string') return null;
      const sets = texts.filter((t) => !t.startsWith('-'));
      if (sets.length !== 2 || texts.length !== 2) return null;
      return translate(stdin, expandSet(sets[0] as string), expandSet(sets[1] as string));
    }
    default:
      return null;
  }
}

function decodeBase64(text: string): string | null {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) return null;
  return Buffer.from(clean, 'base64').toString('utf8');
}

function decodeHex(text: string): string | null {
  const clean = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return null;
  return Buffer.from(clean, 'hex').toString('utf8');
}

function expandSet(set: string): string {
  let out = '';
  for (let i = 0; i < set.length; i++) {
    const c = set[i] as string;
    const next = set[i + 2];
    if (set[i + 1] === '-' && next !== undefined) {
      const a = c.charCodeAt(0);
      const b = next.charCodeAt(0);
      for (let k = a; k <= b && k - a < 256; k++) out += String.fromCharCode(k);
      i += 2;
    } else out += c;
  }
  return out;
}

function translate(text: string, from: string, to: string): string {
  if (to.length === 0) return text;
  const map = new Map<string, string>();
  for (let i = 0; i < from.length; i++) map.set(from[i] as string, to[Math.min(i, to.length - 1)] as string);
  let out = '';
  for (const c of text) out += map.get(c) ?? c;
  return out;
}

function printf(format: string, args: readonly string[]): string {
  let argIndex = 0;
  let out = '';
  // Bash reuses the format while arguments remain; bounded to keep hostile input cheap.
  for (let round = 0; round < 16; round++) {
    out += format.replace(/%([-+ #0]*\d*(?:\.\d+)?)([sbdicxXo%])/g, (_m, _flags: string, conv: string) => {
      if (conv === '%') return '%';
      const a = args[argIndex++] ?? '';
      if (conv === 'b') return decodeEchoEscapes(a);
      if (conv === 'c') return a.slice(0, 1);
      return a;
    });
    if (argIndex >= args.length) break;
  }
  return decodeEchoEscapes(out);
}
