import { cleanInput, normalizeArabic } from '../text/normalize.ts';
import type { Lang, Validation } from './types.ts';
import { UMALQURA_DAYS, UMALQURA_YEARS, epochDayOf, epochDayToUmalqura, noonOf, umalquraToEpochDay } from './umalqura.ts';

/** A calendar date: year, month (1–12), day (1–31). */
export interface YMD {
  y: number;
  m: number;
  d: number;
}

export type Calendar = 'hijri' | 'gregorian';

export interface DateOptions {
  /** Calendars accepted; default 'either'. */
  calendar?: Calendar | 'either';
  /** Earliest accepted date (inclusive), compared by its UTC calendar day. */
  earliest: Date;
  /** Latest accepted date (inclusive), compared by its UTC calendar day. */
  latest: Date;
  /** Language of the display text (calendar markers); default 'ar'. */
  lang?: Lang;
}

export interface DateValue {
  /** Gregorian date, YYYY-MM-DD. */
  iso: string;
  /** Umm al-Qura Hijri date, YYYY-MM-DD. */
  hijri: string;
  /** The calendar the beneficiary wrote the date in. */
  calendar: Calendar;
}

/** UTC noon of a proleptic Gregorian date (Date.UTC maps years 0–99 to 1900–1999; this does not). */
function utcNoon(y: number, m: number, d: number): Date {
  const date = new Date(Date.UTC(2000, 0, 1, 12));
  date.setUTCFullYear(y, m - 1, d);
  return date;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad4 = (n: number): string => String(n).padStart(4, '0');

/**
 * The Umm al-Qura Hijri date of the UTC calendar day of `date`, from the published table
 * (umalqura.ts, 1318–1500 AH = 1900-04-30 … 2077-11-16). Throws a RangeError for an invalid
 * Date or a day outside the table: it never guesses.
 */
export function gregorianToHijri(date: Date): YMD {
  const h = epochDayToUmalqura(epochDayOf(date));
  if (!h) throw new RangeError(`no Umm al-Qura date for ${String(date)} (table: 1318–1500 AH)`);
  return h;
}

/**
 * The Gregorian date (UTC noon) of an Umm al-Qura Hijri date, or null when that date does not
 * exist (the 30th of a 29-day month, month 13…) or is outside the table (1318–1500 AH).
 */
export function hijriToGregorian(y: number, m: number, d: number): Date | null {
  const day = umalquraToEpochDay(y, m, d);
  return day === null ? null : noonOf(day);
}

/** The Gregorian date for y/m/d at UTC noon, or null if it does not exist (31/02, month 13…). */
function gregorianDate(y: number, m: number, d: number): Date | null {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = utcNoon(y, m, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date;
}

const isoOf = (date: Date): string =>
  `${pad4(date.getUTCFullYear())}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
const dmy = (v: YMD): string => `${pad2(v.d)}/${pad2(v.m)}/${pad4(v.y)}`;
const gregorianYMD = (date: Date): YMD => ({
  y: date.getUTCFullYear(),
  m: date.getUTCMonth() + 1,
  d: date.getUTCDate(),
});

// ---------------------------------------------------------------------------------------------
// Reading a date out of what people write. Everything is matched on dateKey(text): digits in
// ASCII, Arabic spelling folded (أ→ا, ى→ي, ة→ه, no diacritics or tatweel), Latin lowercased
// without accents or apostrophes, and a hyphen between letters read as a space.

function dateKey(raw: string): string {
  return normalizeArabic(raw)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // ā ḥ ṣ → a h s
    .replace(/['’‘`´ʿʾ]/g, '') // Rabi' / Sha‘ban → rabi / shaban
    .replace(/(?<=\p{L})-(?=\p{L})/gu, ' ') // al-Awwal → al awwal (digit dashes stay)
    .replace(/\s+/g, ' ')
    .trim();
}

const NOT_LETTER_AFTER = '(?![\\p{L}])';
const ORD1_AR = '(?:ال)?(?:اولي|اولا|اول|1(?!\\d))';
const ORD2_AR = '(?:ال)?(?:اخره|اخر|ثانيه|ثاني|2(?!\\d))';
const ORD1_EN = '(?:aw+[ae]l|aual|awal|first|1st|oula|oola|ulaa|ula|i|1)(?![a-z0-9])';
const ORD2_EN =
  '(?:thaniyah|thaniya|thaani|thani|saani|sani|aakhir|akhirah|akhira|akhir|akhera|akhar|second|2nd|ii|2)(?![a-z0-9])';
const ART_EN = '\\s?(?:[aueio]?l\\s?)?'; // al / ul / el / il / l, attached or not
const DHU_EN = `(?:dh|z|th|d)[uoi]{1,2}${ART_EN}`;

/** Month spellings: [month number, calendar, pattern on dateKey text]. Longer readings first. */
const MONTH_SPELLINGS: ReadonlyArray<readonly [number, Calendar, string]> = [
  // Hijri, Arabic
  [1, 'hijri', '(?:ال)?محرم(?:\\s?الحرام)?'],
  [2, 'hijri', 'صفر(?:\\s?الخير)?'],
  [3, 'hijri', `ربيع\\s?${ORD1_AR}`],
  [4, 'hijri', `ربيع\\s?${ORD2_AR}`],
  [5, 'hijri', `جماد(?:ي|ا|ه)?\\s?${ORD1_AR}`],
  [6, 'hijri', `جماد(?:ي|ا|ه)?\\s?${ORD2_AR}`],
  [7, 'hijri', 'رجب(?:\\s?الفرد)?'],
  [8, 'hijri', 'شعبان'],
  [9, 'hijri', 'رمضان(?:\\s?المبارك)?'],
  [10, 'hijri', 'شوال'],
  [11, 'hijri', 'ذ[ويا]\\s?(?:ال)?قعده'],
  [12, 'hijri', 'ذ[ويا]\\s?(?:ال)?حجه'],
  // Hijri, English transliteration
  [1, 'hijri', '(?:al\\s?)?m[uo]h?a?r+[ae]m'],
  [2, 'hijri', 's[ao]f+[ae]r'],
  [3, 'hijri', `rab(?:ie|ee|ia|ea|i|e)${ART_EN}${ORD1_EN}`],
  [4, 'hijri', `rab(?:ie|ee|ia|ea|i|e)${ART_EN}${ORD2_EN}`],
  [5, 'hijri', `j[ouae]ma{1,2}d(?:ah|ey|ee|a|i|y)${ART_EN}${ORD1_EN}`],
  [6, 'hijri', `j[ouae]ma{1,2}d(?:ah|ey|ee|a|i|y)${ART_EN}${ORD2_EN}`],
  [7, 'hijri', 'raj[ae]b'],
  [8, 'hijri', 'sh?a{1,2}[ae]?ba{1,2}n'],
  [9, 'hijri', 'ram[ae](?:dh|d|z)a{1,2}n|ramzan'],
  [10, 'hijri', 'sh[ae]u?w+[ae]l'],
  [11, 'hijri', `${DHU_EN}[qk][aei]{1,2}d{1,2}(?:ah|eh|a|e)?`],
  [12, 'hijri', `${DHU_EN}h[ai]j{1,2}(?:ah|eh|a|e)?`],
  // Gregorian, Arabic: Egyptian / Gulf, Levantine / Iraqi, Maghrebi
  [1, 'gregorian', `يناير|كانون\\s?${ORD2_AR}|جانفي`],
  [2, 'gregorian', 'فبراير|فبرير|شباط|فيفري'],
  [3, 'gregorian', 'مارس|اذار'],
  [4, 'gregorian', 'ابريل|افريل|نيسان'],
  [5, 'gregorian', 'مايو|ايار'],
  [6, 'gregorian', 'يونيو|يونيه|حزيران|جوان'],
  [7, 'gregorian', 'يوليو|يوليه|يوليوز|تموز|جويليه'],
  [8, 'gregorian', 'اغسطس|اغسطوس|غشت|اوت|اب'],
  [9, 'gregorian', 'سبتمبر|شتنبر|ايلول'],
  [10, 'gregorian', `اكتوبر|تشرين\\s?${ORD1_AR}`],
  [11, 'gregorian', `نوفمبر|نونبر|تشرين\\s?${ORD2_AR}`],
  [12, 'gregorian', `ديسمبر|دسمبر|دجنبر|كانون\\s?${ORD1_AR}`],
  // Gregorian, English
  [1, 'gregorian', 'january|jan'],
  [2, 'gregorian', 'february|febuary|feburary|feb'],
  [3, 'gregorian', 'march|mar'],
  [4, 'gregorian', 'april|apr'],
  [5, 'gregorian', 'may'],
  [6, 'gregorian', 'june|jun'],
  [7, 'gregorian', 'july|jul'],
  [8, 'gregorian', 'august|agust|augest|aug'],
  [9, 'gregorian', 'september|sept|sep'],
  [10, 'gregorian', 'october|oct'],
  [11, 'gregorian', 'november|nov'],
  [12, 'gregorian', 'december|dec'],
];

const MONTH_EXACT = MONTH_SPELLINGS.map(([month, calendar, p]) => ({ month, calendar, re: new RegExp(`^(?:${p})$`, 'u') }));
/** Which month a matched month text is (the first spelling that reads all of it). */
function monthOf(text: string): { month: number; calendar: Calendar } | undefined {
  const t = text.replace(/\.$/, '');
  return MONTH_EXACT.find((s) => s.re.test(t));
}

const MONTH = `((?:${MONTH_SPELLINGS.map(([, , p]) => `(?:${p})`).join('|')})${NOT_LETTER_AFTER}\\.?)`;
const SUFFIX = '(?:\\s?(ه|هجري|هجريه|هجريا|للهجره|م|ميلادي|ميلاديه|ميلاديا|للميلاد|a\\.h\\.?|ah|h|a\\.d\\.?|ad|ce)(?![\\p{L}\\p{N}]))?';
// "12 رمضان سنة 1410", "12 Ramadan of the year 1410"
const YEAR_WORD = '(?:\\s?(?:سنه|عام|لعام|من عام|of the year|of year|year|of))?';
const DAY = '(\\d{1,2})(?!\\d)(?:\\s?(?:st|nd|rd|th)(?![a-z]))?';
const YEAR = '(\\d{4})(?!\\d)';
const BEFORE = '(?<![\\p{L}\\p{N}])';

// 12 جمادى الأولى 1410 هـ · 15th of January, 1990 · 15-Jan-1990 · ١٥ من شهر رمضان · 15 ينايِر
const DAY_MONTH = new RegExp(
  `${BEFORE}(?:the\\s)?${DAY}\\s?(?:of\\s|من\\s(?:شهر\\s)?|شهر\\s|[/\\-.,،]\\s?)?${MONTH}(?:\\s?[,،/\\-.]?${YEAR_WORD}\\s?${YEAR})?${SUFFIX}`,
  'gu',
);
// January 15, 1990 · Jan 15 1990 · Ramadan 1, 1445
const MONTH_DAY = new RegExp(`${BEFORE}${MONTH}\\s?${DAY}(?:\\s?[,،]?\\s?${YEAR})?${SUFFIX}`, 'gu');
// رمضان 1410 (no day)
const MONTH_YEAR = new RegExp(`${BEFORE}${MONTH}\\s?[,،]?${YEAR_WORD}\\s?${YEAR}`, 'gu');
// 15/1/1990 · 15-01-1990 · 15.1.1990 · 15\1\1990, spaces around the separators allowed
const NUMERIC_DMY = new RegExp(`(?<![\\p{N}/\\\\.\\-])(\\d{1,2})\\s?([/\\-.\\\\])\\s?(\\d{1,2})\\s?\\2\\s?${YEAR}${SUFFIX}`, 'gu');
// 1410/5/12 · 2023-11-27
const NUMERIC_YMD = new RegExp(`(?<![\\p{N}/\\\\.\\-])${YEAR}\\s?([/\\-.\\\\])\\s?(\\d{1,2})\\s?\\2\\s?(\\d{1,2})(?!\\d)${SUFFIX}`, 'gu');
const BARE_MONTH = new RegExp(`${BEFORE}${MONTH}`, 'gu');
// "12 5 1410", "1410 5 12": numbers separated by spaces only, read when they are the message's only digits
const SPACED_DMY = /^\D*?(?<!\d)(\d{1,2}) (\d{1,2}) (\d{4})(?!\d)\D*$/u;
const SPACED_YMD = /^\D*?(?<!\d)(\d{4}) (\d{1,2}) (\d{1,2})(?!\d)\D*$/u;

// A short word right after a date may be a calendar marker this code does not know ("ش", "BC",
// "xyz"): the date is then not read rather than read in the wrong calendar. Ordinary short
// words of a sentence are fine.
const SHORT_AFTER = /^\s?([a-z]{1,3}|[\u0621-\u064a])(?![\p{L}\p{N}])/u;
const SHORT_WORDS = new Set(['in', 'on', 'at', 'is', 'my', 'and', 'i', 'im', 'am', 'so', 'ok', 'pls', 'plz', 'the', 'to', 'or', 'but', 'not', 'yes', 'no', 'was', 'its', 'و']);

const suffixCalendar = (s: string | undefined): Calendar | undefined =>
  s === undefined ? undefined : /^(?:ه|هجري|هجريه|هجريا|للهجره|a\.h\.?|ah|h)$/.test(s) ? 'hijri' : 'gregorian';

/** A date found in the text, possibly incomplete (no day or no year). */
interface Found {
  start: number;
  end: number;
  y?: number;
  m: number;
  d?: number;
  /** The calendar a month name says. */
  named?: Calendar;
  /** The calendar a suffix (هـ, م, AH, AD) says. */
  marked?: Calendar;
  /** An unknown short word right after the date. */
  strangeSuffix: boolean;
}

function findDates(key: string): { complete: Found[]; incomplete: boolean } {
  const found: Found[] = [];
  const overlaps = (s: number, e: number): boolean => found.some((f) => s < f.end && f.start < e);
  const add = (f: Omit<Found, 'strangeSuffix'>): void => {
    if (overlaps(f.start, f.end)) return;
    const after = SHORT_AFTER.exec(key.slice(f.end));
    const strangeSuffix = f.marked === undefined && !!after && !SHORT_WORDS.has(after[1]!);
    found.push({ ...f, strangeSuffix });
  };
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  for (const r of key.matchAll(NUMERIC_DMY)) {
    add({ start: r.index, end: r.index + r[0].length, d: num(r[1]), m: Number(r[3]), y: num(r[4]), marked: suffixCalendar(r[5]) });
  }
  for (const r of key.matchAll(NUMERIC_YMD)) {
    add({ start: r.index, end: r.index + r[0].length, y: num(r[1]), m: Number(r[3]), d: num(r[4]), marked: suffixCalendar(r[5]) });
  }
  for (const [re, order] of [[SPACED_DMY, 'dmy'], [SPACED_YMD, 'ymd']] as const) {
    const r = re.exec(key);
    if (!r) continue;
    const start = key.search(/\d/); // the message has no digits before the date
    const text = `${r[1]} ${r[2]} ${r[3]}`;
    const rest = key.slice(start + text.length);
    const marker = /^\s?(ه|هجري|هجريه|هجريا|للهجره|م|ميلادي|ميلاديه|ميلاديا|للميلاد|a\.h\.?|ah|h|a\.d\.?|ad|ce)(?![\p{L}\p{N}])/u.exec(rest);
    const [y, m, d] = order === 'dmy' ? [r[3], r[2], r[1]] : [r[1], r[2], r[3]];
    add({ start, end: start + text.length + (marker ? marker[0].length : 0), y: num(y), m: Number(m), d: num(d), marked: suffixCalendar(marker?.[1]) });
  }
  const named = (re: RegExp, order: 'dmy' | 'mdy' | 'my'): void => {
    for (const r of key.matchAll(re)) {
      const [dayText, monthText, yearText, suffix] =
        order === 'dmy' ? [r[1], r[2], r[3], r[4]] : order === 'mdy' ? [r[2], r[1], r[3], r[4]] : [undefined, r[1], r[2], undefined];
      const month = monthOf(monthText!);
      if (!month) continue;
      add({ start: r.index, end: r.index + r[0].length, d: num(dayText), m: month.month, y: num(yearText), named: month.calendar, marked: suffixCalendar(suffix) });
    }
  };
  // Every month spelling has a letter: a text of digits and separators names no month.
  const letters = /\p{L}/u.test(key);
  if (letters) {
    named(DAY_MONTH, 'dmy');
    named(MONTH_DAY, 'mdy');
    named(MONTH_YEAR, 'my');
  }
  const complete = found.filter((f) => f.y !== undefined && f.d !== undefined).sort((a, b) => a.start - b.start);
  // A month name alone ("رمضان", "January") says the beneficiary meant a date; "may", "mar",
  // "اب" alone are ordinary words.
  const bare = letters && [...key.matchAll(BARE_MONTH)].some((r) => r[1]!.length >= 4 && !/^(?:may|march)$/.test(r[1]!));
  return { complete, incomplete: found.length > complete.length || bare };
}

/** The table's first and last days, for bounds. */
const TABLE_FIRST = noonOf(UMALQURA_DAYS.first);
const TABLE_LAST = noonOf(UMALQURA_DAYS.last);

/** Reads one found date: its calendar, whether it exists, its bounds. */
function readFound(f: Found, opts: DateOptions): Validation<DateValue> {
  if (f.strangeSuffix) return { ok: false, code: 'date_format' };
  if (f.named && f.marked && f.named !== f.marked) return { ok: false, code: 'date_format' }; // "15 يناير 1410 هـ"
  const { y, m } = f as Required<Found>;
  const d = f.d!;
  let calendar = f.named ?? f.marked;
  if (calendar === undefined) {
    if (y < 1600) calendar = 'hijri';
    else if (y >= 1800) calendar = 'gregorian';
    else return { ok: false, code: 'date_format' }; // 1600–1799 without a marker: cannot tell
  }
  const allowed = opts.calendar ?? 'either';
  if (allowed !== 'either' && allowed !== calendar) return { ok: false, code: 'date_format' };

  // The bounds, shown in the calendar the beneficiary used. A Hijri bound cannot be shown
  // outside the table, so for Hijri the bounds are brought inside it.
  const bound = (which: Date, side: 'earliest' | 'latest'): { iso: string; text: string } => {
    const edge = side === 'earliest' ? TABLE_FIRST : TABLE_LAST;
    let b = which instanceof Date && !Number.isNaN(which.getTime()) ? gregorianDate(which.getUTCFullYear(), which.getUTCMonth() + 1, which.getUTCDate()) : null;
    if (!b || (calendar === 'hijri' && (side === 'earliest' ? b < edge : b > edge))) b = edge;
    const text = calendar === 'hijri' ? dmy(gregorianToHijri(b)) : dmy(gregorianYMD(b));
    return { iso: isoOf(b), text };
  };
  const tooEarly = (b: { iso: string; text: string }): Validation<DateValue> => ({ ok: false, code: 'date_too_early', params: { bound: b.text, calendar: calendar!, iso: b.iso } });
  const tooLate = (b: { iso: string; text: string }): Validation<DateValue> => ({ ok: false, code: 'date_too_late', params: { bound: b.text, calendar: calendar!, iso: b.iso } });

  let date: Date | null;
  if (calendar === 'hijri') {
    // Before 1318 or after 1500 AH the table says nothing: the date is certainly outside it.
    if (y < UMALQURA_YEARS.first) return tooEarly(bound(opts.earliest, 'earliest'));
    if (y > UMALQURA_YEARS.last) return tooLate(bound(opts.latest, 'latest'));
    date = hijriToGregorian(y, m, d);
  } else {
    date = gregorianDate(y, m, d);
  }
  if (!date) return { ok: false, code: 'date_invalid' };
  const iso = isoOf(date);

  const earliest = bound(opts.earliest, 'earliest');
  if (iso < earliest.iso) return tooEarly(earliest);
  const latest = bound(opts.latest, 'latest');
  if (iso > latest.iso) return tooLate(latest);
  // A Gregorian date inside the bounds but outside the table has no Hijri date to store.
  if (date < TABLE_FIRST) return tooEarly({ iso: isoOf(TABLE_FIRST), text: dmy(gregorianYMD(TABLE_FIRST)) });
  if (date > TABLE_LAST) return tooLate({ iso: isoOf(TABLE_LAST), text: dmy(gregorianYMD(TABLE_LAST)) });

  const hijri = calendar === 'hijri' ? { y, m, d } : gregorianToHijri(date);
  const value: DateValue = { iso, hijri: `${pad4(hijri.y)}-${pad2(hijri.m)}-${pad2(hijri.d)}`, calendar };
  return { ok: true, value, display: formatDateValue(value, opts.lang ?? 'ar') };
}

/**
 * Validates a date written in the Hijri (Umm al-Qura) or Gregorian calendar, alone or inside a
 * sentence ("مواليد 15/1/1990", "born on 15/01/1990.", "انا مواليد ١٤١٠/٥/١٢ هـ"):
 * - numbers: d/m/yyyy, dd-mm-yyyy, d.m.yyyy, yyyy/mm/dd, yyyy-mm-dd, any digits;
 * - month names, Arabic and English, in their common spellings: Hijri ("١٢ جمادى الأولى ١٤١٠",
 *   "8 ذي الحجة 1448", "12 Jumada al-Ula 1410", "1 Ramadan 1445"), Gregorian ("15 يناير 1990",
 *   "15 كانون الثاني 1990", "January 15, 1990", "15th of Jan 1990"). A Hijri month name makes
 *   the date Hijri, a Gregorian one Gregorian (the Levantine names are the Gregorian months);
 * - an optional marker after the date: هـ / ه / هجري / AH (Hijri), م / ميلادي / AD (Gregorian).
 *   Otherwise a year below 1600 is Hijri and from 1800 Gregorian.
 * Hijri dates are converted with the Umm al-Qura table (1318–1500 AH); outside it a date is
 * refused as too early / too late, never guessed.
 * Codes: empty, date_format, date_incomplete (a month name without day or year),
 * date_ambiguous (two different dates), date_invalid, date_too_early / date_too_late
 * {bound, calendar, iso}.
 * Display: "13/05/1445 هـ (27/11/2023 م)", the written calendar first, with the markers of
 * opts.lang (English: "13/05/1445 AH (27/11/2023)").
 */
export function validateDate(raw: string, opts: DateOptions): Validation<DateValue> {
  const cleaned = cleanInput(raw);
  if (cleaned === '') return { ok: false, code: 'empty' };
  const { complete, incomplete } = findDates(dateKey(cleaned));
  if (complete.length === 0) return { ok: false, code: incomplete ? 'date_incomplete' : 'date_format' };
  const readings = complete.map((f) => readFound(f, opts));
  const first = readings[0]!;
  // The same day written twice ("12/5/1410 هـ الموافق 10/12/1989 م") is one date.
  const same = readings.every((r) => r.ok && first.ok && r.value.iso === first.value.iso);
  if (readings.length > 1 && !same) return { ok: false, code: 'date_ambiguous' };
  return first;
}

/** "1445-05-13" → "13/05/1445"; anything else is returned as it is. */
const dmyOf = (ymd: string): string => {
  const m = /^(\d{1,4})-(\d{1,2})-(\d{1,2})$/.exec(ymd);
  return m ? `${pad2(Number(m[3]))}/${pad2(Number(m[2]))}/${pad4(Number(m[1]))}` : ymd;
};

/**
 * How an accepted date is shown back, the written calendar first, with the calendar markers of
 * the language: Arabic "13/05/1445 هـ (27/11/2023 م)", English "13/05/1445 AH (27/11/2023)";
 * a Gregorian date: "27/11/2023 م (13/05/1445 هـ)" / "27/11/2023 (13/05/1445 AH)".
 */
export function formatDateValue(value: DateValue, lang: Lang): string {
  const hijriText = `${dmyOf(value.hijri)} ${lang === 'en' ? 'AH' : 'هـ'}`;
  const gregorianText = lang === 'en' ? dmyOf(value.iso) : `${dmyOf(value.iso)} م`;
  return value.calendar === 'hijri' ? `${hijriText} (${gregorianText})` : `${gregorianText} (${hijriText})`;
}
