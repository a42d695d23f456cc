import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gregorianToHijri, hijriToGregorian, validateDate } from '../../src/validate/date.ts';

const utc = (iso: string): Date => new Date(`${iso}T12:00:00Z`);
/** Intl's own reading of a Gregorian day: trusted only in 1420–1450 AH, where it matches the published table. */
const intlHijri = (iso: string): string =>
  new Intl.DateTimeFormat('en-u-ca-islamic-umalqura-nu-latn', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  }).format(utc(iso));

describe('Hijri ↔ Gregorian', () => {
  // Published Umm al-Qura dates (see test/validate/umalqura.test.ts for the sources).
  it.each([
    [1445, 5, 13, '2023-11-27'],
    [1442, 1, 13, '2020-09-01'],
    [1445, 2, 30, '2023-09-15'],
    [1445, 1, 1, '2023-07-19'],
    [1410, 3, 15, '1989-10-14'], // ICU: 1989-10-16
    [1400, 1, 1, '1979-11-20'], // ICU: 1979-11-21
    [1410, 5, 12, '1989-12-10'], // ICU: 1989-12-11
    [1446, 9, 1, '2025-03-01'],
    [1318, 1, 1, '1900-04-30'],
    [1500, 12, 30, '2077-11-16'],
  ])('%i/%i/%i ↔ %s', (y, m, d, iso) => {
    expect(gregorianToHijri(utc(iso))).toEqual({ y, m, d });
    expect(hijriToGregorian(y, m, d)?.toISOString()).toBe(`${iso}T12:00:00.000Z`);
  });

  it('refuses days outside the table instead of guessing', () => {
    expect(() => gregorianToHijri(utc('1900-04-29'))).toThrow(RangeError);
    expect(() => gregorianToHijri(utc('2077-11-17'))).toThrow(RangeError);
    expect(() => gregorianToHijri(new Date(Number.NaN))).toThrow(RangeError);
    expect(hijriToGregorian(1317, 12, 29)).toBeNull();
    expect(hijriToGregorian(1501, 1, 1)).toBeNull();
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

  it('round-trips random days of the table (1900-04-30 … 2077-11-16)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 3, 30) / 86_400_000, max: Date.UTC(2077, 10, 16) / 86_400_000 }), (day) => {
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
    ['27 Nov 2023', '2023-11-27', '1445-05-13', 'gregorian'],
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
    ['30/04/1900', true], // the first day of the Umm al-Qura table
    ['01/01/1900', false], // inside the bounds, but before the table: no Hijri date to store
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
    // Before 1318 AH the table says nothing: too early, with the first day the table can read.
    expect(validateDate('01/01/1317 هـ', opts)).toEqual({
      ok: false,
      code: 'date_too_early',
      params: { bound: '01/01/1318', calendar: 'hijri', iso: '1900-04-30' },
    });
    expect(validateDate('01/02/1900', opts)).toEqual({
      ok: false,
      code: 'date_too_early',
      params: { bound: '30/04/1900', calendar: 'gregorian', iso: '1900-04-30' },
    });
    expect(validateDate('01/01/1501', { earliest: utc('1900-01-01'), latest: utc('2100-12-31') })).toEqual({
      ok: false,
      code: 'date_too_late',
      params: { bound: '30/12/1500', calendar: 'hijri', iso: '2077-11-16' },
    });
  });
});

/** The fixture's Hijri date is Intl's reading of its Gregorian day (true in 1420–1450 AH). */
const agreesWithIntl = (iso: string, hijri: string): void => {
  expect(intlHijri(iso)).toBe(`${Number(hijri.slice(5, 7))}/${Number(hijri.slice(8))}/${hijri.slice(0, 4)} AH`);
};

describe('validateDate reads Hijri month names', () => {
  // [written, Hijri date, Gregorian date]; 1445–1448 dates are checked against Intl as well.
  const M5_1410 = ['1410-05-12', '1989-12-10'] as const; // issue 10's acceptance case
  it.each([
    ['١٢ جمادى الأولى ١٤١٠', ...M5_1410],
    ['12 جمادى الأولى 1410', ...M5_1410],
    ['12 جمادى الاولى 1410 هـ', ...M5_1410],
    ['12 جمادي الأول 1410', ...M5_1410],
    ['12 جماد اول 1410', ...M5_1410],
    ['12 جمادى 1 1410', ...M5_1410],
    ['12 Jumada al-Ula 1410', ...M5_1410],
    ['12 Jumada al-Awwal 1410', ...M5_1410],
    ['12 Jumada I 1410', ...M5_1410],
    ['12 jamadi ul awwal 1410', ...M5_1410],
    ['Jumada al-Ula 12, 1410', ...M5_1410],
    ['1 محرم 1446', '1446-01-01', '2024-07-07'],
    ['1 المحرم 1446', '1446-01-01', '2024-07-07'],
    ['1 محرم الحرام 1446', '1446-01-01', '2024-07-07'],
    ['1 Muharram 1446', '1446-01-01', '2024-07-07'],
    ['1 Moharram 1446', '1446-01-01', '2024-07-07'],
    ['15 صفر 1445', '1445-02-15', '2023-08-31'],
    ['15 Safar 1445', '1445-02-15', '2023-08-31'],
    ['12 ربيع الاول 1445', '1445-03-12', '2023-09-27'],
    ['12 ربيع الأول 1445', '1445-03-12', '2023-09-27'],
    ['12 ربيع أول 1445', '1445-03-12', '2023-09-27'],
    ['12 ربيع 1 1445', '1445-03-12', '2023-09-27'],
    ['12 Rabi al-Awwal 1445', '1445-03-12', '2023-09-27'],
    ["12 Rabi' al-Awwal 1445", '1445-03-12', '2023-09-27'],
    ['12 Rabiul Awwal 1445', '1445-03-12', '2023-09-27'],
    ['12 Rabi I 1445', '1445-03-12', '2023-09-27'],
    ['12 ربيع الآخر 1445', '1445-04-12', '2023-10-27'],
    ['12 ربيع الثاني 1445', '1445-04-12', '2023-10-27'],
    ['12 ربيع ثاني 1445', '1445-04-12', '2023-10-27'],
    ['12 Rabi al-Thani 1445', '1445-04-12', '2023-10-27'],
    ['12 Rabi al-Akhir 1445', '1445-04-12', '2023-10-27'],
    ['12 Rabi II 1445', '1445-04-12', '2023-10-27'],
    ['12 جمادى الآخرة 1445', '1445-06-12', '2023-12-25'],
    ['12 جمادى الثانية 1445', '1445-06-12', '2023-12-25'],
    ['12 جماد ثاني 1445', '1445-06-12', '2023-12-25'],
    ['12 Jumada al-Akhirah 1445', '1445-06-12', '2023-12-25'],
    ['12 Jumada al-Thani 1445', '1445-06-12', '2023-12-25'],
    ['12 Jumada II 1445', '1445-06-12', '2023-12-25'],
    ['27 رجب 1445', '1445-07-27', '2024-02-08'],
    ['27 Rajab 1445', '1445-07-27', '2024-02-08'],
    ['15 شعبان 1445', '1445-08-15', '2024-02-25'],
    ['15 Shaban 1445', '1445-08-15', '2024-02-25'],
    ["15 Sha'ban 1445", '1445-08-15', '2024-02-25'],
    ['1 رمضان 1445', '1445-09-01', '2024-03-11'],
    ['١ رمضان ١٤٤٥', '1445-09-01', '2024-03-11'],
    ['1 من شهر رمضان 1445', '1445-09-01', '2024-03-11'],
    ['1 رمضان المبارك 1445', '1445-09-01', '2024-03-11'],
    ['1 Ramadan 1445', '1445-09-01', '2024-03-11'],
    ['1 Ramadhan 1445', '1445-09-01', '2024-03-11'],
    ['Ramadan 1, 1445', '1445-09-01', '2024-03-11'],
    ['1 شوال 1445', '1445-10-01', '2024-04-10'],
    ['1 Shawwal 1445', '1445-10-01', '2024-04-10'],
    ['1 Shawal 1445', '1445-10-01', '2024-04-10'],
    ['10 ذو القعدة 1445', '1445-11-10', '2024-05-18'],
    ['10 ذي القعده 1445', '1445-11-10', '2024-05-18'],
    ['10 Dhu al-Qadah 1445', '1445-11-10', '2024-05-18'],
    ["10 Dhu al-Qi'dah 1445", '1445-11-10', '2024-05-18'],
    ['10 Dhul Qadah 1445', '1445-11-10', '2024-05-18'],
    ['٨ ذو الحجة ١٤٤٨', '1448-12-08', '2027-05-14'],
    ['8 ذي الحجة 1448', '1448-12-08', '2027-05-14'],
    ['8 ذوالحجة 1448', '1448-12-08', '2027-05-14'],
    ['8 ذو الحجة 1448 هـ', '1448-12-08', '2027-05-14'],
    ['8 Dhu al-Hijjah 1448', '1448-12-08', '2027-05-14'],
    ['8 Dhul Hijjah 1448', '1448-12-08', '2027-05-14'],
    ['8 Zul Hijja 1448 AH', '1448-12-08', '2027-05-14'],
  ])('%j → %s (%s)', (raw, hijri, iso) => {
    if (hijri >= '1420' && hijri < '1451') agreesWithIntl(iso, hijri);
    expect(validateDate(raw, wide)).toMatchObject({ ok: true, value: { iso, hijri, calendar: 'hijri' } });
  });

  it('takes a Hijri month name as Hijri even when the year looks Gregorian', () => {
    expect(validateDate('12 رمضان 2023', wide)).toMatchObject({ ok: false, code: 'date_too_late', params: { calendar: 'hijri' } });
  });
});

describe('validateDate reads Gregorian month names', () => {
  const names: Array<[number, string[]]> = [
    [1, ['يناير', 'ينايِر', 'كانون الثاني', 'كانون ثاني', 'January', 'Jan', 'jan.']],
    [2, ['فبراير', 'شباط', 'February', 'Feb']],
    [3, ['مارس', 'آذار', 'اذار', 'March', 'Mar']],
    [4, ['ابريل', 'أبريل', 'إبريل', 'نيسان', 'April', 'Apr']],
    [5, ['مايو', 'أيار', 'ايار', 'May']],
    [6, ['يونيو', 'يونيه', 'حزيران', 'June', 'Jun']],
    [7, ['يوليو', 'يوليه', 'تموز', 'July', 'Jul']],
    [8, ['اغسطس', 'أغسطس', 'آب', 'August', 'Aug']],
    [9, ['سبتمبر', 'أيلول', 'September', 'Sept', 'Sep']],
    [10, ['اكتوبر', 'أكتوبر', 'تشرين الأول', 'تشرين اول', 'October', 'Oct']],
    [11, ['نوفمبر', 'تشرين الثاني', 'تشرين ثاني', 'November', 'Nov']],
    [12, ['ديسمبر', 'كانون الأول', 'كانون اول', 'December', 'Dec']],
  ];
  const cases = names.flatMap(([m, spellings]) => spellings.map((s) => [`15 ${s} 2023`, `2023-${String(m).padStart(2, '0')}-15`] as const));
  it.each(cases)('%j → %s', (raw, iso) => {
    const r = validateDate(raw, wide);
    expect(r).toMatchObject({ ok: true, value: { iso, calendar: 'gregorian' } });
    if (r.ok) agreesWithIntl(iso, r.value.hijri);
  });

  it.each([
    ['15 يناير 1990', '1990-01-15'],
    ['15 يناير 1990م', '1990-01-15'],
    ['15 يناير، 1990', '1990-01-15'],
    ['January 15, 1990', '1990-01-15'],
    ['Jan 15 1990', '1990-01-15'],
    ['15 Jan 1990', '1990-01-15'],
    ['15-Jan-1990', '1990-01-15'],
    ['15th of January 1990', '1990-01-15'],
    ['the 15th of January, 1990', '1990-01-15'],
    ['15th January 1990 AD', '1990-01-15'],
    ['1st of March 1990', '1990-03-01'],
    ['March 2nd, 1990', '1990-03-02'],
    ['٢٣ سبتمبر ١٩٣٢', '1932-09-23'],
    ['15 Febuary 1990', '1990-02-15'],
    ['15 agust 1990', '1990-08-15'],
    ['15 دسمبر 1990', '1990-12-15'],
    ['15 فبرائر 1990', '1990-02-15'],
  ])('%j → %s', (raw, iso) => {
    expect(validateDate(raw, wide)).toMatchObject({ ok: true, value: { iso, calendar: 'gregorian' } });
  });

  it('keeps a Gregorian month name Gregorian: 1410 is then the Gregorian year', () => {
    expect(validateDate('15 يناير 1410', wide)).toMatchObject({ ok: false, code: 'date_too_early', params: { calendar: 'gregorian' } });
  });
});

describe('validateDate takes the date out of a sentence', () => {
  it.each([
    ['مواليد 15/1/1990', '1990-01-15', 'gregorian'],
    ['من مواليد 15/1/1990', '1990-01-15', 'gregorian'],
    ['تاريخ ميلادي 1410/5/12', '1989-12-10', 'hijri'], // "ميلادي" here is "my birth", before the date
    ['انا مواليد ١٤١٠/٥/١٢ هـ', '1989-12-10', 'hijri'],
    ['تاريخ الميلاد: 12 جمادى الأولى 1410', '1989-12-10', 'hijri'],
    ['born on 15/01/1990', '1990-01-15', 'gregorian'],
    ['My birthday is January 15, 1990.', '1990-01-15', 'gregorian'],
    ['15/01/1990.', '1990-01-15', 'gregorian'],
    ['15/01/1990 🙏', '1990-01-15', 'gregorian'],
    ['مواليد 15/1/1990 🎂🎉', '1990-01-15', 'gregorian'],
    ['15/1/1990م', '1990-01-15', 'gregorian'],
    ['«15/1/1990»', '1990-01-15', 'gregorian'],
    ['انا من مواليد 15 يناير 1990 في الرياض', '1990-01-15', 'gregorian'],
    ['ميلادي 12/5/1410 هـ الموافق 10/12/1989 م', '1989-12-10', 'hijri'], // the same day twice is one date
    ['12 جمادى الاولى 1410 الموافق 10 ديسمبر 1989', '1989-12-10', 'hijri'],
    ['جوالي 0551234567 ومواليد 12/5/1410', '1989-12-10', 'hijri'],
    ['١٢-٥-١٤١٠هـ', '1989-12-10', 'hijri'],
    ['١٢/٥/١٤١٠ للهجرة', '1989-12-10', 'hijri'],
    ['12 رمضان سنة 1410', '1990-04-07', 'hijri'],
    ['12 رمضان عام 1410هـ', '1990-04-07', 'hijri'],
    ['12 Ramadan of the year 1410', '1990-04-07', 'hijri'],
    ['12 5 1410', '1989-12-10', 'hijri'], // spaces only, when these are the message's only digits
    ['مواليد 1410 5 12 هـ', '1989-12-10', 'hijri'],
    ['15 1 1990م', '1990-01-15', 'gregorian'],
    ['15/1/1990 الساعة 10:30', '1990-01-15', 'gregorian'],
  ])('%j → %s', (raw, iso, calendar) => {
    expect(validateDate(raw, wide)).toMatchObject({ ok: true, value: { iso, calendar } });
  });

  it.each([
    ['12/5/1410 او 11/12/1989'],
    ['من 1/1/1445 الى 1/2/1445'],
    ['15/1/1990 or 16/1/1990'],
    ['15 يناير 1990 و 16 يناير 1990'],
    ['12/5/1410 او 31/02/1989'],
  ])('%j has two different dates → date_ambiguous', (raw) => {
    expect(validateDate(raw, wide)).toMatchObject({ ok: false, code: 'date_ambiguous' });
  });

  it.each([
    ['رمضان'],
    ['شوال'],
    ['ربيع الأول'],
    ['15 يناير'],
    ['15 ينايِر'],
    ['رمضان 1410'],
    ['January 1990'],
    ['12 جمادى الأولى'],
    ['15 Jan 90'],
  ])('%j lacks the day or the year → date_incomplete', (raw) => {
    expect(validateDate(raw, wide)).toMatchObject({ ok: false, code: 'date_incomplete' });
  });

  it.each([
    ['may'],
    ['I may come tomorrow'],
    ['13/05/1445 ش'], // a calendar marker this code does not know (Persian solar)
    ['13/05/1445 BC'],
    ['15 يناير 1410 هـ'], // a Gregorian month marked Hijri
    ['12 رمضان 1445 م'], // a Hijri month marked Gregorian
    ['3 Rabi 1445'], // Rabi I or Rabi II?
    ['12 5 1410 و 0551234567'], // spaced numbers among other digits are not read as a date
    ['15/1/90'], // a two-digit year is not guessed
  ])('%j → date_format', (raw) => {
    expect(validateDate(raw, wide)).toMatchObject({ ok: false, code: 'date_format' });
  });

  it('applies the calendar the options allow to month names too', () => {
    expect(validateDate('1 رمضان 1445', { ...wide, calendar: 'gregorian' })).toMatchObject({ ok: false, code: 'date_format' });
    expect(validateDate('15 يناير 1990', { ...wide, calendar: 'hijri' })).toMatchObject({ ok: false, code: 'date_format' });
  });

  it('shows a date written with a month name in numbers', () => {
    expect(validateDate('١٢ جمادى الأولى ١٤١٠', wide)).toMatchObject({ display: '12/05/1410 هـ (10/12/1989 م)' });
    expect(validateDate('January 15, 1990', { ...wide, lang: 'en' })).toMatchObject({ display: '15/01/1990 (18/06/1410 AH)' });
  });
});
