/** A whole intake through the service alone (no queues): greeting, "apply", every field, confirm. */
import { join } from 'node:path';
import type { ConversationService } from '../../src/conversation/service.ts';
import { validAnswers } from './answers.ts';
import { FLOWS, ROOT } from './scenario.ts';

export function submitIntake(service: ConversationService, associationId: string, address: string, channel = 't'): { conversationId: string } {
  let i = 0;
  const say = (m: { text?: string; media?: ReturnType<ConversationService['storeMedia']> }) =>
    service.handleInbound({ associationId, channel, address, messageId: `${address}-${++i}`, ...m });
  let conversationId = say({ text: 'السلام عليكم' }).conversationId;
  say({ text: '١' });
  for (const a of validAnswers(FLOWS.get(associationId)!, 'intake', new Date())) {
    if ('file' in a) say({ media: service.storeMedia(associationId, { path: join(ROOT, a.file), mime: 'application/pdf', filename: 'id.pdf' }) });
    else say({ text: a.text });
  }
  conversationId = say({ text: '1' }).conversationId;
  return { conversationId };
}
