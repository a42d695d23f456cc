import type { Db } from '../db.ts';
import type { CoreStore } from '../core.ts';

export function sqliteCore(_db: Db): CoreStore {
  // Being filled in (issue 12, step 1): the message path's SQL moves here next.
  return {} as CoreStore;
}
