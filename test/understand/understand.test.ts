import { describe, expect, it } from 'vitest';
import { looksLikeQuestion, readIntents, understand, type Intent, type Place } from '../../src/understand/index.ts';
import { skeleton } from '../../src/understand/tokens.ts';

/** [text, expected intent] at every place where commands are read (menu, form value). */
const ANYWHERE: [string, Intent][] = [
  // agent — MSA, Gulf, English, Arabizi
  ['ابي اكلم موظف', 'agent'],
  ['أريد التحدث مع موظف', 'agent'],
  ['ابغى اكلم احد', 'agent'],
  ['بغيت اتواصل مع شخص', 'agent'],
  ['ودي اكلم انسان', 'agent'],
  ['كلمني موظف', 'agent'],
  ['ابي موظف', 'agent'],
  ['أبغي أتواصل مع الباحث الاجتماعي', 'agent'],
  ['ابي اكلم الموضف', 'agent'], // misspelt ظ
  ['موظف', 'agent'],
  ['I want to talk to a person', 'agent'],
  ['can I speak to someone', 'agent'],
  ['human please', 'agent'],
  ['connect me to an agent', 'agent'],
  ['abi akalem mowadhaf', 'agent'],
  ['abgha 2kalm 7ad', 'agent'],
  ['abi mwazaf', 'agent'],
  // status
  ['وش صار على طلبي', 'status'],
  ['وين طلبي', 'status'],
  ['ايش صار بطلبي؟', 'status'],
  ['ابي اعرف حالة طلبي', 'status'],
  ['متابعة الطلب', 'status'],
  ['حالة', 'status'],
  ['where is my request', 'status'],
  ["what's the status", 'status'],
  ['any update on my application?', 'status'],
  ['wain tlbi', 'status'],
  ['wesh sar 3la talabi', 'status'],
  // menu
  ['ارجع للقائمة', 'menu'],
  ['رجعني للبداية', 'menu'],
  ['القائمة الرئيسية', 'menu'],
  ['القائمة', 'menu'],
  ['main menu', 'menu'],
  ['go back to the menu', 'menu'],
  ['take me back to the main menu', 'menu'],
  // stop
  ['لا تراسلوني', 'stop'],
  ['لاتراسلوني', 'stop'],
  ['وقفوا الرسائل', 'stop'],
  ['ما ابي رسائل', 'stop'],
  ['الغاء الاشتراك', 'stop'],
  ['إيقاف', 'stop'],
  ['stop', 'stop'],
  ['STOP', 'stop'],
  ['please stop messaging me', 'stop'],
  ['stop sending me messages', 'stop'],
  ["don't text me again", 'stop'],
  ['unsubscribe', 'stop'],
  ['remove my number from your list', 'stop'],
  ['احذفوا رقمي', 'stop'],
  // help
  ['ما فهمت', 'help'],
  ['مافهمت', 'help'],
  ['وش اكتب؟', 'help'],
  ['ايش المطلوب؟', 'help'],
  ["I don't understand", 'help'],
  ['what should I write', 'help'],
  ['مساعدة', 'help'],
  // greeting, thanks
  ['السلام عليكم', 'greeting'],
  ['السلام عليكم ورحمة الله وبركاته', 'greeting'],
  ['hello', 'greeting'],
  ['صباح الخير', 'greeting'],
  ['كيف حالك', 'greeting'],
  ['شكرا', 'thanks'],
  ['يعطيك العافية', 'thanks'],
  ['جزاك الله خير', 'thanks'],
  ['thank you so much', 'thanks'],
  ['shukran', 'thanks'],
  // glued, stretched and run-together writing
  ['ma abi rasayel', 'stop'],
  ['mafhemt', 'help'],
  ['ايقااااف', 'stop'],
  ['ابياكلم موظف', 'agent'],
  ['مابي رسايل', 'stop'],
  ['rj3ni lel qa2ema', 'menu'],
  ['back to start', 'menu'],
];

/** Language switches, with the language asked for. */
const LANGUAGE: [string, 'ar' | 'en'][] = [
  ['English please', 'en'],
  ['in English', 'en'],
  ['can you speak english', 'en'],
  ['بالعربي لو سمحت', 'ar'],
  ['عربي', 'ar'],
  ['Arabic', 'ar'],
  ['انقلش', 'en'],
];

/** Must never fire an intent, at a free-text question (names, details, a city). */
const NEVER_AT_FREE_TEXT: string[] = [
  'عبدالله موظف',
  'محمد مسؤول',
  'أمل',
  'هلا',
  'سلام',
  'نور',
  'زوجي موظف حكومي ودخله قليل',
  'the bus stop near my house',
  'وقفت الدراسة بسبب الظروف',
  'قدمت طلب قبل سنة وانرفض',
  'back pain since last year',
  'English',
  'end',
  'cancel',
  'انا موظف متقاعد',
  'ابي اسكن قريب من الباص ستوب',
  'الموظف اللي كلمني قال ارسل الهوية',
  'لا تتصلون بعد المغرب',
  'I speak Arabic and English',
  'English literature',
  'ابي دورة انجليزي للمبتدئين',
  'ليت فيه خيار اكلم موظف اسرع',
  'I work as a staff member at a school and need a training course',
  'اتواصل معكم من جوال اخوي',
];

/** Near-misses that must not fire anywhere. */
const NEVER: string[] = [
  'عبدالله موظف',
  'محمد مسؤول',
  'the bus stop near my house',
  'وقفت الدراسة',
  'ما ابي موظف',
  'I am not looking for a person',
  'الرياض',
  '1012345672',
  'زوجي موظف في شركة',
];

describe('understand: intents anywhere', () => {
  for (const place of ['menu', 'form_value'] as Place[]) {
    it.each(ANYWHERE)(`${place}: %s → %s`, (text, intent) => {
      const u = understand(text, place);
      expect(u.kind, `${text}: ${u.reason}`).toBe('intent');
      if (u.kind === 'intent') expect(u.intent, u.reason).toBe(intent);
      expect(u.reason).toMatch(new RegExp(`^${intent}:`));
    });
  }
  it.each(LANGUAGE)('language: %s → %s', (text, target) => {
    const u = understand(text, 'menu');
    expect(u).toMatchObject({ kind: 'intent', intent: 'language', target });
  });
});

describe('understand: free-text questions take only clear requests', () => {
  it.each(NEVER_AT_FREE_TEXT)('free_text: %s is an answer', (text) => {
    const u = understand(text, 'free_text');
    expect(u.kind, u.reason).toBe('none');
  });
  it.each([
    ['ابي اكلم موظف', 'agent'],
    ['I want to talk to a person', 'agent'],
    ['لا تراسلوني', 'stop'],
    ['stop', 'stop'],
    ['إيقاف', 'stop'],
    ['القائمة', 'menu'],
    ['حالة طلبي', 'status'],
    ['موظف', 'agent'],
    ['ما فهمت', 'help'],
  ] as [string, Intent][])('free_text: %s → %s', (text, intent) => {
    expect(understand(text, 'free_text')).toMatchObject({ kind: 'intent', intent });
  });
  it.each(NEVER)('never an intent: %s', (text) => {
    for (const place of ['menu', 'form_value', 'free_text', 'rating', 'waiting'] as Place[]) {
      const u = understand(text, place);
      expect(u.kind === 'intent' && u.intent !== 'no' ? u.intent : 'none', `${place}: ${u.reason}`).toBe('none');
    }
  });
});

describe('understand: review and offer', () => {
  const REVIEW: [string, Intent][] = [
    ['ايه', 'yes'],
    ['ايوه', 'yes'],
    ['تمام', 'yes'],
    ['اوكي', 'yes'],
    ['اكيد', 'yes'],
    ['صح', 'yes'],
    ['👍', 'yes'],
    ['نعم أؤكد', 'yes'],
    ['yes please', 'yes'],
    ['yep', 'yes'],
    ['aywa', 'yes'],
    ['كل شي صحيح', 'yes'],
    ['لا شكرا', 'no'],
    ['nope', 'no'],
    ['لا', 'no'],
    ['la', 'no'],
    ['لا ابي اعدل', 'correct'],
    ['فيه غلط', 'correct'],
    ['في خطأ بالاسم', 'correct'],
    ['ابي اعدل رقم الجوال', 'correct'],
    ['مو صحيح', 'correct'],
    ["there's a mistake", 'correct'],
    ['I want to change my phone number', 'correct'],
    ['ابي اكلم موظف', 'agent'],
  ];
  it.each(REVIEW)('review: %s → %s', (text, intent) => {
    expect(understand(text, 'review'), text).toMatchObject({ kind: 'intent', intent });
  });
  it.each([
    ['ايه', 'yes'],
    ['اكيد', 'yes'],
    ['ok', 'yes'],
    ['لا شكرا', 'no'],
    ['no thanks', 'no'],
    ['مو الحين', 'no'],
    ['ما ابي', 'no'],
  ] as [string, Intent][])('offer: %s → %s', (text, intent) => {
    expect(understand(text, 'offer')).toMatchObject({ kind: 'intent', intent });
  });
  it('yes/no/correct mean nothing at the menu or a form question', () => {
    for (const text of ['ايه', 'لا', 'فيه غلط', 'ok']) {
      expect(understand(text, 'menu').kind, text).toBe('none');
      expect(understand(text, 'form_value').kind, text).toBe('none');
    }
  });
});

describe('understand: two readings are asked about, not guessed', () => {
  it('"الغاء" may cancel the form or opt out', () => {
    expect(understand('الغاء', 'form_value')).toMatchObject({ kind: 'clarify', options: ['menu', 'stop'] });
    expect(understand('cancel', 'menu')).toMatchObject({ kind: 'clarify', options: ['menu', 'stop'] });
  });
  it('"لا ابي موظف" at the offer: no, or a person?', () => {
    expect(understand('لا ابي موظف', 'offer')).toMatchObject({ kind: 'clarify', options: ['agent', 'no'] });
    // At a form question "no" means nothing, so the request for a person stands.
    expect(understand('لا ابي موظف', 'form_value')).toMatchObject({ kind: 'intent', intent: 'agent' });
  });
  it('a bare "correct" at the review: it is correct, or correct something?', () => {
    expect(understand('correct', 'review')).toMatchObject({ kind: 'clarify', options: ['correct', 'yes'] });
  });
});

describe('understand: opted out and waiting', () => {
  it('only start works once opted out', () => {
    expect(understand('start', 'opted_out')).toMatchObject({ kind: 'intent', intent: 'start' });
    expect(understand('ابدأ', 'opted_out')).toMatchObject({ kind: 'intent', intent: 'start' });
    expect(understand('رجعوا الرسائل', 'opted_out')).toMatchObject({ kind: 'intent', intent: 'start' });
    expect(understand('ابي اكلم موظف', 'opted_out').kind).toBe('none');
    expect(understand('مرحبا', 'opted_out').kind).toBe('none');
  });
  it('a bare stop and a request for a person work while waiting', () => {
    expect(understand('stop', 'waiting')).toMatchObject({ intent: 'stop' });
    expect(understand('القائمة', 'waiting')).toMatchObject({ intent: 'menu' });
  });
});

describe('understand: every reading names its rule', () => {
  it('reasons say which words decided', () => {
    const u = understand('ابي اكلم موظف', 'form_value');
    expect(u.reason).toBe("agent: want 'ابي' + talk 'اكلم' + person 'موظف'");
    expect(understand('عبدالله موظف', 'free_text').reason).toMatch(/^none:/);
    const r = readIntents('ما ابي موظف');
    expect(r[0]).toMatchObject({ intent: 'no', sure: 'likely' });
    expect(r[0]!.reason).toMatch(/negated/);
  });
  it('never throws on odd input', () => {
    for (const text of ['', ' ', '\uD800', '؟', '?????', 'ـــ', '😀'.repeat(500), 'ا'.repeat(20000), '١٢٣']) {
      expect(() => understand(text, 'menu')).not.toThrow();
      expect(() => looksLikeQuestion(text)).not.toThrow();
    }
  });
});

describe('looksLikeQuestion', () => {
  it.each(['وش المطلوب؟', 'كم تاخذ المدة', 'how long does it take', 'هل يشترط الضمان', 'متى يطلع الرد', 'what documents do I need'])('%s is a question', (t) => {
    expect(looksLikeQuestion(t)).toBe(true);
  });
  it.each(['محمد عبدالله', 'الرياض', 'أعمل في شركة وعندي ثلاثة أطفال', '1012345672', 'هلا'])('%s is not', (t) => {
    expect(looksLikeQuestion(t)).toBe(false);
  });
});

describe('Arabizi skeletons', () => {
  it('spellings of one word meet', () => {
    expect(skeleton('mowadhaf')).toBe(skeleton('mwazaf'));
    expect(skeleton('muwazzaf')).toBe(skeleton('mowazaf'));
    expect(skeleton('akalem')).toBe(skeleton('2kalm'));
  });
});

describe('the reserved words of src/engine/words.ts still work', () => {
  it('every reserved word is read as its command at the menu (cancel asks: menu or stop?)', async () => {
    const { GLOBAL_WORD_KEYS, globalWord } = await import('../../src/engine/words.ts');
    const fold = (w: string) => (w === 'english' || w === 'arabic' ? 'language' : w);
    for (const key of GLOBAL_WORD_KEYS) {
      const word = fold(globalWord(key)!);
      const u = understand(key, 'menu');
      const got = u.kind === 'intent' ? [u.intent] : u.kind === 'clarify' ? u.options : [];
      expect(got, `${key}: ${u.reason}`).toContain(word);
    }
  });
});
