// The trigger events of a workflow-runs ceiling (sqlite-run-writes.mjs, pg-run-writes.mjs): the same
// input the figure's worker writes for Plinth in its measured window. workflows.mjs emits each
// `auth.login` event through the outbox, one INSERT each, 50 to a transaction, one transaction after
// another, and a run can only start from an event that is committed. Here the same rows go into a
// table shaped as core_events (with its indexes), 50 to a durable transaction through the raw
// driver, and each run takes one committed event before it starts. The writer keeps at most
// LEAD events ahead of the runs, so it stops when they do.

/** core_events' columns and indexes (core/db/migrations), for either database's CREATE TABLE. */
export const EVENTS_DDL = (id) => `
CREATE TABLE events (id ${id}, name VARCHAR(120) NOT NULL, version INTEGER NOT NULL DEFAULT 1, tenant_id VARCHAR(64),
  payload TEXT NOT NULL, meta TEXT, status VARCHAR(16) NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  available_at VARCHAR(24) NOT NULL, locked_by VARCHAR(64), locked_until VARCHAR(24), last_error TEXT, created_at VARCHAR(24) NOT NULL,
  delivered_at VARCHAR(24));
CREATE INDEX events_pending ON events (available_at, id) WHERE status = 'pending';
CREATE INDEX events_delivered ON events (delivered_at) WHERE status = 'delivered';
CREATE INDEX events_dead ON events (id) WHERE status = 'dead';`;

export const INSERT_EVENT_COLUMNS = '(name, version, tenant_id, payload, meta, status, attempts, available_at, created_at, locked_by, locked_until)';

/** One event's values in INSERT_EVENT_COLUMNS' order, as the outbox writes them (leased to the emitting instance). */
export function eventValues(n, tenantId, lease) {
  const now = new Date().toISOString();
  const until = new Date(Date.now() + 30_000).toISOString();
  return ['auth.login', 1, tenantId, JSON.stringify({ user_id: `user-${n}`, method: 'password' }), null, 'pending', 0, now, now, lease, until];
}

const PER_TRANSACTION = 50;
const LEAD = 2 * PER_TRANSACTION;

/**
 * `take()` resolves once the next event is committed (durably). `writeBatch(first, count)` writes
 * events first … first + count − 1 in one durable transaction.
 */
export function triggerEvents(writeBatch) {
  let written = 0;
  let taken = 0;
  let writing = null;
  const waiting = [];
  const pump = () => {
    if (writing || written - taken >= LEAD) return;
    writing = writeBatch(written + 1, PER_TRANSACTION).then(() => {
      written += PER_TRANSACTION;
      writing = null;
      while (waiting.length && taken < written) {
        taken++;
        waiting.shift()();
      }
      pump();
    });
  };
  return {
    take() {
      const ready = new Promise((resolve) => {
        if (taken < written && !waiting.length) {
          taken++;
          resolve();
        } else waiting.push(resolve);
      });
      pump();
      return ready;
    },
    /** Lets a write in flight finish before the database closes. */
    settled: () => writing ?? Promise.resolve(),
  };
}
