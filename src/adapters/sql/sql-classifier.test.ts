import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlDialect } from '../../core/action.js';
import { worstRisk } from '../../core/assessment.js';
import type { RiskClass, Scope } from '../../core/assessment.js';
import type { ToolResult } from '../shell/tool-rule.js';
import { SqlClassifier } from './sql-classifier.js';

let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await SqlClassifier.create();
});

/** The risk of a result and the scope of its worst non-read effect. */
function verdict(r: ToolResult): { risk: RiskClass; scope: Scope | undefined } {
  const risk = worstRisk(r.effects.map((e) => e.risk));
  const worst = r.effects.find((e) => e.risk === risk && e.verb !== 'read') ?? r.effects.find((e) => e.risk === risk);
  return { risk, scope: worst?.scope };
}

type Row = readonly [sql: string, risk: RiskClass, scope?: Scope];

function table(dialect: SqlDialect, rows: readonly Row[]): void {
  it.each(rows.map((r) => ({ sql: r[0], risk: r[1], scope: r[2] })))(`$risk: $sql`, ({ sql, risk, scope }) => {
    const r = classifier.classify(sql, dialect);
    const v = verdict(r);
    expect(v.risk, JSON.stringify(r.effects, null, 1)).toBe(risk);
    if (scope !== undefined) expect(v.scope).toBe(scope);
    expect(r.kind).toBe('sql');
    expect(r.effects.length).toBeGreaterThan(0);
  });
}

describe('PostgreSQL: RISK.md SQL rules', () => {
  table('postgresql', [
    // read
    ['SELECT * FROM users WHERE id = 1', 'read'],
    ['SHOW search_path', 'read'],
    ['EXPLAIN DELETE FROM users', 'read'],
    ['EXPLAIN (ANALYZE false) DELETE FROM users', 'read'],
    ['EXPLAIN SELECT count(*) FROM orders', 'read'],
    ['SET statement_timeout = 0', 'read'],
    ["SET search_path TO 'app'", 'read'],
    ['RESET ALL', 'read'],
    ['CREATE TEMP TABLE scratch (id int)', 'read'],
    ['CREATE TEMPORARY TABLE scratch AS SELECT * FROM users', 'read'],

    ['BEGIN; DELETE FROM users; ROLLBACK;', 'read'],
    ['BEGIN; DROP TABLE users; ROLLBACK', 'read'],
    ['START TRANSACTION; UPDATE accounts SET balance = 0; ABORT;', 'read'],
    ["SELECT 'DROP TABLE users'", 'read'],
    ["SELECT * FROM logs WHERE message LIKE '%DROP DATABASE%'", 'read'],
    ['COPY users TO STDOUT', 'read'],
    ['COPY (SELECT * FROM users) TO STDOUT WITH CSV', 'read'],
    ['SELECT now(), count(*), coalesce(max(id), 0) FROM orders', 'read'],
    ["SELECT pg_size_pretty(pg_total_relation_size('users'))", 'read'],
    ['SELECT * FROM pg_stat_activity', 'read'],
    ['SELECT * FROM users FOR UPDATE', 'read'],
    ['-- only a comment', 'read'],
    ['', 'read'],
    ['DECLARE c CURSOR FOR SELECT * FROM users; FETCH 10 FROM c; CLOSE c', 'read'],
    // write
    ['CREATE TEMP TABLE s (id int); INSERT INTO s VALUES (1); DELETE FROM s; DROP TABLE s', 'write'],
    ['DROP TABLE IF EXISTS pg_temp.tmp_ids', 'write'],
    ['DELETE FROM sessions WHERE user_id = 42', 'write', 'resource'],
    ['DELETE FROM sessions WHERE "userId" = $1', 'write'],
    ["DELETE FROM sessions WHERE user_id = 42 AND status = 'x'", 'write'],
    ["INSERT INTO users (name) VALUES ('a')", 'write', 'resource'],
    ['INSERT INTO archive SELECT * FROM orders', 'write', 'selection'],
    ["INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = excluded.name", 'write'],
    ['CREATE TABLE t (id int primary key)', 'write'],
    ['CREATE INDEX CONCURRENTLY idx ON users (email)', 'write'],
    ['CREATE VIEW v AS SELECT 1', 'write'],
    ['GRANT SELECT ON users TO reporting', 'write'],
    ['REVOKE ALL ON users FROM reporting', 'write'],
    ['ALTER TABLE users ADD COLUMN age int', 'write'],
    ['ALTER TABLE users RENAME TO customers', 'write'],
    ['ALTER TABLE users RENAME COLUMN a TO b', 'write'],
    ['ALTER TABLE users ALTER COLUMN name TYPE text', 'write'],
    ['ALTER TABLE users ALTER COLUMN id TYPE bigint', 'write'],
    ['DROP INDEX idx_users_email', 'write'],
    ['DROP INDEX CONCURRENTLY IF EXISTS idx', 'write'],
    ['DROP VIEW active_users', 'write'],
    ["UPDATE users SET name = 'x' WHERE id = 1", 'write', 'resource'],
    ["UPDATE users SET active = false WHERE last_login < now() - interval '1 year'", 'write', 'selection'],
    ["UPDATE users SET plan = 'pro' WHERE email LIKE '%@corp.com'", 'write'],
    ['DELETE FROM users WHERE id = 42', 'write', 'resource'],
    ['DELETE FROM users WHERE id IN (1, 2, 3)', 'write', 'selection'],
    ['DELETE FROM users WHERE id = ANY($1)', 'write', 'selection'],
    ["DELETE FROM users WHERE id = ANY('{1,2}'::int[])", 'write'],
    ['DELETE FROM sessions WHERE user_id = $1 AND id = $2', 'write'],
    ['COPY users FROM STDIN', 'write'],
    ["COPY users FROM '/data/users.csv' CSV", 'write'],
    ["SELECT nextval('orders_id_seq')", 'write'],
    ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ DELETE FROM t RETURNING 1 $$', 'write'],
    ['CREATE SCHEMA app', 'write'],
    ['CREATE EXTENSION IF NOT EXISTS pgcrypto', 'write'],
    ['CREATE ROLE app LOGIN', 'write'],
    ['VACUUM ANALYZE users', 'write'],
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY mv', 'write'],
    ['BEGIN; INSERT INTO t VALUES (1); COMMIT;', 'write'],
    ['BEGIN; DELETE FROM t WHERE id = 1;', 'write'],
    ['SELECT pg_terminate_backend(1234)', 'write'],
    ['EXPLAIN ANALYZE INSERT INTO t VALUES (1)', 'write'],
    ['PREPARE p AS DELETE FROM t WHERE id = $1; EXECUTE p(1)', 'write'],
    // destructive
    ['UPDATE users SET active = false', 'destructive', 'all'],
    ['UPDATE users SET active = false WHERE true', 'destructive', 'all'],
    ['DELETE FROM users', 'destructive', 'all'],
    ['DELETE FROM users WHERE true', 'destructive', 'all'],
    ['DELETE FROM users WHERE 1=1', 'destructive', 'all'],
    ["DELETE FROM users WHERE 'a'='a'", 'destructive', 'all'],
    ['DELETE FROM users WHERE id IS NOT NULL', 'destructive', 'all'],
    ['DELETE FROM users WHERE id = 5 OR true', 'destructive', 'all'],
    ['DELETE FROM users WHERE NOT false', 'destructive', 'all'],
    ['DELETE FROM users WHERE 2 > 1', 'destructive', 'all'],
    ["DELETE FROM users WHERE name LIKE '%'", 'destructive', 'all'],
    ['DELETE FROM users WHERE id = id', 'destructive', 'all'],
    ["DELETE FROM users WHERE 'x' || 'y' = 'xy'", 'destructive', 'all'],
    ['DELETE FROM users WHERE 1 IN (1, 2)', 'destructive', 'all'],
    ['DELETE FROM users WHERE true::boolean', 'destructive', 'all'],
    ['DELETE FROM users WHERE NOT (id IS NULL)', 'destructive', 'all'],
    ['DELETE FROM users WHERE EXISTS (SELECT 1)', 'destructive', 'all'],
    ['DELETE FROM users WHERE (1=1) IS TRUE', 'destructive', 'all'],
    ['DELETE FROM sessions WHERE expires_at < now()', 'destructive', 'selection'],
    ['DELETE FROM orders WHERE id > 1000', 'destructive', 'selection'],
    ["DELETE FROM orders WHERE created_at BETWEEN '2020-01-01' AND '2021-01-01'", 'destructive', 'selection'],
    ["DELETE FROM users WHERE email LIKE '%@test.com'", 'destructive', 'selection'],
    ["DELETE FROM users WHERE email ILIKE '%test%'", 'destructive'],
    ["DELETE FROM users WHERE email ~ 'test'", 'destructive'],
    ['DELETE FROM users WHERE id NOT IN (1, 2)', 'destructive'],
    ['DELETE FROM users WHERE deleted_at IS NULL', 'destructive'],
    ["DELETE FROM orders WHERE status = 'cancelled'", 'destructive', 'selection'],
    ["DELETE FROM orders WHERE status IN ('cancelled', 'failed')", 'destructive'],
    ['DELETE FROM orders WHERE status = ANY($1)', 'destructive'],
    ['DELETE FROM users WHERE id IN (SELECT user_id FROM banned)', 'destructive'],
    ['DELETE FROM a USING b WHERE a.b_id = b.id', 'destructive'],
    ['DROP TABLE users', 'destructive', 'resource'],
    ['DROP TABLE IF EXISTS users, orders CASCADE', 'destructive'],
    ['DROP MATERIALIZED VIEW mv', 'destructive'],
    ['TRUNCATE users', 'destructive', 'all'],
    ['TRUNCATE TABLE users, orders RESTART IDENTITY CASCADE', 'destructive', 'all'],
    ['ALTER TABLE users DROP COLUMN email', 'destructive'],
    ['ALTER TABLE users DROP COLUMN IF EXISTS email CASCADE', 'destructive'],
    ['ALTER TABLE users ALTER COLUMN name TYPE varchar(10)', 'destructive'],
    ['ALTER TABLE users ALTER COLUMN amount TYPE integer', 'destructive'],
    ['ALTER TABLE users ALTER COLUMN amount SET DATA TYPE numeric(5,2)', 'destructive'],
    ['ALTER TABLE users ALTER COLUMN id TYPE bigint USING (id / 2)', 'destructive'],
    ['DROP TYPE mood CASCADE', 'destructive'],
    ['DROP EXTENSION postgis CASCADE', 'destructive'],
    ['DROP SEQUENCE orders_id_seq', 'destructive'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'destructive'],
    ['SELECT lo_unlink(12345)', 'destructive'],
    ['BEGIN; DELETE FROM users; COMMIT;', 'destructive'],
    ['SAVEPOINT a; DELETE FROM t; RELEASE a', 'destructive'],
    ['EXPLAIN ANALYZE DELETE FROM users', 'destructive'],
    ['EXPLAIN (ANALYZE, BUFFERS) UPDATE users SET a = 1', 'destructive'],
    ['WITH gone AS (DELETE FROM users RETURNING *) SELECT count(*) FROM gone', 'destructive'],
    ['COPY (DELETE FROM users RETURNING *) TO STDOUT', 'destructive'],
    ['BEGIN; SAVEPOINT s; DROP TABLE x; ROLLBACK TO SAVEPOINT s; DELETE FROM y; COMMIT', 'destructive'],
    // catastrophic
    ['DROP DATABASE production', 'catastrophic', 'database'],
    ['DROP DATABASE IF EXISTS app WITH (FORCE)', 'catastrophic'],
    ['DROP SCHEMA public CASCADE', 'catastrophic', 'database'],
    ['DROP OWNED BY app_user', 'catastrophic', 'database'],
    ['DROP OWNED BY app_user CASCADE', 'catastrophic'],
    // unknown
    ['CALL cleanup_old_data()', 'unknown'],
    ['SELECT my_function(1)', 'unknown'],
    ['SELECT public.archive_users()', 'unknown'],
    ['INSERT INTO t VALUES (my_func())', 'unknown'],
    ['UPDATE t SET a = do_something(a) WHERE id = 1', 'unknown'],
    ["SELECT setval('orders_id_seq', 1)", 'unknown'],
    ["COPY t TO PROGRAM 'gzip > /tmp/t.gz'", 'unknown'],
    ["COPY t FROM PROGRAM 'curl http://x'", 'unknown'],
    ['EXECUTE some_statement', 'unknown'],
    ["SELECT dblink_exec('dbname=x', format('DROP TABLE %I', 'a'))", 'unknown'],
    ['DELTE FROM users', 'unknown'],
    ['SELECT FROM WHERE', 'unknown'],
    ["LOAD 'auto_explain'", 'unknown'],
    ['DO LANGUAGE plpython3u $$ import os $$', 'unknown'],
    ["COMMIT PREPARED 'tx1'", 'unknown'],
  ]);
});

describe('PostgreSQL: DO blocks and dynamic SQL', () => {
  table('postgresql', [
    ['DO $$ BEGIN DELETE FROM users; END $$', 'destructive'],
    ['DO $$ BEGIN DELETE FROM users WHERE id = 1; END $$', 'write'],
    ["DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$", 'destructive'],
    ["DO $$ BEGIN EXECUTE 'DROP ' || 'DATABASE prod'; END $$", 'catastrophic'],
    ["DO $$ DECLARE t text := 'users'; BEGIN EXECUTE format('TRUNCATE %I', t); END $$", 'destructive'],
    ["DO $$ DECLARE q text := 'x'; BEGIN EXECUTE q; END $$", 'unknown'],
    ['DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity; END $$', 'write'],
    ['DO $$ BEGIN PERFORM my_cleanup(); END $$', 'unknown'],
    ['DO $$ DECLARE v int := 3; BEGIN DELETE FROM t WHERE id = v; END $$', 'write'],
    ['DO $$ DECLARE r record; BEGIN FOR r IN SELECT id FROM u LOOP DELETE FROM t WHERE id = r.id; END LOOP; END $$', 'destructive'],
    ['DO $$ BEGIN IF (SELECT count(*) FROM t) > 0 THEN DROP SCHEMA app CASCADE; END IF; END $$', 'catastrophic'],
    ["DO $$ BEGIN RAISE NOTICE 'hello'; END $$", 'read'],
    ['DO $$ BEGIN DELTE FROM t; END $$', 'unknown'],
    ["SELECT dblink_exec('dbname=other', 'DROP TABLE users')", 'destructive'],
    ["SELECT * FROM dblink('dbname=other', 'SELECT id FROM users') AS t(id int)", 'read'],
    ["SELECT query_to_xml('DELETE FROM users RETURNING id', true, true, '')", 'destructive'],
    ["SELECT format('DROP TABLE %I', 'users')", 'read'],
  ]);
});

describe('MySQL / MariaDB', () => {
  table('mysql', [
    ['SELECT * FROM users', 'read'],
    ['SHOW TABLES', 'read'],
    ['DESCRIBE users', 'read'],
    ['EXPLAIN SELECT * FROM users', 'read'],
    ['EXPLAIN DELETE FROM users', 'read'],
    ["SET SESSION sql_mode = ''", 'read'],
    ['USE app', 'read'],
    ['CREATE TEMPORARY TABLE tmp (id int)', 'read'],
    ['START TRANSACTION; DELETE FROM users; ROLLBACK', 'read'],
    ["INSERT INTO users (name) VALUES ('a')", 'write'],
    ["INSERT INTO users SET name = 'a'", 'write'],
    ["REPLACE INTO users VALUES (1, 'a')", 'write'],
    ['RENAME TABLE a TO b', 'write'],
    ["LOAD DATA INFILE '/tmp/users.csv' INTO TABLE users", 'write'],
    ['UPDATE users SET a = 1 WHERE id = 1', 'write'],
    ['DELETE FROM users WHERE id = 1', 'write'],
    ['DELETE FROM users WHERE id IN (1, 2)', 'write'],
    ['DELETE FROM users WHERE id = ?', 'write'],
    ["DELETE FROM orders WHERE status = 'cancelled'", 'destructive'],
    ['CREATE TEMPORARY TABLE tmp (id int); DELETE FROM tmp; DROP TEMPORARY TABLE tmp', 'write'],
    ['ALTER TABLE users ADD COLUMN age int', 'write'],
    ['ALTER TABLE users ADD INDEX idx (email)', 'write'],
    ['DROP INDEX idx ON users', 'write'],
    ['DROP VIEW v', 'write'],
    ["GRANT SELECT ON app.* TO 'u'@'%'", 'write'],
    ['SET GLOBAL max_connections = 500', 'write'],
    ['KILL 1234', 'write'],
    ["SELECT * FROM users INTO OUTFILE '/tmp/u.csv'", 'write'],
    ['DELETE FROM users', 'destructive', 'all'],
    ['DELETE FROM users LIMIT 100', 'destructive', 'selection'],
    ['DELETE FROM users WHERE 1', 'destructive', 'all'],
    ['DELETE FROM users WHERE 1=1', 'destructive', 'all'],
    ['DELETE FROM users WHERE id = 1 OR 1=1', 'destructive', 'all'],
    ['DELETE FROM users WHERE NOT FALSE', 'destructive', 'all'],
    ['DELETE FROM users WHERE id IS NOT NULL', 'destructive', 'all'],
    ['DELETE FROM users WHERE created < NOW()', 'destructive', 'selection'],
    ["DELETE FROM users WHERE name LIKE 'a%'", 'destructive', 'selection'],
    ['DELETE FROM users WHERE id BETWEEN 1 AND 100', 'destructive'],
    ['DELETE t1, t2 FROM t1 JOIN t2 ON t1.id = t2.t1_id', 'destructive'],
    ['DELETE t1, t2 FROM t1 JOIN t2 ON t1.id = t2.t1_id WHERE t1.id = 5', 'write'],
    ['UPDATE users SET a = 1', 'destructive', 'all'],
    ['UPDATE users SET a = 1 LIMIT 10', 'destructive'],
    ['TRUNCATE TABLE users', 'destructive'],
    ['DROP TABLE users', 'destructive'],
    ['DROP TABLE IF EXISTS a, b', 'destructive'],
    ['ALTER TABLE users DROP COLUMN email', 'destructive'],
    ['ALTER TABLE users MODIFY COLUMN name varchar(10)', 'destructive'],
    ['ALTER TABLE logs DROP PARTITION p2020', 'destructive'],
    ['REPLACE INTO users SELECT * FROM staging_users', 'destructive'],
    ["LOAD DATA INFILE 'u.csv' REPLACE INTO TABLE users", 'destructive'],
    ['DROP DATABASE production', 'catastrophic', 'database'],
    ['DROP SCHEMA app', 'catastrophic', 'database'],
    ['DROP DATABASE IF EXISTS app', 'catastrophic'],
    ['CALL cleanup()', 'unknown'],
    ['SELECT my_udf(1)', 'unknown'],
    ['DELTE FROM users', 'unknown'],
    ['START TRANSACTION; DELETE FROM users; CREATE TABLE x (id int); ROLLBACK', 'destructive'],
  ]);
});

describe('SQLite', () => {
  table('sqlite', [
    ['SELECT * FROM users', 'read'],
    ['PRAGMA table_info(users)', 'read'],
    ['.tables', 'read'],
    ['CREATE TEMP TABLE t (a)', 'read'],
    ['INSERT INTO users VALUES (1)', 'write'],
    ['INSERT OR REPLACE INTO users VALUES (1)', 'write'],
    ['DELETE FROM users WHERE id = ?', 'write'],
    ['VACUUM', 'write'],
    ['DELETE FROM users', 'destructive'],
    ['DROP TABLE users', 'destructive'],
    ['ALTER TABLE users DROP COLUMN c', 'destructive'],
    ['INSERT OR REPLACE INTO users SELECT * FROM staging', 'destructive'],
    ['.shell rm -rf /', 'unknown'],
    ['.read evil.sql', 'unknown'],
  ]);
});

describe('dialect unknown', () => {
  table('unknown', [
    ['SELECT 1', 'read'],
    ['DELETE FROM users', 'destructive'],
    ['DELETE FROM users LIMIT 10', 'destructive'],
    ['DROP DATABASE x', 'catastrophic'],
    ['SELECT `a` FROM `t`', 'read'],
    ['DELETE FROM `users`', 'destructive'],
    ['this is not sql', 'unknown'],
  ]);
});

describe('result shape', () => {
  it('reports a database target with the connection facts', () => {
    const r = classifier.classify('SELECT 1', 'postgresql', { host: 'db.internal', port: 5432, name: 'app' });
    expect(r.targets).toEqual([{ type: 'database', engine: 'postgresql', host: 'db.internal', port: 5432, database: 'app' }]);
  });

  it('omits unknown facts instead of writing undefined', () => {
    const r = classifier.classify('SELECT 1', 'unknown');
    expect(r.targets).toEqual([{ type: 'database' }]);
    expect(Object.keys(r.targets?.[0] ?? {})).toEqual(['type']);
  });

  it('gives one or more effects per statement, with the statement as source', () => {
    const r = classifier.classify('SELECT 1; DELETE FROM users WHERE id = 1; DROP TABLE orders', 'postgresql');
    expect(r.effects.map((e) => e.risk)).toEqual(['read', 'write', 'destructive']);
    expect(r.effects[2]?.source).toBe('DROP TABLE orders');
    expect(r.effects[1]?.resource).toBe('table users');
  });

  it('names schema-qualified tables in the resource', () => {
    const r = classifier.classify('DELETE FROM public.users', 'postgresql');
    expect(r.effects[0]?.resource).toBe('table public.users');
    expect(r.effects[0]?.reversible).toBe(false);
  });

  it('slices statements by character even with multi-byte text', () => {
    const r = classifier.classify("SELECT 'héllo'; DROP TABLE ünïcode", 'postgresql');
    expect(r.effects[1]?.source).toBe('DROP TABLE ünïcode');
  });

  it('names the parse problem and its position', () => {
    const r = classifier.classify('SELECT 1;\nDELTE FROM users', 'postgresql');
    const bad = r.effects.find((e) => e.risk === 'unknown');
    expect(bad?.reason).toMatch(/syntax error at or near "DELTE".*line 2, column 1/);
    expect(r.effects.find((e) => e.risk === 'read')).toBeDefined();
  });

  it('names the MySQL parse problem and its position', () => {
    const r = classifier.classify('SELECT 1; DELTE FROM users', 'mysql');
    expect(r.effects.find((e) => e.risk === 'unknown')?.reason).toMatch(/unexpected "F" at position 15 \(line 1, column 16\)/);
  });

  it('marks pg_terminate_backend as disruptive', () => {
    const r = classifier.classify('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', 'postgresql');
    expect(r.effects.some((e) => e.disruptive && e.risk === 'write')).toBe(true);
  });

  it('keeps non-transactional effects through ROLLBACK', () => {
    const r = classifier.classify("BEGIN; SELECT pg_terminate_backend(1); SELECT dblink_exec('x', 'DROP TABLE t'); ROLLBACK", 'postgresql');
    expect(worstRisk(r.effects.map((e) => e.risk))).toBe('destructive');
  });

  it('is unknown, never read, when a parser is not loaded', async () => {
    const only = await SqlClassifier.create({ dialects: ['postgresql'] });
    expect(only.supports('mysql')).toBe(false);
    const r = only.classify('SELECT 1', 'mysql');
    expect(worstRisk(r.effects.map((e) => e.risk))).toBe('unknown');
    await only.load(['mysql']);
    expect(worstRisk(only.classify('SELECT 1', 'mysql').effects.map((e) => e.risk))).toBe('read');
    expect(Object.keys(only.loadTimes).sort()).toEqual(['mysql', 'postgresql']);
  });
});

describe("Airlock's recovery schema", () => {
  it('changing it is catastrophic; reading it is a read', async () => {
    const c = await SqlClassifier.create({ dialects: ['postgresql', 'mysql'] });
    const worst = (sql: string, d: 'postgresql' | 'mysql') => worstRisk(c.classify(sql, d).effects.map((e) => e.risk));
    expect(worst('DROP SCHEMA airlock_recovery CASCADE', 'postgresql')).toBe('catastrophic');
    expect(worst("DELETE FROM airlock_recovery.recovery_points WHERE change_id = 'req_1'", 'postgresql')).toBe('catastrophic');
    expect(worst('UPDATE `airlock_recovery`.recovery_points SET status = 1', 'mysql')).toBe('catastrophic');
    expect(worst('SELECT * FROM airlock_recovery.recovery_points', 'postgresql')).toBe('read');
  });
});
