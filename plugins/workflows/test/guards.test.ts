// Guards: a workflow whose action emits the event that triggers it is blocked (a loop), a chain
// deeper than settings.workflows.maxDepth is blocked, a workflow starting too often is blocked
// (the circuit breaker), and a redelivered event starts a workflow once. Blocked triggers are
// recorded as runs with their reason, and logged.
import assert from 'node:assert/strict';
import { capturingLogger } from '../../../test/helpers/logs.js';
import { waitFor } from '../../../test/helpers/processes.js';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, runRows, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';
import { RunsPerMinute } from '../services/circuit-breaker.js';
import { workflowsServices } from '../services/own.js';

const createNote = (title: string) => ({ id: 'note', action: 'example.create_note', input: { title } });
const finished = (rows: Array<Record<string, any>>) => rows.every((r) => ['succeeded', 'failed', 'stopped', 'blocked'].includes(r.status));

describe('workflows: guards and idempotency', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  const { logger, lines } = capturingLogger('warn');
  before(async () => {
    t = await workflowsApp({ plugins: ['example'], workflows: { maxDepth: 2, maxRunsPerMinute: 3 }, logger });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  /** A note through the example plugin's API, as a user of the owner's tenant. */
  const note = async (title: string) => {
    const res = await t.request('POST', '/example/notes', { headers: { authorization: `Test someone;${owner.tenantId};owner;*` }, body: { title } });
    assert.equal(res.status, 201, res.text);
    return res.body;
  };
  const notes = async () => (await t.app.db('example_notes').where('tenant_id', owner.tenantId).orderBy('id')).map((n: { title: string }) => n.title);

  it('a workflow whose step emits its own trigger runs once; the looped event is blocked, reported and logged', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'event', event: 'example.note.created' },
      condition: { properties: { title: { pattern: '^loop' } } },
      steps: [createNote('loop again: {{trigger.title}}')],
    });
    await note('loop start');
    const rows = await waitFor('a run and a blocked one', async () => {
      await t.app.events.flush();
      const r = await runRows(t, wf.id);
      return r.length === 2 && finished(r) ? r : null;
    });
    assert.deepEqual(
      rows.map((r) => r.status),
      ['succeeded', 'blocked'],
    );
    assert.match(rows[1].reason, /^loop: this workflow is already in the chain of runs that caused the trigger \(/);
    assert.deepEqual(JSON.parse(rows[1].chain), [wf.id, wf.id]);
    assert.deepEqual(await notes(), ['loop start', 'loop again: loop start']);
    // The event the run caused carries where it came from.
    const caused = await t.app.db('core_events').where('name', 'example.note.created').orderBy('id', 'desc').first();
    assert.deepEqual(JSON.parse(caused.meta).workflow, { chain: [wf.id], depth: 1, runId: rows[0].id, workflowId: wf.id, step: 'note' });

    const reported = await t.api('GET', `/workflows/runs?workflow_id=${wf.id}&status=blocked`, { headers: owner.headers });
    assert.equal(reported.body.total, 1);
    assert.match(reported.body.items[0].reason, /^loop:/);
    assert.equal(reported.body.items[0].reason_code, 'loop');
    assert.deepEqual(reported.body.items[0].reason_args, { chain: wf.id });
    assert.ok(lines.some((l) => l.msg === 'workflow run blocked' && l.workflowId === wf.id && /^loop:/.test(l.reason)));
    await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
  });

  it('a chain of workflows deeper than maxDepth is blocked with the reason', async () => {
    const level = (n: number) =>
      createWorkflow(t, owner, {
        name: `level ${n}`,
        trigger: { type: 'event', event: 'example.note.created' },
        condition: { properties: { title: { const: `level-${n}` } }, required: ['title'] },
        steps: [createNote(`level-${n + 1}`)],
      });
    const [w0, w1, w2] = [await level(0), await level(1), await level(2)];
    await note('level-0');
    const third = await waitFor('the third level to be blocked', async () => {
      await t.app.events.flush();
      return (await runRows(t, w2.id))[0] ?? null;
    });
    assert.equal(third.status, 'blocked');
    assert.match(third.reason, /^depth: the trigger was caused by a chain of 2 workflow runs; the limit is 2/);
    assert.equal((await runRows(t, w0.id))[0].depth, 1);
    assert.equal((await runRows(t, w1.id))[0].depth, 2);
    assert.deepEqual(JSON.parse((await runRows(t, w1.id))[0].chain), [w0.id, w1.id]);
    assert.deepEqual(
      (await notes()).filter((n) => n.startsWith('level')),
      ['level-0', 'level-1', 'level-2'],
    );
    for (const w of [w0, w1, w2]) await t.api('POST', `/workflows/${w.id}/disable`, { headers: owner.headers });
  });

  it('the circuit breaker blocks a workflow starting more than maxRunsPerMinute times (people are not limited)', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'event', event: 'auth.user.created' },
      steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }],
    });
    for (let i = 0; i < 5; i++) await addUser(t, owner.tenantId, 'member', { label: `breaker${i}` });
    const rows = await waitFor('five triggers handled', async () => {
      await t.app.events.flush();
      const r = await runRows(t, wf.id);
      return r.length === 5 ? r : null;
    });
    assert.equal(rows.filter((r) => r.status !== 'blocked').length, 3);
    const blocked = rows.filter((r) => r.status === 'blocked');
    assert.equal(blocked.length, 2);
    for (const r of blocked) assert.match(r.reason, /^rate: 3 runs in the last minute; the limit is 3 per workflow/);
    const manual = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: {} });
    assert.equal(manual.status, 202);
    assert.equal(manual.body.status, 'pending');
    await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
  });

  it('the circuit breaker reads a workflow’s count at most once a second, adding the runs started here meanwhile', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'event', event: 'example.note.created' }, steps: [createNote('counted')] });
    const { version_id } = await t.app.db('workflows_workflows').where('id', wf.id).first('version_id');
    const t0 = new Date();
    // Runs another instance started (or ended): only those of the last minute that were not blocked count.
    const others = (n: number, ago: number, status = 'succeeded') =>
      Array.from({ length: n }, () => ({
        workflow_id: wf.id,
        tenant_id: owner.tenantId,
        version_id,
        version: 1,
        trigger_type: 'event',
        trigger_payload: '{}',
        status,
        chain: JSON.stringify([wf.id]),
        depth: 1,
        created_at: new Date(t0.getTime() - ago).toISOString(),
      }));
    await t.app.db('workflows_runs').insert([...others(2, 10_000), ...others(1, 5_000, 'blocked'), ...others(3, 61_000)]);
    const counts = new RunsPerMinute({ db: t.app.db, settings: { maxRunsPerMinute: 100 } });
    assert.equal(await counts.of(wf.id, t0), 2);
    counts.started(wf.id);
    await t.app.db('workflows_runs').insert(others(4, 0));
    const later = (ms: number) => new Date(t0.getTime() + ms);
    assert.equal(await counts.of(wf.id, later(999)), 3, 'within the second: the count read at t0 and the run started here');
    assert.equal(await counts.of(wf.id, later(1_000)), 6, 'a second on: read again, the other instance’s four runs in it');
    const capped = new RunsPerMinute({ db: t.app.db, settings: { maxRunsPerMinute: 4 } });
    assert.equal(await capped.of(wf.id, later(1_000)), 4, 'counted up to the limit only');
    await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
  });

  it('events delivered in one batch start their runs in event order, and the circuit breaker counts the batch itself', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'event', event: 'example.note.created' },
      condition: { properties: { title: { pattern: '^batch' } } },
      steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }],
    });
    // One transaction: the dispatcher claims the five events together and hands them to the workflows at once.
    await t.app.db.transaction(async (trx) => {
      for (let i = 0; i < 5; i++) await t.app.events.emit(trx, 'example.note.created', { id: 1000 + i, title: `batch ${i}` }, { tenantId: owner.tenantId });
    });
    const rows = await waitFor('five triggers handled', async () => {
      await t.app.events.flush();
      const r = await runRows(t, wf.id);
      return r.length === 5 ? r : null;
    });
    assert.deepEqual(
      rows.map((r) => [JSON.parse(r.trigger_payload).title, r.status === 'blocked' ? 'blocked' : 'started']),
      [
        ['batch 0', 'started'],
        ['batch 1', 'started'],
        ['batch 2', 'started'],
        ['batch 3', 'blocked'],
        ['batch 4', 'blocked'],
      ],
    );
    const events = await t.app.db('core_events').where('name', 'example.note.created').orderBy('id', 'desc').limit(5).pluck('id');
    assert.deepEqual(rows.map((r) => r.trigger_key).sort(), events.map((id: number) => `event:${id}`).sort());
    await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
  });

  it('a redelivered event starts the workflow once (unique per workflow and event id)', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'event', event: 'auth.user.created' },
      condition: { properties: { email: { pattern: '^dup-' } } },
      steps: [createNote('dup {{trigger.user_id}}')],
    });
    const user = await addUser(t, owner.tenantId, 'member', { label: 'dup' });
    const [first] = await waitFor('the run', async () => {
      await t.app.events.flush();
      const r = await runRows(t, wf.id);
      return r.length === 1 && finished(r) ? r : null;
    });
    const event = await t.app
      .db('core_events')
      .where('name', 'auth.user.created')
      .whereRaw('payload like ?', [`%${user.id}%`])
      .first();
    assert.equal(first.trigger_key, `event:${event.id}`);
    await t.app.events.redeliver(Number(event.id), 'workflows:*');
    await t.app.events.flush();
    const handled = await t.app.db('core_event_handled').where({ event_id: event.id, handler: 'workflows:*' });
    assert.equal(handled.length, 1, 'the handler ran again and succeeded');
    const rows = await runRows(t, wf.id);
    assert.equal(rows.length, 1);
    assert.equal((await notes()).filter((n) => n === `dup ${user.id}`).length, 1);
  });

  it('one batch of triggers (new, already started, repeated, manual; two workflows): each gets its own run or the first one', async () => {
    const define = (title: string) =>
      createWorkflow(t, owner, {
        trigger: { type: 'event', event: 'auth.user.created' },
        condition: { properties: { email: { pattern: '^never-' } } },
        steps: [createNote(title)],
      });
    const [a, b] = [await define('batch a'), await define('batch b')];
    const { starter } = workflowsServices.of(t.app);
    const row = (id: string) => t.app.db('workflows_workflows').where('id', id).first();
    const [wa, wb] = [await row(a.id), await row(b.id)];
    const req = (workflow: unknown, triggerKey: string | null) =>
      ({ workflow, triggerType: triggerKey ? 'event' : 'manual', triggerKey, payload: {}, automatic: false }) as never;
    const [earlier] = await starter.startMany([req(wa, 'event:batch-1')]);
    assert.equal(earlier.outcome, 'started');
    const outcomes = await starter.startMany([
      req(wa, null),
      req(wa, 'event:batch-1'), // started before: the first run stands
      req(wb, 'event:batch-1'), // the same key on another workflow is its own
      req(wa, 'event:batch-2'),
      req(wa, 'event:batch-2'), // twice in one batch: once
      req(wb, null),
    ]);
    const runs = new Map((await t.app.db('workflows_runs').whereIn('workflow_id', [a.id, b.id])).map((r: Record<string, any>) => [Number(r.id), r]));
    assert.equal(runs.size, 5, 'one run from the first batch, four from the second: none twice');
    const runOf = (o: { runId?: number }) => runs.get(Number(o.runId))!;
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['started', 'duplicate', 'started', 'started', 'duplicate', 'started'],
    );
    assert.equal((outcomes[1] as { runId: number }).runId, (earlier as { runId: number }).runId);
    assert.equal((outcomes[4] as { runId: number }).runId, (outcomes[3] as { runId: number }).runId);
    for (const [i, workflowId, key, type] of [
      [0, a.id, null, 'manual'],
      [2, b.id, 'event:batch-1', 'event'],
      [3, a.id, 'event:batch-2', 'event'],
      [5, b.id, null, 'manual'],
    ] as const) {
      const run = runOf(outcomes[i] as { runId: number });
      assert.deepEqual([run.workflow_id, run.trigger_key, run.trigger_type], [workflowId, key, type], `outcome ${i} names its own run`);
    }
    await t.api('POST', `/workflows/${a.id}/disable`, { headers: owner.headers });
    await t.api('POST', `/workflows/${b.id}/disable`, { headers: owner.headers });
  });
});

describe('workflows: a burst of triggers', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  before(async () => {
    // A poll interval longer than the test: every run must be reached without waiting for it. Events
    // come 10 a batch, so later batches find the runner holding all it takes and insert their runs free.
    t = await workflowsApp({ plugins: ['example'], workflows: { batchSize: 2, pollIntervalMs: 600_000 }, overrides: { events: { batchSize: 10 } } });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  it('more runs than the runner holds at once are claimed batch after batch, not one batch a poll interval', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'event', event: 'example.note.created' },
      steps: [{ id: 'check', action: 'stop_if', input: { condition: { const: 'never' }, value: '{{trigger.title}}', reason: 'never' } }],
    });
    await t.app.db.transaction(async (trx) => {
      for (let i = 0; i < 100; i++) await t.app.events.emit(trx, 'example.note.created', { id: 2000 + i, title: `burst ${i}` }, { tenantId: owner.tenantId });
    });
    const rows = await waitFor('a hundred runs succeeded', async () => {
      const r = await runRows(t, wf.id);
      return r.length === 100 && r.every((x) => x.status === 'succeeded') ? r : null;
    });
    assert.equal(rows.length, 100);
  });
});
