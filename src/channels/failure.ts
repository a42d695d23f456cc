/**
 * The one classifier of send failures, shared by every channel (grammY's GrammyError vs
 * HttpError, told apart by *whether the request may have arrived*):
 *
 *   refused before the request left (connection refused, DNS, TLS)   → retry
 *   the platform answered that it did not take it (408, 503)          → retry
 *   too many requests (429, or a platform's own rate-limit code)      → rate_limited
 *   the platform refused this message (other 4xx)                     → permanent
 *   no answer after the request left (timeout, reset, closed socket),
 *   or an answer that does not say (500, 502, 504 and other 5xx)      → ambiguous
 *
 * Anything not recognised is ambiguous: a second copy is worse than a question.
 */
import { SendError } from './types.ts';

/** Error codes meaning the request never reached the platform. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** The code of a transport error: undici puts it on `cause`, node-fetch on the error itself. */
export function transportErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const o = e as { code?: unknown; name?: unknown; errors?: unknown[] };
    if (typeof o.code === 'string' && o.code) return o.code;
    // Several addresses tried (IPv4 and IPv6): an AggregateError of the same code.
    if (Array.isArray(o.errors) && o.errors.length) return transportErrorCode(o.errors[0]);
    if (o.name === 'TimeoutError' || o.name === 'AbortError') return o.name;
  }
  return undefined;
}

/** A failure of the request itself (no HTTP answer): retry only if it never left. */
export function classifyTransportError(err: unknown, what: string): SendError {
  if (err instanceof SendError) return err;
  const code = transportErrorCode(err);
  const message = (err as Error)?.message ?? String(err);
  if (code && NOT_SENT.has(code)) return new SendError(`${what} unreachable (${code}): ${message}`, 'retry');
  return new SendError(`${what}: no answer after sending (${code ?? 'unknown error'}): ${message}`, 'ambiguous');
}

/** Retry-After as seconds or an HTTP date, in ms (1 s when absent or unreadable). */
export function retryAfterMs(value: string | number | null | undefined, fallbackMs = 1000): number {
  if (value === null || value === undefined || value === '') return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  const date = Date.parse(String(value));
  return Number.isFinite(date) && date > Date.now() ? date - Date.now() : fallbackMs;
}

/** An HTTP answer other than 2xx. `rateLimited` marks a platform's own rate-limit error codes. */
export function classifyHttpStatus(status: number, detail: string, opts: { retryAfter?: string | number | null; rateLimited?: boolean } = {}): SendError {
  if (status === 429 || opts.rateLimited) return new SendError(detail, 'rate_limited', retryAfterMs(opts.retryAfter));
  if (status === 408 || status === 503) return new SendError(detail, 'retry');
  if (status >= 500) return new SendError(detail, 'ambiguous');
  return new SendError(detail, 'permanent');
}

/**
 * A message sent in several requests (long text split, text then buttons): once one part
 * went out, a failure of a later one cannot be retried from the start without repeating it.
 */
export function afterPartSent(err: SendError, partsSent: number, parts: number): SendError {
  if (partsSent === 0 || err.kind === 'ambiguous' || err.kind === 'permanent') return err;
  return new SendError(`${err.message} (after ${partsSent} of ${parts} parts were sent)`, 'ambiguous');
}

/** Whatever a sender threw, as a SendError; an unrecognised throw is ambiguous. */
export function asSendError(err: unknown): SendError {
  return err instanceof SendError ? err : classifyTransportError(err, 'send');
}
