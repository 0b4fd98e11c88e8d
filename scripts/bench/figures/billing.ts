// billing-consume: check-and-consume through the `usage` service (a monthly counter: the limited
// month row plus its daily row), in-process, against the same work done with the raw driver
// (ceilings/sqlite-group-commit, or pg-group-commit on PostgreSQL: guarded upserts, group-committed,
// durable).
// billing-period-reset: the set-based period close over 100,000 tenants (target <= 5 s).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupCommit } from '../ceilings/index.js';
import { alternate } from '../lib/autocannon.js';
import type { FigureModule, Measurement } from '../lib/context.js';
import { benchDialect, databaseEnv } from '../lib/database.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { againstCeiling, ratioTarget, standalone } from '../lib/results.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'billing.mjs');
const TENANTS = 100_000;

async function runWorker(args: string[], timeoutMs: number): Promise<{ value: number; cpuUs: number }> {
  const dir = makeTempDir('billing');
  const database = await databaseEnv('billing');
  const child = spawnChild('billing-worker', process.execPath, [worker, ...args], {
    env: cleanEnv({ PLINTH_DATA_DIR: dir, NODE_ENV: 'production', ...database.env }),
  });
  try {
    const m = await waitForLine(child, /^RESULT (\S+) (\S+)/, timeoutMs);
    return { value: Number(m[1]), cpuUs: Number(m[2]) };
  } finally {
    await child.stop();
    removeTempDir(dir);
    await database.drop();
  }
}

const dialect = benchDialect === 'postgres' ? 'PostgreSQL' : 'SQLite, the WAL fsynced before each commit resolves';

export const billing: FigureModule = {
  name: 'billing',
  async run(ctx) {
    const s = ctx.settings;
    const ceiling = await groupCommit.start();
    let consume;
    try {
      const subject = async (): Promise<Measurement> => {
        const r = await runWorker(['consume', String(s.durationSec), String(s.connections)], (s.durationSec + 60) * 1000);
        return { value: r.value, cpuUs: r.cpuUs };
      };
      const r = await alternate(s, () => groupCommit.measure(ceiling, s), subject, ctx.log, [groupCommit.name, 'usage.consume']);
      ctx.recordCeiling(groupCommit, r.ceiling);
      consume = againstCeiling('billing-consume', 'ops/s', r.subject, groupCommit.name, r.ceiling, {
        target: ratioTarget,
        note:
          `in-process, ${s.connections} concurrent callers over 100 tenants; each op = 1 guarded month upsert, the day rows one upsert per ` +
          `batch, group-committed on both sides; ${dialect}`,
      });
    } finally {
      await ceiling.stop();
    }
    const resets: number[] = [];
    for (let i = 0; i < Math.min(s.runs, 3); i++) {
      const r = await runWorker(['reset', String(TENANTS)], 600_000);
      resets.push(r.value);
      ctx.log(`  period reset ${i + 1}: ${r.value.toFixed(2)} s`);
    }
    return [
      consume,
      standalone('billing-period-reset', 's', resets, {
        target: { on: 'value', op: '<=', limit: 5 },
        note: `${TENANTS} tenants, 2 metrics each: ${TENANTS * 2} usage rows closed + ${TENANTS} subscriptions rolled; ${dialect}`,
      }),
    ];
  },
};
