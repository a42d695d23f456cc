/** Prometheus metrics for operators (prom-client): queue health, throughput, reply latency. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface QueueSnapshot {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  oldestWaitingAgeSeconds: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly processed = new Counter({ name: 'tawasul_jobs_processed_total', help: 'Jobs completed, by queue', labelNames: ['queue'], registers: [this.registry] });
  readonly failed = new Counter({ name: 'tawasul_jobs_failed_total', help: 'Job attempts that failed, by queue', labelNames: ['queue'], registers: [this.registry] });
  readonly accepted = new Counter({ name: 'tawasul_inbound_accepted_total', help: 'Inbound messages accepted, by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'tawasul_inbound_duplicates_total', help: 'Inbound redeliveries ignored, by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly sent = new Counter({ name: 'tawasul_outbound_sent_total', help: 'Messages sent, by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'tawasul_outbound_dead_letter_total', help: 'Messages given up on, by channel and reason', labelNames: ['channel', 'status'], registers: [this.registry] });
  readonly ambiguous = new Counter({ name: 'tawasul_outbound_ambiguous_total', help: 'Sends whose outcome was unknown (timeout, reset after sending, some 5xx), by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly inlineSteps = new Counter({ name: 'tawasul_inline_steps_total', help: 'Engine steps run in the process that accepted the message, without the inbound queue', registers: [this.registry] });
  readonly directSends = new Counter({ name: 'tawasul_direct_sends_total', help: 'Replies sent by the process whose engine step wrote them, without a job of their own, by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly handedBack = new Counter({ name: 'tawasul_jobs_handed_back_total', help: 'Jobs given back to their queue by a process that was stopping, by queue', labelNames: ['queue'], registers: [this.registry] });
  readonly lookupsFailed = new Counter({ name: 'tawasul_outbound_lookup_failed_total', help: 'Status lookups (wasSent) that failed and will be asked again, by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly alerts = new Counter({ name: 'tawasul_alerts_total', help: 'Alerts raised (unclaimed escalation, committee period reached)', labelNames: ['type', 'association'], registers: [this.registry] });
  readonly replyLatency = new Histogram({
    name: 'tawasul_reply_latency_seconds',
    help: 'From acceptance of an inbound message to the send call of a reply it caused',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly depth = new Gauge({ name: 'tawasul_queue_jobs', help: 'Jobs in each queue, by state', labelNames: ['queue', 'state'], registers: [this.registry] });
  private readonly oldest = new Gauge({ name: 'tawasul_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job', labelNames: ['queue'], registers: [this.registry] });

  constructor(private readonly snapshot?: () => Promise<QueueSnapshot[]>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tawasul_' });
  }

  /** The exposition text; queue gauges are read from Redis at scrape time. */
  async render(): Promise<string> {
    if (this.snapshot) {
      for (const q of await this.snapshot()) {
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.depth.set({ queue: q.queue, state }, q[state]);
        this.oldest.set({ queue: q.queue }, q.oldestWaitingAgeSeconds);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
