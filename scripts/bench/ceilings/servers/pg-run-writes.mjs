// Ceiling for workflows-runs on PostgreSQL, the twin of sqlite-run-writes.mjs: a one-step run's
// durable writes with the raw pg driver (Plinth's) and its step's HTTP call, nothing else, each run
// started from a committed trigger event written as the figure's worker writes them
// (trigger-events.mjs: 50 single-row INSERTs to a transaction). Per run:
// the run row inserted running with its step's record (running, rendered input) in one statement;
// the same POST the figure's http.request step sends, to a receiver in this process answering 200 at
// once, its JSON reply read; then the step's record and the run succeeded (fenced by the run's lease)
// in one statement. Each write is one round trip, committed on its own (a CTE, no BEGIN/COMMIT):
// the fewest a durable run can make. CALLERS runs at a time (the workflow runner's default) over a
// pool of 10 (Plinth's default pool). No event delivery, no framework, no knex. The tables and
// indexes mirror core_events, workflows_runs and workflows_run_steps.
// Args: SECONDS CALLERS; prints `RESULT <runs/s> <cpu µs/run>`.
import pg from 'pg';
import { startStepReceiver } from './step-receiver.mjs';
import { EVENTS_DDL, eventValues, INSERT_EVENT_COLUMNS, triggerEvents } from './trigger-events.mjs';

const [seconds, callers] = process.argv.slice(2).map(Number);
const url = process.env.BENCH_DB_URL;
if (!url || !seconds || !callers) throw new Error('usage: BENCH_DB_URL=… pg-run-writes.mjs SECONDS CALLERS');
const pool = new pg.Pool({ connectionString: url, max: 10 });
await pool.query(`
CREATE TABLE runs (id SERIAL PRIMARY KEY, workflow_id VARCHAR(36) NOT NULL, tenant_id VARCHAR(64) NOT NULL,
  version_id INTEGER NOT NULL, version INTEGER NOT NULL, trigger_type VARCHAR(16) NOT NULL, trigger_key VARCHAR(200),
  trigger_payload TEXT NOT NULL, status VARCHAR(16) NOT NULL, reason TEXT, current_step INTEGER NOT NULL DEFAULT 0, chain TEXT NOT NULL,
  depth INTEGER NOT NULL, rerun_of INTEGER, next_at VARCHAR(24), lease_owner VARCHAR(80), lease_until VARCHAR(24),
  created_at VARCHAR(24) NOT NULL, started_at VARCHAR(24), finished_at VARCHAR(24), traceparent VARCHAR(55), tracestate VARCHAR(512),
  reason_code VARCHAR(40), reason_args TEXT, UNIQUE (workflow_id, trigger_key));
CREATE INDEX runs_status_next_at ON runs (status, next_at);
CREATE INDEX runs_tenant_id ON runs (tenant_id, id);
CREATE INDEX runs_workflow_created ON runs (workflow_id, created_at);
CREATE TABLE steps (id SERIAL PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, step_id VARCHAR(40) NOT NULL, action VARCHAR(120) NOT NULL, status VARCHAR(16) NOT NULL, input TEXT, output TEXT,
  error TEXT, attempts INTEGER NOT NULL DEFAULT 0, history TEXT NOT NULL DEFAULT '[]', started_at VARCHAR(24), finished_at VARCHAR(24),
  UNIQUE (run_id, idx));
${EVENTS_DDL('SERIAL PRIMARY KEY')}
`);

const { port, post, close: closeReceiver } = await startStepReceiver();

const START = {
  name: 'start',
  text:
    'WITH r AS (INSERT INTO runs (workflow_id, tenant_id, version_id, version, trigger_type, trigger_key, trigger_payload, status, current_step, ' +
    "chain, depth, next_at, lease_owner, lease_until, created_at, started_at, traceparent) VALUES ($1, $2, 1, 1, 'event', $3, $4, 'running', 0, $5, 1, " +
    '$6, $7, $6, $6, $6, $8) RETURNING id) ' +
    "INSERT INTO steps (run_id, idx, step_id, action, status, input, attempts, history, started_at) SELECT id, 0, 'notify', 'http.request', " +
    "'running', $9, 1, $10, $6 FROM r RETURNING run_id",
};
// The step is found by the run's id ($2), the lease's hold checked once (EXISTS, an InitPlan). With
// `run_id IN (SELECT id FROM r)` the prepared statement's generic plan, made on tables that have no
// statistics yet, scanned every step, and the ceiling ran slow in most rounds (docs/performance.md).
const FINISH = {
  name: 'finish',
  text:
    "WITH r AS (UPDATE runs SET status = 'succeeded', current_step = 1, finished_at = $1, next_at = NULL, lease_owner = NULL, lease_until = NULL " +
    "WHERE id = $2 AND lease_owner = $3 RETURNING id) UPDATE steps SET status = 'succeeded', output = $4, history = $5, finished_at = $1 " +
    'WHERE run_id = $2 AND idx = 0 AND EXISTS (SELECT 1 FROM r) RETURNING run_id',
};

const workflowId = '00000000-0000-4000-8000-00000000000a';
const tenantId = '00000000-0000-4000-8000-000000000001';
const lease = 'ceiling-instance/1';
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** The trigger events, 50 to a transaction (one INSERT each, as the outbox's emit), each durable before its runs start. */
const INSERT_EVENT = {
  name: 'event',
  text: `INSERT INTO events ${INSERT_EVENT_COLUMNS} VALUES (${Array.from({ length: 11 }, (_, i) => `$${i + 1}`).join(', ')})`,
};
const events = triggerEvents(async (first, count) => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (let n = first; n < first + count; n++) await client.query({ ...INSERT_EVENT, values: eventValues(n, tenantId, lease) });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
});

let seq = 0;
async function run() {
  await events.take();
  const n = ++seq;
  const trigger = { user_id: `user-${n}`, method: 'password' };
  const input = { method: 'POST', url: `http://127.0.0.1:${port}/hook`, body: { user: trigger.user_id, method: trigger.method } };
  const started = new Date().toISOString();
  const { rows } = await pool.query({
    ...START,
    values: [
      workflowId,
      tenantId,
      `event:${n}`,
      JSON.stringify(trigger),
      JSON.stringify([workflowId]),
      started,
      lease,
      traceparent,
      JSON.stringify(input),
      JSON.stringify([{ attempt: 1, started_at: started }]),
    ],
  });
  const runId = rows[0].run_id;
  const output = { status: 200, body: await post(JSON.stringify(input.body)) };
  const finished = new Date().toISOString();
  const done = await pool.query({
    ...FINISH,
    values: [finished, runId, lease, JSON.stringify(output), JSON.stringify([{ attempt: 1, started_at: started, finished_at: finished }])],
  });
  if (done.rowCount !== 1) throw new Error('lease lost');
}

const deadline = performance.now() + seconds * 1000;
const cpu = process.cpuUsage();
const begun = performance.now();
let runs = 0;
await Promise.all(
  Array.from({ length: callers }, async () => {
    while (performance.now() < deadline) {
      await run();
      runs++;
    }
  }),
);
const elapsed = (performance.now() - begun) / 1000;
const used = process.cpuUsage(cpu);
console.log(`RESULT ${runs / elapsed} ${(used.user + used.system) / runs}`);
closeReceiver();
await events.settled();
await pool.end();
