/**
 * Two "machines" that share only PostgreSQL and Redis: two `tawasul worker` processes and a
 * `tawasul gateway --channel loopback`, each in its own DATA_DIR, handle one association's
 * traffic; one worker is SIGKILLed under load. Every message handled once, in order; every
 * reply delivered once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { QUICK_RECOVERY, startRole } from '../support/roles.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { FLOWS } from '../support/scenario.ts';
import { TestRedis } from '../support/redis.ts';
import { HttpSink } from '../support/sink.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import type { Store } from '../../src/store/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';

let cluster: TestPostgres;
let redis: TestRedis;
let sink: HttpSink;
let url: string;
let root: string;
let store: Store;
let producer: Pipeline;
let client: pg.Client;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [cluster, redis, sink] = await Promise.all([startPostgres(), new TestRedis().start(), new HttpSink().start()]);
  url = await cluster.createDatabase();
  root = mkdtempSync(join(tmpdir(), 'tawasul-2m-'));
  store = await openPostgresStore(url);
  // The test is the inbound side of a channel: it accepts messages into the shared store and queue.
  const service = new ConversationService({ store, flows: FLOWS, mediaDir: join(root, 'producer-media') });
  producer = new Pipeline({ service, redis: { url: redis.url }, log: pino({ level: 'silent' }), prefix: 'm2' });
  client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
}, 60_000);

afterAll(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await producer?.close();
  await store?.close();
  await client?.end();
  await sink?.stop();
  await redis?.stop();
  await cluster?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Starts a process role on its own "machine" (data folder) and resolves once it logs that it started. */
function role(machine: string, args: string[]): Promise<ChildProcess> {
  const { DB_PATH: _db, DATA_DIR: _data, MEDIA_DIR: _media, ...env } = process.env;
  return startRole(args, { ...env, DATABASE_URL: url, REDIS_URL: redis.url, DATA_DIR: join(root, machine), QUEUE_PREFIX: 'm2', LOOPBACK_URL: sink.url, ...QUICK_RECOVERY }, children);
}

/** The test's own queries; its connection is opened again after the server restarted. */
async function sql<T>(text: string, values: unknown[] = []): Promise<T[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await client.query(text, values)).rows as T[];
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
      await client.end().catch(() => {});
      client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect().catch(() => {});
    }
  }
}

describe('two machines sharing PostgreSQL and Redis', { timeout: 120_000 }, () => {
  it('handle one association with every message once, in order, with a worker SIGKILLed and PostgreSQL crashed under load', async () => {
    const workers = await Promise.all([role('machine-a', ['worker']), role('machine-b', ['worker'])]);
    const gateway = await role('machine-c', ['gateway', '--channel', 'loopback']);
    let restarted: Promise<void> | undefined;
    const words = ['السلام عليكم', '٢', 'القائمة', 'الحالة', 'شكرا', 'menu'];
    const PEOPLE = 24;
    const EACH = 6;
    let sent = 0;
    for (let k = 0; k < EACH; k++) {
      for (let p = 0; p < PEOPLE; p++) {
        // The inbound side retries what the store could not take while it was down (platforms redeliver).
        for (let attempt = 0; ; attempt++) {
          try {
            await producer.ingest({ associationId: 'qalam', channel: 'loopback', address: `p${p}`, messageId: `p${p}-${k}`, text: words[k]! });
            break;
          } catch (err) {
            if (attempt > 100) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        ++sent;
        if (sent === 40) workers[0]!.kill('SIGKILL');
        if (sent === 80) restarted = cluster.restart({ mode: 'immediate', downMs: 1000 });
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await restarted;
    const total = PEOPLE * EACH;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [s] = await sql<{ inbound: number; pending: number; unsent: number }>(
        `SELECT count(*) FILTER (WHERE direction = 'in')::int AS inbound,
                count(*) FILTER (WHERE direction = 'in' AND status = 'pending')::int AS pending,
                count(*) FILTER (WHERE direction = 'out' AND status IN ('queued', 'sending'))::int AS unsent FROM messages`,
      );
      if (s!.inbound === total && s!.pending === 0 && s!.unsent === 0) break;
      if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The worker and the gateway that were not killed lived through the database's crash.
    expect(workers[1]!.exitCode).toBeNull();
    expect(gateway.exitCode).toBeNull();

    const inbound = await sql<{ conversation_id: string; step_version: number; status: string }>("SELECT conversation_id, step_version, status FROM messages WHERE direction = 'in' ORDER BY seq");
    expect(inbound.every((m) => m.status === 'processed')).toBe(true);
    const byConversation = new Map<string, number[]>();
    for (const m of inbound) byConversation.set(m.conversation_id, [...(byConversation.get(m.conversation_id) ?? []), m.step_version]);
    expect(byConversation.size).toBe(PEOPLE);
    for (const [conv, steps] of byConversation) expect(steps, `conversation ${conv}`).toEqual(steps.map((_, i) => i + 1));

    const outbound = await sql<{ id: string; conversation_id: string; status: string }>("SELECT channel_message_id AS id, conversation_id, status FROM messages WHERE direction = 'out' ORDER BY seq");
    expect(outbound.filter((o) => o.status !== 'sent')).toEqual([]);
    expect(sink.duplicates()).toEqual([]);
    expect(new Set(sink.deliveries.map((d) => d.id))).toEqual(new Set(outbound.map((o) => o.id)));
    for (const conv of byConversation.keys()) {
      const produced = outbound.filter((o) => o.conversation_id === conv).map((o) => o.id);
      expect(sink.deliveries.filter((d) => d.conversationId === conv).map((d) => d.id), `delivery order in ${conv}`).toEqual(produced);
    }
  });
});
