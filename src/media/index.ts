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
import type { MediaStoreConfig } from './settings.ts';

export { mediaExtension, mediaKey, mediaKeyOf, parseMediaKey, sha256Hex } from './key.ts';
export { copyMedia } from './copy.ts';
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

/** Opens the store the settings name; the S3 client is only loaded for `kind: 's3'`. */
export async function openMediaStore(config: MediaStoreConfig): Promise<MediaStore> {
  if (config.kind === 'local') {
    const { LocalMediaStore } = await import('./local.ts');
    return new LocalMediaStore(config.dir);
  }
  const { S3MediaStore } = await import('./s3.ts');
  return new S3MediaStore(config);
}
