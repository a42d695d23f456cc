/**
 * WhatsApp Cloud API (official): the webhook's GET verification handshake, POSTs signed
 * with X-Hub-Signature-256 over the raw body (anything else: 401, nothing stored), messages
 * and delivery receipts; sends through the Graph API with reply buttons (≤3 choices) or a
 * list (≤10), and outside the 24-hour customer-service window sends decisions and surveys
 * as approved templates (other replies cannot go then and are dead-lettered with the reason).
 *
 * Every reply carries our idempotency key as `biz_opaque_callback_data`, which Meta echoes in
 * each status webhook (sent, delivered, read, failed) with the wamid: a status naming our key
 * is recorded on the reply (`onKeyedReceipt`), so an ambiguous send whose answer was lost is
 * known to be sent once its first status arrives. `wasSent` reads what those webhooks recorded.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../server/safe-equal.ts';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OutboundMessage } from '../conversation/service.ts';
import { maskAddress } from '../log.ts';
import { PostedAt } from './posted-at.ts';
import { afterPartSent, asSendError, classifyHttpStatus, classifyTransportError } from './failure.ts';
import { SendError, type ChannelAdapter, type ChannelContext, type InboundEvent, type SendResult } from './types.ts';
import { splitText } from './telegram.ts';

export interface WhatsAppCloudOptions {
  /** One business phone number per association (the Graph API's phone_number_id). */
  numbers: Array<{ associationId: string; phoneNumberId: string }>;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  /** e.g. https://graph.facebook.com/v21.0 */
  apiBase: string;
  /** Approved template names (with one body parameter each, see README) and their language code. */
  templates: { decision?: string; survey?: string; language: string };
  /** Receipts update message status (delivered, read, failed). */
  onReceipt?: (providerMessageId: string, status: 'delivered' | 'read' | 'failed', error?: string) => unknown;
  /**
   * A status webhook naming the reply by our key (its `biz_opaque_callback_data`): records the
   * wamid and that Meta has it. Falsy when no reply has that key (the status is then taken as
   * an ordinary receipt by wamid).
   */
  onKeyedReceipt?: (id: string, providerMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', error?: string) => unknown;
  /** The stored status of a reply, to read what keyed receipts recorded (throws when the store cannot answer). */
  outboundStatus?: (id: string) => Promise<{ status: string } | undefined>;
  /**
   * How long after a send attempt its status webhook may still come (WHATSAPP_RECEIPT_WAIT_MS,
   * 120 s): until then an ambiguous send is asked about again; after it, "cannot tell".
   */
  receiptWaitMs?: number;
}

const WINDOW_MS = 24 * 3_600_000;
const MAX_DOWNLOAD = 16 * 1024 * 1024;

export class WhatsAppCloudAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp';
  /**
   * When no status webhook with our key came within `receiptWaitMs` of the send (Meta never
   * got it, or its webhooks are not reaching us): an "unknown" dead letter and an alert, never
   * a second copy. A status that arrives later still marks it sent.
   */
  readonly ambiguousPolicy = 'dead_letter' as const;
  private ctx: ChannelContext | undefined;
  private log: Logger | undefined;
  private state = 'not started';
  private readonly byNumber: Map<string, string>;
  private readonly byAssociation: Map<string, string>;
  /** When this process last posted each reply whose send did not end in an answer (key → ms). */
  private readonly attempts: PostedAt;
  /** A reply posted by another process or before a restart counts its wait from here. */
  private readonly since = Date.now();
  private readonly receiptWaitMs: number;

  constructor(private readonly opts: WhatsAppCloudOptions) {
    this.byNumber = new Map(opts.numbers.map((n) => [n.phoneNumberId, n.associationId]));
    this.byAssociation = new Map(opts.numbers.map((n) => [n.associationId, n.phoneNumberId]));
    this.receiptWaitMs = opts.receiptWaitMs ?? 120_000;
    this.attempts = new PostedAt(2 * this.receiptWaitMs);
  }

  status(): string {
    return this.state;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.log.child({ channel: 'whatsapp' });
    this.state = 'up';
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
  }

  mountHttp(app: FastifyInstance): void {
    void app.register(async (scope) => {
      // The signature covers the exact bytes: keep them, parse afterwards.
      // Whatever the declared type (a proxy may rewrite it to text/plain): the signature decides.
      scope.addContentTypeParser(['application/json', 'text/plain', '*'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

      scope.get('/channels/whatsapp', async (req, reply) => {
        const q = req.query as Record<string, string | undefined>;
        if (q['hub.mode'] === 'subscribe' && q['hub.verify_token'] && safeEqual(q['hub.verify_token'], this.opts.verifyToken)) {
          return reply.code(200).type('text/plain').send(q['hub.challenge'] ?? '');
        }
        req.log.warn('whatsapp webhook verification refused');
        return reply.code(403).send({ error: 'forbidden' });
      });

      scope.post('/channels/whatsapp', async (req, reply) => {
        const raw = req.body as Buffer | undefined;
        const signature = String(req.headers['x-hub-signature-256'] ?? '');
        if (!Buffer.isBuffer(raw) || !this.verify(raw, signature)) {
          req.log.warn({ ip: req.ip, signed: signature !== '' }, 'whatsapp webhook: bad or missing signature');
          return reply.code(401).send({ error: 'bad signature' });
        }
        let payload: WebhookPayload;
        try {
          payload = JSON.parse(raw.toString('utf8')) as WebhookPayload;
        } catch {
          req.log.warn('whatsapp webhook: body is not JSON');
          return reply.code(400).send({ error: 'malformed' });
        }
        if (payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) {
          req.log.warn({ object: payload.object }, 'whatsapp webhook: not a WhatsApp business payload');
          return reply.code(400).send({ error: 'malformed' });
        }
        await this.handle(payload);
        return reply.code(200).send({ ok: true });
      });
    });
  }

  private verify(raw: Buffer, header: string): boolean {
    if (!header.startsWith('sha256=')) return false;
    const expected = createHmac('sha256', this.opts.appSecret).update(raw).digest('hex');
    return safeEqual(header.slice(7), expected);
  }

  private async handle(payload: WebhookPayload) {
    for (const entry of payload.entry ?? []) {
      for (const change of entry.changes ?? []) {
        const value = change.value ?? {};
        const associationId = this.byNumber.get(String(value.metadata?.phone_number_id ?? ''));
        if (!associationId) {
          this.log?.warn({ phoneNumberId: value.metadata?.phone_number_id }, 'whatsapp webhook for a number no association uses');
          continue;
        }
        const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
        for (const m of value.messages ?? []) await this.onMessage(associationId, m, names.get(m.from));
        for (const s of value.statuses ?? []) {
          if (s.status !== 'sent' && s.status !== 'delivered' && s.status !== 'read' && s.status !== 'failed') continue;
          const error = s.errors?.[0]?.title;
          const key = typeof s.biz_opaque_callback_data === 'string' ? s.biz_opaque_callback_data : '';
          if (key && this.opts.onKeyedReceipt && (await this.opts.onKeyedReceipt(key, s.id, s.status, error))) continue;
          if (s.status !== 'sent') await this.opts.onReceipt?.(s.id, s.status, error);
        }
      }
    }
  }

  private async onMessage(associationId: string, m: WaMessage, name: string | undefined) {
    const base: Omit<InboundEvent, 'text'> = {
      associationId,
      address: m.from,
      messageId: m.id,
      ...(name ? { displayName: name } : {}),
      at: new Date(Number(m.timestamp) * 1000 || Date.now()),
    };
    switch (m.type) {
      case 'text':
        return this.ctx!.ingest({ ...base, text: m.text?.body ?? '' });
      case 'interactive': {
        const id = m.interactive?.button_reply?.id ?? m.interactive?.list_reply?.id;
        return this.ctx!.ingest({ ...base, text: '', ...(id ? { choiceId: id } : {}) });
      }
      case 'button':
        return this.ctx!.ingest({ ...base, text: m.button?.text ?? '' });
      case 'image':
      case 'document':
      case 'audio':
      case 'video': {
        const media = m[m.type];
        if (!media?.id) return this.ctx!.ingest({ ...base, text: '' });
        const file = await this.download(media.id);
        return this.ctx!.ingest({ ...base, ...(media.caption ? { text: media.caption } : {}), file: { data: file.data, mime: media.mime_type ?? file.mime, ...(media.filename ? { filename: media.filename } : {}) } });
      }
      case 'reaction':
      case 'unsupported':
      case 'system':
      case 'ephemeral':
      case 'request_welcome':
        // Not something a person said: ignored.
        return;
      default:
        // Stickers, locations, contacts…: an empty message, answered politely by the bot.
        return this.ctx!.ingest({ ...base, text: '' });
    }
  }

  private async download(mediaId: string): Promise<{ data: Buffer; mime: string }> {
    const auth = { authorization: `Bearer ${this.opts.accessToken}` };
    const meta = await fetch(`${this.opts.apiBase}/${encodeURIComponent(mediaId)}`, { headers: auth, signal: AbortSignal.timeout(30_000) });
    if (!meta.ok) throw new Error(`whatsapp media lookup: HTTP ${meta.status}`);
    const info = (await meta.json()) as { url: string; mime_type?: string; file_size?: number };
    if ((info.file_size ?? 0) > MAX_DOWNLOAD) return { data: Buffer.alloc(0), mime: info.mime_type ?? 'application/octet-stream' };
    const res = await fetch(info.url, { headers: auth, signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`whatsapp media download: HTTP ${res.status}`);
    return { data: Buffer.from(await res.arrayBuffer()), mime: info.mime_type ?? 'application/octet-stream' };
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const phoneNumberId = this.byAssociation.get(msg.associationId);
    if (!phoneNumberId) throw new SendError(`no WhatsApp number for ${msg.associationId}`, 'permanent');
    const open = msg.lastInboundAt !== undefined && Date.now() - Date.parse(msg.lastInboundAt) < WINDOW_MS;
    const bodies: unknown[] = [];
    if (!open) {
      const name = msg.template ? this.opts.templates[msg.template.kind] : undefined;
      if (!msg.template || !name) {
        throw new SendError(
          msg.template ? `no approved template configured for ${msg.template.kind} messages` : 'outside the 24-hour window: only templates may be sent',
          'permanent',
        );
      }
      bodies.push({
        type: 'template',
        template: { name, language: { code: this.opts.templates.language }, components: [{ type: 'body', parameters: msg.template.params.map((text) => ({ type: 'text', text })) }] },
      });
    } else {
      bodies.push(...this.bodies(msg));
    }
    let last: string | null = null;
    for (const [i, body] of bodies.entries()) {
      // The last part carries our key: its status webhooks say the whole reply went out
      // (earlier parts were each answered before the next was posted).
      const keyed = i === bodies.length - 1;
      if (keyed) this.attempts.note(msg.id);
      try {
        last = await this.post(
          phoneNumberId,
          { messaging_product: 'whatsapp', recipient_type: 'individual', to: msg.address, ...(body as object), ...(keyed ? { biz_opaque_callback_data: msg.id } : {}) },
          msg.address,
        );
      } catch (err) {
        throw afterPartSent(asSendError(err), i, bodies.length);
      }
    }
    this.attempts.forget(msg.id);
    return { providerMessageId: last };
  }

  /**
   * After an ambiguous send: what the status webhooks recorded. A reply still "sending" has
   * had no status with our key; within `receiptWaitMs` of its post this throws (the pipeline
   * asks again with backoff), after it the answer is "cannot tell" (undefined). A reply that
   * moved on meanwhile (a status arrived between the pipeline's read and this one) throws
   * too: the next attempt finds it settled, and its wamid and status stay as recorded.
   */
  async wasSent(id: string): Promise<boolean | undefined> {
    if (!this.opts.outboundStatus) return undefined;
    const row = await this.opts.outboundStatus(id);
    if (!row) return undefined;
    if (row.status !== 'sending') throw new Error(`whatsapp: reply ${id} is ${row.status} now (a status webhook settled it); asking again`);
    const waited = Date.now() - (this.attempts.get(id) ?? this.since);
    if (waited < this.receiptWaitMs) throw new Error(`whatsapp: no status webhook for reply ${id} yet (${Math.round(waited / 1000)} s of ${Math.round(this.receiptWaitMs / 1000)} s); asking again`);
    this.attempts.forget(id);
    return undefined;
  }

  /** Text, reply buttons (≤3 choices) or a list (≤10); longer choice sets as numbered text. */
  private bodies(msg: OutboundMessage): unknown[] {
    const choices = msg.choices ?? [];
    if (choices.length === 0 || choices.length > 10) {
      const text = choices.length ? `${msg.text}\n\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}` : msg.text;
      return splitText(text, 4096).map((body) => ({ type: 'text', text: { body, preview_url: false } }));
    }
    const parts = splitText(msg.text, 1024);
    const lead = parts.slice(0, -1).map((body) => ({ type: 'text', text: { body, preview_url: false } }));
    const body = { text: parts.at(-1)! };
    if (choices.length <= 3) {
      return [...lead, { type: 'interactive', interactive: { type: 'button', body, action: { buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.id, title: clip(c.label, 20) } })) } } }];
    }
    const button = msg.lang === 'ar' ? 'اختر' : 'Choose';
    return [
      ...lead,
      { type: 'interactive', interactive: { type: 'list', body, action: { button, sections: [{ title: clip(button, 24), rows: choices.map((c) => ({ id: c.id, title: clip(c.label, 24), ...(c.label.length > 24 ? { description: clip(c.label, 72) } : {}) })) }] } } },
    ];
  }

  private async post(phoneNumberId: string, body: unknown, to: string): Promise<string | null> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.apiBase}/${encodeURIComponent(phoneNumberId)}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw classifyTransportError(err, 'graph api');
    }
    const json = (await res.json().catch(() => ({}))) as { messages?: Array<{ id: string }>; error?: { code?: number; message?: string } };
    if (res.ok) return json.messages?.[0]?.id ?? null;
    const code = json.error?.code;
    const message = `graph api ${res.status}${code ? ` (${code})` : ''}: ${json.error?.message ?? 'error'}`;
    this.log?.warn({ status: res.status, code, to: maskAddress(to) }, 'whatsapp refused a send');
    // 130429 throughput, 131056 pair rate, 80007 account rate, 4 app rate: slow down.
    const rateLimited = code === 130429 || code === 131056 || code === 80007 || code === 4;
    throw classifyHttpStatus(res.status, message, { retryAfter: res.headers.get('retry-after') ?? (rateLimited ? 2 : null), rateLimited });
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}


interface WaMedia {
  id?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
}

interface WaMessage {
  id: string;
  from: string;
  timestamp?: string;
  type: string;
  text?: { body?: string };
  interactive?: { button_reply?: { id: string }; list_reply?: { id: string } };
  button?: { text?: string };
  image?: WaMedia;
  document?: WaMedia;
  audio?: WaMedia;
  video?: WaMedia;
}

interface WebhookPayload {
  object?: string;
  entry?: Array<{
    changes?: Array<{
      value?: {
        metadata?: { phone_number_id?: string };
        contacts?: Array<{ wa_id: string; profile?: { name?: string } }>;
        messages?: WaMessage[];
        statuses?: Array<{ id: string; status: string; recipient_id?: string; biz_opaque_callback_data?: unknown; errors?: Array<{ title?: string }> }>;
      };
    }>;
  }>;
}
