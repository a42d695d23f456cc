/** The staff console's repositories on PostgreSQL (the ConsoleStore interface of ../console.ts), with the SQLite ones' semantics. */
import type { ConsoleStore } from '../console.ts';
import type { PgDb } from './db.ts';
import { pgAccounts, pgAudit, pgSessions } from './console-accounts.ts';
import { pgInbox } from './console-inbox.ts';
import { pgRecords } from './console-records.ts';
import { pgReports } from './console-reports.ts';
import { pgRequests } from './console-requests.ts';

export function pgConsole(db: PgDb): ConsoleStore {
  return {
    inbox: pgInbox(db),
    requests: pgRequests(db),
    records: pgRecords(db),
    accounts: pgAccounts(db),
    sessions: pgSessions(db),
    audit: pgAudit(db),
    reports: pgReports(db),
  };
}
