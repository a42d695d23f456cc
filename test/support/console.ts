/** A staff member's browser over plain HTTP: a cookie jar, CSRF tokens read from pages, form posts. */
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { freePort } from './redis.ts';
import { testLog } from './rig.ts';
import { ROOT } from './scenario.ts';

export const PASSWORD = 'correct horse battery staple';

export class Browser {
  cookies = new Map<string, string>();
  /** `root`: the server's address, read when each request is made (servers start in beforeAll). */
  constructor(private readonly root: () => string) {}

  async go(path: string, init: RequestInit = {}) {
    const res = await fetch(`${this.root()}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }

  /** The CSRF token of a page's forms. */
  async token(path = '/console/login'): Promise<string> {
    return /name="_csrf" value="([^"]+)"/.exec(await (await this.go(path)).text())![1]!;
  }

  form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.go(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
  }

  /** Signs in through the sign-in form (PASSWORD); fails the test if that is refused. */
  async signIn(email: string): Promise<this> {
    const token = await this.token('/console/login');
    expect((await this.form('/console/login', { _csrf: token, email, password: PASSWORD })).status).toBe(302);
    return this;
  }
}

/**
 * The whole service as `tawasul start` runs it — engine, HTTP with the console, every configured
 * channel — on a data folder of the test's and its own redis-server, on a free port.
 */
export async function serveAll(dataDir: string, redisUrl: string): Promise<Runtime> {
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dataDir, REDIS_URL: redisUrl, HTTP_PORT: String(port), FLOWS_DIR: join(ROOT, 'flows') });
  return startRuntime(config, { engine: true, http: true, channels: 'configured' }, testLog);
}
