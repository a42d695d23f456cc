/** Beneficiary records on SQLite: the person's page, search, walk-in records, notes, the PDPL export and erasure. */
import type { BeneficiaryRow, PersonExport, PersonRecord, RecordsRepo } from '../console.ts';
import { containsPattern, insertAudit } from './console-requests.ts';
import { json, marks, type Sql } from './console-tx.ts';

const BENEFICIARY = 'id, association_id AS associationId, national_id AS nationalId, phone, name, erased_at AS erasedAt, created_at AS createdAt';

export function sqliteRecords(sql: Sql): RecordsRepo {
  const beneficiary = (id: string) => sql.prep(`SELECT ${BENEFICIARY} FROM beneficiaries WHERE id = ?`).get(id) as BeneficiaryRow | undefined;
  const conversationsOf = (id: string) => sql.prep('SELECT c.id, c.lang FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ?').all(id) as Array<{ id: string; lang: 'ar' | 'en' }>;
  const insert = (v: { id: string; associationId: string; name: string | null; nationalId: string | null; phone: string | null; at: string }) =>
    sql.prep('INSERT INTO beneficiaries (id, association_id, national_id, phone, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(v.id, v.associationId, v.nationalId, v.phone, v.name, v.at, v.at);

  return {
    async beneficiary(id) {
      return beneficiary(id);
    },

    async person(id): Promise<PersonRecord | undefined> {
      const b = beneficiary(id);
      if (!b) return undefined;
      const contacts = (sql.prep('SELECT id, channel, address, display_name AS displayName, opted_out AS optedOut, last_seen_at AS lastSeenAt, created_at AS createdAt FROM contacts WHERE beneficiary_id = ? ORDER BY created_at').all(id) as Array<PersonRecord['contacts'][number] & { optedOut: number | boolean }>).map((k) => ({ ...k, optedOut: !!k.optedOut }));
      return {
        beneficiary: b,
        contacts,
        conversations: sql
          .prep(
            `SELECT c.id, k.channel, c.mode, c.lang, c.created_at AS createdAt, c.updated_at AS updatedAt, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS messages
             FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ? ORDER BY c.updated_at DESC`,
          )
          .all(id) as PersonRecord['conversations'],
        requests: sql
          .prep(
            `SELECT reference, form, status, submitted_at AS submittedAt, decided_at AS decidedAt, decision_reason AS decisionReason FROM requests
             WHERE beneficiary_id = ? OR conversation_id IN (SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ?)
             ORDER BY submitted_at DESC`,
          )
          .all(id, id) as PersonRecord['requests'],
        offline: sql
          .prep('SELECT o.id, o.kind, o.direction, o.summary, o.occurred_at AS occurredAt, o.recorded_by AS recordedBy, u.name AS author FROM offline_contacts o JOIN users u ON u.id = o.recorded_by WHERE o.beneficiary_id = ? ORDER BY o.occurred_at DESC')
          .all(id) as PersonRecord['offline'],
        notes: sql
          .prep(
            `SELECT n.id, n.body, n.created_at AS createdAt, u.name AS author, n.conversation_id AS conversationId FROM staff_notes n JOIN users u ON u.id = n.author_id
             WHERE n.beneficiary_id = ? OR n.conversation_id IN (SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = ?)
             ORDER BY n.created_at DESC`,
          )
          .all(id, id) as PersonRecord['notes'],
      };
    },

    async search(q) {
      if (q.associationIds.length === 0) return [];
      return sql
        .prep(
          `SELECT b.id, b.association_id AS associationId, b.national_id AS nationalId, b.phone, b.name, b.erased_at AS erasedAt, b.created_at AS createdAt, a.name_ar AS associationName
           FROM beneficiaries b JOIN associations a ON a.id = b.association_id
           WHERE b.association_id IN (${marks(q.associationIds)}) AND b.erased_at IS NULL AND (
             b.national_id = ? OR b.phone = ? OR b.name LIKE ? ESCAPE '\\'
             OR b.id IN (SELECT r.beneficiary_id FROM requests r WHERE upper(r.reference) = upper(?)))
           ORDER BY b.created_at DESC LIMIT 50`,
        )
        .all(...q.associationIds, q.nationalId, q.phone, containsPattern(q.nameContains), q.reference) as Array<BeneficiaryRow & { associationName: string }>;
    },

    async forConversation(r) {
      return sql.write(() => {
        const row = sql
          .prep('SELECT c.association_id, k.id AS contact_id, k.beneficiary_id, k.display_name FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?')
          .get(r.conversationId) as { association_id: string; contact_id: string; beneficiary_id: string | null; display_name: string | null } | undefined;
        if (!row || !r.associationIds.includes(row.association_id)) return undefined;
        if (row.beneficiary_id) return row.beneficiary_id;
        insert({ id: r.id, associationId: row.association_id, name: row.display_name, nationalId: null, phone: null, at: r.at });
        sql.prep('UPDATE contacts SET beneficiary_id = ? WHERE id = ?').run(r.id, row.contact_id);
        insertAudit(sql, { associationId: row.association_id, conversationId: r.conversationId, type: 'beneficiary_created', actor: r.actor, payload: { beneficiaryId: r.id, from: 'conversation' }, at: r.at });
        return r.id;
      });
    },

    async create(r) {
      return sql.write(() => {
        const existing = sql
          .prep('SELECT id FROM beneficiaries WHERE association_id = ? AND ((national_id IS NOT NULL AND national_id = ?) OR (phone IS NOT NULL AND phone = ?))')
          .get(r.associationId, r.nationalId, r.phone) as { id: string } | undefined;
        if (existing) return { id: existing.id, existed: true };
        insert(r);
        insertAudit(sql, { associationId: r.associationId, type: 'beneficiary_created', actor: r.actor, payload: { beneficiaryId: r.id, from: 'console' }, at: r.at });
        return { id: r.id, existed: false };
      });
    },

    async conversationAssociation(conversationId) {
      return (sql.prep('SELECT association_id FROM conversations WHERE id = ?').get(conversationId) as { association_id: string } | undefined)?.association_id;
    },

    async logOffline(r) {
      await sql.write(() => {
        sql
          .prep('INSERT INTO offline_contacts (id, association_id, beneficiary_id, kind, direction, summary, occurred_at, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(r.id, r.associationId, r.beneficiaryId, r.kind, r.direction, r.summary, r.occurredAt, r.recordedBy, r.at);
        insertAudit(sql, r.audit);
      });
    },

    async addNote(r) {
      sql.prep('INSERT INTO staff_notes (id, association_id, conversation_id, beneficiary_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(r.id, r.associationId, r.conversationId, r.beneficiaryId, r.authorId, r.body, r.at);
    },

    async export(beneficiaryId, conversationIds, audit): Promise<PersonExport> {
      const inConvs = marks(conversationIds);
      return sql.write(() => {
        const requests = (
          sql
            .prep(
              `SELECT id, association_id AS associationId, reference, form, beneficiary_id AS beneficiaryId, conversation_id AS conversationId, status, data, national_id AS nationalId, phone,
                 attested_by_contact_id AS attestedByContactId, attested_at AS attestedAt, attestation_channel AS attestationChannel, attestation_message_id AS attestationMessageId,
                 attestation_text AS attestationText, attestation_sha256 AS attestationSha256, decision_reason AS decisionReason, checks, checked_at AS checkedAt, field_marks AS fieldMarks,
                 decided_at AS decidedAt, submitted_at AS submittedAt, updated_at AS updatedAt
               FROM requests WHERE beneficiary_id = ? OR conversation_id IN (${inConvs}) ORDER BY submitted_at`,
            )
            .all(beneficiaryId, ...conversationIds) as Array<Record<string, string | null>>
        ).map((r) => ({ ...r, data: json(r.data), checks: json(r.checks), fieldMarks: json(r.fieldMarks) }));
        const conversations = (
          sql
            .prep(
              `SELECT c.id, k.channel, c.mode, c.lang, c.created_at AS createdAt, c.updated_at AS updatedAt FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id IN (${inConvs}) ORDER BY c.updated_at DESC`,
            )
            .all(...conversationIds) as Array<{ id: string; channel: string; mode: string; lang: string; createdAt: string; updatedAt: string }>
        ).map((c) => {
          const messages = sql
            .prep('SELECT id, direction, channel, author, body, media_id AS mediaId, status, created_at AS createdAt, sent_at AS sentAt FROM messages WHERE conversation_id = ? ORDER BY rowid')
            .all(c.id) as PersonExport['conversations'][number]['messages'];
          return { ...c, messages };
        });
        const mediaIds = [...new Set(conversations.flatMap((c) => c.messages.map((m) => m.mediaId).filter((m): m is string => !!m)))];
        const files = mediaIds
          .map((id) => sql.prep('SELECT id, mime, size, filename, sha256, path, created_at AS createdAt FROM media WHERE id = ?').get(id) as PersonExport['files'][number] | undefined)
          .filter((f): f is PersonExport['files'][number] => !!f);
        const surveys = (
          sql.prep(`SELECT request_reference AS requestReference, rating, answers, created_at AS createdAt FROM survey_responses WHERE conversation_id IN (${inConvs})`).all(...conversationIds) as Array<{ requestReference: string | null; rating: number | null; answers: string; createdAt: string }>
        ).map((s) => ({ ...s, answers: json(s.answers) }));
        const accessLog = sql
          .prep(`SELECT type, actor, at FROM events WHERE type LIKE 'staff_viewed_%' AND (json_extract(payload, '$.beneficiaryId') = ? OR conversation_id IN (${inConvs})) ORDER BY id`)
          .all(beneficiaryId, ...conversationIds) as PersonExport['accessLog'];
        insertAudit(sql, audit);
        return { conversations, requests, files, surveys, accessLog };
      });
    },

    async erase(r) {
      const result = await sql.write(() => {
        const b = beneficiary(r.beneficiaryId);
        if (!b || !r.associationIds.includes(b.associationId)) return { ok: false as const, reason: 'not found' as const };
        if (b.erasedAt) return { ok: false as const, reason: 'erased already' as const };
        const now = r.at;
        const contacts = sql.prep('SELECT id FROM contacts WHERE beneficiary_id = ?').all(b.id) as Array<{ id: string }>;
        const convs = conversationsOf(b.id);
        const ids = convs.map((c) => c.id);
        const inConvs = marks(ids);
        const media = sql.prep(`SELECT DISTINCT m.id, m.path FROM media m JOIN messages g ON g.media_id = m.id WHERE g.conversation_id IN (${inConvs})`).all(...ids) as Array<{ id: string; path: string }>;
        // Platform message ids can carry the phone number (WhatsApp web's do): replaced as well.
        const messages = sql
          .prep(
            `UPDATE messages SET body = '', choices = NULL, template = NULL, media_id = NULL, provider_message_id = NULL,
             channel_message_id = CASE WHEN direction = 'in' THEN 'erased:' || id ELSE channel_message_id END WHERE conversation_id IN (${inConvs})`,
          )
          .run(...ids).changes;
        sql.prep(`UPDATE messages SET status = 'failed', error = 'erased on request' WHERE conversation_id IN (${inConvs}) AND direction = 'out' AND status = 'queued'`).run(...ids);
        for (const m of media) sql.prep('DELETE FROM media WHERE id = ?').run(m.id);
        const requests = sql
          .prep(
            `UPDATE requests SET data = '{}', national_id = NULL, phone = NULL, attestation_text = '', attestation_sha256 = '', attestation_message_id = '', checks = NULL, field_marks = NULL, decision_reason = NULL,
             status = CASE WHEN status IN ('accepted', 'rejected', 'completed') THEN status ELSE 'erased' END, updated_at = ?
             WHERE beneficiary_id = ? OR conversation_id IN (${inConvs})`,
          )
          .run(now, b.id, ...ids).changes;
        sql.prep(`UPDATE survey_responses SET answers = '{}' WHERE conversation_id IN (${inConvs})`).run(...ids);
        // The engine's own events carry answers; staff actions' audit entries carry none.
        sql.prep(`UPDATE events SET payload = NULL WHERE conversation_id IN (${inConvs}) AND actor NOT LIKE 'user:%'`).run(...ids);
        sql.prep(`DELETE FROM outbox WHERE dispatched_at IS NULL AND json_extract(payload, '$.conversationId') IN (${inConvs})`).run(...ids);
        for (const c of convs) {
          sql.prep("UPDATE conversations SET state = ?, mode = 'new', assigned_staff_id = NULL, escalated_at = NULL, version = version + 1, updated_at = ? WHERE id = ?").run(JSON.stringify(r.freshState(c.lang)), now, c.id);
        }
        sql.prep(`UPDATE staff_notes SET body = '' WHERE beneficiary_id = ? OR conversation_id IN (${inConvs})`).run(b.id, ...ids);
        sql.prep("UPDATE offline_contacts SET summary = '' WHERE beneficiary_id = ?").run(b.id);
        for (const k of contacts) sql.prep("UPDATE contacts SET address = 'erased:' || id, display_name = NULL, opted_out = 1 WHERE id = ?").run(k.id);
        sql.prep('UPDATE beneficiaries SET national_id = NULL, phone = NULL, name = NULL, erased_at = ?, updated_at = ? WHERE id = ?').run(now, now, b.id);
        const counts = { files: media.length, messages, requests };
        insertAudit(sql, r.audit(counts));
        return { ok: true as const, counts, paths: media.map((m) => m.path) };
      });
      if (!result.ok) return result;
      // A file shared (same content) with someone else's upload stays.
      const unusedPaths = result.paths.filter((p) => !sql.prep('SELECT 1 FROM media WHERE path = ?').get(p));
      return { ok: true, counts: result.counts, unusedPaths };
    },
  };
}
