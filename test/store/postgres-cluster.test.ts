/** The test helper's private PostgreSQL cluster: starts with nothing running, stops (fast, or crash) and restarts with its data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';

let cluster: TestPostgres;

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.destroy();
});

async function query<T>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('TestPostgres', () => {
  it('runs a real server on its own port with a fresh database per call', async () => {
    const a = await cluster.createDatabase();
    const b = await cluster.createDatabase();
    expect(a).not.toBe(b);
    const [row] = await query<{ v: string; db: string }>(a, 'SELECT current_setting(\'server_version_num\') AS v, current_database() AS db');
    expect(Number(row!.v)).toBeGreaterThanOrEqual(120000);
    expect(a.endsWith(`/${row!.db}`)).toBe(true);
    await query(a, 'CREATE TABLE t (x int)');
    // The other database does not see the table.
    expect(await query(b, "SELECT 1 FROM pg_tables WHERE tablename = 't'")).toHaveLength(0);
  });

  it('keeps committed data across a fast stop and a crash (immediate stop)', async () => {
    const url = await cluster.createDatabase();
    await query(url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)');
    const before = cluster.port;

    await cluster.restart({ mode: 'fast' });
    expect(cluster.port).toBe(before);
    await query(url, 'INSERT INTO kept VALUES (2)');

    // A held connection sees the crash as an error, and the server recovers its WAL at the next start.
    const held = new pg.Client({ connectionString: url });
    await held.connect();
    const lost = new Promise<Error>((resolve) => held.once('error', resolve));
    await cluster.stop({ mode: 'immediate' });
    expect(cluster.isRunning).toBe(false);
    await expect(query(url, 'SELECT 1')).rejects.toThrow();
    expect(await lost).toBeInstanceOf(Error);

    await cluster.start();
    const rows = await query<{ x: number }>(url, 'SELECT x FROM kept ORDER BY x');
    expect(rows.map((r) => r.x)).toEqual([1, 2]);
  });
});
