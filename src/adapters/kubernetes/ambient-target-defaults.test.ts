import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmbientTargetDefaults } from './ambient-target-defaults.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'airlock-home-'));
  mkdirSync(join(home, '.kube'));
  writeFileSync(
    join(home, '.kube', 'config'),
    'apiVersion: v1\ncurrent-context: prod-eu-1\ncontexts:\n  - name: prod-eu-1\n    context: { cluster: eu, namespace: payments }\n  - name: dev\n    context: { cluster: kind }\n',
  );
  mkdirSync(join(home, '.config', 'gcloud', 'configurations'), { recursive: true });
  writeFileSync(join(home, '.config', 'gcloud', 'active_config'), 'work\n');
  writeFileSync(join(home, '.config', 'gcloud', 'configurations', 'config_work'), '[core]\naccount = a@example.com\nproject = acme-prod\n');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('AmbientTargetDefaults', () => {
  it('fills the current kube context and its namespace, and says where they came from', () => {
    const d = new AmbientTargetDefaults({ home, env: {} });
    const c = d.complete({ type: 'kubernetes' }, {});
    expect(c.target).toEqual({ type: 'kubernetes', context: 'prod-eu-1', namespace: 'payments' });
    expect(c.note).toMatch(/current kube context "prod-eu-1" and namespace "payments" of that context from .*config/);
  });

  it('keeps what the command said: an explicit namespace, and no context namespace for another context', () => {
    const d = new AmbientTargetDefaults({ home, env: {} });
    expect(d.complete({ type: 'kubernetes', namespace: 'web' }, {}).target).toEqual({
      type: 'kubernetes',
      context: 'prod-eu-1',
      namespace: 'web',
    });
    expect(d.complete({ type: 'kubernetes', context: 'dev' }, {}).target).toEqual({ type: 'kubernetes', context: 'dev' });
  });

  it("follows the action's KUBECONFIG, and a changed file", () => {
    const other = join(home, 'other.yaml');
    writeFileSync(other, 'current-context: staging-1\n');
    const d = new AmbientTargetDefaults({ home, env: {} });
    expect(d.complete({ type: 'kubernetes' }, { KUBECONFIG: other }).target).toMatchObject({ context: 'staging-1' });
    writeFileSync(other, 'current-context: staging-2\n');
    utimesSync(other, new Date(), new Date(Date.now() + 5000));
    expect(d.complete({ type: 'kubernetes' }, { KUBECONFIG: other }).target).toMatchObject({ context: 'staging-2' });
  });

  it('fills the active gcloud project', () => {
    const c = new AmbientTargetDefaults({ home, env: {} }).complete({ type: 'gcp' }, {});
    expect(c.target).toEqual({ type: 'gcp', project: 'acme-prod' });
    expect(c.note).toMatch(/active gcloud configuration "work"/);
  });

  it('leaves targets alone when there is nothing to read or the file is not YAML', () => {
    writeFileSync(join(home, '.kube', 'config'), ': : not yaml [');
    const d = new AmbientTargetDefaults({ home, env: {} });
    expect(d.complete({ type: 'kubernetes' }, {})).toEqual({ target: { type: 'kubernetes' } });
    expect(new AmbientTargetDefaults({ home: undefined, env: {} }).complete({ type: 'gcp' }, {})).toEqual({ target: { type: 'gcp' } });
  });
});
