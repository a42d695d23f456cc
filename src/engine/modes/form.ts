/** Forms (intake and volunteering): drafts, asking each field, taking answers, missing fields. */
import type { Field, Form } from '../../flows/schema.ts';
import { rejectionText, validateField } from '../fields.ts';
import type { Answer, Run, Turn } from '../run.ts';
import type { Choice, DraftKey, FormKey, FormProgress } from '../types.ts';
import { isSkipWord } from '../words.ts';
import { offerAgent } from './escalation.ts';
import { answerFaqInline } from './faq.ts';
import { reprompt } from './index.ts';
import { backToMenu, showMenu } from './menu.ts';
import { showReview } from './review.ts';

export function formOf(run: Run, key: FormKey): Form | undefined {
  return key === 'intake' ? run.flow.intake : run.flow.volunteer;
}

/** The draft being filled in, with its form. */
export function activeDraft(run: Run): { key: DraftKey; draft: FormProgress; form: Form } | undefined {
  const key = run.s.activeDraft;
  const draft = key ? run.s.drafts[key] : undefined;
  const form = draft ? formOf(run, draft.form) : undefined;
  return key && draft && form ? { key, draft, form } : undefined;
}

/** Makes the first open draft active (corrections first); undefined when there is none. */
export function firstDraft(run: Run) {
  for (const key of ['correction', 'intake', 'volunteer'] as const) {
    if (run.s.drafts[key]) {
      run.s.activeDraft = key;
      return activeDraft(run);
    }
  }
  return undefined;
}

/** How far a draft got, for "you answered 3 of 9". */
export function progressOf(run: Run, draft: FormProgress) {
  const form = formOf(run, draft.form);
  const total = draft.only?.length ?? form?.fields.length ?? 0;
  const done = draft.only ? draft.only.filter((id) => id in draft.data && draft.index > (form?.fields.findIndex((f) => f.id === id) ?? 0)).length : Math.min(draft.index, total);
  return { done, total };
}

export function currentField(run: Run): Field | undefined {
  const active = activeDraft(run);
  return active?.form.fields[active.draft.index];
}

/** Starts a form, or resumes its draft where it stopped. */
export function startForm(run: Run, key: FormKey) {
  const form = formOf(run, key);
  if (!form) return showMenu(run);
  const s = run.s;
  const existing = s.drafts[key];
  s.activeDraft = key;
  s.mode = 'form';
  if (existing) {
    run.emit({ type: 'form_started', form: key, resumed: true });
    run.say(run.t('form_resumed', progressOf(run, existing)));
    if (existing.index >= form.fields.length) return showReview(run);
  } else {
    s.drafts[key] = { form: key, index: 0, data: {}, failures: 0, reminded: false, startedAt: run.ctx.now.toISOString() };
    run.emit({ type: 'form_started', form: key, resumed: false });
    run.say(run.L(form.intro));
  }
  requestReminder(run);
  promptField(run);
}

export function requestReminder(run: Run) {
  run.emit({ type: 'timer_requested', name: 'intake_reminder', delayMs: run.flow.timers.intake_reminder_hours * 3600_000 });
}

/** Asks the current field; past the last field, shows the review. The form mode's prompt. */
export function promptField(run: Run) {
  run.tick();
  const field = currentField(run);
  if (!field) return showReview(run);
  let text = run.L(field.prompt);
  if (!field.required) text += `\n${run.t('skip_hint')}`;
  run.say(text);
  if (field.type === 'choice') run.offer(optionChoices(run, field));
}

/** A choice field's options as buttons; `onFormAnswer` reads them back by the `o:` prefix. */
function optionChoices(run: Run, field: Extract<Field, { type: 'choice' }>): Choice[] {
  return field.options.map((o) => ({ id: `o:${o.id}`, label: run.pick(o.label) }));
}

/** After a long pause: where the form stands, then the current step again. */
export function welcomeBack(run: Run) {
  const active = activeDraft(run);
  if (active) run.say(run.t('welcome_back', { form: run.pick(active.form.title), ...progressOf(run, active.draft) }));
  reprompt(run);
}

/** Takes a message as the answer to the current field. */
export function onFormAnswer(run: Run, msg: Answer, paused: boolean) {
  const active = activeDraft(run);
  const field = currentField(run);
  if (!active || !field) return backToMenu(run);
  const { key, draft } = active;
  if (!field.required && !msg.media && isSkipWord(msg.text)) {
    draft.data[field.id] = { value: null, display: run.t('skipped') };
    run.emit({ type: 'field_skipped', form: draft.form, field: field.id });
    return nextField(run, key);
  }
  if (msg.media && field.type !== 'media') {
    run.say(run.t('media_not_here'));
    return promptField(run);
  }
  const choiceId = msg.choiceId?.startsWith('o:') ? msg.choiceId.slice(2) : undefined;
  const result = validateField(field, { text: msg.text, media: msg.media, choiceId }, run.ctx.now, run.lang);
  if (result.ok) {
    draft.data[field.id] = { value: result.value, display: result.display };
    draft.failures = 0;
    run.emit({ type: 'field_accepted', form: draft.form, field: field.id, fieldType: field.type, value: result.value });
    if (field.type === 'media') run.say(run.t('media_received'));
    return nextField(run, key);
  }
  if (paused) return welcomeBack(run);
  // A question in the middle of the form gets its answer, and the form goes on.
  if (field.type !== 'text' && /[?؟]\s*$/.test(msg.text) && answerFaqInline(run, msg.text)) return promptField(run);
  draft.failures++;
  run.emit({ type: 'field_rejected', form: draft.form, field: field.id, code: result.code, failures: draft.failures });
  run.say(rejectionText(field, result, run.lang, (example) => run.t('example', { example }), run.ctx.channel));
  if (draft.failures >= run.flow.escalation.max_failed_answers) {
    draft.failures = 0;
    return offerAgent(run, 'failed_answers', field.id);
  }
  if (field.type === 'choice') run.offer(optionChoices(run, field));
}

/** Moves to the next field to ask, or to the review when none is left. */
export function nextField(run: Run, key: DraftKey) {
  run.tick();
  const draft = run.s.drafts[key];
  const form = draft && formOf(run, draft.form);
  if (!draft || !form) return showMenu(run);
  requestReminder(run);
  if (draft.correcting) {
    draft.correcting = undefined;
    draft.index = form.fields.length;
    return showReview(run);
  }
  if (draft.only) {
    const next = form.fields.findIndex((f, i) => i > draft.index && draft.only!.includes(f.id));
    draft.index = next === -1 ? form.fields.length : next;
  } else {
    // The next field without an answer: after a jump back (staff resuming at a field, or a
    // missing field found at the review) the answers already given are not asked again.
    const next = form.fields.findIndex((f, i) => i > draft.index && !(f.id in draft.data));
    draft.index = next === -1 ? form.fields.length : next;
  }
  if (draft.index >= form.fields.length) return showReview(run);
  promptField(run);
}

/**
 * Index of the first field that must still be answered before the review can be confirmed,
 * or -1: a required field without an answer, or, for corrections staff asked for, a named
 * field not given again yet.
 */
export function firstMissing(draft: FormProgress, form: Form): number {
  return form.fields.findIndex((f, i) => {
    if (draft.only) return draft.only.includes(f.id) && (!(f.id in draft.data) || (!draft.correcting && i >= draft.index));
    return f.required && !(f.id in draft.data);
  });
}

/** Sends the beneficiary to the first missing field; false when nothing is missing. */
export function askMissing(run: Run, active: { draft: FormProgress; form: Form }): boolean {
  const missing = firstMissing(active.draft, active.form);
  if (missing < 0) return false;
  active.draft.index = missing;
  active.draft.correcting = undefined;
  active.draft.failures = 0;
  run.s.mode = 'form';
  run.say(run.t('form_incomplete'));
  promptField(run);
  return true;
}

/** The intake reminder timer: one nudge per draft, only if the beneficiary went quiet. */
export function onIntakeReminder(run: Run) {
  const s = run.s;
  const active = activeDraft(run) ?? firstDraft(run);
  const idle = s.lastInputAt === null ? Infinity : run.ctx.now.getTime() - Date.parse(s.lastInputAt);
  const due = idle >= run.flow.timers.intake_reminder_hours * 3600_000 * 0.9;
  if (!active || active.draft.reminded || !due || ['opted_out', 'waiting_staff', 'with_staff', 'survey'].includes(s.mode)) {
    return run.emit({ type: 'timer_ignored', name: 'intake_reminder' });
  }
  active.draft.reminded = true;
  run.say(run.t('reminder_form', { form: run.pick(active.form.title) }));
  if (s.mode === 'form' || s.mode === 'review' || s.mode === 'pick_correction') reprompt(run);
}

export function onFormMessage(run: Run, turn: Turn) {
  onFormAnswer(run, turn, turn.paused);
}
