import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gregorianToHijri, hijriToGregorian, validateDate } from '../../src/validate/date.ts';

const utc = (iso: string): Date => new Date(`${iso}T12:00:00Z`);
/** Intl's own reading of a Gregorian day, the reference these tests trust. */
const intlHijri = (iso: string): string =>
  new Intl.DateTimeFormat('en-u-ca-islamic-umalqura-nu-latn', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  }).format(utc(iso));

describe('Hijri ↔ Gregorian', () => {
  it.each([
    [1445, 5, 13, '2023-11-27'],
    [1442, 1, 13, '2020-09-01'],
    [1445, 2, 30, '2023-09-15'],
    [1445, 1, 1, '2023-07-19'],
    [1410, 3, 15, '1989-10-16'],
    [1400, 1, 1, '1979-11-21'],
    [1446, 9, 1, '2025-03-01'],
  ])('%i/%i/%i ↔ %s', (y, m, d, iso) => {
    expect(intlHijri(iso)).toMatch(new RegExp(`^${m}/${d}/${y}`)); // the fixture agrees with Intl
    expect(gregorianToHijri(utc(iso))).toEqual({ y, m, d });
    expect(hijriToGregorian(y, m, d)?.toISOString()).toBe(`${iso}T12:00:00.000Z`);
  });

  it('13/1/1442 is 2020-09-01, not 2021-01-26', () => {
    expect(gregorianToHijri(utc('2021-01-26'))).toEqual({ y: 1442, m: 6, d: 13 });
  });

  it('reads the UTC day of the Date it is given', () => {
    expect(gregorianToHijri(new Date('2023-11-27T00:00:00Z'))).toEqual({ y: 1445, m: 5, d: 13 });
    expect(gregorianToHijri(new Date('2023-11-27T23:59:59Z'))).toEqual({ y: 1445, m: 5, d: 13 });
  });

  it.each([
    [1445, 1, 30], // Muharram 1445 has 29 days
    [1445, 5, 30],
    [1445, 13, 1],
    [1445, 0, 1],
    [1445, 1, 0],
    [1445, 1, 31],
    [0, 1, 1],
    [1445.5, 1, 1],
    [Number.NaN, 1, 1],
  ])('%d/%d/%d does not exist', (y, m, d) => {
    expect(hijriToGregorian(y, m, d)).toBeNull();
  });

  it('round-trips every day from 1900 to 2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2100, 0, 1) / 86_400_000 }), (day) => {
        const date = new Date(day * 86_400_000 + 43_200_000);
        const h = gregorianToHijri(date);
        expect(hijriToGregorian(h.y, h.m, h.d)?.getTime()).toBe(date.getTime());
      }),
      { numRuns: 500 },
    );
  });

  it('every Hijri month of 1440–1450 has 29 or 30 days', () => {
    for (let y = 1440; y <= 1450; y++) {
      for (let m = 1; m <= 12; m++) {
        expect(hijriToGregorian(y, m, 29)).not.toBeNull();
        const next = m === 12 ? hijriToGregorian(y + 1, 1, 1) : hijriToGregorian(y, m + 1, 1);
        const d30 = hijriToGregorian(y, m, 30);
        const d29 = hijriToGregorian(y, m, 29)!;
        if (d30) expect(next!.getTime() - d30.getTime()).toBe(86_400_000);
        else expect(next!.getTime() - d29.getTime()).toBe(86_400_000);
      }
    }
  });
});

const wide = { earliest: utc('1900-01-01'), latest: utc('2100-12-31') };

describe('validateDate accepts', () => {
  it.each([
    ['13/05/1445', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/5/1445', '2023-11-27', '1445-05-13', 'hijri'],
    ['13-05-1445', '2023-11-27', '1445-05-13', 'hijri'],
    ['13.05.1445', '2023-11-27', '1445-05-13', 'hijri'],
    ['1445/05/13', '2023-11-27', '1445-05-13', 'hijri'],
    ['1445-5-13', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/05/1445 هـ', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/05/1445هـ', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/05/1445 ه', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/05/1445 AH', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/05/1445 ah', '2023-11-27', '1445-05-13', 'hijri'],
    ['١٣/٠٥/١٤٤٥ هـ', '2023-11-27', '1445-05-13', 'hijri'],
    ['۱۳/۰۵/۱۴۴۵', '2023-11-27', '1445-05-13', 'hijri'],
    ['13 / 5 / 1445', '2023-11-27', '1445-05-13', 'hijri'],
    ['13/1/1442', '2020-09-01', '1442-01-13', 'hijri'],
    ['30/02/1445', '2023-09-15', '1445-02-30', 'hijri'],
    ['27/11/2023', '2023-11-27', '1445-05-13', 'gregorian'],
    ['27-11-2023', '2023-11-27', '1445-05-13', 'gregorian'],
    ['27.11.2023', '2023-11-27', '1445-05-13', 'gregorian'],
    ['2023/11/27', '2023-11-27', '1445-05-13', 'gregorian'],
    ['2023-11-27', '2023-11-27', '1445-05-13', 'gregorian'],
    ['27/11/2023 م', '2023-11-27', '1445-05-13', 'gregorian'],
    ['27/11/2023م', '2023-11-27', '1445-05-13', 'gregorian'],
    ['27/11/2023 AD', '2023-11-27', '1445-05-13', 'gregorian'],
    ['٢٧/١١/٢٠٢٣', '2023-11-27', '1445-05-13', 'gregorian'],
    ['1/9/2020', '2020-09-01', '1442-01-13', 'gregorian'],
    ['29/02/2024', '2024-02-29', '1445-08-19', 'gregorian'],
    ['29/02/2000', '2000-02-29', '1420-11-23', 'gregorian'],
    ['\u200F27/11/2023\u200E', '2023-11-27', '1445-05-13', 'gregorian'],
  ])('%j → %s (%s, %s)', (raw, iso, hijri, calendar) => {
    expect(intlHijri(iso)).toBe(`${Number(hijri.slice(5, 7))}/${Number(hijri.slice(8))}/${hijri.slice(0, 4)} AH`);
    expect(validateDate(raw, wide)).toMatchObject({ ok: true, value: { iso, hijri, calendar } });
  });

  it('displays the written calendar first, ASCII digits', () => {
    expect(validateDate('١٣/٥/١٤٤٥', wide)).toMatchObject({ display: '13/05/1445 هـ (27/11/2023 م)' });
    expect(validateDate('2023-11-27', wide)).toMatchObject({ display: '27/11/2023 م (13/05/1445 هـ)' });
  });

  it('displays English calendar markers in English', () => {
    expect(validateDate('١٣/٥/١٤٤٥', { ...wide, lang: 'en' })).toMatchObject({ display: '13/05/1445 AH (27/11/2023)' });
    expect(validateDate('2023-11-27', { ...wide, lang: 'en' })).toMatchObject({ display: '27/11/2023 (13/05/1445 AH)' });
  });
});

describe('validateDate rejects', () => {
  it.each([
    ['', 'empty'],
    [' \u200F ', 'empty'],
    ['tomorrow', 'date_format'],
    ['27 Nov 2023', 'date_format'],
    ['2023', 'date_format'],
    ['27/11/23', 'date_format'], // two-digit year
    ['27/11-2023', 'date_format'], // mixed separators
    ['27112023', 'date_format'],
    ['13/05/1445 xyz', 'date_format'],
    ['1/1/1700', 'date_format'], // neither clearly Hijri nor Gregorian
    ['123/1/2020', 'date_format'],
    ['29/02/2023', 'date_invalid'],
    ['29/02/1900', 'date_invalid'], // century, not a leap year
    ['31/04/2020', 'date_invalid'],
    ['31/02/2020', 'date_invalid'],
    ['32/01/2020', 'date_invalid'],
    ['00/01/2020', 'date_invalid'],
    ['15/13/2020', 'date_invalid'],
    ['15/00/2020', 'date_invalid'],
    ['30/01/1445', 'date_invalid'], // Muharram 1445 has 29 days
    ['30/05/1445 هـ', 'date_invalid'],
    ['15/13/1445', 'date_invalid'],
    ['31/01/1445', 'date_invalid'],
    ['2023-02-29', 'date_invalid'],
  ])('%j → %s', (raw, code) => {
    expect(validateDate(raw, wide)).toMatchObject({ ok: false, code });
  });

  it('rejects a calendar the options do not allow', () => {
    const hijriOnly = { ...wide, calendar: 'hijri' as const };
    const gregorianOnly = { ...wide, calendar: 'gregorian' as const };
    expect(validateDate('2023-11-27', hijriOnly)).toMatchObject({ ok: false, code: 'date_format' });
    expect(validateDate('27/11/2023 م', hijriOnly)).toMatchObject({ ok: false, code: 'date_format' });
    expect(validateDate('13/05/1445', gregorianOnly)).toMatchObject({ ok: false, code: 'date_format' });
    expect(validateDate('13/05/1445 هـ', gregorianOnly)).toMatchObject({ ok: false, code: 'date_format' });
    expect(validateDate('13/05/1445', hijriOnly)).toMatchObject({ ok: true });
    expect(validateDate('27/11/2023', gregorianOnly)).toMatchObject({ ok: true });
  });

  it('lets the suffix win over the year rule', () => {
    // 1700 with a suffix is readable; it is then out of bounds
    expect(validateDate('1/1/1700 م', wide)).toMatchObject({ ok: false, code: 'date_too_early' });
    // a Gregorian-looking year marked Hijri is Hijri 2023 (far future)
    expect(validateDate('27/11/2023 هـ', wide)).toMatchObject({ ok: false, code: 'date_too_late' });
  });
});

describe('validateDate bounds', () => {
  const today = new Date('2024-01-01T09:30:00Z');
  const opts = { earliest: utc('1900-01-01'), latest: today };
  it.each([
    ['01/01/2024', true],
    ['19/06/1445', true], // = 2024-01-01
    ['01/01/1900', true],
    ['02/01/2024', false],
    ['20/06/1445', false],
    ['31/12/1899', false],
  ])('%s ok=%s', (raw, ok) => {
    expect(validateDate(raw, opts).ok).toBe(ok);
  });

  it('reports the bound in the calendar the beneficiary used', () => {
    expect(validateDate('02/01/2024', opts)).toEqual({
      ok: false,
      code: 'date_too_late',
      params: { bound: '01/01/2024', calendar: 'gregorian', iso: '2024-01-01' },
    });
    expect(validateDate('20/06/1445', opts)).toEqual({
      ok: false,
      code: 'date_too_late',
      params: { bound: '19/06/1445', calendar: 'hijri', iso: '2024-01-01' },
    });
    expect(validateDate('31/12/1899', opts)).toEqual({
      ok: false,
      code: 'date_too_early',
      params: { bound: '01/01/1900', calendar: 'gregorian', iso: '1900-01-01' },
    });
    expect(validateDate('01/01/1317 هـ', opts)).toMatchObject({
      ok: false,
      code: 'date_too_early',
      params: { calendar: 'hijri', iso: '1900-01-01' },
    });
  });
});
