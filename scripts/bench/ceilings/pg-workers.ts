// The PostgreSQL ceilings that run in-process (no HTTP): each run is a process of its own on a
// fresh database, like the Plinth worker it is compared with, so `start` has no server to start.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ceiling, Measurement } from '../lib/context.js';
import { scratchDatabase } from '../lib/database.js';
import { cleanEnv, spawnChild, waitForLine } from '../lib/process.js';

const servers = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers');

/** One run of `servers/<script>` with SECONDS CALLERS on a fresh database; it prints `RESULT <value> <cpu µs each>`. */
async function run(script: string, seconds: number, callers: number): Promise<Measurement> {
  const db = await scratchDatabase('ceiling');
  const child = spawnChild(script, process.execPath, [path.join(servers, script), String(seconds), String(callers)], {
    env: cleanEnv({ BENCH_DB_URL: db.url, NODE_ENV: 'production' }),
  });
  try {
    const m = await waitForLine(child, /^RESULT (\S+) (\S+)/, (seconds + 60) * 1000);
    return { value: Number(m[1]), cpuUs: Number(m[2]) };
  } finally {
    await child.stop();
    await db.drop();
  }
}

const noServer = (name: string) => async () => ({ name, pid: 0, port: 0, url: '', stop: async () => {} });

/** The PostgreSQL twin of sqlite-group-commit, for billing-consume. */
export const pgGroupCommit: Ceiling = {
  name: 'pg-group-commit',
  unit: 'ops/s',
  describe:
    'raw pg, one connection, in-process callers; the guarded month upserts as one multi-row statement per run of distinct rows ' +
    '(RETURNING), per batch one multi-row day upsert, group-committed (synchronous_commit on)',
  how: (s) => `${s.connections} callers, ${s.durationSec} s/run`,
  start: noServer('pg-group-commit'),
  measure: (_server, s) => run('pg-group-commit.mjs', s.durationSec, s.connections),
  warmup: async () => {},
};

/** Runs the workflow runner works at once (its default), and so the ceiling's callers. */
export const RUNS_AT_ONCE = 8;

/** A one-step run's durable writes and its step's HTTP call, at best: workflows-runs on PostgreSQL (sqlite-run-writes' twin). */
export const pgRunWrites: Ceiling = {
  name: 'pg-run-writes',
  unit: 'runs/s',
  describe:
    `raw pg (pool of 10), ${RUNS_AT_ONCE} at a time, per run: its trigger event committed (50 INSERTs to a transaction, as the worker emits them), ` +
    "the run and its step record inserted running (one statement), the step's POST to a local receiver, step and run succeeded (one statement)",
  how: (s) => `${s.durationSec} s/run`,
  start: noServer('pg-run-writes'),
  measure: (_server, s) => run('pg-run-writes.mjs', s.durationSec, RUNS_AT_ONCE),
  warmup: async () => {},
};
