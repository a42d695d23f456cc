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
import { askClarify, onButton, onIntent, placeOf, resolveClarify } from './modes/global.ts';
import { answerFaqInline } from './modes/faq.ts';
import { MODES } from './modes/index.ts';
import { greet, menuAction, showMenu } from './modes/menu.ts';
import { optIn, optOut, optedOutNotice } from './modes/opt-out.ts';
import { reprompt } from './modes/index.ts';
import { onSurveyInvite, onSurveyReminder } from './modes/survey.ts';
import { BudgetExceeded, MAX_INPUT_CHARS, Run, type Turn } from './run.ts';
import type { ConversationState, Context, Input, Lang, StepResult, UnderstoodAs } from './types.ts';
import { looksLikeQuestion, understand, withoutGreeting } from '../understand/index.ts';
import type { Intent, Place, Understanding } from '../understand/types.ts';

export { canonicalJson } from './canonical-json.ts';
export { MAX_INPUT_CHARS, STEP_BUDGET } from './run.ts';

/** A fresh conversation, before the greeting. */
export function initialState(lang: Lang, now: Date): ConversationState {
  return { v: 1, lang, mode: 'new', createdAt: now.toISOString(), lastInputAt: null, notUnderstood: 0, drafts: {} };
}

/** Advances a conversation by one input. Never throws; the given state is not mutated. */
export function advance(flow: FlowFile, state: ConversationState, input: Input, ctx: Context): StepResult {
  const run = new Run(flow, cloneState(state), ctx);
  try {
    handle(run, input);
    return run.finish();
  } catch (err) {
    // Keep the state as it was before this input: a half-applied step is worse than none.
    const safe = new Run(flow, cloneState(state), ctx);
    safe.emit({ type: 'engine_error', message: err instanceof BudgetExceeded ? 'step budget exceeded' : String((err as Error)?.message ?? err) });
    safe.say(safe.t('engine_error'));
    return safe.finish();
  }
}

/**
 * A deep copy of a state: what structuredClone gives for the JSON data a state is (plain objects,
 * arrays, strings, numbers, booleans, null), at a fifth of its cost; anything else is left to it.
 */
function cloneState<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneState) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A key "__proto__" (a field id may be one) stays a key, as structuredClone keeps it.
      if (k === '__proto__') Object.defineProperty(out, k, { value: cloneState(v), enumerable: true, writable: true, configurable: true });
      else out[k] = cloneState(v);
    }
    return out as T;
  }
  return typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol' ? structuredClone(value) : value;
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

/**
 * A beneficiary message: read once by the understanding layer at the place it arrives
 * (`understand(text, place)`), then an intent, a clarifying question, a pressed button or the
 * current mode's handler. Exactly one `understood` event says how it was taken.
 */
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
  const turn: Turn = { text, media: input.media, choiceId: input.choiceId, messageId: input.messageId, paused };
  const place = placeOf(run);
  const u: Understanding = input.choiceId || !text ? { kind: 'none', reason: input.choiceId ? 'none: a button' : 'none: no text' } : understand(text, place);
  const modeBefore = s.mode;
  takeMessage(run, turn, place, u);
  const heard = run.heard ?? fromEvents(run, u, modeBefore !== s.mode);
  run.emit({ type: 'understood', as: heard.as, reason: heard.reason });
}

function takeMessage(run: Run, turn: Turn, place: Place, u: Understanding) {
  const s = run.s;
  const intent = u.kind === 'intent' ? u.intent : undefined;
  if (s.mode === 'opted_out') {
    if (intent === 'start') {
      run.hear('intent:start', u.reason);
      return optIn(run);
    }
    run.hear('unknown', `opted out: only 'start' works (${u.reason})`);
    return optedOutNotice(run);
  }
  if (intent === 'stop') {
    run.hear('intent:stop', u.reason);
    return optOut(run);
  }
  if (s.mode === 'with_staff') {
    run.hear('unknown', 'with_staff: passed to staff');
    return MODES.with_staff.message(run, turn);
  }
  if (turn.choiceId) return onButton(run, turn);

  // The answer to a clarifying question picks one of its two readings.
  if (s.clarify) {
    const picked = resolveClarify(run, turn);
    s.clarify = undefined;
    if (picked) {
      run.hear(`intent:${picked}`, `${picked}: answer to the clarifying question`);
      return onIntent(run, picked, turn);
    }
  }

  if (s.mode === 'new') {
    s.mode = 'menu';
    if (intent === 'language' && u.kind === 'intent') run.setLang(u.target ?? run.lang);
    greet(run);
    const soft = intent === 'help' || intent === 'greeting' || intent === 'thanks';
    if (!turn.text || intent === 'start' || intent === 'menu' || intent === 'language' || (soft && !menuAction(run, turn) && !(intent === 'help' && looksLikeQuestion(turn.text) && matchFaq(run.flow, turn.text)))) {
      run.hear(intent ? `intent:${intent}` : 'unknown', intent ? u.reason : 'new conversation: greeted, menu shown');
      return showMenu(run);
    }
    if (!intent && u.kind !== 'clarify' && !menuAction(run, turn) && !matchFaq(run.flow, turn.text)) {
      run.hear('unknown', `new conversation: greeted, menu shown (${u.reason})`);
      return showMenu(run);
    }
  }

  if (u.kind === 'clarify') {
    run.hear('clarify', u.reason);
    return askClarify(run, u);
  }
  if (u.kind === 'intent' && takesIntent(run, turn, u.intent)) {
    run.hear(`intent:${u.intent}`, u.reason);
    return onIntent(run, u.intent, turn, u.target);
  }
  // A question typed at a free-text question gets its FAQ answer and the question again.
  if (place === 'free_text' && s.mode === 'form' && looksLikeQuestion(turn.text) && answerFaqInline(run, turn.text)) {
    run.hear('faq', 'faq: a question at a free-text field');
    return reprompt(run);
  }
  // An answer after a greeting ("السلام عليكم، اسمي محمد") is the answer without the greeting.
  const answer = s.mode === 'form' || s.mode === 'survey' ? { ...turn, text: withoutGreeting(turn.text) } : turn;
  (MODES[s.mode] ?? MODES.new).message(run, answer);
}

/**
 * Whether an intent is taken here, or the message goes to the mode as it is: at the menu a
 * menu item outranks a greeting, thanks or help reading; a survey comment of thanks is the
 * comment; while waiting, only the commands act (the rest is for staff).
 */
function takesIntent(run: Run, turn: Turn, intent: Intent): boolean {
  const s = run.s;
  const soft = intent === 'help' || intent === 'greeting' || intent === 'thanks';
  if (soft && (s.mode === 'menu' || s.mode === 'faq') && (menuAction(run, turn) || (intent === 'help' && looksLikeQuestion(turn.text) && matchFaq(run.flow, turn.text)))) return false;
  if (s.mode === 'survey' && intent === 'thanks') return false;
  if (s.mode === 'waiting_staff') return intent === 'agent' || intent === 'menu' || intent === 'status' || intent === 'language';
  return true;
}

/** How the message was taken, read from what the step did when no rule said so. */
function fromEvents(run: Run, u: Understanding, moved: boolean): { as: UnderstoodAs; reason: string } {
  const types = new Set(run.emitted.map((e) => e.type));
  if (types.has('field_accepted') || types.has('field_rejected') || types.has('field_skipped') || types.has('survey_answered')) {
    return { as: 'answer', reason: `answer: ${u.reason}` };
  }
  if (types.has('faq_answered')) return { as: 'faq', reason: `faq: matched the FAQ (${u.reason})` };
  if (types.has('not_understood')) return { as: 'unknown', reason: `unknown: ${u.reason}` };
  if (types.has('message_for_staff')) return { as: 'unknown', reason: `waiting: passed to staff (${u.reason})` };
  if (types.has('form_started') || types.has('survey_started') || types.has('status_requested') || types.has('escalated') || types.has('request_submitted') || types.has('language_changed')) {
    return { as: 'choice', reason: `choice: a menu item, option or button (${u.reason})` };
  }
  if (moved) return { as: 'choice', reason: `choice: taken by the step (${u.reason})` };
  return { as: 'unknown', reason: `unknown: the step asked again (${u.reason})` };
}
