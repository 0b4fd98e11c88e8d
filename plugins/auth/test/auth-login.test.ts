import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestApp } from '../../../test/helpers/app.js';
import { registerOwner, uniqueEmail } from '../../../test/helpers/actors.js';
import { ADMIN, api, auditRows, authApp, bearer, claimsOf, eventRows, login, loginAdmin, strongPassword } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const INVALID = { detail: 'invalid email or password', code: 'invalid_credentials' };
const SUSPENDED = { detail: 'this account is suspended', code: 'account_suspended' };

describe('auth: POST /auth/login', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { limits: { loginFailuresPerAccountIp: 3 } } });
  });
  after(async () => t?.close());

  it('answers in the seed shape and opens a session (hashed refresh token, audit, event)', async () => {
    const owner = await registerOwner(t, 'owner', { fullName: 'Lena Login' });
    const res = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
    assert.equal(res.status, 200);
    const body = res.body;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 1800);
    assert.deepEqual(body.user, { id: owner.id, email: owner.email, full_name: 'Lena Login', role: 'owner', tenant_id: owner.tenantId });
    assert.match(body.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = claimsOf(body.access_token);
    assert.equal(claims.sub, owner.id);
    assert.equal(claims.typ, 'access');
    assert.equal(claims.exp - claims.iat, 1800, 'access tokens live 30 minutes');
    assert.ok(body.refresh_token.length >= 40);

    const session = await t.app.db('auth_sessions').where('id', claims.sid).first();
    assert.equal(session.user_id, owner.id);
    assert.equal(session.kind, 'api');
    assert.equal(session.revoked_at, null);
    assert.equal(new Date(session.expires_at).getTime() - new Date(session.created_at).getTime(), 30 * 86_400_000);
    const refresh = await t.app.db('auth_refresh_tokens').where('session_id', claims.sid).first();
    assert.equal(refresh.token_hash, sha256(body.refresh_token));
    assert.equal(await t.app.db('auth_refresh_tokens').where('token_hash', body.refresh_token).first(), undefined, 'the raw refresh token is not stored');
    assert.ok((await t.app.db('auth_users').where('id', owner.id).first('last_login_at')).last_login_at);

    const audits = await auditRows(t, 'auth.login', { actor_id: owner.id });
    assert.equal(audits.length, 2, 'the login in registerOwner and this one');
    assert.equal(audits[1].actor_type, 'user');
    assert.equal(audits[1].tenant_id, owner.tenantId);
    assert.deepEqual(JSON.parse(audits[1].details), { method: 'password', session: 'api' });
    const events = (await eventRows(t, 'auth.login')).filter((e) => e.payload.user_id === owner.id);
    assert.deepEqual(
      events.map((e) => e.payload),
      [
        { user_id: owner.id, method: 'password' },
        { user_id: owner.id, method: 'password' },
      ],
    );

    const me = await api(t, 'GET', '/auth/me', { headers: bearer(body.access_token) });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, owner.id);
  });

  it('the email is matched case-insensitively', async () => {
    const owner = await registerOwner(t);
    const session = await login(t, owner.email.toUpperCase(), owner.password);
    assert.equal(session.user.id, owner.id);
  });

  it('the first superadmin from settings.auth.admin can log in', async () => {
    const admin = await loginAdmin(t);
    assert.equal(admin.user.email, ADMIN.email);
    const me = await api(t, 'GET', '/auth/me', { headers: bearer(admin.access_token) });
    assert.equal(me.body.is_superadmin, true);
    assert.equal(me.body.auth.scopes, '*');
  });

  it('a wrong password and an unknown email: the same 401, each audited as auth.login_failed', async () => {
    const owner = await registerOwner(t);
    const ghost = uniqueEmail('ghost');
    const wrong = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: 'not-the-password' } });
    const unknown = await api(t, 'POST', '/auth/login', { body: { email: ghost, password: 'not-the-password' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, INVALID);
    assert.deepEqual(unknown.body, INVALID);

    const [known] = await auditRows(t, 'auth.login_failed', { actor_label: owner.email });
    assert.equal(known.actor_type, 'anonymous');
    assert.equal(known.target_type, 'user');
    assert.equal(known.target_id, owner.id);
    assert.equal(known.tenant_id, owner.tenantId);
    assert.ok(known.ip);
    const [stranger] = await auditRows(t, 'auth.login_failed', { actor_label: ghost });
    assert.equal(stranger.target_id, null);
    assert.equal(stranger.tenant_id, null);
    assert.equal((await auditRows(t, 'auth.login', { actor_id: owner.id })).length, 1, 'only the successful login of registerOwner');
  });

  it('a missing or malformed body: 422', async () => {
    const res = await api(t, 'POST', '/auth/login', { body: { email: 'a@b.test' } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body, { detail: [{ loc: ['body', 'password'], msg: 'is required', type: 'value_error' }], code: 'validation_error' });
    const bad = await api(t, 'POST', '/auth/login', { raw: '{"email":', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'malformed_json');
  });

  it(
    `after loginFailuresPerAccountIp failures from one address: 429 with Retry-After even with the right password; another account is ` + `unaffected`,
    async () => {
      const victim = await registerOwner(t);
      const bystander = await registerOwner(t);
      for (let i = 0; i < 3; i++) {
        const res = await api(t, 'POST', '/auth/login', { body: { email: victim.email, password: `wrong-${i}` } });
        assert.equal(res.status, 401, `failure ${i + 1}`);
      }
      const blocked = await api(t, 'POST', '/auth/login', { body: { email: victim.email, password: victim.password } });
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.code, 'rate_limited');
      const retryAfter = Number(blocked.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
      assert.equal(blocked.body.detail, `too many requests; retry in ${retryAfter}s`);
      // The same address in another case is the same account.
      assert.equal((await api(t, 'POST', '/auth/login', { body: { email: victim.email.toUpperCase(), password: victim.password } })).status, 429);
      assert.equal((await auditRows(t, 'auth.login', { actor_id: victim.id })).length, 1, 'no session was opened while blocked');

      // Same IP, another account.
      await login(t, bystander.email, bystander.password);
    },
  );

  it('parallel guesses cannot get past the per-account budget', async () => {
    const victim = await registerOwner(t);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api(t, 'POST', '/auth/login', { body: { email: victim.email, password: `parallel-guess-${i}` } })),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 3, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 9);
    assert.equal((await api(t, 'POST', '/auth/login', { body: { email: victim.email, password: victim.password } })).status, 429);
  });

  it('a successful login clears the failure count', async () => {
    const owner = await registerOwner(t);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) assert.equal((await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: 'wrong' } })).status, 401);
      await login(t, owner.email, owner.password);
    }
  });

  describe('guessing from many addresses (OWASP: no lock-out an attacker can trigger)', () => {
    let many: TestApp;
    before(async () => {
      many = await authApp({ auth: { limits: { loginFailuresPerAccountIp: 3, loginFailuresPerAccount: 12 } }, overrides: { server: { trustProxy: true } } });
    });
    after(async () => many?.close());
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const attempt = (email: string, password: string, ip: string) => api(many, 'POST', '/auth/login', { body: { email, password }, headers: from(ip) });

    it('ten wrong passwords from ten addresses: the owner still signs in from a new address; each guessing address is held to its own budget', async () => {
      const owner = await registerOwner(many);
      for (let i = 0; i < 10; i++) assert.equal((await attempt(owner.email, `wrong-${i}`, `203.0.113.${i + 1}`)).status, 401);
      const res = await attempt(owner.email, owner.password, '198.51.100.7');
      assert.equal(res.status, 200, res.text);
      for (let i = 0; i < 2; i++) assert.equal((await attempt(owner.email, 'wrong', '203.0.113.1')).status, 401);
      assert.equal((await attempt(owner.email, 'wrong', '203.0.113.1')).status, 429, 'the first address spent its three');
      assert.equal((await attempt(owner.email, owner.password, '203.0.113.1')).status, 429, 'even with the right password, from that address');
    });

    it('past the account-wide ceiling, new addresses are refused but an address the owner signed in from still works', async () => {
      const owner = await registerOwner(many);
      assert.equal((await attempt(owner.email, owner.password, '192.0.2.10')).status, 200, 'the owner’s usual address');
      for (let i = 0; i < 12; i++) assert.equal((await attempt(owner.email, 'wrong', `203.0.113.${100 + i}`)).status, 401, `guess ${i + 1}`);
      const stranger = await attempt(owner.email, owner.password, '203.0.113.200');
      assert.equal(stranger.status, 429, 'a new address past the ceiling');
      const usual = await attempt(owner.email, owner.password, '192.0.2.10');
      assert.equal(usual.status, 200, usual.text);
      assert.equal(
        await many.app.db('auth_sessions').where({ user_id: owner.id, ip: '203.0.113.200' }).first('id'),
        undefined,
        'no session for the refused address',
      );
    });
  });

  describe('suspended accounts', () => {
    it('suspended by a superadmin: 403 with the right password (audited), 401 with a wrong one, and its tokens stop working', async () => {
      const admin = await loginAdmin(t);
      const owner = await registerOwner(t);
      const suspend = await api(t, 'POST', `/admin/users/${owner.id}/suspend`, { headers: bearer(admin.access_token) });
      assert.equal(suspend.status, 200, suspend.text);
      assert.equal(suspend.body.status, 'suspended');

      const res = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, SUSPENDED);
      const [refused] = await auditRows(t, 'auth.login_refused_suspended', { target_id: owner.id });
      assert.equal(refused.actor_label, owner.email);
      assert.equal(refused.tenant_id, owner.tenantId);
      assert.equal((await auditRows(t, 'auth.login', { actor_id: owner.id })).length, 1);

      const wrong = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: 'wrong-password' } });
      assert.deepEqual([wrong.status, wrong.body], [401, INVALID], 'suspension is only told to whoever knows the password');

      const me = await api(t, 'GET', '/auth/me', { headers: owner.headers });
      assert.equal(me.status, 401);
      assert.equal(me.body.code, 'account_suspended');
      const refresh = await api(t, 'POST', '/auth/refresh', { body: { refresh_token: owner.session.refresh_token } });
      assert.deepEqual([refresh.status, refresh.body], [403, SUSPENDED]);

      assert.equal((await api(t, 'POST', `/admin/users/${owner.id}/activate`, { headers: bearer(admin.access_token) })).status, 200);
      await login(t, owner.email, owner.password);
    });

    it('suspended in the database: 403 and the audit row', async () => {
      const owner = await registerOwner(t);
      await t.app.db('auth_users').where('id', owner.id).update({ status: 'suspended' });
      const res = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
      assert.deepEqual([res.status, res.body], [403, SUSPENDED]);
      assert.equal((await auditRows(t, 'auth.login_refused_suspended', { target_id: owner.id })).length, 1);
    });

    it('a user of a suspended tenant: 403', async () => {
      const admin = await loginAdmin(t);
      const owner = await registerOwner(t);
      const patch = await api(t, 'PATCH', `/admin/tenants/${owner.tenantId}`, { body: { status: 'suspended' }, headers: bearer(admin.access_token) });
      assert.equal(patch.status, 200, patch.text);
      const res = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
      assert.deepEqual([res.status, res.body], [403, SUSPENDED]);
    });
  });
});

describe('auth: the per-IP login limit', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { limits: { loginPerIpPerMinute: 3 } } });
  });
  after(async () => t?.close());

  it('past loginPerIpPerMinute attempts from one address: 429 with Retry-After, whatever the account', async () => {
    const email = uniqueEmail('ip');
    const password = strongPassword();
    assert.equal((await api(t, 'POST', '/auth/register', { body: { email, password } })).status, 201);
    await login(t, email, password);
    assert.equal((await api(t, 'POST', '/auth/login', { body: { email: uniqueEmail(), password: 'whatever-1' } })).status, 401);
    await login(t, ADMIN.email, ADMIN.password);
    const res = await api(t, 'POST', '/auth/login', { body: { email, password } });
    assert.equal(res.status, 429);
    assert.equal(res.body.code, 'rate_limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  });
});

describe('auth: the progressive login delay (OWASP: slow the guesser, never lock the owner out)', () => {
  let t: TestApp;
  const limits = { loginFailuresPerAccountIp: 100, loginDelayAfterFailures: 3, loginDelayInitialMs: 40, loginDelayMaxMs: 150 };
  before(async () => {
    t = await authApp({ auth: { limits }, overrides: { server: { trustProxy: true } } });
  });
  after(async () => t?.close());
  const attempt = (email: string, password: string, ip: string) =>
    api(t, 'POST', '/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });
  const delayOf = (res: { headers: Headers }) => res.headers.get('login-delay');

  it('after loginDelayAfterFailures failures each attempt waits, doubling up to the cap; the reply and the audit row say how long', async () => {
    const owner = await registerOwner(t);
    const delays: Array<string | null> = [];
    for (let i = 0; i < 7; i++) {
      const res = await attempt(owner.email, `wrong-${i}`, `203.0.113.${i + 1}`);
      assert.deepEqual([res.status, res.body], [401, INVALID]);
      delays.push(delayOf(res));
    }
    assert.deepEqual(delays, [null, null, null, '0.04', '0.08', '0.15', '0.15']);
    const failed = await auditRows(t, 'auth.login_failed', { target_id: owner.id });
    assert.deepEqual(
      failed.map((r) => (r.details ? JSON.parse(r.details).delay_ms : null)),
      [null, null, null, 40, 80, 150, 150],
    );

    // Never a lock-out: the right password from a new address waits too, then signs in.
    const fresh = await attempt(owner.email, owner.password, '198.51.100.9');
    assert.equal(fresh.status, 200, fresh.text);
    const [, opened] = await auditRows(t, 'auth.login', { actor_id: owner.id });
    assert.deepEqual(JSON.parse(opened.details), { method: 'password', session: 'api', delay_ms: 150 });
  });

  it('an address the owner signed in from lately never waits, for a wrong password or the right one', async () => {
    const owner = await registerOwner(t);
    await login(t, owner.email, owner.password, { 'x-forwarded-for': '192.0.2.77' });
    for (let i = 0; i < 4; i++) assert.equal((await attempt(owner.email, 'wrong', `203.0.113.${50 + i}`)).status, 401);
    assert.equal(delayOf(await attempt(owner.email, 'wrong', '203.0.113.60')), '0.08', 'a stranger waits');

    const typo = await attempt(owner.email, 'typo', '192.0.2.77');
    assert.deepEqual([typo.status, delayOf(typo)], [401, null]);
    const usual = await attempt(owner.email, owner.password, '192.0.2.77');
    assert.deepEqual([usual.status, delayOf(usual)], [200, null]);
    const opened = await auditRows(t, 'auth.login', { actor_id: owner.id });
    assert.deepEqual(JSON.parse(opened.at(-1)!.details), { method: 'password', session: 'api' });
  });

  it('an unknown account waits alike (the delay tells nothing about who exists)', async () => {
    const ghost = uniqueEmail('ghost');
    const delays = [];
    for (let i = 0; i < 5; i++) delays.push(delayOf(await attempt(ghost, 'whatever-1', `203.0.113.${80 + i}`)));
    assert.deepEqual(delays, [null, null, null, '0.04', '0.08']);
  });
});

describe('auth: an IPv6 address counts as its /64 in the per-address budgets', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { limits: { loginFailuresPerAccountIp: 3 } }, overrides: { server: { trustProxy: true } } });
  });
  after(async () => t?.close());

  it('guesses from three addresses of one /64 spend one budget; another /64 still signs in', async () => {
    const owner = await registerOwner(t);
    const attempt = (password: string, ip: string) =>
      api(t, 'POST', '/auth/login', { body: { email: owner.email, password }, headers: { 'x-forwarded-for': ip } });
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:a:b:c:d', '2001:0db8:0001:0002::ffff']) assert.equal((await attempt('wrong', ip)).status, 401, ip);
    const same = await attempt(owner.password, '2001:db8:1:2:9999::1');
    assert.equal(same.status, 429, `another address of the same /64: ${same.text}`);
    const other = await attempt(owner.password, '2001:db8:1:3::1');
    assert.equal(other.status, 200, other.text);
  });
});
