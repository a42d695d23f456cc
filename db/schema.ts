/**
 * The SQLite schema (drizzle-orm). Migrations in db/migrations are generated from this file
 * with `npm run db:generate` and applied at startup.
 *
 * Every row belongs to one association: data, staff and channels of one association are
 * never visible to another.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () => text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const associations = sqliteTable('associations', {
  id: text('id').primaryKey(),
  nameAr: text('name_ar').notNull(),
  nameEn: text('name_en').notNull(),
  referencePrefix: text('reference_prefix').notNull(),
  /** sha256 of the flow file last loaded, to notice edits. */
  flowHash: text('flow_hash').notNull(),
  createdAt: createdAt(),
  updatedAt: text('updated_at').notNull(),
});

/** Per association and form, the last reference number given (SEC-1448-00042). */
export const referenceCounters = sqliteTable(
  'reference_counters',
  {
    associationId: text('association_id').notNull().references(() => associations.id),
    scope: text('scope').notNull(),
    last: integer('last').notNull().default(0),
  },
  (t) => [uniqueIndex('reference_counters_scope').on(t.associationId, t.scope)],
);

/** One person, linked across channels by national ID or phone. */
export const beneficiaries = sqliteTable(
  'beneficiaries',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    nationalId: text('national_id'),
    phone: text('phone'),
    name: text('name'),
    /** Set when the person's data was erased on request (PDPL); the row stays as a tombstone. */
    erasedAt: text('erased_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('beneficiaries_national_id').on(t.associationId, t.nationalId),
    uniqueIndex('beneficiaries_phone').on(t.associationId, t.phone),
  ],
);

/** A channel identity: a Telegram chat, a WhatsApp number, a terminal user… */
export const contacts = sqliteTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    beneficiaryId: text('beneficiary_id').references(() => beneficiaries.id),
    displayName: text('display_name'),
    optedOut: integer('opted_out', { mode: 'boolean' }).notNull().default(false),
    lastSeenAt: text('last_seen_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('contacts_address').on(t.associationId, t.channel, t.address), index('contacts_beneficiary').on(t.beneficiaryId)],
);

/** The engine state of one contact's conversation; `version` guards concurrent writers. */
export const conversations = sqliteTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    contactId: text('contact_id').notNull().references(() => contacts.id),
    mode: text('mode').notNull(),
    lang: text('lang').notNull(),
    state: text('state', { mode: 'json' }).notNull(),
    version: integer('version').notNull().default(0),
    assignedStaffId: text('assigned_staff_id'),
    escalatedAt: text('escalated_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('conversations_contact').on(t.contactId), index('conversations_mode').on(t.associationId, t.mode)],
);

/** Every message in and out. Inbound ones are unique per channel message id (platforms redeliver). */
export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    conversationId: text('conversation_id').notNull().references(() => conversations.id),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    channel: text('channel').notNull(),
    /** The platform's id for inbound messages; the idempotency key for outbound ones. */
    channelMessageId: text('channel_message_id').notNull(),
    author: text('author', { enum: ['beneficiary', 'bot', 'staff', 'system'] }).notNull(),
    body: text('body').notNull().default(''),
    choices: text('choices', { mode: 'json' }),
    /**
     * For a decision or survey reply: the template to use where the platform allows free text
     * only shortly after the beneficiary's last message (WhatsApp's 24-hour window).
     */
    template: text('template', { mode: 'json' }),
    /** The button a beneficiary pressed (inbound), when the platform has buttons. */
    choiceId: text('choice_id'),
    mediaId: text('media_id').references(() => media.id),
    /**
     * Inbound: pending (accepted, not yet handled) → processed.
     * Outbound: queued → sending → sent | failed (permanent, dead letter) | unknown (a sender
     * died mid-send and the platform cannot say whether it arrived: never resent blindly).
     */
    status: text('status').notNull().default('pending'),
    /** The conversation version of the engine step that handled (in) or produced (out) it. */
    stepVersion: integer('step_version'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    /** The platform's id for a sent message (delivery receipts refer to it). */
    providerMessageId: text('provider_message_id'),
    sentAt: text('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_channel_id').on(t.associationId, t.channel, t.direction, t.channelMessageId),
    index('messages_conversation').on(t.conversationId, t.createdAt),
    index('messages_work').on(t.conversationId, t.direction, t.status),
    index('messages_status').on(t.direction, t.status),
    // Outbound messages are looked up by their idempotency key on every send (each query says
    // direction = 'out', so SQLite can use this partial index); inbound ones never by it alone.
    index('messages_key')
      .on(t.channelMessageId)
      .where(sql`${t.direction} = 'out'`),
    // Delivery receipts name the platform's id; most rows have none.
    index('messages_provider')
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
  ],
);

/** Files beneficiaries sent (ID photos, PDFs), stored by content hash under the data directory. */
export const media = sqliteTable('media', {
  id: text('id').primaryKey(),
  associationId: text('association_id').notNull().references(() => associations.id),
  sha256: text('sha256').notNull(),
  mime: text('mime').notNull(),
  size: integer('size').notNull(),
  filename: text('filename'),
  path: text('path').notNull(),
  createdAt: createdAt(),
});

/** A submitted support request (or volunteer registration) with its attestation. */
export const requests = sqliteTable(
  'requests',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    reference: text('reference').notNull(),
    form: text('form', { enum: ['intake', 'volunteer'] }).notNull(),
    beneficiaryId: text('beneficiary_id').references(() => beneficiaries.id),
    conversationId: text('conversation_id').notNull().references(() => conversations.id),
    status: text('status').notNull(),
    data: text('data', { mode: 'json' }).notNull(),
    nationalId: text('national_id'),
    phone: text('phone'),
    attestedByContactId: text('attested_by_contact_id').notNull().references(() => contacts.id),
    attestedAt: text('attested_at').notNull(),
    attestationChannel: text('attestation_channel').notNull(),
    attestationMessageId: text('attestation_message_id').notNull(),
    attestationText: text('attestation_text').notNull(),
    attestationSha256: text('attestation_sha256').notNull(),
    decisionReason: text('decision_reason'),
    /** Results of the automated verification checks (ID checksum, duplicates, completeness). */
    checks: text('checks', { mode: 'json' }),
    checkedAt: text('checked_at'),
    /** Staff's per-field verification: { field: { mark: 'verified' | 'mismatched', by, at } }. */
    fieldMarks: text('field_marks', { mode: 'json' }),
    decidedAt: text('decided_at'),
    submittedAt: text('submitted_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('requests_reference').on(t.reference),
    index('requests_beneficiary').on(t.beneficiaryId),
    index('requests_conversation').on(t.conversationId),
    index('requests_status').on(t.associationId, t.status),
    // The duplicate check (same national ID or phone, open request): each side of its OR.
    index('requests_national_id').on(t.nationalId, t.associationId),
    index('requests_phone').on(t.phone, t.associationId),
  ],
);

/** Append-only event and audit log: what the engine decided and what people did. */
export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    associationId: text('association_id').notNull(),
    conversationId: text('conversation_id'),
    requestId: text('request_id'),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    payload: text('payload', { mode: 'json' }),
    at: text('at').notNull(),
  },
  (t) => [
    index('events_conversation').on(t.conversationId, t.id),
    index('events_type').on(t.associationId, t.type, t.at),
    // "Already invited to the survey?", failed jobs of a request (most events belong to none).
    index('events_request')
      .on(t.requestId, t.type)
      .where(sql`${t.requestId} IS NOT NULL`),
  ],
);

/** Survey answers, one row per completed survey, for the supervisor dashboard. */
export const surveyResponses = sqliteTable('survey_responses', {
  id: text('id').primaryKey(),
  associationId: text('association_id').notNull().references(() => associations.id),
  conversationId: text('conversation_id').notNull().references(() => conversations.id),
  requestReference: text('request_reference'),
  rating: integer('rating'),
  answers: text('answers', { mode: 'json' }).notNull(),
  createdAt: createdAt(),
});

/**
 * Transactional outbox: work for the queues (verification, notifications, timers) written in
 * the same transaction as the state change that causes it, then dispatched to BullMQ. A
 * crash between the commit and the enqueue leaves the row undispatched; the dispatcher's
 * sweep sends it later. Job ids derive from the row id, so a second dispatch is a no-op.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    associationId: text('association_id').notNull(),
    kind: text('kind').notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
    /** When the job is due (delayed jobs); ISO time. */
    runAt: text('run_at').notNull(),
    dispatchedAt: text('dispatched_at'),
    /**
     * When its job finished, or when a newer row with the same `dedupeKey` superseded it.
     * A dispatched row past its `runAt` and not done is watched by the sweep: a job Redis
     * lost is queued again, one out of attempts is retried later.
     */
    doneAt: text('done_at'),
    /** Rows that replace each other (one pending reminder per conversation and timer). */
    dedupeKey: text('dedupe_key'),
    createdAt: createdAt(),
  },
  (t) => [
    // Open rows by due time: the dispatcher (rows still waiting in the store, due soon) and the
    // sweep of dispatched rows whose job may be lost. (SQLite's planner prefers this one to a
    // partial index of the waiting rows alone, measured; PostgreSQL has both.)
    index('outbox_open').on(t.doneAt, t.runAt),
    index('outbox_dedupe').on(t.dedupeKey, t.doneAt),
  ],
);

/** Staff accounts of the console. Passwords are argon2id hashes. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['staff', 'researcher', 'committee', 'supervisor', 'admin'] }).notNull(),
    passwordHash: text('password_hash').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    passwordChangedAt: text('password_changed_at'),
    /** The name beneficiaries are told ("انضم إليك …"), per language; unset, the bot names the officer's title. */
    displayNameAr: text('display_name_ar'),
    displayNameEn: text('display_name_en'),
    /** A generated (shown-once) password: the user sets their own at the next sign-in. */
    mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

/** Which associations a user works for; they see nothing of any other. */
export const userAssociations = sqliteTable(
  'user_associations',
  {
    userId: text('user_id').notNull().references(() => users.id),
    associationId: text('association_id').notNull().references(() => associations.id),
  },
  (t) => [uniqueIndex('user_associations_pair').on(t.userId, t.associationId)],
);

/** Console sessions, stored server-side (the cookie holds only a signed random id). */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    data: text('data', { mode: 'json' }).notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_expiry').on(t.expiresAt)],
);

/** Internal notes staff write on a conversation or a beneficiary's record; never sent to the beneficiary. */
export const staffNotes = sqliteTable(
  'staff_notes',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    conversationId: text('conversation_id').references(() => conversations.id),
    beneficiaryId: text('beneficiary_id').references(() => beneficiaries.id),
    authorId: text('author_id').notNull().references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('staff_notes_conversation').on(t.conversationId), index('staff_notes_beneficiary').on(t.beneficiaryId)],
);

/**
 * The policy's non-digital channels, logged by hand: an interview, a phone call, a letter, a
 * visit to a branch office.
 */
export const offlineContacts = sqliteTable(
  'offline_contacts',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    beneficiaryId: text('beneficiary_id').notNull().references(() => beneficiaries.id),
    kind: text('kind', { enum: ['interview', 'phone_call', 'letter', 'branch_visit'] }).notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    summary: text('summary').notNull(),
    occurredAt: text('occurred_at').notNull(),
    recordedBy: text('recorded_by').notNull().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('offline_contacts_beneficiary').on(t.beneficiaryId, t.occurredAt)],
);

/**
 * Deployment-wide settings every process must agree on (the console's cookie-signing secret),
 * generated once and kept here so several machines share them.
 */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});
