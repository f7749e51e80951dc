/**
 * Serving the MCP gateway to agents: over stdio (the agent starts `airlock mcp`), or over
 * Streamable HTTP (one gateway session, and one upstream connection, per agent session).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, type JSONRPCMessage, McpError } from '@modelcontextprotocol/sdk/types.js';
import { GatewaySession, type GatewayOptions, isInitialize } from './gateway-session.js';
import { INVALID_REQUEST, LineTransport, PARSE_ERROR } from './line-transport.js';

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Serves one agent over a pair of streams until the input ends. The first message must be
 * `initialize`; the upstream is started then, with the agent's capabilities. Resolves when the
 * agent has gone and the upstream is stopped.
 */
export async function serveStdio(
  o: GatewayOptions,
  io: {
    readonly input: Readable;
    readonly output: Writable;
    readonly maxMessageBytes: number;
    readonly token?: string;
    /** Resolves when the gateway is told to stop (a signal): it ends as if the agent had hung up. */
    readonly stop?: Promise<void>;
  },
): Promise<void> {
  const transport = new LineTransport(io.input, io.output, { maxMessageBytes: io.maxMessageBytes });
  transport.onerror = (err) => o.log(`airlock mcp: agent: ${err.message}`);
  await transport.start();
  void io.stop?.then(() => transport.close());
  let session: GatewaySession | null = null;
  for (;;) {
    const first = await transport.firstMessage();
    if (first === null) return;
    if (!isInitialize(first)) {
      transport.dropFirst();
      const id = (first as { id?: string | number }).id;
      if (id !== undefined)
        await transport.send({
          jsonrpc: '2.0',
          id,
          error: { code: INVALID_REQUEST, message: 'the session is not initialized: send initialize first' },
        } as unknown as JSONRPCMessage);
      continue;
    }
    try {
      session = await GatewaySession.open(o, first, io.token === undefined ? {} : { token: io.token });
      break;
    } catch (err) {
      transport.dropFirst();
      const code = err instanceof McpError ? err.code : ErrorCode.InternalError;
      o.log(`airlock mcp: ${errorMessage(err)}`);
      await transport.send({ jsonrpc: '2.0', id: first.id, error: { code, message: errorMessage(err) } } as unknown as JSONRPCMessage);
    }
  }
  const closed = new Promise<void>((resolve) => {
    session.server.onclose = () => resolve();
  });
  await session.server.connect(transport);
  transport.resume();
  await closed;
  await session.close();
}

/** A running HTTP gateway. */
export interface HttpGateway {
  readonly url: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function rpcError(res: ServerResponse, status: number, code: number, message: string, id: unknown = null): void {
  sendJson(res, status, { jsonrpc: '2.0', id, error: { code, message } });
}

/** Reads a body of at most `max` bytes; null when larger. */
async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

/**
 * Serves Streamable HTTP at `http://host:port/mcp`. An initialize POST opens a session (and its
 * upstream); its `Mcp-Session-Id` routes what follows; DELETE or the agent going away closes it.
 * An agent token in `Authorization: Bearer alk_…` identifies the agent.
 */
export async function serveHttp(
  o: GatewayOptions,
  options: { readonly host: string; readonly port: number; readonly maxMessageBytes: number; readonly idleTimeoutMs: number },
): Promise<HttpGateway> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; session: GatewaySession; lastSeen: number }>();
  // A session whose agent went away without a DELETE would keep its upstream forever.
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, s] of sessions) {
        if (now - s.lastSeen < options.idleTimeoutMs) continue;
        if (s.session.busy()) {
          s.lastSeen = now;
          continue;
        }
        o.log(`airlock mcp: closing session ${id}: idle for more than ${Math.round(options.idleTimeoutMs / 1000)} s (mcp.idleTimeout)`);
        sessions.delete(id);
        void s.transport.close();
      }
    },
    Math.min(60_000, Math.max(1000, Math.floor(options.idleTimeoutMs / 2))),
  );
  sweep.unref();
  const localhost = ['127.0.0.1', 'localhost', '::1'].includes(options.host);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') {
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'the MCP endpoint is /mcp' } });
      return;
    }
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const s = sessions.get(sid);
      if (s === undefined) {
        rpcError(res, 404, -32001, `session ${sid} is not open (it ended, or the gateway restarted): initialize a new session`);
        return;
      }
      s.lastSeen = Date.now();
      await s.transport.handleRequest(req, res);
      return;
    }
    if (req.method !== 'POST') {
      rpcError(res, 400, INVALID_REQUEST, 'no Mcp-Session-Id: initialize a session with a POST first');
      return;
    }
    // Checked before anything starts: a request the transport would refuse must not spawn an upstream.
    const refused = refusal(req);
    if (refused !== null) {
      rpcError(res, refused.status, -32000, refused.message);
      return;
    }
    const body = await readBody(req, options.maxMessageBytes);
    if (body === null) {
      rpcError(
        res,
        413,
        INVALID_REQUEST,
        `message too large: Airlock accepts JSON-RPC messages of at most ${options.maxMessageBytes} bytes (mcp.maxMessageBytes)`,
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      rpcError(res, 400, PARSE_ERROR, `Parse error: the body is not valid JSON (${errorMessage(err)})`);
      return;
    }
    const messages = (Array.isArray(parsed) ? parsed : [parsed]) as JSONRPCMessage[];
    const init = messages.find((m) => m !== null && typeof m === 'object' && isInitialize(m));
    if (init === undefined || !isInitialize(init)) {
      rpcError(res, 400, INVALID_REQUEST, 'no Mcp-Session-Id: the first request of a session must be initialize');
      return;
    }
    let session: GatewaySession;
    try {
      const token = bearer(req);
      session = await GatewaySession.open(o, init, token === undefined ? {} : { token });
    } catch (err) {
      o.log(`airlock mcp: ${errorMessage(err)}`);
      rpcError(res, 502, err instanceof McpError ? err.code : ErrorCode.InternalError, errorMessage(err), init.id);
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: options.maxMessageBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, session, lastSeen: Date.now() });
      },
      ...(localhost ? { enableDnsRebindingProtection: true, allowedHosts: allowedHosts() } : {}),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void session.close();
    };
    await session.server.connect(transport);
    try {
      await transport.handleRequest(req, res, parsed);
    } finally {
      // Refused after all (no session was created): stop the upstream it started.
      if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await session.close();
    }
  };
  /** Why the SDK transport would refuse a new session's request; null when it would not. */
  const refusal = (req: IncomingMessage): { status: number; message: string } | null => {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream'))
      return { status: 406, message: 'Not Acceptable: the client must accept both application/json and text/event-stream' };
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return { status: 415, message: 'Unsupported Media Type: Content-Type must be application/json' };
    if (localhost && !allowedHosts().includes(req.headers.host ?? ''))
      return { status: 403, message: `Invalid Host header: ${req.headers.host ?? '(none)'}` };
    return null;
  };
  const allowedHosts = (): string[] => [`${options.host}:${address().port}`, `localhost:${address().port}`];
  const http = createServer((req, res) => {
    handle(req, res).catch((err) => {
      o.log(`airlock mcp: ${errorMessage(err)}`);
      if (!res.headersSent) rpcError(res, 500, ErrorCode.InternalError, `Airlock failed on this request: ${errorMessage(err)}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const address = (): AddressInfo => http.address() as AddressInfo;
  const hostText = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostText}:${address().port}/mcp`,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((s) => s.session.close()));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
