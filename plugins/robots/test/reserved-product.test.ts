// Customers must not mint what the operator sells: `workbot` licenses are WorkBot's activation
// codes, reserved by the robots plugin (kind robot). A customer owner asking for product `workbot`
// through the license server's face, the `licensing.generate` workflow action or its MCP tool gets
// a 400 naming `product` in that face's envelope, and no license row; activation takes only a
// `workbot` license of kind robot.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { waitFor } from '../../../test/helpers/processes.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { activate, adminCodes, device, homeAdmin, robotsApp, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';

const RESERVED = /product "workbot" is reserved: its licenses are issued by WorkBot/;

describe('robots: the workbot product is reserved for WorkBot’s activation codes', () => {
  let t: RobotsApp;
  let customer: Owner;
  let key: string;

  const licenseCount = async (tenantId: string) => Number((await t.app.db('licensing_licenses').where('tenant_id', tenantId).count({ n: '*' }))[0].n);

  before(async () => {
    t = await robotsApp({
      extraPlugins: ['workflows', 'agents'],
      settings: { auth: { registration: 'open' }, workflows: { pollIntervalMs: 50 } },
    });
    customer = await registerOwner(t, 'customer');
    const res = await t.request('POST', '/api/v2/api-keys', { body: { name: 'licenses', scopes: ['licenses:manage'] }, headers: customer.headers });
    assert.equal(res.status, 201, res.text);
    key = res.body.raw_key;
  });
  after(async () => t?.close());

  it('the license server’s face: 400 INVALID_REQUEST, reason PRODUCT_RESERVED, naming product; nothing written', async () => {
    for (const product of ['workbot', 'WorkBot']) {
      const res = await t.request('POST', '/license/api/admin/generate', {
        headers: { 'X-API-Key': key },
        body: { plan: 'lifetime', email: 'buyer@example.com', product, count: 3 },
      });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.success, false);
      assert.equal(res.body.code, 'INVALID_REQUEST');
      assert.equal(res.body.reason, 'PRODUCT_RESERVED');
      assert.match(res.body.message, product === 'workbot' ? RESERVED : /product "WorkBot" is reserved/);
    }
    assert.equal(await licenseCount(customer.tenantId), 0);

    // Any other product is the customer's own (beside the seed), and stored as asked.
    const ok = await t.request('POST', '/license/api/admin/generate', {
      headers: { 'X-API-Key': key },
      body: { plan: 'monthly', email: 'buyer@example.com', product: 'my-app' },
    });
    assert.equal(ok.status, 200, ok.text);
    const row = await t.app.db('licensing_licenses').where('license_id', ok.body.license.license_id).first('product', 'kind', 'tenant_id');
    assert.deepEqual({ ...row }, { product: 'my-app', kind: 'license', tenant_id: customer.tenantId });
    await t.app.db('licensing_licenses').where('tenant_id', customer.tenantId).delete();
  });

  it('the licensing.generate workflow action: the step fails, not retried, naming product; nothing written', async () => {
    const created = await t.request('POST', '/api/v2/workflows', {
      headers: customer.headers,
      body: {
        name: 'mint a robot code',
        trigger: { type: 'manual' },
        steps: [{ id: 'mint', action: 'licensing.generate', input: { plan: 'lifetime', product: 'workbot' }, retry: { attempts: 3 } }],
      },
    });
    assert.equal(created.status, 201, created.text);
    const started = await t.request('POST', `/api/v2/workflows/${created.body.id}/run`, { headers: customer.headers, body: { payload: {} } });
    assert.equal(started.status, 202, started.text);
    const runId = started.body.run_id;
    await waitFor('the run to end', async () => {
      const row = await t.app.db('workflows_runs').where('id', runId).first('status');
      return row?.status === 'failed';
    });
    const run = await t.request('GET', `/api/v2/workflows/runs/${runId}`, { headers: customer.headers });
    assert.equal(run.status, 200, run.text);
    assert.equal(run.body.status, 'failed');
    assert.match(run.body.reason, /not retried: the error is permanent/);
    assert.match(run.body.reason, RESERVED);
    const [step] = run.body.steps;
    assert.equal(step.status, 'failed');
    assert.equal(step.attempts, 1);
    assert.match(step.error, RESERVED);
    assert.equal(await licenseCount(customer.tenantId), 0);
  });

  it('the licensing_generate MCP tool: an error result naming product; nothing written', async () => {
    const client = new Client({ name: 'plinth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }));
    try {
      const result = await client.callTool({ name: 'licensing_generate', arguments: { plan: 'lifetime', product: 'workbot' } });
      assert.equal(result.isError, true, JSON.stringify(result));
      const body = JSON.parse((result.content as Array<{ text: string }>)[0].text);
      assert.equal(body.error, 'INVALID_REQUEST');
      assert.match(body.message, RESERVED);
    } finally {
      await client.close();
    }
    assert.equal(await licenseCount(customer.tenantId), 0);
  });

  it('WorkBot’s own codes still issue (kind robot), and activation takes only those: a workbot license of another kind is 404', async () => {
    const admin = await homeAdmin(t);
    const [code, stray] = await adminCodes(t, admin, 2);
    const rows = await t.app.db('licensing_licenses').whereIn('activation_code', [code, stray]).select('product', 'kind');
    assert.deepEqual(
      rows.map((r) => `${r.product}/${r.kind}`),
      ['workbot/robot', 'workbot/robot'],
    );
    // A `workbot` license that is not a robot code (as one minted through the license server before the product was reserved).
    await t.app.db('licensing_licenses').where('activation_code', stray).update({ kind: 'license' });
    const refused = await t.wb('POST', '/api/robot-ids/activate', { body: { code: stray, deviceInfo: device() } });
    assert.equal(refused.status, 404, refused.text);
    assert.deepEqual(refused.body, { code: 404, message: '激活码不存在', data: null });
    const license = await t.app.db('licensing_licenses').where('activation_code', stray).first('id', 'active_devices');
    assert.equal(Number(license.active_devices), 0);
    assert.equal(Number((await t.app.db('licensing_devices').where('license_pk', license.id).count({ n: '*' }))[0].n), 0);
    assert.equal(await t.app.db('robots_robots').where('activation_code', stray).first(), undefined);

    const robot = await activate(t, code);
    assert.ok(robot.robotId);
  });
});
