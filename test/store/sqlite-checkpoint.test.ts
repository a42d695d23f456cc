/**
 * The SQLite store never checkpoints inside a commit on the event loop: its connection has
 * wal_autocheckpoint = 0 and a worker thread copies the WAL into the database file. Seen from
 * outside: the WAL grows past the old 4,000-page threshold, and the database file takes it in
 * while the store's connection only writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { Store } from '../../src/store/index.ts';
import { waitFor } from '../support/wait.ts';

let dir: string | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const accept = (s: Store, k: number) =>
  s.core.conversations.accept({
    associationId: 'qalam',
    channel: 't',
    address: `a${k % 200}`,
    messageId: `m${k}`,
    text: 'السلام عليكم ورحمة الله وبركاته، أريد أن أقدم طلب مساعدة'.repeat(4),
    at: new Date().toISOString(),
    newId: () => `${k}-${Math.random().toString(36).slice(2)}`,
    newConversation: () => ({ mode: 'menu', lang: 'ar', state: {} }) as never,
  });

/** Writes 6,000 accepted messages; returns how much the database file (not its WAL) grew within `waitMs`. */
async function fileGrowth(opts: Parameters<typeof openSqliteStore>[1], waitMs: number): Promise<number> {
  dir = mkdtempSync(join(tmpdir(), 'tawasul-ckpt-'));
  const file = join(dir, 't.db');
  store = openSqliteStore(file, opts);
  const s = store;
  await s.core.associations.sync([{ id: 'qalam', nameAr: 'قلم', nameEn: 'Qalam', referencePrefix: 'QLM', flowHash: 'x', updatedAt: new Date().toISOString() }]);
  const before = statSync(file).size;
  for (let k = 0; k < 6000; k += 200) await Promise.all(Array.from({ length: 200 }, (_, i) => accept(s, k + i)));
  const grown = () => statSync(file).size - before;
  await waitFor('the database file to take the WAL in', () => grown() > 2 * 1024 * 1024, waitMs).catch(() => undefined);
  return grown();
}

describe('SQLite checkpoints', { timeout: 30_000 }, () => {
  it('happen in a thread of their own: the database file takes the WAL in while the store connection only writes', async () => {
    expect(await fileGrowth({}, 10_000)).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('without the thread (and with SQLite\'s automatic checkpoint off) the WAL is never copied in', async () => {
    expect(await fileGrowth({ walAutocheckpoint: 0 }, 2_500)).toBeLessThan(64 * 1024);
  });
});
