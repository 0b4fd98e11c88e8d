// The operator's customers: a tenant made with its owner, users invited into a tenant by email,
// and the registration setting (open, verify, closed).
import assert from 'node:assert/strict';
import { type Actor, login, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { assertError, assertValidation, auditRows, count, loginAdmin, startAuthApp, type AuthApp } from './admin-helpers.js';
import { lastMailId, linkOf, mailsTo, waitForMail } from './helpers.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('auth: the operator creates customers and invites users', () => {
  let t: AuthApp;
  let root: Actor;
  let customer: Actor;

  before(async () => {
    t = await startAuthApp();
    root = await loginAdmin(t);
    customer = await registerOwner(t, 'owner', { email: 'customer-owner@example.test' });
  });
  after(async () => t?.close());

  it('POST /admin/tenants without a password: tenant, owner, an invitation in the outbox whose link sets the password; audited', async () => {
    const mark = await lastMailId(t);
    const res = await t.api('POST', '/admin/tenants', {
      headers: root.headers,
      body: { name: 'Acme GmbH', owner_email: 'Boss@Acme.test', owner_name: 'Bea Boss' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.tenant.name, 'Acme GmbH');
    assert.equal(res.body.tenant.is_operator, false);
    assert.equal(res.body.tenant.user_count, 1);
    assert.equal(res.body.owner.email, 'boss@acme.test');
    assert.equal(res.body.owner.role, 'owner');
    assert.equal(res.body.invitation_sent, true);

    const user = await t.db('auth_users').where('email', 'boss@acme.test').first();
    assert.equal(user.tenant_id, res.body.tenant.id);
    assert.equal(user.role, 'owner');
    assert.equal(user.password_hash, null);
    assert.equal(user.full_name, 'Bea Boss');
    assert.equal((await t.db('auth_tenants').where('id', user.tenant_id).first()).name, 'Acme GmbH');
    const [audit] = await auditRows(t, { action: 'admin.tenant.created', target_id: user.tenant_id });
    assert.equal(audit.actor_id, root.id);
    assert.equal(JSON.parse(audit.details).owner_email, 'boss@acme.test');

    // The mail is in the core mailer's outbox (no relay in tests); its link sets the first password.
    const [mail] = await mailsTo(t, 'boss@acme.test', mark);
    assert.match(mail.subject, /invited to Acme GmbH/);
    const { url, token } = linkOf(mail);
    assert.match(url.pathname, /reset-password$/);
    assertError(await t.api('POST', '/auth/login', { body: { email: 'boss@acme.test', password: PASSWORD } }), 401);
    const set = await t.api('POST', '/auth/reset-password', { body: { token, new_password: PASSWORD } });
    assert.equal(set.status, 200, set.text);
    const owner = await login(t, 'boss@acme.test');
    assert.equal(owner.tenantId, res.body.tenant.id);
    assert.equal(owner.role, 'owner');
    assert.ok((await t.db('auth_users').where('id', user.id).first()).email_verified_at, 'the link proved the mailbox');
  });

  it('POST /admin/tenants with a password: the owner signs in at once, and no mail is sent', async () => {
    const mark = await lastMailId(t);
    const res = await t.api('POST', '/admin/tenants', {
      headers: root.headers,
      body: { name: 'Beta Ltd', owner_email: 'owner@beta.test', password: 'Beta-owner-pass-42' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.invitation_sent, false);
    const owner = await login(t, 'owner@beta.test', 'Beta-owner-pass-42');
    assert.equal(owner.tenantId, res.body.tenant.id);
    assert.deepEqual(await mailsTo(t, 'owner@beta.test', mark), []);
  });

  it('POST /admin/tenants/:id/users invites a user with a role; after setting a password they sign in to that tenant', async () => {
    const mark = await lastMailId(t);
    const res = await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, {
      headers: root.headers,
      body: { email: 'helper@example.test', role: 'admin', full_name: 'Hal Helper' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.user.tenant_id, customer.tenantId);
    assert.equal(res.body.user.role, 'admin');
    assert.equal(res.body.invitation_sent, true);
    const row = await t.db('auth_users').where('email', 'helper@example.test').first();
    assert.equal(row.tenant_id, customer.tenantId);
    assert.equal(row.role, 'admin');
    const [audit] = await auditRows(t, { action: 'admin.user.invited', target_id: row.id });
    assert.equal(audit.tenant_id, customer.tenantId);
    assert.equal(JSON.parse(audit.details).role, 'admin');

    const mail = await waitForMail(t, 'helper@example.test', { afterId: mark, subject: /invited/ });
    const set = await t.api('POST', '/auth/reset-password', { body: { token: linkOf(mail).token, new_password: PASSWORD } });
    assert.equal(set.status, 200, set.text);
    const helper = await login(t, 'helper@example.test');
    assert.equal(helper.tenantId, customer.tenantId);
    assert.equal(helper.role, 'admin');
  });

  it('a member invited with a password signs in at once', async () => {
    const res = await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, {
      headers: root.headers,
      body: { email: 'member@example.test', role: 'member', password: 'Member-pass-2026!' },
    });
    assert.equal(res.status, 201, res.text);
    const member = await login(t, 'member@example.test', 'Member-pass-2026!');
    assert.equal(member.role, 'member');
    assert.equal(member.tenantId, customer.tenantId);
  });

  it('bad input is 4xx naming the field, and writes nothing', async () => {
    const before = { users: await count(t.db('auth_users')), tenants: await count(t.db('auth_tenants')) };
    assert.deepEqual(assertValidation(await t.api('POST', '/admin/tenants', { headers: root.headers, body: { owner_email: 'x@example.test' } })), [
      'body.name',
    ]);
    assert.deepEqual(assertValidation(await t.api('POST', '/admin/tenants', { headers: root.headers, body: { name: '   ', owner_email: 'x@example.test' } })), [
      'body.name',
    ]);
    assert.deepEqual(assertValidation(await t.api('POST', '/admin/tenants', { headers: root.headers, body: { name: 'X', owner_email: 'not-an-email' } })), [
      'body.owner_email',
    ]);
    assert.deepEqual(
      assertValidation(await t.api('POST', '/admin/tenants', { headers: root.headers, body: { name: 'X', owner_email: 'x@example.test', plan: 'pro' } })),
      ['body.plan'],
    );
    assert.deepEqual(
      assertValidation(await t.api('POST', '/admin/tenants', { headers: root.headers, body: { name: 'X', owner_email: 'x@example.test', password: 'short' } })),
      ['body.password'],
    );
    const taken = assertError(
      await t.api('POST', '/admin/tenants', { headers: root.headers, body: { name: 'X', owner_email: customer.email } }),
      409,
      'email_taken',
    );
    assert.match(taken.detail, /^owner_email is already in use/);

    assert.deepEqual(
      assertValidation(await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, { headers: root.headers, body: { email: 'y@example.test' } })),
      ['body.role'],
    );
    assert.deepEqual(
      assertValidation(
        await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, { headers: root.headers, body: { email: 'y@example.test', role: 'superadmin' } }),
      ),
      ['body.role'],
    );
    assert.deepEqual(
      assertValidation(await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, { headers: root.headers, body: { email: 'nope', role: 'member' } })),
      ['body.email'],
    );
    assert.deepEqual(
      assertValidation(await t.api('POST', '/admin/tenants/not-a-uuid/users', { headers: root.headers, body: { email: 'y@example.test', role: 'member' } })),
      ['params.id'],
    );
    assertError(await t.api('POST', `/admin/tenants/${MISSING}/users`, { headers: root.headers, body: { email: 'y@example.test', role: 'member' } }), 404);
    const dup = assertError(
      await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, { headers: root.headers, body: { email: 'helper@example.test', role: 'member' } }),
      409,
      'email_taken',
    );
    assert.match(dup.detail, /^email is already in use/);
    assert.deepEqual({ users: await count(t.db('auth_users')), tenants: await count(t.db('auth_tenants')) }, before);
  });

  it('a customer (owner of their tenant) and a signed-out caller get 403/401 on both endpoints', async () => {
    const before = await count(t.db('auth_users'));
    assertError(await t.api('POST', '/admin/tenants', { headers: customer.headers, body: { name: 'Mine', owner_email: 'z@example.test' } }), 403);
    assertError(
      await t.api('POST', `/admin/tenants/${customer.tenantId}/users`, { headers: customer.headers, body: { email: 'z@example.test', role: 'owner' } }),
      403,
    );
    assertError(await t.api('POST', '/admin/tenants', { body: { name: 'Mine', owner_email: 'z@example.test' } }), 401);
    assert.equal(await count(t.db('auth_users')), before);
  });
});

describe('auth: settings.auth.registration', () => {
  const register = (t: AuthApp, email: string) => t.api('POST', '/auth/register', { body: { email, password: PASSWORD } });

  it('verify: the account is made, sign-in is 403 email_not_verified until the mailed link is followed', async () => {
    const t = await startAuthApp({ settings: { registration: 'verify' } });
    try {
      const mark = await lastMailId(t);
      const res = await register(t, 'verify-me@example.test');
      assert.equal(res.status, 201, res.text);
      const row = await t.db('auth_users').where('email', 'verify-me@example.test').first();
      assert.equal(Boolean(row.must_verify_email), true);
      assert.equal(row.email_verified_at, null);
      const refused = assertError(
        await t.api('POST', '/auth/login', { body: { email: 'verify-me@example.test', password: PASSWORD } }),
        403,
        'email_not_verified',
      );
      assert.match(refused.detail, /verify your email address/);
      assert.equal((await auditRows(t, { action: 'auth.login_refused_unverified', target_id: row.id })).length, 1);
      assert.equal(await count(t.db('auth_sessions').where('user_id', row.id)), 0, 'no session');

      const mail = await waitForMail(t, 'verify-me@example.test', { afterId: mark, subject: /verify/i });
      assert.equal((await t.api('POST', '/auth/verify-email', { body: { token: linkOf(mail).token } })).status, 200);
      const owner = await login(t, 'verify-me@example.test');
      assert.equal(owner.tenantId, row.tenant_id);
      // The superadmin (made by bootstrap, not register) was never held back.
      await loginAdmin(t);
    } finally {
      await t.close();
    }
  });

  it('open: sign-in right after registering', async () => {
    const t = await startAuthApp({ settings: { registration: 'open' } });
    try {
      assert.equal((await register(t, 'open@example.test')).status, 201);
      await login(t, 'open@example.test');
    } finally {
      await t.close();
    }
  });

  it('closed: 403 registration_closed, nothing written; the operator still creates customers', async () => {
    const t = await startAuthApp({ settings: { registration: 'closed' } });
    try {
      const users = await count(t.db('auth_users'));
      const res = assertError(await register(t, 'closed@example.test'), 403, 'registration_closed');
      assert.match(res.detail, /registration is closed/);
      assert.equal(await count(t.db('auth_users')), users);
      const root = await loginAdmin(t);
      assert.equal(
        (
          await t.api('POST', '/admin/tenants', {
            headers: root.headers,
            body: { name: 'By hand', owner_email: 'byhand@example.test', password: 'By-hand-pass-2026' },
          })
        ).status,
        201,
      );
      await login(t, 'byhand@example.test', 'By-hand-pass-2026');
    } finally {
      await t.close();
    }
  });

  it('the default is verify; PLINTH_REGISTRATION sets it; a bad value stops the boot naming the setting', async () => {
    const { authConfigSchema } = await import('../config.js');
    assert.equal(authConfigSchema.properties.registration.default, 'verify');
    const t = await startAuthApp({ env: { PLINTH_REGISTRATION: 'closed' } });
    try {
      // The harness opens registration in settings; the environment overrides it.
      assertError(await register(t, 'env@example.test'), 403, 'registration_closed');
    } finally {
      await t.close();
    }
    await assert.rejects(startAuthApp({ settings: { registration: 'sometimes' } }), /settings\.auth\.registration/);
  });
});
