/**
 * Starts the process roles from configuration: `start` (everything on one machine),
 * `worker` (engine, verification, notifications, timers) and `gateway` (one channel's
 * sending and receiving). Roles talk only through the queues and the database.
 */
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Accounts } from './console/accounts.ts';
import type { Config } from './config.ts';
import { openApp, type App } from './app.ts';
import type { ConversationService } from './conversation/service.ts';
import { createLogger, type Logger } from './log.ts';
import { EmbeddedRedis, connect, type RedisTarget } from './pipeline/redis.ts';
import { RedisPubSub, type PubSub } from './pipeline/pubsub.ts';
import { RedisLeases, type Leases } from './pipeline/lease.ts';
import type { Store } from './store/index.ts';
import type { Redis } from 'ioredis';
import { Pipeline } from './pipeline/pipeline.ts';
import { createHttpServer } from './server/http.ts';
import { LoopbackSender } from './channels/loopback.ts';
import { TelegramAdapter } from './channels/telegram.ts';
import { WhatsAppCloudAdapter } from './channels/whatsapp-cloud.ts';
import { SmsAdapter } from './channels/sms.ts';
import { WebChatAdapter, type WebChatOptions } from './channels/web.ts';
import { WhatsAppWebAdapter } from './channels/whatsapp-web.ts';
import type { ChannelAdapter, Sender } from './channels/types.ts';
import { ingestFor } from './channels/ingest.ts';

export interface Roles {
  engine: boolean;
  http: boolean;
  /** Channels to run; 'configured' = every channel that has credentials. */
  channels: string[] | 'configured';
}

export interface Runtime {
  app: App;
  pipeline: Pipeline;
  log: Logger;
  http?: FastifyInstance;
  redis?: EmbeddedRedis;
  /** Address the HTTP server listens on, when it runs. */
  url?: string;
  close(): Promise<void>;
}

/** What processes share through Redis: live updates (pub/sub) and who runs what (leases). */
export interface Shared {
  pubsub: PubSub;
  leases: Leases;
}

/** The web chat's history of one browser, as its page shows it: what the beneficiary wrote and what reached them. */
export function webChatHistory(service: () => ConversationService | undefined): WebChatOptions['history'] {
  return async (associationId, address) =>
    ((await service()?.history(associationId, 'web', address)) ?? [])
      .filter((m) => m.direction === 'in' || !['failed', 'unknown'].includes(m.status))
      .map((m) => ({
        id: m.id,
        from: m.direction === 'in' ? ('me' as const) : m.author === 'staff' ? ('staff' as const) : ('bot' as const),
        text: m.direction === 'in' && m.file ? m.file : m.text,
        ...(m.choices ? { choices: m.choices } : {}),
        at: m.at,
      }));
}

/**
 * What a channel with delivery receipts needs from the store: receipts by the platform's id and
 * by our key, and a reply's stored status for its lookups (a throw while the store is not open:
 * a lookup that cannot be answered yet is asked again, never taken as "no").
 */
function receiptsOf(channel: string, service: () => ConversationService | undefined) {
  return {
    onReceipt: (id: string, status: 'delivered' | 'read' | 'failed', error?: string) => service()?.recordReceipt(channel, id, status, error),
    onKeyedReceipt: (id: string, providerMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', error?: string) =>
      service()?.recordReceiptByKey(channel, id, providerMessageId, status, error),
    outboundStatus: (id: string) => {
      const s = service();
      if (!s) throw new Error('the store is not open yet');
      return s.outboundStatus(id);
    },
  };
}

/** The channels that have their settings. */
export function configuredSenders(
  config: Config,
  service: () => ConversationService | undefined = () => undefined,
  shared: () => Shared | undefined = () => undefined,
): Array<Sender | ChannelAdapter> {
  const senders: Array<Sender | ChannelAdapter> = [];
  if (config.loopbackUrl) senders.push(new LoopbackSender(config.loopbackUrl));
  if (config.telegram) senders.push(new TelegramAdapter(config.telegram));
  if (config.whatsappCloud) {
    senders.push(
      new WhatsAppCloudAdapter({ ...config.whatsappCloud, ...receiptsOf('whatsapp', service) }),
    );
  }
  if (config.webChat) {
    senders.push(
      new WebChatAdapter({
        pubsub: () => shared()?.pubsub,
        origins: (id) => config.webChatOrigins[id] ?? [],
        listedOrigins: () => Object.values(config.webChatOrigins).flat(),
        flow: (id) => {
          try {
            return service()?.flow(id);
          } catch {
            return undefined;
          }
        },
        history: webChatHistory(service),
      }),
    );
  }
  if (config.whatsappWeb) {
    senders.push(
      new WhatsAppWebAdapter({
        ...config.whatsappWeb,
        dataDir: config.dataDir,
        printQr: true,
        leases: () => shared()?.leases,
        ...(config.adminToken ? { adminToken: config.adminToken } : {}),
      }),
    );
  }
  if (config.sms) {
    senders.push(
      new SmsAdapter({ ...config.sms, ...receiptsOf('sms', service) }),
    );
  }
  return senders;
}

/** Associations each channel speaks for: each must have a flow. */
function channelAssociations(config: Config): string[] {
  return [
    ...(config.telegram?.bots ?? []).map((b) => b.associationId),
    ...(config.whatsappCloud?.numbers ?? []).map((n) => n.associationId),
    ...(config.sms?.numbers ?? []).map((n) => n.associationId),
    ...(config.whatsappWeb?.associations ?? []),
  ];
}

const isAdapter = (s: Sender | ChannelAdapter): s is ChannelAdapter => 'start' in s && typeof s.start === 'function';

/**
 * The console's cookie-signing secret: SESSION_SECRET, else the one kept in the database (so
 * every machine sharing it signs alike), generated by whichever process needs it first. A
 * deployment from before keeps the secret of its DATA_DIR/session-secret file (moved into the
 * database on first start), so signed-in staff stay signed in.
 */
export async function sessionSecret(config: Pick<Config, 'sessionSecret' | 'dataDir'>, store: Pick<Store, 'settings'>): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;
  const path = join(config.dataDir, 'session-secret');
  const legacy = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  return store.settings.getOrCreate('session_secret', () => (legacy.length >= 32 ? legacy : randomBytes(48).toString('base64url')));
}

/**
 * The connection @fastify/rate-limit counts sign-in attempts on (its `redis` option), so every
 * console process behind a balancer counts alike. Few retries and a short connect timeout, as
 * the plugin advises: a sign-in must not hang on Redis.
 */
export function rateLimitConnection(target: RedisTarget, log: Logger): Redis {
  const conn = connect(target, { connectionName: 'tawasul-rate-limit', connectTimeout: 500, maxRetriesPerRequest: 1 });
  conn.on('error', (err) => log.warn({ err: err.message }, 'rate-limit redis connection error'));
  return conn;
}

/** With no console user at all, creates an admin for every association and prints its password once. */
async function firstRunAdmin(app: App, log: Logger) {
  const accounts = new Accounts(app.store.console);
  if ((await accounts.count()) > 0) return;
  const { password } = await accounts.add({ email: 'admin@localhost', name: 'Admin', role: 'admin', associations: [...app.service.associationIds()] });
  log.warn('first run: created console user admin@localhost (change it with: tawasul users passwd --email admin@localhost)');
  process.stdout.write(`\n  Console: sign in as admin@localhost with the one-time password ${password}\n\n`);
}

export class UnknownChannelError extends Error {
  readonly code = 'TAWASUL_ERR_UNKNOWN_CHANNEL';
}

export async function startRuntime(config: Config, roles: Roles, log: Logger = createLogger(config.logLevel)): Promise<Runtime> {
  // Receipts need the database, which opens after Redis is up: reached through this holder.
  let opened: App | undefined;
  let shared: Shared | undefined;
  const available = configuredSenders(config, () => opened?.service, () => shared);
  let senders = available;
  if (roles.channels !== 'configured') {
    const wanted = roles.channels;
    senders = available.filter((s) => wanted.includes(s.channel));
    const missing = wanted.filter((c) => !senders.some((s) => s.channel === c));
    if (missing.length > 0) {
      throw new UnknownChannelError(
        `channel ${missing.join(', ')} is not configured (configured: ${available.map((s) => s.channel).join(', ') || 'none'}); see .env.example`,
      );
    }
  }

  let redis: EmbeddedRedis | undefined;
  let target: RedisTarget;
  if (config.redisUrl) {
    target = { url: config.redisUrl };
  } else {
    redis = new EmbeddedRedis({ dir: config.redisDir, log: log.child({ component: 'redis' }), ...(config.redisServer ? { bin: config.redisServer } : {}) });
    await redis.start();
    target = redis.target;
  }

  shared = {
    pubsub: new RedisPubSub({ redis: target, prefix: config.queuePrefix, log: log.child({ component: 'pubsub' }) }),
    leases: new RedisLeases({ redis: target, prefix: config.queuePrefix, log: log.child({ component: 'leases' }) }),
  };
  const app = openApp(config);
  opened = app;
  const pipeline = new Pipeline({
    service: app.service,
    redis: target,
    log,
    prefix: config.queuePrefix,
    limits: config.pipeline.limits,
    attempts: config.pipeline.attempts,
    backoffMs: config.pipeline.backoffMs,
    engineConcurrency: config.pipeline.engineConcurrency,
    sweepMs: config.pipeline.sweepMs,
    sweepGraceMs: config.pipeline.sweepGraceMs,
    lockDurationMs: config.pipeline.lockDurationMs,
    closeGraceMs: config.pipeline.closeGraceMs,
  });
  pipeline.start({ engine: roles.engine, senders });

  // Receiving: each adapter hands over messages; files are stored first, then the message.
  const adapters = senders.filter(isAdapter);
  for (const adapter of adapters) {
    for (const id of channelAssociations(config)) app.service.flow(id); // unknown id: stop here, named
    const ingest = ingestFor(app.service, pipeline, adapter.channel);
    await adapter.start({ ingest, log });
  }

  let http: FastifyInstance | undefined;
  let url: string | undefined;
  let rateLimitRedis: Redis | undefined;
  if (roles.http) {
    // Login attempts counted in Redis, so every console process behind a balancer counts alike.
    rateLimitRedis = rateLimitConnection(target, log);
    // Not a literal: `rateLimitRedis` is read by the console once its options name it (src/console/server.ts).
    const consoleOptions = { sessionSecret: await sessionSecret(config, app.store), secureCookies: config.secureCookies, service: app.service, rateLimitRedis };
    http = createHttpServer({
      store: app.store,
      pipeline,
      log,
      channels: () => Object.fromEntries(senders.map((s) => [s.channel, isAdapter(s) ? s.status() : 'up'])),
      adapters,
      channelNames: senders.map((s) => s.channel),
      ...(config.loopbackUrl && config.loopbackToken ? { loopbackToken: config.loopbackToken } : {}),
      console: consoleOptions,
    });
    await firstRunAdmin(app, log);
    url = await http.listen({ host: config.http.host, port: config.http.port });
  }
  log.info({ roles: { ...roles, channels: senders.map((s) => s.channel) }, redis: config.redisUrl ? 'external' : 'embedded', url }, 'tawasul started');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing jobs in flight');
      await http?.close();
      for (const adapter of adapters) await adapter.stop();
      await shared?.pubsub.close();
      await shared?.leases.close();
      await rateLimitRedis?.quit().catch(() => rateLimitRedis?.disconnect());
      await pipeline.close();
      app.close();
      await redis?.stop();
      log.info('stopped');
    })());
  return { app, pipeline, log, http, redis, url, close };
}

/** Runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function runUntilSignalled(runtime: Runtime): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      runtime.log.info({ signal }, 'signal received');
      runtime.close().then(resolve, (err) => {
        runtime.log.error({ err }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
