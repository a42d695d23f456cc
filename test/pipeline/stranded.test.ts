/**
 * Work SQLite has and the queues lost or gave up on, against a real redis-server and a real
 * SQLite file: outbox rows marked dispatched whose jobs Redis lost (a kill -9 before its AOF
 * was written), and jobs that ran out of attempts — a visible failed state, an alert, and a
 * later retry by the sweep. Nothing may stay stranded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TestRedis } from '../support/redis.ts';
import { MemorySink } from '../support/sink.ts';
import { submitIntake } from '../support/intake.ts';
import { waitFor } from '../support/wait.ts';
import type { Db } from '../../src/store/db.ts';
import { quickPipeline, tempStore, type TempStore } from '../support/store.ts';
import type { ConversationService } from '../../src/conversation/service.ts';
import type { Pipeline, PipelineOptions } from '../../src/pipeline/pipeline.ts';

const redis = new TestRedis();
beforeAll(async () => {
  await redis.start();
}, 30_000);
afterAll(() => redis.stop());

let db: Db;
let service: ConversationService;
let pipeline: Pipeline | undefined;
let n = 0;
const alerts: Array<{ type: string; detail: Record<string, unknown> }> = [];

let store: TempStore;

function setup() {
  store = tempStore('stranded');
  ({ db, service } = store);
  alerts.length = 0;
}

function start(opts: Partial<PipelineOptions> = {}) {
  pipeline = quickPipeline(service, redis.url, `s${++n}`, { strandedAfterMs: 500, onAlert: (a) => alerts.push(a), ...opts });
  pipeline.start({ engine: true, senders: [new MemorySink('t')] });
  return pipeline;
}

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
  store.close();
});

const sql = <T>(q: string, ...p: unknown[]) => store.sql<T>(q, ...p);

describe('stranded work', { timeout: 60_000 }, () => {
  it('queues again outbox rows marked dispatched whose jobs Redis lost: no request stays "submitted"', async () => {
    setup();
    for (const who of ['a', 'b', 'c']) await submitIntake(service, 'qalam', who);
    // Dispatched to a Redis that then died before writing them down.
    const rows = sql<{ id: number }>('SELECT id FROM outbox');
    await service.markDispatched(rows.map((r) => r.id));
    expect(sql<{ status: string }>('SELECT status FROM requests').map((r) => r.status)).toEqual(['submitted', 'submitted', 'submitted']);
    await new Promise((r) => setTimeout(r, 600)); // due for longer than strandedAfterMs
    start();
    await waitFor('every request verified', () => sql<{ n: number }>("SELECT count(*) n FROM requests WHERE status = 'verifying'")[0]!.n === 3, 20_000);
    // Their rows are done: the sweep stops watching them.
    await waitFor('verify rows done', () => sql<{ n: number }>("SELECT count(*) n FROM outbox WHERE kind = 'verify' AND done_at IS NULL")[0]!.n === 0);
  });

  it('a job out of attempts leaves a failed job, a job_failed event and an alert; the sweep retries it later', async () => {
    setup();
    await submitIntake(service, 'qalam', 'a');
    const reference = sql<{ reference: string }>('SELECT reference FROM requests')[0]!.reference;
    const nextRef = reference.replace(/\d+$/, (d: string) => String(Number(d) + 1).padStart(d.length, '0'));
    // A decision for a request that is not there yet: every attempt fails.
    await service.enqueueJob('qalam', { kind: 'decision', reference: nextRef, outcome: 'accepted', actor: 'staff:test' });
    start({ jobAttempts: 2, jobBackoffMs: 50 });
    await waitFor('job_failed alert', () => alerts.find((a) => a.type === 'job_failed'), 15_000);
    expect(alerts.find((a) => a.type === 'job_failed')!.detail).toMatchObject({ queue: 'notify', kind: 'decision', attempts: 2 });
    const [event] = sql<{ type: string; payload: string }>("SELECT type, payload FROM events WHERE type = 'job_failed'");
    expect(JSON.parse(event!.payload)).toMatchObject({ kind: 'decision', reference: nextRef });
    const snap = await pipeline!.snapshot();
    expect(snap.find((s) => s.queue === 'notify')?.failed).toBe(1);
    // The request appears (the cause is gone): the sweep's retry decides it.
    await submitIntake(service, 'qalam', 'b');
    await waitFor('decision applied on retry', () => sql<{ status: string }>('SELECT status FROM requests WHERE reference = ?', nextRef)[0]?.status === 'accepted', 20_000);
  });
});

describe('the sweep', { timeout: 90_000 }, () => {
  it('reaches everything pending: 510 conversations stuck on a channel whose gateway is down do not hide the replies behind them', async () => {
    setup();
    // Replies committed, never queued (the process died before enqueueing them): first 510 on
    // a channel nobody sends for now, then 5 on a channel this process sends for.
    for (let c = 0; c < 510; c++) await service.handleInbound({ associationId: 'qalam', channel: 'down', address: `d${c}`, messageId: `d${c}`, text: 'مرحبا' });
    const live: string[] = [];
    for (let c = 0; c < 5; c++) live.push((await service.handleInbound({ associationId: 'qalam', channel: 't', address: `l${c}`, messageId: `l${c}`, text: 'مرحبا' })).conversationId);
    await new Promise((r) => setTimeout(r, 350));
    const sink = new MemorySink('t');
    // 100 a pass: the sweep must carry on past the stuck ones pass after pass.
    pipeline = quickPipeline(service, redis.url, `s${++n}`, { sweepBatch: 100 });
    pipeline.start({ engine: true, senders: [sink] });
    await sink.until(() => live.every((c) => sink.for(c).length > 0), 30_000, 'replies on the live channel');
  });

  it('covers a "sending" row whose job is gone (Redis lost it in a kill -9): asked about, then sent once', async () => {
    setup();
    const acc = await service.handleInbound({ associationId: 'qalam', channel: 't', address: 'z', messageId: 'z1', text: 'مرحبا' });
    // Every reply of the conversation was in flight when the gateway and Redis died.
    db.$client.prepare("UPDATE messages SET status = 'sending', attempts = 1 WHERE direction = 'out'").run();
    await new Promise((r) => setTimeout(r, 350));
    const sink = new MemorySink('t');
    pipeline = quickPipeline(service, redis.url, `s${++n}`);
    pipeline.start({ engine: true, senders: [sink] });
    await waitFor('sent', () => sql<{ n: number }>("SELECT count(*) n FROM messages WHERE direction = 'out' AND status != 'sent'")[0]!.n === 0, 15_000);
    expect(sink.for(acc.conversationId).map((d) => d.id)).toEqual(acc.outbound.map((o) => o.id));
  });
});
