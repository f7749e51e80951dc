/**
 * A workspace for approval tests: an airlock.yaml with a protected `prod` environment (Kubernetes
 * namespace `payments`, context `prod`), the `payments` resource in the inventory, and humans in
 * `prod-owners` (alice, bob) and outside it (carol). Under the default policy pack, destructive
 * actions there are held for two approvals from prod-owners.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The airlock.yaml written by {@link writeApprovalsConfig}. */
export const APPROVALS_CONFIG = `# Written by test/support/approvals-workspace.ts
environments:
  prod:
    protected: true
    criticality: critical
    match:
      namespaces: [payments]
      kubeContexts: [prod]
resources:
  - name: payments
    environment: prod
    criticality: critical
    owners: [payments-team]
    dependants: [checkout, billing]
    downtimeCostPerHour: 12000
    match:
      namespaces: [payments]
humans:
  - id: alice
    groups: [prod-owners]
  - id: bob
    groups: [prod-owners]
  - id: carol
    groups: [developers]
approvals:
  sessionTtl: 12h
`;

/** Passwords the tests set (at least 12 characters, as hashPassword requires). */
export const PASSWORDS = { alice: 'alice-correct-horse-1', bob: 'bob-battery-staple-22', carol: 'carol-tr0ub4dor-333' } as const;

/** A held command: destructive in prod, so it needs two approvals from prod-owners. */
export const HELD_ARGV = ['kubectl', 'delete', 'deployment', 'api', '-n', 'payments', '--context', 'prod'] as const;

/** Writes airlock.yaml into `dir`. */
export function writeApprovalsConfig(dir: string): void {
  writeFileSync(join(dir, 'airlock.yaml'), APPROVALS_CONFIG);
}
