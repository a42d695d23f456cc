/**
 * One suite of behaviour tests of the store's interfaces, run against both implementations:
 * SQLite (a temp file) and PostgreSQL (this file's own cluster). What a caller may rely on,
 * whichever store is configured — duplicates recognised, one winner of a race, numbers
 * never given twice, receipts never moving backwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import type { InboundWrite, PendingStepContext, StepContext, StepPlan, StepWrite, OutboxAdd } from '../../src/store/core.ts';
import type { ConversationState } from '../../src/engine/types.ts';
import { uuidv7 } from '../../src/store/ids.ts';

let cluster: TestPostgres;
let dir: string;

beforeAll(async () => {
  cluster = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'tawasul-contract-'));
});
afterAll(async () => {
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
const KINDS: Array<{ kind: 'sqlite' | 'postgres'; open: () => Promise<Store> }> = [
  { kind: 'sqlite', open: async () => openStore(`sqlite:${join(dir, `s${++fileNo}.db`)}`) },
  { kind: 'postgres', open: async () => openPostgresStore(await cluster.createDatabase()) },
];

const ORG = 'qalam';
let clock = Date.parse('2026-03-01T08:00:00.000Z');
/** A strictly increasing time per call: steps and messages get distinct, ordered times. */
const now = () => new Date((clock += 1000)).toISOString();
const state = (mode = 'menu') => ({ v: 1, lang: 'ar', mode, createdAt: '2026-03-01T08:00:00.000Z', lastInputAt: null, notUnderstood: 0, drafts: {} }) as unknown as ConversationState;

function inbound(address: string, messageId: string, extra: Partial<InboundWrite> = {}): InboundWrite {
  return { associationId: ORG, channel: 'telegram', address, messageId, text: `text of ${messageId}`, at: now(), newId: () => uuidv7(), newConversation: () => ({ state: state(), mode: 'menu', lang: 'ar' }), ...extra };
}

/** A step plan that keeps the conversation as it is and writes `writes`. */
function plan<T>(ctx: StepContext, result: T, writes: StepWrite[] = []): StepPlan<T> {
  const c = ctx.conversation;
  return { conversation: { state: c.state, mode: c.mode, lang: c.lang, assignedStaffId: c.assignedStaffId, escalatedAt: c.escalatedAt }, at: now(), writes, result };
}

const reply = (key: string, body = `reply ${key}`, choices: Array<{ id: string; label: string }> | null = null): StepWrite => ({
  kind: 'outbound',
  message: { id: uuidv7(), channelMessageId: key, author: 'bot', body, choices, template: null },
});

const requestWrite = (reference: string, extra: Record<string, unknown> = {}): StepWrite => ({
  kind: 'request',
  request: {
    id: uuidv7(),
    reference,
    form: 'intake',
    status: 'submitted',
    data: { name: { value: 'سارة', display: 'سارة' } },
    nationalId: '1000000008',
    phone: '+966500000001',
    attestation: { at: now(), channel: 'telegram', messageId: 'att', text: 'أقر', sha256: 'sha' },
    ...extra,
  },
});

for (const { kind, open } of KINDS) {
  describe(`store contract: ${kind}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.core.associations.sync([{ id: ORG, nameAr: 'قلم', nameEn: 'Qalam', referencePrefix: 'QLM', flowHash: 'h', updatedAt: now() }]);
    });
    afterEach(async () => {
      await store?.close();
    });

    /** Runs every pending message of a conversation, returning their bodies in the order handled. */
    async function drain(conversationId: string, writes: (ctx: PendingStepContext) => StepWrite[] = () => []): Promise<string[]> {
      const seen: string[] = [];
      for (;;) {
        const r = await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, ctx.message.body, writes(ctx)));
        if (r === undefined) return seen;
        seen.push(r);
      }
    }

    it('accepting the same message twice stores it once and says the second was a duplicate', async () => {
      let started = 0;
      const msg = inbound('42', 'tg-1', { newConversation: () => (started++, { state: state(), mode: 'menu', lang: 'ar' }) });
      const a = await store.core.conversations.accept(msg);
      const b = await store.core.conversations.accept({ ...msg, at: now() });
      expect(a.duplicate).toBe(false);
      expect(b).toEqual({ duplicate: true, conversationId: a.conversationId });
      expect(started).toBe(1);
      expect(await drain(a.conversationId)).toEqual(['text of tg-1']);
    });

    it('the same message redelivered concurrently is accepted once; one new person gets one conversation', async () => {
      const msg = inbound('43', 'tg-dup');
      const results = await Promise.all(Array.from({ length: 6 }, () => store.core.conversations.accept({ ...msg })));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);

      const firsts = await Promise.all(Array.from({ length: 6 }, (_, i) => store.core.conversations.accept(inbound('44', `first-${i}`))));
      expect(firsts.every((r) => !r.duplicate)).toBe(true);
      expect(new Set(firsts.map((r) => r.conversationId)).size).toBe(1);
      expect((await drain(firsts[0]!.conversationId)).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `text of first-${i}`).sort());
    });

    it('runs pending messages once each, in acceptance order, even with concurrent workers', async () => {
      const ids = Array.from({ length: 12 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
      // Accepted in an order unlike their ids' order.
      const order = [...ids].reverse();
      let conversationId = '';
      for (const id of order) conversationId = (await store.core.conversations.accept(inbound('45', id))).conversationId;
      const handled: string[] = [];
      const worker = async () => {
        for (;;) {
          const r = await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, ctx.message.channelMessageId, [reply(`r-${ctx.message.channelMessageId}`)]));
          if (r === undefined) return;
          handled.push(r);
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      // Once each…
      expect([...handled].sort()).toEqual([...ids]);
      // …in acceptance order, as committed: each step's reply is stored with it, so the replies
      // stored are the order of the commits (the order the workers hear back in is not: two
      // answers read in one poll of the event loop may be taken in either order).
      const stored = (await store.core.conversations.history(ORG, 'telegram', '45', 100)).filter((m) => m.direction === 'out');
      expect(stored.map((m) => m.text)).toEqual(order.map((id) => `reply r-${id}`));
      const conv = await store.core.conversations.get(conversationId);
      expect(conv!.version).toBe(order.length);
      expect(await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, 'x'), { peek: false })).toBeUndefined();
    });

    it('tells a step whether another message waits behind its own', async () => {
      let conversationId = '';
      for (const id of ['mp-1', 'mp-2']) conversationId = (await store.core.conversations.accept(inbound('44', id))).conversationId;
      const seen: Array<[string, boolean]> = [];
      const step = (ctx: Parameters<Parameters<typeof store.core.conversations.runNext>[1]>[0]) => (seen.push([ctx.message.channelMessageId, ctx.morePending]), plan(ctx, null));
      await store.core.conversations.runNext(conversationId, step, { peek: false });
      await store.core.conversations.runNext(conversationId, step, { peek: false });
      expect(seen).toEqual([
        ['mp-1', true],
        ['mp-2', false],
      ]);
    });

    it('a pressed button is stored with the label the bot offered for it', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('46', 'hi'));
      await drain(conversationId, () => [reply('r-1', 'choose', [{ id: 'yes', label: 'نعم' }, { id: 'no', label: 'لا' }])]);
      await store.core.conversations.accept(inbound('46', 'press', { text: undefined, choiceId: 'no' }));
      const seen: Array<{ body: string; choiceId: string | null }> = [];
      await store.core.conversations.runNext(conversationId, (ctx) => (seen.push({ body: ctx.message.body, choiceId: ctx.message.choiceId }), plan(ctx, null)));
      expect(seen).toEqual([{ body: 'لا', choiceId: 'no' }]);
    });

    it('a failing step writes nothing and leaves its message pending', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('47', 'boom'));
      await expect(
        store.core.conversations.runNext(conversationId, (ctx) => {
          ctx.nextReference('intake-1447');
          throw new Error('engine failed');
        }),
      ).rejects.toThrow('engine failed');
      expect((await store.core.conversations.get(conversationId))!.version).toBe(0);
      // The number it took is given back: the next step gets 1.
      const ref = await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, ctx.nextReference('intake-1447')));
      expect(ref).toBe(1);
    });

    it('reference numbers are consecutive within a step and never given twice under concurrency', async () => {
      const convs = await Promise.all(Array.from({ length: 8 }, (_, i) => store.core.conversations.accept(inbound(`ref-${i}`, `r-${i}`))));
      const numbers = await Promise.all(
        convs.map((c) => store.core.conversations.apply(c.conversationId, (ctx) => plan(ctx, [ctx.nextReference('intake-1447'), ctx.nextReference('intake-1447')]))),
      );
      const all = numbers.flatMap((n) => n!);
      expect(new Set(all).size).toBe(16);
      expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      for (const pair of numbers) expect(pair![1]).toBe(pair![0]! + 1);
      // Scopes count separately.
      const other = await store.core.conversations.apply(convs[0]!.conversationId, (ctx) => plan(ctx, ctx.nextReference('volunteer-1447')));
      expect(other).toBe(1);
    });

    it('apply: a step returning null writes nothing; an unknown conversation throws', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('48', 'x'));
      expect(await store.core.conversations.apply(conversationId, () => null)).toBeNull();
      expect((await store.core.conversations.get(conversationId))!.version).toBe(0);
      await expect(store.core.conversations.apply('nope', (ctx) => plan(ctx, 1))).rejects.toThrow('unknown conversation nope');
    });

    it('the step state is saved and read back as it was written', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('49', 'x'));
      const next = { ...state('form'), drafts: { intake: { answers: { city: { value: 'جدة' } } } }, notUnderstood: 2 } as unknown as ConversationState;
      await store.core.conversations.runNext(conversationId, (ctx) => ({ ...plan(ctx, null), conversation: { state: next, mode: 'with_staff', lang: 'en', assignedStaffId: 'u1', escalatedAt: '2026-03-01T09:00:00.000Z' } }));
      const c = (await store.core.conversations.get(conversationId))!;
      expect(c).toMatchObject({ id: conversationId, associationId: ORG, mode: 'with_staff', lang: 'en', version: 1, assignedStaffId: 'u1', escalatedAt: '2026-03-01T09:00:00.000Z', state: next });
      expect(typeof c.createdAt).toBe('string');
    });

    it('replies: one claimer wins, sent, then receipts only move forward; failed always applies', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('50', 'x'));
      await drain(conversationId, () => [reply('out-1', 'first', [{ id: 'a', label: 'A' }]), reply('out-2', 'second')]);
      const next = (await store.core.delivery.next(conversationId))!;
      expect(next).toMatchObject({ id: 'out-1', conversationId, channel: 'telegram', address: '50', text: 'first', lang: 'ar', choices: [{ id: 'a', label: 'A' }], status: 'queued', attempts: 0 });
      expect(typeof next.lastInboundAt).toBe('string');

      const claims = await Promise.all(Array.from({ length: 5 }, () => store.core.delivery.claim('out-1')));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.core.delivery.status('out-1')).toEqual({ status: 'sending', attempts: 1, conversationId, associationId: ORG });
      const sentAt = now();
      expect(await store.core.delivery.markSent('out-1', 'p-1', sentAt)).toMatch(/^2026-/);
      expect(await store.core.delivery.lastSentAt(conversationId)).toBe(sentAt);
      expect((await store.core.delivery.next(conversationId))!.id).toBe('out-2');
      expect(await store.core.delivery.acceptedAt('out-1')).toMatch(/^2026-/);
      // A late verdict from a send that lost track (its lease or lock lapsed) leaves a sent reply sent.
      await store.core.delivery.retry('out-1', 'late timeout');
      await store.core.delivery.dead('out-1', 'unknown', 'late');
      expect((await store.core.delivery.status('out-1'))!.status).toBe('sent');

      expect(await store.core.delivery.receipt('telegram', 'p-1', 'read')).toBe(true);
      expect(await store.core.delivery.receipt('telegram', 'p-1', 'delivered')).toBe(true);
      expect((await store.core.delivery.status('out-1'))!.status).toBe('read');
      // Concurrent receipts in any order end at the furthest.
      await Promise.all([store.core.delivery.receipt('telegram', 'p-1', 'delivered'), store.core.delivery.receipt('telegram', 'p-1', 'read')]);
      expect((await store.core.delivery.status('out-1'))!.status).toBe('read');
      expect(await store.core.delivery.receipt('telegram', 'p-unknown', 'read')).toBe(false);
      expect(await store.core.delivery.receipt('telegram', 'p-1', 'failed', 'bounced')).toBe(true);
      expect((await store.core.delivery.status('out-1'))!.status).toBe('failed');
    });

    it('receipts by our key: a sending reply becomes sent with its provider id, then moves forward only; unknown ones heal; failed applies', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('55', 'x'));
      await drain(conversationId, () => [reply('k-1'), reply('k-2'), reply('k-3')]);
      expect(await store.core.delivery.claim('k-1')).toBe(true);
      // The answer to the send was lost: the row is "sending" with no provider id.
      const at = now();
      expect(await store.core.delivery.receiptByKey('telegram', 'k-1', 'wamid.A', 'sent', at)).toBe(true);
      expect((await store.core.delivery.status('k-1'))!.status).toBe('sent');
      expect(await store.core.delivery.lastSentAt(conversationId)).toBe(at);
      // Now receipts by provider id find it too.
      expect(await store.core.delivery.receipt('telegram', 'wamid.A', 'delivered')).toBe(true);
      expect((await store.core.delivery.status('k-1'))!.status).toBe('delivered');
      // Concurrent keyed receipts in any order end at the furthest; "sent" never moves it back.
      await Promise.all([
        store.core.delivery.receiptByKey('telegram', 'k-1', 'wamid.A', 'read', now()),
        store.core.delivery.receiptByKey('telegram', 'k-1', 'wamid.A', 'sent', now()),
        store.core.delivery.receiptByKey('telegram', 'k-1', 'wamid.A', 'delivered', now()),
      ]);
      expect((await store.core.delivery.status('k-1'))!.status).toBe('read');
      // Another channel, or a key nobody has: false, nothing changes.
      expect(await store.core.delivery.receiptByKey('sms', 'k-2', 'SM1', 'delivered', now())).toBe(false);
      expect(await store.core.delivery.receiptByKey('telegram', 'k-none', 'SM1', 'delivered', now())).toBe(false);
      expect((await store.core.delivery.status('k-2'))!.status).toBe('queued');
      // An "unknown" dead letter whose receipt arrives late is delivered after all.
      expect(await store.core.delivery.claim('k-2')).toBe(true);
      await store.core.delivery.dead('k-2', 'unknown', 'cannot tell');
      expect(await store.core.delivery.receiptByKey('telegram', 'k-2', 'wamid.B', 'delivered', now())).toBe(true);
      expect((await store.core.delivery.status('k-2'))!.status).toBe('delivered');
      expect(await store.core.delivery.deadLetters(ORG, 10)).toEqual([]);
      expect(await store.core.delivery.receipt('telegram', 'wamid.B', 'read')).toBe(true);
      // Failed applies (error kept) and stays failed; a later keyed "delivered" does not revive it.
      expect(await store.core.delivery.claim('k-3')).toBe(true);
      expect(await store.core.delivery.receiptByKey('telegram', 'k-3', 'wamid.C', 'failed', now(), 'Message undeliverable')).toBe(true);
      expect(await store.core.delivery.receiptByKey('telegram', 'k-3', 'wamid.C', 'delivered', now())).toBe(true);
      expect((await store.core.delivery.deadLetters(ORG, 10)).map((d) => [d.id, d.status, d.error])).toEqual([['k-3', 'failed', 'Message undeliverable']]);
    });

    it('dead letters are listed newest first and can be requeued once', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('51', 'x'));
      await drain(conversationId, () => [reply('d-1'), reply('d-2')]);
      expect(await store.core.delivery.claim('d-1')).toBe(true);
      await store.core.delivery.dead('d-1', 'failed', 'rejected');
      expect(await store.core.delivery.claim('d-2')).toBe(true);
      await store.core.delivery.dead('d-2', 'unknown', 'died mid-send');
      const dead = await store.core.delivery.deadLetters(ORG, 10);
      expect(dead.map((d) => [d.id, d.status, d.error])).toEqual(
        expect.arrayContaining([
          ['d-1', 'failed', 'rejected'],
          ['d-2', 'unknown', 'died mid-send'],
        ]),
      );
      expect(dead[0]).toMatchObject({ associationId: ORG, conversationId, channel: 'telegram', attempts: 1 });
      expect(await store.core.delivery.deadLetters('other', 10)).toEqual([]);
      expect(await store.core.delivery.requeue('d-1')).toBe(true);
      expect(await store.core.delivery.requeue('d-1')).toBe(false);
      expect((await store.core.delivery.status('d-1'))!.status).toBe('queued');
      await store.core.delivery.retry('d-1', 'timeout');
      await store.core.delivery.noteError('d-1', 'still timing out');
      expect((await store.core.delivery.status('d-1'))!.status).toBe('queued');
    });

    it('the sweeps find conversations with work left since before a time, in id order, after a cursor', async () => {
      const a = await store.core.conversations.accept(inbound('52', 'x'));
      const b = await store.core.conversations.accept(inbound('53', 'y'));
      const later = new Date(clock + 60_000).toISOString();
      const stalled = await store.core.conversations.stalledInbound(later, '', 10);
      expect(stalled).toEqual([a.conversationId, b.conversationId].sort());
      expect(await store.core.conversations.stalledInbound(later, stalled[0]!, 10)).toEqual([stalled[1]]);
      expect(await store.core.conversations.stalledInbound('2000-01-01T00:00:00.000Z', '', 10)).toEqual([]);
      await drain(a.conversationId, () => [reply('s-1')]);
      expect(await store.core.conversations.stalledInbound(new Date(clock + 60_000).toISOString(), '', 10)).toEqual([b.conversationId]);
      expect(await store.core.delivery.stalledOutbound(new Date(clock + 60_000).toISOString(), '', 10)).toEqual([{ conversationId: a.conversationId, channel: 'telegram' }]);
    });

    it('history: the last messages of one contact, oldest first', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('54', 'h-1', { text: 'one' }));
      await drain(conversationId, () => [reply('h-out', 'two', [{ id: 'a', label: 'A' }])]);
      await store.core.conversations.accept(inbound('54', 'h-2', { text: 'three' }));
      const h = await store.core.conversations.history(ORG, 'telegram', '54', 2);
      expect(h.map((e) => [e.direction, e.text, e.status])).toEqual([
        ['out', 'two', 'queued'],
        ['in', 'three', 'pending'],
      ]);
      expect(h[0]).toMatchObject({ id: 'h-out', author: 'bot', choices: [{ id: 'a', label: 'A' }] });
    });

    it('outbox: a newer row with the same key supersedes the open one; dispatch, open and done', async () => {
      const t0 = now();
      const add = (dedupeKey: string | null, runAt = t0): OutboxAdd => ({ associationId: ORG, job: { kind: 'timer', conversationId: 'c', name: 'intake_reminder' }, runAt, createdAt: now(), dedupeKey });
      await store.core.outbox.add(add('timer:c'));
      await store.core.outbox.add(add('timer:c'));
      await store.core.outbox.add(add(null));
      const before = new Date(clock + 60_000).toISOString();
      const pending = await store.core.outbox.undispatched(before, 10);
      // The superseded row is done: not pending any more.
      expect(pending).toHaveLength(2);
      expect(pending[0]!.id).toBeLessThan(pending[1]!.id);
      expect(pending[0]).toMatchObject({ associationId: ORG, job: { kind: 'timer', conversationId: 'c', name: 'intake_reminder' }, runAt: t0, dedupeKey: 'timer:c' });
      expect(typeof pending[0]!.id).toBe('number');
      await store.core.outbox.markDispatched(pending.map((r) => r.id), now());
      await store.core.outbox.markDispatched([], now());
      expect(await store.core.outbox.undispatched(before, 10)).toEqual([]);
      const open = await store.core.outbox.open(before, 0, 10);
      expect(open.map((r) => r.id)).toEqual(pending.map((r) => r.id));
      expect((await store.core.outbox.open(before, open[0]!.id, 10)).map((r) => r.id)).toEqual([open[1]!.id]);
      await store.core.outbox.done(open[0]!.id, now());
      await store.core.outbox.done(open[0]!.id, now());
      expect((await store.core.outbox.open(before, 0, 10)).map((r) => r.id)).toEqual([open[1]!.id]);
    });

    it("a step's outbox rows supersede the open ones with their key; of two with one key in one step the later one stays open", async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('77', 'ob-1'));
      await store.core.conversations.accept(inbound('77', 'ob-2'));
      const row = (dedupeKey: string | null, reference: string): OutboxAdd => ({ associationId: ORG, job: { kind: 'verify', reference }, runAt: now(), createdAt: now(), dedupeKey });
      const write = (dedupeKey: string | null, reference: string): StepWrite => ({ kind: 'outbox', row: row(dedupeKey, reference) });
      await store.core.outbox.add(row('k:x', 'a'));
      // A message step: 'b' replaces 'a', 'c' has no key.
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [reply('ob-r1'), write('k:x', 'b'), write(null, 'c')]));
      // Two rows with one key in one step: the later replaces the earlier.
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [write('k:y', 'd'), reply('ob-r2'), write('k:y', 'e')]));
      // A step that is not a message: 'f' replaces 'b'.
      await store.core.conversations.apply(conversationId, (ctx) => plan(ctx, null, [write('k:x', 'f')]));
      const open = await store.core.outbox.undispatched(new Date(clock + 60_000).toISOString(), 20);
      expect(open.map((r) => [(r.job as { reference: string }).reference, r.dedupeKey])).toEqual([['c', null], ['e', 'k:y'], ['f', 'k:x']]);
      expect(open[0]).toMatchObject({ associationId: ORG, job: { kind: 'verify', reference: 'c' } });
      // The steps themselves were saved: both messages handled, their replies queued.
      expect(await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, 'x'))).toBeUndefined();
      expect((await store.core.conversations.get(conversationId))!.version).toBe(3);
      expect((await store.core.delivery.next(conversationId))?.id).toBe('ob-r1');
    });

    it('a step records a request and links the person; another channel with the same ID joins the same beneficiary', async () => {
      const a = await store.core.conversations.accept(inbound('55', 'x'));
      const ref = await store.core.conversations.runNext(a.conversationId, (ctx) => {
        const reference = `QLM-1447-${String(ctx.nextReference('intake-1447')).padStart(5, '0')}`;
        return plan(ctx, reference, [
          { kind: 'link_beneficiary', key: { nationalId: '1000000008' }, newId: uuidv7() },
          requestWrite(reference, { beneficiaryName: 'سارة' }),
          { kind: 'outbox', row: { associationId: ORG, job: { kind: 'verify', reference }, runAt: now(), createdAt: now(), dedupeKey: null } },
          { kind: 'event', type: 'request_submitted', actor: 'beneficiary', payload: { reference } },
        ]);
      });
      expect(ref).toBe('QLM-1447-00001');
      const req = (await store.core.requests.byReference(ref!))!;
      expect(req).toMatchObject({ reference: ref, form: 'intake', status: 'submitted', data: { name: { value: 'سارة', display: 'سارة' } }, nationalId: '1000000008', conversationId: a.conversationId, checks: null, decidedAt: null });
      expect(req.beneficiaryId).toBeTruthy();
      expect(await store.core.requests.byReference('nope')).toBeUndefined();

      // The same person on WhatsApp: linked to the same record, and the step sees the request.
      const b = (await store.core.conversations.accept({ ...inbound('+966500000001', 'w-1'), channel: 'whatsapp' })).conversationId;
      const seen = await store.core.conversations.runNext(b, (ctx) => plan(ctx, ctx.requests.map((r) => r.reference), [{ kind: 'link_beneficiary', key: { nationalId: '1000000008' }, newId: uuidv7() }]));
      expect(seen).toEqual([]);
      const after = await store.core.conversations.apply(b, (ctx) => plan(ctx, { beneficiary: ctx.contact.beneficiaryId, refs: ctx.requests.map((r) => r.reference) }));
      expect(after).toEqual({ beneficiary: req.beneficiaryId, refs: [ref] });
      expect(await store.core.conversations.notificationTarget(req, 'original')).toBe(a.conversationId);
      // The most recently seen contact of the beneficiary.
      expect(await store.core.conversations.notificationTarget(req, 'last_used')).toBe(b);
    });

    it('verification runs once; of two concurrent decisions one is recorded and told', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('56', 'x'));
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [requestWrite('QLM-1'), requestWrite('QLM-2')]));
      let dupes: string[] | undefined;
      const ok = await store.core.requests.verify('QLM-2', now(), ['submitted', 'verifying'], (req, d) => ((dupes = d), [{ check: 'id_checksum', ok: req.nationalId === '1000000008' }]));
      expect(ok).toBe(true);
      expect(dupes).toEqual(['QLM-1']);
      expect(await store.core.requests.verify('QLM-2', now(), ['submitted'], () => [])).toBe(false);
      const checked = (await store.core.requests.byReference('QLM-2'))!;
      expect(checked).toMatchObject({ status: 'verifying', checks: [{ check: 'id_checksum', ok: true }] });

      const told: string[] = [];
      const decide = (outcome: 'accepted' | 'rejected') =>
        store.core.requests.decide('QLM-2', { outcome, reason: outcome === 'rejected' ? 'no' : null, at: now(), actor: 'system' }, (r) => r.status === 'verifying', {
          via: 'original',
          step: (ctx) => (told.push(outcome), plan(ctx, outcome, [reply(`decision-${outcome}`)])),
        });
      const results = await Promise.all([decide('accepted'), decide('rejected')]);
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      const decided = (await store.core.requests.byReference('QLM-2'))!;
      expect(decided.status).toBe(winners[0]);
      expect((await store.core.delivery.next(conversationId))!.id).toBe(`decision-${winners[0]}`);
      await expect(store.core.requests.decide('nope', { outcome: 'accepted', reason: null, at: now(), actor: 'system' }, () => true, { via: 'original', step: (ctx) => plan(ctx, 1) })).rejects.toThrow('unknown request nope');
    });

    it('survey invitations happen once even when raced; delivery completes a request with its outbox rows', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('57', 'x'));
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [requestWrite('QLM-9')]));
      await store.core.requests.delivered('QLM-9', 'user:u1', now(), (req) => [{ associationId: req.associationId, job: { kind: 'survey', reference: req.reference }, runAt: now(), createdAt: now(), dedupeKey: null }]);
      expect((await store.core.requests.byReference('QLM-9'))!.status).toBe('completed');
      const rows = await store.core.outbox.undispatched(new Date(clock + 60_000).toISOString(), 10);
      expect(rows.map((r) => r.job)).toEqual([{ kind: 'survey', reference: 'QLM-9' }]);

      const invite = () => store.core.requests.inviteToSurvey('QLM-9', now(), { via: 'last_used', step: (ctx) => plan(ctx, 'invited', [reply(`survey-${uuidv7()}`)]) });
      const results = await Promise.all([invite(), invite(), invite()]);
      expect(results.filter((r) => r === 'invited')).toHaveLength(1);
      expect(await invite()).toBeUndefined();
      expect(await store.core.requests.inviteToSurvey('nope', now(), { via: 'original', step: (ctx) => plan(ctx, 1) })).toBeUndefined();
    });

    it('events: addOnce records an event once, even when raced; a failed job is linked to its request', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('58', 'x'));
      const e = { associationId: ORG, conversationId, type: 'escalation_alerted', actor: 'system', payload: { escalatedAt: '2026-03-01T10:00:00.000Z', n: 1 }, at: now() };
      const results = await Promise.all(Array.from({ length: 4 }, () => store.core.events.addOnce({ ...e })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.core.events.addOnce({ ...e, payload: { escalatedAt: '2026-03-01T11:00:00.000Z', n: 1 } })).toBe(true);
      await store.core.events.jobFailed({ associationId: ORG, reference: 'unknown-ref', payload: { kind: 'verify' }, at: now() });
    });

    it('media rows are stored and read back with the pending message that carries them', async () => {
      await store.core.media.add({ id: 'md-1', associationId: ORG, sha256: 'abc', mime: 'image/png', size: 1234, filename: 'id.png', path: 'ab/abc.png' });
      const { conversationId } = await store.core.conversations.accept(inbound('59', 'photo', { text: undefined, mediaId: 'md-1' }));
      const media = await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, ctx.message.media));
      expect(media).toMatchObject({ id: 'md-1', associationId: ORG, sha256: 'abc', mime: 'image/png', size: 1234, filename: 'id.png', path: 'ab/abc.png' });
      const h = await store.core.conversations.history(ORG, 'telegram', '59', 5);
      expect(h[0]!.file).toBe('id.png');
    });

    it('opting out is saved on the contact', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('60', 'stop'));
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [{ kind: 'opt_out', optedOut: true }]));
      const contact = await store.core.conversations.apply(conversationId, (ctx) => plan(ctx, ctx.contact));
      expect(contact).toMatchObject({ channel: 'telegram', address: '60', optedOut: true });
    });

    it('ping answers while open', async () => {
      expect(await store.ping()).toBe(true);
    });
  });

  describe(`console store contract: ${kind}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.core.associations.sync([
        { id: ORG, nameAr: 'قلم', nameEn: 'Qalam', referencePrefix: 'QLM', flowHash: 'h', updatedAt: now() },
        { id: 'birr', nameAr: 'بر', nameEn: 'Birr', referencePrefix: 'BRR', flowHash: 'h', updatedAt: now() },
      ]);
    });
    afterEach(async () => {
      await store?.close();
    });

    const user = (id: string, email: string, associations = [ORG]) => ({
      id, email, name: `name ${id}`, role: 'staff' as const, passwordHash: 'hash', associations, displayNameAr: null, displayNameEn: null, mustChangePassword: true,
    });
    const audit = (type: string, extra: Record<string, unknown> = {}) => ({ associationId: ORG, type, actor: 'user:u1', payload: {}, at: now(), ...extra });

    /** A conversation of a new contact, moved to `mode` (held by `staff` if given). */
    async function conversationIn(address: string, mode: string, staff: string | null = null, escalatedAt: string | null = null): Promise<string> {
      const { conversationId } = await store.core.conversations.accept(inbound(address, `${address}-hello`));
      await store.core.conversations.runNext(conversationId, (ctx) => ({ ...plan(ctx, null), conversation: { state: state(mode), mode, lang: 'ar', assignedStaffId: staff, escalatedAt } }));
      return conversationId;
    }

    it('accounts: one account per email even when raced; associations in the order given; a new password ends the other sessions', async () => {
      const results = await Promise.all([store.console.accounts.insert(user('u1', 'a@x', ['birr', ORG])), store.console.accounts.insert(user('u2', 'a@x'))]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.console.accounts.count()).toBe(1);
      const u = (await store.console.accounts.byEmail('a@x'))!;
      if (u.id === 'u1') expect(u.associations).toEqual(['birr', ORG]);
      expect(u).toMatchObject({ email: 'a@x', role: 'staff', active: true, mustChangePassword: true, displayNameAr: null });
      expect(await store.console.accounts.byId(u.id)).toEqual(u);
      expect(await store.console.accounts.byEmail('nobody@x')).toBeUndefined();
      expect((await store.console.accounts.associationIds()).sort()).toEqual(['birr', ORG].sort());

      const far = '2999-01-01T00:00:00.000Z';
      await store.console.sessions.set('s-keep', { userId: u.id, n: 1 }, far);
      await store.console.sessions.set('s-old', { userId: u.id }, far);
      await store.console.sessions.set('s-other', { userId: 'someone else' }, far);
      await store.console.accounts.setPassword(u.id, 'new-hash', false, now(), 's-keep');
      expect(await store.console.sessions.get('s-keep', now())).toEqual({ userId: u.id, n: 1 });
      expect(await store.console.sessions.get('s-old', now())).toBeUndefined();
      expect(await store.console.sessions.get('s-other', now())).toEqual({ userId: 'someone else' });
      expect(await store.console.accounts.byId(u.id)).toMatchObject({ passwordHash: 'new-hash', mustChangePassword: false });
      await store.console.accounts.setDisplayNames(u.id, 'سارة', 'Sara');
      expect(await store.console.accounts.byId(u.id)).toMatchObject({ displayNameAr: 'سارة', displayNameEn: 'Sara' });
    });

    it('sessions: stored, replaced, expired and destroyed', async () => {
      await store.console.sessions.set('s', { a: 1 }, '2026-03-01T09:00:00.000Z');
      await store.console.sessions.set('s', { a: 2 }, '2026-03-01T10:00:00.000Z');
      expect(await store.console.sessions.get('s', '2026-03-01T09:30:00.000Z')).toEqual({ a: 2 });
      expect(await store.console.sessions.get('s', '2026-03-01T10:00:00.001Z')).toBeUndefined();
      await store.console.sessions.destroy('s');
      expect(await store.console.sessions.get('s', '2026-03-01T09:30:00.000Z')).toBeUndefined();
    });

    it('inbox: escalated first, counts per association, a reply only from the person holding it, fingerprints that change', async () => {
      await store.console.accounts.insert(user('u1', 'a@x'));
      const held = await conversationIn('i-1', 'with_staff', 'u1', '2026-03-01T08:00:05.000Z');
      const waiting = await conversationIn('i-2', 'waiting_staff', null, '2026-03-01T08:00:01.000Z');
      await conversationIn('i-3', 'menu');
      const list = await store.console.inbox.list([ORG]);
      expect(list.map((r) => r.conversationId)).toEqual([waiting, held]);
      expect(list[1]).toMatchObject({ associationId: ORG, associationName: 'قلم', channel: 'telegram', mode: 'with_staff', assignedStaffId: 'u1', state: { mode: 'with_staff' } });
      expect(await store.console.inbox.list([])).toEqual([]);
      expect(await store.console.inbox.waitingCounts([ORG, 'birr'])).toEqual([
        { associationId: 'birr', name: 'بر', waiting: 0 },
        { associationId: ORG, name: 'قلم', waiting: 1 },
      ]);
      expect(await store.console.inbox.conversation(held)).toMatchObject({ id: held, associationId: ORG, mode: 'with_staff', assignedStaffId: 'u1', lang: 'ar', channel: 'telegram' });

      const sig = await store.console.inbox.signature([ORG]);
      const convSig = await store.console.inbox.conversationSignature(held);
      const reply = (conversationId: string, staffId: string, key: string, associationIds = [ORG]) =>
        store.console.inbox.staffReply({ conversationId, associationIds, staffId, messageId: uuidv7(), key, body: 'مرحبا', at: now() });
      expect(await reply(waiting, 'u1', 'k-0')).toBe('not held');
      expect(await reply(held, 'u2', 'k-0')).toBe('not held');
      expect(await reply(held, 'u1', 'k-0', ['birr'])).toBe('not found');
      expect(await reply(held, 'u1', 'k-1')).toBe('queued');
      expect((await store.console.inbox.history(held)).map((m) => [m.direction, m.author, m.status])).toEqual([
        ['in', 'beneficiary', 'processed'],
        ['out', 'staff', 'queued'],
      ]);
      const changed = await store.console.inbox.conversationSignature(held);
      expect(changed).not.toBe(convSig);
      expect(await store.core.delivery.claim('k-1')).toBe(true);
      await store.core.delivery.markSent('k-1', 'p', now());
      expect(await store.console.inbox.conversationSignature(held)).not.toBe(changed);
      await store.core.conversations.apply(waiting, (ctx) => ({ ...plan(ctx, null), conversation: { state: state('with_staff'), mode: 'with_staff', lang: 'ar', assignedStaffId: 'u1', escalatedAt: null } }));
      expect(await store.console.inbox.signature([ORG])).not.toBe(sig);

      await store.console.records.addNote({ id: uuidv7(), associationId: ORG, conversationId: held, beneficiaryId: null, authorId: 'u1', body: 'first', at: now() });
      await store.console.records.addNote({ id: uuidv7(), associationId: ORG, conversationId: held, beneficiaryId: null, authorId: 'u1', body: 'second', at: now() });
      expect((await store.console.inbox.notes(held)).map((n) => [n.body, n.author])).toEqual([
        ['first', 'name u1'],
        ['second', 'name u1'],
      ]);
    });

    it('inbox history marks the chat page being opened and pressed buttons', async () => {
      const { conversationId } = await store.core.conversations.accept(inbound('o-1', 'open:abc', { text: '' }));
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [reply('o-out', 'choose', [{ id: 'y', label: 'نعم' }])]));
      await store.core.conversations.accept(inbound('o-1', 'press', { text: undefined, choiceId: 'y' }));
      const h = await store.console.inbox.history(conversationId);
      expect(h[0]).toMatchObject({ direction: 'in', opened: true });
      expect(h[1]).toMatchObject({ direction: 'out', choices: [{ id: 'y', label: 'نعم' }] });
      expect(h[1]!.opened).toBeUndefined();
      expect(h[2]).toMatchObject({ direction: 'in', body: 'نعم', choiceId: 'y', status: 'pending' });
    });

    it('requests: filters, search by reference or part of a name, paging; marks on two fields at once both kept; transitions only from the given statuses', async () => {
      await store.console.accounts.insert(user('u1', 'a@x'));
      const { conversationId } = await store.core.conversations.accept(inbound('q-1', 'x'));
      await store.core.conversations.runNext(conversationId, (ctx) =>
        plan(ctx, null, [
          { kind: 'link_beneficiary', key: { nationalId: '1000000008' }, newId: uuidv7() },
          requestWrite('QLM-1447-00001', { beneficiaryName: 'Sara Ahmed' }),
          requestWrite('QLM-1447-00002'),
          requestWrite('QLM-1447-00003'),
        ]),
      );
      const all = await store.console.requests.list({ associationIds: [ORG], limit: 2, offset: 0 });
      expect(all.total).toBe(3);
      expect(all.rows.map((r) => r.reference)).toEqual(['QLM-1447-00003', 'QLM-1447-00002']);
      expect(all.rows[0]).toMatchObject({ associationId: ORG, associationName: 'قلم', form: 'intake', status: 'submitted', name: 'Sara Ahmed', checks: null });
      expect((await store.console.requests.list({ associationIds: [ORG], limit: 2, offset: 2 })).rows.map((r) => r.reference)).toEqual(['QLM-1447-00001']);
      expect((await store.console.requests.list({ associationIds: [ORG], search: 'qlm-1447-00002', limit: 10, offset: 0 })).rows.map((r) => r.reference)).toEqual(['QLM-1447-00002']);
      expect((await store.console.requests.list({ associationIds: [ORG], search: 'sara', limit: 10, offset: 0 })).total).toBe(3);
      expect((await store.console.requests.list({ associationIds: [ORG], search: '100%', limit: 10, offset: 0 })).total).toBe(0);
      expect((await store.console.requests.list({ associationIds: [ORG], statuses: ['accepted'], limit: 10, offset: 0 })).total).toBe(0);
      expect((await store.console.requests.list({ associationIds: ['birr'], limit: 10, offset: 0 })).total).toBe(0);
      expect((await store.console.requests.list({ associationIds: [], limit: 10, offset: 0 })).total).toBe(0);

      const req = (await store.console.requests.byReference('QLM-1447-00001'))!;
      expect(req).toMatchObject({ reference: 'QLM-1447-00001', status: 'submitted', name: 'Sara Ahmed', fieldMarks: {}, data: { name: { value: 'سارة', display: 'سارة' } } });
      const mark = (field: string) =>
        store.console.requests.markField({ requestId: req.id, field, mark: { mark: 'verified', by: 'u1', at: now() }, whileStatus: ['submitted'], at: now(), audit: audit('field_marked', { requestId: req.id }) });
      const marks = await Promise.all([mark('name'), mark('city'), mark('phone')]);
      expect(marks).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(Object.keys((await store.console.requests.byReference('QLM-1447-00001'))!.fieldMarks).sort()).toEqual(['city', 'name', 'phone']);
      await store.console.requests.markField({ requestId: req.id, field: 'city', mark: null, whileStatus: ['submitted'], at: now(), audit: audit('field_unmarked') });
      expect(Object.keys((await store.console.requests.byReference('QLM-1447-00001'))!.fieldMarks).sort()).toEqual(['name', 'phone']);

      const move = () => store.console.requests.transition({ requestId: req.id, from: ['submitted'], to: 'committee', at: now(), audit: audit('request_forwarded', { requestId: req.id }) });
      const moved = await Promise.all([move(), move()]);
      expect(moved).toEqual(expect.arrayContaining([{ ok: true }, { ok: false, status: 'committee' }]));
      expect(await mark('name')).toEqual({ ok: false, status: 'committee' });
      expect(await store.console.requests.transition({ requestId: 'nope', from: ['submitted'], to: 'x', at: now(), audit: audit('x') })).toEqual({ ok: false, status: undefined });

      expect(await store.console.requests.decision(req.id)).toBeUndefined();
      await store.console.audit.record(audit('request_decided', { requestId: req.id, payload: { outcome: 'accepted' } }));
      await store.console.audit.record(audit('request_decided', { requestId: req.id, payload: { outcome: 'rejected', reason: 'late' } }));
      expect(await store.console.requests.decision(req.id)).toMatchObject({ outcome: 'rejected', reason: 'late', by: 'name u1' });
    });

    it('a decision and who made it are one write: a failing step leaves neither; of two raced deciders only the winner is named', async () => {
      await store.console.accounts.insert(user('u-k', 'k@x'));
      await store.console.accounts.insert(user('u-m', 'm@x'));
      const { conversationId } = await store.core.conversations.accept(inbound('d-1', 'x'));
      await store.core.conversations.runNext(conversationId, (ctx) => plan(ctx, null, [requestWrite('QLM-D-1')]));
      const req = (await store.core.requests.byReference('QLM-D-1'))!;
      const decide = (actor: string, outcome: 'accepted' | 'rejected', step: (ctx: StepContext) => StepPlan<string> = (ctx) => plan(ctx, outcome, [reply(`told-${actor}`)])) =>
        store.core.requests.decide('QLM-D-1', { outcome, reason: outcome === 'rejected' ? 'دخل يتجاوز الحد' : null, at: now(), actor }, (r) => r.status === 'submitted', { via: 'original', step });

      // The step that tells the beneficiary fails: no decision, and nobody is recorded as having made one.
      await expect(decide('user:u-k', 'accepted', () => { throw new Error('engine failed'); })).rejects.toThrow('engine failed');
      expect((await store.core.requests.byReference('QLM-D-1'))!).toMatchObject({ status: 'submitted', decidedAt: null });
      expect(await store.console.requests.decision(req.id)).toBeUndefined();

      const results = await Promise.all([decide('user:u-k', 'rejected'), decide('user:u-m', 'accepted')]);
      const won = results.findIndex((r) => r !== undefined);
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      const [name, outcome] = won === 0 ? ['name u-k', 'rejected'] : ['name u-m', 'accepted'];
      expect(await store.console.requests.decision(req.id)).toMatchObject({ outcome, by: name, ...(outcome === 'rejected' ? { reason: 'دخل يتجاوز الحد' } : {}) });
      // A decision already made: a third decider writes nothing, the author stays the winner.
      expect(await decide('user:u-m', 'accepted')).toBeUndefined();
      expect(await store.console.requests.decision(req.id)).toMatchObject({ outcome, by: name });
      const decided = (await store.core.requests.byReference('QLM-D-1'))!;
      expect(decided.status).toBe(outcome);
      expect(decided.decidedAt).toBe((await store.console.requests.decision(req.id))!.at);
    });

    it('records: one record per national ID when raced, one per conversation when raced, search, and erasure once', async () => {
      await store.console.accounts.insert(user('u1', 'a@x'));
      const create = (id: string) => store.console.records.create({ associationId: ORG, id, name: 'Walk In', nationalId: '2000000007', phone: null, at: now(), actor: 'user:u1' });
      const created = await Promise.all([create('b-1'), create('b-2')]);
      expect(created.filter((c) => !c.existed)).toHaveLength(1);
      expect(new Set(created.map((c) => c.id)).size).toBe(1);

      const conversationId = await conversationIn('r-1', 'with_staff', 'u1');
      const opened = await Promise.all([1, 2, 3].map((i) => store.console.records.forConversation({ conversationId, associationIds: [ORG], id: `rb-${i}`, at: now(), actor: 'user:u1' })));
      expect(new Set(opened).size).toBe(1);
      expect(await store.console.records.forConversation({ conversationId, associationIds: ['birr'], id: 'rb-x', at: now(), actor: 'user:u1' })).toBeUndefined();
      const bid = opened[0]!;
      expect(await store.console.records.conversationAssociation(conversationId)).toBe(ORG);

      await store.console.records.logOffline({ id: uuidv7(), associationId: ORG, beneficiaryId: bid, kind: 'phone_call', direction: 'in', summary: 'called about rent', occurredAt: now(), recordedBy: 'u1', at: now(), audit: audit('offline_logged') });
      await store.console.records.addNote({ id: uuidv7(), associationId: ORG, conversationId: null, beneficiaryId: bid, authorId: 'u1', body: 'note', at: now() });
      const person = (await store.console.records.person(bid))!;
      expect(person.contacts).toEqual([expect.objectContaining({ channel: 'telegram', address: 'r-1', optedOut: false })]);
      expect(person.conversations).toEqual([expect.objectContaining({ id: conversationId, channel: 'telegram', mode: 'with_staff', messages: 1 })]);
      expect(person.offline).toEqual([expect.objectContaining({ kind: 'phone_call', direction: 'in', summary: 'called about rent', author: 'name u1' })]);
      expect(person.notes.map((n) => n.body)).toEqual(['note']);
      expect(await store.console.records.person('nope')).toBeUndefined();

      const found = await store.console.records.search({ associationIds: [ORG], nationalId: '2000000007', phone: null, nameContains: 'zzz', reference: '' });
      expect(found.map((b) => [b.id, b.associationName])).toEqual([[created[0]!.id, 'قلم']]);
      expect((await store.console.records.search({ associationIds: [ORG], nationalId: null, phone: null, nameContains: 'walk', reference: '' })).map((b) => b.id)).toEqual([created[0]!.id]);

      const exported = await store.console.records.export(bid, [conversationId], audit('record_exported'));
      expect(exported.conversations[0]!.messages.map((m) => m.body)).toEqual(['text of r-1-hello']);

      const erase = () => store.console.records.erase({ beneficiaryId: bid, associationIds: [ORG], at: now(), freshState: (lang) => ({ ...state('new'), lang }) as ConversationState, audit: (counts) => audit('record_erased', { payload: counts }) });
      const erased = await Promise.all([erase(), erase()]);
      expect(erased).toEqual(expect.arrayContaining([{ ok: true, counts: { files: 0, messages: 1, requests: 0 }, unusedPaths: [] }, { ok: false, reason: 'erased already' }]));
      expect(await store.console.records.beneficiary(bid)).toMatchObject({ name: null, erasedAt: expect.any(String) });
      expect((await store.console.inbox.history(conversationId))[0]!.body).toBe('');
      expect((await store.core.conversations.get(conversationId))!.mode).toBe('new');
    });

    it('reports: the dashboard figures of one association', async () => {
      const since = now();
      await conversationIn('d-1', 'waiting_staff', null, now());
      const { conversationId } = await store.core.conversations.accept(inbound('d-2', 'x'));
      await store.core.conversations.runNext(conversationId, (ctx) =>
        plan(ctx, null, [
          { kind: 'event', type: 'escalated', actor: 'system', payload: {} },
          { kind: 'event', type: 'staff_claimed', actor: 'user:u1', payload: {} },
          requestWrite('QLM-7'),
          { kind: 'survey_response', id: uuidv7(), requestReference: 'QLM-7', rating: 4, answers: { q: 'good' } },
        ]),
      );
      const d = await store.console.reports.dashboard(ORG, since, '2999-01-01T00:00:00.000Z');
      expect(d.waiting).toBe(1);
      expect(d.breaches).toBe(0);
      expect(d.escalationEvents.map((e) => e.type)).toEqual(['escalated', 'staff_claimed']);
      expect(d.escalationEvents[0]!.conversationId).toBe(conversationId);
      expect(d.stages).toEqual({ submitted: 1 });
      expect(d.decisions).toEqual([]);
      expect(d.surveys).toEqual([expect.objectContaining({ rating: 4, answers: { q: 'good' } })]);
      expect(d.idleStates).toHaveLength(2);
    });
  });
}
