/**
 * The message path's repositories on PostgreSQL (the CoreStore interface of ../core.ts), with
 * the semantics of the SQLite implementation. Where SQLite's one write lock (`BEGIN
 * IMMEDIATE`) makes read-then-write safe, this takes a row lock (`FOR UPDATE` on the
 * conversation or the request) or does it in one conditional statement (`UPDATE … WHERE
 * status = 'queued'`, an upsert).
 */
import type { Choice, Lang } from '../../engine/types.ts';
import type { CoreStore, DeadLetter, OutboundTemplate, OutboxJob, OutboxRow, RequestRecord, StepContext, StepPlan } from '../core.ts';
import { mediaPrefix, receiptStatus } from '../core.ts';
import type { PgDb, Tx } from './db.ts';
import { camelRow, duplicates, json, Q } from './core-sql.ts';
import { addOutbox, applyStep, lockAndLoad, notificationTarget, runNextUnlocked, runWithReferences, writePlan } from './core-steps.ts';

export function pgCore(db: PgDb): CoreStore {
  const outboxRow = (r: Record<string, unknown>): OutboxRow => ({
    id: r.id as number,
    associationId: r.association_id as string,
    job: r.payload as OutboxJob,
    runAt: r.run_at as string,
    dedupeKey: r.dedupe_key as string | null,
  });
  const request = async (tx: Pick<Tx, 'one'>, reference: string, lock: boolean) => {
    const row = await tx.one<Record<string, unknown>>(lock ? Q.requestForUpdate : Q.requestByReference, [reference]);
    return row ? camelRow<RequestRecord>(row) : undefined;
  };
  const unknownRequest = (reference: string) => new Error(`unknown request ${reference}`);
  /** A step on the conversation the request's news goes to; inside the caller's transaction. */
  const notify = async <T>(tx: Tx, req: RequestRecord, n: { via: 'last_used' | 'original'; step: (ctx: StepContext) => StepPlan<T> }): Promise<T> =>
    (await applyStep(tx, await notificationTarget(tx, req, n.via), n.step)) as T;
  const event = (tx: Tx, e: { associationId: string; conversationId: string | null; requestId: string | null; type: string; actor: string; payload: unknown; at: string }) =>
    tx.run(Q.insertEvent, [e.associationId, e.conversationId, e.requestId, e.type, e.actor, json(e.payload), e.at]);

  return {
    associations: {
      sync: (rows) =>
        db.tx(async (tx) => {
          for (const r of rows) await tx.run(Q.upsertAssociation, [r.id, r.nameAr, r.nameEn, r.referencePrefix, r.flowHash, r.updatedAt]);
        }),
    },

    conversations: {
      accept: async (msg) => {
        const at = msg.at;
        // One statement when the person has a conversation already (nearly every message).
        const fast = (await db.one<{ contact_id: string; conversation_id: string | null; inserted: number }>(Q.acceptFast, [
          msg.newId(), msg.associationId, msg.channel, msg.address, msg.displayName ?? null, at, msg.newId(), msg.messageId, msg.text ?? null, msg.choiceId ?? null, msg.mediaId ?? null,
        ]))!;
        if (fast.conversation_id) return { duplicate: fast.inserted === 0, conversationId: fast.conversation_id };
        // A first message: one more statement creates the conversation with it, unless a
        // concurrent first message of this person got there first.
        const start = msg.newConversation();
        const created = (await db.one<{ conversation_id: string | null; inserted: number }>(Q.acceptNew, [
          msg.newId(), msg.associationId, fast.contact_id, start.mode, start.lang, json(start.state), at,
          msg.newId(), msg.channel, msg.messageId, msg.text ?? null, msg.choiceId ?? null, msg.mediaId ?? null,
        ]))!;
        if (created.conversation_id) return { duplicate: created.inserted === 0, conversationId: created.conversation_id };
        // Two first messages of one person at once: the transaction holding the contact's row
        // finds the conversation the other one created (and the button label it may have offered).
        return db.tx(async (tx) => {
          const contactId = (await tx.one<{ id: string }>(Q.upsertContact, [msg.newId(), msg.associationId, msg.channel, msg.address, msg.displayName ?? null, at]))!.id;
          let conversationId = (await tx.one<{ id: string }>(Q.conversationByContact, [contactId]))?.id;
          if (!conversationId) {
            const start = msg.newConversation();
            conversationId =
              (await tx.one<{ id: string }>(Q.insertConversation, [msg.newId(), msg.associationId, contactId, start.mode, start.lang, json(start.state), at]))?.id ??
              (await tx.one<{ id: string }>(Q.conversationByContact, [contactId]))!.id;
          }
          // A pressed button is stored with the label the bot offered, as the beneficiary's words.
          let body: string | undefined;
          if (msg.choiceId) {
            for (const row of await tx.rows<{ choices: Choice[] | null }>(Q.offeredChoices, [conversationId])) {
              const hit = row.choices?.find((ch) => ch.id === msg.choiceId);
              if (hit) {
                body = hit.label;
                break;
              }
            }
          }
          const inserted = await tx.run(Q.insertInbound, [
            msg.newId(), msg.associationId, conversationId, msg.channel, msg.messageId, body ?? msg.text ?? '', msg.choiceId ?? null, msg.mediaId ?? null, at,
          ]);
          return { duplicate: inserted === 0, conversationId };
        });
      },

      runNext: async (conversationId, step) => {
        // Lock-free first (two statements, no BEGIN/COMMIT; see runNextUnlocked): nearly every
        // step writes only what its closing statement writes. Its read also answers "nothing
        // left", so no separate peek. After a few lost races, or for a step that links,
        // records, allocates numbers (…), the transaction holding the conversation's row lock.
        for (let attempt = 0; attempt < 3; attempt++) {
          const r = await db.session((s) => runNextUnlocked(s, conversationId, step));
          if (r.outcome === 'done') return r.result;
          if (r.outcome === 'none') return undefined;
          if (r.outcome === 'needs-lock') break;
        }
        return db.tx(async (tx) => {
          const loaded = await lockAndLoad(tx, conversationId, true);
          if (!loaded?.pending) return undefined;
          const { conversation, contact, requests, pending, morePending } = loaded;
          const plan = await runWithReferences(tx, { conversation, contact, requests, message: pending, morePending }, conversation.associationId, step);
          await writePlan(tx, conversation, contact, plan, pending.id);
          return plan.result;
        });
      },

      apply: (conversationId, step) => db.tx((tx) => applyStep(tx, conversationId, step)),

      get: async (conversationId) => {
        const row = await db.one<Record<string, unknown>>(Q.conversationById, [conversationId]);
        return row ? camelRow(row) : undefined;
      },

      notificationTarget: (req, via) => notificationTarget(db, req, via),

      history: async (associationId, channel, address, limit) => {
        const rows = await db.rows<{ id: string; direction: 'in' | 'out'; author: string; body: string; choices: Choice[] | null; created_at: string; status: string; channel_message_id: string; filename: string | null }>(
          Q.history,
          [associationId, channel, address, limit],
        );
        return rows.reverse().map((r) => ({
          id: r.direction === 'out' ? r.channel_message_id : r.id,
          direction: r.direction,
          author: r.author,
          text: r.body,
          ...(r.choices ? { choices: r.choices } : {}),
          at: r.created_at,
          status: r.status,
          ...(r.filename ? { file: r.filename } : {}),
        }));
      },

      stalledInbound: async (before, after, limit) => (await db.rows<{ conversation_id: string }>(Q.stalledInbound, [before, after, limit])).map((r) => r.conversation_id),
    },

    delivery: {
      next: async (conversationId) => {
        const row = await db.one<{
          channel_message_id: string; association_id: string; channel: string; body: string; choices: Choice[] | null; template: OutboundTemplate | null;
          status: 'queued' | 'sending'; attempts: number; address: string; last_seen_at: string | null; lang: string;
        }>(Q.nextOutbound, [conversationId]);
        if (!row) return undefined;
        return {
          id: row.channel_message_id,
          associationId: row.association_id,
          conversationId,
          channel: row.channel,
          address: row.address,
          text: row.body,
          lang: row.lang as Lang,
          ...(row.choices ? { choices: row.choices } : {}),
          ...(row.template ? { template: row.template } : {}),
          ...(row.last_seen_at ? { lastInboundAt: row.last_seen_at } : {}),
          status: row.status,
          attempts: row.attempts,
        };
      },
      status: async (id) => {
        const row = await db.one<Record<string, unknown>>(Q.outboundById, [id]);
        return row ? camelRow(row) : undefined;
      },
      acceptedAt: async (id) => (await db.one<{ accepted_at: string | null }>(Q.acceptedAt, [id]))?.accepted_at ?? null,
      lastSentAt: async (conversationId) => (await db.one<{ last_sent_at: string | null }>(Q.lastSentAt, [conversationId]))?.last_sent_at ?? null,
      claim: async (id) => (await db.run(Q.markSending, [id])) === 1,
      markSent: async (id, providerMessageId, at) => (await db.one<{ accepted_at: string | null }>(Q.markSent, [id, providerMessageId, at]))?.accepted_at ?? null,
      retry: async (id, error) => void (await db.run(Q.markOutcome, [id, 'queued', error])),
      dead: async (id, status, error) => void (await db.run(Q.markOutcome, [id, status, error])),
      noteError: async (id, error) => void (await db.run(Q.noteError, [id, error])),
      receipt: (channel, providerMessageId, status, error) => {
        const order = ['sent', 'delivered', 'read'];
        // The row locked while it is compared, so a concurrent receipt cannot move it backwards.
        return db.tx(async (tx) => {
          const row = await tx.one<{ id: string; status: string }>(Q.byProviderForUpdate, [channel, providerMessageId]);
          if (!row) return false;
          if (status !== 'failed' && order.indexOf(status) <= order.indexOf(row.status)) return true;
          await tx.run(Q.setReceipt, [row.id, status, status === 'failed' ? (error ?? 'failed') : null]);
          return true;
        });
      },
      deadLetters: async (associationId, limit) => (await db.rows<Record<string, unknown>>(Q.deadLetters, [associationId ?? null, limit])).map((r) => camelRow<DeadLetter>(r)),
      requeue: async (id) => (await db.run(Q.requeue, [id])) === 1,
      stalledOutbound: async (before, after, limit) =>
        (await db.rows<{ conversation_id: string; channel: string }>(Q.stalledOutbound, [before, after, limit])).map((r) => ({ conversationId: r.conversation_id, channel: r.channel })),
      receiptByKey: (channel, key, providerMessageId, status, at, error) =>
        // The row locked while it is compared, so a concurrent receipt cannot move it backwards.
        db.tx(async (tx) => {
          const row = await tx.one<{ id: string; status: string; error: string | null }>(Q.byKeyForUpdate, [channel, key]);
          if (!row) return false;
          const next = receiptStatus(row.status, status);
          await tx.run(Q.setReceiptByKey, [row.id, next, next !== 'failed' ? null : status === 'failed' ? (error ?? 'failed') : row.error, providerMessageId, at]);
          return true;
        }),
    },

    outbox: {
      add: (row) => db.tx((tx) => addOutbox(tx, row)),
      undispatched: async (dueBy, limit) => (await db.rows<Record<string, unknown>>(Q.undispatched, [dueBy, limit])).map(outboxRow),
      markDispatched: async (ids, at) => {
        if (ids.length === 0) return;
        await db.run(Q.markDispatched, [ids, at]);
      },
      done: async (id, at) => void (await db.run(Q.outboxDone, [id, at])),
      open: async (before, afterId, limit) => (await db.rows<Record<string, unknown>>(Q.openOutbox, [before, afterId, limit])).map(outboxRow),
    },

    requests: {
      byReference: (reference) => request(db, reference, false),

      verify: (reference, at, openStatuses, checks) =>
        db.tx(async (tx) => {
          const req = await request(tx, reference, true);
          if (!req || req.status !== 'submitted') return false;
          const dupes =
            req.nationalId || req.phone
              ? (await tx.rows<{ reference: string }>(duplicates, [req.nationalId, req.associationId, req.form, req.id, [...openStatuses], req.phone])).map((r) => r.reference)
              : undefined;
          const results = checks(req, dupes);
          await tx.run(Q.setVerifying, [req.id, json(results), at]);
          await event(tx, { associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'verification_checked', actor: 'system', payload: { reference, checks: results }, at });
          return true;
        }),

      // The request row locked first: two deciders cannot both find it undecided, and the
      // decision is never recorded without its message queued, nor the reverse.
      decide: (reference, decision, decidable, n) =>
        db.tx(async (tx) => {
          const req = await request(tx, reference, true);
          if (!req) throw unknownRequest(reference);
          if (!decidable(req)) return undefined;
          await tx.run(Q.setDecision, [req.id, decision.outcome, decision.reason, decision.at]);
          // Who decided, with the decision itself (the request page shows it).
          await event(tx, { associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'request_decided', actor: decision.actor, payload: { reference, outcome: decision.outcome, ...(decision.reason ? { reason: decision.reason } : {}) }, at: decision.at });
          return notify(tx, req, n);
        }),

      delivered: (reference, actor, at, outbox) =>
        db.tx(async (tx) => {
          const req = await request(tx, reference, true);
          if (!req) throw unknownRequest(reference);
          await tx.run(Q.setCompleted, [req.id, at]);
          await event(tx, { associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'service_delivered', actor, payload: { reference }, at });
          for (const row of outbox(req)) await addOutbox(tx, row);
        }),

      // The request row locked first: the invitation and its "invited" mark together, once.
      inviteToSurvey: (reference, at, n) =>
        db.tx(async (tx) => {
          const req = await request(tx, reference, true);
          if (!req) return undefined;
          if (await tx.one(Q.eventOfRequest, [req.id, 'survey_invited'])) return undefined;
          const result = await notify(tx, req, n);
          await event(tx, { associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'survey_invited', actor: 'system', payload: { reference }, at });
          return result;
        }),
    },

    events: {
      addOnce: (e) =>
        db.tx(async (tx) => {
          // Check-then-insert, serialised per conversation and type (a transaction advisory lock).
          await tx.one(Q.lockEventKey, [e.conversationId, e.type]);
          const payload = json(e.payload);
          if (payload !== null && (await tx.one(Q.eventSeen, [e.conversationId, e.type, payload]))) return false;
          await event(tx, { associationId: e.associationId, conversationId: e.conversationId, requestId: e.requestId ?? null, type: e.type, actor: e.actor, payload: e.payload, at: e.at });
          return true;
        }),
      jobFailed: (f) =>
        db.tx(async (tx) => {
          const req = f.reference ? await request(tx, f.reference, false) : undefined;
          await event(tx, {
            associationId: f.associationId,
            conversationId: f.conversationId ?? req?.conversationId ?? null,
            requestId: req?.id ?? null,
            type: 'job_failed',
            actor: 'system',
            payload: f.payload,
            at: f.at,
          });
        }),
    },

    media: {
      add: async (row) => void (await db.run(Q.insertMedia, [row.id, row.associationId, row.sha256, row.mime, row.size, row.filename ?? null, row.path])),
      keysFromPaths: (mediaDir) => db.run(Q.mediaKeysFromPaths, [mediaPrefix(mediaDir)]),
      files: () => db.rows<{ path: string; mime: string }>(Q.mediaFiles),
    },
  };
}
