/**
 * The process logger (pino, JSON lines). Personal data stays out: national IDs, phone
 * numbers, addresses and message text are redacted wherever they appear as fields.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACT = [
  'nationalId', '*.nationalId', 'national_id', '*.national_id',
  'phone', '*.phone', 'address', '*.address', 'text', '*.text', 'body', '*.body',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'tawasul'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** A phone or chat id cut to its last digits, for log lines that must say who. */
export function maskAddress(address: string): string {
  return address.length <= 4 ? '****' : `…${address.slice(-4)}`;
}
