/**
 * The console's session secret: SESSION_SECRET when set; else one kept in the database, so
 * several processes (machines) on one PostgreSQL sign cookies alike even when they start at
 * once; a SQLite deployment's DATA_DIR/session-secret file from before is kept (moved into
 * the database), and a fresh one gets a strong generated secret that survives restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { openStore } from '../../src/store/index.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { sessionSecret } from '../../src/runtime.ts';

let cluster: TestPostgres;
let dir: string;

beforeAll(async () => {
  cluster = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'tawasul-settings-'));
}, 60_000);
afterAll(async () => {
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('session secret', () => {
  it('is one secret for every process on one PostgreSQL, even when they start at once', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore(url)));
    try {
      // Each "machine" has its own empty DATA_DIR.
      const secrets = await Promise.all(stores.map((s, i) => sessionSecret({ sessionSecret: undefined, dataDir: join(dir, `pg-machine-${i}`) }, s)));
      expect(new Set(secrets).size).toBe(1);
      expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const rows = (await c.query(`SELECT key, value FROM settings`)).rows;
      await c.end();
      expect(rows).toEqual([{ key: 'session_secret', value: secrets[0] }]);
      // A process started later gets the same one.
      const later = await openPostgresStore(url);
      expect(await sessionSecret({ sessionSecret: undefined, dataDir: join(dir, 'pg-later') }, later)).toBe(secrets[0]);
      await later.close();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 60_000);

  it("keeps a SQLite deployment's existing DATA_DIR/session-secret, moved into the database", async () => {
    const dataDir = mkdtempSync(join(dir, 'old-'));
    const old = 'k'.repeat(20) + 'OldSecretFromTheFile_0123456789abcdef';
    writeFileSync(join(dataDir, 'session-secret'), `${old}\n`);
    const store = openStore(join(dataDir, 'tawasul.db'));
    try {
      expect(await sessionSecret({ sessionSecret: undefined, dataDir }, store)).toBe(old);
      // The test's own connection to the file (the store has no raw handle).
      const own = new Database(join(dataDir, 'tawasul.db'), { readonly: true });
      const row = own.prepare(`SELECT value FROM settings WHERE key = 'session_secret'`).get() as { value: string };
      own.close();
      expect(row.value).toBe(old);
      // The database now holds it: the file is no longer needed.
      rmSync(join(dataDir, 'session-secret'));
      expect(await sessionSecret({ sessionSecret: undefined, dataDir }, store)).toBe(old);
    } finally {
      await store.close();
    }
  });

  it('generates one for a new SQLite deployment and keeps it across restarts; SESSION_SECRET wins', async () => {
    const dataDir = mkdtempSync(join(dir, 'new-'));
    const path = join(dataDir, 'tawasul.db');
    const first = openStore(path);
    const secret = await sessionSecret({ sessionSecret: undefined, dataDir }, first);
    await first.close();
    expect(secret).toMatch(/^[\w-]{64}$/);
    const again = openStore(path);
    try {
      expect(await sessionSecret({ sessionSecret: undefined, dataDir }, again)).toBe(secret);
      expect(await sessionSecret({ sessionSecret: 'from-the-environment-0123456789abcdef', dataDir }, again)).toBe('from-the-environment-0123456789abcdef');
      const both = await Promise.all([again.settings.getOrCreate('other', () => 'a'), again.settings.getOrCreate('other', () => 'b')]);
      expect(both).toEqual(['a', 'a']);
    } finally {
      await again.close();
    }
  });
});
