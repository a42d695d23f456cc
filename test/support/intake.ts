/** A whole intake through the service alone (no queues): greeting, "apply", every field, confirm. */
import { join } from 'node:path';
import type { ConversationService } from '../../src/conversation/service.ts';
import { validAnswers } from './answers.ts';
import { FLOWS, ROOT } from './scenario.ts';

export async function submitIntake(service: ConversationService, associationId: string, address: string, channel = 't'): Promise<{ conversationId: string }> {
  let i = 0;
  const say = (m: { text?: string; media?: Awaited<ReturnType<ConversationService['storeMedia']>> }) =>
    service.handleInbound({ associationId, channel, address, messageId: `${address}-${++i}`, ...m });
  let conversationId = (await say({ text: 'السلام عليكم' })).conversationId;
  await say({ text: '١' });
  for (const a of validAnswers(FLOWS.get(associationId)!, 'intake', new Date())) {
    if ('file' in a) await say({ media: await service.storeMedia(associationId, { path: join(ROOT, a.file), mime: 'application/pdf', filename: 'id.pdf' }) });
    else await say({ text: a.text });
  }
  conversationId = (await say({ text: '1' })).conversationId;
  return { conversationId };
}
