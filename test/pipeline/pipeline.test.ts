/**
 * The pipeline in one process, against a real redis-server and a real SQLite file: what a
 * beneficiary's message goes through, and each guarantee that does not need several
 * processes (those are in faults.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis } from '../support/redis.ts';
import { MemorySink } from '../support/sink.ts';
import { waitFor } from '../support/wait.ts';
import { quickPipeline, tempStore, type TempStore } from '../support/store.ts';
import type { Db } from '../../src/store/db.ts';
import type { ConversationService } from '../../src/conversation/service.ts';
import { serviceDelivered } from '../../src/conversation/work.ts';
import { Pipeline, outboundQueueName, type PipelineOptions } from '../../src/pipeline/pipeline.ts';
import { connect } from '../../src/pipeline/redis.ts';
import { SendError, type Sender } from '../../src/channels/types.ts';

const redis = new TestRedis();
beforeAll(async () => {
  await redis.start();
}, 30_000);
afterAll(() => redis.stop());

let db: Db;
let service: ConversationService;
let pipeline: Pipeline | undefined;
let prefix = '';
let n = 0;

let store: TempStore;

function setup() {
  store = tempStore('pipe');
  ({ db, service } = store);
  prefix = `t${++n}`;
}

/** Rows due within a year are handed to the queues at once: these tests look at the delayed jobs themselves. */
const AHEAD = { scheduleAheadMs: 366 * 86_400_000 };

function start(senders: Sender[], opts: Partial<PipelineOptions> = {}) {
  pipeline = quickPipeline(service, redis.url, prefix, opts);
  pipeline.start({ engine: true, senders });
  return pipeline;
}

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
  store.close();
});

const sql = <T>(q: string, ...p: unknown[]) => store.sql<T>(q, ...p);

/** Waits until the conversation has nothing pending in or queued out. */
async function settled(conversationId: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const [row] = sql<{ n: number }>(
      "SELECT count(*) n FROM messages WHERE conversation_id = ? AND ((direction = 'in' AND status = 'pending') OR (direction = 'out' AND status IN ('queued','sending')))",
      conversationId,
    );
    if (row!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`conversation not settled: ${row!.n} messages pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function person(channel: string, address: string, associationId = 'qalam') {
  let i = 0;
  let conversationId = '';
  const send = async (text: string) => {
    const acc = await pipeline!.ingest({ associationId, channel, address, messageId: `${address}-${++i}`, text });
    conversationId = acc.conversationId;
    await settled(conversationId);
    return acc;
  };
  const file = async (path: string) => {
    const media = await service.storeMedia(associationId, { path: join(ROOT, path), mime: 'application/pdf', filename: 'id.pdf' });
    const acc = await pipeline!.ingest({ associationId, channel, address, messageId: `${address}-${++i}`, media });
    await settled(acc.conversationId);
  };
  /** Answers every intake field with a valid answer (the greeting and "apply" come first). */
  const answerIntake = async () => {
    for (const a of validAnswers(FLOWS.get(associationId)!, 'intake', new Date())) {
      if ('file' in a) await file(a.file);
      else await send(a.text);
    }
  };
  return { send, file, answerIntake, get conversationId() { return conversationId; } };
}

/** Polls a queue's delayed jobs (awaited, so nothing is in flight when the queue closes). */
async function delayedJob(queue: Queue, match: (job: Awaited<ReturnType<Queue['getDelayed']>>[number]) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = (await queue.getDelayed()).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for a delayed job');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function finished(job: { getState(): Promise<string> }, ms = 15_000) {
  const deadline = Date.now() + ms;
  while ((await job.getState()) !== 'completed') {
    if (Date.now() > deadline) throw new Error('timed out waiting for a job to complete');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('pipeline', () => {
  it('carries a whole intake through the queues, replies in order, then verifies the request with check results', async () => {
    setup();
    const sink = new MemorySink('telegram-test');
    start([sink]);
    const p = person('telegram-test', '1001');
    await p.send('السلام عليكم');
    expect(sink.deliveries.at(-1)?.text).toContain('جمعية قلم العلمية');
    await p.send('١');
    await p.answerIntake();
    await p.send('1');
    const texts = sink.for(p.conversationId).map((d) => d.text);
    expect(texts.at(-1)).toMatch(/QLM-\d{4}-00001/);
    // Sent in exactly the order the engine produced them.
    const produced = sql<{ id: string }>("SELECT channel_message_id id FROM messages WHERE direction = 'out' ORDER BY rowid").map((r) => r.id);
    expect(sink.deliveries.map((d) => d.id)).toEqual(produced);
    const req = await waitFor('verification', () => sql<{ status: string; checks: string }>("SELECT status, checks FROM requests WHERE status = 'verifying'")[0]);
    const checks = JSON.parse(req.checks) as Array<{ check: string; ok: boolean }>;
    expect(checks.map((c) => c.check).sort()).toEqual(['documents', 'duplicate_open_request', 'id_checksum', 'required_fields']);
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  it("verifies a pilgrim's request with a passport without a checksum check (a passport has no check digit)", async () => {
    setup();
    const sink = new MemorySink('t');
    start([sink]);
    const p = person('t', '3003', 'saa-hajj');
    await p.send('السلام عليكم');
    await p.send('١');
    const flow = FLOWS.get('saa-hajj')!;
    const answers = validAnswers(flow, 'intake', new Date());
    for (const [i, field] of flow.intake.fields.entries()) {
      const a = field.id === 'national_id' ? { text: 'جوازي A12345678' } : field.id === 'mobile' ? { text: '+20 100 123 4567' } : answers[i]!;
      if ('file' in a) await p.file(a.file);
      else await p.send(a.text);
    }
    await p.send('1');
    expect(sink.for(p.conversationId).at(-1)?.text).toMatch(/SAA-\d{4}-00001/);
    const req = await waitFor('verification', () => sql<{ national_id: string; phone: string; checks: string }>("SELECT national_id, phone, checks FROM requests WHERE status = 'verifying'")[0]);
    expect([req.national_id, req.phone]).toEqual(['A12345678', '+201001234567']);
    const checks = JSON.parse(req.checks) as Array<{ check: string; ok: boolean }>;
    expect(checks.map((c) => c.check)).not.toContain('id_checksum');
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  it('flags a second open request for the same national ID in the verification checks', async () => {
    setup();
    const sink = new MemorySink('t');
    start([sink]);
    for (const who of ['a', 'b']) {
      const p = person('t', who);
      await p.send('مرحبا');
      await p.send('١');
      await p.answerIntake();
      await p.send('1');
    }
    const rows = await waitFor('both verified', () => {
      const r = sql<{ reference: string; checks: string }>("SELECT reference, checks FROM requests WHERE status = 'verifying' ORDER BY reference");
      return r.length === 2 && r;
    });
    const dup = (JSON.parse(rows[1]!.checks) as Array<{ check: string; ok: boolean; detail?: string }>).find((c) => c.check === 'duplicate_open_request')!;
    expect(dup.ok).toBe(false);
    expect(dup.detail).toBe(rows[0]!.reference);
  });

  it('ignores a redelivered message (same platform id): one step, one set of replies', async () => {
    setup();
    const sink = new MemorySink('t');
    start([sink]);
    const msg = { associationId: 'qalam', channel: 't', address: '7', messageId: 'wamid.X1', text: 'مرحبا' };
    const first = await pipeline!.ingest(msg);
    const again = await pipeline!.ingest(msg);
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    await settled(first.conversationId);
    await new Promise((r) => setTimeout(r, 300));
    expect(sql("SELECT id FROM messages WHERE direction = 'in'")).toHaveLength(1);
    expect(sql<{ version: number }>('SELECT version FROM conversations')[0]!.version).toBe(1);
    expect(new Set(sink.deliveries.map((d) => d.id)).size).toBe(sink.deliveries.length);
    expect(sink.deliveries.length).toBeGreaterThan(0);
  });

  it('picks up messages committed before a crash that stopped them reaching the queue (outbox sweep)', async () => {
    setup();
    // Accepted and committed, but the process "died" before enqueueing: no pipeline yet.
    const acc = await service.accept({ associationId: 'sidr', channel: 't', address: '9', messageId: 'm1', text: 'السلام عليكم' });
    await service.accept({ associationId: 'sidr', channel: 't', address: '9', messageId: 'm2', text: '١' });
    const sink = new MemorySink('t');
    start([sink]);
    await sink.until(() => sink.deliveries.length >= 2);
    await settled(acc.conversationId);
    expect(sql<{ status: string }>("SELECT status FROM messages WHERE direction = 'in'").map((r) => r.status)).toEqual(['processed', 'processed']);
    expect(sink.deliveries[0]!.text).toContain('سدر');
  });

  it('retries a send that failed on the network and delivers it exactly once', async () => {
    setup();
    const sink = new MemorySink('t');
    sink.failNext(new SendError('ECONNRESET', 'retry'), new SendError('HTTP 502', 'retry'));
    start([sink]);
    const acc = await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '5', messageId: 'r1', text: 'مرحبا' });
    await settled(acc.conversationId);
    const [row] = sql<{ id: string; status: string; attempts: number }>("SELECT channel_message_id id, status, attempts FROM messages WHERE direction = 'out' ORDER BY rowid");
    expect(row!.status).toBe('sent');
    expect(row!.attempts).toBe(3);
    expect(sink.deliveries.filter((d) => d.id === row!.id)).toHaveLength(1);
  });

  it('never sends twice when a send job is delivered again after success', async () => {
    setup();
    const sink = new MemorySink('t');
    start([sink]);
    const acc = await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '6', messageId: 'd1', text: 'مرحبا' });
    await settled(acc.conversationId);
    const before = sink.deliveries.length;
    const id = sink.deliveries[0]!.id;
    const conn = connect({ url: redis.url });
    const q = new Queue(outboundQueueName('t'), { connection: conn, prefix });
    const job = await q.add('send', { id, conversationId: acc.conversationId }, { jobId: 'redelivered-1' });
    await finished(job);
    expect(await job.getState()).toBe('completed');
    expect((await q.getJob('redelivered-1'))?.returnvalue).toBe('skipped');
    expect(sink.deliveries.length).toBe(before);
    await q.close();
    conn.disconnect();
  });

  it('after a sender died mid-send, asks the platform; when it cannot tell, dead-letters instead of resending', async () => {
    setup();
    // Produce replies without a pipeline, then pretend a sender died while sending the first.
    const acc = await service.handleInbound({ associationId: 'qalam', channel: 't', address: '8', messageId: 'x1', text: 'مرحبا' });
    const acc2 = await service.handleInbound({ associationId: 'qalam', channel: 't', address: '8', messageId: 'x2', text: 'الحالة' });
    const [first, second] = [acc.outbound[0]!.id, acc2.outbound[0]!.id];
    db.$client.prepare("UPDATE messages SET status = 'sending', attempts = 1 WHERE channel_message_id = ?").run(first);
    const blind: Sender & { sent: string[] } = {
      channel: 't',
      sent: [],
      async send(m) {
        this.sent.push(m.id);
        return {};
      },
    };
    start([blind]);
    await settled(acc.conversationId);
    expect(blind.sent).not.toContain(first);
    expect(blind.sent).toContain(second);
    const dead = await service.deadLetters('qalam');
    expect(dead.map((d) => [d.id, d.status])).toEqual([[first, 'unknown']]);
  });

  it('dead-letters a permanently refused message, keeps its job visible, and still sends the next one', async () => {
    setup();
    const sink = new MemorySink('t');
    sink.failNext(new SendError('chat not found', 'permanent'));
    start([sink]);
    const acc = await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '4', messageId: 'p1', text: 'مرحبا' });
    await settled(acc.conversationId);
    await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '4', messageId: 'p2', text: 'الحالة' });
    await settled(acc.conversationId);
    const out = sql<{ status: string; error: string | null; attempts: number }>("SELECT status, error, attempts FROM messages WHERE direction = 'out' ORDER BY rowid");
    expect(out[0]).toMatchObject({ status: 'failed', error: 'chat not found', attempts: 1 });
    expect(out.slice(1).every((o) => o.status === 'sent')).toBe(true);
    expect(sink.deliveries.length).toBe(out.length - 1);
    const snap = await pipeline!.snapshot(['t']);
    expect(snap.find((s) => s.queue === outboundQueueName('t'))?.failed).toBe(1);
    // Staff put it back (tawasul dead-letters retry): the sweep sends it, once.
    const [dead] = await service.deadLetters('qalam');
    expect(await service.requeue(dead!.id)).toBe(true);
    await sink.until(() => sink.deliveries.some((d) => d.id === dead!.id), 15_000, 'the retried dead letter');
    expect(await service.deadLetters('qalam')).toEqual([]);
  });

  it('honours a 429 retry-after by pausing the channel, then delivers', async () => {
    setup();
    const sink = new MemorySink('t');
    sink.failNext(new SendError('Too Many Requests', 'rate_limited', 400));
    start([sink]);
    const t0 = Date.now();
    const acc = await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: '3', messageId: 'l1', text: 'مرحبا' });
    await settled(acc.conversationId);
    expect(sink.deliveries[0]!.at - t0).toBeGreaterThanOrEqual(380);
    expect(sql<{ status: string }>("SELECT status FROM messages WHERE direction = 'out'").every((r) => r.status === 'sent')).toBe(true);
  });

  it('sends the committee decision and, after service delivery, the survey as delayed jobs', async () => {
    setup();
    const sink = new MemorySink('t');
    start([sink], AHEAD);
    const p = person('t', '2002', 'sidr');
    await p.send('السلام عليكم');
    await p.send('١');
    await p.answerIntake();
    await p.send('1');
    const { reference } = sql<{ reference: string }>('SELECT reference FROM requests')[0]!;
    // A decision recorded by another process (console, CLI) travels through the outbox.
    await service.enqueueJob('sidr', { kind: 'decision', reference, outcome: 'accepted', actor: 'staff:test' });
    await sink.until(() => sink.deliveries.some((d) => d.text.includes(reference) && d.text.includes('وافقت')), 15_000, 'decision message');
    expect(sql<{ status: string }>('SELECT status FROM requests')[0]!.status).toBe('accepted');

    await serviceDelivered(service, reference, 'staff:test', new Date());
    pipeline!.dispatchSoon();
    const conn = connect({ url: redis.url });
    const notify = new Queue('notify', { connection: conn, prefix });
    const delayed = await delayedJob(notify, (j) => j.name === 'survey');
    const hours = FLOWS.get('sidr')!.timers.survey_delay_hours;
    expect(delayed.opts.delay).toBeGreaterThan(hours * 3_600_000 - 60_000);
    const before = sink.deliveries.length;
    await delayed.promote();
    await sink.until(() => sink.deliveries.length > before, 15_000, 'survey invitation');
    expect(sink.deliveries.at(-1)!.text).toContain(FLOWS.get('sidr')!.survey.intro.ar.slice(0, 20));
    // One reminder, later, if the survey is not answered.
    const timers = new Queue('timers', { connection: conn, prefix });
    const reminder = await delayedJob(timers, (j) => j.name === 'timer' && (j.data as { job: { name: string } }).job.name === 'survey_reminder');
    expect(reminder.opts.delay).toBeGreaterThan(FLOWS.get('sidr')!.timers.survey_reminder_hours * 3_600_000 - 60_000);
    await timers.close();
    await notify.close();
    conn.disconnect();
  });

  it('raises an alert when an escalation is still unclaimed after the working-time delay', async () => {
    setup();
    const alerts: string[] = [];
    const sink = new MemorySink('t');
    start([sink], { ...AHEAD, onAlert: (a) => alerts.push(a.type) });
    const p = person('t', '3003', 'qalam');
    await p.send('مرحبا');
    await p.send('موظف');
    expect(sql<{ mode: string }>('SELECT mode FROM conversations')[0]!.mode).toBe('waiting_staff');
    const conn = connect({ url: redis.url });
    const timers = new Queue('timers', { connection: conn, prefix });
    const job = await delayedJob(timers, (j) => j.name === 'escalation_alert');
    await job.promote();
    await waitFor('alert', () => alerts.includes('escalation_unclaimed'));
    expect(sql<{ type: string }>("SELECT type FROM events WHERE type = 'escalation_unclaimed'")).toHaveLength(1);
    // Claimed in time: a second alert for the same escalation raises nothing.
    const again = await timers.add('escalation_alert', job.data, { jobId: 'again-1' });
    await finished(again);
    expect(alerts.filter((a) => a === 'escalation_unclaimed')).toHaveLength(1);
    await timers.close();
    conn.disconnect();
  });

  it('schedules the intake reminder and the committee-period alert as delayed jobs', async () => {
    setup();
    const alerts: string[] = [];
    const sink = new MemorySink('t');
    start([sink], { ...AHEAD, onAlert: (a) => alerts.push(a.type) });
    const p = person('t', '4004', 'saa-hajj');
    await p.send('السلام عليكم');
    await p.send('١');
    const conn = connect({ url: redis.url });
    const timers = new Queue('timers', { connection: conn, prefix });
    const reminder = await delayedJob(timers, (j) => j.name === 'timer');
    expect(reminder.opts.delay).toBeGreaterThan(FLOWS.get('saa-hajj')!.timers.intake_reminder_hours * 3_600_000 - 60_000);
    // Run now, it finds the beneficiary active minutes ago: the engine ignores it (a due one is in advance.test.ts).
    const before = sink.deliveries.length;
    await reminder.promote();
    await waitFor('timer handled', () => sql("SELECT id FROM events WHERE type = 'timer_ignored'").length === 1);
    expect(sink.deliveries.length).toBe(before);
    await p.answerIntake();
    await p.send('1');
    const due = await delayedJob(timers, (j) => j.name === 'committee_due');
    expect(due.opts.delay).toBeGreaterThan(FLOWS.get('saa-hajj')!.committee.min_days * 86_400_000 - 60_000);
    await due.promote();
    await waitFor('committee alert', () => alerts.includes('committee_period_reached'));
    await timers.close();
    conn.disconnect();
  });

  it('sends the decision to the channel the beneficiary used last, once their ID links the channels', async () => {
    setup();
    const tSink = new MemorySink('t');
    const uSink = new MemorySink('u');
    start([tSink, uSink]);
    const onT = person('t', '5005', 'qalam');
    await onT.send('مرحبا');
    await onT.send('١');
    await onT.answerIntake();
    await onT.send('1');
    const { reference } = sql<{ reference: string }>('SELECT reference FROM requests')[0]!;
    // Later, the same person writes on another channel and gives the same national ID.
    const onU = person('u', '+966555000111', 'qalam');
    await onU.send('مرحبا');
    await onU.send('١');
    await onU.send('نورة محمد السبيعي');
    await onU.send('1012345672');
    expect(new Set(sql<{ beneficiary_id: string }>('SELECT beneficiary_id FROM contacts').map((c) => c.beneficiary_id)).size).toBe(1);
    await service.enqueueJob('qalam', { kind: 'decision', reference, outcome: 'accepted', actor: 'staff:test' });
    await uSink.until(() => uSink.deliveries.some((d) => d.text.includes(reference) && d.text.includes('وافقت')), 15_000, 'decision on the last used channel');
    expect(tSink.deliveries.some((d) => d.text.includes('وافقت'))).toBe(false);
  });

  it('on close hands a conversation it is draining back to the queue: another process carries on at once, not after the lock lapses', async () => {
    setup();
    const producer = quickPipeline(service, redis.url, prefix);
    let conversationId = '';
    for (let i = 1; i <= 600; i++) {
      conversationId = (await producer.ingest({ associationId: 'qalam', channel: 'loopback', address: 'hb', messageId: `hb-${i}`, text: i % 2 ? 'menu' : '1' })).conversationId;
    }
    const pending = () => sql<{ n: number }>("SELECT count(*) n FROM messages WHERE conversation_id = ? AND direction = 'in' AND status = 'pending'", conversationId)[0]!.n;
    // One drain job for the 600 messages; the first process stops a few steps in.
    const first = quickPipeline(service, redis.url, prefix, { lockDurationMs: 8000 });
    first.start({ engine: true });
    await waitFor('the first steps', () => pending() < 600, 15_000);
    const closing = Date.now();
    await first.close();
    const closeMs = Date.now() - closing;
    const left = pending();
    expect(left, 'the rest was handed back, not drained during close').toBeGreaterThan(0);
    const handedBack = (await first.metrics.registry.getSingleMetricAsString('tawasul_jobs_handed_back_total'));
    expect(handedBack).toMatch(/queue="inbound"} 1/);
    const resumed = Date.now();
    start([], { lockDurationMs: 8000 });
    await waitFor('the second process to carry on', () => pending() < left, 15_000);
    const resumeMs = Date.now() - resumed;
    await waitFor('the second process to finish the conversation', () => pending() === 0, 30_000);
    if (process.env.TEST_REPORT) console.log(`close took ${closeMs} ms with ${left} messages left; the next process took its first in ${resumeMs} ms`);
    // Left locked, it would wait for the lock (8 s) and the stalled check (2 s).
    expect(closeMs).toBeLessThan(3000);
    expect(resumeMs).toBeLessThan(3000);
    await producer.close();
  });

  it("sends a step's replies from the process that ran it, without a job, counted against the channel's limit", async () => {
    setup();
    const sink = new MemorySink('t');
    // Three sends a second: six conversations' greetings need at least two windows.
    start([sink], { limits: { t: { max: 3, durationMs: 1000 } } });
    // One after another: each is sent here at once (fewer sends in flight than the sender's concurrency) until the window is full.
    const accepted = [];
    for (const a of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) {
      const acc = await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: a, messageId: `${a}-1`, text: 'مرحبا' });
      await settled(acc.conversationId, 20_000);
      accepted.push(acc);
    }
    const produced = sql<{ n: number }>("SELECT count(*) n FROM messages WHERE direction = 'out'")[0]!.n;
    expect(sink.deliveries).toHaveLength(produced);
    const times = sink.deliveries.map((d) => d.at).sort((a, b) => a - b);
    // BullMQ's windows are fixed: N sends at three per window span at least ceil(N / 3) - 1 windows.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((Math.ceil(produced / 3) - 1) * 1000 - 150);
    const direct = await pipeline!.metrics.registry.getSingleMetricAsString('tawasul_direct_sends_total');
    expect(Number(/channel="t"} (\d+)/.exec(direct)?.[1] ?? 0)).toBeGreaterThan(0);
    // Each conversation's replies in the order the engine wrote them.
    for (const acc of accepted) {
      const order = sql<{ id: string }>("SELECT channel_message_id id FROM messages WHERE direction = 'out' AND conversation_id = ? ORDER BY rowid", acc.conversationId).map((r) => r.id);
      expect(sink.for(acc.conversationId).map((d) => d.id)).toEqual(order);
    }
  });

  it('leaves a reply alone while another process sends it under its lease, then asks the platform once the lease is gone', async () => {
    setup();
    // The engine alone: the greeting's replies wait in their queue.
    start([]);
    const acc = await pipeline!.ingest({ associationId: 'qalam', channel: 't', address: 'lease', messageId: 'lease-1', text: 'مرحبا' });
    await waitFor('the step', () => sql("SELECT id FROM messages WHERE direction = 'out' AND conversation_id = ?", acc.conversationId).length > 0);
    const [first] = sql<{ id: string }>("SELECT channel_message_id id FROM messages WHERE direction = 'out' AND conversation_id = ? ORDER BY rowid", acc.conversationId);
    // Another process claimed it and is sending it (sent without a job, under a lease).
    expect(await service.markSending(first!.id)).toBe(true);
    const r = connect({ url: redis.url });
    await r.set(`${prefix}:send-lease:${first!.id}`, '1', 'PX', 60_000);
    await pipeline!.close();
    const sink = new MemorySink('t');
    let asked = 0;
    const wasSent = sink.wasSent.bind(sink);
    sink.wasSent = async (id: string) => {
      asked++;
      return wasSent(id);
    };
    start([sink]);
    await pipeline!.kickOutbound(acc.conversationId, 0, { revive: true });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(asked, 'no lookup while the lease is held').toBe(0);
    expect(sink.deliveries).toHaveLength(0);
    // The other process died mid-send: its lease lapses and the reply is asked about, then sent once.
    await r.del(`${prefix}:send-lease:${first!.id}`);
    r.disconnect();
    await settled(acc.conversationId);
    expect(asked).toBeGreaterThan(0);
    expect(sink.deliveries.filter((d) => d.id === first!.id)).toHaveLength(1);
  });
});
