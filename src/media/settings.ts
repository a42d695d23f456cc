/**
 * Which media store a deployment uses, from the environment (every setting is listed with a
 * comment in .env.example). `MEDIA_STORE=local` (the default) keeps files under MEDIA_DIR;
 * `MEDIA_STORE=s3` puts them in an S3-compatible bucket that several machines share.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

export interface LocalMediaConfig {
  kind: 'local';
  /** The folder holding `<association>/<sha256><ext>` files. */
  dir: string;
}

export interface S3MediaConfig {
  kind: 's3';
  bucket: string;
  region: string;
  /** An S3-compatible service (MinIO, Ceph, R2, …); unset, AWS's own endpoint for the region. */
  endpoint?: string;
  /** `https://host/bucket/key` rather than `https://bucket.host/key`; most S3-compatible services need it. */
  forcePathStyle: boolean;
  /** Unset: the SDK's usual chain (AWS_* variables, the instance's or pod's role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Put before every key (`tawasul/`), so one bucket can serve several deployments. */
  prefix: string;
  /** Asks the bucket to encrypt each object at rest: `AES256` (S3-managed keys) or `aws:kms`. */
  serverSideEncryption?: 'AES256' | 'aws:kms';
  /** With `aws:kms`: the KMS key; unset, the bucket's default AWS-managed key. */
  kmsKeyId?: string;
  /** Tries per request, the first included (SDK default 3); SlowDown, 5xx and dropped connections are retried with backoff. */
  maxAttempts: number;
  /** Give up on one request (the whole upload or download included) the store has not finished answering (ms). */
  requestTimeoutMs: number;
}

export type MediaStoreConfig = LocalMediaConfig | S3MediaConfig;

const Env = z.object({
  MEDIA_STORE: z.enum(['local', 's3']).default('local'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3–63 lower-case letters, digits, dots and hyphens').optional(),
  S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'a region such as eu-central-1 (S3-compatible services usually take us-east-1)').default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/, 'latin letters, digits, _ . - and / between parts, e.g. tawasul/').optional(),
  S3_SSE: z.enum(['AES256', 'aws:kms']).optional(),
  S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
  S3_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  S3_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
});

/**
 * Reads the media store settings; `mediaDir` is the resolved MEDIA_DIR (default
 * `$DATA_DIR/media`). A bad value throws `invalid configuration:` with the variable's name.
 */
export function mediaStoreSettings(env: NodeJS.ProcessEnv, mediaDir: string): MediaStoreConfig {
  const parsed = Env.safeParse(env);
  const fail = (lines: string[]): never => {
    throw new Error(`invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  };
  if (!parsed.success) return fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  if (e.MEDIA_STORE === 'local') return { kind: 'local', dir: resolve(mediaDir) };
  if (!e.S3_BUCKET) fail(['S3_BUCKET: required with MEDIA_STORE=s3 (the bucket that holds the files)']);
  if (!!e.S3_ACCESS_KEY_ID !== !!e.S3_SECRET_ACCESS_KEY) fail(['S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both, or neither to use the machine\'s role']);
  if (e.S3_SSE_KMS_KEY_ID && e.S3_SSE !== 'aws:kms') fail(['S3_SSE_KMS_KEY_ID: only with S3_SSE=aws:kms']);
  const prefix = e.S3_PREFIX ? e.S3_PREFIX.replace(/\/?$/, '/') : '';
  return {
    kind: 's3',
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION,
    ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
    // S3-compatible services mostly want path-style; AWS itself wants virtual-hosted.
    forcePathStyle: e.S3_FORCE_PATH_STYLE ? e.S3_FORCE_PATH_STYLE === 'true' : !!e.S3_ENDPOINT,
    ...(e.S3_ACCESS_KEY_ID ? { credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY! } } : {}),
    prefix,
    ...(e.S3_SSE ? { serverSideEncryption: e.S3_SSE } : {}),
    ...(e.S3_SSE_KMS_KEY_ID ? { kmsKeyId: e.S3_SSE_KMS_KEY_ID } : {}),
    maxAttempts: e.S3_MAX_ATTEMPTS,
    requestTimeoutMs: e.S3_TIMEOUT_MS,
  };
}
