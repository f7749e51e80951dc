import { describe, expect, it } from 'vitest';
import { escapeHtml, exact, hasNonAscii, html } from './html.js';

describe('html', () => {
  it('escapes every interpolated value and makes hidden characters visible, keeping trusted markup', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x" & \'y\''}">${inner}${['a<', 1, null, undefined, false]}</p>`.value).toBe(
      '<p title="&quot;x&quot; &amp; &#39;y&#39;"><b>&lt;i&gt;</b>a&lt;1</p>',
    );
    expect(html`${'rm\u202e -rf\u200b /\x07'}`.value).toBe('rm\\u{202e} -rf\\u{200b} /\\u{0007}');
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('shows exactly what runs: hidden characters as escapes, look-alike letters highlighted', () => {
    expect(exact('kubectl delete pod api').value).toBe('kubectl delete pod api');
    const view = exact('a\u202eb\u200bc\td\ne\u00a0f\u2028g\u{e0041}h\u3164i').value;
    for (const cp of ['202e', '200b', '0009', '000a', '00a0', '2028', 'e0041', '3164']) expect(view).toContain(`\\u{${cp}}`);
    expect(view).not.toMatch(/[\u202e\u200b\t\n\u00a0\u2028\u3164]|\u{e0041}/u);
    expect(exact('kub\u0435ctl').value).toBe('kub<mark class="na" title="non-ASCII character U+0435">\u0435</mark>ctl');
    expect(exact('<x>&').value).toBe('&lt;x&gt;&amp;');
    expect(exact('SELECT 1;\nSELECT 2;', { keepNewlines: true }).value).toBe('SELECT 1;\nSELECT 2;');
    expect(exact('e\u0301').value).toContain('\\u{0301}');
  });

  it('tells when a text holds more than printable ASCII', () => {
    expect(hasNonAscii('kubectl get pods\n\tx')).toBe(false);
    expect(hasNonAscii('kub\u0435ctl')).toBe(true);
    expect(hasNonAscii('a\u200bb')).toBe(true);
  });
});
