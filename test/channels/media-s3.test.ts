/**
 * MEDIA_STORE=s3 end to end: a photo a beneficiary sends on Telegram (the real telegraf
 * adapter against the fake Bot API, the real pipeline on redis-server, SQLite) is put in the
 * bucket (test/support/fake-s3.ts, which checks every request's signature) under its key, the
 * row records the key, and nothing is written under MEDIA_DIR.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.ts';
import { waitFor } from '../support/wait.ts';
import { channelRig, type Rig } from '../support/rig.ts';
import { loadConfig } from '../../src/config.ts';
import { openMediaStore, type MediaStore } from '../../src/media/index.ts';
import { TelegramAdapter } from '../../src/channels/telegram.ts';

const redis = new TestRedis();
let s3: FakeS3;
beforeAll(async () => {
  await redis.start();
  s3 = await startFakeS3();
}, 30_000);
afterAll(async () => {
  await s3?.close();
  await redis.stop();
});

let rig: Rig<TelegramAdapter> | undefined;
let tg: FakeTelegram | undefined;
let media: MediaStore | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await rig?.close();
  await tg?.stop();
  await media?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('MEDIA_STORE=s3', () => {
  it('a photo sent on Telegram lands in the bucket under its key, and nothing under MEDIA_DIR', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tawasul-media-s3-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      MEDIA_STORE: 's3',
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_PREFIX: 'tawasul',
    });
    expect(config.media.kind).toBe('s3');
    media = openMediaStore(config.media);
    tg = await new FakeTelegram().start();
    const token = tg.token;
    const apiRoot = tg.url;
    rig = await channelRig({
      redisUrl: redis.url,
      limits: { telegram: { perChatIntervalMs: 0 } },
      mediaDir: config.mediaDir,
      media,
      makeAdapter: () => new TelegramAdapter({ bots: [{ associationId: 'qalam', token }], apiRoot }),
    });
    expect(rig.service.media).toBe(media);

    const chat = 7001;
    tg.pushText(chat, '/start');
    await tg.waitFor(chat, 1);
    const photo = readFileSync(join(ROOT, 'test/fixtures/id-photo.jpg'));
    tg.pushPhoto(chat, photo);
    // Answered: the message was accepted (its file stored first) and handled.
    await tg.waitFor(chat, 2);

    const rows = await waitFor('the media row', () => {
      const r = rig!.sql<{ id: string; path: string; mime: string; size: number; sha256: string; filename: string | null }>('SELECT id, path, mime, size, sha256, filename FROM media');
      return r.length ? r : undefined;
    });
    expect(rows).toHaveLength(1);
    const sha = createHash('sha256').update(photo).digest('hex');
    // Telegram gives a photo no name: the type picks the extension.
    const key = `qalam/${sha}.jpeg`;
    expect(rows[0]).toEqual({ id: rows[0]!.id, path: key, mime: 'image/jpeg', size: photo.length, sha256: sha, filename: null });
    const [msg] = rig.sql<{ media_id: string }>("SELECT media_id FROM messages WHERE direction = 'in' AND media_id IS NOT NULL");
    expect(msg!.media_id).toBe(rows[0]!.id);

    // In the bucket under the prefix and the key, byte for byte, through a signed PUT.
    const object = s3.objects.get(`tawasul/${key}`);
    expect(object, `objects: ${[...s3.objects.keys()].join(', ')}`).toBeDefined();
    expect(object!.body.equals(photo)).toBe(true);
    expect(object!.contentType).toBe('image/jpeg');
    expect(s3.requests.filter((r) => r.method === 'PUT' && !r.error).map((r) => r.url.split('?')[0])).toEqual([`/${s3.bucket}/tawasul/${key}`]);
    // What the console will read it through.
    expect((await rig.service.media.get(key)).equals(photo)).toBe(true);

    // Nothing on this machine's disk.
    expect(existsSync(config.mediaDir)).toBe(false);
    expect(existsSync(join(rig.dir, 'media'))).toBe(false);
  });
});
