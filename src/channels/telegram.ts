/**
 * Telegram, through telegraf: long polling by default, or a webhook whose secret_token
 * header is checked; one bot per association; buttons as inline keyboards (callback queries
 * answered); photos and documents downloaded via getFile; /start greets; a 429's retry_after
 * pauses the channel. TELEGRAM_API_ROOT points it at a self-hosted Bot API server.
 */
import { safeEqual } from '../server/safe-equal.ts';
import { Telegraf, TelegramError, type Context } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OutboundMessage } from '../conversation/service.ts';
import { maskAddress } from '../log.ts';
import { afterPartSent, classifyHttpStatus, classifyTransportError } from './failure.ts';
import { SendError, type ChannelAdapter, type ChannelContext, type InboundEvent, type SendResult } from './types.ts';

export interface TelegramOptions {
  bots: Array<{ associationId: string; token: string }>;
  apiRoot?: string;
  /** Webhook mode: the public base URL (https://…) and the secret Telegram echoes in a header. */
  webhook?: { publicUrl: string; secret: string };
}

const MAX_TEXT = 4096;
const MAX_DOWNLOAD = 20 * 1024 * 1024; // the Bot API's own getFile limit

export class TelegramAdapter implements ChannelAdapter {
  readonly channel = 'telegram';
  /** No lookup of a message by our key: an ambiguous send becomes an "unknown" dead letter and an alert. */
  readonly ambiguousPolicy = 'dead_letter' as const;
  private readonly bots = new Map<string, Telegraf>();
  private state = 'not started';
  private log: Logger | undefined;

  constructor(private readonly opts: TelegramOptions) {}

  status(): string {
    return this.state;
  }

  async start(ctx: ChannelContext): Promise<void> {
    this.log = ctx.log.child({ channel: 'telegram' });
    for (const { associationId, token } of this.opts.bots) {
      const bot = new Telegraf(token, { telegram: { ...(this.opts.apiRoot ? { apiRoot: this.opts.apiRoot } : {}), webhookReply: false }, handlerTimeout: 60_000 });
      bot.on('callback_query', (c) => this.onCallback(c, associationId, ctx));
      bot.on('message', (c) => this.onMessage(c, associationId, ctx));
      bot.catch((err) => this.log!.error({ err: (err as Error).message, association: associationId }, 'telegram update failed'));
      this.bots.set(associationId, bot);
      const me = await bot.telegram.getMe();
      bot.botInfo = me;
      if (this.opts.webhook) {
        const url = `${this.opts.webhook.publicUrl.replace(/\/$/, '')}/channels/telegram/${encodeURIComponent(associationId)}`;
        await bot.telegram.setWebhook(url, { secret_token: this.opts.webhook.secret, allowed_updates: ['message', 'callback_query'] });
      } else {
        await bot.telegram.deleteWebhook();
        // Not awaited: launch() resolves only when polling stops.
        void bot
          .launch({ allowedUpdates: ['message', 'callback_query'] })
          .catch((err) => {
            this.state = `down: ${(err as Error).message}`;
            this.log!.error({ err: (err as Error).message, association: associationId }, 'telegram polling stopped');
          });
      }
      this.log.info({ association: associationId, bot: me.username, mode: this.opts.webhook ? 'webhook' : 'polling' }, 'telegram bot ready');
    }
    this.state = 'up';
  }

  async stop(): Promise<void> {
    for (const bot of this.bots.values()) {
      try {
        bot.stop('shutdown');
      } catch {
        // not polling (webhook mode)
      }
    }
    this.state = 'stopped';
  }

  mountHttp(app: FastifyInstance): void {
    if (!this.opts.webhook) return;
    const secret = this.opts.webhook.secret;
    app.post<{ Params: { association: string } }>('/channels/telegram/:association', async (req, reply) => {
      if (!safeEqual(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''), secret)) {
        req.log.warn({ ip: req.ip }, 'telegram webhook: bad or missing secret token');
        return reply.code(403).send({ error: 'forbidden' });
      }
      const bot = this.bots.get(req.params.association);
      if (!bot) return reply.code(404).send({ error: 'unknown association' });
      const update = req.body as Update | undefined;
      if (!update || typeof update !== 'object' || typeof (update as { update_id?: unknown }).update_id !== 'number') {
        req.log.warn('telegram webhook: malformed update');
        return reply.code(400).send({ error: 'malformed update' });
      }
      // Answered after the update is stored: Telegram redelivers what is not acknowledged.
      await bot.handleUpdate(update);
      return reply.code(200).send({ ok: true });
    });
  }

  private base(c: Context, associationId: string): Pick<InboundEvent, 'associationId' | 'address' | 'messageId' | 'displayName' | 'lang' | 'at'> {
    const from = c.from;
    const code = from?.language_code ?? '';
    return {
      associationId,
      address: String(c.chat!.id),
      // update_id is unique per bot and repeated on redelivery: the dedupe key.
      messageId: String(c.update.update_id),
      ...(from?.first_name ? { displayName: from.first_name } : {}),
      ...(code.startsWith('en') ? { lang: 'en' as const } : {}),
      at: new Date(),
    };
  }

  private async onMessage(c: Context, associationId: string, ctx: ChannelContext) {
    const m = c.message as Record<string, any> | undefined;
    if (!m || !c.chat) return;
    if (c.chat.type !== 'private') return; // groups are not beneficiaries
    const base = this.base(c, associationId);
    if (typeof m.text === 'string') {
      const text = /^\/start(\s|$)/.test(m.text) ? 'start' : m.text;
      return ctx.ingest({ ...base, text });
    }
    const file = m.document ?? (Array.isArray(m.photo) ? m.photo[m.photo.length - 1] : undefined) ?? m.voice ?? m.audio ?? m.video;
    if (file?.file_id) {
      const mime: string = m.document?.mime_type ?? (m.photo ? 'image/jpeg' : m.voice ? m.voice.mime_type ?? 'audio/ogg' : (file.mime_type ?? 'application/octet-stream'));
      if (typeof file.file_size === 'number' && file.file_size > MAX_DOWNLOAD) {
        return ctx.ingest({ ...base, text: '', file: { data: Buffer.alloc(0), mime, filename: 'too-large' } });
      }
      const link = await c.telegram.getFileLink(file.file_id);
      const res = await fetch(link, { signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`telegram file download: HTTP ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      return ctx.ingest({ ...base, ...(m.caption ? { text: m.caption } : {}), file: { data, mime, ...(m.document?.file_name ? { filename: m.document.file_name } : {}) } });
    }
    // Stickers, locations, contacts…: passed on as an empty message, which the bot answers politely.
    return ctx.ingest({ ...base, text: '' });
  }

  private async onCallback(c: Context, associationId: string, ctx: ChannelContext) {
    const q = c.callbackQuery as Record<string, any> | undefined;
    if (!q || !c.chat) return;
    await ctx.ingest({ ...this.base(c, associationId), choiceId: String(q.data ?? ''), text: '' });
    await c.answerCbQuery().catch((err) => this.log?.warn({ err: (err as Error).message }, 'answerCallbackQuery failed'));
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const bot = this.bots.get(msg.associationId);
    if (!bot) throw new SendError(`no telegram bot for ${msg.associationId}`, 'permanent');
    const chunks = splitText(msg.text, MAX_TEXT);
    let last: number | undefined;
    let partsSent = 0;
    try {
      for (const [i, chunk] of chunks.entries()) {
        const isLast = i === chunks.length - 1;
        const keyboard = isLast && msg.choices?.length ? { reply_markup: { inline_keyboard: msg.choices.map((c) => [{ text: c.label.slice(0, 64), callback_data: c.id.slice(0, 64) }]) } } : {};
        const sent = await bot.telegram.sendMessage(msg.address, chunk, keyboard);
        last = sent.message_id;
        partsSent++;
      }
    } catch (err) {
      throw afterPartSent(classify(err, this.log, msg.address), partsSent, chunks.length);
    }
    return { providerMessageId: last !== undefined ? String(last) : null };
  }
}

function classify(err: unknown, log: Logger | undefined, address: string): SendError {
  if (err instanceof TelegramError) {
    log?.warn({ code: err.code, description: err.description, to: maskAddress(address) }, 'telegram refused a send');
    // 400 chat not found, 403 blocked by the user: permanent; 5xx: the Bot API may have sent it.
    return classifyHttpStatus(err.code, err.description, { retryAfter: err.parameters?.retry_after ?? null });
  }
  return classifyTransportError(err, 'telegram');
}

/** Splits at paragraph or line breaks so each part fits the platform's limit. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}
