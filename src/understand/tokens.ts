/**
 * From a message to tagged tokens: normalisation (src/text/normalize.ts), emoji read as
 * yes / no / thanks / greeting, Arabic light stemming, Arabizi consonant skeletons and
 * fuzzy matching for misspellings. Pure; never throws.
 */
import { memoizeString } from '../text/memo.ts';
import { matchKey } from '../text/normalize.ts';
import { LEXICON, type Concept } from './lexicon.ts';

export interface Token {
  /** The token as compared (matchKey form). */
  key: string;
  script: 'ar' | 'lat' | 'num';
  concepts: ReadonlySet<Concept>;
  /** How the token was recognised: exact, stem, arabizi, fuzzy, or unknown. */
  how: 'exact' | 'stem' | 'arabizi' | 'fuzzy' | 'unknown';
  /** The word as recognised, when it was written stretched or with an Arabizi article ("ايقااااف" → "ايقاف"). */
  norm?: string;
}

const EMOJI: [RegExp, string][] = [
  [/[👍👌✅✔☑🆗🙆]/gu, ' emojiyes '],
  [/[👎❌✖🙅⛔🚫]/gu, ' emojino '],
  [/[🙏💐🌹❤💙💚💛🤍♥😍🥰🤝]/gu, ' emojithanks '],
  [/[👋]/gu, ' emojihi '],
];
const EMOJI_CONCEPT: Record<string, Concept> = { emojiyes: 'YES', emojino: 'NO', emojithanks: 'THANKS', emojihi: 'GREET' };

/** The comparable key of a whole message: emoji named, apostrophes dropped, matchKey. */
export function messageKey(text: string): string {
  return messageKeyMemo(String(text ?? ''));
}

// The lexicon, the rules' word lists and each message (read by several rules and helpers) are keyed often.
const messageKeyMemo = memoizeString((text: string) => {
  let s = text;
  for (const [re, word] of EMOJI) s = s.replace(re, word);
  s = s.replace(/['’`ʼ]/g, '');
  return matchKey(s);
});

const ARABIC = /[\u0600-\u06FF]/;
const LATIN = /[a-z]/;

// ── Arabic ────────────────────────────────────────────────────────────────

const AR_PREFIXES = ['وبال', 'وال', 'بال', 'فال', 'كال', 'لل', 'ال', 'و', 'ف', 'ب', 'ل'];
const AR_SUFFIXES = ['كم', 'هم', 'ها', 'نا', 'ني', 'وني', 'ون', 'وا', 'ين', 'ات', 'ي', 'ك', 'ه', 'و'];

/** The token and its light stems: prefixes و ف ب ل ال, suffixes ي ني ك كم نا ه ها هم وا ون. */
export function arabicStems(token: string): string[] {
  const out = new Set<string>([token]);
  const len = (s: string) => Array.from(s).length;
  const bases = [token];
  for (const p of AR_PREFIXES) {
    if (token.startsWith(p) && len(token) - len(p) >= 2) bases.push(token.slice(p.length));
  }
  for (const b of bases) {
    out.add(b);
    for (const suf of AR_SUFFIXES) {
      if (b.endsWith(suf) && len(b) - len(suf) >= 3) out.add(b.slice(0, b.length - suf.length));
    }
  }
  return [...out];
}

// Letters people swap when typing Gulf Arabic (ظ/ض/ز/ذ, س/ص, ت/ط, ه/ة already folded, ا/ع).
const CONFUSABLE: string[][] = [['ظ', 'ض', 'ز', 'ذ', 'د'], ['س', 'ص', 'ث'], ['ت', 'ط'], ['ه', 'ح'], ['ق', 'ك', 'ج', 'غ'], ['ا', 'ع', 'ي']];
function confusable(a: string, b: string): boolean {
  return CONFUSABLE.some((g) => g.includes(a) && g.includes(b));
}

// ── Latin: English and Arabizi ────────────────────────────────────────────

/**
 * The consonant skeleton of an Arabizi word, so spellings of one word meet: digraphs folded
 * (sh → $, kh → 5, gh → 8, dh/th/z/6' → z, ch → $), the hamza digit 2 and vowels dropped
 * (a e i o u y, and w between vowels is kept as a consonant), doubled letters collapsed.
 */
export function skeleton(word: string): string {
  let s = word.toLowerCase();
  s = s.replace(/sh|ch/g, '$').replace(/kh/g, '5').replace(/gh/g, '8').replace(/dh|th|6'/g, 'z').replace(/q/g, '9').replace(/g(?![h])/g, 'g');
  s = s.replace(/[aeiouy2]/g, '');
  s = s.replace(/(.)\1+/g, '$1');
  return s;
}

/** Whether two words are at most one edit apart (a letter changed, added, dropped, or two swapped). O(n). */
export function withinOne(a: string, b: string): boolean {
  const s = Array.from(a);
  const t = Array.from(b);
  if (Math.abs(s.length - t.length) > 1) return false;
  let i = 0;
  while (i < s.length && i < t.length && s[i] === t[i]) i++;
  if (i === s.length && i === t.length) return true;
  const rest = (x: string[], y: string[], dx: number, dy: number) => x.slice(i + dx).join('') === y.slice(i + dy).join('');
  if (s.length === t.length) return rest(s, t, 1, 1) || (s[i] === t[i + 1] && s[i + 1] === t[i] && rest(s, t, 2, 2));
  return s.length > t.length ? rest(s, t, 1, 0) : rest(s, t, 0, 1);
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string, limit = 2): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (Math.abs(s.length - t.length) > limit) return limit + 1;
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[s.length]![t.length]!;
}

// ── the index ─────────────────────────────────────────────────────────────

interface Index {
  ar: Map<string, Set<Concept>>;
  lat: Map<string, Set<Concept>>;
  az: Map<string, Set<Concept>>; // skeleton → concepts
  arFuzzy: [string, Set<Concept>][]; // single-word Arabic forms of ≥ 4 letters
  enFuzzy: [string, Set<Concept>][]; // single-word English forms of ≥ 5 letters
}

function add(map: Map<string, Set<Concept>>, key: string, c: Concept) {
  if (!key) return;
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(c);
}

/** Concepts whose forms may be reached by a fuzzy match (not the short function words). */
const FUZZY_OK: ReadonlySet<Concept> = new Set<Concept>([
  'WANT', 'TALK', 'PERSON', 'STOP_V', 'CANCEL', 'SEND', 'MSG', 'SUBSCRIPTION', 'UNSUB', 'REQUEST', 'STATUS_N', 'FOLLOW', 'MENU_N', 'BACK_V',
  'ENGLISH', 'ARABIC', 'LANG_N', 'HELP', 'UNDERSTAND', 'EXAMPLE', 'GREET', 'THANKS', 'EDIT', 'WRONG', 'REQUIRED',
]);

function buildIndex(): Index {
  const idx: Index = { ar: new Map(), lat: new Map(), az: new Map(), arFuzzy: [], enFuzzy: [] };
  for (const [concept, forms] of Object.entries(LEXICON) as [Concept, (typeof LEXICON)[Concept]][]) {
    for (const f of forms.ar ?? []) add(idx.ar, messageKey(f), concept);
    for (const f of forms.en ?? []) add(idx.lat, messageKey(f), concept);
    for (const f of forms.az ?? []) {
      const k = messageKey(f);
      add(idx.lat, k, concept);
      if (!k.includes(' ')) add(idx.az, skeleton(k), concept);
    }
  }
  for (const [k, set] of idx.ar) {
    const fuzzy = new Set([...set].filter((c) => FUZZY_OK.has(c)));
    if (!k.includes(' ') && Array.from(k).length >= 4 && fuzzy.size > 0) idx.arFuzzy.push([k, fuzzy]);
  }
  for (const [k, set] of idx.lat) {
    const fuzzy = new Set([...set].filter((c) => FUZZY_OK.has(c)));
    if (!k.includes(' ') && k.length >= 5 && /^[a-z]+$/.test(k) && fuzzy.size > 0) idx.enFuzzy.push([k, fuzzy]);
  }
  return idx;
}

let INDEX: Index | undefined;
function index(): Index {
  return (INDEX ??= buildIndex());
}

/** Arabic fuzzy forms by letter count, so a word is compared only with forms one letter longer or shorter. */
let BY_LENGTH: Map<number, [string, Set<Concept>][]> | undefined;
function fuzzyOfLength(n: number): [string, Set<Concept>][] {
  if (!BY_LENGTH) {
    BY_LENGTH = new Map();
    for (const entry of index().arFuzzy) {
      const len = Array.from(entry[0]).length;
      for (const k of [len - 1, len, len + 1]) {
        const list = BY_LENGTH.get(k) ?? [];
        list.push(entry);
        BY_LENGTH.set(k, list);
      }
    }
  }
  return BY_LENGTH.get(n) ?? [];
}

/** Recognised words, remembered (a bounded cache: the same words come back in every message). */
type Found = { concepts: Set<Concept>; how: Token['how']; norm?: string };
const MEMO = new Map<string, Found>();
function memo(word: string, f: () => Found): Found {
  const hit = MEMO.get(word);
  if (hit) return hit;
  const value = f();
  if (MEMO.size >= 20_000) MEMO.clear();
  MEMO.set(word, value);
  return value;
}

/** Multi-word forms ("خدمه العملاء", "opt out", "go back"), longest first, joined into one token. */
let PHRASES: string[] | undefined;
function phrases(): string[] {
  if (!PHRASES) {
    const idx = index();
    PHRASES = [...idx.ar.keys(), ...idx.lat.keys()].filter((k) => k.includes(' ')).sort((a, b) => b.length - a.length);
  }
  return PHRASES;
}

/** The positions in phrases() of the phrases that begin with a word. */
let PHRASES_BY_FIRST_WORD: Map<string, number[]> | undefined;

/**
 * The phrases that may occur in a key, in phrases() order: those whose first word is one of the
 * key's words (a phrase occurs only as whole words, so the others cannot).
 */
function phrasesIn(key: string): string[] {
  const all = phrases();
  if (!PHRASES_BY_FIRST_WORD) {
    PHRASES_BY_FIRST_WORD = new Map();
    all.forEach((p, i) => {
      const first = p.slice(0, p.indexOf(' '));
      PHRASES_BY_FIRST_WORD!.set(first, [...(PHRASES_BY_FIRST_WORD!.get(first) ?? []), i]);
    });
  }
  const at: number[] = [];
  for (const w of new Set(key.split(' '))) at.push(...(PHRASES_BY_FIRST_WORD.get(w) ?? []));
  return at.sort((a, b) => a - b).map((i) => all[i]!);
}

/** Letters held down for emphasis: "تمااام" → "تمام", "ايوووه" → "ايوه", "لاااا" → "لا". */
function unstretched(word: string): string[] {
  if (!/(.)\1/u.test(word)) return [];
  // Arabic doubles a consonant in ordinary spelling ("اللغوي" is ال + لغوي, not a stretched
  // "الغوي"): two of a consonant inside an Arabic word are kept; vowels, a last letter, and
  // three or more of anything are emphasis.
  const once = ARABIC.test(word)
    ? word.replace(/(.)\1{2,}/gu, '$1').replace(/([اويه])\1/gu, '$1').replace(/(.)\1$/u, '$1')
    : word.replace(/(.)\1+/gu, '$1');
  return [...new Set([once, word.replace(/(.)\1{2,}/gu, '$1$1')])].filter((w) => w !== word);
}

function arabicConcepts(word: string): { concepts: Set<Concept>; how: Token['how']; norm?: string } {
  return memo(`ar:${word}`, () => arabicConceptsUncached(word));
}

function arabicConceptsUncached(word: string): { concepts: Set<Concept>; how: Token['how']; norm?: string } {
  const first = arabicConceptsOf(word);
  if (first.how !== 'unknown') return first;
  for (const w of unstretched(word)) {
    const again = arabicConceptsOf(w);
    if (again.how !== 'unknown') return { concepts: again.concepts, how: 'fuzzy', norm: w };
  }
  return first;
}

function arabicConceptsOf(word: string): { concepts: Set<Concept>; how: Token['how'] } {
  const idx = index();
  const exact = idx.ar.get(word);
  if (exact) return { concepts: new Set(exact), how: 'exact' };
  const found = new Set<Concept>();
  for (const stem of arabicStems(word)) for (const c of idx.ar.get(stem) ?? []) found.add(c);
  if (found.size > 0) return { concepts: found, how: 'stem' };
  // Misspellings: one edit for words of 5+ letters; for 4 letters only a swap of letters
  // people confuse (موضف for موظف).
  const letters = Array.from(word);
  if (letters.length >= 4) {
    // The word and the word without a leading و/ف/ب/ل/ال (not every suffix variant: a
    // misspelling is looked for in a handful of forms, against forms of about its length).
    const bases = [word, ...AR_PREFIXES.filter((p) => word.startsWith(p) && letters.length - p.length >= 4).map((p) => word.slice(p.length))];
    for (const stem of bases) {
      const sl = Array.from(stem);
      if (sl.length < 4) continue;
      for (const [form, set] of fuzzyOfLength(sl.length)) {
        const fl = Array.from(form);
        if (Math.abs(fl.length - sl.length) > 1) continue;
        if (sl.length >= 5 && fl.length >= 5 && sl.length !== fl.length) {
          // A letter left out or doubled (مسول for مسوول).
          if (withinOne(stem, form)) for (const c of set) found.add(c);
        } else if (sl.length === fl.length) {
          // Two letters swapped (موفظ), or one letter people confuse (موضف); not any letter
          // (مستندات is not مستجدات).
          if (sl.length >= 5 && withinOne(stem, form) && sl.some((ch, i) => ch !== fl[i] && sl[i + 1] === fl[i] && fl[i + 1] === ch)) {
            for (const c of set) found.add(c);
            continue;
          }
          const diff = sl.map((ch, i) => [ch, fl[i]!] as const).filter(([a, b]) => a !== b);
          if (diff.length === 1 && confusable(diff[0]![0], diff[0]![1])) for (const c of set) found.add(c);
        }
      }
      if (found.size > 0) return { concepts: found, how: 'fuzzy' };
    }
  }
  return { concepts: found, how: 'unknown' };
}

/** Arabizi words carry the article or a preposition glued on: "alqaema", "lel2a2ema", "bel3arabi". */
const ARABIZI_PREFIX = /^(?:al|el|il|ll|lel|lil|l|bel|bil|bl|wal|wel)(?=[a-z0-9]{3,})/;

function latinConcepts(word: string): { concepts: Set<Concept>; how: Token['how']; norm?: string } {
  return memo(`lat:${word}`, () => latinConceptsUncached(word));
}

function latinConceptsUncached(word: string): { concepts: Set<Concept>; how: Token['how']; norm?: string } {
  const first = latinConceptsOf(word, true);
  if (first.how !== 'unknown') return first;
  const bare = word.replace(ARABIZI_PREFIX, '');
  const others = [bare, ...unstretched(word), ...unstretched(bare)].filter((w) => w && w !== word);
  for (const w of others) {
    const again = latinConceptsOf(w, true);
    if (again.how !== 'unknown') return { concepts: again.concepts, how: 'fuzzy', norm: w };
  }
  for (const w of [word, ...others]) {
    const again = latinConceptsOf(w, false);
    if (again.how !== 'unknown') return { concepts: again.concepts, how: 'fuzzy' };
  }
  return first;
}

function latinConceptsOf(word: string, strict: boolean): { concepts: Set<Concept>; how: Token['how'] } {
  const idx = index();
  const exact = idx.lat.get(word);
  if (exact) return { concepts: new Set(exact), how: 'exact' };
  // English plural / -ing forms.
  for (const base of [word.replace(/s$/, ''), word.replace(/ing$/, ''), word.replace(/ed$/, '')]) {
    if (base !== word && base.length >= 3 && idx.lat.has(base)) return { concepts: new Set(idx.lat.get(base)), how: 'stem' };
  }
  const sk = skeleton(word);
  if (sk.length >= 3 && /\d|[a-z]/.test(sk)) {
    const az = idx.az.get(sk);
    if (az) return { concepts: new Set(az), how: 'arabizi' };
  }
  const found = new Set<Concept>();
  if (strict) return { concepts: found, how: 'unknown' };
  if (word.length >= 5 && /^[a-z]+$/.test(word)) {
    for (const [form, set] of idx.enFuzzy) {
      // "office" is not a misspelt "officer": a word that is the start of another is another word;
      // and a misspelling keeps its first letter ("mother" is not "bother").
      if (form.startsWith(word) || word.startsWith(form) || form[0] !== word[0]) continue;
      if (withinOne(word, form)) for (const c of set) found.add(c);
    }
    if (found.size > 0) return { concepts: found, how: 'fuzzy' };
  }
  // Arabizi with digits, one edit away on the skeleton ("mowadaf", "akalmk").
  if (/\d/.test(word) || sk.length >= 4) {
    for (const [form, set] of idx.az) {
      if (form.length >= 4 && sk.length >= 4 && withinOne(sk, form)) for (const c of set) found.add(c);
    }
    if (found.size > 0) return { concepts: found, how: 'fuzzy' };
  }
  return { concepts: found, how: 'unknown' };
}

/** What a word glued to ما / لا may be for the two to be read apart: a verb of wanting, understanding, sending … */
const GLUED: ReadonlySet<Concept> = new Set<Concept>(['WANT', 'UNDERSTAND', 'RIGHT', 'SEND', 'THANKS', 'CAN', 'TALK', 'RECEIVE', 'EDIT']);

/** Arabic words glued to a leading negation or "لا": "مابي" → "ما" "ابي", "لاتراسلوني" → "لا" "تراسلوني". */
function splitGlued(word: string): string[] {
  for (const p of ['ما', 'لا']) {
    if (word.startsWith(p) && Array.from(word).length - p.length >= 2) {
      // "مابي" is ما + ابي with the alef dropped.
      const rest = [word.slice(p.length), `ا${word.slice(p.length)}`].find((r) => index().ar.has(r)) ?? word.slice(p.length);
      // "مابي" is "ما ابي"; "ماشي" and "مافي" stay whole (their rest is only a filler).
      const meaning = [...(index().ar.get(rest) ?? arabicConcepts(rest).concepts)].filter((c) => GLUED.has(c));
      if (meaning.length > 0 && !['ماشي', 'مافي', 'مانع', 'لازم', 'ماعدا'].includes(word)) return [p, rest];
    }
  }
  // "ياريت"/"يااخي": a leading vocative.
  return [word];
}

/** Arabizi glued negation: "mafhemt" → "ma" "fhemt", "mabi" → "ma" "abi". */
function splitGluedLatin(word: string): string[] {
  const m = /^(ma|la)([a-z0-9]{2,})$/.exec(word);
  if (!m || index().lat.has(word)) return [word];
  for (const rest of [m[2]!, `a${m[2]!}`]) {
    const c = latinConcepts(rest);
    if (c.how !== 'unknown' && [...c.concepts].some((x) => GLUED.has(x))) return [m[1]!, rest];
  }
  return [word];
}

/** Two words typed without the space between them: "ابياكلم" → "ابي" "اكلم". */
function splitRunTogether(word: string): string[] {
  const letters = Array.from(word);
  if (!ARABIC.test(word) || letters.length < 6 || arabicConcepts(word).how !== 'unknown') return [word];
  for (let i = 3; i <= letters.length - 3; i++) {
    const a = letters.slice(0, i).join('');
    const b = letters.slice(i).join('');
    const ca = index().ar.get(a);
    const cb = arabicConcepts(b);
    if (ca && [...ca].some((c) => GLUED.has(c) || c === 'PERSON') && cb.how !== 'unknown' && cb.how !== 'fuzzy') return [a, b];
  }
  return [word];
}

/** The message as tagged tokens. */
export function tag(text: string): Token[] {
  return [...tagKey(messageKey(text))];
}

// One message is tagged by the rules, by looksLikeQuestion and by menuActionWord: remembered by
// its key. The tokens are shared between calls, so they are frozen.
const tagKey = memoizeString((key: string): readonly Token[] => tagUncached(key).map((t) => Object.freeze(t)), { maxEntries: 1024 });

function tagUncached(key: string): Token[] {
  if (!key) return [];
  // Join known multi-word forms into one token so "خدمه العملاء" or "opt out" is one concept.
  for (const p of phrasesIn(key)) {
    if (key === p || key.startsWith(`${p} `) || key.endsWith(` ${p}`) || key.includes(` ${p} `)) {
      key = ` ${key} `.split(` ${p} `).join(` ${p.replace(/ /g, '_')} `).trim();
    }
  }
  const words = key.split(' ').flatMap((w) => (ARABIC.test(w) ? splitGlued(w) : splitGluedLatin(w))).flatMap(splitRunTogether);
  const idx = index();
  return words.map((raw): Token => {
    const w = raw.replace(/_/g, ' ');
    if (EMOJI_CONCEPT[w]) return { key: w, script: 'lat', concepts: new Set([EMOJI_CONCEPT[w]!]), how: 'exact' };
    if (/^\d+$/.test(w)) return { key: w, script: 'num', concepts: new Set(), how: 'unknown' };
    if (w.includes(' ')) {
      const set = idx.ar.get(w) ?? idx.lat.get(w) ?? new Set<Concept>();
      return { key: w, script: ARABIC.test(w) ? 'ar' : 'lat', concepts: new Set(set), how: 'exact' };
    }
    if (ARABIC.test(w)) return { key: w, script: 'ar', ...arabicConcepts(w) };
    if (LATIN.test(w)) return { key: w, script: 'lat', ...latinConcepts(w) };
    return { key: w, script: 'num', concepts: new Set(), how: 'unknown' };
  });
}
