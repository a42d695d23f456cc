/** The console's repositories on SQLite, over the store's one connection. */
import type { Db } from '../db.ts';
import type { ConsoleStore } from '../console.ts';
import { sqliteAccounts, sqliteAudit, sqliteSessions } from './console-accounts.ts';
import { sqliteInbox } from './console-inbox.ts';
import { sqliteRecords } from './console-records.ts';
import { sqliteReports } from './console-reports.ts';
import { sqliteRequests } from './console-requests.ts';
import { sqlOf } from './console-tx.ts';

export function sqliteConsole(db: Db): ConsoleStore {
  const sql = sqlOf(db);
  return {
    inbox: sqliteInbox(sql),
    requests: sqliteRequests(sql),
    records: sqliteRecords(sql),
    accounts: sqliteAccounts(db, sql),
    sessions: sqliteSessions(sql),
    audit: sqliteAudit(sql),
    reports: sqliteReports(sql),
  };
}
