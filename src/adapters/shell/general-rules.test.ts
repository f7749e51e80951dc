/**
 * Table-driven tests for general rules learned from held-out mismatches: each rule has positive
 * rows and look-alikes that must keep their class. Whole command lines go through the real shell
 * classifier (parser, wrappers, grammars, SQL).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../core/assessment.js';
import { SqlClassifier } from '../sql/sql-classifier.js';
import { ShellClassifier } from './shell-classifier.js';

let classifier: ShellClassifier;

beforeAll(async () => {
  classifier = await ShellClassifier.create({ sql: await SqlClassifier.create() });
});

type Row = readonly [command: string, risk: RiskClass, kind?: string, obfuscated?: boolean];

function table(rows: readonly Row[]): void {
  it.each(rows.map(([command, risk, kind, obfuscated]) => ({ command, risk, kind: kind ?? '', obfuscated })))(
    '$command → $risk',
    ({ command, risk, kind, obfuscated }) => {
      const a = classifier.classify(command);
      expect(a.risk, JSON.stringify(a.effects.map((e) => `${e.risk}: ${e.reason}`))).toBe(risk);
      if (kind !== '') expect(a.kind).toBe(kind);
      if (obfuscated !== undefined) expect(a.obfuscated).toBe(obfuscated);
    },
  );
}

describe('project runners run their command (bundle exec, poetry/pipenv/uv run)', () => {
  table([
    ['bundle exec rake db:drop', 'catastrophic', 'sql'],
    ['poetry run python manage.py flush --noinput', 'catastrophic'],
    ['pipenv run alembic downgrade base', 'catastrophic'],
    ['uv run -- rm -rf ~/projects', 'destructive'],
    ['bundle install', 'write'],
    ['bundle exec rspec', 'write'],
    ['poetry show', 'read'],
    ['uv run pytest -q', 'write'],
  ]);
});

describe('multi-call binaries run their applet (busybox, toybox)', () => {
  table([
    ["busybox sh -c 'rm -rf /srv/app/uploads'", 'destructive', 'shell', true],
    ['busybox rm -rf /', 'catastrophic'],
    ['toybox rm -f exports/users.csv', 'destructive'],
    ['busybox ls -la /srv', 'read'],
    ['busybox --list', 'read'],
  ]);
});

describe('kubectl drain: --delete-emptydir-data takes no value', () => {
  table([
    ['kubectl drain node-7 --ignore-daemonsets --delete-emptydir-data --force', 'destructive', 'k8s'],
    ['kubectl drain node-7 --delete-emptydir-data --ignore-daemonsets', 'write', 'k8s'],
    ['kubectl drain node-7 --delete-emptydir-data=true', 'write', 'k8s'],
  ]);
});

describe('etcd keys under /registry are Kubernetes objects', () => {
  table([
    ['etcdctl del /registry/configmaps/billing/app-settings', 'destructive'],
    ['etcdctl del /registry/deployments --prefix', 'catastrophic'],
    ['etcdctl del /registry/configmaps/billing/ --prefix', 'catastrophic'],
    ['etcdctl del /registry/namespaces/billing', 'catastrophic'],
    ['etcdctl del /registry/pods/billing/ --prefix', 'destructive'],
    ['etcdctl del /registry/pods/billing/web-5d9c-abcde', 'write'],
    ['etcdctl del /services/feature-flags/dark-mode', 'write'],
    ['etcdctl del /services/feature-flags --prefix', 'destructive'],
    ['etcdctl get /registry/secrets --prefix --keys-only', 'read'],
  ]);
});

describe('sh -c: positional parameters and scripts partly known before run time', () => {
  table([
    ['sh -c \'rm -rf "$1"\' _ /srv/app/uploads', 'destructive', 'shell', true],
    ['sh -c \'rm -rf "$1"\' _ node_modules', 'write', 'shell', true],
    ["find /srv/logs -name '*.log' -exec sh -c ': > \"$1\"' _ {} \\;", 'destructive', 'shell', true],
    ["find . -name '*.ts' -exec sh -c 'wc -l \"$1\"' _ {} \\;", 'read', 'shell', true],
    ['sh -c "rm -rf $TARGET"', 'destructive', 'shell', true],
    ['sh -c "ls $TARGET"', 'unknown'],
    ["docker ps -aq | xargs -I{} sh -c 'docker rm -f {}'", 'destructive', 'shell', true],
    ["ls | xargs -I{} sh -c 'echo {}'", 'unknown'],
  ]);
});

describe('ssh: the remote command reads the local stdin', () => {
  table([
    ["ssh app-1 bash -s <<'EOF'\nrm -rf /srv/app/uploads\nEOF", 'destructive', 'shell', true],
    ["ssh db-1 'psql -d shop' <<'SQL'\nTRUNCATE orders;\nSQL", 'destructive', 'sql', true],
    ["ssh db-1 'psql -d shop' <<'SQL'\nSELECT count(*) FROM orders;\nSQL", 'read', 'sql', true],
    ["ssh app-1 bash -s <<'EOF'\nuptime\nEOF", 'read'],
    ['ssh app-1 uptime', 'read'],
  ]);
});

describe('interpreter code: decoded literals, glob loops, drivers and SDKs', () => {
  table([
    // base64 → `rm -rf /srv/app/uploads`
    [`perl -MMIME::Base64 -e 'system(decode_base64("cm0gLXJmIC9zcnYvYXBwL3VwbG9hZHM="))'`, 'destructive', 'shell', true],
    [
      `python3 -c "import os, base64; os.system(base64.b64decode('cm0gLXJmIC9zcnYvYXBwL3VwbG9hZHM=').decode())"`,
      'destructive',
      'shell',
      true,
    ],
    // base64 → `ls -la`
    [`perl -MMIME::Base64 -e 'system(decode_base64("bHMgLWxh"))'`, 'read', 'shell', true],
    [`perl -MMIME::Base64 -e 'print decode_base64("aGVsbG8=")'`, 'read'],
    [`perl -e 'unlink glob("reports/*.parquet")'`, 'destructive', 'shell', true],
    [`perl -e 'unlink glob("dist/*.map")'`, 'write'],
    [`perl -e 'unlink "exports/q3.csv"'`, 'destructive'],
    [`python3 -c "import glob, os; [os.remove(p) for p in glob.glob('exports/*.csv')]"`, 'destructive', 'shell', true],
    [`python3 -c "import glob, os; [os.remove(p) for p in glob.glob('build/*.o')]"`, 'write'],
    [
      'python3 - <<\'EOF\'\nimport glob, subprocess\nfor p in glob.glob("dumps/*.sql.gz"):\n    subprocess.run(["rm", "-f", p])\nEOF',
      'destructive',
    ],
    [
      'python3 - <<\'EOF\'\nimport glob, subprocess\nfor p in glob.glob("dumps/*.sql.gz"):\n    subprocess.run(["ls", "-l", p])\nEOF',
      'read',
    ],
    [
      `python3 -c "from pymongo import MongoClient; MongoClient('mongodb://db:27017').drop_database('shop')"`,
      'catastrophic',
      'shell',
      true,
    ],
    [`python3 -c "from pymongo import MongoClient; MongoClient('mongodb://db:27017').shop.carts.drop()"`, 'destructive'],
    [`python3 -c "from pymongo import MongoClient; print(MongoClient('mongodb://db:27017').shop.carts.count_documents({}))"`, 'read'],
    [
      `python3 -c "from kubernetes import client, config; config.load_kube_config(); client.CoreV1Api().delete_namespace('shop')"`,
      'catastrophic',
      'k8s',
      true,
    ],
    [
      `python3 -c "from kubernetes import client, config; config.load_kube_config(); client.AppsV1Api().delete_namespaced_deployment('web', 'shop')"`,
      'destructive',
      'k8s',
    ],
    [
      `python3 -c "from kubernetes import client, config; config.load_kube_config(); client.CoreV1Api().delete_namespaced_pod('web-1', 'shop')"`,
      'write',
      'k8s',
    ],
    [
      `python3 -c "from kubernetes import client, config; config.load_kube_config(); print(client.CoreV1Api().list_namespace())"`,
      'read',
      'k8s',
    ],
    [
      `python3 -c "from azure.identity import DefaultAzureCredential as C; from azure.storage.blob import BlobServiceClient as B; B('https://x.blob.core.windows.net', C()).delete_container('archive')"`,
      'catastrophic',
      'azure',
      true,
    ],
    [
      `python3 -c "from azure.identity import DefaultAzureCredential as C; from azure.storage.blob import BlobServiceClient as B; B('https://x.blob.core.windows.net', C()).get_container_client('archive').delete_blob('a.csv')"`,
      'destructive',
      'azure',
    ],
    [
      `python3 -c "import boto3; s=boto3.client('sqs'); [s.delete_queue(QueueUrl=u) for u in s.list_queues()['QueueUrls']]"`,
      'catastrophic',
      'aws',
    ],
    [`python3 -c "import boto3; s=boto3.client('sqs'); s.delete_queue(QueueUrl='https://sqs/q1')"`, 'destructive', 'aws'],
    [`python3 -c "import boto3; print(boto3.client('sqs').list_queues())"`, 'read', 'aws'],
  ]);
});

describe('PowerShell cmdlets', () => {
  table([
    ['pwsh -NoProfile -Command "Remove-AzResourceGroup -Name rg-shop -Force"', 'catastrophic', 'azure', true],
    ['pwsh -Command "Remove-AzStorageAccount -ResourceGroupName rg -Name st1 -Force"', 'catastrophic', 'azure'],
    ['pwsh -c "Remove-AzVM -ResourceGroupName rg -Name vm1 -Force"', 'destructive', 'azure'],
    ['pwsh -c "Remove-AzResourceGroup -Name rg-shop -WhatIf"', 'read', 'azure'],
    ['pwsh -c "Get-AzResourceGroup | Format-Table"', 'read', 'azure', true],
    ['pwsh -c "Restart-AzWebApp -ResourceGroupName rg -Name web"', 'write', 'azure'],
    ['powershell -c "Remove-Item -Recurse -Force ./node_modules"', 'write'],
    ['powershell -c "Remove-Item -Recurse -Force /srv/app/uploads"', 'destructive'],
    ['pwsh -c "Invoke-Expression $cmd"', 'unknown'],
    ['pwsh ./deploy.ps1', 'unknown'],
  ]);
});

describe('filesystem look-alikes: rotation, link switches, scratch names', () => {
  table([
    ['mv /srv/logs/app.log /srv/logs/app.log.1', 'write'],
    ['cp shop.db shop.db.bak', 'write'],
    ['mv shop.db.bak shop.db', 'destructive'],
    ['mv notes.txt ~/.profile', 'destructive'],
    ['ln -sfn /srv/releases/42 /srv/app/current', 'write'],
    ['ln -sf /srv/releases/42 /srv/app/current', 'destructive'],
    ['rm -rf /tmp/ci-cache-$CI_JOB_ID', 'write'],
    ['rm -rf /tmp/$X', 'destructive'],
    ['rm -rf /tmp/a-$X/b', 'destructive'],
    ['kill -HUP 4242', 'write'],
    ['kill -s USR1 4242', 'write'],
    ['tcpdump -i any -c 100 -w /tmp/cap.pcap', 'read'],
    ['tcpdump -i any -c 100', 'read'],
    ['tcpdump -i any -w captures/cap.pcap', 'write'],
    ['lvs -o lv_name,lv_size && vgs', 'read'],
    ['netfilter-persistent save', 'write'],
    ['netfilter-persistent flush', 'destructive'],
    ['ssh-add ~/.ssh/id_ed25519', 'read'],
  ]);
});

describe('mass deletion from a listing', () => {
  table([
    ['aws sqs delete-queue --queue-url $(aws sqs list-queues --query "QueueUrls[0]" --output text)', 'catastrophic', 'aws'],
    ['az vm delete --ids $(az vm show -g rg -n vm1 --query id -o tsv) --yes', 'destructive', 'azure'],
    ['kubectl get cm -n shop -o name | xargs kubectl delete -n shop', 'catastrophic', 'k8s'],
    ['kubectl get cm -n shop -o wide', 'read', 'k8s'],
  ]);
});

describe('cloud filters and dry runs', () => {
  table([
    ["aws s3 rm s3://shop-exports --recursive --exclude 'keep/*'", 'catastrophic', 'aws'],
    ["aws s3 rm s3://shop-exports --recursive --exclude '*' --include '*.tmp'", 'destructive', 'aws'],
    ["aws s3 rm s3://shop-exports/2021/ --recursive --exclude 'keep/*'", 'destructive', 'aws'],
    ["az storage blob delete-batch --account-name st --source c1 --pattern 'old/*' --dryrun", 'read', 'azure'],
    ["az storage blob delete-batch --account-name st --source c1 --pattern 'old/*'", 'destructive', 'azure'],
  ]);
});
