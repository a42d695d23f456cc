/**
 * The escalation inbox: conversations waiting for a person (oldest first) and those a person
 * holds; claiming (one holder only), the history, staff replies through the outbound queue,
 * handing back to the bot. Every query is limited to the user's associations.
 */
import type { ConversationService } from '../conversation/service.ts';
import type { ConversationState, ResumePoint } from '../engine/types.ts';
import type { Db } from '../store/db.ts';
import { uuidv7 } from '../store/ids.ts';
import { spokenName, type User } from './accounts.ts';

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
    const row = this.db.$client.prepare('SELECT c.id, c.association_id, c.mode, c.assigned_staff_id, c.lang, k.channel FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?').get(conversationId) as
      | { id: string; association_id: string; mode: string; assigned_staff_id: string | null; lang: string; channel: string }
      | undefined;
    if (!row || !user.associations.includes(row.association_id)) return undefined;
    const history = this.db.$client
      .prepare(`SELECT direction, author, body, choices, choice_id, status, created_at AS at, (direction = 'in' AND channel_message_id LIKE 'open:%') AS opened FROM messages WHERE conversation_id = ? ORDER BY rowid`)
      .all(conversationId) as Array<{ direction: string; author: string; body: string; choices: string | null; choice_id: string | null; status: string; at: string; opened: number }>;
    // The options the bot offered (shown to staff under its message), and which button was pressed.
    return { ...row, history: history.map(({ choices, choice_id, opened, ...m }) => ({ ...m, ...(opened ? { opened: true } : {}), ...(choices ? { choices: JSON.parse(choices) as Array<{ id: string; label: string }> } : {}), ...(choice_id ? { choiceId: choice_id } : {}) })) };
  }

  /** Takes the conversation; only one person holds it. The bot goes quiet. */
  claim(user: User, conversationId: string) {
    return this.db.$client
      .transaction(() => {
        const c = this.get(user, conversationId);
        if (!c) throw new ConflictError('not found');
        if (c.mode === 'with_staff' && c.assigned_staff_id === user.id) return;
        if (c.mode !== 'waiting_staff') throw new ConflictError(c.mode === 'with_staff' ? 'someone else holds this conversation' : 'this conversation is not waiting for a person');
        // The beneficiary is told the name for their language, or (none set) the officer's title.
        const staffName = spokenName(user, c.lang === 'en' ? 'en' : 'ar');
        return this.service.applyInput(conversationId, { type: 'staff_claimed', staffId: user.id, ...(staffName ? { staffName } : {}) }, `user:${user.id}`);
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

  /**
   * Hands the conversation back to the bot: at the menu, where the form stopped, at the review,
   * or at a chosen question of the form (the bot asks it again and goes on from there).
   */
  release(user: User, conversationId: string, resumeAt: ResumePoint) {
    const c = this.held(user, conversationId);
    if (typeof resumeAt === 'object' && !this.resumeFields(c.id).some((f) => f.id === resumeAt.field)) throw new ConflictError('no such question in the form');
    return this.service.applyInput(conversationId, { type: 'staff_released', staffId: user.id, resumeAt }, `user:${user.id}`);
  }

  /** The person answered what was needed: the bot says so and returns to the menu. */
  resolve(user: User, conversationId: string) {
    this.held(user, conversationId);
    return this.service.applyInput(conversationId, { type: 'staff_resolved', staffId: user.id }, `user:${user.id}`);
  }

  private held(user: User, conversationId: string) {
    const c = this.get(user, conversationId);
    if (!c) throw new ConflictError('not found');
    if (c.mode !== 'with_staff' || c.assigned_staff_id !== user.id) throw new ConflictError('claim the conversation first');
    return c;
  }

  /** The questions of the unfinished form, with what the beneficiary answered so far: where the bot may resume. */
  resumeFields(conversationId: string, lang: 'ar' | 'en' = 'ar'): Array<{ id: string; label: string; answer: string | undefined; current: boolean }> {
    const row = this.db.$client.prepare('SELECT association_id, state FROM conversations WHERE id = ?').get(conversationId) as { association_id: string; state: string } | undefined;
    if (!row) return [];
    const state = JSON.parse(row.state) as ConversationState;
    const key = state.activeDraft && state.drafts[state.activeDraft] ? state.activeDraft : (['correction', 'intake', 'volunteer'] as const).find((k) => state.drafts[k]);
    const draft = key ? state.drafts[key] : undefined;
    if (!key || !draft) return [];
    const flow = this.service.flow(row.association_id);
    const form = key === 'volunteer' ? flow.volunteer : flow.intake;
    if (!form) return [];
    return form.fields.map((f, i) => ({ id: f.id, label: f.label[lang], answer: draft.data[f.id]?.display, current: i === draft.index }));
  }

  /**
   * A fingerprint of what the user's inbox shows; the live view re-renders when it changes
   * (a new escalation, a claim, a hand-back, a new message in a held conversation).
   */
  signature(user: User): string {
    if (user.associations.length === 0) return '';
    const marks = user.associations.map(() => '?').join(',');
    const row = this.db.$client
      .prepare(`SELECT count(*) AS n, coalesce(group_concat(id || mode || coalesce(assigned_staff_id, '') || updated_at), '') AS s FROM conversations WHERE association_id IN (${marks}) AND mode IN ('waiting_staff', 'with_staff')`)
      .get(...user.associations) as { n: number; s: string };
    return `${row.n}:${row.s}`;
  }

  /** A fingerprint of one conversation's history and mode, for its live view. */
  conversationSignature(conversationId: string): string {
    // Message count and a weighted sum of delivery statuses: a new message or a reply moving from
    // queued to sent to delivered both change it.
    const row = this.db.$client
      .prepare(
        `SELECT c.mode, c.assigned_staff_id, c.version,
           (SELECT count(*) || '.' || total(CASE m.status WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'failed' THEN 5 WHEN 'unknown' THEN 6 ELSE 0 END) FROM messages m WHERE m.conversation_id = c.id) AS messages,
           (SELECT count(*) FROM staff_notes n WHERE n.conversation_id = c.id) AS notes
         FROM conversations c WHERE c.id = ?`,
      )
      .get(conversationId) as { mode: string; assigned_staff_id: string | null; version: number; messages: string; notes: number } | undefined;
    return row ? `${row.mode}:${row.assigned_staff_id ?? ''}:${row.version}:${row.messages}:${row.notes}` : '';
  }
}
