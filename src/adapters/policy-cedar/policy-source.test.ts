import { describe, expect, it } from 'vitest';
import { effectKeywordOffset, lineColAt, splitPolicyText } from './policy-source.js';

describe('splitPolicyText', () => {
  it('splits at semicolons outside strings and comments, keeping leading comments and lines', () => {
    const text = [
      '// header; not a policy',
      '',
      '@reason("a; b \\" c;")',
      'permit (principal, action, resource); // trailing; comment',
      '',
      '',
      '// second',
      'forbid (principal, action, resource) when { context.kind == "x;y" };',
      '// only a comment; at the end',
    ].join('\n');
    const segments = splitPolicyText(text);
    expect(segments.map((s) => [s.index, s.line])).toEqual([
      [0, 1],
      [1, 4],
    ]);
    expect(segments[0]?.text).toMatch(/^\/\/ header; not a policy\n\n@reason\("a; b \\" c;"\)\npermit \(principal, action, resource\);$/);
    expect(segments[1]?.text.startsWith(' // trailing; comment\n\n\n// second\nforbid')).toBe(true);
  });

  it('returns nothing for text without a statement', () => {
    expect(splitPolicyText('// nothing\n\n')).toEqual([]);
  });
});

describe('effectKeywordOffset', () => {
  it('finds the effect after comments and annotations', () => {
    const text = '// c\n@id("x") @hold("2")\n@flag\n  forbid (principal, action, resource);';
    expect(text.slice(effectKeywordOffset(text), effectKeywordOffset(text) + 6)).toBe('forbid');
    expect(effectKeywordOffset('@reason("say \\"forbid\\"") permit(principal, action, resource);')).toBe(26);
  });

  it('is -1 when the text does not start with a policy', () => {
    expect(effectKeywordOffset('forbidden (x);')).toBe(-1);
    expect(effectKeywordOffset('@id("x" permit (principal, action, resource);')).toBe(-1);
  });
});

describe('lineColAt', () => {
  it('counts UTF-8 bytes, as Cedar reports them', () => {
    const text = '// é…\nabc';
    expect(lineColAt(text, Buffer.byteLength('// é…\na'))).toEqual({ line: 2, col: 2 });
    expect(lineColAt(text, 10_000)).toEqual({ line: 2, col: 4 });
  });
});
