import assert from 'node:assert/strict';
import { waitFor } from '../../../test/helpers/processes.js';
import { type Actor, addUser, login, registerOwner } from '../../../test/helpers/actors.js';
import {
  ADMIN,
  assertError,
  assertValidation,
  auditRows,
  count,
  createKey,
  eventRows,
  loginAdmin,
  apiKeyHeaders,
  startAuthApp,
  UA,
  type AuthApp,
} from './admin-helpers.js';

/** The newest mail to `to` with `subject`, once the background send has stored it. */
async function mailTo(t: AuthApp, to: string, subject: string) {
  const rows = await waitFor(`a "${subject}" mail to ${to}`, async () => {
    const found = (await t.db('core_mail_outbox').where('subject', subject).orderBy('id', 'desc')).filter((r: { to: string }) => JSON.parse(r.to).includes(to));
    return found.length ? found : null;
  });
  return rows[0] as { text: string; to: string };
}

const tokenIn = (text: string) => decodeURIComponent(/token=([^\s&]+)/.exec(text)![1]);

describe('auth: /users/me', () => {
  let t: AuthApp;
  let owner: Actor;

  before(async () => {
    t = await startAuthApp();
    owner = await registerOwner(t, 'owner', { email: 'owner@acme.test', fullName: 'Olga Owner', tenantName: 'Acme' });
  });
  after(() => t?.close());

  describe('GET', () => {
    it('returns my profile, never the password hash', async () => {
      const res = await t.api('GET', '/users/me', { headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.id, owner.id);
      assert.equal(res.body.email, 'owner@acme.test');
      assert.equal(res.body.full_name, 'Olga Owner');
      assert.equal(res.body.role, 'owner');
      assert.equal(res.body.tenant_id, owner.tenantId);
      assert.equal(res.body.is_superadmin, false);
      assert.equal(res.body.status, 'active');
      assert.equal(res.body.email_verified, false);
      assert.equal(res.body.password_hash, undefined);
      assert.ok(!res.text.includes('argon2'), 'no hash in the reply');
    });

    it('401 without credentials, with a bad token, or with an unknown API key', async () => {
      assertError(await t.api('GET', '/users/me'), 401);
      assertError(await t.api('GET', '/users/me', { headers: { authorization: 'Bearer not-a-jwt' } }), 401);
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders('mf_thisisnotakeyatall') }), 401, 'invalid_api_key');
    });

    it('works with an API key that has account:read, and is 403 with one that lacks it', async () => {
      const reader = await createKey(t, owner, ['account:read']);
      const res = await t.api('GET', '/users/me', { headers: apiKeyHeaders(reader.raw) });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.id, owner.id);
      const other = await createKey(t, owner, ['settings:read']);
      const denied = assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(other.raw) }), 403);
      assert.match(denied.detail, /account:read/);
    });
  });

  describe('PATCH', () => {
    it('updates full_name, username and phone, and audits the change', async () => {
      const res = await t.api('PATCH', '/users/me', { headers: owner.headers, body: { full_name: 'Olga O.', username: 'olga_o', phone: '+4915112345678' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.full_name, 'Olga O.');
      assert.equal(res.body.username, 'olga_o');
      assert.equal(res.body.phone, '+4915112345678');
      const row = await t.db('auth_users').where('id', owner.id).first();
      assert.equal(row.full_name, 'Olga O.');
      assert.equal(row.username, 'olga_o');
      assert.equal(row.phone, '+4915112345678');
      const [audit] = (await auditRows(t, { action: 'user.profile.updated', target_id: owner.id })).slice(-1);
      assert.ok(audit, 'audited');
      assert.equal(audit.actor_id, owner.id);
      assert.equal(audit.tenant_id, owner.tenantId);
      assert.equal(audit.user_agent, UA);
      assert.deepEqual(JSON.parse(audit.details), { full_name: 'Olga O.', username: 'olga_o', phone: '+4915112345678' });
    });

    it('clears phone and username with null', async () => {
      const res = await t.api('PATCH', '/users/me', { headers: owner.headers, body: { phone: null, username: null } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.phone, null);
      assert.equal(res.body.username, null);
      assert.equal((await t.db('auth_users').where('id', owner.id).first()).phone, null);
    });

    it('changing the email resets email_verified and sends a verification mail to the new address', async () => {
      const user = await registerOwner(t, 'owner', { email: 'mover@acme.test' });
      // Verify the first address with the link from the registration mail.
      const first = await mailTo(t, 'mover@acme.test', 'Verify your email address');
      const verified = await t.api('POST', '/auth/verify-email', { body: { token: tokenIn(first.text) } });
      assert.equal(verified.status, 200, verified.text);
      assert.equal((await t.api('GET', '/users/me', { headers: user.headers })).body.email_verified, true);

      const res = await t.api('PATCH', '/users/me', { headers: user.headers, body: { email: 'Moved@Elsewhere.test' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.email, 'moved@elsewhere.test', 'stored normalized');
      assert.equal(res.body.email_verified, false);
      const row = await t.db('auth_users').where('id', user.id).first();
      assert.equal(row.email, 'moved@elsewhere.test');
      assert.equal(row.email_verified_at, null);

      const mail = await mailTo(t, 'moved@elsewhere.test', 'Verify your email address');
      const again = await t.api('POST', '/auth/verify-email', { body: { token: tokenIn(mail.text) } });
      assert.equal(again.status, 200, again.text);
      assert.notEqual((await t.db('auth_users').where('id', user.id).first()).email_verified_at, null);
      // The old address can log in no more; the new one can.
      assertError(await t.api('POST', '/auth/login', { body: { email: 'mover@acme.test', password: 'Correct-horse-battery-9' } }), 401);
      await login(t, 'moved@elsewhere.test');
    });

    it('setting the same email (in another case) changes nothing and sends no mail', async () => {
      const user = await registerOwner(t, 'owner', { email: 'same@acme.test' });
      await mailTo(t, 'same@acme.test', 'Verify your email address');
      const before = await count(t.db('core_mail_outbox'));
      const res = await t.api('PATCH', '/users/me', { headers: user.headers, body: { email: 'SAME@acme.test' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.email, 'same@acme.test');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await count(t.db('core_mail_outbox')), before);
    });

    it('409 when the email, username or phone belongs to someone else', async () => {
      const other = await registerOwner(t, 'owner', { email: 'taken@other.test' });
      await t.api('PATCH', '/users/me', { headers: other.headers, body: { username: 'taken_name', phone: '+4930123456789' } });
      const email = assertError(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { email: 'TAKEN@other.test' } }), 409, 'email_taken');
      assert.match(email.detail, /email/);
      assertError(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { username: 'taken_name' } }), 409, 'username_taken');
      assertError(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { phone: '+4930123456789' } }), 409, 'phone_taken');
      const row = await t.db('auth_users').where('id', owner.id).first();
      assert.equal(row.email, 'owner@acme.test', 'nothing changed');
      assert.notEqual(row.username, 'taken_name');
    });

    it('422 for an unknown field, an empty body, or malformed values', async () => {
      assert.deepEqual(assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { role: 'owner' } })), ['body.role']);
      assert.deepEqual(assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { is_superadmin: true } })), ['body.is_superadmin']);
      assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers, body: {} }));
      assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers }));
      assert.deepEqual(assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { email: 'not-an-email' } })), ['body.email']);
      assert.deepEqual(assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { phone: '12ab' } })), ['body.phone']);
      assert.deepEqual(assertValidation(await t.api('PATCH', '/users/me', { headers: owner.headers, body: { username: 'a b' } })), ['body.username']);
      assert.equal((await t.db('auth_users').where('id', owner.id).first()).role, 'owner');
    });

    it('401 without credentials; 403 for an API key without account:manage', async () => {
      assertError(await t.api('PATCH', '/users/me', { body: { full_name: 'x' } }), 401);
      const reader = await createKey(t, owner, ['account:read']);
      const denied = assertError(await t.api('PATCH', '/users/me', { headers: apiKeyHeaders(reader.raw), body: { full_name: 'x' } }), 403);
      assert.match(denied.detail, /account:manage/);
    });
  });

  describe('DELETE', () => {
    it('204: the user, their sessions and keys are gone, the deletion is audited and emitted', async () => {
      const user = await registerOwner(t, 'owner', { email: 'leaver@acme.test' });
      const key = await createKey(t, user, ['account:read']);
      const res = await t.api('DELETE', '/users/me', { headers: user.headers });
      assert.equal(res.status, 204, res.text);
      assert.equal(await t.db('auth_users').where('id', user.id).first(), undefined);
      assert.equal(await count(t.db('auth_api_keys').where('user_id', user.id)), 0);
      assert.equal(await count(t.db('auth_sessions').where('user_id', user.id)), 0);
      const audit = await auditRows(t, { action: 'user.self_deleted', target_id: user.id });
      assert.equal(audit.length, 1);
      assert.equal(audit[0].actor_id, user.id);
      assert.equal(JSON.parse(audit[0].details).email, 'leaver@acme.test');
      assert.ok((await eventRows(t, 'auth.user.deleted')).some((e) => e.payload.user_id === user.id));
      assertError(await t.api('GET', '/users/me', { headers: user.headers }), 401);
      assertError(await t.api('GET', '/users/me', { headers: apiKeyHeaders(key.raw) }), 401);
      assertError(await t.api('POST', '/auth/login', { body: { email: 'leaver@acme.test', password: 'Correct-horse-battery-9' } }), 401);
    });

    it('the only user of a tenant closes it: tenant, settings and consents go too (audited, emitted)', async () => {
      const user = await registerOwner(t, 'owner', { email: 'solo@acme.test', tenantName: 'Solo Shop' });
      await t.api('PATCH', '/tenant/settings', { headers: user.headers, body: { ai_consent_enabled: true } });
      assert.equal((await t.api('DELETE', '/users/me', { headers: user.headers })).status, 204);
      assert.equal(await t.db('auth_tenants').where('id', user.tenantId).first(), undefined);
      assert.equal(await count(t.db('auth_tenant_settings').where('tenant_id', user.tenantId)), 0);
      assert.equal(await count(t.db('auth_consents').where('tenant_id', user.tenantId)), 0);
      const [closed] = await auditRows(t, { action: 'tenant.closed', target_id: user.tenantId });
      assert.equal(closed.actor_id, user.id);
      assert.equal(JSON.parse(closed.details).name, 'Solo Shop');
      assert.ok((await eventRows(t, 'auth.tenant.deleted')).some((e) => e.payload.tenant_id === user.tenantId));
    });

    it('a member may delete themself; the tenant stays', async () => {
      const boss = await registerOwner(t, 'owner', { email: 'boss@team.test' });
      const member = await addUser(t, boss.tenantId, 'member', { email: 'member@team.test' });
      assert.equal((await t.api('DELETE', '/users/me', { headers: member.headers })).status, 204);
      assert.equal(await t.db('auth_users').where('id', member.id).first(), undefined);
      assert.ok(await t.db('auth_tenants').where('id', boss.tenantId).first());
      assert.equal((await t.api('GET', '/users/me', { headers: boss.headers })).status, 200);
    });

    it('409 for the last owner of a tenant that has other users; fine once another owner exists', async () => {
      const boss = await registerOwner(t, 'owner', { email: 'lastowner@team.test' });
      await addUser(t, boss.tenantId, 'member', { email: 'staff@team.test' });
      const refused = assertError(await t.api('DELETE', '/users/me', { headers: boss.headers }), 409);
      assert.match(refused.detail, /last owner/);
      assert.ok(await t.db('auth_users').where('id', boss.id).first(), 'still there');
      assert.equal((await auditRows(t, { action: 'user.self_deleted', target_id: boss.id })).length, 0);

      await addUser(t, boss.tenantId, 'owner', { email: 'coowner@team.test' });
      assert.equal((await t.api('DELETE', '/users/me', { headers: boss.headers })).status, 204);
    });

    it('409 for the last superadmin; another superadmin makes it possible', async () => {
      const admin = await loginAdmin(t);
      const refused = assertError(await t.api('DELETE', '/users/me', { headers: admin.headers }), 409);
      assert.match(refused.detail, /last superadmin/);
      assert.ok(await t.db('auth_users').where('email', ADMIN.email).first());

      const second = await addUser(t, admin.tenantId, 'owner', { email: 'second-admin@plinth.test' });
      await t.db('auth_users').where('id', second.id).update({ is_superadmin: true });
      await t.services.cache.invalidate('user', second.id);
      assert.equal((await t.api('DELETE', '/users/me', { headers: admin.headers })).status, 204);
      assert.ok(await t.db('auth_tenants').where('id', admin.tenantId).first(), 'the platform tenant stays');
      // Now the second one is the last.
      assertError(await t.api('DELETE', '/users/me', { headers: second.headers }), 409);
    });

    it('401 without credentials; 403 for an API key without account:manage', async () => {
      assertError(await t.api('DELETE', '/users/me'), 401);
      const reader = await createKey(t, owner, ['account:read']);
      assertError(await t.api('DELETE', '/users/me', { headers: apiKeyHeaders(reader.raw) }), 403);
      assert.ok(await t.db('auth_users').where('id', owner.id).first());
    });
  });
});
