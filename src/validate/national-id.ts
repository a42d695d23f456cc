import { cleanInput, matchKey } from '../text/normalize.ts';
import { prepare, trimEdges, wordsOf } from './extract.ts';
import type { Validation } from './types.ts';

/**
 * Holder kind: a national ID (10 digits starting with 1) belongs to a citizen, an iqama
 * (starting with 2) to a resident, a border number (رقم الحدود, starting with 3 or 4) to a
 * visitor who entered with a visa; a passport number is 6–9 letters and digits (ICAO 9303).
 */
export type IdKind = 'citizen' | 'resident' | 'border' | 'passport';

export interface NationalIdOptions {
  /** Kinds accepted; default citizen and resident. */
  allow?: IdKind[];
}


/** Luhn sum of digits where the digits at even 0-based index from the left are doubled. */
function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/**
 * True when `id` is 10 ASCII digits whose Luhn sum (digits at even 0-based index from the left
 * doubled, digit sums added) is a multiple of 10. Does not check the leading 1/2.
 */
export function saudiIdChecksumOk(id: string): boolean {
  return /^\d{10}$/.test(id) && luhnSum(id) % 10 === 0;
}

/**
 * Appends the check digit to 9 ASCII digits, giving a checksum-valid 10-digit ID. For tests and
 * fixtures; throws if `prefix9digits` is not exactly 9 digits.
 */
export function makeSaudiId(prefix9digits: string): string {
  if (!/^\d{9}$/.test(prefix9digits)) {
    throw new Error(`makeSaudiId needs exactly 9 digits, got "${prefix9digits}"`);
  }
  // The check digit sits at index 9 (odd, not doubled), so it must complete the sum to a multiple of 10.
  const check = (10 - (luhnSum(prefix9digits) % 10)) % 10;
  return prefix9digits + String(check);
}

const DASHES = /[\-\u2010-\u2015\u2212]/g;
const DIGIT_GROUP = /^\d+(?:[\-\u2010-\u2015\u2212]\d+)*$/;
const LATIN_ALNUM = /^[A-Za-z0-9]+$/;
/** Words that say the number is a passport's: جواز، جوازي، الجواز، باسبور، passport. */
const PASSPORT_WORD = /^(?:ال)?(?:جواز|باسبور)|^passport/;

/** What one word of the message is, for finding an ID in it. */
type Piece =
  | { t: 'num'; digits: string; plus: boolean }
  | { t: 'alnum'; text: string }
  | { t: 'garbage' }
  | { t: 'word'; text: string };

function piece(word: string): Piece | undefined {
  const plus = /^[^\p{L}\p{N}]*\+/u.test(word);
  const core = trimEdges(word);
  if (core === '') return undefined;
  if (DIGIT_GROUP.test(core)) return { t: 'num', digits: core.replace(DASHES, ''), plus };
  const compact = core.replace(DASHES, '');
  if (/\d/.test(core)) {
    return LATIN_ALNUM.test(compact) && /[A-Za-z]/.test(compact) ? { t: 'alnum', text: compact.toUpperCase() } : { t: 'garbage' };
  }
  return { t: 'word', text: core };
}

/** A mobile number where an ID was asked: 05xxxxxxxx, 5xxxxxxxx, 9665…, 009665…, or written with a plus. */
function looksLikePhone(digits: string, plus: boolean): boolean {
  return plus || /^05\d{8}$/.test(digits) || /^5\d{8}$/.test(digits) || /^(?:00)?9665\d{8}$/.test(digits);
}

/** Judges one 10-digit number: its kind from the first digit, then the Luhn check for ID and iqama. */
function judgeTen(id: string, allow: IdKind[], allowed: string): Validation<{ id: string; kind: IdKind }> {
  const first = id[0];
  const kind: IdKind | undefined =
    first === '1' ? 'citizen' : first === '2' ? 'resident' : first === '3' || first === '4' ? 'border' : undefined;
  if (kind === undefined || !allow.includes(kind)) return { ok: false, code: 'id_prefix', params: { allowed } };
  // Border numbers have no published check digit: only their length and first digit are checked.
  if (kind !== 'border' && !saudiIdChecksumOk(id)) return { ok: false, code: 'id_checksum', params: { allowed } };
  return { ok: true, value: { id, kind }, display: id };
}

/**
 * Validates a Saudi national ID (10 digits, starts with 1) or iqama number (starts with 2) with
 * its Luhn check digit, and, when the field allows them, a border number (10 digits starting
 * with 3 or 4) or a passport number (6–9 Latin letters and digits, stored upper case; a passport
 * of digits only is taken when the message says it is one: "passport 123456789", "جواز ...").
 *
 * The number is found inside a sentence ("هويتي 1012345672", "my id is 1012345672 🙏",
 * "1012345672 شكرا"); spaces/dashes between digit groups and Arabic-Indic digits are accepted.
 * Codes (all with {allowed}): empty; id_several {count} (two different numbers); id_not_digits
 * (letters or dots mixed into the digits, or no number at all); passport_format (letters and
 * digits that are no passport number); id_is_phone (a mobile number was sent); id_length {got};
 * id_prefix; id_checksum.
 */
export function validateNationalId(
  raw: string,
  opts: NationalIdOptions = {},
): Validation<{ id: string; kind: IdKind }> {
  if (cleanInput(raw) === '') return { ok: false, code: 'empty' };
  const allow: IdKind[] = opts.allow && opts.allow.length > 0 ? opts.allow : ['citizen', 'resident'];
  const allowed = [...new Set(allow)].sort().join(',');
  const passportOk = allow.includes('passport');
  const reject = (code: 'id_not_digits' | 'passport_format' | 'id_is_phone' | 'id_several' | 'id_length', extra: Record<string, number> = {}) =>
    ({ ok: false, code, params: { allowed, ...extra } }) as const;

  const pieces = wordsOf(prepare(raw)).map(piece).filter((p): p is Piece => p !== undefined);
  const saysPassport = pieces.some((p) => p.t === 'word' && PASSPORT_WORD.test(matchKey(p.text)));

  const candidates = new Map<string, 'ten' | 'passport'>();
  const wrongLengths: number[] = [];
  let phone = false;
  let garbage = false;
  let alnumGarbage = false;

  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.t === 'garbage') garbage = true;
    if (p.t === 'alnum') {
      if (passportOk && p.text.length >= 6 && p.text.length <= 9) candidates.set(p.text, 'passport');
      else alnumGarbage = true;
    }
    // "A 12345678": one or two capital letters written apart from the digits of a passport.
    const next = pieces[i + 1];
    if (passportOk && p.t === 'word' && /^[A-Z]{1,2}$/.test(p.text) && next?.t === 'num' && !next.plus) {
      const joined = p.text + next.digits;
      if (next.digits.length !== 10 && joined.length >= 6 && joined.length <= 9) {
        candidates.set(joined, 'passport');
        i++;
        continue;
      }
    }
    if (p.t !== 'num') continue;
    // A run of digit groups written apart ("1010 1010 10").
    const groups = [p];
    while (pieces[i + 1]?.t === 'num') groups.push(pieces[++i] as Extract<Piece, { t: 'num' }>);
    const all = groups.map((g) => g.digits).join('');
    if (looksLikePhone(all, groups[0]!.plus)) {
      phone = true;
      continue;
    }
    if (all.length === 10) {
      candidates.set(all, 'ten');
      continue;
    }
    // Several numbers written one after the other: every stretch of groups making exactly 10 digits.
    let found = false;
    for (let a = 0; a < groups.length; a++) {
      let digits = '';
      for (let b = a; b < groups.length && digits.length < 10; b++) {
        digits += groups[b]!.digits;
        if (digits.length === 10) {
          if (looksLikePhone(digits, groups[a]!.plus)) phone = true;
          else candidates.set(digits, 'ten');
          found = true;
        }
      }
    }
    if (found) continue;
    if (passportOk && saysPassport && all.length >= 6 && all.length <= 9) candidates.set(all, 'passport');
    else wrongLengths.push(all.length);
  }

  if (candidates.size > 1) return reject('id_several', { count: candidates.size });
  const [only] = candidates;
  if (only) {
    const [id, kind] = only;
    return kind === 'passport' ? { ok: true, value: { id, kind: 'passport' }, display: id } : judgeTen(id, allow, allowed);
  }
  if (alnumGarbage && passportOk) return reject('passport_format');
  if (garbage || alnumGarbage) return reject('id_not_digits');
  if (phone) return reject('id_is_phone');
  const got = wrongLengths.reduce((a, b) => Math.max(a, b), 0);
  if (got > 0) return reject('id_length', { got });
  return reject('id_not_digits');
}
