import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Counter, Histogram } from 'prom-client';
import { HTTP_SECONDS_BUCKETS, LONG_SECONDS_BUCKETS, type Metrics } from './metrics.js';

/**
 * The core's metric families (the plugins declare theirs in their own code). Counters and
 * histograms are handed to the part that records them (the HTTP server, the outbox, the scheduler,
 * the rate limits, the usage facade, the backups, the database client); gauges whose value is read
 * at scrape time are set up by `watch` once those parts exist.
 */
export interface HttpMetrics {
  /** method, route (the template, `unmatched` when no route answered), status class, plugin (`core`, `none`). */
  duration: Histogram<'method' | 'route' | 'status_class' | 'plugin'>;
  /** Requests being handled now: a plain count every request moves twice, read by its gauge at scrape time. */
  inFlight: { count: number };
}

export interface OutboxMetrics {
  /** Created to delivered, per event delivered by a handler. */
  lag: Histogram;
  handlerFailures: Counter<'event' | 'handler'>;
  deadLettered: Counter<'event'>;
}

export interface JobMetrics {
  runs: Counter<'job' | 'outcome'>;
  duration: Histogram<'job' | 'outcome'>;
  takeovers: Counter<'job'>;
}

export interface BackupMetrics {
  taken: Counter<'outcome' | 'trigger'>;
  duration: Histogram<'outcome'>;
}

/** Told the duration of every statement the database client ran, and whether it failed. */
export type StatementObserver = (seconds: number, failed: boolean) => void;

export interface CoreMetrics {
  http: HttpMetrics;
  outbox: OutboxMetrics;
  jobs: JobMetrics;
  backups: BackupMetrics;
  rateLimitRefusals: Counter<'bucket'>;
  usageLimitRefusals: Counter<'metric'>;
  websocketHandshakes: Counter<'endpoint' | 'outcome'>;
  statements: StatementObserver;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** The request method as a label: the usual ones, anything else `other` (a client can send any token). */
export const methodLabel = (method: string): string => (METHODS.has(method) ? method : 'other');

export function coreMetrics(m: Metrics): CoreMetrics {
  const statementDuration = m.histogram({
    name: 'plinth_db_statement_duration_seconds',
    help: 'Database statements, from the driver call to its result (on SQLite including the sync of the write-ahead log)',
  });
  const statementErrors = m.counter({ name: 'plinth_db_statement_errors_total', help: 'Database statements that failed' });
  const inFlight = { count: 0 };
  m.gauge({ name: 'plinth_http_requests_in_flight', help: 'HTTP requests being handled now', collect: (g) => g.set(inFlight.count) });
  return {
    http: {
      duration: m.histogram({
        name: 'plinth_http_request_duration_seconds',
        help: 'HTTP requests by method, route template, status class and the plugin that answered, until the handler returned',
        labels: ['method', 'route', 'status_class', 'plugin'],
        buckets: HTTP_SECONDS_BUCKETS,
      }),
      inFlight,
    },
    outbox: {
      lag: m.histogram({
        name: 'plinth_outbox_delivery_lag_seconds',
        help: 'Outbox events from written to delivered (every handler succeeded), retries included',
        buckets: LONG_SECONDS_BUCKETS,
      }),
      handlerFailures: m.counter({
        name: 'plinth_outbox_handler_failures_total',
        help: 'Outbox handler runs that failed (each retried)',
        labels: ['event', 'handler'],
      }),
      deadLettered: m.counter({ name: 'plinth_outbox_dead_lettered_total', help: 'Outbox events that gave up after their last attempt', labels: ['event'] }),
    },
    jobs: {
      runs: m.counter({
        name: 'plinth_job_runs_total',
        help: 'Job runs by this instance, by outcome (succeeded, failed, skipped: another instance ran the tick)',
        labels: ['job', 'outcome'],
      }),
      duration: m.histogram({
        name: 'plinth_job_run_duration_seconds',
        help: 'Job runs, start to end',
        labels: ['job', 'outcome'],
        buckets: LONG_SECONDS_BUCKETS,
      }),
      takeovers: m.counter({
        name: 'plinth_job_lease_takeovers_total',
        help: "Jobs taken over from an instance that stopped renewing the job's lease",
        labels: ['job'],
      }),
    },
    backups: {
      taken: m.counter({ name: 'plinth_backups_total', help: 'Backups by this instance, by outcome and trigger', labels: ['outcome', 'trigger'] }),
      duration: m.histogram({ name: 'plinth_backup_duration_seconds', help: 'Backups, start to end', labels: ['outcome'], buckets: LONG_SECONDS_BUCKETS }),
    },
    rateLimitRefusals: m.counter({ name: 'plinth_rate_limit_refusals_total', help: 'Requests refused by a rate limit (429), by bucket', labels: ['bucket'] }),
    usageLimitRefusals: m.counter({
      name: 'plinth_usage_limit_refusals_total',
      help: "Work refused by a plan's usage limit (402), by usage metric",
      labels: ['metric'],
    }),
    websocketHandshakes: m.counter({
      name: 'plinth_websocket_handshakes_total',
      help: 'WebSocket upgrade requests by endpoint and outcome (accepted, refused, not_found)',
      labels: ['endpoint', 'outcome'],
    }),
    statements: (seconds, failed) => {
      statementDuration.observe(seconds);
      if (failed) statementErrors.inc();
    },
  };
}

/** What `watch` reads at scrape time. */
export interface Watched {
  db: Knex;
  /** The SQLite file, or null on PostgreSQL. */
  sqliteFile: string | null;
  /** The EventBus. */
  outbox: { waiting(): Promise<{ pending: number; dead: number; oldestPendingAt: string | null }> };
  /** The Backups. */
  backups: { status(): Promise<{ lastSuccess: { at: string } | null; lastFailure: { at: string } | null }> };
  /** The WebSockets. */
  websockets: { connections(): Map<string, number> };
}

interface PoolInternals {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

const fileSize = async (file: string): Promise<number> => (await fs.promises.stat(file).catch(() => null))?.size ?? 0;
const seconds = (iso: string) => new Date(iso).getTime() / 1000;

/** The gauges read when scraped: the outbox, the database pool and files, WebSocket connections, the last backups. */
export function watch(m: Metrics, w: Watched): void {
  m.gauge({
    name: 'plinth_outbox_events',
    help: 'Outbox events waiting (pending: due or backing off) and given up (dead), in the whole database',
    labels: ['status'],
    async collect(g) {
      const { pending, dead, oldestPendingAt } = await w.outbox.waiting();
      g.set({ status: 'pending' }, pending);
      g.set({ status: 'dead' }, dead);
      oldest.set(oldestPendingAt ? Math.max(0, Date.now() / 1000 - seconds(oldestPendingAt)) : 0);
    },
  });
  const oldest = m.gauge({ name: 'plinth_outbox_oldest_pending_age_seconds', help: 'Age of the oldest pending outbox event (0 when none waits)' });
  m.gauge({
    name: 'plinth_db_pool_connections',
    help: "The database pool's connections: used, free, and requests waiting for one (pending)",
    labels: ['state'],
    collect(g) {
      const pool = (w.db.client as { pool?: PoolInternals }).pool;
      if (!pool) return;
      g.set({ state: 'used' }, pool.numUsed());
      g.set({ state: 'free' }, pool.numFree());
      g.set({ state: 'pending' }, pool.numPendingAcquires());
      max.set(pool.max);
    },
  });
  const max = m.gauge({ name: 'plinth_db_pool_max_connections', help: "The database pool's size" });
  const sqlite = w.sqliteFile;
  if (sqlite) {
    m.gauge({
      name: 'plinth_sqlite_file_size_bytes',
      help: 'The SQLite database file and its write-ahead log',
      labels: ['file'],
      async collect(g) {
        g.set({ file: 'database' }, await fileSize(sqlite));
        g.set({ file: 'wal' }, await fileSize(`${sqlite}-wal`));
      },
    });
  }
  m.gauge({
    name: 'plinth_websocket_connections',
    help: 'Open WebSocket connections on this instance, by endpoint',
    labels: ['endpoint'],
    collect(g) {
      g.reset();
      for (const [endpoint, n] of w.websockets.connections()) g.set({ endpoint }, n);
    },
  });
  m.gauge({
    name: 'plinth_backup_last_success_timestamp_seconds',
    help: 'When the newest successful backup was started (any instance), in seconds since the epoch; 0 when none was taken',
    async collect(g) {
      g.reset();
      const { lastSuccess, lastFailure: failed } = await w.backups.status();
      if (lastSuccess) g.set(seconds(lastSuccess.at));
      lastFailure.reset();
      if (failed) lastFailure.set(seconds(failed.at));
    },
  });
  const lastFailure = m.gauge({
    name: 'plinth_backup_last_failure_timestamp_seconds',
    help: 'When the newest failed backup was started (any instance), in seconds since the epoch; 0 when none failed',
  });
}
