/**
 * Website chat: a standalone page at /chat/<association> and an embeddable widget (one
 * script tag). Each browser keeps a random id (its identity, sent in a header, never in a
 * URL); messages go up by POST, replies come down a server-sent-events stream read with
 * fetch. History is replayed from the database on connect, so a reply sent while the page
 * was closed is there when it opens again.
 *
 * Replies travel through pub/sub (Redis in production), one channel per association and
 * browser: the process that sends a reply need not be the one holding the browser's stream.
 * A stream subscribes first, then replays history, then delivers what arrived meanwhile that
 * the history did not have, so nothing falls between the two.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { OutboundMessage } from '../conversation/service.ts';
import type { FlowFile } from '../flows/schema.ts';
import { SendError, type ChannelAdapter, type ChannelContext, type SendResult } from './types.ts';
import { WIDGET_JS, pageHtml } from './web-assets.ts';
import { openStream, type Stream } from '../server/sse.ts';
import { LocalPubSub, type PubSub } from '../pipeline/pubsub.ts';

export interface WebHistoryItem {
  id: string;
  from: 'me' | 'bot' | 'staff';
  text: string;
  choices?: Array<{ id: string; label: string }>;
  at: string;
}

export interface WebChatOptions {
  /** The sites (origins) that may embed this association's widget; the bot's own pages always may. */
  origins?: (associationId: string) => string[];
  /** Every association's sites together (for the widget script, which is the same for all). */
  listedOrigins?: () => string[];
  /** The association's flow, if there is one by that id. */
  flow: (associationId: string) => FlowFile | undefined;
  /** The conversation so far for this browser, oldest first. */
  history: (associationId: string, address: string) => Promise<WebHistoryItem[]>;
  maxFileBytes?: number;
  /**
   * Where replies are published and streams listen: Redis pub/sub shared by every process
   * (runtime), read when first needed; in-process when absent or undefined.
   */
  pubsub?: () => PubSub | undefined;
}

const ChatId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/);
const Post = z.object({ id: z.string().min(1).max(64), text: z.string().max(4000).optional(), choiceId: z.string().max(128).optional(), lang: z.enum(['ar', 'en']).optional() }).strict();

export class WebChatAdapter implements ChannelAdapter {
  readonly channel = 'web';
  private ctx: ChannelContext | undefined;
  private state = 'not started';
  private readonly streams = new Set<Stream>();
  private readonly local = new LocalPubSub();

  constructor(private readonly opts: WebChatOptions) {}

  private get bus(): PubSub {
    return this.opts.pubsub?.() ?? this.local;
  }

  status(): string {
    return this.state;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.state = 'up';
  }

  async stop(): Promise<void> {
    for (const s of [...this.streams]) s.end();
    this.streams.clear();
    this.state = 'stopped';
  }

  /**
   * Delivered to every open page of this browser, whichever process holds it; stored either
   * way, so history shows it later. Pub/sub unreachable: retried (the page shows each id once).
   */
  async send(msg: OutboundMessage): Promise<SendResult> {
    if (!this.opts.flow(msg.associationId)) throw new SendError(`unknown association ${msg.associationId}`, 'permanent');
    const item: WebHistoryItem = { id: msg.id, from: 'bot', text: msg.text, ...(msg.choices?.length ? { choices: msg.choices } : {}), at: new Date().toISOString() };
    try {
      await this.bus.publish(channelOf(msg.associationId, msg.address), item);
    } catch (err) {
      throw new SendError(`web chat: could not publish the reply: ${(err as Error).message}`, 'retry');
    }
    return { providerMessageId: msg.id };
  }

  /** What the page shows of the stored conversation: a beneficiary's empty bubble (the chat's opening, see /open) has nothing to show. */
  private async replay(who: { associationId: string; address: string }, stream: Stream): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const item of await this.opts.history(who.associationId, who.address)) {
      ids.add(item.id);
      if (item.from !== 'me' || item.text) stream.send('message', item);
    }
    return ids;
  }

  mountHttp(root: FastifyInstance): void {
    const maxFile = this.opts.maxFileBytes ?? 10 * 1024 * 1024;
    void root.register(async (app) => {
      // CORS per association: its own sites only (WEB_CHAT_ORIGINS). @fastify/cors answers the
      // preflight in a hook, before any route runs, and its per-request delegator lets each
      // association have its own list; scoped to /chat so nothing else answers cross-origin.
      await app.register(cors, () => (req: FastifyRequest, cb: (err: Error | null, options: FastifyCorsOptions) => void) => cb(null, this.corsFor(req)));
      app.addHook('preHandler', async (req, reply) => {
        // A real request (not a preflight) from a site not on the list: refused, not just left to the browser.
        if (req.method !== 'OPTIONS' && this.foreignOrigin(req) && !this.corsAllowed(req)) return reply.code(403).send({ error: 'this site may not use the chat' });
      });
      app.addContentTypeParser(['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: maxFile }, (_r, body, done) => done(null, body));

      app.get('/widget.js', async (_req, reply) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(WIDGET_JS));

      app.get<{ Params: { association: string }; Querystring: { lang?: string } }>('/:association', async (req, reply) => {
        const flow = this.opts.flow(req.params.association);
        if (!flow) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
        const lang = req.query.lang === 'en' ? 'en' : 'ar';
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors *")
          .send(pageHtml(flow, lang));
      });

      app.get<{ Params: { association: string } }>('/:association/events', async (req, reply) => {
        const who = this.identify(req, reply);
        if (!who) return reply;
        let unsubscribe: (() => void) | undefined;
        let closed = false;
        const stream = openStream(req, reply, () => {
          closed = true;
          this.streams.delete(stream);
          unsubscribe?.();
        });
        this.streams.add(stream);
        // Subscribed before the history is read: a reply published meanwhile waits here and goes
        // out after the history, unless the history had it already.
        let live = false;
        const waiting: WebHistoryItem[] = [];
        const deliver = (m: unknown) => (live ? stream.send('message', m) : waiting.push(m as WebHistoryItem));
        // Pub/sub was cut off and is back: what was published meanwhile is in the database (the page shows each id once).
        const catchUp = () => void this.replay(who, stream).catch((err) => req.log.warn({ err: (err as Error).message }, 'web chat: history not replayed'));
        try {
          unsubscribe = await this.bus.subscribe(channelOf(who.associationId, who.address), deliver, catchUp);
          if (closed) return unsubscribe();
          const shown = await this.replay(who, stream);
          for (const item of waiting) if (!shown.has(item.id)) stream.send('message', item);
          waiting.length = 0;
          live = true;
          stream.send('ready', {});
        } catch (err) {
          req.log.error({ err: (err as Error).message }, 'web chat: stream not opened');
          stream.end();
        }
      });

      app.post<{ Params: { association: string } }>('/:association/messages', async (req, reply) => {
        const who = this.identify(req, reply);
        if (!who) return reply;
        const parsed = Post.safeParse(req.body);
        if (!parsed.success) {
          req.log.warn({ problems: parsed.error.issues.map((i) => i.path.join('.')) }, 'web chat: malformed message');
          return reply.code(400).send({ error: 'malformed' });
        }
        const m = parsed.data;
        await this.ctx!.ingest({
          associationId: who.associationId,
          address: who.address,
          messageId: m.id,
          ...(m.text !== undefined ? { text: m.text } : {}),
          ...(m.choiceId ? { choiceId: m.choiceId } : {}),
          ...(m.lang ? { lang: m.lang } : {}),
          at: new Date(),
        });
        return reply.code(202).send({ accepted: true });
      });

      // A new visitor opened the chat: the bot greets without waiting for them to type. The id is
      // this browser's own, so a reload, a second tab or a retry is the same message, handled once.
      app.post<{ Params: { association: string } }>('/:association/open', async (req, reply) => {
        const who = this.identify(req, reply);
        if (!who) return reply;
        const lang = (req.body as { lang?: unknown } | undefined)?.lang === 'en' ? 'en' : 'ar';
        await this.ctx!.ingest({ associationId: who.associationId, address: who.address, messageId: `open:${who.address}`, text: '', lang, at: new Date() });
        return reply.code(202).send({ accepted: true });
      });

      app.post<{ Params: { association: string } }>('/:association/files', async (req, reply) => {
        const who = this.identify(req, reply);
        if (!who) return reply;
        const data = req.body;
        const id = String(req.headers['x-message-id'] ?? '');
        if (!Buffer.isBuffer(data) || data.length === 0 || !/^[\w-]{1,64}$/.test(id)) return reply.code(400).send({ error: 'malformed' });
        const name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'file')).slice(0, 120);
        await this.ctx!.ingest({ associationId: who.associationId, address: who.address, messageId: id, file: { data, mime: String(req.headers['content-type']).split(';')[0]!, filename: name }, at: new Date() });
        return reply.code(202).send({ accepted: true });
      });
    }, { prefix: '/chat' });
  }

  /** The association a /chat/<id>/… URL is for; undefined for the widget script. */
  private associationOf(url: string): string | undefined {
    const m = /^\/chat\/([^/?#]+)/.exec(url);
    if (!m || m[1] === 'widget.js') return undefined;
    try {
      return decodeURIComponent(m[1]!);
    } catch {
      return undefined;
    }
  }

  /** An Origin header naming another site than this server's (same-origin fetches send one too). */
  private foreignOrigin(req: FastifyRequest): string | undefined {
    const origin = req.headers.origin;
    if (!origin) return undefined;
    try {
      return new URL(origin).host === req.headers.host ? undefined : origin;
    } catch {
      return origin;
    }
  }

  private corsAllowed(req: FastifyRequest): boolean {
    const origin = this.foreignOrigin(req);
    if (!origin) return false;
    const association = this.associationOf(req.url);
    // The widget script is the same for everyone: any association's listed site may fetch it.
    if (association === undefined) return /^\/chat\/widget\.js/.test(req.url) && this.anyListed(origin);
    return (this.opts.origins?.(association) ?? []).includes(origin);
  }

  private anyListed(origin: string): boolean {
    return (this.opts.listedOrigins?.() ?? []).includes(origin);
  }

  private corsFor(req: FastifyRequest): FastifyCorsOptions {
    const origin = this.foreignOrigin(req);
    if (!origin) return { origin: false };
    if (!this.corsAllowed(req)) {
      req.log.warn({ origin, association: this.associationOf(req.url), method: req.method }, 'web chat: origin not allowed');
      return { origin: false };
    }
    return {
      origin,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'x-chat-id', 'x-file-name', 'x-message-id'],
      credentials: false,
      maxAge: 600,
    };
  }

  private identify(req: FastifyRequest<{ Params: { association: string } }>, reply: FastifyReply): { associationId: string; address: string } | undefined {
    if (!this.opts.flow(req.params.association)) {
      void reply.code(404).send({ error: 'not found' });
      return undefined;
    }
    const id = ChatId.safeParse(req.headers['x-chat-id']);
    if (!id.success) {
      void reply.code(401).send({ error: 'missing or malformed X-Chat-Id' });
      return undefined;
    }
    return { associationId: req.params.association, address: `web:${id.data}` };
  }
}

/** One pub/sub channel per association and browser (the address is `web:<browser id>`, URL-safe). */
const channelOf = (associationId: string, address: string) => `web-chat:${encodeURIComponent(associationId)}:${address}`;

