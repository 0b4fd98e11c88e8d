import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type ClientInternals, emitQuery, type QueryObject, reusableTransaction } from './knex-internals.js';
import { acceptLastStatement, beginWithNextStatement, sendTrip, takeBeginPending, takeLastStatement, tripPartOf } from './pg-trip.js';
import { isWalSyncFailure } from './wal-sync.js';

/** Batches written and waiting for their COMMIT to be durable, at most, while a pipelined writer writes the next. */
const PIPELINE_DEPTH = 2;

/** A batch's COMMIT: `ran` settles once it ran, `durable` once it is durable (SQLite: the log's sync after it). */
interface Ending {
  ran: Promise<void>;
  durable: Promise<void>;
}

/** A written batch: what the writer returned, and its wait for the COMMIT to be durable. */
interface Committed<R> {
  results: R[];
  durable: Promise<void> | null;
  /** Settles once the COMMIT ran (before the sync that makes it durable). */
  ran: Promise<void>;
}

interface Queued<T, R> {
  item: T;
  /** Answered once its COMMIT ran, not once it is durable (see SubmitOptions). */
  early: boolean;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface SubmitOptions {
  /**
   * `durable` (the default): the answer waits until the item's COMMIT is on disk. `committed`: it
   * comes once the COMMIT ran, before SQLite's log is synced — for a write a power cut may undo
   * without harm, because a crash of the process keeps it (the COMMIT is in the log the OS holds)
   * and nothing outside is told of it: a workflow step's running mark, which only counts attempts.
   * The sync that makes the next durable write of the batch durable covers it too. PostgreSQL's
   * COMMIT returns once durable either way.
   */
  wait?: 'durable' | 'committed';
}

export interface GroupCommitOptions<T = unknown> {
  /** Items written in one transaction at most. */
  maxBatch: number;
  /**
   * Write the next batch while the one before waits for its COMMIT to be durable. Lower latency for
   * a few writers that each wait for their write before the next (the workflow runner's workers sat
   * idle through every sync); smaller batches, so more commits per item, for many writers at once
   * (reports, audit rows), which are better off gathering while the disk flushes. Default false.
   */
  pipeline?: boolean;
  /**
   * The writer writes with exactly one statement (an INSERT of all its items' rows, or a WriteSet
   * that fits one), besides reads that change nothing (reserveIds, but not with rows to lock, whose
   * lock would end with that statement). On PostgreSQL it then runs without BEGIN and COMMIT, as a
   * statement is a transaction of its own: two round trips a batch fewer, each of which waits its
   * turn on a busy event loop. A function says it per batch (whether the batch's rows fit one
   * statement's bound values). Default false.
   */
  oneStatement?: boolean | ((items: T[]) => boolean);
  /** Names the writer in log lines. */
  name: string;
}

export interface GroupCommitDeps<T, R> extends GroupCommitOptions<T> {
  db: Knex;
  logger: Logger;
  write: (trx: Knex.Transaction, items: T[]) => Promise<R[]>;
}

/**
 * Group commit: writes that arrive while a transaction is being written share the next one, so
 * one commit — one fsync with SQLite's synchronous=FULL, one WAL flush on PostgreSQL — covers the
 * batch instead of one per write. `submit` resolves once its item is durably stored (or only
 * committed, when asked: SubmitOptions), with what the writer returned for it. If a batch's
 * statements fail, its items are written one by one, so one bad item fails alone and never the
 * others it shared a transaction with. Not when its COMMIT failed, or ran and only the sync after
 * it failed (WalSyncError): the items may be stored, and writing them again could store each
 * twice; the whole batch is rejected, acknowledged never.
 * A `pipeline` writer's next batch is written while the one before waits for its COMMIT to be
 * durable (up to PIPELINE_DEPTH batches waiting), as a database lets the next transaction run
 * during the log's flush; otherwise the next batch gathers meanwhile.
 *
 * The one mechanism for the platform's hot durable writes (received mail, metered usage, workflow
 * steps): a writer gets `(trx, items)` and returns one result per item, in order, having awaited
 * every query it started (the next batch reuses the transaction object; between batches a query
 * is refused, as after any transaction).
 *
 * Each batch's transaction is run here rather than by `db.transaction`, whose knex object is made
 * anew per transaction: the writers get one made once (knex-internals.ts `reusableTransaction`),
 * the same BEGIN and COMMIT run on a connection from the pool, and on SQLite the connection goes
 * back to the pool once the COMMIT ran while the batch waits for the log's sync (as sqlite-client's
 * transactions do). On PostgreSQL the BEGIN goes to the database with the batch's first statement
 * and the COMMIT with the statement the writer hands over as its last (WriteSet.runBeforeCommit),
 * in one round trip each (pg-trip.ts). `afterCommit(trx, …)` runs once the batch is durable.
 */
export class GroupCommit<T, R> {
  private readonly queue: Array<Queued<T, R>> = [];
  private flushing: Promise<void> | null = null;
  /** The connection of the batch being written (null between batches): what `trx`'s queries run on. */
  private held: object | null = null;
  private trx: Knex.Transaction | null = null;
  /** Written batches waiting for their COMMIT to be durable before their answers are given. */
  private readonly syncing = new Set<Promise<void>>();
  /** Those of them with items whose answers wait for it: the ones a pipeline's depth counts. */
  private readonly holding = new Set<Promise<void>>();

  constructor(private readonly deps: GroupCommitDeps<T, R>) {}

  submit(item: T, options: SubmitOptions = {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, early: options.wait === 'committed', resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves when everything submitted so far is written (or failed). */
  async settled(): Promise<void> {
    while (this.flushing || this.syncing.size) {
      await this.flushing;
      await Promise.all(this.syncing);
    }
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length) {
        // Past the batches allowed to wait for the disk at once, the next one gathers instead.
        while (this.holding.size >= (this.deps.pipeline ? PIPELINE_DEPTH : 1)) await Promise.race(this.holding);
        // Writers whose previous write just resolved come back within this turn of the event loop:
        // one setImmediate puts them in this batch rather than a batch of one each.
        if (this.queue.length < 2) await new Promise((resolve) => setImmediate(resolve));
        const batch = this.queue.splice(0, this.deps.maxBatch);
        try {
          this.settleWhenDurable(batch, await this.commit(batch));
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
              this.settleWhenDurable([queued], await this.commit([queued]));
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

  /**
   * A written batch's answers, given once its COMMIT is durable: on PostgreSQL once the COMMIT
   * returns, on SQLite once the log's sync after it is done (commits ending during a sync share the
   * next, as WalSync does). Meanwhile a pipelined writer's next batch is written (see `pipeline`).
   * A failed COMMIT or sync rejects the whole batch: writing its items again could store each twice.
   */
  private settleWhenDurable(batch: Array<Queued<T, R>>, { results, durable, ran }: Committed<R>): void {
    if (!durable) {
      this.settle(batch, results);
      return;
    }
    // The items that wait only for their COMMIT are answered once it ran (a failed COMMIT rejects them
    // with the rest); answering them again below does nothing.
    const early = batch.filter((q) => q.early).length;
    if (early)
      ran.then(
        () => this.settle(batch, results, true),
        () => {},
      );
    const settling: Promise<void> = durable
      .then(
        () => this.settle(batch, results),
        (err: unknown) => {
          for (const queued of batch) queued.reject(err);
        },
      )
      .finally(() => {
        this.syncing.delete(settling);
        this.holding.delete(settling);
      });
    this.syncing.add(settling);
    if (early < batch.length) this.holding.add(settling);
  }

  /** Writes a batch in one transaction; `durable` settles once its COMMIT is durable (see finish). */
  private async commit(batch: Array<Queued<T, R>>): Promise<Committed<R>> {
    const { db, name } = this.deps;
    const items = batch.map((q) => q.item);
    const checked = (results: R[]) => {
      if (results.length !== batch.length) throw new Error(`group commit ${name}: ${results.length} results for ${batch.length} items`);
      return results;
    };
    // A stand-in for the database that offers only `transaction` (tests that fake a failure) runs the batch through it.
    if (!(db as Partial<Knex>).client) {
      const results = checked(await db.transaction((trx) => this.deps.write(trx, items)));
      return { results, durable: null, ran: Promise.resolve() };
    }
    const client = db.client as unknown as ClientInternals;
    const trx = (this.trx ??= reusableTransaction(db.client, () => this.held));
    let committed!: (results: R[]) => void;
    let failed!: (err: unknown) => void;
    const execution = new Promise<R[]>((resolve, reject) => {
      committed = resolve;
      failed = reject;
    });
    execution.catch(() => {}); // heard only by afterCommit, which ignores a rollback
    trx.executionPromise = execution;
    const connection = await client.acquireConnection();
    const postgres = client.dialect === 'postgresql';
    const bare = postgres && this.isOneStatement(items);
    let results: R[];
    let ending: Ending;
    try {
      // On PostgreSQL the BEGIN goes with the batch's first statement, the COMMIT with its last (pg-trip.ts).
      if (postgres && !bare) {
        beginWithNextStatement(connection);
        acceptLastStatement(connection);
        emitQuery(client, connection, { sql: 'BEGIN;', bindings: [] });
      } else if (!bare) await client.query(connection, 'BEGIN;');
      this.held = connection;
      try {
        results = checked(await this.deps.write(trx, items));
      } finally {
        this.held = null;
      }
      ending = bare ? this.released(client, connection) : postgres ? await this.committedWithLast(client, connection) : this.finish(client, connection);
    } catch (err) {
      // Not begun (its first statement never went): nothing to roll back.
      const begun = !bare && !(postgres && takeBeginPending(connection));
      if (postgres) takeLastStatement(connection);
      if (begun) await client.query(connection, 'ROLLBACK;').catch(() => {});
      await client.releaseConnection(connection);
      failed(err);
      throw err;
    }
    const { ran, durable } = ending;
    return {
      results,
      ran,
      durable: durable.then(
        () => committed(results),
        (err: unknown) => {
          failed(err);
          throw err;
        },
      ),
    };
  }

  private isOneStatement(items: T[]): boolean {
    const { oneStatement } = this.deps;
    return typeof oneStatement === 'function' ? oneStatement(items) : oneStatement === true;
  }

  /**
   * A batch's COMMIT and, on SQLite, the log's sync after it: not awaited before the next batch is
   * written (see settleWhenDurable). On PostgreSQL the next batch runs on another pooled connection
   * while this COMMIT's WAL flush is awaited; SQLite has one connection, free again once the
   * COMMIT ran. A COMMIT that fails rejects its whole batch, never retried item by item: its
   * outcome may be unknown (a connection lost mid-COMMIT).
   */
  private finish(client: ClientInternals, connection: object): Ending {
    const commit: QueryObject = { sql: 'COMMIT;', syncLater: true };
    const ran = (async () => {
      try {
        await client.query(connection, commit);
      } catch (err) {
        // A COMMIT that failed may leave the transaction open (and one after a failed sync is refused): the ROLLBACK ends it either way.
        await client.query(connection, 'ROLLBACK;').catch(() => {});
        throw err;
      } finally {
        await client.releaseConnection(connection);
      }
    })();
    ran.catch(() => {}); // the failure reaches the batch through `durable`
    return { ran, durable: ran.then(() => commit.synced) };
  }

  /**
   * A batch's end on PostgreSQL: its last statement, if the writer handed one over
   * (WriteSet.runBeforeCommit), and the COMMIT in one round trip — and the BEGIN, if no statement
   * went before. The COMMIT is durable once it returns, so this is awaited: a failure of the last
   * statement (or of the BEGIN) is the batch's write failing (thrown, its items then written one by
   * one); a failure of the COMMIT itself rejects the batch whole, as in finish().
   */
  private async committedWithLast(client: ClientInternals, connection: object): Promise<Ending> {
    const last = takeLastStatement(connection);
    const begin = takeBeginPending(connection);
    if (!last) {
      // Nothing was written (and nothing begun), or there is only the COMMIT left to send.
      return begin ? this.released(client, connection) : this.finish(client, connection);
    }
    const { rowsTo, ...statement } = last;
    let rows: unknown[];
    try {
      ({ rows } = await sendTrip(client, connection, { ...statement, before: begin ? ['BEGIN'] : [], after: ['COMMIT'] }));
    } catch (err) {
      if (tripPartOf(err) !== 'after') throw err;
      // A COMMIT that failed has ended its transaction; a ROLLBACK ends any left open, as in finish().
      await client.query(connection, 'ROLLBACK;').catch(() => {});
      const failed = Promise.reject(err);
      failed.catch(() => {});
      return { ran: client.releaseConnection(connection).then(() => failed), durable: failed };
    }
    try {
      rowsTo?.(rows);
    } catch (err) {
      // Committed all the same: failing the batch now would have its items written again.
      this.deps.logger.error({ err }, `a group commit (${this.deps.name}) could not hand out the ids of its last statement`);
    }
    return this.released(client, connection);
  }

  /** A batch written without BEGIN and COMMIT (`oneStatement`), or whose COMMIT ran: its connection back to the pool, nothing left to wait for. */
  private released(client: ClientInternals, connection: object): Ending {
    const ran = client.releaseConnection(connection);
    return { ran, durable: ran };
  }

  /** Answers the batch's items (only those that wait for their COMMIT alone, if `early`) with what the writer returned. */
  private settle(batch: Array<Queued<T, R>>, results: R[], early = false): void {
    batch.forEach((queued, i) => (!early || queued.early) && queued.resolve(results[i]));
  }
}
