/**
 * Finds the FAQ entries a beneficiary's question points to, by meaning-bearing words.
 *
 * Each entry is one document made of its question, its question variants and its keywords
 * (both languages), reduced to stemmed meaning-bearing words (faq-terms.ts). A question is
 * scored against every entry with BM25; a word of the question also meets the entry's words
 * that differ from it only by a verb or participle prefix (اتطوع ~ تطوع ~ متطوع) or by one typo,
 * at a lower weight. An entry is plausible only when it covers most of the question's weight:
 * a sentence whose main words the FAQ does not know (a name, a city, a request for a person)
 * is no question about it.
 */
import type { FaqEntry, FlowFile } from '../flows/schema.ts';
import { faqTerms } from './faq-terms.ts';
import { matchKey, normalizeDigits } from '../text/normalize.ts';

export interface FaqRank {
  entry: FaqEntry;
  /** BM25 score over the question's words (higher is better; not bounded). */
  score: number;
  /** Share of the question's weight (idf) this entry accounts for, 0–1. */
  coverage: number;
  /** The weight (idf) of the question's words this entry accounts for. */
  evidence: number;
}

export type FaqFind =
  | { kind: 'one'; entry: FaqEntry }
  | { kind: 'two'; entries: [FaqEntry, FaqEntry] }
  | { kind: 'none' };

/** Tuning, chosen by leave-one-variant-out on the flows' own variants (see bench/faq-compare.ts). */
export const FAQ_TUNING = {
  k1: 1.6,
  b: 0.25,
  /** An entry must account for at least this share of the question's weight… */
  minCoverage: 0.45,
  /** …and for at least this much idf: a question made only of common words (طلب، جمعية) asks nothing. */
  minEvidence: 0.9,
  /** The second entry is offered too when its score is at least this share of the first's. */
  twoRatio: 0.85,
  /** Weight of a question word the FAQ does not know, as a share of the rarest known word's idf. */
  unknownWeight: 0.45,
};

interface Doc {
  entry: FaqEntry;
  tf: Map<string, number>;
  length: number;
}

interface Index {
  docs: Doc[];
  /** matchKey of every question and variant → its entry: typed (or pasted) as written, it is that entry. */
  exact: Map<string, FaqEntry>;
  idf: Map<string, number>;
  vocabulary: string[];
  avgLength: number;
  maxIdf: number;
}

const INDEX = new WeakMap<FlowFile, Index>();

function textsOf(entry: FaqEntry): string[] {
  return [
    entry.question.ar,
    entry.question.en,
    ...entry.variants.ar,
    ...entry.variants.en,
    ...entry.keywords.ar,
    ...entry.keywords.en,
  ];
}

/** Builds the index of a list of entries (exported for the leave-one-out measurement). */
export function buildFaqIndex(entries: FaqEntry[], textsFor: (e: FaqEntry) => string[] = textsOf): Index {
  const docs: Doc[] = entries.map((entry) => {
    const tf = new Map<string, number>();
    let length = 0;
    for (const text of textsFor(entry)) {
      for (const term of faqTerms(text)) {
        tf.set(term, (tf.get(term) ?? 0) + 1);
        length++;
      }
    }
    return { entry, tf, length };
  });
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of doc.tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = docs.length;
  const idf = new Map<string, number>();
  let maxIdf = 0;
  for (const [term, count] of df) {
    const value = Math.log(1 + (n - count + 0.5) / (count + 0.5));
    idf.set(term, value);
    maxIdf = Math.max(maxIdf, value);
  }
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, n);
  const exact = new Map<string, FaqEntry>();
  for (const entry of entries) {
    for (const text of [entry.question.ar, entry.question.en, ...entry.variants.ar, ...entry.variants.en]) {
      const key = matchKey(text);
      if (key && !exact.has(key)) exact.set(key, entry);
    }
  }
  return { docs, idf, exact, vocabulary: [...df.keys()], avgLength, maxIdf };
}

function indexOf(flow: FlowFile): Index {
  let index = INDEX.get(flow);
  if (!index) {
    index = buildFaqIndex(flow.faq);
    INDEX.set(flow, index);
  }
  return index;
}

/** Optimal-string-alignment distance, capped: only "0, 1 or more" matters here. */
function withinOneEdit(a: string, b: string): boolean {
  const x = Array.from(a);
  const y = Array.from(b);
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (x.length === y.length) {
      // substitution, or a swap of two neighbours
      if (x[i + 1] === y[j] && x[i] === y[j + 1]) {
        i += 2;
        j += 2;
        continue;
      }
      i++;
      j++;
    } else if (x.length > y.length) i++;
    else j++;
  }
  return edits + (x.length - i) + (y.length - j) <= 1;
}

/** One letter in front: a verb or participle prefix (ا ت ي ن م) or a clitic preposition/conjunction (ب ل ك ف و). */
const ONE_LETTER_PREFIX = /^[اتينمبلكفو]/u;

/** How closely a question word meets an entry word: 1 the same stem, less for a prefix or typo away. */
export function termSimilarity(q: string, v: string): number {
  if (q === v) return 1;
  const lq = Array.from(q).length;
  const lv = Array.from(v).length;
  // اتطوع ~ تطوع ~ متطوع, بصحه ~ صحه: one letter in front.
  if (Math.min(lq, lv) >= 4 && Math.abs(lq - lv) === 1) {
    const [long, short] = lq > lv ? [q, v] : [v, q];
    if (ONE_LETTER_PREFIX.test(long) && long.slice(1) === short) return 0.85;
  }
  if (lq >= 4 && lv >= 4 && (q.startsWith(v) || v.startsWith(q)) && Math.abs(lq - lv) <= 2) return 0.75;
  if (Math.min(lq, lv) >= 6 && withinOneEdit(q, v)) return 0.7;
  return 0;
}

/** An ID, a phone number or a date in the text: a value being given, not a question asked. */
const VALUE = /\d{5,}|\d{1,4}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*\d{1,4}/;

/** Scores every entry of an index against a question. */
export function scoreIndex(index: Index, text: string): FaqRank[] {
  if (VALUE.test(normalizeDigits(text.replace(/[\s\u200B-\u200F]+(?=\d)/g, '')))) return [];
  // A question is short; past 40 words the rest of a long message only costs time.
  const terms = [...new Set(faqTerms(text))].slice(0, 40);
  if (terms.length === 0) return [];
  const exact = index.exact.get(matchKey(text));
  const matches = terms.map((q) =>
    index.vocabulary.map((v) => ({ v, sim: termSimilarity(q, v) })).filter((m) => m.sim > 0),
  );
  const weights = matches.map((m) =>
    m.length === 0
      ? index.maxIdf * FAQ_TUNING.unknownWeight
      : Math.max(...m.map(({ v, sim }) => sim * (index.idf.get(v) ?? 0))),
  );
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (totalWeight === 0) return [];
  const { k1, b } = FAQ_TUNING;
  const ranks: FaqRank[] = [];
  for (const doc of index.docs) {
    let score = 0;
    let covered = 0;
    matches.forEach((m, qi) => {
      let best = 0;
      let bestWeight = 0;
      for (const { v, sim } of m) {
        const tf = doc.tf.get(v);
        if (!tf) continue;
        const idf = index.idf.get(v) ?? 0;
        const norm = (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * doc.length) / index.avgLength));
        const value = sim * idf * norm;
        if (value > best) {
          best = value;
          bestWeight = sim * idf;
        }
      }
      score += best;
      if (best > 0) covered += Math.min(bestWeight, weights[qi] ?? 0);
    });
    if (score > 0) ranks.push({ entry: doc.entry, score, coverage: covered / totalWeight, evidence: covered });
  }
  ranks.sort((x, y) => y.score - x.score);
  if (exact) {
    // The question exactly as the flow writes it: that entry, ahead of the rest by a clear margin.
    const top = ranks[0]?.score ?? 0;
    const own = ranks.find((r) => r.entry === exact) ?? { entry: exact, score: 0, coverage: 1, evidence: 0 };
    return [{ ...own, score: top / FAQ_TUNING.twoRatio + 1, coverage: 1, evidence: Math.max(own.evidence, FAQ_TUNING.minEvidence) }, ...ranks.filter((r) => r.entry !== exact)];
  }
  return ranks;
}

/** The entries of a ranking that are plausible answers. */
export function plausible(ranks: FaqRank[]): FaqRank[] {
  return ranks.filter((r) => r.coverage >= FAQ_TUNING.minCoverage && r.evidence >= FAQ_TUNING.minEvidence);
}

/** The plausible FAQ entries for a text, best first (empty when the text asks none of them). */
export function rankFaq(flow: FlowFile, text: string): FaqRank[] {
  return plausible(scoreIndex(indexOf(flow), text));
}

/** Decides from a ranking: one entry, two close ones to offer together, or none. */
export function decideFaq(ranks: FaqRank[]): FaqFind {
  const [first, second] = ranks;
  if (!first) return { kind: 'none' };
  if (second && second.score >= FAQ_TUNING.twoRatio * first.score) return { kind: 'two', entries: [first.entry, second.entry] };
  return { kind: 'one', entry: first.entry };
}

/**
 * What a text asks of the FAQ: `one` entry; `two` when the best two are close (offer both);
 * `none` when it is not a question about the FAQ (a name, a number, yes/no, a greeting, a
 * request for a person, the status or the menu).
 */
export function findFaq(flow: FlowFile, text: string): FaqFind {
  return decideFaq(rankFaq(flow, text));
}

/**
 * The best FAQ entry for a text, or undefined when it asks none (kept for callers that show one
 * answer; when two are close this is the better of them — use findFaq to offer both).
 */
export function matchFaq(flow: FlowFile, text: string): FaqEntry | undefined {
  const found = findFaq(flow, text);
  return found.kind === 'none' ? undefined : found.kind === 'one' ? found.entry : found.entries[0];
}
