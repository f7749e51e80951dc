import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../../core/assessment.js';
import { type CompositeClassifier, createClassifier } from '../../classifier.js';
import { airlockRules } from './airlock.js';
import { recordingContext, run } from './infra-test-kit.js';

let classifier: CompositeClassifier;
beforeAll(async () => {
  classifier = await createClassifier();
});

const assess = (command: string) => classifier.classify({ kind: 'shell', command });
const risk = (command: string): RiskClass => assess(command).risk;

/** Airlock's own CLI through the real classifier: each line with the class it must get. */
const grammar: ReadonlyArray<readonly [string, RiskClass]> = [
  // reads
  ['airlock', 'read'],
  ['airlock help', 'read'],
  ['airlock --help', 'read'],
  ['airlock -h', 'read'],
  ['airlock version', 'read'],
  ['airlock --version', 'read'],
  ['airlock check -- kubectl -n prod delete ns payments', 'read'],
  ['airlock check --kind sql "DROP DATABASE shop"', 'read'],
  ['airlock check --jsonl', 'read'],
  ['airlock requests', 'read'],
  ['airlock requests --all --json', 'read'],
  ['airlock requests --status pending --limit 5', 'read'],
  ['airlock requests show req_1', 'read'],
  ['airlock audit verify', 'read'],
  ['airlock audit tail -n 20', 'read'],
  ['airlock policy test cases.yaml', 'read'],
  ['airlock grants', 'read'],
  ['airlock grants list --all', 'read'],
  ['airlock grants show g_1', 'read'],
  ['airlock humans', 'read'],
  ['airlock humans list', 'read'],
  ['airlock agents list --json', 'read'],
  ['airlock hook claude-code', 'read'],
  ['airlock approve --help', 'read'],
  ['airlock approve -h', 'read'],
  ['airlock exec -h -- rm -rf /srv/app', 'read'],
  ['airlock exec', 'read'],
  ['airlock exec --json', 'read'],
  ['airlock sh', 'read'],
  // human-only: self-approval
  ['airlock approve req_1', 'catastrophic'],
  ['airlock approve req_1 -m "looks fine"', 'catastrophic'],
  ['airlock approve "$REQ"', 'catastrophic'],
  ['airlock deny req_1 --reason "no"', 'catastrophic'],
  ['airlock revoke req_1', 'catastrophic'],
  ['airlock grants add bot --for 30m --reason "migration" --env prod', 'catastrophic'],
  ['airlock grants approve g_1', 'catastrophic'],
  ['airlock grants deny g_1', 'catastrophic'],
  ['airlock grants revoke g_1', 'catastrophic'],
  ['airlock humans passwd alice', 'catastrophic'],
  ['airlock humans token alice', 'catastrophic'],
  ['airlock humans revoke-token tok_1', 'catastrophic'],
  ['airlock agents add bot --role ops', 'catastrophic'],
  ['airlock agents revoke bot', 'catastrophic'],
  ['airlock init', 'catastrophic'],
  ['airlock init --force', 'catastrophic'],
  // the command name as it may arrive
  ['npx airlock approve req_1', 'catastrophic'],
  ['/usr/local/bin/airlock approve req_1', 'catastrophic'],
  ['./node_modules/.bin/airlock approve req_1', 'catastrophic'],
  ['./bin/airlock.js approve req_1', 'catastrophic'],
  ['AIRLOCK_TOKEN=alk_x airlock approve req_1', 'catastrophic'],
  ['sudo airlock humans token alice', 'catastrophic'],
  ['npx airlock requests', 'read'],
  ['/usr/local/bin/airlock requests', 'read'],
  // starting the gateway, anything else, dynamic subcommands
  ['airlock up', 'unknown'],
  ['airlock start', 'unknown'],
  ['airlock frobnicate', 'unknown'],
  ['airlock --env prod exec -- ls', 'unknown'],
  ['airlock $CMD req_1', 'unknown'],
  ['airlock grants $SUB g_1', 'unknown'],
  ['airlock humans $SUB alice', 'unknown'],
  ['airlock agents', 'unknown'],
  ['airlock audit', 'unknown'],
  ['airlock audit rotate', 'unknown'],
  ['airlock policy', 'unknown'],
  ['airlock requests approve req_1', 'unknown'],
  ['airlock grants extend g_1', 'unknown'],
  ['airlock humans add bob', 'unknown'],
  // exec / sh: judged as what they run
  ['airlock exec -- ls', 'read'],
  ['airlock exec ls -la', 'read'],
  ['airlock exec -- rm -rf /var/lib/postgresql', 'catastrophic'],
  ['airlock exec --env prod --agent bot --intent "free disk" --json -- rm -rf /srv/app/uploads', 'destructive'],
  ['airlock exec --env=prod --wait-timeout 10m --no-wait -- kubectl delete ns prod', 'catastrophic'],
  ['airlock exec --env "$ENV" -- kubectl get pods', 'read'],
  ['airlock exec -- psql -c "DROP DATABASE shop"', 'catastrophic'],
  ['airlock exec -- airlock approve req_1', 'catastrophic'],
  // mcp: judged as the server command it starts; --upstream only relays decided calls
  ['airlock mcp --name files -- rm -rf /', 'catastrophic'],
  ['airlock mcp --name files -- ls /srv', 'read'],
  ['airlock mcp --name github --upstream https://mcp.example.com/mcp', 'read'],
  ['airlock mcp --listen 127.0.0.1:7401 --upstream "$URL"', 'read'],
  ['airlock mcp --name x -- "$SERVER" --stdio', 'unknown'],
  ["airlock mcp --name x bash -c 'rm -rf ~'", 'catastrophic'],
  ['airlock mcp --header "Authorization: Bearer x" -- rm -rf /srv/app/uploads', 'destructive'],
  ["airlock sh -c 'ls -la'", 'read'],
  ["airlock sh --env prod -c 'rm -rf /srv/app/uploads'", 'destructive'],
  ["airlock sh -c 'git status && airlock approve req_1'", 'catastrophic'],
  ["airlock sh --command='rm -rf /var/lib/mysql'", 'catastrophic'],
  ["airlock sh -c 'ls' -c 'rm -rf /var/lib/mysql'", 'catastrophic'],
  // the database guard: airlock sql is judged as its SQL; undo writes; purge drops the safety net
  ['airlock sql --target shop "SELECT count(*) FROM customers"', 'read'],
  ['airlock sql -t shop "DELETE FROM customers WHERE id = 7"', 'write'],
  ['airlock sql --target=shop --max-rows 10 --intent "cleanup" "DELETE FROM customers"', 'destructive'],
  ['airlock sql --target shop "DROP DATABASE shop"', 'catastrophic'],
  ['airlock sql --target shop -f cleanup.sql', 'unknown'],
  ['airlock sql --target shop "$QUERY"', 'unknown'],
  ['airlock sql --target shop --bogus "SELECT 1"', 'unknown'],
  ['airlock sql --target shop', 'read'],
  ['airlock undo req_1', 'write'],
  ['airlock recovery list --target shop', 'read'],
  ['airlock recovery purge', 'destructive'],
  ['airlock recovery purge --change req_1', 'destructive'],
  ['airlock recovery $SUB', 'unknown'],
  ['airlock recovery restore req_1', 'unknown'],
  // what the options cannot settle
  ['airlock exec $OPTS rm -rf /srv/app/uploads', 'destructive'],
  ['airlock exec $OPTS ls', 'unknown'],
  ['airlock exec --bogus -- ls', 'unknown'],
  ['airlock exec --bogus -- rm -rf /var/lib/postgresql', 'catastrophic'],
  ['airlock exec -- $CMD', 'unknown'],
  ['airlock sh -c "$SCRIPT"', 'unknown'],
  ["airlock sh -c 'ls' $MORE", 'unknown'],
  ["airlock sh -x -c 'ls'", 'unknown'],
];

describe("Airlock's own CLI", () => {
  it.each(grammar)('%s → %s', (command, expected) => expect(risk(command)).toBe(expected));
});

describe('human-only commands', () => {
  it.each([
    ['airlock approve req_1', 'only humans approve; an agent approving is approving its own request (self-approval)'],
    ['airlock deny req_1 --reason no', 'self-approval'],
    ['airlock grants add bot --for 30m', 'self-approval'],
    ['airlock humans token alice', 'manages who may approve'],
    ['airlock agents add bot', 'self-approval'],
    ['airlock init', 'manages who may approve'],
  ])('%s: account-wide, irreversible, says why', (line, reason) => {
    const { result, risk: worst } = run(airlockRules, line);
    expect(worst).toBe('catastrophic');
    expect(result.kind).toBe('shell');
    expect(result.effects).toHaveLength(1);
    expect(result.effects[0]).toMatchObject({ verb: 'modify', resource: 'airlock', scope: 'account', reversible: false });
    expect(result.effects[0]?.reason).toContain(reason);
  });

  it('reads say what they read and unknowns say what is unknown', () => {
    expect(run(airlockRules, 'airlock requests').result.effects[0]).toMatchObject({ verb: 'read', resource: 'airlock', scope: 'none' });
    expect(run(airlockRules, 'airlock up').result.effects[0]?.reason).toContain('starts the gateway');
    expect(run(airlockRules, 'airlock frobnicate').result.effects[0]?.reason).toContain('frobnicate');
  });
});

describe('airlock exec and airlock sh are judged as what they run', () => {
  const inner = [
    'ls',
    'rm -rf /var/lib/postgresql',
    'rm -rf /srv/app/uploads',
    'kubectl -n prod delete ns payments',
    'terraform destroy -auto-approve',
    'psql -c "DELETE FROM orders"',
    'git push --force origin main',
    "bash -c 'rm -rf /srv/app/uploads'",
    'curl -fsSL https://example.com/install.sh',
  ];
  /** Scripts for `airlock sh -c`: the simple commands above plus pipelines and lists. */
  const scripts = [
    ...inner.filter((c) => !c.includes("'")),
    'echo cm0gLXJmIC9zcnYvYXBwCg== | base64 -d | sh',
    'cd /srv/app && rm -rf uploads',
  ];

  it.each(inner)('airlock exec -- %s gets what the command itself gets', (command) => {
    const direct = assess(command);
    for (const wrapped of [`airlock exec -- ${command}`, `airlock exec --env prod --agent bot -- ${command}`]) {
      const a = assess(wrapped);
      expect({ risk: a.risk, kind: a.kind, obfuscated: a.obfuscated, disruptive: a.disruptive }, wrapped).toEqual({
        risk: direct.risk,
        kind: direct.kind,
        obfuscated: direct.obfuscated,
        disruptive: direct.disruptive,
      });
    }
  });

  it.each(scripts)("airlock sh -c '%s' gets what the script itself gets", (command) => {
    const direct = assess(command);
    const a = assess(`airlock sh -c '${command}'`);
    expect({ risk: a.risk, kind: a.kind, obfuscated: a.obfuscated }).toEqual({
      risk: direct.risk,
      kind: direct.kind,
      obfuscated: direct.obfuscated,
    });
  });

  it('adds no obfuscation of its own: airlock exec is the sanctioned wrapper', () => {
    expect(assess('airlock exec -- ls').obfuscated).toBe(false);
    expect(assess("airlock sh -c 'ls -la'").obfuscated).toBe(false);
    expect(assess("airlock sh -c 'rm -rf /var/lib/postgresql'")).toMatchObject({ risk: 'catastrophic', obfuscated: false });
    // while a plain `sh -c` is an indirection layer
    expect(assess("sh -c 'ls -la'").obfuscated).toBe(true);
  });

  it('hands the nested classifier exactly the words the CLI would run', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['airlock exec -- rm -rf /data', 'rm -rf /data'],
      ['airlock exec rm -rf /data', 'rm -rf /data'],
      ['airlock exec --env prod --agent bot --intent "clean up" --wait-timeout 10m -- rm -rf /data', 'rm -rf /data'],
      ['airlock exec --env=prod --json --no-wait -- kubectl delete ns x', 'kubectl delete ns x'],
      ['airlock exec --env -- rm -rf /data', 'rm -rf /data'],
      ['airlock exec --json -- -- rm -rf /data', '-- rm -rf /data'],
      ['airlock exec -- ls --help', 'ls --help'],
      // only a help flag first prints the usage; later, the CLI ignores it and runs the command
      ['airlock exec --json --help -- rm -rf /data', 'rm -rf /data'],
    ];
    for (const [line, words] of cases) {
      const context = recordingContext();
      const { result } = run(airlockRules, line, {}, context);
      expect(context.seen, line).toEqual([words]);
      expect(result.obfuscated, line).toBeUndefined();
      expect(result.effects.map((e) => e.resource)).toEqual([words]);
    }
  });

  it('hands the nested classifier the script of sh -c (the last -c wins)', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["airlock sh -c 'rm -rf /data'", 'rm -rf /data'],
      ["airlock sh --env prod --no-wait -c 'rm -rf /data'", 'rm -rf /data'],
      ["airlock sh --command 'rm -rf /data'", 'rm -rf /data'],
      ["airlock sh -c 'ls' -c 'rm -rf /data'", 'rm -rf /data'],
      ["airlock sh -c 'rm -rf /data' --help", 'rm -rf /data'],
    ];
    for (const [line, script] of cases) {
      const context = recordingContext();
      const { result, risk: worst } = run(airlockRules, line, {}, context);
      expect(context.seen, line).toEqual([script]);
      expect(worst, line).toBe('destructive');
      expect(result.obfuscated, line).toBeUndefined();
    }
  });
});

describe('--help beside a wrapped command', () => {
  // `airlock exec` ignores a `--help` that is not its first word and runs the command, so the
  // evaluator's "asks for help, reads only" shortcut must not apply to airlock (it is a wrapper).
  it('airlock exec --json --help -- rm -rf /var/lib/postgresql is judged as the rm', () => {
    expect(assess('airlock exec --json --help -- rm -rf /var/lib/postgresql').risk).toBe('catastrophic');
    expect(assess("airlock sh -c 'rm -rf /var/lib/postgresql' --help").risk).toBe('catastrophic');
  });
});
