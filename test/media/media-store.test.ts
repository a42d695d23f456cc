/**
 * The media store contract, run against both drivers: a local folder and an S3 bucket (the
 * fake in test/support/fake-s3.ts, which checks SigV4 and answers as S3 does). Then what only
 * one driver has: today's on-disk layout, and S3's credentials, retries and encryption header.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyMedia, MediaNotFoundError, MediaStoreError, mediaExtension, mediaKeyOf, mediaStoreSettings, openMediaStore, parseMediaKey, type MediaStore, type S3MediaConfig } from '../../src/media/index.ts';
import { LocalMediaStore } from '../../src/media/local.ts';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ARABIC_NAME = 'صورة الهوية الوطنية.JPG';

let fake: FakeS3;
const dirs: string[] = [];
const stores: MediaStore[] = [];

beforeAll(async () => {
  fake = await startFakeS3();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await fake.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'tawasul-media-'));
  dirs.push(d);
  return d;
}

function s3Config(over: Partial<S3MediaConfig> = {}): S3MediaConfig {
  return {
    kind: 's3',
    bucket: fake.bucket,
    region: fake.region,
    endpoint: fake.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    prefix: '',
    maxAttempts: 3,
    requestTimeoutMs: 5000,
    ...over,
  };
}

async function open(config: Parameters<typeof openMediaStore>[0]) {
  const store = openMediaStore(config);
  stores.push(store);
  return store;
}

const drivers: Array<{ name: string; open: () => Promise<MediaStore> }> = [
  { name: 'local', open: () => open({ kind: 'local', dir: tempDir() }) },
  { name: 's3', open: () => open(s3Config({ prefix: `run-${randomBytes(4).toString('hex')}/` })) },
];

describe.each(drivers)('media store contract: $name', ({ name, open: openDriver }) => {
  let store: MediaStore;
  beforeAll(async () => {
    store = await openDriver();
  });

  it('stores bytes under <association>/<sha256><ext> and gives the same bytes back; the Arabic file name is in no key', async () => {
    const bytes = randomBytes(70_000);
    const put = await store.put('qalam', bytes, { mime: 'image/jpeg', filename: ARABIC_NAME });
    expect(put).toEqual({ key: `qalam/${sha(bytes)}.jpg`, sha256: sha(bytes), size: bytes.length });
    expect(store.kind).toBe(name);
    expect(await store.exists(put.key)).toBe(true);
    expect((await store.get(put.key)).equals(bytes)).toBe(true);
  });

  it('picks the extension from the type when the name has no latin one', async () => {
    const pdf = Buffer.from('%PDF-1.7\n% بطاقة العائلة\n');
    expect((await store.put('qalam', pdf, { mime: 'application/pdf', filename: 'بطاقة العائلة' })).key).toBe(`qalam/${sha(pdf)}.pdf`);
    const png = randomBytes(100);
    expect((await store.put('qalam', png, { mime: 'image/png', filename: 'صورة.صورة' })).key).toBe(`qalam/${sha(png)}.png`);
    const other = randomBytes(10);
    expect((await store.put('qalam', other, { mime: 'application/octet-stream' })).key).toBe(`qalam/${sha(other)}.bin`);
  });

  it('is idempotent: the same bytes stored twice are one file with one key; another association gets its own', async () => {
    const bytes = randomBytes(5000);
    const a = await store.put('sidr', bytes, { mime: 'image/png', filename: 'a.png' });
    const b = await store.put('sidr', bytes, { mime: 'image/png', filename: 'b.png' });
    expect(b).toEqual(a);
    const other = await store.put('qalam', bytes, { mime: 'image/png', filename: 'a.png' });
    expect(other.key).toBe(`qalam/${sha(bytes)}.png`);
    await store.delete(a.key);
    expect(await store.exists(a.key)).toBe(false);
    // Deleting one association's file leaves the other's.
    expect((await store.get(other.key)).equals(bytes)).toBe(true);
  });

  it('deletes, and deleting again is fine', async () => {
    const bytes = randomBytes(1234);
    const { key } = await store.put('qalam', bytes, { mime: 'image/webp', filename: 'x.webp' });
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expect(store.get(key)).rejects.toBeInstanceOf(MediaNotFoundError);
    await store.delete(key);
  });

  it('a missing key is a MediaNotFoundError (code MEDIA_NOT_FOUND), and exists says false', async () => {
    const key = `qalam/${'0'.repeat(64)}.jpg`;
    const err = await store.get(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaNotFoundError);
    expect(err).toMatchObject({ code: 'MEDIA_NOT_FOUND', key });
    expect(await store.exists(key)).toBe(false);
  });

  it('refuses what is not a media key before touching the store', async () => {
    for (const key of ['../../etc/passwd', 'qalam/../../x', `qalam/${'a'.repeat(64)}`, `qalam/sub/${'a'.repeat(64)}.jpg`, `/qalam/${'a'.repeat(64)}.jpg`]) {
      await expect(store.get(key)).rejects.toMatchObject({ code: 'MEDIA_BAD_KEY' });
      await expect(store.delete(key)).rejects.toMatchObject({ code: 'MEDIA_BAD_KEY' });
    }
    await expect(store.put('../qalam', randomBytes(4), { mime: 'image/png' })).rejects.toMatchObject({ code: 'MEDIA_BAD_KEY' });
  });

  it('keeps an empty file and a 3 MB one intact', async () => {
    const empty = Buffer.alloc(0);
    const e = await store.put('qalam', empty, { mime: 'image/jpeg', filename: 'empty.jpg' });
    expect(e.size).toBe(0);
    expect((await store.get(e.key)).length).toBe(0);
    // Above 2 MB the SDK sends `Expect: 100-continue` first.
    const big = randomBytes(3 * 1024 * 1024);
    const b = await store.put('qalam', big, { mime: 'application/pdf', filename: 'ملف كبير.pdf' });
    expect((await store.get(b.key)).equals(big)).toBe(true);
  });
});

describe('local driver', () => {
  it('keeps the layout ConversationService has always written: files it wrote are read as they are', async () => {
    const dir = tempDir();
    const bytes = randomBytes(2048);
    // As storeMedia writes today: MEDIA_DIR/<association>/<sha256><ext>.
    mkdirSync(join(dir, 'qalam'), { recursive: true });
    const oldPath = join(dir, 'qalam', `${sha(bytes)}.jpg`);
    writeFileSync(oldPath, bytes);
    const store = new LocalMediaStore(dir);
    // The row holds that absolute path; the key is its part under MEDIA_DIR, and a key stays a key.
    const key = mediaKeyOf(oldPath, dir);
    expect(key).toBe(`qalam/${sha(bytes)}.jpg`);
    expect(mediaKeyOf(key, dir)).toBe(key);
    expect((await store.get(key)).equals(bytes)).toBe(true);
    const put = await store.put('qalam', bytes, { mime: 'image/jpeg', filename: ARABIC_NAME });
    expect(put.key).toBe(key);
    expect(store.pathOf(key)).toBe(oldPath);
    expect(readdirSync(join(dir, 'qalam'))).toEqual([`${sha(bytes)}.jpg`]);
    expect(() => mediaKeyOf('/etc/passwd', dir)).toThrow(MediaStoreError);
    expect(() => mediaKeyOf(join(dir, '..', 'qalam', `${sha(bytes)}.jpg`), dir)).toThrow(MediaStoreError);
  });

  it('replaces a file cut short by a crash, leaves no temporary file, and keeps files private to the user', async () => {
    const dir = tempDir();
    const store = new LocalMediaStore(dir);
    const bytes = randomBytes(4096);
    mkdirSync(join(dir, 'qalam'));
    writeFileSync(join(dir, 'qalam', `${sha(bytes)}.png`), bytes.subarray(0, 100));
    const { key } = await store.put('qalam', bytes, { mime: 'image/png' });
    expect((await store.get(key)).equals(bytes)).toBe(true);
    expect(readdirSync(join(dir, 'qalam'))).toEqual([`${sha(bytes)}.png`]);
    const fresh = await store.put('qalam', randomBytes(10), { mime: 'image/png' });
    expect(statSync(store.pathOf(fresh.key)).mode & 0o077).toBe(0);
  });

  it('notices bytes that no longer match their hash (MEDIA_CORRUPT)', async () => {
    const dir = tempDir();
    const store = new LocalMediaStore(dir);
    const bytes = randomBytes(64);
    const { key } = await store.put('qalam', bytes, { mime: 'image/png' });
    const tampered = Buffer.from(bytes);
    tampered[0] = tampered[0]! ^ 0xff;
    writeFileSync(store.pathOf(key), tampered);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'MEDIA_CORRUPT' });
  });

  it('the extension helper is today\'s safeExt', () => {
    expect(mediaExtension('صورة.JPEG', 'image/jpeg')).toBe('.jpeg');
    expect(mediaExtension('/tmp/upload/abc.heic', 'image/heic')).toBe('.heic');
    expect(mediaExtension('scan.tar.gz', 'application/gzip')).toBe('.gz');
    expect(mediaExtension('x.toolongext', 'image/svg+xml')).toBe('.svgxml');
    expect(mediaExtension('', 'application/pdf')).toBe('.pdf');
    expect(mediaExtension('', 'audio/ogg')).toBe('.bin');
    expect(parseMediaKey(`qalam/${'a'.repeat(64)}.svgxml`).ext).toBe('.svgxml');
  });
});

describe('s3 driver', () => {
  beforeEach(() => {
    fake.clearFaults();
    fake.requests.length = 0;
  });

  it('sends no file name, no personal data, only the key and the type; signs every request', async () => {
    const store = await open(s3Config());
    const bytes = randomBytes(300);
    const { key } = await store.put('qalam', bytes, { mime: 'image/jpeg', filename: ARABIC_NAME });
    await store.get(key);
    await store.exists(key);
    const seen = JSON.stringify(fake.requests);
    expect(seen).not.toContain('صورة');
    expect(seen).not.toContain(encodeURIComponent('صورة'));
    expect(seen).not.toContain('JPG');
    expect(fake.requests.map((r) => `${r.method} ${r.url.split('?')[0]} ${r.status}`)).toEqual([`PUT /${fake.bucket}/${key} 200`, `GET /${fake.bucket}/${key} 200`, `HEAD /${fake.bucket}/${key} 200`]);
    expect(fake.objects.get(key)?.contentType).toBe('image/jpeg');
    // No CRC32 headers, which several S3-compatible services refuse; the signed payload hash guards the upload.
    expect(fake.requests[0]!.headers['x-amz-checksum-crc32']).toBeUndefined();
    expect(fake.requests[0]!.headers['x-amz-content-sha256']).toBe(sha(bytes));
  });

  it('puts objects under S3_PREFIX', async () => {
    const store = await open(s3Config({ prefix: 'tawasul/prod/' }));
    const bytes = randomBytes(50);
    const { key } = await store.put('qalam', bytes, { mime: 'image/png' });
    expect(fake.objects.has(`tawasul/prod/${key}`)).toBe(true);
    expect((await store.get(key)).equals(bytes)).toBe(true);
  });

  it('a wrong access key is MEDIA_ACCESS_DENIED naming S3_ACCESS_KEY_ID, tried once, without the secret in the message', async () => {
    const store = await open(s3Config({ credentials: { accessKeyId: 'AKIAWRONGWRONGWRONG0', secretAccessKey: fake.secretAccessKey } }));
    const err = (await store.put('qalam', randomBytes(10), { mime: 'image/png' }).catch((e: unknown) => e)) as MediaStoreError;
    expect(err).toBeInstanceOf(MediaStoreError);
    expect(err.code).toBe('MEDIA_ACCESS_DENIED');
    expect(err.message).toContain('InvalidAccessKeyId');
    expect(err.message).toContain('S3_ACCESS_KEY_ID');
    expect(err.message).not.toContain(fake.secretAccessKey);
    expect(err.transient).toBe(false);
    expect(fake.requests.length).toBe(1);
    // A HEAD answers without a body, but a refusal still is not "missing".
    await expect(store.exists(`qalam/${'1'.repeat(64)}.png`)).rejects.toMatchObject({ code: 'MEDIA_ACCESS_DENIED' });
  });

  it('a wrong secret is SignatureDoesNotMatch → MEDIA_ACCESS_DENIED naming S3_SECRET_ACCESS_KEY', async () => {
    const store = await open(s3Config({ credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: 'not-the-secret' } }));
    const err = (await store.get(`qalam/${'2'.repeat(64)}.png`).catch((e: unknown) => e)) as MediaStoreError;
    expect(err.code).toBe('MEDIA_ACCESS_DENIED');
    expect(err.message).toContain('S3_SECRET_ACCESS_KEY');
    expect(fake.requests.map((r) => r.error)).toEqual(['SignatureDoesNotMatch']);
  });

  it('a wrong region or bucket is MEDIA_STORE_CONFIG', async () => {
    const wrongRegion = await open(s3Config({ region: 'eu-central-1' }));
    await expect(wrongRegion.get(`qalam/${'3'.repeat(64)}.png`)).rejects.toMatchObject({ code: 'MEDIA_STORE_CONFIG' });
    const wrongBucket = await open(s3Config({ bucket: 'no-such-bucket' }));
    const err = (await wrongBucket.get(`qalam/${'3'.repeat(64)}.png`).catch((e: unknown) => e)) as MediaStoreError;
    expect(err.code).toBe('MEDIA_STORE_CONFIG');
    expect(err.message).toContain('S3_BUCKET');
  });

  it('retries a 503 SlowDown, a 500 and a dropped connection, then succeeds', async () => {
    const store = await open(s3Config());
    const bytes = randomBytes(2000);
    fake.fail('slowdown');
    const { key } = await store.put('qalam', bytes, { mime: 'image/png' });
    expect(fake.requests.map((r) => r.error ?? r.status)).toEqual(['SlowDown', 200]);
    fake.requests.length = 0;
    fake.fail('internal');
    fake.fail('drop');
    expect((await store.get(key)).equals(bytes)).toBe(true);
    expect(fake.requests.map((r) => r.error ?? r.status)).toEqual(['InternalError', 'connection dropped', 200]);
  });

  it('gives up after S3_MAX_ATTEMPTS with MEDIA_UNAVAILABLE (transient)', async () => {
    const store = await open(s3Config({ maxAttempts: 2 }));
    fake.fail('slowdown', 5);
    const err = (await store.put('qalam', randomBytes(10), { mime: 'image/png' }).catch((e: unknown) => e)) as MediaStoreError;
    expect(err.code).toBe('MEDIA_UNAVAILABLE');
    expect(err.transient).toBe(true);
    expect(err.message).toContain('SlowDown');
    expect(fake.requests.length).toBe(2);
    fake.clearFaults();
  });

  it('a request the store never answers gives up after S3_TIMEOUT_MS with MEDIA_UNAVAILABLE', async () => {
    const store = await open(s3Config({ maxAttempts: 1, requestTimeoutMs: 300 }));
    fake.fail('hang');
    const started = Date.now();
    await expect(store.get(`qalam/${'8'.repeat(64)}.png`)).rejects.toMatchObject({ code: 'MEDIA_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(fake.requests.map((r) => r.error)).toEqual(['no answer']);
  });

  it('an endpoint nobody answers is MEDIA_UNAVAILABLE', async () => {
    const dead = await startFakeS3();
    const endpoint = dead.endpoint;
    await dead.close();
    const store = await open(s3Config({ endpoint, maxAttempts: 2 }));
    await expect(store.get(`qalam/${'5'.repeat(64)}.png`)).rejects.toMatchObject({ code: 'MEDIA_UNAVAILABLE' });
  });

  it('asks for server-side encryption only when S3_SSE is set', async () => {
    const plain = await open(s3Config());
    const a = await plain.put('qalam', randomBytes(20), { mime: 'image/png' });
    expect(fake.objects.get(a.key)?.serverSideEncryption).toBeUndefined();
    const kms = await open(s3Config({ serverSideEncryption: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/tawasul' }));
    const b = await kms.put('qalam', randomBytes(20), { mime: 'image/png' });
    expect(fake.objects.get(b.key)).toMatchObject({ serverSideEncryption: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/tawasul' });
    const aes = await open(s3Config({ serverSideEncryption: 'AES256' }));
    const c = await aes.put('qalam', randomBytes(20), { mime: 'image/png' });
    expect(fake.objects.get(c.key)?.serverSideEncryption).toBe('AES256');
    expect(fake.requests.at(-1)!.headers['x-amz-server-side-encryption']).toBe('AES256');
  });

  it('an object changed in the bucket is MEDIA_CORRUPT', async () => {
    const store = await open(s3Config());
    const { key } = await store.put('qalam', randomBytes(64), { mime: 'image/png' });
    fake.objects.get(key)!.body = randomBytes(64);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'MEDIA_CORRUPT' });
  });
});

describe('moving a deployment between stores', () => {
  it('copies every file under the same key, local folder → bucket and back, and can run again', async () => {
    const local = await open({ kind: 'local', dir: tempDir() });
    const bucket = await open(s3Config({ prefix: `copy-${randomBytes(4).toString('hex')}/` }));
    const files = [
      { bytes: randomBytes(900), mime: 'image/jpeg', filename: ARABIC_NAME },
      { bytes: randomBytes(500), mime: 'application/pdf', filename: 'بطاقة' },
      { bytes: randomBytes(300), mime: 'image/svg+xml', filename: 'شعار' },
    ];
    const rows = [];
    for (const f of files) rows.push({ key: (await local.put('qalam', f.bytes, f)).key, mime: f.mime });
    expect(rows[2]!.key).toMatch(/\.svgxml$/);
    const gone = { key: `qalam/${'7'.repeat(64)}.png`, mime: 'image/png' };
    expect(await copyMedia(local, bucket, [...rows, gone])).toEqual({ copied: 3, skipped: 0, missing: [gone.key] });
    for (const [i, row] of rows.entries()) expect((await bucket.get(row.key)).equals(files[i]!.bytes)).toBe(true);
    expect(await copyMedia(local, bucket, rows)).toEqual({ copied: 0, skipped: 3, missing: [] });
    const back = await open({ kind: 'local', dir: tempDir() });
    expect(await copyMedia(bucket, back, rows)).toMatchObject({ copied: 3 });
    expect((await back.get(rows[1]!.key)).equals(files[1]!.bytes)).toBe(true);
  });
});

describe('the fake S3 answers as S3 does', () => {
  it('refuses an unsigned request with 403 AccessDenied XML, and names a missing key NoSuchKey', async () => {
    const res = await fetch(`${fake.endpoint}/${fake.bucket}/qalam/x.png`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(res.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
    expect(await res.text()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
    const store = await open(s3Config());
    await store.get(`qalam/${'6'.repeat(64)}.png`).catch(() => undefined);
    const last = fake.requests.at(-1)!;
    expect(last).toMatchObject({ error: 'NoSuchKey', status: 404 });
  });
});

describe('settings', () => {
  it('defaults to the local folder at MEDIA_DIR', () => {
    expect(mediaStoreSettings({}, '/srv/tawasul/media')).toEqual({ kind: 'local', dir: '/srv/tawasul/media' });
  });

  it('reads the S3 settings, path-style by default only with an endpoint', () => {
    const env = { MEDIA_STORE: 's3', S3_BUCKET: 'tawasul-media', S3_ENDPOINT: 'http://minio.internal:9000', S3_ACCESS_KEY_ID: 'AK', S3_SECRET_ACCESS_KEY: 'SK', S3_PREFIX: 'prod', S3_SSE: 'AES256' };
    expect(mediaStoreSettings(env, '/m')).toEqual({
      kind: 's3',
      bucket: 'tawasul-media',
      region: 'us-east-1',
      endpoint: 'http://minio.internal:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      prefix: 'prod/',
      serverSideEncryption: 'AES256',
      maxAttempts: 3,
      requestTimeoutMs: 60_000,
    });
    const aws = mediaStoreSettings({ MEDIA_STORE: 's3', S3_BUCKET: 'tawasul-media', S3_REGION: 'me-central-1' }, '/m');
    expect(aws).toMatchObject({ forcePathStyle: false, region: 'me-central-1', prefix: '' });
    expect(aws).not.toHaveProperty('credentials');
    expect(mediaStoreSettings({ MEDIA_STORE: 's3', S3_BUCKET: 'b-1', S3_ENDPOINT: 'https://x.r2.cloudflarestorage.com', S3_FORCE_PATH_STYLE: 'false' }, '/m')).toMatchObject({ forcePathStyle: false });
  });

  it('names the variable that is wrong or missing', () => {
    expect(() => mediaStoreSettings({ MEDIA_STORE: 's3' }, '/m')).toThrow(/S3_BUCKET: required with MEDIA_STORE=s3/);
    expect(() => mediaStoreSettings({ MEDIA_STORE: 's3', S3_BUCKET: 'b-1', S3_ACCESS_KEY_ID: 'AK' }, '/m')).toThrow(/set both/);
    expect(() => mediaStoreSettings({ MEDIA_STORE: 'S3' }, '/m')).toThrow(/MEDIA_STORE/);
    expect(() => mediaStoreSettings({ MEDIA_STORE: 's3', S3_BUCKET: 'Bad_Bucket' }, '/m')).toThrow(/S3_BUCKET/);
    expect(() => mediaStoreSettings({ MEDIA_STORE: 's3', S3_BUCKET: 'b-1', S3_SSE_KMS_KEY_ID: 'k' }, '/m')).toThrow(/S3_SSE_KMS_KEY_ID/);
  });
});
