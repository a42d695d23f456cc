/**
 * The escalation inbox: conversations waiting for a person (oldest first) and those a person
 * holds; claiming (one holder only), the history, staff replies through the outbound queue,
 * handing back to the bot. Every query is limited to the user's associations.
 */
import type { ConversationService } from '../conversation/service.ts';
import type { ConversationState } from '../engine/types.ts';
import type { Db } from '../store/db.ts';
import { uuidv7 } from '../store/ids.ts';
import type { User } from './accounts.ts';

export interface InboxItem {
  conversationId: string;
  associationId: string;
  associationName: string;
  channel: string;
  mode: 'waiting_staff' | 'with_staff';
  escalatedAt: string | null;
  reason: string | null;
  stuckField: string | null;
  heldBy: string | null;
  /** How many answers of the unfinished request are in. */
  fieldsCollected: number;
}

export class ConflictError extends Error {
  readonly code = 'TAWASUL_ERR_CONFLICT';
}

export class Inbox {
  constructor(
    private readonly db: Db,
    private readonly service: ConversationService,
  ) {}

  list(user: User): InboxItem[] {
    if (user.associations.length === 0) return [];
    const marks = user.associations.map(() => '?').join(',');
    const rows = this.db.$client
      .prepare(
        `SELECT c.id, c.association_id, a.name_ar, k.channel, c.mode, c.escalated_at, c.assigned_staff_id, c.state
         FROM conversations c JOIN contacts k ON k.id = c.contact_id JOIN associations a ON a.id = c.association_id
         WHERE c.association_id IN (${marks}) AND c.mode IN ('waiting_staff', 'with_staff')
         ORDER BY c.escalated_at IS NULL, c.escalated_at, c.updated_at`,
      )
      .all(...user.associations) as Array<{ id: string; association_id: string; name_ar: string; channel: string; mode: InboxItem['mode']; escalated_at: string | null; assigned_staff_id: string | null; state: string }>;
    return rows.map((r) => {
      const state = JSON.parse(r.state) as ConversationState;
      const draft = state.drafts.intake ?? state.drafts.volunteer ?? state.drafts.correction;
      return {
        conversationId: r.id,
        associationId: r.association_id,
        associationName: r.name_ar,
        channel: r.channel,
        mode: r.mode,
        escalatedAt: r.escalated_at,
        reason: state.escalation?.reason ?? null,
        stuckField: state.escalation?.field ?? null,
        heldBy: r.assigned_staff_id,
        fieldsCollected: draft ? Object.keys(draft.data).length : 0,
      };
    });
  }

  /** The conversation, if the user may see it (else undefined: the caller answers 404). */
  get(user: User, conversationId: string) {
    const row = this.db.$client.prepare('SELECT id, association_id, mode, assigned_staff_id FROM conversations WHERE id = ?').get(conversationId) as
      | { id: string; association_id: string; mode: string; assigned_staff_id: string | null }
      | undefined;
    if (!row || !user.associations.includes(row.association_id)) return undefined;
    const history = this.db.$client
      .prepare('SELECT direction, author, body, created_at AS at FROM messages WHERE conversation_id = ? ORDER BY rowid')
      .all(conversationId) as Array<{ direction: string; author: string; body: string; at: string }>;
    return { ...row, history };
  }

  /** Takes the conversation; only one person holds it. The bot goes quiet. */
  claim(user: User, conversationId: string) {
    return this.db.$client
      .transaction(() => {
        const c = this.get(user, conversationId);
        if (!c) throw new ConflictError('not found');
        if (c.mode === 'with_staff' && c.assigned_staff_id === user.id) return;
        if (c.mode !== 'waiting_staff') throw new ConflictError(c.mode === 'with_staff' ? 'someone else holds this conversation' : 'this conversation is not waiting for a person');
        return this.service.applyInput(conversationId, { type: 'staff_claimed', staffId: user.id, staffName: user.name }, `user:${user.id}`);
      })
      .immediate();
  }

  /** A staff member's message to the beneficiary, queued like the bot's (same channel, same guarantees). */
  reply(user: User, conversationId: string, text: string): string {
    const body = text.trim();
    if (!body) throw new ConflictError('empty message');
    return this.db.$client
      .transaction(() => {
        const c = this.get(user, conversationId);
        if (!c) throw new ConflictError('not found');
        if (c.mode !== 'with_staff' || c.assigned_staff_id !== user.id) throw new ConflictError('claim the conversation first');
        const contact = this.db.$client.prepare('SELECT k.channel FROM contacts k JOIN conversations v ON v.contact_id = k.id WHERE v.id = ?').get(conversationId) as { channel: string };
        const key = `${conversationId}.staff.${uuidv7()}`;
        const now = new Date().toISOString();
        this.db.$client
          .prepare(
            `INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, status, created_at)
             VALUES (?, ?, ?, 'out', ?, ?, 'staff', ?, 'queued', ?)`,
          )
          .run(uuidv7(), c.association_id, conversationId, contact.channel, key, body, now);
        this.db.$client
          .prepare('INSERT INTO events (association_id, conversation_id, type, actor, payload, at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(c.association_id, conversationId, 'staff_replied', `user:${user.id}`, JSON.stringify({ length: body.length }), now);
        return key;
      })
      .immediate();
  }

  /** Hands the conversation back to the bot, at the menu or where the form stopped. */
  release(user: User, conversationId: string, resumeAt: 'menu' | 'form') {
    const c = this.get(user, conversationId);
    if (!c) throw new ConflictError('not found');
    if (c.mode !== 'with_staff' || c.assigned_staff_id !== user.id) throw new ConflictError('claim the conversation first');
    return this.service.applyInput(conversationId, { type: 'staff_released', staffId: user.id, resumeAt }, `user:${user.id}`);
  }
}
