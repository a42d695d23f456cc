/**
 * Running a step inside a SQLite transaction: the context the pure step callback reads
 * (request summaries and reference numbers on demand, in the same transaction), then its
 * plan written in order, the conversation last, guarded by its version.
 */
import { ConcurrentUpdateError, type ContactRecord, type ConversationRecord, type OutboxAdd, type PendingStepContext, type RequestWrite, type StepContext, type StepPlan } from '../core.ts';
import type { RequestStatus, RequestSummary } from '../../engine/types.ts';
import { json, type CoreStatements } from './core-sql.ts';

export function stepRunner(q: CoreStatements) {
  const addOutbox = (row: OutboxAdd) => {
    // The row it replaces is done: the sweep stops watching it, and its queued job is replaced on dispatch.
    if (row.dedupeKey) q.supersedeOutbox.run({ dedupeKey: row.dedupeKey, at: row.createdAt });
    q.insertOutbox.run({ associationId: row.associationId, kind: row.job.kind, payload: JSON.stringify(row.job), runAt: row.runAt, createdAt: row.createdAt, dedupeKey: row.dedupeKey });
  };

  /** The context of a step; `requests` is read when the callback first asks for it. */
  function context(conversation: ConversationRecord, contact: ContactRecord): StepContext;
  function context(conversation: ConversationRecord, contact: ContactRecord, message: PendingStepContext['message']): PendingStepContext;
  function context(conversation: ConversationRecord, contact: ContactRecord, message?: PendingStepContext['message']): StepContext {
    let requests: RequestSummary[] | undefined;
    const beneficiaryId = contact.beneficiaryId;
    return {
      ...(message ? { message } : {}),
      conversation,
      contact,
      get requests() {
        return (requests ??= q.requestSummaries
          .all({ beneficiaryId: beneficiaryId ?? '', conversationId: conversation.id })
          .map((r) => ({ reference: r.reference, form: r.form, status: r.status as RequestStatus, submittedAt: r.submittedAt, ...(r.reason ? { reason: r.reason } : {}) })));
      },
      nextReference: (scope) => q.nextReference.get({ associationId: conversation.associationId, scope })!.last,
    };
  }

  /**
   * Links the contact to the one beneficiary with this national ID or phone, creating the
   * beneficiary if none exists; the same person on another channel ends up on the same record.
   */
  const link = (contact: { id: string; associationId: string; beneficiaryId: string | null }, key: { nationalId: string } | { phone: string }, newId: string, at: string) => {
    const associationId = contact.associationId;
    const nationalId = 'nationalId' in key ? key.nationalId : undefined;
    const phone = 'phone' in key ? key.phone : undefined;
    const byKey = nationalId !== undefined ? q.beneficiaryByNationalId.get({ associationId, nationalId }) : q.beneficiaryByPhone.get({ associationId, phone });
    const current = contact.beneficiaryId ? q.beneficiaryById.get({ id: contact.beneficiaryId }) : undefined;
    let target = byKey?.id;
    if (!target && current) {
      // Give the contact's beneficiary this key unless the record already has a different one.
      const clash = nationalId !== undefined ? current.nationalId && current.nationalId !== nationalId : current.phone && current.phone !== phone;
      if (!clash) {
        if (nationalId !== undefined) q.setBeneficiaryNationalId.run({ id: current.id, nationalId, at });
        else q.setBeneficiaryPhone.run({ id: current.id, phone, at });
        target = current.id;
      }
    }
    if (!target) {
      q.insertBeneficiary.run({ id: newId, associationId, nationalId: nationalId ?? null, phone: phone ?? null, at });
      target = newId;
    }
    if (contact.beneficiaryId !== target) {
      q.setContactBeneficiary.run({ id: contact.id, beneficiaryId: target });
      contact.beneficiaryId = target;
    }
  };

  const recordRequest = (contact: { id: string; beneficiaryId: string | null }, conversation: ConversationRecord, r: RequestWrite, at: string) => {
    // The record shows the name the person gave in their latest request.
    if (r.beneficiaryName && contact.beneficiaryId) q.setBeneficiaryName.run({ id: contact.beneficiaryId, name: r.beneficiaryName, at });
    const values = {
      associationId: conversation.associationId,
      reference: r.corrects ?? r.reference,
      status: r.status,
      data: JSON.stringify(r.data),
      nationalId: r.nationalId,
      phone: r.phone,
      attestedByContactId: contact.id,
      attestedAt: r.attestation.at,
      attestationChannel: r.attestation.channel,
      attestationMessageId: r.attestation.messageId,
      attestationText: r.attestation.text,
      attestationSha256: r.attestation.sha256,
      at,
    };
    if (r.corrects) q.correctRequest.run(values);
    else q.insertRequest.run({ ...values, id: r.id, form: r.form, beneficiaryId: contact.beneficiaryId, conversationId: conversation.id });
  };

  /** Writes a step's plan; returns the new version. Runs inside the caller's transaction. */
  const write = <T>(conversation: ConversationRecord, contactRow: ContactRecord, plan: StepPlan<T>): number => {
    const version = conversation.version + 1;
    const at = plan.at;
    const associationId = conversation.associationId;
    const conversationId = conversation.id;
    // Links change the contact's beneficiary for the writes after them (the request).
    const contact = { id: contactRow.id, associationId: contactRow.associationId, beneficiaryId: contactRow.beneficiaryId };
    for (const w of plan.writes) {
      switch (w.kind) {
        case 'outbound':
          q.insertOutbound.run({
            id: w.message.id,
            associationId,
            conversationId,
            channel: contactRow.channel,
            channelMessageId: w.message.channelMessageId,
            author: w.message.author,
            body: w.message.body,
            choices: json(w.message.choices),
            template: json(w.message.template),
            stepVersion: version,
            createdAt: at,
          });
          break;
        case 'event':
          q.insertEvent.run({ associationId, conversationId, requestId: null, type: w.type, actor: w.actor, payload: json(w.payload), at });
          break;
        case 'outbox':
          addOutbox(w.row);
          break;
        case 'link_beneficiary':
          link(contact, w.key, w.newId, at);
          break;
        case 'request':
          recordRequest(contact, conversation, w.request, at);
          break;
        case 'survey_response':
          q.insertSurveyResponse.run({ id: w.id, associationId, conversationId, requestReference: w.requestReference, rating: w.rating, answers: JSON.stringify(w.answers), at });
          break;
        case 'opt_out':
          q.setContactOptedOut.run({ id: contact.id, optedOut: w.optedOut ? 1 : 0 });
          break;
      }
    }
    const s = plan.conversation;
    const updated = q.saveConversation.run({
      id: conversationId,
      expected: conversation.version,
      state: JSON.stringify(s.state),
      mode: s.mode,
      lang: s.lang,
      version,
      assignedStaffId: s.assignedStaffId,
      escalatedAt: s.escalatedAt,
      updatedAt: at,
    });
    if (updated.changes !== 1) throw new ConcurrentUpdateError(`conversation ${conversationId} changed while it was being processed`);
    return version;
  };

  /** One non-message step on a conversation, inside the caller's transaction. */
  const apply = <T>(conversationId: string, step: (ctx: StepContext) => StepPlan<T> | null): T | null => {
    const conversation = q.conversationById.get({ id: conversationId });
    if (!conversation) throw new Error(`unknown conversation ${conversationId}`);
    const contact = q.contactById.get({ id: conversation.contactId })!;
    const plan = step(context(conversation, contact));
    if (!plan) return null;
    write(conversation, contact, plan);
    return plan.result;
  };

  /** The conversation a request's news goes to (see ConversationsRepo.notificationTarget). */
  const notificationTarget = (req: { conversationId: string; beneficiaryId: string | null }, via: 'last_used' | 'original'): string => {
    if (via === 'original' || !req.beneficiaryId) return req.conversationId;
    return q.notificationTarget.get({ beneficiaryId: req.beneficiaryId })?.id ?? req.conversationId;
  };

  return { context, write, apply, addOutbox, notificationTarget };
}
