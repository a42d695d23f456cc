/**
 * Property tests: whatever arrives, in whatever order, the engine never throws, never
 * reports an internal error, always answers a beneficiary's message (except while staff
 * hold the conversation or after it already said the message is waiting for staff), and
 * its state always survives a JSON round trip (it is stored as JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConversationState, Input } from '../../src/engine/types.ts';
import { advance } from '../../src/engine/advance.ts';
import { FLOWS } from '../support/scenario.ts';
import { Driver } from '../support/driver.ts';
import { validAnswers } from '../support/answers.ts';

const NASTY = [
  '',
  ' ',
  '\u200f\u200e\u202b\u202c',
  '🙂🙂🙂',
  '👨‍👩‍👧‍👦',
  '\ud800',
  'ـــــ',
  'ا'.repeat(100_000),
  '1'.repeat(5000),
  '<script>alert(1)</script>',
  '؟؟؟',
  '٠٠٠٠٠٠٠٠٠٠',
  'null',
  '{"a":1}',
  '0',
  '-1',
  '99999999999999999999',
];
const WORDS = ['القائمة', 'menu', 'الحالة', 'status', 'موظف', 'agent', 'English', 'عربي', 'إيقاف', 'ابدأ', 'تخطي', 'نعم', 'لا', '1', '2', '٣', '9'];
const CHOICE_IDS = ['m:apply', 'm:faq', 'o:other', 'r:confirm', 'r:correct', 'a:yes', 'a:no', 's:5', 'c:city', 'f:nope', 'garbage'];

const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(...NASTY),
  fc.constantFrom(...WORDS),
);

const systemInput: fc.Arbitrary<Exclude<Input, { type: 'message' }>> = fc.oneof(
  fc.record({ type: fc.constant('staff_claimed' as const), staffId: fc.constant('s1') }),
  fc.record({ type: fc.constant('staff_released' as const), resumeAt: fc.constantFrom('menu' as const, 'form' as const, 'review' as const, { field: 'city' }, { field: 'nope' }) }),
  fc.constant({ type: 'staff_resolved' as const }),
  fc.record({ type: fc.constant('decision' as const), reference: fc.constant('R-1'), outcome: fc.constantFrom('accepted' as const, 'rejected' as const), reason: fc.string({ maxLength: 20 }) }),
  fc.record({ type: fc.constant('survey_invite' as const), reference: fc.constant('R-1') }),
  fc.record({ type: fc.constant('timer' as const), name: fc.constantFrom('intake_reminder' as const, 'survey_reminder' as const) }),
  fc.record({ type: fc.constant('corrections_requested' as const), reference: fc.constant('R-1'), fields: fc.constantFrom<string[]>(['city'], ['mobile', 'nope'], []), data: fc.constant({}) }),
);

type Step = { kind: 'text'; text: string } | { kind: 'media'; mime: string; size: number } | { kind: 'press'; id: string; text: string } | { kind: 'system'; input: Exclude<Input, { type: 'message' }> } | { kind: 'wait'; hours: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: text.map((t) => ({ kind: 'text' as const, text: t })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('media' as const), mime: fc.constantFrom('application/pdf', 'image/jpeg', 'audio/ogg', ''), size: fc.integer({ min: 0, max: 50_000_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('press' as const), id: fc.constantFrom(...CHOICE_IDS), text: text }) },
  { weight: 1, arbitrary: systemInput.map((input) => ({ kind: 'system' as const, input })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 24 * 10 }) }) },
);

function silentAllowed(before: ConversationState): boolean {
  return before.mode === 'with_staff' || (before.mode === 'waiting_staff' && Boolean(before.escalation?.acked));
}

function check(d: Driver, s: Step) {
  const before = d.state;
  if (s.kind === 'wait') return d.wait(s.hours * 3600_000);
  if (s.kind === 'system') d.input(s.input);
  else if (s.kind === 'media') d.input({ type: 'message', messageId: 'm', media: { id: 'x', mime: s.mime, size: s.size } });
  else d.input({ type: 'message', messageId: 'm', text: s.kind === 'text' ? s.text : s.text, ...(s.kind === 'press' ? { choiceId: s.id } : {}) });
  const events = d.events();
  expect(events).not.toContain('engine_error');
  if (s.kind !== 'system' && !silentAllowed(before)) expect(d.reply().trim().length, `no reply in mode ${before.mode}`).toBeGreaterThan(0);
  expect(JSON.parse(JSON.stringify(d.state))).toEqual(d.state);
}

describe('engine under random input', () => {
  for (const flow of FLOWS.values()) {
    it(`${flow.id}: random sequences never break it`, () => {
      fc.assert(
        fc.property(fc.constantFrom('ar' as const, 'en' as const), fc.array(step, { minLength: 1, maxLength: 40 }), (lang, steps) => {
          const d = new Driver(flow, lang);
          for (const s of steps) check(d, s);
        }),
        { numRuns: 150 },
      );
    });

    it(`${flow.id}: every step of a full intake survives every nasty string`, () => {
      // Collect the state at every step of a full intake, then hit each one with each string.
      const d = new Driver(flow);
      const states: ConversationState[] = [d.state];
      const record = () => states.push(d.state);
      d.send('مرحبا'), record();
      d.send('1'), record();
      for (const a of validAnswers(flow, 'intake', d.now)) {
        'file' in a ? d.file() : d.send(a.text);
        record();
      }
      d.send('2'), record(); // pick a correction
      d.send('1'), record(); // first field
      d.send('agent'), record();
      d.input({ type: 'staff_claimed', staffId: 's' }), record();
      d.input({ type: 'survey_invite' }), record();
      expect(new Set(states.map((s) => s.mode))).toEqual(new Set(['new', 'menu', 'form', 'review', 'pick_correction', 'waiting_staff', 'with_staff']));
      for (const state of states) {
        for (const t of [...NASTY, ...WORDS]) {
          const result = advance(flow, state, { type: 'message', messageId: 'n', text: t }, { now: new Date(), channel: 't', requests: [], nextReference: () => 'R-1' });
          expect(result.events.map((e) => e.type)).not.toContain('engine_error');
          const reply = result.events.find((e) => e.type === 'reply');
          if (!silentAllowed(state)) expect(reply && reply.type === 'reply' && reply.text.length > 0, `mode ${state.mode}, input ${JSON.stringify(t.slice(0, 20))}`).toBe(true);
        }
      }
    });
  }
});
