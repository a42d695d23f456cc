/** The SQLite store: one better-sqlite3 connection per process, WAL, migrations at open. */
import { openDb } from '../db.ts';
import type { Store } from '../index.ts';
import { sqliteCore } from './core.ts';
import { sqliteConsole } from './console.ts';
import { sqliteSettings } from './settings.ts';

export interface SqliteStoreOptions {
  /** PRAGMA wal_autocheckpoint of the store's connection (pages; 0 = never inside a commit). For benchmark experiments. */
  walAutocheckpoint?: number;
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const db = openDb(path);
  if (opts.walAutocheckpoint !== undefined) db.$client.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(opts.walAutocheckpoint))}`);
  return {
    kind: 'sqlite',
    core: sqliteCore(db),
    console: sqliteConsole(db),
    settings: sqliteSettings(db),
    ping: async () => db.$client.prepare('SELECT 1 AS ok').get() !== undefined,
    close: async () => {
      if (db.$client.open) db.$client.close();
    },
  };
}
