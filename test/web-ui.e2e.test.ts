/**
 * The web UI end to end, in a real browser (Debian's Chromium through playwright-core) against real
 * processes: `airlock up` serves the UI, an agent's `airlock exec` is held and waits, two humans
 * approve in the browser, and only then does the held command run (a fake `kubectl` that leaves a
 * marker file). Also: the queue updates without a reload, a second approval by the same human and a
 * sign-in with the agent's token are refused on screen, and the request page fits a phone.
 *
 * Needs `npm run build` first (as every test running bin/airlock.js). Chromium comes from
 * AIRLOCK_CHROMIUM, default /usr/bin/chromium (`apt-get install chromium`); without it the suite
 * is skipped with a message, except under CI=true, where it must run.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELD_ARGV, PASSWORDS, writeApprovalsConfig } from './support/approvals-workspace.js';
import { hermeticEnv, type LiveProcess, startAirlock } from './support/live-process.js';
import { runCli, tempWorkdir } from './support/run-cli.js';

const CHROMIUM = process.env.AIRLOCK_CHROMIUM || '/usr/bin/chromium';
const CI = process.env.CI === 'true' || process.env.CI === '1';
const SKIP = !existsSync(CHROMIUM) && !CI ? `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set AIRLOCK_CHROMIUM)` : null;
/** Optional: a directory to save screenshots into, for looking at the pages. */
const SHOTS = process.env.AIRLOCK_E2E_SCREENSHOTS;

const SLOW = 120_000;
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (SKIP !== null) {
  process.stderr.write(`test/web-ui.e2e.test.ts: skipped: ${SKIP}\n`);
  describe('web UI end to end', () => {
    it.skip(`skipped: ${SKIP}`, () => {});
  });
} else {
  describe('web UI end to end', () => {
    let work: { dir: string; cleanup: () => void };
    let server: LiveProcess;
    let base: string;
    let agentToken: string;
    let browser: Browser;
    let marker: string;
    const execs: LiveProcess[] = [];
    const contexts: BrowserContext[] = [];
    /** Script errors and CSP violations seen in any page: there must be none. */
    const pageProblems: string[] = [];

    const env = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => hermeticEnv(work.dir, extra);

    /** Starts the agent's `airlock exec -- kubectl …` with its token and the fake kubectl first on PATH. */
    const exec = (argv: readonly string[], flags: readonly string[] = []): LiveProcess => {
      const p = startAirlock(['exec', ...flags, '--', ...argv], {
        cwd: work.dir,
        env: env({
          AIRLOCK_AGENT_TOKEN: agentToken,
          AIRLOCK_URL: base,
          PATH: `${join(work.dir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
        }),
      });
      execs.push(p);
      return p;
    };

    const newPage = async (options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> => {
      const context = await browser.newContext(options);
      contexts.push(context);
      context.setDefaultTimeout(SLOW / 2);
      const page = await context.newPage();
      page.on('pageerror', (err) => pageProblems.push(`${page.url()}: ${err.message}`));
      page.on('console', (msg) => {
        if (/Content Security Policy|Refused to/i.test(msg.text())) pageProblems.push(`${page.url()}: ${msg.text()}`);
      });
      return page;
    };

    const signIn = async (page: Page, user: keyof typeof PASSWORDS, next = '/'): Promise<void> => {
      await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
      await page.fill('#user', user);
      await page.fill('#password', PASSWORDS[user]);
      await Promise.all([page.waitForURL(`${base}${next}`), page.click('#sign-in')]);
    };

    const shot = async (page: Page, name: string, fullPage = true): Promise<void> => {
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
    };

    beforeAll(async () => {
      work = tempWorkdir('airlock-web-e2e-');
      writeApprovalsConfig(work.dir);
      // A harmless kubectl: records its arguments in a marker file, so the test sees it ran, and how.
      marker = join(work.dir, 'kubectl-ran.txt');
      mkdirSync(join(work.dir, 'bin'));
      writeFileSync(join(work.dir, 'bin', 'kubectl'), `#!/bin/sh\nprintf '%s\\n' "$*" > '${marker}'\nexit 0\n`);
      chmodSync(join(work.dir, 'bin', 'kubectl'), 0o755);

      for (const user of ['alice', 'bob'] as const) {
        const r = await runCli(['humans', 'passwd', user, '--password-stdin'], { cwd: work.dir, input: `${PASSWORDS[user]}\n` });
        expect(r.code, `humans passwd ${user}: ${r.stderr}`).toBe(0);
      }
      const added = await runCli(['agents', 'add', 'deploy-bot'], { cwd: work.dir });
      expect(added.code, added.stderr).toBe(0);
      agentToken = added.stdout.trim().split('\n').at(-1) ?? '';
      expect(agentToken).toMatch(/^alk_/);

      server = startAirlock(['up', '--port', '0'], { cwd: work.dir, env: env() });
      base = ((await server.waitFor(/web UI +(http:\/\/[^/\s]+)\//, SLOW))[1] as string).replace(/\/$/, '');

      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: SLOW });
    }, 3 * SLOW);

    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      for (const p of execs) await p.stop(2000);
      await server?.stop(10_000);
      work?.cleanup();
    }, SLOW);

    it(
      'holds the command until two humans approve in the browser, refusing a repeat and the agent on screen',
      async () => {
        // Alice opens the queue before anything is held, and keeps it open.
        const alice = await newPage();
        await alice.goto(`${base}/`);
        expect(alice.url()).toBe(`${base}/login?next=%2F`);
        await alice.fill('#user', 'alice');
        await alice.fill('#password', PASSWORDS.alice);
        await Promise.all([alice.waitForURL(`${base}/`), alice.click('#sign-in')]);
        await alice.locator('#queue-empty').waitFor();
        await alice.evaluate('window.__sameDocument = true');

        // The agent runs a destructive command in prod: held, it waits and prints the request's URL.
        const agent = exec(HELD_ARGV);
        const id = (await agent.waitFor(/\/requests\/([A-Za-z0-9_-]+)/, SLOW))[1] as string;
        expect(agent.stderr()).toContain(`${base}/requests/${id}`);

        // The row appears in Alice's open queue without a reload.
        const row = alice.locator(`[data-request="${id}"]`);
        await row.waitFor({ timeout: SLOW });
        expect(await alice.evaluate('window.__sameDocument === true')).toBe(true);
        expect(await row.textContent()).toContain('kubectl delete deployment api -n payments --context prod');
        expect(await row.textContent()).toContain('0 of 2 (prod-owners)');
        await shot(alice, 'queue');

        // She opens it: exactly what will run, then approves.
        await Promise.all([alice.waitForURL(`${base}/requests/${id}`), row.locator('a.button').click()]);
        expect(await alice.locator('#argv').textContent()).toContain('deployment');
        expect((await alice.locator('#argv li code').allTextContents()).slice(1)).toEqual(HELD_ARGV.slice(1));
        expect(await alice.locator('#plan-digest').textContent()).toMatch(/^[0-9a-f]{64}$/);
        await shot(alice, 'request');
        await alice.fill('#approve-comment', 'rollback agreed in #incident');
        await Promise.all([alice.waitForURL(`${base}/requests/${id}?done=approve`), alice.click('#approve')]);
        expect(await alice.locator('.banner.ok').first().textContent()).toContain('You approved this request.');
        expect(await alice.locator('#progress').textContent()).toBe('1 of 2 (prod-owners)');

        // Approving again as Alice is refused, on screen.
        await alice.click('#approve');
        await alice.locator('.banner.error').waitFor();
        expect(await alice.locator('.banner.error').textContent()).toContain('alice has already approved; each human counts once');
        await shot(alice, 'refused-again');

        // The agent's own token cannot sign in (so it can never approve its request).
        const intruder = await newPage();
        await intruder.goto(`${base}/login?next=${encodeURIComponent(`/requests/${id}`)}`);
        await intruder.fill('#token', agentToken);
        await intruder.click('#sign-in-token');
        await intruder.locator('.banner.error').waitFor();
        expect(await intruder.locator('.banner.error').textContent()).toContain(
          'agent credentials can never approve; agents never sign in',
        );
        expect(intruder.url()).toBe(`${base}/login`);
        await shot(intruder, 'agent-refused');

        // Nothing ran yet.
        expect(existsSync(marker)).toBe(false);

        // Bob, in his own browser session, approves: the second approval.
        const bob = await newPage();
        await signIn(bob, 'bob', `/requests/${id}`);
        expect(await bob.locator('#progress').textContent()).toBe('1 of 2 (prod-owners)');
        await Promise.all([bob.waitForURL(`${base}/requests/${id}?done=approve`), bob.click('#approve')]);

        // The waiting exec runs the approved plan (the fake kubectl) and exits 0.
        expect(await Promise.race([agent.exited, new Promise((r) => setTimeout(() => r('timeout'), SLOW))])).toBe(0);
        expect(readFileSync(marker, 'utf8').trim()).toBe(HELD_ARGV.slice(1).join(' '));
        expect(agent.stderr()).toContain('approved by alice, bob');

        // Alice's page learns it ran, without a reload.
        await alice.locator('#live[data-status="executed"]').waitFor({ timeout: SLOW });
        expect(await alice.locator('#review').isHidden()).toBe(true);
        await shot(alice, 'executed');
        expect(pageProblems).toEqual([]);
      },
      4 * SLOW,
    );

    it(
      'fits a phone: the approve button is visible and nothing scrolls sideways',
      async () => {
        // A second held request, left open (--no-wait exits 2 at once).
        const agent = exec(
          [
            'kubectl',
            'delete',
            'deployment',
            'a-very-long-deployment-name-that-must-wrap-on-a-narrow-screen-0123456789',
            '-n',
            'payments',
            '--context',
            'prod',
          ],
          ['--no-wait'],
        );
        expect(await agent.exited).toBe(2);
        const id = /\/requests\/([A-Za-z0-9_-]+)/.exec(agent.stderr())?.[1] as string;
        expect(id).toBeDefined();

        const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
        await signIn(phone, 'alice', `/requests/${id}`);
        const approve = phone.locator('#approve');
        await approve.scrollIntoViewIfNeeded();
        expect(await approve.isVisible()).toBe(true);
        const box = await approve.boundingBox();
        expect(box).not.toBeNull();
        if (box !== null) {
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(390);
          expect(box.height).toBeGreaterThanOrEqual(44);
        }
        expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await shot(phone, 'phone-request', false);
        await phone.goto(`${base}/`);
        await phone.locator(`[data-request="${id}"]`).waitFor();
        expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await shot(phone, 'phone-queue', false);
        await phone.goto(`${base}/decisions`);
        await phone.locator('#decision-rows tr').first().waitFor();
        expect(await phone.locator('#decisions-status').textContent()).toMatch(/\d+ audit entries/);
        expect(pageProblems).toEqual([]);
      },
      2 * SLOW,
    );
  });
}
