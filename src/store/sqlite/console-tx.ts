/**
 * What every SQLite console repository shares: statements prepared once per connection, and
 * writes through the connection's one writer (core-sql.ts): each in its own savepoint of a
 * group-committed `BEGIN IMMEDIATE` transaction that, on SQLITE_BUSY (another process holds
 * the write lock), waits asynchronously and runs again instead of blocking the event loop.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../db.ts';
import { writer } from './core-sql.ts';

export interface Sql {
  readonly client: Database.Database;
  /** The statement for this text, prepared at first use and kept. */
  prep(sql: string): Database.Statement;
  /** Runs `fn` in one IMMEDIATE transaction, retried whole on SQLITE_BUSY. */
  write<T>(fn: () => T): Promise<T>;
}

export function sqlOf(db: Db): Sql {
  const client = db.$client;
  const cache = new Map<string, Database.Statement>();
  const prep = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = client.prepare(sql)));
    return s;
  };
  return {
    client,
    prep,
    write: writer(client),
  };
}

/** `?, ?, ?` for a list (at least one mark: `IN ()` is not valid SQL). */
export const marks = (list: readonly unknown[]) => (list.length ? list.map(() => '?').join(',') : 'NULL');

export const json = <T>(s: string | null | undefined): T | null => (s === null || s === undefined ? null : (JSON.parse(s) as T));
