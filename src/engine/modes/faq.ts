/** The FAQ list, and FAQ answers to questions typed anywhere. */
import type { FlowFile } from '../../flows/schema.ts';
import { matchFaq } from '../faq.ts';
import { faqAnswer } from '../faq-answers.ts';
import type { Answer, Run } from '../run.ts';
import { doAction, menuAction, notUnderstood } from './menu.ts';

export function showFaqList(run: Run) {
  run.s.mode = 'faq';
  run.say(run.t('faq_list'));
  run.offer(run.flow.faq.map((f) => ({ id: `f:${f.id}`, label: f.question[run.lang] })));
}

/** Answers a typed question from the FAQ, with "anything else?"; false when none matches. */
export function answerFaq(run: Run, text: string): boolean {
  const entry = matchFaq(run.flow, text);
  if (!entry) return false;
  run.s.notUnderstood = 0;
  run.emit({ type: 'faq_answered', faq: entry.id });
  run.say(run.L(faqAnswer(run.flow, entry)));
  run.say(run.t('anything_else'));
  return true;
}

/** Gives one FAQ's answer (a button pressed, or a question matched); the caller says what follows. */
export function answerFaqEntry(run: Run, entry: FlowFile['faq'][number]) {
  run.s.notUnderstood = 0;
  run.emit({ type: 'faq_answered', faq: entry.id });
  run.say(run.L(faqAnswer(run.flow, entry)));
}

/** Answers a question asked in the middle of a form; the caller asks its question again. */
export function answerFaqInline(run: Run, text: string): boolean {
  const entry = matchFaq(run.flow, text);
  if (!entry) return false;
  run.emit({ type: 'faq_answered', faq: entry.id });
  run.say(run.L(faqAnswer(run.flow, entry)));
  return true;
}

export function onFaq(run: Run, msg: Answer) {
  const faq = run.flow.faq;
  const byButton = msg.choiceId?.startsWith('f:') ? faq.find((f) => `f:${f.id}` === msg.choiceId) : undefined;
  const picked =
    byButton ??
    (/^\(?\d{1,2}[.)]?$/.test(msg.text)
      ? faq[Number(msg.text.replace(/\D/g, '')) - 1]
      : undefined);
  if (picked) {
    run.s.notUnderstood = 0;
    run.emit({ type: 'faq_answered', faq: picked.id });
    run.say(run.L(faqAnswer(run.flow, picked)));
    return run.say(run.t('anything_else'));
  }
  if (answerFaq(run, msg.text)) return;
  const action = menuAction(run, { text: msg.text, choiceId: msg.choiceId });
  if (action && !/^\d/.test(msg.text)) {
    run.s.mode = 'menu';
    return doAction(run, action);
  }
  notUnderstood(run, msg);
}
