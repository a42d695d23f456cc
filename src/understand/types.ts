/** The understanding layer's interface (see /work/notes/CONTRACT.md). */

export type Intent = 'agent' | 'status' | 'menu' | 'stop' | 'start' | 'language' | 'help' | 'greeting' | 'thanks' | 'yes' | 'no' | 'correct';

export const INTENTS: readonly Intent[] = ['agent', 'status', 'menu', 'stop', 'start', 'language', 'help', 'greeting', 'thanks', 'yes', 'no', 'correct'];

/** Where the message arrives; decides how sure an intent reading must be. */
export type Place =
  | 'menu' // main menu, FAQ list, new conversation, after an answer
  | 'form_value' // a form question whose answer is a value: id, phone, date, number, choice, file
  | 'free_text' // a form or survey question answered in the beneficiary's own words
  | 'review' // the summary with confirm / correct
  | 'offer' // "would you like to talk to the officer?" yes/no
  | 'rating' // a survey rating question
  | 'waiting' // waiting for staff
  | 'opted_out';

export interface Reading {
  intent: Intent;
  sure: 'clear' | 'likely';
  reason: string;
  lang?: 'ar' | 'en';
  /** For language: the language asked for. */
  target?: 'ar' | 'en';
  /** Another reading the same words allow ("الغاء": menu or stop); the layer may ask. */
  alt?: Intent;
  /** Places where this reading means something, when narrower than its intent's ("no edit" is a yes only at the review). */
  at?: Place[];
}

export type Understanding =
  | { kind: 'intent'; intent: Intent; reason: string; target?: 'ar' | 'en' }
  | { kind: 'clarify'; options: Intent[]; reason: string }
  | { kind: 'none'; reason: string };
