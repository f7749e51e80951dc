/**
 * `airlock hook CLIENT`: reads a coding agent's pre-tool hook payload on stdin and answers in the
 * client's protocol. Decides only (the agent runs the tool itself); the record says so.
 *
 * With `AIRLOCK_URL` set, the payload goes to that running gateway (`POST /v1/hooks/CLIENT`),
 * which decides and records it: the hook process then starts in tens of milliseconds instead of
 * loading parsers, policy and the store itself. Without it, the decision is made in-process.
 * Fails closed: any error, a gateway that cannot be reached or answers badly, or a payload that
 * cannot be read, answers deny (or the client's ask), never allow.
 */
import { AirlockError, toAirlockError } from '../core/errors.js';
import type { HookAdapter, HookRequest, HookResponse } from '../adapters/hooks/hook-adapter.js';
import { HOOK_CLIENTS, isHookClient, type HookClient } from '../adapters/hooks/hook-clients.js';
import { targetingEnv } from './agent-env.js';
import type { CliIo } from './cli.js';
import type { Airlock } from './composition.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { RecordedVerdict } from '../core/gateway.js';
import { hostname } from 'node:os';

const MAX_PAYLOAD = 4 * 1024 * 1024;
/** The exit code that blocks the tool call in every supported client. */
export const HOOK_BLOCK_EXIT = 2;
/** How long a hook waits for the gateway before it fails closed. */
const GATEWAY_TIMEOUT_MS = 10_000;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_PAYLOAD) throw new AirlockError({ code: 'BAD_INPUT', message: `hook payload larger than ${MAX_PAYLOAD} bytes` });
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function write(io: CliIo, response: HookResponse): number {
  if (response.stdout) io.stdout.write(response.stdout.endsWith('\n') ? response.stdout : `${response.stdout}\n`);
  if (response.stderr) io.stderr.write(response.stderr.endsWith('\n') ? response.stderr : `${response.stderr}\n`);
  return response.exitCode;
}

/** The client named on the command line, or a BAD_INPUT error listing the known clients. */
export function clientFor(name: string | undefined): HookClient {
  if (name !== undefined && isHookClient(name)) return name;
  throw new AirlockError({
    code: 'BAD_INPUT',
    message: `unknown hook client "${name ?? ''}"; use one of ${HOOK_CLIENTS.join(', ')}`,
  });
}

/**
 * The protocol adapter for a client, loaded on demand: a hook that forwards to the gateway needs
 * it only to answer when the gateway cannot.
 */
export async function adapterFor(name: string | undefined): Promise<HookAdapter> {
  const client = clientFor(name);
  const { hookAdapters } = await import('../adapters/hooks/hook-adapter.js');
  return hookAdapters[client];
}

/** Options for {@link decideHook}. */
export interface DecideHookOptions {
  readonly token?: string | undefined;
  /** The human the agent acts for, when the caller knows it (the OS user of the hook). */
  readonly onBehalfOf?: string | undefined;
  /** Targeting variables of the agent's environment (KUBECONFIG, AWS_PROFILE …). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Parses a payload, decides (recorded) and renders the client's answer. Shared by the in-process
 * hook and the gateway's `/v1/hooks/:client` endpoint. Never rejects: errors fail closed.
 */
export async function decideHook(
  airlock: Airlock,
  adapter: HookAdapter,
  payload: unknown,
  options: DecideHookOptions = {},
): Promise<HookResponse> {
  let request: HookRequest | undefined;
  try {
    request = adapter.parse(payload);
    if (request.action === null) return adapter.passThrough(request);
    const { agent, roles } = await airlock.identify({
      token: options.token,
      claimedId: adapter.client,
      session: request.session,
      onBehalfOf: options.onBehalfOf,
    });
    const verdict = await airlock.gateway.decide({
      surface: 'hook',
      agent,
      roles,
      action: request.action,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      ...(request.intent === undefined ? {} : { intent: request.intent }),
    });
    if (verdict.decision.outcome !== 'hold' || verdict.auditSeq === null) return adapter.respond(request, verdict);
    return await heldHook(airlock, adapter, request, verdict, options);
  } catch (err) {
    const e = toAirlockError(err);
    return adapter.failClosed(`Airlock could not decide (${e.code}): ${e.message}`, request);
  }
}

/**
 * A held hook call becomes an approval request (the same call again finds the same request). The
 * agent is told the request id and link; once humans approve, the same call again is allowed once
 * (the approval is consumed), and the record says the agent ran it, unobserved by Airlock.
 */
async function heldHook(
  airlock: Airlock,
  adapter: HookAdapter,
  request: HookRequest,
  verdict: RecordedVerdict,
  options: DecideHookOptions,
): Promise<HookResponse> {
  const action = request.action;
  if (action === null) return adapter.respond(request, verdict);
  const opened = await airlock.approvals.open({
    verdict,
    surface: 'hook',
    action,
    cwd: request.cwd,
    env: options.env,
    // The tool input itself (a file tool's new text, every argument), so an approval of one
    // write never lets different content through.
    inputs: [{ name: 'tool input', sha256: airlock.hasher.sha256Hex(canonicalJson(stableToolInput(request.raw))) }],
  });
  const approved = opened.reused && airlock.approvals.view(opened.request).status === 'approved';
  if (approved) {
    const claimed = await airlock.approvals.consume({
      id: opened.request.id,
      planDigest: opened.request.planDigest,
      agentId: verdict.proposal.agent.id,
      executor: { host: hostname(), pid: 0, startedAt: airlock.clock.now().toISOString() },
    });
    if (claimed.ok) {
      await airlock.approvals.complete({
        id: opened.request.id,
        ran: true,
        outcome: { observed: false, note: `allowed to ${adapter.client}, which runs it itself; Airlock did not observe the outcome` },
      });
      const by = claimed.request.approvals.map((a) => a.statement.human).join(', ');
      const allowed: RecordedVerdict = {
        ...verdict,
        decision: {
          outcome: 'allow',
          reasons: [`approved by ${by} (request ${opened.request.id}); this approval is now used`],
          guidance: `Approved by ${by} (request ${opened.request.id}). It is allowed this once, exactly as approved.`,
          policies: verdict.decision.policies,
          errors: [],
        },
      };
      return adapter.respond(request, allowed, { requestUrl: opened.url });
    }
  }
  const r = opened.request;
  const needs = `${r.requirement.approvals} approval${r.requirement.approvals === 1 ? '' : 's'}${r.requirement.groups.length ? ` from ${r.requirement.groups.join(' or ')}` : ''}`;
  return adapter.respond(request, verdict, {
    requestUrl: `${opened.url} (request ${r.id}; needs ${needs}). Tell your user. Once it is approved, make exactly the same call again and it will be allowed once.`,
  });
}

/** Payload fields that change on every call (ids, times, model names), left out of the input hash. */
const VOLATILE = new Set([
  'session_id',
  'transcript_path',
  'timestamp',
  'turn_id',
  'tool_use_id',
  'conversation_id',
  'generation_id',
  'model',
  'cursor_version',
  'user_email',
  'permission_mode',
  'workspace_roots',
]);

/** The hook payload without its per-call fields: what the agent asked the tool to do. */
function stableToolInput(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).filter(([k]) => !VOLATILE.has(k)));
}

const hookResponseShape = (v: unknown): v is HookResponse =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as HookResponse).stdout === 'string' &&
  typeof (v as HookResponse).stderr === 'string' &&
  Number.isInteger((v as HookResponse).exitCode);

/** Runs one hook invocation; resolves to the exit code the client expects. */
export async function hookCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const client = clientFor(argv[0]);
  let text: string;
  try {
    text = await readAll(io.stdin);
  } catch (err) {
    return write(io, (await adapterFor(client)).failClosed(`Airlock could not read the hook payload: ${toAirlockError(err).message}`));
  }
  const url = io.env.AIRLOCK_URL;
  // Through the gateway the payload is forwarded as it came; the gateway parses and decides.
  if (url) return write(io, await viaGateway(url, client, text, io));
  const adapter = await adapterFor(client);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return write(io, adapter.failClosed('Airlock could not decide (BAD_INPUT): the hook payload on stdin is not JSON'));
  }
  const { createAirlock } = await import('./composition.js');
  let airlock: Airlock;
  try {
    airlock = await createAirlock({ env: io.env, cwd: io.cwd });
  } catch (err) {
    const e = toAirlockError(err);
    return write(io, adapter.failClosed(`Airlock could not start (${e.code}): ${e.message}`));
  }
  try {
    return write(
      io,
      await decideHook(airlock, adapter, payload, {
        token: io.env.AIRLOCK_AGENT_TOKEN,
        onBehalfOf: io.env.USER,
        env: targetingEnv(io.env),
      }),
    );
  } finally {
    await airlock.close();
  }
}

/**
 * Entry point used by the `airlock` bin for `airlock hook …`, so that a hook loads only what it
 * needs (not the whole CLI). Sets the process exit code.
 */
export async function hookMain(argv: readonly string[]): Promise<void> {
  const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  try {
    process.exitCode = await hookCommand(argv, io);
  } catch (err) {
    // Exit 2 is the one code every supported client treats as "block" (others let the tool run),
    // so an error Airlock catches here, even a mistyped client name, still blocks the call.
    process.stderr.write(`airlock: ${toAirlockError(err).message}\n`);
    process.exitCode = HOOK_BLOCK_EXIT;
  }
}

async function viaGateway(url: string, client: HookClient, body: string, io: CliIo): Promise<HookResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (io.env.AIRLOCK_AGENT_TOKEN) headers.authorization = `Bearer ${io.env.AIRLOCK_AGENT_TOKEN}`;
  if (io.env.USER) headers['x-airlock-on-behalf-of'] = io.env.USER;
  // The agent's targeting variables decide where the action lands; the gateway's own may differ.
  const env = targetingEnv(io.env);
  if (Object.keys(env).length > 0) headers['x-airlock-env'] = encodeURIComponent(JSON.stringify(env));
  try {
    // node:http rather than fetch: fetch's first use costs ~100 ms of start-up, paid on every hook.
    const target = new URL(`${url.replace(/\/+$/, '')}/v1/hooks/${client}`);
    const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
    const { status, text } = await new Promise<{ status: number; text: string }>((resolvePromise, reject) => {
      const req = request(target, { method: 'POST', headers, timeout: GATEWAY_TIMEOUT_MS }, (res: import('node:http').IncomingMessage) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: data }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${GATEWAY_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
    let answer: unknown = null;
    try {
      answer = JSON.parse(text);
    } catch {
      // Not JSON: reported below as a refusal.
    }
    if (status === 200 && hookResponseShape(answer)) return answer;
    const message = (answer as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${status}`;
    return (await adapterFor(client)).failClosed(`the Airlock gateway at ${url} refused the hook: ${message}`);
  } catch (err) {
    return (await adapterFor(client)).failClosed(
      `the Airlock gateway at ${url} could not be reached (${err instanceof Error ? err.message : String(err)}); start it with \`airlock up\` or unset AIRLOCK_URL`,
    );
  }
}
