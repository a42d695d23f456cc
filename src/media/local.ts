/**
 * The local media driver: files under one folder, `<dir>/<association>/<sha256><ext>`, the
 * layout `ConversationService` has always written, so existing deployments keep their files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MediaNotFoundError, MediaStoreError } from './errors.ts';
import type { MediaStore, StoredMedia } from './index.ts';
import { mediaExtension, mediaKey, parseMediaKey, sha256Hex } from './key.ts';

export class LocalMediaStore implements MediaStore {
  readonly kind = 'local' as const;

  constructor(readonly dir: string) {}

  /** Where the file of a key lives on this machine. */
  pathOf(key: string): string {
    const { associationId, sha256, ext } = parseMediaKey(key);
    return join(this.dir, associationId, `${sha256}${ext}`);
  }

  async put(associationId: string, bytes: Buffer, meta: { mime: string; filename?: string }): Promise<StoredMedia> {
    const sha256 = sha256Hex(bytes);
    const key = mediaKey(associationId, sha256, mediaExtension(meta.filename ?? '', meta.mime));
    const path = this.pathOf(key);
    const size = await stat(path).then((s) => s.size, () => -1);
    // A file of another length under this hash is a write cut short (an old crash): replaced.
    if (size !== bytes.length) {
      await mkdir(join(this.dir, associationId), { recursive: true });
      // Written aside and renamed, so a reader never sees half a file and a crash leaves none.
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, bytes, { mode: 0o600 });
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw new MediaStoreError('MEDIA_FAILED', `could not write ${key} under MEDIA_DIR (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
      }
    }
    return { key, sha256, size: bytes.length };
  }

  async get(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MediaNotFoundError(key, { cause: err });
      throw new MediaStoreError('MEDIA_FAILED', `could not read ${key} under MEDIA_DIR (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
    if (sha256Hex(bytes) !== parseMediaKey(key).sha256) throw new MediaStoreError('MEDIA_CORRUPT', `the file under ${key} no longer matches its hash`);
    return bytes;
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then((s) => s.isFile(), () => false);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async close(): Promise<void> {}
}
