/**
 * WAL checkpoints off the event loop (issue 11, item 7). With SQLite's automatic checkpoint,
 * the commit that crosses `wal_autocheckpoint` pages copies the whole log into the database
 * file and syncs it, synchronously, on the event loop of whichever process made that commit:
 * with a gateway and workers writing one file, the gateway stalled for hundreds of
 * milliseconds at a time, holding up inbound HTTP and every send. Here the store's own
 * connection never checkpoints (`wal_autocheckpoint = 0`) and a worker thread with a second
 * connection runs a PASSIVE checkpoint every second: it copies what no reader still needs,
 * never waits for writers and never makes them wait.
 *
 * The thread runs plain JavaScript (no TypeScript loader there) and loads better-sqlite3 by
 * the path this module resolves.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// Its own thread: waiting for a lock here blocks nobody.
db.pragma('busy_timeout = 2000');
let timer;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
  timer = setTimeout(tick, workerData.everyMs);
};
timer = setTimeout(tick, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearTimeout(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Checkpoints once more and ends the thread. */
  stop(): Promise<void>;
}

/** Starts the checkpoint thread for the database file at `path`. */
export function startCheckpointer(path: string, opts: { everyMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const worker = new Worker(THREAD, { eval: true, workerData: { path, driver, everyMs: opts.everyMs ?? 1000 } });
  // Never what keeps a process alive.
  worker.unref();
  worker.on('message', (m: { error?: string }) => {
    if (m.error) opts.onError?.(m.error);
  });
  worker.on('error', (err) => opts.onError?.(err.message));
  let exited = false;
  worker.once('exit', () => (exited = true));
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        worker.once('exit', () => resolve());
        // Awaited now: the thread must keep the process alive until it has ended, or a process
        // with nothing else left would exit with this promise unsettled.
        worker.ref();
        worker.postMessage('stop');
        // A thread that does not end on its own is ended.
        setTimeout(() => void worker.terminate(), 5000).unref();
      })),
  };
}
