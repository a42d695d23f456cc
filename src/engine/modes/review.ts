/** The review of a finished form, picking a field to correct, and submitting with the attestation. */
import { createHash } from 'node:crypto';
import type { Field, Form } from '../../flows/schema.ts';
import { validateChoice } from '../../validate/choice.ts';
import { canonicalJson } from '../canonical-json.ts';
import { choiceByNumber } from '../choices.ts';
import { displayOf } from '../fields.ts';
import { say } from '../messages.ts';
import type { Answer, Run, Turn } from '../run.ts';
import type { Choice, FieldValue, FormProgress } from '../types.ts';
import { activeDraft, askMissing, promptField, welcomeBack } from './form.ts';
import { backToMenu, showMenu } from './menu.ts';
import { startSurvey } from './survey.ts';

function summary(run: Run, form: Form, data: Record<string, FieldValue>): string {
  return form.fields
    .map((f, i) => `${i + 1}. ${run.pick(f.label)}: ${displayOf(f, data[f.id], run.lang) ?? run.t('skipped')}`)
    .join('\n');
}

/** The answers, the attestation for an intake, and confirm / correct. The review mode's prompt. */
export function showReview(run: Run) {
  const active = activeDraft(run);
  if (!active) return backToMenu(run);
  // Never show a review that could be confirmed with required answers missing.
  if (askMissing(run, active)) return;
  run.s.mode = 'review';
  const isIntake = active.draft.form === 'intake';
  const parts = [run.t('review_intro'), summary(run, active.form, active.draft.data)];
  if (isIntake) parts.push(run.L(run.flow.attestation));
  run.say(parts.join('\n\n'));
  run.offer(reviewChoices(run, isIntake));
}

/** Confirm (worded for an intake or a volunteering form) and correct. */
function reviewChoices(run: Run, isIntake: boolean): Choice[] {
  return [
    { id: 'r:confirm', label: run.t(isIntake ? 'review_confirm' : 'review_volunteer_confirm') },
    { id: 'r:correct', label: run.t('review_correct') },
  ];
}

export function onReviewMessage(run: Run, turn: Turn) {
  return onReview(run, turn);
}

export function onReview(run: Run, msg: Answer) {
  // Yes / no / correct in words are read by the understanding layer before this (modes/global.ts).
  const pick = msg.choiceId ?? choiceByNumber(msg.text, ['r:confirm', 'r:correct']);
  const correctWords = validateChoice(msg.text, [{ id: 'r:correct', labels: [say('review_correct', 'ar'), say('review_correct', 'en'), 'تعديل', 'تصحيح', 'correct', 'edit', 'change'] }]);
  if (pick === 'r:confirm') return submit(run);
  if (pick === 'r:correct' || (correctWords.ok && msg.text.length > 2)) return showPickCorrection(run);
  run.say(run.t('review_choose'));
  run.offer(reviewChoices(run, activeDraft(run)?.draft.form === 'intake'));
}

/** The fields that may be corrected, as buttons. The pick_correction mode's prompt. */
export function showPickCorrection(run: Run) {
  const active = activeDraft(run);
  if (!active) return showMenu(run);
  run.s.mode = 'pick_correction';
  const fields = correctableFields(active.draft, active.form);
  run.say(run.t('pick_correction'));
  run.offer(fields.map((f) => ({ id: `c:${f.id}`, label: run.pick(f.label) })));
}

/** Corrections staff asked for may only touch the named fields. */
function correctableFields(draft: FormProgress, form: Form): Field[] {
  return draft.only ? form.fields.filter((f) => draft.only!.includes(f.id)) : form.fields;
}

export function onPickCorrection(run: Run, msg: Answer) {
  const active = activeDraft(run);
  if (!active) return showMenu(run);
  const fields = correctableFields(active.draft, active.form);
  const byButton = msg.choiceId?.startsWith('c:') ? fields.find((f) => `c:${f.id}` === msg.choiceId) : undefined;
  const result = byButton ? undefined : validateChoice(msg.text, fields.map((f) => ({ id: f.id, labels: [f.label.ar, f.label.en] })));
  const field = byButton ?? (result?.ok ? fields.find((f) => f.id === result.value) : undefined);
  if (!field) return showPickCorrection(run);
  active.draft.correcting = field.id;
  active.draft.index = active.form.fields.indexOf(field);
  active.draft.failures = 0;
  run.s.mode = 'form';
  promptField(run);
}

/** Submits the active draft with a hash of what was attested; never with answers missing. */
export function submit(run: Run) {
  const active = activeDraft(run);
  if (!active) return showMenu(run);
  // A request with required answers missing is never submitted.
  if (askMissing(run, active)) return;
  const { key, draft } = active;
  const s = run.s;
  const attestationText = draft.form === 'intake' ? run.L(run.flow.attestation) : run.t('review_volunteer_confirm');
  const values = Object.fromEntries(Object.entries(draft.data).map(([k, v]) => [k, v.value]));
  const sha256 = createHash('sha256')
    .update(canonicalJson({ association: run.flow.id, form: draft.form, data: values, attestation: attestationText }))
    .digest('hex');
  const attestation = { text: attestationText, at: run.ctx.now.toISOString(), channel: run.ctx.channel, messageId: run.messageId, sha256 };
  delete s.drafts[key];
  s.activeDraft = undefined;
  s.mode = 'menu';
  if (draft.reference) {
    run.emit({ type: 'request_submitted', form: draft.form, reference: draft.reference, data: draft.data, attestation, corrects: draft.reference });
    run.say(run.t('corrections_done', { reference: draft.reference }));
  } else {
    const reference = run.ctx.nextReference(draft.form);
    run.emit({ type: 'request_submitted', form: draft.form, reference, data: draft.data, attestation });
    run.say(draft.form === 'intake' ? run.L(run.flow.submitted, { reference }) : run.t('volunteer_done', { reference }));
  }
  if (s.pendingSurvey) startSurvey(run, s.pendingSurvey.reference);
}
