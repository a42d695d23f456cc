/**
 * What the loader refuses so the bot says only what the policy says, and says it once:
 * unconfirmed working hours, survey scales that disagree with their labels, a skip hint
 * written into a prompt the bot already adds one to, and an addition presented as a rule.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlows, parseFlow, type FlowProblem } from '../../src/flows/load.ts';
import { DEFAULT_WORKING_HOURS } from '../../src/flows/schema.ts';
import { addWorkingMinutes, describeHours, escalationNotice } from '../../src/engine/hours.ts';
import { say } from '../../src/engine/messages.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FLOWS = loadFlows(join(ROOT, 'flows'));
const source = readFileSync(join(ROOT, 'flows/qalam.yaml'), 'utf8');

function problemsOf(text: string): FlowProblem[] {
  const result = parseFlow(text, 'broken.yaml');
  expect(result.ok, 'the broken flow must not load').toBe(false);
  return result.ok ? [] : result.problems;
}

function withBlock(text: string, block: string): string {
  return text.replace(/^escalation:/m, `${block}\nescalation:`);
}

describe('working hours', () => {
  it('are unknown in every flow, since no seed states them', () => {
    for (const flow of FLOWS.values()) {
      expect(flow.working_hours.confirmed, flow.id).toBe(false);
      expect(flow.working_hours).toEqual(DEFAULT_WORKING_HOURS);
    }
  });

  it('unconfirmed: the escalation reply names no days or times, and does not claim we are closed', () => {
    const friday = new Date('2026-11-27T20:00:00+03:00');
    const notice = escalationNotice(DEFAULT_WORKING_HOURS, friday, 'ar');
    expect(notice.key).toBe('escalated_working_hours');
    const text = say(notice.key, 'ar', { officer: 'مسؤول البحث الاجتماعي', ...notice.params });
    expect(text).toContain('خلال ساعات العمل');
    expect(text).not.toMatch(/الأحد|الخميس|\d\d:\d\d|خارج ساعات العمل/);
    expect(say(notice.key, 'en', { officer: 'social research officer' })).not.toMatch(/Sunday|Thursday|\d\d:\d\d|outside/);
  });

  it('unconfirmed hours still drive the SLA timer (30 working minutes from Friday night land on Sunday 08:30)', () => {
    const due = addWorkingMinutes(DEFAULT_WORKING_HOURS, new Date('2026-11-27T20:00:00+03:00'), 30);
    expect(due.toISOString()).toBe('2026-11-29T05:30:00.000Z');
  });

  it('a working_hours block the association wrote is confirmed and told', () => {
    const text = withBlock(source, 'working_hours:\n  days: [sun, mon, tue, wed, thu]\n  start: "09:00"\n  end: "14:00"\n');
    const result = parseFlow(text, 'qalam.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.flow.working_hours.confirmed).toBe(true);
    const notice = escalationNotice(result.flow.working_hours, new Date('2026-11-27T20:00:00+03:00'), 'ar');
    expect(notice.key).toBe('escalated_closed');
    expect(notice.params.hours).toBe('الأحد–الخميس 09:00–14:00');
    expect(escalationNotice(result.flow.working_hours, new Date('2026-11-29T10:00:00+03:00'), 'en').key).toBe('escalated_open');
  });

  it('describes confirmed days as a range only when they follow each other', () => {
    const base = { ...DEFAULT_WORKING_HOURS, confirmed: true };
    expect(describeHours({ ...base, days: ['sun', 'mon', 'tue', 'wed', 'thu'] }, 'en')).toBe('Sunday–Thursday 08:00–15:00');
    expect(describeHours({ ...base, days: ['sun', 'tue'] }, 'ar')).toBe('الأحد، الثلاثاء 08:00–15:00');
    expect(describeHours({ ...base, days: ['sat', 'sun'] }, 'en')).toBe('Sunday, Saturday 08:00–15:00');
  });

  it('still refuses hours that end before they start', () => {
    const text = withBlock(source, 'working_hours:\n  days: [sun]\n  start: "15:00"\n  end: "08:00"\n');
    expect(problemsOf(text).map((p) => p.field)).toContain('working_hours.end');
  });
});

describe('survey scales', () => {
  it('every rating question has one label per point, worded for its question', () => {
    for (const flow of FLOWS.values()) {
      const ratings = flow.survey.questions.filter((q) => q.type === 'rating');
      for (const q of ratings) {
        expect(q.labels?.length, `${flow.id}.${q.id}`).toBe(q.scale);
        expect(q.prompt.ar, `${flow.id}.${q.id}: the bot adds the scale`).not.toMatch(/[0-9٠-٩]/);
      }
      const ease = ratings.find((q) => q.id === 'ease_of_procedures');
      if (ease?.type === 'rating') expect(ease.labels!.map((l) => l.ar).join(' ')).toMatch(/سهلة جدًا/);
    }
  });

  it('refuses labels that do not match the scale', () => {
    const broken = source.replace('        - { ar: ممتاز, en: Excellent }\n', '');
    expect(problemsOf(broken).some((p) => p.field.endsWith('labels') && p.message.includes('4 labels for a scale of 5'))).toBe(true);
  });

  it('refuses a prompt that states its own scale next to the labels', () => {
    const broken = source.replace('ar: ما تقييمك العام لخدمة الجمعية؟', 'ar: ما تقييمك العام لخدمة الجمعية؟ (1 ضعيف، 5 ممتاز)');
    expect(problemsOf(broken).some((p) => p.message.includes('must not state the scale'))).toBe(true);
  });
});

describe('optional questions', () => {
  it('refuses a prompt that explains skipping (the bot adds the hint once)', () => {
    const broken = source.replace('ar: هل لديك ملاحظات أخرى تود إضافتها؟', 'ar: هل لديك ملاحظات أخرى تود إضافتها؟ (اختياري، اكتب «تخطي» للتجاوز)');
    const p = problemsOf(broken).find((x) => x.message.includes('skip hint'));
    expect(p?.field).toMatch(/^intake\.fields\.\d+\.prompt\.ar$/);
  });

  it('no prompt in the five flows carries a skip explanation of its own', () => {
    for (const flow of FLOWS.values()) {
      const prompts = [...flow.intake.fields, ...(flow.volunteer?.fields ?? []), ...flow.survey.questions].map((f) => f.prompt);
      for (const p of prompts) expect(`${p.ar} ${p.en}`, flow.id).not.toMatch(/تخطي|skip/i);
    }
  });
});

describe('what the policy does not ask for', () => {
  it('is marked for the association to confirm: service lists, volunteering areas, the ID copy', () => {
    for (const flow of FLOWS.values()) {
      const marked = (form: typeof flow.intake | undefined, id: string) => form?.fields.find((f) => f.id === id)?.confirm;
      const serviceField = flow.intake.fields.find((f) => f.id === 'support_type' || f.id === 'service_type');
      expect(serviceField?.confirm, `${flow.id}: service list`).toBe('association');
      expect(marked(flow.intake, 'id_document'), `${flow.id}: ID copy`).toBe('association');
      expect(marked(flow.volunteer, 'interest_area'), `${flow.id}: volunteering areas`).toBe('association');
      const idCopy = flow.intake.fields.find((f) => f.id === 'id_document')!;
      expect(idCopy.required, `${flow.id}: the ID copy is not the policy's requirement`).toBe(false);
    }
  });

  it('refuses requirement wording on a field marked confirm: association', () => {
    const broken = source.replace(/ar: لمساعدتنا في دراسة طلبك، أرسل[^\n]*/, 'ar: يشترط إرفاق صورة الهوية الوطنية أو الإقامة.');
    expect(problemsOf(broken).some((p) => p.message.includes('confirm: association'))).toBe(true);
  });
});

describe('attestation and greeting', () => {
  it('the attestation reads the same for a woman and a man', () => {
    for (const flow of FLOWS.values()) {
      expect(flow.attestation.ar, flow.id).toContain('وأتحمّل المسؤولية المباشرة عن صحتها');
      expect(flow.attestation.ar, flow.id).not.toMatch(/أنني مسؤول|انني مسؤول/);
    }
  });

  it('greets without "dear beneficiary" pomp, in either language', () => {
    for (const flow of FLOWS.values()) {
      expect(flow.greeting.ar, flow.id).not.toContain('عزيزي');
      expect(flow.greeting.en, flow.id).not.toMatch(/Welcome, dear/);
      expect(flow.greeting.en, flow.id).toContain(flow.name.en);
    }
  });
});
