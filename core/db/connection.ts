import fs from 'node:fs';
import path from 'node:path';
import knexModule, { type Knex } from 'knex';
import type { CoreConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { SqliteClient } from './sqlite-client.js';
import { PgClient } from './pg-client.js';
import type { WalSyncError } from './wal-sync.js';
import type { StatementObserver } from '../observability/core-metrics.js';

export type { Knex };
export type Dialect = 'sqlite' | 'postgres';

const knex = (knexModule as unknown as { default?: typeof knexModule }).default ?? knexModule;

export function dialectOf(config: CoreConfig): Dialect {
  return config.database.url && /^postgres(ql)?:/.test(config.database.url) ? 'postgres' : 'sqlite';
}

export function sqliteFile(config: CoreConfig): string {
  const url = config.database.url;
  if (url && !/^postgres/.test(url)) return path.resolve(config.dataDir, url.replace(/^(sqlite|file):(\/\/)?/, ''));
  return path.join(config.dataDir, 'plinth.sqlite');
}

export interface DatabaseOptions {
  /** Where a fatal fault is logged (at fatal, with the file and the error). */
  logger?: Logger;
  /**
   * The database can no longer be trusted with a write: SQLite's write-ahead log failed to sync
   * (sqlite-client.ts). Called once, after the log line; every statement after it is refused. The
   * owner of the process decides what follows (`plinth start` exits, so that SQLite recovers from
   * the log on the next open); the database layer never ends the process itself.
   */
  onFatal?: (err: WalSyncError) => void;
  /** Told each statement's duration (the metrics); one call per statement, nothing built for it. */
  statements?: StatementObserver;
}

/**
 * Each PostgreSQL connection compresses large values (a message's raw bytes and bodies, a step's
 * output) with lz4 rather than pglz, where the server was built with it (PostgreSQL 14 and later,
 * as Debian's and the official images are): a few times less CPU to write and read them, about the
 * same size on disk (docs/performance.md). A column given its own method keeps it; values already
 * stored keep theirs. A server without lz4 is left at its default.
 */
const TOAST_WITH_LZ4 =
  "select set_config('default_toast_compression', 'lz4', false) from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)";

type PgConnection = { query(sql: string, callback: (err: Error | null) => void): void };

export function createDatabase(config: CoreConfig, options: DatabaseOptions = {}): Knex {
  if (dialectOf(config) === 'postgres') {
    const db = knex({
      client: PgClient as unknown as typeof knex.Client,
      connection: config.database.url!,
      pool: {
        min: 0,
        max: config.database.poolMax,
        afterCreate: (connection: PgConnection, done: (err: Error | null, connection: PgConnection) => void) =>
          connection.query(TOAST_WITH_LZ4, (err) => done(err, connection)),
      },
      statements: options.statements,
      preparedStatements: config.database.preparedStatements !== false,
    } as Knex.Config);
    // What the code (and rate-limiter-flexible) compares to tell the dialect: knex's own name for it.
    db.client.config.client = 'pg';
    return db;
  }
  const filename = sqliteFile(config);
  fs.mkdirSync(path.dirname(filename), { recursive: true });
  const db = knex({
    client: SqliteClient as unknown as typeof knex.Client,
    connection: { filename },
    useNullAsDefault: true,
    // One connection: SQLite has one writer, and a second pooled connection only trades
    // queueing in the pool for SQLITE_BUSY inside transactions. Its pragmas: sqlite-client.ts.
    pool: { min: 1, max: 1 },
    statements: options.statements,
    walSync: {
      onFailure: (err: WalSyncError) => {
        options.logger?.fatal({ err, file: err.file }, 'the write-ahead log could not be synced: refusing all work; restart to recover from the log');
        options.onFatal?.(err);
      },
    },
  } as Knex.Config);
  // Tools that pick their SQL by the dialect's name (rate-limiter-flexible) read it here.
  db.client.config.client = 'better-sqlite3';
  return db;
}

/** Rows affected by an UPDATE/DELETE, whatever the driver returns. */
export const affected = (result: unknown): number => (typeof result === 'number' ? result : Array.isArray(result) ? result.length : 0);

/** True when an error is a unique-constraint violation, on SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(e.message ?? ''))
  );
}
