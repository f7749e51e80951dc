/**
 * Agent hook adapters: `airlock hook <client>` reads a coding agent's pre-tool hook JSON on stdin and
 * answers in that client's protocol. Each adapter translates; it never decides. Where Airlock only
 * decides (hooks), the agent runs the action itself.
 */
import type { Action } from '../../core/action.js';
import type { Verdict } from '../../core/decision.js';
import { claudeCodeHookAdapter } from './claude-code-hook-adapter.js';
import { codexHookAdapter } from './codex-hook-adapter.js';
import { copilotHookAdapter } from './copilot-hook-adapter.js';
import { cursorHookAdapter } from './cursor-hook-adapter.js';
import { geminiHookAdapter } from './gemini-hook-adapter.js';
import { kiroHookAdapter } from './kiro-hook-adapter.js';

import { HOOK_CLIENTS, isHookClient, type HookClient } from './hook-clients.js';

export { HOOK_CLIENTS, isHookClient, type HookClient };

/** A pre-tool hook call, parsed. */
export interface HookRequest {
  readonly client: HookClient;
  /** The client's event name as received (`PreToolUse`, `beforeShellExecution`, `BeforeTool` …). */
  readonly event: string;
  /** The client's tool name as received (`Bash`, `run_shell_command`, `mcp__github__create_issue` …). */
  readonly toolName: string;
  /** What Airlock judges; null for a tool Airlock does not gate (a todo list, a search, a subagent). */
  readonly action: Action | null;
  readonly cwd?: string;
  readonly session?: string;
  /** The agent's stated description where the payload has one. Never trusted, only recorded. */
  readonly intent?: string;
  /** The payload as received. */
  readonly raw: unknown;
}

/** What `airlock hook <client>` writes and how it exits. */
export interface HookResponse {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** One client's protocol. */
export interface HookAdapter {
  readonly client: HookClient;
  /** Validates and maps a payload. Throws AirlockError `BAD_INPUT` naming the field when malformed. */
  parse(payload: unknown): HookRequest;
  /**
   * Answers with Airlock's verdict: allow → allow; hold → the client's "ask" where it has one
   * (reason and guidance shown), deny where it has none; deny → deny. The reason text is written for
   * the agent from `verdict.decision.guidance`, the risk and the request link when given.
   */
  respond(request: HookRequest, verdict: Verdict, links?: { readonly requestUrl?: string }): HookResponse;
  /** Answers for a tool Airlock does not gate (`action` null): no opinion, the client's normal flow. */
  passThrough(request: HookRequest): HookResponse;
  /** Answers when Airlock could not decide (bad payload, broken gateway, timeout): deny or ask, never allow. */
  failClosed(error: string, request?: HookRequest): HookResponse;
}

/** The adapter of each client. */
export const hookAdapters: Readonly<Record<HookClient, HookAdapter>> = {
  'claude-code': claudeCodeHookAdapter,
  cursor: cursorHookAdapter,
  gemini: geminiHookAdapter,
  codex: codexHookAdapter,
  kiro: kiroHookAdapter,
  copilot: copilotHookAdapter,
};
