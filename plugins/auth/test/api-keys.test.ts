import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import { waitFor } from '../../../test/helpers/processes.js';
import { type Actor, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import {
  apiKeyHeaders,
  assertError,
  assertValidation,
  auditRows,
  count,
  createKey,
  DAY,
  eventRows,
  loginAdmin,
  MISSING_ID,
  startAuthApp,
  type AuthApp,
} from './admin-helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('auth: /api-keys', () => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let t: AuthApp;
  let owner: Actor;
  let admin: Actor;
  let member: Actor;
  let other: Actor;

  before(async () => {
    t = await startAuthApp({ clock });
    owner = await registerOwner(t, 'owner', { email: 'owner@keys.test', tenantName: 'Keys Inc' });
    admin = await addUser(t, owner.tenantId, 'admin', { email: 'admin@keys.test' });
    member = await addUser(t, owner.tenantId, 'member', { email: 'member@keys.test' });
    other = await registerOwner(t, 'owner', { email: 'owner@elsewhere.test' });
  });
  after(() => t?.close());

  describe('POST', () => {
    it('201: the raw key (mf_…) is returned once; the database holds only its SHA-256', async () => {
      const res = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'outreach-bot', scopes: ['account:read', 'settings:read'] } });
      assert.equal(res.status, 201, res.text);
      const raw: string = res.body.raw_key;
      assert.match(raw, /^mf_[A-Za-z0-9_-]{40,}$/);
      assert.equal(res.body.name, 'outreach-bot');
      assert.equal(res.body.key_prefix, raw.slice(0, 7));
      assert.deepEqual(res.body.scopes, ['account:read', 'settings:read']);
      assert.equal(res.body.is_active, true);
      assert.equal(res.body.expires_at, null);
      assert.equal(res.body.created_at, clock.now().toISOString());
      assert.equal(res.body.key_hash, undefined);

      const row = await t.db('auth_api_keys').where('id', res.body.id).first();
      assert.equal(row.key_hash, sha256(raw));
      assert.equal(row.tenant_id, owner.tenantId);
      assert.equal(row.user_id, owner.id);
      const secret = raw.slice(7);
      for (const [column, value] of Object.entries(row)) {
        assert.ok(!String(value).includes(secret), `auth_api_keys.${column} must not hold the raw key`);
      }
      const everywhere = JSON.stringify([await t.db('auth_api_keys'), await t.db('auth_audit_logs'), await t.db('core_events')]);
      assert.ok(!everywhere.includes(secret), 'the raw key is stored nowhere');

      // It authenticates.
      const me = await t.api('GET', '/users/me', { headers: apiKeyHeaders(raw) });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.id, owner.id);
    });

    it('is audited as api_key.created and emitted as auth.api_key.created', async () => {
      const key = await createKey(t, owner, ['account:read']);
      const [audit] = await auditRows(t, { action: 'api_key.created', target_id: key.id });
      assert.ok(audit);
      assert.equal(audit.actor_type, 'user');
      assert.equal(audit.actor_id, owner.id);
      assert.equal(audit.tenant_id, owner.tenantId);
      assert.equal(audit.target_type, 'api_key');
      assert.deepEqual(JSON.parse(audit.details), { name: key.body.name, scopes: ['account:read'] });
      const event = (await eventRows(t, 'auth.api_key.created')).find((e) => e.payload.api_key_id === key.id);
      assert.ok(event);
      assert.equal(event.tenant_id, owner.tenantId);
      assert.deepEqual(event.payload.scopes, ['account:read']);
    });

    it('expires_in_days sets expires_at', async () => {
      const key = await createKey(t, owner, ['account:read'], { expires_in_days: 90 });
      assert.equal(key.body.expires_at, new Date(clock.now().getTime() + 90 * DAY).toISOString());
      assert.equal((await t.db('auth_api_keys').where('id', key.id).first()).expires_at, key.body.expires_at);
    });

    it('422 when name is missing, or name or scopes are empty or malformed; nothing is stored', async () => {
      const before = await count(t.db('auth_api_keys'));
      const post = (body: unknown) => t.api('POST', '/api-keys', { headers: owner.headers, body });
      assert.deepEqual(assertValidation(await post({ scopes: ['account:read'] })), ['body.name']);
      // Without scopes is seed 000's form (api-key-seed-000.test.ts); without a name it is still refused.
      assert.deepEqual(assertValidation(await post({})), ['body.name']);
      assertValidation(await post({ name: '', scopes: ['account:read'] }));
      assertValidation(await post({ name: 'ci', scopes: [] }));
      assertValidation(await post({ name: 'ci', scopes: ['not a scope'] }));
      assertValidation(await post({ name: 'ci', scopes: ['account:read'], expires_in_days: 0 }));
      assertValidation(await post({ name: 'ci', scopes: ['account:read'], expires_in_days: 'soon' }));
      assert.deepEqual(assertValidation(await post({ name: 'ci', scopes: ['account:read'], raw_key: 'mf_mine' })), ['body.raw_key']);
      assert.equal(await count(t.db('auth_api_keys')), before);
    });

    it('422 for a scope no enabled plugin declares, naming it', async () => {
      const res = await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'ci', scopes: ['account:read', 'messages:send'] } });
      assertValidation(res);
      assert.equal(res.body.detail.length, 1);
      assert.deepEqual(res.body.detail[0].loc, ['body', 'scopes']);
      assert.match(res.body.detail[0].msg, /messages:send/);
    });

    it('403 for a scope the creator lacks: a member cannot grant settings:manage', async () => {
      const before = await count(t.db('auth_api_keys'));
      const res = assertError(
        await t.api('POST', '/api-keys', { headers: member.headers, body: { name: 'm', scopes: ['settings:read', 'settings:manage'] } }),
        403,
        'scope_not_held',
      );
      assert.match(res.detail, /settings:manage/);
      assert.doesNotMatch(res.detail, /settings:read/);
      assert.equal(await count(t.db('auth_api_keys')), before);
      // What a member holds, they can grant.
      await createKey(t, member, ['settings:read', 'account:manage']);
    });

    it('only a superadmin can grant platform:admin', async () => {
      const denied = assertError(await t.api('POST', '/api-keys', { headers: owner.headers, body: { name: 'x', scopes: ['platform:admin'] } }), 403);
      assert.match(denied.detail, /platform:admin/);

      const root = await loginAdmin(t);
      const key = await createKey(t, root, ['platform:admin']);
      const stats = await t.api('GET', '/admin/stats', { headers: apiKeyHeaders(key.raw) });
      assert.equal(stats.status, 200, stats.text);
      // A superadmin's key without platform:admin does not act as superadmin.
      const plain = await createKey(t, root, ['account:read']);
      assertError(await t.api('GET', '/admin/stats', { headers: apiKeyHeaders(plain.raw) }), 403);
    });

    it('a key can create keys only within its own scopes', async () => {
      const manager = await createKey(t, owner, ['api-keys:manage', 'account:read']);
      const made = await t.api('POST', '/api-keys', { headers: apiKeyHeaders(manager.raw), body: { name: 'child', scopes: ['account:read'] } });
      assert.equal(made.status, 201, made.text);
      assert.equal((await t.db('auth_api_keys').where('id', made.body.id).first()).user_id, owner.id);
      const denied = assertError(
        await t.api('POST', '/api-keys', { headers: apiKeyHeaders(manager.raw), body: { name: 'child', scopes: ['settings:manage'] } }),
        403,
      );
      assert.match(denied.detail, /settings:manage/);
    });

    it('401 without credentials', async () => {
      assertError(await t.api('POST', '/api-keys', { body: { name: 'x', scopes: ['account:read'] } }), 401);
    });
  });

  describe('GET', () => {
    it('lists show key_prefix, never raw_key or the hash', async () => {
      const key = await createKey(t, owner, ['account:read']);
      const res = await t.api('GET', '/api-keys', { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.ok(Array.isArray(res.body));
      const item = res.body.find((k: { id: string }) => k.id === key.id);
      assert.ok(item);
      assert.equal(item.key_prefix, key.raw.slice(0, 7));
      assert.equal(item.raw_key, undefined);
      assert.equal(item.key_hash, undefined);
      assert.ok(!res.text.includes(key.raw.slice(7)));
      const one = await t.api('GET', `/api-keys/${key.id}`, { headers: owner.headers });
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.id, key.id);
      assert.equal(one.body.raw_key, undefined);
      assert.equal(one.body.key_hash, undefined);
    });

    it('members see only their own keys; owners and admins see every key of the tenant', async () => {
      const mine = await createKey(t, member, ['account:read']);
      const owners = await createKey(t, owner, ['account:read']);
      const memberList = (await t.api('GET', '/api-keys', { headers: member.headers })).body as Array<{ id: string; user_id: string }>;
      assert.ok(memberList.length > 0);
      assert.ok(
        memberList.every((k) => k.user_id === member.id),
        'only the member’s keys',
      );
      assert.ok(memberList.some((k) => k.id === mine.id));
      assertError(await t.api('GET', `/api-keys/${owners.id}`, { headers: member.headers }), 404);
      assertError(await t.api('DELETE', `/api-keys/${owners.id}`, { headers: member.headers }), 404);
      assertError(await t.api('POST', `/api-keys/${owners.id}/rotate`, { headers: member.headers }), 404);
      assert.equal(Boolean((await t.db('auth_api_keys').where('id', owners.id).first()).is_active), true, 'the owner’s key survived the member’s attempts');
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(owners.raw) })).status, 200);

      for (const who of [owner, admin]) {
        const list = (await t.api('GET', '/api-keys', { headers: who.headers })).body as Array<{ id: string }>;
        const ids = list.map((k) => k.id);
        assert.ok(ids.includes(mine.id) && ids.includes(owners.id), `${who.email} sees the whole tenant`);
        assert.equal(list.length, await count(t.db('auth_api_keys').where('tenant_id', owner.tenantId)));
        assert.equal((await t.api('GET', `/api-keys/${mine.id}`, { headers: who.headers })).status, 200);
      }
      // An admin can revoke a member's key.
      assert.equal((await t.api('DELETE', `/api-keys/${mine.id}`, { headers: admin.headers })).status, 204);
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(mine.raw) }), 401);
    });

    it("another tenant's key id is 404 for GET, DELETE and rotate, and the key keeps working", async () => {
      const theirs = await createKey(t, other, ['account:read']);
      assertError(await t.api('GET', `/api-keys/${theirs.id}`, { headers: owner.headers }), 404);
      assertError(await t.api('DELETE', `/api-keys/${theirs.id}`, { headers: owner.headers }), 404);
      assertError(await t.api('POST', `/api-keys/${theirs.id}/rotate`, { headers: owner.headers }), 404);
      const row = await t.db('auth_api_keys').where('id', theirs.id).first();
      assert.equal(Boolean(row.is_active), true);
      assert.equal(row.key_hash, sha256(theirs.raw));
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(theirs.raw) })).status, 200);
    });

    it('404 for an unknown id, 422 for a malformed one, 401 without credentials', async () => {
      assertError(await t.api('GET', `/api-keys/${MISSING_ID}`, { headers: owner.headers }), 404);
      assertError(await t.api('DELETE', `/api-keys/${MISSING_ID}`, { headers: owner.headers }), 404);
      assertError(await t.api('POST', `/api-keys/${MISSING_ID}/rotate`, { headers: owner.headers }), 404);
      for (const [method, path] of [
        ['GET', '/api-keys/nope'],
        ['DELETE', '/api-keys/nope'],
        ['POST', '/api-keys/nope/rotate'],
      ]) {
        assert.deepEqual(assertValidation(await t.api(method, path, { headers: owner.headers })), ['params.id'], `${method} ${path}`);
      }
      assertError(await t.api('GET', '/api-keys'), 401);
      assertError(await t.api('GET', `/api-keys/${MISSING_ID}`), 401);
      assertError(await t.api('DELETE', `/api-keys/${MISSING_ID}`), 401);
      assertError(await t.api('POST', `/api-keys/${MISSING_ID}/rotate`), 401);
    });
  });

  describe('rotate and revoke', () => {
    it('rotate: a new raw key for the same record; the old one is 401 at once, the new one works', async () => {
      const key = await createKey(t, owner, ['account:read']);
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) })).status, 200); // cached now
      const res = await t.api('POST', `/api-keys/${key.id}/rotate`, { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.id, key.id);
      assert.match(res.body.raw_key, /^mf_/);
      assert.notEqual(res.body.raw_key, key.raw);
      assert.equal(res.body.key_prefix, res.body.raw_key.slice(0, 7));
      assert.deepEqual(res.body.scopes, ['account:read']);
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) }), 401, 'invalid_api_key');
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(res.body.raw_key) })).status, 200);
      const row = await t.db('auth_api_keys').where('id', key.id).first();
      assert.equal(row.key_hash, sha256(res.body.raw_key));
      const [audit] = await auditRows(t, { action: 'api_key.rotated', target_id: key.id });
      assert.equal(audit.actor_id, owner.id);
      assert.ok((await eventRows(t, 'auth.api_key.rotated')).some((e) => e.payload.api_key_id === key.id));
    });

    it('DELETE revokes: is_active false, 401 at once, audited; rotating it then is 409', async () => {
      const key = await createKey(t, owner, ['account:read']);
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) })).status, 200);
      const res = await t.api('DELETE', `/api-keys/${key.id}`, { headers: owner.headers });
      assert.equal(res.status, 204, res.text);
      const row = await t.db('auth_api_keys').where('id', key.id).first();
      assert.equal(Boolean(row.is_active), false);
      assert.equal(row.revoked_at, clock.now().toISOString());
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) }), 401);
      const listed = (await t.api('GET', `/api-keys/${key.id}`, { headers: owner.headers })).body;
      assert.equal(listed.is_active, false);
      const audits = await auditRows(t, { action: 'api_key.revoked', target_id: key.id });
      assert.equal(audits.length, 1);
      assert.equal(audits[0].actor_id, owner.id);
      assert.ok((await eventRows(t, 'auth.api_key.revoked')).some((e) => e.payload.api_key_id === key.id));

      assertError(await t.api('POST', `/api-keys/${key.id}/rotate`, { headers: owner.headers }), 409, 'key_revoked');
      assert.equal((await t.api('DELETE', `/api-keys/${key.id}`, { headers: owner.headers })).status, 204, 'revoking twice is harmless');
      assert.equal((await auditRows(t, { action: 'api_key.revoked', target_id: key.id })).length, 1, 'and audited once');
    });

    it('last_used_at is set when the key is used', async () => {
      const key = await createKey(t, owner, ['account:read']);
      assert.equal(key.body.last_used_at, null);
      assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) })).status, 200);
      const at = clock.now().toISOString();
      await waitFor('last_used_at', async () => (await t.db('auth_api_keys').where('id', key.id).first()).last_used_at === at);
      assert.equal((await t.api('GET', `/api-keys/${key.id}`, { headers: owner.headers })).body.last_used_at, at);
    });
  });

  describe('scopes', () => {
    it('a key with only settings:read can GET /tenant/settings; PATCH is 403 naming settings:manage', async () => {
      const key = await createKey(t, owner, ['settings:read']);
      const read = await t.api('GET', '/tenant/settings', { headers: apiKeyHeaders(key.raw) });
      assert.equal(read.status, 200, read.text);
      const denied = assertError(await t.api('PATCH', '/tenant/settings', { headers: apiKeyHeaders(key.raw), body: { require_approval: true } }), 403);
      assert.match(denied.detail, /settings:manage/);
      assert.equal(Boolean((await t.db('auth_tenant_settings').where('tenant_id', owner.tenantId).first()).require_approval), false);
      const keys = assertError(await t.api('GET', '/api-keys', { headers: apiKeyHeaders(key.raw) }), 403);
      assert.match(keys.detail, /api-keys:manage/);
    });

    it('a key works as Authorization: Bearer mf_… too (same scopes; a bad one is 401, never a JWT error); JWT Bearer still works', async () => {
      const key = await createKey(t, owner, ['settings:read']);
      const bearer = { authorization: `Bearer ${key.raw}` };
      const read = await t.api('GET', '/tenant/settings', { headers: bearer });
      assert.equal(read.status, 200, read.text);
      const denied = assertError(await t.api('PATCH', '/tenant/settings', { headers: bearer, body: { require_approval: true } }), 403);
      assert.match(denied.detail, /settings:manage/);
      const wrong = assertError(await t.api('GET', '/tenant/settings', { headers: { authorization: `Bearer ${key.raw.slice(0, -2)}xx` } }), 401);
      assert.equal(wrong.code, 'invalid_api_key');
      assert.equal((await t.api('GET', '/users/me', { headers: owner.headers })).status, 200, 'a JWT in Bearer is still a user');
      await t.api('DELETE', `/api-keys/${key.id}`, { headers: owner.headers });
      assertError(await t.api('GET', '/tenant/settings', { headers: bearer }), 401);
    });

    it('a key holds at most its creator’s current scopes (a demoted admin’s key loses settings:manage)', async () => {
      const deputy = await addUser(t, owner.tenantId, 'admin', { email: 'deputy@keys.test' });
      const key = await createKey(t, deputy, ['settings:manage', 'settings:read']);
      const ok = await t.api('PATCH', '/tenant/settings', { headers: apiKeyHeaders(key.raw), body: { require_approval: false } });
      assert.equal(ok.status, 200, ok.text);
      const root = await loginAdmin(t);
      assert.equal((await t.api('PATCH', `/admin/users/${deputy.id}`, { headers: root.headers, body: { role: 'member' } })).status, 200);
      assertError(await t.api('PATCH', '/tenant/settings', { headers: apiKeyHeaders(key.raw), body: { require_approval: false } }), 403);
      assert.equal((await t.api('GET', '/tenant/settings', { headers: apiKeyHeaders(key.raw) })).status, 200);
    });
  });
});

describe('auth: /api-keys expiry (ManualClock)', () => {
  const clock = new ManualClock('2026-05-01T00:00:00.000Z');
  let t: AuthApp;
  before(async () => {
    t = await startAuthApp({ clock });
  });
  after(() => t?.close());

  it('a key works until expires_at, then is 401 (and a key without expiry keeps working)', async () => {
    const owner = await registerOwner(t, 'owner', { email: 'owner@expiry.test' });
    const short = await createKey(t, owner, ['account:read'], { expires_in_days: 1 });
    const forever = await createKey(t, owner, ['account:read']);
    assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(short.raw) })).status, 200);

    const activeKeys = async () => {
      const admin = await loginAdmin(t);
      return (await t.api('GET', '/admin/stats', { headers: admin.headers })).body.api_keys.active as number;
    };
    assert.equal(await activeKeys(), 2);

    clock.advance(DAY - 1000);
    assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(short.raw) })).status, 200, 'one second left');
    clock.advance(1000);
    assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(short.raw) }), 401, 'api_key_expired');
    clock.advance(365 * DAY);
    assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(short.raw) }), 401, 'api_key_expired');
    assert.equal((await t.api('GET', '/users/me', { headers: apiKeyHeaders(forever.raw) })).status, 200);
    assert.equal(await activeKeys(), 1, 'an expired key no longer counts as active');

    // Still listed, with its expiry, to a fresh login.
    const again = await login(t, 'owner@expiry.test');
    const listed = (await t.api('GET', `/api-keys/${short.id}`, { headers: again.headers })).body;
    assert.equal(listed.expires_at, '2026-05-02T00:00:00.000Z');
  });
});
