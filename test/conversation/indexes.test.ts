/**
 * Index review of the hot tables, by the queries themselves: every statement the message
 * path, verification, receipts, jobs and the sweep prepare (captured while they run on a real
 * SQLite file) is asked for its query plan; none may scan a hot table whole.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOWS } from '../support/scenario.ts';
import { submitIntake } from '../support/intake.ts';
import Database from 'better-sqlite3';
import { openDb, type Db } from '../../src/store/db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { decide, runJob, serviceDelivered, verifyRequest } from '../../src/conversation/work.ts';

const HOT = ['messages', 'requests', 'events', 'outbox', 'contacts', 'conversations', 'beneficiaries'];

let dir: string;
let db: Db;
let store: Store;
let restorePrepare = () => {};
afterEach(async () => {
  restorePrepare();
  db?.$client.close();
  // Closed before its folder goes: the store's checkpoint thread writes there until it stops.
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Binds nulls to every parameter: enough for the planner. */
function plan(db: Db, sql: string): string[] {
  const names = [...new Set([...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1]!))];
  const st = db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (names.length ? st.all(Object.fromEntries(names.map((n) => [n, null]))) : st.all(...Array((sql.match(/\?/g) ?? []).length).fill(null))) as Array<{ detail: string }>;
  return rows.map((r) => r.detail);
}

describe('indexes', () => {
  it('no statement of the hot paths scans a hot table whole', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tawasul-idx-'));
    db = openDb(join(dir, 't.db')); // the test's own connection, its statements not counted
    const original = Database.prototype.prepare;
    const prepare = (sql: string): Database.Statement<unknown[]> => original.call(db.$client, sql);
    // Every statement the store's connection prepares, when it opens and on first use.
    const seen = new Set<string>();
    Database.prototype.prepare = function (this: Database.Database, sql: string) {
      if (this !== db.$client) seen.add(sql);
      return original.call(this, sql);
    } as typeof original;
    restorePrepare = () => (Database.prototype.prepare = original);
    store = openStore(join(dir, 't.db'));
    const service = new ConversationService({ store, flows: FLOWS, mediaDir: join(dir, 'media') });
    await submitIntake(service, 'qalam', 'a');
    await submitIntake(service, 'qalam', 'b');
    const refs = (prepare('SELECT reference FROM requests ORDER BY reference').all() as Array<{ reference: string }>).map((r) => r.reference);
    const now = new Date();
    for (const r of refs) await verifyRequest(service, r, now);
    await decide(service, refs[0]!, 'accepted', undefined, 'staff:test', now);
    await serviceDelivered(service, refs[0]!, 'staff:test', now);
    await runJob(service, { kind: 'survey', reference: refs[0]! }, now);
    await runJob(service, { kind: 'committee_due', reference: refs[1]! }, now);
    const [out] = prepare("SELECT channel_message_id id, conversation_id c FROM messages WHERE direction = 'out' LIMIT 1").all() as Array<{ id: string; c: string }>;
    await service.markSending(out!.id);
    await service.markSent(out!.id, 'prov-1');
    await service.recordReceipt('t', 'prov-1', 'delivered');
    await service.nextOutbound(out!.c);
    await service.lastSentAt(out!.c);
    await service.acceptedAt(out!.id);
    await service.outboundStatus(out!.id);
    await service.stalledInbound(0);
    await service.stalledOutbound(0);
    await service.undispatched(100);
    await service.openOutbox(0);
    await service.deadLetters('qalam');
    await service.history('qalam', 't', 'a');
    restorePrepare();
    const scans: Array<{ sql: string; detail: string }> = [];
    // An index whose only constraints are columns like these finds nearly every row.
    const WEAK = new Set(['direction', 'association_id', 'form', 'type', 'channel']);
    let duplicateCheck: string[] = [];
    for (const sql of seen) {
      if (!/^\s*(SELECT|UPDATE|DELETE|WITH)/i.test(sql) || /sqlite_master|__drizzle/i.test(sql)) continue;
      const details = plan(db, sql);
      if (process.env.TEST_REPORT) console.log(`${sql.replace(/\s+/g, ' ').slice(0, 140)}\n   ${details.join('\n   ')}`);
      if (/FROM requests WHERE national_id = /.test(sql)) duplicateCheck = details;
      for (const detail of details) {
        const short = sql.replace(/\s+/g, ' ').slice(0, 160);
        const m = /^SCAN (\w+)(?! USING)/.exec(detail);
        if (m && HOT.includes(m[1]!) && !/USING (COVERING )?INDEX/.test(detail)) scans.push({ sql: short, detail });
        const s = /^SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \((.*)\)$/.exec(detail);
        const columns = s ? [...s[2]!.matchAll(/(\w+)[=<>]/g)].map((c) => c[1]!) : [];
        if (s && HOT.includes(s[1]!) && columns.every((c) => WEAK.has(c))) scans.push({ sql: short, detail });
      }
    }
    expect(scans).toEqual([]);
    // The duplicate check searches by national ID and by phone, not through every open request.
    expect(duplicateCheck.join('\n')).toMatch(/national_id=\?/);
    expect(duplicateCheck.join('\n')).toMatch(/phone=\?/);
  });
});
