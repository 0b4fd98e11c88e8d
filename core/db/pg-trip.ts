import pg from 'pg';
import { type ClientInternals, emitQuery } from './knex-internals.js';

// A group commit's BEGIN and COMMIT on PostgreSQL without round trips of their own. Each statement
// node-postgres sends is a round trip that wakes the backend and waits its turn on a busy event
// loop (docs/performance.md, mail ingest). The extended protocol lets several statements go in one
// message sequence answered at one Sync, each still a statement of its own (its own plan, its own
// prepared name): a group commit's BEGIN goes with its first statement, and its COMMIT with the
// statement the writer marks as its last (WriteSet.runBeforeCommit). The transaction is the same:
// BEGIN runs first and the row locks its statements take hold till the COMMIT.

/** node-postgres's Query, with the members a trip overrides (not in its typings; checked in test/core/pg-trip.test.ts). */
interface QueryInternals {
  name?: string;
  prepare(connection: WireConnection): void;
  _getRows(connection: WireConnection, rows: number | undefined): void;
  handleCommandComplete(msg: unknown, connection: WireConnection): void;
  handleError(err: Error, connection: WireConnection): void;
}
interface WireConnection {
  parse(query: { text: string; name?: string }): void;
  bind(config: { values?: unknown[] }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  parsedStatements: Record<string, string>;
}
type QueryClass = new (config: object, values?: unknown, callback?: (err: Error | null, results: unknown) => void) => QueryInternals;
const PgQuery = pg.Query as unknown as QueryClass;

/** Which statement of a trip failed: one sent before the main one (BEGIN), the main one, or one after it (COMMIT). */
export type TripPart = 'before' | 'main' | 'after';

/** Which statement of a failed trip failed, by its error (node-postgres's own, left as it is: callers read its `code`). */
const failedParts = new WeakMap<Error, TripPart>();

/** The part of a trip whose statement raised `err`; undefined for an error not from a trip. */
export const tripPartOf = (err: unknown): TripPart | undefined => (err instanceof Error ? failedParts.get(err) : undefined);

/** What a trip sends: its main statement (with values, maybe a prepared name) and fixed statements without values around it. */
export interface Trip {
  before: readonly string[];
  text: string;
  values: readonly unknown[];
  name?: string;
  after: readonly string[];
}

/**
 * One Query whose message sequence holds the statements before the main one, the main one as
 * node-postgres sends it (Parse unless already prepared on the connection, Bind, Describe,
 * Execute), then those after it, and one Sync. The server answers each in turn; after an error it
 * skips the rest up to the Sync, so a failed statement is never followed by a COMMIT. The results
 * are node-postgres's, one per statement in order.
 */
interface TripQueryDeps {
  trip: Trip;
  callback: (err: Error | null, results: unknown) => void;
}

class TripQuery extends PgQuery {
  private completed = 0;
  /** Whether the main statement's name was prepared on the connection before this trip (read as it is sent). */
  private preparedBefore = false;

  constructor(readonly deps: TripQueryDeps) {
    // `queryMode: 'extended'`: even without values or a name, the main statement goes as Parse/Bind/Execute, never as a simple query.
    super({ text: deps.trip.text, values: [...deps.trip.values], name: deps.trip.name, queryMode: 'extended' }, undefined, deps.callback);
  }

  override prepare(connection: WireConnection): void {
    this.preparedBefore = this.deps.trip.name !== undefined && connection.parsedStatements[this.deps.trip.name] !== undefined;
    for (const text of this.deps.trip.before) fixedStatement(connection, text);
    super.prepare(connection);
  }

  /** Called by prepare() to execute the main statement and end the sequence: the statements after it come before the Sync. */
  override _getRows(connection: WireConnection, rows: number | undefined): void {
    connection.execute({ portal: '', rows });
    for (const text of this.deps.trip.after) fixedStatement(connection, text);
    connection.sync();
  }

  override handleCommandComplete(msg: unknown, connection: WireConnection): void {
    this.completed++;
    super.handleCommandComplete(msg, connection);
  }

  override handleError(err: Error, connection: WireConnection): void {
    // node-postgres marks the main statement's name as parsed at every ParseComplete of the
    // sequence, the fixed statements' included: if the main one was not parsed after all, forget it.
    if (this.deps.trip.name !== undefined && !this.preparedBefore && this.completed <= this.deps.trip.before.length) {
      delete connection.parsedStatements[this.deps.trip.name];
    }
    const part: TripPart = this.completed < this.deps.trip.before.length ? 'before' : this.completed === this.deps.trip.before.length ? 'main' : 'after';
    failedParts.set(err, part);
    super.handleError(err, connection);
  }
}

/** A statement without values as the unnamed statement: Parse, Bind, Execute (its reply needs no row description). */
function fixedStatement(connection: WireConnection, text: string): void {
  connection.parse({ text });
  connection.bind({});
  connection.execute({});
}

export interface PgResult {
  rows: unknown[];
  command: string;
  rowCount: number | null;
}

/** The knex client a trip is sent for: its `query` event (statement counters, tests) and its statement timings (metrics). */
type TripClient = Pick<ClientInternals, 'config' | 'emit'>;

/**
 * Sends a trip on a connection (a node-postgres Client) and returns its main statement's result.
 * The statements after the main one are `query` events here, as if sent alone; those before it
 * and the main one are their callers' (a group commit's BEGIN is one as its batch starts), in the
 * order they were handed over. The trip is timed as one statement.
 */
export function sendTrip(client: TripClient, connection: object, trip: Trip): Promise<PgResult> {
  for (const sql of trip.after) emitQuery(client, connection, { sql, bindings: [] });
  const observe = client.config.statements;
  const started = observe ? performance.now() : 0;
  const pgClient = connection as { query(query: object): unknown };
  return new Promise((resolve, reject) => {
    pgClient.query(
      new TripQuery({
        trip,
        callback: (err, results) => {
          observe?.((performance.now() - started) / 1000, err !== null);
          if (err) reject(err);
          // One result per statement; node-postgres gives a lone result bare.
          else resolve((Array.isArray(results) ? results[trip.before.length] : results) as PgResult);
        },
      }),
    );
  });
}

/**
 * Connections whose transaction is begun by their next statement: a group commit's, from its
 * start until that statement (PgClient._query sends the BEGIN with it) or until the batch ends.
 */
const beginPending = new WeakSet<object>();

/** The connection's next statement begins its transaction: BEGIN goes with it. */
export function beginWithNextStatement(connection: object): void {
  beginPending.add(connection);
}

/** Whether the connection's transaction is still to begin; clears it (the caller sends the BEGIN, or ends the batch without one). */
export function takeBeginPending(connection: object): boolean {
  return beginPending.delete(connection);
}

/** One statement's text: a trip's main statement cannot be several (the extended protocol runs one). */
export const isSingleStatementText = (sql: string): boolean => !sql.trim().replace(/;\s*$/, '').includes(';');

/** A statement handed over to go with its transaction's COMMIT; `rowsTo` gets its rows once it has run. */
export interface LastStatement extends Pick<Trip, 'text' | 'values' | 'name'> {
  rowsTo?: (rows: unknown[]) => void;
}

/** Group commits' connections that take a last statement (null until given one). */
const lastStatements = new WeakMap<object, LastStatement | null>();

/** The connection's transaction takes a last statement to send with its COMMIT, till takeLastStatement. */
export function acceptLastStatement(connection: object): void {
  lastStatements.set(connection, null);
}

/** Hands over the transaction's last statement; false where none is taken (the caller runs it now). */
export function deferLastStatement(connection: object, statement: LastStatement): boolean {
  const given = lastStatements.get(connection);
  if (given === undefined) return false;
  if (given !== null) throw new Error('a transaction has one last statement: another was handed over before this one');
  lastStatements.set(connection, statement);
  return true;
}

/** A last statement was handed over: nothing may run on the connection before it goes with the COMMIT. */
export const lastStatementGiven = (connection: object): boolean => Boolean(lastStatements.get(connection));

/** The last statement handed over, if any; the connection takes none from now on. */
export function takeLastStatement(connection: object): LastStatement | null {
  const statement = lastStatements.get(connection) ?? null;
  lastStatements.delete(connection);
  return statement;
}

/** Forgets what a connection's transaction was to send with its statements: it goes back to the pool begun and ended. */
export function forgetTrip(connection: object): void {
  beginPending.delete(connection);
  lastStatements.delete(connection);
}
