/**
 * The MCP stdio transport Airlock serves agents on: newline-delimited JSON-RPC, like the SDK's,
 * but it answers what the SDK's only logs. Invalid JSON gets a -32700 Parse error, a message that
 * is not JSON-RPC gets -32600 Invalid Request (with its id when it has one), and a line longer
 * than the limit is dropped with -32600 naming the limit, without buffering it. Messages are held
 * back (`paused`) until the gateway session is ready, then delivered in order.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC error codes used here. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

function idOf(value: unknown): string | number | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** A {@link Transport} over a pair of streams, with limits and clean errors. */
export class LineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  readonly #in: Readable;
  readonly #out: Writable;
  readonly #max: number;
  #chunks: Buffer[] = [];
  #size = 0;
  /** Skipping the rest of an oversized line. */
  #discarding = false;
  #started = false;
  #closed = false;
  #closeReported = false;
  #paused = true;
  readonly #queue: JSONRPCMessage[] = [];
  readonly #waiters: ((m: JSONRPCMessage | null) => void)[] = [];

  constructor(input: Readable, output: Writable, options: { readonly maxMessageBytes: number }) {
    this.#in = input;
    this.#out = output;
    this.#max = options.maxMessageBytes;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#in.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#in.on('end', () => void this.close());
    this.#in.on('error', (err) => this.onerror?.(err));
    // The agent went away (EPIPE): end the session instead of crashing on an unhandled error.
    this.#out.on('error', (err) => {
      this.onerror?.(err);
      void this.close();
    });
  }

  /** Delivers queued and future messages to `onmessage`. */
  resume(): void {
    this.#paused = false;
    while (this.#queue.length > 0 && !this.#paused) this.onmessage?.(this.#queue.shift() as JSONRPCMessage);
    // The agent may have hung up while the session was opening: say so now that someone listens.
    if (this.#closed) this.#reportClose();
  }

  #reportClose(): void {
    if (this.#closeReported || this.onclose === undefined) return;
    this.#closeReported = true;
    this.onclose();
  }

  /** Holds messages back until {@link resume}. */
  pause(): void {
    this.#paused = true;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return;
    const line = `${JSON.stringify(message)}\n`;
    await new Promise<void>((resolve) => {
      if (this.#out.write(line)) resolve();
      else this.#out.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#in.pause();
    this.#wake();
    if (!this.#paused) this.#reportClose();
  }

  #onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (!this.#discarding) {
        if (this.#size + piece.length > this.#max) {
          this.#discarding = true;
          this.#chunks = [];
          this.#size = 0;
          this.#reply(
            null,
            INVALID_REQUEST,
            `message too large: Airlock accepts JSON-RPC messages of at most ${this.#max} bytes (mcp.maxMessageBytes)`,
          );
        } else {
          this.#chunks.push(piece);
          this.#size += piece.length;
        }
      }
      if (nl === -1) return;
      if (!this.#discarding) this.#line(Buffer.concat(this.#chunks).toString('utf8').replace(/\r$/, ''));
      this.#chunks = [];
      this.#size = 0;
      this.#discarding = false;
      start = nl + 1;
    }
  }

  #line(text: string): void {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.#reply(null, PARSE_ERROR, `Parse error: the message is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.#reply(
        idOf(value),
        INVALID_REQUEST,
        'Invalid Request: not a JSON-RPC 2.0 message (give "jsonrpc": "2.0", a "method" string, and an "id" for requests)',
      );
      return;
    }
    if (this.#paused) {
      this.#queue.push(parsed.data);
      this.#wake();
    } else this.onmessage?.(parsed.data);
  }

  #reply(id: string | number | null, code: number, message: string): void {
    this.onerror?.(new Error(message));
    // JSON-RPC answers an unidentifiable request with id null.
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }

  /**
   * The first queued message, once there is one (it stays queued; {@link resume} delivers it, or
   * {@link dropFirst} drops it). Null when the input ends first.
   */
  firstMessage(): Promise<JSONRPCMessage | null> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue[0] as JSONRPCMessage);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const first = this.#queue[0] ?? null;
    for (const w of this.#waiters.splice(0)) w(first);
  }

  /** Drops the first queued message (answered without the session). */
  dropFirst(): void {
    this.#queue.shift();
  }
}
