/**
 * SMS: Twilio-compatible (signed webhooks, REST sends, status callbacks) and a generic HTTP
 * gateway, against local fakes of both providers, through the real pipeline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { TestRedis, freePort } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { channelRig, type Rig } from '../support/rig.ts';
import { type Db } from '../../src/store/db.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { SmsAdapter, smsSegments, twilioSignature, type SmsOptions } from '../../src/channels/sms.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';

const NUMBER = '+966110000001';
const TOKEN = 'twilio-auth-token';
const redis = new TestRedis();
beforeAll(() => redis.start().then(() => undefined), 30_000);
afterAll(() => redis.stop());

/** A provider's REST endpoint that records what it is asked to send. */
class FakeProvider {
  readonly requests: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: Record<string, string> }> = [];
  private server: Server | undefined;
  status = 201;
  url = '';
  async start() {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const body = String(req.headers['content-type']).includes('json') ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
        this.requests.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(this.status, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${this.requests.length}`, data: { id: `gw-${this.requests.length}` }, status: 'queued' }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
    return this;
  }
  stop() {
    return new Promise<void>((r) => this.server!.close(() => r()));
  }
}

let rig: Rig<SmsAdapter> | undefined;
let db: Db;
let service: ConversationService;
let provider: FakeProvider;
let base = '';

async function setup(driver: (providerUrl: string, publicUrl: string) => SmsOptions['driver']) {
  provider = await new FakeProvider().start();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  rig = await channelRig({
    redisUrl: redis.url,
    http: true,
    port,
    limits: { sms: { max: 1000 } },
    makeAdapter: (svc) => new SmsAdapter({ numbers: [{ associationId: 'qalam', number: NUMBER }], driver: driver(provider.url, publicUrl), onReceipt: (id, status, error) => svc.recordReceipt('sms', id, status, error) }),
  });
  ({ db, service, base } = rig);
}

afterEach(async () => {
  if (!rig) return; // the pure tests set nothing up
  await rig.close();
  await provider.stop();
  rig = undefined;
});

const twilio = (providerUrl: string, publicUrl: string): SmsOptions['driver'] => ({ kind: 'twilio', accountSid: 'AC123', authToken: TOKEN, apiBase: providerUrl, publicUrl });
const sql = <T>(q: string, ...p: unknown[]) => db.$client.prepare(q).all(...p) as T[];

function signedPost(path: string, params: Record<string, string>, signature = twilioSignature(TOKEN, `${base}${path}`, params)) {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
}
let sid = 0;
const sms = (from: string, body: string) => signedPost('/channels/sms/twilio', { MessageSid: `SMin${++sid}`, AccountSid: 'AC123', From: from, To: NUMBER, Body: body, NumMedia: '0' });

describe('sms', () => {
  it("computes Twilio's signature as its documentation's example does", () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('counts segments: GSM-7 160/153, Arabic UCS-2 70/67', async () => {
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(smsSegments('ب'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(smsSegments('ب'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(smsSegments('ب'.repeat(134))).toMatchObject({ segments: 2 });
    expect(smsSegments('ب'.repeat(135))).toMatchObject({ segments: 3 });
    expect(smsSegments('hello {world}').units).toBe(15);
  });

  it('refuses an unsigned or wrongly signed Twilio webhook with 403 and stores nothing', async () => {
    await setup(twilio);
    const params = { MessageSid: 'SMx', From: '+966501234567', To: NUMBER, Body: 'مرحبا' };
    expect((await fetch(`${base}/channels/sms/twilio`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() })).status).toBe(403);
    expect((await signedPost('/channels/sms/twilio', params, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).status).toBe(403);
    expect((await signedPost('/channels/sms/twilio', { ...params, Body: 'x' }, twilioSignature(TOKEN, `${base}/channels/sms/twilio`, params))).status).toBe(403);
    expect(sql('SELECT id FROM messages')).toHaveLength(0);
  });

  it('replies through the REST API with numbered choices, honours STOP and START, and records failed delivery', async () => {
    await setup(twilio);
    const res = await sms('+966501234567', 'مرحبا');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Response>');
    await waitFor('reply', () => provider.requests.length === 1);
    const [sent] = provider.requests;
    expect(sent!.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(sent!.headers.authorization).toBe(`Basic ${Buffer.from(`AC123:${TOKEN}`).toString('base64')}`);
    expect(sent!.body).toMatchObject({ To: '+966501234567', From: NUMBER });
    expect(sent!.body.Body).toContain('جمعية قلم العلمية');
    expect(sent!.body.Body).toMatch(/\n1\. /);
    // Our key rides in the StatusCallback URL, so status callbacks name the reply.
    const key = sql<{ id: string }>("SELECT channel_message_id id FROM messages WHERE direction = 'out' ORDER BY rowid")[0]!.id;
    expect(sent!.body.StatusCallback).toBe(`${base}/channels/sms/twilio/status?key=${encodeURIComponent(key)}`);

    await sms('+966501234567', 'إيقاف');
    await waitFor('stop confirmation', () => provider.requests.length === 2);
    expect(sql<{ opted_out: number }>('SELECT opted_out FROM contacts')[0]!.opted_out).toBe(1);
    await sms('+966501234567', 'START');
    await waitFor('start reply', () => provider.requests.length === 3);
    expect(sql<{ opted_out: number }>('SELECT opted_out FROM contacts')[0]!.opted_out).toBe(0);

    // Delivery status callback: undelivered joins the dead letters.
    expect((await signedPost('/channels/sms/twilio/status', { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' })).status).toBe(204);
    // Signed over a URL without the key it was given: refused.
    expect((await signedPost(`/channels/sms/twilio/status?key=${key}`, { MessageSid: 'SM1', MessageStatus: 'delivered' }, twilioSignature(TOKEN, `${base}/channels/sms/twilio/status`, { MessageSid: 'SM1', MessageStatus: 'delivered' }))).status).toBe(403);
    expect((await service.deadLetters('qalam')).map((d) => d.error)).toEqual(['error 30003']);
  });

  it('speaks to a generic HTTP gateway with its own field names and token', async () => {
    await setup((providerUrl) => ({
      kind: 'gateway',
      sendUrl: `${providerUrl}/api/send`,
      authorization: 'Bearer gw-key',
      format: 'json',
      fields: { to: 'mobile', from: 'sender', text: 'msg' },
      idPath: 'data.id',
      inboundToken: 'gateway-inbound-token',
      inboundFields: { from: 'msisdn', to: 'shortcode', text: 'message', id: 'msg_id' },
    }));
    const post = (body: unknown, token?: string) =>
      fetch(`${base}/channels/sms/gateway`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { 'x-gateway-token': token } : {}) }, body: JSON.stringify(body) });
    const message = { msisdn: '966551112222', shortcode: NUMBER, message: 'الحالة', msg_id: 'g-1' };
    expect((await post(message)).status).toBe(403);
    expect((await post(message, 'wrong')).status).toBe(403);
    expect((await post({ msisdn: '9665' }, 'gateway-inbound-token')).status).toBe(400);
    expect((await post(message, 'gateway-inbound-token')).status).toBe(200);
    await waitFor('reply', () => provider.requests.length === 1);
    const [sent] = provider.requests;
    expect(sent!.path).toBe('/api/send');
    expect(sent!.headers.authorization).toBe('Bearer gw-key');
    expect(Object.keys(sent!.body).sort()).toEqual(['mobile', 'msg', 'sender']);
    expect(sent!.body).toMatchObject({ mobile: '966551112222', sender: NUMBER });
    await waitFor('provider id stored', () => sql<{ provider_message_id: string }>("SELECT provider_message_id FROM messages WHERE direction = 'out'")[0]?.provider_message_id === 'gw-1');
  });
});

describe('sms through Twilio: a send whose answer is lost', { timeout: 60_000 }, () => {
  let twilioFake: FakeTwilio;
  const PERSON = '+966501239876';

  async function setupTwilio() {
    twilioFake = await new FakeTwilio('AC123', TOKEN).start();
    const port = await freePort();
    rig = await channelRig({
      redisUrl: redis.url,
      http: true,
      port,
      limits: { sms: { max: 1000 } },
      makeAdapter: (svc) =>
        new SmsAdapter({
          numbers: [{ associationId: 'qalam', number: NUMBER }],
          driver: { kind: 'twilio', accountSid: 'AC123', authToken: TOKEN, apiBase: twilioFake.url, publicUrl: `http://127.0.0.1:${port}` },
          onReceipt: (id, status, error) => svc.recordReceipt('sms', id, status, error),
          onKeyedReceipt: (id, providerMessageId, status, error) => svc.recordReceiptByKey('sms', id, providerMessageId, status, error),
          outboundStatus: (id) => svc.outboundStatus(id),
        }),
    });
    ({ db, service, base } = rig);
    // The shared afterEach stops `provider`: give it one that is never used.
    provider = await new FakeProvider().start();
  }

  afterEach(async () => {
    await twilioFake?.stop();
  });

  const outbound = () =>
    sql<{ id: string; status: string; provider_message_id: string | null; body: string }>(
      "SELECT channel_message_id id, status, provider_message_id, body FROM messages WHERE direction = 'out' ORDER BY rowid",
    );
  const settled = () => waitFor('the reply settled', () => outbound().length === 1 && !['queued', 'sending'].includes(outbound()[0]!.status) && outbound()[0]!);

  it('stored, then the connection dropped: the message list has our text since the attempt, so it is sent, once', async () => {
    await setupTwilio();
    twilioFake.faultNext('store-then-drop');
    await sms(PERSON, 'مرحبا');
    const out = await settled();
    expect(out.status).toBe('sent');
    expect(twilioFake.lookups).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300)); // a wrong resend would have arrived by now
    expect(twilioFake.to(PERSON)).toHaveLength(1);
    expect(await service.deadLetters()).toEqual([]);
  });

  it('dropped before Twilio stored it: the list does not have it, so it is sent again, exactly once', async () => {
    await setupTwilio();
    twilioFake.faultNext('drop-unstored');
    await sms(PERSON, 'مرحبا');
    const out = await settled();
    expect(out.status).toBe('sent');
    expect(twilioFake.lookups).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(twilioFake.to(PERSON)).toHaveLength(1);
    expect(out.provider_message_id).toBe(twilioFake.to(PERSON)[0]!.sid);
  });

  it('the same words sent to the same person before the attempt are not taken for this reply', async () => {
    await setupTwilio();
    await sms(PERSON, 'مرحبا');
    const [first] = await waitFor('the first reply', () => twilioFake.to(PERSON).length === 1 && twilioFake.to(PERSON));
    // That reply went out a minute ago; the same menu now goes again and is lost before Twilio stores it.
    first!.dateCreated = new Date(Date.now() - 60_000);
    await waitFor('first sent', () => outbound()[0]?.status === 'sent');
    twilioFake.faultNext('drop-unstored');
    await sms(PERSON, 'مرحبا');
    await waitFor('the second reply', () => twilioFake.to(PERSON).length === 2);
    await waitFor('both sent', () => outbound().length === 2 && outbound().every((o) => o.status === 'sent'));
    const [a, b] = twilioFake.to(PERSON);
    expect(b!.body).toBe(a!.body); // the same text, yet the old one did not count as the new one
    expect(twilioFake.lookups).toBeGreaterThanOrEqual(1);
  });

  it('a failing message list is asked again, never taken as an answer; then the reply is found, once', async () => {
    await setupTwilio();
    twilioFake.lookupsFail = 3;
    twilioFake.faultNext('store-then-500');
    await sms(PERSON, 'مرحبا');
    const out = await settled();
    expect(out.status).toBe('sent');
    expect(twilioFake.failedLookups).toBe(3);
    expect(twilioFake.lookups).toBeGreaterThanOrEqual(4);
    expect(twilioFake.to(PERSON)).toHaveLength(1);
    expect(await service.deadLetters()).toEqual([]);
  });

  it("Twilio's status callback names the reply by the key in its URL: marked delivered with its sid while the list is down", async () => {
    await setupTwilio();
    twilioFake.lookupsFail = 1_000_000;
    twilioFake.faultNext('store-then-drop');
    await sms(PERSON, 'مرحبا');
    await waitFor('a failed lookup', () => twilioFake.failedLookups >= 1);
    expect(outbound()[0]!.status).toBe('sending');
    const [m] = twilioFake.to(PERSON);
    expect(await twilioFake.postStatus(m!, 'delivered')).toBe(204);
    expect(outbound()[0]).toMatchObject({ status: 'delivered', provider_message_id: m!.sid });
    await new Promise((r) => setTimeout(r, 300));
    expect(twilioFake.to(PERSON)).toHaveLength(1);
    expect(await service.deadLetters()).toEqual([]);
  });
});
