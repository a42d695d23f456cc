/**
 * The terminal channel: a beneficiary typing in a terminal, or a script piping one message
 * per line. Uses the same service, engine and storage as every other channel.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ConversationService, OutboundMessage } from '../conversation/service.ts';
import type { Lang } from '../engine/types.ts';
import { renderPlain } from './render.ts';
import { mimeFromPath, trustedMime } from './mime.ts';

export const TERMINAL_CHANNEL = 'terminal';

export interface TerminalChatOptions {
  service: ConversationService;
  associationId: string;
  lang: Lang;
  /** The terminal user's address; the same user resumes the same conversation. */
  user: string;
  input: Readable;
  output: Writable;
  errors: Writable;
  interactive: boolean;
}

/** Runs the chat until the input ends; resolves when every line has been answered. */
export async function runTerminalChat(opts: TerminalChatOptions): Promise<void> {
  const { service, output, errors } = opts;
  const rl = createInterface({ input: opts.input, terminal: opts.interactive, ...(opts.interactive ? { output } : {}) });
  // The conversation's language as its last reply shows it (it changes when the person switches).
  let lang = opts.lang;
  const write = async (replies: OutboundMessage[]) => {
    for (const reply of replies) {
      lang = reply.lang;
      const text = renderPlain(reply.text, reply.choices);
      output.write(opts.interactive ? `\n\x1b[36m${text}\x1b[0m\n\n` : `${text}\n\n`);
      // Printed is sent: the terminal is its own delivery, nothing for the queues to do.
      await service.markSent(reply.id, null);
    }
  };
  if (opts.interactive) {
    const flow = service.flow(opts.associationId);
    output.write(`${flow.name[opts.lang]} — ${opts.lang === 'ar' ? 'اكتب رسالتك (Ctrl+D للخروج، /file <مسار> لإرسال ملف)' : 'type a message (Ctrl+D to quit, /file <path> to send a file)'}\n`);
    rl.setPrompt('> ');
    rl.prompt();
  }
  for await (const raw of rl) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (opts.interactive) rl.prompt();
      continue;
    }
    const base = { associationId: opts.associationId, channel: TERMINAL_CHANNEL, address: opts.user, messageId: randomUUID(), lang: opts.lang };
    const fileMatch = /^\/file\s+(.+)$/.exec(line.trim());
    if (fileMatch) {
      const path = fileMatch[1]!.trim().replace(/^["']|["']$/g, '');
      if (!existsSync(path) || !statSync(path).isFile()) {
        errors.write(`${lang === 'ar' ? 'لم نجد الملف' : 'file not found'}: ${path}\n`);
      } else {
        const data = readFileSync(path);
        const media = await service.storeMedia(opts.associationId, { data, mime: trustedMime(data, mimeFromPath(path)), filename: basename(path) });
        await write((await service.handleInbound({ ...base, media })).outbound);
      }
    } else {
      await write((await service.handleInbound({ ...base, text: line })).outbound);
    }
    if (opts.interactive) rl.prompt();
  }
}
