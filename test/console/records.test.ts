/**
 * Beneficiary records over a real SQLite file: one person across channels, offline contacts,
 * notes, search, and the PDPL rights — an export of everything held and an erasure that
 * leaves none of the person's data in any table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MediaNotFoundError, MediaStoreError, mediaKeyOf, openMediaStore } from '../../src/media/index.ts';
import { freePort } from '../support/redis.ts';
import { Harness } from '../support/scenario.ts';
import { beneficiary } from '../support/beneficiary.ts';
import { Records } from '../../src/console/records.ts';
import type { User } from '../../src/console/accounts.ts';
import { ConflictError } from '../../src/console/inbox.ts';
import { consoleOf } from './store.ts';

let h: Harness;
afterEach(() => h?.close());

const staff: User = { id: 'u-staff', email: 's@qalam.org', name: 'نورة', role: 'staff', associations: ['qalam'] };
const supervisor: User = { id: 'u-sup', email: 'r@qalam.org', name: 'ريم', role: 'supervisor', associations: ['qalam'] };
const otherAssociation: User = { id: 'u-sidr', email: 'h@sidr.org', name: 'هدى', role: 'supervisor', associations: ['sidr'] };

async function setup() {
  h = new Harness();
  for (const u of [staff, supervisor, otherAssociation]) {
    h.db.$client.prepare("INSERT INTO users (id, email, name, role, password_hash) VALUES (?, ?, ?, ?, 'x')").run(u.id, u.email, u.name, u.role);
  }
  // One person: a full intake on the website chat, then the same national ID on WhatsApp.
  const web = beneficiary(h, 'web', 'web:Browser_abcdefghijklmnop');
  await web.fillIntake();
  await web.send('1');
  const reference = (h.db.$client.prepare('SELECT reference FROM requests').get() as { reference: string }).reference;
  expect(reference).toMatch(/-\d{5}$/);
  const wa = beneficiary(h, 'whatsapp', '+966501234567');
  await wa.fillIntake();
  const id = (h.db.$client.prepare('SELECT beneficiary_id AS id FROM requests WHERE reference = ?').get(reference) as { id: string }).id;
  return { records: new Records(consoleOf(h), h.service), id, reference };
}

/** Every value in every table, as text: where a piece of personal data could hide. */
function everything(): string {
  const tables = h.db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'").all() as Array<{ name: string }>;
  return tables.map((t) => JSON.stringify(h.db.$client.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
}

describe('beneficiary records', () => {
  it('shows one person with every channel identity, request and conversation; other associations see nothing', async () => {
    const { records, id, reference } = await setup();
    const r = (await records.get(staff, id))!;
    expect(r.beneficiary.nationalId).toBe('1012345672');
    expect(r.contacts.map((c) => c.channel).sort()).toEqual(['web', 'whatsapp']);
    expect(r.conversations).toHaveLength(2);
    expect(r.requests.map((q) => q.reference)).toContain(reference);
    expect(await records.get(otherAssociation, id)).toBeUndefined();
    await expect(records.logOffline(otherAssociation, id, { kind: 'interview', direction: 'in', summary: 'x' })).rejects.toThrow(ConflictError);
  });

  it('logs offline contacts (interview, call, letter, branch visit) and notes, refusing malformed ones with a reason', async () => {
    const { records, id } = await setup();
    await records.logOffline(staff, id, { kind: 'phone_call', direction: 'out', summary: 'اتصلت لتأكيد موعد المقابلة', occurredAt: '2026-11-20T10:00' });
    await records.logOffline(staff, id, { kind: 'branch_visit', direction: 'in', summary: 'زار فرع الرياض وسلّم صورة الهوية' });
    await expect(records.logOffline(staff, id, { kind: 'fax', direction: 'in', summary: 'x' })).rejects.toThrow(/kind must be one of interview, phone_call, letter, branch_visit/);
    await expect(records.logOffline(staff, id, { kind: 'letter', direction: 'in', summary: '   ' })).rejects.toThrow(/write what was said/);
    await expect(records.logOffline(staff, id, { kind: 'letter', direction: 'in', summary: 'x', occurredAt: 'yesterday-ish' })).rejects.toThrow(/date is not valid/);
    await records.addNote(staff, { beneficiaryId: id }, 'يفضّل التواصل بعد العصر');
    const r = (await records.get(staff, id))!;
    expect(r.offline.map((o) => o.kind)).toEqual(['branch_visit', 'phone_call']); // newest first
    expect(r.offline[0]!.author).toBe('نورة');
    expect(r.notes.map((n) => n.body)).toEqual(['يفضّل التواصل بعد العصر']);
  });

  it('finds people by national ID (any writing), phone, reference or name — only in the user\'s associations', async () => {
    const { records, id, reference } = await setup();
    expect((await records.search(staff, '١٠١٢٣٤٥٦٧٢')).map((b) => b.id)).toEqual([id]);
    expect((await records.search(staff, '0501234567')).map((b) => b.id)).toEqual([id]);
    expect((await records.search(staff, reference.toLowerCase())).map((b) => b.id)).toEqual([id]);
    expect((await records.search(staff, 'عبدالله')).map((b) => b.id)).toEqual([id]);
    expect(await records.search(staff, '%')).toEqual([]);
    expect(await records.search(otherAssociation, '1012345672')).toEqual([]);
  });

  it('creates a record for a walk-in, validating the ID and phone, without duplicating a known person', async () => {
    const { records, id } = await setup();
    await expect(records.create(staff, 'qalam', { name: 'سعاد', nationalId: '1234567890' })).rejects.toThrow(/invalid national ID/);
    await expect(records.create(staff, 'qalam', { name: 'سعاد', phone: '12' })).rejects.toThrow(/invalid phone/);
    expect(await records.create(staff, 'qalam', { nationalId: '1012345672' })).toEqual({ id, existed: true });
    const walkIn = await records.create(staff, 'qalam', { name: 'سعاد محمد', phone: '0551234567' });
    expect(walkIn.existed).toBe(false);
    expect((await records.get(staff, walkIn.id))!.beneficiary.phone).toBe('+966551234567');
    await expect(records.create(staff, 'sidr', { name: 'x' })).rejects.toThrow(/not found/);
  });

  it('exports everything held (messages, request data, files, offline contacts, notes, who looked) and audits it', async () => {
    const { records, id, reference } = await setup();
    await records.logOffline(staff, id, { kind: 'letter', direction: 'in', summary: 'خطاب من المدرسة' });
    const data = (await records.export(staff, id)) as { conversations: Array<{ messages: Array<{ body: string }> }>; requests: Array<{ reference: string; data: Record<string, { display: string }> }>; files: Array<{ contentBase64: string | null; mime: string }>; offlineContacts: unknown[] };
    expect(data.conversations.flatMap((c) => c.messages.map((m) => m.body))).toContain('محمد عبدالله الأحمد');
    const req = data.requests.find((r) => r.reference === reference)!;
    expect(Object.values(req.data).map((v) => v.display)).toContain('1012345672');
    expect(data.files.length).toBeGreaterThan(0);
    expect(Buffer.from(data.files[0]!.contentBase64!, 'base64').subarray(0, 4).toString()).toBe('%PDF');
    expect(data.offlineContacts).toHaveLength(1);
    expect(h.db.$client.prepare("SELECT count(*) n FROM events WHERE type = 'beneficiary_exported' AND actor = 'user:u-staff'").get()).toEqual({ n: 1 });
    await expect(records.export({ ...staff, role: 'committee' }, id)).rejects.toThrow(/forbidden/);
  });

  it('exports a file gone from the media store as null; a store that cannot be reached fails the export', async () => {
    const { records, id } = await setup();
    const keys = (h.db.$client.prepare('SELECT path FROM media').all() as Array<{ path: string }>).map((m) => mediaKeyOf(m.path, h.service.mediaDir));
    for (const k of keys) await h.service.media.delete(k);
    await expect(h.service.media.get(keys[0]!)).rejects.toBeInstanceOf(MediaNotFoundError);
    const data = (await records.export(staff, id)) as { files: Array<{ contentBase64: string | null; sha256: string }> };
    expect(data.files.length).toBe(keys.length);
    for (const f of data.files) expect(f.contentBase64).toBeNull();

    // The same rows over a bucket nobody answers at: an error, never an export with the files quietly missing.
    const port = await freePort();
    const bucket = openMediaStore({ kind: 's3', bucket: 'tawasul', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' }, prefix: '', maxAttempts: 1, requestTimeoutMs: 2000 });
    try {
      const failing = new Records(consoleOf(h), { media: bucket, mediaDir: h.service.mediaDir });
      const err = await failing.export(staff, id).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(MediaStoreError);
      expect(err).not.toBeInstanceOf(MediaNotFoundError);
    } finally {
      await bucket.close();
    }
  }, 30_000);

  it('erases the person on request: no national ID, phone, name, answer or file left in any table; audited; a new message starts afresh', async () => {
    const { records, id } = await setup();
    await records.logOffline(staff, id, { kind: 'interview', direction: 'in', summary: 'مقابلة مع محمد عبدالله الأحمد' });
    await records.addNote(staff, { beneficiaryId: id }, 'رقم الجوال 0501234567');
    const before = everything();
    for (const secret of ['1012345672', '+966501234567', 'محمد عبدالله الأحمد']) expect(before).toContain(secret);
    const files = (h.db.$client.prepare('SELECT path FROM media').all() as Array<{ path: string }>).map((m) => mediaKeyOf(m.path, h.service.mediaDir));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(await h.service.media.exists(f)).toBe(true);

    await expect(records.erase(staff, id, 'طلب المستفيد')).rejects.toThrow(/forbidden/);
    await expect(records.erase(supervisor, id, ' ')).rejects.toThrow(/needs a reason/);
    const counts = await records.erase(supervisor, id, 'طلب المستفيد بتاريخ اليوم');
    expect(counts.files).toBeGreaterThan(0);
    expect(counts.requests).toBe(1);

    const after = everything();
    for (const secret of ['1012345672', '+966501234567', '0501234567', 'محمد عبدالله الأحمد', 'Browser_abcdefghijklmnop', 'مقابلة مع']) expect(after).not.toContain(secret);
    for (const f of files) expect(await h.service.media.exists(f)).toBe(false);
    const audit = h.db.$client.prepare("SELECT actor, payload FROM events WHERE type = 'beneficiary_erased'").get() as { actor: string; payload: string };
    expect(audit.actor).toBe('user:u-sup');
    expect(JSON.parse(audit.payload)).toMatchObject({ beneficiaryId: id, reason: 'طلب المستفيد بتاريخ اليوم' });
    expect((await records.get(supervisor, id))!.beneficiary.erasedAt).not.toBeNull();
    await expect(records.erase(supervisor, id, 'again')).rejects.toThrow(/erased already/);

    // The same WhatsApp number writes again: a new contact and conversation, not the old one.
    const back = await beneficiary(h, 'whatsapp', '+966501234567').send('السلام عليكم');
    expect(back.outbound.length).toBeGreaterThan(0);
    expect(h.db.$client.prepare("SELECT count(*) n FROM contacts WHERE address = '+966501234567'").get()).toEqual({ n: 1 });
    expect(back.state.drafts).toEqual({});
  });
});
