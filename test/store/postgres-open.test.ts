/** Opening the PostgreSQL store: migrations under the advisory lock, type parsers, `tawasul db migrate`, a server restart. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { createPool } from '../../src/store/postgres/db.ts';
import { openStore } from '../../src/store/index.ts';

const run = promisify(execFile);
/** The PostgreSQL migrations drizzle-kit generated (each applied once). */
const MIGRATIONS = (JSON.parse(readFileSync(join(import.meta.dirname, '../../db/postgres/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;
let cluster: TestPostgres;

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.destroy();
});

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

const TABLES = [
  'associations', 'beneficiaries', 'contacts', 'conversations', 'events', 'media', 'messages', 'offline_contacts', 'outbox',
  'reference_counters', 'requests', 'sessions', 'settings', 'staff_notes', 'survey_responses', 'user_associations', 'users',
];

describe('openPostgresStore', () => {
  it('three roles opening an empty database at once migrate it exactly once', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url), openPostgresStore(url)]);
    try {
      expect(await Promise.all(stores.map((s) => s.ping()))).toEqual([true, true, true]);
      expect(stores.every((s) => s.kind === 'postgres')).toBe(true);
      const applied = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
      expect(Number(applied[0]!.n)).toBe(MIGRATIONS);
      const tables = await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
      expect(tables.map((t) => t.tablename)).toEqual(TABLES);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('reads bigint identities and counts as numbers and jsonb as values', async () => {
    const url = await cluster.createDatabase();
    (await openPostgresStore(url)).close();
    const pool = createPool(url);
    try {
      const r = await pool.query(
        `INSERT INTO events (association_id, type, actor, payload, at) VALUES ('a', 't', 'system', $1, '2026-01-01T00:00:00.000Z') RETURNING id, payload, (SELECT count(*) FROM events) AS n, (SELECT sum(1::int)) AS s`,
        [JSON.stringify({ k: [1, 'x'] })],
      );
      const row = r.rows[0] as { id: unknown; payload: unknown; n: unknown; s: unknown };
      expect(row.id).toBe(1);
      expect(row.n).toBe(0);
      expect(row.s).toBe(1);
      expect(row.payload).toEqual({ k: [1, 'x'] });
      // The store's parsers are its own: pg's global registry still gives strings.
      const raw = await query<{ id: unknown }>(url, 'SELECT id FROM events');
      expect(raw[0]!.id).toBe('1');
      // The created_at default writes the same ISO text SQLite's strftime does.
      await pool.query(`INSERT INTO associations (id, name_ar, name_en, reference_prefix, flow_hash, updated_at) VALUES ('a', 'أ', 'A', 'A', 'h', 'x')`);
      const [a] = (await pool.query('SELECT created_at FROM associations')).rows as Array<{ created_at: string }>;
      expect(a!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(a!.created_at) - Date.now())).toBeLessThan(60_000);
    } finally {
      await pool.end();
    }
  });

  it('fails at open on a server that is not there; openStore fails at the first call instead', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/nothing';
    await expect(openPostgresStore(url)).rejects.toThrow();
    const lazy = openStore(url);
    expect(lazy.kind).toBe('postgres');
    await expect(lazy.ping()).rejects.toThrow();
    await lazy.close();
  });

  it('keeps working after the server restarts, and after a crash: the first transaction afterwards succeeds', async () => {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore(url);
    const add = (n: number) =>
      store.core.outbox.add({ associationId: 'a', job: { kind: 'verify', reference: `R-${n}` }, runAt: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', dedupeKey: null });
    try {
      await Promise.all([add(1), add(2), add(3)]);
      await cluster.restart({ mode: 'fast' });
      // The pool's connections died with the server; a transaction finding one dead at BEGIN runs again on a new one.
      await Promise.all([add(4), add(5), add(6)]);
      await cluster.restart({ mode: 'immediate' });
      await Promise.all([add(7), add(8), add(9)]);
      expect(await store.ping()).toBe(true);
      const rows = await store.core.outbox.undispatched('2026-01-02T00:00:00.000Z', 100);
      expect(rows.map((r) => (r.job as { reference: string }).reference).sort()).toEqual(['R-1', 'R-2', 'R-3', 'R-4', 'R-5', 'R-6', 'R-7', 'R-8', 'R-9']);
    } finally {
      await store.close();
    }
  });
});

describe('tawasul db migrate', () => {
  const cli = (env: Record<string, string>) => {
    const { DATABASE_URL: _, DB_PATH: __, ...rest } = process.env;
    return run(process.execPath, ['bin/tawasul.js', 'db', 'migrate'], { env: { ...rest, ...env }, encoding: 'utf8' });
  };

  it('migrates the PostgreSQL database DATABASE_URL names, once', async () => {
    const url = await cluster.createDatabase();
    const first = await cli({ DATABASE_URL: url });
    expect(first.stdout).toMatch(new RegExp(`PostgreSQL 127\\.0\\.0\\.1:\\d+/\\w+: applied ${MIGRATIONS} migrations?\\b`));
    const second = await cli({ DATABASE_URL: url });
    expect(second.stdout).toMatch(/already up to date/);
    const tables = await query(url, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
    expect(tables).toHaveLength(TABLES.length);
  });

  it('migrates the SQLite file DB_PATH names when DATABASE_URL is unset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tawasul-migrate-'));
    try {
      const out = await cli({ DB_PATH: join(dir, 'x.db') });
      expect(out.stdout).toContain(`SQLite ${join(dir, 'x.db')}: up to date`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
