// Conditions (a JSON Schema on the trigger payload), step templates (payload, earlier outputs,
// secrets, no code evaluation) and the dry run, which executes nothing.
import assert from 'node:assert/strict';
import { verifyWebhook } from 'plinth/plugin';
import { waitFor } from '../../../test/helpers/processes.js';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, Receiver, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: conditions, templates and dry runs', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let rx: Receiver;
  before(async () => {
    t = await workflowsApp();
    owner = await registerOwner(t);
    rx = await Receiver.start();
  });
  after(async () => {
    await t?.close();
    await rx?.close();
  });
  beforeEach(() => {
    rx.hits.length = 0;
    rx.respond = () => ({ status: 200, body: { ok: true } });
  });

  it('an event starts the workflow only when its payload matches the condition', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'event', event: 'auth.user.created' },
      condition: { type: 'object', required: ['role'], properties: { role: { const: 'admin' } } },
      steps: [{ id: 'call', action: 'http.request', input: { url: rx.url, body: { user: '{{trigger.user_id}}', role: '{{trigger.role}}' } } }],
    });
    const member = await addUser(t, owner.tenantId, 'member');
    const admin = await addUser(t, owner.tenantId, 'admin');
    await t.app.events.flush();
    const runs = await waitFor('one run', async () => {
      const rows = await runRows(t, wf.id);
      return rows.length === 1 && rows[0].status === 'succeeded' ? rows : null;
    });
    assert.equal(runs[0].trigger_type, 'event');
    assert.deepEqual(JSON.parse(runs[0].trigger_payload).user_id, admin.id);
    assert.deepEqual(
      rx.hits.map((h) => JSON.parse(h.body)),
      [{ user: admin.id, role: 'admin' }],
    );
    assert.ok(!rx.hits.some((h) => h.body.includes(member.id)), 'the member did not match');
  });

  it('a manual run whose payload does not match is refused (409 naming the field) and records nothing', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      condition: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'integer' } } },
      steps: [{ id: 'call', action: 'http.request', input: { url: rx.url } }],
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { order_id: 'seven' } } });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'condition_not_met');
    assert.match(res.body.detail, /trigger\.order_id must be integer/);
    assert.equal((await runRows(t, wf.id)).length, 0);
    const ok = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { order_id: 7 } } });
    assert.equal(ok.status, 202);
    assert.equal((await waitForRun(t, owner, ok.body.run_id)).status, 'succeeded');
  });

  it('renders inputs from the payload and earlier steps’ outputs (by id and index), keeps types, signs with a secret, and evaluates no code', async () => {
    rx.respond = (_hit, n) => (n === 1 ? { status: 200, body: { token: 'tok-123', count: 3, nested: { deep: true } } } : { status: 200, body: { ok: true } });
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [
        { id: 'first', action: 'http.request', input: { url: rx.url, body: { name: '{{trigger.name}}' } } },
        {
          id: 'second',
          action: 'http.request',
          input: {
            url: `${rx.url}/second`,
            sign: { secret: '{{secrets.key}}' },
            body: {
              greeting: 'Hello {{trigger.name}} <{{trigger.email}}>',
              token: '{{steps.first.body.token}}',
              count: '{{steps.0.body.count}}',
              nested: '{{steps.first.body.nested}}',
              inline: 'n={{steps.first.body.nested}}',
              list: '{{#trigger.items}}[{{sku}}]{{/trigger.items}}',
              missing: '{{trigger.nothing.here}}',
              code: '{{constructor.constructor}}',
              section: '{{#constructor.constructor}}process.exit(1){{/constructor.constructor}}',
              proto: '{{trigger.__proto__}}{{trigger.toString}}{{trigger.items.map}}',
              secret: 'key={{secrets.key}}',
            },
          },
        },
      ],
      secrets: { key: 'signing-key-for-tests' },
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, {
      headers: owner.headers,
      body: { payload: { name: 'Ann', email: 'ann@example.test', items: [{ sku: 'A1' }, { sku: 'B2' }] } },
    });
    const run = await waitForRun(t, owner, res.body.run_id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    const second = rx.hits.find((h) => h.path === '/second')!;
    assert.deepEqual(JSON.parse(second.body), {
      greeting: 'Hello Ann <ann@example.test>',
      token: 'tok-123',
      count: 3,
      nested: { deep: true },
      inline: 'n={"deep":true}',
      list: '[A1][B2]',
      missing: '',
      code: '',
      section: '',
      proto: '',
      secret: 'key=signing-key-for-tests',
    });
    const headers = second.headers as Record<string, string>;
    const check = verifyWebhook(
      'signing-key-for-tests',
      { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
      second.body,
      new Date(),
      300,
    );
    assert.deepEqual(check, { ok: true });
    assert.equal(headers['webhook-id'], `wfr_${run.id}_second`);

    // The secret never lands in the run's records.
    const stored = run.steps[1];
    assert.equal(stored.input.sign.secret, '[secret]');
    assert.equal(stored.input.body.secret, 'key=[secret]');
    const rows = await t.app.db('workflows_run_steps').where('run_id', run.id);
    assert.ok(!JSON.stringify(rows).includes('signing-key-for-tests'));
  });

  it('a rendered input its action refuses fails the step without running it, naming the field', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [{ id: 'wait', action: 'delay', input: { seconds: '{{trigger.seconds}}' } }],
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { seconds: 'soon' } } });
    const run = await waitForRun(t, owner, res.body.run_id);
    assert.equal(run.status, 'failed');
    assert.match(run.reason, /step wait \(delay\): input is invalid: input\.seconds must be integer/);
    assert.equal(run.steps[0].status, 'failed');
    assert.equal(run.steps[0].input.seconds, 'soon');
  });

  it('dry-runs a saved workflow: condition result, rendered inputs and their problems; nothing executes', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      condition: { type: 'object', required: ['target'] },
      steps: [
        { id: 'call', action: 'http.request', input: { url: '{{trigger.target}}', body: { n: '{{trigger.n}}' } } },
        { id: 'wait', action: 'delay', input: { seconds: '{{steps.call.body.wait}}' } },
      ],
    });
    const hitsBefore = rx.hits.length;
    const miss = await t.api('POST', `/workflows/${wf.id}/dry-run`, { headers: owner.headers, body: { payload: { n: 1 } } });
    assert.equal(miss.status, 200, miss.text);
    assert.equal(miss.body.condition.matched, false);
    assert.deepEqual(miss.body.condition.errors, [{ path: 'trigger.target', message: 'is required' }]);
    assert.equal(miss.body.would_run, false);

    const hit = await t.api('POST', `/workflows/${wf.id}/dry-run`, {
      headers: owner.headers,
      body: { payload: { target: rx.url, n: 5 }, sample_outputs: { call: { body: { wait: 30 } } } },
    });
    assert.equal(hit.body.condition.matched, true);
    assert.deepEqual(hit.body.steps[0].input, { url: rx.url, body: { n: 5 }, method: 'POST' });
    assert.deepEqual(hit.body.steps[0].problems, []);
    assert.deepEqual(hit.body.steps[1].input, { seconds: 30 });
    assert.equal(hit.body.would_run, true);

    const noSample = await t.api('POST', `/workflows/${wf.id}/dry-run`, { headers: owner.headers, body: { payload: { target: 'ftp://nowhere' } } });
    assert.deepEqual(noSample.body.steps[1].problems, [{ path: 'input.seconds', message: 'must be integer' }]);
    assert.equal(noSample.body.would_run, false);

    assert.equal(rx.hits.length, hitsBefore, 'nothing was called');
    assert.equal((await runRows(t, wf.id)).length, 0, 'no run was recorded');
  });

  it('dry-runs an unsaved draft, listing its definition problems', async () => {
    const res = await t.api('POST', '/workflows/dry-run', {
      headers: owner.headers,
      body: {
        trigger: { type: 'manual' },
        condition: { properties: { a: { type: 'string' } } },
        steps: [
          { id: 'x', action: 'no.such', input: {} },
          { id: 'y', action: 'stop_if', input: { condition: { const: 1 }, value: '{{trigger.a}}' } },
        ],
        payload: { a: 'z' },
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.condition.matched, true);
    assert.deepEqual(
      res.body.definition_problems.map((p: { path: string }) => p.path),
      ['body.steps.0.action'],
    );
    assert.deepEqual(res.body.steps[0].problems, [{ path: 'action', message: 'unknown action "no.such"' }]);
    assert.deepEqual(res.body.steps[1].input, { condition: { const: 1 }, value: 'z', reason: 'the stop condition matched' });
    assert.equal(res.body.would_run, false);
    const invalid = await t.api('POST', '/workflows/dry-run', { headers: owner.headers, body: { trigger: { type: 'manual' }, steps: 'none' } });
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.body.detail[0].loc, ['body', 'steps']);
  });

  it('stop_if ends a run as stopped with its reason; later steps do not run', async () => {
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'check',
          action: 'stop_if',
          input: { condition: { type: 'object', required: ['test'] }, value: '{{trigger}}', reason: 'test orders are not forwarded' },
        },
        { id: 'call', action: 'http.request', input: { url: rx.url } },
      ],
    });
    const stopped = await waitForRun(
      t,
      owner,
      (await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { test: true } } })).body.run_id,
    );
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.reason, 'step check: test orders are not forwarded');
    assert.equal(stopped.reason_code, 'stopped');
    assert.deepEqual(stopped.reason_args, { step: 'check', why: 'test orders are not forwarded' });
    assert.deepEqual(
      stopped.steps.map((s: { status: string }) => s.status),
      ['succeeded'],
    );
    assert.equal(rx.hits.length, 0);
    const went = await waitForRun(
      t,
      owner,
      (await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { real: true } } })).body.run_id,
    );
    assert.equal(went.status, 'succeeded');
    assert.deepEqual(went.steps[0].output, { stop: false, reason: null });
    assert.equal(rx.hits.length, 1);
  });
});
