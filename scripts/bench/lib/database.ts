// Which database the bench runs Plinth on: SQLite in each server's own temp data dir (default), or
// PostgreSQL when BENCH_DATABASE_URL names a server (e.g. postgres://postgres@127.0.0.1:5432/postgres):
// then every Plinth process and every raw-driver ceiling gets a fresh database of its own, dropped
// when it stops, so figures never read each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const benchDatabaseUrl = process.env.BENCH_DATABASE_URL || null;
export const benchDialect: 'sqlite' | 'postgres' = benchDatabaseUrl ? 'postgres' : 'sqlite';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl! });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database for one server (only with BENCH_DATABASE_URL). */
export async function scratchDatabase(label: string): Promise<ScratchDatabase> {
  if (!benchDatabaseUrl) throw new Error('scratchDatabase needs BENCH_DATABASE_URL');
  const name = `bench_${label.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(benchDatabaseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

/**
 * The environment that points one Plinth process (or in-process worker) at its database: nothing
 * for SQLite (the data dir holds it), a fresh DATABASE_URL on PostgreSQL; `drop` after it stops.
 */
export async function databaseEnv(label: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (!benchDatabaseUrl) return { env: {}, drop: async () => {} };
  const db = await scratchDatabase(label);
  return { env: { DATABASE_URL: db.url }, drop: db.drop };
}
