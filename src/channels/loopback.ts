/**
 * The loopback channel: replies are POSTed as JSON to a URL you run. For trying a
 * deployment without any messaging platform, for the pipeline's fault tests and for the
 * benchmark's sink. The receiver answers 2xx when it has the message, 429 (Retry-After)
 * to slow us down, 5xx for "try again", other 4xx for "never"; GET <url>/<id> says whether
 * it already has a message (200) or not (404), so a sender that died mid-send can ask.
 */
import type { OutboundMessage } from '../conversation/service.ts';
import { SendError, type SendResult, type Sender } from './types.ts';

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
      throw new SendError(`loopback unreachable: ${(err as Error).message}`, 'retry');
    }
    const body = await res.text();
    if (res.ok) {
      const parsed = safeJson(body) as { messageId?: string } | undefined;
      return { providerMessageId: parsed?.messageId ?? null };
    }
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      throw new SendError('loopback: too many requests', 'rate_limited', Number.isFinite(after) && after > 0 ? after * 1000 : 1000);
    }
    if (res.status >= 500 || res.status === 408) throw new SendError(`loopback: HTTP ${res.status}`, 'retry');
    throw new SendError(`loopback refused the message: HTTP ${res.status}`, 'permanent');
  }

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
