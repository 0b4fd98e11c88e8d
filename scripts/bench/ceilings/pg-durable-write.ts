import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { scratchDatabase } from '../lib/database.js';
import { releasingOnStop, startNodeServer } from '../lib/process.js';
import { CEILING_ROBOTS, messageReports } from './sqlite-durable-write.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'pg-durable-write.mjs');
const load = messageReports(CEILING_ROBOTS, '/');

/** The PostgreSQL twin of sqlite-durable-write (bench with BENCH_DATABASE_URL): the same load, the same rows. */
export const pgDurableWrite: Ceiling = {
  name: 'pg-durable-write',
  unit: 'req/s',
  describe:
    'bare node:http + raw pg (pool of 10), one transaction per POST (insert a ~100 B message row, bump a counter row, insert an outbox event row), ' +
    'synchronous_commit on',
  async start() {
    const db = await scratchDatabase('ceiling');
    return releasingOnStop(
      () =>
        startNodeServer('pg-durable-write', script, {
          NODE_ENV: 'production',
          BENCH_DB_URL: db.url,
          BENCH_ROBOT_IDS: CEILING_ROBOTS.map((r) => r.robotId).join(','),
        }),
      () => db.drop(),
    );
  },
  measure: (server, s) => measureHttp(server, load, s),
  warmup: (server, s) => warmupHttp(server, load, s),
};
