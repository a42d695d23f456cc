/**
 * WhatsApp through a linked WhatsApp Web session (whatsapp-web.js), for associations
 * without the Cloud API: one session per association, kept with LocalAuth under DATA_DIR,
 * running Debian's Chromium (no browser download at install). The pairing QR is printed in
 * the terminal and served to admins; a watchdog notices a dead session (the library often
 * emits nothing when the network goes) and restarts it with backoff; the library's stray
 * promise rejections are logged, never fatal. Choices are numbered lines (the library's
 * buttons no longer work for personal accounts).
 *
 * One gateway per association's session: two clients linked to one phone would knock each
 * other off. Before starting a client the adapter takes a lease in Redis named after the
 * association; a second gateway finds it held, logs an error naming the holder (host, pid),
 * shows it in its status and does not start the client, trying again now and then (so it
 * takes over, with a new QR unless it shares the first one's DATA_DIR, when the first stops).
 */
import { safeEqual } from '../server/safe-equal.ts';
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OutboundMessage } from '../conversation/service.ts';
import { maskAddress } from '../log.ts';
import { renderPlain } from './render.ts';
import { SendError, type ChannelAdapter, type ChannelContext, type SendResult } from './types.ts';
import { describeHolder, type Holder, type Lease, type Leases } from '../pipeline/lease.ts';

/** The part of whatsapp-web.js's Client this adapter uses (a fake in tests). */
export interface WebClient extends EventEmitter {
  initialize(): Promise<void>;
  getState(): Promise<string | null>;
  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }>;
  destroy(): Promise<void>;
}

export interface WebMessage {
  id: { _serialized: string };
  from: string;
  fromMe: boolean;
  body: string;
  type: string;
  hasMedia: boolean;
  isStatus?: boolean;
  timestamp?: number;
  downloadMedia(): Promise<{ mimetype: string; data: string; filename?: string | null } | undefined>;
}

export interface WhatsAppWebOptions {
  associations: string[];
  dataDir: string;
  chromium: string;
  /** Admins read the pairing QR at /admin/whatsapp-web/<association>/qr with this bearer token. */
  adminToken?: string;
  watchdogMs?: number;
  /** Makes a client; the default builds whatsapp-web.js's Client with LocalAuth. */
  createClient?: (associationId: string) => Promise<WebClient> | WebClient;
  /** Raised when a session needs a QR scan, or has failed to authenticate. */
  onAlert?: (alert: { type: string; associationId: string; detail: Record<string, unknown> }) => void;
  /** Print the QR in the terminal (on for `tawasul start`). */
  printQr?: boolean;
  /** Pins each session to one gateway (Redis leases, from the runtime); none = this process only. */
  leases?: () => Leases | undefined;
  /** How often a session held by another gateway is tried again (default 30 s). */
  leaseRetryMs?: number;
}

interface Session {
  associationId: string;
  client: WebClient | undefined;
  state: 'starting' | 'qr' | 'authenticated' | 'ready' | 'down' | 'elsewhere';
  qr: string | undefined;
  lease: Lease | undefined;
  /** The gateway running this session instead, when state is 'elsewhere'. */
  heldBy: Holder | undefined;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
  restarting: boolean;
}

let guardInstalled = false;

/**
 * whatsapp-web.js leaves promises rejected inside puppeteer ("Execution context was
 * destroyed", "auth timeout") that nobody awaits; Node would exit on them. Log instead.
 */
export function installRejectionGuard(log: Logger): (reason: unknown) => void {
  const listener = (reason: unknown) => {
    log.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled promise rejection (kept running)');
  };
  if (!guardInstalled) {
    process.on('unhandledRejection', listener);
    guardInstalled = true;
  }
  return listener;
}

export class WhatsAppWebAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp-web';
  /** No lookup of a message by our key: an ambiguous send becomes an "unknown" dead letter and an alert. */
  readonly ambiguousPolicy = 'dead_letter' as const;
  private ctx: ChannelContext | undefined;
  private log: Logger | undefined;
  private readonly sessions = new Map<string, Session>();
  private stopped = false;

  constructor(private readonly opts: WhatsAppWebOptions) {}

  status(): string {
    const states = [...this.sessions.values()].map((s) => `${s.associationId}: ${s.state === 'elsewhere' ? elsewhere(s.heldBy) : s.state}`);
    if (states.length === 0) return 'not started';
    return [...this.sessions.values()].every((s) => s.state === 'ready') ? 'up' : states.join(', ');
  }

  /** State and pending QR of one association's session (for the console). */
  session(associationId: string): { state: string; qr?: string; error?: string } | undefined {
    const s = this.sessions.get(associationId);
    return s && { state: s.state, ...(s.qr ? { qr: s.qr } : {}), ...(s.state === 'elsewhere' ? { error: elsewhere(s.heldBy) } : {}) };
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.log.child({ channel: 'whatsapp-web' });
    installRejectionGuard(this.log);
    for (const associationId of this.opts.associations) {
      const session: Session = { associationId, client: undefined, state: 'starting', qr: undefined, lease: undefined, heldBy: undefined, restarts: 0, timer: undefined, restarting: false };
      this.sessions.set(associationId, session);
      // Not awaited: a session waiting for its QR scan must not hold up the process.
      void this.launch(session);
    }
    this.watch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const s of this.sessions.values()) {
      if (s.timer) clearTimeout(s.timer);
      await s.client?.destroy().catch(() => undefined);
      s.state = 'down';
      // After the client is gone: another gateway may start one as soon as this is released.
      await s.lease?.release();
      s.lease = undefined;
    }
  }

  /**
   * The session's lease: true when this gateway may run the client. Held elsewhere: says who,
   * once per holder, and tries again later.
   */
  private async pinned(session: Session): Promise<boolean> {
    const leases = this.opts.leases?.();
    if (!leases || session.lease) return true;
    const id = session.associationId;
    let got;
    try {
      got = await leases.acquire(`whatsapp-web:${id}`, (why, heldBy) => this.lostLease(session, why, heldBy));
    } catch (err) {
      this.restartLater(session, `could not check which gateway runs this session (redis): ${(err as Error).message}`);
      return false;
    }
    if (this.stopped) {
      if (got.ok) await got.lease.release();
      return false;
    }
    if (got.ok) {
      session.lease = got.lease;
      session.heldBy = undefined;
      return true;
    }
    if (session.state !== 'elsewhere' || session.heldBy?.token !== got.heldBy?.token) {
      this.log!.error(
        { association: id, heldBy: got.heldBy ? describeHolder(got.heldBy) : 'unknown' },
        `whatsapp web: the session of ${id} already runs on another gateway, ${got.heldBy ? describeHolder(got.heldBy) : 'unknown'}; not starting it here (one gateway per association: stop the other, or leave this association out of WHATSAPP_WEB_ASSOCIATIONS here)`,
      );
      this.opts.onAlert?.({ type: 'whatsapp_session_elsewhere', associationId: id, detail: { heldBy: got.heldBy ?? null } });
    }
    session.state = 'elsewhere';
    session.heldBy = got.heldBy;
    session.timer = setTimeout(() => void this.launch(session), this.opts.leaseRetryMs ?? 30_000);
    session.timer.unref?.();
    return false;
  }

  /** Lost the lease while running (Redis away longer than its lifetime, or taken): stop the client at once. */
  private lostLease(session: Session, why: string, heldBy?: Holder) {
    session.lease = undefined;
    const old = session.client;
    session.client = undefined;
    void old?.destroy().catch(() => undefined);
    if (this.stopped) return;
    session.state = heldBy ? 'elsewhere' : 'down';
    session.heldBy = heldBy;
    this.log?.error({ association: session.associationId, why }, 'whatsapp web: this gateway no longer holds the session; client stopped');
    if (session.timer) clearTimeout(session.timer);
    session.restarting = false;
    session.timer = setTimeout(() => void this.launch(session), this.opts.leaseRetryMs ?? 30_000);
    session.timer.unref?.();
  }

  private async makeClient(associationId: string): Promise<WebClient> {
    if (this.opts.createClient) return this.opts.createClient(associationId);
    const { default: wweb } = await import('whatsapp-web.js');
    return new wweb.Client({
      authStrategy: new wweb.LocalAuth({ clientId: associationId, dataPath: join(this.opts.dataDir, 'whatsapp-web') }),
      puppeteer: {
        executablePath: this.opts.chromium,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      },
    }) as unknown as WebClient;
  }

  private async launch(session: Session) {
    if (this.stopped) return;
    if (!(await this.pinned(session))) return;
    session.state = 'starting';
    let client: WebClient;
    try {
      client = await this.makeClient(session.associationId);
    } catch (err) {
      return this.restartLater(session, `could not create the client: ${(err as Error).message}`);
    }
    session.client = client;
    const id = session.associationId;
    client.on('qr', (qr: string) => {
      session.state = 'qr';
      session.qr = qr;
      this.log!.warn({ association: id }, 'whatsapp web: scan the QR code to link this association\'s phone');
      this.opts.onAlert?.({ type: 'whatsapp_qr_needed', associationId: id, detail: {} });
      if (this.opts.printQr) void import('qrcode-terminal').then((m) => m.default.generate(qr, { small: true }));
    });
    client.on('authenticated', () => {
      session.state = 'authenticated';
      session.qr = undefined;
    });
    client.on('auth_failure', (message: string) => {
      session.state = 'down';
      this.opts.onAlert?.({ type: 'whatsapp_auth_failure', associationId: id, detail: { message } });
      this.restartLater(session, `auth failure: ${message}`);
    });
    client.on('ready', () => {
      session.state = 'ready';
      session.restarts = 0;
      this.log!.info({ association: id }, 'whatsapp web session ready');
    });
    client.on('disconnected', (reason: string) => this.restartLater(session, `disconnected: ${reason}`));
    client.on('message', (msg: WebMessage) => {
      this.onMessage(id, msg).catch((err) => this.log!.error({ err: (err as Error).message, association: id }, 'whatsapp web: message not taken'));
    });
    try {
      await client.initialize();
    } catch (err) {
      this.restartLater(session, `initialize failed: ${String((err as Error)?.message ?? err)}`);
    }
  }

  /** Destroys the session's client and starts a new one after a backoff. */
  private restartLater(session: Session, why: string) {
    if (this.stopped || session.restarting) return;
    session.restarting = true;
    session.state = 'down';
    const wait = Math.min(300_000, 1000 * 2 ** Math.min(session.restarts++, 8));
    this.log?.warn({ association: session.associationId, why, restartInMs: wait }, 'whatsapp web session down; restarting');
    const old = session.client;
    session.client = undefined;
    void old?.destroy().catch(() => undefined);
    session.timer = setTimeout(() => {
      session.restarting = false;
      void this.launch(session);
    }, wait);
    session.timer.unref?.();
  }

  private watchdog: NodeJS.Timeout | undefined;

  /** Asks each ready session for its state; no answer in time, or not CONNECTED, means restart. */
  private watch() {
    const every = this.opts.watchdogMs ?? 60_000;
    this.watchdog = setInterval(() => {
      for (const s of this.sessions.values()) {
        if (s.state !== 'ready' || !s.client) continue;
        const client = s.client;
        const timeout = new Promise<string>((r) => setTimeout(() => r('TIMEOUT'), Math.min(every, 15_000)));
        void Promise.race([client.getState().then((x) => x ?? 'NULL').catch(() => 'ERROR'), timeout]).then((state) => {
          if (state !== 'CONNECTED' && s.client === client) this.restartLater(s, `watchdog: state ${state}`);
        });
      }
    }, every);
    this.watchdog.unref?.();
  }

  private async onMessage(associationId: string, msg: WebMessage) {
    // Only one-to-one chats with people: no groups, status updates or our own messages.
    if (msg.fromMe || msg.isStatus || !msg.from.endsWith('@c.us')) return;
    const base = { associationId, address: msg.from, messageId: msg.id._serialized, at: new Date((msg.timestamp ?? Date.now() / 1000) * 1000) };
    if (msg.hasMedia) {
      const media = await msg.downloadMedia().catch(() => undefined);
      if (media) {
        return this.ctx!.ingest({ ...base, ...(msg.body ? { text: msg.body } : {}), file: { data: Buffer.from(media.data, 'base64'), mime: media.mimetype, ...(media.filename ? { filename: media.filename } : {}) } });
      }
    }
    return this.ctx!.ingest({ ...base, text: msg.type === 'chat' ? msg.body : '' });
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const s = this.sessions.get(msg.associationId);
    if (!s) throw new SendError(`no WhatsApp web session for ${msg.associationId}`, 'permanent');
    if (s.state === 'elsewhere') throw new SendError(`whatsapp web session of ${msg.associationId} ${elsewhere(s.heldBy)}`, 'retry');
    if (s.state !== 'ready' || !s.client) throw new SendError(`whatsapp web session is ${s.state}`, 'retry');
    try {
      const sent = await s.client.sendMessage(msg.address, renderPlain(msg.text, msg.choices));
      return { providerMessageId: sent.id._serialized };
    } catch (err) {
      this.log?.warn({ err: (err as Error).message, to: maskAddress(msg.address) }, 'whatsapp web send failed');
      // The page may have sent it before failing: ambiguous (this channel cannot look it up).
      throw new SendError((err as Error).message, /invalid wid|not a valid/i.test((err as Error).message) ? 'permanent' : 'ambiguous');
    }
  }

  mountHttp(app: FastifyInstance): void {
    const token = this.opts.adminToken;
    app.get<{ Params: { association: string } }>('/admin/whatsapp-web/:association/qr', async (req, reply) => {
      if (!token || !safeEqual(String(req.headers.authorization ?? ''), `Bearer ${token}`)) return reply.code(401).send({ error: 'unauthorized' });
      const s = this.session(req.params.association);
      if (!s) return reply.code(404).send({ error: 'no whatsapp web session for that association' });
      return reply.header('cache-control', 'no-store').send(s);
    });
  }
}

const elsewhere = (h: Holder | undefined) => `runs on another gateway: ${h ? describeHolder(h) : 'unknown'}`;
