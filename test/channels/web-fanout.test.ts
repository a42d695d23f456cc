/**
 * Website chat behind a balancer: two HTTP "processes" (each its own store connection,
 * pipeline, web adapter and Fastify server) sharing one database file and one redis-server.
 * Only B runs the web sender, so every reply is sent by B; a visitor whose stream is held by
 * A sees it, once, through Redis pub/sub; a reply sent while the page was closed is in the
 * history replayed on reconnect; and after Redis restarts, streams still get replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { FLOWS } from '../support/scenario.ts';
import { TestRedis, freePort } from '../support/redis.ts';
import { testLog } from '../support/rig.ts';
import { waitFor } from '../support/wait.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { openDb } from '../../src/store/db.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { RedisPubSub } from '../../src/pipeline/pubsub.ts';
import { ingestFor } from '../../src/channels/ingest.ts';
import { createHttpServer } from '../../src/server/http.ts';
import { WebChatAdapter } from '../../src/channels/web.ts';
import { webChatHistory } from '../../src/runtime.ts';
import { chatEvents } from '../support/chat-stream.ts';

const redis = new TestRedis();
const dir = mkdtempSync(join(tmpdir(), 'tawasul-web-fanout-'));
const PREFIX = 'fanout';

interface Proc {
  store: Store;
  pipeline: Pipeline;
  pubsub: RedisPubSub;
  adapter: WebChatAdapter;
  http: FastifyInstance;
  base: string;
}

/** One HTTP process; `sender` = it runs the engine and the web channel's sender. */
async function proc(sender: boolean): Promise<Proc> {
  const store = openStore(join(dir, 'shared.db'));
  const service = new ConversationService({ store, flows: FLOWS, mediaDir: join(dir, 'media') });
  const pipeline = new Pipeline({ service, redis: { url: redis.url }, log: testLog, prefix: PREFIX, backoffMs: 50, sweepMs: 200 });
  const pubsub = new RedisPubSub({ redis: { url: redis.url }, prefix: PREFIX, log: testLog });
  const adapter = new WebChatAdapter({ flow: (id) => FLOWS.get(id), history: webChatHistory(() => service), pubsub: () => pubsub });
  pipeline.start({ engine: sender, senders: sender ? [adapter] : [] });
  await adapter.start({ ingest: ingestFor(service, pipeline, 'web'), log: testLog });
  const http = createHttpServer({ store, pipeline, log: testLog, channels: () => ({ web: adapter.status() }), channelNames: ['web'], adapters: [adapter] });
  const port = await freePort();
  await http.listen({ host: '127.0.0.1', port });
  return { store, pipeline, pubsub, adapter, http, base: `http://127.0.0.1:${port}` };
}

let a: Proc;
let b: Proc;

beforeAll(async () => {
  await redis.start();
  a = await proc(false);
  b = await proc(true);
}, 60_000);

afterAll(async () => {
  for (const p of [a, b]) {
    if (!p) continue;
    await p.http.close();
    await p.adapter.stop();
    await p.pubsub.close();
    await p.pipeline.close();
    await p.store.close();
  }
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A browser's event stream on one server, collecting its events. */
function stream(base: string, chatId: string) {
  const { events, close } = chatEvents(base, chatId);
  const bot = () => events.filter((e) => e.event === 'message' && e.data.from === 'bot').map((e) => e.data as { id: string; text: string });
  return { events, bot, ready: () => waitFor('ready', () => events.some((e) => e.event === 'ready')), close };
}

const post = (base: string, chatId: string, body: unknown) =>
  fetch(`${base}/chat/qalam/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-chat-id': chatId }, body: JSON.stringify(body) });

const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

describe('web chat across processes', () => {
  it("delivers a reply sent by B to the visitor's stream on A, once, and to their page on B too", async () => {
    const visitor = 'FanoutVisitor_0123456789ab';
    const onA = stream(a.base, visitor);
    const onB = stream(b.base, visitor);
    const stranger = stream(a.base, 'SomeoneElse_0123456789abcd');
    await Promise.all([onA.ready(), onB.ready(), stranger.ready()]);

    expect((await post(a.base, visitor, { id: 'f1', text: 'السلام عليكم' })).status).toBe(202);
    const [reply] = await waitFor('reply on A', () => (onA.bot().length ? onA.bot() : undefined), 15_000);
    expect(reply!.text).toContain('جمعية قلم العلمية');
    await waitFor('reply on B', () => onB.bot().length > 0);
    await settle();
    expect(onA.bot().map((m) => m.id)).toEqual([reply!.id]);
    expect(onB.bot().map((m) => m.id)).toEqual([reply!.id]);
    expect(stranger.bot()).toEqual([]);
    // A sent nothing itself: it has no web sender, so the reply came over Redis from B.
    expect(a.pubsub.listening).toBe(2);
    await Promise.all([onA.close(), onB.close(), stranger.close()]);
    await waitFor('unsubscribed', () => a.pubsub.listening === 0 && b.pubsub.listening === 0);
  }, 30_000);

  it('replays from the database a reply sent while the page was closed', async () => {
    const visitor = 'FanoutReplay_0123456789abc';
    expect((await post(b.base, visitor, { id: 'r1', text: 'مرحبا' })).status).toBe(202);
    // The test's own connection to the shared file (the store has no raw handle).
    const sql = openDb(join(dir, 'shared.db')).$client;
    await waitFor('reply stored and sent', () => sql.prepare(`SELECT 1 FROM messages WHERE direction = 'out' AND status = 'sent' AND conversation_id IN (SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.address = ?)`).get(`web:${visitor}`), 15_000);
    sql.close();
    const later = stream(a.base, visitor);
    await later.ready();
    const history = later.events.filter((e) => e.event === 'message').map((e) => e.data.from);
    expect(history).toEqual(['me', 'bot']);
    await later.close();
  }, 30_000);

  it('keeps delivering after Redis restarts: streams resubscribe and catch up from the database', async () => {
    const visitor = 'FanoutRestart_0123456789ab';
    const onA = stream(a.base, visitor);
    await onA.ready();
    await redis.restart(300);
    // The stream on A outlived the restart; a reply sent by B afterwards still reaches it.
    await settle(1000);
    expect((await post(a.base, visitor, { id: 'x1', text: 'السلام عليكم' })).status).toBe(202);
    await waitFor('reply after restart', () => onA.bot().length > 0, 20_000);
    await settle();
    expect(new Set(onA.bot().map((m) => m.id)).size).toBe(1);
    await onA.close();
  }, 40_000);
});
