/**
 * Staff accounts: argon2id password hashes, roles, and the associations each user may see.
 * Every console query is scoped by `associationsOf(user)`.
 */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { and, eq } from 'drizzle-orm';
import * as t from '../../db/schema.ts';
import type { Db } from '../store/db.ts';
import { uuidv7 } from '../store/ids.ts';

export const ROLES = ['staff', 'researcher', 'committee', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  associations: string[];
  /** The name beneficiaries are told, per language (set by the user or an admin). */
  displayName?: { ar?: string; en?: string };
  /** Signed in with a generated, shown-once password: must set their own before anything else. */
  mustChangePassword?: boolean;
}

const SCRIPT = { ar: /^[\p{Script=Arabic}\s.'’-]+$/u, en: /^[\p{Script=Latin}\s.'’-]+$/u };

/**
 * The name a beneficiary is told in this language: the user's display name for it, else their
 * console name if it is written in that language's script, else undefined, and the bot names
 * the association's officer title instead — never a Latin login name in an Arabic chat.
 */
export function spokenName(user: Pick<User, 'name' | 'displayName'>, lang: 'ar' | 'en'): string | undefined {
  const set = user.displayName?.[lang]?.trim();
  if (set) return set;
  const name = user.name.trim();
  return SCRIPT[lang].test(name) ? name : undefined;
}

export class AccountError extends Error {
  readonly code = 'TAWASUL_ERR_ACCOUNT';
}

/** A password people can type: 20 characters from an unambiguous alphabet (~115 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class Accounts {
  constructor(private readonly db: Db) {}

  async add(input: { email: string; name: string; role: Role; associations: string[]; password?: string; displayNameAr?: string; displayNameEn?: string }): Promise<{ user: User; password: string }> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new AccountError(`not an email address: ${input.email}`);
    if (!ROLES.includes(input.role)) throw new AccountError(`role must be one of: ${ROLES.join(', ')}`);
    if (input.associations.length === 0) throw new AccountError('a user belongs to at least one association');
    const known = new Set(this.db.select({ id: t.associations.id }).from(t.associations).all().map((a) => a.id));
    const unknown = input.associations.filter((a) => !known.has(a));
    if (unknown.length) throw new AccountError(`unknown association: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
    if (this.db.select().from(t.users).where(eq(t.users.email, email)).get()) throw new AccountError(`a user with ${email} exists; use users passwd to reset it`);
    const password = input.password ?? generatePassword();
    if (password.length < 12) throw new AccountError('passwords need at least 12 characters');
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
    const id = uuidv7();
    this.db.$client.transaction(() => {
      // A generated password is shown once on a terminal: its owner sets their own at first sign-in.
      this.db
        .insert(t.users)
        .values({ id, email, name: input.name.trim() || email, role: input.role, passwordHash, displayNameAr: input.displayNameAr?.trim() || null, displayNameEn: input.displayNameEn?.trim() || null, mustChangePassword: input.password === undefined })
        .run();
      for (const a of input.associations) this.db.insert(t.userAssociations).values({ userId: id, associationId: a }).run();
    })();
    return { user: this.byId(id)!, password };
  }

  /** An administrator's reset: a generated password (changed at the next sign-in) unless one is given. */
  async setPassword(email: string, password?: string): Promise<string> {
    const next = password ?? generatePassword();
    if (next.length < 12) throw new AccountError('passwords need at least 12 characters');
    const user = this.db.select().from(t.users).where(eq(t.users.email, email.trim().toLowerCase())).get();
    if (!user) throw new AccountError(`no user ${email}`);
    const passwordHash = await argon2.hash(next, { type: argon2.argon2id });
    this.db.update(t.users).set({ passwordHash, passwordChangedAt: new Date().toISOString(), mustChangePassword: password === undefined }).where(eq(t.users.id, user.id)).run();
    // Every session of that user ends: a reset password must lock out whoever had the old one.
    this.db.$client.prepare("DELETE FROM sessions WHERE json_extract(data, '$.userId') = ?").run(user.id);
    return next;
  }

  /**
   * The user sets their own password: the current one proves it is them. Their other sessions
   * end (whoever had the old password is out); the session they changed it in stays.
   */
  async changePassword(userId: string, current: string, next: string, keepSession: string): Promise<void> {
    const row = this.db.select().from(t.users).where(eq(t.users.id, userId)).get();
    if (!row || !(await argon2.verify(row.passwordHash, current).catch(() => false))) throw new AccountError('wrong current password');
    if (next.length < 12) throw new AccountError('passwords need at least 12 characters');
    if (next === current) throw new AccountError('choose a password different from the current one');
    const passwordHash = await argon2.hash(next, { type: argon2.argon2id });
    this.db.update(t.users).set({ passwordHash, passwordChangedAt: new Date().toISOString(), mustChangePassword: false }).where(eq(t.users.id, userId)).run();
    this.db.$client.prepare("DELETE FROM sessions WHERE json_extract(data, '$.userId') = ? AND id <> ?").run(userId, keepSession);
  }

  /** The names beneficiaries are told; empty clears one (the bot then names the officer's title). */
  setDisplayNames(userId: string, names: { ar?: string; en?: string }): void {
    const clean = (v: string | undefined) => (v?.trim() ? v.trim().slice(0, 80) : null);
    this.db.update(t.users).set({ displayNameAr: clean(names.ar), displayNameEn: clean(names.en) }).where(eq(t.users.id, userId)).run();
  }

  /** The user for these credentials, or undefined (same time taken either way). */
  async verify(email: string, password: string): Promise<User | undefined> {
    const row = this.db.select().from(t.users).where(and(eq(t.users.email, email.trim().toLowerCase()), eq(t.users.active, true))).get();
    // Hash against a dummy when there is no such user, so timing does not reveal who exists.
    const hash = row?.passwordHash ?? (await dummyHash());
    const ok = await argon2.verify(hash, password).catch(() => false);
    return ok && row ? this.byId(row.id) : undefined;
  }

  byId(id: string): User | undefined {
    const row = this.db.select().from(t.users).where(and(eq(t.users.id, id), eq(t.users.active, true))).get();
    if (!row) return undefined;
    // In the order they were given: the first is the user's own association (the dashboard opens on it).
    const associations = (this.db.$client.prepare('SELECT association_id AS a FROM user_associations WHERE user_id = ? ORDER BY rowid').all(id) as Array<{ a: string }>).map((r) => r.a);
    const displayName = { ...(row.displayNameAr ? { ar: row.displayNameAr } : {}), ...(row.displayNameEn ? { en: row.displayNameEn } : {}) };
    return { id: row.id, email: row.email, name: row.name, role: row.role, associations, displayName, mustChangePassword: row.mustChangePassword };
  }

  count(): number {
    return (this.db.$client.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= argon2.hash(randomBytes(16).toString('hex'), { type: argon2.argon2id }));
