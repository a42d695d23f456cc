/** Judges one answer against one flow field, using the validators; no I/O. */
import type { Field } from '../flows/schema.ts';
import type { Validation } from '../validate/types.ts';
import type { FieldValue, Lang, MediaRef } from './types.ts';
import { validateText, type TextKind } from '../validate/text.ts';
import { validateNationalId } from '../validate/national-id.ts';
import { validatePhone } from '../validate/phone.ts';
import { formatDateValue, validateDate, type DateValue } from '../validate/date.ts';
import { validateInteger } from '../validate/number.ts';
import { validateChoice } from '../validate/choice.ts';
import { validateMedia } from '../validate/media.ts';
import { defaultExample, rejectionReason } from '../validate/messages.ts';
import { pickText } from './messages.ts';
import type { Rejected } from '../validate/types.ts';

const YEAR_MS = 365.2425 * 24 * 3600 * 1000;

/** The labels a choice option answers to, in both languages. */
export function optionLabels(field: Extract<Field, { type: 'choice' }>) {
  return field.options.map((o) => ({
    id: o.id,
    labels: [o.label.ar, o.label.en, ...(o.aliases?.ar ?? []), ...(o.aliases?.en ?? [])],
  }));
}

/**
 * What a text field holds, so the words around the answer are dropped: the field's `kind`, or,
 * when it has none, a name for a letters-only field whose id ends in "name" (full_name, name) and
 * a city for an id ending in "city". Other text fields (details, notes) are kept as written.
 */
export function textKind(field: Extract<Field, { type: 'text' }>): TextKind | undefined {
  if (field.kind) return field.kind;
  if (field.letters_only && /(^|_)name$/.test(field.id)) return 'name';
  if (/(^|_)city$/.test(field.id)) return 'city';
  return undefined;
}

/** Validates a text or media answer for a field. `choiceId` is a pressed button's option id. */
export function validateField(
  field: Field,
  answer: { text: string; media?: MediaRef; choiceId?: string },
  now: Date,
  lang: Lang,
): Validation {
  switch (field.type) {
    case 'text':
      return validateText(answer.text, {
        min: field.min,
        max: field.max,
        minWords: field.min_words,
        lettersOnly: field.letters_only,
        kind: textKind(field),
      });
    case 'national_id':
      return validateNationalId(answer.text, { allow: field.allow });
    case 'phone':
      return validatePhone(answer.text, { countries: field.countries });
    case 'date': {
      const endOfToday = new Date(now.getTime() + 24 * 3600 * 1000);
      return validateDate(answer.text, {
        calendar: field.calendar,
        earliest: new Date(now.getTime() - field.earliest_years_ago * YEAR_MS),
        latest: new Date(endOfToday.getTime() + field.latest_years_ahead * YEAR_MS),
        lang,
      });
    }
    case 'integer':
      return validateInteger(answer.text, { min: field.min, max: field.max });
    case 'choice': {
      const picked = answer.choiceId ? field.options.find((o) => o.id === answer.choiceId) : undefined;
      if (picked) return { ok: true, value: picked.id, display: picked.label[lang] };
      const result = validateChoice(answer.text, optionLabels(field));
      if (!result.ok) return result;
      const option = field.options.find((o) => o.id === result.value);
      return { ok: true, value: result.value, display: option ? option.label[lang] : result.display };
    }
    case 'media': {
      const result = validateMedia(answer.media, { accept: field.accept, maxBytes: field.max_mb * 1024 * 1024 });
      if (!result.ok || !answer.media) return result;
      return { ok: true, value: answer.media, display: answer.media.filename ?? answer.media.mime };
    }
  }
}

function isDateValue(value: unknown): value is DateValue {
  const v = value as Partial<DateValue> | null;
  return !!v && typeof v === 'object' && typeof v.iso === 'string' && typeof v.hijri === 'string' && (v.calendar === 'hijri' || v.calendar === 'gregorian');
}

/**
 * How a stored answer is shown in the review, in the conversation's language now (the answer
 * may have been given before a language switch): dates with that language's calendar markers,
 * choices by their label. Undefined for a missing or skipped answer.
 */
export function displayOf(field: Field, answer: FieldValue | undefined, lang: Lang): string | undefined {
  if (!answer || answer.value === null || answer.value === undefined) return undefined;
  if (field.type === 'date' && isDateValue(answer.value)) return formatDateValue(answer.value, lang);
  if (field.type === 'choice') {
    const option = field.options.find((o) => o.id === answer.value);
    if (option) return option.label[lang];
  }
  return answer.display;
}

/**
 * The polite reason and an example, in the beneficiary's language. `exampleLabel` puts the
 * "مثال:" / "Example:" label before a flow's own example; the validators' default examples
 * already carry it, and an example written with the label is left as it is, so the label
 * appears exactly once.
 */
export function rejectionText(field: Field, rejection: Rejected, lang: Lang, exampleLabel: (example: string) => string, channel?: string): string {
  const own = field.example ? pickText(field.example, lang, channel).trim() : undefined;
  const label = exampleLabel('').trim();
  const example = !own ? defaultExample(field.type, lang) : label && own.startsWith(label) ? own : exampleLabel(own);
  return `${rejectionReason(rejection, lang)}\n${example}`;
}
