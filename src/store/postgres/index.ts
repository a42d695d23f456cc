/**
 * The PostgreSQL store: one node-postgres pool per process, the schema migrated at open under
 * an advisory lock (several roles start at once), the repositories in ./core*.ts and
 * ./console*.ts.
 */
import type { Store } from '../index.ts';
import { createPool, migratePostgres, PgDb, type PgOptions } from './db.ts';
import { pgCore } from './core.ts';
import { pgConsole } from './console.ts';
import { pgSettings } from './settings.ts';

export { migratePostgres } from './db.ts';

/**
 * Opens the store without waiting: the pool is created and the migration starts at once;
 * every repository call (and `ping`) waits for it and fails with its error if it failed.
 * `openPostgresStore` is the same but waits, so a bad URL or schema fails at open.
 */
export function openPostgresStoreLazy(url: string, opts: PgOptions = {}): Store {
  const pool = createPool(url, opts);
  const db = new PgDb(pool, migratePostgres(pool).then(() => undefined));
  return {
    kind: 'postgres',
    core: pgCore(db),
    console: pgConsole(db),
    settings: pgSettings(db),
    ping: async () => (await db.one<{ ok: number }>('SELECT 1 AS ok'))?.ok === 1,
    close: async () => {
      await db.ready.catch(() => {});
      await pool.end();
    },
  };
}

/** Opens the store, applying any pending migration first (under the advisory lock). */
export async function openPostgresStore(url: string, opts: PgOptions = {}): Promise<Store> {
  const store = openPostgresStoreLazy(url, opts);
  try {
    await store.ping();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

/** `tawasul db migrate` on PostgreSQL: applies what is pending and says how many it applied. */
export async function migratePostgresUrl(url: string): Promise<number> {
  const pool = createPool(url, { max: 1 });
  try {
    return await migratePostgres(pool);
  } finally {
    await pool.end();
  }
}
