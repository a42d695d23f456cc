/**
 * `tawasul media copy`, run as an operator runs it (bin/tawasul.js, the environment as every
 * role reads it): a SQLite deployment's files, old rows with absolute paths included, go to
 * an S3 bucket (test/support/fake-s3.ts) under their keys, again safely, and back.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/scenario.ts';
import { startFakeS3, type FakeS3 } from './support/fake-s3.ts';
import { openStore } from '../src/store/index.ts';
import { openDb, type Db } from '../src/store/db.ts';
import { LocalMediaStore } from '../src/media/index.ts';
import { uuidv7 } from '../src/store/ids.ts';

let s3: FakeS3;
let dir: string;
beforeAll(async () => {
  s3 = await startFakeS3();
  dir = mkdtempSync(join(tmpdir(), 'tawasul-cli-media-'));
});
afterAll(async () => {
  await s3?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function tawasul(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only what the command should read: none of this machine's MEDIA_STORE, DATABASE_URL, ….
    const child = spawn(process.execPath, [join(ROOT, 'bin/tawasul.js'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: dir, NODE_NO_WARNINGS: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('tawasul media copy', () => {
  it('copies every file the rows name to the bucket under its key (old absolute paths too), again safely, and back to a folder', async () => {
    const dataDir = join(dir, 'data');
    const mediaDir = join(dataDir, 'media');
    const env = {
      DATA_DIR: dataDir,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_PREFIX: 'prod/',
    };
    const store = openStore(join(dataDir, 'tawasul.db'));
    await store.core.associations.sync([{ id: 'qalam', nameAr: 'قلم', nameEn: 'Qalam', referencePrefix: 'QLM', flowHash: 'h', updatedAt: '2026-03-01T08:00:00.000Z' }]);
    const local = new LocalMediaStore(mediaDir);
    const pdf = readFileSync(join(ROOT, 'test/fixtures/id-card.pdf'));
    const jpg = readFileSync(join(ROOT, 'test/fixtures/id-photo.jpg'));
    const a = await local.put('qalam', pdf, { mime: 'application/pdf', filename: 'id.pdf' });
    const b = await local.put('qalam', jpg, { mime: 'image/jpeg' });
    const row = (path: string, mime: string, sha256: string, size: number) => store.core.media.add({ id: uuidv7(), associationId: 'qalam', sha256, mime, size, filename: null, path });
    // Written before the media store: the absolute path.
    await row(join(mediaDir, a.key), 'application/pdf', a.sha256, a.size);
    await row(b.key, 'image/jpeg', b.sha256, b.size);
    // A row whose file the disk lost.
    const lost = `qalam/${'0'.repeat(64)}.pdf`;
    await row(lost, 'application/pdf', '0'.repeat(64), 3);
    await store.close();

    const first = await tawasul(['media', 'copy', '--to', 's3'], env);
    expect(first.stdout).toContain('2 copied, 0 already there');
    expect(first.stderr).toContain(lost);
    expect(first.status).toBe(1);
    expect(s3.objects.get(`prod/${a.key}`)?.body.equals(pdf)).toBe(true);
    expect(s3.objects.get(`prod/${b.key}`)?.body.equals(jpg)).toBe(true);
    expect(s3.objects.get(`prod/${b.key}`)?.contentType).toBe('image/jpeg');
    expect(s3.objects.size).toBe(2);

    const db: Db = openDb(join(dataDir, 'tawasul.db'));
    try {
      // The old row now holds its key.
      expect((db.$client.prepare('SELECT path FROM media ORDER BY path').all() as Array<{ path: string }>).map((r) => r.path)).toEqual([a.key, b.key, lost].sort());
      db.$client.prepare('DELETE FROM media WHERE path = ?').run(lost);
    } finally {
      db.$client.close();
    }

    const again = await tawasul(['media', 'copy', '--to', 's3'], env);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('0 copied, 2 already there');
    expect(again.status).toBe(0);
    expect(s3.requests.filter((r) => r.method === 'PUT').length).toBe(2);

    // And back, into another machine's empty folder.
    const other = join(dir, 'other-media');
    const back = await tawasul(['media', 'copy', '--to', 'local'], { ...env, MEDIA_DIR: other });
    expect(back.stderr).toBe('');
    expect(back.stdout).toContain('2 copied, 0 already there');
    expect(back.status).toBe(0);
    expect(readFileSync(join(other, a.key)).equals(pdf)).toBe(true);
    expect(readFileSync(join(other, b.key)).equals(jpg)).toBe(true);
  }, 180_000);

  it('refuses a bucket it has no settings for, naming the setting', async () => {
    const r = await tawasul(['media', 'copy', '--to', 's3'], { DATA_DIR: join(dir, 'empty') });
    expect(r.stderr).toContain('S3_BUCKET');
    expect(r.status).toBe(2);
  }, 60_000);
});
