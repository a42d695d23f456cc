import { describe, it, expect } from 'vitest';
import { validateMedia, type MediaOptions } from '../../src/validate/media.ts';

const MB = 1024 * 1024;
const both: MediaOptions = { accept: ['image', 'pdf'], maxBytes: 5 * MB };

describe('validateMedia accepts', () => {
  it.each([
    [{ mime: 'image/jpeg', size: 200_000 }, both, 'image/jpeg'],
    [{ mime: 'image/png', size: 1 }, both, 'image/png'],
    [{ mime: 'image/webp', size: 5 * MB }, both, 'image/webp'], // exactly the limit
    [{ mime: 'image/heic', size: 3 * MB }, both, 'image/heic'],
    [{ mime: 'application/pdf', size: 100_000, filename: 'iqama.pdf' }, both, 'application/pdf'],
    [{ mime: 'IMAGE/JPEG', size: 10 }, both, 'image/jpeg'],
    [{ mime: 'image/jpg', size: 10 }, both, 'image/jpeg'],
    [{ mime: 'application/pdf; name=x.pdf', size: 10 }, both, 'application/pdf'],
    [{ mime: 'application/octet-stream', size: 10, filename: 'scan.PDF' }, both, 'application/pdf'],
    [{ mime: '', size: 10, filename: 'photo.jpg' }, both, 'image/jpeg'],
    [{ mime: 'application/pdf', size: 10 }, { accept: ['pdf'], maxBytes: MB }, 'application/pdf'],
    [{ mime: 'image/png', size: 10 }, { accept: ['image'], maxBytes: MB }, 'image/png'],
  ] as const)('%j → %s', (media, opts, mime) => {
    expect(validateMedia({ ...media }, { ...opts, accept: [...opts.accept] })).toMatchObject({ ok: true, value: { mime } });
  });

  it('keeps the filename and shows it with the size', () => {
    expect(validateMedia({ mime: 'application/pdf', size: 2 * MB, filename: 'report.pdf' }, both)).toEqual({
      ok: true,
      value: { mime: 'application/pdf', size: 2 * MB, filename: 'report.pdf' },
      display: 'report.pdf (2.0 MB)',
    });
    expect(validateMedia({ mime: 'image/png', size: 2048 }, both)).toMatchObject({ display: 'image (2 KB)' });
  });
});

describe('validateMedia rejects', () => {
  it.each([
    [undefined, both, 'media_required', undefined],
    [{ mime: 'image/png', size: 0 }, both, 'media_required', undefined],
    [{ mime: 'image/png', size: Number.NaN }, both, 'media_required', undefined],
    [{ mime: 'image/png', size: -1 }, both, 'media_required', undefined],
    [{ mime: 'image/gif', size: 10 }, both, 'media_type', { accepted: 'image,pdf' }],
    [{ mime: 'video/mp4', size: 10 }, both, 'media_type', { accepted: 'image,pdf' }],
    [{ mime: 'application/msword', size: 10, filename: 'cv.pdf' }, both, 'media_type', { accepted: 'image,pdf' }],
    [{ mime: 'application/octet-stream', size: 10, filename: 'run.exe' }, both, 'media_type', { accepted: 'image,pdf' }],
    [{ mime: 'application/pdf', size: 10 }, { accept: ['image'], maxBytes: MB }, 'media_type', { accepted: 'image' }],
    [{ mime: 'image/jpeg', size: 10 }, { accept: ['pdf'], maxBytes: MB }, 'media_type', { accepted: 'pdf' }],
    [{ mime: 'image/jpeg', size: 5 * MB + 1 }, both, 'media_too_large', { maxMb: 5 }],
    [{ mime: 'application/pdf', size: 2 * MB }, { accept: ['pdf'], maxBytes: 1.5 * MB }, 'media_too_large', { maxMb: 1.5 }],
    [{ mime: 'application/pdf', size: MB }, { accept: ['pdf'], maxBytes: 500_000 }, 'media_too_large', { maxMb: 0.4 }],
  ] as const)('%j → %s', (media, opts, code, params) => {
    const r = validateMedia(media ? { ...media } : undefined, { ...opts, accept: [...opts.accept] });
    expect(r).toMatchObject({ ok: false, code });
    if (params) expect(r).toEqual({ ok: false, code, params });
  });
});
