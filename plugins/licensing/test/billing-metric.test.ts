import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { registerOwner } from '../../../test/helpers/actors.js';
import { apiKey, DAY, generate, loginAdmin, startLicensingApp, tenantKey, type LicensingApp } from './license-helpers.js';

describe('licensing with billing: the max_licenses gauge', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: LicensingApp;
  let key: Record<string, string>;

  before(async () => {
    t = await startLicensingApp({ clock, extraPlugins: ['billing'] });
    // An API key (not a 30-minute access token): the test moves the clock by days.
    key = await apiKey(t, await registerOwner(t), ['licenses:manage', 'billing:read']);
  });
  after(() => t?.close());

  const used = async () => {
    const res = await t.api('GET', '/billing/subscription', { headers: key });
    assert.equal(res.status, 200, res.text);
    return res.body.usage.licenses;
  };

  it('the free plan allows 10 active licenses: the 11th is 402 naming max_licenses; revoking or expiring one frees a slot', async () => {
    const licenses = [];
    for (let i = 0; i < 9; i++) licenses.push(await generate(t, key, { plan: 'lifetime' }));
    const short = await generate(t, key, { plan: 'monthly', days: 1 });
    assert.equal(await used(), 10);

    const refused = await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'monthly', email: 'user@example.com' } });
    assert.equal(refused.status, 402, refused.text);
    assert.equal(refused.body.success, false);
    assert.equal(refused.body.code, 'INVALID_REQUEST');
    assert.equal(refused.body.reason, 'USAGE_LIMIT_REACHED');
    assert.equal(refused.body.message, 'plan limit reached for max_licenses on plan "free": 10 of 10 licenses in use; upgrade the plan or remove some');
    assert.equal(Number(((await t.db('licensing_licenses').count({ n: '*' })) as any)[0].n), 10, 'nothing was written');

    // Revoking one gives its slot back (once: revoking it again does not).
    assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: licenses[0].license_id } })).status, 200);
    assert.equal((await t.lic('POST', '/api/admin/revoke', { headers: key, body: { license_id: licenses[0].license_id } })).status, 200);
    assert.equal(await used(), 9);
    await generate(t, key, { plan: 'lifetime' });
    assert.equal((await t.lic('POST', '/api/admin/generate', { headers: key, body: { plan: 'lifetime', email: 'user@example.com' } })).status, 402);

    // Expiry frees one too.
    clock.advance(2 * DAY);
    assert.equal(await t.app.scheduler.runNow('licensing.expire-licenses'), 'succeeded');
    assert.equal((await t.db('licensing_licenses').where('license_id', short.license_id).first()).status, 'expired');
    assert.equal(await used(), 9);
    await generate(t, key, { plan: 'lifetime' });
    assert.equal(await used(), 10);
  });

  it('racing generates never exceed the limit', async () => {
    const { owner: o, key: k } = await tenantKey(t, 'racer');
    const replies = await Promise.all(
      Array.from({ length: 15 }, () => t.lic('POST', '/api/admin/generate', { headers: k, body: { plan: 'lifetime', email: 'user@example.com' } })),
    );
    assert.equal(replies.filter((r) => r.status === 200).length, 10, replies.map((r) => r.status).join(','));
    assert.equal(replies.filter((r) => r.status === 402).length, 5);
    assert.equal(Number(((await t.db('licensing_licenses').where('tenant_id', o.tenantId).count({ n: '*' })) as any)[0].n), 10);
  });

  it('count is metered as a whole: past the limit none is written (402); within it all are', async () => {
    const { owner: o, key: k } = await tenantKey(t, 'batcher');
    const rows = async () => Number(((await t.db('licensing_licenses').where('tenant_id', o.tenantId).count({ n: '*' })) as any)[0].n);
    const refused = await t.lic('POST', '/api/admin/generate', { headers: k, body: { plan: 'lifetime', email: 'user@example.com', count: 11 } });
    assert.equal(refused.status, 402, refused.text);
    assert.match(refused.body.message, /max_licenses/);
    assert.equal(await rows(), 0, 'nothing was written');
    const made = await t.lic('POST', '/api/admin/generate', { headers: k, body: { plan: 'lifetime', email: 'user@example.com', count: 10 } });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.licenses.length, 10);
    assert.equal(await rows(), 10);
  });

  it('racing revokes of one license give its slot back once (one license.revoked)', async () => {
    const k = await apiKey(t, await registerOwner(t, 'revoker'), ['licenses:manage', 'billing:read']);
    const lic = await generate(t, k, { plan: 'lifetime' });
    await generate(t, k, { plan: 'lifetime' });
    const usedBy = async () => (await t.api('GET', '/billing/subscription', { headers: k })).body.usage.licenses;
    assert.equal(await usedBy(), 2);
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => t.lic('POST', '/api/admin/revoke', { headers: k, body: { license_id: lic.license_id, reason: 'dup' } })),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.equal(await usedBy(), 1);
    const events = (await t.db('core_events').where('name', 'license.revoked')).filter((e: any) => JSON.parse(e.payload).license_id === lic.license_id);
    assert.equal(events.length, 1);
  });
  it('a superadmin is never refused by the plan: on free, the operator issues past 10 licenses, each counted', async () => {
    const admin = await loginAdmin(t);
    const headers = { authorization: `Bearer ${admin.token}` };
    const onFree = await t.api('PUT', `/admin/tenants/${admin.tenantId}/subscription`, { headers, body: { plan_id: 'free' } });
    assert.equal(onFree.status, 200, onFree.text);
    const made = await t.lic('POST', '/api/admin/generate', { headers, body: { plan: 'lifetime', email: 'user@example.com', count: 12 } });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.licenses.length, 12);
    assert.equal(Number(((await t.db('licensing_licenses').where('tenant_id', admin.tenantId).count({ n: '*' })) as any)[0].n), 12);
    const usage = await t.db('billing_usage').where({ tenant_id: admin.tenantId, metric: 'max_licenses' }).first();
    assert.equal(Number(usage.used), 12, 'counted, so the gauge stays true');
    assert.equal((await t.api('PUT', `/admin/tenants/${admin.tenantId}/subscription`, { headers, body: { plan_id: 'operator' } })).status, 200);
  });
});
