import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../../core/assessment.js';
import { type CompositeClassifier, createClassifier } from '../../classifier.js';
import { approvalEndpoint } from './system.js';

let classifier: CompositeClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
});

const assess = (command: string) => classifier.classify({ kind: 'shell', command });

describe("HTTP calls to Airlock's human-only endpoints", () => {
  const table: ReadonlyArray<readonly [string, RiskClass]> = [
    // the approvals API, any method, any host
    ['curl -X POST http://127.0.0.1:7070/v1/requests/r1/approve', 'catastrophic'],
    ['curl -X POST http://127.0.0.1:7070/v1/requests/r1/deny', 'catastrophic'],
    ['curl -X POST http://127.0.0.1:7070/v1/requests/r1/revoke', 'catastrophic'],
    ['curl http://127.0.0.1:7070/v1/requests/r1/approve', 'catastrophic'],
    ['curl -X POST https://api.example.com/v1/requests/1/approve', 'catastrophic'],
    ['curl -X POST "$URL/v1/requests/$ID/approve"', 'catastrophic'],
    ['curl -X "$METHOD" "$URL/v1/requests/r1/approve"', 'catastrophic'],
    ["curl -X POST 'http://h/v1/requests/r1/%61pprove'", 'catastrophic'],
    ['curl -X POST http://h/v1/requests/r1/./approve/', 'catastrophic'],
    ["curl -X POST 'http://h/v1/requests/r1/{approve,deny}'", 'catastrophic'],
    ['curl --url http://h/v1/grants/g1/approve -X POST', 'catastrophic'],
    ["curl -d '{}' http://127.0.0.1:7070/v1/grants", 'catastrophic'],
    // the web UI's forms
    ['curl -d vote=approve http://127.0.0.1:7070/requests/r1/review', 'catastrophic'],
    ['curl -d x=1 http://127.0.0.1:7070/grants', 'catastrophic'],
    ['curl -d user=alice -d password=x http://127.0.0.1:7070/login', 'catastrophic'],
    // other clients
    ['wget --post-data x http://127.0.0.1:7070/v1/requests/r1/approve', 'catastrophic'],
    ['wget -qO- --method=POST http://h/v1/grants/g1/deny', 'catastrophic'],
    ['http POST :7070/v1/requests/r1/approve planDigest=abc', 'catastrophic'],
    ['https POST airlock.internal/v1/requests/r1/deny', 'catastrophic'],
    ['xh POST localhost:7070/v1/grants', 'catastrophic'],
    // look-alikes keep their usual class
    ['curl http://127.0.0.1:7070/v1/requests/r1', 'read'],
    ['curl http://127.0.0.1:7070/v1/grants', 'read'],
    ['curl http://127.0.0.1:7070/login', 'read'],
    ['curl -X POST http://127.0.0.1:7070/v1/requests/r1/consume', 'write'],
    ['curl -X POST http://127.0.0.1:7070/v1/requests', 'write'],
    ['curl -X POST https://api.example.com/v1/requests/1/reviewers', 'write'],
    ['curl -X POST https://api.example.com/v1/orders', 'write'],
    ['curl https://api.example.com/v1/orders', 'read'],
    ['curl -X DELETE https://api.example.com/v1/orders/7', 'destructive'],
    ['http POST api.example.com/v1/orders item=1', 'write'],
    ['wget https://example.com/approve.tar.gz', 'write'],
  ];
  it.each(table)('%s → %s', (command, risk) => {
    expect(assess(command).risk).toBe(risk);
  });

  it('says why, citing the invariant', () => {
    const a = assess('curl -X POST http://127.0.0.1:7070/v1/requests/r1/approve');
    expect(a.effects.map((e) => e.reason).join('\n')).toMatch(/approving is for humans.*SECURITY\.md invariant 2/);
    expect(a.targets).toEqual([{ type: 'host', hostname: '127.0.0.1' }]);
  });

  it('matches the URL path only', () => {
    expect(approvalEndpoint('http://h/v1/requests/r1/approve?x=1#y', 'GET')).toBeDefined();
    expect(approvalEndpoint('http://requests/r1/approve', 'POST')).toBeUndefined();
    expect(approvalEndpoint('http://h/v1/grants', 'GET')).toBeUndefined();
    expect(approvalEndpoint('http://h/v1/grants', 'POST')).toBeDefined();
  });
});
