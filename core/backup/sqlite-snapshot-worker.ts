// The SQLite snapshot's thread (sqlite-snapshot.ts): its own read-only connection runs VACUUM INTO,
// which copies the database as of one read transaction. In WAL mode that read blocks no writer, and
// unlike the online backup API it never restarts when another connection writes meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, into } = workerData as { file: string; into: string };
try {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(into);
  } finally {
    db.close();
  }
  parentPort!.postMessage({ ok: true });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message, code: (err as { code?: string }).code ?? null });
}
