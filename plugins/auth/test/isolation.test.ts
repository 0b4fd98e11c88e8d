import assert from 'node:assert/strict';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { apiKeyHeaders, assertError, count, createKey, startAuthApp, type AuthApp } from './admin-helpers.js';

/**
 * Tenant isolation: whatever A's owner (or admin, or their API key) does, tenant B's users, keys
 * and settings stay invisible and untouched. Every denial is a 404 (not a 403), so ids do not leak.
 */
describe('auth: tenant isolation', () => {
  let t: AuthApp;
  let ownerA: Actor;
  let adminA: Actor;
  let ownerB: Actor;
  let memberB: Actor;
  let keyA: { id: string; raw: string };
  let keyB: { id: string; raw: string };
  let memberKeyB: { id: string; raw: string };
  let snapshotB: { users: unknown[]; keys: unknown[]; settings: unknown };

  const snapshot = async () => ({
    users: await t.db('auth_users').where('tenant_id', ownerB.tenantId).orderBy('id'),
    // last_used_at moves when B uses its keys (the afterEach does), so it is left out.
    keys: (await t.db('auth_api_keys').where('tenant_id', ownerB.tenantId).orderBy('id')).map(({ last_used_at: _, ...k }: Record<string, unknown>) => k),
    settings: await t.db('auth_tenant_settings').where('tenant_id', ownerB.tenantId).first(),
  });

  before(async () => {
    t = await startAuthApp();
    ownerA = await registerOwner(t, 'owner', { email: 'owner@a.test', tenantName: 'Tenant A' });
    adminA = await addUser(t, ownerA.tenantId, 'admin', { email: 'admin@a.test' });
    ownerB = await registerOwner(t, 'owner', { email: 'owner@b.test', tenantName: 'Tenant B' });
    memberB = await addUser(t, ownerB.tenantId, 'member', { email: 'member@b.test' });
    keyA = await createKey(t, ownerA, ['api-keys:manage', 'settings:read', 'settings:manage', 'account:read', 'account:manage']);
    keyB = await createKey(t, ownerB, ['account:read', 'settings:read']);
    memberKeyB = await createKey(t, memberB, ['account:read']);
    await t.api('PATCH', '/tenant/settings', { headers: ownerB.headers, body: { allowed_numbers: ['+4930111111111'], require_approval: true } });
    snapshotB = await snapshot();
  });

  afterEach(async () => {
    // Whatever the test did as A, B is exactly as it was.
    assert.deepEqual(await snapshot(), snapshotB);
    for (const headers of [ownerB.headers, memberB.headers, apiKeyHeaders(keyB.raw), apiKeyHeaders(memberKeyB.raw)]) {
      assert.equal((await t.api('GET', '/users/me', { headers })).status, 200, 'B still works');
    }
  });
  after(() => t?.close());

  const actorsOfA = () => [
    { name: 'owner A (token)', headers: ownerA.headers },
    { name: 'admin A (token)', headers: adminA.headers },
    { name: 'owner A (API key)', headers: apiKeyHeaders(keyA.raw) },
  ];

  it("A's key list holds only A's keys", async () => {
    for (const { name, headers } of actorsOfA()) {
      const res = await t.api('GET', '/api-keys', { headers });
      assert.equal(res.status, 200, `${name}: ${res.text}`);
      assert.ok(res.body.length >= 1, name);
      assert.ok(
        res.body.every(
          (k: { id: string; user_id: string }) => k.id !== keyB.id && k.id !== memberKeyB.id && k.user_id !== ownerB.id && k.user_id !== memberB.id,
        ),
        name,
      );
      assert.equal(res.body.length, await count(t.db('auth_api_keys').where('tenant_id', ownerA.tenantId)), name);
    }
  });

  it("B's keys are 404 to A for GET, DELETE and rotate", async () => {
    for (const { headers } of actorsOfA()) {
      for (const id of [keyB.id, memberKeyB.id]) {
        assertError(await t.api('GET', `/api-keys/${id}`, { headers }), 404);
        assertError(await t.api('DELETE', `/api-keys/${id}`, { headers }), 404);
        assertError(await t.api('POST', `/api-keys/${id}/rotate`, { headers }), 404);
      }
    }
  });

  it('PATCH /tenant/settings by A changes only A', async () => {
    for (const { name, headers } of actorsOfA()) {
      const res = await t.api('PATCH', '/tenant/settings', {
        headers,
        body: { allowed_numbers: ['+4930222222222'], require_approval: false, ai_consent_enabled: true },
      });
      assert.equal(res.status, 200, `${name}: ${res.text}`);
    }
    const a = await t.db('auth_tenant_settings').where('tenant_id', ownerA.tenantId).first();
    assert.equal(a.allowed_numbers, JSON.stringify(['+4930222222222']));
    assert.equal(await count(t.db('auth_consents').where('tenant_id', ownerB.tenantId)), 0);
    assert.equal(await count(t.db('auth_consents').where('tenant_id', ownerA.tenantId)), 1);
    // Each side reads its own.
    assert.deepEqual((await t.api('GET', '/tenant/settings', { headers: ownerA.headers })).body.allowed_numbers, ['+4930222222222']);
    assert.deepEqual((await t.api('GET', '/tenant/settings', { headers: ownerB.headers })).body, {
      allowed_numbers: ['+4930111111111'],
      require_approval: true,
      ai_consent_enabled: false,
    });
    assert.deepEqual((await t.api('GET', '/tenant/settings', { headers: apiKeyHeaders(keyB.raw) })).body.allowed_numbers, ['+4930111111111']);
  });

  it("A cannot see, change, suspend or delete B's users or tenant through the admin endpoints (403)", async () => {
    for (const { headers } of actorsOfA()) {
      assertError(await t.api('GET', '/admin/users', { headers }), 403);
      assertError(await t.api('GET', `/admin/users/${memberB.id}`, { headers }), 403);
      assertError(await t.api('PATCH', `/admin/users/${memberB.id}`, { headers, body: { role: 'owner' } }), 403);
      assertError(await t.api('POST', `/admin/users/${memberB.id}/suspend`, { headers }), 403);
      assertError(await t.api('DELETE', `/admin/users/${memberB.id}`, { headers }), 403);
      assertError(await t.api('GET', `/admin/tenants/${ownerB.tenantId}`, { headers }), 403);
      assertError(await t.api('PATCH', `/admin/tenants/${ownerB.tenantId}`, { headers, body: { status: 'suspended' } }), 403);
      assertError(await t.api('DELETE', `/admin/tenants/${ownerB.tenantId}`, { headers }), 403);
      assertError(await t.api('GET', `/admin/audit-logs?tenant_id=${ownerB.tenantId}`, { headers }), 403);
    }
  });

  it('/users/me is always the caller: PATCH and DELETE by A never reach B', async () => {
    const res = await t.api('GET', '/users/me', { headers: apiKeyHeaders(keyA.raw) });
    assert.equal(res.body.id, ownerA.id);
    // A body cannot name another user: there is no id field to set.
    assert.equal((await t.api('PATCH', '/users/me', { headers: ownerA.headers, body: { id: memberB.id, full_name: 'x' } })).status, 422);
    assert.equal((await t.api('PATCH', '/users/me', { headers: ownerA.headers, body: { tenant_id: ownerB.tenantId } })).status, 422);
    // Taking B's email is a conflict, not a takeover.
    assertError(await t.api('PATCH', '/users/me', { headers: ownerA.headers, body: { email: 'member@b.test' } }), 409);
    const gone = await registerOwner(t, 'owner', { email: 'leaving@a.test' });
    assert.equal((await t.api('DELETE', '/users/me', { headers: gone.headers })).status, 204);
  });

  it("A's keys cannot carry powers into B: a key's tenant is its creator's", async () => {
    const made = await t.api('POST', '/api-keys', { headers: ownerA.headers, body: { name: 'sneaky', scopes: ['settings:read'], tenant_id: ownerB.tenantId } });
    assert.equal(made.status, 422, made.text);
    const key = await createKey(t, ownerA, ['settings:read']);
    assert.equal((await t.db('auth_api_keys').where('id', key.id).first()).tenant_id, ownerA.tenantId);
    const read = await t.api('GET', '/tenant/settings', { headers: apiKeyHeaders(key.raw) });
    assert.deepEqual(read.body.allowed_numbers, (await t.api('GET', '/tenant/settings', { headers: ownerA.headers })).body.allowed_numbers);
  });

  it("B's owner gets the same 404 for A's keys (isolation holds both ways)", async () => {
    assertError(await t.api('GET', `/api-keys/${keyA.id}`, { headers: ownerB.headers }), 404);
    assertError(await t.api('DELETE', `/api-keys/${keyA.id}`, { headers: ownerB.headers }), 404);
    assertError(await t.api('POST', `/api-keys/${keyA.id}/rotate`, { headers: ownerB.headers }), 404);
    assert.equal(Boolean((await t.db('auth_api_keys').where('id', keyA.id).first()).is_active), true);
    assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(keyA.raw) })).status, 200);
  });
});
