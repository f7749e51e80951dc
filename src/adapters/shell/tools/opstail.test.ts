import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../../core/assessment.js';
import { type CompositeClassifier, createClassifier } from '../../classifier.js';

let classifier: CompositeClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
});

const assess = (command: string) => classifier.classify({ kind: 'shell', command });

/** Ops CLIs, local clusters, backups, registries, HTTP deletion endpoints and interpreter unwrapping, with look-alikes. */
const table: ReadonlyArray<readonly [string, RiskClass]> = [
  // local clusters: deleting one is cluster-wide; stopping keeps it
  ['kind delete cluster --name sandbox', 'catastrophic'],
  ['k3d cluster delete qa', 'catastrophic'],
  ['minikube delete -p demo', 'catastrophic'],
  ['minikube stop -p demo', 'write'],
  ['k3d cluster list', 'read'],
  // VMs and containers
  ['lxc delete runner-3 --force', 'destructive'],
  ['lxc launch ubuntu:22.04 runner-9', 'write'],
  ['lxc list', 'read'],
  ['virsh undefine vm2 --remove-all-storage', 'destructive'],
  ['virsh undefine vm2', 'write'],
  ['virsh destroy vm2', 'write'],
  ['virsh vol-delete disk.qcow2 --pool default', 'destructive'],
  ['hcloud server delete runner-1', 'destructive'],
  ['hcloud server reboot runner-1', 'write'],
  // stacks and PaaS
  ['sls remove --stage qa', 'catastrophic'],
  ['serverless deploy --stage qa', 'write'],
  ['sam delete --stack-name web-qa --no-prompts', 'catastrophic'],
  ['sam validate', 'read'],
  ['cf delete web -f', 'destructive'],
  ['cf delete-space qa -f', 'catastrophic'],
  ['cf push web', 'write'],
  ['firebase firestore:delete --all-collections --force', 'catastrophic'],
  ['firebase firestore:delete users/u1 --force', 'destructive'],
  ['firebase database:remove /sessions --force', 'destructive'],
  ['firebase deploy --only hosting', 'write'],
  // backups
  ['pgbackrest --stanza=db expire', 'destructive'],
  ['pgbackrest --stanza=db stanza-delete', 'catastrophic'],
  ['pgbackrest --stanza=db info', 'read'],
  ['pgbackrest --stanza=db backup --type=full', 'write'],
  ['wal-g delete retain 3 --confirm', 'destructive'],
  ['wal-g delete retain 3', 'read'],
  ['wal-g delete everything FORCE --confirm', 'catastrophic'],
  // registries and object stores
  ['skopeo delete docker://reg.example/app:1', 'destructive'],
  ['skopeo inspect docker://reg.example/app:1', 'read'],
  ['crane copy reg.example/a:1 reg.example/b:1', 'write'],
  ["s5cmd rm 's3://logs-bucket/*'", 'catastrophic'],
  ["s5cmd rm 's3://logs-bucket/2023/*'", 'destructive'],
  ['s5cmd ls s3://logs-bucket/', 'read'],
  ['influx bucket delete --name metrics', 'catastrophic'],
  ['influx query \'from(bucket:"m") |> range(start: -1h)\'', 'read'],
  // data and schedulers
  ["cqlsh -e 'DROP KEYSPACE shop'", 'catastrophic'],
  ["cqlsh -e 'TRUNCATE shop.carts'", 'destructive'],
  ["cqlsh -e 'DESCRIBE TABLES'", 'read'],
  ['airflow dags delete etl_daily -y', 'destructive'],
  ['airflow dags list-runs -d etl_daily', 'read'],
  ['airflow dags unpause etl_daily', 'write'],
  ['airflow db reset -y', 'catastrophic'],
  ['pulsar-admin topics delete persistent://t/ns/topic', 'destructive'],
  ['pulsar-admin namespaces delete t/ns', 'catastrophic'],
  // redis range deletions versus named keys
  ['redis-cli XTRIM stream MAXLEN 100', 'destructive'],
  ['redis-cli LTRIM queue 0 9', 'destructive'],
  ['redis-cli DEL session:1', 'write'],
  // process managers and hardware: availability only
  ['pm2 reload web', 'write'],
  ['pm2 flush', 'destructive'],
  ['supervisorctl stop worker', 'write'],
  ['scancel 42', 'write'],
  ['ipmitool -H 10.0.0.5 chassis power off', 'write'],
  ['ipmitool -H 10.0.0.5 chassis power status', 'read'],
  // read-only tools and installers
  ['trivy fs .', 'read'],
  ['apt-cache show curl', 'read'],
  ['logcli query \'{job="api"}\'', 'read'],
  ['puppet agent --test --noop', 'read'],
  ['puppet agent --test', 'write'],
  ['code --install-extension foo.bar', 'write'],
  ['rustup update', 'write'],
  ['azcopy copy ./site https://acct.blob.core.windows.net/web --recursive', 'write'],
  ['azcopy remove https://acct.blob.core.windows.net/web/a --recursive', 'destructive'],
  // HTTP deletion endpoints sent as POST
  ['curl -X POST \'http://search:9200/logs/_delete_by_query\' -d \'{"query":{"term":{"a":1}}}\'', 'destructive'],
  ['curl -X POST -g \'http://prom:9090/api/v1/admin/tsdb/delete_series?match[]={__name__=~".*"}\'', 'catastrophic'],
  ["curl -X POST -g 'http://prom:9090/api/v1/admin/tsdb/delete_series?match[]=up'", 'destructive'],
  ["curl -X POST 'http://search:9200/logs/_search' -d '{}'", 'write'],
  ['curl -X POST http://api/v1/deleted_items', 'write'],
  // caches are regenerable
  ['rm -rf ~/.m2/repository/org/example', 'write'],
  ['rm -rf /var/cache/nginx/*', 'write'],
  ['rm -rf ~/.m2', 'destructive'],
  ['rm -rf /var/lib/app', 'destructive'],
  // interpreters: perl list operators, stdin, rot13 and hex pack
  ["perl -e 'exec q{git clean -fdx}'", 'destructive'],
  ["perl -e 'system q{ls -la}'", 'read'],
  ["perl -e 'print q{rm -rf /}'", 'read'],
  ['perl -e \'system(pack("H*", "726d202d7266202f"))\'', 'catastrophic'],
  ['echo cm0gLXJmIC9ldGM= | python3 -c "import sys,base64,os; os.system(base64.b64decode(sys.stdin.read()).decode())"', 'catastrophic'],
  ['echo bHMgLWxh | python3 -c "import sys,base64,os; os.system(base64.b64decode(sys.stdin.read()).decode())"', 'read'],
  ["echo hi | python3 -c 'import sys; print(sys.stdin.read())'", 'read'],
  ["python3 -c \"import codecs,os; os.system(codecs.decode('ez -es /rgp','rot13'))\"", 'catastrophic'],
  ['ruby -e \'require "redis"; Redis.new.flushall\'', 'catastrophic'],
  ['ruby -e \'require "redis"; puts Redis.new.dbsize\'', 'read'],
];

describe('ops long-tail grammars and unwrapping', () => {
  it.each(table)('%s -> %s', (command, expected) => {
    expect(assess(command).risk).toBe(expected);
  });

  it('keeps the kind of the unwrapped command', () => {
    expect(assess("perl -e 'exec q{kubectl delete ns qa}'").kind).toBe('k8s');
    expect(assess("perl -e 'exec q{kubectl delete ns qa}'").obfuscated).toBe(true);
  });
});
