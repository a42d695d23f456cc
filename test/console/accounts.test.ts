/**
 * Staff accounts as beneficiaries meet them: the name a beneficiary is told when staff join
 * (per language; the officer's title when none fits, never a Latin login name in an Arabic
 * chat), and generated passwords that must be replaced at the first sign-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../support/scenario.ts';
import { beneficiary } from '../support/beneficiary.ts';
import { AccountError, Accounts, spokenName } from '../../src/console/accounts.ts';
import { Inbox } from '../../src/console/inbox.ts';
import { consoleOf } from './store.ts';

let h: Harness;
afterEach(() => h?.close());

const joined = async (address: string, lang: 'ar' | 'en') => {
  const b = beneficiary(h, 'telegram', address);
  await b.send(lang === 'ar' ? 'السلام عليكم' : 'hello', { lang });
  await b.send(lang === 'ar' ? 'موظف' : 'I want to talk to a person');
  return (h.db.$client.prepare("SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.address = ? AND c.mode = 'waiting_staff'").get(address) as { id: string }).id;
};
const told = (outcome: unknown) => (outcome as { outbound: Array<{ text: string }> }).outbound.map((o) => o.text).join('\n');

describe('the name beneficiaries are told', () => {
  it('is the display name of the conversation language, else the officer title, never a Latin login name in Arabic', async () => {
    h = new Harness();
    await h.service.ready(); // the associations table knows the flows
    const accounts = new Accounts(consoleOf(h));
    const inbox = new Inbox(consoleOf(h), h.service);
    const officer = h.service.flow('qalam').officer;
    const { user: admin } = await accounts.add({ email: 'admin@localhost', name: 'Admin', role: 'admin', associations: ['qalam'] });
    expect(spokenName(admin, 'ar')).toBeUndefined();
    expect(spokenName(admin, 'en')).toBe('Admin');

    const ar = told(await inbox.claim(admin, await joined('801', 'ar')));
    expect(ar).toContain(`انضم إليك ${officer.ar} الآن`);
    expect(ar).not.toContain('Admin');

    await accounts.setDisplayNames(admin.id, { ar: 'سارة القحطاني', en: 'Sara Alqahtani' });
    const named = (await accounts.byId(admin.id))!;
    expect(told(await inbox.claim(named, await joined('802', 'ar')))).toContain('انضم إليك سارة القحطاني الآن');
    expect(told(await inbox.claim(named, await joined('803', 'en')))).toContain('Sara Alqahtani has joined');
    // An Arabic console name is said in Arabic chats as before.
    expect(spokenName({ name: 'نورة العتيبي' }, 'ar')).toBe('نورة العتيبي');
    expect(spokenName({ name: 'نورة العتيبي' }, 'en')).toBeUndefined();
  });
});

describe('one-time passwords', () => {
  it('a generated password must be changed; the change needs the current one, 12+ characters and keeps only this session', async () => {
    h = new Harness();
    await h.service.ready(); // the associations table knows the flows
    const accounts = new Accounts(consoleOf(h));
    const { user, password } = await accounts.add({ email: 'admin@localhost', name: 'Admin', role: 'admin', associations: ['qalam'] });
    expect(user.mustChangePassword).toBe(true);
    const chosen = await accounts.add({ email: 'noura@qalam.org', name: 'نورة', role: 'staff', associations: ['qalam'], password: 'a password she chose' });
    expect(chosen.user.mustChangePassword).toBe(false);

    const session = (id: string) => h.db.$client.prepare("INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, '2999-01-01')").run(id, JSON.stringify({ userId: user.id }));
    session('this-one');
    session('another');
    await expect(accounts.changePassword(user.id, 'not it at all', 'my own new password', 'this-one')).rejects.toThrow(AccountError);
    await expect(accounts.changePassword(user.id, password, 'short', 'this-one')).rejects.toThrow(/12 characters/);
    await expect(accounts.changePassword(user.id, password, password, 'this-one')).rejects.toThrow(/different/);
    await accounts.changePassword(user.id, password, 'my own new password', 'this-one');
    expect((await accounts.byId(user.id))!.mustChangePassword).toBe(false);
    expect(await accounts.verify('admin@localhost', password)).toBeUndefined();
    expect((await accounts.verify('admin@localhost', 'my own new password'))?.id).toBe(user.id);
    expect((h.db.$client.prepare('SELECT id FROM sessions').all() as Array<{ id: string }>).map((r) => r.id)).toEqual(['this-one']);

    // An administrator's reset with a generated password is one-time again.
    await accounts.setPassword('admin@localhost');
    expect((await accounts.byId(user.id))!.mustChangePassword).toBe(true);
  });
});
