/** A received file is typed by its first bytes, not by its name or the sender's claim. */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/scenario.ts';
import { sniffMime, trustedMime } from '../../src/channels/mime.ts';

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('file types by their bytes', () => {
  it.each([
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')],
    ['image/png', bytes('\x89PNG\r\n\x1a\n', [0, 0, 0, 13])],
    ['image/gif', bytes('GIF89a', [1, 0])],
    ['image/webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['image/heic', bytes([0, 0, 0, 24], 'ftypheic', [0, 0, 0, 0])],
    ['image/heif', bytes([0, 0, 0, 24], 'ftypmif1', [0, 0, 0, 0])],
    ['application/pdf', bytes('%PDF-1.7\n')],
  ])('%s', (mime, data) => {
    expect(sniffMime(data)).toBe(mime);
    expect(trustedMime(data, 'application/octet-stream')).toBe(mime);
  });

  it('a text file claimed as a photo or a PDF is not one; other claims and empty bodies are kept', () => {
    const text = Buffer.from('hello, I am a text file\n');
    expect(trustedMime(text, 'image/jpeg')).toBe('application/octet-stream');
    expect(trustedMime(text, 'application/pdf')).toBe('application/octet-stream');
    expect(trustedMime(text, 'image/svg+xml')).toBe('application/octet-stream');
    expect(trustedMime(text, 'text/plain')).toBe('text/plain');
    expect(trustedMime(Buffer.alloc(0), 'image/jpeg')).toBe('image/jpeg');
    expect(trustedMime(bytes('%PDF-1.4'), 'image/jpeg')).toBe('application/pdf');
  });

  it('the test fixtures are what their names say', () => {
    const dir = join(ROOT, 'test/fixtures');
    for (const name of readdirSync(dir).filter((n) => /\.(pdf|jpe?g|png)$/i.test(n))) {
      const want = name.endsWith('.pdf') ? 'application/pdf' : name.endsWith('.png') ? 'image/png' : 'image/jpeg';
      expect([name, sniffMime(readFileSync(join(dir, name)))]).toEqual([name, want]);
    }
  });
});
