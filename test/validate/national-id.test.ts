import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { makeSaudiId, saudiIdChecksumOk, validateNationalId, type IdKind } from '../../src/validate/national-id.ts';

describe('saudiIdChecksumOk / makeSaudiId', () => {
  it.each([
    ['1010101010', true],
    ['1000000008', true],
    ['2000000006', true],
    ['1012345672', true],
    ['1234567897', true],
    ['1010101011', false],
    ['1000000000', false],
    ['2000000007', false],
    ['101010101', false], // 9 digits
    ['10101010100', false], // 11 digits
    ['١٠١٠١٠١٠١٠', false], // must already be ASCII
  ])('%s → %s', (id, ok) => {
    expect(saudiIdChecksumOk(id)).toBe(ok);
  });

  it.each([
    ['101234567', '1012345672'],
    ['100000000', '1000000008'],
    ['200000000', '2000000006'],
    ['123456789', '1234567897'],
  ])('makeSaudiId(%s) = %s', (prefix, id) => {
    expect(makeSaudiId(prefix)).toBe(id);
  });

  it('rejects a prefix that is not 9 digits', () => {
    expect(() => makeSaudiId('12345678')).toThrow();
    expect(() => makeSaudiId('12345678a')).toThrow();
  });

  it('every generated ID is valid and every other last digit is not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (prefix) => {
        const id = makeSaudiId(prefix);
        expect(saudiIdChecksumOk(id)).toBe(true);
        for (let d = 0; d <= 9; d++) {
          const other = prefix + String(d);
          if (other !== id) expect(saudiIdChecksumOk(other)).toBe(false);
        }
      }),
    );
  });

  it('detects any single-digit typo and adjacent transposition (except 0↔9)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[12][0-9]{8}$/), fc.integer({ min: 0, max: 9 }), (prefix, pos) => {
        const id = makeSaudiId(prefix);
        const digits = id.split('');
        const typo = [...digits];
        typo[pos] = String((Number(typo[pos]) + 1 + Math.floor(pos / 2)) % 10);
        if (typo[pos] !== digits[pos]) expect(saudiIdChecksumOk(typo.join(''))).toBe(false);
        const swapped = [...digits];
        const [a, b] = [swapped[pos], swapped[pos + 1]];
        if (b !== undefined && a !== b && !(a === '0' && b === '9') && !(a === '9' && b === '0')) {
          [swapped[pos], swapped[pos + 1]] = [b, a!];
          expect(saudiIdChecksumOk(swapped.join(''))).toBe(false);
        }
      }),
    );
  });
});

describe('validateNationalId accepts', () => {
  const citizen = makeSaudiId('110987654');
  const resident = makeSaudiId('234567890');
  it.each([
    ['1010101010', '1010101010', 'citizen'],
    [citizen, citizen, 'citizen'],
    [resident, resident, 'resident'],
    ['١٠١٠١٠١٠١٠', '1010101010', 'citizen'],
    ['۱۰۱۰۱۰۱۰۱۰', '1010101010', 'citizen'],
    ['1010 1010 10', '1010101010', 'citizen'],
    ['1-010-101-010', '1010101010', 'citizen'],
    [' 1010101010 ', '1010101010', 'citizen'],
    ['\u200F1010101010\u200E', '1010101010', 'citizen'],
    ['2000000006', '2000000006', 'resident'],
  ])('%j → %s (%s)', (raw, id, kind) => {
    expect(validateNationalId(raw)).toEqual({ ok: true, value: { id, kind }, display: id });
  });

  it('accepts a kind that is allowed', () => {
    expect(validateNationalId('2000000006', { allow: ['resident'] }).ok).toBe(true);
    expect(validateNationalId('1010101010', { allow: ['citizen'] }).ok).toBe(true);
  });
});

describe('validateNationalId rejects', () => {
  it.each([
    ['', 'empty', undefined],
    ['   ', 'empty', undefined],
    ['abc', 'id_not_digits', undefined],
    ['10101O1010', 'id_not_digits', undefined], // letter O
    ['1010101010a', 'id_not_digits', undefined],
    ['1010.101.010', 'id_not_digits', undefined],
    ['101010101', 'id_length', { got: 9 }],
    ['10101010100', 'id_length', { got: 11 }],
    ['1', 'id_length', { got: 1 }],
    ['3000000004', 'id_prefix', { allowed: 'citizen,resident' }],
    ['0000000000', 'id_prefix', { allowed: 'citizen,resident' }],
    ['1010101011', 'id_checksum', undefined],
    ['1010101001', 'id_checksum', undefined], // transposed last two digits
    ['2000000007', 'id_checksum', undefined],
  ])('%j → %s', (raw, code, params) => {
    const r = validateNationalId(raw);
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toMatchObject({ params });
  });

  it('rejects a kind that is not allowed', () => {
    expect(validateNationalId('2000000006', { allow: ['citizen'] })).toEqual({
      ok: false,
      code: 'id_prefix',
      params: { allowed: 'citizen' },
    });
    expect(validateNationalId('1010101010', { allow: ['resident'] })).toEqual({
      ok: false,
      code: 'id_prefix',
      params: { allowed: 'resident' },
    });
  });
});

describe('validateNationalId takes the number out of real writing', () => {
  const citizen = makeSaudiId('101234567'); // 1012345672
  const resident = makeSaudiId('234567890');
  it.each([
    ['هويتي 1012345672', citizen],
    ['رقم الهوية ١٠١٢٣٤٥٦٧٢', citizen],
    ['رقم هويتي: 1012345672', citizen],
    ['هويتي1012345672', citizen], // no space between the word and the digits
    ['my id is 1012345672', citizen],
    ['ID: 1012345672', citizen],
    ['1012345672.', citizen],
    ['1012345672 🙏', citizen],
    ['1012345672🙏🏻', citizen],
    ['1012345672 شكرا', citizen],
    ['«1012345672»', citizen],
    ['تفضل رقم الهوية 1012 345 672 الله يعافيك', citizen],
    ['1-012-345-672', citizen],
    ['هويتي 1012345672 وجوالي 0551234567', citizen], // the mobile is not an ID candidate
    ['1012345672 1012345672', citizen], // the same number twice
    [`اقامتي ${resident}`, resident],
  ])('%j → %s', (raw, id) => {
    expect(validateNationalId(raw)).toMatchObject({ ok: true, value: { id } });
  });

  it.each([
    ['1012345672 1010101010', 'id_several', { count: 2 }], // two IDs
    ['هويتي 1012345672 وهوية زوجتي 1010101010', 'id_several', { count: 2 }],
    ['رقمي 101234567', 'id_length', { got: 9 }], // nine digits are never padded or guessed
    ['0551234567', 'id_is_phone', undefined], // a mobile where the ID is asked
    ['جوالي +966 55 123 4567', 'id_is_phone', undefined],
    ['551234567', 'id_is_phone', undefined],
    ['ما عندي هوية', 'id_not_digits', undefined],
    ['هويتي 10101O1010', 'id_not_digits', undefined], // letter O among the digits
    ['1012345672abc', 'id_not_digits', undefined],
    ['A12345678', 'id_not_digits', undefined], // a passport where only ID and iqama are accepted
    ['هويتي 1012345673', 'id_checksum', undefined],
  ])('%j → %s', (raw, code, params) => {
    const r = validateNationalId(raw);
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toMatchObject({ params });
  });
});

describe('validateNationalId with passports and border numbers allowed', () => {
  const all = { allow: ['citizen', 'resident', 'border', 'passport'] as IdKind[] };
  it.each([
    ['A12345678', 'A12345678', 'passport'], // Egypt
    ['AB1234567', 'AB1234567', 'passport'], // Pakistan
    ['b1234567', 'B1234567', 'passport'], // Indonesia, typed in lower case
    ['A 12345678', 'A12345678', 'passport'], // letter written apart
    ['جوازي A12345678', 'A12345678', 'passport'],
    ['my passport number is C01X00T47.', 'C01X00T47', 'passport'],
    ['passport 123456789', '123456789', 'passport'], // digits only, named as a passport
    ['رقم الجواز ١٢٣٤٥٦٧٨٩', '123456789', 'passport'],
    ['1012345672', '1012345672', 'citizen'],
    ['3000000004', '3000000004', 'border'],
    ['رقم الحدود 4123456789', '4123456789', 'border'],
  ])('%j → %s (%s)', (raw, id, kind) => {
    expect(validateNationalId(raw, all)).toEqual({ ok: true, value: { id, kind }, display: id });
  });

  it.each([
    ['123456789', 'id_length', { got: 9 }], // nine digits without the word passport: a mistyped ID is as likely
    ['A123', 'passport_format', undefined],
    ['A1234567890', 'passport_format', undefined],
    ['A12345678 1012345672', 'id_several', { count: 2 }],
    ['5000000000', 'id_prefix', undefined],
  ])('%j → %s', (raw, code, params) => {
    const r = validateNationalId(raw, all);
    expect(r).toMatchObject({ ok: false, code, params: { allowed: 'border,citizen,passport,resident', ...params } });
  });

  it('accepts only the kinds a field enables', () => {
    expect(validateNationalId('A12345678', { allow: ['passport'] })).toMatchObject({ ok: true, value: { kind: 'passport' } });
    expect(validateNationalId('1012345672', { allow: ['passport'] })).toMatchObject({ ok: false, code: 'id_prefix' });
    expect(validateNationalId('3000000004', { allow: ['citizen', 'resident', 'passport'] })).toMatchObject({ ok: false, code: 'id_prefix' });
  });
});
