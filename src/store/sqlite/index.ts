/** The SQLite store: one better-sqlite3 connection per process, WAL, migrations at open. */
import { openDb } from '../db.ts';
import type { Store } from '../index.ts';
import { sqliteCore } from './core.ts';
import { sqliteConsole } from './console.ts';
import { sqliteSettings } from './settings.ts';
import { startCheckpointer, type Checkpointer } from './checkpoint.ts';

export interface SqliteStoreOptions {
  /**
   * PRAGMA wal_autocheckpoint of the store's connection (pages) instead of the checkpoint
   * thread, for benchmark experiments. By default the connection never checkpoints and a
   * thread does (checkpoint.ts).
   */
  walAutocheckpoint?: number;
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const db = openDb(path);
  let checkpointer: Checkpointer | undefined;
  if (opts.walAutocheckpoint !== undefined) db.$client.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(opts.walAutocheckpoint))}`);
  else if (path !== ':memory:') {
    // Checkpoints in a thread of their own, never inside a commit on the event loop (checkpoint.ts).
    db.$client.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(path, { onError: (message) => process.emitWarning(`SQLite checkpoint: ${message}`) });
  }
  return {
    kind: 'sqlite',
    core: sqliteCore(db),
    console: sqliteConsole(db),
    settings: sqliteSettings(db),
    ping: async () => db.$client.prepare('SELECT 1 AS ok').get() !== undefined,
    close: async () => {
      if (db.$client.open) db.$client.close();
      await checkpointer?.stop();
    },
  };
}
