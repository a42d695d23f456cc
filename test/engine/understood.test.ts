/**
 * The understanding layer inside the engine, in each of the five associations: one
 * `understood` event per message, the acceptance criteria (a person asked for at the
 * national-ID question, "لا تراسلوني" from anywhere), help, greetings, yes/no at the review
 * and the offer, clarifying questions and buttons pressed on an earlier message.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/types.ts';
import type { FlowFile } from '../../src/flows/schema.ts';
import { validAnswers } from '../support/answers.ts';
import { Driver } from '../support/driver.ts';
import { FLOWS } from '../support/scenario.ts';

const NOW = new Date('2026-11-22T09:00:00+03:00');

function understood(d: Driver) {
  const all = d.last.filter((e): e is Extract<EngineEvent, { type: 'understood' }> => e.type === 'understood');
  expect(all, 'exactly one understood event per message').toHaveLength(1);
  return all[0]!;
}

/** A driver at the menu, then in the intake form at `fieldId` (or at the review when omitted). */
function at(flow: FlowFile, fieldId?: string): Driver {
  const d = new Driver(flow, 'ar');
  d.send('السلام عليكم');
  d.send('', { choiceId: 'm:apply' });
  const answers = validAnswers(flow, 'intake', NOW);
  for (const [i, field] of flow.intake.fields.entries()) {
    if (field.id === fieldId) return d;
    const a = answers[i]!;
    if ('file' in a) d.file();
    else d.send(a.text);
  }
  return d;
}

for (const [id, flow] of [...FLOWS.entries()].sort()) {
  const textField = flow.intake.fields.find((f) => f.type === 'text')!;
  const idField = flow.intake.fields.find((f) => f.id === 'national_id')!;

  describe(`${id}: understood`, () => {
    it('"ابي اكلم موظف" at the national-ID question hands the conversation to a person', () => {
      const d = at(flow, 'national_id');
      d.send('ابي اكلم موظف');
      expect(understood(d)).toMatchObject({ as: 'intent:agent' });
      expect(understood(d).reason).toMatch(/^agent:/);
      expect(d.last).toContainEqual({ type: 'escalated', reason: 'requested', field: 'national_id' });
      expect(d.state.mode).toBe('waiting_staff');
      expect(d.events()).not.toContain('field_rejected');
    });

    it('"لا تراسلوني" opts out from the menu, a value question, a free-text question, the review, the offer, while waiting and in the survey', () => {
      const places: [string, () => Driver][] = [
        ['menu', () => { const d = new Driver(flow); d.send('مرحبا'); return d; }],
        ['national_id', () => at(flow, 'national_id')],
        [textField.id, () => at(flow, textField.id)],
        ['review', () => at(flow)],
        ['offer', () => { const d = at(flow, 'national_id'); for (let i = 0; i < flow.escalation.max_failed_answers; i++) d.send('abc'); expect(d.state.mode).toBe('offer_agent'); return d; }],
        ['waiting', () => { const d = new Driver(flow); d.send('مرحبا'); d.send('', { choiceId: 'm:agent' }); return d; }],
        ['survey', () => { const d = new Driver(flow); d.send('مرحبا'); d.input({ type: 'survey_invite', reference: 'X-1' }); return d; }],
      ];
      for (const [where, make] of places) {
        const d = make();
        d.send('لا تراسلوني');
        expect(d.events(), where).toContain('opted_out');
        expect(understood(d).as, where).toBe('intent:stop');
        expect(d.state.mode, where).toBe('opted_out');
      }
    });

    it('a greeting in the middle of the form gets a short reply and the question again, not a rejection', () => {
      const d = at(flow, 'national_id');
      const reply = d.send('السلام عليكم');
      expect(understood(d).as).toBe('intent:greeting');
      expect(reply).toContain('وعليكم السلام');
      expect(reply).toContain(idField.prompt.ar.slice(0, 20));
      expect(d.events()).not.toContain('field_rejected');
    });

    it('"ما فهمت" at a value question gives the field and its example, and asks again', () => {
      const d = at(flow, 'national_id');
      const reply = d.send('ما فهمت');
      expect(understood(d).as).toBe('intent:help');
      expect(reply).toContain(idField.label.ar);
      expect(reply).toContain(idField.prompt.ar.slice(0, 20));
      expect(d.events()).not.toContain('field_rejected');
    });

    it('a name with a job word is an answer at a free-text question', () => {
      const d = at(flow, textField.id);
      d.send('عبدالله موظف');
      expect(understood(d).as).toBe('answer');
      expect(d.events()).not.toContain('escalated');
    });

    it('Gulf yes at the review submits; "فيه غلط" picks a detail to correct', () => {
      const d = at(flow);
      expect(d.state.mode).toBe('review');
      d.send('فيه غلط');
      expect(understood(d).as).toBe('intent:correct');
      expect(d.state.mode).toBe('pick_correction');
      const e = at(flow);
      e.send('ايوه');
      expect(understood(e).as).toBe('intent:yes');
      expect(e.events()).toContain('request_submitted');
    });

    it('"ايه" at the offer of a person escalates; "لا شكرا" goes back to the question', () => {
      const make = () => {
        const d = at(flow, 'national_id');
        for (let i = 0; i < flow.escalation.max_failed_answers; i++) d.send('abc');
        return d;
      };
      const d = make();
      d.send('ايه');
      expect(d.events()).toContain('escalated');
      const e = make();
      const reply = e.send('لا شكرا');
      expect(understood(e).as).toBe('intent:no');
      expect(e.state.mode).toBe('form');
      expect(reply).toContain(idField.prompt.ar.slice(0, 20));
    });

    it('a question typed at a free-text question gets its FAQ answer and the question again', () => {
      const entry = flow.faq.find((f) => f.question.ar.trim().endsWith('؟'))!;
      const d = at(flow, textField.id);
      const reply = d.send(entry.question.ar);
      expect(understood(d).as).toBe('faq');
      expect(d.events()).toContain('faq_answered');
      expect(d.events()).not.toContain('field_accepted');
      expect(reply).toContain(textField.prompt.ar.slice(0, 20));
    });
  });
}

describe('two readings: one short question with two buttons', () => {
  const flow = FLOWS.get('qalam')!;
  it('"الغاء" mid-form asks: back to the menu, or stop messages? "2" stops', () => {
    const d = at(flow, 'national_id');
    d.send('الغاء');
    expect(understood(d).as).toBe('clarify');
    const reply = d.last.find((e) => e.type === 'reply');
    expect(reply && reply.type === 'reply' && reply.choices?.map((c) => c.id)).toEqual(['q:menu', 'q:stop']);
    expect(d.state.clarify).toEqual({ options: ['menu', 'stop'] });
    d.send('2');
    expect(understood(d).as).toBe('intent:stop');
    expect(d.events()).toContain('opted_out');
    expect(d.state.clarify).toBeUndefined();
  });
  it('the button of the first reading goes back to the menu', () => {
    const d = at(flow, 'national_id');
    d.send('cancel');
    d.send('', { choiceId: 'q:menu' });
    expect(understood(d).as).toBe('intent:menu');
    expect(d.state.mode).toBe('menu');
  });
  it('an answer that picks neither is taken as it is', () => {
    const d = at(flow, 'national_id');
    d.send('الغاء');
    d.send('1012345672');
    expect(d.state.clarify).toBeUndefined();
    expect(understood(d).as).toBe('answer');
  });
});

describe('buttons pressed on an earlier message', () => {
  const flow = FLOWS.get('sidr')!;
  it('a menu button in the middle of the form is no longer open: said so, and the question again; never "not understood"', () => {
    const d = at(flow, 'national_id');
    const before = d.state.notUnderstood;
    const reply = d.send('', { choiceId: 'm:faq' });
    expect(understood(d)).toMatchObject({ as: 'stale' });
    expect(reply).toContain('هذا الخيار لم يعد متاحًا');
    expect(reply).toContain(flow.intake.fields.find((f) => f.id === 'national_id')!.prompt.ar.slice(0, 20));
    expect(d.events()).not.toContain('not_understood');
    expect(d.state.notUnderstood).toBe(before);
    expect(d.state.mode).toBe('form');
  });
  it('in English too', () => {
    const d = new Driver(flow, 'en');
    d.send('hello');
    const reply = d.send('', { choiceId: 'r:confirm' });
    expect(understood(d).as).toBe('stale');
    expect(reply).toContain('That choice is no longer open');
    expect(d.state.mode).toBe('menu');
  });
  it('a review button after the request was sent, pressed again and again, never offers a person', () => {
    const d = at(flow);
    d.send('', { choiceId: 'r:confirm' });
    expect(d.events()).toContain('request_submitted');
    for (let i = 0; i < 5; i++) {
      d.send('', { choiceId: 'r:confirm' });
      expect(understood(d).as).toBe('stale');
      expect(d.events()).not.toContain('request_submitted');
      expect(d.state.mode).toBe('menu');
    }
  });
  it('an FAQ button still answers, mid-form too, and the form goes on', () => {
    const d = at(flow, 'national_id');
    const entry = flow.faq[0]!;
    const reply = d.send('', { choiceId: `f:${entry.id}` });
    expect(understood(d).as).toBe('choice');
    expect(d.last).toContainEqual({ type: 'faq_answered', faq: entry.id });
    expect(reply).toContain(flow.intake.fields.find((f) => f.id === 'national_id')!.prompt.ar.slice(0, 20));
    expect(d.state.mode).toBe('form');
  });
  it('a menu button at a calm point still does what it said', () => {
    const d = at(flow);
    d.send('', { choiceId: 'r:confirm' });
    d.send('', { choiceId: 'm:faq' });
    expect(understood(d).as).toBe('choice');
    expect(d.state.mode).toBe('faq');
  });
  it('an option button of another question is no longer open', () => {
    const d = at(flow, 'national_id');
    d.send('', { choiceId: 'o:nothing' });
    expect(understood(d).as).toBe('stale');
    expect(d.events()).not.toContain('field_accepted');
  });
});
