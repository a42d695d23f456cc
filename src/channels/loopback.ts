/**
 * The loopback channel: replies are POSTed as JSON to a URL you run. For trying a
 * deployment without any messaging platform, for the pipeline's fault tests and for the
 * benchmark's sink. The receiver answers 2xx when it has the message, 429 (Retry-After)
 * to slow us down, 5xx for "try again", other 4xx for "never"; GET <url>/<id> says whether
 * it already has a message (200) or not (404), so a sender that died mid-send can ask.
 */
import type { OutboundMessage } from '../conversation/service.ts';
import { classifyHttpStatus, classifyTransportError } from './failure.ts';
import type { SendResult, Sender } from './types.ts';

export class LoopbackSender implements Sender {
  readonly channel: string;

  constructor(
    private readonly url: string,
    opts: { channel?: string; timeoutMs?: number } = {},
  ) {
    this.channel = opts.channel ?? 'loopback';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private readonly timeoutMs: number;

  async send(msg: OutboundMessage): Promise<SendResult> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': msg.id },
        body: JSON.stringify({ id: msg.id, associationId: msg.associationId, conversationId: msg.conversationId, to: msg.address, text: msg.text, choices: msg.choices ?? [], lang: msg.lang }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw classifyTransportError(err, 'loopback');
    }
    // A 2xx is the receiver's word that it has the message, even if the body is cut off.
    const body = await res.text().catch(() => '');
    if (res.ok) {
      const parsed = safeJson(body) as { messageId?: string } | undefined;
      return { providerMessageId: parsed?.messageId ?? null };
    }
    throw classifyHttpStatus(res.status, `loopback: HTTP ${res.status}`, { retryAfter: res.headers.get('retry-after') });
  }

  /** GET <url>/<id>: 200 has it, 404 does not; anything else (or no answer) throws, to be asked again. */
  async wasSent(id: string): Promise<boolean> {
    const res = await fetch(`${this.url.replace(/\/$/, '')}/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new Error(`loopback status lookup: HTTP ${res.status}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
