/**
 * Measures FAQ matchers on the five flows:
 *   - dev: leave-one-variant-out (each variant is asked with itself removed from the index)
 *     plus a few dev near-misses; used to tune thresholds,
 *   - held-out: test/engine/faq-paraphrases.yaml (paraphrases not in any flow, near-misses,
 *     pairs that must be offered together); never used for tuning.
 *
 * Candidates: the hand-written BM25 of src/engine/faq.ts, and Orama 3 (its BM25, the Snowball
 * Arabic stemmer from @orama/stemmers, its English stemmer, typo tolerance 1) over the same
 * normalised, stop-word-free text. Orama is not a dependency of the project; to run this:
 *   npm i --no-save @orama/orama@3 @orama/stemmers@3   (or ORAMA_MODULES=/path/to/node_modules)
 *   node --import tsx bench/faq-compare.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { loadFlows } from '../src/flows/load.ts';
import type { FaqEntry, FlowFile } from '../src/flows/schema.ts';
import { buildFaqIndex, decideFaq, plausible, scoreIndex, type FaqFind, type FaqRank } from '../src/engine/faq.ts';
import { faqWords } from '../src/engine/faq-terms.ts';

const ROOT = join(import.meta.dirname, '..');
const flows = [...loadFlows(join(ROOT, 'flows')).values()];
const heldOut = parse(readFileSync(join(ROOT, 'test/engine/faq-paraphrases.yaml'), 'utf8')) as {
  match: Record<string, string[]>;
  none: string[];
  two: { text: string; entries: [string, string] }[];
};
const DEV_NONE = [
  'ابغى احد يكلمني', 'وين وصل طلبي', 'القائمة الرئيسية', 'سارة محمد القحطاني', 'جدة', '0501234567', 'صباح الخير',
  'good morning', 'my name is ali', 'ابي اوقف الرسائل', 'ok thanks', 'لا ما ابي', 'اوكي تمام', '12/5/1410', 'can i speak to someone',
  'اسمي فهد سعد الدوسري', 'ساكن في حي النسيم بالرياض', 'عندي خمسة اطفال', 'رقم هويتي 1012345672', 'my phone is 0551234567',
  'ابي مساعدة في دفع ايجار البيت', 'عندي ظروف صعبة واحتاج مساعدة مالية', 'احتاج كرسي متحرك لابوي', 'I need help paying the rent',
  'مواليد 1990', 'طالب في الجامعة', 'موظف متقاعد', 'الخدمة كانت ممتازة شكرا لكم', 'the service was great', 'ما عندي ملاحظات',
];

type Matcher = { name: string; build: (entries: FaqEntry[]) => Promise<(text: string) => FaqFind> | ((text: string) => FaqFind) };

const handWritten: Matcher = {
  name: 'hand-written BM25 (faq.ts)',
  build: (entries) => {
    const index = buildFaqIndex(entries);
    return (text) => decideFaq(plausible(scoreIndex(index, text)));
  },
};

async function oramaMatcher(): Promise<Matcher | undefined> {
  const base = process.env.ORAMA_MODULES;
  // Not a dependency: loaded by a computed name so the type checker does not look for it.
  const load = (name: string, file: string): Promise<any> => import(base ? pathToFileURL(join(base, file)).href : name);
  let orama: any;
  let arabicStemmer: (w: string) => string;
  try {
    orama = await load('@orama/orama', '@orama/orama/dist/esm/index.js');
    arabicStemmer = (await load('@orama/stemmers/arabic', '@orama/stemmers/dist/ar.js')).stemmer;
  } catch {
    return undefined;
  }
  const threshold = Number(process.env.ORAMA_MIN ?? 3);
  return {
    name: 'Orama 3 (BM25, Snowball Arabic stemmer, tolerance 1)',
    build: (entries) => {
      const make = (language: 'arabic' | 'english') =>
        orama.create({
          schema: { entry: 'string', text: 'string' } as const,
          components: { tokenizer: language === 'arabic' ? { language, stemming: true, stemmer: arabicStemmer } : { language, stemming: true } },
        });
      const ar = make('arabic');
      const en = make('english');
      const clean = (t: string) => faqWords(t).join(' ');
      for (const e of entries) {
        const texts = [e.question.ar, e.question.en, ...e.variants.ar, ...e.variants.en, ...e.keywords.ar, ...e.keywords.en];
        for (const t of texts) {
          const db = /[\u0600-\u06FF]/.test(t) ? ar : en;
          orama.insert(db, { entry: e.id, text: clean(t) });
        }
      }
      const byId = new Map(entries.map((e) => [e.id, e]));
      return (text: string) => {
        const db = /[\u0600-\u06FF]/.test(text) ? ar : en;
        const term = clean(text);
        if (!term) return { kind: 'none' };
        const result = orama.search(db, { term, properties: ['text'], tolerance: 1, limit: 100 }) as { hits: { score: number; document: { entry: string } }[] };
        const best = new Map<string, number>();
        for (const h of result.hits) best.set(h.document.entry, Math.max(best.get(h.document.entry) ?? 0, h.score));
        const ranks: FaqRank[] = [...best]
          .map(([id, score]) => ({ entry: byId.get(id)!, score, coverage: 1, evidence: score }))
          .filter((r) => r.score >= threshold)
          .sort((x, y) => y.score - x.score);
        return decideFaq(ranks);
      };
    },
  };
}

interface Tally { right: number; two: number; wrong: number; none: number; total: number }
const tally = (): Tally => ({ right: 0, two: 0, wrong: 0, none: 0, total: 0 });
function count(t: Tally, found: FaqFind, expected: string) {
  t.total++;
  if (found.kind === 'one') found.entry.id === expected ? t.right++ : t.wrong++;
  else if (found.kind === 'two') found.entries.some((e) => e.id === expected) ? t.two++ : t.wrong++;
  else t.none++;
}
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
const line = (t: Tally) =>
  `right ${pct(t.right, t.total)} (+${pct(t.two, t.total)} offered as one of two), wrong ${pct(t.wrong, t.total)}, missed ${pct(t.none, t.total)} of ${t.total}`;

async function run(m: Matcher, verbose: boolean) {
  const dev = tally();
  const held = tally();
  let devNoneOk = 0;
  let devNoneTotal = 0;
  let noneOk = 0;
  let noneTotal = 0;
  let twoOk = 0;
  let twoTotal = 0;
  const misses: string[] = [];
  for (const flow of flows) {
    const devCases: { text: string; expected: string; entries: FaqEntry[] }[] = [];
    for (const entry of flow.faq) {
      for (const lang of ['ar', 'en'] as const) {
        entry.variants[lang].forEach((v, i) => {
          const without = { ...entry, variants: { ...entry.variants, [lang]: entry.variants[lang].filter((_, j) => j !== i) } };
          devCases.push({ text: v, expected: entry.id, entries: flow.faq.map((e) => (e === entry ? without : e)) });
        });
      }
    }
    for (const c of devCases) count(dev, await (await m.build(c.entries))(c.text), c.expected);
    const find = await m.build(flow.faq);
    for (const text of DEV_NONE) {
      devNoneTotal++;
      if (find(text).kind === 'none') devNoneOk++;
    }
    const ids = new Set(flow.faq.map((f) => f.id));
    for (const [expected, texts] of Object.entries(heldOut.match)) {
      if (!ids.has(expected)) continue;
      for (const text of texts) {
        const found = find(text);
        count(held, found, expected);
        if (verbose && !(found.kind === 'one' && found.entry.id === expected)) {
          misses.push(`${flow.id}: ${text} → ${found.kind === 'one' ? found.entry.id : found.kind === 'two' ? found.entries.map((e) => e.id).join('+') : 'none'} (want ${expected})`);
        }
      }
    }
    for (const text of heldOut.none) {
      noneTotal++;
      const found = find(text);
      if (found.kind === 'none') noneOk++;
      else if (verbose) misses.push(`${flow.id}: ${text} → ${found.kind === 'one' ? found.entry.id : found.entries.map((e) => e.id).join('+')} (want none)`);
    }
    for (const c of heldOut.two) {
      twoTotal++;
      const found = find(c.text);
      if (found.kind === 'two' && c.entries.every((id) => found.entries.some((e) => e.id === id))) twoOk++;
      else if (verbose) misses.push(`${flow.id}: ${c.text} → ${found.kind} (want two ${c.entries.join('+')})`);
    }
  }
  console.log(`\n## ${m.name}`);
  console.log(`dev  leave-one-variant-out: ${line(dev)}; dev near-misses kept out ${pct(devNoneOk, devNoneTotal)}`);
  console.log(`held-out paraphrases:       ${line(held)}`);
  console.log(`held-out near-misses kept out: ${pct(noneOk, noneTotal)} of ${noneTotal}; pairs offered together: ${twoOk}/${twoTotal}`);
  const accuracy = (held.right + (noneOk) + twoOk) / (held.total + noneTotal + twoTotal);
  console.log(`held-out overall (right one / none / two): ${(100 * accuracy).toFixed(1)}%`);
  if (verbose) for (const m of misses) console.log(`  miss ${m}`);
}

const verbose = process.argv.includes('-v');
await run(handWritten, verbose);
const o = await oramaMatcher();
if (o) await run(o, verbose);
else console.log('\n(Orama not installed: npm i --no-save @orama/orama@3 @orama/stemmers@3)');
