/**
 * The console tests' own connection to a runtime's SQLite file (DATA_DIR/tawasul.db), for
 * assertions and for setting a scene: a second connection of the test's, never the store's
 * (the store has no raw handle; the same as test/support/store.ts for the pipeline tests).
 */
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { openDb } from '../../src/store/db.ts';

const open = new Map<string, BetterSqlite3.Database>();

/** One connection per data folder, opened on first use and kept until `closeOwnDb`. */
export function ownDb(dataDir: string): BetterSqlite3.Database {
  let db = open.get(dataDir);
  if (!db?.open) open.set(dataDir, (db = openDb(join(dataDir, 'tawasul.db')).$client));
  return db;
}

export function closeOwnDb(dataDir: string): void {
  const db = open.get(dataDir);
  if (db?.open) db.close();
  open.delete(dataDir);
}
