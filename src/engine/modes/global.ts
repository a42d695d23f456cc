/** The words that work from any step: language, menu, status, agent, start, stop. */
import type { Run } from '../run.ts';
import type { Lang } from '../types.ts';
import type { GlobalWord, WordPlace } from '../words.ts';
import { escalate, onWaiting } from './escalation.ts';
import { currentField } from './form.ts';
import { reprompt } from './index.ts';
import { greet, showMenu } from './menu.ts';
import { optOut } from './opt-out.ts';
import { showStatus } from './status.ts';

/** Where a global word would land: a free-text answer takes only the unambiguous commands. */
export function wordPlace(run: Run): WordPlace {
  const s = run.s;
  if (s.mode === 'form') return currentField(run)?.type === 'text' ? 'free_text' : 'form';
  if (s.mode === 'survey') {
    const q = s.survey && run.flow.survey.questions[s.survey.index];
    return q?.type === 'text' ? 'free_text' : 'form';
  }
  return 'anywhere';
}

export function onGlobalWord(run: Run, word: GlobalWord, messageId: string) {
  const s = run.s;
  switch (word) {
    case 'english':
    case 'arabic':
    case 'language': {
      const lang: Lang = word === 'english' ? 'en' : word === 'arabic' ? 'ar' : run.lang === 'ar' ? 'en' : 'ar';
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
      return s.mode === 'menu' ? run.say(run.t('anything_else')) : reprompt(run);
    case 'agent':
      if (s.mode === 'waiting_staff') {
        run.emit({ type: 'message_for_staff', messageId });
        return run.say(run.t('already_waiting'));
      }
      return escalate(run, 'requested');
    case 'start':
      if (s.mode === 'waiting_staff') return onWaiting(run, messageId);
      greet(run);
      s.mode = s.mode === 'form' || s.mode === 'review' || s.mode === 'pick_correction' ? s.mode : 'menu';
      return reprompt(run);
    case 'stop':
      return optOut(run);
  }
}
