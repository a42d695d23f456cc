/**
 * The understanding layer: what a beneficiary's message means at the step it arrives at.
 *
 *   understand(text, place) → an intent, a clarifying question between two readings, or none
 *
 * Pure and total (never throws). Readings come from slot rules over a lexicon (rules.ts,
 * lexicon.ts); the place decides how sure a reading must be to fire: at a free-text question
 * only clear requests do ("ابي اكلم موظف", a bare "stop"), a name like "عبدالله موظف" never does.
 */
import { analyse, PRIORITY, RULES } from './rules.ts';
import { messageKey, tag } from './tokens.ts';
import type { Intent, Place, Reading, Understanding } from './types.ts';

export type { Intent, Place, Reading, Understanding } from './types.ts';
export { INTENTS } from './types.ts';

/** Longer messages than this are stories, not commands; only their first part is read. */
const MAX_CHARS = 600;

/** Every reading the rules give, highest priority first (for tests and debugging). */
export function readIntents(text: string): Reading[] {
  try {
    const m = analyse(String(text ?? '').slice(0, MAX_CHARS));
    const out: Reading[] = [];
    for (const [, rule] of RULES) {
      const r = rule(m);
      if (r && !out.some((o) => o.intent === r.intent)) out.push({ ...r, lang: m.lang });
    }
    return out.sort((a, b) => PRIORITY.indexOf(a.intent) - PRIORITY.indexOf(b.intent));
  } catch {
    return [];
  }
}

/** Intents that only mean something at some places. */
const ONLY_AT: Partial<Record<Intent, readonly Place[]>> = {
  yes: ['review', 'offer'],
  no: ['review', 'offer'],
  correct: ['review'],
};

function allowed(intent: Intent, place: Place): boolean {
  if (place === 'opted_out') return intent === 'start';
  const at = ONLY_AT[intent];
  return !at || at.includes(place);
}

/** How sure a reading must be at a place to fire. */
function sureEnough(r: Reading, place: Place): boolean {
  if (r.sure === 'clear') return true;
  if (place === 'free_text') return false;
  // Opting out in the middle of a form needs a clear request ("end" there is an answer).
  if ((place === 'form_value' || place === 'rating') && r.intent === 'stop') return false;
  // While waiting for staff, only a clear request for a person is answered ("is anyone there?" is for staff).
  if (place === 'waiting' && r.intent === 'agent') return false;
  return true;
}

/** What the message means at this place. */
export function understand(text: string, place: Place): Understanding {
  const readings = readIntents(text);
  if (readings.length === 0) return { kind: 'none', reason: `none: no intent reading at ${place}` };
  // Once opted out, "رجعوني" / "ابي ارجع" ask to come back: a start.
  const read = place === 'opted_out' ? readings.map((r) => (r.intent === 'menu' && !r.alt ? { ...r, intent: 'start' as Intent, reason: `start: opted out, ${r.reason}` } : r)) : readings;
  const fit = read.filter((r) => allowed(r.intent, place) && (!r.at || r.at.includes(place)));
  const firing = fit.filter((r) => sureEnough(r, place));
  if (firing.length === 0) {
    const top = fit[0] ?? read[0]!;
    const why = fit.length === 0 ? `'${top.intent}' does not apply at ${place}` : `'${top.intent}' not clear enough at ${place}`;
    return { kind: 'none', reason: `none: ${why} (${top.reason})` };
  }
  // A clear reading beats a likely one of higher priority ("السلام عليكم" likely-agent? no: clear first).
  const clear = firing.filter((r) => r.sure === 'clear');
  const win = (clear[0] ?? firing[0])!;
  if (win.alt && win.alt !== win.intent && allowed(win.alt, place) && place !== 'free_text') {
    return { kind: 'clarify', options: [win.intent, win.alt], reason: `clarify: ${win.reason}` };
  }
  const out: Understanding = { kind: 'intent', intent: win.intent, reason: win.reason };
  if (win.target) out.target = win.target;
  return out;
}

const QUESTION_START = new Set(
  [
    'وشلون', 'وش', 'ايش', 'شنو', 'شو', 'اش', 'ويش', 'كيف', 'متى', 'هل', 'ليش', 'لماذا', 'كم', 'وين', 'اين', 'ماذا', 'ماهي', 'ماهو', 'مين', 'ممكن', 'يمكن', 'اقدر', 'ينفع', 'يصير', 'عندكم', 'شلون', 'لمن',
    'what', 'whats', 'how', 'when', 'where', 'why', 'who', 'which', 'can', 'could', 'do', 'does', 'did', 'is', 'are', 'will', 'should', 'may', 'am', 'would', 'hows',
    'wesh', 'esh', 'shno', 'kaif', 'mata', 'wain', 'laish', 'kam', 'hal',
  ].map(messageKey),
);

/** Verbs of asking ("ابي اسأل وش …", "I want to ask how …"). */
const ASK = new Set(['اسال', 'اسالكم', 'استفسر', 'نسال', 'ask', 'asking', 'wondering', 'wonder', 'inquire', 'enquire', 'as2al', 'es2al'].map(messageKey));

/** A question rather than an answer: ends with ? / ؟, or opens with a question word and goes on. */
export function looksLikeQuestion(text: string): boolean {
  try {
    const t = String(text ?? '').trim();
    if (/[?؟]\s*$/.test(t) && /[\p{L}\p{N}]/u.test(t)) return true;
    const toks = tag(t.slice(0, MAX_CHARS));
    if (toks.length < 2) return false;
    const firstKey = toks[0]!.key === 'و' && toks[1] ? toks[1].key : toks[0]!.key;
    if (QUESTION_START.has(firstKey) && !['هلا'].includes(firstKey) && toks.length >= 2) return true;
    // "لو انقبل طلبي وش الخطوة؟", "if I am accepted, what happens": a condition, then what follows it.
    if (['لو', 'اذا', 'if', 'once'].includes(firstKey) && toks.slice(2).some((t) => QUESTION_START.has(t.key))) return true;
    // A story that ends asking ("… ابي اسأل وش الاوراق اللي احتاجها", "I want ask what documents
    // are needed", "ودي اعرف متى …"): a verb of asking or knowing, then a question word and more.
    const iAsk = toks.findIndex((t, i) => ASK.has(t.key) || (t.concepts.has('FOLLOW') && i > 0 && toks[i - 1]!.concepts.has('WANT')));
    if (iAsk < 0) return false;
    const iq = toks.findIndex((t, i) => i > iAsk && i <= iAsk + 3 && QUESTION_START.has(t.key));
    return iq > 0 && toks.length - iq >= 2;
  } catch {
    return false;
  }
}

/**
 * The question a longer message ends with ("السلام عليكم انا ام محمد … ابي اسأل وش الاوراق
 * اللي احتاجها" → "وش الاوراق اللي احتاجها"), for the FAQ; the whole text when it asks
 * nothing after a verb of asking or knowing.
 */
export function questionPart(text: string): string {
  try {
    const t = String(text ?? '');
    const toks = tag(t.slice(0, MAX_CHARS));
    const iAsk = toks.findIndex((x, i) => ASK.has(x.key) || (x.concepts.has('FOLLOW') && i > 0 && toks[i - 1]!.concepts.has('WANT')));
    if (iAsk < 0) return t;
    const iq = toks.findIndex((x, i) => i > iAsk && i <= iAsk + 3 && QUESTION_START.has(x.key));
    if (iq < 0 || toks.length - iq < 2) return t;
    return toks.slice(iq).map((x) => x.key).join(' ');
  } catch {
    return String(text ?? '');
  }
}

/**
 * The message without a greeting in front ("السلام عليكم، اسمي محمد" → "اسمي محمد",
 * "Hi my full name is Omar" → "my full name is Omar"), for the answer to a question; the
 * whole message when it is only a greeting or starts otherwise. "هلا" and "سلام" are names too
 * and stay.
 */
export function withoutGreeting(text: string): string {
  const t = String(text ?? '');
  const m = GREETING_PREFIX.exec(t);
  if (!m) return t;
  const rest = t.slice(m[0].length).trim();
  return rest && /[\p{L}\p{N}]/u.test(rest) ? rest : t;
}

const GREETING_PREFIX =
  /^\s*(?:(?:ال)?سلام عليكم(?:\s+و\s?رحمة?ه? الله(?:\s+وبركاته)?)?|وعليكم السلام(?:\s+و\s?رحمة?ه? الله(?:\s+وبركاته)?)?|مرحب[اًا]+|صباح الخير|مساء الخير|hi+|hello+|hey+|good (?:morning|afternoon|evening)|salam(?:u)? ?alaikum|assalamu? ?alaikum)(?:\s+(?:there|all|everyone|team))?\s*[,،.!]*\s+/iu;

