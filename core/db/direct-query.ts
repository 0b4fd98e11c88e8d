// Longer than most (~430 lines): the direct statements and WriteSet share their statement cache and prepared names.
import type { Knex } from 'knex';
import { afterCommit } from './after-commit.js';
import { type ClientInternals, emitQuery } from './knex-internals.js';
import { deferLastStatement } from './pg-trip.js';

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
  const obj = directStatement(client, sql, bindings);
  emitQuery(client, connection, obj);
  try {
    return rowsOf((await client._query(connection, obj)).response) as T[];
  } catch (err) {
    // As knex does: the statement in the message, so a log line says which one failed.
    if (err instanceof Error) err.message = `${sql.slice(0, 500)} - ${err.message}`;
    throw err;
  }
}

/** A statement as the dialect's `_query` takes it: positioned, its values formatted, and on PostgreSQL its prepared name. */
function directStatement(client: ClientInternals, sql: string, bindings: readonly unknown[]) {
  const pg = client.dialect === 'postgresql' ? pgStatement(client, sql) : null;
  return {
    sql: pg ? pg.text : client.positionBindings(sql),
    bindings: client.prepBindings(bindings as unknown[]),
    method: 'raw' as const,
    options: pg?.name && client.config.preparedStatements ? { name: pg.name } : undefined,
  };
}

/**
 * A hot statement as PostgreSQL gets it, worked out once per text (the texts are the cached ones of
 * `statement`, below, or fixed ones in code):
 * - its text with `$1`, `$2`… for knex's `?`: knex's positionBindings scans the whole text with a
 *   regular expression and a callback per placeholder on every call, a tenth of what the main thread
 *   allocated under the mail bench on PostgreSQL;
 * - its name: node-postgres prepares a named statement once per connection and from then on only
 *   binds and runs it, so PostgreSQL skips parsing and planning the same text again, a third of its
 *   CPU for a batch of received mail (docs/performance.md). Used unless
 *   `database.preparedStatements: false` (a pooler in transaction mode that does not carry prepared
 *   statements between server connections: PgBouncer before 1.21).
 * Names are never reused for another text; past PG_STATEMENTS_KEPT texts, the rest are positioned
 * each time and run unnamed.
 */
interface PgStatement {
  text: string;
  name: string | undefined;
}
const pgStatements = new Map<string, PgStatement>();
const PG_STATEMENTS_KEPT = 2_000;

function pgStatement(client: ClientInternals, sql: string): PgStatement {
  let known = pgStatements.get(sql);
  if (known === undefined) {
    if (pgStatements.size >= PG_STATEMENTS_KEPT) return { text: client.positionBindings(sql), name: undefined };
    known = { text: client.positionBindings(sql), name: `plinth_${pgStatements.size + 1}` };
    pgStatements.set(sql, known);
  }
  return known;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const quoted = (name: string): string => {
  // Names come from our own code, never from a request; a name outside this shape is a bug.
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
};

/** What an insert does when a row conflicts with a unique key: keep the existing row, or update it with the new row's values. */
export interface OnConflict {
  columns: readonly string[];
  /** `ignore`: the row is skipped (and not returned); `merge`: every other column is set from the new row. */
  action: 'ignore' | 'merge';
}

/**
 * The statements' text by their shape (table, columns, row count, conflict, returning): the hot
 * writers build the same few shapes thousands of times a second. Bounded: shapes come from code,
 * but a row count can take any value up to a batch's size.
 */
const statements = new Map<string, string>();
const STATEMENTS_KEPT = 1_000;

function statement(shape: string, build: () => string): string {
  let sql = statements.get(shape);
  if (sql === undefined) {
    sql = build();
    if (statements.size >= STATEMENTS_KEPT) statements.clear();
    statements.set(shape, sql);
  }
  return sql;
}

/** A statement's text, its bound values, and the key its text is cached by. */
interface Statement {
  shape: string;
  sql: string;
  bindings: unknown[];
}

function insertSql(table: string, rows: readonly Row[], returning: readonly string[], onConflict?: OnConflict): Statement {
  const columns = Object.keys(rows[0]);
  const conflict = onConflict ? `${onConflict.columns.join()}\n${onConflict.action}` : '';
  const shape = `insert\n${table}\n${columns.join()}\n${rows.length}\n${returning.join()}\n${conflict}`;
  const sql = statement(shape, () => {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    let text = `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    if (onConflict) {
      const merged = columns.filter((c) => !onConflict.columns.includes(c));
      const action =
        onConflict.action === 'merge' && merged.length ? `DO UPDATE SET ${merged.map((c) => `${quoted(c)} = excluded.${quoted(c)}`).join(', ')}` : 'DO NOTHING';
      text += ` ON CONFLICT (${onConflict.columns.map(quoted).join(', ')}) ${action}`;
    }
    return returning.length ? `${text} RETURNING ${returning.map(quoted).join(', ')}` : text;
  });
  const bindings: unknown[] = [];
  for (const row of rows) for (const column of columns) bindings.push(row[column] === undefined ? null : row[column]);
  return { shape, sql, bindings };
}

/**
 * Inserts `rows` (all with the same keys) as one multi-row statement. The caller keeps a
 * statement's bound values under the drivers' limits (SQLite 32,766; PostgreSQL 65,535).
 */
export async function insertRows(db: Knex | Knex.Transaction, table: string, rows: readonly Row[], onConflict?: OnConflict): Promise<void> {
  if (!rows.length) return;
  const { sql, bindings } = insertSql(table, rows, [], onConflict);
  await queryRows(db, sql, bindings);
}

/**
 * As insertRows, and returns the `returning` columns of the rows written (a row skipped on a
 * conflict is not among them), in no promised order.
 */
export async function insertRowsReturning<T extends Row = Row>(
  db: Knex | Knex.Transaction,
  table: string,
  rows: readonly Row[],
  returning: readonly string[],
  onConflict?: OnConflict,
): Promise<T[]> {
  if (!rows.length) return [];
  const { sql, bindings } = insertSql(table, rows, returning, onConflict);
  return queryRows<T>(db, sql, bindings);
}

/**
 * As insertRows, and returns the new rows' ids in the rows' order: one statement assigns ids in
 * row order (a sequence, or SQLite's rowid), so sorted they map back.
 */
export async function insertRowsReturningIds(db: Knex | Knex.Transaction, table: string, rows: readonly Row[], idColumn = 'id'): Promise<number[]> {
  return (await insertRowsReturning(db, table, rows, [idColumn])).map((row) => Number(row[idColumn])).sort((a, b) => a - b);
}

/**
 * `UPDATE table SET … WHERE <each key = its value> RETURNING returning`: one row's change by its
 * keys (a lease fence among them), the rows changed returned. Where each row of a batch has its own
 * values, a statement per row is what SQLite runs fastest (prepared once, no round trip to pay).
 */
export async function updateWhere<T extends Row = Row>(
  db: Knex | Knex.Transaction,
  table: string,
  set: Row,
  where: Row,
  returning: readonly string[],
): Promise<T[]> {
  const columns = Object.keys(set);
  const keys = Object.keys(where);
  const sql = statement(
    `update\n${table}\n${columns.join()}\n${keys.join()}\n${returning.join()}`,
    () =>
      `UPDATE ${quoted(table)} SET ${columns.map((c) => `${quoted(c)} = ?`).join(', ')} WHERE ${keys.map((k) => `${quoted(k)} = ?`).join(' AND ')}` +
      (returning.length ? ` RETURNING ${returning.map(quoted).join(', ')}` : ''),
  );
  const bindings: unknown[] = [];
  for (const c of columns) bindings.push(set[c] === undefined ? null : set[c]);
  for (const k of keys) bindings.push(where[k]);
  return queryRows<T>(db, sql, bindings);
}

/** PostgreSQL's limit of bound values in one statement: a WriteSet over it runs in turn. */
export const POSTGRES_MAX_BOUND_VALUES = 65_535;

interface SetWrite extends Statement {
  /** Given the rows' ids once the set has run (an insert's `RETURNING id`), in ascending order, and what it ran on. */
  ids?: (ids: number[], db: Knex | Knex.Transaction) => void;
  /** A function called for its effect (WriteSet.call), not a write: the statement's last select on PostgreSQL. */
  call?: true;
}

/**
 * Writes that go to the database together: multi-row INSERTs and fixed statements (an `UPDATE …`).
 * On PostgreSQL they are one statement, each write a data-modifying `WITH` part: one round trip and
 * one message for PostgreSQL to parse where each would be its own, less CPU on both sides (received
 * mail's batch: docs/performance.md). On SQLite they run in turn, in-process: there is no round trip
 * to save. Run it in a transaction, or alone only where it is sure to fit one statement: a set over
 * PostgreSQL's 65,535 bound values runs in turn too.
 *
 * PostgreSQL runs the parts on one snapshot, in no order it promises: no write may read or change
 * rows another write of the set changes, and a row referring to one inserted beside it needs that
 * row's id beforehand (`reserveIds`). Foreign keys are checked once the statement ends.
 */
export class WriteSet {
  private readonly writes: SetWrite[] = [];
  private readonly committed: Array<() => void> = [];

  insert(table: string, rows: readonly Row[], onConflict?: OnConflict): void {
    if (rows.length) this.writes.push(insertSql(table, rows, [], onConflict));
  }

  /**
   * As insert; once the set has run, `then` gets the new rows' ids in the rows' order (see
   * insertRowsReturningIds) and the database or transaction it ran on (not called for no rows).
   */
  insertReturningIds(table: string, rows: readonly Row[], then: (ids: number[], db: Knex | Knex.Transaction) => void): void {
    if (!rows.length) return;
    this.writes.push({ ...insertSql(table, rows, ['id'], undefined), ids: then });
  }

  /** A statement of its own text (an `UPDATE … WHERE id IN (?, …)`), `?` placeholders as in queryRows. */
  query(sql: string, bindings: readonly unknown[]): void {
    this.writes.push({ shape: sql, sql, bindings: [...bindings] });
  }

  /**
   * A function called once when the set runs, for its effect: `pg_notify(?, ?)`, which PostgreSQL
   * delivers when the set's transaction commits. On PostgreSQL it is the one statement's final
   * `SELECT` (a `WITH` part that only selects would never run); else a `SELECT` of its own, after
   * the writes. What it returns is not read.
   */
  call(expression: string, bindings: readonly unknown[]): void {
    this.writes.push({ shape: `call\n${expression}`, sql: expression, bindings: [...bindings], call: true });
  }

  /**
   * `fn` once the set's writes are committed: when the transaction the set ran in commits (never if
   * it rolls back), or as soon as it has run alone (runAtomically).
   */
  afterCommit(fn: () => void): void {
    this.committed.push(fn);
  }

  async run(db: Knex | Knex.Transaction): Promise<void> {
    await this.runParts(db);
    for (const fn of this.committed) afterCommit(db, fn);
  }

  /**
   * As run, as the last statement of its transaction: in a group commit on PostgreSQL it goes to
   * the database with the COMMIT, one round trip for both (pg-trip.ts), and fails the batch as any
   * of its statements would; the ids of insertReturningIds are then handed out once it has run,
   * after the writer returned. Elsewhere (SQLite, another transaction, a set that is more than one
   * statement) it runs now. Nothing may run in the transaction after it.
   */
  async runBeforeCommit(trx: Knex.Transaction): Promise<void> {
    const client = trx.client as unknown as ClientInternals;
    if (client.dialect === 'postgresql' && (this.writes.length === 1 || this.together(trx))) {
      if (trx.isCompleted()) throw new Error('Transaction query already complete: a WriteSet run before its COMMIT');
      const connection = await client.acquireConnection();
      const parts = this.parts();
      const { sql, bindings } = this.oneStatement(parts);
      const obj = directStatement(client, sql, bindings);
      const rowsTo = (rows: unknown[]) => this.handOutIds(parts, rows as Row[], trx);
      if (deferLastStatement(connection, { text: obj.sql, values: obj.bindings, name: obj.options?.name, rowsTo })) {
        emitQuery(client, connection, obj);
        for (const fn of this.committed) afterCommit(trx, fn);
        return;
      }
    }
    await this.run(trx);
  }

  /**
   * Runs the set in a commit of its own with the fewest round trips the database allows: on
   * PostgreSQL as its one statement, which commits (or fails) as a whole; elsewhere, or past
   * PostgreSQL's bound-value limit, in a transaction.
   */
  async runAtomically(db: Knex): Promise<void> {
    if (this.writes.length <= 1 || this.together(db)) await this.run(db);
    else await db.transaction((trx) => this.run(trx));
  }

  /** The writes go to the database as one statement: PostgreSQL, more than one, within its bound-value limit. */
  private together(db: Knex | Knex.Transaction): boolean {
    return (
      this.writes.length > 1 &&
      (db.client as unknown as ClientInternals).dialect === 'postgresql' &&
      this.writes.reduce((n, w) => n + w.bindings.length, 0) <= POSTGRES_MAX_BOUND_VALUES
    );
  }

  /** The calls after the writes: in the one statement they are its final select. */
  private parts(): SetWrite[] {
    return [...this.writes.filter((w) => !w.call), ...this.writes.filter((w) => w.call)];
  }

  /** The set as one statement: its one write, or PostgreSQL's `WITH` of them all (together). */
  private oneStatement(parts: readonly SetWrite[]): { sql: string; bindings: unknown[] } {
    if (parts.length === 1) return { sql: parts[0].call ? `SELECT ${parts[0].sql}` : parts[0].sql, bindings: parts[0].bindings };
    return {
      sql: statement(`with\n${parts.map((w) => w.shape).join('\n;\n')}`, () => withStatement(parts)),
      bindings: parts.flatMap((w) => w.bindings),
    };
  }

  private async runParts(db: Knex | Knex.Transaction): Promise<void> {
    const parts = this.parts();
    if (!this.together(db)) {
      for (const w of parts) {
        const rows = await queryRows(db, w.call ? `SELECT ${w.sql}` : w.sql, w.bindings);
        w.ids?.(
          rows.map((row) => Number(row.id)).sort((a, b) => a - b),
          db,
        );
      }
      return;
    }
    const { sql, bindings } = this.oneStatement(parts);
    this.handOutIds(parts, await queryRows(db, sql, bindings), db);
  }

  /** The one statement's rows to the writes that wait for their ids: by `part`, or all of them where the set is one write. */
  private handOutIds(parts: readonly SetWrite[], rows: readonly Row[], db: Knex | Knex.Transaction): void {
    const idsOf = (i: number) =>
      rows
        .filter((row) => parts.length === 1 || Number(row.part) === i)
        .map((row) => Number(row.id))
        .sort((a, b) => a - b);
    parts.forEach((w, i) => w.ids?.(idsOf(i), db));
  }
}

/**
 * PostgreSQL's one statement for a WriteSet (its calls last): its writes as `WITH` parts, then the
 * ids of those that return them, the calls as one more branch of that select (part -1) or as the
 * select itself; without either, the last write is the statement.
 */
function withStatement(parts: readonly SetWrite[]): string {
  const calls = parts.filter((w) => w.call).map((w) => w.sql);
  const writes = parts.filter((w) => !w.call);
  const returning = writes.flatMap((w, i) => (w.ids ? [`SELECT ${i} AS part, "id" FROM w${i}`] : []));
  if (calls.length && returning.length) returning.push(`SELECT -1, NULL FROM (SELECT ${calls.join(', ')}) AS called`);
  const last = returning.length ? `${returning.join(' UNION ALL ')}` : calls.length ? `SELECT ${calls.join(', ')}` : null;
  const ctes = (last ? writes : writes.slice(0, -1)).map((w, i) => `w${i} AS (${w.sql})`);
  return `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}${last ?? writes[writes.length - 1].sql}`;
}

/**
 * reserveIds' statement with rows to lock: the count of the locked rows is a one-time filter
 * (an InitPlan), evaluated before the first row, and so before the first nextval.
 */
function lockedThenNext(lockTable: string): string {
  return statement(
    `reserve locked\n${lockTable}`,
    () =>
      `WITH locked AS MATERIALIZED (SELECT 1 FROM ${quoted(lockTable)} WHERE "id" = ANY(?::bigint[]) ORDER BY "id" FOR NO KEY UPDATE) ` +
      'SELECT nextval(?::regclass) AS id FROM generate_series(1, ?::integer) WHERE (SELECT count(*) FROM locked) >= 0',
  );
}

/** Each table's id sequence on PostgreSQL, by table. */
const sequences = new Map<string, string>();

/** Rows reserveIds locks before it takes ids: those of `table` whose `id` is in `ids`. */
export interface RowsToLock {
  table: string;
  ids: readonly number[];
}

/**
 * `count` new ids for rows of `table` (its `id` column), ascending, taken before the rows are
 * written so that rows referring to them can be written beside them (WriteSet). On PostgreSQL they
 * come from the column's sequence, never given twice (ids a failed write took are skipped, as a
 * failed insert's are). On SQLite they follow the largest id the table ever had (AUTOINCREMENT's
 * `sqlite_sequence`), inside the transaction that inserts them, which holds the write lock.
 *
 * `lockFirst`: on PostgreSQL, those rows are locked (in id order, `FOR NO KEY UPDATE`, till the
 * transaction ends) in the same statement, before the ids are taken. Another transaction taking ids
 * for any of them then waits for this one to end, so within each locked row's group (a mailbox's
 * mail) the ids become visible in the order they were given: a reader asking for ids past the
 * largest it saw (`since`) never skips one that committed late. SQLite's write lock already orders
 * them.
 */
export async function reserveIds(db: Knex | Knex.Transaction, table: string, count: number, lockFirst?: RowsToLock): Promise<number[]> {
  if (count <= 0) return [];
  if ((db.client as unknown as ClientInternals).dialect === 'postgresql') {
    let sequence = sequences.get(table);
    if (sequence === undefined) {
      const [row] = await queryRows<{ name: string | null }>(db, 'SELECT pg_get_serial_sequence(?, ?) AS name', [table, 'id']);
      if (!row?.name) throw new Error(`${table}.id has no sequence`);
      sequence = row.name;
      sequences.set(table, sequence);
    }
    const rows = lockFirst?.ids.length
      ? await queryRows<{ id: string | number }>(db, lockedThenNext(lockFirst.table), [`{${lockFirst.ids.join(',')}}`, sequence, count])
      : await queryRows<{ id: string | number }>(db, 'SELECT nextval(?::regclass) AS id FROM generate_series(1, ?::integer)', [sequence, count]);
    return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  }
  if (!isTransaction(db)) throw new Error(`reserveIds(${table}) on SQLite runs in the transaction that inserts the rows`);
  const sql = statement(
    `reserve\n${table}`,
    () => `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '${table}'), 0), coalesce((SELECT max("id") FROM ${quoted(table)}), 0)) AS last`,
  );
  const [{ last }] = await queryRows<{ last: number }>(db, sql, []);
  return Array.from({ length: count }, (_, i) => Number(last) + 1 + i);
}
