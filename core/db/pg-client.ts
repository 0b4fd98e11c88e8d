import { createRequire } from 'node:module';
import pg from 'pg';
import type { StatementObserver } from '../observability/core-metrics.js';
import { ANSWER_AT_COMMIT } from './committed-transaction.js';
import { forgetTrip, isSingleStatementText, lastStatementGiven, sendTrip, takeBeginPending } from './pg-trip.js';

// knex's PostgreSQL dialect, timing each statement for the metrics (`statements` in the knex
// config, core/observability). A transaction's client is made from this class's prototype and
// shares the config, so its statements are timed too; so are the direct ones (core/db/direct-query.ts).
// Its transactions are knex's, but for committedTransaction's BEGIN (PgTransaction, below); a group
// commit's BEGIN goes with its first statement (pg-trip.ts).

const require = createRequire(import.meta.url);

interface DialectClient {
  config: { statements?: StatementObserver };
  _query(connection: unknown, obj: unknown): Promise<unknown>;
  releaseConnection(connection: object): Promise<void>;
  emit(event: 'query', obj: object): void;
}

/** What knex hands its dialect's `_query`, and what it reads back. */
interface KnexQuery {
  sql: string;
  bindings?: unknown[];
  options?: { name?: string };
  response?: unknown;
}
type DialectClass = new (...args: unknown[]) => DialectClient;
const Query = pg.Query as unknown as new (text: string, values: unknown[], callback: (err: Error | null, response: unknown) => void) => { name?: string };

const KnexPg = require('knex/lib/dialects/postgres/index.js') as DialectClass;
const KnexPgTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction.js') as new (
  ...args: unknown[]
) => { begin(conn: unknown): Promise<unknown>; query(conn: unknown, sql: string): Promise<unknown> };

/**
 * committedTransaction's on PostgreSQL: its COMMIT answers before the WAL is flushed
 * (`synchronous_commit` off for this transaction only), set in the same message as its BEGIN, so
 * it costs no round trip. The next durable commit's flush covers it.
 */
class PgTransaction extends KnexPgTransaction {
  private readonly answerAtCommit: boolean;

  constructor(...args: unknown[]) {
    super(...args);
    this.answerAtCommit = (args[2] as Record<string, unknown> | undefined)?.[ANSWER_AT_COMMIT] === true;
  }

  override begin(conn: unknown): Promise<unknown> {
    // Two statements in one simple-protocol query (no bindings), one round trip.
    return this.answerAtCommit ? this.query(conn, 'BEGIN; SET LOCAL synchronous_commit TO OFF;') : super.begin(conn);
  }
}

export class PgClient extends KnexPg {
  transaction(...args: unknown[]): unknown {
    return new PgTransaction(this, ...args);
  }

  /** A pooled connection never carries a group commit's BEGIN or last statement to its next user (group-commit.ts clears them itself). */
  override releaseConnection(connection: object): Promise<void> {
    forgetTrip(connection);
    return super.releaseConnection(connection);
  }

  override _query(connection: unknown, obj: unknown): Promise<unknown> {
    // A statement after the one handed over to go with the COMMIT would run before it: refused.
    if (lastStatementGiven(connection as object)) return Promise.reject(new Error(`a statement after the transaction's last: ${(obj as KnexQuery).sql}`));
    if (takeBeginPending(connection as object)) return this.begunWith(connection as object, obj as KnexQuery);
    const observe = this.config.statements;
    if (!observe) return this.send(connection, obj as KnexQuery);
    const started = performance.now();
    return this.send(connection, obj as KnexQuery).then(
      (result) => {
        observe((performance.now() - started) / 1000, false);
        return result;
      },
      (err: unknown) => {
        observe((performance.now() - started) / 1000, true);
        throw err;
      },
    );
  }

  /**
   * knex's `_query` without its one cost: node-postgres copies a query's config object property by
   * property (cloneQueryConfig: ~2 µs a statement, more than knex's own work on a direct one) but
   * takes a text and its values as they are; the prepared name is set on the query after.
   */
  private send(connection: unknown, obj: KnexQuery): Promise<unknown> {
    const { name, ...other } = obj.options ?? {};
    if (!obj.sql || Object.keys(other).length) return super._query(connection, obj);
    return new Promise((resolve, reject) => {
      const query = new Query(obj.sql, obj.bindings ?? [], (err: Error | null, response: unknown) => {
        if (err) return reject(err);
        obj.response = response;
        resolve(obj);
      });
      if (name) query.name = name;
      (connection as { query(query: object): unknown }).query(query);
    });
  }

  /**
   * A group commit's first statement on its connection (pg-trip.ts): its BEGIN goes with it, one
   * round trip for both. A text of several statements (which the extended protocol cannot carry)
   * gets its BEGIN alone first.
   */
  private async begunWith(connection: object, obj: KnexQuery): Promise<KnexQuery> {
    if (!isSingleStatementText(obj.sql)) {
      await this._query(connection, { sql: 'BEGIN;' });
      return (await this._query(connection, obj)) as KnexQuery;
    }
    obj.response = await sendTrip(this, connection, { before: ['BEGIN'], text: obj.sql, values: obj.bindings ?? [], name: obj.options?.name, after: [] });
    return obj;
  }
}
