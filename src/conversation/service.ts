/**
 * The imperative shell around the engine: for each inbound message it records the message,
 * runs one engine step and applies the events, all in one SQLite transaction. A redelivered
 * message (same channel message id) changes nothing. Outbound replies are returned (and
 * stored) for the channel to send.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import * as t from '../../db/schema.ts';
import type { Db } from '../store/db.ts';
import type { FlowFile } from '../flows/schema.ts';
import { advance, canonicalJson, initialState } from '../engine/advance.ts';
import type { Choice, ConversationState, EngineEvent, FieldValue, FormKey, Input, Lang, MediaRef, RequestStatus, RequestSummary, TimerName } from '../engine/types.ts';
import { addWorkingMinutes } from '../engine/hours.ts';
import { gregorianToHijri } from '../validate/date.ts';

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
}

export interface Accepted {
  duplicate: boolean;
  conversationId: string;
}

/** An outbound message waiting to be sent, as the sender needs it. */
export interface PendingOutbound extends OutboundMessage {
  status: 'queued' | 'sending';
  attempts: number;
}

/** Work for the queues, recorded in the same transaction as the change that causes it. */
export type OutboxJob =
  | { kind: 'verify'; reference: string }
  | { kind: 'timer'; conversationId: string; name: TimerName }
  | { kind: 'escalation_alert'; conversationId: string; escalatedAt: string }
  | { kind: 'committee_due'; reference: string }
  | { kind: 'survey'; reference: string }
  | { kind: 'decision'; reference: string; outcome: 'accepted' | 'rejected'; reason?: string; actor: string };

export interface OutboxRow {
  id: number;
  associationId: string;
  job: OutboxJob;
  runAt: string;
}

export interface StepOutcome {
  duplicate: boolean;
  conversationId: string;
  outbound: OutboundMessage[];
  events: EngineEvent[];
  state: ConversationState;
}

export class UnknownAssociationError extends Error {
  readonly code = 'TAWASUL_ERR_UNKNOWN_ASSOCIATION';
  constructor(id: string) {
    super(`unknown association "${id}"`);
  }
}

export class ConcurrentUpdateError extends Error {
  readonly code = 'TAWASUL_ERR_CONCURRENT_UPDATE';
}

type ConversationRow = typeof t.conversations.$inferSelect;
type ContactRow = typeof t.contacts.$inferSelect;

export interface ServiceOptions {
  db: Db;
  flows: Map<string, FlowFile>;
  /** Where media files are stored (content-addressed). */
  mediaDir: string;
  clock?: () => Date;
  newId?: () => string;
}

export class ConversationService {
  readonly db: Db;
  private readonly flows: Map<string, FlowFile>;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  readonly mediaDir: string;
  private readonly q: ReturnType<typeof prepareQueries>;

  constructor(opts: ServiceOptions) {
    this.db = opts.db;
    this.q = prepareQueries(opts.db);
    this.flows = opts.flows;
    this.mediaDir = opts.mediaDir;
    this.clock = opts.clock ?? (() => new Date());
    this.newId = opts.newId ?? randomUUID;
    this.syncAssociations();
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
  private syncAssociations() {
    const now = this.clock().toISOString();
    for (const flow of this.flows.values()) {
      const flowHash = createHash('sha256').update(canonicalJson(flow)).digest('hex');
      const values = { nameAr: flow.name.ar, nameEn: flow.name.en, referencePrefix: flow.reference_prefix, flowHash, updatedAt: now };
      this.db.insert(t.associations).values({ id: flow.id, ...values }).onConflictDoUpdate({ target: t.associations.id, set: values }).run();
    }
  }

  /**
   * Copies a file a beneficiary sent into the media store and records it; done before the
   * message's transaction because it is file I/O.
   */
  storeMedia(associationId: string, file: { path?: string; data?: Buffer; mime: string; filename?: string }): MediaRef {
    this.flow(associationId);
    const data = file.data ?? (file.path ? undefined : Buffer.alloc(0));
    const hash = createHash('sha256');
    let size: number;
    if (data) {
      hash.update(data);
      size = data.length;
    } else {
      const bytes = readFileSync(file.path!);
      hash.update(bytes);
      size = bytes.length;
    }
    const sha256 = hash.digest('hex');
    const dir = join(this.mediaDir, associationId);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${sha256}${safeExt(file.filename ?? file.path ?? '', file.mime)}`);
    if (!existsSync(path)) {
      if (data) writeFileSync(path, data);
      else copyFileSync(file.path!, path);
    }
    const id = this.newId();
    this.db
      .insert(t.media)
      .values({ id, associationId, sha256, mime: file.mime, size, filename: file.filename ?? null, path })
      .run();
    return { id, mime: file.mime, size, sha256, ...(file.filename ? { filename: file.filename } : {}) };
  }

  /**
   * Accepts an inbound message: records it (pending) in its conversation, atomically, so it
   * can be acknowledged to the channel. A redelivery (same channel message id) is recognised
   * and changes nothing. Handling is a separate step (`processNext`), run by the engine worker.
   */
  accept(msg: InboundMessage): Accepted {
    this.flow(msg.associationId);
    return this.db.$client
      .transaction((): Accepted => {
        const now = this.clock();
        const contact = this.contactFor(msg, now);
        const conversation = this.conversationFor(contact, msg.lang ?? 'ar', now);
        const id = this.newId();
        const inserted = this.q.insertInbound.run({
          id,
          associationId: msg.associationId,
          conversationId: conversation.id,
          channel: msg.channel,
          channelMessageId: msg.messageId,
          body: msg.text ?? '',
          choiceId: msg.choiceId ?? null,
          mediaId: msg.media?.id ?? null,
          createdAt: now.toISOString(),
        });
        return { duplicate: inserted.changes === 0, conversationId: conversation.id };
      })
      .immediate();
  }

  /**
   * Handles the oldest pending inbound message of a conversation: one engine step, its
   * effects and the replies (queued for sending), atomically. Returns undefined when nothing
   * is pending. The message is chosen inside the transaction, so any number of workers
   * calling this concurrently still handle each message once, in the order accepted.
   */
  processNext(conversationId: string): StepOutcome | undefined {
    // A plain read first: the common "nothing left" answer needs no write lock.
    if (!this.q.oldestPending.get({ conversationId })) return undefined;
    return this.db.$client
      .transaction((): StepOutcome | undefined => {
        const pending = this.q.oldestPending.get({ conversationId });
        if (!pending) return undefined;
        const now = this.clock();
        const conversation = this.q.conversationById.get({ id: conversationId })!;
        const contact = this.q.contactById.get({ id: conversation.contactId })!;
        const media = pending.mediaId ? this.q.mediaById.get({ id: pending.mediaId }) : undefined;
        const input: Input = {
          type: 'message',
          messageId: pending.channelMessageId,
          ...(pending.body ? { text: pending.body } : {}),
          ...(pending.choiceId ? { choiceId: pending.choiceId } : {}),
          ...(media ? { media: { id: media.id, mime: media.mime, size: media.size, sha256: media.sha256, ...(media.filename ? { filename: media.filename } : {}) } } : {}),
        };
        const outcome = this.step(this.flow(conversation.associationId), contact, conversation, input, 'beneficiary', now);
        this.q.markProcessed.run({ id: pending.id, stepVersion: conversation.version + 1 });
        return outcome;
      })
      .immediate();
  }

  /**
   * Accepts a message and handles everything pending in its conversation at once: the
   * synchronous path of the terminal channel and of tests. The queue path calls `accept`
   * and `processNext` in different processes.
   */
  handleInbound(msg: InboundMessage): StepOutcome {
    const { duplicate, conversationId } = this.accept(msg);
    let outcome: StepOutcome | undefined;
    for (let next = this.processNext(conversationId); next; next = this.processNext(conversationId)) {
      outcome = outcome ? { ...next, outbound: [...outcome.outbound, ...next.outbound], events: [...outcome.events, ...next.events] } : next;
    }
    if (outcome) return { ...outcome, duplicate: false };
    const conversation = this.q.conversationById.get({ id: conversationId })!;
    return { duplicate, conversationId, outbound: [], events: [], state: conversation.state as ConversationState };
  }

  /**
   * Feeds a non-message input (staff action, decision, timer, survey invitation) to a
   * conversation, atomically.
   */
  applyInput(conversationId: string, input: Exclude<Input, { type: 'message' }>, actor: string): StepOutcome {
    return this.db.$client
      .transaction((): StepOutcome => {
        const now = this.clock();
        const conversation = this.db.select().from(t.conversations).where(eq(t.conversations.id, conversationId)).get();
        if (!conversation) throw new Error(`unknown conversation ${conversationId}`);
        const contact = this.db.select().from(t.contacts).where(eq(t.contacts.id, conversation.contactId)).get()!;
        return this.step(this.flow(conversation.associationId), contact, conversation, input, actor, now);
      })
      .immediate();
  }

  // ── outbound: the sender's side of the outbox ─────────────────────────────

  /** The next message to send in a conversation (oldest first), or undefined when none waits. */
  nextOutbound(conversationId: string): PendingOutbound | undefined {
    const row = this.q.nextOutbound.get({ conversationId });
    if (!row) return undefined;
    return {
      id: row.channelMessageId,
      associationId: row.associationId,
      conversationId,
      channel: row.channel,
      address: row.address,
      text: row.body,
      lang: row.lang as Lang,
      ...(row.choices ? { choices: row.choices as Choice[] } : {}),
      status: row.status as 'queued' | 'sending',
      attempts: row.attempts,
    };
  }

  /**
   * When the inbound message that led to this reply was accepted (for the latency metric);
   * when this conversation was last sent a message (for per-chat rate limits).
   */
  acceptedAt(outboundId: string): string | null {
    return this.q.acceptedAt.get({ id: outboundId })?.acceptedAt ?? null;
  }

  lastSentAt(conversationId: string): string | null {
    return this.q.lastSentAt.get({ conversationId })?.lastSentAt ?? null;
  }

  /** Outbound message by its idempotency key (the id every retry carries). */
  outboundStatus(id: string): { status: string; attempts: number; conversationId: string } | undefined {
    return this.q.outboundById.get({ id });
  }

  /** Marks a message as being sent: if the sender dies now, nobody resends it blindly. */
  markSending(id: string): boolean {
    return this.q.markSending.run({ id }).changes === 1;
  }

  markSent(id: string, providerMessageId: string | null): void {
    this.q.markSent.run({ id, providerMessageId, at: this.clock().toISOString() });
  }

  /** A retryable failure: back to queued so the next attempt sends it. */
  markRetry(id: string, error: string): void {
    this.q.markOutcome.run({ id, status: 'queued', error });
  }

  /** A permanent failure (dead letter) or an unknown outcome after a crash mid-send. */
  markDead(id: string, status: 'failed' | 'unknown', error: string): void {
    this.q.markOutcome.run({ id, status, error });
  }

  /** Conversations with inbound work not handled for `olderThanMs`: the sweep's to-do list. */
  stalledInbound(olderThanMs: number, limit = 500): string[] {
    const before = new Date(this.clock().getTime() - olderThanMs).toISOString();
    return this.q.stalledInbound.all({ before, limit }).map((r) => r.conversationId);
  }

  /** Conversations with replies not sent for `olderThanMs`. */
  stalledOutbound(olderThanMs: number, limit = 500): Array<{ conversationId: string; channel: string }> {
    const before = new Date(this.clock().getTime() - olderThanMs).toISOString();
    return this.q.stalledOutbound.all({ before, limit });
  }

  /** Outbound messages that will not be sent: the dead-letter list staff see. */
  deadLetters(associationId?: string, limit = 100) {
    return this.db
      .select({
        id: t.messages.channelMessageId,
        associationId: t.messages.associationId,
        conversationId: t.messages.conversationId,
        channel: t.messages.channel,
        status: t.messages.status,
        error: t.messages.error,
        attempts: t.messages.attempts,
        createdAt: t.messages.createdAt,
      })
      .from(t.messages)
      .where(
        and(
          eq(t.messages.direction, 'out'),
          inArray(t.messages.status, ['failed', 'unknown']),
          associationId ? eq(t.messages.associationId, associationId) : undefined,
        ),
      )
      .orderBy(desc(t.messages.createdAt))
      .limit(limit)
      .all();
  }

  // ── outbox: jobs for the queues ───────────────────────────────────────────

  private addOutbox(associationId: string, job: OutboxJob, runAt: Date) {
    this.q.insertOutbox.run({ associationId, kind: job.kind, payload: job, runAt: runAt.toISOString(), createdAt: this.clock().toISOString() });
  }

  /** Adds a job to the outbox outside any engine step (decisions, service delivery). */
  enqueueJob(associationId: string, job: OutboxJob, runAt: Date = this.clock()): void {
    this.addOutbox(associationId, job, runAt);
  }

  /** Outbox rows not yet handed to the queues (oldest first). */
  undispatched(limit = 500, olderThanMs = 0): OutboxRow[] {
    const before = new Date(this.clock().getTime() - olderThanMs).toISOString();
    return this.q.undispatched.all({ limit, before }).map((r) => ({ id: r.id, associationId: r.associationId, job: r.payload as OutboxJob, runAt: r.runAt }));
  }

  markDispatched(ids: number[]): void {
    if (ids.length === 0) return;
    const at = this.clock().toISOString();
    this.db.update(t.outbox).set({ dispatchedAt: at }).where(inArray(t.outbox.id, ids)).run();
  }

  private contactFor(msg: InboundMessage, now: Date): ContactRow {
    const found = this.q.contactByAddress.get({ associationId: msg.associationId, channel: msg.channel, address: msg.address });
    if (found) {
      this.q.touchContact.run({ id: found.id, at: now.toISOString() });
      return found;
    }
    return this.db
      .insert(t.contacts)
      .values({
        id: this.newId(),
        associationId: msg.associationId,
        channel: msg.channel,
        address: msg.address,
        displayName: msg.displayName ?? null,
        lastSeenAt: now.toISOString(),
        createdAt: now.toISOString(),
      })
      .returning()
      .get();
  }

  private conversationFor(contact: ContactRow, lang: Lang, now: Date): ConversationRow {
    const found = this.q.conversationByContact.get({ contactId: contact.id });
    if (found) return found;
    const state = initialState(lang, now);
    return this.db
      .insert(t.conversations)
      .values({
        id: this.newId(),
        associationId: contact.associationId,
        contactId: contact.id,
        mode: state.mode,
        lang: state.lang,
        state,
        version: 0,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      })
      .returning()
      .get();
  }

  private requestSummaries(conversation: ConversationRow, contact: ContactRow): RequestSummary[] {
    const rows = this.q.requestSummaries.all({ beneficiaryId: contact.beneficiaryId ?? '', conversationId: conversation.id });
    return rows.map((r) => ({ reference: r.reference, form: r.form, status: r.status as RequestStatus, submittedAt: r.submittedAt, ...(r.reason ? { reason: r.reason } : {}) }));
  }

  private nextReference(flow: FlowFile, form: FormKey, now: Date): string {
    const year = gregorianToHijri(now).y;
    const scope = `${form}:${year}`;
    const row = this.db
      .insert(t.referenceCounters)
      .values({ associationId: flow.id, scope, last: 1 })
      .onConflictDoUpdate({ target: [t.referenceCounters.associationId, t.referenceCounters.scope], set: { last: sql`${t.referenceCounters.last} + 1` } })
      .returning({ last: t.referenceCounters.last })
      .get();
    const prefix = form === 'intake' ? flow.reference_prefix : `${flow.reference_prefix}V`;
    return `${prefix}-${year}-${String(row.last).padStart(5, '0')}`;
  }

  /** One engine step and its effects; must run inside a transaction. */
  private step(flow: FlowFile, contact: ContactRow, conversation: ConversationRow, input: Input, actor: string, now: Date): StepOutcome {
    const before = conversation.state as ConversationState;
    const result = advance(flow, before, input, {
      now,
      channel: contact.channel,
      requests: this.requestSummaries(conversation, contact),
      nextReference: (form) => this.nextReference(flow, form, now),
    });
    const version = conversation.version + 1;
    const at = now.toISOString();
    const outbound: OutboundMessage[] = [];
    let replyIndex = 0;
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
        this.q.insertOutbound.run({
          id: this.newId(),
          associationId: flow.id,
          conversationId: conversation.id,
          channel: contact.channel,
          channelMessageId: id,
          author: 'bot',
          body: event.text,
          choices: event.choices ?? null,
          stepVersion: version,
          createdAt: at,
        });
        continue;
      }
      this.applyEvent(flow, contact, conversation, event, now);
      this.q.insertEvent.run({ associationId: flow.id, conversationId: conversation.id, type: event.type, actor, payload: auditPayload(event), at });
    }
    const state = result.state;
    const updated = this.q.saveConversation.run({
      id: conversation.id,
      expected: conversation.version,
      state: JSON.stringify(state),
      mode: state.mode,
      lang: state.lang,
      version,
      assignedStaffId: state.escalation?.staffId ?? null,
      escalatedAt: state.escalation?.at ?? null,
      updatedAt: at,
    });
    if (updated.changes !== 1) throw new ConcurrentUpdateError(`conversation ${conversation.id} changed while it was being processed`);
    return { duplicate: false, conversationId: conversation.id, outbound, events: result.events, state };
  }

  private applyEvent(flow: FlowFile, contact: ContactRow, conversation: ConversationRow, event: EngineEvent, now: Date) {
    const at = now.toISOString();
    switch (event.type) {
      case 'timer_requested':
        return this.addOutbox(flow.id, { kind: 'timer', conversationId: conversation.id, name: event.name }, new Date(now.getTime() + event.delayMs));
      case 'escalated': {
        // Alert when nobody has claimed it after N minutes of working time.
        const due = addWorkingMinutes(flow.working_hours, now, flow.escalation.unclaimed_alert_minutes);
        return this.addOutbox(flow.id, { kind: 'escalation_alert', conversationId: conversation.id, escalatedAt: at }, due);
      }
      case 'field_accepted':
        if (event.fieldType === 'national_id') {
          this.linkBeneficiary(contact, { nationalId: (event.value as { id: string }).id }, at);
        } else if (event.fieldType === 'phone') {
          this.linkBeneficiary(contact, { phone: String(event.value) }, at);
        }
        return;
      case 'request_submitted':
        this.recordRequest(flow, contact, conversation, event, at);
        this.addOutbox(flow.id, { kind: 'verify', reference: event.reference }, now);
        if (!event.corrects && event.form === 'intake') {
          this.addOutbox(flow.id, { kind: 'committee_due', reference: event.reference }, new Date(now.getTime() + flow.committee.min_days * 86_400_000));
        }
        return;
      case 'survey_completed': {
        const ratings = Object.values(event.answers).filter((v): v is number => typeof v === 'number');
        this.db
          .insert(t.surveyResponses)
          .values({
            id: this.newId(),
            associationId: flow.id,
            conversationId: conversation.id,
            requestReference: event.reference ?? null,
            rating: ratings[0] ?? null,
            answers: event.answers,
            createdAt: at,
          })
          .run();
        return;
      }
      case 'opted_out':
      case 'opted_in':
        this.db.update(t.contacts).set({ optedOut: event.type === 'opted_out' }).where(eq(t.contacts.id, contact.id)).run();
        return;
      default:
        return;
    }
  }

  /**
   * Links the contact to the one beneficiary with this national ID or phone, creating the
   * beneficiary if none exists; the same person on another channel ends up on the same record.
   */
  private linkBeneficiary(contact: ContactRow, key: { nationalId?: string; phone?: string }, at: string) {
    const assoc = contact.associationId;
    const byKey = key.nationalId
      ? this.db.select().from(t.beneficiaries).where(and(eq(t.beneficiaries.associationId, assoc), eq(t.beneficiaries.nationalId, key.nationalId))).get()
      : this.db.select().from(t.beneficiaries).where(and(eq(t.beneficiaries.associationId, assoc), eq(t.beneficiaries.phone, key.phone!))).get();
    const current = contact.beneficiaryId
      ? this.db.select().from(t.beneficiaries).where(eq(t.beneficiaries.id, contact.beneficiaryId)).get()
      : undefined;
    let target = byKey;
    if (!target && current) {
      // Give the contact's beneficiary this key unless the record already has a different one.
      const clash = key.nationalId ? current.nationalId && current.nationalId !== key.nationalId : current.phone && current.phone !== key.phone;
      if (!clash) {
        this.db.update(t.beneficiaries).set({ ...key, updatedAt: at }).where(eq(t.beneficiaries.id, current.id)).run();
        target = current;
      }
    }
    if (!target) {
      target = this.db
        .insert(t.beneficiaries)
        .values({ id: this.newId(), associationId: assoc, ...key, createdAt: at, updatedAt: at })
        .returning()
        .get();
    }
    if (contact.beneficiaryId !== target.id) {
      this.db.update(t.contacts).set({ beneficiaryId: target.id }).where(eq(t.contacts.id, contact.id)).run();
      contact.beneficiaryId = target.id;
    }
  }

  private recordRequest(flow: FlowFile, contact: ContactRow, conversation: ConversationRow, event: Extract<EngineEvent, { type: 'request_submitted' }>, at: string) {
    const idField = flow.intake.fields.find((f) => f.type === 'national_id');
    const phoneField = flow.intake.fields.find((f) => f.type === 'phone');
    const nationalId = idField && event.form === 'intake' ? ((event.data[idField.id]?.value as { id?: string } | null)?.id ?? null) : null;
    const phoneKey = event.form === 'intake' ? phoneField?.id : flow.volunteer?.fields.find((f) => f.type === 'phone')?.id;
    const phone = phoneKey ? ((event.data[phoneKey]?.value as string | null) ?? null) : null;
    const attestation = {
      attestedByContactId: contact.id,
      attestedAt: event.attestation.at,
      attestationChannel: event.attestation.channel,
      attestationMessageId: event.attestation.messageId,
      attestationText: event.attestation.text,
      attestationSha256: event.attestation.sha256,
    };
    if (event.corrects) {
      this.db
        .update(t.requests)
        .set({ data: event.data, status: 'submitted', nationalId, phone, ...attestation, updatedAt: at })
        .where(and(eq(t.requests.reference, event.corrects), eq(t.requests.associationId, flow.id)))
        .run();
      return;
    }
    this.db
      .insert(t.requests)
      .values({
        id: this.newId(),
        associationId: flow.id,
        reference: event.reference,
        form: event.form,
        beneficiaryId: contact.beneficiaryId,
        conversationId: conversation.id,
        status: 'submitted',
        data: event.data,
        nationalId,
        phone,
        ...attestation,
        submittedAt: at,
        updatedAt: at,
      })
      .run();
  }
}


/** The statements of the message path, prepared once: most of a turn's cost otherwise. */
function prepareQueries(db: Db) {
  const p = sql.placeholder;
  const m = t.messages;
  return {
    contactByAddress: db
      .select()
      .from(t.contacts)
      .where(and(eq(t.contacts.associationId, p('associationId')), eq(t.contacts.channel, p('channel')), eq(t.contacts.address, p('address'))))
      .prepare(),
    contactById: db.select().from(t.contacts).where(eq(t.contacts.id, p('id'))).prepare(),
    touchContact: db.update(t.contacts).set({ lastSeenAt: sql`${p('at')}` }).where(eq(t.contacts.id, p('id'))).prepare(),
    conversationByContact: db.select().from(t.conversations).where(eq(t.conversations.contactId, p('contactId'))).prepare(),
    conversationById: db.select().from(t.conversations).where(eq(t.conversations.id, p('id'))).prepare(),
    mediaById: db.select().from(t.media).where(eq(t.media.id, p('id'))).prepare(),
    requestSummaries: db
      .select({ reference: t.requests.reference, form: t.requests.form, status: t.requests.status, submittedAt: t.requests.submittedAt, reason: t.requests.decisionReason })
      .from(t.requests)
      .where(or(eq(t.requests.beneficiaryId, p('beneficiaryId')), eq(t.requests.conversationId, p('conversationId'))))
      .prepare(),
    insertInbound: db
      .insert(m)
      .values({
        id: p('id'),
        associationId: p('associationId'),
        conversationId: p('conversationId'),
        direction: 'in',
        channel: p('channel'),
        channelMessageId: p('channelMessageId'),
        author: 'beneficiary',
        body: p('body'),
        choiceId: p('choiceId'),
        mediaId: p('mediaId'),
        status: 'pending',
        createdAt: p('createdAt'),
      })
      .onConflictDoNothing()
      .prepare(),
    oldestPending: db
      .select()
      .from(m)
      .where(and(eq(m.conversationId, p('conversationId')), eq(m.direction, 'in'), eq(m.status, 'pending')))
      .orderBy(sql`rowid`)
      .limit(1)
      .prepare(),
    markProcessed: db.update(m).set({ status: 'processed', stepVersion: sql`${p('stepVersion')}` }).where(eq(m.id, p('id'))).prepare(),
    insertOutbound: db
      .insert(m)
      .values({
        id: p('id'),
        associationId: p('associationId'),
        conversationId: p('conversationId'),
        direction: 'out',
        channel: p('channel'),
        channelMessageId: p('channelMessageId'),
        author: p('author'),
        body: p('body'),
        choices: p('choices'),
        status: 'queued',
        stepVersion: p('stepVersion'),
        createdAt: p('createdAt'),
      })
      .prepare(),
    nextOutbound: db
      .select({
        channelMessageId: m.channelMessageId,
        associationId: m.associationId,
        channel: m.channel,
        body: m.body,
        choices: m.choices,
        status: m.status,
        attempts: m.attempts,
        address: t.contacts.address,
        lang: t.conversations.lang,
      })
      .from(m)
      .innerJoin(t.conversations, eq(t.conversations.id, m.conversationId))
      .innerJoin(t.contacts, eq(t.contacts.id, t.conversations.contactId))
      .where(and(eq(m.conversationId, p('conversationId')), eq(m.direction, 'out'), inArray(m.status, ['queued', 'sending'])))
      .orderBy(sql`"messages".rowid`)
      .limit(1)
      .prepare(),
    acceptedAt: db
      .select({ acceptedAt: sql<string | null>`(SELECT i.created_at FROM messages i WHERE i.conversation_id = ${m.conversationId} AND i.direction = 'in' AND i.status = 'processed' AND i.step_version = ${m.stepVersion} LIMIT 1)` })
      .from(m)
      .where(eq(m.channelMessageId, p('id')))
      .prepare(),
    lastSentAt: db
      .select({ lastSentAt: sql<string | null>`max(${m.sentAt})` })
      .from(m)
      .where(and(eq(m.conversationId, p('conversationId')), eq(m.direction, 'out'), eq(m.status, 'sent')))
      .prepare(),
    outboundById: db
      .select({ status: m.status, attempts: m.attempts, conversationId: m.conversationId })
      .from(m)
      .where(and(eq(m.direction, 'out'), eq(m.channelMessageId, p('id'))))
      .prepare(),
    markSending: db
      .update(m)
      .set({ status: 'sending', attempts: sql`${m.attempts} + 1` })
      .where(and(eq(m.direction, 'out'), eq(m.channelMessageId, p('id')), eq(m.status, 'queued')))
      .prepare(),
    markSent: db
      .update(m)
      .set({ status: 'sent', providerMessageId: sql`${p('providerMessageId')}`, sentAt: sql`${p('at')}`, error: null })
      .where(and(eq(m.direction, 'out'), eq(m.channelMessageId, p('id'))))
      .prepare(),
    markOutcome: db
      .update(m)
      .set({ status: sql`${p('status')}`, error: sql`${p('error')}` })
      .where(and(eq(m.direction, 'out'), eq(m.channelMessageId, p('id'))))
      .prepare(),
    stalledInbound: db
      .selectDistinct({ conversationId: m.conversationId })
      .from(m)
      .where(and(eq(m.direction, 'in'), eq(m.status, 'pending'), lt(m.createdAt, p('before'))))
      .limit(p('limit'))
      .prepare(),
    stalledOutbound: db
      .selectDistinct({ conversationId: m.conversationId, channel: m.channel })
      .from(m)
      .where(and(eq(m.direction, 'out'), eq(m.status, 'queued'), lt(m.createdAt, p('before'))))
      .limit(p('limit'))
      .prepare(),
    insertEvent: db
      .insert(t.events)
      .values({ associationId: p('associationId'), conversationId: p('conversationId'), type: p('type'), actor: p('actor'), payload: p('payload'), at: p('at') })
      .prepare(),
    saveConversation: db
      .update(t.conversations)
      .set({
        state: sql`${p('state')}`,
        mode: sql`${p('mode')}`,
        lang: sql`${p('lang')}`,
        version: sql`${p('version')}`,
        assignedStaffId: sql`${p('assignedStaffId')}`,
        escalatedAt: sql`${p('escalatedAt')}`,
        updatedAt: sql`${p('updatedAt')}`,
      })
      .where(and(eq(t.conversations.id, p('id')), eq(t.conversations.version, p('expected'))))
      .prepare(),
    insertOutbox: db
      .insert(t.outbox)
      .values({ associationId: p('associationId'), kind: p('kind'), payload: p('payload'), runAt: p('runAt'), createdAt: p('createdAt') })
      .prepare(),
    undispatched: db
      .select()
      .from(t.outbox)
      .where(and(isNull(t.outbox.dispatchedAt), lte(t.outbox.createdAt, p('before'))))
      .orderBy(t.outbox.id)
      .limit(p('limit'))
      .prepare(),
  };
}

/** What the audit log keeps of an event: no personal values, only what happened. */
function auditPayload(event: EngineEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event as EngineEvent & Record<string, unknown>;
  if (event.type === 'field_accepted') return { form: event.form, field: event.field, fieldType: event.fieldType };
  if (event.type === 'request_submitted') return { form: event.form, reference: event.reference, sha256: event.attestation.sha256, corrects: event.corrects };
  if (event.type === 'not_understood') return { length: event.text.length };
  return rest;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function safeExt(name: string, mime: string): string {
  const ext = extname(name).toLowerCase();
  if (/^\.[a-z0-9]{1,5}$/.test(ext)) return ext;
  return mime === 'application/pdf' ? '.pdf' : mime.startsWith('image/') ? `.${mime.slice(6).replace(/[^a-z0-9]/g, '')}` : '.bin';
}

export type { FieldValue };
