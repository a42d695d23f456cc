/**
 * What the pipeline needs from a channel to deliver replies. The full adapter (receiving,
 * media, webhooks) builds on this; nothing platform-specific passes this line.
 */
import type { OutboundMessage, PendingOutbound } from '../conversation/service.ts';

export interface SendResult {
  /** The platform's id for the sent message (delivery receipts refer to it). */
  providerMessageId?: string | null;
}

/**
 * A failed send, classified by the one classifier in `failure.ts`:
 * - `retry`: refused before the request left, or the platform said it did not take it
 *   (connection refused, DNS, 408, 503): safe to send again with backoff;
 * - `rate_limited`: 429, pause the channel for retryAfterMs, then send again;
 * - `permanent`: the platform refused this message for good (4xx): dead letter, no retry;
 * - `ambiguous`: the request may have arrived (timeout, reset after sending, 500/502/504):
 *   never sent again blindly; the message stays `sending` until the channel says whether
 *   it has it (`wasSent`), or its `ambiguousPolicy` decides.
 */
export type SendFailureKind = 'retry' | 'rate_limited' | 'permanent' | 'ambiguous';

export class SendError extends Error {
  readonly code = 'TAWASUL_ERR_SEND';
  constructor(
    message: string,
    readonly kind: SendFailureKind,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Sender {
  readonly channel: string;
  send(msg: OutboundMessage): Promise<SendResult>;
  /**
   * Whether the platform already has the message with this idempotency key: asked after an
   * ambiguous send and after a sender died mid-send. It throws when the lookup itself fails
   * (the pipeline asks again later, with backoff); it never guesses. `msg` is the stored
   * reply (address, text) when the pipeline has it, for lookups that match on those (Twilio's
   * message list). `undefined`: this channel cannot tell for this message (e.g. no delivery
   * receipt arrived within its window); the `ambiguousPolicy` then decides.
   */
  wasSent?(id: string, msg?: PendingOutbound): Promise<boolean | undefined>;
  /**
   * What to do with an ambiguous send when the channel has no `wasSent`: `dead_letter`
   * (the default: status "unknown", an alert, staff decide) or `resend` (for a channel where
   * a second copy is harmless). README, "When a send's outcome is unknown", lists each channel.
   */
  readonly ambiguousPolicy?: 'dead_letter' | 'resend';
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
  /** Stores the message (and its file) durably; when its promise resolves the platform may be acknowledged. */
  ingest(event: InboundEvent): Promise<void>;
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
