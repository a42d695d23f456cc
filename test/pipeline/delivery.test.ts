/**
 * Delivery under a misbehaving receiver, against a real redis-server, a real SQLite file and
 * a real HTTP receiver (the loopback channel): answers lost after the message was stored,
 * 500 after storing, answers too slow, 503 and 429 before storing, and status lookups that
 * fail. Every reply must arrive exactly once, and none that arrived may be dead-lettered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestRedis, freePort } from '../support/redis.ts';
import { FaultyReceiver, type PostFault } from '../support/receiver.ts';
import { MemorySink } from '../support/sink.ts';
import { waitFor } from '../support/wait.ts';
import type { Db } from '../../src/store/db.ts';
import { quickPipeline, tempStore, type TempStore } from '../support/store.ts';
import type { ConversationService } from '../../src/conversation/service.ts';
import type { Pipeline, PipelineOptions } from '../../src/pipeline/pipeline.ts';
import { LoopbackSender } from '../../src/channels/loopback.ts';
import { SendError, type Sender } from '../../src/channels/types.ts';

const redis = new TestRedis();
beforeAll(async () => {
  await redis.start();
}, 30_000);
afterAll(() => redis.stop());

let dir: string;
let db: Db;
let service: ConversationService;
let pipeline: Pipeline | undefined;
let receiver: FaultyReceiver;
let n = 0;
const alerts: string[] = [];

let store: TempStore;

async function setup() {
  store = tempStore('delivery');
  ({ dir, db, service } = store);
  receiver = await new FaultyReceiver().start();
  alerts.length = 0;
}

function start(senders: Sender[], opts: Partial<PipelineOptions> = {}) {
  pipeline = quickPipeline(service, redis.url, `d${++n}`, { onAlert: (a) => alerts.push(a.type), ...opts });
  pipeline.start({ engine: true, senders });
  return pipeline;
}

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
  await receiver.stop();
  store.close();
});

const sql = <T>(q: string, ...p: unknown[]) => store.sql<T>(q, ...p);

async function settled(ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const [s] = sql<{ pending: number; unsent: number }>(`
      SELECT (SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'pending') pending,
             (SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('queued','sending')) unsent`);
    if (s!.pending === 0 && s!.unsent === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const outbound = () =>
  sql<{ id: string; conversation_id: string; status: string; error: string | null }>(
    "SELECT channel_message_id id, conversation_id, status, error FROM messages WHERE direction = 'out' ORDER BY rowid",
  );

/** Every reply stored as sent, received exactly once, in the order produced per conversation. */
function assertEachOnceInOrder() {
  const out = outbound();
  expect(out.filter((o) => o.status !== 'sent')).toEqual([]);
  expect(receiver.duplicates()).toEqual([]);
  expect(new Set(receiver.deliveries.map((d) => d.id))).toEqual(new Set(out.map((o) => o.id)));
  for (const conv of new Set(out.map((o) => o.conversation_id))) {
    const produced = out.filter((o) => o.conversation_id === conv).map((o) => o.id);
    expect(receiver.deliveries.filter((d) => d.conversationId === conv).map((d) => d.id), `order in ${conv}`).toEqual(produced);
  }
}

describe('delivery when the answer to a send is lost', { timeout: 90_000 }, () => {
  it('never delivers a reply twice: stored-then-dropped, 500 after storing and too-slow answers are asked about, not resent', async () => {
    await setup();
    // Most sends are fine; the rest fail in each way a platform can, stored or not.
    receiver.slowMs = 800;
    receiver.plan = (k): PostFault =>
      k % 4 === 1 ? 'store-then-drop' : k % 7 === 0 ? 'store-then-500' : k % 11 === 0 ? 'store-then-slow' : k % 5 === 0 ? 'refuse-503' : k % 13 === 0 ? 'refuse-429' : 'ok';
    start([new LoopbackSender(receiver.url, { channel: 'loopback', timeoutMs: 400 })]);
    const words = ['السلام عليكم', 'القائمة', 'الحالة', 'menu'];
    for (let k = 0; k < words.length; k++) {
      for (let c = 0; c < 20; c++) await pipeline!.ingest({ associationId: c % 2 ? 'qalam' : 'sidr', channel: 'loopback', address: `p${c}`, messageId: `p${c}-${k}`, text: words[k]! });
      await new Promise((r) => setTimeout(r, 100));
    }
    await settled(60_000);
    const stored = ['store-then-drop', 'store-then-500', 'store-then-slow'].reduce((a, f) => a + (receiver.faults.get(f as PostFault) ?? 0), 0);
    expect(stored).toBeGreaterThan(20); // the faults really happened
    assertEachOnceInOrder();
    expect(receiver.lookups).toBeGreaterThanOrEqual(stored);
  });

  it('a failed status lookup is asked again, never taken as an answer: nothing delivered is dead-lettered', async () => {
    await setup();
    // A gateway was killed with one send in flight per conversation; the receiver has half of
    // them, and answers 503 to every status lookup for the first 1.5 s after the restart.
    const inFlight: string[] = [];
    for (let c = 0; c < 30; c++) {
      const first = await service.handleInbound({ associationId: 'qalam', channel: 'loopback', address: `k${c}`, messageId: `k${c}-1`, text: 'مرحبا' });
      await service.handleInbound({ associationId: 'qalam', channel: 'loopback', address: `k${c}`, messageId: `k${c}-2`, text: 'الحالة' });
      const id = first.outbound[0]!.id;
      db.$client.prepare("UPDATE messages SET status = 'sending', attempts = 1 WHERE channel_message_id = ?").run(id);
      if (c % 2 === 0) receiver.has(id, first.conversationId);
      inFlight.push(id);
    }
    receiver.lookupsFailUntil = Date.now() + 1500;
    await new Promise((r) => setTimeout(r, 350)); // older than the sweep's grace
    start([new LoopbackSender(receiver.url, { channel: 'loopback', timeoutMs: 400 })]);
    await settled(60_000);
    expect(receiver.failedLookups).toBeGreaterThan(0);
    expect(await service.deadLetters()).toEqual([]);
    expect(receiver.duplicates()).toEqual([]);
    for (const id of inFlight) expect(receiver.received.get(id), id).toBe(1);
    expect(outbound().filter((o) => o.status !== 'sent')).toEqual([]);
  });

  it('a channel that cannot tell follows its policy: dead_letter makes an "unknown" dead letter and an alert; resend sends again', async () => {
    await setup();
    const make = (policy: 'dead_letter' | 'resend', channel: string) => {
      const sent: string[] = [];
      let failed = false;
      const sender: Sender = {
        channel,
        ambiguousPolicy: policy,
        async send(m) {
          sent.push(m.id);
          if (!failed) {
            failed = true;
            throw new SendError('socket hang up after sending', 'ambiguous');
          }
          return {};
        },
      };
      return { sender, sent };
    };
    const dl = make('dead_letter', 'cannot-tell');
    const rs = make('resend', 'harmless');
    start([dl.sender, rs.sender]);
    const a = await pipeline!.ingest({ associationId: 'qalam', channel: 'cannot-tell', address: 'a', messageId: 'a1', text: 'مرحبا' });
    const b = await pipeline!.ingest({ associationId: 'qalam', channel: 'harmless', address: 'b', messageId: 'b1', text: 'مرحبا' });
    await settled();
    const dead = await service.deadLetters();
    expect(dead.map((d) => [d.conversationId, d.status])).toEqual([[a.conversationId, 'unknown']]);
    expect(alerts).toContain('send_outcome_unknown');
    // The dead-lettered one was sent once (the ambiguous try), never again.
    expect(dl.sent.filter((id) => id === dead[0]!.id)).toHaveLength(1);
    // The resend channel sent its first reply twice (by its policy) and everything is sent.
    const first = sql<{ id: string }>("SELECT channel_message_id id FROM messages WHERE direction = 'out' AND conversation_id = ? ORDER BY rowid", b.conversationId)[0]!.id;
    expect(rs.sent.filter((id) => id === first)).toHaveLength(2);
  });
});

describe('the shared failure classifier on a real HTTP sender', { timeout: 30_000 }, () => {
  it('tells "never left" from "may have arrived" from "refused"', async () => {
    await setup();
    const sender = new LoopbackSender(receiver.url, { channel: 'loopback', timeoutMs: 300 });
    const msg = { id: 'x', associationId: 'qalam', conversationId: 'c', channel: 'loopback', address: 'a', text: 'hi', lang: 'ar' as const };
    const kind = async (s: Sender, fault?: PostFault) => {
      if (fault) receiver.plan = () => fault;
      return s.send(msg).then(() => 'sent', (e: SendError) => e.kind);
    };
    receiver.slowMs = 1000;
    expect(await kind(sender, 'ok')).toBe('sent');
    expect(await kind(sender, 'store-then-drop')).toBe('ambiguous');
    expect(await kind(sender, 'store-then-500')).toBe('ambiguous');
    expect(await kind(sender, 'store-then-slow')).toBe('ambiguous');
    expect(await kind(sender, 'refuse-503')).toBe('retry');
    expect(await kind(sender, 'refuse-429')).toBe('rate_limited');
    const closed = new LoopbackSender(`http://127.0.0.1:${await freePort()}/deliver`, { channel: 'loopback', timeoutMs: 300 });
    expect(await kind(closed)).toBe('retry');
    // A lookup that fails throws: it is never read as "not sent".
    receiver.lookupsFailUntil = Date.now() + 10_000;
    await expect(sender.wasSent('x')).rejects.toThrow(/503/);
    receiver.lookupsFailUntil = 0;
    expect(await sender.wasSent('x')).toBe(true);
    expect(await sender.wasSent('never')).toBe(false);
    // No pipeline in this test: a closable one for afterEach.
    pipeline = undefined;
  });
});

describe('sending while another process holds the write lock', { timeout: 30_000 }, () => {
  it('waits for the lock without blocking the event loop (inbound HTTP and other sends go on)', async () => {
    await setup();
    const sink = new MemorySink('t');
    const acc = await service.handleInbound({ associationId: 'qalam', channel: 't', address: 'w', messageId: 'w1', text: 'مرحبا' });
    start([sink], { sweepMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300)); // the pipeline's own start-up writes are done
    // Another process takes the write lock and keeps it for 600 ms, then commits.
    const other = new Database(join(dir, 't.db'));
    other.exec('BEGIN IMMEDIATE');
    const released = new Promise<void>((r) =>
      setTimeout(() => {
        other.exec('COMMIT');
        r();
      }, 600),
    );
    let last = Date.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      worstGap = Math.max(worstGap, Date.now() - last);
      last = Date.now();
    }, 10);
    try {
      await pipeline!.kickOutbound(acc.conversationId);
      await sink.until(() => sink.for(acc.conversationId).length > 0, 10_000, 'the reply');
      await released;
    } finally {
      clearInterval(tick);
      other.close();
    }
    // A synchronous busy wait would hold the loop until busy_timeout (5 s), never letting the
    // other side's COMMIT run; waiting asynchronously, the reply goes out right after it.
    expect(worstGap).toBeLessThan(250);
    // "sent" is recorded once the send returns, in the next group commit.
    const status = () => sql<{ status: string }>("SELECT status FROM messages WHERE direction = 'out' ORDER BY rowid LIMIT 1")[0]!.status;
    await waitFor('the reply marked sent', () => status() === 'sent', 5_000).catch(() => undefined);
    expect(status()).toBe('sent');
  });
});
