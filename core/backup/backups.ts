import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { CoreConfig } from '../config/schema.js';
import { type Dialect, sqliteFile } from '../db/connection.js';
import { listApplied } from '../db/migrations.js';
import { AppError } from '../errors.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Logger } from '../logger.js';
import { packageVersion } from '../paths.js';
import { sha256OfFile } from '../secrets.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest, payloadFileOf, writeArchive } from './archive.js';
import { LocalBackupStore } from './local-store.js';
import { pgDump } from './postgres-tools.js';
import { snapshotSqlite } from './sqlite-snapshot.js';
import type { BackupMetrics } from '../observability/core-metrics.js';
import { type BackupLocation, type BackupStore, backupName, newestFirst, type StoredBackup } from './store.js';
import { CoreErrors } from '../core-errors.js';

export type BackupTrigger = 'schedule' | 'manual' | 'cli';

/** One backup taken: where it went and what it holds. */
export interface BackupResult {
  name: string;
  /** The archive on this machine. */
  file: string;
  bytes: number;
  locations: BackupLocation[];
  manifest: BackupManifest;
  /** Backups deleted because each destination keeps `backup.keep`. */
  pruned: number;
}

export interface BackupOutcome {
  at: string;
  trigger: BackupTrigger;
  name: string | null;
  bytes: number | null;
  error: string | null;
}

/** The newest success and the newest failure, whichever instance had them: what the System page shows. */
export interface BackupStatus {
  lastSuccess: BackupOutcome | null;
  lastFailure: BackupOutcome | null;
}

const STATUS_KEY = 'backup.status';

/** Hook names (core/hooks): facts about backups, for whoever keeps an audit log. */
export const BACKUP_CREATED = 'core.backup.created';
export const BACKUP_FAILED = 'core.backup.failed';

export interface BackupsDeps {
  db: Knex;
  dialect: Dialect;
  config: CoreConfig;
  hooks: Hooks;
  logger: Logger;
  remote: BackupStore | null;
  metrics?: BackupMetrics | null;
}

/**
 * Consistent backups of the whole database while the server serves: SQLite through VACUUM INTO on
 * a worker thread, PostgreSQL through pg_dump. Each backup is one archive (manifest + database
 * copy, checksummed) written to the local folder and copied to S3 when one is configured; each
 * destination keeps the newest `backup.keep`. Restoring is `plinth restore` (restore.ts), with the
 * server stopped.
 */
export class Backups {
  readonly local: LocalBackupStore;
  private readonly stores: BackupStore[];
  private running: Promise<BackupResult> | null = null;

  constructor(private readonly deps: BackupsDeps) {
    this.local = new LocalBackupStore(path.resolve(deps.config.backup.dir ?? path.join(deps.config.dataDir, 'backups')));
    this.stores = deps.remote ? [this.local, deps.remote] : [this.local];
  }

  /** The destinations, for people: the folder, and the bucket when there is one. */
  destinations(): Array<{ location: BackupLocation; where: string }> {
    return this.stores.map((s) => ({ location: s.location, where: s.where }));
  }

  /**
   * Takes a backup. With `out`, only to that file (no destination, nothing pruned); otherwise to
   * every destination. One at a time per instance: a second call while one runs is refused.
   */
  create(options: { trigger: BackupTrigger; out?: string }): Promise<BackupResult> {
    if (this.running) throw CoreErrors.backupInProgress();
    this.running = this.take(options).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async list(): Promise<StoredBackup[]> {
    const lists = await Promise.all(this.stores.map((s) => s.list()));
    return lists.flat().sort(newestFirst);
  }

  read(name: string, location: BackupLocation = 'local') {
    return this.store(location).read(name);
  }

  async remove(name: string, location: BackupLocation): Promise<void> {
    const store = this.store(location);
    if (!(await store.list()).some((b) => b.name === name)) throw AppError.notFound(`no backup named "${name}" in ${store.where}`);
    await store.remove(name);
  }

  close(): void {
    for (const store of this.stores) store.close?.();
  }

  async status(): Promise<BackupStatus> {
    const row = await this.deps.db('core_kv').where('key', STATUS_KEY).first('value');
    return row ? (JSON.parse(row.value) as BackupStatus) : { lastSuccess: null, lastFailure: null };
  }

  private store(location: BackupLocation): BackupStore {
    const store = this.stores.find((s) => s.location === location);
    if (!store) throw AppError.notFound(`no backup destination "${location}" is configured`);
    return store;
  }

  private async take({ trigger, out }: { trigger: BackupTrigger; out?: string }): Promise<BackupResult> {
    const started = new Date();
    const clockStarted = performance.now();
    const counted = (outcome: 'succeeded' | 'failed') => {
      this.deps.metrics?.taken.inc({ outcome, trigger });
      this.deps.metrics?.duration.observe({ outcome }, (performance.now() - clockStarted) / 1000);
    };
    const name = backupName(started, this.deps.dialect, packageVersion);
    const file = path.resolve(out ?? this.local.pathOf(name));
    let staging: string | null = null;
    try {
      staging = await this.staging(path.dirname(file));
      const manifest = await this.snapshot(staging, started);
      await writeArchive(staging, manifest, file);
      const bytes = (await fs.promises.stat(file)).size;
      const locations: BackupLocation[] = [];
      let pruned = 0;
      if (!out) {
        for (const store of this.stores) {
          await store.put(file, name);
          locations.push(store.location);
          pruned += await this.prune(store);
        }
      }
      const result: BackupResult = { name: out ? path.basename(file) : name, file, bytes, locations, manifest, pruned };
      await this.record({ at: started.toISOString(), trigger, name: result.name, bytes, error: null });
      this.deps.logger.info({ backup: result.name, bytes, locations, pruned, trigger }, 'backup taken');
      await this.deps.hooks.notify(BACKUP_CREATED, { trigger, name: result.name, bytes, locations });
      counted('succeeded');
      return result;
    } catch (err) {
      const message = (err as Error).message;
      counted('failed');
      this.deps.logger.error({ err, trigger }, 'backup failed');
      await this.record({ at: started.toISOString(), trigger, name: null, bytes: null, error: message }).catch(() => undefined);
      await this.deps.hooks.notify(BACKUP_FAILED, { trigger, error: message });
      throw err;
    } finally {
      if (staging) await fs.promises.rm(staging, { recursive: true, force: true });
    }
  }

  /** A private folder beside the archive (same file system: the final rename is atomic). */
  private async staging(dir: string): Promise<string> {
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    return fs.promises.mkdtemp(path.join(dir, '.backup-'));
  }

  private async snapshot(staging: string, createdAt: Date): Promise<BackupManifest> {
    const payload = path.join(staging, payloadFileOf(this.deps.dialect));
    // Read before the copy: a migration can only run at boot, so these are the copy's too.
    const migrations = (await listApplied(this.deps.db)).map((m) => m.name);
    const deployment = await this.deps.db('core_kv').where('key', 'deployment_id').first('value');
    if (this.deps.dialect === 'sqlite') await snapshotSqlite(sqliteFile(this.deps.config), payload);
    else await pgDump(this.deps.config.database.url!, payload);
    await fs.promises.chmod(payload, 0o600);
    return {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      plinthVersion: packageVersion,
      database: this.deps.dialect,
      migrations,
      createdAt: createdAt.toISOString(),
      deploymentId: (deployment?.value as string | undefined) ?? null,
      payload: { file: path.basename(payload), bytes: (await fs.promises.stat(payload)).size, sha256: await sha256OfFile(payload) },
    };
  }

  /** Deletes a destination's backups beyond the newest `keep`. */
  private async prune(store: BackupStore): Promise<number> {
    const old = (await store.list()).sort(newestFirst).slice(this.deps.config.backup.keep);
    for (const backup of old) await store.remove(backup.name);
    return old.length;
  }

  private async record(outcome: BackupOutcome): Promise<void> {
    const status = await this.status();
    const next: BackupStatus = outcome.error ? { ...status, lastFailure: outcome } : { ...status, lastSuccess: outcome };
    await this.deps
      .db('core_kv')
      .insert({ key: STATUS_KEY, value: JSON.stringify(next), created_at: outcome.at })
      .onConflict('key')
      .merge(['value', 'created_at']);
  }
}
