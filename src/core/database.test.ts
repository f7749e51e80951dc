import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { configuredDatabase, driftBetween, isSqlRehearsal, jsonSafeRow, type SqlRehearsal, type StatementRehearsal } from './database.js';
import { resolveEnvironment } from './environment.js';

const statement = (index: number, rowsAffected: number | null, command = 'DELETE'): StatementRehearsal => ({
  index,
  sql: `${command} FROM t${index}`,
  command,
  method: 'rolled-back',
  rowsAffected,
  tables: [`public.t${index}`],
  before: [],
  after: [],
  objects: [],
  recovery: { kind: 'rows', note: 'rows copied' },
  notes: [],
});

const rehearsal = (...statements: StatementRehearsal[]): SqlRehearsal => ({ v: 1, target: 'shop', engine: 'postgresql', statements });

describe('driftBetween: what ran against what was approved', () => {
  it('agrees when every statement touched exactly the approved rows', () => {
    expect(
      driftBetween(rehearsal(statement(0, 250), statement(1, 3)), [
        { index: 0, rowsAffected: 250 },
        { index: 1, rowsAffected: 3 },
      ]),
    ).toEqual([]);
  });

  it('names the statement, the approved and the observed count when they differ', () => {
    const drift = driftBetween(rehearsal(statement(0, 83)), [{ index: 0, rowsAffected: 84 }]);
    expect(drift).toEqual([
      expect.objectContaining({
        index: 0,
        approved: 83,
        observed: 84,
        message: 'statement 1 (DELETE) would affect 84 rows; 83 were approved',
      }),
    ]);
  });

  it('counts a statement that did not report as drift, and skips statements approved with an unknown count', () => {
    expect(driftBetween(rehearsal(statement(0, 5)), [])).toHaveLength(1);
    expect(driftBetween(rehearsal(statement(0, null, 'DO')), [{ index: 0, rowsAffected: null }])).toEqual([]);
  });

  it('checks the total against an approved bound instead of exact counts', () => {
    const r = rehearsal(statement(0, 10), statement(1, 10));
    const observed = [
      { index: 0, rowsAffected: 12 },
      { index: 1, rowsAffected: 8 },
    ];
    expect(driftBetween(r, observed, 20)).toEqual([]);
    expect(driftBetween(r, observed, 19)).toEqual([expect.objectContaining({ approved: 19, observed: 20 })]);
  });
});

describe('configured database targets', () => {
  const config = parseConfig({
    environments: { prod: { protected: true, criticality: 'critical' }, dev: { protected: false } },
    databases: {
      shop: {
        engine: 'postgresql',
        host: 'db.internal',
        database: 'shop',
        environment: 'prod',
        owners: ['shop-team'],
        dependants: ['checkout'],
      },
      scratch: { engine: 'mariadb', host: '127.0.0.1', database: 'scratch', environment: 'dev' },
    },
  });

  it('recognises a connection by engine family, host, port (with defaults) and database', () => {
    expect(configuredDatabase(config.databases, { engine: 'postgresql', host: 'db.internal', port: 5432, database: 'shop' })?.name).toBe(
      'shop',
    );
    expect(configuredDatabase(config.databases, { engine: 'postgresql', host: 'DB.internal', database: 'shop' })?.name).toBe('shop');
    expect(configuredDatabase(config.databases, { engine: 'mysql', host: 'localhost', database: 'scratch' })?.name).toBe('scratch');
    expect(configuredDatabase(config.databases, { engine: 'mysql', database: 'scratch' })?.name).toBe('scratch');
  });

  it('does not take another port, host, database or engine for the target', () => {
    expect(configuredDatabase(config.databases, { engine: 'postgresql', host: 'db.internal', port: 6432, database: 'shop' })).toBeNull();
    expect(configuredDatabase(config.databases, { engine: 'postgresql', host: 'db2.internal', database: 'shop' })).toBeNull();
    expect(configuredDatabase(config.databases, { engine: 'postgresql', host: 'db.internal', database: 'shop_copy' })).toBeNull();
    expect(configuredDatabase(config.databases, { engine: 'mysql', host: 'db.internal', database: 'shop' })).toBeNull();
    expect(configuredDatabase(config.databases, { engine: 'postgresql', host: 'db.internal' })).toBeNull();
  });

  it("puts SQL on a target in the target's environment, with its owners and dependants as context", () => {
    const env = resolveEnvironment({
      config,
      targets: [{ type: 'database', engine: 'postgresql', host: 'db.internal', port: 5432, database: 'shop' }],
    });
    expect(env).toMatchObject({ name: 'prod', protected: true, criticality: 'critical' });
    expect(env.how).toContain('database target "shop"');
    expect(env.resources).toEqual([expect.objectContaining({ name: 'shop', owners: ['shop-team'], dependants: ['checkout'] })]);
    const dev = resolveEnvironment({ config, targets: [{ type: 'database', engine: 'mysql', host: '127.0.0.1', database: 'scratch' }] });
    expect(dev).toMatchObject({ name: 'dev', protected: false });
  });

  it('refuses a target naming an undefined environment, both password sources, or an unknown engine, naming the field', () => {
    expect(() => parseConfig({ databases: { shop: { engine: 'postgresql', database: 'shop', environment: 'prod' } } })).toThrow(
      /databases\.shop\.environment: "prod" is not an environment/,
    );
    expect(() =>
      parseConfig({ databases: { shop: { engine: 'postgresql', database: 'shop', passwordEnv: 'A', passwordFile: 'f' } } }),
    ).toThrow(/databases\.shop\.passwordFile: give passwordEnv or passwordFile, not both/);
    expect(() => parseConfig({ databases: { shop: { engine: 'oracle', database: 'shop' } } })).toThrow(/databases\.shop\.engine/);
    expect(() => parseConfig({ databases: { shop: { engine: 'postgresql', database: 'shop', password: 'hunter2' } } })).toThrow(
      /unknown field "password"/,
    );
    expect(() => parseConfig({ databases: { shop: { engine: 'postgresql', database: 'shop', lockTimeout: 'soon' } } })).toThrow(
      /databases\.shop\.lockTimeout/,
    );
  });
});

describe('values from drivers', () => {
  it('become JSON-safe: bigints and dates as text, bytes as hex, nested values kept', () => {
    expect(
      jsonSafeRow({
        id: 12n,
        at: new Date('2026-01-02T03:04:05.000Z'),
        blob: Uint8Array.from([0, 255, 16]),
        n: Number.NaN,
        doc: { a: [1, null] },
        none: undefined,
      }),
    ).toEqual({ id: '12', at: '2026-01-02T03:04:05.000Z', blob: '\\x00ff10', n: 'NaN', doc: { a: [1, null] }, none: null });
  });

  it('a plan rehearsal is recognised as a SQL rehearsal only when it has that shape', () => {
    expect(isSqlRehearsal(rehearsal(statement(0, 1)))).toBe(true);
    expect(isSqlRehearsal(null)).toBe(false);
    expect(isSqlRehearsal({ v: 1, target: 'x' })).toBe(false);
  });
});
