import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-thread.js';

export interface WalCheckpointOptions {
  /** Commits that wrote before the checkpointer starts: a database that is barely written keeps SQLite's own (no thread, no memory). */
  startAfterWrites: number;
  /** Checkpoint after this many commits that wrote (SQLite's own: every 1,000 pages of log, a hundred or so commits)… */
  everyWrites: number;
  /** …or this long after the last checkpoint, if anything was written since. */
  maxDelayMs: number;
  /**
   * Past this many pages in the log, a checkpoint waits for the write lock so that the log starts
   * over (writes that never pause would otherwise grow it without end), and a longer log is cut
   * back to this size once restarted. ~16 MB of 4 KB pages.
   */
  maxLogPages: number;
}

/** How long a restart waits for the write lock, and the connection's transactions for the restart. */
const RESTART_WAIT_MS = 200;

export const WAL_CHECKPOINT_DEFAULTS: WalCheckpointOptions = { startAfterWrites: 1_000, everyWrites: 100, maxDelayMs: 1_000, maxLogPages: 4_000 };

export interface WalCheckpointerDeps extends WalCheckpointOptions {
  file: string;
}

/**
 * Copies a WAL database's committed pages back into the database file (a checkpoint) from a
 * worker thread. SQLite's own auto-checkpoint runs inside the COMMIT that fills the log past 1,000
 * pages: with the synchronous driver that is the main thread, copying ~4 MB and fsyncing twice,
 * 3–15 ms during which no request is served. Under mail ingest it was half the main thread's
 * COMMIT time. The worker checkpoints about as often as SQLite would (every hundred commits or so),
 * not on a timer alone: each checkpoint fsyncs twice and copies every page changed since the last,
 * so checkpointing more often costs more in all. After a checkpoint that copied the whole log, the
 * worker also restarts the log (whose header rewrite and fsync would otherwise fall to the server's
 * next COMMIT, on the main thread). Once this worker is running, the server's
 * connections turn their auto-checkpoint off (`autoCheckpoint`); if the worker stops, they turn it
 * back on, so the log never grows without bound.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private ready = false;
  private closed = false;
  private writes = 0;
  /**
   * Shared with the worker: [0] commits that wrote, [1] checkpoints that copied pages, [2] pages
   * copied, [3] log restarts, [4] 1 while the worker waits for the write lock to restart the log.
   */
  private readonly counts = new Int32Array(new SharedArrayBuffer(20));

  constructor(private readonly deps: WalCheckpointerDeps) {}

  /** Whether the connection should checkpoint for itself: until the worker is ready, and again if it stops. */
  get autoCheckpoint(): boolean {
    return !this.ready;
  }

  /** Whether a worker has been started (and not stopped): a barely written database has none. */
  get started(): boolean {
    return this.worker !== null;
  }

  /** Checkpoints that copied pages, the pages copied, and the log restarts the worker made (tests, diagnostics). */
  get done(): { checkpoints: number; pages: number; restarts: number } {
    return { checkpoints: Atomics.load(this.counts, 1), pages: Atomics.load(this.counts, 2), restarts: Atomics.load(this.counts, 3) };
  }

  /** After every commit that wrote: starts the worker once the database is written often enough. */
  noteWrite(): void {
    if (this.worker) Atomics.add(this.counts, 0, 1);
    else if (!this.closed && ++this.writes > this.deps.startAfterWrites) this.start();
  }

  /** Whether the worker is waiting for the write lock to restart a long log. */
  get restarting(): boolean {
    return Atomics.load(this.counts, 4) === 1;
  }

  /**
   * Before a transaction begins, while `restarting`: the connection lets the worker have the write
   * lock (waiting asynchronously, at most `RESTART_WAIT_MS`). Writers that keep a transaction open
   * back to back would otherwise never leave it a moment.
   */
  async yieldToRestart(): Promise<void> {
    const until = performance.now() + RESTART_WAIT_MS;
    for (let left = RESTART_WAIT_MS; Atomics.load(this.counts, 4) === 1 && left > 0; left = until - performance.now()) {
      const wait = Atomics.waitAsync(this.counts, 4, 1, left);
      if (wait.async) await wait.value;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private start(): void {
    const worker = startWorker(import.meta.url, './wal-checkpoint-worker', {
      workerData: {
        file: this.deps.file,
        everyWrites: this.deps.everyWrites,
        maxDelayMs: this.deps.maxDelayMs,
        maxLogPages: this.deps.maxLogPages,
        restartWaitMs: RESTART_WAIT_MS,
        counters: this.counts.buffer,
      },
    });
    worker.unref(); // never what keeps a process alive
    worker.once('message', () => {
      if (this.worker === worker) this.ready = true;
    });
    // A failed worker hands checkpoints back to the connections; another is tried after as many writes again.
    const stopped = () => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.ready = false;
      this.writes = 0;
      Atomics.store(this.counts, 4, 0);
      Atomics.notify(this.counts, 4);
    };
    worker.once('error', stopped);
    worker.once('exit', stopped);
    this.worker = worker;
  }
}
