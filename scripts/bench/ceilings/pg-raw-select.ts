import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { scratchDatabase } from '../lib/database.js';
import { startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'pg-raw-select.mjs');
const ROWS = 10000;

/** The PostgreSQL twin of sqlite-raw-select (bench with BENCH_DATABASE_URL). */
export const pgRawSelect: Ceiling = {
  name: 'pg-raw-select',
  unit: 'req/s',
  describe: `bare Koa + raw pg (pool of 10), SELECT by random id of ${ROWS} rows`,
  async start() {
    const db = await scratchDatabase('ceiling');
    try {
      const server = await startNodeServer('pg-raw-select', script, { NODE_ENV: 'production', BENCH_DB_URL: db.url, BENCH_ROWS: String(ROWS) });
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
  measure: (server, s) => measureHttp(server, { path: '/' }, s),
  warmup: (server, s) => warmupHttp(server, { path: '/' }, s),
};
