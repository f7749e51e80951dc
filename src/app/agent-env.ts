/**
 * The part of a caller's environment that decides where an action lands. Only these variables
 * are given to the classifier and recorded with the proposal (never the whole environment, which
 * may hold secrets).
 */
const TARGETING = [
  'KUBECONFIG',
  'HELM_KUBECONTEXT',
  'HELM_NAMESPACE',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'CLOUDSDK_CONFIG',
  'CLOUDSDK_ACTIVE_CONFIG_NAME',
  'CLOUDSDK_CORE_PROJECT',
  'GOOGLE_CLOUD_PROJECT',
  'AZURE_SUBSCRIPTION_ID',
  'PGHOST',
  'PGPORT',
  'PGDATABASE',
  'PGUSER',
  'MYSQL_HOST',
  'TF_WORKSPACE',
] as const;

/** The targeting variables present in `env`. */
export function targetingEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of TARGETING) {
    const v = env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
