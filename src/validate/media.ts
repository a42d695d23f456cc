import { cleanInput } from '../text/normalize.ts';
import type { Validation } from './types.ts';

/** A received attachment as the channel reports it. */
export interface MediaInfo {
  mime: string;
  size: number;
  filename?: string;
}

export type MediaKind = 'image' | 'pdf';

export interface MediaOptions {
  /** Kinds of file accepted. */
  accept: MediaKind[];
  /** Largest accepted size in bytes. */
  maxBytes: number;
}

const KIND_MIMES: Record<MediaKind, readonly string[]> = {
  image: ['image/jpeg', 'image/png', 'image/webp', 'image/heic'],
  pdf: ['application/pdf'],
};
// Non-standard spellings some clients send, mapped to the canonical type.
const MIME_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/heif': 'image/heic',
  'application/x-pdf': 'application/pdf',
};
// Used only when the channel gives no real type (empty or application/octet-stream).
const EXTENSION_MIMES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heic',
  pdf: 'application/pdf',
};

/** Canonical lower-case MIME type, without parameters, guessed from the filename if generic. */
function canonicalMime(media: MediaInfo): string {
  const declared = (typeof media.mime === 'string' ? media.mime : '').split(';')[0]!.trim().toLowerCase();
  if (declared !== '' && declared !== 'application/octet-stream') return MIME_ALIASES[declared] ?? declared;
  const ext = typeof media.filename === 'string' ? /\.([a-z0-9]+)$/i.exec(media.filename.trim())?.[1] : undefined;
  return (ext && EXTENSION_MIMES[ext.toLowerCase()]) || declared;
}

/**
 * Validates an attachment: present, of an accepted kind (image = JPEG/PNG/WebP/HEIC,
 * pdf = application/pdf) and no larger than maxBytes. Returns the media with its canonical
 * MIME type. Display: the filename (or "PDF"/"image") and the size. Codes: media_required, media_type {accepted: "image,pdf"}, media_too_large {maxMb}.
 */
export function validateMedia(
  media: MediaInfo | undefined,
  opts: MediaOptions,
): Validation<MediaInfo> {
  if (!media || typeof media !== 'object') return { ok: false, code: 'media_required' };
  const size = media.size;
  if (typeof size !== 'number' || !Number.isFinite(size) || size <= 0) return { ok: false, code: 'media_required' };

  const mime = canonicalMime(media);
  const accepted = [...new Set(opts.accept)];
  if (!accepted.some((kind) => KIND_MIMES[kind]?.includes(mime))) {
    return { ok: false, code: 'media_type', params: { accepted: accepted.join(',') } };
  }
  if (size > opts.maxBytes) {
    const maxMb = Math.floor((opts.maxBytes / (1024 * 1024)) * 10) / 10;
    return { ok: false, code: 'media_too_large', params: { maxMb } };
  }
  const value: MediaInfo = { mime, size };
  if (typeof media.filename === 'string' && media.filename !== '') value.filename = media.filename;
  const kb = size < 1024 * 1024 ? `${Math.max(1, Math.round(size / 1024))} KB` : `${(size / (1024 * 1024)).toFixed(1)} MB`;
  const name = value.filename ? cleanInput(value.filename) : '';
  return { ok: true, value, display: `${name || (mime === 'application/pdf' ? 'PDF' : 'image')} (${kb})` };
}
