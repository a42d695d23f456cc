/**
 * Where replies land in pipeline tests: an in-memory Sender, and an HTTP receiver for the
 * loopback channel when the senders run in other processes.
 */
import { createServer, type Server } from 'node:http';
import type { OutboundMessage } from '../../src/conversation/service.ts';
import { SendError, type SendResult, type Sender } from '../../src/channels/types.ts';

export interface Delivery {
  id: string;
  conversationId: string;
  text: string;
  at: number;
}

/** Records every send; `failNext` makes the next sends fail the way a platform would. */
export class MemorySink implements Sender {
  readonly channel: string;
  readonly deliveries: Delivery[] = [];
  private failures: Array<SendError> = [];
  private waiters: Array<() => void> = [];

  constructor(channel = 'test') {
    this.channel = channel;
  }

  failNext(...errors: SendError[]) {
    this.failures.push(...errors);
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.deliveries.push({ id: msg.id, conversationId: msg.conversationId, text: msg.text, at: Date.now() });
    for (const w of this.waiters.splice(0)) w();
    return { providerMessageId: `p-${this.deliveries.length}` };
  }

  async wasSent(id: string): Promise<boolean> {
    return this.deliveries.some((d) => d.id === id);
  }

  for(conversationId: string): Delivery[] {
    return this.deliveries.filter((d) => d.conversationId === conversationId);
  }

  /** Resolves when `predicate` holds, checking after every delivery; fails after `ms`. */
  async until(predicate: () => boolean, ms = 15_000, what = 'deliveries'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (have ${this.deliveries.length})`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

/** An HTTP receiver speaking the loopback channel's contract (POST to deliver, GET /<id> to ask). */
export class HttpSink {
  readonly deliveries: Delivery[] = [];
  readonly received = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET') {
        const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
        res.writeHead(this.received.has(id) ? 200 : 404).end();
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const msg = JSON.parse(body) as { id: string; conversationId: string; text: string };
        this.received.set(msg.id, (this.received.get(msg.id) ?? 0) + 1);
        this.deliveries.push({ id: msg.id, conversationId: msg.conversationId, text: msg.text, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId: `lb-${this.deliveries.length}` }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/deliver`;
    return this;
  }

  duplicates(): string[] {
    return [...this.received].filter(([, n]) => n > 1).map(([id]) => id);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
