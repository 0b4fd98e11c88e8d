import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import semver from 'semver';
import type { CoreConfig } from '../config/schema.js';
import { createDatabase, dialectOf, sqliteFile } from '../db/connection.js';
import { liveInstances } from '../instances.js';
import { packageVersion } from '../paths.js';
import { sha256OfFile } from '../secrets.js';
import { BACKUP_FORMAT_VERSION, type BackupManifest, extractArchive, syncDir, syncFile } from './archive.js';
import { pgRestore } from './postgres-tools.js';

export interface RestoreOptions {
  /** Replace a target that already holds data. */
  force: boolean;
  /** Keep the backup's deployment id (disaster recovery: this copy replaces the original). */
  sameDeployment: boolean;
  /** Migration names this Plinth knows (core and the enabled plugins): a backup with others is from a newer one. */
  knownMigrations: string[];
}

export interface RestoreReport {
  manifest: BackupManifest;
  target: string;
  /** The deployment id the restored database has now. */
  deploymentId: string;
  replaced: boolean;
}

/** A restore that was not started, and why; the message says what to do instead. Nothing was changed. */
export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

/**
 * Restores a backup into the configured database: the data dir's SQLite file, or the PostgreSQL
 * database of DATABASE_URL. Everything is checked before anything is touched: the archive and its
 * checksum, its format and Plinth version, the database kind, that no server runs on the target and
 * that the target is empty (unless `force`). A restored copy gets a new deployment id unless
 * `sameDeployment`, so it never shares Redis channels with the deployment it was copied from.
 * Migrations the backup lacks are the caller's next step (plinth restore boots the app once).
 */
export async function restoreBackup(config: CoreConfig, file: string, options: RestoreOptions): Promise<RestoreReport> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new RestoreRefused(`${file}: no such backup file`);
  const dialect = dialectOf(config);
  const target = dialect === 'sqlite' ? sqliteFile(config) : redact(config.database.url!);
  const stagingParent = dialect === 'sqlite' ? path.dirname(sqliteFile(config)) : os.tmpdir();
  await fs.promises.mkdir(stagingParent, { recursive: true });
  const staging = await fs.promises.mkdtemp(path.join(stagingParent, '.restore-'));
  try {
    const manifest = await readChecked(file, staging, options.knownMigrations);
    if (manifest.database !== dialect) {
      throw new RestoreRefused(
        `${file} is a ${manifest.database} backup and this install is configured for ${dialect} (${target}): ` +
          `restore it into ${manifest.database}; moving between SQLite and PostgreSQL is not done by restore`,
      );
    }
    const payload = path.join(staging, manifest.payload.file);
    const replaced = await checkTarget(config, target, options.force);
    if (dialect === 'sqlite') await replaceSqlite(sqliteFile(config), payload);
    else await replacePostgres(config.database.url!, payload, replaced);
    const deploymentId = await settleRestored(config, options.sameDeployment ? manifest.deploymentId : null);
    return { manifest, target, deploymentId, replaced };
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/** Unpacks the archive and checks it is whole and readable by this Plinth. */
async function readChecked(file: string, staging: string, knownMigrations: string[]): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = await extractArchive(file, staging);
  } catch (err) {
    throw new RestoreRefused(`${(err as Error).message}; nothing was changed`);
  }
  if (manifest.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new RestoreRefused(
      `${file} was written in backup format ${manifest.formatVersion} by Plinth ${manifest.plinthVersion}: upgrade Plinth to restore it`,
    );
  }
  const payload = path.join(staging, manifest.payload.file);
  const whole = fs.existsSync(payload) && (await sha256OfFile(payload)) === manifest.payload.sha256;
  if (!whole) {
    throw new RestoreRefused(`${file} is damaged: its database copy does not match the checksum in its manifest; restore another backup`);
  }
  if (semver.valid(manifest.plinthVersion) && semver.gt(manifest.plinthVersion, packageVersion)) {
    throw new RestoreRefused(
      `${file} was made by Plinth ${manifest.plinthVersion} and this is ${packageVersion}: upgrade Plinth to ${manifest.plinthVersion} or later`,
    );
  }
  const known = new Set(knownMigrations);
  const owners = new Set(knownMigrations.map((m) => m.split('/')[0]));
  const unknown = manifest.migrations.filter((m) => owners.has(m.split('/')[0]) && !known.has(m));
  if (unknown.length) {
    throw new RestoreRefused(
      `${file} holds migrations this Plinth does not have (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''}): ` +
        'it was made by a newer Plinth; upgrade before restoring',
    );
  }
  return manifest;
}

/** Refuses a target a server runs on, or one with data unless `force`; returns whether it held data. */
async function checkTarget(config: CoreConfig, target: string, force: boolean): Promise<boolean> {
  if (dialectOf(config) === 'sqlite' && !fs.existsSync(sqliteFile(config))) return false;
  const db = createDatabase(config);
  try {
    const running = await liveInstances(db);
    if (running.length) {
      const seen = running.map((i) => `${i.host} pid ${i.pid}, seen ${Math.round((Date.now() - Date.parse(i.seen_at)) / 1000)}s ago`).join('; ');
      throw new RestoreRefused(
        `a Plinth server is running on ${target} (${seen}): stop every instance first; restore replaces the whole database. ` +
          'If it was killed, its heartbeat goes stale within 30 s.',
      );
    }
    const tables = await tablesOf(db, dialectOf(config));
    if (tables.length && !force) {
      throw new RestoreRefused(
        `${target} already holds data (${tables.length} tables): restore into an empty data dir or database, ` +
          'or pass --force to replace it (take a backup of it first: plinth backup)',
      );
    }
    return tables.length > 0;
  } finally {
    await db.destroy();
  }
}

async function tablesOf(db: Knex, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  if (dialect === 'sqlite') return db('sqlite_master').where('type', 'table').whereNot('name', 'like', 'sqlite_%').pluck('name');
  return db('pg_tables').where('schemaname', db.raw('current_schema()')).pluck('tablename');
}

/** Puts the restored file in place: the old log must go first, or SQLite would replay it onto the new file. */
async function replaceSqlite(file: string, payload: string): Promise<void> {
  for (const suffix of ['-wal', '-shm', '-journal']) await fs.promises.rm(`${file}${suffix}`, { force: true });
  await syncFile(payload);
  await fs.promises.chmod(payload, 0o600);
  await fs.promises.rename(payload, file);
  await syncDir(path.dirname(file));
}

/** Empties the schema when it held data (force), then pg_restore in one transaction. */
async function replacePostgres(url: string, dump: string, holdsData: boolean): Promise<void> {
  if (holdsData) {
    const db = createDatabase({ database: { url, poolMax: 1 } } as CoreConfig);
    try {
      await db.transaction(async (trx) => {
        for (const kind of ['VIEW', 'TABLE', 'SEQUENCE'] as const) {
          const names = await objectsOf(trx, kind);
          if (names.length) await trx.raw(`DROP ${kind} IF EXISTS ${names.map(() => '??').join(', ')} CASCADE`, names);
        }
      });
    } finally {
      await db.destroy();
    }
  }
  await pgRestore(url, dump);
}

async function objectsOf(trx: Knex.Transaction, kind: 'VIEW' | 'TABLE' | 'SEQUENCE'): Promise<string[]> {
  const relkind = { VIEW: 'v', TABLE: 'r', SEQUENCE: 'S' }[kind];
  const rows = await trx.raw(
    'select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind = ?',
    [relkind],
  );
  return rows.rows.map((r: { name: string }) => r.name);
}

/**
 * The restored database's bookkeeping: the original's instance heartbeats are not this deployment's
 * servers; the deployment id is the backup's (same deployment) or a new one (a copy).
 */
async function settleRestored(config: CoreConfig, keepDeployment: string | null): Promise<string> {
  const db = createDatabase(config);
  try {
    const id = keepDeployment ?? randomBytes(6).toString('hex');
    await db.transaction(async (trx) => {
      if (await trx.schema.hasTable('core_instances')) await trx('core_instances').delete();
      await trx('core_kv').insert({ key: 'deployment_id', value: id, created_at: new Date().toISOString() }).onConflict('key').merge(['value']);
    });
    return id;
  } finally {
    await db.destroy();
  }
}

/** A database URL without its password, for messages. */
const redact = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};
