/** The one way an adapter's inbound event enters the system: its file stored (typed by its bytes), then the message accepted. */
import type { ConversationService } from '../conversation/service.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { InboundEvent } from './types.ts';
import { trustedMime } from './mime.ts';

export function ingestFor(service: ConversationService, pipeline: Pipeline, channel: string): (ev: InboundEvent) => Promise<void> {
  return async (ev) => {
    const media = ev.file
      ? await service.storeMedia(ev.associationId, { data: ev.file.data, mime: trustedMime(ev.file.data, ev.file.mime), ...(ev.file.filename ? { filename: ev.file.filename } : {}) })
      : undefined;
    await pipeline.ingest({
      associationId: ev.associationId,
      channel,
      address: ev.address,
      messageId: ev.messageId,
      ...(ev.text !== undefined ? { text: ev.text } : {}),
      ...(ev.choiceId ? { choiceId: ev.choiceId } : {}),
      ...(media ? { media } : {}),
      ...(ev.displayName ? { displayName: ev.displayName } : {}),
      ...(ev.lang ? { lang: ev.lang } : {}),
    });
  };
}
