import { describe, expect, it } from 'vitest';
import { AUDIT_PAGE } from './audit-page.js';

const script = /<script>([\s\S]*)<\/script>/.exec(AUDIT_PAGE)?.[1] ?? '';

describe('the decisions page', () => {
  it('ships a script that parses', () => {
    expect(() => new Function(script)).not.toThrow();
  });

  it('shows bidi, zero-width and control characters as escapes, so a reader sees the real bytes', () => {
    const line = script.split('\n').find((l) => l.startsWith('const vis')) ?? '';
    const vis = new Function(`${line}; return vis;`)() as (s: string) => string;
    expect(vis('rm\u202e -rf\u200b /\x07')).toBe('rm\\u{202e} -rf\\u{200b} /\\u{0007}');
    expect(vis('kubectl get pods')).toBe('kubectl get pods');
    // The same list as the terminal's, soft hyphen and Arabic letter mark included; tab and newline too.
    expect(vis('a\u00adb\u061cc\td\ne')).toBe('a\\u{00ad}b\\u{061c}c\\u{0009}d\\u{000a}e');
  });

  it('sets text with textContent only, never innerHTML', () => {
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
