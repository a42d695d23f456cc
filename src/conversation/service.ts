/**
 * The imperative shell around the engine: for each inbound message it records the message,
 * runs one engine step and applies the events, all in one store transaction. A redelivered
 * message (same channel message id) changes nothing. Outbound replies are returned (and
 * stored) for the channel to send.
 *
 * The service decides what to write (the engine step as a pure callback, dedupe keys, due
 * dates, which field is the national ID); the store (`store.core`) persists it.
 */
import { createHash } from 'node:crypto';
import { uuidv7 } from '../store/ids.ts';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LocalMediaStore, type MediaStore } from '../media/index.ts';
import type { Store } from '../store/index.ts';
import type {
  Accepted,
  ConversationRecord,
  CoreStore,
  DeadLetter,
  HistoryEntry,
  OutboundMessage,
  OutboundTemplate,
  OutboxAdd,
  OutboxJob,
  OutboxRow,
  PendingOutbound,
  RequestRecord,
  StepContext,
  StepPlan,
  StepWrite,
} from '../store/core.ts';
import type { FlowFile } from '../flows/schema.ts';
import { advance, canonicalJson, initialState } from '../engine/advance.ts';
import type { ConversationState, EngineEvent, FieldValue, FormKey, Input, Lang, MediaRef } from '../engine/types.ts';
import { addWorkingMinutes, hijriYearIn } from '../engine/hours.ts';

export { ConcurrentUpdateError } from '../store/core.ts';
export type { Accepted, OutboundMessage, OutboundTemplate, OutboxJob, OutboxRow, PendingOutbound } from '../store/core.ts';

export interface InboundMessage {
  associationId: string;
  channel: string;
  /** The sender's address on the channel (chat id, phone, terminal user). */
  address: string;
  /** The platform's message id, unique per channel: the dedupe key. */
  messageId: string;
  text?: string;
  media?: MediaRef;
  choiceId?: string;
  displayName?: string;
  /** Language for a conversation that starts with this message. */
  lang?: Lang;
}

/**
 * Jobs a newer one of the same kind replaces: one pending reminder per conversation and
 * timer, one unclaimed-escalation alert per conversation (each checks, when it runs, that it
 * still applies, so the latest is the only one that matters).
 */
export function outboxDedupeKey(job: OutboxJob): string | null {
  if (job.kind === 'timer') return `timer.${job.conversationId}.${job.name}`;
  if (job.kind === 'escalation_alert') return `escalation.${job.conversationId}`;
  return null;
}

/** The earliest due time among a step's outbox writes, as StepOutcome.outboxDueAt. */
function earliestDue(writes: readonly StepWrite[]): { outboxDueAt?: string } {
  let due: string | undefined;
  for (const w of writes) if (w.kind === 'outbox' && (due === undefined || w.row.runAt < due)) due = w.row.runAt;
  return due === undefined ? {} : { outboxDueAt: due };
}

export interface StepOutcome {
  duplicate: boolean;
  conversationId: string;
  outbound: OutboundMessage[];
  events: EngineEvent[];
  state: ConversationState;
  /** When the earliest outbox row the step wrote is due (absent: it wrote none). */
  outboxDueAt?: string;
  /** Another message of the conversation was pending behind the one this step handled (processNext only). */
  morePending?: boolean;
}

export class UnknownAssociationError extends Error {
  readonly code = 'TAWASUL_ERR_UNKNOWN_ASSOCIATION';
  constructor(id: string) {
    super(`unknown association "${id}"`);
  }
}

export interface ServiceOptions {
  store: Store;
  flows: Map<string, FlowFile>;
  /**
   * MEDIA_DIR: the local media folder, and the prefix of the absolute paths rows written
   * before the media store hold (rewritten to keys at startup).
   */
  mediaDir: string;
  /** Where files go (`openMediaStore(config.media)`); unset, the local folder `mediaDir`. The caller closes it. */
  media?: MediaStore;
  clock?: () => Date;
  newId?: () => string;
  /** Where decisions and surveys go: the beneficiary's last used channel (default) or the request's own. */
  notifyVia?: 'last_used' | 'original';
}

/** A non-message input, or a guard that computes it from the conversation as it is now (null: nothing to do). */
export type InputOrGuard = Exclude<Input, { type: 'message' }> | ((conversation: ConversationRecord) => Exclude<Input, { type: 'message' }> | null);

export class ConversationService {
  readonly store: Store;
  private readonly core: CoreStore;
  private readonly flows: Map<string, FlowFile>;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  /** MEDIA_DIR (see ServiceOptions.mediaDir): `mediaKeyOf(row.path, service.mediaDir)` reads a row of either age. */
  readonly mediaDir: string;
  /** The files beneficiaries sent, by the key a `media` row's `path` holds. */
  readonly media: MediaStore;
  readonly notifyVia: 'last_used' | 'original';
  /** The associations table brought in step with the flows; awaited by the first writes. */
  private syncing: Promise<void> | undefined;

  constructor(opts: ServiceOptions) {
    this.store = opts.store;
    this.core = opts.store.core;
    this.flows = opts.flows;
    this.mediaDir = opts.mediaDir;
    this.media = opts.media ?? new LocalMediaStore(opts.mediaDir);
    this.notifyVia = opts.notifyVia ?? 'last_used';
    this.clock = opts.clock ?? (() => new Date());
    this.newId = opts.newId ?? (() => uuidv7());
    // Rows from before the media store name their file by its absolute path: keys from now on
    // (idempotent, so every process may do it at every start).
    const syncing = Promise.all([this.syncAssociations(), this.core.media.keysFromPaths(this.mediaDir)]).then(() => {
      if (this.syncing === syncing) this.syncing = undefined;
    });
    // Kept (rejected) for the callers that await it; not an unhandled rejection meanwhile.
    syncing.catch(() => undefined);
    this.syncing = syncing;
  }

  /** Resolves when the store knows the loaded associations and every media row holds a key (writes wait for it themselves). */
  async ready(): Promise<void> {
    await this.syncing;
  }

  associationIds(): IterableIterator<string> {
    return this.flows.keys();
  }

  flow(associationId: string): FlowFile {
    const flow = this.flows.get(associationId);
    if (!flow) throw new UnknownAssociationError(associationId);
    return flow;
  }

  /** Keeps the associations table in step with the loaded flow files. */
  private syncAssociations(): Promise<void> {
    const now = this.clock().toISOString();
    return this.core.associations.sync(
      [...this.flows.values()].map((flow) => ({
        id: flow.id,
        nameAr: flow.name.ar,
        nameEn: flow.name.en,
        referencePrefix: flow.reference_prefix,
        flowHash: createHash('sha256').update(canonicalJson(flow)).digest('hex'),
        updatedAt: now,
      })),
    );
  }

  /**
   * Puts a file a beneficiary sent into the media store and records it (the row's `path` is
   * the store's key); done before the message's transaction because it is file or network I/O.
   * The file's name only picks the key's extension; it is kept in the row, nowhere else.
   */
  async storeMedia(associationId: string, file: { path?: string; data?: Buffer; mime: string; filename?: string }): Promise<MediaRef> {
    this.flow(associationId);
    const bytes = file.data ?? (file.path ? await readFile(file.path) : Buffer.alloc(0));
    const name = file.filename ?? (file.path ? basename(file.path) : undefined);
    const stored = await this.media.put(associationId, bytes, { mime: file.mime, ...(name ? { filename: name } : {}) });
    const id = this.newId();
    if (this.syncing) await this.syncing;
    await this.core.media.add({ id, associationId, sha256: stored.sha256, mime: file.mime, size: stored.size, filename: file.filename ?? null, path: stored.key });
    return { id, mime: file.mime, size: stored.size, sha256: stored.sha256, ...(file.filename ? { filename: file.filename } : {}) };
  }

  /**
   * Accepts an inbound message: records it (pending) in its conversation, atomically, so it
   * can be acknowledged to the channel. A redelivery (same channel message id) is recognised
   * and changes nothing. Handling is a separate step (`processNext`), run by the engine worker.
   * A pressed button is stored with the label the bot offered (the store finds it among the
   * conversation's recent messages), so every channel stores the same words (Telegram's
   * callback carries only the id) and a client cannot put other words in the beneficiary's mouth.
   */
  async accept(msg: InboundMessage): Promise<Accepted> {
    this.flow(msg.associationId);
    if (this.syncing) await this.syncing;
    const now = this.clock();
    return this.core.conversations.accept({
      associationId: msg.associationId,
      channel: msg.channel,
      address: msg.address,
      messageId: msg.messageId,
      ...(msg.text !== undefined ? { text: msg.text } : {}),
      ...(msg.choiceId ? { choiceId: msg.choiceId } : {}),
      ...(msg.media ? { mediaId: msg.media.id } : {}),
      ...(msg.displayName ? { displayName: msg.displayName } : {}),
      at: now.toISOString(),
      newId: this.newId,
      newConversation: () => {
        const state = initialState(msg.lang ?? 'ar', now);
        return { state, mode: state.mode, lang: state.lang };
      },
    });
  }

  /**
   * Handles the oldest pending inbound message of a conversation: one engine step, its
   * effects and the replies (queued for sending), atomically. Returns undefined when nothing
   * is pending. The message is chosen inside the transaction, so any number of workers
   * calling this concurrently still handle each message once, in the order accepted.
   */
  async processNext(conversationId: string, opts: { peek?: boolean } = {}): Promise<StepOutcome | undefined> {
    if (this.syncing) await this.syncing;
    // The time of the step is taken once, when the store first runs it (a rerun gives the same plan).
    let now: Date | undefined;
    return this.core.conversations.runNext(
      conversationId,
      (ctx) => {
        now ??= this.clock();
        const m = ctx.message;
        const media = m.media;
        const input: Input = {
          type: 'message',
          messageId: m.channelMessageId,
          // A button's stored label is for people to read; the engine goes by the choice id alone.
          ...(m.body && !m.choiceId ? { text: m.body } : {}),
          ...(m.choiceId ? { choiceId: m.choiceId } : {}),
          ...(media ? { media: { id: media.id, mime: media.mime, size: media.size, sha256: media.sha256, ...(media.filename ? { filename: media.filename } : {}) } } : {}),
        };
        const planned = this.plan(this.flow(ctx.conversation.associationId), ctx, input, 'beneficiary', now);
        return { ...planned, result: { ...planned.result, morePending: ctx.morePending } };
      },
      opts,
    );
  }

  /**
   * Accepts a message and handles everything pending in its conversation at once: the
   * synchronous path of the terminal channel and of tests. The queue path calls `accept`
   * and `processNext` in different processes.
   */
  async handleInbound(msg: InboundMessage): Promise<StepOutcome> {
    const { duplicate, conversationId } = await this.accept(msg);
    let outcome: StepOutcome | undefined;
    for (let next = await this.processNext(conversationId); next; next = await this.processNext(conversationId)) {
      outcome = outcome ? { ...next, outbound: [...outcome.outbound, ...next.outbound], events: [...outcome.events, ...next.events] } : next;
    }
    if (outcome) return { ...outcome, duplicate: false };
    const conversation = (await this.core.conversations.get(conversationId))!;
    return { duplicate, conversationId, outbound: [], events: [], state: conversation.state };
  }

  /**
   * Feeds a non-message input (staff action, decision, timer, survey invitation) to a
   * conversation, atomically. Given a guard instead of an input, the guard reads the
   * conversation inside the same transaction (under the write lock) and returns the input,
   * null (nothing is written, the result is null), or throws (nothing is written): "take
   * over this conversation if nobody holds it" without a check-then-act race.
   */
  applyInput(conversationId: string, input: Exclude<Input, { type: 'message' }>, actor: string): Promise<StepOutcome>;
  applyInput(conversationId: string, input: InputOrGuard, actor: string): Promise<StepOutcome | null>;
  async applyInput(conversationId: string, input: InputOrGuard, actor: string): Promise<StepOutcome | null> {
    if (this.syncing) await this.syncing;
    let now: Date | undefined;
    return this.core.conversations.apply(conversationId, (ctx) => {
      const chosen = typeof input === 'function' ? input(ctx.conversation) : input;
      if (!chosen) return null;
      now ??= this.clock();
      return this.plan(this.flow(ctx.conversation.associationId), ctx, chosen, actor, now);
    });
  }

  /**
   * The pure step of a non-message input, for store use cases that run it inside their own
   * transaction (a decision, a survey invitation): the time is taken when it first runs.
   */
  stepFor(input: Exclude<Input, { type: 'message' }>, actor: string): (ctx: StepContext) => StepPlan<StepOutcome> {
    let now: Date | undefined;
    return (ctx) => {
      now ??= this.clock();
      return this.plan(this.flow(ctx.conversation.associationId), ctx, input, actor, now);
    };
  }

  // ── outbound: the sender's side of the outbox ─────────────────────────────

  /** The next message to send in a conversation (oldest first), or undefined when none waits. */
  nextOutbound(conversationId: string): Promise<PendingOutbound | undefined> {
    return this.core.delivery.next(conversationId);
  }

  /**
   * When the inbound message that led to this reply was accepted (for the latency metric);
   * when this conversation was last sent a message (for per-chat rate limits).
   */
  acceptedAt(outboundId: string): Promise<string | null> {
    return this.core.delivery.acceptedAt(outboundId);
  }

  lastSentAt(conversationId: string): Promise<string | null> {
    return this.core.delivery.lastSentAt(conversationId);
  }

  /** Outbound message by its idempotency key (the id every retry carries). */
  outboundStatus(id: string): Promise<{ status: string; attempts: number; conversationId: string; associationId: string } | undefined> {
    return this.core.delivery.status(id);
  }

  /** Marks a message as being sent: if the sender dies now, nobody resends it blindly. */
  markSending(id: string): Promise<boolean> {
    return this.core.delivery.claim(id);
  }

  /** Returns when the message that caused this reply was accepted (the latency metric). */
  markSent(id: string, providerMessageId: string | null): Promise<string | null> {
    return this.core.delivery.markSent(id, providerMessageId, this.clock().toISOString());
  }

  /** A retryable failure: back to queued so the next attempt sends it. */
  markRetry(id: string, error: string): Promise<void> {
    return this.core.delivery.retry(id, error);
  }

  /** Records why the last attempt failed without changing the status (an ambiguous send stays "sending"). */
  noteError(id: string, error: string): Promise<void> {
    return this.core.delivery.noteError(id, error);
  }

  /** A permanent failure (dead letter) or an unknown outcome after a crash mid-send. */
  markDead(id: string, status: 'failed' | 'unknown', error: string): Promise<void> {
    return this.core.delivery.dead(id, status, error);
  }

  /**
   * Conversations with inbound work not handled for `olderThanMs`: the sweep's to-do list,
   * one page of `limit` after the conversation id `after` (the sweep pages through them all).
   */
  stalledInbound(olderThanMs: number, after = '', limit = 500): Promise<string[]> {
    return this.core.conversations.stalledInbound(this.ago(olderThanMs), after, limit);
  }

  /**
   * Conversations with replies not sent for `olderThanMs`: queued, or "sending" (an
   * ambiguous send waiting for its answer, or one whose job Redis lost), paged like
   * `stalledInbound`.
   */
  stalledOutbound(olderThanMs: number, after = '', limit = 500): Promise<Array<{ conversationId: string; channel: string }>> {
    return this.core.delivery.stalledOutbound(this.ago(olderThanMs), after, limit);
  }

  /** Outbound messages that will not be sent: the dead-letter list staff see. */
  deadLetters(associationId?: string, limit = 100): Promise<DeadLetter[]> {
    return this.core.delivery.deadLetters(associationId, limit);
  }

  /**
   * A platform's delivery receipt for a sent message: delivered, read, or failed after all
   * (then it joins the dead-letter list). Receipts never move a message backwards.
   */
  recordReceipt(channel: string, providerMessageId: string, status: 'delivered' | 'read' | 'failed', error?: string): Promise<boolean> {
    return this.core.delivery.receipt(channel, providerMessageId, status, error);
  }

  /**
   * A status webhook naming a reply by our idempotency key: the platform has it (its id
   * recorded, a reply still sending or unknown marked sent or further). False when no reply has the key.
   */
  recordReceiptByKey(channel: string, id: string, providerMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', error?: string): Promise<boolean> {
    return this.core.delivery.receiptByKey(channel, id, providerMessageId, status, new Date().toISOString(), error);
  }

  /** The last messages of one contact's conversation, oldest first, for a chat page's history. */
  history(associationId: string, channel: string, address: string, limit = 100): Promise<HistoryEntry[]> {
    return this.core.conversations.history(associationId, channel, address, limit);
  }

  /** Puts a dead letter back in the queue (staff decided it should be tried again). */
  requeue(id: string): Promise<boolean> {
    return this.core.delivery.requeue(id);
  }

  requestByReference(reference: string): Promise<RequestRecord | undefined> {
    return this.core.requests.byReference(reference);
  }

  // ── outbox: jobs for the queues ───────────────────────────────────────────

  /** An outbox row for a job (its dedupe key decided here). */
  outboxRow(associationId: string, job: OutboxJob, runAt: Date, createdAt: string = this.clock().toISOString()): OutboxAdd {
    return { associationId, job, runAt: runAt.toISOString(), createdAt, dedupeKey: outboxDedupeKey(job) };
  }

  /** Adds a job to the outbox outside any engine step (decisions, service delivery). */
  async enqueueJob(associationId: string, job: OutboxJob, runAt: Date = this.clock()): Promise<void> {
    await this.core.outbox.add(this.outboxRow(associationId, job, runAt));
  }

  /** Outbox rows not yet handed to the queues and due within `aheadMs` (earliest first); later ones wait in the store. */
  undispatched(limit = 500, aheadMs = 0): Promise<OutboxRow[]> {
    return this.core.outbox.undispatched(new Date(this.clock().getTime() + aheadMs).toISOString(), limit);
  }

  markDispatched(ids: number[]): Promise<void> {
    return this.core.outbox.markDispatched(ids, this.clock().toISOString());
  }

  /** Its job finished: the sweep stops watching the row. */
  markOutboxDone(id: number): Promise<void> {
    return this.core.outbox.done(id, this.clock().toISOString());
  }

  /**
   * Dispatched rows due more than `olderThanMs` ago whose job has not finished, after `afterId`
   * (the sweep pages through them all): a job Redis lost, or one out of attempts.
   */
  openOutbox(olderThanMs: number, afterId = 0, limit = 500): Promise<OutboxRow[]> {
    return this.core.outbox.open(this.ago(olderThanMs), afterId, limit);
  }

  /**
   * A job ran out of attempts: an event in the audit log (linked to its request or
   * conversation), so the failure is visible in the database as well as in the queue.
   */
  recordJobFailure(f: { associationId: string; job: OutboxJob | { kind: 'drain'; conversationId: string }; queue: string; jobId: string; attempts: number; error: string }): Promise<void> {
    const reference = 'reference' in f.job ? f.job.reference : undefined;
    return this.core.events.jobFailed({
      associationId: f.associationId,
      ...(reference ? { reference } : {}),
      ...('conversationId' in f.job ? { conversationId: f.job.conversationId } : {}),
      payload: { queue: f.queue, job: f.jobId, kind: f.job.kind, attempts: f.attempts, error: f.error.slice(0, 500), ...(reference ? { reference } : {}) },
      at: this.clock().toISOString(),
    });
  }

  /** The association a conversation belongs to. */
  async conversationAssociation(conversationId: string): Promise<string | undefined> {
    return (await this.core.conversations.get(conversationId))?.associationId;
  }

  private ago(ms: number): string {
    return new Date(this.clock().getTime() - ms).toISOString();
  }

  private nextReference(flow: FlowFile, form: FormKey, now: Date, ctx: StepContext): string {
    // The Hijri year where the association is, not in UTC (1 Muharram starts at local midnight).
    const year = hijriYearIn(flow.working_hours.timezone, now);
    const last = ctx.nextReference(`${form}:${year}`);
    const prefix = form === 'intake' ? flow.reference_prefix : `${flow.reference_prefix}V`;
    return `${prefix}-${year}-${String(last).padStart(5, '0')}`;
  }

  /** One engine step and what it writes: pure, run by the store inside its transaction. */
  private plan(flow: FlowFile, ctx: StepContext, input: Input, actor: string, now: Date): StepPlan<StepOutcome> {
    const { conversation, contact } = ctx;
    const before = conversation.state;
    const result = advance(flow, before, input, {
      now,
      channel: contact.channel,
      // Read only if the engine asks (status replies, duplicates): most steps never do.
      get requests() {
        return ctx.requests;
      },
      nextReference: (form) => this.nextReference(flow, form, now, ctx),
    });
    const version = conversation.version + 1;
    const at = now.toISOString();
    const outbound: OutboundMessage[] = [];
    const writes: StepWrite[] = [];
    let replyIndex = 0;
    const template: OutboundTemplate | undefined =
      input.type === 'decision'
        ? { kind: 'decision', params: [input.reference, input.outcome === 'accepted' ? flow.committee.name[conversation.lang as Lang] : input.reason ?? ''] }
        : input.type === 'survey_invite' || (input.type === 'timer' && input.name === 'survey_reminder')
          ? { kind: 'survey', params: [flow.name[conversation.lang as Lang]] }
          : undefined;
    for (const event of result.events) {
      if (event.type === 'reply') {
        const id = `${conversation.id}.${version}.${replyIndex++}`;
        outbound.push({
          id,
          associationId: flow.id,
          conversationId: conversation.id,
          channel: contact.channel,
          address: contact.address,
          text: event.text,
          lang: event.lang,
          ...(event.choices ? { choices: event.choices } : {}),
        });
        writes.push({
          kind: 'outbound',
          message: { id: this.newId(), channelMessageId: id, author: 'bot', body: event.text, choices: event.choices ?? null, template: template && replyIndex === 1 ? template : null },
        });
        continue;
      }
      this.effects(flow, conversation, event, now, writes);
      writes.push({ kind: 'event', type: event.type, actor, payload: auditPayload(event) });
    }
    const state = result.state;
    return {
      conversation: { state, mode: state.mode, lang: state.lang, assignedStaffId: state.escalation?.staffId ?? null, escalatedAt: state.escalation?.at ?? null },
      at,
      writes,
      result: { duplicate: false, conversationId: conversation.id, outbound, events: result.events, state, ...earliestDue(writes) },
    };
  }

  /** What an engine event writes besides its audit entry. */
  private effects(flow: FlowFile, conversation: ConversationRecord, event: EngineEvent, now: Date, writes: StepWrite[]) {
    const at = now.toISOString();
    const outbox = (job: OutboxJob, runAt: Date) => writes.push({ kind: 'outbox', row: this.outboxRow(flow.id, job, runAt, at) });
    switch (event.type) {
      case 'timer_requested':
        outbox({ kind: 'timer', conversationId: conversation.id, name: event.name }, new Date(now.getTime() + event.delayMs));
        return;
      case 'escalated':
        // Alert when nobody has claimed it after N minutes of working time.
        outbox({ kind: 'escalation_alert', conversationId: conversation.id, escalatedAt: at }, addWorkingMinutes(flow.working_hours, now, flow.escalation.unclaimed_alert_minutes));
        return;
      case 'field_accepted':
        // The contact is linked to the one beneficiary with this national ID or phone (the same person on another channel).
        if (event.fieldType === 'national_id') writes.push({ kind: 'link_beneficiary', key: { nationalId: (event.value as { id: string }).id }, newId: this.newId() });
        else if (event.fieldType === 'phone') writes.push({ kind: 'link_beneficiary', key: { phone: String(event.value) }, newId: this.newId() });
        return;
      case 'request_submitted':
        writes.push({ kind: 'request', request: this.requestWrite(flow, event) });
        outbox({ kind: 'verify', reference: event.reference }, now);
        if (!event.corrects && event.form === 'intake') {
          outbox({ kind: 'committee_due', reference: event.reference }, new Date(now.getTime() + flow.committee.min_days * 86_400_000));
        }
        return;
      case 'survey_completed': {
        const ratings = Object.values(event.answers).filter((v): v is number => typeof v === 'number');
        writes.push({ kind: 'survey_response', id: this.newId(), requestReference: event.reference ?? null, rating: ratings[0] ?? null, answers: event.answers });
        return;
      }
      case 'opted_out':
      case 'opted_in':
        writes.push({ kind: 'opt_out', optedOut: event.type === 'opted_out' });
        return;
      default:
        return;
    }
  }

  /** The request row of a submission: which fields are the national ID and phone is the flow's business. */
  private requestWrite(flow: FlowFile, event: Extract<EngineEvent, { type: 'request_submitted' }>) {
    const idField = flow.intake.fields.find((f) => f.type === 'national_id');
    const phoneField = flow.intake.fields.find((f) => f.type === 'phone');
    const nationalId = idField && event.form === 'intake' ? ((event.data[idField.id]?.value as { id?: string } | null)?.id ?? null) : null;
    const phoneKey = event.form === 'intake' ? phoneField?.id : flow.volunteer?.fields.find((f) => f.type === 'phone')?.id;
    const phone = phoneKey ? ((event.data[phoneKey]?.value as string | null) ?? null) : null;
    // The record shows the name the person gave in their latest request (every flow asks `full_name`).
    const name = event.data.full_name?.display;
    return {
      id: this.newId(),
      reference: event.reference,
      ...(event.corrects ? { corrects: event.corrects } : {}),
      form: event.form,
      status: 'submitted',
      data: event.data,
      nationalId,
      phone,
      attestation: { at: event.attestation.at, channel: event.attestation.channel, messageId: event.attestation.messageId, text: event.attestation.text, sha256: event.attestation.sha256 },
      ...(name ? { beneficiaryName: name } : {}),
    };
  }
}

/** What the audit log keeps of an event: no personal values, only what happened. */
function auditPayload(event: EngineEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event as EngineEvent & Record<string, unknown>;
  if (event.type === 'field_accepted') return { form: event.form, field: event.field, fieldType: event.fieldType };
  if (event.type === 'request_submitted') return { form: event.form, reference: event.reference, sha256: event.attestation.sha256, corrects: event.corrects };
  if (event.type === 'not_understood') return { length: event.text.length };
  return rest;
}

export type { FieldValue };
