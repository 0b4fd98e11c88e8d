import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { type Actor, registerOwner, uniqueEmail } from '../../../test/helpers/actors.js';
import { HOUR, MINUTE, api, assertNoMail, auditRows, authApp, bearer, lastMailId, linkOf, login, rawRequest, strongPassword, waitForMail } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SENT = { detail: 'If an account exists for this address, we have sent it an email.' };
const CHANGED = { detail: 'Your password has been changed. Sign in with the new one.' };
const BAD_TOKEN = { detail: 'invalid or expired token', code: 'invalid_token' };
const INVALID_LOGIN = { detail: 'invalid email or password', code: 'invalid_credentials' };

describe('auth: forgot-password and reset-password', () => {
  const clock = new ManualClock('2026-04-01T08:00:00.000Z');
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock, auth: { mailsPerHour: 3, links: { resetPassword: '/account/reset' } } });
  });
  after(async () => t?.close());

  /** Asks for a reset and returns the token from the mail. */
  async function resetToken(email: string): Promise<string> {
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/forgot-password', { body: { email } });
    assert.deepEqual([res.status, res.body], [200, SENT]);
    return linkOf(await waitForMail(t, email, { afterId: mark, subject: /reset/i })).token;
  }

  const reset = (token: string, newPassword: string) => api(t, 'POST', '/auth/reset-password', { body: { token, new_password: newPassword } });

  let owner: Actor;
  beforeEach(async () => {
    owner = await registerOwner(t);
  });

  it('mails a link built from server.publicUrl, never from a hostile Host header; the token is stored hashed', async () => {
    const mark = await lastMailId(t);
    const res = await rawRequest(t, 'POST', '/auth/forgot-password', {
      body: { email: owner.email },
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example' },
    });
    assert.deepEqual([res.status, res.body], [200, SENT]);
    const mail = await waitForMail(t, owner.email, { afterId: mark, subject: /reset/i });
    assert.doesNotMatch(mail.raw, /evil\.example/);
    const { url, token } = linkOf(mail);
    assert.equal(url.origin, 'http://plinth.test');
    assert.equal(url.pathname, '/account/reset', 'settings.auth.links.resetPassword');
    assert.match(mail.text, /valid 60 minutes, once/);

    const row = await t.app.db('auth_one_time_tokens').where({ user_id: owner.id, purpose: 'password_reset' }).first();
    assert.equal(row.token_hash, sha256(token));
    assert.equal(row.used_at, null);
    assert.equal(row.expires_at, new Date(clock.now().getTime() + HOUR).toISOString());
    const all = await t.app.db('auth_one_time_tokens').select('token_hash');
    assert.ok(
      all.every((r: { token_hash: string }) => r.token_hash !== token),
      'the raw token is not stored',
    );
  });

  it('an unknown email: the same 200 body, no mail, no token', async () => {
    const ghost = uniqueEmail('ghost');
    const tokensBefore = await t.app.db('auth_one_time_tokens').count({ n: '*' });
    const mark = await lastMailId(t);
    const res = await api(t, 'POST', '/auth/forgot-password', { body: { email: ghost } });
    assert.deepEqual([res.status, res.body], [200, SENT]);
    await assertNoMail(t, ghost, mark);
    assert.deepEqual(await t.app.db('auth_one_time_tokens').count({ n: '*' }), tokensBefore);
  });

  it('reset: sets the password, ends every session, does not log in; audited', async () => {
    const other = await login(t, owner.email, owner.password);
    const token = await resetToken(owner.email);
    const hashBefore = (await t.app.db('auth_users').where('id', owner.id).first()).password_hash;
    const newPassword = strongPassword();
    const res = await reset(token, newPassword);
    assert.deepEqual([res.status, res.body], [200, CHANGED]);
    assert.ok(!('access_token' in res.body));

    const user = await t.app.db('auth_users').where('id', owner.id).first();
    assert.notEqual(user.password_hash, hashBefore);
    assert.match(user.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const sessions = await t.app.db('auth_sessions').where('user_id', owner.id);
    assert.equal(sessions.length, 2);
    for (const s of sessions) assert.equal(s.revoked_reason, 'password_reset');
    for (const access of [owner.session.access_token, other.access_token]) {
      const me = await api(t, 'GET', '/auth/me', { headers: bearer(access) });
      assert.deepEqual([me.status, me.body.code], [401, 'session_revoked']);
    }
    assert.equal((await api(t, 'POST', '/auth/refresh', { body: { refresh_token: other.refresh_token } })).status, 401);
    const [audit] = await auditRows(t, 'auth.password_reset', { target_id: owner.id });
    assert.equal(audit.actor_label, owner.email);

    const old = await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
    assert.deepEqual([old.status, old.body], [401, INVALID_LOGIN]);
    await login(t, owner.email, newPassword);
  });

  it('the token is single-use', async () => {
    const token = await resetToken(owner.email);
    assert.equal((await reset(token, strongPassword())).status, 200);
    const again = await reset(token, strongPassword());
    assert.deepEqual([again.status, again.body], [400, BAD_TOKEN]);
  });

  it('the token expires after 1 hour', async () => {
    const token = await resetToken(owner.email);
    clock.advance(HOUR + MINUTE);
    const res = await reset(token, strongPassword());
    assert.deepEqual([res.status, res.body], [400, BAD_TOKEN]);
    await login(t, owner.email, owner.password);
  });

  it('is still good just before the hour is up', async () => {
    const token = await resetToken(owner.email);
    clock.advance(59 * MINUTE);
    assert.equal((await reset(token, strongPassword())).status, 200);
  });

  it('a new request replaces the previous token', async () => {
    const first = await resetToken(owner.email);
    const second = await resetToken(owner.email);
    assert.notEqual(first, second);
    assert.deepEqual((await reset(first, strongPassword())).body, BAD_TOKEN);
    assert.equal((await reset(second, strongPassword())).status, 200);
  });

  it('a weak new password: 422 naming body.new_password, and the token is not spent', async () => {
    const token = await resetToken(owner.email);
    const weak = await reset(token, 'password1');
    assert.equal(weak.status, 422);
    assert.deepEqual(weak.body.detail, [{ loc: ['body', 'new_password'], msg: 'is too common; choose a less guessable password', type: 'value_error' }]);
    assert.equal((await reset(token, strongPassword())).status, 200);
  });

  it('garbage and missing tokens', async () => {
    assert.deepEqual((await reset('x'.repeat(43), strongPassword())).body, BAD_TOKEN);
    assert.deepEqual((await reset('short', strongPassword())).body, BAD_TOKEN);
    const missing = await api(t, 'POST', '/auth/reset-password', { body: { new_password: strongPassword() } });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.detail[0].loc, ['body', 'token']);
  });

  it('a link mailed to an address the account has since left does not reset', async () => {
    const token = await resetToken(owner.email);
    const moved = uniqueEmail('moved');
    await t.app.db('auth_users').where('id', owner.id).update({ email: moved });
    const res = await reset(token, strongPassword());
    assert.deepEqual([res.status, res.body], [400, BAD_TOKEN]);
    await login(t, moved, owner.password);
  });

  it('a token of another purpose does not reset', async () => {
    const mark = await lastMailId(t);
    assert.equal((await api(t, 'POST', '/auth/magic-link/request', { body: { email: owner.email } })).status, 200);
    const magic = linkOf(await waitForMail(t, owner.email, { afterId: mark, subject: /sign-in/i })).token;
    assert.deepEqual((await reset(magic, strongPassword())).body, BAD_TOKEN);
  });

  it('at most mailsPerHour reset mails per account: extra requests get the same 200 but no mail', async () => {
    for (let i = 0; i < 3; i++) await resetToken(owner.email);
    const mark = await lastMailId(t);
    const tokens = await t.app.db('auth_one_time_tokens').where({ user_id: owner.id, purpose: 'password_reset' }).count({ n: '*' });
    const res = await api(t, 'POST', '/auth/forgot-password', { body: { email: owner.email } });
    assert.deepEqual([res.status, res.body], [200, SENT]);
    await assertNoMail(t, owner.email, mark);
    assert.deepEqual(await t.app.db('auth_one_time_tokens').where({ user_id: owner.id, purpose: 'password_reset' }).count({ n: '*' }), tokens);
    clock.advance(HOUR + MINUTE);
    await resetToken(owner.email);
  });

  it('a suspended account gets no reset mail', async () => {
    await t.app.db('auth_users').where('id', owner.id).update({ status: 'suspended' });
    const mark = await lastMailId(t);
    assert.deepEqual((await api(t, 'POST', '/auth/forgot-password', { body: { email: owner.email } })).body, SENT);
    await assertNoMail(t, owner.email, mark);
  });
});

describe('auth: the per-IP limit on mail requests', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ auth: { limits: { mailRequestsPerIpPerHour: 2 } } });
  });
  after(async () => t?.close());

  it('past mailRequestsPerIpPerHour: 429 with Retry-After', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await api(t, 'POST', '/auth/forgot-password', { body: { email: uniqueEmail() } })).status, 200);
    const res = await api(t, 'POST', '/auth/magic-link/request', { body: { email: uniqueEmail() } });
    assert.equal(res.status, 429);
    assert.equal(res.body.code, 'rate_limited');
    assert.ok(Number(res.headers.get('retry-after')) > 60);
  });
});

describe('auth: POST /auth/set-password', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp();
  });
  after(async () => t?.close());

  const setPassword = (headers: Record<string, string>, body: Record<string, unknown>) => api(t, 'POST', '/auth/set-password', { body, headers });

  it('a magic-link-only user sets a first password without current_password', async () => {
    const email = uniqueEmail('magic');
    await t.app.container
      .resolve<{ createWithTenant(i: { email: string; tenantName: string }): Promise<unknown> }>('authUsers')
      .createWithTenant({ email, tenantName: 'Magic Co' });
    const mark = await lastMailId(t);
    assert.equal((await api(t, 'POST', '/auth/magic-link/request', { body: { email } })).status, 200);
    const { token } = linkOf(await waitForMail(t, email, { afterId: mark, subject: /sign-in/i }));
    const signedIn = await api(t, 'POST', '/auth/magic-link/verify', { body: { token } });
    assert.equal(signedIn.status, 200, signedIn.text);
    const user = await t.app.db('auth_users').where('email', email).first();
    assert.equal(user.password_hash, null);
    const noPassword = await api(t, 'POST', '/auth/login', { body: { email, password: 'anything-at-all' } });
    assert.deepEqual([noPassword.status, noPassword.body], [401, INVALID_LOGIN]);

    const password = strongPassword();
    const res = await setPassword(bearer(signedIn.body.access_token), { password });
    assert.deepEqual([res.status, res.body], [200, { detail: 'Your password has been saved.' }]);
    assert.match((await t.app.db('auth_users').where('email', email).first()).password_hash, /^\$argon2id\$/);
    assert.equal((await auditRows(t, 'auth.password_set', { target_id: user.id })).length, 1);
    assert.equal((await api(t, 'GET', '/auth/me', { headers: bearer(signedIn.body.access_token) })).status, 200, 'the session goes on');
    await login(t, email, password);
  });

  describe('changing an existing password', () => {
    let owner: Actor;
    beforeEach(async () => {
      owner = await registerOwner(t);
    });

    it('without current_password: 422 naming it', async () => {
      const res = await setPassword(owner.headers, { password: strongPassword() });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, {
        detail: [{ loc: ['body', 'current_password'], msg: 'is required to change an existing password', type: 'value_error' }],
        code: 'validation_error',
      });
      await login(t, owner.email, owner.password);
    });

    it('with a wrong current_password: 403, unchanged', async () => {
      const res = await setPassword(owner.headers, { password: strongPassword(), current_password: 'not-my-password' });
      assert.deepEqual([res.status, res.body], [403, { detail: 'the current password is wrong', code: 'wrong_password' }]);
      await login(t, owner.email, owner.password);
    });

    it('with the right one: changed; other sessions revoked, the current one survives; audited', async () => {
      const other = await login(t, owner.email, owner.password);
      const password = strongPassword();
      const res = await setPassword(owner.headers, { password, current_password: owner.password });
      assert.equal(res.status, 200, res.text);

      assert.equal((await api(t, 'GET', '/auth/me', { headers: owner.headers })).status, 200, 'the current session survives');
      const otherMe = await api(t, 'GET', '/auth/me', { headers: bearer(other.access_token) });
      assert.deepEqual([otherMe.status, otherMe.body.code], [401, 'session_revoked']);
      assert.equal((await api(t, 'POST', '/auth/refresh', { body: { refresh_token: other.refresh_token } })).status, 401);
      assert.equal((await api(t, 'POST', '/auth/refresh', { body: { refresh_token: owner.session.refresh_token } })).status, 200);
      const revoked = await t.app.db('auth_sessions').where({ user_id: owner.id, revoked_reason: 'password_changed' });
      assert.equal(revoked.length, 1);
      assert.equal((await auditRows(t, 'auth.password_changed', { target_id: owner.id })).length, 1);

      assert.equal((await api(t, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } })).status, 401);
      await login(t, owner.email, password);
    });

    it('a weak new password: 422 naming body.password', async () => {
      const res = await setPassword(owner.headers, { password: 'short', current_password: owner.password });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.detail, [{ loc: ['body', 'password'], msg: 'must be at least 8 characters', type: 'value_error' }]);
    });

    it('with an API key: 403 (only a signed-in user sets a password)', async () => {
      const key = await api(t, 'POST', '/api-keys', { body: { name: 'k', scopes: ['account:manage'] }, headers: owner.headers });
      assert.equal(key.status, 201);
      const res = await setPassword({ 'x-api-key': key.body.raw_key }, { password: strongPassword(), current_password: owner.password });
      assert.equal(res.status, 403);
    });
  });

  it('without credentials: 401', async () => {
    const res = await setPassword({}, { password: strongPassword() });
    assert.equal(res.status, 401);
  });
});
