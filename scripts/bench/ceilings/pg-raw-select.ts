import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp, type LoadRequest } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { scratchDatabase } from '../lib/database.js';
import { releasingOnStop, startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'pg-raw-select.mjs');
const ROWS = 10000;

/** The PostgreSQL twin of sqlite-raw-select (bench with BENCH_DATABASE_URL). */
export function pgRawSelect(name: string, reply: object, request: LoadRequest, what: string): Ceiling {
  return {
    name,
    unit: 'req/s',
    describe: `bare Koa + raw pg (pool of 10), SELECT by random id of ${ROWS} rows; ${what}`,
    async start() {
      const db = await scratchDatabase('ceiling');
      const env = { NODE_ENV: 'production', BENCH_DB_URL: db.url, BENCH_ROWS: String(ROWS), BENCH_REPLY: JSON.stringify(reply) };
      return releasingOnStop(
        () => startNodeServer(name, script, env),
        () => db.drop(),
      );
    },
    measure: (server, s) => measureHttp(server, request, s),
    warmup: (server, s) => warmupHttp(server, request, s),
  };
}
