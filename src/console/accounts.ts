/**
 * Staff accounts: argon2id password hashes, roles, and the associations each user may see.
 * Every console query is scoped by `associationsOf(user)`.
 */
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { ConsoleStore, UserRow } from '../store/console.ts';
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
  constructor(private readonly store: Pick<ConsoleStore, 'accounts'>) {}

  private get repo() {
    return this.store.accounts;
  }

  async add(input: { email: string; name: string; role: Role; associations: string[]; password?: string; displayNameAr?: string; displayNameEn?: string }): Promise<{ user: User; password: string }> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new AccountError(`not an email address: ${input.email}`);
    if (!ROLES.includes(input.role)) throw new AccountError(`role must be one of: ${ROLES.join(', ')}`);
    if (input.associations.length === 0) throw new AccountError('a user belongs to at least one association');
    const known = new Set(await this.repo.associationIds());
    const unknown = input.associations.filter((a) => !known.has(a));
    if (unknown.length) throw new AccountError(`unknown association: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
    const exists = () => new AccountError(`a user with ${email} exists; use users passwd to reset it`);
    if (await this.repo.byEmail(email)) throw exists();
    const password = input.password ?? generatePassword();
    if (password.length < 12) throw new AccountError('passwords need at least 12 characters');
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
    const id = uuidv7();
    // A generated password is shown once on a terminal: its owner sets their own at first sign-in.
    const inserted = await this.repo.insert({
      id,
      email,
      name: input.name.trim() || email,
      role: input.role,
      passwordHash,
      associations: input.associations,
      displayNameAr: input.displayNameAr?.trim() || null,
      displayNameEn: input.displayNameEn?.trim() || null,
      mustChangePassword: input.password === undefined,
    });
    if (!inserted) throw exists();
    return { user: (await this.byId(id))!, password };
  }

  /** An administrator's reset: a generated password (changed at the next sign-in) unless one is given. */
  async setPassword(email: string, password?: string): Promise<string> {
    const next = password ?? generatePassword();
    if (next.length < 12) throw new AccountError('passwords need at least 12 characters');
    const user = await this.repo.byEmail(email.trim().toLowerCase());
    if (!user) throw new AccountError(`no user ${email}`);
    const passwordHash = await argon2.hash(next, { type: argon2.argon2id });
    // Every session of that user ends: a reset password must lock out whoever had the old one.
    await this.repo.setPassword(user.id, passwordHash, password === undefined, new Date().toISOString());
    return next;
  }

  /**
   * The user sets their own password: the current one proves it is them. Their other sessions
   * end (whoever had the old password is out); the session they changed it in stays.
   */
  async changePassword(userId: string, current: string, next: string, keepSession: string): Promise<void> {
    const row = await this.repo.byId(userId);
    if (!row || !(await argon2.verify(row.passwordHash, current).catch(() => false))) throw new AccountError('wrong current password');
    if (next.length < 12) throw new AccountError('passwords need at least 12 characters');
    if (next === current) throw new AccountError('choose a password different from the current one');
    const passwordHash = await argon2.hash(next, { type: argon2.argon2id });
    await this.repo.setPassword(userId, passwordHash, false, new Date().toISOString(), keepSession);
  }

  /** The names beneficiaries are told; empty clears one (the bot then names the officer's title). */
  async setDisplayNames(userId: string, names: { ar?: string; en?: string }): Promise<void> {
    const clean = (v: string | undefined) => (v?.trim() ? v.trim().slice(0, 80) : null);
    await this.repo.setDisplayNames(userId, clean(names.ar), clean(names.en));
  }

  /** The user for these credentials, or undefined (same time taken either way). */
  async verify(email: string, password: string): Promise<User | undefined> {
    const found = await this.repo.byEmail(email.trim().toLowerCase());
    const row = found?.active ? found : undefined;
    // Hash against a dummy when there is no such user, so timing does not reveal who exists.
    const hash = row?.passwordHash ?? (await dummyHash());
    const ok = await argon2.verify(hash, password).catch(() => false);
    return ok && row ? toUser(row) : undefined;
  }

  /** The active user with this id. */
  async byId(id: string): Promise<User | undefined> {
    const row = await this.repo.byId(id);
    return row?.active ? toUser(row) : undefined;
  }

  count(): Promise<number> {
    return this.repo.count();
  }
}

function toUser(row: UserRow): User {
  const displayName = { ...(row.displayNameAr ? { ar: row.displayNameAr } : {}), ...(row.displayNameEn ? { en: row.displayNameEn } : {}) };
  return { id: row.id, email: row.email, name: row.name, role: row.role, associations: row.associations, displayName, mustChangePassword: row.mustChangePassword };
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= argon2.hash(randomBytes(16).toString('hex'), { type: argon2.argon2id }));
