import { cleanInput, matchKey } from '../text/normalize.ts';
import type { Validation } from './types.ts';

export interface IntegerOptions {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

/** Number words 0–20, keyed by their matchKey (so spelling variants such as ة/ه or إ/ا fold together). */
const NUMBER_WORDS: ReadonlyMap<string, number> = (() => {
  const words = new Map<string, number>();
  const add = (n: number, ...forms: string[]): void => {
    for (const f of forms) words.set(matchKey(f), n);
  };
  const units: Record<number, string[]> = {
    3: ['ثلاثة', 'ثلاث'],
    4: ['أربعة', 'أربع'],
    5: ['خمسة', 'خمس'],
    6: ['ستة', 'ست'],
    7: ['سبعة', 'سبع'],
    8: ['ثمانية', 'ثماني', 'ثمان'],
    9: ['تسعة', 'تسع'],
  };
  const ten = ['عشر', 'عشرة'];
  add(0, 'صفر', 'zero');
  add(1, 'واحد', 'واحدة', 'one');
  add(2, 'اثنان', 'اثنين', 'اثنتان', 'اثنتين', 'ثنتين', 'ثنين', 'two');
  for (const [n, forms] of Object.entries(units)) add(Number(n), ...forms);
  add(10, ...ten);
  for (const a of ['أحد', 'إحدى']) for (const t of ten) add(11, `${a} ${t}`, `${a}${t}`);
  for (const a of ['اثنا', 'اثني', 'اثنتا', 'اثنتي']) for (const t of ten) add(12, `${a} ${t}`);
  for (const [n, forms] of Object.entries(units)) {
    for (const a of forms) for (const t of ten) add(10 + Number(n), `${a} ${t}`);
  }
  add(20, 'عشرون', 'عشرين');
  const english = ['three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
    'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
  english.forEach((w, i) => add(i + 3, w));
  return words;
})();

// Optional sign, then either plain digits or digits grouped by thousands commas; an optional final dot ("3.").
const NUMERAL = /^([+\-\u2212]?)\s?(\d+|\d{1,3}(?:,\d{3})+)\.?$/;

/**
 * Validates a whole number written with ASCII, Arabic-Indic or Persian digits (thousands commas
 * allowed) or as an Arabic/English number word from 0 to 20 (ثلاثة، ثلاث، three…), then checks
 * min/max. Codes: empty, int_format, int_range {min?, max?}.
 */
export function validateInteger(raw: string, opts: IntegerOptions = {}): Validation<number> {
  const cleaned = cleanInput(raw);
  if (cleaned === '') return { ok: false, code: 'empty' };

  let value: number | undefined;
  const numeral = NUMERAL.exec(cleaned);
  if (numeral) {
    const magnitude = Number((numeral[2] ?? '').replace(/,/g, ''));
    value = numeral[1] === '' || numeral[1] === '+' ? magnitude : -magnitude;
  } else {
    value = NUMBER_WORDS.get(matchKey(cleaned));
  }
  if (value === undefined) return { ok: false, code: 'int_format' };

  const params: Record<string, number> = {};
  if (opts.min !== undefined) params.min = opts.min;
  if (opts.max !== undefined) params.max = opts.max;
  const tooBig = !Number.isSafeInteger(value);
  if (tooBig && opts.min === undefined && opts.max === undefined) return { ok: false, code: 'int_format' };
  if (tooBig || (opts.min !== undefined && value < opts.min) || (opts.max !== undefined && value > opts.max)) {
    return { ok: false, code: 'int_range', params };
  }
  if (Object.is(value, -0)) value = 0;
  return { ok: true, value, display: String(value) };
}
