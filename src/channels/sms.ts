/**
 * SMS, two drivers behind one adapter: a Twilio-compatible provider (inbound webhook and
 * status callbacks signed with X-Twilio-Signature, sending through its REST API at a
 * configurable base URL) and a generic HTTP gateway for Saudi providers, configured by URL,
 * auth header and field names. Choices are numbered lines (SMS has no buttons); Arabic is
 * UCS-2, so segments are counted (70, or 67 when concatenated) and long replies logged.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../server/safe-equal.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { OutboundMessage } from '../conversation/service.ts';
import { maskAddress } from '../log.ts';
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
  /** No lookup of a message by our key: an ambiguous send becomes an "unknown" dead letter and an alert. */
  readonly ambiguousPolicy = 'dead_letter' as const;
  private ctx: ChannelContext | undefined;
  private log: Logger | undefined;
  private state = 'not started';
  private readonly byNumber: Map<string, string>;
  private readonly byAssociation: Map<string, string>;

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
        const params = this.twilioParams(req, d, '/channels/sms/twilio/status');
        if (!params) return reply.code(403).send({ error: 'bad signature' });
        const status = params.MessageStatus;
        if (params.MessageSid && (status === 'delivered' || status === 'undelivered' || status === 'failed')) {
          await this.opts.onReceipt?.(params.MessageSid, status === 'delivered' ? 'delivered' : 'failed', params.ErrorCode ? `error ${params.ErrorCode}` : status);
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
        const form = new URLSearchParams({ To: msg.address, From: from, Body: text, StatusCallback: `${d.publicUrl.replace(/\/$/, '')}/channels/sms/twilio/status` });
        res = await fetch(`${d.apiBase.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(d.accountSid)}/Messages.json`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${d.accountSid}:${d.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
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
      const id = d.kind === 'twilio' ? body.sid : d.idPath ? d.idPath.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], body) : undefined;
      return { providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
    }
    const detail = `sms provider HTTP ${res.status}${body.code ? ` (${String(body.code)})` : ''}: ${String(body.message ?? '')}`;
    this.log?.warn({ status: res.status, code: body.code, to: maskAddress(msg.address) }, 'sms provider refused a send');
    throw classifyHttpStatus(res.status, detail, { retryAfter: res.headers.get('retry-after') });
  }
}

