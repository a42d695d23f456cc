/**
 * One conformance suite, run against every adapter with its platform faked at the network
 * boundary (or, for the WhatsApp web session, a fake Client): what comes in is the same
 * normalised event everywhere, what goes out reaches the platform, choices survive, and
 * failures are classified.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { FakeGraph, buttonReply, textMessage, webhook } from '../support/fake-graph.ts';
import { waitFor } from '../support/wait.ts';
import { freePort } from '../support/redis.ts';
import { FLOWS } from '../support/scenario.ts';
import { TelegramAdapter } from '../../src/channels/telegram.ts';
import { WhatsAppCloudAdapter } from '../../src/channels/whatsapp-cloud.ts';
import { SmsAdapter, twilioSignature } from '../../src/channels/sms.ts';
import { WebChatAdapter } from '../../src/channels/web.ts';
import { WhatsAppWebAdapter, type WebClient } from '../../src/channels/whatsapp-web.ts';
import { SendError, type ChannelAdapter, type InboundEvent } from '../../src/channels/types.ts';
import type { OutboundMessage } from '../../src/conversation/service.ts';

const log = pino({ level: 'silent' });

/** What the suite needs from each platform's fake. */
interface Harness {
  adapter: ChannelAdapter;
  /** The user's address as the adapter reports it. */
  address: string;
  /** The user sends text; returns nothing, the event arrives through ingest. */
  userSays(text: string, platformId: string): Promise<void>;
  userPresses(choiceId: string, platformId: string): Promise<void>;
  /** Everything the platform received for the user, as plain strings (choices included). */
  received(): string[];
  close(): Promise<void>;
}

async function http(adapter: ChannelAdapter): Promise<{ app: FastifyInstance; base: string }> {
  const app = Fastify();
  adapter.mountHttp?.(app);
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  return { app, base: `http://127.0.0.1:${port}` };
}

const HARNESSES: Record<string, () => Promise<Harness>> = {
  async telegram() {
    const tg = await new FakeTelegram().start();
    const adapter = new TelegramAdapter({ bots: [{ associationId: 'qalam', token: tg.token }], apiRoot: tg.url });
    return {
      adapter,
      address: '777',
      async userSays(text) {
        tg.pushText(777, text);
      },
      async userPresses(choiceId) {
        tg.pushCallback(777, choiceId);
      },
      received: () => tg.to(777).map((s) => [s.text, ...s.keyboard.map((k) => `${k.text}|${k.callback_data}`)].join('\n')),
      close: async () => {
        await adapter.stop();
        await tg.stop();
      },
    };
  },
  async 'whatsapp-cloud'() {
    const graph = await new FakeGraph().start();
    const adapter = new WhatsAppCloudAdapter({ numbers: [{ associationId: 'qalam', phoneNumberId: 'P1' }], accessToken: graph.token, appSecret: 's', verifyToken: 'v', apiBase: graph.url, templates: { language: 'ar' } });
    const { app, base } = await http(adapter);
    const post = async (value: Record<string, unknown>) => {
      const w = webhook('P1', value, 's');
      await fetch(`${base}/channels/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': w.signature }, body: w.body });
    };
    return {
      adapter,
      address: '966500000777',
      userSays: (text, id) => post(textMessage('966500000777', id, text)),
      userPresses: (choiceId, id) => post(buttonReply('966500000777', id, choiceId)),
      received: () => graph.to('966500000777').map((s) => JSON.stringify(s.body)),
      close: async () => {
        await app.close();
        await graph.stop();
      },
    };
  },
  async 'sms-twilio'() {
    const sent: string[] = [];
    const provider = Fastify();
    provider.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, b, d) => d(null, Object.fromEntries(new URLSearchParams(String(b)))));
    provider.post('/2010-04-01/Accounts/AC1/Messages.json', async (req, reply) => {
      sent.push((req.body as Record<string, string>).Body!);
      return reply.code(201).send({ sid: `SM${sent.length}` });
    });
    const pport = await freePort();
    await provider.listen({ host: '127.0.0.1', port: pport });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const adapter = new SmsAdapter({ numbers: [{ associationId: 'qalam', number: '+966110000000' }], driver: { kind: 'twilio', accountSid: 'AC1', authToken: 'tok', apiBase: `http://127.0.0.1:${pport}`, publicUrl: base } });
    const app = Fastify();
    adapter.mountHttp(app);
    await app.listen({ host: '127.0.0.1', port });
    const post = async (params: Record<string, string>) => {
      await fetch(`${base}/channels/sms/twilio`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature('tok', `${base}/channels/sms/twilio`, params) },
        body: new URLSearchParams(params).toString(),
      });
    };
    return {
      adapter,
      address: '+966500000777',
      userSays: (text, id) => post({ MessageSid: id, From: '+966500000777', To: '+966110000000', Body: text }),
      // SMS has no buttons: pressing a choice is typing its number.
      userPresses: (_choiceId, id) => post({ MessageSid: id, From: '+966500000777', To: '+966110000000', Body: '1' }),
      received: () => sent,
      close: async () => {
        await app.close();
        await provider.close();
      },
    };
  },
  async web() {
    const pushed: string[] = [];
    // This deployment serves qalam only.
    const adapter = new WebChatAdapter({ flow: (id) => (id === 'qalam' ? FLOWS.get(id) : undefined), history: async () => [] });
    const { app, base } = await http(adapter);
    const chatId = 'ConformanceChatId_0123456789';
    const headers = { 'content-type': 'application/json', 'x-chat-id': chatId };
    // Read the event stream so sent messages can be observed.
    const ctrl = new AbortController();
    void fetch(`${base}/chat/qalam/events`, { headers: { 'x-chat-id': chatId }, signal: ctrl.signal })
      .then(async (res) => {
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const m of value.matchAll(/^data: (\{.*"from":"bot".*\})$/gm)) {
            const item = JSON.parse(m[1]!) as { text: string; choices?: Array<{ id: string; label: string }> };
            pushed.push([item.text, ...(item.choices ?? []).map((c) => `${c.label}|${c.id}`)].join('\n'));
          }
        }
      })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    return {
      adapter,
      address: `web:${chatId}`,
      userSays: async (text, id) => void (await fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers, body: JSON.stringify({ id, text }) })),
      userPresses: async (choiceId, id) => void (await fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers, body: JSON.stringify({ id, choiceId }) })),
      received: () => pushed,
      close: async () => {
        ctrl.abort();
        await app.close();
      },
    };
  },
  async 'whatsapp-web'() {
    const sent: string[] = [];
    const client = Object.assign(new EventEmitter(), {
      initialize: async () => void setTimeout(() => client.emit('ready'), 5),
      getState: async () => 'CONNECTED',
      sendMessage: async (_chat: string, content: string) => (sent.push(content), { id: { _serialized: `OUT${sent.length}` } }),
      destroy: async () => undefined,
    }) as unknown as WebClient;
    const adapter = new WhatsAppWebAdapter({ associations: ['qalam'], dataDir: '/tmp', chromium: '/usr/bin/chromium', createClient: () => client });
    const say = (id: string, body: string) =>
      client.emit('message', { id: { _serialized: id }, from: '966500000777@c.us', fromMe: false, body, type: 'chat', hasMedia: false, downloadMedia: async () => undefined });
    return {
      adapter,
      address: '966500000777@c.us',
      userSays: async (text, id) => void say(id, text),
      userPresses: async (_choiceId, id) => void say(id, '1'),
      received: () => sent,
      close: () => adapter.stop(),
    };
  },
};

const outbound = (address: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: `conv.1.${Math.random().toString(36).slice(2)}`,
  associationId: 'qalam',
  conversationId: 'conv',
  channel: 'x',
  address,
  text: 'أهلًا وسهلًا — اختر من القائمة',
  lang: 'ar',
  lastInboundAt: new Date().toISOString(),
  ...extra,
});

let current: Harness | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

for (const [name, make] of Object.entries(HARNESSES)) {
  describe(`channel conformance: ${name}`, () => {
    async function started() {
      current = await make();
      const events: InboundEvent[] = [];
      await current.adapter.start({ ingest: async (e) => void events.push(e), log });
      if (name === 'whatsapp-web') await waitFor('ready', () => current!.adapter.status() === 'up');
      return { h: current, events };
    }

    it('hands over a text message as one normalised event with a stable platform id', async () => {
      const { h, events } = await started();
      await h.userSays('السلام عليكم', 'p-1');
      await waitFor('event', () => events.length === 1);
      const e = events[0]!;
      expect(e).toMatchObject({ associationId: 'qalam', address: h.address, text: 'السلام عليكم' });
      expect(e.messageId).toBeTruthy();
      expect(e.at).toBeInstanceOf(Date);
      await h.userSays('السلام عليكم', 'p-2');
      await waitFor('second event', () => events.length === 2);
      expect(events[1]!.messageId).not.toBe(e.messageId);
    });

    it('hands over a pressed choice (or the typed number where there are no buttons)', async () => {
      const { h, events } = await started();
      await h.userPresses('m:apply', 'p-3');
      await waitFor('event', () => events.length === 1);
      const e = events[0]!;
      expect(e.choiceId === 'm:apply' || e.text === '1').toBe(true);
    });

    it('sends text, and choices the user can act on, and reports the platform id', async () => {
      const { h } = await started();
      const res = await h.adapter.send(outbound(h.address, { choices: [{ id: 'm:apply', label: 'طلب دعم' }, { id: 'm:faq', label: 'الأسئلة الشائعة' }] }));
      expect(res.providerMessageId).toBeTruthy();
      await waitFor('received', () => h.received().length >= 1);
      const all = h.received().join('\n');
      expect(all).toContain('أهلًا وسهلًا');
      expect(all).toContain('طلب دعم');
      expect(all).toContain('الأسئلة الشائعة');
      // Either a button carrying the choice id, or a number to type.
      expect(/m:apply/.test(all) || /1\. طلب دعم/.test(all)).toBe(true);
    });

    it('refuses, as permanent, a message for an association it does not serve', async () => {
      const { h } = await started();
      const err = await h.adapter.send(outbound(h.address, { associationId: 'sidr' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SendError);
      expect((err as SendError).kind).toBe('permanent');
    });
  });
}
