/** Handing over to a person: the offer, the escalation, waiting, and staff claiming, releasing, resolving. */
import { choiceByNumber } from '../choices.ts';
import { escalationNotice } from '../hours.ts';
import type { Answer, Run, Turn } from '../run.ts';
import type { EscalationReason, Input, Mode } from '../types.ts';
import { onFaq } from './faq.ts';
import { activeDraft, firstDraft, onFormAnswer, promptField } from './form.ts';
import { reprompt } from './index.ts';
import { onMenu, showMenu } from './menu.ts';
import { showReview } from './review.ts';
import { startSurvey } from './survey.ts';

/** "Would you like to talk to the officer?" The offer_agent mode's prompt uses the stored offer. */
export function offerAgent(run: Run, reason: EscalationReason, field?: string) {
  const s = run.s;
  s.offer = { reason, returnTo: s.mode === 'offer_agent' ? (s.offer?.returnTo ?? 'menu') : s.mode, ...(field ? { field } : {}) };
  s.mode = 'offer_agent';
  run.say(run.t('offer_agent'));
  run.offer([
    { id: 'a:yes', label: run.t('offer_agent_yes') },
    { id: 'a:no', label: run.t('offer_agent_no') },
  ]);
}

export function promptOfferAgent(run: Run) {
  offerAgent(run, run.s.offer?.reason ?? 'not_understood', run.s.offer?.field);
}

export function onOfferAgent(run: Run, msg: Answer) {
  const s = run.s;
  const offer = s.offer ?? { reason: 'not_understood' as const, returnTo: 'menu' as Mode };
  // Yes / no in words are read by the understanding layer before this (modes/global.ts).
  const pick = msg.choiceId ?? choiceByNumber(msg.text, ['a:yes', 'a:no']);
  if (pick === 'a:yes') return escalate(run, offer.reason, offer.field);
  if (pick === 'a:no') {
    s.offer = undefined;
    s.mode = offer.returnTo;
    s.notUnderstood = 0;
    return reprompt(run);
  }
  // Anything else: go back to the step and take it as an answer there.
  s.offer = undefined;
  s.mode = offer.returnTo;
  return s.mode === 'form' ? onFormAnswer(run, msg, false) : s.mode === 'faq' ? onFaq(run, msg) : onMenu(run, msg);
}

/** Hands the conversation to staff; says when they will answer. */
export function escalate(run: Run, reason: EscalationReason, field?: string) {
  const s = run.s;
  s.mode = 'waiting_staff';
  s.offer = undefined;
  s.escalation = { reason, at: run.ctx.now.toISOString(), acked: false, ...(field ? { field } : {}) };
  run.emit({ type: 'escalated', reason, ...(field ? { field } : {}) });
  // Hours the association has not confirmed are never told (escalationNotice says only "during working hours").
  const notice = escalationNotice(run.flow.working_hours, run.ctx.now, run.lang);
  run.say(run.t(notice.key, notice.params));
}

/** A message while waiting goes to staff; the first one is acknowledged. */
export function onWaiting(run: Run, messageId: string) {
  const esc = run.s.escalation;
  run.emit({ type: 'message_for_staff', messageId });
  if (esc && !esc.acked) {
    esc.acked = true;
    run.say(run.t('waiting_ack'));
  }
}

export function onWaitingMessage(run: Run, turn: Turn) {
  onWaiting(run, turn.messageId);
}

export function promptWaiting(run: Run) {
  run.say(run.t('already_waiting'));
}

/** Staff own the conversation: the bot stays silent and the message waits in the console. */
export function onWithStaffMessage(run: Run, turn: Turn) {
  run.emit({ type: 'message_for_staff', messageId: turn.messageId });
}

export function promptWithStaff(_run: Run) {}

export function onStaffClaimed(run: Run, staffId: string, staffName?: string) {
  const s = run.s;
  s.escalation = { ...(s.escalation ?? { reason: 'staff_initiated', at: run.ctx.now.toISOString(), acked: true }), staffId };
  s.mode = 'with_staff';
  s.offer = undefined;
  run.emit({ type: 'staff_claimed', staffId });
  run.say(staffName ? run.t('staff_joined', { who: staffName }) : run.t('officer_joined'));
}

export function onStaffReleased(run: Run, resumeAt: NonNullable<Extract<Input, { type: 'staff_released' }>['resumeAt']>) {
  const s = run.s;
  s.escalation = undefined;
  run.emit({ type: 'staff_released', resumeAt: typeof resumeAt === 'string' ? resumeAt : `field:${resumeAt.field}` });
  run.say(run.t('staff_released'));
  const active = activeDraft(run) ?? firstDraft(run);
  if (resumeAt === 'menu' || !active) {
    s.mode = 'menu';
    return showMenu(run);
  }
  s.activeDraft = active.key;
  if (typeof resumeAt === 'object') {
    const index = active.form.fields.findIndex((f) => f.id === resumeAt.field);
    if (index >= 0) active.draft.index = index;
  }
  active.draft.failures = 0;
  if (resumeAt === 'review' || active.draft.index >= active.form.fields.length) return showReview(run);
  s.mode = 'form';
  promptField(run);
}

export function onStaffResolved(run: Run) {
  const s = run.s;
  s.escalation = undefined;
  s.mode = 'menu';
  run.emit({ type: 'staff_resolved' });
  run.say(run.t('staff_resolved'));
  if (s.pendingSurvey) startSurvey(run, s.pendingSurvey.reference);
}
