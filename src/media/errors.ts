/**
 * Errors of the media store, told apart by `code` (never by message). Messages name keys and
 * settings, never a file's name or content.
 */
export type MediaErrorCode =
  /** No file under that key (never stored, or deleted). */
  | 'MEDIA_NOT_FOUND'
  /** The key is not `<association>/<sha256><ext>`: caller misuse. */
  | 'MEDIA_BAD_KEY'
  /** The bytes under the key no longer hash to it. */
  | 'MEDIA_CORRUPT'
  /** The bucket refused the credentials or the request (403): a setting to fix, not to retry. */
  | 'MEDIA_ACCESS_DENIED'
  /** The settings point at something that is not there (no such bucket, wrong region). */
  | 'MEDIA_STORE_CONFIG'
  /** The store could not be reached or kept failing (network, 5xx) after the retries. */
  | 'MEDIA_UNAVAILABLE'
  /** Anything else the store answered. */
  | 'MEDIA_FAILED';

export class MediaStoreError extends Error {
  override name = 'MediaStoreError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth trying again later (the store was unreachable), as opposed to a setting or a key to fix. */
  get transient(): boolean {
    return this.code === 'MEDIA_UNAVAILABLE';
  }
}

export class MediaNotFoundError extends MediaStoreError {
  override name = 'MediaNotFoundError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super('MEDIA_NOT_FOUND', `no media file under ${key}`, options);
  }
}
