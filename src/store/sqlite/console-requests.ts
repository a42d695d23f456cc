/** Requests for verification and the committee on SQLite: list with filters and paging, one request, marks, transitions. */
import type { FieldValue } from '../../engine/types.ts';
import type { AuditEntry, CheckResultRow, FieldMark, RequestListItem, RequestRecord, RequestsRepo } from '../console.ts';
import { json, marks, type Sql } from './console-tx.ts';

interface Row {
  id: string;
  association_id: string;
  reference: string;
  form: 'intake' | 'volunteer';
  status: string;
  data: string;
  checks: string | null;
  field_marks: string | null;
  conversation_id: string;
  beneficiary_id: string | null;
  name: string | null;
  attested_at: string;
  attestation_channel: string;
  attestation_message_id: string;
  attestation_text: string;
  attestation_sha256: string;
  submitted_at: string;
  decided_at: string | null;
  decision_reason: string | null;
}

export const insertAudit = (sql: Sql, e: AuditEntry) =>
  sql
    .prep('INSERT INTO events (association_id, conversation_id, request_id, type, actor, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(e.associationId, e.conversationId ?? null, e.requestId ?? null, e.type, e.actor, JSON.stringify(e.payload), e.at);

/** LIKE pattern for "contains", with the pattern characters taken literally (ESCAPE '\'). */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function sqliteRequests(sql: Sql): RequestsRepo {
  const byId = (id: string) => sql.prep('SELECT status, field_marks FROM requests WHERE id = ?').get(id) as { status: string; field_marks: string | null } | undefined;
  return {
    async list(f) {
      if (f.associationIds.length === 0) return { rows: [], total: 0 };
      const where = [`r.association_id IN (${marks(f.associationIds)})`];
      const params: unknown[] = [...f.associationIds];
      if (f.statuses?.length) {
        where.push(`r.status IN (${marks(f.statuses)})`);
        params.push(...f.statuses);
      }
      if (f.submittedFrom) {
        where.push('r.submitted_at >= ?');
        params.push(f.submittedFrom);
      }
      if (f.submittedTo) {
        where.push('r.submitted_at < ?');
        params.push(f.submittedTo);
      }
      const q = f.search?.trim();
      if (q) {
        where.push("(upper(r.reference) = upper(?) OR b.name LIKE ? ESCAPE '\\')");
        params.push(q, containsPattern(q));
      }
      const from = `FROM requests r JOIN associations a ON a.id = r.association_id LEFT JOIN beneficiaries b ON b.id = r.beneficiary_id WHERE ${where.join(' AND ')}`;
      const total = (sql.prep(`SELECT count(*) AS n ${from}`).get(...params) as { n: number }).n;
      const rows = sql
        .prep(
          `SELECT r.id, r.association_id, a.name_ar AS association_name, r.reference, r.form, r.status, b.name, r.checks, r.submitted_at, r.decided_at
           ${from} ORDER BY r.submitted_at DESC, r.reference DESC LIMIT ? OFFSET ?`,
        )
        .all(...params, f.limit, f.offset) as Array<{ id: string; association_id: string; association_name: string; reference: string; form: string; status: string; name: string | null; checks: string | null; submitted_at: string; decided_at: string | null }>;
      return {
        total,
        rows: rows.map(
          (r): RequestListItem => ({
            id: r.id,
            associationId: r.association_id,
            associationName: r.association_name,
            reference: r.reference,
            form: r.form,
            status: r.status,
            name: r.name,
            checks: json<CheckResultRow[]>(r.checks),
            submittedAt: r.submitted_at,
            decidedAt: r.decided_at,
          }),
        ),
      };
    },

    async byReference(reference): Promise<RequestRecord | undefined> {
      const r = sql.prep('SELECT r.*, b.name FROM requests r LEFT JOIN beneficiaries b ON b.id = r.beneficiary_id WHERE r.reference = ?').get(reference) as Row | undefined;
      if (!r) return undefined;
      return {
        id: r.id,
        associationId: r.association_id,
        reference: r.reference,
        form: r.form,
        status: r.status,
        data: JSON.parse(r.data) as Record<string, FieldValue>,
        checks: json<CheckResultRow[]>(r.checks),
        fieldMarks: json<Record<string, FieldMark>>(r.field_marks) ?? {},
        conversationId: r.conversation_id,
        beneficiaryId: r.beneficiary_id,
        name: r.name,
        attestedAt: r.attested_at,
        attestationChannel: r.attestation_channel,
        attestationMessageId: r.attestation_message_id,
        attestationText: r.attestation_text,
        attestationSha256: r.attestation_sha256,
        submittedAt: r.submitted_at,
        decidedAt: r.decided_at,
        decisionReason: r.decision_reason,
      };
    },

    async decision(requestId) {
      const row = sql
        .prep("SELECT e.payload, e.at, u.name FROM events e LEFT JOIN users u ON 'user:' || u.id = e.actor WHERE e.request_id = ? AND e.type = 'request_decided' ORDER BY e.id DESC LIMIT 1")
        .get(requestId) as { payload: string | null; at: string; name: string | null } | undefined;
      if (!row) return undefined;
      const p = json<{ outcome?: string; reason?: string }>(row.payload) ?? {};
      return { outcome: p.outcome ?? '', at: row.at, reason: p.reason ?? null, by: row.name };
    },

    async markField(r) {
      return sql.write(() => {
        const row = byId(r.requestId);
        if (!row || !r.whileStatus.includes(row.status)) return { ok: false as const, status: row?.status };
        const all = json<Record<string, FieldMark>>(row.field_marks) ?? {};
        if (r.mark) all[r.field] = r.mark;
        else delete all[r.field];
        sql.prep('UPDATE requests SET field_marks = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(all), r.at, r.requestId);
        insertAudit(sql, r.audit);
        return { ok: true as const };
      });
    },

    async transition(r) {
      return sql.write(() => {
        const done = sql.prep(`UPDATE requests SET status = ?, updated_at = ? WHERE id = ? AND status IN (${marks(r.from)}) RETURNING id`).get(r.to, r.at, r.requestId, ...r.from);
        if (!done) return { ok: false as const, status: byId(r.requestId)?.status };
        insertAudit(sql, r.audit);
        return { ok: true as const };
      });
    },

    async media(mediaId) {
      const row = sql.prep('SELECT association_id, path, mime, filename FROM media WHERE id = ?').get(mediaId) as { association_id: string; path: string; mime: string; filename: string | null } | undefined;
      return row ? { associationId: row.association_id, path: row.path, mime: row.mime, filename: row.filename } : undefined;
    },
  };
}
