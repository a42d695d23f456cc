/**
 * An optional question answered with "no" or "nothing to add", in the words people use, is
 * skipped — never stored as the answer ("ملاحظات: لا شكرا" on a request).
 */
import { describe, expect, it } from 'vitest';
import { validAnswers } from '../support/answers.ts';
import { Driver } from '../support/driver.ts';
import { FLOWS } from '../support/scenario.ts';

const NOW = new Date('2026-11-22T09:00:00+03:00');
const flow = FLOWS.get('green-energy')!;

function atNotes(): Driver {
  const d = new Driver(flow, 'ar');
  d.send('السلام عليكم');
  d.send('', { choiceId: 'm:apply' });
  const answers = validAnswers(flow, 'intake', NOW);
  for (const [i, field] of flow.intake.fields.entries()) {
    if (field.id === 'notes') return d;
    const a = answers[i]!;
    if ('file' in a) d.file();
    else d.send(a.text);
  }
  throw new Error('no notes field');
}

describe('skipping an optional question', () => {
  for (const text of ['لا شكرا', 'لا', 'ما عندي', 'مافي', 'لا يوجد', 'no thanks', 'Nothing', 'تخطي']) {
    it(`"${text}" skips it`, () => {
      const d = atNotes();
      d.send(text);
      expect(d.events()).toContain('field_skipped');
      expect(d.events()).not.toContain('field_accepted');
      expect(d.state.mode).toBe('review');
    });
  }

  it('a real note is kept as written', () => {
    const d = atNotes();
    d.send('لا أستطيع الحضور يوم الأحد');
    expect(d.events()).toContain('field_accepted');
  });
});
