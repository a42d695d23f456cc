/**
 * Finds the FAQ entry a beneficiary's question points to, by normalised keyword overlap.
 * Keywords of several words must all appear; longer keywords weigh more.
 */
import type { FaqEntry, FlowFile } from '../flows/schema.ts';
import { matchKey, tokens } from '../text/normalize.ts';

interface IndexedFaq {
  entry: FaqEntry;
  questionKeys: Set<string>;
  keywords: string[][];
}

const INDEX = new WeakMap<FlowFile, IndexedFaq[]>();

function indexOf(flow: FlowFile): IndexedFaq[] {
  let index = INDEX.get(flow);
  if (!index) {
    index = flow.faq.map((entry) => ({
      entry,
      questionKeys: new Set([matchKey(entry.question.ar), matchKey(entry.question.en)]),
      keywords: [...entry.keywords.ar, ...entry.keywords.en].map(tokens).filter((t) => t.length > 0),
    }));
    INDEX.set(flow, index);
  }
  return index;
}

function tokenMatches(input: string, keyword: string): boolean {
  if (input === keyword) return true;
  // Arabic attaches suffixes (الطلبات، طلبي): a shared stem of 3+ letters counts.
  return keyword.length >= 3 && input.length > keyword.length && input.startsWith(keyword);
}

/** The best-matching FAQ entry, or undefined when nothing in the text points to one. */
export function matchFaq(flow: FlowFile, text: string): FaqEntry | undefined {
  const key = matchKey(text);
  if (key.length === 0) return undefined;
  const inputTokens = tokens(text);
  let best: { entry: FaqEntry; score: number } | undefined;
  for (const item of indexOf(flow)) {
    let score = item.questionKeys.has(key) ? 100 : 0;
    for (const kw of item.keywords) {
      if (kw.every((k) => inputTokens.some((t) => tokenMatches(t, k)))) score += kw.length;
    }
    if (score > 0 && (!best || score > best.score)) best = { entry: item.entry, score };
  }
  return best?.entry;
}
