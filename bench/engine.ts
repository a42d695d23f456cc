/**
 * Engine benchmarks: full intakes through the pure step function, and the same intakes as
 * conversation turns through the service (engine + one SQLite transaction per message).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadFlows } from '../src/flows/load.ts';
import { openStore } from '../src/store/index.ts';
import { ConversationService } from '../src/conversation/service.ts';
import { advance, initialState } from '../src/engine/advance.ts';
import type { Input, MediaRef } from '../src/engine/types.ts';
import type { FlowFile } from '../src/flows/schema.ts';
import { validAnswers } from '../test/support/answers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MEDIA: MediaRef = { id: 'bench-media', mime: 'application/pdf', size: 2048, sha256: '0'.repeat(64), filename: 'id.pdf' };

/** The messages of one whole intake: greeting, "apply", every field, confirm, status. */
function script(flow: FlowFile, now: Date): Array<{ text?: string; media?: MediaRef }> {
  const answers = validAnswers(flow, 'intake', now).map((a) => ('file' in a ? { media: MEDIA } : { text: a.text }));
  return [{ text: 'السلام عليكم' }, { text: '١' }, ...answers, { text: '1' }, { text: 'الحالة' }];
}

export interface EngineFigures {
  stepsPerSecond: number;
  turnsPerSecond: number;
  turnP50ms: number;
  turnP99ms: number;
  steps: number;
  turns: number;
}

export async function runEngineBench(opts: { seconds?: number; log?: (line: string) => void } = {}): Promise<EngineFigures> {
  const log = opts.log ?? console.log;
  const seconds = opts.seconds ?? 3;
  const flows = [...loadFlows(join(ROOT, 'flows')).values()];
  const now = new Date('2026-11-22T09:00:00+03:00');
  const scripts = flows.map((f) => ({ flow: f, msgs: script(f, now) }));

  // 1. Pure engine: no I/O; references come from a counter.
  let steps = 0;
  let refs = 0;
  const ctxFor = (t: Date) => ({ now: t, channel: 'bench', requests: [], nextReference: () => `B-1448-${++refs}` });
  const pureDeadline = performance.now() + seconds * 1000;
  const pureStart = performance.now();
  while (performance.now() < pureDeadline) {
    for (const { flow, msgs } of scripts) {
      let state = initialState('ar', now);
      let t = now.getTime();
      for (const [i, m] of msgs.entries()) {
        t += 20_000;
        const input: Input = { type: 'message', messageId: `m${i}`, ...m };
        state = advance(flow, state, input, ctxFor(new Date(t))).state;
        steps++;
      }
    }
  }
  const stepsPerSecond = steps / ((performance.now() - pureStart) / 1000);
  log(`engine (pure step function): ${fmt(stepsPerSecond)} steps/s  (${steps} steps over ${flows.length} flows)`);

  // 2. Conversation turns: the service with a real SQLite file in WAL mode, one transaction each.
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-bench-'));
  const store = openStore(join(dir, 'bench.db'));
  const service = new ConversationService({ store, flows: new Map(flows.map((f) => [f.id, f])), mediaDir: join(dir, 'media') });
  const stored = new Map(await Promise.all(flows.map(async (f) => [f.id, await service.storeMedia(f.id, { path: join(ROOT, 'test/fixtures/id-card.pdf'), mime: 'application/pdf' })] as const)));
  const latencies: number[] = [];
  let turns = 0;
  let person = 0;
  const turnDeadline = performance.now() + seconds * 1000;
  const turnStart = performance.now();
  while (performance.now() < turnDeadline) {
    for (const { flow, msgs } of scripts) {
      const address = `bench-${++person}`;
      for (const [i, m] of msgs.entries()) {
        const t0 = performance.now();
        const msg = m.media ? { media: stored.get(flow.id)! } : m;
        await service.handleInbound({ associationId: flow.id, channel: 'bench', address, messageId: `${address}-${i}`, ...msg });
        latencies.push(performance.now() - t0);
        turns++;
      }
    }
  }
  const turnsPerSecond = turns / ((performance.now() - turnStart) / 1000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const turnP50ms = quantile(latencies, 0.5);
  const turnP99ms = quantile(latencies, 0.99);
  log(`conversation turns (engine + SQLite transaction): ${fmt(turnsPerSecond)} turns/s  p50 ${turnP50ms.toFixed(3)} ms  p99 ${turnP99ms.toFixed(3)} ms  (${turns} turns, ${person} intakes)`);
  log(`ratio turns/steps: ${(turnsPerSecond / stepsPerSecond).toFixed(3)} (the share of a turn's cost that is the engine itself)`);
  return { stepsPerSecond, turnsPerSecond, turnP50ms, turnP99ms, steps, turns };
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
