import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../core/assessment.js';
import { SqlClassifier } from '../sql/sql-classifier.js';
import { ShellClassifier } from './shell-classifier.js';

let classifier: ShellClassifier;

beforeAll(async () => {
  classifier = await ShellClassifier.create({ sql: await SqlClassifier.create() });
});

type Row = readonly [command: string, risk: RiskClass, kind?: string];

function table(rows: readonly Row[]): void {
  it.each(rows.map(([command, risk, kind]) => ({ command, risk, kind: kind ?? '' })))('$command → $risk', ({ command, risk, kind }) => {
    const a = classifier.classify(command);
    expect(a.risk, JSON.stringify(a.effects.map((e) => `${e.risk}: ${e.reason}`))).toBe(risk);
    if (kind !== '') expect(a.kind).toBe(kind);
  });
}

describe('read-only commands and data that never executes', () => {
  table([
    ['ls -la', 'read'],
    ['cat package.json | grep version', 'read'],
    ['echo "rm -rf /"', 'read'],
    ['grep -r "DROP TABLE" .', 'read'],
    ['# rm -rf /', 'read'],
    ['true || rm -rf /', 'read'],
    ['false && rm -rf /', 'read'],
    ['cat <<EOF\nrm -rf ~\nEOF', 'read'],
    ['echo cm0gLXJmIC8K | base64 -d', 'read'],
    ['rm --help', 'read'],
    ['git commit -m "rm -rf / && drop table users"', 'write'],
    ['which rm', 'read'],
    ['command -v kubectl', 'read'],
    ['ps aux | sort -k3 | head', 'read'],
    ['', 'read'],
  ]);
});

describe('filesystem', () => {
  table([
    ['rm src/old.ts', 'write'],
    ['rm -rf node_modules dist .next', 'write'],
    ['rm -rf /tmp/build-123', 'write'],
    ['rm -rf "$TMPDIR/x"', 'write'],
    ['rm -rf src', 'destructive'],
    ['rm data/app.db', 'destructive'],
    ['rm .env.production', 'destructive'],
    ['rm -rf /var/www', 'destructive'],
    ['rm -rf ~/projects', 'destructive'],
    ['rm -rf "$DIR"', 'destructive'],
    ['rm -rf /', 'catastrophic'],
    ['rm -rf /*', 'catastrophic'],
    ['rm -rf ~', 'catastrophic'],
    ['rm -rf $HOME', 'catastrophic'],
    ['rm -rf /etc', 'catastrophic'],
    ['rm -rf /var/lib/postgresql', 'catastrophic'],
    ['rm -rf .git', 'catastrophic'],
    ['rm -rf .', 'catastrophic'],
    ['(cd /srv && rm -rf ./*)', 'catastrophic'],
    ['dd if=/dev/zero of=/dev/sda bs=1M', 'catastrophic'],
    ['dd if=a.img of=b.img', 'write'],
    ['mkfs.ext4 /dev/nvme0n1p1', 'catastrophic'],
    ['wipefs -a /dev/sdb', 'catastrophic'],
    ['shred -u secrets/prod.key', 'destructive'],
    ['truncate -s 0 logs/app.log', 'destructive'],
    ['chmod -R 777 /', 'catastrophic'],
    ['chmod +x scripts/run.sh', 'write'],
    ['sed -i "s/a/b/" src/x.ts', 'write'],
    ['mv a.txt b.txt', 'write'],
    ['cp config.example .env', 'destructive'],
    ['echo hi > notes.txt', 'write'],
    ['echo hi > data/users.csv', 'destructive'],
    ['> data/users.csv', 'destructive'],
    ['echo x > /dev/sda', 'catastrophic'],
    ['echo x > /dev/null', 'read'],
    ['echo x >> ~/.bashrc', 'write'],
    ['echo x > ~/.bashrc', 'destructive'],
    ['find . -name "*.pyc" -delete', 'write'],
    ['find /var/log -name "*.log" -mtime +7 -delete', 'destructive'],
    ['find / -delete', 'catastrophic'],
    ['find . -name "*.tmp" -exec rm -f {} \\;', 'write'],
    ['rsync -a --delete src/ backup/', 'destructive'],
    ['rsync -a src/ host:/srv/app', 'write'],
    ['tar -xzf release.tgz', 'write'],
    ['tar -tzf release.tgz', 'read'],
  ]);
});

describe('git', () => {
  table([
    ['git status', 'read'],
    ['git -C ../other log --oneline', 'read'],
    ['git fetch --all --prune', 'read'],
    ['git commit -am "x"', 'write'],
    ['git push origin feature/x', 'write'],
    ['git push --force-with-lease origin feature/x', 'write'],
    ['git push --force-with-lease origin main', 'destructive'],
    ['git push -f origin main', 'destructive'],
    ['git push origin +main', 'destructive'],
    ['git push origin --delete feature/x', 'destructive'],
    ['git push --mirror backup', 'catastrophic'],
    ['git reset --soft HEAD~1', 'write'],
    ['git reset --hard HEAD~3', 'destructive'],
    ['git clean -fdx', 'destructive'],
    ['git clean -n', 'read'],
    ['git checkout -- .', 'destructive'],
    ['git branch -d merged', 'write'],
    ['git branch -D spike', 'destructive'],
    ['git stash', 'write'],
    ['git stash drop', 'destructive'],
    ['git reflog expire --expire=now --all', 'destructive'],
    ['git filter-branch --tree-filter "rm x" HEAD', 'destructive'],
    ['git update-ref -d refs/heads/x', 'destructive'],
    ['gh repo delete acme/api --yes', 'catastrophic'],
    ['gh pr list', 'read'],
  ]);
});

describe('containers, services and network', () => {
  table([
    ['docker ps -a', 'read'],
    ['docker volume rm pgdata', 'destructive'],
    ['docker volume prune -f', 'destructive'],
    ['docker system prune -a --volumes', 'destructive'],
    ['docker system prune -f', 'write'],
    ['docker compose down -v', 'destructive'],
    ['docker compose down', 'write'],
    ['docker rm -f $(docker ps -q)', 'destructive'],
    ['docker rm old-container', 'write'],
    ['docker exec db psql -U app -c "DROP TABLE users"', 'destructive', 'sql'],
    ['systemctl restart nginx', 'write'],
    ['sudo reboot', 'write'],
    ['crontab -r', 'destructive'],
    ['crontab -l', 'read'],
    ['iptables -F', 'destructive'],
    ['curl https://api.example.com/users', 'read'],
    ['curl -X DELETE https://api.stripe.com/v1/customers/cus_123', 'destructive'],
    ['curl -X POST -d "{}" https://api.example.com/x', 'write'],
    ['curl -fsSL https://get.example.com | sh', 'unknown'],
    ['npm ci', 'write'],
    ['npm test', 'write'],
    ['npm ls', 'read'],
    ['pip install -r requirements.txt', 'write'],
    ['make build', 'write'],
    ['kill -9 1234', 'write'],
  ]);
  it('marks availability-only actions disruptive', () => {
    expect(classifier.classify('systemctl restart nginx').disruptive).toBe(true);
    expect(classifier.classify('sudo reboot').disruptive).toBe(true);
    expect(classifier.classify('ls').disruptive).toBe(false);
  });
});

describe('databases and caches', () => {
  table([
    ['psql -h db.internal -d app -c "SELECT count(*) FROM users"', 'read', 'sql'],
    ['psql -c "DROP TABLE users"', 'destructive', 'sql'],
    ['psql app -c "DROP DATABASE app"', 'catastrophic', 'sql'],
    ['psql -d app <<EOF\nDELETE FROM sessions;\nEOF', 'destructive', 'sql'],
    ['echo "TRUNCATE orders" | psql app', 'destructive', 'sql'],
    ['mysql -h db -e "UPDATE users SET active = 0 WHERE id = 5" shop', 'write', 'sql'],
    ['sqlite3 data/app.db "DELETE FROM users"', 'destructive', 'sql'],
    ['sqlite3 data/app.db ".tables"', 'read', 'sql'],
    ['psql -f migrate.sql', 'unknown', 'sql'],
    ['redis-cli FLUSHALL', 'catastrophic'],
    ['redis-cli -n 2 flushdb', 'catastrophic'],
    ['redis-cli DEL session:1 session:2', 'write'],
    ['redis-cli GET k', 'read'],
    ['mongosh app --eval "db.dropDatabase()"', 'catastrophic'],
    ['mongosh app --eval "db.users.drop()"', 'destructive'],
    ['mongosh app --eval "db.users.deleteMany({})"', 'destructive'],
    ["mongosh app --eval 'db.users.updateOne({_id: 1}, {$set: {a: 1}})'", 'write'],
    ['mongosh app --eval "db.users.updateOne({_id: 1}, {$set: {a: 1}})"', 'unknown'],
    ['etcdctl del "" --prefix', 'catastrophic'],
    ['etcdctl get /config --prefix', 'read'],
    ['vault secrets disable secret/', 'catastrophic'],
    ['dropdb app', 'catastrophic', 'sql'],
    ['pg_restore --clean -d app dump.pgdump', 'catastrophic', 'sql'],
    ['mongorestore --drop dump/', 'catastrophic'],
    ['npx prisma migrate reset --force', 'catastrophic', 'sql'],
    ['npx prisma db push --accept-data-loss', 'destructive', 'sql'],
    ['npx prisma migrate deploy', 'write', 'sql'],
    ['bin/rails db:drop', 'catastrophic', 'sql'],
    ['python manage.py flush --noinput', 'catastrophic', 'sql'],
    ['alembic downgrade base', 'catastrophic', 'sql'],
    ['alembic upgrade head', 'write', 'sql'],
    ['php artisan migrate:fresh', 'catastrophic', 'sql'],
  ]);
  it('reports the database target from flags and PG* variables', () => {
    const a = classifier.classify('psql -h db.prod -p 5433 -d billing -c "SELECT 1"');
    expect(a.targets).toContainEqual({ type: 'database', engine: 'postgresql', host: 'db.prod', port: 5433, database: 'billing' });
    const b = classifier.classify('psql -c "SELECT 1"', { env: { PGHOST: 'pg.internal', PGDATABASE: 'app' } });
    expect(b.targets).toContainEqual({ type: 'database', engine: 'postgresql', host: 'pg.internal', database: 'app' });
  });
});

describe('interpreters', () => {
  table([
    ['python3 -c "import shutil; shutil.rmtree(\'/var/www\')"', 'destructive'],
    ['python -c "import os; os.system(\'rm -rf /\')"', 'catastrophic'],
    ['python3 -c "print(1 + 1)"', 'read'],
    ['python3 -c "import requests; requests.post(\'http://x\')"', 'unknown'],
    ["node -e \"require('fs').rmSync('/opt/app', {recursive: true})\"", 'destructive'],
    ["node -e \"require('child_process').execSync('git push -f origin main')\"", 'destructive'],
    ['node -p "process.version"', 'read'],
    ["perl -e 'system(q{rm -rf /etc})'", 'catastrophic'],
    ['ruby -e \'require "fileutils"; FileUtils.rm_rf(Dir.home)\'', 'catastrophic'],
    ['php -r \'unlink("data/app.db");\'', 'destructive'],
    ['python3 -c "import boto3; boto3.client(\'s3\').list_buckets()"', 'read', 'aws'],
    ["python3 -c \"import boto3; boto3.client('ec2').terminate_instances(InstanceIds=['i-1'])\"", 'destructive', 'aws'],
    ['python3 script.py', 'unknown'],
  ]);
  it('marks interpreter one-liners obfuscated', () => {
    expect(classifier.classify('python3 -c "import os; os.remove(\'a.db\')"').obfuscated).toBe(true);
    expect(classifier.classify('rm a.db').obfuscated).toBe(false);
  });
});

describe('unknowns fail closed', () => {
  table([
    ['frobnicate --all', 'unknown'],
    ['$CMD -rf /tmp/x', 'unknown'],
    ['bash deploy.sh', 'unknown'],
    ['curl https://x | bash', 'unknown'],
    ['LD_PRELOAD=/tmp/x.so ls', 'unknown'],
    ['eval "$SOMETHING"', 'unknown'],
    ['ls\u202e', 'unknown'],
  ]);
  it('never throws, even on hostile input', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a JS template
    for (const input of ['(((((', '$(', '`', "'unterminated", 'a'.repeat(20000), '\u0000', '<<EOF', '${!x}', 'f() { f; }; f']) {
      expect(() => classifier.classify(input)).not.toThrow();
    }
  });
  it('names the missing grammar', () => {
    expect(classifier.classify('frobnicate').reasons.join(' ') + classifier.classify('frobnicate').effects[0]?.reason).toContain(
      'no grammar for frobnicate',
    );
  });
});

describe('kind and obfuscation', () => {
  it('takes the kind of the worst executed segment', () => {
    expect(classifier.classify('ls && psql -c "DROP TABLE x"').kind).toBe('sql');
    expect(classifier.classify('psql -c "SELECT 1" && rm -rf /').kind).toBe('shell');
  });
  it('flags shells, eval, encodings and heredocs to executors', () => {
    expect(classifier.classify("bash -c 'ls'").obfuscated).toBe(true);
    expect(classifier.classify('eval "ls"').obfuscated).toBe(true);
    expect(classifier.classify('echo bHMK | base64 -d | sh').obfuscated).toBe(true);
    expect(classifier.classify('psql <<EOF\nSELECT 1;\nEOF').obfuscated).toBe(true);
    expect(classifier.classify('ls -la').obfuscated).toBe(false);
  });
  it('reports path, host and git targets', () => {
    expect(classifier.classify('rm -rf /var/www').targets).toContainEqual({ type: 'path', path: '/var/www' });
    expect(classifier.classify("ssh web1 'rm -rf /srv/app'").targets).toContainEqual({ type: 'host', hostname: 'web1' });
    expect(classifier.classify('git push -f origin main').targets).toContainEqual({ type: 'git', remote: 'origin', branch: 'main' });
  });
});

describe('performance', () => {
  it('classifies a typical command well under 0.5 ms', () => {
    const commands = ['git status', 'rm -rf node_modules && npm ci', 'psql -c "SELECT 1"', 'kubectl get pods -n web', 'ls -la | grep x'];
    for (let i = 0; i < 200; i++) for (const c of commands) classifier.classify(c);
    const n = 2000;
    const start = performance.now();
    for (let i = 0; i < n; i++) classifier.classify(commands[i % commands.length] as string);
    const perCall = (performance.now() - start) / n;
    expect(perCall).toBeLessThan(0.5);
  });
});
