/**
 * The S3 media driver: files as objects `<prefix><association>/<sha256><ext>` in one bucket
 * of AWS S3 or any S3-compatible service (MinIO, Ceph, Cloudflare R2, Wasabi, …), so several
 * machines share them. AWS's own client signs (SigV4) and retries: SlowDown, 5xx and dropped
 * connections are tried again with backoff up to `maxAttempts`.
 *
 * Only the bytes and their type go to the bucket: no file name, no metadata that could name a
 * person. Objects are never public: nothing builds a URL to one.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { MediaNotFoundError, MediaStoreError } from './errors.ts';
import type { MediaStore, StoredMedia } from './index.ts';
import { mediaExtension, mediaKey, parseMediaKey, sha256Hex } from './key.ts';
import type { S3MediaConfig } from './settings.ts';

export class S3MediaStore implements MediaStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly config: S3MediaConfig) {
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      maxAttempts: config.maxAttempts,
      // The signed payload hash already lets the bucket check every upload; the newer CRC32
      // headers the SDK adds by default are refused by several S3-compatible services.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Without throwOnRequestTimeout the SDK only logs a warning and waits for ever on a store that stopped answering.
      requestHandler: { connectionTimeout: Math.min(5000, config.requestTimeoutMs), requestTimeout: config.requestTimeoutMs, throwOnRequestTimeout: true },
    });
  }

  /** The object name of a key in the bucket. */
  objectKey(key: string): string {
    parseMediaKey(key);
    return `${this.config.prefix}${key}`;
  }

  async put(associationId: string, bytes: Buffer, meta: { mime: string; filename?: string }): Promise<StoredMedia> {
    const sha256 = sha256Hex(bytes);
    const key = mediaKey(associationId, sha256, mediaExtension(meta.filename ?? '', meta.mime));
    // Same bytes, same key: putting them again overwrites the object with itself.
    await this.send(key, 'put', () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: this.objectKey(key),
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: meta.mime,
          ...(this.config.serverSideEncryption ? { ServerSideEncryption: this.config.serverSideEncryption } : {}),
          ...(this.config.kmsKeyId ? { SSEKMSKeyId: this.config.kmsKeyId } : {}),
        }),
      ),
    );
    return { key, sha256, size: bytes.length };
  }

  async get(key: string): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    const bytes = await this.send(key, 'get', async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: objectKey }));
      if (!out.Body) throw new MediaStoreError('MEDIA_FAILED', `the bucket answered ${key} without a body`);
      return Buffer.from(await out.Body.transformToByteArray());
    });
    if (sha256Hex(bytes) !== parseMediaKey(key).sha256) throw new MediaStoreError('MEDIA_CORRUPT', `the object under ${key} no longer matches its hash`);
    return bytes;
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.objectKey(key);
    try {
      await this.send(key, 'head', () => this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: objectKey })));
      return true;
    } catch (err) {
      if (err instanceof MediaNotFoundError) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    // S3 answers 204 whether or not the object was there.
    await this.send(key, 'delete', () => this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: objectKey })));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Runs one SDK call and turns what S3 answered into a coded `MediaStoreError`. */
  private async send<T>(key: string, op: 'put' | 'get' | 'head' | 'delete', call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof MediaStoreError) throw err;
      throw this.translate(err, key, op);
    }
  }

  private translate(err: unknown, key: string, op: string): MediaStoreError {
    const bucket = this.config.bucket;
    const where = this.config.endpoint ? `${this.config.endpoint} (bucket ${bucket})` : `bucket ${bucket}`;
    if (err instanceof S3ServiceException) {
      const status = err.$metadata.httpStatusCode ?? 0;
      const code = err.name;
      const tries = err.$metadata.attempts ?? 1;
      if (code === 'NoSuchBucket') return new MediaStoreError('MEDIA_STORE_CONFIG', `${where}: no such bucket; check S3_BUCKET and S3_ENDPOINT`, { cause: err });
      // HEAD answers carry no body, so a missing object there is a bare 404 ("NotFound").
      if (code === 'NoSuchKey' || code === 'NotFound' || (status === 404 && op === 'head')) return new MediaNotFoundError(key, { cause: err });
      if (code === 'InvalidAccessKeyId') return new MediaStoreError('MEDIA_ACCESS_DENIED', `${where} does not know the access key (InvalidAccessKeyId): check S3_ACCESS_KEY_ID`, { cause: err });
      if (code === 'SignatureDoesNotMatch') return new MediaStoreError('MEDIA_ACCESS_DENIED', `${where} refused the signature (SignatureDoesNotMatch): check S3_SECRET_ACCESS_KEY`, { cause: err });
      if (code === 'AuthorizationHeaderMalformed' || code === 'PermanentRedirect' || status === 301) return new MediaStoreError('MEDIA_STORE_CONFIG', `${where} refused the request (${code}): check S3_REGION and S3_ENDPOINT`, { cause: err });
      if (code === 'RequestTimeTooSkewed') return new MediaStoreError('MEDIA_ACCESS_DENIED', `${where}: this machine's clock is off by more than 15 minutes (RequestTimeTooSkewed)`, { cause: err });
      if (status === 403) {
        // Without s3:ListBucket, S3 answers 403 rather than 404 for a key that does not exist.
        return new MediaStoreError('MEDIA_ACCESS_DENIED', `${where} denied ${op} of ${key} (${code}): the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket`, { cause: err });
      }
      if (status >= 500 || code === 'SlowDown') return new MediaStoreError('MEDIA_UNAVAILABLE', `${where} kept failing ${op} of ${key} (${status} ${code}) after ${tries} tries`, { cause: err });
      return new MediaStoreError('MEDIA_FAILED', `${where} refused ${op} of ${key} (${status} ${code})`, { cause: err });
    }
    const e = err as { name?: string; code?: string; $metadata?: { attempts?: number } };
    const what = e.code ?? e.name ?? 'error';
    return new MediaStoreError('MEDIA_UNAVAILABLE', `${where} could not be reached for ${op} of ${key} (${what}) after ${e.$metadata?.attempts ?? 1} tries`, { cause: err });
  }
}
