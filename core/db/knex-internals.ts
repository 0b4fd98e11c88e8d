import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

// The one place Plinth reaches into knex's private internals. knex has no public API for a
// dialect that prepares statements once, syncs the log off the main thread, or lets a transaction's
// connection go back to the pool while its caller waits for the sync (sqlite-client.ts), nor for
// running fixed SQL straight on a transaction's connection (direct-query.ts). Those two files use
// only what this module exports; knex is pinned to the exact version below in package.json, and
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

/** Any knex client (a transaction's included): what direct-query.ts calls to run SQL on a held connection. */
export interface ClientInternals {
  acquireConnection(): Promise<{ __knexUid?: string; __knexTxId?: string }>;
  positionBindings(sql: string): string;
  prepBindings(bindings: unknown[]): unknown[];
  _query(connection: unknown, obj: { sql: string; bindings: unknown[]; method: 'raw' }): Promise<{ response?: unknown }>;
  emit(event: 'query', obj: object): void;
}

const DIALECT_FILE = 'knex/lib/dialects/better-sqlite3/index.js';
const TRANSACTION_FILE = 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';
const BASE_CLIENT_FILE = 'knex/lib/client.js';

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
    'positionBindings',
    'prepBindings',
    'emit',
    'transaction',
  ]);
  if (client.length) problems.push(`${BASE_CLIENT_FILE} lacks ${client.join(', ')}`);
  if (problems.length) throw knexSeamBroken(problems.join('; '));
}
