/**
 * A pressed button is the beneficiary's message in words: stored with the label the bot
 * offered (in the conversation's language), shown to staff with the options the bot offered
 * under its message, and replayed in the beneficiary's own history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../support/scenario.ts';
import { beneficiary } from '../support/beneficiary.ts';
import { Inbox } from '../../src/console/inbox.ts';
import { conversationLog } from '../../src/console/views.ts';
import { formatter } from '../../src/console/format.ts';
import type { User } from '../../src/console/accounts.ts';
import { consoleOf } from './store.ts';

let h: Harness;
afterEach(() => h?.close());

const noura: User = { id: 'u-noura', email: 'n@qalam.org', name: 'نورة', role: 'staff', associations: ['qalam'] };
const conversationOf = (address: string) => (h.db.$client.prepare('SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.address = ?').get(address) as { id: string }).id;
const inbound = (conversationId: string) =>
  h.db.$client.prepare("SELECT body, choice_id FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY rowid").all(conversationId) as Array<{ body: string; choice_id: string | null }>;

describe('labels of pressed buttons', () => {
  it('stores the offered label, leaves the engine going by the id, and shows staff the options', async () => {
    h = new Harness();
    const b = beneficiary(h, 'telegram', '701');
    const greeting = await b.send('السلام عليكم');
    const menu = greeting.outbound.find((m) => m.choices?.length)!;
    const apply = menu.choices![0]!;
    expect(apply.label).toMatch(/[\u0600-\u06FF]/); // Arabic conversation, Arabic label
    // Telegram's callback carries only the id, with an empty text.
    const next = await b.send('', { choiceId: apply.id });
    expect(next.state.mode).toBe('form'); // the engine took the button as before

    const id = conversationOf('701');
    expect(inbound(id).at(-1)).toEqual({ body: apply.label, choice_id: apply.id });
    // The beneficiary's own history (the web chat's replay reads this) has the words.
    const history = await h.service.history('qalam', 'telegram', '701');
    expect(history.filter((m) => m.direction === 'in').map((m) => m.text)).toContain(apply.label);

    // Staff: the bot's message carries its options; the press reads as the label.
    const c = (await new Inbox(consoleOf(h), h.service).get(noura, id))!;
    const offered = c.history.find((m) => m.direction === 'out' && m.choices?.length)!;
    expect(offered.choices!.map((x) => x.label)).toEqual(menu.choices!.map((x) => x.label));
    const html = conversationLog('ar', c.history, [], formatter('ar'));
    const chips = [...html.matchAll(/<span class="chip">(.*?)<\/span>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
    for (const choice of menu.choices!) expect(chips).toContain(choice.label.replace(/&/g, '&amp;'));
    expect(html).toMatch(new RegExp(`class="msg in"><small>[^]*?pressed[^]*?<div class="body" dir="auto">${apply.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('labels in the conversation\'s language, an earlier message\'s button keeps its own words, an unknown id stays empty', async () => {
    h = new Harness();
    const b = beneficiary(h, 'telegram', '702');
    const greeting = await b.send('hello', { lang: 'en' });
    const menu = greeting.outbound.find((m) => m.choices?.length)!;
    const last = menu.choices![1]!;
    expect(last.label).toMatch(/[A-Za-z]/);
    await b.send('', { choiceId: menu.choices![0]!.id }); // starts the form; the menu is now an old message
    await b.send('', { choiceId: last.id }); // a stale button from the greeting
    await b.send('', { choiceId: 'm:no-such-thing' });
    const rows = inbound(conversationOf('702'));
    expect(rows.slice(1).map((r) => r.body)).toEqual([menu.choices![0]!.label, last.label, '']);
  });
});
