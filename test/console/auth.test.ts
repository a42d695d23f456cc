/**
 * Console sign-in through the real runtime: argon2 passwords, server-side sessions, CSRF on
 * every form, rate-limited login, security headers, scoping by association, sign-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import type { Runtime } from '../../src/runtime.ts';
import { Accounts } from '../../src/console/accounts.ts';
import { Browser, PASSWORD, serveAll } from '../support/console.ts';
import { launchChromium } from '../support/chromium.ts';
import { closeOwnDb, ownDb } from './db.ts';

const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-console-'));
let runtime: Runtime;
let base = '';

beforeAll(async () => {
  await redis.start();
  runtime = await serveAll(dir, redis.url);
  base = runtime.url!;
  const accounts = new Accounts(runtime.app.store.console);
  await accounts.add({ email: 'noura@qalam.org', name: 'نورة', role: 'staff', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'sami@qalam.org', name: 'سامي', role: 'researcher', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'huda@sidr.org', name: 'هدى', role: 'staff', associations: ['sidr'], password: PASSWORD });
  await accounts.add({ email: 'reem@qalam.org', name: 'ريم', role: 'supervisor', associations: ['qalam'], password: PASSWORD });
  await accounts.add({ email: 'khalid@qalam.org', name: 'خالد', role: 'committee', associations: ['qalam'], password: PASSWORD });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis.stop();
  closeOwnDb(dir);
  rmSync(dir, { recursive: true, force: true });
});

/** A browser signed in as this user. */
const signIn = (email: string) => new Browser(() => base).signIn(email);

describe('console sign-in', () => {
  it('sends a visitor to the sign-in page, in Arabic RTL, with security headers', async () => {
    const b = new Browser(() => base);
    const res = await b.go('/console');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console/login');
    const login = await b.go('/console/login');
    const html = await login.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('تسجيل الدخول');
    expect(login.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await (await b.go('/console/login?lang=en')).text()).toContain('<html lang="en" dir="ltr">');
  });

  it('refuses a sign-in form without its CSRF token, and a wrong password', async () => {
    const b = new Browser(() => base);
    await b.token();
    expect((await b.form('/console/login', { email: 'noura@qalam.org', password: PASSWORD })).status).toBe(403);
    const token = await b.token();
    const wrong = await b.form('/console/login', { _csrf: token, email: 'noura@qalam.org', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('غير صحيحة');
  });

  it('signs in, shows only the user\'s associations, and signs out only with a CSRF token', async () => {
    const b = new Browser(() => base);
    const token = await b.token();
    const before = b.cookies.get('tawasul_session');
    const ok = await b.form('/console/login', { _csrf: token, email: 'Noura@Qalam.org', password: PASSWORD });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/console');
    const setCookie = ok.headers.getSetCookie().join(';');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(b.cookies.get('tawasul_session')).not.toBe(before); // a new session id at sign-in
    const home = await (await b.go('/console')).text();
    expect(home).toContain('نورة');
    expect(home).toContain('جمعية قلم العلمية');
    expect(home).not.toContain('سدر');
    const events = ownDb(dir).prepare("SELECT actor FROM events WHERE type = 'staff_login'").all() as Array<{ actor: string }>;
    expect(events.length).toBe(1);

    expect((await b.form('/console/logout', {})).status).toBe(403);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)![1]!;
    expect((await b.form('/console/logout', { _csrf: csrf })).status).toBe(302);
    expect((await b.go('/console')).status).toBe(302);
  });

  it('inbox: a web-chat beneficiary escalates; staff claim (one holder), reply through the channel, hand back; other associations get 404', async () => {
    const chat = { 'content-type': 'application/json', 'x-chat-id': 'InboxBeneficiary_0123456789' };
    const say = (id: string, text: string) => fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers: chat, body: JSON.stringify({ id, text }) });
    const history = async () => {
      // The page's history replay: what the beneficiary's browser shows.
      const items = await runtime.app.service.history('qalam', 'web', 'web:InboxBeneficiary_0123456789');
      return items.filter((m) => m.direction === 'out' && m.status === 'sent').map((m) => `${m.author}:${m.text}`);
    };
    await say('b1', 'مرحبا <script>alert(1)</script>');
    await say('b2', 'موظف');
    const waitUntil = async (p: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 200 && !(await p()); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await waitUntil(() => (ownDb(dir).prepare("SELECT count(*) n FROM conversations WHERE mode = 'waiting_staff'").get() as { n: number }).n === 1);

    const noura = await signIn('noura@qalam.org');
    const inbox = await (await noura.go('/console/inbox')).text();
    const id = /data-conversation="([^"]+)"/.exec(inbox)![1]!;
    expect(inbox).toContain('طلب موظفًا');
    // (Numbers are wrapped in <bdi> so they read in order in Arabic; the text around them is escaped.)
    const page = (await (await noura.go(`/console/conversations/${id}`)).text()).replace(/<bdi dir="ltr">([^<]*)<\/bdi>/g, '$1');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');

    // Another association's staff: not found, by page and by action.
    const huda = await signIn('huda@sidr.org');
    expect((await huda.go(`/console/conversations/${id}`)).status).toBe(404);
    expect(await (await huda.go('/console/inbox')).text()).not.toContain(id);
    const hudaToken = /name="_csrf" value="([^"]+)"/.exec(await (await huda.go('/console')).text())![1]!;
    expect((await huda.form(`/console/conversations/${id}/claim`, { _csrf: hudaToken })).status).toBe(404);

    const csrfOf = async (b: Browser) => /name="_csrf" value="([^"]+)"/.exec(await (await b.go(`/console/conversations/${id}`)).text())![1]!;
    expect((await noura.form(`/console/conversations/${id}/claim`, {})).status).toBe(403); // no CSRF token
    expect((await noura.form(`/console/conversations/${id}/claim`, { _csrf: await csrfOf(noura) })).status).toBe(302);
    const sami = await signIn('sami@qalam.org');
    const samiToken = /name="_csrf" value="([^"]+)"/.exec(await (await sami.go('/console')).text())![1]!;
    expect((await sami.form(`/console/conversations/${id}/claim`, { _csrf: samiToken })).status).toBe(409);

    // While staff hold it, the bot is silent; the staff reply reaches the beneficiary's channel.
    await say('b3', 'هل أنتم هنا؟');
    expect((await noura.form(`/console/conversations/${id}/reply`, { _csrf: await csrfOf(noura), text: 'أهلًا، معك نورة من الجمعية.' })).status).toBe(302);
    await waitUntil(async () => (await history()).some((h) => h === 'staff:أهلًا، معك نورة من الجمعية.'));
    const seen = await history();
    expect(seen).toContain('staff:أهلًا، معك نورة من الجمعية.');
    expect(seen.filter((h) => h.startsWith('bot:')).length).toBeGreaterThan(0);
    const botAfterClaim = ownDb(dir)
      .prepare("SELECT count(*) n FROM messages WHERE direction = 'out' AND author = 'bot' AND created_at > (SELECT created_at FROM messages WHERE channel_message_id = 'b3')")
      .get() as { n: number };
    expect(botAfterClaim.n).toBe(0);

    expect((await noura.form(`/console/conversations/${id}/release`, { _csrf: await csrfOf(noura), resumeAt: 'menu' })).status).toBe(302);
    const mode = ownDb(dir).prepare('SELECT mode FROM conversations WHERE id = ?').get(id) as { mode: string };
    expect(mode.mode).toBe('menu');
  });

  it('dashboard: supervisors only; queue health, escalations, satisfaction from real data; drawn in the browser test (e2e)', async () => {
    const db = ownDb(dir);
    const conv = (db.prepare("SELECT id FROM conversations WHERE association_id = 'qalam' LIMIT 1").get() as { id: string }).id;
    for (const rating of [5, 4, 4]) {
      db.prepare("INSERT INTO survey_responses (id, association_id, conversation_id, rating, answers) VALUES (?, 'qalam', ?, ?, ?)").run(`s${rating}${Math.random()}`, conv, rating, JSON.stringify({ overall: rating, comment: 'خدمة ممتازة <b>شكرًا</b>' }));
    }
    const noura = await signIn('noura@qalam.org');
    expect((await noura.go('/console/dashboard')).status).toBe(403);
    const reem = await signIn('reem@qalam.org');
    expect((await reem.go('/console/dashboard?association=sidr')).status).toBe(404);
    const html = await (await reem.go('/console/dashboard')).text();
    expect(html).toContain('لوحة المشرف');
    expect(html).toMatch(/data-metric="satisfaction">4\.3</);
    expect(html).toContain('&lt;b&gt;شكرًا&lt;/b&gt;');
    expect(html).toContain('>inbound<');
    expect(html).toContain('out.web');

  }, 60_000);

  it('verification and committee: checks and attestation shown, forwarded, decided, and the decision reaches the beneficiary', async () => {
    const headers = { 'content-type': 'application/json', 'x-chat-id': 'VerifyBeneficiary_0123456789' };
    let n = 0;
    const address = 'web:VerifyBeneficiary_0123456789';
    const settle = async () => {
      for (let i = 0; i < 200; i++) {
        const p = ownDb(dir).prepare("SELECT count(*) n FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts k ON k.id = v.contact_id WHERE k.address = ? AND ((m.direction = 'in' AND m.status = 'pending') OR (m.direction = 'out' AND m.status IN ('queued', 'sending')))").get(address) as { n: number };
        if (p.n === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const say = async (text: string) => {
      await fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers, body: JSON.stringify({ id: `v${++n}`, text }) });
      await settle();
    };
    await say('مرحبا');
    await say('١');
    const { validAnswers } = await import('../support/answers.ts');
    const { FLOWS } = await import('../support/scenario.ts');
    const { readFileSync } = await import('node:fs');
    for (const a of validAnswers(FLOWS.get('qalam')!, 'intake', new Date())) {
      if ('file' in a) {
        await fetch(`${base}/chat/qalam/files`, { method: 'POST', headers: { 'content-type': 'application/pdf', 'x-chat-id': headers['x-chat-id'], 'x-message-id': `v${++n}`, 'x-file-name': 'id.pdf' }, body: readFileSync(join(ROOT, a.file)) });
        await settle();
      } else await say(a.text);
    }
    await say('1');
    const ref = (ownDb(dir).prepare("SELECT reference FROM requests WHERE attestation_channel = 'web'").get() as { reference: string }).reference;
    for (let i = 0; i < 100 && (ownDb(dir).prepare('SELECT status FROM requests WHERE reference = ?').get(ref) as { status: string }).status !== 'verifying'; i++) await new Promise((r) => setTimeout(r, 50));

    const noura = await signIn('noura@qalam.org');
    expect(await (await noura.go('/console/requests')).text()).toContain(ref);
    const page = await (await noura.go(`/console/requests/${ref}`)).text();
    expect(page).toContain('1012345672');
    expect(page).toMatch(/[0-9a-f]{64}/);
    expect(page).toContain('سليم');
    const media = /href="\/console\/media\/([^"]+)"/.exec(page)![1]!;
    const file = await noura.go(`/console/media/${media}`);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    const huda = await signIn('huda@sidr.org');
    expect((await huda.go(`/console/requests/${ref}`)).status).toBe(404);
    expect((await huda.go(`/console/media/${media}`)).status).toBe(404);
    // Read through the media store: the bytes sent. Gone from the store, the friendly 404 page with its way back.
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 4).toString()).toBe('%PDF');
    const { mediaKeyOf } = await import('../../src/media/index.ts');
    const stored = (ownDb(dir).prepare('SELECT path FROM media WHERE id = ?').get(media) as { path: string }).path;
    await runtime.app.service.media.delete(mediaKeyOf(stored, runtime.app.service.mediaDir));
    const gone = await noura.go(`/console/media/${media}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('text/html');
    expect(await gone.text()).toContain('href="/console"');

    const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    expect((await noura.form(`/console/requests/${ref}/decide`, { _csrf: token(page), outcome: 'accepted' })).status).toBe(403); // staff do not decide
    expect((await noura.form(`/console/requests/${ref}/forward`, { _csrf: token(page) })).status).toBe(302);
    const khalid = await signIn('khalid@qalam.org');
    const committeePage = await (await khalid.go(`/console/requests/${ref}`)).text();
    expect((await khalid.form(`/console/requests/${ref}/decide`, { _csrf: token(committeePage), outcome: 'rejected' })).status).toBe(409); // reason required
    expect((await khalid.form(`/console/requests/${ref}/decide`, { _csrf: token(committeePage), outcome: 'accepted' })).status).toBe(302);
    await settle();
    const seen = (await runtime.app.service.history('qalam', 'web', address)).filter((m) => m.direction === 'out').map((m) => m.text);
    expect(seen.some((t) => t.includes(ref) && t.includes('وافقت'))).toBe(true);
    const audit = ownDb(dir).prepare("SELECT type FROM events WHERE type IN ('staff_viewed_request', 'request_forwarded', 'decision_sent')").all() as Array<{ type: string }>;
    expect(new Set(audit.map((a) => a.type))).toEqual(new Set(['staff_viewed_request', 'request_forwarded', 'decision_sent']));
  }, 60_000);

  it('bull-board at /admin/queues: refused without a session and for staff, shown to supervisors', async () => {
    expect((await fetch(`${base}/admin/queues`, { redirect: 'manual' })).status).toBe(401);
    // The root and /console/ lead to the console (through the sign-in page when signed out).
    for (const path of ['/', '/console/']) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe('/console/login');
    }
    expect((await fetch(`${base}/admin/queues/api/queues`, { redirect: 'manual' })).status).toBe(401);
    const sami = await signIn('sami@qalam.org');
    expect((await sami.go('/admin/queues')).status).toBe(403);
    const reem = await signIn('reem@qalam.org');
    const page = await reem.go('/admin/queues');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = (await (await reem.go('/admin/queues/api/queues')).json()) as { queues: Array<{ name: string }> };
    expect(api.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['inbound', 'verify', 'notify', 'timers', 'out.web']));

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      await context.addCookies([{ name: 'tawasul_session', value: reem.cookies.get('tawasul_session')!, url: base }]);
      const p = await context.newPage();
      await p.goto(`${base}/admin/queues`);
      await p.getByText('inbound').first().waitFor({ timeout: 15_000 });
      await p.screenshot({ path: join(ROOT, 'test-artifacts/admin-queues.png') });
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('limits sign-in attempts', async () => {
    const b = new Browser(() => base);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const token = await b.token();
      statuses.push((await b.form('/console/login', { _csrf: token, email: 'noura@qalam.org', password: `guess ${i}` })).status);
    }
    expect(statuses).toContain(429);
  });
});
