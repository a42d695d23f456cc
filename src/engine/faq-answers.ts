/**
 * The text of an FAQ answer. An entry either carries its answer as written text, or names the
 * flow block it is built from (`answer_from`), so the answer repeats the policy's channels,
 * tools, approval and objectives exactly as the flow records them and cannot drift from them.
 */
import type { FaqEntry, FlowFile, Localized } from '../flows/schema.ts';

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

/** The answer in both languages, for callers that fill the association's terms in (run.L). */
export function faqAnswer(flow: FlowFile, entry: FaqEntry): Localized {
  return { ar: faqAnswerText(flow, entry, 'ar'), en: faqAnswerText(flow, entry, 'en') };
}
