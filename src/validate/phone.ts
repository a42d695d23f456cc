import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { cleanInput } from '../text/normalize.ts';
import type { Validation } from './types.ts';

export interface PhoneOptions {
  /** ISO 3166 alpha-2 countries accepted, in order of preference for local writings. Default ['SA']. */
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

/**
 * Validates a phone number with libphonenumber-js (full metadata) and returns it in E.164.
 * Accepts the usual Saudi writings (0501234567, 501234567, 966501234567, +966 50 123 4567,
 * 00966…, dashes, brackets, Arabic-Indic digits). Codes: empty, phone_invalid,
 * phone_country {country, allowed: "SA,…"}, phone_not_mobile. Display: international format.
 */
export function validatePhone(raw: string, opts: PhoneOptions = {}): Validation<string> {
  const cleaned = cleanInput(raw).normalize('NFKC'); // NFKC also folds full-width digits
  if (cleaned === '') return { ok: false, code: 'empty' };
  if (!PHONE_CHARS.test(cleaned) || !/\d/.test(cleaned)) return { ok: false, code: 'phone_invalid' };

  const countries = (opts.countries && opts.countries.length > 0 ? opts.countries : ['SA'])
    .map((c) => c.toUpperCase())
    .filter((c): c is CountryCode => isSupportedCountry(c));
  const mobileOnly = opts.mobileOnly ?? true;
  const digits = cleaned.replace(/\D/g, '');
  const hasIntlPrefix = /^\s*\(?\s*\+/.test(cleaned) || digits.startsWith('00');

  // Candidate readings, best first: the text as written for each accepted country, then — for
  // writings like "966501234567" that omit the plus — the digits read as international, but only
  // when they start with an accepted country's calling code (so a mistyped local number is not
  // reported as "foreign").
  const candidates: PhoneNumber[] = [];
  for (const c of countries) {
    const p = tryParse(cleaned, c);
    if (p) candidates.push(p);
  }
  const callingCodes = countries.map((c) => getCountryCallingCode(c));
  if (!hasIntlPrefix && callingCodes.some((cc) => digits.startsWith(cc))) {
    const p = tryParse('+' + digits, undefined);
    if (p) candidates.push(p);
  }

  const valid = candidates.filter((p) => p.isValid());
  const allowed = valid.filter((p) => p.country !== undefined && countries.includes(p.country));
  const chosen = allowed.find((p) => !mobileOnly || isMobile(p));
  if (chosen) return { ok: true, value: chosen.number, display: chosen.formatInternational() };
  if (allowed.length > 0) return { ok: false, code: 'phone_not_mobile' };
  const foreign = valid[0];
  if (foreign) {
    return {
      ok: false,
      code: 'phone_country',
      params: { country: foreign.country ?? `+${foreign.countryCallingCode}`, allowed: countries.join(',') },
    };
  }
  return { ok: false, code: 'phone_invalid' };
}
