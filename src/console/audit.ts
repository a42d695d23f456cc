/** The console's audit log: what a staff member saw or did, in the append-only events table. */
import type { AuditEntry, ConsoleStore } from '../store/console.ts';
import type { User } from './accounts.ts';

export interface AuditScope {
  associationId?: string;
  conversationId?: string | null;
  requestId?: string | null;
}

/** The entry for what this user did (written by the repository method that does it, in its transaction). */
export function auditEntry(user: User, type: string, payload: Record<string, unknown>, scope: AuditScope = {}, at = new Date().toISOString()): AuditEntry {
  return { associationId: scope.associationId ?? user.associations[0] ?? '', conversationId: scope.conversationId ?? null, requestId: scope.requestId ?? null, type, actor: `user:${user.id}`, payload, at };
}

export function audit(store: ConsoleStore, user: User, type: string, payload: Record<string, unknown>, scope: AuditScope = {}): Promise<void> {
  return store.audit.record(auditEntry(user, type, payload, scope));
}
