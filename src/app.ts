/** Wires configuration, flows, storage and the conversation service for any process role. */
import { loadFlows } from './flows/load.ts';
import { openDb, type Db } from './store/db.ts';
import { ConversationService } from './conversation/service.ts';
import type { Config } from './config.ts';

export interface App {
  config: Config;
  db: Db;
  service: ConversationService;
  close(): void;
}

/** Loads every flow (a broken one stops startup with its file and line) and opens the database. */
export function openApp(config: Config): App {
  const flows = loadFlows(config.flowsDir);
  const db = openDb(config.dbPath);
  const service = new ConversationService({ db, flows, mediaDir: config.mediaDir, notifyVia: config.notifyVia });
  return { config, db, service, close: () => db.$client.close() };
}
