/**
 * One channel adapter wired as in production — SQLite, the pipeline on a real redis-server,
 * the shared ingest path, and (optionally) the HTTP server with the adapter's routes — for
 * the channel tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { FLOWS } from './scenario.ts';
import { freePort } from './redis.ts';
import type { Db } from '../../src/store/db.ts';
import type { Store } from '../../src/store/index.ts';
import { openTestStore } from './store.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline, type ChannelLimits } from '../../src/pipeline/pipeline.ts';
import { ingestFor } from '../../src/channels/ingest.ts';
import { createHttpServer } from '../../src/server/http.ts';
import type { ChannelAdapter } from '../../src/channels/types.ts';
import type { MediaStore } from '../../src/media/index.ts';

export const testLog = pino({ level: process.env.TEST_LOG ?? 'silent' });
let n = 0;

export interface Rig<A extends ChannelAdapter> {
  dir: string;
  store: Store;
  /** The test's own connection to the file, for assertions. */
  db: Db;
  service: ConversationService;
  pipeline: Pipeline;
  adapter: A;
  /** http://127.0.0.1:<port> when the HTTP server runs. */
  base: string;
  sql<T>(query: string, ...params: unknown[]): T[];
  close(): Promise<void>;
}

export async function channelRig<A extends ChannelAdapter>(opts: {
  redisUrl: string;
  makeAdapter: (service: ConversationService) => A;
  limits?: Record<string, Partial<ChannelLimits>>;
  http?: boolean;
  /** A port chosen beforehand (when the adapter must know its public URL). */
  port?: number;
  /** Where files go (closed by the caller); unset, the local folder `<dir>/media`. */
  media?: MediaStore;
  /** MEDIA_DIR; unset, `<dir>/media`. */
  mediaDir?: string;
}): Promise<Rig<A>> {
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-rig-'));
  const t = openTestStore(join(dir, 't.db'));
  const { store, db } = t;
  const service = new ConversationService({ store, flows: FLOWS, mediaDir: opts.mediaDir ?? join(dir, 'media'), ...(opts.media ? { media: opts.media } : {}) });
  const pipeline = new Pipeline({ service, redis: { url: opts.redisUrl }, log: testLog, prefix: `rig${++n}`, backoffMs: 50, sweepMs: 200, ...(opts.limits ? { limits: opts.limits } : {}) });
  const adapter = opts.makeAdapter(service);
  pipeline.start({ engine: true, senders: [adapter] });
  await adapter.start({ ingest: ingestFor(service, pipeline, adapter.channel), log: testLog });
  let http: FastifyInstance | undefined;
  let base = '';
  if (opts.http) {
    http = createHttpServer({ store, pipeline, log: testLog, channels: () => ({ [adapter.channel]: adapter.status() }), channelNames: [adapter.channel], adapters: [adapter] });
    const port = opts.port ?? (await freePort());
    await http.listen({ host: '127.0.0.1', port });
    base = `http://127.0.0.1:${port}`;
  }
  return {
    dir,
    store,
    db,
    service,
    pipeline,
    adapter,
    base,
    sql: t.sql,
    async close() {
      await http?.close();
      await adapter.stop();
      await pipeline.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
