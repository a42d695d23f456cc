/**
 * Read-then-write transactions take SQLite's write lock first (BEGIN IMMEDIATE): when another
 * process commits between the read and the write, a deferred transaction fails at once with
 * SQLITE_BUSY (busy_timeout cannot help it), and a verification job that fails every attempt
 * strands its request. Here the other process is a second connection to the same file that
 * writes exactly between the job's read and its write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOWS } from '../support/scenario.ts';
import { submitIntake } from '../support/intake.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { verifyRequest } from '../../src/conversation/work.ts';
import type { FlowFile } from '../../src/flows/schema.ts';

let dir: string;
let db: Db;
let store: Store;
let other: Database.Database;
afterEach(async () => {
  other?.close();
  db?.$client.close();
  // Closed before its folder goes: the store's checkpoint thread writes there until it stops.
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A flow registry that, once armed, lets another connection commit a write when it is read. */
class Interfering extends Map<string, FlowFile> {
  armed: (() => void) | undefined;
  override get(key: string) {
    const run = this.armed;
    this.armed = undefined;
    run?.();
    return super.get(key);
  }
}

describe('read-then-write transactions', () => {
  it('verification takes the write lock before reading: a commit from another process between its read and write cannot fail it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tawasul-tx-'));
    const path = join(dir, 't.db');
    store = openStore(path);
    db = openDb(path); // the test's own connection, for its assertions
    const flows = new Interfering(FLOWS);
    const service = new ConversationService({ store, flows, mediaDir: join(dir, 'media') });
    await submitIntake(service, 'qalam', 'a');
    await submitIntake(service, 'qalam', 'b');
    const [first, second] = db.$client.prepare("SELECT reference FROM requests ORDER BY reference").all() as Array<{ reference: string }>;
    other = new Database(path);
    other.pragma('busy_timeout = 0'); // the other process must not wait on our lock in this one thread
    let otherResult = '';
    flows.armed = () => {
      try {
        other.prepare("UPDATE requests SET updated_at = ? WHERE reference = ?").run(new Date().toISOString(), second!.reference);
        otherResult = 'committed';
      } catch (err) {
        otherResult = (err as { code?: string }).code ?? String(err);
      }
    };
    await expect(verifyRequest(service, first!.reference, new Date())).resolves.toEqual({});
    // The other writer found the lock taken (it would have waited busy_timeout in real life).
    expect(otherResult).toBe('SQLITE_BUSY');
    const row = db.$client.prepare('SELECT status FROM requests WHERE reference = ?').get(first!.reference) as { status: string };
    expect(row.status).toBe('verifying');
  });
});
