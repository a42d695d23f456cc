/** The message path's repositories on PostgreSQL (the CoreStore interface of ../core.ts). */
import type { CoreStore } from '../core.ts';
import type { PgDb } from './db.ts';

export function pgCore(_db: PgDb): CoreStore {
  return {} as CoreStore;
}
