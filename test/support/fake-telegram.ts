/**
 * A local Bot API server speaking Telegram's documented JSON (https://core.telegram.org/bots/api):
 * getMe, getUpdates (long polling with offsets), sendMessage, answerCallbackQuery, getFile
 * and file downloads, setWebhook, deleteWebhook, getWebhookInfo. Tests push updates as a
 * user would produce them and read what the bot sent. It can fail the next call of a method
 * with any Bot API error (429 with retry_after, 403 blocked…).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

interface Sent {
  chatId: string;
  text: string;
  keyboard: Array<{ text: string; callback_data: string }>;
  messageId: number;
  at: number;
}

type Update = Record<string, unknown> & { update_id: number };

export class FakeTelegram {
  readonly token = '123456:TEST-token_abc';
  readonly sent: Sent[] = [];
  readonly calls: Array<{ method: string; body: Record<string, unknown> }> = [];
  readonly answeredCallbacks: string[] = [];
  webhook: { url: string; secret?: string } | undefined;
  private updates: Update[] = [];
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private files = new Map<string, { data: Buffer; path: string }>();
  private failures = new Map<string, Array<{ error_code: number; description: string; parameters?: Record<string, unknown> }>>();
  private waiters: Array<() => void> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req).then(
      ({ status, body, raw }) => {
        if (raw) res.writeHead(status, { 'content-type': 'application/octet-stream' }).end(raw);
        else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
      (err) => res.writeHead(500).end(String(err)),
    ));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  failNext(method: string, error: { error_code: number; description: string; parameters?: Record<string, unknown> }) {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  private user(chatId: number, lang = 'ar') {
    return { id: chatId, is_bot: false, first_name: 'مستخدم', language_code: lang };
  }

  /** A private-chat text message from the user; returns the update (to redeliver it). */
  pushText(chatId: number, text: string, lang = 'ar'): Update {
    return this.push({ message: { message_id: this.nextMessageId++, date: now(), chat: { id: chatId, type: 'private' }, from: this.user(chatId, lang), text } });
  }

  /** The user pressing an inline button. */
  pushCallback(chatId: number, data: string): Update {
    return this.push({
      callback_query: {
        id: `cb${this.nextUpdateId}`,
        from: this.user(chatId),
        chat_instance: 'ci',
        data,
        message: { message_id: this.nextMessageId++, date: now(), chat: { id: chatId, type: 'private' }, text: '…' },
      },
    });
  }

  pushDocument(chatId: number, data: Buffer, mime: string, fileName: string): Update {
    const fileId = `f${this.files.size + 1}`;
    this.files.set(fileId, { data, path: `documents/${fileId}-${fileName}` });
    return this.push({
      message: {
        message_id: this.nextMessageId++,
        date: now(),
        chat: { id: chatId, type: 'private' },
        from: this.user(chatId),
        document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: fileName, mime_type: mime, file_size: data.length },
      },
    });
  }

  /** A photo (Telegram sends the sizes it made, largest last, with no file name or type: JPEG). */
  pushPhoto(chatId: number, data: Buffer, caption?: string): Update {
    const fileId = `f${this.files.size + 1}`;
    this.files.set(fileId, { data, path: `photos/${fileId}.jpg` });
    return this.push({
      message: {
        message_id: this.nextMessageId++,
        date: now(),
        chat: { id: chatId, type: 'private' },
        from: this.user(chatId),
        photo: [
          { file_id: `${fileId}-small`, file_unique_id: `u${fileId}s`, width: 90, height: 60, file_size: 1 },
          { file_id: fileId, file_unique_id: `u${fileId}`, width: 1280, height: 853, file_size: data.length },
        ],
        ...(caption ? { caption } : {}),
      },
    });
  }

  /** The same update again, as Telegram does when it was not acknowledged. */
  redeliver(update: Update) {
    this.updates.push(update);
    for (const w of this.waiters.splice(0)) w();
  }

  private push(body: Record<string, unknown>): Update {
    const update = { update_id: this.nextUpdateId++, ...body };
    this.updates.push(update);
    for (const w of this.waiters.splice(0)) w();
    return update;
  }

  to(chatId: number): Sent[] {
    return this.sent.filter((s) => s.chatId === String(chatId));
  }

  /** Resolves once `n` messages have been sent to the chat. */
  async waitFor(chatId: number, n: number, ms = 15_000): Promise<Sent[]> {
    const deadline = Date.now() + ms;
    while (this.to(chatId).length < n) {
      if (Date.now() > deadline) throw new Error(`chat ${chatId}: expected ${n} messages, got ${this.to(chatId).length}: ${JSON.stringify(this.to(chatId).map((s) => s.text.slice(0, 40)))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.to(chatId);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body?: unknown; raw?: Buffer }> {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      if (file[1] !== this.token) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
      const found = [...this.files.values()].find((f) => f.path === decodeURIComponent(file[2]!));
      return found ? { status: 200, raw: found.data } : { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    if (m[1] !== this.token) return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const method = m[2]!;
    const body = await readBody(req, url);
    this.calls.push({ method, body });
    const failure = this.failures.get(method)?.shift();
    if (failure) return { status: failure.error_code, body: { ok: false, ...failure } };
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    switch (method) {
      case 'getMe':
        return ok({ id: 42, is_bot: true, first_name: 'Tawasul', username: 'tawasul_test_bot', can_join_groups: false });
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok(true);
      case 'setWebhook':
        this.webhook = { url: String(body.url), ...(body.secret_token ? { secret: String(body.secret_token) } : {}) };
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.updates.length });
      case 'getUpdates': {
        if (this.webhook) return { status: 409, body: { ok: false, error_code: 409, description: 'Conflict: can\'t use getUpdates method while webhook is active' } };
        const offset = Number(body.offset ?? 0);
        this.updates = this.updates.filter((u) => u.update_id >= offset || u.update_id < 1000);
        const ready = () => this.updates.filter((u) => u.update_id >= offset);
        if (ready().length === 0) {
          // Long polling, shortened so tests stop quickly.
          await new Promise<void>((r) => {
            this.waiters.push(r);
            setTimeout(r, Math.min(Number(body.timeout ?? 0), 1) * 1000);
          });
        }
        const out = ready();
        // A redelivered update keeps its id; once handed out it leaves the queue.
        this.updates = this.updates.filter((u) => !out.includes(u));
        return ok(out);
      }
      case 'sendMessage': {
        const markup = typeof body.reply_markup === 'string' ? JSON.parse(body.reply_markup) : body.reply_markup;
        const keyboard = ((markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> })?.inline_keyboard ?? []).flat();
        if (typeof body.text !== 'string' || body.text.length === 0) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
        if (body.text.length > 4096) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } };
        const messageId = this.nextMessageId++;
        this.sent.push({ chatId: String(body.chat_id), text: body.text, keyboard, messageId, at: Date.now() });
        return ok({ message_id: messageId, date: now(), chat: { id: Number(body.chat_id), type: 'private' }, text: body.text });
      }
      case 'answerCallbackQuery':
        this.answeredCallbacks.push(String(body.callback_query_id));
        return ok(true);
      case 'getFile': {
        const f = this.files.get(String(body.file_id));
        if (!f) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' } };
        return ok({ file_id: body.file_id, file_unique_id: `u${body.file_id}`, file_size: f.data.length, file_path: f.path });
      }
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: `Not Found: method ${method}` } };
    }
  }
}

const now = () => Math.floor(Date.now() / 1000);

async function readBody(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString();
  const fromQuery = Object.fromEntries(url.searchParams);
  if (!raw) return fromQuery;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) return { ...fromQuery, ...(JSON.parse(raw) as Record<string, unknown>) };
  if (type.includes('x-www-form-urlencoded')) return { ...fromQuery, ...Object.fromEntries(new URLSearchParams(raw)) };
  throw new Error(`unsupported content-type ${type}`);
}
