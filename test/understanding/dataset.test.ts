/**
 * The phrase dataset: every YAML file in this folder is a list of messages written the way
 * beneficiaries in Saudi Arabia write (MSA, Gulf, English, Arabizi), each with the step it
 * arrives at and what the bot must make of it. The runner drives the real engine to that
 * step (valid answers for the earlier fields, a fixed clock, a reference counter), sends the
 * message, and classifies the engine's events as the contract (/work/notes/CONTRACT.md) says.
 *
 * The engine's `understood` event decides when it is there; until it is, the classifier
 * reads the concrete events (escalated, opted_out, status_requested, language_changed,
 * field_accepted, faq_answered, request_submitted, the mode after the step), so the same
 * dataset measures the engine as it is today.
 *
 * The threshold is over all cases together; a table of rates per intent, step and dialect
 * is printed and written to test-artifacts/understanding-report.json with every failure.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { FlowFile } from '../../src/flows/schema.ts';
import { advance, initialState } from '../../src/engine/advance.ts';
import { say } from '../../src/engine/messages.ts';
import type { Context, ConversationState, EngineEvent, Input, Lang } from '../../src/engine/types.ts';
import { validAnswers } from '../support/answers.ts';
import { FLOWS, ROOT } from '../support/scenario.ts';

/** A folder of cases, the share of them that must be understood, and where its report goes. */
interface Suite {
  name: string;
  dir: string;
  threshold: number;
  report: string;
}
/**
 * The team's dataset (98 %), and the held-out set a helper wrote without reading the dataset or
 * the lexicon (holdout/, 90 %: measured at 88.2 % before any fix aimed at it). Another folder can
 * be run instead: UNDERSTANDING_CASES_DIR=/path (98 %, report understanding-cases-report.json).
 */
const SUITES: Suite[] = process.env.UNDERSTANDING_CASES_DIR
  ? [{ name: 'cases', dir: process.env.UNDERSTANDING_CASES_DIR, threshold: 0.98, report: 'test-artifacts/understanding-cases-report.json' }]
  : [
      { name: 'phrase dataset', dir: join(ROOT, 'test/understanding'), threshold: 0.98, report: 'test-artifacts/understanding-report.json' },
      { name: 'held-out set', dir: join(ROOT, 'test/understanding/holdout'), threshold: 0.9, report: 'test-artifacts/understanding-holdout-report.json' },
    ];
const NOW = new Date('2026-11-22T09:00:00+03:00');
const ORGS = [...FLOWS.keys()].sort();

const INTENTS = ['agent', 'status', 'menu', 'stop', 'start', 'language', 'help', 'greeting', 'thanks', 'yes', 'no', 'correct'] as const;
type Intent = (typeof INTENTS)[number];
const ACTIONS = ['apply', 'faq', 'status', 'volunteer', 'agent', 'survey', 'language'] as const;

const At = z
  .string()
  .regex(/^(menu|new|faq|review|offer_agent|waiting|opted_out|survey:[a-z_]+|field:[a-z_]+|volunteer:[a-z_]+)$/, 'a step: menu, new, faq, review, offer_agent, waiting, opted_out, survey:<id>, field:<id>, volunteer:<id>');
const Expect = z.union([
  z.enum(INTENTS),
  z.enum(['answer', 'reject', 'none']),
  z.string().regex(/^faq:[a-z_]+$/),
  z.string().regex(new RegExp(`^action:(${ACTIONS.join('|')})$`)),
]);
const Case = z
  .object({
    text: z.union([z.string(), z.number()]).transform(String),
    at: At,
    expect: Expect,
    dialect: z.enum(['msa', 'gulf', 'en', 'arabizi', 'mixed']),
    org: z.string().default('qalam'),
    value: z.unknown().optional(),
    /** The conversation's language before the message (default Arabic); for switches to Arabic. */
    lang: z.enum(['ar', 'en']).optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((c) => c.value === undefined || c.expect === 'answer', { message: 'value is only for expect: answer' });
type Case = z.infer<typeof Case>;
const File = z.object({ cases: z.array(z.unknown()).min(1) }).strict();

interface Dataset {
  files: string[];
  cases: Loaded[];
  problems: string[];
}

interface Loaded {
  file: string;
  index: number;
  c: Case;
}

/** Every case of every file, validated; a bad case names its file and index. */
function loadDataset(DIR: string): Dataset {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
  const cases: Loaded[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(join(DIR, file), 'utf8'));
    } catch (err) {
      problems.push(`${file}: not valid YAML: ${(err as Error).message}`);
      continue;
    }
    const top = File.safeParse(doc);
    if (!top.success) {
      problems.push(`${file}: ${top.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      continue;
    }
    top.data.cases.forEach((raw, index) => {
      const parsed = Case.safeParse(raw);
      if (!parsed.success) {
        const text = (raw as { text?: unknown })?.text;
        problems.push(`${file} case #${index} (${JSON.stringify(text)}): ${parsed.error.issues.map((i) => `${i.path.join('.') || '(case)'}: ${i.message}`).join('; ')}`);
        return;
      }
      const c = parsed.data;
      if (c.org !== 'all' && !FLOWS.has(c.org)) problems.push(`${file} case #${index}: unknown org '${c.org}'`);
      else cases.push({ file, index, c });
    });
  }
  return { files, cases, problems };
}

// ---------------------------------------------------------------------------------------
// Driving the real engine to a step

let refCounter = 0;
let msgCounter = 0;

function ctx(): Context {
  return {
    now: NOW,
    nextReference: (form) => `${form === 'intake' ? 'T' : 'V'}-${String(++refCounter).padStart(5, '0')}`,
    requests: [{ reference: 'QLM-2026-00017', form: 'intake', status: 'committee', submittedAt: '2026-11-01T10:00:00.000Z' }],
    channel: 'whatsapp',
  };
}

function message(text: string, extra: Partial<Extract<Input, { type: 'message' }>> = {}): Input {
  return { type: 'message', messageId: `m${++msgCounter}`, text, ...extra };
}

const FILE_REF = { id: 'media-1', mime: 'application/pdf', size: 20_000, filename: 'id-card.pdf' };

class Drive {
  state: ConversationState;
  constructor(
    readonly flow: FlowFile,
    lang: Lang,
  ) {
    this.state = initialState(lang, NOW);
  }
  send(input: Input): EngineEvent[] {
    const r = advance(this.flow, this.state, input, ctx());
    this.state = r.state;
    return r.events;
  }
  say(text: string, extra: Partial<Extract<Input, { type: 'message' }>> = {}) {
    return this.send(message(text, extra));
  }
  /** Answers the form's fields in order until `stop` (a field id) is the current one, or all. */
  fill(form: 'intake' | 'volunteer', stop?: string) {
    const fields = (form === 'intake' ? this.flow.intake : this.flow.volunteer!).fields;
    const answers = validAnswers(this.flow, form, NOW);
    if (stop && !fields.some((f) => f.id === stop)) throw new Error(`${this.flow.id}: no ${form} field '${stop}'`);
    for (let i = 0; i < fields.length; i++) {
      if (fields[i]!.id === stop) return;
      const a = answers[i]!;
      const events = 'file' in a ? this.send({ type: 'message', messageId: `m${++msgCounter}`, media: FILE_REF }) : this.say(a.text);
      if (!events.some((e) => e.type === 'field_accepted' && e.field === fields[i]!.id)) {
        throw new Error(`${this.flow.id}: the valid answer to ${fields[i]!.id} was not accepted: ${JSON.stringify(events.map((e) => e.type))}`);
      }
    }
  }
  expectMode(mode: string, at: string) {
    if (this.state.mode !== mode) throw new Error(`${this.flow.id}: could not reach ${at} (mode is ${this.state.mode}, wanted ${mode})`);
  }
}

/** The state at a step, built once per association, language and step. */
const stateCache = new Map<string, ConversationState>();
function stateAt(flow: FlowFile, at: string, lang: Lang): ConversationState {
  const key = `${flow.id}|${at}|${lang}`;
  const hit = stateCache.get(key);
  if (hit) return structuredClone(hit);
  const d = new Drive(flow, lang);
  if (at !== 'new') {
    d.say(lang === 'ar' ? 'السلام عليكم' : 'hello');
    d.expectMode('menu', at);
  }
  if (at === 'faq') {
    d.say('', { choiceId: 'm:faq' });
    d.expectMode('faq', at);
  } else if (at.startsWith('field:') || at.startsWith('volunteer:') || at === 'review') {
    const form = at.startsWith('volunteer:') ? 'volunteer' : 'intake';
    d.say('', { choiceId: `m:${form === 'intake' ? 'apply' : 'volunteer'}` });
    d.fill(form, at === 'review' ? undefined : at.slice(at.indexOf(':') + 1));
    d.expectMode(at === 'review' ? 'review' : 'form', at);
  } else if (at === 'offer_agent') {
    // Per the flow's escalation settings: the national ID refused max_failed_answers times.
    d.say('', { choiceId: 'm:apply' });
    d.fill('intake', 'national_id');
    for (let i = 0; i < flow.escalation.max_failed_answers; i++) d.say('abc');
    d.expectMode('offer_agent', at);
  } else if (at === 'waiting') {
    d.say('', { choiceId: 'm:agent' });
    d.expectMode('waiting_staff', at);
  } else if (at === 'opted_out') {
    d.say('stop');
    d.expectMode('opted_out', at);
  } else if (at.startsWith('survey:')) {
    const id = at.slice('survey:'.length);
    const questions = flow.survey.questions;
    if (!questions.some((q) => q.id === id)) throw new Error(`${flow.id}: no survey question '${id}'`);
    d.send({ type: 'survey_invite', reference: 'T-00001' });
    d.expectMode('survey', at);
    for (const q of questions) {
      if (q.id === id) break;
      d.say(q.type === 'rating' ? '4' : 'شكرا');
    }
  }
  stateCache.set(key, d.state);
  return structuredClone(d.state);
}

// ---------------------------------------------------------------------------------------
// Classifying what the engine did

interface Outcome {
  /** Every reading the events support (the contract's labels). */
  labels: Set<string>;
  /** What to print as "got". */
  got: string;
  reason: string;
  source: 'understood' | 'events';
}

type Understood = { type: 'understood'; as: string; reason: string };

function classify(flow: FlowFile, at: string, before: ConversationState, after: ConversationState, events: EngineEvent[], reply: { text: string; choices: string[] }): Outcome {
  const labels = new Set<string>();
  const has = (t: EngineEvent['type']) => events.some((e) => e.type === t);
  const atMenu = at === 'menu' || at === 'new' || at === 'faq';
  const lang = before.lang;
  if (has('escalated')) {
    labels.add('agent');
    if (atMenu) labels.add('action:agent');
    if (at === 'offer_agent') labels.add('yes');
  }
  if (at === 'waiting' && reply.text.includes(say('already_waiting', lang, { officer: flow.officer[lang] }).slice(0, 20))) labels.add('agent');
  if (has('opted_out')) labels.add('stop');
  if (has('opted_in')) labels.add('start');
  if (has('status_requested')) {
    labels.add('status');
    if (atMenu) labels.add('action:status');
  }
  if (has('language_changed')) {
    labels.add('language');
    if (atMenu) labels.add('action:language');
  }
  if (has('request_submitted') && at === 'review') labels.add('yes');
  if (at === 'review' && after.mode === 'pick_correction') {
    labels.add('no');
    labels.add('correct');
  }
  if (at === 'offer_agent' && !has('escalated') && after.mode === before.offer?.returnTo && !has('field_accepted') && !has('field_rejected') && !has('not_understood')) {
    labels.add('no');
  }
  for (const e of events) if (e.type === 'faq_answered') labels.add(`faq:${e.faq}`);
  // Two close FAQs offered as buttons count for either of them.
  if (events.some((e) => (e as unknown as Understood).type === 'understood' && (e as unknown as Understood).as === 'faq_choice')) {
    for (const c of reply.choices) if (c.startsWith('f:')) labels.add(`faq:${c.slice(2)}`);
  }
  for (const e of events) {
    if (e.type === 'form_started') labels.add(e.form === 'intake' ? 'action:apply' : 'action:volunteer');
    if (e.type === 'survey_started') labels.add('action:survey');
  }
  if (after.mode === 'faq' && before.mode !== 'faq') labels.add('action:faq');
  // A skipped optional question ("ما عندي", "لا يوجد") was taken as its answer too.
  if (has('field_accepted') || has('survey_answered') || has('field_skipped')) labels.add('answer');
  if (has('field_rejected')) labels.add('reject');
  const greetingShown = reply.text.includes(flow.greeting[lang].slice(0, 25));
  const menuShown = after.mode === 'menu' && reply.choices.some((c) => c.startsWith('m:')) && !has('not_understood');
  if (menuShown && greetingShown) {
    labels.add('greeting');
    // The first message of a conversation is always greeted; with nothing else done, it read as the menu too.
    if (at === 'new' && events.every((e) => e.type === 'reply' || (e as unknown as Understood).type === 'understood')) labels.add('menu');
  } else if (menuShown && (before.mode !== 'menu' || at === 'menu')) labels.add('menu');

  const understood = events.find((e) => (e as unknown as Understood).type === 'understood') as Understood | undefined;
  const intentLike = [...labels].some((l) => (INTENTS as readonly string[]).includes(l) || l === 'action:agent' || l === 'action:status' || l === 'action:language');
  if (understood) {
    const as = understood.as;
    if (as.startsWith('intent:')) {
      const intent = as.slice('intent:'.length);
      // Intents without an effect of their own are read from the event; the others need their effect too.
      const effectless = ['greeting', 'thanks', 'help'].includes(intent) || (['yes', 'no', 'correct'].includes(intent) && at !== 'review' && at !== 'offer_agent');
      if (effectless) labels.add(intent);
      if (intent === 'correct' && labels.has('no')) labels.add('correct');
      const got = labels.has(intent) ? intent : `${intent} (without its effect)`;
      return { labels, got, reason: understood.reason, source: 'understood' };
    }
    if (!has('escalated') && !has('opted_out') && !has('request_submitted')) labels.add('none');
    return { labels, got: `${as}${labels.size ? ` [${[...labels].join(',')}]` : ''}`, reason: understood.reason, source: 'understood' };
  }
  if (!intentLike) labels.add('none');
  const events_ = events.map((e) => e.type).filter((t) => t !== 'reply' && t !== 'timer_requested');
  return { labels, got: [...labels].join(',') || '(nothing)', reason: `no understood event; events: ${events_.join(',') || '-'}; mode ${before.mode}→${after.mode}`, source: 'events' };
}

/**
 * A stored value as the dataset writes it: a date by its ISO day, an ID by its number
 * (the validators keep the calendar and the ID kind beside them).
 */
function comparable(value: unknown): unknown {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.iso === 'string') return v.iso;
    if (typeof v.id === 'string' && 'kind' in v) return v.id;
  }
  return value;
}

function acceptedValue(events: EngineEvent[]): { has: boolean; value: unknown } {
  for (const e of events) {
    if (e.type === 'field_accepted') return { has: true, value: comparable(e.value) };
    if (e.type === 'survey_answered') return { has: true, value: e.answer };
    if (e.type === 'field_skipped') return { has: true, value: null };
  }
  return { has: false, value: undefined };
}

interface Result {
  file: string;
  index: number;
  org: string;
  text: string;
  at: string;
  step: string;
  expect: string;
  dialect: string;
  ok: boolean;
  got: string;
  reason: string;
  note?: string;
}

/** The step a case measures, with field ids folded into their kind for the per-step table. */
function stepKind(flow: FlowFile, at: string): string {
  if (at.startsWith('field:') || at.startsWith('volunteer:')) {
    const form = at.startsWith('field:') ? flow.intake : flow.volunteer!;
    const field = form.fields.find((f) => f.id === at.slice(at.indexOf(':') + 1));
    if (!field) return at;
    return field.type === 'text' ? 'field:free_text' : `field:${field.type}`;
  }
  if (at.startsWith('survey:')) {
    const q = flow.survey.questions.find((x) => x.id === at.slice('survey:'.length));
    return q?.type === 'text' ? 'survey:free_text' : 'survey:rating';
  }
  return at;
}

function runCase({ file, index, c }: Loaded, org: string): Result {
  const flow = FLOWS.get(org)!;
  const base = { file, index, org, text: c.text, at: c.at, step: stepKind(flow, c.at), expect: c.expect, dialect: c.dialect, ...(c.note ? { note: c.note } : {}) };
  let before: ConversationState;
  try {
    before = stateAt(flow, c.at, c.lang ?? 'ar');
  } catch (err) {
    return { ...base, ok: false, got: 'setup failed', reason: (err as Error).message };
  }
  const r = advance(flow, before, message(c.text), ctx());
  const replies = r.events.filter((e): e is Extract<EngineEvent, { type: 'reply' }> => e.type === 'reply');
  const reply = { text: replies.map((e) => e.text).join('\n'), choices: replies.flatMap((e) => (e.choices ?? []).map((x) => x.id)) };
  const out = classify(flow, c.at, before, r.state, r.events, reply);
  let ok = out.labels.has(c.expect);
  let got = out.got;
  if (ok && c.expect === 'answer' && c.value !== undefined) {
    const v = acceptedValue(r.events);
    if (!isDeepStrictEqual(v.value, c.value)) {
      ok = false;
      got = `answer ${JSON.stringify(v.value)}`;
    }
  } else if (!ok && out.labels.has('answer')) {
    got = `${got} ${JSON.stringify(acceptedValue(r.events).value)}`;
  }
  if (ok && c.expect === 'none' && r.events.some((e) => e.type === 'escalated' || e.type === 'opted_out')) ok = false;
  return { ...base, ok, got, reason: out.reason };
}

// ---------------------------------------------------------------------------------------
// The report

type Tally = Record<string, { n: number; ok: number }>;
function tally(results: Result[], key: (r: Result) => string): Tally {
  const t: Tally = {};
  for (const r of results) {
    const k = key(r);
    t[k] ??= { n: 0, ok: 0 };
    t[k].n++;
    if (r.ok) t[k].ok++;
  }
  return Object.fromEntries(Object.entries(t).sort(([a], [b]) => a.localeCompare(b)));
}
const pct = (ok: number, n: number) => (n ? `${((100 * ok) / n).toFixed(1)}%` : '-');
function table(title: string, t: Tally): string {
  const width = Math.max(10, ...Object.keys(t).map((k) => k.length));
  const rows = Object.entries(t).map(([k, v]) => `  ${k.padEnd(width)} ${String(v.ok).padStart(5)}/${String(v.n).padEnd(5)} ${pct(v.ok, v.n).padStart(6)}`);
  return [`${title}`, ...rows].join('\n');
}
/** The intent a case measures: its expectation, with FAQ ids and menu actions grouped. */
function expectGroup(e: string) {
  return e.startsWith('faq:') ? 'faq' : e.startsWith('action:') ? 'action' : e;
}

// ---------------------------------------------------------------------------------------

/** How many cases the files hold, by file, expectation, dialect and step, counting 'org: all' once. */
function caseCounts(dataset: Dataset) {
  const count = (key: (l: Loaded) => string) => {
    const t: Record<string, number> = {};
    for (const l of dataset.cases) t[key(l)] = (t[key(l)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(t).sort(([a], [b]) => a.localeCompare(b)));
  };
  const qalam = FLOWS.get('qalam')!;
  return {
    total: dataset.cases.length,
    byFile: count((l) => l.file),
    byIntent: count((l) => expectGroup(l.c.expect)),
    byDialect: count((l) => l.c.dialect),
    byStep: count((l) => stepKind(l.c.org === 'all' ? qalam : FLOWS.get(l.c.org)!, l.c.at)),
    byOrg: count((l) => l.c.org),
  };
}

for (const { name, dir, threshold: THRESHOLD, report: REPORT } of SUITES) {
const dataset = loadDataset(dir);
const results: Result[] = [];

describe(name, () => {
  it('every case has the contract shape (file and index named on error)', () => {
    expect(dataset.problems, dataset.problems.join('\n')).toEqual([]);
    expect(dataset.cases.length).toBeGreaterThan(0);
  });

  for (const file of dataset.files) {
    it(`runs ${file}`, () => {
      for (const loaded of dataset.cases.filter((l) => l.file === file)) {
        for (const org of loaded.c.org === 'all' ? ORGS : [loaded.c.org]) results.push(runCase(loaded, org));
      }
      const mine = results.filter((r) => r.file === file);
      expect(mine.length).toBeGreaterThan(0);
    });
  }

  it(`understands at least ${THRESHOLD * 100}% of all cases`, () => {
    const ok = results.filter((r) => r.ok).length;
    const failures = results.filter((r) => !r.ok);
    const report = {
      at: new Date().toISOString(),
      understoodEvent: results.length > 0 && !results.every((r) => r.reason.startsWith('no understood event')),
      total: results.length,
      passed: ok,
      rate: results.length ? ok / results.length : 0,
      threshold: THRESHOLD,
      byIntent: tally(results, (r) => expectGroup(r.expect)),
      byExpect: tally(results, (r) => r.expect),
      byStep: tally(results, (r) => r.step),
      byAt: tally(results, (r) => r.at),
      byDialect: tally(results, (r) => r.dialect),
      byOrg: tally(results, (r) => r.org),
      byFile: tally(results, (r) => r.file),
      // The cases as written (an 'org: all' case once), before they run in each association.
      cases: caseCounts(dataset),
      failures,
    };
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(join(ROOT, REPORT), JSON.stringify(report, null, 2));
    const lines = [
      `${name}: ${ok}/${results.length} understood (${pct(ok, results.length)}), threshold ${THRESHOLD * 100}%; ${dataset.cases.length} cases in ${dataset.files.length} files (a case with org: all runs in each of the ${ORGS.length} associations)`,
      `cases by dialect: ${Object.entries(report.cases.byDialect).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      table('by intent (expect)', report.byIntent),
      table('by step', report.byStep),
      table('by dialect', report.byDialect),
      table('by association', report.byOrg),
      table('by file', report.byFile),
      `failing cases (${failures.length}, first 150; all in ${REPORT}):`,
      ...failures.slice(0, 150).map((f) => `  [${f.file}#${f.index} ${f.org}] ${JSON.stringify(f.text)} at ${f.at}: expected ${f.expect}, got ${f.got} — ${f.reason}`),
    ];
    console.log(lines.join('\n'));
    expect(results.length).toBeGreaterThan(0);
    expect(ok / results.length, `only ${pct(ok, results.length)} of the ${name} understood; see ${REPORT}`).toBeGreaterThanOrEqual(THRESHOLD);
  });
});
}
