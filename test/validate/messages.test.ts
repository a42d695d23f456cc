import { describe, it, expect } from 'vitest';
import { defaultExample, rejectionReason, type ExampleType } from '../../src/validate/messages.ts';
import { saudiIdChecksumOk, validateNationalId } from '../../src/validate/national-id.ts';
import { validatePhone } from '../../src/validate/phone.ts';
import { validateDate } from '../../src/validate/date.ts';
import { validateInteger } from '../../src/validate/number.ts';
import { validateChoice } from '../../src/validate/choice.ts';
import type { Lang, Rejected, RejectionCode } from '../../src/validate/types.ts';

// A Record keyed by RejectionCode: tsc fails here if a code is added to types.ts and not listed.
const ALL_CODES: Record<RejectionCode, true> = {
  empty: true,
  too_short: true,
  too_long: true,
  too_few_words: true,
  letters_only: true,
  id_not_digits: true,
  id_length: true,
  id_prefix: true,
  id_checksum: true,
  id_several: true,
  id_is_phone: true,
  passport_format: true,
  phone_invalid: true,
  phone_not_mobile: true,
  phone_country: true,
  phone_several: true,
  phone_is_id: true,
  date_format: true,
  date_invalid: true,
  date_too_early: true,
  date_too_late: true,
  date_incomplete: true,
  date_ambiguous: true,
  int_format: true,
  int_range: true,
  int_several: true,
  choice_unknown: true,
  media_required: true,
  media_type: true,
  media_too_large: true,
};
const codes = Object.keys(ALL_CODES) as RejectionCode[];
const langs: Lang[] = ['ar', 'en'];
const ARABIC = /[\u0600-\u06FF]/;

/** Params as the validators produce them, to check every placeholder is filled. */
const typicalParams: Partial<Record<RejectionCode, Record<string, string | number>>> = {
  too_short: { min: 3 },
  too_long: { max: 60, got: 75 },
  too_few_words: { minWords: 3 },
  id_length: { got: 9 },
  id_prefix: { allowed: 'border,citizen,passport,resident' },
  id_not_digits: { allowed: 'border,citizen,passport,resident' },
  id_several: { allowed: 'border,citizen,passport,resident', count: 2 },
  id_is_phone: { allowed: 'border,citizen,passport,resident' },
  id_checksum: { allowed: 'citizen,resident' },
  passport_format: { allowed: 'citizen,passport,resident' },
  phone_invalid: { international: 1 },
  phone_several: { count: 2 },
  int_several: { count: 2 },
  phone_country: { country: 'US', allowed: 'SA' },
  date_too_early: { bound: '01/01/1900', calendar: 'gregorian', iso: '1900-01-01' },
  date_too_late: { bound: '19/06/1445', calendar: 'hijri', iso: '2024-01-01' },
  int_range: { min: 1, max: 20 },
  choice_unknown: { count: 4 },
  media_type: { accepted: 'image,pdf' },
  media_too_large: { maxMb: 5 },
};

describe('rejectionReason', () => {
  it.each(codes.flatMap((code) => langs.map((lang) => [code, lang] as const)))('%s (%s) has a message', (code, lang) => {
    for (const params of [undefined, {}, typicalParams[code]]) {
      const rej: Rejected = params ? { ok: false, code, params } : { ok: false, code };
      const msg = rejectionReason(rej, lang);
      expect(msg.trim().length).toBeGreaterThan(5);
      expect(msg).not.toMatch(/undefined|NaN|\{|\}|\[object/);
      expect(msg.length).toBeLessThanOrEqual(160); // fits an SMS segment budget
      if (lang === 'ar') expect(msg).toMatch(ARABIC);
      else expect(msg).not.toMatch(ARABIC);
    }
  });

  it.each([
    [{ ok: false, code: 'id_length', params: { got: 9 } }, 'ar', 'رقم الهوية يجب أن يتكوّن من 10 أرقام، وقد أرسلت 9.'],
    [{ ok: false, code: 'id_length', params: { got: 9 } }, 'en', 'The ID number must have 10 digits; you sent 9.'],
    [{ ok: false, code: 'int_range', params: { min: 1, max: 20 } }, 'ar', 'فضلاً أرسل عددًا من 1 إلى 20.'],
    [{ ok: false, code: 'int_range', params: { min: 18 } }, 'en', 'Please send a number of at least 18.'],
    [{ ok: false, code: 'too_short', params: { min: 3 } }, 'ar', 'الإجابة قصيرة جدًا، فضلاً اكتب 3 أحرف على الأقل.'],
    [{ ok: false, code: 'too_short', params: { min: 15 } }, 'ar', 'الإجابة قصيرة جدًا، فضلاً اكتب 15 حرفًا على الأقل.'],
    [{ ok: false, code: 'too_short', params: { min: 2 } }, 'ar', 'الإجابة قصيرة جدًا، فضلاً اكتب حرفين على الأقل.'],
    [{ ok: false, code: 'too_long', params: { max: 100, got: 120 } }, 'ar', 'الإجابة طويلة جدًا، الحد الأقصى 100 حرف، وقد أرسلت 120.'],
    [{ ok: false, code: 'too_few_words', params: { minWords: 3 } }, 'ar', 'فضلاً اكتب 3 كلمات على الأقل.'],
    [{ ok: false, code: 'date_too_late', params: { bound: '19/06/1445', calendar: 'hijri' } }, 'ar', 'التاريخ يجب ألا يكون بعد 19/06/1445 هـ.'],
    [{ ok: false, code: 'date_too_early', params: { bound: '01/01/1900', calendar: 'gregorian' } }, 'en', 'The date must not be before 01/01/1900.'],
    [{ ok: false, code: 'phone_country', params: { country: 'US', allowed: 'SA' } }, 'ar', 'فضلاً أرسل رقم جوال سعوديًا (الرقم المرسل من الولايات المتحدة).'],
    [{ ok: false, code: 'phone_country', params: { country: 'US', allowed: 'SA,AE' } }, 'en', 'Please send a mobile number from Saudi Arabia, United Arab Emirates (the number you sent is from United States).'],
    [{ ok: false, code: 'id_prefix', params: { allowed: 'citizen' } }, 'ar', 'رقم الهوية الوطنية يبدأ بالرقم 1.'],
    [{ ok: false, code: 'media_type', params: { accepted: 'pdf' } }, 'en', 'This file type is not accepted; please send a PDF.'],
    [{ ok: false, code: 'media_too_large', params: { maxMb: 5 } }, 'ar', 'الملف كبير جدًا، الحد الأقصى 5 ميغابايت.'],
    [{ ok: false, code: 'choice_unknown', params: { count: 4 } }, 'ar', 'لم نتعرّف على اختيارك، فضلاً أرسل رقمًا من 1 إلى 4.'],
  ] as [Rejected, Lang, string][])('%j in %s', (rej, lang, text) => {
    expect(rejectionReason(rej, lang)).toBe(text);
  });

  const kindSets = ['citizen', 'resident', 'citizen,resident', 'border,citizen,resident', 'citizen,passport,resident', 'border,citizen,passport,resident', 'passport'];
  it.each(kindSets)('ID reasons for a field accepting %s are short and name only those kinds', (allowed) => {
    const codes = ['id_not_digits', 'id_length', 'id_prefix', 'id_checksum', 'id_several', 'id_is_phone'] as const;
    for (const code of codes) {
      for (const lang of langs) {
        const msg = rejectionReason({ ok: false, code, params: { allowed, got: 9, count: 2 } }, lang);
        expect(msg.length).toBeLessThanOrEqual(160);
        expect(msg).not.toMatch(/undefined|NaN|\{|\}/);
        if (!allowed.includes('passport')) expect(msg).not.toMatch(/جواز|passport/i);
        if (!allowed.includes('border')) expect(msg).not.toMatch(/الحدود|border/i);
      }
    }
  });

  it.each([
    [{ ok: false, code: 'id_not_digits', params: { allowed: 'citizen,passport,resident' } }, 'ar', 'فضلاً أرسل رقم الهوية أو الإقامة (10 أرقام) أو رقم جواز السفر كما هو مكتوب فيه، مثل A12345678.'],
    [{ ok: false, code: 'id_not_digits', params: { allowed: 'citizen,passport,resident' } }, 'en', 'Please send your national ID or iqama number (10 digits) or your passport number as written in it, e.g. A12345678.'],
    [{ ok: false, code: 'id_length', params: { allowed: 'citizen,passport,resident', got: 9 } }, 'en', 'The national ID or iqama number must have 10 digits; you sent 9. For a passport, write "passport" before it, e.g. passport 123456789.'],
    [{ ok: false, code: 'id_prefix', params: { allowed: 'border,citizen,resident' } }, 'ar', 'رقم الهوية الوطنية يبدأ بالرقم 1، ورقم الإقامة بالرقم 2، ورقم الحدود بالرقم 3 أو 4.'],
    [{ ok: false, code: 'id_is_phone', params: { allowed: 'citizen,resident' } }, 'ar', 'يبدو أن هذا رقم جوال، فضلاً أرسل رقم الهوية أو الإقامة بدلًا منه.'],
    [{ ok: false, code: 'id_several', params: { allowed: 'citizen,passport,resident' } }, 'ar', 'في رسالتك أكثر من رقم، فضلاً أرسل رقم الهوية أو الإقامة أو جواز السفر وحده.'],
    [{ ok: false, code: 'phone_is_id' }, 'en', 'This looks like an ID number; please send your mobile number, e.g. 0501234567.'],
    [{ ok: false, code: 'int_several' }, 'ar', 'في رسالتك أكثر من عدد، فضلاً أرسل عددًا واحدًا، مثل 3.'],
  ] as [Rejected, Lang, string][])('new reason %j in %s', (rej, lang, text) => {
    expect(rejectionReason(rej, lang)).toBe(text);
  });

  it('renders what the validators actually return', () => {
    const rejections = [
      validateNationalId('123'),
      validateNationalId('123456789', { allow: ['citizen', 'resident', 'passport'] }),
      validateNationalId('0551234567'),
      validateNationalId('1012345672 1010101010'),
      validatePhone('0501234567 0559876543'),
      validatePhone('01012345678', { countries: ['SA', '*'] }),
      validateInteger('5 او 6', {}),
      validatePhone('+12025550123'),
      validateDate('31/12/1899', { earliest: new Date('1900-01-01'), latest: new Date('2024-01-01') }),
      validateInteger('99', { min: 1, max: 20 }),
      validateChoice('xyz', [{ id: 'a', labels: ['A'] }, { id: 'b', labels: ['B'] }]),
    ];
    for (const r of rejections) {
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      for (const lang of langs) expect(rejectionReason(r, lang)).not.toMatch(/undefined|NaN/);
    }
  });
});

describe('defaultExample', () => {
  const types: ExampleType[] = ['text', 'national_id', 'phone', 'date', 'integer', 'choice', 'media'];
  it.each(types.flatMap((t) => langs.map((l) => [t, l] as const)))('%s (%s)', (type, lang) => {
    const ex = defaultExample(type, lang);
    expect(ex).toMatch(lang === 'ar' ? /^مثال: \S/ : /^Example: \S/);
    expect(ex.length).toBeLessThanOrEqual(70);
  });

  it('gives examples the validators accept', () => {
    const id = defaultExample('national_id', 'ar').replace('مثال: ', '');
    expect(saudiIdChecksumOk(id)).toBe(true);
    expect(validateNationalId(id).ok).toBe(true);
    expect(validatePhone(defaultExample('phone', 'en').replace('Example: ', '')).ok).toBe(true);
    const bounds = { earliest: new Date('1900-01-01'), latest: new Date('2030-01-01') };
    const [hijri, gregorian] = defaultExample('date', 'ar').replace('مثال: ', '').split(' أو ');
    const h = validateDate(hijri!, bounds);
    const g = validateDate(gregorian!, bounds);
    expect(h.ok && g.ok && h.value.iso === g.value.iso).toBe(true); // the two writings are the same day
    expect(validateInteger(defaultExample('integer', 'ar').replace('مثال: ', ''), {}).ok).toBe(true);
  });
});
