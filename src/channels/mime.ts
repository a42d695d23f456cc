/** The MIME type of a local file, from its extension (terminal attachments). */
import { extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
};

export function mimeFromPath(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The types a beneficiary's photo or document is checked as, by their first bytes. */
const SNIFFED = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/gif', 'application/pdf'];
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);

/** The type the bytes themselves show (JPEG, PNG, WebP, GIF, HEIC/HEIF, PDF), or undefined. */
export function sniffMime(data: Uint8Array): string | undefined {
  const at = (offset: number, text: string) => data.length >= offset + text.length && Buffer.from(data.subarray(offset, offset + text.length)).toString('latin1') === text;
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (at(0, '\x89PNG\r\n\x1a\n')) return 'image/png';
  if (at(0, 'GIF87a') || at(0, 'GIF89a')) return 'image/gif';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'image/webp';
  if (at(0, '%PDF-')) return 'application/pdf';
  if (at(4, 'ftyp') && data.length >= 12) {
    const brand = Buffer.from(data.subarray(8, 12)).toString('latin1');
    if (HEIC_BRANDS.has(brand)) return 'image/heic';
    if (HEIF_BRANDS.has(brand)) return 'image/heif';
  }
  return undefined;
}

/**
 * The type to store a received file as: what its bytes are, not what its name or the sender
 * claims. A file claimed as a photo or PDF whose bytes are neither (a text file renamed .jpg)
 * becomes application/octet-stream, so the form refuses it as the wrong kind of file. Other
 * claims are kept; an empty body (a file too large to fetch) keeps its claim too.
 */
export function trustedMime(data: Uint8Array, claimed: string): string {
  if (data.length === 0) return claimed;
  const sniffed = sniffMime(data);
  if (sniffed) return sniffed;
  const base = claimed.split(';')[0]!.trim().toLowerCase();
  return SNIFFED.includes(base) || base.startsWith('image/') ? 'application/octet-stream' : claimed;
}
