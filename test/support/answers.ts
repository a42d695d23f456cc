/**
 * Valid answers for any flow's fields, picked by asking the real validators: lets one test
 * walk every association's intake without hard-coding each form. Arabic-Indic digits and a
 * mobile written as 05… on purpose.
 */
import type { Field, FlowFile } from '../../src/flows/schema.ts';
import { validateField } from '../../src/engine/fields.ts';

const CANDIDATES: Record<Exclude<Field['type'], 'media'>, string[]> = {
  text: ['محمد عبدالله الأحمد', 'الرياض', 'Mohammed Abdullah Alahmad'],
  national_id: ['١٠١٢٣٤٥٦٧٢'],
  phone: ['٠٥٠١٢٣٤٥٦٧'],
  date: ['15/03/1410', '١٤٤٧/١٠/٠١', '2027-06-01', '2026-12-20'],
  integer: ['٣', '1'],
  choice: ['١'],
};

export type Answer = { text: string } | { file: string };

/** One valid answer per field of a form, in order. */
export function validAnswers(flow: FlowFile, form: 'intake' | 'volunteer', now: Date): Answer[] {
  const fields = (form === 'intake' ? flow.intake : flow.volunteer!).fields;
  return fields.map((field) => {
    if (field.type === 'media') return { file: 'test/fixtures/id-card.pdf' };
    const ok = CANDIDATES[field.type].find((text) => validateField(field, { text }, now, 'ar').ok);
    if (!ok) throw new Error(`${flow.id}: no candidate answer fits field ${field.id}`);
    return { text: ok };
  });
}
