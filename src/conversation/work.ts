/**
 * The work the queues carry out on the database, one function per job kind: automated
 * verification of a submitted request, decisions and surveys sent to the beneficiary,
 * timers. Each is idempotent: running a job twice (a redelivery after a crash) changes
 * nothing the second time.
 */
import { and, eq } from 'drizzle-orm';
import * as t from '../../db/schema.ts';
import { saudiIdChecksumOk } from '../validate/national-id.ts';
import type { ConversationService, OutboxJob, StepOutcome } from './service.ts';
import type { FieldValue } from '../engine/types.ts';

export interface CheckResult {
  check: 'id_checksum' | 'duplicate_open_request' | 'required_fields' | 'documents';
  ok: boolean;
  detail?: string;
}

/** Statuses of a request that is still open (not decided, completed or withdrawn). */
export const OPEN_STATUSES = ['submitted', 'verifying', 'verified', 'committee', 'more_info'] as const;

/** What a job did, for the caller to pass on: replies to send, alerts to raise. */
export interface JobResult {
  outcome?: StepOutcome;
  alert?: { type: string; associationId: string; detail: Record<string, unknown> };
}

/**
 * Runs the automated checks on a submitted request and places it in the staff
 * verification list (status `verifying`) with the results. IMMEDIATE: it reads, then writes,
 * and a deferred transaction would fail at once (SQLITE_BUSY, no busy_timeout) whenever
 * another process committed in between.
 */
export function verifyRequest(service: ConversationService, reference: string, now: Date): JobResult {
  const db = service.db;
  return db.$client.transaction((): JobResult => {
    const req = db.select().from(t.requests).where(eq(t.requests.reference, reference)).get();
    if (!req || req.status !== 'submitted') return {};
    const flow = service.flow(req.associationId);
    const form = req.form === 'intake' ? flow.intake : flow.volunteer!;
    const data = req.data as Record<string, FieldValue>;
    const checks: CheckResult[] = [];
    // Only a national ID or iqama (10 digits from 1 or 2) has a check digit; a passport or border number has none to test.
    if (req.nationalId && /^[12]\d{9}$/.test(req.nationalId)) checks.push({ check: 'id_checksum', ok: saudiIdChecksumOk(req.nationalId) });
    const others = duplicateRequests(service, req);
    if (others) checks.push({ check: 'duplicate_open_request', ok: others.length === 0, ...(others.length ? { detail: others.join(', ') } : {}) });
    const present = (id: string) => data[id] !== undefined && data[id]!.value !== null && data[id]!.value !== '';
    const missing = form.fields.filter((f) => f.type !== 'media' && f.required && !present(f.id)).map((f) => f.id);
    checks.push({ check: 'required_fields', ok: missing.length === 0, ...(missing.length ? { detail: missing.join(', ') } : {}) });
    const docs = form.fields.filter((f) => f.type === 'media' && f.required && !present(f.id)).map((f) => f.id);
    if (form.fields.some((f) => f.type === 'media')) checks.push({ check: 'documents', ok: docs.length === 0, ...(docs.length ? { detail: docs.join(', ') } : {}) });
    const at = now.toISOString();
    db.update(t.requests).set({ status: 'verifying', checks, checkedAt: at, updatedAt: at }).where(eq(t.requests.id, req.id)).run();
    db.insert(t.events)
      .values({ associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'verification_checked', actor: 'system', payload: { reference, checks }, at })
      .run();
    return {};
  }).immediate();
}

/**
 * Other open requests of the same form with this request's national ID or phone (the
 * duplicate check): one indexed search by national ID and one by phone. The unary `+`
 * keeps the planner off the (association, status) index, which would visit every open
 * request of the association.
 */
export function duplicateRequests(service: ConversationService, req: { id: string; associationId: string; form: 'intake' | 'volunteer'; nationalId: string | null; phone: string | null }): string[] | undefined {
  if (!req.nationalId && !req.phone) return undefined;
  const open = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');
  const where = `+association_id = @associationId AND form = @form AND id <> @id AND +status IN (${open})`;
  const rows = service.db.$client
    .prepare(
      `SELECT reference FROM requests WHERE national_id = @nationalId AND ${where}
       UNION
       SELECT reference FROM requests WHERE phone = @phone AND ${where}
       ORDER BY reference`,
    )
    .all({ id: req.id, associationId: req.associationId, form: req.form, nationalId: req.nationalId, phone: req.phone }) as Array<{ reference: string }>;
  return rows.map((r) => r.reference);
}

/**
 * The conversation a request's news goes to: by default the beneficiary's most recently used
 * channel (they may have started on Telegram and carried on over SMS); with
 * `notifyVia: 'original'`, the one where the request was made.
 */
export function notificationConversation(service: ConversationService, req: { conversationId: string; beneficiaryId: string | null }): string {
  if (service.notifyVia === 'original' || !req.beneficiaryId) return req.conversationId;
  const row = service.db.$client
    .prepare(
      `SELECT v.id FROM contacts k JOIN conversations v ON v.contact_id = k.id
       WHERE k.beneficiary_id = ? AND k.opted_out = 0 ORDER BY k.last_seen_at DESC LIMIT 1`,
    )
    .get(req.beneficiaryId) as { id: string } | undefined;
  return row?.id ?? req.conversationId;
}

/**
 * Records the committee's decision and tells the beneficiary on their channel. A second
 * call for a request already decided changes nothing and sends nothing.
 */
export function decide(service: ConversationService, reference: string, outcome: 'accepted' | 'rejected', reason: string | undefined, actor: string, now: Date): JobResult {
  const db = service.db;
  if (outcome === 'rejected' && !reason?.trim()) throw new Error('a rejection needs a reason');
  const at = now.toISOString();
  // One transaction, write lock first: a decision is never recorded without its message
  // queued, nor the reverse, and two deciders cannot both find the request undecided.
  return db.$client
    .transaction((): JobResult => {
      const req = db.select().from(t.requests).where(eq(t.requests.reference, reference)).get();
      if (!req) throw new Error(`unknown request ${reference}`);
      if (req.status === 'accepted' || req.status === 'rejected' || req.status === 'completed' || req.status === 'erased') return {};
      db.update(t.requests)
        .set({ status: outcome, decisionReason: reason ?? null, decidedAt: at, updatedAt: at })
        .where(eq(t.requests.id, req.id))
        .run();
      const result = service.applyInput(notificationConversation(service, req), { type: 'decision', reference, outcome, ...(reason ? { reason } : {}) }, actor);
      return { outcome: result };
    })
    .immediate();
}

/** Staff delivered the service: the satisfaction survey is scheduled after the flow's delay. */
export function serviceDelivered(service: ConversationService, reference: string, actor: string, now: Date): void {
  const db = service.db;
  const req = db.select().from(t.requests).where(eq(t.requests.reference, reference)).get();
  if (!req) throw new Error(`unknown request ${reference}`);
  const flow = service.flow(req.associationId);
  const at = now.toISOString();
  db.$client.transaction(() => {
    db.update(t.requests).set({ status: 'completed', updatedAt: at }).where(eq(t.requests.id, req.id)).run();
    db.insert(t.events).values({ associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'service_delivered', actor, payload: { reference }, at }).run();
    service.enqueueJob(req.associationId, { kind: 'survey', reference }, new Date(now.getTime() + flow.timers.survey_delay_hours * 3_600_000));
  }).immediate();
}

/** Runs one outbox job that is not verification. */
export function runJob(service: ConversationService, job: OutboxJob, now: Date): JobResult {
  const db = service.db;
  switch (job.kind) {
    case 'verify':
      return verifyRequest(service, job.reference, now);
    case 'decision':
      return decide(service, job.reference, job.outcome, job.reason, job.actor, now);
    case 'timer':
      return { outcome: service.applyInput(job.conversationId, { type: 'timer', name: job.name }, 'timer') };
    case 'survey':
      // One transaction, write lock first: the invitation and its "invited" mark together.
      return db.$client
        .transaction((): JobResult => {
          const req = db.select().from(t.requests).where(eq(t.requests.reference, job.reference)).get();
          if (!req) return {};
          const already = db
            .select({ id: t.events.id })
            .from(t.events)
            .where(and(eq(t.events.requestId, req.id), eq(t.events.type, 'survey_invited')))
            .get();
          if (already) return {};
          const outcome = service.applyInput(notificationConversation(service, req), { type: 'survey_invite', reference: job.reference }, 'system');
          db.insert(t.events)
            .values({ associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'survey_invited', actor: 'system', payload: { reference: job.reference }, at: now.toISOString() })
            .run();
          return { outcome };
        })
        .immediate();
    case 'escalation_alert': {
      const conv = db.select().from(t.conversations).where(eq(t.conversations.id, job.conversationId)).get();
      if (!conv || conv.mode !== 'waiting_staff' || conv.escalatedAt !== job.escalatedAt) return {};
      return alert(service, conv.associationId, conv.id, null, 'escalation_unclaimed', { escalatedAt: job.escalatedAt }, now);
    }
    case 'committee_due': {
      const req = db.select().from(t.requests).where(eq(t.requests.reference, job.reference)).get();
      if (!req || !(OPEN_STATUSES as readonly string[]).includes(req.status)) return {};
      return alert(service, req.associationId, req.conversationId, req.id, 'committee_period_reached', { reference: job.reference, status: req.status }, now);
    }
  }
}

/** Records an alert once: a redelivered job for the same escalation or request raises nothing. */
function alert(service: ConversationService, associationId: string, conversationId: string, requestId: string | null, type: string, detail: Record<string, unknown>, now: Date): JobResult {
  const db = service.db;
  return db.$client.transaction((): JobResult => {
    const payload = JSON.stringify(detail);
    const seen = db.$client
      .prepare('SELECT 1 FROM events WHERE conversation_id = ? AND type = ? AND payload = ? LIMIT 1')
      .get(conversationId, type, payload);
    if (seen) return {};
    db.insert(t.events).values({ associationId, conversationId, requestId, type, actor: 'system', payload: detail, at: now.toISOString() }).run();
    return { alert: { type, associationId, detail } };
  }).immediate();
}
