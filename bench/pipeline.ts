/**
 * Pipeline benchmark: simulated beneficiaries doing full intakes through
 * inbound queue → engine → store → outbound queue → an in-memory sink channel, on one
 * redis-server started here with persistence on (AOF, appendfsync everysec), against
 * SQLite (one process) and a private PostgreSQL cluster started here (gateway + 1 and 2
 * `tawasul worker` processes). In the same run and on the same Redis: a bare skeleton
 * (BullMQ in → one SQLite transaction → BullMQ out → consumer) for the ratio, measured the same
 * way (closed loop for the sustained rate, open loop for p50/p99 at fixed offered rates).
 *
 * Options (environment): BENCH_SECONDS (per phase, default 8), BENCH_STORE = sqlite | postgres |
 * both (default both), BENCH_WORKERS (SQLite worker processes, default 0 = one process),
 * BENCH_PREFILL / --prefill N (stored messages added before the second sustained run;
 * default 20,000, `--prefill 1000000` for the real figure), BENCH_RATES (offered rates of the
 * open-loop phases, default 100,250,500), BENCH_PROFILE=<dir> (a CPU profile of this process
 * during each pipeline's first sustained phase and its 100 msg/s phase, written there; summarise
 * with bench/profile-summary.ts), BENCH_SQL=1 (statements timed by text, per handled message),
 * BENCH_INLINE=0 (the one-process pipeline without its inline drain: every message through the
 * inbound queue, for an A/B in one sitting), BENCH_PG_WORKERS (the worker-process counts of the
 * PostgreSQL runs, default 1,2), BENCH_PG_SHARED_BUFFERS (the bench cluster's, default 1GB).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { loadFlows } from '../src/flows/load.ts';
import { isPostgresUrl, openStore } from '../src/store/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { ConversationService, type OutboundMessage, type StepOutcome } from '../src/conversation/service.ts';
import { Pipeline } from '../src/pipeline/pipeline.ts';
import { EmbeddedRedis, connect } from '../src/pipeline/redis.ts';
import type { Sender } from '../src/channels/types.ts';
import type { MediaRef } from '../src/engine/types.ts';
import { validAnswers } from '../test/support/answers.ts';
import { makeSaudiId } from '../src/validate/national-id.ts';
import { freePort } from '../test/support/redis.ts';
import { fmt, quantile } from './engine.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** Offered rates of the open-loop phases: below saturation (where the time goes) and the target's 500. */
const RATES = (process.env.BENCH_RATES ?? '100,250,500').split(',').map(Number);
const CONCURRENCY = 400;

/**
 * BENCH_SQL=1: every better-sqlite3 statement this process runs is timed by its SQL text
 * (count, total ms), printed for each pipeline's 100 msg/s phase: which statements a message costs.
 */
const sqlStats = new Map<string, { calls: number; ms: number }>();
let sqlCounting = false;
if (process.env.BENCH_SQL) {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const name of ['run', 'get', 'all']) {
    const original = proto[name]!;
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      if (!sqlCounting) return original.apply(this, args);
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const key = this.source.replace(/\s+/g, ' ').slice(0, 90);
        const s = sqlStats.get(key) ?? { calls: 0, ms: 0 };
        s.calls++;
        s.ms += performance.now() - t;
        sqlStats.set(key, s);
      }
    };
  }
}

export interface LoopFigures {
  rate: number;
  achievedRate: number;
  count: number;
  p50ms: number;
  p99ms: number;
}

export interface PipelineFigures {
  label: string;
  sustainedPerSecond: number;
  /** CPU per handled message in the sustained phase: this process + worker processes, and redis-server (µs). */
  cpu?: { nodeUs: number; redisUs: number };
  loops: LoopFigures[];
  afterPrefill?: { stored: number; perSecond: number };
}

/** A message of the script; `field`: the answer to a national ID or phone question, made this beneficiary's own when sent. */
type Step = { text?: string; media?: MediaRef; field?: 'national_id' | 'phone' };

/** A beneficiary who sends the next message of an intake when the bot has answered the last. */
class Beneficiary {
  step = 0;
  conversationId = '';
  waitingFor = 0;
  sentAt = 0;
  /** Timestamps of the awaited message's way (in-process engine only): accepted, step start/end, markSending. */
  t: { accepted?: number; stepStart?: number; stepEnd?: number; sending?: number } = {};
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

/**
 * CPU time used by this process, some child processes and redis-server over a phase: a cost
 * per message that other load on the machine moves far less than a rate (it is the work done,
 * not how fast the machine let it be done).
 */
class CpuMeter {
  private start = { self: 0, children: 0, redis: 0 };
  constructor(private readonly redisPort: number, private readonly pids: () => number[]) {}
  private static procUs(pid: number): number {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime (fields 14 and 15 of stat; 12 and 13 after the command) in clock ticks (100 Hz).
      return (Number(fields[11]) + Number(fields[12])) * 10_000;
    } catch {
      return 0;
    }
  }
  private async redisUs(): Promise<number> {
    const conn = connect({ url: `redis://127.0.0.1:${this.redisPort}` });
    try {
      const info = await conn.info('cpu');
      const v = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return (v('used_cpu_user') + v('used_cpu_sys')) * 1e6;
    } finally {
      conn.disconnect();
    }
  }
  private async read() {
    const u = process.cpuUsage();
    return { self: u.user + u.system, children: this.pids().reduce((a, pid) => a + CpuMeter.procUs(pid), 0), redis: await this.redisUs() };
  }
  async begin() {
    this.start = await this.read();
  }
  /** µs per message since begin(). */
  async end(messages: number) {
    const now = await this.read();
    const n = Math.max(1, messages);
    return { nodeUs: (now.self - this.start.self + now.children - this.start.children) / n, redisUs: (now.redis - this.start.redis) / n };
  }
}

type Cpu = { nodeUs: number; redisUs: number };
const cpuTotal = (c: Cpu) => c.nodeUs + c.redisUs;
const cpuLine = (c: Cpu) => `CPU per message ${fmt(cpuTotal(c))} µs (Node ${fmt(c.nodeUs)}, redis-server ${fmt(c.redisUs)})`;

/** BENCH_SQL: the statements counted since sqlStats was cleared, per handled message. */
function printSql(handled: number, phase: string, log: (line: string) => void) {
  const n = Math.max(1, handled);
  log(`  SQLite statements, ${phase}, per handled message (calls, µs): total ${(([...sqlStats.values()].reduce((a, v) => a + v.ms, 0) / n) * 1000).toFixed(0)} µs`);
  for (const [sql, v] of [...sqlStats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) log(`    ${(v.calls / n).toFixed(2)} × ${((v.ms / n) * 1000).toFixed(0).padStart(4)} µs  ${sql}`);
}

/** BENCH_SQL on PostgreSQL: the server's own per-statement times (every process's), per handled message. */
class PgStatements {
  private constructor(private readonly client: pg.Client) {}
  static async open(url: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return new PgStatements(client);
  }
  async reset() {
    await this.client.query('SELECT pg_stat_statements_reset()');
  }
  async print(handled: number, log: (line: string) => void) {
    const n = Math.max(1, handled);
    const { rows } = await this.client.query<{ calls: string; total: number; rows: string; query: string }>(
      `SELECT calls, total_exec_time AS total, rows, query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 16`,
    );
    const total = rows.reduce((a, r) => a + r.total, 0);
    log(`  PostgreSQL statements (server time), sustained phase, per handled message (calls, µs, rows per call): top 16 total ${((total / n) * 1000).toFixed(0)} µs`);
    for (const r of rows) log(`    ${(Number(r.calls) / n).toFixed(2)} × ${((r.total / n) * 1000).toFixed(0).padStart(4)} µs  ${(Number(r.rows) / Math.max(1, Number(r.calls))).toFixed(1).padStart(5)}  ${r.query.replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  async close() {
    await this.client.end();
  }
}

/** Starts `tawasul worker` processes on the bench's Redis and database. */
async function startWorkers(n: number, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      // BENCH_PROFILE: each worker process writes its own CPU profile (whole run) there when it stops.
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`] : [];
      const child = spawn(process.execPath, [...profile, join(ROOT, 'bin/tawasul.js'), 'worker'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

export interface BenchOptions {
  seconds?: number;
  workers?: number;
  prefill?: number;
  stores?: Array<'sqlite' | 'postgres'>;
  log?: (line: string) => void;
}

export async function runPipelineBench(opts: BenchOptions = {}): Promise<PipelineFigures[]> {
  const log = opts.log ?? console.log;
  const seconds = opts.seconds ?? 8;
  const prefill = opts.prefill ?? 20_000;
  const stores = opts.stores ?? ['sqlite', 'postgres'];
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-bench-pipe-'));
  const redis = new EmbeddedRedis({ dir: join(dir, 'redis'), port: await freePort(), appendfsync: 'everysec', log: pino({ level: 'warn' }) });
  await redis.start();
  log(`redis-server ${redis.port}: AOF on, appendfsync everysec (shared by every figure below)`);
  const results: PipelineFigures[] = [];
  try {
    const skeleton = await runSkeleton(redis, join(dir, 'skeleton.db'), seconds, log);
    if (stores.includes('sqlite')) {
      const workers = opts.workers ?? 0;
      const fig = await runPipeline({ redis, dir, storeUrl: join(dir, 'bench.db'), workers, seconds, prefill, label: `SQLite, ${topology(workers)}`, log });
      results.push(fig);
      printRatio(fig, skeleton, log);
    }
    if (stores.includes('postgres')) {
      let cluster: { createDatabase(): Promise<string>; stop(): Promise<void> } | undefined;
      try {
        const { TestPostgres } = await import('../test/support/postgres.ts');
        // A server set up for a database of this size (initdb's 128 MB of shared buffers is for a
        // laptop; 1 GB is a quarter of a small 4 GB database server), and with BENCH_SQL the
        // statements timed by the server too (pg_stat_statements, in Debian's package).
        const settings = [`shared_buffers=${process.env.BENCH_PG_SHARED_BUFFERS ?? '1GB'}`];
        if (process.env.BENCH_SQL) settings.push('shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all');
        cluster = await new TestPostgres(settings).start();
      } catch (err) {
        log(`PostgreSQL: skipped (${(err as Error).message.split('\n')[0]})`);
      }
      if (cluster) {
        try {
          for (const workers of (process.env.BENCH_PG_WORKERS ?? '1,2').split(',').map(Number)) {
            const url = await cluster.createDatabase();
            const fig = await runPipeline({ redis, dir, storeUrl: url, workers, seconds, prefill, label: `PostgreSQL, ${topology(workers)}`, log });
            results.push(fig);
            printRatio(fig, skeleton, log);
          }
        } finally {
          await cluster.stop();
        }
      }
    }
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const topology = (workers: number) => (workers === 0 ? 'one process' : `gateway process + ${workers} worker process${workers > 1 ? 'es' : ''}`);

function printRatio(fig: PipelineFigures, sk: PipelineFigures, log: (line: string) => void) {
  const at = (f: PipelineFigures, r: number) => f.loops.find((l) => l.rate === r);
  const p = at(fig, 500);
  const s = at(sk, 500);
  log(
    `  => ${fig.label}: ${fmt(fig.sustainedPerSecond)} msg/s sustained (target ≥ 1,500), p99 at 500 msg/s ${p?.p99ms.toFixed(1)} ms (target ≤ 50); ` +
      `pipeline/skeleton ${(fig.sustainedPerSecond / sk.sustainedPerSecond).toFixed(3)} (target ≥ 0.6; skeleton ${fmt(sk.sustainedPerSecond)} msg/s, p99 at 500 ${s?.p99ms.toFixed(1)} ms)`,
  );
  if (fig.cpu && sk.cpu) {
    log(`  => ${fig.label}: CPU per message skeleton/pipeline ${(cpuTotal(sk.cpu) / cpuTotal(fig.cpu)).toFixed(3)} (Node ${(sk.cpu.nodeUs / fig.cpu.nodeUs).toFixed(3)}, redis-server ${(sk.cpu.redisUs / fig.cpu.redisUs).toFixed(3)}): the same ratio in work done, which other load on the machine moves less`);
  }
}

interface ScenarioOptions {
  redis: EmbeddedRedis;
  dir: string;
  storeUrl: string;
  workers: number;
  seconds: number;
  prefill: number;
  label: string;
  log: (line: string) => void;
}

async function runPipeline(o: ScenarioOptions): Promise<PipelineFigures> {
  const { redis, dir, seconds, log, workers } = o;
  const prefix = `bench${Math.random().toString(36).slice(2, 8)}`;
  // BENCH_EXPERIMENT=autocheckpoint: SQLite's own checkpoint inside the commit that crosses 4,000
  // WAL pages (what the store did before its checkpoint thread), for an A/B.
  const autocheckpoint = process.env.BENCH_EXPERIMENT === 'autocheckpoint' && !isPostgresUrl(o.storeUrl);
  const store = autocheckpoint ? openSqliteStore(o.storeUrl.replace(/^sqlite:/, ''), { walAutocheckpoint: 4000 }) : openStore(o.storeUrl);
  const flows = loadFlows(join(ROOT, 'flows'));
  const service = new ConversationService({ store, flows, mediaDir: join(dir, 'media') });
  const sink = new BenchSink();
  // workers = 0: everything in this one process (what `npm start` runs); n > 0: this process is
  // the gateway (accepts, sends) and n `tawasul worker` processes run the engine.
  // The pipeline's warnings are counted and summarised at the end (under overload BullMQ locks lapse).
  const warnings = new Map<string, number>();
  const warnLog = pino({ level: 'warn' }, {
    write(line: string) {
      const { msg, err } = JSON.parse(line) as { msg?: string; err?: string };
      const key = `${msg}${err ? `: ${String(err).replace(/[0-9a-f-]{20,}[.\d]*/g, '…')}` : ''}`;
      warnings.set(key, (warnings.get(key) ?? 0) + 1);
    },
  });
  const pgStats = process.env.BENCH_SQL && isPostgresUrl(o.storeUrl) ? await PgStatements.open(o.storeUrl) : undefined;
  const pipeline = new Pipeline({ service, redis: redis.target, log: warnLog, prefix, engineConcurrency: 64, inlineDrain: process.env.BENCH_INLINE !== '0', limits: { bench: { max: 100_000, durationMs: 1000 } } });
  const children = await startWorkers(workers, {
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    ...(o.storeUrl.startsWith('postgres') ? { DATABASE_URL: o.storeUrl } : { DB_PATH: o.storeUrl }),
    MEDIA_DIR: join(dir, 'media'),
    DATA_DIR: join(dir, `data-${prefix}`),
    QUEUE_PREFIX: prefix,
    ENGINE_CONCURRENCY: '64',
    LOG_LEVEL: 'info',
  });
  pipeline.start({ engine: workers === 0, senders: [sink] });

  const now = new Date();
  const scripts = await Promise.all([...flows.values()].map(async (flow) => {
    const media = await service.storeMedia(flow.id, { path: join(ROOT, 'test/fixtures/id-card.pdf'), mime: 'application/pdf', filename: 'id.pdf' });
    const fields = flow.intake.fields;
    const answers = validAnswers(flow, 'intake', now).map((a, i): Step => {
      if ('file' in a) return { media };
      const type = fields[i]!.type;
      return type === 'national_id' || type === 'phone' ? { text: a.text, field: type } : { text: a.text };
    });
    return { flowId: flow.id, script: [{ text: 'السلام عليكم' }, { text: '١' }, ...answers, { text: '1' }] as Step[] };
  }));

  let nextId = 0;
  let processed = 0;
  const latencies: number[] = [];
  const parts: Array<Required<Beneficiary['t']> & { sent: number; done: number }> = [];
  let measuring = false;
  const byConversation = new Map<string, Beneficiary>();
  const idle: Beneficiary[] = [];
  const fresh = () => {
    const s = scripts[nextId % scripts.length]!;
    return new Beneficiary(++nextId, s.flowId, s.script);
  };

  // Where a message's time goes (in-process engine only): the step is timed around processNext,
  // the outbound wait until markSending of the step's first reply.
  if (workers === 0) {
    const processNext = service.processNext.bind(service);
    service.processNext = async (conversationId, opts) => {
      const start = performance.now();
      const outcome: StepOutcome | undefined = await processNext(conversationId, opts);
      const first = outcome?.outbound[0];
      const b = byConversation.get(conversationId);
      if (first && b && Number(first.id.split('.')[1]) === b.waitingFor) Object.assign(b.t, { stepStart: start, stepEnd: performance.now() });
      return outcome;
    };
    const markSending = service.markSending.bind(service);
    service.markSending = (id) => {
      const [conv, version, n] = id.split('.');
      const b = byConversation.get(conv!);
      if (b && n === '0' && Number(version) === b.waitingFor) b.t.sending = performance.now();
      return markSending(id);
    };
  }

  const sendNext = (b: Beneficiary) => {
    if (b.step >= b.script.length) b = fresh();
    const { field, ...step } = b.script[b.step++]!;
    // Every simulated beneficiary is a different person (their own ID and mobile), as real ones
    // are: one shared ID would make every request one beneficiary's, a cost no deployment has.
    if (field === 'national_id') step.text = makeSaudiId(`1${String(b.id % 1e8).padStart(8, '0')}`);
    else if (field === 'phone') step.text = `050${String(b.id % 1e7).padStart(7, '0')}`;
    b.sentAt = performance.now();
    b.t = {};
    const waitingFor = b.step; // the version of the engine step this message will cause
    // Known before the reply can come: the step that answers this message has this version.
    b.waitingFor = waitingFor;
    void pipeline.ingest({ associationId: b.flowId, channel: 'bench', address: `b${b.id}`, messageId: `b${b.id}-${b.step}`, ...step }).then((acc) => {
      b.conversationId = acc.conversationId;
      b.t.accepted = performance.now();
      byConversation.set(acc.conversationId, b);
    });
  };

  let mode: 'closed' | 'open' = 'closed';
  sink.onSend = (msg) => {
    // Reply ids are <conversation>.<step version>.<n>: the first reply of the awaited step answers it.
    const [conv, version, n] = msg.id.split('.');
    const b = byConversation.get(conv!);
    if (!b || Number(version) !== b.waitingFor || n !== '0') return;
    b.waitingFor = -1;
    processed++;
    const done = performance.now();
    if (measuring) {
      latencies.push(done - b.sentAt);
      const t = b.t;
      if (t.accepted && t.stepStart && t.stepEnd && t.sending) parts.push({ ...(t as Required<Beneficiary['t']>), sent: b.sentAt, done });
    }
    if (mode === 'closed') sendNext(b);
    else idle.push(b);
  };
  const allAnswered = () => [...byConversation.values()].every((b) => b.waitingFor === -1);

  // 1. Maximum sustained throughput: many beneficiaries, each answering as soon as the bot has.
  let sustainedProfiled = false;
  const closedLoop = async () => {
    mode = 'closed';
    const fromIdle = idle.splice(0, idle.length);
    for (let i = 0; i < CONCURRENCY; i++) sendNext(fromIdle.pop() ?? fresh());
    await sleep(2000); // warm-up
    const p0 = processed;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // BENCH_PROFILE: the first sustained phase is profiled too (where the time goes at saturation).
    const profiling = process.env.BENCH_PROFILE && !sustainedProfiled ? new Session() : undefined;
    if (profiling) {
      sustainedProfiled = true;
      profiling.connect();
      await profiling.post('Profiler.enable');
      await profiling.post('Profiler.start');
    }
    const meter = new CpuMeter(redis.port!, () => children.map((c) => c.pid!).filter(Boolean));
    // BENCH_SQL: every sustained phase (before and after the pre-fill, to compare).
    const countSql = Boolean(process.env.BENCH_SQL);
    if (countSql) {
      sqlStats.clear();
      sqlCounting = true;
      if (pgStats) await pgStats.reset();
    }
    await meter.begin();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const elapsed = performance.now() - t0;
    const cpu = await meter.end(processed - p0);
    loop.disable();
    if (countSql) {
      sqlCounting = false;
      if (pgStats) await pgStats.print(processed - p0, log);
      else printSql(processed - p0, 'sustained phase', log);
    }
    if (profiling) {
      const { profile } = await profiling.post('Profiler.stop');
      mkdirSync(process.env.BENCH_PROFILE!, { recursive: true });
      const file = join(process.env.BENCH_PROFILE!, `${o.label.replace(/[^a-z0-9]+/gi, '-')}-sustained.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      profiling.disconnect();
      log(`  CPU profile of this process, sustained phase: ${file}`);
    }
    mode = 'open';
    await waitUntil(allAnswered, 60_000).catch(() => undefined);
    return { perSecond: ((processed - p0) / elapsed) * 1000, loopP99ms: loop.percentile(99) / 1e6, cpu };
  };
  const sustained = await closedLoop();
  log(`${o.label}: sustained ${fmt(sustained.perSecond)} inbound msg/s, ${CONCURRENCY} beneficiaries doing full intakes (each message stored, queued, handled, replied to); this process's event-loop delay p99 ${sustained.loopP99ms.toFixed(1)} ms; ${cpuLine(sustained.cpu)}`);

  // 2. Latency at fixed offered rates: acceptance call → the sink's send call of the first reply.
  const openLoop = async (rate: number): Promise<LoopFigures> => {
    await waitUntil(allAnswered, 60_000).catch(() => undefined);
    idle.splice(0, idle.length, ...new Set(byConversation.values()));
    measuring = true;
    latencies.length = 0;
    parts.length = 0;
    const meter = new CpuMeter(redis.port!, () => children.map((c) => c.pid!).filter(Boolean));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    await meter.begin();
    const start = performance.now();
    let issued = 0;
    while (performance.now() - start < seconds * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (issued < due) {
        sendNext(idle.pop() ?? fresh());
        issued++;
      }
      await sleep(2);
    }
    const achievedRate = (issued / (performance.now() - start)) * 1000;
    await waitUntil(() => latencies.length >= issued * 0.99, 60_000).catch(() => undefined);
    const cpu = await meter.end(issued);
    loop.disable();
    measuring = false;
    const sorted = [...latencies].sort((a, b) => a - b);
    const fig = { rate, achievedRate, count: sorted.length, p50ms: quantile(sorted, 0.5), p99ms: quantile(sorted, 0.99) };
    log(`${o.label}: at ${fmt(achievedRate)} msg/s offered, acceptance→send p50 ${fig.p50ms.toFixed(1)} ms, p99 ${fig.p99ms.toFixed(1)} ms (${fig.count} replies); event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; ${cpuLine(cpu)}`);
    if (parts.length > 0) log(`  where the time goes (p50 / p99 ms, ${parts.length} messages): ${breakdown(parts)}`);
    return fig;
  };
  const loops: LoopFigures[] = [];
  for (const rate of RATES) {
    const profiling = process.env.BENCH_PROFILE && rate === 100 ? new Session() : undefined;
    if (profiling) {
      profiling.connect();
      await profiling.post('Profiler.enable');
      await profiling.post('Profiler.start');
    }
    sqlStats.clear();
    sqlCounting = rate === 100;
    loops.push(await openLoop(rate));
    sqlCounting = false;
    if (sqlStats.size > 0) printSql(loops.at(-1)!.count, '100 msg/s', log);
    if (profiling) {
      const { profile } = await profiling.post('Profiler.stop');
      mkdirSync(process.env.BENCH_PROFILE!, { recursive: true });
      const file = join(process.env.BENCH_PROFILE!, `${o.label.replace(/[^a-z0-9]+/gi, '-')}-100.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      profiling.disconnect();
      log(`  CPU profile of this process at 100 msg/s: ${file}`);
    }
  }

  // 3. Cost per message with many stored: pre-fill, then the sustained run again.
  let afterPrefill: PipelineFigures['afterPrefill'];
  if (o.prefill > 0) {
    await waitUntil(allAnswered, 60_000).catch(() => undefined);
    const t = performance.now();
    const stored = await prefillMessages(o.storeUrl, o.prefill);
    log(`${o.label}: pre-filled ${fmt(o.prefill)} handled messages in ${((performance.now() - t) / 1000).toFixed(1)} s (${fmt(stored)} stored now)`);
    const again = await closedLoop();
    afterPrefill = { stored, perSecond: again.perSecond };
    log(
      `${o.label}: turns/s before ${fmt(sustained.perSecond)}, after ${fmt(stored)} stored ${fmt(again.perSecond)} (${(again.perSecond / sustained.perSecond).toFixed(2)}×); ` +
        `CPU per message before ${fmt(cpuTotal(sustained.cpu))} µs, after ${fmt(cpuTotal(again.cpu))} µs (${(cpuTotal(sustained.cpu) / cpuTotal(again.cpu)).toFixed(2)}×, the same ratio in work done)`,
    );
  }
  await pipeline.close();
  if (warnings.size > 0) log(`  pipeline warnings: ${[...warnings].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${v}× ${k}`).join('; ')}`);
  await Promise.all(children.map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
  await store.close();
  await pgStats?.close();
  return { label: o.label, sustainedPerSecond: sustained.perSecond, cpu: sustained.cpu, loops, afterPrefill };
}

function breakdown(parts: Array<{ sent: number; accepted: number; stepStart: number; stepEnd: number; sending: number; done: number }>): string {
  const seg = (name: string, f: (p: (typeof parts)[number]) => number) => {
    const v = parts.map(f).sort((a, b) => a - b);
    return `${name} ${quantile(v, 0.5).toFixed(1)} / ${quantile(v, 0.99).toFixed(1)}`;
  };
  return [
    seg('accept', (p) => p.accepted - p.sent),
    seg('inbound queue', (p) => p.stepStart - p.accepted),
    seg('step', (p) => p.stepEnd - p.stepStart),
    seg('outbound queue', (p) => p.sending - p.stepEnd),
    seg('markSending+send', (p) => p.done - p.sending),
  ].join('; ');
}

/**
 * Adds `n` handled messages (copies of the ones stored so far, in the same conversations, status
 * processed / sent) straight into the database, between runs: what a long-lived deployment holds.
 */
async function prefillMessages(storeUrl: string, n: number): Promise<number> {
  if (storeUrl.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: storeUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'messages' AND column_name <> 'seq' ORDER BY ordinal_position`);
      const cols = rows.map((r) => r.column_name);
      const base = Number((await client.query(`SELECT count(*) AS c FROM messages WHERE status IN ('processed', 'sent')`)).rows[0].c);
      for (let added = 0, round = 0; added < n && base > 0; round++) {
        const k = Math.min(base, n - added);
        await client.query(`INSERT INTO messages (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${copyColumns(cols, round)} FROM messages WHERE status IN ('processed', 'sent') AND id NOT LIKE '%~%' LIMIT ${k}`);
        added += k;
      }
      // What a deployment that grew to this size has had done by itself: the planner's statistics
      // describe the tables as they now are (autovacuum analyses within a minute of a bulk
      // insert like this one), and the bulk's dirty pages are written (a checkpoint), not
      // left for the measured phase to pay for.
      await client.query('ANALYZE');
      await client.query('CHECKPOINT');
      return Number((await client.query(`SELECT count(*) AS c FROM messages`)).rows[0].c);
    } finally {
      await client.end();
    }
  }
  const db = new Database(storeUrl.replace(/^sqlite:/, ''));
  try {
    db.pragma('busy_timeout = 10000');
    const cols = (db.prepare(`PRAGMA table_info(messages)`).all() as Array<{ name: string }>).map((c) => c.name);
    const base = (db.prepare(`SELECT count(*) AS c FROM messages WHERE status IN ('processed', 'sent')`).get() as { c: number }).c;
    for (let added = 0, round = 0; added < n && base > 0; round++) {
      const k = Math.min(base, n - added);
      db.prepare(`INSERT INTO messages (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${copyColumns(cols, round)} FROM messages WHERE status IN ('processed', 'sent') AND id NOT LIKE '%~%' LIMIT ${k}`).run();
      added += k;
    }
    // History that grew over months is in the database file, not a 1 GB write-ahead log that the
    // measured phase would copy back: the bulk is checkpointed here.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return (db.prepare(`SELECT count(*) AS c FROM messages`).get() as { c: number }).c;
  } finally {
    db.close();
  }
}

const copyColumns = (cols: string[], round: number) => cols.map((c) => (c === 'id' || c === 'channel_message_id' ? `"${c}" || '~${round}'` : `"${c}"`)).join(', ');

/**
 * The bare skeleton: BullMQ inbound queue → a worker doing one SQLite transaction (insert the
 * message, update its conversation) → BullMQ outbound queue → a consumer, on the same Redis and
 * SQLite settings as the store (WAL, synchronous NORMAL), measured like the pipeline.
 */
async function runSkeleton(redis: EmbeddedRedis, file: string, seconds: number, log: (line: string) => void): Promise<PipelineFigures> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE conversations (id TEXT PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT '{}', updated_at TEXT);
    CREATE TABLE messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX messages_conversation ON messages (conversation_id, created_at);`);
  const insert = db.prepare(`INSERT INTO messages (id, conversation_id, body, status, created_at) VALUES (?, ?, ?, 'processed', ?)`);
  const upsert = db.prepare(`INSERT INTO conversations (id, version, state, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET version = version + 1, state = excluded.state, updated_at = excluded.updated_at`);
  const step = db.transaction((conv: string, id: string, body: string) => {
    const at = new Date().toISOString();
    insert.run(id, conv, body, at);
    upsert.run(conv, JSON.stringify({ last: body }), at);
  });
  const producer = connect(redis.target, { enableAutoPipelining: true });
  const qin = new Queue('in', { connection: producer, prefix: 'skeleton' });
  const qout = new Queue('out', { connection: producer, prefix: 'skeleton' });
  let seq = 0;
  let done = 0;
  const sentAt = new Map<number, number>();
  let onDone: (b: number) => void = () => undefined;
  const wIn = new Worker('in', async (job) => {
    const { b, m } = job.data as { b: number; m: number };
    step(`c${b}`, `m${m}`, 'السلام عليكم');
    await qout.add('s', job.data, { removeOnComplete: true, jobId: `o${m}` });
  }, { connection: connect(redis.target, { enableAutoPipelining: true }), prefix: 'skeleton', concurrency: 64 });
  const wOut = new Worker('out', async (job) => {
    done++;
    onDone((job.data as { b: number; m: number }).m);
  }, { connection: connect(redis.target, { enableAutoPipelining: true }), prefix: 'skeleton', concurrency: 50 });
  const send = (b: number) => {
    const m = ++seq;
    sentAt.set(m, performance.now());
    void qin.add('d', { b, m }, { removeOnComplete: true, attempts: 20 });
  };
  const label = 'skeleton (BullMQ in → one SQLite transaction → BullMQ out)';
  // Closed loop: each of CONCURRENCY senders sends again when its message came out.
  let closed = true;
  const beneficiaryOf = new Map<number, number>();
  onDone = (m) => {
    const b = beneficiaryOf.get(m);
    beneficiaryOf.delete(m);
    sentAt.delete(m);
    if (closed && b !== undefined) setImmediate(() => { beneficiaryOf.set(seq + 1, b); send(b); });
  };
  for (let b = 0; b < CONCURRENCY; b++) {
    beneficiaryOf.set(seq + 1, b);
    send(b);
  }
  await sleep(2000);
  const d0 = done;
  const meter = new CpuMeter(redis.port!, () => []);
  await meter.begin();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const sustainedPerSecond = ((done - d0) / (performance.now() - t0)) * 1000;
  const cpu = await meter.end(done - d0);
  closed = false;
  await waitUntil(() => sentAt.size === 0, 30_000).catch(() => undefined);
  log(`${label}: sustained ${fmt(sustainedPerSecond)} msg/s, ${CONCURRENCY} senders; ${cpuLine(cpu)}`);
  const loops: LoopFigures[] = [];
  const latencies: number[] = [];
  onDone = (m) => {
    const t = sentAt.get(m);
    sentAt.delete(m);
    if (t !== undefined) latencies.push(performance.now() - t);
  };
  for (const rate of RATES) {
    latencies.length = 0;
    const start = performance.now();
    let issued = 0;
    while (performance.now() - start < seconds * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (issued < due) {
        send(issued % CONCURRENCY);
        issued++;
      }
      await sleep(2);
    }
    const achievedRate = (issued / (performance.now() - start)) * 1000;
    await waitUntil(() => latencies.length >= issued * 0.99, 60_000).catch(() => undefined);
    const sorted = [...latencies].sort((a, b) => a - b);
    const fig = { rate, achievedRate, count: sorted.length, p50ms: quantile(sorted, 0.5), p99ms: quantile(sorted, 0.99) };
    loops.push(fig);
    log(`${label}: at ${fmt(achievedRate)} msg/s offered, p50 ${fig.p50ms.toFixed(1)} ms, p99 ${fig.p99ms.toFixed(1)} ms`);
  }
  await Promise.all([wIn.close(), wOut.close()]);
  await Promise.all([qin.close(), qout.close()]);
  producer.disconnect();
  db.close();
  return { label, sustainedPerSecond, cpu, loops };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(pred: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}
