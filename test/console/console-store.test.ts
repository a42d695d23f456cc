/**
 * The console repositories' promises (src/store/console.ts) on a real SQLite file, below the
 * console: the request list's filters, paging and total; conditional transitions and field
 * marks; sessions' expiry; a user's associations in the order given and a password change
 * ending the user's other sessions. Written against the interface only, so the PostgreSQL
 * implementation can be held to the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/index.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import type { AuditEntry } from '../../src/store/console.ts';
import { dayStart, nextDay } from '../../src/console/format.ts';

let dir = '';
let store: Store;
/** The test's own connection to the file, for setting the scene. */
let own: Db | undefined;
afterEach(async () => {
  if (own?.$client.open) own.$client.close();
  own = undefined;
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const AT = '2026-12-02T10:00:00.000Z';
const entry = (type: string, requestId: string): AuditEntry => ({ associationId: 'qalam', requestId, type, actor: 'user:u1', payload: { reference: requestId }, at: AT });

/** Two associations, and requests by reference: [reference, association, status, submitted, beneficiary name]. */
function seed(rows: Array<[string, string, string, string, string | null]>) {
  dir = mkdtempSync(join(tmpdir(), 'tawasul-console-store-'));
  store = openStore(join(dir, 't.db'));
  own = openDb(join(dir, 't.db'));
  const db = own.$client; // setting the scene only; every assertion goes through the repositories
  for (const a of ['qalam', 'sidr']) db.prepare("INSERT INTO associations (id, name_ar, name_en, reference_prefix, flow_hash, updated_at) VALUES (?, ?, ?, 'X', 'h', ?)").run(a, `جمعية ${a}`, a, AT);
  rows.forEach(([reference, association, status, submitted, name], i) => {
    db.prepare('INSERT INTO beneficiaries (id, association_id, name, updated_at) VALUES (?, ?, ?, ?)').run(`b${i}`, association, name, AT);
    db.prepare("INSERT INTO contacts (id, association_id, channel, address, beneficiary_id) VALUES (?, ?, 'telegram', ?, ?)").run(`k${i}`, association, `a${i}`, `b${i}`);
    db.prepare("INSERT INTO conversations (id, association_id, contact_id, mode, lang, state, updated_at) VALUES (?, ?, ?, 'menu', 'ar', '{}', ?)").run(`c${i}`, association, `k${i}`, AT);
    db.prepare(
      `INSERT INTO requests (id, association_id, reference, form, beneficiary_id, conversation_id, status, data, attested_by_contact_id, attested_at, attestation_channel, attestation_message_id, attestation_text, attestation_sha256, submitted_at, updated_at)
       VALUES (?, ?, ?, 'intake', ?, ?, ?, '{}', ?, ?, 'telegram', 'm', 't', 's', ?, ?)`,
    ).run(`r-${reference}`, association, reference, `b${i}`, `c${i}`, status, `k${i}`, submitted, submitted, AT);
  });
  return store.console;
}

describe('requests repository', () => {
  it('lists newest first with every filter, a page and the total of all that match', async () => {
    const c = seed([
      ['QLM-1', 'qalam', 'completed', '2026-11-01T08:00:00.000Z', 'سارة خالد المطيري'],
      ['QLM-2', 'qalam', 'verifying', '2026-11-20T08:00:00.000Z', 'محمد عبدالله'],
      ['QLM-3', 'qalam', 'rejected', '2026-12-01T20:59:00.000Z', '50%_off'],
      ['SDR-1', 'sidr', 'completed', '2026-11-05T08:00:00.000Z', 'هدى'],
    ]);
    const refs = async (f: Partial<Parameters<typeof c.requests.list>[0]>) => (await c.requests.list({ associationIds: ['qalam', 'sidr'], limit: 25, offset: 0, ...f })).rows.map((r) => r.reference);
    expect(await refs({})).toEqual(['QLM-3', 'QLM-2', 'SDR-1', 'QLM-1']);
    expect(await refs({ associationIds: [] })).toEqual([]);
    expect(await refs({ associationIds: ['sidr'] })).toEqual(['SDR-1']);
    expect(await refs({ statuses: ['completed'] })).toEqual(['SDR-1', 'QLM-1']);
    expect(await refs({ search: 'qlm-1' })).toEqual(['QLM-1']); // a whole reference, any case
    expect(await refs({ search: 'المطيري' })).toEqual(['QLM-1']); // part of the name
    expect(await refs({ search: '%' })).toEqual(['QLM-3']); // taken literally
    expect(await refs({ search: 'QLM' })).toEqual([]); // not part of a reference
    // Submitted on 2 December in Riyadh: 20:59 UTC on the 1st is 23:59 there, so not on the 2nd.
    expect(await refs({ submittedFrom: dayStart('2026-12-02', 'Asia/Riyadh'), submittedTo: dayStart(nextDay('2026-12-02'), 'Asia/Riyadh') })).toEqual([]);
    expect(await refs({ submittedFrom: dayStart('2026-12-01', 'Asia/Riyadh'), submittedTo: dayStart('2026-12-02', 'Asia/Riyadh') })).toEqual(['QLM-3']);
    const page = await c.requests.list({ associationIds: ['qalam', 'sidr'], limit: 2, offset: 2 });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => r.reference)).toEqual(['SDR-1', 'QLM-1']);
    expect(page.rows[1]).toMatchObject({ associationId: 'qalam', associationName: 'جمعية qalam', name: 'سارة خالد المطيري', status: 'completed', checks: null, decidedAt: null });
  });

  it('moves a request only from the statuses named, and marks fields only while it is open', async () => {
    const c = seed([['QLM-1', 'qalam', 'verifying', AT, null]]);
    expect(await c.requests.transition({ requestId: 'r-QLM-1', from: ['verifying'], to: 'committee', at: AT, audit: entry('request_forwarded', 'r-QLM-1') })).toEqual({ ok: true });
    // A second forward (another tab, another person) finds it moved already.
    expect(await c.requests.transition({ requestId: 'r-QLM-1', from: ['verifying'], to: 'committee', at: AT, audit: entry('request_forwarded', 'r-QLM-1') })).toEqual({ ok: false, status: 'committee' });
    const mark = { mark: 'verified' as const, by: 'نورة', at: AT };
    expect(await c.requests.markField({ requestId: 'r-QLM-1', field: 'full_name', mark, whileStatus: ['committee'], at: AT, audit: entry('field_marked', 'r-QLM-1') })).toEqual({ ok: true });
    expect(await c.requests.markField({ requestId: 'r-QLM-1', field: 'mobile', mark, whileStatus: ['verifying'], at: AT, audit: entry('field_marked', 'r-QLM-1') })).toEqual({ ok: false, status: 'committee' });
    const row = (await c.requests.byReference('QLM-1'))!;
    expect(row.status).toBe('committee');
    expect(row.fieldMarks).toEqual({ full_name: mark });
    expect(row.data).toEqual({});
    expect(await c.requests.decision(row.id)).toBeUndefined();
    await c.audit.record({ ...entry('request_decided', row.id), payload: { outcome: 'accepted', reason: 'مستحق' } });
    expect(await c.requests.decision(row.id)).toEqual({ outcome: 'accepted', at: AT, reason: 'مستحق', by: null });
  });
});

describe('accounts and sessions', () => {
  it('keeps associations in the order given, expires sessions, and a new password ends the user\'s other sessions', async () => {
    const c = seed([]);
    const user = { id: 'u1', email: 'n@q.org', name: 'نورة', role: 'staff' as const, passwordHash: 'h1', associations: ['sidr', 'qalam'], displayNameAr: null, displayNameEn: null, mustChangePassword: true };
    expect(await c.accounts.insert(user)).toBe(true);
    expect(await c.accounts.insert({ ...user, id: 'u2' })).toBe(false); // the email is taken
    expect(await c.accounts.byEmail('n@q.org')).toMatchObject({ id: 'u1', active: true, associations: ['sidr', 'qalam'], mustChangePassword: true });
    expect(await c.accounts.count()).toBe(1);
    expect((await c.accounts.associationIds()).sort()).toEqual(['qalam', 'sidr']);

    await c.sessions.set('s-old', { userId: 'u1' }, '2026-12-02T09:00:00.000Z');
    await c.sessions.set('s-a', { userId: 'u1' }, '2999-01-01T00:00:00.000Z');
    await c.sessions.set('s-b', { userId: 'u1', lang: 'en' }, '2999-01-01T00:00:00.000Z');
    await c.sessions.set('s-other', { userId: 'u9' }, '2999-01-01T00:00:00.000Z');
    expect(await c.sessions.get('s-old', AT)).toBeUndefined(); // expired at 09:00, read at 10:00
    expect(await c.sessions.get('s-b', AT)).toEqual({ userId: 'u1', lang: 'en' });
    await c.accounts.setPassword('u1', 'h2', false, AT, 's-a');
    expect(await c.sessions.get('s-a', AT)).toEqual({ userId: 'u1' });
    expect(await c.sessions.get('s-b', AT)).toBeUndefined();
    expect(await c.sessions.get('s-other', AT)).toEqual({ userId: 'u9' });
    expect(await c.accounts.byId('u1')).toMatchObject({ passwordHash: 'h2', mustChangePassword: false });
    await c.sessions.destroy('s-a');
    expect(await c.sessions.get('s-a', AT)).toBeUndefined();
  });
});
