/**
 * The supervisor dashboard's figures, per association the user may see: queue health,
 * escalations waiting and how fast people pick them up, requests by stage, decisions over
 * time, satisfaction, and where beneficiaries stop in the intake.
 */
import type { ConversationState } from '../engine/types.ts';
import type { FlowFile } from '../flows/schema.ts';
import type { QueueSnapshot } from '../pipeline/metrics.ts';
import type { Db } from '../store/db.ts';

export interface DashboardData {
  queues: QueueSnapshot[];
  escalations: { waiting: number; pickupP50Minutes: number | null; pickupP90Minutes: number | null; slaBreaches: number; slaMinutes: number };
  requestsByStage: Record<string, number>;
  decisionsByDay: Array<{ day: string; accepted: number; rejected: number }>;
  satisfaction: { count: number; average: number | null; distribution: number[]; comments: Array<{ at: string; text: string }> };
  dropOff: Array<{ field: string; label: string; stopped: number }>;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null);

export function dashboardData(db: Db, flow: FlowFile, queues: QueueSnapshot[], now = new Date(), lang: 'ar' | 'en' = 'ar'): DashboardData {
  const id = flow.id;
  const c = db.$client;
  const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();

  // Escalations: from the audit log, escalated → claimed per conversation.
  const events = c
    .prepare("SELECT conversation_id AS conv, type, at FROM events WHERE association_id = ? AND type IN ('escalated', 'staff_claimed') AND at >= ? ORDER BY id")
    .all(id, since) as Array<{ conv: string; type: string; at: string }>;
  const open = new Map<string, string>();
  const pickups: number[] = [];
  for (const e of events) {
    if (e.type === 'escalated') open.set(e.conv, e.at);
    else if (open.has(e.conv)) {
      pickups.push((Date.parse(e.at) - Date.parse(open.get(e.conv)!)) / 60_000);
      open.delete(e.conv);
    }
  }
  pickups.sort((a, b) => a - b);
  const slaMinutes = flow.escalation.unclaimed_alert_minutes;
  const waiting = (c.prepare("SELECT count(*) AS n FROM conversations WHERE association_id = ? AND mode = 'waiting_staff'").get(id) as { n: number }).n;
  const breaches = (c.prepare("SELECT count(*) AS n FROM events WHERE association_id = ? AND type = 'escalation_unclaimed' AND at >= ?").get(id, since) as { n: number }).n;

  const stages = Object.fromEntries((c.prepare('SELECT status, count(*) AS n FROM requests WHERE association_id = ? GROUP BY status').all(id) as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
  const decisions = c
    .prepare("SELECT substr(decided_at, 1, 10) AS day, status, count(*) AS n FROM requests WHERE association_id = ? AND decided_at >= ? AND status IN ('accepted', 'rejected', 'completed') GROUP BY day, status ORDER BY day")
    .all(id, since) as Array<{ day: string; status: string; n: number }>;
  const byDay = new Map<string, { day: string; accepted: number; rejected: number }>();
  for (const d of decisions) {
    const row = byDay.get(d.day) ?? { day: d.day, accepted: 0, rejected: 0 };
    if (d.status === 'rejected') row.rejected += d.n;
    else row.accepted += d.n;
    byDay.set(d.day, row);
  }

  const surveys = c.prepare('SELECT rating, answers, created_at FROM survey_responses WHERE association_id = ? ORDER BY created_at DESC').all(id) as Array<{ rating: number | null; answers: string; created_at: string }>;
  const ratings = surveys.map((s) => s.rating).filter((r): r is number => typeof r === 'number' && r >= 1 && r <= 5);
  const distribution = [1, 2, 3, 4, 5].map((v) => ratings.filter((r) => r === v).length);
  const comments = surveys
    .flatMap((s) => Object.values(JSON.parse(s.answers) as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.trim().length > 0).map((text) => ({ at: s.created_at, text })))
    .slice(0, 10);

  // Drop-off: unfinished intakes, by the field they stopped at.
  const stopped = new Map<number, number>();
  for (const row of c.prepare("SELECT state FROM conversations WHERE association_id = ? AND updated_at < ?").all(id, new Date(now.getTime() - 3_600_000).toISOString()) as Array<{ state: string }>) {
    const draft = (JSON.parse(row.state) as ConversationState).drafts.intake;
    if (draft) stopped.set(draft.index, (stopped.get(draft.index) ?? 0) + 1);
  }
  const dropOff = flow.intake.fields.map((f, i) => ({ field: f.id, label: f.label?.[lang] ?? f.id, stopped: stopped.get(i) ?? 0 }));

  return {
    queues,
    escalations: { waiting, pickupP50Minutes: quantile(pickups, 0.5), pickupP90Minutes: quantile(pickups, 0.9), slaBreaches: breaches, slaMinutes },
    requestsByStage: stages,
    decisionsByDay: [...byDay.values()],
    satisfaction: { count: ratings.length, average: ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null, distribution, comments },
    dropOff,
  };
}
