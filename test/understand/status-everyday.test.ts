import { describe, expect, it } from 'vitest';
import { understand, type Place } from '../../src/understand/index.ts';

const intent = (text: string, place: Place) => {
  const u = understand(text, place);
  return u.kind === 'intent' ? u.intent : u.kind;
};

/** The status asked in everyday words, phrasings of our own for each class. */
describe('status in everyday words', () => {
  it.each([
    ['بشرونا عن الطلب', 'follow-up verb + the request'],
    ['طمني على المعاملة لو سمحت', 'reassure me + the request'],
    ['وش صار بموضوعنا', 'our matter'],
    ['ايش صار على الطلب حق ابوي', "someone's own request (حق + person)"],
    ['الطلب تبع اختي وش وضعه', "someone's own request (تبع)"],
    ['ابي مراجعة طلب قديم', 'an earlier request'],
    ['هل الطلب انقبلت ولا للحين', 'accepted yet?'],
    ['has the application been accepted yet', 'accepted yet? (English)'],
    ['رفعت طلب من شهر وما احد رد علي', 'no reply on what I applied for'],
    ['الطلب صار له اسبوعين ولا احد رد', 'no reply on the request'],
    ['mafee rad 3ala talabi', 'no reply (Arabizi)'],
    ['applied two weeks ago and nobody replied', 'no reply (English)'],
  ])('%s → status (%s)', (text) => {
    expect(intent(text, 'menu')).toBe('status');
  });

  it('a long greeting that ends asking how things stand is the status', () => {
    expect(intent('مساء الخير يا اخوان، سجلت عندكم الشهر اللي فات وللحين ما جاني شي وش الوضع', 'menu')).toBe('status');
  });

  it('following a request up mid-form is the status', () => {
    expect(intent('ودي اتابع على الطلب', 'form_value')).toBe('status');
  });

  it('what happens next is still not the status', () => {
    for (const t of ['اذا انقبل الطلب وش يصير بعدين', 'لو ما ردوا على الطلب وش الخطوة الجاية']) expect(intent(t, 'menu'), t).not.toBe('status');
  });

  it('a story at a free-text question that mentions applying elsewhere or a reply is no status request', () => {
    for (const t of ['قدمت استقالتي من الشركة وش اسوي الحين', 'قدمت على وظيفة في مدرسة وما ردوا علي للحين وهذا سبب طلبي للدعم']) {
      expect(intent(t, 'free_text'), t).not.toBe('status');
    }
    // a short complaint is still the status there
    expect(intent('قدمت من شهر وما ردوا علي', 'free_text')).toBe('status');
  });
});
