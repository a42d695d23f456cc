/** The console's audit log: what a staff member saw or did, in the append-only events table. */
import type { Db } from '../store/db.ts';
import type { User } from './accounts.ts';

export interface AuditScope {
  associationId?: string;
  conversationId?: string | null;
  requestId?: string | null;
}

export function audit(db: Db, user: User, type: string, payload: Record<string, unknown>, scope: AuditScope = {}): void {
  db.$client
    .prepare('INSERT INTO events (association_id, conversation_id, request_id, type, actor, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(scope.associationId ?? user.associations[0] ?? '', scope.conversationId ?? null, scope.requestId ?? null, type, `user:${user.id}`, JSON.stringify(payload), new Date().toISOString());
}
