/** Wires configuration, flows, storage and the conversation service for any process role. */
import { loadFlows } from './flows/load.ts';
import { openStore, type Store } from './store/index.ts';
import { ConversationService } from './conversation/service.ts';
import type { Config } from './config.ts';

export interface App {
  config: Config;
  store: Store;
  service: ConversationService;
  close(): void;
}

/** Loads every flow (a broken one stops startup with its file and line) and opens the database. */
export function openApp(config: Config): App {
  const flows = loadFlows(config.flowsDir);
  const store = openStore(config.databaseUrl ?? config.dbPath);
  const service = new ConversationService({ store, flows, mediaDir: config.mediaDir, notifyVia: config.notifyVia });
  return { config, store, service, close: () => void store.close() };
}
