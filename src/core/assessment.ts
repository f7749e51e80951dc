/**
 * Assessment: what the classifier found in an action. Risk follows RISK.md.
 */

/** Risk classes in increasing order of state lost; `unknown` means the classifier cannot tell (never safe). */
export type RiskClass = 'read' | 'write' | 'destructive' | 'catastrophic' | 'unknown';

export const RISK_CLASSES: readonly RiskClass[] = ['read', 'write', 'destructive', 'catastrophic', 'unknown'];

/** What an effect does to its resource. */
export type EffectVerb = 'read' | 'create' | 'modify' | 'delete' | 'replace' | 'execute';

/**
 * How far an effect reaches. `resource`: one named thing; `selection`: several things picked
 * by a selector, pattern or predicate; `all`: every item of a collection (DELETE without WHERE);
 * the rest name the container that is hit as a whole.
 */
export type Scope =
  | 'none'
  | 'resource'
  | 'selection'
  | 'all'
  | 'directory'
  | 'namespace'
  | 'database'
  | 'repository'
  | 'cluster'
  | 'project'
  | 'account'
  | 'host'
  | 'disk'
  | 'unknown';

/** The target-system family of an action (RISK.md "kind"). */
export type ActionKind = 'shell' | 'sql' | 'k8s' | 'terraform' | 'aws' | 'gcloud' | 'azure' | 'mcp' | 'file';

/** One effect of an action on one resource. */
export interface Effect {
  readonly verb: EffectVerb;
  /** Human-readable resource, e.g. `namespace/payments`, `table users`, `path /var/www`. */
  readonly resource: string;
  readonly scope: Scope;
  /** true: can be undone from what exists (VCS, controller, versioning); false: lost; null: cannot tell. */
  readonly reversible: boolean | null;
  readonly risk: RiskClass;
  /** Availability impact (restart, stop, scale to zero, drain, reboot): state kept, service disrupted. */
  readonly disruptive: boolean;
  /** One line for humans: why this effect has this risk. */
  readonly reason: string;
  /** The command segment or statement the effect comes from. */
  readonly source?: string;
  /**
   * true: it happens even if the surrounding transaction rolls back (a sequence advanced, a backend
   * killed, remote SQL through dblink), so a rehearsal must not run it. Absent otherwise.
   */
  readonly survivesRollback?: true;
}

/** Where an action lands. Adapters report facts; the core resolves environments from them. */
export type Target =
  | { readonly type: 'kubernetes'; readonly context?: string; readonly namespace?: string; readonly cluster?: string }
  | { readonly type: 'aws'; readonly profile?: string; readonly region?: string; readonly account?: string }
  | { readonly type: 'gcp'; readonly project?: string; readonly region?: string }
  | { readonly type: 'azure'; readonly subscription?: string; readonly resourceGroup?: string }
  | {
      readonly type: 'database';
      readonly engine?: string;
      readonly host?: string;
      readonly port?: number;
      readonly database?: string;
    }
  | { readonly type: 'path'; readonly path: string }
  | { readonly type: 'host'; readonly hostname: string }
  | { readonly type: 'git'; readonly remote?: string; readonly branch?: string }
  | { readonly type: 'mcp'; readonly server: string }
  | { readonly type: 'terraform'; readonly workspace?: string; readonly dir?: string };

/** A blast-radius estimate. `count` when one can be given (rows, objects, files); null otherwise. */
export interface BlastRadius {
  readonly scope: Scope;
  readonly count: number | null;
  readonly description: string;
}

/** The classifier's verdict on one action. */
export interface Assessment {
  readonly risk: RiskClass;
  readonly kind: ActionKind;
  readonly effects: readonly Effect[];
  /** True when any executed effect disrupts availability. */
  readonly disruptive: boolean;
  /** True when the effective action is reached through an indirection layer (RISK.md). */
  readonly obfuscated: boolean;
  /**
   * An MCP tool call whose tool is neither annotated read-only by its server nor mapped in
   * airlock.yaml: the tool's own effect is a guess from its name. Absent means false.
   */
  readonly unvetted?: boolean;
  readonly blastRadius: BlastRadius;
  readonly targets: readonly Target[];
  /** Why, for humans: the classifier's notes (unwrapped X, resolved variable Y, could not parse Z). */
  readonly reasons: readonly string[];
}

const ORDER: Readonly<Record<RiskClass, number>> = {
  read: 0,
  write: 1,
  unknown: 2,
  destructive: 3,
  catastrophic: 4,
};

/**
 * The worse of two classes. `unknown` ranks above `write` and below `destructive`: an action with a
 * known destructive part is destructive, one whose worst known part is a write but which also holds
 * something we cannot judge is unknown.
 */
export function worseRisk(a: RiskClass, b: RiskClass): RiskClass {
  return ORDER[a] >= ORDER[b] ? a : b;
}

/** The worst class over many; `read` for none. */
export function worstRisk(classes: Iterable<RiskClass>): RiskClass {
  let worst: RiskClass = 'read';
  for (const c of classes) worst = worseRisk(worst, c);
  return worst;
}

/** Numeric rank used by policy context (`read`=0 … `catastrophic`=4, `unknown`=2). */
export function riskRank(risk: RiskClass): number {
  return ORDER[risk];
}

const SCOPE_ORDER: readonly Scope[] = [
  'none',
  'resource',
  'selection',
  'directory',
  'all',
  'namespace',
  'database',
  'repository',
  'host',
  'disk',
  'cluster',
  'project',
  'account',
  'unknown',
];

/** The wider of two scopes (`unknown` is widest). */
export function widerScope(a: Scope, b: Scope): Scope {
  return SCOPE_ORDER.indexOf(a) >= SCOPE_ORDER.indexOf(b) ? a : b;
}

/** Builds an assessment from effects: risk, disruption and blast radius derived, never stated twice. */
export function assessmentFromEffects(options: {
  readonly kind: ActionKind;
  readonly effects: readonly Effect[];
  readonly targets?: readonly Target[];
  readonly obfuscated?: boolean;
  readonly unvetted?: boolean;
  readonly reasons?: readonly string[];
  readonly count?: number | null;
}): Assessment {
  const executed = options.effects;
  const risk = worstRisk(executed.map((e) => e.risk));
  let scope: Scope = 'none';
  for (const e of executed) if (e.verb !== 'read') scope = widerScope(scope, e.scope);
  const worst = executed.filter((e) => e.risk === risk && e.verb !== 'read');
  const description =
    worst.length === 0
      ? 'no state changes'
      : worst
          .slice(0, 3)
          .map((e) => `${e.verb} ${e.resource} (${e.scope})`)
          .join('; ') + (worst.length > 3 ? `; and ${worst.length - 3} more` : '');
  return {
    risk,
    kind: options.kind,
    effects: executed,
    disruptive: executed.some((e) => e.disruptive),
    obfuscated: options.obfuscated ?? false,
    ...(options.unvetted === true ? { unvetted: true } : {}),
    blastRadius: { scope, count: options.count ?? null, description },
    targets: uniqueTargets(options.targets ?? []),
    reasons: options.reasons ?? [],
  };
}

/** Targets without repeats (the same target found by several commands is listed once), in order. */
function uniqueTargets(targets: readonly Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = JSON.stringify(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
