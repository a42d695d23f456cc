/**
 * Debian's Chromium through playwright-core, with the flags this machine needs, for every
 * browser test. A missing browser fails the test that needs it — it never skips or passes
 * quietly (`.ci/run` installs the `chromium` package).
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A new browser context signed in to the console through its sign-in form, at the page it lands on. */
export async function signInThroughForm(
  browser: Browser,
  base: string,
  email: string,
  opts: { password: string; viewport?: { width: number; height: number }; locale?: string; landing?: string },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1200, height: 900 }, ...(opts.locale ? { locale: opts.locale } : {}) });
  const page = await context.newPage();
  await page.goto(`${base}/console/login`);
  await page.fill('#email', email);
  await page.fill('#password', opts.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}${opts.landing ?? '/console'}`);
  return { context, page };
}
