// Ceiling for workflows-runs on SQLite: a one-step run's durable writes with the raw better-sqlite3
// driver (Plinth's) and its step's HTTP call, nothing else, each run started from a committed trigger
// event written as the figure's worker writes them (trigger-events.mjs). Per run: the run row inserted running
// with its step's record (running, rendered input), one commit; the same POST the figure's
// http.request step sends, to a receiver in this process answering 200 at once, its JSON reply read;
// then the step's record succeeded (its output) and the run succeeded, one commit. CALLERS runs at
// a time (the workflow runner's default). Durable as Plinth's SQLite client makes it, at best: writes
// arriving while a transaction is written share the next one (its group commit), and a commit's runs
// go on only once the write-ahead log is fdatasynced on the thread pool after it (synchronous=NORMAL
// plus that sync is synchronous=FULL without holding the event loop; commits ending during a sync
// share the next). Checkpoints are left out (Plinth runs them on a worker thread). No event
// delivery, no framework, no knex. The tables and indexes mirror core_events, workflows_runs and
// workflows_run_steps.
// Args: SECONDS CALLERS; prints `RESULT <runs/s> <cpu µs/run>`.
import path from 'node:path';
import Database from 'better-sqlite3';
import { durableCommits } from './sqlite-durable-commits.mjs';
import { startStepReceiver } from './step-receiver.mjs';
import { EVENTS_DDL, eventValues, INSERT_EVENT_COLUMNS, triggerEvents } from './trigger-events.mjs';

const [seconds, callers] = process.argv.slice(2).map(Number);
const dir = process.env.BENCH_DB_DIR;
if (!dir || !seconds || !callers) throw new Error('usage: BENCH_DB_DIR=… sqlite-run-writes.mjs SECONDS CALLERS');
const db = new Database(path.join(dir, 'ceiling.sqlite'));

db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=0; PRAGMA wal_autocheckpoint=0;');
db.exec(`
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id VARCHAR(36) NOT NULL, tenant_id VARCHAR(64) NOT NULL,
  version_id INTEGER NOT NULL, version INTEGER NOT NULL, trigger_type VARCHAR(16) NOT NULL, trigger_key VARCHAR(200),
  trigger_payload TEXT NOT NULL, status VARCHAR(16) NOT NULL, reason TEXT, current_step INTEGER NOT NULL DEFAULT 0, chain TEXT NOT NULL,
  depth INTEGER NOT NULL, rerun_of INTEGER, next_at VARCHAR(24), lease_owner VARCHAR(80), lease_until VARCHAR(24),
  created_at VARCHAR(24) NOT NULL, started_at VARCHAR(24), finished_at VARCHAR(24), traceparent VARCHAR(55), tracestate VARCHAR(512),
  reason_code VARCHAR(40), reason_args TEXT, UNIQUE (workflow_id, trigger_key));
CREATE INDEX runs_status_next_at ON runs (status, next_at);
CREATE INDEX runs_tenant_id ON runs (tenant_id, id);
CREATE INDEX runs_workflow_created ON runs (workflow_id, created_at);
CREATE TABLE steps (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, step_id VARCHAR(40) NOT NULL, action VARCHAR(120) NOT NULL, status VARCHAR(16) NOT NULL, input TEXT, output TEXT,
  error TEXT, attempts INTEGER NOT NULL DEFAULT 0, history TEXT NOT NULL DEFAULT '[]', started_at VARCHAR(24), finished_at VARCHAR(24),
  UNIQUE (run_id, idx));
${EVENTS_DDL('INTEGER PRIMARY KEY AUTOINCREMENT')}
`);

const { sync, commit, close: closeCommits } = durableCommits(db, path.join(dir, 'ceiling.sqlite-wal'));

const { port, post, close: closeReceiver } = await startStepReceiver();

const insertRun = db.prepare(
  'INSERT INTO runs (workflow_id, tenant_id, version_id, version, trigger_type, trigger_key, trigger_payload, status, current_step, chain, depth, ' +
    "next_at, lease_owner, lease_until, created_at, started_at, traceparent) VALUES (?, ?, 1, 1, 'event', ?, ?, 'running', 0, ?, 1, ?, ?, ?, ?, ?, ?)",
);
const insertStep = db.prepare(
  "INSERT INTO steps (run_id, idx, step_id, action, status, input, attempts, history, started_at) VALUES (?, 0, 'notify', 'http.request', 'running', " +
    '?, 1, ?, ?)',
);
const stepDone = db.prepare("UPDATE steps SET status = 'succeeded', output = ?, history = ?, finished_at = ? WHERE run_id = ? AND idx = 0");
const runDone = db.prepare(
  "UPDATE runs SET status = 'succeeded', current_step = 1, finished_at = ?, next_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? " +
    'AND lease_owner = ?',
);

const workflowId = '00000000-0000-4000-8000-00000000000a';
const tenantId = '00000000-0000-4000-8000-000000000001';
const lease = 'ceiling-instance/1';
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** The trigger events, 50 to a transaction (one INSERT each, as the outbox's emit), each durable before its runs start. */
const insertEvent = db.prepare(`INSERT INTO events ${INSERT_EVENT_COLUMNS} VALUES (${Array(11).fill('?').join(', ')})`);
const writeEvents = db.transaction((first, count) => {
  for (let n = first; n < first + count; n++) insertEvent.run(eventValues(n, tenantId, lease));
});
const events = triggerEvents(async (first, count) => {
  writeEvents(first, count);
  await sync();
});

let seq = 0;
async function run() {
  await events.take();
  const n = ++seq;
  const trigger = { user_id: `user-${n}`, method: 'password' };
  const input = { method: 'POST', url: `http://127.0.0.1:${port}/hook`, body: { user: trigger.user_id, method: trigger.method } };
  const started = new Date().toISOString();
  const runId = await commit(() => {
    const id = insertRun.run(
      workflowId,
      tenantId,
      `event:${n}`,
      JSON.stringify(trigger),
      JSON.stringify([workflowId]),
      started,
      lease,
      started,
      started,
      started,
      traceparent,
    ).lastInsertRowid;
    insertStep.run(id, JSON.stringify(input), JSON.stringify([{ attempt: 1, started_at: started }]), started);
    return id;
  });
  const output = { status: 200, body: await post(JSON.stringify(input.body)) };
  const finished = new Date().toISOString();
  await commit(() => {
    stepDone.run(JSON.stringify(output), JSON.stringify([{ attempt: 1, started_at: started, finished_at: finished }]), finished, runId);
    if (runDone.run(finished, runId, lease).changes !== 1) throw new Error('lease lost');
  });
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
closeCommits();
db.close();
