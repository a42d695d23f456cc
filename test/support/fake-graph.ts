/**
 * A local stand-in for the WhatsApp Cloud API's Graph endpoints, in their documented
 * formats: POST /{phone-number-id}/messages, GET /{media-id} (the media URL), and the media
 * download itself (bearer token required everywhere). Plus a builder for signed webhook
 * payloads as Meta sends them.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface GraphSent {
  phoneNumberId: string;
  to: string;
  type: string;
  body: Record<string, any>;
  wamid: string;
}

export class FakeGraph {
  readonly token = 'EAAG-test-access-token';
  readonly sent: GraphSent[] = [];
  private media = new Map<string, { data: Buffer; mime: string }>();
  private failures: Array<{ status: number; error: { code: number; message: string } }> = [];
  private server: Server | undefined;
  private n = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req).then(({ status, json, raw, type }) => {
      res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(raw ?? JSON.stringify(json));
    }));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v21.0`;
    return this;
  }

  async stop() {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  addMedia(id: string, data: Buffer, mime: string) {
    this.media.set(id, { data, mime });
  }

  failNext(status: number, code: number, message: string) {
    this.failures.push({ status, error: { code, message } });
  }

  to(wa: string) {
    return this.sent.filter((s) => s.to === wa);
  }

  async waitFor(wa: string, n: number, ms = 15_000): Promise<GraphSent[]> {
    const deadline = Date.now() + ms;
    while (this.to(wa).length < n) {
      if (Date.now() > deadline) throw new Error(`${wa}: expected ${n} messages, got ${this.to(wa).length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.to(wa);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; json?: unknown; raw?: Buffer; type?: string }> {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return { status: 401, json: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } };
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v21\.0/, '');
    const download = /^\/download\/(.+)$/.exec(path);
    if (download) {
      const m = this.media.get(download[1]!);
      return m ? { status: 200, raw: m.data, type: m.mime } : { status: 404, json: { error: { code: 100, message: 'not found' } } };
    }
    const send = /^\/([^/]+)\/messages$/.exec(path);
    if (send && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, any>;
      const failure = this.failures.shift();
      if (failure) return { status: failure.status, json: { error: { ...failure.error, type: 'OAuthException', fbtrace_id: 'x' } } };
      if (body.messaging_product !== 'whatsapp' || !body.to || !body.type) return { status: 400, json: { error: { code: 100, message: 'Invalid parameter' } } };
      if (body.type === 'interactive' && body.interactive.type === 'button' && body.interactive.action.buttons.some((b: any) => b.reply.title.length > 20)) {
        return { status: 400, json: { error: { code: 131009, message: 'Parameter value is not valid: button title length' } } };
      }
      const wamid = `wamid.out${++this.n}`;
      this.sent.push({ phoneNumberId: send[1]!, to: String(body.to), type: String(body.type), body, wamid });
      return { status: 200, json: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] } };
    }
    const mediaInfo = /^\/([^/]+)$/.exec(path);
    if (mediaInfo && req.method === 'GET') {
      const m = this.media.get(mediaInfo[1]!);
      if (!m) return { status: 404, json: { error: { code: 100, message: 'media not found' } } };
      return { status: 200, json: { messaging_product: 'whatsapp', url: `${this.url}/download/${mediaInfo[1]}`, mime_type: m.mime, sha256: 'x', file_size: m.data.length, id: mediaInfo[1] } };
    }
    return { status: 404, json: { error: { code: 100, message: 'Unknown path' } } };
  }
}

/** A webhook body as Meta posts it, and its X-Hub-Signature-256 header for `appSecret`. */
export function webhook(phoneNumberId: string, value: Record<string, unknown>, appSecret: string): { body: string; signature: string } {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA_ID', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '966110000000', phone_number_id: phoneNumberId }, ...value } }] }],
  });
  return { body, signature: `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` };
}

export function textMessage(from: string, id: string, text: string) {
  return { contacts: [{ profile: { name: 'نورة' }, wa_id: from }], messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }] };
}

export function buttonReply(from: string, id: string, choiceId: string, kind: 'button_reply' | 'list_reply' = 'button_reply') {
  return { contacts: [{ profile: { name: 'نورة' }, wa_id: from }], messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'interactive', interactive: { type: kind, [kind]: { id: choiceId, title: 'x' } } }] };
}

export function documentMessage(from: string, id: string, mediaId: string) {
  return { contacts: [{ profile: { name: 'نورة' }, wa_id: from }], messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'document', document: { id: mediaId, mime_type: 'application/pdf', filename: 'id.pdf', sha256: 'x' } }] };
}
