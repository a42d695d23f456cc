/**
 * A local stand-in for the WhatsApp Cloud API's Graph endpoints, in their documented
 * formats: POST /{phone-number-id}/messages, GET /{media-id} (the media URL), and the media
 * download itself (bearer token required everywhere). Plus a builder for signed webhook
 * payloads as Meta sends them. Like Meta, once a message is stored it posts a signed "sent"
 * status webhook to the app (when told where), echoing the message's
 * `biz_opaque_callback_data`; `faultNext` stores a message and then loses the answer.
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

/** How the answer to a stored message is lost: the connection dropped, or a 500. */
export type GraphFault = 'store-then-drop' | 'store-then-500';

export class FakeGraph {
  readonly token = 'EAAG-test-access-token';
  readonly sent: GraphSent[] = [];
  /** Status webhooks posted to the app, and the app's HTTP answer to each. */
  readonly statusesPosted: Array<{ wamid: string; status: string; key: string | undefined; answer: number }> = [];
  /** While true, stored messages get no status webhook (Meta's webhooks not reaching the app). */
  holdStatuses = false;
  private media = new Map<string, { data: Buffer; mime: string }>();
  private failures: Array<{ status: number; error: { code: number; message: string } }> = [];
  private faults: GraphFault[] = [];
  private webhookTarget: { url: string; appSecret: string } | undefined;
  private posting = new Set<Promise<void>>();
  private server: Server | undefined;
  private n = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req).then(({ status, json, raw, type, drop }) => {
      if (drop) return void req.socket.destroy();
      res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(raw ?? JSON.stringify(json));
    }));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v21.0`;
    return this;
  }

  async stop() {
    await Promise.allSettled([...this.posting]);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Where status webhooks go (the app's /channels/whatsapp), signed with its app secret. */
  deliverStatusesTo(url: string, appSecret: string) {
    this.webhookTarget = { url, appSecret };
  }

  /** The next message is stored (and its status webhook sent), then its answer is lost. */
  faultNext(fault: GraphFault) {
    this.faults.push(fault);
  }

  /** Posts a status webhook for a stored message as Meta does (`failed` with an error). */
  async postStatus(m: GraphSent, status: 'sent' | 'delivered' | 'read' | 'failed'): Promise<number> {
    const target = this.webhookTarget;
    if (!target) throw new Error('deliverStatusesTo first');
    const w = webhook(m.phoneNumberId, statusUpdate(m, status), target.appSecret);
    const res = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': w.signature }, body: w.body });
    await res.arrayBuffer();
    this.statusesPosted.push({ wamid: m.wamid, status, key: m.body.biz_opaque_callback_data, answer: res.status });
    return res.status;
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

  private async handle(req: IncomingMessage): Promise<{ status: number; json?: unknown; raw?: Buffer; type?: string; drop?: boolean }> {
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
      if (body.biz_opaque_callback_data !== undefined && (typeof body.biz_opaque_callback_data !== 'string' || body.biz_opaque_callback_data.length > 512)) {
        return { status: 400, json: { error: { code: 100, message: 'Invalid parameter: biz_opaque_callback_data' } } };
      }
      const wamid = `wamid.out${++this.n}`;
      const stored: GraphSent = { phoneNumberId: send[1]!, to: String(body.to), type: String(body.type), body, wamid };
      this.sent.push(stored);
      if (this.webhookTarget && !this.holdStatuses) {
        // Meta's "sent" status comes on its own, whatever happens to the answer below.
        const p = this.postStatus(stored, 'sent').then(
          () => undefined,
          () => undefined,
        );
        this.posting.add(p);
        void p.finally(() => this.posting.delete(p));
      }
      const fault = this.faults.shift();
      if (fault === 'store-then-drop') return { status: 0, drop: true };
      if (fault === 'store-then-500') return { status: 500, json: { error: { code: 2, message: 'Service temporarily unavailable', type: 'OAuthException', fbtrace_id: 'x' } } };
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

/**
 * A status update as Meta posts it (entry[].changes[].value.statuses[]): the wamid, the
 * status, when, to whom, and the `biz_opaque_callback_data` the message was sent with.
 */
export function statusUpdate(m: GraphSent, status: 'sent' | 'delivered' | 'read' | 'failed') {
  return {
    statuses: [
      {
        id: m.wamid,
        status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: m.to,
        ...(typeof m.body.biz_opaque_callback_data === 'string' ? { biz_opaque_callback_data: m.body.biz_opaque_callback_data } : {}),
        ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }] } : {}),
        ...(status === 'sent' || status === 'delivered' ? { conversation: { id: 'CONVERSATION_ID', origin: { type: 'service' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'service' } } : {}),
      },
    ],
  };
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
