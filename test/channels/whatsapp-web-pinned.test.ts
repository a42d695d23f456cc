/**
 * WhatsApp web sessions pinned to one gateway: two gateways (two adapters, each with its own
 * Redis leases) configured for the same association share one redis-server. The first starts
 * the client; the second does not, and says which gateway holds it (host and pid) in its log,
 * its status and the session the console reads; when the first stops, the second takes over;
 * a gateway that finds its lease taken stops its client. whatsapp-web.js's Client is faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { RedisLeases } from '../../src/pipeline/lease.ts';
import { WhatsAppWebAdapter, type WebClient } from '../../src/channels/whatsapp-web.ts';
import { SendError } from '../../src/channels/types.ts';

class FakeClient extends EventEmitter implements WebClient {
  destroyed = false;
  async initialize() {
    setTimeout(() => this.emit('qr', '2@fake'), 5);
  }
  async getState() {
    return 'CONNECTED';
  }
  async sendMessage() {
    return { id: { _serialized: 'x' } };
  }
  async destroy() {
    this.destroyed = true;
  }
}

const redis = new TestRedis();
beforeAll(() => redis.start().then(() => undefined), 30_000);
afterAll(() => redis.stop());

interface Gateway {
  adapter: WhatsAppWebAdapter;
  leases: RedisLeases;
  clients: FakeClient[];
  alerts: string[];
  logs: string[];
}

const running: Gateway[] = [];

async function gateway(opts: { ttlMs?: number; leaseRetryMs?: number } = {}): Promise<Gateway> {
  const logs: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void logs.push(s) });
  const leases = new RedisLeases({ redis: { url: redis.url }, prefix: 'pin', log, ttlMs: opts.ttlMs ?? 3000 });
  const clients: FakeClient[] = [];
  const alerts: string[] = [];
  const adapter = new WhatsAppWebAdapter({
    associations: ['sidr'],
    dataDir: '/tmp',
    chromium: '/usr/bin/chromium',
    leases: () => leases,
    leaseRetryMs: opts.leaseRetryMs ?? 200,
    createClient: () => {
      const c = new FakeClient();
      clients.push(c);
      return c;
    },
    onAlert: (a) => alerts.push(a.type),
  });
  await adapter.start({ ingest: async () => undefined, log });
  const g = { adapter, leases, clients, alerts, logs };
  running.push(g);
  return g;
}

async function stop(g: Gateway) {
  await g.adapter.stop();
  await g.leases.close();
  running.splice(running.indexOf(g), 1);
}

afterEach(async () => {
  for (const g of [...running]) await stop(g);
  const r = new Redis(redis.url);
  await r.flushall();
  r.disconnect();
});

const outbound = { id: 'o1', associationId: 'sidr', conversationId: 'c', channel: 'whatsapp-web', address: '966500000001@c.us', text: 'hi', lang: 'ar' as const };

describe('whatsapp web: one gateway per session', () => {
  it('a second gateway does not start the client and names the one that runs it; it takes over when that one stops', async () => {
    const first = await gateway();
    await waitFor('first: qr', () => first.adapter.session('sidr')?.state === 'qr');
    expect(first.clients).toHaveLength(1);

    const second = await gateway();
    await waitFor('second: elsewhere', () => second.adapter.session('sidr')?.state === 'elsewhere');
    await new Promise((r) => setTimeout(r, 700)); // several retries
    expect(second.clients).toHaveLength(0);
    const holder = `${hostname()} (pid ${process.pid}`;
    expect(second.adapter.status()).toContain(`sidr: runs on another gateway: ${holder}`);
    expect(second.adapter.session('sidr')?.error).toContain(holder);
    const errors = second.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
    // Said once, not at every retry.
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain('already runs on another gateway');
    expect(errors[0]!.msg).toContain(holder);
    expect(second.alerts).toEqual(['whatsapp_session_elsewhere']);
    // A reply this gateway picks up waits for the one that runs the session.
    const err = await second.adapter.send(outbound).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).message).toContain('runs on another gateway');
    expect(first.clients[0]!.destroyed).toBe(false);

    await stop(first);
    expect(first.clients[0]!.destroyed).toBe(true);
    await waitFor('second takes over', () => second.clients.length === 1 && second.adapter.session('sidr')?.state === 'qr', 5000);
  });

  it('a gateway whose lease was taken stops its client', async () => {
    const g = await gateway({ ttlMs: 600, leaseRetryMs: 60_000 });
    await waitFor('qr', () => g.adapter.session('sidr')?.state === 'qr');
    // Another gateway holds it now (as after a Redis outage longer than the lease's life).
    const r = new Redis(redis.url);
    await r.set('pin:lease:whatsapp-web:sidr', JSON.stringify({ host: 'gw-b', pid: 4242, since: new Date().toISOString(), token: 'other' }), 'PX', 60_000);
    r.disconnect();
    await waitFor('client stopped', () => g.clients[0]!.destroyed, 3000);
    expect(g.adapter.session('sidr')?.state).toBe('elsewhere');
    expect(g.adapter.status()).toContain('gw-b (pid 4242');
  });

  it('releases the lease on stop, and a restart of its own client keeps it', async () => {
    const g = await gateway();
    await waitFor('qr', () => g.adapter.session('sidr')?.state === 'qr');
    const r = new Redis(redis.url);
    const held = JSON.parse((await r.get('pin:lease:whatsapp-web:sidr'))!) as { host: string; pid: number; token: string };
    expect(held).toMatchObject({ host: hostname(), pid: process.pid });
    g.clients[0]!.emit('disconnected', 'NAVIGATION');
    await waitFor('restarted', () => g.clients.length === 2 && g.adapter.session('sidr')?.state === 'qr', 5000);
    expect((JSON.parse((await r.get('pin:lease:whatsapp-web:sidr'))!) as { token: string }).token).toBe(held.token);
    await stop(g);
    expect(await r.get('pin:lease:whatsapp-web:sidr')).toBeNull();
    r.disconnect();
  });
});
