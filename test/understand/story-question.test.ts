/**
 * A long first message that tells a story and ends asking something gets that answer from the
 * FAQ; it does not start the form because a menu word ("اقدم", "apply") sits in the question.
 */
import { describe, expect, it } from 'vitest';
import { looksLikeQuestion, questionPart } from '../../src/understand/index.ts';
import { Driver } from '../support/driver.ts';
import { FLOWS } from '../support/scenario.ts';

describe('a story that ends in a question', () => {
  it('is a question, and its question part is what follows the verb of asking', () => {
    const ar = 'مساء الخير، انا ارملة وعندي ثلاث عيال وودي اسال كيف اقدم على المساعدة';
    expect(looksLikeQuestion(ar)).toBe(true);
    expect(questionPart(ar).startsWith('كيف')).toBe(true);
    expect(looksLikeQuestion('hello, my son is disabled and I wanted to ask which papers you need to apply')).toBe(true);
    // a request without a question word is no question
    expect(looksLikeQuestion('انا ارملة وعندي عيال وابي اقدم طلب مساعدة')).toBe(false);
    expect(questionPart('اسمي سارة')).toBe('اسمي سارة');
  });

  for (const [id, flow] of [...FLOWS.entries()].sort()) {
    it(`is answered from the FAQ at the first message (${id})`, () => {
      const d = new Driver(flow, 'ar');
      d.send('السلام عليكم، انا مطلقة وساكنة مع اهلي وعندي بنتين، ودي اسال وش الاوراق المطلوبة عشان اقدم');
      expect(d.events()).not.toContain('form_started');
      const faq = d.last.find((e) => e.type === 'faq_answered');
      expect(faq && faq.type === 'faq_answered' ? faq.faq : undefined).toBe('required_documents');
      // asking to apply in the same words still starts the form
      const e = new Driver(flow, 'ar');
      e.send('السلام عليكم');
      e.send('ابي اقدم طلب');
      expect(e.events()).toContain('form_started');
    });
  }
});
