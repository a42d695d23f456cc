import { describe, it, expect } from 'vitest';
import { validateInteger } from '../../src/validate/number.ts';

describe('validateInteger accepts', () => {
  it.each([
    ['3', 3],
    ['٣', 3],
    ['۳', 3],
    [' 12 ', 12],
    ['007', 7],
    ['3.', 3],
    ['1,234', 1234],
    ['١٬٢٣٤', 1234],
    ['1,234,567', 1234567],
    ['-5', -5],
    ['+5', 5],
    ['-0', 0],
    ['صفر', 0],
    ['واحد', 1],
    ['واحدة', 1],
    ['اثنان', 2],
    ['اثنين', 2],
    ['إثنين', 2],
    ['ثلاثة', 3],
    ['ثلاثه', 3],
    ['ثلاث', 3],
    ['أربعة', 4],
    ['اربع', 4],
    ['خمسة', 5],
    ['ستة', 6],
    ['سبع', 7],
    ['ثمانية', 8],
    ['ثماني', 8],
    ['تسعة', 9],
    ['عشرة', 10],
    ['عشر', 10],
    ['أحد عشر', 11],
    ['إحدى عشرة', 11],
    ['اثنا عشر', 12],
    ['اثنتي عشرة', 12],
    ['ثلاثة عشر', 13],
    ['خمس عشرة', 15],
    ['تسعة عشر', 19],
    ['عشرون', 20],
    ['عشرين', 20],
    ['ثَلاثَة', 3], // diacritics
    ['ثلاثة.', 3],
    ['zero', 0],
    ['One', 1],
    ['TWELVE', 12],
    ['twenty', 20],
  ])('%j → %d', (raw, value) => {
    expect(validateInteger(raw, {})).toEqual({ ok: true, value, display: String(value) });
  });

  it('accepts bounds inclusively', () => {
    expect(validateInteger('1', { min: 1, max: 20 }).ok).toBe(true);
    expect(validateInteger('عشرون', { min: 1, max: 20 }).ok).toBe(true);
  });
});

describe('validateInteger rejects', () => {
  it.each([
    ['', {}, 'empty', undefined],
    ['  ', {}, 'empty', undefined],
    ['abc', {}, 'int_format', undefined],
    ['2.5', {}, 'int_format', undefined],
    ['٢٫٥', {}, 'int_format', undefined],
    ['1,23', {}, 'int_format', undefined], // bad grouping
    ['12,34,567', {}, 'int_format', undefined],
    ['3 أطفال', {}, 'int_format', undefined],
    ['واحد وعشرون', {}, 'int_format', undefined], // beyond the word list
    ['--5', {}, 'int_format', undefined],
    ['5-', {}, 'int_format', undefined],
    ['1e3', {}, 'int_format', undefined],
    ['0x10', {}, 'int_format', undefined],
    ['Infinity', {}, 'int_format', undefined],
    ['99999999999999999999', {}, 'int_format', undefined],
    ['99999999999999999999', { max: 100 }, 'int_range', { max: 100 }],
    ['0', { min: 1, max: 20 }, 'int_range', { min: 1, max: 20 }],
    ['21', { min: 1, max: 20 }, 'int_range', { min: 1, max: 20 }],
    ['صفر', { min: 1 }, 'int_range', { min: 1 }],
    ['-1', { min: 0 }, 'int_range', { min: 0 }],
    ['101', { max: 100 }, 'int_range', { max: 100 }],
  ])('%j %j → %s', (raw, opts, code, params) => {
    const r = validateInteger(raw, opts);
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toEqual({ ok: false, code, params });
  });
});
