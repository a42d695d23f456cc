/**
 * WhatsApp Cloud API adapter against a local fake Graph API and signed webhook payloads,
 * through the real pipeline (redis-server, SQLite) and the real HTTP server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOWS, ROOT } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { TestRedis } from '../support/redis.ts';
import { FakeGraph, buttonReply, documentMessage, textMessage, webhook } from '../support/fake-graph.ts';
import { waitFor } from '../support/wait.ts';
import { channelRig, type Rig } from '../support/rig.ts';
import { type Db } from '../../src/store/db.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { WhatsAppCloudAdapter, type WhatsAppCloudOptions } from '../../src/channels/whatsapp-cloud.ts';

const SECRET = 'app-secret-for-tests';
const VERIFY = 'verify-token-for-tests';
const PHONE_ID = '1098765432';
const redis = new TestRedis();
beforeAll(() => redis.start().then(() => undefined), 30_000);
afterAll(() => redis.stop());

let rig: Rig<WhatsAppCloudAdapter>;
let db: Db;
let service: ConversationService;
let pipeline: Pipeline;
let graph: FakeGraph;
let base = '';

async function setup(templates: { decision?: string; survey?: string } = { decision: 'request_decision', survey: 'satisfaction_survey' }, extra: Partial<WhatsAppCloudOptions> = {}) {
  graph = await new FakeGraph().start();
  rig = await channelRig({
    redisUrl: redis.url,
    http: true,
    limits: { whatsapp: { max: 1000 } },
    makeAdapter: (svc) =>
      new WhatsAppCloudAdapter({
        numbers: [{ associationId: 'qalam', phoneNumberId: PHONE_ID }],
        accessToken: graph.token,
        appSecret: SECRET,
        verifyToken: VERIFY,
        apiBase: graph.url,
        templates: { ...templates, language: 'ar' },
        onReceipt: (id, status, error) => svc.recordReceipt('whatsapp', id, status, error),
        onKeyedReceipt: (id, providerMessageId, status, error) => svc.recordReceiptByKey('whatsapp', id, providerMessageId, status, error),
        outboundStatus: (id) => svc.outboundStatus(id),
        ...extra,
      }),
  });
  ({ db, service, pipeline, base } = rig);
}

afterEach(async () => {
  await rig.close();
  await graph.stop();
});

const sql = <T>(q: string, ...p: unknown[]) => db.$client.prepare(q).all(...p) as T[];
const post = (body: string, signature?: string, type = 'application/json') =>
  fetch(`${base}/channels/whatsapp`, { method: 'POST', headers: { 'content-type': type, ...(signature ? { 'x-hub-signature-256': signature } : {}) }, body });
let seq = 0;
const deliver = (value: Record<string, unknown>) => {
  const w = webhook(PHONE_ID, value, SECRET);
  return post(w.body, w.signature);
};

describe('whatsapp cloud adapter', () => {
  it('answers the verification handshake only with the right verify token', async () => {
    await setup();
    const ok = await fetch(`${base}/channels/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${base}/channels/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
  });

  it('refuses unsigned, wrongly signed and malformed posts with 4xx and stores nothing', async () => {
    await setup();
    const w = webhook(PHONE_ID, textMessage('966501112233', 'wamid.in1', 'مرحبا'), SECRET);
    expect((await post(w.body)).status).toBe(401);
    expect((await post(w.body, webhook(PHONE_ID, textMessage('966501112233', 'wamid.in1', 'مرحبا'), 'other-secret').signature)).status).toBe(401);
    expect((await post(w.body.replace('مرحبا', 'مرحبا!'), w.signature)).status).toBe(401); // body changed after signing
    const notJson = 'not json';
    const { createHmac } = await import('node:crypto');
    expect((await post(notJson, `sha256=${createHmac('sha256', SECRET).update(notJson).digest('hex')}`)).status).toBe(400);
    expect(sql('SELECT id FROM messages')).toHaveLength(0);
  });

  it('takes a correctly signed webhook whatever content type it is labelled with (text/plain, none); a wrong signature is still 401', async () => {
    await setup();
    const plain = webhook(PHONE_ID, textMessage('966501112299', 'wamid.plain1', 'مرحبا'), SECRET);
    expect((await post(plain.body, plain.signature, 'text/plain; charset=utf-8')).status).toBe(200);
    const bare = webhook(PHONE_ID, textMessage('966501112299', 'wamid.plain2', 'مرحبا'), SECRET);
    expect((await post(bare.body, bare.signature, 'application/octet-stream')).status).toBe(200);
    expect((await post(plain.body.replace('مرحبا', 'مرحبا!'), plain.signature, 'text/plain')).status).toBe(401);
    expect(sql<{ id: string }>("SELECT id FROM messages WHERE direction = 'in'")).toHaveLength(2);
  });

  it('replies to a signed message through the Graph API, with a list for the menu; a redelivery changes nothing', async () => {
    await setup();
    const res = await deliver(textMessage('966501112233', 'wamid.in2', 'السلام عليكم'));
    expect(res.status).toBe(200);
    const [reply] = await graph.waitFor('966501112233', 1);
    expect(reply!.phoneNumberId).toBe(PHONE_ID);
    expect(reply!.type).toBe('interactive');
    expect(reply!.body.interactive.body.text).toContain('جمعية قلم العلمية');
    const rows = reply!.body.interactive.type === 'list' ? reply!.body.interactive.action.sections[0].rows : reply!.body.interactive.action.buttons.map((b: any) => b.reply);
    expect(rows.map((r: any) => r.id)).toContain('m:apply');
    // Sent with our idempotency key, which Meta echoes in its status webhooks.
    const key = sql<{ id: string }>("SELECT channel_message_id id FROM messages WHERE direction = 'out'")[0]!.id;
    expect(reply!.body.biz_opaque_callback_data).toBe(key);
    await deliver(textMessage('966501112233', 'wamid.in2', 'السلام عليكم'));
    // A reaction is not a message: ignored.
    await deliver({ messages: [{ from: '966501112233', id: 'wamid.r1', timestamp: '1', type: 'reaction', reaction: { message_id: reply!.wamid, emoji: '👍' } }] });
    await new Promise((r) => setTimeout(r, 400));
    expect(graph.to('966501112233')).toHaveLength(1);
    expect(sql("SELECT id FROM messages WHERE direction = 'in'")).toHaveLength(1);
  });

  it('carries a whole intake with button and list replies and a document, and records delivery receipts', async () => {
    await setup();
    const wa = '966502223344';
    await deliver(textMessage(wa, `w${++seq}`, 'مرحبا'));
    await graph.waitFor(wa, 1);
    await deliver(buttonReply(wa, `w${++seq}`, 'm:apply', 'list_reply'));
    await graph.waitFor(wa, 2);
    const flow = FLOWS.get('qalam')!;
    const answers = validAnswers(flow, 'intake', new Date());
    graph.addMedia('media-1', readFileSync(join(ROOT, 'test/fixtures/id-card.pdf')), 'application/pdf');
    for (const [i, field] of flow.intake.fields.entries()) {
      const before = graph.to(wa).length;
      const last = graph.to(wa).at(-1)!;
      const a = answers[i]!;
      if ('file' in a) await deliver(documentMessage(wa, `w${++seq}`, 'media-1'));
      else if (field.type === 'choice') {
        expect(last.type, `choices for ${field.id}`).toBe('interactive');
        const opts = last.body.interactive.type === 'list' ? last.body.interactive.action.sections[0].rows : last.body.interactive.action.buttons.map((b: any) => b.reply);
        await deliver(buttonReply(wa, `w${++seq}`, opts[0].id, last.body.interactive.type === 'list' ? 'list_reply' : 'button_reply'));
      } else await deliver(textMessage(wa, `w${++seq}`, a.text));
      await graph.waitFor(wa, before + 1);
    }
    await deliver(buttonReply(wa, `w${++seq}`, 'r:confirm'));
    const done = await waitFor('the reference', () => graph.to(wa).find((s) => JSON.stringify(s.body).match(/QLM-\d{4}-00001/)));
    expect(JSON.stringify(done.body)).toContain('لجنة البحث');
    expect(sql<{ size: number }>('SELECT size FROM media')[0]!.size).toBe(readFileSync(join(ROOT, 'test/fixtures/id-card.pdf')).length);

    // Receipts: delivered, then read; a failed one joins the dead letters.
    const first = graph.to(wa)[0]!.wamid;
    await deliver({ statuses: [{ id: first, status: 'delivered', timestamp: '1', recipient_id: wa }] });
    await deliver({ statuses: [{ id: first, status: 'read', timestamp: '2', recipient_id: wa }] });
    await deliver({ statuses: [{ id: first, status: 'delivered', timestamp: '3', recipient_id: wa }] });
    expect(sql<{ status: string }>('SELECT status FROM messages WHERE provider_message_id = ?', first)[0]!.status).toBe('read');
    const second = graph.to(wa)[1]!.wamid;
    await deliver({ statuses: [{ id: second, status: 'failed', timestamp: '4', recipient_id: wa, errors: [{ code: 131026, title: 'Message undeliverable' }] }] });
    expect((await service.deadLetters('qalam')).map((d) => d.error)).toEqual(['Message undeliverable']);
  });

  it('outside the 24-hour window sends the decision as the configured template', async () => {
    await setup();
    const wa = '966503334455';
    await deliver(textMessage(wa, 'old-1', 'مرحبا'));
    await graph.waitFor(wa, 1);
    // A request submitted long ago, its beneficiary silent since.
    const conv = sql<{ id: string }>('SELECT id FROM conversations')[0]!.id;
    const contact = sql<{ id: string }>('SELECT id FROM contacts')[0]!.id;
    db.$client.prepare("UPDATE contacts SET last_seen_at = '2026-01-01T00:00:00.000Z'").run();
    db.$client
      .prepare(
        `INSERT INTO requests (id, association_id, reference, form, conversation_id, status, data, attested_by_contact_id, attested_at, attestation_channel, attestation_message_id, attestation_text, attestation_sha256, submitted_at, updated_at)
         VALUES ('r1', 'qalam', 'QLM-1448-00042', 'intake', ?, 'committee', '{}', ?, 'x', 'whatsapp', 'old-1', 'x', 'x', '2026-01-01', '2026-01-01')`,
      )
      .run(conv, contact);
    await service.enqueueJob('qalam', { kind: 'decision', reference: 'QLM-1448-00042', outcome: 'accepted', actor: 'test' });
    const [, template] = await graph.waitFor(wa, 2);
    expect(template!.type).toBe('template');
    expect(template!.body.template.name).toBe('request_decision');
    expect(template!.body.template.language.code).toBe('ar');
    expect(template!.body.template.components[0].parameters[0].text).toBe('QLM-1448-00042');
  });

  it('dead-letters a reply outside the window when no template applies, and retries a throughput error', async () => {
    await setup({});
    const wa = '966504445566';
    graph.failNext(400, 130429, 'Rate limit hit');
    await deliver(textMessage(wa, 'x-1', 'مرحبا'));
    await graph.waitFor(wa, 1);
    expect(graph.to(wa)).toHaveLength(1);
    db.$client.prepare("UPDATE contacts SET last_seen_at = '2026-01-01T00:00:00.000Z'").run();
    const conv = sql<{ id: string }>('SELECT id FROM conversations')[0]!.id;
    await service.applyInput(conv, { type: 'survey_invite', reference: 'QLM-1448-00001' }, 'test');
    void pipeline.kickOutbound(conv);
    await waitFor('dead letter', async () => (await service.deadLetters('qalam')).length === 1);
    expect((await service.deadLetters('qalam'))[0]!.error).toContain('no approved template configured for survey');
    expect(graph.to(wa)).toHaveLength(1);
  });
});

describe('whatsapp cloud: a send whose answer is lost', { timeout: 60_000 }, () => {
  const outbound = () =>
    sql<{ id: string; status: string; provider_message_id: string | null; error: string | null }>(
      "SELECT channel_message_id id, status, provider_message_id, error FROM messages WHERE direction = 'out' ORDER BY rowid",
    );
  /** Every message Meta stored, by our key: how many copies each reply reached it in. */
  const copies = () => {
    const n = new Map<string, number>();
    for (const m of graph.sent) n.set(m.body.biz_opaque_callback_data, (n.get(m.body.biz_opaque_callback_data) ?? 0) + 1);
    return n;
  };
  let lookups = 0;
  const counting = (svc: () => ConversationService): Partial<WhatsAppCloudOptions> => ({
    outboundStatus: (id) => {
      lookups++;
      return svc().outboundStatus(id);
    },
  });

  it('stored, then the connection dropped: the "sent" status webhook with our key marks it sent, with its wamid, in one copy', async () => {
    await setup(undefined, counting(() => service));
    graph.deliverStatusesTo(`${base}/channels/whatsapp`, SECRET);
    const wa = '966505556677';
    graph.faultNext('store-then-drop');
    await deliver(textMessage(wa, 'lost-1', 'مرحبا'));
    const [only] = await graph.waitFor(wa, 1);
    const out = await waitFor('the reply settled', () => outbound().find((o) => o.status === 'sent'));
    expect(out.id).toBe(only!.body.biz_opaque_callback_data);
    expect(out.provider_message_id).toBe(only!.wamid);
    // Receipts by wamid now find it.
    await deliver({ statuses: [{ id: only!.wamid, status: 'read', timestamp: '9', recipient_id: wa }] });
    expect(outbound()[0]!.status).toBe('read');
    await new Promise((r) => setTimeout(r, 300)); // any late retry would have sent by now
    expect([...copies().values()]).toEqual([1]);
    expect(await service.deadLetters()).toEqual([]);
  });

  it('stored, then a 500, its status not in yet: asked again (never an answer), then settled by the late webhook; one copy', async () => {
    lookups = 0;
    await setup(undefined, counting(() => service));
    graph.deliverStatusesTo(`${base}/channels/whatsapp`, SECRET);
    graph.holdStatuses = true;
    const wa = '966506667788';
    graph.faultNext('store-then-500');
    await deliver(textMessage(wa, 'late-1', 'مرحبا'));
    const [only] = await graph.waitFor(wa, 1);
    // The pipeline asks several times; each "not yet" leaves the reply sending, nothing resent.
    await waitFor('three lookups', () => lookups >= 3);
    expect(outbound().map((o) => o.status)).toEqual(['sending']);
    expect(graph.sent).toHaveLength(1);
    expect(await graph.postStatus(only!, 'delivered')).toBe(200);
    expect(outbound()[0]).toMatchObject({ id: only!.body.biz_opaque_callback_data, status: 'delivered', provider_message_id: only!.wamid });
    await new Promise((r) => setTimeout(r, 300));
    expect([...copies().values()]).toEqual([1]);
    expect(await service.deadLetters()).toEqual([]);
  });

  it('no status within WHATSAPP_RECEIPT_WAIT_MS: an "unknown" dead letter and an alert, never a second copy; a late status still heals it', async () => {
    lookups = 0;
    await setup(undefined, { ...counting(() => service), receiptWaitMs: 400 });
    graph.deliverStatusesTo(`${base}/channels/whatsapp`, SECRET);
    graph.holdStatuses = true;
    const wa = '966507778899';
    graph.faultNext('store-then-drop');
    await deliver(textMessage(wa, 'gone-1', 'مرحبا'));
    const [only] = await graph.waitFor(wa, 1);
    const dead = await waitFor('the dead letter', async () => (await service.deadLetters('qalam'))[0]);
    expect(dead).toMatchObject({ id: only!.body.biz_opaque_callback_data, status: 'unknown' });
    expect(lookups).toBeGreaterThanOrEqual(2); // asked within the window first
    const alerted = (await pipeline.metrics.alerts.get()).values.find((v) => v.labels.type === 'send_outcome_unknown');
    expect(alerted?.value).toBe(1);
    expect(graph.sent).toHaveLength(1);
    // Meta's webhook was only late: the reply is delivered after all and leaves the dead letters.
    expect(await graph.postStatus(only!, 'delivered')).toBe(200);
    expect(await service.deadLetters('qalam')).toEqual([]);
    expect(outbound()[0]).toMatchObject({ status: 'delivered', provider_message_id: only!.wamid });
  });

  it('refused before storing (503): sent again, and the fake has it exactly once', async () => {
    await setup();
    graph.deliverStatusesTo(`${base}/channels/whatsapp`, SECRET);
    const wa = '966508889900';
    graph.failNext(503, 2, 'Service temporarily unavailable');
    await deliver(textMessage(wa, 'again-1', 'مرحبا'));
    await graph.waitFor(wa, 1);
    await waitFor('sent', () => outbound().every((o) => o.status === 'sent') && outbound().length === 1);
    expect([...copies().values()]).toEqual([1]);
  });
});
