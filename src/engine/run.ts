/**
 * One run of the engine over one input: the conversation state being advanced, the
 * context it came with, and the output collected so far (reply parts, buttons, events).
 * Every mode handler takes a `Run`; nothing here decides what a mode does.
 */
import type { FlowFile, Localized } from '../flows/schema.ts';
import { fill, pickText, say, type MessageKey } from './messages.ts';
import type { Choice, Context, ConversationState, EngineEvent, Lang, MediaRef, StepResult, UnderstoodAs } from './types.ts';

/** Transitions one input may cause at most; a runaway stops here with a visible error. */
export const STEP_BUDGET = 64;
/** Longest text the engine looks at; channels cut longer messages with a note. */
export const MAX_INPUT_CHARS = 4000;

/** Thrown by `tick()` past the step budget; `advance` turns it into an engine_error. */
export class BudgetExceeded extends Error {}

/** A beneficiary message as the modes read it: cleaned text, any media, any pressed button. */
export interface Answer {
  text: string;
  media?: MediaRef | undefined;
  choiceId?: string | undefined;
}

/** A message arriving in a mode, with what the dispatcher already knows about it. */
export interface Turn extends Answer {
  messageId: string;
  /** The beneficiary came back after `timers.resume_after_minutes` of silence. */
  paused: boolean;
}

/** What each mode provides to the dispatch table (`modes/index.ts`). */
export interface ModeHandler {
  /** Takes a beneficiary message that arrived while the conversation is in this mode. */
  message(run: Run, turn: Turn): void;
  /** Asks again whatever this mode asks (after a language switch, a reminder, "no" to an offer). */
  prompt(run: Run): void;
}

export class Run {
  private parts: string[] = [];
  private choices: Choice[] | undefined;
  private events: EngineEvent[] = [];
  private steps = 0;
  /** The message being handled, for the attestation record. */
  messageId = '';
  /** How the message being handled was taken (the `understood` event); the first word wins. */
  heard: { as: UnderstoodAs; reason: string } | undefined;

  constructor(
    readonly flow: FlowFile,
    readonly s: ConversationState,
    readonly ctx: Context,
  ) {}

  get lang(): Lang {
    return this.s.lang;
  }

  /** Counts one transition; past the budget the whole input is abandoned. */
  tick() {
    if (++this.steps > STEP_BUDGET) throw new BudgetExceeded();
  }

  say(text: string) {
    if (text) this.parts.push(text);
  }

  /** Buttons for the reply; the last offer wins. */
  offer(choices: Choice[]) {
    this.choices = choices;
  }

  emit(event: EngineEvent) {
    this.events.push(event);
  }

  /** Records how the message was taken, once; later calls in the same step keep the first. */
  hear(as: UnderstoodAs, reason: string) {
    this.heard ??= { as, reason };
  }

  /** The events emitted so far in this step (read-only). */
  get emitted(): readonly EngineEvent[] {
    return this.events;
  }

  /** A localized flow text with the association's terms filled in (its SMS wording on SMS). */
  L(text: Localized, extra: Record<string, string | number> = {}): string {
    return fill(this.pick(text), { ...this.terms(), ...extra });
  }

  /** A flow text as it is shown on this conversation's channel, without filling: labels, questions. */
  pick(text: Localized): string {
    return pickText(text, this.lang, this.ctx.channel);
  }

  /** A built-in message with the association's terms filled in. */
  t(key: MessageKey, extra: Record<string, string | number> = {}): string {
    return say(key, this.lang, { ...this.terms(), ...extra }, this.ctx.channel);
  }

  terms(): Record<string, string> {
    const f = this.flow;
    return {
      org: f.name[this.lang],
      audience: f.audience.singular[this.lang],
      officer: f.officer[this.lang],
      committee: f.committee.name[this.lang],
      period: f.committee.period[this.lang],
    };
  }

  setLang(lang: Lang) {
    if (this.s.lang !== lang) {
      this.s.lang = lang;
      this.emit({ type: 'language_changed', lang });
    }
  }

  /** The step's result: the state and events, the reply parts joined into one reply. */
  finish(): StepResult {
    if (this.parts.length > 0) {
      const reply: EngineEvent = { type: 'reply', text: this.parts.join('\n\n'), lang: this.lang };
      if (this.choices && this.choices.length > 0) reply.choices = this.choices;
      this.events.push(reply);
    }
    return { state: this.s, events: this.events };
  }
}
