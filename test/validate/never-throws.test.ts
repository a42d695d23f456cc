import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cleanInput, matchKey, normalizeArabic, tokens } from '../../src/text/normalize.ts';
import { makeSaudiId, validateNationalId } from '../../src/validate/national-id.ts';
import { validatePhone } from '../../src/validate/phone.ts';
import { validateDate } from '../../src/validate/date.ts';
import { validateInteger } from '../../src/validate/number.ts';
import { validateChoice } from '../../src/validate/choice.ts';
import { validateText } from '../../src/validate/text.ts';
import { validateMedia } from '../../src/validate/media.ts';
import { rejectionReason } from '../../src/validate/messages.ts';
import type { Validation } from '../../src/validate/types.ts';

const choices = [
  { id: 'a', labels: ['نعم', 'Yes'] },
  { id: 'b', labels: ['لا', 'No'] },
  { id: 'c', labels: ['ربما لاحقاً'] },
];
const bounds = { earliest: new Date('1900-01-01'), latest: new Date('2030-12-31') };

const validators: [string, (s: string) => Validation][] = [
  ['national id', (s) => validateNationalId(s)],
  ['national id (citizen)', (s) => validateNationalId(s, { allow: ['citizen'] })],
  ['national id (all kinds)', (s) => validateNationalId(s, { allow: ['citizen', 'resident', 'border', 'passport'] })],
  ['phone', (s) => validatePhone(s)],
  ['phone (SA, AE, any line)', (s) => validatePhone(s, { countries: ['SA', 'AE'], mobileOnly: false })],
  ['phone (any country)', (s) => validatePhone(s, { countries: ['SA', '*'] })],
  ['date', (s) => validateDate(s, bounds)],
  ['date (hijri)', (s) => validateDate(s, { ...bounds, calendar: 'hijri' })],
  ['integer', (s) => validateInteger(s, {})],
  ['integer (1–20)', (s) => validateInteger(s, { min: 1, max: 20 })],
  ['choice', (s) => validateChoice(s, choices)],
  ['text', (s) => validateText(s, {})],
  ['text (name)', (s) => validateText(s, { min: 3, max: 60, minWords: 3, lettersOnly: true })],
  ['text (name kind)', (s) => validateText(s, { min: 3, max: 60, minWords: 3, lettersOnly: true, kind: 'name' })],
  ['text (city kind)', (s) => validateText(s, { min: 2, max: 60, lettersOnly: true, kind: 'city' })],
];

/** Strings built from the characters the validators care about, so the deep paths get exercised. */
const interesting = fc
  .array(
    fc.constantFrom(
      ...'0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬+-/.() ,:هـمAHDadلاعمنثةىأإآ\u200F\u200E\uFEFF\u0640\u064E\uD800\uDC00',
      '966',
      '00',
      '05',
      'هـ',
      'عشر',
      '1445',
      '2023',
      ' و',
      'مية',
      'الف',
      'خمسين',
      ' and ',
      'hundred',
      'اسمي ',
      'ساكن في ',
      'جواز ',
      '🙏',
      '\uFE0F\u20E3',
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));
const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
});
const arbitraries: [string, fc.Arbitrary<string>][] = [
  ['fc.string()', fc.string()],
  ['full unicode', fc.string({ unit: 'binary' })],
  ['graphemes', fc.string({ unit: 'grapheme' })],
  ['lone surrogates', loneSurrogates],
  ['interesting characters', interesting],
];

function checkShape(r: Validation): void {
  expect(typeof r.ok).toBe('boolean');
  if (r.ok) {
    expect(typeof r.display).toBe('string');
    expect(r.value).not.toBeUndefined();
  } else {
    expect(typeof r.code).toBe('string');
    expect(rejectionReason(r, 'ar').length).toBeGreaterThan(0);
    expect(rejectionReason(r, 'en').length).toBeGreaterThan(0);
  }
}

describe('validators never throw', () => {
  for (const [arbName, arb] of arbitraries) {
    for (const [name, validate] of validators) {
      it(`${name} on ${arbName}`, () => {
        fc.assert(
          fc.property(arb, (s) => {
            checkShape(validate(s));
          }),
          { numRuns: 300 },
        );
      });
    }
    it(`normalisers on ${arbName}`, () => {
      fc.assert(
        fc.property(arb, (s) => {
          expect(typeof cleanInput(s)).toBe('string');
          expect(typeof normalizeArabic(s)).toBe('string');
          expect(matchKey(matchKey(s))).toBe(matchKey(s)); // idempotent
          expect(Array.isArray(tokens(s))).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('handle huge input quickly', () => {
    const huge = '٥'.repeat(1_000_000);
    const start = performance.now();
    for (const [, validate] of validators) checkShape(validate(huge));
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('handle many short words quickly (every word a number, a lead-in or a passport)', () => {
    const inputs = ['5 '.repeat(5000), '055 '.repeat(2500), 'خمسة و'.repeat(1500), 'اسمي '.repeat(2000), '1012345672 '.repeat(900), 'A1234567 '.repeat(1000)];
    for (const input of inputs) {
      const start = performance.now();
      for (const [, validate] of validators) checkShape(validate(input));
      expect(performance.now() - start).toBeLessThan(1500);
    }
  });

  it('media never throws on arbitrary metadata', () => {
    const media = fc.option(
      fc.record(
        {
          mime: fc.oneof(fc.string(), fc.constantFrom('image/png', 'application/pdf', 'application/octet-stream')),
          size: fc.oneof(fc.integer(), fc.double()),
          filename: fc.string(),
        },
        { requiredKeys: ['mime', 'size'] },
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(media, fc.subarray(['image', 'pdf'] as const), fc.nat(), (m, accept, maxBytes) => {
        checkShape(validateMedia(m, { accept: [...accept], maxBytes }));
      }),
    );
  });
});

const toArabicIndic = (s: string): string => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));

/** Saudi mobiles written in the many ways people write them. */
const saudiMobile = fc
  .record({
    // Allocated mobile ranges (libphonenumber metadata: 5[013-689]x, 57[0-8]; not 52x, not 5799)
    nsn: fc.stringMatching(/^5(?:[013-689]\d|7[0-8])\d{6}$/),
    prefix: fc.constantFrom('0', '', '966', '+966', '00966', '+966 ', '00966 ', '+966 0'),
    sep: fc.constantFrom('', ' ', '-'),
    arabic: fc.boolean(),
  })
  .map(({ nsn, prefix, sep, arabic }) => {
    const text = `${prefix}${nsn.slice(0, 2)}${sep}${nsn.slice(2, 5)}${sep}${nsn.slice(5)}`;
    return { text: arabic ? toArabicIndic(text) : text, e164: `+966${nsn}` };
  });

/** Dates in either calendar, any accepted layout, possibly non-existent (day 30/31, 29 Feb). */
const writtenDate = fc
  .record({
    hijri: fc.boolean(),
    y: fc.integer({ min: 0, max: 130 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
    sep: fc.constantFrom('/', '-', '.'),
    yearFirst: fc.boolean(),
    suffix: fc.boolean(),
    arabic: fc.boolean(),
  })
  .map(({ hijri, y, m, d, sep, yearFirst, suffix, arabic }) => {
    const year = hijri ? 1320 + y : 1901 + y; // the Umm al-Qura table starts on 30 April 1900
    const body = yearFirst ? `${year}${sep}${m}${sep}${d}` : `${d}${sep}${m}${sep}${year}`;
    const text = `${body}${suffix ? (hijri ? ' هـ' : ' م') : ''}`;
    return arabic ? toArabicIndic(text) : text;
  });

describe('accepted values are stable', () => {
  it('every generated Saudi mobile writing is accepted, and its value and display re-validate', () => {
    fc.assert(
      fc.property(saudiMobile, ({ text, e164 }) => {
        const r = validatePhone(text);
        expect(r).toMatchObject({ ok: true, value: e164 });
        if (!r.ok) return;
        expect(validatePhone(r.value)).toMatchObject({ ok: true, value: e164 });
        expect(validatePhone(r.display)).toMatchObject({ ok: true, value: e164 });
      }),
      { numRuns: 1000 },
    );
  });

  it('an accepted date re-validates from its ISO value and from its Hijri value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(writtenDate, (text) => {
        const r = validateDate(text, bounds);
        expect(r.ok || ['date_invalid', 'date_too_late'].includes(r.code)).toBe(true);
        if (!r.ok) return;
        accepted++;
        const [hy, hm, hd] = r.value.hijri.split('-');
        const fromIso = validateDate(r.value.iso, bounds);
        const fromHijri = validateDate(`${hd}/${hm}/${hy} هـ`, bounds);
        expect(fromIso).toMatchObject({ ok: true, value: { iso: r.value.iso, hijri: r.value.hijri } });
        expect(fromHijri).toMatchObject({ ok: true, value: { iso: r.value.iso, hijri: r.value.hijri } });
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it('an accepted integer re-validates from its value and display', () => {
    let accepted = 0;
    fc.assert(
      fc.property(interesting, (s) => {
        const r = validateInteger(s, {});
        if (!r.ok) return;
        accepted++;
        expect(validateInteger(String(r.value), {})).toMatchObject({ ok: true, value: r.value });
        expect(validateInteger(r.display, {})).toMatchObject({ ok: true, value: r.value });
      }),
      { numRuns: 1000 },
    );
    // The interesting characters are mostly digits: a validator refusing everything must fail here.
    expect(accepted).toBeGreaterThan(100);
  });

  it('every generated written count is accepted with its value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(writtenCount, ({ text, value }) => {
        expect(validateInteger(text, { min: 0, max: 99_999 })).toEqual({ ok: true, value, display: String(value) });
        accepted++;
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBe(1000);
  });

  it('every number from 0 to 9,999 spelt in Arabic (MSA) and English reads back', () => {
    let accepted = 0;
    for (let n = 0; n <= 9999; n++) {
      for (const text of [arabicWords(n), englishWords(n)]) {
        const r = validateInteger(text, {});
        if (!r.ok || r.value !== n) expect({ text, r }).toEqual({ text, r: { ok: true, value: n, display: String(n) } });
        accepted++;
      }
    }
    expect(accepted).toBe(20_000);
  });

  it('every generated ID, iqama and passport writing is accepted with its value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(writtenId, ({ text, id, kind }) => {
        expect(validateNationalId(text, { allow: ['citizen', 'resident', 'passport'] })).toEqual({ ok: true, value: { id, kind }, display: id });
        accepted++;
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBe(1000);
  });
});

/** Numbers spelt in Modern Standard Arabic, written independently of the validator's word list. */
function arabicWords(n: number): string {
  const units = ['صفر', 'واحد', 'اثنان', 'ثلاثة', 'أربعة', 'خمسة', 'ستة', 'سبعة', 'ثمانية', 'تسعة', 'عشرة'];
  const tens = ['', '', 'عشرون', 'ثلاثون', 'أربعون', 'خمسون', 'ستون', 'سبعون', 'ثمانون', 'تسعون'];
  const hundreds = ['', 'مائة', 'مائتان', 'ثلاثمائة', 'أربعمائة', 'خمسمائة', 'ستمائة', 'سبعمائة', 'ثمانمائة', 'تسعمائة'];
  const below100 = (x: number): string => {
    if (x <= 10) return units[x]!;
    if (x === 11) return 'أحد عشر';
    if (x === 12) return 'اثنا عشر';
    if (x < 20) return `${units[x - 10]} عشر`;
    const u = x % 10;
    return u === 0 ? tens[Math.floor(x / 10)]! : `${units[u]} و${tens[Math.floor(x / 10)]}`;
  };
  if (n === 0) return units[0]!;
  const parts: string[] = [];
  const th = Math.floor(n / 1000);
  if (th === 1) parts.push('ألف');
  else if (th === 2) parts.push('ألفان');
  else if (th >= 3) parts.push(`${units[th]} آلاف`);
  const h = Math.floor((n % 1000) / 100);
  if (h > 0) parts.push(hundreds[h]!);
  const rest = n % 100;
  if (rest > 0) parts.push(below100(rest));
  return parts.join(' و');
}

/** Numbers spelt in English ("two thousand five hundred and one", "forty-two"). */
function englishWords(n: number): string {
  const small = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
  const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
  const below100 = (x: number): string => (x < 20 ? small[x]! : `${tens[Math.floor(x / 10)]}${x % 10 ? `-${small[x % 10]}` : ''}`);
  if (n === 0) return 'zero';
  const parts: string[] = [];
  if (n >= 1000) parts.push(`${small[Math.floor(n / 1000)]} thousand`);
  const h = Math.floor((n % 1000) / 100);
  if (h > 0) parts.push(`${small[h]} hundred`);
  const rest = n % 100;
  if (rest > 0) parts.push(`${parts.length > 0 ? 'and ' : ''}${below100(rest)}`);
  return parts.join(' ');
}

/** A count written as people write it: digits (any script), a noun, a lead-in, a full stop or an emoji. */
const writtenCount = fc
  .record({
    value: fc.integer({ min: 0, max: 99_999 }),
    arabic: fc.boolean(),
    commas: fc.boolean(),
    before: fc.constantFrom('', 'احنا ', 'نحن ', 'عددنا ', 'تقريبا ', 'about ', 'we are ', 'العدد: '),
    after: fc.constantFrom('', ' افراد', ' أشخاص', ' شخص', ' people', '.', ' 🙏', ' تقريبا', '!'),
  })
  .map(({ value, arabic, commas, before, after }) => {
    const digits = commas ? value.toLocaleString('en-US') : String(value);
    return { text: `${before}${arabic ? toArabicIndic(digits) : digits}${after}`, value };
  });

/** IDs, iqamas and passports inside the sentences people send. */
const writtenId = fc
  .record({
    which: fc.constantFrom('citizen', 'resident', 'passport'),
    nine: fc.stringMatching(/^[0-9]{9}$/),
    passport: fc.stringMatching(/^[A-Z]{1,2}[0-9]{6,7}$/),
    lower: fc.boolean(),
    arabic: fc.boolean(),
    before: fc.constantFrom('', 'هويتي ', 'رقم الهوية ', 'رقمي: ', 'my id is ', 'ID: ', 'تفضل '),
    after: fc.constantFrom('', '.', ' 🙏', ' شكرا', ' thanks', '!'),
  })
  .map(({ which, nine, passport, lower, arabic, before, after }) => {
    if (which === 'passport') {
      return { text: `${before}${lower ? passport.toLowerCase() : passport}${after}`, id: passport, kind: 'passport' as const };
    }
    const id = makeSaudiId((which === 'citizen' ? '1' : '2') + nine.slice(1));
    return { text: `${before}${arabic ? toArabicIndic(id) : id}${after}`, id, kind: which as 'citizen' | 'resident' };
  });
