import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp, type LoadRequest } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { makeTempDir, releasingOnStop, removeTempDir, startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'sqlite-raw-select.mjs');
const ROWS = 10000;

/** Bare Koa + raw better-sqlite3 answering `request` with a row shaped as `reply` (see ceilings/index.ts `rawSelect`). */
export function sqliteRawSelect(name: string, reply: object, request: LoadRequest, what: string): Ceiling {
  return {
    name,
    unit: 'req/s',
    describe: `bare Koa + raw better-sqlite3, SELECT by random id of ${ROWS} rows, WAL; ${what}`,
    async start() {
      const dir = makeTempDir('sqlite');
      const env = { NODE_ENV: 'production', BENCH_DB_DIR: dir, BENCH_ROWS: String(ROWS), BENCH_REPLY: JSON.stringify(reply) };
      return releasingOnStop(
        () => startNodeServer(name, script, env),
        () => removeTempDir(dir),
      );
    },
    measure: (server, s) => measureHttp(server, request, s),
    warmup: (server, s) => warmupHttp(server, request, s),
  };
}
