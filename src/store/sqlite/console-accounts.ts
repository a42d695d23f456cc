/** Staff accounts and console sessions on SQLite (cold paths: the drizzle query builder where it reads well). */
import { eq } from 'drizzle-orm';
import * as t from '../../../db/schema.ts';
import type { Db } from '../db.ts';
import type { AccountsRepo, AuditRepo, SessionsRepo, UserRow } from '../console.ts';
import { insertAudit } from './console-requests.ts';
import type { Sql } from './console-tx.ts';

export function sqliteAccounts(db: Db, sql: Sql): AccountsRepo {
  const withAssociations = (row: typeof t.users.$inferSelect | undefined): UserRow | undefined => {
    if (!row) return undefined;
    // In the order they were given: the first is the user's own association (the dashboard opens on it).
    const associations = (sql.prep('SELECT association_id AS a FROM user_associations WHERE user_id = ? ORDER BY rowid').all(row.id) as Array<{ a: string }>).map((r) => r.a);
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      passwordHash: row.passwordHash,
      active: row.active,
      associations,
      displayNameAr: row.displayNameAr,
      displayNameEn: row.displayNameEn,
      mustChangePassword: row.mustChangePassword,
    };
  };
  return {
    async associationIds() {
      return db.select({ id: t.associations.id }).from(t.associations).all().map((a) => a.id);
    },
    async byEmail(email) {
      return withAssociations(db.select().from(t.users).where(eq(t.users.email, email)).get());
    },
    async byId(id) {
      return withAssociations(db.select().from(t.users).where(eq(t.users.id, id)).get());
    },
    async insert(u) {
      return sql.write(() => {
        if (db.select({ id: t.users.id }).from(t.users).where(eq(t.users.email, u.email)).get()) return false;
        db.insert(t.users)
          .values({ id: u.id, email: u.email, name: u.name, role: u.role, passwordHash: u.passwordHash, displayNameAr: u.displayNameAr, displayNameEn: u.displayNameEn, mustChangePassword: u.mustChangePassword })
          .run();
        for (const a of u.associations) db.insert(t.userAssociations).values({ userId: u.id, associationId: a }).run();
        return true;
      });
    },
    async setPassword(userId, passwordHash, mustChange, at, keepSession) {
      await sql.write(() => {
        db.update(t.users).set({ passwordHash, passwordChangedAt: at, mustChangePassword: mustChange }).where(eq(t.users.id, userId)).run();
        // Whoever had the old password is out: every other session of that user ends.
        sql.prep("DELETE FROM sessions WHERE json_extract(data, '$.userId') = ? AND id <> ?").run(userId, keepSession ?? '');
      });
    },
    async setDisplayNames(userId, ar, en) {
      db.update(t.users).set({ displayNameAr: ar, displayNameEn: en }).where(eq(t.users.id, userId)).run();
    },
    async count() {
      return (sql.prep('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    },
  };
}

export function sqliteSessions(sql: Sql): SessionsRepo {
  return {
    async get(id, now) {
      const row = sql.prep('SELECT data, expires_at FROM sessions WHERE id = ?').get(id) as { data: string; expires_at: string } | undefined;
      return row && row.expires_at >= now ? JSON.parse(row.data) : undefined;
    },
    async set(id, data, expiresAt) {
      sql.prep('INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at').run(id, JSON.stringify(data), expiresAt);
    },
    async destroy(id) {
      sql.prep('DELETE FROM sessions WHERE id = ?').run(id);
    },
  };
}

export function sqliteAudit(sql: Sql): AuditRepo {
  return {
    async record(entry) {
      insertAudit(sql, entry);
    },
  };
}
