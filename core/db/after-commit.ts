import type { Knex } from 'knex';

/**
 * Runs `fn` once what `db` wrote is committed: after the transaction's commit when `db` is one
 * (never, if it rolls back), at once otherwise. For what must not be seen before the data is —
 * a push, a cache drop other instances act on.
 */
export function afterCommit(db: Knex | Knex.Transaction, fn: () => void): void {
  const trx = db as Knex.Transaction;
  if (trx.isTransaction === true && trx.executionPromise) trx.executionPromise.then(fn, () => undefined);
  else fn();
}
