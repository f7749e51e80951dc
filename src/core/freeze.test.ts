/**
 * Freeze windows: dated ranges and recurring (cron + duration) windows, in UTC, with a fake time.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { activeFreeze, cronMatches, type FreezeWindow, parseCron } from './freeze.js';

const H = 3_600_000;
const weekend: FreezeWindow = { name: 'weekend', environments: ['prod*'], cron: '0 18 * * fri', durationMs: 62 * H };
const sale: FreezeWindow = {
  name: 'black-friday',
  environments: ['prod'],
  from: '2026-11-26T00:00:00Z',
  until: '2026-12-01T00:00:00Z',
  reason: 'the sale',
};

describe('activeFreeze', () => {
  it.each([
    ['inside a dated range', [sale], 'prod', '2026-11-27T12:00:00Z', 'black-friday'],
    ['at its start', [sale], 'prod', '2026-11-26T00:00:00Z', 'black-friday'],
    ['at its end (over)', [sale], 'prod', '2026-12-01T00:00:00Z', null],
    ['before it', [sale], 'prod', '2026-11-25T23:59:59Z', null],
    ['another environment', [sale], 'staging', '2026-11-27T12:00:00Z', null],
    // 2026-11-20 is a Friday.
    ['a recurring window at its start', [weekend], 'prod-eu', '2026-11-20T18:00:00Z', 'weekend'],
    ['a recurring window on Sunday', [weekend], 'prod-eu', '2026-11-22T12:00:00Z', 'weekend'],
    ['a recurring window just before it ends (Monday 07:59)', [weekend], 'prod', '2026-11-23T07:59:00Z', 'weekend'],
    ['a recurring window once it ended (Monday 08:00)', [weekend], 'prod', '2026-11-23T08:00:00Z', null],
    ['a Friday before 18:00', [weekend], 'prod', '2026-11-20T17:59:59Z', null],
    ['a Wednesday', [weekend], 'prod', '2026-11-25T12:00:00Z', null],
    ['glob that does not match', [weekend], 'staging', '2026-11-22T12:00:00Z', null],
  ] as const)('%s', (_name, windows, env, at, expected) => {
    expect(activeFreeze(windows, env, new Date(at))?.name ?? null).toBe(expected);
  });

  it('says until when: the range end, or the recurring start plus its duration', () => {
    expect(activeFreeze([sale], 'prod', new Date('2026-11-27T00:00:00Z'))).toEqual({
      name: 'black-friday',
      until: '2026-12-01T00:00:00Z',
      reason: 'the sale',
    });
    expect(activeFreeze([weekend], 'prod', new Date('2026-11-21T09:30:00Z'))?.until).toBe('2026-11-23T08:00:00.000Z');
    expect(activeFreeze([{ name: 'open', environments: ['prod'], from: '2020-01-01T00:00:00Z' }], 'prod', new Date())?.until).toBe(
      'further notice',
    );
  });
});

describe('parseCron', () => {
  it.each([
    ['*/15 * * * *', '2026-11-21T10:45:00Z', true],
    ['*/15 * * * *', '2026-11-21T10:46:00Z', false],
    ['0 9-17 * * mon-fri', '2026-11-20T12:00:00Z', true],
    ['0 9-17 * * mon-fri', '2026-11-21T12:00:00Z', false],
    ['0 0 1 jan *', '2027-01-01T00:00:00Z', true],
    ['0 0 25 12 *', '2026-12-25T00:00:00Z', true],
    ['0 0 * * 7', '2026-11-22T00:00:00Z', true],
    // Both day fields restricted: either matches (Vixie cron).
    ['0 0 1 * mon', '2026-11-23T00:00:00Z', true],
  ] as const)('%s at %s: %s', (expr, at, expected) => {
    const spec = parseCron(expr);
    if (typeof spec === 'string') throw new Error(spec);
    expect(cronMatches(spec, new Date(at))).toBe(expected);
  });

  it.each(['* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * funday', '5-1 * * * *', '*/0 * * * *'])(
    'refuses %s with a message',
    (expr) => {
      expect(typeof parseCron(expr)).toBe('string');
    },
  );
});

describe('freezes in airlock.yaml', () => {
  it.each([
    [{ name: 'x', environments: ['prod'] }, 'freezes.0.from: give from and/or until'],
    [{ name: 'x', environments: ['prod'], cron: '0 18 * * fri' }, 'freezes.0.duration: a recurring window needs a duration'],
    [{ name: 'x', environments: ['prod'], cron: '0 18 * *', duration: '2h' }, 'freezes.0.cron: "0 18 * *" has 4 fields'],
    [
      { name: 'x', environments: ['prod'], from: '2026-12-01T00:00:00Z', until: '2026-11-01T00:00:00Z' },
      'freezes.0.until: until must be after from',
    ],
    [{ name: 'x', environments: [], from: '2026-12-01T00:00:00Z' }, 'freezes.0.environments: name at least one environment'],
    [{ name: 'x', environments: ['prod'], from: 'next tuesday' }, 'freezes.0.from:'],
  ])('names the field and the fix: %j', (freeze, message) => {
    expect(() => parseConfig({ freezes: [freeze] })).toThrow(message);
  });
});
