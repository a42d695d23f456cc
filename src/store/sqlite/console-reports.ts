/** The supervisor dashboard's figures on SQLite. */
import type { ConversationState } from '../../engine/types.ts';
import type { DashboardFigures, ReportsRepo } from '../console.ts';
import type { Sql } from './console-tx.ts';

export function sqliteReports(sql: Sql): ReportsRepo {
  return {
    async dashboard(id, since, idleBefore): Promise<DashboardFigures> {
      const escalationEvents = sql
        .prep("SELECT conversation_id AS conversationId, type, at FROM events WHERE association_id = ? AND type IN ('escalated', 'staff_claimed') AND at >= ? ORDER BY id")
        .all(id, since) as DashboardFigures['escalationEvents'];
      const waiting = (sql.prep("SELECT count(*) AS n FROM conversations WHERE association_id = ? AND mode = 'waiting_staff'").get(id) as { n: number }).n;
      const breaches = (sql.prep("SELECT count(*) AS n FROM events WHERE association_id = ? AND type = 'escalation_unclaimed' AND at >= ?").get(id, since) as { n: number }).n;
      const stages = Object.fromEntries((sql.prep('SELECT status, count(*) AS n FROM requests WHERE association_id = ? GROUP BY status').all(id) as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
      const decisions = sql
        .prep("SELECT substr(decided_at, 1, 10) AS day, status, count(*) AS n FROM requests WHERE association_id = ? AND decided_at >= ? AND status IN ('accepted', 'rejected', 'completed') GROUP BY substr(decided_at, 1, 10), status ORDER BY day")
        .all(id, since) as DashboardFigures['decisions'];
      const surveys = (sql.prep('SELECT rating, answers, created_at FROM survey_responses WHERE association_id = ? ORDER BY created_at DESC').all(id) as Array<{ rating: number | null; answers: string; created_at: string }>).map((s) => ({
        rating: s.rating,
        answers: JSON.parse(s.answers) as Record<string, unknown>,
        createdAt: s.created_at,
      }));
      const idleStates = (sql.prep('SELECT state FROM conversations WHERE association_id = ? AND updated_at < ?').all(id, idleBefore) as Array<{ state: string }>).map((r) => JSON.parse(r.state) as ConversationState);
      return { escalationEvents, waiting, breaches, stages, decisions, surveys, idleStates };
    },
  };
}
