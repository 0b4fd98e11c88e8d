import type { Knex } from 'knex';
import type { ClientInternals } from './knex-internals.js';

// Fixed SQL run straight on the connection a transaction already holds (knex's internals reached
// through knex-internals.ts, the one seam). knex's path for one
// statement — a builder or raw object, the query compiled, bindings cloned and positioned, a
// runner, a pool round, `query-response` events and debug hooks — costs about what SQLite's own
// work does for a one-row upsert (measured: usage consume 62 → 29–48 µs of CPU an op with its
// increment run this way). For the hot durable writes only (group-committed batches: usage, received
// mail, the outbox); everything else goes through knex as usual. Plain `?` placeholders, as in
// `knex.raw`, one scalar value each (an array is not expanded into a list as knex.raw would); the
// dialect positions them (`$1` on PostgreSQL) and formats values (booleans and dates on SQLite) as
// it does for knex's own queries, and the `query` event is still emitted, so statement counters
// and tests that watch it see these too.

type Row = Record<string, unknown>;

const isTransaction = (db: Knex | Knex.Transaction): db is Knex.Transaction => (db as Knex.Transaction).isTransaction === true;

/** Whatever the driver answered, as rows: better-sqlite3 gives an array (or a run result), pg a result with `rows`. */
const rowsOf = (response: unknown): Row[] =>
  Array.isArray(response) ? (response as Row[]) : Array.isArray((response as { rows?: unknown })?.rows) ? (response as { rows: Row[] }).rows : [];

/**
 * Runs `sql` with `bindings` and returns its rows (those of a `RETURNING`, or none). Inside a
 * transaction it goes straight to the transaction's connection; given the pool, it is `db.raw`.
 */
export async function queryRows<T extends Row = Row>(db: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  if (!isTransaction(db)) return rowsOf(await db.raw(sql, bindings as Knex.RawBinding[])) as T[];
  // The checks knex's transaction client makes before each query.
  if (db.isCompleted()) throw new Error(`Transaction query already complete: ${sql.slice(0, 200)}`);
  const client = db.client as unknown as ClientInternals;
  const connection = await client.acquireConnection();
  const obj = { sql: client.positionBindings(sql), bindings: client.prepBindings(bindings as unknown[]), method: 'raw' as const };
  client.emit('query', { __knexUid: connection.__knexUid, __knexTxId: connection.__knexTxId, ...obj });
  try {
    return rowsOf((await client._query(connection, obj)).response) as T[];
  } catch (err) {
    // As knex does: the statement in the message, so a log line says which one failed.
    if (err instanceof Error) err.message = `${sql.slice(0, 500)} - ${err.message}`;
    throw err;
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const quoted = (name: string): string => {
  // Names come from our own code, never from a request; a name outside this shape is a bug.
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
};

function insertSql(table: string, rows: readonly Row[], returning: string | null): { sql: string; bindings: unknown[] } {
  const columns = Object.keys(rows[0]);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values = rows.map(() => tuple).join(', ');
  const sql = `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES ${values}${returning ? ` RETURNING ${quoted(returning)}` : ''}`;
  const bindings: unknown[] = [];
  for (const row of rows) for (const column of columns) bindings.push(row[column] === undefined ? null : row[column]);
  return { sql, bindings };
}

/**
 * Inserts `rows` (all with the same keys) as one multi-row statement. The caller keeps a
 * statement's bound values under the drivers' limits (SQLite 32,766; PostgreSQL 65,535).
 */
export async function insertRows(db: Knex | Knex.Transaction, table: string, rows: readonly Row[]): Promise<void> {
  if (!rows.length) return;
  const { sql, bindings } = insertSql(table, rows, null);
  await queryRows(db, sql, bindings);
}

/**
 * As insertRows, and returns the new rows' ids in the rows' order: one statement assigns ids in
 * row order (a sequence, or SQLite's rowid), so sorted they map back.
 */
export async function insertRowsReturningIds(db: Knex | Knex.Transaction, table: string, rows: readonly Row[], idColumn = 'id'): Promise<number[]> {
  if (!rows.length) return [];
  const { sql, bindings } = insertSql(table, rows, idColumn);
  return (await queryRows(db, sql, bindings)).map((row) => Number(row[idColumn])).sort((a, b) => a - b);
}
