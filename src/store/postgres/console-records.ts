/** Beneficiary records on PostgreSQL: the person's page, search, walk-in records, notes, the PDPL export and erasure. */
import type { BeneficiaryRow, PersonExport, PersonRecord, RecordsRepo } from '../console.ts';
import type { PgDb, Tx } from './db.ts';
import { json } from './core-sql.ts';
import { insertAudit } from './console-accounts.ts';
import { containsPattern } from './console-requests.ts';

const BENEFICIARY = 'id, association_id AS "associationId", national_id AS "nationalId", phone, name, erased_at AS "erasedAt", created_at AS "createdAt"';
/** The conversations of the beneficiary's contacts. */
const CONVERSATIONS_OF = 'SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = $1';

export function pgRecords(db: PgDb): RecordsRepo {
  const beneficiary = (tx: Pick<Tx, 'one'>, id: string, lock = false) => tx.one<BeneficiaryRow>(`SELECT ${BENEFICIARY} FROM beneficiaries WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  const insert = (tx: Pick<Tx, 'one'>, v: { id: string; associationId: string; name: string | null; nationalId: string | null; phone: string | null; at: string }) =>
    tx.one<{ id: string }>('INSERT INTO beneficiaries (id, association_id, national_id, phone, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING RETURNING id', [
      v.id, v.associationId, v.nationalId, v.phone, v.name, v.at,
    ]);

  return {
    beneficiary: (id) => beneficiary(db, id),

    async person(id): Promise<PersonRecord | undefined> {
      const b = await beneficiary(db, id);
      if (!b) return undefined;
      const [contacts, conversations, requests, offline, notes] = await Promise.all([
        db.rows<PersonRecord['contacts'][number]>(
          'SELECT id, channel, address, display_name AS "displayName", opted_out AS "optedOut", last_seen_at AS "lastSeenAt", created_at AS "createdAt" FROM contacts WHERE beneficiary_id = $1 ORDER BY created_at',
          [id],
        ),
        db.rows<PersonRecord['conversations'][number]>(
          `SELECT c.id, k.channel, c.mode, c.lang, c.created_at AS "createdAt", c.updated_at AS "updatedAt", (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS messages
           FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = $1 ORDER BY c.updated_at DESC`,
          [id],
        ),
        db.rows<PersonRecord['requests'][number]>(
          `SELECT reference, form, status, submitted_at AS "submittedAt", decided_at AS "decidedAt", decision_reason AS "decisionReason" FROM requests
           WHERE beneficiary_id = $1 OR conversation_id IN (${CONVERSATIONS_OF}) ORDER BY submitted_at DESC`,
          [id],
        ),
        db.rows<PersonRecord['offline'][number]>(
          'SELECT o.id, o.kind, o.direction, o.summary, o.occurred_at AS "occurredAt", o.recorded_by AS "recordedBy", u.name AS author FROM offline_contacts o JOIN users u ON u.id = o.recorded_by WHERE o.beneficiary_id = $1 ORDER BY o.occurred_at DESC',
          [id],
        ),
        db.rows<PersonRecord['notes'][number]>(
          `SELECT n.id, n.body, n.created_at AS "createdAt", u.name AS author, n.conversation_id AS "conversationId" FROM staff_notes n JOIN users u ON u.id = n.author_id
           WHERE n.beneficiary_id = $1 OR n.conversation_id IN (${CONVERSATIONS_OF}) ORDER BY n.created_at DESC`,
          [id],
        ),
      ]);
      return { beneficiary: b, contacts, conversations, requests, offline, notes };
    },

    async search(q) {
      if (q.associationIds.length === 0) return [];
      return db.rows<BeneficiaryRow & { associationName: string }>(
        `SELECT b.id, b.association_id AS "associationId", b.national_id AS "nationalId", b.phone, b.name, b.erased_at AS "erasedAt", b.created_at AS "createdAt", a.name_ar AS "associationName"
         FROM beneficiaries b JOIN associations a ON a.id = b.association_id
         WHERE b.association_id = ANY($1::text[]) AND b.erased_at IS NULL AND (
           b.national_id = $2 OR b.phone = $3 OR b.name ILIKE $4
           OR b.id IN (SELECT r.beneficiary_id FROM requests r WHERE upper(r.reference) = upper($5)))
         ORDER BY b.created_at DESC LIMIT 50`,
        [q.associationIds, q.nationalId, q.phone, containsPattern(q.nameContains), q.reference],
      );
    },

    // The contact row locked: two staff opening the record of one conversation at once create one record.
    forConversation: (r) =>
      db.tx(async (tx) => {
        const row = await tx.one<{ association_id: string; contact_id: string; beneficiary_id: string | null; display_name: string | null }>(
          'SELECT c.association_id, k.id AS contact_id, k.beneficiary_id, k.display_name FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = $1 FOR UPDATE OF k',
          [r.conversationId],
        );
        if (!row || !r.associationIds.includes(row.association_id)) return undefined;
        if (row.beneficiary_id) return row.beneficiary_id;
        await insert(tx, { id: r.id, associationId: row.association_id, name: row.display_name, nationalId: null, phone: null, at: r.at });
        await tx.run('UPDATE contacts SET beneficiary_id = $1 WHERE id = $2', [r.id, row.contact_id]);
        await insertAudit(tx, { associationId: row.association_id, conversationId: r.conversationId, type: 'beneficiary_created', actor: r.actor, payload: { beneficiaryId: r.id, from: 'conversation' }, at: r.at });
        return r.id;
      }),

    create: (r) =>
      db.tx(async (tx) => {
        const existing = () =>
          tx.one<{ id: string }>('SELECT id FROM beneficiaries WHERE association_id = $1 AND ((national_id IS NOT NULL AND national_id = $2) OR (phone IS NOT NULL AND phone = $3)) LIMIT 1', [
            r.associationId, r.nationalId, r.phone,
          ]);
        const found = await existing();
        if (found) return { id: found.id, existed: true };
        // Two staff recording the same walk-in at once: the unique national ID / phone decides.
        if (!(await insert(tx, r))) return { id: (await existing())!.id, existed: true };
        await insertAudit(tx, { associationId: r.associationId, type: 'beneficiary_created', actor: r.actor, payload: { beneficiaryId: r.id, from: 'console' }, at: r.at });
        return { id: r.id, existed: false };
      }),

    async conversationAssociation(conversationId) {
      return (await db.one<{ association_id: string }>('SELECT association_id FROM conversations WHERE id = $1', [conversationId]))?.association_id;
    },

    logOffline: (r) =>
      db.tx(async (tx) => {
        await tx.run('INSERT INTO offline_contacts (id, association_id, beneficiary_id, kind, direction, summary, occurred_at, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
          r.id, r.associationId, r.beneficiaryId, r.kind, r.direction, r.summary, r.occurredAt, r.recordedBy, r.at,
        ]);
        await insertAudit(tx, r.audit);
      }),

    async addNote(r) {
      await db.run('INSERT INTO staff_notes (id, association_id, conversation_id, beneficiary_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        r.id, r.associationId, r.conversationId, r.beneficiaryId, r.authorId, r.body, r.at,
      ]);
    },

    export: (beneficiaryId, conversationIds, audit) =>
      db.tx(async (tx): Promise<PersonExport> => {
        const requests = await tx.rows<Record<string, unknown>>(
          `SELECT id, association_id AS "associationId", reference, form, beneficiary_id AS "beneficiaryId", conversation_id AS "conversationId", status, data, national_id AS "nationalId", phone,
             attested_by_contact_id AS "attestedByContactId", attested_at AS "attestedAt", attestation_channel AS "attestationChannel", attestation_message_id AS "attestationMessageId",
             attestation_text AS "attestationText", attestation_sha256 AS "attestationSha256", decision_reason AS "decisionReason", checks, checked_at AS "checkedAt", field_marks AS "fieldMarks",
             decided_at AS "decidedAt", submitted_at AS "submittedAt", updated_at AS "updatedAt"
           FROM requests WHERE beneficiary_id = $1 OR conversation_id = ANY($2::text[]) ORDER BY submitted_at`,
          [beneficiaryId, conversationIds],
        );
        const convs = await tx.rows<{ id: string; channel: string; mode: string; lang: string; createdAt: string; updatedAt: string }>(
          `SELECT c.id, k.channel, c.mode, c.lang, c.created_at AS "createdAt", c.updated_at AS "updatedAt" FROM conversations c JOIN contacts k ON k.id = c.contact_id
           WHERE c.id = ANY($1::text[]) ORDER BY c.updated_at DESC`,
          [conversationIds],
        );
        const conversations: PersonExport['conversations'] = [];
        for (const c of convs) {
          const messages = await tx.rows<PersonExport['conversations'][number]['messages'][number]>(
            'SELECT id, direction, channel, author, body, media_id AS "mediaId", status, created_at AS "createdAt", sent_at AS "sentAt" FROM messages WHERE conversation_id = $1 ORDER BY seq',
            [c.id],
          );
          conversations.push({ ...c, messages });
        }
        const mediaIds = [...new Set(conversations.flatMap((c) => c.messages.map((m) => m.mediaId).filter((m): m is string => !!m)))];
        const byId = new Map(
          (await tx.rows<PersonExport['files'][number]>('SELECT id, mime, size, filename, sha256, path, created_at AS "createdAt" FROM media WHERE id = ANY($1::text[])', [mediaIds])).map((f) => [f.id, f]),
        );
        const files = mediaIds.map((id) => byId.get(id)).filter((f): f is PersonExport['files'][number] => !!f);
        const surveys = await tx.rows<PersonExport['surveys'][number]>(
          'SELECT request_reference AS "requestReference", rating, answers, created_at AS "createdAt" FROM survey_responses WHERE conversation_id = ANY($1::text[])',
          [conversationIds],
        );
        const accessLog = await tx.rows<PersonExport['accessLog'][number]>(
          `SELECT type, actor, at FROM events WHERE type LIKE 'staff\\_viewed\\_%' AND (payload->>'beneficiaryId' = $1 OR conversation_id = ANY($2::text[])) ORDER BY id`,
          [beneficiaryId, conversationIds],
        );
        await insertAudit(tx, audit);
        return { conversations, requests, files, surveys, accessLog };
      }),

    async erase(r) {
      const result = await db.tx(async (tx) => {
        // The record locked first: two erasures of one person cannot both proceed.
        const b = await beneficiary(tx, r.beneficiaryId, true);
        if (!b || !r.associationIds.includes(b.associationId)) return { ok: false as const, reason: 'not found' as const };
        if (b.erasedAt) return { ok: false as const, reason: 'erased already' as const };
        const now = r.at;
        const convs = await tx.rows<{ id: string; lang: 'ar' | 'en' }>('SELECT c.id, c.lang FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.beneficiary_id = $1', [b.id]);
        const ids = convs.map((c) => c.id);
        const media = await tx.rows<{ id: string; path: string }>('SELECT DISTINCT m.id, m.path FROM media m JOIN messages g ON g.media_id = m.id WHERE g.conversation_id = ANY($1::text[])', [ids]);
        // Platform message ids can carry the phone number (WhatsApp web's do): replaced as well.
        const messages = await tx.run(
          `UPDATE messages SET body = '', choices = NULL, template = NULL, media_id = NULL, provider_message_id = NULL,
           channel_message_id = CASE WHEN direction = 'in' THEN 'erased:' || id ELSE channel_message_id END WHERE conversation_id = ANY($1::text[])`,
          [ids],
        );
        await tx.run(`UPDATE messages SET status = 'failed', error = 'erased on request' WHERE conversation_id = ANY($1::text[]) AND direction = 'out' AND status = 'queued'`, [ids]);
        await tx.run('DELETE FROM media WHERE id = ANY($1::text[])', [media.map((m) => m.id)]);
        const requests = await tx.run(
          `UPDATE requests SET data = '{}', national_id = NULL, phone = NULL, attestation_text = '', attestation_sha256 = '', attestation_message_id = '', checks = NULL, field_marks = NULL, decision_reason = NULL,
           status = CASE WHEN status IN ('accepted', 'rejected', 'completed') THEN status ELSE 'erased' END, updated_at = $1
           WHERE beneficiary_id = $2 OR conversation_id = ANY($3::text[])`,
          [now, b.id, ids],
        );
        await tx.run(`UPDATE survey_responses SET answers = '{}' WHERE conversation_id = ANY($1::text[])`, [ids]);
        // The engine's own events carry answers; staff actions' audit entries carry none.
        await tx.run(`UPDATE events SET payload = NULL WHERE conversation_id = ANY($1::text[]) AND actor NOT LIKE 'user:%'`, [ids]);
        await tx.run(`DELETE FROM outbox WHERE dispatched_at IS NULL AND payload->>'conversationId' = ANY($1::text[])`, [ids]);
        for (const c of convs) {
          await tx.run(`UPDATE conversations SET state = $1, mode = 'new', assigned_staff_id = NULL, escalated_at = NULL, version = version + 1, updated_at = $2 WHERE id = $3`, [
            json(r.freshState(c.lang)), now, c.id,
          ]);
        }
        await tx.run(`UPDATE staff_notes SET body = '' WHERE beneficiary_id = $1 OR conversation_id = ANY($2::text[])`, [b.id, ids]);
        await tx.run(`UPDATE offline_contacts SET summary = '' WHERE beneficiary_id = $1`, [b.id]);
        await tx.run(`UPDATE contacts SET address = 'erased:' || id, display_name = NULL, opted_out = true WHERE beneficiary_id = $1`, [b.id]);
        await tx.run('UPDATE beneficiaries SET national_id = NULL, phone = NULL, name = NULL, erased_at = $1, updated_at = $1 WHERE id = $2', [now, b.id]);
        const counts = { files: media.length, messages, requests };
        await insertAudit(tx, r.audit(counts));
        return { ok: true as const, counts, paths: media.map((m) => m.path) };
      });
      if (!result.ok) return result;
      // A file shared (same content) with someone else's upload stays.
      const still = new Set((await db.rows<{ path: string }>('SELECT path FROM media WHERE path = ANY($1::text[])', [result.paths])).map((m) => m.path));
      return { ok: true, counts: result.counts, unusedPaths: result.paths.filter((p) => !still.has(p)) };
    },
  };
}
