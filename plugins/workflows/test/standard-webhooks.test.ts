// Workflows against the Standard Webhooks spec's own library (`standardwebhooks`): a signed
// `http.request` verifies in the library's default mode at a real receiver; an inbound signed
// webhook accepts what the library signs, refuses a tampered body (no run), and a `wfsec_` secret
// stored before spec secrets still verifies (keyed by its UTF-8 bytes, the library's raw mode).
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from 'plinth/plugin';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createWorkflow, Receiver, runRows, waitForRun, workflowsApp, type Owner, type WorkflowsApp } from './helpers.js';

const pathOf = (url: string) => new URL(url).pathname;

describe('workflows: Standard Webhooks by the spec library', () => {
  let t: WorkflowsApp;
  let owner: Owner;
  let rx: Receiver;
  before(async () => {
    t = await workflowsApp();
    owner = await registerOwner(t, 'stdwh');
    rx = await Receiver.start();
  });
  after(async () => {
    await rx?.close();
    await t?.close();
  });

  it('a signed http.request delivery verifies with new Webhook(whsec_…).verify at the receiver', async () => {
    const secret = newWebhookSecret();
    const wh = new Webhook(secret);
    rx.respond = (hit) => {
      try {
        wh.verify(hit.body, hit.headers as Record<string, string>);
        return { status: 200, body: { verified: true } };
      } catch {
        return { status: 401, body: { verified: false } };
      }
    };
    const wf = await createWorkflow(t, owner, {
      trigger: { type: 'manual' },
      steps: [
        { id: 'call', action: 'http.request', input: { url: `${rx.url}/signed`, body: { hello: '{{trigger.name}}' }, sign: { secret: '{{secrets.hook}}' } } },
      ],
      secrets: { hook: secret },
    });
    const res = await t.api('POST', `/workflows/${wf.id}/run`, { headers: owner.headers, body: { payload: { name: 'Zoë' } } });
    assert.equal(res.status, 202, res.text);
    const run = await waitForRun(t, owner, res.body.run_id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.steps[0].output.status, 200);
    assert.deepEqual(run.steps[0].output.body, { verified: true });
    const hit = rx.hits.find((h) => h.path === '/signed')!;
    assert.deepEqual(wh.verify(hit.body, hit.headers as Record<string, string>), { hello: 'Zoë' });
    assert.throws(() => new Webhook(newWebhookSecret()).verify(hit.body, hit.headers as Record<string, string>), /No matching signature/);
    const row = await t.app.db('workflows_runs').where('id', run.id).first();
    assert.equal(row.status, 'succeeded');
  });

  it('an inbound signed webhook accepts a body the library signs, and refuses a tampered one without starting a run', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'webhook', signed: true }, steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }] });
    const secret: string = wf.webhook.secret;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a spec secret, 32 random bytes');
    assert.equal((await t.app.db('workflows_workflows').where('id', wf.id).first()).webhook_secret, secret);
    const wh = new Webhook(secret);
    const path = pathOf(wf.webhook.url);
    const body = JSON.stringify({ order: 'A-1' });
    const headers = (id: string, signedBody: string) => ({
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': wh.sign(id, new Date(), signedBody),
    });

    const tampered = await t.request('POST', path, { raw: JSON.stringify({ order: 'A-1000' }), headers: headers('msg_t', body) });
    assert.equal(tampered.status, 401);
    assert.equal(tampered.body.code, 'invalid_signature');
    const foreign = await t.request('POST', path, {
      raw: body,
      headers: { ...headers('msg_f', body), 'webhook-signature': new Webhook(newWebhookSecret()).sign('msg_f', new Date(), body) },
    });
    assert.equal(foreign.status, 401);
    assert.equal((await runRows(t, wf.id)).length, 0, 'nothing started');

    const good = await t.request('POST', path, { raw: body, headers: headers('msg_g', body) });
    assert.equal(good.status, 202, good.text);
    const rows = await runRows(t, wf.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].trigger_type, 'webhook');
    assert.equal(rows[0].trigger_key, 'webhook:msg_g');
    assert.deepEqual(JSON.parse(rows[0].trigger_payload), { order: 'A-1' });

    // Rotating gives a new spec secret; the old one stops verifying.
    const rotated = await t.api('POST', `/workflows/${wf.id}/webhook/rotate`, { headers: owner.headers });
    assert.equal(rotated.status, 200, rotated.text);
    assert.match(rotated.body.webhook.secret, /^whsec_/);
    assert.notEqual(rotated.body.webhook.secret, secret);
    const old = await t.request('POST', pathOf(rotated.body.webhook.url), { raw: body, headers: headers('msg_o', body) });
    assert.equal(old.status, 401);
    assert.equal((await runRows(t, wf.id)).length, 1);
  });

  it('a wfsec_ secret stored before spec secrets still verifies, keyed by its UTF-8 bytes ({ format: "raw" })', async () => {
    const wf = await createWorkflow(t, owner, { trigger: { type: 'webhook', signed: true }, steps: [{ id: 'wait', action: 'delay', input: { seconds: 1 } }] });
    const legacy = 'wfsec_Q2xhc3NpYy1zZWNyZXQtZnJvbS1iZWZvcmUtMjAyNg';
    await t.app.db('workflows_workflows').where('id', wf.id).update({ webhook_secret: legacy });
    const body = JSON.stringify({ order: 'L-1' });
    const signed = (wh: Webhook) => ({
      'content-type': 'application/json',
      'webhook-id': 'msg_l',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': wh.sign('msg_l', new Date(), body),
    });
    assert.throws(() => new Webhook(legacy), /Base64Coder/, 'the library cannot read it as a spec secret');
    const refused = await t.request('POST', pathOf(wf.webhook.url), {
      raw: body,
      headers: signed(new Webhook(new TextEncoder().encode('wfsec_other'), { format: 'raw' })),
    });
    assert.equal(refused.status, 401);
    const res = await t.request('POST', pathOf(wf.webhook.url), { raw: body, headers: signed(new Webhook(legacy, { format: 'raw' })) });
    assert.equal(res.status, 202, res.text);
    const rows = await runRows(t, wf.id);
    assert.equal(rows.length, 1);
    assert.deepEqual(JSON.parse(rows[0].trigger_payload), { order: 'L-1' });
  });
});
