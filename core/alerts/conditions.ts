import fs from 'node:fs';
import type { Knex } from 'knex';
import type { Backups } from '../backup/backups.js';
import type { CoreConfig } from '../config/schema.js';
import type { Retention } from '../retention.js';
import type { Scheduler } from '../scheduler.js';
import type { AlertCheck, AlertReport } from './alerts.js';
import type { WindowedRate } from './rates.js';

/** What the core's conditions read, passed by name. */
export interface CoreConditionDeps {
  db: Knex;
  config: CoreConfig;
  scheduler: Scheduler;
  backups: Backups;
  retention: Retention;
  /** The SQLite file, or null on PostgreSQL. */
  sqliteFile: string | null;
  /** HTTP responses (bad: 5xx) over the window. */
  http: WindowedRate;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const size = (bytes: number) => (bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`);
/** The first line of an error (a stack's message), short enough for a summary. */
const firstLine = (text: string | null | undefined) => (text ?? '').split('\n')[0].slice(0, 200);

/** Dead events: delivery gave up after events.maxAttempts; they wait for an operator (replay on the System page). */
async function deadEvents({ db, config }: CoreConditionDeps): Promise<AlertReport[]> {
  const threshold = config.alerts.thresholds.deadEvents;
  const dead = Number((await db('core_events').where('status', 'dead').count({ n: '*' }))[0].n);
  if (dead <= threshold) return [];
  const newest = await db('core_events').where('status', 'dead').orderBy('id', 'desc').first('id', 'name', 'last_error');
  return [
    {
      key: 'events.dead',
      severity: 'warning',
      summary: `${plural(dead, 'dead event')} in the outbox (newest: ${newest?.name} #${newest?.id})`,
      details: { dead, threshold, newest_id: Number(newest?.id), newest_event: newest?.name, newest_error: firstLine(newest?.last_error) },
      message: { id: 'shell.alert.events.dead', values: { dead, event: String(newest?.name), id: String(newest?.id) } },
    },
  ];
}

/** A job whose last N finished runs all failed, one alert per job (`jobs.failing:<job>`). */
async function failingJobs({ db, config, scheduler }: CoreConditionDeps): Promise<AlertReport[]> {
  const n = config.alerts.thresholds.jobFailuresInARow;
  const out: AlertReport[] = [];
  for (const { name } of scheduler.list()) {
    const runs = await db('core_job_runs')
      .where('job', name)
      .whereIn('status', ['succeeded', 'failed'])
      .orderBy('id', 'desc')
      .limit(n)
      .select('status', 'error', 'finished_at');
    if (runs.length < n || runs.some((r) => r.status !== 'failed')) continue;
    out.push({
      key: `jobs.failing:${name}`,
      severity: 'warning',
      summary: `Job ${name} failed ${plural(n, 'time')} in a row: ${firstLine(runs[0].error)}`,
      details: { job: name, failures_in_a_row: n, last_failed_at: runs[0].finished_at, error: firstLine(runs[0].error) },
      message: { id: 'shell.alert.jobs.failing', values: { job: name, n, error: firstLine(runs[0].error) } },
    });
  }
  return out;
}

/** The last backup failed: its failure is newer than the last success (cleared by the next backup that succeeds). */
async function failedBackup({ backups }: CoreConditionDeps): Promise<AlertReport[]> {
  const { lastSuccess, lastFailure } = await backups.status();
  if (!lastFailure || (lastSuccess && lastSuccess.at >= lastFailure.at)) return [];
  return [
    {
      key: 'backup.failed',
      severity: 'critical',
      summary: `The last backup failed (${lastFailure.trigger}): ${firstLine(lastFailure.error)}`,
      details: { failed_at: lastFailure.at, trigger: lastFailure.trigger, error: lastFailure.error, last_success_at: lastSuccess?.at ?? null },
      message: { id: 'shell.alert.backup.failed', values: { trigger: lastFailure.trigger, error: firstLine(lastFailure.error) } },
    },
  ];
}

/** The database's size on disk past alerts.thresholds.databaseBytes. */
async function databaseSize({ config, retention, sqliteFile }: CoreConditionDeps): Promise<AlertReport[]> {
  const threshold = config.alerts.thresholds.databaseBytes;
  if (threshold === null) return [];
  const bytes = await retention.databaseBytes(sqliteFile);
  if (bytes <= threshold) return [];
  return [
    {
      key: 'database.size',
      severity: 'warning',
      summary: `The database is ${size(bytes)}, past ${size(threshold)} (alerts.thresholds.databaseBytes)`,
      details: { bytes, threshold },
      message: { id: 'shell.alert.database.size', values: { size: size(bytes), threshold: size(threshold) } },
    },
  ];
}

/**
 * Free space on the file system of the data folder (the SQLite database, its log, local backups)
 * under alerts.thresholds.diskFreeBytes or diskFreePercent: a full disk stops every write.
 */
async function diskFree({ config }: CoreConditionDeps): Promise<AlertReport[]> {
  const { diskFreeBytes, diskFreePercent } = config.alerts.thresholds;
  const stats = await fs.promises.statfs(config.dataDir);
  const free = stats.bavail * stats.bsize;
  const total = stats.blocks * stats.bsize;
  const percent = total > 0 ? (free / total) * 100 : 100;
  const low = (diskFreeBytes > 0 && free < diskFreeBytes) || (diskFreePercent > 0 && percent < diskFreePercent);
  if (!low) return [];
  return [
    {
      key: 'disk.free',
      severity: 'critical',
      summary: `${size(free)} free (${percent.toFixed(1)} %) on the disk of ${config.dataDir}`,
      details: { path: config.dataDir, free_bytes: free, total_bytes: total, free_percent: Number(percent.toFixed(2)), diskFreeBytes, diskFreePercent },
      message: { id: 'shell.alert.disk.free', values: { free: size(free), percent: percent.toFixed(1), path: config.dataDir } },
    },
  ];
}

/** HTTP 5xx answers over the window: at least http5xxMin of them, and at least http5xxRate of every answer. */
async function http5xx({ config, http }: CoreConditionDeps): Promise<AlertReport[]> {
  const { http5xxRate, http5xxMin, rateWindowMinutes } = config.alerts.thresholds;
  const window = await http.over(rateWindowMinutes * 60_000);
  if (window.bad < http5xxMin || window.rate < http5xxRate) return [];
  const percent = (window.rate * 100).toFixed(1);
  return [
    {
      key: 'http.5xx',
      severity: 'critical',
      summary: `${percent} % of HTTP requests failed with a 5xx in the last ${plural(rateWindowMinutes, 'minute')} (${window.bad} of ${window.total})`,
      details: { errors: window.bad, requests: window.total, rate: window.rate, window_minutes: rateWindowMinutes, http5xxRate, http5xxMin },
      message: { id: 'shell.alert.http.5xx', values: { percent, minutes: rateWindowMinutes, bad: String(window.bad), total: String(window.total) } },
    },
  ];
}

/** The core's conditions about the instance that evaluates (its disk, the requests it served), not the deployment. */
export const PER_INSTANCE = new Set(['disk.free', 'http.5xx']);

/** The core's conditions by name; plugins add theirs through the `alerts` service in their register(). */
export function coreConditions(d: CoreConditionDeps): Record<string, AlertCheck> {
  return {
    'events.dead': () => deadEvents(d),
    'jobs.failing': () => failingJobs(d),
    'backup.failed': () => failedBackup(d),
    'database.size': () => databaseSize(d),
    'disk.free': () => diskFree(d),
    'http.5xx': () => http5xx(d),
  };
}
