/**
 * A throwaway store for the pipeline tests: a real SQLite file in a temp folder with the
 * conversation service over it, and the pipeline with the quick timings those tests use.
 * Tests read (and sometimes poke) the file directly through `db`/`sql`: a second connection
 * of their own, never the store's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOWS } from './scenario.ts';
import { testLog } from './rig.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline, type PipelineOptions } from '../../src/pipeline/pipeline.ts';

export interface TempStore {
  dir: string;
  path: string;
  store: Store;
  /** The tests' own connection to the file, for assertions. */
  db: Db;
  service: ConversationService;
  sql<T>(query: string, ...params: unknown[]): T[];
  /** Closes the database and removes the folder. */
  close(): Promise<void>;
}

/** The store over a SQLite file and a second connection for the test's own SQL. */
export function openTestStore(path: string): { store: Store; db: Db; sql<T>(query: string, ...params: unknown[]): T[]; close(): Promise<void> } {
  const store = openStore(path);
  const db = openDb(path);
  return {
    store,
    db,
    sql: <T>(query: string, ...params: unknown[]) => db.$client.prepare(query).all(...params) as T[],
    async close() {
      if (db.$client.open) db.$client.close();
      await store.close();
    },
  };
}

export function tempStore(name: string): TempStore {
  const dir = mkdtempSync(join(tmpdir(), `tawasul-${name}-`));
  const path = join(dir, 't.db');
  const t = openTestStore(path);
  const service = new ConversationService({ store: t.store, flows: FLOWS, mediaDir: join(dir, 'media') });
  return {
    dir,
    path,
    store: t.store,
    db: t.db,
    service,
    sql: t.sql,
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The pipeline with quick retries (50 ms) and a sweep every 200 ms, so faults heal within a test. */
export function quickPipeline(service: ConversationService, redisUrl: string, prefix: string, opts: Partial<PipelineOptions> = {}): Pipeline {
  return new Pipeline({ service, redis: { url: redisUrl }, log: testLog, prefix, backoffMs: 50, sweepMs: 200, sweepGraceMs: 300, ...opts });
}
