import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { cleanInput } from '../text/normalize.ts';
import { prepare, wordsOf } from './extract.ts';
import { saudiIdChecksumOk } from './national-id.ts';
import type { Validation } from './types.ts';

export interface PhoneOptions {
  /**
   * ISO 3166 alpha-2 countries accepted, in order of preference for local writings (a number
   * written without its country code is read as the first listed country's). '*' accepts any
   * country when the number is written with its country code (+20…, 0020…); local writings are
   * still read as the listed countries' (Saudi when '*' is alone). Default ['SA'].
   */
  countries?: string[];
  /** Accept only mobile numbers (MOBILE or FIXED_LINE_OR_MOBILE). Default true. */
  mobileOnly?: boolean;
}

// What a phone number may be written with: digits, a leading plus, and grouping punctuation.
const PHONE_CHARS = /^[0-9+\s\-\u2010-\u2015\u2212().\/]+$/;

function tryParse(text: string, country: CountryCode | undefined): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, country ? { defaultCountry: country } : undefined);
  } catch {
    return undefined;
  }
}

function isMobile(p: PhoneNumber): boolean {
  const type = p.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

type One = Validation<string>;

/** Judges one written number (the old whole-message validator). */
function judge(cleaned: string, countries: CountryCode[], anyCountry: boolean, mobileOnly: boolean): One {
  if (!PHONE_CHARS.test(cleaned) || !/\d/.test(cleaned)) return { ok: false, code: 'phone_invalid' };
  const digits = cleaned.replace(/\D/g, '');
  const hasIntlPrefix = /^\s*\(?\s*\+/.test(cleaned) || digits.startsWith('00');

  // Candidate readings, best first: the text as written for each accepted country, then — for
  // writings like "966501234567" that omit the plus — the digits read as international, but only
  // when they start with an accepted country's calling code (so a mistyped local number is not
  // reported as "foreign"), or, when any country is accepted, when they are too long to be local.
  const candidates: PhoneNumber[] = [];
  for (const c of countries) {
    const p = tryParse(cleaned, c);
    if (p) candidates.push(p);
  }
  const callingCodes = countries.map((c) => getCountryCallingCode(c));
  const intlWithoutPlus = callingCodes.some((cc) => digits.startsWith(cc)) || (anyCountry && digits.length >= 11 && !digits.startsWith('0'));
  if (!hasIntlPrefix && intlWithoutPlus) {
    const p = tryParse('+' + digits, undefined);
    if (p) candidates.push(p);
  }

  const valid = candidates.filter((p) => p.isValid());
  const allowed = valid.filter((p) => p.country !== undefined && (anyCountry || countries.includes(p.country)));
  const chosen = allowed.find((p) => !mobileOnly || isMobile(p));
  if (chosen) return { ok: true, value: chosen.number, display: chosen.formatInternational() };
  if (allowed.length > 0) return { ok: false, code: 'phone_not_mobile' };
  const foreign = valid[0];
  if (foreign && !anyCountry) {
    return {
      ok: false,
      code: 'phone_country',
      params: { country: foreign.country ?? `+${foreign.countryCallingCode}`, allowed: countries.join(',') },
    };
  }
  if (/^[12]\d{9}$/.test(digits) && saudiIdChecksumOk(digits)) return { ok: false, code: 'phone_is_id' };
  return { ok: false, code: 'phone_invalid', ...(anyCountry ? { params: { international: 1 } } : {}) };
}

// One word of a written number: digits with + ( ) - . / between them.
const NUMBER_WORD = /^[+(]*[\d()\-\u2010-\u2015\u2212.\/]*$/;
const digitCount = (s: string): number => s.replace(/\D/g, '').length;
// The more a refusal says, the better: a foreign or landline number beats "not valid".
const RANK: Record<string, number> = { phone_country: 3, phone_not_mobile: 2, phone_is_id: 1 };

/**
 * Validates a phone number with libphonenumber-js (full metadata) and returns it in E.164.
 * Accepts the usual Saudi writings (0501234567, 501234567, 966501234567, +966 50 123 4567,
 * 00966…, dashes, brackets, Arabic-Indic digits), inside a sentence ("جوالي 0551234567",
 * "my number is +966 55 123 4567 🙏"). Codes: empty; phone_several (two different numbers);
 * phone_invalid ({international: 1} when any country is accepted); phone_country
 * {country, allowed: "SA,…"}; phone_not_mobile; phone_is_id (an ID number was sent).
 * Display: international format.
 */
export function validatePhone(raw: string, opts: PhoneOptions = {}): Validation<string> {
  if (cleanInput(raw) === '') return { ok: false, code: 'empty' };
  const wanted = (opts.countries && opts.countries.length > 0 ? opts.countries : ['SA']).map((c) => c.toUpperCase());
  const anyCountry = wanted.includes('*');
  const listed = wanted.filter((c): c is CountryCode => isSupportedCountry(c));
  const countries: CountryCode[] = listed.length > 0 ? listed : ['SA'];
  const mobileOnly = opts.mobileOnly ?? true;
  const check = (text: string): One => judge(text, countries, anyCountry, mobileOnly);

  // Runs of number words ("+966 55 123 4567"), split by the other words of the sentence.
  const runs: string[][] = [];
  let current: string[] = [];
  let garbage = false;
  for (const word of wordsOf(prepare(raw))) {
    const core = word.replace(/^[^\d+(]+/u, '').replace(/[^\d)]+$/u, '');
    const isNumber = core !== '' && NUMBER_WORD.test(core) && (/\d/.test(core) || core === '+' || core === '(');
    if (isNumber) {
      current.push(core);
      continue;
    }
    if (/\d/.test(word)) garbage = true; // digits with letters: "05O1234567"
    if (current.length > 0) runs.push(current);
    current = [];
  }
  if (current.length > 0) runs.push(current);

  const accepted = new Map<string, Validation<string>>();
  const refusals: One[] = [];
  for (const run of runs) {
    const digits = digitCount(run.join(''));
    if (digits < 7) continue; // "2 جوالات": not a phone number
    // More digits than two numbers have (E.164: at most 15 each, plus 00): not read, and not slow.
    if (digits > 34) {
      refusals.push({ ok: false, code: 'phone_invalid', ...(anyCountry ? { params: { international: 1 } } : {}) });
      continue;
    }
    const whole = check(run.join(' '));
    if (whole.ok) {
      accepted.set(whole.value, whole);
      continue;
    }
    // Two numbers written one after the other: "0501234567 0559876543".
    let split = false;
    for (let k = 1; k < run.length && !split; k++) {
      const [a, b] = [check(run.slice(0, k).join(' ')), check(run.slice(k).join(' '))];
      if (a.ok && b.ok) {
        accepted.set(a.value, a).set(b.value, b);
        split = true;
      }
    }
    if (!split) refusals.push(whole);
  }
  if (accepted.size > 1) return { ok: false, code: 'phone_several', params: { count: accepted.size } };
  const [only] = accepted.values();
  if (only) return only;
  if (garbage || refusals.length === 0) {
    return { ok: false, code: 'phone_invalid', ...(anyCountry ? { params: { international: 1 } } : {}) };
  }
  return refusals.reduce((best, r) => (!r.ok && !best.ok && (RANK[r.code] ?? 0) > (RANK[best.code] ?? 0) ? r : best));
}
