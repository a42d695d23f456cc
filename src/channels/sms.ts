/**
 * SMS, two drivers behind one adapter: a Twilio-compatible provider (inbound webhook and
 * status callbacks signed with X-Twilio-Signature, sending through its REST API at a
 * configurable base URL) and a generic HTTP gateway for Saudi providers, configured by URL,
 * auth header and field names. Choices are numbered lines (SMS has no buttons); Arabic is
 * UCS-2, so segments are counted (70, or 67 when concatenated) and long replies logged.
 *
 * After an ambiguous Twilio send (timeout, reset, 5xx after the request may have arrived),
 * `wasSent` lists the messages to that number from ours (the Messages list resource) and
 * looks for our text created since the attempt; each StatusCallback URL carries our key, so
 * Twilio's status callbacks also mark a reply sent whose answer was lost. The gateway driver
 * cannot tell: its ambiguous sends become "unknown" dead letters.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../server/safe-equal.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { OutboundMessage, PendingOutbound } from '../conversation/service.ts';
import { maskAddress } from '../log.ts';
import { PostedAt } from './posted-at.ts';
import { renderPlain } from './render.ts';
import { classifyHttpStatus, classifyTransportError } from './failure.ts';
import { SendError, type ChannelAdapter, type ChannelContext, type SendResult } from './types.ts';

export interface TwilioOptions {
  kind: 'twilio';
  accountSid: string;
  authToken: string;
  /** e.g. https://api.twilio.com — a local fake in tests. */
  apiBase: string;
  /** The public base URL Twilio calls (signatures cover the full URL). */
  publicUrl: string;
}

export interface GatewayOptions {
  kind: 'gateway';
  /** Where to POST a message. */
  sendUrl: string;
  /** Sent as the Authorization header, e.g. "Bearer abc" or "Basic …". */
  authorization?: string;
  format: 'json' | 'form';
  /** Field names the provider uses. */
  fields: { to: string; from: string; text: string };
  /** Where the provider's reply holds the message id (dot path), if any. */
  idPath?: string;
  /** Shared secret the provider sends with inbound messages (header X-Gateway-Token or ?token=). */
  inboundToken: string;
  inboundFields: { from: string; to: string; text: string; id: string };
}

export interface SmsOptions {
  /** One sender number (or alphanumeric sender) per association, E.164. */
  numbers: Array<{ associationId: string; number: string }>;
  driver: TwilioOptions | GatewayOptions;
  onReceipt?: (providerMessageId: string, status: 'delivered' | 'failed', error?: string) => unknown;
  /** A Twilio status callback naming the reply by our key (in its URL): records the sid and that Twilio has it. Falsy when no reply has the key. */
  onKeyedReceipt?: (id: string, providerMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', error?: string) => unknown;
  /** The stored status of a reply (what keyed status callbacks recorded); throws when the store cannot answer. */
  outboundStatus?: (id: string) => Promise<{ status: string } | undefined>;
}

/** Our clock against Twilio's `date_created` (whole seconds): a match may be this much older than our attempt. */
const CLOCK_SLACK_MS = 5_000;
/** Pages of the Messages list read per lookup before giving up as "cannot tell". */
const LIST_PAGES = 4;

interface TwilioListed {
  sid?: string;
  body?: string;
  direction?: string;
  date_created?: string;
}

/** GSM-7 basic set (plus the escape table's characters counted as two). */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXT = new Set('^{}\\[~]|€');

/** How many SMS segments a text takes: GSM-7 160/153, otherwise UCS-2 70/67 (Arabic). */
export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number; units: number } {
  let gsm = true;
  let septets = 0;
  for (const ch of text) {
    if (GSM7.has(ch)) septets += 1;
    else if (GSM7_EXT.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  // UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Twilio's signature: base64 HMAC-SHA1 over the full URL followed by each POST parameter's name and value, sorted by name. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

const LONG_SMS_SEGMENTS = 4;

export class SmsAdapter implements ChannelAdapter {
  readonly channel = 'sms';
  /**
   * When the lookup cannot tell (the gateway driver; a Twilio reply whose attempt time this
   * process does not know and whose text was sent before; more history than the pages read):
   * an "unknown" dead letter and an alert, never a second copy.
   */
  readonly ambiguousPolicy = 'dead_letter' as const;
  private ctx: ChannelContext | undefined;
  private log: Logger | undefined;
  private state = 'not started';
  private readonly byNumber: Map<string, string>;
  private readonly byAssociation: Map<string, string>;
  /** When this process last posted each reply whose send did not end in an answer (key → ms). */
  private readonly attempts = new PostedAt(86_400_000);

  constructor(private readonly opts: SmsOptions) {
    this.byNumber = new Map(opts.numbers.map((n) => [n.number, n.associationId]));
    this.byAssociation = new Map(opts.numbers.map((n) => [n.associationId, n.number]));
  }

  status(): string {
    return this.state;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.ctx = ctx;
    this.log = ctx.log.child({ channel: 'sms', driver: this.opts.driver.kind });
    this.state = 'up';
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
  }

  mountHttp(root: FastifyInstance): void {
    void root.register(async (app) => {
      // Twilio and most gateways post forms.
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });
      this.routes(app);
    });
  }

  private routes(app: FastifyInstance): void {
    const d = this.opts.driver;
    if (d.kind === 'twilio') {
      app.post('/channels/sms/twilio', async (req, reply) => {
        const params = this.twilioParams(req, d, '/channels/sms/twilio');
        if (!params) return reply.code(403).send({ error: 'bad signature' });
        const associationId = this.byNumber.get(params.To ?? '');
        if (!associationId || !params.From || !params.MessageSid) {
          req.log.warn('sms inbound: unknown number or missing fields');
          return reply.code(400).send({ error: 'malformed' });
        }
        await this.ctx!.ingest({ associationId, address: params.From, messageId: params.MessageSid, text: params.Body ?? '', at: new Date() });
        // Replies go out through the queue, not in this response.
        return reply.code(200).type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
      });
      app.post('/channels/sms/twilio/status', async (req, reply) => {
        // Twilio signs the URL it was given, our key in its query included.
        const url = req.url ?? '';
        const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
        const params = this.twilioParams(req, d, `/channels/sms/twilio/status${query}`);
        if (!params) return reply.code(403).send({ error: 'bad signature' });
        const status = params.MessageStatus ?? '';
        const error = params.ErrorCode ? `error ${params.ErrorCode}` : status;
        const key = String((req.query as Record<string, unknown>).key ?? '');
        const keyed = KEYED_STATUS[status];
        if (key && keyed && params.MessageSid && this.opts.onKeyedReceipt && (await this.opts.onKeyedReceipt(key, params.MessageSid, keyed, keyed === 'failed' ? error : undefined))) {
          return reply.code(204).send();
        }
        if (params.MessageSid && (status === 'delivered' || status === 'undelivered' || status === 'failed')) {
          await this.opts.onReceipt?.(params.MessageSid, status === 'delivered' ? 'delivered' : 'failed', error);
        }
        return reply.code(204).send();
      });
    } else {
      app.post('/channels/sms/gateway', async (req, reply) => {
        const token = String(req.headers['x-gateway-token'] ?? (req.query as Record<string, string>).token ?? '');
        if (!safeEqual(token, d.inboundToken)) {
          req.log.warn({ ip: req.ip }, 'sms gateway inbound: bad or missing token');
          return reply.code(403).send({ error: 'forbidden' });
        }
        const body = (req.body ?? {}) as Record<string, unknown>;
        const get = (k: string) => (typeof body[k] === 'string' || typeof body[k] === 'number' ? String(body[k]) : undefined);
        const from = get(d.inboundFields.from);
        const to = get(d.inboundFields.to);
        const id = get(d.inboundFields.id);
        const associationId = this.byNumber.get(to ?? '');
        if (!from || !id || !associationId) {
          req.log.warn('sms gateway inbound: unknown number or missing fields');
          return reply.code(400).send({ error: 'malformed' });
        }
        await this.ctx!.ingest({ associationId, address: from, messageId: id, text: get(d.inboundFields.text) ?? '', at: new Date() });
        return reply.code(200).send({ ok: true });
      });
    }
  }

  private twilioParams(req: FastifyRequest, d: TwilioOptions, path: string): Record<string, string> | undefined {
    const params = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const url = `${d.publicUrl.replace(/\/$/, '')}${path}`;
    const given = String(req.headers['x-twilio-signature'] ?? '');
    if (!given || !safeEqual(given, twilioSignature(d.authToken, url, params))) {
      req.log.warn({ ip: req.ip, signed: given !== '' }, 'sms inbound: bad or missing X-Twilio-Signature');
      return undefined;
    }
    return params;
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const from = this.byAssociation.get(msg.associationId);
    if (!from) throw new SendError(`no SMS number for ${msg.associationId}`, 'permanent');
    const text = renderPlain(msg.text, msg.choices);
    const { segments, encoding } = smsSegments(text);
    if (segments > LONG_SMS_SEGMENTS) this.log?.info({ segments, encoding, association: msg.associationId }, 'long SMS reply');
    const d = this.opts.driver;
    let res: Response;
    try {
      if (d.kind === 'twilio') {
        const statusCallback = `${d.publicUrl.replace(/\/$/, '')}/channels/sms/twilio/status?key=${encodeURIComponent(msg.id)}`;
        const form = new URLSearchParams({ To: msg.address, From: from, Body: text, StatusCallback: statusCallback });
        this.attempts.note(msg.id);
        res = await fetch(`${d.apiBase.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(d.accountSid)}/Messages.json`, {
          method: 'POST',
          headers: { authorization: basicAuth(d), 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: AbortSignal.timeout(30_000),
        });
      } else {
        const fields = { [d.fields.to]: msg.address, [d.fields.from]: from, [d.fields.text]: text };
        res = await fetch(d.sendUrl, {
          method: 'POST',
          headers: {
            ...(d.authorization ? { authorization: d.authorization } : {}),
            'content-type': d.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
          },
          body: d.format === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
          signal: AbortSignal.timeout(30_000),
        });
      }
    } catch (err) {
      throw classifyTransportError(err, 'sms provider');
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok) {
      this.attempts.forget(msg.id);
      const id = d.kind === 'twilio' ? body.sid : d.idPath ? d.idPath.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], body) : undefined;
      return { providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
    }
    const detail = `sms provider HTTP ${res.status}${body.code ? ` (${String(body.code)})` : ''}: ${String(body.message ?? '')}`;
    this.log?.warn({ status: res.status, code: body.code, to: maskAddress(msg.address) }, 'sms provider refused a send');
    throw classifyHttpStatus(res.status, detail, { retryAfter: res.headers.get('retry-after') });
  }

  /**
   * After an ambiguous send through Twilio: the messages to this number from ours, newest
   * first, searched for our text created since the attempt (found: Twilio has it; the list
   * read to before the attempt without it: it does not, send again). A list Twilio does not
   * answer throws (asked again later). No filter on DateSent: a message Twilio still queues
   * has none yet. The gateway driver, or no stored reply to match, cannot tell.
   */
  async wasSent(id: string, msg?: PendingOutbound): Promise<boolean | undefined> {
    const d = this.opts.driver;
    if (d.kind !== 'twilio' || !msg) return undefined;
    if (this.opts.outboundStatus) {
      const row = await this.opts.outboundStatus(id);
      if (row && row.status !== 'sending') throw new Error(`sms: reply ${id} is ${row.status} now (a status callback settled it); asking again`);
    }
    const from = this.byAssociation.get(msg.associationId);
    if (!from) return undefined;
    const text = renderPlain(msg.text, msg.choices);
    const attemptAt = this.attempts.get(id);
    const since = attemptAt === undefined ? undefined : attemptAt - CLOCK_SLACK_MS;
    const root = d.apiBase.replace(/\/$/, '');
    let next: string | null = `/2010-04-01/Accounts/${encodeURIComponent(d.accountSid)}/Messages.json?${new URLSearchParams({ To: msg.address, From: from, PageSize: '50' })}`;
    let foundBefore = false;
    for (let page = 0; next && page < LIST_PAGES; page++) {
      let res: Response;
      try {
        res = await fetch(`${root}${next}`, { headers: { authorization: basicAuth(d) }, signal: AbortSignal.timeout(15_000) });
      } catch (err) {
        throw new Error(`sms message list: ${(err as Error).message}`);
      }
      if (!res.ok) throw new Error(`sms message list: HTTP ${res.status}`);
      const list = (await res.json()) as { messages?: TwilioListed[]; next_page_uri?: string | null };
      if (!Array.isArray(list.messages)) throw new Error('sms message list: no messages array in the answer');
      let older = false;
      for (const m of list.messages) {
        const created = Date.parse(m.date_created ?? '');
        const ours = String(m.direction ?? '').startsWith('outbound') && m.body === text;
        if (since !== undefined && Number.isFinite(created) && created < since) {
          older = true;
          continue;
        }
        if (!ours) continue;
        if (since !== undefined) {
          this.attempts.forget(id);
          return true;
        }
        foundBefore = true; // our text, but from when? This attempt or an earlier reply with the same words.
      }
      next = list.next_page_uri ?? null;
      // Newest first: a page reaching back before the attempt ends the search.
      if (older) next = null;
      if (!next) {
        if (foundBefore) return undefined;
        this.attempts.forget(id);
        return false;
      }
    }
    this.log?.warn({ to: maskAddress(msg.address), pages: LIST_PAGES }, 'sms lookup: our reply not within the pages read');
    return undefined;
  }
}

/** Twilio's status, as a keyed receipt: it has the message from "accepted" on. */
const KEYED_STATUS: Record<string, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = {
  accepted: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
};

function basicAuth(d: TwilioOptions): string {
  return `Basic ${Buffer.from(`${d.accountSid}:${d.authToken}`).toString('base64')}`;
}

