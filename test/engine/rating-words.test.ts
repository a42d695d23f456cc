import { describe, expect, it } from 'vitest';
import { advance, initialState } from '../../src/engine/advance.ts';
import { ratingFromWords } from '../../src/engine/rating-words.ts';
import type { Context, ConversationState } from '../../src/engine/types.ts';
import type { FlowFile } from '../../src/flows/schema.ts';
import { FLOWS } from '../support/scenario.ts';

const QUALITY = [
  { ar: 'ضعيف جدًا', en: 'Very poor' },
  { ar: 'ضعيف', en: 'Poor' },
  { ar: 'مقبول', en: 'Fair' },
  { ar: 'جيد', en: 'Good' },
  { ar: 'ممتاز', en: 'Excellent' },
];
const EASE = [
  { ar: 'صعبة جدًا', en: 'Very difficult' },
  { ar: 'صعبة', en: 'Difficult' },
  { ar: 'متوسطة', en: 'Neither easy nor difficult' },
  { ar: 'سهلة', en: 'Easy' },
  { ar: 'سهلة جدًا', en: 'Very easy' },
];

describe('a rating in words', () => {
  it.each([
    ['ممتاز', 5], ['ممتازة', 5], ['excellent', 5], ['رائع', 5], ['الخدمة ممتازة والله', 5],
    ['جيد', 4], ['جيد جدا', 4], ['زين', 4], ['good', 4], ['Good!', 4],
    ['مقبول', 3], ['عادي', 3], ['so so', 3], ['not bad', 3],
    ['ضعيف', 2], ['سيء', 2], ['مو زين', 2], ['مش كويس', 2], ['bad', 2],
    ['ضعيف جدا', 1], ['سيئة جدا', 1], ['terrible', 1], ['very poor', 1],
  ])('quality: %s → %i', (text, point) => {
    expect(ratingFromWords(text, QUALITY)).toBe(point);
  });

  it.each([
    ['سهلة', 4], ['easy', 4], ['مو صعبة', 4], ['الاجراءات سهله', 4],
    ['سهلة جدا', 5], ['سهله جدا والله', 5], ['مره سهله', 5], ['very easy', 5],
    ['متوسطة', 3], ['عادي', 3], ['average', 3],
    ['صعبة', 2], ['معقدة', 2], ['مو سهلة', 2], ['not easy', 2], ['hard', 2],
    ['صعبة جدا', 1], ['very hard', 1],
  ])('ease: %s → %i', (text, point) => {
    expect(ratingFromWords(text, EASE)).toBe(point);
  });

  it.each([
    ['اوكي', 3], ['مو بطال', 3], ['مو ممتاز', 3], ['مو سيء', 3], ['👍', 4], ['👍👍', 4], ['😍', 5], ['💯', 5], ['😐', 3], ['👎', 2], ['😡', 1],
    ['10/10', 5], ['٨ من ١٠', 4], ['2 out of 10', 1], ['5/10', 3],
  ])('quality, faces and marks out of another total: %s → %i', (text, point) => {
    expect(ratingFromWords(text, QUALITY)).toBe(point);
  });

  it('a mark above its total is no rating', () => {
    expect(ratingFromWords('12/10', QUALITY)).toBeUndefined();
  });

  it('reads the question’s own labels, not a fixed table', () => {
    const custom = [{ ar: 'لا', en: 'No' }, { ar: 'نوعا ما', en: 'Somewhat' }, { ar: 'نعم', en: 'Yes' }];
    expect(ratingFromWords('نوعا ما', custom)).toBe(2);
    expect(ratingFromWords('somewhat', custom)).toBe(2);
    // quality words mean nothing on a scale that has none of them
    expect(ratingFromWords('ممتاز', custom)).toBeUndefined();
  });

  it.each(['محمد', 'شكرا', 'وش يعني؟', 'the bus stop', '', '5'])('not a rating: %j', (text) => {
    expect(ratingFromWords(text, QUALITY)).toBeUndefined();
    expect(ratingFromWords(text, EASE)).toBeUndefined();
  });

  it('every rating question of every flow answers to each of its own labels, both languages', () => {
    for (const flow of FLOWS.values()) {
      for (const q of flow.survey.questions) {
        if (q.type !== 'rating' || !q.labels) continue;
        q.labels.forEach((l, i) => {
          expect(ratingFromWords(l.ar, q.labels!), `${flow.id}/${q.id} ${l.ar}`).toBe(i + 1);
          expect(ratingFromWords(l.en, q.labels!), `${flow.id}/${q.id} ${l.en}`).toBe(i + 1);
        });
      }
    }
  });
});

describe('the survey takes a rating in words, faces and marks through the engine', () => {
  const NOW = new Date('2026-11-22T09:00:00+03:00');
  const ctx = (): Context => ({ now: NOW, nextReference: () => 'T-00001', requests: [], channel: 'whatsapp' });
  /** The state at the survey's first rating question (overall). */
  function atOverall(flow: FlowFile): ConversationState {
    let s = initialState('ar', NOW);
    s = advance(flow, s, { type: 'message', messageId: 'a', text: 'السلام عليكم' }, ctx()).state;
    return advance(flow, s, { type: 'survey_invite', reference: 'T-00001' }, ctx()).state;
  }
  const answer = (flow: FlowFile, text: string) => {
    const r = advance(flow, atOverall(flow), { type: 'message', messageId: 'm', text }, ctx());
    const e = r.events.find((x) => x.type === 'survey_answered');
    return e && e.type === 'survey_answered' ? e.answer : undefined;
  };

  for (const flow of FLOWS.values()) {
    it(`${flow.id}: words, faces and marks out of ten give the point; numbers and stars still work`, () => {
      expect(flow.survey.questions[0]?.type).toBe('rating');
      expect(answer(flow, 'ممتاز')).toBe(5);
      expect(answer(flow, 'مو زين')).toBe(2);
      expect(answer(flow, 'excellent')).toBe(5);
      expect(answer(flow, '👍')).toBe(4);
      expect(answer(flow, '8/10')).toBe(4);
      expect(answer(flow, '5/10')).toBe(3);
      expect(answer(flow, '4 من 5')).toBe(4);
      expect(answer(flow, '3')).toBe(3);
      expect(answer(flow, '⭐⭐⭐⭐')).toBe(4);
      // not a rating: asked again, nothing stored
      expect(answer(flow, 'محمد')).toBeUndefined();
    });
  }
});
