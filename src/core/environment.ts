/**
 * Resolves where an action lands: from the targets the classifier found (plus an explicit
 * environment from the caller) to a named environment of the inventory, and the context of the
 * resources it touches. Pure.
 */
import type { Target } from './assessment.js';
import type { AirlockConfig, EnvironmentMatchConfig, ResourceConfig } from './config.js';
import type { ResolvedEnvironment, ResourceContext } from './decision.js';
import { configuredDatabase } from './database.js';

const GLOBS = new Map<string, RegExp>();

/**
 * Glob match where `*` matches any run of characters and `?` one character; case-sensitive.
 * Patterns come from the configuration, so each is compiled once and kept.
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = GLOBS.get(pattern);
  if (re === undefined) {
    let source = '^';
    for (const ch of pattern) {
      if (ch === '*') source += '.*';
      else if (ch === '?') source += '.';
      else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`${source}$`);
    GLOBS.set(pattern, re);
  }
  return re.test(value);
}

/** A target is local when it names nothing beyond this machine (files, git worktree, local processes). */
function isLocal(target: Target): boolean {
  return target.type === 'path' || (target.type === 'git' && target.remote === undefined);
}

/** Which rule of a match block a target hits, as words for the decision's "how"; null when none. */
export function matchTarget(match: EnvironmentMatchConfig, target: Target): string | null {
  const hit = (list: readonly string[], value: string | undefined, what: string, field: string): string | null => {
    if (value === undefined) return null;
    const p = list.find((pattern) => globMatch(pattern, value));
    return p === undefined ? null : `${what} "${value}" matched ${field} "${p}"`;
  };
  switch (target.type) {
    case 'kubernetes':
      return (
        hit(match.kubeContexts, target.context, 'kube context', 'kubeContexts') ??
        hit(match.namespaces, target.namespace, 'namespace', 'namespaces')
      );
    case 'aws':
      return (
        hit(match.awsProfiles, target.profile, 'AWS profile', 'awsProfiles') ??
        hit(match.awsAccounts, target.account, 'AWS account', 'awsAccounts') ??
        hit(match.awsRegions, target.region, 'AWS region', 'awsRegions')
      );
    case 'gcp':
      return hit(match.gcpProjects, target.project, 'GCP project', 'gcpProjects');
    case 'azure':
      return (
        hit(match.azureSubscriptions, target.subscription, 'Azure subscription', 'azureSubscriptions') ??
        hit(match.azureResourceGroups, target.resourceGroup, 'Azure resource group', 'azureResourceGroups')
      );
    case 'database': {
      const hostPort = target.host !== undefined && target.port !== undefined ? `${target.host}:${target.port}` : undefined;
      return (
        hit(match.databaseHosts, hostPort, 'database host', 'databaseHosts') ??
        hit(match.databaseHosts, target.host, 'database host', 'databaseHosts') ??
        hit(match.databases, target.database, 'database', 'databases')
      );
    }
    case 'host':
      return hit(match.hostnames, target.hostname, 'host', 'hostnames');
    case 'path': {
      const p = match.paths.find(
        (prefix) =>
          target.path === prefix || target.path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) || globMatch(prefix, target.path),
      );
      return p === undefined ? null : `path "${target.path}" is under paths "${p}"`;
    }
    case 'mcp':
      return hit(match.mcpServers, target.server, 'MCP server', 'mcpServers');
    case 'terraform':
      return (
        hit(match.terraform, target.workspace, 'terraform workspace', 'terraform') ??
        hit(match.terraform, target.dir, 'terraform dir', 'terraform')
      );
    case 'git':
      return (
        hit(match.git, target.branch === undefined ? target.remote : `${target.remote ?? ''}/${target.branch}`, 'git ref', 'git') ??
        hit(match.git, target.remote, 'git remote', 'git')
      );
  }
}

const CRITICALITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/** Options for {@link resolveEnvironment}. */
export interface ResolveEnvironmentOptions {
  readonly config: AirlockConfig;
  readonly targets: readonly Target[];
  /** An environment the caller named explicitly (`--env prod`); it can only make the answer stricter. */
  readonly explicit?: string;
  /** false when the classifier could not tell what the action does: it is then never taken as local. */
  readonly knownEffect?: boolean;
}

/**
 * Resolves the environment. When targets hit several environments, the protected one with the
 * highest criticality wins (an action touching dev and prod is a prod action). When nothing
 * matches, the environment is `unresolved`, protected unless `unresolved: unprotected`.
 * A `local: true` environment takes only actions that are known to stay on this machine: an
 * `unknown` action (a script, an unrecognised tool) is not assumed local.
 * An explicit name can only make the answer stricter, never looser: the caller (often the agent)
 * chooses it, so it is compared with what the targets show and the more protected one wins. A name
 * the config does not define is treated as unresolved and protected.
 */
export function resolveEnvironment(options: ResolveEnvironmentOptions): ResolvedEnvironment {
  const inferred = inferEnvironment(options);
  if (options.explicit === undefined) return inferred;
  const { config } = options;
  const env = config.environments[options.explicit];
  if (env === undefined) {
    return {
      name: 'unresolved',
      protected: true,
      how: `environment "${options.explicit}" was named but is not defined in airlock.yaml; treated as protected`,
      resources: inferred.resources,
    };
  }
  const named = withCriticality(
    { name: options.explicit, protected: env.protected, how: 'named explicitly by the caller', resources: inferred.resources },
    env.criticality,
  );
  if (rankOf(named) >= rankOf(inferred)) return named;
  return { ...inferred, how: `${inferred.how}; the caller named "${options.explicit}", which is less protected, so it was not used` };
}

/** Orders environments by protection, then criticality. */
function rankOf(e: { readonly protected: boolean; readonly criticality?: ResolvedEnvironment['criticality'] | undefined }): number {
  return (e.protected ? 10 : 0) + (e.criticality === undefined ? 0 : CRITICALITY_RANK[e.criticality]);
}

function inferEnvironment(options: ResolveEnvironmentOptions): ResolvedEnvironment {
  const { config, targets } = options;
  const resources = resolveResources(config, targets);
  const envs = config.environments;
  const hits: { name: string; how: string }[] = [];
  const remote = targets.filter((t) => !isLocal(t));
  const local = remote.length === 0 && options.knownEffect !== false;
  for (const [name, env] of Object.entries(envs)) {
    for (const target of targets) {
      const how = matchTarget(env.match, target);
      if (how !== null) hits.push({ name, how });
    }
    if (env.match.local && local) hits.push({ name, how: 'no remote target: the action is local, and this environment is marked local' });
  }
  // Database targets name their environment.
  for (const target of targets) {
    if (target.type !== 'database') continue;
    const db = configuredDatabase(config.databases, target);
    if (db?.config.environment !== undefined && envs[db.config.environment] !== undefined)
      hits.push({ name: db.config.environment, how: `database target "${db.name}" belongs to it` });
  }
  // Resources can name their environment too.
  for (const r of config.resources) {
    if (r.environment === undefined || envs[r.environment] === undefined) continue;
    if (resources.some((rc) => rc.name === r.name)) hits.push({ name: r.environment, how: `resource "${r.name}" belongs to it` });
  }
  if (hits.length === 0) {
    const prot = config.unresolved === 'protected';
    const seen = targets.length
      ? `targets ${targets.map(describeTarget).join(', ')} matched no environment`
      : options.knownEffect === false
        ? 'Airlock cannot tell what this action reaches, so it is not assumed local'
        : 'no target found in the action';
    return {
      name: 'unresolved',
      protected: prot,
      how: `${seen}; unresolved environments are ${prot ? 'protected' : 'unprotected'} (airlock.yaml "unresolved")`,
      resources,
    };
  }
  const rank = (name: string): number => {
    const env = envs[name];
    return env === undefined ? -1 : rankOf(env);
  };
  const best = hits.reduce((a, b) => (rank(b.name) > rank(a.name) ? b : a));
  const env = envs[best.name];
  const others = [...new Set(hits.map((h) => h.name).filter((n) => n !== best.name))];
  const how = best.how + (others.length ? ` (also matched ${others.join(', ')}; the more protected one wins)` : '');
  return withCriticality({ name: best.name, protected: env?.protected ?? true, how, resources }, env?.criticality);
}

function withCriticality(
  base: Omit<ResolvedEnvironment, 'criticality'>,
  criticality: ResolvedEnvironment['criticality'],
): ResolvedEnvironment {
  return criticality === undefined ? base : { ...base, criticality };
}

/** The context the inventory gives for a resource or a database target, as told to humans and agents. */
export function resourceContext(
  name: string,
  c: Pick<ResourceConfig, 'owners' | 'dependants' | 'criticality' | 'downtimeCostPerHour' | 'notes'>,
): ResourceContext {
  return {
    name,
    owners: c.owners,
    dependants: c.dependants,
    ...(c.criticality === undefined ? {} : { criticality: c.criticality }),
    ...(c.downtimeCostPerHour === undefined ? {} : { downtimeCostPerHour: c.downtimeCostPerHour }),
    ...(c.notes === undefined ? {} : { notes: c.notes }),
  };
}

function resolveResources(config: AirlockConfig, targets: readonly Target[]): ResourceContext[] {
  const out: ResourceContext[] = [];
  for (const target of targets) {
    const db = target.type === 'database' ? configuredDatabase(config.databases, target) : null;
    if (db === null || out.some((r) => r.name === db.name)) continue;
    out.push(resourceContext(db.name, db.config));
  }
  for (const r of config.resources) {
    if (!targets.some((t) => matchTarget(r.match, t) !== null)) continue;
    out.push(resourceContext(r.name, r));
  }
  return out;
}

/** A target in a few words, for reasons and the CLI. */
export function describeTarget(t: Target): string {
  switch (t.type) {
    case 'kubernetes':
      return `kubernetes ${[t.context && `context=${t.context}`, t.namespace && `namespace=${t.namespace}`].filter(Boolean).join(' ') || '(current context)'}`;
    case 'aws':
      return `aws ${[t.profile && `profile=${t.profile}`, t.account && `account=${t.account}`, t.region && `region=${t.region}`].filter(Boolean).join(' ') || '(default profile)'}`;
    case 'gcp':
      return `gcp ${t.project ? `project=${t.project}` : '(default project)'}`;
    case 'azure':
      return `azure ${[t.subscription && `subscription=${t.subscription}`, t.resourceGroup && `group=${t.resourceGroup}`].filter(Boolean).join(' ') || '(default subscription)'}`;
    case 'database':
      return `database ${[t.engine, t.host && `host=${t.host}${t.port ? `:${t.port}` : ''}`, t.database && `db=${t.database}`].filter(Boolean).join(' ') || '(default connection)'}`;
    case 'path':
      return `path ${t.path}`;
    case 'host':
      return `host ${t.hostname}`;
    case 'git':
      return `git ${[t.remote, t.branch].filter(Boolean).join(' ') || '(worktree)'}`;
    case 'mcp':
      return `mcp server ${t.server}`;
    case 'terraform':
      return `terraform ${[t.workspace && `workspace=${t.workspace}`, t.dir && `dir=${t.dir}`].filter(Boolean).join(' ') || '(current workspace)'}`;
  }
}
