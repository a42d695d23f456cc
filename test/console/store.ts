/** The console repositories over a test harness's SQLite file (its own store once the harness has one). */
import type { ConsoleStore } from '../../src/store/console.ts';
import type { Db } from '../../src/store/db.ts';
import { sqliteConsole } from '../../src/store/sqlite/console.ts';

const made = new WeakMap<object, ConsoleStore>();

export function consoleOf(h: { db: Db; store?: { console: ConsoleStore } }): ConsoleStore {
  if (h.store) return h.store.console;
  let store = made.get(h.db);
  if (!store) made.set(h.db, (store = sqliteConsole(h.db)));
  return store;
}
