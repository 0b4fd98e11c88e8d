import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { StatementObserver } from '../observability/core-metrics.js';

// The one place Plinth reaches into knex's private internals. knex has no public API for a
// dialect that prepares statements once, syncs the log off the main thread, or lets a transaction's
// connection go back to the pool while its caller waits for the sync (sqlite-client.ts), nor for
// running fixed SQL straight on a transaction's connection (direct-query.ts), nor for a transaction
// object made once and reused by transactions run one after another (group-commit.ts). Those files
// use only what this module exports; knex is pinned to the exact version below in package.json, and
// `checkKnexInternals` (run when a database is opened, and by test/core/knex-internals.test.ts)
// fails loudly, naming the seam, when an upgrade changes the shape of any of it.

/** The knex version these internals were read from (package.json pins it exactly). */
export const KNEX_VERSION = '3.3.0';

const require = createRequire(import.meta.url);

export type SqliteConnection = BetterSqlite3.Database;

/** What a dialect's `_query` is given and fills in (knex/lib/dialects/better-sqlite3). */
export interface QueryObject {
  sql: string;
  bindings?: unknown[];
  method?: string;
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
  /** A transaction's COMMIT whose caller waits for the sync itself (SqliteTransaction): `synced` is that wait. */
  syncLater?: true;
  synced?: Promise<void>;
}

/** knex's better-sqlite3 client: the members Plinth's dialect overrides or calls. */
export interface DialectClient {
  _query(connection: SqliteConnection, obj: QueryObject): Promise<QueryObject>;
  acquireRawConnection(): Promise<SqliteConnection>;
  destroyRawConnection(connection: SqliteConnection): Promise<void>;
  _formatBindings(bindings: unknown[] | undefined): unknown[];
}
type DialectClass = new (...args: unknown[]) => DialectClient;

/** knex's SQLite transaction: the promise its caller awaits, and the query it commits with. */
export interface TransactionInternals {
  _promise: Promise<unknown>;
  query(conn: SqliteConnection, sql: string | QueryObject, status?: number, value?: unknown): Promise<unknown>;
  commit(conn: SqliteConnection, value: unknown): Promise<unknown>;
}
type TransactionClass = new (...args: unknown[]) => TransactionInternals;

/** A connection as knex hands it out: the ids its `query` events carry. */
export interface KnexConnection {
  __knexUid?: string;
  __knexTxId?: string;
}

/** Any knex client (a transaction's included): what direct-query.ts calls to run SQL on a held connection. */
export interface ClientInternals {
  /** knex's name for the dialect: 'postgresql', 'better-sqlite3'. */
  dialect: string;
  acquireConnection(): Promise<KnexConnection>;
  releaseConnection(connection: object): Promise<void>;
  /** The dialect's query path with its `query` event (what knex's transactions run BEGIN and COMMIT through). */
  query(connection: object, obj: string | QueryObject): Promise<unknown>;
  positionBindings(sql: string): string;
  prepBindings(bindings: unknown[]): unknown[];
  /** `options` go to the driver with the statement (pg: a `name` prepares it on the connection once). */
  _query(connection: unknown, obj: { sql: string; bindings: unknown[]; method: 'raw'; options?: { name: string } }): Promise<{ response?: unknown }>;
  /** The knex config the database was made with (connection.ts adds Plinth's own keys to it). */
  config: { preparedStatements?: boolean; statements?: StatementObserver };
  emit(event: 'query', obj: object): void;
}

/**
 * A statement sent past knex's runner, told as knex tells its own: a `query` event carrying the
 * connection's ids (the statement counters, metrics and tests listen to it).
 */
export function emitQuery(client: Pick<ClientInternals, 'emit'>, connection: object, statement: { sql: string; bindings?: readonly unknown[] }): void {
  const { __knexUid, __knexTxId } = connection as KnexConnection;
  client.emit('query', { __knexUid, __knexTxId, ...statement });
}

const DIALECT_FILE = 'knex/lib/dialects/better-sqlite3/index.js';
const TRANSACTION_FILE = 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';
const BASE_CLIENT_FILE = 'knex/lib/client.js';
const MAKE_KNEX_FILE = 'knex/lib/knex-builder/make-knex.js';

function load<T>(file: string): T {
  try {
    return require(file) as T;
  } catch (err) {
    throw knexSeamBroken(`${file} cannot be loaded (${(err as Error).message})`);
  }
}

export const knexSeamBroken = (what: string): Error =>
  new Error(
    `knex internals changed (core/db/knex-internals.ts was written for knex ${KNEX_VERSION}, found ${installedVersion()}): ${what}. ` +
      'Pin knex back to that version or port the SQLite client (core/db/sqlite-client.ts, core/db/direct-query.ts).',
  );

function installedVersion(): string {
  try {
    return (require('knex/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const KnexBetterSqlite3Client = load<DialectClass>(DIALECT_FILE);
export const KnexSqliteTransaction = load<TransactionClass>(TRANSACTION_FILE);
/** Builds a knex object (callable, with every builder method) over a client: what knex makes per transaction. */
const makeKnex = load<(client: object) => Knex>(MAKE_KNEX_FILE);

/** The knex client fields a transaction's client shares with the database's (knex's makeTxClient copies these). */
const SHARED_CLIENT_FIELDS = ['version', 'config', 'driver', 'connectionSettings', 'valueForUndefined', 'logger'] as const;
const FORWARDED_EVENTS = ['start', 'query', 'query-error', 'query-response'] as const;

const completedError = (what: string) => new Error(`Transaction query already complete, run with DEBUG=knex:tx for more info: ${what}`);

/**
 * A transaction object (what `db.transaction` hands its callback: `trx('table')`, `trx.raw`,
 * `isTransaction`, `isCompleted()`, `executionPromise`) made once and used by transactions run one
 * after another, whose owner begins and ends them on a connection it holds. knex makes one of these
 * per transaction (a client derived from the database's, event forwarding, a knex object with every
 * builder method as its own closure: tens of microseconds and kilobytes of garbage each); the
 * group commit, which runs a transaction per batch, makes it once. As knex's own (makeTxClient and
 * makeTransactor in knex/lib/execution/transaction.js): queries run on `held()`, the connection of
 * the transaction running now; between transactions (`held()` is null) every query is refused.
 * Not for nesting: `trx.transaction()` is refused.
 */
export function reusableTransaction(client: Knex.Client, held: () => object | null): Knex.Transaction {
  const base = client as unknown as Record<string, unknown> & NodeJS.EventEmitter;
  const trxClient = Object.create(Object.getPrototypeOf(client) as object) as Record<string, unknown> & NodeJS.EventEmitter & ClientInternals;
  for (const field of SHARED_CLIENT_FIELDS) (trxClient as Record<string, unknown>)[field] = base[field];
  trxClient.transacting = true;
  for (const event of FORWARDED_EVENTS) trxClient.on(event, (...args: unknown[]) => base.emit(event, ...args));
  const query = trxClient.query;
  trxClient.query = function (this: unknown, connection: object, obj: string | QueryObject) {
    const current = held();
    if (!current) return Promise.reject(completedError(typeof obj === 'string' ? obj : obj.sql));
    if (connection !== current) return Promise.reject(new Error('Invalid connection for transaction query.'));
    return query.call(this, connection, obj);
  };
  trxClient.acquireConnection = () => {
    const current = held();
    return current ? Promise.resolve(current) : Promise.reject(completedError('no transaction is running'));
  };
  trxClient.releaseConnection = () => Promise.resolve();
  const trx = makeKnex(trxClient) as Knex.Transaction & { context: Record<string, unknown> };
  Object.assign(trx, { isTransaction: true, userParams: {}, isCompleted: () => held() === null });
  trx.context.withUserParams = () => {
    throw new Error('Cannot set user params on a transaction - it can only inherit params from main knex instance');
  };
  trx.context.transaction = () => {
    throw new Error('a reusable transaction (a group commit) runs no nested transaction');
  };
  return trx;
}

const missingMethods = (cls: { prototype: object }, names: readonly string[]): string[] =>
  names.filter((name) => typeof (cls.prototype as Record<string, unknown>)[name] !== 'function');

/**
 * Throws (naming the seam and what is missing) unless knex still has every private member the SQLite
 * client and the direct queries use. Cheap: a few prototype lookups.
 */
export function checkKnexInternals(): void {
  const problems: string[] = [];
  const dialect = missingMethods(KnexBetterSqlite3Client, ['_query', 'acquireRawConnection', 'destroyRawConnection', '_formatBindings']);
  if (dialect.length) problems.push(`${DIALECT_FILE} lacks ${dialect.join(', ')}`);
  const transaction = missingMethods(KnexSqliteTransaction, ['query', 'commit']);
  if (transaction.length) problems.push(`${TRANSACTION_FILE} lacks ${transaction.join(', ')}`);
  const client = missingMethods(load<{ prototype: object }>(BASE_CLIENT_FILE), [
    'acquireConnection',
    'releaseConnection',
    'query',
    'positionBindings',
    'prepBindings',
    'emit',
    'transaction',
  ]);
  if (client.length) problems.push(`${BASE_CLIENT_FILE} lacks ${client.join(', ')}`);
  if (typeof makeKnex !== 'function') problems.push(`${MAKE_KNEX_FILE} exports no function`);
  if (problems.length) throw knexSeamBroken(problems.join('; '));
}
