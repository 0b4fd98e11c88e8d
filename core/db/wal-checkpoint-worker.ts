// The WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the database and a
// PASSIVE checkpoint every `everyWrites` commits that wrote, or `maxDelayMs` after the last one if
// anything was written since. PASSIVE copies what it can without waiting for readers or the writer
// and takes no write lock, so the server's connection never waits on it.
//
// A checkpoint that copied the whole log leaves it to be restarted: the next transaction that
// writes starts over at the log's beginning, rewriting its header and fsyncing it before its
// frames (SQLite's ordering rule). Left to the server's connection, that fsync would run inside its
// COMMIT, on the main thread — after nearly every checkpoint, so nearly every commit under light
// load. So this thread restarts the log itself, at once: a write transaction that rewrites the
// database header's user_version with its own value (a frame, no change to the data). It skips its
// turn when the server is in a transaction (then the server's COMMIT restarts the log, as without
// it): the server's transactions begin IMMEDIATE (sqlite-client.ts), so they hold the write lock from
// their BEGIN. A commit here between a server transaction's first read and its first write would
// otherwise fail that write with SQLITE_BUSY_SNAPSHOT.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointWorkerData {
  file: string;
  everyWrites: number;
  maxDelayMs: number;
  /** [0] commits that wrote (the main thread counts), [1] checkpoints that copied pages, [2] pages copied, [3] log restarts. */
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
// Checkpoints still sync the log and the database file; this thread's own commit (the restart's,
// which changes nothing) needs no fsync of its own: the server's next sync covers the log.
db.pragma('synchronous = NORMAL');

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
    if (result.log > 0 && result.checkpointed === result.log) restartLog();
  } catch (err) {
    // Another checkpoint running (another instance's): the next look tries again.
    if (!(err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw err;
  }
}

const userVersion = db.prepare('PRAGMA user_version').pluck();
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');

/** Restarts the fully checkpointed log here rather than in the server's next COMMIT (see above). */
function restartLog(): void {
  begin.run(); // SQLITE_BUSY when the server is in a transaction: its COMMIT restarts the log
  try {
    db.pragma(`user_version = ${Number(userVersion.get())}`);
    commit.run();
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
  Atomics.add(counts, 3, 1);
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
