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

export function analyse(text: string): Msg {
  const toks = tag(text);
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
const coreKey = (m: Msg) => m.core.map((t) => t.key).join(' ');

function found(m: Msg, cs: Concept[]): string {
  const t = m.toks.find((x) => has(x, ...cs));
  return t ? `'${t.key}'` : '';
}

/** A negation (ما، مو، مب، not, don't) within two tokens before a token with one of `cs`. */
function negatedBefore(m: Msg, cs: Concept[]): boolean {
  const i = first(m, ...cs);
  if (i < 0) return false;
  for (let j = Math.max(0, i - 3); j < i; j++) {
    const t = m.toks[j]!;
    if (has(t, 'NEG') && !has(t, 'QWORD', 'STOP_V')) return true;
    if (t.key === 'ما' || t.key === 'مو' || t.key === 'مب' || t.key === 'مش') return true;
  }
  return false;
}

/** "لا" (or "no") as the first word, followed by more. */
const leadingNo = (m: Msg) => m.toks.length > 1 && (has(m.toks[0]!, 'LA') || m.toks[0]!.key === 'no');

type Rule = (m: Msg) => Reading | undefined;
const R = (intent: Intent, sure: Reading['sure'], reason: string, extra: Partial<Reading> = {}): Reading => ({ intent, sure, reason, ...extra });

// ── stop / start ──────────────────────────────────────────────────────────

const STOP_BARE = keys('stop', 'stopall', 'stop all', 'unsubscribe', 'ايقاف', 'إيقاف', 'توقف', 'اوقف', 'أوقف', 'الغاء الاشتراك', 'إلغاء الاشتراك', 'optout', 'opt out', 'unsub', 'وقف', 'وقفوا', 'stop it', 'stop now', 'اوقفوا', 'توقفوا', 'ستوب', 'ستop');
const STOP_SOFT = keys('end', 'quit', 'enough', 'كفايه', 'بس خلاص', 'halt', 'cease');

const stop: Rule = (m) => {
  const ck = coreKey(m);
  if (STOP_BARE.has(m.key) || STOP_BARE.has(ck)) return R('stop', 'clear', `stop: bare opt-out word '${ck || m.key}'`);
  if (STOP_SOFT.has(m.key) || STOP_SOFT.has(ck)) return R('stop', 'likely', `stop: vague opt-out word '${ck}'`);
  const question = /[?؟]\s*$/.test(m.text) || (first(m, 'QWORD') >= 0 && first(m, 'QWORD') < Math.max(first(m, 'NEG', 'LA'), 0));
  if (any(m, 'UNSUB')) return R('stop', 'clear', `stop: unsubscribe ${found(m, ['UNSUB'])}`);
  if (any(m, 'CANCEL', 'STOP_V') && any(m, 'SUBSCRIPTION') && !negatedBefore(m, ['CANCEL', 'STOP_V'])) {
    return R('stop', 'clear', `stop: ${found(m, ['CANCEL', 'STOP_V'])} + subscription ${found(m, ['SUBSCRIPTION'])}`);
  }
  const iStop = first(m, 'STOP_V');
  if (iStop >= 0 && m.toks.slice(iStop + 1).some((t) => has(t, 'MSG', 'SEND')) && !negatedBefore(m, ['STOP_V'])) {
    return R('stop', question ? 'likely' : 'clear', `stop: stop verb '${m.toks[iStop]!.key}' + messages ${found(m, ['MSG', 'SEND'])}`);
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
  // احذفوا رقمي، remove me from your list
  if (any(m, 'REMOVE') && (any(m, 'MY_NUMBER', 'SUBSCRIPTION', 'MSG') || m.key.includes('list'))) return R('stop', 'clear', `stop: remove ${found(m, ['REMOVE'])} + number/list`);
  if (any(m, 'WANT') && any(m, 'STOP_V', 'CANCEL') && any(m, 'MSG', 'SEND')) return R('stop', 'clear', `stop: want + stop + messages`);
  return undefined;
};

const START_BARE = keys('start', 'unstop', 'resume', 'ابدا', 'ابدأ', 'تفعيل', 'استئناف', 'استيناف', 'subscribe', 'resubscribe', 'restart', 'ستارت', 'بدء');

const start: Rule = (m) => {
  const ck = coreKey(m);
  if (START_BARE.has(m.key) || START_BARE.has(ck)) return R('start', 'clear', `start: bare word '${ck || m.key}'`);
  if (any(m, 'START_V') && any(m, 'MSG', 'SUBSCRIPTION') && !negatedBefore(m, ['START_V'])) return R('start', 'clear', `start: ${found(m, ['START_V'])} + messages`);
  if (any(m, 'WANT') && any(m, 'SUBSCRIPTION') && !any(m, 'CANCEL', 'STOP_V', 'NEG')) return R('start', 'likely', 'start: want + subscription');
  return undefined;
};

// ── agent ─────────────────────────────────────────────────────────────────

const AGENT_UNAMBIGUOUS = keys('موظف', 'موظفه', 'agent', 'human', 'خدمه العملاء', 'customer service', 'real person', 'live agent', 'representative', 'الباحث الاجتماعي', 'مسوول البحث الاجتماعي', 'مسوول البحث', 'مسؤول البحث', 'مسؤول البحث الاجتماعي', 'الباحث', 'الباحثه', 'الباحثه الاجتماعيه', 'operator', 'talk to a person', 'اريد موظف', 'أريد موظف', 'كلمني موظف', 'human please', 'mowadhaf', 'mwazaf', 'موظف لو سمحت');

const agent: Rule = (m) => {
  const person = any(m, 'PERSON');
  const weak = any(m, 'PERSON_WEAK');
  const want = any(m, 'WANT', 'CAN');
  const talk = any(m, 'TALK');
  if (!person && !weak && !talk) return undefined;
  if (negatedBefore(m, ['WANT', 'TALK', 'PERSON'])) {
    return person || talk ? R('no', 'likely', `no: negated request for a person ('${m.toks.find((t) => has(t, 'NEG'))?.key ?? ''}')`) : undefined;
  }
  const alt = leadingNo(m) ? ({ alt: 'no' } as const) : {};
  const altReason = leadingNo(m) ? `, after a leading '${m.toks[0]!.key}'` : '';
  const sure = (s: Reading['sure']): Reading['sure'] => (leadingNo(m) ? 'likely' : s);
  // The whole message is a person noun: "موظف", "human please", "الباحث الاجتماعي".
  if (person && only(m, 'PERSON', 'PERSON_WEAK', 'PERSON_MOD')) {
    const ck = coreKey(m);
    if (AGENT_UNAMBIGUOUS.has(ck) || AGENT_UNAMBIGUOUS.has(m.key)) return R('agent', sure('clear'), `agent: bare person word '${ck}'${altReason}`, alt);
    return R('agent', 'likely', `agent: bare person noun '${ck}'`, alt);
  }
  const realWant = any(m, 'WANT') || (any(m, 'CAN') && m.core.length <= 4);
  if ((realWant || talk) && person) {
    const how = [want ? `want ${found(m, ['WANT', 'CAN'])}` : '', talk ? `talk ${found(m, ['TALK'])}` : '', `person ${found(m, ['PERSON'])}`].filter(Boolean).join(' + ');
    return R('agent', sure('clear'), `agent: ${how}${altReason}`, alt);
  }
  if (talk && weak) return R('agent', sure('clear'), `agent: talk ${found(m, ['TALK'])} + someone ${found(m, ['PERSON_WEAK'])}${altReason}`, alt);
  if (want && weak && m.core.length <= 4) return R('agent', 'likely', `agent: want + someone ${found(m, ['PERSON_WEAK'])}`, alt);
  // "ابي اتواصل معكم", "can I talk to you", "كلموني", "call me"
  if (talk && !any(m, 'LANG_N', 'ENGLISH', 'ARABIC') && m.core.length <= 4 && m.unknown <= 1) {
    const withYou = any(m, 'YOU', 'ME');
    return R('agent', want && withYou ? 'clear' : 'likely', `agent: talk ${found(m, ['TALK'])}${want ? ' + want' : ''}${withYou ? ' + you/me' : ''}`, alt);
  }
  // "وين الموظفين؟", "is anyone there?", "فيه احد؟"
  if ((person || weak) && (any(m, 'QWORD') || /[?؟]\s*$/.test(m.text)) && m.unknown === 0 && m.core.length <= 4) {
    return R('agent', 'likely', `agent: asks for ${found(m, ['PERSON', 'PERSON_WEAK'])}`);
  }
  return undefined;
};

// ── status ────────────────────────────────────────────────────────────────

const STATUS_BARE = keys('حالة', 'الحالة', 'حالة الطلب', 'حالة طلبي', 'متابعة الطلب', 'status', 'request status', 'my request', 'my application', 'application status', 'طلبي', 'حالتي', 'my status', 'وين طلبي', 'tlbi', 'talabi', 'check status', 'track');

const status: Rule = (m) => {
  const ck = coreKey(m);
  if (STATUS_BARE.has(m.key) || STATUS_BARE.has(ck)) return R('status', ck === 'طلبي' || ck === 'حالتي' ? 'likely' : 'clear', `status: bare word '${ck || m.key}'`);
  const req = any(m, 'REQUEST');
  const q = any(m, 'QWORD');
  const strong = any(m, 'STATUS_N');
  const weakS = any(m, 'STATUS_WEAK');
  const follow = any(m, 'FOLLOW');
  const happen = any(m, 'HAPPEN');
  const long = m.unknown > 3;
  if (strong && only(m, 'STATUS_N', 'REQUEST', 'QWORD', 'WANT', 'CAN', 'FOLLOW', 'SHOW', 'HAPPEN')) return R('status', 'clear', `status: status word ${found(m, ['STATUS_N'])}`);
  if (req && (q || follow || strong || weakS)) {
    const how = [q && `question ${found(m, ['QWORD'])}`, follow && `follow ${found(m, ['FOLLOW'])}`, (strong || weakS) && `status ${found(m, ['STATUS_N', 'STATUS_WEAK'])}`].filter(Boolean).join(' + ');
    return R('status', long ? 'likely' : 'clear', `status: request ${found(m, ['REQUEST'])} + ${how}`);
  }
  if (req && happen && /[?؟]\s*$/.test(m.text) && !long) return R('status', 'likely', `status: request + ${found(m, ['HAPPEN'])}?`);
  if (strong && (q || follow || any(m, 'WANT', 'SHOW'))) return R('status', long ? 'likely' : 'clear', `status: ${found(m, ['QWORD', 'FOLLOW', 'WANT', 'SHOW'])} + status ${found(m, ['STATUS_N'])}`);
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
  if (menuN && only(m, 'MENU_N', 'WANT', 'CAN', 'SHOW', 'BACK_V', 'AGAIN', 'GREET', 'GREET_TAIL', 'START_V', 'QWORD')) return R('menu', m.unknown === 0 ? 'clear' : 'likely', `menu: menu word ${found(m, ['MENU_N'])}`);
  if (any(m, 'START_V') && any(m, 'AGAIN') && m.core.length <= 4) return R('menu', 'clear', `menu: start ${found(m, ['START_V'])} + again`);
  if (any(m, 'CANCEL') && m.core.length <= 4 && m.unknown <= 1 && !any(m, 'SUBSCRIPTION', 'MSG')) return R('menu', 'likely', `menu: cancel ${found(m, ['CANCEL'])}`);
  if (back && m.core.length <= 3 && m.unknown === 0 && !any(m, 'EDIT')) return R('menu', 'likely', `menu: back ${found(m, ['BACK_V'])}`);
  return undefined;
};

const CANCEL_BARE = keys('الغاء', 'إلغاء', 'cancel', 'الغ', 'الغي', 'كنسل', 'كانسل');

// ── language ──────────────────────────────────────────────────────────────

const language: Rule = (m) => {
  const en = first(m, 'ENGLISH');
  const ar = first(m, 'ARABIC');
  const langN = any(m, 'LANG_N');
  if (en < 0 && ar < 0 && !langN) return undefined;
  if (!only(m, 'ENGLISH', 'ARABIC', 'LANG_N', 'SPEAK_LANG', 'WANT', 'CAN', 'QWORD', 'EDIT', 'GREET', 'THANKS', 'START_V')) return undefined;
  // "from Arabic to English": the language named last is the one wanted.
  const target: 'ar' | 'en' | undefined = en < 0 && ar < 0 ? undefined : en > ar ? 'en' : 'ar';
  const bare = m.core.length === 1;
  const how = target ? `'${m.toks[target === 'en' ? en : ar]!.key}'` : `'${m.toks.find((t) => has(t, 'LANG_N'))!.key}'`;
  const sure = bare && (!target || !m.toks.some((t) => has(t, 'FILLER'))) ? 'likely' : 'clear';
  return R('language', sure, `language: ${bare ? 'bare ' : ''}language word ${how}${target ? ` → ${target}` : ''}`, target ? { target } : {});
};

// ── help ──────────────────────────────────────────────────────────────────

const help: Rule = (m) => {
  if (/^[\s?؟]+$/.test(m.text)) return R('help', 'likely', 'help: a bare question mark');
  const short = m.core.length <= 5 && m.unknown <= 1;
  if (any(m, 'UNDERSTAND') && (negatedBefore(m, ['UNDERSTAND']) || any(m, 'LA')) && short) return R('help', 'clear', `help: negated understand ${found(m, ['UNDERSTAND'])}`);
  if (only(m, 'UNDERSTAND') && m.toks.some((t) => ['confused', 'unclear', 'lost', 'confusing'].includes(t.key))) return R('help', 'clear', `help: '${coreKey(m)}'`);
  if (only(m, 'HELP', 'WANT', 'CAN', 'EXAMPLE', 'SHOW')) return R('help', any(m, 'WANT') && m.lang === 'ar' ? 'likely' : 'clear', `help: help word ${found(m, ['HELP', 'EXAMPLE'])}`);
  if (any(m, 'QWORD') && any(m, 'WRITE') && short) return R('help', 'clear', `help: question ${found(m, ['QWORD'])} + write ${found(m, ['WRITE'])}`);
  if (any(m, 'QWORD') && any(m, 'REQUIRED') && only(m, 'QWORD', 'REQUIRED', 'WRITE', 'NEG')) return R('help', 'clear', `help: question + required ${found(m, ['REQUIRED'])}`);
  if (any(m, 'QWORD', 'SHOW') && any(m, 'MEAN') && short) return R('help', 'clear', `help: what do you mean ${found(m, ['MEAN'])}`);
  if (any(m, 'EXAMPLE') && only(m, 'EXAMPLE', 'WANT', 'CAN', 'SHOW', 'QWORD', 'HELP', 'WRITE')) return R('help', 'clear', `help: example ${found(m, ['EXAMPLE'])}`);
  if (only(m, 'QWORD') && m.core.length === 1 && (/[?؟]/.test(m.text) || m.key === 'كيف' || m.key === 'what')) return R('help', 'likely', `help: bare question word '${m.key}'`);
  return undefined;
};

// ── greeting, thanks ──────────────────────────────────────────────────────

const greeting: Rule = (m) => {
  if (!any(m, 'GREET', 'GREET_WEAK')) return undefined;
  if (!only(m, 'GREET', 'GREET_WEAK', 'GREET_TAIL', 'THANKS')) return undefined;
  return any(m, 'GREET') ? R('greeting', 'clear', `greeting: ${found(m, ['GREET'])}`) : R('greeting', 'likely', `greeting: ${found(m, ['GREET_WEAK'])} (also a name)`);
};

const thanks: Rule = (m) => {
  if (!any(m, 'THANKS')) return undefined;
  if (!only(m, 'THANKS', 'GREET_TAIL', 'YES_WEAK', 'GREET', 'GREET_WEAK')) return undefined;
  return R('thanks', 'clear', `thanks: ${found(m, ['THANKS'])}`);
};

// ── yes, no, correct (review and offer) ───────────────────────────────────

const BARE_CORRECT = keys('correct', 'صحح', 'تصحيح');

const correct: Rule = (m) => {
  if (BARE_CORRECT.has(m.key) && m.key === 'correct') return R('correct', 'clear', `correct: bare 'correct' (or yes, it is correct?)`, { alt: 'yes' });
  const edit = any(m, 'EDIT');
  const wrong = any(m, 'WRONG');
  if (edit && negatedBefore(m, ['EDIT'])) return R('yes', 'likely', `yes: no edit wanted ('${m.toks.find((t) => has(t, 'NEG'))?.key}' + ${found(m, ['EDIT'])})`);
  if (wrong && !negatedBefore(m, ['WRONG'])) return R('correct', 'clear', `correct: mistake ${found(m, ['WRONG'])}`);
  if (any(m, 'RIGHT') && (negatedBefore(m, ['RIGHT']) || m.toks.some((t, i) => t.key === 'غير' && has(m.toks[i + 1] ?? t, 'RIGHT')))) return R('correct', 'clear', `correct: not right ${found(m, ['RIGHT'])}`);
  if (edit && m.core.length <= 8) return R('correct', 'clear', `correct: edit ${found(m, ['EDIT'])}`);
  return undefined;
};

const yes: Rule = (m) => {
  if (!any(m, 'YES', 'YES_WEAK', 'RIGHT')) return undefined;
  if (any(m, 'NEG') && !any(m, 'YES')) return undefined;
  if (!only(m, 'YES', 'YES_WEAK', 'RIGHT', 'THANKS', 'GREET_TAIL', 'SEND', 'WANT', 'CAN')) return undefined;
  if (any(m, 'WANT', 'CAN', 'SEND') && !any(m, 'YES')) return undefined;
  return any(m, 'YES', 'RIGHT') ? R('yes', 'clear', `yes: ${found(m, ['YES', 'RIGHT'])}`) : R('yes', 'likely', `yes: weak agreement ${found(m, ['YES_WEAK'])}`);
};

const no: Rule = (m) => {
  if (m.core.length > 0 && only(m, 'NO', 'LA', 'THANKS', 'GREET_TAIL') && any(m, 'NO', 'LA')) return R('no', 'clear', `no: ${found(m, ['NO', 'LA'])}`);
  if (negatedBefore(m, ['WANT']) && only(m, 'NEG', 'LA', 'NO', 'WANT', 'THANKS', 'START_V', 'AGAIN')) return R('no', 'clear', `no: negated want`);
  if (leadingNo(m) && m.core.length <= 6) return R('no', 'likely', `no: leading '${m.toks[0]!.key}'`);
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
