/**
 * The whatsapp-web.js transport against a fake Client with the library's event and method
 * surface (qr, authenticated, ready, message, disconnected; initialize, getState,
 * sendMessage, destroy), through the real pipeline and HTTP server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ROOT } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { channelRig, type Rig } from '../support/rig.ts';
import { type Db } from '../../src/store/db.ts';
import { WhatsAppWebAdapter, installRejectionGuard, type WebClient, type WebMessage } from '../../src/channels/whatsapp-web.ts';

/** Behaves like whatsapp-web.js's Client as seen from outside. */
class FakeClient extends EventEmitter implements WebClient {
  readonly sent: Array<{ chatId: string; content: string }> = [];
  destroyed = false;
  state: string | null = 'CONNECTED';
  hangGetState = false;
  async initialize() {
    setTimeout(() => this.emit('qr', `2@fake-qr-${Math.random()}`), 5);
  }
  scan() {
    this.emit('authenticated');
    this.emit('ready');
  }
  async getState() {
    if (this.hangGetState) return new Promise<string>(() => undefined);
    return this.state;
  }
  async sendMessage(chatId: string, content: string) {
    this.sent.push({ chatId, content });
    return { id: { _serialized: `true_${chatId}_OUT${this.sent.length}` } };
  }
  async destroy() {
    this.destroyed = true;
  }
  receive(from: string, id: string, body: string, extra: Partial<WebMessage> = {}) {
    const msg: WebMessage = { id: { _serialized: id }, from, fromMe: false, body, type: 'chat', hasMedia: false, timestamp: Math.floor(Date.now() / 1000), downloadMedia: async () => undefined, ...extra };
    this.emit('message', msg);
  }
}

const redis = new TestRedis();
beforeAll(() => redis.start().then(() => undefined), 30_000);
afterAll(() => redis.stop());

let rig: Rig<WhatsAppWebAdapter>;
let db: Db;
let adapter: WhatsAppWebAdapter;
let clients: FakeClient[];
let alerts: string[];
let base = '';
const ADMIN = 'admin-token-0123456789';

async function setup(watchdogMs = 60_000) {
  clients = [];
  alerts = [];
  rig = await channelRig({
    redisUrl: redis.url,
    http: true,
    makeAdapter: () =>
      new WhatsAppWebAdapter({
        associations: ['sidr'],
        dataDir: tmpdir(),
        chromium: '/usr/bin/chromium',
        adminToken: ADMIN,
        watchdogMs,
        createClient: () => {
          const c = new FakeClient();
          clients.push(c);
          return c;
        },
        onAlert: (a) => alerts.push(a.type),
      }),
  });
  ({ db, adapter, base } = rig);
}

afterEach(() => rig.close());

const sql = <T>(q: string, ...p: unknown[]) => db.$client.prepare(q).all(...p) as T[];

describe('whatsapp web session', () => {
  it('asks for a QR scan (alert, admin endpoint), then answers messages once linked', async () => {
    await setup();
    await waitFor('qr', () => adapter.session('sidr')?.state === 'qr');
    expect(alerts).toContain('whatsapp_qr_needed');
    expect((await fetch(`${base}/admin/whatsapp-web/sidr/qr`)).status).toBe(401);
    const qr = (await (await fetch(`${base}/admin/whatsapp-web/sidr/qr`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { state: string; qr: string };
    expect(qr.state).toBe('qr');
    expect(qr.qr).toMatch(/^2@fake-qr-/);
    expect(adapter.status()).toBe('sidr: qr');

    clients[0]!.scan();
    expect(adapter.status()).toBe('up');
    clients[0]!.receive('966501234567@c.us', 'false_966501234567@c.us_AAA1', 'السلام عليكم');
    clients[0]!.receive('966501234567@c.us', 'false_966501234567@c.us_AAA1', 'السلام عليكم'); // redelivered
    clients[0]!.receive('120363000000@g.us', 'false_group_1', 'مرحبا'); // a group: ignored
    clients[0]!.receive('966501234567@c.us', 'true_me_1', 'x', { fromMe: true });
    await waitFor('reply', () => clients[0]!.sent.length === 1);
    expect(clients[0]!.sent[0]!.chatId).toBe('966501234567@c.us');
    expect(clients[0]!.sent[0]!.content).toContain('سدر');
    expect(clients[0]!.sent[0]!.content).toMatch(/\n1\. /); // numbered choices
    await new Promise((r) => setTimeout(r, 300));
    expect(clients[0]!.sent).toHaveLength(1);
    expect(sql("SELECT id FROM messages WHERE direction = 'in'")).toHaveLength(1);
  });

  it('takes a document sent as media', async () => {
    await setup();
    await waitFor('qr', () => adapter.session('sidr')?.state === 'qr');
    clients[0]!.scan();
    const pdf = readFileSync(join(ROOT, 'test/fixtures/id-card.pdf'));
    clients[0]!.receive('966501234567@c.us', 'false_x_M1', '', { type: 'document', hasMedia: true, downloadMedia: async () => ({ mimetype: 'application/pdf', data: pdf.toString('base64'), filename: 'id.pdf' }) });
    await waitFor('stored', () => sql('SELECT id FROM media').length === 1);
    expect(sql<{ size: number; filename: string }>('SELECT size, filename FROM media')[0]).toEqual({ size: pdf.length, filename: 'id.pdf' });
  });

  it('restarts a session the watchdog finds unresponsive, and keeps replies waiting meanwhile', async () => {
    await setup(200);
    await waitFor('qr', () => adapter.session('sidr')?.state === 'qr');
    clients[0]!.scan();
    clients[0]!.hangGetState = true; // the network went; the library says nothing
    await waitFor('restart', () => clients.length === 2, 10_000);
    expect(clients[0]!.destroyed).toBe(true);
    // A reply produced while the session is down waits (retry), and goes once the new session is ready.
    clients[1]!.receive('966509999999@c.us', 'false_y_1', 'مرحبا');
    await waitFor('qr again', () => adapter.session('sidr')?.state === 'qr', 10_000);
    clients[1]!.scan();
    await waitFor('reply after restart', () => clients[1]!.sent.length === 1, 15_000);
  });

  it("logs the library's unhandled rejections instead of dying", () => {
    const lines: string[] = [];
    const listener = installRejectionGuard(pino({ level: 'error' }, { write: (s: string) => void lines.push(s) }));
    listener(new Error('Execution context was destroyed, most likely because of a navigation.'));
    expect(lines.join('')).toContain('Execution context was destroyed');
    expect(process.listeners('unhandledRejection').length).toBeGreaterThan(0);
  });
});
