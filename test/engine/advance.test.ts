import { describe, expect, it } from 'vitest';
import { advance, initialState } from '../../src/engine/advance.ts';
import { rejectionText } from '../../src/engine/fields.ts';
import { hijriYearIn } from '../../src/engine/hours.ts';
import { globalWord } from '../../src/engine/words.ts';
import { gregorianToHijri } from '../../src/validate/date.ts';
import type { Field } from '../../src/flows/schema.ts';
import { FLOWS } from '../support/scenario.ts';
import { Driver } from '../support/driver.ts';
import { validAnswers } from '../support/answers.ts';
import { faqAnswerText } from '../../src/engine/faq-answers.ts';

const flow = FLOWS.get('saudi-exhibitions')!;
const REVIEW_INTRO = 'الرجاء مراجعة بياناتك:';

/** Answers the intake's first `count` fields (all when omitted). */
function fill(d: Driver, count = Infinity) {
  validAnswers(d.flow, 'intake', d.now)
    .slice(0, count)
    .forEach((a) => ('file' in a ? d.file() : d.send(a.text)));
}

function started(lang: 'ar' | 'en' = 'ar') {
  const d = new Driver(flow, lang);
  d.send(lang === 'ar' ? 'مرحبا' : 'hello');
  return d;
}

describe('greeting, language and menu', () => {
  it('greets by the association\'s name and shows the menu on first contact', () => {
    const d = new Driver(flow);
    const reply = d.send('السلام عليكم');
    expect(reply).toContain(flow.name.ar);
    expect(reply).toContain(`1. ${flow.menu[0]!.label.ar}`);
    expect(d.state.mode).toBe('menu');
  });

  it('answers a question asked in the very first message after the greeting', () => {
    const d = new Driver(flow);
    const faq = flow.faq[0]!;
    const reply = d.send(faq.question.ar);
    expect(reply).toContain(flow.name.ar);
    expect(reply).toContain(faqAnswerText(flow, faq, 'ar').slice(0, 30));
  });

  it('switches language with a global word and asks the current step again in the new language', () => {
    const d = started();
    d.send('1');
    fill(d, 1); // at national_id: a language word cannot be an answer there
    const reply = d.send('English');
    expect(d.state.lang).toBe('en');
    expect(reply).toContain(flow.intake.fields[1]!.prompt.en);
    expect(d.events()).toContain('language_changed');
    expect(d.send('عربي')).toContain(flow.intake.fields[1]!.prompt.ar);
  });

  it('opens the menu with "menu" from inside the intake and keeps the answers', () => {
    const d = started();
    d.send('1');
    fill(d, 2);
    expect(d.send('القائمة')).toContain(`1. ${flow.menu[0]!.label.ar}`);
    expect(d.state.drafts.intake?.index).toBe(2);
    const resumed = d.send('1');
    expect(resumed).toContain(flow.intake.fields[2]!.prompt.ar);
  });

  it('after two messages it cannot understand, offers the social-research officer', () => {
    const d = started();
    d.send('zzzz qqqq');
    expect(d.events()).toContain('not_understood');
    const reply = d.send('xxxx yyyy');
    expect(reply).toContain(flow.officer.ar);
    expect(d.state.mode).toBe('offer_agent');
  });
});

describe('intake', () => {
  it('rejects a bad answer with a reason and an example, then accepts a good one', () => {
    const d = started();
    d.send('1');
    d.send('محمد عبدالله الأحمد');
    const reply = d.send('123');
    expect(reply).toMatch(/10/);
    expect(reply).toContain('مثال');
    expect(d.events()).toContain('field_rejected');
    d.send('1012345672');
    expect(d.events()).toContain('field_accepted');
  });

  it('offers the officer after three failed answers to one field, and escalates on yes', () => {
    const d = started();
    d.send('1');
    d.send('محمد عبدالله الأحمد');
    d.send('1');
    d.send('12');
    const third = d.send('123');
    expect(third).toContain(flow.officer.ar);
    expect(d.state.mode).toBe('offer_agent');
    d.send('1');
    expect(d.state.mode).toBe('waiting_staff');
    expect(d.last).toContainEqual({ type: 'escalated', reason: 'failed_answers', field: 'national_id' });
  });

  it('declining the officer goes back to the same question with a fresh count', () => {
    const d = started();
    d.send('1');
    d.send('محمد عبدالله الأحمد');
    ['1', '2', '3'].forEach((x) => d.send(x));
    expect(d.send('2')).toContain(flow.intake.fields[1]!.prompt.ar);
    expect(d.state.mode).toBe('form');
    expect(d.state.drafts.intake?.failures).toBe(0);
  });

  it('refuses a file at a text step without counting it as a failure', () => {
    const d = started();
    d.send('1');
    expect(d.file()).toContain('لا تحتاج مرفقًا');
    expect(d.state.drafts.intake?.failures).toBe(0);
  });

  it('refuses a text at the document step and an unsupported file type', () => {
    const d = started();
    d.send('1');
    const mediaIndex = flow.intake.fields.findIndex((f) => f.type === 'media');
    fill(d, mediaIndex);
    expect(d.send('ها هي الهوية')).toContain('مثال');
    expect(d.file('audio/ogg')).toMatch(/صورة|PDF/);
    d.file('image/jpeg');
    expect(d.events()).toContain('field_accepted');
  });

  it('shows a summary with the attestation, corrects a chosen field and submits with an attestation hash', () => {
    const d = started();
    d.send('1');
    fill(d);
    expect(d.state.mode).toBe('review');
    expect(d.reply()).toContain(flow.attestation.ar.slice(0, 20));
    d.send('2');
    expect(d.state.mode).toBe('pick_correction');
    d.send('5'); // the fifth field
    expect(d.reply()).toContain(flow.intake.fields[4]!.prompt.ar);
    const review = d.send('جدة');
    expect(review).toContain('جدة');
    expect(d.state.mode).toBe('review');
    d.send('1');
    const submitted = d.last.find((e) => e.type === 'request_submitted');
    expect(submitted && submitted.type === 'request_submitted' && submitted.attestation.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(submitted && submitted.type === 'request_submitted' && submitted.data[flow.intake.fields[4]!.id]!.value).toBe('جدة');
    expect(d.reply()).toContain(flow.committee.period.ar);
    expect(d.state.drafts.intake).toBeUndefined();
  });

  it('the same data always gives the same attestation hash, different data a different one', () => {
    const hashes = ['الرياض', 'الرياض', 'جدة'].map((city) => {
      const d = started();
      d.send('1');
      const answers = validAnswers(flow, 'intake', d.now);
      answers.forEach((a, i) => ('file' in a ? d.file() : d.send(flow.intake.fields[i]!.id === 'city' ? city : a.text)));
      d.send('1');
      const e = d.last.find((x) => x.type === 'request_submitted');
      return e?.type === 'request_submitted' ? e.attestation.sha256 : '';
    });
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[0]).not.toBe(hashes[2]);
  });

  it('greets a beneficiary back after a long pause and asks the same question again', () => {
    const d = started();
    d.send('1');
    fill(d, 3);
    d.wait(3 * 24 * 3600_000);
    const reply = d.send('السلام عليكم');
    expect(reply).toContain('أهلًا بعودتك');
    expect(reply).toContain(flow.intake.fields[3]!.prompt.ar);
    expect(d.state.drafts.intake?.failures).toBe(0);
  });

  it('sends one gentle reminder for an unfinished intake, not two', () => {
    const d = started();
    d.send('1');
    fill(d, 2);
    expect(d.last).toContainEqual(expect.objectContaining({ type: 'timer_requested', name: 'intake_reminder' }));
    d.wait(flow.timers.intake_reminder_hours * 3600_000);
    d.input({ type: 'timer', name: 'intake_reminder' });
    expect(d.reply()).toContain('تذكير');
    d.wait(flow.timers.intake_reminder_hours * 3600_000);
    d.input({ type: 'timer', name: 'intake_reminder' });
    expect(d.reply()).toBe('');
    expect(d.events()).toContain('timer_ignored');
  });
});

describe('escalation and staff', () => {
  it('escalates on the word from any step, acknowledges once, then stays silent while waiting', () => {
    const d = started();
    d.send('1');
    d.send('موظف');
    expect(d.state.mode).toBe('waiting_staff');
    expect(d.events()).toContain('escalated');
    expect(d.send('أحتاج مساعدة في الطلب')).toContain(flow.officer.ar);
    expect(d.send('هل من أحد؟')).toBe('');
    expect(d.events()).toEqual(['message_for_staff', 'understood']);
  });

  it('names no working hours the association has not confirmed, and does not claim to be closed', () => {
    const d = new Driver(flow, 'ar', '2026-11-27T10:00:00+03:00'); // a Friday
    d.send('مرحبا');
    const reply = d.send('agent');
    expect(reply).toContain('خلال ساعات العمل');
    expect(reply).not.toMatch(/خارج ساعات العمل|الأحد|الخميس|\d\d:\d\d/);
  });

  it('tells confirmed working hours when it is outside them', () => {
    const confirmed = { ...flow, working_hours: { ...flow.working_hours, confirmed: true, start: '09:00', end: '14:00' } };
    const d = new Driver(confirmed, 'ar', '2026-11-27T10:00:00+03:00'); // a Friday
    d.send('مرحبا');
    expect(d.send('agent')).toContain('خارج ساعات العمل (الأحد–الخميس 09:00–14:00)');
  });

  it('is silent while staff hold the conversation, still honours stop, and resumes at the chosen field', () => {
    const d = started();
    d.send('1');
    fill(d, 2);
    d.send('human');
    d.input({ type: 'staff_claimed', staffId: 's1', staffName: 'أ. نورة' });
    expect(d.reply()).toContain('أ. نورة');
    expect(d.send('القائمة')).toBe('');
    expect(d.events()).toEqual(['message_for_staff', 'understood']);
    d.input({ type: 'staff_released', resumeAt: { field: 'full_name' } });
    expect(d.reply()).toContain(flow.intake.fields[0]!.prompt.ar);
    expect(d.state.mode).toBe('form');
  });

  it('cancels waiting with "menu"', () => {
    const d = started();
    d.send('agent');
    d.send('menu');
    expect(d.events()).toContain('escalation_cancelled');
    expect(d.state.mode).toBe('menu');
  });
});

describe('status, decisions, corrections, survey, opt-out', () => {
  it('answers status from the requests it is given, at any step, and asks the step again', () => {
    const d = started();
    d.requests = [{ reference: 'SEC-1448-00007', form: 'intake', status: 'committee', submittedAt: '2026-11-01T10:00:00Z' }];
    d.send('1');
    const reply = d.send('status');
    expect(reply).toContain('SEC-1448-00007');
    expect(reply).toContain('لدى لجنة البحث');
    expect(reply).toContain(flow.intake.fields[0]!.prompt.ar);
  });

  it('sends decisions with the reason, and holds them for an opted-out beneficiary', () => {
    const d = started();
    d.input({ type: 'decision', reference: 'SEC-1448-00001', outcome: 'rejected', reason: 'البيانات غير مكتملة' });
    expect(d.reply()).toContain('البيانات غير مكتملة');
    d.send('إيقاف');
    d.input({ type: 'decision', reference: 'SEC-1448-00001', outcome: 'accepted' });
    expect(d.reply()).toBe('');
    expect(d.last).toContainEqual(expect.objectContaining({ type: 'decision_sent', held: true }));
  });

  it('asks only the fields staff named when more information is needed', () => {
    const d = started();
    d.input({ type: 'corrections_requested', reference: 'SEC-1448-00003', fields: ['mobile', 'city'], data: { full_name: { value: 'محمد', display: 'محمد' } } });
    expect(d.reply()).toContain(flow.intake.fields.find((f) => f.id === 'mobile')!.prompt.ar);
    d.send('0551234567');
    expect(d.reply()).toContain(flow.intake.fields.find((f) => f.id === 'city')!.prompt.ar);
    d.send('الدمام');
    expect(d.state.mode).toBe('review');
    d.send('1');
    const e = d.last.find((x) => x.type === 'request_submitted');
    expect(e).toMatchObject({ reference: 'SEC-1448-00003', corrects: 'SEC-1448-00003' });
  });

  it('runs the satisfaction survey as the beneficiary\'s right, with buttons, numbers or stars', () => {
    const d = started();
    d.input({ type: 'survey_invite', reference: 'SEC-1448-00001' });
    expect(d.reply()).toContain(flow.survey.intro.ar.slice(0, 20));
    d.send('⭐⭐⭐⭐');
    expect(d.last).toContainEqual(expect.objectContaining({ type: 'survey_answered', answer: 4 }));
    d.send('٥');
    for (let i = 0; i < 5 && d.state.mode === 'survey'; i++) d.send('تخطي');
    const done = d.last.find((e) => e.type === 'survey_completed');
    expect(done).toBeDefined();
    expect(d.reply()).toContain(flow.survey.thanks.ar.slice(0, 15));
  });

  it('defers a survey invitation while the beneficiary is filling the form', () => {
    const d = started();
    d.send('1');
    d.input({ type: 'survey_invite', reference: 'SEC-1448-00001' });
    expect(d.events()).toEqual(['survey_deferred']);
    expect(d.state.pendingSurvey).toEqual({ reference: 'SEC-1448-00001' });
  });

  it('stops and starts again with the opt-out words, in both languages', () => {
    const d = started();
    d.send('STOP');
    expect(d.state.mode).toBe('opted_out');
    expect(d.send('مرحبا')).toContain('ابدأ');
    d.send('ابدأ');
    expect(d.state.mode).toBe('menu');
    expect(d.events()).toContain('opted_in');
  });
});

describe('safety', () => {
  it('never throws: a failing reference counter gives an apology and leaves the state as it was', () => {
    const d = started();
    d.send('1');
    fill(d);
    const before = structuredClone(d.state);
    const result = advance(flow, d.state, { type: 'message', messageId: 'x', text: '1' }, {
      now: d.now,
      channel: 'test',
      requests: [],
      nextReference: () => {
        throw new Error('disk full');
      },
    });
    expect(result.state).toEqual(before);
    expect(result.events.map((e) => e.type)).toEqual(['engine_error', 'reply']);
  });

  it('does not change the state object it was given', () => {
    const state = initialState('ar', new Date());
    const copy = structuredClone(state);
    advance(flow, state, { type: 'message', messageId: 'x', text: 'مرحبا' }, { now: new Date(), channel: 't', requests: [], nextReference: () => 'R' });
    expect(state).toEqual(copy);
  });
});

describe('regressions', () => {
  const example = { ar: (e: string) => `مثال: ${e}`, en: (e: string) => `Example: ${e}` };

  it('puts the example label once, with a default example, a flow example, or a flow example already labelled', () => {
    const choice = flow.intake.fields.find((f) => f.type === 'choice')!;
    for (const lang of ['ar', 'en'] as const) {
      const label = lang === 'ar' ? 'مثال:' : 'Example:';
      const texts = [
        rejectionText(choice, { ok: false, code: 'choice_unknown', params: { count: 3 } }, lang, example[lang]),
        rejectionText(flow.intake.fields[1]!, { ok: false, code: 'id_checksum' }, lang, example[lang]),
        rejectionText({ ...flow.intake.fields[1]!, example: { ar: 'مثال: 1012345672', en: 'Example: 1012345672' } } as Field, { ok: false, code: 'id_checksum' }, lang, example[lang]),
      ];
      for (const text of texts) expect(text.split(label).length - 1, text).toBe(1);
      expect(texts[0]).toContain(`${label} 1`);
    }
  });

  it('never submits a request with required answers missing, even from a review reached with gaps', () => {
    const d = started();
    d.send('1');
    fill(d, 1);
    // A review reached by a path that skipped the checks (an older state, a staff tool).
    d.state = { ...d.state, mode: 'review', drafts: { intake: { ...d.state.drafts.intake!, index: flow.intake.fields.length } } };
    const reply = d.send('1');
    expect(d.events()).not.toContain('request_submitted');
    expect(d.state.mode).toBe('form');
    expect(reply).toContain(flow.intake.fields[1]!.prompt.ar);
    expect(d.state.drafts.intake).toBeDefined();
  });

  it('after a staff release to the review with gaps, asks the missing fields and not the answered ones again', () => {
    const d = started();
    d.send('1');
    fill(d); // every field answered
    d.state.drafts.intake!.data = Object.fromEntries(Object.entries(d.state.drafts.intake!.data).filter(([k]) => k !== 'mobile'));
    d.send('human');
    d.input({ type: 'staff_claimed', staffId: 's1' });
    d.input({ type: 'staff_released', resumeAt: 'review' });
    expect(d.state.mode).toBe('form');
    expect(d.reply()).toContain(flow.intake.fields.find((f) => f.id === 'mobile')!.prompt.ar);
    expect(d.reply()).not.toContain(REVIEW_INTRO);
    const reply = d.send('0551234567');
    expect(d.state.mode).toBe('review');
    expect(reply).toContain(REVIEW_INTRO);
    d.send('1');
    expect(d.events()).toContain('request_submitted');
  });

  it('a staff release to the review of half-given corrections asks the rest of the named fields', () => {
    const d = started();
    d.input({ type: 'corrections_requested', reference: 'SEC-1448-00003', fields: ['mobile', 'city'], data: { full_name: { value: 'محمد', display: 'محمد' }, mobile: { value: '+966500000000', display: 'x' }, city: { value: 'جدة', display: 'جدة' } } });
    d.send('0551234567');
    d.send('agent');
    d.input({ type: 'staff_claimed', staffId: 's1' });
    d.input({ type: 'staff_released', resumeAt: 'review' });
    expect(d.state.mode).toBe('form');
    expect(d.reply()).toContain(flow.intake.fields.find((f) => f.id === 'city')!.prompt.ar);
    d.send('الدمام');
    expect(d.state.mode).toBe('review');
    d.send('1');
    expect(d.last.find((e) => e.type === 'request_submitted')).toMatchObject({ corrects: 'SEC-1448-00003' });
  });

  it('shows a status date as the association\'s day (Asia/Riyadh), not the UTC day', () => {
    const d = started();
    d.requests = [{ reference: 'SEC-1448-00009', form: 'intake', status: 'submitted', submittedAt: new Date('2026-11-22T01:30:00+03:00').toISOString() }];
    const reply = d.send('الحالة');
    expect(reply).toContain('2026-11-22');
    expect(reply).not.toContain('2026-11-21');
  });

  it('takes the reference\'s Hijri year from the association\'s day: 01:30 in Riyadh on 1 Muharram 1449', () => {
    const at = new Date('2027-06-06T01:30:00+03:00'); // 1 Muharram 1449 in Riyadh, still 30 Dhu al-Hijjah 1448 in UTC
    expect(gregorianToHijri(at).y).toBe(1448);
    expect(hijriYearIn('Asia/Riyadh', at)).toBe(1449);
  });

  it('shows dates in the review with the markers of the conversation language, also after a switch', () => {
    const d = started();
    d.send('1');
    fill(d); // the birth date is written in Arabic as 15/03/1410 (Hijri)
    d.send('English');
    const reply = d.reply();
    expect(reply).toContain('15/03/1410 AH (14/10/1989)');
    expect(reply).not.toMatch(/هـ| م\)/);
    d.send('عربي');
    expect(d.reply()).toContain('15/03/1410 هـ (14/10/1989 م)');
  });

  it('takes only unambiguous command words at a free-text field', () => {
    for (const text of ['end', 'back', 'cancel', 'English', 'العربية', 'staff', 'person', 'lang', 'رجوع', 'إلغاء', 'quit']) {
      expect(globalWord(text, 'free_text'), text).toBeUndefined();
    }
    for (const [text, word] of [['menu', 'menu'], ['القائمة', 'menu'], ['status', 'status'], ['الحالة', 'status'], ['agent', 'agent'], ['موظف', 'agent'], ['stop', 'stop'], ['إيقاف', 'stop']] as const) {
      expect(globalWord(text, 'free_text'), text).toBe(word);
    }
    expect(globalWord('end', 'form')).toBeUndefined();
    expect(globalWord('English', 'form')).toBe('english');
    expect(globalWord('end')).toBe('stop');
  });

  it('cuts an oversized message and says so', () => {
    const d = new Driver(FLOWS.get('qalam')!);
    d.send('مرحبا');
    const reply = d.send('أ'.repeat(10_000));
    expect(reply).toContain('4000');
    expect(reply).toContain('طويلة جدًا');
    expect(d.send('مرحبا')).not.toContain('طويلة جدًا');
  });
});
