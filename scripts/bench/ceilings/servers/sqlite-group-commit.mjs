// Ceiling for billing-consume: the same work as the `usage` service's check-and-consume — per op a
// guarded upsert of the tenant's month row (RETURNING used) and an upsert of its day row — with
// the raw sqlite3 driver and the same group commit (ops arriving while a transaction is written
// share the next one; WAL + synchronous=FULL, so each COMMIT is on disk before its ops resolve).
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
const upsert = (guarded) =>
  db.prepare(`INSERT INTO billing_usage (tenant_id, metric, period_key, used, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant_id, metric, period_key) DO UPDATE SET used = billing_usage.used + ?, updated_at = ?
  ${guarded ? ' WHERE billing_usage.used + ? <= ?' : ''} RETURNING used`);
const month = upsert(true);
const day = upsert(false);
const LIMIT = 1_000_000_000;

const queue = [];
let _flushing = null;
async function flush() {
  while (queue.length) {
    const batch = queue.splice(0, 256);
    const now = new Date().toISOString();
    await exec('BEGIN');
    for (const { tenant } of batch) {
      const rows = await all(month, [tenant, 'bench', now.slice(0, 7), 1, now, 1, now, 1, LIMIT]);
      if (!rows.length) throw new Error('limit reached');
      await all(day, [tenant, 'bench', now.slice(0, 10), 1, now, 1, now]);
    }
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

const tenants = Array.from({ length: 100 }, (_, i) => `tenant-${i}`);
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
day.finalize();
db.close();
