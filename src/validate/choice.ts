import { memoizeString } from '../text/memo.ts';
import { cleanInput, matchKey, tokens } from '../text/normalize.ts';
import { stripEmoji } from './extract.ts';
import { validateInteger } from './number.ts';
import type { Validation } from './types.ts';

/** One option of a multiple-choice question: a stable id and the labels (any language) it answers to. */
export interface ChoiceOption {
  id: string;
  labels: string[];
}

// "2", "2.", "2)", "(2)", "2-" — the option's 1-based position.
const OPTION_NUMBER = /^\(?\s?(\d{1,3})\s?[.)\-]?\s?\)?$/;

/** Ordinal words (matchKey) → 1-based position; -1 is the last option. */
const ORDINALS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  const ar: string[][] = [
    ['اول', 'الاول', 'الاولى', 'اولى', 'الاوله'],
    ['ثاني', 'الثاني', 'الثانيه', 'ثانيه', 'الثانى'],
    ['ثالث', 'الثالث', 'الثالثه', 'ثالثه'],
    ['رابع', 'الرابع', 'الرابعه', 'رابعه'],
    ['خامس', 'الخامس', 'الخامسه', 'خامسه'],
    ['سادس', 'السادس', 'السادسه', 'سادسه'],
    ['سابع', 'السابع', 'السابعه', 'سابعه'],
    ['ثامن', 'الثامن', 'الثامنه', 'ثامنه'],
    ['تاسع', 'التاسع', 'التاسعه', 'تاسعه'],
    ['عاشر', 'العاشر', 'العاشره', 'عاشره'],
  ];
  const en = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
  ar.forEach((forms, i) => forms.forEach((f) => m.set(matchKey(f), i + 1)));
  en.forEach((w, i) => m.set(w, i + 1));
  // "آخر" alone also means "other", so only the unambiguous writings of "the last".
  // Arabizi: "el awal", "al thani", "akheer".
  const arabizi: string[][] = [
    ['awal', 'awwal', 'el awal', 'al awal', 'el awwal', 'al awwal'],
    ['thani', 'tani', 'el thani', 'al thani', 'el tani'],
    ['thalith', 'talet', 'el thalith', 'al thalith', 'el talet'],
    ['rabi3', 'el rabi3', 'al rabi3'],
    ['khamis', 'el khamis', 'al khamis'],
  ];
  arabizi.forEach((forms, i) => forms.forEach((f) => m.set(f, i + 1)));
  for (const f of ['الاخير', 'الاخيره', 'اخير', 'اخيره', 'اخر واحد', 'اخر خيار', 'اخر شي', 'last', 'the last', 'last one', 'akheer', 'el akheer', 'al akheer', 'a5eer']) m.set(matchKey(f), -1);
  return m;
})();

/** Words around a pick that carry no choice: "ابي الخيار الثاني", "I'll take the second one", "رقم ٣". */
const FILLER = new Set(
  [
    'ابي', 'ابغى', 'ابغا', 'ابغي', 'اريد', 'ودي', 'بغيت', 'احب', 'اختار', 'اخترت', 'اختر', 'نختار', 'الخيار', 'خيار', 'الاختيار', 'اختيار',
    'رقم', 'الرقم', 'هو', 'هي', 'اللي', 'الي', 'بس', 'لو', 'سمحت', 'فضلا', 'يكون', 'انا', 'تكفى', 'ياليت',
    'i', 'want', 'would', 'like', 'choose', 'chose', 'pick', 'picked', 'take', "i'll", 'ill', 'go', 'for', 'with', 'the', 'one', 'option',
    'choice', 'number', 'num', 'please', 'need', 'is', 'it', 'its', "it's", 'my', 'answer', 'no', 'nr',
  ].map(matchKey),
);
const CARDINAL_KEYS = new Set(
  [
    'واحد', 'واحدة', 'اثنين', 'اثنان', 'ثنين', 'ثنتين', 'ثلاثة', 'ثلاث', 'أربعة', 'أربع', 'خمسة', 'خمس', 'ستة', 'ست', 'سبعة', 'سبع',
    'ثمانية', 'ثمان', 'تسعة', 'تسع', 'عشرة', 'عشر', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  ].map(matchKey),
);
const ORDINAL_NUMERAL = /^(\d{1,2})(?:st|nd|rd|th)?$/;

/**
 * The position a pick names once its filler words are dropped: an ordinal ("الثالث", "the second
 * one", "الاخير"), a numeral ("رقم ٣", "option 2", "#2", "2nd") or a small number word ("ثلاثة").
 * Undefined when the remaining words are anything else or the position is beyond `count`. For
 * callers with their own buttons (review, offer): "الأول" → 1, "the second one" → 2.
 */
export function choicePosition(text: string, count: number): number | undefined {
  const at = position(cleanInput(text), count);
  return at !== undefined && at >= 1 && at <= count ? at : undefined;
}

/** choicePosition on cleaned text, without the range check (a position beyond the options is refused by the caller). */
function position(cleaned: string, count: number): number | undefined {
  const words = matchKey(stripEmoji(cleaned).replace(/#/g, ' ')).split(' ').filter(Boolean);
  const core = words.filter((w) => !FILLER.has(w));
  if (core.length === 0) return undefined;
  const key = core.join(' ');
  // "اول واحد" = the first one.
  const ordinal = ORDINALS.get(key) ?? (core.length === 2 && core[1] === 'واحد' ? ORDINALS.get(core[0] ?? '') : undefined);
  if (ordinal !== undefined) return ordinal === -1 ? count : ordinal;
  const numeral = ORDINAL_NUMERAL.exec(key);
  if (numeral) return Number(numeral[1]);
  // A bare number word: "ثلاثة", "three" (not "لحالي", which the count reader takes as 1).
  if (core.length === 1 && CARDINAL_KEYS.has(key)) {
    const n = validateInteger(key, { min: 1, max: 10 });
    if (n.ok) return n.value;
  }
  return undefined;
}

/** The words of an answer without the filler around a label: "ابي دعم بحث علمي" → "دعم بحث علمي". */
function withoutFiller(cleaned: string): string {
  return matchKey(cleaned)
    .split(' ')
    .filter((w) => w !== '' && !FILLER.has(w))
    .join(' ');
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** A string's code points, indexable: the string itself when it has no surrogates (most labels and answers). */
function codePoints(s: string): string | string[] {
  return SURROGATE.test(s) ? Array.from(s) : s;
}

/** The number of code points in a string. */
function codePointCount(s: string): number {
  return codePoints(s).length;
}

/** Levenshtein edit distance over code points, giving up (returning limit + 1) beyond `limit`. */
export function levenshtein(a: string, b: string, limit = Infinity): number {
  const s = codePoints(a);
  const t = codePoints(b);
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  // Two rows of the table, reused: the previous one and the one being filled.
  let prev = new Array<number>(t.length + 1);
  let cur = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[t.length]!;
}

/**
 * Whether `padded` (a text with a space at each end) holds the words `k`: `padded.includes(` ${k} `)`
 * without building that string for every label of every answer.
 */
function hasWords(padded: string, k: string): boolean {
  if (k === '') return padded.includes('  ');
  for (let at = padded.indexOf(k); at >= 0; at = padded.indexOf(k, at + 1)) {
    if (padded[at - 1] === ' ' && padded[at + k.length] === ' ') return true;
  }
  return false;
}

/** A label's words lightly stemmed, as one key (labels come back in every step: remembered). */
const stemKey = memoizeString((label: string) => tokens(label).join(' '));

/** The ids of options satisfying `test` for at least one label key, without duplicates. */
function matching(keyed: { id: string; keys: string[] }[], test: (key: string) => boolean): string[] {
  return keyed.filter((o) => o.keys.some(test)).map((o) => o.id);
}

const accept = (option: ChoiceOption): Validation<string> => ({
  ok: true,
  value: option.id,
  display: option.labels[0] ?? option.id,
});

/**
 * Picks an option from a free-text answer, trying in order: the option's 1-based number
 * ("2", "٢", "2.", "(2)"); an exact label (compared by matchKey, then by lightly stemmed
 * tokens so "الأرملة" matches "أرملة"); an ordinal or number with filler words ("الثالث",
 * "الخيار الثاني", "the second one", "number 3", "رقم ٣", "الاخير"); a label contained in the
 * answer or the answer (≥ 3 letters) contained in a label, when only one option fits; the
 * unique closest label by edit distance (≤ 1 for labels up to 5 letters, ≤ 2 beyond); then the
 * label steps again on the answer without its filler words ("ابي دعم بحث علمي").
 * Code: choice_unknown {count}. Display: the option's first label.
 */
export function validateChoice(raw: string, options: ChoiceOption[]): Validation<string> {
  const cleaned = cleanInput(raw);
  if (cleaned === '') return { ok: false, code: 'empty' };
  const unknown: Validation<string> = { ok: false, code: 'choice_unknown', params: { count: options.length } };
  const byId = new Map(options.map((o) => [o.id, o] as const));
  const pick = (ids: string[]): Validation<string> | undefined => {
    const option = ids.length === 1 && ids[0] !== undefined ? byId.get(ids[0]) : undefined;
    return option ? accept(option) : undefined;
  };

  const number = OPTION_NUMBER.exec(cleaned);
  if (number) {
    const option = options[Number(number[1]) - 1];
    if (option) return accept(option);
  }

  const keyed = options.map((o) => ({ id: o.id, keys: o.labels.map(matchKey).filter((k) => k !== '') }));
  // The same keys with the article/conjunction stripped from each word ("الأرملة" ~ "أرملة").
  const stemmed = options.map((o) => ({
    id: o.id,
    keys: o.labels.map(stemKey).filter((k) => k !== ''),
  }));

  /** exact, exact stem; undefined = no match, null = ambiguous (two options share the label). */
  const exactly = (text: string): Validation<string> | null | undefined => {
    const input = matchKey(text);
    if (input === '') return undefined;
    const exact = matching(keyed, (k) => k === input);
    if (exact.length > 0) return pick(exact) ?? null;
    const stemmedInput = tokens(text).join(' ');
    const exactStem = matching(stemmed, (k) => k === stemmedInput);
    if (exactStem.length > 0) return pick(exactStem) ?? null;
    return undefined;
  };

  /** containment, then the unique closest label. */
  const loosely = (text: string): Validation<string> | undefined => {
    const input = matchKey(text);
    const stemmedInput = tokens(text).join(' ');
    const inputLetters = codePointCount(input);
    if (inputLetters >= 3) {
      const padded = ` ${input} `;
      const paddedStem = ` ${stemmedInput} `;
      // The words again without a joining و, so "نقل وسكن" names both options and is refused.
      const unjoined = ` ${input.split(' ').map((w) => (w.startsWith('و') && codePointCount(w) >= 4 ? w.slice(1) : w)).join(' ')} `;
      const contained = new Set([
        ...matching(keyed, (k) => hasWords(padded, k) || hasWords(unjoined, k) || k.includes(input)),
        ...matching(stemmed, (k) => hasWords(paddedStem, k)),
      ]);
      const picked = pick([...contained]);
      if (picked) return picked;
    }
    if (inputLetters >= 2) {
      let best = Infinity;
      let bestIds: string[] = [];
      for (const o of keyed) {
        let optionBest = Infinity;
        for (const k of o.keys) {
          const limit = codePointCount(k) <= 5 ? 1 : 2;
          const dist = levenshtein(input, k, limit);
          if (dist <= limit && dist < optionBest) optionBest = dist;
        }
        if (optionBest < best) [best, bestIds] = [optionBest, [o.id]];
        else if (optionBest === best && optionBest !== Infinity) bestIds.push(o.id);
      }
      const picked = pick(bestIds);
      if (picked) return picked;
    }
    return undefined;
  };

  if (matchKey(cleaned) === '') return unknown;
  const exact = exactly(cleaned);
  if (exact) return exact;
  if (exact === null) return unknown; // same label on two options: ambiguous

  // A one-option list is a keyword match (the review's "correct" words), not a list to pick from by position.
  const at = options.length >= 2 ? position(cleaned, options.length) : undefined;
  if (at !== undefined) {
    const option = options[at - 1];
    return option ? accept(option) : unknown;
  }

  const loose = loosely(cleaned);
  if (loose) return loose;

  const core = withoutFiller(cleaned);
  if (core !== '' && core !== matchKey(cleaned)) {
    const coreExact = exactly(core);
    if (coreExact === null) return unknown;
    return coreExact ?? loosely(core) ?? unknown;
  }
  return unknown;
}
