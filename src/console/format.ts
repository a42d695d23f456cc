/**
 * How the console shows times, dates and numbers: in the association's time zone (a 10:00
 * Riyadh message reads 10:00, not the UTC 07:00), in the viewer's language, with the Umm
 * al-Qura Hijri date beside the Gregorian one where staff compare with documents, and every
 * number, phone, date and reference isolated so it reads in order inside Arabic text.
 * Every function returns HTML (escaped) for the templates' raw `<%~ %>`.
 */
import type { FlowFile } from '../flows/schema.ts';
import { esc } from '../server/html.ts';
import { splitNumberRuns } from '../text/bidi.ts';
import { gregorianToHijri } from '../validate/date.ts';
import type { Lang } from './views.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Riyadh';

/**
 * The association's time zone. Read in this one place (today from the flow's working hours)
 * so the setting can move without touching the pages.
 */
export function associationTimeZone(flow: Pick<FlowFile, 'working_hours'> | undefined): string {
  const zone = flow?.working_hours?.timezone;
  if (!zone) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

export interface Formatter {
  readonly lang: Lang;
  readonly timeZone: string;
  /** 10:00 */
  time(iso: string | null | undefined): string;
  /** 2 ديسمبر 2026، 10:00 / 2 Dec 2026, 10:00 */
  dateTime(iso: string | null | undefined): string;
  /** The time alone for today (in the association's zone), with the date otherwise: a chat log's stamp. */
  when(iso: string | null | undefined, now?: Date): string;
  /** dateTime as plain text, for attributes (title="…"). */
  dateTimeText(iso: string | null | undefined): string;
  /** 2 ديسمبر 2026 / 2 Dec 2026 */
  date(iso: string | null | undefined): string;
  /** The date with its Umm al-Qura Hijri date: 2 ديسمبر 2026 (12/06/1448 هـ) */
  dateHijri(iso: string | null | undefined, withTime?: boolean): string;
  /** A value that reads left to right (reference, phone, ID, message id), isolated. */
  ltr(value: unknown): string;
  /** Free text (a message, a shown answer) with each number run isolated. */
  text(value: unknown): string;
}

const locale = (lang: Lang) => (lang === 'ar' ? 'ar-SA-u-nu-latn-ca-gregory' : 'en-GB');
const cache = new Map<string, Formatter>();

/** The formatter for one language and time zone (kept: Intl formatters are costly to build). */
export function formatter(lang: Lang, timeZone: string = DEFAULT_TIME_ZONE): Formatter {
  const key = `${lang}|${timeZone}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const base = { timeZone, hourCycle: 'h23' as const };
  const time = new Intl.DateTimeFormat(locale(lang), { ...base, hour: '2-digit', minute: '2-digit' });
  const date = new Intl.DateTimeFormat(locale(lang), { ...base, day: 'numeric', month: 'short', year: 'numeric' });
  const dateTime = new Intl.DateTimeFormat(locale(lang), { ...base, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const parse = (iso: string | null | undefined): Date | undefined => {
    if (!iso) return undefined;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const wrap = (text: string) => `<bdi>${esc(text)}</bdi>`;
  const none = '—';
  const hijri = (d: Date): string => {
    // The Hijri date of the association's local calendar day, not of the UTC day.
    const [y, m, day] = ymd.format(d).split('-').map(Number) as [number, number, number];
    try {
      const h = gregorianToHijri(new Date(Date.UTC(y, m - 1, day, 12)));
      return `${String(h.d).padStart(2, '0')}/${String(h.m).padStart(2, '0')}/${h.y} ${lang === 'ar' ? 'هـ' : 'AH'}`;
    } catch {
      return '';
    }
  };
  const f: Formatter = {
    lang,
    timeZone,
    time: (iso) => {
      const d = parse(iso);
      return d ? `<bdi dir="ltr">${esc(time.format(d))}</bdi>` : none;
    },
    dateTime: (iso) => {
      const d = parse(iso);
      return d ? wrap(dateTime.format(d)) : none;
    },
    when: (iso, now = new Date()) => {
      const d = parse(iso);
      if (!d) return none;
      return ymd.format(d) === ymd.format(now) ? f.time(iso) : wrap(dateTime.format(d));
    },
    dateTimeText: (iso) => {
      const d = parse(iso);
      return d ? dateTime.format(d) : none;
    },
    date: (iso) => {
      const d = parse(iso);
      return d ? wrap(date.format(d)) : none;
    },
    dateHijri: (iso, withTime = false) => {
      const d = parse(iso);
      if (!d) return none;
      const h = hijri(d);
      return `${wrap((withTime ? dateTime : date).format(d))}${h ? ` <span class="hijri">(<bdi dir="ltr">${esc(h)}</bdi>)</span>` : ''}`;
    },
    ltr: (value) => (value === null || value === undefined || value === '' ? none : `<bdi dir="ltr">${esc(value)}</bdi>`),
    text: (value) =>
      splitNumberRuns(String(value ?? ''))
        .map((p) => (p.number ? `<bdi dir="ltr">${esc(p.text)}</bdi>` : esc(p.text)))
        .join(''),
  };
  cache.set(key, f);
  return f;
}

/** Formatters per association for one viewer's language: each association's own time zone. */
export type FormatFor = (associationId?: string) => Formatter;

/** The day after a `YYYY-MM-DD` day. */
export function nextDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The instant (ISO, UTC) a `YYYY-MM-DD` day begins in a time zone: 2026-12-02 in Riyadh is 2026-12-01T21:00:00.000Z. */
export function dayStart(day: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at that moment (twice: the offset may change across the day's start).
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - t;
  };
  const first = midnightUtc - offsetAt(midnightUtc);
  return new Date(midnightUtc - offsetAt(first)).toISOString();
}
