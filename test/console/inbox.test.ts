/**
 * The inbox and verification actions over a real SQLite file: handing a conversation back to
 * the bot at a chosen question, resolving it, the live views' fingerprints, per-field marks,
 * and the committee asking for more information on named fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../support/scenario.ts';
import { beneficiary } from '../support/beneficiary.ts';
import { ConflictError, Inbox } from '../../src/console/inbox.ts';
import { Requests } from '../../src/console/requests.ts';
import type { User } from '../../src/console/accounts.ts';
import { consoleOf } from './store.ts';

let h: Harness;
afterEach(() => h?.close());

const noura: User = { id: 'u-noura', email: 'n@qalam.org', name: 'نورة', role: 'staff', associations: ['qalam'] };
const sami: User = { id: 'u-sami', email: 's@qalam.org', name: 'سامي', role: 'researcher', associations: ['qalam'] };
const khalid: User = { id: 'u-khalid', email: 'k@qalam.org', name: 'خالد', role: 'committee', associations: ['qalam'] };
const reem: User = { id: 'u-reem', email: 'r@qalam.org', name: 'ريم', role: 'supervisor', associations: ['qalam'] };

function setup() {
  h = new Harness();
  for (const u of [noura, sami, khalid, reem]) h.db.$client.prepare("INSERT INTO users (id, email, name, role, password_hash) VALUES (?, ?, ?, ?, 'x')").run(u.id, u.email, u.name, u.role);
  return { inbox: new Inbox(consoleOf(h), h.service), requests: new Requests(consoleOf(h), h.service) };
}

const conversationOf = (address: string) => (h.db.$client.prepare('SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.address = ?').get(address) as { id: string }).id;

describe('inbox actions', () => {
  it('hands a conversation back at a chosen question: the bot asks it again and goes on from there', async () => {
    const { inbox } = setup();
    const b = beneficiary(h, 'telegram', '501');
    await b.send('السلام عليكم');
    await b.send('١');
    await b.send('محمد عبدالله الأحمد'); // full name
    await b.send('١٠١٢٣٤٥٦٧٢'); // national ID
    const id = conversationOf('501');
    const before = await inbox.signature(noura);
    await b.send('موظف');
    expect(await inbox.signature(noura)).not.toBe(before); // the live inbox notices
    expect((await inbox.list(noura)).map((i) => [i.conversationId, i.fieldsCollected])).toEqual([[id, 2]]);

    await expect(inbox.release(noura, id, 'menu')).rejects.toThrow(/claim the conversation first/);
    await inbox.claim(noura, id);
    await expect(inbox.claim(sami, id)).rejects.toThrow(ConflictError);
    const fields = await inbox.resumeFields(id, 'en');
    expect(fields.slice(0, 3).map((f) => [f.id, f.answer ?? null])).toEqual([
      ['full_name', 'محمد عبدالله الأحمد'],
      ['national_id', '1012345672'],
      ['mobile', null],
    ]);
    expect(fields.find((f) => f.current)?.id).toBe('mobile');
    await expect(inbox.release(noura, id, { field: 'no_such_question' })).rejects.toThrow(/no such question/);

    const convBefore = await inbox.conversationSignature(id);
    const out = await inbox.release(noura, id, { field: 'full_name' });
    expect(await inbox.conversationSignature(id)).not.toBe(convBefore);
    expect(out.state.mode).toBe('form');
    expect(out.state.drafts.intake?.index).toBe(0);
    expect(out.outbound.map((o) => o.text).join('\n')).toContain('نكمل معك');
    // The beneficiary corrects the name; the bot goes on to the next question, keeping the ID.
    const next = await b.send('محمد عبدالله الأحمدي');
    expect(next.state.drafts.intake?.data.full_name?.display).toBe('محمد عبدالله الأحمدي');
    expect(next.state.drafts.intake?.data.national_id?.display).toBe('1012345672');
  });

  it('two people claiming at once: one holds it, the other is refused, and the beneficiary is told once', async () => {
    const { inbox } = setup();
    const b = beneficiary(h, 'telegram', '502');
    await b.send('موظف');
    const id = conversationOf('502');
    const results = await Promise.allSettled([inbox.claim(noura, id), inbox.claim(sami, id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    expect(lost.reason.message).toBe('someone else holds this conversation');
    const winner = results[0]!.status === 'fulfilled' ? noura : sami;
    const held = (await inbox.list(noura))[0]!;
    expect(held.heldBy).toBe(winner.id);
    const joined = h.db.$client.prepare("SELECT count(*) n FROM events WHERE conversation_id = ? AND type = 'staff_claimed'").get(id) as { n: number };
    expect(joined.n).toBe(1);
    // The holder claiming again changes nothing.
    expect(await inbox.claim(winner, id)).toBeUndefined();
  });

  it('a supervisor takes over a conversation someone holds; the beneficiary is told, the former holder can no longer reply', async () => {
    const { inbox } = setup();
    const b = beneficiary(h, 'telegram', '503');
    await b.send('موظف');
    const id = conversationOf('503');
    await inbox.claim(noura, id);
    await expect(inbox.takeOver(sami, id)).rejects.toThrow(/forbidden/);
    const { outcome, from } = await inbox.takeOver(reem, id);
    expect(from).toBe(noura.id);
    expect(outcome!.outbound.map((o) => o.text).join('\n')).toContain('ريم');
    expect((await inbox.list(reem))[0]!.heldBy).toBe(reem.id);
    await expect(inbox.reply(noura, id, 'ما زلت هنا')).rejects.toThrow(/claim the conversation first/);
    expect(await inbox.reply(reem, id, 'معك ريم')).toMatch(/\.staff\./);
  });

  it('resolves a conversation: the bot says so and returns to the menu; only the holder can', async () => {
    const { inbox } = setup();
    const b = beneficiary(h, 'sms', '+966551112222');
    await b.send('موظف');
    const id = conversationOf('+966551112222');
    await inbox.claim(noura, id);
    await expect(inbox.resolve(sami, id)).rejects.toThrow(/claim the conversation first/);
    const out = await inbox.resolve(noura, id);
    expect(out.state.mode).toBe('menu');
    expect(out.outbound.map((o) => o.text).join('\n')).toContain('تم إغلاق المحادثة');
    expect(await inbox.list(noura)).toEqual([]);
  });
});

describe('verification marks and the committee', () => {
  async function submitted() {
    const { requests } = setup();
    const b = beneficiary(h, 'web', 'web:MarksBeneficiary_0123456789');
    await b.fillIntake();
    await b.send('1');
    const ref = (h.db.$client.prepare('SELECT reference FROM requests').get() as { reference: string }).reference;
    return { requests, ref, b };
  }

  it('marks fields verified or mismatched, shown with who and when; committee members cannot mark', async () => {
    const { requests, ref } = await submitted();
    await requests.markField(sami, ref, 'full_name', 'verified');
    await requests.markField(sami, ref, 'national_id', 'mismatched');
    await requests.markField(noura, ref, 'national_id', 'verified'); // a second look overrides
    await requests.markField(noura, ref, 'mobile', 'mismatched');
    await requests.markField(noura, ref, 'mobile', 'clear');
    await expect(requests.markField(sami, ref, 'not_a_field', 'verified')).rejects.toThrow(/no such field/);
    await expect(requests.markField(khalid, ref, 'full_name', 'verified')).rejects.toThrow(/forbidden/);
    const row = (await requests.get(sami, ref))!;
    const marks = Object.fromEntries(requests.fields(row, 'en').filter((f) => f.mark).map((f) => [f.id, [f.mark!.mark, f.mark!.by]]));
    expect(marks).toEqual({ full_name: ['verified', 'سامي'], national_id: ['verified', 'نورة'] });
    expect(requests.fields(row, 'en').find((f) => f.id === 'full_name')!.label).toBe('Full name');
  });

  it('lets the committee ask for more information on named fields; the bot asks only for those', async () => {
    const { requests, ref, b } = await submitted();
    await requests.forward(sami, ref);
    const out = await requests.askCorrections(khalid, ref, ['mobile'], 'نحتاج رقمًا نتواصل معك عليه');
    expect((await requests.get(khalid, ref))!.status).toBe('more_info');
    const text = (out as { outbound: Array<{ text: string }> }).outbound.map((o) => o.text).join('\n');
    expect(text).toContain('نحتاج رقمًا نتواصل معك عليه');
    await expect(requests.askCorrections(khalid, ref, ['mobile'], undefined)).rejects.toThrow(/the request is more_info/);
    // The beneficiary answers only the mobile question, then confirms.
    const after = await b.send('0551234567');
    expect(after.state.drafts.correction?.data.mobile?.display).toBe('+966 55 123 4567');
  });
});
