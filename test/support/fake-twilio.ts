/**
 * A local stand-in for Twilio's Programmable Messaging REST API, in its documented formats:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (a form: To, From, Body,
 * StatusCallback; answers 201 with the Message resource) and the Messages list resource
 * `GET …/Messages.json?To=…&From=…&DateSent>=…&PageSize=…` (newest first, paged with
 * `next_page_uri`), HTTP basic auth (AccountSid:AuthToken) on both. Like Twilio it calls the
 * StatusCallback URL it was given with a signed form (X-Twilio-Signature over that URL, query
 * included). `faultNext` loses the answer to a send, after storing the message or before;
 * `lookupsFail` answers the list with 500s.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { twilioSignature } from '../../src/channels/sms.ts';

export interface TwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | undefined;
  status: string;
  dateCreated: Date;
  dateSent: Date | null;
}

/** Stored and then the answer lost (dropped, 500); dropped before storing; refused (503). */
export type TwilioFault = 'store-then-drop' | 'store-then-500' | 'drop-unstored' | 'refuse-503';

export class FakeTwilio {
  readonly messages: TwilioMessage[] = [];
  /** List requests answered, and those answered with an error. */
  lookups = 0;
  failedLookups = 0;
  /** Answer this many list requests with 500 first. */
  lookupsFail = 0;
  private faults: TwilioFault[] = [];
  private server: Server | undefined;
  private n = 0;
  url = '';

  constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) =>
      void this.handle(req).then(({ status, json, drop }) => {
        if (drop) return void req.socket.destroy();
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      }),
    );
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  faultNext(fault: TwilioFault) {
    this.faults.push(fault);
  }

  to(number: string) {
    return this.messages.filter((m) => m.to === number);
  }

  /** Calls a message's StatusCallback as Twilio does: a signed form with MessageSid and MessageStatus. */
  async postStatus(m: TwilioMessage, status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed', errorCode?: string): Promise<number> {
    if (!m.statusCallback) throw new Error('no StatusCallback');
    m.status = status;
    const params: Record<string, string> = { AccountSid: this.accountSid, MessageSid: m.sid, SmsSid: m.sid, SmsStatus: status, MessageStatus: status, To: m.to, From: m.from, ApiVersion: '2010-04-01', ...(errorCode ? { ErrorCode: errorCode } : {}) };
    const res = await fetch(m.statusCallback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(this.authToken, m.statusCallback, params) },
      body: new URLSearchParams(params).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  private resource(m: TwilioMessage) {
    return {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: m.dateCreated.toUTCString().replace('GMT', '+0000'),
      date_sent: m.dateSent ? m.dateSent.toUTCString().replace('GMT', '+0000') : null,
      date_updated: m.dateCreated.toUTCString().replace('GMT', '+0000'),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}.json`,
    };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; json?: unknown; drop?: boolean }> {
    const auth = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== auth) return { status: 401, json: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } };
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== `/2010-04-01/Accounts/${this.accountSid}/Messages.json`) return { status: 404, json: { code: 20404, message: 'The requested resource was not found', status: 404 } };
    if (req.method === 'POST') {
      let raw = '';
      for await (const c of req) raw += (c as Buffer).toString();
      const form = Object.fromEntries(new URLSearchParams(raw));
      const fault = this.faults.shift();
      if (fault === 'drop-unstored') return { status: 0, drop: true };
      if (fault === 'refuse-503') return { status: 503, json: { code: 20503, message: 'Service unavailable', status: 503 } };
      if (!form.To || !form.From || !form.Body) return { status: 400, json: { code: 21602, message: 'Message body is required.', status: 400 } };
      const m: TwilioMessage = {
        sid: `SM${String(++this.n).padStart(32, '0')}`,
        to: form.To,
        from: form.From,
        body: form.Body,
        statusCallback: form.StatusCallback,
        status: 'queued',
        dateCreated: new Date(),
        dateSent: null,
      };
      this.messages.push(m);
      if (fault === 'store-then-drop') return { status: 0, drop: true };
      if (fault === 'store-then-500') return { status: 500, json: { code: 20500, message: 'Internal Server Error', status: 500 } };
      return { status: 201, json: this.resource(m) };
    }
    if (req.method === 'GET') {
      this.lookups++;
      if (this.lookupsFail > 0) {
        this.lookupsFail--;
        this.failedLookups++;
        return { status: 500, json: { code: 20500, message: 'Internal Server Error', status: 500 } };
      }
      const q = url.searchParams;
      const size = Math.min(Number(q.get('PageSize') ?? 50) || 50, 1000);
      const page = Number(q.get('Page') ?? 0) || 0;
      const sentOnOrAfter = q.get('DateSent>');
      const matching = this.messages
        .filter((m) => (!q.get('To') || m.to === q.get('To')) && (!q.get('From') || m.from === q.get('From')))
        // DateSent filters on date_sent: a message still queued has none and is not listed.
        .filter((m) => !sentOnOrAfter || (m.dateSent !== null && m.dateSent.toISOString().slice(0, 10) >= sentOnOrAfter))
        .reverse();
      const slice = matching.slice(page * size, (page + 1) * size);
      const base = `/2010-04-01/Accounts/${this.accountSid}/Messages.json`;
      const keep = new URLSearchParams([...q].filter(([k]) => k !== 'Page' && k !== 'PageToken'));
      const pageUri = (p: number) => `${base}?${keep.toString()}${keep.toString() ? '&' : ''}Page=${p}&PageToken=PA${p}`;
      return {
        status: 200,
        json: {
          messages: slice.map((m) => this.resource(m)),
          end: page * size + slice.length - 1,
          first_page_uri: `${base}?${keep.toString()}${keep.toString() ? '&' : ''}Page=0`,
          next_page_uri: (page + 1) * size < matching.length ? pageUri(page + 1) : null,
          page,
          page_size: size,
          previous_page_uri: page > 0 ? pageUri(page - 1) : null,
          start: page * size,
          uri: `${base}?${q.toString()}`,
        },
      };
    }
    return { status: 405, json: { code: 20004, message: 'Method not allowed', status: 405 } };
  }
}
