/**
 * The HTTP server (fastify): health and metrics for operators now; webhooks, the website
 * chat and the staff console mount here as they arrive.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';

export interface HttpDeps {
  db: Db;
  pipeline: Pipeline;
  log: Logger;
  /** Each channel's state as its adapter reports it ("up", "down: no session", …). */
  channels: () => Record<string, string>;
  /** Channels whose outbound queues the metrics should include even before first use. */
  channelNames: string[];
}

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger, bodyLimit: 1_048_576 });

  // Request lines are debug-level noise (/metrics is scraped every few seconds).
  app.addHook('onRoute', (route) => {
    route.logLevel ??= 'warn';
  });

  app.get('/healthz', async (_req, reply) => {
    const redis = await deps.pipeline.redisOk();
    let sqlite = false;
    try {
      sqlite = deps.db.$client.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      sqlite = false;
    }
    const channels = deps.channels();
    const ok = redis && sqlite;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', redis: redis ? 'up' : 'down', sqlite: sqlite ? 'up' : 'down', channels });
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.pipeline.metrics.render();
    return reply.type(deps.pipeline.metrics.contentType).send(text);
  });

  return app;
}
