/**
 * The service over a real SQLite file: what is stored, what survives a restart, what a
 * redelivery changes (nothing), and how one person is linked across channels.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { FLOWS, Harness } from '../support/scenario.ts';
import { validAnswers } from '../support/answers.ts';
import { beneficiary } from '../support/beneficiary.ts';
import { canonicalJson } from '../../src/engine/advance.ts';

let h: Harness;
afterEach(() => h?.close());

const rows = <T>(sql: string, ...params: unknown[]) => h.db.$client.prepare(sql).all(...params) as T[];

describe('ConversationService', () => {
  it('ignores a redelivered message: no second step, no second reply row', async () => {
    h = new Harness();
    const msg = { associationId: 'qalam', channel: 'telegram', address: '42', messageId: 'tg-1', text: 'السلام عليكم' };
    const first = await h.service.handleInbound(msg);
    expect(first.duplicate).toBe(false);
    expect(first.outbound.length).toBeGreaterThan(0);
    const again = await h.service.handleInbound(msg);
    expect(again.duplicate).toBe(true);
    expect(again.outbound).toEqual([]);
    expect(rows<{ version: number }>('SELECT version FROM conversations')).toEqual([{ version: 1 }]);
    const counts = rows<{ direction: string; n: number }>('SELECT direction, count(*) n FROM messages GROUP BY direction ORDER BY direction');
    expect(counts).toEqual([
      { direction: 'in', n: 1 },
      { direction: 'out', n: first.outbound.length },
    ]);
  });

  it('treats the same message id on another channel as a different message', async () => {
    h = new Harness();
    await h.service.handleInbound({ associationId: 'qalam', channel: 'telegram', address: '42', messageId: 'x-1', text: 'مرحبا' });
    const other = await h.service.handleInbound({ associationId: 'qalam', channel: 'sms', address: '+966501234567', messageId: 'x-1', text: 'مرحبا' });
    expect(other.duplicate).toBe(false);
  });

  it('keeps an unfinished intake across a restart and continues at the same field', async () => {
    h = new Harness();
    const b = beneficiary(h, 'terminal', 'amal');
    await b.send('السلام عليكم');
    await b.send('١');
    const name = await b.send('أمل سعد القحطاني');
    expect(name.state.mode).toBe('form');
    const field = name.state.drafts.intake?.index;
    expect(field).toBe(1);
    await h.restart();
    const after = await h.service.handleInbound({ associationId: 'qalam', channel: 'terminal', address: 'amal', messageId: 'late-1', text: 'القائمة' });
    expect(after.state.lang).toBe('ar');
    // Coming back from the menu to "apply" resumes the draft rather than starting over.
    const resumed = await h.service.handleInbound({ associationId: 'qalam', channel: 'terminal', address: 'amal', messageId: 'late-2', text: '١' });
    expect(resumed.state.mode).toBe('form');
    expect(resumed.state.drafts.intake?.index).toBe(field);
    expect(JSON.stringify(resumed.state.drafts)).toContain('أمل سعد القحطاني');
  });

  it('records the attestation: who, when, channel, message id and the sha256 of exactly what was confirmed', async () => {
    h = new Harness();
    const b = beneficiary(h, 'whatsapp', '+966501234567');
    await b.fillIntake();
    const done = await b.send('1');
    const submitted = done.events.find((e) => e.type === 'request_submitted');
    if (submitted?.type !== 'request_submitted') throw new Error('no request_submitted event');
    const [req] = rows<Record<string, string>>('SELECT * FROM requests');
    expect(req!.reference).toMatch(/^QLM-\d{4}-00001$/);
    expect(req!.attestation_channel).toBe('whatsapp');
    expect(req!.attestation_message_id).toBe('whatsapp-+966501234567-' + (validAnswers(FLOWS.get('qalam')!, 'intake', h.now).length + 3));
    expect(req!.national_id).toBe('1012345672');
    expect(req!.phone).toBe('+966501234567');
    const data = JSON.parse(req!.data!);
    expect(req!.attestation_sha256).toBe(submitted.attestation.sha256);
    // The hash is over the stored values and the attestation text shown: changing either is detectable.
    const values = Object.fromEntries(Object.entries(data as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
    const recompute = (d: unknown) =>
      createHash('sha256').update(canonicalJson({ association: 'qalam', form: 'intake', data: d, attestation: req!.attestation_text })).digest('hex');
    expect(recompute(values)).toBe(req!.attestation_sha256);
    expect(recompute({ ...values, city: 'جدة' })).not.toBe(req!.attestation_sha256);
  });

  it('numbers requests per association, and the counter survives a restart', async () => {
    h = new Harness();
    const first = beneficiary(h, 'terminal', 'a');
    await first.fillIntake();
    expect((await first.send('1')).state.mode).toBe('menu');
    // A different person (different ID) in the same association.
    const second = beneficiary(h, 'terminal', 'b');
    const answers = validAnswers(FLOWS.get('qalam')!, 'intake', h.now).map((a) =>
      'text' in a && a.text === '١٠١٢٣٤٥٦٧٢' ? { text: '1098765439' } : 'text' in a && a.text === '٠٥٠١٢٣٤٥٦٧' ? { text: '0551234567' } : a,
    );
    await h.restart();
    await second.fillIntake(answers);
    await second.send('1');
    const third = beneficiary(h, 'terminal', 'c', 'sidr');
    await third.fillIntake();
    await third.send('1');
    const refs = rows<{ reference: string }>('SELECT reference FROM requests ORDER BY submitted_at').map((r) => r.reference);
    expect(refs).toHaveLength(3);
    expect(refs[0]).toMatch(/-00001$/);
    expect(refs[1]).toMatch(/-00002$/);
    expect(refs[2]).toMatch(/-00001$/);
    expect(refs[2]!.split('-')[0]).not.toBe(refs[0]!.split('-')[0]);
  });

  it('links one person across channels by national ID, and the status answer on the second channel knows the request', async () => {
    h = new Harness();
    const tg = beneficiary(h, 'telegram', '777');
    await tg.fillIntake();
    const submitted = await tg.send('1');
    const reference = submitted.events.flatMap((e) => (e.type === 'request_submitted' ? [e.reference] : []))[0]!;
    const sms = beneficiary(h, 'sms', '+966559999999');
    await sms.send('السلام عليكم');
    await sms.send('١');
    await sms.send('نورة محمد السبيعي');
    const linked = await sms.send('1012345672');
    expect(linked.events.map((e) => e.type)).toContain('field_accepted');
    const contacts = rows<{ channel: string; beneficiary_id: string }>('SELECT channel, beneficiary_id FROM contacts ORDER BY channel');
    expect(contacts).toHaveLength(2);
    expect(contacts[0]!.beneficiary_id).toBeTruthy();
    expect(contacts[0]!.beneficiary_id).toBe(contacts[1]!.beneficiary_id);
    expect(rows('SELECT id FROM beneficiaries')).toHaveLength(1);
    const status = await sms.send('الحالة');
    expect(status.outbound.map((o) => o.text).join('\n')).toContain(reference);
  });

  it('keeps personal values out of the audit log', async () => {
    h = new Harness();
    const b = beneficiary(h, 'terminal', 'z');
    await b.fillIntake();
    await b.send('1');
    const log = rows<{ type: string; payload: string }>('SELECT type, payload FROM events');
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['field_accepted', 'request_submitted']));
    const all = JSON.stringify(log);
    expect(all).not.toContain('1012345672');
    expect(all).not.toContain('501234567');
  });

  it('stops replying after opt-out and records it on the contact', async () => {
    h = new Harness();
    const b = beneficiary(h, 'sms', '+966501111111');
    await b.send('مرحبا');
    const stop = await b.send('إيقاف');
    expect(stop.events.map((e) => e.type)).toContain('opted_out');
    expect(rows<{ opted_out: number }>('SELECT opted_out FROM contacts')[0]!.opted_out).toBe(1);
    // While stopped, a message only gets the one-line note on how to start again; nothing advances.
    const held = await b.send('١');
    expect(held.outbound.map((o) => o.text).join('')).toContain('ابدأ');
    expect(held.state.mode).toBe('opted_out');
    const back = await b.send('ابدأ');
    expect(back.outbound.length).toBeGreaterThan(0);
    expect(rows<{ opted_out: number }>('SELECT opted_out FROM contacts')[0]!.opted_out).toBe(0);
  });
});
