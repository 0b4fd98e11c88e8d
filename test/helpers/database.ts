import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The suite runs on PostgreSQL when DATABASE_URL points at one, otherwise on SQLite files. */
export const usingPostgres = /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '');

export interface TestDatabase {
  /** For config.database.url (null = SQLite in dataDir). */
  url: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

/** The PostgreSQL server: DATABASE_URL's when set, else the one that always runs beside the tests (and in CI). */
const postgresServer = () => (usingPostgres ? process.env.DATABASE_URL! : (process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'));

function adminUrl(): string {
  const url = new URL(postgresServer());
  url.pathname = '/postgres';
  return url.toString();
}

/**
 * A fresh, empty database (and data dir) per test app, so tests never see each other's rows.
 * `dialect: 'postgres'` makes a PostgreSQL database even on the SQLite pass (tests that are about PostgreSQL).
 */
export async function createTestDatabase(options: { dialect?: 'sqlite' | 'postgres' } = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-test-'));
  if ((options.dialect ?? (usingPostgres ? 'postgres' : 'sqlite')) === 'sqlite') {
    return { url: null, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `plinth_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresServer());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
