/** Opting out of messages and back in. */
import type { Run } from '../run.ts';
import { showMenu } from './menu.ts';

export function optOut(run: Run) {
  const s = run.s;
  if (s.mode === 'waiting_staff') s.escalation = undefined;
  s.mode = 'opted_out';
  s.survey = undefined;
  s.offer = undefined;
  run.emit({ type: 'opted_out' });
  run.say(run.t('opted_out'));
}

export function optIn(run: Run) {
  run.s.mode = 'menu';
  run.emit({ type: 'opted_in' });
  run.say(run.t('opted_in'));
  showMenu(run);
}

/** While opted out, anything but the start word gets this notice. The opted_out mode's prompt too. */
export function optedOutNotice(run: Run) {
  run.say(run.t('opted_out_notice'));
}
