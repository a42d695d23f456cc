/**
 * Numbers, phones, dates and references in the console read in order, and times are the
 * association's (Riyadh) time: the real page templates rendered in Debian's Chromium, and the
 * order checked on screen (x positions of the pieces), not in the markup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../support/scenario.ts';
import { increasing, screenXs } from '../support/bidi.ts';
import { conversationLog, layout, requestPage, type Lang } from '../../src/console/views.ts';
import { associationTimeZone, formatter } from '../../src/console/format.ts';
import { formatDateValue, validateDate } from '../../src/validate/date.ts';
import { isolateNumbers } from '../../src/text/bidi.ts';
import { launchChromium } from '../support/chromium.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 30_000);
afterAll(async () => browser?.close());

const birth = validateDate('15/01/1995', { lang: 'en' } as Parameters<typeof validateDate>[1]);
if (!birth.ok) throw new Error('fixture date refused');
const born = birth;
const PHONE = '+966 55 123 4567';
const ATTESTED = '2026-12-02T07:00:31.035Z'; // 10:00 in Riyadh; 22/06/1448 by the Umm al-Qura table

function request(lang: Lang): string {
  const f = formatter(lang, 'Asia/Riyadh');
  const body = requestPage(
    lang,
    { reference: 'QLM-2026-00012', status: 'verifying', checks: null, beneficiaryId: null, name: null, attestedAt: ATTESTED, attestationChannel: 'web', attestationMessageId: 'wa-3EB0C767D26A1D', attestationText: 'أقر بصحة البيانات', attestationSha256: 'ab'.repeat(32) },
    [
      { id: 'phone', label: lang === 'ar' ? 'رقم الجوال' : 'Mobile', display: PHONE },
      { id: 'birth', label: lang === 'ar' ? 'تاريخ الميلاد' : 'Birth date', display: formatDateValue(born.value, lang) },
    ],
    { verify: true, decide: false, deliver: false },
    'token',
    f,
  );
  return layout(lang, body);
}

async function open(html: string, width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.setContent(html);
  return page;
}

describe('numbers in order, times in Riyadh', () => {
  it('the request page: the phone reads left to right, the attestation time is 10:00 Riyadh with its Hijri date, the English birth date reads in order', async () => {
    for (const lang of ['ar', 'en'] as const) {
      for (const width of [390, 1200]) {
        const page = await open(request(lang), width);
        const phone = page.locator('tr[data-field="phone"] td.value');
        expect(await phone.innerText()).toBe(PHONE);
        expect(await screenXs(phone, ['+966', '55', '123', '4567'])).toSatisfy(increasing);
        const attested = page.locator('[data-value="attested-at"]');
        const text = await attested.innerText();
        expect(text).toContain('10:00');
        expect(text).toContain(lang === 'ar' ? 'ديسمبر' : 'Dec');
        expect(text).toContain(lang === 'ar' ? '(22/06/1448 هـ)' : '(22/06/1448 AH)');
        expect(text).not.toMatch(/T07|Z/);
        // The Gregorian date's pieces, then the Hijri's, each in reading order.
        expect(await screenXs(attested.locator('.hijri bdi'), ['22', '06', '1448'])).toSatisfy(increasing);
        const born = page.locator('tr[data-field="birth"] td.value');
        expect(await born.innerText()).toBe(lang === 'en' ? '15/01/1995 (14/08/1415 AH)' : '15/01/1995 م (14/08/1415 هـ)');
        if (lang === 'en') expect(await screenXs(born, ['15/01/1995', '(', '14/08/1415', 'AH'])).toSatisfy(increasing);
        else expect(await screenXs(born, ['15', '01', '1995'])).toSatisfy(increasing);
        const reference = page.locator('h1');
        expect(await screenXs(reference, ['QLM', '2026', '00012'])).toSatisfy(increasing);
        await page.screenshot({ path: join(ARTIFACTS, `console-request-bidi-${lang}-${width}.png`), fullPage: true });
        await page.close();
      }
    }
  }, 60_000);

  it('the conversation log: a phone inside an Arabic bot message keeps its order; the stamp is Riyadh time', async () => {
    const f = formatter('ar', associationTimeZone(undefined));
    const html = layout('ar', conversationLog('ar', [{ direction: 'out', author: 'bot', body: `راجع بياناتك:\nالجوال: ${PHONE}\nرقم الطلب: QLM-2026-00012`, at: new Date(Date.now() - 60_000).toISOString(), status: 'sent' }], [], f));
    const page = await open(html, 390);
    const body = page.locator('.msg .body');
    expect(await screenXs(body, ['+966', '55', '123', '4567'])).toSatisfy(increasing);
    expect(await screenXs(body, ['QLM', '2026', '00012'])).toSatisfy(increasing);
    const stamp = await page.locator('.msg small').innerText();
    const riyadh = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Riyadh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() - 60_000));
    expect(stamp).toContain(riyadh);
    await page.close();
  });

  it('the same text without isolation is drawn out of order (the check can fail)', async () => {
    const page = await open(`<html dir="rtl"><body><p id="p">الجوال: ${PHONE}</p><p id="q">الجوال: ${isolateNumbers(PHONE)}</p></body></html>`, 390);
    expect(increasing(await screenXs(page.locator('#p'), ['+966', '55', '123', '4567']))).toBe(false);
    // Plain-text isolates (for channels without HTML) fix it the same way.
    expect(await screenXs(page.locator('#q'), ['+966', '55', '123', '4567'])).toSatisfy(increasing);
    // A reference at the end of a line: isolating its numbers without its Latin prefix swaps them (2026-00012-QLM); the prefix travels with them.
    await page.setContent(`<html dir="rtl"><body><p id="r">رقم طلبك QLM-<bdi dir="ltr">2026-00012</bdi></p><p id="s">رقم طلبك ${isolateNumbers('QLM-2026-00012')}</p></body></html>`);
    expect(increasing(await screenXs(page.locator('#r'), ['QLM', '2026', '00012']))).toBe(false);
    expect(await screenXs(page.locator('#s'), ['QLM', '2026', '00012'])).toSatisfy(increasing);
    await page.close();
  });

  it('dates near midnight fall on the Riyadh day, and a time zone is read from the flow', () => {
    const f = formatter('en', 'Asia/Riyadh');
    expect(f.dateTimeText('2026-12-01T22:30:00Z')).toBe('2 Dec 2026, 01:30');
    expect(formatter('en', 'UTC').dateTimeText('2026-12-01T22:30:00Z')).toBe('1 Dec 2026, 22:30');
    expect(associationTimeZone({ working_hours: { timezone: 'Asia/Dubai' } } as never)).toBe('Asia/Dubai');
    expect(associationTimeZone({ working_hours: { timezone: 'Mars/Olympus' } } as never)).toBe('Asia/Riyadh');
    expect(f.when('2026-12-01T22:30:00Z', new Date('2026-12-02T05:00:00Z'))).toBe('<bdi dir="ltr">01:30</bdi>');
  });
});
