import { cleanInput, matchKey, tokens } from '../text/normalize.ts';
import type { Validation } from './types.ts';

/** One option of a multiple-choice question: a stable id and the labels (any language) it answers to. */
export interface ChoiceOption {
  id: string;
  labels: string[];
}

// "2", "2.", "2)", "(2)", "2-" — the option's 1-based position.
const OPTION_NUMBER = /^\(?\s?(\d{1,3})\s?[.)\-]?\s?\)?$/;

/** Levenshtein edit distance over code points, giving up (returning limit + 1) beyond `limit`. */
export function levenshtein(a: string, b: string, limit = Infinity): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

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
 * tokens so "الأرملة" matches "أرملة"); a label contained in the
 * answer or the answer (≥ 3 letters) contained in a label, when only one option fits; the
 * unique closest label by edit distance (≤ 1 for labels up to 5 letters, ≤ 2 beyond).
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

  const input = matchKey(cleaned);
  if (input === '') return unknown;
  const keyed = options.map((o) => ({ id: o.id, keys: o.labels.map(matchKey).filter((k) => k !== '') }));
  // The same keys with the article/conjunction stripped from each word ("الأرملة" ~ "أرملة").
  const stemmed = options.map((o) => ({
    id: o.id,
    keys: o.labels.map((l) => tokens(l).join(' ')).filter((k) => k !== ''),
  }));
  const stemmedInput = tokens(cleaned).join(' ');

  const exact = matching(keyed, (k) => k === input);
  if (exact.length > 0) return pick(exact) ?? unknown; // same label on two options: ambiguous
  const exactStem = matching(stemmed, (k) => k === stemmedInput);
  if (exactStem.length > 0) return pick(exactStem) ?? unknown;

  if (Array.from(input).length >= 3) {
    const padded = ` ${input} `;
    const paddedStem = ` ${stemmedInput} `;
    const contained = new Set([
      ...matching(keyed, (k) => padded.includes(` ${k} `) || k.includes(input)),
      ...matching(stemmed, (k) => paddedStem.includes(` ${k} `)),
    ]);
    const picked = pick([...contained]);
    if (picked) return picked;
  }

  if (Array.from(input).length >= 2) {
    let best = Infinity;
    let bestIds: string[] = [];
    for (const o of keyed) {
      let optionBest = Infinity;
      for (const k of o.keys) {
        const limit = Array.from(k).length <= 5 ? 1 : 2;
        const dist = levenshtein(input, k, limit);
        if (dist <= limit && dist < optionBest) optionBest = dist;
      }
      if (optionBest < best) [best, bestIds] = [optionBest, [o.id]];
      else if (optionBest === best && optionBest !== Infinity) bestIds.push(o.id);
    }
    const picked = pick(bestIds);
    if (picked) return picked;
  }
  return unknown;
}
