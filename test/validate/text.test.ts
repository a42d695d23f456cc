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
    ['محمد عبدالله 😀', name, 'letters_only', undefined],
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
