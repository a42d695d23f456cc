/**
 * The survey and the optional questions as a beneficiary meets them: each rating question's
 * scale in the prompt agrees with its buttons (both come from the flow's labels), the ease
 * question is rated in ease words, and an optional question's skip hint is printed once.
 */
import { describe, expect, it } from 'vitest';
import { FLOWS } from '../support/scenario.ts';
import { Driver } from '../support/driver.ts';
import { validAnswers } from '../support/answers.ts';

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('survey scales and skip hints, in every flow', () => {
  for (const flow of FLOWS.values()) {
    it(`${flow.id}: the legend in each rating prompt names the first and last button`, () => {
      for (const lang of ['ar', 'en'] as const) {
        const d = new Driver(flow, lang);
        d.send(lang === 'ar' ? 'مرحبا' : 'hello');
        d.input({ type: 'survey_invite', reference: 'X-1' });
        for (const q of flow.survey.questions) {
          const reply = d.reply();
          if (q.type === 'rating') {
            const labels = q.labels!.map((l) => l[lang]);
            expect(reply, `${q.id} ${lang}`).toContain(`(1 = ${labels[0]}${lang === 'ar' ? '،' : ','} ${q.scale} = ${labels[q.scale - 1]})`);
            labels.forEach((label, i) => expect(reply, `${q.id} ${lang} button ${i + 1}`).toContain(`${i + 1}. ${label}`));
            d.send('4');
          } else {
            expect(count(reply, lang === 'ar' ? '«تخطي»' : '"skip"'), `${q.id} ${lang}: one skip hint`).toBe(1);
            d.send(lang === 'ar' ? 'تخطي' : 'skip');
          }
        }
        expect(d.state.mode).toBe('menu');
      }
    });

    it(`${flow.id}: procedures are rated from very difficult to very easy`, () => {
      const ease = flow.survey.questions.find((q) => q.id === 'ease_of_procedures');
      expect(ease?.type).toBe('rating');
      if (ease?.type !== 'rating') return;
      expect(ease.labels!.map((l) => l.ar)).toEqual(['صعبة جدًا', 'صعبة', 'متوسطة', 'سهلة', 'سهلة جدًا']);
      expect(ease.labels![4]!.en).toBe('Very easy');
    });

    it(`${flow.id}: every optional form question shows the skip hint exactly once`, () => {
      const d = new Driver(flow, 'ar');
      d.send('مرحبا');
      d.send('1');
      const answers = validAnswers(flow, 'intake', d.now);
      flow.intake.fields.forEach((field, i) => {
        const prompt = d.reply().replace(flow.intake.intro.ar, ''); // the intro explains skipping once, for the whole form
        expect(count(prompt, '«تخطي»'), `${field.id}: ${prompt}`).toBe(field.required ? 0 : 1);
        const a = answers[i]!;
        if ('file' in a) d.file();
        else d.send(a.text);
      });
    });
  }
});
