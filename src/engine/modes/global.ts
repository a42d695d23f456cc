/**
 * What works from every step: the intents the understanding layer reads (a person, the
 * status, the menu, stop/start, language, help, greeting, thanks, and yes/no/correct at the
 * review and the offer), a short question when a message has two readings, and buttons
 * pressed on an earlier message.
 */
import type { Field } from '../../flows/schema.ts';
import { readIntents } from '../../understand/index.ts';
import type { Intent, Place, Understanding } from '../../understand/types.ts';
import type { MessageKey } from '../messages.ts';
import type { Run, Turn } from '../run.ts';
import type { Choice, Lang } from '../types.ts';
import { escalate, onOfferAgent, onWaiting } from './escalation.ts';
import { answerFaqEntry } from './faq.ts';
import { currentField, promptField, welcomeBack } from './form.ts';
import { MODES, reprompt } from './index.ts';
import { greet, showMenu } from './menu.ts';
import { optOut } from './opt-out.ts';
import { showPickCorrection, submit } from './review.ts';
import { showStatus } from './status.ts';

/** Where a message lands, for the understanding layer: how sure an intent must be there. */
export function placeOf(run: Run): Place {
  const s = run.s;
  switch (s.mode) {
    case 'opted_out':
      return 'opted_out';
    case 'waiting_staff':
    case 'with_staff':
      return 'waiting';
    case 'review':
      return 'review';
    case 'offer_agent':
      return 'offer';
    case 'pick_correction':
      return 'form_value';
    case 'form':
      return currentField(run)?.type === 'text' ? 'free_text' : 'form_value';
    case 'survey': {
      const q = s.survey && run.flow.survey.questions[s.survey.index];
      return q?.type === 'text' ? 'free_text' : 'rating';
    }
    default:
      return 'menu';
  }
}

/** Carries out an intent in the current mode. */
export function onIntent(run: Run, intent: Intent, turn: Turn, target?: Lang) {
  const s = run.s;
  s.clarify = undefined;
  switch (intent) {
    case 'stop':
      return optOut(run);
    case 'start':
      if (s.mode === 'waiting_staff') return onWaiting(run, turn.messageId);
      greet(run);
      s.mode = s.mode === 'form' || s.mode === 'review' || s.mode === 'pick_correction' ? s.mode : 'menu';
      return reprompt(run);
    case 'language': {
      const lang: Lang = target ?? (run.lang === 'ar' ? 'en' : 'ar');
      run.setLang(lang);
      run.say(run.t('language_switched'));
      return reprompt(run);
    }
    case 'menu':
      if (s.mode === 'waiting_staff') {
        s.escalation = undefined;
        run.emit({ type: 'escalation_cancelled' });
        run.say(run.t('escalation_cancelled'));
      }
      s.survey = undefined;
      s.offer = undefined;
      s.mode = 'menu';
      s.notUnderstood = 0;
      return showMenu(run);
    case 'status':
      showStatus(run);
      return s.mode === 'menu' || s.mode === 'faq' ? run.say(run.t('anything_else')) : reprompt(run);
    case 'agent': {
      if (s.mode === 'waiting_staff') {
        run.emit({ type: 'message_for_staff', messageId: turn.messageId });
        return run.say(run.t('already_waiting'));
      }
      const field = s.mode === 'form' ? currentField(run)?.id : s.mode === 'offer_agent' ? s.offer?.field : undefined;
      return escalate(run, s.mode === 'offer_agent' ? (s.offer?.reason ?? 'requested') : 'requested', field);
    }
    case 'help':
      return showHelp(run);
    case 'greeting':
      if ((s.mode === 'form' || s.mode === 'review' || s.mode === 'pick_correction') && turn.paused) return welcomeBack(run);
      if (s.mode === 'menu' || s.mode === 'faq') {
        greet(run);
        return showMenu(run);
      }
      run.say(run.t('greeting_reply'));
      return reprompt(run);
    case 'thanks':
      run.say(run.t('thanks_reply'));
      return s.mode === 'menu' || s.mode === 'faq' ? run.say(run.t('anything_else')) : reprompt(run);
    case 'yes':
    case 'no':
    case 'correct':
      if (s.mode === 'review') return intent === 'yes' ? submit(run) : showPickCorrection(run);
      if (s.mode === 'offer_agent') return onOfferAgent(run, { text: '', choiceId: intent === 'yes' ? 'a:yes' : 'a:no' });
      return reprompt(run);
  }
}

/** "What should I write?": the field's own help and example, or how to use the menu. */
function showHelp(run: Run) {
  const s = run.s;
  if (s.mode === 'form') {
    const field = currentField(run);
    if (field) {
      run.say(helpFor(run, field));
      return promptField(run);
    }
  }
  if (s.mode === 'menu' || s.mode === 'faq' || s.mode === 'new') {
    run.say(run.t('help_menu'));
    s.mode = s.mode === 'faq' ? 'faq' : 'menu';
    return reprompt(run);
  }
  if (s.mode === 'review') run.say(run.t('review_choose'));
  return reprompt(run);
}

function helpFor(run: Run, field: Field): string {
  const parts = [run.t('help_field', { label: run.pick(field.label) })];
  const help = field.help ? run.pick(field.help).trim() : undefined;
  if (help) parts.push(run.L(field.help!));
  const example = field.example ? run.pick(field.example).trim() : undefined;
  if (example) parts.push(example.startsWith(run.t('example', { example: '' }).trim()) ? example : run.t('example', { example }));
  return parts.join('\n');
}

// ── two readings: one short question ─────────────────────────────────────

/** The button label of a reading, in the words of the step it would lead to. */
function optionLabel(run: Run, intent: Intent): string {
  const s = run.s;
  if (s.mode === 'review' && (intent === 'no' || intent === 'correct')) return run.t('review_correct');
  if (s.mode === 'review' && intent === 'yes') return run.t(s.activeDraft === 'volunteer' ? 'review_volunteer_confirm' : 'review_confirm');
  if (s.mode === 'offer_agent' && intent === 'no') return run.t('offer_agent_no');
  const key = `intent_${intent}` as MessageKey;
  try {
    const text = run.t(key);
    if (text) return text;
  } catch {
    // no label of its own: the intent's name
  }
  return intent;
}

export function askClarify(run: Run, u: Extract<Understanding, { kind: 'clarify' }>) {
  const options = u.options.slice(0, 2);
  run.s.clarify = { options };
  const labels = options.map((o) => optionLabel(run, o));
  run.say(run.t('clarify_question', { first: labels[0] ?? '', second: labels[1] ?? '' }));
  run.offer(options.map((o, i): Choice => ({ id: `q:${o}`, label: labels[i]! })));
}

/** The reading the answer to a clarifying question picks: its button, 1/2, yes/no, or one of the two named. */
export function resolveClarify(run: Run, turn: Turn): Intent | undefined {
  const options = run.s.clarify?.options ?? [];
  if (turn.choiceId?.startsWith('q:')) {
    const picked = turn.choiceId.slice(2) as Intent;
    return options.includes(picked) ? picked : undefined;
  }
  const n = turn.text.replace(/[().\s]/g, '');
  if (n === '1' || n === '2') return options[Number(n) - 1];
  const readings = readIntents(turn.text);
  const named = readings.find((r) => options.includes(r.intent) && r.intent !== 'yes' && r.intent !== 'no');
  if (named) return named.intent;
  if (readings.some((r) => r.intent === 'yes')) return options[0];
  if (readings.some((r) => r.intent === 'no')) return options[1];
  return undefined;
}

// ── buttons pressed on an earlier message ────────────────────────────────

/**
 * Whether a pressed button still makes sense now. Menu items work at any calm point (the
 * menu, the FAQ list, after an answer); FAQ entries work anywhere; every other button only
 * in the step that showed it.
 */
export function buttonFits(run: Run, choiceId: string): boolean {
  const s = run.s;
  const [prefix, rest = ''] = [choiceId.slice(0, choiceId.indexOf(':')), choiceId.slice(choiceId.indexOf(':') + 1)];
  switch (prefix) {
    case 'm':
      return (s.mode === 'menu' || s.mode === 'faq' || s.mode === 'new') && run.flow.menu.some((m) => m.action === rest);
    case 'f':
      return run.flow.faq.some((f) => f.id === rest);
    case 'o': {
      const field = s.mode === 'form' ? currentField(run) : undefined;
      return field?.type === 'choice' && field.options.some((o) => o.id === rest);
    }
    case 'r':
      return s.mode === 'review';
    case 'c':
      return s.mode === 'pick_correction';
    case 'a':
      return s.mode === 'offer_agent';
    case 's': {
      const q = s.mode === 'survey' && s.survey ? run.flow.survey.questions[s.survey.index] : undefined;
      return q?.type === 'rating';
    }
    case 'q':
      return !!s.clarify?.options.includes(rest as Intent);
    default:
      return false;
  }
}

/** A pressed button: done if it still fits, else "that choice is no longer open" and the current question. */
export function onButton(run: Run, turn: Turn) {
  const s = run.s;
  const id = turn.choiceId ?? '';
  if (!buttonFits(run, id)) {
    run.hear('stale', `stale: button '${id}' does not apply in ${s.mode}`);
    run.say(run.t('choice_stale'));
    return reprompt(run);
  }
  if (id.startsWith('q:')) {
    const intent = resolveClarify(run, turn)!;
    run.hear(`intent:${intent}`, `${intent}: picked from the clarifying question`);
    return onIntent(run, intent, turn);
  }
  s.clarify = undefined;
  if (id.startsWith('f:') && s.mode !== 'faq' && s.mode !== 'menu' && s.mode !== 'new') {
    const entry = run.flow.faq.find((f) => `f:${f.id}` === id)!;
    run.hear('choice', `choice: FAQ button '${id}' from an earlier message`);
    answerFaqEntry(run, entry);
    return reprompt(run);
  }
  run.hear('choice', `choice: button '${id}'`);
  if (s.mode === 'new') s.mode = 'menu';
  if (id.startsWith('f:') && s.mode === 'menu') {
    answerFaqEntry(run, run.flow.faq.find((f) => `f:${f.id}` === id)!);
    return run.say(run.t('anything_else'));
  }
  (MODES[s.mode] ?? MODES.menu).message(run, turn);
}
