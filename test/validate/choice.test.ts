import { describe, it, expect } from 'vitest';
import { choicePosition, levenshtein, validateChoice, type ChoiceOption } from '../../src/validate/choice.ts';

const marital: ChoiceOption[] = [
  { id: 'single', labels: ['أعزب', 'Single'] },
  { id: 'married', labels: ['متزوج', 'Married'] },
  { id: 'divorced', labels: ['مطلق', 'Divorced'] },
  { id: 'widowed', labels: ['أرمل', 'Widowed'] },
];
const yesNo: ChoiceOption[] = [
  { id: 'yes', labels: ['نعم', 'Yes'] },
  { id: 'no', labels: ['لا', 'No'] },
];
const services: ChoiceOption[] = [
  { id: 'food', labels: ['سلة غذائية'] },
  { id: 'rent', labels: ['مساعدة إيجار'] },
  { id: 'bills', labels: ['مساعدة فواتير'] },
];

describe('validateChoice by number', () => {
  it.each([
    ['1', 'single'],
    ['2', 'married'],
    ['٢', 'married'],
    ['۲', 'married'],
    ['2.', 'married'],
    ['(2)', 'married'],
    ['2)', 'married'],
    [' 4 ', 'widowed'],
  ])('%j → %s', (raw, id) => {
    expect(validateChoice(raw, marital)).toMatchObject({ ok: true, value: id });
  });

  it('shows the first label', () => {
    expect(validateChoice('2', marital)).toEqual({ ok: true, value: 'married', display: 'متزوج' });
  });

  it.each(['0', '5', '12'])('%s is out of range', (raw) => {
    expect(validateChoice(raw, marital)).toEqual({ ok: false, code: 'choice_unknown', params: { count: 4 } });
  });
});

describe('validateChoice by label', () => {
  it.each([
    ['متزوج', 'married'],
    ['مُتَزَوِّج', 'married'], // diacritics
    ['married', 'married'],
    ['MARRIED', 'married'],
    ['Married.', 'married'],
    ['اعزب', 'single'], // hamza dropped
    ['أرمل!', 'widowed'],
    ['الأرمل', 'widowed'], // article
    ['مطلق', 'divorced'],
    ['نعم', 'yes'],
    ['لا', 'no'],
    ['لأ', 'no'],
    ['no', 'no'],
  ])('exact: %j → %s', (raw, id) => {
    const options = [...marital, ...yesNo];
    expect(validateChoice(raw, options)).toMatchObject({ ok: true, value: id });
  });

  it.each([
    ['أنا متزوج', 'married', marital], // label inside the answer
    ['متزوج والحمد لله', 'married', marital],
    ['لا شكرا', 'no', yesNo],
    ['نعم أوافق', 'yes', yesNo],
    ['غذائية', 'food', services], // answer inside a label
    ['ايجار', 'rent', services],
    ['فواتير', 'bills', services],
  ])('contained: %j → %s', (raw, id, options) => {
    expect(validateChoice(raw, options)).toMatchObject({ ok: true, value: id });
  });

  it.each([
    ['متزوح', 'married'], // ح for ج
    ['مطلقه', 'divorced'],
    ['Maried', 'married'],
    ['singel', 'single'],
    ['نعن', 'yes'],
    ['مساعده ايجارر', 'rent'],
  ])('typo: %j → %s', (raw, id) => {
    expect(validateChoice(raw, [...marital, ...yesNo, ...services])).toMatchObject({ ok: true, value: id });
  });
});

describe('validateChoice refuses', () => {
  it.each([
    ['مساعدة', services], // contained in two labels
    ['ايجار او فواتير', services], // names two options
    ['xyz', marital],
    ['؟', marital],
    ['م', marital], // too short to guess
    ['الأسرة', yesNo], // contains the letters "لا" but not the word
    ['نعم لا', yesNo],
    ['مطبخ', marital],
  ])('%j → choice_unknown', (raw, options) => {
    expect(validateChoice(raw, options)).toEqual({
      ok: false,
      code: 'choice_unknown',
      params: { count: options.length },
    });
  });

  it('requires a unique best typo match', () => {
    const close: ChoiceOption[] = [
      { id: 'a', labels: ['كبير'] },
      { id: 'b', labels: ['كثير'] },
    ];
    expect(validateChoice('كتير', close)).toMatchObject({ ok: false, code: 'choice_unknown' });
    expect(validateChoice('كبير', close)).toMatchObject({ ok: true, value: 'a' });
  });

  it('refuses a label shared by two options', () => {
    const dup: ChoiceOption[] = [
      { id: 'a', labels: ['نعم'] },
      { id: 'b', labels: ['نعم'] },
    ];
    expect(validateChoice('نعم', dup)).toMatchObject({ ok: false, code: 'choice_unknown' });
  });

  it('handles empty input and no options', () => {
    expect(validateChoice('', marital)).toEqual({ ok: false, code: 'empty' });
    expect(validateChoice('1', [])).toEqual({ ok: false, code: 'choice_unknown', params: { count: 0 } });
  });
});

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['abc', 'ab', 1],
    ['kitten', 'sitting', 3],
    ['متزوج', 'متزوح', 1],
    ['😀a', 'a', 1],
  ])('%j %j = %d', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
  });

  it('stops early beyond the limit', () => {
    expect(levenshtein('aaaaaaaa', 'bbbbbbbb', 2)).toBe(3);
    expect(levenshtein('a', 'abcdef', 2)).toBe(3);
  });
});

describe('validateChoice by ordinal and with words around the pick', () => {
  const support: ChoiceOption[] = [
    { id: 'social', labels: ['دعم اجتماعي', 'Social support'] },
    { id: 'research', labels: ['دعم بحث علمي', 'Research support'] },
    { id: 'training', labels: ['تدريب', 'Training'] },
    { id: 'other', labels: ['غير ذلك', 'Other', 'اخرى', 'شي ثاني'] },
  ];
  it.each([
    ['الأول', 'social'],
    ['الاول', 'social'],
    ['اول واحد', 'social'],
    ['الثاني', 'research'],
    ['ثاني', 'research'],
    ['الثانية', 'research'],
    ['الثالث', 'training'],
    ['الاخير', 'other'],
    ['اخر واحد', 'other'],
    ['the second one', 'research'],
    ['second', 'research'],
    ['2nd', 'research'],
    ['the last one', 'other'],
    ['number 3', 'training'],
    ['option 4', 'other'],
    ['#3', 'training'],
    ['no. 2', 'research'],
    ['رقم ٣', 'training'],
    ['خيار 2', 'research'],
    ['الخيار الثاني', 'research'],
    ['ابي الثالث', 'training'],
    ['ابي رقم 2 لو سمحت', 'research'],
    ['ثلاثة', 'training'],
    ['el thani', 'research'], // Arabizi
    ['akheer', 'other'],
    ['ابي دعم بحث علمي', 'research'], // a label with words around it
    ['ابغى تدريب', 'training'],
    ['I want training please', 'training'],
    ['شي ثاني', 'other'], // an alias wins over the ordinal inside it
  ])('%j → %s', (raw, id) => {
    expect(validateChoice(raw, support)).toMatchObject({ ok: true, value: id });
  });

  it.each([
    ['الخامس', support], // beyond the options
    ['ابي دعم', support], // two labels start with دعم
    ['1 و 2', support],
    ['the one', support],
    ['ابي اكلم موظف', support],
    ['تدريب ودعم اجتماعي', support], // two options joined by و
  ])('%j → choice_unknown', (raw, options) => {
    expect(validateChoice(raw, options)).toEqual({ ok: false, code: 'choice_unknown', params: { count: options.length } });
  });

  it('keeps "no" an answer, not a filler word', () => {
    expect(validateChoice('no', yesNo)).toMatchObject({ ok: true, value: 'no' });
    expect(validateChoice('نعم لا', yesNo)).toMatchObject({ ok: false, code: 'choice_unknown' });
  });
});

describe('choicePosition', () => {
  it.each([
    ['الأول', 2, 1],
    ['الثاني', 2, 2],
    ['the second one', 2, 2],
    ['رقم ١', 2, 1],
    ['الاخير', 3, 3],
    ['الثالث', 2, undefined], // beyond the options
    ['نعم', 2, undefined],
    ['لحالي', 2, undefined],
  ])('%j of %d → %s', (text, count, at) => {
    expect(choicePosition(text, count)).toBe(at);
  });

  it('a one-option keyword list is not picked by position', () => {
    expect(validateChoice('الأول', [{ id: 'r:correct', labels: ['تعديل'] }])).toMatchObject({ ok: false });
  });
});
