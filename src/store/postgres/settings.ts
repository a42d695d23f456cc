/**
 * Settings on PostgreSQL: insert-if-missing returning the row, else read it. Two statements,
 * not one CTE: a concurrent insert that won is invisible to the snapshot of the statement that
 * lost the conflict, but visible to the next statement (READ COMMITTED).
 */
import type { SettingsRepo } from '../settings.ts';
import { statement, type PgDb } from './db.ts';

const INSERT = statement('settings_insert', 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value');
const READ = statement('settings_read', 'SELECT value FROM settings WHERE key = $1');

export function pgSettings(db: PgDb): SettingsRepo {
  return {
    getOrCreate: async (key, make) => {
      const found = await db.one<{ value: string }>(READ, [key]);
      if (found) return found.value;
      const inserted = await db.one<{ value: string }>(INSERT, [key, make()]);
      return inserted?.value ?? (await db.one<{ value: string }>(READ, [key]))!.value;
    },
  };
}
