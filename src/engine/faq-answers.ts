/**
 * The text of an FAQ answer. An entry either carries its answer as written text, or names the
 * flow block it is built from (`answer_from`), so the answer repeats the policy's channels,
 * tools, approval and objectives exactly as the flow records them and cannot drift from them.
 */
import type { FaqEntry, FlowFile, Localized } from '../flows/schema.ts';
import { pickText, SMS_CHANNEL } from './messages.ts';

type Lang = 'ar' | 'en';

const GREGORIAN_MONTHS_EN = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** "1445-05-13" → "13/05/1445": the day-first order the seeds and Saudi readers use. */
function dayFirst(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** "2023-11-27" → "27 November 2023" (read from the text, no calendar arithmetic). */
function gregorianEn(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${GREGORIAN_MONTHS_EN[(m ?? 1) - 1]} ${y}`;
}

function numbered(items: string[]): string {
  return items.map((item, i) => `${i + 1}- ${item}`).join('\n');
}

function channelsText(flow: FlowFile, lang: Lang): string {
  const list = numbered(flow.policy_channels.map((c) => c.label[lang]));
  return lang === 'ar'
    ? `قنوات التواصل مع ${flow.audience.plural.ar} في الجمعية:\n${list}\nويمكنك مراسلتنا هنا في أي وقت.`
    : `The association's channels for ${flow.audience.plural.en}:\n${list}\nYou can also message us here at any time.`;
}

function toolsText(flow: FlowFile, lang: Lang): string {
  const list = numbered(flow.tools.map((t) => t.label[lang]));
  return lang === 'ar'
    ? `الأدوات المتاحة لموظفي الجمعية للتواصل مع ${flow.audience.plural.ar}:\n${list}\nوإجابات هذه المحادثة مأخوذة من «${flow.source.title}».`
    : `The tools the association's staff use when dealing with ${flow.audience.plural.en}:\n${list}\nThe answers in this chat come from the association's own policy document.`;
}

function approvalText(flow: FlowFile, lang: Lang): string {
  const { body, meeting, date_hijri: hijri, date_gregorian: gregorian } = flow.approval;
  const meetingText = meeting === undefined ? undefined : typeof meeting === 'string' ? (lang === 'ar' ? meeting : undefined) : meeting[lang];
  if (lang === 'ar') {
    let text = `اعتمد ${body.ar} هذه السياسة («${flow.source.title}»)`;
    if (meetingText) text += ` في ${meetingText}`;
    if (hijri && gregorian) text += `، بتاريخ ${dayFirst(hijri)} هـ الموافق ${dayFirst(gregorian)} م.`;
    else if (hijri) text += `، بتاريخ ${dayFirst(hijri)} هـ.`;
    else if (gregorian) text += `، بتاريخ ${dayFirst(gregorian)} م.`;
    else text += `.\nولم يُسجَّل تاريخ الاعتماد هنا؛ للتأكد منه يمكنك سؤال ${flow.officer.ar}.`;
    return text;
  }
  let text = `The ${body.en} approved this policy`;
  if (meetingText) text += ` at ${meetingText}`;
  if (hijri && gregorian) text += `, on ${dayFirst(hijri)} AH, corresponding to ${gregorianEn(gregorian)}.`;
  else if (hijri) text += `, on ${dayFirst(hijri)} AH.`;
  else if (gregorian) text += `, on ${gregorianEn(gregorian)}.`;
  else text += `.\nThe approval date is not recorded here; the ${flow.officer.en} can confirm it for you.`;
  return text;
}

function objectivesText(flow: FlowFile, lang: Lang): string {
  const objectives = flow.objectives;
  if (!objectives) return '';
  const lines = objectives.detailed.map((o, i) => {
    const points = (o.points ?? []).map((p: Localized) => `   • ${p[lang]}`);
    return [`${i + 1}- ${o[lang]}`, ...points].join('\n');
  });
  const head = lang === 'ar' ? 'الأهداف التفصيلية للجمعية:' : "The association's detailed objectives:";
  return `${head}\n${lines.join('\n')}`;
}

function generalGoalText(flow: FlowFile, lang: Lang): string {
  const general = flow.objectives?.general;
  if (!general) return '';
  return lang === 'ar' ? `الهدف العام: ${general.ar}` : `Our general goal: ${general.en.charAt(0).toLowerCase()}${general.en.slice(1)}`;
}

/** The answer to show for an FAQ entry, in the conversation's language. */
export function faqAnswerText(flow: FlowFile, entry: FaqEntry, lang: Lang): string {
  if (entry.answer) return entry.answer[lang];
  switch (entry.answer_from) {
    case 'channels':
      return channelsText(flow, lang);
    case 'tools':
      return toolsText(flow, lang);
    case 'approval':
      return approvalText(flow, lang);
    case 'objectives':
      return objectivesText(flow, lang);
    case 'general_goal':
      return generalGoalText(flow, lang);
    default:
      return '';
  }
}

/** A block's text in its SMS wording where it has one. */
function short(text: { ar: string; en: string; sms?: { ar?: string | undefined; en?: string | undefined } | undefined }, lang: Lang): string {
  return pickText(text, lang, SMS_CHANNEL);
}

/**
 * The SMS answer built from the same block, in fewer parts: one line, the blocks' own SMS
 * wordings, no sub-points; undefined where the full answer is already short.
 */
function smsAnswerText(flow: FlowFile, entry: FaqEntry, lang: Lang): string | undefined {
  const join = (items: string[]) => items.join(lang === 'ar' ? '، ' : ', ');
  switch (entry.answer_from) {
    case 'channels': {
      const list = join(flow.policy_channels.map((c) => short(c.label, lang)));
      return lang === 'ar' ? `قنوات التواصل: ${list}. ويمكنك مراسلتنا هنا في أي وقت.` : `Our channels: ${list}. You can also message us here at any time.`;
    }
    case 'tools': {
      const list = join(flow.tools.map((t) => short(t.label, lang)));
      return lang === 'ar' ? `أدوات موظفي الجمعية: ${list}.` : `Our staff's tools: ${list}.`;
    }
    case 'approval': {
      const { body, date_hijri: hijri, date_gregorian: gregorian } = flow.approval;
      const date = lang === 'ar'
        ? [hijri && `${dayFirst(hijri)} هـ`, gregorian && `${dayFirst(gregorian)} م`].filter(Boolean).join(' الموافق ')
        : [hijri && `${dayFirst(hijri)} AH`, gregorian && gregorianEn(gregorian)].filter(Boolean).join(' = ');
      if (!date) return undefined;
      return lang === 'ar' ? `اعتمد ${short(body, 'ar')} هذه السياسة بتاريخ ${date}.` : `The ${short(body, 'en')} approved this policy on ${date}.`;
    }
    case 'objectives': {
      const objectives = flow.objectives;
      if (!objectives) return undefined;
      const list = objectives.detailed.map((o, i) => `${i + 1}- ${short(o, lang)}`).join('\n');
      return `${lang === 'ar' ? 'أهداف الجمعية:' : 'Our objectives:'}\n${list}`;
    }
    case 'general_goal': {
      const general = flow.objectives?.general;
      if (!general?.sms?.[lang]) return undefined;
      return lang === 'ar' ? `الهدف العام: ${general.sms.ar}` : `Our general goal: ${general.sms.en!.charAt(0).toLowerCase()}${general.sms.en!.slice(1)}`;
    }
    default:
      return undefined;
  }
}

/**
 * The answer in both languages, for callers that fill the association's terms in (run.L),
 * with its SMS wording: the entry's own (`answer.sms`), or one built from the block.
 */
export function faqAnswer(flow: FlowFile, entry: FaqEntry): Localized {
  if (entry.answer) return entry.answer;
  const full = { ar: faqAnswerText(flow, entry, 'ar'), en: faqAnswerText(flow, entry, 'en') };
  const sms = { ar: smsAnswerText(flow, entry, 'ar'), en: smsAnswerText(flow, entry, 'en') };
  return sms.ar === undefined && sms.en === undefined ? full : { ...full, sms };
}
