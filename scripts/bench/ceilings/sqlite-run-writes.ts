import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ceiling, Measurement } from '../lib/context.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { RUNS_AT_ONCE } from './pg-workers.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'sqlite-run-writes.mjs');

/** One run of the in-process ceiling: a fresh database, `seconds` of RUNS_AT_ONCE runs at a time. */
async function run(seconds: number): Promise<Measurement> {
  const dir = makeTempDir('run-writes');
  const child = spawnChild('sqlite-run-writes', process.execPath, [script, String(seconds), String(RUNS_AT_ONCE)], {
    env: cleanEnv({ BENCH_DB_DIR: dir, NODE_ENV: 'production' }),
  });
  try {
    const m = await waitForLine(child, /^RESULT (\S+) (\S+)/, (seconds + 60) * 1000);
    return { value: Number(m[1]), cpuUs: Number(m[2]) };
  } finally {
    await child.stop();
    removeTempDir(dir);
  }
}

/**
 * A one-step workflow run at best, for workflows-runs on SQLite: its trigger event written as the
 * worker writes it, its durable run and step writes with the raw driver (group-committed, the log
 * synced before a run goes on) and its step's HTTP call to a local receiver. Each run is a process
 * of its own, like the worker it is compared with.
 */
export const sqliteRunWrites: Ceiling = {
  name: 'sqlite-run-writes',
  unit: 'runs/s',
  describe:
    `raw better-sqlite3, ${RUNS_AT_ONCE} at a time, per run: its trigger event committed (50 INSERTs to a transaction, as the worker emits them), ` +
    "the run row inserted with its step's record (one commit), the step's POST to a local " +
    'receiver (JSON reply read), the step and the run marked succeeded (one commit); group-committed, WAL fdatasynced before a run goes on',
  how: (s) => `${s.durationSec} s/run`,
  start: async () => ({ name: 'sqlite-run-writes', pid: 0, port: 0, url: '', stop: async () => {} }),
  measure: (_server, s) => run(s.durationSec),
  warmup: async () => {},
};
