/** A value a validator accepted, already normalised, with the text shown back to the beneficiary. */
export interface Accepted<T = unknown> {
  ok: true;
  value: T;
  /** How the value is shown in the summary (e.g. "+966501234567", "1445/05/13 هـ (2023-11-27)"). */
  display: string;
}

/**
 * A refusal: a stable code that the message catalog turns into a polite reason and an example,
 * in the beneficiary's language. Params fill the catalog's placeholders.
 */
export interface Rejected {
  ok: false;
  code: RejectionCode;
  params?: Record<string, string | number>;
}

export type Validation<T = unknown> = Accepted<T> | Rejected;

export type RejectionCode =
  | 'empty'
  | 'too_short'
  | 'too_long'
  | 'too_few_words'
  | 'letters_only'
  | 'id_not_digits'
  | 'id_length'
  | 'id_prefix'
  | 'id_checksum'
  | 'id_several'
  | 'id_is_phone'
  | 'passport_format'
  | 'phone_invalid'
  | 'phone_not_mobile'
  | 'phone_country'
  | 'phone_several'
  | 'phone_is_id'
  | 'date_format'
  | 'date_invalid'
  | 'date_too_early'
  | 'date_too_late'
  | 'date_incomplete'
  | 'date_ambiguous'
  | 'int_format'
  | 'int_range'
  | 'int_several'
  | 'choice_unknown'
  | 'media_required'
  | 'media_type'
  | 'media_too_large';

export type Lang = 'ar' | 'en';
