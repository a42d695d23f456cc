/**
 * Security over every URL the console serves (the list comes from the server itself, so a new
 * route is covered the day it is added): unauthenticated requests refused; another
 * association's staff — even its admin — get 403/404 on this association's URLs and never see
 * its data; forms without the CSRF token refused, bull-board's actions only from this origin;
 * a beneficiary's `<script>` shown as text on every page that shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis } from '../support/redis.ts';
import { beneficiary } from '../support/beneficiary.ts';
import type { Runtime } from '../../src/runtime.ts';
import { Accounts } from '../../src/console/accounts.ts';
import { consoleRoutes, mountConsole } from '../../src/console/server.ts';
import { Browser, PASSWORD, serveAll } from '../support/console.ts';
import { closeOwnDb, ownDb } from './db.ts';

const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-security-'));
const XSS = '<script>alert("x")</script>';
let runtime: Runtime;
let base = '';
let routes: Array<{ method: string; url: string }> = [];
/** Ids of this association's (qalam's) data that other associations must never reach. */
const ids = { conversation: '', beneficiary: '', media: '', reference: '', xssBeneficiary: '' };
// Not the example ID the pages show (1012345672): this one must appear nowhere it should not.
const NATIONAL_ID = '1098765439';
const SECRETS = [NATIONAL_ID, '+966501234567', 'محمد عبدالله الأحمد'];

beforeAll(async () => {
  await redis.start();
  runtime = await serveAll(dir, redis.url);
  base = runtime.url!;
  routes = consoleRoutes(runtime.http!);
  const accounts = new Accounts(runtime.app.store.console);
  await accounts.add({ email: 'admin@qalam.org', name: 'مدير قلم', role: 'admin', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'admin@sidr.org', name: 'مدير سدر', role: 'admin', associations: ['sidr'], password: PASSWORD });
  await accounts.add({ email: 'staff@qalam.org', name: 'موظف قلم', role: 'staff', associations: ['qalam'], password: PASSWORD });

  // This association's data: one person's full application on the website chat, and a Telegram
  // user whose message carries markup and who asked for a person.
  const clock = { service: runtime.app.service, now: new Date(), advance: () => undefined };
  const applicant = beneficiary(clock, 'web', 'web:SecurityApplicant_0123456789');
  await applicant.fillIntake(validAnswers(FLOWS.get('qalam')!, 'intake', new Date()).map((a) => ('text' in a && a.text === '١٠١٢٣٤٥٦٧٢' ? { text: NATIONAL_ID } : a)));
  await applicant.send('1');
  const db = ownDb(dir);
  const req = db.prepare('SELECT reference, beneficiary_id FROM requests').get() as { reference: string; beneficiary_id: string };
  ids.reference = req.reference;
  ids.beneficiary = req.beneficiary_id;
  ids.media = (db.prepare('SELECT id FROM media').get() as { id: string }).id;
  const writer = beneficiary(clock, 'telegram', '777000111');
  await writer.send(`مرحبا ${XSS}`);
  await writer.send('موظف');
  ids.conversation = (db.prepare("SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.channel = 'telegram'").get() as { id: string }).id;
  const admin = await new Browser(() => base).signIn('admin@qalam.org');
  const record = await admin.form(`/console/conversations/${ids.conversation}/record`, { _csrf: await admin.token('/console') });
  ids.xssBeneficiary = record.headers.get('location')!.split('/').pop()!;
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis.stop();
  closeOwnDb(dir);
  rmSync(dir, { recursive: true, force: true });
});

/** The first event of a live view's stream (then the stream is closed). */
async function firstEvent(b: Browser, path: string): Promise<string> {
  const ctl = new AbortController();
  const res = await b.go(path, { signal: ctl.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  ctl.abort();
  return text;
}

const PUBLIC = (url: string) => url.startsWith('/console/login') || url.startsWith('/console/assets/');

/** A route's URL with this association's ids in its parameters. */
function fill(url: string, beneficiaryId = ids.beneficiary): string {
  return url
    .replace(/^\/console\/conversations\/:id/, `/console/conversations/${ids.conversation}`)
    .replace(/^\/console\/beneficiaries\/:id/, `/console/beneficiaries/${beneficiaryId}`)
    .replace(/^\/console\/media\/:id/, `/console/media/${ids.media}`)
    .replace(/^\/console\/requests\/:ref/, `/console/requests/${ids.reference}`)
    .replace(/:queueName/g, 'inbound')
    .replace(/:[A-Za-z]+/g, 'x')
    .replace(/\*$/, 'x');
}

describe('console security over every route', () => {
  it('knows the routes it serves', () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    for (const expected of ['GET /console/inbox', 'GET /console/inbox/stream', 'POST /console/conversations/:id/claim', 'GET /console/beneficiaries/:id/export.json', 'POST /console/beneficiaries/:id/erase', 'POST /console/requests/:ref/decide', 'GET /console/media/:id', 'GET /console/whatsapp', 'GET /admin/queues']) {
      expect(urls).toContain(expected);
    }
    expect(routes.length).toBeGreaterThan(35);
  });

  it('refuses unauthenticated requests on every route but sign-in and static assets', async () => {
    const anonymous = new Browser(() => base);
    for (const r of routes.filter((r) => !PUBLIC(r.url))) {
      const res = await anonymous.go(fill(r.url), { method: r.method, ...(r.method === 'GET' ? {} : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }) });
      const body = await res.text();
      if (r.method === 'GET' && (r.url.startsWith('/console') || r.url === '/')) {
        expect([r.url, res.status, res.headers.get('location')]).toEqual([r.url, 302, '/console/login']);
      } else {
        expect([r.method, r.url, res.status]).toEqual([r.method, r.url, 401]);
      }
      for (const s of SECRETS) expect(body).not.toContain(s);
    }
  });

  it("gives another association's admin 403/404 on every URL of this one, and none of its data on shared pages", async () => {
    const other = await new Browser(() => base).signIn('admin@sidr.org');
    const token = await other.token('/console');
    const leaks = [...SECRETS, ids.conversation, ids.reference, ids.beneficiary];
    let checked = 0;
    for (const r of routes.filter((r) => !PUBLIC(r.url) && !r.url.startsWith('/admin/queues') && r.url !== '/console/logout')) {
      const url = fill(r.url);
      const form: Record<string, string> = r.url === '/console/beneficiaries/search' ? { q: NATIONAL_ID } : r.method === 'POST' && r.url === '/console/requests' ? { q: ids.reference, association: 'qalam' } : r.url === '/console/beneficiaries' ? { association: 'qalam', name: 'x' } : { text: 'x', reason: 'x', confirm: 'erase', outcome: 'accepted', fieldMark: 'full_name:verified', kind: 'letter', summary: 'x' };
      if (r.url === '/console/inbox/stream') {
        // Their own live inbox: nothing of this association in it.
        const event = await firstEvent(other, url);
        for (const leak of leaks) expect(event).not.toContain(leak);
        continue;
      }
      let res = r.method === 'GET' ? await other.go(url) : await other.form(url, { _csrf: token, ...form });
      if (r.method === 'POST' && r.url === '/console/requests') {
        // A search of the request list: back to their own list (the association not theirs is no filter), finding nothing of this one.
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toMatch(/^\/console\/requests\?s=[\w-]+$/);
        res = await other.go(res.headers.get('location')!);
        expect(res.status).toBe(200);
      }
      // (A search page repeats what was typed in its own box: that is not this association's data.)
      const body = (await res.text()).replace(`value="${NATIONAL_ID}"`, '').replace(`value="${ids.reference}"`, '');
      if (r.url.includes(':') || r.url === '/console/*') expect([r.method, r.url, res.status]).toEqual([r.method, r.url, expect.toBeOneOf([403, 404])]);
      else if (r.method === 'POST' && r.url === '/console/beneficiaries') expect(res.status).toBe(404); // creating a record in an association not theirs
      else if (r.url === '/console/account/password') expect(res.status).toBe(400); // their own account, a wrong current password
      else if (r.url === '/' || r.url === '/console/') expect([r.url, res.status, res.headers.get('location')]).toEqual([r.url, 302, '/console']);
      else expect([r.url, res.status]).toEqual([r.url, 200]);
      for (const leak of leaks) expect([r.url, body.includes(leak)]).toEqual([r.url, false]);
      checked++;
    }
    expect(checked).toBeGreaterThan(25);
    // Nothing changed on this association's side.
    const db = ownDb(dir);
    expect(db.prepare('SELECT mode, assigned_staff_id FROM conversations WHERE id = ?').get(ids.conversation)).toEqual({ mode: 'waiting_staff', assigned_staff_id: null });
    expect((db.prepare('SELECT erased_at FROM beneficiaries WHERE id = ?').get(ids.beneficiary) as { erased_at: string | null }).erased_at).toBeNull();
    expect((db.prepare('SELECT count(*) n FROM staff_notes').get() as { n: number }).n).toBe(0);
  });

  it('refuses every form posted without its CSRF token (or with another session\'s), and bull-board actions from another origin', async () => {
    const admin = await new Browser(() => base).signIn('admin@qalam.org');
    const stranger = new Browser(() => base);
    const foreignToken = await stranger.token('/console/login');
    for (const r of routes.filter((r) => r.method === 'POST' && r.url.startsWith('/console'))) {
      const url = fill(r.url);
      const without = await admin.form(url, { text: 'x', reason: 'x', confirm: 'erase', outcome: 'accepted', email: 'admin@qalam.org', password: PASSWORD });
      expect([r.url, without.status]).toEqual([r.url, 403]);
      const foreign = await admin.form(url, { _csrf: foreignToken, text: 'x', reason: 'x', confirm: 'erase', outcome: 'accepted' });
      expect([r.url, foreign.status]).toEqual([r.url, 403]);
    }
    const mutations = routes.filter((r) => r.url.startsWith('/admin/queues') && r.method !== 'GET');
    expect(mutations.length).toBeGreaterThan(0);
    for (const r of mutations) {
      const res = await admin.go(fill(r.url), { method: r.method, headers: { origin: 'https://evil.example' } });
      expect([r.url, res.status]).toEqual([r.url, 403]);
      const none = await admin.go(fill(r.url), { method: r.method });
      expect([r.url, none.status]).toEqual([r.url, 403]);
    }
    const db = ownDb(dir);
    expect((db.prepare('SELECT erased_at FROM beneficiaries WHERE id = ?').get(ids.beneficiary) as { erased_at: string | null }).erased_at).toBeNull();
    expect(db.prepare('SELECT mode FROM conversations WHERE id = ?').get(ids.conversation)).toEqual({ mode: 'waiting_staff' });
  });

  it("shows a beneficiary's <script> as text on every page that shows it", async () => {
    const admin = await new Browser(() => base).signIn('admin@qalam.org');
    let shown = 0;
    for (const r of routes.filter((r) => r.method === 'GET' && r.url.startsWith('/console') && !PUBLIC(r.url) && !r.url.endsWith('/stream') && !r.url.includes('/media/'))) {
      const res = await admin.go(fill(r.url, ids.xssBeneficiary));
      const body = await res.text();
      expect([r.url, body.includes(XSS)]).toEqual([r.url, false]);
      if (body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;') || body.includes('\\u003cscript>alert')) shown++;
    }
    expect(shown).toBeGreaterThanOrEqual(2); // the conversation and the export page at least
    // The live views send fragments rendered by the same templates.
    const text = await firstEvent(admin, `/console/conversations/${ids.conversation}/stream`);
    expect(text).toContain('&lt;script&gt;');
    expect(text).not.toContain(XSS);
  });

  it('explains a refused record form in the page language, and erases only with a reason and the typed word', async () => {
    const admin = await new Browser(() => base).signIn('admin@qalam.org');
    const page = `/console/beneficiaries/${ids.beneficiary}`;
    const token = await admin.token(page);
    const empty = await admin.form(`${page}/offline`, { _csrf: token, kind: 'letter', direction: 'in', summary: ' ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('اكتب ما دار أو ما تم.');
    const unconfirmed = await admin.form(`${page}/erase`, { _csrf: token, reason: 'طلب المستفيد', confirm: '' });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain('اكتب كلمة «حذف»');
    expect((await admin.form(`${page}/erase`, { _csrf: token, reason: 'طلب المستفيد رقم ٤٥', confirm: 'حذف' })).status).toBe(302);
    const after = await (await admin.go(page)).text();
    expect(after).toContain('سجل محذوف');
    for (const secret of SECRETS) expect(after).not.toContain(secret);
    const audit = ownDb(dir).prepare("SELECT payload FROM events WHERE type = 'beneficiary_erased'").get() as { payload: string };
    expect(JSON.parse(audit.payload).reason).toBe('طلب المستفيد رقم ٤٥');
  });

  it('shows admins the WhatsApp pairing QR as an image, and nobody else', async () => {
    const app = Fastify();
    mountConsole(app, { store: runtime.app.store, sessionSecret: 'x'.repeat(40), secureCookies: false, whatsappSession: (id) => (id === 'qalam' ? { state: 'qr', qr: '2@fakepairingcode,AbCdEf==,GhIj==' } : undefined) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const root = () => `http://127.0.0.1:${port}`;
    try {
      const admin = await new Browser(root).signIn('admin@qalam.org');
      const page = await (await admin.go('/console/whatsapp')).text();
      expect(page).toContain('data-state="qr"');
      expect(page).toMatch(/<svg[^>]*viewBox/);
      const staff = await new Browser(root).signIn('staff@qalam.org');
      expect((await staff.go('/console/whatsapp')).status).toBe(403);
      expect((await new Browser(root).go('/console/whatsapp')).status).toBe(302);
    } finally {
      await app.close();
    }
  });
});
