/**
 * One page per person: every channel identity, request and conversation, the offline
 * contacts staff log by hand (the policy's interview, phone call, letter and branch visit),
 * internal notes; and the person's data rights under the PDPL — an export of everything held
 * and erasure on request. Every view, export and erasure is written to the audit log.
 */
import { MediaNotFoundError, mediaKeyOf, type MediaStore } from '../media/index.ts';
import { initialState } from '../engine/advance.ts';
import type { BeneficiaryRow, ConsoleStore, PersonRecord } from '../store/console.ts';
import { uuidv7 } from '../store/ids.ts';
import { validateNationalId } from '../validate/national-id.ts';
import { validatePhone } from '../validate/phone.ts';
import type { Role, User } from './accounts.ts';
import { auditEntry } from './audit.ts';
import { ConflictError } from './inbox.ts';

export type { BeneficiaryRow, PersonRecord } from '../store/console.ts';

export const OFFLINE_KINDS = ['interview', 'phone_call', 'letter', 'branch_visit'] as const;
export type OfflineKind = (typeof OFFLINE_KINDS)[number];

/** Who may export a person's data, and who may erase it (erasure cannot be undone). */
export const DATA_RIGHTS: { export: Role[]; erase: Role[] } = {
  export: ['staff', 'researcher', 'supervisor', 'admin'],
  erase: ['supervisor', 'admin'],
};

/** Where the files are: the media store and MEDIA_DIR (a row's `path` is a key, or an absolute path from before the store). */
export interface MediaFiles {
  readonly media: MediaStore;
  readonly mediaDir: string;
}

export class Records {
  constructor(
    private readonly store: Pick<ConsoleStore, 'records' | 'inbox' | 'audit'>,
    private readonly files: MediaFiles,
  ) {}

  private get repo() {
    return this.store.records;
  }

  /** The person, if the user's associations include theirs (else undefined: 404). */
  async beneficiary(user: User, id: string): Promise<BeneficiaryRow | undefined> {
    const row = await this.repo.beneficiary(id);
    return row && user.associations.includes(row.associationId) ? row : undefined;
  }

  async get(user: User, id: string): Promise<PersonRecord | undefined> {
    if (!(await this.beneficiary(user, id))) return undefined;
    return this.repo.person(id);
  }

  /** The record a conversation belongs to, creating one for a contact who has none yet. */
  async forConversation(user: User, conversationId: string): Promise<string> {
    const id = await this.repo.forConversation({ conversationId, associationIds: user.associations, id: uuidv7(), at: new Date().toISOString(), actor: `user:${user.id}` });
    if (!id) throw new ConflictError('not found');
    return id;
  }

  /**
   * A record for someone who came in person, phoned or wrote: name, and national ID and/or
   * phone, validated like the bot validates them. An existing record with the same ID or phone
   * is returned instead of a duplicate.
   */
  async create(user: User, associationId: string, input: { name?: string; nationalId?: string; phone?: string }): Promise<{ id: string; existed: boolean }> {
    if (!user.associations.includes(associationId)) throw new ConflictError('not found');
    const name = input.name?.trim() || null;
    let nationalId: string | null = null;
    let phone: string | null = null;
    if (input.nationalId?.trim()) {
      const v = validateNationalId(input.nationalId);
      if (!v.ok) throw new ConflictError('invalid national ID');
      nationalId = v.value.id;
    }
    if (input.phone?.trim()) {
      const v = validatePhone(input.phone, { mobileOnly: false });
      if (!v.ok) throw new ConflictError('invalid phone number');
      phone = v.value;
    }
    if (!name && !nationalId && !phone) throw new ConflictError('give a name, a national ID or a phone number');
    return this.repo.create({ associationId, id: uuidv7(), name, nationalId, phone, at: new Date().toISOString(), actor: `user:${user.id}` });
  }

  /**
   * Finds people by request reference, national ID, phone or name, in the user's associations.
   * (Searches arrive in a POST body: national IDs and phones never go in a URL.)
   */
  async search(user: User, query: string): Promise<Array<BeneficiaryRow & { associationName: string }>> {
    const q = query.trim();
    if (!q || user.associations.length === 0) return [];
    const id = validateNationalId(q);
    const phone = validatePhone(q, { mobileOnly: false });
    return this.repo.search({ associationIds: user.associations, nationalId: id.ok ? id.value.id : null, phone: phone.ok ? phone.value : null, nameContains: q, reference: q });
  }

  async logOffline(user: User, beneficiaryId: string, input: { kind: string; direction: string; summary: string; occurredAt?: string }): Promise<string> {
    const b = await this.beneficiary(user, beneficiaryId);
    if (!b) throw new ConflictError('not found');
    if (b.erasedAt) throw new ConflictError('this record was erased');
    if (!(OFFLINE_KINDS as readonly string[]).includes(input.kind)) throw new ConflictError(`kind must be one of ${OFFLINE_KINDS.join(', ')}`);
    const summary = input.summary.trim();
    if (!summary) throw new ConflictError('write what was said or done');
    if (summary.length > 4000) throw new ConflictError('the summary is too long (4000 characters at most)');
    const occurred = input.occurredAt?.trim() ? new Date(input.occurredAt) : new Date();
    if (Number.isNaN(occurred.getTime()) || occurred.getTime() > Date.now() + 3_600_000) throw new ConflictError('the date is not valid');
    const id = uuidv7();
    const at = new Date().toISOString();
    await this.repo.logOffline({
      id,
      associationId: b.associationId,
      beneficiaryId: b.id,
      kind: input.kind,
      direction: input.direction === 'out' ? 'out' : 'in',
      summary,
      occurredAt: occurred.toISOString(),
      recordedBy: user.id,
      at,
      audit: auditEntry(user, 'offline_contact_logged', { beneficiaryId: b.id, kind: input.kind }, { associationId: b.associationId }, at),
    });
    return id;
  }

  /** An internal note on a conversation or on a person's record; the beneficiary never sees it. */
  async addNote(user: User, target: { conversationId?: string; beneficiaryId?: string }, text: string): Promise<string> {
    const body = text.trim();
    if (!body) throw new ConflictError('empty note');
    if (body.length > 4000) throw new ConflictError('the note is too long (4000 characters at most)');
    let associationId: string | undefined;
    if (target.conversationId) {
      associationId = await this.repo.conversationAssociation(target.conversationId);
    } else if (target.beneficiaryId) {
      const b = await this.beneficiary(user, target.beneficiaryId);
      if (b?.erasedAt) throw new ConflictError('this record was erased');
      associationId = b?.associationId;
    }
    if (!associationId || !user.associations.includes(associationId)) throw new ConflictError('not found');
    const id = uuidv7();
    await this.repo.addNote({ id, associationId, conversationId: target.conversationId ?? null, beneficiaryId: target.conversationId ? null : (target.beneficiaryId ?? null), authorId: user.id, body, at: new Date().toISOString() });
    return id;
  }

  notesOf(conversationId: string) {
    return this.store.inbox.notes(conversationId);
  }

  /**
   * Everything held about the person, for a PDPL access request: the record, identities,
   * conversations with every message, requests with their data and attestation, files (base64),
   * survey answers, offline contacts, notes, and who looked at the record.
   */
  async export(user: User, beneficiaryId: string): Promise<Record<string, unknown>> {
    if (!DATA_RIGHTS.export.includes(user.role)) throw new ConflictError('forbidden');
    const record = await this.get(user, beneficiaryId);
    if (!record) throw new ConflictError('not found');
    const held = await this.repo.export(
      beneficiaryId,
      record.conversations.map((c) => c.id),
      auditEntry(user, 'beneficiary_exported', { beneficiaryId }, { associationId: record.beneficiary.associationId }),
    );
    // A file already gone is null; a store that cannot be reached fails the export (never a silently partial one).
    const files = await Promise.all(
      held.files.map(async ({ path, ...meta }) => {
        try {
          return { ...meta, contentBase64: (await this.files.media.get(mediaKeyOf(path, this.files.mediaDir))).toString('base64') };
        } catch (err) {
          if (err instanceof MediaNotFoundError) return { ...meta, contentBase64: null };
          throw err;
        }
      }),
    );
    return {
      exportedAt: new Date().toISOString(),
      association: record.beneficiary.associationId,
      beneficiary: record.beneficiary,
      channelIdentities: record.contacts,
      conversations: held.conversations,
      requests: held.requests,
      files,
      surveys: held.surveys,
      offlineContacts: record.offline,
      notes: record.notes,
      accessLog: held.accessLog,
    };
  }

  /**
   * Erases the person's data on request: identities, message texts, request data and
   * attestation texts, files, survey comments, notes and offline-contact summaries are wiped in
   * one transaction; what remains are dates, statuses and references (the association's
   * statistics) and the audit log saying who erased what and why. Messages not yet sent are
   * cancelled; the channel identities are unlinked, so a new message starts afresh.
   */
  async erase(user: User, beneficiaryId: string, reason: string): Promise<{ files: number; messages: number; requests: number }> {
    if (!DATA_RIGHTS.erase.includes(user.role)) throw new ConflictError('forbidden');
    if (!reason.trim()) throw new ConflictError('erasure needs a reason (the request it answers)');
    const now = new Date();
    const at = now.toISOString();
    let associationId = '';
    const b = await this.beneficiary(user, beneficiaryId);
    if (b) associationId = b.associationId;
    const result = await this.repo.erase({
      beneficiaryId,
      associationIds: user.associations,
      at,
      freshState: (lang) => initialState(lang, now),
      audit: (counts) => auditEntry(user, 'beneficiary_erased', { beneficiaryId, reason: reason.trim().slice(0, 300), ...counts }, { associationId }, at),
    });
    if (!result.ok) throw new ConflictError(result.reason === 'not found' ? 'not found' : 'this record was erased already');
    // Files go after the commit; a file shared (same content) with someone else's upload stays.
    // Every deletion is tried; one the store refused fails the call after the others (the
    // record is erased either way, and the error names the key left for an operator).
    const deleted = await Promise.allSettled(result.unusedPaths.map((path) => this.files.media.delete(mediaKeyOf(path, this.files.mediaDir))));
    const failed = deleted.find((d): d is PromiseRejectedResult => d.status === 'rejected');
    if (failed) throw failed.reason;
    return result.counts;
  }
}
