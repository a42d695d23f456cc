/**
 * The real pipeline (BullMQ on a real redis-server, the conversation service, the engine) on
 * the PostgreSQL store: a whole intake, and many people writing at once while PostgreSQL
 * itself crashes and comes back — every message handled once, every reply sent once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis } from '../support/redis.ts';
import { MemorySink } from '../support/sink.ts';
import { waitFor } from '../support/wait.ts';
import { quickPipeline } from '../support/store.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import type { Store } from '../../src/store/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import type { Pipeline } from '../../src/pipeline/pipeline.ts';

const redis = new TestRedis();
let cluster: TestPostgres;
let dir: string;
beforeAll(async () => {
  [cluster] = await Promise.all([startPostgres(), redis.start()]);
  dir = mkdtempSync(join(tmpdir(), 'tawasul-pgpipe-'));
}, 60_000);
afterAll(async () => {
  await redis.stop();
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let store: Store | undefined;
let pipeline: Pipeline | undefined;
let client: pg.Client | undefined;
let n = 0;
afterEach(async () => {
  await pipeline?.close();
  await store?.close();
  await client?.end();
  pipeline = store = client = undefined;
});

async function setup(sink: MemorySink) {
  const url = await cluster.createDatabase();
  store = await openPostgresStore(url);
  const service = new ConversationService({ store, flows: FLOWS, mediaDir: join(dir, `media-${++n}`) });
  pipeline = quickPipeline(service, redis.url, `pg${n}`);
  pipeline.start({ engine: true, senders: [sink] });
  client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  // The test's own connection survives a server restart by reconnecting.
  const sql = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await client!.query(text, values)).rows as T[];
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
        await client!.end().catch(() => {});
        client = new pg.Client({ connectionString: url });
        client.on('error', () => {});
        await client.connect().catch(() => {});
      }
    }
  };
  return { service, sql };
}

describe('pipeline on PostgreSQL', () => {
  it('carries a whole intake through the queues, replies in order, and verifies the request', async () => {
    const sink = new MemorySink('t');
    const { service, sql } = await setup(sink);
    const settled = async (conversationId: string) =>
      waitFor('settled', async () => {
        const [row] = await sql<{ n: string }>(
          "SELECT count(*) AS n FROM messages WHERE conversation_id = $1 AND ((direction = 'in' AND status = 'pending') OR (direction = 'out' AND status IN ('queued', 'sending')))",
          [conversationId],
        );
        return Number(row!.n) === 0;
      });
    let i = 0;
    let conversationId = '';
    const send = async (text: string) => {
      conversationId = (await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '1001', messageId: `m-${++i}`, text })).conversationId;
      await settled(conversationId);
    };
    await send('السلام عليكم');
    expect(sink.deliveries.at(-1)?.text).toContain('جمعية قلم العلمية');
    await send('١');
    for (const a of validAnswers(FLOWS.get('qalam')!, 'intake', new Date())) {
      if ('file' in a) {
        const media = await service.storeMedia('qalam', { path: join(ROOT, a.file), mime: 'application/pdf', filename: 'id.pdf' });
        await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '1001', messageId: `m-${++i}`, media });
        await settled(conversationId);
      } else await send(a.text);
    }
    await send('1');
    expect(sink.for(conversationId).at(-1)?.text).toMatch(/QLM-\d{4}-00001/);
    const produced = (await sql<{ id: string }>("SELECT channel_message_id AS id FROM messages WHERE direction = 'out' ORDER BY seq")).map((r) => r.id);
    expect(sink.deliveries.map((d) => d.id)).toEqual(produced);
    const req = await waitFor('verification', async () => (await sql<{ checks: Array<{ check: string; ok: boolean }> }>("SELECT checks FROM requests WHERE status = 'verifying'"))[0]);
    expect(req.checks.map((c) => c.check).sort()).toEqual(['documents', 'duplicate_open_request', 'id_checksum', 'required_fields']);
    expect(req.checks.every((c) => c.ok)).toBe(true);
  }, 120_000);

  it('many people at once while PostgreSQL crashes and restarts: every message handled once, every reply sent once, in order', async () => {
    const sink = new MemorySink('t');
    const { sql } = await setup(sink);
    const PEOPLE = 12;
    const EACH = 4;
    const texts = ['السلام عليكم', '٢', 'القائمة', 'شكرا'];
    let refused = 0;
    const ingest = async (p: number, k: number) => {
      // A gateway retries an ingest the store could not take (the platform redelivers).
      for (let attempt = 0; ; attempt++) {
        try {
          return await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: `p${p}`, messageId: `p${p}-${k}`, text: texts[k]! });
        } catch (err) {
          refused++;
          if (attempt > 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const writers = Array.from({ length: PEOPLE }, async (_, p) => {
      for (let k = 0; k < EACH; k++) {
        await ingest(p, k);
        await new Promise((r) => setTimeout(r, 80 + Math.random() * 120));
      }
    });
    // Crash the server while they write.
    await new Promise((r) => setTimeout(r, 250));
    await cluster.restart({ mode: 'immediate', downMs: 700 });
    await Promise.all(writers);
    // The crash hit while they wrote: some ingests were refused and retried.
    expect(refused).toBeGreaterThan(0);

    await waitFor(
      'every message handled and every reply sent',
      async () => {
        const [row] = await sql<{ pending: string; unsent: string; handled: string }>(
          `SELECT count(*) FILTER (WHERE direction = 'in' AND status = 'pending') AS pending,
                  count(*) FILTER (WHERE direction = 'out' AND status <> 'sent') AS unsent,
                  count(*) FILTER (WHERE direction = 'in' AND status = 'processed') AS handled FROM messages`,
        );
        return Number(row!.pending) === 0 && Number(row!.unsent) === 0 && Number(row!.handled) === PEOPLE * EACH;
      },
      60_000,
    );
    // Once each: one inbound row per platform id, one step per message (versions 1..n), one send per reply.
    const inbound = await sql<{ conversation_id: string; step_version: number }>("SELECT conversation_id, step_version FROM messages WHERE direction = 'in' ORDER BY seq");
    expect(inbound).toHaveLength(PEOPLE * EACH);
    const byConversation = new Map<string, number[]>();
    for (const m of inbound) byConversation.set(m.conversation_id, [...(byConversation.get(m.conversation_id) ?? []), m.step_version]);
    expect(byConversation.size).toBe(PEOPLE);
    for (const versions of byConversation.values()) expect(versions).toEqual(Array.from({ length: EACH }, (_, i) => i + 1));
    const ids = sink.deliveries.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Each person's replies were sent in the order the engine produced them.
    const out = await sql<{ conversation_id: string; id: string }>("SELECT conversation_id, channel_message_id AS id FROM messages WHERE direction = 'out' ORDER BY seq");
    expect(ids.length).toBe(out.length);
    for (const conversationId of byConversation.keys()) {
      expect(sink.for(conversationId).map((d) => d.id)).toEqual(out.filter((o) => o.conversation_id === conversationId).map((o) => o.id));
    }
  }, 120_000);
});
