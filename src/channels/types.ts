/**
 * What the pipeline needs from a channel to deliver replies. The full adapter (receiving,
 * media, webhooks) builds on this; nothing platform-specific passes this line.
 */
import type { OutboundMessage } from '../conversation/service.ts';

export interface SendResult {
  /** The platform's id for the sent message (delivery receipts refer to it). */
  providerMessageId?: string | null;
}

/**
 * A failed send, classified by the channel: `retry` (network error, 5xx: try again with
 * backoff), `rate_limited` (429: pause the channel for retryAfterMs), `permanent` (the
 * platform refused this message for good: dead letter, no retry).
 */
export class SendError extends Error {
  readonly code = 'TAWASUL_ERR_SEND';
  constructor(
    message: string,
    readonly kind: 'retry' | 'rate_limited' | 'permanent',
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Sender {
  readonly channel: string;
  send(msg: OutboundMessage): Promise<SendResult>;
  /**
   * Whether the platform already has the message with this idempotency key. Asked only
   * after a sender died mid-send; a channel that cannot tell leaves it undefined and the
   * message goes to the dead-letter list as "unknown" rather than risk a second copy.
   */
  wasSent?(id: string): Promise<boolean>;
}

/** A file a beneficiary sent, as the adapter downloaded it. */
export interface InboundFile {
  data: Buffer;
  mime: string;
  filename?: string;
}

/**
 * A beneficiary's message as every adapter hands it over: the platform's own id (the dedupe
 * key: a redelivery carries the same one), the sender's address on the platform, and text,
 * a pressed button or a file.
 */
export interface InboundEvent {
  associationId: string;
  address: string;
  messageId: string;
  text?: string;
  choiceId?: string;
  file?: InboundFile;
  displayName?: string;
  lang?: 'ar' | 'en';
  at: Date;
}

export interface ChannelContext {
  /** Stores the message (and its file) durably; when it returns the platform may be acknowledged. */
  ingest(event: InboundEvent): void;
  log: import('pino').Logger;
}

/** A channel: receives beneficiaries' messages and sends replies; nothing platform-specific passes it. */
export interface ChannelAdapter extends Sender {
  start(ctx: ChannelContext): Promise<void>;
  stop(): Promise<void>;
  /** "up", or what is wrong, for /healthz. */
  status(): string;
  /** Webhook routes, when the channel receives by webhook. */
  mountHttp?(app: import('fastify').FastifyInstance): void;
}
