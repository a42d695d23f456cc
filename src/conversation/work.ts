/**
 * The work the queues carry out, one function per job kind: automated verification of a
 * submitted request, decisions and surveys sent to the beneficiary, timers. Each is
 * idempotent: running a job twice (a redelivery after a crash) changes nothing the second
 * time. What to check and what to send is decided here; the store runs it in one transaction.
 */
import { saudiIdChecksumOk } from '../validate/national-id.ts';
import type { ConversationService, OutboxJob, StepOutcome } from './service.ts';
import type { CheckResult } from '../store/core.ts';

export type { CheckResult } from '../store/core.ts';

/** Statuses of a request that is still open (not decided, completed or withdrawn). */
export const OPEN_STATUSES = ['submitted', 'verifying', 'verified', 'committee', 'more_info'] as const;

/** Statuses after which a decision changes nothing. */
const DECIDED = ['accepted', 'rejected', 'completed', 'erased'];

/** What a job did, for the caller to pass on: replies to send, alerts to raise. */
export interface JobResult {
  outcome?: StepOutcome;
  alert?: { type: string; associationId: string; detail: Record<string, unknown> };
}

/**
 * Runs the automated checks on a submitted request and places it in the staff
 * verification list (status `verifying`) with the results, in one transaction that takes
 * the write lock before reading.
 */
export async function verifyRequest(service: ConversationService, reference: string, now: Date): Promise<JobResult> {
  await service.store.core.requests.verify(reference, now.toISOString(), OPEN_STATUSES, (req, others) => {
    const flow = service.flow(req.associationId);
    const form = req.form === 'intake' ? flow.intake : flow.volunteer!;
    const data = req.data;
    const checks: CheckResult[] = [];
    // Only a national ID or iqama (10 digits from 1 or 2) has a check digit; a passport or border number has none to test.
    if (req.nationalId && /^[12]\d{9}$/.test(req.nationalId)) checks.push({ check: 'id_checksum', ok: saudiIdChecksumOk(req.nationalId) });
    if (others) checks.push({ check: 'duplicate_open_request', ok: others.length === 0, ...(others.length ? { detail: others.join(', ') } : {}) });
    const present = (id: string) => data[id] !== undefined && data[id]!.value !== null && data[id]!.value !== '';
    const missing = form.fields.filter((f) => f.type !== 'media' && f.required && !present(f.id)).map((f) => f.id);
    checks.push({ check: 'required_fields', ok: missing.length === 0, ...(missing.length ? { detail: missing.join(', ') } : {}) });
    const docs = form.fields.filter((f) => f.type === 'media' && f.required && !present(f.id)).map((f) => f.id);
    if (form.fields.some((f) => f.type === 'media')) checks.push({ check: 'documents', ok: docs.length === 0, ...(docs.length ? { detail: docs.join(', ') } : {}) });
    return checks;
  });
  return {};
}

/**
 * The conversation a request's news goes to: by default the beneficiary's most recently used
 * channel (they may have started on Telegram and carried on over SMS); with
 * `notifyVia: 'original'`, the one where the request was made.
 */
export function notificationConversation(service: ConversationService, req: { conversationId: string; beneficiaryId: string | null }): Promise<string> {
  return service.store.core.conversations.notificationTarget(req, service.notifyVia);
}

/**
 * Records the committee's decision, who made it (`actor`, a `request_decided` event) and tells
 * the beneficiary on their channel, in one transaction (write lock first): a decision is never
 * recorded without its author or its message queued,
 * nor the reverse, and two deciders cannot both find the request undecided. A second call
 * for a request already decided changes nothing and sends nothing.
 */
export async function decide(service: ConversationService, reference: string, outcome: 'accepted' | 'rejected', reason: string | undefined, actor: string, now: Date): Promise<JobResult> {
  if (outcome === 'rejected' && !reason?.trim()) throw new Error('a rejection needs a reason');
  const result = await service.store.core.requests.decide(
    reference,
    { outcome, reason: reason ?? null, at: now.toISOString(), actor },
    (req) => !DECIDED.includes(req.status),
    { via: service.notifyVia, step: service.stepFor({ type: 'decision', reference, outcome, ...(reason ? { reason } : {}) }, actor) },
  );
  return result ? { outcome: result } : {};
}

/** Staff delivered the service: the satisfaction survey is scheduled after the flow's delay. */
export async function serviceDelivered(service: ConversationService, reference: string, actor: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await service.store.core.requests.delivered(reference, actor, at, (req) => {
    const flow = service.flow(req.associationId);
    return [service.outboxRow(req.associationId, { kind: 'survey', reference }, new Date(now.getTime() + flow.timers.survey_delay_hours * 3_600_000), at)];
  });
}

/** Runs one outbox job. */
export async function runJob(service: ConversationService, job: OutboxJob, now: Date): Promise<JobResult> {
  const core = service.store.core;
  switch (job.kind) {
    case 'verify':
      return verifyRequest(service, job.reference, now);
    case 'decision':
      return decide(service, job.reference, job.outcome, job.reason, job.actor, now);
    case 'timer':
      return { outcome: await service.applyInput(job.conversationId, { type: 'timer', name: job.name }, 'timer') };
    case 'survey': {
      // The invitation and its "invited" mark together, once.
      const outcome = await core.requests.inviteToSurvey(job.reference, now.toISOString(), {
        via: service.notifyVia,
        step: service.stepFor({ type: 'survey_invite', reference: job.reference }, 'system'),
      });
      return outcome ? { outcome } : {};
    }
    case 'escalation_alert': {
      const conv = await core.conversations.get(job.conversationId);
      if (!conv || conv.mode !== 'waiting_staff' || conv.escalatedAt !== job.escalatedAt) return {};
      return alert(service, conv.associationId, conv.id, null, 'escalation_unclaimed', { escalatedAt: job.escalatedAt }, now);
    }
    case 'committee_due': {
      const req = await core.requests.byReference(job.reference);
      if (!req || !(OPEN_STATUSES as readonly string[]).includes(req.status)) return {};
      return alert(service, req.associationId, req.conversationId, req.id, 'committee_period_reached', { reference: job.reference, status: req.status }, now);
    }
  }
}

/** Records an alert once: a redelivered job for the same escalation or request raises nothing. */
async function alert(service: ConversationService, associationId: string, conversationId: string, requestId: string | null, type: string, detail: Record<string, unknown>, now: Date): Promise<JobResult> {
  const fresh = await service.store.core.events.addOnce({ associationId, conversationId, requestId, type, actor: 'system', payload: detail, at: now.toISOString() });
  return fresh ? { alert: { type, associationId, detail } } : {};
}
