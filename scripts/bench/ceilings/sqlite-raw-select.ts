import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { Ceiling } from '../lib/context.js';
import { makeTempDir, removeTempDir, startNodeServer } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'sqlite-raw-select.mjs');
const ROWS = 10000;

export const sqliteRawSelect: Ceiling = {
  name: 'sqlite-raw-select',
  unit: 'req/s',
  describe: `bare Koa + raw better-sqlite3, SELECT by random id of ${ROWS} rows, WAL`,
  async start() {
    const dir = makeTempDir('sqlite');
    try {
      const server = await startNodeServer('sqlite-raw-select', script, { NODE_ENV: 'production', BENCH_DB_DIR: dir, BENCH_ROWS: String(ROWS) });
      return {
        ...server,
        stop: async () => {
          await server.stop();
          removeTempDir(dir);
        },
      };
    } catch (err) {
      removeTempDir(dir);
      throw err;
    }
  },
  measure: (server, s) => measureHttp(server, { path: '/' }, s),
  warmup: (server, s) => warmupHttp(server, { path: '/' }, s),
};
