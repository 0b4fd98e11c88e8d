// Seed 001 lists API-key scopes by resource with `:manage`; a client holding `billing:manage`
// expects to read the subscription too. A `:manage` scope includes `:read` (and `:use`) of the same
// resource everywhere; scopes of another resource are not implied.
import assert from 'node:assert/strict';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createKey, startBillingApp, type BillingApp } from './metering-helpers.js';

describe('billing: the seed’s API-key scopes (a :manage scope includes :read)', () => {
  let t: BillingApp;
  before(async () => {
    t = await startBillingApp();
  });
  after(() => t?.close());

  it('a key with settings:manage, usage:read, billing:manage and account:manage reads the subscription, settings and profile', async () => {
    const owner = await registerOwner(t, 'seed-scopes');
    const key = await createKey(t, owner, ['settings:manage', 'usage:read', 'billing:manage', 'account:manage']);
    const headers = { 'x-api-key': key.raw };
    for (const path of ['/billing/subscription', '/usage/current', '/tenant/settings', '/auth/me']) {
      const res = await t.api('GET', path, { headers });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
    }
  });

  it(':manage implies nothing of another resource, and :read never implies :manage', async () => {
    const owner = await registerOwner(t, 'seed-scopes-narrow');
    const manageOnly = { 'x-api-key': (await createKey(t, owner, ['billing:manage'])).raw };
    const usage = await t.api('GET', '/usage/current', { headers: manageOnly });
    assert.equal(usage.status, 403, usage.text);
    assert.match(usage.text, /missing scope usage:read/);

    const readOnly = { 'x-api-key': (await createKey(t, owner, ['settings:read'])).raw };
    const before = await t.app.db('auth_tenant_settings').where('tenant_id', owner.tenantId).first();
    const write = await t.api('PATCH', '/tenant/settings', { headers: readOnly, body: { timezone: 'Europe/Berlin' } });
    assert.equal(write.status, 403, write.text);
    assert.match(write.text, /missing scope settings:manage/);
    assert.deepEqual(await t.app.db('auth_tenant_settings').where('tenant_id', owner.tenantId).first(), before, 'settings unchanged');
  });
});
