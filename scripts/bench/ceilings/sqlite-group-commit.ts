import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ceiling, Measurement } from '../lib/context.js';
import { cleanEnv, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers', 'sqlite-group-commit.mjs');

/** One run of the in-process ceiling: a fresh database, `seconds` of `callers` concurrent consumers. */
async function run(seconds: number, callers: number): Promise<Measurement> {
  const dir = makeTempDir('group-commit');
  const child = spawnChild('sqlite-group-commit', process.execPath, [script, String(seconds), String(callers)], {
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
 * What billing's check-and-consume does, with nothing on top: in-process callers, the raw driver,
 * the guarded month upserts (one multi-row statement per run of distinct rows) and the day upserts, group-committed. Each run is its own process
 * (like the billing worker it is compared with), so `start` has no server to start.
 */
export const sqliteGroupCommit: Ceiling = {
  name: 'sqlite-group-commit',
  unit: 'ops/s',
  describe:
    'raw better-sqlite3, in-process callers; the guarded month upserts as one multi-row statement per run of distinct rows ' +
    '(RETURNING), per batch one multi-row day upsert, group-committed, WAL + synchronous=FULL',
  how: (s) => `${s.connections} callers, ${s.durationSec} s/run`,
  start: async () => ({ name: 'sqlite-group-commit', pid: 0, port: 0, url: '', stop: async () => {} }),
  measure: (_server, s) => run(s.durationSec, s.connections),
  warmup: async () => {},
};
