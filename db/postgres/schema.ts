/**
 * The PostgreSQL schema (drizzle-orm pg-core): the same tables and column names as the SQLite
 * schema in db/schema.ts, so rows cross the store seam in the same shapes. Migrations in
 * db/postgres/migrations are generated from this file with `npm run db:generate:pg` and
 * applied when the store opens (under an advisory lock) or by `tawasul db migrate`.
 *
 * Dialect choices (issue 12, contract rule 4): times stay ISO-8601 `text` (the same strings
 * SQLite holds, compared as strings by the code), JSON is `jsonb`, flags are `boolean`, the
 * autoincrement ids are `bigint` identities, and `messages.seq` / `user_associations.seq` give
 * the acceptance order SQLite takes from `rowid`.
 *
 * Indexes mirror SQLite's, except where PostgreSQL does better with a partial index (the
 * comment on each says why): most rows of `messages` and `outbox` are finished (processed,
 * sent, done), and the hot path only ever looks for the unfinished ones.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

/** The same ISO-8601 UTC text SQLite's strftime default writes (millisecond precision, Z). */
const nowIso = sql`to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const createdAt = () => text('created_at').notNull().default(nowIso);
/** bigint identity read as a JS number (ids stay far below 2^53). By default, so `db copy` can keep SQLite's ids. */
const identity = (name: string) => bigint(name, { mode: 'number' }).generatedByDefaultAsIdentity();

export const associations = pgTable('associations', {
  id: text('id').primaryKey(),
  nameAr: text('name_ar').notNull(),
  nameEn: text('name_en').notNull(),
  referencePrefix: text('reference_prefix').notNull(),
  flowHash: text('flow_hash').notNull(),
  createdAt: createdAt(),
  updatedAt: text('updated_at').notNull(),
});

/** Per association and form, the last reference number given; bumped by one atomic upsert. */
export const referenceCounters = pgTable(
  'reference_counters',
  {
    associationId: text('association_id').notNull().references(() => associations.id),
    scope: text('scope').notNull(),
    last: integer('last').notNull().default(0),
  },
  (t) => [uniqueIndex('reference_counters_scope').on(t.associationId, t.scope)],
);

export const beneficiaries = pgTable(
  'beneficiaries',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    nationalId: text('national_id'),
    phone: text('phone'),
    name: text('name'),
    erasedAt: text('erased_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  // Like SQLite, NULLs are distinct in these unique indexes (many people without a national ID).
  (t) => [uniqueIndex('beneficiaries_national_id').on(t.associationId, t.nationalId), uniqueIndex('beneficiaries_phone').on(t.associationId, t.phone)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    beneficiaryId: text('beneficiary_id').references(() => beneficiaries.id),
    displayName: text('display_name'),
    optedOut: boolean('opted_out').notNull().default(false),
    lastSeenAt: text('last_seen_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('contacts_address').on(t.associationId, t.channel, t.address), index('contacts_beneficiary').on(t.beneficiaryId)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    contactId: text('contact_id').notNull().references(() => contacts.id),
    mode: text('mode').notNull(),
    lang: text('lang').notNull(),
    state: jsonb('state').notNull(),
    version: integer('version').notNull().default(0),
    assignedStaffId: text('assigned_staff_id'),
    escalatedAt: text('escalated_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('conversations_contact').on(t.contactId), index('conversations_mode').on(t.associationId, t.mode)],
);

export const media = pgTable('media', {
  id: text('id').primaryKey(),
  associationId: text('association_id').notNull().references(() => associations.id),
  sha256: text('sha256').notNull(),
  mime: text('mime').notNull(),
  size: integer('size').notNull(),
  filename: text('filename'),
  path: text('path').notNull(),
  createdAt: createdAt(),
});

export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    /** Acceptance order (SQLite's rowid): "oldest pending", "next queued reply", a conversation's history. */
    seq: identity('seq').notNull(),
    associationId: text('association_id').notNull().references(() => associations.id),
    conversationId: text('conversation_id').notNull().references(() => conversations.id),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    channel: text('channel').notNull(),
    channelMessageId: text('channel_message_id').notNull(),
    author: text('author', { enum: ['beneficiary', 'bot', 'staff', 'system'] }).notNull(),
    body: text('body').notNull().default(''),
    choices: jsonb('choices'),
    template: jsonb('template'),
    choiceId: text('choice_id'),
    mediaId: text('media_id').references(() => media.id),
    status: text('status').notNull().default('pending'),
    stepVersion: integer('step_version'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    providerMessageId: text('provider_message_id'),
    sentAt: text('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_channel_id').on(t.associationId, t.channel, t.direction, t.channelMessageId),
    // History and "last offered choices" read a conversation in seq order (SQLite: created_at, with rowid order for free).
    index('messages_conversation').on(t.conversationId, t.seq),
    // The work of one conversation (oldest pending inbound, next queued reply: direction, status,
    // conversation), the sweeps and the dead letters: all look for rows in an unfinished status,
    // processed and sent rows never. Partial, so it stays as small as the backlog; it also does
    // the job of SQLite's messages_work (conversation, direction, status), which PostgreSQL
    // does not need (measured with EXPLAIN: the planner picked this one for every such query).
    index('messages_status')
      .on(t.direction, t.status, t.conversationId)
      .where(sql`${t.status} NOT IN ('processed', 'sent')`),
    // Outbound messages are looked up by their idempotency key on every send; inbound ones never by it alone.
    index('messages_key')
      .on(t.channelMessageId)
      .where(sql`${t.direction} = 'out'`),
    // Delivery receipts name the platform's id; inbound rows have none.
    index('messages_provider')
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
  ],
);

export const requests = pgTable(
  'requests',
  {
    id: text('id').primaryKey(),
    associationId: text('association_id').notNull().references(() => associations.id),
    reference: text('reference').notNull(),
    form: text('form', { enum: ['intake', 'volunteer'] }).notNull(),
    beneficiaryId: text('beneficiary_id').references(() => beneficiaries.id),
    conversationId: text('conversation_id').notNull().references(() => conversations.id),
    status: text('status').notNull(),
    data: jsonb('data').notNull(),
    nationalId: text('national_id'),
    phone: text('phone'),
    attestedByContactId: text('attested_by_contact_id').notNull().references(() => contacts.id),
    attestedAt: text('attested_at').notNull(),
    attestationChannel: text('attestation_channel').notNull(),
    attestationMessageId: text('attestation_message_id').notNull(),
    attestationText: text('attestation_text').notNull(),
    attestationSha256: text('attestation_sha256').notNull(),
    decisionReason: text('decision_reason'),
    checks: jsonb('checks'),
    checkedAt: text('checked_at'),
    fieldMarks: jsonb('field_marks'),
    decidedAt: text('decided_at'),
    submittedAt: text('submitted_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('requests_reference').on(t.reference),
    index('requests_beneficiary').on(t.beneficiaryId),
    index('requests_conversation').on(t.conversationId),
    index('requests_status').on(t.associationId, t.status),
    index('requests_national_id').on(t.nationalId, t.associationId),
    index('requests_phone').on(t.phone, t.associationId),
  ],
);

export const events = pgTable(
  'events',
  {
    id: identity('id').primaryKey(),
    associationId: text('association_id').notNull(),
    conversationId: text('conversation_id'),
    requestId: text('request_id'),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    payload: jsonb('payload'),
    at: text('at').notNull(),
  },
  (t) => [
    index('events_conversation').on(t.conversationId, t.id),
    index('events_type').on(t.associationId, t.type, t.at),
    // Most events belong to no request.
    index('events_request')
      .on(t.requestId, t.type)
      .where(sql`${t.requestId} IS NOT NULL`),
  ],
);

export const surveyResponses = pgTable('survey_responses', {
  id: text('id').primaryKey(),
  associationId: text('association_id').notNull().references(() => associations.id),
  conversationId: text('conversation_id').notNull().references(() => conversations.id),
  requestReference: text('request_reference'),
  rating: integer('rating'),
  answers: jsonb('answers').notNull(),
  createdAt: createdAt(),
});

export const outbox = pgTable(
  'outbox',
  {
    id: identity('id').primaryKey(),
    associationId: text('association_id').notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    runAt: text('run_at').notNull(),
    dispatchedAt: text('dispatched_at'),
    doneAt: text('done_at'),
    dedupeKey: text('dedupe_key'),
    createdAt: createdAt(),
  },
  (t) => [
    // The dispatcher: rows still waiting in the store, by due time (a reminder enters Redis shortly before it is due).
    index('outbox_due')
      .on(t.runAt)
      .where(sql`${t.dispatchedAt} IS NULL AND ${t.doneAt} IS NULL`),
    // The sweep of dispatched rows whose job may be lost: open rows by due time.
    index('outbox_open')
      .on(t.runAt)
      .where(sql`${t.doneAt} IS NULL`),
    // Superseding the open row of the same timer.
    index('outbox_dedupe')
      .on(t.dedupeKey)
      .where(sql`${t.doneAt} IS NULL`),
  ],
);

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['staff', 'researcher', 'committee', 'supervisor', 'admin'] }).notNull(),
    passwordHash: text('password_hash').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    passwordChangedAt: text('password_changed_at'),
    displayNameAr: text('display_name_ar'),
    displayNameEn: text('display_name_en'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

export const userAssociations = pgTable(
  'user_associations',
  {
    userId: text('user_id').notNull().references(() => users.id),
    associationId: text('association_id').notNull().references(() => associations.id),
    /** The order associations were given (SQLite's rowid): the console opens on the first. */
    seq: identity('seq').notNull(),
  },
  (t) => [uniqueIndex('user_associations_pair').on(t.userId, t.associationId)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    data: jsonb('data').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_expiry').on(t.expiresAt)],
);

export const staffNotes = pgTable(
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

export const offlineContacts = pgTable(
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

/** Deployment-wide settings every process must agree on (the console's cookie-signing secret); see db/schema.ts. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});
