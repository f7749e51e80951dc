import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('gives complete defaults for an empty file', () => {
    const c = parseConfig(null);
    expect(c.unresolved).toBe('protected');
    expect(c.server).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(c.policies).toEqual({ defaultPack: true, paths: [] });
  });

  it('names every bad field and the fix', () => {
    expect(() => parseConfig({ environments: { prod: { match: { namespace: ['x'] } } }, server: { port: 'x' } })).toThrowError(
      /server\.port: .*expected number[\s\S]*environments\.prod\.match: unknown field "namespace"/,
    );
  });

  it('names a resource whose environment is not defined', () => {
    expect(() => parseConfig({ environments: { prod: {} }, resources: [{ name: 'db', environment: 'prodd' }] })).toThrowError(
      /resources\.0\.environment: "prodd" is not an environment defined under "environments" \(defined: prod\)/,
    );
  });

  it('rejects an unknown top-level field', () => {
    expect(() => parseConfig({ enviroments: {} })).toThrowError(/unknown field "enviroments"/);
  });
});
