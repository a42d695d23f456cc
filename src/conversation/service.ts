/**
 * The imperative shell around the engine: for each inbound message it records the message,
 * runs one engine step and applies the events, all in one SQLite transaction. A redelivered
 * message (same channel message id) changes nothing. Outbound replies are returned (and
 * stored) for the channel to send.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { and, eq, or, sql } from 'drizzle-orm';
import * as t from '../../db/schema.ts';
import type { Db } from '../store/db.ts';
import type { FlowFile } from '../flows/schema.ts';
import { advance, canonicalJson, initialState } from '../engine/advance.ts';
import type { Choice, ConversationState, EngineEvent, FieldValue, FormKey, Input, Lang, MediaRef, RequestStatus, RequestSummary } from '../engine/types.ts';
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
  private readonly db: Db;
  private readonly flows: Map<string, FlowFile>;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  readonly mediaDir: string;

  constructor(opts: ServiceOptions) {
    this.db = opts.db;
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

  /** Records an inbound message and runs the engine on it, atomically. Redeliveries are no-ops. */
  handleInbound(msg: InboundMessage): StepOutcome {
    const flow = this.flow(msg.associationId);
    return this.db.$client
      .transaction((): StepOutcome => {
        const now = this.clock();
        const contact = this.contactFor(msg, now);
        const conversation = this.conversationFor(contact, msg.lang ?? 'ar', now);
        const inserted = this.db
          .insert(t.messages)
          .values({
            id: this.newId(),
            associationId: msg.associationId,
            conversationId: conversation.id,
            direction: 'in',
            channel: msg.channel,
            channelMessageId: msg.messageId,
            author: 'beneficiary',
            body: msg.text ?? '',
            mediaId: msg.media?.id ?? null,
            createdAt: now.toISOString(),
          })
          .onConflictDoNothing()
          .run();
        const state = conversation.state as ConversationState;
        if (inserted.changes === 0) {
          return { duplicate: true, conversationId: conversation.id, outbound: [], events: [], state };
        }
        const input: Input = { type: 'message', messageId: msg.messageId, ...pick(msg, ['text', 'media', 'choiceId']) };
        return this.step(flow, contact, conversation, input, 'beneficiary', now);
      })
      .immediate();
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

  private contactFor(msg: InboundMessage, now: Date): ContactRow {
    const where = and(eq(t.contacts.associationId, msg.associationId), eq(t.contacts.channel, msg.channel), eq(t.contacts.address, msg.address));
    const found = this.db.select().from(t.contacts).where(where).get();
    if (found) {
      this.db.update(t.contacts).set({ lastSeenAt: now.toISOString() }).where(eq(t.contacts.id, found.id)).run();
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
    const found = this.db.select().from(t.conversations).where(eq(t.conversations.contactId, contact.id)).get();
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
    const rows = this.db
      .select({ reference: t.requests.reference, form: t.requests.form, status: t.requests.status, submittedAt: t.requests.submittedAt, reason: t.requests.decisionReason })
      .from(t.requests)
      .where(
        contact.beneficiaryId
          ? or(eq(t.requests.beneficiaryId, contact.beneficiaryId), eq(t.requests.conversationId, conversation.id))
          : eq(t.requests.conversationId, conversation.id),
      )
      .all();
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
        this.db
          .insert(t.messages)
          .values({
            id: this.newId(),
            associationId: flow.id,
            conversationId: conversation.id,
            direction: 'out',
            channel: contact.channel,
            channelMessageId: id,
            author: 'bot',
            body: event.text,
            choices: event.choices ?? null,
            status: 'queued',
            createdAt: at,
          })
          .run();
        continue;
      }
      this.applyEvent(flow, contact, conversation, event, at);
      this.db
        .insert(t.events)
        .values({ associationId: flow.id, conversationId: conversation.id, type: event.type, actor, payload: auditPayload(event), at })
        .run();
    }
    const state = result.state;
    const updated = this.db
      .update(t.conversations)
      .set({
        state,
        mode: state.mode,
        lang: state.lang,
        version,
        assignedStaffId: state.escalation?.staffId ?? null,
        escalatedAt: state.escalation?.at ?? null,
        updatedAt: at,
      })
      .where(and(eq(t.conversations.id, conversation.id), eq(t.conversations.version, conversation.version)))
      .run();
    if (updated.changes !== 1) throw new ConcurrentUpdateError(`conversation ${conversation.id} changed while it was being processed`);
    return { duplicate: false, conversationId: conversation.id, outbound, events: result.events, state };
  }

  private applyEvent(flow: FlowFile, contact: ContactRow, conversation: ConversationRow, event: EngineEvent, at: string) {
    switch (event.type) {
      case 'field_accepted':
        if (event.fieldType === 'national_id') {
          this.linkBeneficiary(contact, { nationalId: (event.value as { id: string }).id }, at);
        } else if (event.fieldType === 'phone') {
          this.linkBeneficiary(contact, { phone: String(event.value) }, at);
        }
        return;
      case 'request_submitted':
        return this.recordRequest(flow, contact, conversation, event, at);
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
