// retention-db-growth: the database file's growth per day under a steady load once retention has
// run for longer than its window, as a share of its growth per day before (when nothing is old
// enough to delete: what it would grow forever without retention). Target <= 5 %: the file is
// flat. In-process on a manual clock (workers/retention.mjs), SQLite as configured.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FigureModule } from '../lib/context.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { standalone } from '../lib/results.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'retention.mjs');
const DAYS = 12;
const PER_DAY = Number(process.env.BENCH_RETENTION_EVENTS_PER_DAY ?? 3000);
const WINDOW = 3;

interface WorkerResult {
  sizes: number[];
  before: number;
  after: number;
  slowestBatchMs: number;
}

export const retention: FigureModule = {
  name: 'retention',
  async run(ctx) {
    const dir = makeTempDir('retention');
    const child = spawnChild('retention-worker', process.execPath, [worker, String(DAYS), String(PER_DAY), String(WINDOW)], {
      env: cleanEnv({ PLINTH_DATA_DIR: dir, NODE_ENV: 'production' }),
    });
    let r: WorkerResult;
    try {
      r = JSON.parse((await waitForLine(child, /^RESULT (.+)$/, 600_000))[1]) as WorkerResult;
    } finally {
      await child.stop();
      removeTempDir(dir);
    }
    const kb = (n: number) => `${Math.round(n / 1024)} KB`;
    ctx.log(`  database size by day: ${r.sizes.map(kb).join(', ')}`);
    const share = r.before > 0 ? (Math.max(0, r.after) / r.before) * 100 : 0;
    return [
      standalone('retention-db-growth', '%', [share], {
        target: { on: 'value', op: '<=', limit: 5 },
        note:
          `${PER_DAY} events a day (each with a handled record) for ${DAYS} simulated days, retention ${WINDOW} days, run daily: growth ` +
          `${kb(r.before)}/day before the window filled, ${kb(r.after)}/day after (the figure is after as % of before); file ${kb(r.sizes[0])} → ` +
          `${kb(r.sizes[r.sizes.length - 1])}; slowest retention batch ${r.slowestBatchMs} ms`,
      }),
    ];
  },
};
