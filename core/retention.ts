import fs from 'node:fs';
import type { Knex } from 'knex';
import { iso, type Clock } from './clock.js';
import type { RetentionSettings } from './config/schema.js';
import type { Logger } from './logger.js';
import { reportBatch, reportDeleted } from './scheduler.js';

export interface RetentionReport {
  at: string;
  events: number;
  handled: number;
  jobRuns: number;
  outboxMails: number;
  rateLimitKeys: number;
  batches: number;
  /** The slowest batch, in milliseconds: what any other writer may have waited at most. */
  slowestBatchMs: number;
  ms: number;
}

export interface RetentionDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  settings: RetentionSettings;
}

/**
 * Deletes the platform's own bookkeeping that would otherwise grow with traffic forever: delivered
 * events with their handled records, and job runs beyond the newest N per job. Run daily by the
 * `core.retention` job; see the README for every table that grows and what bounds it. What a run
 * deleted, per table, goes into the report of the job run it is part of (as every job's
 * `deleteInBatches` does), stored with that run and shown on the System page.
 */
export class Retention {
  constructor(private readonly deps: RetentionDeps) {}

  async run(): Promise<RetentionReport> {
    const started = performance.now();
    const report: RetentionReport = {
      at: iso(this.deps.clock.now()),
      events: 0,
      handled: 0,
      jobRuns: 0,
      outboxMails: 0,
      rateLimitKeys: 0,
      batches: 0,
      slowestBatchMs: 0,
      ms: 0,
    };
    const cutoff = iso(new Date(this.deps.clock.now().getTime() - this.deps.settings.deliveredEventDays * 86_400_000));
    for (const table of ['core_events', 'core_event_handled', 'core_job_runs']) reportDeleted(table, 0);
    for (;;) {
      const ids = (await this.deps
        .db('core_events')
        .where('status', 'delivered')
        .andWhere('delivered_at', '<', cutoff)
        // The delivered events' index order: the oldest first, no sort.
        .orderBy('delivered_at')
        .limit(this.deps.settings.batchSize)
        .pluck('id')) as number[];
      if (!ids.length) break;
      await this.batch(report, async (trx) => {
        const handled = Number(await trx('core_event_handled').whereIn('event_id', ids).delete());
        const events = Number(await trx('core_events').whereIn('id', ids).delete());
        report.handled += handled;
        report.events += events;
        reportDeleted('core_event_handled', handled);
        reportDeleted('core_events', events);
      });
    }
    const jobs = (await this.deps.db('core_job_runs').distinct('job').pluck('job')) as string[];
    for (const job of jobs) {
      const keepFrom = await this.deps
        .db('core_job_runs')
        .where('job', job)
        .orderBy('id', 'desc')
        .offset(this.deps.settings.jobRunsPerJob - 1)
        .first('id');
      if (!keepFrom) continue;
      report.jobRuns += await this.prune(report, 'core_job_runs', 'id', (q) =>
        q.where('job', job).andWhere('id', '<', keepFrom.id).whereNot('status', 'running'),
      );
    }
    const mailCutoff = iso(new Date(this.deps.clock.now().getTime() - this.deps.settings.mailOutboxDays * 86_400_000));
    report.outboxMails = await this.prune(report, 'core_mail_outbox', 'id', (q) => q.where('created_at', '<', mailCutoff));
    // The database rate-limit store (rateLimit.store = database) keeps a row per key; expired ones an hour on.
    if (await this.deps.db.schema.hasTable('core_rate_limits')) {
      report.rateLimitKeys = await this.prune(report, 'core_rate_limits', 'key', (q) => q.where('expire', '<', this.deps.clock.now().getTime() - 3_600_000));
    }
    report.ms = Math.round(performance.now() - started);
    this.deps.logger.info({ ...report }, 'retention ran');
    return report;
  }

  /**
   * Deletes the rows `where` picks, `batchSize` at a time, each batch its own transaction; returns
   * how many. Plugins prune their own tables with it (their retention jobs), so no delete holds a
   * table for long. Called from a job's run, it adds the count (0 too) and its batches to that
   * run's report (core/scheduler.ts), which the System page shows per job and table.
   */
  deleteInBatches(table: string, key: string, where: (q: Knex.QueryBuilder) => void): Promise<number> {
    return this.prune(null, table, key, where);
  }

  private async prune(report: RetentionReport | null, table: string, key: string, where: (q: Knex.QueryBuilder) => void): Promise<number> {
    let deleted = 0;
    reportDeleted(table, 0);
    for (;;) {
      const keys = await this.deps.db(table).where(where).orderBy(key).limit(this.deps.settings.batchSize).pluck(key);
      if (!keys.length) return deleted;
      await this.batch(report, async (trx) => {
        const n = Number(await trx(table).whereIn(key, keys).delete());
        deleted += n;
        reportDeleted(table, n);
      });
    }
  }

  private async batch(report: RetentionReport | null, work: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    const started = performance.now();
    await this.deps.db.transaction(work);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    reportBatch(ms);
    if (!report) return;
    report.batches++;
    report.slowestBatchMs = Math.max(report.slowestBatchMs, ms);
  }

  /** Rows per table, largest first, and the database's size on disk (bytes). */
  async sizes(sqliteFile: string | null): Promise<{ tables: Array<{ table: string; rows: number }>; databaseBytes: number | null }> {
    const names = sqliteFile
      ? ((await this.deps.db('sqlite_master').where('type', 'table').whereNot('name', 'like', 'sqlite_%').pluck('name')) as string[])
      : ((await this.deps.db('pg_tables').where('schemaname', this.deps.db.raw('current_schema()')).pluck('tablename')) as string[]);
    const tables = [];
    for (const table of names) tables.push({ table, rows: Number((await this.deps.db(table).count({ n: '*' }))[0].n) });
    tables.sort((a, b) => b.rows - a.rows || a.table.localeCompare(b.table));
    return { tables, databaseBytes: await this.databaseBytes(sqliteFile) };
  }

  /** The database's size on disk (bytes): the SQLite file and its log, or PostgreSQL's pg_database_size. */
  async databaseBytes(sqliteFile: string | null): Promise<number> {
    if (sqliteFile) return fileBytes(sqliteFile) + fileBytes(`${sqliteFile}-wal`);
    return Number((await this.deps.db.raw('select pg_database_size(current_database()) as n')).rows[0].n);
  }
}

function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
