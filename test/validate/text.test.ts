import { describe, it, expect } from 'vitest';
import { validateText, type TextOptions } from '../../src/validate/text.ts';
import { MAX_INPUT_CHARS } from '../../src/text/normalize.ts';

const name: TextOptions = { min: 3, max: 60, minWords: 3, lettersOnly: true };

describe('validateText accepts', () => {
  it.each([
    ['محمد عبدالله الأحمد', name, 'محمد عبدالله الأحمد'],
    ['  محمد   عبدالله\nالأحمد ', name, 'محمد عبدالله الأحمد'],
    ['مُحَمَّد عبدالله الأحمد', name, 'مُحَمَّد عبدالله الأحمد'], // diacritics are letters' marks
    ["Abdullah O'Neil Al-Harbi", name, "Abdullah O'Neil Al-Harbi"],
    ['Mohammed A. Al Harbi', name, 'Mohammed A. Al Harbi'],
    ['\u200Fسارة خالد العتيبي\u200E', name, 'سارة خالد العتيبي'],
    ['أحتاج مساعدة في دفع الإيجار لشهر ٣', { min: 10 }, 'أحتاج مساعدة في دفع الإيجار لشهر 3'],
    ['abc', { min: 3, max: 3 }, 'abc'],
    ['😀😀😀', { max: 3 }, '😀😀😀'], // counted in characters, not UTF-16 units
    ['x', {}, 'x'],
  ])('%j', (raw, opts, value) => {
    expect(validateText(raw, opts)).toEqual({ ok: true, value, display: value });
  });
});

describe('validateText rejects', () => {
  it.each([
    ['', name, 'empty', undefined],
    ['\u200B \u200F', name, 'empty', undefined],
    ['ab', { min: 3 }, 'too_short', { min: 3 }],
    ['abcd', { max: 3 }, 'too_long', { max: 3, got: 4 }],
    ['محمد', name, 'too_few_words', { minWords: 3 }],
    ['محمد عبدالله', name, 'too_few_words', { minWords: 3 }],
    ['محمد - -', name, 'too_few_words', { minWords: 3 }], // hyphens are not words
    ['محمد 2 الأحمد', name, 'letters_only', undefined],
    ['محمد ٢ الأحمد', name, 'letters_only', undefined],
    ['محمد@ عبدالله الأحمد', name, 'letters_only', undefined],
    ['محمد، عبدالله الأحمد', name, 'letters_only', undefined],
    ['محمد عبدالله 😀', name, 'too_few_words', { minWords: 3 }], // the emoji is dropped, two names remain
    ['x'.repeat(61), name, 'too_long', { max: 60, got: 61 }],
  ])('%j → %s', (raw, opts, code, params) => {
    const r = validateText(raw, opts);
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toEqual({ ok: false, code, params });
  });

  it('refuses input beyond the processing cap instead of truncating it', () => {
    const r = validateText('a'.repeat(MAX_INPUT_CHARS + 1), {});
    expect(r).toEqual({ ok: false, code: 'too_long', params: { max: MAX_INPUT_CHARS, got: MAX_INPUT_CHARS + 1 } });
  });
});

describe('validateText keeps only the name or the city', () => {
  const fullName: TextOptions = { min: 3, max: 100, minWords: 3, lettersOnly: true, kind: 'name' };
  const city: TextOptions = { min: 2, max: 60, lettersOnly: true, kind: 'city' };
  it.each([
    ['اسمي محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['انا اسمي محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['أنا اسمي محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['اسمي هو محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['اسمي الثلاثي محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['الاسم: محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['الاسم:محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['انا محمد عبدالله الأحمد', 'محمد عبدالله الأحمد'],
    ['معك سارة خالد العتيبي', 'سارة خالد العتيبي'],
    ['my name is Mohammed Abdullah Alahmad', 'Mohammed Abdullah Alahmad'],
    ['My name is Mohammed Abdullah Alahmad.', 'Mohammed Abdullah Alahmad'],
    ['I am Sara Khalid Alotaibi', 'Sara Khalid Alotaibi'],
    ["I'm Sara Khalid Alotaibi", 'Sara Khalid Alotaibi'],
    ['محمد عبدالله الأحمد 🙏', 'محمد عبدالله الأحمد'],
    ['محمد عبدالله الأحمد.', 'محمد عبدالله الأحمد'],
    ['اسمي محمد عبدالله الأحمد شكرا', 'محمد عبدالله الأحمد'],
    ['عبدالله محمد صالح الغامدي', 'عبدالله محمد صالح الغامدي'], // a name that starts like "عبد" keeps every word
    ['Mohammed A. Al Harbi', 'Mohammed A. Al Harbi'],
    ['ismi Mohammed Abdullah Alahmad', 'Mohammed Abdullah Alahmad'], // Arabizi
    ['Ana Maria Lopez', 'Ana Maria Lopez'], // a Latin "ana" is a given name, not "I"
  ])('name: %j → %j', (raw, value) => {
    expect(validateText(raw, fullName)).toEqual({ ok: true, value, display: value });
  });

  it.each([
    ['ساكن في الرياض', 'الرياض'],
    ['اسكن في المدينة المنورة', 'المدينة المنورة'],
    ['اسكن بجدة', 'جدة'],
    ['ساكن بالخبر', 'الخبر'],
    ['اسكن ببريدة', 'بريدة'],
    ['اسكن بريدة', 'بريدة'], // the ب of بريدة is the city's own
    ['ساكن بكراتشي', 'كراتشي'],
    ['اسكن بالقاهرة', 'القاهرة'],
    ['ساكن في بيروت', 'بيروت'],
    ['ساكن بيروت', 'بيروت'],
    ['من الدمام', 'الدمام'],
    ['انا من ينبع', 'ينبع'],
    ['في مكة', 'مكة'],
    ['حاليا في جدة الله يعافيك', 'جدة'],
    ['I live in Riyadh', 'Riyadh'],
    ["I'm from Makkah.", 'Makkah'],
    ['المدينة المنورة', 'المدينة المنورة'], // "المدينة" is a city, not a lead-in
    ['مكة المكرمة 🙏', 'مكة المكرمة'],
    ['بريدة', 'بريدة'],
    ['saken fi Jeddah', 'Jeddah'], // Arabizi
  ])('city: %j → %j', (raw, value) => {
    expect(validateText(raw, city)).toEqual({ ok: true, value, display: value });
  });

  it.each([
    ['اسمي', fullName, 'too_few_words'], // only the lead-in: nothing is invented
    ['اسمي محمد', fullName, 'too_few_words'],
    ['اسمي محمد 2 الأحمد', fullName, 'letters_only'],
    ['🙏', city, 'letters_only'], // nothing but decoration: refused, not stored empty
  ])('%j → %s', (raw, opts, code) => {
    expect(validateText(raw, opts)).toMatchObject({ ok: false, code });
  });

  it('keeps free text as written', () => {
    expect(validateText('اسمي مكتوب خطأ في الصك 🙏', { min: 10 })).toMatchObject({ ok: true, value: 'اسمي مكتوب خطأ في الصك 🙏' });
  });
});
