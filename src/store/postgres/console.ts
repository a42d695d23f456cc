/** The staff console's repositories on PostgreSQL (the ConsoleStore interface of ../console.ts). */
import type { ConsoleStore } from '../console.ts';
import type { PgDb } from './db.ts';

export function pgConsole(_db: PgDb): ConsoleStore {
  return {} as ConsoleStore;
}
