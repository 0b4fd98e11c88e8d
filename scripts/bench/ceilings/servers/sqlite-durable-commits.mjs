// Durable commits for the SQLite ceilings, as Plinth's SQLite client makes them, at best: writes
// that arrive while a transaction is written share the next one (a group commit), and a write is
// answered only once the write-ahead log has been fdatasynced on the thread pool after its COMMIT
// (synchronous=NORMAL plus that sync is synchronous=FULL without holding the event loop; commits
// ending during a sync share the next). The database must be in WAL mode with synchronous=NORMAL.
import fs from 'node:fs';

/**
 * `sync()`: resolves once a sync of the log begun after the call is done. `commit(write)`: runs
 * `write` in the next batch's transaction and resolves with its result once durable.
 */
export function durableCommits(db, walPath) {
  const wal = fs.openSync(walPath, 'r');
  let syncing = null;
  let nextSync = null;
  function sync() {
    if (!syncing) {
      syncing = new Promise((resolve, reject) => fs.fdatasync(wal, (err) => (err ? reject(err) : resolve()))).finally(() => {
        syncing = null;
      });
      return syncing;
    }
    nextSync ??= syncing.then(() => {
      nextSync = null;
      return sync();
    });
    return nextSync;
  }

  // A write that throws rolls its batch back: every write of the batch is refused with it.
  const writeBatch = db.transaction((batch) => {
    for (const w of batch) w.result = w.write();
  });
  const queue = [];
  let _flushing = null;
  async function flush() {
    while (queue.length) {
      // Writers whose previous write just resolved come back within this turn of the event loop.
      if (queue.length < 2) await new Promise((resolve) => setImmediate(resolve));
      const batch = queue.splice(0, 64);
      const refuse = (err) => {
        for (const w of batch) w.reject(err);
      };
      try {
        writeBatch(batch);
      } catch (err) {
        refuse(err);
        continue;
      }
      sync().then(() => {
        for (const w of batch) w.resolve(w.result);
      }, refuse);
    }
    _flushing = null;
  }
  const commit = (write) =>
    new Promise((resolve, reject) => {
      queue.push({ write, resolve, reject, result: undefined });
      _flushing ??= flush();
    });
  return { sync, commit, close: () => fs.closeSync(wal) };
}
