/**
 * Runs the HTTP examples in docs/http.md: every ```http block is sent, in document order, to the
 * real API (in-process, over the real composition), with the placeholders filled in — `alk_…` is
 * an agent token, `alh_…` a prod-owner's personal token, `req_01J…` the request the first example
 * opened, the example digest that request's plan digest. Each must succeed (2xx), and the ```json
 * block that follows an example must name only fields the real answer has.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Airlock, createAirlock } from '../src/app/composition.js';
import { createHttpApp } from '../src/interfaces/http/http-app.js';
import { tempWorkdir } from './support/run-cli.js';

const DOC = resolve(import.meta.dirname, '../docs/http.md');
const AGENT_TOKEN = 'alk_docs_agent_token';
const HUMAN_TOKEN = 'alh_docs_human_token';
const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

// One approval from prod-owners lifts the hold here, so the documented flow (one approve example)
// reaches consume and complete.
const POLICY = `@id("permit-all") permit (principal is Agent, action == Action::"run", resource is Target);
@id("hold-destructive") @hold("1") @approvers("prod-owners") @reason("destructive in a protected environment")
forbid (principal is Agent, action == Action::"run", resource) when { context.protected && context.riskRank >= 3 };
`;
const CONFIG = `environments:
  prod:
    match:
      namespaces: [payments]
humans:
  - id: alice
    groups: [prod-owners]
policies:
  defaultPack: false
  paths: [docs.cedar]
grants:
  approvals: 1
`;

interface Example {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Top-level fields of the ```json answer shown right after it, if any. */
  readonly answerFields: readonly string[] | null;
}

function examples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as string, text: m[2] as string }));
  const out: Example[] = [];
  blocks.forEach((b, i) => {
    if (b.lang !== 'http') return;
    const [head = '', ...rest] = b.text.split('\n\n');
    const [requestLine = '', ...headerLines] = head.split('\n');
    const [method = '', path = ''] = requestLine.split(' ');
    const headers = Object.fromEntries(
      headerLines
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const next = blocks[i + 1];
    let answerFields: string[] | null = null;
    if (next?.lang === 'json') {
      try {
        answerFields = Object.keys(JSON.parse(next.text) as object).filter((k) => k !== '…');
      } catch {
        answerFields = null;
      }
    }
    out.push({ method, path, headers, body: rest.join('\n\n').trim(), answerFields });
  });
  return out;
}

let work: { dir: string; cleanup: () => void };
let airlock: Airlock;

beforeAll(async () => {
  work = tempWorkdir('airlock-docs-http-');
  writeFileSync(join(work.dir, 'airlock.yaml'), CONFIG);
  writeFileSync(join(work.dir, 'docs.cedar'), POLICY);
  airlock = await createAirlock({ env: { HOME: work.dir }, cwd: work.dir, baseUrl: 'http://127.0.0.1:7070' });
  const at = new Date().toISOString();
  await airlock.store.putAgent({
    id: 'deploy-bot',
    roles: [],
    tokenHash: airlock.hasher.sha256Hex(AGENT_TOKEN),
    createdAt: at,
    revokedAt: null,
  });
  await airlock.store.putHumanToken({
    id: 'tok-alice',
    humanId: 'alice',
    tokenHash: airlock.credentialHasher.sha256Hex(HUMAN_TOKEN),
    createdAt: at,
    revokedAt: null,
  });
});
afterAll(async () => {
  await airlock.close();
  work.cleanup();
});

it('runs every HTTP example in docs/http.md, in order, and each succeeds as documented', async () => {
  const app = createHttpApp({
    gateway: airlock.gateway,
    identify: (o) => airlock.identify(o),
    readAudit: (o) => airlock.store.readAudit(o),
    auditHead: () => airlock.store.auditHead(),
    version: 'docs',
    principalOf: (t) => airlock.principalOf(t),
    approvals: { service: airlock.approvals, store: airlock.store, clock: airlock.clock },
  });
  const list = examples(readFileSync(DOC, 'utf8'));
  expect(list.length).toBeGreaterThanOrEqual(5);
  let requestId: string | null = null;
  let digest: string | null = null;
  for (const ex of list) {
    const fill = (s: string): string => {
      let t = s.replaceAll('alk_…', AGENT_TOKEN).replaceAll('alh_…', HUMAN_TOKEN);
      if (requestId !== null) t = t.replaceAll('req_01J…', requestId);
      if (digest !== null) t = t.replace(/\b[0-9a-f]{64}\b/g, digest);
      return t;
    };
    const init: RequestInit = {
      method: ex.method,
      headers: Object.fromEntries(Object.entries(ex.headers).map(([k, v]) => [k, fill(v)])),
      ...(ex.body === '' ? {} : { body: fill(ex.body) }),
    };
    const res = await app.request(fill(ex.path), init, LOCAL);
    const text = await res.text();
    expect(res.status, `${ex.method} ${ex.path} answered ${res.status}: ${text}`).toBeLessThan(300);
    const answer = JSON.parse(text) as Record<string, unknown>;
    if (ex.answerFields !== null) {
      for (const field of ex.answerFields) expect(answer, `${ex.method} ${ex.path}: the docs show "${field}"`).toHaveProperty(field);
    }
    const request = answer.request as { id?: string; planDigest?: string } | undefined;
    if (requestId === null && request?.id !== undefined && request.planDigest !== undefined) {
      requestId = request.id;
      digest = request.planDigest;
    }
  }
  expect(requestId).not.toBeNull();
  expect((await airlock.approvals.get(requestId as string)).status).toBe('executed');
});
