import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlInvocation } from './cli-invocation.js';

const dir = mkdtempSync(join(tmpdir(), 'airlock-invocation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('psql command lines Airlock can run itself', () => {
  it.each([
    [['/usr/bin/psql', '-h', 'db', '-p', '6432', '-d', 'shop', '-c', 'DELETE FROM t'], { host: 'db', port: 6432, database: 'shop' }],
    [['psql', '--host=db', '--dbname=shop', '--command=DELETE FROM t'], { host: 'db', database: 'shop' }],
    [['psql', 'postgresql://u@db:5433/shop', '-c', 'DELETE FROM t'], { host: 'db', port: 5433, database: 'shop' }],
    [['psql', 'host=db port=5434 dbname=shop', '-c', 'DELETE FROM t'], { host: 'db', port: 5434, database: 'shop' }],
    [['psql', '-X', '-q', 'shop', '-c', 'DELETE FROM t'], { database: 'shop' }],
  ])('%j', (argv, connection) => {
    expect(sqlInvocation(argv, {}, dir)).toEqual({ engine: 'postgresql', sql: 'DELETE FROM t', ...connection });
  });

  it('takes the connection from PG* variables where the arguments are silent, the arguments winning', () => {
    const env = { PGHOST: 'envhost', PGPORT: '5440', PGDATABASE: 'envdb' };
    expect(sqlInvocation(['psql', '-c', 'SELECT 1'], env, dir)).toEqual({
      engine: 'postgresql',
      sql: 'SELECT 1',
      host: 'envhost',
      port: 5440,
      database: 'envdb',
    });
    expect(sqlInvocation(['psql', '-h', 'db', '-d', 'shop', '-c', 'SELECT 1'], env, dir)).toMatchObject({
      host: 'db',
      port: 5440,
      database: 'shop',
    });
  });

  it('joins several -c and -f in order, and reads -f files', () => {
    writeFileSync(join(dir, 'cleanup.sql'), 'DELETE FROM sessions;\n');
    expect(sqlInvocation(['psql', '-d', 'shop', '-c', 'SELECT 1;', '-f', 'cleanup.sql'], {}, dir)?.sql).toBe(
      'SELECT 1;\nDELETE FROM sessions',
    );
  });

  it.each([
    [['psql', '-d', 'shop']],
    [['psql', '-d', 'shop', '-c', '\\copy t to out.csv']],
    [['psql', '-d', 'shop', '-f', 'missing.sql']],
    [['psql', '-d', 'shop', '-f', '-']],
    [['psql', '-d', 'shop', '--set=ON_ERROR_STOP=1', '--bogus', '-c', 'DELETE FROM t']],
    [['psql', '-d', 'shop', '-qX', '-c', 'DELETE FROM t']],
    [['pg_dump', '-d', 'shop']],
  ])('leaves %j to be judged as a shell command', (argv) => {
    expect(sqlInvocation(argv, {}, dir)).toBeNull();
  });
});

describe('mysql and mariadb command lines', () => {
  it('reads -e, the database from -D or the operand, host and port', () => {
    expect(sqlInvocation(['/usr/bin/mysql', '-h', 'db', '-P', '3307', '-D', 'shop', '-e', 'DELETE FROM t'], {}, dir)).toEqual({
      engine: 'mysql',
      sql: 'DELETE FROM t',
      host: 'db',
      port: 3307,
      database: 'shop',
    });
    expect(sqlInvocation(['mariadb', '--execute=DELETE FROM t', 'shop'], { MYSQL_HOST: 'h' }, dir)).toEqual({
      engine: 'mysql',
      sql: 'DELETE FROM t',
      host: 'h',
      database: 'shop',
    });
  });

  it('leaves interactive sessions and unknown options alone', () => {
    expect(sqlInvocation(['mysql', 'shop'], {}, dir)).toBeNull();
    expect(sqlInvocation(['mysql', '--defaults-file=x.cnf', '-e', 'DELETE FROM t', 'shop'], {}, dir)).toBeNull();
  });
});
