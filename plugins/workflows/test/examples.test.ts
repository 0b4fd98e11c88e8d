// The shipped "email the owner when usage reaches 80%" template against real billing metering,
// and the mail plugin's mail.send action (from the tenant's own mailbox only).
import assert from 'node:assert/strict';
import { waitFor } from '../../../test/helpers/processes.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { ADMIN, createWorkflow, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

describe('workflows: shipped examples and plugin actions', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  before(async () => {
    t = await workflowsApp({ plugins: ['billing', 'mail'], settings: { mail: { domains: [{ name: 'box.test' }] } } });
    owner = await registerOwner(t, 'usage');
  });
  after(async () => t?.close());

  it('the usage template emails the owner once a limit is 80% used (and not again at 100%)', async () => {
    const made = await t.api('POST', '/workflows/templates/usage-alert-owner/instantiate', { headers: owner.headers, body: {} });
    assert.equal(made.status, 201, made.text);
    // The free plan allows 5 API keys: the 4th is 80%, the 5th 100%.
    for (let i = 1; i <= 5; i++) {
      const key = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: `key ${i}`, scopes: ['workflows:read'] } });
      assert.equal(key.status, 201, key.text);
    }
    const [run] = await waitFor('the alert run', async () => {
      await t.app.events.flush();
      const rows = await runRows(t, made.body.id);
      return rows.length === 1 && rows[0].status === 'succeeded' ? rows : null;
    });
    // A gauge (API keys held) has no period (billing keys it '-'): the words say what is in use and to remove some.
    assert.deepEqual(JSON.parse(run.trigger_payload), {
      tenant_id: owner.tenantId,
      metric: 'max_api_keys',
      period: '-',
      threshold: 80,
      used: 4,
      limit: 5,
      kind: 'gauge',
      unit: 'API keys',
      period_label: null,
      resets_on: null,
      summary: '4 of 5 API keys in use',
      advice: 'upgrade the plan or remove some',
    });
    const mail = await t.app
      .db('core_mail_outbox')
      .where('subject', 'Usage of API keys is at 80%')
      .whereRaw('"to" like ?', [`%${owner.email}%`]);
    assert.equal(mail.length, 1);
    assert.deepEqual(JSON.parse(mail[0].to), [owner.email]);
    assert.equal(mail[0].text, 'Your tenant has 4 of 5 API keys in use (max_api_keys). Before the limit stops you: upgrade the plan or remove some.');
    assert.doesNotMatch(mail[0].text, /period| in -/);
    const detail = await waitForRun(t, owner, run.id);
    assert.deepEqual(detail.steps[0].output, { sent: 1, recipients: [owner.email] });
    const events = await t.app.db('core_events').where('name', 'usage.limit_reached').where('tenant_id', owner.tenantId);
    assert.equal(events.length, 2, '80% and 100% were both reported');
    assert.equal((await runRows(t, made.body.id)).length, 1, 'the 100% event did not match the condition');
  });

  it('for a monthly counter the mail names the month and when the next period starts', async () => {
    const counting = await registerOwner(t, 'counter');
    const made = await t.api('POST', '/workflows/templates/usage-alert-owner/instantiate', { headers: counting.headers, body: {} });
    assert.equal(made.status, 201, made.text);
    const admin = await t.request('POST', '/api/v2/auth/login', { body: ADMIN });
    assert.equal(admin.status, 200, admin.text);
    const limits = await t.api('PUT', `/admin/tenants/${counting.tenantId}/limit-overrides`, {
      headers: { authorization: `Bearer ${admin.body.access_token}` },
      body: { limits: { emails_sent_per_month: 5 } },
    });
    assert.equal(limits.status, 200, limits.text);
    // Four recipients of sent mail this month (the way the mail plugin meters them) are 80% of 5.
    await t.app.container
      .resolve<{ consume(tenant: string, metric: string, n: number): Promise<void> }>('usage')
      .consume(counting.tenantId, 'emails_sent_per_month', 4);
    await waitFor('the alert run', async () => {
      await t.app.events.flush();
      const rows = await runRows(t, made.body.id);
      return rows.length === 1 && rows[0].status === 'succeeded' ? rows : null;
    });
    const now = new Date();
    const month = now.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    const mail = await t.app
      .db('core_mail_outbox')
      .where('subject', 'Usage of mail recipients is at 80%')
      .whereRaw('"to" like ?', [`%${counting.email}%`]);
    assert.equal(mail.length, 1);
    assert.equal(
      mail[0].text,
      `Your tenant has 4 of 5 mail recipients used in ${month} (emails_sent_per_month). Before the limit stops you: upgrade the plan or wait for the ` +
        `next period (from ${next}).`,
    );
  });

  it('mail.send sends from a mailbox of the tenant through the mail plugin; another tenant’s mailbox is not found', async () => {
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: `sender${Date.now()}`, domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    const send = (from: string) => ({
      id: 'send',
      action: 'mail.send',
      input: { from, to: 'customer@example.test', subject: 'Order {{trigger.order}}', text: 'Thanks for order {{trigger.order}}.' },
    });
    const wf = await createWorkflow(t, owner, { trigger: { type: 'manual' }, steps: [send(box.body.email)] });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { order: 'A-17' } } });
    const run = await waitForRun(t, owner, res.body.run_id);
    assert.equal(run.status, 'succeeded', run.reason);
    assert.equal(run.steps[0].output.status, 'sent');
    const sent = await t.app.db('mail_sent').where('public_id', run.steps[0].output.id).first();
    assert.equal(sent.tenant_id, owner.tenantId);
    assert.equal(sent.from_addr, box.body.email);
    assert.equal(sent.user_id, `workflow:${wf.id}`);
    assert.equal(sent.subject, 'Order A-17');
    const outbox = await t.app.db('core_mail_outbox').where('subject', 'Order A-17').first();
    assert.deepEqual(JSON.parse(outbox.to), ['customer@example.test']);
    await t.app.events.flush();
    const event = await t.app
      .db('core_events')
      .where('name', 'mail.sent')
      .whereRaw('payload like ?', [`%${sent.public_id}%`])
      .first();
    assert.equal(JSON.parse(event.meta).workflow.runId, run.id, 'mail.sent carries the run that caused it');

    const other = await registerOwner(t, 'other');
    const theirs = await createWorkflow(t, other, { trigger: { type: 'manual' }, steps: [send(box.body.email)] });
    const stolen = await t.api('POST', `/workflows/${theirs.id}/run`, { headers: other.headers, body: { payload: { order: 'X' } } });
    const refused = await waitForRun(t, other, stolen.body.run_id);
    assert.equal(refused.status, 'failed');
    assert.match(refused.reason, /mailbox .* not found/);
    assert.equal(refused.steps[0].attempts, 1, 'not found is not retried');
    assert.equal(await t.app.db('mail_sent').where('subject', 'Order X').first(), undefined);
  });
});
