/**
 * The real telegraf adapter against a local fake Bot API server, through the real pipeline
 * (redis-server, SQLite): a beneficiary completes an intake with buttons; redeliveries,
 * 429s, blocked users, webhooks with and without the secret, long texts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis, freePort } from '../support/redis.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { waitFor } from '../support/wait.ts';
import { channelRig, testLog, type Rig } from '../support/rig.ts';
import { type Db } from '../../src/store/db.ts';
import type { Store } from '../../src/store/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { TelegramAdapter, splitText } from '../../src/channels/telegram.ts';
import { createHttpServer } from '../../src/server/http.ts';

const redis = new TestRedis();
beforeAll(() => redis.start().then(() => undefined), 30_000);
afterAll(() => redis.stop());

let rig: Rig<TelegramAdapter>;
let db: Db;
let store: Store;
let service: ConversationService;
let pipeline: Pipeline;
let tg: FakeTelegram;
let adapter: TelegramAdapter;
const log = testLog;

async function setup(opts: { webhook?: { publicUrl: string; secret: string }; perChatIntervalMs?: number } = {}) {
  tg = await new FakeTelegram().start();
  rig = await channelRig({
    redisUrl: redis.url,
    limits: { telegram: { perChatIntervalMs: opts.perChatIntervalMs ?? 0 } },
    makeAdapter: () => new TelegramAdapter({ bots: [{ associationId: 'qalam', token: tg.token }], apiRoot: tg.url, ...(opts.webhook ? { webhook: opts.webhook } : {}) }),
  });
  ({ db, store, service, pipeline, adapter } = rig);
}

afterEach(async () => {
  await rig.close();
  await tg.stop();
});

const sql = <T>(q: string, ...p: unknown[]) => db.$client.prepare(q).all(...p) as T[];

describe('telegram adapter', () => {
  it('lets a beneficiary complete an intake with buttons, a document and /start', async () => {
    await setup();
    const chat = 5001;
    tg.pushText(chat, '/start');
    let sent = await tg.waitFor(chat, 1);
    expect(sent[0]!.text).toContain('جمعية قلم العلمية');
    const apply = sent[0]!.keyboard.find((b) => b.callback_data === 'm:apply');
    expect(apply?.text).toBeTruthy();
    tg.pushCallback(chat, apply!.callback_data);
    sent = await tg.waitFor(chat, 2);
    expect(tg.answeredCallbacks.length).toBe(1);

    const flow = FLOWS.get('qalam')!;
    const answers = validAnswers(flow, 'intake', new Date());
    for (const [i, field] of flow.intake.fields.entries()) {
      const before = tg.to(chat).length;
      const last = tg.to(chat).at(-1)!;
      const a = answers[i]!;
      if ('file' in a) tg.pushDocument(chat, readFileSync(join(ROOT, a.file)), 'application/pdf', 'id-card.pdf');
      else if (field.type === 'choice') {
        // Choices come as buttons: press the first.
        expect(last.keyboard.length, `buttons for ${field.id}`).toBeGreaterThan(0);
        tg.pushCallback(chat, last.keyboard[0]!.callback_data);
      } else tg.pushText(chat, a.text);
      await tg.waitFor(chat, before + 1);
    }
    const review = tg.to(chat).at(-1)!;
    const confirm = review.keyboard.find((b) => b.callback_data === 'r:confirm');
    expect(confirm, `review buttons: ${JSON.stringify(review.keyboard)}`).toBeDefined();
    tg.pushCallback(chat, confirm!.callback_data);
    const done = await waitFor('the reference', () => tg.to(chat).find((s) => /QLM-\d{4}-00001/.test(s.text)));
    expect(done.text).toContain('لجنة البحث');
    const [req] = sql<{ attestation_channel: string; data: string }>('SELECT attestation_channel, data FROM requests');
    expect(req!.attestation_channel).toBe('telegram');
    const media = sql<{ size: number }>('SELECT size FROM media');
    expect(media[0]!.size).toBe(readFileSync(join(ROOT, 'test/fixtures/id-card.pdf')).length);
  });

  it('ignores a redelivered update', async () => {
    await setup();
    const update = tg.pushText(6001, 'مرحبا');
    await tg.waitFor(6001, 1);
    tg.redeliver(update);
    tg.pushText(6001, 'الحالة');
    await tg.waitFor(6001, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.to(6001)).toHaveLength(2);
    expect(sql("SELECT id FROM messages WHERE direction = 'in'")).toHaveLength(2);
  });

  it("honours a 429's retry_after and sends the message once", async () => {
    await setup();
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const t0 = Date.now();
    tg.pushText(6002, 'مرحبا');
    const [first] = await tg.waitFor(6002, 1);
    expect(first!.at - t0).toBeGreaterThanOrEqual(950);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.to(6002)).toHaveLength(1);
  });

  it('dead-letters a message to a user who blocked the bot, without retrying', async () => {
    await setup();
    tg.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    tg.pushText(6003, 'مرحبا');
    await waitFor('dead letter', async () => (await service.deadLetters('qalam')).length === 1);
    expect((await service.deadLetters('qalam'))[0]).toMatchObject({ status: 'failed', attempts: 1, error: 'Forbidden: bot was blocked by the user' });
    expect(tg.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(1);
  });

  it('spaces messages to one chat by the per-chat interval', async () => {
    await setup({ perChatIntervalMs: 400 });
    tg.pushText(6004, 'مرحبا');
    await tg.waitFor(6004, 1);
    tg.pushText(6004, 'الحالة');
    tg.pushText(6004, 'القائمة');
    const sent = await tg.waitFor(6004, 3);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(380);
    expect(sent[2]!.at - sent[1]!.at).toBeGreaterThanOrEqual(380);
  });

  it('in webhook mode registers the secret and refuses updates without it', async () => {
    const port = await freePort();
    const secret = 'webhook_secret_0123456789';
    await setup({ webhook: { publicUrl: `http://127.0.0.1:${port}`, secret } });
    expect(tg.webhook).toEqual({ url: `http://127.0.0.1:${port}/channels/telegram/qalam`, secret });
    const http = createHttpServer({ store, pipeline, log, channels: () => ({ telegram: adapter.status() }), channelNames: ['telegram'], adapters: [adapter] });
    await http.listen({ host: '127.0.0.1', port });
    try {
      const update = { update_id: 77, message: { message_id: 1, date: 1, chat: { id: 7001, type: 'private' }, from: { id: 7001, is_bot: false, first_name: 'x' }, text: 'مرحبا' } };
      const post = (headers: Record<string, string>, body: unknown = update) =>
        fetch(`http://127.0.0.1:${port}/channels/telegram/qalam`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      expect((await post({})).status).toBe(403);
      expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong_secret_0123456789ab' })).status).toBe(403);
      expect((await post({ 'x-telegram-bot-api-secret-token': secret }, { hello: 1 })).status).toBe(400);
      expect(sql('SELECT id FROM messages')).toHaveLength(0);
      expect((await post({ 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
      const [reply] = await tg.waitFor(7001, 1);
      expect(reply!.text).toContain('جمعية قلم العلمية');
    } finally {
      await http.close();
    }
  });

  it('splits a text longer than Telegram allows at paragraph breaks', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `فقرة ${i} ${'ن'.repeat(100)}`).join('\n\n');
    const parts = splitText(long, 4096);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n\n')).toBe(long);
  });
});
