/**
 * Ctrl+C on `tawasul start`: the process exits soon after it says "stopped". The embedded
 * redis-server's SIGKILL fallback timer used to be left running, holding the process ~10 s.
 */
import { afterAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/scenario.ts';
import { freePort } from './support/redis.ts';

const dir = mkdtempSync(join(tmpdir(), 'tawasul-sigint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('exits within 2 s of SIGINT, with its own redis-server', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, HTTP_PORT: String(await freePort()), LOG_LEVEL: 'info' };
  delete env.REDIS_URL;
  delete env.DB_PATH;
  const child = spawn(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`start did not come up:\n${logs}`)), 40_000);
    child.stdout!.on('data', (d: Buffer) => {
      logs += d.toString();
      if (logs.includes('"msg":"tawasul started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  });
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await exited;
  const took = Date.now() - sent;
  expect(logs).toContain('"msg":"stopped"');
  expect(code).toBe(0);
  expect(took, logs.slice(-2000)).toBeLessThan(2_000);
}, 60_000);
