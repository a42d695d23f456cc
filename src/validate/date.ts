import { cleanInput } from '../text/normalize.ts';
import type { Lang, Validation } from './types.ts';

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

const DAY_MS = 86_400_000;
const HIJRI_FORMAT = new Intl.DateTimeFormat('en-u-ca-islamic-umalqura-nu-latn', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});
const MEAN_HIJRI_YEAR_DAYS = 354.36667;
const MEAN_HIJRI_MONTH_DAYS = 29.530589;

/** UTC noon of a proleptic Gregorian date (Date.UTC maps years 0–99 to 1900–1999; this does not). */
function utcNoon(y: number, m: number, d: number): Date {
  const date = new Date(Date.UTC(2000, 0, 1, 12));
  date.setUTCFullYear(y, m - 1, d);
  return date;
}

/** 1 Muharram 1 AH (16 July 622 Julian = 19 July 622 proleptic Gregorian), UTC noon. */
const HIJRI_EPOCH_MS = utcNoon(622, 7, 19).getTime();

const pad2 = (n: number): string => String(n).padStart(2, '0');
const pad4 = (n: number): string => String(n).padStart(4, '0');

/**
 * The Umm al-Qura Hijri date of the UTC calendar day of `date` (via Intl's 'islamic-umalqura'
 * calendar). Throws a RangeError for an invalid Date.
 */
export function gregorianToHijri(date: Date): YMD {
  const parts = HIJRI_FORMAT.formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { y: get('year'), m: get('month'), d: get('day') };
}

/**
 * The Gregorian date (UTC noon) of an Umm al-Qura Hijri date, or null when that date does not
 * exist (e.g. the 30th of a 29-day month, month 13) or is outside years 1–9999 AH.
 * Estimates from mean month lengths, then corrects with Intl and verifies the round trip.
 */
export function hijriToGregorian(y: number, m: number, d: number): Date | null {
  if (![y, m, d].every(Number.isInteger)) return null;
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 30) return null;
  const target = (y - 1) * 12 + (m - 1);
  let ms =
    HIJRI_EPOCH_MS +
    Math.round((y - 1) * MEAN_HIJRI_YEAR_DAYS + (m - 1) * MEAN_HIJRI_MONTH_DAYS + (d - 1)) * DAY_MS;
  for (let i = 0; i < 6; i++) {
    const h = gregorianToHijri(new Date(ms));
    const monthDiff = target - ((h.y - 1) * 12 + (h.m - 1));
    const dayDiff = Math.round(monthDiff * MEAN_HIJRI_MONTH_DAYS) + (d - h.d);
    if (dayDiff === 0) break;
    ms += dayDiff * DAY_MS;
  }
  // The estimate is now within a day or two (or oscillating around a missing 30th): scan nearby.
  for (const offset of [0, -1, 1, -2, 2, -3, 3]) {
    const candidate = new Date(ms + offset * DAY_MS);
    const h = gregorianToHijri(candidate);
    if (h.y === y && h.m === m && h.d === d) return candidate;
  }
  return null;
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

// d/m/yyyy or yyyy/m/d with / - . \ as separators (spaces allowed around them), optional suffix.
const DAY_FIRST = /^(\d{1,2})\s?([\/\-.\\])\s?(\d{1,2})\s?\2\s?(\d{4})(?:\s?(.*))?$/;
const YEAR_FIRST = /^(\d{4})\s?([\/\-.\\])\s?(\d{1,2})\s?\2\s?(\d{1,2})(?:\s?(.*))?$/;

// Compared without tatweel and without a trailing dot ("هـ" → "ه", "A.H." → "a.h").
const HIJRI_SUFFIXES = new Set(['ه', 'هجري', 'هجريه', 'هجرية', 'ah', 'a.h', 'h']);
const GREGORIAN_SUFFIXES = new Set(['م', 'ميلادي', 'ميلاديه', 'ميلادية', 'ad', 'a.d', 'ce']);

/** Reads the calendar suffix; undefined = none, null = unrecognised text. */
function suffixCalendar(suffix: string | undefined): Calendar | undefined | null {
  if (suffix === undefined) return undefined;
  const s = suffix.replace(/\u0640/g, '').trim().toLowerCase().replace(/\.$/, '');
  if (s === '') return undefined;
  if (HIJRI_SUFFIXES.has(s)) return 'hijri';
  if (GREGORIAN_SUFFIXES.has(s)) return 'gregorian';
  return null;
}

/**
 * Validates a date written in the Hijri (Umm al-Qura) or Gregorian calendar: d/m/yyyy,
 * dd-mm-yyyy, d.m.yyyy, yyyy/mm/dd, yyyy-mm-dd, any digits, optional suffix هـ / ه / AH (Hijri)
 * or م / AD (Gregorian). Without a suffix a year below 1600 is Hijri and from 1800 Gregorian.
 * Codes: empty, date_format, date_invalid, date_too_early / date_too_late {bound, calendar, iso}.
 * Display: "13/05/1445 هـ (27/11/2023 م)", the written calendar first, with the markers of
 * opts.lang (English: "13/05/1445 AH (27/11/2023)").
 */
export function validateDate(raw: string, opts: DateOptions): Validation<DateValue> {
  const cleaned = cleanInput(raw);
  if (cleaned === '') return { ok: false, code: 'empty' };

  let y: number, m: number, d: number, suffix: string | undefined;
  const dayFirst = DAY_FIRST.exec(cleaned);
  const yearFirst = dayFirst ? null : YEAR_FIRST.exec(cleaned);
  if (dayFirst) {
    [d, m, y, suffix] = [Number(dayFirst[1]), Number(dayFirst[3]), Number(dayFirst[4]), dayFirst[5]];
  } else if (yearFirst) {
    [y, m, d, suffix] = [Number(yearFirst[1]), Number(yearFirst[3]), Number(yearFirst[4]), yearFirst[5]];
  } else {
    return { ok: false, code: 'date_format' };
  }

  let calendar = suffixCalendar(suffix);
  if (calendar === null) return { ok: false, code: 'date_format' };
  if (calendar === undefined) {
    if (y < 1600) calendar = 'hijri';
    else if (y >= 1800) calendar = 'gregorian';
    else return { ok: false, code: 'date_format' }; // 1600–1799 without a suffix: cannot tell
  }
  const allowed = opts.calendar ?? 'either';
  if (allowed !== 'either' && allowed !== calendar) return { ok: false, code: 'date_format' };

  const date = calendar === 'hijri' ? hijriToGregorian(y, m, d) : gregorianDate(y, m, d);
  if (!date) return { ok: false, code: 'date_invalid' };
  const hijri = calendar === 'hijri' ? { y, m, d } : gregorianToHijri(date);
  const iso = isoOf(date);

  const bound = (which: Date): { iso: string; text: string } | null => {
    if (!(which instanceof Date) || Number.isNaN(which.getTime())) return null;
    const b = gregorianDate(which.getUTCFullYear(), which.getUTCMonth() + 1, which.getUTCDate());
    if (!b) return null;
    const text = calendar === 'hijri' ? dmy(gregorianToHijri(b)) : dmy(gregorianYMD(b));
    return { iso: isoOf(b), text };
  };
  const earliest = bound(opts.earliest);
  if (earliest && iso < earliest.iso) {
    return { ok: false, code: 'date_too_early', params: { bound: earliest.text, calendar, iso: earliest.iso } };
  }
  const latest = bound(opts.latest);
  if (latest && iso > latest.iso) {
    return { ok: false, code: 'date_too_late', params: { bound: latest.text, calendar, iso: latest.iso } };
  }

  const value: DateValue = { iso, hijri: `${pad4(hijri.y)}-${pad2(hijri.m)}-${pad2(hijri.d)}`, calendar };
  return { ok: true, value, display: formatDateValue(value, opts.lang ?? 'ar') };
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
