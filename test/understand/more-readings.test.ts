import { describe, expect, it } from 'vitest';
import { looksLikeQuestion, understand, type Place } from '../../src/understand/index.ts';
import { menuActionWord } from '../../src/understand/actions.ts';

const intent = (text: string, place: Place) => {
  const u = understand(text, place);
  return u.kind === 'intent' ? u.intent : u.kind;
};

/** Smaller classes, with our own phrasings. */
describe('more readings', () => {
  it('"where do I find it" at a value question asks for help', () => {
    expect(intent('وين الاقي رقم الحساب؟', 'form_value')).toBe('help');
    expect(intent('where do I find the number', 'form_value')).toBe('help');
    // where to find a person is still a request for one
    expect(intent('وين الاقي موظف اكلمه', 'form_value')).toBe('agent');
  });

  it('a condition followed by a question is a question, not the status', () => {
    expect(looksLikeQuestion('لو رفضتوا طلبي وش اسوي')).toBe(true);
    expect(looksLikeQuestion('if my application is accepted what comes next')).toBe(true);
    expect(intent('لو رفضتوا طلبي وش اسوي', 'menu')).not.toBe('status');
  });

  it('a question about who handles a request is not the status', () => {
    expect(intent('مين يراجع طلبي؟', 'menu')).not.toBe('status');
    expect(intent('وين وصل طلبي', 'menu')).toBe('status');
  });

  it('a member of staff praised is thanks', () => {
    expect(intent('الموظفة كانت متعاونة الله يجزاها خير', 'menu')).toBe('thanks');
    expect(intent('الموظف ابي اكلمه', 'menu')).not.toBe('thanks');
  });

  it('"can you speak Arabic? I do not understand English" asks for Arabic', () => {
    const u = understand('تقدر تكتب لي عربي؟ ما اعرف انجليزي', 'menu');
    expect(u.kind === 'intent' && u.intent === 'language' ? u.target : undefined).toBe('ar');
  });

  it('a bare subscription word once opted out asks to come back, and means nothing elsewhere', () => {
    expect(intent('الاشتراك', 'opted_out')).toBe('start');
    expect(intent('الاشتراك', 'free_text')).not.toBe('start');
  });

  it('a few words of the pilgrims\' languages (Indonesian, Urdu) and Gulf وشلون', () => {
    expect(intent('saya mau bicara dengan petugas', 'menu')).toBe('agent');
    expect(intent('terima kasih banyak', 'menu')).toBe('thanks');
    expect(intent('shukriya', 'menu')).toBe('thanks');
    expect(intent('bahasa inggris please', 'menu')).toBe('language');
    expect(looksLikeQuestion('وشلون اسجل')).toBe(true);
    expect(menuActionWord('abi atawwa3')).toBe('volunteer');
  });

  it('"no one is replying" while waiting asks for a person; about a request it is the status; in a comment it is the comment', () => {
    expect(intent('وينكم محد يرد', 'waiting')).toBe('agent');
    expect(intent('nobody is replying', 'waiting')).toBe('agent');
    expect(intent('ما احد رد على طلبي', 'menu')).toBe('status');
    expect(intent('التعامل بطيء جدا وما احد يرد', 'free_text')).not.toBe('agent');
    // an English word is not read as an Arabizi skeleton of a command ("nobody" is not "nbda")
    expect(intent('nobody', 'waiting')).not.toBe('start');
  });
});
