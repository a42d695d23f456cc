/**
 * node-postgres plumbing of the PostgreSQL store: the pool with deliberate type parsers, one
 * transaction per repository call (retried whole on a serialisation failure or deadlock),
 * named prepared statements, and the migrations applied under an advisory lock.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

export const PG_MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../db/postgres/migrations');

/** Every role that opens the store migrates; this lock lets exactly one do it at a time. */
const MIGRATION_LOCK = `SELECT pg_advisory_lock(hashtext('tawasul:migrations'))`;
const MIGRATION_UNLOCK = `SELECT pg_advisory_unlock(hashtext('tawasul:migrations'))`;

/** bigint (ids, count(*), sum of integers) as a JS number; one past 2^53 would be a bug, so it throws. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} does not fit a JS number`);
  return n;
}

const INT8 = 20;
const NUMERIC = 1700;

/**
 * Type parsers of this store's connections only (pg's global registry is left alone):
 * int8 → number (identities, counts), numeric → number (sums and averages of integers);
 * jsonb is parsed and text, boolean and int4 are as node-postgres gives them. Times are
 * `text` columns, so no timestamp parser is involved.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return parseInt8;
    if (oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgOptions {
  /** Pool size per process (default 10). */
  max?: number;
}

export function createPool(url: string, opts: PgOptions = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types, idleTimeoutMillis: 30_000 });
  // An idle connection that dies (the server restarted) emits here; unhandled it would crash the
  // process. The pool drops it and the next call connects anew.
  pool.on('error', () => {});
  return pool;
}

/** A statement of the hot path: prepared once per connection under its name. */
export interface Statement {
  name: string;
  text: string;
}

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/** The connection of one transaction, as the repositories see it. */
export interface Tx {
  /** Rows of a statement (named: prepared once per connection). */
  rows<T>(q: Statement | string, values?: unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T>(q: Statement | string, values?: unknown[]): Promise<T | undefined>;
  /** The number of rows written. */
  run(q: Statement | string, values?: unknown[]): Promise<number>;
}

function txOf(client: pg.PoolClient): Tx {
  const exec = async (q: Statement | string, values: unknown[] = []) =>
    typeof q === 'string' ? client.query(q, values) : client.query({ name: q.name, text: q.text, values });
  return {
    rows: async <T>(q: Statement | string, values?: unknown[]) => (await exec(q, values)).rows as T[],
    one: async <T>(q: Statement | string, values?: unknown[]) => (await exec(q, values)).rows[0] as T | undefined,
    run: async (q: Statement | string, values?: unknown[]) => (await exec(q, values)).rowCount ?? 0,
  };
}

/** serialization_failure, deadlock_detected: PostgreSQL rolled the transaction back; running it again is safe. */
const RETRYABLE = new Set(['40001', '40P01']);

export class PgDb {
  /** Settles when the schema is up to date; every call waits for it (see `openPostgresStore`). */
  readonly ready: Promise<void>;

  constructor(
    readonly pool: pg.Pool,
    ready: Promise<void>,
  ) {
    this.ready = ready;
    // A failed migration is reported by every call (and by `ping`), never as an unhandled rejection.
    ready.catch(() => {});
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED; check-then-act uses `FOR UPDATE` or one
   * conditional statement) and commits. Retried whole, up to 5 times, when PostgreSQL reports
   * a serialisation failure or a deadlock (it rolled back), or when the pooled connection turns
   * out dead at BEGIN (nothing ran). Never after a statement of `fn` may have run on a lost
   * connection: whether it committed is unknown, and the caller decides.
   */
  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    await this.ready;
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let begun = false;
      let broken: Error | undefined;
      // A checked-out client has no listener of pg-pool's: a server that goes away mid-transaction
      // would emit an unhandled 'error' and end the process. The query rejects as well; keep it.
      const onError = (e: Error) => (broken = e);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        begun = true;
        const out = await fn(txOf(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        // A connection that cannot roll back is dead (the server restarted): the pool drops it.
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        const code = (err as { code?: string }).code;
        const retry =
          attempt < 5 &&
          // PostgreSQL rolled it back: running it again is safe.
          ((code !== undefined && RETRYABLE.has(code)) ||
            // The pooled connection was already dead before anything ran: nothing happened.
            (!begun && broken !== undefined));
        if (!retry) throw err;
        await new Promise((r) => setTimeout(r, 2 ** attempt + Math.random() * 5));
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    }
  }

  /**
   * Several statements on one pooled connection, each on its own (autocommit, no BEGIN/COMMIT):
   * for a read and a conditional write that needs no lock between them (`runNext`'s lock-free
   * attempt). One checkout instead of one per statement.
   */
  async session<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    await this.ready;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (e: Error) => (broken = e);
    client.on('error', onError);
    try {
      return await fn(txOf(client));
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** One statement on its own (autocommit): for single-statement reads and atomic writes. */
  async rows<T>(q: Statement | string, values?: unknown[]): Promise<T[]> {
    await this.ready;
    const r = typeof q === 'string' ? await this.pool.query(q, values) : await this.pool.query({ name: q.name, text: q.text, values: values ?? [] });
    return r.rows as T[];
  }

  async one<T>(q: Statement | string, values?: unknown[]): Promise<T | undefined> {
    return (await this.rows<T>(q, values))[0];
  }

  async run(q: Statement | string, values?: unknown[]): Promise<number> {
    await this.ready;
    const r = typeof q === 'string' ? await this.pool.query(q, values) : await this.pool.query({ name: q.name, text: q.text, values: values ?? [] });
    return r.rowCount ?? 0;
  }
}

/**
 * Brings the schema up to date. Several roles start at once: the session-level advisory lock
 * makes them take turns, and each one after the first finds nothing left to apply.
 * Returns how many migrations this call applied.
 */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error) => (broken = e);
  client.on('error', onError);
  try {
    await client.query(MIGRATION_LOCK);
    try {
      const before = await appliedMigrations(client);
      await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS_DIR });
      return (await appliedMigrations(client)) - before;
    } finally {
      await client.query(MIGRATION_UNLOCK).catch((e: Error) => (broken = e));
    }
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

async function appliedMigrations(client: pg.PoolClient): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query<{ n: number }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
  return r.rows[0]?.n ?? 0;
}
