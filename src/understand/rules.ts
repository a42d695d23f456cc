/**
 * The intent rules: each reads the tagged tokens of one message and may give a reading
 * (intent, how sure, why). Rules are slot patterns — VERB_WANT + VERB_TALK + PERSON_NOUN —
 * with negation, and "bare" readings when the message is nothing but the command word.
 */
import type { Concept } from './lexicon.ts';
import { messageKey, tag, type Token } from './tokens.ts';
import type { Intent, Reading } from './types.ts';

/** Tokens that never make a message "more than a command": politeness, prepositions, me/you. */
const FILLERISH: ReadonlySet<Concept> = new Set<Concept>(['FILLER', 'WITH', 'ME', 'I', 'YOU']);

export interface Msg {
  text: string;
  key: string;
  toks: Token[];
  /** Tokens that carry meaning (not politeness or prepositions). */
  core: Token[];
  /** Core tokens the lexicon does not know (names, numbers, the rest of a sentence). */
  unknown: number;
  lang: 'ar' | 'en';
}

/**
 * Concepts that make the bot act on the beneficiary's behalf (opt out, cancel, remove): a word
 * only guessed to be one of them by the fuzzy matcher ("mother" for "bother", "القى" for
 * "الغي") does not carry them; a misspelling of these words is rare, a false opt-out is harmful.
 */
const ACTING: readonly Concept[] = ['STOP_V', 'CANCEL', 'SEND', 'MSG', 'UNSUB', 'REMOVE'];

function firm(t: Token): Token {
  // Arabizi spellings vary too much to be left out ("tirsil"); English keeps its first letter (tokens.ts).
  if (t.how !== 'fuzzy' || t.norm || t.script !== 'ar' || !ACTING.some((c) => t.concepts.has(c))) return t;
  const concepts = new Set([...t.concepts].filter((c) => !ACTING.includes(c)));
  return { ...t, concepts, how: concepts.size > 0 ? t.how : 'unknown' };
}

export function analyse(text: string): Msg {
  const toks = tag(text).map(firm);
  const core = toks.filter((t) => t.concepts.size === 0 || [...t.concepts].some((c) => !FILLERISH.has(c)));
  const unknown = core.filter((t) => t.concepts.size === 0).length;
  const ar = toks.filter((t) => t.script === 'ar').length;
  const lat = toks.filter((t) => t.script === 'lat').length;
  return { text, key: messageKey(text), toks, core, unknown, lang: ar >= lat && ar > 0 ? 'ar' : 'en' };
}

const has = (t: Token, ...cs: Concept[]) => cs.some((c) => t.concepts.has(c));
const any = (m: Msg, ...cs: Concept[]) => m.toks.some((t) => has(t, ...cs));
const first = (m: Msg, ...cs: Concept[]) => m.toks.findIndex((t) => has(t, ...cs));
/** Every core token has one of these concepts. */
const only = (m: Msg, ...cs: Concept[]) => m.core.length > 0 && m.core.every((t) => has(t, ...cs));
const keys = (...forms: string[]) => new Set(forms.map((f) => messageKey(f)));
/** The core tokens without politeness, as one key ("stop please" → "stop"). */
const coreKey = (m: Msg) => m.core.map((t) => t.norm ?? t.key).join(' ');

function found(m: Msg, cs: Concept[]): string {
  const t = m.toks.find((x) => has(x, ...cs));
  return t ? `'${t.key}'` : '';
}

const NEGATIONS = keys('nobody', 'noone', 'do not', 'does not', 'did not', 'will not', 'can not', 'ما', 'وما', 'مو', 'مب', 'مش', 'عدم', 'بدون', 'لم', 'ولم', 'لن', 'ليس', 'لست', 'not', 'dont', 'never', 'cant', 'doesnt', 'didnt', 'wont', 'cannot', 'ma', 'mo', 'mu', 'mob', 'mub', 'mesh', 'mish');

/** A negation (ما، مو، مب، مش، عدم، لم، not, don't) within two tokens before token `i`. */
function negatedAt(m: Msg, i: number, withLa = false): Token | undefined {
  // Back over fillers ("لا ما في شي اعدله") and other verbs ("ما ابي اكلم"), not over other words
  // ("وما زبط معي ابي موظف" is not negated).
  let seen = 0;
  for (let j = i - 1; j >= 0 && seen < 3; j--) {
    const t = m.toks[j]!;
    if (NEGATIONS.has(t.key)) return t;
    if (withLa && has(t, 'LA')) return t;
    const filler = t.concepts.size > 0 && [...t.concepts].every((c) => FILLERISH.has(c));
    if (filler) continue;
    if (!has(t, 'WANT', 'CAN', 'TALK', 'EDIT', 'SHOW')) return undefined;
    seen++;
  }
  return undefined;
}

/** The first token with one of `cs` is negated. */
function negatedBefore(m: Msg, cs: Concept[]): boolean {
  const i = first(m, ...cs);
  return i >= 0 && negatedAt(m, i) !== undefined;
}

/** "قدمت طلب", "I submitted a request": the request is the writer's own. */
const MY_VERBS = keys('قدمت', 'رفعت', 'سجلت', 'ارسلت', 'قدمنا', 'رفعنا', 'submitted', 'sent', 'made', 'filed', 'applied');

/** Is token i a request of the beneficiary's own ("طلبي", "my request", "الطلب حقي")? */
function mine(m: Msg, i: number): boolean {
  const t = m.toks[i]!;
  if (has(t, 'REQUEST_MINE')) return true;
  const prev = m.toks[i - 1]?.key;
  const next = m.toks[i + 1]?.key;
  const prev2 = m.toks[i - 2]?.key;
  const mineBefore = (k?: string) => k === 'my' || k === 'our' || MY_VERBS.has(k ?? '');
  // "الطلب حق امي", "الطلب تبع ابوي": someone's own request; "طلب سابق": one already made.
  const owner = (next === 'حق' || next === 'تبع') && m.toks[i + 2] !== undefined;
  return mineBefore(prev) || mineBefore(prev2) || next === 'حقي' || next === 'تبعي' || next === 'حقنا' || next === 'حقتي' || owner || EARLIER.has(next ?? '');
}
/** "قدمت من اسبوعين …", "I applied last week": the writer's request, named by the verb alone. */
const APPLIED = keys('قدمت', 'قدمنا', 'وقدمت', 'رفعت', 'سجلت', 'applied', 'submitted');
const EARLIER = keys('سابق', 'السابق', 'قديم', 'القديم', 'previous', 'earlier', 'old');
// "قدمت عندكم/من اسبوعين" names the request; "قدمت استقالتي" applied for something else.
const appliedHere = (m: Msg, i: number) => {
  const next = m.toks[i + 1];
  return m.toks[i]!.script === 'lat' || !next || next.script === 'num' || [...next.concepts].some((c) => FILLERISH.has(c) || c === 'REQUEST' || c === 'STATUS_WEAK' || c === 'NEG');
};
const anyMine = (m: Msg) => m.toks.some((t, i) => (has(t, 'REQUEST', 'REQUEST_MINE') && mine(m, i)) || (APPLIED.has(t.key) && appliedHere(m, i)));
/** Words of replying, for "no one replied" ("ما ردوا علي", "ولا احد رد", "mafi rad", "no reply yet"). */
const REPLY = keys('رد', 'ردوا', 'ردو', 'يرد', 'يردون', 'ردكم', 'جاني', 'جانا', 'وصلني', 'تواصل', 'اتصل', 'rad', 'radd', 'reply', 'replied', 'response', 'answered', 'heard', 'called');

/** "لا" (or "no") as the first word, followed by more. */
const leadingNo = (m: Msg) => m.toks.length > 1 && (has(m.toks[0]!, 'LA') || m.toks[0]!.key === 'no');

type Rule = (m: Msg) => Reading | undefined;
const R = (intent: Intent, sure: Reading['sure'], reason: string, extra: Partial<Reading> = {}): Reading => ({ intent, sure, reason, ...extra });

// ── stop / start ──────────────────────────────────────────────────────────

const STOP_BARE = keys('stop', 'stopall', 'stop all', 'unsubscribe', 'ايقاف', 'إيقاف', 'توقف', 'اوقف', 'أوقف', 'الغاء الاشتراك', 'إلغاء الاشتراك', 'optout', 'opt out', 'unsub', 'وقف', 'وقفوا', 'stop it', 'stop now', 'اوقفوا', 'توقفوا', 'ستوب', 'ستop');
const STOP_NOUNS = keys('وقف', 'توقف');
const STOP_SOFT = keys('end', 'quit', 'enough', 'كفايه', 'بس خلاص', 'halt', 'cease', 'block', 'block me', 'بلوك');

const stop: Rule = (m) => {
  const ck = coreKey(m);
  // "وقف" (an endowment) and "توقف" (a pause) are nouns too: alone at a free-text question they are the answer.
  if (STOP_NOUNS.has(m.key) || STOP_NOUNS.has(ck)) return R('stop', 'clear', `stop: bare opt-out word '${ck || m.key}' (a noun too)`, { at: ['menu', 'form_value', 'review', 'offer', 'rating', 'waiting'] });
  if (STOP_BARE.has(m.key) || STOP_BARE.has(ck)) return R('stop', 'clear', `stop: bare opt-out word '${ck || m.key}'`);
  if (STOP_SOFT.has(m.key) || STOP_SOFT.has(ck)) return R('stop', 'likely', `stop: vague opt-out word '${ck}'`);
  const question = /[?؟]\s*$/.test(m.text) || (first(m, 'QWORD') >= 0 && first(m, 'QWORD') < Math.max(first(m, 'NEG', 'LA'), 0));
  if (any(m, 'UNSUB')) return R('stop', 'clear', `stop: unsubscribe ${found(m, ['UNSUB'])}`);
  if (any(m, 'CANCEL', 'STOP_V') && any(m, 'SUBSCRIPTION') && !negatedBefore(m, ['CANCEL', 'STOP_V'])) {
    return R('stop', 'clear', `stop: ${found(m, ['CANCEL', 'STOP_V'])} + subscription ${found(m, ['SUBSCRIPTION'])}`);
  }
  const iStop = first(m, 'STOP_V');
  if (iStop >= 0 && m.toks.slice(iStop + 1).some((t) => has(t, 'MSG', 'SEND')) && !negatedBefore(m, ['STOP_V'])) {
    // A whole request ("وقفوا الرسائل", "please stop sending me messages") is clear; a sentence
    // with more in it ("stop sending the same reminder twice, otherwise good", "كان المفروض
    // توقفون الرسائل المكررة") is a comment about the messages, so only likely: it does not
    // opt out at a free-text or survey question.
    return R('stop', question || m.unknown >= 2 ? 'likely' : 'clear', `stop: stop verb '${m.toks[iStop]!.key}' + messages ${found(m, ['MSG', 'SEND'])}`);
  }
  // لا تراسلوني، لا ترسلون لي، don't message me, do not text me
  const iSend = first(m, 'SEND');
  if (iSend > 0) {
    const before = m.toks.slice(Math.max(0, iSend - 3), iSend);
    const neg = before.find((t) => has(t, 'LA', 'NEG') && !has(t, 'QWORD'));
    const wants = before.some((t) => has(t, 'WANT'));
    if (neg && !question && (!wants || has(neg, 'NEG'))) return R('stop', 'clear', `stop: negation '${neg.key}' + '${m.toks[iSend]!.key}'`);
  }
  // ما ابي رسائل، I don't want messages
  if (negatedBefore(m, ['WANT']) && any(m, 'MSG', 'SEND') && !question) return R('stop', 'clear', `stop: negated want + messages ${found(m, ['MSG', 'SEND'])}`);
  // احذفوني، امسحوني من القائمة، remove me: a removal aimed at the writer, alone (or "from the list").
  const iRemove = first(m, 'REMOVE');
  if (iRemove >= 0 && (/(?:ني|وني|نا)$/.test(m.toks[iRemove]!.key) || m.toks[iRemove + 1]?.key === 'me') && m.core.every((t) => has(t, 'REMOVE', 'MENU_N', 'SUBSCRIPTION', 'MSG', 'MY_NUMBER'))) {
    return R('stop', 'clear', `stop: remove me '${m.toks[iRemove]!.key}'`);
  }
  // احذفوا رقمي، remove me from your list
  // The number is the writer's ("رقمي", "my number"); "احذف الرقم الثاني" edits an answer.
  const myNumber = m.toks.some((t, i) => has(t, 'MY_NUMBER') && (/(?:ي|i)$/.test(t.key) || /^(?:my|our) /.test(t.key) || ['my', 'our'].includes(m.toks[i - 1]?.key ?? '') || ['حقي', 'تبعي'].includes(m.toks[i + 1]?.key ?? '')));
  if (any(m, 'REMOVE') && (myNumber || any(m, 'SUBSCRIPTION', 'MSG') || m.key.includes('list'))) return R('stop', 'clear', `stop: remove ${found(m, ['REMOVE'])} + number/list`);
  if (any(m, 'WANT') && any(m, 'STOP_V', 'CANCEL') && any(m, 'MSG', 'SEND')) return R('stop', 'clear', `stop: want + stop + messages`);
  // لا أريد/لا أرغب (MSA negation), ما ابي + رسائل / استقبال رسائل
  const iWant = first(m, 'WANT');
  if (iWant >= 0 && negatedAt(m, iWant, true) && any(m, 'MSG', 'SEND', 'RECEIVE') && any(m, 'MSG', 'SEND') && !question) {
    return R('stop', 'clear', `stop: '${negatedAt(m, iWant, true)!.key}' + want + messages ${found(m, ['MSG', 'SEND'])}`);
  }
  return undefined;
};

const START_BARE = keys('start', 'unstop', 'resume', 'ابدا', 'ابدأ', 'تفعيل', 'استئناف', 'استيناف', 'subscribe', 'resubscribe', 'restart', 'ستارت', 'بدء');

const start: Rule = (m) => {
  const ck = coreKey(m);
  if (START_BARE.has(m.key) || START_BARE.has(ck)) return R('start', 'clear', `start: bare word '${ck || m.key}'`);
  if (any(m, 'STOP_V', 'CANCEL', 'UNSUB') || negatedBefore(m, ['START_V', 'WANT', 'RECEIVE'])) return undefined;
  if (any(m, 'START_V') && any(m, 'MSG', 'SUBSCRIPTION', 'SEND')) return R('start', 'clear', `start: ${found(m, ['START_V'])} + messages`);
  if (any(m, 'RECEIVE') && any(m, 'MSG', 'SEND')) return R('start', 'clear', `start: receive ${found(m, ['RECEIVE'])} + messages`);
  if (any(m, 'WANT') && any(m, 'SUBSCRIPTION')) return R('start', 'likely', 'start: want + subscription');
  // "اشتراك" alone, once opted out, asks to subscribe again.
  if (only(m, 'SUBSCRIPTION') && m.core.length === 1) return R('start', 'likely', `start: bare subscription word '${ck}'`, { at: ['opted_out'] });
  if (any(m, 'START_V') && !any(m, 'BACK_V') && m.core.length <= 3 && m.unknown === 0) return R('start', 'likely', `start: ${found(m, ['START_V'])}`);
  return undefined;
};

// ── agent ─────────────────────────────────────────────────────────────────

const AGENT_UNAMBIGUOUS = keys('موظف', 'موظفه', 'agent', 'human', 'real person', 'live agent', 'representative', 'الباحث الاجتماعي', 'مسوول البحث الاجتماعي', 'مسوول البحث', 'مسؤول البحث', 'مسؤول البحث الاجتماعي', 'الباحث', 'الباحثه', 'الباحثه الاجتماعيه', 'operator', 'talk to a person', 'اريد موظف', 'أريد موظف', 'كلمني موظف', 'human please', 'mowadhaf', 'mwazaf', 'موظف لو سمحت');

/** Asking a person to get in touch: "كلموني", "اتصلوا علي", "call me". */
const IMPERATIVE = keys('كلموني', 'كلمني', 'اتصلوا', 'اتصلو', 'دقوا', 'دقو', 'حولني', 'حولوني', 'وصلني', 'kalmoni', 'kalmni');
const realWantish = (m: Msg) => any(m, 'WANT', 'SHOW') || any(m, 'CAN');

/** "I am" before a person noun: a self-description ("انا موظف", "im a staff member"). */
const SELF = keys('انا', 'اني', 'وانا', 'im', 'am', 'كوني', 'بصفتي');
const selfBefore = (m: Msg, i: number) => SELF.has(m.toks[i - 1]?.key ?? '') || (['a', 'an'].includes(m.toks[i - 1]?.key ?? '') && SELF.has(m.toks[i - 2]?.key ?? ''));

const REPLY_NOW = keys('رد', 'يرد', 'يرد علي', 'يرد عليه', 'يجاوب', 'رد علي', 'replies', 'replying', 'answers', 'answering', 'responds', 'responding', 'replied', 'answered');

const agent: Rule = (m) => {
  // "وينكم ماحد رد علي", "nobody is answering": no one replies, so someone is wanted (about a
  // request it is the status instead: "ما احد رد على الطلب").
  const iNoOne = m.toks.findIndex((t, i) => t.key === 'ماحد' || t.key === 'محد' || t.key === 'nobody' || (has(t, 'PERSON_WEAK') && i > 0 && (has(m.toks[i - 1]!, 'NEG', 'LA') || NEGATIONS.has(m.toks[i - 1]!.key))));
  const after = m.toks[iNoOne + 1]?.key === 'is' ? iNoOne + 2 : iNoOne + 1;
  if (iNoOne >= 0 && REPLY_NOW.has(m.toks[after]?.key ?? '') && !any(m, 'REQUEST', 'REQUEST_MINE') && !m.toks.some((t) => APPLIED.has(t.key)) && m.core.length <= 5) {
    // "الخدمة سيئة وما احد رد علي" in a survey comment is a complaint: only likely there.
    return R('agent', m.unknown <= 1 ? 'clear' : 'likely', `agent: no one replies ('${m.toks[iNoOne]!.key} ${m.toks[after]!.key}')`);
  }
  const person = any(m, 'PERSON');
  const weak = any(m, 'PERSON_WEAK');
  const want = any(m, 'WANT', 'CAN', 'SHOW');
  const talk = any(m, 'TALK');
  if (!person && !weak && !talk) return undefined;
  // "I don't speak Arabic", "أريد التحدث بالعربية": about a language, not a person.
  if (!person && any(m, 'ENGLISH', 'ARABIC', 'LANG_N')) return undefined;
  // The verbs just before the person decide the negation: "ما ابي اكلم آلة، ابي موظف" asks for one,
  // "I do not want to talk to a human" does not.
  const iPerson = first(m, 'PERSON', 'PERSON_WEAK');
  // "انا موظف واحتاج اعرف …", "I am an employee and need …": the writer says who they are.
  if (iPerson > 0 && selfBefore(m, iPerson) && !m.toks.slice(iPerson + 1).some((t) => has(t, 'PERSON'))) return undefined;
  const verbs: number[] = [];
  for (let i = (iPerson >= 0 ? iPerson : m.toks.length) - 1; i >= 0; i--) {
    const t = m.toks[i]!;
    if (has(t, 'WANT', 'CAN', 'TALK', 'SHOW')) verbs.push(i);
    else if (!(t.concepts.size > 0 && [...t.concepts].every((c) => FILLERISH.has(c)))) break;
  }
  // "لا تتصلون علي": لا before a second-person verb negates it.
  const laBefore = (v: number) => (v > 0 && has(m.toks[v - 1]!, 'LA') && /^[تي]/.test(m.toks[v]!.key) ? m.toks[v - 1] : undefined);
  const allVerbs = verbs.length > 0 ? verbs : m.toks.map((t, i) => (has(t, 'TALK') ? i : -1)).filter((i) => i >= 0);
  const neg = allVerbs.map((v) => negatedAt(m, v) ?? laBefore(v)).find(Boolean) ?? (iPerson >= 0 && verbs.length === 0 ? negatedAt(m, iPerson) : undefined);
  if (neg) return person || talk ? R('no', 'likely', `no: negated request for a person ('${neg.key}')`) : undefined;
  const lead = leadingNo(m);
  const alt = lead ? ({ alt: 'no' } as const) : {};
  const altReason = lead ? `, after a leading '${m.toks[0]!.key}'` : '';
  // A long sentence that mentions a person is a story ("ليت فيه خيار اكلم موظف اسرع"), not a request.
  const sure = (s: Reading['sure']): Reading['sure'] => (lead || m.unknown >= 2 ? 'likely' : s);
  // The whole message is a person noun: "موظف", "human please", "الباحث الاجتماعي".
  if (person && only(m, 'PERSON', 'PERSON_WEAK', 'PERSON_MOD')) {
    const ck = coreKey(m);
    if (AGENT_UNAMBIGUOUS.has(ck) || AGENT_UNAMBIGUOUS.has(m.key)) return R('agent', lead ? 'likely' : 'clear', `agent: bare person word '${ck}'${altReason}`, alt);
    return R('agent', 'likely', `agent: bare person noun '${ck}'`, alt);
  }
  const realWant = any(m, 'WANT', 'SHOW') || (any(m, 'CAN') && (m.core.length <= 4 || any(m, 'HELP', 'PERSON_MOD')));
  // "الموظف اللي كلمني قال …" tells what a person did; "كلمني موظف" asks for one.
  const iTalk = first(m, 'TALK');
  // "وين القى موظف اكلمه", "where do I find someone to talk to": looking for a person.
  const seeking = first(m, 'QWORD') >= 0 && first(m, 'FOLLOW') >= 0 && first(m, 'FOLLOW') < iPerson;
  const story = !realWantish(m) && !seeking && iPerson >= 0 && iPerson < iTalk;
  if (talk && person && !story) return R('agent', sure('clear'), `agent: ${want ? `want ${found(m, ['WANT', 'CAN', 'SHOW'])} + ` : ''}talk ${found(m, ['TALK'])} + person ${found(m, ['PERSON'])}${altReason}`, alt);
  if (realWant && person) {
    // "ابي موظف" is a request; "I work as a staff member … and need a course" is not.
    const iw = first(m, 'WANT', 'CAN', 'SHOW');
    const near = iPerson - iw > 0 && iPerson - iw <= 3;
    return R('agent', near && m.core.length <= 5 ? sure('clear') : 'likely', `agent: want ${found(m, ['WANT', 'CAN', 'SHOW'])} + person ${found(m, ['PERSON'])}${altReason}`, alt);
  }
  const question = any(m, 'QWORD') || /[?؟]\s*$/.test(m.text);
  const qBefore = first(m, 'QWORD') >= 0 && first(m, 'QWORD') < first(m, 'TALK');
  if (talk && weak && !qBefore) return R('agent', sure('clear'), `agent: talk ${found(m, ['TALK'])} + someone ${found(m, ['PERSON_WEAK'])}${altReason}`, alt);
  if (want && weak && m.core.length <= 4 && m.unknown === 0) return R('agent', 'likely', `agent: want + someone ${found(m, ['PERSON_WEAK'])}`, alt);
  // "ابي اتواصل معكم", "كلموني"; not "how do I contact you?" (a question about the channels)
  const imperative = m.toks.some((t, i) => IMPERATIVE.has(t.key) || (['call', 'contact', 'text'].includes(t.key) && m.toks[i + 1]?.key === 'me'));
  if (talk && (want || imperative) && !question && m.core.length <= 4 && m.unknown === 0) {
    const withYou = any(m, 'YOU', 'ME');
    return R('agent', want && withYou ? 'clear' : 'likely', `agent: talk ${found(m, ['TALK'])}${want ? ' + want' : ''}${withYou ? ' + you/me' : ''}`, alt);
  }
  // "وين الموظفين؟", "is anyone there?", "فيه احد؟", "مافي احد يرد؟"
  if ((person || weak) && question && m.unknown === 0 && m.core.length <= 4 && !m.toks.some((t) => ['كم', 'how many', 'many'].includes(t.key))) {
    return R('agent', 'likely', `agent: asks for ${found(m, ['PERSON', 'PERSON_WEAK'])}`);
  }
  return undefined;
};

// ── status ────────────────────────────────────────────────────────────────

const STATUS_BARE = keys('حالة', 'الحالة', 'حالة الطلب', 'حالة طلبي', 'متابعة الطلب', 'status', 'request status', 'my request', 'my application', 'application status', 'طلبي', 'حالتي', 'my status', 'وين طلبي', 'tlbi', 'talabi', 'check status', 'track');

const NEXT = keys('اذا', 'لو', 'if', 'once', 'بعد', 'after', 'next', 'الجايه', 'التاليه', 'الخطوه', 'يصير', 'يحدث', 'استلم', 'happens');

/** "اذا انقبل طلبي وش يصير", "what happens next": what follows, not where it is; "لو تكرمت" is politeness. */
const POLITE_AFTER_IF = keys('سمحت', 'سمحتوا', 'سمحتو', 'سمحتي', 'تكرمت', 'تكرمتوا', 'تكرمتو', 'تكرمتي', 'امكن', 'you please');
const asksNext = (m: Msg) => m.toks.some((t, i) => NEXT.has(t.key) && !(['لو', 'اذا', 'if'].includes(t.key) && POLITE_AFTER_IF.has(m.toks[i + 1]?.key ?? '')));

const status: Rule = (m) => {
  const ck = coreKey(m);
  if (STATUS_BARE.has(m.key) || STATUS_BARE.has(ck)) return R('status', ck === 'طلبي' || ck === 'حالتي' ? 'likely' : 'clear', `status: bare word '${ck || m.key}'`);
  // Questions about requests in general ("كيف اقدم طلب؟", "متى تردون على الطلبات؟") are FAQs;
  // the status is about the beneficiary's own request, or asks for a status by name.
  // "مين يشوف طلبي؟", "who reviews my application": about a person's role, not where it is.
  if (['مين', 'who', 'whos'].includes(m.toks[0]?.key ?? '')) return undefined;
  const own = anyMine(m);
  const q = any(m, 'QWORD');
  const strong = any(m, 'STATUS_N');
  const weakS = any(m, 'STATUS_WEAK');
  const follow = any(m, 'FOLLOW');
  const happen = any(m, 'HAPPEN');
  const long = m.unknown > 3;
  const whatIs = m.toks[0]?.key === 'ما' && m.core.length <= 3; // "ما حالة طلبي؟"
  if (strong && (only(m, 'STATUS_N', 'REQUEST', 'REQUEST_MINE', 'QWORD', 'WANT', 'CAN', 'FOLLOW', 'SHOW', 'HAPPEN') || whatIs)) return R('status', 'clear', `status: status word ${found(m, ['STATUS_N'])}`);
  if (own && (q || follow || strong || weakS || (happen && /[?؟]/.test(m.text)))) {
    // "اذا انقبل طلبي متى استلم؟" asks what happens after; "وين طلبي" asks where it is.
    const how = [q && `question ${found(m, ['QWORD'])}`, follow && `follow ${found(m, ['FOLLOW'])}`, (strong || weakS) && `status ${found(m, ['STATUS_N', 'STATUS_WEAK'])}`, happen && `${found(m, ['HAPPEN'])}`].filter(Boolean).join(' + ');
    // "اذا انقبل طلبي متى استلم؟", "what if they reject my application": what happens next, an FAQ.
    if (asksNext(m)) return undefined;
    return R('status', long ? 'likely' : 'clear', `status: own request ${found(m, ['REQUEST_MINE', 'REQUEST']) || `'${m.toks.find((t) => APPLIED.has(t.key))?.key ?? ''}'`} + ${how}`);
  }
  // "قدمت من اسبوعين وللحين ما ردوا علي", "الطلب له شهر ولا احد رد": no reply on a request is asking for its status.
  const iReply = m.toks.findIndex((t) => REPLY.has(t.key));
  const noReply = iReply >= 0 && m.toks.slice(Math.max(0, iReply - 3), iReply).some((t) => has(t, 'NEG', 'LA') || NEGATIONS.has(t.key));
  if (noReply && (own || any(m, 'REQUEST')) && !asksNext(m)) return R('status', long ? 'likely' : 'clear', `status: no reply '${m.toks[iReply]!.key}' on a request`);
  // "هو الطلب اتقبل ولا لسه", "has the application been accepted yet": its state asked.
  if (any(m, 'REQUEST') && happen && weakS && !asksNext(m) && m.core.length <= 7) return R('status', m.unknown >= 2 ? 'likely' : 'clear', `status: request ${found(m, ['REQUEST'])} + ${found(m, ['HAPPEN'])} + ${found(m, ['STATUS_WEAK'])}`);
  // "طمنوني على الطلب", "ابغى اتابع على الطلب": following a request up.
  if (follow && any(m, 'REQUEST') && !q && m.unknown === 0 && !any(m, 'NEG')) return R('status', 'clear', `status: follow ${found(m, ['FOLLOW'])} + request ${found(m, ['REQUEST'])}`);
  if (strong && (q || follow || any(m, 'WANT', 'SHOW')) && m.unknown <= 1) return R('status', m.core.length > 5 ? 'likely' : 'clear', `status: ${found(m, ['QWORD', 'FOLLOW', 'WANT', 'SHOW'])} + status ${found(m, ['STATUS_N'])}`);
  if (any(m, 'REQUEST') && (strong || (q && happen && m.toks.some((t) => t.key === 'وصل' || t.key === 'صار')) ) && !long && m.core.length <= 4) return R('status', 'likely', `status: where did the request get to`);
  if (weakS && q && m.core.length <= 3 && m.unknown === 0 && !any(m, 'GREET')) return R('status', 'likely', `status: question + ${found(m, ['STATUS_WEAK'])}`);
  return undefined;
};

// ── menu ──────────────────────────────────────────────────────────────────

const MENU_CLEAR = keys('قائمة', 'القائمة', 'القائمة الرئيسية', 'الرئيسية', 'menu', 'main menu', 'القايمه', 'قايمه', 'المنيو', 'منيو', 'start over', 'main', 'home', 'mainmenu', 'الصفحة الرئيسية', 'البداية', 'من البداية', 'من جديد', 'من الاول', 'menu please');
const MENU_BACK = keys('back', 'go back', 'رجوع', 'ارجع', 'الرجوع', 'return', 'previous', 'عوده', 'العوده', 'رجعني', 'ارجعني', 'رجعوني');

const menu: Rule = (m) => {
  const ck = coreKey(m);
  if (MENU_CLEAR.has(m.key) || MENU_CLEAR.has(ck)) return R('menu', 'clear', `menu: bare word '${ck || m.key}'`);
  if (MENU_BACK.has(m.key) || MENU_BACK.has(ck)) return R('menu', 'likely', `menu: bare 'back' word '${ck || m.key}'`);
  if (CANCEL_BARE.has(m.key) || CANCEL_BARE.has(ck)) return R('menu', 'likely', `menu: bare cancel '${ck || m.key}' (or opt out?)`, { alt: 'stop' });
  const menuN = any(m, 'MENU_N');
  const back = any(m, 'BACK_V');
  if (back && (menuN || any(m, 'AGAIN')) && !negatedBefore(m, ['BACK_V'])) return R('menu', 'clear', `menu: back ${found(m, ['BACK_V'])} + menu ${found(m, ['MENU_N', 'AGAIN'])}`);
  const menuOnly = m.core.filter((t) => t.concepts.size > 0).every((t) => has(t, 'MENU_N', 'WANT', 'CAN', 'SHOW', 'BACK_V', 'AGAIN', 'GREET', 'GREET_TAIL', 'START_V', 'QWORD'));
  if (menuN && menuOnly && (m.unknown === 0 || (m.unknown === 1 && any(m, 'WANT', 'SHOW', 'BACK_V', 'QWORD'))) && !any(m, 'NEG')) return R('menu', m.unknown === 0 ? 'clear' : 'likely', `menu: menu word ${found(m, ['MENU_N'])}`);
  if (any(m, 'START_V') && any(m, 'AGAIN') && m.core.length <= 4) return R('menu', 'clear', `menu: start ${found(m, ['START_V'])} + again`);
  if (any(m, 'CANCEL') && m.core.length <= 4 && m.unknown <= 1 && !any(m, 'SUBSCRIPTION', 'MSG')) return R('menu', 'likely', `menu: cancel ${found(m, ['CANCEL'])}`);
  if (back && m.core.length <= 3 && m.unknown === 0 && !any(m, 'EDIT')) return R('menu', 'likely', `menu: back ${found(m, ['BACK_V'])}`);
  return undefined;
};

const CANCEL_BARE = keys('الغاء', 'إلغاء', 'cancel', 'الغ', 'الغي', 'كنسل', 'كانسل');

// ── language ──────────────────────────────────────────────────────────────

const FIRST_PERSON_SPEAK = keys('اتكلم', 'اتحدث', 'احكي', 'اعرف', 'افهم', 'اجيد', 'نتكلم', 'واتكلم', 'واعرف');

const language: Rule = (m) => {
  const langToks = m.toks.map((t, i) => ({ t, i })).filter(({ t }) => has(t, 'ENGLISH', 'ARABIC'));
  const langN = any(m, 'LANG_N');
  if (langToks.length === 0 && !langN) return undefined;
  if (m.unknown > 3 || any(m, 'PERSON', 'REQUEST', 'REQUEST_MINE', 'STATUS_N')) return undefined;
  // "I don't speak Arabic", "ما اعرف انجليزي": the other language is wanted.
  let target: 'ar' | 'en' | undefined;
  let negated = false;
  for (const { t, i } of langToks) {
    const l: 'ar' | 'en' = has(t, 'ENGLISH') ? 'en' : 'ar';
    // "لا اعرف انجليزي", "my arabic is not good"
    // "my arabic is not good" negates it; in "عربي؟ ما افهم انجليزي" the negation is the next verb's.
    const after = m.toks.slice(i + 1, i + 4).some((x, j, next) => (NEGATIONS.has(x.key) && !has(next[j + 1] ?? x, 'UNDERSTAND', 'SPEAK_LANG', 'FOLLOW', 'WANT', 'TALK')) || ['weak', 'bad', 'ضعيف', 'ضعيفه'].includes(x.key));
    const neg = negatedAt(m, i) ?? (i >= 2 ? negatedAt(m, i - 1) : undefined) ?? (after ? t : undefined);
    if (neg) {
      negated = true;
      target ??= l === 'en' ? 'ar' : 'en';
    } else target = l;
  }
  // "I speak Arabic and English" names two; only a switch word or "to" says which is wanted.
  const both = langToks.some(({ t }) => has(t, 'ENGLISH')) && langToks.some(({ t }) => has(t, 'ARABIC')) && !negated;
  if (both && !m.toks.some((t) => ['to', 'into', 'الى', 'switch', 'change', 'غير', 'حول', 'بدل', 'غيروا', 'حولوا'].includes(t.key))) return undefined;
  // "اتكلم اردو وانجليزي", "I speak Urdu and English": the writer tells what they speak, in an
  // answer that names other things too; not a switch (unless wanted: "ابي اتكلم انجليزي").
  const iSpeak = m.toks.findIndex((t, i) => FIRST_PERSON_SPEAK.has(t.key) || (['speak', 'know'].includes(t.key) && ['i', 'we'].includes(m.toks[i - 1]?.key ?? '')));
  if (iSpeak >= 0 && !negated && !any(m, 'WANT', 'CAN', 'QWORD') && m.unknown >= 1) return undefined;
  const words = only(m, 'ENGLISH', 'ARABIC', 'LANG_N');
  const how = target ? `'${langToks[langToks.length - 1]!.t.key}'${negated ? ' (negated)' : ''}` : `'${m.toks.find((t) => has(t, 'LANG_N'))!.key}'`;
  // Only language words ("English", "اللغة العربية") may be a field of study: likely, not clear;
  // "English please", "can we continue in English?" ask for the switch.
  const asked = m.toks.some((t) => has(t, 'SPEAK_LANG', 'TALK', 'WANT', 'CAN', 'QWORD', 'START_V') || (has(t, 'FILLER') && !has(t, 'WITH'))) || negated;
  // "ابي دورة انجليزي للمبتدئين", "English literature": a language named in an answer.
  return R('language', asked && m.unknown <= 1 ? 'clear' : 'likely', `language: ${words ? 'bare ' : ''}language word ${how}${target ? ` → ${target}` : ''}`, target ? { target } : {});
};

// ── help ──────────────────────────────────────────────────────────────────

const FIND = keys('القى', 'الاقي', 'القا', 'نلقى', 'find', 'get');

const help: Rule = (m) => {
  if (/^[\s?؟]+$/.test(m.text)) return R('help', 'likely', 'help: a bare question mark');
  const short = m.core.length <= 8 && m.unknown <= 3;
  const question = /[?؟]/.test(m.text);
  const iu = first(m, 'UNDERSTAND');
  // "ما فهمت" asks for help; "the bot did not understand me" is a complaint.
  const aboutMe = iu >= 0 && (m.toks[iu + 1]?.key === 'right' || ['me', 'فيني', 'علي'].includes(m.toks[iu + 1]?.key ?? '') || /(?:ني|تني)$/.test(m.toks[iu]!.key));
  if (iu >= 0 && !aboutMe && (negatedBefore(m, ['UNDERSTAND']) || any(m, 'LA')) && short) return R('help', 'clear', `help: negated understand ${found(m, ['UNDERSTAND'])}`);
  if (only(m, 'UNDERSTAND') && m.toks.some((t) => ['confused', 'unclear', 'lost', 'confusing'].includes(t.key))) return R('help', 'clear', `help: '${coreKey(m)}'`);
  if (any(m, 'HELP') && only(m, 'HELP', 'WANT', 'CAN', 'EXAMPLE', 'SHOW', 'QUESTION_N', 'ME')) return R('help', any(m, 'WANT') && m.lang === 'ar' && !any(m, 'QUESTION_N') ? 'likely' : 'clear', `help: help word ${found(m, ['HELP'])}`);
  if (first(m, 'QWORD') >= 0 && first(m, 'QWORD') <= 3 && first(m, 'WRITE') > first(m, 'QWORD') && short && !any(m, 'STATUS_N', 'STATUS_WEAK', 'REQUEST')) return R('help', 'clear', `help: question ${found(m, ['QWORD'])} + write ${found(m, ['WRITE'])}`);
  if (any(m, 'QWORD') && any(m, 'REQUIRED') && only(m, 'QWORD', 'REQUIRED', 'WRITE', 'NEG', 'QUESTION_N', 'ME')) return R('help', 'clear', `help: question + required ${found(m, ['REQUIRED'])}`);
  if ((any(m, 'QWORD', 'SHOW') || m.toks[0]?.key === 'ما' || question) && any(m, 'MEAN') && m.core.length <= 6) return R('help', 'clear', `help: what do you mean ${found(m, ['MEAN'])}`);
  if (any(m, 'EXAMPLE') && only(m, 'EXAMPLE', 'WANT', 'CAN', 'SHOW', 'QWORD', 'HELP', 'WRITE', 'QUESTION_N')) return R('help', 'clear', `help: example ${found(m, ['EXAMPLE'])}`);
  // "وين القى رقم الهوية؟", "where do I find it": where to find what is asked for.
  const iFind = first(m, 'FOLLOW');
  if (iFind > 0 && m.toks.slice(Math.max(0, iFind - 3), iFind).some((t) => ['وين', 'where', 'wain', 'wein'].includes(t.key)) && FIND.has(m.toks[iFind]!.key) && m.core.length <= 5 && !any(m, 'PERSON', 'PERSON_WEAK', 'REQUEST', 'REQUEST_MINE')) return R('help', 'clear', `help: where to find '${m.toks[iFind]!.key}'`);
  // "اكتب رقم الهوية ولا الاقامة؟", "هل اكتب التاريخ هجري ولا ميلادي؟"
  const iw = first(m, 'WRITE');
  if (iw >= 0 && iw <= 1 && question && m.core.length <= 8) return R('help', 'likely', `help: a question about what to write ${found(m, ['WRITE'])}`);
  if (only(m, 'QWORD') && m.core.length === 1 && (question || m.key === 'كيف' || m.key === 'what')) return R('help', 'likely', `help: bare question word '${m.key}'`);
  return undefined;
};

// ── greeting, thanks ──────────────────────────────────────────────────────

const greeting: Rule = (m) => {
  if (!any(m, 'GREET', 'GREET_WEAK')) return undefined;
  if (!only(m, 'GREET', 'GREET_WEAK', 'GREET_TAIL', 'THANKS')) return undefined;
  if (any(m, 'GREET')) return R('greeting', 'clear', `greeting: ${found(m, ['GREET'])}`);
  // "هلا" and "سلام" are names too; "هلا والله" is not.
  const more = m.toks.length > 1 || m.key.includes(' ');
  return R('greeting', more ? 'clear' : 'likely', `greeting: ${found(m, ['GREET_WEAK'])}${more ? '' : ' (also a name)'}`);
};

/** Concepts that make a message more than thanks ("شكرا، وين طلبي؟"). */
const ACTION: Concept[] = ['WANT', 'TALK', 'PERSON', 'REQUEST', 'REQUEST_MINE', 'STATUS_N', 'STOP_V', 'SEND', 'MSG', 'QWORD', 'EDIT', 'WRONG', 'BACK_V', 'MENU_N', 'ENGLISH', 'ARABIC', 'LANG_N', 'UNDERSTAND', 'CANCEL', 'NO', 'LA'];

const thanks: Rule = (m) => {
  if (!any(m, 'THANKS')) return undefined;
  // A person praised as the subject ("الموظفة كانت متعاونة جزاها الله خير") is thanks, not a request for one.
  const praised = m.toks.length > 0 && has(m.toks[0]!, 'PERSON') && !any(m, 'WANT', 'TALK', 'QWORD', 'NEG', 'LA');
  if (m.toks.some((t) => has(t, ...ACTION) && !has(t, 'THANKS') && !(praised && has(t, 'PERSON')))) return undefined;
  if (m.unknown > 3 || m.core.length > 9 || m.toks.some((t) => t.script === 'num')) return undefined;
  return R('thanks', m.unknown <= 1 ? 'clear' : 'likely', `thanks: ${found(m, ['THANKS'])}`);
};

// ── yes, no, correct (review and offer) ───────────────────────────────────

const BARE_CORRECT = keys('correct', 'صحح', 'تصحيح');

/** Edit words, but not the English "correct" of "yes, everything is correct". */
function editTokens(m: Msg): Token[] {
  return m.toks.filter((t, i) => has(t, 'EDIT') && !(t.key === 'correct' && !['to', 'want', 'need', 'can', 'i'].includes(m.toks[i - 1]?.key ?? '')));
}

const correct: Rule = (m) => {
  if (BARE_CORRECT.has(m.key) && m.key === 'correct') return R('correct', 'clear', `correct: bare 'correct' (or yes, it is correct?)`, { alt: 'yes' });
  const edits = editTokens(m);
  const wrong = any(m, 'WRONG');
  // "ما عندي تعديل": probably a confirmation, but an attestation is not submitted on a guess — ask.
  if (edits.length > 0 && negatedAt(m, m.toks.indexOf(edits[0]!))) return R('yes', 'clear', `yes: no edit wanted ('${negatedAt(m, m.toks.indexOf(edits[0]!))!.key}' + '${edits[0]!.key}')`, { alt: 'correct', at: ['review'] });
  if (wrong && !negatedBefore(m, ['WRONG'])) return R('correct', 'clear', `correct: mistake ${found(m, ['WRONG'])}`);
  const iRight = first(m, 'RIGHT');
  if (iRight >= 0 && (negatedAt(m, iRight) || m.toks.some((t, i) => t.key === 'غير' && has(m.toks[i + 1] ?? t, 'RIGHT')))) return R('correct', 'clear', `correct: not right ${found(m, ['RIGHT'])}`);
  // "كل شي صح الا تاريخ الميلاد"
  if (iRight >= 0 && m.toks.some((t, i) => i > iRight && has(t, 'EXCEPT'))) return R('correct', 'clear', `correct: right ${found(m, ['RIGHT'])} except ${found(m, ['EXCEPT'])}`);
  if (edits.length > 0 && m.core.length <= 8) return R('correct', 'clear', `correct: edit '${edits[0]!.key}'`);
  return undefined;
};

/** Words that may sit beside a yes without changing it ("تمام كل شي صحيح، اعتمد الطلب"). */
const YES_COMPANY: Concept[] = ['YES', 'YES_WEAK', 'RIGHT', 'CONFIRM', 'THANKS', 'GREET_TAIL', 'REQUEST', 'REQUEST_MINE', 'SEND', 'WANT', 'CAN', 'WRITE'];

const PLEASE = keys('please', 'pls', 'plz', 'سمحت', 'فضلك', 'ياليت', 'يا ليت');

const yes: Rule = (m) => {
  // A bare "please" / "لو سمحت" answers an offer.
  if (m.core.length === 0 && m.toks.some((t) => PLEASE.has(t.key))) return R('yes', 'likely', `yes: bare 'please'`);
  if (!any(m, 'YES', 'YES_WEAK', 'RIGHT', 'CONFIRM')) return undefined;
  if ((any(m, 'NEG', 'NO', 'LA', 'WRONG', 'EXCEPT', 'PERSON') || m.toks.some((t) => has(t, 'STOP_V') && !has(t, 'YES_WEAK'))) && !(m.toks[0] && has(m.toks[0], 'YES') && !has(m.toks[0], 'NO', 'LA', 'NEG'))) return undefined;
  const strong = any(m, 'YES', 'RIGHT', 'CONFIRM');
  if (only(m, ...YES_COMPANY) && m.unknown === 0) {
    return strong ? R('yes', 'clear', `yes: ${found(m, ['YES', 'RIGHT', 'CONFIRM'])}`) : R('yes', 'likely', `yes: weak agreement ${found(m, ['YES_WEAK'])}`);
  }
  // "yes please, I can't get it right": an answer that starts with yes.
  const t0 = m.core[0];
  if (t0 && has(t0, 'YES') && !has(t0, 'NO', 'LA', 'NEG') && m.core.length <= 10) return R('yes', 'likely', `yes: starts with '${t0.key}'`);
  if (strong && m.unknown <= 1 && m.core.length <= 6 && !any(m, 'NEG', 'NO', 'LA')) return R('yes', 'likely', `yes: ${found(m, ['YES', 'RIGHT', 'CONFIRM'])} with other words`);
  return undefined;
};

const no: Rule = (m) => {
  if (m.core.length > 0 && only(m, 'NO', 'LA', 'THANKS', 'GREET_TAIL', 'YES_WEAK', 'STOP_V') && any(m, 'NO', 'LA') && !any(m, 'MSG', 'SEND')) return R('no', 'clear', `no: ${found(m, ['NO', 'LA'])}`);
  if (negatedBefore(m, ['WANT']) && only(m, 'NEG', 'LA', 'NO', 'WANT', 'THANKS', 'START_V', 'AGAIN', 'YES')) return R('no', 'clear', `no: negated want`);
  if ((leadingNo(m) || (m.core[0] && has(m.core[0], 'NO') && m.core.length > 1)) && m.core.length <= 8) return R('no', 'likely', `no: starts with '${m.core[0]!.key}'`);
  return undefined;
};

/** Highest priority first: when two readings fire, the earlier intent wins. */
export const RULES: [Intent, Rule][] = [
  ['stop', stop],
  ['start', start],
  ['agent', agent],
  ['status', status],
  ['language', language],
  ['menu', menu],
  ['correct', correct],
  ['help', help],
  ['no', no],
  ['yes', yes],
  ['greeting', greeting],
  ['thanks', thanks],
];

export const PRIORITY: Intent[] = ['stop', 'start', 'agent', 'status', 'language', 'menu', 'correct', 'help', 'no', 'yes', 'greeting', 'thanks'];
