/** Renders replies as text: the choices as numbered lines for channels without buttons, and bidi isolates where a channel needs them. */
import type { Choice } from '../engine/types.ts';
import { isolatePlainText } from '../text/bidi.ts';

export function renderPlain(text: string, choices?: readonly Choice[]): string {
  if (!choices || choices.length === 0) return text;
  return `${text}\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
}

/**
 * Channels whose apps lay bidi out per paragraph from its first strong letter, so a phone,
 * a date or a reference inside Arabic text flips ("4567 123 55 966+"): their plain text gets
 * Unicode isolates. Not SMS: isolates are UCS-2 characters that cost parts and many phones
 * show them as boxes. Not the web chat: its page wraps the same runs in <bdi dir="ltr">.
 * Not the terminal: terminals draw bidi their own way, and a piped transcript stays plain.
 */
export const ISOLATING_CHANNELS: ReadonlySet<string> = new Set(['telegram', 'whatsapp', 'whatsapp-web']);

/**
 * A reply as a channel should send it: for the channels above, its text and its choices'
 * labels with LRI … PDI around numbers, phones, dates, references and Latin values in Arabic
 * lines; for every other channel, the reply unchanged (the same object).
 */
export function forChannel<T extends { channel: string; text: string; choices?: Choice[] | undefined }>(msg: T): T {
  if (!ISOLATING_CHANNELS.has(msg.channel)) return msg;
  const text = isolatePlainText(msg.text);
  const choices = msg.choices?.map((c) => ({ ...c, label: isolatePlainText(c.label) }));
  return { ...msg, text, ...(choices ? { choices } : {}) };
}
