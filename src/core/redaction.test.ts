import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_NAMES, DEFAULT_REDACTED_VALUES, parseConfig } from './config.js';
import { REDACTED, Redactor } from './redaction.js';

const redactor = new Redactor({ names: DEFAULT_REDACTED_NAMES, values: DEFAULT_REDACTED_VALUES });

describe('Redactor with the default patterns', () => {
  it.each([
    ['password', true],
    ['apiKey', true],
    ['API_KEY', true],
    ['github-token', true],
    ['client_secret', true],
    ['Authorization', true],
    ['max_tokens', false],
    ['path', false],
    ['tokenizer', false],
  ])('argument name %s is secret: %s', (name, secret) => {
    expect(redactor.isSecretName(name)).toBe(secret);
  });

  it.each([
    ['a GitHub token', `use ghp_${'x1Y2'.repeat(9)} please`, 'use [redacted] please'],
    ['an AWS access key', 'key AKIAABCDEFGHIJKLMNOP end', 'key [redacted] end'],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: [redacted]'],
    ['a URL password', 'postgres://app:s3cr3t@db.internal:5432/shop', 'postgres://app:[redacted]@db.internal:5432/shop'],
    ['a SQL password', "CREATE USER bob WITH PASSWORD 'hunter2'", "CREATE USER bob WITH PASSWORD '[redacted]'"],
    ['an Airlock token', `alk_${'a'.repeat(24)}`, REDACTED],
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', REDACTED],
  ])('replaces %s inside text', (_what, input, output) => {
    expect(redactor.text(input).value).toBe(output);
  });

  it('leaves ordinary text alone', () => {
    const sql = "SELECT * FROM orders WHERE status = 'paid'";
    expect(redactor.text(sql)).toEqual({ value: sql, count: 0 });
  });

  it('redacts nested values by name and by pattern, without touching the input', () => {
    const args = {
      path: '/srv/a',
      auth: { token: 'xyz', user: 'bob' },
      headers: [{ name: 'x', apiKey: 'k' }],
      note: `ghp_${'A'.repeat(36)}`,
    };
    const copy = structuredClone(args);
    const r = redactor.value(args);
    expect(r.value).toEqual({ path: '/srv/a', auth: REDACTED, headers: [{ name: 'x', apiKey: REDACTED }], note: REDACTED });
    expect(r.count).toBe(3);
    expect(args).toEqual(copy);
  });

  it('takes configured patterns, including /source/flags, and a bad pattern is a config error naming the field', () => {
    const config = parseConfig({ mcp: { redact: { names: ['^pin$'], values: ['/acct-\\d+/i'] } } });
    const r = new Redactor(config.mcp.redact);
    expect(r.value({ pin: '1234', memo: 'ACCT-991 and acct-7', password: 'kept: defaults replaced' }).value).toEqual({
      pin: REDACTED,
      memo: `${REDACTED} and ${REDACTED}`,
      password: 'kept: defaults replaced',
    });
    expect(() => parseConfig({ mcp: { redact: { values: ['(unclosed'] } } })).toThrow(/mcp\.redact\.values\.0/);
  });
});

describe('Redactor on hostile shapes', () => {
  it('never copies what is nested too deep unread, and keeps __proto__ as a plain key', () => {
    let deep: unknown = { password: 'hunter2', note: `ghp_${'B'.repeat(36)}` };
    for (let i = 0; i < 70; i++) deep = { next: deep };
    const text = JSON.stringify(redactor.value({ deep }).value);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('ghp_');
    expect(text).toContain('nested deeper than');
    const proto = JSON.parse('{"__proto__": {"token": "abc"}, "x": 1}') as Record<string, unknown>;
    const copy = redactor.value(proto).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"token":"[redacted]"},"x":1}');
  });
});
