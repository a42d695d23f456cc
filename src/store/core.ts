/**
 * The repositories of the message path (conversations and their steps, delivery, outbox,
 * requests, events, media rows, associations): interfaces only, dialect-neutral.
 *
 * Rules (docs/notes CONTRACT.md): every method is async and owns its transaction; callers
 * never see SQL, a driver or a transaction. Rows cross the seam as plain camelCase objects:
 * JSON columns parsed, booleans as boolean, times as ISO-8601 strings, ids as strings (outbox
 * and event ids as numbers). Where a method takes a callback, the callback is pure and
 * synchronous: it computes what to write from what was read, never calls the store, and may
 * be run more than once in one call (a store may run it again after loading something it
 * asked for, or after a lock conflict), so it must give the same plan for the same inputs.
 *
 * "Acceptance order" (the order rows were inserted) is what the store keeps for messages and
 * outbox rows; how (SQLite rowid, a PostgreSQL sequence) is the implementation's business.
 */
import type { Choice, ConversationState, FieldValue, FormKey, Lang, RequestSummary, TimerName } from '../engine/types.ts';

/** An ISO-8601 time (`Date.prototype.toISOString()`). */
export type IsoTime = string;

// ── shapes that cross the seam ─────────────────────────────────────────────

/** Work for the queues, recorded in the same transaction as the change that causes it. */
export type OutboxJob =
  | { kind: 'verify'; reference: string }
  | { kind: 'timer'; conversationId: string; name: TimerName }
  | { kind: 'escalation_alert'; conversationId: string; escalatedAt: string }
  | { kind: 'committee_due'; reference: string }
  | { kind: 'survey'; reference: string }
  | { kind: 'decision'; reference: string; outcome: 'accepted' | 'rejected'; reason?: string; actor: string };

/** An outbox row as the dispatcher and the sweep read it. */
export interface OutboxRow {
  id: number;
  associationId: string;
  job: OutboxJob;
  runAt: IsoTime;
  /** Rows with the same key replace each other: only the latest one's job is pending. */
  dedupeKey?: string | null;
}

/** A row to add to the outbox. */
export interface OutboxAdd {
  associationId: string;
  job: OutboxJob;
  runAt: IsoTime;
  createdAt: IsoTime;
  /** When set, open rows with the same key are marked done (superseded) before this one is added. */
  dedupeKey: string | null;
}

/** Decision and survey replies: what to send as an approved template where free text is not allowed. */
export interface OutboundTemplate {
  kind: 'decision' | 'survey';
  /** Values for the template's body placeholders, in order. */
  params: string[];
}

export interface OutboundMessage {
  /** Idempotency key: the same reply always carries the same id, so it is sent at most once. */
  id: string;
  associationId: string;
  conversationId: string;
  channel: string;
  address: string;
  text: string;
  choices?: Choice[];
  lang: Lang;
  /** Decision and survey replies: what to send as an approved template where free text is not allowed. */
  template?: OutboundTemplate;
  /** When the beneficiary last wrote on this channel (WhatsApp allows free text for 24 hours after). */
  lastInboundAt?: string;
}

/** An outbound message waiting to be sent, as the sender needs it. */
export interface PendingOutbound extends OutboundMessage {
  status: 'queued' | 'sending';
  attempts: number;
}

export interface Accepted {
  duplicate: boolean;
  conversationId: string;
}

/** The result of one automated verification check of a request. */
export interface CheckResult {
  check: 'id_checksum' | 'duplicate_open_request' | 'required_fields' | 'documents';
  ok: boolean;
  detail?: string;
}

/** Thrown by a step whose conversation changed version between read and write (another writer). */
export class ConcurrentUpdateError extends Error {
  readonly code = 'TAWASUL_ERR_CONCURRENT_UPDATE';
}

export interface ContactRecord {
  id: string;
  associationId: string;
  channel: string;
  address: string;
  beneficiaryId: string | null;
  displayName: string | null;
  optedOut: boolean;
  lastSeenAt: IsoTime | null;
  createdAt: IsoTime;
}

export interface ConversationRecord {
  id: string;
  associationId: string;
  contactId: string;
  mode: string;
  lang: string;
  state: ConversationState;
  /** Incremented by every step; a step writes only if it is still the version it read. */
  version: number;
  assignedStaffId: string | null;
  escalatedAt: IsoTime | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface MediaRecord {
  id: string;
  associationId: string;
  sha256: string;
  mime: string;
  size: number;
  filename: string | null;
  /**
   * The media store key of the file (`<association>/<sha256><ext>`, src/media/key.ts). Rows
   * written before the media store held its absolute path under MEDIA_DIR until
   * `media.keysFromPaths` rewrote them; `mediaKeyOf(path, mediaDir)` reads either.
   */
  path: string;
  createdAt: IsoTime;
}

/** A submitted request (or volunteer registration) with its attestation. */
export interface RequestRecord {
  id: string;
  associationId: string;
  reference: string;
  form: FormKey;
  beneficiaryId: string | null;
  conversationId: string;
  status: string;
  data: Record<string, FieldValue>;
  nationalId: string | null;
  phone: string | null;
  attestedByContactId: string;
  attestedAt: IsoTime;
  attestationChannel: string;
  attestationMessageId: string;
  attestationText: string;
  attestationSha256: string;
  decisionReason: string | null;
  checks: CheckResult[] | null;
  checkedAt: IsoTime | null;
  fieldMarks: unknown;
  decidedAt: IsoTime | null;
  submittedAt: IsoTime;
  updatedAt: IsoTime;
}

/** An audit/event log entry to append. `payload` is stored as JSON. */
export interface EventWrite {
  associationId: string;
  conversationId: string | null;
  requestId?: string | null;
  type: string;
  actor: string;
  payload: unknown;
  at: IsoTime;
}

// ── steps: the engine's turn, run inside the store's transaction ──────────

/** What a step callback may read: the conversation and its contact as they are now. */
export interface StepContext {
  readonly conversation: ConversationRecord;
  readonly contact: ContactRecord;
  /**
   * The requests of the contact's beneficiary or of this conversation (status replies,
   * duplicates). A getter: a store may load it when first read, or preload it; either way it
   * reflects the data before this step's writes.
   */
  readonly requests: RequestSummary[];
  /**
   * Allocates the next number of the reference counter (conversation's association, `scope`),
   * atomically (one upsert); the first is 1 and a number is never given twice. Committed with
   * the step: a step that fails gives its number back. Each call in one run of the callback
   * returns the next number; a store may run the callback again with the numbers allocated.
   */
  nextReference(scope: string): number;
}

/** A step on the oldest pending inbound message: the context plus that message. */
export interface PendingStepContext extends StepContext {
  /**
   * Another message of the conversation was pending behind this one when it was read: after
   * this step there is more to handle. False lets a drain stop without asking again (a message
   * accepted after the read queues a drain of its own).
   */
  readonly morePending: boolean;
  readonly message: {
    id: string;
    /** The platform's message id. */
    channelMessageId: string;
    body: string;
    choiceId: string | null;
    media?: MediaRecord;
  };
}

/** An outbound message a step queues (status `queued`). */
export interface OutboundWrite {
  id: string;
  /** The idempotency key (`OutboundMessage.id`). */
  channelMessageId: string;
  author: 'bot' | 'staff' | 'system';
  body: string;
  choices: Choice[] | null;
  template: OutboundTemplate | null;
}

/** A request a step records: a new one, or the correction of an earlier one (`corrects`). */
export interface RequestWrite {
  /** The new row's id (unused for a correction). */
  id: string;
  reference: string;
  /** The reference of the request this corrects: that row's data and attestation are replaced and it goes back to `submitted`. */
  corrects?: string;
  form: FormKey;
  status: string;
  data: Record<string, FieldValue>;
  nationalId: string | null;
  phone: string | null;
  attestation: { at: IsoTime; channel: string; messageId: string; text: string; sha256: string };
  /** The name to show on the beneficiary's record (the one given in this request). */
  beneficiaryName?: string;
}

/**
 * One write of a step, applied in order after the conversation row, inside the step's
 * transaction. The contact and beneficiary are the step context's (a link changes the
 * contact's beneficiary for the writes after it).
 */
export type StepWrite =
  | { kind: 'outbound'; message: OutboundWrite }
  | { kind: 'event'; type: string; actor: string; payload: unknown }
  | { kind: 'outbox'; row: OutboxAdd }
  /**
   * Links the contact to the one beneficiary of its association with this national ID or
   * phone: an existing one with that key; else the contact's own beneficiary gets the key
   * (unless it already has a different one); else a new beneficiary `newId`.
   */
  | { kind: 'link_beneficiary'; key: { nationalId: string } | { phone: string }; newId: string }
  /** A request with the contact (attester) and its current beneficiary. */
  | { kind: 'request'; request: RequestWrite }
  | { kind: 'survey_response'; id: string; requestReference: string | null; rating: number | null; answers: unknown }
  | { kind: 'opt_out'; optedOut: boolean };

/** What a step callback returns: the conversation after the step, its writes, and the caller's result. */
export interface StepPlan<T> {
  conversation: {
    state: ConversationState;
    mode: string;
    lang: string;
    assignedStaffId: string | null;
    escalatedAt: IsoTime | null;
  };
  /** The step's time: `updatedAt` of the conversation and `at`/`createdAt` of what it writes. */
  at: IsoTime;
  writes: StepWrite[];
  result: T;
}

/** A pure synchronous step: what to write, computed from what was read. */
export type StepFn<C extends StepContext, T> = (ctx: C) => StepPlan<T>;

// ── repositories ───────────────────────────────────────────────────────────

export interface AssociationsRepo {
  /** Inserts or updates the associations of the loaded flow files (id, names, reference prefix, flow hash). */
  sync(rows: Array<{ id: string; nameAr: string; nameEn: string; referencePrefix: string; flowHash: string; updatedAt: IsoTime }>): Promise<void>;
}

export interface InboundWrite {
  associationId: string;
  channel: string;
  /** The sender's address on the channel. */
  address: string;
  /** The platform's message id, unique per association, channel and direction: the dedupe key. */
  messageId: string;
  text?: string;
  choiceId?: string;
  mediaId?: string;
  /** Name for a contact created by this message. */
  displayName?: string;
  at: IsoTime;
  /** Ids for rows this creates (contact, conversation, message). */
  newId: () => string;
  /** The state of a conversation this message starts (called only when one is created). */
  newConversation: () => { state: ConversationState; mode: string; lang: string };
}

export interface ConversationsRepo {
  /**
   * Accepts an inbound message: finds or creates the contact (its `lastSeenAt` set to `at`)
   * and its conversation, and records the message `pending`, in one transaction. A redelivery
   * (same association, channel and message id) is recognised and changes nothing but the
   * contact's last-seen time. A pressed button (`choiceId`) is stored with the label the bot
   * offered for it in the conversation's latest outbound messages that offered it (falling
   * back to `text`).
   */
  accept(msg: InboundWrite): Promise<Accepted>;

  /**
   * Runs one step on the conversation's oldest pending inbound message (acceptance order):
   * reads it, the conversation and the contact, runs `step`, writes its plan and marks the
   * message processed with the step's version (`version + 1`), atomically: SQLite in one
   * `BEGIN IMMEDIATE` transaction; PostgreSQL either in one statement that writes only if the
   * conversation's version is still the one read (a step writing replies, events and outbox
   * rows; read again if another worker won) or in a transaction holding a row lock on the
   * conversation (the rest) — so any number of workers calling this concurrently handle each
   * message once, in order.
   * Undefined when nothing is pending. `peek` (default true): look without the lock first.
   * Throws ConcurrentUpdateError if the version changed under it.
   */
  runNext<T>(conversationId: string, step: StepFn<PendingStepContext, T>, opts?: { peek?: boolean }): Promise<T | undefined>;

  /**
   * Runs one step that is not a message (staff action, decision, timer, survey invitation)
   * in one transaction holding the write lock. `step` may return null to write nothing (a
   * guard that found nothing to do) or throw to abort. Throws `unknown conversation <id>`.
   */
  apply<T>(conversationId: string, step: (ctx: StepContext) => StepPlan<T> | null): Promise<T | null>;

  /** The conversation row, or undefined. */
  get(conversationId: string): Promise<ConversationRecord | undefined>;

  /**
   * The conversation a request's news goes to: with `via: 'last_used'` the conversation of
   * the beneficiary's most recently seen contact that has not opted out (the request's own
   * when none, or without a beneficiary); with `'original'` the request's own.
   */
  notificationTarget(req: { conversationId: string; beneficiaryId: string | null }, via: 'last_used' | 'original'): Promise<string>;

  /** The last `limit` messages of one contact's conversation, oldest first (a chat page's history). */
  history(associationId: string, channel: string, address: string, limit: number): Promise<HistoryEntry[]>;

  /**
   * Conversations with an inbound message pending since before `before`, ids after `after`
   * in id order, at most `limit`: the sweep's to-do list.
   */
  stalledInbound(before: IsoTime, after: string, limit: number): Promise<string[]>;
}

export interface HistoryEntry {
  /** Outbound: the idempotency key; inbound: the row id. */
  id: string;
  direction: 'in' | 'out';
  author: string;
  text: string;
  choices?: Choice[];
  at: IsoTime;
  status: string;
  /** The file name of an inbound attachment. */
  file?: string;
}

export interface DeadLetter {
  id: string;
  associationId: string;
  conversationId: string;
  channel: string;
  status: string;
  error: string | null;
  attempts: number;
  createdAt: IsoTime;
}

/** Outbound messages by their idempotency key (`OutboundMessage.id`). */
export interface DeliveryRepo {
  /** The conversation's oldest unsent outbound message (queued or sending), with the contact's address and last-seen time. */
  next(conversationId: string): Promise<PendingOutbound | undefined>;
  status(id: string): Promise<{ status: string; attempts: number; conversationId: string; associationId: string } | undefined>;
  /** When the inbound message whose step produced this reply was accepted (latency metric). */
  acceptedAt(id: string): Promise<IsoTime | null>;
  /** When this conversation was last sent a message (per-chat rate limits). */
  lastSentAt(conversationId: string): Promise<IsoTime | null>;
  /**
   * queued → sending, attempts + 1, as one atomic statement: true for the one caller that
   * moved it (if the sender dies now, nobody resends it blindly).
   */
  claim(id: string): Promise<boolean>;
  /** Sent; returns when the inbound message whose step produced it was accepted (as acceptedAt), for the latency metric without another round trip. */
  markSent(id: string, providerMessageId: string | null, at: IsoTime): Promise<IsoTime | null>;
  /** A retryable failure: back to queued with the error. Only a reply still "sending" (a late verdict on one sent meanwhile changes nothing). */
  retry(id: string, error: string): Promise<void>;
  /** A permanent failure (dead letter) or an unknown outcome; only a reply still "sending", as retry. */
  dead(id: string, status: 'failed' | 'unknown', error: string): Promise<void>;
  /** Records the last attempt's error without changing the status. */
  noteError(id: string, error: string): Promise<void>;
  /**
   * A delivery receipt for the message sent on `channel` with this provider id: delivered or
   * read move it forward only (sent → delivered → read); failed always applies (error kept).
   * False when no such message.
   */
  receipt(channel: string, providerMessageId: string, status: 'delivered' | 'read' | 'failed', error?: string): Promise<boolean>;
  /** Outbound messages failed or unknown, newest first. */
  deadLetters(associationId: string | undefined, limit: number): Promise<DeadLetter[]>;
  /** A dead letter (failed/unknown) back to queued; false if it is not one. */
  requeue(id: string): Promise<boolean>;
  /**
   * Conversations with outbound messages queued or sending since before `before`, ids after
   * `after` in id order, at most `limit`, each with the channel of one of them.
   */
  stalledOutbound(before: IsoTime, after: string, limit: number): Promise<Array<{ conversationId: string; channel: string }>>;
  /**
   * A status webhook that names the message by our idempotency key (WhatsApp's
   * `biz_opaque_callback_data`, a key in Twilio's StatusCallback URL): the platform has it.
   * Records its provider id, and moves it forward only (queued, sending, unknown → sent →
   * delivered → read; `sent_at` set if unset); failed always applies (error kept). False when
   * no outbound message on `channel` has this key.
   */
  receiptByKey(channel: string, id: string, providerMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', at: IsoTime, error?: string): Promise<boolean>;
}

export interface OutboxRepo {
  /** Adds a job outside a step (supersedes open rows with the same dedupe key). */
  add(row: OutboxAdd): Promise<void>;
  /**
   * Rows not yet dispatched nor done, due at or before `dueBy`, earliest first. A row due later
   * waits here, not in Redis: a 48-hour reminder enters the queue shortly before it is due, and
   * one superseded before then never does.
   */
  undispatched(dueBy: IsoTime, limit: number): Promise<OutboxRow[]>;
  markDispatched(ids: number[], at: IsoTime): Promise<void>;
  /** Its job finished (no-op if already done). */
  done(id: number, at: IsoTime): Promise<void>;
  /** Rows dispatched, not done, due before `before`, ids after `afterId`, in id order. */
  open(before: IsoTime, afterId: number, limit: number): Promise<OutboxRow[]>;
}

export interface RequestsRepo {
  byReference(reference: string): Promise<RequestRecord | undefined>;

  /**
   * Automated verification of a request still `submitted`: reads it and the references of
   * other open requests (`openStatuses`) of the same association and form with its national
   * ID or phone (undefined when it has neither), runs `checks`, and writes status
   * `verifying` with the checks and a `verification_checked` event, in one transaction.
   * False when the request is missing or no longer `submitted`.
   */
  verify(
    reference: string,
    at: IsoTime,
    openStatuses: readonly string[],
    checks: (req: RequestRecord, duplicates: string[] | undefined) => CheckResult[],
  ): Promise<boolean>;

  /**
   * Records a decision, who made it (a `request_decided` event by `actor`, payload
   * `{ reference, outcome, reason? }`) and runs the step that tells the beneficiary, in one
   * transaction holding the write lock: if `decidable(req)` is false (already decided) nothing
   * is written and the result is undefined. The step runs on `notificationTarget(req, via)`.
   * Throws `unknown request <reference>`.
   */
  decide<T>(
    reference: string,
    decision: { outcome: 'accepted' | 'rejected'; reason: string | null; at: IsoTime; actor: string },
    decidable: (req: RequestRecord) => boolean,
    notify: { via: 'last_used' | 'original'; step: (ctx: StepContext) => StepPlan<T> },
  ): Promise<T | undefined>;

  /**
   * Staff delivered the service: status `completed`, a `service_delivered` event by `actor`
   * and the outbox rows (the survey job), in one transaction. Throws `unknown request <reference>`.
   */
  delivered(reference: string, actor: string, at: IsoTime, outbox: (req: RequestRecord) => OutboxAdd[]): Promise<void>;

  /**
   * Invites the beneficiary to the survey once: unless a `survey_invited` event of the
   * request exists, runs the step on `notificationTarget(req, via)` and records that event,
   * in one transaction. Undefined when the request is missing or already invited.
   */
  inviteToSurvey<T>(reference: string, at: IsoTime, notify: { via: 'last_used' | 'original'; step: (ctx: StepContext) => StepPlan<T> }): Promise<T | undefined>;
}

export interface EventsRepo {
  /**
   * Records an event once: false (nothing written) if an event of this conversation with the
   * same type and payload exists. A redelivered alert job raises nothing.
   */
  addOnce(event: EventWrite & { conversationId: string }): Promise<boolean>;
  /**
   * A job that ran out of attempts: an event `job_failed` linked to the request with
   * `reference` (and its conversation, unless `conversationId` is given).
   */
  jobFailed(f: { associationId: string; reference?: string; conversationId?: string; payload: Record<string, unknown>; at: IsoTime }): Promise<void>;
}

/** What every old row's path under `mediaDir` starts with: the folder and one slash. */
export function mediaPrefix(mediaDir: string): string {
  return `${mediaDir.replace(/\/+$/, '')}/`;
}

export interface MediaRepo {
  add(row: Omit<MediaRecord, 'createdAt'>): Promise<void>;
  /**
   * Rewrites the rows written before the media store, whose `path` is the file's absolute path
   * under `mediaDir` (`<mediaDir>/<association>/<sha256><ext>`), to its key
   * (`<association>/<sha256><ext>`), in one statement. Rows holding a key, or a path outside
   * `mediaDir`, are left as they are, so running it again (every start, several processes at
   * once) changes nothing. Returns how many rows it rewrote.
   */
  keysFromPaths(mediaDir: string): Promise<number>;
  /** Each file the rows name, once (its `path` and the type recorded with it), in `path` order: what `tawasul media copy` moves. */
  files(): Promise<Array<{ path: string; mime: string }>>;
}

export interface CoreStore {
  readonly associations: AssociationsRepo;
  readonly conversations: ConversationsRepo;
  readonly delivery: DeliveryRepo;
  readonly outbox: OutboxRepo;
  readonly requests: RequestsRepo;
  readonly events: EventsRepo;
  readonly media: MediaRepo;
}

/**
 * A keyed receipt's effect on a message's status (`DeliveryRepo.receiptByKey`): failed always
 * applies and stays; otherwise only forward, along queued, sending, unknown → sent → delivered → read.
 */
export function receiptStatus(current: string, incoming: 'sent' | 'delivered' | 'read' | 'failed'): string {
  if (incoming === 'failed' || current === 'failed') return 'failed';
  const order = ['queued', 'sending', 'unknown', 'sent', 'delivered', 'read'];
  const from = order.indexOf(current);
  return from >= 0 && order.indexOf(incoming) > from ? incoming : current;
}
