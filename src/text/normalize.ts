/**
 * Text normalisation shared by every validator and by keyword matching.
 *
 * All functions are total: they accept any JavaScript string (including lone surrogates and
 * very long input) and never throw.
 */

import { memoizeString } from './memo.ts';

/** Inputs longer than this (in UTF-16 code units) are truncated before processing. */
export const MAX_INPUT_CHARS = 10_000;

// Arabic-Indic ٠-٩ (U+0660–U+0669) and Extended Arabic-Indic / Persian ۰-۹ (U+06F0–U+06F9).
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
// Bidi controls, zero-width characters, BOM, Arabic letter mark and soft hyphen.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u061C\u00AD]/g;
const WHITESPACE_RUN = /\s+/g;
// Arabic diacritics (harakat, tanween, shadda, sukun, superscript alef, Quranic marks) and tatweel.
const DIACRITICS = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
const ALEF_VARIANTS = /[\u0623\u0625\u0622\u0671]/g; // أ إ آ ٱ
const PUNCT_OR_SYMBOL = /[\p{P}\p{S}]+/gu;

/** Truncates to MAX_INPUT_CHARS without splitting a surrogate pair. */
function cap(s: string): string {
  if (s.length <= MAX_INPUT_CHARS) return s;
  let end = MAX_INPUT_CHARS;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // do not keep half of a pair
  return s.slice(0, end);
}

/**
 * Converts Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII, and the Arabic decimal (٫)
 * and thousands (٬) separators to '.' and ','.
 */
export function normalizeDigits(s: string): string {
  return String(s)
    .replace(EASTERN_DIGITS, (d) => {
      const c = d.charCodeAt(0);
      return String(c >= 0x06f0 ? c - 0x06f0 : c - 0x0660);
    })
    .replace(/\u066B/g, '.')
    .replace(/\u066C/g, ',');
}

/**
 * Removes bidi marks and invisible characters (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069,
 * U+FEFF, U+061C, U+00AD) that phones and copy-paste insert around Arabic text and numbers.
 */
export function stripInvisible(s: string): string {
  return String(s).replace(INVISIBLE, '');
}

/**
 * The cleaning applied before every validation: strips invisible characters, converts digits to
 * ASCII, collapses whitespace runs to a single space and trims. Input is capped at
 * MAX_INPUT_CHARS characters. Never throws.
 */
export function cleanInput(s: string): string {
  if (typeof s !== 'string') return '';
  return cleanInputMemo(s);
}

// Each validator, the engine and the FAQ clean the same message again.
const cleanInputMemo = memoizeString((s: string) => normalizeDigits(stripInvisible(cap(s))).replace(WHITESPACE_RUN, ' ').trim());

/**
 * cleanInput, then folds the spelling variations that do not change an Arabic word's meaning:
 * compatibility forms (NFKC, e.g. presentation-form ligatures), diacritics and tatweel removed,
 * أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي (but ئ before و → و, the older spelling of ؤ:
 * مسئولية = مسؤولية, شئون = شؤون), Persian ی/ک → ي/ك; Latin is lowercased.
 */
export function normalizeArabic(s: string): string {
  return cleanInput(s)
    .normalize('NFKC')
    .replace(DIACRITICS, '')
    .replace(ALEF_VARIANTS, '\u0627')
    .replace(/\u0649/g, '\u064A') // ى → ي
    .replace(/\u0629/g, '\u0647') // ة → ه
    .replace(/\u0626(?=\u0648)/g, '\u0648') // ئو → وو (مسئول = مسؤول)
    .replace(/\u0624/g, '\u0648') // ؤ → و
    .replace(/\u0626/g, '\u064A') // ئ → ي
    .replace(/\u06CC/g, '\u064A') // ی → ي
    .replace(/\u06A9/g, '\u0643') // ک → ك
    .toLowerCase()
    .replace(WHITESPACE_RUN, ' ')
    .trim();
}

/**
 * The key used to compare keywords and option labels: normalizeArabic, with punctuation
 * (including Arabic ، ؛ ؟) and symbols replaced by spaces, whitespace collapsed and trimmed.
 */
export function matchKey(s: string): string {
  return matchKeyMemo(s);
}

// Labels, lexicon forms and the message itself are keyed again and again in one step.
const matchKeyMemo = memoizeString((s: string) => normalizeArabic(s).replace(PUNCT_OR_SYMBOL, ' ').replace(WHITESPACE_RUN, ' ').trim());

const ARTICLE_PREFIXES = ['\u0628\u0627\u0644', '\u0648\u0627\u0644', '\u0641\u0627\u0644', '\u0644\u0644', '\u0627\u0644']; // بال وال فال لل ال

/** Light stemming of one matchKey token: drops a leading conjunction و and the definite article. */
function stem(token: string): string {
  let t = token;
  const letters = Array.from(t);
  // و + (≥3 letters starting with ال): "والتسجيل" → "التسجيل"
  if (letters[0] === '\u0648' && letters.length - 1 >= 3 && t.startsWith('\u0627\u0644', 1)) {
    t = t.slice(1);
  }
  for (const p of ARTICLE_PREFIXES) {
    if (t.startsWith(p) && Array.from(t.slice(p.length)).length >= 2) {
      return t.slice(p.length);
    }
  }
  return t;
}

/**
 * Splits matchKey(s) into words and lightly stems each one (leading "و" before "ال", then a
 * leading "ال" / "بال" / "لل" / "وال" / "فال" when at least 2 letters remain).
 */
export function tokens(s: string): string[] {
  return [...tokensMemo(s)];
}

const tokensMemo = memoizeString((s: string): readonly string[] => {
  const key = matchKey(s);
  if (key === '') return [];
  return key.split(' ').map(stem);
});
