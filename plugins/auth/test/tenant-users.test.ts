// GET /api/v2/tenant/users (beside the seed): a tenant's owners and admins list its users (the
// workflow editor's user picker reads it), searchable and filtered like the operator's list, and
// never see another tenant's; members and keys without users:read are refused.
import assert from 'node:assert/strict';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { api, authApp, bearer, login, loginAdmin, strongPassword, type Headers } from './helpers.js';

describe('auth: GET /tenant/users', () => {
  let t: TestApp;
  let admin: Headers;
  let owner: Actor;
  let other: Actor;
  const people: Record<string, { id: string; email: string; headers: Headers }> = {};

  /** Adds someone to a tenant (the operator's invitation, with a password) and signs them in. */
  async function add(tenantId: string, label: string, role: 'admin' | 'member', fullName: string) {
    const email = `${label}-${Date.now()}@example.test`;
    const password = strongPassword();
    const res = await api(t, 'POST', `/admin/tenants/${tenantId}/users`, { headers: admin, body: { email, role, full_name: fullName, password } });
    assert.equal(res.status, 201, res.text);
    const session = await login(t, email, password);
    people[label] = { id: session.user.id, email, headers: bearer(session.access_token) };
  }

  before(async () => {
    t = await authApp();
    admin = bearer((await loginAdmin(t)).access_token);
    owner = await registerOwner(t, 'owner', { fullName: 'Olivia Owner' });
    other = await registerOwner(t, 'owner', { fullName: 'Otto Other' });
    await add(owner.tenantId, 'ada', 'admin', 'Ada Admin');
    await add(owner.tenantId, 'max', 'member', 'Max Member');
    await add(other.tenantId, 'eve', 'member', 'Eve Elsewhere');
  });
  after(() => t?.close());

  const list = (headers: Headers, query = '') => api(t, 'GET', `/tenant/users${query}`, { headers });

  it("lists the caller's tenant only, newest first, in the core pager", async () => {
    const res = await list(owner.headers);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.items.map((u: { full_name: string }) => u.full_name),
      ['Max Member', 'Ada Admin', 'Olivia Owner'],
    );
    assert.deepEqual([res.body.total, res.body.page, res.body.page_size, res.body.pages], [3, 1, 20, 1]);
    assert.ok(res.body.items.every((u: { tenant_id: string }) => u.tenant_id === owner.tenantId));
    assert.equal(res.body.items[0].email, people.max.email);
    assert.ok(!('password_hash' in res.body.items[0]));
    const theirs = await list(other.headers);
    assert.deepEqual(
      theirs.body.items.map((u: { full_name: string }) => u.full_name),
      ['Eve Elsewhere', 'Otto Other'],
    );
  });

  it('an admin lists them too; search, role and status narrow it; page_size pages it', async () => {
    const byAdmin = await list(people.ada.headers, '?role=member');
    assert.equal(byAdmin.status, 200, byAdmin.text);
    assert.deepEqual(
      byAdmin.body.items.map((u: { id: string }) => u.id),
      [people.max.id],
    );
    assert.deepEqual(
      (await list(owner.headers, '?search=ADA')).body.items.map((u: { id: string }) => u.id),
      [people.ada.id],
    );
    // Another tenant's user is never found, whatever the search.
    assert.deepEqual((await list(owner.headers, '?search=eve')).body.items, []);
    assert.equal((await list(owner.headers, '?status=suspended')).body.total, 0);
    const paged = await list(owner.headers, '?page_size=2&page=2');
    assert.deepEqual([paged.body.items.length, paged.body.pages], [1, 2]);
  });

  it('a member is refused (403), as is a key without users:read; an owner’s key with it lists', async () => {
    const member = await list(people.max.headers);
    assert.equal(member.status, 403, member.text);
    const keyOf = async (scopes: string[]) => {
      const res = await api(t, 'POST', '/api-keys', { headers: owner.headers, body: { name: scopes.join(' '), scopes } });
      assert.equal(res.status, 201, res.text);
      return { 'x-api-key': res.body.raw_key as string };
    };
    const without = await list(await keyOf(['account:read']));
    assert.equal(without.status, 403, without.text);
    assert.match(without.body.detail, /users:read/);
    assert.equal((await list(await keyOf(['users:read']))).body.total, 3);
    assert.equal((await api(t, 'GET', '/tenant/users')).status, 401);
  });

  it('refuses an unknown filter or a bad value, naming the field (422)', async () => {
    for (const q of ['?role=superadmin', '?status=gone', '?page_size=500', '?tenant_id=' + other.tenantId]) {
      const res = await list(owner.headers, q);
      assert.equal(res.status, 422, `${q}: ${res.text}`);
      assert.match(JSON.stringify(res.body.detail), /query/, q);
    }
  });
});
