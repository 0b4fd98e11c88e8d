// workflows-runs: events → completed runs per second for an enabled one-step workflow (target
// >= 200/s, durable: SQLite with synchronous=FULL as configured). The step is http.request POSTing
// a body templated from the event to a local receiver that answers 200 at once. Each run is timed
// from the first event emitted to the last run marked succeeded, in-process (workers/workflows.mjs).
// Ceiling `outbox-noop-delivery`: the same events, emitted the same way by the same worker, delivered
// by the outbox to one no-op handler (no workflows plugin): a run cannot start faster than its event
// is delivered. Ceiling and subject runs alternate; the stop_if variant (no I/O) is logged once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FigureModule, Measurement } from '../lib/context.js';
import { databaseEnv } from '../lib/database.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { againstCeiling, ceilingFigure } from '../lib/results.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'workflows.mjs');
/** Events per measured run (after 100 unmeasured ones); BENCH_WORKFLOW_EVENTS overrides. */
const EVENTS = Number(process.env.BENCH_WORKFLOW_EVENTS ?? 2000);

interface WorkerResult {
  value: number;
  seconds: number;
  cpuUs: number;
  statements: number;
  writes: number;
  commits: number;
}

async function runWorker(args: string[], timeoutMs: number): Promise<WorkerResult> {
  const dir = makeTempDir('workflows');
  const database = await databaseEnv('workflows');
  // BENCH_PLINTH_NODE_ARGS (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof) reaches this worker too.
  const nodeArgs = (process.env.BENCH_PLINTH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawnChild('workflows-worker', process.execPath, [...nodeArgs, worker, ...args], {
    env: cleanEnv({ PLINTH_DATA_DIR: dir, NODE_ENV: 'production', ...database.env }),
  });
  try {
    const m = await waitForLine(child, /^RESULT (.+)$/, timeoutMs);
    return JSON.parse(m[1]) as WorkerResult;
  } finally {
    await child.stop();
    removeTempDir(dir);
    await database.drop();
  }
}

const per = (r: WorkerResult) => `${r.statements.toFixed(1)} statements, ${r.commits.toFixed(2)} commits, ${Math.round(r.cpuUs)} µs cpu`;

export const workflowsRuns: FigureModule = {
  name: 'workflows-runs',
  async run(ctx) {
    const s = ctx.settings;
    const timeout = 240_000;
    const ceiling: Measurement[] = [];
    const subject: Measurement[] = [];
    let last: WorkerResult | null = null;
    let lastCeiling: WorkerResult | null = null;
    for (let i = 0; i < s.runs; i++) {
      lastCeiling = await runWorker(['outbox', String(EVENTS)], timeout);
      ceiling.push({ value: lastCeiling.value, cpuUs: lastCeiling.cpuUs });
      ctx.log(
        `  outbox-noop-delivery run ${i + 1}: ${Math.round(lastCeiling.value)} events/s (${lastCeiling.seconds.toFixed(1)} s; per event ${per(lastCeiling)})`,
      );
      last = await runWorker(['runs', String(EVENTS), 'http'], timeout);
      subject.push({ value: last.value, cpuUs: last.cpuUs });
      ctx.log(`  workflows-runs run ${i + 1}: ${Math.round(last.value)} runs/s (${last.seconds.toFixed(1)} s; per run ${per(last)})`);
    }
    const pure = await runWorker(['runs', String(EVENTS), 'stop_if'], timeout);
    ctx.log(`  for comparison, a one-step stop_if workflow (no I/O): ${Math.round(pure.value)} runs/s (per run ${per(pure)})`);
    return [
      againstCeiling('workflows-runs', 'runs/s', subject, 'outbox-noop-delivery', ceiling, {
        target: { on: 'value', op: '>=', limit: 200 },
        note:
          `${EVENTS} auth.login events (50 per transaction) → one-step workflow (http.request to a local instant receiver), first emit to last run ` +
          `succeeded; SQLite synchronous=FULL, in-process; ` +
          `per run ${per(last!)} (outbox delivery included); stop_if instead: ${Math.round(pure.value)} runs/s`,
      }),
      ceilingFigure('outbox-noop-delivery', 'events/s', ceiling, {
        note:
          `ceiling: the same ${EVENTS} events delivered by the outbox to one no-op handler, same worker without the workflows plugin; per event ` +
          `${per(lastCeiling!)}`,
      }),
    ];
  },
};
