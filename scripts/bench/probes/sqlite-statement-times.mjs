// Where a process's time in SQLite goes, by statement: preloaded with --import, it times every call
// of a better-sqlite3 statement (run, get, all, iterate: the driver's binding and SQLite's own work)
// and prints, when the process exits, the statements that took longest in all, with their count
// and time each. Works on Plinth (the bench workers) and on the raw-driver ceilings alike:
//   PLINTH_DATA_DIR=$(mktemp -d) NODE_ENV=production node --import ./scripts/bench/probes/sqlite-statement-times.mjs \
//     scripts/bench/workers/workflows.mjs runs 8000 http
//   BENCH_DB_DIR=$(mktemp -d) node --import ./scripts/bench/probes/sqlite-statement-times.mjs \
//     scripts/bench/ceilings/servers/sqlite-run-writes.mjs 5 8
// STATEMENT_TIMES_TOP (15) and STATEMENT_TIMES_WIDTH (100 characters of each statement) shape the list;
// STATEMENT_TIMES_FILE writes it to a file instead of stderr (for a server the bench starts).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const Database = createRequire(import.meta.url)('better-sqlite3');
const Statement = Object.getPrototypeOf(new Database(':memory:').prepare('select 1'));
const top = Number(process.env.STATEMENT_TIMES_TOP ?? 15);
const width = Number(process.env.STATEMENT_TIMES_WIDTH ?? 100);
/** Statement text → [calls, nanoseconds]. */
const times = new Map();

for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement[method];
  Statement[method] = function timed(...args) {
    const started = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      const entry = times.get(this.source) ?? [0, 0n];
      entry[0]++;
      entry[1] += process.hrtime.bigint() - started;
      times.set(this.source, entry);
    }
  };
}

process.on('exit', () => {
  const rows = [...times].sort((a, b) => Number(b[1][1] - a[1][1]));
  const total = rows.reduce((sum, [, [, ns]]) => sum + ns, 0n);
  const lines = [`SQLite statements: ${(Number(total) / 1e6).toFixed(1)} ms in all`, '  calls       ms   µs each  statement'];
  for (const [sql, [calls, ns]] of rows.slice(0, top)) {
    const text = sql.replace(/\s+/g, ' ').slice(0, width);
    lines.push(`${String(calls).padStart(7)} ${(Number(ns) / 1e6).toFixed(1).padStart(8)} ${(Number(ns) / 1e3 / calls).toFixed(1).padStart(9)}  ${text}`);
  }
  const text = `${lines.join('\n')}\n`;
  if (process.env.STATEMENT_TIMES_FILE) fs.writeFileSync(process.env.STATEMENT_TIMES_FILE, text);
  else process.stderr.write(text);
});
