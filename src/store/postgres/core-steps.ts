/**
 * Running a step on PostgreSQL. A message step whose plan writes only what the closing
 * statement writes (replies, events, outbox rows: nearly all of them) runs without a
 * transaction: the context read, the pure callback, and the closing statement guarded by the
 * version read (`runNextUnlocked`: two round trips instead of seven). Every other step runs
 * inside a transaction. The conversation row is locked first
 * (`SELECT … FOR UPDATE`: the step's write lock, so concurrent workers on one conversation take
 * turns), then the context is read in a statement of its own, so it sees what the previous
 * holder committed. The step callback is pure and synchronous while every read here is async,
 * so the store supplies what it may need: the request summaries are preloaded with the context
 * (one round trip), and reference numbers are allocated after a first run of the callback
 * asked for them, then the callback runs again with them (same inputs, same plan).
 */
import { ConcurrentUpdateError, type ContactRecord, type ConversationRecord, type MediaRecord, type OutboxAdd, type PendingStepContext, type RequestWrite, type StepContext, type StepPlan } from '../core.ts';
import type { RequestStatus, RequestSummary } from '../../engine/types.ts';
import type { Tx } from './db.ts';
import { camelRow, json, Q } from './core-sql.ts';

interface Loaded {
  conversation: ConversationRecord;
  contact: ContactRecord;
  requests: RequestSummary[];
  pending?: PendingStepContext['message'];
  /** Another message pending behind `pending` (read with it). */
  morePending: boolean;
}

/** Locks the conversation and reads its step context; undefined when there is no such conversation. */
export async function lockAndLoad(tx: Tx, conversationId: string, withPending: boolean): Promise<Loaded | undefined> {
  if (!(await tx.one(Q.lockConversation, [conversationId]))) return undefined;
  return load(tx, conversationId, withPending);
}

/** The step context in one statement (one snapshot); undefined when there is no such conversation. */
async function load(tx: Tx, conversationId: string, withPending: boolean): Promise<Loaded | undefined> {
  const row = await tx.one<{ conversation: Record<string, unknown>; contact: Record<string, unknown>; requests: Array<RequestSummary & { reason: string | null }>; pending: Record<string, unknown> | null; more_pending: boolean | null }>(
    Q.stepContext,
    [conversationId, withPending],
  );
  if (!row) return undefined;
  const requests = row.requests.map(({ reason, ...r }) => ({ ...r, status: r.status as RequestStatus, ...(reason ? { reason } : {}) }));
  const loaded: Loaded = { conversation: camelRow<ConversationRecord>(row.conversation), contact: camelRow<ContactRecord>(row.contact), requests, morePending: row.more_pending === true };
  if (row.pending) {
    const p = camelRow<{ id: string; channelMessageId: string; body: string; choiceId: string | null; media: Record<string, unknown> | null }>(row.pending);
    loaded.pending = { id: p.id, channelMessageId: p.channelMessageId, body: p.body, choiceId: p.choiceId, ...(p.media ? { media: camelRow<MediaRecord>(p.media) } : {}) };
  }
  return loaded;
}

/**
 * Runs the pure callback with reference numbers: a run that asks for numbers the store has not
 * allocated yet gets provisional ones (0) and is thrown away; the numbers it asked for are
 * allocated (one upsert per scope, in this transaction) and the callback runs again. A
 * deterministic callback asks for the same scopes the second time, so it runs at most twice.
 */
export async function runWithReferences<C extends StepContext, R>(tx: Tx, base: Omit<C, 'nextReference'>, associationId: string, step: (ctx: C) => R): Promise<R> {
  const allocated = new Map<string, number[]>();
  for (let round = 0; ; round++) {
    const missing = new Map<string, number>();
    const used = new Map<string, number>();
    const ctx = {
      ...base,
      nextReference: (scope: string) => {
        const i = used.get(scope) ?? 0;
        used.set(scope, i + 1);
        const have = allocated.get(scope) ?? [];
        if (i < have.length) return have[i]!;
        missing.set(scope, (missing.get(scope) ?? 0) + 1);
        return 0;
      },
    } as unknown as C;
    const result = step(ctx);
    if (missing.size === 0) return result;
    if (round >= 3) throw new Error('a step asked for new reference numbers on every run: it is not deterministic');
    for (const [scope, n] of missing) {
      const row = await tx.one<{ last: number }>(Q.nextReferences, [associationId, scope, n]);
      const last = row!.last;
      const have = allocated.get(scope) ?? [];
      for (let k = last - n + 1; k <= last; k++) have.push(k);
      allocated.set(scope, have);
    }
  }
}

export async function addOutbox(tx: Tx, row: OutboxAdd): Promise<void> {
  // The row it replaces is done: the sweep stops watching it, and its queued job is replaced on dispatch.
  if (row.dedupeKey) await tx.run(Q.supersedeOutbox, [row.dedupeKey, row.createdAt]);
  await tx.run(Q.insertOutbox, [row.associationId, row.job.kind, json(row.job), row.runAt, row.createdAt, row.dedupeKey]);
}

interface BeneficiaryRow {
  id: string;
  national_id: string | null;
  phone: string | null;
}

/** See StepWrite `link_beneficiary`: the same person on another channel ends up on the same record. */
async function link(tx: Tx, contact: { id: string; associationId: string; beneficiaryId: string | null }, key: { nationalId: string } | { phone: string }, newId: string, at: string) {
  const associationId = contact.associationId;
  const nationalId = 'nationalId' in key ? key.nationalId : undefined;
  const phone = 'phone' in key ? key.phone : undefined;
  const byKey = () =>
    nationalId !== undefined ? tx.one<BeneficiaryRow>(Q.beneficiaryByNationalId, [associationId, nationalId]) : tx.one<BeneficiaryRow>(Q.beneficiaryByPhone, [associationId, phone]);
  let target = (await byKey())?.id;
  const current = !target && contact.beneficiaryId ? await tx.one<BeneficiaryRow>(Q.beneficiaryById, [contact.beneficiaryId]) : undefined;
  if (!target && current) {
    // Give the contact's beneficiary this key unless the record already has a different one.
    const clash = nationalId !== undefined ? current.national_id && current.national_id !== nationalId : current.phone && current.phone !== phone;
    if (!clash) {
      if (nationalId !== undefined) await tx.run(Q.setBeneficiaryNationalId, [current.id, nationalId, at]);
      else await tx.run(Q.setBeneficiaryPhone, [current.id, phone, at]);
      target = current.id;
    }
  }
  if (!target) {
    const inserted = await tx.one<{ id: string }>(Q.insertBeneficiary, [newId, associationId, nationalId ?? null, phone ?? null, at]);
    // Another conversation created this person a moment ago: theirs is the record.
    target = inserted?.id ?? (await byKey())!.id;
  }
  if (contact.beneficiaryId !== target) {
    await tx.run(Q.setContactBeneficiary, [contact.id, target]);
    contact.beneficiaryId = target;
  }
}

async function recordRequest(tx: Tx, contact: { id: string; beneficiaryId: string | null }, conversation: ConversationRecord, r: RequestWrite, at: string) {
  // The record shows the name the person gave in their latest request.
  if (r.beneficiaryName && contact.beneficiaryId) await tx.run(Q.setBeneficiaryName, [contact.beneficiaryId, r.beneficiaryName, at]);
  const a = r.attestation;
  if (r.corrects) {
    await tx.run(Q.correctRequest, [r.corrects, conversation.associationId, json(r.data), r.status, r.nationalId, r.phone, contact.id, a.at, a.channel, a.messageId, a.text, a.sha256, at]);
  } else {
    await tx.run(Q.insertRequest, [
      r.id, conversation.associationId, r.reference, r.form, contact.beneficiaryId, conversation.id, r.status, json(r.data), r.nationalId, r.phone,
      contact.id, a.at, a.channel, a.messageId, a.text, a.sha256, at,
    ]);
  }
}

interface OutboxJson {
  association_id: string;
  kind: string;
  payload: unknown;
  run_at: string;
  created_at: string;
  dedupe_key: string | null;
}

/**
 * The outbox rows of a plan as the closing statement takes them ($14), or undefined when two of
 * them share a dedupe key: the later one must supersede the earlier, which one statement cannot
 * see, so those go one by one (`addOutbox`) in plan order.
 */
function outboxRows(plan: StepPlan<unknown>): OutboxJson[] | undefined {
  const rows: OutboxJson[] = [];
  let keys: Set<string> | undefined;
  for (const w of plan.writes) {
    if (w.kind !== 'outbox') continue;
    const r = w.row;
    if (r.dedupeKey) {
      keys ??= new Set();
      if (keys.has(r.dedupeKey)) return undefined;
      keys.add(r.dedupeKey);
    }
    rows.push({ association_id: r.associationId, kind: r.job.kind, payload: r.job, run_at: r.runAt, created_at: r.createdAt, dedupe_key: r.dedupeKey });
  }
  return rows;
}

/**
 * The closing statement of a step: the conversation saved if its version is still the one read,
 * with the plan's replies, events and (when given) outbox rows, and the handled message marked
 * processed. True when it saved.
 */
async function finish(tx: Tx, conversation: ConversationRecord, channel: string, plan: StepPlan<unknown>, handledMessageId: string | null, outbox: OutboxJson[]): Promise<boolean> {
  const replies: Array<{ id: string; channel_message_id: string; author: string; body: string; choices: unknown; template: unknown }> = [];
  const events: Array<{ type: string; actor: string; payload: unknown }> = [];
  for (const w of plan.writes) {
    if (w.kind === 'outbound') {
      const m = w.message;
      replies.push({ id: m.id, channel_message_id: m.channelMessageId, author: m.author, body: m.body, choices: m.choices ?? null, template: m.template ?? null });
    } else if (w.kind === 'event') events.push({ type: w.type, actor: w.actor, payload: w.payload ?? null });
  }
  const s = plan.conversation;
  const saved = await tx.one<{ saved: number }>(Q.finishStep, [
    conversation.id, conversation.version, json(s.state), s.mode, s.lang, conversation.version + 1, s.assignedStaffId, s.escalatedAt, plan.at,
    JSON.stringify(replies), JSON.stringify(events), handledMessageId, channel, JSON.stringify(outbox),
  ]);
  return saved?.saved === 1;
}

/**
 * Writes a step's plan, the conversation last (guarded by its version); returns the new
 * version. Replies, events and outbox rows go into the one closing statement with the
 * conversation (and the handled message, if any): they read nothing, so only their order
 * among themselves matters, and it is kept. The writes that read or depend on each other
 * (beneficiary links, requests, survey answers, opt-outs) run before it, in plan order.
 */
export async function writePlan<T>(tx: Tx, conversation: ConversationRecord, contactRow: ContactRecord, plan: StepPlan<T>, handledMessageId: string | null = null): Promise<number> {
  const at = plan.at;
  const associationId = conversation.associationId;
  const conversationId = conversation.id;
  // Links change the contact's beneficiary for the writes after them (the request).
  const contact = { id: contactRow.id, associationId: contactRow.associationId, beneficiaryId: contactRow.beneficiaryId };
  const outbox = outboxRows(plan);
  for (const w of plan.writes) {
    switch (w.kind) {
      case 'outbox':
        if (!outbox) await addOutbox(tx, w.row);
        break;
      case 'link_beneficiary':
        await link(tx, contact, w.key, w.newId, at);
        break;
      case 'request':
        await recordRequest(tx, contact, conversation, w.request, at);
        break;
      case 'survey_response':
        await tx.run(Q.insertSurveyResponse, [w.id, associationId, conversationId, w.requestReference, w.rating, json(w.answers), at]);
        break;
      case 'opt_out':
        await tx.run(Q.setContactOptedOut, [contact.id, w.optedOut]);
        break;
    }
  }
  if (!(await finish(tx, conversation, contactRow.channel, plan, handledMessageId, outbox ?? []))) {
    throw new ConcurrentUpdateError(`conversation ${conversationId} changed while it was being processed`);
  }
  return conversation.version + 1;
}

/**
 * `runNext` without a lock, in two autocommit statements: the step context read (one
 * snapshot), the pure step run, and the closing statement, which saves nothing unless the
 * conversation's version is still the one read. Every step bumps the version and marks its
 * message processed in the same statement, so an unchanged version means the message read is
 * still the oldest pending one: each message is handled once, in order, as under the lock.
 * Only for plans whose every write is in the closing statement (replies, events, outbox rows
 * with distinct dedupe keys) and that asked for no reference number; the others need the
 * transaction (`needs-lock`). `conflict`: another step saved first; read again.
 */
export async function runNextUnlocked<T>(
  tx: Tx,
  conversationId: string,
  step: (ctx: PendingStepContext) => StepPlan<T>,
): Promise<{ outcome: 'done'; result: T } | { outcome: 'none' | 'conflict' | 'needs-lock' }> {
  const loaded = await load(tx, conversationId, true);
  if (!loaded?.pending) return { outcome: 'none' };
  const { conversation, contact, requests, pending, morePending } = loaded;
  let asked = false;
  const plan = step({ conversation, contact, requests, message: pending, morePending, nextReference: () => ((asked = true), 0) });
  if (asked || plan.writes.some((w) => w.kind !== 'outbound' && w.kind !== 'event' && w.kind !== 'outbox')) return { outcome: 'needs-lock' };
  const outbox = outboxRows(plan);
  if (!outbox) return { outcome: 'needs-lock' };
  return (await finish(tx, conversation, contact.channel, plan, pending.id, outbox)) ? { outcome: 'done', result: plan.result } : { outcome: 'conflict' };
}

/** One non-message step on a conversation, inside the caller's transaction. */
export async function applyStep<T>(tx: Tx, conversationId: string, step: (ctx: StepContext) => StepPlan<T> | null): Promise<T | null> {
  const loaded = await lockAndLoad(tx, conversationId, false);
  if (!loaded) throw new Error(`unknown conversation ${conversationId}`);
  const plan = await runWithReferences<StepContext, StepPlan<T> | null>(tx, { conversation: loaded.conversation, contact: loaded.contact, requests: loaded.requests }, loaded.conversation.associationId, step);
  if (!plan) return null;
  await writePlan(tx, loaded.conversation, loaded.contact, plan);
  return plan.result;
}

/** The conversation a request's news goes to (see ConversationsRepo.notificationTarget). */
export async function notificationTarget(tx: Pick<Tx, 'one'>, req: { conversationId: string; beneficiaryId: string | null }, via: 'last_used' | 'original'): Promise<string> {
  if (via === 'original' || !req.beneficiaryId) return req.conversationId;
  return (await tx.one<{ id: string }>(Q.notificationTarget, [req.beneficiaryId]))?.id ?? req.conversationId;
}
