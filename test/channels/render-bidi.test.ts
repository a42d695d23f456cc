/**
 * Plain-text bidi isolates (issue 13, item 4): Telegram and WhatsApp lay a paragraph out from
 * its first strong letter, so a phone or a date inside Arabic flips. Their replies get
 * LRI (U+2066) … PDI (U+2069) around each left-to-right value in Arabic lines; SMS, the web
 * chat (which uses <bdi>) and the terminal get the text exactly as the engine wrote it.
 */
import { describe, expect, it } from 'vitest';
import { forChannel, ISOLATING_CHANNELS } from '../../src/channels/render.ts';
import { isolatePlainText } from '../../src/text/bidi.ts';

const L = '\u2066';
const P = '\u2069';
const reply = (channel: string, text: string, labels: string[] = []) => ({
  id: 'o1', associationId: 'qalam', conversationId: 'c1', channel, address: 'a', lang: 'ar' as const, text,
  ...(labels.length ? { choices: labels.map((label, i) => ({ id: `c${i}`, label })) } : {}),
});

describe('isolatePlainText', () => {
  it('wraps phones, dates, references, IDs and Latin values in Arabic lines, character for character', () => {
    expect(isolatePlainText('رقم الجوال: +966 55 123 4567')).toBe(`رقم الجوال: ${L}+966 55 123 4567${P}`);
    expect(isolatePlainText('تاريخ الميلاد: 15/01/1995 م (13/08/1415 هـ)')).toBe(`تاريخ الميلاد: ${L}15/01/1995${P} م (${L}13/08/1415${P} هـ)`);
    expect(isolatePlainText('تم استلام طلبك برقم QLM-2026-00012.')).toBe(`تم استلام طلبك برقم ${L}QLM-2026-00012${P}.`);
    expect(isolatePlainText('رقم الهوية ١٠١٢٣٤٥٦٧٢ صحيح')).toBe(`رقم الهوية ${L}١٠١٢٣٤٥٦٧٢${P} صحيح`);
    expect(isolatePlainText('البريد: sara.ali@example.com، شكرًا')).toBe(`البريد: ${L}sara.ali@example.com${P}، شكرًا`);
    expect(isolatePlainText('انضم إليك Sara Ali الآن.')).toBe(`انضم إليك ${L}Sara Ali${P} الآن.`);
    expect(isolatePlainText('وللمحادثة بالإنجليزية اكتب English.')).toBe(`وللمحادثة بالإنجليزية اكتب ${L}English${P}.`);
  });

  it('leaves lines without Arabic, and text already isolated, as they are', () => {
    const text = 'Mobile: +966 55 123 4567\nالجوال:\n+966 55 123 4567';
    expect(isolatePlainText(text)).toBe(text);
    const done = `الجوال: ${L}+966 55 123 4567${P}`;
    expect(isolatePlainText(done)).toBe(done);
    expect(isolatePlainText('مرحبًا بك')).toBe('مرحبًا بك');
  });

  it('isolates each line of a review on its own', () => {
    const review = 'الرجاء مراجعة بياناتك:\n1. الاسم الكامل: نورة سعد\n2. رقم الجوال: +966 50 123 4567\n3. تاريخ الميلاد: 18/06/1410 هـ';
    expect(isolatePlainText(review)).toBe(
      `الرجاء مراجعة بياناتك:\n${L}1${P}. الاسم الكامل: نورة سعد\n${L}2${P}. رقم الجوال: ${L}+966 50 123 4567${P}\n${L}3${P}. تاريخ الميلاد: ${L}18/06/1410${P} هـ`,
    );
  });
});

describe('forChannel', () => {
  const text = 'رقم طلبك QLM-2026-00012، وجوالك +966 55 123 4567.';
  const isolated = `رقم طلبك ${L}QLM-2026-00012${P}، وجوالك ${L}+966 55 123 4567${P}.`;

  it('Telegram and both WhatsApp channels get isolates in the text and in the buttons', () => {
    for (const channel of ['telegram', 'whatsapp', 'whatsapp-web']) {
      const out = forChannel(reply(channel, text, ['طلب QLM-2026-00012', 'القائمة']));
      expect(out.text).toBe(isolated);
      expect(out.choices).toEqual([{ id: 'c0', label: `طلب ${L}QLM-2026-00012${P}` }, { id: 'c1', label: 'القائمة' }]);
      expect([...out.text].filter((c) => c === L || c === P)).toHaveLength(4);
    }
    expect([...ISOLATING_CHANNELS].sort()).toEqual(['telegram', 'whatsapp', 'whatsapp-web']);
  });

  it('SMS, the web chat, the terminal and the loopback send the text unchanged', () => {
    for (const channel of ['sms', 'web', 'terminal', 'loopback']) {
      const msg = reply(channel, text, ['طلب QLM-2026-00012']);
      const out = forChannel(msg);
      expect(out).toBe(msg);
      expect(out.text).toBe(text);
      expect(out.text).not.toMatch(/[\u2066-\u2069]/);
    }
  });

  it('an English reply is sent as it is', () => {
    const en = 'Your request QLM-2026-00012 was received. Mobile: +966 55 123 4567.';
    expect(forChannel(reply('telegram', en)).text).toBe(en);
  });
});
