import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { mcpBriefing } from './mcp-calls.js';

const config = parseConfig({
  environments: {
    prod: { protected: true, criticality: 'critical', description: 'customer traffic', match: { mcpServers: ['shop-*'] } },
    files: { protected: true, match: { paths: ['/srv/prod'] } },
    dev: { protected: false, match: { mcpServers: ['dev-*'] } },
  },
  resources: [
    { name: 'orders-db', environment: 'prod', criticality: 'critical', dependants: ['checkout'], match: { mcpServers: ['shop-sql'] } },
  ],
  databases: { shop: { engine: 'postgresql', database: 'shop', environment: 'prod', dependants: ['billing'] } },
  mcp: { servers: { 'shop-sql': { tools: { run: { sqlArgument: 'sql', database: 'shop' } } } } },
});

describe('mcpBriefing', () => {
  it('names what is protected behind the server and why, what needs approval and how to ask', () => {
    const text = mcpBriefing(config, 'shop-sql', { hiddenTools: 2, onHold: 'return' });
    expect(text).toContain('- prod (protected), criticality critical: this server — customer traffic.');
    expect(text).toContain('- files (protected): paths /srv/prod.');
    expect(text).toContain('resource orders-db (criticality critical; depended on by checkout) in prod');
    expect(text).toContain('database target shop (environment prod); depended on by billing');
    expect(text).toContain('call the same tool again with the same arguments once it is approved');
    expect(text).toContain('airlock_status');
    expect(text).toContain('2 of the server');
    expect(text).not.toContain('dev');
  });

  it('says a held call waits when the gateway waits', () => {
    expect(mcpBriefing(config, 'dev-tools', { hiddenTools: 0, onHold: 'wait' })).toContain('A held call waits');
  });
});

describe('mcp configuration', () => {
  it('refuses a database mapping without its SQL argument or with an unknown target, naming the field', () => {
    expect(() => parseConfig({ mcp: { servers: { s: { tools: { t: { database: 'nope', sqlArgument: 'sql' } } } } } })).toThrow(
      /mcp\.servers\.s\.tools\.t\.database: "nope" is not a target under "databases"/,
    );
    expect(() =>
      parseConfig({
        databases: { shop: { engine: 'postgresql', database: 'shop' } },
        mcp: { servers: { s: { tools: { t: { database: 'shop' } } } } },
      }),
    ).toThrow(/mcp\.servers\.s\.tools\.t\.sqlArgument: a tool mapped to a database target must say which argument holds its SQL/);
    expect(() => parseConfig({ mcp: { onHold: 'later' } })).toThrow(/mcp\.onHold/);
    expect(() => parseConfig({ mcp: { servers: { s: { tools: { t: { verbb: 'read' } } } } } })).toThrow(/verbb/);
  });
});
