import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ceiling } from '../lib/context.js';
import { scratchDatabase } from '../lib/database.js';
import { startNodeServer } from '../lib/process.js';
import { measureSmtp } from './smtp-parse.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'pg-smtp-store.mjs');

/** The mail figure's load: ~2 KB messages over 10 connections. */
export const MAIL_LOAD = { connections: 10, bytes: 2048, domain: 'bench.test' };

/**
 * smtp-parse plus the one durable write a stored message needs, on PostgreSQL: the ceiling for
 * mail ingest there (bench with BENCH_DATABASE_URL), measured with the mail figure's load.
 */
export const pgSmtpStore: Ceiling = {
  name: 'pg-smtp-store',
  unit: 'msg/s',
  describe: 'bare smtp-server + postal-mime + one INSERT of the message row with its raw bytes through raw pg (pool of 10) before each 250',
  async start() {
    const db = await scratchDatabase('ceiling');
    try {
      const server = await startNodeServer('pg-smtp-store', script, { NODE_ENV: 'production', BENCH_DB_URL: db.url });
      return {
        ...server,
        stop: async () => {
          await server.stop();
          await db.drop();
        },
      };
    } catch (err) {
      await db.drop();
      throw err;
    }
  },
  measure: (server, s) => measureSmtp(server, s, s.smtpMessages, MAIL_LOAD),
  warmup: async (server, s) => {
    if (s.warmupSec > 0) await measureSmtp(server, s, Math.min(1000, s.smtpMessages), MAIL_LOAD);
  },
};
