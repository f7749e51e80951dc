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

/**
 * Variables that make a program run code Airlock never saw: a shell's start-up file, preloaded
 * libraries, interpreter options, git's helper commands, pagers and editors. `exec` and `sh` do not
 * pass them to the command they run.
 */
const HIJACKERS =
  /^(BASH_ENV|ENV|LD_PRELOAD|LD_AUDIT|LD_LIBRARY_PATH|DYLD_INSERT_LIBRARIES|DYLD_LIBRARY_PATH|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|PS4|BASH_FUNC_.*|NODE_OPTIONS|PERL5OPT|RUBYOPT|PYTHONSTARTUP|PYTHONINSPECT|GIT_SSH|GIT_SSH_COMMAND|GIT_EXTERNAL_DIFF|GIT_CONFIG_PARAMETERS|GIT_CONFIG_COUNT|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_EXEC_PATH|GIT_ASKPASS|SSH_ASKPASS|GIT_PAGER|PAGER|MANPAGER|LESSOPEN|EDITOR|VISUAL|PSQLRC|KUBECTL_EXTERNAL_DIFF)$/;

/** The environment without the variables above, and the names removed. */
export function withoutHijackers(env: Readonly<Record<string, string | undefined>>): { env: Record<string, string>; removed: string[] } {
  const out: Record<string, string> = {};
  const removed: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (HIJACKERS.test(k)) removed.push(k);
    else out[k] = v;
  }
  return { env: out, removed };
}

/**
 * Variables that change what an approved command does beyond where it lands: the search path, the
 * home directory (`~`, `~/.kube/config`), tool option and config-file variables. They are part of
 * an approval's plan (so approvers see them and a change needs approval again), never of the
 * classifier's input.
 */
const EXECUTION =
  /^(PATH|HOME|TF_CLI_ARGS(_\w+)?|TF_DATA_DIR|AWS_CONFIG_FILE|AWS_SHARED_CREDENTIALS_FILE|AWS_ENDPOINT_URL(_\w+)?|DOCKER_HOST|DOCKER_CONTEXT|DOCKER_CONFIG|PYTHONPATH|NODE_PATH|RUBYLIB|PERL5LIB|GLOBIGNORE|IFS|HELM_\w+|KUBECTL_\w+|PGPASSFILE|PGSERVICE|PGSERVICEFILE|PGOPTIONS|MYSQL_\w+|GOOGLE_APPLICATION_CREDENTIALS|ARM_\w+|VAULT_ADDR)$/;

/** The targeting variables plus those above: the environment an approval is bound to. */
export function planEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out = targetingEnv(env);
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && EXECUTION.test(k) && !/PASSWORD|SECRET|TOKEN/.test(k)) out[k] = v;
  }
  return out;
}
