/**
 * Runs conversation scenarios written as YAML fixtures against the real service and a real
 * SQLite file: each step sends a message (or a file, a staff action, a restart…) and checks
 * the reply, the events and the stored state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { expect } from 'vitest';
import { loadFlows } from '../../src/flows/load.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { ConversationService, type StepOutcome } from '../../src/conversation/service.ts';
import { renderPlain } from '../../src/channels/render.ts';
import { mimeFromPath } from '../../src/channels/mime.ts';
import type { Input } from '../../src/engine/types.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FLOWS = loadFlows(join(ROOT, 'flows'));

const Expect = z
  .object({
    contains: z.array(z.string()).default([]),
    not_contains: z.array(z.string()).default([]),
    events: z.array(z.string()).default([]),
    no_events: z.array(z.string()).default([]),
    silent: z.boolean().default(false),
    duplicate: z.boolean().default(false),
    mode: z.string().optional(),
    lang: z.enum(['ar', 'en']).optional(),
    request: z
      .object({ reference: z.string().optional(), status: z.string().optional(), fields: z.record(z.string(), z.unknown()).default({}) })
      .strict()
      .optional(),
  })
  .strict();

const Step = z
  .object({
    send: z.union([z.string(), z.number()]).transform(String).optional(),
    press: z.string().optional().describe('a button: the choice id'),
    file: z.string().optional().describe('path relative to test/fixtures'),
    resend: z.literal('previous').optional().describe('deliver the previous message again, same id'),
    restart: z.boolean().optional().describe('close the database and start a new service on the same file'),
    wait: z.string().regex(/^\d+(m|h|d)$/).optional(),
    staff: z
      .union([
        z.object({ claim: z.string() }).strict(),
        z.object({ release: z.union([z.string(), z.object({ field: z.string() })]) }).strict(),
        z.object({ resolve: z.literal(true) }).strict(),
      ])
      .optional(),
    timer: z.enum(['intake_reminder', 'survey_reminder']).optional(),
    expect: Expect.optional(),
  })
  .strict();

export const Scenario = z
  .object({
    title: z.string(),
    flow: z.string(),
    lang: z.enum(['ar', 'en']).default('ar'),
    channel: z.string().default('terminal'),
    /** Start time; every step advances the clock by 30 s unless it waits. */
    now: z.string().default('2026-11-22T09:00:00+03:00'),
    steps: z.array(Step).min(1),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function loadScenario(path: string): Scenario {
  return Scenario.parse(parse(readFileSync(path, 'utf8')));
}

/** A service over a temporary SQLite file, restartable, with a controllable clock. */
export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'tawasul-test-'));
  readonly dbPath = join(this.dir, 'tawasul.db');
  store!: Store;
  /** The test's own connection to the file, for assertions (never the store's). */
  db!: Db;
  service!: ConversationService;
  now: Date;

  constructor(start: string | Date = '2026-11-22T09:00:00+03:00') {
    this.now = new Date(start);
    this.open();
  }

  private open() {
    this.store = openStore(this.dbPath);
    this.db = openDb(this.dbPath);
    this.service = new ConversationService({ store: this.store, flows: FLOWS, mediaDir: join(this.dir, 'media'), clock: () => this.now });
  }

  async restart() {
    this.db.$client.close();
    await this.store.close();
    this.open();
  }

  advance(ms: number) {
    this.now = new Date(this.now.getTime() + ms);
  }

  async close() {
    if (this.db.$client.open) this.db.$client.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Plays a scenario; every failed expectation names the step. */
export async function playScenario(scenario: Scenario): Promise<void> {
  const h = new Harness(scenario.now);
  const address = `scenario-${scenario.title}`;
  let counter = 0;
  let previous: Parameters<ConversationService['handleInbound']>[0] | undefined;
  let conversationId: string | undefined;
  try {
    for (const [i, step] of scenario.steps.entries()) {
      const where = `step ${i + 1} (${step.send ?? step.press ?? step.file ?? (step.resend && 'resend') ?? (step.restart && 'restart') ?? step.wait ?? step.timer ?? JSON.stringify(step.staff)})`;
      h.advance(step.wait ? Number(step.wait.slice(0, -1)) * UNIT_MS[step.wait.slice(-1) as 'm' | 'h' | 'd'] : 30_000);
      let outcome: StepOutcome | undefined;
      const base = { associationId: scenario.flow, channel: scenario.channel, address, lang: scenario.lang };
      if (step.restart) await h.restart();
      if (step.send !== undefined || step.press !== undefined) {
        previous = { ...base, messageId: `m${++counter}`, text: step.send ?? '', ...(step.press ? { choiceId: step.press } : {}) };
        outcome = await h.service.handleInbound(previous);
      } else if (step.file) {
        const path = join(ROOT, 'test/fixtures', step.file);
        const media = await h.service.storeMedia(scenario.flow, { path, mime: mimeFromPath(path), filename: step.file });
        previous = { ...base, messageId: `m${++counter}`, media };
        outcome = await h.service.handleInbound(previous);
      } else if (step.resend) {
        if (!previous) throw new Error(`${where}: nothing to resend`);
        outcome = await h.service.handleInbound(previous);
      } else if (step.staff || step.timer) {
        if (!conversationId) throw new Error(`${where}: no conversation yet`);
        const s = step.staff;
        const input: Exclude<Input, { type: 'message' }> = step.timer
          ? { type: 'timer', name: step.timer }
          : s && 'claim' in s
            ? { type: 'staff_claimed', staffId: s.claim }
            : s && 'release' in s
              ? { type: 'staff_released', resumeAt: s.release as 'menu' }
              : { type: 'staff_resolved' };
        outcome = await h.service.applyInput(conversationId, input, 'staff:test');
      }
      if (outcome) conversationId = outcome.conversationId;
      if (step.expect) checkStep(h, where, step.expect, outcome);
    }
  } finally {
    await h.close();
  }
}

function checkStep(h: Harness, where: string, exp: z.infer<typeof Expect>, outcome: StepOutcome | undefined) {
  const text = (outcome?.outbound ?? []).map((o) => renderPlain(o.text, o.choices)).join('\n\n');
  const events = (outcome?.events ?? []).map((e) => e.type);
  for (const needle of exp.contains) expect(text, `${where}: reply should contain "${needle}"`).toContain(needle);
  for (const needle of exp.not_contains) expect(text, `${where}: reply should not contain "${needle}"`).not.toContain(needle);
  for (const type of exp.events) expect(events, `${where}: events`).toContain(type);
  for (const type of exp.no_events) expect(events, `${where}: events`).not.toContain(type);
  if (exp.silent) expect(text, `${where}: the bot should stay silent`).toBe('');
  else if (!exp.duplicate && outcome) expect(text.length, `${where}: the bot should reply`).toBeGreaterThan(0);
  if (exp.duplicate) expect(outcome?.duplicate, `${where}: should be recognised as a duplicate`).toBe(true);
  if (exp.mode) expect(outcome?.state.mode, `${where}: mode`).toBe(exp.mode);
  if (exp.lang) expect(outcome?.state.lang, `${where}: language`).toBe(exp.lang);
  if (exp.request) {
    const submitted = outcome?.events.find((e) => e.type === 'request_submitted');
    const reference = submitted && 'reference' in submitted ? submitted.reference : undefined;
    const row = h.db.$client.prepare('SELECT * FROM requests WHERE reference = ?').get(reference ?? exp.request.reference) as
      | { reference: string; status: string; data: string; attestation_sha256: string }
      | undefined;
    expect(row, `${where}: a stored request`).toBeDefined();
    if (exp.request.reference) expect(row!.reference, `${where}: reference`).toMatch(new RegExp(exp.request.reference));
    if (exp.request.status) expect(row!.status, `${where}: status`).toBe(exp.request.status);
    expect(row!.attestation_sha256, `${where}: attestation hash`).toMatch(/^[0-9a-f]{64}$/);
    const data = JSON.parse(row!.data) as Record<string, { value: unknown }>;
    for (const [field, value] of Object.entries(exp.request.fields)) {
      expect(data[field]?.value, `${where}: stored ${field}`).toEqual(value);
    }
  }
}
