/**
 * Finished requests stay findable (issue 13, item 3), in Debian's Chromium against the real
 * runtime: a request accepted and then delivered (completed) is listed beside open ones and is
 * found by status, submission dates, association, its reference and the beneficiary's name;
 * the list is paged 25 at a time with the total shown; the request page says who decided,
 * when and why. The name searched for never appears in any URL the browser requests (the
 * search is a POST, the term kept in the session), paging a search included. At 390 px each
 * request is a card, nothing scrolls sideways. Screenshots to test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import { beneficiary } from '../support/beneficiary.ts';
import { validAnswers } from '../support/answers.ts';
import type { Runtime } from '../../src/runtime.ts';
import { Accounts } from '../../src/console/accounts.ts';
import { Browser as Http, PASSWORD, serveAll } from '../support/console.ts';
import { launchChromium, signInThroughForm } from '../support/chromium.ts';
import { closeOwnDb, ownDb } from './db.ts';

const SHOTS = join(ROOT, 'test-artifacts/screenshots');
const dir = mkdtempSync(join(tmpdir(), 'tawasul-requests-'));
const redis = new TestRedis();
let runtime: Runtime;
let base = '';
let browser: Browser;
const sql = () => ownDb(dir);
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Riyadh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

beforeAll(async () => {
  await redis.start();
  runtime = await serveAll(dir, redis.url);
  base = runtime.url!;
  const accounts = new Accounts(runtime.app.store.console);
  // Noura works for two associations (the association filter and column); Khalid is on qalam's committee.
  await accounts.add({ email: 'noura@qalam.org', name: 'نورة', role: 'staff', associations: ['qalam', 'sidr'], password: PASSWORD });
  await accounts.add({ email: 'khalid@qalam.org', name: 'خالد الشمري', role: 'committee', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'huda@sidr.org', name: 'هدى', role: 'staff', associations: ['sidr'], password: PASSWORD });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  closeOwnDb(dir);
  await runtime?.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A full intake on Telegram, submitted; its reference once verification has run. */
async function submit(address: string, associationId: string, change: Record<string, string> = {}): Promise<string> {
  const clock = { service: runtime.app.service, now: new Date(), advance: () => undefined };
  const answers = validAnswers(FLOWS.get(associationId)!, 'intake', new Date()).map((a, i) => {
    const id = FLOWS.get(associationId)!.intake.fields[i]!.id;
    return change[id] ? { text: change[id] } : a;
  });
  const person = beneficiary(clock, 'telegram', address, associationId);
  await person.fillIntake(answers);
  await person.send('1');
  const row = () => sql().prepare("SELECT r.reference, r.status FROM requests r JOIN conversations c ON c.id = r.conversation_id JOIN contacts k ON k.id = c.contact_id WHERE k.address = ?").get(address) as { reference: string; status: string } | undefined;
  for (let i = 0; i < 200 && row()?.status !== 'verifying'; i++) await new Promise((r) => setTimeout(r, 50));
  expect(row()?.status).toBe('verifying');
  return row()!.reference;
}

/** Posts one of a request page's forms as this user (the page's CSRF token). */
async function act(who: Http, reference: string, path: string, fields: Record<string, string> = {}) {
  const token = await who.token(`/console/requests/${reference}`);
  const res = await who.form(`/console/requests/${reference}/${path}`, { _csrf: token, ...fields });
  expect(res.status).toBe(302);
}

const references = async (page: Page) => page.locator('table.requests tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.reference));

describe('the request list', () => {
  it('finds a completed request through the filters; pages 25 at a time; the request page says who decided, when and why', async () => {
    // One request accepted and delivered (completed), one still open, one of another association.
    const done = await submit('966500000101', 'qalam', { full_name: 'سارة خالد المطيري' });
    const open = await submit('966500000102', 'qalam', { national_id: '1098765439', mobile: '0551234567', full_name: 'عبدالله فهد القحطاني' });
    const other = await submit('966500000103', 'sidr');
    const noura = await new Http(() => base).signIn('noura@qalam.org');
    const khalid = await new Http(() => base).signIn('khalid@qalam.org');
    await act(noura, done, 'forward');
    await act(khalid, done, 'decide', { outcome: 'accepted', reason: 'الأسرة مستحقة حسب دراسة الحالة' });
    await act(noura, done, 'delivered');
    expect((sql().prepare('SELECT status FROM requests WHERE reference = ?').get(done) as { status: string }).status).toBe('completed');

    const { page } = await signInThroughForm(browser, base, 'noura@qalam.org', { password: PASSWORD });
    // Every address the browser asks for, redirects included: no beneficiary's name may be in one.
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    const noNameInUrls = (...names: string[]) => {
      for (const url of urls) for (const name of names) {
        expect(decodeURIComponent(url)).not.toContain(name);
        expect(url).not.toContain(encodeURIComponent(name));
      }
    };
    // Every request, the finished one included, newest first, with its name and association.
    await page.goto(`${base}/console/requests`);
    expect(await references(page)).toEqual([other, open, done]);
    const row = page.locator(`tr[data-reference="${done}"]`);
    expect(await row.innerText()).toContain('سارة خالد المطيري');
    expect(await row.innerText()).toContain('مكتمل');
    expect(await page.locator(`tr[data-reference="${other}"]`).innerText()).toContain(FLOWS.get('sidr')!.name.ar);
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('3');

    // Through the form: status, today's dates, the association, the name.
    await page.selectOption('select[name=status]', 'completed');
    await page.fill('input[name=from]', today());
    await page.fill('input[name=to]', today());
    await page.selectOption('select[name=association]', 'qalam');
    await page.fill('input[name=q]', 'المطيري');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/status=completed/);
    expect(await references(page)).toEqual([done]);
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('1');
    // The term is still in the box, but not in the address: the filters and a session id for the search.
    expect(await page.inputValue('input[name=q]')).toBe('المطيري');
    expect(new URL(page.url()).searchParams.get('s')).toMatch(/^[\w-]{12}$/);
    expect(new URL(page.url()).searchParams.has('q')).toBe(false);
    // A reload shows the same search (the session keeps it).
    await page.reload();
    expect(await references(page)).toEqual([done]);
    await page.screenshot({ path: join(SHOTS, 'requests-filtered-ar-1200.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'requests-filtered-ar-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
    // A search arriving in the address (an old bookmark, a hand-typed URL) is no search at all.
    await page.goto(`${base}/console/requests?q=${encodeURIComponent('المطيري')}`);
    expect(await references(page)).toEqual([other, open, done]);
    // That one address was the test's own doing; every other must be free of names.
    urls.splice(urls.findIndex((u) => u.includes('?q=')), 1);

    // Each filter on its own does what it says; the reference matches in any case.
    const list = async (query: string) => {
      await page.goto(`${base}/console/requests?${query}`);
      return references(page);
    };
    const search = async (term: string) => {
      await page.goto(`${base}/console/requests`);
      await page.fill('input[name=q]', term);
      await Promise.all([page.waitForURL(/[?&]s=/), page.click('form.filters button[type=submit]')]);
      return references(page);
    };
    expect(await search(done.toLowerCase())).toEqual([done]);
    expect(await search('القحطاني')).toEqual([open]);
    expect(await list('status=verifying')).toEqual([other, open]);
    expect(await list('association=sidr')).toEqual([other]);
    expect(await list('from=2020-01-01&to=2020-12-31')).toEqual([]);
    expect(await page.locator('main').innerText()).toContain('لا طلبات تطابق التصفية');
    // An association that is not the user's is no filter at all (never another's data).
    const huda = await signInThroughForm(browser, base, 'huda@sidr.org', { password: PASSWORD });
    await huda.page.goto(`${base}/console/requests?association=qalam`);
    expect(await references(huda.page)).toEqual([other]);
    await huda.context.close();

    // The request page: who decided, when and why.
    await page.goto(`${base}/console/requests/${done}`);
    const decision = await page.locator('[data-value="decision"]').innerText();
    expect(decision).toContain('القبول');
    expect(decision).toContain('خالد الشمري');
    expect(decision).toContain('الأسرة مستحقة حسب دراسة الحالة');
    expect(decision).toMatch(/\d{4}/);
    await page.screenshot({ path: join(SHOTS, 'request-decided-ar-1200.png'), fullPage: true });
    await page.goto(`${base}/console/requests/${done}?lang=en`);
    const english = await page.locator('[data-value="decision"]').innerText();
    expect(english).toContain('Decided by خالد الشمري');
    expect(english).toContain('Accepted');
    await page.screenshot({ path: join(SHOTS, 'request-decided-en-1200.png'), fullPage: true });

    // Paging: 30 older copies of the open request make 33; 25 on the first page, the total shown, the rest on the second.
    const copy = sql().prepare("SELECT * FROM requests WHERE reference = ?").get(open) as Record<string, unknown>;
    const insert = sql().prepare(`INSERT INTO requests (${Object.keys(copy).join(', ')}) VALUES (${Object.keys(copy).map((k) => `@${k}`).join(', ')})`);
    for (let i = 0; i < 30; i++) insert.run({ ...copy, id: `copy-${i}`, reference: `QLM-COPY-${String(i).padStart(3, '0')}`, submitted_at: `2026-01-01T10:${String(i).padStart(2, '0')}:00.000Z` });
    await page.goto(`${base}/console/requests?lang=en`);
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('33');
    expect(await references(page)).toHaveLength(25);
    expect(await page.locator('[data-total]').innerText()).toContain('1–25 of 33');
    await page.screenshot({ path: join(SHOTS, 'requests-page1-en-1200.png'), fullPage: true });
    await page.click('a[rel=next]');
    await page.waitForURL(/page=2/);
    const second = await references(page);
    expect(second).toHaveLength(8);
    expect(second.every((r) => r?.startsWith('QLM-COPY-'))).toBe(true);
    expect(await page.locator('nav.pager').innerText()).toContain('Page 2 of 2');
    await page.screenshot({ path: join(SHOTS, 'requests-page2-en-1200.png'), fullPage: true });
    await page.goto(`${base}/console/requests?lang=ar`);
    await page.screenshot({ path: join(SHOTS, 'requests-page1-ar-1200.png'), fullPage: true });

    // A search by name pages like any filter: 31 requests of that name, the second page keeps the search.
    expect(await search('القحطاني')).toHaveLength(25);
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('31');
    await page.click('a[rel=next]');
    await page.waitForURL(/page=2/);
    expect(new URL(page.url()).searchParams.get('s')).toBeTruthy();
    expect(await references(page)).toHaveLength(6);
    expect(await page.inputValue('input[name=q]')).toBe('القحطاني');

    // At 390 px: one card per request, nothing in the list's card scrolls sideways, the page neither.
    await page.goto(`${base}/console/requests`);
    await page.setViewportSize({ width: 390, height: 900 });
    const layout = await page.evaluate(() => {
      const cards = [...document.querySelectorAll('section.card')].map((c) => ({ scroll: c.scrollWidth, client: c.clientWidth }));
      const wraps = [...document.querySelectorAll('.requests-wrap')].map((w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
      const rows = [...document.querySelectorAll('table.requests tbody tr')].map((r) => ({ display: getComputedStyle(r).display, width: r.getBoundingClientRect().width }));
      return { page: document.documentElement.scrollWidth, cards, wraps, rows, head: getComputedStyle(document.querySelector('table.requests thead')!).display };
    });
    expect(layout.page).toBeLessThanOrEqual(390);
    for (const box of [...layout.cards, ...layout.wraps]) expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(layout.head).toBe('none');
    expect(layout.rows.length).toBe(25);
    for (const r of layout.rows) expect(r).toMatchObject({ display: 'block' });
    // Each line of a card says what it is (the column's heading, drawn before the value).
    expect(await page.locator(`tr[data-reference="${open}"] td[data-label]`).evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content))).toEqual(['"الاسم: "', '"الجمعية: "', '"الحالة: "', '"قُدّم: "']);
    await page.screenshot({ path: join(SHOTS, 'requests-cards-ar-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.screenshot({ path: join(SHOTS, 'requests-table-ar-1200.png'), fullPage: true });

    noNameInUrls('المطيري', 'القحطاني', 'سارة خالد المطيري', 'عبدالله فهد القحطاني');
    expect(urls.some((u) => /[?&]s=/.test(u))).toBe(true);
  }, 240_000);
});
