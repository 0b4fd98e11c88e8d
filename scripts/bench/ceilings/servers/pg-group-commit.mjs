// Ceiling for billing-consume on PostgreSQL: the twin of sqlite-group-commit, the same work as the
// `usage` service's check-and-consume with the raw pg driver: consumes arriving while a transaction
// is written share the next one (one connection, one flusher, as Plinth's GroupCommit); the ops'
// guarded month-row upserts as one multi-row statement per run of distinct rows (each row guarded on
// its own, RETURNING used; at most 64), per batch one multi-row upsert of the
// day rows summed per tenant, rows taken in tenant order; COMMIT flushed before the ops resolve.
// No framework, no knex, no limit lookup. Args: SECONDS CALLERS; prints `RESULT <ops/s> <cpu µs/op>`.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const [seconds, callers] = process.argv.slice(2).map(Number);
const url = process.env.BENCH_DB_URL;
if (!url || !seconds || !callers) throw new Error('usage: BENCH_DB_URL=… pg-group-commit.mjs SECONDS CALLERS');
const db = new pg.Client({ connectionString: url });
await db.connect();
await db.query(`CREATE TABLE billing_usage (tenant_id VARCHAR(64) NOT NULL, metric VARCHAR(64) NOT NULL, period_key VARCHAR(10) NOT NULL,
  used BIGINT NOT NULL DEFAULT 0, updated_at VARCHAR(24) NOT NULL, PRIMARY KEY (tenant_id, metric, period_key))`);
const MONTH = `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at)
  SELECT t, 'bench', $2, 1, $3 FROM unnest($1::text[]) AS m(t)
  ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at
  WHERE billing_usage.used + excluded.used <= $4 RETURNING tenant_id, used`;
const LIMIT = 1_000_000_000;
const MAX_ROWS = 64;

const queue = [];
let _flushing = null;
async function flush() {
  while (queue.length) {
    // As Plinth's GroupCommit: callers whose last consume just resolved come back within this turn.
    if (queue.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const batch = queue.splice(0, 256);
    const now = new Date().toISOString();
    const days = new Map();
    await db.query('BEGIN');
    let run = [];
    const upsertRun = async () => {
      if (!run.length) return;
      const { rows } = await db.query({ name: 'month', text: MONTH, values: [run, now.slice(0, 7), now, LIMIT] });
      if (rows.length !== run.length) throw new Error('limit reached');
      run = [];
    };
    // PostgreSQL updates a row once per statement: a second op on it starts the next.
    for (const op of [...batch].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0))) {
      if (run.length && (run[run.length - 1] === op.tenant || run.length >= MAX_ROWS)) await upsertRun();
      run.push(op.tenant);
      days.set(op.tenant, (days.get(op.tenant) ?? 0) + 1);
    }
    await upsertRun();
    const tenants = [...days.keys()];
    await db.query(
      `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at)
       SELECT t, 'bench', $2, n, $3 FROM unnest($1::text[], $4::bigint[]) AS d(t, n)
       ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at`,
      [tenants, now.slice(0, 10), now, tenants.map((t) => days.get(t))],
    );
    await db.query('COMMIT');
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
await db.end();
