/** The main menu: greeting, the menu and its actions, and what happens when nothing matched. */
import type { FlowFile } from '../../flows/schema.ts';
import { validateChoice } from '../../validate/choice.ts';
import { menuActionWord } from '../../understand/actions.ts';
import { looksLikeQuestion, questionPart } from '../../understand/index.ts';
import type { Answer, Run } from '../run.ts';
import { offerAgent, escalate } from './escalation.ts';
import { answerFaq, showFaqList } from './faq.ts';
import { startForm } from './form.ts';
import { showStatus } from './status.ts';
import { startSurvey } from './survey.ts';

export type MenuAction = FlowFile['menu'][number]['action'];

export function greet(run: Run) {
  run.say(run.L(run.flow.greeting));
}

export function showMenu(run: Run) {
  run.say(run.t('menu_hint'));
  run.offer(run.flow.menu.map((m) => ({ id: `m:${m.action}`, label: run.pick(m.label) })));
}

/** The menu's prompt, from any mode that has nothing of its own to ask. */
export function backToMenu(run: Run) {
  run.s.mode = 'menu';
  showMenu(run);
}

/** The menu item a message picks: its button, its number, its label or a keyword. */
export function menuAction(run: Run, msg: Answer): MenuAction | undefined {
  const menu = run.flow.menu;
  if (msg.choiceId?.startsWith('m:')) {
    const item = menu.find((m) => `m:${m.action}` === msg.choiceId);
    if (item) return item.action;
  }
  if (!msg.text) return undefined;
  const result = validateChoice(
    msg.text,
    menu.map((m) => ({ id: m.action, labels: [m.label.ar, m.label.en, ...(m.keywords?.ar ?? []), ...(m.keywords?.en ?? [])] })),
  );
  if (result.ok) return result.value as MenuAction;
  // "ابي اقدم طلب", "ودي اعطيكم تقييم", "abi atatawa3": an action asked for in words.
  const asked = menuActionWord(msg.text);
  return asked && menu.some((m) => m.action === asked) ? asked : undefined;
}

export function onMenu(run: Run, msg: Answer) {
  // A question ("كيف اقدم طلب؟", "who is the officer?") is answered before it is taken as a menu item.
  // A story ending in a question ("… ابي اسأل وش الاوراق اللي احتاجها عشان اقدم") asks that question.
  if (!msg.choiceId && looksLikeQuestion(msg.text) && (answerFaq(run, msg.text) || answerFaq(run, questionPart(msg.text)))) return;
  const action = menuAction(run, msg);
  if (action) {
    run.s.notUnderstood = 0;
    return doAction(run, action);
  }
  if (answerFaq(run, msg.text)) return;
  notUnderstood(run, msg);
}

export function doAction(run: Run, action: MenuAction) {
  switch (action) {
    case 'apply':
      return startForm(run, 'intake');
    case 'volunteer':
      return startForm(run, 'volunteer');
    case 'faq':
      return showFaqList(run);
    case 'status':
      showStatus(run);
      return run.say(run.t('anything_else'));
    case 'agent':
      return escalate(run, 'requested');
    case 'survey':
      return startSurvey(run, undefined);
    case 'language':
      run.setLang(run.lang === 'ar' ? 'en' : 'ar');
      run.say(run.t('language_switched'));
      return showMenu(run);
  }
}

/** Says so, and after too many misses in a row offers a person. */
export function notUnderstood(run: Run, msg: Answer) {
  const s = run.s;
  s.notUnderstood++;
  run.emit({ type: 'not_understood', text: msg.text.slice(0, 200) });
  if (s.notUnderstood >= run.flow.escalation.max_not_understood) {
    s.notUnderstood = 0;
    return offerAgent(run, 'not_understood');
  }
  run.say(run.t('not_understood'));
  if (s.mode === 'faq') return showFaqList(run);
  backToMenu(run);
}
