/**
 * Moves a deployment's files from one media store to another (local folder → bucket, or
 * back): every key is read, checked against its hash, and written under the same key, so the
 * rows stay as they are. Safe to run again: keys already in the target are skipped.
 */
import { MediaNotFoundError, MediaStoreError } from './errors.ts';
import type { MediaStore } from './index.ts';
import { mediaExtension, parseMediaKey } from './key.ts';

export interface CopyReport {
  copied: number;
  /** Already in the target. */
  skipped: number;
  /** Named by a row but not in the source (an erasure that removed the file, a lost disk). */
  missing: string[];
}

/** Copies each file (its key and the type its row records) from `from` to `to`. */
export async function copyMedia(from: MediaStore, to: MediaStore, files: Iterable<{ key: string; mime: string }> | AsyncIterable<{ key: string; mime: string }>): Promise<CopyReport> {
  const report: CopyReport = { copied: 0, skipped: 0, missing: [] };
  for await (const { key, mime } of files) {
    const { associationId, ext } = parseMediaKey(key);
    // The key's own extension, given as a name, comes back unchanged; a long one (`.svgxml`) came from the type.
    const filename = mediaExtension(`file${ext}`, mime) === ext ? `file${ext}` : mediaExtension('', mime) === ext ? '' : undefined;
    if (filename === undefined) throw new MediaStoreError('MEDIA_BAD_KEY', `${key} cannot be stored again under the same key with type ${mime}`);
    if (await to.exists(key)) {
      report.skipped++;
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await from.get(key);
    } catch (err) {
      if (err instanceof MediaNotFoundError) {
        report.missing.push(key);
        continue;
      }
      throw err;
    }
    const put = await to.put(associationId, bytes, { mime, filename });
    if (put.key !== key) throw new MediaStoreError('MEDIA_CORRUPT', `${key} was stored as ${put.key}`);
    report.copied++;
  }
  return report;
}
