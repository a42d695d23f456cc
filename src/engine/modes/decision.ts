/** Staff decisions on a request, and corrections staff ask the beneficiary for. */
import type { Run } from '../run.ts';
import type { FieldValue } from '../types.ts';
import { promptField, requestReminder } from './form.ts';

/** Tells the decision, unless the beneficiary opted out (then it is held). */
export function onDecision(run: Run, reference: string, outcome: 'accepted' | 'rejected', reason?: string) {
  const held = run.s.mode === 'opted_out';
  run.emit({ type: 'decision_sent', reference, outcome, held });
  if (held) return;
  run.say(run.t(outcome === 'accepted' ? 'decision_accepted' : 'decision_rejected', { reference, reason: reason ?? '—' }));
}

/** Opens a correction draft limited to the named fields, and asks the first unless busy. */
export function onCorrectionsRequested(run: Run, reference: string, fields: string[], data: Record<string, FieldValue>, note?: string) {
  const s = run.s;
  const form = run.flow.intake;
  const only = form.fields.filter((f) => fields.includes(f.id)).map((f) => f.id);
  if (only.length === 0) return;
  const first = form.fields.findIndex((f) => f.id === only[0]);
  s.drafts.correction = { form: 'intake', index: first, data: { ...data }, failures: 0, only, reference, reminded: false, startedAt: run.ctx.now.toISOString() };
  if (s.mode === 'opted_out') return;
  const labels = form.fields.filter((f) => only.includes(f.id)).map((f) => run.pick(f.label)).join('، ');
  run.say(run.t('corrections_intro', { reference, fields: labels }) + (note ? `\n${note}` : ''));
  if (s.mode === 'with_staff' || s.mode === 'waiting_staff') return;
  s.activeDraft = 'correction';
  s.mode = 'form';
  requestReminder(run);
  promptField(run);
}
