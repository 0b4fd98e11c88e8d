// The WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the database and a
// PASSIVE checkpoint every `everyWrites` commits that wrote, or `maxDelayMs` after the last one if
// anything was written since. PASSIVE copies what it can without waiting for readers or the writer
// and takes no write lock, so the server's connection never waits on it.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointWorkerData {
  file: string;
  everyWrites: number;
  maxDelayMs: number;
  /** [0] commits that wrote (the main thread counts), [1] checkpoints that copied pages, [2] pages copied. */
  counters: SharedArrayBuffer;
}

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const { file, everyWrites, maxDelayMs, counters } = workerData as CheckpointWorkerData;
const counts = new Int32Array(counters);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 0');

/** How often the commit count is looked at: a hundred commits take tens of milliseconds under load. */
const LOOK_MS = 20;
let writesAtLast = Atomics.load(counts, 0);
let lastAt = performance.now();

function checkpoint(): void {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    if (result.checkpointed > 0) {
      Atomics.add(counts, 1, 1);
      Atomics.add(counts, 2, result.checkpointed);
    }
  } catch (err) {
    // Another checkpoint running (another instance's): the next look tries again.
    if (!(err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw err;
  }
}

setInterval(() => {
  const writes = Atomics.load(counts, 0);
  const since = writes - writesAtLast;
  if (since >= everyWrites || (since > 0 && performance.now() - lastAt >= maxDelayMs)) {
    writesAtLast = writes;
    lastAt = performance.now();
    checkpoint();
  }
}, LOOK_MS);

parentPort!.postMessage('ready');
