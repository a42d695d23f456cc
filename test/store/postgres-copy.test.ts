/** `tawasul db copy`: a SQLite deployment moved into PostgreSQL, every table, refused into a non-empty target, resumable. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { openDb } from '../../src/store/db.ts';
import { copySqliteToPostgres, CopyRefused } from '../../src/store/postgres/copy.ts';

const run = promisify(execFile);
let cluster: TestPostgres;
let dir: string;
let sqlitePath: string;

const T = '2026-03-01T10:00:00.000Z';
const MESSAGES = 250;

/** A small deployment with a row in every table (and many messages, so batches are several). */
function fillSqlite(path: string) {
  const db = openDb(path).$client;
  const ins = (sql: string, ...p: unknown[]) => db.prepare(sql).run(...p);
  db.transaction(() => {
    ins(`INSERT INTO associations (id, name_ar, name_en, reference_prefix, flow_hash, created_at, updated_at) VALUES ('qalam', 'قلم', 'Qalam', 'QLM', 'h', ?, ?)`, T, T);
    ins(`INSERT INTO users (id, email, name, role, password_hash, active, created_at, must_change_password) VALUES ('u1', 'a@x', 'A', 'admin', 'hash', 1, ?, 0)`, T);
    ins(`INSERT INTO users (id, email, name, role, password_hash, active, created_at, must_change_password) VALUES ('u2', 'b@x', 'B', 'staff', 'hash', 0, ?, 1)`, T);
    ins(`INSERT INTO user_associations (user_id, association_id) VALUES ('u1', 'qalam'), ('u2', 'qalam')`);
    ins(`INSERT INTO beneficiaries (id, association_id, national_id, phone, name, created_at, updated_at) VALUES ('b1', 'qalam', '1000000008', '+966500000001', 'سارة', ?, ?)`, T, T);
    ins(`INSERT INTO reference_counters (association_id, scope, last) VALUES ('qalam', 'intake-1447', 41)`);
    ins(`INSERT INTO contacts (id, association_id, channel, address, beneficiary_id, opted_out, created_at) VALUES ('k1', 'qalam', 'telegram', '42', 'b1', 1, ?)`, T);
    ins(`INSERT INTO conversations (id, association_id, contact_id, mode, lang, state, version, created_at, updated_at) VALUES ('c1', 'qalam', 'k1', 'menu', 'ar', ?, 7, ?, ?)`, JSON.stringify({ mode: 'menu', vars: { n: 1 } }), T, T);
    ins(`INSERT INTO media (id, association_id, sha256, mime, size, path, created_at) VALUES ('m1', 'qalam', 'abc', 'image/png', 12, 'ab/abc.png', ?)`, T);
    // Inserted in an order that is not their ids' order: seq must follow insertion.
    for (let i = 0; i < MESSAGES; i++) {
      const id = `msg-${String(MESSAGES - i).padStart(4, '0')}`;
      ins(
        `INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, body, choices, media_id, status, created_at) VALUES (?, 'qalam', 'c1', ?, 'telegram', ?, ?, ?, ?, ?, ?, ?)`,
        id, i % 2 ? 'out' : 'in', `cm-${i}`, i % 2 ? 'bot' : 'beneficiary', `body ${i}`, i % 2 ? JSON.stringify([{ id: 'yes', label: 'نعم' }]) : null, i === 0 ? 'm1' : null, i % 2 ? 'sent' : 'processed', T,
      );
    }
    ins(
      `INSERT INTO requests (id, association_id, reference, form, beneficiary_id, conversation_id, status, data, national_id, phone, attested_by_contact_id, attested_at, attestation_channel, attestation_message_id, attestation_text, attestation_sha256, checks, submitted_at, updated_at)
       VALUES ('r1', 'qalam', 'QLM-1447-00041', 'intake', 'b1', 'c1', 'verifying', ?, '1000000008', '+966500000001', 'k1', ?, 'telegram', 'cm-0', 'أقر', 'sha', ?, ?, ?)`,
      JSON.stringify({ name: 'سارة', members: 3 }), T, JSON.stringify([{ check: 'id', ok: true }]), T, T,
    );
    for (let i = 0; i < 5; i++) ins(`INSERT INTO events (association_id, conversation_id, type, actor, payload, at) VALUES ('qalam', 'c1', 'e', 'system', ?, ?)`, JSON.stringify({ i }), T);
    ins(`INSERT INTO survey_responses (id, association_id, conversation_id, rating, answers, created_at) VALUES ('s1', 'qalam', 'c1', 5, '{"q":"a"}', ?)`, T);
    ins(`INSERT INTO outbox (association_id, kind, payload, run_at, dedupe_key, created_at) VALUES ('qalam', 'timer', '{"kind":"timer"}', ?, 'timer:c1', ?)`, T, T);
    ins(`INSERT INTO sessions (id, data, expires_at) VALUES ('sess', '{"userId":"u1"}', ?)`, T);
    ins(`INSERT INTO settings (key, value, created_at) VALUES ('session_secret', 'kept-across-the-copy', ?)`, T);
    ins(`INSERT INTO staff_notes (id, association_id, conversation_id, author_id, body, created_at) VALUES ('n1', 'qalam', 'c1', 'u1', 'note', ?)`, T);
    ins(`INSERT INTO offline_contacts (id, association_id, beneficiary_id, kind, direction, summary, occurred_at, recorded_by, created_at) VALUES ('o1', 'qalam', 'b1', 'phone_call', 'in', 'called', ?, 'u1', ?)`, T, T);
  })();
  db.close();
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  cluster = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'tawasul-copy-'));
  sqlitePath = join(dir, 'src.db');
  fillSqlite(sqlitePath);
});
afterAll(async () => {
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('copySqliteToPostgres', () => {
  it('copies every row of every table with its types, in acceptance order, and identities continue after', async () => {
    const url = await cluster.createDatabase();
    const report = await copySqliteToPostgres(sqlitePath, url, { batchRows: 40 });
    expect(report.tables).toHaveLength(17);
    for (const t of report.tables) {
      expect(t.source, t.table).toBeGreaterThan(0);
      expect(t.target, t.table).toBe(t.source);
    }
    expect(report.tables.find((t) => t.table === 'messages')!.source).toBe(MESSAGES);
    // Staff stay signed in: the cookie-signing secret moves with the deployment.
    expect(await query<{ value: string }>(url, `SELECT value FROM settings WHERE key = 'session_secret'`)).toEqual([{ value: 'kept-across-the-copy' }]);

    const [user] = await query<{ active: boolean; must_change_password: boolean }>(url, `SELECT active, must_change_password FROM users WHERE id = 'u2'`);
    expect(user).toEqual({ active: false, must_change_password: true });
    const [conv] = await query<{ state: unknown; version: number }>(url, `SELECT state, version FROM conversations`);
    expect(conv).toEqual({ state: { mode: 'menu', vars: { n: 1 } }, version: 7 });
    const [req] = await query<{ data: unknown; checks: unknown; field_marks: unknown }>(url, `SELECT data, checks, field_marks FROM requests`);
    expect(req).toEqual({ data: { name: 'سارة', members: 3 }, checks: [{ check: 'id', ok: true }], field_marks: null });
    const [contact] = await query<{ opted_out: boolean }>(url, `SELECT opted_out FROM contacts`);
    expect(contact!.opted_out).toBe(true);

    // seq follows insertion (msg-0250 first), not the ids.
    const order = await query<{ id: string }>(url, `SELECT id FROM messages ORDER BY seq`);
    expect(order[0]!.id).toBe('msg-0250');
    expect(order.at(-1)!.id).toBe('msg-0001');
    const [choices] = await query<{ choices: unknown }>(url, `SELECT choices FROM messages WHERE direction = 'out' LIMIT 1`);
    expect(choices!.choices).toEqual([{ id: 'yes', label: 'نعم' }]);

    // New rows get ids after the copied ones.
    const [ev] = await query<{ id: string }>(url, `INSERT INTO events (association_id, type, actor, at) VALUES ('qalam', 'x', 'system', 'now') RETURNING id`);
    expect(Number(ev!.id)).toBe(6);
    const [m] = await query<{ seq: string }>(
      url,
      `INSERT INTO messages (id, association_id, conversation_id, direction, channel, channel_message_id, author, status) VALUES ('new', 'qalam', 'c1', 'in', 'telegram', 'cm-new', 'beneficiary', 'pending') RETURNING seq`,
    );
    expect(Number(m!.seq)).toBe(MESSAGES + 1);
    const ua = await query<{ user_id: string }>(url, `SELECT user_id FROM user_associations ORDER BY seq`);
    expect(ua.map((r) => r.user_id)).toEqual(['u1', 'u2']);
  });

  it('refuses a target that has rows, and with resume adds only what is missing', async () => {
    const url = await cluster.createDatabase();
    await copySqliteToPostgres(sqlitePath, url);
    await expect(copySqliteToPostgres(sqlitePath, url)).rejects.toBeInstanceOf(CopyRefused);

    // An interrupted copy: the last messages and the tables after them are missing.
    await query(url, `DELETE FROM offline_contacts; DELETE FROM staff_notes; DELETE FROM events WHERE id > 2; DELETE FROM messages WHERE id < 'msg-0100' AND media_id IS NULL`);
    const report = await copySqliteToPostgres(sqlitePath, url, { resume: true, batchRows: 64 });
    const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t]));
    expect(byTable.messages).toMatchObject({ source: MESSAGES, target: MESSAGES, inserted: 99 });
    expect(byTable.events).toMatchObject({ source: 5, target: 5, inserted: 3 });
    expect(byTable.offline_contacts).toMatchObject({ inserted: 1, target: 1 });
    expect(byTable.associations).toMatchObject({ inserted: 0, target: 1 });
  });

  it('runs as tawasul db copy, and says why it refuses', async () => {
    const url = await cluster.createDatabase();
    const cli = (...args: string[]) => run(process.execPath, ['bin/tawasul.js', 'db', 'copy', ...args], { encoding: 'utf8' });
    const out = await cli('--from', `sqlite:${sqlitePath}`, '--to', url);
    expect(out.stdout).toMatch(/messages\s+250 rows, 250 inserted/);
    expect(out.stdout).toContain('done');
    const again = await cli('--from', `sqlite:${sqlitePath}`, '--to', url).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(again?.code).toBe(2);
    expect(again?.stderr).toContain('already has rows');
  });
});
