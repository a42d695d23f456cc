/** Drives the pure engine directly (no storage): for unit, property and benchmark runs. */
import { advance, initialState } from '../../src/engine/advance.ts';
import type { FlowFile } from '../../src/flows/schema.ts';
import type { ConversationState, EngineEvent, Input, Lang, MediaRef, RequestSummary } from '../../src/engine/types.ts';

export class Driver {
  state: ConversationState;
  now: Date;
  requests: RequestSummary[] = [];
  last: EngineEvent[] = [];
  private n = 0;
  private refs = 0;

  constructor(
    readonly flow: FlowFile,
    lang: Lang = 'ar',
    start = '2026-11-22T09:00:00+03:00',
  ) {
    this.now = new Date(start);
    this.state = initialState(lang, this.now);
  }

  input(input: Input): EngineEvent[] {
    const result = advance(this.flow, this.state, input, {
      now: this.now,
      channel: 'test',
      requests: this.requests,
      nextReference: (form) => `${this.flow.reference_prefix}${form === 'volunteer' ? 'V' : ''}-1448-${String(++this.refs).padStart(5, '0')}`,
    });
    this.state = result.state;
    this.last = result.events;
    this.now = new Date(this.now.getTime() + 30_000);
    return result.events;
  }

  send(text: string, extra: { media?: MediaRef; choiceId?: string } = {}): string {
    this.input({ type: 'message', messageId: `m${++this.n}`, text, ...extra });
    return this.reply();
  }

  file(mime = 'application/pdf', size = 2048): string {
    this.input({ type: 'message', messageId: `m${++this.n}`, media: { id: `media-${this.n}`, mime, size, filename: 'id.pdf' } });
    return this.reply();
  }

  /** The reply text of the last step, choices rendered as numbered lines. */
  reply(): string {
    return this.last
      .filter((e) => e.type === 'reply')
      .map((e) => (e.type === 'reply' ? [e.text, ...(e.choices ?? []).map((c, i) => `${i + 1}. ${c.label}`)].join('\n') : ''))
      .join('\n\n');
  }

  events(): string[] {
    return this.last.map((e) => e.type);
  }

  wait(ms: number) {
    this.now = new Date(this.now.getTime() + ms);
  }
}
