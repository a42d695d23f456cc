/** Staff accounts, console sessions and the audit log on PostgreSQL. */
import type { AccountsRepo, AuditEntry, AuditRepo, SessionsRepo, StaffRole, UserRow } from '../console.ts';
import type { PgDb, Tx } from './db.ts';
import { json } from './core-sql.ts';

export const insertAudit = (tx: Pick<Tx, 'run'>, e: AuditEntry) =>
  tx.run('INSERT INTO events (association_id, conversation_id, request_id, type, actor, payload, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    e.associationId, e.conversationId ?? null, e.requestId ?? null, e.type, e.actor, json(e.payload), e.at,
  ]);

interface UserDbRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  active: boolean;
  display_name_ar: string | null;
  display_name_en: string | null;
  must_change_password: boolean;
  associations: string[];
}

// In the order they were given (seq): the first is the user's own association (the dashboard opens on it).
const USER = `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.active, u.display_name_ar, u.display_name_en, u.must_change_password,
  ARRAY(SELECT ua.association_id FROM user_associations ua WHERE ua.user_id = u.id ORDER BY ua.seq) AS associations FROM users u`;

const user = (r: UserDbRow | undefined): UserRow | undefined =>
  r && {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    passwordHash: r.password_hash,
    active: r.active,
    associations: r.associations,
    displayNameAr: r.display_name_ar,
    displayNameEn: r.display_name_en,
    mustChangePassword: r.must_change_password,
  };

export function pgAccounts(db: PgDb): AccountsRepo {
  return {
    async associationIds() {
      return (await db.rows<{ id: string }>('SELECT id FROM associations ORDER BY id')).map((a) => a.id);
    },
    async byEmail(email) {
      return user(await db.one<UserDbRow>(`${USER} WHERE u.email = $1`, [email]));
    },
    async byId(id) {
      return user(await db.one<UserDbRow>(`${USER} WHERE u.id = $1`, [id]));
    },
    insert: (u) =>
      db.tx(async (tx) => {
        // The unique email decides, also between two admins adding the same person at once.
        const added = await tx.run(
          `INSERT INTO users (id, email, name, role, password_hash, display_name_ar, display_name_en, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (email) DO NOTHING`,
          [u.id, u.email, u.name, u.role, u.passwordHash, u.displayNameAr, u.displayNameEn, u.mustChangePassword],
        );
        if (added === 0) return false;
        for (const a of u.associations) await tx.run('INSERT INTO user_associations (user_id, association_id) VALUES ($1, $2)', [u.id, a]);
        return true;
      }),
    setPassword: (userId, passwordHash, mustChange, at, keepSession) =>
      db.tx(async (tx) => {
        await tx.run('UPDATE users SET password_hash = $2, password_changed_at = $3, must_change_password = $4 WHERE id = $1', [userId, passwordHash, at, mustChange]);
        // Whoever had the old password is out: every other session of that user ends.
        await tx.run(`DELETE FROM sessions WHERE data->>'userId' = $1 AND id <> $2`, [userId, keepSession ?? '']);
      }),
    async setDisplayNames(userId, ar, en) {
      await db.run('UPDATE users SET display_name_ar = $2, display_name_en = $3 WHERE id = $1', [userId, ar, en]);
    },
    async count() {
      return (await db.one<{ n: number }>('SELECT count(*) AS n FROM users'))!.n;
    },
  };
}

export function pgSessions(db: PgDb): SessionsRepo {
  return {
    async get(id, now) {
      const row = await db.one<{ data: unknown }>('SELECT data FROM sessions WHERE id = $1 AND expires_at >= $2', [id, now]);
      return row?.data;
    },
    async set(id, data, expiresAt) {
      await db.run('INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at', [id, json(data), expiresAt]);
    },
    async destroy(id) {
      await db.run('DELETE FROM sessions WHERE id = $1', [id]);
    },
  };
}

export function pgAudit(db: PgDb): AuditRepo {
  return {
    async record(entry) {
      await insertAudit(db, entry);
    },
  };
}
