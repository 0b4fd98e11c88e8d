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
// turn when the server is in a transaction: the server's transactions begin IMMEDIATE
// (sqlite-client.ts), so they hold the write lock from their BEGIN. A commit here between a server
// transaction's first read and its first write would otherwise fail that write with
// SQLITE_BUSY_SNAPSHOT.
//
// A log is only restarted by a transaction that began while the whole log was checkpointed. Under
// writes that never pause, the server commits again while a PASSIVE checkpoint copies, so none
// ever does and the log grows until the writes stop (filling the disk, and every read looks a page
// up through a longer index). Once the log holds `maxLogPages`, the checkpoint
// after the PASSIVE one is a RESTART: it waits for the write lock (the server's transactions wait
// to begin meanwhile, asynchronously: `yieldToRestart`), copies the few frames written since, and
// this thread's own write starts the log over. journal_size_limit then cuts a longer log back down.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointWorkerData {
  file: string;
  everyWrites: number;
  maxDelayMs: number;
  maxLogPages: number;
  restartWaitMs: number;
  /** [0] commits that wrote (the main thread counts), [1] checkpoints that copied pages, [2] pages copied, [3] log restarts, [4] waiting to restart. */
  counters: SharedArrayBuffer;
}

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const { file, everyWrites, maxDelayMs, maxLogPages, restartWaitMs, counters } = workerData as CheckpointWorkerData;
const counts = new Int32Array(counters);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
// Checkpoints still sync the log and the database file; this thread's own commit (the restart's,
// which changes nothing) needs no fsync of its own: the server's next sync covers the log.
db.pragma('synchronous = NORMAL');
db.pragma(`journal_size_limit = ${maxLogPages * Number(db.pragma('page_size', { simple: true }))}`);

/** How often the commit count is looked at: a hundred commits take tens of milliseconds under load. */
const LOOK_MS = 20;
let writesAtLast = Atomics.load(counts, 0);
let lastAt = performance.now();

function checkpoint(): void {
  try {
    const result = run('PASSIVE');
    if (result.log >= maxLogPages) restartLongLog();
    else if (result.log > 0 && result.checkpointed === result.log) restartLog();
  } catch (err) {
    // Another checkpoint running (another instance's): the next look tries again.
    if (!(err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw err;
  }
}

/** A RESTART checkpoint and this thread's restart of the log, while the server's transactions wait to begin. */
function restartLongLog(): void {
  Atomics.store(counts, 4, 1);
  try {
    if (run('RESTART', restartWaitMs).busy === 0) restartLog();
  } finally {
    Atomics.store(counts, 4, 0);
    Atomics.notify(counts, 4);
  }
}

function run(mode: 'PASSIVE' | 'RESTART', waitMs = 0): CheckpointResult {
  if (waitMs) db.pragma(`busy_timeout = ${waitMs}`);
  try {
    const [result] = db.pragma(`wal_checkpoint(${mode})`) as CheckpointResult[];
    if (result.checkpointed > 0) {
      Atomics.add(counts, 1, 1);
      Atomics.add(counts, 2, result.checkpointed);
    }
    return result;
  } finally {
    if (waitMs) db.pragma('busy_timeout = 0');
  }
}

const userVersion = db.prepare('PRAGMA user_version').pluck();
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
/** The log header's salts: a restart changes them. (Opened each time: a worker's own descriptors outlive it.) */
function salts(): bigint {
  const header = Buffer.alloc(8);
  const fd = fs.openSync(`${file}-wal`, 'r');
  try {
    fs.readSync(fd, header, 0, 8, 16);
  } finally {
    fs.closeSync(fd);
  }
  return header.readBigUInt64BE();
}

/**
 * Restarts the fully checkpointed log here rather than in the server's next COMMIT (see above). A
 * server commit since the checkpoint means this write appends instead: then nothing is counted.
 */
function restartLog(): void {
  const before = salts();
  begin.run(); // SQLITE_BUSY when the server is in a transaction: its COMMIT restarts the log
  try {
    db.pragma(`user_version = ${Number(userVersion.get())}`);
    commit.run();
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
  if (salts() !== before) Atomics.add(counts, 3, 1);
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
