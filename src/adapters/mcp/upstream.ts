/**
 * Connections to the real MCP server behind the gateway: a child process over stdio, or a
 * Streamable HTTP endpoint. Uses the official SDK's client transports.
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Where the upstream server is. */
export type UpstreamSpec =
  | {
      readonly kind: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly cwd: string;
    }
  | { readonly kind: 'http'; readonly url: string; readonly headers: Readonly<Record<string, string>> };

/** An opened upstream transport and what is known when it fails. */
export interface UpstreamConnection {
  readonly transport: Transport;
  /** `npx server-filesystem /srv` or the URL, for messages. */
  readonly describe: string;
  /** The last lines the upstream process wrote to stderr (stdio only). */
  stderrTail(): string;
}

/** How much of the upstream's stderr is kept for error messages. */
const TAIL_BYTES = 2000;

/** Opens (does not start) a transport to the upstream; the SDK client starts it on connect. */
export function openUpstream(spec: UpstreamSpec, options: { readonly stderr: NodeJS.WritableStream }): UpstreamConnection {
  if (spec.kind === 'http') {
    const transport = new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: { ...spec.headers } } });
    return { transport, describe: spec.url, stderrTail: () => '' };
  }
  const transport = new StdioClientTransport({
    command: spec.command,
    args: [...spec.args],
    env: { ...spec.env },
    cwd: spec.cwd,
    stderr: 'pipe',
  });
  let tail = '';
  // The upstream's own diagnostics still reach the agent's log, and the last of them name a crash.
  transport.stderr?.on('data', (chunk: Buffer) => {
    options.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  });
  return { transport, describe: [spec.command, ...spec.args].join(' '), stderrTail: () => tail.trim() };
}
