/**
 * Completes targets from the machine's own configuration, the way the CLIs themselves would: a
 * kubectl call without `--context` acts on kubeconfig's current context (and that context's
 * namespace), a gcloud call without `--project` on the active configuration's project.
 * Files are re-read only when they change (mtime), so a long-running gateway follows
 * `kubectl config use-context`.
 */
import { readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Target } from '../../core/assessment.js';
import type { CompletedTarget, TargetDefaults } from '../../core/ports.js';

/** Options for {@link AmbientTargetDefaults}. */
export interface AmbientTargetDefaultsOptions {
  /** The home directory (`~/.kube/config`, `~/.config/gcloud`). */
  readonly home: string | undefined;
  /** The process environment, used when the action's own environment does not say. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface KubeDefaults {
  readonly context?: string;
  readonly namespace?: string;
}

/** Reads kubeconfig and gcloud configuration to fill targets. Never throws. */
export class AmbientTargetDefaults implements TargetDefaults {
  readonly #o: AmbientTargetDefaultsOptions;
  readonly #cache = new Map<string, { mtimeMs: number; value: unknown }>();

  constructor(options: AmbientTargetDefaultsOptions) {
    this.#o = options;
  }

  complete(target: Target, env: Readonly<Record<string, string>>): CompletedTarget {
    try {
      if (target.type === 'kubernetes' && (target.context === undefined || target.namespace === undefined)) return this.#kube(target, env);
      if (target.type === 'gcp' && target.project === undefined) return this.#gcp(target, env);
    } catch {
      // Unreadable configuration: leave the target as the action gave it (unresolved stays protected).
    }
    return { target };
  }

  #kube(target: Extract<Target, { type: 'kubernetes' }>, env: Readonly<Record<string, string>>): CompletedTarget {
    const list = env.KUBECONFIG ?? this.#o.env.KUBECONFIG;
    const files = list ? list.split(delimiter).filter(Boolean) : this.#o.home ? [join(this.#o.home, '.kube', 'config')] : [];
    for (const file of files) {
      const d = this.#read(file, parseKubeconfig);
      if (d === null) continue;
      const context = target.context ?? d.context;
      if (context === undefined) return { target };
      // The namespace of the context only applies when the command runs in that context.
      const ns = target.namespace ?? (target.context === undefined || target.context === d.context ? d.namespace : undefined);
      const filled: string[] = [];
      if (target.context === undefined) filled.push(`current kube context "${context}"`);
      if (target.namespace === undefined && ns !== undefined) filled.push(`namespace "${ns}" of that context`);
      const completed = { ...target, context, ...(ns === undefined ? {} : { namespace: ns }) };
      return filled.length ? { target: completed, note: `${filled.join(' and ')} from ${file}` } : { target: completed };
    }
    return { target };
  }

  #gcp(target: Extract<Target, { type: 'gcp' }>, env: Readonly<Record<string, string>>): CompletedTarget {
    const root = env.CLOUDSDK_CONFIG ?? this.#o.env.CLOUDSDK_CONFIG ?? (this.#o.home ? join(this.#o.home, '.config', 'gcloud') : undefined);
    if (root === undefined) return { target };
    const active = (env.CLOUDSDK_ACTIVE_CONFIG_NAME ?? this.#read(join(root, 'active_config'), (t) => t.trim()) ?? 'default') || 'default';
    const file = join(root, 'configurations', `config_${active}`);
    const project = this.#read(file, parseGcloudProject);
    if (!project) return { target };
    return { target: { ...target, project }, note: `project "${project}" of the active gcloud configuration "${active}"` };
  }

  #read<T>(file: string, parse: (text: string) => T): T | null {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return null;
    }
    const hit = this.#cache.get(file);
    if (hit !== undefined && hit.mtimeMs === mtimeMs) return hit.value as T;
    const value = parse(readFileSync(file, 'utf8'));
    this.#cache.set(file, { mtimeMs, value });
    return value;
  }
}

function parseKubeconfig(text: string): KubeDefaults {
  const doc = parseYaml(text) as { 'current-context'?: unknown; contexts?: unknown } | null;
  const context = typeof doc?.['current-context'] === 'string' && doc['current-context'] !== '' ? doc['current-context'] : undefined;
  if (context === undefined) return {};
  const entry = Array.isArray(doc?.contexts)
    ? (doc.contexts as { name?: unknown; context?: { namespace?: unknown } }[]).find((c) => c?.name === context)
    : undefined;
  const namespace = typeof entry?.context?.namespace === 'string' && entry.context.namespace !== '' ? entry.context.namespace : undefined;
  return namespace === undefined ? { context } : { context, namespace };
}

function parseGcloudProject(text: string): string | undefined {
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] as string;
    else if (section === 'core') {
      const m = /^project\s*=\s*(\S+)$/.exec(line);
      if (m) return m[1];
    }
  }
  return undefined;
}
