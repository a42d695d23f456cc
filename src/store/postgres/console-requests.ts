/** Requests for verification and the committee on PostgreSQL: list with filters and paging, one request, marks, transitions. */
import type { FieldValue } from '../../engine/types.ts';
import type { CheckResultRow, FieldMark, RequestListItem, RequestRecord, RequestsRepo } from '../console.ts';
import type { PgDb } from './db.ts';
import { json } from './core-sql.ts';
import { insertAudit } from './console-accounts.ts';

/** ILIKE pattern for "contains", the pattern characters taken literally. SQLite's LIKE ignores ASCII case; ILIKE does too. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Row {
  id: string;
  association_id: string;
  reference: string;
  form: 'intake' | 'volunteer';
  status: string;
  data: Record<string, FieldValue>;
  checks: CheckResultRow[] | null;
  field_marks: Record<string, FieldMark> | null;
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

export function pgRequests(db: PgDb): RequestsRepo {
  const statusOf = async (requestId: string) => (await db.one<{ status: string }>('SELECT status FROM requests WHERE id = $1', [requestId]))?.status;
  return {
    async list(f) {
      if (f.associationIds.length === 0) return { rows: [], total: 0 };
      const params: unknown[] = [f.associationIds];
      const where = ['r.association_id = ANY($1::text[])'];
      const add = (clause: (n: number) => string, ...values: unknown[]) => {
        const first = params.length + 1;
        params.push(...values);
        where.push(clause(first));
      };
      if (f.statuses?.length) add((n) => `r.status = ANY($${n}::text[])`, f.statuses);
      if (f.submittedFrom) add((n) => `r.submitted_at >= $${n}`, f.submittedFrom);
      if (f.submittedTo) add((n) => `r.submitted_at < $${n}`, f.submittedTo);
      const q = f.search?.trim();
      if (q) add((n) => `(upper(r.reference) = upper($${n}) OR b.name ILIKE $${n + 1})`, q, containsPattern(q));
      const from = `FROM requests r JOIN associations a ON a.id = r.association_id LEFT JOIN beneficiaries b ON b.id = r.beneficiary_id WHERE ${where.join(' AND ')}`;
      const total = (await db.one<{ n: number }>(`SELECT count(*) AS n ${from}`, params))!.n;
      const rows = await db.rows<{ id: string; association_id: string; association_name: string; reference: string; form: string; status: string; name: string | null; checks: CheckResultRow[] | null; submitted_at: string; decided_at: string | null }>(
        `SELECT r.id, r.association_id, a.name_ar AS association_name, r.reference, r.form, r.status, b.name, r.checks, r.submitted_at, r.decided_at
         ${from} ORDER BY r.submitted_at DESC, r.reference DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, f.limit, f.offset],
      );
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
            checks: r.checks,
            submittedAt: r.submitted_at,
            decidedAt: r.decided_at,
          }),
        ),
      };
    },

    async byReference(reference): Promise<RequestRecord | undefined> {
      const r = await db.one<Row>('SELECT r.*, b.name FROM requests r LEFT JOIN beneficiaries b ON b.id = r.beneficiary_id WHERE r.reference = $1', [reference]);
      if (!r) return undefined;
      return {
        id: r.id,
        associationId: r.association_id,
        reference: r.reference,
        form: r.form,
        status: r.status,
        data: r.data,
        checks: r.checks,
        fieldMarks: r.field_marks ?? {},
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
      const row = await db.one<{ payload: { outcome?: string; reason?: string } | null; at: string; name: string | null }>(
        `SELECT e.payload, e.at, u.name FROM events e LEFT JOIN users u ON 'user:' || u.id = e.actor WHERE e.request_id = $1 AND e.type = 'request_decided' ORDER BY e.id DESC LIMIT 1`,
        [requestId],
      );
      if (!row) return undefined;
      const p = row.payload ?? {};
      return { outcome: p.outcome ?? '', at: row.at, reason: p.reason ?? null, by: row.name };
    },

    // The row locked while its marks are read and rewritten: two staff marking fields at once lose nothing.
    markField: (r) =>
      db.tx(async (tx) => {
        const row = await tx.one<{ status: string; field_marks: Record<string, FieldMark> | null }>('SELECT status, field_marks FROM requests WHERE id = $1 FOR UPDATE', [r.requestId]);
        if (!row || !r.whileStatus.includes(row.status)) return { ok: false as const, status: row?.status };
        const all = row.field_marks ?? {};
        if (r.mark) all[r.field] = r.mark;
        else delete all[r.field];
        await tx.run('UPDATE requests SET field_marks = $2, updated_at = $3 WHERE id = $1', [r.requestId, json(all), r.at]);
        await insertAudit(tx, r.audit);
        return { ok: true as const };
      }),

    transition: async (r) => {
      const out = await db.tx(async (tx) => {
        const done = await tx.one('UPDATE requests SET status = $1, updated_at = $2 WHERE id = $3 AND status = ANY($4::text[]) RETURNING id', [r.to, r.at, r.requestId, r.from]);
        if (!done) return false;
        await insertAudit(tx, r.audit);
        return true;
      });
      return out ? { ok: true as const } : { ok: false as const, status: await statusOf(r.requestId) };
    },

    async media(mediaId) {
      const row = await db.one<{ association_id: string; path: string; mime: string; filename: string | null }>('SELECT association_id, path, mime, filename FROM media WHERE id = $1', [mediaId]);
      return row ? { associationId: row.association_id, path: row.path, mime: row.mime, filename: row.filename } : undefined;
    },
  };
}
