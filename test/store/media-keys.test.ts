/**
 * Media rows from before the media store hold the file's absolute path under MEDIA_DIR; at
 * startup they become keys (`<association>/<sha256><ext>`), once, in both stores — SQLite (a
 * temp file) and PostgreSQL (this file's own cluster), as in contract.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { FLOWS } from '../support/scenario.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { mediaKeyOf } from '../../src/media/index.ts';
import { uuidv7 } from '../../src/store/ids.ts';

let cluster: TestPostgres;
let dir: string;

beforeAll(async () => {
  cluster = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'tawasul-media-keys-'));
});
afterAll(async () => {
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
const KINDS: Array<{ kind: 'sqlite' | 'postgres'; open: () => Promise<Store> }> = [
  { kind: 'sqlite', open: async () => openStore(`sqlite:${join(dir, `s${++fileNo}.db`)}`) },
  { kind: 'postgres', open: async () => openPostgresStore(await cluster.createDatabase()) },
];

const MEDIA_DIR = '/srv/tawasul/data/media';
const hash = (c: string) => c.repeat(64);
const A = `qalam/${hash('a')}.pdf`;
const B = `qalam/${hash('b')}.jpg`;
const C = `qalam/${hash('c')}.png`;

for (const { kind, open } of KINDS) {
  describe(`media keys from old paths: ${kind}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.core.associations.sync([{ id: 'qalam', nameAr: 'قلم', nameEn: 'Qalam', referencePrefix: 'QLM', flowHash: 'h', updatedAt: '2026-03-01T08:00:00.000Z' }]);
    });
    afterEach(async () => {
      await store?.close();
    });

    const add = (path: string, mime = 'application/pdf') => store.core.media.add({ id: uuidv7(), associationId: 'qalam', sha256: hash('a'), mime, size: 10, filename: 'id.pdf', path });
    const paths = async () => (await store.core.media.files()).map((f) => f.path);

    it('rewrites absolute paths under MEDIA_DIR to keys, once; keys and paths elsewhere stay as they are', async () => {
      await add(`${MEDIA_DIR}/${A}`);
      await add(`${MEDIA_DIR}/${A}`); // the same file sent twice: two rows, one file
      await add(B, 'image/jpeg'); // written by the media store: already a key
      const outside = `/mnt/old-disk/media/${C}`;
      await add(outside, 'image/png');
      // A sibling folder that starts with the same letters is not under MEDIA_DIR.
      const sibling = `${MEDIA_DIR}2/${C}`;
      await add(sibling, 'image/png');

      expect(await store.core.media.keysFromPaths(`${MEDIA_DIR}/`)).toBe(2);
      expect((await paths()).sort()).toEqual([A, B, outside, sibling].sort());
      // Again (the next start, another process): nothing left to do.
      expect(await store.core.media.keysFromPaths(MEDIA_DIR)).toBe(0);
      expect((await paths()).sort()).toEqual([A, B, outside, sibling].sort());
      // Every row under MEDIA_DIR now reads as its key, the old way or the new.
      for (const p of [A, B]) expect(mediaKeyOf(p, MEDIA_DIR)).toBe(p);
    });

    it('lists each file once with its type, in path order', async () => {
      await add(C, 'image/png');
      await add(A);
      await add(A);
      await add(B, 'image/jpeg');
      expect(await store.core.media.files()).toEqual([
        { path: A, mime: 'application/pdf' },
        { path: B, mime: 'image/jpeg' },
        { path: C, mime: 'image/png' },
      ]);
    });

    it('several processes starting at once rewrite each row once between them', async () => {
      for (let i = 0; i < 20; i++) await add(`${MEDIA_DIR}/qalam/${i.toString(16).padStart(64, '0')}.pdf`);
      const counts = await Promise.all([1, 2, 3].map(() => store.core.media.keysFromPaths(MEDIA_DIR)));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
      expect((await paths()).every((p) => p.startsWith('qalam/'))).toBe(true);
    });

    it('a ConversationService rewrites them when it starts', async () => {
      await add(`${MEDIA_DIR}/${A}`);
      const service = new ConversationService({ store, flows: FLOWS, mediaDir: MEDIA_DIR });
      await service.ready();
      expect(await paths()).toEqual([A]);
    });
  });
}
