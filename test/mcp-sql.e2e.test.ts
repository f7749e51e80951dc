/**
 * The MCP gateway in front of an MCP server that runs SQL on the real PostgreSQL
 * (test/fixtures/mcp-sql-server.mjs). Its `execute_sql` tool is mapped in airlock.yaml to the
 * database target `shop`: reads are forwarded to the server; a destructive statement is held with
 * its rehearsed effect (the exact rows, rolled back); once approved Airlock runs it through the
 * database guard, bound to that effect, with a recovery point `airlock undo` restores. Without the
 * mapping, the same unannotated tool is held in the protected environment for being unvetted.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestDatabase, targetYaml } from './support/databases.js';
import { hermeticEnv } from './support/live-process.js';
import { BIN, runCli, tempWorkdir, humanTokens } from './support/run-cli.js';

const SQL_SERVER = resolve(import.meta.dirname, 'fixtures/mcp-sql-server.mjs');
const ROWS = 120;

interface ToolResult {
  content: { type: string; text?: string }[];
  isError?: boolean;
}
const textOf = (r: unknown): string => ((r as ToolResult).content ?? []).map((c) => c.text ?? '').join('\n');

function config(db: TestDatabase, mapped: boolean): string {
  return `environments:
  prod:
    protected: true
    criticality: critical
    match:
      mcpServers: [shop-sql]
databases:
  shop:
${targetYaml(db)}
    environment: prod
    criticality: critical
    dependants: [checkout]
humans:
  - id: alice
    groups: [prod-owners]
  - id: bob
    groups: [prod-owners]
${
  mapped
    ? `mcp:
  servers:
    shop-sql:
      tools:
        execute_sql: { sqlArgument: sql, dialect: postgresql, database: shop }
`
    : ''
}`;
}

describe('airlock mcp in front of a SQL MCP server on PostgreSQL', () => {
  let db: TestDatabase;
  let w: { dir: string; cleanup: () => void };
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  const as = (who: string, args: readonly string[]) => runCli(args, { cwd: w.dir, env: { AIRLOCK_TOKEN: tokens[who] } });
  const count = async (): Promise<number> => Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM orders'))[0]?.n);

  async function connect(): Promise<Client> {
    const url = `postgres://${db.user}@${db.host}:${db.port}/${db.database}`;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--name', 'shop-sql', '--agent', 'ops-agent', '--', process.execPath, SQL_SERVER],
      cwd: w.dir,
      env: hermeticEnv(w.dir, { DATABASE_URL: url }) as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'sql-agent', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    return client;
  }

  beforeAll(async () => {
    db = await createPgDatabase('airlock_mcp');
    await db.query('CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL, total numeric(10,2))');
    await db.query(
      `INSERT INTO orders SELECT g, CASE WHEN g % 4 = 0 THEN 'cancelled' ELSE 'paid' END, g * 3.5 FROM generate_series(1, ${ROWS}) g`,
    );
    w = tempWorkdir('airlock-mcp-sql-');
    writeFileSync(join(w.dir, 'airlock.yaml'), config(db, true));
    Object.assign(tokens, await humanTokens(w.dir, ['alice', 'bob']));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await db?.drop();
    w?.cleanup();
  });

  it('reads pass to the server; a DELETE is held with its rehearsed effect, runs through the guard once approved, and is undone', async () => {
    const client = await connect();
    expect(client.getInstructions()).toContain('database target shop (environment prod), criticality critical; depended on by checkout');

    const read = await client.callTool({
      name: 'execute_sql',
      arguments: { sql: "SELECT count(*) AS n FROM orders WHERE status = 'paid'" },
    });
    expect((read as ToolResult).isError).toBeFalsy();
    expect(JSON.parse(textOf(read))).toMatchObject({ command: 'SELECT', rows: [{ n: '90' }] });

    const sql = "DELETE FROM orders WHERE status = 'cancelled'";
    const held = await client.callTool({ name: 'execute_sql', arguments: { sql } });
    expect((held as ToolResult).isError).toBe(true);
    expect(textOf(held)).toContain('Held for human approval — not run');
    expect(textOf(held)).toContain('Rehearsed on the target (rolled back)');
    expect(textOf(held)).toMatch(/DELETE, ran and rolled back: 30 rows in \S*orders/);
    expect(await count()).toBe(ROWS);
    const id = (/request (req_\w+)/.exec(textOf(held)) as RegExpExecArray)[1] as string;
    const shown = await as('alice', ['requests', 'show', id]);
    expect(shown.stdout).toContain('30 rows');

    for (const who of ['alice', 'bob']) expect((await as(who, ['approve', '--yes', id])).code).toBe(0);
    const ran = await client.callTool({ name: 'execute_sql', arguments: { sql } });
    expect((ran as ToolResult).isError, textOf(ran)).toBeFalsy();
    expect(textOf(ran)).toContain('run by Airlock through the database guard');
    expect(await count()).toBe(ROWS - 30);

    const undo = await as('alice', ['undo', id]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(await count()).toBe(ROWS);
  });

  it('a catastrophic statement is denied with the reason; unmapped, the unannotated tool is held in prod even for a read', async () => {
    const client = await connect();
    const drop = await client.callTool({ name: 'execute_sql', arguments: { sql: 'DROP DATABASE postgres' } });
    expect((drop as ToolResult).isError).toBe(true);
    expect(textOf(drop)).toMatch(/^Denied/);
    await client.close();

    writeFileSync(join(w.dir, 'airlock.yaml'), config(db, false));
    try {
      const unmapped = await connect();
      const read = await unmapped.callTool({ name: 'execute_sql', arguments: { sql: 'SELECT 1' } });
      // The SQL says read; the tool is unannotated and unmapped, so its own effect is a guess: held.
      expect(textOf(read)).toContain('Held for human approval');
      expect(textOf(read)).toContain('neither annotated read-only');
      const tables = await unmapped.callTool({ name: 'list_tables', arguments: {} });
      expect(textOf(tables)).toBe('orders');
    } finally {
      writeFileSync(join(w.dir, 'airlock.yaml'), config(db, true));
    }
  });
});
