/**
 * The escalation inbox: conversations waiting for a person (oldest first) and those a person
 * holds; claiming (one holder only), the history, staff replies through the outbound queue,
 * handing back to the bot. Every query is limited to the user's associations.
 */
import type { ConversationService } from '../conversation/service.ts';
import type { ConversationState, ResumePoint } from '../engine/types.ts';
import type { ConsoleStore, HistoryMessage, InboxConversation } from '../store/console.ts';
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

/** A conversation as its page shows it: the store's row with its messages instead of the engine state. */
export type InboxView = Omit<InboxConversation, 'state'> & { history: HistoryMessage[] };

/** Who may take a conversation over from the staff member holding it. */
export const TAKE_OVER: User['role'][] = ['supervisor', 'admin'];

export class ConflictError extends Error {
  readonly code = 'TAWASUL_ERR_CONFLICT';
}

export class Inbox {
  constructor(
    private readonly store: Pick<ConsoleStore, 'inbox'>,
    private readonly service: ConversationService,
  ) {}

  async list(user: User): Promise<InboxItem[]> {
    const rows = await this.store.inbox.list(user.associations);
    return rows.map((r) => {
      const state = r.state;
      const draft = state.drafts.intake ?? state.drafts.volunteer ?? state.drafts.correction;
      return {
        conversationId: r.conversationId,
        associationId: r.associationId,
        associationName: r.associationName,
        channel: r.channel,
        mode: r.mode,
        escalatedAt: r.escalatedAt,
        reason: state.escalation?.reason ?? null,
        stuckField: state.escalation?.field ?? null,
        heldBy: r.assignedStaffId,
        fieldsCollected: draft ? Object.keys(draft.data).length : 0,
      };
    });
  }

  /** The conversation, if the user may see it (else undefined: the caller answers 404). */
  async get(user: User, conversationId: string): Promise<InboxView | undefined> {
    const c = await this.store.inbox.conversation(conversationId);
    if (!c || !user.associations.includes(c.associationId)) return undefined;
    const { state: _state, ...row } = c;
    // The options the bot offered (shown to staff under its message), and which button was pressed.
    return { ...row, history: await this.store.inbox.history(conversationId) };
  }

  /**
   * Takes the conversation; only one person holds it. The bot goes quiet. The check runs
   * inside the step's transaction (under the write lock / row lock): of two people claiming
   * at once, one gets it and the other is told who has it.
   */
  async claim(user: User, conversationId: string) {
    const outcome = await this.service.applyInput(
      conversationId,
      (c) => {
        if (!user.associations.includes(c.associationId)) throw new ConflictError('not found');
        if (c.mode === 'with_staff' && c.assignedStaffId === user.id) return null;
        if (c.mode !== 'waiting_staff') throw new ConflictError(c.mode === 'with_staff' ? 'someone else holds this conversation' : 'this conversation is not waiting for a person');
        // The beneficiary is told the name for their language, or (none set) the officer's title.
        const staffName = spokenName(user, c.lang === 'en' ? 'en' : 'ar');
        return { type: 'staff_claimed', staffId: user.id, ...(staffName ? { staffName } : {}) };
      },
      `user:${user.id}`,
    );
    return outcome ?? undefined;
  }

  /**
   * A supervisor (or admin) takes over a conversation another staff member holds: checked and
   * done in one step (the holder cannot hand it back in between); the beneficiary is told who
   * joined. A conversation nobody holds is simply claimed.
   */
  async takeOver(user: User, conversationId: string): Promise<{ outcome: Awaited<ReturnType<ConversationService['applyInput']>> | undefined; from: string | null }> {
    if (!TAKE_OVER.includes(user.role)) throw new ConflictError('forbidden');
    let from: string | null = null;
    const outcome = await this.service.applyInput(
      conversationId,
      (c) => {
        if (!user.associations.includes(c.associationId)) throw new ConflictError('not found');
        if (c.mode === 'with_staff' && c.assignedStaffId === user.id) return null;
        if (c.mode !== 'waiting_staff' && c.mode !== 'with_staff') throw new ConflictError('this conversation is not waiting for a person');
        from = c.mode === 'with_staff' ? c.assignedStaffId : null;
        const staffName = spokenName(user, c.lang === 'en' ? 'en' : 'ar');
        return { type: 'staff_claimed', staffId: user.id, ...(staffName ? { staffName } : {}) };
      },
      `user:${user.id}`,
    );
    return { outcome: outcome ?? undefined, from };
  }

  /** A staff member's message to the beneficiary, queued like the bot's (same channel, same guarantees). */
  async reply(user: User, conversationId: string, text: string): Promise<string> {
    const body = text.trim();
    if (!body) throw new ConflictError('empty message');
    const key = `${conversationId}.staff.${uuidv7()}`;
    const done = await this.store.inbox.staffReply({ conversationId, associationIds: user.associations, staffId: user.id, messageId: uuidv7(), key, body, at: new Date().toISOString() });
    if (done === 'not found') throw new ConflictError('not found');
    if (done === 'not held') throw new ConflictError('claim the conversation first');
    return key;
  }

  /**
   * Hands the conversation back to the bot: at the menu, where the form stopped, at the review,
   * or at a chosen question of the form (the bot asks it again and goes on from there).
   */
  async release(user: User, conversationId: string, resumeAt: ResumePoint) {
    const outcome = await this.service.applyInput(
      conversationId,
      (c) => {
        this.mustHold(user, c);
        if (typeof resumeAt === 'object' && !this.fieldsOf(c.associationId, c.state).some((f) => f.id === resumeAt.field)) throw new ConflictError('no such question in the form');
        return { type: 'staff_released', staffId: user.id, resumeAt };
      },
      `user:${user.id}`,
    );
    return outcome!;
  }

  /** The person answered what was needed: the bot says so and returns to the menu. */
  async resolve(user: User, conversationId: string) {
    const outcome = await this.service.applyInput(
      conversationId,
      (c) => {
        this.mustHold(user, c);
        return { type: 'staff_resolved', staffId: user.id };
      },
      `user:${user.id}`,
    );
    return outcome!;
  }

  /** Checked inside the step's transaction: only the holder releases or resolves. */
  private mustHold(user: User, c: { associationId: string; mode: string; assignedStaffId: string | null }) {
    if (!user.associations.includes(c.associationId)) throw new ConflictError('not found');
    if (c.mode !== 'with_staff' || c.assignedStaffId !== user.id) throw new ConflictError('claim the conversation first');
  }

  /** The questions of the unfinished form, with what the beneficiary answered so far: where the bot may resume. */
  async resumeFields(conversationId: string, lang: 'ar' | 'en' = 'ar'): Promise<Array<{ id: string; label: string; answer: string | undefined; current: boolean }>> {
    const c = await this.store.inbox.conversation(conversationId);
    return c ? this.fieldsOf(c.associationId, c.state, lang) : [];
  }

  private fieldsOf(associationId: string, state: ConversationState, lang: 'ar' | 'en' = 'ar') {
    const key = state.activeDraft && state.drafts[state.activeDraft] ? state.activeDraft : (['correction', 'intake', 'volunteer'] as const).find((k) => state.drafts[k]);
    const draft = key ? state.drafts[key] : undefined;
    if (!key || !draft) return [];
    const flow = this.service.flow(associationId);
    const form = key === 'volunteer' ? flow.volunteer : flow.intake;
    if (!form) return [];
    return form.fields.map((f, i) => ({ id: f.id, label: f.label[lang], answer: draft.data[f.id]?.display, current: i === draft.index }));
  }

  /**
   * A fingerprint of what the user's inbox shows; the live view re-renders when it changes
   * (a new escalation, a claim, a hand-back, a new message in a held conversation).
   */
  signature(user: User): Promise<string> {
    return this.store.inbox.signature(user.associations);
  }

  /** A fingerprint of one conversation's history and mode, for its live view. */
  conversationSignature(conversationId: string): Promise<string> {
    return this.store.inbox.conversationSignature(conversationId);
  }

  /** Conversations waiting for a person, per association the user may see. */
  waitingCounts(user: User) {
    return this.store.inbox.waitingCounts(user.associations);
  }

  /** Internal notes on the conversation, oldest first. */
  notes(conversationId: string) {
    return this.store.inbox.notes(conversationId);
  }
}
