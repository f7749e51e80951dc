/**
 * Regression tables for bypasses found in a security review (H1 limits, H2 programs at paths,
 * H7 commands that run arbitrary code). Each table holds the bypass and look-alikes that must keep
 * their class. Whole command lines go through the real shell classifier.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RiskClass } from '../../core/assessment.js';
import { SqlClassifier } from '../sql/sql-classifier.js';
import { vouchedPath } from './evaluator.js';
import { ShellClassifier } from './shell-classifier.js';

let classifier: ShellClassifier;

beforeAll(async () => {
  classifier = await ShellClassifier.create({ sql: await SqlClassifier.create() });
});

type Row = readonly [command: string, risk: RiskClass];

function table(rows: readonly Row[]): void {
  it.each(rows.map(([command, risk]) => ({ command, risk })))('$command → $risk', ({ command, risk }) => {
    const a = classifier.classify(command);
    expect(a.risk, JSON.stringify(a.effects.map((e) => `${e.risk}: ${e.reason}`))).toBe(risk);
  });
}

const chained = (n: number, cmd: string): string => Array.from({ length: n }, () => cmd).join(' && ');

describe('H1: a limit reached makes the input at least unknown, never truncates it', () => {
  table([
    [`${chained(800, 'echo $(echo $(echo x))')} && kubectl --context prod-eu delete ns payments`, 'catastrophic'],
    [`${chained(2100, 'echo x')} && git push origin main`, 'unknown'],
    [`${chained(2100, 'echo x')} && rm -rf /`, 'catastrophic'],
    [`parallel echo ::: ${Array.from({ length: 20 }, (_, i) => `v${i}`).join(' ')}`, 'unknown'],
    // A capped brace expansion stands for paths not seen: no longer a regenerable folder.
    ['rm -rf build/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}', 'destructive'],
    ['rm -rf build/{a,b}{c,d}', 'write'],
    // Look-alikes under the limits keep their class.
    [chained(50, 'echo x'), 'read'],
    ['parallel echo ::: a b c', 'read'],
    ['ls {src,test}/*.ts', 'read'],
  ]);

  it('stays fast on the review input', () => {
    const start = performance.now();
    classifier.classify(`${chained(800, 'echo $(echo $(echo x))')} && kubectl --context prod-eu delete ns payments`);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('H2: a program named by a path is judged by its grammar only in system directories', () => {
  table([
    ['./ls', 'unknown'],
    ['./git status', 'unknown'],
    ['/tmp/evil/cat x', 'unknown'],
    ['./node_modules/.bin/cat README.md', 'unknown'],
    ['../bin/ls -la', 'unknown'],
    ['/usr/bin/../../tmp/ls', 'unknown'],
    ['sudo ./ls', 'unknown'],
    ['find . -name x -exec ./cat {} \\;', 'unknown'],
    // System directories (also with `//` and `/./`) keep the tool's grammar.
    ['/usr/bin/rm -rf /', 'catastrophic'],
    ['/bin/rm -rf /var/*', 'catastrophic'],
    ['//usr//bin/rm -rf /', 'catastrophic'],
    ['/usr/./bin/rm -rf /', 'catastrophic'],
    ['/usr/bin/git status', 'read'],
    ['/bin/ls -la', 'read'],
    ['/usr/local/bin/kubectl get pods', 'read'],
    ['/usr/sbin/iptables -L', 'read'],
    ['ls -la', 'read'],
  ]);

  it.each([
    ['ls', true],
    ['/bin/ls', true],
    ['/usr/local/sbin/x', true],
    ['//bin/ls', true],
    ['/./bin/ls', true],
    ['./ls', false],
    ['/bin/', false],
    ['/opt/bin/ls', false],
    ['/usr/bin/sub/ls', false],
  ] as const)('vouchedPath(%s) is %s', (path, ok) => {
    expect(vouchedPath(path)).toBe(ok);
  });
});

describe('H2: a path-named program keeps a worse judgement of its grammar', () => {
  table([
    ['bin/rails db:drop', 'catastrophic'],
    ['./rm -rf /', 'catastrophic'],
    ['bin/rails db:migrate', 'unknown'],
    ['.venv/bin/pip install -r requirements.txt', 'unknown'],
    // No project launcher is vouched for: a binstub or a virtualenv's program could be any file.
    ['tools/bin/rails db:migrate', 'unknown'],
    ['.venv/bin/pip list', 'unknown'],
    ['./bin/cat x', 'unknown'],
  ]);
});

describe('H7: environment that makes a program run something else', () => {
  table([
    ["GIT_SSH_COMMAND='sh -c id' git fetch", 'unknown'],
    ['GIT_EXTERNAL_DIFF=./x git diff', 'unknown'],
    ['GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0=./x git log', 'unknown'],
    ['PAGER=./x man ls', 'unknown'],
    ['export EDITOR=./x; git commit', 'unknown'],
    ['LESSOPEN="|./x %s" less README.md', 'unknown'],
    ['KUBECTL_EXTERNAL_DIFF=./x kubectl diff -f a.yaml', 'unknown'],
    // Look-alikes: harmless variables keep the class.
    ['GIT_AUTHOR_NAME=bot git log', 'read'],
    ['LANG=C git status', 'read'],
    ['GIT_CONFIG_NOSYSTEM=1 git status', 'read'],
  ]);
});

describe('H7: git options and configuration that name a program to run', () => {
  table([
    ["git -c core.fsmonitor='sh -c id' status", 'unknown'],
    ['git -c core.sshCommand=./x fetch', 'unknown'],
    ['git -c core.pager=./x log', 'unknown'],
    ['git -ccore.hooksPath=hooks commit -m x', 'unknown'],
    ['git -c diff.external=./x diff', 'unknown'],
    ['git -c diff.foo.textconv=./x diff', 'unknown'],
    ['git -c merge.x.driver=./x merge dev', 'unknown'],
    ['git -c filter.lfs.smudge=./x checkout main', 'unknown'],
    ["git -c alias.st='!sh -c id' st", 'unknown'],
    ['git -c credential.helper=./x fetch', 'unknown'],
    ['git -c Core.FSMonitor=./x status', 'unknown'],
    ['git -c protocol.ext.allow=always fetch', 'unknown'],
    ['git -c url.ext::sh.insteadOf=https:// fetch', 'unknown'],
    ['git -c remote.origin.uploadpack=./x fetch', 'unknown'],
    ['git -c gpg.ssh.program=./x commit -S -m x', 'unknown'],
    ['git -c uploadpack.packObjectsHook=./x status', 'unknown'],
    ['git --config-env=core.pager=X log', 'unknown'],
    ['git --config-env core.editor=X commit', 'unknown'],
    ['git --exec-path=/tmp/x status', 'unknown'],
    ['git fetch --upload-pack=./x origin', 'unknown'],
    ['git pull --upload-pack ./x origin main', 'unknown'],
    ['git clone -u ./x repo', 'unknown'],
    ['git clone --template=./t repo', 'unknown'],
    ['git clone -c core.fsmonitor=./x repo', 'unknown'],
    ['git ls-remote --upload-pack=./x origin', 'unknown'],
    ['git ls-remote -u ./x origin', 'unknown'],
    ['git archive --exec=./x --remote=origin HEAD', 'unknown'],
    ['git push --receive-pack=./x origin dev', 'unknown'],
    ['git push --exec=./x origin dev', 'unknown'],
    ['git config core.fsmonitor ./x', 'unknown'],
    ['git config --global core.pager ./x', 'unknown'],
    ['git config --local --add alias.x "!sh"', 'unknown'],
    ['git config --replace-all core.hooksPath hooks', 'unknown'],
    ['git config set core.sshCommand ./x', 'unknown'],
    ['git config -f .git/config diff.x.command ./x', 'unknown'],
    ['git config include.path ../x', 'unknown'],
    // Look-alikes keep their class.
    ['git -c user.name=x commit -m y', 'write'],
    ['git -c color.ui=always log', 'read'],
    ['git -c core.pager=cat log', 'read'],
    ['git -c core.hooksPath=/dev/null commit -m x', 'write'],
    ['git -c core.fsmonitor=false status', 'read'],
    ['git --exec-path', 'read'],
    ['git fetch origin', 'read'],
    ['git clone repo', 'write'],
    ['git ls-remote origin', 'read'],
    ['git push origin dev', 'write'],
    ['git config user.email a@b', 'write'],
    ['git config --get core.pager', 'read'],
    ['git config core.pager', 'read'],
    ['git config --unset core.pager', 'write'],
    ['git config --global user.name x', 'write'],
  ]);
});

describe('H7: awk and sed programs that run commands or cannot be seen', () => {
  table([
    ['awk -f prog.awk data.txt', 'unknown'],
    ['gawk -f prog.awk data.txt', 'unknown'],
    ['awk --file=prog.awk data.txt', 'unknown'],
    ['gawk -i lib.awk 1 data.txt', 'unknown'],
    ['gawk -l ./ext.so 1 x', 'unknown'],
    ['awk \'BEGIN { system("id") }\'', 'read'],
    ['awk \'BEGIN { c = "id"; system(c) }\'', 'unknown'],
    ['awk \'{ print | "sh" }\' x', 'unknown'],
    ["awk '{ print | cmd }' x", 'unknown'],
    ['awk \'BEGIN { "id" | getline x }\'', 'unknown'],
    ["awk 'BEGIN { c | getline }'", 'unknown'],
    ['gawk -e \'BEGIN { system("rm -rf /") }\'', 'catastrophic'],
    ['gawk \'@include "x.awk"\' data', 'unknown'],
    ['awk -F : \'{ print | "sh" }\' x', 'unknown'],
    ['awk \'{ print > "out.txt" }\' x', 'write'],
    ['sed -f script.sed x', 'unknown'],
    ['sed --file=script.sed x', 'unknown'],
    ['sed -n -f script.sed x', 'unknown'],
    ["sed 's/x/id/e' f", 'unknown'],
    ["sed 's/x/id/ge' f", 'unknown'],
    ["sed 's|x|id|e' f", 'unknown'],
    ["sed -e 's/a/b/' -e '1e id' f", 'unknown'],
    ["sed '1e id' f", 'unknown'],
    ["sed -i 's/x/id/e' f", 'unknown'],
    ['sed "$SCRIPT" f', 'unknown'],
    ['awk "$PROG" f', 'unknown'],
    ['sed "s/x/$NEW/g" f', 'read'],
    // Look-alikes keep their class.
    ["awk '{ print $1 }' x", 'read'],
    ["awk -F : '{ print $1 }' /etc/passwd", 'read'],
    ["awk '/foo|bar/ { print }' x", 'read'],
    ['awk \'$1 ~ /a|b/ || $2 == "|" { print }\' x', 'read'],
    ["awk -v x=1 '{ print x }' f", 'read'],
    ["gawk -i inplace '{ print }' f", 'write'],
    ["sed 's/e/E/g' f", 'read'],
    ["sed -n '/e/p' f", 'read'],
    ["sed 's/foo/bar/' f", 'read'],
    ["sed -e 's/a/b/' -e 's/c/d/g' f", 'read'],
    ["sed -i 's/foo/bar/' src/a.ts", 'write'],
    ["sed -i.bak 's/x/y/' src/a.ts", 'write'],
    ["sed '/^$/d' f", 'read'],
  ]);
});

describe('H7: archive, sync and manual tools given a program to run', () => {
  table([
    ["tar xf a.tar --to-command='sh -c id'", 'unknown'],
    ['tar -xf a.tar --to-command sh', 'unknown'],
    ['tar cf a.tar --checkpoint=1 --checkpoint-action=exec=sh x', 'unknown'],
    ['tar -cf a.tar --checkpoint-action exec=id x', 'unknown'],
    ['tar -I ./x -xf a.tar', 'unknown'],
    ['tar -xIsh -f a.tar', 'unknown'],
    ['tar --use-compress-program=./x -xf a.tar', 'unknown'],
    ['tar --use-compress-prog ./x -xf a.tar', 'unknown'],
    ['tar xIf ./x a.tar', 'unknown'],
    ['tar -cF ./x -f a.tar dir', 'unknown'],
    ['tar --info-script=./x -cf a.tar dir', 'unknown'],
    ['tar --new-volume-script=./x -cf a.tar dir', 'unknown'],
    ['zip -T -TT ./x a.zip f', 'unknown'],
    ['zip --unzip-command=./x -T a.zip f', 'unknown'],
    ["rsync -e 'sh -c id' a host:b", 'unknown'],
    ['rsync --rsh=./x a host:b', 'unknown'],
    ["rsync -avze './x' a host:b", 'unknown'],
    ["rsync -e 'ssh -o ProxyCommand=id' a host:b", 'unknown'],
    ['rsync --rsync-path=./x a host:b', 'unknown'],
    ["rsync -n -e 'sh -c id' a host:b", 'unknown'],
    ['man -P ./x ls', 'unknown'],
    ['man --pager=./x ls', 'unknown'],
    ['man -H ls', 'unknown'],
    ['man --html=firefox ls', 'unknown'],
    // Look-alikes keep their class.
    ['tar -xzf a.tgz -C build', 'write'],
    ['tar czf a.tgz src', 'write'],
    ['tar -tf a.tar', 'read'],
    ['tar -cf Foo.tar src', 'write'],
    ['tar -cJf a.tar.xz src', 'write'],
    ['tar --checkpoint=100 --checkpoint-action=dot -cf a.tar src', 'write'],
    ['zip -r a.zip src', 'write'],
    ['zip -T a.zip f', 'write'],
    ["rsync -av -e 'ssh -p 2222' src/ host:dst/", 'write'],
    ['rsync -avz -e ssh src/ host:dst/', 'write'],
    ["rsync -e 'ssh -i key -o StrictHostKeyChecking=no' src/ host:dst/", 'write'],
    ['rsync -av src/ dst/', 'write'],
    ['rsync -n -av src/ dst/', 'read'],
    ['man ls', 'read'],
    ['man -P cat ls', 'read'],
    ['man -k socket', 'read'],
  ]);
});

describe('H7: find writes a named file judged by the path rules', () => {
  table([
    ['find . -fprint db.sqlite', 'destructive'],
    ['find . -fprint0 backup.dump', 'destructive'],
    ['find . -fls /etc/passwd', 'destructive'],
    ['find . -fprintf /etc/cron.d/x %p', 'destructive'],
    ['find . -fprint .git/hooks/pre-commit', 'unknown'],
    // Look-alikes keep their class.
    ['find . -fprint files.txt', 'write'],
    ['find . -name "*.ts" -fprintf list.txt %p', 'write'],
    ['find . -fprint /dev/null', 'read'],
    ['find . -name "*.ts" -print', 'read'],
  ]);
});

describe('H7: editors given commands on their command line', () => {
  table([
    ['vim -c "!id" x', 'unknown'],
    ['vim +"!id" x', 'unknown'],
    ['vi -c "!id" x', 'unknown'],
    ['nvim --cmd "!id" x', 'unknown'],
    ['emacs --eval "(shell-command \\"id\\")"', 'unknown'],
    ['emacs -l x.el', 'unknown'],
    ['emacs --load x.el', 'unknown'],
    ['emacs -f kill-emacs', 'unknown'],
    // Interactive editors keep their current judgement (no grammar: unknown).
    ['vim x', 'unknown'],
    ['emacs x', 'unknown'],
  ]);
});

describe('H7: writes into git internals that make later git commands run code', () => {
  table([
    ['echo "#!/bin/sh" >> .git/hooks/pre-commit', 'unknown'],
    ['echo x > .git/hooks/pre-commit', 'destructive'],
    ['printf "[core]\\n\\tfsmonitor = ./x\\n" >> .git/config', 'unknown'],
    ['echo "* filter=x" >> .git/info/attributes', 'unknown'],
    ['cp x .git/hooks/', 'unknown'],
    ['cp -n x .git/hooks/pre-commit', 'unknown'],
    ['cp -r hooks .git/', 'unknown'],
    ['mv x .git/hooks/post-checkout', 'destructive'],
    ['tee -a .git/config', 'unknown'],
    ['sed -i "s/a/b/" .git/config', 'unknown'],
    ['ln -s ../../x .git/hooks/pre-commit', 'unknown'],
    ['install -m755 x .git/hooks/pre-push', 'unknown'],
    ['chmod +x .git/hooks/pre-commit', 'unknown'],
    ['cp x sub/.git/hooks/pre-commit', 'unknown'],
    ['echo x >> .git/modules/lib/config', 'unknown'],
    ['echo x >> .git/worktrees/w/config.worktree', 'unknown'],
    // Look-alikes keep their class.
    ['echo "*.log" >> .git/info/exclude', 'write'],
    ['echo x >> src/config', 'write'],
    ['cp x hooks/pre-commit', 'write'],
    ['chmod +x scripts/hook.sh', 'write'],
    ['sed -i "s/a/b/" config/app.yml', 'write'],
    ['ln -s ../x build/link', 'write'],
    ['cat .git/config', 'read'],
  ]);

  it('stays fast on a long path', () => {
    const start = performance.now();
    classifier.classify(`echo x >> ${'.git/modules/'.repeat(3000)}x`);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
