/** The SQLite store: one better-sqlite3 connection per process, WAL, migrations at open. */
import { openDb } from '../db.ts';
import type { Store } from '../index.ts';
import { sqliteCore } from './core.ts';
import { sqliteConsole } from './console.ts';
import { sqliteSettings } from './settings.ts';

export function openSqliteStore(path: string): Store {
  const db = openDb(path);
  return {
    kind: 'sqlite',
    core: sqliteCore(db),
    console: sqliteConsole(db),
    settings: sqliteSettings(db),
    ping: async () => db.$client.prepare('SELECT 1 AS ok').get() !== undefined,
    close: async () => {
      if (db.$client.open) db.$client.close();
    },
    sqlite: db,
  };
}
