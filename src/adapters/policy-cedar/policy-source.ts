/**
 * Cedar policy text as Airlock handles it before any evaluation: split into single policies with
 * their positions, and source offsets turned into `file:line:col` for error messages.
 * Pure string work, no Cedar calls.
 */

/** One policy statement cut out of a `.cedar` file, with where it starts. */
export interface PolicySegment {
  /** The statement's text, from the end of the previous `;` up to and including its own `;`. */
  readonly text: string;
  /** 1-based line in the file where `text` starts. */
  readonly line: number;
  /** 0-based position of the statement within its file (0 for the first policy). */
  readonly index: number;
}

/**
 * Splits Cedar policy text into statements at each `;` outside string literals and `//` comments.
 * Leading comments stay with the statement they precede; trailing text with no `;` (comments,
 * whitespace, or a broken policy that the parser reports) is dropped, so parse the whole text with
 * Cedar first. Never throws.
 */
export function splitPolicyText(text: string): PolicySegment[] {
  const segments: PolicySegment[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      line += 1;
      i += 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (ch === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i += 1;
        else if (text[i] === '\n') line += 1;
        i += 1;
      }
      i += 1;
    } else if (ch === ';') {
      segments.push({ text: text.slice(start, i + 1), line: startLine, index: segments.length });
      i += 1;
      start = i;
      startLine = line;
    } else {
      i += 1;
    }
  }
  return segments.map((s) => trimLeadingBlankLines(s));
}

/** Starts a segment at its first non-blank line so that its `line` points at the policy or its comment. */
function trimLeadingBlankLines(segment: PolicySegment): PolicySegment {
  const match = /^(?:[ \t\r]*\n)+/.exec(segment.text);
  if (match === null) return segment;
  const skipped = match[0].split('\n').length - 1;
  return { text: segment.text.slice(match[0].length), line: segment.line + skipped, index: segment.index };
}

/**
 * 1-based line and column of a UTF-8 byte offset in `text` (Cedar reports byte offsets).
 * Offsets past the end point at the end.
 */
export function lineColAt(text: string, byteOffset: number): { readonly line: number; readonly col: number } {
  const bytes = Buffer.from(text, 'utf8');
  const prefix = bytes.subarray(0, Math.max(0, Math.min(byteOffset, bytes.length))).toString('utf8');
  const lines = prefix.split('\n');
  const last = lines[lines.length - 1] ?? '';
  return { line: lines.length, col: last.length + 1 };
}

/**
 * Position of a policy's effect keyword (`permit` or `forbid`) in one statement's text, skipping
 * whitespace, `//` comments and annotations (`@name` or `@name("value")`); -1 when the text does
 * not start that way. Used to evaluate a forbid as a permit with the same scope and conditions.
 */
export function effectKeywordOffset(text: string): number {
  let i = 0;
  const skipSpace = (): void => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
      if (text[i] === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i += 1;
      } else {
        return;
      }
    }
  };
  for (;;) {
    skipSpace();
    if (text[i] !== '@') break;
    i += 1;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i] ?? '')) i += 1;
    skipSpace();
    if (text[i] === '(') {
      i += 1;
      skipSpace();
      if (text[i] === '"') {
        i += 1;
        while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        i += 1;
      }
      skipSpace();
      if (text[i] !== ')') return -1;
      i += 1;
    }
  }
  const word = text.slice(i, i + 6);
  if ((word === 'permit' || word === 'forbid') && !/[A-Za-z0-9_]/.test(text[i + 6] ?? '')) return i;
  return -1;
}
