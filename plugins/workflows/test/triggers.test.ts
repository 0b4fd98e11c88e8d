// Cron and webhook triggers: a cron workflow starts once per due time (idempotent, one catch-up
// run after downtime); a webhook URL starts runs, verifies Standard Webhooks signatures with a
// timestamp, drops repeated webhook-ids, and is rate-limited.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { webhookHeaders } from 'plinth/plugin';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';
import { workflowsServices } from '../services/own.js';

describe('workflows: cron triggers', () => {
  const clock = new ManualClock('2026-03-02T10:02:30.000Z');
  let t: WorkflowsApp;
  let owner: Owner;
  let tick: () => Promise<number>;
  before(async () => {
    t = await workflowsApp({ clock });
    owner = await registerOwner(t);
    // An API key without expiry: access tokens would expire as the clock jumps hours.
    const key = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'cron', scopes: ['workflows:read', 'workflows:manage'] } });
    assert.equal(key.status, 201, key.text);
    owner = { ...owner, headers: { 'x-api-key': key.body.raw_key } };
    const { cron } = workflowsServices.of(t.app);
    tick = () => cron.tick();
  });
  after(async () => t?.close());

  it('starts once per due time, idempotently, and after downtime runs the latest missed time once', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'cron', cron: '*/5 * * * *' },
      steps: [{ id: 'stop', action: 'stop_if', input: { condition: { const: 'never' }, value: '{{trigger.scheduled_for}}' } }],
    });
    assert.equal(wf.next_run_at, '2026-03-02T10:05:00.000Z');
    assert.equal(await tick(), 0, 'not due yet');

    clock.set('2026-03-02T10:05:20.000Z');
    assert.equal(await t.app.scheduler.runNow('workflows.cron'), 'succeeded', 'the job is registered and runs');
    assert.equal(await tick(), 0, 'the same due time does not start twice');
    let rows = await runRows(t, wf.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].trigger_type, 'cron');
    assert.equal(rows[0].trigger_key, 'cron:2026-03-02T10:05:00.000Z');
    assert.deepEqual(JSON.parse(rows[0].trigger_payload), { scheduled_for: '2026-03-02T10:05:00.000Z', missed: 0 });
    const first = await waitForRun(t, owner, rows[0].id);
    assert.equal(first.status, 'succeeded');
    assert.equal(first.steps[0].input.value, '2026-03-02T10:05:00.000Z');
    assert.equal((await t.api('GET', `/workflows/${wf.id}`, { headers: owner.headers })).body.next_run_at, '2026-03-02T10:10:00.000Z');

    // Down from 10:06 to 11:03: ten times were missed (10:10 … 10:55); one run stands for 11:00.
    clock.set('2026-03-02T11:03:00.000Z');
    const [one, two] = await Promise.all([tick(), tick()]);
    assert.equal(one + two, 1, 'two ticks at once start one run');
    rows = await runRows(t, wf.id);
    assert.equal(rows.length, 2);
    assert.equal(rows[1].trigger_key, 'cron:2026-03-02T11:00:00.000Z');
    assert.deepEqual(JSON.parse(rows[1].trigger_payload), { scheduled_for: '2026-03-02T11:00:00.000Z', missed: 10 });
    assert.equal((await t.app.db('workflows_workflows').where('id', wf.id).first()).cron_next_at, '2026-03-02T11:05:00.000Z');
  });

  it('a disabled cron workflow does not run; enabled again, it counts from then on', async () => {
    clock.set('2026-03-03T08:00:30.000Z');
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'cron', cron: '0 * * * *' },
      steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }],
    });
    await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
    clock.set('2026-03-03T11:30:00.000Z');
    await tick();
    assert.equal((await runRows(t, wf.id)).length, 0);
    const on = await t.api('POST', `/workflows/${wf.id}/enable`, { headers: owner.headers });
    assert.equal(on.body.next_run_at, '2026-03-03T12:00:00.000Z');
    await tick();
    assert.equal((await runRows(t, wf.id)).length, 0, 'the hours missed while disabled never run');
  });
});

describe('workflows: webhook triggers', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  before(async () => {
    t = await workflowsApp({ workflows: { webhook: { perIpPerMinute: 40, toleranceSeconds: 300 } } });
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  const pathOf = (url: string) => new URL(url).pathname;
  const steps = [{ id: 'check', action: 'stop_if', input: { condition: { const: 'stop' }, value: '{{trigger.order}}' } }];

  it('an unsigned webhook: its URL is shown once, a JSON body starts a run, a repeated webhook-id starts none', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'webhook' }, steps });
    assert.match(wf.webhook.url, /^http:\/\/plinth\.test\/api\/v2\/workflows\/hooks\/[A-Za-z0-9_-]{32}$/);
    assert.equal(wf.webhook.secret, null);
    const shown = await t.api('GET', `/workflows/${wf.id}`, { headers: owner.headers });
    assert.deepEqual(shown.body.webhook, { signed: false });
    const row = await t.app.db('workflows_workflows').where('id', wf.id).first();
    assert.ok(!JSON.stringify(row).includes(wf.webhook.url.split('/').pop()), 'only a hash of the token is stored');

    const res = await t.request('POST', pathOf(wf.webhook.url), { body: { order: 'A-1' }, headers: { 'webhook-id': 'evt-1' } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'pending');
    const run = await waitForRun(t, owner, res.body.run_id);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.trigger, { type: 'webhook', key: 'webhook:evt-1' });
    assert.deepEqual(run.trigger_payload, { order: 'A-1' });

    const again = await t.request('POST', pathOf(wf.webhook.url), { body: { order: 'A-1' }, headers: { 'webhook-id': 'evt-1' } });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { run_id: run.id, status: 'duplicate' });
    assert.equal((await runRows(t, wf.id)).length, 1);

    const list = await t.request('POST', pathOf(wf.webhook.url), { body: [1, 2] });
    assert.equal(list.status, 422);
    assert.deepEqual(list.body.detail[0].loc, ['body']);

    await t.api('POST', `/workflows/${wf.id}/disable`, { headers: owner.headers });
    const off = await t.request('POST', pathOf(wf.webhook.url), { body: {} });
    assert.equal(off.status, 409);
    assert.equal(off.body.code, 'workflow_disabled');
  });

  it('a signed webhook refuses a missing, wrong or stale signature (401) and accepts a good one; rotating replaces the URL', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'webhook', signed: true }, steps });
    const secret: string = wf.webhook.secret;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const path = pathOf(wf.webhook.url);
    const body = JSON.stringify({ order: 'B-2' });
    const now = Math.floor(Date.now() / 1000);
    const send = (headers: Record<string, string>) => t.request('POST', path, { raw: body, headers: { 'content-type': 'application/json', ...headers } });

    const none = await send({});
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'invalid_signature');
    const wrong = await send(webhookHeaders('not-the-secret', 'msg-1', now, body));
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.detail, /does not match/);
    const stale = await send(webhookHeaders(secret, 'msg-1', now - 600, body));
    assert.equal(stale.status, 401);
    assert.match(stale.body.detail, /too far from now/);
    const tampered = await t.request('POST', path, {
      raw: JSON.stringify({ order: 'B-3' }),
      headers: { 'content-type': 'application/json', ...webhookHeaders(secret, 'msg-1', now, body) },
    });
    assert.equal(tampered.status, 401);
    assert.equal((await runRows(t, wf.id)).length, 0, 'nothing started');

    const good = await send(webhookHeaders(secret, 'msg-1', now, body));
    assert.equal(good.status, 202, good.text);
    assert.deepEqual((await waitForRun(t, owner, good.body.run_id)).trigger_payload, { order: 'B-2' });

    const rotated = await t.api('POST', `/workflows/${wf.id}/webhook/rotate`, { headers: owner.headers });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.webhook.url, wf.webhook.url);
    assert.notEqual(rotated.body.webhook.secret, secret);
    assert.equal((await send(webhookHeaders(secret, 'msg-2', now, body))).status, 404, 'the old URL is gone');
    const fresh = await t.request('POST', pathOf(rotated.body.webhook.url), {
      raw: body,
      headers: { 'content-type': 'application/json', ...webhookHeaders(rotated.body.webhook.secret, 'msg-2', now, body) },
    });
    assert.equal(fresh.status, 202, fresh.text);
  });

  it('calls to webhook URLs are rate-limited per client IP (429 with Retry-After)', async () => {
    let limited = null;
    for (let i = 0; i < 45 && !limited; i++) {
      const res = await t.request('POST', '/api/v2/workflows/hooks/unknown-token-for-rate-limits', { body: {} });
      if (res.status === 429) limited = res;
      else assert.equal(res.status, 404);
    }
    assert.ok(limited, 'a 429 came');
    assert.equal(limited.body.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});
