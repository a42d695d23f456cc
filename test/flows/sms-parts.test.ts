/**
 * SMS costs (issue 13, item 9): an SMS conversation is answered in the association's SMS
 * wordings, within its sms.max_parts, exactly as the SMS adapter sends it; and `flows check`
 * fails, naming the file and the text, for a flow whose SMS reply takes more parts.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { advance, initialState } from '../../src/engine/advance.ts';
import type { ConversationState, EngineEvent } from '../../src/engine/types.ts';
import { SmsAdapter, smsSegments } from '../../src/channels/sms.ts';
import { smsCounts } from '../../src/flows/sms-check.ts';
import { FLOWS, ROOT } from '../support/scenario.ts';

const IDS = ['saudi-exhibitions', 'qalam', 'saa-hajj', 'green-energy', 'sidr'];
const NOW = new Date('2026-11-22T07:00:00Z');

/** A local SMS gateway: every message the adapter sends, as the provider receives it. */
let server: Server;
let url = '';
const received: Array<{ to: string; text: string }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body) as { to: string; text: string });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `p${received.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/send`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Chats on SMS one line at a time, each reply sent through the real SmsAdapter; returns what the phone received. */
async function smsChat(flowId: string, lines: string[]): Promise<string[]> {
  const flow = FLOWS.get(flowId)!;
  const adapter = new SmsAdapter({
    numbers: [{ associationId: flowId, number: '+966500000001' }],
    driver: { kind: 'gateway', sendUrl: url, format: 'json', fields: { to: 'to', from: 'from', text: 'text' }, idPath: 'id', inboundToken: 't', inboundFields: { from: 'from', to: 'to', text: 'text', id: 'id' } },
  });
  await adapter.start({ ingest: async () => {}, log: pino({ level: 'silent' }) });
  let state: ConversationState = initialState('ar', NOW);
  const start = received.length;
  for (const [i, text] of lines.entries()) {
    const step = advance(flow, state, { type: 'message', messageId: `m${i}`, text }, { now: NOW, nextReference: () => `${flow.reference_prefix}-2026-00001`, requests: [], channel: 'sms' });
    state = step.state;
    for (const e of step.events.filter((x): x is Extract<EngineEvent, { type: 'reply' }> => x.type === 'reply')) {
      await adapter.send({ id: `o${i}`, associationId: flowId, conversationId: 'c1', channel: 'sms', address: '+966551234567', text: e.text, ...(e.choices ? { choices: e.choices } : {}), lang: e.lang });
    }
  }
  return received.slice(start).map((r) => r.text);
}

describe('SMS replies within the association\'s parts', () => {
  for (const id of IDS) {
    it(`${id}: the greeting with the menu, the FAQ list and an answer, as the phone receives them`, async () => {
      const flow = FLOWS.get(id)!;
      const [greeting, faqList, answer] = await smsChat(id, ['السلام عليكم', '2', '2']);
      for (const text of [greeting!, faqList!, answer!]) {
        const { segments, encoding } = smsSegments(text);
        expect(encoding).toBe('UCS-2');
        expect(segments, text).toBeLessThanOrEqual(flow.sms.max_parts);
        expect(text).not.toMatch(/[\u2066-\u2069]/); // never bidi isolates on SMS
      }
      // The SMS wording, and the menu with its numbers and short labels.
      expect(greeting).toContain(flow.greeting.sms!.ar!);
      expect(greeting).not.toContain(flow.greeting.ar);
      expect(greeting).toMatch(/\n1\. .+\n2\. .+\n3\. /);
      expect(greeting).toContain(`5. ${flow.menu.find((m) => m.action === 'agent')!.label.sms!.ar}`);
      // Before: the same greeting and menu took 6 parts.
      expect(smsSegments(`${flow.greeting.ar}\n\nاختر رقم الخدمة:\n${flow.menu.map((m, i) => `${i + 1}. ${m.label.ar}`).join('\n')}`).segments).toBe(6);
      expect(answer).toContain(flow.faq[1]!.answer!.sms!.ar!);
    });
  }

  it('every reply of the five flows fits, and an English SMS conversation stays GSM-7', () => {
    for (const id of IDS) {
      const flow = FLOWS.get(id)!;
      const over = smsCounts(flow).filter((c) => c.parts > flow.sms.max_parts && !c.withoutAnswers);
      expect(over.map((c) => `${c.what} ${c.lang} ${c.parts}`)).toEqual([]);
      const en = smsCounts(flow).find((c) => c.what === 'greeting + menu' && c.lang === 'en')!;
      expect(en).toMatchObject({ encoding: 'GSM-7', parts: 2 });
    }
  });

  it('other channels still get the full texts', () => {
    const flow = FLOWS.get('qalam')!;
    const step = advance(flow, initialState('ar', NOW), { type: 'message', messageId: 'm1', text: 'السلام عليكم' }, { now: NOW, nextReference: () => 'x', requests: [], channel: 'telegram' });
    const reply = step.events.find((e) => e.type === 'reply');
    expect(reply && reply.type === 'reply' && reply.text).toContain(flow.greeting.ar);
    expect(reply && reply.type === 'reply' && reply.choices?.map((c) => c.label)).toContain(flow.menu[4]!.label.ar);
  });
});

describe('tawasul flows check: SMS parts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tawasul-sms-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (file: string | string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/tawasul.js'), 'flows', 'check', ...[file].flat()], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('passes the five flows', () => {
    const r = check(IDS.map((id) => join(ROOT, 'flows', `${id}.yaml`)));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/SMS replies within 3 parts \(greeting \+ menu: ar 3, en 2\)/g)).toHaveLength(5);
  });

  it('fails for an over-long SMS text and names the file, the text, its parts and encoding', () => {
    const source = readFileSync(join(ROOT, 'flows/qalam.yaml'), 'utf8');
    const long = 'أهلًا وسهلًا بك في جمعية قلم العلمية، يسعدنا تواصلك معنا. نحن هنا للإجابة على جميع استفساراتك واستقبال طلبك، فخذ وقتك الكافي.';
    const edited = source.replace('ar: "أهلًا بك في جمعية قلم العلمية، يسعدنا تواصلك."', `ar: "${long}"`);
    expect(edited).not.toBe(source);
    const file = join(dir, 'qalam-long.yaml');
    writeFileSync(file, edited);
    const r = check(file);
    expect(r.status).toBe(1);
    const line = edited.split('\n').findIndex((l) => l.includes(long)) + 1;
    expect(r.stderr).toContain(`${file}:${line}:`);
    expect(r.stderr).toMatch(/greeting\.sms\.ar: SMS reply "greeting \+ menu" \(ar\) takes 4 parts \(\d+ UCS-2 characters\), more than sms\.max_parts 3/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('fails for every text over a stricter per-association limit (sms.max_parts: 1)', () => {
    const source = readFileSync(join(ROOT, 'flows/sidr.yaml'), 'utf8');
    const file = join(dir, 'sidr-one-part.yaml');
    writeFileSync(file, source.replace(/\ngreeting:\n/, '\nsms: { max_parts: 1 }\n\ngreeting:\n'));
    const r = check(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/greeting\.sms\.ar: SMS reply "greeting \+ menu" \(ar\) takes 3 parts/);
    expect(r.stderr).toMatch(/greeting\.sms\.en: SMS reply "greeting \+ menu" \(en\) takes 2 parts \(\d+ GSM-7 characters\)/);
  });
});
