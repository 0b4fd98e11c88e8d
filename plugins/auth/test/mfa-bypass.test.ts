// The second factor cannot be skipped (issue 38): magic links (API and admin UI), password resets,
// refresh tokens, the WorkBot face's SMS login, the temp-mail face's login and the MCP endpoint all
// stop at the same challenge; only a code opens a session. And guessing is budgeted as passwords are.
import assert from 'node:assert/strict';
import { ManualClock } from 'plinth/plugin';
import { type Actor, PASSWORD, registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp } from '../../../test/helpers/app.js';
import { API, type AuthApp, assertError, count, UA } from './admin-helpers.js';
import { claimsOf, lastMailId, linkOf, waitForMail } from './helpers.js';
import { bearer, challengeFor, codeNow, enrolTotp, nextStep, signInWithCode, verify } from './mfa-helpers.js';
import { authServices } from '../services/own.js';

const LIMITS = { loginPerIpPerMinute: 10_000, loginFailuresPerAccount: 1_000, refreshPerIpPerMinute: 10_000, mailRequestsPerIpPerHour: 10_000 };

describe('auth: the second factor cannot be skipped', function () {
  this.timeout(60_000);
  const clock = new ManualClock('2026-04-01T08:00:00.000Z');
  let t: AuthApp;
  let owner: Actor;
  let secret: string;

  before(async () => {
    const app = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'mail', 'robots', 'agents'], clock, settings: { auth: { limits: LIMITS } } });
    t = app as AuthApp;
    t.db = app.app.db;
    t.services = authServices.of(app.app);
    const request = app.request.bind(app);
    t.request = (method, path, opts = {}) => request(method, path, { ...opts, headers: { 'user-agent': UA, ...(opts.headers ?? {}) } });
    t.api = (method, path, opts) => t.request(method, `${API}${path}`, opts);
    owner = await registerOwner(t, 'bypass');
    ({ secret } = await enrolTotp(t, owner.headers, clock));
  });
  after(() => t?.close());

  const sessions = () => count(t.db('auth_sessions').where('user_id', owner.id));

  it('a magic link is a first step: the challenge, no session; the code completes it (audited as a magic-link sign-in)', async () => {
    const mark = await lastMailId(t);
    assert.equal((await t.api('POST', '/auth/magic-link/request', { body: { email: owner.email } })).status, 200);
    const { token } = linkOf(await waitForMail(t, owner.email, { afterId: mark, subject: /sign-in link/ }));
    const before = await sessions();
    const res = await t.api('POST', '/auth/magic-link/verify', { body: { token } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.mfa_required, true);
    assert.equal(res.body.access_token, undefined);
    assert.equal(await sessions(), before);
    nextStep(clock);
    const done = await verify(t, res.body.challenge_token, { code: await codeNow(secret, clock) });
    assert.equal(done.status, 200, done.text);
    const row = await t.db('auth_audit_logs').where({ action: 'auth.login', actor_id: owner.id }).orderBy('id', 'desc').first();
    assert.deepEqual(JSON.parse(row.details), { method: 'magic_link', session: 'api', second_factor: 'totp' });
  });

  it('the admin UI: a password or a magic link answers the challenge without a cookie; only the code sets it', async () => {
    const byPassword = await t.request('POST', '/admin/api/login', { body: { email: owner.email, password: PASSWORD } });
    assert.equal(byPassword.status, 200, byPassword.text);
    assert.deepEqual(Object.keys(byPassword.body).sort(), ['challenge_token', 'expires_in', 'methods', 'mfa_required', 'ok']);
    assert.equal(byPassword.body.ok, false);
    assert.equal(byPassword.headers.get('set-cookie'), null);

    const mark = await lastMailId(t);
    await t.api('POST', '/auth/magic-link/request', { body: { email: owner.email } });
    const { token } = linkOf(await waitForMail(t, owner.email, { afterId: mark, subject: /sign-in link/ }));
    const byLink = await t.request('POST', '/admin/api/login', { body: { magic_token: token } });
    assert.equal(byLink.status, 200, byLink.text);
    assert.equal(byLink.body.mfa_required, true);
    assert.equal(byLink.headers.get('set-cookie'), null);
    nextStep(clock);
    const wrong = await t.request('POST', '/admin/api/login', { body: { challenge_token: byLink.body.challenge_token, code: '000000' } });
    assert.equal(wrong.status, 401, wrong.text);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const done = await t.request('POST', '/admin/api/login', { body: { challenge_token: byLink.body.challenge_token, code: await codeNow(secret, clock) } });
    assert.equal(done.status, 200, done.text);
    const cookie = /^(plinth_session=[^;]+)/.exec(done.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(cookie);
    assert.equal((await t.request('GET', '/admin/api/me', { headers: { cookie } })).body.id, owner.id);
  });

  it('a password reset signs nobody in and leaves the factor on: the next sign-in is challenged', async () => {
    const mark = await lastMailId(t);
    await t.api('POST', '/auth/forgot-password', { body: { email: owner.email } });
    const { token } = linkOf(await waitForMail(t, owner.email, { afterId: mark, subject: /Reset your password/ }));
    const res = await t.api('POST', '/auth/reset-password', { body: { token, new_password: PASSWORD } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['detail']);
    assert.equal(Boolean((await t.db('auth_users').where('id', owner.id).first()).mfa_enabled), true);
    assert.equal(await count(t.db('auth_sessions').where('user_id', owner.id).whereNull('revoked_at')), 0, 'every session ended');
    await challengeFor(t, owner.email, PASSWORD);
  });

  it('refresh: no refresh token before the code; one issued after it rotates as usual', async () => {
    const challenge = await challengeFor(t, owner.email, PASSWORD); // asserts no refresh_token
    assertError(await t.api('POST', '/auth/refresh', { body: { refresh_token: challenge } }), 401);
    nextStep(clock);
    const done = await verify(t, challenge, { code: await codeNow(secret, clock) });
    const rotated = await t.api('POST', '/auth/refresh', { body: { refresh_token: done.body.refresh_token } });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(claimsOf(rotated.body.access_token).sid, claimsOf(done.body.access_token).sid, 'the same session, opened after the code');
  });

  it('the MCP endpoint: a challenge token is refused as a Bearer token; the token from after the code is accepted', async () => {
    const mcp = (headers: Record<string, string>) =>
      t.request('POST', '/mcp', {
        headers: { ...headers, accept: 'application/json, text/event-stream' },
        body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });
    const challenge = await challengeFor(t, owner.email, PASSWORD);
    const refused = await mcp(bearer(challenge));
    assert.equal(refused.status, 401, refused.text);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    nextStep(clock);
    const done = await verify(t, challenge, { code: await codeNow(secret, clock) });
    const ok = await mcp(bearer(done.body.access_token));
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /"tools"/);
  });

  it('the MCP endpoint under the policy: a user token of an account that must enrol is refused until it has', async () => {
    const strict = await createTestApp({
      plugins: ['auth', 'billing', 'licensing', 'mail', 'robots', 'agents'],
      clock,
      settings: { auth: { limits: LIMITS, mfa: { require: 'everyone' } } },
    });
    try {
      const app = strict as AuthApp;
      app.db = strict.app.db;
      app.api = (method, path, opts) => strict.request(method, `${API}${path}`, opts);
      const user = await registerOwner(strict, 'mcp-policy');
      const mcp = () =>
        strict.request('POST', '/mcp', {
          headers: { ...user.headers, accept: 'application/json, text/event-stream' },
          body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        });
      const refused = await mcp();
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.code, 'mfa_enrollment_required');
      await enrolTotp(app, user.headers, clock);
      assert.equal((await mcp()).status, 200);
    } finally {
      await strict.close();
    }
  });

  it("WorkBot's SMS login: a user with a factor gets 403 mfa_required with the challenge, no tokens; the code completes it", async () => {
    const phone = '+8613900000038';
    const smsCode = async () => {
      assert.equal((await t.request('POST', '/workbot/api/user/send-sms', { body: { phone } })).status, 200);
      const row = await t.db('auth_sms_outbox').where('phone', phone).orderBy('id', 'desc').first();
      return /\b(\d{6})\b/.exec(row.body)![1];
    };
    const first = await t.request('POST', '/workbot/api/user/login', { body: { phone, code: await smsCode() } });
    assert.equal(first.status, 200, first.text);
    const { secret: phoneSecret } = await enrolTotp(t, bearer(first.body.data.token), clock);
    const userId = first.body.data.userId;
    const before = await count(t.db('auth_sessions').where('user_id', userId));
    const second = await t.request('POST', '/workbot/api/user/login', { body: { phone, code: await smsCode() } });
    assert.equal(second.status, 403, second.text);
    assert.equal(second.body.data.mfa_required, true);
    assert.equal(second.body.data.verify_at, 'POST /api/v2/auth/mfa/verify');
    assert.equal(JSON.stringify(second.body).includes('"token"'), false, 'no token in the refusal');
    assert.equal(await count(t.db('auth_sessions').where('user_id', userId)), before);
    nextStep(clock);
    const done = await verify(t, second.body.data.challenge_token, { code: await codeNow(phoneSecret, clock) });
    assert.equal(done.status, 200, done.text);
    const info = await t.request('GET', '/workbot/api/user/info', { headers: bearer(done.body.access_token) });
    assert.equal(info.status, 200, info.text);
    assert.equal(info.body.data.userId, userId);
  });

  it("the temp-mail face's login of a platform user with a factor: 403 mfa_required, no cookie; the admin UI's sign-in is the session it shares", async () => {
    const before = await sessions();
    const res = await t.request('POST', '/mail/api/login', { body: { username: owner.email, password: PASSWORD } });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, {
      error:
        'this account signs in with a second factor: sign in on the admin UI (/admin), whose session this one is, ' +
        'or answer the challenge at POST /admin/api/login',
      code: 'mfa_required',
    });
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal(await sessions(), before);
    const ui = await t.request('POST', '/admin/api/login', { body: { email: owner.email, password: PASSWORD } });
    nextStep(clock);
    const done = await t.request('POST', '/admin/api/login', { body: { challenge_token: ui.body.challenge_token, code: await codeNow(secret, clock) } });
    assert.equal(done.status, 200, done.text);
    const cookie = /^(plinth_session=[^;]+)/.exec(done.headers.get('set-cookie') ?? '')?.[1];
    const session = await t.request('GET', '/mail/api/session', { headers: { cookie: cookie! } });
    assert.equal(session.body.authenticated, true, session.text);
  });

  it("guessing is budgeted like passwords: past the account's budget even the right code is 429, on a new challenge too", async () => {
    const victim = await registerOwner(t, 'budget');
    const { secret: victimSecret } = await enrolTotp(t, victim.headers, clock);
    // settings.auth.limits.loginFailuresPerAccountIp (10) guesses per window, whichever challenge they are made on.
    for (let round = 0; round < 2; round++) {
      const challenge = await challengeFor(t, victim.email, PASSWORD);
      for (let i = 0; i < 5; i++) assertError(await verify(t, challenge, { code: String(200000 + round * 10 + i) }), 401, 'invalid_code');
    }
    nextStep(clock);
    const challenge = await challengeFor(t, victim.email, PASSWORD);
    const blocked = await verify(t, challenge, { code: await codeNow(victimSecret, clock) });
    assert.equal(blocked.status, 429, blocked.text);
    assert.equal(await count(t.db('auth_sessions').where('user_id', victim.id).whereNotNull('second_factor')), 0);
    // The owner's own sessions are unaffected by someone else's guessing.
    await signInWithCode(t, owner.email, PASSWORD, secret, clock);
  });
});
