import { describe, expect, it } from 'vitest';
import type { Target } from './assessment.js';
import { parseConfig } from './config.js';
import { globMatch, resolveEnvironment } from './environment.js';

const config = parseConfig({
  environments: {
    prod: {
      protected: true,
      criticality: 'critical',
      match: {
        kubeContexts: ['prod-*'],
        namespaces: ['payments'],
        awsProfiles: ['prod'],
        databaseHosts: ['db.prod.internal'],
        paths: ['/srv/prod'],
      },
    },
    staging: { protected: false, match: { kubeContexts: ['staging-*'], awsProfiles: ['staging'] } },
    dev: { protected: false, match: { local: true } },
  },
  resources: [
    {
      name: 'payments-api',
      environment: 'prod',
      criticality: 'critical',
      owners: ['team-payments'],
      dependants: ['checkout'],
      downtimeCostPerHour: 50000,
      match: { namespaces: ['payments'] },
    },
  ],
});

describe('globMatch', () => {
  it.each([
    ['prod-*', 'prod-eu-1', true],
    ['prod-*', 'preprod-eu', false],
    ['*.prod.internal', 'db.prod.internal', true],
    ['a.b', 'aXb', false],
    ['db?', 'db1', true],
  ])('%s ~ %s → %s', (p, v, want) => expect(globMatch(p, v)).toBe(want));
});

describe('resolveEnvironment', () => {
  const cases: { name: string; targets: Target[]; explicit?: string; env: string; protected: boolean; how: RegExp }[] = [
    {
      name: 'kube context glob',
      targets: [{ type: 'kubernetes', context: 'prod-eu-1' }],
      env: 'prod',
      protected: true,
      how: /kube context "prod-eu-1" matched kubeContexts "prod-\*"/,
    },
    {
      name: 'namespace',
      targets: [{ type: 'kubernetes', namespace: 'payments' }],
      env: 'prod',
      protected: true,
      how: /namespace "payments"/,
    },
    { name: 'aws profile', targets: [{ type: 'aws', profile: 'staging' }], env: 'staging', protected: false, how: /AWS profile/ },
    {
      name: 'database host',
      targets: [{ type: 'database', host: 'db.prod.internal', port: 5432 }],
      env: 'prod',
      protected: true,
      how: /database host/,
    },
    {
      name: 'path prefix',
      targets: [{ type: 'path', path: '/srv/prod/uploads' }],
      env: 'prod',
      protected: true,
      how: /under paths "\/srv\/prod"/,
    },
    {
      name: 'local only → the local environment',
      targets: [{ type: 'path', path: 'src/index.ts' }],
      env: 'dev',
      protected: false,
      how: /local/,
    },
    { name: 'no targets → local', targets: [], env: 'dev', protected: false, how: /local/ },
    {
      name: 'staging and prod both hit → prod wins',
      targets: [
        { type: 'kubernetes', context: 'staging-1' },
        { type: 'aws', profile: 'prod' },
      ],
      env: 'prod',
      protected: true,
      how: /also matched staging/,
    },
    {
      name: 'unknown remote → unresolved and protected',
      targets: [{ type: 'gcp', project: 'other' }],
      env: 'unresolved',
      protected: true,
      how: /matched no environment/,
    },
    {
      name: 'explicit name as protected as the inferred one is used',
      targets: [],
      explicit: 'staging',
      env: 'staging',
      protected: false,
      how: /explicitly/,
    },
    {
      name: 'explicit stricter name wins',
      targets: [{ type: 'kubernetes', context: 'staging-1' }],
      explicit: 'prod',
      env: 'prod',
      protected: true,
      how: /explicitly/,
    },
    {
      name: 'explicit looser name never lowers protection',
      targets: [{ type: 'kubernetes', context: 'prod-eu-1' }],
      explicit: 'staging',
      env: 'prod',
      protected: true,
      how: /named "staging", which is less protected, so it was not used/,
    },
    { name: 'explicit undefined name → protected', targets: [], explicit: 'qa', env: 'unresolved', protected: true, how: /not defined/ },
  ];
  it.each(cases)('$name', (c) => {
    const env = resolveEnvironment({ config, targets: c.targets, ...(c.explicit ? { explicit: c.explicit } : {}) });
    expect(env.name).toBe(c.env);
    expect(env.protected).toBe(c.protected);
    expect(env.how).toMatch(c.how);
  });

  it('never takes an action of unknown effect as local', () => {
    const env = resolveEnvironment({ config, targets: [], knownEffect: false });
    expect(env).toMatchObject({ name: 'unresolved', protected: true });
    expect(env.how).toMatch(/not assumed local/);
  });

  it('attaches the context of matching resources', () => {
    const env = resolveEnvironment({ config, targets: [{ type: 'kubernetes', namespace: 'payments' }] });
    expect(env.resources).toEqual([
      { name: 'payments-api', criticality: 'critical', owners: ['team-payments'], dependants: ['checkout'], downtimeCostPerHour: 50000 },
    ]);
    expect(env.criticality).toBe('critical');
  });

  it('treats everything unresolved as protected on embedded defaults, unless configured otherwise', () => {
    expect(resolveEnvironment({ config: parseConfig({}), targets: [] }).protected).toBe(true);
    expect(resolveEnvironment({ config: parseConfig({ unresolved: 'unprotected' }), targets: [] }).protected).toBe(false);
  });
});
