/**
 * Bidi isolates end to end: the real pipeline (redis-server, SQLite) sends a Telegram reply
 * with LRI … PDI around the Latin and numeric values of its Arabic text, while the stored
 * message (what staff and the history see) stays exactly as the engine wrote it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestRedis } from '../support/redis.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { channelRig } from '../support/rig.ts';
import { TelegramAdapter } from '../../src/channels/telegram.ts';
import { FLOWS } from '../support/scenario.ts';

const redis = new TestRedis();
beforeAll(() => redis.start().then(() => undefined), 30_000);
afterAll(() => redis.stop());

it('a Telegram greeting is sent with isolates; the stored reply has none', async () => {
  const tg = await new FakeTelegram().start();
  const rig = await channelRig({
    redisUrl: redis.url,
    limits: { telegram: { perChatIntervalMs: 0 } },
    makeAdapter: () => new TelegramAdapter({ bots: [{ associationId: 'qalam', token: tg.token }], apiRoot: tg.url }),
  });
  try {
    const chat = 7001;
    tg.pushText(chat, '/start');
    const [greeting] = await tg.waitFor(chat, 1);
    const flow = FLOWS.get('qalam')!;
    // "… وللمحادثة بالإنجليزية اكتب English." — the Latin word isolated, character for character.
    const expected = flow.greeting.ar.replace('اكتب English.', 'اكتب \u2066English\u2069.');
    expect(expected).not.toBe(flow.greeting.ar);
    expect(greeting!.text.startsWith(expected)).toBe(true);
    // Buttons are their own paragraphs: a label without Arabic ("English") and the Arabic labels go as they are.
    expect(greeting!.keyboard.map((b) => b.text)).toEqual(flow.menu.map((m) => m.label.ar));
    const stored = rig.db.$client.prepare("SELECT body FROM messages WHERE direction = 'out'").all() as Array<{ body: string }>;
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) expect(row.body).not.toMatch(/[\u2066-\u2069]/);
    expect(stored.some((r) => r.body.includes(flow.greeting.ar))).toBe(true);
  } finally {
    await rig.close();
    await tg.stop();
  }
});
