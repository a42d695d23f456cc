import { describe, expect, it } from 'vitest';
import { understand, type Intent, type Place } from '../../src/understand/index.ts';

const fired = (text: string, place: Place): Intent | undefined => {
  const u = understand(text, place);
  return u.kind === 'intent' ? u.intent : undefined;
};

/**
 * A word inside someone's content must not make the bot act for them. These are phrasings of
 * our own for each class (a guessed word, a comment about messages, a self-description, a
 * language named in an answer), with the real requests they must not break beside them.
 */
describe('words inside content do not act', () => {
  it('an English word one letter from a command word is not that word (the first letter stays)', () => {
    for (const text of ['my brother works far away and my mother is sick', 'the other stop on the route is closer to my father']) {
      for (const place of ['free_text', 'form_value', 'menu'] as Place[]) expect(fired(text, place), `${text} @ ${place}`).toBeUndefined();
    }
    // a real misspelling still reads: "stop sendng me messages"
    expect(fired('please stop sendng me messages', 'menu')).toBe('stop');
  });

  it('an Arabic word only guessed to be cancel / stop / send does not cancel or opt out', () => {
    for (const text of ['ما القى الورقة', 'وين القى الاستمارة', 'القى صعوبة في التسجيل', 'تخصصي اللغوي', 'الدعم اللغوي للطلاب']) {
      for (const place of ['free_text', 'form_value', 'menu'] as Place[]) {
        const got = fired(text, place);
        expect(['menu', 'stop'].includes(got ?? ''), `${text} @ ${place}: ${got}`).toBe(false);
      }
    }
    // the real words still do
    expect(understand('الغاء', 'menu').kind).not.toBe('none');
    expect(fired('الغي الطلب', 'menu')).toBe('menu');
  });

  it('a comment about the messages is not an opt-out at a free-text or survey question', () => {
    for (const text of ['please stop sending two reminders on the same day, the rest was fine', 'ياليت توقفون الرسائل الطويلة وتكون اقصر', 'كان الافضل توقفون التنبيهات المتكررة بالليل']) {
      expect(fired(text, 'free_text'), text).toBeUndefined();
    }
    // a whole request still opts out there
    for (const text of ['وقفوا الرسائل', 'اوقفوا رسايلكم لو سمحتوا', 'please stop sending me messages', 'stop messaging me', 'يا اخوان وقفوا المسجات ازعجتونا']) {
      expect(fired(text, 'free_text'), text).toBe('stop');
    }
  });

  it('"I am an employee" is who the writer is, not a request for a person', () => {
    for (const text of ['انا موظف حكومي وابغى اعرف الشروط', 'انا موظفه واحتاج اعرف متى الدوام', 'im a staff member at a school and need the requirements']) {
      expect(fired(text, 'menu'), text).not.toBe('agent');
    }
    expect(fired('انا ابي اكلم موظف', 'menu')).toBe('agent');
    expect(fired('وين الاقي موظف اكلمه', 'menu')).toBe('agent');
  });

  it('the languages a person speaks, named in an answer, switch nothing', () => {
    for (const text of ['التصوير، واتكلم فرنسي وعربي', 'الترجمة لاني اتكلم تركي وانجليزي', 'I speak Urdu and English fluently']) {
      expect(fired(text, 'form_value'), text).not.toBe('language');
    }
    expect(fired('ابي اتكلم انجليزي', 'menu')).toBe('language');
    expect(fired('English please', 'form_value')).toBe('language');
  });

  it('a stop word that is also a noun is the answer at a free-text question, and still opts out elsewhere', () => {
    expect(fired('توقف', 'free_text')).toBeUndefined();
    expect(fired('وقف', 'free_text')).toBeUndefined();
    expect(fired('وقف', 'form_value')).toBe('stop');
    expect(fired('توقف', 'menu')).toBe('stop');
    // the carriers' words and a plural imperative stay opt-outs everywhere
    for (const t of ['stop', 'إيقاف', 'وقفوا']) expect(fired(t, 'free_text'), t).toBe('stop');
  });
});
