/** A beneficiary writing to the service directly (no queues): one channel identity, fresh message ids. */
import { join } from 'node:path';
import type { InboundMessage, StepOutcome } from '../../src/conversation/service.ts';
import { validAnswers } from './answers.ts';
import { FLOWS, ROOT, type Harness } from './scenario.ts';

/** `h`: a test harness, or any service with a clock the caller moves (a running runtime's). */
export function beneficiary(h: Pick<Harness, 'service' | 'now' | 'advance'>, channel: string, address: string, associationId = 'qalam') {
  let n = 0;
  const send = (text: string, extra: Partial<InboundMessage> = {}): Promise<StepOutcome> => {
    h.advance(20_000);
    return h.service.handleInbound({ associationId, channel, address, messageId: `${channel}-${address}-${++n}`, text, ...extra });
  };
  const file = async (path: string) => {
    const media = await h.service.storeMedia(associationId, { path: join(ROOT, path), mime: 'application/pdf', filename: 'id.pdf' });
    h.advance(20_000);
    return h.service.handleInbound({ associationId, channel, address, messageId: `${channel}-${address}-${++n}`, media });
  };
  /** Greets, picks "apply" and answers every intake field; returns the last outcome (review). */
  const fillIntake = async (answers = validAnswers(FLOWS.get(associationId)!, 'intake', h.now)) => {
    await send('السلام عليكم');
    let out = await send('١');
    for (const a of answers) out = 'file' in a ? await file(a.file) : await send(a.text);
    return out;
  };
  return { send, file, fillIntake };
}
