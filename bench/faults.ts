/**
 * The long mixed fault run (issue 11): the separate roles — two `tawasul worker` processes and one
 * `tawasul gateway --channel loopback --http` — on their own AOF redis-server (appendfsync everysec)
 * and one shared SQLite file, with simulated beneficiaries doing full intakes through the
 * gateway's loopback inbound endpoint at a fixed rate, ~5 % of messages delivered twice, and
 * faults on a schedule: kill -9 of a worker and of the gateway (restarted), Redis stopped with
 * SIGTERM and with kill -9 (restarted), receiver windows of 5xx, 429, slow answers and
 * store-then-drop, and a gateway kill during sends while the receiver's status lookups fail for
 * 30 s. After the load it waits (bounded) for the queues to drain and checks the promises.
 *
 * Options (environment): BENCH_FAULT_RATE (inbound msg/s, default 150), BENCH_FAULT_SECONDS (load
 * duration, default 300), BENCH_FAULT_DRAIN_SECONDS (bound on the drain, default 300),
 * BENCH_FAULT_QUICK=1 (the tests' quick lock/sweep timings instead of the product's defaults),
 * BENCH_FAULT_KEEP=1 (keep the temp dir: the SQLite file and the roles' logs), BENCH_FAULTS (a
 * comma-separated subset of the faults, by key: worker-kill, 5xx, gateway-kill, 429, redis-term,
 * slow, redis-kill, drop, kill-during-sends; the spacing stays spread over the run).
 * Returns false when a must-be-zero or bounded check fails.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { QUICK_RECOVERY, startRole } from '../test/support/roles.ts';
import { TestRedis, freePort } from '../test/support/redis.ts';
import { FaultyReceiver, type PostFault } from '../test/support/receiver.ts';
import { openTestStore } from '../test/support/store.ts';
import { validAnswers } from '../test/support/answers.ts';
import { FLOWS } from '../test/support/scenario.ts';
import { fmt, quantile } from './engine.ts';

export interface FaultBenchOptions {
  rate?: number;
  seconds?: number;
  drainSeconds?: number;
  quick?: boolean;
  keep?: boolean;
  /** Only these faults (keys: worker-kill, 5xx, gateway-kill, 429, redis-term, slow, redis-kill, drop, kill-during-sends). */
  faults?: string[];
  log?: (line: string) => void;
}

const DUPLICATE_SHARE = 0.05;
/** A beneficiary sends the next answer when the reply came, or after this long without one. */
const PATIENCE_MS = 5000;
const RECEIVER_WINDOW_MS = 10_000;
const LOOKUP_FAILURE_MS = 30_000;
const LATENCY_OK_MS = 1000;
/** Latency is back when this many whole seconds of acceptances in a row were all answered within LATENCY_OK_MS. */
const RECOVERED_SECONDS = 5;
const TOKEN = 'bench-faults-loopback-token';

type Mode = 'ok' | '5xx' | '429' | 'slow' | 'drop' | 'inflight';

class Beneficiary {
  /** Messages sent so far (the k-th message is answered by the conversation's step k). */
  sent = 0;
  acceptedAt = 0;
  replied = true;
  queued = false;
  constructor(
    readonly id: number,
    readonly flowId: string,
    readonly script: string[],
  ) {}
  get address() {
    return `f${this.id}`;
  }
}

interface FaultRecord {
  name: string;
  at: number;
  /** When the process or the receiver was back (restart done, window over). */
  backAt?: number;
}

export async function runFaultBench(opts: FaultBenchOptions = {}): Promise<boolean> {
  const log = opts.log ?? console.log;
  const rate = opts.rate ?? 150;
  const seconds = opts.seconds ?? 300;
  const drainSeconds = opts.drainSeconds ?? 300;
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-bench-faults-'));
  const dbPath = join(dir, 'faults.db');
  const prefix = 'bf';
  const redis = await new TestRedis().start();
  const receiver = await new FaultyReceiver().start();
  const httpPort = await freePort();
  const children: ChildProcess[] = [];
  // The store is opened here first (migrations run once, before the roles race for them);
  // `sql` is this process's own read connection for the checks.
  const t = openTestStore(dbPath);
  await t.store.close();
  const sql = t.sql;
  const one = <T>(q: string, ...p: unknown[]) => sql<T>(q, ...p)[0]!;

  // Each role's log goes to a file in the temp dir; error-level lines are counted by message.
  const roleErrors = new Map<string, number>();
  const logs: WriteStream[] = [];
  let roleCount = 0;
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    REDIS_URL: redis.url,
    DB_PATH: dbPath,
    MEDIA_DIR: join(dir, 'media'),
    DATA_DIR: join(dir, 'data'),
    QUEUE_PREFIX: prefix,
    LOOPBACK_URL: receiver.url,
    LOOPBACK_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
    ...(opts.quick ? QUICK_RECOVERY : {}),
    ...extra,
  });
  // CPU time of each role (Linux /proc), summed by role over the load, across restarts.
  const tracked: Array<{ name: string; child: ChildProcess; last: number }> = [];
  const cpuMs = new Map<string, number>();
  const sampleCpu = () => {
    for (const t of tracked) {
      let ticks: number;
      try {
        const f = readFileSync(`/proc/${t.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks = Number(f[11]) + Number(f[12]);
      } catch {
        continue; // gone, or not Linux
      }
      cpuMs.set(t.name, (cpuMs.get(t.name) ?? 0) + (ticks - t.last) * 10);
      t.last = ticks;
    }
  };
  const role = async (name: string, args: string[], extra: Record<string, string> = {}) => {
    const child = await startRole(args, env(extra), children);
    tracked.push({ name, child, last: 0 });
    const file = createWriteStream(join(dir, `${name}-${++roleCount}.log`));
    logs.push(file);
    child.stdout!.pipe(file);
    child.stderr!.pipe(file);
    let rest = '';
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"level":5') && !line.includes('"level":6')) continue;
        try {
          const { msg, err } = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          const key = `${name}: ${msg}${err?.message ? `: ${err.message.replace(/[0-9a-f-]{20,}[.\d]*/g, '…').slice(0, 100)}` : ''}`;
          roleErrors.set(key, (roleErrors.get(key) ?? 0) + 1);
        } catch {
          // not a log line
        }
      }
    });
    return child;
  };
  const inboundUrl = `http://127.0.0.1:${httpPort}/channels/loopback/inbound`;
  const gatewayArgs = ['gateway', '--channel', 'loopback', '--http'];
  const gatewayEnv = { HTTP_PORT: String(httpPort) };

  // The receiver's behaviour per window; every POST's time, for the send rate.
  let mode: Mode = 'ok';
  const postTimes: number[] = [];
  receiver.slowMs = 3000;
  receiver.plan = (n): PostFault => {
    postTimes.push(Date.now());
    switch (mode) {
      case '5xx':
        return n % 2 === 0 ? 'refuse-503' : 'ok';
      case '429':
        return n % 2 === 0 ? 'refuse-429' : 'ok';
      case 'slow':
      case 'inflight':
        return 'store-then-slow';
      case 'drop':
        return n % 3 === 0 ? 'store-then-drop' : 'ok';
      default:
        return 'ok';
    }
  };

  let ok = true;
  try {
    const workers = [await role('worker', ['worker']), await role('worker', ['worker'])];
    let gateway = await role('gateway', gatewayArgs, gatewayEnv);
    log(`fault run: 2 tawasul worker + 1 tawasul gateway --channel loopback --http, redis-server ${redis.port} (AOF, appendfsync everysec), SQLite ${dbPath}; ${opts.quick ? 'quick test timings (BENCH_FAULT_QUICK)' : "the product's default lock, sweep and backoff timings"}`);
    log(`load: ${rate} msg/s for ${seconds} s, beneficiaries doing full intakes over the gateway's loopback endpoint, ~${DUPLICATE_SHARE * 100} % delivered twice`);

    // ── the beneficiaries ──
    const now = new Date();
    const scripts = [...FLOWS.values()].map((flow) => ({
      flowId: flow.id,
      // The loopback channel carries text only: the optional ID copy is skipped.
      script: ['السلام عليكم', '١', ...validAnswers(flow, 'intake', now).map((a) => ('file' in a ? 'skip' : a.text)), '1'],
    }));
    let nextId = 0;
    const byAddress = new Map<string, Beneficiary>();
    const ready: Beneficiary[] = [];
    const fresh = () => {
      const s = scripts[nextId % scripts.length]!;
      const b = new Beneficiary(++nextId, s.flowId, s.script);
      byAddress.set(b.address, b);
      return b;
    };
    /** Acceptance time (the gateway's 2xx) of each accepted message, by `<address>#<k>`. */
    const acceptedAt = new Map<string, number>();
    const counts = { posts: 0, retries: 0, duplicatesSent: 0, duplicatesAcknowledged: 0, duplicatesAcceptedAsNew: 0, rejected: 0, gaveUp: 0 };
    const rejections = new Map<string, number>();
    /** Why inbound POSTs were sent again: connection refused, timed out, or the gateway's 5xx. */
    const retryCauses = new Map<string, number>();
    const cause = (key: string) => retryCauses.set(key, (retryCauses.get(key) ?? 0) + 1);
    /** Each answered inbound POST: when it started and how long the gateway took; each one unanswered in 10 s. */
    const acceptCalls: Array<{ at: number; ms: number }> = [];
    const acceptTimeouts: number[] = [];
    let loadOver = false;
    let drainOver = false;
    const inFlight = new Set<Promise<void>>();
    const makeReady = (b: Beneficiary) => {
      if (b.queued || b.sent >= b.script.length) return;
      b.queued = true;
      ready.push(b);
    };
    const post = async (b: Beneficiary, k: number, text: string): Promise<'new' | 'duplicate' | 'refused' | 'failed'> => {
      counts.posts++;
      const started = Date.now();
      try {
        const res = await fetch(inboundUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ associationId: b.flowId, from: b.address, messageId: `${b.address}-${k}`, text }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json().catch(() => ({}))) as { duplicate?: boolean };
        if (res.ok) {
          acceptCalls.push({ at: started, ms: Date.now() - started });
          return body.duplicate ? 'duplicate' : 'new';
        }
        if (res.status < 500) {
          const key = `HTTP ${res.status}`;
          rejections.set(key, (rejections.get(key) ?? 0) + 1);
          counts.rejected++;
          return 'refused'; // not retried: the gateway refused it for good
        }
        cause(`HTTP ${res.status}`);
      } catch (err) {
        // the gateway is down, restarting or not answering: the platform delivers again
        const e = err as Error & { cause?: { code?: string } };
        cause(e.name === 'TimeoutError' ? 'no answer in 10 s' : (e.cause?.code ?? e.name));
        if (e.name === 'TimeoutError') acceptTimeouts.push(started);
      }
      return 'failed';
    };
    const send = (b: Beneficiary) => {
      const k = ++b.sent;
      const text = b.script[k - 1]!;
      b.replied = false;
      const p = (async () => {
        let attempt = 0;
        for (;;) {
          const r = await post(b, k, text);
          if (r === 'refused') return; // this beneficiary stops here
          if (r !== 'failed') {
            if (!acceptedAt.has(`${b.address}#${k}`)) acceptedAt.set(`${b.address}#${k}`, Date.now());
            b.acceptedAt = Date.now();
            break;
          }
          if (drainOver) {
            counts.gaveUp++;
            return;
          }
          counts.retries++;
          // Redelivered like a platform's webhook: backing off (0.25 s doubling to 8 s, jittered).
          await sleep(Math.min(8000, 250 * 2 ** Math.min(5, ++attempt - 1)) * (0.5 + Math.random()));
        }
        if (b.replied) makeReady(b);
        else
          setTimeout(() => {
            if (b.sent === k && !loadOver) makeReady(b);
          }, PATIENCE_MS).unref();
        if (Math.random() < DUPLICATE_SHARE) {
          await sleep(Math.random() * 2000);
          counts.duplicatesSent++;
          const again = await post(b, k, text);
          if (again === 'duplicate') counts.duplicatesAcknowledged++;
          if (again === 'new') counts.duplicatesAcceptedAsNew++;
        }
      })();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };

    // Replies: the receiver's deliveries, read as they come; the first reply of step k answers message k.
    const addressOf = new Map<string, string>();
    let seen = 0;
    const watchReplies = setInterval(() => {
      for (; seen < receiver.deliveries.length; seen++) {
        const d = receiver.deliveries[seen]!;
        const [conv, version, n] = d.id.split('.');
        if (n !== '0') continue;
        let address = addressOf.get(conv!);
        if (!address) {
          address = sql<{ address: string }>('SELECT k.address FROM conversations v JOIN contacts k ON k.id = v.contact_id WHERE v.id = ?', conv)[0]?.address;
          if (!address) continue;
          addressOf.set(conv!, address);
        }
        const b = byAddress.get(address);
        if (!b || Number(version) !== b.sent || b.replied) continue;
        b.replied = true;
        if (b.acceptedAt > 0 && acceptedAt.has(`${b.address}#${b.sent}`) && !loadOver) makeReady(b);
      }
    }, 20);

    // ── the faults ──
    const faults: FaultRecord[] = [];
    const restartGateway = async () => {
      await sleep(300);
      gateway = await role('gateway', gatewayArgs, gatewayEnv);
    };
    const receiverWindow = (m: Mode) => async (f: FaultRecord) => {
      mode = m;
      await sleep(RECEIVER_WINDOW_MS);
      mode = 'ok';
      f.backAt = Date.now();
    };
    const all: Array<[string, string, (f: FaultRecord) => Promise<void>]> = [
      ['worker-kill', 'worker kill -9 (restarted)', async (f) => {
        workers[0]!.kill('SIGKILL');
        workers[0] = await role('worker', ['worker']);
        f.backAt = Date.now();
      }],
      ['5xx', `receiver 5xx window (half the sends 503, ${RECEIVER_WINDOW_MS / 1000} s)`, receiverWindow('5xx')],
      ['gateway-kill', 'gateway kill -9 (restarted)', async (f) => {
        gateway.kill('SIGKILL');
        await restartGateway();
        f.backAt = Date.now();
      }],
      ['429', `receiver 429 window (half the sends 429, ${RECEIVER_WINDOW_MS / 1000} s)`, receiverWindow('429')],
      ['redis-term', 'Redis SIGTERM, down 1 s (restarted)', async (f) => {
        await redis.restart(1000);
        f.backAt = Date.now();
      }],
      ['slow', `receiver slow window (every answer after ${receiver.slowMs / 1000} s, ${RECEIVER_WINDOW_MS / 1000} s)`, receiverWindow('slow')],
      ['redis-kill', 'Redis kill -9 (restarted by its supervisor)', async (f) => {
        redis.server.kill();
        await sleep(100);
        f.backAt = Date.now();
      }],
      ['drop', `receiver store-then-drop window (every 3rd send, ${RECEIVER_WINDOW_MS / 1000} s)`, receiverWindow('drop')],
      ['kill-during-sends', `gateway kill -9 during slow sends, receiver lookups 503 for ${LOOKUP_FAILURE_MS / 1000} s`, async (f) => {
        mode = 'inflight';
        await sleep(2000);
        gateway.kill('SIGKILL');
        mode = 'ok';
        receiver.lookupsFailUntil = Date.now() + LOOKUP_FAILURE_MS;
        await restartGateway();
        f.backAt = Date.now();
      }],
    ];
    const only = opts.faults;
    const unknown = only?.filter((k) => !all.some(([key]) => key === k)) ?? [];
    if (unknown.length > 0) throw new Error(`unknown fault ${unknown.join(', ')}; choose from ${all.map(([k]) => k).join(', ')}`);
    const schedule = all.filter(([key]) => !only || only.includes(key)).map(([, name, inject]) => [name, inject] as const);
    const first = Math.min(20, seconds / 6);
    const spacing = Math.max(4, (seconds - first - 10) / schedule.length);
    const faultRuns: Promise<void>[] = [];

    // ── the load ──
    sampleCpu();
    cpuMs.clear();
    const cpuTimer = setInterval(sampleCpu, 500);
    // The gateway's event-loop delay: its /metrics (prom-client) reports the max since the last scrape.
    const loopLag: Array<{ at: number; ms: number }> = [];
    let scrapesFailed = 0;
    let scraping = false;
    const lagTimer = setInterval(() => {
      if (scraping) return;
      scraping = true;
      const at = Date.now();
      void fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.text())
        .then((text) => {
          const m = /^tawasul_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text);
          if (m) loopLag.push({ at, ms: Number(m[1]) * 1000 });
        })
        .catch(() => scrapesFailed++)
        .finally(() => (scraping = false));
    }, 2000);
    const ownCpu = process.cpuUsage();
    // This process carries the load generator and the receiver: a stall here would look like a slow gateway.
    const ownLoop = monitorEventLoopDelay({ resolution: 10 });
    ownLoop.enable();
    const loadStart = Date.now();
    let issued = 0;
    let nextFault = 0;
    while (Date.now() - loadStart < seconds * 1000) {
      const elapsed = Date.now() - loadStart;
      if (nextFault < schedule.length && elapsed >= (first + nextFault * spacing) * 1000) {
        const [name, inject] = schedule[nextFault++]!;
        const f: FaultRecord = { name, at: Date.now() };
        faults.push(f);
        faultRuns.push(inject(f).catch((err: Error) => log(`  fault "${name}" failed: ${err.message.split('\n')[0]}`)));
      }
      const due = Math.floor((elapsed / 1000) * rate);
      while (issued < due) {
        let b: Beneficiary | undefined;
        while ((b = ready.shift())) {
          b.queued = false;
          if (b.sent < b.script.length) break;
        }
        send(b ?? fresh());
        issued++;
      }
      await sleep(5);
    }
    const loadEnd = Date.now();
    loadOver = true;
    sampleCpu();
    clearInterval(cpuTimer);
    clearInterval(lagTimer);
    const own = process.cpuUsage(ownCpu);
    ownLoop.disable();
    const cpuShare = (ms: number) => `${((ms / (loadEnd - loadStart)) * 100).toFixed(0)} %`;
    const cpuLine = `CPU while inbound load ran (one core = 100 %): gateway ${cpuShare(cpuMs.get('gateway') ?? 0)}, workers ${cpuShare(cpuMs.get('worker') ?? 0)} together, this load generator and receiver ${cpuShare((own.user + own.system) / 1000)}`;
    await Promise.all(faultRuns);
    log(`load over: ${fmt(issued)} messages issued in ${((loadEnd - loadStart) / 1000).toFixed(0)} s by ${fmt(nextId)} beneficiaries; ${faults.length} faults injected; draining (at most ${drainSeconds} s)`);

    // ── the drain ──
    const drainStart = Date.now();
    const state = () =>
      one<{ pending: number; unsent: number; submitted: number }>(`
        SELECT (SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'pending') pending,
               (SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('queued', 'sending')) unsent,
               (SELECT count(*) FROM requests WHERE status = 'submitted') submitted`);
    let drained = false;
    let last = state();
    while (Date.now() - drainStart < drainSeconds * 1000) {
      last = state();
      if (inFlight.size === 0 && last.pending === 0 && last.unsent === 0 && last.submitted === 0) {
        drained = true;
        break;
      }
      await sleep(500);
    }
    drainOver = true;
    const drainEnd = Date.now();
    log(`drain: ${drained ? 'done' : 'NOT done'} after ${((drainEnd - drainStart) / 1000).toFixed(1)} s (inbound pending ${last.pending}, replies unsent ${last.unsent}, requests submitted ${last.submitted}, client sends in flight ${inFlight.size})`);
    await sleep(1000); // the last deliveries' bookkeeping
    clearInterval(watchReplies);

    // ── the checks ──
    const checks: Array<{ what: string; value: string; pass: boolean | undefined }> = [];
    const check = (what: string, value: number | string, pass?: boolean) => {
      checks.push({ what, value: typeof value === 'number' ? fmt(value) : value, pass });
      if (pass === false) ok = false;
    };
    const inbound = sql<{ id: string; conversation_id: string; step_version: number | null; status: string }>(
      "SELECT channel_message_id id, conversation_id, step_version, status FROM messages WHERE direction = 'in' ORDER BY conversation_id, step_version",
    );
    const stored = new Set(inbound.map((m) => m.id));
    const acceptedIds = [...acceptedAt.keys()].map((key) => key.replace('#', '-'));
    const lost = acceptedIds.filter((id) => !stored.has(id));
    const notProcessed = inbound.filter((m) => m.status !== 'processed');
    const byConv = new Map<string, typeof inbound>();
    for (const m of inbound) byConv.set(m.conversation_id, [...(byConv.get(m.conversation_id) ?? []), m]);
    let twice = 0;
    let outOfOrder = 0;
    const badConversations: string[] = [];
    for (const [conv, ms] of byConv) {
      const versions = ms.map((m) => m.step_version ?? 0);
      const ks = ms.map((m) => Number(m.id.split('-').pop()));
      const repeated = versions.length - new Set(versions).size;
      twice += repeated;
      const inOrder = versions.every((v, i) => v === i + 1) && ks.every((k, i) => i === 0 || k > ks[i - 1]!);
      if (!inOrder && repeated === 0) outOfOrder++;
      if ((!inOrder || repeated > 0) && badConversations.length < 5) badConversations.push(`${conv}: versions ${versions.join(',')}, messages ${ks.join(',')}`);
    }
    check('messages accepted by the gateway (unique)', acceptedIds.length);
    check('  stored but never acknowledged to the sender', inbound.length - acceptedIds.filter((id) => stored.has(id)).length);
    check('  accepted, not stored (lost)', lost.length, lost.length === 0);
    check('  stored, not handled (pending)', notProcessed.length, notProcessed.length === 0);
    check('  handled twice', twice, twice === 0);
    check('  conversations handled out of order', outOfOrder, outOfOrder === 0);
    check('duplicate deliveries sent (same message id again)', counts.duplicatesSent);
    check('  of them accepted as new', counts.duplicatesAcceptedAsNew, counts.duplicatesAcceptedAsNew === 0);

    const outbound = sql<{ id: string; conversation_id: string; status: string; error: string | null }>(
      "SELECT channel_message_id id, conversation_id, status, error FROM messages WHERE direction = 'out' ORDER BY rowid",
    );
    const byStatus = (rows: Array<{ status: string }>) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(r.status, (m.get(r.status) ?? 0) + 1);
      return [...m].map(([s, n]) => `${s} ${fmt(n)}`).join(', ');
    };
    const duplicates = receiver.duplicates();
    const deadDelivered = outbound.filter((o) => (o.status === 'failed' || o.status === 'unknown') && receiver.received.has(o.id));
    const sentMissing = outbound.filter((o) => o.status === 'sent' && !receiver.received.has(o.id));
    const unsent = outbound.filter((o) => o.status === 'queued' || o.status === 'sending');
    const deadNotDelivered = outbound.filter((o) => (o.status === 'failed' || o.status === 'unknown') && !receiver.received.has(o.id));
    check('replies produced', `${fmt(outbound.length)} (${byStatus(outbound)})`);
    check('  delivered twice (same id at the receiver)', duplicates.length, duplicates.length === 0);
    check('  delivered but dead-lettered (failed/unknown)', deadDelivered.length, deadDelivered.length === 0);
    check('  marked sent, never received', sentMissing.length, sentMissing.length === 0);
    check('  still queued/sending after the drain', unsent.length, unsent.length === 0);
    check('  dead-lettered and not received', deadNotDelivered.length);
    let replyOrder = 0;
    const firstSeen = new Map<string, number>();
    receiver.deliveries.forEach((d, i) => firstSeen.has(d.id) || firstSeen.set(d.id, i));
    const outByConv = new Map<string, string[]>();
    for (const o of outbound) if (firstSeen.has(o.id)) outByConv.set(o.conversation_id, [...(outByConv.get(o.conversation_id) ?? []), o.id]);
    for (const ids of outByConv.values()) if (ids.some((id, i) => i > 0 && firstSeen.get(id)! < firstSeen.get(ids[i - 1]!)!)) replyOrder++;
    check('  conversations whose replies arrived out of order', replyOrder, replyOrder === 0);

    const requests = sql<{ status: string }>('SELECT status FROM requests');
    const unverified = requests.filter((r) => r.status === 'submitted').length;
    check('requests', `${fmt(requests.length)} (${byStatus(requests) || 'none'})`);
    check('  left unverified (submitted after the drain)', unverified, unverified === 0);

    const conversations = one<{ n: number }>('SELECT count(*) n FROM conversations').n;
    const open = one<{ n: number }>('SELECT count(*) n FROM conversations v WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.conversation_id = v.id)').n;
    const delayed = await delayedJobs(redis.url, prefix);
    const delayedTotal = [...delayed.values()].reduce((a, n) => a + n, 0);
    const reminders = delayed.get('intake_reminder') ?? 0;
    check('conversations (open: no request yet)', `${fmt(conversations)} (${fmt(open)} open)`);
    check('delayed jobs in Redis', `${fmt(delayedTotal)} (${[...delayed].map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || 'none'})`, delayedTotal <= conversations);
    check('  intake reminders ≤ open conversations', `${fmt(reminders)} ≤ ${fmt(open)}`, reminders <= open);
    // Timers not yet due wait in the outbox (the store) until they are: one pending row per conversation and timer.
    const pendingTimers = one<{ n: number }>("SELECT count(*) n FROM outbox WHERE kind = 'timer' AND done_at IS NULL").n;
    const superseded = one<{ n: number }>("SELECT count(*) n FROM outbox WHERE kind = 'timer' AND done_at IS NOT NULL AND dispatched_at IS NULL").n;
    const doubled = one<{ n: number }>('SELECT count(*) n FROM (SELECT dedupe_key FROM outbox WHERE dedupe_key IS NOT NULL AND done_at IS NULL GROUP BY dedupe_key HAVING count(*) > 1)').n;
    check('pending timers in the outbox (superseded)', `${fmt(pendingTimers)} (${fmt(superseded)})`, pendingTimers <= conversations);
    check('  timers pending twice for one conversation', doubled, doubled === 0);

    // ── latency per fault ──
    const convOf = new Map(sql<{ id: string; address: string }>('SELECT v.id, k.address FROM conversations v JOIN contacts k ON k.id = v.contact_id').map((r) => [r.address, r.id]));
    const firstAt = new Map<string, number>();
    for (const d of receiver.deliveries) if (!firstAt.has(d.id)) firstAt.set(d.id, d.at);
    const samples: Array<{ at: number; ms: number | undefined }> = [];
    for (const [key, at] of acceptedAt) {
      const [address, k] = key.split('#') as [string, string];
      const delivered = firstAt.get(`${convOf.get(address)}.${k}.0`);
      samples.push({ at, ms: delivered === undefined ? undefined : Math.max(0, delivered - at) });
    }
    samples.sort((a, b) => a.at - b.at);
    const windows = [{ name: 'before the first fault', at: loadStart, backAt: undefined as number | undefined }, ...faults];
    const rows: string[][] = [];
    windows.forEach((w, i) => {
      const end = windows[i + 1]?.at ?? loadEnd;
      const inWindow = samples.filter((s) => s.at >= w.at && s.at < end);
      const answered = inWindow.filter((s) => s.ms !== undefined).map((s) => s.ms!);
      const sorted = [...answered].sort((a, b) => a - b);
      // Back under 1 s: the start of the first 5 s of acceptances (from the fault on, whole
      // seconds) whose every message was answered within 1 s.
      const slowIn = new Map<number, boolean>();
      for (const x of inWindow) {
        const sec = Math.floor((x.at - w.at) / 1000);
        slowIn.set(sec, (slowIn.get(sec) ?? false) || x.ms === undefined || x.ms >= LATENCY_OK_MS);
      }
      let back: number | undefined;
      for (let sec = 0; sec + RECOVERED_SECONDS <= Math.ceil((end - w.at) / 1000); sec++) {
        const run = Array.from({ length: RECOVERED_SECONDS }, (_, i) => slowIn.get(sec + i));
        if (run.every((slow) => slow === false)) {
          back = sec * 1000;
          break;
        }
      }
      rows.push([
        `${((w.at - loadStart) / 1000).toFixed(0)} s`,
        w.name,
        fmt(inWindow.length),
        sorted.length ? `${(quantile(sorted, 0.5) / 1000).toFixed(2)} s` : '-',
        sorted.length ? `${(quantile(sorted, 0.99) / 1000).toFixed(1)} s` : '-',
        sorted.length ? `${(sorted.at(-1)! / 1000).toFixed(1)} s` : '-',
        inWindow.length === 0 ? '-' : back === undefined ? 'never in window' : `${(back / 1000).toFixed(1)} s`,
        w.backAt ? `${((w.backAt - w.at) / 1000).toFixed(1)} s` : '',
        String(inWindow.length - answered.length),
        (() => {
          const calls = acceptCalls.filter((c) => c.at >= w.at && c.at < end).map((c) => c.ms).sort((a, b) => a - b);
          return calls.length ? `${(quantile(calls, 0.99) / 1000).toFixed(2)} s` : '-';
        })(),
        fmt(acceptTimeouts.filter((a) => a >= w.at && a < end).length),
        (() => {
          const lags = loopLag.filter((l) => l.at >= w.at && l.at < end).map((l) => l.ms);
          return lags.length ? `${(Math.max(...lags) / 1000).toFixed(2)} s` : '-';
        })(),
      ]);
    });
    log('');
    log('latency (acceptance → first reply at the receiver) of the messages accepted in each window (until the next fault):');
    table(log, ['at', 'window', 'accepted', 'p50', 'p99', 'worst', `until < ${LATENCY_OK_MS / 1000} s`, 'fault took', 'no reply', 'accept p99', 'accept timeouts', 'gateway loop max'], rows);
    log(`(until < ${LATENCY_OK_MS / 1000} s: from the fault to the first ${RECOVERED_SECONDS} s of acceptances all answered within ${LATENCY_OK_MS / 1000} s; accept: the gateway's answer to the inbound POST; timeouts: no answer within 10 s, sent again; gateway loop max: the longest event-loop delay its /metrics reported, scraped every 2 s)`);

    // ── send rate ──
    const during = postTimes.filter((p) => p >= loadStart && p < loadEnd).length;
    const after = postTimes.filter((p) => p >= loadEnd && p < drainEnd).length;
    const perSecond = new Map<number, number>();
    for (const p of postTimes) if (p >= loadStart && p < loadEnd) perSecond.set(Math.floor((p - loadStart) / 10_000), (perSecond.get(Math.floor((p - loadStart) / 10_000)) ?? 0) + 1);
    const buckets = [...perSecond.values()].map((n) => n / 10).sort((a, b) => a - b);
    log('');
    log(`gateway send rate at the receiver: ${fmt(during / ((loadEnd - loadStart) / 1000))} sends/s while inbound load ran (10-s buckets: min ${fmt(buckets[0] ?? 0)}, median ${fmt(quantile(buckets, 0.5))}, max ${fmt(buckets.at(-1) ?? 0)}); ${fmt(after / Math.max(1, (drainEnd - loadEnd) / 1000))} sends/s during the drain (${fmt(after)} sends in ${((drainEnd - loadEnd) / 1000).toFixed(0)} s)`);
    log(cpuLine);
    const lagsSorted = loopLag.map((l) => l.ms).sort((a, b) => a - b);
    if (lagsSorted.length) log(`gateway event-loop delay while inbound load ran (max per 2-s scrape): median ${fmt(quantile(lagsSorted, 0.5))} ms, p90 ${fmt(quantile(lagsSorted, 0.9))} ms, worst ${fmt(lagsSorted.at(-1)!)} ms; ${fmt(scrapesFailed)} scrapes unanswered in 5 s or while it was down`);
    log(`this process's event-loop delay (load generator and receiver): p99 ${fmt(ownLoop.percentile(99) / 1e6)} ms, worst ${fmt(ownLoop.max / 1e6)} ms`);
    log(`inbound: ${fmt(counts.posts)} POSTs to the gateway (${fmt(counts.retries)} retried while it was down or failing${retryCauses.size ? `: ${[...retryCauses].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${fmt(n)}`).join(', ')}` : ''}; ${fmt(counts.rejected)} refused for good${rejections.size ? `: ${[...rejections].map(([k, n]) => `${k} ×${n}`).join(', ')}` : ''}, ${fmt(counts.gaveUp)} given up at the end); receiver: ${fmt(receiver.posts)} POSTs, ${[...receiver.faults].map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}; ${fmt(receiver.lookups)} status lookups (${fmt(receiver.failedLookups)} failed on purpose)`);
    if (roleErrors.size > 0) log(`role error logs: ${[...roleErrors].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${n}× ${k}`).join('; ')}`);

    log('');
    log('checks:');
    table(log, ['', 'figure', 'check'], checks.map((c) => [c.what, c.value, c.pass === undefined ? '' : c.pass ? 'ok' : 'FAIL']));
    const samplesOf = (label: string, rows2: Array<{ id: string; status?: string; error?: string | null }>) => {
      if (rows2.length > 0) log(`  ${label}: ${rows2.slice(0, 5).map((r) => `${r.id}${r.status ? ` (${r.status}${r.error ? `: ${r.error.slice(0, 80)}` : ''})` : ''}`).join('; ')}${rows2.length > 5 ? ` … (${rows2.length})` : ''}`);
    };
    samplesOf('lost', lost.map((id) => ({ id })));
    samplesOf('delivered twice', duplicates.map((id) => ({ id, status: outbound.find((o) => o.id === id)?.status })));
    samplesOf('delivered, dead-lettered', deadDelivered);
    samplesOf('sent, never received', sentMissing);
    samplesOf('unsent', unsent);
    samplesOf('dead-lettered, not received', deadNotDelivered);
    for (const b of badConversations) log(`  out of order / twice: ${b}`);
    if (unverified > 0) for (const r of sql<{ reference: string; created_at: string }>("SELECT reference, created_at FROM requests WHERE status = 'submitted' LIMIT 5")) log(`  unverified: ${r.reference} (created ${r.created_at})`);
    log(`fault run: ${ok ? 'all checks passed' : 'CHECKS FAILED'}${opts.keep ? ` (kept ${dir})` : ''}`);
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await receiver.stop();
    await redis.stop();
    await t.close();
    for (const f of logs) f.end();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return ok;
}

/** Delayed jobs in Redis under `prefix`, by job name. */
async function delayedJobs(url: string, prefix: string): Promise<Map<string, number>> {
  const r = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    const byName = new Map<string, number>();
    const keys = (await r.keys(`${prefix}:*:delayed`)).sort();
    for (const key of keys) {
      const queue = key.slice(0, -':delayed'.length);
      const ids = await r.zrange(key, '0', '-1');
      const names = await Promise.all(ids.map((id) => r.hget(`${queue}:${id}`, 'name')));
      for (const name of names) byName.set(name ?? '?', (byName.get(name ?? '?') ?? 0) + 1);
    }
    return byName;
  } finally {
    r.disconnect();
  }
}

function table(log: (line: string) => void, head: string[], rows: string[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  log(line(head));
  log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
