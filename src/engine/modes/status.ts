/** The beneficiary's requests and their status, and an open intake draft. */
import { localDate } from '../hours.ts';
import { statusLabel } from '../messages.ts';
import type { Run } from '../run.ts';
import { progressOf } from './form.ts';

export function showStatus(run: Run) {
  run.emit({ type: 'status_requested' });
  const requests = [...run.ctx.requests].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt)).slice(0, 5);
  if (requests.length === 0) {
    run.say(run.t('status_none'));
  } else {
    const lines = requests.map((r) => {
      let line = run.t('status_line', { reference: r.reference, status: statusLabel(r.status, run.lang), date: localDay(run, r.submittedAt) });
      if (r.reason && (r.status === 'rejected' || r.status === 'more_info')) line += ` — ${r.reason}`;
      return line;
    });
    run.say([run.t('status_header'), ...lines].join('\n'));
  }
  const draft = run.s.drafts.intake;
  if (draft) {
    const apply = run.flow.menu.find((m) => m.action === 'apply');
    run.say(run.t('status_draft', { form: run.pick(run.flow.intake.title), ...progressOf(run, draft), apply: (apply ? run.pick(apply.label) : '') }));
  }
}

/** The day of a stored time in the association's time zone, YYYY-MM-DD. */
function localDay(run: Run, iso: string): string {
  return localDate(run.flow.working_hours.timezone, new Date(iso)) ?? String(iso).slice(0, 10);
}
