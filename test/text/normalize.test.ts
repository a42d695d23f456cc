import { describe, it, expect } from 'vitest';
import {
  cleanInput,
  matchKey,
  MAX_INPUT_CHARS,
  normalizeArabic,
  normalizeDigits,
  stripInvisible,
  tokens,
} from '../../src/text/normalize.ts';

describe('normalizeDigits', () => {
  it.each([
    ['٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['۰۱۲۳۴۵۶۷۸۹', '0123456789'],
    ['٣٫٥', '3.5'],
    ['١٬٢٣٤', '1,234'],
    ['abc 12 ٣', 'abc 12 3'],
    ['نص بدون أرقام', 'نص بدون أرقام'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDigits(input)).toBe(expected);
  });
});

describe('stripInvisible', () => {
  it.each([
    ['\u200F0501234567\u200E', '0501234567'],
    ['\u202Bمحمد\u202C', 'محمد'],
    ['\u2066123\u2069', '123'],
    ['\uFEFFabc', 'abc'],
    ['a\u200Bb\u200Cc\u200Dd', 'abcd'],
    ['\u061C١٢', '١٢'],
    ['co\u00ADop', 'coop'],
  ])('%j → %j', (input, expected) => {
    expect(stripInvisible(input)).toBe(expected);
  });
});

describe('cleanInput', () => {
  it.each([
    ['  hello   world  ', 'hello world'],
    ['\t\n١٢٣\u00A0\u00A0٤ ', '123 4'],
    ['\u200F\u200F ', ''],
    ['a\u3000b', 'a b'],
  ])('%j → %j', (input, expected) => {
    expect(cleanInput(input)).toBe(expected);
  });

  it('survives lone surrogates and caps huge input', () => {
    expect(cleanInput('\uD800a\uDC00')).toBe('\uD800a\uDC00');
    const huge = 'x'.repeat(MAX_INPUT_CHARS * 10);
    expect(cleanInput(huge).length).toBe(MAX_INPUT_CHARS);
  });

  it('does not split a surrogate pair at the cap', () => {
    const s = 'a'.repeat(MAX_INPUT_CHARS - 1) + '😀';
    const out = cleanInput(s);
    expect(out).toBe('a'.repeat(MAX_INPUT_CHARS - 1));
  });
});

describe('normalizeArabic', () => {
  it.each([
    ['أحمد', 'احمد'],
    ['إبراهيم', 'ابراهيم'],
    ['آمنة', 'امنه'],
    ['ٱلله', 'الله'],
    ['مُحَمَّدٌ', 'محمد'],
    ['مـــحـمـد', 'محمد'],
    ['مصطفى', 'مصطفي'],
    ['مؤسسة', 'موسسه'],
    ['جمعية', 'جمعيه'],
    ['مسئول', 'مسوول'], // ئ before و is the older spelling of ؤ
    ['مسؤول', 'مسوول'],
    ['رئيس', 'رييس'],
    ['غذائية', 'غذاييه'],
    ['یک', 'يك'],
    ['HeLLo', 'hello'],
    ['ﻻ', 'لا'], // presentation-form ligature
    ['  أهلاً   وسهلاً ', 'اهلا وسهلا'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeArabic(input)).toBe(expected);
  });
});

describe('hamza seats: ئ and ؤ spellings of one word', () => {
  it.each([
    ['مسئولية', 'مسؤولية'],
    ['مسئول', 'مسؤول'],
    ['المسئولين', 'المسؤولين'],
    ['شئون', 'شؤون'],
  ])('%s = %s', (a, b) => {
    expect(normalizeArabic(a)).toBe(normalizeArabic(b));
    expect(matchKey(`${a}؟`)).toBe(matchKey(b));
  });
});

describe('matchKey', () => {
  it.each([
    ['نعم!', 'نعم'],
    ['هل أنت موافق؟', 'هل انت موافق'],
    ['أولاً، ثانياً؛ ثالثاً', 'اولا ثانيا ثالثا'],
    ['(ذكر)', 'ذكر'],
    ['Yes, please.', 'yes please'],
    ['A+B = C', 'a b c'],
    ['...', ''],
  ])('%j → %j', (input, expected) => {
    expect(matchKey(input)).toBe(expected);
  });
});

describe('tokens', () => {
  it.each([
    ['التسجيل', ['تسجيل']],
    ['والتسجيل', ['تسجيل']],
    ['بالتسجيل', ['تسجيل']],
    ['للتسجيل', ['تسجيل']],
    ['فالتسجيل', ['تسجيل']],
    ['الأرملة', ['ارمله']],
    ['ال', ['ال']], // nothing left to strip to
    ['الم', ['الم']], // remainder of 1 letter: kept
    ['ولد', ['ولد']], // و not followed by ال
    ['الإسم الكامل', ['اسم', 'كامل']],
    ['', []],
    ['؟؟', []],
  ])('%s → %j', (input, expected) => {
    expect(tokens(input)).toEqual(expected);
  });
});
