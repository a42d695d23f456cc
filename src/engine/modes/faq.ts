/** The FAQ list, and FAQ answers to questions typed anywhere. */
import type { FlowFile } from '../../flows/schema.ts';
import { looksLikeQuestion } from '../../understand/index.ts';
import { validateChoice } from '../../validate/choice.ts';
import { findFaq, matchFaq } from '../faq.ts';
import { faqAnswer } from '../faq-answers.ts';
import type { Answer, Run } from '../run.ts';
import { doAction, menuAction, notUnderstood } from './menu.ts';

export function showFaqList(run: Run) {
  run.s.mode = 'faq';
  run.say(run.t('faq_list'));
  run.offer(run.flow.faq.map((f) => ({ id: `f:${f.id}`, label: run.pick(f.question) })));
}

/**
 * Answers a typed question from the FAQ, with "anything else?"; when two entries are close
 * it asks which one was meant, with both as buttons (a button answers from anywhere); false
 * when none matches.
 */
export function answerFaq(run: Run, text: string): boolean {
  const found = findFaq(run.flow, text);
  if (found.kind === 'none') return false;
  run.s.notUnderstood = 0;
  if (found.kind === 'two') {
    const [a, b] = found.entries;
    run.hear('faq_choice', `faq_choice: two close FAQs '${a.id}' and '${b.id}'`);
    run.say(run.t('faq_did_you_mean'));
    run.offer(found.entries.map((f) => ({ id: `f:${f.id}`, label: run.pick(f.question) })));
    return true;
  }
  const entry = found.entry;
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

/** "رقم 3", "السؤال الثاني", "the first one": a short pick from the list by its position. */
function byOrdinal(faq: FlowFile['faq'], text: string): FlowFile['faq'][number] | undefined {
  if (!text || text.split(/\s+/).length > 3) return undefined;
  const positions = faq.map((f, i) => ({ id: f.id, labels: [String(i + 1)] }));
  const result = validateChoice(text.replace(/السؤال|سؤال|question/gi, '').trim() || text, positions);
  return result.ok ? faq.find((f) => f.id === result.value) : undefined;
}

export function onFaq(run: Run, msg: Answer) {
  const faq = run.flow.faq;
  const byButton = msg.choiceId?.startsWith('f:') ? faq.find((f) => `f:${f.id}` === msg.choiceId) : undefined;
  const picked =
    byButton ??
    (/^\(?\d{1,2}[.)]?$/.test(msg.text)
      ? faq[Number(msg.text.replace(/\D/g, '')) - 1]
      : undefined) ??
    byOrdinal(faq, msg.text);
  if (picked) {
    run.s.notUnderstood = 0;
    run.emit({ type: 'faq_answered', faq: picked.id });
    run.say(run.L(faqAnswer(run.flow, picked)));
    return run.say(run.t('anything_else'));
  }
  // "ابي اقدم طلب" asks for a menu item; "كيف اقدم طلب؟" asks a question.
  const action = /^\d/.test(msg.text) ? undefined : menuAction(run, { text: msg.text, choiceId: msg.choiceId });
  if (action && !looksLikeQuestion(msg.text)) {
    run.s.mode = 'menu';
    return doAction(run, action);
  }
  if (answerFaq(run, msg.text)) return;
  if (action) {
    run.s.mode = 'menu';
    return doAction(run, action);
  }
  notUnderstood(run, msg);
}
