// Ceiling for billing-consume: the same work as the `usage` service's check-and-consume — the ops'
// guarded upserts of their tenants' month rows as one multi-row statement per run of distinct rows
// (each row guarded on its own, RETURNING used; at most 64), per batch one multi-row upsert of the
// day rows summed per tenant (as the meter's daily breakdown), rows taken in tenant order — with the
// raw better-sqlite3 driver (Plinth's) and the same group commit (ops arriving while a transaction is written share
// the next one; WAL + synchronous=FULL, so each COMMIT is on disk before its ops resolve).
// No framework, no knex, no limit lookup. Args: SECONDS CALLERS; prints `RESULT <ops/s> <cpu µs/op>`.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';

const [seconds, callers] = process.argv.slice(2).map(Number);
const dir = process.env.BENCH_DB_DIR;
if (!dir || !seconds || !callers) throw new Error('usage: BENCH_DB_DIR=… sqlite-group-commit.mjs SECONDS CALLERS');
const db = new Database(path.join(dir, 'ceiling.sqlite'));

db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=0;');
db.exec(`CREATE TABLE billing_usage (tenant_id VARCHAR(64) NOT NULL, metric VARCHAR(64) NOT NULL, period_key VARCHAR(10) NOT NULL,
  used BIGINT NOT NULL DEFAULT 0, updated_at VARCHAR(24) NOT NULL, PRIMARY KEY (tenant_id, metric, period_key));`);
const months = new Map();
/** The guarded month upsert of n rows, prepared once per n. */
const monthRows = (n) => {
  let statement = months.get(n);
  if (!statement) {
    statement = db.prepare(`INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at)
  VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?)').join(', ')}
  ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at
  WHERE billing_usage.used + excluded.used <= ? RETURNING tenant_id, used`);
    months.set(n, statement);
  }
  return statement;
};
const LIMIT = 1_000_000_000;
const MAX_ROWS = 64;

/** One transaction for a batch: the month upserts in tenant order, then the day rows in one statement. */
const writeBatch = db.transaction((batch) => {
  const now = new Date().toISOString();
  const days = new Map();
  let run = [];
  const upsertRun = () => {
    if (!run.length) return;
    const rows = monthRows(run.length).all(...run.flatMap((tenant) => [tenant, 'bench', now.slice(0, 7), 1, now]), LIMIT);
    if (rows.length !== run.length) throw new Error('limit reached');
    run = [];
  };
  // A row appears once per statement (PostgreSQL's rule, kept alike): a second op on it starts the next.
  for (const { tenant } of [...batch].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0))) {
    if (run.length && (run[run.length - 1] === tenant || run.length >= MAX_ROWS)) upsertRun();
    run.push(tenant);
    days.set(tenant, (days.get(tenant) ?? 0) + 1);
  }
  upsertRun();
  const rows = [...days];
  db.prepare(
    `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at`,
  ).run(rows.flatMap(([tenant, n]) => [tenant, 'bench', now.slice(0, 10), n, now]));
});

const queue = [];
let _flushing = null;
async function flush() {
  while (queue.length) {
    // As Plinth's GroupCommit: callers whose last consume just resolved come back within this turn.
    if (queue.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const batch = queue.splice(0, 256);
    writeBatch(batch);
    for (const op of batch) op.resolve();
  }
  _flushing = null;
}
const consume = (tenant) =>
  new Promise((resolve) => {
    queue.push({ tenant, resolve });
    _flushing ??= flush();
  });

// Tenant ids as Plinth's (UUIDs), so both sides compare keys of the same length.
const tenants = Array.from({ length: 100 }, () => randomUUID());
const deadline = performance.now() + seconds * 1000;
const cpu = process.cpuUsage();
const started = performance.now();
let ops = 0;
await Promise.all(
  Array.from({ length: callers }, async (_, i) => {
    while (performance.now() < deadline) {
      await consume(tenants[(ops + i) % tenants.length]);
      ops++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(`RESULT ${ops / elapsed} ${(used.user + used.system) / ops}`);
db.close();
