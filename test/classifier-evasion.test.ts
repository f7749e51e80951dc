/**
 * Evasion properties (SECURITY.md bypass classes): every equivalent spelling of a destructive
 * command (quoting, escapes, paths, variables, wrappers, flag order and spelling, chaining,
 * encodings) gets the same risk class as its plain form.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShellClassifier } from '../src/adapters/shell/shell-classifier.js';
import { SqlClassifier } from '../src/adapters/sql/sql-classifier.js';

let classifier: ShellClassifier;

beforeAll(async () => {
  classifier = await ShellClassifier.create({ sql: await SqlClassifier.create() });
});

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const dq = (s: string): string => `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
const ansiC = (s: string): string => `$'${[...s].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}'`;
const base64 = (s: string): string => Buffer.from(s).toString('base64');

/** Spellings of a command name that bash resolves to the same program. */
function nameSpellings(name: string): fc.Arbitrary<{ prefix: string; word: string }> {
  const half = Math.max(1, Math.floor(name.length / 2));
  return fc.constantFrom(
    { prefix: '', word: name },
    { prefix: '', word: `${name.slice(0, half)}''${name.slice(half)}` },
    { prefix: '', word: `"${name.slice(0, half)}"${name.slice(half)}` },
    { prefix: '', word: `\\${name}` },
    { prefix: '', word: ansiC(name) },
    { prefix: '', word: `/usr/bin/${name}` },
    { prefix: '', word: `command ${name}` },
    { prefix: `X=${name}; `, word: '$X' },
    { prefix: '', word: `\${UNSET_VAR:-${name}}` },
    { prefix: '', word: `$(echo ${name})` },
    { prefix: '', word: `$(echo ${base64(name)} | base64 -d)` },
  );
}

/** Prefix wrappers: they run one simple command. */
const commandWrappers = fc.constantFrom(
  (c: string) => c,
  (c: string) => `sudo ${c}`,
  (c: string) => `sudo -u root -E ${c}`,
  (c: string) => `env -i PATH_X=1 ${c}`,
  (c: string) => `nice -n 10 ${c}`,
  (c: string) => `nohup ${c}`,
  (c: string) => `timeout 30 ${c}`,
  (c: string) => `time ${c}`,
  (c: string) => `stdbuf -o0 ${c}`,
  (c: string) => `ionice -c3 ${c}`,
  (c: string) => `doas ${c}`,
  (c: string) => `exec ${c}`,
);

/** Script-level wrappers: they run any shell text. */
const scriptWrappers = fc.constantFrom(
  (c: string) => c,
  (c: string) => `sh -c ${sq(c)}`,
  (c: string) => `bash -c ${dq(c)}`,
  (c: string) => `eval ${sq(c)}`,
  (c: string) => `echo ${base64(c)} | base64 -d | bash`,
  (c: string) => `bash <<'EOF'\n${c}\nEOF`,
  (c: string) => `sh <<< ${sq(c)}`,
  (c: string) => `ls && ${c}`,
  (c: string) => `true; ${c}`,
  (c: string) => `false || ${c}`,
  (c: string) => `(${c})`,
  (c: string) => `{ ${c}; }`,
  (c: string) => `echo "$(${c})"`,
  (c: string) => `f() { ${c}; }; f`,
  (c: string) => `if true; then ${c}; fi`,
  (c: string) => `for i in 1; do ${c}; done`,
  (c: string) => `python3 -c ${dq(`import os; os.system(${JSON.stringify(c)})`)}`,
  (c: string) => `node -e ${sq(`require('child_process').execSync(${JSON.stringify(c)})`)}`,
);

function holdsClass(
  label: string,
  expected: string,
  name: string,
  flagSets: readonly (readonly string[])[],
  operands: readonly string[],
  flagsMayTrail = true,
): void {
  it(`${label}: every spelling is ${expected}`, () => {
    fc.assert(
      fc.property(
        nameSpellings(name),
        fc.constantFrom(...flagSets),
        fc.constantFrom(...operands),
        fc.boolean(),
        scriptWrappers,
        commandWrappers,
        (spelled, flags, operand, trailing, outer, inner) => {
          const flagsLast = trailing && flagsMayTrail;
          const parts = flagsLast ? [spelled.word, operand, ...flags] : [spelled.word, ...flags, operand];
          const command = spelled.prefix + outer(inner(parts.join(' ')));
          const a = classifier.classify(command);
          expect(a.risk, `${command}\n${a.effects.map((e) => `${e.risk}: ${e.reason}`).join('\n')}`).toBe(expected);
        },
      ),
      { numRuns: 400 },
    );
  });
}

describe('classifier evasion', () => {
  const rmFlags = [['-rf'], ['-fr'], ['-r', '-f'], ['-f', '-r'], ['-R', '-f'], ['--recursive', '--force'], ['-rfv'], ['--force', '-R']];
  holdsClass('rm of the root or a system tree', 'catastrophic', 'rm', rmFlags, [
    '/',
    '/etc',
    '"/usr"',
    "'/boot'",
    '/var/lib/postgresql',
    '/*',
    '~',
    '"$HOME"',
    '/../',
    '//',
  ]);
  holdsClass('rm of a named directory outside the project', 'destructive', 'rm', rmFlags, [
    '/var/www',
    '/opt/app',
    '"/srv/app/uploads"',
    '~/projects',
    'data/uploads',
  ]);
  holdsClass('rm of a regenerable folder', 'write', 'rm', rmFlags, ['node_modules', 'dist', './build', '.next', '/tmp/cache']);
  holdsClass(
    'git reset --hard',
    'destructive',
    'git',
    [
      ['reset', '--hard'],
      ['-C', '.', 'reset', '--hard'],
      ['--no-pager', 'reset', '--hard'],
    ],
    ['HEAD~1', 'origin/main'],
    false,
  );
  holdsClass(
    'force push to main',
    'destructive',
    'git',
    [
      ['push', '-f'],
      ['push', '--force'],
      ['push', '--force-with-lease'],
      ['-C', 'repo', 'push', '-f'],
    ],
    ['origin main', 'origin master'],
    false,
  );
  holdsClass(
    'redis FLUSHALL',
    'catastrophic',
    'redis-cli',
    [['-h', 'cache', '-p', '6379'], ['-n', '0'], []],
    ['FLUSHALL', 'flushall', 'FLUSHDB'],
    false,
  );
  holdsClass(
    'docker volume deletion',
    'destructive',
    'docker',
    [
      ['volume', 'prune', '-f'],
      ['volume', 'rm'],
      ['--context', 'prod', 'volume', 'rm'],
    ],
    ['pgdata', '-f'],
    false,
  );

  it('SQL through psql keeps its class and kind', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('DROP TABLE users', 'drop table users', 'DROP TABLE users;', 'TRUNCATE users', 'DELETE FROM users'),
        fc.constantFrom(
          (sql: string) => `psql -c ${dq(sql)}`,
          (sql: string) => `psql --command=${sq(sql)} app`,
          (sql: string) => `psql -h db -U app -d app -c ${sq(sql)}`,
          (sql: string) => `echo ${sq(sql)} | psql app`,
          (sql: string) => `psql app <<EOF\n${sql}\nEOF`,
          (sql: string) => `psql app <<< ${sq(sql)}`,
          (sql: string) => `docker exec db psql -c ${dq(sql)}`,
          (sql: string) => `sudo -u postgres psql -c ${dq(sql)}`,
          (sql: string) => `bash -c ${sq(`psql -c ${dq(sql)}`)}`,
        ),
        (sql, form) => {
          const a = classifier.classify(form(sql));
          expect(a.risk, form(sql)).toBe('destructive');
          expect(a.kind).toBe('sql');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('destructive text that only appears as data stays read', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('rm -rf /', 'git push --force origin main', 'redis-cli FLUSHALL', 'DROP DATABASE prod'),
        fc.constantFrom(
          (c: string) => `echo ${sq(c)}`,
          (c: string) => `printf '%s\\n' ${dq(c)}`,
          (c: string) => `grep -n ${dq(c)} README.md`,
          (c: string) => `cat <<'EOF'\n${c}\nEOF`,
          (c: string) => `# ${c}`,
          (c: string) => `true || ${c}`,
          (c: string) => `false && ${c}`,
          (c: string) => `echo ${base64(c)} | base64 -d`,
        ),
        (c, form) => {
          expect(classifier.classify(form(c)).risk, form(c)).toBe('read');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a dynamic command name is never safe', () => {
    fc.assert(
      fc.property(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a JS template
        fc.constantFrom('$CMD', '"$CMD"', '${CMD}', '$(cat cmd.txt)', '`cat cmd.txt`', '$1'),
        fc.constantFrom('', ' -rf /tmp/x', ' status'),
        (name, rest) => {
          expect(classifier.classify(`${name}${rest}`).risk).not.toBe('read');
          expect(['unknown', 'destructive', 'catastrophic']).toContain(classifier.classify(`${name}${rest}`).risk);
        },
      ),
      { numRuns: 60 },
    );
  });
});
