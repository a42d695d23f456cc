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
    ['خمسة خمسة', {}, 'int_format', undefined], // words that make no number
    ['5-6', {}, 'int_format', undefined], // a range is not one number
    ['انا وعيالي', {}, 'int_format', undefined], // "my children": how many is not said
    ['انا وزوجتي و3 عيال', {}, 'int_format', undefined], // not summed: say the total
    ['ما ادري', {}, 'int_format', undefined],
    ['5 او 6', {}, 'int_several', { count: 2 }],
    ['2 كبار و3 اطفال', {}, 'int_several', { count: 2 }],
    ['3 بالغين + طفلين', {}, 'int_several', { count: 2 }], // a dual noun is a count too: not silently 3
    ['me and 3 kids', {}, 'int_format', undefined],
    ['انا بس ابي اعدل', {}, 'int_format', undefined], // "I just want to edit": the alone words inside a sentence are no count
    ['2+3', {}, 'int_format', undefined],
    ['6/5', {}, 'int_format', undefined], // no score above its scale
    ['أكثر من 10', {}, 'int_format', undefined], // a bound is not the count
    ['more than 5', {}, 'int_format', undefined],
    ['اقل من عشرة', {}, 'int_format', undefined],
    ['مو خمسة', {}, 'int_format', undefined], // a number said not to be
    ['مش متأكد يمكن 5', {}, 'int_format', undefined],
    ['not 5', {}, 'int_format', undefined],
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

describe('validateInteger reads counts as people write them', () => {
  it.each([
    ['٥ افراد', 5],
    ['5 أشخاص', 5],
    ['3 أطفال', 3],
    ['احنا 6', 6],
    ['نحن ستة', 6],
    ['احنا ثلاثة عشر شخص', 13],
    ['about 5', 5],
    ['تقريبا ١٠ اشخاص', 10],
    ['we are five and we need a bus', 5],
    ['5️⃣', 5], // keycap emoji
    ['5 🙏', 5],
    ['5 خمسة', 5], // the same number twice
    ['انا لحالي', 1],
    ['لحالي', 1],
    ['لوحدي', 1],
    ['بروحي', 1],
    ['بس انا', 1],
    ['انا بس', 1],
    ['just me', 1],
    ['only me', 1],
    ['انا وزوجتي', 2],
    ['أنا وأمي', 2],
    ['انا وزوجتي وامي', 3],
    ['me and my wife', 2],
    ['my wife and I', 2],
    ['شخصين', 2],
    ['4 من 5', 4], // a score out of a scale (survey ratings)
    ['٤ من ٥', 4],
    ['4/5', 4],
    ['4 out of 5', 4],
    ['ساكن لوحدي', 1], // "I live alone"
    ['I live alone', 1],
    ['احنا 3 انا وامي واختي', 3], // the people named add up to the number
    ['me and my wife, 2 of us', 2],
    ['ihna 10 7jaj', 10], // Arabizi: the 7 of "7jaj" (حجاج) is a letter
    ['5ppl', 5],
  ])('%j → %d', (raw, value) => {
    expect(validateInteger(raw, {})).toEqual({ ok: true, value, display: String(value) });
  });

  it.each([
    // MSA and Gulf number words
    ['ثنين', 2],
    ['ثنتين', 2],
    ['ثلاث', 3],
    ['واحد وعشرون', 21],
    ['خمسة وعشرين', 25],
    ['عشرين وخمسة', 25], // Gulf order
    ['احدعش', 11],
    ['اثنعش', 12],
    ['ثلطعش', 13],
    ['اربعطعش', 14],
    ['خمسطعش', 15],
    ['سطعش', 16],
    ['سبعطعش', 17],
    ['ثمنطعش', 18],
    ['تسعطعش', 19],
    ['ثلاثين', 30],
    ['خمسين', 50],
    ['تسعون', 90],
    ['مية', 100],
    ['مئة', 100],
    ['مائة', 100],
    ['ميه', 100],
    ['مائة وخمسين', 150],
    ['مية وخمسة', 105],
    ['ميتين', 200],
    ['مئتان', 200],
    ['ثلاثمائة', 300],
    ['ثلاث مية', 300],
    ['خمسمية', 500],
    ['ثلاثمائة وخمسة وعشرين', 325],
    ['ألف', 1000],
    ['الف', 1000],
    ['الفين', 2000],
    ['ألفان', 2000],
    ['ثلاثة آلاف', 3000],
    ['الف وخمسمية', 1500],
    ['الفين وخمسمية وخمسين', 2550],
    ['خمسين الف', 50000],
    ['مية الف', 100000],
    ['مائة وأحد عشر', 111], // وأحد folds to واحد: still read as the teen
    // English
    ['five', 5],
    ['twenty one', 21],
    ['twenty-one', 21],
    ['fifty', 50],
    ['a hundred', 100],
    ['one hundred and fifty', 150],
    ['two thousand five hundred', 2500],
    ['a family of 5', 5], // "a" is only a number before hundred/thousand
    // Arabizi
    ['khamsa', 5],
    ['ehna khamsa', 5],
    ['wa7ed', 1],
    ['3ashra', 10],
    ['la7ali', 1],
    ['ana bas', 1],
  ])('number words: %j → %d', (raw, value) => {
    expect(validateInteger(raw, {})).toEqual({ ok: true, value, display: String(value) });
  });
});
