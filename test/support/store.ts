/**
 * A throwaway store for the pipeline tests: a real SQLite file in a temp folder with the
 * conversation service over it, and the pipeline with the quick timings those tests use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOWS } from './scenario.ts';
import { testLog } from './rig.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { ConversationService } from '../../src/conversation/service.ts';
import { Pipeline, type PipelineOptions } from '../../src/pipeline/pipeline.ts';

export interface TempStore {
  dir: string;
  db: Db;
  service: ConversationService;
  sql<T>(query: string, ...params: unknown[]): T[];
  /** Closes the database and removes the folder. */
  close(): void;
}

export function tempStore(name: string): TempStore {
  const dir = mkdtempSync(join(tmpdir(), `tawasul-${name}-`));
  const db = openDb(join(dir, 't.db'));
  const service = new ConversationService({ db, flows: FLOWS, mediaDir: join(dir, 'media') });
  return {
    dir,
    db,
    service,
    sql: <T>(query: string, ...params: unknown[]) => db.$client.prepare(query).all(...params) as T[],
    close() {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The pipeline with quick retries (50 ms) and a sweep every 200 ms, so faults heal within a test. */
export function quickPipeline(service: ConversationService, redisUrl: string, prefix: string, opts: Partial<PipelineOptions> = {}): Pipeline {
  return new Pipeline({ service, redis: { url: redisUrl }, log: testLog, prefix, backoffMs: 50, sweepMs: 200, sweepGraceMs: 300, ...opts });
}
