/**
 * Menu actions asked for in words ("ابي اقدم طلب", "ودي اعطيكم تقييم", "I want to give
 * feedback", "abi atatawa3"), for menus whose labels and keywords do not catch them. The
 * actions are the flow schema's fixed list; a flow without the action simply has none.
 * A question about an action ("كيف اقدم طلب؟") is not a request for it: the FAQ answers.
 */
import { messageKey, tag } from './tokens.ts';
import { arabicStems } from './tokens.ts';

export type MenuActionWord = 'apply' | 'volunteer' | 'survey' | 'faq';

const WORDS: Record<MenuActionWord, string[]> = {
  apply: ['اقدم', 'اقدم طلب', 'تقديم طلب', 'تقديم', 'قدم طلب', 'اسجل طلب', 'طلب جديد', 'طلب مساعده', 'طلب دعم', 'اطلب دعم', 'اطلب مساعده', 'apply', 'application', 'new request', 'submit a request', 'aqadem', 'a8adem', 'agadem', 'aqdm', 'da3m', 'دعم'],
  volunteer: ['اتطوع', 'تطوع', 'التطوع', 'متطوع', 'متطوعه', 'كمتطوع', 'كمتطوعه', 'volunteer', 'volunteering', 'atatawa3', 'tatawo3', 'tatawa3', 'atawa3', 'atawwa3', 'tatawu3'],
  survey: ['اقيم', 'تقييم', 'اعطيكم تقييم', 'استبيان', 'رايي', 'feedback', 'rate', 'rating', 'survey', 'evaluate', 'aqayem', 'a8ayem', 'taqyeem', 'ta8yeem'],
  faq: ['استفسار', 'سوال', 'اسال', 'الاسئله', 'اسئله', 'question', 'questions', 'faq', 'inquiry', 'enquiry', 'as2ela', 'so2al', 'es2al'],
};

const BY_KEY = new Map<string, MenuActionWord>();
for (const [action, forms] of Object.entries(WORDS) as [MenuActionWord, string[]][]) for (const f of forms) BY_KEY.set(messageKey(f), action);

/** Tokens that may stand beside an action word: wanting, politeness, "I have". */
const REQUEST_WORDS = new Set(['WANT', 'CAN', 'FILLER', 'WITH', 'ME', 'I', 'YOU', 'SHOW', 'REQUEST', 'MY_NUMBER']);
const HAVE = new Set(['عندي', 'لدي', 'have', 'i have', 'got', 'give', 'اعطيكم', 'اعطي', 'اسوي', 'اعمل', 'ابدا', 'the', 'an', 'al', 'el', 'اسجل', 'register', 'sign', 'up', 'become', 'be', 'khedma', 'الخدمه', 'service', 'التسجيل', 'بالتسجيل', 'تسجيل', 'للخدمه', 'كم']);

/** The menu action a short request names, or undefined. */
export function menuActionWord(text: string): MenuActionWord | undefined {
  try {
    if (/[?؟]/.test(text)) return undefined;
    const key = messageKey(text);
    const whole = BY_KEY.get(key);
    if (whole) return whole;
    const toks = tag(text);
    if (toks.length === 0 || toks.length > 6) return undefined;
    if (toks.some((t) => t.concepts.has('QWORD') || t.concepts.has('NEG'))) return undefined;
    let found: MenuActionWord | undefined;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      const pair = i + 1 < toks.length ? BY_KEY.get(`${t.key} ${toks[i + 1]!.key}`) : undefined;
      const own = pair ?? BY_KEY.get(t.key) ?? arabicStems(t.key).map((s) => BY_KEY.get(s)).find(Boolean) ?? BY_KEY.get(t.key.replace(/^(?:al|el)/, ''));
      if (own) {
        if (found && found !== own) return undefined;
        found = own;
        if (pair) i++;
        continue;
      }
      if (HAVE.has(t.key) || [...t.concepts].some((c) => REQUEST_WORDS.has(c))) continue;
      if (t.concepts.size === 0) return undefined;
    }
    return found;
  } catch {
    return undefined;
  }
}
