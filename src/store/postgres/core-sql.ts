/**
 * The statements of the message path on PostgreSQL, named so each connection prepares them
 * once. The same SQL as SQLite's core-sql.ts but for the dialect: `seq` where SQLite orders by
 * rowid, jsonb and boolean columns, `= ANY($n)` for lists, `FOR UPDATE` where SQLite relies on
 * `BEGIN IMMEDIATE` holding the one write lock.
 */
import { statement } from './db.ts';

const camel = (k: string) => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
const keyCache = new Map<string, string>();

/** snake_case columns to a camelCase row (jsonb is already parsed, booleans are booleans). */
export function camelRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) {
    let ck = keyCache.get(k);
    if (ck === undefined) keyCache.set(k, (ck = camel(k)));
    out[ck] = row[k];
  }
  return out as T;
}

/** A value for a jsonb parameter: node-postgres would send a JS array as a PostgreSQL array, so everything goes as JSON text. */
export const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

export const CONTACT = `id, association_id, channel, address, beneficiary_id, display_name, opted_out, last_seen_at, created_at`;
export const CONVERSATION = `id, association_id, contact_id, mode, lang, state, version, assigned_staff_id, escalated_at, created_at, updated_at`;
export const REQUEST = `id, association_id, reference, form, beneficiary_id, conversation_id, status, data, national_id, phone, attested_by_contact_id, attested_at,
  attestation_channel, attestation_message_id, attestation_text, attestation_sha256, decision_reason, checks, checked_at, field_marks, decided_at, submitted_at, updated_at`;

/**
 * When the inbound message whose step wrote reply `o` was accepted: the newest inbound before
 * it handled by that step or an earlier one, read backwards from the reply in seq order (a few
 * rows whatever the history's length: steps handle a conversation's messages in order). Null
 * for a step that was no message's (a decision, a reminder).
 */
const ACCEPTED_AT = `(SELECT CASE WHEN i.step_version = o.step_version THEN i.created_at END FROM messages i
   WHERE i.conversation_id = o.conversation_id AND i.seq < o.seq AND i.direction = 'in' AND i.step_version <= o.step_version
   ORDER BY i.seq DESC LIMIT 1)`;

export const Q = {
  // ── accept ──
  /**
   * The common case of accept in one statement (so no BEGIN/COMMIT round trips): the contact
   * upserted (new, or its last-seen time), and when its conversation exists, the message
   * inserted unless it is a redelivery, its body the label of the pressed button when the bot
   * offered it in one of the last 20 replies that offered choices. When the conversation does
   * not exist yet, nothing but the contact is written and the caller takes the slow path.
   * $1 contact id, $2 association, $3 channel, $4 address, $5 display name, $6 at, $7 message id,
   * $8 platform message id, $9 text, $10 choice id, $11 media id.
   */
  acceptFast: statement(
    'core_accept_fast',
    `WITH k AS (
       INSERT INTO contacts (id, association_id, channel, address, beneficiary_id, display_name, opted_out, last_seen_at, created_at)
       VALUES ($1, $2, $3, $4, NULL, $5, false, $6, $6)
       ON CONFLICT (association_id, channel, address) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
       RETURNING id),
     v AS (SELECT c.id FROM conversations c WHERE c.contact_id = (SELECT id FROM k)),
     label AS (
       SELECT e.value->>'label' AS label FROM (
         SELECT m.seq, m.choices FROM messages m WHERE m.conversation_id = (SELECT id FROM v) AND m.direction = 'out' AND m.choices IS NOT NULL ORDER BY m.seq DESC LIMIT 20) o,
         jsonb_array_elements(CASE WHEN jsonb_typeof(o.choices) = 'array' THEN o.choices ELSE '[]'::jsonb END) e
       WHERE $10::text IS NOT NULL AND e.value->>'id' = $10::text ORDER BY o.seq DESC LIMIT 1),
     ins AS (
       INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, choice_id, media_id, status, created_at)
       SELECT $7, $2, v.id, 'in', $3, $8, 'beneficiary', coalesce((SELECT label FROM label), $9, ''), $10, $11, 'pending', $6 FROM v
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT (SELECT id FROM k) AS contact_id, (SELECT id FROM v) AS conversation_id, (SELECT count(*) FROM ins) AS inserted`,
  ),
  upsertContact: statement(
    'core_upsert_contact',
    `INSERT INTO contacts (id, association_id, channel, address, beneficiary_id, display_name, opted_out, last_seen_at, created_at)
     VALUES ($1, $2, $3, $4, NULL, $5, false, $6, $6)
     ON CONFLICT (association_id, channel, address) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
     RETURNING id`,
  ),
  conversationByContact: statement('core_conversation_by_contact', `SELECT id FROM conversations WHERE contact_id = $1`),
  insertConversation: statement(
    'core_insert_conversation',
    `INSERT INTO conversations (id, association_id, contact_id, mode, lang, state, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (contact_id) DO NOTHING RETURNING id`,
  ),
  /**
   * A first message after acceptFast found no conversation (the contact is written): the
   * conversation created and the message inserted in one statement. No conversation id back
   * when another first message of this person created it a moment ago (this statement's
   * snapshot cannot see it): the caller takes the transaction path. A new conversation offered
   * no buttons, so the body is the text. $1 conversation id, $2 association, $3 contact,
   * $4 mode, $5 lang, $6 state, $7 at, $8 message id, $9 channel, $10 platform message id,
   * $11 text, $12 choice id, $13 media id.
   */
  acceptNew: statement(
    'core_accept_new',
    `WITH v AS (
       INSERT INTO conversations (id, association_id, contact_id, mode, lang, state, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (contact_id) DO NOTHING RETURNING id),
     ins AS (
       INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, choice_id, media_id, status, created_at)
       SELECT $8, $2, v.id, 'in', $9, $10, 'beneficiary', coalesce($11, ''), $12, $13, 'pending', $7 FROM v
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT (SELECT id FROM v) AS conversation_id, (SELECT count(*) FROM ins) AS inserted`,
  ),
  offeredChoices: statement(
    'core_offered_choices',
    `SELECT choices FROM messages WHERE conversation_id = $1 AND direction = 'out' AND choices IS NOT NULL ORDER BY seq DESC LIMIT 20`,
  ),
  insertInbound: statement(
    'core_insert_inbound',
    `INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, choice_id, media_id, status, created_at)
     VALUES ($1, $2, $3, 'in', $4, $5, 'beneficiary', $6, $7, $8, 'pending', $9)
     ON CONFLICT DO NOTHING`,
  ),

  // ── steps ──
  /** The step's write lock: the conversation row, until commit. */
  lockConversation: statement('core_lock_conversation', `SELECT version FROM conversations WHERE id = $1 FOR UPDATE`),
  /**
   * After the lock, in a statement of its own (so it sees what the previous holder committed):
   * the conversation, its contact, the requests a step may read, and optionally ($2) the oldest
   * pending message with its media row; with $2, no row when nothing is pending (the common
   * "nothing left" answer of a drain parses no state).
   */
  stepContext: statement(
    'core_step_context',
    `SELECT row_to_json(v) AS conversation, row_to_json(k) AS contact,
       (SELECT coalesce(json_agg(json_build_object('reference', r.reference, 'form', r.form, 'status', r.status, 'submittedAt', r.submitted_at, 'reason', r.decision_reason)
                 ORDER BY r.submitted_at, r.reference), '[]'::json)
          FROM requests r WHERE r.beneficiary_id = k.beneficiary_id OR r.conversation_id = v.id) AS requests,
       CASE WHEN $2 THEN (SELECT row_to_json(p) FROM (
          SELECT m.id, m.channel_message_id, m.body, m.choice_id, row_to_json(md) AS media
          FROM messages m LEFT JOIN media md ON md.id = m.media_id
          WHERE m.conversation_id = v.id AND m.direction = 'in' AND m.status = 'pending' ORDER BY m.seq LIMIT 1) p) END AS pending,
       CASE WHEN $2 THEN (SELECT count(*) > 1 FROM (SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.direction = 'in' AND m.status = 'pending' LIMIT 2) b) END AS more_pending
     FROM conversations v JOIN contacts k ON k.id = v.contact_id
     WHERE v.id = $1 AND (NOT $2 OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.direction = 'in' AND m.status = 'pending'))`,
  ),
  /**
   * The end of every step in one statement: the conversation saved if its version is still $2,
   * and only then the step's replies ($10), events ($11) and outbox rows ($14) inserted (each
   * list in its order), the open outbox rows the new ones replace (same dedupe key) marked done,
   * and the handled message ($12, none for a step that is not a message) marked processed.
   * The outbox rows of $14 have distinct dedupe keys (the supersede sees only rows that were
   * there before the statement). Returns how many conversation rows it saved (0: another writer
   * got there first).
   */
  finishStep: statement(
    'core_finish_step',
    `WITH s AS (
       UPDATE conversations SET state = $3, mode = $4, lang = $5, version = $6, assigned_staff_id = $7, escalated_at = $8, updated_at = $9
       WHERE id = $1 AND version = $2 RETURNING id, association_id),
     o AS (
       INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, choices, template, status, step_version, created_at)
       SELECT x.id, s.association_id, s.id, 'out', $13, x.channel_message_id, x.author, x.body, x.choices, x.template, 'queued', $6, $9
       FROM s, ROWS FROM (jsonb_to_recordset($10::jsonb) AS (id text, channel_message_id text, author text, body text, choices jsonb, template jsonb))
         WITH ORDINALITY AS x(id, channel_message_id, author, body, choices, template, n)
       ORDER BY x.n),
     e AS (
       INSERT INTO events (association_id, conversation_id, request_id, type, actor, payload, at)
       SELECT s.association_id, s.id, NULL, x.type, x.actor, x.payload, $9
       FROM s, ROWS FROM (jsonb_to_recordset($11::jsonb) AS (type text, actor text, payload jsonb)) WITH ORDINALITY AS x(type, actor, payload, n)
       ORDER BY x.n),
     p AS (UPDATE messages SET status = 'processed', step_version = $6 WHERE id = $12 AND EXISTS (SELECT 1 FROM s)),
     d AS (
       UPDATE outbox SET done_at = x.created_at
       FROM s, jsonb_to_recordset($14::jsonb) AS x(dedupe_key text, created_at text)
       WHERE x.dedupe_key IS NOT NULL AND outbox.dedupe_key = x.dedupe_key AND outbox.done_at IS NULL),
     b AS (
       INSERT INTO outbox (association_id, kind, payload, run_at, created_at, dedupe_key)
       SELECT x.association_id, x.kind, x.payload, x.run_at, x.created_at, x.dedupe_key
       FROM s, ROWS FROM (jsonb_to_recordset($14::jsonb) AS (association_id text, kind text, payload jsonb, run_at text, created_at text, dedupe_key text))
         WITH ORDINALITY AS x(association_id, kind, payload, run_at, created_at, dedupe_key, n)
       ORDER BY x.n)
     SELECT count(*) AS saved FROM s`,
  ),
  /** n numbers at once: the last one given is returned, the first is last - n + 1. */
  nextReferences: statement(
    'core_next_references',
    `INSERT INTO reference_counters (association_id, scope, last) VALUES ($1, $2, $3)
     ON CONFLICT (association_id, scope) DO UPDATE SET last = reference_counters.last + EXCLUDED.last RETURNING last`,
  ),
  insertEvent: statement(
    'core_insert_event',
    `INSERT INTO events (association_id, conversation_id, request_id, type, actor, payload, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  ),
  beneficiaryByNationalId: statement('core_beneficiary_by_nid', `SELECT id, national_id, phone FROM beneficiaries WHERE association_id = $1 AND national_id = $2`),
  beneficiaryByPhone: statement('core_beneficiary_by_phone', `SELECT id, national_id, phone FROM beneficiaries WHERE association_id = $1 AND phone = $2`),
  beneficiaryById: statement('core_beneficiary_by_id', `SELECT id, national_id, phone FROM beneficiaries WHERE id = $1`),
  setBeneficiaryNationalId: statement('core_set_beneficiary_nid', `UPDATE beneficiaries SET national_id = $2, updated_at = $3 WHERE id = $1`),
  setBeneficiaryPhone: statement('core_set_beneficiary_phone', `UPDATE beneficiaries SET phone = $2, updated_at = $3 WHERE id = $1`),
  setBeneficiaryName: statement('core_set_beneficiary_name', `UPDATE beneficiaries SET name = $2, updated_at = $3 WHERE id = $1`),
  /** Two steps linking the same new key at once: the second finds the first's row instead of failing. */
  insertBeneficiary: statement(
    'core_insert_beneficiary',
    `INSERT INTO beneficiaries (id, association_id, national_id, phone, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING RETURNING id`,
  ),
  setContactBeneficiary: statement('core_set_contact_beneficiary', `UPDATE contacts SET beneficiary_id = $2 WHERE id = $1`),
  setContactOptedOut: statement('core_set_contact_opted_out', `UPDATE contacts SET opted_out = $2 WHERE id = $1`),
  insertRequest: statement(
    'core_insert_request',
    `INSERT INTO requests (id, association_id, reference, form, beneficiary_id, conversation_id, status, data, national_id, phone,
       attested_by_contact_id, attested_at, attestation_channel, attestation_message_id, attestation_text, attestation_sha256, submitted_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
  ),
  correctRequest: statement(
    'core_correct_request',
    `UPDATE requests SET data = $3, status = $4, national_id = $5, phone = $6, attested_by_contact_id = $7,
       attested_at = $8, attestation_channel = $9, attestation_message_id = $10, attestation_text = $11, attestation_sha256 = $12, updated_at = $13
     WHERE reference = $1 AND association_id = $2`,
  ),
  insertSurveyResponse: statement(
    'core_insert_survey_response',
    `INSERT INTO survey_responses (id, association_id, conversation_id, request_reference, rating, answers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  ),
  notificationTarget: statement(
    'core_notification_target',
    `SELECT v.id FROM contacts k JOIN conversations v ON v.contact_id = k.id
     WHERE k.beneficiary_id = $1 AND NOT k.opted_out ORDER BY k.last_seen_at DESC NULLS LAST LIMIT 1`,
  ),
  conversationById: statement('core_conversation_by_id', `SELECT ${CONVERSATION} FROM conversations WHERE id = $1`),
  history: statement(
    'core_history',
    `SELECT m.id, m.direction, m.author, m.body, m.choices, m.created_at, m.status, m.channel_message_id, md.filename
     FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts k ON k.id = v.contact_id
     LEFT JOIN media md ON md.id = m.media_id
     WHERE k.association_id = $1 AND k.channel = $2 AND k.address = $3
     ORDER BY m.seq DESC LIMIT $4`,
  ),
  stalledInbound: statement(
    'core_stalled_inbound',
    `SELECT DISTINCT conversation_id FROM messages WHERE direction = 'in' AND status = 'pending' AND created_at < $1 AND conversation_id > $2
     ORDER BY conversation_id LIMIT $3`,
  ),

  // ── delivery ──
  nextOutbound: statement(
    'core_next_outbound',
    `SELECT m.channel_message_id, m.association_id, m.channel, m.body, m.choices, m.template, m.status, m.attempts, k.address, k.last_seen_at, v.lang
     FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts k ON k.id = v.contact_id
     WHERE m.conversation_id = $1 AND m.direction = 'out' AND m.status IN ('queued', 'sending') ORDER BY m.seq LIMIT 1`,
  ),
  acceptedAt: statement('core_accepted_at', `SELECT ${ACCEPTED_AT} AS accepted_at FROM messages o WHERE o.channel_message_id = $1 AND o.direction = 'out'`),
  lastSentAt: statement('core_last_sent_at', `SELECT max(sent_at) AS last_sent_at FROM messages WHERE conversation_id = $1 AND direction = 'out' AND status = 'sent'`),
  outboundById: statement('core_outbound_by_id', `SELECT status, attempts, conversation_id, association_id FROM messages WHERE channel_message_id = $1 AND direction = 'out'`),
  markSending: statement('core_mark_sending', `UPDATE messages SET status = 'sending', attempts = attempts + 1 WHERE channel_message_id = $1 AND direction = 'out' AND status = 'queued'`),
  markSent: statement(
    'core_mark_sent',
    `UPDATE messages o SET status = 'sent', provider_message_id = $2, sent_at = $3, error = NULL WHERE o.channel_message_id = $1 AND o.direction = 'out'
     RETURNING ${ACCEPTED_AT} AS accepted_at`,
  ),
  // Only a send still in flight is settled: a late verdict never turns a sent reply back into a queued one.
  markOutcome: statement('core_mark_outcome', `UPDATE messages SET status = $2, error = $3 WHERE channel_message_id = $1 AND direction = 'out' AND status = 'sending'`),
  noteError: statement('core_note_error', `UPDATE messages SET error = $2 WHERE channel_message_id = $1 AND direction = 'out'`),
  byProviderForUpdate: statement(
    'core_by_provider',
    `SELECT id, status FROM messages WHERE direction = 'out' AND channel = $1 AND provider_message_id = $2 ORDER BY seq LIMIT 1 FOR UPDATE`,
  ),
  setReceipt: statement('core_set_receipt', `UPDATE messages SET status = $2, error = $3 WHERE id = $1`),
  deadLetters: statement(
    'core_dead_letters',
    `SELECT channel_message_id AS id, association_id, conversation_id, channel, status, error, attempts, created_at FROM messages
     WHERE direction = 'out' AND status IN ('failed', 'unknown') AND ($1::text IS NULL OR association_id = $1) ORDER BY created_at DESC, seq DESC LIMIT $2`,
  ),
  requeue: statement('core_requeue', `UPDATE messages SET status = 'queued', error = NULL WHERE direction = 'out' AND channel_message_id = $1 AND status IN ('failed', 'unknown')`),
  stalledOutbound: statement(
    'core_stalled_outbound',
    `SELECT conversation_id, min(channel) AS channel FROM messages
     WHERE direction = 'out' AND status IN ('queued', 'sending') AND created_at < $1 AND conversation_id > $2
     GROUP BY conversation_id ORDER BY conversation_id LIMIT $3`,
  ),

  // ── outbox ──
  insertOutbox: statement(
    'core_insert_outbox',
    `INSERT INTO outbox (association_id, kind, payload, run_at, created_at, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6)`,
  ),
  supersedeOutbox: statement('core_supersede_outbox', `UPDATE outbox SET done_at = $2 WHERE dedupe_key = $1 AND done_at IS NULL`),
  outboxDone: statement('core_outbox_done', `UPDATE outbox SET done_at = $2 WHERE id = $1 AND done_at IS NULL`),
  markDispatched: statement('core_mark_dispatched', `UPDATE outbox SET dispatched_at = $2 WHERE id = ANY($1::bigint[])`),
  openOutbox: statement(
    'core_open_outbox',
    `SELECT id, association_id, payload, run_at, dedupe_key FROM outbox
     WHERE done_at IS NULL AND dispatched_at IS NOT NULL AND run_at < $1 AND id > $2 ORDER BY id LIMIT $3`,
  ),
  undispatched: statement(
    'core_undispatched',
    `SELECT id, association_id, payload, run_at, dedupe_key FROM outbox WHERE dispatched_at IS NULL AND done_at IS NULL AND run_at <= $1 ORDER BY run_at, id LIMIT $2`,
  ),

  // ── requests, events, media, associations ──
  requestByReference: statement('core_request_by_reference', `SELECT ${REQUEST} FROM requests WHERE reference = $1`),
  /** Check-then-act on a request (verify, decide, deliver, invite): its row locked until commit. */
  requestForUpdate: statement('core_request_for_update', `SELECT ${REQUEST} FROM requests WHERE reference = $1 FOR UPDATE`),
  setVerifying: statement('core_set_verifying', `UPDATE requests SET status = 'verifying', checks = $2, checked_at = $3, updated_at = $3 WHERE id = $1`),
  setDecision: statement('core_set_decision', `UPDATE requests SET status = $2, decision_reason = $3, decided_at = $4, updated_at = $4 WHERE id = $1`),
  setCompleted: statement('core_set_completed', `UPDATE requests SET status = 'completed', updated_at = $2 WHERE id = $1`),
  eventOfRequest: statement('core_event_of_request', `SELECT id FROM events WHERE request_id = $1 AND type = $2 LIMIT 1`),
  /** addOnce's check, serialised per conversation and type by a transaction advisory lock. */
  lockEventKey: statement('core_lock_event_key', `SELECT pg_advisory_xact_lock(hashtext('tawasul:event'), hashtext($1 || ':' || $2))`),
  eventSeen: statement('core_event_seen', `SELECT 1 AS one FROM events WHERE conversation_id = $1 AND type = $2 AND payload = $3::jsonb LIMIT 1`),
  insertMedia: statement('core_insert_media', `INSERT INTO media (id, association_id, sha256, mime, size, filename, path) VALUES ($1, $2, $3, $4, $5, $6, $7)`),
  /** $1 MEDIA_DIR with one trailing slash: the absolute paths of rows written before the media store become keys. */
  mediaKeysFromPaths: statement(
    'core_media_keys_from_paths',
    `UPDATE media SET path = substr(path, length($1::text) + 1) WHERE left(path, length($1::text)) = $1::text AND length(path) > length($1::text)`,
  ),
  mediaFiles: statement('core_media_files', `SELECT path, min(mime) AS mime FROM media GROUP BY path ORDER BY path COLLATE "C"`),
  upsertAssociation: statement(
    'core_upsert_association',
    `INSERT INTO associations (id, name_ar, name_en, reference_prefix, flow_hash, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET name_ar = EXCLUDED.name_ar, name_en = EXCLUDED.name_en, reference_prefix = EXCLUDED.reference_prefix,
       flow_hash = EXCLUDED.flow_hash, updated_at = EXCLUDED.updated_at`,
  ),

  // ── receipts that name the message by our key ──
  byKeyForUpdate: statement(
    'core_by_key',
    `SELECT id, status, error FROM messages WHERE direction = 'out' AND channel = $1 AND channel_message_id = $2 ORDER BY seq LIMIT 1 FOR UPDATE`,
  ),
  setReceiptByKey: statement(
    'core_set_receipt_by_key',
    `UPDATE messages SET status = $2, error = $3, provider_message_id = $4, sent_at = coalesce(sent_at, $5) WHERE id = $1`,
  ),
};

/** The duplicate check: other open requests (statuses $5) of the same association and form with this national ID or phone. */
export const duplicates = statement(
    'core_duplicates',
    `SELECT reference FROM requests WHERE national_id = $1 AND association_id = $2 AND form = $3 AND id <> $4 AND status = ANY($5::text[])
     UNION
     SELECT reference FROM requests WHERE phone = $6 AND association_id = $2 AND form = $3 AND id <> $4 AND status = ANY($5::text[])
     ORDER BY reference`,
);
