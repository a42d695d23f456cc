/** The escalation inbox on SQLite: today's queries, moved. */
import type { ConversationState } from '../../engine/types.ts';
import type { HistoryMessage, InboxConversation, InboxRepo, InboxRow } from '../console.ts';
import { json, marks, type Sql } from './console-tx.ts';

export function sqliteInbox(sql: Sql): InboxRepo {
  const conversation = (id: string) =>
    sql.prep('SELECT c.id, c.association_id, c.mode, c.assigned_staff_id, c.lang, c.state, k.channel FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?').get(id) as
      | { id: string; association_id: string; mode: string; assigned_staff_id: string | null; lang: string; state: string; channel: string }
      | undefined;
  return {
    async list(associationIds) {
      if (associationIds.length === 0) return [];
      const rows = sql
        .prep(
          `SELECT c.id, c.association_id, a.name_ar, k.channel, c.mode, c.escalated_at, c.assigned_staff_id, c.state
           FROM conversations c JOIN contacts k ON k.id = c.contact_id JOIN associations a ON a.id = c.association_id
           WHERE c.association_id IN (${marks(associationIds)}) AND c.mode IN ('waiting_staff', 'with_staff')
           ORDER BY c.escalated_at IS NULL, c.escalated_at, c.updated_at`,
        )
        .all(...associationIds) as Array<{ id: string; association_id: string; name_ar: string; channel: string; mode: InboxRow['mode']; escalated_at: string | null; assigned_staff_id: string | null; state: string }>;
      return rows.map((r) => ({
        conversationId: r.id,
        associationId: r.association_id,
        associationName: r.name_ar,
        channel: r.channel,
        mode: r.mode,
        escalatedAt: r.escalated_at,
        assignedStaffId: r.assigned_staff_id,
        state: JSON.parse(r.state) as ConversationState,
      }));
    },

    async waitingCounts(associationIds) {
      if (associationIds.length === 0) return [];
      return sql
        .prep(
          `SELECT a.id AS associationId, a.name_ar AS name, (SELECT count(*) FROM conversations c WHERE c.association_id = a.id AND c.mode = 'waiting_staff') AS waiting
           FROM associations a WHERE a.id IN (${marks(associationIds)}) ORDER BY a.id`,
        )
        .all(...associationIds) as Array<{ associationId: string; name: string; waiting: number }>;
    },

    async conversation(id): Promise<InboxConversation | undefined> {
      const r = conversation(id);
      return r ? { id: r.id, associationId: r.association_id, mode: r.mode, assignedStaffId: r.assigned_staff_id, lang: r.lang, channel: r.channel, state: JSON.parse(r.state) as ConversationState } : undefined;
    },

    async history(conversationId): Promise<HistoryMessage[]> {
      const rows = sql
        .prep(`SELECT direction, author, body, choices, choice_id, status, created_at AS at, (direction = 'in' AND channel_message_id LIKE 'open:%') AS opened FROM messages WHERE conversation_id = ? ORDER BY rowid`)
        .all(conversationId) as Array<{ direction: 'in' | 'out'; author: string; body: string; choices: string | null; choice_id: string | null; status: string; at: string; opened: number }>;
      return rows.map(({ choices, choice_id, opened, ...m }) => ({
        ...m,
        ...(opened ? { opened: true } : {}),
        ...(choices ? { choices: json<Array<{ id: string; label: string }>>(choices)! } : {}),
        ...(choice_id ? { choiceId: choice_id } : {}),
      }));
    },

    async notes(conversationId) {
      return sql
        .prep('SELECT n.body, n.created_at AS createdAt, u.name AS author FROM staff_notes n JOIN users u ON u.id = n.author_id WHERE n.conversation_id = ? ORDER BY n.created_at')
        .all(conversationId) as Array<{ body: string; createdAt: string; author: string }>;
    },

    async signature(associationIds) {
      if (associationIds.length === 0) return '';
      const row = sql
        .prep(`SELECT count(*) AS n, coalesce(group_concat(id || mode || coalesce(assigned_staff_id, '') || updated_at), '') AS s FROM conversations WHERE association_id IN (${marks(associationIds)}) AND mode IN ('waiting_staff', 'with_staff')`)
        .get(...associationIds) as { n: number; s: string };
      return `${row.n}:${row.s}`;
    },

    async conversationSignature(conversationId) {
      // Message count and a weighted sum of delivery statuses: a new message or a reply moving from
      // queued to sent to delivered both change it.
      const row = sql
        .prep(
          `SELECT c.mode, c.assigned_staff_id, c.version,
             (SELECT count(*) || '.' || total(CASE m.status WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'failed' THEN 5 WHEN 'unknown' THEN 6 ELSE 0 END) FROM messages m WHERE m.conversation_id = c.id) AS messages,
             (SELECT count(*) FROM staff_notes n WHERE n.conversation_id = c.id) AS notes
           FROM conversations c WHERE c.id = ?`,
        )
        .get(conversationId) as { mode: string; assigned_staff_id: string | null; version: number; messages: string; notes: number } | undefined;
      return row ? `${row.mode}:${row.assigned_staff_id ?? ''}:${row.version}:${row.messages}:${row.notes}` : '';
    },

    async staffReply(r) {
      return sql.write(() => {
        const c = conversation(r.conversationId);
        if (!c || !r.associationIds.includes(c.association_id)) return 'not found' as const;
        if (c.mode !== 'with_staff' || c.assigned_staff_id !== r.staffId) return 'not held' as const;
        sql
          .prep(
            `INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, status, created_at)
             VALUES (?, ?, ?, 'out', ?, ?, 'staff', ?, 'queued', ?)`,
          )
          .run(r.messageId, c.association_id, r.conversationId, c.channel, r.key, r.body, r.at);
        sql
          .prep('INSERT INTO events (association_id, conversation_id, type, actor, payload, at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(c.association_id, r.conversationId, 'staff_replied', `user:${r.staffId}`, JSON.stringify({ length: r.body.length }), r.at);
        return 'queued' as const;
      });
    },
  };
}
