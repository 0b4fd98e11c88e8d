// Bench worker for the workflows plugin (runs the built dist/, in-process, SQLite in PLINTH_DATA_DIR
// with the configured pragmas: WAL, synchronous=FULL):
//   runs COUNT STEP: an enabled one-step workflow triggered by `auth.login` events of its tenant;
//     COUNT events are emitted through the outbox (app.events.emit, 50 per transaction, as a
//     plugin emits them) and timed from the first emit to the last run marked succeeded. STEP is
//     `http` (http.request POSTing a templated body to a local receiver that answers 200 at once)
//     or `stop_if` (a condition on a templated value that does not stop the run: no I/O at all).
//   outbox COUNT: the same events, emitted the same way, delivered by the outbox to one no-op
//     handler (no workflows plugin): the event-delivery ceiling the runs figure sits on.
// Prints `RESULT <json>` on its last line: value (per second), cpuUs (per run/event), and the SQL
// statements and commits the app issued per run/event.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../../dist/core/app.js';

const [mode, countArg, stepArg = 'http'] = process.argv.slice(2);
const count = Number(countArg);
const BATCH = 50;
const EVENT = 'auth.login';

const plugins = mode === 'runs' ? ['auth', 'workflows'] : ['auth'];
// The circuit breaker (120 automatic runs a minute per workflow) exists to stop loops; a bench
// that triggers one workflow thousands of times a minute on purpose lifts it. http.allowPrivate:
// the receiver is on loopback. Nothing else differs from the defaults (8 runs at once, batches of 50).
const settings = { workflows: { maxRunsPerMinute: 1_000_000, http: { allowPrivate: true } } };
const app = await createApp({ overrides: { plugins, log: { level: 'warn' }, scheduler: { enabled: false }, settings } });

// Statements and commits, counted from knex's query events: BEGIN and COMMIT are statements too, and
// a write outside a transaction on its connection is a commit of its own. The group commits' direct
// statements carry no transaction id, so a connection's open transaction is tracked from its BEGIN.
const sql = { statements: 0, writes: 0, commits: 0 };
const inTransaction = new Set();
// BENCH_SQL_DEBUG=1: also print each statement shape with its count (to stderr) at the end.
const debug = Boolean(process.env.BENCH_SQL_DEBUG);
const shapes = new Map();
app.db.on('query', (q) => {
  const text = String(q.sql).trimStart().slice(0, 12).toLowerCase();
  if (text.startsWith('/*')) return; // the bench's own polling (tagged with a comment)
  sql.statements++;
  if (debug) {
    const shape = String(q.sql)
      .replace(/\s+/g, ' ')
      .replace(/\(\?(, \?)*\)/g, '(…)')
      .slice(0, 110);
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  if (text.startsWith('begin')) inTransaction.add(q.__knexUid);
  else if (text.startsWith('commit')) {
    inTransaction.delete(q.__knexUid);
    sql.commits++;
  } else if (text.startsWith('rollback')) inTransaction.delete(q.__knexUid);
  else if (/^(insert|update|delete)/.test(text)) {
    sql.writes++;
    if (!inTransaction.has(q.__knexUid)) sql.commits++;
  }
});

let received = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

const tenantId = randomUUID();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const countOf = async (table, where) => Number((await app.db(table).comment('bench').where(where).count({ n: '*' }).first()).n);

const STEPS = {
  http: {
    id: 'notify',
    action: 'http.request',
    input: { method: 'POST', url: receiverUrl, body: { user: '{{trigger.user_id}}', method: '{{trigger.method}}' } },
  },
  stop_if: { id: 'check', action: 'stop_if', input: { condition: { const: 'blocked' }, value: '{{trigger.method}}', reason: 'blocked method' } },
};

async function emitAll(n, offset) {
  for (let i = 0; i < n; i += BATCH) {
    await app.db.transaction(async (trx) => {
      for (let k = i; k < Math.min(n, i + BATCH); k++) await app.events.emit(trx, EVENT, { user_id: `user-${offset + k}`, method: 'password' }, { tenantId });
    });
  }
}

/** Emits `n` events and waits until `done()` counts `n`; returns seconds, CPU and statements per item. */
async function timed(n, offset, done, timeoutMs) {
  const before = { ...sql };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const emitting = emitAll(n, offset);
  const deadline = started + timeoutMs;
  let finished = 0;
  while ((finished = await done()) < n) {
    if (performance.now() > deadline) throw new Error(`timed out: ${finished} of ${n} done after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(10);
  }
  const seconds = (performance.now() - started) / 1000;
  await emitting;
  const used = process.cpuUsage(cpu);
  return {
    value: n / seconds,
    seconds,
    cpuUs: (used.user + used.system) / n,
    statements: (sql.statements - before.statements) / n,
    writes: (sql.writes - before.writes) / n,
    commits: (sql.commits - before.commits) / n,
  };
}

await app.start({ listen: false });
try {
  const WARMUP = 100;
  if (mode === 'runs') {
    const step = STEPS[stepArg];
    if (!step) throw new Error(`unknown step ${stepArg}: http or stop_if`);
    const s = app.container.resolve('workflowsServices');
    const wf = await s.workflows.create(tenantId, null, {
      name: 'bench',
      trigger: { type: 'event', event: EVENT },
      condition: { type: 'object', required: ['user_id'] },
      steps: [step],
    });
    const succeeded = () => countOf('workflows_runs', { workflow_id: wf.id, status: 'succeeded' });
    // Warm up (statements prepared, JIT), then the measured events; the polling reads are not counted.
    await timed(WARMUP, 0, succeeded, 60_000);
    const base = await succeeded();
    // The database is polled only once the receiver has had every call (http): the polling reads
    // queue on the one SQLite connection, and polling all along took a tenth of its time.
    const calledAll = () => stepArg !== 'http' || received >= WARMUP + count;
    const r = await timed(count, WARMUP, async () => (calledAll() ? (await succeeded()) - base : 0), 180_000);
    const bad = await app.db('workflows_runs').where('workflow_id', wf.id).whereNot('status', 'succeeded').count({ n: '*' }).first();
    if (Number(bad.n)) throw new Error(`${bad.n} runs did not succeed`);
    if (stepArg === 'http' && received !== WARMUP + count) throw new Error(`the receiver got ${received} calls, expected ${WARMUP + count}`);
    console.log(`RESULT ${JSON.stringify({ ...r, step: stepArg })}`);
  } else if (mode === 'outbox') {
    let handled = 0;
    app.events.subscribe(EVENT, 'bench:noop', () => {
      handled++;
    });
    await timed(WARMUP, 0, async () => handled, 60_000);
    const r = await timed(
      count,
      WARMUP,
      async () => (handled >= WARMUP + count ? (await countOf('core_events', { status: 'delivered' })) - WARMUP : 0),
      180_000,
    );
    console.log(`RESULT ${JSON.stringify(r)}`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  if (debug) for (const [shape, n] of [...shapes].sort((x, y) => y[1] - x[1]).slice(0, 40)) process.stderr.write(`${String(n).padStart(7)} ${shape}\n`);
  receiver.close();
  await app.stop();
}
