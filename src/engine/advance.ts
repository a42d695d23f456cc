/**
 * The conversation engine: a pure step function.
 *
 *   advance(flow, state, input, ctx) → { state, events }
 *
 * No database, no queue, no clock read inside: the clock, the reference counter and the
 * beneficiary's request list come in through `ctx`; replies and everything else that
 * must happen leave as events. It never throws and stops at a fixed step budget.
 */
import { createHash } from 'node:crypto';
import type { Field, FlowFile, Form, Localized } from '../flows/schema.ts';
import { cleanInput } from '../text/normalize.ts';
import { validateChoice } from '../validate/choice.ts';
import { validateInteger } from '../validate/number.ts';
import { validateText } from '../validate/text.ts';
import { matchFaq } from './faq.ts';
import { displayOf, rejectionText, validateField } from './fields.ts';
import { describeHours, isWorkingTime, localDate } from './hours.ts';
import { fill, say, statusLabel, type MessageKey } from './messages.ts';
import type {
  Choice,
  Context,
  ConversationState,
  DraftKey,
  EngineEvent,
  EscalationReason,
  FieldValue,
  FormKey,
  FormProgress,
  Input,
  Lang,
  MediaRef,
  Mode,
  StepResult,
} from './types.ts';
import { globalWord, isGreeting, isNo, isSkipWord, isYes, type WordPlace } from './words.ts';

/** Transitions one input may cause at most; a runaway stops here with a visible error. */
export const STEP_BUDGET = 64;
/** Longest text the engine looks at; channels cut longer messages with a note. */
export const MAX_INPUT_CHARS = 4000;

class BudgetExceeded extends Error {}

/** A fresh conversation, before the greeting. */
export function initialState(lang: Lang, now: Date): ConversationState {
  return { v: 1, lang, mode: 'new', createdAt: now.toISOString(), lastInputAt: null, notUnderstood: 0, drafts: {} };
}

/** Advances a conversation by one input. Never throws; the given state is not mutated. */
export function advance(flow: FlowFile, state: ConversationState, input: Input, ctx: Context): StepResult {
  const run = new Run(flow, structuredClone(state), ctx);
  try {
    run.handle(input);
    return run.finish();
  } catch (err) {
    // Keep the state as it was before this input: a half-applied step is worse than none.
    const safe = new Run(flow, structuredClone(state), ctx);
    safe.emit({ type: 'engine_error', message: err instanceof BudgetExceeded ? 'step budget exceeded' : String((err as Error)?.message ?? err) });
    safe.say(safe.t('engine_error'));
    return safe.finish();
  }
}

class Run {
  private parts: string[] = [];
  private choices: Choice[] | undefined;
  private events: EngineEvent[] = [];
  private steps = 0;
  private messageId = '';

  constructor(
    readonly flow: FlowFile,
    readonly s: ConversationState,
    readonly ctx: Context,
  ) {}

  // ── output ──────────────────────────────────────────────────────────────

  get lang(): Lang {
    return this.s.lang;
  }

  private tick() {
    if (++this.steps > STEP_BUDGET) throw new BudgetExceeded();
  }

  say(text: string) {
    if (text) this.parts.push(text);
  }

  private offer(choices: Choice[]) {
    this.choices = choices;
  }

  emit(event: EngineEvent) {
    this.events.push(event);
  }

  /** A localized flow text with the association's terms filled in. */
  private L(text: Localized, extra: Record<string, string | number> = {}): string {
    return fill(text[this.lang], { ...this.terms(), ...extra });
  }

  t(key: MessageKey, extra: Record<string, string | number> = {}): string {
    return say(key, this.lang, { ...this.terms(), ...extra });
  }

  private terms(): Record<string, string> {
    const f = this.flow;
    return {
      org: f.name[this.lang],
      audience: f.audience.singular[this.lang],
      officer: f.officer[this.lang],
      committee: f.committee.name[this.lang],
      period: f.committee.period[this.lang],
    };
  }

  finish(): StepResult {
    if (this.parts.length > 0) {
      const reply: EngineEvent = { type: 'reply', text: this.parts.join('\n\n'), lang: this.lang };
      if (this.choices && this.choices.length > 0) reply.choices = this.choices;
      this.events.push(reply);
    }
    return { state: this.s, events: this.events };
  }

  // ── dispatch ────────────────────────────────────────────────────────────

  handle(input: Input) {
    this.tick();
    switch (input.type) {
      case 'message':
        return this.onMessage(input);
      case 'staff_claimed':
        return this.onStaffClaimed(input.staffId, input.staffName);
      case 'staff_released':
        return this.onStaffReleased(input.resumeAt ?? 'form');
      case 'staff_resolved':
        return this.onStaffResolved();
      case 'decision':
        return this.onDecision(input.reference, input.outcome, input.reason);
      case 'corrections_requested':
        return this.onCorrectionsRequested(input.reference, input.fields, input.data, input.note);
      case 'survey_invite':
        return this.onSurveyInvite(input.reference);
      case 'timer':
        return input.name === 'intake_reminder' ? this.onIntakeReminder() : this.onSurveyReminder();
    }
  }

  private onMessage(input: Extract<Input, { type: 'message' }>) {
    const s = this.s;
    this.messageId = input.messageId;
    const cleaned = cleanInput(typeof input.text === 'string' ? input.text.slice(0, MAX_INPUT_CHARS * 2) : '');
    const text = cleaned.slice(0, MAX_INPUT_CHARS);
    // Oversized text is cut, and the beneficiary told so.
    if (cleaned.length > MAX_INPUT_CHARS && s.mode !== 'with_staff') this.say(this.t('input_cut', { max: MAX_INPUT_CHARS }));
    const now = this.ctx.now.getTime();
    const paused = s.lastInputAt !== null && now - Date.parse(s.lastInputAt) > this.flow.timers.resume_after_minutes * 60_000;
    s.lastInputAt = this.ctx.now.toISOString();
    const word = input.choiceId || !text ? undefined : globalWord(text, this.wordPlace());
    const msg: Answer = { text, media: input.media, choiceId: input.choiceId };

    if (s.mode === 'opted_out') {
      if (word === 'start') return this.optIn();
      return this.say(this.t('opted_out_notice'));
    }
    if (word === 'stop') return this.optOut();
    if (s.mode === 'with_staff') {
      // Staff own the conversation: the bot stays silent and the message waits in the console.
      return this.emit({ type: 'message_for_staff', messageId: input.messageId });
    }

    if (s.mode === 'new') {
      s.mode = 'menu';
      if (word === 'english' || word === 'arabic') this.setLang(word === 'english' ? 'en' : 'ar');
      this.greet();
      const meaningful = text && !isGreeting(text) && word !== 'start' && word !== 'menu' && word !== 'english' && word !== 'arabic';
      if (!meaningful || (!word && !this.menuAction(msg) && !matchFaq(this.flow, text))) return this.showMenu();
    }

    if (word) return this.onGlobalWord(word, input.messageId);

    switch (s.mode) {
      case 'menu':
        return this.onMenu(msg);
      case 'faq':
        return this.onFaq(msg);
      case 'form':
        return this.onFormAnswer(msg, paused);
      case 'review':
        return paused && isGreeting(text) ? this.welcomeBack() : this.onReview(msg);
      case 'pick_correction':
        return this.onPickCorrection(msg);
      case 'offer_agent':
        return this.onOfferAgent(msg);
      case 'waiting_staff':
        return this.onWaiting(input.messageId);
      case 'survey':
        return this.onSurveyAnswer(msg);
      default:
        s.mode = 'menu';
        return this.showMenu();
    }
  }

  /** Where a global word would land: a free-text answer takes only the unambiguous commands. */
  private wordPlace(): WordPlace {
    const s = this.s;
    if (s.mode === 'form') return this.currentField()?.type === 'text' ? 'free_text' : 'form';
    if (s.mode === 'survey') {
      const q = s.survey && this.flow.survey.questions[s.survey.index];
      return q?.type === 'text' ? 'free_text' : 'form';
    }
    return 'anywhere';
  }

  private onGlobalWord(word: NonNullable<ReturnType<typeof globalWord>>, messageId: string) {
    const s = this.s;
    switch (word) {
      case 'english':
      case 'arabic':
      case 'language': {
        const lang: Lang = word === 'english' ? 'en' : word === 'arabic' ? 'ar' : this.lang === 'ar' ? 'en' : 'ar';
        this.setLang(lang);
        this.say(this.t('language_switched'));
        return this.reprompt();
      }
      case 'menu':
        if (s.mode === 'waiting_staff') {
          s.escalation = undefined;
          this.emit({ type: 'escalation_cancelled' });
          this.say(this.t('escalation_cancelled'));
        }
        s.survey = undefined;
        s.offer = undefined;
        s.mode = 'menu';
        s.notUnderstood = 0;
        return this.showMenu();
      case 'status':
        this.showStatus();
        return s.mode === 'menu' ? this.say(this.t('anything_else')) : this.reprompt();
      case 'agent':
        if (s.mode === 'waiting_staff') {
          this.emit({ type: 'message_for_staff', messageId });
          return this.say(this.t('already_waiting'));
        }
        return this.escalate('requested');
      case 'start':
        if (s.mode === 'waiting_staff') return this.onWaiting(messageId);
        this.greet();
        s.mode = s.mode === 'form' || s.mode === 'review' || s.mode === 'pick_correction' ? s.mode : 'menu';
        return this.reprompt();
      case 'stop':
        return this.optOut();
    }
  }

  // ── greeting, menu, FAQ ─────────────────────────────────────────────────

  private greet() {
    this.say(this.L(this.flow.greeting));
  }

  private setLang(lang: Lang) {
    if (this.s.lang !== lang) {
      this.s.lang = lang;
      this.emit({ type: 'language_changed', lang });
    }
  }

  private showMenu() {
    this.say(this.t('menu_hint'));
    this.offer(this.flow.menu.map((m) => ({ id: `m:${m.action}`, label: m.label[this.lang] })));
  }

  private menuAction(msg: Answer) {
    const menu = this.flow.menu;
    if (msg.choiceId?.startsWith('m:')) {
      const item = menu.find((m) => `m:${m.action}` === msg.choiceId);
      if (item) return item.action;
    }
    if (!msg.text) return undefined;
    const result = validateChoice(
      msg.text,
      menu.map((m) => ({ id: m.action, labels: [m.label.ar, m.label.en, ...(m.keywords?.ar ?? []), ...(m.keywords?.en ?? [])] })),
    );
    return result.ok ? (result.value as FlowFile['menu'][number]['action']) : undefined;
  }

  private onMenu(msg: Answer) {
    const action = this.menuAction(msg);
    if (action) {
      this.s.notUnderstood = 0;
      return this.doAction(action);
    }
    if (isGreeting(msg.text)) {
      this.greet();
      return this.showMenu();
    }
    if (this.answerFaq(msg.text)) return;
    this.notUnderstood(msg);
  }

  private doAction(action: FlowFile['menu'][number]['action']) {
    switch (action) {
      case 'apply':
        return this.startForm('intake');
      case 'volunteer':
        return this.startForm('volunteer');
      case 'faq':
        return this.showFaqList();
      case 'status':
        this.showStatus();
        return this.say(this.t('anything_else'));
      case 'agent':
        return this.escalate('requested');
      case 'survey':
        return this.startSurvey(undefined);
      case 'language':
        this.setLang(this.lang === 'ar' ? 'en' : 'ar');
        this.say(this.t('language_switched'));
        return this.showMenu();
    }
  }

  private showFaqList() {
    this.s.mode = 'faq';
    this.say(this.t('faq_list'));
    this.offer(this.flow.faq.map((f) => ({ id: `f:${f.id}`, label: f.question[this.lang] })));
  }

  private answerFaq(text: string): boolean {
    const entry = matchFaq(this.flow, text);
    if (!entry) return false;
    this.s.notUnderstood = 0;
    this.emit({ type: 'faq_answered', faq: entry.id });
    this.say(this.L(entry.answer));
    this.say(this.t('anything_else'));
    return true;
  }

  private onFaq(msg: Answer) {
    const faq = this.flow.faq;
    const byButton = msg.choiceId?.startsWith('f:') ? faq.find((f) => `f:${f.id}` === msg.choiceId) : undefined;
    const picked =
      byButton ??
      (/^\(?\d{1,2}[.)]?$/.test(msg.text)
        ? faq[Number(msg.text.replace(/\D/g, '')) - 1]
        : undefined);
    if (picked) {
      this.s.notUnderstood = 0;
      this.emit({ type: 'faq_answered', faq: picked.id });
      this.say(this.L(picked.answer));
      return this.say(this.t('anything_else'));
    }
    if (this.answerFaq(msg.text)) return;
    const action = this.menuAction({ text: msg.text, choiceId: msg.choiceId });
    if (action && !/^\d/.test(msg.text)) {
      this.s.mode = 'menu';
      return this.doAction(action);
    }
    this.notUnderstood(msg);
  }

  private notUnderstood(msg: Answer) {
    const s = this.s;
    s.notUnderstood++;
    this.emit({ type: 'not_understood', text: msg.text.slice(0, 200) });
    if (s.notUnderstood >= this.flow.escalation.max_not_understood) {
      s.notUnderstood = 0;
      return this.offerAgent('not_understood');
    }
    this.say(this.t('not_understood'));
    if (s.mode === 'faq') return this.showFaqList();
    s.mode = 'menu';
    this.showMenu();
  }

  // ── status ──────────────────────────────────────────────────────────────

  private showStatus() {
    this.emit({ type: 'status_requested' });
    const requests = [...this.ctx.requests].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt)).slice(0, 5);
    if (requests.length === 0) {
      this.say(this.t('status_none'));
    } else {
      const lines = requests.map((r) => {
        let line = this.t('status_line', { reference: r.reference, status: statusLabel(r.status, this.lang), date: this.localDay(r.submittedAt) });
        if (r.reason && (r.status === 'rejected' || r.status === 'more_info')) line += ` — ${r.reason}`;
        return line;
      });
      this.say([this.t('status_header'), ...lines].join('\n'));
    }
    const draft = this.s.drafts.intake;
    if (draft) {
      const apply = this.flow.menu.find((m) => m.action === 'apply');
      this.say(this.t('status_draft', { form: this.flow.intake.title[this.lang], ...this.progressOf(draft), apply: apply?.label[this.lang] ?? '' }));
    }
  }

  /** The day of a stored time in the association's time zone, YYYY-MM-DD. */
  private localDay(iso: string): string {
    return localDate(this.flow.working_hours.timezone, new Date(iso)) ?? String(iso).slice(0, 10);
  }

  // ── forms: intake and volunteering ──────────────────────────────────────

  private formOf(key: FormKey): Form | undefined {
    return key === 'intake' ? this.flow.intake : this.flow.volunteer;
  }

  private activeDraft(): { key: DraftKey; draft: FormProgress; form: Form } | undefined {
    const key = this.s.activeDraft;
    const draft = key ? this.s.drafts[key] : undefined;
    const form = draft ? this.formOf(draft.form) : undefined;
    return key && draft && form ? { key, draft, form } : undefined;
  }

  private progressOf(draft: FormProgress) {
    const form = this.formOf(draft.form);
    const total = draft.only?.length ?? form?.fields.length ?? 0;
    const done = draft.only ? draft.only.filter((id) => id in draft.data && draft.index > (form?.fields.findIndex((f) => f.id === id) ?? 0)).length : Math.min(draft.index, total);
    return { done, total };
  }

  private startForm(key: FormKey) {
    const form = this.formOf(key);
    if (!form) return this.showMenu();
    const s = this.s;
    const existing = s.drafts[key];
    s.activeDraft = key;
    s.mode = 'form';
    if (existing) {
      this.emit({ type: 'form_started', form: key, resumed: true });
      this.say(this.t('form_resumed', this.progressOf(existing)));
      if (existing.index >= form.fields.length) return this.showReview();
    } else {
      s.drafts[key] = { form: key, index: 0, data: {}, failures: 0, reminded: false, startedAt: this.ctx.now.toISOString() };
      this.emit({ type: 'form_started', form: key, resumed: false });
      this.say(this.L(form.intro));
    }
    this.requestReminder();
    this.promptField();
  }

  private requestReminder() {
    this.emit({ type: 'timer_requested', name: 'intake_reminder', delayMs: this.flow.timers.intake_reminder_hours * 3600_000 });
  }

  private currentField(): Field | undefined {
    const active = this.activeDraft();
    return active?.form.fields[active.draft.index];
  }

  private promptField() {
    this.tick();
    const field = this.currentField();
    if (!field) return this.showReview();
    let text = this.L(field.prompt);
    if (!field.required) text += `\n${this.t('skip_hint')}`;
    this.say(text);
    if (field.type === 'choice') this.offer(field.options.map((o) => ({ id: `o:${o.id}`, label: o.label[this.lang] })));
  }

  private welcomeBack() {
    const active = this.activeDraft();
    if (active) this.say(this.t('welcome_back', { form: active.form.title[this.lang], ...this.progressOf(active.draft) }));
    this.reprompt();
  }

  private onFormAnswer(msg: Answer, paused: boolean) {
    const active = this.activeDraft();
    const field = this.currentField();
    if (!active || !field) {
      this.s.mode = 'menu';
      return this.showMenu();
    }
    const { key, draft } = active;
    if (paused && isGreeting(msg.text) && !msg.media) return this.welcomeBack();
    if (!field.required && !msg.media && isSkipWord(msg.text)) {
      draft.data[field.id] = { value: null, display: this.t('skipped') };
      this.emit({ type: 'field_skipped', form: draft.form, field: field.id });
      return this.nextField(key);
    }
    if (msg.media && field.type !== 'media') {
      this.say(this.t('media_not_here'));
      return this.promptField();
    }
    const choiceId = msg.choiceId?.startsWith('o:') ? msg.choiceId.slice(2) : undefined;
    const result = validateField(field, { text: msg.text, media: msg.media, choiceId }, this.ctx.now, this.lang);
    if (result.ok) {
      draft.data[field.id] = { value: result.value, display: result.display };
      draft.failures = 0;
      this.emit({ type: 'field_accepted', form: draft.form, field: field.id, fieldType: field.type, value: result.value });
      if (field.type === 'media') this.say(this.t('media_received'));
      return this.nextField(key);
    }
    if (paused) return this.welcomeBack();
    // A question in the middle of the form gets its answer, and the form goes on.
    if (field.type !== 'text' && /[?؟]\s*$/.test(msg.text) && this.answerFaqInline(msg.text)) return this.promptField();
    draft.failures++;
    this.emit({ type: 'field_rejected', form: draft.form, field: field.id, code: result.code, failures: draft.failures });
    this.say(rejectionText(field, result, this.lang, (example) => this.t('example', { example })));
    if (draft.failures >= this.flow.escalation.max_failed_answers) {
      draft.failures = 0;
      return this.offerAgent('failed_answers', field.id);
    }
    if (field.type === 'choice') this.offer(field.options.map((o) => ({ id: `o:${o.id}`, label: o.label[this.lang] })));
  }

  private answerFaqInline(text: string): boolean {
    const entry = matchFaq(this.flow, text);
    if (!entry) return false;
    this.emit({ type: 'faq_answered', faq: entry.id });
    this.say(this.L(entry.answer));
    return true;
  }

  private nextField(key: DraftKey) {
    this.tick();
    const draft = this.s.drafts[key];
    const form = draft && this.formOf(draft.form);
    if (!draft || !form) return this.showMenu();
    this.requestReminder();
    if (draft.correcting) {
      draft.correcting = undefined;
      draft.index = form.fields.length;
      return this.showReview();
    }
    if (draft.only) {
      const next = form.fields.findIndex((f, i) => i > draft.index && draft.only!.includes(f.id));
      draft.index = next === -1 ? form.fields.length : next;
    } else {
      // The next field without an answer: after a jump back (staff resuming at a field, or a
      // missing field found at the review) the answers already given are not asked again.
      const next = form.fields.findIndex((f, i) => i > draft.index && !(f.id in draft.data));
      draft.index = next === -1 ? form.fields.length : next;
    }
    if (draft.index >= form.fields.length) return this.showReview();
    this.promptField();
  }

  /**
   * Index of the first field that must still be answered before the review can be confirmed,
   * or -1: a required field without an answer, or, for corrections staff asked for, a named
   * field not given again yet.
   */
  private firstMissing(draft: FormProgress, form: Form): number {
    return form.fields.findIndex((f, i) => {
      if (draft.only) return draft.only.includes(f.id) && (!(f.id in draft.data) || (!draft.correcting && i >= draft.index));
      return f.required && !(f.id in draft.data);
    });
  }

  /** Sends the beneficiary to the first missing field; false when nothing is missing. */
  private askMissing(active: { draft: FormProgress; form: Form }): boolean {
    const missing = this.firstMissing(active.draft, active.form);
    if (missing < 0) return false;
    active.draft.index = missing;
    active.draft.correcting = undefined;
    active.draft.failures = 0;
    this.s.mode = 'form';
    this.say(this.t('form_incomplete'));
    this.promptField();
    return true;
  }

  private summary(form: Form, data: Record<string, FieldValue>): string {
    return form.fields
      .map((f, i) => `${i + 1}. ${f.label[this.lang]}: ${displayOf(f, data[f.id], this.lang) ?? this.t('skipped')}`)
      .join('\n');
  }

  private showReview() {
    const active = this.activeDraft();
    if (!active) {
      this.s.mode = 'menu';
      return this.showMenu();
    }
    // Never show a review that could be confirmed with required answers missing.
    if (this.askMissing(active)) return;
    this.s.mode = 'review';
    const isIntake = active.draft.form === 'intake';
    const parts = [this.t('review_intro'), this.summary(active.form, active.draft.data)];
    if (isIntake) parts.push(this.L(this.flow.attestation));
    this.say(parts.join('\n\n'));
    this.offer([
      { id: 'r:confirm', label: this.t(isIntake ? 'review_confirm' : 'review_volunteer_confirm') },
      { id: 'r:correct', label: this.t('review_correct') },
    ]);
  }

  private onReview(msg: Answer) {
    const pick = msg.choiceId ?? (isYes(msg.text) ? 'r:confirm' : choiceByNumber(msg.text, ['r:confirm', 'r:correct']));
    const correctWords = validateChoice(msg.text, [{ id: 'r:correct', labels: [say('review_correct', 'ar'), say('review_correct', 'en'), 'تعديل', 'تصحيح', 'correct', 'edit', 'change'] }]);
    if (pick === 'r:confirm') return this.submit();
    if (pick === 'r:correct' || (correctWords.ok && msg.text.length > 2) || isNo(msg.text)) return this.showPickCorrection();
    this.say(this.t('review_choose'));
    this.showReviewChoicesOnly();
  }

  private showReviewChoicesOnly() {
    const isIntake = this.activeDraft()?.draft.form === 'intake';
    this.offer([
      { id: 'r:confirm', label: this.t(isIntake ? 'review_confirm' : 'review_volunteer_confirm') },
      { id: 'r:correct', label: this.t('review_correct') },
    ]);
  }

  private showPickCorrection() {
    const active = this.activeDraft();
    if (!active) return this.showMenu();
    this.s.mode = 'pick_correction';
    const fields = this.correctableFields(active.draft, active.form);
    this.say(this.t('pick_correction'));
    this.offer(fields.map((f) => ({ id: `c:${f.id}`, label: f.label[this.lang] })));
  }

  /** Corrections staff asked for may only touch the named fields. */
  private correctableFields(draft: FormProgress, form: Form): Field[] {
    return draft.only ? form.fields.filter((f) => draft.only!.includes(f.id)) : form.fields;
  }

  private onPickCorrection(msg: Answer) {
    const active = this.activeDraft();
    if (!active) return this.showMenu();
    const fields = this.correctableFields(active.draft, active.form);
    const byButton = msg.choiceId?.startsWith('c:') ? fields.find((f) => `c:${f.id}` === msg.choiceId) : undefined;
    const result = byButton ? undefined : validateChoice(msg.text, fields.map((f) => ({ id: f.id, labels: [f.label.ar, f.label.en] })));
    const field = byButton ?? (result?.ok ? fields.find((f) => f.id === result.value) : undefined);
    if (!field) return this.showPickCorrection();
    active.draft.correcting = field.id;
    active.draft.index = active.form.fields.indexOf(field);
    active.draft.failures = 0;
    this.s.mode = 'form';
    this.promptField();
  }

  private submit() {
    const active = this.activeDraft();
    if (!active) return this.showMenu();
    // A request with required answers missing is never submitted.
    if (this.askMissing(active)) return;
    const { key, draft } = active;
    const s = this.s;
    const attestationText = draft.form === 'intake' ? this.L(this.flow.attestation) : this.t('review_volunteer_confirm');
    const values = Object.fromEntries(Object.entries(draft.data).map(([k, v]) => [k, v.value]));
    const sha256 = createHash('sha256')
      .update(canonicalJson({ association: this.flow.id, form: draft.form, data: values, attestation: attestationText }))
      .digest('hex');
    const attestation = { text: attestationText, at: this.ctx.now.toISOString(), channel: this.ctx.channel, messageId: this.messageId, sha256 };
    delete s.drafts[key];
    s.activeDraft = undefined;
    s.mode = 'menu';
    if (draft.reference) {
      this.emit({ type: 'request_submitted', form: draft.form, reference: draft.reference, data: draft.data, attestation, corrects: draft.reference });
      this.say(this.t('corrections_done', { reference: draft.reference }));
    } else {
      const reference = this.ctx.nextReference(draft.form);
      this.emit({ type: 'request_submitted', form: draft.form, reference, data: draft.data, attestation });
      this.say(draft.form === 'intake' ? this.L(this.flow.submitted, { reference }) : this.t('volunteer_done', { reference }));
    }
    if (s.pendingSurvey) this.startSurvey(s.pendingSurvey.reference);
  }

  // ── escalation ──────────────────────────────────────────────────────────

  private offerAgent(reason: EscalationReason, field?: string) {
    const s = this.s;
    s.offer = { reason, returnTo: s.mode === 'offer_agent' ? (s.offer?.returnTo ?? 'menu') : s.mode, ...(field ? { field } : {}) };
    s.mode = 'offer_agent';
    this.say(this.t('offer_agent'));
    this.offer([
      { id: 'a:yes', label: this.t('offer_agent_yes') },
      { id: 'a:no', label: this.t('offer_agent_no') },
    ]);
  }

  private onOfferAgent(msg: Answer) {
    const s = this.s;
    const offer = s.offer ?? { reason: 'not_understood' as const, returnTo: 'menu' as Mode };
    const pick = msg.choiceId ?? choiceByNumber(msg.text, ['a:yes', 'a:no']) ?? (isYes(msg.text) ? 'a:yes' : isNo(msg.text) ? 'a:no' : undefined);
    if (pick === 'a:yes') return this.escalate(offer.reason, offer.field);
    if (pick === 'a:no') {
      s.offer = undefined;
      s.mode = offer.returnTo;
      s.notUnderstood = 0;
      return this.reprompt();
    }
    // Anything else: go back to the step and take it as an answer there.
    s.offer = undefined;
    s.mode = offer.returnTo;
    return s.mode === 'form' ? this.onFormAnswer(msg, false) : s.mode === 'faq' ? this.onFaq(msg) : this.onMenu(msg);
  }

  private escalate(reason: EscalationReason, field?: string) {
    const s = this.s;
    s.mode = 'waiting_staff';
    s.offer = undefined;
    s.escalation = { reason, at: this.ctx.now.toISOString(), acked: false, ...(field ? { field } : {}) };
    this.emit({ type: 'escalated', reason, ...(field ? { field } : {}) });
    const open = isWorkingTime(this.flow.working_hours, this.ctx.now);
    this.say(this.t(open ? 'escalated_open' : 'escalated_closed', { hours: describeHours(this.flow.working_hours, this.lang) }));
  }

  private onWaiting(messageId: string) {
    const esc = this.s.escalation;
    this.emit({ type: 'message_for_staff', messageId });
    if (esc && !esc.acked) {
      esc.acked = true;
      this.say(this.t('waiting_ack'));
    }
  }

  private onStaffClaimed(staffId: string, staffName?: string) {
    const s = this.s;
    s.escalation = { ...(s.escalation ?? { reason: 'staff_initiated', at: this.ctx.now.toISOString(), acked: true }), staffId };
    s.mode = 'with_staff';
    s.offer = undefined;
    this.emit({ type: 'staff_claimed', staffId });
    this.say(this.t('staff_joined', { who: staffName ?? this.flow.officer[this.lang] }));
  }

  private onStaffReleased(resumeAt: NonNullable<Extract<Input, { type: 'staff_released' }>['resumeAt']>) {
    const s = this.s;
    s.escalation = undefined;
    this.emit({ type: 'staff_released', resumeAt: typeof resumeAt === 'string' ? resumeAt : `field:${resumeAt.field}` });
    this.say(this.t('staff_released'));
    const active = this.activeDraft() ?? this.firstDraft();
    if (resumeAt === 'menu' || !active) {
      s.mode = 'menu';
      return this.showMenu();
    }
    s.activeDraft = active.key;
    if (typeof resumeAt === 'object') {
      const index = active.form.fields.findIndex((f) => f.id === resumeAt.field);
      if (index >= 0) active.draft.index = index;
    }
    active.draft.failures = 0;
    if (resumeAt === 'review' || active.draft.index >= active.form.fields.length) return this.showReview();
    s.mode = 'form';
    this.promptField();
  }

  private firstDraft() {
    for (const key of ['correction', 'intake', 'volunteer'] as const) {
      if (this.s.drafts[key]) {
        this.s.activeDraft = key;
        return this.activeDraft();
      }
    }
    return undefined;
  }

  private onStaffResolved() {
    const s = this.s;
    s.escalation = undefined;
    s.mode = 'menu';
    this.emit({ type: 'staff_resolved' });
    this.say(this.t('staff_resolved'));
    if (s.pendingSurvey) this.startSurvey(s.pendingSurvey.reference);
  }

  // ── decisions and corrections ───────────────────────────────────────────

  private onDecision(reference: string, outcome: 'accepted' | 'rejected', reason?: string) {
    const held = this.s.mode === 'opted_out';
    this.emit({ type: 'decision_sent', reference, outcome, held });
    if (held) return;
    this.say(this.t(outcome === 'accepted' ? 'decision_accepted' : 'decision_rejected', { reference, reason: reason ?? '—' }));
  }

  private onCorrectionsRequested(reference: string, fields: string[], data: Record<string, FieldValue>, note?: string) {
    const s = this.s;
    const form = this.flow.intake;
    const only = form.fields.filter((f) => fields.includes(f.id)).map((f) => f.id);
    if (only.length === 0) return;
    const first = form.fields.findIndex((f) => f.id === only[0]);
    s.drafts.correction = { form: 'intake', index: first, data: { ...data }, failures: 0, only, reference, reminded: false, startedAt: this.ctx.now.toISOString() };
    if (s.mode === 'opted_out') return;
    const labels = form.fields.filter((f) => only.includes(f.id)).map((f) => f.label[this.lang]).join('، ');
    this.say(this.t('corrections_intro', { reference, fields: labels }) + (note ? `\n${note}` : ''));
    if (s.mode === 'with_staff' || s.mode === 'waiting_staff') return;
    s.activeDraft = 'correction';
    s.mode = 'form';
    this.requestReminder();
    this.promptField();
  }

  // ── survey ──────────────────────────────────────────────────────────────

  private onSurveyInvite(reference?: string) {
    const s = this.s;
    if (s.mode === 'opted_out') return this.emit({ type: 'survey_deferred', reason: 'opted_out', ...(reference ? { reference } : {}) });
    if (s.mode === 'menu' || s.mode === 'faq' || s.mode === 'new') return this.startSurvey(reference);
    s.pendingSurvey = reference ? { reference } : {};
    this.emit({ type: 'survey_deferred', reason: 'busy', ...(reference ? { reference } : {}) });
  }

  private startSurvey(reference: string | undefined) {
    const s = this.s;
    s.pendingSurvey = undefined;
    s.survey = { index: 0, answers: {}, reminded: false, ...(reference ? { reference } : {}) };
    s.mode = 'survey';
    this.emit({ type: 'survey_started', ...(reference ? { reference } : {}) });
    this.emit({ type: 'timer_requested', name: 'survey_reminder', delayMs: this.flow.timers.survey_reminder_hours * 3600_000 });
    this.say(this.L(this.flow.survey.intro));
    this.askSurveyQuestion();
  }

  private askSurveyQuestion() {
    const survey = this.s.survey;
    const q = survey && this.flow.survey.questions[survey.index];
    if (!q) return this.finishSurvey();
    let text = this.L(q.prompt);
    if (q.type === 'text' && !q.required) text += `\n${this.t('skip_hint')}`;
    this.say(text);
    if (q.type === 'rating') this.offer(ratingChoices(q.scale, this.lang));
  }

  private onSurveyAnswer(msg: Answer) {
    const survey = this.s.survey;
    const q = survey && this.flow.survey.questions[survey.index];
    if (!survey || !q) return this.finishSurvey();
    let answer: number | string | null;
    if (q.type === 'rating') {
      const stars = [...msg.text].filter((c) => c === '⭐' || c === '★').length;
      const fromButton = msg.choiceId?.startsWith('s:') ? Number(msg.choiceId.slice(2)) : NaN;
      const fromText = validateInteger(msg.text, { min: 1, max: q.scale });
      const value = Number.isInteger(fromButton) && fromButton >= 1 && fromButton <= q.scale ? fromButton : fromText.ok ? fromText.value : stars >= 1 && stars <= q.scale ? stars : undefined;
      if (value === undefined) {
        this.say(this.t('survey_rating_reason', { scale: q.scale }));
        return this.offer(ratingChoices(q.scale, this.lang));
      }
      answer = value;
    } else if (!q.required && isSkipWord(msg.text)) {
      answer = null;
    } else {
      const result = validateText(msg.text, { min: 1, max: q.max });
      if (!result.ok) {
        this.say(rejectionText({ type: 'text' } as Field, result, this.lang, (example) => this.t('example', { example })));
        return;
      }
      answer = result.value;
    }
    survey.answers[q.id] = answer;
    this.emit({ type: 'survey_answered', question: q.id, answer, ...(survey.reference ? { reference: survey.reference } : {}) });
    survey.index++;
    this.askSurveyQuestion();
  }

  private finishSurvey() {
    const s = this.s;
    const survey = s.survey;
    s.survey = undefined;
    s.mode = 'menu';
    if (survey) this.emit({ type: 'survey_completed', answers: survey.answers, ...(survey.reference ? { reference: survey.reference } : {}) });
    this.say(this.L(this.flow.survey.thanks));
  }

  // ── timers, opt-out ─────────────────────────────────────────────────────

  private onIntakeReminder() {
    const s = this.s;
    const active = this.activeDraft() ?? this.firstDraft();
    const idle = s.lastInputAt === null ? Infinity : this.ctx.now.getTime() - Date.parse(s.lastInputAt);
    const due = idle >= this.flow.timers.intake_reminder_hours * 3600_000 * 0.9;
    if (!active || active.draft.reminded || !due || ['opted_out', 'waiting_staff', 'with_staff', 'survey'].includes(s.mode)) {
      return this.emit({ type: 'timer_ignored', name: 'intake_reminder' });
    }
    active.draft.reminded = true;
    this.say(this.t('reminder_form', { form: active.form.title[this.lang] }));
    if (s.mode === 'form' || s.mode === 'review' || s.mode === 'pick_correction') this.reprompt();
  }

  private onSurveyReminder() {
    const s = this.s;
    if (s.mode !== 'survey' || !s.survey || s.survey.reminded) return this.emit({ type: 'timer_ignored', name: 'survey_reminder' });
    s.survey.reminded = true;
    this.say(this.t('survey_reminder'));
    this.askSurveyQuestion();
  }

  private optOut() {
    const s = this.s;
    if (s.mode === 'waiting_staff') s.escalation = undefined;
    s.mode = 'opted_out';
    s.survey = undefined;
    s.offer = undefined;
    this.emit({ type: 'opted_out' });
    this.say(this.t('opted_out'));
  }

  private optIn() {
    this.s.mode = 'menu';
    this.emit({ type: 'opted_in' });
    this.say(this.t('opted_in'));
    this.showMenu();
  }

  /** Asks again whatever the current step asks. */
  private reprompt() {
    this.tick();
    switch (this.s.mode) {
      case 'form':
        return this.promptField();
      case 'review':
        return this.showReview();
      case 'pick_correction':
        return this.showPickCorrection();
      case 'faq':
        return this.showFaqList();
      case 'offer_agent':
        return this.offerAgent(this.s.offer?.reason ?? 'not_understood', this.s.offer?.field);
      case 'survey':
        return this.askSurveyQuestion();
      case 'waiting_staff':
        return this.say(this.t('already_waiting'));
      case 'with_staff':
        return;
      case 'opted_out':
        return this.say(this.t('opted_out_notice'));
      default:
        this.s.mode = 'menu';
        return this.showMenu();
    }
  }
}

interface Answer {
  text: string;
  media?: MediaRef | undefined;
  choiceId?: string | undefined;
}

const RATING_LABELS: Record<Lang, string[]> = {
  ar: ['ضعيف جدًا', 'ضعيف', 'مقبول', 'جيد', 'ممتاز'],
  en: ['Very poor', 'Poor', 'Fair', 'Good', 'Excellent'],
};

function ratingChoices(scale: number, lang: Lang): Choice[] {
  return Array.from({ length: scale }, (_, i) => ({
    id: `s:${i + 1}`,
    label: scale === 5 ? `${RATING_LABELS[lang][i]}` : String(i + 1),
  }));
}

/** "1", "١", "(2)", "2." → the id at that 1-based position. */
function choiceByNumber(text: string, ids: string[]): string | undefined {
  const result = validateInteger(text.replace(/[().]/g, ''), { min: 1, max: ids.length });
  return result.ok ? ids[result.value - 1] : undefined;
}

/** JSON with object keys sorted at every level, so equal data always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
