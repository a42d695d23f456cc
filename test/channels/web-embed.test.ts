/**
 * The widget on an association's own site, in Debian's Chromium: a page served from another
 * origin (a second HTTP server on another port) embeds the one script tag and completes a short
 * conversation through CORS; a page from a site not on the association's list cannot connect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { ROOT } from '../support/scenario.ts';
import { TestRedis, freePort } from '../support/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { launchChromium } from '../support/chromium.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-embed-'));
let runtime: Runtime;
let browser: Browser;
let site: Server;
let sitePort = 0;
const logs: Array<{ msg?: string; origin?: string }> = [];

/** The association's site: one page with the one-tag embed, as the README shows it. */
const sitePage = (bot: string) => `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>جمعية قلم</title></head>
<body style="font-family:sans-serif;margin:0;padding:24px;background:#fafafa"><h1>جمعية قلم العلمية</h1><p>موقع الجمعية (أصل آخر غير خادم البوت).</p>
<script src="${bot}/chat/widget.js" data-association="qalam" defer></script></body></html>`;

beforeAll(async () => {
  await redis.start();
  sitePort = await freePort();
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dir, REDIS_URL: redis.url, HTTP_PORT: String(port), FLOWS_DIR: join(ROOT, 'flows'), WEB_CHAT_ORIGINS: `qalam=http://127.0.0.1:${sitePort}` });
  const log = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  runtime = await startRuntime(config, { engine: true, http: true, channels: 'configured' }, log);
  // One server answers on two origins: http://127.0.0.1:<port> is listed, http://localhost:<port> is not.
  site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(sitePage(runtime.url!)));
  await new Promise<void>((resolve) => site.listen(sitePort, '127.0.0.1', resolve));
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await runtime?.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the widget embedded on another site', () => {
  it('opens on a listed site and completes a conversation: greeting, a menu choice, an answer', async () => {
    for (const viewport of [{ width: 390, height: 760 }, { width: 1280, height: 860 }]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (m) => m.type() === 'error' && refused.push(m.text()));
      await page.goto(`http://127.0.0.1:${sitePort}/`);
      expect(new URL(page.url()).origin).not.toBe(new URL(runtime.url!).origin);
      await page.locator('button.launch').click();
      await page.waitForFunction(() => [...document.body.children].some((el) => (el as HTMLElement).dataset.ready === '1'), undefined, { timeout: 20_000 });
      await page.locator('input[type=text]').fill(viewport.width < 500 ? 'السلام عليكم' : 'مرحبا');
      await page.locator('input[type=text]').press('Enter');
      const bot = page.locator('.msg.bot');
      await bot.first().waitFor({ timeout: 20_000 });
      expect(await bot.first().textContent()).toContain('جمعية قلم العلمية');
      await page.locator('.msg.bot .choices button', { hasText: 'الأسئلة الشائعة' }).last().click();
      await page.waitForFunction(() => document.querySelector('body > div')!.shadowRoot!.querySelectorAll('.msg.bot').length >= 2, undefined, { timeout: 20_000 });
      // The FAQ list offers its questions as buttons; one pressed, the answer comes back.
      await bot.nth(1).locator('.choices button').first().click();
      await page.waitForFunction(() => document.querySelector('body > div')!.shadowRoot!.querySelectorAll('.msg.bot').length >= 3, undefined, { timeout: 20_000 });
      expect((await bot.nth(2).textContent())!.length).toBeGreaterThan(20);
      expect(await page.locator('.status').textContent()).toBe('');
      expect(refused.filter((t) => /CORS/i.test(t))).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `web-embed-${viewport.width}.png`) });
      await context.close();
    }
  }, 90_000);

  it('a site that is not on the list cannot connect, and the server logs it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 760 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => m.type() === 'error' && refused.push(m.text()));
    await page.goto(`http://localhost:${sitePort}/`);
    await page.locator('button.launch').click();
    await page.locator('.status', { hasText: 'انقطع الاتصال' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (document.body.lastElementChild as HTMLElement).dataset.ready)).toBeUndefined();
    await page.locator('input[type=text]').fill('السلام عليكم');
    await page.locator('input[type=text]').press('Enter');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.locator('.msg.bot').count()).toBe(0);
    expect(refused.some((t) => /CORS/i.test(t))).toBe(true);
    expect(logs.some((l) => l.msg === 'web chat: origin not allowed' && l.origin === `http://localhost:${sitePort}`)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'web-embed-refused-390.png') });
    await context.close();
  }, 60_000);
});
