import fs from 'node:fs';

/** Makes what was written to an open file durable; rejects if the disk refused. */
export type SyncFunction = (fd: number) => Promise<void>;

/**
 * fdatasync, as SQLite's own WAL sync on Linux: the log's data and its size, without the
 * modification time every commit changes (one journal commit fewer; ~20 % less CPU a sync here).
 * On libuv's thread pool. `fs.fdatasync` is read at each call, so a stand-in put there is used.
 */
export const fdatasync: SyncFunction = (fd) => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));

export const WAL_SYNC_FAILED = 'WAL_SYNC_FAILED';

/**
 * The write-ahead log could not be synced. The commits it was to make durable are in the log
 * (their COMMIT ran), yet may not be on disk: they must not be acknowledged, nor written again.
 * After one, no later sync can be trusted either: on Linux a failed fsync may have dropped the
 * dirty pages, and the next fsync succeeds without them ("fsyncgate"; PostgreSQL PANICs since 12).
 */
export class WalSyncError extends Error {
  override name = 'WalSyncError';
  readonly code = WAL_SYNC_FAILED;

  constructor(
    /** The log that failed to sync. */
    readonly file: string,
    cause: unknown,
  ) {
    // The disk's error is the cause (loggers print it after this message).
    super(`syncing the write-ahead log ${file} failed: commits since the last sync may not be on disk`, { cause });
  }

  /** A fresh error for one more caller (knex prefixes a failed query's message to the error it is given). */
  again(): WalSyncError {
    return new WalSyncError(this.file, this.cause);
  }
}

/** Whether `err` is a failed sync of a write-ahead log: its commits ran and must not be written again. */
export const isWalSyncFailure = (err: unknown): err is WalSyncError => (err as { code?: unknown } | null)?.code === WAL_SYNC_FAILED;

export interface WalSyncOptions {
  /** Default fdatasync; tests give one that fails. */
  sync?: SyncFunction;
  /** Called once, with the first failure. From then on every sync fails. */
  onFailure?: (err: WalSyncError) => void;
}

export interface WalSyncDeps extends WalSyncOptions {
  walPath: string;
}

/**
 * Makes a SQLite connection's committed transactions durable by syncing its write-ahead log on
 * libuv's thread pool, so the event loop runs on while the disk flushes. With journal_mode=WAL and
 * synchronous=NORMAL a COMMIT writes its frames to the log without syncing it (SQLite stays
 * consistent after a power cut either way; only durability is at stake); once `sync()` resolves, a
 * sync that started after the COMMIT has finished, which is what synchronous=FULL would have done
 * inside the COMMIT — on the main thread, since better-sqlite3 is synchronous.
 *
 * Commits that end while a sync is running share the next one: one fsync covers every commit
 * made before it started (the group commit of the disk flush).
 *
 * A failed sync is final (see WalSyncError): it and every later one reject, and `onFailure` hears
 * of it once, so the owner of the process can stop it and let SQLite recover from the log on open.
 */
export class WalSync {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private failure: WalSyncError | null = null;
  private closed = false;
  /** fsyncs done: read by tests and diagnostics. */
  syncs = 0;

  constructor(private readonly deps: WalSyncDeps) {}

  /** Resolves once everything committed before the call is on disk; rejects with a WalSyncError if it may not be. */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the write-ahead log ${this.deps.walPath} is closed`));
    // Each caller gets an error of its own (see again()).
    return this.queue().catch((err: unknown) => {
      throw err instanceof WalSyncError ? err.again() : err;
    });
  }

  /** Waits for a sync in flight (and the one queued behind it) before closing the file under it. */
  async close(): Promise<void> {
    this.closed = true;
    for (let pending = this.next ?? this.running; pending; pending = this.next ?? this.running) await pending.catch(() => {});
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private queue(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) {
      this.running = this.flush().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The running sync may have started before this commit: wait for it, then one more (shared).
    // After a failed one, that next one fails too (queue() checks the failure first).
    this.next ??= this.running
      .catch(() => {})
      .then(() => {
        this.next = null;
        return this.queue();
      });
    return this.next;
  }

  private async flush(): Promise<void> {
    try {
      const fd = this.fd ?? (this.fd = await openFd(this.deps.walPath));
      await (this.deps.sync ?? fdatasync)(fd);
    } catch (err) {
      // Opening the log counts too: either way the commits it holds cannot be made durable here.
      const failure = (this.failure = new WalSyncError(this.deps.walPath, err));
      try {
        this.deps.onFailure?.(failure);
      } catch {
        // A notification: whatever it does, the waiting commits get the failure.
      }
      throw failure;
    }
    this.syncs++;
  }
}

const openFd = (file: string) => new Promise<number>((resolve, reject) => fs.open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
