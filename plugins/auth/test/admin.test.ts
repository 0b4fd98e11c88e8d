// Longer than most: one face end-to-end, the superadmin endpoints (/admin/*) over the tenants one before() sets up.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, addUser, login, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import {
  ADMIN,
  apiKeyHeaders,
  assertError,
  assertValidation,
  auditRows,
  count,
  createKey,
  eventRows,
  loginAdmin,
  MISSING_ID,
  startAuthApp,
  type AuthApp,
} from './admin-helpers.js';

const ROOT_TOKEN = 'root-token-for-the-admin-tests-0123456789';

describe('auth: superadmin endpoints', () => {
  const clock = new ManualClock('2026-06-01T10:00:00.000Z');
  let t: AuthApp;
  let root: Actor;
  let ownerA: Actor;
  let memberA: Actor;
  let ownerB: Actor;

  before(async () => {
    t = await startAuthApp({ clock, settings: { rootToken: ROOT_TOKEN } });
    root = await loginAdmin(t);
    ownerA = await registerOwner(t, 'owner', { email: 'owner@alpha.test', fullName: 'Alice Alpha', tenantName: 'Alpha Corp' });
    memberA = await addUser(t, ownerA.tenantId, 'member', { email: 'member@alpha.test' });
    ownerB = await registerOwner(t, 'owner', { email: 'owner@beta.test', fullName: 'Bob Beta', tenantName: 'Beta GmbH' });
  });
  after(() => t?.close());

  describe('access', () => {
    const endpoints = (): Array<[string, string, unknown?]> => [
      ['GET', '/admin/users'],
      ['GET', `/admin/users/${memberA.id}`],
      ['PATCH', `/admin/users/${memberA.id}`, { role: 'admin' }],
      ['DELETE', `/admin/users/${memberA.id}`],
      ['POST', `/admin/users/${memberA.id}/suspend`],
      ['POST', `/admin/users/${memberA.id}/activate`],
      ['GET', '/admin/stats'],
      ['GET', '/admin/health'],
      ['GET', '/admin/audit-logs'],
      ['GET', '/admin/tenants'],
      ['GET', `/admin/tenants/${ownerB.tenantId}`],
      ['PATCH', `/admin/tenants/${ownerB.tenantId}`, { status: 'suspended' }],
      ['DELETE', `/admin/tenants/${ownerB.tenantId}`],
    ];

    it('every one is 401 without credentials', async () => {
      for (const [method, path, body] of endpoints()) assertError(await t.api(method, path, { body }), 401);
    });

    it('every one is 403 for a tenant owner, their full-scope API key, and a member; nothing changes', async () => {
      const key = await createKey(t, ownerA, ['account:read', 'account:manage', 'settings:manage', 'users:read', 'audit:read', 'api-keys:manage']);
      for (const headers of [ownerA.headers, apiKeyHeaders(key.raw), memberA.headers]) {
        for (const [method, path, body] of endpoints()) assertError(await t.api(method, path, { headers, body }), 403, undefined);
      }
      const member = await t.db('auth_users').where('id', memberA.id).first();
      assert.equal(member.role, 'member');
      assert.equal(member.status, 'active');
      assert.equal((await t.db('auth_tenants').where('id', ownerB.tenantId).first()).status, 'active');
    });

    it('the root token (when configured) passes, and its use is audited', async () => {
      const res = await t.api('GET', '/admin/stats', { headers: { authorization: `Bearer ${ROOT_TOKEN}` } });
      assert.equal(res.status, 200, res.text);
      assert.ok((await auditRows(t, { action: 'auth.root_token.used' })).length >= 1);
      assertError(await t.api('GET', '/admin/stats', { headers: { 'x-admin-token': `${ROOT_TOKEN}x` } }), 401);
    });
  });

  describe('/admin/users', () => {
    it('lists every user with total/pages, pages through them without overlap', async () => {
      const total = await count(t.db('auth_users'));
      const all = await t.api('GET', '/admin/users?page_size=200', { headers: root.headers });
      assert.equal(all.status, 200, all.text);
      assert.equal(all.body.total, total);
      assert.equal(all.body.items.length, total);
      assert.equal(all.body.page, 1);
      assert.equal(all.body.page_size, 200);
      assert.equal(all.body.pages, 1);
      assert.ok(all.body.items.every((u: Record<string, unknown>) => u.password_hash === undefined && typeof u.email_verified === 'boolean'));

      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(total / 2); page++) {
        const res = await t.api('GET', `/admin/users?page=${page}&page_size=2`, { headers: root.headers });
        assert.equal(res.body.total, total);
        assert.equal(res.body.pages, Math.ceil(total / 2));
        assert.equal(res.body.page, page);
        seen.push(...res.body.items.map((u: { id: string }) => u.id));
      }
      assert.equal(new Set(seen).size, total, 'every user once');
      const beyond = await t.api('GET', `/admin/users?page=${Math.ceil(total / 2) + 1}&page_size=2`, { headers: root.headers });
      assert.deepEqual(beyond.body.items, []);
    });

    it('searches email and name case-insensitively, filters by status, tenant_id and role', async () => {
      const byEmail = await t.api('GET', '/admin/users?search=ALPHA.test', { headers: root.headers });
      assert.deepEqual(byEmail.body.items.map((u: { email: string }) => u.email).sort(), ['member@alpha.test', 'owner@alpha.test']);
      assert.equal(byEmail.body.total, 2);
      const byName = await t.api('GET', '/admin/users?search=bob%20bet', { headers: root.headers });
      assert.deepEqual(
        byName.body.items.map((u: { id: string }) => u.id),
        [ownerB.id],
      );
      const byTenant = await t.api('GET', `/admin/users?tenant_id=${ownerA.tenantId}`, { headers: root.headers });
      assert.deepEqual(byTenant.body.items.map((u: { id: string }) => u.id).sort(), [ownerA.id, memberA.id].sort());
      const byRole = await t.api('GET', `/admin/users?tenant_id=${ownerA.tenantId}&role=member`, { headers: root.headers });
      assert.deepEqual(
        byRole.body.items.map((u: { id: string }) => u.id),
        [memberA.id],
      );
      const none = await t.api('GET', '/admin/users?status=suspended', { headers: root.headers });
      assert.equal(none.body.total, 0);
      assert.deepEqual(none.body.items, []);
      const nobody = await t.api('GET', '/admin/users?search=no-such-person', { headers: root.headers });
      assert.equal(nobody.body.total, 0);
      assert.equal(nobody.body.pages, 0);
    });

    it('422 for bad paging or filters', async () => {
      for (const q of ['page=0', 'page_size=0', 'page_size=201', 'page=x', 'status=gone', 'tenant_id=nope', 'role=king', 'colour=red']) {
        assertValidation(await t.api('GET', `/admin/users?${q}`, { headers: root.headers }));
      }
    });

    it('GET /admin/users/{id}: the user; 404 unknown; 422 malformed', async () => {
      const res = await t.api('GET', `/admin/users/${memberA.id}`, { headers: root.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.email, 'member@alpha.test');
      assert.equal(res.body.tenant_id, ownerA.tenantId);
      assert.equal(res.body.password_hash, undefined);
      assertError(await t.api('GET', `/admin/users/${MISSING_ID}`, { headers: root.headers }), 404);
      assert.deepEqual(assertValidation(await t.api('GET', '/admin/users/12345', { headers: root.headers })), ['params.id']);
    });
  });

  describe('PATCH /admin/users/{id}', () => {
    it('a role change takes effect at once and is audited as admin.user.role_changed', async () => {
      const member = await addUser(t, ownerA.tenantId, 'member', { email: 'promote-me@alpha.test' });
      assertError(await t.api('PATCH', '/tenant/settings', { headers: member.headers, body: { require_approval: true } }), 403);
      const res = await t.api('PATCH', `/admin/users/${member.id}`, { headers: root.headers, body: { role: 'admin' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.role, 'admin');
      assert.equal((await t.db('auth_users').where('id', member.id).first()).role, 'admin');
      const [audit] = await auditRows(t, { action: 'admin.user.role_changed', target_id: member.id });
      assert.ok(audit, 'audited');
      assert.equal(audit.actor_id, root.id);
      assert.equal(audit.tenant_id, ownerA.tenantId);
      assert.deepEqual(JSON.parse(audit.details), { role: 'admin' });
      // The same token now carries the new role.
      const patched = await t.api('PATCH', '/tenant/settings', { headers: member.headers, body: { require_approval: false } });
      assert.equal(patched.status, 200, patched.text);
    });

    it('other changes are audited as admin.user.updated; taken values are 409; bad bodies 422; unknown id 404', async () => {
      const res = await t.api('PATCH', `/admin/users/${memberA.id}`, { headers: root.headers, body: { full_name: 'Mia Member', username: 'mia' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.full_name, 'Mia Member');
      const [audit] = await auditRows(t, { action: 'admin.user.updated', target_id: memberA.id });
      assert.deepEqual(JSON.parse(audit.details), { full_name: 'Mia Member', username: 'mia' });
      assert.equal((await auditRows(t, { action: 'admin.user.role_changed', target_id: memberA.id })).length, 0);

      assertError(await t.api('PATCH', `/admin/users/${memberA.id}`, { headers: root.headers, body: { email: 'owner@beta.test' } }), 409, 'email_taken');
      assertValidation(await t.api('PATCH', `/admin/users/${memberA.id}`, { headers: root.headers, body: {} }));
      assertValidation(await t.api('PATCH', `/admin/users/${memberA.id}`, { headers: root.headers, body: { tenant_id: ownerB.tenantId } }));
      assertValidation(await t.api('PATCH', `/admin/users/${memberA.id}`, { headers: root.headers, body: { role: 'emperor' } }));
      assertValidation(await t.api('PATCH', '/admin/users/not-a-uuid', { headers: root.headers, body: { full_name: 'x' } }));
      assertError(await t.api('PATCH', `/admin/users/${MISSING_ID}`, { headers: root.headers, body: { full_name: 'x' } }), 404);
      assert.equal((await t.db('auth_users').where('id', memberA.id).first()).email, 'member@alpha.test');
    });

    it('granting and removing superadmin is a role change; the last superadmin cannot lose it (409)', async () => {
      const helper = await registerOwner(t, 'owner', { email: 'helper@gamma.test' });
      assertError(await t.api('GET', '/admin/stats', { headers: helper.headers }), 403);
      const up = await t.api('PATCH', `/admin/users/${helper.id}`, { headers: root.headers, body: { is_superadmin: true } });
      assert.equal(up.status, 200, up.text);
      assert.equal(up.body.is_superadmin, true);
      assert.equal((await t.api('GET', '/admin/stats', { headers: helper.headers })).status, 200);
      assert.ok((await auditRows(t, { action: 'admin.user.role_changed', target_id: helper.id })).length === 1);

      const down = await t.api('PATCH', `/admin/users/${helper.id}`, { headers: root.headers, body: { is_superadmin: false } });
      assert.equal(down.status, 200, down.text);
      assertError(await t.api('GET', '/admin/stats', { headers: helper.headers }), 403);

      assertError(await t.api('PATCH', `/admin/users/${root.id}`, { headers: root.headers, body: { is_superadmin: false } }), 409, 'last_superadmin');
      assert.equal(Boolean((await t.db('auth_users').where('id', root.id).first()).is_superadmin), true);
    });

    it('the last owner of a tenant cannot be given another role (409)', async () => {
      assertError(await t.api('PATCH', `/admin/users/${ownerB.id}`, { headers: root.headers, body: { role: 'member' } }), 409, 'last_owner');
      assert.equal((await t.db('auth_users').where('id', ownerB.id).first()).role, 'owner');
    });
  });

  describe('suspend and activate', () => {
    it('suspending cuts the user’s access token and API keys at once; activating restores them; both audited', async () => {
      const victim = await addUser(t, ownerA.tenantId, 'admin', { email: 'suspend-me@alpha.test' });
      const key = await createKey(t, victim, ['account:read']);
      assert.equal((await t.api('GET', '/users/me', { headers: victim.headers })).status, 200);
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) })).status, 200);

      const res = await t.api('POST', `/admin/users/${victim.id}/suspend`, { headers: root.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'suspended');
      assert.equal((await t.db('auth_users').where('id', victim.id).first()).status, 'suspended');
      assertError(await t.api('GET', '/users/me', { headers: victim.headers }), 401, 'account_suspended');
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) }), 401, 'account_suspended');
      assertError(await t.api('POST', '/auth/login', { body: { email: victim.email, password: PASSWORD } }), 403, 'account_suspended');
      const listed = await t.api('GET', '/admin/users?status=suspended', { headers: root.headers });
      assert.deepEqual(
        listed.body.items.map((u: { id: string }) => u.id),
        [victim.id],
      );
      const [suspended] = await auditRows(t, { action: 'admin.user.suspended', target_id: victim.id });
      assert.equal(suspended.actor_id, root.id);
      assert.ok((await eventRows(t, 'auth.user.suspended')).some((e) => e.payload.user_id === victim.id));

      const back = await t.api('POST', `/admin/users/${victim.id}/activate`, { headers: root.headers });
      assert.equal(back.status, 200, back.text);
      assert.equal(back.body.status, 'active');
      assert.equal((await t.api('GET', '/users/me', { headers: victim.headers })).status, 200);
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) })).status, 200);
      assert.equal((await auditRows(t, { action: 'admin.user.activated', target_id: victim.id })).length, 1);
      assert.ok((await eventRows(t, 'auth.user.activated')).some((e) => e.payload.user_id === victim.id));
    });

    it('suspending yourself is 409; unknown id 404; malformed 422', async () => {
      assertError(await t.api('POST', `/admin/users/${root.id}/suspend`, { headers: root.headers }), 409);
      assert.equal((await t.db('auth_users').where('id', root.id).first()).status, 'active');
      assertError(await t.api('POST', `/admin/users/${MISSING_ID}/suspend`, { headers: root.headers }), 404);
      assertError(await t.api('POST', `/admin/users/${MISSING_ID}/activate`, { headers: root.headers }), 404);
      assertValidation(await t.api('POST', '/admin/users/xyz/suspend', { headers: root.headers }));
      assertValidation(await t.api('POST', '/admin/users/xyz/activate', { headers: root.headers }));
    });

    it('the root token cannot suspend the last active superadmin (409)', async () => {
      const rootToken = { authorization: `Bearer ${ROOT_TOKEN}` };
      assertError(await t.api('POST', `/admin/users/${root.id}/suspend`, { headers: rootToken }), 409, 'last_superadmin');
      assert.equal((await t.db('auth_users').where('id', root.id).first()).status, 'active');
    });
  });

  describe('DELETE /admin/users/{id}', () => {
    it('204: the user and their keys are gone; audited and emitted', async () => {
      const doomed = await addUser(t, ownerA.tenantId, 'member', { email: 'delete-me@alpha.test' });
      const key = await createKey(t, doomed, ['account:read']);
      const res = await t.api('DELETE', `/admin/users/${doomed.id}`, { headers: root.headers });
      assert.equal(res.status, 204, res.text);
      assert.equal(await t.db('auth_users').where('id', doomed.id).first(), undefined);
      assert.equal(await count(t.db('auth_api_keys').where('id', key.id)), 0);
      assertError(await t.api('GET', '/users/me', { headers: doomed.headers }), 401);
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) }), 401);
      const [audit] = await auditRows(t, { action: 'admin.user.deleted', target_id: doomed.id });
      assert.equal(audit.actor_id, root.id);
      assert.equal(JSON.parse(audit.details).email, 'delete-me@alpha.test');
      assert.ok((await eventRows(t, 'auth.user.deleted')).some((e) => e.payload.user_id === doomed.id));
      assertError(await t.api('DELETE', `/admin/users/${doomed.id}`, { headers: root.headers }), 404);
    });

    it('409 for the last superadmin and for the last owner of a tenant with users; 422 malformed', async () => {
      assertError(await t.api('DELETE', `/admin/users/${root.id}`, { headers: root.headers }), 409, 'last_superadmin');
      assertError(await t.api('DELETE', `/admin/users/${ownerA.id}`, { headers: root.headers }), 409, 'last_owner');
      assert.ok(await t.db('auth_users').where('id', root.id).first());
      assert.ok(await t.db('auth_users').where('id', ownerA.id).first());
      assertValidation(await t.api('DELETE', '/admin/users/1', { headers: root.headers }));
    });

    it('a suspended superadmin can be deleted while an active one remains', async () => {
      const extra = await addUser(t, root.tenantId, 'owner', { email: 'retired-admin@plinth.test' });
      assert.equal((await t.api('PATCH', `/admin/users/${extra.id}`, { headers: root.headers, body: { is_superadmin: true } })).status, 200);
      assert.equal((await t.api('POST', `/admin/users/${extra.id}/suspend`, { headers: root.headers })).status, 200);
      const res = await t.api('DELETE', `/admin/users/${extra.id}`, { headers: root.headers });
      assert.equal(res.status, 204, res.text);
    });
  });

  describe('/admin/stats and /admin/health', () => {
    it('stats count users, tenants, keys, sessions and logins, and follow changes', async () => {
      const before = (await t.api('GET', '/admin/stats', { headers: root.headers })).body;
      assert.equal(before.users.total, await count(t.db('auth_users')));
      assert.equal(before.tenants.total, await count(t.db('auth_tenants')));
      assert.equal(before.api_keys.active, await count(t.db('auth_api_keys').where('is_active', true)));

      const newcomer = await registerOwner(t, 'owner', { email: 'newcomer@delta.test' });
      const key = await createKey(t, newcomer, ['account:read']);
      const mid = (await t.api('GET', '/admin/stats', { headers: root.headers })).body;
      assert.equal(mid.users.total, before.users.total + 1);
      assert.equal(mid.users.active, before.users.active + 1);
      assert.equal(mid.tenants.total, before.tenants.total + 1);
      assert.equal(mid.api_keys.active, before.api_keys.active + 1);
      assert.equal(mid.sessions.active, before.sessions.active + 1);
      assert.equal(mid.logins_24h.succeeded, before.logins_24h.succeeded + 1);

      await t.api('POST', '/auth/login', { body: { email: 'newcomer@delta.test', password: 'wrong-password-123' } });
      await t.api('DELETE', `/api-keys/${key.id}`, { headers: newcomer.headers });
      await t.api('POST', `/admin/users/${newcomer.id}/suspend`, { headers: root.headers });
      const after = (await t.api('GET', '/admin/stats', { headers: root.headers })).body;
      assert.equal(after.api_keys.active, before.api_keys.active);
      assert.equal(after.users.suspended, before.users.suspended + 1);
      assert.equal(after.users.active, before.users.active);
      assert.equal(after.logins_24h.failed, before.logins_24h.failed + 1);
    });

    it('health reports the database and the version', async () => {
      const res = await t.api('GET', '/admin/health', { headers: root.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'ok');
      assert.equal(res.body.database, 'ok');
      assert.match(res.body.version, /^\d+\.\d+\.\d+/);
      assert.equal(typeof res.body.uptime_seconds, 'number');
      assert.ok(res.body.outbox !== undefined);
    });
  });

  describe('/admin/audit-logs', () => {
    it('filters by actor_id, action and target_id, and pages', async () => {
      const key = await createKey(t, ownerB, ['account:read']);
      await t.api('POST', `/api-keys/${key.id}/rotate`, { headers: ownerB.headers });

      const byActor = await t.api('GET', `/admin/audit-logs?actor_id=${ownerB.id}&page_size=200`, { headers: root.headers });
      assert.equal(byActor.status, 200, byActor.text);
      assert.ok(byActor.body.items.length >= 3);
      assert.ok(byActor.body.items.every((r: { actor_id: string }) => r.actor_id === ownerB.id));
      assert.equal(byActor.body.total, await count(t.db('auth_audit_logs').where('actor_id', ownerB.id)));

      const byAction = await t.api('GET', '/admin/audit-logs?action=api_key.rotated', { headers: root.headers });
      assert.ok(byAction.body.items.length >= 1);
      assert.ok(byAction.body.items.every((r: { action: string }) => r.action === 'api_key.rotated'));

      const byTarget = await t.api('GET', `/admin/audit-logs?target_id=${key.id}`, { headers: root.headers });
      assert.deepEqual(
        byTarget.body.items.map((r: { action: string }) => r.action),
        ['api_key.rotated', 'api_key.created'],
        'newest first',
      );
      assert.deepEqual(byTarget.body.items[1].details, { name: key.body.name, scopes: ['account:read'] }, 'details as JSON');
      assert.equal(byTarget.body.items[0].tenant_id, ownerB.tenantId);

      const total = await count(t.db('auth_audit_logs'));
      const page2 = await t.api('GET', '/admin/audit-logs?page=2&page_size=3', { headers: root.headers });
      assert.equal(page2.body.total, total);
      assert.equal(page2.body.pages, Math.ceil(total / 3));
      assert.equal(page2.body.items.length, 3);
      const page1 = await t.api('GET', '/admin/audit-logs?page=1&page_size=3', { headers: root.headers });
      assert.ok(page1.body.items[2].id > page2.body.items[0].id);
    });

    it('since/until bound the time (ManualClock)', async () => {
      clock.advance(5 * 60_000);
      const start = clock.now().toISOString();
      await t.api('PATCH', '/users/me', { headers: ownerB.headers, body: { full_name: 'Bob at start' } });
      clock.advance(60_000);
      const middle = clock.now().toISOString();
      await t.api('PATCH', '/users/me', { headers: ownerB.headers, body: { full_name: 'Bob in the middle' } });
      clock.advance(60_000);

      const since = await t.api('GET', `/admin/audit-logs?action=user.profile.updated&since=${encodeURIComponent(start)}`, { headers: root.headers });
      assert.equal(since.status, 200, since.text);
      assert.deepEqual(
        since.body.items.map((r: { details: { full_name: string } }) => r.details.full_name),
        ['Bob in the middle', 'Bob at start'],
      );
      const window = await t.api(
        'GET',
        `/admin/audit-logs?action=user.profile.updated&since=${encodeURIComponent(start)}&until=${encodeURIComponent(middle)}`,
        { headers: root.headers },
      );
      assert.deepEqual(
        window.body.items.map((r: { details: { full_name: string } }) => r.details.full_name),
        ['Bob at start'],
      );
      const later = await t.api('GET', `/admin/audit-logs?since=${encodeURIComponent(clock.now().toISOString())}`, { headers: root.headers });
      assert.equal(later.body.total, 0);
    });

    it('422 for a malformed date or unknown filter', async () => {
      assertValidation(await t.api('GET', '/admin/audit-logs?since=yesterday', { headers: root.headers }));
      assertValidation(await t.api('GET', '/admin/audit-logs?until=2026-13-45', { headers: root.headers }));
      assertValidation(await t.api('GET', '/admin/audit-logs?who=me', { headers: root.headers }));
    });
  });

  describe('/admin/tenants', () => {
    it('lists tenants with user_count, paginated without overlap and searchable', async () => {
      const total = await count(t.db('auth_tenants'));
      const res = await t.api('GET', '/admin/tenants?page_size=200', { headers: root.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.total, total);
      const alpha = res.body.items.find((x: { id: string }) => x.id === ownerA.tenantId);
      assert.equal(alpha.name, 'Alpha Corp');
      assert.equal(alpha.status, 'active');
      assert.equal(alpha.is_operator, false);
      assert.equal(alpha.user_count, await count(t.db('auth_users').where('tenant_id', ownerA.tenantId)));
      const operators = res.body.items.filter((x: { is_operator: boolean }) => x.is_operator);
      assert.deepEqual(
        operators.map((x: { id: string }) => x.id),
        [root.tenantId],
        'exactly one operator tenant: the first superadmin’s',
      );

      const ids: string[] = [];
      for (let page = 1; page <= Math.ceil(total / 2); page++) {
        const p = await t.api('GET', `/admin/tenants?page=${page}&page_size=2`, { headers: root.headers });
        assert.equal(p.body.pages, Math.ceil(total / 2));
        ids.push(...p.body.items.map((x: { id: string }) => x.id));
      }
      assert.equal(new Set(ids).size, total, 'every tenant once');

      const found = await t.api('GET', '/admin/tenants?search=BETA', { headers: root.headers });
      assert.deepEqual(
        found.body.items.map((x: { id: string }) => x.id),
        [ownerB.tenantId],
      );
      assert.equal(found.body.items[0].user_count, 1);
      assertValidation(await t.api('GET', '/admin/tenants?page=0', { headers: root.headers }));
      assertValidation(await t.api('GET', '/admin/tenants?status=active&x=1', { headers: root.headers }));
    });

    it('GET /admin/tenants/{id}: details with settings and user_count; 404 unknown; 422 malformed', async () => {
      const res = await t.api('GET', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.name, 'Alpha Corp');
      assert.equal(res.body.user_count, await count(t.db('auth_users').where('tenant_id', ownerA.tenantId)));
      assert.deepEqual(Object.keys(res.body.settings).sort(), ['ai_consent_enabled', 'allowed_numbers', 'require_approval']);
      assertError(await t.api('GET', `/admin/tenants/${MISSING_ID}`, { headers: root.headers }), 404);
      assertValidation(await t.api('GET', '/admin/tenants/alpha', { headers: root.headers }));
    });

    it('PATCH renames (audited); 422 for bad bodies; 404 unknown', async () => {
      const res = await t.api('PATCH', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers, body: { name: 'Alpha Holdings' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.name, 'Alpha Holdings');
      assert.equal((await t.db('auth_tenants').where('id', ownerA.tenantId).first()).name, 'Alpha Holdings');
      const [audit] = await auditRows(t, { action: 'admin.tenant.updated', target_id: ownerA.tenantId });
      assert.equal(audit.actor_id, root.id);
      assert.deepEqual(JSON.parse(audit.details), { name: 'Alpha Holdings', previous_name: 'Alpha Corp' });
      assertValidation(await t.api('PATCH', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers, body: {} }));
      assertValidation(await t.api('PATCH', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers, body: { name: '' } }));
      assertValidation(await t.api('PATCH', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers, body: { status: 'frozen' } }));
      assertValidation(await t.api('PATCH', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers, body: { is_platform: true } }));
      // Without billing a tenant has no plan: the GET shows none and plan_id is not a field (with billing: plugins/billing/test/tenant-plan.test.ts).
      assert.equal('plan_id' in (await t.api('GET', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers })).body, false);
      const planPatch = await t.api('PATCH', `/admin/tenants/${ownerA.tenantId}`, { headers: root.headers, body: { plan_id: 'pro' } });
      assert.deepEqual(assertValidation(planPatch), ['body.plan_id']);
      assertError(await t.api('PATCH', `/admin/tenants/${MISSING_ID}`, { headers: root.headers, body: { name: 'x' } }), 404);
    });

    it('suspending a tenant cuts its users’ tokens and keys at once; activating restores them', async () => {
      const owner = await registerOwner(t, 'owner', { email: 'owner@epsilon.test', tenantName: 'Epsilon' });
      const staff = await addUser(t, owner.tenantId, 'member', { email: 'staff@epsilon.test' });
      const key = await createKey(t, owner, ['account:read']);
      for (const headers of [owner.headers, staff.headers, apiKeyHeaders(key.raw)]) assert.equal((await t.api('GET', '/users/me', { headers })).status, 200);

      const res = await t.api('PATCH', `/admin/tenants/${owner.tenantId}`, { headers: root.headers, body: { status: 'suspended' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'suspended');
      for (const headers of [owner.headers, staff.headers, apiKeyHeaders(key.raw)]) assertError(await t.api('GET', '/users/me', { headers }), 401);
      assertError(await t.api('POST', '/auth/login', { body: { email: 'staff@epsilon.test', password: PASSWORD } }), 403, 'account_suspended');
      assert.equal((await t.api('GET', '/users/me', { headers: ownerB.headers })).status, 200, 'other tenants are unaffected');

      assert.equal((await t.api('PATCH', `/admin/tenants/${owner.tenantId}`, { headers: root.headers, body: { status: 'active' } })).status, 200);
      for (const headers of [owner.headers, staff.headers, apiKeyHeaders(key.raw)]) assert.equal((await t.api('GET', '/users/me', { headers })).status, 200);
    });

    it('the platform tenant cannot be suspended or deleted (409)', async () => {
      assertError(await t.api('PATCH', `/admin/tenants/${root.tenantId}`, { headers: root.headers, body: { status: 'suspended' } }), 409);
      assertError(await t.api('DELETE', `/admin/tenants/${root.tenantId}`, { headers: root.headers }), 409);
      assert.equal((await t.db('auth_tenants').where('id', root.tenantId).first()).status, 'active');
      assert.equal((await t.api('GET', '/admin/stats', { headers: root.headers })).status, 200);
    });

    it('a tenant holding the last active superadmin cannot be suspended or deleted (409)', async () => {
      const helper = await registerOwner(t, 'owner', { email: 'helper@theta.test', tenantName: 'Theta' });
      assert.equal((await t.api('PATCH', `/admin/users/${helper.id}`, { headers: root.headers, body: { is_superadmin: true } })).status, 200);
      assert.equal((await t.api('POST', `/admin/users/${root.id}/suspend`, { headers: helper.headers })).status, 200);
      try {
        assertError(
          await t.api('PATCH', `/admin/tenants/${helper.tenantId}`, { headers: helper.headers, body: { status: 'suspended' } }),
          409,
          'last_superadmin',
        );
        assertError(await t.api('DELETE', `/admin/tenants/${helper.tenantId}`, { headers: helper.headers }), 409, 'last_superadmin');
        assert.equal((await t.db('auth_tenants').where('id', helper.tenantId).first()).status, 'active');
      } finally {
        assert.equal((await t.api('POST', `/admin/users/${root.id}/activate`, { headers: helper.headers })).status, 200);
      }
      // With the operator back, the helper's tenant can go.
      assert.equal((await t.api('DELETE', `/admin/tenants/${helper.tenantId}`, { headers: root.headers })).status, 204);
      assert.equal(await t.db('auth_users').where('id', helper.id).first(), undefined);
    });

    it('DELETE removes the tenant with its users, keys, sessions, settings and consents (cascade)', async () => {
      const owner = await registerOwner(t, 'owner', { email: 'owner@zeta.test', tenantName: 'Zeta' });
      const staff = await addUser(t, owner.tenantId, 'member', { email: 'staff@zeta.test' });
      const key = await createKey(t, owner, ['account:read']);
      await createKey(t, staff, ['account:read']);
      await t.api('PATCH', '/tenant/settings', { headers: owner.headers, body: { ai_consent_enabled: true } });
      const userIds = [owner.id, staff.id];

      const res = await t.api('DELETE', `/admin/tenants/${owner.tenantId}`, { headers: root.headers });
      assert.equal(res.status, 204, res.text);
      assert.equal(await t.db('auth_tenants').where('id', owner.tenantId).first(), undefined);
      assert.equal(await count(t.db('auth_users').where('tenant_id', owner.tenantId)), 0);
      assert.equal(await count(t.db('auth_api_keys').where('tenant_id', owner.tenantId)), 0);
      assert.equal(await count(t.db('auth_sessions').whereIn('user_id', userIds)), 0);
      assert.equal(await count(t.db('auth_tenant_settings').where('tenant_id', owner.tenantId)), 0);
      assert.equal(await count(t.db('auth_consents').where('tenant_id', owner.tenantId)), 0);
      for (const headers of [owner.headers, staff.headers, apiKeyHeaders(key.raw)]) assertError(await t.api('GET', '/users/me', { headers }), 401);
      const [audit] = await auditRows(t, { action: 'admin.tenant.deleted', target_id: owner.tenantId });
      assert.equal(audit.actor_id, root.id);
      assert.equal(JSON.parse(audit.details).name, 'Zeta');
      assert.ok((await eventRows(t, 'auth.tenant.deleted')).some((e) => e.payload.tenant_id === owner.tenantId));
      assertError(await t.api('GET', `/admin/tenants/${owner.tenantId}`, { headers: root.headers }), 404);
      assertError(await t.api('DELETE', `/admin/tenants/${owner.tenantId}`, { headers: root.headers }), 404);
      assertValidation(await t.api('DELETE', '/admin/tenants/zeta', { headers: root.headers }));
      // The e-mail address is free again.
      await registerOwner(t, 'owner', { email: 'owner@zeta.test' });
    });
  });

  it('the operator account is the one from settings.auth.admin', async () => {
    const me = await t.api('GET', '/users/me', { headers: root.headers });
    assert.equal(me.body.email, ADMIN.email);
    assert.equal(me.body.is_superadmin, true);
    const again = await login(t, ADMIN.email, ADMIN.password);
    assert.equal(again.id, root.id);
  });
});
