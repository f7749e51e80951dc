import { describe, expect, it } from 'vitest';
import { judgeFileWrite, outsideProject } from './file-paths.js';

describe('judgeFileWrite', () => {
  it.each([
    ['src/config.ts', {}, 'write'],
    ['README.md', {}, 'write'],
    ['docs/env.md', {}, 'write'],
    ['./src/../lib/a.ts', {}, 'write'],
    ['.env', {}, 'destructive'],
    ['.env.production', {}, 'destructive'],
    ['config/.env.local', {}, 'destructive'],
    ['data/customers.csv', {}, 'destructive'],
    ['backups/app.dump', {}, 'destructive'],
    ['terraform.tfstate', {}, 'destructive'],
    ['~/.bashrc', {}, 'destructive'],
    ['$HOME/.profile', {}, 'destructive'],
    ['../other/x.ts', {}, 'destructive'],
    ['src/../../x.ts', {}, 'destructive'],
    ['/etc/hosts', {}, 'destructive'],
    ['/home/u/project/src/a.ts', {}, 'destructive'],
    ['/home/u/project/src/a.ts', { cwd: '/home/u/project' }, 'write'],
    ['/home/u/project-old/a.ts', { cwd: '/home/u/project' }, 'destructive'],
    ['/srv/app/src/a.ts', { cwd: '/srv/app/' }, 'write'],
    ['/srv/other/a.ts', { cwd: '/srv/app' }, 'destructive'],
    ['exports/q1.json', { dataPaths: ['exports/'] }, 'destructive'],
    ['exportsx/q1.json', { dataPaths: ['exports'] }, 'write'],
  ] as const)('%s %j → %s', (path, context, risk) => {
    const j = judgeFileWrite(path, context);
    expect(j.risk).toBe(risk);
    expect(j.reversible).toBe(risk === 'write');
  });

  it('treats .. above the root as outside, and inside-then-back as inside', () => {
    expect(outsideProject('a/../b')).toBe(false);
    expect(outsideProject('a/../../b')).toBe(true);
  });
});
