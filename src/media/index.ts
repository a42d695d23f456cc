/**
 * The media store: where the files beneficiaries send (ID photos, PDFs) live. A small
 * interface with two drivers — a local folder (the default, one machine) and any
 * S3-compatible bucket (several machines share it) — chosen by `MEDIA_STORE`.
 *
 * Files are content-addressed: the key is `<association>/<sha256><ext>` for both drivers, so
 * storing the same bytes twice is one file, and a deployment can move its files from one
 * store to the other without touching its rows. Keys carry no personal data, and no file is
 * ever reachable by URL: the console reads it through `get` after its own access checks.
 */
import { LocalMediaStore } from './local.ts';
import type { MediaStoreConfig } from './settings.ts';

export { mediaExtension, mediaKey, mediaKeyOf, parseMediaKey, sha256Hex } from './key.ts';
export { copyMedia, type CopyReport } from './copy.ts';
export { LocalMediaStore } from './local.ts';
export { MediaNotFoundError, MediaStoreError, type MediaErrorCode } from './errors.ts';
export { mediaStoreSettings, type MediaStoreConfig, type LocalMediaConfig, type S3MediaConfig } from './settings.ts';

/** What `put` stored: the key to keep in the row, and the bytes' hash and length. */
export interface StoredMedia {
  key: string;
  sha256: string;
  size: number;
}

export interface MediaStore {
  readonly kind: 'local' | 's3';
  /**
   * Stores the bytes under their content key and returns it. Storing the same bytes again
   * (same association, same extension) writes nothing new and returns the same key. The file
   * name only picks the extension (`mediaExtension`); it is stored nowhere.
   */
  put(associationId: string, bytes: Buffer, meta: { mime: string; filename?: string }): Promise<StoredMedia>;
  /** The bytes under the key; `MediaNotFoundError` when there are none, `MEDIA_CORRUPT` when they no longer match their hash. */
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Removes the file; nothing happens when there is none. Callers check no other row still names the key. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store the settings name. The S3 client (AWS's SDK, some 20 MB) is loaded on the
 * first call that needs it, so a deployment on the local folder never loads it.
 */
export function openMediaStore(config: MediaStoreConfig): MediaStore {
  if (config.kind === 'local') return new LocalMediaStore(config.dir);
  let driver: Promise<MediaStore> | undefined;
  const s3 = () => (driver ??= import('./s3.ts').then(({ S3MediaStore }) => new S3MediaStore(config)));
  return {
    kind: 's3',
    put: async (associationId, bytes, meta) => (await s3()).put(associationId, bytes, meta),
    get: async (key) => (await s3()).get(key),
    exists: async (key) => (await s3()).exists(key),
    delete: async (key) => (await s3()).delete(key),
    close: async () => {
      if (driver) await (await driver).close();
    },
  };
}
