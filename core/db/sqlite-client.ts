import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { WAL_CHECKPOINT_DEFAULTS, WalCheckpointer, type WalCheckpointOptions } from './wal-checkpointer.js';
import { WalSync, type WalSyncError, type WalSyncOptions } from './wal-sync.js';
import { ANSWER_AT_COMMIT } from './committed-transaction.js';
import type { StatementObserver } from '../observability/core-metrics.js';
import {
  checkKnexInternals,
  KnexBetterSqlite3Client,
  KnexSqliteTransaction,
  knexSeamBroken,
  type QueryObject,
  type SqliteConnection,
  type TransactionInternals,
} from './knex-internals.js';

// knex's better-sqlite3 dialect (reached only through knex-internals.ts) with these changes for a server:
//
// - Statements are prepared once per connection and kept (the dialect prepares every query anew;
//   on the hot paths — an API key lookup, a license check, a received message's rows — the
//   prepare cost about as much as the statement).
// - A commit is durable before the query that made it resolves, without holding the event loop:
//   the connection runs with synchronous=NORMAL and the write-ahead log is fsynced on the thread
//   pool after every statement that ended a write (wal-sync.ts). With synchronous=FULL the fsync
//   would run inside COMMIT on the main thread (~1 ms under load, a third of the main thread's
//   time when receiving mail).
// - A busy database never blocks the event loop either. SQLite's own busy_timeout would sleep the
//   whole process while another connection holds the write lock — and when that holder is in this
//   same process (two instances on one file, or the CLI beside the server) it could never finish:
//   a deadlock until the timeout. Here the connection's busy_timeout is 0 and a SQLITE_BUSY
//   statement is retried after an asynchronous back-off, up to BUSY_WAIT_MS, the way SQLite's busy
//   handler would have waited. A BUSY_SNAPSHOT (a read transaction that cannot become a write one:
//   another writer committed since it read) cannot clear by waiting and fails at once, as with
//   SQLite's handler.
// - So every transaction begins IMMEDIATE (knex's `BEGIN;`, and the group commit's, become
//   `BEGIN IMMEDIATE;`): it takes the write lock before its first read, and no other connection can
//   commit between that read and its first write. Left DEFERRED, a transaction that read first
//   (a robot activation reads its robot, then counts it in billing_usage) failed with
//   SQLITE_BUSY_SNAPSHOT — a 500 — whenever another connection committed in between: the
//   checkpointer thread restarting the log (wal-checkpoint-worker.ts: a tiny write transaction
//   whenever it could take the write lock, which a DEFERRED transaction that has only read does
//   not hold), another instance on the same file, or the CLI. The server has one connection, so
//   holding the lock from BEGIN costs its own transactions nothing; a BUSY at BEGIN holds no
//   snapshot yet and is waited out like any other.
// - Checkpoints (copying the log back into the database file) run on a worker thread once the
//   database is written often (wal-checkpointer.ts), not inside a COMMIT on the main thread. When
//   the log grows long under writes that never pause, a transaction waits to begin while that
//   thread takes the write lock to restart it (`yieldToRestart`).
// - A failed sync of the log is final, as a PostgreSQL PANIC: the commits it covered are neither
//   acknowledged nor checkpointed, every later statement but a ROLLBACK is refused with a
//   WalSyncError, and the knex config's `walSync.onFailure` hears of it once (the app logs it at
//   fatal; `plinth start` exits so that SQLite recovers from the log on the next open).
//
// Its own knex config keys: `walCheckpoint` (WalCheckpointOptions), `walSync` (WalSyncOptions:
// `onFailure`, and `sync`, the function that syncs the log, fdatasync unless a test gives another)
// and `statements` (told each statement's duration, for the metrics).

type Connection = SqliteConnection;
interface ClientConfig {
  walCheckpoint?: Partial<WalCheckpointOptions>;
  walSync?: WalSyncOptions;
  /** Told each statement's duration, the log's sync and busy waits included (the metrics). */
  statements?: StatementObserver;
}
type Statement = BetterSqlite3.Statement<unknown[]>;

checkKnexInternals();

/**
 * A transaction whose connection goes back to the pool as soon as its COMMIT has run, while its
 * caller waits for the log's sync: the next transaction (the next group commit, a request's read)
 * runs during the sync instead of queueing behind it for the whole disk flush.
 */
class SqliteTransaction extends KnexSqliteTransaction {
  private commitQuery: QueryObject | null = null;

  constructor(...args: unknown[]) {
    super(...args);
    if (!(this._promise instanceof Promise)) throw knexSeamBroken('a SQLite transaction has no _promise');
    // Asked to answer at COMMIT (committedTransaction): the caller does not wait for the sync.
    if ((args[2] as Record<string, unknown> | undefined)?.[ANSWER_AT_COMMIT] === true) return;
    // What the caller awaits (`await db.transaction(…)`): settled only once the commit is on disk.
    this._promise = this._promise.then(async (value) => {
      await this.commitQuery?.synced;
      return value;
    });
  }

  // As knex's, with the sync handed back rather than awaited inside the query (sqlite-client _query).
  override commit(conn: Connection, value: unknown): Promise<unknown> {
    const query: QueryObject = { sql: 'COMMIT;', syncLater: true };
    this.commitQuery = query;
    // A failed sync surfaces through the transaction's promise above; were this one to reject,
    // knex would answer with a ROLLBACK on a connection another transaction may hold by then.
    return this.query(conn, query, 1, value).then(async (result) => {
      await query.synced?.catch(() => {});
      return result;
    });
  }
}

/** How long a statement waits for another connection's write lock before SQLITE_BUSY reaches the caller. */
export const BUSY_WAIT_MS = 5_000;
/** SQLite's own busy handler sleeps these steps (ms), then the last one repeatedly. */
const BACKOFF_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
/** Distinct statements kept per connection; past it the oldest are dropped (ad-hoc SQL must not grow it without bound). */
const STATEMENTS_KEPT = 1_000;

const statementCaches = new WeakMap<Connection, Map<string, Statement>>();
const walSyncs = new WeakMap<Connection, WalSync>();
const checkpointers = new WeakMap<Connection, WalCheckpointer>();
/**
 * A database's first failed log sync, by its knex config: the one object a transaction's client
 * shares with the database's (knex makes it with Object.create of the class, not of the instance).
 */
const walFailures = new WeakMap<ClientConfig, WalSyncError>();
/** Whether the connection's own auto-checkpoint is on, as last set. */
const autoCheckpointing = new WeakMap<Connection, boolean>();
/** SQLite's default wal_autocheckpoint, in pages. */
const AUTO_CHECKPOINT_PAGES = 1000;

/** The connection's WAL fsyncs so far (tests check a write waits for one). */
export const walSyncCount = (connection: Connection): number => walSyncs.get(connection)?.syncs ?? 0;

/** The connection's checkpointer (tests check checkpoints leave the main thread). */
export const walCheckpointer = (connection: Connection): WalCheckpointer | undefined => checkpointers.get(connection);

/** After a commit that wrote: count it, and checkpoint on this connection only while no worker does. */
function noteWrite(connection: Connection): void {
  const checkpointer = checkpointers.get(connection);
  if (!checkpointer) return;
  checkpointer.noteWrite();
  const auto = checkpointer.autoCheckpoint;
  if (autoCheckpointing.get(connection) === auto) return;
  connection.pragma(`wal_autocheckpoint = ${auto ? AUTO_CHECKPOINT_PAGES : 0}`);
  autoCheckpointing.set(connection, auto);
}

function prepared(connection: Connection, sql: string): Statement {
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    statement = connection.prepare(sql);
    if (cache.size >= STATEMENTS_KEPT) cache.delete(cache.keys().next().value!);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * An INSERT, UPDATE or DELETE. One in autocommit mode that changed no row wrote nothing to the log
 * (a row trigger or cascade only fires for a row changed), so there is nothing to sync: the outbox's
 * idle claim polls, several a second, each made an fsync. (DDL also reports no changes, and does write.)
 */
const DML = /^\s*(?:insert|update|delete)\b/i;
const ROLLBACK = /^\s*rollback\b/i;
/** What knex's transactions and the group commit begin with, and what it runs as (see "every transaction begins IMMEDIATE" above). */
const BEGIN = 'BEGIN;';
const BEGIN_IMMEDIATE = 'BEGIN IMMEDIATE;';

/** SQLITE_BUSY and its extended codes that waiting can clear (not BUSY_SNAPSHOT). */
const isBusy = (err: unknown) => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_BUSY_SNAPSHOT';
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteClient extends KnexBetterSqlite3Client {
  private get clientConfig(): ClientConfig {
    return (this as unknown as { config: ClientConfig }).config;
  }

  /** The first failed sync of the log: from then on every statement but a ROLLBACK is refused. */
  private get walFailure(): WalSyncError | undefined {
    return walFailures.get(this.clientConfig);
  }

  /**
   * Every connection: WAL for concurrent readers, foreign keys enforced, busy_timeout 0 (see
   * above). In WAL mode synchronous=NORMAL, because the WAL is fsynced here after every commit; where
   * the file system refuses WAL (SQLite then keeps its rollback journal), synchronous=FULL and
   * SQLite syncs inside COMMIT.
   */
  override async acquireRawConnection(): Promise<Connection> {
    if (this.walFailure) throw this.walFailure.again();
    const connection = await super.acquireRawConnection();
    connection.pragma('busy_timeout = 0');
    connection.pragma('foreign_keys = ON');
    // A statement that may fail after changing rows (a multi-row INSERT in a transaction: the group
    // commits') keeps the pages it changed in a statement journal; past 64 KB SQLite spills it to a
    // temporary file, opened, written and closed per statement. In memory it costs no system call.
    connection.pragma('temp_store = MEMORY');
    const wal = connection.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    connection.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
    if (wal) {
      const { walCheckpoint, walSync } = this.clientConfig;
      walSyncs.set(
        connection,
        new WalSync({ walPath: path.resolve(`${connection.name}-wal`), sync: walSync?.sync, onFailure: (err) => this.walFailed(connection, err) }),
      );
      const checkpoints = { ...WAL_CHECKPOINT_DEFAULTS, ...walCheckpoint };
      // Whichever connection restarts the log cuts it back to this size (see wal-checkpoint-worker.ts).
      connection.pragma(`journal_size_limit = ${checkpoints.maxLogPages * Number(connection.pragma('page_size', { simple: true }))}`);
      checkpointers.set(connection, new WalCheckpointer({ file: path.resolve(connection.name), ...checkpoints }));
    }
    return connection;
  }

  override async destroyRawConnection(connection: Connection): Promise<void> {
    await walSyncs.get(connection)?.close();
    await checkpointers.get(connection)?.close();
    await super.destroyRawConnection(connection);
  }

  private walFailed(connection: Connection, err: WalSyncError): void {
    if (this.walFailure) return;
    walFailures.set(this.clientConfig, err);
    // Nothing copies the log into the database file any more: SQLite's recovery reads it on the next open, checking each frame.
    void checkpointers.get(connection)?.close();
    this.clientConfig.walSync?.onFailure?.(err);
  }

  transaction(...args: unknown[]): TransactionInternals {
    return new SqliteTransaction(this, ...args);
  }

  override async _query(connection: Connection, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    // After a failed sync nothing is read or written (what is read may not be on disk): only a transaction's ROLLBACK goes through.
    if (this.walFailure && !ROLLBACK.test(obj.sql)) throw this.walFailure.again();
    if (obj.sql === BEGIN) {
      const checkpointer = checkpointers.get(connection);
      if (checkpointer?.restarting) await checkpointer.yieldToRestart();
    }
    const statement = prepared(connection, obj.sql === BEGIN ? BEGIN_IMMEDIATE : obj.sql);
    const bindings = this._formatBindings(obj.bindings);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const inTransaction = connection.inTransaction;
      try {
        if (statement.reader) {
          obj.response = statement.all(bindings);
        } else {
          const result = statement.run(bindings);
          obj.response = result;
          obj.context = { lastID: result.lastInsertRowid, changes: result.changes };
        }
        // A COMMIT, or a write in autocommit mode, ended a transaction (a ROLLBACK leaves nothing in the log to flush).
        const endedWrite = inTransaction
          ? !connection.inTransaction && !ROLLBACK.test(obj.sql)
          : !connection.inTransaction && !statement.readonly && !(obj.context?.changes === 0 && DML.test(obj.sql));
        if (endedWrite) {
          noteWrite(connection);
          const synced = walSyncs.get(connection)?.sync();
          // Handed to the transaction that committed (it waits; the connection need not).
          if (obj.syncLater && synced) obj.synced = synced;
          else await synced;
        }
        this.clientConfig.statements?.((performance.now() - started) / 1000, false);
        return obj;
      } catch (err) {
        if (!isBusy(err) || performance.now() - started >= BUSY_WAIT_MS) {
          this.clientConfig.statements?.((performance.now() - started) / 1000, true);
          throw err;
        }
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
      }
    }
  }
}
