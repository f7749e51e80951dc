import { describe, expect, it } from 'vitest';
import type { RiskClass } from '../../../core/assessment.js';
import { kubernetesRules } from './kubernetes.js';
import { recordingContext, run } from './infra-test-kit.js';

const cases: ReadonlyArray<readonly [string, RiskClass]> = [
  // reads and dry runs
  ['kubectl get pods -n prod', 'read'],
  ['kubectl -n prod describe deploy api', 'read'],
  ['kubectl logs -f api-123 -c app', 'read'],
  ['kubectl top pods -A', 'read'],
  ['kubectl diff -f deploy.yaml', 'read'],
  ['kubectl explain pods', 'read'],
  ['kubectl delete ns prod --dry-run=client', 'read'],
  ['kubectl delete ns prod --dry-run=server', 'read'],
  ['kubectl delete ns prod --dry-run', 'read'],
  ['kubectl apply -f x.yaml --dry-run=server', 'read'],
  ['kubectl delete --help', 'read'],
  ['kubectl rollout status deploy/api', 'read'],
  ['kubectl config view', 'read'],
  ['kubectl auth can-i delete pods', 'read'],
  ['helm template ./chart', 'read'],
  ['helm diff upgrade api ./chart', 'read'],
  ['helm list -A', 'read'],
  ['helm status api -n prod', 'read'],
  ['helm repo update', 'read'],
  ['helm upgrade api ./chart --dry-run', 'read'],
  ['kustomize build overlays/prod', 'read'],
  ['argocd app get api', 'read'],
  ['argocd app diff api', 'read'],
  ['flux get kustomizations -A', 'read'],
  ['velero backup get', 'read'],
  ['kubeadm upgrade plan', 'read'],
  // writes
  ['kubectl apply -f deploy.yaml', 'write'],
  ['kubectl create deployment api --image=nginx', 'write'],
  ['kubectl patch deploy api -p {"spec":{}}', 'write'],
  ['kubectl edit deploy api', 'write'],
  ['kubectl label pods api env=prod --overwrite', 'write'],
  ['kubectl annotate deploy api a=b', 'write'],
  ['kubectl set image deploy/api app=api:v2', 'write'],
  ['kubectl rollout restart deploy/api -n prod', 'write'],
  ['kubectl rollout undo deploy/api', 'write'],
  ['kubectl scale deploy api --replicas=0', 'write'],
  ['kubectl scale --replicas 3 deploy/api', 'write'],
  ['kubectl cordon node-1', 'write'],
  ['kubectl drain node-1 --ignore-daemonsets', 'write'],
  ['kubectl delete pod api-123', 'write'],
  ['kubectl delete pods api-1 api-2 -n prod', 'write'],
  ['kubectl delete pod -l app=api', 'write'],
  ['kubectl delete po/api-123', 'write'],
  ['kubectl replace -f deploy.yaml', 'write'],
  ['kubectl config use-context prod', 'write'],
  ['helm install api ./chart -n prod', 'write'],
  ['helm upgrade --install api ./chart', 'write'],
  ['helm rollback api 3', 'write'],
  ['argocd app sync api', 'write'],
  ['flux reconcile kustomization apps', 'write'],
  ['velero backup create nightly', 'write'],
  ['kustomize edit set image api=api:v2', 'write'],
  ['kubeadm init', 'write'],
  // destructive
  ['kubectl delete deployment api', 'destructive'],
  ['kubectl delete deploy/api', 'destructive'],
  ['kubectl -n prod delete svc api', 'destructive'],
  ['kubectl delete deploy,svc -l app=api', 'destructive'],
  ['kubectl delete pvc data-db-0', 'destructive'],
  ['kubectl delete deploy -l app=api,env=prod', 'destructive'],
  ['kubectl delete deploy -l "environment in (prod)"', 'catastrophic'],
  ['kubectl delete pods --all -n staging', 'destructive'],
  ['kubectl delete pod api-1 --force --grace-period=0', 'destructive'],
  ['kubectl delete pod api-1 --grace-period 0 --force', 'destructive'],
  ['kubectl replace --force -f deploy.yaml', 'destructive'],
  ['kubectl delete -f deploy.yaml', 'destructive'],
  ['kubectl delete -k components/redis', 'destructive'],
  // look-alikes of an environment overlay: a component or one manifest inside an environment
  ['kubectl delete -k overlays/staging/redis', 'destructive'],
  ['kubectl delete -f overlays/staging/redis.yaml', 'destructive'],
  ['kubectl delete -k base', 'destructive'],
  ['kubectl delete -f staging.yaml', 'destructive'],
  ['kubectl drain node-1 --force', 'destructive'],
  ['kubectl delete node node-1', 'destructive'],
  ['helm uninstall api -n prod', 'destructive'],
  ['helm delete api', 'destructive'],
  ['argocd app delete api', 'destructive'],
  ['velero backup delete nightly', 'destructive'],
  ['flux delete kustomization apps', 'destructive'],
  // catastrophic
  ['kubectl delete ns prod', 'catastrophic'],
  ['kubectl -n prod delete namespace prod', 'catastrophic'],
  ['kubectl delete namespace/payments', 'catastrophic'],
  ['oc delete project payments', 'catastrophic'],
  ['kubectl delete deploy --all -n prod', 'catastrophic'],
  ['kubectl delete all --all', 'catastrophic'],
  ['kubectl delete pods --all -A', 'catastrophic'],
  ['kubectl delete deploy api --all-namespaces', 'catastrophic'],
  ['kubectl delete deploy -l env=prod', 'catastrophic'],
  ['kubectl delete svc --selector=environment=production', 'catastrophic'],
  ['kubectl delete crd certificates.cert-manager.io', 'catastrophic'],
  ['kubectl delete nodes --all', 'catastrophic'],
  ['kubectl delete pv --all', 'catastrophic'],
  ['kubectl delete -k overlays/prod', 'catastrophic'],
  ['kubectl delete -f k8s/overlays/production/', 'catastrophic'],
  // an environment overlay is the whole environment, whatever its name (RISK.md assumption 5)
  ['kubectl delete -k overlays/staging', 'catastrophic'],
  ['kubectl delete -k deploy/overlays/dev/', 'catastrophic'],
  ['kubectl -n web delete -k environments/qa', 'catastrophic'],
  ['kubectl delete -f envs/preview-42/', 'catastrophic'],
  ['kubectl apply --prune --all -f /dev/null', 'catastrophic'],
  ['kubeadm reset -f', 'catastrophic'],
  ['flux uninstall', 'catastrophic'],
  // unknown
  ['kubectl frobnicate pods', 'unknown'],
  ['helm frobnicate', 'unknown'],
  ['kubectl attach api-1 -it', 'unknown'],
  ['kubectl exec -it api-1 -- ', 'unknown'],
];

describe('kubernetesRules', () => {
  it.each(cases)('%s → %s', (line, risk) => {
    const { result, risk: got } = run(kubernetesRules, line);
    expect(got).toBe(risk);
    expect(result.kind).toBe('k8s');
    expect(result.effects.length).toBeGreaterThan(0);
  });

  it('gives every spelling of a namespace delete the same class and target', () => {
    const spellings = [
      'kubectl delete ns payments -n prod',
      'kubectl -n prod delete ns payments',
      'kubectl --namespace=prod delete namespace payments',
      'kubectl --namespace prod delete namespaces payments',
      'kubectl delete -nprod ns/payments',
      'kubectl delete ns payments --namespace=prod --context=prod-eu',
    ];
    for (const line of spellings) {
      const { result, risk } = run(kubernetesRules, line);
      expect(risk, line).toBe('catastrophic');
      expect(result.targets?.[0], line).toMatchObject({ type: 'kubernetes', namespace: 'prod' });
    }
    expect(run(kubernetesRules, 'kubectl --context=prod-eu delete ns x').result.targets?.[0]).toMatchObject({ context: 'prod-eu' });
    expect(run(kubernetesRules, 'kubectl --context prod-eu --kubeconfig /k delete ns x').result.targets?.[0]).toMatchObject({
      context: 'prod-eu',
    });
  });

  it('treats --force=false and --dry-run=none as not set', () => {
    expect(run(kubernetesRules, 'kubectl replace --force=false -f d.yaml').risk).toBe('write');
    expect(run(kubernetesRules, 'kubectl delete ns x --dry-run=none').risk).toBe('catastrophic');
  });

  it('classifies the command run by kubectl exec with its own kind, and keeps the k8s target', () => {
    const ctx = recordingContext();
    const { result, risk } = run(kubernetesRules, 'kubectl exec -it -n prod api-1 -c app -- rm -rf /data', {}, ctx);
    expect(ctx.seen).toEqual(['rm -rf /data']);
    expect(risk).toBe('destructive');
    expect(result.kind).toBe('shell');
    expect(result.targets?.[0]).toMatchObject({ type: 'kubernetes', namespace: 'prod' });
  });

  it('names each deleted namespace as a target, so its environment and context resolve', () => {
    const { result } = run(kubernetesRules, 'kubectl --context prod-eu delete namespace payments ns/checkout', {});
    expect(result.targets).toEqual([
      { type: 'kubernetes', context: 'prod-eu' },
      { type: 'kubernetes', context: 'prod-eu', namespace: 'payments' },
      { type: 'kubernetes', context: 'prod-eu', namespace: 'checkout' },
    ]);
  });

  it('reports kind sql for psql run through kubectl exec', () => {
    const ctx = recordingContext();
    const { result } = run(kubernetesRules, 'kubectl exec db-0 -- psql -c "DROP TABLE users"', {}, ctx);
    expect(ctx.seen).toEqual(['psql -c DROP TABLE users']);
    expect(result.kind).toBe('sql');
  });

  it('classifies the command of kubectl run', () => {
    const ctx = recordingContext({}, 'read');
    const { risk } = run(kubernetesRules, 'kubectl run tmp --rm -it --image=busybox -- ls /', {}, ctx);
    expect(ctx.seen).toEqual(['ls /']);
    expect(risk).toBe('write');
  });

  it('marks availability actions disruptive', () => {
    for (const line of [
      'kubectl scale deploy api --replicas=0',
      'kubectl rollout restart deploy/api',
      'kubectl drain n1',
      'kubectl cordon n1',
      'kubectl delete pod p',
    ]) {
      expect(
        run(kubernetesRules, line).result.effects.some((e) => e.disruptive),
        line,
      ).toBe(true);
    }
  });

  it('reads helm targets from --kube-context and -n', () => {
    expect(run(kubernetesRules, 'helm --kube-context prod uninstall api -n pay').result.targets?.[0]).toEqual({
      type: 'kubernetes',
      context: 'prod',
      namespace: 'pay',
    });
  });

  it('is fast', () => {
    const start = performance.now();
    for (let i = 0; i < 2000; i++) run(kubernetesRules, 'kubectl -n prod delete deploy api --grace-period=30 -l app=x');
    expect((performance.now() - start) / 2000).toBeLessThan(0.1);
  });
});
