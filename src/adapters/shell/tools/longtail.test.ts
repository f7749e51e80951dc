import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../../core/assessment.js';
import { type CompositeClassifier, createClassifier } from '../../classifier.js';

let classifier: CompositeClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
});

const risk = (command: string): RiskClass => classifier.classify({ kind: 'shell', command }).risk;

/** Long-tail CLIs: each line with the class RISK.md gives it, flags in any order. */
const grammar: ReadonlyArray<readonly [string, RiskClass]> = [
  // PaaS
  ['heroku ps -a shop-api', 'read'],
  ['heroku logs -n 200 -a shop-api', 'read'],
  ['heroku pg:backups -a shop-api', 'read'],
  ['heroku pg:backups:capture --app shop-api', 'write'],
  ['heroku ps:restart web.1 -a shop-api', 'write'],
  ['heroku config:unset SENTRY_DSN -a shop-api', 'destructive'],
  ['heroku pg:backups:delete a012 --confirm shop-api -a shop-api', 'destructive'],
  ['heroku -a shop-api pg:reset HEROKU_POSTGRESQL_RED --confirm shop-api', 'catastrophic'],
  ['heroku pg:copy shop-api::DATABASE_URL HEROKU_POSTGRESQL_BLUE -a shop-staging', 'catastrophic'],
  ['heroku apps:destroy --app shop-old --confirm shop-old', 'catastrophic'],
  ['heroku pg:psql -a shop-api -c "SELECT count(*) FROM orders"', 'read'],
  ['heroku pg:psql -a shop-api -c "TRUNCATE carts"', 'destructive'],
  ['heroku run rails console -a shop-api', 'unknown'],
  ['fly machines list -a shop', 'read'],
  ['fly scale count 2 -a shop', 'write'],
  ['fly volumes destroy vol_abc -a shop --yes', 'destructive'],
  ['flyctl apps destroy shop-preview --yes', 'catastrophic'],
  ['vercel env ls', 'read'],
  ['vercel deploy --prebuilt', 'write'],
  ['vercel env rm STRIPE_KEY preview --yes', 'destructive'],
  ['doctl compute droplet get 1234', 'read'],
  ['doctl compute droplet delete 1234 --force', 'destructive'],
  ['doctl databases delete 2f1c --force', 'catastrophic'],
  ['doctl kubernetes cluster delete k8s-stage --dangerous', 'catastrophic'],
  ['glab mr list --assignee=@me', 'read'],
  ['glab repo delete group/app --yes', 'catastrophic'],
  // object stores
  ['mc ls minio/reports', 'read'],
  ['mc cp ./a.csv minio/reports/2024/a.csv', 'write'],
  ['mc rm minio/reports/2024/a.csv', 'destructive'],
  ['mc rm --force --recursive minio/reports/2023/', 'destructive'],
  ['mc rm --recursive --force minio/reports', 'catastrophic'],
  ['mc rb minio/scratch', 'destructive'],
  ['mc rb minio/reports --force', 'catastrophic'],
  ['mc mirror ./site minio/www', 'write'],
  ['mc mirror --remove ./site minio/www', 'destructive'],
  ['mc ilm rule add --expire-days 30 --prefix tmp/ minio/reports', 'destructive'],
  ['mc ilm rule add minio/reports --expire-days 7', 'catastrophic'],
  ['s3cmd ls s3://reports', 'read'],
  ['s3cmd put a.csv s3://reports/a.csv', 'write'],
  ['s3cmd sync ./out s3://reports/out/', 'write'],
  ['s3cmd sync --delete-removed ./out s3://reports/out/', 'destructive'],
  ['s3cmd del s3://reports/a.csv', 'destructive'],
  ['s3cmd del --recursive s3://reports/tmp/', 'destructive'],
  ['s3cmd del --recursive --force s3://reports', 'catastrophic'],
  ['s3cmd rb s3://scratch', 'destructive'],
  ['s3cmd rb --force --recursive s3://reports', 'catastrophic'],
  ['rclone lsd gdrive:', 'read'],
  ['rclone copy ./out r2:reports/out', 'write'],
  ['rclone sync ./out r2:reports/out', 'destructive'],
  ['rclone sync -n ./out r2:reports/out', 'read'],
  ['rclone purge r2:reports/2023', 'destructive'],
  ['rclone purge r2:reports', 'catastrophic'],
  ['rclone delete r2:reports/tmp --min-age 7d', 'destructive'],
  ['rclone rmdirs r2:reports/tmp', 'write'],
  // backups
  ['restic -r /mnt/restic snapshots', 'read'],
  ['restic backup /srv/data -r /mnt/restic', 'write'],
  ['restic forget --keep-daily 7 -r /mnt/restic', 'destructive'],
  ['restic -r /mnt/restic forget --keep-daily 7 -n', 'read'],
  ['restic -r /mnt/restic prune', 'destructive'],
  ['borg info /mnt/borg', 'read'],
  ['borg create /mnt/borg::nightly /srv/data', 'write'],
  ['borg delete /mnt/borg::nightly-2024-01-01', 'destructive'],
  ['borg delete /mnt/borg', 'catastrophic'],
  ['borg prune --keep-daily=7 /mnt/borg', 'destructive'],
  ['borg prune -n --keep-daily=7 /mnt/borg', 'read'],
  // brokers and registries
  ['nats stream ls', 'read'],
  ['nats kv get SETTINGS feature.x', 'read'],
  ['nats kv put SETTINGS feature.x on', 'write'],
  ['nats kv del SETTINGS feature.x', 'destructive'],
  ['nats stream purge EVENTS -f', 'destructive'],
  ['rabbitmqctl list_vhosts', 'read'],
  ['rabbitmqctl add_user alice secret', 'write'],
  ['rabbitmqctl stop_app', 'write'],
  ['rabbitmqctl delete_queue jobs.retry -p /shop', 'destructive'],
  ['rabbitmqctl -p /shop purge_queue jobs', 'destructive'],
  ['rabbitmqctl force_reset', 'catastrophic'],
  ['rabbitmqctl delete_vhost /shop', 'catastrophic'],
  ['rabbitmqadmin list queues name messages', 'read'],
  ['rabbitmqadmin declare queue name=jobs durable=true', 'write'],
  ['rabbitmqadmin delete exchange name=events', 'destructive'],
  ['consul kv get app/feature', 'read'],
  ['consul kv put app/feature on', 'write'],
  ['consul kv delete app/feature', 'destructive'],
  ['consul kv delete -recurse app/', 'destructive'],
  ['consul kv delete -recurse ""', 'catastrophic'],
  ['nomad job status web', 'read'],
  ['nomad job plan web.nomad.hcl', 'read'],
  ['nomad job run web.nomad.hcl', 'write'],
  ['nomad job stop web', 'write'],
  ['nomad job stop -purge web', 'destructive'],
  ['nomad node drain -enable -yes 3f2a', 'write'],
  // configuration management
  ['ansible all -i hosts -m ping', 'read'],
  ['ansible-playbook -i hosts deploy.yml --check', 'read'],
  ['ansible-playbook -i hosts deploy.yml', 'unknown'],
  ['ansible web -i hosts -b -m service -a "name=nginx state=reloaded"', 'write'],
  ['ansible web -i hosts -m file -a "path=/tmp/build-cache state=absent"', 'write'],
  ['ansible db -i hosts -b -m file -a "path=/srv/app/uploads state=absent"', 'destructive'],
  ['ansible db -i hosts -b -m shell -a "rm -rf /var/lib/mysql"', 'catastrophic'],
  ['ansible db -i hosts -a "uptime"', 'read'],
  ["salt '*' test.ping", 'read'],
  ["salt 'web*' pkg.install nginx", 'write'],
  ["salt 'web*' service.stop nginx", 'write'],
  ["salt 'db*' cmd.run 'rm -rf /srv/app/uploads'", 'destructive'],
  ["salt 'db*' state.apply mysql", 'unknown'],
  ["salt 'db*' state.highstate test=True", 'read'],
  // Kubernetes dev loops and kubectl plugins
  ['tilt up', 'write'],
  ['tilt down', 'destructive'],
  ['skaffold render -p dev', 'read'],
  ['skaffold dev --port-forward', 'write'],
  ['skaffold delete', 'destructive'],
  ['stern api -n shop --since 5m', 'read'],
  ['kubectl cnpg status pg-main -n db', 'read'],
  ['kubectl argo rollouts list rollouts -n shop', 'read'],
  ['kubectl argo rollouts retry rollout web -n shop', 'write'],
  ['kubectl krew install ctx', 'write'],
  ['kubectl cnpg destroy pg-main 3 -n db', 'destructive'],
  // SQL migration and modelling CLIs
  ['goose -dir migrations postgres "$DB" up', 'write'],
  ['goose -dir migrations postgres "$DB" status', 'read'],
  ['goose -dir migrations postgres "$DB" reset', 'catastrophic'],
  ['goose -dir migrations postgres "$DB" down', 'unknown'],
  ['sqitch status db:pg:shop', 'read'],
  ['sqitch deploy db:pg:shop', 'write'],
  ['sqitch revert -y db:pg:shop', 'catastrophic'],
  ['dbt ls --select tag:daily', 'read'],
  ['dbt build --select orders', 'write'],
  ['dbt run-operation drop_old_schemas', 'unknown'],
  // container runtimes
  ['crictl images', 'read'],
  ['crictl pods', 'unknown'],
  ['nerdctl -n k8s.io ps -a', 'read'],
];

/** CLIs without a grammar: only a plainly read-only verb is read; deleting words never are. */
const fallback: ReadonlyArray<readonly [string, RiskClass]> = [
  ['linode-cli linodes list', 'read'],
  ['pscale branch list shop', 'read'],
  ['pscale branch show shop main', 'read'],
  ['exoscale compute instance show web-1', 'read'],
  ['somecli --help', 'read'],
  ['somecli status', 'read'],
  ['pscale branch delete shop main', 'unknown'],
  ['pscale branch list shop --force', 'unknown'],
  ['linode-cli linodes delete 123', 'unknown'],
  ['somecli list -f', 'unknown'],
  ['somecli install list', 'unknown'],
  ['somecli create show', 'unknown'],
  ['somecli purge status', 'unknown'],
  ['somecli status --wipe', 'unknown'],
  ['somecli status "$TARGET"', 'unknown'],
  ['somecli get config', 'unknown'],
  ['somecli test', 'unknown'],
  ['./scripts/ops.sh status', 'unknown'],
  ['ops.py list', 'unknown'],
  ['somecli', 'unknown'],
  ['somecli a b c d list', 'unknown'],
];

/** Look-alikes that must not change class. */
const lookAlikes: ReadonlyArray<readonly [string, RiskClass]> = [
  ['echo "rclone purge r2:reports"', 'read'],
  ['mc --help', 'read'],
  ['rclone purge --dry-run r2:reports', 'read'],
  ['git switch main', 'write'],
  ['git switch --discard-changes main', 'destructive'],
  ['zfs destroy -nv tank/data@snap1', 'read'],
  ['zfs destroy tank/data@snap1', 'destructive'],
  ['mkfs.ext4 -n /dev/sdb1', 'read'],
  ['mkfs.ext4 /dev/sdb1', 'catastrophic'],
  ['redis-cli SHUTDOWN', 'write'],
  ['redis-cli SHUTDOWN NOSAVE', 'destructive'],
  ['terraform apply -refresh-only', 'write'],
  ['terraform apply -refresh-only -auto-approve', 'destructive'],
  ['crontab -l', 'read'],
  ['crontab jobs.cron', 'write'],
  ['printf "" | crontab -', 'destructive'],
  ['printf "0 * * * * /bin/true\\n" | crontab -', 'write'],
  ['gh api -X DELETE repos/org/app', 'catastrophic'],
  ['gh api -X DELETE repos/org/app/git/refs/heads/old', 'destructive'],
  ['gh api -X DELETE repos/org/app/actions/caches?key=deps-', 'write'],
  ['aws cognito-idp admin-get-user --user-pool-id p --username u', 'read'],
  ['aws cognito-idp admin-delete-user --user-pool-id p --username u', 'destructive'],
  ['gcloud scheduler jobs pause job-1 --location=us-central1', 'write'],
  ['supabase stop', 'write'],
  ['supabase stop --no-backup', 'destructive'],
];

describe('long-tail CLI grammars', () => {
  it.each(grammar)('%s → %s', (command, expected) => expect(risk(command)).toBe(expected));
});

describe('read-only fallback for CLIs without a grammar', () => {
  it.each(fallback)('%s → %s', (command, expected) => expect(risk(command)).toBe(expected));
});

describe('look-alikes keep their class', () => {
  it.each(lookAlikes)('%s → %s', (command, expected) => expect(risk(command)).toBe(expected));
});

describe('kinds', () => {
  it.each([
    ['tilt down', 'k8s'],
    ['stern api', 'k8s'],
    ['goose postgres "$DB" up', 'sql'],
    ['dbt run', 'sql'],
    ['rclone ls r2:', 'shell'],
  ] as const)('%s is %s', (command, kind) => expect(classifier.classify({ kind: 'shell', command }).kind).toBe(kind));
  it('marks availability-only verbs as disruptive', () => {
    expect(classifier.classify({ kind: 'shell', command: 'nomad job stop web' }).disruptive).toBe(true);
    expect(classifier.classify({ kind: 'shell', command: 'nomad job run web.hcl' }).disruptive).toBe(false);
  });
});
