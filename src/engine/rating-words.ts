/**
 * A survey rating given in words: "ممتاز", "سهلة جدا", "مو زين", "very easy", "so so".
 *
 * The question's own labels decide (validateChoice against them, so a flow that words its scale
 * differently still works), widened by the common ways people say the same point of a scale —
 * keyed by the label they mean (Arabic or English, after matchKey), so a label the table does not
 * know still answers to itself. A negated word ("مو زين", "not easy", "مش صعبة") points to the
 * other side of the scale: a negated top to the middle ("مو ممتاز"), a negated high point to the
 * low-middle one ("مو زين"), a negated low point to the middle ("مو سيء").
 */
import { matchKey, normalizeDigits } from '../text/normalize.ts';
import { validateChoice, type ChoiceOption } from '../validate/choice.ts';

interface Label {
  ar: string;
  en: string;
}

/** Everyday words for a point of a scale, keyed by any writing of its label. */
const GROUPS: string[][] = [
  // quality
  ['ممتاز', 'excellent', 'ممتازه', 'ممتاز جدا', 'رائع', 'رائعه', 'روعه', 'خرافي', 'فوق الممتاز', 'مره زين', 'زين مره', 'حلو مره', 'مره حلو', 'مره ممتاز',
    'perfect', 'great', 'amazing', 'awesome', 'outstanding', 'wonderful', 'fantastic', 'superb', 'top', 'mumtaz', 'momtaz', 'mumtaaz'],
  ['جيد', 'good', 'جيده', 'جيد جدا', 'جيده جدا', 'زين', 'زينه', 'كويس', 'كويسه', 'حلو', 'حلوه', 'طيب', 'طيبه', 'تمام',
    'very good', 'pretty good', 'nice', 'fine', 'zain', 'zein', 'kwayes', 'jayed'],
  ['مقبول', 'fair', 'مقبوله', 'عادي', 'عاديه', 'متوسط', 'متوسطه', 'نص نص', 'بين بين', 'لا باس', 'لا باس به', 'ماشي', 'ماشي الحال', 'يمشي الحال',
    'اوكي', 'اوك', 'مو بطال', 'مب بطال', 'مش بطال', 'average', 'ok', 'okay', 'so so', 'so-so', 'acceptable', 'meh', 'not bad', '3adi', 'aadi'],
  ['ضعيف', 'poor', 'ضعيفه', 'سيء', 'سيئ', 'سيئه', 'سيي', 'بطال', 'مو زين', 'مب زين', 'مش كويس', 'مو كويس', 'مو حلو', 'مش حلو', 'ما عجبني', 'ما عجبتني',
    'bad', 'weak', 'not good', 'not great', 'disappointing'],
  ['ضعيف جدا', 'very poor', 'ضعيفه جدا', 'سيء جدا', 'سيئ جدا', 'سيئه جدا', 'مره سيء', 'سيء مره', 'زفت', 'خايس', 'فاشل', 'سيء للغايه',
    'very bad', 'terrible', 'awful', 'horrible', 'worst', 'the worst'],
  // ease
  ['سهله جدا', 'very easy', 'سهل جدا', 'سهله مره', 'مره سهله', 'مره سهل', 'سهل مره', 'سهله كثير', 'بسيطه جدا', 'ميسره جدا', 'سهله للغايه',
    'super easy', 'really easy', 'so easy', 'very simple', 'extremely easy'],
  ['سهله', 'easy', 'سهل', 'يسيره', 'ميسره', 'بسيطه', 'بسيط', 'واضحه', 'سلسه', 'مو صعبه', 'مش صعبه', 'ما كانت صعبه', 'simple', 'straightforward', 'not difficult', 'not hard', 'sahla', 'sahl'],
  ['متوسطه', 'neither easy nor difficult', 'متوسط', 'عادي', 'عاديه', 'نص نص', 'بين بين', 'لا سهله ولا صعبه', 'ماشي',
    'اوكي', 'average', 'ok', 'okay', 'so so', 'so-so', 'medium', 'moderate', 'neutral', '3adi', 'aadi'],
  ['صعبه', 'difficult', 'صعب', 'معقده', 'معقد', 'متعبه', 'متعب', 'مو سهله', 'مش سهله', 'مب سهله', 'hard', 'complicated', 'not easy', 'tough', 'sa3ba'],
  ['صعبه جدا', 'very difficult', 'صعب جدا', 'صعبه مره', 'مره صعبه', 'مره صعب', 'معقده جدا', 'مره معقده', 'صعبه للغايه',
    'very hard', 'very complicated', 'really hard', 'extremely difficult', 'impossible'],
];

const BY_LABEL = new Map<string, string[]>();
for (const group of GROUPS) {
  const words = group.map(matchKey);
  for (const w of words.slice(0, 2)) BY_LABEL.set(w, words);
}

/** Words that turn the next one around: "مو زين", "مش سهلة", "not easy", "ما كانت سهله". */
const NEGATION = /^(?:مو|مش|مب|موب|ماهي|مهي|ماهو|مهو|ما كانت|ما كان|مو مره|غير|not|not very|not really|wasnt|isnt|was not|is not|not that)\s+(.+)$/;

/** Filler around a rating: "والله", "الحمدلله", "الخدمه", "كانت", "بصراحه", "I'd say", "it was". */
const FILLER = new Set(
  ['والله', 'الحمدلله', 'الحمد لله', 'بصراحه', 'صراحه', 'الصراحه', 'الخدمه', 'خدمتكم', 'خدمه', 'الاجراءات', 'اجراءاتكم', 'كانت', 'كان', 'كلها', 'جدا', 'يعطيكم', 'العافيه',
    'i', 'would', 'say', 'id', 'it', 'was', 'is', 'its', 'the', 'service', 'procedures', 'process', 'honestly', 'really', 'thanks', 'thank', 'you']
    .map(matchKey),
);

/** A face or a thumb alone: where on the scale it sits, from the top down. */
const EMOJI: [RegExp, 'top' | 'high' | 'mid' | 'low' | 'bottom'][] = [
  [/^(?:💯|🤩|😍|🥰|🔥|🌹|❤️?|♥️?|💙|💚)+$/u, 'top'],
  [/^(?:👍|👌|🙂|😊|😀|😃|☺️?)+$/u, 'high'],
  [/^(?:😐|😑|🤷(?:‍♂️|‍♀️)?)+$/u, 'mid'],
  [/^(?:👎|🙁|☹️?|😕|😞|😒)+$/u, 'low'],
  [/^(?:😡|😠|🤬|💩)+$/u, 'bottom'],
];

/** "8/10", "٩ من ١٠", "4 out of 10": a mark out of another total, brought to this scale. */
const OUT_OF = /^(\d{1,3})\s*(?:\/|من|out of|of)\s*(\d{1,3})$/;

/** A mark out of a total ("8/10", "٤ من ٥") on a scale of `scale` points; undefined when it is none or above its total. */
export function ratingOutOf(text: string, scale: number): number | undefined {
  const mark = OUT_OF.exec(normalizeDigits(text).trim().toLowerCase());
  if (!mark) return undefined;
  const [got, total] = [Number(mark[1]), Number(mark[2])];
  if (total < 2 || got > total) return undefined;
  return Math.max(1, Math.round((got / total) * scale));
}

/** The 1-based point of the scale a worded answer names, or undefined. */
export function ratingFromWords(text: string, labels: readonly Label[]): number | undefined {
  if (labels.length < 2) return undefined;
  const scale = labels.length;
  const bare = text.replace(/[\s\uFE0F]+/gu, '');
  const face = EMOJI.find(([re]) => re.test(bare))?.[1];
  if (face) {
    const mid = Math.ceil(scale / 2);
    return { top: scale, high: Math.max(mid, scale - 1), mid, low: Math.min(mid, scale >= 4 ? 2 : 1), bottom: 1 }[face];
  }
  if (OUT_OF.test(normalizeDigits(text).trim().toLowerCase())) return ratingOutOf(text, scale);
  const options: ChoiceOption[] = labels.map((l, i) => ({
    id: String(i + 1),
    labels: [l.ar, l.en, ...(BY_LABEL.get(matchKey(l.ar)) ?? BY_LABEL.get(matchKey(l.en)) ?? [])],
  }));
  const key = matchKey(text);
  if (key === '' || /\d/.test(key)) return undefined;
  // A wording the table knows as a whole ("مو زين", "not difficult") before the negation rule.
  const whole = options.findIndex((o) => o.labels.some((l) => matchKey(l) === key));
  if (whole >= 0) return whole + 1;
  const negated = NEGATION.exec(key);
  if (negated) {
    const point = pick(negated[1]!, options);
    if (point === undefined) return undefined;
    const mid = Math.ceil(labels.length / 2);
    // "مو ممتاز" is short of the top, not bad; "مو زين" is bad.
    if (point === labels.length) return mid;
    if (point > mid) return mid - 1;
    if (point < mid) return mid;
    return undefined;
  }
  return pick(key, options);
}

function pick(key: string, options: ChoiceOption[]): number | undefined {
  const result = validateChoice(key, options);
  if (result.ok) return Number(result.value);
  // The longest word the answer holds ("سهلة جدا والله" holds both سهلة and سهلة جدا).
  const padded = ` ${key} `;
  let best: { point: number; length: number; tie: boolean } | undefined;
  options.forEach((o, i) => {
    for (const label of o.labels) {
      const k = matchKey(label);
      if (k === '' || !padded.includes(` ${k} `)) continue;
      const length = Array.from(k).length;
      if (!best || length > best.length) best = { point: i + 1, length, tie: false };
      else if (length === best.length && best.point !== i + 1) best.tie = true;
    }
  });
  if (best && !best.tie) return best.point;
  const core = key.split(' ').filter((w) => !FILLER.has(w)).join(' ');
  if (core !== '' && core !== key) return pick(core, options);
  return undefined;
}
