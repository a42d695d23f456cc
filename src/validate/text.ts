import { cleanInput, MAX_INPUT_CHARS } from '../text/normalize.ts';
import { extractCity, extractName, stripEmoji, trimEdges } from './extract.ts';
import type { Validation } from './types.ts';

/** What a free-text answer is, so the words around it can be dropped. */
export type TextKind = 'name' | 'city';

export interface TextOptions {
  /** Minimum length in characters (code points). */
  min?: number;
  /** Maximum length in characters (code points). */
  max?: number;
  /** Minimum number of words (space-separated runs containing a letter or digit). */
  minWords?: number;
  /** Only letters, spaces, hyphens, apostrophes and dots (e.g. a person's name). */
  lettersOnly?: boolean;
  /**
   * name: lead-ins such as "اسمي", "انا اسمي", "الاسم:", "my name is", "I am", "انا" are dropped;
   * city: "ساكن في", "اسكن ب", "من", "I live in" are dropped. Both also drop emoji, edge
   * punctuation and trailing courtesy words ("شكرا", "thanks").
   */
  kind?: TextKind;
}

// Letters (any script) with their combining marks (Arabic diacritics), spaces, - ' ’ ‘ and dots.
const LETTERS_ONLY = /^[\p{L}\p{M} \-\u2010\u2011'\u2019\u2018.]*$/u;
const WORD = /[\p{L}\p{N}]/u;

/**
 * Validates free text after cleanInput (invisible characters removed, digits ASCII, whitespace
 * collapsed) and returns the cleaned text: for a name or a city only the name or city (see
 * `kind`); for a letters-only field without emoji and edge punctuation ("محمد عبدالله 🙏" →
 * "محمد عبدالله"). Checks run in the order: empty, too_long {max, got} (also for input beyond
 * MAX_INPUT_CHARS), letters_only, too_short {min}, too_few_words {minWords}.
 */
export function validateText(raw: string, opts: TextOptions = {}): Validation<string> {
  if (cleanInput(raw) === '') return { ok: false, code: 'empty' };
  let cleaned = cleanInput(raw);
  if (opts.kind === 'name') cleaned = extractName(raw) || cleaned;
  else if (opts.kind === 'city') cleaned = extractCity(raw) || cleaned;
  else if (opts.lettersOnly) cleaned = trimEdges(stripEmoji(cleaned).replace(/\s+/g, ' ')) || cleaned;
  if (raw.length > MAX_INPUT_CHARS) {
    // cleanInput truncated it: refuse rather than silently keep a part.
    return { ok: false, code: 'too_long', params: { max: opts.max ?? MAX_INPUT_CHARS, got: raw.length } };
  }
  const length = Array.from(cleaned).length;
  if (opts.max !== undefined && length > opts.max) {
    return { ok: false, code: 'too_long', params: { max: opts.max, got: length } };
  }
  if (opts.lettersOnly && !LETTERS_ONLY.test(cleaned)) return { ok: false, code: 'letters_only' };
  if (opts.min !== undefined && length < opts.min) return { ok: false, code: 'too_short', params: { min: opts.min } };
  if (opts.minWords !== undefined) {
    const words = cleaned.split(' ').filter((w) => WORD.test(w)).length;
    if (words < opts.minWords) return { ok: false, code: 'too_few_words', params: { minWords: opts.minWords } };
  }
  return { ok: true, value: cleaned, display: cleaned };
}
