/**
 * `airlock hook CLIENT`: reads a coding agent's pre-tool hook payload on stdin and answers in the
 * client's protocol. Decides only (the agent runs the tool itself); the record says so.
 * Fails closed: any error, including a payload that cannot be read, answers deny (or ask).
 */
import { AirlockError, toAirlockError } from '../core/errors.js';
import { hookAdapters, isHookClient, type HookAdapter, type HookRequest } from '../adapters/hooks/hook-adapter.js';
import type { CliIo } from './cli.js';
import { createAirlock } from './composition.js';

const MAX_PAYLOAD = 4 * 1024 * 1024;

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

function write(io: CliIo, response: { stdout: string; stderr: string; exitCode: number }): number {
  if (response.stdout) io.stdout.write(response.stdout.endsWith('\n') ? response.stdout : `${response.stdout}\n`);
  if (response.stderr) io.stderr.write(response.stderr.endsWith('\n') ? response.stderr : `${response.stderr}\n`);
  return response.exitCode;
}

/** Runs one hook invocation; resolves to the exit code the client expects. */
export async function hookCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const client = argv[0];
  const adapter: HookAdapter | undefined = client !== undefined && isHookClient(client) ? hookAdapters[client] : undefined;
  if (adapter === undefined) {
    throw new AirlockError({ code: 'BAD_INPUT', message: `airlock hook: unknown client "${client ?? ''}"; use one of ${Object.keys(hookAdapters).join(', ')}` });
  }
  let request: HookRequest | undefined;
  try {
    const text = await readAll(io.stdin);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new AirlockError({ code: 'BAD_INPUT', message: 'the hook payload on stdin is not JSON' });
    }
    request = adapter.parse(payload);
    if (request.action === null) return write(io, adapter.passThrough(request));
    const airlock = await createAirlock({ env: io.env, cwd: request.cwd ?? io.cwd });
    try {
      const { agent, roles } = await airlock.identify({
        token: io.env.AIRLOCK_AGENT_TOKEN,
        claimedId: adapter.client,
        session: request.session,
        onBehalfOf: io.env.USER,
      });
      const verdict = await airlock.gateway.decide({
        surface: 'hook',
        agent,
        roles,
        action: request.action,
        ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
        ...(request.intent === undefined ? {} : { intent: request.intent }),
      });
      return write(io, adapter.respond(request, verdict));
    } finally {
      await airlock.close();
    }
  } catch (err) {
    const e = toAirlockError(err);
    return write(io, adapter.failClosed(`Airlock could not decide (${e.code}): ${e.message}`, request));
  }
}
