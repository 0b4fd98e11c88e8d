import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { isUniqueViolation } from './connection.js';

export interface MigrationFolder {
  /** `core` or the plugin's name; migrations are recorded as `<owner>/<file>`. */
  owner: string;
  dir: string;
}

interface MigrationEntry {
  name: string;
  file: string;
}

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

const MIGRATION_FILE = /^\d{14}_[\w-]+\.(ts|js|mjs)$/;

/** Lists migrations by name without extension, so source (tsx) and built (dist) runs record the same names. */
export function listMigrations(folders: MigrationFolder[]): MigrationEntry[] {
  const entries: MigrationEntry[] = [];
  for (const { owner, dir } of folders) {
    if (!fs.existsSync(dir)) continue;
    const files = fs
      .readdirSync(dir)
      .filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts'))
      .sort();
    for (const file of files) entries.push({ name: `${owner}/${file.replace(/\.(ts|js|mjs)$/, '')}`, file: path.join(dir, file) });
  }
  return entries;
}

/** One knex MigrationSource over core's folder then each plugin's, in plugin order. */
export class PlinthMigrationSource implements Knex.MigrationSource<MigrationEntry> {
  constructor(private readonly folders: MigrationFolder[]) {}
  async getMigrations(): Promise<MigrationEntry[]> {
    return listMigrations(this.folders);
  }
  getMigrationName(migration: MigrationEntry): string {
    return migration.name;
  }
  async getMigration(migration: MigrationEntry): Promise<Knex.Migration> {
    const mod = (await import(pathToFileURL(migration.file).href)) as MigrationModule;
    return {
      up: mod.up,
      down:
        mod.down ??
        (async () => {
          throw new Error(`${migration.name} is forward-only`);
        }),
    };
  }
}

export const MIGRATIONS_TABLE = 'core_migrations';
const LOCK_TABLE = `${MIGRATIONS_TABLE}_lock`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs pending migrations, each in its own transaction. knex's lock table makes a second
 * process fail fast while another migrates; we wait for it and then find nothing left to do.
 */
export async function migrateLatest(db: Knex, folders: MigrationFolder[], waitMs = 60_000): Promise<string[]> {
  await ensureMigrationTables(db);
  const config: Knex.MigratorConfig = {
    migrationSource: new PlinthMigrationSource(folders),
    tableName: MIGRATIONS_TABLE,
    // A disabled plugin's past migrations are absent from the list; that is not corruption.
    disableMigrationsListValidation: true,
  };
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const [, names] = (await db.migrate.latest(config)) as [number, string[]];
      return names;
    } catch (err) {
      const locked = (err as Error).name === 'MigrationLocked' || /already locked/i.test((err as Error).message);
      if (!locked || Date.now() > deadline) throw err;
      await sleep(100 + Math.random() * 200);
    }
  }
}

/**
 * Creates knex's bookkeeping tables (the shape knex gives them) before knex looks for them. knex checks
 * then creates, so two processes on a fresh database both try to create them (one fails), and both may
 * insert a lock row — two rows leave the lock "already locked" for ever. Here a lost create race is
 * looked at again, and the lock row has a fixed key, so a second insert fails instead of adding a row.
 */
async function ensureMigrationTables(db: Knex): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) {
        await db.schema.createTable(MIGRATIONS_TABLE, (t) => {
          t.increments();
          t.string('name');
          t.integer('batch');
          t.timestamp('migration_time');
        });
      }
      if (!(await db.schema.hasTable(LOCK_TABLE))) {
        await db.schema.createTable(LOCK_TABLE, (t) => {
          t.increments('index').primary();
          t.integer('is_locked');
        });
      }
      break;
    } catch (err) {
      if (attempt >= 5) throw err; // another process created a table between our look and our create
      await sleep(50 + Math.random() * 100);
    }
  }
  if (await db(LOCK_TABLE).first()) return;
  try {
    await db(LOCK_TABLE).insert({ index: 1, is_locked: 0 });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function listApplied(db: Knex): Promise<Array<{ name: string; migration_time: unknown }>> {
  if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) return [];
  return db(MIGRATIONS_TABLE).select('name', 'migration_time').orderBy('id');
}
