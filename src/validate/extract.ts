/**
 * Taking a value out of real writing: the pieces the validators share to find a number, a name
 * or a city inside a sentence ("هويتي 1012345672 🙏", "اسمي محمد عبدالله", "ساكن في الرياض").
 * Pure and total: every function accepts any string and never throws.
 */
import { cleanInput, matchKey } from '../text/normalize.ts';

// Emoji and their glue: pictographs, skin tones, variation selectors, ZWJ, keycap, tags.
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0E\uFE0F\u200D\u20E3\u{E0020}-\u{E007F}]/gu;
const EDGE_PUNCT_START = /^[\p{P}\p{S}\s]+/u;
const EDGE_PUNCT_END = /[\p{P}\p{S}\s]+$/u;
const ARABIC_LETTER = /[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]/;

/** Removes emoji (with skin tones, variation selectors and joiners); a keycap "5️⃣" keeps its digit. */
export function stripEmoji(s: string): string {
  return s.replace(EMOJI, '');
}

/** Trims punctuation, symbols and spaces from both ends ("محمد." → "محمد", "«الرياض»" → "الرياض"). */
export function trimEdges(s: string): string {
  return s.replace(EDGE_PUNCT_START, '').replace(EDGE_PUNCT_END, '');
}

/**
 * cleanInput, emoji removed, full-width forms folded (NFKC), a space put between Arabic letters
 * and digits written together ("هويتي1012345672") and after a colon ("الاسم:محمد"), whitespace
 * collapsed. The base of every extraction.
 */
export function prepare(raw: string): string {
  const cleaned = stripEmoji(cleanInput(raw).normalize('NFKC'));
  let out = '';
  let prev = '';
  for (const ch of cleaned) {
    const boundary =
      (ARABIC_LETTER.test(prev) && /\d/.test(ch)) || (/\d/.test(prev) && ARABIC_LETTER.test(ch)) || ((prev === ':' || prev === '：') && ch !== ' ');
    out += boundary ? ` ${ch}` : ch;
    prev = ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** The words of a prepared text (split on spaces). */
export function wordsOf(s: string): string[] {
  return s === '' ? [] : s.split(' ');
}

/** A phrase compared word by word by matchKey (so أ/ا, ة/ه, case and punctuation do not matter). */
function phraseKeys(phrase: string): string[] {
  return phrase.split(' ').map(matchKey).filter(Boolean);
}

/** True when the words' keys (from index `at`) begin with the phrase's keys. */
function startsWithPhrase(wordKeys: string[], at: number, keys: string[]): boolean {
  if (keys.length === 0 || at + keys.length > wordKeys.length) return false;
  return keys.every((k, i) => wordKeys[at + i] === k);
}

/**
 * Drops leading phrases (longest first, repeatedly: "انا اسمي هو" → both) and trailing ones
 * from a text's words, compared by matchKey; returns the words left with their original
 * spelling. When nothing would be left, returns the words unchanged.
 */
export function stripPhrases(words: string[], leading: readonly string[], trailing: readonly string[] = []): { words: string[]; strippedLead: string[] } {
  return stripKeyedPhrases(words, phraseList(leading), phraseList(trailing));
}

/** Phrases as word keys, longest first: the form stripPhrases compares. */
function phraseList(phrases: readonly string[]): string[][] {
  return phrases.map(phraseKeys).sort((a, b) => b.length - a.length);
}

/** stripPhrases with the phrases already keyed by phraseList (the lead-in lists are keyed once, at load). */
function stripKeyedPhrases(words: string[], lead: readonly string[][], trail: readonly string[][]): { words: string[]; strippedLead: string[] } {
  const wordKeys = words.map(matchKey);
  let start = 0;
  let end = words.length;
  const strippedLead: string[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const keys of lead) {
      if (start + keys.length < end && startsWithPhrase(wordKeys, start, keys)) {
        strippedLead.push(keys.join(' '));
        start += keys.length;
        changed = true;
        break;
      }
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const keys of trail) {
      if (end - keys.length > start && startsWithPhrase(wordKeys, end - keys.length, keys)) {
        end -= keys.length;
        changed = true;
        break;
      }
    }
  }
  return { words: words.slice(start, end), strippedLead };
}

/** Courtesy words people add after an answer; never part of a name or a city. */
const COURTESY = ['شكرا', 'شكراً', 'شكرًا', 'مشكور', 'مشكورين', 'الله يعافيك', 'الله يعطيك العافيه', 'يعطيك العافيه', 'thanks', 'thank you', 'thx', 'please', 'فضلا', 'لو سمحت'];

const NAME_LEAD = [
  'اسمي', 'انا اسمي', 'اسمي هو', 'اسمي الكامل', 'اسمي الكامل هو', 'اسمي الثلاثي', 'اسمي الرباعي',
  'الاسم', 'الاسم الكامل', 'الاسم الثلاثي', 'الاسم الرباعي', 'انا', 'معك', 'معاك', 'هذا اسمي', 'اسمه', 'اسمها', 'اسم الحاج', 'اسم المستفيد',
  'my name is', "my name's", 'my full name is', 'name', 'full name', 'i am', "i'm", 'im', 'this is',
  // Arabizi ("ana" alone is left: it is also a given name)
  'ismi', 'esmi', 'ismy', 'esmy', 'ana ismi', 'ana esmi', 'ana ismy', 'ana esmy',
];

const NAME_LEAD_KEYS = phraseList(NAME_LEAD);
const COURTESY_KEYS = phraseList(COURTESY);

/**
 * The name inside an answer to "what is your name?": lead-ins ("اسمي", "انا اسمي", "الاسم:",
 * "my name is", "I am", "انا") and trailing courtesy words ("شكرا", "thanks") dropped, emoji and
 * edge punctuation removed. Returns the text unchanged (prepared) when only a lead-in was written.
 */
export function extractName(raw: string): string {
  const words = wordsOf(prepare(raw)).map((w) => (w.endsWith(':') ? w.slice(0, -1) : w)).filter((w) => w !== '');
  const { words: left } = stripKeyedPhrases(words, NAME_LEAD_KEYS, COURTESY_KEYS);
  return trimEdges(left.join(' '));
}

const CITY_LEAD = [
  'انا ساكن في', 'انا ساكنه في', 'ساكن في', 'ساكنه في', 'ساكنين في', 'احنا ساكنين في', 'نحن ساكنون في',
  'انا اسكن في', 'اسكن في', 'نسكن في', 'احنا نسكن في', 'اقيم في', 'مقيم في', 'مقيمه في', 'انا مقيم في',
  'انا ساكن', 'انا ساكنه', 'ساكن', 'ساكنه', 'ساكنين', 'اسكن', 'نسكن', 'انا اسكن', 'احنا في', 'نحن في', 'انا في', 'انا من', 'احنا من', 'نحن من',
  'من', 'في', 'مدينتي', 'مدينتي هي', 'المدينه هي', 'حاليا', 'حاليا في',
  'i live in', 'we live in', 'i am living in', "i'm living in", 'im living in', 'living in', 'i am in', "i'm in", 'im in', 'we are in',
  'i am from', "i'm from", 'im from', 'we are from', 'from', 'in', 'my city is', 'city', 'the city of',
  // Arabizi
  'sakin fi', 'saken fi', 'sakna fi', 'asken fi', 'askun fi', 'askon fi', 'ana fi', 'ana min', 'ana men', 'min', 'men', 'fi',
];
const CITY_LEAD_KEYS = phraseList(CITY_LEAD);
const LIVING_VERBS = new Set(['ساكن', 'ساكنه', 'ساكنين', 'اسكن', 'نسكن', 'مقيم', 'مقيمه', 'اقيم'].map(matchKey));

/** Saudi cities and towns (matchKey) used only to decide whether a leading ب is a preposition ("بجدة") or part of the name ("بريدة"). */
const KNOWN_CITIES = new Set(
  [
    'الرياض', 'جدة', 'مكة', 'مكة المكرمة', 'المدينة', 'المدينة المنورة', 'الدمام', 'الخبر', 'الظهران', 'الطائف', 'تبوك', 'بريدة', 'عنيزة',
    'حائل', 'أبها', 'خميس مشيط', 'جازان', 'جيزان', 'نجران', 'الباحة', 'الجوف', 'سكاكا', 'عرعر', 'القريات', 'ينبع', 'الأحساء', 'الهفوف',
    'المبرز', 'القطيف', 'الجبيل', 'حفر الباطن', 'الخرج', 'بيشة', 'بقيق', 'بدر', 'بلجرشي', 'بارق', 'رابغ', 'القنفذة', 'الليث', 'صبيا', 'أبو عريش',
    'شرورة', 'الدوادمي', 'المجمعة', 'الزلفي', 'شقراء', 'وادي الدواسر', 'العلا', 'الرس', 'البكيرية', 'الوجه', 'ضباء', 'أملج', 'تيماء',
    'رفحاء', 'طريف', 'الخفجي', 'النعيرية', 'محايل', 'صامطة', 'رنية', 'تربة', 'الخرمة', 'سيهات', 'صفوى', 'رأس تنورة', 'الدرعية', 'حوطة بني تميم',
    'بحرة', 'بلسمر', 'بني مالك', 'بيش', 'بقعاء', 'البدائع',
    // Cities abroad that begin with ب, where pilgrims come from.
    'بغداد', 'بيروت', 'بيشاور', 'باكو', 'بورسعيد', 'بنها', 'بني سويف', 'بنغازي', 'برلين', 'باريس', 'بانكوك', 'بومباي', 'بنغالور', 'باندونغ', 'بيت لحم', 'بخارى',
  ].map(matchKey),
);

/**
 * After a verb of living ("اسكن بجدة"), a ب glued to the first word is the preposition and is
 * dropped ("بجدة" → "جدة", "بكراتشي" → "كراتشي"), unless the word as written is a city that
 * begins with ب ("اسكن بريدة" keeps بريدة).
 */
function dropGluedBa(words: string[]): string[] {
  const [first, ...rest] = words;
  if (!first || !/^ب/.test(first) || Array.from(first).length < 3) return words;
  if (KNOWN_CITIES.has(matchKey(words.join(' '))) || KNOWN_CITIES.has(matchKey(first))) return words;
  return [first.slice(1), ...rest];
}

/**
 * The city inside an answer to "which city do you live in?": "ساكن في الرياض", "اسكن بجدة",
 * "من الدمام", "I live in Riyadh" → the city; emoji, edge punctuation and courtesy words dropped.
 */
export function extractCity(raw: string): string {
  const words = wordsOf(prepare(raw)).map((w) => (w.endsWith(':') ? w.slice(0, -1) : w)).filter((w) => w !== '');
  const { words: left, strippedLead } = stripKeyedPhrases(words, CITY_LEAD_KEYS, COURTESY_KEYS);
  const lastLead = strippedLead.at(-1)?.split(' ').at(-1);
  const city = lastLead !== undefined && LIVING_VERBS.has(lastLead) ? dropGluedBa(left) : left;
  return trimEdges(city.join(' '));
}
