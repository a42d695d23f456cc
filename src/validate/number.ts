import { cleanInput, matchKey } from '../text/normalize.ts';
import { prepare, stripEmoji, wordsOf } from './extract.ts';
import type { Validation } from './types.ts';

export interface IntegerOptions {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

/** What a number word does: adds a unit/teen/ten/hundred, or multiplies by a thousand. */
type WordKind = 'unit' | 'teen' | 'ten' | 'hundred' | 'hundred_mult' | 'thousand' | 'thousand_mult' | 'and' | 'article';
interface NumberWord {
  n: number;
  kind: WordKind;
  lang: 'ar' | 'en';
}

/**
 * Number words keyed by matchKey (so ة/ه, أ/ا, ى/ي fold together): Modern Standard Arabic and
 * Gulf spoken forms (ثنين، ثلاث، اربعطعش، خمسين، مية، ميتين، ألفين…) and English. Two-word keys
 * are the MSA teens ("ثلاثة عشر").
 */
const WORDS: ReadonlyMap<string, NumberWord> = (() => {
  const words = new Map<string, NumberWord>();
  const add = (n: number, kind: WordKind, lang: 'ar' | 'en', ...forms: string[]): void => {
    for (const f of forms) words.set(matchKey(f), { n, kind, lang });
  };
  const units: [number, string[]][] = [
    [3, ['ثلاثة', 'ثلاث', 'ثلاثه', 'تلاتة', 'تلات']],
    [4, ['أربعة', 'أربع', 'اربعه']],
    [5, ['خمسة', 'خمس']],
    [6, ['ستة', 'ست']],
    [7, ['سبعة', 'سبع']],
    [8, ['ثمانية', 'ثماني', 'ثمان', 'ثمانيه', 'تمانية']],
    [9, ['تسعة', 'تسع']],
  ];
  const ten = ['عشر', 'عشرة'];
  add(0, 'unit', 'ar', 'صفر');
  add(1, 'unit', 'ar', 'واحد', 'واحدة');
  add(2, 'unit', 'ar', 'اثنان', 'اثنين', 'اثنتان', 'اثنتين', 'ثنتين', 'ثنين', 'اتنين', 'إثنين');
  // Dual nouns that are a count by themselves: "شخصين" = two people.
  add(2, 'unit', 'ar', 'شخصين', 'شخصان', 'فردين', 'فردان', 'نفرين', 'نفران', 'طفلين', 'طفلان', 'ولدين', 'بنتين');
  for (const [n, forms] of units) add(n, 'unit', 'ar', ...forms);
  add(10, 'unit', 'ar', ...ten);
  for (const a of ['أحد', 'إحدى', 'احدى']) for (const t of ten) add(11, 'teen', 'ar', `${a} ${t}`, `${a}${t}`);
  for (const a of ['اثنا', 'اثني', 'اثنتا', 'اثنتي']) for (const t of ten) add(12, 'teen', 'ar', `${a} ${t}`);
  for (const [n, forms] of units) for (const a of forms) for (const t of ten) add(10 + n, 'teen', 'ar', `${a} ${t}`);
  // Gulf teens, written as one word: احدعش، اثنعش، ثلطعش، اربعطعش، خمسطعش، سطعش، سبعطعش، ثمنطعش، تسعطعش.
  add(11, 'teen', 'ar', 'احدعش', 'احدعشر', 'حدعش', 'إحدعش');
  add(12, 'teen', 'ar', 'اثنعش', 'اثنعشر', 'ثنعش', 'اطنعش');
  add(13, 'teen', 'ar', 'ثلطعش', 'ثلاثطعش', 'ثلتطعش', 'تلتاشر');
  add(14, 'teen', 'ar', 'اربعطعش', 'ربعطعش', 'اربعتاشر');
  add(15, 'teen', 'ar', 'خمسطعش', 'خمستاشر');
  add(16, 'teen', 'ar', 'سطعش', 'ستطعش', 'ستاشر');
  add(17, 'teen', 'ar', 'سبعطعش', 'سبعتاشر');
  add(18, 'teen', 'ar', 'ثمنطعش', 'ثمانطعش', 'تمنتاشر');
  add(19, 'teen', 'ar', 'تسعطعش', 'تسعتاشر');
  const tens: [number, string[]][] = [
    [20, ['عشرون', 'عشرين']],
    [30, ['ثلاثون', 'ثلاثين', 'تلاتين']],
    [40, ['أربعون', 'أربعين']],
    [50, ['خمسون', 'خمسين']],
    [60, ['ستون', 'ستين']],
    [70, ['سبعون', 'سبعين']],
    [80, ['ثمانون', 'ثمانين', 'تمانين']],
    [90, ['تسعون', 'تسعين']],
  ];
  for (const [n, forms] of tens) add(n, 'ten', 'ar', ...forms);
  const hundred = ['مئة', 'مائة', 'مية', 'ميه'];
  add(100, 'hundred', 'ar', ...hundred);
  add(200, 'hundred', 'ar', 'مئتان', 'مئتين', 'مائتان', 'مائتين', 'ميتين', 'ميتان');
  const hundredStems: [number, string[]][] = [
    [3, ['ثلاث', 'ثلث', 'تلت']],
    [4, ['أربع', 'ربع']],
    [5, ['خمس']],
    [6, ['ست']],
    [7, ['سبع']],
    [8, ['ثمان', 'ثمن', 'ثماني']],
    [9, ['تسع']],
  ];
  for (const [n, stems] of hundredStems) for (const s of stems) for (const h of hundred) add(n * 100, 'hundred', 'ar', `${s}${h}`);
  add(1000, 'thousand_mult', 'ar', 'ألف', 'الاف', 'آلاف', 'ألاف');
  add(2000, 'thousand', 'ar', 'ألفين', 'ألفان');
  add(0, 'and', 'ar', 'و');
  // Arabizi (Arabic in Latin letters and digits), 1 to 10 only: "khamsa", "wa7ed", "3ashra".
  const arabizi: [number, string[]][] = [
    [1, ['wa7ed', 'wahed', 'wa7da', 'wahda']],
    [2, ['ithnain', 'ethnain', 'ithnein', 'itnen', 'etnen', 'thnain', 'tnen', 'ithnen']],
    [3, ['thalatha', 'thalath', 'talata', 'tlata', 'thlatha', 'tlatha']],
    [4, ['arba3a', 'arba3', 'arbaa', 'arba']],
    [5, ['khamsa', 'khams', '5amsa', 'khamseh']],
    [6, ['sitta', 'setta']],
    [7, ['sab3a', 'saba3a', 'sab3', 'sabaa']],
    [8, ['thamanya', 'thamania', 'tamanya', 'thmanya', 'thamanyah']],
    [9, ['tis3a', 'tes3a', 'tisa3', 'tisaa']],
    [10, ['3ashra', '3ashara', 'ashra', 'ashara', '3shra']],
  ];
  for (const [n, forms] of arabizi) add(n, 'unit', 'ar', ...forms);

  const english = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
  english.forEach((w, i) => add(i, 'unit', 'en', w));
  const teens = ['eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
  teens.forEach((w, i) => add(11 + i, 'teen', 'en', w));
  const tensEn = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
  tensEn.forEach((w, i) => add(20 + i * 10, 'ten', 'en', w));
  add(100, 'hundred_mult', 'en', 'hundred');
  add(1000, 'thousand_mult', 'en', 'thousand');
  add(0, 'and', 'en', 'and');
  add(1, 'article', 'en', 'a', 'an');
  return words;
})();

/** The number word a token is, also with a leading conjunction و ("وخمسين" = "and fifty"). */
function lookup(key: string): NumberWord | undefined {
  const direct = WORDS.get(key);
  if (direct) return direct;
  if (key.startsWith('و') && key.length > 2) {
    const rest = WORDS.get(key.slice(1));
    if (rest && rest.lang === 'ar' && rest.kind !== 'and') return rest;
  }
  return undefined;
}

/**
 * Reads a run of number words as one number, or undefined when they do not make one (e.g.
 * "خمسة خمسة"). Arabic puts units before tens ("خمسة وعشرين" = 25), English after ("twenty
 * one"); Gulf speech also says "عشرين وخمسة". Hundreds and thousands multiply what precedes
 * them ("ثلاث مية", "خمسة آلاف", "two thousand five hundred").
 */
function readWords(run: NumberWord[]): number | undefined {
  let total = 0; // thousands already closed
  let cur = 0; // below a thousand
  let last: WordKind | undefined;
  let lastN = 0;
  let any = false;
  for (let i = 0; i < run.length; i++) {
    const w = run[i]!;
    const below = cur % 100;
    switch (w.kind) {
      case 'and':
        continue;
      case 'article': // "a hundred", "a thousand"
        if (run[i + 1]?.kind !== 'hundred_mult' && run[i + 1]?.kind !== 'thousand_mult') return undefined;
        cur += 1;
        break;
      case 'unit':
        if (below === 0 && !(last === 'unit')) cur += w.n;
        else if (last === 'ten' && below % 10 === 0) cur += w.n; // twenty one / عشرين وخمسة
        else return undefined;
        break;
      case 'teen':
        if (below !== 0 || last === 'unit') return undefined;
        cur += w.n;
        break;
      case 'ten':
        if (below === 0 && last !== 'unit') cur += w.n;
        else if (last === 'unit' && below < 10 && w.lang === 'ar') cur += w.n; // خمسة وعشرين
        else return undefined;
        break;
      case 'hundred':
        // ثلاث مية: a unit just before a bare مية multiplies it.
        if (w.n === 100 && last === 'unit' && cur === lastN && lastN >= 3 && lastN <= 9) cur = lastN * 100;
        else if (cur === 0) cur = w.n;
        else return undefined;
        break;
      case 'hundred_mult':
        if (cur < 1 || cur > 99 || last === 'hundred_mult') return undefined;
        cur *= 100;
        break;
      case 'thousand_mult':
        if (total !== 0) return undefined;
        total = (cur === 0 ? 1 : cur) * 1000;
        cur = 0;
        break;
      case 'thousand':
        if (total !== 0 || cur !== 0) return undefined;
        total = w.n;
        break;
    }
    any = true;
    last = w.kind;
    lastN = w.n;
  }
  return any ? total + cur : undefined;
}

/** "I am alone" in the ways people say it: the count is 1. */
const ALONE = [
  'لحالي', 'لوحدي', 'وحدي', 'بروحي', 'انا بس', 'بس انا', 'انا فقط', 'فقط انا', 'انا وحدي', 'انا لوحدي', 'انا لحالي', 'انا بروحي', 'شخص واحد',
  'انا لوحدي بس', 'انا بروحي بس', 'لحالي بس', 'لوحدي بس', 'انا شخص واحد', 'شخص واحد فقط', 'واحد بس', 'احنا واحد',
  'just me', 'only me', 'me only', 'me alone', 'alone', 'by myself', 'just myself', 'myself only', 'only myself', 'myself', 'i am alone', "i'm alone", 'im alone', 'just me alone',
  'la7ali', 'lahali', 'lehali', 'l7ali', 'lwa7di', 'lawa7di', 'lwahdi', 'bas ana', 'ana bas', 'ana bs', 'bs ana',
  'ساكن لوحدي', 'ساكن لحالي', 'ساكنه لوحدي', 'ساكنه لحالي', 'اسكن لوحدي', 'اسكن لحالي', 'اعيش لوحدي', 'اعيش لحالي', 'عايش لوحدي', 'عايشه لوحدي',
  'i live alone', 'living alone', 'i am living alone', "i'm living alone", 'i stay alone',
].map(matchKey);

/** One person each, for "انا وزوجتي" (2) or "me and my wife and my son" (3); plural nouns (عيالي) are not counted. */
const COMPANION_AR = new Set(
  [
    'زوجتي', 'زوجي', 'مرتي', 'المدام', 'امي', 'أمي', 'والدتي', 'الوالده', 'ابوي', 'أبوي', 'والدي', 'الوالد', 'اخوي', 'أخوي', 'اخي', 'أخي', 'اختي', 'أختي',
    'ولدي', 'ابني', 'بنتي', 'جدي', 'جدتي', 'عمي', 'عمتي', 'خالي', 'خالتي', 'خويي', 'صديقي', 'صديقتي', 'صاحبي', 'رفيقي', 'زميلي', 'زميلتي',
  ].map(matchKey),
);
const COMPANION_EN = new Set(['wife', 'husband', 'mother', 'mom', 'mum', 'father', 'dad', 'son', 'daughter', 'brother', 'sister', 'friend', 'grandmother', 'grandfather', 'grandma', 'grandpa', 'uncle', 'aunt', 'colleague']);

/** "انا وزوجتي" → 2, "انا وزوجتي وامي" → 3, "me and my wife" → 2; undefined otherwise. */
function companions(key: string): number | undefined {
  const ar = /^(?:انا|احنا) ((?:و\S+ ?)+)$/.exec(key);
  if (ar) {
    const people = (ar[1] ?? '').trim().split(' ').map((w) => w.slice(1));
    return people.every((p) => COMPANION_AR.has(p)) ? 1 + people.length : undefined;
  }
  const en = /^(?:(?:me|i) and (.+)|(.+) and (?:me|i))$/.exec(key);
  if (en) {
    const people = (en[1] ?? en[2] ?? '').split(/ and |, /).map((p) => p.trim().replace(/^my /, ''));
    return people.every((p) => COMPANION_EN.has(p)) ? 1 + people.length : undefined;
  }
  return undefined;
}

const BOUND_WORDS = / (?:اكثر من|اقل من|فوق|تحت|ما يزيد عن|ما يقل عن|more than|less than|fewer than|over|under|at least|at most) /;
/** "مو خمسة", "not 5", "مش متأكد 5": a number said not to be, or not sure of, is no answer. */
const NEGATION = / (?:مو|مب|مش|موب|ماهو|مهو|ليس|ليسوا|not|no) /;

/** How many people "انا وامي واختي" / "me and my wife" names: the writer and each companion. */
function namedPeople(key: string): number {
  const words = key.split(' ');
  const ar = words.filter((w) => w.startsWith('و') && COMPANION_AR.has(w.slice(1))).length;
  const en = (key.match(/ and (?:my )?(\w+)/g) ?? []).filter((m) => COMPANION_EN.has(m.replace(/^ and (?:my )?/, ''))).length;
  return 1 + ar + en;
}

/** "انا وزوجتي", "احنا و…", "me and my wife": people named besides a number. */
function mentionsCompanions(key: string): boolean {
  const words = key.split(' ');
  return (
    /(?:^| )(?:انا|احنا|نحن) و/.test(key) ||
    words.some((w) => w.startsWith('و') && COMPANION_AR.has(w.slice(1))) ||
    /(?:^| )(?:me|i) and |(?:^| )and (?:me|i)(?: |$)| and my /.test(key)
  );
}

// Optional sign, then either plain digits or digits grouped by thousands commas.
const NUMERAL = /^([+\-\u2212]?)(\d+|\d{1,3}(?:,\d{3})+)$/;
// Punctuation that may close a number ("5.", "5،", "5!"), and what may open one.
const TRAILING = /[.!?؟،,;:)\]»"'…]+$/u;
const LEADING = /^[(\["«']+/u;

type Found = { values: number[]; garbage: boolean };

/** Every number in a sentence: numerals and runs of number words, plus digits stuck to anything else (garbage). */
function findNumbers(text: string): Found {
  // The message as a stream of numerals and word keys ("twenty-one" gives two keys).
  const items: ({ t: 'digits'; core: string } | { t: 'key'; key: string })[] = [];
  for (const word of wordsOf(text)) {
    const core = word.replace(TRAILING, '').replace(LEADING, '');
    // Arabizi writes letters with digits ("wa7ed", "la7ali"): such a word is a word, not a numeral.
    // Any other mix of Latin letters and digits is an Arabizi word too ("7jaj", "3ayla"), unless it is a
    // count with its unit stuck on ("5ppl", "3persons").
    const arabiziWord =
      /[a-z]/i.test(core) &&
      (WORDS.has(matchKey(core)) || ALONE.includes(matchKey(core)) || (/\d/.test(core) && !/^\d+(?:people|ppl|persons?|pax|members?|x)$/i.test(core)));
    if (/\d/.test(core) && !arabiziWord) items.push({ t: 'digits', core: core.replace(/^(\d+)(?:people|ppl|persons?|pax|members?|x)$/i, '$1') });
    else for (const key of matchKey(core).split(' ').filter(Boolean)) items.push({ t: 'key', key });
  }

  const values: number[] = [];
  let garbage = false;
  let run: NumberWord[] = [];
  const closeRun = (): void => {
    // "و"/"and" around a number are just words: "we are five and we need a bus".
    while (run[0]?.kind === 'and') run.shift();
    while (run.at(-1)?.kind === 'and') run.pop();
    if (run.length > 0) {
      const v = readWords(run);
      if (v === undefined) garbage = true;
      else values.push(v);
    }
    run = [];
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.t === 'digits') {
      closeRun();
      const m = NUMERAL.exec(item.core);
      if (!m) {
        garbage = true; // 2.5, 1e3, 5-6, --5
        continue;
      }
      const magnitude = Number((m[2] ?? '').replace(/,/g, ''));
      values.push(m[1] === '' || m[1] === '+' ? magnitude : -magnitude);
      continue;
    }
    const next = items[i + 1];
    // MSA teens are two words, "ثلاثة عشر", also after a conjunction: "وأحد عشر" (folded to "واحد عشر").
    const two =
      next?.t === 'key'
        ? (WORDS.get(`${item.key} ${next.key}`) ?? (item.key.startsWith('و') ? WORDS.get(`${item.key.slice(1)} ${next.key}`) : undefined))
        : undefined;
    if (two) {
      run.push(two);
      i++;
      continue;
    }
    const w = lookup(item.key);
    const nextWord = next?.t === 'key' ? WORDS.get(next.key) : undefined;
    // "a"/"an" count only before hundred/thousand: "a family" is no number.
    if (w && (w.kind !== 'article' || nextWord?.kind === 'hundred_mult' || nextWord?.kind === 'thousand_mult')) run.push(w);
    else closeRun();
  }
  closeRun();
  return { values, garbage };
}

/**
 * Validates a whole number, also inside a sentence: digits (ASCII, Arabic-Indic, Persian;
 * thousands commas allowed) or Arabic and English number words up to the hundred thousands
 * (ثلاثة، خمسين، مية وخمسين، ألفين، اربعطعش، twenty one, a hundred), with a noun or words around
 * it ("٥ افراد", "احنا ستة", "about 5"); "انا لحالي"/"just me" is 1, "انا وزوجتي" is 2. Then
 * checks min/max. Codes: empty; int_several {count} (different numbers in one message);
 * int_format; int_range {min?, max?}.
 */
export function validateInteger(raw: string, opts: IntegerOptions = {}): Validation<number> {
  const cleaned = cleanInput(raw);
  if (cleaned === '') return { ok: false, code: 'empty' };

  const prepared = prepare(cleaned);
  // A score out of a scale: "4 من 5", "4/5", "4 out of 5" is 4.
  const score = /^(\d{1,3}) ?(?:من|\/|out of|of) ?(\d{1,3})[.!]?$/i.exec(prepared);
  const found = score && Number(score[1]) <= Number(score[2]) ? { values: [Number(score[1])], garbage: false } : findNumbers(prepared);
  const distinct = [...new Set(found.values.map((v) => (Object.is(v, -0) ? 0 : v)))];
  let value: number | undefined;
  // "أكثر من 10", "less than 5": a bound, not the count.
  const spaced = ` ${matchKey(cleaned)} `;
  if (BOUND_WORDS.test(spaced) || NEGATION.test(spaced)) return { ok: false, code: 'int_format' };
  if (distinct.length > 1) return { ok: false, code: 'int_several', params: { count: distinct.length } };
  // "انا وزوجتي و3 عيال": the 3 is not the count, and the total is not guessed.
  // ...unless the people named add up to the number: "احنا 3 انا وامي واختي".
  const named = matchKey(stripEmoji(cleaned));
  if (distinct.length === 1 && !found.garbage && (!mentionsCompanions(named) || namedPeople(named) === distinct[0])) value = distinct[0];
  if (distinct.length === 0 && !found.garbage) {
    const key = matchKey(stripEmoji(cleaned));
    // The whole message must be the phrase: "انا بس ابي اعدل" ("I just want to edit") is no count.
    value = companions(key) ?? (ALONE.includes(key) ? 1 : undefined);
  }
  if (value === undefined) return { ok: false, code: 'int_format' };

  const params: Record<string, number> = {};
  if (opts.min !== undefined) params.min = opts.min;
  if (opts.max !== undefined) params.max = opts.max;
  const tooBig = !Number.isSafeInteger(value);
  if (tooBig && opts.min === undefined && opts.max === undefined) return { ok: false, code: 'int_format' };
  if (tooBig || (opts.min !== undefined && value < opts.min) || (opts.max !== undefined && value > opts.max)) {
    return { ok: false, code: 'int_range', params };
  }
  return { ok: true, value, display: String(value) };
}
