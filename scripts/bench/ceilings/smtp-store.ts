import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ceiling } from '../lib/context.js';
import { scratchDatabase } from '../lib/database.js';
import { makeTempDir, releasingOnStop, removeTempDir, startNodeServer } from '../lib/process.js';
import { measureSmtp, warmupSmtp } from './smtp-parse.js';

const servers = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers');

/**
 * smtp-parse plus the one durable write a stored message needs, on PostgreSQL: the ceiling for
 * mail ingest there (bench with BENCH_DATABASE_URL).
 */
export const pgSmtpStore: Ceiling = {
  name: 'pg-smtp-store',
  unit: 'msg/s',
  describe: 'bare smtp-server + postal-mime + one INSERT of the message row with its raw bytes through raw pg (pool of 10) before each 250',
  async start() {
    const db = await scratchDatabase('ceiling');
    return releasingOnStop(
      () => startNodeServer('pg-smtp-store', path.join(servers, 'pg-smtp-store.mjs'), { NODE_ENV: 'production', BENCH_DB_URL: db.url }),
      () => db.drop(),
    );
  },
  measure: (server, s) => measureSmtp(server, s),
  warmup: warmupSmtp,
};

/**
 * Its twin on SQLite, the ceiling for mail ingest there: the same row, durable before each 250 as
 * Plinth's SQLite client makes writes durable, at best.
 */
export const sqliteSmtpStore: Ceiling = {
  name: 'sqlite-smtp-store',
  unit: 'msg/s',
  describe:
    'bare smtp-server + postal-mime + one INSERT of the message row with its raw bytes through raw better-sqlite3 before each 250 ' +
    '(group commits, the WAL fdatasynced off the main thread)',
  async start() {
    const dir = makeTempDir('sqlite-smtp');
    return releasingOnStop(
      () => startNodeServer('sqlite-smtp-store', path.join(servers, 'sqlite-smtp-store.mjs'), { NODE_ENV: 'production', BENCH_DB_DIR: dir }),
      () => removeTempDir(dir),
    );
  },
  measure: (server, s) => measureSmtp(server, s),
  warmup: warmupSmtp,
};
