// Ceiling for workflows-runs on PostgreSQL: the durable writes of a one-step run with the raw pg
// driver and nothing else: per run one transaction (insert the run row, mark it running, mark it
// succeeded), CALLERS runs at a time over a pool of 10 (Plinth's default pool; its runner works 8
// runs at once). No event delivery, no step rows, no framework.
// Args: SECONDS CALLERS; prints `RESULT <runs/s> <cpu µs/run>`.
import pg from 'pg';

const [seconds, callers] = process.argv.slice(2).map(Number);
const url = process.env.BENCH_DB_URL;
if (!url || !seconds || !callers) throw new Error('usage: BENCH_DB_URL=… pg-run-writes.mjs SECONDS CALLERS');
const pool = new pg.Pool({ connectionString: url, max: 10 });
await pool.query(`CREATE TABLE runs (id SERIAL PRIMARY KEY, workflow_id VARCHAR(36) NOT NULL, tenant_id VARCHAR(64) NOT NULL,
  trigger_key VARCHAR(200), trigger_payload TEXT NOT NULL, status VARCHAR(16) NOT NULL, current_step INTEGER NOT NULL DEFAULT 0,
  created_at VARCHAR(24) NOT NULL, started_at VARCHAR(24), finished_at VARCHAR(24), UNIQUE (workflow_id, trigger_key));
  CREATE INDEX runs_status ON runs (status);`);

const workflowId = '00000000-0000-4000-8000-00000000000a';
const tenantId = '00000000-0000-4000-8000-000000000001';
let seq = 0;
async function run() {
  const key = `event:${++seq}`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const now = () => new Date().toISOString();
    const { rows } = await client.query({
      name: 'insert',
      text: "INSERT INTO runs (workflow_id, tenant_id, trigger_key, trigger_payload, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
      values: [workflowId, tenantId, key, JSON.stringify({ user_id: `user-${seq}`, method: 'password' }), now()],
    });
    await client.query({ name: 'running', text: "UPDATE runs SET status = 'running', started_at = $2 WHERE id = $1", values: [rows[0].id, now()] });
    await client.query({
      name: 'done',
      text: "UPDATE runs SET status = 'succeeded', current_step = 1, finished_at = $2 WHERE id = $1",
      values: [rows[0].id, now()],
    });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const deadline = performance.now() + seconds * 1000;
const cpu = process.cpuUsage();
const started = performance.now();
let runs = 0;
await Promise.all(
  Array.from({ length: callers }, async () => {
    while (performance.now() < deadline) {
      await run();
      runs++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(`RESULT ${runs / elapsed} ${(used.user + used.system) / runs}`);
await pool.end();
