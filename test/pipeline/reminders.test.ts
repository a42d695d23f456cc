/**
 * Timers that supersede each other: every intake answer asks for a fresh 48-hour reminder.
 * Against a real redis-server: the store holds one open reminder per conversation and timer
 * (replaced, not added), Redis none until it is nearly due, then exactly that one; otherwise
 * Redis fills up with reminders nobody cancels.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis } from '../support/redis.ts';
import { MemorySink } from '../support/sink.ts';
import { waitFor } from '../support/wait.ts';
import type { Pipeline } from '../../src/pipeline/pipeline.ts';
import { quickPipeline, tempStore, type TempStore } from '../support/store.ts';
import { connect } from '../../src/pipeline/redis.ts';

const redis = new TestRedis();
beforeAll(async () => {
  await redis.start();
}, 30_000);
afterAll(() => redis.stop());

let store: TempStore | undefined;
let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  store?.close();
});

const sql = <T>(q: string, ...p: unknown[]) => store!.sql<T>(q, ...p);

describe('superseded timers', { timeout: 120_000 }, () => {
  it('keeps one pending intake reminder per conversation after a long intake run, in Redis only once it is nearly due', async () => {
    store = tempStore('timers');
    const { service } = store;
    const prefix = 'rem';
    pipeline = quickPipeline(service, redis.url, prefix, { strandedAfterMs: 500 });
    pipeline.start({ engine: true, senders: [new MemorySink('t')] });
    const people = 12;
    const flowId = 'saa-hajj';
    const answers = validAnswers(FLOWS.get(flowId)!, 'intake', new Date());
    const media = await service.storeMedia(flowId, { path: join(ROOT, 'test/fixtures/id-card.pdf'), mime: 'application/pdf', filename: 'id.pdf' });
    // Half stop before confirming (an intake left open), half submit.
    const script = [{ text: 'السلام عليكم' }, { text: '١' }, ...answers.map((a) => ('file' in a ? { media } : { text: a.text }))];
    for (const [k, step] of [...script, { text: '1' }].entries()) {
      for (let p = 0; p < people; p++) {
        if (k === script.length && p % 2 === 1) continue;
        await pipeline.ingest({ associationId: flowId, channel: 't', address: `u${p}`, messageId: `u${p}-${k}`, ...step });
      }
      await waitFor('handled', () => sql<{ n: number }>("SELECT count(*) n FROM messages WHERE direction = 'in' AND status = 'pending'")[0]!.n === 0, 20_000);
    }
    // Every timer row due later than the schedule-ahead window waits in the store: nothing in Redis.
    await new Promise((r) => setTimeout(r, 500)); // a sweep pass or two
    const requested = sql<{ n: number }>("SELECT count(*) n FROM outbox WHERE kind = 'timer'")[0]!.n;
    const conn = connect({ url: redis.url });
    const timers = new Queue('timers', { connection: conn, prefix });
    const remindersInRedis = async () => (await timers.getDelayed(0, -1)).filter((j) => j.name === 'timer');
    expect(requested).toBeGreaterThan(people * 3); // every answer asked for one
    expect(await remindersInRedis()).toHaveLength(0);
    // The one left per conversation is the latest: the only timer row not superseded.
    const open = sql<{ id: number; conversation: string }>("SELECT id, json_extract(payload, '$.conversationId') AS conversation FROM outbox WHERE kind = 'timer' AND done_at IS NULL");
    expect(open).toHaveLength(people);
    expect(new Set(open.map((r) => r.conversation)).size).toBe(people);

    // Time passes: the reminders come within the window, and the sweep hands each over once.
    store.db.$client.prepare("UPDATE outbox SET run_at = ? WHERE kind = 'timer' AND done_at IS NULL").run(new Date(Date.now() + 30_000).toISOString());
    const reminders = await waitFor('reminders handed to the queue', async () => {
      const r = await remindersInRedis();
      return r.length >= people && r;
    });
    const delayed = await timers.getDelayed(0, -1);
    if (process.env.TEST_REPORT) console.log(`timer rows requested: ${requested}; delayed jobs in Redis: ${delayed.length} (reminders ${reminders.length}) for ${people} conversations`);
    const perConversation = new Map<string, number>();
    for (const j of reminders) {
      const c = (j.data as { job: { conversationId: string } }).job.conversationId;
      perConversation.set(c, (perConversation.get(c) ?? 0) + 1);
    }
    expect(perConversation.size).toBe(people);
    expect([...perConversation.values()].every((v) => v === 1)).toBe(true);
    expect(new Set(reminders.map((j) => (j.data as { outboxId: number }).outboxId))).toEqual(new Set(open.map((r) => r.id)));
    // Bounded by open conversations (the committee alerts, due in days, are still in the store).
    expect(delayed.length).toBe(people);
    await timers.close();
    conn.disconnect();
  });
});
