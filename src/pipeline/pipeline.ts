/**
 * The message pipeline on BullMQ — the only module that touches BullMQ.
 *
 *   channel ──accept (store: message pending)──► ack to the platform
 *        └──► inbound queue: one "drain" job per conversation (deduplicated; at most one
 *             runs at a time) handles that conversation's pending messages oldest first,
 *             each in one store transaction that also queues the replies (outbox); in a
 *             process that runs the engine, handled there at once instead (inlineDrain).
 *   replies ──► out.<channel> queue: one job per engine turn (its first reply; it sends the
 *             conversation's next queued replies too, in order), rate-limited per platform;
 *             in a process that also runs the channel's sender, sent there right after the
 *             step instead (directSend), each send counted in the same limiter and under a
 *             lease. The message's status in the store is checked before every send.
 *   outbox rows (verification, surveys, timers, decisions) ──► verify / notify / timers
 *             queues, as delayed jobs with ids derived from the row, once they are due within
 *             `scheduleAheadMs` (until then they wait in the store).
 *
 * A sweep in every engine worker re-queues whatever the store says is still pending, so a
 * crash between a commit and the enqueue, or a Redis restart, loses nothing. Every step is
 * idempotent, so the sweep and platform redeliveries never do anything twice.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Accepted, ConversationService, InboundMessage, OutboxJob, OutboxRow, PendingOutbound, StepOutcome } from '../conversation/service.ts';
import { runJob, type JobResult } from '../conversation/work.ts';
import type { Sender } from '../channels/types.ts';
import { asSendError } from '../channels/failure.ts';
import { forChannel } from '../channels/render.ts';
import { maskAddress } from '../log.ts';
import { connect, type RedisTarget } from './redis.ts';
import { Metrics, type QueueSnapshot } from './metrics.ts';

export interface ChannelLimits {
  /** Messages per `durationMs` across all chats (the platform's global limit). */
  max: number;
  durationMs: number;
  /** Minimum time between two messages to the same chat. */
  perChatIntervalMs: number;
}

/** Platform defaults (Telegram: ~30 msg/s overall, 1 msg/s per chat; WhatsApp Cloud: 80 msg/s per number). */
export const DEFAULT_LIMITS: Record<string, ChannelLimits> = {
  telegram: { max: 30, durationMs: 1000, perChatIntervalMs: 1000 },
  whatsapp: { max: 80, durationMs: 1000, perChatIntervalMs: 0 },
  'whatsapp-web': { max: 20, durationMs: 1000, perChatIntervalMs: 0 },
  sms: { max: 10, durationMs: 1000, perChatIntervalMs: 0 },
  web: { max: 500, durationMs: 1000, perChatIntervalMs: 0 },
};
const FALLBACK_LIMITS: ChannelLimits = { max: 1000, durationMs: 1000, perChatIntervalMs: 0 };

/** How long a job stays locked to a worker without a renewal (QUEUE_LOCK_MS). */
export const DEFAULT_LOCK_MS = 8000;

export interface PipelineOptions {
  service: ConversationService;
  redis: RedisTarget;
  log: Logger;
  metrics?: Metrics;
  /** Key prefix in Redis, so several deployments can share one. */
  prefix?: string;
  limits?: Record<string, Partial<ChannelLimits>>;
  /** Send attempts before a message is dead-lettered (network errors, 5xx). */
  attempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
  /** Conversations handled at once by one engine worker process. */
  engineConcurrency?: number;
  /**
   * In a process that runs the engine, a message accepted here is handled here at once (its
   * step runs right after its acceptance commits) instead of through the inbound queue: one
   * Redis job less per message. Only while fewer than `engineConcurrency` such drains run;
   * otherwise, on any error, and while stopping, the inbound queue takes it as before. Safe
   * beside queue drains of the same conversation: a step takes the oldest pending message
   * inside its transaction. Default true.
   */
  inlineDrain?: boolean;
  /**
   * In a process that runs the engine and a channel's sender (`tawasul start`), a step's replies
   * on that channel are sent here right after the step commits, without a job: one Redis call
   * (the channel's rate-limit count and a lease on the reply) instead of a job's three
   * round trips and its pickup wait. Only for channels without a per-chat interval, while fewer
   * than the sender's concurrency run; otherwise, over the rate limit, on a failed send and
   * while stopping, the reply's own job takes it as before. Default true.
   */
  directSend?: boolean;
  /** How often the sweep looks for work SQLite has and the queues lack. */
  sweepMs?: number;
  /** How long a pending row may wait before the sweep re-queues it. */
  sweepGraceMs?: number;
  /**
   * Conversations the sweep looks at per pass and kind (inbound, outbound); the next pass
   * carries on after the last one, round the list, so every stalled one is reached and a
   * long outage of one channel costs a bounded amount of Redis work per pass.
   */
  sweepBatch?: number;
  /** Attempts and first backoff of verification, notification and timer jobs. */
  jobAttempts?: number;
  jobBackoffMs?: number;
  /**
   * How long a due outbox row may go unfinished before the sweep looks at its job (queued
   * again if Redis lost it), and how long a job out of attempts waits before it is retried.
   */
  strandedAfterMs?: number;
  /** How long a job stays locked to a worker; a killed worker's jobs run again after it. */
  lockDurationMs?: number;
  /**
   * On close, how long jobs in flight may take to finish (a send already on the wire, an engine
   * step, a verification) before their locks are dropped and they are left to the stalled check.
   * Jobs that have not started their work are handed back at once.
   */
  closeGraceMs?: number;
  /**
   * Outbox rows due within this long are handed to their queues (as delayed jobs); later ones
   * wait in the store and the sweep hands them over when they come within it. A 48-hour
   * reminder then costs Redis nothing until shortly before it is due, and one the next answer
   * supersedes never reaches Redis at all. At least 3 × sweepMs.
   */
  scheduleAheadMs?: number;
  /** Notified of alerts (unclaimed escalation, committee period reached, a send whose outcome is unknown, a job out of attempts). */
  onAlert?: (alert: NonNullable<JobResult['alert']>) => void;
}

export interface WorkerRoles {
  /** Engine, verification, notifications and timers, plus the sweep. */
  engine?: boolean;
  /** Channels whose outbound queue this process sends from (their Sender lives here). */
  senders?: Sender[];
}

const QUEUE = { inbound: 'inbound', verify: 'verify', notify: 'notify', timers: 'timers' } as const;
const JOB_QUEUE: Record<OutboxJob['kind'], string> = {
  verify: QUEUE.verify,
  survey: QUEUE.notify,
  decision: QUEUE.notify,
  timer: QUEUE.timers,
  escalation_alert: QUEUE.timers,
  committee_due: QUEUE.timers,
};

/** Sends one outbound job makes at most (its own reply and the conversation's next ones). */
const MAX_SENDS_PER_JOB = 20;
/**
 * Counts a send in the limiter key (INCR, the window's expiry set on the first count, as BullMQ's
 * own moveToActive does) and takes the reply's lease for this process (its token): 1, or 0 when
 * over the limit or leased.
 */
const TAKE_SEND = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return 0 end
if redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PX', ARGV[3]) then return 1 end
return 0`;
/** A send lease renewed, or given up, only by the process holding it (its token). */
const RENEW_SEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_SEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export const outboundQueueName = (channel: string) => `out.${channel.replace(/[^a-zA-Z0-9_-]/g, '_')}`;

export class Pipeline {
  private readonly service: ConversationService;
  private readonly log: Logger;
  readonly metrics: Metrics;
  private readonly prefix: string;
  private readonly producer: Redis;
  /**
   * The pipeline's own commands (send counts and leases): not on BullMQ's connection, whose
   * scripts BullMQ defines when its first queue opens; an auto-pipelined batch begun before that
   * on the same connection would lack them (ioredis then throws outside any promise).
   */
  private readonly control: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Where the next sweep pass carries on (the last conversation id it looked at). */
  private readonly sweepCursor = { inbound: '', outbound: '', outbox: 0 };
  private sweeping: Promise<void> | undefined;
  /** Replies this process is sending right now: a stalled copy of their job must not ask and resend. */
  private readonly inFlight = new Set<string>();
  private dispatchScheduled = false;
  /** Senders running in this process, by channel, with their queue's worker (its limiter key and rateLimit). */
  private readonly sendersHere = new Map<string, { sender: Sender; worker: Worker; concurrency: number }>();
  /** Send leases this process holds (replies sent without a job of their own), with their renewal timers. */
  private readonly leases = new Map<string, NodeJS.Timeout>();
  /** Names this process as a lease's holder. */
  private readonly leaseToken = randomUUID();
  /** Conversations whose replies are being sent here without a job (directSend). */
  private readonly directSends = new Map<string, { again: boolean; done: Promise<void> }>();
  /** Conversations being drained in this process right after their acceptance (inlineDrain). */
  private readonly inlineDrains = new Map<string, { again: boolean; done: Promise<void> }>();
  /** Whether this process runs the engine (start({ engine: true })). */
  private engineHere = false;
  private dispatching: Promise<void> | undefined;
  private closed = false;
  /** Set when close() begins: processors hand their jobs back instead of starting work. */
  private stopping = false;

  constructor(private readonly opts: PipelineOptions) {
    this.service = opts.service;
    this.log = opts.log.child({ component: 'pipeline' });
    this.prefix = opts.prefix ?? 'tawasul';
    this.metrics = opts.metrics ?? new Metrics(() => this.snapshot());
    // Producers fail fast while Redis is down: SQLite already has the work, the sweep re-queues it.
    // Auto-pipelining sends the commands of one tick in one write: most of the adds are small.
    this.producer = connect(opts.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: true, enableAutoPipelining: true });
    this.producer.on('error', (err) => this.log.warn({ err: err.message }, 'redis producer connection'));
    this.control = connect(opts.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: true, enableAutoPipelining: true });
    this.control.on('error', (err) => this.log.warn({ err: err.message }, 'redis control connection'));
  }

  limits(channel: string): ChannelLimits {
    return { ...(DEFAULT_LIMITS[channel] ?? FALLBACK_LIMITS), ...this.opts.limits?.[channel] };
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.producer, prefix: this.prefix });
      q.on('error', (err) => this.log.warn({ queue: name, err: err.message }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  // ── producing ─────────────────────────────────────────────────────────────

  /**
   * Accepts a beneficiary's message: stored before the promise resolves (the channel may
   * acknowledge it then), handled by the engine worker via the inbound queue.
   */
  async ingest(msg: InboundMessage): Promise<Accepted> {
    const accepted = await this.service.accept(msg);
    if (accepted.duplicate) {
      this.metrics.duplicates.inc({ channel: msg.channel });
    } else {
      this.metrics.accepted.inc({ channel: msg.channel });
    }
    if (accepted.duplicate) void this.drainLater(accepted.conversationId);
    else this.drainHere(accepted.conversationId);
    return accepted;
  }

  /**
   * Handles a conversation's pending messages in this process (see `inlineDrain`); a message
   * accepted meanwhile for the same conversation is picked up by the drain already running.
   */
  private drainHere(conversationId: string): void {
    const running = this.inlineDrains.get(conversationId);
    if (running) {
      running.again = true;
      return;
    }
    if (!this.engineHere || this.stopping || this.opts.inlineDrain === false || this.inlineDrains.size >= (this.opts.engineConcurrency ?? 8)) {
      void this.drainLater(conversationId);
      return;
    }
    const state = { again: false, done: Promise.resolve() };
    this.inlineDrains.set(conversationId, state);
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.runPending(conversationId, () => {
            this.metrics.inlineSteps.inc();
            if (this.stopping) throw new Error('stopping');
          });
        } while (state.again);
      } catch (err) {
        // The queue (with its retries, or another process when this one stops) takes over.
        if (!this.stopping) this.log.warn({ err: (err as Error).message, conversationId }, 'handling here failed; queued');
        await this.drainLater(conversationId);
      } finally {
        this.inlineDrains.delete(conversationId);
      }
    })();
  }

  /**
   * A conversation's pending messages, oldest first, each step's replies and work handed on,
   * `between` after each step. The first call skips the read-only peek: a drain almost always
   * has work; after a step that found no message behind its own, nobody asks again (one read,
   * a PostgreSQL round trip, less per drain): a message accepted since then queues a drain of
   * its own, which runs after this one (deduplicated, keepLastIfActive), or sets `again` on an
   * inline drain of this process.
   */
  private async runPending(conversationId: string, between: () => unknown): Promise<void> {
    for (
      let outcome = await this.service.processNext(conversationId, { peek: false });
      outcome;
      outcome = outcome.morePending === false ? undefined : await this.service.processNext(conversationId)
    ) {
      this.afterStep(outcome);
      await between();
    }
  }

  /** Queues a drain of a conversation's pending messages; errors are left to the sweep. */
  async drainLater(conversationId: string): Promise<void> {
    try {
      await this.queue(QUEUE.inbound).add(
        'drain',
        { conversationId },
        { deduplication: { id: conversationId, keepLastIfActive: true }, attempts: 20, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: true, removeOnFail: 1000 },
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not queue a drain now; the sweep will');
    }
  }

  /**
   * kickOutbound without waiting for it: a failure (the store or Redis unreachable for a moment)
   * is logged and left to the sweep, never an unhandled rejection that would end the process.
   */
  private kickLater(conversationId: string, delayMs = 0): void {
    this.kickOutbound(conversationId, delayMs).catch((err: unknown) => this.log.warn({ err: (err as Error).message, conversationId }, 'could not queue the next reply now; the sweep will'));
  }

  /** Queues the next reply of a conversation, if one waits. Safe to call any number of times. */
  async kickOutbound(conversationId: string, delayMs = 0, opts: { revive?: boolean } = {}): Promise<void> {
    const next = await this.service.nextOutbound(conversationId);
    if (!next) return;
    const limits = this.limits(next.channel);
    let delay = delayMs;
    if (limits.perChatIntervalMs > 0) {
      const lastSentAt = await this.service.lastSentAt(conversationId);
      if (lastSentAt) delay = Math.max(delay, Date.parse(lastSentAt) + limits.perChatIntervalMs - Date.now());
    }
    if (opts.revive) {
      // A dead letter staff put back, or a "sending" row whose job ran out of attempts (its
      // lookups kept failing), is still a failed job under the same id: retry that job afresh.
      try {
        const existing = await this.queue(outboundQueueName(next.channel)).getJob(`o.${next.id}`);
        if (existing && (await existing.isFailed())) {
          await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          return;
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not look up a failed send job');
      }
    }
    await this.queueSend(next.channel, next.id, conversationId, delay);
  }

  private async queueSend(channel: string, id: string, conversationId: string, delay: number, deadLetter?: string): Promise<void> {
    const opts: JobsOptions = {
      jobId: `o.${id}`,
      delay: Math.max(0, delay),
      attempts: this.opts.attempts ?? 8,
      backoff: { type: 'exponential', delay: this.opts.backoffMs ?? 1000 },
      // Gone when done: a reply queued early (before an older one was sent) is added again
      // later under the same id. SQLite's status, checked before sending, is what prevents
      // a second send; the job id only avoids two jobs waiting at once.
      removeOnComplete: true,
      removeOnFail: false,
    };
    try {
      await this.queue(outboundQueueName(channel)).add('send', { id, conversationId, ...(deadLetter ? { deadLetter } : {}) }, opts);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not queue a reply now; the sweep will');
    }
  }

  /** Hands outbox rows to their queues (coalesced: many calls in one tick dispatch once). */
  dispatchSoon(): void {
    if (this.dispatchScheduled || this.closed) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      void this.dispatchOutbox();
    });
  }

  async dispatchOutbox(): Promise<void> {
    if (this.dispatching) return this.dispatching;
    const run = (async () => {
      try {
        for (;;) {
          const rows = await this.service.undispatched(200, this.scheduleAheadMs());
          if (rows.length === 0) return;
          const now = Date.now();
          await Promise.all(rows.map((row) => this.addOutboxJob(row, now)));
          await this.service.markDispatched(rows.map((r) => r.id));
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'outbox dispatch failed; will retry');
      }
    })();
    // Cleared after the assignment: a run that finds nothing finishes before it.
    this.dispatching = run.finally(() => {
      if (this.dispatching === guarded) this.dispatching = undefined;
    });
    const guarded = this.dispatching;
    return guarded;
  }

  private scheduleAheadMs(): number {
    return Math.max(this.opts.scheduleAheadMs ?? 60_000, 3 * (this.opts.sweepMs ?? 2000));
  }

  private addOutboxJob(row: OutboxRow, now = Date.now()) {
    return this.queue(JOB_QUEUE[row.job.kind]).add(
      row.job.kind,
      { outboxId: row.id, associationId: row.associationId, job: row.job },
      {
        jobId: `ob.${row.id}`,
        delay: Math.max(0, Date.parse(row.runAt) - now),
        // A newer reminder replaces the delayed one (BullMQ deduplication with replace), and
        // waits for one running now: one pending per conversation and timer, not one per answer.
        ...(row.dedupeKey ? { deduplication: { id: row.dedupeKey, replace: true, keepLastIfActive: true } } : {}),
        attempts: this.opts.jobAttempts ?? 10,
        backoff: { type: 'exponential', delay: this.opts.jobBackoffMs ?? 1000 },
        removeOnComplete: { count: 2000 },
        removeOnFail: false,
      },
    );
  }

  /** After any engine step: send its replies and dispatch the work it recorded. */
  private afterStep(outcome: StepOutcome | undefined) {
    if (!outcome) return;
    // The first new reply: if an older one is still unsent, its sender queues this one after it.
    const first = outcome.outbound[0];
    // Sent from this process when it can be (directSend), else queued.
    if (first && !this.sendHere(first.channel, outcome.conversationId)) {
      if (this.limits(first.channel).perChatIntervalMs === 0) void this.queueSend(first.channel, first.id, outcome.conversationId, 0);
      else this.kickLater(outcome.conversationId);
    }
    // Only work due soon goes to the queues now; the rest the sweep hands over when it is.
    if (outcome.outboxDueAt && Date.parse(outcome.outboxDueAt) <= Date.now() + this.scheduleAheadMs()) this.dispatchSoon();
  }

  // ── consuming ─────────────────────────────────────────────────────────────

  private worker(name: string, processor: (job: Job, token?: string) => Promise<unknown>, extra: Partial<WorkerOptions> = {}): Worker {
    const connection = connect(this.opts.redis, { enableAutoPipelining: true });
    connection.on('error', (err) => this.log.warn({ queue: name, err: err.message }, 'redis worker connection'));
    this.workerConnections.push(connection);
    const lockDuration = this.opts.lockDurationMs ?? DEFAULT_LOCK_MS;
    const worker = new Worker(name, processor, {
      connection,
      prefix: this.prefix,
      concurrency: 1,
      // Renewed every lockDuration/2 while the job runs; a killed process's jobs run again
      // lockDuration + stalledInterval after its last renewal (30 s + 15 s stalled a
      // conversation ~43 s after a worker kill; 8 s + 2 s: ~10 s). The store never waits for
      // SQLite's lock on the event loop (it retries asynchronously), so renewals are not held up.
      lockDuration,
      stalledInterval: Math.max(500, Math.min(2000, Math.floor(lockDuration / 2))),
      // Every job is idempotent: a job stalled twice (a process killed twice, a long pause)
      // runs again instead of failing.
      maxStalledCount: 10,
      ...extra,
    });
    worker.on('completed', () => this.metrics.processed.inc({ queue: name }));
    worker.on('failed', (job, err) => {
      this.metrics.failed.inc({ queue: name });
      this.log.warn({ queue: name, job: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
      if (!job || err.name === 'RateLimitError') return;
      const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      // A send given up on is already a dead letter; any other job out of attempts is news.
      if (final && !(name.startsWith('out.') && err.name === 'UnrecoverableError')) void this.jobOutOfAttempts(name, job, err);
    });
    worker.on('error', (err) => this.log.warn({ queue: name, err: err.message }, 'worker error'));
    this.workers.push(worker);
    return worker;
  }

  /** Starts the workers this process runs. */
  start(roles: WorkerRoles): void {
    if (roles.engine) {
      this.engineHere = true;
      this.worker(
        QUEUE.inbound,
        async (job, token) => {
          const { conversationId } = job.data as { conversationId: string };
          await this.handBackIfStopping(job, token);
          await this.runPending(conversationId, async () => {
            // A SQLite step can complete without any I/O wait, so a long drain would never let
            // timers (lock renewal), signals or HTTP run: yield to the event loop between steps.
            await new Promise((resolve) => setImmediate(resolve));
            // Stopping: the step just committed; the rest of the conversation goes to another process now.
            await this.handBackIfStopping(job, token);
          });
        },
        { concurrency: this.opts.engineConcurrency ?? 8 },
      );
      const jobs = async (job: Job, token?: string) => {
        const { outboxId, job: work } = job.data as { outboxId: number; job: OutboxJob };
        await this.handBackIfStopping(job, token);
        const result = await runJob(this.service, work, new Date());
        await this.service.markOutboxDone(outboxId);
        this.afterStep(result.outcome);
        if (result.alert) this.raise(result.alert);
      };
      for (const name of [QUEUE.verify, QUEUE.notify, QUEUE.timers]) this.worker(name, jobs, { concurrency: 4 });
      this.startSweep();
    }
    for (const sender of roles.senders ?? []) this.startSender(sender);
  }

  private startSender(sender: Sender) {
    const name = outboundQueueName(sender.channel);
    const limits = this.limits(sender.channel);
    const attempts = this.opts.attempts ?? 8;
    const concurrency = Math.max(1, Math.min(limits.max, 50));
    const worker: Worker = this.worker(
      name,
      async (job, token) => {
        const { id, conversationId, deadLetter } = job.data as { id: string; conversationId: string; deadLetter?: string };
        await this.handBackIfStopping(job, token);
        let next = await this.service.nextOutbound(conversationId);
        const current = next?.id === id ? next : await this.service.outboundStatus(id);
        // Refused for good when it was sent without a job (sendQueued): this job only shows it.
        if (deadLetter && current?.status === 'failed') throw new UnrecoverableError(deadLetter);
        if (!current || !['queued', 'sending'].includes(current.status)) {
          // Already sent or given up on (a redelivered job): never send twice.
          this.kickLater(conversationId, limits.perChatIntervalMs);
          return 'skipped';
        }
        if (current.status === 'sending' && this.inFlight.has(id)) {
          // Its send is still running here (its job's lock lapsed during a long pause): that run settles it.
          return 'in-flight';
        }
        if (current.status === 'sending') {
          // Sent without a job of its own, under a lease: its holder settles it; look again later
          // (if the holder died, the lease lapses and the next look asks the channel).
          if ((await this.control.exists(this.leaseKey(id))) === 1) return this.lookAgainLater(job, token);
          // The lease may have gone just now with the row settled: only a row still "sending"
          // from the same claim is one whose outcome nobody knows.
          const still = await this.service.outboundStatus(id);
          if (still?.status !== 'sending' || still.attempts !== current.attempts) return this.lookAgainLater(job, token, 0);
          // An ambiguous send, or a sender that died mid-send: ask before sending again.
          const resolved = await this.resolveSending(sender, id, conversationId, next?.id === id ? next : undefined);
          if (resolved !== 'resend') {
            this.kickLater(conversationId, limits.perChatIntervalMs);
            return resolved;
          }
          next = await this.service.nextOutbound(conversationId);
        }
        if (!next) return 'nothing';
        if (next.id !== id) {
          // An older reply is still unsent: it goes first; this one is queued after it.
          this.kickLater(conversationId);
          return 'reordered';
        }
        // Last point before the send: once it is on the wire, it finishes here (within closeGraceMs).
        await this.handBackIfStopping(job, token);
        // Another attempt, or a send without a job, claimed it first: look again once it is settled
        // (a failed one is handed to this job's id, which is taken while this job runs).
        if (!(await this.service.markSending(id))) return this.lookAgainLater(job, token);
        const e = await this.sendClaimed(sender, next);
        if (e) {
          const settled = await this.settleFailed(sender.channel, worker, id, e, job.attemptsMade + 1 >= attempts);
          if (settled === 'paused') throw Worker.RateLimitError();
          if (settled !== 'dead') throw e;
          this.kickLater(conversationId);
          throw new UnrecoverableError(e.message);
        }
        // The rest of the turn's replies (and any later turn's already waiting) ride on this job
        // where the channel has no per-chat interval: one job per engine turn, not per reply.
        if (limits.perChatIntervalMs === 0 && (await this.sendQueued(sender, worker, conversationId, false)) !== 'left') return 'sent';
        this.kickLater(conversationId, limits.perChatIntervalMs);
        return 'sent';
      },
      { concurrency, limiter: { max: limits.max, duration: limits.durationMs } },
    );
    this.sendersHere.set(sender.channel, { sender, worker, concurrency });
  }

  /**
   * Sends a conversation's queued replies from this process, without a job (see `directSend`);
   * false when it cannot here (the caller queues the job). A step that commits while the
   * conversation's replies are being sent here is picked up by the loop already running.
   */
  private sendHere(channel: string, conversationId: string): boolean {
    const here = this.sendersHere.get(channel);
    if (!here || this.opts.directSend === false || this.stopping || this.limits(channel).perChatIntervalMs > 0) return false;
    const running = this.directSends.get(conversationId);
    if (running) {
      running.again = true;
      return true;
    }
    if (this.directSends.size >= here.concurrency) return false;
    const state = { again: false, done: Promise.resolve() };
    this.directSends.set(conversationId, state);
    state.done = (async () => {
      let settled: 'done' | 'left' | 'handed' = 'left';
      try {
        do {
          state.again = false;
          settled = await this.sendQueued(here.sender, here.worker, conversationId, true);
        } while (state.again && settled === 'done');
      } catch (err) {
        settled = 'left';
        this.log.warn({ err: (err as Error).message, conversationId }, 'sending here failed; queued');
      } finally {
        this.directSends.delete(conversationId);
      }
      // What is left (over the limit, a failed send handed to its job, stopping) goes to the queue;
      // awaited, so a process that stops queues it before its connections close.
      if (settled === 'left') await this.kickOutbound(conversationId).catch((err: unknown) => this.log.warn({ err: (err as Error).message, conversationId }, 'could not queue the next reply now; the sweep will'));
    })();
    return true;
  }

  /**
   * Sends a reply this process has just claimed (status sending) and records the outcome of a
   * send that went through; a failed send is returned (the row is still "sending") for the
   * caller to settle. A lease this process holds on it (sent without a job of its own) is
   * released once the outcome is stored; after a failed send, by the caller once it has
   * settled the row (until then a job finding it "sending" leaves it alone).
   */
  private async sendClaimed(sender: Sender, msg: PendingOutbound): Promise<ReturnType<typeof asSendError> | undefined> {
    this.inFlight.add(msg.id);
    try {
      let result: Awaited<ReturnType<Sender['send']>>;
      try {
        // Bidi isolates for the channels that need them (channels/render.ts); the stored reply stays as the engine wrote it.
        result = await sender.send(forChannel(msg));
      } catch (err) {
        const e = asSendError(err);
        if (e.kind !== 'rate_limited') this.log.warn({ channel: sender.channel, to: maskAddress(msg.address), kind: e.kind, attempt: msg.attempts + 1, err: e.message }, 'send failed');
        if (e.kind === 'ambiguous') this.metrics.ambiguous.inc({ channel: sender.channel });
        return e;
      }
      // Not a send failure if this throws: the row stays "sending", and whoever takes it next asks the channel.
      let acceptedAt: string | null;
      try {
        acceptedAt = await this.service.markSent(msg.id, result.providerMessageId ?? null);
      } finally {
        this.releaseLease(msg.id);
      }
      this.metrics.sent.inc({ channel: sender.channel });
      if (acceptedAt) this.metrics.replyLatency.observe({ channel: sender.channel }, (Date.now() - Date.parse(acceptedAt)) / 1000);
      return undefined;
    } finally {
      this.inFlight.delete(msg.id);
    }
  }

  /** A lease taken (takeSend) is renewed, like a job's lock, until it is released: through the claim, the send and the settling. */
  private holdLease(id: string): void {
    const lockMs = this.opts.lockDurationMs ?? DEFAULT_LOCK_MS;
    const renew = setInterval(() => void this.control.eval(RENEW_SEND, 1, this.leaseKey(id), this.leaseToken, String(lockMs)).catch(() => undefined), lockMs / 3);
    this.leases.set(id, renew);
  }

  private releaseLease(id: string): void {
    const renew = this.leases.get(id);
    if (!renew) return;
    clearInterval(renew);
    this.leases.delete(id);
    this.control.eval(RELEASE_SEND, 1, this.leaseKey(id), this.leaseToken).catch(() => undefined);
  }

  /**
   * Puts the job back as delayed (attempts untouched) to look at its reply again: settled by
   * then, it is skipped; still under a lease, it waits again; its holder gone, it is asked about.
   */
  private async lookAgainLater(job: Job, token: string | undefined, ms = this.opts.backoffMs ?? 1000): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  private leaseKey(id: string): string {
    return `${this.prefix}:send-lease:${id}`;
  }

  /**
   * Settles a reply whose send failed (still "sending"): a 429 pauses the channel first, then
   * the row is claimable again (no other process sends it inside the window); an ambiguous one
   * stays "sending" for the next attempt to ask the channel; a refused one, or the last attempt,
   * is dead-lettered; any other goes back to queued.
   */
  private async settleFailed(channel: string, worker: Worker, id: string, e: ReturnType<typeof asSendError>, lastAttempt: boolean): Promise<'paused' | 'ask' | 'dead' | 'retry'> {
    if (e.kind === 'rate_limited') {
      await worker.rateLimit(e.retryAfterMs ?? 1000);
      await this.service.markRetry(id, e.message);
      return 'paused';
    }
    if (e.kind === 'ambiguous') {
      await this.service.noteError(id, e.message);
      return 'ask';
    }
    if (e.kind === 'permanent' || lastAttempt) {
      await this.service.markDead(id, 'failed', e.message);
      this.metrics.deadLettered.inc({ channel, status: 'failed' });
      return 'dead';
    }
    await this.service.markRetry(id, e.message);
    return 'retry';
  }

  /**
   * The conversation's queued replies, oldest first, sent by this process without a job of their
   * own: after a job's own reply (the rest of its turn, and any later turn already waiting), or
   * right after the step that wrote them (`direct`, sendHere). Each is counted against the
   * channel's limit like a job and sent under a lease (a job's lock, in Redis) that tells a job
   * finding it "sending" to leave it alone. 'done' when nothing is queued; 'left' when what is
   * left is for a job (over the limit, past the per-call cap, claimed elsewhere, stopping — the
   * caller kicks the conversation); 'handed' when a send failed: it is settled as its own job's
   * first attempt and handed to that job (`o.<id>`, after the backoff), whose retries and status
   * lookups run there and which carries on with the rest.
   */
  private async sendQueued(sender: Sender, worker: Worker, conversationId: string, direct: boolean): Promise<'done' | 'left' | 'handed'> {
    const limits = this.limits(sender.channel);
    for (let n = direct ? 0 : 1; n < MAX_SENDS_PER_JOB; n++) {
      if (this.stopping) return 'left';
      const more = await this.service.nextOutbound(conversationId);
      if (!more) return 'done';
      if (more.status !== 'queued' || !(await this.takeSend(worker, limits, more.id))) return 'left';
      if (!(await this.service.markSending(more.id))) {
        this.releaseLease(more.id);
        return 'left';
      }
      const e = await this.sendClaimed(sender, more);
      if (!e) {
        if (direct) this.metrics.directSends.inc({ channel: sender.channel });
        continue;
      }
      try {
        // Its job's first attempt: a later one is that job's (o.<id>) to make.
        const settled = await this.settleFailed(sender.channel, worker, more.id, e, false);
        if (settled === 'dead') {
          // Its job is added only to fail at once: visible where operators look for a refused
          // send (the queue's failed jobs), and what staff retry revives.
          await this.queueSend(sender.channel, more.id, conversationId, 0, e.message);
          return 'left';
        }
        await this.queueSend(sender.channel, more.id, conversationId, settled === 'paused' ? 0 : (this.opts.backoffMs ?? 1000));
        return 'handed';
      } finally {
        this.releaseLease(more.id);
      }
    }
    return 'left';
  }

  /**
   * One send counted against the channel's limit in the queue's own limiter key (what BullMQ
   * counts each job it starts against), and the reply's lease taken: false when the window is
   * full or another process holds the lease.
   */
  private async takeSend(worker: Worker, limits: ChannelLimits, id: string): Promise<boolean> {
    const lockMs = this.opts.lockDurationMs ?? DEFAULT_LOCK_MS;
    const ok = (await this.control.eval(TAKE_SEND, 2, worker.keys.limiter!, this.leaseKey(id), String(limits.durationMs), String(limits.max), String(lockMs), this.leaseToken)) === 1;
    if (ok) this.holdLease(id);
    return ok;
  }

  /**
   * Settles a message left "sending" (an ambiguous send, or a sender that died mid-send):
   * the channel's answer decides; a failed lookup throws, so the job asks again after its
   * backoff and the row stays "sending" — a lookup that fails is never taken as an answer.
   * A channel that cannot tell follows its `ambiguousPolicy`.
   */
  private async resolveSending(sender: Sender, id: string, conversationId: string, msg?: PendingOutbound): Promise<'recovered' | 'unknown' | 'resend'> {
    let known: boolean | undefined;
    if (sender.wasSent) {
      try {
        known = await sender.wasSent(id, msg);
      } catch (err) {
        this.metrics.lookupsFailed.inc({ channel: sender.channel });
        throw new Error(`status lookup failed, will ask again: ${(err as Error).message}`);
      }
    }
    if (known === undefined) {
      if (sender.ambiguousPolicy === 'resend') {
        await this.service.markRetry(id, 'outcome unknown; sent again (channel policy: resend)');
        return 'resend';
      }
      await this.service.markDead(id, 'unknown', 'the send may or may not have arrived, and this channel cannot tell');
      this.metrics.deadLettered.inc({ channel: sender.channel, status: 'unknown' });
      this.raise({
        type: 'send_outcome_unknown',
        associationId: msg?.associationId ?? (await this.service.outboundStatus(id))?.associationId ?? 'unknown',
        detail: { id, conversationId, channel: sender.channel },
      });
      return 'unknown';
    }
    if (known) {
      await this.service.markSent(id, null);
      this.metrics.sent.inc({ channel: sender.channel });
      return 'recovered';
    }
    await this.service.markRetry(id, 'the channel does not have it: sending again');
    return 'resend';
  }

  /**
   * While the process stops: gives the job back to its queue (waiting, lock released, attempts
   * untouched) so another process takes it now, not after the lock lapses and the stalled check
   * runs. Called only between units of work, never while one is half done.
   */
  private async handBackIfStopping(job: Job, token: string | undefined): Promise<void> {
    if (!this.stopping || !token) return;
    await job.moveToWait(token);
    this.metrics.handedBack.inc({ queue: job.queueName });
    throw new WaitingError();
  }

  /** A visible failed state: the failed job stays in its queue, an event in SQLite, an alert. */
  private async jobOutOfAttempts(queue: string, job: Job, err: Error) {
    const data = job.data as { associationId?: string; conversationId?: string; job?: OutboxJob; id?: string };
    const work: OutboxJob | { kind: 'drain'; conversationId: string } | undefined = data.job ?? (data.conversationId ? { kind: 'drain', conversationId: data.conversationId } : undefined);
    let associationId = data.associationId ?? 'unknown';
    try {
      if (!data.associationId && data.conversationId) associationId = (await this.service.conversationAssociation(data.conversationId)) ?? 'unknown';
      if (work && associationId !== 'unknown') await this.service.recordJobFailure({ associationId, job: work, queue, jobId: String(job.id), attempts: job.attemptsMade, error: err.message });
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not record a failed job');
    }
    this.raise({ type: 'job_failed', associationId, detail: { queue, job: String(job.id), kind: work?.kind ?? job.name, attempts: job.attemptsMade, error: err.message } });
  }

  private raise(alert: NonNullable<JobResult['alert']>) {
    this.metrics.alerts.inc({ type: alert.type, association: alert.associationId });
    this.log.warn({ alert: alert.type, association: alert.associationId, ...alert.detail }, 'alert');
    this.opts.onAlert?.(alert);
  }

  /** Re-queues what SQLite says is pending and the queues may have lost. */
  private startSweep() {
    const every = this.opts.sweepMs ?? 2000;
    const grace = this.opts.sweepGraceMs ?? 5000;
    const sweep = async () => {
      if (this.closed) return;
      try {
        // Not the first 500 forever: rows that stay stuck (a channel whose gateway is down)
        // must not hide the ones behind them, so each pass carries on where the last stopped.
        const batch = this.opts.sweepBatch ?? 2000;
        const inbound = await this.service.stalledInbound(grace, this.sweepCursor.inbound, batch);
        this.sweepCursor.inbound = inbound.length < batch ? '' : inbound.at(-1)!;
        for (const conversationId of inbound) {
          if (this.closed) return;
          await this.drainLater(conversationId);
        }
        const outbound = await this.service.stalledOutbound(grace, this.sweepCursor.outbound, batch);
        this.sweepCursor.outbound = outbound.length < batch ? '' : outbound.at(-1)!.conversationId;
        for (const { conversationId } of outbound) {
          if (this.closed) return;
          await this.kickOutbound(conversationId, 0, { revive: true });
        }
        await this.dispatchOutbox();
        await this.sweepOpenOutbox();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'sweep failed');
      } finally {
        if (!this.closed) this.sweepTimer = setTimeout(run, every);
      }
    };
    const run = () => {
      this.sweeping = sweep();
    };
    this.sweepTimer = setTimeout(run, Math.min(every, 500));
  }

  /**
   * Outbox rows dispatched, due and not finished: a job Redis lost (a kill -9 before its AOF
   * was written) is queued again; one that finished without the row hearing of it is marked
   * done; one out of attempts (already alerted) is retried after `strandedAfterMs`.
   * `sweepBatch` rows a pass, carrying on after the last one.
   */
  private async sweepOpenOutbox() {
    const after = this.opts.strandedAfterMs ?? 30_000;
    const batch = this.opts.sweepBatch ?? 2000;
    const rows = await this.service.openOutbox(after, this.sweepCursor.outbox, batch);
    this.sweepCursor.outbox = rows.length < batch ? 0 : rows.at(-1)!.id;
    for (const row of rows) {
      if (this.closed) return;
      const job = await this.queue(JOB_QUEUE[row.job.kind]).getJob(`ob.${row.id}`);
      if (!job) {
        this.log.warn({ outbox: row.id, kind: row.job.kind }, 'outbox job lost by the queue; queued again');
        await this.addOutboxJob(row);
        continue;
      }
      const state = await job.getState();
      if (state === 'completed') await this.service.markOutboxDone(row.id);
      else if (state === 'failed' && Date.now() - (job.finishedOn ?? 0) >= after) {
        this.log.warn({ outbox: row.id, kind: row.job.kind }, 'retrying a job that ran out of attempts');
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
    }
  }


  // ── operators ─────────────────────────────────────────────────────────────

  queueNames(): string[] {
    return [...Object.values(QUEUE), ...[...this.queues.keys()].filter((n) => n.startsWith('out.'))];
  }

  /** Depth and age of the oldest waiting job per queue, for /metrics and the dashboard. */
  async snapshot(channels: string[] = []): Promise<QueueSnapshot[]> {
    const names = [...new Set([...this.queueNames(), ...channels.map(outboundQueueName)])];
    return Promise.all(
      names.map(async (name) => {
        const q = this.queue(name);
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        // Ascending order: the first waiting job is the oldest.
        const [firstWaiting] = await q.getJobs(['waiting'], 0, 0, true);
        return {
          queue: name,
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          oldestWaitingAgeSeconds: firstWaiting ? Math.max(0, (Date.now() - firstWaiting.timestamp) / 1000) : 0,
        };
      }),
    );
  }

  /**
   * bull-board for supervisors, mounted by the console under `basePath` (kept here: this is
   * the one module that touches BullMQ).
   */
  async queueBoardPlugin(basePath: string, channels: string[]) {
    const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
      import('@bull-board/api'),
      import('@bull-board/api/bullMQAdapter'),
      import('@bull-board/fastify'),
    ]);
    const names = [...new Set([...this.queueNames(), ...channels.map(outboundQueueName)])];
    const adapter = new FastifyAdapter();
    adapter.setBasePath(basePath);
    createBullBoard({ queues: names.map((n) => new BullMQAdapter(this.queue(n), { readOnlyMode: false })), serverAdapter: adapter });
    return adapter.registerPlugin();
  }

  /** Whether Redis answers. */
  async redisOk(): Promise<boolean> {
    try {
      return (await Promise.race([this.control.ping(), new Promise<string>((r) => setTimeout(() => r('timeout'), 1000))])) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Graceful stop: no new jobs are taken; a job between two units of work (a drain between two
   * messages, a send not yet on the wire) is handed back to its queue for another process at
   * once; work already running finishes, for at most `closeGraceMs`, after which the rest is
   * left to lapse (its locks stop being renewed; another process's stalled check takes it).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopping = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    const grace = this.opts.closeGraceMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const finished = Promise.all(this.workers.map((w) => w.close())).catch(() => undefined);
    const late = await Promise.race([finished.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace)))]);
    clearTimeout(timer);
    // Not waited for past the grace: their locks lapse once this process's connections close.
    if (late) this.log.warn({ graceMs: grace }, 'jobs still running at the end of the shutdown grace; left to the stalled check');
    // Drains running here stop after their current step and queue the rest for another process.
    await Promise.all([...this.inlineDrains.values()].map((d) => d.done));
    await Promise.all([...this.directSends.values()].map((d) => d.done));
    // Any left (a send still hanging): they lapse by themselves.
    for (const renew of this.leases.values()) clearInterval(renew);
    await this.sweeping;
    await this.dispatching;
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const c of [...this.workerConnections, this.producer, this.control]) c.disconnect();
  }
}
