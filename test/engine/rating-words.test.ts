import { describe, expect, it } from 'vitest';
import { ratingFromWords } from '../../src/engine/rating-words.ts';
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
