// workflows-runs: events → completed runs per second for an enabled one-step workflow (target
// >= 400/s, durable: SQLite, the WAL fsynced before each commit resolves). The step is http.request POSTing
// a body templated from the event to a local receiver that answers 200 at once. Each run is timed
// from the first event emitted to the last run marked succeeded, in-process (workers/workflows.mjs).
// Held against the run's own work with the raw driver: sqlite-run-writes (the run and step writes
// through better-sqlite3, durable, and the same HTTP call to a local receiver;
// ceilings/servers/sqlite-run-writes.mjs), pg-run-writes on PostgreSQL (ceilings/servers/pg-run-writes.mjs).
// Beside it, workflows-runs-vs-outbox: the same events, emitted the same way by the same worker,
// delivered by the outbox to one no-op handler (no workflows plugin): a run cannot start faster
// than its event is delivered. Ceiling and subject runs alternate (lib/autocannon.ts `rounds`,
// until they agree); the stop_if variant (no I/O) is logged once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FigureModule, Measurement } from '../lib/context.js';
import { runWrites } from '../ceilings/index.js';
import { rounds, type Side } from '../lib/autocannon.js';
import { benchDialect, databaseEnv } from '../lib/database.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { againstCeiling, ceilingFigure } from '../lib/results.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workers', 'workflows.mjs');
/**
 * Events per measured run (after 100 unmeasured ones): 1,000 a second of the ceiling's run, so a run
 * lasts seconds as the ceiling's does (2,000 events took 0.7-0.8 s, a measure of the start as much as
 * of the steady state). BENCH_WORKFLOW_EVENTS overrides.
 */
const eventsFor = (durationSec: number) => Number(process.env.BENCH_WORKFLOW_EVENTS ?? 1000 * durationSec);

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

/** The run-writes ceilings start no server. */
const NO_SERVER = { name: 'none', pid: 0, port: 0, url: '', stop: async () => {} };

const per = (r: WorkerResult) => `${r.statements.toFixed(1)} statements, ${r.commits.toFixed(2)} commits, ${Math.round(r.cpuUs)} µs cpu`;

type Run = Measurement & { worker?: WorkerResult };
const asRun = (worker: WorkerResult): Run => ({ value: worker.value, cpuUs: worker.cpuUs, worker });

export const workflowsRuns: FigureModule = {
  name: 'workflows-runs',
  async run(ctx) {
    const s = ctx.settings;
    const timeout = 240_000;
    const postgres = benchDialect === 'postgres';
    const EVENTS = eventsFor(s.durationSec);
    const show = (unit: string) => (m: Run) => `${Math.round(m.value)} ${unit} (${m.worker!.seconds.toFixed(1)} s; per item ${per(m.worker!)})`;
    const sides: Array<Side<Run>> = [
      { label: 'outbox-noop-delivery', run: async () => asRun(await runWorker(['outbox', String(EVENTS)], timeout)), show: show('events/s') },
      { label: 'workflows-runs', run: async () => asRun(await runWorker(['runs', String(EVENTS), 'http'], timeout)), show: show('runs/s') },
    ];
    // The raw driver's run writes, in the same rounds.
    sides.unshift({ label: runWrites.name, run: () => runWrites.measure(NO_SERVER, s) });
    const [raw, ceiling, subject] = await rounds<Run>(s, sides, ctx.log);
    const last = subject[subject.length - 1].worker!;
    const lastCeiling = ceiling[ceiling.length - 1].worker!;
    const pure = await runWorker(['runs', String(EVENTS), 'stop_if'], timeout);
    ctx.log(`  for comparison, a one-step stop_if workflow (no I/O): ${Math.round(pure.value)} runs/s (per run ${per(pure)})`);
    const note =
      `${EVENTS} auth.login events (50 per transaction) → one-step workflow (http.request to a local instant receiver), first emit to last run ` +
      `succeeded; ${postgres ? 'PostgreSQL' : 'SQLite, the WAL fsynced before each commit resolves'}, in-process; ` +
      `per run ${per(last)} (outbox delivery included); stop_if instead: ${Math.round(pure.value)} runs/s`;
    const outbox = ceilingFigure('outbox-noop-delivery', 'events/s', ceiling, {
      note:
        `ceiling: the same ${EVENTS} events delivered by the outbox to one no-op handler, same worker without the workflows plugin; per event ` +
        `${per(lastCeiling)}`,
    });
    const target = { on: 'value', op: '>=', limit: 400 } as const;
    ctx.recordCeiling(runWrites, raw);
    return [
      againstCeiling('workflows-runs', 'runs/s', subject, runWrites.name, raw, { target, note }),
      againstCeiling('workflows-runs-vs-outbox', 'runs/s', subject, 'outbox-noop-delivery', ceiling, {
        note: 'the same runs against the outbox delivering the same events to a no-op handler (no workflows plugin)',
      }),
      outbox,
    ];
  },
};
