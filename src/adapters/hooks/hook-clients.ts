/**
 * The names of the coding agents whose pre-tool hooks Airlock answers. Kept apart from the
 * adapters (and their Zod schemas) so that a hook that only forwards to the gateway can check its
 * argument without loading them.
 */

/** The coding agents whose pre-tool hooks Airlock answers. */
export type HookClient = 'claude-code' | 'cursor' | 'gemini' | 'codex' | 'kiro' | 'copilot';

/** Every supported client, in a stable order (for CLI help and docs). */
export const HOOK_CLIENTS: readonly HookClient[] = ['claude-code', 'cursor', 'gemini', 'codex', 'kiro', 'copilot'];

/** True when `name` is a supported client (for `airlock hook <client>` argument checking). */
export function isHookClient(name: string): name is HookClient {
  return (HOOK_CLIENTS as readonly string[]).includes(name);
}
