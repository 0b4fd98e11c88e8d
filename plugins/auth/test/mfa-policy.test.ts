// The second-factor policy (settings.auth.mfa.require, issue 38): who must have a factor, what a
// user under it without one may still do (enrol, their profile, sign out), the admin UI's redirect,
// their API keys, an existing install's first superadmin, and the operator's reset.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { addUser, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { authConfigSchema } from '../config.js';
import { ADMIN, assertError, auditRows, count, startAuthApp, type AuthApp } from './admin-helpers.js';
import { waitForMail } from './helpers.js';
import { bearer, codeNow, enrolTotp, nextStep, signInWithCode } from './mfa-helpers.js';
import { SoftAuthenticator } from './passkey-authenticator.js';

const policy = (require: string) => ({ mfa: { require } });
const login = (t: AuthApp, email: string, password: string) => t.api('POST', '/auth/login', { body: { email, password } });

describe('auth: the second-factor policy', function () {
  this.timeout(60_000);
  const clock = new ManualClock('2026-05-01T07:00:00.000Z');

  it('defaults to superadmins', () => {
    assert.equal(authConfigSchema.properties.mfa.properties.require.default, 'superadmins');
  });

  describe('an existing install upgraded under the default policy', () => {
    let database: TestDatabase;
    let t: AuthApp;
    let key: string;
    before(async () => {
      // Before: no policy, the superadmin made an API key. After the upgrade: the default policy.
      database = await createTestDatabase();
      const old = await startAuthApp({ clock, database, settings: policy('none') });
      const admin = await login(old, ADMIN.email, ADMIN.password);
      const made = await old.api('POST', '/api-keys', { headers: bearer(admin.body.access_token), body: { name: 'ops', scopes: ['platform:admin'] } });
      assert.equal(made.status, 201, made.text);
      key = made.body.raw_key;
      await old.close();
      t = await startAuthApp({ clock, database, settings: policy('superadmins') });
    });
    after(async () => {
      await t?.close();
      await database?.drop();
    });

    it('the first superadmin still signs in, told to enrol; everything but enrolment, profile and sign-out is 403 mfa_enrollment_required', async () => {
      const res = await login(t, ADMIN.email, ADMIN.password);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.access_token);
      assert.equal(res.body.mfa_enrollment_required, true);
      const headers = bearer(res.body.access_token);
      for (const path of ['/admin/users', '/admin/stats', '/api-keys', '/admin/audit-logs']) {
        const refused = assertError(await t.api('GET', path, { headers }), 403, 'mfa_enrollment_required');
        assert.match(refused.detail, /two-factor/);
      }
      const system = await t.request('GET', '/admin/api/system', { headers });
      assert.deepEqual([system.status, system.body.error.code], [403, 'mfa_enrollment_required']);
      for (const path of ['/auth/me', '/users/me', '/auth/mfa']) assert.equal((await t.api('GET', path, { headers })).status, 200, path);
      const status = await t.api('GET', '/auth/mfa', { headers });
      assert.deepEqual([status.body.required, status.body.enabled, status.body.policy], [true, false, 'superadmins']);
      // The admin UI is sent to the set-up before anything else.
      const meta = await t.request('GET', '/admin/api/meta', { headers });
      assert.deepEqual(meta.body.me.required_step, { href: '/admin/auth/profile', reason: 'mfa_enrollment_required' });
    });

    it("the superadmin's API key is refused until they enrol, then works as it was", async () => {
      assertError(await t.api('GET', '/admin/users', { headers: { 'x-api-key': key } }), 403, 'mfa_enrollment_required');
      assertError(await t.api('GET', '/auth/me', { headers: { 'x-api-key': key } }), 403, 'mfa_enrollment_required');
      const res = await login(t, ADMIN.email, ADMIN.password);
      const headers = bearer(res.body.access_token);
      await enrolTotp(t, headers, clock);
      // The enrolling session goes on, now under the policy's terms; the key works again.
      assert.equal((await t.api('GET', '/admin/users', { headers })).status, 200);
      assert.equal((await t.api('GET', '/admin/users', { headers: { 'x-api-key': key } })).status, 200);
      assert.equal('required_step' in (await t.request('GET', '/admin/api/meta', { headers })).body.me, false);
      // From now on a sign-in is challenged.
      assert.equal((await login(t, ADMIN.email, ADMIN.password)).body.mfa_required, true);
    });
  });

  describe('who is under it', () => {
    const apps: AuthApp[] = [];
    after(() => Promise.all(apps.map((a) => a.close())));

    /** For each policy, which of superadmin, owner, admin, member must enrol (403 mfa_enrollment_required beyond their profile). */
    const cases: Array<[string, boolean[]]> = [
      ['none', [false, false, false, false]],
      ['superadmins', [true, false, false, false]],
      ['admins', [true, true, true, false]],
      ['everyone', [true, true, true, true]],
    ];
    for (const [require, expected] of cases) {
      it(`${require}: superadmin, owner, admin, member ${expected.map((e) => (e ? 'must enrol' : 'pass')).join(', ')}`, async () => {
        const t = await startAuthApp({ clock, settings: policy(require) });
        apps.push(t);
        const owner = await registerOwner(t, `policy-${require}`);
        const admin = await addUser(t, owner.tenantId, 'admin');
        const member = await addUser(t, owner.tenantId, 'member');
        const superadmin = (await login(t, ADMIN.email, ADMIN.password)).body;
        const people = [bearer(superadmin.access_token), owner.headers, admin.headers, member.headers];
        const got = [];
        for (const headers of people) {
          const res = await t.api('GET', '/users/me', { headers });
          assert.equal(res.status, 200, 'the profile is always reachable');
          const other = await t.api('GET', '/api-keys', { headers });
          got.push(other.status === 403 && other.body.code === 'mfa_enrollment_required');
        }
        assert.deepEqual(got, expected);
        assert.equal(Boolean(superadmin.mfa_enrollment_required), expected[0]);
      });
    }
  });

  describe('turning it off, and the operator’s reset', () => {
    let t: AuthApp;
    before(async () => {
      t = await startAuthApp({ clock, settings: policy('everyone') });
    });
    after(() => t?.close());

    it('a user under the policy who turns the factor off is sent to enrol again at once', async () => {
      const owner = await registerOwner(t, 'off');
      const { secret } = await enrolTotp(t, owner.headers, clock);
      const me = await signInWithCode(t, owner.email, PASSWORD, secret, clock);
      const headers = bearer(me.access_token);
      assert.equal((await t.api('GET', '/api-keys', { headers })).status, 200);
      nextStep(clock);
      assert.equal((await t.api('POST', '/auth/mfa/totp/disable', { headers, body: { code: await codeNow(secret, clock) } })).status, 200);
      assertError(await t.api('GET', '/api-keys', { headers }), 403, 'mfa_enrollment_required');
    });

    it('a generated password to replace comes first, then the set-up', async () => {
      const owner = await registerOwner(t, 'generated');
      await t.db('auth_users').where('id', owner.id).update({ must_change_password: true });
      await t.services.cache.invalidate('user', owner.id);
      const step = async () => (await t.request('GET', '/admin/api/meta', { headers: owner.headers })).body.me.required_step;
      assert.deepEqual(await step(), { href: '/admin/auth/change-password', reason: 'password_change_required' });
      const changed = await t.api('POST', '/auth/set-password', { headers: owner.headers, body: { password: `${PASSWORD}-mine`, current_password: PASSWORD } });
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual(await step(), { href: '/admin/auth/profile', reason: 'mfa_enrollment_required' });
    });

    it('a passkey sign-in meets the policy (both factors at once); the password session beside it still must enrol', async () => {
      const owner = await registerOwner(t, 'passkey');
      const device = new SoftAuthenticator('http://plinth.test');
      // Adding a passkey is part of what a session that must enrol may do.
      const options = await t.api('POST', '/auth/passkeys/registration/options', { headers: owner.headers });
      assert.equal(options.status, 200, options.text);
      const made = device.create(options.body);
      const added = await t.api('POST', '/auth/passkeys/registration/verify', { headers: owner.headers, body: { response: made.response } });
      assert.equal(added.status, 201, added.text);
      const signIn = await t.api('POST', '/auth/passkeys/sign-in/options', { body: {} });
      const res = await t.api('POST', '/auth/passkeys/sign-in/verify', { body: { response: device.get(signIn.body, made.credential) } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.mfa_enrollment_required, undefined);
      assert.equal(res.body.mfa_required, undefined);
      assert.equal((await t.api('GET', '/api-keys', { headers: bearer(res.body.access_token) })).status, 200);
      assertError(await t.api('GET', '/api-keys', { headers: owner.headers }), 403, 'mfa_enrollment_required');
    });

    it('a superadmin resets a user’s factor: rows gone, sessions ended, audited, mailed; the user signs in and enrols again', async () => {
      const owner = await registerOwner(t, 'reset');
      const { secret } = await enrolTotp(t, owner.headers, clock);
      const session = await signInWithCode(t, owner.email, PASSWORD, secret, clock);
      const operator = await login(t, ADMIN.email, ADMIN.password);
      const opHeaders = bearer(operator.body.access_token);
      // The operator is under the policy too: enrols first.
      assertError(await t.api('POST', `/admin/users/${owner.id}/mfa/reset`, { headers: opHeaders }), 403, 'mfa_enrollment_required');
      await enrolTotp(t, opHeaders, clock);
      // Not for anyone else.
      assertError(await t.api('POST', `/admin/users/${owner.id}/mfa/reset`, { headers: bearer(session.access_token) }), 403);
      assertError(await t.api('POST', '/admin/users/00000000-0000-4000-8000-000000000000/mfa/reset', { headers: opHeaders }), 404);

      const res = await t.api('POST', `/admin/users/${owner.id}/mfa/reset`, { headers: opHeaders });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.mfa_enabled, false);
      assert.equal(await count(t.db('auth_mfa_totp').where('user_id', owner.id)), 0);
      assert.equal(await count(t.db('auth_mfa_recovery_codes').where('user_id', owner.id)), 0);
      assert.equal(await count(t.db('auth_sessions').where('user_id', owner.id).whereNull('revoked_at')), 0);
      assertError(await t.api('GET', '/auth/me', { headers: bearer(session.access_token) }), 401, 'session_revoked');
      const [audit] = await auditRows(t, { action: 'auth.mfa.reset', target_id: owner.id });
      assert.equal(audit.actor_id, operator.body.user.id);
      assert.equal(audit.tenant_id, owner.tenantId);
      assert.deepEqual(JSON.parse(audit.details), { had_factor: true });
      await waitForMail(t, owner.email, { subject: /two-factor sign-in was reset/ });
      // A password alone signs in now, straight into the set-up.
      const again = await login(t, owner.email, PASSWORD);
      assert.equal(again.body.mfa_enrollment_required, true);
      assert.ok(again.body.access_token);
    });
  });
});
