import { describe, it, expect } from 'vitest';
import { validatePhone } from '../../src/validate/phone.ts';

describe('validatePhone accepts every common writing of a Saudi mobile', () => {
  it.each([
    '0501234567',
    '501234567',
    '966501234567',
    '+966501234567',
    '+966 50 123 4567',
    '00966501234567',
    '00966 50 123 4567',
    '050-123-4567',
    '050 123 4567',
    '(050) 123 4567',
    '٠٥٠١٢٣٤٥٦٧',
    '۰۵۰۱۲۳۴۵۶۷',
    '+٩٦٦٥٠١٢٣٤٥٦٧',
    '\u200F+966 50 123 4567\u200E',
    '+966-50-123-4567',
    '(+966) 50 123 4567',
    '+966 (0) 50 123 4567', // redundant national prefix after the country code
    '+9660501234567',
    '9660501234567',
    '０５０１２３４５６７', // full-width digits
  ])('%j → +966501234567', (raw) => {
    expect(validatePhone(raw)).toEqual({ ok: true, value: '+966501234567', display: '+966 50 123 4567' });
  });

  it.each([
    ['0551234567', '+966551234567'],
    ['0591234567', '+966591234567'],
    ['0531234567', '+966531234567'],
    ['0541234567', '+966541234567'],
    ['0561234567', '+966561234567'],
    ['0581234567', '+966581234567'],
    ['0571234567', '+966571234567'],
  ])('other operator prefixes: %s → %s', (raw, e164) => {
    expect(validatePhone(raw)).toMatchObject({ ok: true, value: e164 });
  });
});

describe('validatePhone rejects', () => {
  it.each([
    ['', 'empty', undefined],
    ['  ', 'empty', undefined],
    ['abc', 'phone_invalid', undefined],
    ['0501234567 or 0559876543', 'phone_several', { count: 2 }],
    ['05O1234567', 'phone_invalid', undefined], // letter O
    ['050123456', 'phone_invalid', undefined], // one digit short
    ['05012345678', 'phone_invalid', undefined], // one digit too many
    ['+96650123456', 'phone_invalid', undefined],
    ['0811234567', 'phone_invalid', undefined],
    ['+', 'phone_invalid', undefined],
    ['---', 'phone_invalid', undefined],
    ['0112345678', 'phone_not_mobile', undefined], // Riyadh landline
    ['011 234 5678', 'phone_not_mobile', undefined],
    ['+966 12 234 5678', 'phone_not_mobile', undefined], // Jeddah landline
    ['920012345', 'phone_not_mobile', undefined], // unified number
    ['+12025550123', 'phone_country', { country: 'US', allowed: 'SA' }],
    ['+971501234567', 'phone_country', { country: 'AE', allowed: 'SA' }],
    ['00971501234567', 'phone_country', { country: 'AE', allowed: 'SA' }],
    ['+20 100 123 4567', 'phone_country', { country: 'EG', allowed: 'SA' }],
  ])('%j → %s', (raw, code, params) => {
    const r = validatePhone(raw);
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toMatchObject({ params });
  });
});

describe('validatePhone options', () => {
  it('accepts a landline when mobileOnly is false', () => {
    expect(validatePhone('0112345678', { mobileOnly: false })).toEqual({
      ok: true,
      value: '+966112345678',
      display: '+966 11 234 5678',
    });
  });

  it('accepts another country when listed', () => {
    expect(validatePhone('+971501234567', { countries: ['SA', 'AE'] })).toMatchObject({
      ok: true,
      value: '+971501234567',
    });
    // a local writing is read with the first country first
    expect(validatePhone('0501234567', { countries: ['SA', 'AE'] })).toMatchObject({ value: '+966501234567' });
    expect(validatePhone('0501234567', { countries: ['AE', 'SA'] })).toMatchObject({ value: '+971501234567' });
  });

  it('reads digits that start with an accepted calling code as international', () => {
    // libphonenumber alone reads "966501234567" with default AE as a (wrong) Emirati number
    expect(validatePhone('966501234567', { countries: ['AE', 'SA'] })).toMatchObject({
      ok: true,
      value: '+966501234567',
    });
  });

  it('does not call a mistyped local number foreign', () => {
    // "+20225550123" is a valid Cairo number; without the plus it is just a bad Saudi number
    expect(validatePhone('20225550123')).toMatchObject({ ok: false, code: 'phone_invalid' });
    expect(validatePhone('+20225550123')).toMatchObject({ ok: false, code: 'phone_country', params: { country: 'EG' } });
  });

  it('lists the accepted countries in phone_country', () => {
    expect(validatePhone('+12025550123', { countries: ['SA', 'AE'] })).toMatchObject({
      code: 'phone_country',
      params: { country: 'US', allowed: 'SA,AE' },
    });
  });
});

describe('validatePhone takes the number out of real writing', () => {
  it.each([
    ['جوالي 0551234567', '+966551234567'],
    ['رقمي +966 55 123 4567', '+966551234567'],
    ['رقم جوالي: ٠٥٥١٢٣٤٥٦٧', '+966551234567'],
    ['جوالي0551234567', '+966551234567'],
    ['my number is 0551234567', '+966551234567'],
    ['call me 0501234567', '+966501234567'],
    ['0551234567.', '+966551234567'],
    ['0551234567 🙏', '+966551234567'],
    ['0551234567 شكرا', '+966551234567'],
    ['(055) 123-4567', '+966551234567'],
    ['تواصلوا معي على 055 123 4567 واتساب', '+966551234567'],
    ['0551234567 نفس الرقم 0551234567', '+966551234567'], // the same number twice
    ['عندي 2 جوالات وهذا الاساسي 0551234567', '+966551234567'], // a short count is no phone number
  ])('%j → %s', (raw, e164) => {
    expect(validatePhone(raw)).toMatchObject({ ok: true, value: e164 });
  });

  it.each([
    ['0501234567 0559876543', 'phone_several'],
    ['جوالي 0501234567 او 0559876543', 'phone_several'],
    ['1012345672', 'phone_is_id'], // an ID where the mobile is asked
    ['هويتي 1012345672', 'phone_is_id'],
    ['جوالي 05O1234567', 'phone_invalid'],
    ['جوالي 050123456', 'phone_invalid'], // nine digits are not completed
    ['ما عندي جوال', 'phone_invalid'],
  ])('%j → %s', (raw, code) => {
    expect(validatePhone(raw)).toMatchObject({ ok: false, code });
  });
});

describe("validatePhone with countries: ['SA', '*'] (international mobiles)", () => {
  const intl = { countries: ['SA', '*'] };
  it.each([
    ['+20 10 1234 5678', '+201012345678'], // Egypt
    ['00201012345678', '+201012345678'],
    ['201012345678', '+201012345678'], // the plus left out
    ['رقمي +92 300 1234567', '+923001234567'], // Pakistan
    ['+62 812 3456 7890', '+6281234567890'], // Indonesia
    ['+91 98765 43210', '+919876543210'], // India
    ['+234 803 123 4567', '+2348031234567'], // Nigeria
    ['+90 532 123 45 67', '+905321234567'], // Turkey
    ['0551234567', '+966551234567'], // a local writing is still Saudi
    ['+966551234567', '+966551234567'],
  ])('%j → %s', (raw, e164) => {
    expect(validatePhone(raw, intl)).toMatchObject({ ok: true, value: e164 });
  });

  it.each([
    ['01012345678', 'phone_invalid', { international: 1 }], // Egyptian local writing: the country code is needed
    ['+20 2 2555 0123', 'phone_not_mobile', undefined], // a Cairo landline
    ['+20 10 1234 5678 +92 300 1234567', 'phone_several', { count: 2 }],
  ])('%j → %s', (raw, code, params) => {
    const r = validatePhone(raw, intl);
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toMatchObject({ params });
  });

  it("reads a local writing as Saudi when '*' is alone", () => {
    expect(validatePhone('0551234567', { countries: ['*'] })).toMatchObject({ ok: true, value: '+966551234567' });
    expect(validatePhone('+201012345678', { countries: ['*'] })).toMatchObject({ ok: true, value: '+201012345678' });
  });
});
