import { describe, expect, it } from 'vitest';
import { understand, type Intent, type Place } from '../../src/understand/index.ts';

const intent = (text: string, place: Place): Intent | string => {
  const u = understand(text, place);
  return u.kind === 'intent' ? u.intent : u.kind;
};

/** Spelling and word variants of yes/no, people, greetings, thanks, opt-out and help (our own phrasings). */
describe('variants people write', () => {
  it.each([
    ['ياريت', 'offer', 'yes'],
    ['ياريت والله بسرعة', 'offer', 'yes'],
    ['haan', 'offer', 'yes'],
    ['jee haan', 'offer', 'yes'],
    ['nahin', 'offer', 'no'],
    ['tidak', 'offer', 'no'],
    ['خليني اجرب', 'offer', 'no'],
    ['let me try', 'offer', 'no'],
    ['aiyeh', 'review', 'yes'],
    ['جيد', 'review', 'yes'],
    ['رقم الجوال ناقص', 'review', 'correct'],
    ['the address is incomplete', 'review', 'correct'],
  ] as [string, Place, Intent][])('%s at %s → %s', (text, place, want) => {
    expect(intent(text, place)).toBe(want);
  });

  it('feminine and plural person nouns ask for a person', () => {
    expect(intent('ابغى اكلم احدى الباحثات', 'form_value')).toBe('agent');
    expect(intent('ودي اتواصل مع وحده من الاخصائيات', 'form_value')).toBe('agent');
    expect(intent('الموظفات', 'menu')).toBe('agent');
  });

  it('greetings and thanks in other spellings', () => {
    expect(intent('مسا النور', 'menu')).toBe('greeting');
    expect(intent('Assalam o alaikum everyone', 'menu')).toBe('greeting');
    expect(intent('ya3tikum el3afia', 'menu')).toBe('thanks');
    expect(intent('🤝', 'menu')).toBe('thanks');
  });

  it('opt-out variants: removal aimed at me, another verb of sending, block', () => {
    for (const t of ['امسحوني', 'شيلوني من القائمة', 'احذفني من عندكم لو سمحت', 'لا تطرشون لي مسجات', 'block']) expect(intent(t, 'menu'), t).toBe('stop');
    // removing something else is no opt-out
    for (const t of ['احذف الرقم الثاني', 'امسح الاسم واكتبه من جديد']) expect(intent(t, 'menu'), t).not.toBe('stop');
  });

  it('"what do you need from me" at a value question asks for help', () => {
    expect(intent('ايش المطلوب مني', 'form_value')).toBe('help');
    expect(intent('وش تبون مني بالضبط؟', 'form_value')).toBe('help');
  });
});
