/**
 * The pipeline's guarantees with real processes: several `tawasul worker` processes and a
 * `tawasul gateway --channel loopback` process sending to an HTTP receiver, against a real
 * redis-server — under load, with a worker SIGKILLed and with Redis restarted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { QUICK_RECOVERY, startRole } from '../support/roles.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FLOWS } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import { HttpSink } from '../support/sink.ts';
import { FaultyReceiver } from '../support/receiver.ts';
import type { Db } from '../../src/store/db.ts';
import { openTestStore } from '../support/store.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';

let redis: TestRedis;
let sink: HttpSink;
let dir: string;
let db: Db;
let closeStore: () => Promise<void>;
let producer: Pipeline;
const children: ChildProcess[] = [];

beforeEach(async () => {
  ingestedAt.clear();
  redis = await new TestRedis().start();
  sink = await new HttpSink().start();
  dir = mkdtempSync(join(tmpdir(), 'tawasul-faults-'));
  const t = openTestStore(join(dir, 't.db'));
  ({ db, close: closeStore } = t);
  const service = new ConversationService({ store: t.store, flows: FLOWS, mediaDir: join(dir, 'media') });
  // The test is the inbound gateway: it accepts messages as a channel would.
  producer = new Pipeline({ service, redis: { url: redis.url }, log: pino({ level: 'silent' }), prefix: 'f' });
}, 30_000);

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await producer.close();
  await closeStore();
  await sink.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a process role and resolves once it logs that it started. */
function role(args: string[], env: Record<string, string | undefined> = {}): Promise<ChildProcess> {
  return startRole(
    args,
    { ...process.env, REDIS_URL: redis.url, DB_PATH: join(dir, 't.db'), MEDIA_DIR: join(dir, 'media'), QUEUE_PREFIX: 'f', LOOPBACK_URL: sink.url, ...QUICK_RECOVERY, ...env },
    children,
  );
}

const sql = <T>(q: string, ...p: unknown[]) => db.$client.prepare(q).all(...p) as T[];


/** When each inbound message was ingested, by its platform id (the load records it). */
const ingestedAt = new Map<string, number>();

/**
 * Acceptance → delivery of each message's first reply, from the receiver's clock: the reply
 * to the k-th message of a conversation is its step k+1 (`<conversation>.<k+1>.0`).
 */
function replyLatencies(deliveries: Array<{ id: string; at: number }>): Array<{ ingested: number; ms: number }> {
  const convOf = new Map(sql<{ id: string; address: string }>('SELECT v.id, k.address FROM conversations v JOIN contacts k ON k.id = v.contact_id').map((r) => [r.address, r.id]));
  const firstAt = new Map<string, number>();
  for (const d of deliveries) if (!firstAt.has(d.id)) firstAt.set(d.id, d.at);
  const out: Array<{ ingested: number; ms: number }> = [];
  for (const [messageId, at] of ingestedAt) {
    const [address, k] = messageId.split('-') as [string, string];
    const delivered = firstAt.get(`${convOf.get(address)}.${Number(k) + 1}.0`);
    if (delivered !== undefined) out.push({ ingested: at, ms: delivered - at });
  }
  return out;
}

/** Ingests `perConversation` messages for each of `conversations` people, interleaved, at about `rate` msg/s. */
async function load(conversations: number, perConversation: number, rate: number, during?: (sent: number) => Promise<void> | void) {
  const words = ['السلام عليكم', '٢', 'ما هي قنوات التواصل؟', 'القائمة', 'الحالة', 'English', 'menu', 'عربي', 'كم مدة الرد؟', 'شكرا'];
  let sent = 0;
  const total = conversations * perConversation;
  const start = Date.now();
  for (let k = 0; k < perConversation; k++) {
    for (let c = 0; c < conversations; c++) {
      ingestedAt.set(`p${c}-${k}`, Date.now());
      await producer.ingest({ associationId: c % 2 ? 'qalam' : 'sidr', channel: 'loopback', address: `p${c}`, messageId: `p${c}-${k}`, text: words[k % words.length]! });
      sent++;
      await during?.(sent);
      const due = start + (sent / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  }
  return total;
}

async function settled(expectedInbound: number, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const [s] = sql<{ inbound: number; pending: number; unsent: number }>(`
      SELECT (SELECT count(*) FROM messages WHERE direction = 'in') inbound,
             (SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'pending') pending,
             (SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('queued','sending')) unsent`);
    if (s!.inbound === expectedInbound && s!.pending === 0 && s!.unsent === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every accepted message handled once, in order; every reply sent once, in order. */
function assertExactlyOnceInOrder(expectedInbound: number) {
  const inbound = sql<{ conversation_id: string; step_version: number | null; status: string }>(
    "SELECT conversation_id, step_version, status FROM messages WHERE direction = 'in' ORDER BY rowid",
  );
  expect(inbound).toHaveLength(expectedInbound);
  expect(inbound.every((m) => m.status === 'processed')).toBe(true);
  const byConversation = new Map<string, number[]>();
  for (const m of inbound) byConversation.set(m.conversation_id, [...(byConversation.get(m.conversation_id) ?? []), m.step_version!]);
  const versions = new Map(sql<{ id: string; version: number }>('SELECT id, version FROM conversations').map((c) => [c.id, c.version]));
  for (const [conv, steps] of byConversation) {
    // Handled in the order accepted, each exactly once: versions 1, 2, 3, … with no gap or repeat.
    expect(steps, `conversation ${conv}`).toEqual(steps.map((_, i) => i + 1));
    expect(versions.get(conv)).toBe(steps.length);
  }
  const outbound = sql<{ id: string; conversation_id: string; status: string }>(
    "SELECT channel_message_id id, conversation_id, status FROM messages WHERE direction = 'out' ORDER BY rowid",
  );
  expect(outbound.filter((o) => o.status !== 'sent')).toEqual([]);
  expect(sink.duplicates()).toEqual([]);
  expect(new Set(sink.deliveries.map((d) => d.id))).toEqual(new Set(outbound.map((o) => o.id)));
  for (const conv of byConversation.keys()) {
    const produced = outbound.filter((o) => o.conversation_id === conv).map((o) => o.id);
    const delivered = sink.deliveries.filter((d) => d.conversationId === conv).map((d) => d.id);
    expect(delivered, `delivery order in ${conv}`).toEqual(produced);
  }
}

describe('pipeline under faults (several processes)', { timeout: 120_000 }, () => {
  it('keeps per-conversation order with three worker processes handling at once', async () => {
    await Promise.all([role(['worker']), role(['worker']), role(['worker']), role(['gateway', '--channel', 'loopback'])]);
    const total = await load(40, 8, 2000);
    await settled(total);
    assertExactlyOnceInOrder(total);
  });

  it('loses and repeats nothing when a worker and the gateway are SIGKILLed under load', async () => {
    const workers = await Promise.all([role(['worker']), role(['worker'])]);
    let gateway = await role(['gateway', '--channel', 'loopback']);
    let restarted: Promise<unknown> | undefined;
    const total = await load(50, 8, 400, (sent) => {
      if (sent === 150) {
        workers[0]!.kill('SIGKILL');
        gateway.kill('SIGKILL');
        restarted = (async () => {
          await new Promise((r) => setTimeout(r, 300));
          await role(['worker']);
          gateway = await role(['gateway', '--channel', 'loopback']);
        })();
      }
    });
    await restarted;
    await settled(total);
    assertExactlyOnceInOrder(total);
  });

  it('resumes after Redis restarts under load, with nothing accepted lost', async () => {
    await Promise.all([role(['worker']), role(['worker']), role(['gateway', '--channel', 'loopback'])]);
    let restarted: Promise<void> | undefined;
    const total = await load(50, 8, 400, (sent) => {
      if (sent === 120) restarted = redis.restart(1000);
    });
    await restarted;
    await settled(total);
    assertExactlyOnceInOrder(total);
  });

  it('a gateway SIGKILLed mid-send while the receiver loses answers and fails its lookups: no reply twice, none delivered dead-lettered', async () => {
    const receiver = await new FaultyReceiver().start();
    try {
      // Every fifth send is stored and then the connection drops before the answer; every
      // seventh is answered after 2 s, so the kill finds sends in flight that did arrive.
      receiver.slowMs = 2000;
      receiver.plan = (k) => (k % 5 === 1 ? 'store-then-drop' : k % 7 === 0 ? 'store-then-slow' : 'ok');
      const env = { LOOPBACK_URL: receiver.url };
      await Promise.all([role(['worker']), role(['worker'])]);
      let gateway = await role(['gateway', '--channel', 'loopback'], env);
      let restarted: Promise<unknown> | undefined;
      const total = await load(40, 6, 300, (sent) => {
        if (sent === 100) {
          gateway.kill('SIGKILL');
          // Lookups fail for the first seconds after the restart.
          receiver.lookupsFailUntil = Date.now() + 10_000;
          restarted = (async () => {
            await new Promise((r) => setTimeout(r, 300));
            gateway = await role(['gateway', '--channel', 'loopback'], env);
          })();
        }
      });
      await restarted;
      await settled(total, 90_000);
      const outbound = sql<{ id: string; conversation_id: string; status: string }>(
        "SELECT channel_message_id id, conversation_id, status FROM messages WHERE direction = 'out' ORDER BY rowid",
      );
      if (process.env.TEST_REPORT) console.log(`sends ${receiver.posts}, answers lost ${receiver.faults.get('store-then-drop')}, lookups ${receiver.lookups} (${receiver.failedLookups} failed), replies ${outbound.length}, duplicates ${receiver.duplicates().length}`);
      expect(receiver.faults.get('store-then-drop') ?? 0).toBeGreaterThan(10);
      expect(receiver.failedLookups).toBeGreaterThan(0);
      expect(receiver.duplicates()).toEqual([]);
      expect(outbound.filter((o) => o.status !== 'sent')).toEqual([]);
      expect(new Set(receiver.deliveries.map((d) => d.id))).toEqual(new Set(outbound.map((o) => o.id)));
      for (const conv of new Set(outbound.map((o) => o.conversation_id))) {
        const produced = outbound.filter((o) => o.conversation_id === conv).map((o) => o.id);
        expect(receiver.deliveries.filter((d) => d.conversationId === conv).map((d) => d.id), `order in ${conv}`).toEqual(produced);
      }
    } finally {
      await receiver.stop();
    }
  });

  // Production lock and stalled-check timing (QUEUE_LOCK_MS unset); the worst acceptance →
  // delivery latency of the messages accepted around and after each fault.
  const faults: Array<[string, (procs: { workers: ChildProcess[]; gateway: ChildProcess }) => Promise<unknown>]> = [
    ['a worker SIGKILLed', async ({ workers }) => {
      workers[0]!.kill('SIGKILL');
      await role(['worker'], { QUEUE_LOCK_MS: undefined });
    }],
    ['the gateway SIGKILLed', async ({ gateway }) => {
      gateway.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      await role(['gateway', '--channel', 'loopback'], { QUEUE_LOCK_MS: undefined });
    }],
    // Graceful stops: the stopped process hands its jobs back (or finishes them within a
    // short bound) and exits, so nothing waits for its locks to lapse.
    ['a worker SIGTERMed', async ({ workers }) => {
      stopMs = await stopGracefully(workers[0]!);
    }],
    // A rolling restart: the new gateway starts, then the old one is stopped; its sends not
    // yet on the wire go to the new one at once. (With one gateway, replies wait for its restart.)
    ['the gateway SIGTERMed after its replacement started', async ({ gateway }) => {
      await role(['gateway', '--channel', 'loopback'], { QUEUE_LOCK_MS: undefined });
      stopMs = await stopGracefully(gateway);
    }],
    ['Redis stopped with SIGTERM for 1 s', () => redis.restart(1000)],
    ['Redis SIGKILLed (restarted by its supervisor)', async () => {
      redis.server.kill();
      await new Promise((r) => setTimeout(r, 100));
    }],
  ];
  /** How long the last gracefully stopped process took from SIGTERM to its exit. */
  let stopMs: number | undefined;
  async function stopGracefully(child: ChildProcess): Promise<number> {
    const t = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    expect(code, 'the process exits after SIGTERM').toBe(0);
    // The pipeline's close grace is 5 s: past it nothing is waited for.
    expect(Date.now() - t).toBeLessThan(10_000);
    return Date.now() - t;
  }
  for (const [fault, inject] of faults) {
    it(`recovers in seconds after ${fault}: worst reply latency after the fault`, async () => {
      stopMs = undefined;
      const defaults = { QUEUE_LOCK_MS: undefined };
      const workers = await Promise.all([role(['worker'], defaults), role(['worker'], defaults)]);
      const gateway = await role(['gateway', '--channel', 'loopback'], defaults);
      let at = 0;
      let recovered: Promise<unknown> | undefined;
      const total = await load(40, 8, 200, (sent) => {
        if (sent === 80) {
          at = Date.now();
          recovered = inject({ workers, gateway });
        }
      });
      await recovered;
      await settled(total, 90_000);
      assertExactlyOnceInOrder(total);
      const after = replyLatencies(sink.deliveries).filter((l) => l.ingested >= at - 2000);
      const worst = Math.max(...after.map((l) => l.ms));
      if (process.env.TEST_REPORT) console.log(`${fault}: worst reply latency after the fault ${(worst / 1000).toFixed(1)} s over ${after.length} replies${stopMs === undefined ? '' : `, stopped in ${(stopMs / 1000).toFixed(1)} s`}`);
      expect(worst).toBeLessThan(15_000);
    });
  }
});
