/**
 * The message path's repositories on SQLite: today's SQL, moved here, on statements prepared
 * once (core-sql.ts). Read-then-write use cases run in one `BEGIN IMMEDIATE` transaction
 * (the write lock first), the pure step callback inside it; every write goes through
 * `write`, which never waits for the lock on the event loop.
 */
import type { Db } from '../db.ts';
import type { Choice, Lang } from '../../engine/types.ts';
import type { CoreStore, OutboundTemplate, OutboxJob, OutboxRow, RequestRecord, StepContext, StepPlan } from '../core.ts';
import { duplicateQuery, json, prepareCore, writer } from './core-sql.ts';
import { stepRunner } from './core-steps.ts';
import { mediaPrefix, receiptStatus } from '../core.ts';

export function sqliteCore(db: Db): CoreStore {
  const c = db.$client;
  const q = prepareCore(db);
  const write = writer(c);
  const steps = stepRunner(q);
  const duplicates = duplicateQuery(c);
  // Every write runs in its own savepoint of a group-committed BEGIN IMMEDIATE transaction (core-sql.ts).
  const immediate = write;
  const outboxRow = (r: { id: number; associationId: string; payload: unknown; runAt: string; dedupeKey: string | null }): OutboxRow => ({
    id: r.id,
    associationId: r.associationId,
    job: r.payload as OutboxJob,
    runAt: r.runAt,
    dedupeKey: r.dedupeKey,
  });
  const requestByReference = (reference: string) => q.requestByReference.get({ reference });
  const unknownRequest = (reference: string) => new Error(`unknown request ${reference}`);
  /** A step on the conversation the request's news goes to; inside the caller's transaction. */
  const notify = <T>(req: RequestRecord, n: { via: 'last_used' | 'original'; step: (ctx: StepContext) => StepPlan<T> }): T =>
    steps.apply(steps.notificationTarget(req, n.via), n.step) as T;

  return {
    associations: {
      sync: (rows) =>
        immediate(() => {
          for (const row of rows) q.upsertAssociation.run(row);
        }),
    },

    conversations: {
      accept: (msg) =>
        immediate(() => {
          const at = msg.at;
          const contact = q.contactByAddress.get({ associationId: msg.associationId, channel: msg.channel, address: msg.address });
          let contactId: string;
          if (contact) {
            contactId = contact.id;
            q.touchContact.run({ id: contactId, at });
          } else {
            contactId = msg.newId();
            q.insertContact.run({ id: contactId, associationId: msg.associationId, channel: msg.channel, address: msg.address, displayName: msg.displayName ?? null, at });
          }
          let conversationId = q.conversationByContact.get({ contactId })?.id;
          if (!conversationId) {
            const start = msg.newConversation();
            conversationId = msg.newId();
            q.insertConversation.run({ id: conversationId, associationId: msg.associationId, contactId, mode: start.mode, lang: start.lang, state: JSON.stringify(start.state), at });
          }
          // A pressed button is stored with the label the bot offered, as the beneficiary's words:
          // the latest of its recent messages that offered this choice.
          let body: string | undefined;
          if (msg.choiceId) {
            for (const row of q.offeredChoices.all({ conversationId })) {
              const hit = (row.choices as Choice[] | null)?.find((ch) => ch.id === msg.choiceId);
              if (hit) {
                body = hit.label;
                break;
              }
            }
          }
          const inserted = q.insertInbound.run({
            id: msg.newId(),
            associationId: msg.associationId,
            conversationId,
            channel: msg.channel,
            channelMessageId: msg.messageId,
            body: body ?? msg.text ?? '',
            choiceId: msg.choiceId ?? null,
            mediaId: msg.mediaId ?? null,
            createdAt: at,
          });
          return { duplicate: inserted.changes === 0, conversationId };
        }),

      runNext: async (conversationId, step, opts = {}) => {
        // A plain read first: the common "nothing left" answer needs no write lock.
        if (opts.peek !== false && !q.oldestPending.get({ conversationId })) return undefined;
        return immediate(() => {
          const [pending, behind] = q.oldestTwoPending.all({ conversationId });
          if (!pending) return undefined;
          const conversation = q.conversationById.get({ id: conversationId })!;
          const contact = q.contactById.get({ id: conversation.contactId })!;
          const media = pending.mediaId ? q.mediaById.get({ id: pending.mediaId }) : undefined;
          const plan = step(
            { ...steps.context(conversation, contact, { id: pending.id, channelMessageId: pending.channelMessageId, body: pending.body, choiceId: pending.choiceId, ...(media ? { media } : {}) }), morePending: behind !== undefined },
          );
          const version = steps.write(conversation, contact, plan);
          q.markProcessed.run({ id: pending.id, stepVersion: version });
          return plan.result;
        });
      },

      apply: (conversationId, step) => immediate(() => steps.apply(conversationId, step)),

      get: async (conversationId) => q.conversationById.get({ id: conversationId }),

      notificationTarget: async (req, via) => steps.notificationTarget(req, via),

      history: async (associationId, channel, address, limit) =>
        q.history
          .all({ associationId, channel, address, limit })
          .reverse()
          .map((r) => ({
            id: r.direction === 'out' ? r.channelMessageId : r.id,
            direction: r.direction,
            author: r.author,
            text: r.body,
            ...(r.choices ? { choices: r.choices as Choice[] } : {}),
            at: r.createdAt,
            status: r.status,
            ...(r.filename ? { file: r.filename } : {}),
          })),

      stalledInbound: async (before, after, limit) => q.stalledInbound.all({ before, after, limit }).map((r) => r.conversationId),
    },

    delivery: {
      next: async (conversationId) => {
        const row = q.nextOutbound.get({ conversationId });
        if (!row) return undefined;
        return {
          id: row.channelMessageId,
          associationId: row.associationId,
          conversationId,
          channel: row.channel,
          address: row.address,
          text: row.body,
          lang: row.lang as Lang,
          ...(row.choices ? { choices: row.choices as Choice[] } : {}),
          ...(row.template ? { template: row.template as OutboundTemplate } : {}),
          ...(row.lastSeenAt ? { lastInboundAt: row.lastSeenAt } : {}),
          status: row.status as 'queued' | 'sending',
          attempts: row.attempts,
        };
      },
      status: async (id) => q.outboundById.get({ id }),
      acceptedAt: async (id) => q.acceptedAt.get({ id })?.acceptedAt ?? null,
      lastSentAt: async (conversationId) => q.lastSentAt.get({ conversationId })?.lastSentAt ?? null,
      claim: (id) => write(() => q.markSending.run({ id }).changes === 1),
      markSent: (id, providerMessageId, at) =>
        write(() => {
          q.markSent.run({ id, providerMessageId, at });
          return q.acceptedAt.get({ id })?.acceptedAt ?? null;
        }),
      retry: (id, error) => write(() => void q.markOutcome.run({ id, status: 'queued', error })),
      dead: (id, status, error) => write(() => void q.markOutcome.run({ id, status, error })),
      noteError: (id, error) => write(() => void q.noteError.run({ id, error })),
      receipt: (channel, providerMessageId, status, error) => {
        const order = ['sent', 'delivered', 'read'];
        // Read then write: the write lock first, so a concurrent receipt cannot move it backwards.
        return immediate(() => {
          const row = q.byProvider.get({ channel, providerMessageId });
          if (!row) return false;
          if (status !== 'failed' && order.indexOf(status) <= order.indexOf(row.status)) return true;
          q.setReceipt.run({ id: row.id, status, error: status === 'failed' ? (error ?? 'failed') : null });
          return true;
        });
      },
      deadLetters: async (associationId, limit) => (associationId ? q.deadLettersOf.all({ associationId, limit }) : q.deadLetters.all({ limit })),
      requeue: (id) => write(() => q.requeue.run({ id }).changes === 1),
      stalledOutbound: async (before, after, limit) => q.stalledOutbound.all({ before, after, limit }),
      receiptByKey: (channel, key, providerMessageId, status, at, error) =>
        // Read then write: the write lock first, so a concurrent receipt cannot move it backwards.
        immediate(() => {
          const row = q.byKey.get({ channel, key });
          if (!row) return false;
          const next = receiptStatus(row.status, status);
          q.setReceiptByKey.run({ id: row.id, status: next, error: next !== 'failed' ? null : status === 'failed' ? (error ?? 'failed') : row.error, providerMessageId, at });
          return true;
        }),
    },

    outbox: {
      add: (row) => immediate(() => steps.addOutbox(row)),
      undispatched: async (dueBy, limit) => q.undispatched.all({ dueBy, limit }).map(outboxRow),
      markDispatched: async (ids, at) => {
        if (ids.length === 0) return;
        await write(() => void q.markDispatched.run({ ids: JSON.stringify(ids), at }));
      },
      done: (id, at) => write(() => void q.outboxDone.run({ id, at })),
      open: async (before, afterId, limit) => q.openOutbox.all({ before, afterId, limit }).map(outboxRow),
    },

    requests: {
      byReference: async (reference) => requestByReference(reference),

      // IMMEDIATE: it reads, then writes, and a deferred transaction would fail at once
      // (SQLITE_BUSY) whenever another process committed in between.
      verify: (reference, at, openStatuses, checks) =>
        immediate(() => {
          const req = requestByReference(reference);
          if (!req || req.status !== 'submitted') return false;
          const results = checks(req, duplicates(req, openStatuses));
          q.setVerifying.run({ id: req.id, checks: JSON.stringify(results), at });
          q.insertEvent.run({
            associationId: req.associationId,
            conversationId: req.conversationId,
            requestId: req.id,
            type: 'verification_checked',
            actor: 'system',
            payload: JSON.stringify({ reference, checks: results }),
            at,
          });
          return true;
        }),

      // One transaction, write lock first: a decision is never recorded without its message
      // queued, nor the reverse, and two deciders cannot both find the request undecided.
      decide: (reference, decision, decidable, n) =>
        immediate(() => {
          const req = requestByReference(reference);
          if (!req) throw unknownRequest(reference);
          if (!decidable(req)) return undefined;
          q.setDecision.run({ id: req.id, status: decision.outcome, reason: decision.reason, at: decision.at });
          // Who decided, with the decision itself (the request page shows it).
          q.insertEvent.run({
            associationId: req.associationId,
            conversationId: req.conversationId,
            requestId: req.id,
            type: 'request_decided',
            actor: decision.actor,
            payload: JSON.stringify({ reference, outcome: decision.outcome, ...(decision.reason ? { reason: decision.reason } : {}) }),
            at: decision.at,
          });
          return notify(req, n);
        }),

      delivered: (reference, actor, at, outbox) =>
        immediate(() => {
          const req = requestByReference(reference);
          if (!req) throw unknownRequest(reference);
          q.setCompleted.run({ id: req.id, at });
          q.insertEvent.run({ associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'service_delivered', actor, payload: JSON.stringify({ reference }), at });
          for (const row of outbox(req)) steps.addOutbox(row);
        }),

      // One transaction, write lock first: the invitation and its "invited" mark together.
      inviteToSurvey: (reference, at, n) =>
        immediate(() => {
          const req = requestByReference(reference);
          if (!req) return undefined;
          if (q.eventOfRequest.get({ requestId: req.id, type: 'survey_invited' })) return undefined;
          const result = notify(req, n);
          q.insertEvent.run({ associationId: req.associationId, conversationId: req.conversationId, requestId: req.id, type: 'survey_invited', actor: 'system', payload: JSON.stringify({ reference }), at });
          return result;
        }),
    },

    events: {
      addOnce: (e) =>
        immediate(() => {
          const payload = json(e.payload);
          if (q.eventSeen.get({ conversationId: e.conversationId, type: e.type, payload })) return false;
          q.insertEvent.run({ associationId: e.associationId, conversationId: e.conversationId, requestId: e.requestId ?? null, type: e.type, actor: e.actor, payload, at: e.at });
          return true;
        }),
      jobFailed: (f) =>
        immediate(() => {
          const req = f.reference ? requestByReference(f.reference) : undefined;
          q.insertEvent.run({
            associationId: f.associationId,
            conversationId: f.conversationId ?? req?.conversationId ?? null,
            requestId: req?.id ?? null,
            type: 'job_failed',
            actor: 'system',
            payload: JSON.stringify(f.payload),
            at: f.at,
          });
        }),
    },

    media: {
      add: (row) => write(() => void q.insertMedia.run({ ...row, filename: row.filename ?? null })),
      // Cold paths (once at start, once per copy): prepared on use.
      keysFromPaths: (mediaDir) =>
        write(
          () =>
            c
              .prepare(`UPDATE media SET path = substr(path, length(@prefix) + 1) WHERE substr(path, 1, length(@prefix)) = @prefix AND length(path) > length(@prefix)`)
              .run({ prefix: mediaPrefix(mediaDir) }).changes,
        ),
      files: async () => c.prepare(`SELECT path, min(mime) AS mime FROM media GROUP BY path ORDER BY path`).all() as Array<{ path: string; mime: string }>,
    },
  };
}
