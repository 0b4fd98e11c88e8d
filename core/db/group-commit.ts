import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isWalSyncFailure } from './wal-sync.js';

interface Queued<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Items written in one transaction at most. */
  maxBatch: number;
  /** Names the writer in log lines. */
  name: string;
}

export interface GroupCommitDeps<T, R> extends GroupCommitOptions {
  db: Knex;
  logger: Logger;
  write: (trx: Knex.Transaction, items: T[]) => Promise<R[]>;
}

/**
 * Group commit: writes that arrive while a transaction is being written share the next one, so
 * one commit — one fsync with SQLite's synchronous=FULL, one WAL flush on PostgreSQL — covers the
 * batch instead of one per write. `submit` resolves once its item is durably stored, with what the
 * writer returned for it. If a batch's transaction fails, its items are written one by one, so
 * one bad item fails alone and never the others it shared a transaction with. Not when its COMMIT
 * ran and only the sync after it failed (WalSyncError): the items are in the log, and writing them
 * again would store each twice; the whole batch is rejected, written once and acknowledged never.
 *
 * The one mechanism for the platform's hot durable writes (received mail, metered usage, workflow
 * steps): a writer gets `(trx, items)` and returns one result per item, in order.
 */
export class GroupCommit<T, R> {
  private readonly queue: Array<Queued<T, R>> = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly deps: GroupCommitDeps<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves when everything submitted so far is written (or failed). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length) {
        // Writers whose previous write just resolved come back within this turn of the event loop:
        // one setImmediate puts them in this batch rather than a batch of one each.
        if (this.queue.length < 2) await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0, this.deps.maxBatch);
        try {
          this.settle(batch, await this.commit(batch));
        } catch (err) {
          if (batch.length === 1 || isWalSyncFailure(err)) {
            for (const queued of batch) queued.reject(err);
            continue;
          }
          // A refusal (a plan limit, a bad item: 4xx) is the item's own answer, not a fault worth a warning.
          if (!(err instanceof AppError && err.status < 500))
            this.deps.logger.warn({ err, items: batch.length }, `a group commit (${this.deps.name}) failed; writing its items one by one`);
          for (const queued of batch) {
            try {
              this.settle([queued], await this.commit([queued]));
            } catch (err) {
              queued.reject(err);
            }
          }
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async commit(batch: Array<Queued<T, R>>): Promise<R[]> {
    const results = await this.deps.db.transaction((trx) =>
      this.deps.write(
        trx,
        batch.map((q) => q.item),
      ),
    );
    if (results.length !== batch.length) throw new Error(`group commit ${this.deps.name}: ${results.length} results for ${batch.length} items`);
    return results;
  }

  private settle(batch: Array<Queued<T, R>>, results: R[]): void {
    batch.forEach((queued, i) => queued.resolve(results[i]));
  }
}
