// The WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the database, a
// PASSIVE checkpoint every intervalMs. PASSIVE copies what it can without waiting for readers or
// the writer and takes no write lock, so the server's connection never waits on it.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  /** [0]: checkpoints that copied frames, [1]: frames copied. Read by the main thread without a message. */
  counters: SharedArrayBuffer;
}

const { file, intervalMs, counters } = workerData as CheckpointWorkerData;
const counts = new Int32Array(counters);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 0');

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    if (result.checkpointed > 0) {
      Atomics.add(counts, 0, 1);
      Atomics.add(counts, 1, result.checkpointed);
    }
  } catch (err) {
    // Another checkpoint running (another instance's): the next tick tries again.
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return;
    throw err;
  }
}, intervalMs);

parentPort!.postMessage('ready');
