/** Settings on SQLite: one insert-if-missing and one read in a `BEGIN IMMEDIATE` transaction (the connection's writer). */
import type { Db } from '../db.ts';
import type { SettingsRepo } from '../settings.ts';
import { writer } from './core-sql.ts';

export function sqliteSettings(db: Db): SettingsRepo {
  const c = db.$client;
  const write = writer(c);
  const insert = c.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  const read = c.prepare('SELECT value FROM settings WHERE key = ?');
  return {
    getOrCreate: (key, make) =>
      write(() => {
        const found = read.get(key) as { value: string } | undefined;
        if (found) return found.value;
        insert.run(key, make());
        return (read.get(key) as { value: string }).value;
      }),
  };
}
