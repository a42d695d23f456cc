/**
 * Every reply an SMS conversation can receive from a flow, built by the engine's own steps
 * on the SMS channel (so the check counts exactly what is sent, SMS wordings included):
 * the greeting with the menu, the FAQ list and each answer, each form's questions, their
 * rejections and help, the review's frame, the submission, the survey, the hand-over to a
 * person and every built-in message with this flow's terms. Pure: no clock read, no I/O.
 */
import type { Field, FlowFile } from '../flows/schema.ts';
import { initialState } from './advance.ts';
import { MESSAGE_KEYS, SMS_CHANNEL, type MessageKey } from './messages.ts';
import { escalate, offerAgent } from './modes/escalation.ts';
import { answerFaqEntry, showFaqList } from './modes/faq.ts';
import { onFormAnswer, promptField, startForm } from './modes/form.ts';
import { onIntent } from './modes/global.ts';
import { doAction, greet, notUnderstood, showMenu } from './modes/menu.ts';
import { showReview, submit } from './modes/review.ts';
import { askSurveyQuestion, startSurvey } from './modes/survey.ts';
import { Run } from './run.ts';
import type { Choice, Context, FieldValue, FormKey, Lang } from './types.ts';

export interface SmsReply {
  /** Where in the flow file the reply's (first) text is, for file:line reports. */
  path: (string | number)[];
  /** What the reply is, in words: "greeting + menu", "faq[3] after_submit answer", "messages.offer_agent". */
  what: string;
  lang: Lang;
  text: string;
  choices?: Choice[];
  /** The reply holds the beneficiary's own answers, which are not counted (the review). */
  withoutAnswers?: boolean;
}

/** A fixed Sunday morning in Riyadh: replies that depend on the hour are taken in working time. */
const AT = new Date('2026-11-22T07:00:00Z');

function sampleReference(flow: FlowFile): string {
  return `${flow.reference_prefix}-2026-00012`;
}

/** Runs one step on a fresh SMS conversation and returns its reply (only when the step emitted `needs`, if given). */
function replyOf(flow: FlowFile, lang: Lang, step: (run: Run) => void, needs?: string): { text: string; choices?: Choice[] } | undefined {
  const ctx: Context = { now: AT, nextReference: () => sampleReference(flow), requests: [], channel: SMS_CHANNEL };
  const state = initialState(lang, AT);
  state.mode = 'menu';
  const run = new Run(flow, state, ctx);
  step(run);
  const events = run.finish().events;
  if (needs && !events.some((e) => e.type === needs)) return undefined;
  const reply = events.find((e) => e.type === 'reply');
  if (!reply || reply.type !== 'reply') return undefined;
  return reply.choices ? { text: reply.text, choices: reply.choices } : { text: reply.text };
}

/** Puts a draft of a form at one field, as if the questions before it were answered. */
function atField(run: Run, form: FormKey, index: number, fields: Field[]) {
  const data: Record<string, FieldValue> = {};
  for (const f of fields.slice(0, index)) data[f.id] = { value: 'x', display: '' };
  run.s.drafts[form] = { form, index, data, failures: 0, reminded: false, startedAt: AT.toISOString() };
  run.s.activeDraft = form;
  run.s.mode = 'form';
}

/** Sample values for the built-in messages' own placeholders (the flow's terms are filled by the run). */
function sampleParams(flow: FlowFile, lang: Lang): Record<string, string | number> {
  const fields = flow.intake.fields;
  const rating = flow.survey.questions.find((q) => q.type === 'rating');
  return {
    reference: sampleReference(flow),
    form: flow.intake.title.sms?.[lang] ?? flow.intake.title[lang],
    done: 3,
    total: fields.length,
    max: 4000,
    fields: fields.slice(0, 2).map((f) => f.label.sms?.[lang] ?? f.label[lang]).join(lang === 'ar' ? '، ' : ', '),
    reason: lang === 'ar' ? 'البيانات غير مكتملة' : 'incomplete details',
    who: flow.officer[lang],
    hours: lang === 'ar' ? 'الأحد–الخميس 08:00–15:00' : 'Sunday–Thursday 08:00–15:00',
    scale: rating?.type === 'rating' ? rating.scale : 5,
    low: rating?.type === 'rating' ? (rating.labels?.[0]?.[lang] ?? '1') : '1',
    high: rating?.type === 'rating' ? (rating.labels?.at(-1)?.[lang] ?? '5') : '5',
    first: lang === 'ar' ? 'التحدث مع موظف' : 'Talk to staff',
    second: lang === 'ar' ? 'العودة إلى القائمة' : 'Back to the menu',
    label: fields[0]?.label[lang] ?? '',
    example: fields[0]?.example?.[lang] ?? '',
    apply: flow.menu.find((m) => m.action === 'apply')?.label[lang] ?? '',
    status: lang === 'ar' ? 'لدى لجنة البحث للدراسة' : 'with the research committee',
    date: '2026-11-22',
  };
}

/** Every reply an SMS conversation of this flow can receive, in both languages. */
export function smsReplies(flow: FlowFile): SmsReply[] {
  const out: SmsReply[] = [];
  for (const lang of ['ar', 'en'] as const) {
    const add = (path: (string | number)[], what: string, step: (run: Run) => void, extra: Partial<SmsReply> = {}, needs?: string) => {
      const reply = replyOf(flow, lang, step, needs);
      if (reply) out.push({ path, what, lang, ...reply, ...extra });
    };
    add(['greeting'], 'greeting + menu', (run) => {
      greet(run);
      showMenu(run);
    });
    add(['menu'], 'menu after a message not understood', (run) => notUnderstood(run, { text: '' }));
    add(['menu'], 'menu after a language switch', (run) => {
      run.s.lang = lang === 'ar' ? 'en' : 'ar';
      doAction(run, 'language');
    });
    add(['faq'], 'FAQ list', (run) => showFaqList(run));
    flow.faq.forEach((entry, i) => {
      add(['faq', i, entry.answer ? 'answer' : 'answer_from'], `faq[${i}] ${entry.id} answer`, (run) => {
        answerFaqEntry(run, entry);
        run.say(run.t('anything_else'));
      });
    });
    for (const key of ['intake', 'volunteer'] as const) {
      const form = key === 'intake' ? flow.intake : flow.volunteer;
      if (!form) continue;
      add([key, 'intro'], `${key}.intro + first question`, (run) => startForm(run, key));
      form.fields.forEach((field, i) => {
        const at = [key, 'fields', i];
        if (i > 0) add([...at, 'prompt'], `${key}.fields[${i}] ${field.id} question`, (run) => {
          atField(run, key, i, form.fields);
          promptField(run);
        });
        add([...at, field.example ? 'example' : 'prompt'], `${key}.fields[${i}] ${field.id} rejected answer`, (run) => {
          atField(run, key, i, form.fields);
          onFormAnswer(run, { text: '' }, false);
        }, {}, 'field_rejected'); // an optional field takes no answer as skipped: nothing to reject
        add([...at, field.help ? 'help' : 'label'], `${key}.fields[${i}] ${field.id} help`, (run) => {
          atField(run, key, i, form.fields);
          onIntent(run, 'help', { text: '', messageId: 'sms-check', paused: false });
        });
      });
      add(key === 'intake' ? ['attestation'] : [key, 'fields'], `${key} review (without the answers)`, (run) => {
        atField(run, key, form.fields.length, form.fields);
        showReview(run);
      }, { withoutAnswers: true });
      add(key === 'intake' ? ['submitted'] : [key], `${key} submitted`, (run) => {
        atField(run, key, form.fields.length, form.fields);
        run.s.mode = 'review';
        submit(run);
      });
    }
    add(['survey', 'intro'], 'survey.intro + first question', (run) => startSurvey(run, undefined));
    flow.survey.questions.forEach((q, i) => {
      if (i === 0) return;
      add(['survey', 'questions', i, 'prompt'], `survey.questions[${i}] ${q.id}`, (run) => {
        run.s.mode = 'survey';
        run.s.survey = { index: i, answers: {}, reminded: false };
        askSurveyQuestion(run);
      });
    });
    add(['survey', 'thanks'], 'survey.thanks', (run) => {
      run.s.mode = 'survey';
      run.s.survey = { index: flow.survey.questions.length, answers: {}, reminded: false };
      askSurveyQuestion(run);
    });
    add(['officer'], 'offer of a person', (run) => offerAgent(run, 'not_understood'));
    add(['officer'], 'hand-over to a person', (run) => escalate(run, 'requested'));
    const params = sampleParams(flow, lang);
    for (const key of MESSAGE_KEYS) {
      add([], `messages.${key} (built in, with this flow's terms)`, (run) => run.say(run.t(key as MessageKey, params)));
    }
  }
  return out;
}
