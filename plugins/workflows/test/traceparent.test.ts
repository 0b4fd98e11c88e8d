// W3C Trace Context through the workflows: a traceparent sent with a request arrives on the webhook
// a workflow sends because of it (request → event in the outbox → run → http.request), with the
// same trace id and a span id of that call's own; a run keeps its trace in its row, so a step run
// later by another instance (after a delay) still carries it; the run's log lines name the trace.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp } from '../../../test/helpers/app.js';
import { capturingLogger, type LogLine } from '../../../test/helpers/logs.js';
import { waitFor } from '../../../test/helpers/processes.js';
import { ADMIN, callStep, createWorkflow, Receiver, waitForRun, workflowsApp, type Hit, type Owner, type WorkflowsApp } from './helpers.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A fresh incoming trace, as an upstream service would send it. */
function upstream(): { traceId: string; parentId: string; header: string } {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const traceId = `a${hex(31)}`;
  const parentId = `b${hex(15)}`;
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

/** The trace id and parent id a receiver was sent. */
function sentTrace(hit: Hit): { traceId: string; parentId: string } {
  const m = TRACEPARENT.exec(String(hit.headers.traceparent ?? ''));
  assert.ok(m, `a W3C traceparent on the call, got ${hit.headers.traceparent}`);
  return { traceId: m[1], parentId: m[2] };
}

describe('workflows: the trace of the request that caused a run', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let rx: Receiver;
  let lines: LogLine[];
  before(async () => {
    const captured = capturingLogger('info');
    lines = captured.lines;
    t = await workflowsApp({
      plugins: ['licensing'],
      settings: { licensing: { verifyPerIpPerMinute: 100_000, verifyPerCodePerMinute: 100_000 } },
      logger: captured.logger,
    });
    owner = await registerOwner(t, 'traces');
    rx = await Receiver.start();
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });
  beforeEach(() => {
    rx.hits.length = 0;
  });

  /** A license of the owner's, ready to activate. */
  async function newLicense(): Promise<{ activation_code: string }> {
    const key = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'licenses', scopes: ['licenses:manage'] } });
    assert.equal(key.status, 201, key.text);
    const generated = await t.request('POST', '/license/api/admin/generate', {
      headers: { 'x-api-key': key.body.raw_key },
      body: { plan: 'yearly', email: 'buyer@example.test' },
    });
    assert.equal(generated.status, 200, generated.text);
    return generated.body.license;
  }

  it('a traceparent sent with a request arrives on the webhook a workflow sends because of it', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'event', event: 'license.activated' }, steps: [callStep(`${rx.url}/activated`)] });
    const { activation_code } = await newLicense();
    const incoming = upstream();
    const verified = await t.request('POST', '/license/api/verify', {
      headers: { traceparent: incoming.header, tracestate: 'upstream=1' },
      body: { activation_code, email: 'buyer@example.test', device_id: 'laptop-1', device_name: 'Laptop' },
    });
    assert.equal(verified.status, 200, verified.text);

    const [hit] = await waitFor('the webhook', () => (rx.hits.length ? rx.hits : null));
    assert.equal(hit.path, '/activated');
    const sent = sentTrace(hit);
    assert.equal(sent.traceId, incoming.traceId, 'the trace of the request that activated the license');
    assert.notEqual(sent.parentId, incoming.parentId, 'a span of the call’s own, not the caller’s');
    assert.equal(hit.headers.tracestate, 'upstream=1', 'tracestate passed along');

    // The run, in the workflow's history, is in the same trace (kept in its row).
    const run = await t.app.db('workflows_runs').where('workflow_id', wf.id).first();
    assert.equal(TRACEPARENT.exec(run.traceparent)?.[1], incoming.traceId);
    await waitForRun(t, owner, Number(run.id));
    // The verify request's own log line names the trace too.
    const requestId = verified.headers.get('x-request-id');
    assert.equal(lines.find((l) => l.msg === 'request' && l.request_id === requestId)?.trace_id, incoming.traceId);
  });

  it('every call of a run is a span of its own in the run’s trace; a failing run is logged in it', async () => {
    rx.respond = (hit) => (hit.path === '/refuses' ? { status: 401, body: { error: 'no' } } : { status: 200, body: { ok: true } });
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [callStep(`${rx.url}/first`, { id: 'first' }), callStep(`${rx.url}/second`, { id: 'second' }), callStep(`${rx.url}/refuses`, { id: 'third' })],
    });
    const incoming = upstream();
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: { ...owner.headers, traceparent: incoming.header }, body: { payload: {} } });
    assert.equal(res.status, 202, res.text);
    const run = await waitForRun(t, owner, res.body.run_id);
    assert.equal(run.status, 'failed');
    const sent = rx.hits.map(sentTrace);
    assert.deepEqual(
      sent.map((s) => s.traceId),
      [incoming.traceId, incoming.traceId, incoming.traceId],
    );
    assert.equal(new Set([incoming.parentId, ...sent.map((s) => s.parentId)]).size, 4, 'each call a new span id');
    const failed = await waitFor('the run’s failure line', () => lines.find((l) => l.msg === 'workflow run failed' && l.runId === res.body.run_id));
    assert.equal(failed.trace_id, incoming.traceId);
  });

  it('a step’s own traceparent header is sent as written', async () => {
    const own = upstream().header;
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [{ id: 'call', action: 'http.request', input: { url: rx.url, headers: { traceparent: own } } }],
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: { ...owner.headers, traceparent: upstream().header }, body: { payload: {} } });
    assert.equal((await waitForRun(t, owner, res.body.run_id)).status, 'succeeded');
    assert.equal(rx.hits[0].headers.traceparent, own);
  });

  it('a run started without a trace gets one: the calls of all its steps share it', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [callStep(`${rx.url}/a`, { id: 'a' }), callStep(`${rx.url}/b`, { id: 'b' })],
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: {} } });
    assert.equal((await waitForRun(t, owner, res.body.run_id)).status, 'succeeded');
    const [a, b] = rx.hits.map(sentTrace);
    assert.equal(a.traceId, b.traceId);
    assert.notEqual(a.parentId, b.parentId);
  });

  it('a run resumed after a delay by another instance keeps the trace of the request that started it', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }, callStep(`${rx.url}/later`, { id: 'later' })],
    });
    const incoming = upstream();
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: { ...owner.headers, traceparent: incoming.header }, body: { payload: {} } });
    assert.equal(res.status, 202, res.text);
    const runId = res.body.run_id;
    await waitFor(
      'the delay step to wait',
      async () => (await t.app.db('workflows_run_steps').where({ run_id: runId, idx: 0, status: 'waiting' }).first()) ?? null,
    );
    // This instance goes away; another, on the same database, takes the parked run when it is due.
    await t.app.stop();
    const other = await createTestApp({
      plugins: ['auth', 'licensing', 'workflows'],
      settings: { auth: { admin: ADMIN }, workflows: { pollIntervalMs: 50, http: { allowPrivate: true } } },
      database: t.database,
    });
    try {
      const [hit] = await waitFor('the call after the delay', () => (rx.hits.length ? rx.hits : null), { timeoutMs: 20_000 });
      assert.equal(hit.path, '/later');
      assert.equal(sentTrace(hit).traceId, incoming.traceId);
      await waitFor('the run to succeed', async () => (await other.app.db('workflows_runs').where('id', runId).first()).status === 'succeeded');
    } finally {
      await other.close();
    }
  });
});
