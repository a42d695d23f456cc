/**
 * The console end to end in Debian's Chromium (playwright-core), against the real runtime
 * (redis-server, SQLite, queues, the website chat): a beneficiary on a phone-sized page asks
 * for a person; the staff member's inbox shows it without a reload; claim, reply, and the reply
 * reaches the beneficiary's page; the beneficiary's answer shows live; the beneficiary applies;
 * staff verify field by field and forward; the committee accepts and the decision reaches the
 * beneficiary; service delivered, the survey answered, and the supervisor's dashboard shows it.
 * Screenshots of the main pages, Arabic and English, go to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis } from '../support/redis.ts';
import type { Runtime } from '../../src/runtime.ts';
import { Accounts } from '../../src/console/accounts.ts';
import { PASSWORD, serveAll } from '../support/console.ts';
import { increasing, screenXs } from '../support/bidi.ts';
import { launchChromium, signInThroughForm } from '../support/chromium.ts';
import { closeOwnDb, ownDb } from './db.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');

const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-e2e-'));
let runtime: Runtime;
let base = '';
let browser: Browser;

beforeAll(async () => {
  await redis.start();
  runtime = await serveAll(dir, redis.url);
  base = runtime.url!;
  const accounts = new Accounts(runtime.app.store.console);
  await accounts.add({ email: 'noura@qalam.org', name: 'نورة العتيبي', role: 'staff', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'khalid@qalam.org', name: 'خالد', role: 'committee', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'reem@qalam.org', name: 'ريم', role: 'supervisor', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'admin@qalam.org', name: 'مدير', role: 'admin', associations: ['qalam', 'sidr'], password: PASSWORD });
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

/** A staff member's browser, signed in through the sign-in form. */
function signIn(email: string, viewport = { width: 1200, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  return signInThroughForm(browser, base, email, { password: PASSWORD, viewport, locale: 'ar-SA' });
}

const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });

/** The beneficiary on a phone-sized website chat page. */
class Beneficiary {
  constructor(readonly page: Page) {}
  static async open(): Promise<Beneficiary> {
    const context = await browser.newContext({ viewport: { width: 390, height: 760 } });
    const page = await context.newPage();
    await page.goto(`${base}/chat/qalam`);
    await page.waitForSelector('#chat[data-ready="1"]');
    return new Beneficiary(page);
  }
  async say(text: string) {
    const input = this.page.locator('#chat input[type=text]');
    await input.fill(text);
    await input.press('Enter');
  }
  async attach(path: string) {
    await this.page.locator('#chat input[type=file]').setInputFiles(path);
  }
  /** Waits until a message from the association containing `text` is on the page. */
  async sees(text: string | RegExp, timeout = 20_000) {
    await this.page.locator('#chat .msg:not(.me)', { hasText: text }).first().waitFor({ timeout });
  }
}

/** Moves the delayed jobs of one queue to now: the hours the survey waits for pass in a moment. */
/**
 * Time passes for the outbox rows of `kind`: due now. A row due in days waits in the store,
 * not in Redis; the server's sweep hands it to its queue once it is due.
 */
function dueNow(kind: string) {
  ownDb(dir).prepare('UPDATE outbox SET run_at = ? WHERE kind = ? AND done_at IS NULL AND dispatched_at IS NULL').run(new Date().toISOString(), kind);
}

async function promoteDelayed(queueName: string) {
  const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'tawasul' });
  try {
    for (const job of await queue.getDelayed()) await job.promote();
  } finally {
    await queue.close();
  }
}

describe('staff console in a real browser', () => {
  it('escalation → claim → reply on the channel → application → verification → committee → decision → survey → dashboard', async () => {
    // Staff member signs in and keeps the inbox open.
    const login = await browser.newPage();
    await login.goto(`${base}/console/login`);
    await shot(login, 'console-login-ar', false);
    await login.close();
    const staff = await signIn('noura@qalam.org');
    await staff.page.goto(`${base}/console/inbox`);
    await staff.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    // The beneficiary writes, with markup in the text, and asks for a person.
    const person = await Beneficiary.open();
    await person.say('السلام عليكم <img src=x onerror="window.pwned=1"><script>window.pwned=1</script>');
    await person.page.locator('#chat .msg.bot').first().waitFor();
    await person.say('موظف');

    // The inbox shows the conversation live: no reload happened.
    const row = staff.page.locator('tr[data-conversation]');
    await row.first().waitFor({ timeout: 20_000 });
    expect(await staff.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(await row.first().textContent()).toContain('طلب موظفًا');
    expect(await staff.page.title()).toMatch(/^\(1\) /);
    await shot(staff.page, 'console-inbox-ar');

    await row.first().locator('a').click();
    await staff.page.waitForURL(/\/console\/conversations\//);
    // What the beneficiary wrote is shown as text, never run.
    await staff.page.locator('.msg.in', { hasText: '<script>window.pwned=1</script>' }).waitFor();
    expect(await staff.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await staff.page.click('form[action$="/claim"] button');
    await staff.page.waitForSelector('textarea[name=text]');
    await staff.page.fill('form[action$="/reply"] textarea', 'أهلًا بك، معك نورة من الجمعية. كيف أخدمك؟');
    await staff.page.click('form[action$="/reply"] button');
    await person.sees('معك نورة من الجمعية');

    // The beneficiary answers; it appears on the staff member's page without a reload.
    await staff.page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await person.say('أريد التقديم على دعم دراسي');
    await staff.page.locator('.msg.in', { hasText: 'أريد التقديم على دعم دراسي' }).waitFor({ timeout: 20_000 });
    expect(await staff.page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await staff.page.fill('#note', 'يسأل عن الدعم الدراسي؛ وُجّه إلى نموذج الطلب.');
    await staff.page.click('form[action$="/notes"] button');
    await staff.page.locator('.note', { hasText: 'وُجّه إلى نموذج الطلب' }).waitFor();
    await shot(staff.page, 'console-conversation-ar');
    await staff.page.goto(staff.page.url() + '?lang=en');
    await shot(staff.page, 'console-conversation-en');
    await staff.page.goto(staff.page.url().replace('?lang=en', '?lang=ar'));
    await staff.page.click('form[action$="/resolve"] button');
    await staff.page.waitForURL(`${base}/console/inbox`);
    await person.sees('القائمة', 20_000).catch(() => undefined); // the bot is back (menu)

    // The beneficiary applies through the chat page: every field, an ID document, attestation.
    await person.say('١');
    for (const answer of validAnswers(FLOWS.get('qalam')!, 'intake', new Date())) {
      if ('file' in answer) await person.attach(join(ROOT, answer.file));
      else await person.say(answer.text);
    }
    await person.sees('1012345672'); // the review lists the answers
    await person.say('1');
    await person.sees(/QLM-\d{4}-\d{5}/);
    const reference = (await person.page.locator('#chat .msg:not(.me)', { hasText: /QLM-\d{4}-\d{5}/ }).last().textContent())!.match(/QLM-\d{4}-\d{5}/)![0];

    // Verification: the automated checks ran; staff check a field and forward to the committee.
    await staff.page.goto(`${base}/console/requests`);
    const link = staff.page.locator(`a[href="/console/requests/${reference}"]`);
    for (let i = 0; i < 100 && !(await staff.page.locator('tr', { hasText: reference }).filter({ hasText: 'سليم' }).count()); i++) {
      await new Promise((r) => setTimeout(r, 100));
      await staff.page.reload();
    }
    await link.click();
    await staff.page.click('tr[data-field="full_name"] button[value="full_name:verified"]');
    await staff.page.locator('tr[data-field="full_name"] .badge.verified').waitFor();
    await shot(staff.page, 'console-request-ar');
    await staff.page.click('form[action$="/forward"] button');
    await staff.page.locator('text=لدى اللجنة').first().waitFor();

    // The committee accepts; the decision reaches the beneficiary's page.
    const committee = await signIn('khalid@qalam.org');
    await committee.page.goto(`${base}/console/requests/${reference}?lang=en`);
    await shot(committee.page, 'console-request-committee-en');
    // On the English page each answer is in English, numbers in order, the attestation in Riyadh time.
    expect(await committee.page.locator('tr[data-field="birth_date"] td.value').innerText()).toBe('15/03/1410 AH (14/10/1989)');
    const mobile = committee.page.locator('tr[data-field="mobile"] td.value');
    const groups = (await mobile.innerText()).split(/\s+/).filter(Boolean);
    expect(await screenXs(mobile, groups)).toSatisfy(increasing);
    const { attested_at } = ownDb(dir).prepare('SELECT attested_at FROM requests WHERE reference = ?').get(reference) as { attested_at: string };
    const riyadh = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Riyadh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(attested_at));
    expect(await committee.page.locator('[data-value="attested-at"]').innerText()).toContain(riyadh);
    expect(await committee.page.locator('[data-value="attested-at"]').innerText()).toMatch(/\(\d\d\/\d\d\/14\d\d AH\)/);
    await committee.page.click('form[action$="/decide"] button[value="accepted"]');
    await committee.page.locator('text=accepted').first().waitFor();
    await person.sees(new RegExp(`${reference}[\\s\\S]*وافقت|وافقت[\\s\\S]*${reference}`));

    // Service delivered → survey (its delay passes at once here) → answered on the chat page.
    await staff.page.goto(`${base}/console/requests/${reference}`);
    await staff.page.click('form[action$="/delivered"] button');
    await staff.page.waitForURL(new RegExp(`/console/requests/${reference}$`));
    dueNow('survey');
    await promoteDelayed('notify');
    await person.sees('رأيك يهمنا');
    await person.say('5');
    await person.sees('سهولة الإجراءات');
    await person.say('5');
    await person.sees('ملاحظة أو اقتراح');
    await person.say('تعامل راقٍ وسرعة في الرد');
    await person.sees('شكرًا لك على تقييمك');
    await person.page.screenshot({ path: join(ARTIFACTS, 'web-chat-decision-ar.png'), fullPage: true });

    // The supervisor's dashboard shows the answer, with its chart.
    const supervisor = await signIn('reem@qalam.org');
    for (const lang of ['ar', 'en'] as const) {
      await supervisor.page.goto(`${base}/console/dashboard?lang=${lang}`);
      await supervisor.page.waitForSelector('body[data-charts="ready"]');
      expect(await supervisor.page.locator('[data-metric="satisfaction"]').textContent()).toBe('5.0');
      await supervisor.page.locator('li', { hasText: 'تعامل راقٍ وسرعة في الرد' }).waitFor();
      await shot(supervisor.page, `console-dashboard-${lang}`);
    }

    // The beneficiary's record: both conversations' identity, the request, an offline contact logged by hand.
    await staff.page.goto(`${base}/console/requests/${reference}`);
    await staff.page.click('a[href^="/console/beneficiaries/"]');
    await staff.page.selectOption('select[name=kind]', 'phone_call');
    await staff.page.fill('#summary', 'اتصلت لإبلاغه بموعد استلام الدعم من فرع الرياض.');
    await staff.page.click('form[action$="/offline"] button');
    await staff.page.locator('[data-offline="phone_call"]', { hasText: 'فرع الرياض' }).waitFor();
    expect(await staff.page.locator('#offline').textContent()).toContain('اتصال هاتفي');
    expect(await staff.page.textContent('body')).toContain(reference);
    await shot(staff.page, 'console-record-ar');
    await staff.page.goto(staff.page.url().split('#')[0] + '?lang=en');
    await shot(staff.page, 'console-record-en');
    await staff.page.goto(`${base}/console/inbox?lang=en`);
    await shot(staff.page, 'console-inbox-en');
    await staff.page.goto(`${base}/console/beneficiaries?lang=ar`);
    await staff.page.fill('#q', '0501234567');
    await staff.page.click('form[action$="/search"] button');
    await staff.page.locator('td', { hasText: 'محمد عبدالله الأحمد' }).waitFor();
    expect(staff.page.url()).not.toContain('0501234567'); // searches by phone never go in the URL
    await shot(staff.page, 'console-beneficiaries-ar');

    // On a phone screen the inbox and a conversation stay usable (no sideways scrolling).
    const phone = await signIn('noura@qalam.org', { width: 390, height: 760 });
    await phone.page.goto(`${base}/console/beneficiaries`);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(phone.page, 'console-phone-beneficiaries-ar');

    // Every page this work changed, at phone and desktop width, for the closing note.
    const pages: Array<[string, string]> = [
      ['requests', `${base}/console/requests`],
      ['request', `${base}/console/requests/${reference}`],
      ['beneficiaries', `${base}/console/beneficiaries`],
    ];
    await staff.page.goto(`${base}/console/requests/${reference}`);
    await staff.page.click('a[href^="/console/beneficiaries/"]');
    pages.push(['record', staff.page.url()]);
    const conversationLink = staff.page.locator('a[href^="/console/conversations/"]').first();
    pages.push(['conversation', `${base}${await conversationLink.getAttribute('href')}`]);
    for (const [name, url] of pages) {
      for (const lang of ['ar', 'en'] as const) {
        for (const width of [390, 1200]) {
          await staff.page.setViewportSize({ width, height: 900 });
          await staff.page.goto(`${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
          await shot(staff.page, `changed-${name}-${lang}-${width}`);
        }
      }
    }
    await staff.page.setViewportSize({ width: 1200, height: 900 });

    // Admins see the WhatsApp web sessions page (no session runs in this deployment).
    const admin = await signIn('admin@qalam.org');
    await admin.page.goto(`${base}/console/whatsapp`);
    expect(await admin.page.locator('[data-session="qalam"] [data-state]').getAttribute('data-state')).toBe('off');
  }, 240_000);
});
