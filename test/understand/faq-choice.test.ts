/**
 * Two close FAQs are both offered: the engine asks "هل تقصد:" / "Did you mean:" with the two
 * entries as buttons (f:<id>), says it took the message as `faq_choice`, and a button then
 * answers that entry — from the menu, from the FAQ list, and from a later step.
 */
import { describe, expect, it } from 'vitest';
import { findFaq } from '../../src/engine/faq.ts';
import type { EngineEvent } from '../../src/engine/types.ts';
import { Driver } from '../support/driver.ts';
import { FLOWS } from '../support/scenario.ts';

const understood = (d: Driver) => d.last.filter((e): e is Extract<EngineEvent, { type: 'understood' }> => e.type === 'understood');
const choices = (d: Driver) => d.last.flatMap((e) => (e.type === 'reply' ? (e.choices ?? []) : []));

for (const [id, flow] of [...FLOWS.entries()].sort()) {
  describe(`two close FAQs offered (${id})`, () => {
    const question = 'association goals';
    const close = findFaq(flow, question);

    it('the matcher finds the two entries close for this question', () => {
      expect(close.kind).toBe('two');
    });

    it('at the menu both are offered as buttons with one short question, and a button answers', () => {
      if (close.kind !== 'two') return;
      const d = new Driver(flow, 'en');
      d.send('hello');
      const reply = d.send(question);
      expect(understood(d)).toHaveLength(1);
      expect(understood(d)[0]!.as).toBe('faq_choice');
      expect(reply.split('\n')[0]).toBe('Did you mean:');
      expect(d.events()).not.toContain('faq_answered');
      const ids = choices(d).map((c) => c.id).sort();
      expect(ids).toEqual(close.entries.map((e) => `f:${e.id}`).sort());
      // the button answers its entry
      d.send('', { choiceId: `f:${close.entries[1].id}` });
      const answered = d.last.find((e) => e.type === 'faq_answered');
      expect(answered && answered.type === 'faq_answered' ? answered.faq : undefined).toBe(close.entries[1].id);
    });

    it('in Arabic from the FAQ list the question is Arabic, and one clear question still answers at once', () => {
      if (close.kind !== 'two') return;
      const d = new Driver(flow, 'ar');
      d.send('السلام عليكم');
      d.send('', { choiceId: 'm:faq' });
      const reply = d.send(question);
      expect(reply.split('\n')[0]).toBe('هل تقصد:');
      expect(choices(d)).toHaveLength(2);
      d.send('', { choiceId: `f:${close.entries[0].id}` });
      expect(d.events()).toContain('faq_answered');
      // an unambiguous question is answered directly, with no choice
      const one = flow.faq.find((f) => findFaq(flow, f.question.ar).kind === 'one')!;
      d.send(one.question.ar);
      expect(understood(d)[0]!.as).toBe('faq');
      expect(d.events()).toContain('faq_answered');
    });
  });
}
