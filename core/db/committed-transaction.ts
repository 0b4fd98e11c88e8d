import type { Knex } from 'knex';

/** The transaction config key SqliteTransaction reads (knex copies a transaction's config, keys it does not know included). */
export const ANSWER_AT_COMMIT = 'plinthAnswerAtCommit';

/**
 * A transaction whose caller is answered once its COMMIT ran, before SQLite's log is synced: for
 * writes a power cut may undo without harm (group-commit.ts's `wait: 'committed'` for one writer's
 * items). A crash of the process keeps them (the COMMIT is in the log the OS holds); the next
 * durable commit's sync covers them. For counts taken before an outside call (an AI provider's):
 * the call waits for no disk flush, and a power cut during it leaves one call uncounted, no more
 * than a crash before the count would.
 *
 * On PostgreSQL the same: `synchronous_commit` is off for the transaction (pg-client.ts sends it
 * with the BEGIN, no round trip of its own), so its COMMIT answers before the WAL is flushed; a
 * crash of the database server during the call may lose it, as a power cut may on SQLite.
 */
export function committedTransaction<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn, { [ANSWER_AT_COMMIT]: true } as Knex.TransactionConfig);
}
