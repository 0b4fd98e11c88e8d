import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

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
    const files = fs.readdirSync(dir).filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts')).sort();
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
    return { up: mod.up, down: mod.down ?? (async () => { throw new Error(`${migration.name} is forward-only`); }) };
  }
}

export const MIGRATIONS_TABLE = 'core_migrations';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs pending migrations, each in its own transaction. knex's lock table makes a second
 * process fail fast while another migrates; we wait for it and then find nothing left to do.
 */
export async function migrateLatest(db: Knex, folders: MigrationFolder[], waitMs = 60_000): Promise<string[]> {
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

export async function listApplied(db: Knex): Promise<Array<{ name: string; migration_time: unknown }>> {
  if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) return [];
  return db(MIGRATIONS_TABLE).select('name', 'migration_time').orderBy('id');
}
