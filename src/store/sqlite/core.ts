import type { Db } from '../db.ts';
import type { CoreStore } from '../core.ts';

export function sqliteCore(_db: Db): CoreStore {
  return {};
}
