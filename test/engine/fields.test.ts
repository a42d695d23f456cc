import { describe, it, expect } from 'vitest';
import { Field } from '../../src/flows/schema.ts';
import { textKind, validateField } from '../../src/engine/fields.ts';
import { loadFlows } from '../../src/flows/load.ts';
import { choiceByNumber } from '../../src/engine/choices.ts';

const now = new Date('2026-01-01T09:00:00Z');
const field = (input: Record<string, unknown>) =>
  Field.parse({ label: { ar: 'س', en: 'Q' }, prompt: { ar: 'س؟', en: 'Q?' }, ...input });

describe('validateField takes values out of real writing', () => {
  it('drops the lead-in of a name and of a city, by kind or by the usual field ids', () => {
    const fullName = field({ id: 'full_name', type: 'text', letters_only: true, min_words: 3, max: 100 });
    const city = field({ id: 'city', type: 'text', letters_only: true, min: 2, max: 60 });
    const hometown = field({ id: 'hometown', type: 'text', letters_only: true, kind: 'city' });
    expect(validateField(fullName, { text: 'اسمي محمد عبدالله الأحمد 🙏' }, now, 'ar')).toMatchObject({ ok: true, value: 'محمد عبدالله الأحمد' });
    expect(validateField(city, { text: 'ساكن في الرياض' }, now, 'ar')).toMatchObject({ ok: true, value: 'الرياض' });
    expect(validateField(hometown, { text: 'I live in Riyadh.' }, now, 'en')).toMatchObject({ ok: true, value: 'Riyadh' });
  });

  it('keeps free text (details, notes) as written', () => {
    const details = field({ id: 'request_details', type: 'text', min: 10 });
    expect(textKind(details as Extract<Field, { type: 'text' }>)).toBeUndefined();
    expect(validateField(details, { text: 'انا اسمي محمد واحتاج نقل للحرم' }, now, 'ar')).toMatchObject({ ok: true, value: 'انا اسمي محمد واحتاج نقل للحرم' });
  });

  it('accepts a passport and an Egyptian mobile where the field allows them', () => {
    const id = field({ id: 'national_id', type: 'national_id', allow: ['citizen', 'resident', 'border', 'passport'] });
    const mobile = field({ id: 'mobile', type: 'phone', countries: ['SA', '*'] });
    expect(validateField(id, { text: 'جوازي A12345678' }, now, 'ar')).toMatchObject({ ok: true, value: { id: 'A12345678', kind: 'passport' } });
    expect(validateField(mobile, { text: 'رقمي +20 10 1234 5678' }, now, 'ar')).toMatchObject({ ok: true, value: '+201012345678' });
    // the defaults stay Saudi-only
    expect(validateField(field({ id: 'national_id', type: 'national_id' }), { text: 'A12345678' }, now, 'ar')).toMatchObject({ ok: false });
    expect(validateField(field({ id: 'mobile', type: 'phone' }), { text: '+201012345678' }, now, 'ar')).toMatchObject({ ok: false, code: 'phone_country' });
  });

  it('reads counts and ordinal picks', () => {
    const size = field({ id: 'group_size', type: 'integer', min: 1, max: 50 });
    const pick = field({
      id: 'visitor_type',
      type: 'choice',
      options: [
        { id: 'pilgrim', label: { ar: 'حاج', en: 'Hajj pilgrim' } },
        { id: 'umrah', label: { ar: 'معتمر', en: 'Umrah performer' } },
        { id: 'visitor', label: { ar: 'زائر', en: 'Visitor' } },
      ],
    });
    expect(validateField(size, { text: 'احنا ٥ افراد' }, now, 'ar')).toMatchObject({ ok: true, value: 5 });
    expect(validateField(size, { text: 'انا لحالي' }, now, 'ar')).toMatchObject({ ok: true, value: 1 });
    expect(validateField(pick, { text: 'الثالث' }, now, 'ar')).toMatchObject({ ok: true, value: 'visitor', display: 'زائر' });
    expect(validateField(pick, { text: 'the second one' }, now, 'en')).toMatchObject({ ok: true, value: 'umrah', display: 'Umrah performer' });
  });

  it('refuses a country code that is not two letters or *', () => {
    expect(() => field({ id: 'mobile', type: 'phone', countries: ['SAU'] })).toThrow();
    expect(() => field({ id: 'national_id', type: 'national_id', allow: ['visa'] })).toThrow();
  });
});

describe("every flow's own examples", () => {
  const flows = [...loadFlows('flows').values()];
  const cases = flows.flatMap((flow) =>
    [['intake', flow.intake.fields] as const, ['volunteer', flow.volunteer?.fields ?? []] as const].flatMap(([form, fields]) =>
      fields
        // dates are judged by the date validator's own tests; media and choices have no typed example
        .filter((f) => ['text', 'national_id', 'phone', 'integer'].includes(f.type) && f.example)
        .flatMap((f) =>
          (['ar', 'en'] as const).flatMap((lang) =>
            // "0501234567 or +966501234567": each writing the example offers
            f.example![lang].split(/ أو | or /).map((writing) => ({ name: `${flow.id} ${form}.${f.id} (${lang}): ${writing.trim()}`, f, lang, writing: writing.trim() })),
          ),
        ),
    ),
  );
  it.each(cases)('$name is accepted', ({ f, lang, writing }) => {
    expect(validateField(f, { text: writing }, now, lang)).toMatchObject({ ok: true });
  });
});

describe('choiceByNumber (review and offer buttons picked by typing)', () => {
  const ids = ['r:confirm', 'r:correct'];
  it.each([
    ['1', 'r:confirm'],
    ['١', 'r:confirm'],
    ['(2)', 'r:correct'],
    ['2.', 'r:correct'],
    ['رقم 2', 'r:correct'],
    ['الأول', 'r:confirm'],
    ['the second one', 'r:correct'],
    ['1 غلط', undefined], // "item 1 is wrong" must not submit the request
    ['انا بس ابي اعدل', undefined],
    ['3', undefined],
  ])('%j → %s', (text, id) => {
    expect(choiceByNumber(text, ids)).toBe(id);
  });
});
