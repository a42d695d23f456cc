/**
 * Working hours in the association's time zone. A flow states them only when the association
 * has (`confirmed`); otherwise the SLA timers count in DEFAULT_WORKING_HOURS and the bot never
 * names days or times to a beneficiary.
 */
import type { WorkingHours } from '../flows/schema.ts';
import type { Lang } from './types.ts';
import { weekdayLabel, type MessageKey } from './messages.ts';
import { gregorianToHijri } from '../validate/date.ts';

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, at: Date): { day: string; time: string } {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    FORMATTERS.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: String(parts.weekday).toLowerCase().slice(0, 3), time: `${parts.hour}:${parts.minute}` };
}

/** Whether `at` falls inside the association's working hours. */
export function isWorkingTime(hours: WorkingHours, at: Date): boolean {
  const { day, time } = partsIn(hours.timezone, at);
  return (hours.days as string[]).includes(day) && time >= hours.start && time < hours.end;
}

const WEEK = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** "الأحد–الخميس 08:00–15:00"; days that do not follow each other are listed ("Sunday, Tuesday 09:00–12:00"). */
export function describeHours(hours: WorkingHours, lang: Lang): string {
  const days = WEEK.filter((d) => hours.days.includes(d));
  const first = days[0] ?? 'sun';
  const last = days[days.length - 1] ?? first;
  const consecutive = WEEK.indexOf(last) - WEEK.indexOf(first) === days.length - 1;
  const text =
    days.length <= 1 ? weekdayLabel(first, lang)
    : consecutive && days.length > 2 ? `${weekdayLabel(first, lang)}–${weekdayLabel(last, lang)}`
    : days.map((d) => weekdayLabel(d, lang)).join(lang === 'ar' ? '، ' : ', ');
  return `${text} ${hours.start}–${hours.end}`;
}

/**
 * What the bot tells a beneficiary whose conversation goes to staff. Hours the association
 * has not confirmed are not told, and neither is whether "now" is outside them: the reply
 * says only that staff answer during working hours.
 */
export function escalationNotice(hours: WorkingHours, at: Date, lang: Lang): { key: MessageKey; params: Record<string, string> } {
  if (!hours.confirmed) return { key: 'escalated_working_hours', params: {} };
  return isWorkingTime(hours, at)
    ? { key: 'escalated_open', params: {} }
    : { key: 'escalated_closed', params: { hours: describeHours(hours, lang) } };
}

/**
 * The moment `minutes` of working time have passed after `from` (time outside working hours
 * does not count): when an unclaimed escalation should raise an alert.
 */
export function addWorkingMinutes(hours: WorkingHours, from: Date, minutes: number): Date {
  const MINUTE = 60_000;
  let at = Math.ceil(from.getTime() / MINUTE) * MINUTE;
  let left = minutes;
  // At most four weeks of minutes: a flow with no working time at all still ends.
  for (let guard = 0; guard < 28 * 24 * 60 && left > 0; guard++) {
    if (isWorkingTime(hours, new Date(at))) left--;
    at += MINUTE;
  }
  return new Date(at);
}

const DAY_FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day of `at` in the association's time zone, YYYY-MM-DD: a request sent at
 * 01:30 in Riyadh belongs to that day, not to the previous UTC day. An invalid time is
 * undefined.
 */
export function localDate(timeZone: string, at: Date): string | undefined {
  if (Number.isNaN(at.getTime())) return undefined;
  let f = DAY_FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', numberingSystem: 'latn' });
    DAY_FORMATTERS.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return `${String(parts.year).padStart(4, '0')}-${parts.month}-${parts.day}`;
}

/**
 * The Umm al-Qura Hijri year of the association's local day of `at` (for reference numbers):
 * between midnight in Riyadh and midnight UTC, the UTC day is still the previous one, which on
 * 1 Muharram is the previous year.
 */
export function hijriYearIn(timeZone: string, at: Date): number {
  const day = localDate(timeZone, at);
  return gregorianToHijri(day ? new Date(`${day}T12:00:00Z`) : at).y;
}
