/**
 * `tawasul start` as a newcomer runs it: no REDIS_URL (it starts its own redis-server),
 * SQLite under DATA_DIR, the HTTP server with /healthz and /metrics, the loopback channel,
 * a graceful SIGTERM, and conversations that carry on across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/scenario.ts';
import { freePort } from './support/redis.ts';
import { HttpSink } from './support/sink.ts';
import { waitFor } from './support/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'tawasul-start-'));
const TOKEN = 'test-token-0123456789';
let sink: HttpSink;
let port: number;
let server: ChildProcess | undefined;
let logs = '';

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, HTTP_PORT: String(port), LOOPBACK_URL: sink.url, LOOPBACK_TOKEN: TOKEN, LOG_LEVEL: 'info', SWEEP_MS: '300', ...extra };
  delete e.REDIS_URL;
  delete e.DB_PATH;
  return e;
}

async function start(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'start'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`start did not come up:\n${logs}`)), 40_000);
    const onData = (d: Buffer) => {
      logs += d.toString();
      if (logs.includes('"msg":"tawasul started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${logs}`)));
  });
  child.removeAllListeners('exit');
  return child;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const url = (path: string) => `http://127.0.0.1:${port}${path}`;
const post = (body: unknown, token: string | null = TOKEN) =>
  fetch(url('/channels/loopback/inbound'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

function chat(lines: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'chat', '--org', 'qalam', '--user', 'amal'], {
    cwd: ROOT,
    env: env(),
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  sink = await new HttpSink().start();
  port = await freePort();
  server = await start();
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) await stop(server);
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tawasul start (embedded Redis, no configuration)', () => {
  it('reports health: Redis, SQLite and each channel', async () => {
    const res = await fetch(url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'up', sqlite: 'up', channels: { loopback: 'up', web: 'up' } });
  });

  it('refuses unsigned and malformed inbound posts with 4xx, and accepts a good one once', async () => {
    expect((await post({ associationId: 'qalam', from: '966500000001', messageId: 'a1', text: 'مرحبا' }, null)).status).toBe(401);
    expect((await post({ associationId: 'qalam', from: '966500000001', messageId: 'a1', text: 'مرحبا' }, 'wrong-token-0123456789')).status).toBe(401);
    const bad = await post({ associationId: 'qalam', messageId: 'a1', text: 42 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('from');
    expect((await post({ associationId: 'nope', from: 'x', messageId: 'a0', text: 'hi' })).status).toBe(404);
    expect(sink.deliveries).toHaveLength(0);
    const ok = await post({ associationId: 'qalam', from: '966500000001', messageId: 'a1', text: 'مرحبا' });
    expect(ok.status).toBe(202);
    const again = await post({ associationId: 'qalam', from: '966500000001', messageId: 'a1', text: 'مرحبا' });
    expect(await again.json()).toEqual({ accepted: true, duplicate: true });
    await waitFor('the greeting', () => sink.deliveries.length > 0);
    expect(sink.deliveries[0]!.text).toContain('جمعية قلم العلمية');
    expect(logs).toContain('loopback inbound: malformed body');
    expect(logs).not.toContain('966500000001');
  });

  it('exposes Prometheus metrics: queue depth and age per queue, counters, reply latency', async () => {
    const text = await (await fetch(url('/metrics'))).text();
    expect(text).toMatch(/tawasul_queue_jobs\{queue="inbound",state="waiting"\} \d+/);
    expect(text).toMatch(/tawasul_queue_oldest_waiting_seconds\{queue="out.loopback"\} [\d.]+/);
    expect(text).toMatch(/tawasul_inbound_accepted_total\{channel="loopback"\} 1/);
    expect(text).toMatch(/tawasul_inbound_duplicates_total\{channel="loopback"\} 1/);
    expect(text).toMatch(/tawasul_reply_latency_seconds_count\{channel="loopback"\} [1-9]/);
  });

  it('keeps terminal and loopback conversations across a graceful restart mid-intake', async () => {
    const first = chat(['السلام عليكم', '١', 'أمل سعد القحطاني']);
    expect(first).toContain('هويتك');
    await post({ associationId: 'qalam', from: '966500000001', messageId: 'a2', text: '١' });
    await waitFor('the form intro', () => sink.deliveries.length >= 2);

    expect(await stop(server!)).toBe(0);
    expect(logs).toContain('"msg":"stopped"');
    server = await start();

    // The terminal user continues at the national ID, the loopback user at the name.
    const second = chat(['١٠١٢٣٤٥٦٧٢']);
    expect(second).not.toContain('أهلًا وسهلًا');
    expect(second).toMatch(/جوال|الجوال/);
    const before = sink.deliveries.length;
    await post({ associationId: 'qalam', from: '966500000001', messageId: 'a3', text: 'نورة محمد السبيعي' });
    await waitFor('the next prompt', () => sink.deliveries.length > before);
    expect(sink.deliveries.at(-1)!.text).toContain('هويتك');
  });

  it('says how to install redis-server when it is missing and no REDIS_URL is set', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'start'], {
      cwd: ROOT,
      env: env({ REDIS_SERVER: '/nonexistent/redis-server', DATA_DIR: join(dir, 'other'), HTTP_PORT: '0' }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('apt-get install -y redis-server');
    expect(r.stderr).toContain('REDIS_URL');
  });
});
