/**
 * Pipeline benchmark: simulated beneficiaries doing full intakes through
 * inbound queue → engine → SQLite → outbound queue → an in-memory sink channel, on a
 * redis-server started here with persistence on (AOF, appendfsync everysec). In the same
 * run and on the same Redis, raw BullMQ add+process of no-op jobs, for the ratio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { loadFlows } from '../src/flows/load.ts';
import { openStore } from '../src/store/index.ts';
import { ConversationService, type OutboundMessage } from '../src/conversation/service.ts';
import { Pipeline } from '../src/pipeline/pipeline.ts';
import { EmbeddedRedis, connect } from '../src/pipeline/redis.ts';
import type { Sender } from '../src/channels/types.ts';
import type { MediaRef } from '../src/engine/types.ts';
import { validAnswers } from '../test/support/answers.ts';
import { freePort } from '../test/support/redis.ts';
import { fmt, quantile } from './engine.ts';

const ROOT = resolve(import.meta.dirname, '..');

export interface PipelineFigures {
  sustainedPerSecond: number;
  /** Replies this process sent per second while it also accepted the inbound load. */
  sendsPerSecond: number;
  /** This process's event-loop delay under that load (what a synchronous SQLite wait costs HTTP and sending). */
  loopP99ms: number;
  loopMaxMs: number;
  p50ms: number;
  p99ms: number;
  achievedRate: number;
  rssMb: number;
  rawPerSecond: number;
  ratio: number;
}

type Step = { text?: string; media?: MediaRef };

/** A beneficiary who sends the next message of an intake when the bot has answered the last. */
class Beneficiary {
  step = 0;
  conversationId = '';
  waitingFor = 0;
  sentAt = 0;
  constructor(
    readonly id: number,
    readonly flowId: string,
    readonly script: Step[],
  ) {}
}

class BenchSink implements Sender {
  readonly channel = 'bench';
  onSend: (msg: OutboundMessage) => void = () => undefined;
  async send(msg: OutboundMessage) {
    this.onSend(msg);
    return { providerMessageId: null };
  }
}

/** Starts `tawasul worker` processes on the bench's Redis and database. */
async function startWorkers(n: number, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'worker'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('tawasul started')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
      child.stdout!.resume();
      return child;
    }),
  );
}

export async function runPipelineBench(opts: { seconds?: number; workers?: number; log?: (line: string) => void } = {}): Promise<PipelineFigures> {
  const log = opts.log ?? console.log;
  const seconds = opts.seconds ?? 8;
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-bench-pipe-'));
  const redis = new EmbeddedRedis({ dir: join(dir, 'redis'), port: await freePort(), appendfsync: 'everysec', log: pino({ level: 'warn' }) });
  await redis.start();
  const store = openStore(join(dir, 'bench.db'));
  const flows = loadFlows(join(ROOT, 'flows'));
  const service = new ConversationService({ store, flows, mediaDir: join(dir, 'media') });
  // Where this process's event loop waits on SQLite: the synchronous part of the accept and send calls
  // (the SQLite store runs its statements there; it never waits for the lock on the loop).
  const blocked = timeCalls(service, ['accept', 'markSending', 'markSent', 'processNext']);
  const sink = new BenchSink();
  // workers = 0: everything in this one process (what `npm start` runs); n > 0: this process is
  // the gateway (accepts, sends) and n `tawasul worker` processes run the engine.
  const workers = opts.workers ?? 0;
  const pipeline = new Pipeline({ service, redis: redis.target, log: pino({ level: 'warn' }), prefix: 'bench', engineConcurrency: 64, limits: { bench: { max: 100_000, durationMs: 1000 } } });
  pipeline.start({ engine: workers === 0, senders: [sink] });
  const children = await startWorkers(workers, {
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    DB_PATH: join(dir, 'bench.db'),
    MEDIA_DIR: join(dir, 'media'),
    QUEUE_PREFIX: 'bench',
    ENGINE_CONCURRENCY: '64',
    LOG_LEVEL: 'info',
  });

  const now = new Date();
  const scripts = await Promise.all([...flows.values()].map(async (flow) => {
    const media = await service.storeMedia(flow.id, { path: join(ROOT, 'test/fixtures/id-card.pdf'), mime: 'application/pdf', filename: 'id.pdf' });
    const answers = validAnswers(flow, 'intake', now).map((a): Step => ('file' in a ? { media } : { text: a.text }));
    return { flowId: flow.id, script: [{ text: 'السلام عليكم' }, { text: '١' }, ...answers, { text: '1' }] as Step[] };
  }));

  let nextId = 0;
  let processed = 0;
  const latencies: number[] = [];
  let measuring = false;
  const byConversation = new Map<string, Beneficiary>();
  const idle: Beneficiary[] = [];
  const fresh = () => {
    const s = scripts[nextId % scripts.length]!;
    return new Beneficiary(++nextId, s.flowId, s.script);
  };

  const sendNext = (b: Beneficiary) => {
    if (b.step >= b.script.length) b = fresh();
    const step = b.script[b.step++]!;
    b.sentAt = performance.now();
    const waitingFor = b.step; // the version of the engine step this message will cause
    void pipeline.ingest({ associationId: b.flowId, channel: 'bench', address: `b${b.id}`, messageId: `b${b.id}-${b.step}`, ...step }).then((acc) => {
      // Stored: the reply can only come after this (the drain job is queued after acceptance).
      b.conversationId = acc.conversationId;
      b.waitingFor = waitingFor;
      byConversation.set(acc.conversationId, b);
    });
  };

  let mode: 'closed' | 'open' = 'closed';
  let sends = 0;
  sink.onSend = (msg) => {
    sends++;
    // Reply ids are <conversation>.<step version>.<n>: the first reply of the awaited step answers it.
    const [conv, version, n] = msg.id.split('.');
    const b = byConversation.get(conv!);
    if (!b || Number(version) !== b.waitingFor || n !== '0') return;
    b.waitingFor = -1;
    processed++;
    if (measuring) latencies.push(performance.now() - b.sentAt);
    if (mode === 'closed') sendNext(b);
    else idle.push(b);
  };

  // 1. Maximum sustained throughput: many beneficiaries, each answering as soon as the bot has.
  const concurrency = 400;
  for (let i = 0; i < concurrency; i++) sendNext(fresh());
  await sleep(2000); // warm-up
  const p0 = processed;
  const s0 = sends;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = performance.now();
  blocked.reset();
  await sleep(seconds * 1000);
  const elapsed = performance.now() - t0;
  loop.disable();
  const sustainedPerSecond = ((processed - p0) / elapsed) * 1000;
  const sendsPerSecond = ((sends - s0) / elapsed) * 1000;
  const loopP99ms = loop.percentile(99) / 1e6;
  const loopMaxMs = loop.max / 1e6;
  const sqliteLine = Object.entries(blocked.stats())
    .filter(([, v]) => v.calls > 0)
    .map(([name, v]) => `${name} ${fmt(v.calls)} calls, ${((v.totalMs / elapsed) * 100).toFixed(0)} % of the time, max ${v.maxMs.toFixed(0)} ms`)
    .join('; ');
  if (process.env.BENCH_DEBUG) {
    const text = await pipeline.metrics.registry.getSingleMetricAsString('tawasul_jobs_processed_total');
    log(`${text}\nmessages handled: ${processed}`);
  }
  const topology = workers === 0 ? 'one process' : `gateway process + ${workers} worker process${workers > 1 ? 'es' : ''}`;
  log(`pipeline (${topology}): sustained ${fmt(sustainedPerSecond)} inbound msg/s with ${concurrency} beneficiaries doing full intakes (each message stored, queued, handled, replied to)`);
  log(
    `gateway under inbound load (${workers === 0 ? 'this process also runs the engine' : 'this process accepts and sends'}): ${fmt(sendsPerSecond)} replies sent/s while accepting ${fmt(sustainedPerSecond)} msg/s; event-loop delay p99 ${loopP99ms.toFixed(1)} ms, max ${loopMaxMs.toFixed(1)} ms`,
  );
  log(`  its synchronous SQLite calls: ${sqliteLine}`);

  // 2. Latency at a fixed 500 msg/s: acceptance → the sink's send call of the first reply.
  mode = 'open';
  await waitUntil(() => [...byConversation.values()].every((b) => b.waitingFor === -1), 60_000);
  const openLoop = async (rate: number, secs: number) => {
    await waitUntil(() => [...byConversation.values()].every((b) => b.waitingFor === -1), 60_000).catch(() => undefined);
    idle.splice(0, idle.length, ...new Set(byConversation.values()));
    measuring = true;
    latencies.length = 0;
    const start = performance.now();
    let issued = 0;
    while (performance.now() - start < secs * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (issued < due) {
        const b = idle.pop() ?? fresh();
        sendNext(b);
        issued++;
      }
      await sleep(2);
    }
    const achievedRate = (issued / (performance.now() - start)) * 1000;
    await waitUntil(() => latencies.length >= issued * 0.99, 60_000).catch(() => undefined);
    measuring = false;
    const sorted = [...latencies].sort((a, b) => a - b);
    return { achievedRate, count: sorted.length, p50ms: quantile(sorted, 0.5), p99ms: quantile(sorted, 0.99) };
  };
  const at500 = await openLoop(500, seconds);
  const { achievedRate, p50ms, p99ms } = at500;
  const rssMb = process.memoryUsage().rss / 1_048_576;
  log(`pipeline: at ${fmt(achievedRate)} msg/s offered, latency acceptance→send p50 ${p50ms.toFixed(1)} ms, p99 ${p99ms.toFixed(1)} ms (${at500.count} replies); RSS ${rssMb.toFixed(0)} MB`);
  // The same at half the sustained maximum: the pipeline's own latency, without queueing behind a saturated worker.
  const half = await openLoop(Math.max(50, Math.floor(sustainedPerSecond / 2)), seconds);
  log(`pipeline: at ${fmt(half.achievedRate)} msg/s offered (half the maximum), p50 ${half.p50ms.toFixed(1)} ms, p99 ${half.p99ms.toFixed(1)} ms`);
  await pipeline.close();
  for (const c of children) c.kill('SIGTERM');
  await store.close();

  // 3. Raw BullMQ on the same Redis: add + process no-op jobs, same concurrency as our engine.
  const rawPerSecond = await rawBullmq(redis, seconds);
  const ratio = sustainedPerSecond / rawPerSecond;
  log(`raw BullMQ add+process (no-op jobs, same Redis): ${fmt(rawPerSecond)} jobs/s`);
  log(`ratio ours/raw: ${ratio.toFixed(3)} (our messages per second over raw jobs per second)`);
  const chain = await rawChain(redis, seconds);
  log(`raw BullMQ, two chained no-op jobs per message (the queue shape of one of ours): ${fmt(chain)} msg/s; ours/that: ${(sustainedPerSecond / chain).toFixed(3)}`);

  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
  return { sustainedPerSecond, sendsPerSecond, loopP99ms, loopMaxMs, p50ms, p99ms, achievedRate, rssMb, rawPerSecond, ratio };
}

async function rawBullmq(redis: EmbeddedRedis, seconds: number): Promise<number> {
  const producer = connect(redis.target);
  const queue = new Queue('raw', { connection: producer, prefix: 'raw' });
  let done = 0;
  const worker = new Worker('raw', async () => undefined, { connection: connect(redis.target), prefix: 'raw', concurrency: 64 });
  worker.on('completed', () => done++);
  const deadline = performance.now() + 2000 + seconds * 1000;
  let d0 = 0;
  let t0 = 0;
  const warmEnd = performance.now() + 2000;
  // Keep a bounded number of jobs in flight, as a steady inbound stream would.
  let added = 0;
  while (performance.now() < deadline) {
    if (t0 === 0 && performance.now() >= warmEnd) {
      t0 = performance.now();
      d0 = done;
    }
    if (added - done < 2000) {
      await Promise.all(Array.from({ length: 100 }, () => queue.add('noop', { n: ++added }, { removeOnComplete: true })));
    } else {
      await sleep(1);
    }
  }
  const perSecond = ((done - d0) / (performance.now() - t0)) * 1000;
  await worker.close();
  await queue.close();
  producer.disconnect();
  return perSecond;
}

/** Two queues, the first job's processor adding the second, closed loop like the beneficiaries. */
async function rawChain(redis: EmbeddedRedis, seconds: number): Promise<number> {
  const producer = connect(redis.target, { enableAutoPipelining: true });
  const qin = new Queue('in', { connection: producer, prefix: 'chain' });
  const qout = new Queue('out', { connection: producer, prefix: 'chain' });
  let done = 0;
  let stop = false;
  let n = 0;
  const send = (b: number) => {
    if (!stop) void qin.add('d', { b }, { deduplication: { id: `c${b}`, keepLastIfActive: true }, removeOnComplete: true });
  };
  const w1 = new Worker('in', async (job) => {
    await qout.add('s', job.data, { removeOnComplete: true, jobId: `o${++n}` });
  }, { connection: connect(redis.target), prefix: 'chain', concurrency: 64 });
  const w2 = new Worker('out', async (job) => {
    done++;
    setImmediate(() => send((job.data as { b: number }).b));
  }, { connection: connect(redis.target), prefix: 'chain', concurrency: 50 });
  for (let b = 0; b < 400; b++) send(b);
  await sleep(2000);
  const d0 = done;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const perSecond = ((done - d0) / (performance.now() - t0)) * 1000;
  stop = true;
  await Promise.all([w1.close(), w2.close()]);
  await Promise.all([qin.close(), qout.close()]);
  producer.disconnect();
  return perSecond;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps synchronous methods to add up how long they hold the event loop (counted after `reset`). */
function timeCalls<T extends object>(target: T, names: Array<keyof T & string>) {
  const stats = new Map<string, { calls: number; totalMs: number; maxMs: number }>();
  let counting = false;
  for (const name of names) {
    const original = (target[name] as (...a: unknown[]) => unknown).bind(target);
    stats.set(name, { calls: 0, totalMs: 0, maxMs: 0 });
    (target as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const t = performance.now();
      try {
        return original(...args);
      } finally {
        if (counting) {
          const ms = performance.now() - t;
          const s = stats.get(name)!;
          s.calls++;
          s.totalMs += ms;
          s.maxMs = Math.max(s.maxMs, ms);
        }
      }
    };
  }
  return {
    stats: () => Object.fromEntries([...stats].map(([k, v]) => [k, { ...v }])),
    reset() {
      counting = true;
      for (const s of stats.values()) Object.assign(s, { calls: 0, totalMs: 0, maxMs: 0 });
    },
  };
}

async function waitUntil(pred: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}
