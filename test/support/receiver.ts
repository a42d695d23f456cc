/**
 * A loopback receiver that misbehaves on purpose, for the delivery fault tests: per POST it
 * can store the message and then drop the connection (or answer 500, or answer too late),
 * refuse it with 503 or 429 before storing, or store it normally; its status lookups
 * (GET /<id>) can fail for a while. It counts everything, so a test can assert zero
 * duplicates and zero lost messages.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

export type PostFault =
  | 'ok'
  /** Stored, then the connection is destroyed without an answer (the answer to a send is lost). */
  | 'store-then-drop'
  /** Stored, then 500: the platform did the work but says it failed. */
  | 'store-then-500'
  /** Stored, answered after `slowMs` (the sender times out first). */
  | 'store-then-slow'
  /** Not stored: 503, "not now". */
  | 'refuse-503'
  /** Not stored: 429 with Retry-After. */
  | 'refuse-429';

export interface Received {
  id: string;
  conversationId: string;
  text: string;
  at: number;
}

export class FaultyReceiver {
  readonly deliveries: Received[] = [];
  readonly received = new Map<string, number>();
  /** Decides each POST's fate; `n` counts POSTs from 1. */
  plan: (n: number, id: string) => PostFault = () => 'ok';
  /** Status lookups answer 503 until this time (ms since the epoch). */
  lookupsFailUntil = 0;
  slowMs = 1500;
  posts = 0;
  lookups = 0;
  failedLookups = 0;
  readonly faults = new Map<PostFault, number>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET') {
        this.lookups++;
        if (Date.now() < this.lookupsFailUntil) {
          this.failedLookups++;
          res.writeHead(503).end();
          return;
        }
        const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
        res.writeHead(this.received.has(id) ? 200 : 404).end();
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const msg = JSON.parse(body) as { id: string; conversationId: string; text: string };
        const fault = this.plan(++this.posts, msg.id);
        this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
        if (fault === 'refuse-503') return void res.writeHead(503).end();
        if (fault === 'refuse-429') return void res.writeHead(429, { 'retry-after': '0.2' }).end();
        this.received.set(msg.id, (this.received.get(msg.id) ?? 0) + 1);
        this.deliveries.push({ id: msg.id, conversationId: msg.conversationId, text: msg.text, at: Date.now() });
        if (fault === 'store-then-drop') return void req.socket.destroy();
        if (fault === 'store-then-500') return void res.writeHead(500).end();
        const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId: `r-${this.deliveries.length}` }));
        if (fault === 'store-then-slow') setTimeout(answer, this.slowMs).unref();
        else answer();
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/deliver`;
    return this;
  }

  /** Pretends a message arrived earlier (before a crash of the sender), without a POST. */
  has(id: string, conversationId = ''): void {
    this.received.set(id, (this.received.get(id) ?? 0) + 1);
    this.deliveries.push({ id, conversationId, text: '', at: Date.now() });
  }

  duplicates(): string[] {
    return [...this.received].filter(([, n]) => n > 1).map(([id]) => id);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
