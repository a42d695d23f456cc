/**
 * Website chat through the real runtime (HTTP server, pipeline, redis-server, SQLite):
 * the page, the widget, the event stream and its history, bad requests; and, in a real
 * Chromium when it is installed, a beneficiary chatting on the page.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ROOT } from '../support/scenario.ts';
import { TestRedis, freePort } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { increasing, screenXs } from '../support/bidi.ts';
import { loadConfig, parseChatOrigins } from '../../src/config.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { launchChromium } from '../support/chromium.ts';
import { chatEvents } from '../support/chat-stream.ts';

const SITE = 'https://qalam.example';
const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-web-'));
let runtime: Runtime;
let base = '';

beforeAll(async () => {
  await redis.start();
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dir, REDIS_URL: redis.url, HTTP_PORT: String(port), FLOWS_DIR: join(ROOT, 'flows'), SWEEP_MS: '300', WEB_CHAT_ORIGINS: `qalam=${SITE}|https://www.qalam.example,sidr=https://sidr.example` });
  runtime = await startRuntime(config, { engine: true, http: true, channels: 'configured' }, pino({ level: process.env.TEST_LOG ?? 'silent' }));
  base = runtime.url!;
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const CHAT_ID = 'AbCdEfGhIjKlMnOpQrStUvWx12';

/** Opens the event stream and collects events until closed. */
const stream = (chatId: string) => chatEvents(base, chatId);

const post = (body: unknown, chatId: string | null = CHAT_ID) =>
  fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(chatId ? { 'x-chat-id': chatId } : {}) }, body: JSON.stringify(body) });

describe('website chat', () => {
  it('serves an RTL Arabic page (and an English one) with the widget, and 404 for an unknown association', async () => {
    const ar = await (await fetch(`${base}/chat/qalam`)).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('جمعية قلم العلمية');
    expect(ar).toContain('<script src="/chat/widget.js" data-association="qalam"');
    const en = await (await fetch(`${base}/chat/qalam?lang=en`)).text();
    expect(en).toContain('<html lang="en" dir="ltr">');
    expect((await fetch(`${base}/chat/nope`)).status).toBe(404);
    const js = await fetch(`${base}/chat/widget.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('attachShadow');
  });

  it('refuses requests without a browser identity or with a malformed body', async () => {
    expect((await fetch(`${base}/chat/qalam/events`)).status).toBe(401);
    expect((await post({ id: 'x1', text: 'مرحبا' }, null)).status).toBe(401);
    expect((await post({ id: 'x1', text: 'مرحبا' }, 'short')).status).toBe(401);
    expect((await post({ text: 42 })).status).toBe(400);
    expect((await post({ id: 'x1', text: 'hi', extra: true })).status).toBe(400);
  });

  it('streams replies live, then replays the conversation to a new page', async () => {
    const s = stream(CHAT_ID);
    await waitFor('ready', () => s.events.some((e) => e.event === 'ready'));
    expect((await post({ id: 'w1', text: 'السلام عليكم <script>alert(1)</script>' })).status).toBe(202);
    const reply = await waitFor('reply', () => s.events.find((e) => e.event === 'message' && e.data.from === 'bot'));
    expect(reply.data.text).toContain('جمعية قلم العلمية');
    expect(reply.data.choices.map((c: { id: string }) => c.id)).toContain('m:apply');
    await s.close();

    const again = stream(CHAT_ID);
    await waitFor('history', () => again.events.some((e) => e.event === 'ready'));
    const history = again.events.filter((e) => e.event === 'message').map((e) => e.data);
    expect(history.map((h) => h.from)).toEqual(['me', 'bot']);
    expect(history[0].text).toContain('<script>');
    await again.close();
    // Another browser sees nothing of it.
    const other = stream('ZyXwVuTsRqPoNmLkJiHgFeDcBa98');
    await waitFor('ready', () => other.events.some((e) => e.event === 'ready'));
    expect(other.events.filter((e) => e.event === 'message')).toEqual([]);
    await other.close();
  });

  it('greets a visitor who opens the chat, once for that browser however often it opens, in the page\'s language', async () => {
    const id = 'OpenedTwice_0123456789abcd';
    const s = stream(id);
    await waitFor('ready', () => s.events.some((e) => e.event === 'ready'));
    const open = () => fetch(`${base}/chat/qalam/open`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-chat-id': id }, body: JSON.stringify({ lang: 'en' }) });
    // Two tabs at once, then a retry: one conversation opening, one greeting.
    expect((await Promise.all([open(), open()])).map((r) => r.status)).toEqual([202, 202]);
    const greeting = await waitFor('greeting', () => s.events.find((e) => e.event === 'message' && e.data.from === 'bot'));
    expect(greeting.data.text).toContain('Qalam');
    expect((await open()).status).toBe(202);
    await new Promise((r) => setTimeout(r, 600));
    expect(s.events.filter((e) => e.event === 'message' && e.data.from === 'bot')).toHaveLength(1);
    await s.close();
    // The opening is no message of the visitor's: the replay has the greeting alone.
    const again = stream(id);
    await waitFor('history', () => again.events.some((e) => e.event === 'ready'));
    expect(again.events.filter((e) => e.event === 'message').map((e) => e.data.from)).toEqual(['bot']);
    await again.close();
    expect((await fetch(`${base}/chat/qalam/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('answers CORS for the association\'s own sites only: preflight, stream, messages, uploads', async () => {
    const preflight = (origin: string, path = '/chat/qalam/messages', headers = 'content-type,x-chat-id') =>
      fetch(`${base}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });
    const ok = await preflight(SITE);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(ok.headers.get('access-control-allow-headers')!.split(/, */)).toEqual(expect.arrayContaining(['content-type', 'x-chat-id', 'x-file-name', 'x-message-id']));
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    expect((await preflight(SITE, '/chat/qalam/files', 'content-type,x-chat-id,x-file-name,x-message-id')).status).toBe(204);
    // Another association's site, and a site on no list: no CORS headers at all, and no 204.
    for (const origin of ['https://sidr.example', 'https://evil.example']) {
      const no = await preflight(origin);
      expect(no.status).toBe(404);
      expect(no.headers.get('access-control-allow-origin')).toBeNull();
    }
    // The real requests carry the header for a listed site (the event stream too, though it takes the reply over).
    const accepted = await fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers: { origin: 'https://www.qalam.example', 'content-type': 'application/json', 'x-chat-id': 'CoRsCoRsCoRsCoRsCoRs0123' }, body: JSON.stringify({ id: 'c1', text: 'hello' }) });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('access-control-allow-origin')).toBe('https://www.qalam.example');
    const ctrl = new AbortController();
    const events = await fetch(`${base}/chat/qalam/events`, { headers: { origin: SITE, 'x-chat-id': 'CoRsCoRsCoRsCoRsCoRs0123' }, signal: ctrl.signal });
    expect(events.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    ctrl.abort();
    // A site not on the list is refused by the server too, not only by the browser.
    const refused = await fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json', 'x-chat-id': 'CoRsCoRsCoRsCoRsCoRs0123' }, body: JSON.stringify({ id: 'c2', text: 'hello' }) });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    // The bot's own page (same origin) needs no list entry.
    const own = await fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json', 'x-chat-id': 'CoRsCoRsCoRsCoRsCoRs0123' }, body: JSON.stringify({ id: 'c3', text: 'hello' }) });
    expect(own.status).toBe(202);
    const js = await fetch(`${base}/chat/widget.js`, { headers: { origin: 'https://sidr.example' } });
    expect(js.headers.get('access-control-allow-origin')).toBe('https://sidr.example');
  });

  it('reads WEB_CHAT_ORIGINS per association and refuses a site written with a path', async () => {
    expect(parseChatOrigins('qalam=https://qalam.org.sa|https://www.qalam.org.sa, sidr=https://sidr.org.sa')).toEqual({ qalam: ['https://qalam.org.sa', 'https://www.qalam.org.sa'], sidr: ['https://sidr.org.sa'] });
    expect(parseChatOrigins(undefined)).toEqual({});
    expect(() => parseChatOrigins('qalam=https://qalam.org.sa/chat')).toThrow(/WEB_CHAT_ORIGINS/);
    expect(() => parseChatOrigins('qalam=*')).toThrow(/WEB_CHAT_ORIGINS/);
    expect(() => parseChatOrigins('https://qalam.org.sa')).toThrow(/WEB_CHAT_ORIGINS/);
  });

  it('types an upload by its bytes: a text file sent as a .jpg photo is stored as not an image, a real PNG as PNG whatever it is called', async () => {
    const upload = (id: string, data: Buffer, type: string, name: string) =>
      fetch(`${base}/chat/qalam/files`, { method: 'POST', headers: { 'content-type': type, 'x-chat-id': 'UpLoAdUpLoAdUpLoAdUpLoAd', 'x-message-id': id, 'x-file-name': name }, body: new Uint8Array(data) });
    expect((await upload('f1', Buffer.from('this is not a photo at all\n'), 'image/jpeg', 'id.jpg')).status).toBe(202);
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 1)]);
    expect((await upload('f2', png, 'image/jpeg', 'id.jpg')).status).toBe(202);
    // The test's own connection to the runtime's file.
    const db = new Database(runtime.app.config.dbPath, { readonly: true });
    onTestFinished(() => {
      db.close();
    });
    const mimes = await waitFor('both stored', () => {
      const rows = db.prepare("SELECT filename, mime, size FROM media WHERE filename = 'id.jpg' ORDER BY size").all() as Array<{ mime: string; size: number }>;
      return rows.length === 2 ? rows.map((r) => r.mime) : undefined;
    });
    expect(mimes).toEqual(['application/octet-stream', 'image/png']);
  });

  it('works in a real browser: RTL page, typing, a button, and text shown as text', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 760 } });
      await page.goto(`${base}/chat/qalam`);
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      await page.waitForSelector('#chat[data-ready="1"]');
      const input = page.locator('#chat input[type=text]');
      await input.fill('مرحبا <b>عريض</b>');
      await input.press('Enter');
      await page.locator('#chat .msg.bot').first().waitFor();
      expect(await page.locator('#chat .msg.me').first().textContent()).toBe('مرحبا <b>عريض</b>');
      expect(await page.locator('#chat .msg.me b').count()).toBe(0);
      await page.locator('#chat .choices button').first().click();
      await page.waitForFunction(() => document.querySelector('#chat')!.shadowRoot!.querySelectorAll('.msg.bot').length >= 2);
      // A phone inside Arabic text keeps its order on screen (each number run is isolated).
      await input.fill('جوالي +966 55 123 4567 والطلب QLM-2026-00012');
      await input.press('Enter');
      const mine = page.locator('#chat .msg.me', { hasText: '4567' });
      await mine.waitFor();
      expect(await mine.innerText()).toBe('جوالي +966 55 123 4567 والطلب QLM-2026-00012');
      expect(await screenXs(mine, ['+966', '55', '123', '4567'])).toSatisfy(increasing);
      expect(await screenXs(mine, ['QLM', '2026', '00012'])).toSatisfy(increasing);
      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts/web-chat-ar.png') });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
