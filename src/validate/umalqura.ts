import { UMALQURA_FIRST_DAY, UMALQURA_FIRST_YEAR, UMALQURA_MONTH_LENGTHS } from './umalqura-data.ts';

/**
 * Umm al-Qura Hijri ↔ Gregorian conversion from the published month table
 * (umalqura-data.ts, 1318–1500 AH = 30 April 1900 – 16 November 2077). Days are counted as
 * whole UTC days since 1970-01-01 ("epoch days"). Outside the table every function answers
 * null: it never extrapolates.
 */

export interface HijriYMD {
  y: number;
  m: number;
  d: number;
}

const DAY_MS = 86_400_000;

/** Epoch day of the first day of each month; one more entry marks the end of the table. */
const MONTH_STARTS: Int32Array = (() => {
  const lines = UMALQURA_MONTH_LENGTHS.trim().split('\n');
  const starts = new Int32Array(lines.length * 12 + 1);
  const first = new Date(0);
  first.setUTCFullYear(UMALQURA_FIRST_DAY.y, UMALQURA_FIRST_DAY.m - 1, UMALQURA_FIRST_DAY.d);
  let day = Math.round(first.getTime() / DAY_MS);
  lines.forEach((line, i) => {
    const [year, ...lengths] = line.trim().split(/\s+/).map(Number);
    if (year !== UMALQURA_FIRST_YEAR + i || lengths.length !== 12 || lengths.some((n) => !(n >= 28 && n <= 31))) {
      throw new Error(`umalqura-data: bad line ${i + 1}: ${line}`); // a broken data file, found at load
    }
    lengths.forEach((n, m) => {
      starts[i * 12 + m] = day;
      day += n;
    });
  });
  starts[lines.length * 12] = day;
  return starts;
})();

/** First and last Hijri years of the table. */
export const UMALQURA_YEARS = { first: UMALQURA_FIRST_YEAR, last: UMALQURA_FIRST_YEAR + (MONTH_STARTS.length - 1) / 12 - 1 };
/** First and last epoch days of the table (inclusive). */
export const UMALQURA_DAYS = { first: MONTH_STARTS[0]!, last: MONTH_STARTS[MONTH_STARTS.length - 1]! - 1 };

const monthIndex = (y: number, m: number): number | null =>
  Number.isInteger(y) && Number.isInteger(m) && m >= 1 && m <= 12 && y >= UMALQURA_YEARS.first && y <= UMALQURA_YEARS.last
    ? (y - UMALQURA_YEARS.first) * 12 + (m - 1)
    : null;

/** Days in Hijri month m of year y (29 or 30; 28 or 31 in eight historical months), or null outside the table. */
export function umalquraMonthLength(y: number, m: number): number | null {
  const i = monthIndex(y, m);
  return i === null ? null : MONTH_STARTS[i + 1]! - MONTH_STARTS[i]!;
}

/** The epoch day of Umm al-Qura y/m/d, or null when the day does not exist or is outside the table. */
export function umalquraToEpochDay(y: number, m: number, d: number): number | null {
  const i = monthIndex(y, m);
  if (i === null || !Number.isInteger(d) || d < 1) return null;
  const start = MONTH_STARTS[i]!;
  return d <= MONTH_STARTS[i + 1]! - start ? start + d - 1 : null;
}

/** The Umm al-Qura date of an epoch day, or null outside the table. */
export function epochDayToUmalqura(day: number): HijriYMD | null {
  if (!Number.isInteger(day) || day < UMALQURA_DAYS.first || day > UMALQURA_DAYS.last) return null;
  let lo = 0;
  let hi = MONTH_STARTS.length - 2; // the last month's index
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (MONTH_STARTS[mid]! <= day) lo = mid;
    else hi = mid - 1;
  }
  return { y: UMALQURA_YEARS.first + Math.floor(lo / 12), m: (lo % 12) + 1, d: day - MONTH_STARTS[lo]! + 1 };
}

/** The epoch day of the UTC calendar day of a Date (NaN for an invalid Date). */
export const epochDayOf = (date: Date): number => Math.floor(date.getTime() / DAY_MS);

/** UTC noon of an epoch day. */
export const noonOf = (day: number): Date => new Date(day * DAY_MS + DAY_MS / 2);
