import { describe, expect, it } from 'vitest';
import type { ActionKind, RiskClass } from '../../../core/assessment.js';
import { cloudRules } from './cloud.js';
import { recordingContext, run } from './infra-test-kit.js';

const cases: ReadonlyArray<readonly [string, RiskClass]> = [
  ['aws ec2 describe-instances', 'read'],
  ['aws --profile prod --region us-east-1 s3 ls s3://b', 'read'],
  ['aws s3api list-buckets', 'read'],
  ['aws iam get-user --user-name bob', 'read'],
  ['aws s3 rm s3://b --recursive --dryrun', 'read'],
  ['aws ec2 terminate-instances --instance-ids i-1 --dry-run', 'read'],
  ['aws sts get-caller-identity', 'read'],
  ['aws help', 'read'],
  ['eksctl get clusters', 'read'],
  ['gcloud compute instances list --project p', 'read'],
  ['gcloud sql instances describe db1', 'read'],
  ['gsutil ls gs://b', 'read'],
  ['bq ls', 'read'],
  ['bq --dry_run query "DELETE FROM d.t WHERE true"', 'read'],
  ['bq query --dry_run "DELETE FROM d.t WHERE true"', 'read'],
  ['az vm list -g rg', 'read'],
  ['az group show -n rg', 'read'],
  ['aws ec2 stop-instances --instance-ids i-1', 'write'],
  ['aws ec2 reboot-instances --instance-ids i-1', 'write'],
  ['aws ec2 run-instances --image-id ami-1', 'write'],
  ['aws s3 cp a.txt s3://b/a.txt', 'write'],
  ['aws dynamodb delete-item --table-name t --key {"id":{"S":"1"}}', 'write'],
  ['aws cloudformation deploy --template-file t.yaml --stack-name s', 'write'],
  ['aws route53 change-resource-record-sets --hosted-zone-id Z --change-batch {"Changes":[{"Action":"UPSERT"}]}', 'write'],
  ['gcloud run deploy api --image gcr.io/p/api', 'write'],
  ['gcloud compute instances stop vm1 --zone z', 'write'],
  ['gsutil cp a gs://b/a', 'write'],
  ['bq mk d', 'write'],
  ['az vm stop -g rg -n vm1', 'write'],
  ['az group create -n rg -l eastus', 'write'],
  ['aws ec2 terminate-instances --instance-ids i-1', 'destructive'],
  ['aws s3 rm s3://b/key.txt', 'destructive'],
  ['aws s3 rm s3://b/logs/ --recursive', 'destructive'],
  ['aws s3 rm --recursive s3://b/logs/2024', 'destructive'],
  ['aws s3 rb s3://b', 'destructive'],
  ['aws s3 sync ./dist s3://b --delete', 'destructive'],
  ['aws rds delete-db-instance --db-instance-identifier db1', 'destructive'],
  ['aws dynamodb delete-table --table-name t', 'destructive'],
  ['aws logs put-retention-policy --log-group-name g --retention-in-days 1', 'destructive'],
  ['aws route53 change-resource-record-sets --hosted-zone-id Z --change-batch {"Changes":[{"Action":"DELETE"}]}', 'destructive'],
  ['aws iam delete-user --user-name bob', 'destructive'],
  ['aws iam delete-role --role-name r', 'destructive'],
  ['aws secretsmanager delete-secret --secret-id s', 'destructive'],
  ['aws sqs purge-queue --queue-url u', 'destructive'],
  ['aws lambda delete-function --function-name f', 'destructive'],
  ['eksctl delete nodegroup --cluster c --name ng', 'destructive'],
  ['gcloud compute instances delete vm1 --zone z --quiet', 'destructive'],
  ['gsutil rm gs://b/obj', 'destructive'],
  ['gsutil rm -r gs://b/prefix', 'destructive'],
  ['gsutil rb gs://b', 'destructive'],
  ['bq rm d.t', 'destructive'],
  ['bq rm -t d.t', 'destructive'],
  ['bq rm -f -t p:d.t', 'destructive'],
  ['az vm delete -g rg -n vm1 --yes', 'destructive'],
  ['aws ec2 terminate-instances --instance-ids $(aws ec2 describe-instances --query x --output text)', 'catastrophic'],
  ['aws ec2 terminate-instances --instance-ids i-1 i-2 i-3 i-4 i-5', 'catastrophic'],
  ['aws s3 rm s3://b --recursive', 'catastrophic'],
  ['aws s3 rm s3://b/ --recursive', 'catastrophic'],
  ['aws --region us-east-1 s3 rm --recursive s3://b', 'catastrophic'],
  ['aws s3 rb s3://b --force', 'catastrophic'],
  ['aws s3 sync /tmp/empty s3://b --delete', 'catastrophic'],
  ['aws rds delete-db-instance --db-instance-identifier db1 --skip-final-snapshot', 'catastrophic'],
  ['aws rds delete-db-cluster --skip-final-snapshot --db-cluster-identifier c', 'catastrophic'],
  ['aws cloudformation delete-stack --stack-name prod', 'catastrophic'],
  ['aws eks delete-cluster --name prod', 'catastrophic'],
  ['aws organizations close-account --account-id 1', 'catastrophic'],
  ['aws route53 delete-hosted-zone --id Z', 'catastrophic'],
  ['eksctl delete cluster --name prod', 'catastrophic'],
  ['eksctl delete cluster -f cluster.yaml', 'catastrophic'],
  ['gcloud sql instances delete db1', 'catastrophic'],
  ['gcloud projects delete my-proj --quiet', 'catastrophic'],
  ['gcloud container clusters delete prod --region r', 'catastrophic'],
  ['gcloud beta container clusters delete prod', 'catastrophic'],
  ['gsutil rm -r gs://b', 'catastrophic'],
  ['gsutil -m rm -r gs://b/', 'catastrophic'],
  ['gsutil rm gs://b/**', 'catastrophic'],
  ['gcloud storage rm -r gs://b', 'catastrophic'],
  ['gcloud storage rm --recursive gs://b/', 'catastrophic'],
  ['bq rm -r -f d', 'catastrophic'],
  ['bq rm -r -f -d p:d', 'catastrophic'],
  ['az group delete -n rg --yes', 'catastrophic'],
  ['az group delete --name rg', 'catastrophic'],
  ['az sql db delete -g rg -s srv -n db', 'catastrophic'],
  ['az aks delete -g rg -n c', 'catastrophic'],
  ['aws frobnicate do-thing', 'unknown'],
  ['aws ec2 frobnicate-thing', 'unknown'],
  ['gcloud frob', 'unknown'],
  ['gsutil frob', 'unknown'],
  ['bq frob', 'unknown'],
  ['az frob', 'unknown'],
];

const KIND: Readonly<Record<string, ActionKind>> = {
  aws: 'aws',
  eksctl: 'aws',
  gcloud: 'gcloud',
  gsutil: 'gcloud',
  bq: 'gcloud',
  az: 'azure',
};

describe('cloudRules', () => {
  it.each(cases)('%s → %s', (line, risk) => {
    const { result, risk: got } = run(cloudRules, line);
    expect(got).toBe(risk);
    expect(result.kind).toBe(KIND[line.split(' ')[0]!]);
  });

  it('gives every spelling of a bucket wipe the same class', () => {
    for (const line of [
      'aws s3 rm s3://b --recursive',
      'aws s3 rm --recursive s3://b/',
      'aws --profile p s3 rm s3://b --recursive --region r',
      'aws s3 rm s3://b/ --recursive --quiet',
      'gsutil -m rm -r gs://b',
      'gsutil rm -R gs://b',
      'gcloud storage rm -r gs://b',
    ]) {
      expect(run(cloudRules, line).risk, line).toBe('catastrophic');
    }
  });

  it('is fast', () => {
    const start = performance.now();
    for (let i = 0; i < 2000; i++) run(cloudRules, 'aws --profile p ec2 terminate-instances --instance-ids i-1 --region r');
    expect((performance.now() - start) / 2000).toBeLessThan(0.1);
  });

  it('marks stops and reboots disruptive', () => {
    expect(run(cloudRules, 'aws ec2 stop-instances --instance-ids i-1').result.effects[0]?.disruptive).toBe(true);
    expect(run(cloudRules, 'aws ec2 reboot-instances --instance-ids i-1').result.effects[0]?.disruptive).toBe(true);
  });

  it('reads aws profile and region from flags, then command env, then context env', () => {
    expect(run(cloudRules, 'aws --profile p --region r s3 ls').result.targets?.[0]).toEqual({ type: 'aws', profile: 'p', region: 'r' });
    expect(run(cloudRules, 'aws s3 ls --profile=p --region=r').result.targets?.[0]).toEqual({ type: 'aws', profile: 'p', region: 'r' });
    expect(run(cloudRules, 'aws s3 ls', { AWS_PROFILE: 'e', AWS_DEFAULT_REGION: 'eu' }).result.targets?.[0]).toEqual({
      type: 'aws',
      profile: 'e',
      region: 'eu',
    });
    const ctx = recordingContext({ AWS_PROFILE: 'c', AWS_REGION: 'us' });
    expect(run(cloudRules, 'aws s3 ls', {}, ctx).result.targets?.[0]).toEqual({ type: 'aws', profile: 'c', region: 'us' });
  });

  it('reads the gcp project and azure subscription and group', () => {
    expect(run(cloudRules, 'gcloud --project p sql instances delete db').result.targets?.[0]).toMatchObject({ type: 'gcp', project: 'p' });
    expect(run(cloudRules, 'gcloud sql instances delete db', { CLOUDSDK_CORE_PROJECT: 'q' }).result.targets?.[0]).toMatchObject({
      project: 'q',
    });
    expect(run(cloudRules, 'az vm delete --subscription s -g rg -n vm').result.targets?.[0]).toEqual({
      type: 'azure',
      subscription: 's',
      resourceGroup: 'rg',
    });
    expect(run(cloudRules, 'az group delete -n rg').result.targets?.[0]).toEqual({ type: 'azure', resourceGroup: 'rg' });
  });

  // Copying an object to "-" streams it to stdout: nothing is written anywhere.
  it.each([
    ['aws s3 cp s3://b/logs/app.log -', 'read'],
    ['aws --region eu-west-1 s3 cp s3://b/k - --quiet', 'read'],
    ['gsutil cp gs://b/o -', 'read'],
    ['gcloud storage cp gs://b/o -', 'read'],
    ['gcloud storage cat gs://b/o', 'read'],
    // look-alikes that still write
    ['aws s3 cp - s3://b/k', 'write'],
    ['aws s3 cp s3://b/k ./k', 'write'],
    ['aws s3 cp s3://b/prefix - --recursive', 'write'],
    ['aws s3 mv s3://b/k -', 'write'],
    ['gsutil cp - gs://b/o', 'write'],
  ] as const)('copy to stdout: %s → %s', (line, risk) => {
    expect(run(cloudRules, line).risk).toBe(risk);
  });

  // `help` as the operand of an operation prints its manual; `help` as an option value or a
  // resource name is just a name.
  it.each([
    ['aws cloudformation delete-stack help', 'read'],
    ['aws ec2 terminate-instances help', 'read'],
    ['aws --profile prod rds delete-db-instance help', 'read'],
    ['aws s3 rb help', 'read'],
    ['gcloud sql instances help', 'read'],
    ['az group help', 'read'],
    // look-alikes
    ['aws cloudformation delete-stack --stack-name help', 'catastrophic'],
    ['aws s3 rm s3://b/help', 'destructive'],
    ['gcloud compute instances delete help --zone z', 'destructive'],
    ['gcloud sql instances delete help', 'catastrophic'],
  ] as const)('help operand: %s → %s', (line, risk) => {
    expect(run(cloudRules, line).risk).toBe(risk);
  });

  it('classifies SQL sent through bq query and rds-data', () => {
    const ctx = recordingContext();
    run(cloudRules, 'bq query --use_legacy_sql=false "DELETE FROM d.t WHERE true"', {}, ctx);
    run(cloudRules, 'aws rds-data execute-statement --resource-arn a --sql "DROP TABLE x"', {}, ctx);
    expect(ctx.seen).toEqual(['DELETE FROM d.t WHERE true', 'DROP TABLE x']);
  });
});
