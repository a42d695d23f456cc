/**
 * All core types of the conversation engine in one place: what goes in (state, input,
 * context), what comes out (state, events). The engine does no I/O; events are instructions
 * the caller carries out (send a reply, store a request, schedule a timer).
 */
import type { Intent } from '../understand/types.ts';
import type { Lang } from '../validate/types.ts';

export type { Lang };

export interface MediaRef {
  /** Storage key of the file, assigned by the channel shell before the engine sees it. */
  id: string;
  mime: string;
  size: number;
  filename?: string;
  sha256?: string;
}

export type Input =
  | {
      type: 'message';
      /** The platform's message id (unique per channel); recorded in the attestation. */
      messageId: string;
      text?: string;
      media?: MediaRef;
      /** Set when the beneficiary pressed a button; the id of the choice. */
      choiceId?: string;
    }
  | { type: 'staff_claimed'; staffId: string; staffName?: string }
  | { type: 'staff_released'; staffId?: string; resumeAt?: ResumePoint }
  | { type: 'staff_resolved'; staffId?: string }
  | { type: 'decision'; reference: string; outcome: 'accepted' | 'rejected'; reason?: string }
  | {
      type: 'corrections_requested';
      reference: string;
      /** Field ids the beneficiary must give again. */
      fields: string[];
      /** The request's current data, so the review shows the whole request again. */
      data: Record<string, FieldValue>;
      note?: string;
    }
  | { type: 'survey_invite'; reference?: string }
  | { type: 'timer'; name: TimerName };

export type ResumePoint = 'menu' | 'form' | 'review' | { field: string };

export type TimerName = 'intake_reminder' | 'survey_reminder';

export type RequestStatus =
  | 'submitted'
  | 'verifying'
  | 'verified'
  | 'committee'
  | 'more_info'
  | 'accepted'
  | 'rejected'
  | 'completed'
  | 'withdrawn';

/** What the engine may know of a beneficiary's requests, loaded by the caller for status replies. */
export interface RequestSummary {
  reference: string;
  form: FormKey;
  status: RequestStatus;
  submittedAt: string;
  reason?: string;
}

/** Everything from outside the engine: clock, ids and the little it may read. */
export interface Context {
  now: Date;
  /** The next reference number of this association (the caller owns the counter). */
  nextReference(form: FormKey): string;
  requests: readonly RequestSummary[];
  channel: string;
}

export type FormKey = 'intake' | 'volunteer';

/** A draft slot: a new request, a volunteer registration, or corrections staff asked for. */
export type DraftKey = FormKey | 'correction';

export interface FieldValue {
  value: unknown;
  display: string;
}

export type Mode =
  | 'new'
  | 'menu'
  | 'faq'
  | 'form'
  | 'review'
  | 'pick_correction'
  | 'offer_agent'
  | 'waiting_staff'
  | 'with_staff'
  | 'survey'
  | 'opted_out';

export interface FormProgress {
  form: FormKey;
  /** Index of the field being asked. */
  index: number;
  data: Record<string, FieldValue>;
  /** Failed answers to the current field. */
  failures: number;
  /** A field being corrected from the review; the review follows it. */
  correcting?: string;
  /** Staff asked for these fields only (more information needed). */
  only?: string[];
  /** The request being corrected, when `only` is set. */
  reference?: string;
  reminded: boolean;
  startedAt: string;
}

export type EscalationReason = 'requested' | 'failed_answers' | 'not_understood' | 'staff_initiated';

export interface Escalation {
  reason: EscalationReason;
  at: string;
  /** The field the beneficiary was stuck on, if any. */
  field?: string;
  staffId?: string;
  /** The beneficiary was told once that their message reached the queue. */
  acked: boolean;
}

export interface SurveyProgress {
  reference?: string;
  index: number;
  answers: Record<string, number | string | null>;
  reminded: boolean;
}

export interface ConversationState {
  v: 1;
  lang: Lang;
  mode: Mode;
  createdAt: string;
  lastInputAt: string | null;
  notUnderstood: number;
  /** Unfinished forms, kept across pauses, menus and escalations. */
  drafts: Partial<Record<DraftKey, FormProgress>>;
  /** The draft being filled in while mode is form / review / pick_correction. */
  activeDraft?: DraftKey;
  /** Pending offer to talk to the officer, and where to go back if declined. */
  offer?: { reason: EscalationReason; field?: string; returnTo: Mode };
  escalation?: Escalation;
  survey?: SurveyProgress;
  /** Surveys invited while the beneficiary was busy; offered when they are free. */
  pendingSurvey?: { reference?: string };
  /** Two readings of the last message were offered; the next answer picks one. */
  clarify?: { options: Intent[] };
}

export interface Choice {
  id: string;
  label: string;
}

export type EngineEvent =
  | { type: 'reply'; text: string; choices?: Choice[]; lang: Lang }
  | { type: 'language_changed'; lang: Lang }
  | { type: 'faq_answered'; faq: string }
  | { type: 'not_understood'; text: string }
  | { type: 'form_started'; form: FormKey; resumed: boolean }
  | { type: 'field_accepted'; form: FormKey; field: string; fieldType: string; value: unknown }
  | { type: 'field_rejected'; form: FormKey; field: string; code: string; failures: number }
  | { type: 'field_skipped'; form: FormKey; field: string }
  | { type: 'escalated'; reason: EscalationReason; field?: string }
  | { type: 'escalation_cancelled' }
  | { type: 'message_for_staff'; messageId: string }
  | { type: 'staff_claimed'; staffId: string }
  | { type: 'staff_released'; resumeAt: string }
  | { type: 'staff_resolved' }
  | {
      type: 'request_submitted';
      form: FormKey;
      reference: string;
      data: Record<string, FieldValue>;
      attestation: Attestation;
      /** Set when this submission answers a request for more information. */
      corrects?: string;
    }
  | { type: 'status_requested' }
  | { type: 'survey_started'; reference?: string }
  | { type: 'survey_answered'; reference?: string; question: string; answer: number | string | null }
  | { type: 'survey_completed'; reference?: string; answers: Record<string, number | string | null> }
  | { type: 'survey_deferred'; reference?: string; reason: 'busy' | 'opted_out' }
  | { type: 'opted_out' }
  | { type: 'opted_in' }
  | { type: 'timer_requested'; name: TimerName; delayMs: number }
  | { type: 'timer_ignored'; name: TimerName }
  | { type: 'decision_sent'; reference: string; outcome: string; held: boolean }
  | { type: 'engine_error'; message: string }
  /** What one beneficiary message was taken as (see /work/notes/CONTRACT.md), with the rule that decided. */
  | { type: 'understood'; as: UnderstoodAs; reason: string };

/** How the engine took a message: an intent, an answer, a choice, an FAQ, a question back, a stale button or nothing. */
export type UnderstoodAs = `intent:${Intent}` | 'answer' | 'choice' | 'faq' | 'faq_choice' | 'clarify' | 'stale' | 'unknown';

export interface Attestation {
  /** The exact text the beneficiary confirmed. */
  text: string;
  at: string;
  channel: string;
  messageId: string;
  /** sha256 of the canonical JSON of the confirmed data and attestation text. */
  sha256: string;
}

export interface StepResult {
  state: ConversationState;
  events: EngineEvent[];
}
