/**
 * The HTTP server (fastify): health and metrics for operators now; webhooks, the website
 * chat and the staff console mount here as they arrive.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { z } from 'zod';
import { safeEqual } from './safe-equal.ts';
import { UnknownAssociationError } from '../conversation/service.ts';
import type { ChannelAdapter } from '../channels/types.ts';
import { mountConsole, type ConsoleOptions } from '../console/server.ts';

export interface HttpDeps {
  store: Store;
  pipeline: Pipeline;
  log: Logger;
  /** Each channel's state as its adapter reports it ("up", "down: no session", …). */
  channels: () => Record<string, string>;
  /** Channels whose outbound queues the metrics should include even before first use. */
  channelNames: string[];
  /** Bearer token for the loopback channel's inbound endpoint; the endpoint exists only with it. */
  loopbackToken?: string;
  /** Channels that receive by webhook mount their routes. */
  adapters?: ChannelAdapter[];
  /** The staff console, when this process serves it. */
  console?: Omit<ConsoleOptions, 'db' | 'store' | 'pipeline' | 'channels'>;
}

const LoopbackInbound = z
  .object({
    associationId: z.string().min(1).max(64),
    from: z.string().min(1).max(128),
    messageId: z.string().min(1).max(256),
    text: z.string().max(20_000).optional(),
    choiceId: z.string().max(128).optional(),
    lang: z.enum(['ar', 'en']).optional(),
  })
  .strict();

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger, bodyLimit: 1_048_576 });

  // Request lines are debug-level noise (/metrics is scraped every few seconds).
  app.addHook('onRoute', (route) => {
    route.logLevel ??= 'warn';
  });

  app.get('/healthz', async (_req, reply) => {
    const redis = await deps.pipeline.redisOk();
    let database = false;
    try {
      database = await deps.store.ping();
    } catch {
      database = false;
    }
    const channels = deps.channels();
    const ok = redis && database;
    // `sqlite` is the store's health (the field monitoring reads), whichever store it is.
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', redis: redis ? 'up' : 'down', sqlite: database ? 'up' : 'down', channels });
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.pipeline.metrics.render();
    return reply.type(deps.pipeline.metrics.contentType).send(text);
  });

  for (const adapter of deps.adapters ?? []) adapter.mountHttp?.(app);
  if (deps.console) {
    // The WhatsApp web adapter, when this process runs it, reports each session's state and QR to admins.
    const whatsapp = deps.adapters?.find((a): a is ChannelAdapter & { session: NonNullable<ConsoleOptions['whatsappSession']> } => 'session' in a && typeof a.session === 'function');
    mountConsole(app, { store: deps.store, pipeline: deps.pipeline, channels: deps.channelNames, ...(whatsapp ? { whatsappSession: (id: string) => whatsapp.session(id) } : {}), ...deps.console });
  }

  if (deps.loopbackToken) {
    const expected = `Bearer ${deps.loopbackToken}`;
    // The loopback channel's way in: a script or test posts a beneficiary's message as JSON.
    app.post('/channels/loopback/inbound', async (req, reply) => {
      if (!safeEqual(String(req.headers.authorization ?? ''), expected)) {
        req.log.warn({ ip: req.ip }, 'loopback inbound: bad or missing token');
        return reply.code(401).send({ error: 'unauthorized' });
      }
      const parsed = LoopbackInbound.safeParse(req.body);
      if (!parsed.success) {
        req.log.warn({ problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) }, 'loopback inbound: malformed body');
        return reply.code(400).send({ error: 'malformed', problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      }
      const m = parsed.data;
      try {
        const accepted = await deps.pipeline.ingest({
          associationId: m.associationId,
          channel: 'loopback',
          address: m.from,
          messageId: m.messageId,
          ...(m.text !== undefined ? { text: m.text } : {}),
          ...(m.choiceId ? { choiceId: m.choiceId } : {}),
          ...(m.lang ? { lang: m.lang } : {}),
        });
        return reply.code(accepted.duplicate ? 200 : 202).send({ accepted: true, duplicate: accepted.duplicate });
      } catch (err) {
        if (err instanceof UnknownAssociationError) return reply.code(404).send({ error: err.message });
        throw err;
      }
    });
  }

  return app;
}
