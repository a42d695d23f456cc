/**
 * The reserved command words (a flow's option may not be one; the understanding layer in
 * src/understand reads them and every other wording) and the skip words of optional questions,
 * compared after normalisation (matchKey) as the whole message.
 */
import { matchKey } from '../text/normalize.ts';

export type GlobalWord = 'menu' | 'status' | 'agent' | 'english' | 'arabic' | 'language' | 'stop' | 'start';

const GLOBAL_WORDS: Record<GlobalWord, string[]> = {
  menu: ['قائمة', 'القائمة', 'القائمة الرئيسية', 'الرئيسية', 'رجوع', 'إلغاء', 'menu', 'main menu', 'back', 'cancel'],
  status: ['حالة', 'الحالة', 'حالة الطلب', 'حالة طلبي', 'متابعة الطلب', 'status', 'request status', 'my request'],
  agent: [
    'موظف',
    'إنسان',
    'مسؤول',
    'مسئول',
    'مسؤول البحث',
    'مسؤول البحث الاجتماعي',
    'الباحث الاجتماعي',
    'أريد موظف',
    'كلمني موظف',
    'agent',
    'human',
    'officer',
    'person',
    'staff',
    'talk to a person',
  ],
  english: ['English', 'إنجليزي', 'انجليزي', 'الإنجليزية', 'انقلش', 'in english'],
  arabic: ['عربي', 'العربية', 'عربى', 'Arabic', 'in arabic'],
  language: ['لغة', 'اللغة', 'language', 'lang'],
  stop: ['stop', 'إيقاف', 'توقف', 'أوقف', 'unsubscribe', 'إلغاء الاشتراك', 'stopall', 'end', 'quit'],
  start: ['start', 'ابدأ', 'تفعيل', 'unstop', 'resume', 'استئناف'],
};

const BY_KEY = new Map<string, GlobalWord>();
for (const [word, forms] of Object.entries(GLOBAL_WORDS) as [GlobalWord, string[]][]) {
  for (const form of forms) BY_KEY.set(matchKey(form), word);
}

/** Every reserved key, for flow checks (a choice option may not be a global word). */
export const GLOBAL_WORD_KEYS: ReadonlySet<string> = new Set(BY_KEY.keys());

/**
 * The forms that stay commands even where the beneficiary is typing free text (a name, a
 * field of study, details): a bare "end", "back", "cancel", "English", "person" or "staff"
 * there is an answer, not a command. Carriers require a bare "stop" / "إيقاف" to opt out
 * everywhere, so it stays.
 */
const UNAMBIGUOUS: Partial<Record<GlobalWord, string[]>> = {
  menu: ['قائمة', 'القائمة', 'القائمة الرئيسية', 'menu', 'main menu'],
  status: ['حالة', 'الحالة', 'حالة الطلب', 'حالة طلبي', 'status', 'request status'],
  agent: ['موظف', 'أريد موظف', 'كلمني موظف', 'مسؤول البحث', 'مسؤول البحث الاجتماعي', 'agent', 'talk to a person'],
  stop: ['stop', 'stopall', 'unsubscribe', 'إيقاف', 'إلغاء الاشتراك'],
};

/** Opt-out words too vague to silence a beneficiary who is in the middle of a form. */
const SOFT_STOP: ReadonlySet<string> = new Set(['end', 'quit'].map(matchKey));

const UNAMBIGUOUS_BY_KEY = new Map<string, GlobalWord>();
for (const [word, forms] of Object.entries(UNAMBIGUOUS) as [GlobalWord, string[]][]) {
  for (const form of forms) UNAMBIGUOUS_BY_KEY.set(matchKey(form), word);
}

/**
 * Where the message arrives: 'anywhere' (menu, review, waiting…), 'form' (a form question
 * whose answer is not free text: a choice, number, date, ID, phone or file), 'free_text'
 * (a question answered in the beneficiary's own words).
 */
export type WordPlace = 'anywhere' | 'form' | 'free_text';

/**
 * The global word a whole message is, if any, at that place: anywhere, every word; at a form
 * question, every word but the vague opt-outs ("end", "quit"); at a free-text question, only
 * the unambiguous commands (menu, status, agent, stop) — no language switch, no "back".
 */
export function globalWord(text: string, place: WordPlace = 'anywhere'): GlobalWord | undefined {
  const key = matchKey(text);
  if (place === 'free_text') return UNAMBIGUOUS_BY_KEY.get(key);
  if (place === 'form' && SOFT_STOP.has(key)) return undefined;
  return BY_KEY.get(key);
}

function keySet(forms: string[]): ReadonlySet<string> {
  return new Set(forms.map(matchKey));
}

// At an optional question a bare "no" or "nothing to add" is the skip, in the words people use.
const SKIP = keySet([
  'تخطي', 'تخطى', 'تجاوز', 'لا يوجد', 'لايوجد', 'لا توجد', 'لا شيء', 'لا شي', 'ولا شي', 'لا', 'لا شكرا', 'لا والله', 'لا ما عندي',
  'ما عندي', 'ماعندي', 'ما عندي شي', 'ما عندي شيء', 'ما عندي ملاحظات', 'مافي', 'ما في', 'ما فيه', 'مافيه', 'لا يوجد ملاحظات', 'بدون',
  'skip', 'none', 'nothing', 'nothing else', 'no notes', 'no', 'nope', 'no thanks', 'no thank you', 'nil', 'n/a', 'na', '-',
]);
export const isSkipWord = (text: string) => SKIP.has(matchKey(text));
