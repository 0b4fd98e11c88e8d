import { createRequire } from 'node:module';

// knex's better-sqlite3 dialect with two changes for a server:
//
// - Statements are prepared once per connection and kept (the dialect prepares every query anew;
//   on the hot paths — an API key lookup, a license check, a received message's rows — the
//   prepare cost about as much as the statement).
// - A busy database never blocks the event loop. better-sqlite3 runs each statement on the main
//   thread, so SQLite's own busy_timeout would sleep the whole process while another connection
//   holds the write lock — and when that holder is in this same process (two instances on one file,
//   or the CLI beside the server) it could never finish: a deadlock until the timeout. Here the
//   connection's busy_timeout is 0 and a SQLITE_BUSY statement is retried after an asynchronous
//   back-off, up to BUSY_WAIT_MS, the way SQLite's busy handler would have waited. A BUSY_SNAPSHOT
//   (a read transaction that cannot become a write one: another writer committed since it read)
//   cannot clear by waiting and fails at once, as with SQLite's handler.

const require = createRequire(import.meta.url);

/** The part of better-sqlite3's API used here. */
interface Statement {
  readonly reader: boolean;
  all(params: unknown[]): unknown[];
  run(params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface Connection {
  prepare(sql: string): Statement;
}

interface QueryObject {
  sql: string;
  bindings?: unknown[];
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}

interface DialectClient {
  _query(connection: Connection, obj: QueryObject): Promise<QueryObject>;
  _formatBindings(bindings: unknown[] | undefined): unknown[];
}

type DialectClass = new (...args: unknown[]) => DialectClient;

const KnexBetterSqlite3 = require('knex/lib/dialects/better-sqlite3/index.js') as DialectClass;

/** How long a statement waits for another connection's write lock before SQLITE_BUSY reaches the caller. */
export const BUSY_WAIT_MS = 5_000;
/** SQLite's own busy handler sleeps these steps (ms), then the last one repeatedly. */
const BACKOFF_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
/** Distinct statements kept per connection; past it the oldest are dropped (ad-hoc SQL must not grow it without bound). */
const STATEMENTS_KEPT = 1_000;

const statementCaches = new WeakMap<Connection, Map<string, Statement>>();

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

/** SQLITE_BUSY and its extended codes that waiting can clear (not BUSY_SNAPSHOT). */
const isBusy = (err: unknown) => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY') && code !== 'SQLITE_BUSY_SNAPSHOT';
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteClient extends KnexBetterSqlite3 {
  override async _query(connection: Connection, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    const statement = prepared(connection, obj.sql);
    const bindings = this._formatBindings(obj.bindings);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        if (statement.reader) {
          obj.response = statement.all(bindings);
        } else {
          const result = statement.run(bindings);
          obj.response = result;
          obj.context = { lastID: result.lastInsertRowid, changes: result.changes };
        }
        return obj;
      } catch (err) {
        if (!isBusy(err) || performance.now() - started >= BUSY_WAIT_MS) throw err;
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
      }
    }
  }
}
