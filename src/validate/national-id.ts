import { cleanInput } from '../text/normalize.ts';
import type { Validation } from './types.ts';

/** Holder kind: a national ID (starts with 1) belongs to a citizen, an iqama (starts with 2) to a resident. */
export type IdKind = 'citizen' | 'resident';

export interface NationalIdOptions {
  /** Kinds accepted; default both. */
  allow?: IdKind[];
}

// Separators people type between digit groups: spaces (already collapsed by cleanInput) and dashes.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/g;

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

/**
 * Validates a Saudi national ID (10 digits, starts with 1) or iqama number (starts with 2) with
 * its Luhn check digit. Spaces/dashes between digits and Arabic-Indic digits are accepted.
 * Codes: empty, id_not_digits, id_length {got}, id_prefix {allowed}, id_checksum.
 */
export function validateNationalId(
  raw: string,
  opts: NationalIdOptions = {},
): Validation<{ id: string; kind: IdKind }> {
  const cleaned = cleanInput(raw);
  if (cleaned === '') return { ok: false, code: 'empty' };
  const compact = cleaned.replace(SEPARATORS, '');
  if (!/^\d+$/.test(compact)) return { ok: false, code: 'id_not_digits' };
  if (compact.length !== 10) return { ok: false, code: 'id_length', params: { got: compact.length } };

  const allow: IdKind[] = opts.allow && opts.allow.length > 0 ? opts.allow : ['citizen', 'resident'];
  const kind: IdKind | undefined = compact[0] === '1' ? 'citizen' : compact[0] === '2' ? 'resident' : undefined;
  if (kind === undefined || !allow.includes(kind)) {
    return { ok: false, code: 'id_prefix', params: { allowed: [...new Set(allow)].sort().join(',') } };
  }
  if (!saudiIdChecksumOk(compact)) return { ok: false, code: 'id_checksum' };
  return { ok: true, value: { id: compact, kind }, display: compact };
}
