/**
 * One failure classifier for every HTTP channel: the same platform answer is the same kind
 * of failure whichever channel got it (three senders used to decide on their own, one
 * retrying 408 and two not). Each real adapter sends to a local fake of its platform.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { freePort } from '../support/redis.ts';
import { LoopbackSender } from '../../src/channels/loopback.ts';
import { SmsAdapter } from '../../src/channels/sms.ts';
import { TelegramAdapter } from '../../src/channels/telegram.ts';
import { WhatsAppCloudAdapter } from '../../src/channels/whatsapp-cloud.ts';
import { SendError, type Sender } from '../../src/channels/types.ts';
import type { OutboundMessage } from '../../src/conversation/service.ts';

/** Answers every POST with the status it is told to, in the platform's error shape. */
class StatusServer {
  status = 200;
  private server: Server | undefined;
  url = '';
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const ok = this.status < 300;
        const body = ok ? { messages: [{ id: 'wamid.1' }], sid: 'SM1', id: 'g1' } : { error: { code: 1, message: 'no' }, code: 1, message: 'no' };
        res.writeHead(this.status, { 'content-type': 'application/json', ...(this.status === 429 ? { 'retry-after': '1' } : {}) }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }
  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const log = pino({ level: 'silent' });
const msg = (channel: string, address: string): OutboundMessage => ({
  id: 'c.1.0',
  associationId: 'qalam',
  conversationId: 'c',
  channel,
  address,
  text: 'مرحبا',
  lang: 'ar',
  lastInboundAt: new Date().toISOString(),
});

let http: StatusServer;
let tg: FakeTelegram;
let telegram: TelegramAdapter;
const senders: Array<{ name: string; sender: Sender; address: string; setStatus: (s: number) => void }> = [];

beforeAll(async () => {
  http = await new StatusServer().start();
  tg = await new FakeTelegram().start();
  telegram = new TelegramAdapter({ bots: [{ associationId: 'qalam', token: tg.token }], apiRoot: tg.url });
  await telegram.start({ ingest: async () => undefined, log });
  const whatsapp = new WhatsAppCloudAdapter({ numbers: [{ associationId: 'qalam', phoneNumberId: '1' }], accessToken: 't', appSecret: 's', verifyToken: 'v', apiBase: http.url, templates: { language: 'ar' } });
  await whatsapp.start({ ingest: async () => undefined, log });
  const gateway = new SmsAdapter({
    numbers: [{ associationId: 'qalam', number: '+966110000000' }],
    driver: { kind: 'gateway', sendUrl: `${http.url}/send`, format: 'json', fields: { to: 'to', from: 'from', text: 'text' }, inboundToken: 'x', inboundFields: { from: 'from', to: 'to', text: 'text', id: 'id' } },
  });
  await gateway.start({ ingest: async () => undefined, log });
  const twilio = new SmsAdapter({
    numbers: [{ associationId: 'qalam', number: '+966110000000' }],
    driver: { kind: 'twilio', accountSid: 'AC1', authToken: 't', apiBase: http.url, publicUrl: 'http://127.0.0.1' },
  });
  await twilio.start({ ingest: async () => undefined, log });
  const setHttp = (s: number) => (http.status = s);
  senders.push(
    { name: 'loopback', sender: new LoopbackSender(`${http.url}/deliver`, { timeoutMs: 2000 }), address: 'a', setStatus: setHttp },
    { name: 'whatsapp', sender: whatsapp, address: '966500000001', setStatus: setHttp },
    { name: 'sms gateway', sender: gateway, address: '+966500000001', setStatus: setHttp },
    { name: 'sms twilio', sender: twilio, address: '+966500000001', setStatus: setHttp },
    {
      name: 'telegram',
      sender: telegram,
      address: '5001',
      setStatus: (s) => {
        if (s >= 300) tg.failNext('sendMessage', { error_code: s, description: `HTTP ${s}`, ...(s === 429 ? { parameters: { retry_after: 1 } } : {}) });
      },
    },
  );
}, 30_000);

afterAll(async () => {
  await telegram?.stop();
  await tg?.stop();
  await http?.stop();
});

const kindOf = (s: Sender, m: OutboundMessage) => s.send(m).then(() => 'sent', (e: unknown) => (e instanceof SendError ? e.kind : `not a SendError: ${String(e)}`));

describe('one failure classifier for every channel', () => {
  const table: Array<[number, string]> = [
    [200, 'sent'],
    [400, 'permanent'],
    [403, 'permanent'],
    [408, 'retry'],
    [429, 'rate_limited'],
    [500, 'ambiguous'],
    [502, 'ambiguous'],
    [503, 'retry'],
    [504, 'ambiguous'],
  ];
  it('classifies the same platform answer the same way on every channel', async () => {
    const got: Record<string, Record<number, string>> = {};
    for (const { name, sender, address, setStatus } of senders) {
      for (const [status] of table) {
        setStatus(status);
        (got[name] ??= {})[status] = await kindOf(sender, msg(sender.channel, address));
      }
    }
    const want = Object.fromEntries(table);
    for (const name of Object.keys(got)) expect(got[name], name).toEqual(want);
  });

  it('a platform that cannot be reached is "retry" on every channel (the request never left)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const offline = [
      new LoopbackSender(`${closed}/deliver`),
      new WhatsAppCloudAdapter({ numbers: [{ associationId: 'qalam', phoneNumberId: '1' }], accessToken: 't', appSecret: 's', verifyToken: 'v', apiBase: closed, templates: { language: 'ar' } }),
      new SmsAdapter({ numbers: [{ associationId: 'qalam', number: '+966110000000' }], driver: { kind: 'twilio', accountSid: 'AC1', authToken: 't', apiBase: closed, publicUrl: 'http://127.0.0.1' } }),
    ];
    for (const s of offline) expect(await kindOf(s, msg(s.channel, '966500000001')), s.channel).toBe('retry');
  });
});
