/**
 * The supervisor dashboard's figures, per association the user may see: queue health,
 * escalations waiting and how fast people pick them up, requests by stage, decisions over
 * time, satisfaction, and where beneficiaries stop in the intake.
 */
import type { FlowFile } from '../flows/schema.ts';
import type { QueueSnapshot } from '../pipeline/metrics.ts';
import type { ConsoleStore } from '../store/console.ts';

export interface DashboardData {
  queues: QueueSnapshot[];
  escalations: { waiting: number; pickupP50Minutes: number | null; pickupP90Minutes: number | null; slaBreaches: number; slaMinutes: number };
  requestsByStage: Record<string, number>;
  decisionsByDay: Array<{ day: string; accepted: number; rejected: number }>;
  satisfaction: { count: number; average: number | null; distribution: number[]; comments: Array<{ at: string; text: string }> };
  dropOff: Array<{ field: string; label: string; stopped: number }>;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : null);

export async function dashboardData(store: Pick<ConsoleStore, 'reports'>, flow: FlowFile, queues: QueueSnapshot[], now = new Date(), lang: 'ar' | 'en' = 'ar'): Promise<DashboardData> {
  const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const figures = await store.reports.dashboard(flow.id, since, new Date(now.getTime() - 3_600_000).toISOString());

  // Escalations: from the audit log, escalated → claimed per conversation.
  const open = new Map<string, string>();
  const pickups: number[] = [];
  for (const e of figures.escalationEvents) {
    if (e.type === 'escalated') open.set(e.conversationId, e.at);
    else if (open.has(e.conversationId)) {
      pickups.push((Date.parse(e.at) - Date.parse(open.get(e.conversationId)!)) / 60_000);
      open.delete(e.conversationId);
    }
  }
  pickups.sort((a, b) => a - b);
  const slaMinutes = flow.escalation.unclaimed_alert_minutes;
  const { waiting, breaches, stages } = figures;
  const byDay = new Map<string, { day: string; accepted: number; rejected: number }>();
  for (const d of figures.decisions) {
    const row = byDay.get(d.day) ?? { day: d.day, accepted: 0, rejected: 0 };
    if (d.status === 'rejected') row.rejected += d.n;
    else row.accepted += d.n;
    byDay.set(d.day, row);
  }

  const surveys = figures.surveys;
  const ratings = surveys.map((s) => s.rating).filter((r): r is number => typeof r === 'number' && r >= 1 && r <= 5);
  const distribution = [1, 2, 3, 4, 5].map((v) => ratings.filter((r) => r === v).length);
  const comments = surveys
    .flatMap((s) => Object.values(s.answers).filter((v): v is string => typeof v === 'string' && v.trim().length > 0).map((text) => ({ at: s.createdAt, text })))
    .slice(0, 10);

  // Drop-off: unfinished intakes, by the field they stopped at.
  const stopped = new Map<number, number>();
  for (const state of figures.idleStates) {
    const draft = state.drafts.intake;
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
