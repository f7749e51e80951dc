/**
 * Word expansion the way bash does it, statically: quote removal, backslash and ANSI-C escapes,
 * same-input variables, `${X:-default}`, field splitting of unquoted known values, brace
 * expansion. Unknown expansions stay as written and mark the word dynamic.
 */
import type { Node } from 'web-tree-sitter';
import type { Word } from './tool-rule.js';

/** A shell variable's value as far as the input tells. `dynamic`: set from something unknown. */
export interface VarValue {
  readonly value: string;
  readonly dynamic: boolean;
}

/** Variables visible to the expansion. */
export type Vars = ReadonlyMap<string, VarValue>;

interface Piece {
  readonly text: string;
  /** Quoted (or escaped) text: no globbing, no brace expansion. */
  readonly quoted: boolean;
  readonly dynamic: boolean;
}

// Private-use stand-ins so quoted braces and commas survive brace expansion as plain text.
const Q_OPEN = '\uE001';
const Q_CLOSE = '\uE002';
const Q_COMMA = '\uE003';

class FieldBuilder {
  readonly fields: Piece[][] = [];
  private current: Piece[] = [];
  private started = false;

  add(piece: Piece): void {
    this.current.push(piece);
    this.started = true;
  }

  /** Adds an unquoted expansion result, splitting it on IFS characters. */
  addSplit(text: string, dynamic: boolean, ifs = ' \t\n'): void {
    if (dynamic) {
      this.add({ text, quoted: false, dynamic: true });
      return;
    }
    const parts = ifs === ' \t\n' ? text.split(/[ \t\n\0]+/) : splitOn(text, `${ifs}\0`);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) this.breakField();
      const p = parts[i] as string;
      if (p.length > 0) this.add({ text: p, quoted: false, dynamic: false });
    }
  }

  /** Marks the word as existing even when empty (`""`). */
  touch(): void {
    this.started = true;
  }

  breakField(): void {
    if (this.started) this.fields.push(this.current);
    this.current = [];
    this.started = false;
  }

  finish(): Piece[][] {
    this.breakField();
    return this.fields;
  }
}

function splitOn(text: string, chars: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of text) {
    if (chars.includes(c)) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Decodes a `$'…'` body (without the `$'` and `'`). */
export function decodeAnsiC(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[++i] as string;
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'e':
      case 'E':
        out += '\x1b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else out += '\\x';
        break;
      }
      case 'u':
      case 'U': {
        const m = (n === 'u' ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/).exec(body.slice(i + 1));
        if (m) {
          const cp = parseInt(m[0], 16);
          out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
          i += m[0].length;
        } else out += `\\${n}`;
        break;
      }
      case 'c': {
        const ch = body[i + 1];
        if (ch !== undefined) {
          out += String.fromCharCode(ch.toUpperCase().charCodeAt(0) ^ 0x40);
          i += 1;
        }
        break;
      }
      default:
        if (n >= '0' && n <= '7') {
          const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += m[0].length - 1;
        } else out += n === '\\' || n === "'" || n === '"' || n === '?' ? n : `\\${n}`;
    }
  }
  return out;
}

/** Interprets `echo -e` / `printf %b` escapes (`\n`, `\x41`, `\0101`). */
export function decodeEchoEscapes(text: string): string {
  return decodeAnsiC(text.replace(/\\0([0-7]{1,3})/g, (_m, d: string) => `\\${d.padStart(3, '0')}`));
}

/** Removes backslash escapes from unquoted text: `\r` → quoted `r`. */
function unquotedPieces(raw: string, out: FieldBuilder): void {
  let buf = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      if (buf) out.add({ text: buf, quoted: false, dynamic: false });
      buf = '';
      const n = raw[++i] as string;
      if (n !== '\n') out.add({ text: n, quoted: true, dynamic: false });
      continue;
    }
    buf += c;
  }
  if (buf) out.add({ text: buf, quoted: false, dynamic: false });
}

/** Inside double quotes only `\$ \` \" \\` and backslash-newline are escapes. */
function unescapeDouble(raw: string): string {
  return raw.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const SPECIAL = /^[#?$!-]$/;

/** Expands words of a command: returns zero or more fields per node, as bash would. */
export class WordExpander {
  /**
   * @param vars same-input variables; `@` holds positional parameters joined by NUL.
   * @param substitution the literal output of a command substitution node, when the evaluator knows it.
   */
  constructor(
    private readonly vars: Vars,
    private readonly substitution?: (node: Node) => string | undefined,
  ) {}

  private noSplit = false;

  private ifs(): string {
    const v = this.vars.get('IFS');
    return v && !v.dynamic ? v.value : ' \t\n';
  }

  /** The fields one argument node expands to (zero when it is an unquoted empty variable). */
  expand(node: Node): Word[] {
    const b = new FieldBuilder();
    this.collect(node, false, b);
    const out: Word[] = [];
    for (const pieces of b.finish()) {
      for (const w of braceExpandField(pieces)) out.push(w);
    }
    return out;
  }

  /** A value without field splitting or brace expansion (assignments, heredoc words, `case`). */
  expandNoSplit(node: Node): VarValue {
    const b = new FieldBuilder();
    this.noSplit = true;
    try {
      this.collect(node, false, b);
    } finally {
      this.noSplit = false;
    }
    const fields = b.finish();
    let text = '';
    let dynamic = false;
    for (const f of fields)
      for (const p of f) {
        text += p.text;
        dynamic ||= p.dynamic;
      }
    return { value: text, dynamic };
  }

  /** Expands the text of an unquoted-delimiter heredoc body node: variables resolved, no splitting. */
  heredocText(body: Node): VarValue {
    let text = '';
    let dynamic = false;
    let pos = body.startIndex;
    const raw = body.text;
    const base = body.startIndex;
    for (const child of body.namedChildren) {
      if (child.startIndex > pos) text += unescapeHeredoc(raw.slice(pos - base, child.startIndex - base));
      if (child.type === 'heredoc_content') text += unescapeHeredoc(child.text);
      else {
        const v = this.expandNoSplit(child);
        text += v.value;
        dynamic ||= v.dynamic;
      }
      pos = child.endIndex;
    }
    if (body.endIndex > pos) text += unescapeHeredoc(raw.slice(pos - base));
    return { value: text, dynamic };
  }

  private lookup(name: string): VarValue | undefined {
    if (SPECIAL.test(name)) return undefined;
    if (name === '*') return this.vars.get('@');
    return this.vars.get(name);
  }

  private collect(node: Node, quoted: boolean, out: FieldBuilder): void {
    switch (node.type) {
      case 'word':
      case 'command_name':
        if (node.type === 'command_name') {
          for (const c of node.namedChildren) this.collect(c, quoted, out);
          return;
        }
        if (quoted) out.add({ text: unescapeDouble(node.text), quoted: true, dynamic: false });
        else unquotedPieces(node.text, out);
        return;
      case 'number':
      case 'heredoc_content':
        out.add({ text: node.text, quoted, dynamic: false });
        return;
      case 'raw_string':
        out.add({ text: node.text.slice(1, -1), quoted: true, dynamic: false });
        out.touch();
        return;
      case 'ansi_c_string':
        out.add({ text: decodeAnsiC(node.text.slice(2, -1)), quoted: true, dynamic: false });
        out.touch();
        return;
      case 'string':
      case 'translated_string': {
        const inner = node.type === 'translated_string' ? node.namedChildren[0] : node;
        out.touch();
        if (!inner) return;
        this.collectString(inner, out);
        return;
      }
      case 'concatenation':
        for (const c of node.children) this.collect(c, quoted, out);
        return;
      case 'simple_expansion': {
        const nameNode = node.namedChildren[0];
        const name = nameNode ? nameNode.text : '';
        this.emitVariable(name, this.lookup(name), quoted, out, `$${name}`);
        return;
      }
      case 'expansion':
        this.collectExpansion(node, quoted, out);
        return;
      case 'command_substitution': {
        const known = this.substitution?.(node);
        if (known === undefined) out.add({ text: node.text, quoted, dynamic: true });
        else if (quoted) out.add({ text: known, quoted: true, dynamic: false });
        else if (this.noSplit) out.add({ text: known, quoted: true, dynamic: false });
        else out.addSplit(known, false, this.ifs());
        return;
      }
      case 'arithmetic_expansion':
        out.add({ text: node.text, quoted, dynamic: true });
        return;
      case 'process_substitution':
        out.add({ text: '/dev/fd/63', quoted: true, dynamic: false });
        return;
      default:
        if (!node.isNamed && (node.type === '"' || node.type === '$')) return;
        out.add({ text: node.text, quoted, dynamic: false });
    }
  }

  private collectString(node: Node, out: FieldBuilder): void {
    const raw = node.text;
    const base = node.startIndex;
    // Gaps between named children are literal text that tree-sitter did not wrap.
    let pos = base + (raw.startsWith('"') ? 1 : 0);
    const end = node.endIndex - (raw.endsWith('"') && raw.length > 1 ? 1 : 0);
    for (const child of node.namedChildren) {
      if (child.startIndex > pos)
        out.add({ text: unescapeDouble(raw.slice(pos - base, child.startIndex - base)), quoted: true, dynamic: false });
      if (child.type === 'string_content') out.add({ text: unescapeDouble(child.text), quoted: true, dynamic: false });
      else this.collect(child, true, out);
      pos = Math.max(pos, child.endIndex);
    }
    if (end > pos) out.add({ text: unescapeDouble(raw.slice(pos - base, end - base)), quoted: true, dynamic: false });
  }

  private emitVariable(name: string, value: VarValue | undefined, quoted: boolean, out: FieldBuilder, asWritten: string): void {
    if (value === undefined) {
      out.add({ text: asWritten, quoted, dynamic: true });
      return;
    }
    if (quoted && name === '@' && !value.dynamic) {
      // "$@" keeps each positional parameter a separate word.
      const parts = value.value === '' ? [] : value.value.split('\0');
      parts.forEach((p, i) => {
        if (i > 0) out.breakField();
        out.add({ text: p, quoted: true, dynamic: false });
      });
      return;
    }
    if (quoted || this.noSplit)
      out.add({
        text: name === '*' || name === '@' ? value.value.split('\0').join(' ') : value.value,
        quoted: true,
        dynamic: value.dynamic,
      });
    else out.addSplit(value.value, value.dynamic, this.ifs());
  }

  private collectExpansion(node: Node, quoted: boolean, out: FieldBuilder): void {
    const children = node.children;
    let name = '';
    let op = '';
    let opIndex = -1;
    let prefixOp = '';
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as Node;
      if (c.type === 'variable_name' || c.type === 'special_variable_name') {
        if (!name) name = c.text;
      } else if (node.fieldNameForChild(i) === 'operator' || (!c.isNamed && c.type !== '${' && c.type !== '}')) {
        if (!name) prefixOp = c.type;
        else if (opIndex < 0) {
          op = c.type;
          opIndex = i;
        }
      } else if (c.type === 'subscript') {
        // Arrays are not tracked: an element is unknown.
        out.add({ text: node.text, quoted, dynamic: true });
        return;
      }
    }
    const value = this.lookup(name);
    if (prefixOp === '#' && !op) {
      out.add({ text: value && !value.dynamic ? String(value.value.length) : node.text, quoted, dynamic: !value || value.dynamic });
      return;
    }
    if (prefixOp) {
      out.add({ text: node.text, quoted, dynamic: true });
      return;
    }
    if (!op) {
      this.emitVariable(name, value, quoted, out, `$${name}`);
      return;
    }
    const operand = (): void => {
      for (let i = opIndex + 1; i < children.length; i++) {
        const c = children[i] as Node;
        if (c.type === '}') break;
        this.collect(c, quoted, out);
      }
    };
    switch (op) {
      case ':-':
      case '-':
      case ':=':
      case '=':
        if (value && (op.length === 1 || value.value !== '' || value.dynamic)) this.emitVariable(name, value, quoted, out, `$${name}`);
        else operand();
        return;
      case ':+':
      case '+':
        if (value === undefined) out.add({ text: node.text, quoted, dynamic: true });
        else if (op.length === 1 || value.value !== '') operand();
        return;
      case ':?':
      case '?':
        this.emitVariable(name, value, quoted, out, `$${name}`);
        return;
      default:
        out.add({ text: node.text, quoted, dynamic: true });
    }
  }
}

function unescapeHeredoc(raw: string): string {
  return raw.replace(/\\([$`\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

function braceExpandField(pieces: readonly Piece[]): Word[] {
  let marked = '';
  let dynamic = false;
  let glob = false;
  for (const p of pieces) {
    dynamic ||= p.dynamic;
    if (p.quoted || p.dynamic) {
      marked += p.text.replace(/[{},]/g, (c) => (c === '{' ? Q_OPEN : c === '}' ? Q_CLOSE : Q_COMMA));
    } else {
      marked += p.text;
      if (/[*?[]/.test(p.text)) glob = true;
    }
  }
  const cap = { hit: false };
  const texts = marked.includes('{') ? braceExpand(marked, 0, cap) : [marked];
  // A capped expansion stands for words not seen: judged as not known before run time.
  if (cap.hit) dynamic = true;
  return texts.map((t) => ({ text: restore(t), dynamic, glob }));
}

function restore(text: string): string {
  if (!/[\uE001-\uE003]/.test(text)) return text;
  return text.replace(/[\uE001-\uE003]/g, (c) => (c === Q_OPEN ? '{' : c === Q_CLOSE ? '}' : ','));
}

/** Expands `a{b,c}d` and `{1..3}`; caps the output so hostile input cannot blow up. */
function braceExpand(text: string, depth: number, cap: { hit: boolean }): string[] {
  if (depth > 8) {
    if (/\{[^{}]*(,|\.\.)[^{}]*\}/.test(text)) cap.hit = true;
    return [text];
  }
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '{') continue;
    let level = 0;
    let hasComma = false;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '{') level++;
      else if (c === '}') {
        level--;
        if (level === 0) {
          const body = text.slice(i + 1, j);
          const range = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])$/.exec(body);
          if (hasComma || range) {
            open = i;
            const prefix = text.slice(0, open);
            const suffix = text.slice(j + 1);
            const alts = range ? expandRange(range[1] as string, range[2] as string) : splitTop(body);
            const out: string[] = [];
            for (const a of alts) {
              for (const s of braceExpand(prefix + a + suffix, depth + 1, cap)) {
                out.push(s);
                if (out.length > 64) {
                  cap.hit = true;
                  return out;
                }
              }
            }
            return out;
          }
          break;
        }
      } else if (c === ',' && level === 1) hasComma = true;
    }
  }
  return [text];
}

function expandRange(a: string, b: string): string[] {
  const out: string[] = [];
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const x = Number(a);
    const y = Number(b);
    const step = x <= y ? 1 : -1;
    for (let i = x; step > 0 ? i <= y : i >= y; i += step) {
      out.push(String(i));
      if (out.length > 64) break;
    }
    return out;
  }
  const x = a.charCodeAt(0);
  const y = b.charCodeAt(0);
  const step = x <= y ? 1 : -1;
  for (let i = x; step > 0 ? i <= y : i >= y; i += step) out.push(String.fromCharCode(i));
  return out;
}

function splitTop(body: string): string[] {
  const out: string[] = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '{') level++;
    else if (c === '}') level--;
    else if (c === ',' && level === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}
