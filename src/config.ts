/**
 * Settings from the environment, checked once at startup. Every setting is listed with a
 * comment in .env.example.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { SmsOptions } from './channels/sms.ts';
import type { WhatsAppCloudOptions } from './channels/whatsapp-cloud.ts';
import { mediaStoreSettings, type MediaStoreConfig } from './media/settings.ts';

const int = (def: number) => z.coerce.number().int().min(0).default(def);
const optionalInt = z.coerce.number().int().min(0).optional();

const Env = z.object({
  DATA_DIR: z.string().default('./data'),
  DB_PATH: z.string().optional(),
  DATABASE_URL: z.string().regex(/^(postgres(ql)?|sqlite):/, 'postgres://user:pass@host/db or sqlite:/path/to/file.db').optional(),
  FLOWS_DIR: z.string().default('./flows'),
  MEDIA_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_LANG: z.enum(['ar', 'en']).default('ar'),
  REDIS_URL: z.string().url().optional(),
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('tawasul'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  // PORT is what operators and platforms set; HTTP_PORT, when given, wins.
  PORT: optionalInt,
  HTTP_PORT: optionalInt,
  ENGINE_CONCURRENCY: int(8),
  SEND_ATTEMPTS: int(8),
  SEND_BACKOFF_MS: int(1000),
  SWEEP_MS: int(2000),
  SWEEP_GRACE_MS: int(5000),
  QUEUE_LOCK_MS: int(8000),
  SHUTDOWN_GRACE_MS: int(5000),
  TELEGRAM_RATE_PER_SECOND: optionalInt,
  TELEGRAM_PER_CHAT_INTERVAL_MS: optionalInt,
  WHATSAPP_RATE_PER_SECOND: optionalInt,
  SMS_RATE_PER_SECOND: optionalInt,
  LOOPBACK_URL: z.string().url().optional(),
  LOOPBACK_TOKEN: z.string().min(16).optional(),
  REDIS_SERVER: z.string().optional(),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, 'looks like 123456:ABC-…').optional(),
  TELEGRAM_ASSOCIATION: z.string().optional(),
  TELEGRAM_BOTS: z.string().optional(),
  TELEGRAM_API_ROOT: z.string().url().optional(),
  TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
  WHATSAPP_CLOUD_NUMBERS: z.string().optional(),
  WHATSAPP_CLOUD_TOKEN: z.string().optional(),
  WHATSAPP_CLOUD_APP_SECRET: z.string().optional(),
  WHATSAPP_CLOUD_VERIFY_TOKEN: z.string().optional(),
  WHATSAPP_CLOUD_API_BASE: z.string().url().default('https://graph.facebook.com/v21.0'),
  WHATSAPP_TEMPLATE_DECISION: z.string().optional(),
  WHATSAPP_TEMPLATE_SURVEY: z.string().optional(),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().default('ar'),
  WHATSAPP_RECEIPT_WAIT_MS: int(120_000),
  WEB_CHAT: z.enum(['on', 'off']).default('on'),
  WEB_CHAT_ORIGINS: z.string().optional(),
  NOTIFY_CHANNEL: z.enum(['last_used', 'original']).default('last_used'),
  WHATSAPP_WEB_ASSOCIATIONS: z.string().optional(),
  WHATSAPP_WEB_CHROMIUM: z.string().default('/usr/bin/chromium'),
  ADMIN_TOKEN: z.string().min(16).optional(),
  SESSION_SECRET: z.string().min(32).optional(),
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  SMS_NUMBERS: z.string().optional(),
  SMS_DRIVER: z.enum(['twilio', 'gateway']).default('twilio'),
  SMS_PUBLIC_URL: z.string().url().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_API_BASE: z.string().url().default('https://api.twilio.com'),
  SMS_GATEWAY_URL: z.string().url().optional(),
  SMS_GATEWAY_AUTHORIZATION: z.string().optional(),
  SMS_GATEWAY_FORMAT: z.enum(['json', 'form']).default('json'),
  SMS_GATEWAY_FIELDS: z.string().default('to=to,from=from,text=text'),
  SMS_GATEWAY_ID_PATH: z.string().optional(),
  SMS_GATEWAY_INBOUND_TOKEN: z.string().optional(),
  SMS_GATEWAY_INBOUND_FIELDS: z.string().default('from=from,to=to,text=text,id=id'),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 of A-Z a-z 0-9 _ -').optional(),
});

export interface Config {
  dataDir: string;
  dbPath: string;
  /** The shared store (postgres://…) or an explicit SQLite file (sqlite:/path); unset, SQLite at `dbPath`. */
  databaseUrl?: string;
  flowsDir: string;
  mediaDir: string;
  /** Where media files go: the local folder `mediaDir` (MEDIA_STORE=local, the default) or an S3-compatible bucket. */
  media: MediaStoreConfig;
  redisDir: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  defaultLang: 'ar' | 'en';
  redisUrl: string | undefined;
  queuePrefix: string;
  http: { host: string; port: number };
  pipeline: {
    engineConcurrency: number;
    attempts: number;
    backoffMs: number;
    sweepMs: number;
    sweepGraceMs: number;
    lockDurationMs: number;
    /** On SIGTERM, how long work already running may take before the process stops waiting for it. */
    closeGraceMs: number;
    limits: Record<string, { max?: number; durationMs?: number; perChatIntervalMs?: number }>;
  };
  loopbackUrl: string | undefined;
  loopbackToken: string | undefined;
  /** The redis-server binary for the embedded Redis (default: found on PATH). */
  redisServer: string | undefined;
  sms: SmsOptions | undefined;
  whatsappWeb: { associations: string[]; chromium: string } | undefined;
  adminToken: string | undefined;
  notifyVia: 'last_used' | 'original';
  /** Signs console session cookies; generated and kept under DATA_DIR when not set. */
  sessionSecret: string | undefined;
  /** Console cookies only over https: default on unless the server listens on loopback. */
  secureCookies: boolean;
  /** The website chat (page and widget); on unless WEB_CHAT=off. */
  webChat: boolean;
  /** Per association, the sites (origins) that may embed its chat widget; none by default. */
  webChatOrigins: Record<string, string[]>;
  whatsappCloud: Omit<WhatsAppCloudOptions, 'onReceipt'> | undefined;
  telegram:
    | { bots: Array<{ associationId: string; token: string }>; apiRoot?: string; webhook?: { publicUrl: string; secret: string } }
    | undefined;
}

/**
 * WEB_CHAT_ORIGINS: `qalam=https://qalam.org.sa|https://www.qalam.org.sa,sidr=https://sidr.org`.
 * Each site must be a bare origin (scheme, host, optional port), as browsers send it.
 */
export function parseChatOrigins(value: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const id = entry.slice(0, at).trim();
    const sites = entry.slice(at + 1).split('|').map((s) => s.trim()).filter(Boolean);
    if (at <= 0 || sites.length === 0) throw new Error(`invalid configuration:\n  WEB_CHAT_ORIGINS: "${entry}" should read association=https://site|https://other-site`);
    for (const site of sites) {
      let origin = '';
      try {
        origin = new URL(site).origin;
      } catch {
        origin = '';
      }
      if (origin !== site.replace(/\/$/, '') || !/^https?:/.test(site)) throw new Error(`invalid configuration:\n  WEB_CHAT_ORIGINS: "${site}" is not a site origin; write it as https://example.org (no path)`);
      (out[id] ??= []).push(origin);
    }
  }
  return out;
}

/** Reads the configuration; a bad value stops startup with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const mediaDir = resolve(e.MEDIA_DIR ?? `${dataDir}/media`);
  const limits: Config['pipeline']['limits'] = {};
  const rate = (channel: string, perSecond: number | undefined, perChat?: number) => {
    if (perSecond !== undefined || perChat !== undefined) {
      limits[channel] = { ...(perSecond !== undefined ? { max: perSecond, durationMs: 1000 } : {}), ...(perChat !== undefined ? { perChatIntervalMs: perChat } : {}) };
    }
  };
  rate('telegram', e.TELEGRAM_RATE_PER_SECOND, e.TELEGRAM_PER_CHAT_INTERVAL_MS);
  const bots: Array<{ associationId: string; token: string }> = [];
  if (e.TELEGRAM_BOT_TOKEN) {
    if (!e.TELEGRAM_ASSOCIATION) throw new Error('invalid configuration:\n  TELEGRAM_ASSOCIATION: which association the bot in TELEGRAM_BOT_TOKEN speaks for (e.g. qalam)');
    bots.push({ associationId: e.TELEGRAM_ASSOCIATION, token: e.TELEGRAM_BOT_TOKEN });
  }
  for (const pair of (e.TELEGRAM_BOTS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error('invalid configuration:\n  TELEGRAM_BOTS: write association=token pairs separated by commas');
    bots.push({ associationId: pair.slice(0, at), token: pair.slice(at + 1) });
  }
  const fail = (lines: string[]): never => {
    throw new Error(`invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  };
  const pairs = (name: string, value: string, keys?: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at < 1) fail([`${name}: write name=value pairs separated by commas`]);
      out[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const missing = (keys ?? []).filter((k) => !out[k]);
    if (missing.length) fail([`${name}: missing ${missing.join(', ')}`]);
    return out;
  };
  let sms: SmsOptions | undefined;
  if (e.SMS_NUMBERS) {
    const numbers = Object.entries(pairs('SMS_NUMBERS', e.SMS_NUMBERS)).map(([associationId, number]) => ({ associationId, number }));
    if (e.SMS_DRIVER === 'twilio') {
      const missing = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'SMS_PUBLIC_URL'] as const).filter((k) => !e[k]);
      if (missing.length) fail(missing.map((k) => `${k}: required for SMS through Twilio`));
      sms = { numbers, driver: { kind: 'twilio', accountSid: e.TWILIO_ACCOUNT_SID!, authToken: e.TWILIO_AUTH_TOKEN!, apiBase: e.TWILIO_API_BASE, publicUrl: e.SMS_PUBLIC_URL! } };
    } else {
      const missing = (['SMS_GATEWAY_URL', 'SMS_GATEWAY_INBOUND_TOKEN'] as const).filter((k) => !e[k]);
      if (missing.length) fail(missing.map((k) => `${k}: required for SMS through an HTTP gateway`));
      const f = pairs('SMS_GATEWAY_FIELDS', e.SMS_GATEWAY_FIELDS, ['to', 'from', 'text']);
      const i = pairs('SMS_GATEWAY_INBOUND_FIELDS', e.SMS_GATEWAY_INBOUND_FIELDS, ['from', 'to', 'text', 'id']);
      sms = {
        numbers,
        driver: {
          kind: 'gateway',
          sendUrl: e.SMS_GATEWAY_URL!,
          ...(e.SMS_GATEWAY_AUTHORIZATION ? { authorization: e.SMS_GATEWAY_AUTHORIZATION } : {}),
          format: e.SMS_GATEWAY_FORMAT,
          fields: { to: f.to!, from: f.from!, text: f.text! },
          ...(e.SMS_GATEWAY_ID_PATH ? { idPath: e.SMS_GATEWAY_ID_PATH } : {}),
          inboundToken: e.SMS_GATEWAY_INBOUND_TOKEN!,
          inboundFields: { from: i.from!, to: i.to!, text: i.text!, id: i.id! },
        },
      };
    }
  }
  let whatsappCloud: Config['whatsappCloud'];
  if (e.WHATSAPP_CLOUD_NUMBERS) {
    const missing = (['WHATSAPP_CLOUD_TOKEN', 'WHATSAPP_CLOUD_APP_SECRET', 'WHATSAPP_CLOUD_VERIFY_TOKEN'] as const).filter((k) => !e[k]);
    if (missing.length) throw new Error(`invalid configuration:\n${missing.map((k) => `  ${k}: required with WHATSAPP_CLOUD_NUMBERS`).join('\n')}`);
    const numbers = e.WHATSAPP_CLOUD_NUMBERS.split(',').map((p) => p.trim()).filter(Boolean).map((pair) => {
      const [associationId, phoneNumberId] = pair.split('=');
      if (!associationId || !phoneNumberId) throw new Error('invalid configuration:\n  WHATSAPP_CLOUD_NUMBERS: write association=phone_number_id pairs separated by commas');
      return { associationId, phoneNumberId };
    });
    whatsappCloud = {
      numbers,
      accessToken: e.WHATSAPP_CLOUD_TOKEN!,
      appSecret: e.WHATSAPP_CLOUD_APP_SECRET!,
      verifyToken: e.WHATSAPP_CLOUD_VERIFY_TOKEN!,
      apiBase: e.WHATSAPP_CLOUD_API_BASE.replace(/\/$/, ''),
      templates: { ...(e.WHATSAPP_TEMPLATE_DECISION ? { decision: e.WHATSAPP_TEMPLATE_DECISION } : {}), ...(e.WHATSAPP_TEMPLATE_SURVEY ? { survey: e.WHATSAPP_TEMPLATE_SURVEY } : {}), language: e.WHATSAPP_TEMPLATE_LANGUAGE },
      receiptWaitMs: e.WHATSAPP_RECEIPT_WAIT_MS,
    };
  }
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new Error('invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL (Telegram sends it back in a header we check)');
  }
  rate('whatsapp', e.WHATSAPP_RATE_PER_SECOND);
  rate('sms', e.SMS_RATE_PER_SECOND);
  return {
    dataDir,
    dbPath: resolve(e.DB_PATH ?? `${dataDir}/tawasul.db`),
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    flowsDir: resolve(e.FLOWS_DIR),
    mediaDir,
    media: mediaStoreSettings(env, mediaDir),
    redisDir: resolve(`${dataDir}/redis`),
    logLevel: e.LOG_LEVEL,
    defaultLang: e.DEFAULT_LANG,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT ?? e.PORT ?? 3000 },
    pipeline: {
      engineConcurrency: Math.max(1, e.ENGINE_CONCURRENCY),
      attempts: Math.max(1, e.SEND_ATTEMPTS),
      backoffMs: e.SEND_BACKOFF_MS,
      sweepMs: Math.max(100, e.SWEEP_MS),
      sweepGraceMs: e.SWEEP_GRACE_MS,
      lockDurationMs: Math.max(1000, e.QUEUE_LOCK_MS),
      closeGraceMs: e.SHUTDOWN_GRACE_MS,
      limits,
    },
    loopbackUrl: e.LOOPBACK_URL,
    loopbackToken: e.LOOPBACK_TOKEN,
    redisServer: e.REDIS_SERVER,
    sms,
    webChat: e.WEB_CHAT === 'on',
    webChatOrigins: parseChatOrigins(e.WEB_CHAT_ORIGINS),
    whatsappWeb: e.WHATSAPP_WEB_ASSOCIATIONS
      ? { associations: e.WHATSAPP_WEB_ASSOCIATIONS.split(',').map((a) => a.trim()).filter(Boolean), chromium: e.WHATSAPP_WEB_CHROMIUM }
      : undefined,
    adminToken: e.ADMIN_TOKEN,
    notifyVia: e.NOTIFY_CHANNEL,
    sessionSecret: e.SESSION_SECRET,
    secureCookies: e.COOKIE_SECURE ? e.COOKIE_SECURE === 'true' : !['127.0.0.1', 'localhost', '::1'].includes(e.HTTP_HOST),
    whatsappCloud,
    telegram: bots.length
      ? {
          bots,
          ...(e.TELEGRAM_API_ROOT ? { apiRoot: e.TELEGRAM_API_ROOT } : {}),
          ...(e.TELEGRAM_WEBHOOK_URL ? { webhook: { publicUrl: e.TELEGRAM_WEBHOOK_URL, secret: e.TELEGRAM_WEBHOOK_SECRET! } } : {}),
        }
      : undefined,
  };
}
