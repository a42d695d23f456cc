/**
 * One page per person: every channel identity, request and conversation, the offline
 * contacts staff log by hand (the policy's interview, phone call, letter and branch visit),
 * internal notes; and the person's data rights under the PDPL — an export of everything held
 * and erasure on request. Every view, export and erasure is written to the audit log.
 */
import { readFileSync, rmSync } from 'node:fs';
import { initialState } from '../engine/advance.ts';
import type { Db } from '../store/db.ts';
import { uuidv7 } from '../store/ids.ts';
import { validateNationalId } from '../validate/national-id.ts';
import { validatePhone } from '../validate/phone.ts';
import type { Role, User } from './accounts.ts';
import { audit } from './audit.ts';
import { ConflictError } from './inbox.ts';

export const OFFLINE_KINDS = ['interview', 'phone_call', 'letter', 'branch_visit'] as const;
export type OfflineKind = (typeof OFFLINE_KINDS)[number];

/** Who may export a person's data, and who may erase it (erasure cannot be undone). */
export const DATA_RIGHTS: { export: Role[]; erase: Role[] } = {
  export: ['staff', 'researcher', 'supervisor', 'admin'],
  erase: ['supervisor', 'admin'],
};

export interface BeneficiaryRow {
  id: string;
  association_id: string;
  national_id: string | null;
  phone: string | null;
  name: string | null;
  erased_at: string | null;
  created_at: string;
}

export interface PersonRecord {
  beneficiary: BeneficiaryRow;
  contacts: Array<{ id: string; channel: string; address: string; display_name: string | null; opted_out: number; last_seen_at: string | null; created_at: string }>;
  conversations: Array<{ id: string; channel: string; mode: string; lang: string; created_at: string; updated_at: string; messages: number }>;
  requests: Array<{ reference: string; form: string; status: string; submitted_at: string; decided_at: string | null; decision_reason: string | null }>;
  offline: Array<{ id: string; kind: OfflineKind; direction: 'in' | 'out'; summary: string; occurred_at: string; recorded_by: string; author: string }>;
  notes: Array<{ id: string; body: string; created_at: string; author: string; conversation_id: string | null }>;
}

export class Records {
  constructor(private readonly db: Db) {}

  private sql() {
    return this.db.$client;
  }

  /** The person, if the user's associations include theirs (else undefined: 404). */
  beneficiary(user: User, id: string): BeneficiaryRow | undefined {
    const row = this.sql().prepare('SELECT id, association_id, national_id, phone, name, erased_at, created_at FROM beneficiaries WHERE id = ?').get(id) as BeneficiaryRow | undefined;
    return row && user.associations.includes(row.association_id) ? row : undefined;
  }

  get(user: User, id: string): PersonRecord | undefined {
    const beneficiary = this.beneficiary(user, id);
    if (!beneficiary) return undefined;
    const db = this.sql();
    return {
      beneficiary,
      contacts: db.prepare('SELECT id, channel, address, display_name, opted_out, last_seen_at, created_at FROM contacts WHERE beneficiary_id = ? ORDER BY created_at').all(id) as PersonRecord['contacts'],
      conversations: db
        .prepare(
          `SELECT c.id, k.channel, c.mode, c.lang, c.created_at, c.updated_at, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS messages
           FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ? ORDER BY c.updated_at DESC`,
        )
        .all(id) as PersonRecord['conversations'],
      requests: db
        .prepare(
          `SELECT reference, form, status, submitted_at, decided_at, decision_reason FROM requests
           WHERE beneficiary_id = ? OR conversation_id IN (SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ?)
           ORDER BY submitted_at DESC`,
        )
        .all(id, id) as PersonRecord['requests'],
      offline: db
        .prepare('SELECT o.id, o.kind, o.direction, o.summary, o.occurred_at, o.recorded_by, u.name AS author FROM offline_contacts o JOIN users u ON u.id = o.recorded_by WHERE o.beneficiary_id = ? ORDER BY o.occurred_at DESC')
        .all(id) as PersonRecord['offline'],
      notes: db
        .prepare(
          `SELECT n.id, n.body, n.created_at, u.name AS author, n.conversation_id FROM staff_notes n JOIN users u ON u.id = n.author_id
           WHERE n.beneficiary_id = ? OR n.conversation_id IN (SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ?)
           ORDER BY n.created_at DESC`,
        )
        .all(id, id) as PersonRecord['notes'],
    };
  }

  /** The record a conversation belongs to, creating one for a contact who has none yet. */
  forConversation(user: User, conversationId: string): string {
    return this.sql()
      .transaction(() => {
        const row = this.sql()
          .prepare('SELECT c.association_id, k.id AS contact_id, k.beneficiary_id, k.display_name FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?')
          .get(conversationId) as { association_id: string; contact_id: string; beneficiary_id: string | null; display_name: string | null } | undefined;
        if (!row || !user.associations.includes(row.association_id)) throw new ConflictError('not found');
        if (row.beneficiary_id) return row.beneficiary_id;
        const id = this.insert(row.association_id, { name: row.display_name });
        this.sql().prepare('UPDATE contacts SET beneficiary_id = ? WHERE id = ?').run(id, row.contact_id);
        this.audit(user, row.association_id, 'beneficiary_created', { beneficiaryId: id, from: 'conversation' }, conversationId);
        return id;
      })
      .immediate();
  }

  /**
   * A record for someone who came in person, phoned or wrote: name, and national ID and/or
   * phone, validated like the bot validates them. An existing record with the same ID or phone
   * is returned instead of a duplicate.
   */
  create(user: User, associationId: string, input: { name?: string; nationalId?: string; phone?: string }): { id: string; existed: boolean } {
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
    return this.sql()
      .transaction(() => {
        const existing = this.sql()
          .prepare('SELECT id FROM beneficiaries WHERE association_id = ? AND ((national_id IS NOT NULL AND national_id = ?) OR (phone IS NOT NULL AND phone = ?))')
          .get(associationId, nationalId, phone) as { id: string } | undefined;
        if (existing) return { id: existing.id, existed: true };
        const id = this.insert(associationId, { name, nationalId, phone });
        this.audit(user, associationId, 'beneficiary_created', { beneficiaryId: id, from: 'console' });
        return { id, existed: false };
      })
      .immediate();
  }

  private insert(associationId: string, v: { name?: string | null; nationalId?: string | null; phone?: string | null }): string {
    const id = uuidv7();
    const now = new Date().toISOString();
    this.sql()
      .prepare('INSERT INTO beneficiaries (id, association_id, national_id, phone, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, associationId, v.nationalId ?? null, v.phone ?? null, v.name ?? null, now, now);
    return id;
  }

  /**
   * Finds people by request reference, national ID, phone or name, in the user's associations.
   * (Searches arrive in a POST body: national IDs and phones never go in a URL.)
   */
  search(user: User, query: string): Array<BeneficiaryRow & { association_name: string }> {
    const q = query.trim();
    if (!q || user.associations.length === 0) return [];
    const marks = user.associations.map(() => '?').join(',');
    const id = validateNationalId(q);
    const phone = validatePhone(q, { mobileOnly: false });
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.sql()
      .prepare(
        `SELECT b.id, b.association_id, b.national_id, b.phone, b.name, b.erased_at, b.created_at, a.name_ar AS association_name
         FROM beneficiaries b JOIN associations a ON a.id = b.association_id
         WHERE b.association_id IN (${marks}) AND b.erased_at IS NULL AND (
           b.national_id = @id OR b.phone = @phone OR b.name LIKE @like ESCAPE '\\'
           OR b.id IN (SELECT r.beneficiary_id FROM requests r WHERE r.reference = @ref COLLATE NOCASE))
         ORDER BY b.created_at DESC LIMIT 50`,
      )
      .all(...user.associations, { id: id.ok ? id.value.id : null, phone: phone.ok ? phone.value : null, like, ref: q }) as Array<BeneficiaryRow & { association_name: string }>;
  }

  logOffline(user: User, beneficiaryId: string, input: { kind: string; direction: string; summary: string; occurredAt?: string }): string {
    const b = this.beneficiary(user, beneficiaryId);
    if (!b) throw new ConflictError('not found');
    if (b.erased_at) throw new ConflictError('this record was erased');
    if (!(OFFLINE_KINDS as readonly string[]).includes(input.kind)) throw new ConflictError(`kind must be one of ${OFFLINE_KINDS.join(', ')}`);
    const summary = input.summary.trim();
    if (!summary) throw new ConflictError('write what was said or done');
    if (summary.length > 4000) throw new ConflictError('the summary is too long (4000 characters at most)');
    const occurred = input.occurredAt?.trim() ? new Date(input.occurredAt) : new Date();
    if (Number.isNaN(occurred.getTime()) || occurred.getTime() > Date.now() + 3_600_000) throw new ConflictError('the date is not valid');
    const id = uuidv7();
    this.sql()
      .prepare('INSERT INTO offline_contacts (id, association_id, beneficiary_id, kind, direction, summary, occurred_at, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, b.association_id, b.id, input.kind, input.direction === 'out' ? 'out' : 'in', summary, occurred.toISOString(), user.id, new Date().toISOString());
    this.audit(user, b.association_id, 'offline_contact_logged', { beneficiaryId: b.id, kind: input.kind });
    return id;
  }

  /** An internal note on a conversation or on a person's record; the beneficiary never sees it. */
  addNote(user: User, target: { conversationId?: string; beneficiaryId?: string }, text: string): string {
    const body = text.trim();
    if (!body) throw new ConflictError('empty note');
    if (body.length > 4000) throw new ConflictError('the note is too long (4000 characters at most)');
    let associationId: string | undefined;
    if (target.conversationId) {
      associationId = (this.sql().prepare('SELECT association_id FROM conversations WHERE id = ?').get(target.conversationId) as { association_id: string } | undefined)?.association_id;
    } else if (target.beneficiaryId) {
      const b = this.beneficiary(user, target.beneficiaryId);
      if (b?.erased_at) throw new ConflictError('this record was erased');
      associationId = b?.association_id;
    }
    if (!associationId || !user.associations.includes(associationId)) throw new ConflictError('not found');
    const id = uuidv7();
    this.sql()
      .prepare('INSERT INTO staff_notes (id, association_id, conversation_id, beneficiary_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, associationId, target.conversationId ?? null, target.conversationId ? null : (target.beneficiaryId ?? null), user.id, body, new Date().toISOString());
    return id;
  }

  notesOf(conversationId: string): Array<{ body: string; created_at: string; author: string }> {
    return this.sql()
      .prepare('SELECT n.body, n.created_at, u.name AS author FROM staff_notes n JOIN users u ON u.id = n.author_id WHERE n.conversation_id = ? ORDER BY n.created_at')
      .all(conversationId) as Array<{ body: string; created_at: string; author: string }>;
  }

  /**
   * Everything held about the person, for a PDPL access request: the record, identities,
   * conversations with every message, requests with their data and attestation, files (base64),
   * survey answers, offline contacts, notes, and who looked at the record.
   */
  export(user: User, beneficiaryId: string): Record<string, unknown> {
    if (!DATA_RIGHTS.export.includes(user.role)) throw new ConflictError('forbidden');
    const record = this.get(user, beneficiaryId);
    if (!record) throw new ConflictError('not found');
    const db = this.sql();
    const conversationIds = record.conversations.map((c) => c.id);
    const inConvs = conversationIds.map(() => '?').join(',') || "''";
    const json = (s: string | null) => (s === null ? null : JSON.parse(s));
    const requests = (db.prepare(`SELECT * FROM requests WHERE beneficiary_id = ? OR conversation_id IN (${inConvs}) ORDER BY submitted_at`).all(beneficiaryId, ...conversationIds) as Array<Record<string, string | null>>).map(
      (r) => ({ ...r, data: json(r.data ?? null), checks: json(r.checks ?? null), field_marks: json(r.field_marks ?? null) }),
    );
    const mediaIds = new Set<string>();
    const conversations = record.conversations.map((c) => {
      const msgs = db
        .prepare('SELECT id, direction, channel, author, body, media_id, status, created_at, sent_at FROM messages WHERE conversation_id = ? ORDER BY rowid')
        .all(c.id) as Array<{ media_id: string | null }>;
      for (const m of msgs) if (m.media_id) mediaIds.add(m.media_id);
      return { ...c, messages: msgs };
    });
    const files = [...mediaIds].map((id) => {
      const m = db.prepare('SELECT id, mime, size, filename, sha256, path, created_at FROM media WHERE id = ?').get(id) as { id: string; mime: string; size: number; filename: string | null; sha256: string; path: string; created_at: string };
      let content: string | null = null;
      try {
        content = readFileSync(m.path).toString('base64');
      } catch {
        content = null; // already gone from disk
      }
      const { path: _path, ...meta } = m;
      return { ...meta, contentBase64: content };
    });
    const surveys = (db.prepare(`SELECT request_reference, rating, answers, created_at FROM survey_responses WHERE conversation_id IN (${inConvs})`).all(...conversationIds) as Array<{ answers: string }>).map((s) => ({ ...s, answers: json(s.answers) }));
    const views = db
      .prepare(`SELECT type, actor, at FROM events WHERE type LIKE 'staff_viewed_%' AND (json_extract(payload, '$.beneficiaryId') = ? OR conversation_id IN (${inConvs})) ORDER BY id`)
      .all(beneficiaryId, ...conversationIds);
    this.audit(user, record.beneficiary.association_id, 'beneficiary_exported', { beneficiaryId });
    return {
      exportedAt: new Date().toISOString(),
      association: record.beneficiary.association_id,
      beneficiary: record.beneficiary,
      channelIdentities: record.contacts,
      conversations,
      requests,
      files,
      surveys,
      offlineContacts: record.offline,
      notes: record.notes,
      accessLog: views,
    };
  }

  /**
   * Erases the person's data on request: identities, message texts, request data and
   * attestation texts, files, survey comments, notes and offline-contact summaries are wiped in
   * one transaction; what remains are dates, statuses and references (the association's
   * statistics) and the audit log saying who erased what and why. Messages not yet sent are
   * cancelled; the channel identities are unlinked, so a new message starts afresh.
   */
  erase(user: User, beneficiaryId: string, reason: string): { files: number; messages: number; requests: number } {
    if (!DATA_RIGHTS.erase.includes(user.role)) throw new ConflictError('forbidden');
    if (!reason.trim()) throw new ConflictError('erasure needs a reason (the request it answers)');
    const db = this.sql();
    const now = new Date().toISOString();
    const result = db
      .transaction(() => {
        const b = this.beneficiary(user, beneficiaryId);
        if (!b) throw new ConflictError('not found');
        if (b.erased_at) throw new ConflictError('this record was erased already');
        const contacts = db.prepare('SELECT id FROM contacts WHERE beneficiary_id = ?').all(b.id) as Array<{ id: string }>;
        const convs = db.prepare(`SELECT c.id, c.lang FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ?`).all(b.id) as Array<{ id: string; lang: 'ar' | 'en' }>;
        const ids = convs.map((c) => c.id);
        const inConvs = ids.map(() => '?').join(',') || "''";
        const media = db.prepare(`SELECT DISTINCT m.id, m.path FROM media m JOIN messages g ON g.media_id = m.id WHERE g.conversation_id IN (${inConvs})`).all(...ids) as Array<{ id: string; path: string }>;
        // Platform message ids can carry the phone number (WhatsApp web's do): replaced as well.
        const messages = db
          .prepare(
            `UPDATE messages SET body = '', choices = NULL, template = NULL, media_id = NULL, provider_message_id = NULL,
             channel_message_id = CASE WHEN direction = 'in' THEN 'erased:' || id ELSE channel_message_id END WHERE conversation_id IN (${inConvs})`,
          )
          .run(...ids).changes;
        db.prepare(`UPDATE messages SET status = 'failed', error = 'erased on request' WHERE conversation_id IN (${inConvs}) AND direction = 'out' AND status = 'queued'`).run(...ids);
        for (const m of media) db.prepare('DELETE FROM media WHERE id = ?').run(m.id);
        const requests = db
          .prepare(
            `UPDATE requests SET data = '{}', national_id = NULL, phone = NULL, attestation_text = '', attestation_sha256 = '', attestation_message_id = '', checks = NULL, field_marks = NULL, decision_reason = NULL,
             status = CASE WHEN status IN ('accepted', 'rejected', 'completed') THEN status ELSE 'erased' END, updated_at = ?
             WHERE beneficiary_id = ? OR conversation_id IN (${inConvs})`,
          )
          .run(now, b.id, ...ids).changes;
        db.prepare(`UPDATE survey_responses SET answers = '{}' WHERE conversation_id IN (${inConvs})`).run(...ids);
        // The engine's own events carry answers; staff actions' audit entries carry none.
        db.prepare(`UPDATE events SET payload = NULL WHERE conversation_id IN (${inConvs}) AND actor NOT LIKE 'user:%'`).run(...ids);
        db.prepare(`DELETE FROM outbox WHERE dispatched_at IS NULL AND json_extract(payload, '$.conversationId') IN (${inConvs})`).run(...ids);
        for (const c of convs) {
          db.prepare("UPDATE conversations SET state = ?, mode = 'new', assigned_staff_id = NULL, escalated_at = NULL, version = version + 1, updated_at = ? WHERE id = ?").run(JSON.stringify(initialState(c.lang, new Date(now))), now, c.id);
        }
        db.prepare(`UPDATE staff_notes SET body = '' WHERE beneficiary_id = ? OR conversation_id IN (${inConvs})`).run(b.id, ...ids);
        db.prepare("UPDATE offline_contacts SET summary = '' WHERE beneficiary_id = ?").run(b.id);
        for (const k of contacts) db.prepare("UPDATE contacts SET address = 'erased:' || id, display_name = NULL, opted_out = 1 WHERE id = ?").run(k.id);
        db.prepare('UPDATE beneficiaries SET national_id = NULL, phone = NULL, name = NULL, erased_at = ?, updated_at = ? WHERE id = ?').run(now, now, b.id);
        const counts = { files: media.length, messages, requests };
        this.audit(user, b.association_id, 'beneficiary_erased', { beneficiaryId: b.id, reason: reason.trim().slice(0, 300), ...counts });
        return { counts, paths: media.map((m) => m.path) };
      })
      .immediate();
    // Files go after the commit; a file shared (same content) with someone else's upload stays.
    for (const path of result.paths) {
      const stillUsed = db.prepare('SELECT 1 FROM media WHERE path = ?').get(path);
      if (!stillUsed) rmSync(path, { force: true });
    }
    return result.counts;
  }

  private audit(user: User, associationId: string, type: string, payload: Record<string, unknown>, conversationId: string | null = null) {
    audit(this.db, user, type, payload, { associationId, conversationId });
  }

}
