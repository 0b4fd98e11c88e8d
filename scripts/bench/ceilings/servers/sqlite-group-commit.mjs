// Ceiling for billing-consume: the same work as the `usage` service's check-and-consume — per op a
// guarded upsert of the tenant's month row (RETURNING used), per batch one multi-row upsert of the
// day rows summed per tenant (as the meter's daily breakdown), rows taken in tenant order — with the
// raw sqlite3 driver and the same group commit (ops arriving while a transaction is written share
// the next one; WAL + synchronous=FULL, so each COMMIT is on disk before its ops resolve).
// No framework, no knex, no limit lookup. Args: SECONDS CALLERS; prints `RESULT <ops/s> <cpu µs/op>`.
import path from 'node:path';
import sqlite3 from 'sqlite3';

const [seconds, callers] = process.argv.slice(2).map(Number);
const dir = process.env.BENCH_DB_DIR;
if (!dir || !seconds || !callers) throw new Error('usage: BENCH_DB_DIR=… sqlite-group-commit.mjs SECONDS CALLERS');
const db = new sqlite3.Database(path.join(dir, 'ceiling.sqlite'));
const exec = (sql) => new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
const all = (stmt, params) => new Promise((resolve, reject) => stmt.all(params, (err, rows) => (err ? reject(err) : resolve(rows))));

await exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;');
await exec(`CREATE TABLE billing_usage (tenant_id VARCHAR(64) NOT NULL, metric VARCHAR(64) NOT NULL, period_key VARCHAR(10) NOT NULL,
  used BIGINT NOT NULL DEFAULT 0, updated_at VARCHAR(24) NOT NULL, PRIMARY KEY (tenant_id, metric, period_key));`);
const month = db.prepare(`INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + ?, updated_at = ?
  WHERE billing_usage.used + ? <= ? RETURNING used`);
const run = (sql, params) => new Promise((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve())));
const LIMIT = 1_000_000_000;

const queue = [];
let _flushing = null;
async function flush() {
  while (queue.length) {
    // As Plinth's GroupCommit: callers whose last consume just resolved come back within this turn.
    if (queue.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const batch = queue.splice(0, 256);
    const now = new Date().toISOString();
    const days = new Map();
    await exec('BEGIN');
    for (const { tenant } of [...batch].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0))) {
      const rows = await all(month, [tenant, 'bench', now.slice(0, 7), 1, now, 1, now, 1, LIMIT]);
      if (!rows.length) throw new Error('limit reached');
      days.set(tenant, (days.get(tenant) ?? 0) + 1);
    }
    const rows = [...days];
    await run(
      `INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + excluded.used, updated_at = excluded.updated_at`,
      rows.flatMap(([tenant, n]) => [tenant, 'bench', now.slice(0, 10), n, now]),
    );
    await exec('COMMIT');
    for (const op of batch) op.resolve();
  }
  _flushing = null;
}
const consume = (tenant) =>
  new Promise((resolve) => {
    queue.push({ tenant, resolve });
    _flushing ??= flush();
  });

const tenants = Array.from({ length: 100 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
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
month.finalize();
db.close();
