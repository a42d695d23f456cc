/** The escalation inbox on PostgreSQL. */
import type { ConversationState } from '../../engine/types.ts';
import type { HistoryMessage, InboxConversation, InboxRepo, InboxRow } from '../console.ts';
import type { PgDb, Tx } from './db.ts';
import { json } from './core-sql.ts';

interface ConversationRow {
  id: string;
  association_id: string;
  mode: string;
  assigned_staff_id: string | null;
  lang: string;
  state: ConversationState;
  channel: string;
}

export function pgInbox(db: PgDb): InboxRepo {
  const conversation = (tx: Pick<Tx, 'one'>, id: string, lock = false) =>
    tx.one<ConversationRow>(
      `SELECT c.id, c.association_id, c.mode, c.assigned_staff_id, c.lang, c.state, k.channel FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`,
      [id],
    );
  return {
    async list(associationIds) {
      if (associationIds.length === 0) return [];
      const rows = await db.rows<{ id: string; association_id: string; name_ar: string; channel: string; mode: InboxRow['mode']; escalated_at: string | null; assigned_staff_id: string | null; state: ConversationState }>(
        `SELECT c.id, c.association_id, a.name_ar, k.channel, c.mode, c.escalated_at, c.assigned_staff_id, c.state
         FROM conversations c JOIN contacts k ON k.id = c.contact_id JOIN associations a ON a.id = c.association_id
         WHERE c.association_id = ANY($1::text[]) AND c.mode IN ('waiting_staff', 'with_staff')
         ORDER BY c.escalated_at IS NULL, c.escalated_at, c.updated_at`,
        [associationIds],
      );
      return rows.map((r) => ({
        conversationId: r.id,
        associationId: r.association_id,
        associationName: r.name_ar,
        channel: r.channel,
        mode: r.mode,
        escalatedAt: r.escalated_at,
        assignedStaffId: r.assigned_staff_id,
        state: r.state,
      }));
    },

    async waitingCounts(associationIds) {
      if (associationIds.length === 0) return [];
      return db.rows<{ associationId: string; name: string; waiting: number }>(
        `SELECT a.id AS "associationId", a.name_ar AS name, (SELECT count(*) FROM conversations c WHERE c.association_id = a.id AND c.mode = 'waiting_staff') AS waiting
         FROM associations a WHERE a.id = ANY($1::text[]) ORDER BY a.id`,
        [associationIds],
      );
    },

    async conversation(id): Promise<InboxConversation | undefined> {
      const r = await conversation(db, id);
      return r ? { id: r.id, associationId: r.association_id, mode: r.mode, assignedStaffId: r.assigned_staff_id, lang: r.lang, channel: r.channel, state: r.state } : undefined;
    },

    async history(conversationId): Promise<HistoryMessage[]> {
      const rows = await db.rows<{ direction: 'in' | 'out'; author: string; body: string; choices: Array<{ id: string; label: string }> | null; choice_id: string | null; status: string; at: string; opened: boolean }>(
        `SELECT direction, author, body, choices, choice_id, status, created_at AS at, (direction = 'in' AND channel_message_id LIKE 'open:%') AS opened
         FROM messages WHERE conversation_id = $1 ORDER BY seq`,
        [conversationId],
      );
      return rows.map(({ choices, choice_id, opened, ...m }) => ({
        ...m,
        ...(opened ? { opened: true } : {}),
        ...(choices ? { choices } : {}),
        ...(choice_id ? { choiceId: choice_id } : {}),
      }));
    },

    async notes(conversationId) {
      return db.rows<{ body: string; createdAt: string; author: string }>(
        'SELECT n.body, n.created_at AS "createdAt", u.name AS author FROM staff_notes n JOIN users u ON u.id = n.author_id WHERE n.conversation_id = $1 ORDER BY n.created_at',
        [conversationId],
      );
    },

    async signature(associationIds) {
      if (associationIds.length === 0) return '';
      const row = (await db.one<{ n: number; s: string }>(
        `SELECT count(*) AS n, coalesce(string_agg(id || mode || coalesce(assigned_staff_id, '') || updated_at, ',' ORDER BY id), '') AS s
         FROM conversations WHERE association_id = ANY($1::text[]) AND mode IN ('waiting_staff', 'with_staff')`,
        [associationIds],
      ))!;
      return `${row.n}:${row.s}`;
    },

    async conversationSignature(conversationId) {
      // Message count and a weighted sum of delivery statuses: a new message or a reply moving from
      // queued to sent to delivered both change it.
      const row = await db.one<{ mode: string; assigned_staff_id: string | null; version: number; messages: string; notes: number }>(
        `SELECT c.mode, c.assigned_staff_id, c.version,
           (SELECT count(*) || '.' || coalesce(sum(CASE m.status WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'failed' THEN 5 WHEN 'unknown' THEN 6 ELSE 0 END), 0)
              FROM messages m WHERE m.conversation_id = c.id) AS messages,
           (SELECT count(*) FROM staff_notes n WHERE n.conversation_id = c.id) AS notes
         FROM conversations c WHERE c.id = $1`,
        [conversationId],
      );
      return row ? `${row.mode}:${row.assigned_staff_id ?? ''}:${row.version}:${row.messages}:${row.notes}` : '';
    },

    // The conversation row locked while "is it still held by this person?" is answered and the reply queued.
    staffReply: (r) =>
      db.tx(async (tx) => {
        const c = await conversation(tx, r.conversationId, true);
        if (!c || !r.associationIds.includes(c.association_id)) return 'not found' as const;
        if (c.mode !== 'with_staff' || c.assigned_staff_id !== r.staffId) return 'not held' as const;
        await tx.run(
          `INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, status, created_at)
           VALUES ($1, $2, $3, 'out', $4, $5, 'staff', $6, 'queued', $7)`,
          [r.messageId, c.association_id, r.conversationId, c.channel, r.key, r.body, r.at],
        );
        await tx.run('INSERT INTO events (association_id, conversation_id, type, actor, payload, at) VALUES ($1, $2, $3, $4, $5, $6)', [
          c.association_id, r.conversationId, 'staff_replied', `user:${r.staffId}`, json({ length: r.body.length }), r.at,
        ]);
        return 'queued' as const;
      }),
  };
}
