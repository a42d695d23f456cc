/**
 * No dead ends, in Debian's Chromium against the real runtime: a conversation someone else
 * holds (and who), a reply before claiming, the sixth wrong sign-in, an admin-only page and
 * addresses that do not exist each give a page in the viewer's language with a link back; the
 * conversation page says who holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
const dir = mkdtempSync(join(tmpdir(), 'tawasul-errors-'));
let runtime: Runtime;
let base = '';
let browser: Browser;
let conversation = '';

beforeAll(async () => {
  await redis.start();
  runtime = await serveAll(dir, redis.url);
  base = runtime.url!;
  const accounts = new Accounts(runtime.app.store.console);
  await accounts.add({ email: 'noura@qalam.org', name: 'نورة العتيبي', role: 'staff', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'fahad@qalam.org', name: 'فهد', role: 'staff', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'reem@qalam.org', name: 'ريم الدوسري', role: 'supervisor', associations: ['qalam'], password: PASSWORD });
  const clock = { service: runtime.app.service, now: new Date(), advance: () => undefined };
  const person = beneficiary(clock, 'telegram', '555000111');
  await person.send('السلام عليكم');
  await person.send('موظف');
  conversation = (ownDb(dir).prepare("SELECT id FROM conversations WHERE mode = 'waiting_staff'").get() as { id: string }).id;
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

async function signIn(email: string, width = 1200): Promise<Page> {
  return (await signInThroughForm(browser, base, email, { password: PASSWORD, viewport: { width, height: 800 } })).page;
}

/** The error page: its text, and the link back followed to where it leads. */
async function problem(page: Page, status: number) {
  const card = page.locator(`[data-problem="${status}"]`);
  await card.waitFor();
  const text = await card.innerText();
  const back = card.locator('a.back');
  expect(await back.count()).toBe(1);
  return { text, back };
}

const shots = async (page: Page, name: string) => {
  for (const width of [390, 1200]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  }
};

describe('errors with a way back', () => {
  it('a claim someone else holds names the holder; a reply before claiming says to claim; the page says who holds it', async () => {
    const noura = await signIn('noura@qalam.org');
    const fahad = await signIn('fahad@qalam.org');
    await fahad.goto(`${base}/console/conversations/${conversation}`);
    expect(await fahad.locator('[data-holder]').innerText()).toBe('بانتظار موظف');
    // The live view would reload the page once Noura claims; stopped first, the old page stays.
    await fahad.evaluate(() => window.stop());
    // Noura claims first, while Fahad's page still offers the claim button.
    await noura.goto(`${base}/console/conversations/${conversation}`);
    await noura.click('form[action$="/claim"] button');
    await noura.waitForSelector('textarea[name=text]');
    expect(await noura.locator('[data-holder]').innerText()).toBe('المحادثة معك');
    await fahad.click('form[action$="/claim"] button');
    const held = await problem(fahad, 409);
    expect(held.text).toContain('هذه المحادثة مع نورة العتيبي الآن');
    await shots(fahad, 'console-error-held-ar');
    await held.back.click();
    await fahad.waitForURL(`${base}/console/conversations/${conversation}`);
    expect(await fahad.locator('[data-holder]').innerText()).toBe('المحادثة مع نورة العتيبي');
    await shots(fahad, 'console-conversation-holder-ar');

    // A reply sent without holding it (a form from a stale page, here built in the page).
    await fahad.evaluate(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = location.pathname + '/reply?lang=en';
      const token = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value;
      form.innerHTML = `<input name="_csrf" value="${token}"><input name="text" value="hello">`;
      document.body.appendChild(form);
      form.submit();
    });
    const reply = await problem(fahad, 409);
    expect(reply.text).toContain('Claim the conversation first, then write your reply.');
    await reply.back.click();
    await fahad.waitForURL(new RegExp(`/console/conversations/${conversation}$`));

    // A supervisor sees who holds it and takes it over; staff get no such button.
    expect(await fahad.locator('form[action$="/takeover"]').count()).toBe(0);
    const reem = await signIn('reem@qalam.org');
    await reem.goto(`${base}/console/conversations/${conversation}`);
    const takeOver = reem.locator('form[action$="/takeover"] button');
    expect(await takeOver.innerText()).toBe('استلام المحادثة من نورة العتيبي');
    await shots(reem, 'console-conversation-takeover-ar');
    await takeOver.click();
    await reem.waitForSelector('textarea[name=text]');
    expect(await reem.locator('[data-holder]').innerText()).toBe('المحادثة معك');
  }, 60_000);

  it('an admin-only page, and addresses that do not exist, in the page\'s language', async () => {
    const page = await signIn('fahad@qalam.org');
    const res = await page.goto(`${base}/console/whatsapp`);
    expect(res!.status()).toBe(403);
    const admin = await problem(page, 403);
    expect(admin.text).toContain('هذه الصفحة لمدير النظام فقط.');
    await shots(page, 'console-error-admin-ar');
    await admin.back.click();
    await page.waitForURL(`${base}/console`);

    expect((await page.goto(`${base}/console/dashboard?lang=en`))!.status()).toBe(403);
    expect((await problem(page, 403)).text).toContain('This page is for supervisors and administrators only.');
    expect((await page.goto(`${base}/admin/queues`))!.status()).toBe(403);
    await problem(page, 403);

    expect((await page.goto(`${base}/console/no-such-page?lang=ar`))!.status()).toBe(404);
    const missing = await problem(page, 404);
    expect(missing.text).toContain('الصفحة غير موجودة');
    await shots(page, 'console-error-404-ar');
    expect((await page.goto(`${base}/console/requests/QLM-2026-99999`))!.status()).toBe(404);
    const request = await problem(page, 404);
    await request.back.click();
    await page.waitForURL(`${base}/console/requests`);
  }, 60_000);

  it('the sixth wrong sign-in says how long to wait, on the sign-in page, not as raw JSON', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 760 } });
    const page = await context.newPage();
    let status = 0;
    for (let i = 0; i < 6; i++) {
      await page.goto(`${base}/console/login`);
      await page.fill('#email', 'noura@qalam.org');
      await page.fill('#password', `wrong-${i}`);
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
      status = response.status();
    }
    expect(status).toBe(429);
    const notice = page.locator('[data-problem="429"]');
    expect(await notice.innerText()).toMatch(/محاولات دخول كثيرة\. انتظر 1 دقيقة/);
    expect(await page.locator('body').innerText()).not.toContain('Rate limit');
    expect(await page.locator('#email').count()).toBe(1); // the form is there to try again
    await shots(page, 'console-login-limited-ar');
    await context.close();
  }, 60_000);
});
