/**
 * One agent session of the MCP gateway: Airlock is the MCP server the agent talks to, and an MCP
 * client of the real server. Everything passes through faithfully (requests, results, errors,
 * notifications both ways, progress, cancellation, server-to-client requests such as sampling),
 * with the upstream's capabilities, and the agent's capabilities towards the upstream, mirrored.
 * Two things are Airlock's own: `tools/list` (tools an agent may never use are left out, and
 * `airlock_status` is added) and `tools/call` (every call is a proposal; see core/mcp-calls.ts).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCRequest,
  McpError,
  type Notification,
  type Progress,
  ResultSchema,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { type AgentIdentity, type McpToolAnnotations, mcpToolAnnotations } from '../../core/action.js';
import { approvalProgress } from '../cli/render-request.js';
import type { ApprovalService } from '../../core/approval-service.js';
import type { ApprovalRequest } from '../../core/approval.js';
import { type CallDecision, type CallOutcome, type McpCalls, mcpBriefing, type ToolCall } from '../../core/mcp-calls.js';
import { renderExecution, renderRehearsal } from '../cli/render-sql.js';
import { describeAction, visible } from '../cli/render-verdict.js';

/** The upstream connection the composition root opens (see adapters/mcp/upstream.ts). */
export interface UpstreamLink {
  readonly transport: Transport;
  readonly describe: string;
  stderrTail(): string;
}

/** What a session needs; shared by every session of one gateway. */
export interface GatewayOptions {
  /** The server's name in airlock.yaml (`mcp.servers.<name>`) and in decisions. */
  readonly serverName: string;
  readonly calls: McpCalls;
  readonly approvals: ApprovalService;
  /** Opens a new connection to the upstream server (one per session). */
  readonly openUpstream: () => UpstreamLink;
  /** Who the agent is: from a token, a configured id, or the name its client gives. */
  readonly identify: (
    clientName: string | undefined,
    token: string | undefined,
  ) => Promise<{ agent: AgentIdentity; roles: readonly string[] }>;
  readonly environment?: string;
  readonly cwd?: string;
  readonly onHold: 'return' | 'wait';
  readonly waitTimeoutMs: number;
  readonly upstreamTimeoutMs: number;
  /** Diagnostics for the operator (stderr): never seen by the agent. */
  readonly log: (line: string) => void;
}

/** The tool Airlock adds to every server. */
export const STATUS_TOOL = 'airlock_status';

const STATUS_TOOL_DEFINITION: Tool = {
  name: STATUS_TOOL,
  title: 'Airlock: my approval requests',
  description:
    'Lists your approval requests held by Airlock (change control) for this server: id, state, approvals so far, link. Call it to see whether a held call was approved; then call that tool again with the same arguments.',
  inputSchema: { type: 'object', properties: {} },
  annotations: { readOnlyHint: true, openWorldHint: false },
};

/** Outcomes of allowed calls are written together, at most this long after the first of them. */
const OUTCOME_FLUSH_MS = 200;
const OUTCOME_BATCH = 100;

/** How often a waiting call looks at its request, and reports progress. */
const WAIT_POLL_MS = 500;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function text(t: string, isError = false): { content: { type: 'text'; text: string }[]; isError?: boolean } {
  return { content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) };
}

/** One session: create with {@link GatewaySession.open} from the agent's initialize request. */
export class GatewaySession {
  /** The MCP server the agent talks to; set by {@link GatewaySession.open}. */
  server!: Server;
  readonly #o: GatewayOptions;
  readonly #client: Client;
  readonly #upstream: UpstreamLink;
  readonly #agent: AgentIdentity;
  readonly #roles: readonly string[];
  #tools = new Map<string, Tool>();
  #upstreamClosed: string | null = null;
  #closed = false;
  #closing: Promise<void> | null = null;
  /** Outcomes of allowed calls not yet written, and writes in flight. */
  readonly #outcomes: Parameters<McpCalls['recordOutcomes']>[0][number][] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  readonly #pending = new Set<Promise<void>>();
  /** Requests from the agent being handled. */
  readonly #inFlight = new Set<Promise<void>>();

  private constructor(o: GatewayOptions, client: Client, upstream: UpstreamLink, who: { agent: AgentIdentity; roles: readonly string[] }) {
    this.#o = o;
    this.#client = client;
    this.#upstream = upstream;
    this.#agent = who.agent;
    this.#roles = who.roles;
  }

  /**
   * Connects to the upstream with the agent's client info and capabilities, then builds the server
   * the agent will talk to, with the upstream's capabilities and instructions plus the briefing.
   * Rejects with an McpError naming the upstream when it cannot be reached or initialized.
   */
  static async open(o: GatewayOptions, initialize: JSONRPCRequest, options: { readonly token?: string } = {}): Promise<GatewaySession> {
    const params = (initialize.params ?? {}) as {
      clientInfo?: { name?: string; version?: string };
      capabilities?: Record<string, unknown>;
    };
    const clientInfo = { name: params.clientInfo?.name ?? 'agent', version: params.clientInfo?.version ?? '0' };
    const who = await o.identify(params.clientInfo?.name, options.token);
    const client = new Client(clientInfo, { capabilities: (params.capabilities ?? {}) as never });
    const upstream = o.openUpstream();
    try {
      await client.connect(upstream.transport, { timeout: o.upstreamTimeoutMs });
    } catch (err) {
      await client.close().catch(() => {});
      const tail = upstream.stderrTail();
      throw new McpError(
        ErrorCode.InternalError,
        `Airlock could not start the MCP server "${o.serverName}" (${upstream.describe}): ${errorText(err)}${tail ? `; its stderr ends: ${tail.slice(-500)}` : ''}`,
      );
    }
    GatewaySession.#keepProgressBeforeResults(upstream.transport);
    try {
      return await GatewaySession.#build(o, client, upstream, who);
    } catch (err) {
      // Never leave an upstream running for a session that did not open.
      await client.close().catch(() => {});
      throw err;
    }
  }

  /**
   * The SDK hands a notification to its handler a microtask later but settles a response at once,
   * so a progress notification that arrives in the same read as the result is dropped as being for
   * an unknown request. Responses from the upstream are delivered a microtask later, after the
   * notifications that came before them.
   */
  static #keepProgressBeforeResults(transport: Transport): void {
    const deliver = transport.onmessage;
    if (deliver === undefined) return;
    transport.onmessage = (message, extra) => {
      if ('id' in message && ('result' in message || 'error' in message)) queueMicrotask(() => deliver(message, extra));
      else deliver(message, extra);
    };
  }

  static async #build(
    o: GatewayOptions,
    client: Client,
    upstream: UpstreamLink,
    who: { agent: AgentIdentity; roles: readonly string[] },
  ): Promise<GatewaySession> {
    const caps = client.getServerCapabilities() ?? {};
    const capabilities: ServerCapabilities = { ...caps, tools: { ...(caps.tools ?? {}) } };
    const session = new GatewaySession(o, client, upstream, who);
    // Hidden tools are counted for the briefing from the first listing.
    let hidden = 0;
    if (caps.tools !== undefined) {
      try {
        const all = await session.#listAllTools();
        for (const t of all) if (!(await session.#usable(t))) hidden++;
      } catch {
        // Listed again when the agent asks; the briefing just says less.
      }
    }
    const upstreamInstructions = client.getInstructions();
    const briefing = mcpBriefing(o.calls.config, o.serverName, { hiddenTools: hidden, onHold: o.onHold });
    session.server = new Server(client.getServerVersion() ?? { name: o.serverName, version: '0' }, {
      capabilities,
      instructions: upstreamInstructions ? `${upstreamInstructions}\n\n${briefing}` : briefing,
    });
    session.#wire();
    return session;
  }

  #wire(): void {
    const { server } = this;
    const client = this.#client;
    // The upstream decides its own log level: forward logging/setLevel instead of answering it here.
    server.removeRequestHandler('logging/setLevel');
    server.fallbackRequestHandler = async (request, extra) => {
      const handled =
        request.method === 'tools/list'
          ? this.#toolsList(request, extra)
          : request.method === 'tools/call'
            ? this.#toolsCall(request, extra)
            : this.#forward(request, extra);
      // Tracked so that closing waits for calls to finish and record their outcome.
      const settled = handled.then(
        () => {},
        () => {},
      );
      this.#inFlight.add(settled);
      void settled.finally(() => this.#inFlight.delete(settled));
      return handled;
    };
    server.fallbackNotificationHandler = async (n) => {
      await client
        .notification(n as Notification)
        .catch((err) => this.#o.log(`airlock mcp: could not pass ${n.method} upstream: ${errorText(err)}`));
    };
    // Upstream → agent: requests (sampling, elicitation, roots) and notifications, as they are; a
    // request may wait for a person (an elicitation) as long as a held call may.
    client.fallbackRequestHandler = async (request, extra) =>
      server.request({ method: request.method, params: request.params } as never, ResultSchema, {
        signal: extra.signal,
        timeout: Math.max(this.#o.waitTimeoutMs, this.#o.upstreamTimeoutMs),
      }) as never;
    client.fallbackNotificationHandler = async (n) => {
      if (n.method === 'notifications/tools/list_changed') this.#tools = new Map();
      await server
        .notification(n as never)
        .catch((err) => this.#o.log(`airlock mcp: could not pass ${n.method} to the agent: ${errorText(err)}`));
    };
    client.onclose = () => {
      if (this.#closed) return;
      const tail = this.#upstream.stderrTail();
      this.#upstreamClosed = `the MCP server "${this.#o.serverName}" (${this.#upstream.describe}) has exited or closed the connection${tail ? `; its stderr ends: ${tail.slice(-500)}` : ''}`;
      this.#o.log(`airlock mcp: ${this.#upstreamClosed}`);
    };
    client.onerror = (err) => this.#o.log(`airlock mcp: upstream: ${errorText(err)}`);
    server.onerror = (err) => this.#o.log(`airlock mcp: agent: ${errorText(err)}`);
  }

  /** True while a request from the agent is being handled (an idle sweep leaves the session alone). */
  busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /**
   * Closes the agent side and the upstream (a child process is stopped). Calls in flight end first
   * (closing the agent side cancels them) and their outcomes are recorded. Every caller gets the
   * same promise.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.server.close().catch(() => {});
      await Promise.all([...this.#inFlight]);
      await this.#flushOutcomes();
      await Promise.all([...this.#pending]);
      await this.#client.close().catch(() => {});
    })();
    return this.#closing;
  }

  #upstreamGone(): McpError {
    return new McpError(
      ErrorCode.ConnectionClosed,
      `${this.#upstreamClosed ?? 'the upstream MCP server is not connected'}. Restart the session (reconnect the MCP server) to start it again.`,
    );
  }

  /** Sends a request upstream, passing progress back under the agent's own token. */
  async #upstreamRequest(
    method: string,
    params: Record<string, unknown> | undefined,
    extra: { signal: AbortSignal; sendNotification: (n: never) => Promise<void> },
  ): Promise<Record<string, unknown>> {
    if (this.#upstreamClosed !== null) throw this.#upstreamGone();
    const { _meta, ...rest } = params ?? {};
    const meta = (_meta ?? {}) as Record<string, unknown>;
    const { progressToken, ...otherMeta } = meta;
    const forwarded = { ...rest, ...(Object.keys(otherMeta).length > 0 ? { _meta: otherMeta } : {}) };
    // Progress relayed to the agent goes out before the result does, as the upstream sent them.
    const relayed: Promise<void>[] = [];
    try {
      const result = (await this.#client.request({ method, params: forwarded } as never, ResultSchema, {
        signal: extra.signal,
        timeout: this.#o.upstreamTimeoutMs,
        resetTimeoutOnProgress: true,
        // Progress is always asked of the upstream, so that it keeps a long call alive
        // (resetTimeoutOnProgress); it is relayed when the agent asked for it, under its own token.
        onprogress: (p: Progress) => {
          if (progressToken !== undefined)
            relayed.push(
              extra.sendNotification({ method: 'notifications/progress', params: { ...p, progressToken } } as never).catch(() => {}),
            );
        },
      })) as Record<string, unknown>;
      await Promise.all(relayed);
      return result;
    } catch (err) {
      await Promise.all(relayed);
      if (this.#upstreamClosed !== null) throw this.#upstreamGone();
      if (err instanceof McpError) {
        if (err.code === ErrorCode.RequestTimeout)
          throw new McpError(
            ErrorCode.RequestTimeout,
            `the MCP server "${this.#o.serverName}" did not answer ${method} within ${Math.round(this.#o.upstreamTimeoutMs / 1000)} s (mcp.upstreamTimeout); Airlock cancelled it there`,
          );
        throw err;
      }
      throw new McpError(ErrorCode.InternalError, `the MCP server "${this.#o.serverName}" failed on ${method}: ${errorText(err)}`);
    }
  }

  async #forward(request: JSONRPCRequest, extra: Parameters<NonNullable<Server['fallbackRequestHandler']>>[1]): Promise<never> {
    return (await this.#upstreamRequest(request.method, request.params, extra as never)) as never;
  }

  async #listAllTools(): Promise<Tool[]> {
    const all: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = (await this.#client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } }, ResultSchema, {
        timeout: this.#o.upstreamTimeoutMs,
      })) as { tools?: Tool[]; nextCursor?: string };
      for (const t of r.tools ?? []) {
        all.push(t);
        this.#tools.set(t.name, t);
      }
      cursor = r.nextCursor;
      if (cursor === undefined) break;
    }
    return all;
  }

  #usable(t: Tool): Promise<boolean> {
    return this.#o.calls.usable({
      server: this.#o.serverName,
      tool: t.name,
      ...annotationsOf(t),
      ...this.#who(),
    });
  }

  #who(): Pick<ToolCall, 'agent' | 'roles' | 'environment' | 'cwd'> {
    return {
      agent: this.#agent,
      roles: this.#roles,
      ...(this.#o.environment === undefined ? {} : { environment: this.#o.environment }),
      ...(this.#o.cwd === undefined ? {} : { cwd: this.#o.cwd }),
    };
  }

  async #toolsList(request: JSONRPCRequest, extra: Parameters<NonNullable<Server['fallbackRequestHandler']>>[1]): Promise<never> {
    const first = (request.params as { cursor?: string } | undefined)?.cursor === undefined;
    const upstreamHasTools = this.#client.getServerCapabilities()?.tools !== undefined;
    const result = upstreamHasTools ? await this.#upstreamRequest('tools/list', request.params, extra as never) : { tools: [] };
    const tools = Array.isArray(result.tools) ? (result.tools as Tool[]) : [];
    const shown: Tool[] = [];
    for (const t of tools) {
      this.#tools.set(t.name, t);
      if (t.name !== STATUS_TOOL && (await this.#usable(t))) shown.push(t);
    }
    return { ...result, tools: first ? [...shown, STATUS_TOOL_DEFINITION] : shown } as never;
  }

  async #toolsCall(request: JSONRPCRequest, extra: Parameters<NonNullable<Server['fallbackRequestHandler']>>[1]): Promise<never> {
    const params = (request.params ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof params.name !== 'string' || params.name === '')
      throw new McpError(ErrorCode.InvalidParams, 'tools/call needs params.name, the name of the tool to call');
    if (
      params.arguments !== undefined &&
      (params.arguments === null || typeof params.arguments !== 'object' || Array.isArray(params.arguments))
    )
      throw new McpError(ErrorCode.InvalidParams, 'tools/call params.arguments must be an object of named arguments');
    const name = params.name;
    if (name === STATUS_TOOL) return (await this.#status()) as never;
    if (this.#upstreamClosed !== null) throw this.#upstreamGone();
    if (!this.#tools.has(name)) await this.#listAllTools().catch(() => []);
    const tool = this.#tools.get(name);
    const call: ToolCall = {
      server: this.#o.serverName,
      tool: name,
      arguments: (params.arguments ?? {}) as Record<string, unknown>,
      ...annotationsOf(tool),
      ...this.#who(),
    };
    let decision: CallDecision;
    try {
      decision = await this.#o.calls.propose(call);
    } catch (err) {
      // Nothing recorded, nothing runs.
      this.#o.log(`airlock mcp: could not decide ${name}: ${errorText(err)}`);
      return text(
        `Not run: Airlock could not decide this call (${errorText(err)}), and nothing runs undecided. Tell your user.`,
        true,
      ) as never;
    }
    if (decision.kind === 'held' && this.#o.onHold === 'wait') decision = await this.#wait(decision, call, extra);
    return (await this.#settle(decision, request, call, extra)) as never;
  }

  async #settle(
    decision: CallDecision,
    request: JSONRPCRequest,
    call: ToolCall,
    extra: Parameters<NonNullable<Server['fallbackRequestHandler']>>[1],
  ): Promise<Record<string, unknown>> {
    switch (decision.kind) {
      case 'denied':
        return text(decision.message, true);
      case 'held':
        return text(this.#heldText(decision, call), true);
      case 'ran-sql': {
        const e = decision.execution;
        const ok = e.committed;
        return text(
          `${ok ? 'Approved and run by Airlock through the database guard' : 'Approved, but not committed'} (request ${decision.request.id}):\n${renderExecution(e)}`,
          !ok,
        );
      }
      case 'forward': {
        const started = Date.now();
        const forwarded = { ...(request.params ?? {}), arguments: decision.arguments };
        // Whether the call can still reach the upstream: if not, nothing ran (an approval is not spent on it silently).
        const sent = this.#upstreamClosed === null && !extra.signal.aborted;
        try {
          const result = await this.#upstreamRequest('tools/call', forwarded, extra as never);
          const isError = result.isError === true;
          await this.#finish(decision, {
            sent,
            isError,
            durationMs: Date.now() - started,
            ...(isError ? { error: this.#o.calls.redactor.text(firstText(result)).value } : {}),
          });
          return result;
        } catch (err) {
          await this.#finish(decision, {
            sent,
            isError: true,
            durationMs: Date.now() - started,
            error: this.#o.calls.redactor.text(errorText(err)).value,
          });
          throw err;
        }
      }
    }
  }

  /**
   * Records how a call ended. An approved request's completion is awaited: it ends the request.
   * The decision of a plainly allowed call was recorded before it ran; its outcome joins a batch
   * written within OUTCOME_FLUSH_MS (or at OUTCOME_BATCH, or when the session closes), so that a
   * call costs one durable write on the agent's path, not two.
   */
  async #finish(decision: Extract<CallDecision, { kind: 'forward' }>, outcome: CallOutcome): Promise<void> {
    const how = decision.outcome;
    if (how.kind === 'approved') {
      await how.complete(outcome).catch((err: unknown) => {
        this.#o.log(`airlock mcp: warning: the call ran but its outcome could not be recorded: ${errorText(err)}`);
      });
      return;
    }
    this.#outcomes.push({
      proposalId: how.proposalId,
      decisionSeq: how.decisionSeq,
      server: decision.server,
      tool: decision.tool,
      ...outcome,
    });
    if (this.#outcomes.length >= OUTCOME_BATCH) void this.#flushOutcomes();
    else this.#flushTimer ??= setTimeout(() => void this.#flushOutcomes(), OUTCOME_FLUSH_MS);
  }

  async #flushOutcomes(): Promise<void> {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const batch = this.#outcomes.splice(0);
    if (batch.length === 0) return;
    const written = this.#o.calls.recordOutcomes(batch).catch((err: unknown) => {
      this.#o.log(`airlock mcp: warning: ${batch.length} call(s) ran but their outcomes could not be recorded: ${errorText(err)}`);
    });
    this.#pending.add(written);
    await written;
    this.#pending.delete(written);
  }

  /** Waits for a held call's request to be decided, reporting progress; then runs or refuses it. */
  async #wait(
    held: Extract<CallDecision, { kind: 'held' }>,
    call: ToolCall,
    extra: Parameters<NonNullable<Server['fallbackRequestHandler']>>[1],
  ): Promise<CallDecision> {
    const id = held.opened.request.id;
    const token = (extra._meta as { progressToken?: string | number } | undefined)?.progressToken;
    const started = Date.now();
    let step = 0;
    for (;;) {
      if (extra.signal.aborted) return held;
      let request: ApprovalRequest;
      try {
        request = await this.#o.approvals.get(id);
      } catch (err) {
        return { kind: 'denied', verdict: null, message: `Not run: request ${id} could not be read (${errorText(err)}).` };
      }
      switch (request.status) {
        case 'approved':
          return this.#o.calls.resume(request, call);
        case 'pending':
          break;
        case 'denied':
          return {
            kind: 'denied',
            verdict: null,
            message: `Denied by ${request.denial?.statement.human ?? 'a reviewer'}${request.denial?.statement.comment ? `: ${request.denial.statement.comment}` : ''} (request ${id}). Nothing ran. Do not retry it in another form.`,
          };
        default:
          return {
            kind: 'denied',
            verdict: null,
            message: `Not run: request ${id} is ${request.status}. Ask again if it is still needed.`,
          };
      }
      if (Date.now() - started >= this.#o.waitTimeoutMs) return held;
      if (token !== undefined) {
        step++;
        await extra
          .sendNotification({
            method: 'notifications/progress',
            params: {
              progressToken: token,
              progress: step,
              message: `waiting for approval of request ${id}: ${approvalProgress(request, this.#o.approvals.missing(request))} — ${held.opened.url}`,
            },
          } as never)
          .catch(() => {});
      }
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    }
  }

  #heldText(held: Extract<CallDecision, { kind: 'held' }>, call: ToolCall): string {
    const r = held.opened.request;
    const lines = [
      `Held for human approval — not run. Airlock request ${r.id} needs ${approvalProgress(r, this.#o.approvals.missing(r))}.`,
      `Review: ${held.opened.url}`,
      held.verdict.decision.guidance,
    ];
    if (held.sql !== null) {
      lines.push(
        held.sql.rehearsal !== null
          ? `Rehearsed on the target (rolled back):\n${renderRehearsal(held.sql.rehearsal)}`
          : `Not rehearsed: ${held.sql.notRehearsed ?? 'no rehearsal'}`,
      );
    }
    lines.push(
      `When it is approved, call "${call.tool}" again with exactly the same arguments: Airlock then runs this call once. Call ${STATUS_TOOL} to see the request's state.`,
    );
    return lines.join('\n');
  }

  async #status(): Promise<Record<string, unknown>> {
    const requests = await this.#o.calls.requestsOf(this.#agent.id);
    if (requests.length === 0) return text(`You (${this.#agent.id}) have no approval requests through Airlock.`);
    const lines = requests.map((r) => {
      const missing = this.#o.approvals.missing(r);
      return `${r.id}  ${r.status}  ${r.status === 'pending' ? `${approvalProgress(r, missing)}  ` : ''}${visible(describeAction(r.plan.action)).slice(0, 120)}  ${this.#o.approvals.requestUrl(r.id)}`;
    });
    return {
      ...text(`Your approval requests (${this.#agent.id}), newest first:\n${lines.join('\n')}`),
      structuredContent: {
        requests: requests.map((r) => ({
          id: r.id,
          status: r.status,
          url: this.#o.approvals.requestUrl(r.id),
          createdAt: r.createdAt,
          expiresAt: r.expiresAt,
        })),
      },
    };
  }
}

/** The tool's annotations, as hints (see mcpToolAnnotations), ready to spread into a call. */
function annotationsOf(t: Tool | undefined): { annotations?: McpToolAnnotations } {
  const annotations = mcpToolAnnotations(t?.annotations);
  return annotations === undefined ? {} : { annotations };
}

function firstText(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? (result.content as { type?: string; text?: string }[]) : [];
  return content.find((c) => c.type === 'text' && typeof c.text === 'string')?.text?.slice(0, 2000) ?? '';
}

/** True for an `initialize` request. */
export function isInitialize(message: JSONRPCMessage): message is JSONRPCRequest {
  return (message as { method?: string }).method === 'initialize' && (message as { id?: unknown }).id !== undefined;
}
