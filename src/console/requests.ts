/**
 * Verification and committee: submitted requests with their data, attachments, attestation
 * record and automated check results; forward to the committee, ask the beneficiary to
 * correct named fields (the bot then asks only for those), decide. Scoped to the user's
 * associations; who may do what depends on the role.
 */
import type { ConversationService } from '../conversation/service.ts';
import { decide, notificationConversation, serviceDelivered } from '../conversation/work.ts';
import { displayOf } from '../engine/fields.ts';
import type { ConsoleStore, FieldMark, RequestDecision, RequestFilter, RequestListItem, RequestRecord } from '../store/console.ts';
import type { Role, User } from './accounts.ts';
import { auditEntry } from './audit.ts';
import { ConflictError } from './inbox.ts';

export type { FieldMark, RequestRecord } from '../store/console.ts';

export const CAN = {
  verify: ['staff', 'researcher', 'admin'] as Role[],
  decide: ['committee', 'admin'] as Role[],
  deliver: ['staff', 'researcher', 'supervisor', 'admin'] as Role[],
};

export interface RequestField {
  id: string;
  label: string;
  display: string;
  mediaId?: string;
  mark?: FieldMark;
}

/** Statuses in which staff still work on a request. */
const OPEN = ['submitted', 'verifying', 'committee', 'more_info'];
/** Every status a request can have, in the order of its life. */
export const REQUEST_STATUSES = ['submitted', 'verifying', 'committee', 'more_info', 'accepted', 'rejected', 'completed', 'erased'] as const;
/** Rows per page of the request list. */
export const PAGE_SIZE = 25;

export class Requests {
  constructor(
    private readonly store: Pick<ConsoleStore, 'requests' | 'audit'>,
    private readonly service: ConversationService,
  ) {}

  /** A page of the user's requests (only their associations), filtered, newest first. */
  list(user: User, filter: Omit<RequestFilter, 'associationIds' | 'limit' | 'offset'> & { associationId?: string; page?: number }): Promise<{ rows: RequestListItem[]; total: number }> {
    const associationIds = filter.associationId ? user.associations.filter((a) => a === filter.associationId) : user.associations;
    const page = Math.max(1, Math.floor(filter.page ?? 1));
    const { associationId: _a, page: _p, ...rest } = filter;
    return this.store.requests.list({ ...rest, associationIds, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  }

  async get(user: User, reference: string): Promise<RequestRecord | undefined> {
    const row = await this.store.requests.byReference(reference);
    return row && user.associations.includes(row.associationId) ? row : undefined;
  }

  /** Who decided, when and why: the console's decision entry, else what the request row holds. */
  async decision(row: RequestRecord): Promise<RequestDecision | undefined> {
    if (!row.decidedAt) return undefined;
    const entry = await this.store.requests.decision(row.id);
    return { outcome: entry?.outcome || row.status, at: row.decidedAt, reason: row.decisionReason ?? entry?.reason ?? null, by: entry?.by ?? null };
  }

  /** The request's answers (label in the page's language, shown value), attachments and staff's marks. */
  fields(row: RequestRecord, lang: 'ar' | 'en' = 'ar'): RequestField[] {
    const flow = this.service.flow(row.associationId);
    const form = row.form === 'intake' ? flow.intake : flow.volunteer!;
    const marks = row.fieldMarks;
    return form.fields.map((f) => {
      const v = row.data[f.id];
      const media = f.type === 'media' && v && typeof v.value === 'object' && v.value !== null && 'id' in (v.value as object) ? String((v.value as { id: string }).id) : undefined;
      return { id: f.id, label: f.label[lang], display: displayOf(f, v, lang) ?? '—', ...(media ? { mediaId: media } : {}), ...(marks[f.id] ? { mark: marks[f.id] } : {}) };
    });
  }

  /** Staff's check of one field against the documents: verified, mismatched, or cleared. */
  async markField(user: User, reference: string, field: string, mark: 'verified' | 'mismatched' | 'clear') {
    this.need(user, 'verify');
    const row = await this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    if (!OPEN.includes(row.status)) throw new ConflictError(`the request is ${row.status}`);
    if (!this.fields(row).some((f) => f.id === field)) throw new ConflictError('no such field');
    const at = new Date().toISOString();
    const done = await this.store.requests.markField({
      requestId: row.id,
      field,
      mark: mark === 'clear' ? null : { mark, by: user.name, at },
      whileStatus: OPEN,
      at,
      audit: this.entry(user, row, 'field_marked', { field, mark }, at),
    });
    if (!done.ok) throw new ConflictError(`the request is ${done.status ?? 'gone'}`);
  }

  async media(user: User, mediaId: string): Promise<{ path: string; mime: string; filename: string | null } | undefined> {
    const row = await this.store.requests.media(mediaId);
    return row && user.associations.includes(row.associationId) ? row : undefined;
  }

  private need(user: User, what: keyof typeof CAN) {
    if (!CAN[what].includes(user.role)) throw new ConflictError('forbidden');
  }

  async forward(user: User, reference: string) {
    this.need(user, 'verify');
    const row = await this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    const at = new Date().toISOString();
    // One conditional update: forwarded once, and never a request someone decided meanwhile.
    const done = await this.store.requests.transition({ requestId: row.id, from: ['verifying', 'submitted'], to: 'committee', at, audit: this.entry(user, row, 'request_forwarded', {}, at) });
    if (!done.ok) throw new ConflictError(`the request is ${done.status ?? row.status}`);
  }

  /**
   * Verifiers ask for corrections; the committee asks for more information the same way. The
   * bot then asks the beneficiary only for the named fields.
   */
  async askCorrections(user: User, reference: string, fields: string[], note: string | undefined) {
    if (!CAN.verify.includes(user.role) && !CAN.decide.includes(user.role)) throw new ConflictError('forbidden');
    const row = await this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    if (!['submitted', 'verifying', 'committee'].includes(row.status)) throw new ConflictError(`the request is ${row.status}`);
    const known = new Set(this.fields(row).map((f) => f.id));
    const chosen = fields.filter((f) => known.has(f));
    if (chosen.length === 0) throw new ConflictError('choose at least one field');
    const at = new Date().toISOString();
    const done = await this.store.requests.transition({ requestId: row.id, from: ['submitted', 'verifying', 'committee'], to: 'more_info', at, audit: this.entry(user, row, 'corrections_requested', { fields: chosen }, at) });
    if (!done.ok) throw new ConflictError(`the request is ${done.status ?? row.status}`);
    return await this.service.applyInput(
      await notificationConversation(this.service, { conversationId: row.conversationId, beneficiaryId: row.beneficiaryId }),
      { type: 'corrections_requested', reference, fields: chosen, data: row.data, ...(note ? { note } : {}) },
      `user:${user.id}`,
    );
  }

  async decide(user: User, reference: string, outcome: 'accepted' | 'rejected', reason: string | undefined) {
    this.need(user, 'decide');
    const row = await this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    // Decided only once it reached the committee (forwarded after verification).
    if (row.status !== 'committee') throw new ConflictError(`the request is ${row.status}`);
    if (outcome === 'rejected' && !reason?.trim()) throw new ConflictError('a rejection needs a reason');
    const why = reason?.trim() || undefined;
    // Who decided is recorded with the decision, in its transaction; a second decider changes nothing.
    return decide(this.service, reference, outcome, why, `user:${user.id}`, new Date());
  }

  async delivered(user: User, reference: string) {
    this.need(user, 'deliver');
    const row = await this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    if (row.status !== 'accepted') throw new ConflictError(`the request is ${row.status}`);
    await serviceDelivered(this.service, reference, `user:${user.id}`, new Date());
  }

  private entry(user: User, row: RequestRecord, type: string, payload: Record<string, unknown>, at?: string) {
    return auditEntry(user, type, { reference: row.reference, ...payload }, { associationId: row.associationId, conversationId: row.conversationId, requestId: row.id }, at);
  }
}
