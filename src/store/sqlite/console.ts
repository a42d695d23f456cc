import type { Db } from '../db.ts';
import type { ConsoleStore } from '../console.ts';

export function sqliteConsole(_db: Db): ConsoleStore {
  return {};
}
