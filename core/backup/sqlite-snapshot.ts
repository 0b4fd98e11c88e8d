import { startWorker } from '../worker-thread.js';

/**
 * Writes a consistent copy of the SQLite database `file` to `into` (which must not exist) while the
 * server goes on serving: VACUUM INTO on a worker thread with a connection of its own, so neither
 * the main thread nor the writers wait for the copy. Never a file copy: the database file alone
 * misses what is still in the write-ahead log, and a copy taken mid-checkpoint is torn.
 */
export function snapshotSqlite(file: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'sqlite-snapshot-worker', { workerData: { file, into } });
    let answered = false;
    worker.once('message', (result: { ok: boolean; message?: string; code?: string | null }) => {
      answered = true;
      if (result.ok) resolve();
      else reject(Object.assign(new Error(`the SQLite snapshot of ${file} failed: ${result.message}`), { code: result.code }));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the SQLite snapshot worker exited (${code}) before it answered`));
    });
  });
}
