/**
 * The store seam: the only place that knows which database holds the data and the only code
 * that writes SQL. Everything else talks to the repositories of a `Store`, whose methods are
 * async, each owning its transaction and shaped by the use case that calls it.
 *
 * Two implementations sit behind it: SQLite (better-sqlite3, one file, the zero-config
 * default) and PostgreSQL (the shared store when one machine is not enough), chosen by
 * `DATABASE_URL`.
 */
import type { CoreStore } from './core.ts';
import type { ConsoleStore } from './console.ts';
import type { SettingsRepo } from './settings.ts';
import { openSqliteStore } from './sqlite/index.ts';
import { openPostgresStoreLazy } from './postgres/index.ts';

export type { CoreStore } from './core.ts';
export type { ConsoleStore } from './console.ts';
export type { SettingsRepo } from './settings.ts';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Conversations and their steps, delivery, outbox, requests and counters, media rows. */
  readonly core: CoreStore;
  /** What the staff console reads and writes: inbox, requests, records, accounts, sessions, audit, reports. */
  readonly console: ConsoleStore;
  /** Deployment-wide settings every process shares (the session secret). */
  readonly settings: SettingsRepo;
  /** One round trip: the health check. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens the store a `DATABASE_URL` (or a bare SQLite path) names and brings its schema up to
 * date. SQLite migrates before returning; PostgreSQL connects and migrates in the background,
 * and every call waits for that (a bad URL fails the first call, `ping` included).
 */
export function openStore(target: string): Store {
  if (isPostgresUrl(target)) return openPostgresStoreLazy(target);
  return openSqliteStore(target.startsWith('sqlite:') ? target.slice('sqlite:'.length) : target);
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:/.test(target);
}
