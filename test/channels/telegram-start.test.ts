/**
 * `tawasul start` with only Telegram settings pointing at a local Bot API server: a user
 * completes an intake with buttons, as the "done when" asks.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { freePort } from '../support/redis.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { waitFor } from '../support/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'tawasul-tgstart-'));
let tg: FakeTelegram;
let server: ChildProcess;

beforeAll(async () => {
  tg = await new FakeTelegram().start();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, HTTP_PORT: String(await freePort()), TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_ASSOCIATION: 'sidr', TELEGRAM_API_ROOT: tg.url, TELEGRAM_PER_CHAT_INTERVAL_MS: '0', LOG_LEVEL: 'info' };
  delete env.REDIS_URL;
  server = spawn(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('start', () => out.includes('"msg":"tawasul started"') || server.exitCode !== null, 40_000);
  expect(server.exitCode, out).toBeNull();
}, 60_000);

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await tg.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('a Telegram user completes an intake with buttons through npm start', async () => {
  const chat = 9001;
  tg.pushText(chat, '/start');
  const [greeting] = await tg.waitFor(chat, 1, 20_000);
  expect(greeting!.text).toContain('سدر');
  tg.pushCallback(chat, 'm:apply');
  await tg.waitFor(chat, 2);
  const flow = FLOWS.get('sidr')!;
  const answers = validAnswers(flow, 'intake', new Date());
  for (const [i, field] of flow.intake.fields.entries()) {
    const before = tg.to(chat).length;
    const a = answers[i]!;
    if ('file' in a) tg.pushDocument(chat, Buffer.from('%PDF-1.4\n% test\n'), 'application/pdf', 'id.pdf');
    else if (field.type === 'choice') tg.pushCallback(chat, tg.to(chat).at(-1)!.keyboard[0]!.callback_data);
    else tg.pushText(chat, a.text);
    await tg.waitFor(chat, before + 1);
  }
  tg.pushCallback(chat, 'r:confirm');
  const done = await waitFor('the reference', () => tg.to(chat).find((s) => /SDR-\d{4}-00001/.test(s.text)), 20_000);
  expect(done.text).toContain('لجنة البحث');
}, 90_000);
