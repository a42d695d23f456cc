/** The supervisor dashboard's figures on PostgreSQL. */
import type { ConversationState } from '../../engine/types.ts';
import type { DashboardFigures, ReportsRepo } from '../console.ts';
import type { PgDb } from './db.ts';

export function pgReports(db: PgDb): ReportsRepo {
  return {
    async dashboard(id, since, idleBefore): Promise<DashboardFigures> {
      const escalationEvents = await db.rows<DashboardFigures['escalationEvents'][number]>(
        `SELECT conversation_id AS "conversationId", type, at FROM events WHERE association_id = $1 AND type IN ('escalated', 'staff_claimed') AND at >= $2 ORDER BY id`,
        [id, since],
      );
      const waiting = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM conversations WHERE association_id = $1 AND mode = 'waiting_staff'`, [id]))!.n;
      const breaches = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM events WHERE association_id = $1 AND type = 'escalation_unclaimed' AND at >= $2`, [id, since]))!.n;
      const stages = Object.fromEntries((await db.rows<{ status: string; n: number }>('SELECT status, count(*) AS n FROM requests WHERE association_id = $1 GROUP BY status', [id])).map((r) => [r.status, r.n]));
      const decisions = await db.rows<DashboardFigures['decisions'][number]>(
        `SELECT substr(decided_at, 1, 10) AS day, status, count(*) AS n FROM requests
         WHERE association_id = $1 AND decided_at >= $2 AND status IN ('accepted', 'rejected', 'completed') GROUP BY 1, status ORDER BY day, status`,
        [id, since],
      );
      const surveys = (await db.rows<{ rating: number | null; answers: Record<string, unknown>; created_at: string }>('SELECT rating, answers, created_at FROM survey_responses WHERE association_id = $1 ORDER BY created_at DESC', [id])).map((s) => ({
        rating: s.rating,
        answers: s.answers,
        createdAt: s.created_at,
      }));
      const idleStates = (await db.rows<{ state: ConversationState }>('SELECT state FROM conversations WHERE association_id = $1 AND updated_at < $2', [id, idleBefore])).map((r) => r.state);
      return { escalationEvents, waiting, breaches, stages, decisions, surveys, idleStates };
    },
  };
}
