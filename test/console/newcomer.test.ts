/**
 * What a newcomer meets first, in Debian's Chromium against the real runtime (issue 13, items
 * 2, 7, 8 and 10): the first-run admin must choose their own password; the chat page greets on
 * open, once, also after a reload; a pressed button is the beneficiary's words for staff and in
 * their own history, with the bot's options under its message; the beneficiary is told the
 * officer's title, not "Admin"; the request page fits a 390-px phone, labels its checkboxes and
 * offers each action only in its status (an admin can ask for more information); the dashboard
 * opens on the user's own association, says "no data yet", labels the queues as the
 * deployment's and draws its labels in the page's language. Screenshots to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import { beneficiary } from '../support/beneficiary.ts';
import type { Runtime } from '../../src/runtime.ts';
import { Accounts } from '../../src/console/accounts.ts';
import { PASSWORD, serveAll } from '../support/console.ts';
import { launchChromium, signInThroughForm } from '../support/chromium.ts';
import { closeOwnDb, ownDb } from './db.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-newcomer-'));
let runtime: Runtime;
let base = '';
let browser: Browser;
let firstPassword = '';
const NEW_PASSWORD = 'a long password of my own';

beforeAll(async () => {
  await redis.start();
  runtime = await serveAll(dir, redis.url);
  base = runtime.url!;
  const accounts = new Accounts(runtime.app.store.console);
  // The first start made the only account, admin@localhost with a generated password it printed;
  // a generated reset stands in for that password here (both are one-time).
  expect((await accounts.byId((ownDb(dir).prepare("SELECT id FROM users WHERE email = 'admin@localhost'").get() as { id: string }).id))!.mustChangePassword).toBe(true);
  firstPassword = await accounts.setPassword('admin@localhost');
  await accounts.add({ email: 'reem@sidr.org', name: 'ريم', role: 'supervisor', associations: ['sidr', 'qalam'], password: PASSWORD });
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.close();
  await redis.stop();
  closeOwnDb(dir);
  rmSync(dir, { recursive: true, force: true });
});

function signIn(email: string, password: string, landing = '/console'): Promise<{ context: BrowserContext; page: Page }> {
  return signInThroughForm(browser, base, email, { password, landing });
}

/** The page at 390 px and desktop width, Arabic and English; returns the widest scrollWidth at 390. */
async function shots(page: Page, name: string, url: string): Promise<number> {
  let widest = 0;
  // English first: the session keeps the last language, and the test goes on in Arabic.
  for (const lang of ['en', 'ar'] as const) {
    for (const width of [390, 1200]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
      if (width === 390) widest = Math.max(widest, await page.evaluate(() => document.documentElement.scrollWidth));
      await page.screenshot({ path: join(ARTIFACTS, `newcomer-${name}-${lang}-${width}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1200, height: 900 });
  return widest;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('a newcomer\'s first hour', () => {
  it('first-run admin, greeting on open, labelled presses, the officer\'s title, the request page and the dashboard', async () => {
    // The first-run admin must choose their own password before anything else.
    const { page: admin } = await signIn('admin@localhost', firstPassword, '/console/account');
    await admin.locator('[data-must-change]').waitFor();
    await admin.goto(`${base}/console/inbox`);
    expect(admin.url()).toBe(`${base}/console/account`);
    await shots(admin, 'first-password', `${base}/console/account`);
    await admin.goto(`${base}/console/account`);
    await admin.fill('#current', firstPassword);
    await admin.fill('#next', 'short');
    await admin.fill('#again', 'short');
    await admin.locator('#next').evaluate((el) => el.removeAttribute('minlength'));
    await admin.locator('#again').evaluate((el) => el.removeAttribute('minlength'));
    await admin.click('form[action$="/password"] button');
    expect(await admin.locator('[data-error]').innerText()).toContain('١٢ حرفًا');
    await admin.fill('#current', firstPassword);
    await admin.fill('#next', NEW_PASSWORD);
    await admin.fill('#again', NEW_PASSWORD);
    await admin.click('form[action$="/password"] button');
    await admin.waitForURL(`${base}/console`);
    await admin.goto(`${base}/console/inbox`);
    expect(admin.url()).toBe(`${base}/console/inbox`);
    await shots(admin, 'account', `${base}/console/account`);

    // The chat page greets on open, without the visitor typing; a reload shows it once.
    const visitor = await (await browser.newContext({ viewport: { width: 390, height: 760 } })).newPage();
    await visitor.goto(`${base}/chat/qalam`);
    const bot = visitor.locator('#chat .msg.bot');
    await bot.first().waitFor({ timeout: 20_000 });
    const greeting = (await bot.first().innerText()).split('\n')[0]!;
    await visitor.reload();
    await visitor.waitForSelector('#chat[data-ready="1"]');
    await settle();
    await settle();
    expect(await visitor.locator('#chat .msg', { hasText: greeting }).count()).toBe(1);
    expect(await visitor.locator('#chat .msg.me').count()).toBe(0);
    const db = ownDb(dir);
    expect((db.prepare("SELECT count(*) AS n FROM messages WHERE direction = 'in' AND channel_message_id LIKE 'open:%'").get() as { n: number }).n).toBe(1);
    await visitor.screenshot({ path: join(ARTIFACTS, 'newcomer-chat-greeting-ar-390.png'), fullPage: true });

    // A button press: the label is the beneficiary's message, also after a reload.
    const label = 'تحدث مع مسؤول البحث الاجتماعي';
    await visitor.locator('#chat .choices button', { hasText: label }).first().click();
    await admin.goto(`${base}/console/inbox`);
    await admin.locator('tr[data-conversation] a').first().waitFor({ timeout: 20_000 });
    await visitor.reload();
    await visitor.locator('#chat .msg.me', { hasText: label }).waitFor();

    // Staff see the press as words, the bot's options under its message, the opening marked.
    await admin.locator('tr[data-conversation] a').first().click();
    await admin.waitForURL(/\/console\/conversations\//);
    await admin.locator('.msg.in .body', { hasText: label }).waitFor();
    const chips = await admin.locator('.msg.out').first().locator('.chip').allInnerTexts();
    expect(chips).toContain(label);
    expect(chips).toContain('English');
    await admin.locator('[data-opened]').waitFor();
    // Claimed by the admin, who has no Arabic name: the beneficiary hears the officer's title.
    await admin.click('form[action$="/claim"] button');
    await visitor.locator('#chat .msg.bot', { hasText: 'انضم إليك مسؤول البحث الاجتماعي الآن' }).waitFor({ timeout: 20_000 });
    expect(await visitor.locator('#chat').innerText()).not.toContain('Admin');
    await shots(admin, 'conversation', admin.url().split('?')[0]!);

    // A request: offered forward and corrections while it is verified, with labelled checkboxes, no decision yet.
    const clock = { service: runtime.app.service, now: new Date(), advance: () => undefined };
    const person = beneficiary(clock, 'telegram', '966500000001');
    await person.fillIntake();
    await person.send('1');
    const reference = (db.prepare('SELECT reference FROM requests').get() as { reference: string }).reference;
    const url = `${base}/console/requests/${reference}`;
    await admin.goto(url);
    expect(await admin.locator('form[action$="/decide"]').count()).toBe(0);
    expect(await admin.locator('form[action$="/forward"]').count()).toBe(1);
    const nameBox = admin.getByRole('checkbox', { name: 'الاسم الكامل', exact: true });
    expect(await nameBox.count()).toBe(1);
    expect(await admin.locator('form[action$="/corrections"] button').innerText()).toContain('طلب تصحيح');
    expect(await shots(admin, 'request-verifying', url)).toBeLessThanOrEqual(390);
    // The decision is refused before the committee has it, even posted by hand.
    const token = await admin.locator('input[name=_csrf]').first().getAttribute('value');
    const early = await admin.request.post(`${url}/decide`, { form: { _csrf: token!, outcome: 'accepted' }, maxRedirects: 0 });
    expect(early.status()).toBe(409);
    await admin.goto(url);
    await admin.click('form[action$="/forward"] button');
    await admin.waitForURL(url);
    // At the committee: accept/reject, and the admin may ask for more information on ticked fields.
    expect(await admin.locator('form[action$="/decide"]').count()).toBe(1);
    expect(await admin.locator('form[action$="/corrections"] button').innerText()).toContain('طلب معلومات إضافية');
    expect(await shots(admin, 'request-committee', url)).toBeLessThanOrEqual(390);
    await admin.goto(url);
    await admin.getByRole('checkbox', { name: 'رقم الجوال', exact: true }).check();
    await admin.click('form[action$="/corrections"] button');
    await admin.waitForURL(url);
    expect((db.prepare('SELECT status FROM requests WHERE reference = ?').get(reference) as { status: string }).status).toBe('more_info');

    // The dashboard opens on the supervisor's own association (sidr, given first), with no data yet.
    const { page: reem } = await signIn('reem@sidr.org', PASSWORD);
    await reem.goto(`${base}/console/dashboard`);
    await reem.waitForSelector('body[data-charts="ready"]');
    expect(await reem.locator('#association').inputValue()).toBe('sidr');
    for (const empty of ['satisfaction', 'stages', 'decisions', 'dropoff', 'comments']) await reem.locator(`[data-empty="${empty}"]`).waitFor();
    expect(await reem.locator('canvas#chart-satisfaction').count()).toBe(0);
    expect(await reem.locator('[data-scope="deployment"]').innerText()).toContain('كل الجمعيات');
    await shots(reem, 'dashboard-empty', `${base}/console/dashboard?association=sidr`);
    // Choosing qalam is remembered; its charts draw their labels in the page's language.
    await reem.goto(`${base}/console/dashboard?association=qalam&lang=en`);
    await reem.waitForSelector('body[data-charts="ready"]');
    const labels = (id: string) => reem.evaluate((i) => (window as unknown as { Chart: { getChart(id: string): { data: { labels: string[] } } } }).Chart.getChart(i).data.labels, id);
    expect(await labels('chart-stages')).toEqual(['awaiting corrections']);
    expect(await reem.locator('[data-scope="deployment"]').innerText()).toContain('whole deployment');
    await reem.goto(`${base}/console/dashboard?lang=ar`);
    await reem.waitForSelector('body[data-charts="ready"]');
    expect(await reem.locator('#association').inputValue()).toBe('qalam');
    expect(await labels('chart-stages')).toEqual(['بانتظار تصحيح']);
    await shots(reem, 'dashboard', `${base}/console/dashboard?association=qalam`);
  }, 240_000);
});
