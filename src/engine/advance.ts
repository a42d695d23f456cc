/**
 * The conversation engine: a pure step function.
 *
 *   advance(flow, state, input, ctx) → { state, events }
 *
 * No database, no queue, no clock read inside: the clock, the reference counter and the
 * beneficiary's request list come in through `ctx`; replies and everything else that
 * must happen leave as events. It never throws and stops at a fixed step budget.
 *
 * This file routes one input: by its type, and for a beneficiary message by the
 * conversation's mode through the table in `modes/index.ts`. What each mode does lives
 * in `modes/<mode>.ts`; the shared run context (state, output, budget) in `run.ts`.
 */
import type { FlowFile } from '../flows/schema.ts';
import { cleanInput } from '../text/normalize.ts';
import { matchFaq } from './faq.ts';
import { onCorrectionsRequested, onDecision } from './modes/decision.ts';
import { onStaffClaimed, onStaffReleased, onStaffResolved } from './modes/escalation.ts';
import { onIntakeReminder } from './modes/form.ts';
import { onGlobalWord, wordPlace } from './modes/global.ts';
import { MODES } from './modes/index.ts';
import { greet, menuAction, showMenu } from './modes/menu.ts';
import { optIn, optOut, optedOutNotice } from './modes/opt-out.ts';
import { onSurveyInvite, onSurveyReminder } from './modes/survey.ts';
import { BudgetExceeded, MAX_INPUT_CHARS, Run, type Turn } from './run.ts';
import type { ConversationState, Context, Input, Lang, StepResult } from './types.ts';
import { globalWord, isGreeting } from './words.ts';

export { canonicalJson } from './canonical-json.ts';
export { MAX_INPUT_CHARS, STEP_BUDGET } from './run.ts';

/** A fresh conversation, before the greeting. */
export function initialState(lang: Lang, now: Date): ConversationState {
  return { v: 1, lang, mode: 'new', createdAt: now.toISOString(), lastInputAt: null, notUnderstood: 0, drafts: {} };
}

/** Advances a conversation by one input. Never throws; the given state is not mutated. */
export function advance(flow: FlowFile, state: ConversationState, input: Input, ctx: Context): StepResult {
  const run = new Run(flow, structuredClone(state), ctx);
  try {
    handle(run, input);
    return run.finish();
  } catch (err) {
    // Keep the state as it was before this input: a half-applied step is worse than none.
    const safe = new Run(flow, structuredClone(state), ctx);
    safe.emit({ type: 'engine_error', message: err instanceof BudgetExceeded ? 'step budget exceeded' : String((err as Error)?.message ?? err) });
    safe.say(safe.t('engine_error'));
    return safe.finish();
  }
}

function handle(run: Run, input: Input) {
  run.tick();
  switch (input.type) {
    case 'message':
      return onMessage(run, input);
    case 'staff_claimed':
      return onStaffClaimed(run, input.staffId, input.staffName);
    case 'staff_released':
      return onStaffReleased(run, input.resumeAt ?? 'form');
    case 'staff_resolved':
      return onStaffResolved(run);
    case 'decision':
      return onDecision(run, input.reference, input.outcome, input.reason);
    case 'corrections_requested':
      return onCorrectionsRequested(run, input.reference, input.fields, input.data, input.note);
    case 'survey_invite':
      return onSurveyInvite(run, input.reference);
    case 'timer':
      return input.name === 'intake_reminder' ? onIntakeReminder(run) : onSurveyReminder(run);
  }
}

/** A beneficiary message: opt-out and global words first, then the current mode's handler. */
function onMessage(run: Run, input: Extract<Input, { type: 'message' }>) {
  const s = run.s;
  run.messageId = input.messageId;
  const cleaned = cleanInput(typeof input.text === 'string' ? input.text.slice(0, MAX_INPUT_CHARS * 2) : '');
  const text = cleaned.slice(0, MAX_INPUT_CHARS);
  // Oversized text is cut, and the beneficiary told so.
  if (cleaned.length > MAX_INPUT_CHARS && s.mode !== 'with_staff') run.say(run.t('input_cut', { max: MAX_INPUT_CHARS }));
  const now = run.ctx.now.getTime();
  const paused = s.lastInputAt !== null && now - Date.parse(s.lastInputAt) > run.flow.timers.resume_after_minutes * 60_000;
  s.lastInputAt = run.ctx.now.toISOString();
  const word = input.choiceId || !text ? undefined : globalWord(text, wordPlace(run));
  const turn: Turn = { text, media: input.media, choiceId: input.choiceId, messageId: input.messageId, paused };

  if (s.mode === 'opted_out') {
    if (word === 'start') return optIn(run);
    return optedOutNotice(run);
  }
  if (word === 'stop') return optOut(run);
  if (s.mode === 'with_staff') return MODES.with_staff.message(run, turn);

  if (s.mode === 'new') {
    s.mode = 'menu';
    if (word === 'english' || word === 'arabic') run.setLang(word === 'english' ? 'en' : 'ar');
    greet(run);
    const meaningful = text && !isGreeting(text) && word !== 'start' && word !== 'menu' && word !== 'english' && word !== 'arabic';
    if (!meaningful || (!word && !menuAction(run, turn) && !matchFaq(run.flow, text))) return showMenu(run);
  }

  if (word) return onGlobalWord(run, word, input.messageId);

  (MODES[s.mode] ?? MODES.new).message(run, turn);
}
