/** Wires configuration, flows, storage and the conversation service for any process role. */
import { loadFlows } from './flows/load.ts';
import { openStore, type Store } from './store/index.ts';
import { ConversationService } from './conversation/service.ts';
import { openMediaStore, type MediaStore } from './media/index.ts';
import type { Config } from './config.ts';

export interface App {
  config: Config;
  store: Store;
  service: ConversationService;
  /** The files beneficiaries sent (`config.media`): also `service.media`. */
  media: MediaStore;
  close(): void;
}

/** Loads every flow (a broken one stops startup with its file and line), opens the database and the media store. */
export function openApp(config: Config): App {
  const flows = loadFlows(config.flowsDir);
  const store = openStore(config.databaseUrl ?? config.dbPath);
  const media = openMediaStore(config.media);
  const service = new ConversationService({ store, flows, mediaDir: config.mediaDir, media, notifyVia: config.notifyVia });
  return {
    config,
    store,
    service,
    media,
    close: () => {
      void media.close();
      void store.close();
    },
  };
}
