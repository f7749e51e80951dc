import { describe, expect, it } from 'vitest';
import type { RiskClass } from '../../../core/assessment.js';
import { iacRules } from './iac.js';
import { recordingContext, run } from './infra-test-kit.js';

const cases: ReadonlyArray<readonly [string, RiskClass]> = [
  ['terraform plan', 'read'],
  ['terraform plan -destroy', 'read'],
  ['terraform plan -destroy -out=tf.plan', 'read'],
  ['terraform -chdir=envs/prod plan', 'read'],
  ['terraform show tf.plan', 'read'],
  ['terraform validate', 'read'],
  ['terraform output -json', 'read'],
  ['terraform state list', 'read'],
  ['terraform state show aws_instance.web', 'read'],
  ['terraform init', 'read'],
  ['terraform fmt -check', 'read'],
  ['terraform workspace list', 'read'],
  ['terraform --help', 'read'],
  ['tofu plan', 'read'],
  ['terragrunt plan', 'read'],
  ['terragrunt run-all plan', 'read'],
  ['pulumi preview', 'read'],
  ['pulumi up --preview-only', 'read'],
  ['pulumi stack ls', 'read'],
  ['cdk diff', 'read'],
  ['cdk synth', 'read'],
  ['cdktf diff', 'read'],
  ['terraform apply', 'write'],
  ['terraform apply tf.plan', 'write'],
  ['terraform apply -auto-approve tf.plan', 'write'],
  ['terraform init -upgrade', 'write'],
  ['terraform import aws_instance.web i-123', 'write'],
  ['terraform untaint aws_instance.web', 'write'],
  ['terraform workspace new staging', 'write'],
  ['tofu apply', 'write'],
  ['terragrunt apply', 'write'],
  ['terragrunt run-all apply', 'write'],
  ['pulumi up', 'write'],
  ['pulumi up -s prod', 'write'],
  ['pulumi config set region us-east-1', 'write'],
  ['cdk deploy', 'write'],
  ['cdk deploy MyStack --require-approval broadening', 'write'],
  ['cdktf deploy', 'write'],
  ['terraform apply -auto-approve', 'destructive'],
  ['terraform apply --auto-approve', 'destructive'],
  ['terraform -chdir=prod apply -auto-approve=true', 'destructive'],
  ['terraform apply -replace=aws_instance.web', 'destructive'],
  ['terraform apply -replace aws_instance.web', 'destructive'],
  ['terraform taint aws_instance.web', 'destructive'],
  ['terraform destroy -target=aws_instance.web', 'destructive'],
  ['terraform destroy -target aws_instance.web -auto-approve', 'destructive'],
  ['terraform apply -destroy -target=module.cache', 'destructive'],
  ['terraform state rm aws_db_instance.main', 'destructive'],
  ['terraform state mv a b', 'destructive'],
  ['terraform state push -force old.tfstate', 'destructive'],
  ['terraform force-unlock 1234', 'destructive'],
  ['terraform workspace delete staging', 'destructive'],
  ['tofu apply -auto-approve', 'destructive'],
  ['terragrunt apply -auto-approve', 'destructive'],
  ['terragrunt run-all apply --terragrunt-non-interactive', 'destructive'],
  ['terragrunt run --all -- apply -auto-approve', 'destructive'],
  ['pulumi up --yes', 'destructive'],
  ['pulumi up -y', 'destructive'],
  ['pulumi up --replace urn:pulumi:x', 'destructive'],
  ['pulumi destroy --target urn:x', 'destructive'],
  ['pulumi state delete urn:x', 'destructive'],
  ['pulumi stack rm prod', 'destructive'],
  ['cdk deploy --require-approval never', 'destructive'],
  ['cdk deploy --require-approval=never MyStack', 'destructive'],
  ['cdktf deploy --auto-approve', 'destructive'],
  // replacing a whole data store, cluster or filesystem is judged by resource type, never by name
  ['terraform apply -replace=aws_db_instance.main -auto-approve', 'catastrophic'],
  ['terraform apply -replace=aws_db_instance.main', 'catastrophic'],
  ['terraform apply -replace=module.data.google_sql_database_instance.primary[0]', 'catastrophic'],
  ['tofu apply -replace=aws_rds_cluster.app -auto-approve', 'catastrophic'],
  ['terraform apply -replace=aws_instance.web -replace=aws_eks_cluster.main', 'catastrophic'],
  ['pulumi up --replace urn:pulumi:prod::shop::aws:rds/instance:Instance::main', 'catastrophic'],
  ['pulumi up --target-replace urn:pulumi:prod::shop::gcp:sql/databaseInstance:DatabaseInstance::db --yes', 'catastrophic'],
  // look-alikes: a database-sounding name on an ordinary resource, an instance inside a cluster, a plan
  ['terraform apply -replace=aws_instance.database -auto-approve', 'destructive'],
  ['terraform apply -replace=aws_rds_cluster_instance.reader', 'destructive'],
  ['terraform apply -replace=aws_db_parameter_group.main', 'destructive'],
  ['pulumi up --replace urn:pulumi:prod::shop::aws:ec2/instance:Instance::db', 'destructive'],
  ['terraform plan -replace=aws_db_instance.main', 'read'],
  ['terraform destroy', 'catastrophic'],
  ['terraform destroy -auto-approve', 'catastrophic'],
  ['terraform -chdir=envs/prod destroy', 'catastrophic'],
  ['terraform apply -destroy', 'catastrophic'],
  ['terraform apply -destroy -auto-approve', 'catastrophic'],
  ['tofu destroy', 'catastrophic'],
  ['terragrunt destroy', 'catastrophic'],
  ['terragrunt run-all destroy', 'catastrophic'],
  ['pulumi destroy', 'catastrophic'],
  ['pulumi destroy --yes -s prod', 'catastrophic'],
  ['cdk destroy', 'catastrophic'],
  ['cdk destroy --all --force', 'catastrophic'],
  ['cdktf destroy', 'catastrophic'],
  ['terraform frobnicate', 'unknown'],
  ['terraform state frob', 'unknown'],
  ['pulumi frobnicate', 'unknown'],
  ['cdk frobnicate', 'unknown'],
];

describe('iacRules', () => {
  it.each(cases)('%s → %s', (line, risk) => {
    const { result, risk: got } = run(iacRules, line);
    expect(got).toBe(risk);
    expect(result.kind).toBe('terraform');
  });

  it('gives every spelling of an unattended apply the same class', () => {
    for (const line of [
      'terraform apply -auto-approve',
      'terraform apply --auto-approve',
      'terraform -chdir=x apply -auto-approve=true',
      'terraform apply -var a=b -auto-approve -target=x',
      'tofu apply -auto-approve',
    ]) {
      expect(run(iacRules, line).risk, line).toBe('destructive');
    }
    expect(run(iacRules, 'terraform apply -auto-approve=false').risk).toBe('write');
  });

  it('reports dir and workspace', () => {
    expect(run(iacRules, 'terraform -chdir=envs/prod apply', { TF_WORKSPACE: 'prod' }).result.targets?.[0]).toEqual({
      type: 'terraform',
      dir: 'envs/prod',
      workspace: 'prod',
    });
    const ctx = recordingContext({ TF_WORKSPACE: 'blue' });
    expect(run(iacRules, 'terraform plan', {}, ctx).result.targets?.[0]).toEqual({ type: 'terraform', workspace: 'blue' });
    expect(run(iacRules, 'pulumi up -s prod -C infra').result.targets?.[0]).toEqual({ type: 'terraform', workspace: 'prod', dir: 'infra' });
  });

  it('reads flags injected through TF_CLI_ARGS', () => {
    expect(run(iacRules, 'terraform apply', { TF_CLI_ARGS_apply: '-auto-approve' }).risk).toBe('destructive');
    expect(run(iacRules, 'terraform apply', { TF_CLI_ARGS: '-destroy' }).risk).toBe('catastrophic');
  });

  it('reads TF_CLI_ARGS for terragrunt run --all -- apply', () => {
    expect(run(iacRules, 'terragrunt run --all -- apply', { TF_CLI_ARGS: '-auto-approve' }).risk).toBe('destructive');
  });

  it('treats PULUMI_SKIP_CONFIRMATIONS as --yes', () => {
    expect(run(iacRules, 'pulumi up', { PULUMI_SKIP_CONFIRMATIONS: 'true' }).risk).toBe('destructive');
  });
});
