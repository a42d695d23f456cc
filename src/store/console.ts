/**
 * The repositories the staff console uses: interfaces only (SQLite in ../sqlite/console*.ts,
 * PostgreSQL in ../postgres). Every method is async and owns its transaction; rows are plain
 * camelCase objects (JSON parsed, booleans boolean, times ISO-8601 strings). Who may see or do
 * what (roles, the user's associations, which field exists) is decided by the caller; the
 * store scopes by the association ids it is given and persists what it is told.
 */
import type { ConversationState, FieldValue } from '../engine/types.ts';

/** An audit entry: what a staff member saw or did (the append-only events table). */
export interface AuditEntry {
  associationId: string;
  conversationId?: string | null;
  requestId?: string | null;
  type: string;
  /** `user:<id>` */
  actor: string;
  payload: Record<string, unknown>;
  at: string;
}

export interface AuditRepo {
  record(entry: AuditEntry): Promise<void>;
}

// ── inbox ────────────────────────────────────────────────────────────────────

export interface InboxRow {
  conversationId: string;
  associationId: string;
  associationName: string;
  channel: string;
  mode: 'waiting_staff' | 'with_staff';
  escalatedAt: string | null;
  assignedStaffId: string | null;
  state: ConversationState;
}

export interface InboxConversation {
  id: string;
  associationId: string;
  mode: string;
  assignedStaffId: string | null;
  lang: string;
  channel: string;
  state: ConversationState;
}

export interface HistoryMessage {
  direction: 'in' | 'out';
  author: string;
  body: string;
  status: string;
  at: string;
  choices?: Array<{ id: string; label: string }>;
  choiceId?: string;
  /** An inbound "the visitor opened the chat page" (channel message id `open:…`). */
  opened?: boolean;
}

export interface ConversationNote {
  body: string;
  createdAt: string;
  author: string;
}

export interface InboxRepo {
  /** Conversations waiting for or with a person in these associations: escalated ones first, oldest escalation first, then by last update. */
  list(associationIds: string[]): Promise<InboxRow[]>;
  /** Per association (ordered by id), its Arabic name and how many conversations wait for a person. */
  waitingCounts(associationIds: string[]): Promise<Array<{ associationId: string; name: string; waiting: number }>>;
  conversation(conversationId: string): Promise<InboxConversation | undefined>;
  /** Every message of the conversation, in acceptance order. */
  history(conversationId: string): Promise<HistoryMessage[]>;
  /** Staff notes on the conversation, oldest first. */
  notes(conversationId: string): Promise<ConversationNote[]>;
  /** An opaque fingerprint that changes when a listed conversation appears, goes, or changes mode, holder or update time. */
  signature(associationIds: string[]): Promise<string>;
  /** An opaque fingerprint that changes with the conversation's mode, holder, version, message count, any message's delivery status, or its notes. */
  conversationSignature(conversationId: string): Promise<string>;
  /**
   * Queues a staff member's reply, only if that person holds the conversation (checked and
   * written in one transaction), with its `staff_replied` audit entry.
   */
  staffReply(r: { conversationId: string; associationIds: string[]; staffId: string; messageId: string; key: string; body: string; at: string }): Promise<'queued' | 'not found' | 'not held'>;
}

// ── requests ─────────────────────────────────────────────────────────────────

export interface FieldMark {
  mark: 'verified' | 'mismatched';
  by: string;
  at: string;
}

export interface CheckResultRow {
  check: string;
  ok: boolean;
  detail?: string;
}

export interface RequestRecord {
  id: string;
  associationId: string;
  reference: string;
  form: 'intake' | 'volunteer';
  status: string;
  data: Record<string, FieldValue>;
  checks: CheckResultRow[] | null;
  fieldMarks: Record<string, FieldMark>;
  conversationId: string;
  beneficiaryId: string | null;
  /** The beneficiary record's name (null when unlinked or erased). */
  name: string | null;
  attestedAt: string;
  attestationChannel: string;
  attestationMessageId: string;
  attestationText: string;
  attestationSha256: string;
  submittedAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
}

export interface RequestFilter {
  /** Only these associations (the user's); an empty list finds nothing. */
  associationIds: string[];
  /** Any of these statuses; empty or absent: every status. */
  statuses?: string[];
  /** Submitted at or after / before (ISO instants, `to` exclusive). */
  submittedFrom?: string;
  submittedTo?: string;
  /** A reference (whole, any case) or part of the beneficiary's name. */
  search?: string;
  /** Newest submission first; `offset` rows skipped, at most `limit` returned. */
  limit: number;
  offset: number;
}

export interface RequestListItem {
  id: string;
  associationId: string;
  associationName: string;
  reference: string;
  form: string;
  status: string;
  name: string | null;
  checks: CheckResultRow[] | null;
  submittedAt: string;
  decidedAt: string | null;
}

export interface RequestDecision {
  outcome: string;
  at: string;
  reason: string | null;
  /** Who decided (the staff member's console name), when it was recorded. */
  by: string | null;
}

export interface RequestsRepo {
  /** One page of the requests the filter matches, and how many match in all. */
  list(filter: RequestFilter): Promise<{ rows: RequestListItem[]; total: number }>;
  byReference(reference: string): Promise<RequestRecord | undefined>;
  /** The latest `request_decided` entry of the request with its author's name, if any. */
  decision(requestId: string): Promise<RequestDecision | undefined>;
  /**
   * Sets (or with `mark: null` clears) one field's mark, only while the request's status is one
   * of `whileStatus`; read and written in one transaction (no lost update), with the audit entry.
   * Returns the status found when it was not one of them.
   */
  markField(r: { requestId: string; field: string; mark: FieldMark | null; whileStatus: string[]; at: string; audit: AuditEntry }): Promise<{ ok: true } | { ok: false; status: string | undefined }>;
  /**
   * Moves the request to `to` only if its status is one of `from` (one conditional update),
   * with the audit entry. Returns the status found when it was not.
   */
  transition(r: { requestId: string; from: string[]; to: string; at: string; audit: AuditEntry }): Promise<{ ok: true } | { ok: false; status: string | undefined }>;
  media(mediaId: string): Promise<{ associationId: string; path: string; mime: string; filename: string | null } | undefined>;
}

// ── beneficiary records ──────────────────────────────────────────────────────

export interface BeneficiaryRow {
  id: string;
  associationId: string;
  nationalId: string | null;
  phone: string | null;
  name: string | null;
  erasedAt: string | null;
  createdAt: string;
}

export interface PersonRecord {
  beneficiary: BeneficiaryRow;
  /** Oldest first. */
  contacts: Array<{ id: string; channel: string; address: string; displayName: string | null; optedOut: boolean; lastSeenAt: string | null; createdAt: string }>;
  /** Most recently active first. */
  conversations: Array<{ id: string; channel: string; mode: string; lang: string; createdAt: string; updatedAt: string; messages: number }>;
  /** Newest first: the person's own and those made in their conversations. */
  requests: Array<{ reference: string; form: string; status: string; submittedAt: string; decidedAt: string | null; decisionReason: string | null }>;
  /** Newest first. */
  offline: Array<{ id: string; kind: string; direction: 'in' | 'out'; summary: string; occurredAt: string; recordedBy: string; author: string }>;
  /** Newest first: on the record and on the person's conversations. */
  notes: Array<{ id: string; body: string; createdAt: string; author: string; conversationId: string | null }>;
}

export interface PersonExport {
  /** Most recently active first, each with every message in acceptance order. */
  conversations: Array<{ id: string; channel: string; mode: string; lang: string; createdAt: string; updatedAt: string; messages: Array<{ id: string; direction: string; channel: string; author: string; body: string; mediaId: string | null; status: string; createdAt: string; sentAt: string | null }> }>;
  /** Every column of each request (the person's and those in their conversations), camelCase, JSON parsed, oldest first. */
  requests: Array<Record<string, unknown>>;
  /** Files the person sent; `path` is where the bytes are (the caller reads them). */
  files: Array<{ id: string; mime: string; size: number; filename: string | null; sha256: string; path: string; createdAt: string }>;
  surveys: Array<{ requestReference: string | null; rating: number | null; answers: unknown; createdAt: string }>;
  /** `staff_viewed_*` entries about the person or their conversations, oldest first. */
  accessLog: Array<{ type: string; actor: string; at: string }>;
}

export interface RecordsRepo {
  beneficiary(id: string): Promise<BeneficiaryRow | undefined>;
  /** The person with every identity, conversation, request, offline contact and note. */
  person(id: string): Promise<PersonRecord | undefined>;
  /** Beneficiaries in these associations, not erased, whose national ID or phone equals, whose name contains `like`, or who made request `reference` (any case); newest first, at most 50. */
  search(q: { associationIds: string[]; nationalId: string | null; phone: string | null; nameContains: string; reference: string }): Promise<Array<BeneficiaryRow & { associationName: string }>>;
  /** The record of a conversation's contact, created (and linked, audited) when it has none; undefined when the conversation is not in these associations. */
  forConversation(r: { conversationId: string; associationIds: string[]; id: string; at: string; actor: string }): Promise<string | undefined>;
  /** An existing record with this national ID or phone, else a new one (audited). */
  create(r: { associationId: string; id: string; name: string | null; nationalId: string | null; phone: string | null; at: string; actor: string }): Promise<{ id: string; existed: boolean }>;
  /** The conversation's association, for scoping a note. */
  conversationAssociation(conversationId: string): Promise<string | undefined>;
  logOffline(r: { id: string; associationId: string; beneficiaryId: string; kind: string; direction: 'in' | 'out'; summary: string; occurredAt: string; recordedBy: string; at: string; audit: AuditEntry }): Promise<void>;
  addNote(r: { id: string; associationId: string; conversationId: string | null; beneficiaryId: string | null; authorId: string; body: string; at: string }): Promise<void>;
  /** Everything held about the person beyond the record itself (PDPL access request), with its audit entry. */
  export(beneficiaryId: string, conversationIds: string[], audit: AuditEntry): Promise<PersonExport>;
  /**
   * Erases the person in one transaction (see Records.erase for what goes and what stays):
   * refused when the record is missing or erased already. `freshState(lang)` is the engine's
   * initial state for a conversation in that language (pure). Returns the counts and the paths
   * of files no longer referenced by any row (the caller removes them after the commit).
   */
  erase(r: { beneficiaryId: string; associationIds: string[]; at: string; freshState: (lang: 'ar' | 'en') => ConversationState; audit: (counts: { files: number; messages: number; requests: number }) => AuditEntry }): Promise<
    { ok: true; counts: { files: number; messages: number; requests: number }; unusedPaths: string[] } | { ok: false; reason: 'not found' | 'erased already' }
  >;
}

// ── accounts and sessions ────────────────────────────────────────────────────

export type StaffRole = 'staff' | 'researcher' | 'committee' | 'supervisor' | 'admin';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  passwordHash: string;
  active: boolean;
  /** In the order they were given: the first is the user's own association. */
  associations: string[];
  displayNameAr: string | null;
  displayNameEn: string | null;
  mustChangePassword: boolean;
}

export interface AccountsRepo {
  associationIds(): Promise<string[]>;
  byEmail(email: string): Promise<UserRow | undefined>;
  byId(id: string): Promise<UserRow | undefined>;
  /** The user and their associations, in one transaction; false when the email is taken. */
  insert(u: Omit<UserRow, 'active'>): Promise<boolean>;
  /** A new password hash; every session of the user ends except `keepSession`. */
  setPassword(userId: string, passwordHash: string, mustChange: boolean, at: string, keepSession?: string): Promise<void>;
  setDisplayNames(userId: string, ar: string | null, en: string | null): Promise<void>;
  count(): Promise<number>;
}

/** Console sessions for @fastify/session: the session's JSON, with its expiry. */
export interface SessionsRepo {
  /** The session's data, or undefined when missing or expired at `now`. */
  get(id: string, now: string): Promise<unknown>;
  set(id: string, data: unknown, expiresAt: string): Promise<void>;
  destroy(id: string): Promise<void>;
}

// ── reports ──────────────────────────────────────────────────────────────────

export interface DashboardFigures {
  /** `escalated` and `staff_claimed` entries since `since`, in the order they happened. */
  escalationEvents: Array<{ conversationId: string; type: 'escalated' | 'staff_claimed'; at: string }>;
  waiting: number;
  /** `escalation_unclaimed` alerts since `since`. */
  breaches: number;
  /** Requests per status (all time). */
  stages: Record<string, number>;
  /** Decided since `since`, per UTC day (YYYY-MM-DD) and status, days ascending. */
  decisions: Array<{ day: string; status: string; n: number }>;
  /** Newest first. */
  surveys: Array<{ rating: number | null; answers: Record<string, unknown>; createdAt: string }>;
  /** The state of every conversation last updated before `idleBefore`. */
  idleStates: ConversationState[];
}

export interface ReportsRepo {
  dashboard(associationId: string, since: string, idleBefore: string): Promise<DashboardFigures>;
}

export interface ConsoleStore {
  inbox: InboxRepo;
  requests: RequestsRepo;
  records: RecordsRepo;
  accounts: AccountsRepo;
  sessions: SessionsRepo;
  audit: AuditRepo;
  reports: ReportsRepo;
}
