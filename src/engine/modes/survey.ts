/** The satisfaction survey: invitation, questions, answers, thanks, and its reminder. */
import type { Field, SurveyQuestion } from '../../flows/schema.ts';
import { validateInteger } from '../../validate/number.ts';
import { ratingFromWords, ratingOutOf } from '../rating-words.ts';
import { validateText } from '../../validate/text.ts';
import { rejectionText } from '../fields.ts';
import type { Answer, Run } from '../run.ts';
import type { Choice, Lang } from '../types.ts';
import { isSkipWord } from '../words.ts';
import { SMS_CHANNEL } from '../messages.ts';

/** A survey invitation starts the survey now if the beneficiary is free, else it waits. */
export function onSurveyInvite(run: Run, reference?: string) {
  const s = run.s;
  if (s.mode === 'opted_out') return run.emit({ type: 'survey_deferred', reason: 'opted_out', ...(reference ? { reference } : {}) });
  if (s.mode === 'menu' || s.mode === 'faq' || s.mode === 'new') return startSurvey(run, reference);
  s.pendingSurvey = reference ? { reference } : {};
  run.emit({ type: 'survey_deferred', reason: 'busy', ...(reference ? { reference } : {}) });
}

export function startSurvey(run: Run, reference: string | undefined) {
  const s = run.s;
  s.pendingSurvey = undefined;
  s.survey = { index: 0, answers: {}, reminded: false, ...(reference ? { reference } : {}) };
  s.mode = 'survey';
  run.emit({ type: 'survey_started', ...(reference ? { reference } : {}) });
  run.emit({ type: 'timer_requested', name: 'survey_reminder', delayMs: run.flow.timers.survey_reminder_hours * 3600_000 });
  run.say(run.L(run.flow.survey.intro));
  askSurveyQuestion(run);
}

/** Asks the current question, or finishes after the last. The survey mode's prompt. */
export function askSurveyQuestion(run: Run) {
  const survey = run.s.survey;
  const q = survey && run.flow.survey.questions[survey.index];
  if (!q) return finishSurvey(run);
  let text = run.L(q.prompt);
  if (q.type === 'text' && !q.required) text += `\n${run.t('skip_hint')}`;
  if (q.type === 'rating') text += `\n${ratingLegend(run, q)}`;
  run.say(text);
  // On SMS the legend already says the scale: numbered lines of its labels would only add parts.
  if (q.type === 'rating' && run.ctx.channel !== SMS_CHANNEL) run.offer(ratingChoices(q, run));
}

export function onSurveyAnswer(run: Run, msg: Answer) {
  const survey = run.s.survey;
  const q = survey && run.flow.survey.questions[survey.index];
  if (!survey || !q) return finishSurvey(run);
  let answer: number | string | null;
  if (q.type === 'rating') {
    const stars = [...msg.text].filter((c) => c === '⭐' || c === '★').length;
    const fromButton = msg.choiceId?.startsWith('s:') ? Number(msg.choiceId.slice(2)) : NaN;
    const fromText = validateInteger(msg.text, { min: 1, max: q.scale });
    // "8/10" is 4 of 5, not 8 (nor 5/10 a 5).
    const outOf = ratingOutOf(msg.text, q.scale);
    const value =
      Number.isInteger(fromButton) && fromButton >= 1 && fromButton <= q.scale
        ? fromButton
        : outOf !== undefined
          ? outOf
          : fromText.ok
          ? fromText.value
          : stars >= 1 && stars <= q.scale
            ? stars
            : q.labels
              ? ratingFromWords(msg.text, q.labels)
              : undefined;
    if (value === undefined) {
      run.say(run.t('survey_rating_reason', { scale: q.scale }));
      return run.offer(ratingChoices(q, run));
    }
    answer = value;
  } else if (!q.required && isSkipWord(msg.text)) {
    answer = null;
  } else {
    const result = validateText(msg.text, { min: 1, max: q.max });
    if (!result.ok) {
      run.say(rejectionText({ type: 'text' } as Field, result, run.lang, (example) => run.t('example', { example }), run.ctx.channel));
      return;
    }
    answer = result.value;
  }
  survey.answers[q.id] = answer;
  run.emit({ type: 'survey_answered', question: q.id, answer, ...(survey.reference ? { reference: survey.reference } : {}) });
  survey.index++;
  askSurveyQuestion(run);
}

function finishSurvey(run: Run) {
  const s = run.s;
  const survey = s.survey;
  s.survey = undefined;
  s.mode = 'menu';
  if (survey) run.emit({ type: 'survey_completed', answers: survey.answers, ...(survey.reference ? { reference: survey.reference } : {}) });
  run.say(run.L(run.flow.survey.thanks));
}

/** The survey reminder timer: one nudge, only while the survey is still open. */
export function onSurveyReminder(run: Run) {
  const s = run.s;
  if (s.mode !== 'survey' || !s.survey || s.survey.reminded) return run.emit({ type: 'timer_ignored', name: 'survey_reminder' });
  s.survey.reminded = true;
  run.say(run.t('survey_reminder'));
  askSurveyQuestion(run);
}

type RatingQuestion = Extract<SurveyQuestion, { type: 'rating' }>;

/** "(1 = ضعيف جدًا، 5 = ممتاز)" from the question's own labels, so the prompt and the buttons agree. */
function ratingLegend(run: Run, q: RatingQuestion): string {
  const low = q.labels?.[0] && run.pick(q.labels[0]);
  const high = q.labels?.[q.scale - 1] && run.pick(q.labels[q.scale - 1]!);
  return low && high ? run.t('rating_legend', { scale: q.scale, low, high }) : run.t('rating_range', { scale: q.scale });
}

/** One button per point of the scale, labelled with the question's words (numbers when it has none). */
function ratingChoices(q: RatingQuestion, run: Run): Choice[] {
  return Array.from({ length: q.scale }, (_, i) => ({
    id: `s:${i + 1}`,
    label: q.labels?.[i] ? run.pick(q.labels[i]) : String(i + 1),
  }));
}
