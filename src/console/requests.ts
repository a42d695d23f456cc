/**
 * Verification and committee: submitted requests with their data, attachments, attestation
 * record and automated check results; forward to the committee, ask the beneficiary to
 * correct named fields (the bot then asks only for those), decide. Scoped to the user's
 * associations; who may do what depends on the role.
 */
import type { ConversationService } from '../conversation/service.ts';
import { decide, notificationConversation, serviceDelivered } from '../conversation/work.ts';
import type { FieldValue } from '../engine/types.ts';
import { displayOf } from '../engine/fields.ts';
import type { Db } from '../store/db.ts';
import type { Role, User } from './accounts.ts';
import { audit } from './audit.ts';
import { ConflictError } from './inbox.ts';

export const CAN = {
  verify: ['staff', 'researcher', 'admin'] as Role[],
  decide: ['committee', 'admin'] as Role[],
  deliver: ['staff', 'researcher', 'supervisor', 'admin'] as Role[],
};

export interface FieldMark {
  mark: 'verified' | 'mismatched';
  by: string;
  at: string;
}

export interface RequestField {
  id: string;
  label: string;
  display: string;
  mediaId?: string;
  mark?: FieldMark;
}

/** Statuses in which staff still work on a request. */
const OPEN = ['submitted', 'verifying', 'committee', 'more_info'];

export interface RequestRow {
  id: string;
  association_id: string;
  reference: string;
  form: string;
  status: string;
  data: string;
  checks: string | null;
  field_marks: string | null;
  conversation_id: string;
  beneficiary_id: string | null;
  attested_at: string;
  attestation_channel: string;
  attestation_message_id: string;
  attestation_text: string;
  attestation_sha256: string;
  submitted_at: string;
  decision_reason: string | null;
}

export class Requests {
  constructor(
    private readonly db: Db,
    private readonly service: ConversationService,
  ) {}

  list(user: User, statuses: string[]): RequestRow[] {
    if (user.associations.length === 0) return [];
    const a = user.associations.map(() => '?').join(',');
    const s = statuses.map(() => '?').join(',');
    return this.db.$client
      .prepare(`SELECT * FROM requests WHERE association_id IN (${a}) AND status IN (${s}) ORDER BY submitted_at`)
      .all(...user.associations, ...statuses) as RequestRow[];
  }

  get(user: User, reference: string): RequestRow | undefined {
    const row = this.db.$client.prepare('SELECT * FROM requests WHERE reference = ?').get(reference) as RequestRow | undefined;
    return row && user.associations.includes(row.association_id) ? row : undefined;
  }

  /** The request's answers (label in the page's language, shown value), attachments and staff's marks. */
  fields(row: RequestRow, lang: 'ar' | 'en' = 'ar'): RequestField[] {
    const flow = this.service.flow(row.association_id);
    const form = row.form === 'intake' ? flow.intake : flow.volunteer!;
    const data = JSON.parse(row.data) as Record<string, FieldValue>;
    const marks = (row.field_marks ? JSON.parse(row.field_marks) : {}) as Record<string, FieldMark>;
    return form.fields.map((f) => {
      const v = data[f.id];
      const media = f.type === 'media' && v && typeof v.value === 'object' && v.value !== null && 'id' in (v.value as object) ? String((v.value as { id: string }).id) : undefined;
      return { id: f.id, label: f.label[lang], display: displayOf(f, v, lang) ?? '—', ...(media ? { mediaId: media } : {}), ...(marks[f.id] ? { mark: marks[f.id] } : {}) };
    });
  }

  /** Staff's check of one field against the documents: verified, mismatched, or cleared. */
  markField(user: User, reference: string, field: string, mark: 'verified' | 'mismatched' | 'clear') {
    this.need(user, 'verify');
    return this.db.$client
      .transaction(() => {
        const row = this.get(user, reference);
        if (!row) throw new ConflictError('not found');
        if (!OPEN.includes(row.status)) throw new ConflictError(`the request is ${row.status}`);
        if (!this.fields(row).some((f) => f.id === field)) throw new ConflictError('no such field');
        const marks = (row.field_marks ? JSON.parse(row.field_marks) : {}) as Record<string, FieldMark>;
        if (mark === 'clear') delete marks[field];
        else marks[field] = { mark, by: user.name, at: new Date().toISOString() };
        this.db.$client.prepare('UPDATE requests SET field_marks = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(marks), new Date().toISOString(), row.id);
        this.audit(user, row, 'field_marked', { field, mark });
      })
      .immediate();
  }

  media(user: User, mediaId: string): { path: string; mime: string; filename: string | null } | undefined {
    const row = this.db.$client.prepare('SELECT association_id, path, mime, filename FROM media WHERE id = ?').get(mediaId) as
      | { association_id: string; path: string; mime: string; filename: string | null }
      | undefined;
    return row && user.associations.includes(row.association_id) ? row : undefined;
  }

  private need(user: User, what: keyof typeof CAN) {
    if (!CAN[what].includes(user.role)) throw new ConflictError('forbidden');
  }

  forward(user: User, reference: string) {
    this.need(user, 'verify');
    const row = this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    if (row.status !== 'verifying' && row.status !== 'submitted') throw new ConflictError(`the request is ${row.status}`);
    this.db.$client.prepare("UPDATE requests SET status = 'committee', updated_at = ? WHERE id = ?").run(new Date().toISOString(), row.id);
    this.audit(user, row, 'request_forwarded', {});
  }

  /**
   * Verifiers ask for corrections; the committee asks for more information the same way. The
   * bot then asks the beneficiary only for the named fields.
   */
  askCorrections(user: User, reference: string, fields: string[], note: string | undefined) {
    if (!CAN.verify.includes(user.role) && !CAN.decide.includes(user.role)) throw new ConflictError('forbidden');
    const row = this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    if (!['submitted', 'verifying', 'committee'].includes(row.status)) throw new ConflictError(`the request is ${row.status}`);
    const known = new Set(this.fields(row).map((f) => f.id));
    const chosen = fields.filter((f) => known.has(f));
    if (chosen.length === 0) throw new ConflictError('choose at least one field');
    this.db.$client.prepare("UPDATE requests SET status = 'more_info', updated_at = ? WHERE id = ?").run(new Date().toISOString(), row.id);
    this.audit(user, row, 'corrections_requested', { fields: chosen });
    return this.service.applyInput(
      notificationConversation(this.service, { conversationId: row.conversation_id, beneficiaryId: row.beneficiary_id }),
      { type: 'corrections_requested', reference, fields: chosen, data: JSON.parse(row.data) as Record<string, FieldValue>, ...(note ? { note } : {}) },
      `user:${user.id}`,
    );
  }

  decide(user: User, reference: string, outcome: 'accepted' | 'rejected', reason: string | undefined) {
    this.need(user, 'decide');
    const row = this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    // Decided only once it reached the committee (forwarded after verification).
    if (row.status !== 'committee') throw new ConflictError(`the request is ${row.status}`);
    if (outcome === 'rejected' && !reason?.trim()) throw new ConflictError('a rejection needs a reason');
    return decide(this.service, reference, outcome, reason?.trim() || undefined, `user:${user.id}`, new Date());
  }

  delivered(user: User, reference: string) {
    this.need(user, 'deliver');
    const row = this.get(user, reference);
    if (!row) throw new ConflictError('not found');
    if (row.status !== 'accepted') throw new ConflictError(`the request is ${row.status}`);
    serviceDelivered(this.service, reference, `user:${user.id}`, new Date());
  }

  private audit(user: User, row: RequestRow, type: string, payload: Record<string, unknown>) {
    audit(this.db, user, type, { reference: row.reference, ...payload }, { associationId: row.association_id, conversationId: row.conversation_id, requestId: row.id });
  }
}
