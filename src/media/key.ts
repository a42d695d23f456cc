/**
 * Media keys: `<association>/<sha256><ext>`, the same for every driver (the local driver's
 * path under MEDIA_DIR, an S3 object's name under its prefix), so a deployment can copy its
 * files from one store to another and keep its rows. The key holds no personal data: the
 * file's name stays in the database, never in a path, URL or object header.
 */
import { createHash } from 'node:crypto';
import { extname, isAbsolute, relative, sep } from 'node:path';
import { MediaStoreError } from './errors.ts';

const ASSOCIATION = /^[A-Za-z0-9_-]{1,64}$/;
// The extension part takes whatever `mediaExtension` ever produced (`image/svg+xml` gave `.svgxml`).
const KEY = /^([A-Za-z0-9_-]{1,64})\/([0-9a-f]{64})(\.[a-z0-9]{0,64})$/;

/**
 * The extension a stored file gets: the sender's, when it is a short latin one (`.JPG` →
 * `.jpg`); otherwise one from the type (`.pdf`, `image/png` → `.png`), else `.bin`. Never the
 * name itself. Exactly what `ConversationService` has always used, so the same bytes land on
 * the same path as the files already on disk.
 */
export function mediaExtension(name: string, mime: string): string {
  const ext = extname(name).toLowerCase();
  if (/^\.[a-z0-9]{1,5}$/.test(ext)) return ext;
  return mime === 'application/pdf' ? '.pdf' : mime.startsWith('image/') ? `.${mime.slice(6).replace(/[^a-z0-9]/g, '')}` : '.bin';
}

/** The key of a file with these bytes (their SHA-256) for this association. */
export function mediaKey(associationId: string, sha256: string, ext: string): string {
  if (!ASSOCIATION.test(associationId)) throw new MediaStoreError('MEDIA_BAD_KEY', `not an association id a media key can hold: ${JSON.stringify(associationId.slice(0, 70))}`);
  const key = `${associationId}/${sha256}${ext}`;
  parseMediaKey(key);
  return key;
}

/** Splits a key into its parts; anything else (`..`, slashes, other names) is refused. */
export function parseMediaKey(key: string): { associationId: string; sha256: string; ext: string } {
  const m = KEY.exec(key);
  if (!m) throw new MediaStoreError('MEDIA_BAD_KEY', `not a media key (<association>/<sha256><ext>): ${JSON.stringify(key.slice(0, 140))}`);
  return { associationId: m[1]!, sha256: m[2]!, ext: m[3]! };
}

/** SHA-256 of the bytes, hex: the middle of every key. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The key a `media` row's `path` names: rows written before the store existed hold the file's
 * absolute path under MEDIA_DIR (`/data/media/qalam/<sha256>.jpg` → `qalam/<sha256>.jpg`);
 * newer ones hold the key itself. Throws `MEDIA_BAD_KEY` for anything else (a path outside MEDIA_DIR).
 */
export function mediaKeyOf(stored: string, mediaDir: string): string {
  const key = isAbsolute(stored) ? relative(mediaDir, stored).split(sep).join('/') : stored;
  parseMediaKey(key);
  return key;
}
